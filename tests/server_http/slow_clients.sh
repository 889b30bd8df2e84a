#!/usr/bin/env bash
# Slow and silent clients cannot hold the server: a client trickling its
# request one byte at a time, a TLS client that never finishes its
# handshake, and a TCP client that never sends a ClientHello are all
# disconnected after the read timeout, while other clients are served.
source "$IDPROV_SRC/tests/lib/harness.sh"
h_ca_init
h_server_start --read-timeout 2s --idle-timeout 3s --workers 1

python3 - "$H_PORT" "$H_CA/ca.pem" >"$H_TMP/slow.out" 2>&1 <<'PY' &
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False

def report(name, start, how):
    print("%s: %s after %.0f s" % (name, how, time.time() - start), flush=True)

# 1. Slowloris: one header byte every 0.25 s, for at most 30 s.
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30))
start = time.time()
req = b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
try:
    for b in req:
        s.send(bytes([b]))
        time.sleep(0.25)
        if time.time() - start > 30:
            break
    report("trickle", start, "still open")
except (ssl.SSLError, OSError):
    report("trickle", start, "dropped")

# 2. TCP only: never a ClientHello.
s = socket.create_connection(("127.0.0.1", port), timeout=30)
start = time.time()
try:
    d = s.recv(10)
    report("no-hello", start, "dropped" if d == b"" else "got data")
except socket.timeout:
    report("no-hello", start, "still open")
except OSError:
    report("no-hello", start, "dropped")

# 3. Half a ClientHello: the handshake itself must be bounded.
raw = socket.create_connection(("127.0.0.1", port), timeout=30)
start = time.time()
raw.send(bytes.fromhex("160301"))   # a record header, then nothing
try:
    d = raw.recv(10)
    report("half-hello", start, "dropped" if d == b"" else "answered")
except socket.timeout:
    report("half-hello", start, "still open")
except OSError:
    report("half-hello", start, "dropped")
PY
slow=$!

# Meanwhile, other clients are served (one worker only, so the slow
# clients share its event loop with these).
for i in $(seq 10); do
	out=$(h_curl "$H_URL/idprov/directory")
	h_expect_eq 200 "$(h_code "$out")" "request $i while slow clients are connected"
	sleep 0.2
done
wait $slow || h_fail "the slow clients script failed: $(cat "$H_TMP/slow.out")"
out=$(cat "$H_TMP/slow.out")
h_expect_contains "$out" "trickle: dropped" "a client trickling one byte at a time is dropped"
h_expect_contains "$out" "no-hello: dropped" "a TCP client that never sends a ClientHello is dropped"
h_expect_contains "$out" "half-hello: dropped" "a handshake that never completes is dropped"
h_expect_not_contains "$out" "still open" "no slow client outlives the read timeout"
echo "checked: $out" | tr '\n' ' '; echo

# Keep-alive: a second request soon after the first is served on the same
# connection; a connection then left idle is closed after the idle timeout.
out=$(python3 - "$H_PORT" "$H_CA/ca.pem" <<'PY'
import socket, ssl, sys, time
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30))
def get():
    s.sendall(b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(4096)
    return head.split(b"\r\n")[0].decode()
print("first:", get())
time.sleep(1)
print("second:", get())
start = time.time()
try:
    print("idle: closed" if s.recv(10) == b"" else "idle: got data")
except socket.timeout:
    print("idle: still open after 30 s")
except OSError:
    print("idle: closed")
PY
)
h_expect_contains "$out" "second: HTTP/1.1 200" "a second request on a kept-alive connection"
h_expect_contains "$out" "idle: closed" "an idle keep-alive connection is closed by the idle timeout"
echo "checked: keep-alive and the idle timeout"
kill -0 "$H_PID" || h_fail "idprovd died"
h_server_stop
h_pass
