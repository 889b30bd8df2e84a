#!/bin/bash
# interop_goserver_testenv: the reference server as its own tests run it,
# with wost-go's test bundle (docs/interop.md, mismatch M5): the server
# certificate's key usage is certSign|CRLSign only, EKU serverAuth, IP SAN
# 127.0.0.1, serial 2021 everywhere.  Go's TLS client ignores key usage, so
# the reference client provisions; ours must too, and idprovctl must be
# able to post a secret to it.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/interop/lib.sh"

interop_go_build goserver
interop_go_build goclient
REF="$H_TMP/ref"
interop_goserver_start "$REF" -testenv
G="$G_ADDR"
h_expect_contains "$(openssl x509 -in "$REF/hubCert.pem" -noout -ext keyUsage)" "Certificate Sign, CRL Sign" \
	"the server certificate has the test bundle's key usage"

# The reference-like Go client provisions against it (its own CA check
# included): this is what the reference's tests see.
mkdir "$H_TMP/gc"
gc 0 oob -http1=false -server "$G" -ca "$REF/caCert.pem" -cert "$REF/pluginCert.pem" -key "$REF/pluginKey.pem" -device go1 -secret g1
gc 0 provision -http1=false -server "$G" -dir "$H_TMP/gc" -device go1 -secret g1
h_expect_contains "$GC_OUT" "verified session" "crypto/tls accepts the test bundle's server certificate"

# Our device client, the secret posted the reference way.
gc 0 oob -http1=false -server "$G" -ca "$REF/caCert.pem" -cert "$REF/pluginCert.pem" -key "$REF/pluginKey.pem" -device dev1 -secret s1
run_rc 0 "idprov provision against the test bundle's server" \
	"$IDPROV" provision --device dev1 --secret s1 --server "https://$G" --dir "$H_TMP/dev1" --timeout 20s
run_rc 0 "idprov renew against the test bundle's server" \
	"$IDPROV" renew --device dev1 --server "https://$G" --dir "$H_TMP/dev1"

# Our admin tool.
run_rc 0 "idprovctl oob set against the test bundle's server" "$IDPROVCTL" oob set dev2 s2 \
	--server "https://$G" --ca "$REF/caCert.pem" --cert "$REF/pluginCert.pem" --key "$REF/pluginKey.pem"

h_pass
