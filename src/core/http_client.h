/*
 * http_client.h — outgoing HTTP requests (webhooks, EPCIS subscriptions)
 * through libcurl, with one guard against server-side request forgery.
 *
 * URLs: http:// or https://, no user information, at most HTTP_CLIENT_URL_MAX
 * bytes. Redirects are not followed (a 3xx is an answer like any other).
 *
 * SSRF guard: nqi runs inside bureau networks, so webhook targets on private
 * networks (10/8, 192.168/16, …) are allowed, but every connection is checked
 * at connect time — after DNS, so a name that resolves to a forbidden address
 * is refused too — against a deny list of CIDR blocks: NQI_WEBHOOK_DENY
 * (comma-separated; "" = none), default HTTP_CLIENT_DENY_DEFAULT: loopback,
 * "this network", link-local (cloud metadata 169.254.169.254), Alibaba
 * Cloud's metadata 100.100.100.200, multicast, and their IPv6 forms.
 *
 * Thread-safe; no state beyond libcurl's global init (done once).
 */
#ifndef NQI_HTTP_CLIENT_H
#define NQI_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_CLIENT_URL_MAX 2000
#define HTTP_CLIENT_DENY_DEFAULT                                                             \
    "127.0.0.0/8,0.0.0.0/8,169.254.0.0/16,100.100.100.200/32,224.0.0.0/4,255.255.255.255/32," \
    "::1/128,::/128,fe80::/10,ff00::/8,::ffff:127.0.0.0/104,::ffff:169.254.0.0/112"

/* Check a URL's form; on failure writes why (one sentence) and returns -1. */
int http_client_url_check(const char *url, char *why, size_t wn);

/* Is the address (text form, IPv4 or IPv6) refused by the deny list
 * `deny` (NULL: NQI_WEBHOOK_DENY or the default)? Malformed list entries
 * are ignored. */
bool http_client_denied(const char *addr, const char *deny);

/* POST body (Content-Type: application/json) with extra header lines
 * ("Name: value"). On an HTTP answer returns 0 with *status set (any code);
 * otherwise NQI_EIO with errbuf saying why (bad URL, refused address, DNS,
 * connect, timeout). The response body is read and discarded. */
int http_client_post(const char *url, const char *const *headers, int nheaders, const char *body,
                     size_t n, int timeout_ms, int *status, char *errbuf, size_t errlen);

#endif
