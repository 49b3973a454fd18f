/*
 * qr.h — QR codes (libqrencode) rendered as PNG (libpng) or SVG text, for
 * verification links on reports and certificates and GS1 Digital Link
 * labels. Output buffers are malloc'd and owned by the caller.
 */
#ifndef NQI_QR_H
#define NQI_QR_H

#include <stddef.h>

#include "core/err.h"

/* scale: pixels per module (>= 1); margin: quiet-zone modules (4 per spec). */
int qr_png(const char *text, int scale, int margin, unsigned char **out, size_t *len,
           nqi_error *err);
int qr_svg(const char *text, int margin, char **out, size_t *len, nqi_error *err);

#endif
