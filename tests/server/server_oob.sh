#!/usr/bin/env bash
# server_oob: POST /idprov/oobsecret: who may post (admin, plugin: 200; a
# device, another OU: 403; no certificate: 401), what validUntil may be
# (past, not RFC 3339, beyond --oob-max: 400), and that a posted secret is
# really the one the server then checks (and a second post replaces it).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server/common.sh"

h_ca_init
h_server_start --oob-max 1d
h_device_cert oob-dev1
h_device_cert oob-plugin plugin
h_device_cert oob-other other
s_keypair k1

# post BODY [curl args]: POST a raw body to oobsecret.
post() {
	local body=$1
	shift
	printf '%s' "$body" >"$H_TMP/body.json"
	h_curl -X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/body.json" \
		"$@" "$H_URL/idprov/oobsecret"
}
admin=(--cert "$H_CA/admin.pem" --key "$H_CA/admin.key")
oob() { printf '{"deviceID":"%s","oobSecret":"%s","validUntil":"%s"}' "$1" "$2" "$3"; }

# Who may post.
out=$(post "$(oob oob-a1 s1 "")" "${admin[@]}")
s_expect_code 200 "$out" "admin posts a secret"
out=$(post "$(oob oob-a2 s2 "")" --cert "$H_TMP/oob-plugin.pem" --key "$H_TMP/oob-plugin.key")
s_expect_code 200 "$out" "a certificate with OU plugin posts a secret"
out=$(post "$(oob oob-a3 s3 "")" --cert "$H_TMP/oob-dev1.pem" --key "$H_TMP/oob-dev1.key")
s_expect_code 403 "$out" "a device certificate posts a secret"
s_expect_error_body "$out" "403 to a device certificate"
out=$(post "$(oob oob-a4 s4 "")")
s_expect_code 401 "$out" "a secret posted without a client certificate"
s_expect_error_body "$out" "401 without a certificate"
out=$(post "$(oob oob-a5 s5 "")" --cert "$H_TMP/oob-other.pem" --key "$H_TMP/oob-other.key")
s_expect_code 403 "$out" "a certificate with OU other posts a secret"
s_expect_error_body "$out" "403 to OU other"
# Several OUs: admin/plugin anywhere wins, as the Go reference scans them
# all (docs/interop.md M3)
h_device_cert oob-multi 'iotdevice/OU=admin'
out=$(post "$(oob oob-a6 s6 "")" --cert "$H_TMP/oob-multi.pem" --key "$H_TMP/oob-multi.key")
s_expect_code 200 "$out" "a certificate with OU iotdevice and OU admin posts a secret"
h_device_cert oob-multi2 'other/OU=iotdevice'
out=$(post "$(oob oob-a7 s7 "")" --cert "$H_TMP/oob-multi2.pem" --key "$H_TMP/oob-multi2.key")
s_expect_code 403 "$out" "a certificate with OU other and OU iotdevice posts a secret"

# The refused posts stored nothing: oob-a3 is not in the registry, and a
# request signed with the refused secret gets Waiting (no secret known);
# the accepted ones are known as Waiting with no certificate.
out=$(h_curl_admin "$H_URL/idprov/admin/devices?limit=1000")
h_expect_not_contains "$(h_body "$out")" '"deviceID":"oob-a3"' "a device whose secret post was refused is not registered"
code=$(s_provreq "$H_TMP/r.json" oob-a3 s3 k1)
s_expect_resp "$H_TMP/r.json" "" Waiting "provreq with a secret whose post was refused (403)"
out=$(h_curl_admin "$H_URL/idprov/status/oob-a2")
s_expect_code 200 "$out" "status of a device with a posted secret"
h_expect_eq "$(s_probe status-body --id oob-a2 --status Waiting --ca "$H_CA/ca.pem")" "$(h_body "$out")" \
	"status body of a device with only a posted secret"

# The plugin's secret is the one the server checks.
code=$(s_provreq "$H_TMP/r.json" oob-a2 s2 k1)
h_expect_eq 200 "$code" "provreq with the plugin-posted secret"
s_expect_resp "$H_TMP/r.json" s2 Approved "provreq signed with the plugin-posted secret"

# validUntil.
for v in "$(s_time -60)" "2020-01-01T00:00:00Z"; do
	out=$(post "$(oob oob-v1 s "$v")" "${admin[@]}")
	s_expect_code 400 "$out" "validUntil in the past ($v)"
	s_expect_error_body "$out" "validUntil in the past"
done
for v in "tomorrow" "2026-13-01T00:00:00Z" "$(date -u -d tomorrow '+%Y-%m-%d %H:%M:%S')" \
	"$(date -u -d tomorrow +%Y-%m-%d)" "$(s_time 3600 | sed 's/Z$//')" "$(s_time 3600)junk"; do
	out=$(post "$(oob oob-v2 s "$v")" "${admin[@]}")
	s_expect_code 400 "$out" "validUntil not RFC 3339 ('$v')"
	s_expect_error_body "$out" "validUntil not RFC 3339"
done
out=$(post "$(oob oob-v3 s "$(s_time $((2 * 86400)))")" "${admin[@]}")
s_expect_code 400 "$out" "validUntil two days ahead with --oob-max 1d"
s_expect_error_body "$out" "validUntil beyond the maximum"
out=$(post "$(oob oob-v4 s "$(s_time 43200)")" "${admin[@]}")
s_expect_code 200 "$out" "validUntil 12 hours ahead with --oob-max 1d"
# at the edge: a minute inside the maximum is fine, a minute beyond is not
out=$(post "$(oob oob-v4b s "$(s_time $((86400 - 60)))")" "${admin[@]}")
s_expect_code 200 "$out" "validUntil a minute short of --oob-max 1d"
out=$(post "$(oob oob-v4c s "$(s_time $((86400 + 60)))")" "${admin[@]}")
s_expect_code 400 "$out" "validUntil a minute beyond --oob-max 1d"
# RFC 3339 allows offsets and fractions of a second.
v=$(TZ=Etc/GMT-2 date -d "@$(($(date +%s) + 7200))" '+%Y-%m-%dT%H:%M:%S.25+02:00')
out=$(post "$(oob oob-v5 s "$v")" "${admin[@]}")
s_expect_code 200 "$out" "validUntil with an offset and a fraction ($v)"
out=$(post '{"deviceID":"oob-v6","oobSecret":"s"}' "${admin[@]}")
s_expect_code 200 "$out" "validUntil left out (the default lifetime)"
# Go's zero time.Time, which a Go admin client sends for "not set"
out=$(post "$(oob oob-v7 s7 "0001-01-01T00:00:00Z")" "${admin[@]}")
s_expect_code 200 "$out" "validUntil = Go's zero time (the default lifetime)"
code=$(s_provreq "$H_TMP/r.json" oob-v7 s7 k1)
s_expect_resp "$H_TMP/r.json" s7 Approved "provreq with a secret posted with Go's zero time"

# Other fields.
out=$(post "$(oob oob-f1 "" "")" "${admin[@]}")
s_expect_code 400 "$out" "an empty oobSecret"
s_expect_error_body "$out" "empty oobSecret"
out=$(post "$(oob "" s "")" "${admin[@]}")
s_expect_code 400 "$out" "an empty deviceID"
out=$(post "$(oob "$(printf 'x%.0s' $(seq 65))" s "")" "${admin[@]}")
s_expect_code 400 "$out" "a 65-byte deviceID"
out=$(post '{"oobSecret":"s","validUntil":""}' "${admin[@]}")
s_expect_code 400 "$out" "no deviceID"
out=$(post '{"deviceID":"oob-f2","validUntil":""}' "${admin[@]}")
s_expect_code 400 "$out" "no oobSecret"
out=$(post "$(oob oob-f3 "$(printf 's%.0s' $(seq 257))" "")" "${admin[@]}")
s_expect_code 400 "$out" "a 257-byte oobSecret (admin-api.md: at most 256)"
out=$(h_curl_admin "$H_URL/idprov/oobsecret")
s_expect_code 405 "$out" "GET oobsecret"

# A second post for the same device replaces the first secret.
s_oob oob-r1 first
s_oob oob-r1 second
code=$(s_provreq "$H_TMP/r.json" oob-r1 first k1)
h_expect_eq 200 "$code" "provreq signed with the replaced secret"
s_expect_resp "$H_TMP/r.json" "" Rejected "provreq signed with the replaced secret"
code=$(s_provreq "$H_TMP/r.json" oob-r1 second k1)
h_expect_eq 200 "$code" "provreq signed with the replacing secret"
s_expect_resp "$H_TMP/r.json" second Approved "provreq signed with the replacing secret"

s_alive "the OOB posts"
h_server_stop
h_pass
