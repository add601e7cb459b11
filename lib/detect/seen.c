/*
 * Records already read: recent CloudTrail eventIDs in two generations of open
 * addressing over 64-bit hashes (seen.h).
 */
#include "detect/seen.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

#define MIN_CAP 1024u

void cm_seen_init(struct cm_seen *s, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    s->seed = seed;
    s->start = INT64_MIN;
    s->newest = INT64_MIN;
    s->max = CM_SEEN_MAX;
}

static void gen_free(struct cm_seen *s, struct cm_seen_gen *g)
{
    s->bytes -= g->cap * sizeof(*g->slot);
    cm_free(g->slot);
    memset(g, 0, sizeof(*g));
}

void cm_seen_finish(struct cm_seen *s)
{
    gen_free(s, &s->cur);
    gen_free(s, &s->prev);
}

static bool gen_has(const struct cm_seen_gen *g, uint64_t h)
{
    size_t mask = g->cap - 1;

    if (g->cap == 0) {
        return false;
    }
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        if (g->slot[i] == h) {
            return true;
        }
        if (g->slot[i] == 0) {
            return false;
        }
    }
}

static void gen_put(struct cm_seen_gen *g, uint64_t h)
{
    size_t mask = g->cap - 1, i = (size_t)h & mask;

    while (g->slot[i] != 0) {
        i = (i + 1) & mask;
    }
    g->slot[i] = h;
    g->n++;
}

/* Doubles g (or makes its first table) so one more id keeps it at most half full. */
static int gen_grow(struct cm_seen *s, struct cm_seen_gen *g)
{
    size_t ncap = g->cap ? g->cap * 2 : MIN_CAP;
    struct cm_seen_gen ng = {cm_calloc(ncap, sizeof(uint64_t)), ncap, 0};

    if (ng.slot == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < g->cap; i++) {
        if (g->slot[i] != 0) {
            gen_put(&ng, g->slot[i]);
        }
    }
    gen_free(s, g);
    *g = ng;
    s->bytes += ncap * sizeof(uint64_t);
    if (s->bytes > s->peak_bytes) {
        s->peak_bytes = s->bytes;
    }
    return CM_OK;
}

/* The current generation becomes the previous one; the one before is dropped. */
static void rotate(struct cm_seen *s, int64_t t)
{
    gen_free(s, &s->prev);
    s->prev = s->cur;
    memset(&s->cur, 0, sizeof(s->cur));
    s->start = t;
}

int cm_seen_check(struct cm_seen *s, struct cm_str id, int64_t t, bool *repeat)
{
    uint64_t h;
    int rc;

    *repeat = false;
    if (id.p == NULL || id.len == 0) {
        return CM_OK;
    }
    h = cm_hash64(id.p, id.len, s->seed);
    h = h ? h : 1; /* 0 marks an empty slot */
    if (gen_has(&s->cur, h) || gen_has(&s->prev, h)) {
        *repeat = true;
        return CM_OK;
    }
    if (t > s->newest) {
        s->newest = t;
    }
    if (s->start == INT64_MIN) {
        s->start = s->newest;
    } else if (s->newest - s->start >= CM_SEEN_SPAN_MS || s->cur.n >= s->max) {
        rotate(s, s->newest);
    }
    if ((s->cur.n + 1) * 2 > s->cur.cap && (rc = gen_grow(s, &s->cur)) != 0) {
        return rc;
    }
    gen_put(&s->cur, h);
    return CM_OK;
}
