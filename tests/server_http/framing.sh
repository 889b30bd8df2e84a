#!/usr/bin/env bash
# Request framing (request smuggling, RFC 9112 6.1 and 6.3): a request
# whose body length is ambiguous gets 400 with a JSON error and the
# connection is closed, so that nothing after it is read as a request.
# Sound requests (one Content-Length, or chunked) still work.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start

# raw HEADERS BODY ("|" stands for CRLF in both): sends one request with the given header lines, then a
# pipelined GET of the directory (Connection: close); prints the first answer's status line,
# its body, and whether a second answer came ("second: yes/no").
raw() {
	python3 - "$H_PORT" "$H_CA/ca.pem" "$1" "$2" <<'PY'
import socket, ssl, sys
port, ca, headers, body = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
ctx.check_hostname = False
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20))
req = ("POST /idprov/provreq HTTP/1.1\r\nHost: x\r\n" + headers.replace("|", "\r\n") +
       "\r\n\r\n" + body.replace("|", "\r\n")).encode()
s.sendall(req + b"GET /idprov/directory HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
data = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
except (socket.timeout, ssl.SSLError, OSError):
    pass
text = data.decode(errors="replace")
first = text.split("\r\n", 1)[0]
body = text.split("\r\n\r\n", 1)[1].split("HTTP/1.1", 1)[0] if "\r\n\r\n" in text else ""
print(first)
print(body)
print("second: " + ("yes" if text.count("HTTP/1.1 ") > 1 else "no"))
PY
}

# check_refused WHAT HEADERS BODY: 400 with idprovd's JSON sentence (the
# request gate, server/request_gate.c, answers even what libevent would
# refuse with its own HTML page), and the connection closes.
check_refused() {
	local what=$1 out
	out=$(raw "$2" "$3")
	h_expect_contains "$out" "HTTP/1.1 400" "$what"
	h_expect_contains "$out" '{"error":"the request' "$what: a JSON error"
	h_expect_contains "$out" "second: no" "$what: the connection is closed, the pipelined request not read"
	echo "checked: $what -> 400, closed"
}

body='{"deviceID":"d1"}'
n=${#body}
chunked=$(printf '%x|%s|0||' "$n" "$body")
check_refused "two different Content-Length headers" "Content-Length: $n|Content-Length: $((n + 40))" "$body"
check_refused "two equal Content-Length headers" "Content-Length: $n|Content-Length: $n" "$body"
check_refused "Transfer-Encoding chunked and Content-Length" \
	"Transfer-Encoding: chunked|Content-Length: $n" "$chunked"
check_refused "Transfer-Encoding gzip with Content-Length" "Transfer-Encoding: gzip|Content-Length: $n" "$body"
check_refused "Transfer-Encoding identity" "Transfer-Encoding: identity" "$body"
check_refused "two Transfer-Encoding chunked headers" \
	"Transfer-Encoding: chunked|Transfer-Encoding: chunked" "$chunked"
check_refused "Content-Length with a plus sign" "Content-Length: +$n" "$body"
check_refused "a header name with a space before the colon" "Content-Length : $n" "$body"
check_refused "Transfer-Encoding with a space before the colon" "Transfer-Encoding : chunked" "$chunked"
check_refused "Transfer-Encoding with a tab before chunked" "Transfer-Encoding:	chunked" "$chunked"
check_refused "Content-Length with a tab before it" "Content-Length:	$n" "$body"
check_refused "a chunk size that is not hex" "Transfer-Encoding: chunked" "zz||0||"
check_refused "a chunk not followed by CRLF" "Transfer-Encoding: chunked" "$(printf '%x|%sXX|0||' "$n" "$body")"

# Sound framing: the app answers (400 for the incomplete provreq body is
# the app's, naming a field), and the pipelined GET is answered too.
out=$(raw "Content-Length: $n" "$body")
h_expect_not_contains "$out" '"error":"the request' "one Content-Length"
h_expect_contains "$out" "second: yes" "one Content-Length: the next request is served"
out=$(raw "Transfer-Encoding: chunked" "$chunked")
h_expect_not_contains "$out" '"error":"the request' "chunked"
h_expect_contains "$out" "second: yes" "chunked: the next request is served"
out=$(raw "Transfer-Encoding: chunked" "$(printf '%x;ext="a b";x|%s|0;y=1|X-Trailer: t||' "$n" "$body")")
h_expect_not_contains "$out" '"error":"the request' "chunked with extensions and a trailer"
h_expect_contains "$out" "second: yes" "chunked with extensions and a trailer: the next request is served"
echo "checked: one Content-Length or chunked alone (extensions and trailers too) reach the application"
h_server_stop
h_pass
