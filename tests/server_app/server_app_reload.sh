#!/bin/bash
# SIGHUP reloads what needs no restart: retrySec of Waiting, the
# certificate validity (and so the Approved retrySec), the directory's
# services; OOB secrets and the registry stay.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_app/common.sh"

h_ca_init
conf="$H_TMP/idprovd.conf"
printf '[provisioning]\nretry = 30s\nvalidity = 2d\n[services]\nmqtt = mqtts://old:8883\n' >"$conf"
h_server_start --config "$conf"

sa_key w1
h_expect_contains "$(h_body "$(h_curl -d "$(sa_body w1 x)" "$H_URL/idprov/provreq")")" '"retrySec":30,' "retry before reload"
h_expect_contains "$(h_body "$(h_curl "$H_URL/idprov/directory")")" '"services":{"mqtt":"mqtts://old:8883"}}' "services before reload"
h_curl_admin -d '{"deviceID":"kept","oobSecret":"k"}' "$H_URL/idprov/oobsecret" >/dev/null

printf '[provisioning]\nretry = 2m\nvalidity = 4d\n[services]\nmqtt = mqtts://new:8883\namqp = amqps://new:5671\n' >"$conf"
kill -HUP "$H_PID"
for _ in $(seq 50); do
	grep -q "reloaded" "$H_TMP/idprovd.log" && break
	sleep 0.1
done
grep -q "reloaded" "$H_TMP/idprovd.log" || h_fail "idprovd did not log a reload after SIGHUP"

h_expect_contains "$(h_body "$(h_curl -d "$(sa_body w1 x)" "$H_URL/idprov/provreq")")" '"retrySec":120,' "retry after reload"
h_expect_contains "$(h_body "$(h_curl "$H_URL/idprov/directory")")" '"services":{"amqp":"amqps://new:5671","mqtt":"mqtts://new:8883"}}' "services after reload"
sa_key kept
out=$(h_curl -d "$(sa_body kept k)" "$H_URL/idprov/provreq")
h_expect_contains "$(h_body "$out")" '{"retrySec":172800,"status":"Approved"' "secret kept, new validity (4d, renew at 2d)"
h_pass
