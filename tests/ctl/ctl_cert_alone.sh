#!/usr/bin/env bash
# idprovctl sends the admin certificate without the CA (conn.c
# on_ssl_ctx): openssl s_server, serving a status answer as a file, logs
# the size of the Certificate message idprovctl sends (TLS 1.3: the DER
# plus 9 bytes of framing; with the CA it would be ~400 bytes more).
source "$IDPROV_SRC/tests/lib/harness.sh"
h_ca_init

mkdir -p "$H_TMP/www/idprov/status"
printf '{"deviceID":"dev1","status":"Waiting","caCert":"","clientCert":null}' >"$H_TMP/www/idprov/status/dev1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$H_TMP/www" && exec timeout 30 openssl s_server -accept "127.0.0.1:$port" -cert "$H_CA/server.pem" \
	-key "$H_CA/server.key" -verify 1 -CAfile "$H_CA/ca.pem" -msg -naccept 1 -WWW) >"$H_TMP/s_server.log" 2>&1 &
spid=$!
for _ in $(seq 50); do grep -q ACCEPT "$H_TMP/s_server.log" && break; sleep 0.1; done
"$IDPROVCTL" status dev1 --server "https://127.0.0.1:$port" --ca "$H_CA/ca.pem" \
	--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >"$H_TMP/out" 2>&1 || true
kill "$spid" 2>/dev/null || true
wait "$spid" 2>/dev/null || true
len=$(sed -n 's/^<<< TLS 1.3, Handshake \[length \([0-9a-f]*\)\], Certificate$/\1/p' "$H_TMP/s_server.log" | tail -n 1)
[ -n "$len" ] || h_fail "s_server logged no client Certificate message: $(cat "$H_TMP/s_server.log" "$H_TMP/out")"
der=$(openssl x509 -in "$H_CA/admin.pem" -outform DER | wc -c)
[ $((16#$len)) -ge "$der" ] && [ $((16#$len)) -lt $((der + 64)) ] ||
	h_fail "idprovctl's Certificate message is $((16#$len)) bytes for a $der-byte certificate: the CA went with it"
h_ok
echo "checked: idprovctl sends the admin certificate without the CA"
h_pass
