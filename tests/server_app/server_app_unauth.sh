#!/bin/bash
# Security review finding 2: requests nobody authenticated (no secret
# known, wrong signatures, a lockout) must not change what the registry
# says about an approved or revoked device: anyone on the network can send
# them.  They are recorded in pending and the audit trail; a lockout still
# discards the secret, and still marks a device without a certificate
# "rejected".
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
h_server_start --lockout-after 3
db="$H_TMP/idprov.db"
row() { sqlite3 "$db" "select status,peer,last_seen,ip,key_fingerprint from devices where device_id='$1'"; }
status_of() { sa_field "$(h_body "$(h_curl_admin "$H_URL/idprov/status/$1")")" status; }

# An approved device.
sa_key ok1
h_curl_admin -d '{"deviceID":"ok1","oobSecret":"s-ok"}' "$H_URL/idprov/oobsecret" >/dev/null
out=$(h_curl -d "$(sa_body ok1 s-ok 192.0.2.10)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "ok1 provisioned"
before=$(row ok1)
# A later second, so that a rewritten last_seen would show.
sleep 1.1

# Without a secret: Waiting, recorded in pending, the device row untouched.
sa_key evil
cp "$H_TMP/evil.pub" "$H_TMP/ok1.pub"
out=$(h_curl -d "$(sa_body ok1 whatever 198.51.100.66)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Waiting"' "an unauthenticated request for an approved device"
h_expect_eq "$before" "$(row ok1)" "the approved device's row after a request without a secret"
h_expect_eq "198.51.100.66" "$(sqlite3 "$db" "select ip from pending where device_id='ok1'")" \
	"the request is recorded in pending"
echo "checked: a request without a secret leaves an approved device's row alone"

# A secret posted for it (say, to re-provision), then a lockout by wrong
# signatures: the secret goes, the device stays approved.
h_curl_admin -d '{"deviceID":"ok1","oobSecret":"s-new"}' "$H_URL/idprov/oobsecret" >/dev/null
before=$(row ok1)
for i in 1 2 3; do
	out=$(h_curl -d "$(sa_body ok1 wrong-$i 198.51.100.66)" "$H_URL/idprov/provreq")
	h_expect_contains "$(h_body "$out")" '"status":"Rejected"' "wrong signature $i"
done
h_expect_eq "$before" "$(row ok1)" "the approved device's row after a lockout"
h_expect_eq Approved "$(status_of ok1)" "status of an approved device after a lockout"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved")
h_expect_contains "$(h_body "$out")" '"deviceID":"ok1"' "ok1 still listed as approved"
ok1=$(h_body "$out" | python3 -c 'import json,sys; d=[d for d in json.load(sys.stdin)["devices"] if d["deviceID"]=="ok1"][0]; print(d["oobPending"], d["oobLockedOut"])')
h_expect_eq "False True" "$ok1" "ok1's oobPending and oobLockedOut after the lockout"
line=$("$IDPROVCTL" list --approved --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_CA/admin.pem" \
	--key "$H_CA/admin.key" | grep '^ok1 ')
h_expect_contains "$line" "locked out" "idprovctl list shows ok1's lockout"
h_expect_contains "$(sqlite3 "$db" "select reason from audit where device_id='ok1' and outcome='rejected'")" \
	"too many wrong signatures" "the lockout is in the audit trail"
# The discarded secret no longer works (the lockout did its job).
out=$(h_curl -d "$(sa_body ok1 s-new 198.51.100.66)" "$H_URL/idprov/provreq")
h_expect_not_contains "$(h_body "$out")" '"status":"Approved"' "the right secret after the lockout"
echo "checked: a lockout discards the secret but leaves an approved device approved"

# A revoked device stays revoked.
sa_key rv1
h_curl_admin -d '{"deviceID":"rv1","oobSecret":"s-rv"}' "$H_URL/idprov/oobsecret" >/dev/null
out=$(h_curl -d "$(sa_body rv1 s-rv)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '"status":"Approved"' "rv1 provisioned"
out=$(h_curl_admin -d '{"deviceID":"rv1"}' "$H_URL/idprov/admin/revoke")
h_expect_eq 200 "$(h_code "$out")" "rv1 revoked"
sleep 1.1
h_curl_admin -d '{"deviceID":"rv1","oobSecret":"s-rv2"}' "$H_URL/idprov/oobsecret" >/dev/null
before=$(row rv1)
for i in 1 2 3; do
	h_curl -d "$(sa_body rv1 wrong-$i)" "$H_URL/idprov/provreq" >/dev/null
done
out=$(h_curl -d "$(sa_body rv1 none)" "$H_URL/idprov/provreq")
h_expect_eq "$before" "$(row rv1)" "the revoked device's row after a lockout and a request without a secret"
h_expect_eq Revoked "$(status_of rv1)" "status of a revoked device after a lockout"
echo "checked: a revoked device stays revoked"

# A device without a certificate is still marked by a lockout.
sa_key w1
h_curl_admin -d '{"deviceID":"w1","oobSecret":"s-w"}' "$H_URL/idprov/oobsecret" >/dev/null
for i in 1 2 3; do
	h_curl -d "$(sa_body w1 wrong-$i)" "$H_URL/idprov/provreq" >/dev/null
done
h_expect_eq rejected "$(sqlite3 "$db" "select status from devices where device_id='w1'")" \
	"a waiting device locked out"
h_expect_eq Rejected "$(status_of w1)" "status of a locked-out device without a certificate"
echo "checked: a lockout still marks a device without a certificate rejected"
h_pass
