/*
 * secret.c - strong, typable OOB secrets.
 */
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "secret.h"

idprov_status ctl_secret_generate(char out[CTL_SECRET_CHARS + 1],
    idprov_error *err)
{
	static const char alphabet[] = CTL_SECRET_ALPHABET;
	unsigned char rnd[CTL_SECRET_CHARS];

	/* 32 symbols divide 256, so taking 5 bits of each byte is uniform. */
	_Static_assert(sizeof(alphabet) - 1 == 32, "alphabet of 32");
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return idprov_error_set_ssl(err, IDPROV_ERR_CRYPTO,
		    "the random generator failed");
	for (size_t i = 0; i < CTL_SECRET_CHARS; i++)
		out[i] = alphabet[rnd[i] & 0x1f];
	out[CTL_SECRET_CHARS] = '\0';
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return IDPROV_OK;
}
