#!/usr/bin/env bash
# discovery_no_bus: the no-daemon behaviours that need neither root nor a
# namespace.  The system bus is pointed at a socket that does not exist, so
# whatever runs on this machine is never asked.  `idprov discover` says
# there is no daemon (exit 7) at once; idprovd serves on loopback with one
# warning; with --dnssd-required it exits 1 with one sentence.
source "$IDPROV_SRC/tests/lib/harness.sh"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$H_TMP/no-such-bus"

rc=0
"$IDPROV" discover --timeout 30s >"$H_TMP/disc.out" 2>"$H_TMP/disc.err" || rc=$?
h_expect_eq 7 "$rc" "idprov discover exit status without a bus"
h_expect_contains "$(cat "$H_TMP/disc.err")" "no Avahi daemon" "idprov discover's sentence without a bus"
h_expect_eq "" "$(cat "$H_TMP/disc.out")" "idprov discover's output without a bus"
rc=0
"$IDPROV" discover --timeout 0s 2>"$H_TMP/disc.err" || rc=$?
h_expect_eq 2 "$rc" "idprov discover exit status for --timeout 0s"
rc=0
"$IDPROV" discover --frobnicate 2>"$H_TMP/disc.err" || rc=$?
h_expect_eq 2 "$rc" "idprov discover exit status for an unknown option"
h_expect_contains "$("$IDPROV" discover --help)" "--timeout" "idprov discover --help"

h_ca_init
rc=0
timeout 30 "$IDPROVD" --ca-dir "$H_CA" --listen 127.0.0.1:0 --db "$H_TMP/req.db" \
	--dnssd-required >"$H_TMP/req.log" 2>&1 || rc=$?
h_expect_eq 1 "$rc" "idprovd --dnssd-required exit status without a bus"
h_expect_contains "$(cat "$H_TMP/req.log")" "DNS-SD is required" "idprovd --dnssd-required's sentence"
h_expect_not_contains "$(cat "$H_TMP/req.log")" "listening on" "a start that failed does not say it is listening"

# h_server_start passes --no-dnssd; a later --dnssd-name does not undo it,
# so start this one by hand, publishing.
ready="$H_TMP/ready"
"$IDPROVD" --ca-dir "$H_CA" --listen 127.0.0.1:0 --ready-file "$ready" \
	--db "$H_TMP/idprov.db" --dnssd-name nobus >>"$H_TMP/idprovd.log" 2>&1 &
H_PID=$!
for _ in $(seq 200); do
	[ -s "$ready" ] && break
	kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd exited at start without a bus: $(tail -n 5 "$H_TMP/idprovd.log")"
	sleep 0.05
done
[ -s "$ready" ] || h_fail "idprovd did not become ready in 10 s without a bus"
addr=$(head -n 1 "$ready")
H_URL="https://127.0.0.1:${addr##*:}"
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "directory served without a bus"
h_expect_eq 1 "$(grep -c 'warn.*avahi' "$H_TMP/idprovd.log" || true)" "warnings about the missing daemon"
h_server_stop
echo "checked: discover exits 7 / 2, idprovd serves with one warning, --dnssd-required exits 1"
h_pass
