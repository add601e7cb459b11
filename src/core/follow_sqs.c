/*
 * Watched SQS queues (follow_sqs.h): messages received, their objects handed to the follow,
 * the messages deleted once what they name is read and remembered.
 */
#include "core/follow_sqs_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3.h"
#include "aws/s3_notice.h"
#include "aws/s3_plan.h"
#include "aws/sqs.h"
#include "aws/sqs_loc.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "core/clock.h"

int cm_follow_sqs_parse(const char *path, const char *endpoint_url, struct cm_sqs_loc *l, char *err,
                        size_t errlen)
{
    return cm_sqs_loc_parse(path, cm_sqs_custom_endpoint(endpoint_url), l, err, errlen);
}

int cm_follow_sqs_create(struct cm_follow_sqs **out, const struct cm_follow_sqs_opts *o, char *err,
                         size_t errlen)
{
    struct cm_follow_sqs *fs = cm_calloc(1, sizeof(*fs));
    int rc;

    *out = NULL;
    if (fs == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    fs->o = *o;
    fs->custom = cm_sqs_custom_endpoint(o->endpoint_url) != NULL;
    if ((rc = cm_sqs_open(&fs->c, o->s3, o->endpoint_url, err, errlen)) != 0) {
        cm_free(fs);
        return rc;
    }
    if ((rc = cm_follow_sqs_keeper_start(fs)) != 0) {
        snprintf(err, errlen, "the thread that keeps messages hidden: %s", cm_strerror(rc));
        cm_sqs_close(fs->c);
        cm_free(fs);
        return rc;
    }
    *out = fs;
    return 0;
}

static void msg_free(struct msg *m)
{
    for (size_t i = 0; i < m->n; i++) {
        cm_free(m->v[i].path);
        cm_free(m->v[i].etag);
    }
    cm_free(m->v);
    cm_free(m->id);
    cm_free(m->handle);
}

void cm_follow_sqs_destroy(struct cm_follow_sqs *fs)
{
    if (fs == NULL) {
        return;
    }
    cm_follow_sqs_keeper_stop(fs);
    for (size_t i = 0; i < fs->nm; i++) {
        msg_free(&fs->m[i]);
    }
    cm_free(fs->m);
    for (size_t i = 0; i < fs->nq; i++) {
        cm_free(fs->qs[i].url);
        cm_free(fs->qs[i].queue_url);
        if (fs->qs[i].c != fs->c) {
            cm_sqs_close(fs->qs[i].c);
        }
    }
    cm_free(fs->qs);
    cm_s3_conn_destroy(fs->s3c);
    cm_sqs_close(fs->c);
    cm_free(fs);
}

const struct cm_follow_sqs_stats *cm_follow_sqs_stats(const struct cm_follow_sqs *fs)
{
    return &fs->st;
}

/* The follow's thread: the counts of requests, the keeper's too. */
static void count_requests(struct cm_follow_sqs *fs)
{
    fs->st.requests = cm_sqs_attempts(fs->c);
    for (size_t i = 0; i < fs->nq; i++) {
        fs->st.requests += fs->qs[i].c != fs->c ? cm_sqs_attempts(fs->qs[i].c) : 0;
    }
    pthread_mutex_lock(&fs->mu);
    fs->st.requests += fs->k_attempts;
    fs->st.errors += fs->k_errors;
    fs->k_errors = 0;
    fs->st.in_flight = fs->nm;
    pthread_mutex_unlock(&fs->mu);
}

/*
 * The queue of url into *out (made at its first poll). Returns 0, CM_ENOMEM or CM_EINVAL (a
 * bad url), err saying which.
 */
static int queue_of(struct cm_follow_sqs *fs, const char *url, struct queue **out, char *err,
                    size_t errlen)
{
    struct queue *q;
    struct cm_buf b;
    int rc;

    for (size_t i = 0; i < fs->nq; i++) {
        if (strcmp(fs->qs[i].url, url) == 0) {
            *out = &fs->qs[i];
            return 0;
        }
    }
    pthread_mutex_lock(&fs->mu);
    rc = cm_grow((void **)&fs->qs, &fs->capq, fs->nq + 1, sizeof(*fs->qs), 4);
    pthread_mutex_unlock(&fs->mu);
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    q = &fs->qs[fs->nq];
    memset(q, 0, sizeof(*q));
    if ((rc = cm_follow_sqs_parse(url, fs->o.endpoint_url, &q->loc, err, errlen)) != 0) {
        return rc;
    }
    q->c = fs->c;
    if (q->loc.queue_url[0] != '\0') {
        /* A URL: signed for its region, sent to its endpoint unless a custom one is set. */
        if ((rc = cm_sqs_open_at(&q->c, fs->o.s3, fs->custom ? fs->o.endpoint_url : q->loc.endpoint,
                                 q->loc.region, err, errlen)) != 0) {
            q->c = NULL;
            return rc;
        }
    }
    cm_buf_init(&b, 0);
    if ((q->loc.queue_url[0] != '\0' ? cm_buf_printf(&b, "%s", q->loc.queue_url)
                                     : cm_buf_printf(&b, "%s/%s/%s", cm_sqs_endpoint(fs->c),
                                                     q->loc.account, q->loc.queue)) != 0 ||
        (q->url = cm_strndup(url, strlen(url))) == NULL) {
        cm_buf_finish(&b);
        if (q->c != fs->c) {
            cm_sqs_close(q->c);
        }
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    q->queue_url = b.p;
    pthread_mutex_lock(&fs->mu);
    fs->nq++;
    pthread_mutex_unlock(&fs->mu);
    *out = q;
    return 0;
}

/* Deletes handles[0..n) of q now, 10 a request; counts and says failures. */
static void delete_now(struct cm_follow_sqs *fs, struct queue *q, const char *const *handles,
                       size_t n)
{
    for (size_t i = 0; i < n; i += CM_SQS_MAX_BATCH) {
        size_t k = n - i < CM_SQS_MAX_BATCH ? n - i : CM_SQS_MAX_BATCH;
        unsigned failed = 0, nf = 0;
        char err[600] = "";

        if (cm_sqs_delete(q->c, q->queue_url, handles + i, k, &failed, err, sizeof(err)) != 0) {
            fs->st.errors++;
            nf = (unsigned)k;
        }
        for (unsigned b = failed; b != 0; b &= b - 1) {
            nf++;
        }
        fs->st.deleted += k - nf;
        if (nf > 0 && !fs->o.quiet) {
            fprintf(stderr,
                    "coalmine follow: %s: %u message%s not deleted: %s (delivered again: "
                    "their objects are left out as read)\n",
                    q->url, nf, nf == 1 ? "" : "s", err);
        }
    }
}

/*
 * Finds the size and ETag of an object named without them (CloudTrail's notification)
 * with a HEAD, which s3:GetObject allows. 0 found, 1 not there, CM_EIO (err), CM_ENOMEM.
 */
static int look_up(struct cm_follow_sqs *fs, struct cm_s3_notice_obj *o, char *err, size_t errlen)
{
    char etag[256], *dup;
    uint64_t size = 0;
    int rc;

    if (fs->s3c == NULL && (rc = cm_s3_conn_create(fs->o.s3, &fs->s3c)) != 0) {
        return rc;
    }
    rc = cm_s3_head(fs->s3c, o->bucket, o->key, &size, etag, sizeof(etag), err, errlen);
    if (rc != 0) {
        return rc;
    }
    if ((dup = cm_strndup(etag, strlen(etag))) == NULL) {
        return CM_ENOMEM;
    }
    cm_free(o->etag);
    o->etag = dup;
    o->size = size;
    o->has_size = true;
    return 0;
}

/*
 * One received message: parsed, its objects kept in flight (0), or to delete now (1: a test
 * message, nothing to read), or left in the queue (2: not parsed, said). CM_ENOMEM.
 */
static int take(struct cm_follow_sqs *fs, struct queue *q, size_t qi, const struct cm_sqs_msg *x,
                int64_t now_ms)
{
    struct cm_s3_notice nt;
    struct msg m;
    char why[400];
    int rc = cm_s3_notice_parse(x->body, x->body_len, &nt, why, sizeof(why));

    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        fs->st.failed++;
        if (!fs->o.quiet) {
            fprintf(stderr,
                    "coalmine follow: %s: message %.100s: %s (not deleted: it comes again after "
                    "the visibility timeout, or goes to the queue's dead-letter queue)\n",
                    q->url, x->id, why);
        }
        return 2;
    }
    if (nt.kind == CM_S3_NOTICE_TEST) {
        fs->st.tests++;
        cm_s3_notice_finish(&nt);
        return 1;
    }
    memset(&m, 0, sizeof(m));
    m.q = qi;
    m.hidden_ms = now_ms;
    m.v = cm_calloc(nt.n ? nt.n : 1, sizeof(*m.v));
    rc = m.v != NULL ? 0 : CM_ENOMEM;
    for (size_t i = 0; rc == 0 && i < nt.n; i++) {
        struct cm_s3_notice_obj *o = &nt.v[i];
        struct cm_buf p;
        char err[600] = "";

        if (strncmp(o->key, q->loc.prefix, strlen(q->loc.prefix)) != 0 ||
            !cm_s3_plan_is_input(q->loc.prefix, o->key)) {
            fs->st.filtered++;
            continue;
        }
        fs->st.objects++;
        if (!o->has_size) {
            int lr = look_up(fs, o, err, sizeof(err));

            if (lr == CM_ENOMEM) {
                rc = lr;
                break;
            }
            if (lr == 1) {
                fs->st.objects_gone++;
                if (!fs->o.quiet) {
                    fprintf(stderr,
                            "coalmine follow: %s: s3://%s/%s: no longer there (message %.100s)\n",
                            q->url, o->bucket, o->key, x->id);
                }
                continue;
            }
            if (lr != 0) {
                fs->st.objects_failed++;
                m.release = true;
                if (!fs->o.quiet) {
                    fprintf(stderr,
                            "coalmine follow: %s: s3://%s/%s: %s (message %.100s left in the "
                            "queue)\n",
                            q->url, o->bucket, o->key, err, x->id);
                }
                continue;
            }
        }
        cm_buf_init(&p, 0);
        if (cm_buf_printf(&p, "s3://%s/%s", o->bucket, o->key) != 0) {
            cm_buf_finish(&p);
            rc = CM_ENOMEM;
            break;
        }
        m.v[m.n].path = p.p;
        m.v[m.n].size = o->size;
        m.v[m.n].etag = o->etag;
        o->etag = NULL;
        m.n++;
    }
    cm_s3_notice_finish(&nt);
    if (rc == 0 && m.release) {
        msg_free(&m);
        return 2;
    }
    if (rc == 0 && m.n == 0) {
        msg_free(&m);
        return 1;
    }
    if (rc == 0 && ((m.id = cm_strndup(x->id, strlen(x->id))) == NULL ||
                    (m.handle = cm_strndup(x->handle, strlen(x->handle))) == NULL)) {
        rc = CM_ENOMEM;
    }
    if (rc == 0) {
        pthread_mutex_lock(&fs->mu);
        rc = cm_grow((void **)&fs->m, &fs->capm, fs->nm + 1, sizeof(*fs->m), 64);
        if (rc == 0) {
            fs->m[fs->nm++] = m;
        }
        pthread_mutex_unlock(&fs->mu);
    }
    if (rc != 0) {
        msg_free(&m);
        return CM_ENOMEM;
    }
    return 0;
}

/* The kind of a failure, for saying each once. */
static void kind_of(const char *err, char *kind, size_t cap)
{
    size_t n = strcspn(err, "(");

    snprintf(kind, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), err);
}

/* Receives what q holds at this poll. Returns 0, CM_EIO (err) or CM_ENOMEM. */
static int receive(struct cm_follow_sqs *fs, struct queue *q, size_t qi, int64_t now_ms, char *err,
                   size_t errlen)
{
    const char *now[MAX_PER_POLL];
    char *keep[MAX_PER_POLL];
    size_t nnow = 0, total = 0;
    bool waiting = false;
    unsigned wait_s;
    int rc = 0;

    for (size_t i = 0; i < fs->nm; i++) {
        waiting |= fs->m[i].q == qi;
    }
    wait_s = waiting ? 0 : (unsigned)(fs->o.poll_ms / 1000);
    wait_s = wait_s > CM_SQS_MAX_WAIT ? CM_SQS_MAX_WAIT : wait_s;
    while (rc == 0 && total < MAX_PER_POLL && fs->nm < MAX_IN_FLIGHT) {
        struct cm_sqs_msgs got = {0};
        size_t n;

        rc = cm_sqs_receive(q->c, q->queue_url, CM_SQS_MAX_BATCH, wait_s, q->loc.visibility_s, &got,
                            err, errlen);
        n = got.n;
        for (size_t i = 0; rc == 0 && i < got.n; i++) {
            int t;

            fs->st.received++;
            t = take(fs, q, qi, &got.v[i], now_ms);
            if (t == 1 && nnow < MAX_PER_POLL) {
                keep[nnow] = got.v[i].handle;
                got.v[i].handle = NULL;
                now[nnow] = keep[nnow];
                nnow++;
            } else if (t < 0) {
                rc = t;
            }
        }
        cm_sqs_msgs_finish(&got);
        total += n;
        wait_s = 0;
        if (n < CM_SQS_MAX_BATCH) {
            break;
        }
    }
    if (nnow > 0) {
        delete_now(fs, q, now, nnow);
    }
    for (size_t i = 0; i < nnow; i++) {
        cm_free(keep[i]);
    }
    if (rc == CM_EIO) {
        fs->st.errors++;
    }
    return rc;
}

int cm_follow_sqs_list(void *ud, const char *url, int64_t now_ms, cm_follow_found_fn found,
                       void *fud, bool *whole)
{
    struct cm_follow_sqs *fs = ud;
    struct queue *q;
    size_t qi;
    char err[700] = "";
    int rc;

    *whole = true;
    if ((rc = queue_of(fs, url, &q, err, sizeof(err))) != 0) {
        if (!fs->o.quiet) {
            fprintf(stderr, "coalmine follow: %s\n", err);
        }
        return rc;
    }
    qi = (size_t)(q - fs->qs);
    if (q->fails > 0 && now_ms < q->next_ms) {
        *whole = false;
        return CM_EUNAVAIL;
    }
    cm_follow_sqs_hide_due(fs, qi, now_ms, false);
    rc = receive(fs, q, qi, now_ms, err, sizeof(err));
    count_requests(fs);
    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc == CM_EIO) {
        char kind[sizeof(q->said)];

        q->fails++;
        q->next_ms = cm_follow_retry_at(now_ms, q->fails, fs->o.poll_ms, MAX_WAIT_MS);
        kind_of(err, kind, sizeof(kind));
        if (strcmp(kind, q->said) != 0 && !fs->o.quiet) {
            fprintf(stderr,
                    "coalmine follow: %s: %s (received from again later, waiting longer at "
                    "each failure)\n",
                    url, err);
        }
        snprintf(q->said, sizeof(q->said), "%s", kind);
    } else {
        if (q->fails > 0 && !fs->o.quiet) {
            fprintf(stderr, "coalmine follow: %s: received from again after %u failure%s\n", url,
                    q->fails, q->fails == 1 ? "" : "s");
        }
        q->fails = 0;
        q->said[0] = '\0';
    }
    /* Every object of this queue's messages not yet read, at every poll until it is. */
    for (size_t i = 0; i < fs->nm; i++) {
        struct msg *m = &fs->m[i];

        for (size_t j = 0; m->q == qi && !m->release && j < m->n; j++) {
            bool dup = false;

            if (m->v[j].done) {
                continue;
            }
            for (size_t a = 0; a <= i && !dup; a++) {
                for (size_t b = 0; b < (a == i ? j : fs->m[a].n) && !dup; b++) {
                    dup = fs->m[a].q == qi && strcmp(fs->m[a].v[b].path, m->v[j].path) == 0 &&
                          !fs->m[a].v[b].done && !fs->m[a].release;
                }
            }
            if (!dup && (rc = found(fud, m->v[j].path, m->v[j].size, m->v[j].etag)) != 0) {
                return rc;
            }
        }
    }
    return 0;
}

void cm_follow_sqs_outcome(struct cm_follow_sqs *fs, const char *path, int what, const char *why)
{
    bool counted = false;

    for (size_t i = 0; i < fs->nm; i++) {
        struct msg *m = &fs->m[i];

        for (size_t j = 0; j < m->n; j++) {
            if (m->v[j].done || strcmp(m->v[j].path, path) != 0) {
                continue;
            }
            if (what == CM_FOLLOW_SQS_FAILED) {
                pthread_mutex_lock(&fs->mu);
                m->release = true;
                pthread_mutex_unlock(&fs->mu);
            } else {
                m->v[j].done = true;
            }
            if (!counted) {
                counted = true;
                fs->st.objects_read += what == CM_FOLLOW_SQS_READ;
                fs->st.objects_gone += what == CM_FOLLOW_SQS_GONE;
                fs->st.objects_failed += what == CM_FOLLOW_SQS_FAILED;
                if (what != CM_FOLLOW_SQS_READ && !fs->o.quiet) {
                    fprintf(stderr, "coalmine follow: %s: %s: %s (message %.100s %s)\n",
                            fs->qs[m->q].url, path, why != NULL ? why : "not read", m->id,
                            what == CM_FOLLOW_SQS_GONE ? "deleted: the object is gone"
                                                       : "left in the queue: delivered again");
                }
            }
        }
    }
}

/* Whether every object m names is read or gone. */
static bool all_done(const struct msg *m)
{
    for (size_t j = 0; j < m->n; j++) {
        if (!m->v[j].done) {
            return false;
        }
    }
    return true;
}

bool cm_follow_sqs_pending(const struct cm_follow_sqs *fs)
{
    for (size_t i = 0; i < fs->nm; i++) {
        if (all_done(&fs->m[i]) || fs->m[i].release) {
            return true;
        }
    }
    return false;
}

int cm_follow_sqs_commit(struct cm_follow_sqs *fs)
{
    for (size_t qi = 0; qi < fs->nq; qi++) {
        const char **h = cm_calloc(fs->nm ? fs->nm : 1, sizeof(*h));
        size_t n = 0;

        if (h == NULL) {
            return CM_ENOMEM;
        }
        for (size_t i = 0; i < fs->nm; i++) {
            if (fs->m[i].q == qi && !fs->m[i].release && all_done(&fs->m[i])) {
                h[n++] = fs->m[i].handle;
            }
        }
        if (n > 0) {
            delete_now(fs, &fs->qs[qi], h, n);
        }
        cm_free(h);
    }
    /* Forget what was deleted (or tried) and what was released. */
    {
        size_t w = 0;

        pthread_mutex_lock(&fs->mu);
        for (size_t i = 0; i < fs->nm; i++) {
            if (all_done(&fs->m[i]) || fs->m[i].release) {
                msg_free(&fs->m[i]);
            } else {
                fs->m[w++] = fs->m[i];
            }
        }
        fs->nm = w;
        pthread_mutex_unlock(&fs->mu);
    }
    count_requests(fs);
    return 0;
}
