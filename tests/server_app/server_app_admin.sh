#!/bin/bash
# The admin API of docs/admin-api.md: bulk OOB secrets (all or nothing),
# devices with filters and paging, pending, revoke + CRL, and a revoked
# device coming back through a new secret.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
h_server_start
db="$H_TMP/idprov.db"

# Only admins: 401 without a certificate, 403 with a device certificate.
h_device_cert plain
for ep in devices pending; do
	h_expect_eq 401 "$(h_code "$(h_curl "$H_URL/idprov/admin/$ep")")" "$ep without a certificate"
	h_expect_eq 403 "$(h_code "$(h_curl_as plain "$H_URL/idprov/admin/$ep")")" "$ep with a device certificate"
done
h_expect_eq 403 "$(h_code "$(h_curl_as plain -d '{}' "$H_URL/idprov/admin/revoke")")" "revoke with a device certificate"
h_expect_eq 405 "$(h_code "$(h_curl_admin -d '{}' "$H_URL/idprov/admin/devices")")" "POST devices"

# Bulk: a bad entry stores nothing and is named by index.
out=$(h_curl_admin -d '{"secrets":[{"deviceID":"a1","oobSecret":"x"},{"deviceID":"","oobSecret":"y"}]}' "$H_URL/idprov/admin/oobsecrets")
h_expect_eq 400 "$(h_code "$out")" "bulk with an empty deviceID"
h_expect_contains "$(h_body "$out")" '"error":"secrets[1]: ' "error names the entry"
h_expect_contains "$(h_body "$out")" '"index":1}' "index of the bad entry"
h_expect_not_contains "$(h_body "$(h_curl_admin "$H_URL/idprov/admin/devices")")" '"deviceID":"a1"' "nothing stored after a bad bulk"
out=$(h_curl_admin -d '{"secrets":[{"deviceID":"a1","oobSecret":"x"},{"deviceID":"a1","oobSecret":"y"}]}' "$H_URL/idprov/admin/oobsecrets")
h_expect_contains "$(h_body "$out")" '"index":1}' "duplicate deviceID refused"
out=$(h_curl_admin -d '{"secrets":[{"deviceID":"a1","oobSecret":"k1"},{"deviceID":"a2","oobSecret":"k2","validUntil":""},{"deviceID":"a3","oobSecret":"k3"}]}' "$H_URL/idprov/admin/oobsecrets")
h_expect_eq '{"accepted":3}' "$(h_body "$out")" "bulk accepted"
echo "checked: admin-only, bulk all or nothing with the index, duplicates"

# Provision a1 and a2 with their secrets; b1 asks without one.
for d in a1 a2; do
	sa_key $d
	out=$(h_curl -d "$(sa_body $d k${d#a})" "$H_URL/idprov/provreq")
	h_expect_contains "$(h_body "$out")" '"status":"Approved"' "provision $d"
	sa_cert_from "$(h_body "$out")" "$H_TMP/$d.pem"
	cp "$H_TMP/$d.dkey" "$H_TMP/$d.key"
done
sa_key b1
h_curl -d "$(sa_body b1 none 192.0.2.9)" "$H_URL/idprov/provreq" >/dev/null
h_curl -d "$(sa_body b1 none 192.0.2.9)" "$H_URL/idprov/provreq" >/dev/null

# Devices: all, filtered, paged; oobPending for a3.
body=$(h_body "$(h_curl_admin "$H_URL/idprov/admin/devices")")
h_expect_contains "$body" '{"total":3,"devices":[{"deviceID":"a1","status":"approved","serial":"' "devices list"
h_expect_contains "$body" '"deviceID":"a3","status":"waiting","serial":"","notBefore":"","notAfter":""' "waiting device"
h_expect_contains "$body" '"issueCount":0,"oobPending":true,"oobLockedOut":false}' "a3 has a secret pending"
fp=$(openssl pkey -pubin -in "$H_TMP/a1.pub" -outform DER | sha256sum | cut -d' ' -f1)
h_expect_contains "$body" "\"keyFingerprint\":\"$fp\"" "key fingerprint is SHA-256 of the SPKI"
body=$(h_body "$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved&offset=1&limit=1")")
h_expect_contains "$body" '{"total":2,"devices":[{"deviceID":"a2",' "filter and paging"
h_expect_eq 1 "$(grep -o '"deviceID"' <<<"$body" | wc -l)" "limit=1 gives one device"
h_expect_eq 400 "$(h_code "$(h_curl_admin "$H_URL/idprov/admin/devices?status=bogus")")" "unknown status filter"
h_expect_eq 400 "$(h_code "$(h_curl_admin "$H_URL/idprov/admin/devices?limit=5000")")" "limit over 1000"
echo "checked: devices list, status filter, paging, fingerprint, oobPending"

# Pending.
body=$(h_body "$(h_curl_admin "$H_URL/idprov/admin/pending")")
h_expect_contains "$body" '{"total":1,"pending":[{"deviceID":"b1","ip":"192.0.2.9","mac":"","peer":"127.0.0.1","keyFingerprint":"' "pending list"
h_expect_contains "$body" '"count":2}]}' "pending count"
echo "checked: pending list"

# Revoke a1: the CRL lists its serial, renewal is refused, status Revoked.
serial=$(openssl x509 -in "$H_TMP/a1.pem" -noout -serial | cut -d= -f2)
out=$(h_curl_admin -d '{"deviceID":"a1","reason":"keyCompromise"}' "$H_URL/idprov/admin/revoke")
h_expect_eq '{"deviceID":"a1","revoked":1}' "$(h_body "$out")" "revoke answer"
h_expect_eq 404 "$(h_code "$(h_curl_admin -d '{"deviceID":"nobody"}' "$H_URL/idprov/admin/revoke")")" "revoke an unknown device"
curl -sS --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" -w '%{content_type}' "$H_URL/idprov/crl" >"$H_TMP/ct"
h_expect_eq "application/pkix-crl" "$(cat "$H_TMP/ct")" "CRL content type"
crl=$(openssl crl -inform DER -in "$H_TMP/crl.der" -CAfile "$H_CA/ca.pem" -noout -text 2>&1) ||
	h_fail "the CRL does not verify against the CA: $crl"
h_expect_contains "$crl" "verify OK" "CRL signature"
h_expect_contains "$crl" "Serial Number: $serial" "CRL lists the revoked serial"
h_expect_contains "$crl" "Key Compromise" "CRL reason code"
h_expect_contains "$crl" "X509v3 CRL Number" "CRL number"
h_expect_contains "$crl" "X509v3 Authority Key Identifier" "CRL AKI"
openssl verify -crl_check -CAfile "$H_CA/ca.pem" -CRLfile <(openssl crl -inform DER -in "$H_TMP/crl.der") "$H_TMP/a1.pem" >/dev/null 2>&1 &&
	h_fail "openssl still accepts the revoked certificate with the CRL"
h_ok
h_expect_eq "revoked|1|keyCompromise" "$(sqlite3 "$db" "select status,revoked,revoke_reason from devices where device_id='a1'")" "registry marks a1 revoked"
h_expect_eq 1 "$(sqlite3 "$db" "select count(*) from certificates where serial='$serial' and revoked_at is not null and reason_code=1")" "certificate row revoked"
h_expect_eq "revoked by admin: keyCompromise" "$(sqlite3 "$db" "select reason from audit where device_id='a1' and outcome='revoked'")" "audit names the admin"
out=$(h_curl_as a1 -d "$(sa_body a1 '')" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Rejected"' "renewal with a revoked certificate"
h_expect_contains "$(h_body "$(h_curl_admin "$H_URL/idprov/status/a1")")" '"status":"Revoked"' "status Revoked"
out=$(h_curl -d "$(sa_body a1 k1)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Rejected"' "revoked device without a new secret"
echo "checked: revoke, CRL verified by openssl with serial and reason, renewal refused"

# Back through a new secret (even presenting the revoked certificate).
h_curl_admin -d '{"deviceID":"a1","oobSecret":"fresh"}' "$H_URL/idprov/oobsecret" >/dev/null
out=$(h_curl_as a1 -d "$(sa_body a1 fresh)" "$H_URL/idprov/provreq")
body=$(h_body "$out")
h_expect_contains "$body" '"status":"Approved"' "revoked device with a new secret"
sa_check_sig "$body" fresh "re-provisioning"
h_expect_eq "approved|0" "$(sqlite3 "$db" "select status,revoked from devices where device_id='a1'")" "registry after coming back"
echo "checked: a revoked device comes back only through a new OOB secret"
h_pass
