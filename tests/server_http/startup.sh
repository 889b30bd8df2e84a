#!/usr/bin/env bash
# idprovd's command line: --help lists every flag, bad flags exit 2 with
# one sentence, a missing CA or a busy port exit 1 with one sentence.
source "$IDPROV_SRC/tests/lib/harness.sh"

out=$("$IDPROVD" --help) || h_fail "--help should exit 0"
for f in --config --ca-dir --ca-cert --ca-key --cert --key --db --listen \
	--workers --ready-file --no-dnssd --dnssd-name --validity --retry \
	--oob-max --log-level --max-connections --read-timeout --idle-timeout \
	--help --version; do
	h_expect_contains "$out" "$f" "--help lists $f"
done
h_expect_contains "$out" "0.0.0.0:43776" "--help shows the default listen addresses"
echo "checked: --help lists every flag with its default"

out=$("$IDPROVD" --version) || h_fail "--version should exit 0"
h_expect_contains "$out" "idprovd " "--version prints the name and version"

rc=0; out=$("$IDPROVD" --no-such-flag 2>&1) || rc=$?
h_expect_eq 2 "$rc" "exit code for an unknown flag"
h_expect_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines printed for an unknown flag"
h_expect_contains "$out" "--no-such-flag" "the unknown flag is named"

rc=0; out=$("$IDPROVD" --workers lots 2>&1) || rc=$?
h_expect_eq 2 "$rc" "exit code for --workers lots"
h_expect_contains "$out" "--workers" "the bad flag is named"

rc=0; out=$("$IDPROVD" --validity forever 2>&1) || rc=$?
h_expect_eq 2 "$rc" "exit code for --validity forever"
rc=0; out=$("$IDPROVD" --listen localhost 2>&1) || rc=$?
h_expect_eq 2 "$rc" "exit code for --listen without a port"
rc=0; out=$("$IDPROVD" --ca-dir 2>&1) || rc=$?
h_expect_eq 2 "$rc" "exit code for --ca-dir without a value"
echo "checked: bad flags exit 2 with one sentence"

rc=0; out=$("$IDPROVD" --ca-dir "$H_TMP/nowhere" --listen 127.0.0.1:0 --no-dnssd 2>&1) || rc=$?
h_expect_eq 1 "$rc" "exit code for a missing CA folder"
h_expect_eq 1 "$(printf '%s\n' "$out" | wc -l)" "lines printed for a missing CA folder"
h_expect_contains "$out" "$H_TMP/nowhere" "the missing folder is named"

rc=0; out=$("$IDPROVD" --listen 127.0.0.1:0 --no-dnssd 2>&1) || rc=$?
h_expect_eq 1 "$rc" "exit code without any CA"
h_expect_contains "$out" "--ca-dir" "the sentence says how to give a CA"
echo "checked: a missing CA exits 1 with a sentence"

h_ca_init
cp "$H_CA/ca.pem" "$H_TMP/not-a-key.pem"
rc=0; out=$("$IDPROVD" --ca-dir "$H_CA" --key "$H_TMP/not-a-key.pem" --listen 127.0.0.1:0 \
	--no-dnssd --db "$H_TMP/x.db" 2>&1) || rc=$?
h_expect_eq 1 "$rc" "exit code for an unreadable server key"
h_expect_contains "$out" "not-a-key.pem" "the bad key file is named"
echo "checked: an unusable server key exits 1 naming the file"

h_server_start
rc=0; out=$(timeout 20 "$IDPROVD" --ca-dir "$H_CA" --listen "127.0.0.1:$H_PORT" --no-dnssd \
	--db "$H_TMP/other.db" 2>&1) || rc=$?
h_expect_eq 1 "$rc" "exit code when another idprovd holds the port"
h_expect_contains "$out" "already in use" "the sentence says the port is in use"
h_expect_contains "$out" "127.0.0.1:$H_PORT" "the busy address is named"
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "the first server still answers"
h_server_stop
echo "checked: a busy port exits 1 and leaves the running server alone"

# Two listeners with port 0: the first picks the port, the second uses it.
h_server_start --listen '[::1]:0'
h_expect_eq "127.0.0.1:$H_PORT" "$(head -n 1 "$H_TMP/ready")" "the ready file names the first listener"
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "directory over IPv4"
out=$(h_curl -g "https://[::1]:$H_PORT/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "directory over IPv6 on the same port"
sh_log=$(cat "$H_TMP/idprovd.log")
h_expect_contains "$sh_log" "peer=::1 " "the IPv6 peer is logged without its port"
h_server_stop
echo "checked: IPv4 and IPv6 listeners share the port picked for the first"
h_pass
