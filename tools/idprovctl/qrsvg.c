/*
 * qrsvg.c - QR code (libqrencode) to SVG: one path of unit squares, so
 * the file stays small and scales to any sticker size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <qrencode.h>

#include "qrsvg.h"
#include "lib/core/buf.h"

#define QUIET 4		/* modules of white border the standard asks for */
#define CAPTION_H 6	/* modules of room for the caption */

char *ctl_qr_payload(const char *device_id, const char *secret)
{
	size_t n = strlen(CTL_QR_PREFIX) + strlen(device_id) + 1 +
	    strlen(secret) + 1;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s%s:%s", CTL_QR_PREFIX, device_id, secret);
	return s;
}

static void xml_escaped(idprov_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': idprov_buf_append_str(b, "&lt;"); break;
		case '>': idprov_buf_append_str(b, "&gt;"); break;
		case '&': idprov_buf_append_str(b, "&amp;"); break;
		case '"': idprov_buf_append_str(b, "&quot;"); break;
		default:
			if ((unsigned char)*s >= 0x20)
				idprov_buf_append_char(b, *s);
		}
	}
}

idprov_status ctl_qr_svg(const char *text, const char *caption,
    char **svg_out, size_t *len_out, idprov_error *err)
{
	idprov_buf b = IDPROV_BUF_INIT;
	QRcode *qr;
	char tmp[320];
	int size, height;
	idprov_status st = IDPROV_OK;

	*svg_out = NULL;
	errno = 0;
	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return idprov_error_set(err, errno == ERANGE ?
		    IDPROV_ERR_TOO_LARGE : IDPROV_ERR_NOMEM,
		    "cannot make a QR code for %s: %s", caption,
		    errno == ERANGE ? "the text is too long" : "out of memory");
	size = qr->width + 2 * QUIET;
	height = size + CAPTION_H;
	snprintf(tmp, sizeof(tmp),
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%dmm\" height=\"%dmm\">\n", size, height, size, height);
	idprov_buf_append_str(&b, tmp);
	snprintf(tmp, sizeof(tmp), "<rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/>\n<path fill=\"#000\" shape-rendering=\"crispEdges\" d=\"",
	    size, height);
	idprov_buf_append_str(&b, tmp);
	for (int y = 0; y < qr->width; y++) {
		for (int x = 0; x < qr->width; x++) {
			if (!(qr->data[y * qr->width + x] & 1))
				continue;
			snprintf(tmp, sizeof(tmp), "M%d %dh1v1h-1z",
			    x + QUIET, y + QUIET);
			idprov_buf_append_str(&b, tmp);
		}
	}
	idprov_buf_append_str(&b, "\"/>\n");
	snprintf(tmp, sizeof(tmp), "<text x=\"%d\" y=\"%d\" font-family=\"monospace\" "
	    "font-size=\"3\" text-anchor=\"middle\">", size / 2, size + 3);
	idprov_buf_append_str(&b, tmp);
	xml_escaped(&b, caption);
	idprov_buf_append_str(&b, "</text>\n</svg>\n");
	QRcode_free(qr);

	*svg_out = idprov_buf_take(&b, len_out);
	if (!*svg_out)
		st = idprov_error_set(err, IDPROV_ERR_NOMEM,
		    "out of memory writing the QR code of %s", caption);
	return st;
}
