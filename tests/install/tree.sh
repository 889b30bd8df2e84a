#!/usr/bin/env bash
# cmake --install into a DESTDIR: every file lands where docs/operate.md
# says, the installed programs run, idprov.pc points into the prefix, the
# units name the installed programs (also for another --prefix), and a
# second install keeps an edited /etc/idprov/idprovd.conf.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

# i_expect_no_placeholder FILE: configure_file replaced every @VARIABLE@.
i_expect_no_placeholder() {
	local left
	left=$(grep -E '@[A-Z_]+@' "$1" || true)
	h_expect_eq "" "$left" "placeholders left in ${1#"$I_ROOT"}"
}

i_install
echo "installed into $I_ROOT with prefix $I_PREFIX (libdir $I_LIBDIR)"
t="$I_TREE"
for f in bin/idprov bin/idprovctl sbin/idprovd; do
	i_expect_file "$t/$f" "a program"
	[ -x "$t/$f" ] || h_fail "$f is installed without the execute bit"
	h_ok
done
for f in "$I_LIBDIR/libidprov.a" "$I_LIBDIR/libidprov.so.0" "$I_LIBDIR/pkgconfig/idprov.pc" \
	include/idprov/idprov.h include/idprov/status.h include/idprov/discover.h \
	share/man/man1/idprov.1 share/man/man1/idprovctl.1 share/man/man5/idprovd.conf.5 \
	share/man/man8/idprovd.8 lib/systemd/system/idprovd.service \
	lib/systemd/system/idprov@.service share/doc/idprov/idprovd.conf.example \
	lib/sysusers.d/idprov.conf; do
	i_expect_file "$t/$f" "make install"
done
i_expect_file "$I_ROOT/etc/idprov/idprovd.conf" "the configuration (in /etc whatever the prefix)"
[ -L "$t/$I_LIBDIR/libidprov.so" ] || h_fail "libidprov.so should be the development symlink to libidprov.so.0"
h_ok
h_expect_eq "libidprov.so.0" "$(objdump -p "$t/$I_LIBDIR/libidprov.so.0" | awk '$1 == "SONAME" {print $2}')" "the library's SONAME"
echo "checked: programs, library (shared and static), headers, pc file, man pages, units, configuration"

# The installed programs run from the tree (no RUNPATH into the build).
for p in sbin/idprovd bin/idprov bin/idprovctl; do
	out=$("$t/$p" --version 2>&1) || h_fail "the installed $p --version failed: $out"
	h_expect_contains "$out" "$(i_cache CMAKE_PROJECT_VERSION)" "$p --version"
	if readelf -d "$t/$p" | grep -q "$IDPROV_BUILD"; then
		h_fail "the installed $p still has a RUNPATH into the build folder"
	fi
	h_ok
done
echo "checked: the installed programs print the version and do not refer to the build"

# idprov.pc names the installed folders.
pc=$(cat "$t/$I_LIBDIR/pkgconfig/idprov.pc")
h_expect_contains "$pc" "prefix=$I_PREFIX" "idprov.pc's prefix"
flags=$(PKG_CONFIG_PATH="$t/$I_LIBDIR/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$I_ROOT" pkg-config --cflags --libs idprov)
h_expect_contains "$flags" "-I$t/include" "pkg-config --cflags with the DESTDIR as sysroot"
h_expect_contains "$flags" "-L$t/$I_LIBDIR" "pkg-config --libs with the DESTDIR as sysroot"
h_expect_contains "$flags" "-lidprov" "pkg-config --libs"
echo "checked: idprov.pc: $flags"

# The units run the installed programs with the installed configuration.
unit=$(cat "$t/lib/systemd/system/idprovd.service")
h_expect_contains "$unit" "ExecStart=$I_PREFIX/sbin/idprovd --config /etc/idprov/idprovd.conf" "idprovd.service"
h_expect_contains "$unit" "User=idprov" "idprovd.service runs as the idprov user"
i_expect_no_placeholder "$t/lib/systemd/system/idprovd.service"
unit=$(cat "$t/lib/systemd/system/idprov@.service")
h_expect_contains "$unit" "ExecStart=$I_PREFIX/bin/idprov run --device %i" "idprov@.service"
h_expect_contains "$unit" "--secret-file /etc/idprov/device/%i.secret" "idprov@.service's secret"
conf=$(cat "$I_ROOT/etc/idprov/idprovd.conf")
h_expect_contains "$conf" "ca_dir = /etc/idprov/ca" "idprovd.conf's CA folder"
h_expect_contains "$conf" "db = /var/lib/idprov/idprov.db" "idprovd.conf's registry in the StateDirectory"
i_expect_no_placeholder "$I_ROOT/etc/idprov/idprovd.conf"
i_expect_no_placeholder "$t/lib/systemd/system/idprov@.service"
cmp -s "$I_ROOT/etc/idprov/idprovd.conf" "$t/share/doc/idprov/idprovd.conf.example" ||
	h_fail "the first install should put the example itself in /etc/idprov/idprovd.conf"
h_ok
echo "checked: units and configuration name the installed paths"

# The sysusers.d file makes the unit's user: a system user without a shell.
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$H_TMP/sysroot/etc"
	out=$(systemd-sysusers --root="$H_TMP/sysroot" "$t/lib/sysusers.d/idprov.conf" 2>&1) ||
		h_fail "systemd-sysusers refused lib/sysusers.d/idprov.conf: $out"
	line=$(grep '^idprov:' "$H_TMP/sysroot/etc/passwd" || true)
	h_expect_contains "$line" ":/var/lib/idprov:/usr/sbin/nologin" "the idprov user systemd-sysusers makes"
	uid=$(echo "$line" | cut -d: -f3)
	[ -n "$uid" ] && [ "$uid" -lt 1000 ] || h_fail "idprov should be a system user (uid below 1000), got '$uid'"
	h_ok
	echo "checked: systemd-sysusers makes the system user idprov (uid $uid, no shell)"
else
	echo "note: systemd-sysusers is missing; lib/sysusers.d/idprov.conf not tried"
fi

# An administrator's configuration survives the next make install.
echo "; edited by the administrator" >>"$I_ROOT/etc/idprov/idprovd.conf"
i_install
h_expect_contains "$(cat "$I_ROOT/etc/idprov/idprovd.conf")" "edited by the administrator" "idprovd.conf after a second install"
h_expect_contains "$(cat "$H_TMP/install.log")" "Keeping: $I_ROOT/etc/idprov/idprovd.conf" "the second install's message"
echo "checked: a second install keeps the edited /etc/idprov/idprovd.conf"

# Another --prefix at install time: the units follow it.
I_ROOT="$H_TMP/opt-root" i_install /opt/idprov
h_expect_contains "$(cat "$H_TMP/opt-root/opt/idprov/lib/systemd/system/idprovd.service")" \
	"ExecStart=/opt/idprov/sbin/idprovd " "idprovd.service installed with --prefix /opt/idprov"
i_expect_file "$H_TMP/opt-root/opt/idprov/sbin/idprovd" "--prefix /opt/idprov"
echo "checked: cmake --install --prefix /opt/idprov writes units naming /opt/idprov"
h_pass
