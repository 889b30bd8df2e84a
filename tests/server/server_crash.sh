#!/usr/bin/env bash
# server_crash: kill -9 idprovd in the middle of a burst of provisionings
# (100 devices, 8 at a time, secrets posted beforehand).  Every certificate
# a client actually received must be in the registry after the restart
# (the registry commits before it answers), and SQLite must be intact.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start
mkdir -p "$H_TMP/keys" "$H_TMP/got"
: >"$H_TMP/devices.txt"
for i in $(seq -w 1 100); do
	dev="crash-$i"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
		openssl pkey -pubout -out "$H_TMP/keys/$dev.pub"
	s_oob "$dev" "secret-$dev"
	echo "$dev secret-$dev $H_TMP/keys/$dev.pub" >>"$H_TMP/devices.txt"
done
echo "100 secrets posted"

s_probe burst --port "$H_PORT" --ca "$H_CA/ca.pem" --list "$H_TMP/devices.txt" --threads 8 \
	--out "$H_TMP/got" >"$H_TMP/burst.out" 2>&1 &
burst_pid=$!
# kill -9 once a fair share of the certificates went out
for _ in $(seq 1200); do
	n=$(find "$H_TMP/got" -name '*.pem' | wc -l)
	[ "$n" -ge 20 ] && break
	kill -0 "$burst_pid" 2>/dev/null || break
	sleep 0.05
done
kill -KILL "$H_PID"
wait "$H_PID" 2>/dev/null || true
killed_at=$(find "$H_TMP/got" -name '*.pem' | wc -l)
wait "$burst_pid" || h_fail "the burst client failed: $(cat "$H_TMP/burst.out")"
cat "$H_TMP/burst.out"
grep -q 'other=0' "$H_TMP/burst.out" || h_fail "some answers of the burst were wrong: $(cat "$H_TMP/burst.out")"
h_ok
got=$(find "$H_TMP/got" -name '*.pem' | wc -l)
echo "killed with $killed_at certificates received, $got in all"
[ "$got" -ge 1 ] || h_fail "no certificate was received before the kill"
[ "$got" -lt 100 ] || echo "note: every device was served before the kill took effect"

out=$(sqlite3 "$H_TMP/idprov.db" 'PRAGMA integrity_check')
h_expect_eq ok "$out" "PRAGMA integrity_check after kill -9"

h_server_start
out=$(h_curl_admin "$H_URL/idprov/admin/devices?status=approved&limit=1000")
s_expect_code 200 "$out" "admin device list after the restart"
list=$(h_body "$out" | tr a-f A-F)
sqlite3 "$H_TMP/idprov.db" .dump | tr a-f A-F >"$H_TMP/dump.sql"
for pem in "$H_TMP"/got/*.pem; do
	dev=$(basename "$pem" .pem)
	serial=$(s_serial_hex "$pem")
	h_expect_contains "$list" "$serial" "serial of the certificate $dev received, in the admin device list"
	dec=$(/usr/bin/python3 -c "print(int('$serial', 16))")
	grep -q -e "$serial" -e "$dec" "$H_TMP/dump.sql" ||
		h_fail "serial $serial (received by $dev) is not in the SQLite registry"
	h_ok
	out=$(h_curl_admin "$H_URL/idprov/status/$dev")
	h_expect_eq "$(s_probe status-body --id "$dev" --status Approved --ca "$H_CA/ca.pem" --cert "$pem")" \
		"$(h_body "$out")" "status of $dev names the certificate it received"
done
echo "all $got received certificates are in the registry"

# the secrets died with the process: a device that got nothing now waits
for i in $(seq -w 1 100); do
	dev="crash-$i"
	[ -f "$H_TMP/got/$dev.pem" ] && continue
	s_probe provreq-body --id "$dev" --ip 192.0.2.1 --pub "$H_TMP/keys/$dev.pub" --secret "secret-$dev" >"$H_TMP/req.json"
	curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/r.json" -X POST \
		-H 'Content-Type: application/json' --data-binary @"$H_TMP/req.json" "$H_URL/idprov/provreq"
	s_expect_resp "$H_TMP/r.json" "" Waiting "$dev after the crash (secret forgotten)"
	break
done
# and the server provisions again
s_keypair k1
s_oob crash-new secret-new
s_provreq "$H_TMP/r.json" crash-new secret-new k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-new Approved "a provisioning after the crash"

# A revocation answered 200 survives a kill -9 right after it: the device
# stays revoked and its certificate stays on the CRL.
victim=$(basename "$(find "$H_TMP/got" -name '*.pem' | sort | head -n 1)" .pem)
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	--data-binary "{\"deviceID\":\"$victim\",\"reason\":\"keyCompromise\"}" "$H_URL/idprov/admin/revoke")
s_expect_code 200 "$out" "revoking $victim"
kill -KILL "$H_PID"
wait "$H_PID" 2>/dev/null || true
h_server_start
out=$(h_curl_admin "$H_URL/idprov/status/$victim")
h_expect_eq Revoked "$(h_body "$out" | s_probe field status)" "$victim still revoked after kill -9"
curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" "$H_URL/idprov/crl"
crl=$(openssl crl -inform DER -in "$H_TMP/crl.der" -noout -text | sed -n 's/.*Serial Number: *//p' |
	tr a-f A-F | sed 's/^0*//')
h_expect_contains $'\n'"$crl"$'\n' $'\n'"$(s_serial_hex "$H_TMP/got/$victim.pem")"$'\n' \
	"$victim's certificate on the CRL after kill -9"

# Graceful stop: SIGTERM in the middle of a second burst.  The server
# answers the requests it is reading (docs/server-config.md "Signals"):
# no answer is cut in the middle, it exits 0, and what was received is in
# the registry.
mkdir -p "$H_TMP/got2"
: >"$H_TMP/devices2.txt"
for i in $(seq -w 1 60); do
	dev="term-$i"
	s_oob "$dev" "secret-$dev"
	echo "$dev secret-$dev $H_TMP/keys/crash-0$i.pub" >>"$H_TMP/devices2.txt"
done
s_probe burst --port "$H_PORT" --ca "$H_CA/ca.pem" --list "$H_TMP/devices2.txt" --threads 8 \
	--out "$H_TMP/got2" >"$H_TMP/burst2.out" 2>&1 &
burst_pid=$!
for _ in $(seq 1200); do
	[ "$(find "$H_TMP/got2" -name '*.pem' | wc -l)" -ge 10 ] && break
	kill -0 "$burst_pid" 2>/dev/null || break
	sleep 0.05
done
h_server_stop
wait "$burst_pid" || h_fail "the second burst client failed: $(cat "$H_TMP/burst2.out")"
cat "$H_TMP/burst2.out"
grep -q 'cut=0 other=0' "$H_TMP/burst2.out" ||
	h_fail "SIGTERM cut answers in the middle or gave wrong ones: $(cat "$H_TMP/burst2.out")"
h_ok
out=$(sqlite3 "$H_TMP/idprov.db" 'PRAGMA integrity_check')
h_expect_eq ok "$out" "PRAGMA integrity_check after SIGTERM"
h_server_start
for pem in "$H_TMP"/got2/*.pem; do
	[ -f "$pem" ] || continue
	dev=$(basename "$pem" .pem)
	out=$(h_curl_admin "$H_URL/idprov/status/$dev")
	h_expect_eq "$(s_probe status-body --id "$dev" --status Approved --ca "$H_CA/ca.pem" --cert "$pem")" \
		"$(h_body "$out")" "status of $dev after the graceful stop"
done

# A registry another process holds locked for 7 s: the provisioning either
# waits and succeeds, or fails with a 5xx and leaves the secret usable;
# meanwhile the server keeps answering what needs no write.
s_oob busy-1 secret-busy
{
	echo "BEGIN IMMEDIATE;"
	echo "INSERT INTO meta VALUES('server-tests-lock', 1);"
	sleep 7
	echo "ROLLBACK;"
} | sqlite3 "$H_TMP/idprov.db" &
lock_pid=$!
sleep 0.5
code=$(s_provreq "$H_TMP/r.json" busy-1 secret-busy k1 || true)
s_alive "a provisioning against a locked registry"
wait "$lock_pid" || true
case "$code" in
200) s_expect_resp "$H_TMP/r.json" secret-busy Approved "provisioning that waited for the locked registry" ;;
5??)
	s_provreq "$H_TMP/r.json" busy-1 secret-busy k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" secret-busy Approved "the secret survives a provisioning the locked registry failed ($code)"
	;;
*) h_fail "provisioning against a locked registry: expected 200 or 5xx, got $code: $(cat "$H_TMP/r.json")" ;;
esac
s_field "$H_TMP/r.json" clientCert >"$H_TMP/busy.pem"
out=$(h_curl_admin "$H_URL/idprov/status/busy-1")
h_expect_eq "$(s_probe status-body --id busy-1 --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/busy.pem")" \
	"$(h_body "$out")" "the certificate busy-1 received is the registered one"

h_server_stop
out=$(sqlite3 "$H_TMP/idprov.db" 'PRAGMA integrity_check')
h_expect_eq ok "$out" "PRAGMA integrity_check at the end"
h_pass
