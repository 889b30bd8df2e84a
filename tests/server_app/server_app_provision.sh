#!/bin/bash
# OOB secret + provisioning request -> Approved, signed with the secret;
# the certificate has the WIRE.md profile and verifies for client auth;
# the secret is used once; wrong signatures are Rejected and lock out;
# status answers by role; the registry holds the rows.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
h_server_start --lockout-after 3 --validity 2d --retry 45s
db="$H_TMP/idprov.db"

# Waiting before any secret, with retrySec from --retry.
sa_key dev1
out=$(h_curl -d "$(sa_body dev1 s3cret)" "$H_URL/idprov/provreq")
h_expect_eq 200 "$(h_code "$out")" "provreq without a secret"
h_expect_eq '{"retrySec":45,"status":"Waiting","caCert":"","clientCert":"","signature":""}' "$(h_body "$out")" "Waiting body"
h_expect_eq "dev1|1" "$(sqlite3 "$db" 'select device_id,count from pending')" "pending row"
echo "checked: Waiting (retrySec 45) and a pending row"

# The admin posts the secret: 200 with a summary.
out=$(h_curl_admin -d '{"deviceID":"dev1","oobSecret":"s3cret","validUntil":""}' "$H_URL/idprov/oobsecret")
h_expect_eq 200 "$(h_code "$out")" "POST oobsecret"
h_expect_contains "$(h_body "$out")" '{"deviceID":"dev1","validUntil":"' "oobsecret summary"

# Provisioning: Approved, signature with the secret, renew at half-life.
out=$(h_curl -d "$(sa_body dev1 s3cret)" "$H_URL/idprov/provreq")
body=$(h_body "$out")
h_expect_eq 200 "$(h_code "$out")" "provreq with the secret"
h_expect_contains "$body" '{"retrySec":86400,"status":"Approved","caCert":"-----BEGIN CERTIFICATE-----' "Approved body"
sa_check_sig "$body" s3cret "Approved"
h_expect_eq "$(cat "$H_CA/ca.pem")" "$(sa_field "$body" caCert)" "caCert is the CA PEM"
sa_cert_from "$body" "$H_TMP/dev1.pem"
openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/dev1.pem" >/dev/null 2>&1 ||
	h_fail "the issued certificate does not verify for client auth against the CA"
h_ok
text=$(openssl x509 -in "$H_TMP/dev1.pem" -noout -text)
h_expect_contains "$text" "Subject: OU = iotdevice, CN = dev1" "subject"
h_expect_contains "$text" "TLS Web Client Authentication" "extended key usage"
h_expect_contains "$text" "Digital Signature" "key usage"
h_expect_contains "$text" "CA:FALSE" "basic constraints"
h_expect_contains "$text" "X509v3 Subject Key Identifier" "SKI"
h_expect_contains "$text" "X509v3 Authority Key Identifier" "AKI"
serial=$(openssl x509 -in "$H_TMP/dev1.pem" -noout -serial | cut -d= -f2)
h_expect_eq 32 "${#serial}" "serial is 16 bytes"
# The certificate is for the key of the request.
h_expect_eq "$(openssl pkey -pubin -in "$H_TMP/dev1.pub" -outform DER | sha256sum)" \
	"$(openssl x509 -in "$H_TMP/dev1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)" "certified key"
# Validity: 2 days (+ the 5 minutes of backdating).
nb=$(date -d "$(openssl x509 -in "$H_TMP/dev1.pem" -noout -startdate | cut -d= -f2)" +%s)
na=$(date -d "$(openssl x509 -in "$H_TMP/dev1.pem" -noout -enddate | cut -d= -f2)" +%s)
h_expect_eq $((2 * 86400 + 300)) $((na - nb)) "validity"
echo "checked: Approved, signature, certificate profile, validity"

# Ed25519 and P-384 keys are certified too, with the key of the request.
for alg in ed25519 p384; do
	"sa_key_$alg" "k$alg"
	h_curl_admin -d "{\"deviceID\":\"k$alg\",\"oobSecret\":\"s\"}" "$H_URL/idprov/oobsecret" >/dev/null
	out=$(h_curl -d "$(sa_body "k$alg" s)" "$H_URL/idprov/provreq")
	h_expect_contains "$(h_body "$out")" '"status":"Approved"' "provisioning with a $alg key"
	sa_cert_from "$(h_body "$out")" "$H_TMP/k$alg.pem"
	openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/k$alg.pem" >/dev/null 2>&1 ||
		h_fail "the certificate for the $alg key does not verify"
	h_expect_eq "$(openssl pkey -pubin -in "$H_TMP/k$alg.pub" -outform DER | sha256sum)" \
		"$(openssl x509 -in "$H_TMP/k$alg.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)" "certified $alg key"
done
echo "checked: Ed25519 and P-384 keys certified"

# Registry: the device, its certificate, no longer pending, audit lines.
h_expect_eq "approved|$serial|1|192.0.2.2|127.0.0.1" \
	"$(sqlite3 "$db" "select status,serial,issue_count,ip,peer from devices where device_id='dev1'")" "device row"
h_expect_eq "dev1" "$(sqlite3 "$db" "select device_id from certificates where serial='$serial'")" "certificate row"
h_expect_eq 0 "$(sqlite3 "$db" 'select count(*) from pending')" "pending emptied"
h_expect_contains "$(sqlite3 "$db" "select outcome from audit where device_id='dev1'")" "approved" "audit"
h_expect_not_contains "$(sqlite3 "$db" .dump)" "s3cret" "no secret in the registry"
echo "checked: registry rows, and no secret in the database"

# One-time use: the same request again finds no secret.
out=$(h_curl -d "$(sa_body dev1 s3cret)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Waiting"' "the secret is used once"

# Wrong signatures: Rejected twice, the third discards the secret.
sa_key dev2
h_curl_admin -d '{"deviceID":"dev2","oobSecret":"right","validUntil":""}' "$H_URL/idprov/oobsecret" >/dev/null
for i in 1 2 3; do
	out=$(h_curl -d "$(sa_body dev2 wrong)" "$H_URL/idprov/provreq")
	h_expect_eq '{"status":"Rejected","caCert":"","clientCert":"","signature":""}' "$(h_body "$out")" "wrong signature $i"
done
out=$(h_curl -d "$(sa_body dev2 right)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Rejected"' "after the lockout even the right secret"
out=$(h_curl_admin "$H_URL/idprov/status/dev2")
h_expect_contains "$(h_body "$out")" '"status":"Rejected"' "status shows the lockout"
# A new secret lets it in.
h_curl_admin -d '{"deviceID":"dev2","oobSecret":"again","validUntil":""}' "$H_URL/idprov/oobsecret" >/dev/null
out=$(h_curl -d "$(sa_body dev2 again)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "a new secret after the lockout"
echo "checked: one-time use, Rejected, lockout after 3, a new secret clears it"

# validUntil: honoured, past and too far refused naming the field.
out=$(h_curl_admin -d '{"deviceID":"dev3","oobSecret":"x","validUntil":"2001-01-01T00:00:00Z"}' "$H_URL/idprov/oobsecret")
h_expect_eq 400 "$(h_code "$out")" "validUntil in the past"
h_expect_contains "$(h_body "$out")" "validUntil" "error names validUntil"
out=$(h_curl_admin -d '{"deviceID":"dev3","oobSecret":"x","validUntil":"2999-01-01T00:00:00Z"}' "$H_URL/idprov/oobsecret")
h_expect_eq 400 "$(h_code "$out")" "validUntil beyond --oob-max"
until=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
out=$(h_curl_admin -d "{\"deviceID\":\"dev3\",\"oobSecret\":\"x\",\"validUntil\":\"$until\"}" "$H_URL/idprov/oobsecret")
h_expect_eq "{\"deviceID\":\"dev3\",\"validUntil\":\"$until\"}" "$(h_body "$out")" "validUntil honoured"
out=$(h_curl_admin -d '{"deviceID":"dev4","oobSecret":"x","validUntil":"0001-01-01T00:00:00Z"}' "$H_URL/idprov/oobsecret")
h_expect_eq 200 "$(h_code "$out")" "Go's zero time means the default lifetime"
out=$(h_curl -d '{"deviceID":"dev3","oobSecret":"x"}' "$H_URL/idprov/oobsecret")
h_expect_eq 401 "$(h_code "$out")" "oobsecret without a certificate"
h_device_cert other
out=$(h_curl_as other -d '{"deviceID":"dev3","oobSecret":"x"}' "$H_URL/idprov/oobsecret")
h_expect_eq 403 "$(h_code "$out")" "oobsecret with a device certificate"
echo "checked: validUntil rules, 401 and 403 on oobsecret"

# Status: admin any device; a device itself; 401/403; Waiting unknown.
out=$(h_curl_admin "$H_URL/idprov/status/dev1")
h_expect_eq 200 "$(h_code "$out")" "status as admin"
body=$(h_body "$out")
h_expect_contains "$body" '{"deviceID":"dev1","status":"Approved","caCert":"-----BEGIN CERTIFICATE-----' "status body"
h_expect_eq "$(cat "$H_TMP/dev1.pem")" "$(sa_field "$body" clientCert | base64 -d)" "status clientCert is base64 of the PEM"
cp "$H_TMP/dev1.dkey" "$H_TMP/dev1.key"
out=$(h_curl_as dev1 "$H_URL/idprov/status/dev1")
h_expect_eq 200 "$(h_code "$out")" "status of itself with the issued certificate"
out=$(h_curl_as dev1 "$H_URL/idprov/status/dev2")
h_expect_eq 403 "$(h_code "$out")" "status of another device"
out=$(h_curl "$H_URL/idprov/status/dev1")
h_expect_eq 401 "$(h_code "$out")" "status without a certificate"
# Never heard of: Waiting, as the Go reference answers (its admin client
# fails on any status >= 400).
out=$(h_curl_admin "$H_URL/idprov/status/nobody")
h_expect_eq 200 "$(h_code "$out")" "status of an unknown device"
h_expect_eq '{"deviceID":"nobody","status":"Waiting","caCert":"'"$(awk '{printf "%s\\n", $0}' "$H_CA/ca.pem")"'","clientCert":null}' "$(h_body "$out")" "status of an unknown device"
out=$(h_curl_admin "$H_URL/idprov/status/dev3")
h_expect_eq '{"deviceID":"dev3","status":"Waiting","caCert":"'"$(awk '{printf "%s\\n", $0}' "$H_CA/ca.pem")"'","clientCert":null}' "$(h_body "$out")" "status of a device with only a secret"
echo "checked: status by role, clientCert base64 or null, Waiting for an unknown device"

# Bad bodies: 400 naming the field.
out=$(h_curl -d '{"deviceID":"","ip":"1.2.3.4","mac":"","publicKeyPEM":"x","signature":""}' "$H_URL/idprov/provreq")
h_expect_eq 400 "$(h_code "$out")" "empty deviceID"
h_expect_contains "$(h_body "$out")" "deviceID" "error names deviceID"
out=$(h_curl -d "$(sa_body dev1 s3cret '')" "$H_URL/idprov/provreq")
h_expect_eq 400 "$(h_code "$out")" "empty ip"
h_expect_contains "$(h_body "$out")" "ip" "error names ip"
h_pass
