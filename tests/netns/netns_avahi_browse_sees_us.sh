#!/usr/bin/env bash
# netns_avahi_browse_sees_us: idprovd on host A publishes itself through
# A's avahi-daemon; Avahi's own avahi-browse on host B resolves it with the
# server's address, its real port and TXT path=/idprov/directory.  A server
# started with --no-dnssd next to it is not announced.
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
# A second server with publishing switched off must stay invisible.
quiet=$(ns_unique_name quiet)
ns_server_start A "$quiet" --no-dnssd
quiet_log=$NS_SRV_LOG
name=$(ns_unique_name browse)
ns_server_start A "$name"

line=$(ns_wait_resolved B _idprov._tcp "$name" 15) ||
	h_fail "avahi-browse on host B did not resolve '$name' within 15 s; idprovd log: $(tail -n 5 "$NS_SRV_LOG")"
IFS=';' read -r ev iface proto inst stype domain host addr port txt <<<"$line"
h_expect_eq "_idprov._tcp" "$stype" "service type seen by avahi-browse"
h_expect_eq "$NS_ADDR_A" "$addr" "address seen by avahi-browse"
h_expect_eq "$NS_SRV_PORT" "$port" "port seen by avahi-browse (the port idprovd listens on)"
h_expect_eq '"path=/idprov/directory"' "$txt" "TXT record seen by avahi-browse"
h_expect_contains "$(cat "$NS_SRV_LOG")" "published \"$name\"" "idprovd's log line for the publication"
# By now the browse above has seen everything host A announced.
h_expect_not_contains "$(ns_avahi_browse B _idprov._tcp 5)" "$quiet" "avahi-browse output (server started with --no-dnssd)"
h_expect_not_contains "$(cat "$quiet_log")" "dnssd" "log of the server started with --no-dnssd"
echo "checked: avahi-browse -rpt on another host resolves idprovd's $stype entry at $addr:$port with $txt"
h_pass
