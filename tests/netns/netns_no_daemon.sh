#!/usr/bin/env bash
# netns_no_daemon: without avahi-daemon (and even without a system bus)
# idprovd serves with exactly one warning and publishes as soon as a daemon
# starts; with --dnssd-required it refuses to start (exit 1, one sentence);
# `idprov discover` says there is no daemon (exit 7), distinct from "none
# found" (exit 3).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
h_ca_init --hosts "$NS_ADDR_A,$NS_ADDR_B"

directory_status() {	# HOST ADDR PORT -> HTTP status of GET /idprov/directory
	ns_run "$1" curl -sS -o /dev/null --max-time 20 --cacert "$H_CA/ca.pem" \
		-w '%{http_code}' "https://$2:$3/idprov/directory" 2>/dev/null || true
}

# 1. Host B: no system bus at all.
ns_discover B --timeout 2s
h_expect_eq 7 "$NS_DISC_RC" "idprov discover exit status without a bus or daemon"
h_expect_contains "$NS_DISC_ERR" "no Avahi daemon" "idprov discover's sentence without a daemon"
name_b=$(ns_unique_name nobus)
ns_server_start B "$name_b"
h_expect_eq 200 "$(directory_status B "$NS_ADDR_B" "$NS_SRV_PORT")" "directory served without a system bus"
h_expect_eq 1 "$(grep -c 'warn.*avahi' "$NS_SRV_LOG" || true)" "warnings about the missing daemon (no bus)"

# 2. Host A: a system bus, no avahi-daemon.
ns_start_bus A
ns_discover A --timeout 2s
h_expect_eq 7 "$NS_DISC_RC" "idprov discover exit status with a bus but no daemon"
h_expect_contains "$NS_DISC_ERR" "no Avahi daemon" "idprov discover's sentence with a bus but no daemon"

rc=0
ns_run A timeout 30 "$IDPROVD" --ca-dir "$H_CA" --listen "$NS_ADDR_A:0" \
	--db "$H_TMP/required.db" --dnssd-name required --dnssd-required \
	>"$H_TMP/required.log" 2>&1 || rc=$?
h_expect_eq 1 "$rc" "idprovd --dnssd-required exit status without avahi-daemon"
h_expect_contains "$(cat "$H_TMP/required.log")" "avahi-daemon" "idprovd --dnssd-required's sentence"

name_a=$(ns_unique_name late)
ns_server_start A "$name_a"
port_a=$NS_SRV_PORT; log_a=$NS_SRV_LOG
h_expect_eq 200 "$(directory_status A "$NS_ADDR_A" "$port_a")" "directory served without avahi-daemon"
h_expect_eq 1 "$(grep -c 'warn.*avahi' "$log_a" || true)" "warnings about the missing daemon (bus, no daemon)"

# 3. The daemons start late: both servers publish without a restart
# (host B's server looks for the bus again every few seconds).
ns_start_avahi A
ns_start_bus B
ns_start_avahi B
line=$(ns_wait_resolved B _idprov._tcp "$name_a" 15) ||
	h_fail "'$name_a' was not published within 15 s of avahi-daemon starting on host A"
h_expect_contains "$line" ";$NS_ADDR_A;$port_a;" "late publication of host A's server"
ns_discover A --timeout 20s
deadline=$((SECONDS + 30))
while ! grep -q "^$name_b	" <<<"$NS_DISC_OUT"; do
	[ $SECONDS -lt $deadline ] || h_fail "'$name_b' (started before any bus) was not published within 30 s of the bus and daemon starting on host B: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
	ns_discover A --timeout 5s
done
h_ok
h_expect_eq 200 "$(directory_status A "$NS_ADDR_A" "$port_a")" "directory still served after the daemon started"
echo "checked: serving with one warning without bus or daemon, --dnssd-required exits 1, discover exits 7, late publication on both hosts"
h_pass
