# tests/netns/netns_lib.sh - two throw-away "hosts" for the discovery tests.
#
# Sourced after tests/lib/harness.sh by the netns_* scripts (root only):
#
#   source "$IDPROV_SRC/tests/lib/harness.sh"
#   source "$IDPROV_SRC/tests/netns/netns_lib.sh"
#   h_require_root
#   ns_setup                  # namespaces $NS_A / $NS_B joined by a veth pair,
#                             # 10.99.0.1 (A) and 10.99.0.2 (B), nothing else
#   ns_start_bus A            # a private system dbus-daemon for that host
#   ns_start_avahi A          # its own avahi-daemon (private /run, own host name)
#   ns_run A cmd...           # run cmd inside host A, on A's bus
#   ns_bg A LOG cmd...        # same, in the background; $NS_BG_PID is its PID
#   ns_wait_browse B TYPE NAME [SECONDS]   # avahi-browse in B until NAME resolves
#
# Each test gets namespaces named after its own PID, so tests can run at
# the same time.  On exit everything started here is stopped by its PID and
# both namespaces are deleted, whatever happened; the machine's own
# avahi-daemon and dbus (if any) are never touched: ours live in private
# mount namespaces and talk on private bus sockets under $H_TMP.

NS_A="idprov-$$-a"
NS_B="idprov-$$-b"
NS_ADDR_A=10.99.0.1
NS_ADDR_B=10.99.0.2
NS_DIR="$H_TMP/netns"
NS_PIDS=()		# every background process we started, for teardown
NS_CREATED=()
NS_BG_PID=""

# Name of namespace for host letter A or B.
ns_name() { case "$1" in A) echo "$NS_A" ;; B) echo "$NS_B" ;; *) h_fail "ns_name: unknown host '$1'" ;; esac; }
ns_bus_addr() { echo "unix:path=$NS_DIR/$1/dbus.sock"; }

ns_teardown() {
	local pid ns
	# Our own background processes first (idprovd, avahi, dbus, helpers),
	# newest first so daemons outlive their clients.
	for ((i = ${#NS_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${NS_PIDS[$i]}
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${NS_PIDS[@]}"; do
		for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	# Anything still inside our namespaces was started by this test.
	for ns in "${NS_CREATED[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	NS_PIDS=()
	NS_CREATED=()
}

# Chain our teardown before the harness's own cleanup (which exits).
ns_on_exit() {
	local rc=$?
	ns_teardown
	if [ $rc -ne 0 ]; then
		local f
		for f in "$NS_DIR"/*/avahi.log "$H_TMP"/idprovd-*.log; do
			[ -f "$f" ] || continue
			echo "---- $f (last 15 lines) ----" >&2
			tail -n 15 "$f" >&2 || true
		done
	fi
	h_cleanup "$rc"
}
trap ns_on_exit EXIT

ns_setup() {
	mkdir -p "$NS_DIR/A/run" "$NS_DIR/B/run"
	ip netns add "$NS_A" || h_fail "cannot create network namespace $NS_A"
	NS_CREATED+=("$NS_A")
	ip netns add "$NS_B" || h_fail "cannot create network namespace $NS_B"
	NS_CREATED+=("$NS_B")
	# Both ends are created directly inside the namespaces: nothing ever
	# appears in the machine's own network namespace.
	ip -n "$NS_A" link add veth0 type veth peer name veth0 netns "$NS_B" ||
		h_fail "cannot create the veth pair between $NS_A and $NS_B"
	ip -n "$NS_A" addr add "$NS_ADDR_A/24" dev veth0
	ip -n "$NS_B" addr add "$NS_ADDR_B/24" dev veth0
	local ns
	for ns in "$NS_A" "$NS_B"; do
		ip -n "$ns" link set lo up
		ip -n "$ns" link set veth0 up
	done
	# The link is up when both ends report carrier (bounded).
	for _ in $(seq 50); do
		ip -n "$NS_A" link show veth0 | grep -q LOWER_UP &&
			ip -n "$NS_B" link show veth0 | grep -q LOWER_UP && return 0
		sleep 0.1
	done
	h_fail "the veth link between $NS_A and $NS_B did not come up"
}

# ns_run HOST cmd... : run in HOST's namespace with HOST's bus.
ns_run() {
	local host=$1; shift
	ip netns exec "$(ns_name "$host")" env \
		DBUS_SYSTEM_BUS_ADDRESS="$(ns_bus_addr "$host")" "$@"
}

# ns_bg HOST LOGFILE cmd... : ns_run in the background, output to LOGFILE;
# the PID (which becomes cmd's own: ip and env exec) lands in NS_BG_PID.
ns_bg() {
	local host=$1 log=$2; shift 2
	# A simple command (not the ns_run function) so that $! is the PID
	# of ip, which becomes env and then cmd: signals reach cmd itself.
	ip netns exec "$(ns_name "$host")" env \
		DBUS_SYSTEM_BUS_ADDRESS="$(ns_bus_addr "$host")" "$@" >>"$log" 2>&1 &
	NS_BG_PID=$!
	NS_PIDS+=("$NS_BG_PID")
}

# ns_stop PID : SIGTERM one process we started and wait for it (bounded);
# its exit status lands in NS_STOP_RC (call it directly, not in $(...),
# or the wait cannot see the child).
ns_stop() {
	local pid=$1
	NS_STOP_RC=0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		# A zombie still answers kill -0; ps says whether it has exited.
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = "" ] && break
		[ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = "Z" ] && break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && [ "$(ps -o stat= -p "$pid" | cut -c1)" != "Z" ] &&
		{ echo "pid $pid ignored SIGTERM for 10 s; killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; }
	wait "$pid" 2>/dev/null || NS_STOP_RC=$?
}

ns_start_bus() {
	local host=$1 dir="$NS_DIR/$1"
	# A system bus (avahi-daemon insists on the system bus) with a private
	# socket and a policy that lets root own and call anything.
	cat >"$dir/dbus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$dir/dbus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_type="method_return"/>
    <allow send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
  </policy>
</busconfig>
EOF
	ns_bg "$host" "$dir/dbus.log" dbus-daemon --config-file="$dir/dbus.conf" \
		--nofork --nopidfile --nosyslog
	eval "NS_DBUS_PID_$host=$NS_BG_PID"
	for _ in $(seq 100); do
		if [ -S "$dir/dbus.sock" ] && ns_run "$host" dbus-send --system \
			--dest=org.freedesktop.DBus --print-reply / \
			org.freedesktop.DBus.GetId >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$NS_BG_PID" 2>/dev/null || h_fail "dbus-daemon for host $host exited: $(tail -n 3 "$dir/dbus.log")"
		sleep 0.1
	done
	h_fail "dbus-daemon for host $host did not answer within 10 s"
}

# ns_start_avahi HOST [extra avahi-daemon.conf [server] lines]
ns_start_avahi() {
	local host=$1 dir="$NS_DIR/$1"; shift
	local hn
	hn="idprov-$$-$(echo "$host" | tr 'AB' 'ab')"
	{
		echo "[server]"
		echo "host-name=$hn"
		echo "use-ipv4=yes"
		echo "use-ipv6=${NS_AVAHI_IPV6:-no}"
		echo "allow-interfaces=veth0"
		echo "enable-dbus=yes"
		echo "ratelimit-interval-usec=1000000"
		echo "ratelimit-burst=1000"
		for l in "$@"; do echo "$l"; done
		echo "[wide-area]"
		echo "enable-wide-area=no"
		echo "[publish]"
		echo "publish-hinfo=no"
		echo "publish-workstation=no"
		echo "[reflector]"
		echo "[rlimits]"
	} >"$dir/avahi.conf"
	: >>"$dir/avahi.log"
	local start_line
	start_line=$(($(wc -l <"$dir/avahi.log") + 1))
	# The pid file and socket paths are compiled in (/run/avahi-daemon):
	# give this daemon its own /run inside the private mount namespace
	# that `ip netns exec` makes, so two daemons never meet.
	mkdir -p "$dir/run"
	ns_bg "$host" "$dir/avahi.log" sh -c 'mount -n --bind "$1" /run && shift && exec "$@"' \
		sh "$dir/run" avahi-daemon -f "$dir/avahi.conf" --no-drop-root \
		--no-chroot --no-rlimits --no-proc-title
	eval "NS_AVAHI_PID_$host=$NS_BG_PID"
	# Ready when the host name is established (probing done).
	for _ in $(seq 150); do
		tail -n +"$start_line" "$dir/avahi.log" | grep -q "Server startup complete" && return 0
		kill -0 "$NS_BG_PID" 2>/dev/null || h_fail "avahi-daemon for host $host exited: $(tail -n 5 "$dir/avahi.log")"
		sleep 0.1
	done
	h_fail "avahi-daemon for host $host was not ready within 15 s: $(tail -n 5 "$dir/avahi.log")"
}

# ns_avahi_browse HOST TYPE SECONDS : one bounded avahi-browse -rpt run,
# parsable lines on stdout.
ns_avahi_browse() {
	local host=$1 type=$2 secs=${3:-5}
	ns_run "$host" timeout "$secs" avahi-browse -rpt "$type" 2>/dev/null || true
}

# ns_wait_resolved HOST TYPE NAME [SECONDS]: repeat avahi-browse in HOST
# until the instance NAME of TYPE resolves ('=' line); prints that line.
# Returns 1 at the deadline.
ns_wait_resolved() {
	local host=$1 type=$2 name=$3 secs=${4:-10} deadline line
	deadline=$((SECONDS + secs))
	while [ $SECONDS -lt $deadline ]; do
		line=$(ns_avahi_browse "$host" "$type" 5 | awk -F';' -v n="$name" '$1 == "=" && $4 == n' | head -n 1)
		if [ -n "$line" ]; then printf '%s\n' "$line"; return 0; fi
		sleep 0.2
	done
	return 1
}

# ns_wait_gone HOST TYPE NAME [SECONDS]: until NAME is no longer listed.
ns_wait_gone() {
	local host=$1 type=$2 name=$3 secs=${4:-10} deadline
	deadline=$((SECONDS + secs))
	while [ $SECONDS -lt $deadline ]; do
		if ! ns_avahi_browse "$host" "$type" 3 | awk -F';' -v n="$name" '$4 == n' | grep -q .; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# A unique instance name per test run.
ns_unique_name() { echo "${1:-idprov-test}-$$-$RANDOM"; }

# ns_server_start HOST NAME [idprovd flags...]: idprovd inside HOST on its
# veth address (port chosen by the kernel), publishing as NAME unless the
# flags say otherwise.  Waits until it listens.  Sets NS_SRV_PID,
# NS_SRV_PORT, NS_SRV_LOG.  The CA ($H_CA) must hold a server certificate
# for that address (h_ca_init --hosts ...).
NS_SRV_N=0
ns_server_start() {
	local host=$1 name=$2; shift 2
	local addr ready
	NS_SRV_N=$((NS_SRV_N + 1))
	addr=$NS_ADDR_A; [ "$host" = B ] && addr=$NS_ADDR_B
	ready="$H_TMP/ready-$NS_SRV_N"
	NS_SRV_LOG="$H_TMP/idprovd-$NS_SRV_N.log"
	ns_bg "$host" "$NS_SRV_LOG" "$IDPROVD" --ca-dir "$H_CA" --listen "$addr:0" \
		--ready-file "$ready" --db "$H_TMP/idprov-$NS_SRV_N.db" \
		--dnssd-name "$name" "$@"
	NS_SRV_PID=$NS_BG_PID
	for _ in $(seq 200); do
		[ -s "$ready" ] && break
		kill -0 "$NS_SRV_PID" 2>/dev/null || h_fail "idprovd exited at start: $(tail -n 5 "$NS_SRV_LOG")"
		sleep 0.05
	done
	[ -s "$ready" ] || h_fail "idprovd did not become ready in 10 s"
	NS_SRV_PORT=$(head -n 1 "$ready"); NS_SRV_PORT=${NS_SRV_PORT##*:}
}

# ns_discover HOST [idprov discover args...]: run `idprov discover` in
# HOST; stdout in NS_DISC_OUT, stderr in NS_DISC_ERR, status in NS_DISC_RC.
ns_discover() {
	local host=$1; shift
	NS_DISC_RC=0
	ns_run "$host" timeout 60 "$IDPROV" discover "$@" >"$H_TMP/disc.out" 2>"$H_TMP/disc.err" || NS_DISC_RC=$?
	NS_DISC_OUT=$(cat "$H_TMP/disc.out")
	NS_DISC_ERR=$(cat "$H_TMP/disc.err")
}

# ns_zc_publish HOST NAME PORT ADDRESS KEY=VALUE...: python3-zeroconf
# publishes a service in HOST until the test ends.
ns_zc_publish() {
	local host=$1 name=$2 port=$3 addr=$4 log="$H_TMP/zc-$2.log"; shift 4
	ns_bg "$host" "$log" /usr/bin/python3 "$IDPROV_SRC/tests/netns/zc_peer.py" \
		publish _idprov._tcp "$name" "$port" "$addr" "$@"
	for _ in $(seq 100); do
		grep -q PUBLISHED "$log" 2>/dev/null && return 0
		kill -0 "$NS_BG_PID" 2>/dev/null || h_fail "zeroconf publisher exited: $(tail -n 5 "$log")"
		sleep 0.1
	done
	h_fail "python3-zeroconf did not publish $name within 10 s: $(tail -n 5 "$log")"
}

# The test needs these programs; say loudly which one is missing.
ns_require_programs() {
	local p
	for p in ip dbus-daemon dbus-send avahi-daemon avahi-browse avahi-publish-service; do
		command -v "$p" >/dev/null || h_skip "$p is not installed (scripts/install-deps.sh)"
	done
	/usr/bin/python3 -c 'import zeroconf' 2>/dev/null ||
		h_skip "Debian's python3-zeroconf is not installed (scripts/install-deps.sh)"
}
