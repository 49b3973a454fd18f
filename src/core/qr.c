/* qr.c — see qr.h. Error correction level M, 8-bit mode (UTF-8 URLs). */
#include "core/qr.h"

#include <png.h>
#include <qrencode.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

static QRcode *encode(const char *text, nqi_error *err)
{
    if (!text || !*text) {
        nqi_error_field(err, NQI_EINVAL, "text", "nothing to encode");
        return NULL;
    }
    QRcode *q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!q)
        nqi_error_field(err, NQI_EINVAL, "text", "too long for a QR code");
    return q;
}

static bool dark(const QRcode *q, int x, int y)
{
    return x >= 0 && y >= 0 && x < q->width && y < q->width && (q->data[y * q->width + x] & 1);
}

static void png_to_buf(png_structp png, png_bytep data, png_size_t n)
{
    buf_append(png_get_io_ptr(png), data, n);
}

static void png_flush_none(png_structp png)
{
}

/* libpng reports errors by longjmp: keep the setjmp frame small, with no
 * local that changes after it. 0 ok, -1 on a libpng error. */
static int png_encode(const QRcode *q, const int scale, const int margin, buf *b,
                      unsigned char *row)
{
    const int px = (q->width + 2 * margin) * scale;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    if (!png)
        return -1;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, info ? &info : NULL);
        return -1;
    }
    png_set_write_fn(png, b, png_to_buf, png_flush_none);
    png_set_IHDR(png, info, (png_uint_32)px, (png_uint_32)px, 8, PNG_COLOR_TYPE_GRAY,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (int y = 0; y < px; y++) {
        for (int x = 0; x < px; x++)
            row[x] = dark(q, x / scale - margin, y / scale - margin) ? 0 : 255;
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int qr_png(const char *text, int scale, int margin, unsigned char **out, size_t *len,
           nqi_error *err)
{
    QRcode *q = encode(text, err);
    if (!q)
        return err->code;
    scale = scale < 1 ? 1 : scale;
    margin = margin < 0 ? 0 : margin;
    buf b;
    buf_init(&b, 0);
    unsigned char *row = xmalloc((size_t)(q->width + 2 * margin) * (size_t)scale);
    int rc = png_encode(q, scale, margin, &b, row);
    free(row);
    QRcode_free(q);
    if (rc) {
        buf_free(&b);
        return nqi_error_set(err, NQI_EINTERNAL, "PNG encoding failed");
    }
    *len = b.len;
    *out = (unsigned char *)buf_steal(&b);
    return 0;
}

int qr_svg(const char *text, int margin, char **out, size_t *len, nqi_error *err)
{
    QRcode *q = encode(text, err);
    if (!q)
        return err->code;
    if (margin < 0)
        margin = 0;
    int n = q->width + 2 * margin;
    buf b;
    buf_init(&b, 0);
    buf_printf(&b,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
               "<path fill=\"#000\" d=\"",
               n, n, n, n);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++)
            if (dark(q, x, y))
                buf_printf(&b, "M%d %dh1v1h-1z", x + margin, y + margin);
    buf_puts(&b, "\"/></svg>\n");
    QRcode_free(q);
    *len = b.len;
    *out = buf_steal(&b);
    return 0;
}
