#!/usr/bin/env bash
# server_concurrent: 8 clients at once, 350 requests over every endpoint
# (directory, oobsecret, provreq Waiting/Approved/Rejected, status, admin
# device list); every answer checked, the server alive afterwards and
# exiting 0 on SIGTERM.  Kept small: it also runs under ThreadSanitizer.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

REQUESTS=350 # 50 of each of the 7 kinds
h_ca_init
h_server_start
s_keypair k1

# the expected directory
printf '{"endpoints":{"directory":"/idprov/directory","status":"/idprov/status/{deviceID}","postOobSecret":"/idprov/oobsecret","postProvisionRequest":"/idprov/provreq","crl":"/idprov/crl"},"caCert":"%s","version":"1","services":{}}' \
	"$(base64 -w0 "$H_CA/ca.pem")" >"$H_TMP/directory.json"
# secrets for mix-ok-N (Approved) and mix-rej-N (signed wrongly: Rejected),
# posted in one request of the admin API
/usr/bin/python3 - "$REQUESTS" >"$H_TMP/bulk.json" <<'EOF'
import json, sys
n = int(sys.argv[1]) // 7 + 1
s = [{"deviceID": "mix-%s-%d" % (k, i), "oobSecret": "secret-mix-%s-%d" % (k, i), "validUntil": ""}
     for k in ("ok", "rej") for i in range(n)]
sys.stdout.write(json.dumps({"secrets": s}, separators=(",", ":")))
EOF
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/bulk.json" \
	"$H_URL/idprov/admin/oobsecrets")
s_expect_code 200 "$out" "bulk OOB secrets"
h_expect_eq "{\"accepted\":$((2 * (REQUESTS / 7 + 1)))}" "$(h_body "$out")" "bulk OOB secrets answer"
s_oob mix-status secret-status
s_provreq "$H_TMP/r.json" mix-status secret-status k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-status Approved "provisioning of mix-status"

# the clients run while SIGHUP reloads the settings a few times
/usr/bin/python3 "$S_PROBE" mix --port "$H_PORT" --ca "$H_CA/ca.pem" --admin-cert "$H_CA/admin.pem" \
	--admin-key "$H_CA/admin.key" --pub "$H_TMP/k1.pub" --dir-expected "$H_TMP/directory.json" \
	--status-id mix-status --threads 8 --requests "$REQUESTS" >"$H_TMP/mix.out" 2>&1 &
mix_pid=$!
for _ in 1 2 3 4 5; do
	sleep 0.2
	kill -0 "$mix_pid" 2>/dev/null || break
	kill -HUP "$H_PID"
done
rc=0
wait "$mix_pid" || rc=$?
out=$(cat "$H_TMP/mix.out")
[ $rc -eq 0 ] || h_fail "concurrent clients got wrong answers: $out"
echo "$out"
h_expect_contains "$out" "approved=50" "50 concurrent Approved provisionings answered"
h_ok

s_alive "the concurrent clients"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved&limit=1000")
h_expect_contains "$(h_body "$out")" '"total":51' "the registry holds the 50 devices approved concurrently and mix-status"
out=$(h_curl_admin "$H_URL/idprov/status/mix-ok-17")
h_expect_eq Approved "$(h_body "$out" | s_probe field status)" "status of one concurrently approved device"
# every rejected device kept its secret (one wrong signature each)
s_provreq "$H_TMP/r.json" mix-rej-3 secret-mix-rej-3 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-mix-rej-3 Approved "mix-rej-3 with its right secret after one wrong signature"

# one-time secrets under a race: 8 copies of the same signed request at
# the same moment get exactly one certificate
: >"$H_TMP/race.txt"
for i in $(seq 10); do
	s_oob "race-$i" "secret-race-$i"
	echo "race-$i secret-race-$i $H_TMP/k1.pub" >>"$H_TMP/race.txt"
done
out=$(s_probe race --port "$H_PORT" --ca "$H_CA/ca.pem" --list "$H_TMP/race.txt" --copies 8 2>&1) ||
	h_fail "one-time secrets raced: $out"
h_ok
echo "race: $out"
# renewals racing a revocation: the device must end revoked
out=$(s_probe revoke-race --port "$H_PORT" --ca "$H_CA/ca.pem" --admin-cert "$H_CA/admin.pem" \
	--admin-key "$H_CA/admin.key" --key "$H_TMP/k1.key" --pub "$H_TMP/k1.pub" --tmp "$H_TMP" \
	--trials 30 --copies 6 2>&1) || h_fail "renewals racing a revocation: $out"
h_ok
echo "$out"
# the lockout under a race: 8 wrong signatures at once, then the right
# one must not be approved (the secret is gone after 5)
: >"$H_TMP/lock.txt"
for i in $(seq 5); do
	s_oob "lock-$i" "secret-lock-$i"
	echo "lock-$i secret-lock-$i $H_TMP/k1.pub" >>"$H_TMP/lock.txt"
done
out=$(s_probe race --port "$H_PORT" --ca "$H_CA/ca.pem" --list "$H_TMP/lock.txt" --copies 8 --wrong 2>&1) ||
	h_fail "wrong signatures raced: $out"
h_ok
for i in $(seq 5); do
	s_provreq "$H_TMP/r.json" "lock-$i" "secret-lock-$i" k1 >/dev/null
	st=$(s_field "$H_TMP/r.json" status)
	[ "$st" != Approved ] || h_fail "lock-$i approved after 8 concurrent wrong signatures (lockout after 5)"
	s_expect_resp "$H_TMP/r.json" "" "$st" "lock-$i after 8 concurrent wrong signatures"
done

# (last: while it fails, the checks above still run)
# renewals under a race: 8 renewals with the same certificate at once
# renew it once; the others find it superseded.  (The race window is
# small: 20 devices make a check-then-issue gap show in most runs.)
for i in $(seq 20); do
	s_provreq "$H_TMP/r.json" "ren-race-$i" "" k1 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Approved "admin request for ren-race-$i"
	s_field "$H_TMP/r.json" clientCert >"$H_TMP/ren-race-$i.pem"
	echo "ren-race-$i unused $H_TMP/k1.pub" >"$H_TMP/ren-race.txt"
	out=$(s_probe race --port "$H_PORT" --ca "$H_CA/ca.pem" --cert "$H_TMP/ren-race-$i.pem" --key "$H_TMP/k1.key" \
		--list "$H_TMP/ren-race.txt" --copies 8 --renew 2>&1) || h_fail "renewals raced: $out"
	h_ok
done
s_alive "the races"
h_server_stop
h_pass
