#!/usr/bin/env bash
# First provisioning against a real idprovd: a wrong secret is rejected and
# leaves no certificate; the right one (from a file, then from standard
# input) gives files that openssl accepts, with the key generated once.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start
D="$H_TMP/dev1"

c_post_secret dev1 'right secret'
c_run out rc "$IDPROV" provision --device dev1 --secret wrong --server "$H_URL" --dir "$D" --timeout 5s
h_expect_eq 4 "$rc" "a wrong secret exits with 4 (rejected)"
h_expect_contains "$out" "rejected" "the wrong-secret message"
c_expect_no_trust "$D" "after a wrong secret"
[ -s "$D/key.pem" ] || h_fail "the key pair was not generated on the first attempt"
key_before=$(openssl pkey -in "$D/key.pem" -pubout | sha256sum)

printf 'right secret\n' >"$H_TMP/secret"
c_run out rc "$IDPROV" provision --device dev1 --secret-file "$H_TMP/secret" --server "$H_URL" --dir "$D"
h_expect_eq 0 "$rc" "provisioning with the right secret (output: $out)"
h_expect_contains "$out" "provisioned dev1" "the success line"
c_expect_verifies "$D" "after provisioning"
h_expect_eq 600 "$(c_perm "$D/key.pem")" "key.pem mode"
h_expect_eq "$key_before" "$(openssl pkey -in "$D/key.pem" -pubout | sha256sum)" "the key made on the first attempt is reused"
h_expect_eq dev1 "$(c_cn "$D/cert.pem")" "the certificate's CN"
h_expect_eq "$(openssl x509 -in "$H_CA/ca.pem" -noout -fingerprint -sha256)" \
	"$(openssl x509 -in "$D/ca.pem" -noout -fingerprint -sha256)" "the saved CA is the server's CA"
h_expect_eq "$H_URL/idprov/directory" "$(cat "$D/server.url")" "server.url"
ls "$D" | grep -q '\.tmp' && h_fail "temporary files left in the state folder: $(ls "$D")"
h_ok

# The certificate works for mutual TLS with the server: the status of
# itself (ours).
out=$(h_curl --cert "$D/cert.pem" --key "$D/key.pem" "$H_URL/idprov/status/dev1")
h_expect_eq 200 "$(h_code "$out")" "the device reads its own status with its new certificate"

c_run out rc "$IDPROV" show --dir "$D"
h_expect_eq 0 "$rc" "show (output: $out)"
h_expect_contains "$out" "subject:     CN=dev1, OU=iotdevice" "show's subject"
h_expect_contains "$out" "renew at:" "show's renewal time"

# A second device, secret from standard input, server from the URL with
# the directory path.
D2="$H_TMP/dev2"
c_post_secret dev2 s2
c_run out rc sh -c "printf 's2' | '$IDPROV' provision --device dev2 --secret-stdin --server '$H_URL/idprov/directory' --dir '$D2'"
h_expect_eq 0 "$rc" "provisioning with the secret on standard input (output: $out)"
c_expect_verifies "$D2" "dev2"

# A directory written differently (caCert as PEM, endpoints as absolute
# URLs), through a relay holding the real server certificate.
c_hostile pemrelay relay --cert "$H_CA/server.pem" --key "$H_CA/server.key" --upstream "$H_URL" --pem-absolute
out=$(curl -sS -k "$C_HURL/idprov/directory")
h_expect_contains "$out" '"caCert":"-----BEGIN CERTIFICATE-----' "the relay's directory has a PEM caCert"
h_expect_contains "$out" "\"postProvisionRequest\":\"$C_HURL/idprov/provreq\"" "the relay's absolute endpoint"
c_post_secret dev3 s3
c_run out rc "$IDPROV" provision --device dev3 --secret s3 --server "$C_HURL" --dir "$H_TMP/dev3"
h_expect_eq 0 "$rc" "provisioning from a directory with a PEM caCert and absolute endpoints (output: $out)"
c_expect_verifies "$H_TMP/dev3" "dev3"

# Usage errors are exit 2; a device not provisioned is 9.
c_run out rc "$IDPROV" provision --secret x --dir "$D2"
h_expect_eq 2 "$rc" "provision without --device"
c_run out rc "$IDPROV" show --device nobody --dir "$H_TMP/empty"
h_expect_eq 9 "$rc" "show of a device that is not provisioned"
c_run out rc "$IDPROV" renew --device nobody --dir "$H_TMP/empty" --server "$H_URL"
h_expect_eq 9 "$rc" "renew of a device that is not provisioned"
h_expect_contains "$out" "not provisioned" "the message"
h_pass
