# tests/ctl/lib.sh - helpers for idprovctl's shell tests, sourced after
# tests/lib/harness.sh.

# idprovctl with the test CA's admin certificate against the test server.
ctl() {
	"$IDPROVCTL" "$@" --server "$H_URL" --ca "$H_CA/ca.pem" \
		--cert "$H_CA/admin.pem" --key "$H_CA/admin.key"
}

# ctl_expect_rc WANT WHAT cmd...: run, keep stdout in $OUT and stderr in
# $ERR, and fail unless the exit status is WANT.
ctl_expect_rc() {
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$H_TMP/out" 2>"$H_TMP/err" || rc=$?
	OUT=$(cat "$H_TMP/out")
	ERR=$(cat "$H_TMP/err")
	[ "$rc" = "$want" ] || h_fail "$what: expected exit $want, got $rc (stdout: ${OUT:0:300}; stderr: ${ERR:0:400})"
	h_ok
}

# ctl_keypair NAME: $H_TMP/NAME.key (private) and NAME.pub (public), P-256.
ctl_keypair() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/$1.key" 2>/dev/null
	openssl ec -in "$H_TMP/$1.key" -pubout -out "$H_TMP/$1.pub" 2>/dev/null
}

# ctl_provision ID SECRET [--out FILE] [--cert C --key K]: a device's
# provisioning request (tests/ctl/provreq.py); prints the status.
ctl_provision() {
	local id=$1 secret=$2
	shift 2
	[ -f "$H_TMP/$id.pub" ] || ctl_keypair "$id"
	python3 "$IDPROV_SRC/tests/ctl/provreq.py" "$H_URL" "$H_CA/ca.pem" \
		"$id" "$secret" "$H_TMP/$id.pub" "$@"
}
