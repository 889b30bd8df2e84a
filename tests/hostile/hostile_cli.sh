#!/usr/bin/env bash
# hostile_cli: bad files and arguments for idprovctl and idprov.  CSVs
# with CRLF, a BOM, NUL bytes, 1 MB lines, quotes, bad UTF-8 and escapes
# for `idprovctl oob import` (a bad file uploads nothing; a good one in an
# odd dialect uploads exactly the secrets it holds, checked by provisioning
# with them); /dev/zero, folders and missing files where files are
# expected; over-long arguments; --dir on a file.  Each time: the exit
# code, one plain line, no sanitizer report.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/hostile/keys.sh"

h_ca_init
h_server_start
hx_keys "$H_TMP/keys"
CONN=(--server "$H_URL" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem")
W="$H_TMP/w"
mkdir -p "$W"

source "$IDPROV_SRC/tests/hostile/cli_run.sh"

# approved DEV SECRET WHAT: the server holds exactly this secret for DEV
# (a provisioning request signed with it is Approved).
approved() {
	/usr/bin/python3 "$IDPROV_SRC/tests/server/idprov_probe.py" provreq-body --id "$1" \
		--ip 192.0.2.9 --pub "$H_TMP/keys/p256.pub" --secret "$2" >"$W/pr.json"
	local got
	got=$(curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -X POST --data-binary @"$W/pr.json" \
		"$H_URL/idprov/provreq")
	h_expect_contains "$got" '"status":"Approved"' "$3: the secret of $1 as uploaded"
}

# ---- CSVs that are good, in odd dialects: exactly what they hold
printf 'c-crlf1,secret1\r\nc-crlf2,secret2\r\n' >"$W/crlf.csv"
run 0 "imported 2" "a CSV with CRLF line ends" "$IDPROVCTL" oob import "$W/crlf.csv" "${CONN[@]}"
approved c-crlf2 secret2 "CRLF (no \\r in the secret)"
printf '\xef\xbb\xbfc-bom,secret3\n' >"$W/bom.csv"
run 0 "imported 1" "a CSV with a UTF-8 BOM" "$IDPROVCTL" oob import "$W/bom.csv" "${CONN[@]}"
approved c-bom secret3 "BOM (not part of the first deviceID)"
printf '"c-q1","sec,ret"\n"c-""q2",s7\n' >"$W/quotes.csv"
run 0 "imported 2" "a CSV with quoted fields, commas and doubled quotes" "$IDPROVCTL" oob import "$W/quotes.csv" "${CONN[@]}"
approved c-q1 'sec,ret' "a quoted comma"
approved 'c-"q2' s7 "a doubled quote"
printf 'c-nonl,s13' >"$W/nonl.csv"
run 0 "imported 1" "a CSV without a final newline" "$IDPROVCTL" oob import "$W/nonl.csv" "${CONN[@]}"
approved c-nonl s13 "no final newline"

# ---- CSVs that are bad: nothing uploaded, the line named
bad_csv() {
	local name=$1 needle=$2 what=$3
	run 4 "$needle" "$what" "$IDPROVCTL" oob import "$W/$name.csv" "${CONN[@]}"
	h_expect_contains "$OUT" "nothing was uploaded" "$what: all or nothing"
}
printf 'c-nul,sec\x00ret\nc-nul2,s\n' >"$W/nul.csv"
bad_csv nul "line 1" "a NUL byte in a secret"
{ printf 'c-mb-ok,s\n'; head -c 1048576 /dev/zero | tr '\0' a; printf ',x\n'; } >"$W/mb.csv"
bad_csv mb "line 2" "a 1 MB line"
{ printf 'c-mbs,'; head -c 1048576 /dev/zero | tr '\0' a; printf '\n'; } >"$W/mbs.csv"
bad_csv mbs "line 1" "a 1 MB secret"
printf '"c-unterm,s\n' >"$W/unterm.csv"
bad_csv unterm "line 1" "an unterminated quote"
printf 'c\xff\xfe,s\n' >"$W/utf8.csv"
bad_csv utf8 "UTF-8" "invalid UTF-8"
printf 'c-esc\x1b[2J,s\n' >"$W/esc.csv"
bad_csv esc "control character" "a terminal escape in a deviceID"
h_expect_not_contains "$OUT" $'\x1b' "the escape is not echoed to the terminal"
printf 'c-dup,a\nc-dup,b\n' >"$W/dup.csv"
bad_csv dup "line 2" "a deviceID given twice"
printf 'c-4,s,2026-12-01T00:00:00Z,extra\n' >"$W/four.csv"
bad_csv four "4" "four fields"
printf 'c-t,s,not-a-time\n' >"$W/time.csv"
bad_csv time "validUntil" "a validUntil that is no time"
# none of the bad files' good lines went up
/usr/bin/python3 "$IDPROV_SRC/tests/server/idprov_probe.py" provreq-body --id c-nul2 \
	--ip 192.0.2.9 --pub "$H_TMP/keys/p256.pub" --secret s >"$W/pr.json"
out=$(curl -sS --cacert "$H_CA/ca.pem" -X POST --data-binary @"$W/pr.json" "$H_URL/idprov/provreq")
h_expect_contains "$out" '"status":"Waiting"' "a good line of a bad file was not uploaded"
printf '' >"$W/empty.csv"
run 4 "no rows" "an empty CSV" "$IDPROVCTL" oob import "$W/empty.csv" "${CONN[@]}"

# ---- files that are not files
run 4 "larger than" "oob import /dev/zero" "$IDPROVCTL" oob import /dev/zero "${CONN[@]}"
run 4 "directory" "oob import of a folder" "$IDPROVCTL" oob import "$W" "${CONN[@]}"
run 4 "cannot open" "oob import of a missing file" "$IDPROVCTL" oob import "$W/missing.csv" "${CONN[@]}"
run "1|2|4" "" "oob import with no file" "$IDPROVCTL" oob import "${CONN[@]}"
run 4 "$W is a folder" "an admin key that is a folder" "$IDPROVCTL" list --server "$H_URL" \
	--cert "$H_CA/admin.pem" --key "$W" --ca "$H_CA/ca.pem"
# an unusable CA file is a bad input file (4), found before connecting,
# not a server that cannot be reached (3)
run 4 "/dev/zero is a device" "a CA file that is /dev/zero" "$IDPROVCTL" list --server "$H_URL" \
	--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca /dev/zero
run 4 "$W is a folder" "a CA file that is a folder" "$IDPROVCTL" list --server "$H_URL" \
	--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$W"
printf 'not a certificate\n' >"$W/notpem.pem"
run 4 "$W/notpem.pem holds no PEM certificate" "a CA file that holds no PEM" "$IDPROVCTL" list \
	--server "$H_URL" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$W/notpem.pem"
run 4 "$H_CA/admin.key holds no PEM certificate" "a key given as the CA file" "$IDPROVCTL" list \
	--server "$H_URL" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$H_CA/admin.key"
run 4 "cannot be read" "a CA file that does not exist" "$IDPROVCTL" list --server "$H_URL" \
	--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$W/missing.pem"
run 4 "/dev/zero is a device" "an admin certificate that is /dev/zero" "$IDPROVCTL" list \
	--server "$H_URL" --cert /dev/zero --key "$H_CA/admin.key" --ca "$H_CA/ca.pem"
touch "$W/afile"
run "1|2|4|6" "" "ca init --dir on a file" "$IDPROVCTL" ca init --dir "$W/afile"
run "1|2|4|6" "" "ca init --dir under a file" "$IDPROVCTL" ca init --dir "$W/afile/sub"

# ---- idprov: secrets, folders, arguments
ID=(provision --device c-dev --server "$H_URL" --timeout 3s)
run 6 "cannot open" "--secret-file missing" "$IDPROV" "${ID[@]}" --secret-file "$W/missing" --dir "$W/s1"
run 6 "" "--secret-file a folder" "$IDPROV" "${ID[@]}" --secret-file "$W" --dir "$W/s1"
run 2 "empty" "--secret-file empty" "$IDPROV" "${ID[@]}" --secret-file "$W/afile" --dir "$W/s1"
head -c 2000000 /dev/zero | tr '\0' a >"$W/big.txt"
run 2 "4096" "--secret-file with a 2 MB line" "$IDPROV" "${ID[@]}" --secret-file "$W/big.txt" --dir "$W/s1"
run "2|6" "" "--secret-file /dev/zero" "$IDPROV" "${ID[@]}" --secret-file /dev/zero --dir "$W/s1"
run 2 "empty" "--secret-stdin from /dev/null" "$IDPROV" "${ID[@]}" --secret-stdin --dir "$W/s1" </dev/null
run 6 "not a folder" "--dir on a file" "$IDPROV" "${ID[@]}" --secret s --dir "$W/afile"
run 6 "not a folder" "--dir under a file" "$IDPROV" "${ID[@]}" --secret s --dir "$W/afile/sub"
run 1 "64" "a 100 KB --device" "$IDPROV" provision --device "$(head -c 100000 /dev/zero | tr '\0' d)" \
	--secret s --server "$H_URL" --dir "$W/s1" --timeout 3s
run 1 "too long" "a 100 KB --server" "$IDPROV" provision --device c-dev --secret s \
	--server "https://$(head -c 100000 /dev/zero | tr '\0' d)" --dir "$W/s1" --timeout 3s
run 1 "https://" "--server http://" "$IDPROV" "${ID[@]:0:3}" --server "http://127.0.0.1:$H_PORT" --secret s --dir "$W/s1"
run 1 "https://" "--server file:///etc/passwd" "$IDPROV" "${ID[@]:0:3}" --server "file:///etc/passwd" --secret s --dir "$W/s1"
run 2 "too long" "--timeout of 10^20 days" "$IDPROV" "${ID[@]:0:5}" --timeout 99999999999999999999d --secret s --dir "$W/s1"
run 2 "" "--timeout -5" "$IDPROV" "${ID[@]:0:5}" --timeout -5 --secret s --dir "$W/s1"
run 1 "control character" "a newline in --device" "$IDPROV" provision --device $'a\nb' --secret s \
	--server "$H_URL" --dir "$W/s1" --timeout 3s
run 9 "" "show on an empty folder" "$IDPROV" show --dir "$W/s1"
run "6|9" "" "show with --dir on a file" "$IDPROV" show --dir "$W/afile"
# a state folder with garbage in it: refused, not trusted
mkdir -p "$W/junk"
head -c 3000 /dev/urandom >"$W/junk/cert.pem"
printf 'not a url\n' >"$W/junk/server.url"
head -c 3000 /dev/urandom >"$W/junk/ca.pem"
run "1|5|6|8|9" "" "show on a folder of garbage" "$IDPROV" show --dir "$W/junk"
run "1|5|6|7|8|9" "" "renew on a folder of garbage" "$IDPROV" renew --dir "$W/junk" --device c-dev

# ---- configuration files that are not files: exit 2 (idprovctl) or 1
# (idprovd) with one sentence naming the file, never a hang
mkfifo "$W/fifo.conf"
printf 'server = https://127.0.0.1:1\n\0\n' >"$W/nul.conf"
head -c 1100000 /dev/zero | tr '\0' '#' >"$W/big.conf"
for cfg in /dev/zero "$W" "$W/fifo.conf" "$W/nul.conf" "$W/big.conf"; do
	case "$cfg" in
	/dev/zero) needle="/dev/zero is a device" ;;
	"$W") needle="$W is a folder" ;;
	*fifo*) needle="$cfg is a pipe" ;;
	*nul*) needle="line 2: a NUL byte" ;;
	*big*) needle="larger than 1048576 bytes" ;;
	esac
	run 2 "$needle" "idprovctl --config $cfg" "$IDPROVCTL" list --config "$cfg"
	run 1 "$needle" "idprovd --config $cfg" "$IDPROVD" --ca-dir "$H_CA" --db "$W/cfg.db" \
		--no-dnssd --listen 127.0.0.1:0 --config "$cfg"
done
# the admin.conf found by default is held to the same rule
mkdir -p "$W/home/.config/idprov/admin.conf"
run 2 "admin.conf is a folder" "~/.config/idprov/admin.conf that is a folder" \
	env -u IDPROV_CONFIG -u XDG_CONFIG_HOME HOME="$W/home" "$IDPROVCTL" list
ln -s /dev/zero "$W/home/zero.conf"
run 2 "zero.conf is a device" "\$IDPROV_CONFIG a link to /dev/zero" \
	env IDPROV_CONFIG="$W/home/zero.conf" "$IDPROVCTL" list

h_server_stop
h_pass
