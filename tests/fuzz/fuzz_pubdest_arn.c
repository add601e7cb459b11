/*
 * libFuzzer target for what an API caller gives a publishing destination
 * (lib/pubdest/pubdest.c): the first byte picks the mode, the rest is the input
 * (a NUL-terminated heap copy).
 *   0: a destinationArn (cm_pubdest_arn_parse): 0 with a bucket S3 accepts (3-63 of
 *      a-z 0-9 . -) and a prefix with no control byte, no leading or trailing '/'
 *      and no "//", whose object key fits or is refused with CM_E2BIG; or CM_EINVAL
 *      with a reason. Never a crash or a read past the bytes.
 *   1: a kmsKeyArn (cm_pubdest_kms_check): 0 or CM_EINVAL with a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "pubdest/pubdest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void arn(const char *s)
{
    struct cm_pubdest_arn a;
    char why[256] = "", key[CM_PUBDEST_KEY_MAX + 1];
    size_t n, p;
    int rc = cm_pubdest_arn_parse(s, &a, why, sizeof(why));

    if (rc != 0) {
        check(rc == CM_EINVAL && why[0] != '\0');
        return;
    }
    n = strlen(a.bucket);
    check(n >= 3 && n <= 63);
    check(strspn(a.bucket, "abcdefghijklmnopqrstuvwxyz0123456789.-") == n);
    p = strlen(a.prefix);
    check(p <= 900);
    if (p > 0) {
        check(a.prefix[0] != '/' && a.prefix[p - 1] != '/');
        check(strstr(a.prefix, "//") == NULL);
    }
    for (size_t i = 0; i < p; i++) {
        check((unsigned char)a.prefix[i] >= 0x20 && a.prefix[i] != 0x7f);
    }
    rc = cm_pubdest_key(&a, "123456789012", "us-east-1", 1700000000000LL,
                        "00000000-0000-4000-8000-000000000000", key, sizeof(key));
    check(rc == 0 || rc == CM_E2BIG);
    if (rc == 0) {
        check(strstr(key, "AWSLogs/123456789012/GuardDuty/us-east-1/2023/11/14/") != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s, why[256] = "";
    int rc;

    if (size < 1) {
        return 0;
    }
    s = malloc(size);
    if (s == NULL) {
        return 0;
    }
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (data[0] % 2 == 0) {
        arn(s);
    } else {
        rc = cm_pubdest_kms_check(s, why, sizeof(why));
        check(rc == 0 || (rc == CM_EINVAL && why[0] != '\0'));
    }
    free(s);
    return 0;
}
