#!/usr/bin/env bash
# server_restart: a restart (SIGTERM, exit 0, start again on the same
# database) keeps the registry and forgets every OOB secret (WIRE.md: "a
# server restart MUST forget them all").
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start
s_keypair k1

s_oob rs-dev1 secret-1
s_provreq "$H_TMP/r.json" rs-dev1 secret-1 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-1 Approved "provisioning of rs-dev1"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/rs-dev1.pem"
cp "$H_TMP/k1.key" "$H_TMP/rs-dev1.key"
s_oob rs-dev2 secret-2
s_provreq "$H_TMP/r.json" rs-dev3 x k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "rs-dev3 asking without a secret"
status1=$(h_body "$(h_curl_admin "$H_URL/idprov/status/rs-dev1")")
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=waiting")
h_expect_contains "$(h_body "$out")" '"deviceID":"rs-dev2"' "rs-dev2 (secret posted) listed as waiting"
pending_of() { h_body "$(h_curl_admin "$H_URL/idprov/admin/devices?status=waiting")" |
	/usr/bin/python3 -c 'import json,sys; print([d["oobPending"] for d in json.load(sys.stdin)["devices"] if d["deviceID"] == sys.argv[1]])' "$1"; }
h_expect_eq "[True]" "$(pending_of rs-dev2)" "oobPending of rs-dev2 before the restart"

h_server_stop
out=$(sqlite3 "$H_TMP/idprov.db" 'PRAGMA integrity_check')
h_expect_eq ok "$out" "registry integrity after SIGTERM"
h_server_start

# the secret is gone
h_expect_eq "[False]" "$(pending_of rs-dev2)" "oobPending of rs-dev2 after the restart (secrets forgotten)"
s_provreq "$H_TMP/r.json" rs-dev2 secret-2 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq with a secret posted before the restart"
# the registry is not
out=$(h_curl_admin "$H_URL/idprov/status/rs-dev1")
s_expect_code 200 "$out" "status of rs-dev1 after the restart"
h_expect_eq "$status1" "$(h_body "$out")" "status of rs-dev1 unchanged by the restart"
h_expect_eq "$(s_probe status-body --id rs-dev1 --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/rs-dev1.pem")" \
	"$(h_body "$out")" "status of rs-dev1 names its certificate after the restart"
out=$(h_curl_admin "$H_URL/idprov/status/rs-dev3")
s_expect_code 200 "$out" "status of the waiting rs-dev3 after the restart"
h_expect_eq Waiting "$(h_body "$out" | s_probe field status)" "rs-dev3 still known as waiting"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved")
s_expect_code 200 "$out" "admin device list after the restart"
serial=$(s_serial_hex "$H_TMP/rs-dev1.pem")
h_expect_contains "$(h_body "$out" | tr a-f A-F)" "$serial" "rs-dev1's serial in the device list after the restart"
# and the device can renew with the certificate issued before the restart
s_provreq "$H_TMP/r.json" rs-dev1 "" k1 --cert "$H_TMP/rs-dev1.pem" --key "$H_TMP/rs-dev1.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "renewal after the restart"
# a new secret after the restart works
s_oob rs-dev2 secret-2b
s_provreq "$H_TMP/r.json" rs-dev2 secret-2b k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-2b Approved "provreq with a secret posted after the restart"

h_server_stop
h_pass
