/*
 * Records already read: recent CloudTrail eventIDs in two generations of open
 * addressing over 64-bit hashes (seen.h).
 */
#include "detect/seen.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"

#define MIN_CAP  1024u
#define ACCT_CT  0xacc7u
#define ACCT_LOG 0x1097acc7u

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

/* The entry of account key k (not 0), made when new; NULL when out of memory. */
static struct cm_seen_acct *acct_at(struct cm_seen *s, uint64_t k)
{
    struct cm_seen_acct *a;

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

/*
 * The account's entry, made when new; NULL when out of memory. salt keeps apart the
 * sets of one account: CloudTrail eventIDs (ACCT_CT) and log event ids (ACCT_LOG), each
 * with its own clock.
 */
static struct cm_seen_acct *acct_of(struct cm_seen *s, struct cm_str account, uint64_t salt)
{
    uint64_t k = cm_hash64(account.p != NULL ? account.p : "", account.len, s->seed ^ salt);

    return acct_at(s, k ? k : 1);
}

/* The current generation becomes the previous one; the one before is dropped. */
static void rotate(struct cm_seen *s, struct cm_seen_acct *a, int64_t t)
{
    gen_free(s, &a->prev);
    a->prev = a->cur;
    memset(&a->cur, 0, sizeof(a->cur));
    a->start = t;
}

/* Whether h was seen in a's generations; else remembers it (cm_seen_check). */
static int check(struct cm_seen *s, struct cm_seen_acct *a, uint64_t h, int64_t t, bool *repeat)
{
    int rc;

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

int cm_seen_check(struct cm_seen *s, struct cm_str account, struct cm_str id, int64_t t,
                  bool *repeat)
{
    struct cm_seen_acct *a;

    *repeat = false;
    if (id.p == NULL || id.len == 0) {
        return CM_OK;
    }
    if ((a = acct_of(s, account, ACCT_CT)) == NULL) {
        return CM_ENOMEM;
    }
    return check(s, a, cm_hash64(id.p, id.len, s->seed), t, repeat);
}

int cm_seen_check_log(struct cm_seen *s, struct cm_str account, uint64_t id, int64_t t,
                      bool *repeat)
{
    struct cm_seen_acct *a;

    *repeat = false;
    if (id == 0) {
        return CM_OK;
    }
    if ((a = acct_of(s, account, ACCT_LOG)) == NULL) {
        return CM_ENOMEM;
    }
    /* Seeded like an eventID's hash: a saved set keeps working with the saved seed. */
    return check(s, a, cm_hash_mix64(id ^ s->seed), t, repeat);
}

void cm_seen_prefetch_log(const struct cm_seen *s, struct cm_str account, uint64_t id)
{
    uint64_t k, h;
    const struct cm_seen_acct *a;

    if (id == 0 || s->acap == 0) {
        return;
    }
    k = cm_hash64(account.p != NULL ? account.p : "", account.len, s->seed ^ ACCT_LOG);
    a = acct_slot(s->acct, s->acap, k ? k : 1);
    if (a->key == 0) {
        return;
    }
    h = cm_hash_mix64(id ^ s->seed);
    h = h ? h : 1;
    if (a->cur.cap != 0) {
        __builtin_prefetch(&a->cur.slot[h & (a->cur.cap - 1)]);
    }
    if (a->prev.cap != 0) {
        __builtin_prefetch(&a->prev.slot[h & (a->prev.cap - 1)]);
    }
}

void cm_seen_prefetch(const struct cm_seen *s, struct cm_str account, struct cm_str id)
{
    uint64_t k, h;
    const struct cm_seen_acct *a;

    /*
     * Written out as cm_seen_prefetch_log is: a helper holding only the prefetches is
     * found free of effects by GCC, and its calls are dropped with them.
     */
    if (id.p == NULL || id.len == 0 || s->acap == 0) {
        return;
    }
    k = cm_hash64(account.p != NULL ? account.p : "", account.len, s->seed ^ ACCT_CT);
    a = acct_slot(s->acct, s->acap, k ? k : 1);
    if (a->key == 0) {
        return;
    }
    h = cm_hash64(id.p, id.len, s->seed); /* as cm_seen_check hashes it: the same slots */
    h = h ? h : 1;
    if (a->cur.cap != 0) {
        __builtin_prefetch(&a->cur.slot[h & (a->cur.cap - 1)]);
    }
    if (a->prev.cap != 0) {
        __builtin_prefetch(&a->prev.slot[h & (a->prev.cap - 1)]);
    }
}

/* ---- checkpoints ---- */

/* Bytes an account takes in a checkpoint at least: key, start, newest, two counts. */
#define ACCT_MIN_BYTES (5 * 8)

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

static int cmp_acct(const void *a, const void *b)
{
    return cmp_u64(&(*(const struct cm_seen_acct *const *)a)->key,
                   &(*(const struct cm_seen_acct *const *)b)->key);
}

/* g's count, then its ids in increasing order (tmp holds g->n of them). */
static void gen_save(const struct cm_seen_gen *g, uint64_t *tmp, struct cm_ckpt_w *w)
{
    size_t k = 0;

    for (size_t i = 0; i < g->cap; i++) {
        if (g->slot[i] != 0) {
            tmp[k++] = g->slot[i];
        }
    }
    qsort(tmp, k, sizeof(*tmp), cmp_u64);
    cm_ckpt_put_u64(w, k);
    for (size_t i = 0; i < k; i++) {
        cm_ckpt_put_u64(w, tmp[i]);
    }
}

int cm_seen_save(const struct cm_seen *s, struct cm_ckpt_w *w)
{
    const struct cm_seen_acct **v = cm_malloc((s->nacct ? s->nacct : 1) * sizeof(*v));
    uint64_t *tmp = NULL;
    size_t n = 0, most = 1;

    for (size_t i = 0; v != NULL && i < s->acap; i++) {
        const struct cm_seen_acct *a = &s->acct[i];

        if (a->key != 0) {
            v[n++] = a;
            most = a->cur.n > most ? a->cur.n : most;
            most = a->prev.n > most ? a->prev.n : most;
        }
    }
    if (v == NULL || (tmp = cm_malloc(most * sizeof(*tmp))) == NULL) {
        cm_ckpt_w_fail(w, CM_ENOMEM);
        goto out;
    }
    qsort(v, n, sizeof(*v), cmp_acct);
    cm_ckpt_put_u64(w, s->seed);
    cm_ckpt_put_u64(w, n);
    for (size_t i = 0; i < n && w->err == 0; i++) {
        cm_ckpt_put_u64(w, v[i]->key);
        cm_ckpt_put_i64(w, v[i]->start);
        cm_ckpt_put_i64(w, v[i]->newest);
        gen_save(&v[i]->cur, tmp, w);
        gen_save(&v[i]->prev, tmp, w);
    }
out:
    cm_free(tmp);
    cm_free(v);
    return w->err;
}

/* A generation written by gen_save into the empty g. */
static int gen_load(struct cm_seen *s, struct cm_seen_gen *g, struct cm_ckpt_r *r)
{
    uint64_t n = cm_ckpt_get_u64(r), last = 0;

    if (r->err != 0) {
        return r->err;
    }
    if (n > s->max) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "a generation of eventIDs over its size");
    }
    if (n > (r->len - r->off) / 8) {
        return cm_ckpt_r_fail(r, CM_ETRUNC, "more eventIDs than the file has room for");
    }
    for (uint64_t k = 0; k < n; k++) {
        uint64_t h = cm_ckpt_get_u64(r);

        if (h <= last) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "eventIDs out of order, zero or twice");
        }
        last = h;
        if ((g->n + 1) * 2 > g->cap && gen_grow(s, g) != 0) {
            return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
        }
        gen_put(g, h);
    }
    return r->err;
}

int cm_seen_load(struct cm_seen *s, struct cm_ckpt_r *r)
{
    uint64_t seed = cm_ckpt_get_u64(r), n = cm_ckpt_get_u64(r);

    if (r->err != 0) {
        return r->err;
    }
    if (s->nacct != 0) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "eventIDs loaded over others");
    }
    /* The saved ids were hashed with the saved seed: keep hashing with it. */
    s->seed = seed;
    if (n > (r->len - r->off) / ACCT_MIN_BYTES) {
        return cm_ckpt_r_fail(r, CM_ETRUNC, "more accounts than the file has room for");
    }
    for (uint64_t i = 0; i < n && r->err == 0; i++) {
        uint64_t key = cm_ckpt_get_u64(r);
        int64_t start = cm_ckpt_get_i64(r), newest = cm_ckpt_get_i64(r);
        size_t had = s->nacct;
        struct cm_seen_acct *a;

        if (r->err != 0) {
            break;
        }
        if (key == 0 || !cm_ckpt_time_ok(start) || !cm_ckpt_time_ok(newest) ||
            (start != INT64_MIN && newest < start)) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "an account's eventIDs have a bad key or clock");
        }
        if ((a = acct_at(s, key)) == NULL) {
            return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
        }
        if (s->nacct == had) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "an account's eventIDs are in the file twice");
        }
        a->start = start;
        a->newest = newest;
        if (gen_load(s, &a->cur, r) == 0) {
            gen_load(s, &a->prev, r);
        }
    }
    return r->err;
}
