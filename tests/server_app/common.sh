# tests/server_app/common.sh - helpers of the server-app tests, on top of
# tests/lib/harness.sh: a device key, a signed provisioning request built
# with the openssl command, and a check of a response's signature.

# sa_key ID: a P-256 key $H_TMP/ID.dkey and its public PEM $H_TMP/ID.pub.
sa_key() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$H_TMP/$1.dkey" 2>/dev/null
	openssl pkey -in "$H_TMP/$1.dkey" -pubout -out "$H_TMP/$1.pub"
}

# sa_key_ed25519 ID / sa_key_p384 ID: the same with other accepted keys.
sa_key_ed25519() {
	openssl genpkey -algorithm ED25519 -out "$H_TMP/$1.dkey" 2>/dev/null
	openssl pkey -in "$H_TMP/$1.dkey" -pubout -out "$H_TMP/$1.pub"
}
sa_key_p384() {
	openssl ecparam -name secp384r1 -genkey -noout -out "$H_TMP/$1.dkey" 2>/dev/null
	openssl pkey -in "$H_TMP/$1.dkey" -pubout -out "$H_TMP/$1.pub"
}

# sa_body ID SECRET [IP] [MAC]: the canonical provisioning request of ID
# with key $H_TMP/ID.pub, signed with SECRET (WIRE.md "Signatures").
# Only for IDs and addresses that need no JSON escaping.
sa_body() {
	local id=$1 secret=$2 ip=${3-192.0.2.2} mac=${4-} pem msg sig
	pem=$(awk '{printf "%s\\n", $0}' "$H_TMP/$id.pub")
	msg="{\"deviceID\":\"$id\",\"ip\":\"$ip\",\"mac\":\"$mac\",\"publicKeyPEM\":\"$pem\",\"signature\":\"\"}"
	sig=$(printf '%s' "$msg" | openssl dgst -sha256 -hmac "$secret" -binary | base64 -w0)
	printf '%s' "${msg%\"\"\}}\"$sig\"}"
}

# sa_field JSON NAME: the value of a top-level string field (no escapes
# other than \n inside, which stay as the two characters).
sa_field() {
	python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("" if v is None else v, end="")' "$1" "$2"
}

# sa_check_sig BODY SECRET WHAT: the response's signature is HMAC-SHA256
# under SECRET of the body with "signature":"".
sa_check_sig() {
	local body=$1 secret=$2 what=$3 sig unsigned want
	sig=${body##*\"signature\":\"}
	sig=${sig%\"\}}
	unsigned="${body%\"signature\":*}\"signature\":\"\"}"
	want=$(printf '%s' "$unsigned" | openssl dgst -sha256 -hmac "$secret" -binary | base64 -w0)
	h_expect_eq "$want" "$sig" "$what: response signature"
}

# sa_cert_from BODY FILE: the clientCert PEM of a provisioning response.
sa_cert_from() {
	sa_field "$1" clientCert >"$2"
}
