/*
 * Destination ARNs and object keys of GuardDuty's S3 export (pubdest.h).
 */
#include "pubdest/pubdest.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"

#define PREFIX_MAX 900 /* leaves room for the rest of the key under S3's 1,024 bytes */

static int fail(char *why, size_t whylen, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return CM_EINVAL;
}

static bool is_lower_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* An IPv4 address in dotted form (S3 refuses bucket names like one). */
static bool looks_like_ip(const char *b)
{
    int dots = 0;

    for (const char *p = b; *p; p++) {
        if (*p == '.') {
            dots++;
        } else if (*p < '0' || *p > '9') {
            return false;
        }
    }
    return dots == 3;
}

static int check_bucket(const char *b, size_t n, char *why, size_t whylen)
{
    if (n < 3 || n > 63) {
        return fail(why, whylen, "the bucket name must be 3 to 63 characters");
    }
    for (size_t i = 0; i < n; i++) {
        char c = b[i];
        if (!is_lower_digit(c) && c != '.' && c != '-') {
            return fail(why, whylen,
                        "the bucket name may hold lower-case letters, digits, '.' and '-' only");
        }
        if (c == '.' && i + 1 < n && b[i + 1] == '.') {
            return fail(why, whylen, "the bucket name must not hold \"..\"");
        }
    }
    if (!is_lower_digit(b[0]) || !is_lower_digit(b[n - 1])) {
        return fail(why, whylen, "the bucket name must start and end with a letter or digit");
    }
    return 0;
}

int cm_pubdest_arn_parse(const char *arn, struct cm_pubdest_arn *out, char *why, size_t whylen)
{
    const char *p, *part, *b, *slash;
    size_t n, plen;

    memset(out, 0, sizeof(*out));
    if (arn == NULL || strlen(arn) > CM_PUBDEST_ARN_MAX) {
        return fail(why, whylen, "must be an S3 bucket ARN of at most 1024 characters");
    }
    if (strncmp(arn, "arn:", 4) != 0) {
        return fail(why, whylen, "must be an S3 bucket ARN: arn:aws:s3:::BUCKET[/PREFIX]");
    }
    part = arn + 4;
    p = strchr(part, ':');
    n = p ? (size_t)(p - part) : 0;
    if (p == NULL || n == 0 || n >= sizeof(out->partition) ||
        strspn(part, "abcdefghijklmnopqrstuvwxyz-") < n) {
        return fail(why, whylen, "must name a partition: arn:aws:s3:::BUCKET[/PREFIX]");
    }
    memcpy(out->partition, part, n);
    if (strncmp(p, ":s3:::", 6) != 0) {
        return fail(why, whylen,
                    "must be an S3 bucket ARN (service s3, no region or account): "
                    "arn:aws:s3:::BUCKET[/PREFIX]");
    }
    b = p + 6;
    slash = strchr(b, '/');
    n = slash ? (size_t)(slash - b) : strlen(b);
    if (check_bucket(b, n, why, whylen) != 0) {
        return CM_EINVAL;
    }
    memcpy(out->bucket, b, n);
    if (looks_like_ip(out->bucket)) {
        return fail(why, whylen, "the bucket name must not be an IP address");
    }
    if (slash == NULL) {
        return 0;
    }
    p = slash + 1;
    plen = strlen(p);
    while (plen > 0 && p[plen - 1] == '/') {
        plen--; /* "bucket/folder/" as the model's example gives it */
    }
    if (plen > PREFIX_MAX) {
        return fail(why, whylen, "the prefix after the bucket must be at most 900 characters");
    }
    for (size_t i = 0; i < plen; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f) {
            return fail(why, whylen, "the prefix must not hold control characters");
        }
        if (c == '/' && (i == 0 || p[i - 1] == '/')) {
            return fail(why, whylen, "the prefix must not hold an empty segment (\"//\")");
        }
        if (c == '\\' || c == '{' || c == '}' || c == '^' || c == '`' || c == '|') {
            return fail(why, whylen, "the prefix must not hold \\ { } ^ ` or |");
        }
    }
    memcpy(out->prefix, p, plen);
    return 0;
}

int cm_pubdest_kms_check(const char *arn, char *why, size_t whylen)
{
    const char *p, *region, *acct, *res;

    if (arn == NULL || strlen(arn) > 2048 || strncmp(arn, "arn:", 4) != 0) {
        return fail(why, whylen, "must be a KMS key ARN: arn:aws:kms:REGION:ACCOUNT:key/ID");
    }
    p = strchr(arn + 4, ':');
    if (p == NULL || p == arn + 4 || strncmp(p, ":kms:", 5) != 0) {
        return fail(why, whylen, "must be a KMS key ARN (service kms)");
    }
    region = p + 5;
    p = strchr(region, ':');
    if (p == NULL || p == region) {
        return fail(why, whylen, "must name the key's region: arn:aws:kms:REGION:ACCOUNT:key/ID");
    }
    for (const char *r = region; r < p; r++) {
        if (!is_lower_digit(*r) && *r != '-') {
            return fail(why, whylen, "the region must be lower-case letters, digits and '-'");
        }
    }
    acct = p + 1;
    p = strchr(acct, ':');
    if (p == NULL || p - acct != 12 || strspn(acct, "0123456789") < 12) {
        return fail(why, whylen, "must name the key's account (12 digits)");
    }
    res = p + 1;
    if (!((strncmp(res, "key/", 4) == 0 && res[4] != '\0') ||
          (strncmp(res, "alias/", 6) == 0 && res[6] != '\0'))) {
        return fail(why, whylen, "must end in key/ID or alias/NAME");
    }
    for (p = res; *p; p++) {
        if ((unsigned char)*p <= 0x20 || *p == 0x7f) {
            return fail(why, whylen, "must not hold spaces or control characters");
        }
    }
    return 0;
}

int cm_pubdest_key(const struct cm_pubdest_arn *d, const char *account, const char *region,
                   int64_t ms, const char *uuid, char *out, size_t cap)
{
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000), y;
    unsigned mo, da;
    int n;

    cm_civil_from_days(days, &y, &mo, &da);
    n = snprintf(out, cap, "%s%sAWSLogs/%s/GuardDuty/%s/%04lld/%02u/%02u/%s.jsonl.gz", d->prefix,
                 d->prefix[0] ? "/" : "", account, region, (long long)y, mo, da, uuid);
    if (n < 0 || (size_t)n >= cap || n > CM_PUBDEST_KEY_MAX) {
        return CM_E2BIG;
    }
    return 0;
}
