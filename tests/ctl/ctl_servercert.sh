#!/usr/bin/env bash
# idprovctl judges the server certificate as Go's TLS client does (and as
# the device library does, through lib/core/servercert.c): chain to --ca,
# EKU serverAuth, any or none; key usage not looked at.  The Go
# reference's own test bundle has a server certificate with keyUsage
# certSign|CRLSign only (docs/interop.md, M5), which OpenSSL's
# "ssl_server" purpose refuses.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/ctl/lib.sh"
h_ca_init

# server_cert NAME EXTENSIONS: a P-256 server certificate for 127.0.0.1
# signed by the test CA, with the given openssl extension lines.
server_cert() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/$1.key" 2>/dev/null
	openssl req -new -key "$H_TMP/$1.key" -subj "/OU=wost/CN=Server" -out "$H_TMP/$1.csr" 2>/dev/null
	printf '%b\nsubjectAltName=IP:127.0.0.1\n' "$2" >"$H_TMP/$1.ext"
	openssl x509 -req -in "$H_TMP/$1.csr" -CA "$H_CA/ca.pem" -CAkey "$H_CA/ca.key" \
		-CAcreateserial -days 2 -extfile "$H_TMP/$1.ext" -out "$H_TMP/$1.pem" 2>/dev/null ||
		h_fail "openssl could not make the server certificate $1"
}

# with_server NAME: restart idprovd with server certificate NAME.
with_server() {
	h_server_stop
	h_server_start --cert "$H_TMP/$1.pem" --key "$H_TMP/$1.key"
}

server_cert certsign 'keyUsage=critical,keyCertSign,cRLSign\nextendedKeyUsage=serverAuth'
server_cert noeku 'keyUsage=critical,keyCertSign'
server_cert anyeku 'keyUsage=digitalSignature\nextendedKeyUsage=anyExtendedKeyUsage'
server_cert clientonly 'keyUsage=digitalSignature\nextendedKeyUsage=clientAuth'
h_expect_contains "$(openssl x509 -in "$H_TMP/certsign.pem" -noout -ext keyUsage)" \
	"Certificate Sign, CRL Sign" "the test server certificate's key usage"
h_server_start

for name in certsign noeku anyeku; do
	with_server "$name"
	ctl_expect_rc 0 "idprovctl list against a server certificate '$name'" ctl list
	echo "checked: server certificate $name accepted"
done

with_server clientonly
ctl_expect_rc 3 "idprovctl list against a server certificate for clientAuth only" ctl list
h_expect_contains "$ERR" "is not trusted" "the refusal of a server certificate without serverAuth"
echo "checked: server certificate with EKU clientAuth only refused"

# Another CA's certificate is still refused: the rule changes the
# purpose, not the chain.
mkdir -p "$H_TMP/other"
"$IDPROVCTL" ca init --dir "$H_TMP/other" >/dev/null 2>&1 || h_fail "idprovctl ca init (other CA) failed"
h_server_stop
h_server_start --cert "$H_TMP/other/server.pem" --key "$H_TMP/other/server.key"
ctl_expect_rc 3 "idprovctl list against a server of another CA" ctl list
h_expect_contains "$ERR" "is not trusted" "the refusal of another CA's server"
echo "checked: a server certificate of another CA refused"
h_server_stop
h_pass
