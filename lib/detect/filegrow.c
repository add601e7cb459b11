/*
 * Where a later scan resumes a plain log that grew (filegrow.h).
 */
#include "detect/filegrow.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/fileseen.h"

/* A fixed seed: a name must hash the same in every run that reads the state file. */
#define SEED_NAME 0x67726f776e616d65ULL
/* Bytes of one entry in the file: five u64 and a u32 day. */
#define ENT_BYTES 44u

uint64_t cm_filegrow_name(const char *name, size_t len)
{
    return cm_hash64(name, len, SEED_NAME);
}

void cm_filegrow_init(struct cm_filegrow *g)
{
    memset(g, 0, sizeof(*g));
}

void cm_filegrow_finish(struct cm_filegrow *g)
{
    cm_free(g->v);
    cm_filegrow_init(g);
}

/* By name, the longest first, then identity: the order of the set, days aside. */
static int key_cmp(const struct cm_filegrow_ent *x, const struct cm_filegrow_ent *y)
{
    if (x->name != y->name) {
        return x->name < y->name ? -1 : 1;
    }
    if (x->len != y->len) {
        return x->len > y->len ? -1 : 1;
    }
    if (x->id_a != y->id_a) {
        return x->id_a < y->id_a ? -1 : 1;
    }
    return x->id_b < y->id_b ? -1 : x->id_b > y->id_b;
}

/* The set's order; of equal ones, a used one first, then the newest day. */
static int ent_cmp(const void *p, const void *q)
{
    const struct cm_filegrow_ent *x = p, *y = q;
    int c = key_cmp(x, y);

    if (c != 0) {
        return c;
    }
    if (x->used != y->used) {
        return x->used ? -1 : 1;
    }
    return x->day > y->day ? -1 : x->day < y->day;
}

/* The first sorted entry of name whose length is under size (the end when none). */
static size_t lower(const struct cm_filegrow *g, uint64_t name, uint64_t size)
{
    size_t lo = 0, hi = g->nsorted;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cm_filegrow_ent *e = &g->v[mid];

        if (e->name < name || (e->name == name && e->len >= size)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

size_t cm_filegrow_find(const struct cm_filegrow *g, uint64_t name, uint64_t size,
                        const struct cm_filegrow_ent **first)
{
    size_t at = lower(g, name, size), k = at;

    while (k < g->nsorted && g->v[k].name == name) {
        k++;
    }
    *first = at < g->nsorted ? &g->v[at] : NULL;
    return k - at;
}

static int reserve(struct cm_filegrow *g, size_t want)
{
    struct cm_filegrow_ent *v;
    size_t cap = g->cap ? g->cap : 16;

    if (want <= g->cap) {
        return 0;
    }
    while (cap < want) {
        if (cap > SIZE_MAX / 2 / sizeof(*v)) {
            return CM_ENOMEM;
        }
        cap *= 2;
    }
    if ((v = cm_realloc(g->v, cap * sizeof(*v))) == NULL) {
        return CM_ENOMEM;
    }
    g->v = v;
    g->cap = cap;
    return 0;
}

int cm_filegrow_add(struct cm_filegrow *g, uint64_t name, uint64_t len, uint64_t lines,
                    const struct cm_file_id *id, uint32_t day)
{
    struct cm_filegrow_ent *e;

    if (reserve(g, g->n + 1) != 0) {
        return CM_ENOMEM;
    }
    e = &g->v[g->n++];
    memset(e, 0, sizeof(*e)); /* no padding bytes left undefined */
    e->name = name;
    e->len = len;
    e->lines = lines;
    e->id_a = id->a;
    e->id_b = id->b;
    e->day = day;
    return 0;
}

void cm_filegrow_use(struct cm_filegrow *g, uint64_t name, uint64_t len,
                     const struct cm_file_id *id)
{
    const struct cm_filegrow_ent *first;
    size_t n = cm_filegrow_find(g, name, len + 1, &first);

    for (size_t i = 0; i < n && first[i].len == len; i++) {
        if (first[i].id_a == id->a && first[i].id_b == id->b) {
            g->v[(size_t)(first - g->v) + i].used = true;
        }
    }
}

static int day_desc(const void *p, const void *q)
{
    uint32_t x = *(const uint32_t *)p, y = *(const uint32_t *)q;

    return x > y ? -1 : x < y;
}

/* Keeps the max_n most recently seen of g->v[0, n) (n > max_n; ties: the first ones). */
static int cap(struct cm_filegrow *g, size_t max_n)
{
    uint32_t *days = cm_malloc(g->n * sizeof(*days)), cut;
    size_t k = 0, newer = 0, at_cut = 0;

    if (days == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < g->n; i++) {
        days[i] = g->v[i].day;
    }
    qsort(days, g->n, sizeof(*days), day_desc);
    cut = days[max_n - 1];
    cm_free(days);
    for (size_t i = 0; i < g->n; i++) {
        newer += g->v[i].day > cut;
    }
    for (size_t i = 0; i < g->n; i++) {
        if (g->v[i].day > cut || (g->v[i].day == cut && at_cut++ < max_n - newer)) {
            g->v[k++] = g->v[i];
        }
    }
    g->n = k;
    return 0;
}

long cm_filegrow_settle(struct cm_filegrow *g, uint32_t today, uint32_t max_days, size_t max_n)
{
    uint32_t oldest = today > max_days ? today - max_days : 0;
    size_t k = 0, before = g->n;

    if (g->n == 0) {
        g->nsorted = 0;
        return 0;
    }
    qsort(g->v, g->n, sizeof(*g->v), ent_cmp);
    for (size_t i = 0; i < g->n; i++) {
        /* One of each: a used one stays used (it comes first), with the newest day. */
        if (k > 0 && key_cmp(&g->v[k - 1], &g->v[i]) == 0) {
            if (g->v[i].day > g->v[k - 1].day) {
                g->v[k - 1].day = g->v[i].day;
            }
            continue;
        }
        g->v[k++] = g->v[i];
    }
    g->n = k;
    k = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (!g->v[i].used && g->v[i].day >= oldest) {
            g->v[k++] = g->v[i];
        }
    }
    g->n = k;
    if (g->n > max_n && (max_n == 0 ? (g->n = 0, 0) : cap(g, max_n)) != 0) {
        g->nsorted = g->n;
        return -1;
    }
    g->nsorted = g->n;
    return (long)(before - g->n);
}

void cm_filegrow_save(const struct cm_filegrow *g, struct cm_ckpt_w *w)
{
    cm_ckpt_put_u64(w, g->nsorted);
    for (size_t i = 0; i < g->nsorted; i++) {
        const struct cm_filegrow_ent *e = &g->v[i];

        cm_ckpt_put_u64(w, e->name);
        cm_ckpt_put_u64(w, e->len);
        cm_ckpt_put_u64(w, e->lines);
        cm_ckpt_put_u64(w, e->id_a);
        cm_ckpt_put_u64(w, e->id_b);
        cm_ckpt_put_u32(w, e->day);
    }
}

int cm_filegrow_load(struct cm_filegrow *g, struct cm_ckpt_r *r)
{
    uint64_t n = cm_ckpt_get_u64(r);

    if (r->err == 0 && n > (r->len - r->off) / ENT_BYTES) {
        return cm_ckpt_r_fail(r, CM_ETRUNC, "more grown files than the file has room for");
    }
    if (r->err != 0) {
        return r->err;
    }
    if (reserve(g, (size_t)n) != 0) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    g->n = g->nsorted = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct cm_filegrow_ent e;

        memset(&e, 0, sizeof(e));
        e.name = cm_ckpt_get_u64(r);
        e.len = cm_ckpt_get_u64(r);
        e.lines = cm_ckpt_get_u64(r);
        e.id_a = cm_ckpt_get_u64(r);
        e.id_b = cm_ckpt_get_u64(r);
        e.day = cm_ckpt_get_u32(r);
        if (r->err != 0) {
            g->n = 0;
            return r->err;
        }
        if (e.len == 0 || e.len > INT64_MAX || e.lines > e.len) {
            g->n = 0;
            return cm_ckpt_r_fail(r, CM_EINVAL,
                                  "a grown file of no length, longer than a file can be, or with "
                                  "more lines than bytes");
        }
        if (i > 0 && key_cmp(&g->v[i - 1], &e) >= 0) {
            g->n = 0;
            return cm_ckpt_r_fail(r, CM_EINVAL, "grown files out of order or repeated");
        }
        g->v[g->n++] = e;
    }
    g->nsorted = g->n;
    return 0;
}
