# tests/server_http/lib.sh - helpers shared by the server_http tests
# (sourced after the harness).

# sh_cert NAME OU [DAYS] [CA_DIR]: a client certificate in $H_TMP/NAME.pem/.key
# signed by the CA in CA_DIR (default $H_CA); DAYS -1 gives an expired one.
sh_cert() {
	local name=$1 ou=$2 days=${3:-2} ca=${4:-$H_CA}
	openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/$name.key" 2>/dev/null
	openssl req -new -key "$H_TMP/$name.key" -subj "/OU=$ou/CN=$name" -out "$H_TMP/$name.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' >"$H_TMP/$name.ext"
	openssl x509 -req -in "$H_TMP/$name.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" \
		-CAcreateserial -days "$days" -extfile "$H_TMP/$name.ext" -out "$H_TMP/$name.pem" 2>/dev/null ||
		h_fail "openssl could not make the test certificate $name"
}

# sh_s_client ARGS...: one TLS handshake against the server, then close;
# prints openssl's report.  Never waits on stdin.
sh_s_client() {
	timeout 20 openssl s_client -connect "127.0.0.1:$H_PORT" -CAfile "$H_CA/ca.pem" \
		"$@" </dev/null 2>&1 || true
}

# sh_wait_log TEXT: wait (up to 10 s) until idprovd's log contains TEXT.
sh_wait_log() {
	for _ in $(seq 100); do
		grep -qF -- "$1" "$H_TMP/idprovd.log" 2>/dev/null && return 0
		sleep 0.1
	done
	h_fail "idprovd's log never said: $1"
}
