#!/usr/bin/env bash
# idprovctl oob set against a real idprovd: a secret given as an argument,
# from standard input, with a lifetime; the connection settings from flags
# before or after the command words, from the environment and from the
# config file; and a device really provisions with each secret posted.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"

h_ca_init
h_server_start

# 1. secret as an argument, flags after the command words
ctl_expect_rc 0 "oob set with the secret as argument" ctl oob set dev1 s3cret-one
h_expect_contains "$OUT" "the secret of dev1 is set" "oob set output"
h_expect_eq "Approved" "$(ctl_provision dev1 s3cret-one)" "dev1 provisions with the posted secret"

# 2. secret from standard input ("-"), flags before the command words
ctl_expect_rc 0 "oob set reading stdin" bash -c 'printf "from-stdin\n" | "$IDPROVCTL" --server "$1" --ca "$2/ca.pem" --cert "$2/admin.pem" --key "$2/admin.key" oob set dev2 -' _ "$H_URL" "$H_CA"
h_expect_eq "Rejected" "$(ctl_provision dev2 wrong-secret)" "dev2 with a wrong secret"
h_expect_eq "Approved" "$(ctl_provision dev2 from-stdin)" "dev2 provisions with the secret read from stdin (newline stripped)"

# 3. no SECRET at all also reads stdin
ctl_expect_rc 0 "oob set without SECRET" bash -c 'printf "implicit\n" | "$IDPROVCTL" oob set dev3 --server "$1" --ca "$2/ca.pem" --cert "$2/admin.pem" --key "$2/admin.key"' _ "$H_URL" "$H_CA"
h_expect_eq "Approved" "$(ctl_provision dev3 implicit)" "dev3 provisions with the implicit stdin secret"

# 4. --valid-for: the answer says until when; the status is Waiting meanwhile
ctl_expect_rc 0 "oob set --valid-for 2h" ctl oob set dev4 four --valid-for 2h
h_expect_contains "$OUT" "valid until $(date -u -d '+2 hours' +%Y-%m-%dT%H)" "oob set --valid-for output"
ctl_expect_rc 0 "status of dev4" ctl status dev4
h_expect_contains "$OUT" "Waiting" "status of a device with a posted secret"

# 5. settings from the environment, then from a config file
ctl_expect_rc 0 "oob set with \$IDPROV_*" env IDPROV_SERVER="$H_URL" IDPROV_CA="$H_CA/ca.pem" \
	IDPROV_CERT="$H_CA/admin.pem" IDPROV_KEY="$H_CA/admin.key" "$IDPROVCTL" oob set dev5 env-secret
h_expect_eq "Approved" "$(ctl_provision dev5 env-secret)" "dev5 provisions (settings from the environment)"
mkdir -p "$H_TMP/home/.config/idprov"
cp "$H_CA/admin.pem" "$H_CA/admin.key" "$H_CA/ca.pem" "$H_TMP/home/.config/idprov/"
printf 'server = %s\ncert = admin.pem\nkey = admin.key\nca = ca.pem\n' "$H_URL" >"$H_TMP/home/.config/idprov/admin.conf"
ctl_expect_rc 0 "oob set with ~/.config/idprov/admin.conf" env -u XDG_CONFIG_HOME HOME="$H_TMP/home" "$IDPROVCTL" oob set dev6 file-secret
h_expect_eq "Approved" "$(ctl_provision dev6 file-secret)" "dev6 provisions (settings from admin.conf)"
# the environment beats the file: a wrong server in the environment fails
ctl_expect_rc 3 "env beats the config file" env -u XDG_CONFIG_HOME HOME="$H_TMP/home" IDPROV_SERVER="https://127.0.0.1:1" "$IDPROVCTL" oob set dev7 x
h_expect_contains "$ERR" "cannot reach the server https://127.0.0.1:1" "unreachable server sentence"
# and a flag beats the environment
ctl_expect_rc 0 "a flag beats the environment" env -u XDG_CONFIG_HOME HOME="$H_TMP/home" IDPROV_SERVER="https://127.0.0.1:1" "$IDPROVCTL" --server "$H_URL" oob set dev7 seven
h_expect_eq "Approved" "$(ctl_provision dev7 seven)" "dev7 provisions (flag beat the environment)"

# 6. the secret never shows: not on stdout or stderr of a failing call
ctl_expect_rc 2 "oob set with a past --valid-until" ctl oob set dev8 hidden-secret --valid-until 2020-01-01T00:00:00Z
h_expect_contains "$ERR" "in the past" "past validUntil sentence"
h_expect_not_contains "$OUT$ERR" "hidden-secret" "no secret in the output"
ctl_expect_rc 2 "oob set with an empty secret" bash -c 'printf "\n" | "$IDPROVCTL" oob set dev8 - --server "$1" --ca "$2/ca.pem" --cert "$2/admin.pem" --key "$2/admin.key"' _ "$H_URL" "$H_CA"
h_expect_contains "$ERR" "the secret is empty" "empty secret sentence"
ctl_expect_rc 2 "oob set without DEVICE" ctl oob set
h_pass
