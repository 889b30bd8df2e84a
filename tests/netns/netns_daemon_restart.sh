#!/usr/bin/env bash
# netns_daemon_restart: avahi-daemon on idprovd's host is stopped and
# started again (as a package upgrade does); idprovd keeps serving, logs it,
# and publishes again without being restarted itself.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus A
ns_start_avahi A
ns_start_bus B
ns_start_avahi B
h_ca_init --hosts "$NS_ADDR_A"
name=$(ns_unique_name restart)
ns_server_start A "$name"
srv_pid=$NS_SRV_PID

ns_wait_resolved B _idprov._tcp "$name" 15 >/dev/null ||
	h_fail "'$name' was not resolvable from host B within 15 s of starting"
h_ok

ns_stop "$NS_AVAHI_PID_A"
# While the daemon is away the entry disappears from the link.
ns_wait_gone B _idprov._tcp "$name" 15 ||
	h_fail "'$name' still listed on host B 15 s after host A's avahi-daemon stopped"
h_ok
kill -0 "$srv_pid" 2>/dev/null || h_fail "idprovd exited when avahi-daemon stopped"
h_ok

ns_start_avahi A
line=$(ns_wait_resolved B _idprov._tcp "$name" 15) ||
	h_fail "'$name' was not published again within 15 s of avahi-daemon coming back"
h_expect_contains "$line" ";$NS_ADDR_A;$NS_SRV_PORT;" "the entry after the restart"
h_expect_contains "$(cat "$NS_SRV_LOG")" "avahi-daemon went away" "idprovd's log line for the lost daemon"
h_expect_eq 2 "$(grep -c "published \"$name\"" "$NS_SRV_LOG" || true)" "publications logged (start and after the restart)"
ns_stop "$srv_pid"
h_expect_eq 0 "$NS_STOP_RC" "idprovd exit status on SIGTERM after the restart"
echo "checked: idprovd survives an avahi-daemon restart and publishes again"
h_pass
