#!/bin/bash
# interop_goserver: our device client (`idprov`) and admin tool
# (`idprovctl`) against a Go program that answers like the reference
# server (tests/interop/goserver: Go's TLS server with
# VerifyClientCertIfGiven and h2 offered, encoding/json, plain-text errors,
# an empty body for the OOB post, caCert as base64 bytes in the directory,
# no retrySec, Unix-time serials, a CA bundle of the reference's profile).
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/interop/lib.sh"

interop_go_build goserver
interop_go_build goclient
REF="$H_TMP/ref"
interop_goserver_start "$REF"
G="$G_ADDR"
PLUGIN=(--server "https://$G" --ca "$REF/caCert.pem" --cert "$REF/pluginCert.pem" --key "$REF/pluginKey.pem")

# 0. The stand-ins agree with each other (Go client, Go server: h2).
mkdir "$H_TMP/gc"
gc 10 provision -http1=false -server "$G" -dir "$H_TMP/gc" -device go1 -secret g1
gc 0 oob -http1=false -server "$G" -ca "$REF/caCert.pem" -cert "$REF/pluginCert.pem" -key "$REF/pluginKey.pem" -device go1 -secret g1
gc 0 provision -http1=false -server "$G" -dir "$H_TMP/gc" -device go1 -secret g1
h_expect_contains "$GC_OUT" "alpn-selected=h2" "the Go server speaks HTTP/2 to a Go client"

# 1. Our client meets Waiting without retrySec and stops at its deadline.
ST="$H_TMP/dev7"
run_rc 3 "idprov provision before the secret" \
	"$IDPROV" provision --device dev7 --secret 's7<&>' --server "https://$G" --dir "$ST" --timeout 1s
h_expect_contains "$(cat "$H_TMP/goserver.log")" \
	'request: GET /idprov/directory proto=HTTP/1.1 alpn="http/1.1" sni="" peer=none content-type="application/json"' \
	"idprov asks the Go server for HTTP/1.1, without SNI for an IP address"

# 2. idprovctl posts the secret; the reference answers 200 with no body.
run_rc 0 "idprovctl oob set against the Go server" "$IDPROVCTL" oob set dev7 's7<&>' "${PLUGIN[@]}"
h_expect_contains "$(cat "$H_TMP/goserver.log")" 'oob: secret stored for "dev7"' "the Go server stored the secret"

# 3. Provisioning: the signature made by Go verifies, the CA is the Go CA.
run_rc 0 "idprov provision after the secret" \
	"$IDPROV" provision --device dev7 --secret 's7<&>' --server "https://$G" --dir "$ST" --timeout 20s
h_expect_contains "$(cat "$H_TMP/goserver.log")" 'provreq: "dev7" approved (by OOB secret)' \
	"the Go server verified our request's signature over json.Marshal"
cmp -s "$ST/ca.pem" "$REF/caCert.pem" || h_fail "the saved CA is not the Go server's CA"
h_ok
openssl verify -CAfile "$REF/caCert.pem" -purpose sslclient "$ST/cert.pem" >/dev/null 2>&1 ||
	h_fail "the saved certificate does not verify against the Go CA"
h_ok
h_expect_contains "$(openssl x509 -in "$ST/cert.pem" -noout -subject)" "CN = dev7" "the certificate is dev7's"

# 4. Renewal over mutual TLS: Go verifies our certificate (given, so
#    verified) and signs with the empty key.
cp "$ST/cert.pem" "$H_TMP/dev7-first.pem"
run_rc 0 "idprov renew against the Go server" "$IDPROV" renew --device dev7 --server "https://$G" --dir "$ST"
h_expect_contains "$(cat "$H_TMP/goserver.log")" 'peer=dev7/iotdevice' "the Go server saw the device certificate"
h_expect_contains "$(cat "$H_TMP/goserver.log")" 'provreq: "dev7" approved (by certificate)' "the Go server renewed by certificate"
cmp -s "$ST/cert.pem" "$H_TMP/dev7-first.pem" && h_fail "idprov renew kept the old certificate"
h_ok

# 5. Status in the reference's form (clientCert as base64 bytes).
run_rc 0 "idprovctl status against the Go server" "$IDPROVCTL" status dev7 "${PLUGIN[@]}"
h_expect_contains "$RUN_OUT" "Approved" "idprovctl reads the Go server's status"

# 6. A wrong secret: Rejected, exit 4.
run_rc 0 "idprovctl oob set dev8" "$IDPROVCTL" oob set dev8 right8 "${PLUGIN[@]}"
run_rc 4 "idprov provision with a wrong secret" \
	"$IDPROV" provision --device dev8 --secret wrong8 --server "https://$G" --dir "$H_TMP/dev8" --timeout 20s
[ ! -e "$H_TMP/dev8/cert.pem" ] || h_fail "a Rejected device saved a certificate"
h_ok

# 7. A server whose signature does not verify is not trusted: exit 5.
interop_goserver_start "$REF" -bad-signature
run_rc 0 "idprovctl oob set dev9" "$IDPROVCTL" oob set dev9 s9 --server "https://$G_ADDR" \
	--ca "$REF/caCert.pem" --cert "$REF/pluginCert.pem" --key "$REF/pluginKey.pem"
run_rc 5 "idprov provision against a server with a bad signature" \
	"$IDPROV" provision --device dev9 --secret s9 --server "https://$G_ADDR" --dir "$H_TMP/dev9" --timeout 20s
[ ! -e "$H_TMP/dev9/cert.pem" ] || h_fail "a certificate was saved though the signature did not verify"
h_ok

# 8. The older reference profile: serial 2021 for the CA and for every
#    certificate it signs, issued certificates also for serverAuth.
OLD="$H_TMP/ref-old"
interop_goserver_start "$OLD" -old-profile
h_expect_contains "$(openssl x509 -in "$OLD/caCert.pem" -noout -serial)" "serial=07E5" "the old profile's CA has serial 2021"
run_rc 0 "idprovctl oob set against the old profile" "$IDPROVCTL" oob set dev10 s10 --server "https://$G_ADDR" \
	--ca "$OLD/caCert.pem" --cert "$OLD/pluginCert.pem" --key "$OLD/pluginKey.pem"
run_rc 0 "idprov provision against the old profile" \
	"$IDPROV" provision --device dev10 --secret s10 --server "https://$G_ADDR" --dir "$H_TMP/dev10" --timeout 20s
h_expect_contains "$(openssl x509 -in "$H_TMP/dev10/cert.pem" -noout -serial)" "serial=07E5" \
	"the saved certificate has the CA's serial, as the old reference issues"
run_rc 0 "idprov renew against the old profile" \
	"$IDPROV" renew --device dev10 --server "https://$G_ADDR" --dir "$H_TMP/dev10"

h_pass
