/*
 * libFuzzer target for src/api/web_serve.h (the console's HTTP answers): the
 * request line and the If-None-Match header are what a client sends.
 *
 * The input is split at NUL bytes into method, path and If-None-Match (a
 * missing part is NULL), each copied into an exact-size heap buffer so
 * over-reads are caught. Invariants, any violation aborts: a path that is not
 * "/", "/console" or under "/console/" (before any '?') is left to the API;
 * a console answer has one of its statuses, carries the CSP and nosniff
 * headers, a body only with 200 (and then an asset's bytes), the ETag of the
 * asset with 200 and 304; and cm_web_etag_match agrees with a 304.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/web_serve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

static char *part(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *s = *p, *z;
    char *out;

    if (s > end)
        return NULL;
    z = memchr(s, 0, (size_t)(end - s));
    if (z == NULL)
        z = end;
    out = malloc((size_t)(z - s) + 1);
    if (out == NULL)
        abort();
    memcpy(out, s, (size_t)(z - s));
    out[z - s] = '\0';
    *p = z + 1;
    return out;
}

static const char *hdr(const struct cm_web_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

static int console_path(const char *path)
{
    size_t n = strcspn(path, "?");
    return (n == 1 && path[0] == '/') || (n == 8 && memcmp(path, "/console", 8) == 0) ||
           (n >= 9 && memcmp(path, "/console/", 9) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    char *method = part(&p, end), *path = part(&p, end), *inm = part(&p, end);
    struct cm_web_resp r;
    int rc = cm_web_serve(method, path, inm, &r);

    if (method == NULL || path == NULL || !console_path(path)) {
        check(rc == 0);
        goto out;
    }
    if (strcspn(path, "?") == 1 && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        check(rc == 0);
        goto out;
    }
    check(rc == 1);
    check(r.status == 200 || r.status == 304 || r.status == 308 || r.status == 404 ||
          r.status == 405);
    check(r.nheaders <= CM_WEB_MAX_HEADERS);
    check(hdr(&r, "Content-Security-Policy") != NULL);
    check(hdr(&r, "X-Content-Type-Options") != NULL);
    check((r.body != NULL) == (r.status != 304));
    if (r.status == 200 || r.status == 304) {
        const struct cm_web_asset *a = NULL;
        for (const struct cm_web_asset *x = cm_web_assets; x->path != NULL; x++)
            if (x->content_type == r.content_type)
                a = x;
        check(a != NULL);
        check(strcmp(hdr(&r, "ETag"), r.etag) == 0);
        check(strlen(r.etag) == CM_WEB_ETAG_LEN - 1);
        check((r.status == 304) == (cm_web_etag_match(inm, r.etag) != 0));
        if (r.status == 200) {
            int found = 0;
            for (const struct cm_web_asset *x = cm_web_assets; x->path != NULL; x++)
                if (x->data == r.body && x->len == r.len)
                    found = 1;
            check(found);
        }
    } else {
        check(hdr(&r, "ETag") == NULL);
    }
out:
    free(method);
    free(path);
    free(inm);
    return 0;
}
