#!/usr/bin/env bash
# What a new user sees who runs `idprov show` or `idprov renew` as the
# README writes them (--dir only) before the device has its certificate:
# exit 9 ("not provisioned") and a sentence that says so, not one that reads
# as a missing option; and no state folder left behind by asking.
source "$IDPROV_SRC/tests/lib/harness.sh"

dir=$H_TMP/sensor-17
for cmd in show renew; do
	rc=0
	"$IDPROV" "$cmd" --dir "$dir" >"$H_TMP/out" 2>"$H_TMP/err" || rc=$?
	h_expect_eq 9 "$rc" "exit status of 'idprov $cmd --dir DIR' before provisioning"
	h_expect_contains "$(cat "$H_TMP/err")" "not provisioned" "the sentence of 'idprov $cmd' before provisioning"
	h_expect_not_contains "$(cat "$H_TMP/err")" "no deviceID given" "the sentence of 'idprov $cmd' (the README gives no --device, rightly)"
	h_expect_eq 1 "$(wc -l <"$H_TMP/err" | tr -d ' ')" "lines on stderr of 'idprov $cmd' (one sentence)"
	[ ! -e "$dir" ] || h_fail "'idprov $cmd' before provisioning should not create the state folder $dir"
	h_ok
done
echo "checked: show and renew before provisioning exit 9 with one sentence saying the device is not provisioned, and create nothing"
h_pass
