#!/usr/bin/env bash
# netns_collision: three idprovd with the same instance name.  The first
# (host A) keeps the name; the second (host B: a conflict found by mDNS
# probing on the link) and the third (host A again: a conflict inside the
# same avahi-daemon) each take another name ("NAME #2", ...), log a
# warning, and all three are discovered with their own URL.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus A
ns_start_avahi A
ns_start_bus B
ns_start_avahi B
h_ca_init --hosts "$NS_ADDR_A,$NS_ADDR_B"
name=$(ns_unique_name clash)

ns_server_start A "$name"
p1=$NS_SRV_PORT
ns_wait_resolved B _idprov._tcp "$name" 15 >/dev/null ||
	h_fail "the first server '$name' was not resolvable from host B within 15 s"
ns_server_start B "$name"
p2=$NS_SRV_PORT; log2=$NS_SRV_LOG
ns_server_start A "$name"
p3=$NS_SRV_PORT; log3=$NS_SRV_LOG

# Wait (bounded) until all three are discovered from host B.
deadline=$((SECONDS + 30))
while :; do
	ns_discover B --timeout 5s
	n=$(grep -c "^$name" <<<"$NS_DISC_OUT" || true)
	[ "$n" -ge 3 ] && break
	[ $SECONDS -lt $deadline ] || h_fail "expected three servers named '$name...' within 30 s, idprov discover printed: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
done
h_expect_eq 3 "$n" "number of servers discovered"
h_expect_contains "$NS_DISC_OUT" "$name	https://$NS_ADDR_A:$p1/idprov/directory" "the first server keeps its name"
line2=$(grep -F "https://$NS_ADDR_B:$p2/" <<<"$NS_DISC_OUT" || true)
line3=$(grep -F "https://$NS_ADDR_A:$p3/" <<<"$NS_DISC_OUT" || true)
[ -n "$line2" ] || h_fail "the second server (host B, port $p2) was not discovered: $NS_DISC_OUT"
[ -n "$line3" ] || h_fail "the third server (host A, port $p3) was not discovered: $NS_DISC_OUT"
inst2=${line2%%	*}; inst3=${line3%%	*}
case "$inst2" in "$name #"[0-9]*) h_ok ;; *) h_fail "the second server should be named '$name #N', got '$inst2'" ;; esac
case "$inst3" in "$name #"[0-9]*) h_ok ;; *) h_fail "the third server should be named '$name #N', got '$inst3'" ;; esac
[ "$inst2" != "$inst3" ] || h_fail "the second and third servers share the name '$inst2'"
h_ok
h_expect_contains "$(cat "$log2")" "already in use" "warning of the renamed server on host B"
h_expect_contains "$(cat "$log3")" "already in use" "warning of the renamed server on host A"
# Avahi's own browser agrees: three distinct resolvable entries.
n_avahi=$(ns_avahi_browse A _idprov._tcp 5 | awk -F';' '$1 == "=" && $3 == "IPv4" {print $4}' | sort -u | grep -c "^$name" || true)
h_expect_eq 3 "$n_avahi" "distinct '$name...' instances resolved by avahi-browse on host A"
echo "checked: '$name' kept by the first server; '$inst2' and '$inst3' taken on collision; all three discovered"
h_pass
