/*
 * vectors.h - the vectors of spec/WIRE.md, produced by Go's own Marshal.
 */
#ifndef IDPROV_TEST_VECTORS_H
#define IDPROV_TEST_VECTORS_H

/* P, the PEM of WIRE.md, as a C string... */
#define VEC_P "-----BEGIN PUBLIC KEY-----\n" \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4Pb3pIhlbXoNOh\n" \
	"esDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==\n" \
	"-----END PUBLIC KEY-----\n"
/* ... and as it appears inside JSON. */
#define VEC_P_JSON "-----BEGIN PUBLIC KEY-----\\n" \
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEoHFXlnlBIrP73x4Pb3pIhlbXoNOh\\n" \
	"esDNxoCh+gl5c4Vl7XVGtmX+/E2QDAXpsvM02Q+Hus3jUKWC/0HUZw3Hbw==\\n" \
	"-----END PUBLIC KEY-----\\n"

#define VEC_REQ1_CANON "{\"deviceID\":\"device1\",\"ip\":\"192.0.2.2\"," \
	"\"mac\":\"02:00:00:00:00:01\",\"publicKeyPEM\":\"" VEC_P_JSON \
	"\",\"signature\":\"\"}"
#define VEC_REQ1_SIG "7Y2T86CG6CVfVes0sEamWtC+Uqmm/Ft47dbkPyGFqa8="

#define VEC_REQ2_CANON "{\"deviceID\":\"dev\\u003c\\u0026\\u003e1\"," \
	"\"ip\":\"10.0.0.7\",\"mac\":\"\",\"publicKeyPEM\":\"" VEC_P_JSON \
	"\",\"signature\":\"\"}"
#define VEC_REQ2_SIG "Whbnql40gUM4sa9/sgZDP56wBzGDumkOzKCPtWY/HPw="

#define VEC_REQ3_ID "Ger\xc3\xa4t-K\xc3\xbc" "che-01"
#define VEC_REQ3_CANON "{\"deviceID\":\"" VEC_REQ3_ID "\"," \
	"\"ip\":\"fe80::1\",\"mac\":\"aa:bb:cc:dd:ee:ff\",\"publicKeyPEM\":\"" \
	VEC_P_JSON "\",\"signature\":\"\"}"
#define VEC_REQ3_KEY "geheim-\xc3\x9f"
#define VEC_REQ3_SIG "e0bNZo38N0S1B/lr+WLRHnrQTfoNDmDyy1iGo052Qzw="

#define VEC_REQ4_CANON "{\"deviceID\":\"b\\u0008f\\u000cr\\r\",\"ip\":\"\"," \
	"\"mac\":\"\",\"publicKeyPEM\":\"\",\"signature\":\"\"}"
#define VEC_REQ4_SIG "8IwNXRCz0lOrhXttAG9/CH2LFlxy+vt1HFKf4bwcHOc="

#define VEC_CA_PEM "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"
#define VEC_CERT_PEM "-----BEGIN CERTIFICATE-----\nBB==\n-----END CERTIFICATE-----\n"
#define VEC_RESP1_CANON "{\"retrySec\":3600,\"status\":\"Approved\"," \
	"\"caCert\":\"-----BEGIN CERTIFICATE-----\\nAA==\\n-----END CERTIFICATE-----\\n\"," \
	"\"clientCert\":\"-----BEGIN CERTIFICATE-----\\nBB==\\n-----END CERTIFICATE-----\\n\"," \
	"\"signature\":\"\"}"
#define VEC_RESP1_SIG "NbIfWRLpeQ8lEZiTaErROH+4m4jaOZtgW5fZ0fXzvPA="

#define VEC_RESP2_CANON "{\"status\":\"Approved\",\"caCert\":\"CA\"," \
	"\"clientCert\":\"CERT\",\"signature\":\"\"}"
#define VEC_RESP2_SIG "fLTmKWpDogymtKLXPaxpkkPTpAYrgnkrWXiGTOiVU44="

#endif
