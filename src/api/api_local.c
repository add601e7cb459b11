/*
 * The browser checks of a server without credentials (api_local.h).
 */
#include "api/api_local.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Whether s[0..n) is ":" and 1-5 digits, or empty. */
static bool port_ok(const char *s, size_t n)
{
    if (n == 0) {
        return true;
    }
    if (s[0] != ':' || n < 2 || n > 6) {
        return false;
    }
    for (size_t i = 1; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* Whether host (a Host header's value) names this machine's loopback. */
static bool loopback_host(const char *host)
{
    char name[64];
    size_t n = strlen(host), hl;
    const char *rest;

    if (host[0] == '[') {
        const char *e = strchr(host, ']');
        struct in6_addr a6;
        if (e == NULL || (size_t)(e - host - 1) >= sizeof(name)) {
            return false;
        }
        hl = (size_t)(e - host - 1);
        memcpy(name, host + 1, hl);
        name[hl] = '\0';
        rest = e + 1;
        return port_ok(rest, strlen(rest)) && inet_pton(AF_INET6, name, &a6) == 1 &&
               IN6_IS_ADDR_LOOPBACK(&a6);
    }
    rest = strchr(host, ':');
    hl = rest != NULL ? (size_t)(rest - host) : n;
    if (hl == 0 || hl >= sizeof(name) || !port_ok(host + hl, n - hl)) {
        return false;
    }
    memcpy(name, host, hl);
    name[hl] = '\0';
    if (strcasecmp(name, "localhost") == 0 || strcasecmp(name, "localhost.") == 0) {
        return true;
    }
    {
        struct in_addr a4;
        return inet_pton(AF_INET, name, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
    }
}

bool cm_api_local_ok(const char *host, const char *origin, char *why, size_t whylen)
{
    if (host != NULL && !loopback_host(host)) {
        snprintf(why, whylen,
                 "Host '%.100s' is not a loopback name: without credentials the server answers "
                 "requests to 127.0.0.1, [::1] or localhost only (a page whose name resolves "
                 "here must not reach it); configure credentials to serve other names",
                 host);
        return false;
    }
    if (origin != NULL) {
        bool same = host != NULL && strncasecmp(origin, "http://", 7) == 0 &&
                    strcasecmp(origin + 7, host) == 0;
        if (!same) {
            snprintf(why, whylen,
                     "Origin '%.100s' is not this server's: without credentials the server "
                     "takes no cross-origin request from a browser; configure credentials to "
                     "let other pages call it with signed requests",
                     origin);
            return false;
        }
    }
    return true;
}
