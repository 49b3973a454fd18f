/* test_qr.c — QR codes: the PNG is a real PNG of the right size, and a real
 * QR reader (zbarimg, Debian zbar-tools) reads back exactly what was encoded:
 * a GS1 Digital Link URI and a Chinese verification link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/qr.h"
#include "core/util.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Write png to a temp file and decode it with zbarimg; returns the text. */
static char *zbar_decode(const unsigned char *png, size_t len)
{
    char path[] = "/tmp/nqi-qr-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, png, len), (ssize_t)len);
    close(fd);
    char *cmd = xasprintf("zbarimg --quiet --raw '%s' 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    free(cmd);
    assert_non_null(p);
    char line[2048] = {0};
    char *got = fgets(line, sizeof line, p) ? xstrdup(line) : NULL;
    pclose(p);
    unlink(path);
    if (got)
        got[strcspn(got, "\n")] = 0;
    return got;
}

static void roundtrip(const char *text)
{
    unsigned char *png = NULL;
    size_t len = 0;
    nqi_error err = {0};
    assert_int_equal(qr_png(text, 4, 4, &png, &len, &err), 0);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    assert_true(len > 33);
    assert_memory_equal(png, sig, 8);
    assert_memory_equal(png + 12, "IHDR", 4);
    uint32_t w = be32(png + 16), h = be32(png + 20);
    assert_int_equal(w, h);
    assert_int_equal(w % 4, 0);        /* scale 4 */
    assert_true(w / 4 >= 21 + 8);      /* version 1 is 21 modules, plus 2 x 4 quiet */
    if (access("/usr/bin/zbarimg", X_OK) == 0) {
        char *got = zbar_decode(png, len);
        assert_non_null(got);
        assert_string_equal(got, text);
        free(got);
    }
    free(png);
}

static void test_digital_link(void **state)
{
    /* GS1's published example GTIN 09506000134352 with a lot */
    roundtrip("https://id.gs1.org/01/09506000134352/10/ABC123");
}

static void test_chinese_link(void **state)
{
    roundtrip("https://nqi.example.gov.cn/standards/validity/报告-2026-0001");
}

static void test_svg_and_errors(void **state)
{
    char *svg = NULL;
    size_t len = 0;
    nqi_error err = {0};
    assert_int_equal(qr_svg("GB/T 19580", 4, &svg, &len, &err), 0);
    assert_non_null(strstr(svg, "<svg"));
    assert_non_null(strstr(svg, "viewBox=\"0 0 29 29\"")); /* 10 bytes: version 1, 21 + 2 x 4 */
    assert_int_equal(strlen(svg), len);
    free(svg);
    unsigned char *png = NULL;
    assert_int_equal(qr_png("", 4, 4, &png, &len, &err), NQI_EINVAL);
    assert_string_equal(err.fields[0].field, "text");
    char *huge = xmalloc(8000);
    memset(huge, 'x', 7999);
    huge[7999] = 0;
    nqi_error_clear(&err);
    assert_int_equal(qr_png(huge, 1, 0, &png, &len, &err), NQI_EINVAL);
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digital_link),
        cmocka_unit_test(test_chinese_link),
        cmocka_unit_test(test_svg_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
