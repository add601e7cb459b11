/*
 * New findings made ready for their rows off the writer's thread (see
 * store_impl.h and docs/internals/store.md, "Writing a batch").
 *
 * Serialising a finding's API document (2-3 KB of JSON, with the ARCHIVE
 * filters matched on it) costs about as much as SQLite's writing its rows,
 * and needs no database. So cm_store_put_findings hands the new findings of
 * a batch to a worker thread, which makes each one's document, bound
 * values and distinct events into a ring of CM_STORE_PIPE_SLOTS slots,
 * while the writer's thread writes the ones made before, in order. The
 * writer alone touches SQLite; the worker reads the findings, the filters
 * (read only while the batch lasts) and writes its slots.
 *
 * A finding's count and archived flag are set on the caller's struct while
 * its document is written and restored after: the worker does this on the
 * new findings only, each of which appears once in its batch's work (a
 * batch that repeats an id hands the repeat to the writer, which takes it
 * after the first one is written).
 */
#include "store/store_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "finding/serialize.h"

#define PIPE_MIN 32 /* fewer new findings than this are made inline */

void cm_store_prep_init(struct cm_store_prep *s)
{
    memset(s, 0, sizeof(*s));
    cm_buf_init(&s->doc, 0);
    cm_json_doc_init(&s->tape, 0, 0);
}

void cm_store_prep_finish(struct cm_store_prep *s)
{
    cm_buf_finish(&s->doc);
    cm_json_doc_finish(&s->tape);
    cm_free(s->ev);
    memset(s, 0, sizeof(*s));
}

static void iso(char out[32], int64_t ms)
{
    if (ms == 0) {
        out[0] = '\0';
    } else {
        cm_time_format_iso(ms, out, 32);
    }
}

/* Writes f's API document into s->doc with f's count and archived flag as they are. */
static int serialise(struct cm_store_prep *s, const struct cm_finding *f)
{
    cm_buf_reset(&s->doc);
    return cm_finding_to_json(f, CM_FORM_API, &s->doc);
}

int cm_store_prep_row(struct cm_store_prep *s, struct cm_finding *f, uint32_t count, bool archived,
                      const struct cm_filterset *filters, bool archiving)
{
    const struct cm_filter *match = NULL;
    uint32_t was_count = f->count;
    bool was_archived = f->archived;
    struct cm_str actor;
    int rc;

    f->count = count;
    f->archived = archived;
    s->count = count;
    s->archived = archived;
    s->rule = NULL;
    rc = serialise(s, f);
    /* An ARCHIVE filter archives it (a finding passed in archived stays so). */
    if (rc == 0 && archiving && cm_json_parse(&s->tape, s->doc.p, s->doc.len, NULL) == 0 &&
        cm_filterset_apply(filters, &s->tape, 0, &match)) {
        s->rule = match ? match->name : NULL;
        if (!archived) {
            s->archived = true;
            f->archived = true;
            rc = serialise(s, f);
        }
    }
    f->count = was_count;
    f->archived = was_archived;
    if (rc != 0) {
        return rc;
    }
    (void)cm_finding_identity(f, &s->resource, &actor);
    s->resource_type =
        f->resource_type != CM_RES_NONE ? cm_resource_type_name(f->resource_type) : NULL;
    iso(s->created, f->created_ms);
    iso(s->updated, f->updated_ms);
    iso(s->first_seen, f->first_seen_ms);
    iso(s->last_seen, f->last_seen_ms);
    return CM_OK;
}

static int ev_cmp(const void *a, const void *b)
{
    const struct cm_store_ev *x = a, *y = b;

    if (x->key != y->key) {
        return x->key < y->key ? -1 : 1;
    }
    return x->at < y->at ? -1 : x->at > y->at;
}

/* The distinct events of it into s->ev (key order; a key listed twice counts as first listed). */
static int distinct_events(struct cm_store_prep *s, const struct cm_store_put *it, uint64_t *sum)
{
    size_t k = 0;

    *sum = 0;
    s->nev = 0;
    if (it->events == NULL || it->nevents == 0) {
        return CM_OK;
    }
    if (cm_grow((void **)&s->ev, &s->evcap, it->nevents, sizeof(*s->ev), 16) != 0) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < it->nevents; i++) {
        s->ev[i] = (struct cm_store_ev){it->events[i].key, it->events[i].count, i};
    }
    if (it->nevents > 1) {
        qsort(s->ev, it->nevents, sizeof(*s->ev), ev_cmp);
    }
    for (size_t i = 0; i < it->nevents; i++) {
        if (k == 0 || s->ev[k - 1].key != s->ev[i].key) {
            s->ev[k++] = s->ev[i];
            *sum += s->ev[i].count;
        }
    }
    s->nev = k;
    return CM_OK;
}

int cm_store_prep_new(struct cm_store_prep *s, const struct cm_store_put *it,
                      const struct cm_filterset *filters, bool archiving)
{
    uint32_t count = it->f->count;
    uint64_t sum = 0;
    int rc;

    if (it->events == NULL) {
        s->nev = 0;
        s->added = count ? count : 1;
    } else {
        if ((rc = distinct_events(s, it, &sum)) != 0) {
            return rc;
        }
        s->added = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
        if (s->added > 0) {
            count = s->added;
        }
    }
    return cm_store_prep_row(s, it->f, count, it->f->archived, filters, archiving);
}

/* ---- The pipeline ---- */

struct cm_store_pipe {
    const struct cm_store_put *v;
    const size_t *idx;
    size_t n;
    const struct cm_filterset *filters;
    bool archiving;
    struct cm_store_prep slot[CM_STORE_PIPE_SLOTS];
    bool threaded;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t ready; /* made grew while the writer waits */
    pthread_cond_t room;  /* taken reached worker_want, or stop */
    size_t made, taken;   /* findings made by the worker, given back by the writer */
    size_t worker_want;   /* the taken the waiting worker goes on at */
    bool worker_waits, writer_waits, stop;
};

static void *worker(void *arg)
{
    struct cm_store_pipe *p = arg;

    for (size_t k = 0; k < p->n; k++) {
        struct cm_store_prep *s = &p->slot[k % CM_STORE_PIPE_SLOTS];
        bool stop;
        pthread_mutex_lock(&p->mu);
        if (k - p->taken >= CM_STORE_PIPE_SLOTS) {
            /* Full: sleep until half the ring is free (one wake-up per half ring). */
            p->worker_want = k - CM_STORE_PIPE_SLOTS / 2 + 1;
            p->worker_waits = true;
            while (!p->stop && p->taken < p->worker_want) {
                pthread_cond_wait(&p->room, &p->mu);
            }
            p->worker_waits = false;
        }
        stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (stop) {
            break;
        }
        s->rc = cm_store_prep_new(s, &p->v[p->idx[k]], p->filters, p->archiving);
        pthread_mutex_lock(&p->mu);
        p->made = k + 1;
        if (p->writer_waits) {
            pthread_cond_signal(&p->ready);
        }
        pthread_mutex_unlock(&p->mu);
        if (s->rc != 0) {
            break; /* the writer stops at this one */
        }
    }
    return NULL;
}

int cm_store_pipe_start(struct cm_store_pipe **out, const struct cm_store_put *v, const size_t *idx,
                        size_t n, const struct cm_filterset *filters, bool archiving)
{
    struct cm_store_pipe *p = cm_calloc(1, sizeof(*p));

    *out = NULL;
    if (p == NULL) {
        return CM_ENOMEM;
    }
    p->v = v;
    p->idx = idx;
    p->n = n;
    p->filters = filters;
    p->archiving = archiving;
    for (size_t i = 0; i < CM_STORE_PIPE_SLOTS; i++) {
        cm_store_prep_init(&p->slot[i]);
    }
    if (n >= PIPE_MIN && pthread_mutex_init(&p->mu, NULL) == 0) {
        if (pthread_cond_init(&p->ready, NULL) == 0) {
            if (pthread_cond_init(&p->room, NULL) == 0) {
                p->threaded = pthread_create(&p->th, NULL, worker, p) == 0;
                if (!p->threaded) {
                    pthread_cond_destroy(&p->room);
                }
            }
            if (!p->threaded) {
                pthread_cond_destroy(&p->ready);
            }
        }
        if (!p->threaded) {
            pthread_mutex_destroy(&p->mu);
        }
    }
    *out = p;
    return CM_OK;
}

struct cm_store_prep *cm_store_pipe_get(struct cm_store_pipe *p, size_t k)
{
    struct cm_store_prep *s = &p->slot[k % CM_STORE_PIPE_SLOTS];

    if (!p->threaded) {
        s->rc = cm_store_prep_new(s, &p->v[p->idx[k]], p->filters, p->archiving);
        return s;
    }
    pthread_mutex_lock(&p->mu);
    while (p->made <= k) {
        p->writer_waits = true;
        pthread_cond_wait(&p->ready, &p->mu);
    }
    p->writer_waits = false;
    pthread_mutex_unlock(&p->mu);
    return s;
}

void cm_store_pipe_done(struct cm_store_pipe *p, size_t k)
{
    if (!p->threaded) {
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->taken = k + 1;
    if (p->worker_waits && p->taken >= p->worker_want) {
        pthread_cond_signal(&p->room);
    }
    pthread_mutex_unlock(&p->mu);
}

void cm_store_pipe_stop(struct cm_store_pipe *p)
{
    if (p == NULL) {
        return;
    }
    if (p->threaded) {
        pthread_mutex_lock(&p->mu);
        p->stop = true;
        pthread_cond_signal(&p->room);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->th, NULL);
        pthread_cond_destroy(&p->room);
        pthread_cond_destroy(&p->ready);
        pthread_mutex_destroy(&p->mu);
    }
    for (size_t i = 0; i < CM_STORE_PIPE_SLOTS; i++) {
        cm_store_prep_finish(&p->slot[i]);
    }
    cm_free(p);
}
