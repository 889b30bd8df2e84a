#!/usr/bin/env bash
# Request limits: 413 over 64 KiB (and the server keeps serving), 400 for
# paths with NUL or "..", HEAD answered like GET without a body, and the
# connection cap closes extra connections at once.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start --max-connections 3 --read-timeout 60s

head -c 66560 /dev/zero | tr '\0' 'x' >"$H_TMP/65k"
out=$(h_curl -X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/65k" "$H_URL/idprov/provreq")
h_expect_eq 413 "$(h_code "$out")" "a 65 KiB body"
out=$(h_curl -X POST -H 'Expect:' --data-binary @"$H_TMP/65k" "$H_URL/idprov/provreq")
h_expect_eq 413 "$(h_code "$out")" "a 65 KiB body sent without Expect"
h_expect_eq '{"error":"the request body is over 64 KiB"}' "$(h_body "$out")" "the 413 says why, in JSON"
# Far beyond: the same JSON 413, decided from the Content-Length before the
# body is read (never kept), and the rest of the upload read and dropped
# so that curl, still sending, gets the answer (no reset).
head -c 1048576 /dev/zero | tr '\0' 'x' >"$H_TMP/1m"
for expect in 'Expect:' 'Expect: 100-continue'; do
	out=$(h_curl -X POST -H "$expect" --data-binary @"$H_TMP/1m" "$H_URL/idprov/provreq" 2>&1 || true)
	h_expect_eq 413 "$(h_code "$out")" "a 1 MiB body ($expect)"
	h_expect_eq '{"error":"the request body is over 64 KiB"}' "$(h_body "$out")" "a 1 MiB body: the 413 in JSON"
done
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the server still serves after 413"
echo "checked: 413 in JSON over 64 KiB (also for 1 MiB), then still serving"

# A client pipelining requests faster than they are answered (here it
# does not even read the answers).  libevent used to go on reading while
# answers were written, so idprovd held all it was sent.  Now nothing is
# read while an answer is being written (the kernel's socket buffers push
# back on the client), and a connection that still gathers over 96 KiB
# of waiting requests is closed and logged: either way every answer sent
# is complete and the server goes on serving.
out=$(python3 - "$H_PORT" "$H_CA/ca.pem" <<'PY'
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30))
req = b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\n\r\n"
sent = 0
try:
    for _ in range(400):
        s.sendall(req * 100)
        sent += 100
except (OSError, ssl.SSLError):
    pass
answered, tail = 0, b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf = tail + chunk
        answered += buf.count(b"HTTP/1.1 200")
        tail = buf[-11:]
except (OSError, ssl.SSLError):
    pass
print("sent %d answered %d" % (sent, answered))
PY
)
out_pl=$out
read -r _ sent _ answered <<<"$out"
[ "$answered" -gt 0 ] && [ "$answered" -le "$sent" ] ||
	h_fail "pipelining without reading: expected answers (all, or some then a close), got: $out"
h_ok
if [ "$answered" -lt "$sent" ]; then
	sh_wait_log 'outcome="closed: over 96 KiB of requests waiting (pipelined faster than they are answered)"'
fi
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the server still serves after closing a pipelining client"
echo "checked: a client pipelining without reading is answered in full or closed past 96 KiB of waiting requests ($out_pl)"

for p in '/idprov/%2e%2e/ca.key' '/idprov/status/a%00b' '/idprov/../x'; do
	out=$(h_curl --path-as-is "$H_URL$p")
	h_expect_eq 400 "$(h_code "$out")" "path $p"
	h_expect_contains "$(h_body "$out")" '"error"' "a JSON error for $p"
done
echo "checked: NUL and .. in paths get 400"

out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -I "$H_URL/idprov/directory")
h_expect_contains "$out" "HTTP/1.1 200" "HEAD answers like GET"
h_expect_contains "$out" "Content-Type: application/json" "HEAD has the Content-Type"
len=$(printf '%s' "$out" | tr -d '\r' | sed -n 's/^Content-Length: //p')
body=$(h_body "$(h_curl "$H_URL/idprov/directory")")
h_expect_eq "${#body}" "$len" "HEAD's Content-Length is the GET body's length"
echo "checked: HEAD"

# Three idle TLS connections fill the cap; a fourth is closed at once
# (long before the 60 s read timeout), and once they go, service resumes.
out=$(python3 - "$H_PORT" "$H_CA/ca.pem" <<'PY'
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
held = [ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
        for _ in range(3)]
time.sleep(0.3)
try:
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
    s.settimeout(20)
    data = s.recv(100)
    print("fourth: closed" if data == b"" else "fourth: got data")
except (ssl.SSLError, OSError) as e:
    print("fourth: closed (%s)" % type(e).__name__)
for s in held:
    s.close()
PY
)
h_expect_contains "$out" "fourth: closed" "a connection over the cap"
sh_wait_log "connection cap reached: 3 open (max_connections 3)"
ok=0
for _ in $(seq 50); do
	out=$(h_curl "$H_URL/idprov/directory" 2>/dev/null || true)
	[ "$(h_code "$out")" = 200 ] && { ok=1; break; }
	sleep 0.1
done
h_expect_eq 1 "$ok" "service resumes once the held connections close"
echo "checked: the connection cap"
h_server_stop
h_pass
