#!/usr/bin/env bash
# idprovctl revoke and crl: after a revoke the device's renewal fails, the
# CRL lists its serial, and `openssl crl -CAfile ca.pem` verifies the CRL
# idprovctl saved.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start

ctl_expect_rc 0 "crl before any revocation" ctl crl
h_expect_contains "$OUT" "Signature: good (signed by the CA)" "crl signature line"
h_expect_contains "$OUT" "No Revoked Certificates." "empty CRL"

ctl oob set cam1 cam1-secret >/dev/null
h_expect_eq "Approved" "$(ctl_provision cam1 cam1-secret --out "$H_TMP/cam1.pem")" "cam1 provisions"
serial=$(openssl x509 -in "$H_TMP/cam1.pem" -noout -serial | cut -d= -f2)
[ -n "$serial" ] || h_fail "no serial in cam1's certificate"
# renewal works before the revocation
h_expect_eq "Approved" "$(ctl_provision cam1 "" --cert "$H_TMP/cam1.pem" --key "$H_TMP/cam1.key")" "renewal before revoke"

ctl_expect_rc 0 "revoke cam1" ctl revoke cam1 --reason keyCompromise
h_expect_contains "$OUT" "revoked cam1:" "revoke output"
n=$(printf '%s' "$OUT" | sed -n 's/.*: \([0-9]*\) certificate.*/\1/p')
[ "${n:-0}" -ge 1 ] || h_fail "revoke said '$OUT', expected at least 1 certificate"
h_ok

# renewal with the revoked certificate fails (Rejected, or the handshake or
# HTTP refusal if the server checks the CRL there)
renew=$(ctl_provision cam1 "" --cert "$H_TMP/cam1.pem" --key "$H_TMP/cam1.key" 2>&1 || true)
h_expect_not_contains "$renew" "Approved" "renewal after revoke"

ctl_expect_rc 0 "status of the revoked device" ctl status cam1
h_expect_contains "$OUT" "Revoked" "status after revoke"
ctl_expect_rc 0 "list --revoked" ctl list --revoked
h_expect_contains "$OUT" "cam1" "list --revoked"

# the CRL as text and JSON lists the serial(s) with the reason
ctl_expect_rc 0 "crl after revoke" ctl crl
h_expect_contains "$OUT" "Serial Number: $serial" "CRL text lists the serial"
h_expect_contains "$OUT" "Reason: keyCompromise" "CRL text reason"
ctl_expect_rc 0 "crl --json" ctl crl --json
S="$serial" python3 -c 'import json,os,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if any(r["serial"] == os.environ["S"] and r["reason"] == "keyCompromise" for r in d["revoked"]) else 1)' "$H_TMP/out" ||
	h_fail "crl --json does not list $serial with reason keyCompromise: $OUT"
h_ok

# saved as DER, openssl verifies it against the CA and lists the serial
ctl_expect_rc 0 "crl --out" ctl crl --out "$H_TMP/crl.der"
verify=$(openssl crl -inform DER -in "$H_TMP/crl.der" -CAfile "$H_CA/ca.pem" -noout -text 2>&1)
h_expect_contains "$verify" "verify OK" "openssl crl -CAfile verifies the CRL"
h_expect_contains "$verify" "Serial Number: $serial" "openssl lists the revoked serial"
ctl_expect_rc 5 "crl --out onto an existing file" ctl crl --out "$H_TMP/crl.der"
ctl_expect_rc 0 "crl --out --force" ctl crl --out "$H_TMP/crl.der" --force

# a device the server does not know
ctl_expect_rc 1 "revoke of an unknown device" ctl revoke nobody
h_expect_contains "$ERR" "revoking nobody" "unknown device sentence"
h_pass
