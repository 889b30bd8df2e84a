#!/usr/bin/env bash
# server_status: GET /idprov/status/{deviceID}: the exact body of WIRE.md
# "Status" (caCert plain PEM, clientCert base64 of the PEM or null), for an
# admin or plugin (any device), a device for itself; 403 for another
# device or OU, 401 without a certificate; a device never heard of is 200
# Waiting with clientCert null (admin-api.md, as the Go reference answers).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start
s_keypair k1

for d in st-dev1 st-dev2; do
	s_oob "$d" "secret-$d"
	s_provreq "$H_TMP/r.json" "$d" "secret-$d" k1 >/dev/null
	s_expect_resp "$H_TMP/r.json" "secret-$d" Approved "provisioning of $d"
	s_field "$H_TMP/r.json" clientCert >"$H_TMP/$d.pem"
	cp "$H_TMP/k1.key" "$H_TMP/$d.key"
done
h_device_cert st-plugin plugin
h_device_cert st-other other
want1=$(s_probe status-body --id st-dev1 --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/st-dev1.pem")

# admin, plugin, the device itself: the same exact bytes
out=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" \
	-o "$H_TMP/s.json" -w '%{http_code} %{content_type}' "$H_URL/idprov/status/st-dev1")
h_expect_eq 200 "${out%% *}" "admin status of st-dev1"
h_expect_contains "${out#* }" "application/json" "status Content-Type"
h_expect_eq "$want1" "$(cat "$H_TMP/s.json")" "status body for the admin (clientCert = base64 of the issued PEM)"
out=$(h_curl_as st-plugin "$H_URL/idprov/status/st-dev1")
s_expect_code 200 "$out" "plugin status of st-dev1"
h_expect_eq "$want1" "$(h_body "$out")" "status body for a plugin"
out=$(h_curl_as st-dev1 "$H_URL/idprov/status/st-dev1")
s_expect_code 200 "$out" "st-dev1 asking its own status"
h_expect_eq "$want1" "$(h_body "$out")" "status body for the device itself"

# a resumed TLS 1.2 session keeps the client certificate's role
out=$(s_probe resume --port "$H_PORT" --ca "$H_CA/ca.pem" --cert "$H_TMP/st-dev1.pem" --key "$H_TMP/st-dev1.key" \
	--path /idprov/status/st-dev1)
h_expect_eq "200 200 reused" "$out" "own status on a full, then a resumed TLS 1.2 session"

# the others
out=$(h_curl_as st-dev2 "$H_URL/idprov/status/st-dev1")
s_expect_code 403 "$out" "st-dev2 asking the status of st-dev1"
s_expect_error_body "$out" "403 to another device"
out=$(h_curl_as st-other "$H_URL/idprov/status/st-dev1")
s_expect_code 403 "$out" "OU other asking a status"
s_expect_error_body "$out" "403 to OU other"
out=$(h_curl "$H_URL/idprov/status/st-dev1")
s_expect_code 401 "$out" "status without a client certificate"
s_expect_error_body "$out" "401 without a certificate"
out=$(h_curl_admin "$H_URL/idprov/status/st-nobody")
s_expect_code 200 "$out" "admin status of a device never heard of"
h_expect_eq "$(s_probe status-body --id st-nobody --status Waiting --ca "$H_CA/ca.pem")" "$(h_body "$out")" \
	"status body of a device never heard of (Waiting, clientCert null)"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?limit=1000")
h_expect_not_contains "$(h_body "$out")" '"deviceID":"st-nobody"' "asking a status does not register the device"
out=$(h_curl_as st-dev2 "$H_URL/idprov/status/st-nobody")
s_expect_code 403 "$out" "a device asking the status of a device never heard of"

# a device that only asked (Waiting, no certificate): clientCert null
s_provreq "$H_TMP/r.json" st-wait k1 k1 >/dev/null
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq of st-wait without a secret"
out=$(h_curl_admin "$H_URL/idprov/status/st-wait")
s_expect_code 200 "$out" "admin status of a waiting device"
h_expect_eq "$(s_probe status-body --id st-wait --status Waiting --ca "$H_CA/ca.pem")" "$(h_body "$out")" \
	"status body of a waiting device (clientCert null)"

# a deviceID with a space and non-ASCII, percent-encoded in the path
s_provreq "$H_TMP/r.json" "st dev ü" "" k1 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "admin request for 'st dev ü'"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/sp.pem"
out=$(h_curl_admin "$H_URL/idprov/status/st%20dev%20%C3%BC")
s_expect_code 200 "$out" "status of 'st dev ü' (percent-encoded path)"
h_expect_eq "$(s_probe status-body --id 'st dev ü' --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/sp.pem")" \
	"$(h_body "$out")" "status body of 'st dev ü'"

# a deviceID with a slash, as %2F in the path
s_provreq "$H_TMP/r.json" "st/dev" "" k1 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "admin request for 'st/dev'"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/sl.pem"
out=$(h_curl_admin "$H_URL/idprov/status/st%2Fdev")
s_expect_code 200 "$out" "status of 'st/dev' (%2F in the path)"
h_expect_eq "$(s_probe status-body --id 'st/dev' --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/sl.pem")" \
	"$(h_body "$out")" "status body of 'st/dev'"

# a deviceID that needs escaping in JSON: quote, backslash, <&>, U+2028
dev=$'q"b\\s<&>\xe2\x80\xa8e'
s_provreq "$H_TMP/r.json" "$dev" "" k1 --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" >/dev/null
s_expect_resp "$H_TMP/r.json" "" Approved "admin request for a deviceID with JSON escapes"
s_field "$H_TMP/r.json" clientCert >"$H_TMP/esc.pem"
s_check_issued "$H_TMP/esc.pem" "$dev" k1 "certificate of a deviceID with JSON escapes"
out=$(h_curl_admin "$H_URL/idprov/status/q%22b%5Cs%3C%26%3E%E2%80%A8e")
s_expect_code 200 "$out" "status of a deviceID with JSON escapes"
h_expect_eq "$(s_probe status-body --id "$dev" --status Approved --ca "$H_CA/ca.pem" --cert "$H_TMP/esc.pem")" \
	"$(h_body "$out")" "status body escapes the deviceID as Go does (\\\", \\\\, \\u003c, \\u0026, \\u003e, \\u2028)"
out=$(h_curl_admin "$H_URL/idprov/admin/devices?limit=1000")
got=$(h_body "$out" | /usr/bin/python3 -c 'import json,sys; print(sys.argv[1] in [d["deviceID"] for d in json.load(sys.stdin)["devices"]])' "$dev")
h_expect_eq True "$got" "the device list is valid JSON holding the escaped deviceID"

# methods and empty IDs
out=$(h_curl_admin -X POST --data-binary '{}' "$H_URL/idprov/status/st-dev1")
s_expect_code 405 "$out" "POST to a status path"
out=$(h_curl_admin "$H_URL/idprov/status/")
case "$(h_code "$out")" in 400 | 404) h_ok ;; *) h_fail "status with an empty deviceID: expected 400 or 404, got $(h_code "$out")" ;; esac

s_alive "the status requests"
h_server_stop
h_pass
