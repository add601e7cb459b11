/*
 * The console's HTTP answers (web_serve.h).
 */
#include "api/web_serve.h"

#include <string.h>

static const unsigned char not_found[] = "not found\n";
static const unsigned char not_allowed[] = "method not allowed: the console is GET or HEAD\n";
static const unsigned char moved[] = "/console/\n";

static void header(struct cm_web_resp *resp, const char *name, const char *value)
{
    if (resp->nheaders < CM_WEB_MAX_HEADERS) {
        resp->headers[resp->nheaders].name = name;
        resp->headers[resp->nheaders].value = value;
        resp->nheaders++;
    }
}

static void text(struct cm_web_resp *resp, int status, const unsigned char *msg, size_t len)
{
    resp->status = status;
    resp->content_type = "text/plain; charset=utf-8";
    resp->body = msg;
    resp->len = len;
    header(resp, "Cache-Control", "no-store");
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

int cm_web_etag_match(const char *inm, const char *etag)
{
    size_t elen;
    const char *s = inm;

    if (inm == NULL || etag == NULL || etag[0] != '"')
        return 0;
    elen = strlen(etag);
    for (;;) {
        const char *tag;
        while (is_ows(*s) || *s == ',')
            s++;
        if (*s == '\0')
            return 0;
        if (*s == '*') {
            s++;
            while (is_ows(*s))
                s++;
            if (*s != '\0' && *s != ',')
                return 0;
            return 1;
        }
        if (s[0] == 'W' && s[1] == '/')
            s += 2;
        if (*s != '"')
            return 0;
        tag = s++;
        while (*s != '\0' && *s != '"')
            s++;
        if (*s != '"')
            return 0;
        s++;
        if ((size_t)(s - tag) == elen && memcmp(tag, etag, elen) == 0)
            return 1;
        while (is_ows(*s))
            s++;
        if (*s != '\0' && *s != ',')
            return 0;
    }
}

/* path's length up to a '?', and whether it is the console's. */
static size_t path_len(const char *path)
{
    const char *q = strchr(path, '?');
    return q != NULL ? (size_t)(q - path) : strlen(path);
}

static int is_prefix(const char *path, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(path, lit, l) == 0;
}

int cm_web_serve(const char *method, const char *path, const char *if_none_match,
                 struct cm_web_resp *resp)
{
    const struct cm_web_asset *a = NULL;
    char name[256];
    size_t n;
    int get;

    memset(resp, 0, sizeof *resp);
    if (method == NULL || path == NULL)
        return 0;
    n = path_len(path);
    get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    /* "/" is the API's only when it is not a GET (no API operation is). */
    if (n == 1 && path[0] == '/' && !get)
        return 0;
    if (!(n == 1 && path[0] == '/') && !(n == 8 && is_prefix(path, n, "/console")) &&
        !is_prefix(path, n, "/console/"))
        return 0;

    header(resp, "Content-Security-Policy", CM_WEB_CSP);
    header(resp, "X-Content-Type-Options", "nosniff");
    header(resp, "Referrer-Policy", "no-referrer");
    header(resp, "X-Frame-Options", "DENY");
    if (!get) {
        header(resp, "Allow", "GET, HEAD");
        text(resp, 405, not_allowed, sizeof not_allowed - 1);
        return 1;
    }
    if (n <= 8) { /* "/" or "/console" */
        header(resp, "Location", "/console/");
        text(resp, 308, moved, sizeof moved - 1);
        return 1;
    }
    n -= 9; /* the name after "/console/" */
    if (n == 0) {
        a = cm_web_asset_find("index.html");
    } else if (n < sizeof name) {
        memcpy(name, path + 9, n);
        name[n] = '\0';
        a = cm_web_asset_find(name);
    }
    if (a == NULL) {
        text(resp, 404, not_found, sizeof not_found - 1);
        return 1;
    }
    cm_web_asset_etag(a, resp->etag);
    header(resp, "Cache-Control", "no-cache");
    header(resp, "ETag", resp->etag);
    resp->content_type = a->content_type;
    if (cm_web_etag_match(if_none_match, resp->etag)) {
        resp->status = 304;
        return 1;
    }
    resp->status = 200;
    resp->body = a->data;
    resp->len = a->len;
    return 1;
}
