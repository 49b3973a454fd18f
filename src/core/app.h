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
    /* serve only: start background work after the server is listening
     * (webhook delivery, reminders); stop it before the store closes.
     * Either may be NULL. Background threads get their own store
     * connections via store_conn_thread and must hold no state the store
     * does not have (several servers may run on one PostgreSQL). */
    int (*start)(nqi_app *app, nqi_error *err);
    void (*stop)(nqi_app *app);
} nqi_module;

extern const nqi_module *const nqi_modules[]; /* NULL-terminated */

#endif
