#!/usr/bin/env bash
# server_renewal: WIRE.md "Decisions of the server" 2: a device presenting
# its own certificate (OU iotdevice, CN = deviceID) over mutual TLS is
# renewed without a secret, the answer signed with the empty key; a
# device certificate for another deviceID counts as no certificate; a
# revoked device is refused renewal (admin-api.md) until a new secret.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start --validity 1h --renew-unknown-certificates no
s_keypair k1
s_keypair k2
s_keypair k3

# provision DEV SECRET KEY OUTPEM: first provisioning with a secret.
provision() {
	s_oob "$1" "$2"
	s_provreq "$H_TMP/r.json" "$1" "$2" "$3" >/dev/null
	s_expect_resp "$H_TMP/r.json" "$2" Approved "first provisioning of $1"
	s_field "$H_TMP/r.json" clientCert >"$4"
	cp "$H_TMP/$3.key" "${4%.pem}.key"
}
provision ren-dev1 s-1 k1 "$H_TMP/c1.pem"
provision ren-dev2 s-2 k1 "$H_TMP/c2.pem"
as1=(--cert "$H_TMP/c1.pem" --key "$H_TMP/c1.key")
as2=(--cert "$H_TMP/c2.pem" --key "$H_TMP/c2.key")

# 1. renewal with the issued certificate and a new key, signed with ""
s_provreq "$H_TMP/r.json" ren-dev1 "" k2 "${as1[@]}" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "renewal with the device's own certificate (empty-key signature)"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/c1b.pem"
s_check_issued "$H_TMP/c1b.pem" ren-dev1 k2 "renewed certificate"
[ "$(s_serial_hex "$H_TMP/c1.pem")" != "$(s_serial_hex "$H_TMP/c1b.pem")" ] ||
	h_fail "the renewed certificate has the serial of the old one"
h_ok
h_expect_eq 1800 "$(s_field "$H_TMP/r.json" retrySec)" "renewal retrySec = half of --validity 1h"
cp "$H_TMP/k2.key" "$H_TMP/c1b.key"
# and once more with the renewed certificate, keeping the key
s_provreq "$H_TMP/r.json" ren-dev1 "" k2 --cert "$H_TMP/c1b.pem" --key "$H_TMP/c1b.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "renewal with the renewed certificate"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/c1c.pem"
s_check_issued "$H_TMP/c1c.pem" ren-dev1 k2 "second renewed certificate"
# the superseded certificates can't renew (provreq.c: a refused renewal
# goes to rule 3; without a secret that is Rejected)
for old in c1 c1b; do
	s_provreq "$H_TMP/r.json" ren-dev1 "" k2 --cert "$H_TMP/$old.pem" --key "$H_TMP/$old.key" >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Rejected "renewal with the superseded certificate $old"
done
# a chain of renewals, each with the certificate the previous one gave
cp "$H_TMP/c1c.pem" "$H_TMP/cur.pem"
cp "$H_TMP/k2.key" "$H_TMP/cur.key"
for i in $(seq 12); do
	s_provreq "$H_TMP/r.json" ren-dev1 "" k2 --cert "$H_TMP/cur.pem" --key "$H_TMP/cur.key" >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Approved "renewal $i of a chain of renewals"
	s_field "$H_TMP/r.json" clientCert >"$H_TMP/cur.pem"
done
cp "$H_TMP/cur.pem" "$H_TMP/c1c.pem"
# The registry follows: status shows the newest certificate.
out=$(h_curl_admin "$H_URL/idprov/status/ren-dev1")
h_expect_eq "$(s_probe status-body --id ren-dev1 --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/c1c.pem")" \
	"$(h_body "$out")" "status after two renewals names the newest certificate"

# 2. another device's certificate counts as no certificate
s_provreq "$H_TMP/r.json" ren-dev3 "" k3 "${as2[@]}" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "ren-dev2's certificate asking for ren-dev3 (no secret)"
s_oob ren-dev3 s-3
s_provreq "$H_TMP/r.json" ren-dev3 "" k3 "${as2[@]}" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "ren-dev2's certificate asking for ren-dev3 signed with the empty key"
s_provreq "$H_TMP/r.json" ren-dev3 s-3 k3 "${as2[@]}" >/dev/null
s_expect_resp "$H_TMP/r.json" s-3 Approved "ren-dev2's certificate asking for ren-dev3 with its secret"
# A CA-signed iotdevice certificate whose CN differs only in case.
h_device_cert REN-DEV2
s_provreq "$H_TMP/r.json" ren-dev2 "" k3 --cert "$H_TMP/REN-DEV2.pem" --key "$H_TMP/REN-DEV2.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "a certificate for REN-DEV2 asking for ren-dev2 (CN compared exactly)"

# 3. revocation: the revoked device can't renew, comes back with a new secret
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	--data-binary '{"deviceID":"ren-dev2","reason":"keyCompromise"}' "$H_URL/idprov/admin/revoke")
s_expect_code 200 "$out" "admin revokes ren-dev2"
h_expect_contains "$(h_body "$out")" '"deviceID":"ren-dev2"' "revoke answer"
code=$(s_provreq "$H_TMP/r.json" ren-dev2 "" k1 "${as2[@]}" 2>/dev/null || true)
h_expect_eq 200 "$code" "renewal by a revoked device: HTTP status"
s_expect_resp "$H_TMP/r.json" "" Rejected "renewal by a revoked device (admin-api.md: refused)"
out=$(h_curl_admin "$H_URL/idprov/status/ren-dev2")
h_expect_eq Revoked "$(h_body "$out" | s_probe field status)" "status of a revoked device"
serial=$(s_serial_hex "$H_TMP/c2.pem")
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" "$H_URL/idprov/crl"
crl=$(openssl crl -inform DER -in "$H_TMP/crl.der" -noout -text | sed -n 's/.*Serial Number: *//p' |
	tr a-f A-F | sed 's/^0*//')
h_expect_contains $'\n'"$crl"$'\n' $'\n'"$serial"$'\n' "the revoked certificate is on the CRL"
s_oob ren-dev2 s-2b
s_provreq "$H_TMP/r.json" ren-dev2 s-2b k3 >/dev/null
s_expect_resp "$H_TMP/r.json" s-2b Approved "a revoked device with a new secret"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/c2b.pem"
cp "$H_TMP/k3.key" "$H_TMP/c2b.key"
# the revoked certificate stays refused, the new one renews
s_provreq "$H_TMP/r.json" ren-dev2 "" k1 "${as2[@]}" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "renewal with the revoked certificate after coming back"
s_provreq "$H_TMP/r.json" ren-dev2 "" k3 --cert "$H_TMP/c2b.pem" --key "$H_TMP/c2b.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "renewal with the certificate issued after coming back"
out=$(h_curl_admin "$H_URL/idprov/status/ren-dev2")
h_expect_eq Approved "$(h_body "$out" | s_probe field status)" "status after coming back"

# 4. a new secret re-provisions an approved device; the certificate it
# had is then superseded and can't renew
provision ren-dev4 s-4 k1 "$H_TMP/c4.pem"
s_oob ren-dev4 s-4b
s_provreq "$H_TMP/r.json" ren-dev4 s-4b k2 >/dev/null
s_expect_resp "$H_TMP/r.json" s-4b Approved "re-provisioning an approved device with a new secret"
s_provreq "$H_TMP/r.json" ren-dev4 "" k1 --cert "$H_TMP/c4.pem" --key "$H_TMP/c4.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "renewal with the certificate replaced by a re-provisioning"

# 5. certificates made by the CA holder outside idprovd (docs/server-app.md
# "Renewal"): refused with renew_unknown_certificates = no; by default,
# one for a device without an idprovd certificate renews
# and the renewed one becomes current; one for a device that has a current
# idprovd certificate is not that certificate, so it can't renew
h_device_cert ren-ext1
s_provreq "$H_TMP/r.json" ren-ext1 "" k3 --cert "$H_TMP/ren-ext1.pem" --key "$H_TMP/ren-ext1.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "renewal with a CA-made certificate the registry does not know (renew_unknown_certificates = no)"
h_server_stop
h_server_start --validity 1h
s_provreq "$H_TMP/r.json" ren-ext1 "" k3 --cert "$H_TMP/ren-ext1.pem" --key "$H_TMP/ren-ext1.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "renewal with a CA-made certificate of a device idprovd never certified"
s_provreq "$H_TMP/r.json" ren-ext1 "" k3 --cert "$H_TMP/ren-ext1.pem" --key "$H_TMP/ren-ext1.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "the CA-made certificate again, once superseded by the renewal"
h_device_cert ren-dev4
s_provreq "$H_TMP/r.json" ren-dev4 "" k3 --cert "$H_TMP/ren-dev4.pem" --key "$H_TMP/ren-dev4.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "a CA-made certificate for a device with a current idprovd certificate"

# 6. revocation forgets a secret posted before it (docs/server-app.md)
provision ren-dev5 s-5 k1 "$H_TMP/c5.pem"
s_oob ren-dev5 s-5b
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' --data-binary '{"deviceID":"ren-dev5"}' \
	"$H_URL/idprov/admin/revoke")
s_expect_code 200 "$out" "revoking ren-dev5"
s_provreq "$H_TMP/r.json" ren-dev5 s-5b k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "a secret posted before the revocation is forgotten"

s_alive "the renewals"
h_server_stop
h_pass
