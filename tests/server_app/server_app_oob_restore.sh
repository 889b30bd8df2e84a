#!/bin/bash
# Security review finding 4: a provisioning whose issuance fails puts its
# OOB secret back, but not when a revocation removed the secret while the
# request was in flight.  The registry is held locked by another process,
# so the provisioning (which took the secret) waits and fails with a 500;
# meanwhile an admin revokes the device, which removes the secret first.
# Afterwards the old secret must not provision the device.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
# Two workers: the one stuck in the provisioning does not accept, the
# other serves the revocation.
h_server_start --workers 2
db="$H_TMP/idprov.db"

# First, the restore itself: a failed issuance with nothing in between
# leaves the secret usable (the behaviour the fix must keep).
sa_key keep1
h_curl_admin -d '{"deviceID":"keep1","oobSecret":"s-keep"}' "$H_URL/idprov/oobsecret" >/dev/null
{
	echo "BEGIN IMMEDIATE;"
	echo "INSERT INTO meta VALUES('server-app-lock', 1);"
	sleep 7
	echo "ROLLBACK;"
} | sqlite3 "$db" &
lock_pid=$!
sleep 0.5
out=$(h_curl -d "$(sa_body keep1 s-keep)" "$H_URL/idprov/provreq")
wait "$lock_pid" || true
case "$(h_code "$out")" in
200) echo "note: the provisioning outlived the lock; the restore was not exercised" ;;
5??)
	out=$(h_curl -d "$(sa_body keep1 s-keep)" "$H_URL/idprov/provreq")
	h_expect_contains "$(h_body "$out")" '"status":"Approved"' \
		"the secret of a failed issuance is put back when nothing changed meanwhile"
	;;
*) h_fail "provisioning against a locked registry: expected 200 or 5xx, got: $out" ;;
esac
echo "checked: a failed issuance puts the secret back"

# Now a revocation while the secret is out.
sa_key rv1
h_curl_admin -d '{"deviceID":"rv1","oobSecret":"s-rv"}' "$H_URL/idprov/oobsecret" >/dev/null
{
	echo "BEGIN IMMEDIATE;"
	echo "INSERT INTO meta VALUES('server-app-lock', 2);"
	sleep 7
	echo "ROLLBACK;"
} | sqlite3 "$db" &
lock_pid=$!
sleep 0.5
h_curl -d "$(sa_body rv1 s-rv)" "$H_URL/idprov/provreq" >"$H_TMP/prov.out" 2>&1 &
prov_pid=$!
sleep 1
h_curl_admin -d '{"deviceID":"rv1","reason":"stolen"}' "$H_URL/idprov/admin/revoke" >"$H_TMP/revoke.out" 2>&1 &
revoke_pid=$!
wait "$prov_pid" || true
wait "$revoke_pid" || true
wait "$lock_pid" || true
prov=$(cat "$H_TMP/prov.out")
case "$(h_code "$prov")" in
5??) ;;
*) h_fail "the provisioning of rv1 should have failed against the locked registry, got: $prov" ;;
esac
h_ok
# The revocation waited for the lock and went through (rv1 is known as
# waiting since its secret was posted); it removed the secret first.
case "$(h_code "$(cat "$H_TMP/revoke.out")")" in
200) ;;
*) h_fail "the revocation of rv1 should have outlived the lock: $(cat "$H_TMP/revoke.out")" ;;
esac
h_ok
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=all")
rv1=$(python3 -c 'import json,sys; d=[x for x in json.loads(sys.argv[1])["devices"] if x["deviceID"]=="rv1"]; print(d[0]["status"], d[0]["oobPending"] and "secret" or "nosecret")' "$(h_body "$out")")
h_expect_eq "revoked nosecret" "$rv1" "rv1's status and OOB secret after the revocation and the failed issuance"
out=$(h_curl -d "$(sa_body rv1 s-rv)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Rejected"' \
	"the secret removed by a revocation while its issuance failed stays removed"
h_expect_eq 0 "$(sqlite3 "$db" "select count(*) from certificates where device_id='rv1'")" \
	"no certificate issued to rv1"
echo "checked: a revocation during a failed issuance is not undone by the restore"
h_pass
