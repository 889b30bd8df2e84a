# tests/lib/harness.sh - sourced by the shell tests: a scratch folder, a
# CA, a real idprovd on loopback, and checks that say what failed.
#
#   source "$IDPROV_SRC/tests/lib/harness.sh"
#   h_ca_init              # $H_CA: ca.pem ca.key server.pem server.key admin.pem admin.key
#   h_server_start [flags] # idprovd on 127.0.0.1:<free port>; sets $H_URL, $H_PORT, $H_PID
#   h_device_cert dev1     # $H_TMP/dev1.pem/.key: an iotdevice cert signed by the CA
#   h_curl_admin ...       # curl with the admin certificate against $H_URL
#   h_expect_eq want got what ; h_expect_contains haystack needle what
#   h_pass / h_fail msg
# Everything is removed and every process stopped on exit.
set -euo pipefail

: "${IDPROV_SRC:?run through ctest (IDPROV_SRC unset)}"
: "${IDPROVD:=${IDPROV_BUILD:-}/server/idprovd}"
: "${IDPROVCTL:=${IDPROV_BUILD:-}/tools/idprovctl}"
: "${IDPROV:=${IDPROV_BUILD:-}/tools/idprov}"

H_TMP=$(mktemp -d "${TMPDIR:-/tmp}/idprov-test.XXXXXX")
H_CA="$H_TMP/ca"
H_PID=""
H_NAME=$(basename "$0" .sh)
H_CHECKS=0

# h_cleanup [STATUS]: an area's own EXIT trap passes the status it saw
# (under set -e, "(exit $rc)" in a trap would end the shell right there,
# before the server is stopped).
h_cleanup() {
	local rc=$?
	if [ $# -gt 0 ]; then rc=$1; fi
	if [ -n "$H_PID" ] && kill -0 "$H_PID" 2>/dev/null; then
		kill -TERM "$H_PID" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$H_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$H_PID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ] && [ -f "$H_TMP/idprovd.log" ]; then
		echo "---- idprovd log (last 40 lines) ----" >&2
		tail -n 40 "$H_TMP/idprovd.log" >&2 || true
	fi
	if [ -n "${H_KEEP:-}" ]; then echo "kept $H_TMP" >&2; else rm -rf "$H_TMP"; fi
	exit $rc
}
trap h_cleanup EXIT

h_fail() { echo "FAIL [$H_NAME]: $*" >&2; exit 1; }
h_pass() { echo "PASS [$H_NAME]: $H_CHECKS checks"; }
h_ok() { H_CHECKS=$((H_CHECKS + 1)); }
h_expect_eq() {
	[ "$1" = "$2" ] || h_fail "$3: expected '$1', got '$2'"
	h_ok
}
h_expect_contains() {
	case "$1" in *"$2"*) h_ok ;; *) h_fail "$3: '$2' not found in: ${1:0:600}" ;; esac
}
h_expect_not_contains() {
	case "$1" in *"$2"*) h_fail "$3: '$2' unexpectedly found in: ${1:0:600}" ;; *) h_ok ;; esac
}

# A CA folder as `idprovctl ca init` writes it.
h_ca_init() {
	"$IDPROVCTL" ca init --dir "$H_CA" "$@" >"$H_TMP/ca-init.log" 2>&1 ||
		{ cat "$H_TMP/ca-init.log" >&2; h_fail "idprovctl ca init failed"; }
}

# Start idprovd on a free loopback port and wait until it is listening.
# Extra arguments go to idprovd.  The database is $H_TMP/idprov.db unless
# --db is given.
h_server_start() {
	local ready="$H_TMP/ready" db_args=(--db "$H_TMP/idprov.db")
	case " $* " in *" --db "*) db_args=() ;; esac
	rm -f "$ready"
	"$IDPROVD" --ca-dir "$H_CA" --listen 127.0.0.1:0 --ready-file "$ready" \
		--no-dnssd "${db_args[@]}" "$@" >>"$H_TMP/idprovd.log" 2>&1 &
	H_PID=$!
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd exited at start: $(tail -n 5 "$H_TMP/idprovd.log")"
		sleep 0.05
	done
	[ -s "$ready" ] || h_fail "idprovd did not become ready in 10 s"
	H_ADDR=$(head -n 1 "$ready")
	H_PORT=${H_ADDR##*:}
	H_URL="https://127.0.0.1:$H_PORT"
}

# Stop the server: SIGTERM, wait; fails the test if it does not exit 0.
h_server_stop() {
	[ -n "$H_PID" ] || return 0
	kill -TERM "$H_PID"
	local rc=0
	wait "$H_PID" || rc=$?
	H_PID=""
	[ $rc -eq 0 ] || h_fail "idprovd exited $rc on SIGTERM"
}

# h_device_cert ID [OU]: a client certificate signed by the test CA,
# made with the openssl command (independent of our code).
h_device_cert() {
	local id=$1 ou=${2:-iotdevice}
	openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/$id.key" 2>/dev/null
	openssl req -new -key "$H_TMP/$id.key" -subj "/OU=$ou/CN=$id" -out "$H_TMP/$id.csr" 2>/dev/null
	printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' >"$H_TMP/$id.ext"
	openssl x509 -req -in "$H_TMP/$id.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" \
		-CAcreateserial -days 2 -extfile "$H_TMP/$id.ext" -out "$H_TMP/$id.pem" 2>/dev/null
}

# curl against the test server, trusting the test CA; -sS, no --fail so the
# caller can look at 4xx bodies.  Prints the body then "\nHTTP <code>".
h_curl() { curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -w '\nHTTP %{http_code}' "$@"; }
h_curl_admin() { h_curl --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" "$@"; }
h_curl_as() { local id=$1; shift; h_curl --cert "$H_TMP/$id.pem" --key "$H_TMP/$id.key" "$@"; }
# The status code of a h_curl output, and the body without it.
h_code() { printf '%s' "${1##*HTTP }"; }
h_body() { printf '%s' "${1%$'\n'HTTP *}"; }

# Skip loudly (ctest shows it as skipped, never as passed).
h_skip() { echo "SKIP [$H_NAME]: $*" >&2; exit 77; }
h_require_root() { [ "$(id -u)" -eq 0 ] || h_skip "needs root (network namespaces)"; }
