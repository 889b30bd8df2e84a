#!/usr/bin/env bash
# The configuration file: keys take effect, a flag beats the file, unknown
# keys and bad values are refused with the line number.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init

# Services come back in the directory, so both sources can be seen there.
cat >"$H_TMP/idprovd.ini" <<INI
; comments are fine
[server]
listen = 127.0.0.1:1
max_connections = 50
read_timeout = 20s
idle_timeout = 1m

[tls]
ca_dir = $H_TMP/nowhere

[provisioning]
validity = 2d
retry = 45s
oob_max = 10d

[dnssd]
enabled = yes
name = from-file

[log]
level = warn

[services]
mqtt = mqtts://from-file:8883
web = https://from-file/
INI
# The harness adds --ca-dir (beats tls.ca_dir), --listen (beats
# server.listen) and --no-dnssd (beats dnssd.enabled).
h_server_start --config "$H_TMP/idprovd.ini" --service mqtt=mqtts://from-flag:8883 --log-level info
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "directory with a configuration file"
body=$(h_body "$out")
h_expect_contains "$body" '"mqtt":"mqtts://from-flag:8883"' "the --service flag beats [services] mqtt"
h_expect_contains "$body" '"web":"https://from-file/"' "[services] web from the file"
h_expect_not_contains "$body" "from-file:8883" "the file's mqtt entry is replaced"
# --log-level info beats [log] level = warn: request lines are logged.
sh_wait_log "request method=GET path=\"/idprov/directory\""
h_expect_not_contains "$(cat "$H_TMP/idprovd.log")" "dnssd" "--no-dnssd beats [dnssd] enabled"
h_server_stop
echo "checked: file keys apply and every flag beats the file"

expect_bad() {	# expect_bad WHAT LINE NEEDLE: the file $H_TMP/bad.ini is refused
	local rc=0 out
	out=$("$IDPROVD" --config "$H_TMP/bad.ini" --ca-dir "$H_CA" --listen 127.0.0.1:0 \
		--no-dnssd --db "$H_TMP/bad.db" 2>&1) || rc=$?
	h_expect_eq 1 "$rc" "exit code for $1"
	h_expect_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines printed for $1"
	h_expect_contains "$out" "bad.ini line $2" "the line of $1 is named"
	h_expect_contains "$out" "$3" "the sentence for $1"
}
printf '[server]\nworkers = 2\nlisten_adress = 127.0.0.1:1\n' >"$H_TMP/bad.ini"
expect_bad "an unknown key" 3 'unknown key "listen_adress"'
printf '[server]\n\n[provisioning]\nvalidity = seven days\n' >"$H_TMP/bad.ini"
expect_bad "a bad duration" 4 "validity must be"
printf '[log]\nlevel = loud\n' >"$H_TMP/bad.ini"
expect_bad "a bad log level" 2 "level must be"
printf '[nosuch]\nkey = 1\n' >"$H_TMP/bad.ini"
expect_bad "an unknown section" 2 'unknown key "key" in section [nosuch]'
printf '[server]\nthis is not ini\n' >"$H_TMP/bad.ini"
expect_bad "a syntax error" 2 "syntax error"
# A line longer than inih's buffer is named, not cut into a "line 3".
printf '[tls]\nkey = /%s/server.key\n' "$(printf 'x%.0s' $(seq 300))" >"$H_TMP/bad.ini"
expect_bad "a 312-byte line" 2 "is longer than 198 bytes"
rc=0; out=$("$IDPROVD" --config "$H_TMP/missing.ini" --ca-dir "$H_CA" 2>&1) || rc=$?
h_expect_eq 1 "$rc" "exit code for a missing configuration file"
h_expect_contains "$out" "missing.ini" "the missing file is named"
echo "checked: bad files are refused with the line number"
h_pass
