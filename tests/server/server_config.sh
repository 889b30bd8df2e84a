#!/usr/bin/env bash
# server_config: idprovd's configuration as docs/server-config.md states it,
# seen from the outside: the INI file and a flag beating it, SIGHUP
# reloading settings, services and the server certificate while the OOB
# secrets survive, a broken reload keeping the running settings, bad
# configurations refused at start, and the connection cap.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
s_keypair k1

# waiting_retry DEV: the retrySec of a Waiting answer
waiting_retry() {
	s_provreq "$H_TMP/r.json" "$1" x k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Waiting "provreq of $1 without a secret"
	s_field "$H_TMP/r.json" retrySec
}
services() { h_body "$(h_curl "$H_URL/idprov/directory")" | s_probe field services; }

# 1. the INI file
cat >"$H_TMP/idprovd.ini" <<'EOF'
; test configuration
[provisioning]
retry = 7s
[services]
mqtt = mqtts://hub.example:8883
EOF
h_server_start --config "$H_TMP/idprovd.ini"
h_expect_eq 7 "$(waiting_retry cf-1)" "retrySec from the file's [provisioning] retry = 7s"
h_expect_eq '{"mqtt": "mqtts://hub.example:8883"}' "$(services)" "services from the file"
h_server_stop
h_server_start --config "$H_TMP/idprovd.ini" --retry 5s
h_expect_eq 5 "$(waiting_retry cf-2)" "--retry 5s beats the file's retry = 7s"
h_server_stop

# 2. SIGHUP: new settings and services, the secrets kept
h_server_start --config "$H_TMP/idprovd.ini"
s_oob cf-hup secret-hup
cat >"$H_TMP/idprovd.ini" <<'EOF'
[provisioning]
retry = 9s
[services]
mqtt = mqtts://hub.example:8883
amqp = amqps://hub.example:5671
EOF
kill -HUP "$H_PID"
for _ in $(seq 100); do
	[ "$(waiting_retry cf-3)" = 9 ] && break
	sleep 0.1
done
h_expect_eq 9 "$(waiting_retry cf-3)" "retrySec after SIGHUP with retry = 9s"
h_expect_eq '{"amqp": "amqps://hub.example:5671", "mqtt": "mqtts://hub.example:8883"}' "$(services)" \
	"services after SIGHUP"
s_provreq "$H_TMP/r.json" cf-hup secret-hup k1 >/dev/null
s_expect_resp "$H_TMP/r.json" secret-hup Approved "a secret posted before SIGHUP still works after it"

# 3. SIGHUP loads a new server certificate for new connections
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=idprov-reloaded" \
	-keyout "$H_TMP/srv2.key" -out "$H_TMP/srv2.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' >"$H_TMP/srv2.ext"
openssl x509 -req -in "$H_TMP/srv2.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" -CAcreateserial -days 2 \
	-extfile "$H_TMP/srv2.ext" -out "$H_TMP/srv2.pem" 2>/dev/null
cp "$H_TMP/srv2.pem" "$H_CA/server.pem"
cp "$H_TMP/srv2.key" "$H_CA/server.key"
kill -HUP "$H_PID"
subject=""
for _ in $(seq 100); do
	subject=$(openssl s_client -connect "127.0.0.1:$H_PORT" </dev/null 2>/dev/null | openssl x509 -noout -subject 2>/dev/null || true)
	case "$subject" in *idprov-reloaded*) break ;; esac
	sleep 0.1
done
h_expect_contains "$subject" "idprov-reloaded" "the server certificate after SIGHUP"
s_alive "the certificate reload"

# 4. a broken reload keeps everything running as it was
printf '[provisioning]\nretry = soon\n' >"$H_TMP/idprovd.ini"
kill -HUP "$H_PID"
sleep 1
kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd died on SIGHUP with a broken configuration file"
h_ok
h_expect_eq 9 "$(waiting_retry cf-4)" "retrySec kept after a failed reload"
h_expect_contains "$(cat "$H_TMP/idprovd.log")" "reload failed" "the failed reload is logged"
h_server_stop

# 5. bad configurations are refused at start, naming the problem
printf '[provisioning]\nretry = soon\n' >"$H_TMP/bad.ini"
for args in "--config $H_TMP/bad.ini" "--retry soon" "--no-such-flag" "--ca-dir $H_TMP/nowhere"; do
	rc=0
	# shellcheck disable=SC2086
	timeout 20 "$IDPROVD" --listen 127.0.0.1:0 --no-dnssd --db "$H_TMP/bad.db" --ca-dir "$H_CA" $args \
		>"$H_TMP/bad.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || h_fail "idprovd $args: expected a refusal at start, got exit $rc"
	h_ok
	[ -s "$H_TMP/bad.out" ] || h_fail "idprovd $args refused to start without saying why"
	h_ok
done
h_expect_contains "$(timeout 20 "$IDPROVD" --config "$H_TMP/bad.ini" --ca-dir "$H_CA" 2>&1 || true)" "line 2" \
	"the error for a bad file value names the line"

# 6. the connection cap: more connections are closed at once, and the
# server serves again once they are gone
h_server_start --max-connections 3 --read-timeout 30s
# python3 itself in the background, so that $! is the process to kill
/usr/bin/python3 "$S_PROBE" hold --port "$H_PORT" --ca "$H_CA/ca.pem" --count 3 --max 60 >"$H_TMP/hold.out" 2>&1 &
pids=($!)
for _ in $(seq 200); do grep -q 'holding 3' "$H_TMP/hold.out" && break; sleep 0.05; done
h_expect_contains "$(cat "$H_TMP/hold.out")" "holding 3 connections" "3 idle connections open"
sleep 0.5
out=$(curl -sS --max-time 10 --cacert "$H_CA/ca.pem" -o /dev/null -w '%{http_code}' "$H_URL/idprov/directory" 2>/dev/null || true)
h_expect_eq 000 "$out" "a 4th connection with --max-connections 3 is closed"
kill "${pids[@]}" 2>/dev/null || true
wait "${pids[@]}" 2>/dev/null || true
for _ in $(seq 50); do
	out=$(curl -sS --max-time 10 --cacert "$H_CA/ca.pem" -o /dev/null -w '%{http_code}' "$H_URL/idprov/directory" 2>/dev/null || true)
	[ "$out" = 200 ] && break
	sleep 0.1
done
h_expect_eq 200 "$out" "served again once the 3 connections are closed"
h_server_stop

# 7. --lockout-after 2: one wrong signature is forgiven, two discard the secret
h_server_start --lockout-after 2
s_oob cf-lock1 right-1
s_provreq "$H_TMP/r.json" cf-lock1 wrong k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "one wrong signature with --lockout-after 2"
s_provreq "$H_TMP/r.json" cf-lock1 right-1 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" right-1 Approved "the right one after it"
s_oob cf-lock2 right-2
for i in 1 2; do
	s_provreq "$H_TMP/r.json" cf-lock2 "wrong-$i" k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" "" Rejected "wrong signature $i with --lockout-after 2"
done
s_provreq "$H_TMP/r.json" cf-lock2 right-2 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Rejected "the right signature after 2 wrong ones with --lockout-after 2"
h_server_stop
h_pass
