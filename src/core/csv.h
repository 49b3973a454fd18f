/*
 * csv.h — RFC 4180 records, parsed in place: the shared reader behind every
 * CSV import (standards catalogue, market entities, inspectors). Text
 * decoding (UTF-8 or GB18030) happens before; this only splits.
 *
 * Ownership: the caller's buffer is modified (quoted fields are unquoted in
 * place); field pointers point into it and are not NUL-terminated — use the
 * lengths.
 */
#ifndef NQI_CSV_H
#define NQI_CSV_H

#include <stddef.h>

#include "core/util.h"

/* One record starting at *pos in s[0..len): field starts go to f and
 * lengths to fl (at most max; *nf gets the real count, which may exceed
 * max: callers report ragged rows with it). Separators: ',' between fields,
 * CRLF or LF between records; "" inside quotes is a quote; text after a
 * closing quote up to the separator is kept. Advances *pos.
 * Returns 0, 1 at the end of input, -1 for an unterminated quote. */
int csv_record(char *s, size_t len, size_t *pos, char **f, size_t *fl, int max, int *nf);

/* Append s as one CSV field: quoted when it holds , " CR or LF; a value
 * starting with = + @ or - (not a lone "-") is quoted and prefixed with ' so
 * spreadsheets do not run it as a formula (CSV injection). */
void csv_write_field(buf *b, const char *s);

/* The start of a CSV export: a UTF-8 byte-order mark (without it Excel
 * reads the file in the local ANSI code page and garbles the Chinese), then
 * the header record. */
void csv_write_head(buf *b, const char *const *heads, size_t n);

/* A cell's text, malloc'd; the record writer frees it. */
typedef char *(*csv_cell_fn)(const void *row, size_t col);

/* One record of cells cell(row, 0..n-1) (csv_write_field each), separated
 * by ',' and ended by CRLF. */
void csv_write_record(buf *b, const void *row, size_t n, csv_cell_fn cell);

#endif
