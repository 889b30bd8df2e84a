#!/usr/bin/env bash
# The man pages: mandoc -T lint -W warning finds nothing, each page's .Dt
# matches its file name, and they cover what the programs offer: every flag
# of `idprovd --help`, every option of the idprov commands, every key of the
# example idprovd.conf.
source "$IDPROV_SRC/tests/lib/harness.sh"

command -v mandoc >/dev/null || h_fail "mandoc is needed (apt-get install mandoc)"
man="$IDPROV_SRC/docs/man"
pages=("$man/idprovd.8" "$man/idprov.1" "$man/idprovd.conf.5" "$IDPROV_SRC/docs/idprovctl.1")
for p in "${pages[@]}"; do
	[ -f "$p" ] || h_fail "the man page $p is missing"
	out=$(mandoc -T lint -W warning "$p" 2>&1) || h_fail "mandoc -T lint -W warning ${p#"$IDPROV_SRC"/} expected no message, got: $out"
	h_ok
	# IDPROVD.CONF 5 for idprovd.conf.5
	f=$(basename "$p")
	want="${f%.*} ${f##*.}"
	got=$(sed -n 's/^\.Dt //p' "$p" | tr 'A-Z' 'a-z')
	h_expect_eq "$want" "$got" ".Dt of $f"
	[ "$(mandoc -T ascii "$p" | wc -l)" -gt 20 ] || h_fail "$f renders to less than 20 lines"
	h_ok
done
echo "checked: mandoc lint clean, names and sections, pages render"

# i_has_flag PAGE --some-flag: PAGE has a line ".It Fl \-some\-flag ...".
i_has_flag() {
	local want="${2#-}"
	want=${want//-/\\-}
	W="$want" awk '$1 == ".It" && $2 == "Fl" && $3 == ENVIRON["W"] { found = 1 } END { exit !found }' "$1"
}

# idprovd(8) names every flag idprovd --help lists.
flags=$("$IDPROVD" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
[ -n "$flags" ] || h_fail "idprovd --help listed no flag"
for f in $flags; do
	i_has_flag "$man/idprovd.8" "$f" ||
		h_fail "idprovd(8) should describe $f (listed by idprovd --help) in an .It Fl line"
	h_ok
done
echo "checked: idprovd(8) describes the $(echo "$flags" | wc -l) flags of idprovd --help"

# idprov(1) names every option of every command.
for cmd in provision renew show run discover; do
	opts=$("$IDPROV" "$cmd" --help 2>&1 | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ -n "$opts" ] || h_fail "idprov $cmd --help listed no option"
	for o in $opts; do
		[ "$o" = --help ] && continue
		i_has_flag "$man/idprov.1" "$o" ||
			h_fail "idprov(1) should describe $o (from idprov $cmd --help) in an .It Fl line"
		h_ok
	done
done
echo "checked: idprov(1) describes every option of the five commands"

# idprovd.conf(5) names every key of the example configuration.
keys=$(sed -n 's/^;\{0,1\}\([a-z_]*\) = .*/\1/p' "$IDPROV_SRC/dist/idprovd.conf" | sort -u)
for k in $keys; do
	[ "$k" = mqtt ] && continue	# the [services] example entry
	grep -q "^\.It Ic $k " "$man/idprovd.conf.5" ||
		h_fail "idprovd.conf(5) should describe the key $k of dist/idprovd.conf"
	h_ok
done
echo "checked: idprovd.conf(5) describes the $(echo "$keys" | wc -l) keys of the example"
h_pass
