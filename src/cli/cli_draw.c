/*
 * cli_draw.c — `nqi draw …` (verifiable 双随机 draws) and `nqi directory …`
 * (the supervision directories). See docs/modules/supervision.md.
 *
 *   nqi draw verify FILE            offline: FILE is the bundle served by
 *                                   GET /api/v1/draws/{id}/record; exit 0 when
 *                                   it verifies, 1 with the reasons otherwise
 *   nqi draw list [--limit N]       draws in the database, newest first
 *   nqi draw show ID [--bundle]     one draw (staff view) or its bundle, JSON
 *   nqi directory import entities|inspectors FILE [--dry-run]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/auth.h"
#include "core/util.h"
#include "supervision/supervision.h"

static const char draw_usage[] = "draw verify FILE | list [--limit N] | show ID [--bundle]";
static const char dir_usage[] = "directory import entities|inspectors FILE [--dry-run]";

#define BUNDLE_FILE_LIMIT ((size_t)1 << 30)
#define IMPORT_FILE_LIMIT ((size_t)2 << 30)

static int draw_verify_file(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    if (file_read_all(path, BUNDLE_FILE_LIMIT, &data, &len)) {
        fprintf(stderr, "nqi draw verify: cannot read %s\n", path);
        return 1;
    }
    json_error_t je;
    json_t *bundle = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    free(data);
    if (!bundle) {
        fprintf(stderr, "nqi draw verify: %s: not JSON (line %d: %s)\n", path, je.line, je.text);
        return 1;
    }
    nqi_error err = {0};
    json_t *rep = NULL;
    if (supervision_bundle_verify(bundle, &rep, &err)) {
        fprintf(stderr, "nqi draw verify: %s: %s\n", path, err.message);
        json_decref(bundle);
        return 1;
    }
    bool ok = json_is_true(json_object_get(rep, "verified"));
    json_t *details = json_object_get(rep, "details"), *ch;
    size_t i;
    printf("draw %s (%s)\n", json_string_value(json_object_get(details, "draw_id")),
           json_string_value(json_object_get(details, "state")));
    json_array_foreach(json_object_get(rep, "checks"), i, ch)
    {
        bool good = json_is_true(json_object_get(ch, "ok"));
        fprintf(good ? stdout : stderr, "  %-4s %-12s %s\n", good ? "ok" : "FAIL",
                json_string_value(json_object_get(ch, "name")),
                json_string_value(json_object_get(ch, "message")));
    }
    if (ok && json_is_true(json_object_get(rep, "complete")))
        printf("verified: commitment, seed, %lld targets and their teams recompute exactly\n",
               (long long)json_integer_value(json_object_get(details, "targets")));
    else if (ok)
        printf("verified so far: the commitment matches the published pool and roster; the "
               "seed is not revealed yet\n");
    else
        fprintf(stderr, "NOT verified\n");
    json_decref(rep);
    json_decref(bundle);
    return ok ? 0 : 1;
}

static int with_db(int argc, char **argv, nqi_app *app, store_conn **c)
{
    int rc = cli_app_open(app, argc, argv);
    if (rc)
        return rc;
    nqi_error err = {0};
    *c = store_conn_thread(app->st, &err);
    if (!*c) {
        fprintf(stderr, "nqi: %s\n", err.message);
        cli_app_close(app);
        return 1;
    }
    return 0;
}

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
}

int cmd_draw(int argc, char **argv)
{
    const char *sub = NULL, *arg = NULL, *limit = NULL, *v;
    bool bundle = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "limit")))
            limit = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (!strcmp(argv[i], "--bundle"))
            bundle = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(draw_usage);
        else if (!sub)
            sub = argv[i];
        else if (!arg)
            arg = argv[i];
        else
            return cli_usage(draw_usage);
    }
    if (!sub)
        return cli_usage(draw_usage);
    if (!strcmp(sub, "verify")) {
        if (!arg || limit || bundle)
            return cli_usage(draw_usage);
        return draw_verify_file(arg);
    }
    long long lim = 50;
    if (limit) {
        char *end;
        lim = strtoll(limit, &end, 10);
        if (*end || lim < 1 || lim > 1000)
            return cli_usage(draw_usage);
    }
    bool list = !strcmp(sub, "list"), show = !strcmp(sub, "show");
    if ((!list && !show) || (list && (arg || bundle)) || (show && (!arg || limit)))
        return cli_usage(draw_usage);
    nqi_app app = {0};
    store_conn *c;
    int rc = with_db(argc, argv, &app, &c);
    if (rc)
        return rc;
    nqi_error err = {0};
    json_t *o = NULL;
    if (list)
        rc = supervision_draw_list(c, lim, 0, &o, &err);
    else if (bundle)
        rc = supervision_draw_bundle(c, arg, &o, &err);
    else
        rc = supervision_draw_get(c, arg, true, &o, &err);
    if (rc) {
        fprintf(stderr, "nqi draw %s: %s\n", sub, err.message);
    } else if (list) {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(o, "items"), i, it)
            printf("%-24s %-9s %6lld  %s\n", json_string_value(json_object_get(it, "id")),
                   json_string_value(json_object_get(it, "status")),
                   (long long)json_integer_value(json_object_get(it, "pool_size")),
                   json_string_value(json_object_get(it, "name")));
    } else {
        print_json(o);
    }
    json_decref(o);
    cli_app_close(&app);
    return rc ? 1 : 0;
}

int cmd_directory(int argc, char **argv)
{
    const char *sub = NULL, *kind = NULL, *path = NULL;
    bool dry = false;
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (!strcmp(argv[i], "--dry-run"))
            dry = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(dir_usage);
        else if (!sub)
            sub = argv[i];
        else if (!kind)
            kind = argv[i];
        else if (!path)
            path = argv[i];
        else
            return cli_usage(dir_usage);
    }
    if (!sub || strcmp(sub, "import") || !kind || !path ||
        (strcmp(kind, "entities") && strcmp(kind, "inspectors")))
        return cli_usage(dir_usage);
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c) {
        fprintf(stderr, "nqi directory: %s\n", err.message[0] ? err.message : "no database");
        return 1;
    }
    char *data = NULL;
    size_t len = 0;
    if (file_read_all(path, IMPORT_FILE_LIMIT, &data, &len)) {
        fprintf(stderr, "nqi directory import: cannot read %s\n", path);
        return 1;
    }
    http_principal p;
    auth_cli_principal(&p);
    sup_import_report rep;
    int rc = supervision_import(c, &p, strcmp(kind, "entities") ? SUP_INSPECTORS : SUP_ENTITIES,
                                data, len, dry, &rep, &err);
    free(data);
    if (rc) {
        for (size_t i = 0; i < rep.nerrors && i < 100000; i++)
            fprintf(stderr, "row %lld, %s: %s\n", (long long)rep.errors[i].row,
                    rep.errors[i].field, rep.errors[i].message);
        fprintf(stderr, "nqi directory import: %s\n", err.message);
    } else {
        printf("%s%lld %s rows: %lld inserted, %lld updated\n",
               dry ? "dry run, nothing written: " : "", (long long)rep.rows, kind,
               (long long)rep.inserted, (long long)rep.updated);
    }
    supervision_import_report_free(&rep);
    return rc ? 1 : 0;
}
