# tests/client/lib.sh - sourced by the client_* tests after harness.sh:
# posting secrets, a second (hostile) CA, hostile servers, and checks on
# the device's state folder.

C_PIDS=()
c_cleanup() {
	local rc=$? p
	for p in "${C_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	h_cleanup "$rc"
}
trap c_cleanup EXIT

# c_post_secret ID SECRET: the admin posts a device's OOB secret.
c_post_secret() {
	local out
	out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
		-d "{\"deviceID\":\"$1\",\"oobSecret\":\"$2\",\"validUntil\":\"\"}" \
		"$H_URL/idprov/oobsecret")
	[ "$(h_code "$out")" = 200 ] || h_fail "posting the OOB secret of $1: expected HTTP 200, got: $out"
}

# c_evil_ca: another CA ($H_TMP/evil/ca.pem) and a server certificate of it
# for 127.0.0.1 and localhost (evil/server.pem, evil/server.key).
c_evil_ca() {
	local d="$H_TMP/evil"
	mkdir -p "$d"
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/ca.key" 2>/dev/null
	openssl req -x509 -new -key "$d/ca.key" -subj "/CN=evil CA" -days 2 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$d/ca.pem" 2>/dev/null
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/server.key" 2>/dev/null
	openssl req -new -key "$d/server.key" -subj "/CN=localhost" -out "$d/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days 2 -extfile "$d/server.ext" -out "$d/server.pem" 2>/dev/null
	[ -s "$d/server.pem" ] || h_fail "could not make the hostile CA with openssl"
}

# c_hostile NAME MODE ARGS...: start tests/client/hostile.py; its URL in
# $C_HURL.
c_hostile() {
	local name=$1 ready="$H_TMP/$1.ready"
	shift
	rm -f "$ready"
	/usr/bin/python3 "$IDPROV_SRC/tests/client/hostile.py" "$@" --ready "$ready" \
		>>"$H_TMP/$name.log" 2>&1 &
	C_PIDS+=($!)
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		kill -0 "${C_PIDS[-1]}" 2>/dev/null || h_fail "hostile server $name exited: $(tail -n 5 "$H_TMP/$name.log")"
		sleep 0.05
	done
	[ -s "$ready" ] || h_fail "hostile server $name did not start"
	C_HURL="https://$(head -n 1 "$ready")"
}

# c_run OUT_VAR RC_VAR CMD...: run a command, keep its stderr+stdout and
# exit status without tripping set -e.
c_run() {
	local __out __rc=0
	__out=$("${@:3}" 2>&1) || __rc=$?
	printf -v "$1" '%s' "$__out"
	printf -v "$2" '%s' "$__rc"
}

# c_expect_no_trust DIR what: nothing that conveys trust was written.
c_expect_no_trust() {
	[ ! -e "$1/cert.pem" ] || h_fail "$2: cert.pem was written"
	h_ok
	[ ! -e "$1/ca.pem" ] || h_fail "$2: ca.pem was written"
	h_ok
	[ ! -e "$1/server.url" ] || h_fail "$2: server.url was written"
	h_ok
}

# c_expect_verifies DIR what: openssl itself accepts the saved pair.
c_expect_verifies() {
	local out
	out=$(openssl verify -CAfile "$1/ca.pem" -purpose sslclient "$1/cert.pem" 2>&1) ||
		h_fail "$2: openssl verify refused cert.pem: $out"
	h_ok
	[ "$(openssl x509 -in "$1/cert.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)" = \
	  "$(openssl pkey -in "$1/key.pem" -pubout -outform DER | sha256sum)" ] ||
		h_fail "$2: cert.pem is not the certificate of key.pem"
	h_ok
}

c_perm() { stat -c %a "$1"; }
c_cn() { openssl x509 -in "$1" -noout -subject -nameopt multiline | sed -n 's/^ *commonName *= *//p'; }
c_serial() { openssl x509 -in "$1" -noout -serial; }

# c_counting_listener NAME: a TCP port on 127.0.0.1 that accepts and at
# once closes every connection, counting them in $H_TMP/NAME.count; its URL
# in $C_HURL.  Stands for a server that is down (or not speaking TLS).
c_counting_listener() {
	local name=$1 ready="$H_TMP/$1.ready"
	rm -f "$ready"
	/usr/bin/python3 - "$ready" "$H_TMP/$name.count" >>"$H_TMP/$name.log" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("127.0.0.1:%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
n = 0
while True:
    c, _ = s.accept()
    c.close()
    n += 1
    # Renamed into place: a reader never sees the file truncated.
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("%d\n" % n)
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
PY
	C_PIDS+=($!)
	for _ in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
	[ -s "$ready" ] || h_fail "the counting listener did not start"
	C_HURL="https://$(head -n 1 "$ready")"
}
