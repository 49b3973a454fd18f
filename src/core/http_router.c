/* http_router.c — the route table, path matching, percent-decoding and query
 * parsing. Everything here works on raw (still encoded) URL text so that an
 * encoded '/' inside a parameter (standard numbers: "GB%2FT%2019580-2012")
 * never splits a segment. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http_internal.h"
#include "core/json.h"

static const struct {
    int role;
    const char *name;
} role_names[] = {
    {ROLE_PUBLIC, "public"},       {ROLE_ENTERPRISE, "enterprise"}, {ROLE_INSPECTOR, "inspector"},
    {ROLE_REGULATOR, "regulator"}, {ROLE_ADMIN, "admin"},
};

const char *role_name(int role)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if (role_names[i].role == role)
            return role_names[i].name;
    return "unknown";
}

int role_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof role_names / sizeof role_names[0]; i++)
        if (!strcmp(role_names[i].name, name))
            return role_names[i].role;
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int http_url_decode(const char *src, size_t n, char *out, bool plus_space)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        if (ch == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval((unsigned char)src[i + 1]);
            int lo = hexval((unsigned char)src[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            ch = (char)(hi << 4 | lo);
            if (ch == 0)
                return -1;
            i += 2;
        } else if (ch == 0) {
            return -1;
        } else if (ch == '+' && plus_space) {
            ch = ' ';
        }
        out[o++] = ch;
    }
    out[o] = 0;
    if (!utf8_valid(out, o))
        return -1;
    return (int)o;
}

/* Next segment of a path starting after a '/': [*p, end). Advances *p to the
 * character after the segment (a '/' or the end). */
static size_t seg_len(const char *p)
{
    const char *e = strchr(p, '/');
    return e ? (size_t)(e - p) : strlen(p);
}

/*
 * Match and score. The score prefers literal segments over parameters,
 * earlier positions first, so "/users/me" wins over "/users/{id}".
 */
static int match_scored(const char *pattern, const char *path, char **vals, int max, int *nvals,
                        uint32_t *score)
{
    *nvals = 0;
    *score = 0;
    if (*pattern != '/' || *path != '/')
        return 0;
    const char *pp = pattern + 1, *xp = path + 1;
    int pos = 0;
    for (;;) {
        size_t pl = seg_len(pp), xl = seg_len(xp);
        bool param = pl >= 2 && pp[0] == '{' && pp[pl - 1] == '}';
        if (param) {
            if (xl == 0 || *nvals >= max)
                goto nomatch;
            char *v = xmalloc(xl + 1);
            if (http_url_decode(xp, xl, v, false) < 0) {
                free(v);
                for (int i = 0; i < *nvals; i++)
                    free(vals[i]);
                *nvals = 0;
                return -1;
            }
            vals[(*nvals)++] = v;
        } else {
            if (pl != xl || memcmp(pp, xp, pl))
                goto nomatch;
            if (pos < 32)
                *score |= 1u << (31 - pos);
        }
        pp += pl;
        xp += xl;
        if (!*pp && !*xp)
            return 1;
        if (!*pp || !*xp)
            goto nomatch;
        pp++, xp++, pos++;
    }
nomatch:
    for (int i = 0; i < *nvals; i++)
        free(vals[i]);
    *nvals = 0;
    return 0;
}

int http_path_match(const char *pattern, const char *path, char **vals, int max, int *nvals)
{
    uint32_t score;
    return match_scored(pattern, path, vals, max, nvals, &score);
}

void http_kv_free(http_kv *kv, int n)
{
    for (int i = 0; i < n; i++) {
        free(kv[i].name);
        free(kv[i].value);
        kv[i].name = kv[i].value = NULL;
    }
}

int http_query_parse(const char *qs, size_t n, http_kv *out, int max)
{
    int count = 0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && qs[j] != '&')
            j++;
        if (j > i) { /* skip empty pieces ("a=1&&b=2") */
            if (count >= max)
                goto fail;
            size_t eq = i;
            while (eq < j && qs[eq] != '=')
                eq++;
            char *name = xmalloc(eq - i + 1);
            size_t vlen = eq < j ? j - eq - 1 : 0;
            char *value = xmalloc(vlen + 1);
            if (http_url_decode(qs + i, eq - i, name, true) < 0 ||
                http_url_decode(qs + eq + (eq < j), vlen, value, true) < 0) {
                free(name);
                free(value);
                goto fail;
            }
            out[count].name = name;
            out[count].value = value;
            count++;
        }
        i = j + 1;
    }
    return count;
fail:
    http_kv_free(out, count);
    return -1;
}

int http_static_path(const char *raw_path, char *out, size_t outlen)
{
    if (!raw_path || raw_path[0] != '/')
        return NQI_EBADREQ;
    size_t n = strlen(raw_path);
    /* encoded '/' or '\' would let a "segment" climb after decoding */
    for (size_t i = 0; i + 2 < n; i++) {
        if (raw_path[i] == '%' && ((raw_path[i + 1] == '2' && (raw_path[i + 2] | 0x20) == 'f') ||
                                   (raw_path[i + 1] == '5' && (raw_path[i + 2] | 0x20) == 'c')))
            return NQI_EBADREQ;
    }
    char *dec = xmalloc(n + 1);
    int dl = http_url_decode(raw_path, n, dec, false);
    if (dl < 0 || strchr(dec, '\\')) {
        free(dec);
        return NQI_EBADREQ;
    }
    /* walk segments: no "." / ".." / hidden names, no empty inner segments */
    int rc = 0;
    const char *p = dec + 1;
    while (*p) {
        size_t l = seg_len(p);
        if (l == 0 && p[0] == '/') {
            rc = NQI_ENOTFOUND; /* "//" */
            break;
        }
        if (l > 0 && p[0] == '.') {
            rc = NQI_ENOTFOUND; /* ".", "..", ".git" */
            break;
        }
        p += l;
        if (*p == '/')
            p++;
    }
    if (!rc) {
        const char *rel = dec + 1;
        size_t rl = strlen(rel);
        bool dir = rl == 0 || rel[rl - 1] == '/';
        int w = snprintf(out, outlen, "%s%s", rel, dir ? "index.html" : "");
        if (w < 0 || (size_t)w >= outlen)
            rc = NQI_ENOTFOUND;
    }
    free(dec);
    return rc;
}

/* ---- the route table ---- */

void http_route(http_server *s, const char *method, const char *pattern, int roles, http_handler h,
                size_t body_limit, const char *summary)
{
    if (s->started) {
        /* metrics arrays are sized at start; the table is fixed after it */
        fprintf(stderr, "nqi: http_route(%s %s) after start ignored\n", method, pattern);
        return;
    }
    if (s->nroutes == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->routes = xrealloc(s->routes, (size_t)s->cap * sizeof *s->routes);
    }
    http_route_ent *r = &s->routes[s->nroutes++];
    memset(r, 0, sizeof *r);
    snprintf(r->method, sizeof r->method, "%s", method);
    r->pattern = xstrdup(pattern);
    r->roles = roles;
    r->handler = h;
    r->body_limit = body_limit;
    r->summary = xstrdup(summary ? summary : "");
}

void http_route_free(http_route_ent *r)
{
    free(r->pattern);
    free(r->summary);
}

const http_route_ent *http_router_find(http_server *s, http_ctx *c, const char *method,
                                       const char *raw_path, bool *path_known, char *allow,
                                       size_t allowlen, bool *bad)
{
    *path_known = false;
    *bad = false;
    allow[0] = 0;
    size_t alen = 0;
    bool head = !strcmp(method, "HEAD");
    const http_route_ent *best = NULL;
    uint32_t best_score = 0;
    char *vals[HTTP_MAX_PARAMS];
    int nvals;
    for (int i = 0; i < s->nroutes; i++) {
        const http_route_ent *r = &s->routes[i];
        uint32_t score;
        int m = match_scored(r->pattern, raw_path, vals, HTTP_MAX_PARAMS, &nvals, &score);
        if (m < 0) {
            *bad = true;
            continue;
        }
        if (m == 0)
            continue;
        bool method_ok = !strcmp(r->method, method) || (head && !strcmp(r->method, "GET"));
        if (!method_ok) {
            *path_known = true;
            if (!strstr(allow, r->method)) {
                int w = snprintf(allow + alen, allowlen - alen, "%s%s%s", alen ? ", " : "",
                                 r->method, !strcmp(r->method, "GET") ? ", HEAD" : "");
                if (w > 0 && (size_t)w < allowlen - alen)
                    alen += (size_t)w;
            }
        }
        if (!method_ok || (best && score <= best_score)) {
            for (int k = 0; k < nvals; k++)
                free(vals[k]);
            continue;
        }
        best = r;
        best_score = score;
        for (int k = 0; k < c->req.nparams; k++)
            free(c->param_val[k]);
        for (int k = 0; k < nvals; k++)
            c->param_val[k] = vals[k];
        c->req.nparams = nvals;
    }
    if (best) {
        /* names: the route's parameter segments, in order (split at start) */
        int k = 0;
        for (int i = 0; i < best->nseg && k < c->req.nparams; i++)
            if (best->is_param[i]) {
                c->req.param_name[k] = best->seg[i];
                c->req.param_val[k] = c->param_val[k];
                k++;
            }
        *bad = false;
    }
    return best;
}

/* Split each pattern into segments once (at start) so that parameter names
 * can be handed to requests without copying. */
void http_router_prepare(http_server *s)
{
    for (int i = 0; i < s->nroutes; i++) {
        http_route_ent *r = &s->routes[i];
        const char *p = r->pattern;
        int n = 0;
        r->seg = xcalloc(HTTP_MAX_SEGS, sizeof *r->seg);
        r->is_param = xcalloc(HTTP_MAX_SEGS, sizeof *r->is_param);
        while (*p == '/' && n < HTTP_MAX_SEGS) {
            p++;
            size_t l = seg_len(p);
            bool param = l >= 2 && p[0] == '{' && p[l - 1] == '}';
            r->seg[n] = param ? xstrndup(p + 1, l - 2) : xstrndup(p, l);
            r->is_param[n] = param;
            n++;
            p += l;
        }
        r->nseg = n;
    }
}

void http_router_release(http_server *s)
{
    for (int i = 0; i < s->nroutes; i++) {
        http_route_ent *r = &s->routes[i];
        for (int k = 0; r->seg && k < r->nseg; k++)
            free(r->seg[k]);
        free(r->seg);
        free(r->is_param);
        http_route_free(r);
    }
    free(s->routes);
    s->routes = NULL;
    s->nroutes = 0;
}

json_t *http_route_table(http_server *s)
{
    json_t *a = json_array();
    for (int i = 0; i < s->nroutes; i++) {
        const http_route_ent *r = &s->routes[i];
        json_t *roles = json_array();
        for (size_t k = 0; k < sizeof role_names / sizeof role_names[0]; k++)
            if (r->roles & role_names[k].role)
                json_array_append_new(roles, json_string(role_names[k].name));
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:s}", "method", r->method, "path",
                                           r->pattern, "roles", roles, "summary", r->summary));
    }
    return a;
}

int http_param_id(const http_req *r, const char *name, const char *what, int64_t *id,
                  nqi_error *err)
{
    const char *s = http_param(r, name);
    if (!str_to_i64(s, id) || *id <= 0)
        return nqi_error_set(err, NQI_ENOTFOUND, "%s '%s' not found", what, s ? s : "");
    return 0;
}

int http_list_params(const http_req *r, int64_t def, int64_t max, int64_t *limit, int64_t *cursor,
                     nqi_error *err)
{
    const char *l = http_query(r, "limit"), *c = http_query(r, "cursor");
    *limit = def;
    *cursor = 0;
    if (l && (!str_to_i64(l, limit) || *limit < 1 || *limit > max))
        nqi_error_field(err, NQI_EINVAL, "limit", "must be an integer from 1 to %lld",
                        (long long)max);
    if (c && *c && (!str_to_i64(c, cursor) || *cursor < 0))
        nqi_error_field(err, NQI_EINVAL, "cursor", "invalid cursor");
    return err->code;
}
