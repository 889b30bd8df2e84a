#!/usr/bin/env bash
# Every method libevent can parse reaches idprovd's own answer: a JSON
# error, never libevent's HTML page.  TRACE and CONNECT were once left
# to libevent, which answered 501 in HTML.  A response, headers and body,
# arrives whole (it is sent as one TLS record since one chain is written).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start

# method_answer METHOD TARGET: status line, Content-Type and body of one
# raw request (CONNECT needs an authority-form target, which curl does
# not send to an origin server).
method_answer() {
	python3 - "$H_PORT" "$H_CA/ca.pem" "$1" "$2" <<'PY'
import socket, ssl, sys
port, ca, method, target = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
s.sendall(("%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % (method, target)).encode())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
lines = head.split("\r\n")
ctype = [l.split(":", 1)[1].strip() for l in lines[1:] if l.lower().startswith("content-type:")]
print(lines[0])
print(ctype[0] if ctype else "-")
print(body)
PY
}

check() {
	local method=$1 target=$2 want=$3 out status ctype body
	out=$(method_answer "$method" "$target") || h_fail "$method $target: no answer"
	status=$(sed -n 1p <<<"$out")
	ctype=$(sed -n 2p <<<"$out")
	body=$(sed -n '3,$p' <<<"$out")
	[[ $status == "HTTP/1.1 $want "* ]] ||
		h_fail "$method $target: expected HTTP $want, got \"$status\""
	[ "$ctype" = "application/json" ] ||
		h_fail "$method $target: expected a JSON answer, got Content-Type \"$ctype\" ($body)"
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert isinstance(d.get("error"), str) and d["error"]' \
		"$body" 2>/dev/null || h_fail "$method $target: the body is not {\"error\":\"...\"}: $body"
	echo "ok: $method $target -> $want with a JSON reason"
	h_ok
}

check TRACE /idprov/directory 405
check OPTIONS /idprov/directory 405
check PATCH /idprov/provreq 405
check PUT /idprov/oobsecret 405
check DELETE /idprov/directory 405
# A 405 says what the endpoint allows (RFC 9110 15.5.6).
check_allow() {
	local method=$1 path=$2 want=$3 got
	got=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -X "$method" -D - -o /dev/null "$H_URL$path" |
		tr -d '\r' | sed -n 's/^[Aa]llow: //p')
	h_expect_eq "$want" "$got" "the Allow header of $method $path's 405"
}
check_allow DELETE /idprov/directory "GET, HEAD"
check_allow POST /idprov/directory "GET, HEAD"
check_allow GET /idprov/provreq "POST"
check_allow PUT /idprov/oobsecret "POST"
check_allow POST /idprov/status/dev1 "GET, HEAD"
check_allow GET /idprov/admin/revoke "POST"
check CONNECT 127.0.0.1:443 400
check CONNECT /idprov/directory 400
# Methods libevent does not know (it answered 501 in HTML): the request
# gate answers 405 in JSON, and logs the refusal like any request.
check FOO /idprov/directory 405
check get /idprov/directory 405
check PRI '*' 405
sh_wait_log 'request method=OTHER path="(invalid)" device="-" peer=127.0.0.1 role=none status=405 outcome="bad-method: the request method is not one idprovd serves'
echo "ok: the refusal is logged with its status and reason"
# The server still serves afterwards.
out=$(h_curl "$H_URL/idprov/directory")
[ "$(h_code "$out")" = 200 ] || h_fail "the directory after the odd methods: got HTTP $(h_code "$out")"
echo "ok: the directory is still served"
h_ok
h_server_stop
h_pass
