#!/usr/bin/env bash
# The README's C example, built against libidprov.so, provisions and renews
# a device against a real idprovd.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

EXAMPLE="$IDPROV_BUILD/tests/client/client_example_bin"
[ -x "$EXAMPLE" ] || h_fail "the example program was not built ($EXAMPLE)"
h_ca_init
h_server_start
c_post_secret ex1 's3cret'
c_run out rc env IDPROV_SECRET='s3cret' "$EXAMPLE" "$H_URL" ex1 "$H_TMP/ex1"
h_expect_eq 0 "$rc" "the example exits 0 (output: $out)"
h_expect_contains "$out" "certificate $H_TMP/ex1/cert.pem" "the example's output"
h_expect_contains "$out" "renewed" "the example's renewal"
c_expect_verifies "$H_TMP/ex1" "the example's files"
# A wrong secret (one is posted, so the answer is Rejected, not Waiting).
c_post_secret ex2 'right'
c_run out rc env IDPROV_SECRET='wrong' "$EXAMPLE" "$H_URL" ex2 "$H_TMP/ex2"
h_expect_eq 1 "$rc" "the example reports a failure"
h_expect_contains "$out" "provisioning failed" "the example's error line"
# It links the shared library, and that exports the public API only.
# (ldd's output in a variable: grep -q closing the pipe early would make
# ldd die of SIGPIPE, which pipefail reports as a failure.)
deps=$(ldd "$EXAMPLE")
grep -q 'libidprov\.so\.0' <<<"$deps" || h_fail "the example is not linked to libidprov.so.0"
h_ok
lib=$(printf '%s\n' "$deps" | sed -n 's/.*libidprov\.so\.0 => \([^ ]*\).*/\1/p')
bad=$(nm -D --defined-only "$lib" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^idprov_client_\|^idprov_discover@\|^idprov_status_str@' || true)
h_expect_eq "" "$bad" "symbols libidprov.so exports beyond the public API"
h_pass
