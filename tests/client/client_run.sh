#!/usr/bin/env bash
# idprov run: provisions, renews on its own (short certificates here), runs
# --on-renew after each new certificate, and exits 0 on SIGTERM.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start --validity 9s --retry 1s
D="$H_TMP/dev"
printf 's\n' >"$H_TMP/secret"
"$IDPROV" run --device runner --secret-file "$H_TMP/secret" --server "$H_URL" --dir "$D" \
	--on-renew "echo \"\$IDPROV_CERT\" >>'$H_TMP/renewed'" >"$H_TMP/run.out" 2>&1 &
pid=$!
C_PIDS+=($pid)
# Waiting first (no secret yet), then the admin posts it.
sleep 1
kill -0 $pid 2>/dev/null || h_fail "idprov run exited: $(cat "$H_TMP/run.out")"
h_ok
c_post_secret runner s
# Provisioned, then at least one renewal on its own.
for _ in $(seq 600); do
	[ "$(wc -l <"$H_TMP/renewed" 2>/dev/null || echo 0)" -ge 2 ] && break
	kill -0 $pid 2>/dev/null || h_fail "idprov run exited: $(cat "$H_TMP/run.out")"
	sleep 0.1
done
[ "$(wc -l <"$H_TMP/renewed" 2>/dev/null || echo 0)" -ge 2 ] ||
	h_fail "expected --on-renew to run for the provisioning and a renewal within 60 s; log: $(cat "$H_TMP/run.out")"
h_ok
h_expect_eq "$D/cert.pem" "$(head -n 1 "$H_TMP/renewed")" "--on-renew gets IDPROV_CERT"
h_expect_contains "$(cat "$H_TMP/run.out")" "renewed" "the log line of the renewal"
# The one-time secret may be deleted once the device is provisioned.
rm -f "$H_TMP/secret"
# The server goes away: run keeps going, backing off, until SIGTERM.
h_server_stop
for _ in $(seq 300); do
	[ "$(grep -c 'trying again later' "$H_TMP/run.out")" -ge 2 ] && break
	kill -0 $pid 2>/dev/null || h_fail "idprov run exited while the server was down: $(tail -n 3 "$H_TMP/run.out")"
	sleep 0.1
done
[ "$(grep -c 'trying again later' "$H_TMP/run.out")" -ge 2 ] ||
	h_fail "expected run to retry the unreachable server; log: $(tail -n 5 "$H_TMP/run.out")"
h_ok
kill -TERM $pid
rc=0
wait $pid || rc=$?
h_expect_eq 0 "$rc" "idprov run exits 0 on SIGTERM while backing off (log: $(tail -n 3 "$H_TMP/run.out"))"
c_expect_verifies "$D" "after run"

# Started again with the secret file gone (as the idprov@ unit does after
# provisioning): it renews without needing it.
rm -f "$H_TMP/renewed"
h_server_start --validity 9s --retry 1s
c_run out rc "$IDPROV" run --once --device runner --secret-file "$H_TMP/secret" --server "$H_URL" --dir "$D" \
	--on-renew "echo renewed >>'$H_TMP/renewed'"
h_expect_eq 0 "$rc" "run --once with a valid certificate and no secret file (output: $out)"
h_expect_eq renewed "$(cat "$H_TMP/renewed" 2>/dev/null)" "run --once renewed and ran --on-renew"

# Without a certificate and without a secret, run says so (exit 9).
c_run out rc "$IDPROV" run --device other --server "https://127.0.0.1:1" --dir "$H_TMP/other" \
	--secret-file "$H_TMP/no-such-secret"
h_expect_eq 9 "$rc" "run without a certificate or a secret"
h_expect_contains "$out" "no certificate yet and no OOB secret" "the message"
# With an expired certificate and no secret: exit 8.
for _ in $(seq 150); do
	openssl x509 -in "$D/cert.pem" -noout -checkend 0 >/dev/null 2>&1 || break
	sleep 0.1
done
h_server_stop
c_run out rc "$IDPROV" run --device runner --server "https://127.0.0.1:1" --dir "$D" \
	--secret-file "$H_TMP/no-such-secret"
h_expect_eq 8 "$rc" "run with an expired certificate and no secret"
h_expect_contains "$out" "expired certificate" "the message"
h_pass
