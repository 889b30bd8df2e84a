#!/usr/bin/env bash
# idprovctl revoke --certificate FILE / --serial HEX (security review finding 3):
# an admin or plugin certificate the registry never saw can be revoked; it
# is then on the CRL and idprovd refuses it for every role, on the next
# request and after a restart; a device certificate revoked by serial
# revokes its device, which can come back with a new OOB secret.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start
# Another administrator and a plugin, made outside idprovd as the CA
# holder would (openssl): the registry knows neither.
h_device_cert admin2 admin
h_device_cert plug1 plugin
as_admin2() { h_curl --cert "$H_TMP/admin2.pem" --key "$H_TMP/admin2.key" "$@"; }
as_plug1() { h_curl --cert "$H_TMP/plug1.pem" --key "$H_TMP/plug1.key" "$@"; }
hex_serial() { openssl x509 -in "$1" -noout -serial | cut -d= -f2 | sed 's/^\(00\)*//'; }
crl_serials() {
	curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$H_TMP/crl.der" "$H_URL/idprov/crl"
	openssl crl -inform DER -in "$H_TMP/crl.der" -CAfile "$H_CA/ca.pem" -noout -text 2>&1
}

out=$(as_admin2 "$H_URL/idprov/admin/devices")
h_expect_eq 200 "$(h_code "$out")" "admin2 lists devices before the revocation"

# 1. --certificate: an admin certificate, while admin2 holds a keep-alive
# connection open: the next request on it is refused too (the check is per
# request, not per handshake).
mkfifo "$H_TMP/go" "$H_TMP/done"
python3 - "$H_PORT" "$H_CA/ca.pem" "$H_TMP/admin2.pem" "$H_TMP/admin2.key" "$H_TMP/go" "$H_TMP/done" >"$H_TMP/keepalive.out" 2>&1 <<'PY' &
import http.client, ssl, sys
port, ca, cert, key, go, done = sys.argv[1:]
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
c = http.client.HTTPSConnection("127.0.0.1", int(port), context=ctx, timeout=20)
c.request("GET", "/idprov/admin/devices"); r = c.getresponse(); r.read()
print("before", r.status, flush=True)
first = c.sock
open(done, "w").write("1\n")
open(go).read()
c.request("GET", "/idprov/admin/devices"); r = c.getresponse(); body = r.read()
print("after", r.status, body.decode(), "same-connection=%s" % (first is not None and c.sock is first), flush=True)
PY
ka_pid=$!
cat "$H_TMP/done" >/dev/null
ctl_expect_rc 0 "revoke --certificate admin2.pem" ctl revoke --certificate "$H_TMP/admin2.pem" --reason keyCompromise
echo go >"$H_TMP/go"
wait "$ka_pid" || h_fail "the keep-alive client failed: $(cat "$H_TMP/keepalive.out")"
h_expect_contains "$(cat "$H_TMP/keepalive.out")" "before 200" "admin2's keep-alive connection before the revocation"
h_expect_contains "$(cat "$H_TMP/keepalive.out")" "after 403" "the same connection after the revocation"
h_expect_contains "$(cat "$H_TMP/keepalive.out")" "same-connection=True" "both requests went over one connection"
s_admin2=$(hex_serial "$H_TMP/admin2.pem")
h_expect_contains "$OUT" "revoked certificate $s_admin2" "revoke --certificate output names the serial"
out=$(as_admin2 "$H_URL/idprov/admin/devices")
h_expect_eq 403 "$(h_code "$out")" "admin2 after its revocation: devices"
h_expect_contains "$(h_body "$out")" '"error":"the client certificate is revoked"' "the refusal says why"
out=$(as_admin2 -d '{"deviceID":"x1","oobSecret":"s"}' "$H_URL/idprov/oobsecret")
h_expect_eq 403 "$(h_code "$out")" "admin2 after its revocation: OOB secret"
ctl_keypair byadm
pem=$(awk '{printf "%s\\n", $0}' "$H_TMP/byadm.pub")
out=$(as_admin2 -d "{\"deviceID\":\"byadm\",\"ip\":\"192.0.2.5\",\"mac\":\"\",\"publicKeyPEM\":\"$pem\",\"signature\":\"\"}" "$H_URL/idprov/provreq")
h_expect_not_contains "$(h_body "$out")" '"status":"Approved"' "admin2 after its revocation: a request by an administrator"
crl=$(crl_serials)
h_expect_contains "$crl" "verify OK" "the CRL verifies"
h_expect_contains "$crl" "Serial Number: $s_admin2" "the CRL lists admin2"
# The first administrator is not affected.
ctl_expect_rc 0 "the CA's own admin still works" ctl list
echo "checked: an admin certificate revoked by --certificate is refused for every endpoint and listed in the CRL"

# 2. --serial: a plugin certificate, in openssl's colon form.
out=$(as_plug1 "$H_URL/idprov/admin/pending")
h_expect_eq 200 "$(h_code "$out")" "plug1 before its revocation"
s_plug1=$(hex_serial "$H_TMP/plug1.pem")
colon=$(printf '%s' "$s_plug1" | sed 's/../&:/g; s/:$//')
ctl_expect_rc 0 "revoke --serial (colon form)" ctl revoke --serial "$colon"
h_expect_contains "$OUT" "revoked certificate $s_plug1" "revoke --serial output"
out=$(as_plug1 "$H_URL/idprov/admin/pending")
h_expect_eq 403 "$(h_code "$out")" "plug1 after its revocation"
ctl_expect_rc 0 "revoke --serial again" ctl revoke --serial "$s_plug1" --json
h_expect_eq 0 "$(printf '%s' "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revoked"])')" "a second revocation changes nothing"
echo "checked: a plugin certificate revoked by --serial is refused"

# 3. A device certificate by serial: the device is revoked; it comes back
# with a new OOB secret even while presenting the revoked certificate.
ctl oob set cam1 cam1-secret >/dev/null
h_expect_eq "Approved" "$(ctl_provision cam1 cam1-secret --out "$H_TMP/cam1.pem")" "cam1 provisions"
ctl_expect_rc 0 "revoke cam1's certificate by serial" ctl revoke --serial "$(hex_serial "$H_TMP/cam1.pem")"
h_expect_contains "$OUT" "of device cam1" "the answer names the device"
ctl_expect_rc 0 "status of cam1" ctl status cam1
h_expect_contains "$OUT" "Revoked" "cam1 is revoked with its current certificate"
renew=$(ctl_provision cam1 "" --cert "$H_TMP/cam1.pem" --key "$H_TMP/cam1.key" 2>&1 || true)
h_expect_not_contains "$renew" "Approved" "renewal with the certificate revoked by serial"
out=$(h_curl --cert "$H_TMP/cam1.pem" --key "$H_TMP/cam1.key" "$H_URL/idprov/status/cam1")
h_expect_eq 403 "$(h_code "$out")" "status for itself with a revoked certificate"
ctl oob set cam1 cam1-back >/dev/null
h_expect_eq "Approved" "$(ctl_provision cam1 cam1-back --cert "$H_TMP/cam1.pem" --key "$H_TMP/cam1.key")" \
	"cam1 comes back with a new secret while presenting its revoked certificate"
echo "checked: a device certificate revoked by serial"

# 4. Wrong uses.
ctl_expect_rc 2 "revoke with a device and --serial" ctl revoke cam1 --serial 01
ctl_expect_rc 2 "revoke with nothing" ctl revoke
ctl_expect_rc 2 "revoke --serial that is not hex" ctl revoke --serial 0xZZ
mkdir "$H_TMP/other"
"$IDPROVCTL" ca init --dir "$H_TMP/other" >/dev/null 2>&1 || h_fail "a second CA"
rc=0
ctl revoke --certificate "$H_TMP/other/admin.pem" >"$H_TMP/out" 2>"$H_TMP/err" || rc=$?
[ "$rc" -ne 0 ] || h_fail "revoking a certificate of another CA should fail"
h_expect_contains "$(cat "$H_TMP/err")" "not signed by this server's CA" "another CA's certificate is refused by name"
echo "checked: usage errors and a foreign certificate"

# 5. After a restart the CRL is rebuilt from the registry: still refused.
h_server_stop
h_server_start
out=$(as_admin2 "$H_URL/idprov/admin/devices")
h_expect_eq 403 "$(h_code "$out")" "admin2 after a restart"
out=$(h_curl_admin "$H_URL/idprov/admin/devices")
h_expect_eq 200 "$(h_code "$out")" "the CA's admin after a restart"
echo "checked: revocations by serial survive a restart"
h_pass
