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
    {"standards", "standards import FILE [--dry-run] [--source S] | get NUMBER | search Q [--json] | notice FILE.json",
     "the standards catalogue", cmd_standards, true},
    {"check", "check FILE|- [--as-of DATE] [--json]",
     "validity confirmation of a list of standard references", cmd_check, true},
    {"draw", "draw verify FILE | list [--limit N] | show ID [--bundle]",
     "verifiable 双随机 draws (verify needs no database)", cmd_draw, false},
    {"directory", "directory import entities|inspectors FILE [--dry-run]",
     "import the supervision directories (CSV, UTF-8 or GB18030)", cmd_directory, true},
    {"credit", "credit classify --all | classify CODE... | show CODE | restrictions CODE --purpose P",
     "quality-credit classification (质量信用分类)", cmd_credit, true},
    {"trace", "trace backward|forward ID | recall ID... [--xlsx F|--csv F] | qr ID | demo",
     "EPCIS genealogy, recall scope, QR codes, demo chain", cmd_trace, true},
    {"version", "version", "print the version", cmd_version, false},
    {"help", "help", "this list", cmd_help, false},
};

/* The flags of the commands that need the database, checked before main
 * opens (and migrates, or creates) it: a usage error must not touch the
 * database. "name=" takes a value ("--name V" or "--name=V"), "name" is a
 * switch. Commands not listed here are not pre-checked (they parse their
 * own flags, and those without the database have nothing to protect). */
static const struct {
    const char *command;
    const char *flags;
} command_flags[] = {
    {"serve", "listen=,static=,threads=,quiet"},
    {"user", "role=,password=,display-name=,credit-code="},
    {"token", "role=,org="},
    {"audit", "limit="},
    {"backup", ""},
    {"directory", "dry-run"},
    {"credit", "all,purpose="},
    {"trace", "depth=,from=,to=,xlsx=,csv=,base=,png="},
};

/* Does the comma-separated spec list the flag name[0..n)? *value gets
 * whether it takes a value. */
static bool flag_known(const char *spec, const char *name, size_t n, bool *value)
{
    while (*spec) {
        size_t l = strcspn(spec, ",");
        bool v = l && spec[l - 1] == '=';
        size_t nl = v ? l - 1 : l;
        if (nl == n && !strncmp(spec, name, n)) {
            *value = v;
            return true;
        }
        spec += l;
        if (*spec == ',')
            spec++;
    }
    return false;
}

/* 0, or 2 after printing usage when argv has a flag the command does not
 * take (or a value flag without its value). */
static int flags_precheck(const cli_command *c, int argc, char **argv)
{
    const char *spec = NULL;
    for (size_t i = 0; i < sizeof command_flags / sizeof command_flags[0]; i++)
        if (!strcmp(command_flags[i].command, c->name))
            spec = command_flags[i].flags;
    if (!spec)
        return 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1])
            continue; /* an operand, or "-" for stdin */
        if (a[1] != '-')
            return cli_usage(c->usage); /* no single-dash flags */
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t n = eq ? (size_t)(eq - name) : strlen(name);
        bool takes_value;
        if (!flag_known(spec, name, n, &takes_value) || (eq && !takes_value))
            return cli_usage(c->usage);
        if (takes_value && !eq && ++i >= argc)
            return cli_usage(c->usage);
    }
    return 0;
}

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
        int rc = flags_precheck(c, argc, argv);
        if (rc)
            return rc;
        nqi_app app = {0};
        rc = cli_app_open(&app, argc - 1, argv + 1);
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
