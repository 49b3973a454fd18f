/* http_static.c — the built web UI (web/dist) from cfg->static_dir.
 *
 * Safety: the raw path is checked by http_static_path (no NUL, no encoded
 * slashes, no dot segments), and the realpath of the file must still lie
 * inside the realpath of the root, so a symlink cannot lead out either.
 * Paths that name no file and do not look like a file (no extension, not
 * under /assets/) get index.html: the Vue router runs in history mode. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/http_internal.h"

static const struct {
    const char *ext, *type;
} mime_types[] = {
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"json", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"map", "application/json"},
    {"txt", "text/plain; charset=utf-8"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
};

static const char *mime_for(const char *rel)
{
    const char *slash = strrchr(rel, '/');
    const char *dot = strrchr(slash ? slash : rel, '.');
    if (dot)
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
            if (!strcasecmp(dot + 1, mime_types[i].ext))
                return mime_types[i].type;
    return "application/octet-stream";
}

/* Open root/rel read-only when it is a regular file inside root. */
static int open_inside(const char *root, const char *rel, struct stat *st)
{
    char *full = xasprintf("%s/%s", root, rel);
    char *real = realpath(full, NULL);
    free(full);
    if (!real)
        return -1;
    size_t rl = strlen(root);
    int fd = -1;
    if (!strncmp(real, root, rl) && real[rl] == '/')
        fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    free(real);
    if (fd >= 0 && (fstat(fd, st) < 0 || !S_ISREG(st->st_mode))) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* Does a path name a file the build could have produced? Under /assets/,
 * or a last segment ending in a web file extension. Anything else is a page
 * of the Vue app (history mode) and gets index.html — including paths such
 * as /standards/GB%2FT%201.1-2020 whose segments hold encoded slashes or
 * dots, which can never name a file here. */
static bool looks_like_file(const char *path)
{
    static const char *const exts[] = {"js",  "mjs",  "css", "map", "png",  "jpg",  "jpeg",
                                       "gif", "svg",  "ico", "webp", "json", "txt", "html",
                                       "woff", "woff2", "ttf", "webmanifest", "xml", NULL};
    if (*path == '/')
        path++;
    if (!strncmp(path, "assets/", 7))
        return true;
    const char *slash = strrchr(path, '/');
    const char *last = slash ? slash + 1 : path;
    const char *dot = strrchr(last, '.');
    if (!dot || strchr(dot, '%'))
        return false;
    for (int i = 0; exts[i]; i++)
        if (!strcasecmp(dot + 1, exts[i]))
            return true;
    return false;
}

void http_static_serve(http_server *s, http_ctx *c, http_resp *w)
{
    char rel[1024];
    struct stat st;
    int fd = -1;
    int rc = http_static_path(c->raw_uri, rel, sizeof rel);
    if (rc == 0)
        fd = open_inside(s->static_root, rel, &st);
    if (fd < 0) {
        if (looks_like_file(c->raw_uri)) {
            if (rc == NQI_EBADREQ)
                http_resp_error(w, &c->req, rc, "malformed path");
            else
                http_resp_error(w, &c->req, NQI_ENOTFOUND, "no such file: %s", c->req.path);
            return;
        }
        snprintf(rel, sizeof rel, "index.html");
        fd = open_inside(s->static_root, rel, &st);
        if (fd < 0) {
            http_resp_error(w, &c->req, NQI_ENOTFOUND, "web UI not built (no index.html)");
            return;
        }
    }
    const char *slash = strrchr(rel, '/');
    bool index = !strcmp(slash ? slash + 1 : rel, "index.html");
    bool hashed = !strncmp(rel, "assets/", 7);
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    http_resp_header(w, "ETag", etag);
    http_resp_header(w, "Cache-Control",
                     hashed  ? "public, max-age=31536000, immutable"
                     : index ? "no-cache"
                             : "public, max-age=3600");
    const char *inm = http_header_get(&c->req, "If-None-Match");
    w->content_type = mime_for(rel);
    if (inm && !strcmp(inm, etag)) {
        close(fd);
        w->status = 304;
        return;
    }
    w->status = 200;
    w->fd = fd;
    w->fd_size = (uint64_t)st.st_size;
}
