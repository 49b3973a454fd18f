/*
 * xlsx.h — spreadsheets for export responses, over libxlsxwriter.
 *
 * libxlsxwriter writes files only, so a book is written to a temporary file
 * ($TMPDIR, else /tmp) and xlsx_finish reads it back into one malloc'd
 * buffer for the HTTP response and removes the file.
 *
 *   xlsx_book b;
 *   if (xlsx_open(&b, true, err)) return rc;
 *   lxw_worksheet *ws = xlsx_sheet(&b, "标准");
 *   xlsx_head(&b, ws, 0, heads, n, xlsx_bold(&b));       header row, frozen
 *   xlsx_widths(ws, widths, n);
 *   xlsx_row(&b, ws, 1, cells, n, NULL);                 a JSON array of cells
 *   return xlsx_finish(&b, &out, &len, err);
 *
 * Writes never stop half-way: the first failed write is remembered and
 * xlsx_finish reports it (NQI_EIO), so callers write a whole table and check
 * once. Functions given a NULL worksheet (xlsx_sheet failed) do nothing.
 * Formats belong to the workbook and are freed with it.
 */
#ifndef NQI_XLSX_H
#define NQI_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "core/err.h"

#define XLSX_MEDIA_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

typedef struct xlsx_book {
    lxw_workbook *wb;
    char *path;                /* the temporary file */
    lxw_format *bold, *banner; /* made on first use */
    const char *failure;       /* the first failed write (static text), or NULL */
} xlsx_book;

/* Start a book. constant_memory: libxlsxwriter's streaming mode (a row is
 * flushed to the file when the next one begins, so rows must be written in
 * order, one sheet at a time); otherwise the whole book is kept in memory
 * until xlsx_finish. */
int xlsx_open(xlsx_book *b, bool constant_memory, nqi_error *err);

/* A new worksheet; name cut to Excel's 31 bytes at a UTF-8 boundary.
 * NULL (and the book failed) if the name is refused. */
lxw_worksheet *xlsx_sheet(xlsx_book *b, const char *name);

/* The book's header formats: bold; bold white on blue. */
lxw_format *xlsx_bold(xlsx_book *b);
lxw_format *xlsx_banner(xlsx_book *b);

/* Header cells heads[0..n) in row, in format f; the rows up to and including
 * it stay in view when scrolling (frozen panes). */
void xlsx_head(xlsx_book *b, lxw_worksheet *ws, lxw_row_t row, const char *const *heads, size_t n,
               lxw_format *f);

/* Column widths in characters; 0 leaves a column at Excel's default. Runs
 * of equal widths are set as one range. */
void xlsx_widths(lxw_worksheet *ws, const double *widths, size_t n);

/* A text cell; an empty or NULL s writes nothing (a blank cell if f is
 * given, so fills and borders stay continuous). */
void xlsx_str(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const char *s,
              lxw_format *f);

/* A cell of a JSON value, typed: integers and reals as numbers (so Excel
 * sums and sorts them), non-empty strings as text, booleans as 是/否; null,
 * "" and containers as no cell (a blank one if f is given). */
void xlsx_json(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, const json_t *v,
               lxw_format *f);

/* Row r from the JSON array cells (first ncols elements, xlsx_json each). */
void xlsx_row(xlsx_book *b, lxw_worksheet *ws, lxw_row_t r, const json_t *cells, size_t ncols,
              lxw_format *f);

/* For libxlsxwriter calls made directly: remember e if it is the book's
 * first failure. */
void xlsx_check(xlsx_book *b, lxw_error e);

/* Close the book and read it into *out and *len (caller frees), or, with out
 * NULL, throw it away; the temporary file is removed either way. Reports
 * the first failed write, a failed close or a failed read as NQI_EIO. */
int xlsx_finish(xlsx_book *b, char **out, size_t *len, nqi_error *err);

#endif
