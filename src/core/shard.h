/*
 * A worker shard: one thread, one detection engine, one queue of batches.
 * The shard processes, in queue order, the events of each batch whose shard
 * index is its own, then releases the batch to the pool. Pushing NULL ends
 * the input: the engine is flushed (every window closes) and the thread
 * exits.
 */
#ifndef CM_CORE_SHARD_H
#define CM_CORE_SHARD_H

#include <pthread.h>

#include "core/batch.h"
#include "detect/detect.h"

struct cm_shard_qnode;

/*
 * Detector state carried between runs (src/core/statefile.c). load is called
 * with each shard's fresh engine before its first event; save, when set, at
 * the end of the input instead of closing every window, so the next run goes
 * on where this one stopped. Both run on the caller's thread, one shard at a
 * time. Each returns 0 or CM_E*.
 */
struct cm_engine_hooks {
    int (*load)(void *ud, unsigned shard, struct cm_engine *e);
    int (*save)(void *ud, unsigned shard, const struct cm_engine *e);
    void *ud;
};

struct cm_shard {
    unsigned id;
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cm_shard_qnode *head, *tail;
    struct cm_engine *engine;
    struct cm_sink *sink;                /* borrowed; must be thread-safe */
    struct cm_batch_pool *pool;          /* where batches go back */
    struct cm_shard_qnode *endq;         /* preallocated end-of-input marker */
    const struct cm_engine_hooks *hooks; /* borrowed; NULL: none */
    int running;
    int rc;                      /* first engine error */
    struct cm_state_stats state; /* the engine's keyed state, read before it is destroyed */
    struct cm_det_states dets;   /* the same by detector */
    uint64_t repeated;           /* records its engine read already (a copy) */
    uint64_t trusted;            /* threat-list matches trusted lists suppressed */
    uint64_t repeated_kind[CM_EV_KIND_COUNT]; /* the same by kind */
    /* Records late by their kind's clock, per kind (cm_engine_stats.late_kind). */
    uint64_t late[CM_EV_KIND_COUNT];
    uint64_t events;    /* records its engine took: analysed, and read already (repeated) */
    double cpu_seconds; /* the thread's CPU time, from its start to its end */
};

/*
 * Creates the engine over table, loads it through hooks (may be NULL) and
 * starts the thread. Returns 0, CM_ENOMEM, the engine's or the load's error;
 * on error nothing is left running.
 */
int cm_shard_start(struct cm_shard *sh, unsigned id, const struct cm_detector *const *table,
                   const struct cm_detect_opts *opts, struct cm_sink *sink,
                   struct cm_batch_pool *pool, const struct cm_engine_hooks *hooks);
/* Queues a batch. Returns 0, CM_ENOMEM, or CM_EINVAL for NULL. */
int cm_shard_push(struct cm_shard *sh, struct cm_batch *b);
/*
 * Ends the input, joins the thread, saves the engine through the hooks when
 * they save, destroys it; returns the first error.
 */
int cm_shard_stop(struct cm_shard *sh);
/* The calling thread's CPU time in seconds (0 when the clock cannot be read). */
double cm_shard_thread_cpu(void);

#endif
