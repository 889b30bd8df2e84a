#!/usr/bin/env bash
# netns_discovery_e2e: idprovd on host A, a device on host B.  The device
# is given no server URL: `idprov provision` discovers idprovd by DNS-SD
# through B's avahi-daemon, provisions with its OOB secret, and ends with a
# certificate the CA signed; the server records it as approved.  Then
# `idprov run --once` does the same for a second device.
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
name=$(ns_unique_name e2e)
ns_server_start A "$name"
url="https://$NS_ADDR_A:$NS_SRV_PORT"

admin() {	# METHOD PATH [BODY] -> body + "\nHTTP code", as the admin, from host A
	local args=(-sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_CA/admin.pem"
		--key "$H_CA/admin.key" -w '\nHTTP %{http_code}' -X "$1")
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data "$3")
	ns_run A curl "${args[@]}" "$url$2"
}

device=netns-dev-$$
secret="oob-$RANDOM-$RANDOM"
out=$(admin POST /idprov/oobsecret "{\"deviceID\":\"$device\",\"oobSecret\":\"$secret\",\"validUntil\":\"\"}")
h_expect_eq 200 "$(h_code "$out")" "admin posting the OOB secret"

# The device knows nothing but its ID and secret.  Discovery waits for the
# server's announcement itself (bounded by the client's own timeout).
rc=0
ns_run B timeout 120 "$IDPROV" provision --device "$device" --secret "$secret" \
	--dir "$H_TMP/device" --timeout 60s >"$H_TMP/provision.out" 2>&1 || rc=$?
h_expect_eq 0 "$rc" "idprov provision exit status (output: $(tail -n 5 "$H_TMP/provision.out"))"
cert=$(find "$H_TMP/device" -name '*.pem' -newer "$H_CA/ca.pem" -exec grep -l "BEGIN CERTIFICATE" {} + |
	while read -r f; do
		openssl x509 -in "$f" -noout -subject 2>/dev/null | grep -q "CN *= *$device" && echo "$f"
	done | head -n 1)
[ -n "$cert" ] || h_fail "no certificate for CN=$device in the device's folder: $(ls -R "$H_TMP/device")"
h_ok
h_expect_contains "$(openssl verify -CAfile "$H_CA/ca.pem" "$cert" 2>&1)" ": OK" "the device certificate verifies against the CA"
# The device found the server at the announced address, not from any hint.
h_expect_contains "$(grep -rh "$NS_ADDR_A:$NS_SRV_PORT" "$H_TMP/device" "$H_TMP/provision.out" 2>/dev/null | head -n 1)" \
	"$NS_ADDR_A:$NS_SRV_PORT" "the discovered server URL saved or reported by the device"
out=$(admin GET "/idprov/status/$device")
h_expect_eq 200 "$(h_code "$out")" "admin status query"
h_expect_contains "$(h_body "$out")" '"Approved"' "the device's status on the server"
# `idprov run` discovers the same way when it has no server.
device2=netns-run-$$
secret2="oob-$RANDOM-$RANDOM"
out=$(admin POST /idprov/oobsecret "{\"deviceID\":\"$device2\",\"oobSecret\":\"$secret2\",\"validUntil\":\"\"}")
h_expect_eq 200 "$(h_code "$out")" "admin posting the second OOB secret"
rc=0
ns_run B timeout 120 "$IDPROV" run --once --device "$device2" --secret "$secret2" \
	--dir "$H_TMP/device2" --timeout 60s >"$H_TMP/run.out" 2>&1 || rc=$?
h_expect_eq 0 "$rc" "idprov run --once exit status (output: $(tail -n 5 "$H_TMP/run.out"))"
out=$(admin GET "/idprov/status/$device2")
h_expect_contains "$(h_body "$out")" '"Approved"' "the status of the device provisioned by idprov run"
echo "checked: device on host B discovered idprovd on host A by DNS-SD and was provisioned ($cert)"
h_pass
