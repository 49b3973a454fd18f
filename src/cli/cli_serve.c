/* cli_serve.c — `nqi serve`: start the HTTP server and wait for SIGTERM or
 * SIGINT, then stop accepting and let in-flight requests finish. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/util.h"

static const char serve_usage[] =
    "serve [--listen HOST:PORT] [--static DIR] [--threads N] [--quiet]";

static int parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s || (size_t)(colon - s) >= hostlen)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    *port = (int)p;
    return 0;
}

static const char *default_static_dir(void)
{
    const char *env = getenv("NQI_STATIC");
    if (env && *env)
        return env;
    return access("web/dist/index.html", R_OK) == 0 ? "web/dist" : NULL;
}

int cmd_serve(int argc, char **argv)
{
    const char *listen = getenv("NQI_LISTEN");
    const char *static_dir = default_static_dir();
    const char *env_threads = getenv("NQI_THREADS");
    int threads = env_threads ? atoi(env_threads) : 8; /* see docs/benchmarks.md */
    bool quiet = false;
    for (int i = 1; i < argc; i++) {
        const char *v;
        if ((v = cli_flag(argc, argv, &i, "listen")))
            listen = v;
        else if ((v = cli_flag(argc, argv, &i, "static")))
            static_dir = v;
        else if ((v = cli_flag(argc, argv, &i, "threads")))
            threads = atoi(v);
        else if (!strcmp(argv[i], "--quiet"))
            quiet = true;
        else
            return cli_usage(serve_usage);
    }
    char host[128] = "127.0.0.1";
    int port = 8080;
    if (listen && *listen && parse_listen(listen, host, sizeof host, &port)) {
        fprintf(stderr, "nqi serve: --listen/NQI_LISTEN must be HOST:PORT, got '%s'\n", listen);
        return 2;
    }
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "nqi serve: --threads must be 1..256\n");
        return 2;
    }

    nqi_error err = {0};
    store_conn *c = store_conn_thread(cli_app->st, &err);
    if (!c || cli_platform_init(c, &err) ||
        store_sqlite_checkpointer_start(cli_app->st, &err)) {
        fprintf(stderr, "nqi serve: %s\n", err.message);
        return 1;
    }

    /* Block the stop signals before any thread starts so that only sigwait
     * below receives them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    http_config cfg = {.host = host,
                       .port = port,
                       .threads = threads,
                       .conn_limit = 1024,
                       .conn_timeout_s = 30,
                       .body_limit = 1 << 20,
                       .static_dir = static_dir,
                       .access_log = !quiet};
    cli_app->listen = listen;
    cli_app->static_dir = static_dir;
    http_server *s = http_server_new(&cfg, cli_app->st, cli_app);
    cli_app->http = s;
    http_set_auth(s, auth_authenticate);
    for (int i = 0; nqi_modules[i]; i++)
        if (nqi_modules[i]->routes)
            nqi_modules[i]->routes(s);
    if (http_server_start(s, &err)) {
        fprintf(stderr, "nqi serve: %s\n", err.message);
        http_server_stop(s);
        return 1;
    }
    for (int i = 0; nqi_modules[i]; i++) {
        if (nqi_modules[i]->start && nqi_modules[i]->start(cli_app, &err)) {
            fprintf(stderr, "nqi serve: module %s: %s\n", nqi_modules[i]->name, err.message);
            for (int j = i - 1; j >= 0; j--)
                if (nqi_modules[j]->stop)
                    nqi_modules[j]->stop(cli_app);
            http_server_stop(s);
            return 1;
        }
    }
    printf("nqi serving http://%s:%d/ (database %s%s%s)\n", host, http_server_port(s),
           store_url_redacted(cli_app->st), static_dir ? ", web UI from " : ", no web UI",
           static_dir ? static_dir : "");
    fflush(stdout);

    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "nqi serve: signal %d, finishing in-flight requests\n", sig);
    http_server_stop(s);
    for (int i = 0; nqi_modules[i]; i++)
        if (nqi_modules[i]->stop)
            nqi_modules[i]->stop(cli_app);
    cli_app->http = NULL;
    fprintf(stderr, "nqi serve: stopped\n");
    return 0;
}
