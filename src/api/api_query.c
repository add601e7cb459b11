/*
 * Query-string parsing for the API (api_query.h).
 */
#include "api/api_query.h"
#include "base/str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes s[0..n) into a new string; NULL with why set on a bad escape or no memory. */
static char *decode(const char *s, size_t n, char *why, size_t whylen)
{
    char *out = malloc(n + 1), *o = out;

    if (out == NULL) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] != '%') {
            *o++ = s[i];
        } else {
            int h = i + 2 < n ? cm_hex_digit(s[i + 1]) : -1,
                l = i + 2 < n ? cm_hex_digit(s[i + 2]) : -1;
            if (h < 0 || l < 0 || (h == 0 && l == 0)) {
                snprintf(why, whylen,
                         "the query string has a bad percent-escape at byte %zu of '%.*s'", i,
                         (int)(n > 200 ? 200 : n), s);
                free(out);
                return NULL;
            }
            *o++ = (char)(h * 16 + l);
            i += 2;
        }
    }
    *o = '\0';
    return out;
}

void cm_api_query_free(struct cm_api_req *req)
{
    for (size_t i = 0; i < req->nquery; i++) {
        free(req->query[i].key);
        free(req->query[i].val);
        req->query[i].key = req->query[i].val = NULL;
    }
    req->nquery = 0;
}

int cm_api_query_parse(struct cm_api_req *req, const char *raw, char *why, size_t whylen)
{
    const char *p = raw;

    req->nquery = 0;
    if (raw == NULL) {
        return 0;
    }
    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > 0) {
            const char *eq = memchr(p, '=', len);
            size_t klen = eq ? (size_t)(eq - p) : len;
            struct cm_api_kv *kv;
            if (req->nquery == CM_API_MAX_QUERY) {
                snprintf(why, whylen, "the query string has more than %d parameters",
                         CM_API_MAX_QUERY);
                cm_api_query_free(req);
                return -1;
            }
            kv = &req->query[req->nquery];
            kv->key = decode(p, klen, why, whylen);
            kv->val =
                kv->key ? decode(eq ? eq + 1 : "", eq ? len - klen - 1 : 0, why, whylen) : NULL;
            if (kv->val == NULL) {
                free(kv->key);
                kv->key = NULL;
                cm_api_query_free(req);
                return -1;
            }
            req->nquery++;
        }
        p += len;
        if (*p == '&') {
            p++;
        }
    }
    return 0;
}
