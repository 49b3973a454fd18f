/* core_routes.c — platform routes that belong to no domain: health, metrics,
 * the OpenAPI document. */
#include <jansson.h>
#include <string.h>

#include "core/app.h"
#include "core/util.h"
#include "core/version.h"

extern const unsigned char nqi_openapi_json[];
extern const unsigned long nqi_openapi_json_len;

static void health(http_req *r, http_resp *w)
{
    nqi_app *app = r->app;
    nqi_error err = {0};
    int dbv = 0, codev = 0;
    int64_t one = 0;
    int rc = r->db ? store_query_int(r->db, "SELECT 1", NULL, 0, &one, &err) : NQI_EDB;
    if (!rc)
        rc = store_schema_version(app->st, &dbv, &codev, &err);
    char now[32];
    json_t *body = json_pack("{s:s, s:s, s:s, s:i, s:s}", "status", rc ? "degraded" : "ok",
                             "version", NQI_VERSION, "db",
                             store_kind(app->st) == STORE_PG ? "postgresql" : "sqlite",
                             "schema_version", dbv, "time", time_iso8601(now_ms(), now, sizeof now));
    if (rc)
        json_object_set_new(body, "error", json_string(err.message));
    http_resp_json(w, rc ? 503 : 200, body);
}

static void metrics(http_req *r, http_resp *w)
{
    nqi_app *app = r->app;
    char *text = http_metrics_text(app->http);
    http_resp_text(w, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
}

static void openapi(http_req *r, http_resp *w)
{
    char *doc = xstrndup((const char *)nqi_openapi_json, nqi_openapi_json_len);
    http_resp_text(w, 200, "application/json", doc, nqi_openapi_json_len);
    http_resp_header(w, "Cache-Control", "no-cache");
}

static void core_routes(http_server *s)
{
    http_route(s, "GET", "/api/v1/health", ROLES_ANY, health, 0, "liveness and database check");
    http_route(s, "GET", "/metrics", ROLES_ANY, metrics, 0, "Prometheus metrics");
    http_route(s, "GET", "/api/v1/openapi.json", ROLES_ANY, openapi, 0, "this API's OpenAPI 3.1");
}

const nqi_module core_module = {.name = "core", .routes = core_routes};
