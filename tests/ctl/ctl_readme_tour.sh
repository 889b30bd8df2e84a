#!/usr/bin/env bash
# The README's "tour in five minutes", run as a new user would type it:
# the code block is taken from README.md as it is, and run from a folder
# laid out like the top of the repository (build/ is this build).  It uses
# the fixed port 43776, so it runs in a network namespace of its own (root),
# with no system D-Bus, so that nothing is published to the real network.
# Checked: every step succeeds, the device ends up with a certificate the CA
# verifies and a private key nobody else can read, idprovd exits 0 on
# SIGTERM, and the tour leaves nothing outside var/.
source "$IDPROV_SRC/tests/lib/harness.sh"
h_require_root
command -v unshare >/dev/null || h_skip "needs unshare (util-linux)"
command -v ip >/dev/null || h_skip "needs ip (iproute2)"
unshare -n true 2>/dev/null || h_skip "cannot create a network namespace here"

top=$H_TMP/top
mkdir -p "$top"
ln -s "$(cd "$(dirname "$IDPROVD")/.." && pwd)" "$top/build"

# The first ```sh block after the tour's heading.
awk '/^## A tour in five minutes/ { t = 1; next }
     t && /^```sh/ { b = 1; next }
     b && /^```/ { exit }
     b' "$IDPROV_SRC/README.md" >"$H_TMP/tour.sh"
[ -s "$H_TMP/tour.sh" ] || h_fail "README.md has no sh block under '## A tour in five minutes'"
h_expect_contains "$(cat "$H_TMP/tour.sh")" "idprovctl ca init" "the tour's code block"
# The README stops idprovd with kill %1; wait for it to say how it ended.
printf '\nwait %%1; echo "idprovd exit status: $?"\n' >>"$H_TMP/tour.sh"

rc=0
(cd "$top" && DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent \
	timeout 150 unshare -n bash -c 'ip link set lo up && exec bash -e "$0"' \
	"$H_TMP/tour.sh") >"$H_TMP/tour.log" 2>&1 || rc=$?
log=$(cat "$H_TMP/tour.log")
[ "$rc" = 0 ] || h_fail "the README tour should run to its end with exit 0, got $rc: $(tail -n 15 "$H_TMP/tour.log")"
h_ok
echo "checked: the README tour ran to its end"

h_expect_contains "$log" "provisioned sensor-17" "the device's provisioning in the tour"
h_expect_contains "$log" "Approved" "idprovctl status in the tour"
h_expect_contains "$log" "renewed sensor-17" "idprov renew in the tour"
h_expect_contains "$log" "idprovd exit status: 0" "idprovd after kill %1 (the README: exits 0 on SIGTERM)"
echo "checked: provisioned, Approved, renewed, idprovd exited 0"

openssl verify -CAfile "$top/var/ca/ca.pem" "$top/var/sensor-17/cert.pem" >/dev/null 2>&1 ||
	h_fail "the device's var/sensor-17/cert.pem should verify against var/ca/ca.pem"
h_ok
h_expect_eq "600" "$(stat -c %a "$top/var/sensor-17/key.pem")" "mode of the device's key.pem"
echo "checked: the certificate verifies against the CA, key.pem is 0600"

left=$(cd "$top" && ls -A | grep -v -x -e build -e var | tr '\n' ' ' || true)
h_expect_eq "" "$left" "files the tour left outside var/ (the README says everything is under var/)"
echo "checked: nothing left outside var/"
h_pass
