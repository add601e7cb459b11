/*
 * Watched queues' locations (sqs_loc.h): sqs://ACCOUNT/QUEUE and queue URLs, with their key
 * prefix and visibility timeout.
 */
#include "aws/sqs_loc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"

bool cm_sqs_loc_is(const char *path)
{
    return strncmp(path, "sqs://", 6) == 0 || strncmp(path, "http://", 7) == 0 ||
           strncmp(path, "https://", 8) == 0;
}

/* "ACCOUNT/QUEUE[/KEY-PREFIX][?visibility=S]" at p of path into l. */
static int parse_tail(const char *path, const char *p, const char *form, struct cm_sqs_loc *l,
                      char *err, size_t errlen)
{
    const char *slash, *q, *end;
    size_t n;

    q = strchr(p, '?');
    end = q != NULL ? q : p + strlen(p);
    slash = memchr(p, '/', (size_t)(end - p));
    n = slash != NULL ? (size_t)(slash - p) : 0;
    if (slash == NULL || n == 0 || n >= sizeof(l->account) || strspn(p, "0123456789") != n) {
        snprintf(err, errlen,
                 "'%.200s': a queue is %s[/KEY-PREFIX][?visibility=SECONDS] (ACCOUNT the "
                 "queue owner's 12-digit account id)",
                 path, form);
        return CM_EINVAL;
    }
    memcpy(l->account, p, n);
    p = slash + 1;
    slash = memchr(p, '/', (size_t)(end - p));
    n = slash != NULL ? (size_t)(slash - p) : (size_t)(end - p);
    if (n == 0 || n > 80 ||
        strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789-_.") < n) {
        snprintf(err, errlen,
                 "'%.200s': a queue name is 1 to 80 letters, digits, '-' and '_' (and .fifo)",
                 path);
        return CM_EINVAL;
    }
    memcpy(l->queue, p, n);
    if (slash != NULL) {
        n = (size_t)(end - slash - 1);
        if (n >= sizeof(l->prefix)) {
            snprintf(err, errlen, "'%.200s': the key prefix is too long", path);
            return CM_EINVAL;
        }
        memcpy(l->prefix, slash + 1, n);
    }
    if (q != NULL) {
        char *e;
        unsigned long v;

        errno = 0;
        if (strncmp(q, "?visibility=", 12) != 0 || (v = strtoul(q + 12, &e, 10), errno != 0) ||
            e == q + 12 || *e != '\0' || v < 1 || v > 43200 || q[12] == '-' || q[12] == '+' ||
            q[12] == ' ') {
            snprintf(err, errlen,
                     "'%.200s': the only parameter is ?visibility=SECONDS (1 to 43200)", path);
            return CM_EINVAL;
        }
        l->visibility_s = (unsigned)v;
    }
    return 0;
}

/* Whether s[0..n) is a region's name: a-z, 0-9 and '-', a letter first, a '-' in it. */
static bool is_region(const char *s, size_t n)
{
    return n >= 4 && n < 40 && s[0] >= 'a' && s[0] <= 'z' && memchr(s, '-', n) != NULL &&
           strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") >= n && s[n - 1] != '-';
}

/* Whether host[0..n) ends with suffix (case-insensitive); *left gets the length before it. */
static bool ends_with(const char *host, size_t n, const char *suffix, size_t *left)
{
    size_t k = strlen(suffix);

    if (n < k || strncasecmp(host + n - k, suffix, k) != 0) {
        return false;
    }
    *left = n - k;
    return true;
}

/*
 * An AWS SQS host[0..n) (no port): its region into l->region and, for the legacy forms, the
 * endpoint requests go to. Returns whether host is one.
 */
static bool aws_host(const char *host, size_t n, struct cm_sqs_loc *l, bool *legacy)
{
    static const char *const pre[] = {"sqs.", "sqs-fips."};
    static const char *const suf[] = {".amazonaws.com", ".amazonaws.com.cn"};
    char low[256];
    size_t left;

    if (n == 0 || n >= sizeof(low)) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        low[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ? host[i] - 'A' + 'a' : host[i]);
    }
    low[n] = '\0';
    *legacy = true;
    if (strcmp(low, "queue.amazonaws.com") == 0) {
        snprintf(l->region, sizeof(l->region), "us-east-1");
        return true;
    }
    if (ends_with(low, n, ".queue.amazonaws.com", &left) && is_region(low, left)) {
        snprintf(l->region, sizeof(l->region), "%.*s", (int)left, low);
        return true;
    }
    *legacy = false;
    for (size_t s = 0; s < sizeof(suf) / sizeof(suf[0]); s++) {
        for (size_t p = 0; p < sizeof(pre) / sizeof(pre[0]); p++) {
            size_t pl = strlen(pre[p]);

            if (ends_with(low, n, suf[s], &left) && left > pl && strncmp(low, pre[p], pl) == 0 &&
                is_region(low + pl, left - pl)) {
                snprintf(l->region, sizeof(l->region), "%.*s", (int)(left - pl), low + pl);
                return true;
            }
        }
    }
    return false;
}

/* Whether scheme://authority (a[0..n)) is custom, a trailing '/' of custom ignored. */
static bool is_custom(const char *a, size_t n, const char *custom)
{
    size_t k;

    if (custom == NULL) {
        return false;
    }
    k = strlen(custom);
    while (k > 0 && custom[k - 1] == '/') {
        k--;
    }
    return k == n && strncasecmp(a, custom, n) == 0;
}

static int parse_url(const char *path, const char *custom, struct cm_sqs_loc *l, char *err,
                     size_t errlen)
{
    size_t sl = strncmp(path, "https://", 8) == 0 ? 8 : 7;
    const char *auth = path + sl, *colon;
    size_t an = strcspn(auth, "/?#"), hn;
    bool legacy = false;
    int rc;

    colon = memchr(auth, ':', an);
    hn = colon != NULL ? (size_t)(colon - auth) : an;
    if (an == 0 || hn == 0 || memchr(auth, '@', an) != NULL || auth[an] != '/' ||
        (colon != NULL && (colon + 1 == auth + an ||
                           strspn(colon + 1, "0123456789") != (size_t)(auth + an - colon - 1)))) {
        snprintf(err, errlen,
                 "'%.200s': not an SQS queue URL: a queue URL is "
                 "https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE",
                 path);
        return CM_EINVAL;
    }
    if (!aws_host(auth, hn, l, &legacy)) {
        if (!is_custom(path, sl + an, custom)) {
            snprintf(
                err, errlen,
                "'%.200s': not an SQS queue URL: %.*s is not an SQS endpoint "
                "(sqs.REGION.amazonaws.com, REGION.queue.amazonaws.com, or the custom "
                "endpoint of --endpoint-url, AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL: %.200s)",
                path, (int)(hn > 200 ? 200 : hn), auth, custom != NULL ? custom : "none set");
            return CM_EINVAL;
        }
    }
    if (strchr(path, '#') != NULL) {
        snprintf(err, errlen,
                 "'%.200s': a queue URL has no '#' part (a key prefix follows the queue's name "
                 "as /KEY-PREFIX)",
                 path);
        return CM_EINVAL;
    }
    if ((rc = parse_tail(path, auth + an + 1, "SCHEME://HOST/ACCOUNT/QUEUE", l, err, errlen)) !=
        0) {
        return rc;
    }
    if (legacy) {
        snprintf(l->endpoint, sizeof(l->endpoint), "https://sqs.%s.amazonaws.com", l->region);
    } else if (sl + an < sizeof(l->endpoint)) {
        snprintf(l->endpoint, sizeof(l->endpoint), "%.*s", (int)(sl + an), path);
    } else {
        snprintf(err, errlen, "'%.200s': the host is too long", path);
        return CM_EINVAL;
    }
    snprintf(l->queue_url, sizeof(l->queue_url), "%.*s/%s/%s", (int)(sl + an), path, l->account,
             l->queue);
    return 0;
}

int cm_sqs_loc_parse(const char *path, const char *custom, struct cm_sqs_loc *l, char *err,
                     size_t errlen)
{
    int rc;

    memset(l, 0, sizeof(*l));
    l->visibility_s = CM_SQS_LOC_VISIBILITY_S;
    if (strncmp(path, "sqs://", 6) == 0) {
        rc = parse_tail(path, path + 6, "sqs://ACCOUNT/QUEUE", l, err, errlen);
    } else if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
        rc = parse_url(path, custom, l, err, errlen);
    } else {
        snprintf(err, errlen,
                 "'%.200s' is not a queue (sqs://ACCOUNT/QUEUE or "
                 "https://sqs.REGION.amazonaws.com/ACCOUNT/QUEUE)",
                 path);
        rc = CM_EINVAL;
    }
    if (rc != 0) {
        memset(l, 0, sizeof(*l)); /* nothing half parsed */
    }
    return rc;
}
