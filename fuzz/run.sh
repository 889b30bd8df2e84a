#!/usr/bin/env bash
# fuzz/run.sh BUILD_DIR SECONDS - run every libFuzzer target of the core for
# SECONDS each, one after the other (the machine is shared), each on a
# copy of its seed corpus in a temporary folder so the source tree is not
# touched.  Exits non-zero if any target crashes, leaks, times out or is
# missing; the crashing input is kept and its path printed.
set -euo pipefail

if [ $# -ne 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS" >&2
	exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
targets="directory oob_secret prov_request prov_response status_msg validate b64 canon timeutil request_gate"

work=$(mktemp -d "${TMPDIR:-/tmp}/idprov-fuzz.XXXXXX")
failed=""
for t in $targets; do
	bin="$build/fuzz/fuzz_$t"
	if [ ! -x "$bin" ]; then
		echo "FAIL fuzz_$t: $bin was not built (configure with CC=clang -DIDPROV_FUZZ=ON)"
		failed="$failed $t"
		continue
	fi
	mkdir -p "$work/$t/corpus" "$work/$t/crash"
	if [ -d "$here/corpus/$t" ]; then
		cp -R "$here/corpus/$t/." "$work/$t/corpus/"
	fi
	dict=()
	case $t in
	directory|oob_secret|prov_request|prov_response|status_msg)
		dict=(-dict="$here/json.dict") ;;
	esac
	echo "fuzz_$t: ${seconds}s"
	if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=8192 -print_final_stats=1 \
	    -artifact_prefix="$work/$t/crash/" "${dict[@]}" \
	    "$work/$t/corpus" >"$work/$t/log" 2>&1; then
		echo "ok   fuzz_$t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$' || echo '?') inputs, no crash"
	else
		echo "FAIL fuzz_$t: crashed; log tail:"
		tail -n 40 "$work/$t/log"
		ls "$work/$t/crash/" | sed "s|^|  input kept: $work/$t/crash/|"
		failed="$failed $t"
	fi
done

if [ -n "$failed" ]; then
	echo "fuzzing failed for:$failed (files under $work)"
	exit 1
fi
rm -rf "$work"
echo "fuzzing: all targets ran ${seconds}s without a crash"
