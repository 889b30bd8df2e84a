#!/usr/bin/env bash
# netns_we_find_avahi_publish: services announced with avahi-publish-service
# on one host are found by `idprov discover` on the other, over IPv4 and over
# IPv6 link-local (with the interface in the URL); path= wins over
# directory=; nothing else on the link means "none found", not an error.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus A
ns_start_bus B
# Before anything is published, discovery finds nothing and says so.
NS_AVAHI_IPV6=yes ns_start_avahi A
NS_AVAHI_IPV6=yes ns_start_avahi B
ns_discover B --timeout 1500ms
h_expect_eq 3 "$NS_DISC_RC" "idprov discover exit status when no server answers"
h_expect_contains "$NS_DISC_ERR" "no IDProv server" "the sentence for none found"
ns_discover B --timeout 1s --json
h_expect_eq 3 "$NS_DISC_RC" "idprov discover --json exit status when no server answers"
h_expect_eq "[]" "$NS_DISC_OUT" "idprov discover --json output when no server answers"

n1=$(ns_unique_name ap-both)
n2=$(ns_unique_name ap-dir)
n3=$(ns_unique_name ap-bad)
ns_bg A "$H_TMP/pub1.log" avahi-publish-service -s "$n1" _idprov._tcp 6001 directory=/wrong path=/right/directory
ns_bg A "$H_TMP/pub2.log" avahi-publish-service -s "$n2" _idprov._tcp 6002 directory=/only/directory
# A path that would name another host is not used; the next key is.
ns_bg A "$H_TMP/pub3.log" avahi-publish-service -s "$n3" _idprov._tcp 6003 path=//evil.example/x directory=/fallback/directory

ll_a=$(ip -n "$NS_A" -6 addr show dev veth0 scope link | awk '/inet6/ {sub(/\/.*/, "", $2); print $2; exit}')
[ -n "$ll_a" ] || h_fail "host A has no IPv6 link-local address on veth0"
v4="$n1	https://$NS_ADDR_A:6001/right/directory"
v6="$n1	https://[$ll_a%25veth0]:6001/right/directory"
deadline=$((SECONDS + 20))
while :; do
	ns_discover B --timeout 5s
	if grep -qF "$v4" <<<"$NS_DISC_OUT" && grep -qF "$v6" <<<"$NS_DISC_OUT" &&
		grep -q "^$n2	" <<<"$NS_DISC_OUT" && grep -q "^$n3	" <<<"$NS_DISC_OUT"; then
		break
	fi
	[ $SECONDS -lt $deadline ] || h_fail "idprov discover did not list $n1 over IPv4 and IPv6 link-local and $n2 within 20 s; it printed: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
done
h_expect_eq 0 "$NS_DISC_RC" "idprov discover exit status with servers present"
h_expect_contains "$NS_DISC_OUT" "$v4" "IPv4 URL, TXT path= preferred over directory="
h_expect_contains "$NS_DISC_OUT" "$v6" "IPv6 link-local URL with its interface"
h_expect_contains "$NS_DISC_OUT" "$n2	https://$NS_ADDR_A:6002/only/directory" "URL from TXT directory="
h_expect_not_contains "$NS_DISC_OUT" "/wrong" "directory= ignored when path= is there"
h_expect_contains "$NS_DISC_OUT" "$n3	https://$NS_ADDR_A:6003/fallback/directory" "a path= naming another host is ignored"
h_expect_not_contains "$NS_DISC_OUT" "evil" "what a hostile path= may put in a URL"
# Each URL once, however many times the service was seen.
dups=$(sort <<<"$NS_DISC_OUT" | uniq -d)
h_expect_eq "" "$dups" "duplicate lines in idprov discover output"

ns_discover B --timeout 5s --json
got=$(/usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["instance"] == sys.argv[1] and s["address"].startswith("fe80:"):
        print(s["address"], s["interface"], s["port"])
' "$n1" <<<"$NS_DISC_OUT") || h_fail "idprov discover --json printed invalid JSON: $NS_DISC_OUT"
h_expect_eq "$ll_a veth0 6001" "$got" "JSON address, interface and port of the IPv6 entry"
ns_discover B --timeout soon
h_expect_eq 2 "$NS_DISC_RC" "idprov discover exit status for a bad --timeout"
h_expect_contains "$NS_DISC_ERR" "--timeout" "idprov discover's sentence for a bad --timeout"
echo "checked: avahi-publish-service found over IPv4 and IPv6 link-local, path= over directory=, no duplicates, none-found status"
h_pass
