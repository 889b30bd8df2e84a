#!/usr/bin/env bash
# idprovctl's refusals in plain sentences: a device certificate used as an
# admin's, no certificate, a server the CA does not vouch for, a server that
# is not there, bad certificate files; and the exit codes of each.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start
h_device_cert sensor1

as_device() {
	"$IDPROVCTL" "$@" --server "$H_URL" --ca "$H_CA/ca.pem" \
		--cert "$H_TMP/sensor1.pem" --key "$H_TMP/sensor1.key"
}
no_cert() { "$IDPROVCTL" "$@" --server "$H_URL" --ca "$H_CA/ca.pem"; }

printf 'd1,s1\n' >"$H_TMP/one.csv"
for cmd in "oob set d1 s1" "oob import $H_TMP/one.csv" "list" "list --pending" "revoke d1" "status d1"; do
	# shellcheck disable=SC2086
	ctl_expect_rc 1 "'$cmd' with a device certificate" as_device $cmd
	h_expect_contains "$ERR" "the server refused the certificate $H_TMP/sensor1.pem: its OU is iotdevice, not admin" "'$cmd' as a device"
	# shellcheck disable=SC2086
	ctl_expect_rc 1 "'$cmd' without a certificate" no_cert $cmd
	h_expect_contains "$ERR" "no client certificate was given" "'$cmd' without a certificate"
done
# nothing of that reached the registry
ctl_expect_rc 0 "list after the refused posts" ctl list
h_expect_not_contains "$OUT" "d1" "the device list after the refused posts"
h_expect_eq "Waiting" "$(ctl_provision d1 s1)" "the refused secret was not stored"

# an admin certificate of another OU (ours: 403 for anything but admin/plugin)
h_device_cert op1 operator
ctl_expect_rc 1 "list with OU operator" "$IDPROVCTL" list --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_TMP/op1.pem" --key "$H_TMP/op1.key"
h_expect_contains "$ERR" "its OU is operator, not admin" "OU operator sentence"
# a plugin certificate is an administrator
h_device_cert plug1 plugin
ctl_expect_rc 0 "list with OU plugin" "$IDPROVCTL" list --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_TMP/plug1.pem" --key "$H_TMP/plug1.key"

# a server whose certificate our CA did not sign: exit 3
mkdir -p "$H_TMP/other"
"$IDPROVCTL" ca init --dir "$H_TMP/other" >/dev/null 2>&1 || h_fail "second ca init failed"
ctl_expect_rc 3 "a server not signed by --ca" "$IDPROVCTL" list --server "$H_URL" --ca "$H_TMP/other/ca.pem" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key"
h_expect_contains "$ERR" "is not trusted by the CA $H_TMP/other/ca.pem" "untrusted server sentence"

# an admin certificate of another CA: the handshake fails, exit 3
ctl_expect_rc 3 "an admin certificate of another CA" "$IDPROVCTL" list --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_TMP/other/admin.pem" --key "$H_TMP/other/admin.key"
h_expect_contains "$ERR" "the certificate $H_TMP/other/admin.pem is not signed by its CA" "foreign admin certificate sentence"

# issue without the admin's right is not approved (the server falls back to
# the OOB rules: no secret, so Waiting)
ctl_keypair k1
ctl_expect_rc 1 "issue with a device certificate" as_device issue k1 --pubkey "$H_TMP/k1.pub"
h_expect_contains "$ERR" "not Approved" "issue as a device"
ctl_expect_rc 1 "issue without a certificate" no_cert issue k1 --pubkey "$H_TMP/k1.pub"

# nobody listening: exit 3
ctl_expect_rc 3 "nothing listening" "$IDPROVCTL" list --server https://127.0.0.1:1 --ca "$H_CA/ca.pem" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key"
h_expect_contains "$ERR" "cannot reach the server https://127.0.0.1:1" "unreachable sentence"

# an http:// URL is refused before anything is sent: exit 2
ctl_expect_rc 2 "http URL" "$IDPROVCTL" list --server "http://127.0.0.1:$H_PORT"
h_expect_contains "$ERR" "only over HTTPS" "http URL sentence"

# bad local files: exit 4, naming the file
ctl_expect_rc 4 "missing certificate file" "$IDPROVCTL" list --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_TMP/nope.pem" --key "$H_CA/admin.key"
h_expect_contains "$ERR" "$H_TMP/nope.pem" "missing certificate sentence"
ctl_expect_rc 4 "key of another certificate" "$IDPROVCTL" list --server "$H_URL" --ca "$H_CA/ca.pem" --cert "$H_CA/admin.pem" --key "$H_TMP/sensor1.key"
h_expect_contains "$ERR" "does not belong to the certificate" "mismatched key sentence"

# usage errors: exit 2
ctl_expect_rc 2 "unknown command" "$IDPROVCTL" frobnicate
h_expect_contains "$ERR" "unknown command 'frobnicate'" "unknown command sentence"
ctl_expect_rc 2 "half a command" "$IDPROVCTL" --server "$H_URL" oob
h_expect_contains "$ERR" "'oob' is followed by one of: set import generate" "half a command sentence"
ctl_expect_rc 2 "unknown option" ctl list --bogus
h_expect_contains "$ERR" "--bogus" "unknown option sentence"
ctl_expect_rc 2 "two filters" ctl list --approved --revoked
h_pass
