/*
 * Batch and buffer lifetimes for the scan pipeline (see batch.h).
 */
#include "core/batch.h"

#include "base/alloc.h"
#include "base/err.h"

struct cm_filebuf *cm_filebuf_create(char *p, size_t len, int borrowed)
{
    struct cm_filebuf *fb = cm_calloc(1, sizeof(*fb));

    if (fb == NULL) {
        return NULL;
    }
    fb->p = p;
    fb->len = len;
    fb->borrowed = borrowed;
    atomic_init(&fb->refs, 1);
    return fb;
}

struct cm_filebuf *cm_filebuf_create_pooled(char *p, size_t len, size_t cap,
                                            struct cm_bufpool *pool)
{
    struct cm_filebuf *fb = cm_filebuf_create(p, len, 0);

    if (fb) {
        fb->cap = cap;
        fb->pool = pool;
    }
    return fb;
}

void cm_filebuf_release(struct cm_filebuf *fb)
{
    if (fb && atomic_fetch_sub(&fb->refs, 1) == 1) {
        if (fb->borrowed) {
            /* not ours */
        } else if (fb->pool) {
            cm_bufpool_put(fb->pool, fb->p, fb->cap);
        } else {
            cm_free(fb->p);
        }
        cm_free(fb);
    }
}

void cm_bufpool_init(struct cm_bufpool *bp, size_t max_bytes)
{
    pthread_mutex_init(&bp->mu, NULL);
    bp->n = 0;
    bp->bytes = 0;
    bp->max_bytes = max_bytes;
}

void cm_bufpool_finish(struct cm_bufpool *bp)
{
    for (size_t i = 0; i < bp->n; i++) {
        cm_free(bp->v[i].p);
    }
    bp->n = 0;
    bp->bytes = 0;
    pthread_mutex_destroy(&bp->mu);
}

void cm_bufpool_get(struct cm_bufpool *bp, struct cm_buf *b)
{
    pthread_mutex_lock(&bp->mu);
    if (bp->n > 0 && b->p == NULL) {
        bp->n--;
        b->p = bp->v[bp->n].p;
        b->cap = bp->v[bp->n].cap;
        b->len = 0;
        b->p[0] = '\0';
        bp->bytes -= b->cap;
    }
    pthread_mutex_unlock(&bp->mu);
}

void cm_bufpool_put(struct cm_bufpool *bp, char *p, size_t cap)
{
    pthread_mutex_lock(&bp->mu);
    if (p && cap > 0 && bp->n < CM_BUFPOOL_MAX && bp->bytes + cap <= bp->max_bytes) {
        bp->v[bp->n].p = p;
        bp->v[bp->n].cap = cap;
        bp->n++;
        bp->bytes += cap;
        p = NULL;
    }
    pthread_mutex_unlock(&bp->mu);
    cm_free(p);
}

/*
 * A tape of a segment after the first keeps at most this many nodes' room in a
 * pooled batch: those segments hold small inputs, and 31 tapes each grown once
 * to a large input's would be kept by every batch in the pool.
 */
#define SEG_TAPE_KEEP 4096

/* Releases segment k's buffer; a tape after the first segment's is freed when large. */
static void seg_release(struct cm_batch *b, uint32_t k)
{
    cm_filebuf_release(b->seg[k].fb);
    b->seg[k].fb = NULL;
    if (k > 0 && b->seg[k].doc.cap > SEG_TAPE_KEEP) {
        cm_json_doc_finish(&b->seg[k].doc);
    }
}

static void batch_free(struct cm_batch *b)
{
    for (uint32_t k = 0; k < CM_BATCH_SEGS; k++) {
        cm_json_doc_finish(&b->seg[k].doc);
        cm_filebuf_release(b->seg[k].fb);
    }
    cm_arena_finish(&b->arena);
    cm_free(b->ev);
    cm_free(b->shard);
    cm_free(b);
}

void cm_batch_pool_init(struct cm_batch_pool *pool, uint32_t cap, size_t max, size_t live_max)
{
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv, NULL);
    pool->head = NULL;
    pool->n = 0;
    pool->max = max;
    pool->live = 0;
    pool->live_max = live_max;
    pool->live_peak = 0;
    pool->queued = 0;
    pool->cap = cap;
}

void cm_batch_pool_wait(struct cm_batch_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    while (pool->live_max != 0 && pool->live >= pool->live_max) {
        pthread_cond_wait(&pool->cv, &pool->mu);
    }
    pthread_mutex_unlock(&pool->mu);
}

void cm_batch_pool_published(struct cm_batch_pool *pool, struct cm_batch *b)
{
    b->published = 1;
    pthread_mutex_lock(&pool->mu);
    pool->queued++;
    pthread_mutex_unlock(&pool->mu);
}

void cm_batch_pool_wait_queued(struct cm_batch_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    while (pool->live_max != 0 && pool->queued >= pool->live_max) {
        pthread_cond_wait(&pool->cv, &pool->mu);
    }
    pthread_mutex_unlock(&pool->mu);
}

void cm_batch_pool_finish(struct cm_batch_pool *pool)
{
    while (pool->head) {
        struct cm_batch *b = pool->head;
        pool->head = b->next;
        batch_free(b);
    }
    pool->n = 0;
    pthread_mutex_destroy(&pool->mu);
    pthread_cond_destroy(&pool->cv);
}

static struct cm_batch *batch_alloc(uint32_t cap)
{
    struct cm_batch *b = cm_calloc(1, sizeof(*b));

    if (b == NULL) {
        return NULL;
    }
    b->cap = cap;
    b->ev = cm_malloc(cap * sizeof(*b->ev));
    b->shard = cm_malloc(cap * sizeof(*b->shard));
    if (b->ev == NULL || b->shard == NULL) {
        cm_free(b->ev);
        cm_free(b->shard);
        cm_free(b);
        return NULL;
    }
    for (uint32_t k = 0; k < CM_BATCH_SEGS; k++) {
        cm_json_doc_init(&b->seg[k].doc, 0, 0);
    }
    cm_arena_init(&b->arena, 16 * 1024, 0);
    return b;
}

/* One batch fewer out of the pool; wakes the waiting readers when that makes room. */
static void live_down_locked(struct cm_batch_pool *pool)
{
    pool->live--;
    if (pool->live + 1 == pool->live_max) {
        pthread_cond_broadcast(&pool->cv);
    }
}

static void live_down(struct cm_batch_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    live_down_locked(pool);
    pthread_mutex_unlock(&pool->mu);
}

struct cm_batch *cm_batch_get(struct cm_batch_pool *pool, struct cm_filebuf *fb)
{
    struct cm_batch *b;

    pthread_mutex_lock(&pool->mu);
    b = pool->head;
    if (b) {
        pool->head = b->next;
        pool->n--;
    }
    pool->live++;
    if (pool->live > pool->live_peak) {
        pool->live_peak = pool->live;
    }
    pthread_mutex_unlock(&pool->mu);
    if (b) {
        cm_arena_reset(&b->arena);
    } else if ((b = batch_alloc(pool->cap)) == NULL) {
        live_down(pool);
        return NULL;
    }
    b->n = 0;
    b->nseg = 1;
    b->next = NULL;
    b->published = 0;
    cm_json_doc_begin(&b->seg[0].doc, fb->p, fb->len);
    b->seg[0].fb = fb;
    b->seg[0].first = 0;
    b->seg[0].clock = INT64_MAX;
    atomic_fetch_add(&fb->refs, 1);
    return b;
}

int cm_batch_add_seg(struct cm_batch *b, struct cm_filebuf *fb)
{
    struct cm_batch_seg *g;

    if (b->nseg == CM_BATCH_SEGS) {
        return CM_E2BIG;
    }
    g = &b->seg[b->nseg++];
    cm_json_doc_begin(&g->doc, fb->p, fb->len);
    g->fb = fb;
    g->first = b->n;
    g->clock = INT64_MAX;
    atomic_fetch_add(&fb->refs, 1);
    return CM_OK;
}

void cm_batch_trim(struct cm_batch *b, uint32_t n)
{
    if (n < b->n) {
        b->n = n;
    }
    while (b->nseg > 1 && b->seg[b->nseg - 1].first >= b->n) {
        seg_release(b, --b->nseg);
    }
}

void cm_batch_put(struct cm_batch_pool *pool, struct cm_batch *b)
{
    int published = b->published;

    for (uint32_t k = 0; k < b->nseg; k++) {
        seg_release(b, k);
    }
    b->nseg = 0;
    b->n = 0;
    b->published = 0;
    pthread_mutex_lock(&pool->mu);
    if (published) {
        pool->queued--;
        if (pool->queued + 1 == pool->live_max) {
            pthread_cond_broadcast(&pool->cv);
        }
    }
    live_down_locked(pool);
    if (pool->n < pool->max) {
        b->next = pool->head;
        pool->head = b;
        pool->n++;
        b = NULL;
    }
    pthread_mutex_unlock(&pool->mu);
    if (b) {
        batch_free(b);
    }
}
