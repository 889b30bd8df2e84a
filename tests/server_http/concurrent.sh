#!/usr/bin/env bash
# 16 clients at once, 50 requests each, against the directory and status
# endpoints: half keep one connection, half open one per request.  Every
# request is answered and the server is still alive.  Also run under
# ThreadSanitizer (label concurrent).
source "$IDPROV_SRC/tests/lib/harness.sh"
h_ca_init
h_server_start --workers 2

urls=() args=()
for i in $(seq 25); do
	urls+=("$H_URL/idprov/directory" "$H_URL/idprov/status/device$i")
	args+=(-o /dev/null "$H_URL/idprov/directory" -o /dev/null "$H_URL/idprov/status/device$i")
done
pids=()
for c in $(seq 16); do
	if [ $((c % 2)) -eq 0 ]; then
		# One connection, 50 requests on it.
		curl -sS --max-time 120 --cacert "$H_CA/ca.pem" --cert "$H_CA/admin.pem" \
			--key "$H_CA/admin.key" -w '%{http_code}\n' "${args[@]}" \
			>"$H_TMP/c$c.codes" 2>"$H_TMP/c$c.err" &
	else
		# A new TLS connection for each request.
		(for u in "${urls[@]}"; do
			curl -sS --max-time 60 --cacert "$H_CA/ca.pem" -o /dev/null -w '%{http_code}\n' "$u" || echo 000
		done) >"$H_TMP/c$c.codes" 2>"$H_TMP/c$c.err" &
	fi
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done
total=$(cat "$H_TMP"/c*.codes | wc -l)
h_expect_eq 800 "$total" "answers received"
bad=$(cat "$H_TMP"/c*.codes | grep -cvE '^(200|401|403|404)$' || true)
h_expect_eq 0 "$bad" "requests without an HTTP answer (codes: $(sort "$H_TMP"/c*.codes | uniq -c | tr '\n' ' '))"
h_expect_eq 400 "$(cat "$H_TMP"/c*.codes | grep -c '^200$' | awk '{print ($1 >= 400) ? 400 : $1}')" "directory answers with 200"
kill -0 "$H_PID" || h_fail "idprovd died under load"
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the server answers after the load"
h_server_stop
echo "checked: 800 requests from 16 concurrent clients all answered"
h_pass
