#!/usr/bin/env bash
# server_hostile: malformed and hostile requests.  Each one gets the right
# 4xx (and, where the application answers, a JSON {"error":...} naming the
# problem), never a certificate, and the server keeps serving: the
# directory is fetched after every case.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
# a short read timeout so the slow and silent clients are dropped soon
h_server_start --read-timeout 3s
s_keypair k1
pub=$(cat "$H_TMP/k1.pub")
CASES=0

# expect_4xx WHAT WANT KEYWORD OUTPUT: WANT may be "400" or "400|404";
# KEYWORD (may be empty) must appear in the JSON error sentence.
expect_4xx() {
	local what=$1 want=$2 kw=$3 out=$4 code msg
	code=$(h_code "$out")
	case "|$want|" in *"|$code|"*) h_ok ;; *) h_fail "$what: expected HTTP $want, got HTTP $code: $(h_body "$out" | head -c 300)" ;; esac
	if [ -n "$kw" ]; then
		s_expect_error_body "$out" "$what"
		msg=$(h_body "$out" | s_probe field error)
		h_expect_contains "$(printf '%s' "$msg" | tr A-Z a-z)" "$(printf '%s' "$kw" | tr A-Z a-z)" \
			"$what: the error sentence should name the problem"
	fi
	CASES=$((CASES + 1))
	s_alive "$what"
	echo "ok: $what -> HTTP $code"
}

# post PATH FILE [curl args]: POST the bytes of FILE.
post() {
	local path=$1 file=$2
	shift 2
	h_curl -X POST -H 'Content-Type: application/json' --data-binary @"$file" "$@" "$H_URL$path"
}
# bad_provreq WHAT WANT KEYWORD BODY: POST BODY (a string) to provreq.
bad_provreq() {
	printf '%s' "$4" >"$H_TMP/bad.json"
	expect_4xx "$1" "$2" "$3" "$(post /idprov/provreq "$H_TMP/bad.json")"
}
# signed_key_case WHAT PEMTEXT: a correctly signed request for a device
# whose secret is posted, with this public key: must be 400, not Approved.
n_key=0
signed_key_case() {
	n_key=$((n_key + 1))
	local dev="h-key-$n_key"
	s_oob "$dev" "secret-$dev"
	s_probe provreq-body --id "$dev" --pem "$2" --secret "secret-$dev" >"$H_TMP/bad.json"
	expect_4xx "$1" 400 key "$(post /idprov/provreq "$H_TMP/bad.json")"
}
# raw_case WHAT WANT FILE [probe args]: raw bytes over TLS.
raw_case() {
	local what=$1 want=$2 file=$3 out
	shift 3
	out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$file" "$@")
	expect_4xx "$what" "$want" "" "$out"
}

# ---- bodies that are not one JSON object
bad_provreq "bad JSON" 400 "" '{"deviceID":'
bad_provreq "a JSON array" 400 "" '[{"deviceID":"h-1"}]'
bad_provreq "not JSON" 400 "" 'deviceID=h-1&ip=1.2.3.4'
bad_provreq "a JSON string" 400 "" '"hello"'
bad_provreq "JSON null" 400 "" 'null'
bad_provreq "an empty body" 400 "" ''
bad_provreq "two JSON objects" 400 "" '{"deviceID":"a"}{"deviceID":"b"}'
bad_provreq "a UTF-8 BOM before the object" 400 "" $'\xef\xbb\xbf{"deviceID":"h-1","ip":"1","mac":"","publicKeyPEM":"x","signature":""}'
deep=$(printf '[%.0s' $(seq 20000))
bad_provreq "20000 nested arrays" 400 "" "$deep"

# ---- wrong types, nulls, duplicates, missing fields
bad_provreq "deviceID a number" 400 deviceID '{"deviceID":42,"ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "ip a number" 400 ip '{"deviceID":"h-1","ip":3221225986,"mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "signature an object" 400 signature '{"deviceID":"h-1","ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":{}}'
bad_provreq "mac a boolean" 400 mac '{"deviceID":"h-1","ip":"192.0.2.2","mac":true,"publicKeyPEM":"x","signature":"x"}'
bad_provreq "deviceID null" 400 deviceID '{"deviceID":null,"ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "duplicate deviceID keys" 400 "" '{"deviceID":"h-1","deviceID":"h-2","ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "no publicKeyPEM" 400 publicKeyPEM '{"deviceID":"h-1","ip":"192.0.2.2","mac":"","signature":"x"}'
bad_provreq "no signature" 400 signature '{"deviceID":"h-1","ip":"192.0.2.2","mac":"","publicKeyPEM":"x"}'
bad_provreq "no deviceID" 400 deviceID '{"ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "an empty deviceID" 400 deviceID "$(s_probe provreq-body --id '' --pub "$H_TMP/k1.pub" --secret x)"
bad_provreq "an empty ip" 400 ip "$(s_probe provreq-body --id h-1 --ip '' --pub "$H_TMP/k1.pub" --secret x)"
bad_provreq "an empty publicKeyPEM" 400 publicKeyPEM "$(s_probe provreq-body --id h-1 --pem '' --secret x)"
printf '{"deviceID":"h-1","oobSecret":"s","validUntil":5}' >"$H_TMP/bad.json"
expect_4xx "oobsecret validUntil a number" 400 validUntil \
	"$(post /idprov/oobsecret "$H_TMP/bad.json" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key")"

# ---- sizes and bytes
id65=$(printf 'd%.0s' $(seq 65))
bad_provreq "a 65-byte deviceID" 400 deviceID "$(s_probe provreq-body --id "$id65" --pub "$H_TMP/k1.pub" --secret x)"
ip10k=$(printf '1%.0s' $(seq 10240))
bad_provreq "a 10 KB ip" 400 ip "$(s_probe provreq-body --id h-1 --ip "$ip10k" --pub "$H_TMP/k1.pub" --secret x)"
head -c 71680 /dev/zero | tr '\0' a >"$H_TMP/pad"
printf '{"deviceID":"h-1","ip":"%s","mac":"","publicKeyPEM":"x","signature":"x"}' "$(cat "$H_TMP/pad")" >"$H_TMP/big.json"
expect_4xx "a 70 KB body" 413 "" "$(post /idprov/provreq "$H_TMP/big.json")"
bad_provreq "deviceID with an embedded \\u0000" 400 "" '{"deviceID":"h\u0000x","ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "deviceID with invalid UTF-8 bytes" 400 "" $'{"deviceID":"h\xff\xfex","ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
bad_provreq "deviceID with a lone surrogate escape" 400 "" '{"deviceID":"h\ud800x","ip":"192.0.2.2","mac":"","publicKeyPEM":"x","signature":"x"}'
for c in $'\x01' $'\n' $'\x1b' $'\x7f' $'\xc2\x85'; do
	bad_provreq "deviceID with control character $(printf '%s' "$c" | od -An -tx1 | tr -d ' ')" 400 deviceID \
		"$(s_probe provreq-body --id "h${c}x" --pub "$H_TMP/k1.pub" --secret x)"
done

bad_provreq "mac with a control character" 400 mac "$(s_probe provreq-body --id h-1 --mac $'aa\x01bb' --pub "$H_TMP/k1.pub" --secret x)"
bad_provreq "a 65-byte mac" 400 mac "$(s_probe provreq-body --id h-1 --mac "$id65" --pub "$H_TMP/k1.pub" --secret x)"

# ---- public keys the server must not certify (correctly signed)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout >"$H_TMP/rsa.pub"
signed_key_case "an RSA public key" "$(cat "$H_TMP/rsa.pub")"$'\n'
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:secp256k1 2>/dev/null | openssl pkey -pubout >"$H_TMP/k256.pub"
signed_key_case "a secp256k1 public key" "$(cat "$H_TMP/k256.pub")"$'\n'
signed_key_case "a garbage PEM" $'-----BEGIN PUBLIC KEY-----\nSGVsbG8gd29ybGQsIHRoaXMgaXMgbm90IGEga2V5\n-----END PUBLIC KEY-----\n'
signed_key_case "a PEM that is not PEM" 'just some text'
signed_key_case "a PRIVATE KEY PEM" "$(cat "$H_TMP/k1.key")"$'\n'
signed_key_case "a CERTIFICATE PEM" "$(cat "$H_CA/ca.pem")"$'\n'
signed_key_case "a public key PEM with trailing junk" "$pub"$'\njunk after the key\n'
signed_key_case "two public keys" "$pub"$'\n'"$(cat "$H_TMP/k256.pub")"$'\n'

# ---- methods, paths, URLs, headers
expect_4xx "GET provreq" 405 "" "$(h_curl "$H_URL/idprov/provreq")"
expect_4xx "PUT directory" 405 "" "$(h_curl -X PUT --data-binary x "$H_URL/idprov/directory")"
expect_4xx "DELETE oobsecret" 405 "" "$(h_curl_admin -X DELETE "$H_URL/idprov/oobsecret")"
expect_4xx "an unknown path" 404 "" "$(h_curl "$H_URL/idprov/nothing")"
expect_4xx "the root path" 404 "" "$(h_curl "$H_URL/")"
expect_4xx "path traversal /idprov/../etc/passwd" "400|404" "" "$(h_curl --path-as-is "$H_URL/idprov/../etc/passwd")"
expect_4xx "path traversal in a status deviceID" "400|403|404" "" \
	"$(h_curl_admin --path-as-is "$H_URL/idprov/status/../../../etc/passwd")"
expect_4xx "a NUL byte in a status path" "400|404" "" "$(h_curl_admin "$H_URL/idprov/status/a%00b")"
expect_4xx "an encoded traversal %2e%2e%2f" "400|404" "" "$(h_curl --path-as-is "$H_URL/idprov/%2e%2e/%2e%2e/etc/passwd")"
long=$(head -c 20000 /dev/zero | tr '\0' a)
expect_4xx "a 20 KB URL" "400|404|413|414|431" "" "$(h_curl "$H_URL/idprov/$long")"
{
	printf 'GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1\r\n'
	for i in $(seq 3000); do printf 'X-Header-%d: %s\r\n' "$i" "$(head -c 40 /dev/zero | tr '\0' h)"; done
	printf '\r\n'
} >"$H_TMP/headers.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/headers.req")
case "$(h_code "$out")" in
400 | 413 | 431 | none | send-failed) h_ok ;;
*) h_fail "3000 headers (150 KB): expected 400/413/431 or a closed connection, got HTTP $(h_code "$out")" ;;
esac
CASES=$((CASES + 1))
s_alive "3000 headers"
printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n{}' >"$H_TMP/r.req"
raw_case "a negative Content-Length" "400|411|413" "$H_TMP/r.req"
printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 104857600\r\n\r\n{}' >"$H_TMP/r.req"
# 413 at once, or (lingering close: the server reads the announced body
# before answering) dropped by the read timeout since it never comes
raw_case "a declared 100 MB body, 2 bytes sent" "413|none" "$H_TMP/r.req"
printf 'GARBAGE\r\n\r\n' >"$H_TMP/r.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/r.req")
case "$(h_code "$out")" in 400 | 405 | 501 | none | send-failed) h_ok ;; *) h_fail "a garbage request line: got HTTP $(h_code "$out")" ;; esac
CASES=$((CASES + 1))
s_alive "a garbage request line"

# ---- connections that misbehave
s_probe provreq-body --id h-trunc --pub "$H_TMP/k1.pub" --secret x >"$H_TMP/body.json"
len=$(wc -c <"$H_TMP/body.json")
{
	printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' $((len + 100))
	cat "$H_TMP/body.json"
} >"$H_TMP/trunc.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/trunc.req" --close-after-send)
CASES=$((CASES + 1))
s_alive "a truncated body, then close"
# the same, staying connected: the read timeout must end it (an answer
# 400/408 or a close), never a provisioning answer
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/trunc.req" --timeout 120)
case "$(h_code "$out")" in
400 | 408 | none) h_ok ;;
*) h_fail "a truncated body kept open: expected 400/408 or a close, got HTTP $(h_code "$out")" ;;
esac
CASES=$((CASES + 1))
s_alive "a truncated body kept open"

# slow client: a byte a second; dropped by the read timeout while other
# clients are served
s_probe slow --port "$H_PORT" --ca "$H_CA/ca.pem" --interval 1 --max 120 >"$H_TMP/slow.out" 2>&1 &
slow_pid=$!
s_probe silent --port "$H_PORT" --ca "$H_CA/ca.pem" --max 120 >"$H_TMP/silent.out" 2>&1 &
silent_pid=$!
s_probe silent --port "$H_PORT" --ca "$H_CA/ca.pem" --no-handshake --max 120 >"$H_TMP/tcp.out" 2>&1 &
tcp_pid=$!
sleep 2
for i in 1 2 3; do s_alive "a slow client and two silent ones are connected ($i)"; sleep 1; done
wait "$slow_pid" || h_fail "a client trickling a byte a second was never dropped: $(cat "$H_TMP/slow.out")"
h_ok
CASES=$((CASES + 1))
echo "ok: slow client: $(cat "$H_TMP/slow.out")"
wait "$silent_pid" || h_fail "a TLS connection that says nothing was never dropped: $(cat "$H_TMP/silent.out")"
h_ok
CASES=$((CASES + 1))
echo "ok: silent TLS connection dropped"
wait "$tcp_pid" || h_fail "a TCP connection that never starts TLS was never dropped: $(cat "$H_TMP/tcp.out")"
h_ok
CASES=$((CASES + 1))
echo "ok: silent TCP connection dropped"
s_alive "the slow and silent clients"

# HTTP/1.0 POST with a body: a normal answer
{
	printf 'POST /idprov/provreq HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n' "$len"
	cat "$H_TMP/body.json"
} >"$H_TMP/r.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/r.req")
s_expect_code 200 "$out" "HTTP/1.0 provreq"
h_body "$out" >"$H_TMP/resp.json"
s_expect_resp "$H_TMP/resp.json" "" Waiting "HTTP/1.0 provreq"
CASES=$((CASES + 1))

# chunked request body: a normal answer; over 64 KiB in chunks: 413
{
	printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n'
	printf '%x\r\n' 20
	head -c 20 "$H_TMP/body.json"
	printf '\r\n%x\r\n' $((len - 20))
	tail -c +21 "$H_TMP/body.json"
	printf '\r\n0\r\n\r\n'
} >"$H_TMP/r.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/r.req")
s_expect_code 200 "$out" "chunked provreq"
h_body "$out" >"$H_TMP/resp.json"
s_expect_resp "$H_TMP/resp.json" "" Waiting "chunked provreq"
CASES=$((CASES + 1))
{
	printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n'
	for i in $(seq 20); do printf '1000\r\n'; head -c 4096 /dev/zero | tr '\0' a; printf '\r\n'; done
	printf '0\r\n\r\n'
} >"$H_TMP/r.req"
raw_case "an 80 KB chunked body" "413" "$H_TMP/r.req"

# pipelined requests: three answers, in order
for i in 1 2 3; do printf 'GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'; done >"$H_TMP/r.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/r.req" --all --expect-count 3 --timeout 20)
h_expect_eq "HTTP 200 200 200" "$(printf '%s' "$out" | tail -n 1)" "three pipelined GETs"
CASES=$((CASES + 1))

# plain HTTP to the TLS port: no HTTP answer that looks served, still alive
printf 'GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n' >"$H_TMP/r.req"
out=$(s_probe raw --plain --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/r.req" --timeout 30)
case "$(h_code "$out")" in
none | garbage | 400) h_ok ;;
*) h_fail "plain HTTP to the TLS port: expected a closed connection (or 400), got HTTP $(h_code "$out")" ;;
esac
CASES=$((CASES + 1))
s_alive "plain HTTP on the TLS port"

# a valid request with an unknown extra key (Go ignores unknown keys):
# answered normally, not refused
s_probe provreq-body --id h-extra --pub "$H_TMP/k1.pub" --secret x | sed 's/^{/{"firmware":"1.2",/' >"$H_TMP/r.json"
out=$(post /idprov/provreq "$H_TMP/r.json")
s_expect_code 200 "$out" "provreq with an unknown extra key"
# a 64-byte deviceID is the longest allowed
id64=$(printf 'd%.0s' $(seq 64))
s_probe provreq-body --id "$id64" --pub "$H_TMP/k1.pub" --secret x >"$H_TMP/r.json"
out=$(post /idprov/provreq "$H_TMP/r.json")
s_expect_code 200 "$out" "provreq with a 64-byte deviceID"

# none of the hostile requests produced a certificate
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved")
s_expect_code 200 "$out" "admin device list"
h_expect_contains "$(h_body "$out")" '"total":0' "no device approved by any hostile request"

# (last: while it fails, every other case still runs)
# Two different Content-Length headers: RFC 9112 6.3 says unrecoverable
# error (the root of request smuggling behind a proxy).  The body is a
# good request for a device whose secret is posted, so an answer that
# picked one of the lengths shows as 200.
s_oob h-cl secret-h-cl
s_probe provreq-body --id h-cl --pub "$H_TMP/k1.pub" --secret secret-h-cl >"$H_TMP/body.json"
len=$(wc -c <"$H_TMP/body.json")
{
	printf 'POST /idprov/provreq HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n'
	printf 'Content-Length: %d\r\nContent-Length: %d\r\n\r\n' "$len" $((len + 40))
	cat "$H_TMP/body.json"
} >"$H_TMP/r.req"
raw_case "two different Content-Length headers" "400|none" "$H_TMP/r.req" --timeout 20

echo "$CASES hostile cases answered"
[ "$CASES" -ge 25 ] || h_fail "only $CASES hostile cases ran"
h_server_stop
h_pass
