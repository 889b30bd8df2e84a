# tests/hostile/cli_run.sh - `run`, the check of one command's answer to
# hostile input, shared by hostile_cli.sh and hostile_cli2.sh (sourced
# after tests/lib/harness.sh).

# run WANT_RC NEEDLE WHAT CMD...: exit code in WANT_RC ("4" or "1|2"),
# the message on one line containing NEEDLE (case-insensitive), no
# terminal control bytes (C0 but tab and newline, DEL, C1 as raw bytes or
# UTF-8).
run() {
	local want=$1 needle=$2 what=$3 out rc=0 lines
	shift 3
	out=$(timeout 60 "$@" 2>&1) || rc=$?
	[ "$rc" != 124 ] || h_fail "$what: still running after 60 s (a hang)"
	case "|$want|" in *"|$rc|"*) h_ok ;; *) h_fail "$what: expected exit $want, got $rc: ${out:0:400}" ;; esac
	h_expect_not_contains "$out" "Sanitizer" "$what: a sanitizer report"
	h_expect_not_contains "$out" "runtime error" "$what: UBSan"
	if [ "$rc" != 0 ]; then
		lines=$(printf '%s\n' "$out" | grep -c .)
		[ "$lines" -le 2 ] || h_fail "$what: expected one sentence (two lines at most), got $lines: ${out:0:400}"
		h_ok
	fi
	if printf '%s' "$out" | LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f\x9b]|\xc2[\x80-\x9f]'; then
		h_fail "$what: control bytes reached the terminal: $(printf '%s' "$out" | head -c 300 | cat -v)"
	fi
	h_ok
	[ -z "$needle" ] || h_expect_contains "$(printf '%s' "$out" | tr A-Z a-z)" \
		"$(printf '%s' "$needle" | tr A-Z a-z)" "$what: the message names the problem"
	echo "ok: $what -> exit $rc: $(printf '%s' "$out" | tr '\n' '|' | head -c 200)"
	OUT=$out
	RC=$rc
}
