/*
 * app.h — the process-wide context handed to handlers (req->app) and CLI
 * commands, and the module registry.
 *
 * A module (core auth/audit/log, standards, supervision, ...) exposes one
 * nqi_module value; main.c lists them in modules.c. Adding a module means
 * adding it to that list — nothing else in core changes.
 */
#ifndef NQI_APP_H
#define NQI_APP_H

#include "core/http.h"
#include "core/store.h"

typedef struct nqi_app {
    store *st;
    http_server *http;
    const char *db_url;
    const char *listen;
    const char *static_dir;
} nqi_app;

typedef struct nqi_module {
    const char *name;
    /* register HTTP routes (may be NULL) */
    void (*routes)(http_server *s);
    /* load demo data inside an open write transaction (may be NULL) */
    int (*demo)(nqi_app *app, store_conn *c, nqi_error *err);
} nqi_module;

extern const nqi_module *const nqi_modules[]; /* NULL-terminated */

#endif
