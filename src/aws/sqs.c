/*
 * The SQS client (sqs.h): JSON requests signed, sent, retried and explained.
 */
#include "aws/sqs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/sigv4.h"
#include "aws/aws_http.h"
#include "aws/aws_retry.h"
#include "aws/s3.h"
#include "aws/s3_sign.h"
#include "base/alloc.h"
#include "base/err.h"
#include "event/event.h"

#define ANSWER_CAP (16u << 20) /* 10 messages of 1 MiB and their attributes fit */

struct cm_sqs {
    struct cm_s3 *s3;
    char endpoint[1100]; /* scheme://host */
    char region[64];     /* signed for ("": the S3 client's) */
    const char *host;    /* into endpoint */
    struct cm_aws_http http;
    struct cm_buf ans;
    uint64_t rng, attempts;
    unsigned backoff_num, backoff_den;
};

const char *cm_sqs_custom_endpoint(const char *endpoint_url)
{
    const char *ep = endpoint_url;

    if (ep == NULL || ep[0] == '\0') {
        ep = getenv("AWS_ENDPOINT_URL_SQS");
    }
    if (ep == NULL || ep[0] == '\0') {
        ep = getenv("AWS_ENDPOINT_URL");
    }
    return ep != NULL && ep[0] != '\0' ? ep : NULL;
}

int cm_sqs_open(struct cm_sqs **out, struct cm_s3 *s3, const char *endpoint_url, char *err,
                size_t errlen)
{
    return cm_sqs_open_at(out, s3, endpoint_url, NULL, err, errlen);
}

int cm_sqs_open_at(struct cm_sqs **out, struct cm_s3 *s3, const char *endpoint_url,
                   const char *region, char *err, size_t errlen)
{
    struct cm_sqs *q = cm_calloc(1, sizeof(*q));
    const char *ep = endpoint_url, *from = "--endpoint-url", *h;
    struct timespec ts;

    *out = NULL;
    if (q == NULL || cm_aws_http_init(&q->http) != 0) {
        cm_free(q);
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if (ep == NULL && (ep = getenv("AWS_ENDPOINT_URL_SQS")) != NULL && ep[0] != '\0') {
        from = "AWS_ENDPOINT_URL_SQS";
    } else if (ep == NULL && (ep = getenv("AWS_ENDPOINT_URL")) != NULL && ep[0] != '\0') {
        from = "AWS_ENDPOINT_URL";
    } else if (ep != NULL && ep[0] == '\0') {
        ep = NULL;
    }
    if (region != NULL && region[0] != '\0') {
        snprintf(q->region, sizeof(q->region), "%s", region);
    }
    if (ep == NULL || ep[0] == '\0') {
        snprintf(q->endpoint, sizeof(q->endpoint), "https://sqs.%s.amazonaws.com",
                 q->region[0] != '\0' ? q->region : cm_s3_region(s3));
    } else {
        size_t n = strlen(ep);

        while (n > 0 && ep[n - 1] == '/') {
            n--;
        }
        h = strstr(ep, "://");
        if ((strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) != 0) || h == NULL ||
            memchr(h + 3, '/', n - (size_t)(h + 3 - ep)) != NULL || strchr(ep, '?') != NULL ||
            n <= (size_t)(h + 3 - ep) || n >= sizeof(q->endpoint)) {
            snprintf(err, errlen,
                     "%s: the SQS endpoint '%.200s' is not an http(s)://HOST[:PORT] URL", from, ep);
            cm_aws_http_finish(&q->http);
            cm_free(q);
            return CM_EINVAL;
        }
        snprintf(q->endpoint, sizeof(q->endpoint), "%.*s", (int)n, ep);
    }
    q->host = strstr(q->endpoint, "://") + 3;
    q->s3 = s3;
    q->backoff_num = q->backoff_den = 1;
    cm_buf_init(&q->ans, ANSWER_CAP);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    q->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)q ^ 0x9e3779b97f4a7c15ULL;
    *out = q;
    return 0;
}

void cm_sqs_close(struct cm_sqs *q)
{
    if (q == NULL) {
        return;
    }
    cm_aws_http_finish(&q->http);
    cm_buf_finish(&q->ans);
    cm_free(q);
}

const char *cm_sqs_endpoint(const struct cm_sqs *q)
{
    return q->endpoint;
}

uint64_t cm_sqs_attempts(const struct cm_sqs *q)
{
    return q->attempts;
}

void cm_sqs_set_backoff_scale(struct cm_sqs *q, unsigned num, unsigned den)
{
    q->backoff_num = num;
    q->backoff_den = den ? den : 1;
}

static double jitter(struct cm_sqs *q)
{
    q->rng ^= q->rng >> 12;
    q->rng ^= q->rng << 25;
    q->rng ^= q->rng >> 27;
    return (double)((q->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* One attempt of operation op with body[0..len): the answer into r (body: q->ans). */
static int attempt(struct cm_sqs *q, const char *op, const char *body, size_t len,
                   struct cm_aws_resp *r)
{
    struct cm_aws_creds *cr = cm_malloc(sizeof(*cr));
    struct cm_s3_req rq;
    struct cm_s3_signer sg;
    struct cm_s3_signed sd;
    char target[64], amz_date[17], hash[65], url[1200];
    struct cm_buf hv[CM_S3_MAX_HEADERS + 1];
    const char *hs[CM_S3_MAX_HEADERS + 1];
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (cr == NULL) {
        return CM_ENOMEM;
    }
    cm_s3_creds(q->s3, cr);
    sg = (struct cm_s3_signer){cr->key_id, cr->secret, cr->token,
                               q->region[0] != '\0' ? q->region : cm_s3_region(q->s3), "sqs"};
    cm_sigv4_sha256_hex(body, len, hash);
    snprintf(target, sizeof(target), "AmazonSQS.%s", op);
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.payload_hash = hash;
    rq.headers[rq.nheaders++] = (struct cm_s3_hdr){"host", q->host};
    rq.headers[rq.nheaders++] = (struct cm_s3_hdr){"content-type", "application/x-amz-json-1.0"};
    rq.headers[rq.nheaders++] = (struct cm_s3_hdr){"x-amz-target", target};
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    rc = cm_s3_sign(&rq, &sg, amz_date, &sd);
    for (size_t i = 0; i <= CM_S3_MAX_HEADERS; i++) {
        cm_buf_init(&hv[i], 0);
    }
    for (size_t i = 0; rc == 0 && i < rq.nheaders; i++) {
        rc = cm_buf_printf(&hv[i], "%s: %s", rq.headers[i].name, rq.headers[i].value);
        hs[i] = hv[i].p;
    }
    if (rc == 0 && (rc = cm_buf_printf(&hv[rq.nheaders], "Authorization: %s", sd.authz)) == 0) {
        hs[rq.nheaders] = hv[rq.nheaders].p;
        snprintf(url, sizeof(url), "%s/", q->endpoint);
        r->body = &q->ans;
        q->attempts++;
        rc = cm_aws_http_send(&q->http, "POST", url, hs, rq.nheaders + 1, body, len, r);
    }
    for (size_t i = 0; i <= CM_S3_MAX_HEADERS; i++) {
        if (hv[i].p != NULL) {
            memset(hv[i].p, 0, hv[i].len); /* the session token may be in one */
        }
        cm_buf_finish(&hv[i]);
    }
    memset(cr, 0, sizeof(*cr));
    cm_free(cr);
    return rc;
}

/* op with the retries: 0 when answered 200 (the answer in q->ans), CM_EIO (err), CM_ENOMEM. */
static int call(struct cm_sqs *q, const char *op, const struct cm_buf *body, char *err,
                size_t errlen)
{
    struct cm_aws_resp r;
    char code[128], msg[320], after[48] = "";
    unsigned tries = 0;
    int rc;

    for (;;) {
        memset(&r, 0, sizeof(r));
        tries++;
        if ((rc = attempt(q, op, body->p, body->len, &r)) != 0) {
            snprintf(err, errlen, "%s: %s", op, cm_strerror(rc));
            return rc;
        }
        if (r.too_big) {
            snprintf(err, errlen, "%s: an answer of more than 16 MiB", op);
            return CM_EIO;
        }
        if (!r.transport && r.status == 200) {
            return 0;
        }
        code[0] = msg[0] = '\0';
        if (!r.transport && q->ans.len > 0) {
            (void)cm_sqs_error_parse(q->ans.p, q->ans.len, code, sizeof(code), msg, sizeof(msg));
        }
        if (tries < CM_AWS_MAX_ATTEMPTS &&
            cm_aws_retryable(r.status, r.transport, code[0] ? code : NULL)) {
            unsigned ms = cm_aws_backoff_ms(tries, jitter(q));

            pause_ms((unsigned)((uint64_t)ms * q->backoff_num / q->backoff_den));
            continue;
        }
        if (tries > 1) {
            snprintf(after, sizeof(after), ", after %u attempts", tries);
        }
        if (r.transport) {
            snprintf(err, errlen, "%s: %s (no answer%s)", op, r.why, after);
        } else if (code[0] != '\0') {
            snprintf(err, errlen, "%s: %s: %s (HTTP %ld%s)", op, code, msg[0] ? msg : "no message",
                     r.status, after);
        } else {
            snprintf(err, errlen, "%s: HTTP %ld%s", op, r.status, after);
        }
        return CM_EIO;
    }
}

int cm_sqs_receive(struct cm_sqs *q, const char *queue_url, unsigned max, unsigned wait_s,
                   unsigned visibility_s, struct cm_sqs_msgs *out, char *err, size_t errlen)
{
    struct cm_buf b;
    char why[300];
    int rc;

    cm_buf_init(&b, 0);
    rc = cm_sqs_receive_body(&b, queue_url, max, wait_s, visibility_s);
    if (rc == 0) {
        rc = call(q, "ReceiveMessage", &b, err, errlen);
    }
    if (rc == 0) {
        rc = cm_sqs_receive_parse(q->ans.p ? q->ans.p : "{}", q->ans.p ? q->ans.len : 2, out, why,
                                  sizeof(why));
        if (rc == CM_ESYNTAX) {
            snprintf(err, errlen, "%s", why);
            rc = CM_EIO;
        }
    }
    cm_buf_finish(&b);
    return rc;
}

static int batch(struct cm_sqs *q, const char *op, const struct cm_buf *b, unsigned *failed,
                 char *err, size_t errlen)
{
    char why[300];
    int rc = call(q, op, b, err, errlen);

    if (rc == 0 && cm_sqs_batch_parse(q->ans.p ? q->ans.p : "{}", q->ans.p ? q->ans.len : 2, failed,
                                      why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s: %s", op, why);
        rc = CM_EIO;
    } else if (rc == 0 && *failed != 0) {
        snprintf(err, errlen, "%s: %s", op, why);
    }
    return rc;
}

int cm_sqs_delete(struct cm_sqs *q, const char *queue_url, const char *const *handles, size_t n,
                  unsigned *failed, char *err, size_t errlen)
{
    struct cm_buf b;
    int rc;

    *failed = 0;
    cm_buf_init(&b, 0);
    rc = cm_sqs_delete_body(&b, queue_url, handles, n);
    if (rc == 0) {
        rc = batch(q, "DeleteMessageBatch", &b, failed, err, errlen);
    }
    cm_buf_finish(&b);
    return rc;
}

int cm_sqs_visibility(struct cm_sqs *q, const char *queue_url, const char *const *handles, size_t n,
                      unsigned visibility_s, unsigned *failed, char *err, size_t errlen)
{
    struct cm_buf b;
    int rc;

    *failed = 0;
    cm_buf_init(&b, 0);
    rc = cm_sqs_visibility_body(&b, queue_url, handles, n, visibility_s);
    if (rc == 0) {
        rc = batch(q, "ChangeMessageVisibilityBatch", &b, failed, err, errlen);
    }
    cm_buf_finish(&b);
    return rc;
}
