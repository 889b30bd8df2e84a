#!/usr/bin/env bash
# idprovctl oob import against a real idprovd: a file with bad lines (wrong
# columns, empty secret, duplicate deviceID, bad time) has every one
# reported by line number and nothing uploaded; a good file is uploaded in
# several requests under 64 KiB each, and its devices provision with their
# secrets.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start

future=$(date -u -d '+2 days' +%Y-%m-%dT%H:%M:%SZ)
cat >"$H_TMP/bad.csv" <<CSV
deviceID,secret,validUntil
good1,secret-good1,$future
only-one-column
too,many,$future,columns
empty-secret,
good2,secret-good2
good1,another-secret
bad-time,s,next tuesday
past-time,s,2020-01-01T00:00:00Z
CSV
ctl_expect_rc 4 "import of a file with bad lines" ctl oob import "$H_TMP/bad.csv"
for want in "line 3: expected 2 or 3 fields" "line 4: expected 2 or 3 fields" \
	"line 5: the secret is empty" "line 7: the deviceID good1 was already given on line 2" \
	"line 8: validUntil 'next tuesday' is not an RFC 3339 time" "line 9: validUntil 2020-01-01T00:00:00Z is in the past" \
	"6 lines of the file are bad; nothing was uploaded"; do
	h_expect_contains "$ERR" "$want" "bad CSV report"
done
h_expect_not_contains "$ERR" "secret-good" "no secret in the report"
# nothing uploaded: the good rows of the bad file have no secret on the server
h_expect_eq "Waiting" "$(ctl_provision good1 secret-good1)" "good1 of the refused file"
h_expect_eq "Waiting" "$(ctl_provision good2 secret-good2)" "good2 of the refused file"

# a good file of 1,500 rows with long secrets: more than 64 KiB in all, so
# several requests; quoted fields, CRLF and a BOM on the way
long=$(printf 'x%.0s' $(seq 60))
{
	printf '\xef\xbb\xbfdeviceID,secret\r\n'
	for i in $(seq -w 1 1500); do
		printf 'dev%s,"s%s-%s"\r\n' "$i" "$i" "$long"
	done
} >"$H_TMP/good.csv"
[ "$(stat -c %s "$H_TMP/good.csv")" -gt 70000 ] || h_fail "test file too small to need two requests"
ctl_expect_rc 0 "import of 1,500 rows" ctl oob import "$H_TMP/good.csv"
h_expect_contains "$OUT" "imported 1500 secrets from $H_TMP/good.csv in" "import summary"
requests=$(printf '%s' "$OUT" | sed -n 's/.* in \([0-9]*\) requests.*/\1/p')
[ "${requests:-0}" -ge 2 ] || h_fail "expected the upload in 2 or more requests, got '${requests}'"
h_ok
h_expect_eq "Approved" "$(ctl_provision dev0001 "s0001-$long")" "first row provisions"
h_expect_eq "Approved" "$(ctl_provision dev1500 "s1500-$long")" "last row provisions"
h_expect_eq "Rejected" "$(ctl_provision dev0750 "s0751-$long")" "a row's device with another row's secret"

# on a terminal a progress bar is drawn on stderr; --quiet or a pipe: none
if command -v script >/dev/null; then
	for i in $(seq 1 300); do printf 'tty%03d,tty-secret-%03d\n' "$i" "$i"; done >"$H_TMP/tty.csv"
	tty_out=$(script -qec "'$IDPROVCTL' oob import '$H_TMP/tty.csv' --server '$H_URL' --ca '$H_CA/ca.pem' --cert '$H_CA/admin.pem' --key '$H_CA/admin.key'" /dev/null)
	h_expect_contains "$tty_out" "100% 300/300" "progress bar on a terminal"
	h_expect_contains "$tty_out" "imported 300 secrets" "summary on a terminal"
	h_expect_not_contains "$ERR" "%" "no progress bar without a terminal (stderr of the 1,500-row import)"
fi

# --check validates and sends nothing
printf 'chk1,chk-secret\n' >"$H_TMP/check.csv"
ctl_expect_rc 0 "import --check" ctl oob import --check "$H_TMP/check.csv"
h_expect_contains "$OUT" "nothing was uploaded" "--check output"
h_expect_eq "Waiting" "$(ctl_provision chk1 chk-secret)" "--check uploaded nothing"

# a row the server refuses (validUntil past the server's 30-day maximum) is
# named by its line; no secret of that request is stored
far=$(date -u -d '+400 days' +%Y-%m-%dT%H:%M:%SZ)
printf 'far1,s1\nfar2,s2,%s\n' "$far" >"$H_TMP/far.csv"
ctl_expect_rc 1 "import of a row the server refuses" ctl oob import "$H_TMP/far.csv"
h_expect_contains "$ERR" "line 2 (deviceID far2)" "server refusal mapped to the line"
h_expect_contains "$ERR" "no secret was stored" "server refusal summary"
h_expect_eq "Waiting" "$(ctl_provision far1 s1)" "all or nothing per request"

# a missing file
ctl_expect_rc 4 "import of a missing file" ctl oob import "$H_TMP/none.csv"
h_expect_contains "$ERR" "none.csv" "missing file sentence"
h_pass
