#!/usr/bin/env bash
# netns_withdraw_on_stop: when idprovd stops (SIGTERM, exit 0) its DNS-SD
# entry goes away on the other host, while an unrelated entry published
# next to it stays.
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
name=$(ns_unique_name leaving)
other=$(ns_unique_name staying)
ns_bg A "$H_TMP/other.log" avahi-publish-service -s "$other" _idprov._tcp 7001 path=/idprov/directory
ns_server_start A "$name"

ns_discover B --timeout 10s
deadline=$((SECONDS + 20))
while ! { grep -q "^$name	" <<<"$NS_DISC_OUT" && grep -q "^$other	" <<<"$NS_DISC_OUT"; }; do
	[ $SECONDS -lt $deadline ] || h_fail "before the stop, expected '$name' and '$other' from idprov discover on host B, got: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
	ns_discover B --timeout 5s
done
h_expect_contains "$NS_DISC_OUT" "$name	https://$NS_ADDR_A:$NS_SRV_PORT/idprov/directory" "idprovd discovered before the stop"

ns_stop "$NS_SRV_PID"
h_expect_eq 0 "$NS_STOP_RC" "idprovd exit status on SIGTERM"
ns_wait_gone B _idprov._tcp "$name" 15 ||
	h_fail "avahi-browse on host B still lists '$name' 15 s after idprovd stopped"
h_ok
ns_discover B --timeout 5s
h_expect_not_contains "$NS_DISC_OUT" "$name" "idprov discover output after the stop"
h_expect_contains "$NS_DISC_OUT" "$other	https://$NS_ADDR_A:7001/idprov/directory" "the unrelated entry after the stop"
echo "checked: idprovd's entry withdrawn on SIGTERM (exit 0), the unrelated entry kept"
h_pass
