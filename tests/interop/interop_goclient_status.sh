#!/bin/bash
# interop_goclient_status: what the reference's status endpoint answers and
# a reference client therefore expects (docs/interop.md, mismatch M1): an
# administrator asking about a device the server has never heard of gets
# 200 {"status":"Waiting","clientCert":null} from the reference server
# (its status is "Waiting" for anything it has no certificate for), and the
# reference client's GetDeviceStatus fails on any status >= 400.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/interop/lib.sh"

interop_go_build goclient
h_ca_init
h_server_start
S="127.0.0.1:$H_PORT"
ADMIN=(-ca "$H_CA/ca.pem" -cert "$H_CA/admin.pem" -key "$H_CA/admin.key")

# A device with a secret but no request yet: Waiting (both agree).
gc 0 oob -server "$S" "${ADMIN[@]}" -device dev-secret -secret s3cret
gc 0 status -server "$S" "${ADMIN[@]}" -device dev-secret -want Waiting

# A device nobody has heard of: the reference says Waiting with 200.
gc 0 status -server "$S" "${ADMIN[@]}" -device never-seen -want Waiting
h_expect_contains "$GC_OUT" "clientCert-cn=-" "no certificate for an unknown device"

h_pass
