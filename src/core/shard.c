/*
 * Worker shards of the scan pipeline (see shard.h).
 */
#include "core/shard.h"

#include <string.h>
#include <time.h>

#include "base/alloc.h"
#include "base/err.h"

/* Events handed to the engine at a time. */
#define RUN 64

struct cm_shard_qnode {
    struct cm_batch *b;
    struct cm_shard_qnode *next;
};

static struct cm_batch *pop(struct cm_shard *sh)
{
    struct cm_shard_qnode *q;
    struct cm_batch *b;

    pthread_mutex_lock(&sh->mu);
    while (sh->head == NULL) {
        pthread_cond_wait(&sh->cv, &sh->mu);
    }
    q = sh->head;
    sh->head = q->next;
    if (sh->head == NULL) {
        sh->tail = NULL;
    }
    pthread_mutex_unlock(&sh->mu);
    b = q->b;
    cm_free(q);
    return b;
}

double cm_shard_thread_cpu(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *shard_main(void *arg)
{
    struct cm_shard *sh = arg;
    struct cm_batch *b;

    while ((b = pop(sh)) != NULL) {
        /* Each segment's events under its input's bound on the clock. */
        for (uint32_t k = 0; k < b->nseg && sh->rc == 0; k++) {
            uint32_t end = k + 1 < b->nseg ? b->seg[k + 1].first : b->n;

            cm_engine_set_horizon(sh->engine, b->seg[k].clock);
            /* This shard's events, a run at a time: the engine looks their intel up together. */
            for (uint32_t i = b->seg[k].first; i < end && sh->rc == 0;) {
                const struct cm_event *run[RUN];
                size_t n = 0;

                for (; i < end && n < RUN; i++) {
                    if (b->shard[i] == sh->id) {
                        run[n++] = &b->ev[i];
                    }
                }
                sh->rc = cm_engine_events(sh->engine, run, n, sh->sink);
            }
        }
        if (atomic_fetch_sub(&b->refs, 1) == 1) {
            cm_batch_put(sh->pool, b);
        }
    }
    /* Windows close at the end unless the state goes on in the next run. */
    if (sh->rc == 0 && (sh->hooks == NULL || sh->hooks->save == NULL)) {
        sh->rc = cm_engine_flush(sh->engine, sh->sink);
    }
    sh->cpu_seconds = cm_shard_thread_cpu();
    return NULL;
}

int cm_shard_start(struct cm_shard *sh, unsigned id, const struct cm_detector *const *table,
                   const struct cm_detect_opts *opts, struct cm_sink *sink,
                   struct cm_batch_pool *pool, const struct cm_engine_hooks *hooks)
{
    int rc;

    memset(sh, 0, sizeof(*sh));
    sh->id = id;
    sh->sink = sink;
    sh->pool = pool;
    sh->hooks = hooks;
    sh->endq = cm_calloc(1, sizeof(*sh->endq));
    if (sh->endq == NULL) {
        return CM_ENOMEM;
    }
    rc = cm_engine_create(&sh->engine, table, opts);
    if (rc == 0 && hooks != NULL && hooks->load != NULL) {
        rc = hooks->load(hooks->ud, id, sh->engine);
    }
    if (rc != 0) {
        cm_engine_destroy(sh->engine);
        sh->engine = NULL;
        cm_free(sh->endq);
        sh->endq = NULL;
        return rc;
    }
    pthread_mutex_init(&sh->mu, NULL);
    pthread_cond_init(&sh->cv, NULL);
    if (pthread_create(&sh->tid, NULL, shard_main, sh) != 0) {
        pthread_mutex_destroy(&sh->mu);
        pthread_cond_destroy(&sh->cv);
        cm_engine_destroy(sh->engine);
        sh->engine = NULL;
        cm_free(sh->endq);
        sh->endq = NULL;
        return CM_ENOMEM;
    }
    sh->running = 1;
    return CM_OK;
}

static void enqueue(struct cm_shard *sh, struct cm_shard_qnode *q)
{
    pthread_mutex_lock(&sh->mu);
    if (sh->tail) {
        sh->tail->next = q;
    } else {
        sh->head = q;
    }
    sh->tail = q;
    pthread_cond_signal(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
}

int cm_shard_push(struct cm_shard *sh, struct cm_batch *b)
{
    struct cm_shard_qnode *q;

    if (b == NULL) {
        return CM_EINVAL; /* the end of input is cm_shard_stop's */
    }
    q = cm_malloc(sizeof(*q));
    if (q == NULL) {
        return CM_ENOMEM;
    }
    q->b = b;
    q->next = NULL;
    enqueue(sh, q);
    return CM_OK;
}

int cm_shard_stop(struct cm_shard *sh)
{
    if (!sh->running) {
        return sh->rc;
    }
    sh->endq->b = NULL;
    sh->endq->next = NULL;
    enqueue(sh, sh->endq); /* freed by the thread when it pops it */
    sh->endq = NULL;
    pthread_join(sh->tid, NULL);
    sh->running = 0;
    if (sh->rc == 0 && sh->hooks != NULL && sh->hooks->save != NULL) {
        sh->rc = sh->hooks->save(sh->hooks->ud, sh->id, sh->engine);
    }
    cm_engine_state_stats(sh->engine, &sh->state);
    cm_engine_det_states(sh->engine, &sh->dets);
    sh->repeated = cm_engine_stats(sh->engine)->repeated;
    sh->trusted = cm_engine_stats(sh->engine)->trusted;
    sh->events = cm_engine_events_taken(sh->engine);
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        sh->late[k] = cm_engine_stats(sh->engine)->late_kind[k];
        sh->repeated_kind[k] = cm_engine_stats(sh->engine)->repeated_kind[k];
    }
    cm_engine_destroy(sh->engine);
    sh->engine = NULL;
    pthread_mutex_destroy(&sh->mu);
    pthread_cond_destroy(&sh->cv);
    return sh->rc;
}
