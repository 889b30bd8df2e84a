#!/bin/bash
# scripts/demo.sh BUILD_DIR - IDProv end to end on loopback, step by step:
# a CA, idprovd, a device that asks before the administrator has posted its
# OOB secret (Waiting), the secret posted with idprovctl, the device's
# certificate (Approved, trust closed by the signed answer), the registry,
# a renewal with key rotation by mutual TLS, a revocation and the CRL.
# Exits non-zero at the first step that fails.
set -euo pipefail

BUILD=${1:?usage: scripts/demo.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
IDPROVD="$BUILD/server/idprovd"
IDPROVCTL="$BUILD/tools/idprovctl"
IDPROV="$BUILD/tools/idprov"
for p in "$IDPROVD" "$IDPROVCTL" "$IDPROV"; do
	[ -x "$p" ] || { echo "demo: $p is missing; build first (make build)" >&2; exit 1; }
done
for c in openssl sqlite3; do
	command -v "$c" >/dev/null || { echo "demo: the $c command is needed" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/idprov-demo.XXXXXX")
PID=""
DEV_PID=""
cleanup() {
	local rc=$?	# first: the kill below would replace it with 0
	[ -n "$DEV_PID" ] && kill -TERM "$DEV_PID" 2>/dev/null || true
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

step "Create a CA, a server certificate and an admin certificate in $WORK/ca"
"$IDPROVCTL" ca init --dir "$WORK/ca" >"$WORK/ca-init.log" 2>&1 ||
	{ cat "$WORK/ca-init.log" >&2; fail "idprovctl ca init failed"; }
ls "$WORK/ca"

step "Start idprovd on 127.0.0.1 (a free port), registry $WORK/idprov.db"
"$IDPROVD" --ca-dir "$WORK/ca" --listen 127.0.0.1:0 --ready-file "$WORK/ready" \
	--db "$WORK/idprov.db" --no-dnssd --retry 2s >"$WORK/idprovd.log" 2>&1 &
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

CA="$WORK/ca/ca.pem"
# idprovctl's connection settings, as an administrator would keep them in
# ~/.config/idprov/admin.conf.
export IDPROV_SERVER="$URL" IDPROV_CA="$CA" IDPROV_CERT="$WORK/ca/admin.pem" IDPROV_KEY="$WORK/ca/admin.key"

DEVICE=demo-device-01
SECRET=$(openssl rand -hex 12)
printf '%s\n' "$SECRET" >"$WORK/secret" && chmod 600 "$WORK/secret"

step "Device $DEVICE starts provisioning before the administrator knows it (idprov provision)"
"$IDPROV" provision --device "$DEVICE" --secret-file "$WORK/secret" --server "$URL" \
	--dir "$WORK/device" --timeout 1m >"$WORK/device.log" 2>&1 &
DEV_PID=$!
for _ in $(seq 100); do
	"$IDPROVCTL" list --pending 2>/dev/null | grep -q "$DEVICE" && break
	sleep 0.1
done
"$IDPROVCTL" list --pending
"$IDPROVCTL" list --pending | grep -q "$DEVICE" || fail "the server does not list $DEVICE as pending"
echo "the device got 'Waiting' and asks again every retrySec (2 s here)"

step "The administrator posts the device's OOB secret (idprovctl oob set, mutual TLS as admin)"
"$IDPROVCTL" oob set "$DEVICE" - --valid-for 1h <"$WORK/secret"

step "The device's next request is Approved; it checks the signed answer and saves key, certificate and CA"
rc=0
wait "$DEV_PID" || rc=$?
DEV_PID=""
cat "$WORK/device.log"
[ $rc -eq 0 ] || fail "idprov provision exited $rc"
ls -l "$WORK/device"

step "The device's certificate (idprov show), checked by openssl against the CA"
"$IDPROV" show --dir "$WORK/device"
openssl verify -CAfile "$CA" -purpose sslclient "$WORK/device/cert.pem"
cmp -s "$WORK/device/ca.pem" "$CA" || fail "the device did not save the server's CA"

step "The administrator's view (idprovctl status) and the registry row (sqlite3)"
"$IDPROVCTL" status "$DEVICE"
sqlite3 -header -column "$WORK/idprov.db" \
	"select device_id, status, serial, datetime(not_after,'unixepoch') as not_after, ip, issue_count from devices"
[ "$(sqlite3 "$WORK/idprov.db" "select status from devices where device_id='$DEVICE'")" = approved ] ||
	fail "the registry does not show $DEVICE approved"

step "Renewal with a new key, over mutual TLS with the current certificate (idprov renew --rotate-key)"
old_serial=$(openssl x509 -in "$WORK/device/cert.pem" -noout -serial | cut -d= -f2)
"$IDPROV" renew --dir "$WORK/device" --rotate-key
new_serial=$(openssl x509 -in "$WORK/device/cert.pem" -noout -serial | cut -d= -f2)
[ "$old_serial" != "$new_serial" ] || fail "renewal kept the old certificate"
echo "old serial $old_serial, new serial $new_serial"
openssl verify -CAfile "$CA" "$WORK/device/cert.pem"

step "The device is stolen: the administrator revokes it; renewal is refused; the CRL lists it"
"$IDPROVCTL" revoke "$DEVICE" --reason keyCompromise
rc=0
"$IDPROV" renew --dir "$WORK/device" || rc=$?
[ $rc -ne 0 ] || fail "a revoked device could renew"
echo "renewal refused (exit $rc), as it must be"
"$IDPROVCTL" crl --out "$WORK/crl.der"
openssl crl -inform DER -in "$WORK/crl.der" -CAfile "$CA" -noout -text | grep -E "verify|Serial Number" | head -5
crl_text=$(openssl crl -inform DER -in "$WORK/crl.der" -noout -text)
grep -q "$new_serial" <<<"$crl_text" ||
	fail "the CRL does not list the revoked certificate"

step "Stop the server (SIGTERM)"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ $rc -eq 0 ] || fail "idprovd exited $rc"
echo "stopped cleanly"
printf '\nDemo complete: every step succeeded.\n'
