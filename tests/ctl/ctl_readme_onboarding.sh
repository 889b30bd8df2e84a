#!/usr/bin/env bash
# The README's "onboarding day with idprovctl", run as written: its code
# block is taken from README.md and run line by line with `idprovctl` on the
# PATH and the connection settings in $IDPROV_*, as the README says they may
# be, against a real idprovd.  Each command must succeed (exit 0) and say
# what the README says it does; the files it makes are checked too.
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
h_server_start
export IDPROV_SERVER=$H_URL IDPROV_CA=$H_CA/ca.pem \
	IDPROV_CERT=$H_CA/admin.pem IDPROV_KEY=$H_CA/admin.key
export PATH="$(dirname "$IDPROVCTL"):$PATH"
work=$H_TMP/onboarding
mkdir -p "$work"

awk '/^## An onboarding day with idprovctl/ { t = 1; next }
     t && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b' "$IDPROV_SRC/README.md" >"$H_TMP/block.sh"
[ -s "$H_TMP/block.sh" ] || h_fail "README.md has no sh block under '## An onboarding day with idprovctl'"

# Run each command of the block (comments and blank lines skipped; none
# continues on a second line) and keep what it printed.  `oob set ... -`
# reads the secret from standard input, as typed from a sticker.
n=0
while IFS= read -r line; do
	case "$line" in '' | '#'*) continue ;; esac
	n=$((n + 1))
	rc=0
	(cd "$work" && printf 'K7RQ-2M9X-4HTB\n' | bash -c "$line") \
		>"$H_TMP/out.$n" 2>&1 || rc=$?
	[ "$rc" = 0 ] || h_fail "the README's onboarding command '$line' should exit 0, got $rc: $(cat "$H_TMP/out.$n")"
	h_ok
	printf '%s\n' "$line" >"$H_TMP/cmd.$n"
done <"$H_TMP/block.sh"
[ "$n" -ge 10 ] || h_fail "expected at least 10 commands in the onboarding block, found $n"
echo "checked: the $n commands of the README's onboarding block each exit 0"

# What each command printed, found by the command's words.
said() {
	local i
	for i in $(seq "$n"); do
		case "$(cat "$H_TMP/cmd.$i")" in *"$1"*) cat "$H_TMP/out.$i"; return ;; esac
	done
	h_fail "no command with '$1' in the README's onboarding block"
}
h_expect_contains "$(said 'oob generate')" "generated 100 secrets: batch-7/secrets.csv and 100 QR codes" "oob generate --out batch-7/"
h_expect_eq "600" "$(stat -c %a "$work/batch-7/secrets.csv")" "mode of batch-7/secrets.csv (the README: files are 0600)"
h_expect_eq "600" "$(stat -c %a "$work/batch-7/sensor-0017.svg")" "mode of a QR code sticker"
h_expect_eq "101" "$(wc -l <"$work/batch-7/secrets.csv" | tr -d ' ')" "lines of secrets.csv (a header and 100 rows)"
h_expect_contains "$(said 'oob import')" "imported 100 secrets from batch-7/secrets.csv" "oob import"
h_expect_contains "$(said 'oob set sensor-42')" "the secret of sensor-42 is set" "oob set from standard input"
h_expect_contains "$(said 'status sensor-0017')" "sensor-0017" "status of an imported device"
h_expect_contains "$(said 'revoke sensor-0023')" "revoked sensor-0023" "revoke of a device"
h_expect_contains "$(said 'idprovctl crl')" "Signature: good" "the CRL, checked against the CA"
h_expect_contains "$(said 'idprovctl issue gateway-1')" "issued a certificate for gateway-1" "issue on a device's behalf"
openssl verify -CAfile "$H_CA/ca.pem" "$work/gateway-1.pem" >/dev/null 2>&1 ||
	h_fail "gateway-1.pem from idprovctl issue should verify against the CA"
h_ok
h_expect_eq "$(openssl pkey -in "$work/gateway-1.key" -pubout 2>/dev/null)" \
	"$(openssl x509 -in "$work/gateway-1.pem" -noout -pubkey)" "the key in gateway-1.pem (the one gateway-1.pub holds)"
echo "checked: what generate, import, set, status, revoke, crl and issue said, and the files they wrote"
h_pass
