#!/usr/bin/env bash
# bench/footprint.sh BUILD - the device side's footprint, for the build given:
#  1. code size of libidprov itself (the .text of its own objects, from
#     libidprov.a; OpenSSL, libcurl, jansson and Avahi are not counted, also
#     not when a device-sized libcurl is linked into libidprov.so);
#  2. peak RSS of one real `idprov provision` (TLS verified against the CA
#     it fetched, a new key generated, files saved atomically) against a
#     local idprovd.
# Targets (issue 3): under 150 KB text, under 8 MB peak RSS.  Which build it
# is -- device-sized (-DIDPROV_DEVICE_CURL, docs/footprint.md) or the
# distribution's -- is read from its CMakeCache.txt and printed first.
set -euo pipefail
build=$(cd "${1:?usage: bench/footprint.sh BUILD-FOLDER}" && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
lib="$build/lib/client/libidprov.so"
idprov="$build/tools/idprov"
idprovd="$build/server/idprovd"
idprovctl="$build/tools/idprovctl"
for f in "$lib" "$build/lib/client/libidprov.a" "$idprov" "$idprovd" "$idprovctl" \
	"$build/CMakeCache.txt"; do
	[ -e "$f" ] || { echo "footprint: $f is missing: build first" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idprov-footprint.XXXXXX")
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

cache_value() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
device_curl=$(cache_value IDPROV_DEVICE_CURL)
discovery=$(cache_value IDPROV_DISCOVERY)
dlopen=$(cache_value IDPROV_DISCOVERY_DLOPEN)
case "$discovery:$dlopen" in
OFF:*)	avahi="no discovery (IDPROV_DISCOVERY=OFF)" ;;
*:ON)	avahi="Avahi loaded only to discover (IDPROV_DISCOVERY_DLOPEN)" ;;
*)	avahi="Avahi linked" ;;
esac
if [ -n "$device_curl" ]; then
	echo "build: $build -- DEVICE-SIZED: static HTTPS-only libcurl from $device_curl, $avahi"
else
	echo "build: $build -- distribution: Debian's shared libcurl, $avahi"
fi

static="$build/lib/client/libidprov.a"
text=$(size -A "$static" | awk '$1 == ".text" { s += $2 } END { print s + 0 }')
printf 'libidprov text (own code):  %6d bytes (%d KB; target < 150 KB)\n' \
	"$text" $(((text + 1023) / 1024))
if [ -n "$device_curl" ]; then
	so_text=$(size -A "$(readlink -f "$lib")" | awk '$1 == ".text" { print $2 }')
	printf '  libidprov.so with the device libcurl inside: %d KB text\n' \
		$(((so_text + 1023) / 1024))
fi

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
# A real certificate for the key the device made, or no figure at all.
openssl verify -CAfile "$tmp/ca/ca.pem" "$tmp/dev/cert.pem" >/dev/null 2>&1 ||
	{ echo "footprint: the provisioned certificate does not verify" >&2; exit 1; }
if [ -n "$device_curl" ] && ldd "$idprov" | grep -q 'libcurl'; then
	echo "footprint: $idprov still loads a shared libcurl" >&2
	exit 1
fi
if [ "$discovery:$dlopen" = ON:ON ] && ldd "$idprov" | grep -q 'libavahi'; then
	echo "footprint: $idprov links Avahi although it should load it only to discover" >&2
	exit 1
fi
peak() { awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$1"; }
rss=$(peak "$tmp/time.out")
printf 'idprov provision peak RSS:  %6d KB (target < 8192 KB)\n' "$rss"
# How much of that is merely loading the shared libraries (libcurl as a
# distribution builds it pulls in GnuTLS, Kerberos, LDAP, libssh2, ...;
# avahi-client, D-Bus and libsystemd unless loaded only to discover):
/usr/bin/time -v "$idprov" --version >/dev/null 2>"$tmp/time0.out"
base=$(peak "$tmp/time0.out")
printf '  of which loading the libraries (idprov --version): %d KB; provisioning adds %d KB\n' \
	"$base" $((rss - base))
printf '  shared libraries: %d (ldd)\n' "$(ldd "$idprov" | wc -l)"
[ "$text" -lt $((150 * 1024)) ] || echo "footprint: text over target" >&2
if [ "$rss" -ge 8192 ]; then
	if [ -n "$device_curl" ]; then
		echo "footprint: peak RSS over target" >&2
	else
		echo "footprint: peak RSS over target: expected of the distribution build; the target is the device-sized build's (docs/footprint.md)" >&2
	fi
fi
