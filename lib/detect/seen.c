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
    for (size_t i = 0; i < s->acap; i++) {
        gen_free(s, &s->acct[i].cur);
        gen_free(s, &s->acct[i].prev);
    }
    s->bytes -= s->acap * sizeof(*s->acct);
    cm_free(s->acct);
    s->acct = NULL;
    s->acap = s->nacct = 0;
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

static void note_bytes(struct cm_seen *s, size_t add)
{
    s->bytes += add;
    if (s->bytes > s->peak_bytes) {
        s->peak_bytes = s->bytes;
    }
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
    note_bytes(s, ncap * sizeof(uint64_t));
    return CM_OK;
}

/* The slot of account key k in a table of cap (a power of two): its own, or an empty one. */
static struct cm_seen_acct *acct_slot(struct cm_seen_acct *v, size_t cap, uint64_t k)
{
    size_t mask = cap - 1;

    for (size_t i = (size_t)k & mask;; i = (i + 1) & mask) {
        if (v[i].key == k || v[i].key == 0) {
            return &v[i];
        }
    }
}

/* The account's entry, made when new; NULL when out of memory. */
static struct cm_seen_acct *acct_of(struct cm_seen *s, struct cm_str account)
{
    uint64_t k = cm_hash64(account.p != NULL ? account.p : "", account.len, s->seed ^ 0xacc7u);
    struct cm_seen_acct *a;

    k = k ? k : 1;
    if ((s->nacct + 1) * 2 > s->acap) {
        size_t ncap = s->acap ? s->acap * 2 : 16;
        struct cm_seen_acct *nv = cm_calloc(ncap, sizeof(*nv));

        if (nv == NULL) {
            return NULL;
        }
        for (size_t i = 0; i < s->acap; i++) {
            if (s->acct[i].key != 0) {
                *acct_slot(nv, ncap, s->acct[i].key) = s->acct[i];
            }
        }
        s->bytes -= s->acap * sizeof(*s->acct);
        cm_free(s->acct);
        s->acct = nv;
        s->acap = ncap;
        note_bytes(s, ncap * sizeof(*nv));
    }
    a = acct_slot(s->acct, s->acap, k);
    if (a->key == 0) {
        a->key = k;
        a->start = INT64_MIN;
        a->newest = INT64_MIN;
        s->nacct++;
    }
    return a;
}

/* The current generation becomes the previous one; the one before is dropped. */
static void rotate(struct cm_seen *s, struct cm_seen_acct *a, int64_t t)
{
    gen_free(s, &a->prev);
    a->prev = a->cur;
    memset(&a->cur, 0, sizeof(a->cur));
    a->start = t;
}

int cm_seen_check(struct cm_seen *s, struct cm_str account, struct cm_str id, int64_t t,
                  bool *repeat)
{
    struct cm_seen_acct *a;
    uint64_t h;
    int rc;

    *repeat = false;
    if (id.p == NULL || id.len == 0) {
        return CM_OK;
    }
    if ((a = acct_of(s, account)) == NULL) {
        return CM_ENOMEM;
    }
    h = cm_hash64(id.p, id.len, s->seed);
    h = h ? h : 1; /* 0 marks an empty slot */
    if (gen_has(&a->cur, h) || gen_has(&a->prev, h)) {
        *repeat = true;
        return CM_OK;
    }
    if (t > a->newest) {
        a->newest = t;
    }
    if (a->start == INT64_MIN) {
        a->start = a->newest;
    } else if (a->newest - a->start >= CM_SEEN_SPAN_MS || a->cur.n >= s->max) {
        rotate(s, a, a->newest);
    }
    if ((a->cur.n + 1) * 2 > a->cur.cap && (rc = gen_grow(s, &a->cur)) != 0) {
        return rc;
    }
    gen_put(&a->cur, h);
    return CM_OK;
}
