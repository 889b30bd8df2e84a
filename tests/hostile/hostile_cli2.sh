#!/usr/bin/env bash
# hostile_cli2: more hostile input for idprovctl and idprov, beyond
# hostile_cli.sh, hostile_client.sh and hostile_diskfull.sh.
#   - pipes (FIFOs with no writer) where a file is read: a CSV, a public
#     key, a certificate, every file of the device's state folder;
#   - idprovctl against servers that misbehave (hostile_peer.py): terminal
#     escapes in refusals, a 200 that is not the JSON asked for;
#   - options in the wrong place, named in the message.
# Each time: the exit code, one plain line, no sanitizer report, and the
# command ends (a 60 s guard tells a hang from an answer).
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
h_server_start
PIDS=()
trap 'rc=$?; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; h_cleanup $rc' EXIT
CONN=(--server "$H_URL" --cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem")
W="$H_TMP/w"
mkdir -p "$W"

source "$IDPROV_SRC/tests/hostile/cli_run.sh"

# ---- idprovctl: a pipe with no writer where an input file goes reads as
# empty (never a wait for ever); a pipe with a writer, <(...), is read
mkfifo "$W/fifo"
run 4 "no rows" "oob import of a FIFO with no writer" "$IDPROVCTL" oob import "$W/fifo" "${CONN[@]}"
run 4 "empty" "issue --pubkey a FIFO with no writer" "$IDPROVCTL" issue c-fifo --pubkey "$W/fifo" "${CONN[@]}"
run 4 "no PEM certificate" "revoke --certificate a FIFO with no writer" "$IDPROVCTL" revoke --certificate "$W/fifo" "${CONN[@]}"
run 0 "imported 2" "oob import <(printf ...)" "$IDPROVCTL" oob import <(printf 'c-ps1,s1\nc-ps2,s2\n') "${CONN[@]}"
run 4 "larger than" "oob import <(80 MB of zeros)" "$IDPROVCTL" oob import <(head -c 80000000 /dev/zero) --check

# ---- idprov --secret-file: a FIFO nobody writes to reads as empty (not
# a wait for ever); a pipe with a writer (<(...)) still gives the secret
run 2 "empty" "--secret-file a FIFO with no writer" "$IDPROV" provision --device c-ff \
	--secret-file "$W/fifo" --server "$H_URL" --dir "$W/ff" --timeout 3s
"$IDPROVCTL" oob set c-pipe s-pipe "${CONN[@]}" >/dev/null
run 0 "provisioned c-pipe" "--secret-file <(echo the secret)" "$IDPROV" provision --device c-pipe \
	--secret-file <(echo s-pipe) --server "$H_URL" --dir "$W/pipe" --timeout 10s

# ---- a NUL byte in a secret read from a file or standard input: refused,
# not cut short there without a word (the HMAC key would be "abc")
printf 'abc\0def\n' >"$W/nul-secret"
run 2 "holds a NUL byte" "idprovctl oob set - with a NUL byte on stdin" sh -c 'f=$1; shift; "$0" oob set c-nul - "$@" <"$f"' \
	"$IDPROVCTL" "$W/nul-secret" "${CONN[@]}"
run 2 "holds a NUL byte" "idprov --secret-file with a NUL byte" "$IDPROV" provision --device c-nul \
	--secret-file "$W/nul-secret" --server "$H_URL" --dir "$W/nul" --timeout 3s
run 2 "holds a NUL byte" "idprov --secret-stdin with a NUL byte" sh -c '"$0" provision --device c-nul --secret-stdin \
	--server "$1" --dir "$2" --timeout 3s <"$3"' "$IDPROV" "$H_URL" "$W/nul" "$W/nul-secret"
printf 's-crlf\r\n' >"$W/crlf-secret"
run 0 "is set" "idprovctl oob set - with CRLF (the control case)" sh -c 'f=$1; shift; "$0" oob set c-crlf - "$@" <"$f"' \
	"$IDPROVCTL" "$W/crlf-secret" "${CONN[@]}"
run 0 "provisioned c-crlf" "idprov --secret-file with CRLF: the same secret" "$IDPROV" provision --device c-crlf \
	--secret-file "$W/crlf-secret" --server "$H_URL" --dir "$W/crlf" --timeout 10s

# ---- idprov: a pipe in the state folder where a file was saved
"$IDPROVCTL" oob set c-good s-good "${CONN[@]}" >/dev/null
"$IDPROV" provision --device c-good --secret s-good --server "$H_URL" --dir "$W/good" \
	--timeout 10s >/dev/null || h_fail "the control case: provisioning c-good failed"
h_ok
# a copy of the good state with FILE replaced by a FIFO
fifo_state() {
	rm -rf "$W/st-$1"
	cp -a "$W/good" "$W/st-$1"
	rm -f "$W/st-$1/$1"
	mkfifo "$W/st-$1/$1"
}
for f in key.pem cert.pem ca.pem server.url; do
	fifo_state $f
	run 6 "$W/st-$f/$f is a pipe" "renew with $f a FIFO" "$IDPROV" renew --dir "$W/st-$f"
	[ "$f" = cert.pem ] && continue	# provision does not read cert.pem
	run 6 "$W/st-$f/$f is a pipe" "provision with $f a FIFO" "$IDPROV" provision \
		--device c-good --secret s-good --dir "$W/st-$f" --timeout 3s
done
fifo_state cert.pem
run 6 "$W/st-cert.pem/cert.pem is a pipe" "show with cert.pem a FIFO" "$IDPROV" show --dir "$W/st-cert.pem"
# an unfinished key rotation that is a FIFO is no key: dropped, the renewal goes on
rm -rf "$W/st-next"
cp -a "$W/good" "$W/st-next"
mkfifo "$W/st-next/key.next.pem"
run 0 "renewed c-good" "renew with key.next.pem a FIFO" "$IDPROV" renew --dir "$W/st-next"
[ ! -e "$W/st-next/key.next.pem" ] || h_fail "renew with key.next.pem a FIFO: the FIFO is still there"
h_ok

# ---- idprov discover: a bad argument is one sentence, not the usage
if "$IDPROV" --help | grep -q discover; then
	run 2 "unknown argument" "discover --bogus" "$IDPROV" discover --bogus
	run 2 "not a duration" "discover --timeout 10^11 days" "$IDPROV" discover --timeout 99999999999d
fi

# ---- idprovctl: admin certificates and keys that cannot work
openssl ecparam -name prime256v1 -genkey -noout -out "$W/adm2.key" 2>/dev/null
openssl req -new -key "$W/adm2.key" -subj "/OU=admin/CN=adm2" -out "$W/adm2.csr" 2>/dev/null
printf 'extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n' >"$W/adm2.ext"
# a negative -days: notAfter a day before now
openssl x509 -req -in "$W/adm2.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" -days -1 \
	-extfile "$W/adm2.ext" -out "$W/adm2-expired.pem" 2>/dev/null || h_fail "openssl could not make an expired certificate"
run 4 "adm2-expired.pem expired at" "an expired admin certificate (signed by the right CA)" \
	"$IDPROVCTL" list --server "$H_URL" --cert "$W/adm2-expired.pem" --key "$W/adm2.key" --ca "$H_CA/ca.pem"
h_expect_not_contains "$OUT" "not signed by" "an expired admin certificate: blamed on its CA"
openssl genrsa -out "$W/rsa.key" 2048 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$W/ed.key" 2>/dev/null
run 4 "does not belong to the certificate" "an RSA key for the admin certificate" \
	"$IDPROVCTL" list --server "$H_URL" --cert "$H_CA/admin.pem" --key "$W/rsa.key" --ca "$H_CA/ca.pem"
run 4 "does not belong to the certificate" "an Ed25519 key for the admin certificate" \
	"$IDPROVCTL" list --server "$H_URL" --cert "$H_CA/admin.pem" --key "$W/ed.key" --ca "$H_CA/ca.pem"
run 4 "holds no PEM certificate" "a key given as the admin certificate" \
	"$IDPROVCTL" list --server "$H_URL" --cert "$H_CA/admin.key" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem"
head -c 300 "$H_CA/admin.pem" >"$W/cut.pem"
run 4 "holds no PEM certificate" "a truncated admin certificate" \
	"$IDPROVCTL" list --server "$H_URL" --cert "$W/cut.pem" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem"

# ---- idprovctl crl/issue --out on what is not a regular file: never
# replaced, even with --force (a save renames over the path: as root,
# "crl --out /dev/null --force" would have replaced /dev/null).  A device
# node of our own stands for /dev/null.
openssl ecparam -name prime256v1 -genkey -noout -out "$W/dev.key" 2>/dev/null
openssl pkey -in "$W/dev.key" -pubout -out "$W/dev.pub" 2>/dev/null
mkfifo "$W/out.fifo"
mkdir -p "$W/out.dir"
touch "$W/out.target"
ln -s "$W/out.target" "$W/out.link"
outs=("$W/out.fifo" "$W/out.dir" "$W/out.link")
if [ "$(id -u)" = 0 ] && mknod "$W/out.null" c 1 3 2>/dev/null; then
	outs+=("$W/out.null")
fi
for o in "${outs[@]}"; do
	kind=$(stat -c %F "$o")
	run 5 "not a regular file" "crl --out --force on a $kind" "$IDPROVCTL" crl --out "$o" --force "${CONN[@]}"
	h_expect_eq "$kind" "$(stat -c %F "$o")" "crl --out --force on a $kind: it is still one"
	run 5 "not a regular file" "issue --out --force on a $kind" "$IDPROVCTL" issue c-out --pubkey "$W/dev.pub" \
		--out "$o" --force "${CONN[@]}"
	h_expect_eq "$kind" "$(stat -c %F "$o")" "issue --out --force on a $kind: it is still one"
done
run 0 "saved the CRL" "crl --out --force on a regular file (the control case)" "$IDPROVCTL" crl \
	--out "$W/out.target" --force "${CONN[@]}"

# ---- idprovctl ca init --org that is not UTF-8 or holds U+009B: refused
# as a usage error before anything is made (it goes into every name)
run 2 "not UTF-8" "ca init --org of bytes that are not UTF-8" "$IDPROVCTL" ca init --dir "$W/org1" --org $'\xff\xfe'
run 2 "control character" "ca init --org with U+009B" "$IDPROVCTL" ca init --dir "$W/org2" --org $'a\xc2\x9bb'
[ ! -e "$W/org1" ] && [ ! -e "$W/org2" ] || h_fail "ca init with a bad --org created its folder"
h_ok
run 0 "Ünïcödé GmbH IDProv CA" "ca init --org in UTF-8 (the control case)" "$IDPROVCTL" ca init --dir "$W/org3" --org 'Ünïcödé GmbH'

# ---- two idprovctl ca init at once on one folder (no --force): one makes
# the CA, the other refuses; the CA in the folder is the one reported
for i in 1 2 3 4 5; do
	d="$W/twoca$i"
	"$IDPROVCTL" ca init --dir "$d" >"$W/twoca$i.a" 2>&1 &
	p1=$!
	"$IDPROVCTL" ca init --dir "$d" >"$W/twoca$i.b" 2>&1 &
	p2=$!
	r1=0 r2=0
	wait "$p1" || r1=$?
	wait "$p2" || r2=$?
	case "$r1/$r2" in
	0/1 | 1/0) h_ok ;;
	*) h_fail "two ca init at once on $d: expected one to succeed and one to refuse, got exits $r1 and $r2: $(cat "$W/twoca$i.a" "$W/twoca$i.b" | head -c 300)" ;;
	esac
	h_expect_contains "$(cat "$W/twoca$i.a" "$W/twoca$i.b")" "already exists" "two ca init at once: the refusal"
	fp=$(openssl x509 -in "$d/ca.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
	h_expect_contains "$(cat "$W/twoca$i.a" "$W/twoca$i.b" | tr A-F a-f | tr -d :)" "$fp" "two ca init at once: the CA in the folder is the one reported"
done
echo "ok: two ca init at once on one folder, 5 times: one CA, the other run refused"

# ---- two idprovctl oob generate at once into one folder (no --force):
# one batch is written, the other refused (else the QR codes of both would
# sit under one CSV, stickers whose secrets were never uploaded)
for i in 1 2 3; do
	d="$W/twogen$i"
	"$IDPROVCTL" oob generate --count 40 --prefix tg- --out "$d" >"$W/twogen$i.a" 2>&1 &
	p1=$!
	"$IDPROVCTL" oob generate --count 40 --prefix tg- --out "$d" >"$W/twogen$i.b" 2>&1 &
	p2=$!
	r1=0 r2=0
	wait "$p1" || r1=$?
	wait "$p2" || r2=$?
	case "$r1/$r2" in
	0/5 | 5/0) h_ok ;;
	*) h_fail "two oob generate at once into $d: expected one batch written and one refused (exit 5), got exits $r1 and $r2" ;;
	esac
done
echo "ok: two oob generate at once into one folder, 3 times: one batch, the other refused"

# ---- idprovctl ca init stopped by SIGTERM at 20 moments across its run
# (about 0.1 s): each time the folder holds the whole set or nothing of
# it, never a hidden staging folder (with a CA key in it), never part of
# the six files.  Whether a given moment falls inside the writes depends
# on the machine; spread over the run, some do.
mkdir -p "$W/sig"
for i in $(seq 0 19); do
	d="$W/sig/ca$i"
	"$IDPROVCTL" ca init --dir "$d" >/dev/null 2>&1 &
	p=$!
	sleep "0.$(printf '%03d' $((i * 6)))"
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" || true
	if [ -e "$d" ]; then
		got=$(ls -A "$d" | tr '\n' ' ')
		case "$got" in
		"" | "admin.key admin.pem ca.key ca.pem server.key server.pem ") h_ok ;;
		*) h_fail "ca init stopped by SIGTERM after ${i}x6 ms: expected all six files or none, found: $got" ;;
		esac
		[ -z "$(find "$d" -perm /077 -name '*.key')" ] || h_fail "ca init stopped by SIGTERM: a key readable by others in $d"
		h_ok
	fi
done
echo "ok: ca init stopped by SIGTERM at 20 moments: the whole set or nothing each time"

# ---- idprovctl oob generate stopped by SIGTERM part way through a batch:
# the QR codes written so far hold secrets that are in no CSV, so the batch
# is all there or none of it (no SVG, no temporary file)
for i in 1 3 6 10; do
	d="$W/gen-sig$i"
	"$IDPROVCTL" oob generate --count 150 --prefix sig- --out "$d" >/dev/null 2>&1 &
	p=$!
	sleep "0.$(printf '%02d' $((i * 5)))"
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" || true
	n=0 csv=0
	if [ -d "$d" ]; then
		n=$(ls -A "$d" | wc -l)
		csv=$(ls -A "$d" | grep -c '^secrets.csv$' || true)
	fi
	case "$n/$csv" in
	0/0 | 151/1) h_ok ;;
	*) h_fail "oob generate stopped by SIGTERM after $((i * 50)) ms: expected the whole batch or nothing, found $n files ($csv secrets.csv): $(ls -A "$d" | head -n 3 | tr '\n' ' ')" ;;
	esac
done
echo "ok: oob generate stopped by SIGTERM at 4 moments: the whole batch or nothing each time"

# ---- idprov provision stopped by SIGTERM at 16 moments of its run (key,
# exchange, saves): once the next command has looked at the folder (show
# recovers), it holds nothing, key.pem alone or the whole approval, never
# a hidden temporary file (a private key among them), key.pem 0600
for i in $(seq 0 15); do
	"$IDPROVCTL" oob set "c-sig$i" "s-sig$i" "${CONN[@]}" >/dev/null
	d="$W/psig$i"
	"$IDPROV" provision --device "c-sig$i" --secret "s-sig$i" --server "$H_URL" --dir "$d" \
		--timeout 5s >/dev/null 2>&1 &
	p=$!
	sleep "0.$(printf '%03d' $((i * 6)))"
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" || true
	"$IDPROV" show --dir "$d" >/dev/null 2>&1 || true
	got=""
	[ ! -d "$d" ] || got=$(ls -A "$d" | tr '\n' ' ')
	case "$got" in
	"" | "key.pem " | "ca.pem cert.pem key.pem server.url ") h_ok ;;
	*) h_fail "provision stopped by SIGTERM after $((i * 6)) ms, then show: expected nothing, key.pem or the whole approval, found: $got" ;;
	esac
	[ ! -e "$d/key.pem" ] || [ "$(stat -c %a "$d/key.pem")" = 600 ] ||
		h_fail "provision stopped by SIGTERM: key.pem is $(stat -c %a "$d/key.pem"), not 600"
	h_ok
done
echo "ok: provision stopped by SIGTERM at 16 moments: no temporary file after the next command"

# ---- two idprov provision at once on one state folder: whoever gets the
# certificate, key.pem is its key
for i in 1 2 3; do
	"$IDPROVCTL" oob set "c-two$i" "s-two$i" "${CONN[@]}" >/dev/null
	d="$W/two$i"
	for _ in 1 2; do
		"$IDPROV" provision --device "c-two$i" --secret "s-two$i" --server "$H_URL" --dir "$d" \
			--timeout 2s >/dev/null 2>&1 &
		PIDS+=($!)
	done
	wait "${PIDS[-1]}" "${PIDS[-2]}" || true
	[ -s "$d/cert.pem" ] || h_fail "two provisions at once on $d: neither saved a certificate"
	h_ok
	h_expect_eq "$(openssl pkey -in "$d/key.pem" -pubout 2>&1)" \
		"$(openssl x509 -in "$d/cert.pem" -noout -pubkey 2>&1)" "two provisions at once on $d: key.pem is the certificate's key"
	run 0 "renewed c-two$i" "renew after two provisions at once" "$IDPROV" renew --dir "$d"
done

# ---- idprov show: a CA whose name holds ESC and U+009B (the CA's words
# reach the screen through cert.pem's issuer): replaced, not printed
mkdir -p "$W/evilname"
openssl ecparam -name prime256v1 -genkey -noout -out "$W/evilname/ca.key" 2>/dev/null
openssl req -x509 -new -key "$W/evilname/ca.key" -utf8 -days 3 -out "$W/evilname/ca.pem" \
	-subj "/CN=evil$(printf '\033')[2J$(printf '\302\233')31mCA" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$W/evilname/key.pem" 2>/dev/null
openssl req -new -key "$W/evilname/key.pem" -subj "/OU=iot$(printf '\033')]0;x$(printf '\007')/CN=c-evil" \
	-utf8 -out "$W/evilname/c.csr" 2>/dev/null
openssl x509 -req -in "$W/evilname/c.csr" -CA "$W/evilname/ca.pem" -CAkey "$W/evilname/ca.key" -days 2 \
	-out "$W/evilname/cert.pem" 2>/dev/null || h_fail "openssl could not make the certificate of a CA with escapes in its name"
rm -f "$W/evilname/c.csr" "$W/evilname/ca.key"
run 0 "evil?[2J??31mCA" "show, an issuer and OU with terminal escapes" "$IDPROV" show --dir "$W/evilname"

# ---- idprovctl revoke --certificate with a key file by mistake: refused
# before anything is sent (the private key never travels to the server)
before=$(grep -c 'path="/idprov/admin/revoke"' "$H_TMP/idprovd.log" || true)
run 4 "holds a private key, not a certificate" "revoke --certificate the admin key" \
	"$IDPROVCTL" revoke --certificate "$H_CA/admin.key" "${CONN[@]}"
run 4 "holds no PEM certificate" "revoke --certificate a truncated certificate" \
	"$IDPROVCTL" revoke --certificate "$W/cut.pem" "${CONN[@]}"
h_expect_eq "$before" "$(grep -c 'path="/idprov/admin/revoke"' "$H_TMP/idprovd.log" || true)" \
	"revoke --certificate with a key or garbage: requests that reached the server"

# ---- idprov --server that libcurl cannot parse: a bad URL (exit 1) said
# at once, not a server retried until the deadline (exit 7); no user name
for u in "https://127.0.0.1:99999" "https://[::1" "https://:8443" "https://127.0.0.1:-1"; do
	run 1 "not a valid URL" "--server $u" "$IDPROV" provision --device c-url --secret s \
		--server "$u" --dir "$W/url" --timeout 3s
done
run 1 "user name or password" "--server with a user and password" "$IDPROV" provision --device c-url \
	--secret s --server "https://user:pw@127.0.0.1:$H_PORT" --dir "$W/url" --timeout 3s
h_expect_not_contains "$OUT" "pw@" "--server with a password: the password echoed"

# the same for idprovctl: a configuration error (exit 2), not exit 3
for u in "https://127.0.0.1:99999" "https://[::1" "https://:8443"; do
	run 2 "not a valid URL" "idprovctl --server $u" "$IDPROVCTL" list --server "$u" --ca "$H_CA/ca.pem"
done
run 2 "user name or password" "idprovctl --server with a user and password" "$IDPROVCTL" list \
	--server "https://user:pw@127.0.0.1:$H_PORT" --ca "$H_CA/ca.pem"

# ---- two renewals at once on one folder: while a slow one is out
# (hostile.py renewer, an honest server that answers after 4 s), a second
# one, with or without a new key, is refused at once (renew.c
# lock_renewal), and the slow one saves a pair that matches
"$IDPROVCTL" oob set c-race s-race "${CONN[@]}" >/dev/null
"$IDPROV" provision --device c-race --secret s-race --server "$H_URL" --dir "$W/race" --timeout 10s >/dev/null ||
	h_fail "the control case: provisioning c-race failed"
/usr/bin/python3 "$IDPROV_SRC/tests/client/hostile.py" renewer --cert "$H_CA/server.pem" --key "$H_CA/server.key" \
	--ca "$H_CA/ca.pem" --ca-key "$H_CA/ca.key" --delay 4 --ready "$H_TMP/renewer.ready" >"$H_TMP/renewer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do [ -s "$H_TMP/renewer.ready" ] && break; sleep 0.05; done
[ -s "$H_TMP/renewer.ready" ] || h_fail "hostile.py renewer did not start: $(tail -n 5 "$H_TMP/renewer.log")"
"$IDPROV" renew --dir "$W/race" --server "https://$(head -n 1 "$H_TMP/renewer.ready")" >"$W/race.slow" 2>&1 &
slow=$!
for _ in $(seq 400); do grep -q "renewal request received" "$H_TMP/renewer.log" && break; sleep 0.05; done
grep -q "renewal request received" "$H_TMP/renewer.log" || h_fail "the slow renewal never reached hostile.py renewer"
run 1 "another idprov is renewing" "renew --rotate-key while a slow renewal is out" "$IDPROV" renew --rotate-key --dir "$W/race"
run 1 "another idprov is renewing" "renew while a slow renewal is out" "$IDPROV" renew --dir "$W/race" --server "$H_URL"
rc=0
wait "$slow" || rc=$?
h_expect_eq 0 "$rc" "the slow renewal's exit status ($(cat "$W/race.slow"))"
h_expect_eq "$(openssl pkey -in "$W/race/key.pem" -pubout 2>&1)" \
	"$(openssl x509 -in "$W/race/cert.pem" -noout -pubkey 2>&1)" \
	"two renewals at once: key.pem is cert.pem's key"
# (A renewal at idprovd now would be refused: the certificate the folder
# keeps is the one hostile.py made, which the registry does not know.)
run 0 "c-race" "show after the two (the folder still works)" "$IDPROV" show --dir "$W/race"

# ---- idprov: options in the wrong place, repeated, without a value: the
# option is named (not its value), and nothing is silently dropped
run 2 "--timeout is not one of this command's" "renew --timeout 3s (renew has none)" \
	"$IDPROV" renew --dir "$W/good" --timeout 3s
h_expect_not_contains "$OUT" '"3s"' "renew --timeout 3s: the value named as the option"
run 2 "--timeout needs a value" "provision --timeout at the end" "$IDPROV" provision --device c-x \
	--secret s --dir "$W/s2" --timeout
run 2 "--device is given twice" "provision --device twice" "$IDPROV" provision --device c-a \
	--device c-b --secret s --server "$H_URL" --dir "$W/s2" --timeout 3s
run 2 "--secret is not one of this command's" "show --secret" "$IDPROV" show --dir "$W/good" --secret s
run 2 "unknown option \"--bogus\"" "an unknown option" "$IDPROV" provision --bogus
[ ! -e "$W/s2" ] || h_fail "a refused command line created the state folder $W/s2"
h_ok

# ---- idprovctl against servers that misbehave (hostile_peer.py, with the
# real server certificate: the admin's --ca trusts it)
mkdir -p "$H_TMP/counts"
/usr/bin/python3 "$IDPROV_SRC/tests/hostile/hostile_peer.py" --cert "$H_CA/server.pem" \
	--key "$H_CA/server.key" --ca "$H_CA/ca.pem" --ready "$H_TMP/peer.ready" \
	--ca-key "$H_CA/ca.key" --secret s3cret --count-dir "$H_TMP/counts" >"$H_TMP/peer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 200); do [ -s "$H_TMP/peer.ready" ] && break; sleep 0.05; done
[ -s "$H_TMP/peer.ready" ] || h_fail "hostile_peer.py did not start: $(tail -n 5 "$H_TMP/peer.log")"
peer() { printf 'https://%s' "$(awk -v m="$1" '$1 == m { print $2 }' "$H_TMP/peer.ready")"; }
PCONN=(--cert "$H_CA/admin.pem" --key "$H_CA/admin.key" --ca "$H_CA/ca.pem")
# refusals whose body holds terminal escapes, raw (ESC, 0x9b) and as JSON
# (\u001b, \u009b): blanked, C1 included, for every kind of command
for m in escape jsonescape; do
	run 1 "refused" "list, a 403 with terminal escapes ($m)" "$IDPROVCTL" list --server "$(peer $m)" "${PCONN[@]}"
	run 1 "" "status, a 403 with terminal escapes ($m)" "$IDPROVCTL" status c-x --server "$(peer $m)" "${PCONN[@]}"
	run 1 "" "oob set, a 403 with terminal escapes ($m)" "$IDPROVCTL" oob set c-x s --server "$(peer $m)" "${PCONN[@]}"
done
# idprov against a server that knows the secret and signs right, but
# issues the device a CA certificate (WIRE.md: not a CA): refused, nothing
# of the approval saved; the same server's good certificate is accepted
run 5 "a CA certificate, not a device's" "provision, Approved with a CA:TRUE certificate" "$IDPROV" provision \
	--device hx-ca --secret s3cret --server "$(peer signed-ca)" --dir "$W/signed-ca" --timeout 10s
for f in ca.pem cert.pem server.url; do
	[ ! -e "$W/signed-ca/$f" ] || h_fail "provision, Approved with a CA:TRUE certificate: $f was saved"
	h_ok
done
run 0 "provisioned hx-ok" "provision, Approved with a good certificate (the control case)" "$IDPROV" provision \
	--device hx-ok --secret s3cret --server "$(peer signed-ok)" --dir "$W/signed-ok" --timeout 10s

# a 200 that is not the answer asked for: never reported as done
for m in html array; do
	run 1 "not the JSON" "revoke DEVICE, a 200 $m page" "$IDPROVCTL" revoke c-x --server "$(peer $m)" "${PCONN[@]}"
	h_expect_not_contains "$OUT" "revoked c-x" "revoke DEVICE, a 200 $m page: a revocation reported"
	run 1 "not the JSON" "revoke --serial, a 200 $m page" "$IDPROVCTL" revoke --serial 0A1B --server "$(peer $m)" "${PCONN[@]}"
	run 1 "not the JSON" "revoke --json, a 200 $m page" "$IDPROVCTL" revoke c-x --json --server "$(peer $m)" "${PCONN[@]}"
done

# canned NAME CODE BODY_FILE: tests/client/hostile.py answering every
# request with CODE and that body; sets CANNED (its URL), its log counts
# the requests
canned() {
	local ready="$H_TMP/$1.ready"
	/usr/bin/python3 "$IDPROV_SRC/tests/client/hostile.py" canned --cert "$H_CA/server.pem" \
		--key "$H_CA/server.key" --ready "$ready" --code "$2" --body "$3" >"$H_TMP/$1.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
	[ -s "$ready" ] || h_fail "hostile.py canned did not start: $(tail -n 5 "$H_TMP/$1.log")"
	CANNED="https://$(head -n 1 "$ready")"
}
# a device list whose deviceID holds U+009B (CSI) and ESC: the table
# blanks them
printf '{"total":1,"devices":[{"deviceID":"x\\u009b31m\\u001b[2Jy","status":"approved"}]}' >"$W/c1.json"
canned c1 200 "$W/c1.json"
run 0 "x" "list, a deviceID with C1 and C0 controls" "$IDPROVCTL" list --server "$CANNED" "${PCONN[@]}"
# a "total" far above what the pages hold: one short page ends the list
printf '{"total":1000000000000000000,"devices":[{"deviceID":"d1","status":"approved"}]}' >"$W/big-total.json"
canned bigtotal 200 "$W/big-total.json"
run 0 "d1" "list, a total of 10^18 with one device sent" "$IDPROVCTL" list --server "$CANNED" "${PCONN[@]}"
h_expect_eq 1 "$(grep -c 'GET /idprov/admin/devices' "$H_TMP/bigtotal.log")" "list, a total of 10^18: pages asked for"
# full pages (the same 1000 devices each time) with a total of 2500: three pages
python3 -c 'import json; print(json.dumps({"total": 2500, "devices": [{"deviceID": "p%04d" % i, "status": "approved"} for i in range(1000)]}))' >"$W/page.json"
canned pages 200 "$W/page.json"
run 0 "p0999" "list, full pages and a total of 2500" "$IDPROVCTL" list --server "$CANNED" "${PCONN[@]}"
h_expect_eq 3 "$(grep -c 'GET /idprov/admin/devices' "$H_TMP/pages.log")" "list, a total of 2500 in pages of 1000: pages asked for"
h_expect_eq 3001 "$(printf '%s\n' "$OUT" | grep -c .)" "list, a total of 2500 in pages of 1000: rows (the header and 3 pages)"
# a status answer whose deviceID and status hold U+009B: blanked
printf '{"deviceID":"a\\u009b31mb","status":"Approved\\u009b2J","caCert":"","clientCert":null}' >"$W/st-c1.json"
canned stc1 200 "$W/st-c1.json"
run 0 "Approved" "status, an answer with C1 controls" "$IDPROVCTL" status a --server "$CANNED" "${PCONN[@]}"

# ---- idprovctl settings with bytes that are not ASCII or are huge:
# exit 2 (configuration), one short sentence, the bytes not echoed
printf 'server = https://h\xc2\x9b31m.example\n' >"$W/c1.conf"
run 2 "not ASCII" "admin.conf: a server URL with a raw C1 byte" "$IDPROVCTL" list --config "$W/c1.conf"
printf 'server = ftp://\xff\xfe\n' >"$W/ff.conf"
run 2 "not ASCII" "admin.conf: a server URL of bytes that are not UTF-8" "$IDPROVCTL" list --config "$W/ff.conf"
# a config line longer than inih's buffer: named, not cut short or blamed
# on a line 3 that the file does not have
printf 'server = https://127.0.0.1:1\ncert = /%s\n' "$(head -c 300 /dev/zero | tr '\0' a)" >"$W/long.conf"
run 2 "long.conf line 2 is longer than" "admin.conf: a 300-byte path" "$IDPROVCTL" list --config "$W/long.conf"
run 2 "too long" "IDPROV_SERVER of 100 KB" env -u IDPROV_CONFIG -u XDG_CONFIG_HOME HOME="$W/nohome" \
	IDPROV_SERVER="https://$(head -c 100000 /dev/zero | tr '\0' a)" "$IDPROVCTL" list
[ "${#OUT}" -lt 1000 ] || h_fail "IDPROV_SERVER of 100 KB: a message of ${#OUT} bytes (the value echoed)"
h_ok

# ---- idprov provision against HTTP that breaks the rules (hostile.py raw):
# each ends by --timeout with one sentence, nothing trusted saved
rawsrv() {
	local ready="$H_TMP/raw-$1.ready"
	/usr/bin/python3 "$IDPROV_SRC/tests/client/hostile.py" raw --raw "$1" --cert "$H_CA/server.pem" \
		--key "$H_CA/server.key" --ca "$H_CA/ca.pem" --ready "$ready" >"$H_TMP/raw-$1.log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 200); do [ -s "$ready" ] && break; sleep 0.05; done
	[ -s "$ready" ] || h_fail "hostile.py raw $1 did not start: $(tail -n 5 "$H_TMP/raw-$1.log")"
	RAW="https://$(head -n 1 "$ready")"
}
raw_case() {
	local kind=$1 want=$2 needle=$3 what=$4 f
	rawsrv "$kind"
	run "$want" "$needle" "$what" "$IDPROV" provision --device c-raw --secret s --server "$RAW" \
		--dir "$W/raw-$kind" --timeout 3s
	for f in ca.pem cert.pem server.url; do
		[ ! -e "$W/raw-$kind/$f" ] || h_fail "$what: $f was saved"
		h_ok
	done
}
raw_case silent 7 "timed out" "a server that never answers"
raw_case short 7 "remaining to read" "a Content-Length 1000 bytes longer than the body"
raw_case headcut "1|7" "" "a connection closed in the middle of the headers"
raw_case http10 3 "waiting" "HTTP/1.0 answers (Waiting)"
raw_case dupkeys 1 "duplicate" "a provisioning answer with \"status\" twice"
raw_case 204 1 "HTTP 204" "204 No Content"
# idprovctl against the same (its request timeout is 60 s: no "silent")
for kind in short headcut http10 dupkeys 204; do
	rawsrv "$kind"
	run "1|3" "" "idprovctl list against raw $kind" "$IDPROVCTL" list --server "$RAW" "${PCONN[@]}"
	run "1|3" "" "idprovctl revoke against raw $kind" "$IDPROVCTL" revoke c-x --server "$RAW" "${PCONN[@]}"
done

h_server_stop
h_pass
