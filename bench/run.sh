#!/usr/bin/env bash
# make bench: provisionings per second of idprovd on loopback, and in the
# same run on the same machine two yardsticks:
#   (a) nginx answering a static 200 over HTTPS with the same TLS version,
#       group, ECDSA P-256 certificate and chain, one new connection per
#       request, driven by the same load generator;
#   (b) the crypto floor of one provisioning from `openssl speed`: one
#       X25519 key exchange + two ECDSA P-256 signatures (the handshake's
#       CertificateVerify and the issued certificate).
# The machine is shared, so both servers run side by side and are measured
# in alternation, BENCH_ROUNDS times (idprovd provisioning, idprovd
# renewal, idprovd GET, nginx GET in each round); the figures are medians over the rounds and
# the ratio is the median of the per-round ratios (each pair of runs under
# about the same background load).
#
#   bench/run.sh BUILD_DIR
# Knobs (environment): BENCH_CONCURRENCY (16), BENCH_COUNT (4000 per run),
# BENCH_ROUNDS (5), BENCH_SECONDS (15), BENCH_WORKERS (2).
set -euo pipefail
build=${1:?usage: bench/run.sh BUILD_DIR}
build=$(cd "$build" && pwd)
conc=${BENCH_CONCURRENCY:-16}
count=${BENCH_COUNT:-4000}
rounds=${BENCH_ROUNDS:-5}
secs=${BENCH_SECONDS:-15}
workers=${BENCH_WORKERS:-2}
idprovd=$build/server/idprovd
idprovctl=$build/tools/idprovctl
loadgen=$build/bench/idprov-loadgen
for p in "$idprovd" "$idprovctl" "$loadgen"; do
	[ -x "$p" ] || { echo "bench: $p is missing; build $build first" >&2; exit 1; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "bench: nginx is missing: run scripts/install-deps.sh --bench" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/idprov-bench.XXXXXX")
server_pid="" renew_pid="" nginx_pid=""
cleanup() {
	for p in $server_pid $renew_pid $nginx_pid; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $server_pid $renew_pid $nginx_pid; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" | head -n 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "bench: $(nproc) cores, $(uname -r), $(openssl version | cut -d' ' -f1-2), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bench: $conc concurrent clients, $rounds rounds, at most $count operations or $secs s per run"

"$idprovctl" ca init --dir "$tmp/ca" >/dev/null

# ---- idprovd ----
# start_idprovd NAME: an idprovd with registry $tmp/NAME.db, in the
# background; sets started_pid and started_port.
start_idprovd() {
	"$idprovd" --ca-dir "$tmp/ca" --db "$tmp/$1.db" --listen 127.0.0.1:0 \
		--ready-file "$tmp/$1.ready" --no-dnssd --log-level warn --workers "$workers" \
		--max-connections 4096 >"$tmp/$1.log" 2>&1 &
	started_pid=$!
	for _ in $(seq 100); do [ -s "$tmp/$1.ready" ] && break; sleep 0.1; done
	[ -s "$tmp/$1.ready" ] || { echo "bench: idprovd ($1) did not start:" >&2; cat "$tmp/$1.log" >&2; kill "$started_pid" 2>/dev/null; exit 1; }
	started_port=$(sed 's/.*://' "$tmp/$1.ready")
}
start_idprovd idprov
server_pid=$started_pid port=$started_port
# Renewals go to an idprovd of their own (same CA, its own registry), idle
# while the others run: each renewal run provisions its devices first, and
# the provisioning runs should not meet a registry three times the size.
start_idprovd renew
renew_pid=$started_pid renew_port=$started_port
# nginx is to send exactly the certificate chain idprovd sends (today the
# server certificate and the CA): every certificate costs the client a
# decode (~0.15 ms of the load generator's CPU on OpenSSL 3.0), so a
# shorter chain on one side would make the clients, not the servers, differ.
openssl s_client -connect "127.0.0.1:$port" -showcerts </dev/null 2>/dev/null |
	sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/p' >"$tmp/served-chain.pem"
grep -q 'BEGIN CERTIFICATE' "$tmp/served-chain.pem" ||
	{ echo "bench: cannot read the chain idprovd sends" >&2; exit 1; }
echo "bench: idprovd sends $(grep -c 'BEGIN CERTIFICATE' "$tmp/served-chain.pem") certificate(s); nginx is given the same chain"
lg_prov=("$loadgen" --mode provision --port "$port" --ca "$tmp/ca/ca.pem"
	--admin-cert "$tmp/ca/admin.pem" --admin-key "$tmp/ca/admin.key")
# Renewals: the devices are provisioned first, outside the clock.
lg_renew=("$loadgen" --mode renew --port "$renew_port" --ca "$tmp/ca/ca.pem"
	--admin-cert "$tmp/ca/admin.pem" --admin-key "$tmp/ca/admin.key")

# ---- nginx: same certificate chain, TLS 1.3, X25519 ----
nport=$(free_port)
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 2;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	server {
		listen 127.0.0.1:$nport ssl;
		ssl_certificate $tmp/served-chain.pem;
		ssl_certificate_key $tmp/ca/server.key;
		ssl_protocols TLSv1.2 TLSv1.3;
		ssl_ecdh_curve X25519:prime256v1;
		ssl_session_tickets off;
		location / { return 200 "ok\n"; }
	}
}
NGINX
"$nginx" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$tmp/nginx/out.log" 2>&1 &
nginx_pid=$!
for _ in $(seq 100); do
	curl -sk "https://127.0.0.1:$nport/" >/dev/null 2>&1 && break
	kill -0 "$nginx_pid" 2>/dev/null || { echo "bench: nginx did not start:" >&2; cat "$tmp/nginx/out.log" "$tmp/nginx/logs/error.log" >&2; exit 1; }
	sleep 0.1
done
npids=$(echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true) | tr ' ' ',')

# Warm up both (page cache, SQLite file, allocator).
"${lg_prov[@]}" --concurrency "$conc" --count 500 --seconds 10 --prefix warm >/dev/null
"$loadgen" --mode get --port "$nport" --concurrency "$conc" --count 500 --seconds 10 >/dev/null

# ---- measured rounds, in alternation ----
: >"$tmp/results"
for r in $(seq "$rounds"); do
	prov=$("${lg_prov[@]}" --concurrency "$conc" --count "$count" --seconds "$secs" \
		--prefix "bench$r" --server-pid "$server_pid" | tr '\n' ' ')
	echo "round $r idprovd provisioning: $prov"
	ren=$("${lg_renew[@]}" --concurrency "$conc" --count "$count" --seconds "$secs" \
		--prefix "renew$r" --server-pid "$renew_pid" | tr '\n' ' ')
	echo "round $r idprovd renewal: $ren"
	dir=$("$loadgen" --mode get --path /idprov/directory --port "$port" --concurrency "$conc" \
		--count "$count" --seconds "$secs" --server-pid "$server_pid" | tr '\n' ' ')
	echo "round $r idprovd GET /idprov/directory: $dir"
	ngx=$("$loadgen" --mode get --path / --port "$nport" --concurrency "$conc" --count "$count" \
		--seconds "$secs" --server-pid "$npids" | tr '\n' ' ')
	echo "round $r nginx GET / (static 200): $ngx"
	for f in rate p50_ms p99_ms errors server_cpu_ms_per_op client_cpu_ms_per_op; do
		echo "prov $f $(echo "$prov" | field "$f")"
		echo "ren $f $(echo "$ren" | field "$f")"
		echo "dir $f $(echo "$dir" | field "$f")"
		echo "ngx $f $(echo "$ngx" | field "$f")"
	done >>"$tmp/results"
	awk -v a="$(echo "$prov" | field rate)" -v b="$(echo "$ngx" | field rate)" \
		'BEGIN { printf "ratio rate %.4f\n", a / b }' >>"$tmp/results"
done
kill -TERM "$server_pid" "$renew_pid" "$nginx_pid"
wait "$server_pid" || true
wait "$renew_pid" || true
wait "$nginx_pid" || true
server_pid="" renew_pid="" nginx_pid=""

# ---- crypto floor ----
speed=$(openssl speed -seconds 2 ecdhx25519 ecdsap256 2>/dev/null)
x25519=$(printf '%s\n' "$speed" | awk '/ecdh \(X25519\)/ { print $NF }')
sign=$(printf '%s\n' "$speed" | awk '/ecdsa \(nistp256\)/ { print $(NF-1) }')
floor_ms=$(awk -v x="$x25519" -v s="$sign" 'BEGIN { printf "%.4f", 1000/x + 2*1000/s }')
echo "crypto floor: X25519 $x25519 op/s, ECDSA P-256 sign $sign op/s -> $floor_ms ms per provisioning"

# ---- summary: medians over the rounds, errors summed ----
med() {
	awk -v k="$1 $2" '$1 " " $2 == k { v[n++] = $3 + 0 } END {
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		if (n == 0) print 0
		else if (n % 2) print v[int(n / 2)]
		else print (v[n / 2 - 1] + v[n / 2]) / 2
	}' "$tmp/results"
}
total() { awk -v k="$1 $2" '$1 " " $2 == k { s += $3 } END { print s + 0 }' "$tmp/results"; }
awk -v r="$(med prov rate)" -v p50="$(med prov p50_ms)" -v p99="$(med prov p99_ms)" \
	-v c="$(med prov server_cpu_ms_per_op)" -v cc="$(med prov client_cpu_ms_per_op)" \
	-v e="$(total prov errors)" -v dr="$(med dir rate)" -v dc="$(med dir server_cpu_ms_per_op)" \
	-v rr="$(med ren rate)" -v rp50="$(med ren p50_ms)" -v rc="$(med ren server_cpu_ms_per_op)" \
	-v rcc="$(med ren client_cpu_ms_per_op)" -v re="$(total ren errors)" \
	-v nr="$(med ngx rate)" -v nc="$(med ngx server_cpu_ms_per_op)" \
	-v ncc="$(med ngx client_cpu_ms_per_op)" -v ratio="$(med ratio rate)" -v f="$floor_ms" \
	-v rounds="$rounds" 'BEGIN {
	printf "\n==== summary (medians of %d rounds) ====\n", rounds
	printf "idprovd: %.0f provisionings/s (errors %d), p50 %.2f ms, p99 %.2f ms, server CPU %.3f ms per provisioning\n", r, e, p50, p99, c
	printf "idprovd: %.0f renewals/s (errors %d), p50 %.2f ms, server CPU %.3f ms per renewal (load generator %.3f ms)\n", rr, re, rp50, rc, rcc
	printf "idprovd: %.0f GET /idprov/directory per s, server CPU %.3f ms per request\n", dr, dc
	printf "nginx:   %.0f static HTTPS requests/s, server CPU %.3f ms per request\n", nr, nc
	printf "client:  load generator CPU %.3f ms per provisioning, %.3f ms per nginx request\n", cc, ncc
	printf "ratios:  idprovd/nginx rate %.2f (median of the per-round ratios); idprovd CPU / crypto floor %.1f (floor %.3f ms)\n", ratio, c / f, f
	printf "targets: >= 1000/s: %s; >= 0.8x nginx: %s; <= 0.8 ms CPU: %s\n",
	    (r >= 1000 ? "met" : "MISSED"), (ratio >= 0.8 ? "met" : "MISSED"), (c <= 0.8 ? "met" : "MISSED")
}'
