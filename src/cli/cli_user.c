/*
 * cli_user.c — `nqi user add|passwd|list` and `nqi token add|revoke|list`.
 * Both act as the "cli" principal (auth_cli_principal) on the store main
 * opened (cli_app->st); every write is one transaction with its audit record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/auth.h"
#include "core/util.h"

static const char user_usage[] =
    "user add [--role ROLE] [--password PW] [--display-name N] [--credit-code C] NAME\n"
    "       nqi user passwd [--password PW] NAME\n"
    "       nqi user list";
static const char token_usage[] = "token add --role ROLE [--org ORG] NAME\n"
                                  "       nqi token revoke ID\n"
                                  "       nqi token list";

static store_conn *cli_conn(void)
{
    nqi_error err = {0};
    store_conn *c = cli_app && cli_app->st ? store_conn_thread(cli_app->st, &err) : NULL;
    if (!c)
        fprintf(stderr, "nqi: no database connection%s%s\n", err.code ? ": " : "",
                err.message);
    return c;
}

/* Print an error with its field messages; returns 1. */
static int cli_fail(const char *what, const nqi_error *err)
{
    fprintf(stderr, "nqi %s: %s\n", what, err->message);
    for (int i = 1; i < err->nfields; i++)
        fprintf(stderr, "  %s: %s\n", err->fields[i].field, err->fields[i].message);
    return 1;
}

/* The write functions in auth.c open their own transaction when none is
 * open, so a failure leaves nothing behind. */

static int user_add(int argc, char **argv)
{
    const char *role = "inspector", *pw = NULL, *dn = NULL, *cc = NULL, *name = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "role")))
            role = v;
        else if ((v = cli_flag(argc, argv, &i, "password")))
            pw = v;
        else if ((v = cli_flag(argc, argv, &i, "display-name")))
            dn = v;
        else if ((v = cli_flag(argc, argv, &i, "credit-code")))
            cc = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (argv[i][0] == '-' || name)
            return cli_usage(user_usage);
        else
            name = argv[i];
    }
    if (!name)
        return cli_usage(user_usage);
    int r = role_from_name(role);
    if (!r) {
        fprintf(stderr, "nqi user add: unknown role '%s' (enterprise, inspector, regulator, "
                        "admin)\n", role);
        return 2;
    }
    char generated[20] = "";
    if (!pw || !*pw)
        pw = getenv("NQI_PASSWORD");
    if (!pw || !*pw) {
        auth_random_password(generated, 17);
        pw = generated;
    }
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    http_principal actor;
    auth_cli_principal(&actor);
    nqi_error err = {0};
    int64_t id;
    if (auth_user_add(c, &actor, name, pw, r, dn, cc, &id, &err))
        return cli_fail("user add", &err);
    printf("user %s created (id %lld, role %s)\n", name, (long long)id, role_name(r));
    if (generated[0])
        printf("password: %s\n", generated);
    return 0;
}

static int user_passwd(int argc, char **argv)
{
    const char *pw = NULL, *name = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "password")))
            pw = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (argv[i][0] == '-' || name)
            return cli_usage(user_usage);
        else
            name = argv[i];
    }
    if (!name)
        return cli_usage(user_usage);
    char generated[20] = "";
    if (!pw || !*pw)
        pw = getenv("NQI_PASSWORD");
    if (!pw || !*pw) {
        auth_random_password(generated, 17);
        pw = generated;
    }
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    http_principal actor;
    auth_cli_principal(&actor);
    nqi_error err = {0};
    if (auth_user_passwd(c, &actor, name, pw, &err))
        return cli_fail("user passwd", &err);
    printf("password changed for %s\n", name);
    if (generated[0])
        printf("password: %s\n", generated);
    return 0;
}

static int only_db_flags(int argc, char **argv, int from)
{
    for (int i = from; i < argc; i++)
        if (!cli_flag(argc, argv, &i, "db"))
            return -1;
    return 0;
}

static int user_list(int argc, char **argv)
{
    static const char sql[] = "SELECT id, username, role, disabled, credit_code, display_name "
                              "FROM users ORDER BY id";
    if (only_db_flags(argc, argv, 2))
        return cli_usage(user_usage);
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    nqi_error err = {0};
    store_rows *rows = NULL;
    if (store_query(c, sql, NULL, 0, &rows, &err))
        return cli_fail("user list", &err);
    printf("%-6s %-24s %-11s %-8s %-18s %s\n", "ID", "USERNAME", "ROLE", "STATUS", "CREDIT CODE",
           "DISPLAY NAME");
    int rc;
    while ((rc = store_next(rows)) == 1) {
        const char *cc = store_text(rows, 4), *dn = store_text(rows, 5);
        printf("%-6lld %-24s %-11s %-8s %-18s %s\n", (long long)store_int(rows, 0),
               store_text(rows, 1), store_text(rows, 2),
               store_int(rows, 3) ? "disabled" : "active", cc && *cc ? cc : "-", dn ? dn : "");
    }
    store_rows_close(rows);
    if (rc < 0) {
        fprintf(stderr, "nqi user list: reading users failed\n");
        return 1;
    }
    return 0;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(user_usage);
    if (!strcmp(argv[1], "add"))
        return user_add(argc, argv);
    if (!strcmp(argv[1], "passwd"))
        return user_passwd(argc, argv);
    if (!strcmp(argv[1], "list"))
        return user_list(argc, argv);
    return cli_usage(user_usage);
}

/* ---- tokens ---- */

static int token_add(int argc, char **argv)
{
    const char *role = NULL, *org = NULL, *name = NULL, *v;
    for (int i = 2; i < argc; i++) {
        if ((v = cli_flag(argc, argv, &i, "role")))
            role = v;
        else if ((v = cli_flag(argc, argv, &i, "org")))
            org = v;
        else if (cli_flag(argc, argv, &i, "db"))
            continue;
        else if (argv[i][0] == '-' || name)
            return cli_usage(token_usage);
        else
            name = argv[i];
    }
    if (!name || !role)
        return cli_usage(token_usage);
    int r = role_from_name(role);
    if (!r) {
        fprintf(stderr, "nqi token add: unknown role '%s' (enterprise, inspector, regulator, "
                        "admin)\n", role);
        return 2;
    }
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    http_principal actor;
    auth_cli_principal(&actor);
    nqi_error err = {0};
    int64_t id;
    char *token = NULL;
    if (auth_token_add(c, &actor, name, r, org, &id, &token, &err))
        return cli_fail("token add", &err);
    /* The token alone on the last line: scripts take it with `tail -n1`. */
    printf("token %lld '%s' (role %s) created; it is shown only once:\n", (long long)id, name,
           role_name(r));
    printf("%s\n", token);
    free(token);
    return 0;
}

static int token_revoke(int argc, char **argv)
{
    const char *ids = NULL;
    for (int i = 2; i < argc; i++) {
        if (cli_flag(argc, argv, &i, "db"))
            continue;
        if (argv[i][0] == '-' || ids)
            return cli_usage(token_usage);
        ids = argv[i];
    }
    char *end;
    long long id = ids ? strtoll(ids, &end, 10) : 0;
    if (!ids || *end || id <= 0)
        return cli_usage(token_usage);
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    http_principal actor;
    auth_cli_principal(&actor);
    nqi_error err = {0};
    if (auth_token_revoke(c, &actor, id, &err))
        return cli_fail("token revoke", &err);
    printf("token %lld revoked\n", id);
    return 0;
}

static int token_list(int argc, char **argv)
{
    static const char sql[] = "SELECT id, name, role, owner_org, created_at, revoked_at, "
                              "last_used_at FROM api_tokens ORDER BY id";
    if (only_db_flags(argc, argv, 2))
        return cli_usage(token_usage);
    store_conn *c = cli_conn();
    if (!c)
        return 1;
    nqi_error err = {0};
    store_rows *rows = NULL;
    if (store_query(c, sql, NULL, 0, &rows, &err))
        return cli_fail("token list", &err);
    printf("%-6s %-24s %-11s %-20s %-8s %-24s %s\n", "ID", "NAME", "ROLE", "ORG", "STATUS",
           "CREATED", "LAST USED");
    int rc;
    while ((rc = store_next(rows)) == 1) {
        char t1[32], t2[32] = "-";
        const char *org = store_text(rows, 3);
        if (!store_isnull(rows, 6))
            time_iso8601(store_int(rows, 6), t2, sizeof t2);
        printf("%-6lld %-24s %-11s %-20s %-8s %-24s %s\n", (long long)store_int(rows, 0),
               store_text(rows, 1), store_text(rows, 2), org && *org ? org : "-",
               store_isnull(rows, 5) ? "active" : "revoked",
               time_iso8601(store_int(rows, 4), t1, sizeof t1), t2);
    }
    store_rows_close(rows);
    if (rc < 0) {
        fprintf(stderr, "nqi token list: reading tokens failed\n");
        return 1;
    }
    return 0;
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage(token_usage);
    if (!strcmp(argv[1], "add"))
        return token_add(argc, argv);
    if (!strcmp(argv[1], "revoke"))
        return token_revoke(argc, argv);
    if (!strcmp(argv[1], "list"))
        return token_list(argc, argv);
    return cli_usage(token_usage);
}
