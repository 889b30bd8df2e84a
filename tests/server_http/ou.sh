#!/usr/bin/env bash
# Roles from client certificates with several OUs: every OU counts, as in
# the Go reference (interop M3): admin if any OU is admin or plugin, else
# device if any is iotdevice, else no rights.
source "$IDPROV_SRC/tests/lib/harness.sh"
source "$IDPROV_SRC/tests/server_http/lib.sh"
h_ca_init
h_server_start

# sh_cert puts its OU argument in "/OU=$ou/CN=$name".
sh_cert multi 'iotdevice/OU=admin'
sh_cert plug 'wost/OU=plugin'
sh_cert dev9 'sensors/OU=iotdevice'
sh_cert nobody 'sensors/OU=lab'
subj=$(openssl x509 -in "$H_TMP/multi.pem" -noout -subject -nameopt RFC2253)
h_expect_contains "$subj" "OU=admin,OU=iotdevice" "the test certificate carries two OUs"

oob() { h_curl_as "$1" -d "{\"deviceID\":\"$2\",\"oobSecret\":\"s3cret-$2\",\"validUntil\":\"\"}" "$H_URL/idprov/oobsecret"; }

out=$(oob multi d1)
h_expect_eq 200 "$(h_code "$out")" "oobsecret with OU=iotdevice + OU=admin (admin wins)"
out=$(oob plug d2)
h_expect_eq 200 "$(h_code "$out")" "oobsecret with OU=wost + OU=plugin (plugin is admin)"
out=$(h_curl_as multi "$H_URL/idprov/status/d1")
h_expect_eq 200 "$(h_code "$out")" "status of another device with OU=iotdevice + OU=admin"
echo "checked: an admin or plugin OU anywhere makes an administrator"

out=$(oob dev9 d3)
h_expect_eq 403 "$(h_code "$out")" "oobsecret with OU=sensors + OU=iotdevice (a device)"
out=$(h_curl_as dev9 "$H_URL/idprov/status/dev9")
h_expect_eq 200 "$(h_code "$out")" "status of itself with OU=sensors + OU=iotdevice"
out=$(h_curl_as dev9 "$H_URL/idprov/status/d1")
h_expect_eq 403 "$(h_code "$out")" "status of another device with OU=sensors + OU=iotdevice"
echo "checked: an iotdevice OU anywhere (and no admin OU) makes a device"

out=$(oob nobody d4)
h_expect_eq 403 "$(h_code "$out")" "oobsecret with OU=sensors + OU=lab"
out=$(h_curl_as nobody "$H_URL/idprov/status/nobody")
h_expect_eq 403 "$(h_code "$out")" "status of itself with OU=sensors + OU=lab (no rights)"
grep -q 'role=admin' "$H_TMP/idprovd.log" || h_fail "the log names no admin role"
h_ok
echo "checked: no known OU, no rights"
h_server_stop
h_pass
