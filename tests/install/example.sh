#!/usr/bin/env bash
# The README's C example (tests/client/example.c), built the way the README
# says, `cc example.c $(pkg-config --cflags --libs idprov)`, against the tree
# make install wrote into a DESTDIR (nothing from the source or build
# folders), then run against the installed idprovd: it provisions and
# renews.  Once with libidprov.so, once with libidprov.a.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

i_install
t="$I_TREE"
export PKG_CONFIG_PATH="$t/$I_LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$I_ROOT"
cp "$IDPROV_SRC/tests/client/example.c" "$H_TMP/example.c"
cd "$H_TMP"

# Shared: as the README shows.
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror example.c $(pkg-config --cflags --libs idprov) -o example-shared \
	>"$H_TMP/cc-shared.log" 2>&1 || h_fail "the example does not build with pkg-config's flags: $(cat "$H_TMP/cc-shared.log")"
h_ok
lib=$(LD_LIBRARY_PATH="$t/$I_LIBDIR" ldd ./example-shared | sed -n 's/.*libidprov\.so\.0 => \([^ ]*\).*/\1/p')
h_expect_eq "$t/$I_LIBDIR/libidprov.so.0" "$lib" "the library the shared example loads"
# Static: libidprov.a, plus the libraries idprov.pc lists as
# Requires.private (linked shared, as on a device with those installed).
deps=$(pkg-config --print-requires-private idprov | awk '{print $1}')
[ -n "$deps" ] || h_fail "idprov.pc should list its dependencies in Requires.private"
h_ok
# shellcheck disable=SC2046,SC2086
cc -std=c11 -Wall -Werror example.c $(pkg-config --cflags idprov) "$t/$I_LIBDIR/libidprov.a" \
	$(pkg-config --libs $deps) -o example-static >"$H_TMP/cc-static.log" 2>&1 ||
	h_fail "the example does not build against libidprov.a and Requires.private: $(cat "$H_TMP/cc-static.log")"
if grep -q libidprov <<<"$(ldd ./example-static)"; then
	h_fail "the static example should not load libidprov.so"
fi
h_ok
echo "checked: the example builds with pkg-config --cflags --libs idprov (shared) and against libidprov.a, from $I_ROOT"

h_ca_init
h_server_start
[ "$(readlink -f "/proc/$H_PID/exe")" = "$(readlink -f "$t/sbin/idprovd")" ] || h_fail "the server running is not the installed idprovd"
h_ok
post_secret() {
	local out
	out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
		-d "{\"deviceID\":\"$1\",\"oobSecret\":\"$2\",\"validUntil\":\"\"}" "$H_URL/idprov/oobsecret")
	h_expect_eq 200 "$(h_code "$out")" "posting the OOB secret of $1 ($out)"
}
for kind in shared static; do
	post_secret "ex-$kind" "secret-of-$kind"
	rc=0
	out=$(LD_LIBRARY_PATH="$t/$I_LIBDIR" IDPROV_SECRET="secret-of-$kind" \
		"./example-$kind" "$H_URL" "ex-$kind" "$H_TMP/state-$kind" 2>&1) || rc=$?
	h_expect_eq 0 "$rc" "the $kind example's exit status (output: $out)"
	h_expect_contains "$out" "certificate $H_TMP/state-$kind/cert.pem" "the $kind example's output"
	h_expect_contains "$out" "renewed" "the $kind example's renewal"
	v=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/state-$kind/cert.pem" 2>&1) ||
		h_fail "openssl should accept the $kind example's certificate: $v"
	h_ok
	h_expect_contains "$(openssl x509 -in "$H_TMP/state-$kind/cert.pem" -noout -subject)" "CN = ex-$kind" "the certificate's subject"
done
echo "checked: both builds provision and renew against the installed idprovd; openssl verifies the certificates"
h_pass
