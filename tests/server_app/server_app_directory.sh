#!/bin/bash
# The directory is byte for byte the canonical form of WIRE.md: the four
# endpoints, "crl", caCert = base64 of the CA PEM, version "1", services
# sorted by name.
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
h_server_start --service "mqtt=mqtts://hub:8883" --service "amqp=amqps://hub:5671"
ca_b64=$(base64 -w0 "$H_CA/ca.pem")
want='{"endpoints":{"directory":"/idprov/directory","status":"/idprov/status/{deviceID}","postOobSecret":"/idprov/oobsecret","postProvisionRequest":"/idprov/provreq","crl":"/idprov/crl"},"caCert":"'$ca_b64'","version":"1","services":{"amqp":"amqps://hub:5671","mqtt":"mqtts://hub:8883"}}'
out=$(h_curl "$H_URL/idprov/directory")
h_expect_eq 200 "$(h_code "$out")" "GET directory status"
h_expect_eq "$want" "$(h_body "$out")" "directory bytes"
echo "checked: directory bytes with two services, sorted"

# HEAD is allowed, POST is not (405, JSON error).
out=$(h_curl -X POST -d '{}' "$H_URL/idprov/directory")
h_expect_eq 405 "$(h_code "$out")" "POST directory"
h_expect_contains "$(h_body "$out")" '"error":' "405 body"
out=$(h_curl "$H_URL/idprov/nothing-here")
h_expect_eq 404 "$(h_code "$out")" "unknown path"
echo "checked: 405 on a wrong method, 404 on an unknown path"

# Without services: "services":{}
h_server_stop
h_server_start
out=$(h_body "$(h_curl "$H_URL/idprov/directory")")
h_expect_contains "$out" ',"version":"1","services":{}}' "directory without services"
h_pass
