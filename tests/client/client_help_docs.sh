#!/usr/bin/env bash
# What a device maker reads agrees with what idprov says: for each command,
# the options of `idprov COMMAND --help` are exactly those of its synopsis
# in README.md, in docs/client.md and in idprov(1), and each command's
# --help exits 0.
source "$IDPROV_SRC/tests/lib/harness.sh"

# The synopsis lines of `idprov CMD` in a ``` block of a Markdown file,
# continuation lines (starting with spaces) joined to the line before.
md_options() {
	awk '/^```/ { inb = !inb; next } inb' "$1" |
		awk '/^ / { line = line $0; next }
		     { if (line != "") print line; line = $0 }
		     END { if (line != "") print line }' |
		awk -v c="$2" '$1 == "idprov" && $2 == c' |
		sed 's/#.*//' | grep -o -- '--[a-z][a-z-]*' | sort -u
}

man_text=$(mandoc -T ascii "$IDPROV_SRC/docs/man/idprov.1" 2>/dev/null | col -b) ||
	h_fail "mandoc could not render docs/man/idprov.1"
man_options() {
	printf '%s\n' "$man_text" | awk '/^SYNOPSIS/ { s = 1; next } /^[A-Z]/ { s = 0 } s' |
		awk '/^     idprov / { on = ($2 == c) } /^     idprov / || /^\t/ { if (on) print }' c="$1" |
		grep -o -- '--[a-z][a-z-]*' | sort -u
}

for c in provision renew show run discover; do
	rc=0
	help=$("$IDPROV" "$c" --help 2>&1) || rc=$?
	h_expect_eq 0 "$rc" "exit status of 'idprov $c --help'"
	want=$(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | grep -v -x -e --help | sort -u)
	[ -n "$want" ] || h_fail "'idprov $c --help' names no option"
	for src in README.md docs/client.md idprov.1; do
		if [ "$src" = idprov.1 ]; then
			got=$(man_options "$c")
		else
			got=$(md_options "$IDPROV_SRC/$src" "$c")
		fi
		h_expect_eq "$(echo $want)" "$(echo $got)" "options of 'idprov $c' in $src's synopsis (as idprov $c --help gives them)"
	done
done
echo "checked: the options of every idprov command agree between --help, README.md, docs/client.md and idprov(1)"
h_pass
