#!/usr/bin/env bash
# Servers the device must not trust: a forged signature, a man in the
# middle with another CA (relaying, with and without swapping the CA), a
# real signed answer replayed for another device or another key, and a
# server that is down.  Each time: refused, and no CA or certificate saved.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/client/lib.sh"

h_ca_init
h_server_start
c_evil_ca
EV="$H_TMP/evil"

# 1. A server with the real CA's server certificate but no secret: it
# cannot sign, so it forges the signature.
c_hostile forger badsig --cert "$H_CA/server.pem" --key "$H_CA/server.key" --ca "$H_CA/ca.pem"
c_run out rc "$IDPROV" provision --device d1 --secret s --server "$C_HURL" --dir "$H_TMP/d1"
h_expect_eq 5 "$rc" "a forged signature exits with 5 (untrusted)"
h_expect_contains "$out" "signature does not verify" "the forged-signature message"
c_expect_no_trust "$H_TMP/d1" "forged signature"

# 2. A man in the middle with another CA, relaying to the real server
# (which approves: the admin posted the secret).
c_post_secret d2 s
c_hostile mitm relay --cert "$EV/server.pem" --key "$EV/server.key" --upstream "$H_URL"
MITM="$C_HURL"
c_run out rc "$IDPROV" provision --device d2 --secret s --server "$MITM" --dir "$H_TMP/d2"
h_expect_eq 5 "$rc" "a relaying man in the middle exits with 5"
h_expect_contains "$out" "does not chain to the CA" "the man-in-the-middle message"
c_expect_no_trust "$H_TMP/d2" "relaying man in the middle"

# 3. The same, offering its own CA in the directory.
c_post_secret d3 s
c_hostile mitm2 relay --cert "$EV/server.pem" --key "$EV/server.key" --upstream "$H_URL" --rewrite-ca "$EV/ca.pem"
c_run out rc "$IDPROV" provision --device d3 --secret s --server "$C_HURL" --dir "$H_TMP/d3"
h_expect_eq 5 "$rc" "a man in the middle offering its own CA exits with 5"
h_expect_contains "$out" "not the CA the server offered" "the swapped-CA message"
c_expect_no_trust "$H_TMP/d3" "man in the middle with its own CA"

# 4. Capture a real signed answer: device A provisions through a
# recording relay that holds the real server certificate (so it passes).
c_post_secret devA shared
c_hostile recorder relay --cert "$H_CA/server.pem" --key "$H_CA/server.key" --upstream "$H_URL" --record "$H_TMP/answerA.json"
c_run out rc "$IDPROV" provision --device devA --secret shared --server "$C_HURL" --dir "$H_TMP/devA"
h_expect_eq 0 "$rc" "device A provisions through the recording relay (output: $out)"
h_expect_contains "$(cat "$H_TMP/answerA.json")" '"status":"Approved"' "the captured answer"

# 5. Replayed to device B, which has A's secret and even A's key: the
# certificate is for another deviceID.
c_hostile replayer replay --cert "$H_CA/server.pem" --key "$H_CA/server.key" --ca "$H_CA/ca.pem" --body "$H_TMP/answerA.json"
REPLAY="$C_HURL"
mkdir -p "$H_TMP/devB"; cp "$H_TMP/devA/key.pem" "$H_TMP/devB/key.pem"
c_run out rc "$IDPROV" provision --device devB --secret shared --server "$REPLAY" --dir "$H_TMP/devB"
h_expect_eq 5 "$rc" "an answer for another device exits with 5"
h_expect_contains "$out" "another deviceID" "the other-device message"
c_expect_no_trust "$H_TMP/devB" "answer for another device"

# 6. Replayed to device A with a new key: the certificate is for another key.
c_run out rc "$IDPROV" provision --device devA --secret shared --server "$REPLAY" --dir "$H_TMP/devA2"
h_expect_eq 5 "$rc" "an answer for another key exits with 5"
h_expect_contains "$out" "another key" "the other-key message"
c_expect_no_trust "$H_TMP/devA2" "answer for another key"

# 7. Once it has the CA, a device renews only with servers of that CA.
cp "$H_TMP/devA/cert.pem" "$H_TMP/devA.cert.old"
c_run out rc "$IDPROV" renew --dir "$H_TMP/devA" --server "$MITM"
h_expect_eq 5 "$rc" "renewal through a man in the middle exits with 5"
h_expect_contains "$out" "not trusted" "the renewal man-in-the-middle message"
cmp -s "$H_TMP/devA/cert.pem" "$H_TMP/devA.cert.old" || h_fail "the refused renewal changed cert.pem"
h_ok
c_run out rc "$IDPROV" renew --dir "$H_TMP/devA" --server "$H_URL"
h_expect_eq 0 "$rc" "renewal with the real server still works (output: $out)"

# 8. A server that is down: retried with backoff until the deadline, then
# a clear error (exit 7).  About 4 attempts in 6 s (1, 2, 4 s apart);
# without backoff there would be thousands.
c_counting_listener down
c_run out rc "$IDPROV" provision --device d8 --secret s --server "$C_HURL" --dir "$H_TMP/d8" --timeout 6s
h_expect_eq 7 "$rc" "an unreachable server exits with 7"
h_expect_contains "$out" "no answer from" "the unreachable-server message"
n=$(cat "$H_TMP/down.count" 2>/dev/null || echo 0)
[ "$n" -ge 2 ] && [ "$n" -le 8 ] || h_fail "expected 2 to 8 attempts with backoff in 6 s, saw $n"
h_ok
c_expect_no_trust "$H_TMP/d8" "unreachable server"
echo "checked: $n attempts against the server that is down"
h_pass
