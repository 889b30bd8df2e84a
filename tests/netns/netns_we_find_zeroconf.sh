#!/usr/bin/env bash
# netns_we_find_zeroconf: a service published by an independent mDNS stack
# (Debian's python3-zeroconf, no Avahi on that host) is found by
# `idprov discover` on the other host, with the URL built from its address,
# port and TXT (path=, else directory=, else the default path).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus B
ns_start_avahi B
n1=$(ns_unique_name zc-path)
n2=$(ns_unique_name zc-dir)
n3=$(ns_unique_name zc-none)
ns_zc_publish A "$n1" 5551 "$NS_ADDR_A" path=/zc/path/directory
ns_zc_publish A "$n2" 5552 "$NS_ADDR_A" directory=/zc/dir/directory
ns_zc_publish A "$n3" 5553 "$NS_ADDR_A" other=1

# Three services: wait (bounded) until discover reports all of them.
deadline=$((SECONDS + 20))
while :; do
	ns_discover B --timeout 5s
	if grep -q "^$n1	" <<<"$NS_DISC_OUT" && grep -q "^$n2	" <<<"$NS_DISC_OUT" &&
		grep -q "^$n3	" <<<"$NS_DISC_OUT"; then
		break
	fi
	[ $SECONDS -lt $deadline ] || h_fail "idprov discover did not list all three zeroconf services within 20 s; it printed: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
done
h_expect_eq 0 "$NS_DISC_RC" "idprov discover exit status with servers present"
h_expect_contains "$NS_DISC_OUT" "$n1	https://$NS_ADDR_A:5551/zc/path/directory" "URL from TXT path="
h_expect_contains "$NS_DISC_OUT" "$n2	https://$NS_ADDR_A:5552/zc/dir/directory" "URL from TXT directory="
h_expect_contains "$NS_DISC_OUT" "$n3	https://$NS_ADDR_A:5553/idprov/directory" "default path without path= or directory="

ns_discover B --timeout 5s --json
h_expect_eq 0 "$NS_DISC_RC" "idprov discover --json exit status"
got=$(/usr/bin/python3 -c '
import json, sys
for s in json.load(sys.stdin):
    if s["instance"] == sys.argv[1]:
        print(s["address"], s["port"], s["path"], s["url"])
' "$n1" <<<"$NS_DISC_OUT") || h_fail "idprov discover --json printed invalid JSON: $NS_DISC_OUT"
h_expect_eq "$NS_ADDR_A 5551 /zc/path/directory https://$NS_ADDR_A:5551/zc/path/directory" "$got" "JSON entry of the zeroconf service"
echo "checked: python3-zeroconf services found with path=, directory= and default paths, text and JSON"
h_pass
