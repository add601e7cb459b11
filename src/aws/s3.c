/*
 * The S3 reader (s3.h): requests built, signed, sent, retried and explained.
 */
#include "aws/s3.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "aws/aws_http.h"
#include "aws/aws_retry.h"
#include "aws/s3_sign.h"
#include "aws/s3_url.h"
#include "api/sigv4.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"
#include "event/event.h"

#define MAX_REGIONS 32
/* Instance credentials are fetched again this long before they expire. */
#define REFRESH_MS (5 * 60 * 1000LL)
#define ERR_BODY   (64u << 10) /* bytes of an error answer kept */

struct bucket_region {
    char bucket[64];
    char region[64];
};

struct cm_s3 {
    struct cm_aws_config cfg;
    char scheme[8];  /* "http" or "https" */
    char host[1024]; /* the endpoint's host[:port]; empty: AWS's */
    unsigned backoff_num, backoff_den;
    pthread_mutex_t mu; /* regions, and cfg's credentials while they are refreshed */
    struct bucket_region regions[MAX_REGIONS];
    size_t nregions;
};

struct cm_s3_conn {
    struct cm_s3 *s;
    struct cm_aws_http http;
    struct cm_buf page; /* a listing page or an error answer */
    uint64_t rng;
    uint64_t attempts;
};

/* The endpoint URL's scheme and host; a path after the host is refused. */
static int split_endpoint(struct cm_s3 *s, char *err, size_t errlen)
{
    const char *ep = s->cfg.endpoint, *h;

    if (ep[0] == '\0') {
        snprintf(s->scheme, sizeof(s->scheme), "https");
        return 0;
    }
    h = strstr(ep, "://") + 3;
    snprintf(s->scheme, sizeof(s->scheme), "%.*s", (int)(h - 3 - ep), ep);
    if (strchr(h, '/') != NULL || strchr(h, '?') != NULL || h[0] == '\0') {
        snprintf(err, errlen, "endpoint '%.200s': give only a scheme and a host[:port]", ep);
        return CM_EINVAL;
    }
    snprintf(s->host, sizeof(s->host), "%s", h);
    return 0;
}

int cm_s3_open(struct cm_s3 **out, const struct cm_aws_opts *o, char *err, size_t errlen)
{
    struct cm_s3 *s = cm_calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (s == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if ((rc = cm_aws_config_resolve(o, &s->cfg, err, errlen)) == 0 &&
        !cm_region_shape_ok(cm_str_cstr(s->cfg.region))) {
        /* It becomes part of a host name (bucket.s3.REGION.amazonaws.com) and a credential
         * scope: "evil.example#" would send the request elsewhere. */
        snprintf(err, errlen, "region '%.60s': not a region name (like eu-west-1)", s->cfg.region);
        rc = CM_EINVAL;
    }
    if (rc != 0 || (rc = split_endpoint(s, err, errlen)) != 0) {
        cm_aws_config_finish(&s->cfg);
        cm_free(s);
        return rc;
    }
    s->backoff_num = s->backoff_den = 1;
    pthread_mutex_init(&s->mu, NULL);
    *out = s;
    return 0;
}

void cm_s3_close(struct cm_s3 *s)
{
    if (s == NULL) {
        return;
    }
    cm_aws_config_finish(&s->cfg);
    pthread_mutex_destroy(&s->mu);
    cm_free(s);
}

const char *cm_s3_source(const struct cm_s3 *s)
{
    return s->cfg.source;
}

void cm_s3_set_backoff_scale(struct cm_s3 *s, unsigned num, unsigned den)
{
    s->backoff_num = num;
    s->backoff_den = den ? den : 1;
}

int cm_s3_conn_create(struct cm_s3 *s, struct cm_s3_conn **out)
{
    struct cm_s3_conn *c = cm_calloc(1, sizeof(*c));
    struct timespec ts;

    *out = NULL;
    if (c == NULL || cm_aws_http_init(&c->http) != 0) {
        cm_free(c);
        return CM_ENOMEM;
    }
    c->s = s;
    cm_buf_init(&c->page, 64u << 20);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)c ^ 0x9e3779b97f4a7c15ULL;
    *out = c;
    return 0;
}

void cm_s3_conn_destroy(struct cm_s3_conn *c)
{
    if (c == NULL) {
        return;
    }
    cm_aws_http_finish(&c->http);
    cm_buf_finish(&c->page);
    cm_free(c);
}

uint64_t cm_s3_conn_attempts(const struct cm_s3_conn *c)
{
    return c->attempts;
}

/* A number in [0, 1) (xorshift64*), for the backoff's jitter. */
static double jitter(struct cm_s3_conn *c)
{
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    return (double)((c->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* The region requests about bucket are signed for. */
static void region_of(struct cm_s3 *s, const char *bucket, char *dst, size_t cap)
{
    snprintf(dst, cap, "%s", s->cfg.region);
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->nregions; i++) {
        if (strcmp(s->regions[i].bucket, bucket) == 0) {
            snprintf(dst, cap, "%s", s->regions[i].region);
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

static void set_region(struct cm_s3 *s, const char *bucket, const char *region)
{
    pthread_mutex_lock(&s->mu);
    size_t i = 0;
    while (i < s->nregions && strcmp(s->regions[i].bucket, bucket) != 0) {
        i++;
    }
    if (i == s->nregions && s->nregions < MAX_REGIONS) {
        s->nregions++;
    }
    if (i < s->nregions) {
        snprintf(s->regions[i].bucket, sizeof(s->regions[i].bucket), "%s", bucket);
        snprintf(s->regions[i].region, sizeof(s->regions[i].region), "%s", region);
    }
    pthread_mutex_unlock(&s->mu);
}

/* The credentials one request is signed with (a copy: another thread may refresh them). */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Copies the credentials into out; credentials that expire (IMDS, STS, a process, SSO) within
 * REFRESH_MS of their expiry are fetched again first, as botocore does, so a scan longer than their
 * life goes on. A failed refresh keeps the old ones (they may still be good) and is tried again a
 * minute later.
 */
static void current_creds(struct cm_s3 *s, struct cm_aws_creds *out)
{
    pthread_mutex_lock(&s->mu);
    if (s->cfg.creds.expires_ms > 0 && now_ms() + REFRESH_MS >= s->cfg.creds.expires_ms) {
        struct cm_aws_config *fresh = cm_calloc(1, sizeof(*fresh));
        char why[600];

        if (fresh != NULL && cm_aws_config_refresh(&s->cfg, fresh, why, sizeof(why)) == 0) {
            s->cfg.creds = fresh->creds;
        } else {
            s->cfg.creds.expires_ms = now_ms() + REFRESH_MS + 60 * 1000;
        }
        if (fresh != NULL) {
            cm_aws_config_finish(fresh);
            cm_free(fresh);
        }
    }
    *out = s->cfg.creds;
    pthread_mutex_unlock(&s->mu);
}

void cm_s3_creds(struct cm_s3 *s, struct cm_aws_creds *out)
{
    current_creds(s, out);
}

const char *cm_s3_region(const struct cm_s3 *s)
{
    return s->cfg.region;
}

/* Whether bucket can be a host name label (virtual-hosted style over TLS). */
static bool dns_safe(const char *b)
{
    for (; *b; b++) {
        if (!((*b >= 'a' && *b <= 'z') || (*b >= '0' && *b <= '9') || *b == '-')) {
            return false;
        }
    }
    return true;
}

/* What one request is. */
struct call {
    const char *bucket, *key;
    struct cm_s3_param params[CM_S3_MAX_PARAMS];
    size_t nparams;
    const char *range, *if_match;
    struct cm_buf *body;
    /* A PUT (cm_s3_put): the method, the bytes sent, their SHA-256 and extra headers. */
    const char *method; /* NULL: GET */
    const void *payload;
    size_t payload_len;
    const char *payload_hash;
    struct cm_s3_hdr extra[4];
    size_t nextra;
    /* Out: the last answer's status (0: none) and, for a HEAD, its ETag and length. */
    long status;
    char etag[256], length[24];
};

/* Sends q, signed (authz), to host; the answer into r (its body into body). */
static int send_signed(struct cm_s3_conn *c, const struct cm_s3_req *q, const char *host,
                       const char *authz, const struct call *k, struct cm_aws_resp *r)
{
    struct cm_buf url, hv[CM_S3_MAX_HEADERS + 1]; /* the headers, then Authorization */
    const char *hs[CM_S3_MAX_HEADERS + 1];
    int rc;

    if (q->nheaders > CM_S3_MAX_HEADERS) {
        return CM_EINVAL;
    }
    cm_buf_init(&url, 0);
    for (size_t i = 0; i <= CM_S3_MAX_HEADERS; i++) {
        cm_buf_init(&hv[i], 0);
    }
    rc = cm_buf_printf(&url, "%s://%s", c->s->scheme, host);
    if (rc == 0) {
        rc = cm_s3_canon_path(q, &url);
    }
    if (rc == 0 && q->nparams > 0 && (rc = cm_buf_putc(&url, '?')) == 0) {
        rc = cm_s3_canon_query(q, &url);
    }
    for (size_t i = 0; rc == 0 && i < q->nheaders; i++) {
        rc = cm_buf_printf(&hv[i], "%s: %s", q->headers[i].name, q->headers[i].value);
        hs[i] = hv[i].p;
    }
    if (rc == 0) {
        rc = cm_buf_printf(&hv[q->nheaders], "Authorization: %s", authz);
        hs[q->nheaders] = hv[q->nheaders].p;
    }
    if (rc == 0) {
        r->body = k->body;
        c->attempts++;
        rc = cm_aws_http_send(&c->http, q->method, url.p, hs, q->nheaders + 1, k->payload,
                              k->payload_len, r);
    }
    cm_buf_finish(&url);
    for (size_t i = 0; i <= CM_S3_MAX_HEADERS; i++) {
        if (hv[i].p != NULL) {
            memset(hv[i].p, 0, hv[i].len); /* the session token may be in one */
        }
        cm_buf_finish(&hv[i]);
    }
    return rc;
}

/* Sends one attempt of k; r gets the answer. */
static int attempt(struct cm_s3_conn *c, const struct call *k, const char *region,
                   struct cm_aws_resp *r)
{
    struct cm_s3 *s = c->s;
    struct cm_s3_req q;
    struct cm_aws_creds *cr = cm_malloc(sizeof(*cr));
    struct cm_s3_signer sg;
    struct cm_s3_signed out;
    char host[1200], amz_date[17];
    bool virt = s->host[0] == '\0' && dns_safe(k->bucket);
    time_t now = time(NULL);
    struct tm tm;
    int rc;

    if (cr == NULL) {
        return CM_ENOMEM;
    }
    current_creds(s, cr);
    sg = (struct cm_s3_signer){cr->key_id, cr->secret, cr->token, region, "s3"};
    memset(&q, 0, sizeof(q));
    q.method = k->method != NULL ? k->method : "GET";
    q.payload_hash = k->payload_hash;
    q.bucket = virt ? NULL : k->bucket;
    q.key = k->key;
    memcpy(q.params, k->params, k->nparams * sizeof(q.params[0]));
    q.nparams = k->nparams;
    if (s->host[0] != '\0') {
        snprintf(host, sizeof(host), "%s", s->host);
    } else if (virt) {
        snprintf(host, sizeof(host), "%s.s3.%s.amazonaws.com", k->bucket, region);
    } else {
        snprintf(host, sizeof(host), "s3.%s.amazonaws.com", region);
    }
    q.headers[q.nheaders++] = (struct cm_s3_hdr){"host", host};
    if (k->range != NULL) {
        q.headers[q.nheaders++] = (struct cm_s3_hdr){"range", k->range};
    }
    if (k->if_match != NULL) {
        q.headers[q.nheaders++] = (struct cm_s3_hdr){"if-match", k->if_match};
    }
    for (size_t i = 0; i < k->nextra; i++) {
        q.headers[q.nheaders++] = k->extra[i];
    }
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    if ((rc = cm_s3_sign(&q, &sg, amz_date, &out)) != 0) {
        memset(cr, 0, sizeof(*cr)); /* the secret */
        cm_free(cr);
        return rc;
    }
    rc = send_signed(c, &q, host, out.authz, k, r);
    memset(cr, 0, sizeof(*cr)); /* the secret; the token was signed from it (q.headers) */
    cm_free(cr);
    return rc;
}

/* The sentence for an answer that is not a success. */
static void explain(const struct cm_aws_resp *r, const struct cm_s3_error *e, unsigned tries,
                    char *err, size_t errlen)
{
    char after[48] = "";

    if (tries > 1) {
        snprintf(after, sizeof(after), ", after %u attempts", tries);
    }
    if (r->transport) {
        snprintf(err, errlen, "%s (no answer%s)", r->why, after);
    } else if (e->code[0] != '\0') {
        snprintf(err, errlen, "%s: %s (HTTP %ld%s)", e->code,
                 e->message[0] ? e->message : "no message", r->status, after);
    } else if (r->status == 404) {
        snprintf(err, errlen, "NotFound: no such bucket or object (HTTP 404%s)", after);
    } else if (r->status == 403) {
        snprintf(err, errlen, "Forbidden: access denied (HTTP 403%s)", after);
    } else {
        snprintf(err, errlen, "HTTP %ld%s", r->status, after);
    }
}

/*
 * Runs k with the retries: 0 when answered with 200 or 206, CM_EIO with err, CM_E2BIG
 * when the body passed its cap, CM_ENOMEM.
 */
static int call(struct cm_s3_conn *c, struct call *k, char *err, size_t errlen)
{
    struct cm_aws_resp r;
    struct cm_s3_error e;
    char region[64];
    bool moved = false;
    unsigned tries = 0;
    int rc;

    for (;;) {
        region_of(c->s, k->bucket, region, sizeof(region));
        memset(&r, 0, sizeof(r));
        memset(&e, 0, sizeof(e));
        tries++;
        if ((rc = attempt(c, k, region, &r)) != 0) {
            snprintf(err, errlen, "%s", cm_strerror(rc));
            return rc;
        }
        if (r.too_big) {
            snprintf(err, errlen, "the object is larger than the input size cap");
            return CM_E2BIG;
        }
        k->status = r.transport ? 0 : r.status;
        if (!r.transport && (r.status == 200 || r.status == 206)) {
            memcpy(k->etag, r.etag, sizeof(k->etag));
            memcpy(k->length, r.length, sizeof(k->length));
            return 0;
        }
        if (!r.transport && k->body->len > 0) {
            (void)cm_s3_error_parse(k->body->p, k->body->len, &e);
        }
        /* The bucket is in another region: sign for it and ask again, once. */
        if (!moved && !r.transport && (r.status == 301 || r.status == 400) &&
            cm_region_shape_ok(cm_str_cstr(r.bucket_region)) &&
            strcmp(r.bucket_region, region) != 0) {
            set_region(c->s, k->bucket, r.bucket_region);
            moved = true;
            continue;
        }
        if (tries < CM_AWS_MAX_ATTEMPTS &&
            cm_aws_retryable(r.status, r.transport, e.code[0] ? e.code : NULL)) {
            unsigned ms = cm_aws_backoff_ms(tries, jitter(c));
            pause_ms((unsigned)((uint64_t)ms * c->s->backoff_num / c->s->backoff_den));
            continue;
        }
        explain(&r, &e, tries, err, errlen);
        return CM_EIO;
    }
}

int cm_s3_list(struct cm_s3_conn *c, const char *bucket, const char *prefix,
               int (*each)(void *ud, const struct cm_s3_object *o), void *ud, char *err,
               size_t errlen)
{
    return cm_s3_list_with(c, bucket, prefix, NULL, each, ud, err, errlen);
}

int cm_s3_list_with(struct cm_s3_conn *c, const char *bucket, const char *prefix,
                    struct cm_s3_list_opts *o, int (*each)(void *ud, const struct cm_s3_object *o),
                    void *ud, char *err, size_t errlen)
{
    struct cm_s3_list l;
    char *token = NULL, why[300];
    size_t page = 0;
    int rc = 0;

    cm_s3_list_init(&l);
    for (;;) {
        struct call k = {.bucket = bucket, .body = &c->page};

        k.params[k.nparams++] = (struct cm_s3_param){"list-type", "2"};
        k.params[k.nparams++] = (struct cm_s3_param){"encoding-type", "url"};
        k.params[k.nparams++] = (struct cm_s3_param){"max-keys", "1000"};
        if (prefix != NULL && prefix[0] != '\0') {
            k.params[k.nparams++] = (struct cm_s3_param){"prefix", prefix};
        }
        if (o != NULL && o->delimiter != NULL && o->delimiter[0] != '\0') {
            k.params[k.nparams++] = (struct cm_s3_param){"delimiter", o->delimiter};
        }
        if (o != NULL && o->start_after != NULL && o->start_after[0] != '\0' && token == NULL) {
            k.params[k.nparams++] = (struct cm_s3_param){"start-after", o->start_after};
        }
        if (token != NULL) {
            k.params[k.nparams++] = (struct cm_s3_param){"continuation-token", token};
        }
        page++;
        if (o != NULL) {
            o->pages++;
        }
        if ((rc = call(c, &k, err, errlen)) != 0) {
            if (rc == CM_E2BIG) {
                snprintf(err, errlen, "ListObjectsV2 page %zu: an answer of more than 64 MiB",
                         page);
                rc = CM_EIO;
            }
            break;
        }
        rc = cm_s3_list_parse(c->page.p ? c->page.p : "", c->page.len, &l, why, sizeof(why));
        if (rc != 0) {
            snprintf(err, errlen, "ListObjectsV2 page %zu: %s", page, why);
            rc = rc == CM_ENOMEM ? rc : CM_EIO;
            break;
        }
        for (size_t i = 0; rc == 0 && i < l.n; i++) {
            rc = each(ud, &l.v[i]);
        }
        for (size_t i = 0; rc == 0 && o != NULL && o->folder != NULL && i < l.nprefixes; i++) {
            rc = o->folder(ud, l.prefixes[i]);
        }
        if (rc != 0 || !l.truncated) {
            break;
        }
        cm_free(token);
        token = l.next_token;
        l.next_token = NULL;
    }
    cm_free(token);
    cm_s3_list_finish(&l);
    return rc;
}

int cm_s3_get(struct cm_s3_conn *c, const char *bucket, const char *key, const char *etag,
              uint64_t first, struct cm_buf *out, char *err, size_t errlen)
{
    struct call k = {.bucket = bucket, .key = key, .body = out};
    char range[48];
    int rc;

    if (first > 0) {
        snprintf(range, sizeof(range), "bytes=0-%llu", (unsigned long long)(first - 1));
        k.range = range;
    }
    if (etag != NULL && etag[0] != '\0') {
        k.if_match = etag;
    }
    rc = call(c, &k, err, errlen);
    if (rc == CM_EIO && strncmp(err, "PreconditionFailed", 18) == 0) {
        snprintf(err, errlen,
                 "PreconditionFailed: the object was rewritten after it was listed (its ETag "
                 "is no longer %.100s) (HTTP 412)",
                 etag);
    }
    if (rc == 0 && out->p == NULL) {
        rc = cm_buf_reserve(out, 1);
        if (rc == 0) {
            out->p[0] = '\0';
        }
    }
    return rc;
}

int cm_s3_head(struct cm_s3_conn *c, const char *bucket, const char *key, uint64_t *size,
               char *etag, size_t etagcap, char *err, size_t errlen)
{
    struct call k = {.bucket = bucket, .key = key, .body = &c->page, .method = "HEAD"};
    unsigned long long n;
    int rc;

    rc = call(c, &k, err, errlen);
    if (rc == CM_EIO && k.status == 404) {
        return 1;
    }
    if (rc != 0) {
        return rc == CM_E2BIG ? CM_EIO : rc;
    }
    if (cm_str_to_u64(cm_str_cstr(k.length), UINT64_MAX, &n) != 0) {
        snprintf(err, errlen, "HeadObject: no Content-Length in the answer (\"%.24s\")", k.length);
        return CM_EIO;
    }
    if (k.etag[0] == '\0' || strlen(k.etag) >= etagcap) {
        snprintf(err, errlen, "HeadObject: %s ETag in the answer",
                 k.etag[0] == '\0' ? "no" : "too long an");
        return CM_EIO;
    }
    *size = (uint64_t)n;
    memcpy(etag, k.etag, strlen(k.etag) + 1);
    return 0;
}

int cm_s3_put(struct cm_s3_conn *c, const char *bucket, const char *key, const void *data,
              size_t len, const char *content_type, const char *kms_key, char *err, size_t errlen)
{
    struct call k = {.bucket = bucket, .key = key, .body = &c->page};
    char hash[65];
    int rc;

    cm_sigv4_sha256_hex(data, len, hash);
    k.method = "PUT";
    k.payload = data != NULL ? data : "";
    k.payload_len = len;
    k.payload_hash = hash;
    if (content_type != NULL) {
        k.extra[k.nextra++] = (struct cm_s3_hdr){"content-type", content_type};
    }
    if (kms_key != NULL && kms_key[0] != '\0') {
        k.extra[k.nextra++] = (struct cm_s3_hdr){"x-amz-server-side-encryption", "aws:kms"};
        k.extra[k.nextra++] =
            (struct cm_s3_hdr){"x-amz-server-side-encryption-aws-kms-key-id", kms_key};
    }
    rc = call(c, &k, err, errlen);
    if (rc == CM_E2BIG) {
        snprintf(err, errlen, "PutObject: an answer of more than 64 MiB");
        rc = CM_EIO;
    }
    return rc;
}
