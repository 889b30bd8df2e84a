#!/usr/bin/env bash
# The units' sandbox does not get in the programs' way.  No systemd runs
# here to start the units, so the installed idprovd (as an unprivileged
# user, with no_new_privs, like User=idprov) and idprov are run under
# strace through a provisioning, a renewal, a reload and a stop, and what
# they did is checked against the units: every system call is in
# SystemCallFilter (@system-service minus @privileged and @resources),
# every socket is AF_INET, AF_INET6 or AF_UNIX (RestrictAddressFamilies),
# and no memory is mapped writable and executable (MemoryDenyWriteExecute).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/install/lib.sh"

for tool in strace setpriv systemd-analyze; do
	command -v "$tool" >/dev/null || h_skip "$tool is missing (apt-get install strace util-linux systemd)"
done
id nobody >/dev/null 2>&1 || h_skip "no user nobody to run idprovd as"
[ "$(id -u)" -eq 0 ] || h_skip "needs root (to run idprovd as another user)"
i_install
installed_idprovd=$IDPROVD

# The system calls of a systemd group, groups inside it expanded.
expand() {
	systemd-analyze syscall-filter "$1" | sed -n '2,$p' | sed 's/^ *//; /^#/d; /^$/d' |
		while read -r s; do
			case "$s" in @*) expand "$s" ;; *) echo "$s" ;; esac
		done
}
expand @system-service | sort -u >"$H_TMP/allowed"
{ expand @privileged; expand @resources; } | sort -u >"$H_TMP/denied"
# ... and the calls the unit allows again by name after the groups
# (SystemCallFilter= lines without @ or ~).
{ comm -23 "$H_TMP/allowed" "$H_TMP/denied"
  sed -n 's/^SystemCallFilter=\([^~@].*\)/\1/p' "$IDPROV_SRC/dist/systemd/idprovd.service" | tr ' ' '\n'
} | sort -u >"$H_TMP/filter"
[ "$(wc -l <"$H_TMP/filter")" -gt 200 ] || h_fail "the expanded @system-service list looks too short ($(wc -l <"$H_TMP/filter"))"
h_ok

h_ca_init --hosts 127.0.0.1,localhost
chown -R nobody:nogroup "$H_TMP"
cat >"$H_TMP/traced-idprovd" <<SH
#!/bin/sh
exec strace -f -qq -o "$H_TMP/server.trace" setpriv --reuid=nobody --regid=nogroup --clear-groups --no-new-privs "$installed_idprovd" "\$@"
SH
chmod 0755 "$H_TMP/traced-idprovd"
IDPROVD="$H_TMP/traced-idprovd" h_server_start
dpid=$(pgrep -P "$H_PID" | head -n 1)
[ -n "$dpid" ] && [ "$(stat -c %U "/proc/$dpid")" = nobody ] || h_fail "idprovd should run as nobody under strace"
h_ok

out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
	-d '{"deviceID":"dev-sb","oobSecret":"sb-secret","validUntil":""}' "$H_URL/idprov/oobsecret")
h_expect_eq 200 "$(h_code "$out")" "posting the OOB secret ($out)"
out=$(strace -f -qq -o "$H_TMP/client1.trace" "$IDPROV" provision --device dev-sb --server "$H_URL" \
	--dir "$H_TMP/dev" --secret-stdin <<<"sb-secret" 2>&1) || h_fail "idprov provision under strace: $out"
h_ok
out=$(strace -f -qq -o "$H_TMP/client2.trace" "$IDPROV" run --device dev-sb --dir "$H_TMP/dev" --once --rotate-key 2>&1) ||
	h_fail "idprov run --once under strace: $out"
h_ok
h_expect_eq 200 "$(h_code "$(h_curl_admin "$H_URL/idprov/status/dev-sb")")" "the admin's status query"
kill -HUP "$dpid"
for _ in $(seq 100); do grep -q "reloaded" "$H_TMP/idprovd.log" && break; sleep 0.05; done
h_expect_contains "$(cat "$H_TMP/idprovd.log")" "reloaded" "idprovd's log after SIGHUP"
kill -TERM "$dpid"
rc=0
wait "$H_PID" || rc=$?
H_PID=""
h_expect_eq 0 "$rc" "idprovd's exit status after SIGTERM under strace"
echo "checked: idprovd (as nobody) served a provisioning, a renewal with a new key, a query, a reload and a stop under strace"

# check TRACE NAME: what the program did after its execve fits the sandbox.
check() {
	local trace=$1 name=$2 calls bad
	sed -n '/execve(".*\/'"$name"'"/,$p' "$trace" >"$trace.prog"
	[ -s "$trace.prog" ] || h_fail "no execve of $name in $trace"
	calls=$(sed -nE 's/^[0-9]+ +([a-z_0-9]+)\(.*/\1/p' "$trace.prog" | sort -u)
	[ "$(echo "$calls" | wc -l)" -gt 20 ] || h_fail "the trace of $name has too few system calls to mean anything"
	h_ok
	bad=$(comm -23 <(echo "$calls") "$H_TMP/filter" | tr '\n' ' ')
	h_expect_eq "" "$bad" "$name's system calls outside SystemCallFilter=@system-service ~@privileged @resources + the unit's own"
	bad=$(grep -oE 'socket\(AF_[A-Z0-9]+' "$trace.prog" | sed 's/socket(//' | sort -u |
		grep -vxE 'AF_INET|AF_INET6|AF_UNIX' | tr '\n' ' ' || true)
	h_expect_eq "" "$bad" "$name's socket families outside RestrictAddressFamilies"
	bad=$(grep -cE '(mmap|mprotect|pkey_mprotect)\(.*PROT_WRITE\|PROT_EXEC|(mmap|mprotect)\(.*PROT_EXEC\|PROT_WRITE' "$trace.prog" || true)
	h_expect_eq 0 "$bad" "$name's writable and executable mappings (MemoryDenyWriteExecute)"
	echo "checked: $name used $(echo "$calls" | wc -l) system calls, all in the units' filter; sockets and mappings fit"
}
check "$H_TMP/server.trace" idprovd
check "$H_TMP/client1.trace" idprov
check "$H_TMP/client2.trace" idprov
h_pass
