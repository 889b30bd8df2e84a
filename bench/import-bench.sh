#!/usr/bin/env bash
# bench/import-bench.sh [BUILD] [ROWS] - time `idprovctl oob import` of a
# 10,000-row CSV (or ROWS) against a local idprovd and print rows/s.
# The issue's target: 10,000 rows in under 2 seconds on loopback.
# BUILD defaults to build-bench (what `make bench` builds).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-bench}
rows=${2:-10000}
ctl="$build/tools/idprovctl"
srv="$build/server/idprovd"
for f in "$ctl" "$srv"; do
	[ -x "$f" ] || { echo "import-bench: $f is not built (make bench builds it)" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idprov-import-bench.XXXXXX")
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

"$ctl" ca init --dir "$tmp/ca" >/dev/null
"$srv" --ca-dir "$tmp/ca" --listen 127.0.0.1:0 --ready-file "$tmp/ready" --no-dnssd \
	--db "$tmp/idprov.db" >"$tmp/idprovd.log" 2>&1 &
pid=$!
for _ in $(seq 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
[ -s "$tmp/ready" ] || { echo "import-bench: idprovd did not start" >&2; tail -5 "$tmp/idprovd.log" >&2; exit 1; }
url="https://$(head -n 1 "$tmp/ready")"

# Rows as the factory's CSV would have them: 26-character secrets.
"$ctl" oob generate --count "$rows" --prefix bench- --out "$tmp/gen" --quiet >/dev/null

start=$(date +%s.%N)
out=$("$ctl" oob import "$tmp/gen/secrets.csv" --quiet --server "$url" --ca "$tmp/ca/ca.pem" \
	--cert "$tmp/ca/admin.pem" --key "$tmp/ca/admin.key")
end=$(date +%s.%N)
echo "$out"
awk -v s="$start" -v e="$end" -v n="$rows" 'BEGIN {
	t = e - s; printf "import-bench: %d rows in %.3f s = %.0f rows/s (target: 10000 rows in < 2 s)\n", n, t, n / t }'
