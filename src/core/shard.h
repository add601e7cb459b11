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

struct cm_shard {
    unsigned id;
    pthread_t tid;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct cm_shard_qnode *head, *tail;
    struct cm_engine *engine;
    struct cm_sink *sink;        /* borrowed; must be thread-safe */
    struct cm_batch_pool *pool;  /* where batches go back */
    struct cm_shard_qnode *endq; /* preallocated end-of-input marker */
    int running;
    int rc;                      /* first engine error */
    struct cm_state_stats state; /* the engine's keyed state, read before it is destroyed */
};

/*
 * Creates the engine over table and starts the thread. Returns 0, CM_ENOMEM
 * or the engine's error; on error nothing is left running.
 */
int cm_shard_start(struct cm_shard *sh, unsigned id, const struct cm_detector *const *table,
                   const struct cm_detect_opts *opts, struct cm_sink *sink,
                   struct cm_batch_pool *pool);
/* Queues a batch. Returns 0, CM_ENOMEM, or CM_EINVAL for NULL. */
int cm_shard_push(struct cm_shard *sh, struct cm_batch *b);
/* Ends the input, joins the thread, destroys the engine; returns its first error. */
int cm_shard_stop(struct cm_shard *sh);

#endif
