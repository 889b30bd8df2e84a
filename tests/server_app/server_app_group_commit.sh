#!/bin/bash
# Issued certificates are committed by the registry writer thread, in
# batches, and answered only once committed (server/issue_writer.h).
# A second process holds SQLite's write lock to stall that thread for
# real, and meanwhile:
#  - the worker (only one here) goes on answering other requests;
#  - SIGTERM waits for the answer that is still to come, then exits 0;
#  - a device that gave up waiting still has its certificate recorded;
#  - a commit that cannot happen (the lock held past SQLite's 5 s busy
#    timeout) is a JSON 500, and the OOB secret stays usable;
#  - two renewals with one certificate, both queued behind the lock and
#    committed in one batch: one is Approved, the other is refused inside
#    the transaction and goes on to the OOB secret (Rejected without one,
#    Approved with one).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

db="$H_TMP/idprov.db"
LOCK_PID=""
# The lock holder goes with the test, whatever way it ends.
trap 'rc=$?; [ -z "$LOCK_PID" ] || kill "$LOCK_PID" 2>/dev/null; h_cleanup $rc' EXIT

# hold_lock: take the registry's write lock in another process until
# release_lock; returns once it is held.
hold_lock() {
	rm -f "$H_TMP/locked" "$H_TMP/release"
	python3 - "$db" "$H_TMP/release" "$H_TMP/locked" <<'PY' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN IMMEDIATE")
open(sys.argv[3], "w").close()
end = time.monotonic() + 30	# never outlive a broken test for long
while not os.path.exists(sys.argv[2]) and time.monotonic() < end:
    time.sleep(0.02)
c.execute("ROLLBACK")
PY
	LOCK_PID=$!
	for _ in $(seq 200); do [ -e "$H_TMP/locked" ] && return 0; sleep 0.05; done
	h_fail "the test could not take the registry's write lock"
}
release_lock() { touch "$H_TMP/release"; wait "$LOCK_PID"; LOCK_PID=""; }

# provision ID SECRET OUTFILE [curl args]: in the background; PROV_PID.
provision() {
	local id=$1 secret=$2 out=$3; shift 3
	h_curl "$@" -d "$(sa_body "$id" "$secret")" "$H_URL/idprov/provreq" >"$out" 2>&1 &
	PROV_PID=$!
}

post_secret() {
	local out
	out=$(h_curl_admin -d "{\"deviceID\":\"$1\",\"oobSecret\":\"$2\"}" "$H_URL/idprov/oobsecret")
	h_expect_eq 200 "$(h_code "$out")" "POST oobsecret for $1"
}

h_ca_init
h_server_start --workers 1

# 1. The worker is not held while a certificate waits for its commit.
sa_key g1
post_secret g1 s1
hold_lock
provision g1 s1 "$H_TMP/g1.out"
sleep 0.5	# let the request reach the server (a weaker test if not)
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "directory while a commit is stalled"
kill -0 "$PROV_PID" 2>/dev/null ||
	h_fail "the provisioning was answered while its commit could not happen: $(cat "$H_TMP/g1.out")"
h_ok
release_lock
wait "$PROV_PID" || h_fail "curl failed: $(cat "$H_TMP/g1.out")"
out=$(cat "$H_TMP/g1.out")
h_expect_eq 200 "$(h_code "$out")" "provisioning once the lock is released"
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "Approved after the stall"
sa_check_sig "$(h_body "$out")" s1 "Approved after the stall"
h_expect_eq "approved" "$(sqlite3 "$db" "select status from devices where device_id='g1'")" "g1 recorded"
echo "checked: the worker answers other requests while a commit is stalled; the answer follows the commit"

# 2. A device that gives up before the commit: the record is kept.
sa_key g2
post_secret g2 s2
hold_lock
provision g2 s2 "$H_TMP/g2.out" --max-time 1
rc=0; wait "$PROV_PID" || rc=$?
h_expect_eq 28 "$rc" "curl gave up (timeout) while the commit was stalled"
release_lock
for _ in $(seq 100); do
	[ "$(sqlite3 "$db" "select status from devices where device_id='g2'")" = approved ] && break
	sleep 0.05
done
h_expect_eq "approved" "$(sqlite3 "$db" "select status from devices where device_id='g2'")" "g2 recorded without its answer"
h_expect_eq 1 "$(sqlite3 "$db" "select count(*) from certificates where device_id='g2'")" "g2's certificate row"
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the server still serves"
echo "checked: a lost answer never loses the record"

# 3. A commit that cannot happen: 500 in JSON, the secret is kept.
sa_key g3
post_secret g3 s3
hold_lock
provision g3 s3 "$H_TMP/g3.out"
wait "$PROV_PID" || h_fail "curl failed: $(cat "$H_TMP/g3.out")"
release_lock
out=$(cat "$H_TMP/g3.out")
h_expect_eq 500 "$(h_code "$out")" "provisioning whose commit failed"
h_expect_contains "$(h_body "$out")" '"error":"' "a JSON error"
h_expect_eq 0 "$(sqlite3 "$db" "select count(*) from devices where device_id='g3' and status='approved'")" "g3 not approved"
out=$(h_curl -d "$(sa_body g3 s3)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "the same secret works once the registry does"
echo "checked: a failed commit is a 500 and keeps the secret"

# 4. SIGTERM while an answer is pending: it is sent, then exit 0.
sa_key g4
post_secret g4 s4
hold_lock
provision g4 s4 "$H_TMP/g4.out"
sleep 0.5
kill -TERM "$H_PID"
sleep 0.5
kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd exited with an answer still to send"
h_ok
release_lock
wait "$PROV_PID" || h_fail "curl failed: $(cat "$H_TMP/g4.out")"
out=$(cat "$H_TMP/g4.out")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "the pending answer after SIGTERM"
rc=0; wait "$H_PID" || rc=$?
H_PID=""
h_expect_eq 0 "$rc" "idprovd's exit status after SIGTERM"
h_expect_eq "approved" "$(sqlite3 "$db" "select status from devices where device_id='g4'")" "g4 recorded"
echo "checked: SIGTERM waits for the answer in progress"

# 5. Two renewals with one certificate in one batch (provreq.c
# renewal_refused).  Both pass the check before the transaction, since
# the certificate is current until one of them commits.
h_server_start --workers 1
# renew_pair ID SIGNING-SECRET: both renewals, with the lock held until
# both wait for the writer; their answers in $H_TMP/ID.r1 and ID.r2.
renew_pair() {
	local id=$1 secret=$2 p1 p2
	hold_lock
	h_curl_as "$id" -d "$(sa_body "$id" "$secret")" "$H_URL/idprov/provreq" >"$H_TMP/$id.r1" 2>&1 &
	p1=$!
	h_curl_as "$id" -d "$(sa_body "$id" "$secret")" "$H_URL/idprov/provreq" >"$H_TMP/$id.r2" 2>&1 &
	p2=$!
	sleep 1	# both reach the writer (a weaker test if not)
	# The worker is free (renewals wait for the writer, not in it), and
	# neither renewal is answered before its commit.
	out=$(h_curl --max-time 3 "$H_URL/idprov/directory")
	h_expect_eq 200 "$(h_code "$out")" "directory while two renewals wait for their commit"
	kill -0 "$p1" 2>/dev/null && kill -0 "$p2" 2>/dev/null ||
		h_fail "a renewal was answered while its commit could not happen"
	release_lock
	wait "$p1" || h_fail "curl failed: $(cat "$H_TMP/$id.r1")"
	wait "$p2" || h_fail "curl failed: $(cat "$H_TMP/$id.r2")"
}
# count_status ID STATUS: how many of the pair's answers have STATUS.
count_status() { cat "$H_TMP/$1.r1" "$H_TMP/$1.r2" | grep -c "\"status\":\"$2\"" || true; }

sa_key g5
cp "$H_TMP/g5.dkey" "$H_TMP/g5.key"
post_secret g5 s5
out=$(h_curl -d "$(sa_body g5 s5)" "$H_URL/idprov/provreq")
sa_cert_from "$(h_body "$out")" "$H_TMP/g5.pem"
renew_pair g5 ''
h_expect_eq 1 "$(count_status g5 Approved)" "renewals with one certificate approved"
h_expect_eq 1 "$(count_status g5 Rejected)" "renewals with one certificate refused (no OOB secret)"
h_expect_eq 2 "$(sqlite3 "$db" "select issue_count from devices where device_id='g5'")" "g5's issue count"
h_expect_contains "$(sqlite3 "$db" "select reason from audit where device_id='g5' and outcome='rejected'")" \
	"superseded" "the audit trail says the second renewal was superseded"
for f in "$H_TMP/g5.r1" "$H_TMP/g5.r2"; do
	if grep -q '"status":"Approved"' "$f"; then
		sa_check_sig "$(h_body "$(cat "$f")")" '' "the approved renewal"
		sa_cert_from "$(h_body "$(cat "$f")")" "$H_TMP/g5.new.pem"
	fi
done
h_expect_eq "$(openssl x509 -in "$H_TMP/g5.new.pem" -noout -serial | cut -d= -f2)" \
	"$(sqlite3 "$db" "select serial from devices where device_id='g5'")" "the answered certificate is the device's current one"
echo "checked: of two renewals with one certificate in one batch, one is approved, the other refused"

# The same with an OOB secret posted: the refused one is approved on it.
sa_key g6
cp "$H_TMP/g6.dkey" "$H_TMP/g6.key"
post_secret g6 s6a
out=$(h_curl -d "$(sa_body g6 s6a)" "$H_URL/idprov/provreq")
sa_cert_from "$(h_body "$out")" "$H_TMP/g6.pem"
post_secret g6 s6b
renew_pair g6 s6b
h_expect_eq 2 "$(count_status g6 Approved)" "renewal pair with an OOB secret: both approved"
# signed_with BODY SECRET: is BODY's signature the HMAC under SECRET?
signed_with() {
	local body=$1 sig unsigned
	sig=${body##*\"signature\":\"}
	sig=${sig%\"\}}
	unsigned="${body%\"signature\":*}\"signature\":\"\"}"
	[ "$sig" = "$(printf '%s' "$unsigned" | openssl dgst -sha256 -hmac "$2" -binary | base64 -w0)" ]
}
sigs=0 empty=0
for f in "$H_TMP/g6.r1" "$H_TMP/g6.r2"; do
	body=$(h_body "$(cat "$f")")
	if signed_with "$body" s6b; then sigs=$((sigs + 1)); fi
	if signed_with "$body" ''; then empty=$((empty + 1)); fi
done
h_expect_eq 1 "$empty" "answers signed with the empty key (the renewal)"
h_expect_eq 1 "$sigs" "answers signed with the OOB secret (the refused renewal, approved on it)"
h_expect_eq 3 "$(sqlite3 "$db" "select issue_count from devices where device_id='g6'")" "g6's issue count"
out=$(h_curl -d "$(sa_body g6 s6b)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Waiting"' "the secret was used up"
echo "checked: a renewal refused inside its batch goes on to the OOB secret"
h_pass
