#!/usr/bin/env bash
# TLS as WIRE.md "Transport" wants it: 1.2 and 1.3 yes, 1.1 no; X25519
# first; ALPN http/1.1 or nothing, never h2; client certificates requested,
# not required, and a bad one fails the handshake; the role comes from the OU.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start

out=$(sh_s_client -tls1_3)
h_expect_contains "$out" "New, TLSv1.3" "a TLS 1.3 handshake"
h_expect_contains "$out" "Verify return code: 0 (ok)" "the server certificate verifies against the CA"
h_expect_contains "$out" "Server Temp Key: X25519" "X25519 is the preferred group"
out=$(sh_s_client -tls1_2)
h_expect_contains "$out" "New, TLSv1.2" "a TLS 1.2 handshake"
out=$(sh_s_client -tls1_3 -groups P-256)
h_expect_contains "$out" "Server Temp Key: ECDH, prime256v1" "P-256 when the client offers only it"
out=$(sh_s_client -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0')
h_expect_not_contains "$out" "New, TLSv1.1" "TLS 1.1 is refused"
h_expect_contains "$out" "Cipher is (NONE)" "no session with TLS 1.1"
echo "checked: TLS 1.2 and 1.3 accepted, 1.1 refused, X25519 first"

# A client certificate is requested without a list of CA names (tls.c):
# clients send theirs anyway, as the mutual-TLS cases below prove.
for v in -tls1_3 -tls1_2; do
	out=$(sh_s_client "$v")
	h_expect_contains "$out" "No client certificate CA names sent" "a CertificateRequest without CA names ($v)"
done
echo "checked: the CertificateRequest names no CA"

out=$(sh_s_client -alpn h2,http/1.1)
h_expect_contains "$out" "ALPN protocol: http/1.1" "ALPN h2,http/1.1 selects http/1.1"
out=$(sh_s_client -alpn h2)
h_expect_contains "$out" "No ALPN negotiated" "ALPN h2 alone selects nothing"
h_expect_contains "$out" "Verify return code: 0 (ok)" "and the handshake still succeeds"
out=$(curl -sS --http2 -v --max-time 20 --cacert "$H_CA/ca.pem" "$H_URL/idprov/directory" -o /dev/null 2>&1)
h_expect_contains "$out" "< HTTP/1.1 200" "curl --http2 gets an HTTP/1.1 answer"
echo "checked: ALPN never selects h2"

sh_cert dev1 iotdevice
sh_cert adm1 admin
sh_cert plug1 plugin
sh_cert guest1 visitors
sh_cert old1 iotdevice -1
mkdir -p "$H_TMP/other"
IDPROVCTL_OUT=$("$IDPROVCTL" ca init --dir "$H_TMP/other" 2>&1) || h_fail "second CA: $IDPROVCTL_OUT"
sh_cert alien1 admin 2 "$H_TMP/other"

# No certificate, and each valid one: the log line names the role.
h_curl "$H_URL/idprov/directory" >/dev/null
sh_wait_log "device=\"-\" peer=127.0.0.1 role=none status=200"
for c in dev1:device adm1:admin plug1:admin guest1:other; do
	out=$(h_curl --cert "$H_TMP/${c%%:*}.pem" --key "$H_TMP/${c%%:*}.key" "$H_URL/idprov/directory")
	h_expect_eq 200 "$(h_code "$out")" "directory with the ${c%%:*} certificate"
	sh_wait_log "device=\"${c%%:*}\" peer=127.0.0.1 role=${c##*:} status=200"
done
echo "checked: no certificate, device, admin, plugin and other roles"

rc=0; out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/alien1.pem" \
	--key "$H_TMP/alien1.key" "$H_URL/idprov/directory" 2>&1) || rc=$?
[ $rc -ne 0 ] || h_fail "a certificate of another CA should fail the handshake, got: $out"
h_ok
# TLS 1.2, where the server's verdict arrives within the handshake.  Both
# CAs have the same name, so OpenSSL reports a bad signature (decrypt error).
out=$(sh_s_client -tls1_2 -cert "$H_TMP/alien1.pem" -key "$H_TMP/alien1.key")
h_expect_contains "$out" "SSL alert number" "the server sends an alert for another CA's certificate"
rc=0; out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_TMP/old1.pem" \
	--key "$H_TMP/old1.key" "$H_URL/idprov/directory" 2>&1) || rc=$?
[ $rc -ne 0 ] || h_fail "an expired certificate should fail the handshake, got: $out"
h_ok
out=$(sh_s_client -tls1_2 -cert "$H_TMP/old1.pem" -key "$H_TMP/old1.key")
h_expect_contains "$out" "certificate expired" "the server says certificate expired"
sh_wait_log 'tls peer=127.0.0.1 outcome="handshake failed: certificate expired: client certificate: certificate has expired"'
# Another CA: "unknown CA", or a bad signature when both CAs share a name.
n=$(grep -cE 'handshake failed: (unknown CA|decrypt error): client certificate: ' "$H_TMP/idprovd.log" || true)
[ "$n" -ge 1 ] || h_fail "the log should say why another CA's certificate was refused: $(grep 'tls peer=' "$H_TMP/idprovd.log")"
h_ok
n=$(grep -c 'handshake failed: protocol version' "$H_TMP/idprovd.log" || true)
[ "$n" -ge 1 ] || h_fail "the log should say why TLS 1.1 was refused: $(grep 'tls peer=' "$H_TMP/idprovd.log")"
h_ok
echo "checked: another CA's and an expired client certificate fail the handshake, and the log says why"

out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the server still answers after refused handshakes"
h_server_stop
h_pass
