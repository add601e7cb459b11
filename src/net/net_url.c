/*
 * URL prefixes (net_url.h).
 */
#include "net/net_url.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int cm_net_url_split(const char *url, struct cm_net_url *u)
{
    CURLU *h = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
    int rc = -1;

    if (h == NULL || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(h, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
        goto done;
    }
    if (strlen(scheme) >= sizeof(u->scheme) || strlen(host) >= sizeof(u->host) ||
        strlen(port) >= sizeof(u->port) || strlen(path) >= sizeof(u->path)) {
        goto done;
    }
    snprintf(u->scheme, sizeof(u->scheme), "%s", scheme);
    if (host[0] == '[') {
        snprintf(u->host, sizeof(u->host), "%.*s", (int)strcspn(host + 1, "]%"), host + 1);
    } else {
        snprintf(u->host, sizeof(u->host), "%s", host);
    }
    for (char *c = u->host; *c; c++) {
        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
    }
    snprintf(u->port, sizeof(u->port), "%s", port);
    snprintf(u->path, sizeof(u->path), "%s", path);
    rc = 0;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_url_cleanup(h);
    return rc;
}

bool cm_net_url_under(const struct cm_net_url *u, const char *entry)
{
    struct cm_net_url a;
    size_t n;

    if (cm_net_url_split(entry, &a) != 0 || strcasecmp(a.scheme, u->scheme) != 0 ||
        strcmp(a.host, u->host) != 0 || strcmp(a.port, u->port) != 0) {
        return false;
    }
    n = strlen(a.path);
    while (n > 0 && a.path[n - 1] == '/') {
        n--;
    }
    return strncmp(a.path, u->path, n) == 0 && (u->path[n] == '\0' || u->path[n] == '/');
}
