# tests/install/lib.sh - sourced by the install_* tests after harness.sh:
# `cmake --install` of the build ctest runs in, into a scratch DESTDIR.

# The build's own choices, from its cache.
i_cache() {
	sed -n "s/^$1:[A-Z]*=//p" "$IDPROV_BUILD/CMakeCache.txt"
}

# i_install [PREFIX]: install into $H_TMP/root (I_ROOT) with PREFIX (default:
# the one the build was configured with).  Sets I_PREFIX, I_TREE (root +
# prefix), I_LIBDIR (relative), and points IDPROVD, IDPROVCTL and IDPROV at
# the installed programs, so the harness starts those.
i_install() {
	I_PREFIX=${1:-$(i_cache CMAKE_INSTALL_PREFIX)}
	I_ROOT=${I_ROOT:-$H_TMP/root}
	[ -f "$IDPROV_BUILD/CMakeCache.txt" ] || h_fail "no CMake build in IDPROV_BUILD=$IDPROV_BUILD"
	DESTDIR="$I_ROOT" cmake --install "$IDPROV_BUILD" --prefix "$I_PREFIX" \
		>"$H_TMP/install.log" 2>&1 ||
		h_fail "cmake --install into $I_ROOT failed: $(tail -n 5 "$H_TMP/install.log")"
	I_TREE="$I_ROOT$I_PREFIX"
	I_LIBDIR=$(i_cache CMAKE_INSTALL_LIBDIR)
	case "$I_LIBDIR" in /*) I_LIBDIR=${I_LIBDIR#"$I_PREFIX"/} ;; esac
	IDPROVD="$I_TREE/sbin/idprovd"
	IDPROVCTL="$I_TREE/bin/idprovctl"
	IDPROV="$I_TREE/bin/idprov"
	export IDPROVD IDPROVCTL IDPROV
}

# i_expect_file PATH what: a regular file (or symlink to one) exists.
i_expect_file() {
	[ -f "$1" ] || h_fail "$2: expected the file ${1#"$I_ROOT"} in the installed tree"
	h_ok
}
