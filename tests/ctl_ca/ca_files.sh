#!/usr/bin/env bash
# ctl_ca_files: what a plain `idprovctl ca init` writes, judged by the
# openssl command: the six files, their modes, the chain, the extensions,
# the default names, serial length and validity periods.
source "$IDPROV_SRC/tests/lib/harness.sh"

h_ca_init
cd "$H_CA"

# Files and modes: keys 0600, certificates 0644, the folder 0700.
for f in ca server admin; do
	h_expect_eq 600 "$(stat -c %a "$f.key")" "mode of $f.key"
	h_expect_eq 644 "$(stat -c %a "$f.pem")" "mode of $f.pem"
	h_expect_eq "-----BEGIN PRIVATE KEY-----" "$(head -n 1 "$f.key")" \
		"$f.key is PKCS#8 PEM"
	# The key belongs to the certificate.
	h_expect_eq "$(openssl x509 -in "$f.pem" -noout -pubkey)" \
		"$(openssl pkey -in "$f.key" -pubout)" "$f.key matches $f.pem"
	h_expect_contains "$(openssl pkey -in "$f.key" -noout -text)" \
		"prime256v1" "$f.key is EC P-256"
	# Serial: 16 bytes = 32 hex digits.
	serial=$(openssl x509 -in "$f.pem" -noout -serial)
	serial=${serial#serial=}
	h_expect_eq 32 "${#serial}" "serial length of $f.pem in hex digits"
	h_expect_eq 1 "$(openssl x509 -in "$f.pem" -noout -text | grep -c 'Version: 3')" \
		"$f.pem is X.509 v3 (one 'Version: 3' line)"
done
h_expect_eq 700 "$(stat -c %a "$H_CA")" "mode of the CA folder"
h_expect_eq 6 "$(find "$H_CA" -mindepth 1 | wc -l)" "number of files in the CA folder (no temporaries left)"

# The chain, with purposes, both ways.
out=$(openssl verify -CAfile ca.pem server.pem 2>&1) || h_fail "openssl verify server.pem: $out"
h_expect_eq "server.pem: OK" "$out" "openssl verify server.pem"
out=$(openssl verify -CAfile ca.pem -purpose sslserver server.pem 2>&1) ||
	h_fail "server.pem is not valid for sslserver: $out"
h_ok
out=$(openssl verify -CAfile ca.pem -purpose sslclient admin.pem 2>&1) ||
	h_fail "admin.pem is not valid for sslclient: $out"
h_ok
if out=$(openssl verify -CAfile ca.pem -purpose sslclient server.pem 2>&1); then
	h_fail "server.pem should not be a client certificate: $out"
fi
h_ok
if out=$(openssl verify -CAfile ca.pem -purpose sslserver admin.pem 2>&1); then
	h_fail "admin.pem should not be a server certificate: $out"
fi
h_ok

# The CA.
ca=$(openssl x509 -in ca.pem -noout -text)
h_expect_contains "$ca" "CA:TRUE, pathlen:0" "CA basicConstraints"
h_expect_contains "$ca" "X509v3 Basic Constraints: critical" "CA basicConstraints critical"
h_expect_contains "$ca" "X509v3 Key Usage: critical" "CA keyUsage critical"
h_expect_contains "$ca" "Certificate Sign, CRL Sign" "CA keyUsage"
h_expect_contains "$ca" "Subject: O = idprov, CN = idprov IDProv CA" "CA subject (default org)"
h_expect_contains "$ca" "Issuer: O = idprov, CN = idprov IDProv CA" "CA is self-issued"
h_expect_contains "$ca" "X509v3 Subject Key Identifier" "CA SKI"
h_expect_contains "$ca" "ecdsa-with-SHA256" "CA signature algorithm"
# Ten years: still valid in 3649 days, no longer in 3651.
openssl x509 -in ca.pem -noout -checkend $((3649 * 86400)) >/dev/null ||
	h_fail "the CA should still be valid in 3649 days"
h_ok
if openssl x509 -in ca.pem -noout -checkend $((3651 * 86400)) >/dev/null; then
	h_fail "the CA should have expired after 3651 days (expected 10 years)"
fi
h_ok

# The server certificate: default names and 397 days.
srv=$(openssl x509 -in server.pem -noout -text)
host=$(hostname)
# A host name that is not a usable DNS name is left out; CN falls back.
case "$host" in *[!A-Za-z0-9._-]* | "") host=localhost ;; esac
h_expect_contains "$srv" "CA:FALSE" "server basicConstraints"
h_expect_contains "$srv" "TLS Web Server Authentication" "server EKU"
h_expect_not_contains "$srv" "TLS Web Client Authentication" "server EKU"
h_expect_contains "$srv" "Digital Signature" "server keyUsage"
h_expect_contains "$srv" "DNS:localhost" "server SAN localhost"
h_expect_contains "$srv" "IP Address:127.0.0.1" "server SAN 127.0.0.1"
h_expect_contains "$srv" "IP Address:0:0:0:0:0:0:0:1" "server SAN ::1"
h_expect_contains "$srv" "DNS:$host" "server SAN for the host name"
case "$host" in
localhost) ;;
*.*) ;;
*) h_expect_contains "$srv" "DNS:$host.local" "server SAN for the mDNS name" ;;
esac
# This machine's IPv4 addresses (a device found by DNS-SD connects to one).
# The SAN list with a comma after every entry, so each match is exact.
sans="$(openssl x509 -in server.pem -noout -ext subjectAltName | tail -n 1),"
for a in $(hostname -I 2>/dev/null); do
	case "$a" in *:*) continue ;; esac
	h_expect_contains "$sans" "IP Address:$a," "server SAN for interface address $a"
done
h_expect_contains "$srv" "Subject: O = idprov, CN = $host" "server subject"
h_expect_contains "$srv" "Issuer: O = idprov, CN = idprov IDProv CA" "server issuer"
h_expect_contains "$srv" "X509v3 Authority Key Identifier" "server AKI"
openssl x509 -in server.pem -noout -checkend $((396 * 86400)) >/dev/null ||
	h_fail "server.pem should still be valid in 396 days"
h_ok
if openssl x509 -in server.pem -noout -checkend $((398 * 86400)) >/dev/null; then
	h_fail "server.pem should have expired after 398 days (default 397)"
fi
h_ok

# The admin certificate.
adm=$(openssl x509 -in admin.pem -noout -text)
h_expect_contains "$adm" "Subject: O = idprov, OU = admin, CN = admin" "admin subject"
h_expect_contains "$adm" "TLS Web Client Authentication" "admin EKU"
h_expect_not_contains "$adm" "TLS Web Server Authentication" "admin EKU"
h_expect_contains "$adm" "CA:FALSE" "admin basicConstraints"
h_expect_not_contains "$adm" "Subject Alternative Name" "admin has no SAN"

# The report names the CA fingerprint, which is the SHA-256 of ca.pem's DER.
fp=$(openssl x509 -in ca.pem -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f')
h_expect_contains "$(cat "$H_TMP/ca-init.log")" "$fp" "CA fingerprint in the output"

h_pass
