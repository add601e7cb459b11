/*
 * libFuzzer target for what the S3 reader parses from the outside (lib/aws/):
 * the first byte picks the mode, the rest is the input (an exact-size heap copy).
 *   0: a ListObjectsV2 page (cm_s3_list_parse): 0 with every key a NUL-terminated
 *      string of at most CM_S3_MAX_KEY bytes and a token when truncated, or an error
 *      with a reason; never a crash or a read past the bytes.
 *   1: an error document (cm_s3_error_parse): the strings NUL-terminated, no control
 *      bytes in the message.
 *   2/3: a credentials / config file (cm_aws_ini_read) for profile "default" and
 *      "work": 0 or an error naming a line.
 *   4: an s3:// location (cm_s3_url_parse) and its canonical request with the rest
 *      as the key: the encoding holds only unreserved bytes, '/' and %XX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_ini.h"
#include "aws/s3_canon.h"
#include "aws/s3_url.h"
#include "aws/s3_xml.h"
#include "base/buf.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void list(const char *p, size_t n)
{
    struct cm_s3_list l;
    char why[300] = "";
    int rc;

    cm_s3_list_init(&l);
    rc = cm_s3_list_parse(p, n, &l, why, sizeof(why));
    if (rc == 0) {
        for (size_t i = 0; i < l.n; i++) {
            check(l.v[i].key != NULL && strlen(l.v[i].key) <= CM_S3_MAX_KEY);
            check(strlen(l.v[i].etag) < CM_S3_MAX_ETAG);
        }
        check(!l.truncated || (l.next_token != NULL && l.next_token[0] != '\0'));
    } else {
        check(why[0] != '\0' || rc == CM_ENOMEM);
        check(l.n == 0 && l.v == NULL);
    }
    cm_s3_list_finish(&l);
}

static void error_doc(const char *p, size_t n)
{
    struct cm_s3_error e;

    (void)cm_s3_error_parse(p, n, &e);
    check(strlen(e.code) < sizeof(e.code) && strlen(e.message) < sizeof(e.message));
    for (const char *m = e.message; *m; m++) {
        check((unsigned char)*m >= 0x20 && *m != 0x7f);
    }
}

static void ini(const char *p, size_t n, bool config)
{
    static const char *const profiles[] = {"default", "work"};
    struct cm_aws_profile *pr = calloc(1, sizeof(*pr));
    char why[200];

    check(pr != NULL);
    for (size_t i = 0; i < 2; i++) {
        int rc;
        why[0] = '\0';
        memset(pr, 0, sizeof(*pr));
        rc = cm_aws_ini_read(p, n, profiles[i], config, pr, why, sizeof(why));
        check(rc == 0 || (rc != 0 && strncmp(why, "line ", 5) == 0));
        check(strlen(pr->key_id) < sizeof(pr->key_id) && strlen(pr->region) < sizeof(pr->region));
    }
    free(pr);
}

static void url(const char *p, size_t n)
{
    const char *nl = memchr(p, '\n', n);
    size_t un = nl ? (size_t)(nl - p) : n;
    char *u = malloc(un + 1), *key = NULL;
    struct cm_s3_url parsed;
    char why[200];

    check(u != NULL);
    memcpy(u, p, un);
    u[un] = '\0';
    if (strlen(u) == un && cm_s3_url_parse(u, &parsed, why, sizeof(why)) == 0) {
        char bucket[64];
        struct cm_buf c, s;
        size_t kn = nl ? n - un - 1 : 0;

        check(parsed.bucket.len >= 3 && parsed.bucket.len <= 63);
        memcpy(bucket, parsed.bucket.p, parsed.bucket.len);
        bucket[parsed.bucket.len] = '\0';
        key = malloc(kn + 1);
        check(key != NULL);
        memcpy(key, nl ? nl + 1 : "", kn);
        key[kn] = '\0';
        struct cm_s3_req r = {.method = "GET",
                              .bucket = bucket,
                              .key = key,
                              .params = {{"prefix", key}},
                              .nparams = 1,
                              .headers = {{"host", "h"}},
                              .nheaders = 1};
        cm_buf_init(&c, 0);
        cm_buf_init(&s, 0);
        check(cm_s3_canonical(&r, &c, &s) == 0);
        for (size_t i = 4; i < c.len && c.p[i] != '\n'; i++) {
            char ch = c.p[i];
            check((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || strchr("-._~/%", ch) != NULL);
        }
        cm_buf_finish(&c);
        cm_buf_finish(&s);
    }
    free(key);
    free(u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p;
    size_t n;

    if (size < 1) {
        return 0;
    }
    n = size - 1;
    p = malloc(n ? n : 1);
    if (p == NULL) {
        return 0;
    }
    memcpy(p, data + 1, n);
    switch (data[0] % 5) {
    case 0:
        list(p, n);
        break;
    case 1:
        error_doc(p, n);
        break;
    case 2:
    case 3:
        ini(p, n, data[0] % 5 == 3);
        break;
    default:
        url(p, n);
        break;
    }
    free(p);
    return 0;
}
