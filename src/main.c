/*
 * main.c — `nqi <command>`: find the command, open the store for commands
 * that need it, run it. Exit codes: 0 ok, 1 failure, 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/app.h"
#include "core/version.h"

static int cmd_version(int argc, char **argv)
{
    printf("nqi %s\n", NQI_VERSION);
    return 0;
}

static int cmd_help(int argc, char **argv);

static const cli_command commands[] = {
    {"serve", "serve [--listen HOST:PORT] [--db URL] [--static DIR] [--threads N] [--quiet]",
     "serve the API and the web portal", cmd_serve, true},
    {"init", "init [--demo] [--db URL]", "create or migrate the database (and load demo data)",
     cmd_init, false},
    {"migrate", "migrate [--db URL] [--status]", "apply pending database migrations", cmd_migrate,
     false},
    {"user", "user add|passwd|list ...", "manage users", cmd_user, true},
    {"token", "token add --role ROLE NAME | revoke ID | list", "manage API tokens", cmd_token,
     true},
    {"backup", "backup FILE", "online backup of the SQLite database to FILE", cmd_backup, true},
    {"audit", "audit verify | list", "verify the hash-chained audit log", cmd_audit, true},
    {"verify", "verify FILE [--key PUBKEY]", "check a public-log inclusion proof offline",
     cmd_verify, false},
    {"standards", "standards import FILE [--dry-run] [--source S] | get NUMBER | search Q [--json]",
     "the standards catalogue", cmd_standards, true},
    {"check", "check FILE|- [--as-of DATE] [--json]",
     "validity confirmation of a list of standard references", cmd_check, true},
    {"version", "version", "print the version", cmd_version, false},
    {"help", "help", "this list", cmd_help, false},
};

static int cmd_help(int argc, char **argv)
{
    FILE *out = argc < 0 ? stderr : stdout;
    fprintf(out, "nqi %s — quality-infrastructure platform\n\nusage: nqi <command> [options]\n\n",
            NQI_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n            %s\n", commands[i].name, commands[i].summary,
                commands[i].usage);
    fprintf(out, "\nenvironment: NQI_DB=sqlite:PATH|postgresql://...  NQI_LISTEN=HOST:PORT\n"
                 "default database: sqlite:data/nqi.db\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_help(-1, NULL);
        return 2;
    }
    /* --db URL anywhere after the command sets NQI_DB for every command, so
     * each command parses only its own flags. */
    for (int i = 2; i < argc; i++) {
        const char *v = NULL;
        int drop = 0;
        if (!strcmp(argv[i], "--db") && i + 1 < argc) {
            v = argv[i + 1];
            drop = 2;
        } else if (!strncmp(argv[i], "--db=", 5)) {
            v = argv[i] + 5;
            drop = 1;
        }
        if (!v)
            continue;
        setenv("NQI_DB", v, 1);
        memmove(&argv[i], &argv[i + drop], (size_t)(argc - i - drop + 1) * sizeof *argv);
        argc -= drop;
        i--;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        name = "help";
    if (!strcmp(name, "--version"))
        name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        const cli_command *c = &commands[i];
        if (strcmp(c->name, name))
            continue;
        if (!c->needs_db)
            return c->run(argc - 1, argv + 1);
        nqi_app app = {0};
        int rc = cli_app_open(&app, argc - 1, argv + 1);
        if (rc)
            return rc;
        cli_app = &app;
        rc = c->run(argc - 1, argv + 1);
        cli_app_close(&app);
        return rc;
    }
    fprintf(stderr, "nqi: unknown command '%s'\n\n", argv[1]);
    cmd_help(-1, NULL);
    return 2;
}
