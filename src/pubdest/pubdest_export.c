/*
 * One export pass over the publishing destinations (pubdest_export.h).
 */
#include "pubdest/pubdest_export.h"

#include <libdeflate.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "aws/s3.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/uuid.h"
#include "finding/serialize.h"
#include "pubdest/pubdest.h"
#include "store/store.h"
#include "store/store_pubdest.h"

#define MAX_DESTS 1024 /* destinations one pass looks at (one per detector) */

int cm_pubdest_gzip(const void *in, size_t len, struct cm_buf *out)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    size_t bound, n;
    int rc;

    cm_buf_reset(out);
    if (c == NULL) {
        return CM_ENOMEM;
    }
    bound = libdeflate_gzip_compress_bound(c, len);
    rc = cm_buf_reserve(out, bound + 1);
    if (rc == 0) {
        n = libdeflate_gzip_compress(c, in, len, out->p, bound);
        rc = n > 0 ? 0 : CM_ENOMEM;
        out->len = n;
    }
    libdeflate_free_compressor(c);
    return rc;
}

/* A destination copied out of the store's row. */
struct dest {
    char id[41], detector[80], status[48];
    char *arn, *kms;
    int64_t seq, next_ms;
};

struct dests {
    struct dest *v;
    size_t n, cap;
    const char *only;
};

static int take_dest(void *ud, const struct cm_store_pubdest *d)
{
    struct dests *ds = ud;
    struct dest *x;

    if (ds->only != NULL && strcmp(ds->only, d->id) != 0) {
        return 0;
    }
    if (ds->n == ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 4;
        struct dest *nv = cap <= MAX_DESTS ? cm_realloc(ds->v, cap * sizeof(*nv)) : NULL;
        if (nv == NULL) {
            return ds->cap >= MAX_DESTS ? 0 : CM_ENOMEM;
        }
        ds->v = nv;
        ds->cap = cap;
    }
    x = &ds->v[ds->n];
    memset(x, 0, sizeof(*x));
    snprintf(x->id, sizeof(x->id), "%s", d->id);
    snprintf(x->detector, sizeof(x->detector), "%s", d->detector_id);
    snprintf(x->status, sizeof(x->status), "%s", d->status);
    x->arn = cm_strndup(d->arn, strlen(d->arn));
    x->kms = d->kms != NULL ? cm_strndup(d->kms, strlen(d->kms)) : NULL;
    x->seq = d->seq;
    x->next_ms = d->next_ms;
    if (x->arn == NULL || (d->kms != NULL && x->kms == NULL)) {
        cm_free(x->arn);
        cm_free(x->kms);
        return CM_ENOMEM;
    }
    ds->n++;
    return 0;
}

static void dests_free(struct dests *ds)
{
    for (size_t i = 0; i < ds->n; i++) {
        cm_free(ds->v[i].arn);
        cm_free(ds->v[i].kms);
    }
    cm_free(ds->v);
}

struct detector {
    bool found, enabled;
    char account[32], region[64];
};

static int take_detector(void *ud, const struct cm_store_detector *d)
{
    struct detector *x = ud;

    x->found = true;
    x->enabled = d->enabled;
    snprintf(x->account, sizeof(x->account), "%s", d->account);
    snprintf(x->region, sizeof(x->region), "%s", d->region);
    return 0;
}

/* The state of one pass. */
struct pass {
    struct cm_store *st;
    const struct cm_pubdest_opts *o;
    cm_pubdest_report_fn report;
    void *ud;
    struct cm_pubdest_stats *stats;
    struct cm_s3 *s3;
    struct cm_s3_conn *conn;
    char s3_err[600]; /* why the client could not be made; "" when it was or was not tried */
    bool s3_tried;
    struct cm_buf lines, gz, scratch;
    size_t nlines;
    int oom;
};

/* Opens the S3 client the first time a destination needs it. */
static int need_s3(struct pass *p)
{
    if (p->conn != NULL) {
        return 0;
    }
    if (p->s3_tried) {
        return CM_EIO;
    }
    p->s3_tried = true;
    struct cm_aws_opts none = {NULL, NULL, NULL};
    if (cm_s3_open(&p->s3, p->o->aws ? p->o->aws : &none, p->s3_err, sizeof(p->s3_err)) != 0) {
        return CM_EIO;
    }
    if (p->o->backoff_den > 0) {
        cm_s3_set_backoff_scale(p->s3, p->o->backoff_num, p->o->backoff_den);
    }
    if (cm_s3_conn_create(p->s3, &p->conn) != 0) {
        snprintf(p->s3_err, sizeof(p->s3_err), "%s", cm_strerror(CM_ENOMEM));
        return CM_EIO;
    }
    return 0;
}

/* Appends the finding's API form and a newline; a finding gone since is left out. */
static int add_line(void *ud, const char *finding_id, int64_t seq)
{
    struct pass *p = ud;
    struct cm_finding f;
    int rc;

    (void)seq;
    cm_finding_init(&f);
    rc = cm_store_get_finding(p->st, finding_id, &f);
    if (rc == CM_ENOTFOUND) {
        cm_finding_finish(&f);
        return 0;
    }
    if (rc == 0 && (rc = cm_finding_to_json(&f, CM_FORM_API, &p->lines)) == 0) {
        rc = cm_buf_putc(&p->lines, '\n');
    }
    cm_finding_finish(&f);
    if (rc == 0) {
        p->nlines++;
    }
    return rc;
}

static void say(struct pass *p, const struct dest *d, const char *status, const char *msg)
{
    if (p->report != NULL) {
        p->report(p->ud, d->id, status, msg);
    }
}

/* Records a failed attempt of d with why. */
static int failed(struct pass *p, const struct dest *d, const char *why, char *err, size_t errlen)
{
    struct cm_store_pubdest_outcome oc = {0};

    oc.arn = d->arn;
    oc.status = CM_PUBDEST_UNABLE;
    oc.error = why;
    oc.now_ms = p->o->now_ms;
    p->stats->failed++;
    say(p, d, CM_PUBDEST_UNABLE, why);
    return cm_store_pubdest_record(p->st, d->id, &oc, NULL, err, errlen);
}

/* The S3 client could not be made (no credentials, a bad endpoint): d's attempt failed. */
static int s3_failed(struct pass *p, const struct dest *d, char *err, size_t errlen)
{
    char m[800];

    snprintf(m, sizeof(m), "S3 client: %s", p->s3_err[0] ? p->s3_err : "not available");
    return failed(p, d, m, err, errlen);
}

/* A PENDING_VERIFICATION destination with nothing owed: can its bucket be reached? */
static int verify(struct pass *p, const struct dest *d, const struct cm_pubdest_arn *a,
                  const struct detector *det, char *why, size_t whylen)
{
    char key[CM_PUBDEST_ARN_MAX + 200];
    int rc;

    snprintf(key, sizeof(key), "%.900s%sAWSLogs/%.31s/GuardDuty/%.63s/.coalmine-verify", a->prefix,
             a->prefix[0] ? "/" : "", det->account, det->region);
    (void)d;
    rc = cm_s3_get(p->conn, a->bucket, key, NULL, 1, &p->scratch, why, whylen);
    if (rc == 0 || strncmp(why, "NoSuchKey", 9) == 0 || strncmp(why, "AccessDenied", 12) == 0 ||
        strncmp(why, "NotFound", 8) == 0 || strncmp(why, "Forbidden", 9) == 0 ||
        strncmp(why, "InvalidRange", 12) == 0) {
        return 0;
    }
    return CM_EIO;
}

static int export_one(struct pass *p, struct dest *d, char *err, size_t errlen)
{
    const struct cm_pubdest_opts *o = p->o;
    struct cm_store_pubdest_outcome oc = {0};
    struct cm_pubdest_arn a;
    struct detector det = {0};
    char why[700], key[CM_PUBDEST_KEY_MAX + 1], uuid[37], msg[CM_PUBDEST_KEY_MAX + 200];
    unsigned char rnd[16];
    uint64_t objects = 0, findings = 0;
    int rc;

    rc = cm_store_detector_get(p->st, d->detector, take_detector, &det);
    if (rc != 0 && rc != CM_ENOTFOUND) {
        snprintf(err, errlen, "reading detector %s: %s", d->detector, cm_strerror(rc));
        return CM_EIO;
    }
    if (!det.found) {
        return failed(p, d, "its detector no longer exists", err, errlen);
    }
    if (!det.enabled) {
        oc.arn = d->arn;
        oc.status = CM_PUBDEST_STOPPED;
        oc.now_ms = o->now_ms;
        p->stats->stopped++;
        say(p, d, CM_PUBDEST_STOPPED, "the detector is disabled: nothing is exported");
        return cm_store_pubdest_record(p->st, d->id, &oc, NULL, err, errlen);
    }
    if (!o->force && d->next_ms > o->now_ms) {
        p->stats->waiting++;
        return 0;
    }
    if (cm_pubdest_arn_parse(d->arn, &a, why, sizeof(why)) != 0) {
        char m[800];
        snprintf(m, sizeof(m), "destinationArn: %s", why);
        return failed(p, d, m, err, errlen);
    }
    for (;;) {
        int64_t upto = d->seq;
        size_t len;

        cm_buf_reset(&p->lines);
        p->nlines = 0;
        rc = cm_store_pubdest_owed(p->st, d->seq,
                                   o->max_per_object ? o->max_per_object : CM_PUBDEST_PER_OBJECT,
                                   add_line, p, &upto);
        if (rc != 0) {
            snprintf(err, errlen, "destination %s: reading the findings it owes: %s", d->id,
                     cm_strerror(rc));
            return rc == CM_ENOMEM ? rc : CM_EIO;
        }
        if (upto <= d->seq) {
            break; /* nothing owed */
        }
        len = p->lines.len;
        oc = (struct cm_store_pubdest_outcome){0};
        oc.arn = d->arn;
        oc.status = CM_PUBDEST_OK;
        oc.upto = upto;
        oc.now_ms = o->now_ms;
        if (p->nlines == 0) {
            /* Only archived (or gone) findings past the seq: nothing to write, move on. */
            rc = cm_store_pubdest_record(p->st, d->id, &oc, NULL, err, errlen);
            if (rc != 0) {
                return rc;
            }
            d->seq = upto;
            continue;
        }
        if (need_s3(p) != 0) {
            return s3_failed(p, d, err, errlen);
        }
        if ((rc = cm_pubdest_gzip(p->lines.p, len, &p->gz)) != 0) {
            return rc;
        }
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            for (size_t i = 0; i < sizeof(rnd); i++) {
                rnd[i] = (unsigned char)((uint64_t)ts.tv_nsec >> (i % 8 * 8) ^ (uint64_t)i * 131u ^
                                         (uint64_t)(uintptr_t)p >> (i % 4 * 8));
            }
        }
        cm_uuid_format(rnd, uuid);
        if (cm_pubdest_key(&a, det.account, det.region, o->now_ms, uuid, key, sizeof(key)) != 0) {
            return failed(p, d, "destinationArn: the prefix makes object keys longer than 1024",
                          err, errlen);
        }
        rc = cm_s3_put(p->conn, a.bucket, key, p->gz.p, p->gz.len, "application/gzip",
                       d->kms != NULL && d->kms[0] ? d->kms : NULL, why, sizeof(why));
        if (rc == CM_ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            char m[2000];
            snprintf(m, sizeof(m), "PutObject s3://%s/%.1024s: %.700s", a.bucket, key, why);
            return failed(p, d, m, err, errlen);
        }
        oc.findings = (int64_t)p->nlines;
        oc.objects = 1;
        oc.key = key;
        if ((rc = cm_store_pubdest_record(p->st, d->id, &oc, NULL, err, errlen)) != 0) {
            return rc;
        }
        d->seq = upto;
        objects++;
        findings += p->nlines;
        p->stats->objects++;
        p->stats->findings += p->nlines;
        snprintf(msg, sizeof(msg), "wrote %zu finding%s to s3://%s/%s", p->nlines,
                 p->nlines == 1 ? "" : "s", a.bucket, key);
        say(p, d, CM_PUBDEST_OK, msg);
    }
    if (objects == 0 && strcmp(d->status, CM_PUBDEST_OK) != 0) {
        /* Nothing owed: check the bucket can be reached before saying PUBLISHING. */
        if (need_s3(p) != 0) {
            return s3_failed(p, d, err, errlen);
        }
        if (verify(p, d, &a, &det, why, sizeof(why)) != 0) {
            char m[800];
            snprintf(m, sizeof(m), "s3://%s: %s", a.bucket, why);
            return failed(p, d, m, err, errlen);
        }
        oc = (struct cm_store_pubdest_outcome){0};
        oc.arn = d->arn;
        oc.status = CM_PUBDEST_OK;
        oc.upto = d->seq;
        oc.now_ms = o->now_ms;
        if ((rc = cm_store_pubdest_record(p->st, d->id, &oc, NULL, err, errlen)) != 0) {
            return rc;
        }
        snprintf(msg, sizeof(msg), "s3://%s can be reached; nothing owed", a.bucket);
        say(p, d, CM_PUBDEST_OK, msg);
    }
    p->stats->exported++;
    return 0;
}

int cm_pubdest_export(struct cm_store *st, const struct cm_pubdest_opts *o,
                      cm_pubdest_report_fn report, void *ud, struct cm_pubdest_stats *stats,
                      char *err, size_t errlen)
{
    struct dests ds = {NULL, 0, 0, o->only};
    struct pass p;
    int64_t n, released = 0;
    int rc;

    memset(stats, 0, sizeof(*stats));
    err[0] = '\0';
    n = cm_store_pubdest_count(st);
    if (n < 0) {
        snprintf(err, errlen, "reading the publishing destinations: the store failed");
        return CM_EIO;
    }
    if (n == 0) {
        return o->only != NULL ? CM_ENOTFOUND : 0;
    }
    /* Updates go out at the publishing frequency: the ones due join the outbox first. */
    if ((rc = cm_store_outbox_release(st, o->now_ms, &released, NULL, err, errlen)) != 0) {
        return rc;
    }
    stats->released = (uint64_t)released;
    rc = cm_store_pubdest_each(st, NULL, NULL, 0, take_dest, &ds, NULL);
    if (rc != 0) {
        dests_free(&ds);
        snprintf(err, errlen, "reading the publishing destinations: %s", cm_strerror(rc));
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    if (o->only != NULL && ds.n == 0) {
        dests_free(&ds);
        return CM_ENOTFOUND;
    }
    memset(&p, 0, sizeof(p));
    p.st = st;
    p.o = o;
    p.report = report;
    p.ud = ud;
    p.stats = stats;
    cm_buf_init(&p.lines, 0);
    cm_buf_init(&p.gz, 0);
    cm_buf_init(&p.scratch, 1u << 16);
    for (size_t i = 0; rc == 0 && i < ds.n; i++) {
        stats->destinations++;
        rc = export_one(&p, &ds.v[i], err, errlen);
    }
    cm_buf_finish(&p.lines);
    cm_buf_finish(&p.gz);
    cm_buf_finish(&p.scratch);
    cm_s3_conn_destroy(p.conn);
    cm_s3_close(p.s3);
    dests_free(&ds);
    return rc;
}
