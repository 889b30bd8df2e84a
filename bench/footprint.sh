#!/usr/bin/env bash
# bench/footprint.sh BUILD - the device side's footprint:
#  1. code size of libidprov.so itself (the .text of the library; OpenSSL,
#     libcurl, jansson and Avahi are shared libraries and not counted);
#  2. peak RSS of one `idprov provision` against a local idprovd.
# Targets (issue 3): under 150 KB text, under 8 MB peak RSS.
set -euo pipefail
build=$(cd "${1:?usage: bench/footprint.sh BUILD-FOLDER}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
lib="$build/lib/client/libidprov.so"
idprov="$build/tools/idprov"
idprovd="$build/server/idprovd"
idprovctl="$build/tools/idprovctl"
for f in "$lib" "$idprov" "$idprovd" "$idprovctl"; do
	[ -e "$f" ] || { echo "footprint: $f is missing: build first" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idprov-footprint.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

text=$(size -A "$(readlink -f "$lib")" | awk '$1 == ".text" { print $2 }')
printf 'libidprov.so text:          %6d bytes (%d KB; target < 150 KB)\n' \
	"$text" $(((text + 1023) / 1024))

"$idprovctl" ca init --dir "$tmp/ca" >/dev/null 2>&1
"$idprovd" --ca-dir "$tmp/ca" --listen 127.0.0.1:0 --ready-file "$tmp/ready" \
	--no-dnssd --db "$tmp/idprov.db" >"$tmp/idprovd.log" 2>&1 &
pid=$!
for _ in $(seq 200); do [ -s "$tmp/ready" ] && break; sleep 0.05; done
[ -s "$tmp/ready" ] || { echo "footprint: idprovd did not start" >&2; exit 1; }
url="https://$(head -n 1 "$tmp/ready")"
curl -sS --fail --cacert "$tmp/ca/ca.pem" --cert "$tmp/ca/admin.pem" \
	--key "$tmp/ca/admin.key" -H 'Content-Type: application/json' \
	-d '{"deviceID":"bench1","oobSecret":"bench-secret","validUntil":""}' \
	"$url/idprov/oobsecret" >/dev/null
printf 'bench-secret' >"$tmp/secret"
/usr/bin/time -v "$idprov" provision --device bench1 --secret-file "$tmp/secret" \
	--server "$url" --dir "$tmp/dev" >"$tmp/provision.out" 2>"$tmp/time.out" ||
	{ cat "$tmp/provision.out" "$tmp/time.out" >&2; exit 1; }
peak() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$1"; }
rss=$(peak "$tmp/time.out")
printf 'idprov provision peak RSS:  %6d KB (target < 8192 KB)\n' "$rss"
# How much of that is merely loading the shared libraries (libcurl as a
# distribution builds it pulls in GnuTLS, Kerberos, LDAP, libssh2, ...):
/usr/bin/time -v "$idprov" --version >/dev/null 2>"$tmp/time0.out"
base=$(peak "$tmp/time0.out")
printf '  of which loading the libraries (idprov --version): %d KB; provisioning adds %d KB\n' \
	"$base" $((rss - base))
printf '  shared libraries: %d (ldd)\n' "$(ldd "$idprov" | wc -l)"
[ "$text" -lt $((150 * 1024)) ] || echo "footprint: text over target" >&2
[ "$rss" -lt 8192 ] || echo "footprint: peak RSS over target" >&2
