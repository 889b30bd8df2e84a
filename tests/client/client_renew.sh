#!/usr/bin/env bash
# Renewal over mutual TLS, key rotation, kill -9 in the middle of saving
# (deterministic, through the fileio hook), and an expired certificate.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start
D="$H_TMP/dev"
c_post_secret rdev s
c_run out rc "$IDPROV" provision --device rdev --secret s --server "$H_URL" --dir "$D"
h_expect_eq 0 "$rc" "provisioning (output: $out)"
serial1=$(c_serial "$D/cert.pem")
key1=$(sha256sum <"$D/key.pem")

# Plain renewal: new certificate, same key; deviceID and server come from
# the state folder.
c_run out rc "$IDPROV" renew --dir "$D"
h_expect_eq 0 "$rc" "renewal (output: $out)"
h_expect_contains "$out" "renewed rdev" "the renewal line"
serial2=$(c_serial "$D/cert.pem")
[ "$serial1" != "$serial2" ] || h_fail "renewal kept the old certificate ($serial1)"
h_ok
h_expect_eq "$key1" "$(sha256sum <"$D/key.pem")" "renewal without rotation keeps the key"
c_expect_verifies "$D" "after renewal"

# Key rotation: new key and certificate, nothing left over.
c_run out rc "$IDPROV" renew --dir "$D" --rotate-key
h_expect_eq 0 "$rc" "renewal with key rotation (output: $out)"
[ "$key1" != "$(sha256sum <"$D/key.pem")" ] || h_fail "--rotate-key kept the old key"
h_ok
h_expect_eq 600 "$(c_perm "$D/key.pem")" "the rotated key's mode"
[ ! -e "$D/key.next.pem" ] || h_fail "key.next.pem left after a finished rotation"
h_ok
c_expect_verifies "$D" "after rotation"

# The device's certificate goes alone, without the CA (http.c
# on_ssl_ctx): openssl s_server, serving the directory, logs the size of
# the Certificate message the renewal sends (TLS 1.3: the DER plus 9
# bytes of framing; with the CA it would be ~400 bytes more).
mkdir -p "$H_TMP/www/idprov"
h_curl "$H_URL/idprov/directory" | sed '$d' >"$H_TMP/www/idprov/directory"
sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$H_TMP/www" && exec timeout 30 openssl s_server -accept "127.0.0.1:$sport" -cert "$H_CA/server.pem" \
	-key "$H_CA/server.key" -verify 1 -CAfile "$H_CA/ca.pem" -msg -naccept 2 -WWW) >"$H_TMP/s_server.log" 2>&1 &
spid=$!
for _ in $(seq 50); do grep -q ACCEPT "$H_TMP/s_server.log" && break; sleep 0.1; done
rc=0
"$IDPROV" renew --dir "$D" --server "https://127.0.0.1:$sport" >"$H_TMP/chain.out" 2>&1 || rc=$?
kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
[ "$rc" -ne 0 ] || h_fail "a renewal against openssl s_server cannot succeed"
h_ok
len=$(sed -n 's/^<<< TLS 1.3, Handshake \[length \([0-9a-f]*\)\], Certificate$/\1/p' "$H_TMP/s_server.log" | tail -n 1)
[ -n "$len" ] || h_fail "s_server logged no client Certificate message: $(cat "$H_TMP/s_server.log" "$H_TMP/chain.out")"
der=$(openssl x509 -in "$D/cert.pem" -outform DER | wc -c)
[ $((16#$len)) -ge "$der" ] && [ $((16#$len)) -lt $((der + 64)) ] ||
	h_fail "the renewal's Certificate message is $((16#$len)) bytes for a $der-byte certificate: the CA went with it"
h_ok
echo "checked: a renewal sends the device's certificate without the CA"

# kill -9 just before cert.pem is renamed into place: the old pair stays.
# (The server has issued a certificate the device never saved; ours then
# refuses to renew the superseded one, so each round starts from a new
# secret.)
round=0
for rotate in "" --rotate-key; do
	round=$((round + 1))
	c_post_secret rdev "again$round"
	c_run out rc "$IDPROV" provision --device rdev --secret "again$round" --server "$H_URL" --dir "$D"
	h_expect_eq 0 "$rc" "provisioning again before crash round $round (output: $out)"
	cp "$D/cert.pem" "$H_TMP/cert.old"; cp "$D/key.pem" "$H_TMP/key.old"
	rc=0
	IDPROV_TEST_CRASH_BEFORE_RENAME=cert.pem "$IDPROV" renew --dir "$D" $rotate \
		>"$H_TMP/crash.out" 2>&1 || rc=$?
	h_expect_eq 137 "$rc" "renew ${rotate:-(no rotation)} dies by SIGKILL at the hook"
	cmp -s "$D/cert.pem" "$H_TMP/cert.old" || h_fail "cert.pem changed by a renewal killed before its rename (${rotate:-no rotation})"
	h_ok
	cmp -s "$D/key.pem" "$H_TMP/key.old" || h_fail "key.pem changed by a renewal killed before cert.pem's rename (${rotate:-no rotation})"
	h_ok
	c_expect_verifies "$D" "after a kill -9 during renew $rotate"
done
# The rotation left its new key in key.next.pem; the next command discards
# it (its certificate never landed) and the old pair works on.
[ -e "$D/key.next.pem" ] || h_fail "expected the killed rotation to leave key.next.pem"
h_ok
c_run out rc "$IDPROV" show --dir "$D"
h_expect_eq 0 "$rc" "show after the crash (output: $out)"
[ ! -e "$D/key.next.pem" ] || h_fail "the unfinished key.next.pem was not discarded"
h_ok
cmp -s "$D/key.pem" "$H_TMP/key.old" || h_fail "recovery changed key.pem"
h_ok
out=$(h_curl --cert "$D/cert.pem" --key "$D/key.pem" "$H_URL/idprov/status/rdev")
h_expect_eq 200 "$(h_code "$out")" "the pair kept through the crash still authenticates to the server"

# A rotation interrupted after its commit point (cert.pem is for the key in
# key.next.pem, key.pem still the old one) is finished by the next command.
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt -out "$D/key.next.pem"
openssl req -new -key "$D/key.next.pem" -subj "/OU=iotdevice/CN=rdev" -out "$H_TMP/next.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' >"$H_TMP/next.ext"
openssl x509 -req -in "$H_TMP/next.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" -CAcreateserial \
	-days 1 -extfile "$H_TMP/next.ext" -out "$D/cert.pem" 2>/dev/null
cp "$D/key.next.pem" "$H_TMP/key.next.copy"
c_run out rc "$IDPROV" show --dir "$D"
h_expect_eq 0 "$rc" "show after a rotation interrupted past its commit point (output: $out)"
[ ! -e "$D/key.next.pem" ] || h_fail "key.next.pem was not moved into place"
h_ok
cmp -s "$D/key.pem" "$H_TMP/key.next.copy" || h_fail "key.pem is not the rotated key after recovery"
h_ok
c_expect_verifies "$D" "after finishing the interrupted rotation"

# An expired certificate is not presented: the device needs a new secret.
h_server_stop
h_server_start --validity 2s
E="$H_TMP/exp"
c_post_secret edev s
c_run out rc "$IDPROV" provision --device edev --secret s --server "$H_URL" --dir "$E"
h_expect_eq 0 "$rc" "provisioning a short-lived certificate (output: $out)"
for _ in $(seq 100); do
	openssl x509 -in "$E/cert.pem" -noout -checkend 0 >/dev/null 2>&1 || break
	sleep 0.1
done
cp "$E/cert.pem" "$H_TMP/exp.old"
c_run out rc "$IDPROV" renew --dir "$E"
h_expect_eq 8 "$rc" "renewing an expired certificate exits with 8"
h_expect_contains "$out" "new OOB secret" "the expiry message"
cmp -s "$E/cert.pem" "$H_TMP/exp.old" || h_fail "the expired cert.pem was touched"
h_ok
c_run out rc "$IDPROV" show --dir "$E"
h_expect_eq 8 "$rc" "show of an expired certificate"
h_expect_contains "$out" "EXPIRED" "show's expiry line"
# ...and a new secret brings it back.
c_post_secret edev s2
c_run out rc "$IDPROV" provision --device edev --secret s2 --server "$H_URL" --dir "$E"
h_expect_eq 0 "$rc" "provisioning again with a new secret (output: $out)"
h_pass
