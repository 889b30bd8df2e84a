#!/usr/bin/env bash
# kill -9 while `idprov provision` saves an approval (the test hook
# IDPROV_TEST_CRASH_BEFORE_RENAME of lib/core/fileio.h): the next command
# sees all of the approval or none of it, never ca.pem or server.url
# without cert.pem.  Killed while the files are staged (before
# .cert.pem.new is whole): none of it, and a new secret provisions the
# device.  Killed after (just before cert.pem is renamed into place): the
# next command finishes the save, and the certificate is not lost.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start

# staged files left by a killed run
staged() { find "$1" -name '.*' -type f | tr '\n' ' '; }

# ---- killed before the commit point: nothing of the approval is kept
D="$H_TMP/early"
c_post_secret crash1 first
rc=0
IDPROV_TEST_CRASH_BEFORE_RENAME=.cert.pem.new "$IDPROV" provision --device crash1 --secret first \
	--server "$H_URL" --dir "$D" --timeout 5s >"$H_TMP/early.out" 2>&1 || rc=$?
h_expect_eq 137 "$rc" "provision killed while staging .cert.pem.new dies by SIGKILL at the hook ($(cat "$H_TMP/early.out"))"
[ -e "$D/.ca.pem.new" ] || h_fail "expected the killed run to leave .ca.pem.new staged (left: $(staged "$D"))"
h_ok
c_run out rc "$IDPROV" show --dir "$D" --device crash1
h_expect_eq 9 "$rc" "show after a save killed before its commit point: not provisioned (output: $out)"
c_expect_no_trust "$D" "after a save killed before its commit point"
h_expect_eq "" "$(staged "$D")" "staged files left after the next command"
# the secret is spent; a new one provisions the device in the same folder
c_post_secret crash1 second
c_run out rc "$IDPROV" provision --device crash1 --secret second --server "$H_URL" --dir "$D" --timeout 5s
h_expect_eq 0 "$rc" "provisioning with a new secret after the crash (output: $out)"
c_expect_verifies "$D" "after a crash before the commit point and a new secret"
echo "ok: killed before the commit point -> nothing kept, a new secret provisions"

# ---- killed after the commit point: the next command puts it in place
D="$H_TMP/late"
c_post_secret crash2 first
rc=0
IDPROV_TEST_CRASH_BEFORE_RENAME=cert.pem "$IDPROV" provision --device crash2 --secret first \
	--server "$H_URL" --dir "$D" --timeout 5s >"$H_TMP/late.out" 2>&1 || rc=$?
h_expect_eq 137 "$rc" "provision killed just before cert.pem's rename dies by SIGKILL at the hook ($(cat "$H_TMP/late.out"))"
[ ! -e "$D/cert.pem" ] || h_fail "cert.pem in place though the run was killed before its rename"
h_ok
[ -e "$D/.cert.pem.new" ] || h_fail "expected .cert.pem.new staged (left: $(staged "$D"))"
h_ok
c_run out rc "$IDPROV" show --dir "$D" --device crash2
h_expect_eq 0 "$rc" "show after a save killed past its commit point finishes it (output: $out)"
h_expect_contains "$out" "crash2" "show names the device"
c_expect_verifies "$D" "after a crash past the commit point"
h_expect_eq "" "$(staged "$D")" "staged files left after the next command"
h_expect_eq "$H_URL/idprov/directory" "$(cat "$D/server.url")" "server.url put in place"
# and the certificate works: a renewal over mutual TLS
c_run out rc "$IDPROV" renew --dir "$D"
h_expect_eq 0 "$rc" "renewing the certificate a crashed save left staged (output: $out)"
echo "ok: killed past the commit point -> the next command finishes the save"

h_server_stop
h_pass
