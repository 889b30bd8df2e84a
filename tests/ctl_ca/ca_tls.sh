#!/usr/bin/env bash
# ctl_ca_tls: the certificates from `ca init` work in a real TLS session
# (openssl s_server and s_client on loopback, mutual TLS with admin.pem),
# and a client trusting another CA refuses the server.
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
"$IDPROVCTL" ca init --dir "$H_TMP/other" >/dev/null 2>&1 || h_fail "second CA for the negative check"

# s_server's PID goes in H_PID, so the harness stops it on any exit.
stop_server() {
	if [ -n "$H_PID" ]; then kill "$H_PID" 2>/dev/null || true; wait "$H_PID" 2>/dev/null || true; fi
	H_PID=""
}

# Start s_server on a free loopback port (port 0, read back from ACCEPT),
# answering one connection, demanding a client certificate from our CA.
start_server() {
	local log="$H_TMP/s_server.log"
	: >"$log"
	timeout 60 openssl s_server -accept 127.0.0.1:0 -cert "$H_CA/server.pem" \
		-key "$H_CA/server.key" -CAfile "$H_CA/ca.pem" -Verify 1 \
		-verify_return_error -naccept 1 -www </dev/null >"$log" 2>&1 &
	H_PID=$!
	PORT=""
	for _ in $(seq 200); do
		PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$log")
		[ -n "$PORT" ] && break
		kill -0 "$H_PID" 2>/dev/null || h_fail "s_server exited: $(cat "$log")"
		sleep 0.05
	done
	[ -n "$PORT" ] || h_fail "s_server did not start listening"
}

# client CAFILE [extra s_client args]: one HTTP/1.0 GET; output in $out.
client() {
	local cafile=$1; shift
	rc=0
	out=$(printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 openssl s_client \
		-connect "127.0.0.1:$PORT" -CAfile "$cafile" -verify_return_error \
		-ign_eof "$@" 2>&1) || rc=$?
}

start_server
client "$H_CA/ca.pem" -verify_hostname localhost -cert "$H_CA/admin.pem" -key "$H_CA/admin.key"
h_expect_eq 0 "$rc" "s_client exit status with our CA and admin.pem (output: ${out:0:400})"
h_expect_contains "$out" "Verify return code: 0 (ok)" "server certificate verified by s_client"
h_expect_contains "$out" "HTTP/1.0 200 ok" "HTTP answer over the mutual TLS session"
stop_server
h_expect_contains "$(cat "$H_TMP/s_server.log")" "CN = admin" "s_server saw the admin client certificate"

# The server's IP SAN also matches.
start_server
client "$H_CA/ca.pem" -verify_ip 127.0.0.1 -cert "$H_CA/admin.pem" -key "$H_CA/admin.key"
h_expect_eq 0 "$rc" "s_client exit status verifying IP 127.0.0.1 (output: ${out:0:400})"
stop_server

# A device that found the server by DNS-SD checks the machine's own
# address; the connection still goes over loopback.
lan=""
for a in $(hostname -I 2>/dev/null); do case "$a" in *:*) ;; *) lan=$a; break ;; esac; done
if [ -n "$lan" ]; then
	start_server
	client "$H_CA/ca.pem" -verify_ip "$lan" -cert "$H_CA/admin.pem" -key "$H_CA/admin.key"
	h_expect_eq 0 "$rc" "s_client exit status verifying this machine's address $lan (output: ${out:0:400})"
	stop_server
else
	echo "note [$H_NAME]: no non-loopback IPv4 address, address check left out"
fi

# A client that trusts another CA must refuse this server.
start_server
client "$H_TMP/other/ca.pem" -cert "$H_TMP/other/admin.pem" -key "$H_TMP/other/admin.key"
[ "$rc" -ne 0 ] || h_fail "s_client trusting another CA accepted the server"
h_ok
h_expect_not_contains "$out" "HTTP/1.0 200 ok" "no HTTP answer when the server is not trusted"
stop_server

h_pass
