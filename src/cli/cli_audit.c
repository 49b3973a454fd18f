/*
 * cli_audit.c — `nqi audit verify|list` (needs the database) and
 * `nqi verify FILE [--key PUBKEY]` / `nqi verify --consistency FILE`, which
 * check a public-log proof offline: no database, only the file and a key.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/util.h"

static const char audit_usage[] = "audit verify | list [--limit N]";
static const char verify_usage[] = "verify [--consistency] FILE [--key PUBKEY|@KEYFILE]";

static int audit_verify_cmd(store_conn *c)
{
    nqi_error err = {0};
    int64_t n = 0;
    int rc = audit_verify(c, &n, &err);
    if (rc) {
        fprintf(stderr, "audit: %s\n", err.message);
        if (rc == NQI_ECONFLICT)
            fprintf(stderr, "audit: %lld records verified before the failure\n", (long long)n);
        return 1;
    }
    printf("audit: %lld records verified, chain intact\n", (long long)n);
    return 0;
}

static int audit_list_cmd(store_conn *c, int64_t limit)
{
    static const char sql[] = "SELECT id, at, actor, action, entity, entity_id, hash "
                              "FROM audit_log ORDER BY id DESC LIMIT ?";
    nqi_error err = {0};
    store_rows *rows = NULL;
    store_val p[] = {SV_INT(limit)};
    if (store_query(c, sql, p, 1, &rows, &err)) {
        fprintf(stderr, "nqi audit list: %s\n", err.message);
        return 1;
    }
    printf("%-6s %-24s %-20s %-16s %-24s %s\n", "ID", "AT", "ACTOR", "ACTION", "ENTITY", "HASH");
    int rc;
    while ((rc = store_next(rows)) == 1) {
        char t[32], ent[96];
        const char *eid = store_text(rows, 5);
        snprintf(ent, sizeof ent, "%s%s%s", store_text(rows, 4), eid && *eid ? ":" : "",
                 eid ? eid : "");
        printf("%-6lld %-24s %-20s %-16s %-24s %.16s\n", (long long)store_int(rows, 0),
               time_iso8601(store_int(rows, 1), t, sizeof t), store_text(rows, 2),
               store_text(rows, 3), ent, store_text(rows, 6));
    }
    store_rows_close(rows);
    return rc < 0 ? 1 : 0;
}

int cmd_audit(int argc, char **argv)
{
    int64_t limit = 50;
    const char *sub = NULL, *v;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "limit"))) {
            char *end;
            limit = strtoll(v, &end, 10);
            if (*end || limit < 1)
                return cli_usage(audit_usage);
        } else if (cli_flag(argc, argv, &i, "db")) {
            continue;
        } else if (argv[i][0] == '-' || sub) {
            return cli_usage(audit_usage);
        } else {
            sub = argv[i];
        }
    }
    if (!sub || (strcmp(sub, "verify") && strcmp(sub, "list")))
        return cli_usage(audit_usage);
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c) {
        fprintf(stderr, "nqi audit: no database connection %s\n", err.message);
        return 1;
    }
    return !strcmp(sub, "verify") ? audit_verify_cmd(c) : audit_list_cmd(c, limit);
}

/* --key takes the key itself (hex or base64) or @FILE holding it. */
static char *key_arg(const char *v)
{
    if (v[0] != '@')
        return xstrdup(v);
    char *s = NULL;
    if (file_read_all(v + 1, 4096, &s, NULL)) {
        fprintf(stderr, "nqi verify: cannot read key file %s\n", v + 1);
        return NULL;
    }
    return s;
}

int cmd_verify(int argc, char **argv)
{
    const char *file = NULL, *keyv = NULL, *v;
    bool consistency = false;
    for (int i = 1; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "key")))
            keyv = v;
        else if (!strcmp(argv[i], "--consistency"))
            consistency = true;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_usage(verify_usage);
        else if (file)
            return cli_usage(verify_usage);
        else
            file = argv[i];
    }
    if (!file)
        return cli_usage(verify_usage);
    json_error_t jerr;
    json_t *doc = !strcmp(file, "-") ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
                                     : json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        fprintf(stderr, "nqi verify: %s: %s (line %d)\n", file, jerr.text, jerr.line);
        return 1;
    }
    char *key = keyv ? key_arg(keyv) : NULL;
    if (keyv && !key) {
        json_decref(doc);
        return 1;
    }
    if (!key)
        fprintf(stderr, "warning: no --key given; using the public key inside the file. A proof "
                        "is only as good as its key: take the key from a trusted source.\n");
    nqi_error err = {0};
    int rc = consistency ? publog_verify_consistency(doc, key, &err)
                         : publog_verify_bundle(doc, key, &err);
    if (rc) {
        fprintf(stderr, "verification FAILED: %s\n", err.message);
    } else if (consistency) {
        /* the sizes from the signed heads, which are what was verified */
        printf("verified: tree of size %lld is a prefix of tree of size %lld (both heads "
               "signed)\n",
               (long long)json_integer_value(
                   json_object_get(json_object_get(doc, "first_head"), "tree_size")),
               (long long)json_integer_value(
                   json_object_get(json_object_get(doc, "second_head"), "tree_size")));
    } else {
        json_t *head = json_object_get(doc, "head");
        char t[32];
        printf("verified: leaf %lld included in tree of size %lld signed at %s\n",
               (long long)json_integer_value(json_object_get(json_object_get(doc, "leaf"),
                                                             "index")),
               (long long)json_integer_value(json_object_get(doc, "tree_size")),
               time_iso8601(json_integer_value(json_object_get(head, "timestamp_ms")), t,
                            sizeof t));
    }
    free(key);
    json_decref(doc);
    return rc ? 1 : 0;
}
