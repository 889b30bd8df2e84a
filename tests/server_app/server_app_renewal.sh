#!/bin/bash
# Renewal by mutual TLS (WIRE.md decision 2): approved and signed with the
# empty key; only the device's current certificate may renew (an older,
# superseded one is Rejected); an admin certificate gets any deviceID
# (decision 1); a device certificate for another ID falls through to the
# OOB secret (decision 3).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
h_server_start
db="$H_TMP/idprov.db"

sa_key dev1
cp "$H_TMP/dev1.dkey" "$H_TMP/dev1.key"
h_curl_admin -d '{"deviceID":"dev1","oobSecret":"s1"}' "$H_URL/idprov/oobsecret" >/dev/null
out=$(h_curl -d "$(sa_body dev1 s1)" "$H_URL/idprov/provreq")
sa_cert_from "$(h_body "$out")" "$H_TMP/dev1.pem"
cp "$H_TMP/dev1.pem" "$H_TMP/first.pem"
serial1=$(openssl x509 -in "$H_TMP/first.pem" -noout -serial | cut -d= -f2)

# Renewal with the certificate: Approved, signed with "".
out=$(h_curl_as dev1 -d "$(sa_body dev1 '')" "$H_URL/idprov/provreq")
body=$(h_body "$out")
h_expect_contains "$body" '"status":"Approved"' "renewal"
sa_check_sig "$body" '' "renewal"
sa_cert_from "$body" "$H_TMP/second.pem"
openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/second.pem" >/dev/null 2>&1 ||
	h_fail "the renewed certificate does not verify"
serial2=$(openssl x509 -in "$H_TMP/second.pem" -noout -serial | cut -d= -f2)
[ "$serial1" != "$serial2" ] || h_fail "renewal returned the same serial"
h_expect_eq "$serial2|2" "$(sqlite3 "$db" "select serial,issue_count from devices where device_id='dev1'")" "registry after renewal"
echo "checked: renewal by mutual TLS, empty-key signature, new serial recorded"

# The first certificate is superseded: refused.
out=$(h_curl_as dev1 -d "$(sa_body dev1 '')" "$H_URL/idprov/provreq")
h_expect_eq '{"status":"Rejected","caCert":"","clientCert":"","signature":""}' "$(h_body "$out")" "renewal with a superseded certificate"
h_expect_contains "$(sqlite3 "$db" "select reason from audit where device_id='dev1' and outcome='rejected'")" "superseded" "audit says superseded"
# The current one renews.
cp "$H_TMP/second.pem" "$H_TMP/dev1.pem"
out=$(h_curl_as dev1 -d "$(sa_body dev1 '')" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "renewal with the current certificate"
echo "checked: superseded certificate refused, current one renews"

# A device certificate the CA made outside idprovd, for an unknown device:
# renewed by default (WIRE.md decision 2, as the Go reference does);
# refused with renew_unknown_certificates = no (review finding 1), set
# here from the configuration file (server_renewal uses the flag); a bad
# value is refused by name.
h_server_stop
printf '[provisioning]\nrenew_unknown_certificates = no\n' >"$H_TMP/idprovd.ini"
h_server_start --config "$H_TMP/idprovd.ini"
h_device_cert devx
sa_key devx
out=$(h_curl_as devx -d "$(sa_body devx '')" "$H_URL/idprov/provreq")
h_expect_eq '{"status":"Rejected","caCert":"","clientCert":"","signature":""}' "$(h_body "$out")" \
	"renewal with a CA-made certificate the registry does not know (renew_unknown_certificates = no)"
h_expect_contains "$(sqlite3 "$db" "select reason from audit where device_id='devx' and outcome='rejected'")" \
	"not in the registry" "the audit trail says why"
h_expect_eq 0 "$(sqlite3 "$db" "select count(*) from certificates where device_id='devx'")" \
	"nothing issued to devx"
h_server_stop
printf '[provisioning]\nrenew_unknown_certificates = maybe\n' >"$H_TMP/bad.ini"
if "$IDPROVD" --config "$H_TMP/bad.ini" --ca-dir "$H_CA" --listen 127.0.0.1:0 --no-dnssd \
	--db "$H_TMP/bad.db" >"$H_TMP/bad.out" 2>&1; then
	h_fail "idprovd started with renew_unknown_certificates = maybe"
fi
h_expect_contains "$(cat "$H_TMP/bad.out")" "renew_unknown_certificates must be yes or no" "a bad value named"
h_server_start
out=$(h_curl_as devx -d "$(sa_body devx '')" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "renewal with a CA-made certificate (default: renew_unknown_certificates = yes)"

# A device certificate for another ID: decision 3, no secret -> Waiting.
sa_key dev9
out=$(h_curl_as devx -d "$(sa_body dev9 '')" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Waiting"' "device certificate for another ID"

# Admin certificate: any deviceID, signed with "".
sa_key byadmin
out=$(h_curl_admin -d "$(sa_body byadmin '')" "$H_URL/idprov/provreq")
body=$(h_body "$out")
h_expect_contains "$body" '"status":"Approved"' "request by an admin"
sa_check_sig "$body" '' "admin request"
sa_cert_from "$body" "$H_TMP/byadmin.pem"
h_expect_contains "$(openssl x509 -in "$H_TMP/byadmin.pem" -noout -subject)" "CN = byadmin" "admin-requested certificate subject"
echo "checked: CA-made certificate renews, other-ID falls through, admin request"
h_pass
