#!/usr/bin/env bash
# Out of file descriptors: idprovd runs under `ulimit -n 40` and a client
# opens far more connections than that.  accept() fails with EMFILE; the
# listener must pause (not spin on accept() writing a log line per try),
# warn a few times at most, keep serving a connection it already has, and
# accept again once descriptors are free.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init

# A wrapper that lowers the limit, then becomes idprovd (same PID).
real=$IDPROVD
IDPROVD="$H_TMP/idprovd-ulimit"
printf '#!/usr/bin/env bash\nulimit -n 40 || exit 99\nexec "%s" "$@"\n' "$real" >"$IDPROVD"
chmod +x "$IDPROVD"
h_server_start --workers 2 --read-timeout 30s
limit=$(sed -n 's/^Max open files *\([0-9]*\).*/\1/p' "/proc/$H_PID/limits")
h_expect_eq 40 "$limit" "idprovd's descriptor limit"
lines_before=$(wc -l <"$H_TMP/idprovd.log")

out=$(python3 - "$H_PORT" "$H_CA/ca.pem" <<'PY'
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False

def get(s):
    s.sendall(b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            return "closed"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    n = int([l.split(b":")[1] for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")][0])
    while len(body) < n:
        body += s.recv(4096)
    return head.split(b"\r\n")[0].decode()

keep = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
print("before:", get(keep))
# 80 plain TCP connections: the kernel queues them; idprovd runs out of
# descriptors after about 25 accepts.
held = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(80)]
time.sleep(1.5)
print("during:", get(keep))
sys.stdout.flush()
time.sleep(0.5)
for s in held:
    s.close()
keep.close()
PY
)
echo "$out"
h_expect_contains "$out" "before: HTTP/1.1 200" "a request on the kept connection before the flood"
h_expect_contains "$out" "during: HTTP/1.1 200" "a connection opened before the exhaustion is still served during it"
kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd died out of file descriptors"
sh_wait_log "cannot accept connections: Too many open files"
echo "checked: out of descriptors, the open connection is served and one warning is logged"

ok=0
for _ in $(seq 100); do
	out=$(h_curl "$H_URL/idprov/directory" 2>/dev/null || true)
	[ "$(h_code "$out")" = 200 ] && { ok=1; break; }
	sleep 0.1
done
h_expect_eq 1 "$ok" "new connections accepted once the held ones are closed"

# One "handshake failed" line per held plain-TCP connection is expected.
lines=$(tail -n +"$((lines_before + 1))" "$H_TMP/idprovd.log" | grep -vc 'outcome="handshake failed' || true)
warns=$(grep -c "cannot accept connections" "$H_TMP/idprovd.log" || true)
spins=$(grep -c "Error from accept" "$H_TMP/idprovd.log" || true)
echo "idprovd wrote $lines log lines, $warns accept warnings, $spins libevent accept errors"
h_expect_eq 1 "$warns" "accept warnings in the episode (one, rate-limited)"
h_expect_eq 0 "$spins" "libevent's own 'Error from accept() call' lines (a busy accept loop)"
[ "$lines" -lt 50 ] || h_fail "idprovd wrote $lines log lines during the exhaustion (expected a few): $(sort "$H_TMP/idprovd.log" | uniq -c | sort -rn | head -n 3)"
h_ok
echo "checked: no busy accept loop, service resumes"
h_server_stop
h_pass
