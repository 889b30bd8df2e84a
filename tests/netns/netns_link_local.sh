#!/usr/bin/env bash
# netns_link_local: with IPv6 on, idprovd listening on [::] is discovered
# over IPv6 link-local too, and the URL `idprov discover` prints for it
# (https://[fe80::...%25veth0]:PORT/idprov/directory) really reaches the
# server with full TLS verification (the test CA names that address).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/netns/netns_lib.sh"
h_require_root
ns_require_programs

ns_setup
ns_start_bus A
NS_AVAHI_IPV6=yes ns_start_avahi A
ns_start_bus B
NS_AVAHI_IPV6=yes ns_start_avahi B
ll_a=$(ip -n "$NS_A" -6 addr show dev veth0 scope link | awk '/inet6/ {sub(/\/.*/, "", $2); print $2; exit}')
[ -n "$ll_a" ] || h_fail "host A has no IPv6 link-local address on veth0"
h_ca_init --hosts "$NS_ADDR_A,$ll_a"
name=$(ns_unique_name ll)

ready="$H_TMP/ready-ll"
ns_bg A "$H_TMP/idprovd-ll.log" "$IDPROVD" --ca-dir "$H_CA" --listen "[::]:0" \
	--ready-file "$ready" --db "$H_TMP/ll.db" --dnssd-name "$name"
NS_SRV_LOG="$H_TMP/idprovd-ll.log"
for _ in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
[ -s "$ready" ] || h_fail "idprovd did not become ready in 10 s: $(tail -n 5 "$NS_SRV_LOG")"
port=$(head -n 1 "$ready"); port=${port##*:}

want="$name	https://[$ll_a%25veth0]:$port/idprov/directory"
deadline=$((SECONDS + 20))
while :; do
	ns_discover B --timeout 5s
	grep -qF "$want" <<<"$NS_DISC_OUT" && break
	[ $SECONDS -lt $deadline ] || h_fail "expected '$want' from idprov discover within 20 s, got: $NS_DISC_OUT / $NS_DISC_ERR"
	sleep 0.5
done
h_ok
url=${want#*	}
code=$(ns_run B curl -sS -o "$H_TMP/dir.json" --max-time 20 --cacert "$H_CA/ca.pem" -w '%{http_code}' "$url" 2>"$H_TMP/curl.err" || true)
h_expect_eq 200 "$code" "GET of the discovered link-local URL, TLS verified ($(cat "$H_TMP/curl.err"))"
h_expect_contains "$(cat "$H_TMP/dir.json")" '"postProvisionRequest"' "the directory fetched over IPv6 link-local"
echo "checked: idprovd discovered at $url and its directory fetched there with TLS verification"
h_pass
