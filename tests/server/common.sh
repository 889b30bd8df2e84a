# shellcheck shell=bash
# tests/server/common.sh - helpers of the idprovd black-box tests, sourced
# after tests/lib/harness.sh.  Everything here talks to the daemon from the
# outside: curl, the openssl command and idprov_probe.py (Python stdlib).

S_PROBE="$IDPROV_SRC/tests/server/idprov_probe.py"
s_probe() { /usr/bin/python3 "$S_PROBE" "$@"; }

# The probe's own canonical form must match the WIRE.md vectors, or every
# signature check below would prove nothing.
s_probe selftest >/dev/null || h_fail "idprov_probe.py selftest failed: the test helper is wrong"

# s_keypair NAME: $H_TMP/NAME.key (P-256) and $H_TMP/NAME.pub (PUBLIC KEY PEM).
s_keypair() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$H_TMP/$1.key" 2>/dev/null
	openssl pkey -in "$H_TMP/$1.key" -pubout -out "$H_TMP/$1.pub"
}

# s_time OFFSET: RFC 3339 UTC time OFFSET seconds from now.
s_time() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }

# s_expect_code WANT OUTPUT WHAT: the status code of a h_curl output.
s_expect_code() {
	local got
	got=$(h_code "$2")
	[ "$got" = "$1" ] || h_fail "$3: expected HTTP $1, got HTTP $got: $(h_body "$2" | head -c 400)"
	h_ok
}

# s_expect_error_body OUTPUT WHAT: a JSON {"error":"..."} body with a
# non-empty sentence.
s_expect_error_body() {
	local body msg
	body=$(h_body "$1")
	msg=$(printf '%s' "$body" | s_probe field error 2>/dev/null) ||
		h_fail "$2: expected a JSON {\"error\":...} body, got: ${body:0:300}"
	[ -n "$msg" ] || h_fail "$2: the error sentence is empty"
	h_ok
}

# s_oob DEV SECRET [VALID_UNTIL]: the admin posts a secret; must be 200.
s_oob() {
	local out
	s_probe oob-body --id "$1" --secret "$2" --valid-until "${3:-}" >"$H_TMP/oob.json"
	out=$(h_curl_admin -X POST -H 'Content-Type: application/json' \
		--data-binary @"$H_TMP/oob.json" "$H_URL/idprov/oobsecret")
	s_expect_code 200 "$out" "admin posting the OOB secret of $1"
}

# s_provreq OUTFILE DEV SECRET KEYNAME [curl args...]: post a provisioning
# request for DEV with $H_TMP/KEYNAME.pub, signed with SECRET; the response
# body goes to OUTFILE, the status code is printed.
s_provreq() {
	local outfile=$1 dev=$2 secret=$3 key=$4
	shift 4
	s_probe provreq-body --id "$dev" --ip 192.0.2.2 --pub "$H_TMP/$key.pub" \
		--secret "$secret" >"$H_TMP/provreq.json"
	curl -sS --max-time 20 --cacert "$H_CA/ca.pem" -o "$outfile" -w '%{http_code}' \
		-X POST -H 'Content-Type: application/json' --data-binary @"$H_TMP/provreq.json" \
		"$@" "$H_URL/idprov/provreq"
}

# s_expect_resp FILE SECRET STATUS WHAT: a canonical provisioning response
# with that status; Approved ones must verify under SECRET.
s_expect_resp() {
	local msg
	msg=$(s_probe verify-resp --file "$1" --secret "$2" --status "$3") ||
		h_fail "$4: $msg"
	h_ok
}

# s_field FILE NAME: one field of a JSON file.
s_field() { s_probe field "$2" --file "$1"; }

# s_alive WHAT: the directory still answers 200.
s_alive() {
	local out
	out=$(h_curl "$H_URL/idprov/directory") || h_fail "server unreachable after $1"
	s_expect_code 200 "$out" "directory after $1"
	kill -0 "$H_PID" 2>/dev/null || h_fail "idprovd died after $1"
}

# s_serial_hex PEMFILE: the serial number in upper-case hex, no leading zeros.
s_serial_hex() {
	local s
	s=$(openssl x509 -in "$1" -noout -serial) || return 1
	s=${s#serial=}
	s=$(printf '%s' "$s" | tr a-f A-F | sed 's/^0*//')
	printf '%s' "$s"
}

# s_check_issued PEMFILE DEV KEYNAME WHAT: the certificate chains to the CA
# for client auth, CN = DEV, OU = iotdevice, a random 16-byte serial, and
# carries the public key $H_TMP/KEYNAME.pub.
s_check_issued() {
	local pem=$1 dev=$2 key=$3 what=$4 out subj serial want got
	out=$(openssl verify -CAfile "$H_CA/ca.pem" -purpose sslclient "$pem" 2>&1) ||
		h_fail "$what: openssl verify -purpose sslclient refused the certificate: $out"
	h_ok
	subj="$(openssl x509 -in "$pem" -noout -subject -nameopt sep_multiline,utf8,sname)"$'\n'
	h_expect_contains "$subj" $'\n    CN='"$dev"$'\n' "$what: certificate CN"
	h_expect_contains "$subj" $'\n    OU=iotdevice\n' "$what: certificate OU"
	serial=$(s_serial_hex "$pem")
	# 16 random bytes: the magnitude is 16 bytes unless the top bytes happen
	# to be zero; at least 14 bytes tells random from a Unix-time serial.
	[ ${#serial} -le 32 ] && [ ${#serial} -ge 27 ] ||
		h_fail "$what: serial $serial is not 16 random bytes"
	h_ok
	want=$(openssl pkey -pubin -in "$H_TMP/$key.pub" -outform DER | od -An -tx1 | tr -d ' \n')
	got=$(openssl x509 -in "$pem" -noout -pubkey | openssl pkey -pubin -outform DER | od -An -tx1 | tr -d ' \n')
	h_expect_eq "$want" "$got" "$what: the certificate's key is the one the device sent"
	out=$(openssl x509 -in "$pem" -noout -ext basicConstraints 2>/dev/null || true)
	h_expect_not_contains "$out" "CA:TRUE" "$what: issued certificate must not be a CA"
}
