#!/usr/bin/env bash
# idprovctl oob generate: secrets of 26 Crockford base32 characters in a
# 0600 CSV, one 0600 SVG QR code per device carrying IDPROV:1:<id>:<secret>,
# no overwriting without --force, and --upload lets the devices in.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start

out="$H_TMP/batch"
ctl_expect_rc 0 "generate --upload" ctl oob generate --count 5 --prefix line7- --out "$out" --upload --valid-for 1d
h_expect_contains "$OUT" "generated 5 secrets" "generate summary"
h_expect_contains "$OUT" "uploaded 5 secrets in 1 request" "upload summary"
h_expect_eq "600" "$(stat -c %a "$out/secrets.csv")" "CSV mode"
h_expect_eq "6" "$(wc -l <"$out/secrets.csv")" "CSV lines (header + 5)"
h_expect_eq "deviceID,secret,validUntil" "$(head -n 1 "$out/secrets.csv")" "CSV header"
tail -n +2 "$out/secrets.csv" | while IFS=, read -r id secret until; do
	[[ "$id" =~ ^line7-000[1-5]$ ]] || h_fail "unexpected deviceID '$id'"
	[[ "$secret" =~ ^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{26}$ ]] || h_fail "secret of $id is not 26 Crockford base32 characters"
	[[ "$until" =~ ^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]{8}Z$ ]] || h_fail "validUntil of $id is '$until'"
	[ "$(stat -c %a "$out/$id.svg")" = 600 ] || h_fail "$id.svg is not mode 0600"
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' "$out/$id.svg" || h_fail "$id.svg is not an SVG"
	grep -q ">$id</text>" "$out/$id.svg" || h_fail "$id.svg has no caption"
	! grep -q "$secret" "$out/$id.svg" || h_fail "$id.svg shows the secret as text"
done
h_ok
[ "$(tail -n +2 "$out/secrets.csv" | cut -d, -f2 | sort -u | wc -l)" = 5 ] || h_fail "secrets repeat"
h_ok
# the uploaded secrets work
id3=$(sed -n 4p "$out/secrets.csv" | cut -d, -f1)
s3=$(sed -n 4p "$out/secrets.csv" | cut -d, -f2)
h_expect_eq "Approved" "$(ctl_provision "$id3" "$s3")" "a generated device provisions"

# the QR code decodes to the documented payload, when a decoder is at hand
if command -v zbarimg >/dev/null && command -v rsvg-convert >/dev/null; then
	rsvg-convert -w 400 "$out/$id3.svg" -o "$H_TMP/qr.png"
	h_expect_eq "QR-Code:IDPROV:1:$id3:$s3" "$(zbarimg -q "$H_TMP/qr.png" 2>/dev/null)" "QR payload"
else
	echo "note: zbarimg/rsvg-convert not installed; the QR payload is checked by the ctl_qr unit test"
fi

# no overwriting without --force; nothing changes
before=$(sha256sum "$out/secrets.csv")
ctl_expect_rc 5 "generate into a used folder" ctl oob generate --count 5 --prefix line7- --out "$out"
h_expect_contains "$ERR" "exists; give --force" "overwrite refusal sentence"
h_expect_eq "$before" "$(sha256sum "$out/secrets.csv")" "the old CSV is untouched"
ctl_expect_rc 0 "generate --force" ctl oob generate --count 5 --prefix line7- --out "$out" --force
[ "$before" != "$(sha256sum "$out/secrets.csv")" ] || h_fail "--force did not write new secrets"
h_ok

# without --upload nothing is sent; --start and a wider count
ctl_expect_rc 0 "generate without --upload" ctl oob generate --count 12 --prefix b- --start 995 --out "$H_TMP/b"
h_expect_eq "b-0995" "$(sed -n 2p "$H_TMP/b/secrets.csv" | cut -d, -f1)" "first deviceID with --start"
h_expect_eq "b-1006" "$(tail -n 1 "$H_TMP/b/secrets.csv" | cut -d, -f1)" "last deviceID"
s=$(sed -n 2p "$H_TMP/b/secrets.csv" | cut -d, -f2)
h_expect_eq "Waiting" "$(ctl_provision b-0995 "$s")" "nothing uploaded without --upload"
# the CSV is what oob import takes
ctl_expect_rc 0 "import of a generated CSV" ctl oob import "$H_TMP/b/secrets.csv"
h_expect_eq "Approved" "$(ctl_provision b-0995 "$s")" "generated CSV imported"

# unsafe prefixes are refused: they become file names
ctl_expect_rc 2 "prefix with a slash" ctl oob generate --count 1 --prefix ../x --out "$H_TMP/c"
ctl_expect_rc 2 "prefix with a dot first" ctl oob generate --count 1 --prefix .x --out "$H_TMP/c"
ctl_expect_rc 2 "count 0" ctl oob generate --count 0 --prefix x --out "$H_TMP/c"
[ ! -e "$H_TMP/c" ] || h_fail "a refused generate created $H_TMP/c"
h_ok
h_pass
