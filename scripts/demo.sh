#!/bin/bash
# scripts/demo.sh BUILD_DIR - IDProv end to end on loopback, step by step:
# a CA, idprovd, an administrator's OOB secret, a device provisioned with
# nothing but curl and openssl, its certificate and registry row, a
# renewal by mutual TLS.  Exits non-zero at the first step that fails.
set -euo pipefail

BUILD=${1:?usage: scripts/demo.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
IDPROVD="$BUILD/server/idprovd"
IDPROVCTL="$BUILD/tools/idprovctl"
for p in "$IDPROVD" "$IDPROVCTL"; do
	[ -x "$p" ] || { echo "demo: $p is missing; build first (make build)" >&2; exit 1; }
done
for c in curl openssl sqlite3; do
	command -v "$c" >/dev/null || { echo "demo: the $c command is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/idprov-demo.XXXXXX")
PID=""
cleanup() {
	local rc=$?
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	if [ $rc -ne 0 ]; then
		echo
		echo "DEMO FAILED (exit $rc). Last lines of the server log:" >&2
		tail -n 15 "$WORK/idprovd.log" 2>/dev/null >&2 || true
	fi
	rm -rf "$WORK"
	exit $rc
}
trap cleanup EXIT

n=0
step() { n=$((n + 1)); printf '\n== %d. %s\n' "$n" "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }
# The value of a JSON string field whose only escapes are \n (PEM, base64).
field() { sed -n "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$1"; }
hmac_b64() { openssl dgst -sha256 -hmac "$1" -binary | base64 -w0; }

step "Create a CA, a server certificate and an admin certificate in $WORK/ca"
"$IDPROVCTL" ca init --dir "$WORK/ca" >"$WORK/ca-init.log" 2>&1 ||
	{ cat "$WORK/ca-init.log" >&2; fail "idprovctl ca init failed"; }
ls "$WORK/ca"

step "Start idprovd on 127.0.0.1 (a free port), registry $WORK/idprov.db"
"$IDPROVD" --ca-dir "$WORK/ca" --listen 127.0.0.1:0 --ready-file "$WORK/ready" \
	--db "$WORK/idprov.db" --no-dnssd >"$WORK/idprovd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do
	[ -s "$WORK/ready" ] && break
	kill -0 "$PID" 2>/dev/null || fail "idprovd exited at start"
	sleep 0.1
done
[ -s "$WORK/ready" ] || fail "idprovd did not become ready in 10 s"
URL="https://$(head -n 1 "$WORK/ready")"
echo "listening at $URL"
CA="$WORK/ca/ca.pem"

step "A device fetches the directory (it has no CA yet, so -k)"
dir=$(curl -sSk --fail "$URL/idprov/directory")
echo "${dir:0:200}..."
[ "$(field "$dir" caCert | base64 -d)" = "$(cat "$CA")" ] ||
	fail "the directory's caCert is not the CA"
echo "the directory's caCert is the base64 of the CA certificate"

DEVICE=demo-device-01
SECRET=$(openssl rand -hex 12)
step "The administrator posts the OOB secret of $DEVICE (mutual TLS, admin certificate)"
out=$(curl -sS --fail --cacert "$CA" --cert "$WORK/ca/admin.pem" --key "$WORK/ca/admin.key" \
	-d "{\"deviceID\":\"$DEVICE\",\"oobSecret\":\"$SECRET\",\"validUntil\":\"\"}" \
	"$URL/idprov/oobsecret")
echo "server: $out"

step "The device makes a key and a provisioning request signed with HMAC-SHA256(secret)"
openssl ecparam -name prime256v1 -genkey -noout -out "$WORK/device.key" 2>/dev/null
openssl pkey -in "$WORK/device.key" -pubout -out "$WORK/device.pub"
pem=$(awk '{printf "%s\\n", $0}' "$WORK/device.pub")
msg="{\"deviceID\":\"$DEVICE\",\"ip\":\"127.0.0.1\",\"mac\":\"\",\"publicKeyPEM\":\"$pem\",\"signature\":\"\"}"
sig=$(printf '%s' "$msg" | hmac_b64 "$SECRET")
body="${msg%\"\"\}}\"$sig\"}"
echo "canonical message (signature empty) is ${#msg} bytes; signature $sig"

step "The device posts it"
resp=$(curl -sSk --fail -d "$body" "$URL/idprov/provreq")
status=$(sed -n 's/.*"status":"\([A-Za-z]*\)".*/\1/p' <<<"$resp")
echo "status: $status"
[ "$status" = Approved ] || fail "expected Approved, got: ${resp:0:300}"

step "The device checks the answer's signature with its secret, and the CA in it"
rsig=$(field "$resp" signature)
unsigned="${resp%\"signature\":*}\"signature\":\"\"}"
[ "$(printf '%s' "$unsigned" | hmac_b64 "$SECRET")" = "$rsig" ] ||
	fail "the response signature does not verify with the OOB secret"
echo "signature verifies: the answer comes from the server that knows the secret"
printf '%b' "$(field "$resp" caCert)" >"$WORK/ca-from-server.pem"
cmp -s "$WORK/ca-from-server.pem" "$CA" || fail "the signed caCert is not the directory's CA"
echo "the signed caCert is the CA the directory offered: trust closed"

step "The issued certificate"
printf '%b' "$(field "$resp" clientCert)" >"$WORK/device.pem"
openssl x509 -in "$WORK/device.pem" -noout -subject -issuer -dates
openssl verify -CAfile "$CA" -purpose sslclient "$WORK/device.pem"

step "The registry row (sqlite3 $WORK/idprov.db)"
sqlite3 -header -column "$WORK/idprov.db" \
	"select device_id, status, serial, datetime(not_after,'unixepoch') as not_after, ip, issue_count from devices"
[ "$(sqlite3 "$WORK/idprov.db" "select status from devices where device_id='$DEVICE'")" = approved ] ||
	fail "the registry does not show $DEVICE approved"

step "Renewal: the device posts again with its certificate (mutual TLS, no secret)"
msg2="{\"deviceID\":\"$DEVICE\",\"ip\":\"127.0.0.1\",\"mac\":\"\",\"publicKeyPEM\":\"$pem\",\"signature\":\"\"}"
resp=$(curl -sS --fail --cacert "$CA" --cert "$WORK/device.pem" --key "$WORK/device.key" \
	-d "$msg2" "$URL/idprov/provreq")
grep -q '"status":"Approved"' <<<"$resp" || fail "renewal not approved: ${resp:0:300}"
unsigned="${resp%\"signature\":*}\"signature\":\"\"}"
[ "$(printf '%s' "$unsigned" | hmac_b64 '')" = "$(field "$resp" signature)" ] ||
	fail "the renewal answer is not signed with the empty key"
printf '%b' "$(field "$resp" clientCert)" >"$WORK/device2.pem"
echo "renewed; old serial $(openssl x509 -in "$WORK/device.pem" -noout -serial | cut -d= -f2)," \
	"new serial $(openssl x509 -in "$WORK/device2.pem" -noout -serial | cut -d= -f2)"
sqlite3 "$WORK/idprov.db" "select 'certificates issued to $DEVICE: ' || issue_count from devices where device_id='$DEVICE'"

step "Stop the server (SIGTERM)"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ $rc -eq 0 ] || fail "idprovd exited $rc"
echo "stopped cleanly"
printf '\nDemo complete: every step succeeded.\n'
