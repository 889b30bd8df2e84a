/*
 * ctl_qr.c - the sticker: the QR payload format of docs/admin-cli.md and
 * an SVG whose dark modules are exactly libqrencode's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <qrencode.h>

#include "qrsvg.h"

static void payload_format(void **state)
{
	char *p = ctl_qr_payload("dev-0001", "ABCDEFGHJKMNPQRSTVWXYZ0123");

	(void)state;
	assert_string_equal(p, "IDPROV:1:dev-0001:ABCDEFGHJKMNPQRSTVWXYZ0123");
	free(p);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void svg_has_every_dark_module(void **state)
{
	const char *text = "IDPROV:1:dev-0001:ABCDEFGHJKMNPQRSTVWXYZ0123";
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	size_t dark = 0, len = 0;
	char *svg = NULL;
	idprov_error err;

	(void)state;
	assert_non_null(qr);
	for (int i = 0; i < qr->width * qr->width; i++)
		dark += qr->data[i] & 1;
	assert_int_equal(ctl_qr_svg(text, "dev<&>1", &svg, &len, &err),
	    IDPROV_OK);
	assert_int_equal(strlen(svg), len);
	assert_int_equal(count(svg, "h1v1h-1z"), dark);
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(svg, "</svg>\n"));
	/* the caption is escaped, and the secret is not printed as text */
	assert_non_null(strstr(svg, ">dev&lt;&amp;&gt;1</text>"));
	assert_null(strstr(svg, "ABCDEFGH"));
	QRcode_free(qr);
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(payload_format),
		cmocka_unit_test(svg_has_every_dark_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
