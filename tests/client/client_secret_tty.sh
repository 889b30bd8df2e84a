#!/usr/bin/env bash
# `idprov provision --secret-stdin` with the secret typed on a terminal, as
# a technician at a device's console does: it asks for it, does not echo
# it, and goes on at Enter (it used to wait for 4 KiB or Ctrl-D, showing
# the secret as typed).  The terminal is a real pty made by script(1); the
# typing stays open afterwards, so only Enter can end the read.
source "$IDPROV_SRC/tests/lib/harness.sh"
command -v script >/dev/null || h_skip "needs script(1) (bsdutils) for a pseudo-terminal"

h_ca_init
h_server_start
secret=TYPED-ON-THE-CONSOLE-7Q2M
"$IDPROVCTL" oob set tty-1 "$secret" --server "$H_URL" --ca "$H_CA/ca.pem" \
	--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null ||
	h_fail "idprovctl oob set tty-1 should succeed"

# The keyboard: the secret and Enter after a second, then silence (no end
# of input) until the test is over.
keyboard() { sleep 1; printf '%s\r' "$secret"; exec sleep 60; }
exec 3< <(keyboard)
keyboard_pid=$!
rc=0
timeout 40 script -qec "'$IDPROV' provision --device tty-1 --secret-stdin --server '$H_URL' --dir '$H_TMP/state' --timeout 30s" \
	/dev/null <&3 >"$H_TMP/screen" 2>&1 || rc=$?
exec 3<&-
kill "$keyboard_pid" 2>/dev/null || true
screen=$(tr -d '\r' <"$H_TMP/screen")
[ "$rc" != 124 ] || h_fail "idprov provision --secret-stdin on a terminal should go on at Enter, but was still reading after 40 s: ${screen:0:300}"
h_expect_eq 0 "$rc" "exit status of idprov provision --secret-stdin on a terminal (screen: ${screen:0:300})"
h_expect_contains "$screen" "OOB secret for tty-1: " "the prompt on the terminal"
h_expect_contains "$screen" "provisioned tty-1" "the outcome on the terminal"
h_expect_not_contains "$screen" "$secret" "the terminal (the secret must not be echoed)"
[ -s "$H_TMP/state/cert.pem" ] || h_fail "the state folder should hold cert.pem after provisioning"
h_ok
echo "checked: on a terminal --secret-stdin prompts, does not echo, reads one line, and provisions"

# Not a terminal: standard input as before, no prompt.
rc=0
printf '%s\n' "$secret" | "$IDPROV" provision --device tty-2 --secret-stdin \
	--server "$H_URL" --dir "$H_TMP/state2" --timeout 1s >"$H_TMP/out" 2>"$H_TMP/err" || rc=$?
h_expect_eq 3 "$rc" "exit status of a piped secret for a device without one posted (still Waiting)"
h_expect_not_contains "$(cat "$H_TMP/err")" "OOB secret for" "stderr of a piped --secret-stdin (no prompt)"
echo "checked: a piped secret gets no prompt"
h_pass
