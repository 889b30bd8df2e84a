#!/bin/bash
# interop_goclient: a Go program that behaves like the reference device
# client (tests/interop/goclient: Go's TLS, HTTP and JSON, the reference's
# message structs and TLS choices) against a real idprovd:
#   directory with the leap of faith (ALPN h2,http/1.1 offered, caCert
#   decoded as base64 bytes) -> Waiting -> OOB secret posted the reference
#   OOB client's way -> Rejected then Approved on one kept-alive connection
#   -> signature checked over json.Marshal -> certificate verified by
#   crypto/x509 for client use -> server verified by crypto/tls with the CA
#   -> renewal over mutual TLS signed with "" -> status as admin and as the
#   device -> a certificate requested by an administrator.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/interop/lib.sh"

interop_go_build goclient
h_ca_init
# Step 7 renews with a CA-signed certificate made outside idprovd, as the
# reference's own renewal test does: idprovd's default allows that
# (renew_unknown_certificates = yes, WIRE.md decision 2).
h_server_start
S="127.0.0.1:$H_PORT"
ADMIN=(-ca "$H_CA/ca.pem" -cert "$H_CA/admin.pem" -key "$H_CA/admin.key")
D="$H_TMP/dev1"
mkdir "$D"

# 1. First contact: no CA yet, no secret on the server.
gc 10 provision -server "$S" -dir "$D" -device dev1 -secret 's3cret<&>'
h_expect_contains "$GC_OUT" "GET /idprov/directory -> 200 proto=HTTP/1.1 alpn-offered=h2,http/1.1 alpn-selected=http/1.1" \
	"a Go client offering h2 gets HTTP/1.1"
h_expect_contains "$GC_OUT" "had-ca=false" "the first run has no CA"
h_expect_contains "$GC_OUT" "POST /idprov/provreq -> 200 proto=HTTP/1.1 alpn-offered=none" \
	"a Go client offering no ALPN at all is served"
h_expect_contains "$GC_OUT" "status=Waiting" "no secret yet: Waiting"
cmp -s "$D/caCert.pem" "$H_CA/ca.pem" ||
	h_fail "the directory's caCert, decoded by encoding/json as []byte, is not the CA PEM"
h_ok

# 2. The administrator posts the secret as the reference OOB client does.
gc 0 oob -server "$S" "${ADMIN[@]}" -device dev1 -secret 's3cret<&>'
h_expect_contains "$GC_OUT" "POST /idprov/oobsecret -> 200" "the OOB secret is accepted"

# 3. A wrong secret, then the right one on the same connection; the server
#    is verified against the CA saved in step 1 this time.
gc 0 provision -server "$S" -dir "$D" -device dev1 -secret 's3cret<&>' -wrong-first
h_expect_contains "$GC_OUT" "had-ca=true" "the second run verifies the server with the saved CA"
h_expect_contains "$GC_OUT" "status=Rejected" "a wrong secret is Rejected"
h_expect_contains "$GC_OUT" "POST /idprov/provreq -> 200 proto=HTTP/1.1 alpn-offered=h2,http/1.1 alpn-selected=http/1.1 tls=1.3 reused-conn=true" \
	"the second POST reuses the kept-alive connection"
h_expect_contains "$GC_OUT" "signature: verified with the OOB secret; response bytes identical to json.Marshal" \
	"the Approved answer is signed over Go's own encoding"
h_expect_contains "$GC_OUT" "cn=dev1 ou=iotdevice" "the certificate names the device"
h_expect_contains "$GC_OUT" "x509-verified=clientAuth" "crypto/x509 verifies the certificate for client use"
h_expect_contains "$GC_OUT" "verified session" "crypto/tls verifies idprovd against the CA for 127.0.0.1"
first_serial=$(printf '%s' "$GC_OUT" | sed -n 's/.* serial=\([0-9a-f]*\) .*/\1/p')

# 4. Renewal over mutual TLS, answer signed with the empty key.
gc 0 renew -server "$S" -dir "$D" -device dev1
h_expect_contains "$GC_OUT" "client-cert=true" "the renewal presents the device certificate"
h_expect_contains "$GC_OUT" "signature: verified with the empty key" "the renewal is signed with the empty key"
second_serial=$(printf '%s' "$GC_OUT" | sed -n 's/.* serial=\([0-9a-f]*\) .*/\1/p')
[ -n "$second_serial" ] && [ "$second_serial" != "$first_serial" ] ||
	h_fail "the renewal did not issue a certificate with a new serial ($first_serial -> $second_serial)"
h_ok

# 5. Status: an administrator, then the device for itself (the reference
#    client does both); clientCert is decoded as base64 bytes.
gc 0 status -server "$S" "${ADMIN[@]}" -device dev1 -want Approved
h_expect_contains "$GC_OUT" "clientCert-cn=dev1" "the status carries the certificate as base64 of its PEM"
gc 0 status -server "$S" -ca "$D/caCert.pem" -cert "$D/clientCert.pem" -key "$D/clientKey.pem" -device dev1 -want Approved

# 6. A certificate requested by an administrator for another device: no
#    secret, answer signed with the empty key.
openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/dev2.key" 2>/dev/null
openssl ec -in "$H_TMP/dev2.key" -pubout -out "$H_TMP/dev2.pub" 2>/dev/null
gc 0 onbehalf -server "$S" "${ADMIN[@]}" -device dev2 -pubkey "$H_TMP/dev2.pub"
h_expect_contains "$GC_OUT" "cn=dev2 signature verified with the empty key" "an administrator's request is answered"

# 7. Renewal with a certificate the CA signed outside idprovd, as the
#    reference's own renewal test does (openssl here, Go there).
ext_state() { # ID OU -> a state folder with that certificate
	local id=$1 dir="$H_TMP/state-$1"
	h_device_cert "$id" "$2"
	mkdir "$dir"
	openssl pkcs8 -topk8 -nocrypt -in "$H_TMP/$id.key" -out "$dir/clientKey.pem" 2>/dev/null
	cp "$H_TMP/$id.pem" "$dir/clientCert.pem"
	cp "$H_CA/ca.pem" "$dir/caCert.pem"
}
ext_state devx iotdevice
gc 0 renew -server "$S" -dir "$H_TMP/state-devx" -device devx
h_expect_contains "$GC_OUT" "signature: verified with the empty key" "a CA-signed device certificate made elsewhere renews"

# 8. A certificate whose OU gives no right is ignored: the request for
#    another device without a posted secret is Waiting (reference test
#    TestProvisionByNoneOU).
ext_state devn nobody
gc 10 provision -server "$S" -dir "$H_TMP/state-devn" -device client2 -secret s3cret
h_expect_contains "$GC_OUT" "status=Waiting" "a certificate without rights changes nothing"

# 9. IDs and secrets that Go escapes (<, >, &, non-ASCII): the signature is
#    over Go's escaping both ways, and a MAC address as deviceID (the
#    reference README's example) through the status path too.
for pair in "AA:BB:CC:DD:EE:FF|12345678" "Gerät<&>Küche|geheim-ß \"x\""; do
	id=${pair%%|*} secret=${pair#*|}
	dir="$H_TMP/state-$RANDOM"
	mkdir "$dir"
	gc 0 oob -server "$S" "${ADMIN[@]}" -device "$id" -secret "$secret"
	# The reference sends "<nil>" as ip when the machine has no route.
	gc 0 provision -server "$S" -dir "$dir" -device "$id" -secret "$secret" -ip '<nil>'
	h_expect_contains "$GC_OUT" "ip=<nil>" "the reference's \"<nil>\" address is accepted"
	h_expect_contains "$GC_OUT" "signature: verified with the OOB secret; response bytes identical to json.Marshal" \
		"deviceID $id: signed over Go's escaping"
	h_expect_contains "$GC_OUT" "cn=$id ou=iotdevice" "deviceID $id: the certificate's CN"
	gc 0 status -server "$S" "${ADMIN[@]}" -device "$id" -want Approved
done

h_pass
