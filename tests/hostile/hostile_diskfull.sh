#!/usr/bin/env bash
# hostile_diskfull: idprov provision and idprovctl ca init writing to a
# 64 KiB tmpfs that fills up part way, and to a read-only one (root only:
# skipped otherwise).  Each time: the exit code, one sentence naming the
# file, no temporary file left behind, never a half-written file.  Whether
# the files written before the disk filled make a usable state is checked
# too; where they do not, "KNOWN BUG" is printed (the code is not ours).
source "$IDPROV_SRC/tests/lib/harness.sh"
h_require_root
command -v mount >/dev/null || h_skip "no mount command"

FULL="$H_TMP/full"
mkdir -p "$FULL" "$H_TMP/ro"
mount -t tmpfs -o size=64k,mode=0700 tmpfs "$FULL" 2>/dev/null || h_skip "cannot mount a tmpfs here"
trap 'rc=$?; umount "$FULL" 2>/dev/null; umount "$H_TMP/ro" 2>/dev/null; h_cleanup $rc' EXIT
PAGE=4096
PAGES=$(($(stat -f -c %b "$FULL") * $(stat -f -c %S "$FULL") / PAGE))
KNOWN=0
known() { echo "KNOWN BUG: $*"; KNOWN=$((KNOWN + 1)); }

h_ca_init
h_server_start

# fill LEFT: leave LEFT pages free on the tmpfs
fill() {
	rm -rf "${FULL:?}"/*
	head -c $(((PAGES - $1) * PAGE)) /dev/zero >"$FULL/filler" 2>/dev/null || true
}
no_temp_files() {
	local left
	left=$(find "$1" -name '.*.*' -type f 2>/dev/null | head -n 3)
	[ -z "$left" ] || h_fail "$2: temporary files left behind: $left"
	h_ok
}
# every file present is whole: PEMs parse, server.url is one https line
whole_files() {
	local f
	for f in "$1"/*.pem; do
		[ -e "$f" ] || continue
		grep -q -- '-----END ' "$f" || h_fail "$2: $f is cut short"
		h_ok
	done
	if [ -e "$1/server.url" ]; then
		grep -q '^https://' "$1/server.url" || h_fail "$2: server.url is cut short"
		h_ok
	fi
}

# ---- idprov provision: the disk fills before key.pem, ca.pem, server.url, cert.pem
lost=""
for left in 0 1 2 3; do
	dev="df-$left"
	fill "$left"
	h_curl_admin -X POST -d "{\"deviceID\":\"$dev\",\"oobSecret\":\"s-$dev\",\"validUntil\":\"\"}" \
		"$H_URL/idprov/oobsecret" >/dev/null
	rc=0
	out=$("$IDPROV" provision --device "$dev" --secret "s-$dev" --server "$H_URL" \
		--dir "$FULL/st" --timeout 5s 2>&1) || rc=$?
	h_expect_eq 6 "$rc" "provision with $left free pages: exit 6 (state folder I/O): $out"
	h_expect_contains "$out" "No space left" "provision with $left free pages: the message"
	[ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || h_fail "provision with $left free pages: more than one line: $out"
	h_ok
	no_temp_files "$FULL/st" "provision with $left free pages"
	whole_files "$FULL/st" "provision with $left free pages"
	echo "ok: provision with $left free pages -> exit 6: $out; saved: $(ls "$FULL/st" | tr '\n' ' ')"
	# space again: the same command must get the device its certificate
	rm -f "$FULL/filler"
	rc=0
	out=$("$IDPROV" provision --device "$dev" --secret "s-$dev" --server "$H_URL" \
		--dir "$FULL/st" --timeout 3s 2>&1) || rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok: provision with $left free pages, then again with space -> provisioned"
	else
		lost="$lost $left"
		echo "   after freeing space: exit $rc: $out"
	fi
done
if [ -n "$lost" ]; then
	known "lib/client (footprint engineer): the disk filled after the server approved (free pages:$lost): the certificate is lost and the one-time secret used up, so the device waits forever for an admin; ca.pem/server.url may be saved without cert.pem, and the message does not say the secret is spent"
fi

# ---- idprovctl ca init: the disk fills part way
half=""
for left in 0 2 4; do
	fill "$left"
	rc=0
	out=$("$IDPROVCTL" ca init --dir "$FULL/ca" 2>&1) || rc=$?
	[ "$rc" != 0 ] || h_fail "ca init with $left free pages: exit 0"
	h_ok
	h_expect_contains "$out" "No space left" "ca init with $left free pages: the message"
	no_temp_files "$FULL/ca" "ca init with $left free pages"
	whole_files "$FULL/ca" "ca init with $left free pages"
	echo "ok: ca init with $left free pages -> exit $rc: $out; saved: $(ls "$FULL/ca" | tr '\n' ' ')"
	rm -f "$FULL/filler"
	rc=0
	out=$("$IDPROVCTL" ca init --dir "$FULL/ca" 2>&1) || rc=$?
	[ "$rc" = 0 ] || half="$half $left"
done
if [ -n "$half" ]; then
	known "tools/idprovctl (security engineer): ca init that ran out of space (free pages:$half) leaves part of a CA folder; run again it refuses ('ca.key already exists ... without --force'); only --keep-ca or --force recovers, and the first message does not say so"
fi

# ---- a read-only state folder: refused before the server is asked
mount -t tmpfs -o size=64k,ro tmpfs "$H_TMP/ro"
h_curl_admin -X POST -d '{"deviceID":"df-ro","oobSecret":"s-ro","validUntil":""}' \
	"$H_URL/idprov/oobsecret" >/dev/null
rc=0
out=$("$IDPROV" provision --device df-ro --secret s-ro --server "$H_URL" --dir "$H_TMP/ro/st" \
	--timeout 3s 2>&1) || rc=$?
h_expect_eq 6 "$rc" "provision into a read-only file system: exit 6: $out"
echo "ok: provision into a read-only file system -> exit 6: $out"
rc=0
out=$("$IDPROV" provision --device df-ro --secret s-ro --server "$H_URL" --dir "$FULL/ro-retry" \
	--timeout 3s 2>&1) || rc=$?
h_expect_eq 0 "$rc" "the secret is still usable after the read-only attempt: $out"

echo "$KNOWN known bugs"
h_server_stop
h_pass
