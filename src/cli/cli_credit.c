/*
 * cli_credit.c — `nqi credit …`, quality-credit classification from the
 * command line (docs/modules/credit.md).
 *
 *   nqi credit classify --all          recompute every entity (sweep first),
 *                                      print the run summary
 *   nqi credit classify CODE...        recompute the listed entities
 *   nqi credit show CODE               the staff credit page, JSON
 *   nqi credit restrictions CODE --purpose P
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/auth.h"
#include "core/util.h"
#include "supervision/credit_impl.h"

static const char usage[] =
    "credit classify --all | classify CODE... | show CODE | restrictions CODE --purpose P";

static void print_json(json_t *o)
{
    char *s = json_dumps(o, JSON_INDENT(2));
    printf("%s\n", s);
    free(s);
}

int cmd_credit(int argc, char **argv)
{
    const char *sub = NULL, *purpose = NULL, *v;
    bool all = false;
    json_t *codes = json_array();
    for (int i = 1; i < argc; i++) {
        if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if ((v = cli_flag(argc, argv, &i, "purpose")))
            purpose = v;
        else if (!strcmp(argv[i], "--all"))
            all = true;
        else if (argv[i][0] == '-' && argv[i][1]) {
            json_decref(codes);
            return cli_usage(usage);
        } else if (!sub)
            sub = argv[i];
        else
            json_array_append_new(codes, json_string(argv[i]));
    }
    size_t n = json_array_size(codes);
    bool classify = sub && !strcmp(sub, "classify"), show = sub && !strcmp(sub, "show"),
         restr = sub && !strcmp(sub, "restrictions");
    if (!(classify && (all != (n > 0)) && !purpose) && !(show && n == 1 && !all && !purpose) &&
        !(restr && n == 1 && !all && purpose)) {
        json_decref(codes);
        return cli_usage(usage);
    }
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c) {
        fprintf(stderr, "nqi credit: %s\n", err.message[0] ? err.message : "no database");
        json_decref(codes);
        return 1;
    }
    http_principal p;
    auth_cli_principal(&p);
    credit_date today;
    credit_today(today);
    json_t *out = NULL;
    const char *code = n ? json_string_value(json_array_get(codes, 0)) : NULL;
    int rc;
    if (classify && all)
        rc = credit_classify_all(c, &p, "cli", today, NULL, &out, &err);
    else if (classify)
        rc = credit_classify_codes(c, &p, codes, &out, &err);
    else if (show)
        rc = credit_page(c, code, true, today, &out, &err);
    else
        rc = credit_restrictions(c, code, purpose, &out, &err);
    if (rc) {
        fprintf(stderr, "nqi credit %s: %s\n", sub, err.message);
        for (int i = 0; i < err.nfields; i++)
            fprintf(stderr, "  %s: %s\n", err.fields[i].field, err.fields[i].message);
    } else if (classify && all) {
        json_t *k = json_object_get(out, "counts");
        printf("classified %lld entities under rule set v%lld as of %s in %.1f s: A %lld, B %lld, "
               "C %lld, D %lld; %lld changed class\n",
               (long long)json_integer_value(json_object_get(out, "entities")),
               (long long)json_integer_value(json_object_get(out, "rule_version")),
               json_string_value(json_object_get(out, "as_of")),
               json_real_value(json_object_get(out, "seconds")),
               (long long)json_integer_value(json_object_get(k, "A")),
               (long long)json_integer_value(json_object_get(k, "B")),
               (long long)json_integer_value(json_object_get(k, "C")),
               (long long)json_integer_value(json_object_get(k, "D")),
               (long long)json_integer_value(json_object_get(out, "changed")));
    } else {
        print_json(out);
    }
    json_decref(out);
    json_decref(codes);
    return rc ? 1 : 0;
}
