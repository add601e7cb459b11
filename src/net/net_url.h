/*
 * URL prefixes: whether a URL lies under an entry written
 * scheme://host[:port][/path prefix] (api.targets.webhook_allow, a named
 * secret's urls). The URL and the entry are split the way libcurl reads them:
 * the schemes compared ignoring case, the hosts in lower case without the
 * brackets of an IPv6 literal, the ports with the scheme's default filled in,
 * and the URL's path equal to the entry's or below it at a '/' (an entry
 * "https://h/a" takes /a and /a/b, not /ab).
 */
#ifndef CM_NET_URL_H
#define CM_NET_URL_H

#include <stdbool.h>

/* A URL as libcurl splits it: scheme, host (lower case, no brackets), port, path. */
struct cm_net_url {
    char scheme[16], host[256], port[8], path[2048];
};

/* Splits url into u. 0, or -1 when libcurl cannot read it or a part is too long. */
int cm_net_url_split(const char *url, struct cm_net_url *u);

/* Whether u is under entry (same scheme, host and port; path under the entry's). */
bool cm_net_url_under(const struct cm_net_url *u, const char *entry);

#endif
