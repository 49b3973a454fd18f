/* cli.c — shared CLI helpers and the database commands init, migrate, backup. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/util.h"
#include "core/version.h"

nqi_app *cli_app;

#define DEFAULT_DB "sqlite:data/nqi.db"

int cli_usage(const char *usage)
{
    fprintf(stderr, "usage: nqi %s\n", usage);
    return 2;
}

const char *cli_flag(int argc, char **argv, int *i, const char *name)
{
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) || strncmp(a + 2, name, strlen(name)))
        return NULL;
    const char *rest = a + 2 + strlen(name);
    if (*rest == '=')
        return rest + 1;
    if (*rest || *i + 1 >= argc)
        return NULL;
    (*i)++;
    return argv[*i];
}

const char *cli_db_url(int argc, char **argv)
{
    const char *env = getenv("NQI_DB");
    return env && *env ? env : DEFAULT_DB;
}

/* For a sqlite: URL whose directory does not exist yet (data/ on a fresh
 * clone), create the directory so the first run just works. */
static void ensure_sqlite_dir(const char *url)
{
    const char *path = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
    if (strstr(url, "://"))
        return;
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return;
    char *dir = xstrndup(path, (size_t)(slash - path));
    mkdir(dir, 0755);
    free(dir);
}

static int open_store(nqi_app *app, int argc, char **argv, bool migrate)
{
    nqi_error err = {0};
    app->db_url = cli_db_url(argc, argv);
    ensure_sqlite_dir(app->db_url);
    if (store_open(app->db_url, &app->st, &err)) {
        char *shown = store_redact_url(app->db_url); /* never print the password */
        fprintf(stderr, "nqi: cannot open database %s: %s\n", shown, err.message);
        free(shown);
        return 1;
    }
    if (!migrate)
        return 0;
    int applied = 0;
    if (store_migrate(app->st, &applied, &err)) {
        fprintf(stderr, "nqi: migration failed: %s\n", err.message);
        store_close(app->st);
        app->st = NULL;
        return 1;
    }
    if (applied)
        fprintf(stderr, "nqi: applied %d migration(s) to %s\n", applied,
                store_url_redacted(app->st));
    return 0;
}

int cli_app_open(nqi_app *app, int argc, char **argv)
{
    return open_store(app, argc, argv, true);
}

void cli_app_close(nqi_app *app)
{
    if (app->st)
        store_close(app->st);
    app->st = NULL;
}

int cli_platform_init(store_conn *c, nqi_error *err)
{
    int rc = publog_keys_init(c, err);
    if (rc)
        return rc;
    int64_t n = 0;
    static const char count_sql[] = "SELECT COUNT(*) FROM publog_leaves";
    if ((rc = store_query_int(c, count_sql, NULL, 0, &n, err)) || n > 0)
        return rc;
    /* Leaf 0 says what the log is, so a fresh log has a signed head and a
     * proof that `nqi verify` can check from the first minute. */
    char when[32];
    json_t *rec = json_pack("{s:s, s:s, s:s}", "kind", "log.genesis", "software",
                            "nqi " NQI_VERSION, "created_at",
                            time_iso8601(now_ms(), when, sizeof when));
    int64_t idx;
    if ((rc = store_begin(c, true, err)) == 0) {
        rc = publog_append(c, "log.genesis", "0", rec, &idx, err);
        rc = rc ? rc : store_commit(c, err);
        if (rc)
            store_rollback(c);
    }
    json_decref(rec);
    return rc;
}

/* The first admin: created by init when there is no admin yet, with a
 * random password printed once (never hard-coded). */
static int ensure_admin(nqi_app *app, nqi_error *err)
{
    store_conn *c = store_conn_thread(app->st, err);
    if (!c)
        return err->code;
    int64_t n = 0;
    static const char count_sql[] = "SELECT COUNT(*) FROM users WHERE role = 'admin'";
    int rc = store_query_int(c, count_sql, NULL, 0, &n, err);
    if (rc || n > 0)
        return rc;
    char pw[20];
    auth_random_password(pw, 16);
    http_principal actor;
    auth_cli_principal(&actor);
    int64_t id;
    if ((rc = store_begin(c, true, err)))
        return rc;
    rc = auth_user_add(c, &actor, "admin", pw, ROLE_ADMIN, "系统管理员", NULL, &id, err);
    if (!rc)
        rc = store_commit(c, err);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    printf("created user 'admin' with password: %s\n"
           "(shown once; change it with: nqi user passwd admin)\n", pw);
    return 0;
}

static int load_demo(nqi_app *app, nqi_error *err)
{
    store_conn *c = store_conn_thread(app->st, err);
    if (!c)
        return err->code;
    char *done = NULL;
    static const char get_sql[] = "SELECT value FROM settings WHERE key = 'demo.loaded'";
    int rc = store_query_text(c, get_sql, NULL, 0, &done, err);
    if (rc == 0) {
        free(done);
        printf("demo data already loaded\n");
        return 0;
    }
    if (rc != NQI_ENOTFOUND)
        return rc;
    nqi_error_clear(err);
    if ((rc = store_begin(c, true, err)))
        return rc;
    for (int i = 0; nqi_modules[i] && !rc; i++)
        if (nqi_modules[i]->demo)
            rc = nqi_modules[i]->demo(app, c, err);
    static const char set_sql[] = "INSERT INTO settings(key, value) VALUES ('demo.loaded', ?)";
    char when[32];
    time_iso8601(now_ms(), when, sizeof when);
    if (!rc)
        rc = store_exec(c, set_sql, (store_val[]){SV_TEXT(when)}, 1, NULL, err);
    if (!rc)
        rc = store_commit(c, err);
    if (rc) {
        store_rollback(c);
        return rc;
    }
    printf("demo data loaded\n");
    return 0;
}

int cmd_init(int argc, char **argv)
{
    bool demo = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--demo"))
            demo = true;
        else
            return cli_usage("init [--demo] [--db URL]");
    }
    nqi_app app = {0};
    if (open_store(&app, argc, argv, true))
        return 1;
    nqi_error err = {0};
    store_conn *c = store_conn_thread(app.st, &err);
    int rc = c ? 0 : err.code;
    if (!rc)
        rc = cli_platform_init(c, &err);
    if (!rc)
        rc = ensure_admin(&app, &err);
    if (!rc && demo)
        rc = load_demo(&app, &err);
    if (rc)
        fprintf(stderr, "nqi init: %s\n", err.message);
    else
        printf("database ready: %s\n", store_url_redacted(app.st));
    cli_app_close(&app);
    return rc ? 1 : 0;
}

int cmd_migrate(int argc, char **argv)
{
    bool status = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--status"))
            status = true;
        else
            return cli_usage("migrate [--status] [--db URL]");
    }
    nqi_app app = {0};
    if (open_store(&app, argc, argv, !status))
        return 1;
    nqi_error err = {0};
    int dbv = 0, codev = 0;
    int rc = store_schema_version(app.st, &dbv, &codev, &err);
    if (rc)
        fprintf(stderr, "nqi migrate: %s\n", err.message);
    else
        printf("schema version %d (this binary knows %d)\n", dbv, codev);
    cli_app_close(&app);
    return rc ? 1 : 0;
}

int cmd_backup(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-')
        return cli_usage("backup FILE");
    nqi_error err = {0};
    if (store_backup(cli_app->st, argv[1], &err)) {
        fprintf(stderr, "nqi backup: %s\n", err.message);
        return 1;
    }
    printf("backup written to %s\n", argv[1]);
    return 0;
}
