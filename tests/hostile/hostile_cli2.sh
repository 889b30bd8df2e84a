#!/usr/bin/env bash
# hostile_cli2: more hostile input for idprovctl and idprov, beyond
# hostile_cli.sh, hostile_client.sh and hostile_diskfull.sh.
#   - pipes (FIFOs with no writer) where a file is read: a CSV, a public
#     key, a certificate, every file of the device's state folder;
#   - idprovctl against servers that misbehave (hostile_peer.py): terminal
#     escapes in refusals, a 200 that is not the JSON asked for;
#   - options in the wrong place, named in the message.
# Each time: the exit code, one plain line, no sanitizer report, and the
# command ends (a 60 s guard tells a hang from an answer).
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
h_server_start
PIDS=()
trap 'rc=$?; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; h_cleanup $rc' EXIT
CONN=(--server "$H_URL" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem")
W="$H_TMP/w"
mkdir -p "$W"

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

# ---- idprovctl: a pipe with no writer where an input file goes
mkfifo "$W/fifo"
run 4 "$W/fifo is a pipe" "oob import of a FIFO" "$IDPROVCTL" oob import "$W/fifo" "${CONN[@]}"
run 4 "$W/fifo is a pipe" "issue --pubkey a FIFO" "$IDPROVCTL" issue c-fifo --pubkey "$W/fifo" "${CONN[@]}"
run 4 "$W/fifo is a pipe" "revoke --certificate a FIFO" "$IDPROVCTL" revoke --certificate "$W/fifo" "${CONN[@]}"

h_server_stop
h_pass
