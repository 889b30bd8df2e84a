#!/usr/bin/env bash
# server_provision: the provisioning request with an OOB secret, as
# WIRE.md "Decisions of the server" 3 and "Issued certificates" say:
# Waiting before the secret, Approved (signed with the secret, a
# certificate that verifies for client auth, CN = deviceID, the key sent)
# after, Rejected for a wrong signature, lockout after 5 wrong signatures,
# the secret used once, an expired secret forgotten; and decision 1: a
# request by an admin or plugin certificate approved for any deviceID.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start --retry 5s --validity 1h
s_keypair k1
s_keypair k2
ca_pem=$(cat "$H_CA/ca.pem")

# 1. no secret yet: Waiting, retrySec = --retry, unsigned
code=$(s_provreq "$H_TMP/r.json" prov-dev1 s3cret-1 k1)
h_expect_eq 200 "$code" "provreq before the secret: HTTP status"
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq before the secret"
h_expect_eq '{"retrySec":5,"status":"Waiting","caCert":"","clientCert":"","signature":""}' \
	"$(cat "$H_TMP/r.json")" "Waiting response bytes with --retry 5s"
out=$(h_curl_admin "$H_URL/idprov/admin/pending")
s_expect_code 200 "$out" "admin pending list"
h_expect_contains "$(h_body "$out")" '"deviceID":"prov-dev1"' "a device that asked without a secret is pending"

# 2. the admin posts the secret; the same request is now Approved
s_oob prov-dev1 s3cret-1
ctype=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/r.json" -w '%{http_code} %{content_type}' \
	-X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/provreq.json" "$H_URL/idprov/provreq")
h_expect_eq 200 "${ctype%% *}" "provreq after the secret: HTTP status"
h_expect_contains "${ctype#* }" "application/json" "provreq response Content-Type"
s_expect_resp "$H_TMP/r.json" s3cret-1 Approved "provreq after the secret (signature under the OOB secret)"
h_expect_eq 1800 "$(s_field "$H_TMP/r.json" retrySec)" "Approved retrySec = half of --validity 1h"
h_expect_eq "$ca_pem" "$(s_field "$H_TMP/r.json" caCert)" "Approved caCert is the CA PEM"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/dev1.pem"
s_check_issued "$H_TMP/dev1.pem" prov-dev1 k1 "issued certificate"
# validity: --validity 1h, with notBefore "a little in the past"
nb=$(date -d "$(openssl x509 -in "$H_TMP/dev1.pem" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$H_TMP/dev1.pem" -noout -enddate | cut -d= -f2)" +%s)
now=$(date +%s)
[ "$nb" -le "$now" ] || h_fail "notBefore $nb is in the future (now $now)"
h_ok
[ "$na" -ge $((now + 3600 - 300)) ] && [ "$na" -le $((now + 3600 + 300)) ] ||
	h_fail "notAfter is $((na - now)) s from now; --validity 1h expected"
h_ok
eku=$(openssl x509 -in "$H_TMP/dev1.pem" -noout -ext extendedKeyUsage,keyUsage 2>&1)
h_expect_contains "$eku" "TLS Web Client Authentication" "issued certificate EKU clientAuth"
h_expect_contains "$eku" "Digital Signature" "issued certificate keyUsage digitalSignature"
out=$(h_curl_admin "$H_URL/idprov/admin/pending")
h_expect_not_contains "$(h_body "$out")" '"deviceID":"prov-dev1"' "an issued device leaves the pending list"

# 3. the secret is used once: the same request again is Waiting
code=$(s_provreq "$H_TMP/r.json" prov-dev1 s3cret-1 k1)
s_expect_resp "$H_TMP/r.json" "" Waiting "the same request after approval (secret used once)"

# 4. wrong secret: Rejected, unsigned
s_oob prov-dev2 right-2
code=$(s_provreq "$H_TMP/r.json" prov-dev2 wrong-2 k2)
h_expect_eq 200 "$code" "provreq with a wrong signature: HTTP status"
h_expect_eq '{"status":"Rejected","caCert":"","clientCert":"","signature":""}' "$(cat "$H_TMP/r.json")" \
	"Rejected response bytes"
# the secret survives a single wrong signature
code=$(s_provreq "$H_TMP/r.json" prov-dev2 right-2 k2)
s_expect_resp "$H_TMP/r.json" right-2 Approved "right signature after one wrong one"

# 5. 4 wrong signatures then the right one: still Approved
s_oob prov-dev3 right-3
for i in 1 2 3 4; do
	s_provreq "$H_TMP/r.json" prov-dev3 "wrong-$i" k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Rejected "wrong signature $i of prov-dev3"
done
s_provreq "$H_TMP/r.json" prov-dev3 right-3 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" right-3 Approved "right signature after 4 wrong ones"

# 6. lockout: 5 wrong signatures discard the secret
s_oob prov-dev4 right-4
for i in 1 2 3 4 5; do
	s_provreq "$H_TMP/r.json" prov-dev4 "wrong-$i" k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Rejected "wrong signature $i of prov-dev4"
done
s_provreq "$H_TMP/r.json" prov-dev4 right-4 k1 >/dev/null
# provreq.c documents it: a locked-out device is told Rejected until an
# admin posts a new secret
s_expect_resp "$H_TMP/r.json" "" Rejected "right signature after 5 wrong ones (secret discarded)"
out=$(h_curl_admin "$H_URL/idprov/status/prov-dev4")
s_expect_code 200 "$out" "admin status of a locked-out device"
h_expect_eq Rejected "$(h_body "$out" | s_probe field status)" "admin status of a locked-out device (admin-api.md)"
# a new secret from the admin lets the device in again
s_oob prov-dev4 again-4
s_provreq "$H_TMP/r.json" prov-dev4 again-4 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" again-4 Approved "provreq with a new secret after the lockout"

# 7. an expired secret is forgotten
s_oob prov-dev5 right-5 "$(s_time 4)"
sleep 6
s_provreq "$H_TMP/r.json" prov-dev5 right-5 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq with an expired secret"

# 8. a request by an admin (or plugin) certificate: approved for any
# deviceID without a secret, signed with the empty key
s_provreq "$H_TMP/r.json" prov-adm1 "" k2 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "provreq by the admin certificate (signed with the empty key)"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/adm1.pem"
s_check_issued "$H_TMP/adm1.pem" prov-adm1 k2 "certificate requested by the admin"
h_device_cert prov-plugin plugin
s_provreq "$H_TMP/r.json" prov-adm2 "" k2 --cert "$H_TMP/prov-plugin.pem" --key "$H_TMP/prov-plugin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "provreq by a plugin certificate"
# an OU with no rights gets nothing more than an anonymous client
h_device_cert prov-other other
s_provreq "$H_TMP/r.json" prov-adm3 "" k2 --cert "$H_TMP/prov-other.pem" --key "$H_TMP/prov-other.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq by a certificate with OU other and no secret"

# 9. the canonical form with escapes: deviceID with <&>, non-ASCII, a
# space; the reference client's mac "" and ip "<nil>"
dev='Gerät <&> Küche'
s_oob "$dev" 'geheim-ß "q"'
s_probe provreq-body --id "$dev" --ip '<nil>' --mac '' --pub "$H_TMP/k1.pub" --secret 'geheim-ß "q"' >"$H_TMP/provreq.json"
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/r.json" -X POST \
	-H 'Content-Type: application/json' --data-binary @"$H_TMP/provreq.json" "$H_URL/idprov/provreq"
s_expect_resp "$H_TMP/r.json" 'geheim-ß "q"' Approved "provreq of a deviceID with <&>, umlauts and spaces"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/esc.pem"
s_check_issued "$H_TMP/esc.pem" "$dev" k1 "certificate of a deviceID with <&>, umlauts and spaces"

# 9b. the signature covers the canonical form, not the bytes as sent: a
# request with its keys in another order, spaces, newlines and needless
# escapes (\u0041, \/) verifies as long as the canonical form does
s_oob prov-ord secret-ord
s_probe provreq-body --id prov-ord --ip 192.0.2.2 --pub "$H_TMP/k1.pub" --secret secret-ord >"$H_TMP/canon.json"
/usr/bin/python3 - "$H_TMP/canon.json" >"$H_TMP/provreq.json" <<'EOF2'
import json, sys
d = json.load(open(sys.argv[1]))
out = '{\n  "signature" : %s,\n  "publicKeyPEM" : %s,\n  "mac":"",\n  "ip" : "192.0.2.2",\n  "deviceID" : "prov-\\u006frd"\n}\n' % (
    json.dumps(d["signature"]).replace("/", "\\/"), json.dumps(d["publicKeyPEM"]).replace("/", "\\/"))
sys.stdout.write(out)
EOF2
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/r.json" -X POST \
	-H 'Content-Type: application/json' --data-binary @"$H_TMP/provreq.json" "$H_URL/idprov/provreq"
s_expect_resp "$H_TMP/r.json" secret-ord Approved "a reordered, indented request with needless escapes"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/ord.pem"
s_check_issued "$H_TMP/ord.pem" prov-ord k1 "certificate of the reordered request"

# 10. a deviceID of 64 bytes in 32 two-byte characters (the CN limit
# counts characters, the deviceID limit bytes)
dev=$(printf 'ü%.0s' $(seq 32))
s_provreq "$H_TMP/r.json" "$dev" "" k1 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "a 64-byte deviceID of 32 umlauts"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/uml.pem"
s_check_issued "$H_TMP/uml.pem" "$dev" k1 "certificate of a 64-byte deviceID"

# 11. the other key types validate.h accepts: P-384 and Ed25519
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$H_TMP/p384.key" 2>/dev/null
openssl pkey -in "$H_TMP/p384.key" -pubout -out "$H_TMP/p384.pub"
openssl genpkey -algorithm ED25519 -out "$H_TMP/ed25519.key" 2>/dev/null
openssl pkey -in "$H_TMP/ed25519.key" -pubout -out "$H_TMP/ed25519.pub"
for k in p384 ed25519; do
	s_oob "prov-$k" "secret-$k"
	s_provreq "$H_TMP/r.json" "prov-$k" "secret-$k" "$k" >/dev/null
	s_expect_resp "$H_TMP/r.json" "secret-$k" Approved "provisioning with a $k key"
	s_field "$H_TMP/r.json" clientCert >"$H_TMP/$k.pem"
	s_check_issued "$H_TMP/$k.pem" "prov-$k" "$k" "certificate for a $k key"
	# and the device can use it for mutual TLS
	s_provreq "$H_TMP/r.json" "prov-$k" "" "$k" --cert "$H_TMP/$k.pem" --key "$H_TMP/$k.key" >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Approved "renewal with the $k certificate"
done

s_alive "the provisioning requests"
h_server_stop
h_pass
