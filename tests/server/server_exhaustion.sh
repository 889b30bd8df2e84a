#!/usr/bin/env bash
# server_exhaustion: idprovd out of file descriptors (EMFILE).  Debian's
# default soft limit is 1024 descriptors and the default connection cap
# is 1024, so a client holding ~1000 idle connections gets it there.  The
# server must survive, must not flood its log (one line per failed
# accept() is millions of lines a second), and must serve again once the
# connections are gone.  The limit is lowered with prlimit so that 100
# connections are enough.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

command -v prlimit >/dev/null || h_skip "prlimit (util-linux) is not installed"
h_ca_init
h_server_start --read-timeout 30s
prlimit --pid "$H_PID" --nofile=48:48 || h_fail "prlimit could not lower idprovd's descriptor limit"
lines_before=$(wc -l <"$H_TMP/idprovd.log")

# python3 itself in the background, so that $! is the process to kill
/usr/bin/python3 "$S_PROBE" hold --port "$H_PORT" --ca "$H_CA/ca.pem" --count 100 --max 60 >"$H_TMP/hold.out" 2>&1 &
hold_pid=$!
for _ in $(seq 100); do grep -q holding "$H_TMP/hold.out" && break; sleep 0.05; done
cat "$H_TMP/hold.out"
sleep 1
kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd died out of file descriptors"
h_ok
kill "$hold_pid"
wait "$hold_pid" 2>/dev/null || true

out=""
for _ in $(seq 50); do
	out=$(curl -sS --max-time 5 --cacert "$H_CA/ca.pem" -o /dev/null -w '%{http_code}' "$H_URL/idprov/directory" 2>/dev/null || true)
	[ "$out" = 200 ] && break
	sleep 0.1
done
h_expect_eq 200 "$out" "directory once the held connections are closed"
lines=$(($(wc -l <"$H_TMP/idprovd.log") - lines_before))
echo "idprovd wrote $lines log lines during the exhaustion"
# Keep the evidence small: the log may be hundreds of MB.
if [ "$lines" -ge 1000 ]; then
	sort "$H_TMP/idprovd.log" | uniq -c | sort -rn | head -n 3 >"$H_TMP/summary"
	: >"$H_TMP/idprovd.log"
	h_fail "idprovd wrote $lines log lines in about a second out of descriptors (expected a few; busy accept loop?): $(cat "$H_TMP/summary")"
fi
h_ok
h_server_stop
h_pass
