/*
 * libFuzzer target for SigV4 verification and the credentials file
 * (src/api/sigv4.c, src/api/api_creds.c). Input: the first byte picks the
 * mode. Mode 0: the rest is a --credentials file (cm_api_creds_parse must
 * return 0 or an error with a reason, and on success hold only credentials
 * of the documented shape). Otherwise the rest is split at '\n' into the
 * Authorization header, the X-Amz-Date header, the path, the query and the
 * body, and verified against one credential: cm_sigv4_parse, the canonical
 * request and cm_sigv4_verify must end with a status and a message, never a
 * crash or a read past the input (each part is an exact-size heap copy).
 * A header that parses keeps its parts NUL-terminated and within their
 * sizes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_creds.h"
#include "api/sigv4.h"
#include "base/buf.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static char *part(const uint8_t *data, size_t size, size_t *at)
{
    size_t s = *at, e = s;
    char *out;

    while (e < size && data[e] != '\n') {
        e++;
    }
    out = malloc(e - s + 1);
    check(out != NULL);
    memcpy(out, data + s, e - s);
    out[e - s] = '\0';
    *at = e < size ? e + 1 : e;
    return out;
}

static void fuzz_creds(const uint8_t *data, size_t size)
{
    struct cm_api_creds c;
    char *buf = malloc(size ? size : 1), why[256] = "";
    int rc;

    check(buf != NULL);
    memcpy(buf, data, size);
    cm_api_creds_init(&c);
    rc = cm_api_creds_parse(&c, buf, size, why, sizeof(why));
    check(rc == 0 || why[0] != '\0');
    if (rc == 0) {
        check(c.n > 0 && c.n <= CM_API_MAX_CREDS);
        for (size_t i = 0; i < c.n; i++) {
            size_t k = strlen(c.v[i].key_id), s = strlen(c.v[i].secret);
            check(k >= 16 && k <= 128 && s >= 1 && s <= 128);
        }
    }
    cm_api_creds_finish(&c);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct cm_sigv4_cred cred = {"AKIAIOSFODNN7EXAMPLE", "secret"};
    struct cm_sigv4_auth a;
    struct cm_sigv4_header h[4];
    struct cm_sigv4_msg m;
    struct cm_buf can;
    char *authz, *date, *path, *query, *body, why[256], msg[512];
    size_t at = 1;
    enum cm_sigv4_status s;

    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        fuzz_creds(data + 1, size - 1);
        return 0;
    }
    authz = part(data, size, &at);
    date = part(data, size, &at);
    path = part(data, size, &at);
    query = part(data, size, &at);
    body = malloc(size - at + 1);
    check(body != NULL);
    memcpy(body, data + at, size - at);
    if (cm_sigv4_parse(authz, &a, why, sizeof(why)) == 0) {
        check(strlen(a.key) > 0 && strlen(a.date) == 8 && strlen(a.region) > 0 &&
              strlen(a.service) > 0 && strlen(a.signed_headers) > 0 && strlen(a.signature) == 64);
        h[0] = (struct cm_sigv4_header){"Host", "127.0.0.1:8787"};
        h[1] = (struct cm_sigv4_header){"X-Amz-Date", date};
        h[2] = (struct cm_sigv4_header){"Authorization", authz};
        h[3] = (struct cm_sigv4_header){"Content-Type", "application/json"};
        m = (struct cm_sigv4_msg){"POST", path, query, h, 4, body, size - at};
        cm_buf_init(&can, 1 << 20);
        (void)cm_sigv4_canonical(&m, a.signed_headers, "UNSIGNED-PAYLOAD", &can);
        cm_buf_finish(&can);
        msg[0] = '\0';
        s = cm_sigv4_verify(&m, &cred, 1, "guardduty", 1440938160000LL, &a, msg, sizeof(msg));
        check(s == CM_SIGV4_OK || (msg[0] != '\0' && cm_sigv4_error_type(s) != NULL));
    } else {
        check(why[0] != '\0');
    }
    free(authz);
    free(date);
    free(path);
    free(query);
    free(body);
    return 0;
}
