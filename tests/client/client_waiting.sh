#!/usr/bin/env bash
# Waiting: with no secret posted the device waits (and gives up at its
# deadline with exit 3); when the admin posts the secret while it waits,
# its next attempt is Approved.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start --retry 1s
D="$H_TMP/dev"

c_run out rc "$IDPROV" provision --device waiter --secret s --server "$H_URL" --dir "$D" --timeout 2s
h_expect_eq 3 "$rc" "Waiting until the deadline exits with 3"
h_expect_contains "$out" "waiting" "the deadline message"
c_expect_no_trust "$D" "after waiting"

"$IDPROV" provision --device waiter --secret s --server "$H_URL" --dir "$D" --timeout 2m \
	>"$H_TMP/wait.out" 2>&1 &
pid=$!
C_PIDS+=($pid)
# Let the device ask at least once more while no secret is known: the
# server lists it as pending (admin API) - or, without that list, a pause.
seen=0
for _ in $(seq 100); do
	out=$(h_curl_admin "$H_URL/idprov/admin/pending")
	if [ "$(h_code "$out")" = 200 ]; then
		case "$(h_body "$out")" in *'"waiter"'*) seen=1; break ;; esac
	else
		sleep 3; break
	fi
	sleep 0.1
done
kill -0 $pid 2>/dev/null || h_fail "the waiting client exited early: $(cat "$H_TMP/wait.out")"
h_ok
c_post_secret waiter s
rc=0
wait $pid || rc=$?
h_expect_eq 0 "$rc" "Approved after the secret was posted (output: $(cat "$H_TMP/wait.out"))"
c_expect_verifies "$D" "after waiting"
echo "checked: pending list seen=$seen"
h_pass
