# shellcheck shell=bash
# tests/hostile/keys.sh - public keys a server must refuse to certify,
# made with the openssl command.  hx_keys DIR writes DIR/NAME.pub for:
# p256 (the good one), p256-compressed, p256-explicit (explicit curve
# parameters), p256-offcurve (a point not on the curve), p384, ed25519,
# x25519, dsa.
hx_keys() {
	local d=$1
	mkdir -p "$d"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/p256.key" 2>/dev/null
	openssl pkey -in "$d/p256.key" -pubout -out "$d/p256.pub"
	openssl pkey -in "$d/p256.key" -pubout -ec_conv_form compressed -out "$d/p256-compressed.pub" 2>/dev/null ||
		openssl ec -in "$d/p256.key" -pubout -conv_form compressed -out "$d/p256-compressed.pub" 2>/dev/null
	openssl ec -in "$d/p256.key" -pubout -param_enc explicit -out "$d/p256-explicit.pub" 2>/dev/null
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 2>/dev/null | openssl pkey -pubout -out "$d/p384.pub"
	openssl genpkey -algorithm ED25519 2>/dev/null | openssl pkey -pubout -out "$d/ed25519.pub"
	openssl genpkey -algorithm X25519 2>/dev/null | openssl pkey -pubout -out "$d/x25519.pub"
	openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 -out "$d/dsa.param" 2>/dev/null
	openssl genpkey -paramfile "$d/dsa.param" 2>/dev/null | openssl pkey -pubout -out "$d/dsa.pub"
	# the last byte of the uncompressed point's Y flipped: off the curve
	python3 - "$d/p256.pub" "$d/p256-offcurve.pub" <<'PY'
import base64, sys
lines = open(sys.argv[1]).read().split("\n")
der = bytearray(base64.b64decode("".join(l for l in lines if l and not l.startswith("-----"))))
der[-1] ^= 1
b = base64.b64encode(bytes(der)).decode()
open(sys.argv[2], "w").write("-----BEGIN PUBLIC KEY-----\n" + "\n".join(b[i:i+64] for i in range(0, len(b), 64)) + "\n-----END PUBLIC KEY-----\n")
PY
}
