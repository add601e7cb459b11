/*
 * Batches of parsed events on their way from a reader to the worker shards.
 *
 * A decoded input lives in a refcounted struct cm_filebuf; every batch that
 * holds events of it holds one reference, because its events point into the
 * buffer. A batch owns its JSON tapes and arena (the events' JSON nodes and
 * unescaped strings) and carries a reference count of the workers that still
 * have to see it. Released batches go back to a pool with their memory, so a long
 * scan allocates a fixed set of them.
 */
#ifndef CM_CORE_BATCH_H
#define CM_CORE_BATCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/json.h"
#include "event/event.h"

/*
 * Spare input buffers. Decoded inputs are large and short-lived; handing
 * their memory back here instead of to free() saves the page faults of
 * touching fresh memory for every file. Bounded in count and bytes.
 */
#define CM_BUFPOOL_MAX 32
struct cm_bufpool {
    pthread_mutex_t mu;
    size_t n;
    size_t bytes;     /* held in v[] */
    size_t max_bytes; /* a buffer that would pass this is freed instead */
    struct {
        char *p;
        size_t cap;
    } v[CM_BUFPOOL_MAX];
};

void cm_bufpool_init(struct cm_bufpool *bp, size_t max_bytes);
void cm_bufpool_finish(struct cm_bufpool *bp);
/* Gives the empty buffer b a spare allocation when there is one (keeps b->max). */
void cm_bufpool_get(struct cm_bufpool *bp, struct cm_buf *b);
/* Takes p (cap bytes) back, or frees it when the pool is full. */
void cm_bufpool_put(struct cm_bufpool *bp, char *p, size_t cap);

struct cm_filebuf {
    char *p; /* owned unless borrowed is set */
    size_t len;
    size_t cap;              /* allocation size of p, for the pool */
    struct cm_bufpool *pool; /* where p goes when the last reference drops, or NULL */
    atomic_int refs;
    int borrowed; /* the content belongs to someone else (single-thread path) */
};

/*
 * The events of one input in a batch. A batch holds the events of several
 * small inputs read under one ticket (docs/internals/scan.md, "Small
 * inputs"), each input's a segment: its decoded buffer, which its events'
 * strings point into, and its own JSON tape, whose nodes are offsets into
 * that buffer.
 */
#define CM_BATCH_SEGS 32
struct cm_batch_seg {
    struct cm_filebuf *fb;  /* reference held */
    struct cm_json_doc doc; /* tape of the segment's JSON records */
    uint32_t first;         /* the batch's index of its first event */
    int64_t clock;          /* its input's bound on the engine's clock (cm_engine_set_horizon) */
};

struct cm_batch {
    struct cm_batch_seg seg[CM_BATCH_SEGS];
    uint32_t nseg;         /* 1 or more while the batch is out of the pool */
    struct cm_arena arena; /* unescaped strings, every segment's */
    struct cm_event *ev;
    uint16_t *shard; /* worker shard of each event */
    uint32_t n, cap;
    atomic_int refs; /* workers yet to release it */
    int published;   /* pushed to the worker queues (counted in the pool's queued) */
    struct cm_batch *next;
};

/*
 * Spare batches, and a count of the batches out of the pool ("live": being
 * filled, waiting in a worker queue, or being read by a worker). Readers
 * wait for live to fall under live_max before they start another input
 * (cm_batch_pool_wait): without that bound they run ahead of the workers,
 * and a worker reads events and input bytes parsed so long ago that they
 * have left the cache (docs/ARCHITECTURE.md, "The data path").
 */
struct cm_batch_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled when live falls under live_max */
    struct cm_batch *head;
    size_t n, max;
    size_t live, live_max; /* live_max 0: no bound */
    size_t live_peak;      /* the most batches ever live at once */
    size_t queued;         /* published (cm_batch_pool_published) and not yet put back */
    uint32_t cap;          /* events per batch */
};

/* Makes a refcounted buffer around p (taken, or borrowed when borrowed != 0). */
struct cm_filebuf *cm_filebuf_create(char *p, size_t len, int borrowed);
/* Makes a refcounted buffer that owns p (cap bytes) and returns it to pool. */
struct cm_filebuf *cm_filebuf_create_pooled(char *p, size_t len, size_t cap,
                                            struct cm_bufpool *pool);
/* Drops one reference; the last frees the buffer (unless borrowed) and the struct. */
void cm_filebuf_release(struct cm_filebuf *fb);

/* A pool of batches of cap events that keeps at most max spare and bounds live ones by live_max. */
void cm_batch_pool_init(struct cm_batch_pool *pool, uint32_t cap, size_t max, size_t live_max);
/*
 * Waits while live_max or more batches are live. Call it only between
 * inputs, never while filling a batch. Then it cannot wait forever: a live
 * batch is queued or being read (a worker releases it), being filled (its
 * reader is inside an input and does not wait here), or parked behind an
 * earlier ticket, by a reader inside that input or in the reorder ring; the
 * oldest ticket's reader waits for nothing but the workers
 * (cm_batch_pool_wait_queued), so the earlier tickets end and publish it.
 */
void cm_batch_pool_wait(struct cm_batch_pool *pool);
/* Counts b as published: from now on in the worker queues until the last worker puts it. */
void cm_batch_pool_published(struct cm_batch_pool *pool, struct cm_batch *b);
/*
 * Waits while live_max or more published batches are still queued or being
 * read. It ends whatever the readers do: only the workers put those back.
 */
void cm_batch_pool_wait_queued(struct cm_batch_pool *pool);
/* Frees every pooled batch. */
void cm_batch_pool_finish(struct cm_batch_pool *pool);
/*
 * A batch over fb (a reference is taken), empty, with one segment whose tape
 * is begun on fb's content. Returns NULL when out of memory.
 */
struct cm_batch *cm_batch_get(struct cm_batch_pool *pool, struct cm_filebuf *fb);
/*
 * Opens another segment over fb (a reference is taken) for the events that
 * follow, its tape begun on fb's content. Returns 0, or CM_E2BIG when the
 * batch has CM_BATCH_SEGS segments already.
 */
int cm_batch_add_seg(struct cm_batch *b, struct cm_filebuf *fb);
/* The segment events are added to now (the last one). */
static inline struct cm_batch_seg *cm_batch_last_seg(struct cm_batch *b)
{
    return &b->seg[b->nseg - 1];
}
/*
 * Drops the events from index n on (n at most b->n) and the segments that
 * then hold none, but the first. Their strings stay in the arena until the
 * batch goes back to the pool.
 */
void cm_batch_trim(struct cm_batch *b, uint32_t n);
/* Drops the batch's buffer references and pools (or frees) it. Thread-safe. */
void cm_batch_put(struct cm_batch_pool *pool, struct cm_batch *b);

#endif
