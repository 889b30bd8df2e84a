#!/usr/bin/env bash
# idprovctl issue, status and list against a real idprovd: an admin gets a
# certificate for a device's key, status shows it (human and --json), list
# shows approved, waiting and pending devices (human and --json).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start

# issue: an admin's request on a device's behalf (a later issue supersedes
# the earlier certificate, so the one kept in a file comes last)
ctl_keypair gw1
ctl_expect_rc 0 "issue to stdout" ctl issue gw1 --pubkey "$H_TMP/gw1.pub"
h_expect_contains "$OUT" "BEGIN CERTIFICATE" "issue without --out prints the PEM"
ctl_expect_rc 0 "issue gw1" ctl issue gw1 --pubkey "$H_TMP/gw1.pub" --out "$H_TMP/gw1.pem"
h_expect_contains "$OUT" "issued a certificate for gw1" "issue output"
v=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/gw1.pem" 2>&1)
h_expect_contains "$v" "OK" "the issued certificate chains to the CA"
h_expect_contains "$(openssl x509 -in "$H_TMP/gw1.pem" -noout -subject)" "CN = gw1" "issued CN"
[ "$(openssl x509 -in "$H_TMP/gw1.pem" -noout -pubkey)" = "$(cat "$H_TMP/gw1.pub")" ] || h_fail "the issued certificate is not for gw1's key"
h_ok
ctl_expect_rc 5 "issue onto an existing file" ctl issue gw1 --pubkey "$H_TMP/gw1.pub" --out "$H_TMP/gw1.pem"
printf 'not a key\n' >"$H_TMP/junk.pub"
ctl_expect_rc 4 "issue with a bad key file" ctl issue gw2 --pubkey "$H_TMP/junk.pub"
h_expect_contains "$ERR" "junk.pub" "bad key sentence"
# the device renews with the certificate the admin got for it
h_expect_eq "Approved" "$(ctl_provision gw1 "" --cert "$H_TMP/gw1.pem" --key "$H_TMP/gw1.key")" "renewal with the issued certificate"

# status, human and JSON
serial=$(openssl x509 -in "$H_TMP/gw1.pem" -noout -serial | cut -d= -f2)
ctl_expect_rc 0 "status gw1" ctl status gw1
h_expect_contains "$OUT" "Approved" "status gw1"
h_expect_contains "$OUT" "certificate  serial" "status shows a certificate"
ctl_expect_rc 0 "status gw1 --json" ctl status gw1 --json
h_expect_eq "Approved" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$H_TMP/out")" "status --json status"
# never heard of: Waiting, as the Go reference answers (interop M1)
ctl_expect_rc 0 "status of an unknown device" ctl status ghost
h_expect_contains "$OUT" "Waiting" "status of an unknown device"

# a device asks before any secret: pending; one with a posted secret: waiting
h_expect_eq "Waiting" "$(ctl_provision early1 whatever)" "early1 asks without a secret"
ctl oob set late1 late-secret >/dev/null
ctl_expect_rc 0 "list --pending" ctl list --pending
h_expect_contains "$OUT" "early1" "list --pending shows early1"
h_expect_contains "$OUT" "DEVICE" "list --pending has a header"
ctl_expect_rc 0 "list --pending --json" ctl list --pending --json
h_expect_eq "early1" "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(p["deviceID"] for p in d["pending"]))' "$H_TMP/out")" "list --pending --json"
ctl_expect_rc 0 "list --approved" ctl list --approved
h_expect_contains "$OUT" "gw1" "list --approved shows gw1"
h_expect_not_contains "$OUT" "early1" "list --approved hides early1"
ctl_expect_rc 0 "list --json" ctl list --json
all=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["total"], " ".join(sorted(x["deviceID"] for x in d["devices"])))' "$H_TMP/out")
h_expect_contains "$all" "gw1" "list --json has gw1"
ctl_expect_rc 0 "list" ctl list
h_expect_contains "$OUT" "gw1" "list shows gw1"
h_pass
