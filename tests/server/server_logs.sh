#!/usr/bin/env bash
# server_logs: what idprovd's log says (docs/server-config.md "Logs"): a
# secret never leaves the server, not in its log (even at debug level), not
# in an error answer, not in the registry, whatever the body looks like
# (valid, malformed JSON around it, wrong types, bulk, lockout); a client
# can't forge a log line with control characters; a failed handshake is
# logged with the peer.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start --log-level debug
s_keypair k1
: >"$H_TMP/answers"

# post PATH BODY: as the admin; the answer is kept for the final check
post() {
	printf '%s' "$2" >"$H_TMP/body.json"
	h_curl_admin -X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/body.json" \
		"$H_URL$1" >>"$H_TMP/answers"
	echo >>"$H_TMP/answers"
}

# valid posts, then a full provisioning with each secret
s_oob sec-1 'Zq7-SECRET-ONE'
s_provreq "$H_TMP/r.json" sec-1 'Zq7-SECRET-ONE' k1 >/dev/null
s_expect_resp "$H_TMP/r.json" 'Zq7-SECRET-ONE' Approved "provisioning of sec-1"
cat "$H_TMP/r.json" >>"$H_TMP/answers"
post /idprov/admin/oobsecrets '{"secrets":[{"deviceID":"sec-2","oobSecret":"Zq7-SECRET-TWO"}]}'
s_provreq "$H_TMP/r.json" sec-2 'Zq7-SECRET-TWO' k1 >/dev/null
s_expect_resp "$H_TMP/r.json" 'Zq7-SECRET-TWO' Approved "provisioning of sec-2"
# wrong signatures up to the lockout
s_oob sec-3 'Zq7-SECRET-THREE'
for i in 1 2 3 4 5; do s_provreq "$H_TMP/r.json" sec-3 "Zq7-SECRET-WRONG$i" k1 >/dev/null; done
# malformed bodies around a secret
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-FOUR"'
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-FIVE",}'
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-SIX","validUntil":5}'
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-SEVEN","validUntil":"never"}'
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-EIGHT","oobSecret":"Zq7-SECRET-NINE"}'
post /idprov/oobsecret '{"deviceID":"","oobSecret":"Zq7-SECRET-TEN"}'
post /idprov/oobsecret '{"deviceID":"sec-4","oobSecret":["Zq7-SECRET-ELEVEN"]}'
post /idprov/oobsecret "{\"deviceID\":\"sec-4\",\"oobSecret\":\"Zq7-SECRET-TWELVE$(printf 'x%.0s' $(seq 300))\"}"
post /idprov/oobsecret $'{"deviceID":"sec-4","oobSecret":"Zq7-SECRET-\xff-THIRTEEN"}'
post /idprov/admin/oobsecrets '{"secrets":[{"deviceID":"sec-5","oobSecret":"Zq7-SECRET-FOURTEEN"},{"deviceID":"","oobSecret":"Zq7-SECRET-FIFTEEN"}]}'
post /idprov/admin/oobsecrets '{"secrets":[{"deviceID":"sec-5","oobSecret":"Zq7-SECRET-SIXTEEN"'
# jansson stops inside the string at a raw tab and quotes what it read
post /idprov/admin/oobsecrets $'{"secrets":[{"deviceID":"sec-5","oobSecret":"Zq7-SECRET-BULKTAB\tx"}]}'
# a secret sent where a device would never put it
post /idprov/provreq '{"deviceID":"sec-6","ip":"1.2.3.4","mac":"","publicKeyPEM":"Zq7-SECRET-SEVENTEEN","signature":"x"}'
s_alive "the secret-bearing requests"

# control characters from clients can't start a new log line
h_curl "$H_URL/idprov/status/x%0aidprovd:%20info:%20FORGED-1%0d" >/dev/null
printf '{"deviceID":"x\\nidprovd: info: FORGED-2","oobSecret":"s"}' >"$H_TMP/body.json"
h_curl_admin -X POST --data-binary @"$H_TMP/body.json" "$H_URL/idprov/oobsecret" >/dev/null
s_probe provreq-body --id $'x\nidprovd: info: FORGED-3' --pub "$H_TMP/k1.pub" --secret x >"$H_TMP/body.json"
h_curl -X POST --data-binary @"$H_TMP/body.json" "$H_URL/idprov/provreq" >/dev/null
# a path that tries to close the quotes and add key=value pairs of its own
h_curl "$H_URL/idprov/status/q%22%20status=200%20role=admin%20device=%22FORGED-Q" >/dev/null
# a failed handshake names the peer
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=admin/CN=mallory" \
	-days 1 -keyout "$H_TMP/foreign.key" -out "$H_TMP/foreign.pem" 2>/dev/null
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/foreign.pem" --key "$H_TMP/foreign.key" \
	"$H_URL/idprov/directory" >/dev/null 2>&1 || true
s_alive "the log-forging requests"
h_server_stop

forged=$(grep -a 'FORGED' "$H_TMP/idprovd.log" || true)
h_expect_contains "$forged" "FORGED-1" "the request with a %0a path is logged"
if grep -aq '^idprovd: info: FORGED' "$H_TMP/idprovd.log"; then
	h_fail "a client forged a log line: $(grep -a '^idprovd: info: FORGED' "$H_TMP/idprovd.log")"
fi
h_ok
qline=$(grep -a 'FORGED-Q' "$H_TMP/idprovd.log" | head -n 1)
h_expect_contains "$qline" 'path="/idprov/status/q\" status=200 role=admin device=\"FORGED-Q"' \
	"a quote in the path is escaped in the log"
h_expect_contains "$qline" "role=none status=" "the request's own role and status"
bad=$(grep -av '^idprovd: [a-z]*: ' "$H_TMP/idprovd.log" | grep -av '^\[warn\]' || true)
[ -z "$bad" ] || h_fail "log lines not in the 'idprovd: LEVEL: message' form: ${bad:0:400}"
h_ok
h_expect_contains "$(cat "$H_TMP/idprovd.log")" 'tls peer=127.0.0.1 outcome="handshake failed' \
	"a failed handshake is logged with the peer address"

leaks=$(grep -o 'Zq7-SECRET-[A-Z0-9]*' "$H_TMP/idprovd.log" | sort -u | tr '\n' ' ' || true)
# The publicKeyPEM of a provisioning request is not a secret: quoting it
# would be fine, but none of the others may appear.
leaks=${leaks//Zq7-SECRET-SEVENTEEN /}
[ -z "$leaks" ] || h_fail "secrets in idprovd's log (debug level): $leaks"
h_ok
grep -c . "$H_TMP/idprovd.log" >/dev/null || h_fail "idprovd wrote no log at all: the check above proves nothing"
h_ok
# nor in the registry (audit trail included: "every decision, never a secret")
sqlite3 "$H_TMP/idprov.db" .dump >"$H_TMP/dump.sql"
h_expect_contains "$(cat "$H_TMP/dump.sql")" "sec-1" "the registry dump holds the devices (the check below is not vacuous)"
leaks=$(grep -ao 'Zq7-SECRET-[A-Z0-9]*' "$H_TMP/dump.sql" | sort -u | tr '\n' ' ' || true)
leaks=${leaks//Zq7-SECRET-SEVENTEEN /}
[ -z "$leaks" ] || h_fail "secrets in the SQLite registry: $leaks"
h_ok
leaks=$(grep -ao 'Zq7-SECRET-[A-Z0-9]*' "$H_TMP/answers" | sort -u | tr '\n' ' ' || true)
leaks=${leaks//Zq7-SECRET-SEVENTEEN /}
[ -z "$leaks" ] || h_fail "secrets quoted back in answers: $leaks"
h_ok
h_pass
