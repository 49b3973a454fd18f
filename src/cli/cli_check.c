/*
 * cli_check.c — `nqi check FILE|- [--as-of DATE] [--json]`: validity
 * confirmation (标准有效性确认) of a list of standard references, one per
 * line, UTF-8 or GB18030 (detected). Prints a table (one line per
 * reference: line number, status, canonical number, current edition,
 * remark) and a summary, or with --json the report as
 * POST /api/v1/validity/check answers it. Nothing is stored.
 *
 * Exit: 0 whenever the check ran (whatever the statuses: a list full of
 * withdrawn standards is a result, not a failure), 1 when it could not run
 * (unreadable file, undecodable text, more than 100,000 lines, database
 * error), 2 on a usage error.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"
#include "standards/standards.h"
#include "standards/validity.h"

static const char usage[] = "check FILE|- [--as-of DATE] [--json]";

#define CHECK_FILE_LIMIT ((size_t)64 * 1024 * 1024)

static int read_stdin(char **out, size_t *len)
{
    buf b;
    buf_init(&b, CHECK_FILE_LIMIT);
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
        if (buf_append(&b, tmp, n)) {
            buf_free(&b);
            return -1;
        }
    if (ferror(stdin)) {
        buf_free(&b);
        return -1;
    }
    *len = b.len;
    *out = b.data ? buf_steal(&b) : xstrdup("");
    return 0;
}

/* Terminal columns of a UTF-8 string: CJK and full-width forms take two. */
static int display_width(const char *s)
{
    int w = 0;
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        if (*u < 0x80) {
            w++, u++;
        } else if ((*u & 0xE0) == 0xC0) {
            w++, u += 2;
        } else if ((*u & 0xF0) == 0xE0) {
            w += 2, u += 3;
        } else {
            w += 2, u += 4;
        }
    }
    return w;
}

static void cell(const char *s, int width)
{
    fputs(s, stdout);
    for (int w = display_width(s); w < width; w++)
        putchar(' ');
    putchar(' ');
}

static void print_table(const json_t *rep)
{
    const json_t *items = json_object_get(rep, "items"), *it;
    size_t i;
    cell("行", 6);
    cell("状态", 8);
    cell("标准号", 24);
    cell("现行版本", 24);
    printf("说明\n");
    json_array_foreach(items, i, it)
    {
        char ln[24];
        snprintf(ln, sizeof ln, "%lld", (long long)json_integer_value(json_object_get(it, "line")));
        const char *st = json_string_value(json_object_get(it, "status"));
        const char *num = json_string_value(json_object_get(it, "number"));
        const json_t *cur = json_object_get(it, "current");
        const char *curno = json_is_object(cur)
                                ? json_string_value(json_object_get(cur, "number"))
                                : NULL;
        cell(ln, 6);
        cell(validity_status_zh(st ? st : ""), 8);
        cell(num ? num : "-", 24);
        cell(curno ? curno : "", 24);
        char *remark = validity_item_remark(it);
        if (!num) /* unparsed: show what was given */
            printf("「%s」%s\n", json_string_value(json_object_get(it, "input")), remark);
        else
            printf("%s\n", remark);
        free(remark);
    }
    const json_t *s = json_object_get(rep, "summary");
#define N(k) (long long)json_integer_value(json_object_get(s, k))
    printf("\n共 %zu 条（基准日 %s）：现行 %lld，即将实施 %lld，废止 %lld，被代替 %lld，未找到 %lld，"
           "无法识别 %lld\n",
           json_array_size(items), json_string_value(json_object_get(rep, "as_of")),
           N("in_force"), N("upcoming"), N("withdrawn"), N("replaced"), N("not_found"),
           N("unparsed"));
#undef N
}

int cmd_check(int argc, char **argv)
{
    const char *path = NULL, *as_of = NULL, *v;
    bool as_json = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "as-of")))
            as_of = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (!strcmp(argv[i], "--json"))
            as_json = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(usage);
        else if (!path)
            path = argv[i];
        else
            return cli_usage(usage);
    }
    if (!path)
        return cli_usage(usage);
    char date[11] = "";
    if (as_of && standards_date_parse(as_of, date)) {
        fprintf(stderr, "nqi check: --as-of '%s' is not a date (YYYY-MM-DD)\n", as_of);
        return 2;
    }
    char *data = NULL;
    size_t len = 0;
    if (!strcmp(path, "-") ? read_stdin(&data, &len)
                           : file_read_all(path, CHECK_FILE_LIMIT, &data, &len)) {
        fprintf(stderr, "nqi check: cannot read %s\n", strcmp(path, "-") ? path : "stdin");
        return 1;
    }
    nqi_error err = {0};
    validity_lines lines;
    json_t *rep = NULL;
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    int rc = c ? 0 : (err.code ? err.code : NQI_EINTERNAL);
    int64_t t0 = mono_us();
    if (!rc)
        rc = validity_lines_from_text(data, len, &lines, &err);
    free(data);
    if (!rc) {
        rc = validity_check_batch(c, &lines, date, &rep, &err);
        validity_lines_free(&lines);
    }
    if (rc) {
        fprintf(stderr, "nqi check: %s\n", err.message[0] ? err.message : "no database");
        return 1;
    }
    double ms = (double)(mono_us() - t0) / 1000.0;
    if (as_json) {
        json_object_set_new(rep, "id", json_null());
        char *s = json_dumps(rep, JSON_COMPACT);
        printf("%s\n", s);
        free(s);
    } else {
        print_table(rep);
        fprintf(stderr, "(%.1f ms)\n", ms);
    }
    json_decref(rep);
    return 0;
}
