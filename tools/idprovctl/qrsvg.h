/*
 * qrsvg.h - a QR code as a small SVG for a device's sticker.
 *
 * The QR code carries "IDPROV:1:<deviceID>:<secret>" (docs/admin-cli.md):
 * a fixed tag and format version, then the deviceID, then the secret after
 * the last colon (generated secrets never contain one).  Error correction
 * level M, byte mode, a 4-module quiet zone; the deviceID (never the
 * secret) is printed under the code as a caption.
 */
#ifndef IDPROVCTL_QRSVG_H
#define IDPROVCTL_QRSVG_H

#include <stddef.h>
#include "lib/core/error.h"

#define CTL_QR_PREFIX "IDPROV:1:"

/* The text the QR code carries, malloc'd. */
char *ctl_qr_payload(const char *device_id, const char *secret);

/* An SVG document (malloc'd, NUL-terminated, *len_out bytes) with the QR
 * code of `text` and `caption` (XML-escaped) below it. */
idprov_status ctl_qr_svg(const char *text, const char *caption,
    char **svg_out, size_t *len_out, idprov_error *err);

#endif
