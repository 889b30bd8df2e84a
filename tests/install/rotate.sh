#!/usr/bin/env bash
# docs/operate.md's server certificate rotation, with the installed
# programs: `idprovctl ca init --keep-ca` writes a new server certificate
# from the same CA, SIGHUP (systemctl reload) makes idprovd use it for new
# connections without a restart, and a device provisioned before the
# rotation still renews (it trusts the CA, not one server certificate).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

i_install
h_ca_init --hosts 127.0.0.1,localhost
h_server_start
pid=$H_PID
served_serial() {
	openssl s_client -connect "127.0.0.1:$H_PORT" -CAfile "$H_CA/ca.pem" </dev/null 2>/dev/null |
		openssl x509 -noout -serial
}
file_serial() { openssl x509 -in "$H_CA/server.pem" -noout -serial; }
ca_before=$(openssl x509 -in "$H_CA/ca.pem" -noout -fingerprint -sha256)
old=$(file_serial)
h_expect_eq "$old" "$(served_serial)" "the certificate served before the rotation"

# A device gets its certificate with the installed idprov.
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	-d '{"deviceID":"dev-rot","oobSecret":"rot-secret","validUntil":""}' "$H_URL/idprov/oobsecret")
h_expect_eq 200 "$(h_code "$out")" "posting the OOB secret ($out)"
out=$("$IDPROV" provision --device dev-rot --server "$H_URL" --dir "$H_TMP/dev" --secret-stdin <<<"rot-secret" 2>&1) ||
	h_fail "idprov provision should succeed before the rotation: $out"
h_ok

# The rotation, as docs/operate.md says (there as the idprov user).
out=$("$IDPROVCTL" ca init --dir "$H_CA" --keep-ca --hosts 127.0.0.1,localhost 2>&1) ||
	h_fail "idprovctl ca init --keep-ca failed: $out"
new=$(file_serial)
[ "$new" != "$old" ] || h_fail "ca init --keep-ca should write a new server certificate"
h_ok
h_expect_eq "$ca_before" "$(openssl x509 -in "$H_CA/ca.pem" -noout -fingerprint -sha256)" "the CA after --keep-ca"
h_expect_eq "$old" "$(served_serial)" "the certificate served before the reload"
kill -HUP "$pid"
for _ in $(seq 100); do grep -q "reloaded" "$H_TMP/idprovd.log" && break; sleep 0.05; done
h_expect_contains "$(cat "$H_TMP/idprovd.log")" "reloaded" "idprovd's log after SIGHUP"
h_expect_eq "$new" "$(served_serial)" "the certificate served after SIGHUP"
h_expect_eq "$pid" "$H_PID" "idprovd's PID (no restart)"
kill -0 "$pid" || h_fail "idprovd should still run after SIGHUP"
h_ok
echo "checked: ca init --keep-ca + SIGHUP: new connections get the new certificate, same process, same CA"

out=$("$IDPROV" renew --dir "$H_TMP/dev" 2>&1) || h_fail "idprov renew after the rotation should succeed: $out"
h_ok
v=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/dev/cert.pem" 2>&1) || h_fail "the renewed certificate should verify: $v"
h_ok
echo "checked: a device provisioned before the rotation renews after it"
h_server_stop
h_pass
