/* http_client.c — see http_client.h. */
#define _GNU_SOURCE
#include "core/http_client.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "core/err.h"
#include "core/version.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

int http_client_url_check(const char *url, char *why, size_t wn)
{
    if (!url || !*url)
        return snprintf(why, wn, "must not be empty"), -1;
    if (strlen(url) > HTTP_CLIENT_URL_MAX)
        return snprintf(why, wn, "at most %d characters", HTTP_CLIENT_URL_MAX), -1;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return snprintf(why, wn, "must not contain spaces or control characters"), -1;
    pthread_once(&curl_once, curl_init);
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *port = NULL;
    int rc = -1;
    if (!u || curl_url_set(u, CURLUPART_URL, url, 0))
        snprintf(why, wn, "not a valid URL");
    else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
             (strcasecmp(scheme, "http") && strcasecmp(scheme, "https")))
        snprintf(why, wn, "must be an http:// or https:// URL");
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) || !host || !*host)
        snprintf(why, wn, "missing host");
    else if (!curl_url_get(u, CURLUPART_USER, &user, 0) && user)
        snprintf(why, wn, "must not contain user information");
    else if (!curl_url_get(u, CURLUPART_PORT, &port, 0) && port && atol(port) < 1)
        snprintf(why, wn, "bad port");
    else
        rc = 0;
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* Does addr (16 bytes for IPv6, 4 for IPv4) lie in the CIDR "net/bits"? */
static bool cidr_match(const char *cidr, size_t len, int family, const unsigned char *addr)
{
    char net[64];
    if (len >= sizeof net)
        return false;
    memcpy(net, cidr, len);
    net[len] = 0;
    char *slash = strchr(net, '/');
    int max = family == AF_INET ? 32 : 128, bits = max;
    if (slash) {
        *slash = 0;
        char *end;
        long b = strtol(slash + 1, &end, 10);
        if (*end || b < 0 || b > max)
            return false;
        bits = (int)b;
    }
    unsigned char n[16];
    if (inet_pton(family, net, n) != 1)
        return false;
    for (int i = 0; i < bits; i++) {
        int byte = i / 8, mask = 0x80 >> (i % 8);
        if ((n[byte] & mask) != (addr[byte] & mask))
            return false;
    }
    return true;
}

bool http_client_denied(const char *addr, const char *deny)
{
    if (!deny) {
        deny = getenv("NQI_WEBHOOK_DENY");
        if (!deny)
            deny = HTTP_CLIENT_DENY_DEFAULT;
    }
    unsigned char a[16];
    int family = AF_INET;
    if (inet_pton(AF_INET, addr, a) != 1) {
        family = AF_INET6;
        if (inet_pton(AF_INET6, addr, a) != 1)
            return true; /* not an address: refuse */
    }
    for (const char *p = deny; *p;) {
        size_t l = strcspn(p, ",");
        const char *s = p;
        while (l && *s == ' ')
            s++, l--;
        while (l && s[l - 1] == ' ')
            l--;
        /* an IPv4 block only matches IPv4 addresses and vice versa */
        bool v6 = memchr(s, ':', l) != NULL;
        if (l && v6 == (family == AF_INET6) && cidr_match(s, l, family, a))
            return true;
        p += strcspn(p, ",");
        if (*p)
            p++;
    }
    return false;
}

typedef struct guard {
    char refused[64];
} guard;

static curl_socket_t open_guarded(void *ctx, curlsocktype purpose, struct curl_sockaddr *sa)
{
    guard *g = ctx;
    char text[INET6_ADDRSTRLEN] = "";
    if (sa->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&sa->addr)->sin_addr, text, sizeof text);
    else if (sa->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&sa->addr)->sin6_addr, text, sizeof text);
    if (purpose != CURLSOCKTYPE_IPCXN || !*text || http_client_denied(text, NULL)) {
        snprintf(g->refused, sizeof g->refused, "%s", *text ? text : "?");
        return CURL_SOCKET_BAD;
    }
    return socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol);
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

int http_client_post(const char *url, const char *const *headers, int nheaders, const char *body,
                     size_t n, int timeout_ms, int *status, char *errbuf, size_t errlen)
{
    char why[160];
    *status = 0;
    errbuf[0] = 0;
    if (http_client_url_check(url, why, sizeof why)) {
        snprintf(errbuf, errlen, "bad URL: %s", why);
        return NQI_EIO;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(errbuf, errlen, "out of memory");
        return NQI_EIO;
    }
    guard g = {{0}};
    char cerr[CURL_ERROR_SIZE] = "", ua[64];
    snprintf(ua, sizeof ua, "nqi-webhook/%s", NQI_VERSION);
    struct curl_slist *hl = curl_slist_append(NULL, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    for (int i = 0; i < nheaders; i++)
        hl = curl_slist_append(hl, headers[i]);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*"); /* the guard must see the real target */
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_guarded);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &g);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    CURLcode cc = curl_easy_perform(h);
    int rc = 0;
    if (cc == CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        *status = (int)code;
    } else if (g.refused[0]) {
        snprintf(errbuf, errlen, "refused: %s is on the webhook deny list (NQI_WEBHOOK_DENY)",
                 g.refused);
        rc = NQI_EIO;
    } else {
        snprintf(errbuf, errlen, "%s", cerr[0] ? cerr : curl_easy_strerror(cc));
        rc = NQI_EIO;
    }
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return rc;
}
