#!/usr/bin/env bash
# SIGHUP reloads the server certificate without dropping connections (and a
# bad reload keeps the old one); SIGTERM lets a request in flight finish,
# closes idle connections and exits 0.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start

serial_seen() {
	sh_s_client -tls1_3 | openssl x509 -noout -serial 2>/dev/null | sed 's/serial=//'
}
old_serial=$(openssl x509 -in "$H_CA/server.pem" -noout -serial | sed 's/serial=//')
h_expect_eq "$old_serial" "$(serial_seen)" "the server presents server.pem"

# A new server certificate and key from the same CA, written in place.
openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/new.key" 2>/dev/null
openssl req -new -key "$H_TMP/new.key" -subj "/CN=reloaded" -out "$H_TMP/new.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$H_TMP/new.ext"
openssl x509 -req -in "$H_TMP/new.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" -CAcreateserial \
	-days 2 -extfile "$H_TMP/new.ext" -out "$H_TMP/new.pem" 2>/dev/null
new_serial=$(openssl x509 -in "$H_TMP/new.pem" -noout -serial | sed 's/serial=//')

# A keep-alive connection opened before the reload, used after it.
mkfifo "$H_TMP/ka.in"
python3 - "$H_PORT" "$H_CA/ca.pem" "$H_TMP/ka.in" >"$H_TMP/ka.out" 2>&1 <<'PY' &
import socket, ssl, sys
port, ca, fifo = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
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
print("before:", get(), flush=True)
open(fifo).read()          # wait until the test has reloaded
print("after:", get(), flush=True)
PY
ka=$!
for _ in $(seq 100); do grep -q "before:" "$H_TMP/ka.out" && break; sleep 0.1; done
h_expect_contains "$(cat "$H_TMP/ka.out")" "before: HTTP/1.1 200" "keep-alive request before the reload"

cp "$H_TMP/new.key" "$H_CA/server.key"
cp "$H_TMP/new.pem" "$H_CA/server.pem"
kill -HUP "$H_PID"
sh_wait_log "reloaded the configuration"
h_expect_eq "$new_serial" "$(serial_seen)" "a new connection sees the new certificate"
echo done >"$H_TMP/ka.in"
wait $ka || h_fail "the keep-alive client failed: $(cat "$H_TMP/ka.out")"
h_expect_contains "$(cat "$H_TMP/ka.out")" "after: HTTP/1.1 200" "the open keep-alive connection still works"
echo "checked: SIGHUP reloads the certificate, open connections survive"

# A broken certificate file: the reload fails, one error line, old cert kept.
echo "not a certificate" >"$H_CA/server.pem"
kill -HUP "$H_PID"
sh_wait_log "reload failed"
h_expect_eq 1 "$(grep -c 'reload failed' "$H_TMP/idprovd.log")" "one error line for the failed reload"
h_expect_contains "$(grep 'reload failed' "$H_TMP/idprovd.log")" "server.pem" "the error names the file"
h_expect_eq "$new_serial" "$(serial_seen)" "the previous certificate is kept"
echo "checked: a failed reload keeps the running settings"

# SIGTERM with a request in flight (headers and half a body sent): it is
# answered, the idle connection is closed, and idprovd exits 0.
out=$(python3 - "$H_PORT" "$H_CA/ca.pem" "$H_PID" <<'PY'
import os, signal, socket, ssl, sys, time
port, ca, pid = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
def response(s):
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    n = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
    while len(body) < n:
        body += s.recv(4096)
    return head.split(b"\r\n")[0].decode()
idle = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
idle.sendall(b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\n\r\n")
response(idle)
busy = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
body = b'{"deviceID":"d1","ip":"","mac":"","publicKeyPEM":"","signature":""}'
busy.sendall(b"POST /idprov/provreq HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             b"Content-Length: %d\r\n\r\n" % len(body) + body[:10])
time.sleep(0.3)
os.kill(pid, signal.SIGTERM)
time.sleep(0.5)
busy.sendall(body[10:])
print("in-flight:", response(busy))
try:
    print("idle: closed" if idle.recv(100) == b"" else "idle: got data")
except (ssl.SSLError, OSError):
    print("idle: closed")
PY
)
h_expect_contains "$out" "in-flight: HTTP/1.1" "the request in flight gets its answer"
h_expect_contains "$out" "idle: closed" "the idle connection is closed"
rc=0
wait "$H_PID" || rc=$?
H_PID=""
h_expect_eq 0 "$rc" "idprovd's exit code after SIGTERM"
h_expect_contains "$(cat "$H_TMP/idprovd.log")" "stopped" "idprovd logs its stop"
echo "checked: SIGTERM finishes the request in flight and exits 0"
h_pass
