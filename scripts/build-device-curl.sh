#!/usr/bin/env bash
# scripts/build-device-curl.sh PREFIX - a device-sized, static libcurl for
# the device client (docs/footprint.md), installed in PREFIX (lib/libcurl.a,
# include/curl/, lib/pkgconfig/libcurl.pc).  Then:
#   cmake -S . -B build-device -DIDPROV_DEVICE_CURL=PREFIX ...
#
# Why: Debian's libcurl4-openssl is built for every use there is; loading it
# maps 40-odd shared libraries (GnuTLS through librtmp, Kerberos, LDAP,
# libssh2, nghttp2, libpsl, brotli, zstd, idn2...) that a device talking
# HTTPS/1.1 to one server never uses, and that alone is most of the client's
# resident memory.  A device maker builds curl with what the device needs:
# HTTP(S) over OpenSSL, the threaded resolver (the client's timeouts must
# cover name resolution too), no default CA bundle (the client always names
# the CA it trusts), curl's error texts (a few KB; without them every
# failure reads "Error"), nothing else.
#
# The source is Debian's own (bookworm) with Debian's patches -- the security
# fixes -- applied, fetched with apt-get through a private sources list so
# the system's apt configuration is not touched; apt checks the files against
# the signed Sources index.  IDPROV_CURL_DSC=/path/to/curl_*.dsc uses an
# already downloaded copy instead.  Needs: gcc, make, dpkg-dev, patch,
# xz-utils, libssl-dev (no autotools: the release tarball's configure is used).
# Does nothing when PREFIX already holds this build.
set -euo pipefail
prefix=${1:?usage: scripts/build-device-curl.sh PREFIX}
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
stamp="$prefix/.idprov-device-curl"
# Bump when the options below change so that old builds are redone.
recipe=2

if [ -e "$prefix/lib/libcurl.a" ] && [ -e "$stamp" ] &&
	[ "$(sed -n 1p "$stamp")" = "recipe $recipe" ]; then
	echo "build-device-curl: $prefix already holds $(sed -n 2p "$stamp")"
	exit 0
fi

work="$prefix/src"
rm -rf "$work"
mkdir -p "$work"

dsc=${IDPROV_CURL_DSC:-}
if [ -z "$dsc" ]; then
	echo "build-device-curl: fetching Debian's curl source (bookworm)"
	mkdir -p "$work/apt/lists/partial"
	echo 'deb-src http://deb.debian.org/debian bookworm main' >"$work/apt/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$work/apt/lists"
		-o "Dir::Cache=$work/apt/cache")
	# As root apt would drop to _apt, who cannot write in a build folder,
	# and download as root anyway after a warning.
	if [ "$(id -u)" -eq 0 ]; then
		apt_opts+=(-o APT::Sandbox::User=root)
	fi
	apt-get "${apt_opts[@]}" -qq update
	(cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only curl)
	dsc=$(ls "$work"/curl_*.dsc)
fi
dsc=$(readlink -f "$dsc")

# Unpack without patches, then apply Debian's series up to the two patches
# that only rename the library for the GnuTLS and NSS flavours (Debian's
# rules pop those two for its OpenSSL build the same way).  Patches that
# touch configure.ac or Makefile.am take no effect: curl's maintainer mode
# is off, so the release's generated configure and Makefile.in are used;
# those hunks concern Kerberos, LDAP and zsh, all left out here.
# (dpkg-source's gpgv may say it cannot check the uploader's signature
# without debian-keyring: apt has already checked the files' hashes.)
(cd "$work" && dpkg-source -q --skip-patches -x "$dsc" curl) >"$work/unpack.log" 2>&1 ||
	{ cat "$work/unpack.log" >&2; exit 1; }
tree="$work/curl"
while read -r patch; do
	case "$patch" in ''|'#'*) continue ;; 90_gnutls.patch) break ;; esac
	patch -s -p1 -d "$tree" <"$tree/debian/patches/$patch"
done <"$tree/debian/patches/series"
version=$(cd "$tree" && dpkg-parsechangelog -S Version)

# -ffunction-sections/-fdata-sections let the final link drop what the
# client never calls; -fPIC because libidprov.so links it too.  Debian's
# hardening flags, as for its own package.
cflags="-Os -fPIC -ffunction-sections -fdata-sections -fstack-protector-strong"
cppflags="-D_FORTIFY_SOURCE=2"
cd "$tree"
./configure --prefix="$prefix" --disable-shared --enable-static --with-pic \
	--disable-dependency-tracking --enable-symbol-hiding \
	CFLAGS="$cflags" CPPFLAGS="$cppflags" \
	--with-openssl --enable-threaded-resolver --enable-ipv6 \
	--without-ca-bundle --without-ca-path --without-ca-fallback \
	--without-zlib --without-brotli --without-zstd --without-libpsl \
	--without-libidn2 --without-nghttp2 --without-ngtcp2 --without-nghttp3 \
	--without-quiche --without-msh3 --without-hyper --without-librtmp \
	--without-libssh2 --without-libssh --without-wolfssh --without-gssapi \
	--without-libgsasl --disable-ares \
	--enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps \
	--disable-rtsp --disable-dict --disable-telnet --disable-tftp \
	--disable-pop3 --disable-imap --disable-smb --disable-smtp \
	--disable-gopher --disable-mqtt --disable-websockets \
	--disable-proxy --disable-cookies --disable-netrc --disable-alt-svc \
	--disable-hsts --disable-doh --disable-mime --disable-dateparse \
	--disable-http-auth --disable-crypto-auth --disable-ntlm \
	--disable-ntlm-wb --disable-tls-srp --disable-unix-sockets \
	--disable-headers-api --disable-get-easy-options --disable-dnsshuffle \
	--disable-manual --disable-libcurl-option --enable-verbose \
	--disable-progress-meter --disable-sspi \
	>"$work/configure.log" 2>&1 ||
	{ tail -n 30 "$work/configure.log" >&2; exit 1; }
jobs=$(nproc 2>/dev/null || echo 2)
[ "$jobs" -gt 2 ] && jobs=2
make -s -j"$jobs" -C lib >"$work/make.log" 2>&1 ||
	{ tail -n 30 "$work/make.log" >&2; exit 1; }
make -s -C lib install >/dev/null
make -s -C include install >/dev/null
make -s install-pkgconfigDATA >/dev/null
printf 'recipe %s\ncurl %s (Debian source, device options)\n' "$recipe" "$version" >"$stamp"
echo "build-device-curl: curl $version installed in $prefix"
