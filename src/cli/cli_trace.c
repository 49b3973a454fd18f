/*
 * cli_trace.c — `nqi trace …`: the read side of the EPCIS repository from
 * the command line. See docs/modules/trace.md.
 *
 *   nqi trace backward|forward ID [--depth N] [--from T] [--to T]   graph, JSON
 *   nqi trace recall ID [ID…] [--from T] [--xlsx FILE | --csv FILE] scope, JSON or file
 *   nqi trace qr ID [--base URL] [--png FILE]   QR code of the Digital Link (SVG to stdout)
 *   nqi trace demo                              load the demo supply chain (五常大米)
 *
 * ID: an EPC URN, a GS1 Digital Link or an element string.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/qr.h"
#include "core/util.h"
#include "trace/gs1.h"
#include "trace/query.h"

static const char usage[] =
    "trace backward|forward ID [--depth N] [--from T] [--to T] | recall ID... [--from T] "
    "[--xlsx FILE|--csv FILE] | qr ID [--base URL] [--png FILE] | demo";

#define MAX_IDS 100

static int fail(const char *what, const nqi_error *e)
{
    fprintf(stderr, "nqi trace %s: %s\n", what, e->message);
    for (int i = 0; i < e->nfields; i++)
        fprintf(stderr, "  %s: %s\n", e->fields[i].field, e->fields[i].message);
    return 1;
}

static void print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2));
    puts(s);
    free(s);
}

static int write_file(const char *path, const char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        if (f)
            fclose(f);
        fprintf(stderr, "nqi trace: cannot write %s\n", path);
        return 1;
    }
    return fclose(f) ? 1 : 0;
}

static int cmd_qr(int argc, char **argv)
{
    const char *id = NULL, *base = NULL, *png = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "base")))
            base = v;
        else if ((v = cli_flag(argc, argv, &i, "png")))
            png = v;
        else if (argv[i][0] == '-' || id)
            return cli_usage(usage);
        else
            id = argv[i];
    }
    if (!id)
        return cli_usage(usage);
    nqi_error err = {0};
    gs1_id g;
    char dl[GS1_CANON_MAX * 2 + 256];
    char *stem = xasprintf("%s/t", base ? base : "https://id.gs1.org");
    int rc = gs1_parse(id, strlen(id), &g, &err) ||
             gs1_to_dl(&g, base ? stem : NULL, GS1_DL_FULL, dl, sizeof dl, &err);
    free(stem);
    if (rc)
        return fail("qr", &err);
    if (png) {
        unsigned char *data = NULL;
        size_t len = 0;
        if (qr_png(dl, 8, 4, &data, &len, &err))
            return fail("qr", &err);
        rc = write_file(png, (char *)data, len);
        free(data);
        if (!rc)
            fprintf(stderr, "%s\n", dl);
        return rc;
    }
    char *svg = NULL;
    size_t len = 0;
    if (qr_svg(dl, 4, &svg, &len, &err))
        return fail("qr", &err);
    fwrite(svg, 1, len, stdout);
    free(svg);
    fprintf(stderr, "%s\n", dl);
    return 0;
}

static int parse_time(const char *flag, const char *v, int64_t *out)
{
    if (time_parse_iso8601(v, out)) {
        fprintf(stderr, "nqi trace: --%s: an ISO 8601 date-time with offset\n", flag);
        return 2;
    }
    return 0;
}

static int cmd_walk(int argc, char **argv, trace_dir dir, store_conn *c)
{
    trace_opts o = {.dir = dir, .max_depth = 20, .from_ms = INT64_MIN, .to_ms = INT64_MAX,
                    .vis = {.all = true}};
    const char *id = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "depth"))) {
            int64_t d;
            if (!str_to_i64(v, &d) || d < 1 || d > 64)
                return cli_usage(usage);
            o.max_depth = (int)d;
        } else if ((v = cli_flag(argc, argv, &i, "from"))) {
            if (parse_time("from", v, &o.from_ms))
                return 2;
        } else if ((v = cli_flag(argc, argv, &i, "to"))) {
            if (parse_time("to", v, &o.to_ms))
                return 2;
        } else if (argv[i][0] == '-' || id) {
            return cli_usage(usage);
        } else {
            id = argv[i];
        }
    }
    if (!id)
        return cli_usage(usage);
    nqi_error err = {0};
    char canon[GS1_INPUT_MAX + 1];
    if (trace_canon(id, "id", canon, sizeof canon, &err))
        return fail(argv[1], &err);
    const char *start = canon;
    o.ids = &start;
    o.nids = 1;
    json_t *g = NULL;
    if (trace_walk(c, &o, &g, &err))
        return fail(argv[1], &err);
    print_json(g);
    json_decref(g);
    return 0;
}

static int cmd_recall(int argc, char **argv, store_conn *c)
{
    char *ids[MAX_IDS];
    int n = 0, rc = 0;
    int64_t from = INT64_MIN;
    const char *xlsx = NULL, *csv = NULL, *v;
    nqi_error err = {0};
    for (int i = 2; !rc && i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "from")))
            rc = parse_time("from", v, &from);
        else if ((v = cli_flag(argc, argv, &i, "xlsx")))
            xlsx = v;
        else if ((v = cli_flag(argc, argv, &i, "csv")))
            csv = v;
        else if (argv[i][0] == '-' || n == MAX_IDS)
            rc = cli_usage(usage);
        else {
            char canon[GS1_INPUT_MAX + 1];
            if (trace_canon(argv[i], "id", canon, sizeof canon, &err))
                rc = fail("recall", &err);
            else
                ids[n++] = xstrdup(canon);
        }
    }
    if (!rc && (!n || (xlsx && csv)))
        rc = cli_usage(usage);
    json_t *scope = NULL;
    trace_vis vis = {.all = true};
    if (!rc && trace_recall(c, (const char *const *)ids, n, &vis, from, &scope, &err))
        rc = fail("recall", &err);
    if (!rc && (xlsx || csv)) {
        char *data = NULL;
        size_t len = 0;
        if (trace_recall_file(scope, xlsx ? "xlsx" : "csv", &data, &len, &err))
            rc = fail("recall", &err);
        else
            rc = write_file(xlsx ? xlsx : csv, data, len);
        free(data);
        if (!rc)
            print_json(json_object_get(scope, "counts"));
    } else if (!rc) {
        print_json(scope);
    }
    json_decref(scope);
    for (int i = 0; i < n; i++)
        free(ids[i]);
    return rc;
}

static int cmd_demo(store_conn *c)
{
    nqi_error err = {0};
    if (store_begin(c, true, &err) || trace_demo(cli_app, c, &err) || store_commit(c, &err)) {
        store_rollback(c);
        return fail("demo", &err);
    }
    printf("trace demo chain loaded (五常大米: lots https://id.gs1.org/01/09506000134352/10/"
           "DHX261003 and …/DHX261004)\n");
    return 0;
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(usage);
    const char *sub = argv[1];
    if (!strcmp(sub, "qr"))
        return cmd_qr(argc, argv);
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c)
        return fail(sub, &err);
    if (!strcmp(sub, "backward"))
        return cmd_walk(argc, argv, TRACE_BACKWARD, c);
    if (!strcmp(sub, "forward"))
        return cmd_walk(argc, argv, TRACE_FORWARD, c);
    if (!strcmp(sub, "recall"))
        return cmd_recall(argc, argv, c);
    if (!strcmp(sub, "demo") && argc == 2)
        return cmd_demo(c);
    return cli_usage(usage);
}
