# tests/interop/lib.sh - sourced by the interop scripts after harness.sh:
# builds the Go stand-ins for the reference client and server
# (tests/interop/goclient, tests/interop/goserver) and runs goserver.
# Only Go's standard library is used: nothing is ever downloaded.

G_PIDS=()

# Stop our goservers, then let the harness clean up with the original
# exit status.
interop_cleanup() {
	local rc=$? p
	for p in "${G_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	if [ $rc -ne 0 ] && [ -f "$H_TMP/goserver.log" ]; then
		echo "---- goserver log (last 30 lines) ----" >&2
		tail -n 30 "$H_TMP/goserver.log" >&2 || true
	fi
	if [ $rc -ne 0 ] && [ -f "$H_TMP/goclient.log" ]; then
		echo "---- goclient output (last 30 lines) ----" >&2
		tail -n 30 "$H_TMP/goclient.log" >&2 || true
	fi
	h_cleanup "$rc"
}
trap interop_cleanup EXIT

# interop_go_build NAME: tests/interop/NAME/main.go -> $H_TMP/NAME.
# The build cache lives in the build folder so that the standard library
# is compiled once, not once per test.
interop_go_build() {
	local name=$1 cache="${IDPROV_BUILD:-$H_TMP}/interop-go"
	command -v go >/dev/null 2>&1 ||
		h_skip "the go command is missing (Debian package golang-go): the Go interop tests cannot run"
	mkdir -p "$cache/cache" "$cache/path"
	GOCACHE="$cache/cache" GOPATH="$cache/path" GOTOOLCHAIN=local GOPROXY=off \
		GOFLAGS= GO111MODULE=off CGO_ENABLED=0 \
		go build -o "$H_TMP/$name" "$IDPROV_SRC/tests/interop/$name/main.go" \
		>"$H_TMP/go-build-$name.log" 2>&1 ||
		{ cat "$H_TMP/go-build-$name.log" >&2; h_fail "go build of tests/interop/$name failed"; }
}

# interop_goserver_start DIR [flags]: goserver on a free loopback port with
# its CA bundle in DIR (made on first use); sets $G_ADDR (HOST:PORT).
interop_goserver_start() {
	local dir=$1 ready="$H_TMP/goserver.ready.$RANDOM"
	shift
	"$H_TMP/goserver" -dir "$dir" -listen 127.0.0.1:0 -ready "$ready" "$@" \
		>>"$H_TMP/goserver.log" 2>&1 &
	G_PIDS+=($!)
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		kill -0 "$!" 2>/dev/null || h_fail "goserver exited at start: $(tail -n 5 "$H_TMP/goserver.log")"
		sleep 0.05
	done
	[ -s "$ready" ] || h_fail "goserver did not listen within 10 s"
	G_ADDR=$(head -n 1 "$ready")
}

# gc RC ARGS...: run goclient, expect exit status RC; its output is in $GC_OUT
# and appended to $H_TMP/goclient.log.
gc() {
	local want=$1 rc=0 dev="" prev="" a
	shift
	for a in "$@"; do
		[ "$prev" = "-device" ] && dev=$a
		prev=$a
	done
	GC_OUT=$("$H_TMP/goclient" "$@" 2>&1) || rc=$?
	printf '$ goclient %s\n%s\n' "$*" "$GC_OUT" >>"$H_TMP/goclient.log"
	[ "$rc" -eq "$want" ] ||
		h_fail "goclient $1 (device $dev): expected exit $want, got $rc: $(printf '%s' "$GC_OUT" | grep -m1 FAIL || printf '%s' "$GC_OUT" | tail -n 1)"
	h_ok
}

# run_rc RC WHAT CMD...: run one of our commands, expect exit status RC.
run_rc() {
	local want=$1 what=$2 rc=0
	shift 2
	RUN_OUT=$("$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want" ] || h_fail "$what: expected exit $want, got $rc: $RUN_OUT"
	h_ok
}
