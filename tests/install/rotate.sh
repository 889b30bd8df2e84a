#!/usr/bin/env bash
# docs/operate.md sections 2 and 4 with the installed programs: the CA is
# made by the service's user (here nobody, standing for idprov) in a folder
# of its own, mode 0700; idprovd runs as that user; the server certificate
# is rotated with `idprovctl ca init --keep-ca` run as that user, and
# SIGHUP (systemctl reload) makes idprovd serve it to new connections
# without a restart, while a device provisioned before renews after.  Done
# as root instead, the new key is unreadable for idprovd: the reload fails,
# the old certificate stays, and the documented chown repairs it.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

i_install
as_user=()
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null && command -v setpriv >/dev/null; then
	svc=nobody
	as_user=(runuser -u nobody --)
	# idprovd writes its ready file (harness.sh) into the scratch folder.
	chown nobody:nogroup "$H_TMP"
	install -d -m 0700 -o nobody -g nogroup "$H_CA" "$H_TMP/state"
	cat >"$H_TMP/idprovd-as-user" <<SH
#!/bin/sh
exec setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs "$IDPROVD" "\$@"
SH
	chmod 0755 "$H_TMP/idprovd-as-user"
	server=("$H_TMP/idprovd-as-user")
else
	svc=$(id -un)
	echo "note: not root: everything runs as $svc"
	mkdir -p "$H_TMP/state"
	server=("$IDPROVD")
fi
"${as_user[@]}" "$IDPROVCTL" ca init --dir "$H_CA" --hosts 127.0.0.1,localhost >"$H_TMP/ca-init.log" 2>&1 ||
	h_fail "idprovctl ca init as $svc failed: $(cat "$H_TMP/ca-init.log")"
h_expect_eq "700 $svc" "$(stat -c '%a %U' "$H_CA")" "the CA folder's mode and owner"
h_expect_eq "600 $svc" "$(stat -c '%a %U' "$H_CA/ca.key")" "ca.key's mode and owner"
h_expect_eq "600 $svc" "$(stat -c '%a %U' "$H_CA/server.key")" "server.key's mode and owner"
echo "checked: idprovctl ca init as $svc: the CA folder 0700 and the keys 0600 are $svc's"

IDPROVD="${server[0]}" h_server_start --config "$I_ROOT/etc/idprov/idprovd.conf" --db "$H_TMP/state/idprov.db"
pid=$H_PID
h_expect_eq "$svc" "$(stat -c %U "/proc/$pid")" "the user idprovd runs as"
served_serial() {
	openssl s_client -connect "127.0.0.1:$H_PORT" -CAfile "$H_CA/ca.pem" </dev/null 2>/dev/null |
		openssl x509 -noout -serial
}
file_serial() { openssl x509 -in "$H_CA/server.pem" -noout -serial; }
wait_log() {
	local n=$1 what=$2
	for _ in $(seq 100); do
		[ "$(grep -c "$what" "$H_TMP/idprovd.log")" -ge "$n" ] && return 0
		sleep 0.05
	done
	h_fail "idprovd's log should show '$what' $n time(s): $(tail -n 3 "$H_TMP/idprovd.log")"
}
ca_before=$(openssl x509 -in "$H_CA/ca.pem" -noout -fingerprint -sha256)
old=$(file_serial)
h_expect_eq "$old" "$(served_serial)" "the certificate served before the rotation"

# A device gets its certificate with the installed idprov.
out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	-d '{"deviceID":"dev-rot","oobSecret":"rot-secret","validUntil":""}' "$H_URL/idprov/oobsecret")
h_expect_eq 200 "$(h_code "$out")" "posting the OOB secret ($out)"
out=$("$IDPROV" provision --device dev-rot --server "$H_URL" --dir "$H_TMP/dev" --secret-stdin <<<"rot-secret" 2>&1) ||
	h_fail "idprov provision should succeed before the rotation: $out"
h_ok

# The rotation, as docs/operate.md says.
out=$("${as_user[@]}" "$IDPROVCTL" ca init --dir "$H_CA" --keep-ca --hosts 127.0.0.1,localhost 2>&1) ||
	h_fail "idprovctl ca init --keep-ca as $svc failed: $out"
new=$(file_serial)
[ "$new" != "$old" ] || h_fail "ca init --keep-ca should write a new server certificate"
h_ok
h_expect_eq "$ca_before" "$(openssl x509 -in "$H_CA/ca.pem" -noout -fingerprint -sha256)" "the CA after --keep-ca"
h_expect_eq "$old" "$(served_serial)" "the certificate served before the reload"
kill -HUP "$pid"
wait_log 1 "reloaded the configuration"
h_expect_eq "$new" "$(served_serial)" "the certificate served after SIGHUP"
kill -0 "$pid" || h_fail "idprovd should still run after SIGHUP"
h_ok
echo "checked: ca init --keep-ca as $svc + SIGHUP: new connections get the new certificate, same process, same CA"

out=$("$IDPROV" renew --dir "$H_TMP/dev" 2>&1) || h_fail "idprov renew after the rotation should succeed: $out"
h_ok
v=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$H_TMP/dev/cert.pem" 2>&1) || h_fail "the renewed certificate should verify: $v"
h_ok
echo "checked: a device provisioned before the rotation renews after it"

if [ "$svc" = nobody ]; then
	# The mistake operate.md warns about: rotating as root.
	"$IDPROVCTL" ca init --dir "$H_CA" --keep-ca --hosts 127.0.0.1,localhost >/dev/null 2>&1 ||
		h_fail "idprovctl ca init --keep-ca as root failed"
	h_expect_eq "600 root" "$(stat -c '%a %U' "$H_CA/server.key")" "server.key after a rotation as root"
	third=$(file_serial)
	kill -HUP "$pid"
	wait_log 1 "reload failed"
	h_expect_contains "$(grep 'reload failed' "$H_TMP/idprovd.log")" "keeping the running settings" "the failed reload's line"
	h_expect_eq "$new" "$(served_serial)" "the certificate served after a failed reload"
	chown nobody:nogroup "$H_CA"/server.* "$H_CA"/admin.*
	kill -HUP "$pid"
	wait_log 2 "reloaded the configuration"
	h_expect_eq "$third" "$(served_serial)" "the certificate served after chown and reload"
	echo "checked: rotated as root, the reload fails and keeps the old certificate; chown and reload repair it"
fi
h_server_stop
h_pass
