#!/usr/bin/env bash
# The installed systemd units pass `systemd-analyze verify` (no running
# systemd needed) and `systemd-analyze security --offline` rates their
# sandbox OK (exposure at most 2.5 of 10).
#
# verify insists that ExecStart's program exists, so the units are checked
# as installed with only the program paths moved into the DESTDIR; their
# man: links are looked up in the installed man pages (MANPATH).  verify
# does not look up User=, so the idprov user need not exist here.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

command -v systemd-analyze >/dev/null || h_skip "systemd-analyze is missing (apt-get install systemd)"
i_install
man_opt=()
command -v man >/dev/null || { man_opt=(--man=no); echo "note: man is missing, Documentation= not checked"; }
mkdir "$H_TMP/units"
for u in idprovd.service idprov@.service; do
	sed -E "s#^(ExecStart=)(/[^ ]*)#\1$I_ROOT\2#" "$I_TREE/lib/systemd/system/$u" >"$H_TMP/units/$u"
done
# An instance of the template, as `systemctl start idprov@sensor-17` makes.
cp "$H_TMP/units/idprov@.service" "$H_TMP/units/idprov@sensor-17.service"

verify() {
	local out rc=0
	out=$(MANPATH="$I_TREE/share/man" SYSTEMD_LOG_COLOR=0 systemd-analyze verify "${man_opt[@]}" "$H_TMP/units/$1" 2>&1) || rc=$?
	h_expect_eq 0 "$rc" "systemd-analyze verify $1's exit status (output: $out)"
	h_expect_eq "" "$out" "systemd-analyze verify $1's messages"
}
verify idprovd.service
verify idprov@.service
verify idprov@sensor-17.service
echo "checked: systemd-analyze verify accepts idprovd.service and idprov@.service without a message"

# The check has teeth: a misspelt setting is reported.
sed 's/^ProtectSystem=strict/ProtectSytem=strict/' "$H_TMP/units/idprovd.service" >"$H_TMP/units/bad.service"
out=$(MANPATH="$I_TREE/share/man" systemd-analyze verify "${man_opt[@]}" "$H_TMP/units/bad.service" 2>&1 || true)
h_expect_contains "$out" "Unknown key" "systemd-analyze verify on a misspelt key"
echo "checked: a misspelt key would be reported"

for u in idprovd.service idprov@sensor-17.service; do
	rc=0
	out=$(systemd-analyze security --offline=yes --threshold=25 "$H_TMP/units/$u" 2>&1) || rc=$?
	h_expect_eq 0 "$rc" "systemd-analyze security --threshold=25 on $u (exposure: $(echo "$out" | tail -n 1))"
	h_expect_contains "$(echo "$out" | tail -n 1)" "OK" "the exposure level of $u"
	echo "$u: $(echo "$out" | tail -n 1 | sed 's/→ //')"
done
unit=$(cat "$H_TMP/units/idprovd.service")
for want in "User=idprov" "StateDirectory=idprov" "ProtectSystem=strict" "PrivateTmp=yes" \
	"NoNewPrivileges=yes" "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" "CapabilityBoundingSet=" \
	"ExecReload=/bin/kill -HUP \$MAINPID"; do
	h_expect_contains "$unit" "$want" "idprovd.service"
done
echo "checked: the sandbox of both units is rated OK; idprovd.service has the settings the issue asks for"
h_pass
