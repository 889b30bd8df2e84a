#!/usr/bin/env bash
# The installed example configuration is one idprovd accepts: the installed
# idprovd starts with --config /etc/idprov/idprovd.conf as installed (its
# paths moved to a scratch folder by flags, since a flag beats the file) and
# serves; then again with every commented-out setting turned on.  A typo in
# it is refused with its line named, so the check has teeth.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

i_install
conf="$I_ROOT/etc/idprov/idprovd.conf"
h_ca_init

# h_server_start adds --ca-dir, --listen, --ready-file, --no-dnssd and --db.
serve_with() {
	h_server_start --config "$1" "${@:2}"
	local out
	out=$(h_curl "$H_URL/idprov/directory")
	h_expect_eq 200 "$(h_code "$out")" "GET /idprov/directory from idprovd --config $(basename "$1") ($out)"
	h_expect_contains "$(h_body "$out")" "\"caCert\":\"LS0tLS1CRUdJTi" "the directory's CA (base64 PEM)"
}

serve_with "$conf"
h_expect_not_contains "$(cat "$H_TMP/idprovd.log")" "error" "idprovd's log with the example configuration"
h_server_stop
echo "checked: the installed idprovd serves with the installed idprovd.conf as it is"

# Every ";key = value" line turned on: all are valid and at their defaults.
# The CA files and the ready file named there are moved by flags too.
sed -E 's/^;([a-z_]+ = )/\1/' "$conf" >"$H_TMP/all.conf"
n=$(grep -cE '^;[a-z_]+ = ' "$conf")
[ "$n" -ge 20 ] || h_fail "the example should show every setting (at least 20) commented out, found $n"
h_ok
h_expect_eq 0 "$(grep -cE '^;[a-z_]+ = ' "$H_TMP/all.conf")" "commented-out settings left after turning them on"
serve_with "$H_TMP/all.conf" --ca-cert "$H_CA/ca.pem" --ca-key "$H_CA/ca.key" \
	--cert "$H_CA/server.pem" --key "$H_CA/server.key"
h_expect_contains "$(h_body "$(h_curl "$H_URL/idprov/directory")")" "mqtts://hub.example:8883" "the directory's services with [services] turned on"
h_server_stop
echo "checked: with all $n commented-out settings turned on, idprovd serves too"

# The check can fail: a misspelt key stops idprovd with the line named.
sed 's/^;idle_timeout = /idle_timout = /' "$conf" >"$H_TMP/typo.conf"
rc=0
out=$("$IDPROVD" --config "$H_TMP/typo.conf" --ca-dir "$H_CA" --db "$H_TMP/t.db" \
	--listen 127.0.0.1:0 --no-dnssd 2>&1) || rc=$?
h_expect_eq 1 "$rc" "idprovd's exit status with a misspelt key"
h_expect_contains "$out" "typo.conf line $(grep -n '^idle_timout' "$H_TMP/typo.conf" | cut -d: -f1)" "the error names the line"
echo "checked: a misspelt key is refused with its line"
h_pass
