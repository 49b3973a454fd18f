/*
 * cli.h — `nqi <command>`: each command is a function over argv (argv[0] is
 * the command name) that returns a process exit code: 0 ok, 1 failure,
 * 2 usage error (unknown flag, missing argument; usage printed to stderr).
 * Commands print results to stdout and errors to stderr; no exit() below
 * main. Options come from flags first, then the environment (NQI_DB,
 * NQI_LISTEN), then defaults.
 */
#ifndef NQI_CLI_H
#define NQI_CLI_H

#include "core/app.h"

typedef struct cli_command {
    const char *name;
    const char *usage;   /* one line: "user add|passwd|list ..." */
    const char *summary;
    int (*run)(int argc, char **argv);
    bool needs_db;       /* main opens (and migrates) the store first */
} cli_command;

/* Set by main before a needs_db command runs. */
extern nqi_app *cli_app;

/* Commands provided by core parts (one file each in src/cli/). */
int cmd_serve(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_standards(int argc, char **argv);
int cmd_draw(int argc, char **argv);      /* src/cli/cli_draw.c */
int cmd_directory(int argc, char **argv); /* src/cli/cli_draw.c */
int cmd_credit(int argc, char **argv);    /* src/cli/cli_credit.c */
int cmd_trace(int argc, char **argv);     /* src/cli/cli_trace.c */

/* Print a usage line for a command to stderr and return 2. */
int cli_usage(const char *usage);

/* Open the store named by --db (or NQI_DB, default sqlite:data/nqi.db) and
 * migrate it; on failure print why and return 1. --db is consumed from
 * argv by the individual commands too (cli_flag skips it). */
int cli_app_open(nqi_app *app, int argc, char **argv);
void cli_app_close(nqi_app *app);
const char *cli_db_url(int argc, char **argv);

/* Signing keys and the log's genesis leaf: run by init and serve. */
int cli_platform_init(store_conn *c, nqi_error *err);

/* Helpers for flag parsing: `--name value` or `--name=value`. Returns the
 * value and advances *i, or NULL when argv[*i] is not that flag. */
const char *cli_flag(int argc, char **argv, int *i, const char *name);

#endif
