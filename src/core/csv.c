/* csv.c — see csv.h. */
#include "core/csv.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int csv_record(char *s, size_t len, size_t *pos, char **f, size_t *fl, int max, int *nf)
{
    size_t i = *pos;
    int n = 0;
    if (i >= len)
        return 1;
    for (;;) {
        char *w = s + i, *start = w;
        size_t flen = 0;
        if (i < len && s[i] == '"') {
            i++;
            for (;;) {
                if (i >= len)
                    return -1;
                if (s[i] == '"') {
                    if (i + 1 < len && s[i + 1] == '"') {
                        w[flen++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                w[flen++] = s[i++];
            }
            /* text after the closing quote up to the separator is kept */
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                w[flen++] = s[i++];
        } else {
            while (i < len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
                i++;
            flen = (size_t)(s + i - start);
        }
        if (n < max) {
            f[n] = start;
            fl[n] = flen;
        }
        n++;
        if (i < len && s[i] == ',') {
            i++;
            continue;
        }
        if (i < len && s[i] == '\r')
            i++;
        if (i < len && s[i] == '\n')
            i++;
        break;
    }
    *pos = i;
    *nf = n;
    return 0;
}


void csv_write_field(buf *b, const char *s)
{
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '@' || (s[0] == '-' && s[1]);
    if (!quote && !formula) {
        buf_puts(b, s);
        return;
    }
    buf_puts(b, "\"");
    if (formula)
        buf_puts(b, "'");
    for (; *s; s++) {
        if (*s == '"')
            buf_puts(b, "\"");
        buf_append(b, s, 1);
    }
    buf_puts(b, "\"");
}

void csv_write_head(buf *b, const char *const *heads, size_t n)
{
    buf_puts(b, "\xEF\xBB\xBF");
    for (size_t k = 0; k < n; k++) {
        if (k)
            buf_puts(b, ",");
        csv_write_field(b, heads[k]);
    }
    buf_puts(b, "\r\n");
}

void csv_write_record(buf *b, const void *row, size_t n, csv_cell_fn cell)
{
    for (size_t k = 0; k < n; k++) {
        char *s = cell(row, k);
        if (k)
            buf_puts(b, ",");
        csv_write_field(b, s);
        free(s);
    }
    buf_puts(b, "\r\n");
}
