#!/usr/bin/env bash
# server_secrets: a secret never leaves the server: not in its log (even at
# debug level), not in an error answer, whatever the body looks like
# (valid, malformed JSON around it, wrong types, bulk, lockout).
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
# a secret sent where a device would never put it
post /idprov/provreq '{"deviceID":"sec-6","ip":"1.2.3.4","mac":"","publicKeyPEM":"Zq7-SECRET-SEVENTEEN","signature":"x"}'
s_alive "the secret-bearing requests"
h_server_stop

leaks=$(grep -o 'Zq7-SECRET-[A-Z0-9]*' "$H_TMP/idprovd.log" | sort -u | tr '\n' ' ' || true)
# The publicKeyPEM of a provisioning request is not a secret: quoting it
# would be fine, but none of the others may appear.
leaks=${leaks//Zq7-SECRET-SEVENTEEN /}
[ -z "$leaks" ] || h_fail "secrets in idprovd's log (debug level): $leaks"
h_ok
grep -c . "$H_TMP/idprovd.log" >/dev/null || h_fail "idprovd wrote no log at all: the check above proves nothing"
h_ok
leaks=$(grep -ao 'Zq7-SECRET-[A-Z0-9]*' "$H_TMP/answers" | sort -u | tr '\n' ' ' || true)
leaks=${leaks//Zq7-SECRET-SEVENTEEN /}
[ -z "$leaks" ] || h_fail "secrets quoted back in answers: $leaks"
h_ok
h_pass
