#!/usr/bin/env bash
# server_directory: GET /idprov/directory answers the exact canonical bytes
# of WIRE.md "Directory" (caCert = base64 of the CA PEM file), as JSON, to
# every kind of client: curl, a Go-like client (ALPN h2,http/1.1, no SNI,
# Content-Type on GET), HTTP/1.0, with or without a client certificate.
# Also: the CRL named in the directory, the TLS versions, and a client
# certificate from a foreign CA failing the handshake.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start

ca_b64=$(base64 -w0 "$H_CA/ca.pem")
want='{"endpoints":{"directory":"/idprov/directory","status":"/idprov/status/{deviceID}","postOobSecret":"/idprov/oobsecret","postProvisionRequest":"/idprov/provreq","crl":"/idprov/crl"},"caCert":"'"$ca_b64"'","version":"1","services":{}}'

# 1. plain curl
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -D "$H_TMP/h1" -o "$H_TMP/d1" \
	-w '%{http_code} %{content_type}' "$H_URL/idprov/directory")
h_expect_eq "200" "${out%% *}" "GET directory status"
case "${out#* }" in
application/json | "application/json;"*) h_ok ;;
*) h_fail "GET directory: Content-Type application/json expected, got '${out#* }'" ;;
esac
h_expect_eq "$want" "$(cat "$H_TMP/d1")" "directory bytes (curl)"
# The PEM really is the CA file, byte for byte, once decoded.
got_ca=$(s_field "$H_TMP/d1" caCert | base64 -d | sha256sum)
h_expect_eq "$(sha256sum <"$H_CA/ca.pem")" "$got_ca" "directory caCert decodes to ca.pem"

# 2. like a Go client: ALPN h2,http/1.1 offered, no SNI (IP literal),
# Content-Type: application/json on a GET.  The server must not pick h2
# (it speaks HTTP/1.1) and must answer the same bytes.
out=$(curl -sS --max-time 20 --http2 --cacert "$H_CA/ca.pem" -H 'Content-Type: application/json' \
	-o "$H_TMP/d2" -w '%{http_code} %{http_version}' "$H_URL/idprov/directory")
h_expect_eq "200 1.1" "$out" "Go-like GET (ALPN h2,http/1.1, no SNI): status and HTTP version"
h_expect_eq "$want" "$(cat "$H_TMP/d2")" "directory bytes (Go-like client)"

alpn=$(openssl s_client -connect "127.0.0.1:$H_PORT" -noservername -alpn h2,http/1.1 \
	-CAfile "$H_CA/ca.pem" </dev/null 2>/dev/null | grep -E '^(ALPN protocol|No ALPN)' || true)
h_expect_not_contains "$alpn" "h2" "the server must not select ALPN h2"
printf 'GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\nUser-Agent: Go-http-client/1.1\r\n\r\n' \
	"$H_PORT" >"$H_TMP/go.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --alpn h2,http/1.1 --in "$H_TMP/go.req")
s_expect_code 200 "$out" "Go-like raw request"
h_expect_eq "$want" "$(h_body "$out")" "directory bytes (raw Go-like request, no SNI)"

# 3. HTTP/1.0
printf 'GET /idprov/directory HTTP/1.0\r\n\r\n' >"$H_TMP/h10.req"
out=$(s_probe raw --port "$H_PORT" --ca "$H_CA/ca.pem" --in "$H_TMP/h10.req")
s_expect_code 200 "$out" "HTTP/1.0 GET directory"
h_expect_eq "$want" "$(h_body "$out")" "directory bytes (HTTP/1.0)"

# 4. with an admin and a device certificate: the same directory
out=$(h_curl_admin "$H_URL/idprov/directory")
s_expect_code 200 "$out" "directory with the admin certificate"
h_expect_eq "$want" "$(h_body "$out")" "directory bytes (admin certificate)"
h_device_cert dir-dev1
out=$(h_curl_as dir-dev1 "$H_URL/idprov/directory")
s_expect_code 200 "$out" "directory with a device certificate"
h_expect_eq "$want" "$(h_body "$out")" "directory bytes (device certificate)"

# 5. before it has the CA a device skips verification: that must work too
out=$(curl -sS --max-time 20 -k -w '\nHTTP %{http_code}' "$H_URL/idprov/directory")
s_expect_code 200 "$out" "directory without verifying the server"

# 6. HEAD answers like GET without a body
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -I -D "$H_TMP/head" -o /dev/null -w '%{http_code}' "$H_URL/idprov/directory")
h_expect_eq 200 "$out" "HEAD directory"
clen=$(tr -d '\r' <"$H_TMP/head" | sed -n 's/^[Cc]ontent-[Ll]ength: *//p')
h_expect_eq "${#want}" "$clen" "HEAD directory Content-Length = the GET body's length"

# keep-alive: two requests, one connection
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o /dev/null -o /dev/null -w '%{num_connects} ' \
	"$H_URL/idprov/directory" "$H_URL/idprov/directory")
h_expect_eq "1 0 " "$out" "the second request reuses the connection (keep-alive)"

# 7. the CRL named in the directory: DER, signed by the CA
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" \
	-w '%{http_code} %{content_type}' "$H_URL/idprov/crl")
h_expect_eq "200 application/pkix-crl" "$out" "GET crl status and Content-Type"
out=$(openssl crl -inform DER -in "$H_TMP/crl.der" -CAfile "$H_CA/ca.pem" -noout 2>&1) ||
	h_fail "the CRL does not verify against the CA: $out"
h_expect_contains "$out" "verify OK" "CRL signature"

# 8. TLS 1.2 and 1.3 accepted, 1.1 refused
for v in tls1_2 tls1_3; do
	openssl s_client -connect "127.0.0.1:$H_PORT" -"$v" -CAfile "$H_CA/ca.pem" -verify_return_error \
		</dev/null >"$H_TMP/s_client.log" 2>&1 || h_fail "a $v handshake failed: $(tail -n 3 "$H_TMP/s_client.log")"
	h_ok
done
if openssl s_client -connect "127.0.0.1:$H_PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' \
	</dev/null >"$H_TMP/s_client.log" 2>&1; then
	h_fail "a TLS 1.1 handshake succeeded; WIRE.md says TLS 1.2 minimum"
fi
# the server refused it (not our client: it did offer TLS 1.1)
h_expect_contains "$(cat "$H_TMP/s_client.log")" "alert protocol version" "the server's answer to a TLS 1.1 hello"

# any SNI is fine (the server does not pick a certificate by name)
out=$(curl -sS --max-time 20 -k --resolve "other.example:$H_PORT:127.0.0.1" -o /dev/null -w '%{http_code}' \
	"https://other.example:$H_PORT/idprov/directory")
h_expect_eq 200 "$out" "directory with SNI other.example"

# client-initiated renegotiation (TLS 1.2) is refused: the request sent
# after it gets no answer, and the server keeps serving
(
	sleep 1
	echo R
	sleep 1
	printf 'GET /idprov/directory HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
	sleep 1
) | timeout 20 openssl s_client -connect "127.0.0.1:$H_PORT" -tls1_2 -CAfile "$H_CA/ca.pem" -crlf \
	>"$H_TMP/reneg.out" 2>&1 || true
h_expect_contains "$(cat "$H_TMP/reneg.out")" "RENEGOTIATING" "s_client tried to renegotiate"
h_expect_not_contains "$(cat "$H_TMP/reneg.out")" "HTTP/1.1 200" "an answer after a client-initiated renegotiation"
s_alive "a renegotiation attempt"

# 9. a client certificate from another CA fails the handshake (WIRE.md
# Transport: "an invalid one fails the handshake")
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=admin/CN=mallory" \
	-days 1 -keyout "$H_TMP/foreign.key" -out "$H_TMP/foreign.pem" 2>/dev/null
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/foreign.pem" --key "$H_TMP/foreign.key" \
	-o /dev/null -w '%{http_code}' "$H_URL/idprov/directory" 2>/dev/null || true)
[ "$out" = "000" ] || h_fail "a self-signed 'admin' client certificate was accepted (HTTP $out); expected a failed handshake"
h_ok
# and so do CA-signed ones that are expired, not yet valid, or not for
# client use (docs/server-config.md "TLS"), even with OU admin
mkdir -p "$H_TMP/oca/newcerts"
: >"$H_TMP/oca/index.txt"
echo 1000 >"$H_TMP/oca/serial"
printf '%s\n' "[ ca ]" "default_ca = CA_default" "[ CA_default ]" "dir = $H_TMP/oca" \
	"database = $H_TMP/oca/index.txt" "new_certs_dir = $H_TMP/oca/newcerts" "serial = $H_TMP/oca/serial" \
	"default_md = sha256" "policy = policy_any" "unique_subject = no" "[ policy_any ]" \
	"commonName = supplied" "organizationalUnitName = optional" >"$H_TMP/oca/cnf"
# odd_cert NAME START END EKU: an admin certificate signed by the test CA
odd_cert() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/OU=admin/CN=$1" \
		-keyout "$H_TMP/$1.key" -out "$H_TMP/$1.csr" 2>/dev/null
	printf 'extendedKeyUsage=%s\nkeyUsage=digitalSignature\n' "$4" >"$H_TMP/$1.ext"
	openssl ca -batch -config "$H_TMP/oca/cnf" -cert "$H_CA/ca.pem" -keyfile "$H_CA/ca.key" \
		-in "$H_TMP/$1.csr" -out "$H_TMP/$1.pem" -startdate "$2" -enddate "$3" \
		-extfile "$H_TMP/$1.ext" >/dev/null 2>&1 || h_fail "openssl ca could not make $1"
}
now_minus=$(date -u -d yesterday +%Y%m%d%H%M%SZ)
now_plus=$(date -u -d tomorrow +%Y%m%d%H%M%SZ)
odd_cert expired-admin 20200101000000Z 20200102000000Z clientAuth
odd_cert future-admin 20990101000000Z 20990102000000Z clientAuth
odd_cert server-only-admin "$now_minus" "$now_plus" serverAuth
odd_cert good-admin "$now_minus" "$now_plus" clientAuth
for c in expired-admin future-admin server-only-admin; do
	out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/$c.pem" --key "$H_TMP/$c.key" \
		-o /dev/null -w '%{http_code}' "$H_URL/idprov/admin/devices" 2>/dev/null || true)
	[ "$out" = "000" ] || h_fail "the client certificate $c was accepted (HTTP $out); expected a failed handshake"
	h_ok
done
# the same way of making certificates works when nothing is wrong
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/good-admin.pem" --key "$H_TMP/good-admin.key" \
	-o /dev/null -w '%{http_code}' "$H_URL/idprov/admin/devices" 2>/dev/null || true)
h_expect_eq 200 "$out" "an admin certificate made by openssl ca, valid now, for client use"
s_alive "the foreign certificate"

h_server_stop

# 10. services from --service, keys sorted whatever the flag order
h_server_start --service 'mqtt=mqtts://hub:8883' --service 'amqp=amqps://hub:5671'
want_s='{"endpoints":{"directory":"/idprov/directory","status":"/idprov/status/{deviceID}","postOobSecret":"/idprov/oobsecret","postProvisionRequest":"/idprov/provreq","crl":"/idprov/crl"},"caCert":"'"$ca_b64"'","version":"1","services":{"amqp":"amqps://hub:5671","mqtt":"mqtts://hub:8883"}}'
out=$(h_curl "$H_URL/idprov/directory")
s_expect_code 200 "$out" "directory with two services"
h_expect_eq "$want_s" "$(h_body "$out")" "directory bytes with --service mqtt then amqp (sorted)"
h_server_stop
h_pass
