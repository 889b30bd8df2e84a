#!/usr/bin/env bash
# netns_zeroconf_sees_us: idprovd on host A publishes through A's
# avahi-daemon; an independent mDNS implementation (Debian's
# python3-zeroconf, /usr/bin/python3) on host B, with no Avahi there at all,
# resolves it with the right address, port and TXT path.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus A
ns_start_avahi A
h_ca_init --hosts "$NS_ADDR_A"
name=$(ns_unique_name zcsees)
ns_server_start A "$name"

out=$(ns_run B /usr/bin/python3 "$IDPROV_SRC/tests/netns/zc_peer.py" browse _idprov._tcp "$name" 15) ||
	h_fail "python3-zeroconf on host B did not resolve '$name' within 15 s: $out; idprovd log: $(tail -n 5 "$NS_SRV_LOG")"
h_expect_eq "FOUND $name $NS_ADDR_A $NS_SRV_PORT path=/idprov/directory" "$out" "what python3-zeroconf resolved"
echo "checked: python3-zeroconf on another host resolves idprovd at $NS_ADDR_A:$NS_SRV_PORT with TXT path=/idprov/directory"
h_pass
