#!/usr/bin/env bash
# hostile_client: `idprov provision` against servers that misbehave
# (tests/hostile/hostile_peer.py): answers of megabytes or without end,
# a byte a second, 4 MB of headers, redirects to another host, HTML and
# JSON of the wrong shape, a directory sending the device elsewhere, 5xx
# and 4xx pages, retrySec of 0, -5 and 10^18, terminal escapes in error
# bodies.  Each time: a non-zero exit, one plain line on the terminal,
# nothing that conveys trust saved, memory bounded, and the command ends
# (a 90 s guard tells a hang from an answer).  Bugs in code this test does
# not own print as "KNOWN BUG" and do not fail it.
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
PIDS=()
trap 'rc=$?; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; h_cleanup $rc' EXIT
mkdir -p "$H_TMP/counts" "$H_TMP/evil"
# another CA, for a certificate that chains elsewhere
openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/evil/ca.key" 2>/dev/null
openssl req -x509 -new -key "$H_TMP/evil/ca.key" -subj "/CN=evil CA" -days 2 \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
	-out "$H_TMP/evil/ca.pem" 2>/dev/null || h_fail "could not make the other CA with openssl"
/usr/bin/python3 "$IDPROV_SRC/tests/hostile/hostile_peer.py" --cert "$H_CA/server.pem" \
	--key "$H_CA/server.key" --ca "$H_CA/ca.pem" --ready "$H_TMP/peer.ready" \
	--ca-key "$H_CA/ca.key" --other-ca "$H_TMP/evil/ca.pem" --other-ca-key "$H_TMP/evil/ca.key" \
	--secret s3cret \
	--count-dir "$H_TMP/counts" >"$H_TMP/peer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do [ -s "$H_TMP/peer.ready" ] && break; sleep 0.05; done
[ -s "$H_TMP/peer.ready" ] || h_fail "hostile_peer.py did not start: $(tail -n 5 "$H_TMP/peer.log")"
KNOWN=0
known() { echo "KNOWN BUG: $*"; KNOWN=$((KNOWN + 1)); }
hits() { if [ -f "$H_TMP/counts/$1" ]; then wc -l <"$H_TMP/counts/$1"; else echo 0; fi; }
TIMED=""
[ -x /usr/bin/time ] && TIMED=1

# provision MODE TIMEOUT: run idprov against that listener; sets OUT, RC,
# RSS_KB (0 without /usr/bin/time), SECS, DIR.
provision() {
	local mode=$1 to=$2 addr t0
	addr=$(awk -v m="$mode" '$1 == m { print $2 }' "$H_TMP/peer.ready")
	DIR="$H_TMP/state-$mode"
	t0=$(date +%s)
	RC=0
	if [ -n "$TIMED" ]; then
		OUT=$(timeout 90 /usr/bin/time -o "$H_TMP/time.$mode" -f '%M' "$IDPROV" provision \
			--device hx-dev --secret s3cret --server "https://$addr" --dir "$DIR" \
			--timeout "$to" 2>&1) || RC=$?
		RSS_KB=$(tail -n 1 "$H_TMP/time.$mode")
	else
		OUT=$(timeout 90 "$IDPROV" provision --device hx-dev --secret s3cret \
			--server "https://$addr" --dir "$DIR" --timeout "$to" 2>&1) || RC=$?
		RSS_KB=0
	fi
	SECS=$(($(date +%s) - t0))
}

# refused MODE TIMEOUT WANT_RC NEEDLE WHAT: the common checks.
refused() {
	local mode=$1 to=$2 want=$3 needle=$4 what=$5 lines
	provision "$mode" "$to"
	[ "$RC" != 124 ] || h_fail "$what: idprov was still running after 90 s (--timeout $to)"
	h_ok
	case "|$want|" in *"|$RC|"*) h_ok ;; *) h_fail "$what: expected exit $want, got $RC: $OUT" ;; esac
	lines=$(printf '%s\n' "$OUT" | grep -c .)
	[ "$lines" = 1 ] || h_fail "$what: expected one line of message, got $lines: $OUT"
	h_ok
	h_expect_contains "$OUT" "idprov: " "$what: the message"
	[ -z "$needle" ] || h_expect_contains "$OUT" "$needle" "$what: the message names the problem"
	h_expect_not_contains "$OUT" "Sanitizer" "$what: a sanitizer report"
	for f in cert.pem ca.pem server.url; do
		[ ! -e "$DIR/$f" ] || h_fail "$what: $f was saved"
		h_ok
	done
	# a client that kept what it was sent would hold 8 MB or more
	[ "$RSS_KB" -lt 150000 ] || h_fail "$what: idprov used ${RSS_KB} KB of memory"
	h_ok
	echo "ok: $what -> exit $RC in ${SECS}s, ${RSS_KB} KB max RSS: ${OUT:0:160}"
}

# ---- sizes
refused huge 5s 1 "over 65536 bytes" "an 8 MB directory"
refused endless 5s 1 "over 65536 bytes" "a directory without end (chunked)"
refused provhuge 5s 1 "over 65536 bytes" "an 8 MB provisioning answer"
refused provendless 5s 1 "over 65536 bytes" "a provisioning answer without end"
refused bigheaders 3s "1|7" "" "4 MB of response headers"

# ---- redirects: never followed, least of all to another host
before=$(hits elsewhere)
refused redirect 5s 1 "302" "a 302 to another host"
refused redirect307 5s 1 "307" "a 307 to another host"
h_expect_eq "$before" "$(hits elsewhere)" "requests that reached the redirect target"

# ---- shapes and types
refused html 5s 1 "directory" "an HTML page as the directory"
refused array 5s 1 "directory" "a JSON array as the directory"
refused shape 5s 1 "endpoints" "endpoints an array, caCert a number"
refused badca 5s 1 "the directory's caCert is not a PEM or base64 certificate" "a caCert that is not a certificate"
# OpenSSL's ASN.1 reason for the garbage ("too long") is not the problem
h_expect_not_contains "$OUT" "too long" "a caCert that is not a certificate: OpenSSL's reason in the message"
refused wrongtype 5s "1|4|5" "" "a valid directory sent as text/plain"
refused provshape 5s 1 "status" "a provisioning answer with status 42"
refused retryneg 5s 1 "retrySec" "Waiting with retrySec -5"
before=$(hits elsewhere)
refused otherhost 5s "1|4|5|7" "" "a directory whose endpoints are on another host"
if [ "$(hits elsewhere)" != "$before" ]; then
	echo "NOTE: the client posted its signed request to the other host the unverified directory named (WIRE.md allows absolute endpoint URLs; see the report)"
fi

# ---- error pages
refused e404 5s 1 "HTTP 404" "a 404 HTML page for the directory"
refused e503 3s 7 "HTTP 503" "a 503 HTML page for the directory (retried until --timeout)"
refused provhtml 3s 7 "HTTP 500" "a 500 HTML page for the provisioning request"
for m in escape jsonescape; do
	refused $m 5s "1|4" "HTTP 403" "terminal escapes in a 403 body ($m)"
	# C0 controls and DEL are blanked; C1 (0x80-0x9f raw, or U+0080-U+009F)
	# are terminal controls too (0x9b is CSI)
	if printf '%s' "$OUT" | LC_ALL=C grep -q $'\x1b'; then
		h_fail "terminal escapes in a 403 body ($m): an ESC byte reached the terminal"
	fi
	h_ok
	if printf '%s' "$OUT" | LC_ALL=C grep -qP '\x9b|\xc2[\x80-\x9f]'; then
		h_fail "terminal escapes in a 403 body ($m): C1 control bytes from the server's body reached the terminal"
	fi
	h_ok
done

# ---- a server that knows the secret (signs right) but issues a bad
# certificate: the device checks what it is given before saving it
provision signed-ok 5s
h_expect_eq 0 "$RC" "the control case: a good signed answer from the test peer is accepted: $OUT"
[ -s "$DIR/cert.pem" ] || h_fail "the control case saved no cert.pem"
h_ok
echo "ok: the control case (a good certificate, rightly signed) -> provisioned"
refused signed-garbage 5s 5 "clientCert" "a signed answer whose clientCert is not a certificate"
refused signed-otherkey 5s 5 "another key" "a signed answer with a certificate for another key"
refused signed-othercn 5s 5 "another deviceID" "a signed answer with a certificate for another deviceID"
refused signed-expired 5s 5 "not valid now" "a signed answer with an expired certificate"
refused signed-otherca 5s 5 "does not verify" "a signed answer with a certificate of another CA"

# ---- Waiting that would make the device spin or sleep forever
refused retry0 3s 3 "" "Waiting with retrySec 0"
n=$(hits retry0)
[ "$n" -le 30 ] || h_fail "Waiting with retrySec 0: $n requests in 3 s, the client does not back off"
h_ok
refused retrybig 3s 3 "" "Waiting with retrySec 10^18"

# ---- a byte a second: --timeout must bound the exchange (last: slowest)
refused drip 2s 7 "" "a directory dripping a byte a second (--timeout 2s)"
# Not a timing assert: the bound is loose (the deadline plus 1 s is the
# design); what it catches is one exchange keeping its own 20 s.
[ "$SECS" -le 12 ] || h_fail "--timeout 2s, but idprov ran ${SECS}s: expected every exchange cut to the time left before the deadline"
h_ok
refused provdrip 2s 7 "" "a provisioning answer dripping a byte a second (--timeout 2s)"
[ "$SECS" -le 12 ] || h_fail "--timeout 2s, but idprov ran ${SECS}s on a dripping provisioning answer: expected every exchange cut to the time left"
h_ok

echo "$KNOWN known bugs"
h_pass
