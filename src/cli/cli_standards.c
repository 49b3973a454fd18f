/*
 * cli_standards.c — `nqi standards import|get|search` over the catalogue
 * (src/standards/standards.h). Needs the database (main opens it).
 *
 *   nqi standards import FILE [--dry-run] [--source S] [--format csv|json|ndjson]
 *   nqi standards get NUMBER [--as-of YYYY-MM-DD]
 *   nqi standards search Q [--json] [--limit N] [--as-of YYYY-MM-DD]
 *   nqi standards notice FILE.json   (a publication notice, the POST /api/v1/notices body)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/auth.h"
#include "core/util.h"
#include "standards/standards.h"
#include "standards/tracking.h"

static const char usage[] =
    "standards import FILE [--dry-run] [--source S] [--format csv|json|ndjson] | "
    "get NUMBER [--as-of DATE] | search Q [--json] [--limit N] [--as-of DATE] | notice FILE.json";

#define IMPORT_FILE_LIMIT ((size_t)2 << 30)

static std_format format_of(const char *path, const char *flag)
{
    const char *s = flag ? flag : strrchr(path, '.');
    if (!s)
        return STD_FMT_CSV;
    if (*s == '.')
        s++;
    if (!strcasecmp(s, "json"))
        return STD_FMT_JSON;
    if (!strcasecmp(s, "ndjson") || !strcasecmp(s, "jsonl"))
        return STD_FMT_NDJSON;
    return STD_FMT_CSV;
}

static int do_import(store_conn *c, const char *path, bool dry, const char *source,
                     const char *fmt)
{
    char *data = NULL;
    size_t len = 0;
    if (file_read_all(path, IMPORT_FILE_LIMIT, &data, &len)) {
        fprintf(stderr, "nqi standards import: cannot read %s\n", path);
        return 1;
    }
    char *src = NULL;
    if (!source) {
        const char *base = strrchr(path, '/');
        src = xasprintf("import:%s", base ? base + 1 : path);
    }
    http_principal p;
    auth_cli_principal(&p);
    std_import_opts opts = {.dry_run = dry, .source = source ? source : src};
    std_import_report rep;
    nqi_error err = {0};
    int64_t t0 = mono_us();
    int rc = standards_import(c, &p, data, len, format_of(path, fmt), &opts, &rep, &err);
    double secs = (double)(mono_us() - t0) / 1e6;
    free(data);
    free(src);
    if (rc) {
        size_t n = rep.nerrors < 100000 ? rep.nerrors : 100000;
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "row %lld, %s: %s\n", (long long)rep.errors[i].row,
                    rep.errors[i].field, rep.errors[i].message);
        fprintf(stderr, "nqi standards import: %s\n", err.message);
        standards_import_report_free(&rep);
        return 1;
    }
    printf("%s%lld rows: %lld inserted, %lld updated, %lld unchanged (%.1f s)\n",
           dry ? "dry run, nothing written: " : "", (long long)rep.rows,
           (long long)rep.inserted, (long long)rep.updated, (long long)rep.unchanged, secs);
    standards_import_report_free(&rep);
    return 0;
}

static int do_get(store_conn *c, const char *number, const char *as_of)
{
    nqi_error err = {0};
    json_t *o = NULL;
    char d[11] = "";
    if (as_of && standards_date_parse(as_of, d))
        return cli_usage(usage);
    if (standards_detail(c, number, d, &o, &err)) {
        fprintf(stderr, "nqi standards get: %s\n", err.message);
        return 1;
    }
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return 0;
}

/* Apply a publication notice from a JSON file ("-" = stdin): the same
 * validation and one transaction as POST /api/v1/notices. */
static int do_notice(store_conn *c, const char *path)
{
    json_error_t je;
    json_t *body = strcmp(path, "-") ? json_load_file(path, JSON_REJECT_DUPLICATES, &je)
                                     : json_loadf(stdin, JSON_REJECT_DUPLICATES, &je);
    if (!body) {
        fprintf(stderr, "nqi standards notice: %s:%d: %s\n", path, je.line, je.text);
        return 1;
    }
    http_principal p;
    auth_cli_principal(&p);
    nqi_error err = {0};
    json_t *out = NULL;
    int rc = notices_create(c, &p, body, &out, &err);
    json_decref(body);
    if (rc) {
        for (int i = 0; i < err.nfields; i++)
            fprintf(stderr, "%s: %s\n", err.fields[i].field, err.fields[i].message);
        fprintf(stderr, "nqi standards notice: %s\n", err.message);
        return 1;
    }
    json_t *n = json_object_get(out, "counts");
    printf("notice %lld applied: %lld published, %lld replaced, %lld withdrawn; %lld tracking "
           "events\n",
           (long long)json_integer_value(json_object_get(out, "id")),
           (long long)json_integer_value(json_object_get(n, "publish")),
           (long long)json_integer_value(json_object_get(n, "replace")),
           (long long)json_integer_value(json_object_get(n, "withdraw")),
           (long long)json_integer_value(json_object_get(out, "events")));
    json_decref(out);
    return 0;
}

typedef struct kv {
    const char *q, *limit, *as_of;
} kv;

static const char *kv_get(void *ctx, const char *name)
{
    kv *k = ctx;
    if (!strcmp(name, "q"))
        return k->q;
    if (!strcmp(name, "limit"))
        return k->limit;
    if (!strcmp(name, "as_of"))
        return k->as_of;
    return NULL;
}

static int do_search(store_conn *c, const char *q, bool as_json, const char *limit,
                     const char *as_of)
{
    nqi_error err = {0};
    kv k = {q, limit, as_of};
    std_search p;
    json_t *o = NULL;
    if (standards_search_params(kv_get, &k, &p, &err) || standards_search(c, &p, &o, &err)) {
        fprintf(stderr, "nqi standards search: %s\n", err.message);
        return 1;
    }
    if (as_json) {
        char *s = json_dumps(o, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(o, "items"), i, it)
        {
            const char *st = json_string_value(json_object_get(it, "status"));
            printf("%-24s %-8s %s\n", json_string_value(json_object_get(it, "number")),
                   standards_status_zh(st), json_string_value(json_object_get(it, "title_zh")));
        }
        printf("(%lld found)\n", (long long)json_integer_value(json_object_get(o, "total")));
    }
    json_decref(o);
    return 0;
}

int cmd_standards(int argc, char **argv)
{
    const char *sub = NULL, *arg = NULL, *source = NULL, *fmt = NULL, *limit = NULL,
               *as_of = NULL, *v;
    bool dry = false, as_json = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "source")))
            source = v;
        else if ((v = cli_flag(argc, argv, &i, "format")))
            fmt = v;
        else if ((v = cli_flag(argc, argv, &i, "limit")))
            limit = v;
        else if ((v = cli_flag(argc, argv, &i, "as-of")))
            as_of = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (!strcmp(argv[i], "--dry-run"))
            dry = true;
        else if (!strcmp(argv[i], "--json"))
            as_json = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(usage);
        else if (!sub)
            sub = argv[i];
        else if (!arg)
            arg = argv[i];
        else
            return cli_usage(usage);
    }
    if (!sub || !arg)
        return cli_usage(usage);
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c) {
        fprintf(stderr, "nqi standards: %s\n", err.message[0] ? err.message : "no database");
        return 1;
    }
    if (!strcmp(sub, "import"))
        return do_import(c, arg, dry, source, fmt);
    if (!strcmp(sub, "get"))
        return do_get(c, arg, as_of);
    if (!strcmp(sub, "search"))
        return do_search(c, arg, as_json, limit, as_of);
    if (!strcmp(sub, "notice"))
        return do_notice(c, arg);
    return cli_usage(usage);
}
