#!/usr/bin/env bash
# server_admin: the admin API of docs/admin-api.md from the outside: who
# may call it (401/403), the bulk secrets (all or nothing, the index of the
# bad entry), the device list (fields matching the issued certificate,
# filters, sorting, paging), the pending list, revocation and the CRL.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start --crl-days 3
s_keypair k1
h_device_cert adm-devcert
h_device_cert adm-other other
h_device_cert adm-plugin plugin

# 1. who may call: no certificate 401, device or other OU 403, plugin 200
for ep in "GET /idprov/admin/devices" "GET /idprov/admin/pending" \
	"POST /idprov/admin/oobsecrets" "POST /idprov/admin/revoke"; do
	m=${ep%% *} p=${ep#* }
	args=(-X "$m")
	[ "$m" = POST ] && args+=(-H 'Content-Type: application/json' --data-binary '{}')
	out=$(h_curl "${args[@]}" "$H_URL$p")
	s_expect_code 401 "$out" "$ep without a certificate"
	s_expect_error_body "$out" "$ep without a certificate"
	out=$(h_curl_as adm-devcert "${args[@]}" "$H_URL$p")
	s_expect_code 403 "$out" "$ep with a device certificate"
	out=$(h_curl_as adm-other "${args[@]}" "$H_URL$p")
	s_expect_code 403 "$out" "$ep with OU other"
done
out=$(h_curl_as adm-plugin "$H_URL/idprov/admin/devices")
s_expect_code 200 "$out" "device list with a plugin certificate"

# 2. bulk secrets: all or nothing
bulk() { h_curl_admin -X POST -H 'Content-Type: application/json' --data-binary "$1" "$H_URL/idprov/admin/oobsecrets"; }
out=$(bulk '{"secrets":[{"deviceID":"b-1","oobSecret":"s1","validUntil":""},{"deviceID":"b-2","oobSecret":"s2"},{"deviceID":"b-3","oobSecret":"","validUntil":""},{"deviceID":"b-4","oobSecret":"s4","validUntil":""}]}')
s_expect_code 400 "$out" "bulk secrets with an empty secret in entry 2"
h_expect_eq 2 "$(h_body "$out" | s_probe field index)" "index of the bad bulk entry"
h_expect_contains "$(h_body "$out" | s_probe field error)" "secrets[2]" "bulk error names the entry"
s_provreq "$H_TMP/r.json" b-1 s1 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "a refused bulk stored nothing (b-1 signed with its secret)"
out=$(bulk '{"secrets":[{"deviceID":"b-1","oobSecret":"s1"},{"deviceID":"b-1","oobSecret":"s1b"}]}')
s_expect_code 400 "$out" "bulk secrets with a deviceID twice"
h_expect_eq 1 "$(h_body "$out" | s_probe field index)" "index of the repeated deviceID"
out=$(bulk "{\"secrets\":[{\"deviceID\":\"b-1\",\"oobSecret\":\"s1\",\"validUntil\":\"$(s_time -10)\"}]}")
s_expect_code 400 "$out" "bulk secret with validUntil in the past"
out=$(bulk '{"secrets":{"deviceID":"b-1"}}')
s_expect_code 400 "$out" "bulk secrets not an array"
out=$(bulk '[]')
s_expect_code 400 "$out" "bulk secrets body a JSON array"
out=$(bulk '{"secrets":[{"deviceID":"b-1","oobSecret":"s1","validUntil":""},{"deviceID":"b-2","oobSecret":"s2"}]}')
s_expect_code 200 "$out" "two good bulk secrets"
h_expect_eq '{"accepted":2}' "$(h_body "$out")" "bulk answer"
s_provreq "$H_TMP/r.json" b-2 s2 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" s2 Approved "provisioning with a bulk-posted secret"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/b-2.pem"

# 3. pending: asked without a secret, counted, leaves once issued
for _ in 1 2 3; do s_provreq "$H_TMP/r.json" p-1 x k1 >/dev/null; done
out=$(h_curl_admin "$H_URL/idprov/admin/pending")
s_expect_code 200 "$out" "pending list"
entry=$(h_body "$out" | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
e = [p for p in d["pending"] if p["deviceID"] == "p-1"]
print(json.dumps(e[0], sort_keys=True) if e else "")')
[ -n "$entry" ] || h_fail "p-1 is not in the pending list: $(h_body "$out")"
h_ok
h_expect_eq 3 "$(printf '%s' "$entry" | s_probe field count)" "pending count after 3 requests"
h_expect_eq 192.0.2.2 "$(printf '%s' "$entry" | s_probe field ip)" "pending ip"
h_expect_eq 127.0.0.1 "$(printf '%s' "$entry" | s_probe field peer)" "pending peer"
s_oob p-1 sp
s_provreq "$H_TMP/r.json" p-1 sp k1 >/dev/null
s_expect_resp "$H_TMP/r.json" sp Approved "p-1 with a secret"
out=$(h_curl_admin "$H_URL/idprov/admin/pending")
h_expect_not_contains "$(h_body "$out")" '"deviceID":"p-1"' "p-1 left the pending list"

# 4. the device list: the entry matches the certificate
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved")
s_expect_code 200 "$out" "approved device list"
h_body "$out" >"$H_TMP/list.json"
/usr/bin/python3 - "$H_TMP/list.json" "$(s_serial_hex "$H_TMP/b-2.pem")" \
	"$(date -u -d "$(openssl x509 -in "$H_TMP/b-2.pem" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)" <<'EOF' ||
import json, sys
d = json.load(open(sys.argv[1]))
ids = [e["deviceID"] for e in d["devices"]]
assert ids == sorted(ids), "not sorted by deviceID: %r" % ids
assert d["total"] == len(ids) == 2, "total %r for %r, expected 2 approved" % (d["total"], ids)
e = [e for e in d["devices"] if e["deviceID"] == "b-2"][0]
assert e["status"] == "approved", e
assert e["serial"].upper().lstrip("0") == sys.argv[2], "serial %s, certificate %s" % (e["serial"], sys.argv[2])
assert e["notAfter"] == sys.argv[3], "notAfter %s, certificate %s" % (e["notAfter"], sys.argv[3])
assert e["ip"] == "192.0.2.2" and e["mac"] == "" and e["peer"] == "127.0.0.1", e
assert e["issueCount"] == 1 and e["oobPending"] is False, e
EOF
	h_fail "the device list entry of b-2 does not match its certificate: $(cat "$H_TMP/list.json")"
h_ok
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=waiting")
h_expect_contains "$(h_body "$out")" '"deviceID":"b-1"' "b-1 (secret posted, not provisioned) is waiting"
h_expect_not_contains "$(h_body "$out")" '"deviceID":"b-2"' "b-2 is not waiting"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=all&offset=1&limit=1")
s_expect_code 200 "$out" "device list page 2 of size 1"
n=$(h_body "$out" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["devices"]), d["total"] >= 3)')
h_expect_eq "1 True" "$n" "a page of one device, total counting all"
for q in "status=bogus" "limit=abc" "offset=-1" "limit=0x10"; do
	out=$(h_curl_admin "$H_URL/idprov/admin/devices?$q")
	s_expect_code 400 "$out" "device list with $q"
	s_expect_error_body "$out" "device list with $q"
done

# 5. revocation
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl0.der" "$H_URL/idprov/crl"
crlnum0=$(openssl crl -inform DER -in "$H_TMP/crl0.der" -noout -crlnumber | cut -d= -f2)
next0=$(date -d "$(openssl crl -inform DER -in "$H_TMP/crl0.der" -noout -nextupdate | cut -d= -f2)" +%s)
last0=$(date -d "$(openssl crl -inform DER -in "$H_TMP/crl0.der" -noout -lastupdate | cut -d= -f2)" +%s)
h_expect_eq $((3 * 86400)) $((next0 - last0)) "CRL nextUpdate - lastUpdate with --crl-days 3"
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' --data-binary '{"deviceID":"nobody"}' \
	"$H_URL/idprov/admin/revoke")
s_expect_code 404 "$out" "revoking an unknown device"
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	--data-binary "{\"deviceID\":\"b-2\",\"reason\":\"$(printf 'r%.0s' $(seq 201))\"}" "$H_URL/idprov/admin/revoke")
s_expect_code 400 "$out" "a 201-byte revocation reason"
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	--data-binary '{"deviceID":"b-2","reason":"keyCompromise"}' "$H_URL/idprov/admin/revoke")
s_expect_code 200 "$out" "revoking b-2"
h_expect_eq '{"deviceID":"b-2","revoked":1}' "$(h_body "$out")" "revoke answer"
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" "$H_URL/idprov/crl"
crl=$(openssl crl -inform DER -in "$H_TMP/crl.der" -CAfile "$H_CA/ca.pem" -noout -text 2>&1)
h_expect_contains "$crl" "Key Compromise" "the CRL entry carries the reason keyCompromise"
crlnum1=$(openssl crl -inform DER -in "$H_TMP/crl.der" -noout -crlnumber | cut -d= -f2)
[ $((crlnum1)) -gt $((crlnum0)) ] || h_fail "the CRL number did not grow with the revocation ($crlnum0 -> $crlnum1)"
h_ok
openssl verify -CAfile "$H_CA/ca.pem" -CRLfile <(openssl crl -inform DER -in "$H_TMP/crl.der") -crl_check \
	"$H_TMP/b-2.pem" >"$H_TMP/verify.out" 2>&1 && h_fail "openssl verify -crl_check accepts the revoked certificate"
h_expect_contains "$(cat "$H_TMP/verify.out")" "revoked" "openssl verify -crl_check says revoked"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=revoked")
h_expect_contains "$(h_body "$out")" '"deviceID":"b-2"' "b-2 in the revoked list"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved")
h_expect_not_contains "$(h_body "$out")" '"deviceID":"b-2"' "b-2 no longer in the approved list"

s_alive "the admin requests"
h_server_stop
h_pass
