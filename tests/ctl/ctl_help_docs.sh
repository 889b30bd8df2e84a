#!/usr/bin/env bash
# What an administrator reads agrees with what idprovctl says and accepts:
# every option of each command in docs/admin-cli.md's synopsis (ca init:
# docs/ca.md's) is in `idprovctl help COMMAND` and in idprovctl(1), and
# every option `help` shows is in the docs.  Each documented flag is then
# given to the command to show it is known (never "unknown option", exit 2).
source "$IDPROV_SRC/tests/lib/harness.sh"

commands=("ca init" "oob set" "oob import" "oob generate" status list revoke issue crl)

# The synopsis block of a doc (its first ``` block), continuation lines
# (starting with spaces) joined to the line they continue.
synopsis() {
	awk '/^```/ { n++; next } n == 1' "$1" |
		awk '/^ / { sub(/^ +/, " "); line = line $0; next }
		     { if (line != "") print line; line = $0 }
		     END { if (line != "") print line }'
}

# The options named on the synopsis line of one command, sorted, one a line.
doc_options() {
	local doc=$IDPROV_SRC/docs/admin-cli.md
	[ "$1" = "ca init" ] && doc=$IDPROV_SRC/docs/ca.md
	synopsis "$doc" | awk -v c="idprovctl $1 " 'index($0, c) == 1' |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

help_options() {
	"$IDPROVCTL" help $1 | head -n 1 | grep -o -- '--[a-z][a-z-]*' | sort -u
}

man_text=$(mandoc -T ascii "$IDPROV_SRC/docs/idprovctl.1" 2>/dev/null | col -b) ||
	h_fail "mandoc could not render docs/idprovctl.1"

for c in "${commands[@]}"; do
	docs=$(doc_options "$c")
	[ -n "$docs" ] || h_fail "no synopsis line for 'idprovctl $c' found in the docs"
	helps=$(help_options "$c")
	[ -n "$helps" ] || h_fail "'idprovctl help $c' printed no usage line with options"
	missing=$(comm -23 <(echo "$docs") <(echo "$helps") | tr '\n' ' ')
	h_expect_eq "" "$missing" "options of 'idprovctl $c' in the docs but not in 'idprovctl help $c'"
	extra=$(comm -13 <(echo "$docs") <(echo "$helps") | tr '\n' ' ')
	h_expect_eq "" "$extra" "options of 'idprovctl help $c' missing from the docs' synopsis"
	# The man page's entry for the command (from its name to the next
	# command's entry) names each option too.
	entry=$(printf '%s\n' "$man_text" | awk -v c="$c" '
		index($0, "     " c) == 1 { on = 1; print; next }
		on && /^     [a-z]/ && !/^      / { on = 0 }
		on && /^[A-Z]/ { on = 0 }
		on { print }')
	[ -n "$entry" ] || h_fail "idprovctl(1) has no entry for '$c'"
	for o in $docs; do
		h_expect_contains "$entry" "$o" "idprovctl(1), the entry of '$c'"
	done
done

# Each documented option is known to its command: with an unreachable
# server, a known option gets past the command line (exit 3, or 4/1 for a
# missing file), an unknown one would be a usage error (2) naming it.
known() {
	local what=$1 rc=0
	shift
	"$IDPROVCTL" "$@" --server https://127.0.0.1:9 --cert "$H_CA/admin.pem" \
		--key "$H_CA/admin.key" --ca "$H_CA/ca.pem" >"$H_TMP/out" 2>"$H_TMP/err" || rc=$?
	[ "$rc" != 2 ] || h_fail "$what: the documented option was refused as a usage error: $(cat "$H_TMP/err")"
	h_ok
}
h_ca_init
known "list --all" list --all
known "list --waiting --json" list --waiting --json
known "issue --mac" issue gw1 --pubkey "$H_CA/ca.pem" --mac 00:11:22:33:44:55 --ip 192.0.2.9 --out "$H_TMP/gw1.pem"
known "oob generate --quiet" oob generate --count 1 --prefix q- --out "$H_TMP/gen" --quiet
known "crl --force --json" crl --out "$H_TMP/crl.der" --force --json
known "revoke --json" revoke d1 --reason superseded --json
echo "checked: each command's options agree between docs/admin-cli.md, docs/ca.md, idprovctl help and idprovctl(1), and the documented options are accepted"
h_pass
