/*
 * The listing plan of a watched S3 location (s3_plan.h).
 */
#include "aws/s3_plan.h"

#include <stdio.h>
#include <string.h>

#define MAX_PARTS   64
#define ABOVE_DEPTH 3 /* folders above AWSLogs/ descended (a trail's prefix) */

/* The parts of folder ("a/b/c/"): their starts and lengths; returns how many (at most max). */
static size_t split(const char *folder, const char **part, size_t *len, size_t max)
{
    size_t n = 0;
    const char *p = folder;

    while (*p != '\0' && n < max) {
        const char *e = strchr(p, '/');

        if (e == NULL) {
            break; /* not a folder's part: the caller's folder ends in '/' */
        }
        part[n] = p;
        len[n++] = (size_t)(e - p);
        p = e + 1;
    }
    return n;
}

static bool is(const char *p, size_t n, const char *name)
{
    return strlen(name) == n && memcmp(p, name, n) == 0;
}

/* A service whose folders hold dated streams. */
static bool dated_service(const char *p, size_t n)
{
    return is(p, n, "CloudTrail") || is(p, n, "vpcflowlogs") || is(p, n, "vpcdnsquerylogs") ||
           is(p, n, "CloudTrail-Insight");
}

enum cm_s3_plan cm_s3_plan_folder(const char *folder, size_t *root_len)
{
    const char *part[MAX_PARTS];
    size_t len[MAX_PARTS], n, a = MAX_PARTS, off, d, flen = strlen(folder);

    *root_len = 0;
    if (flen > 0 && folder[flen - 1] != '/') {
        return CM_S3_PLAN_FULL;
    }
    n = split(folder, part, len, MAX_PARTS);
    for (size_t i = 0; i < n; i++) {
        if (len[i] == 0) {
            return CM_S3_PLAN_FULL; /* "a//b/": no layout of AWS's */
        }
        if (is(part[i], len[i], "AWSLogs")) {
            a = i;
        }
    }
    if (a == MAX_PARTS) {
        return n < ABOVE_DEPTH ? CM_S3_PLAN_DESCEND : CM_S3_PLAN_FULL;
    }
    d = n - a - 1; /* parts after AWSLogs */
    off = d > 0 && len[a + 1] > 2 && memcmp(part[a + 1], "o-", 2) == 0 ? 1 : 0;
    if (d <= off + 1) {
        return CM_S3_PLAN_DESCEND; /* AWSLogs/, an account, an organization */
    }
    {
        const char *svc = part[a + 2 + off];
        size_t sl = len[a + 2 + off];

        if (is(svc, sl, "CloudTrail-Digest")) {
            return CM_S3_PLAN_SKIP;
        }
        if (!dated_service(svc, sl)) {
            return CM_S3_PLAN_FULL;
        }
        if (d == off + 2) {
            return CM_S3_PLAN_DESCEND; /* the service: its regions (or VPCs) */
        }
        *root_len = (size_t)(part[a + 3 + off] - folder) + len[a + 3 + off] + 1;
        return CM_S3_PLAN_STREAM;
    }
}

static bool digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') {
            return false;
        }
    }
    return true;
}

static unsigned num(const char *p, size_t n)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    return v;
}

static bool leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return m == 2 && leap(y) ? 29 : days[m - 1];
}

static bool valid(unsigned y, unsigned m, unsigned d)
{
    return y >= 1970 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

uint32_t cm_s3_plan_day(const char *key, size_t root_len)
{
    const char *p;
    unsigned y, m, d;

    if (strlen(key) < root_len + 11) {
        return 0;
    }
    p = key + root_len;
    if (!digits(p, 4) || p[4] != '/' || !digits(p + 5, 2) || p[7] != '/' || !digits(p + 8, 2) ||
        p[10] != '/') {
        return 0;
    }
    y = num(p, 4);
    m = num(p + 5, 2);
    d = num(p + 8, 2);
    return valid(y, m, d) ? (uint32_t)(y * 10000 + m * 100 + d) : 0;
}

int cm_s3_plan_start_after(const char *root, size_t root_len, uint32_t day, char *out, size_t cap)
{
    unsigned y = day / 10000, m = day / 100 % 100, d = day % 100;
    int k;

    if (!valid(y, m, d) || root_len > (size_t)0x7fffffff) {
        return -1;
    }
    if (d > 1) {
        d--;
    } else if (m > 1) {
        m--;
        d = month_days(y, m);
    } else if (y > 1970) {
        y--;
        m = 12;
        d = 31;
    } /* 1970-01-01: that day itself, the first there is */
    k = snprintf(out, cap, "%.*s%04u/%02u/%02u", (int)root_len, root, y, m, d);
    return k >= 0 && (size_t)k < cap ? 0 : -1;
}

bool cm_s3_plan_is_input(const char *prefix, const char *key)
{
    static const char digest[] = "CloudTrail-Digest/";
    size_t pl = strlen(prefix), kl = strlen(key), rel = 0;
    const char *slash;

    if (kl == 0 || key[kl - 1] == '/' || strncmp(key, prefix, pl) != 0) {
        return false;
    }
    slash = strrchr(prefix, '/');
    rel = slash != NULL ? (size_t)(slash - prefix) + 1 : 0;
    for (size_t i = rel; i < kl; i++) {
        bool start = i == rel || key[i - 1] == '/';

        if (start && key[i] == '.') {
            return false;
        }
        if (start && kl - i > sizeof(digest) - 1 &&
            memcmp(key + i, digest, sizeof(digest) - 1) == 0) {
            return false;
        }
    }
    return true;
}
