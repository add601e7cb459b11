/*
 * Input files read by earlier scans (fileseen.h).
 */
#include "detect/fileseen.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"

/* Fixed seeds: an identity must hash the same in every run that reads the state file. */
#define SEED_A 0x66696c6573656e41ULL
#define SEED_B 0x3b9f0c2d5e8a7164ULL
/* Bytes of one identity in the file: two u64 and a u32 day. */
#define ENT_BYTES 20u

const char *cm_file_id_base(const char *path)
{
    return cm_file_id_basen(path, strlen(path));
}

const char *cm_file_id_basen(const char *path, size_t len)
{
    const char *base = path;

    for (size_t i = 0; i < len; i++) {
        base = path[i] == '/' ? path + i + 1 : base;
    }
    return base;
}

void cm_file_id_make(struct cm_file_id *id, const char *name, size_t namelen, uint64_t size,
                     const void *head, size_t nhead, const void *tail, size_t ntail)
{
    uint64_t a = cm_hash64(name, namelen, SEED_A ^ cm_hash_mix64(size));
    uint64_t b = cm_hash64(name, namelen, SEED_B ^ cm_hash_mix64(~size));

    a = cm_hash64(head, nhead, a);
    b = cm_hash64(head, nhead, b ^ SEED_A);
    a = cm_hash64(tail, ntail, a ^ SEED_B);
    b = cm_hash64(tail, ntail, b);
    id->a = a;
    id->b = b;
}

void cm_file_id_of_bytes(struct cm_file_id *id, const char *path, const void *p, size_t len)
{
    const char *name = cm_file_id_base(path);
    size_t edge = len < CM_FILE_ID_EDGE ? len : CM_FILE_ID_EDGE;

    cm_file_id_make(id, name, strlen(name), len, p, edge, (const char *)p + (len - edge), edge);
}

void cm_fileseen_init(struct cm_fileseen *s)
{
    memset(s, 0, sizeof(*s));
    s->max_n = CM_FILESEEN_MAX;
    s->max_days = CM_FILESEEN_DAYS;
    cm_filegrow_init(&s->grown);
}

void cm_fileseen_finish(struct cm_fileseen *s)
{
    cm_free(s->v);
    s->v = NULL;
    s->n = s->nsorted = s->cap = 0;
    cm_filegrow_finish(&s->grown);
}

static int id_cmp(const struct cm_file_id *x, const struct cm_file_id *y)
{
    if (x->a != y->a) {
        return x->a < y->a ? -1 : 1;
    }
    return x->b < y->b ? -1 : x->b > y->b;
}

/* By identity, then the newest day first (so the first of a run of equal ones is kept). */
static int ent_cmp(const void *p, const void *q)
{
    const struct cm_fileseen_ent *x = p, *y = q;
    int c = id_cmp(&x->id, &y->id);

    return c != 0 ? c : x->day > y->day ? -1 : x->day < y->day;
}

bool cm_fileseen_has(const struct cm_fileseen *s, const struct cm_file_id *id)
{
    size_t lo = 0, hi = s->nsorted;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = id_cmp(&s->v[mid].id, id);

        if (c == 0) {
            return true;
        }
        if (c < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return false;
}

static int reserve(struct cm_fileseen *s, size_t want)
{
    struct cm_fileseen_ent *v;
    size_t cap = s->cap ? s->cap : 64;

    if (want <= s->cap) {
        return 0;
    }
    while (cap < want) {
        if (cap > SIZE_MAX / 2 / sizeof(*v)) {
            return CM_ENOMEM;
        }
        cap *= 2;
    }
    if ((v = cm_realloc(s->v, cap * sizeof(*v))) == NULL) {
        return CM_ENOMEM;
    }
    s->v = v;
    s->cap = cap;
    return 0;
}

int cm_fileseen_add(struct cm_fileseen *s, const struct cm_file_id *id, uint32_t day)
{
    if (reserve(s, s->n + 1) != 0) {
        return CM_ENOMEM;
    }
    memset(&s->v[s->n], 0, sizeof(s->v[s->n])); /* no padding bytes left undefined */
    s->v[s->n].id = *id;
    s->v[s->n].day = day;
    s->n++;
    return 0;
}

static int day_desc(const void *p, const void *q)
{
    uint32_t x = *(const uint32_t *)p, y = *(const uint32_t *)q;

    return x > y ? -1 : x < y;
}

/* The day the max_n-th most recently seen identity of v[0, n) was seen (n > max_n). */
static int cap_day(const struct cm_fileseen *s, uint32_t *day)
{
    uint32_t *days = cm_malloc(s->n * sizeof(*days));

    if (days == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        days[i] = s->v[i].day;
    }
    qsort(days, s->n, sizeof(*days), day_desc);
    *day = days[s->max_n - 1];
    cm_free(days);
    return 0;
}

int cm_fileseen_settle(struct cm_fileseen *s, uint32_t today, struct cm_fileseen_settled *out)
{
    uint32_t oldest = today > s->max_days ? today - s->max_days : 0, cut = 0;
    size_t k = 0, newer = 0, at_cut = 0;
    long grown;

    memset(out, 0, sizeof(*out));
    grown = cm_filegrow_settle(&s->grown, today, s->max_days,
                               s->max_n < CM_FILEGROW_MAX ? s->max_n : CM_FILEGROW_MAX);
    if (grown < 0) {
        return CM_ENOMEM;
    }
    out->grown = (size_t)grown;
    if (s->n == 0) { /* nothing read (standard input only): v may be NULL */
        s->nsorted = 0;
        return 0;
    }
    qsort(s->v, s->n, sizeof(*s->v), ent_cmp);
    for (size_t i = 0; i < s->n; i++) { /* one of each identity, its newest day */
        if (k > 0 && id_cmp(&s->v[k - 1].id, &s->v[i].id) == 0) {
            continue;
        }
        if (s->v[i].day < oldest) {
            out->aged++;
            continue;
        }
        s->v[k++] = s->v[i];
    }
    s->n = k;
    if (s->n > s->max_n) {
        if (cap_day(s, &cut) != 0) {
            s->nsorted = s->n;
            return CM_ENOMEM;
        }
        for (size_t i = 0; i < s->n; i++) {
            newer += s->v[i].day > cut;
        }
        k = 0;
        for (size_t i = 0; i < s->n; i++) {
            bool keep = s->v[i].day > cut || (s->v[i].day == cut && at_cut++ < s->max_n - newer);
            if (keep) {
                s->v[k++] = s->v[i];
            }
        }
        out->capped = s->n - k;
        s->n = k;
    }
    s->nsorted = s->n;
    return 0;
}

void cm_fileseen_save(const struct cm_fileseen *s, struct cm_ckpt_w *w)
{
    cm_ckpt_put_u32(w, CM_FILESEEN_STATE_VERSION);
    cm_ckpt_put_u64(w, s->nsorted);
    for (size_t i = 0; i < s->nsorted; i++) {
        cm_ckpt_put_u64(w, s->v[i].id.a);
        cm_ckpt_put_u64(w, s->v[i].id.b);
        cm_ckpt_put_u32(w, s->v[i].day);
    }
    cm_filegrow_save(&s->grown, w);
}

int cm_fileseen_load(struct cm_fileseen *s, struct cm_ckpt_r *r)
{
    uint32_t version = cm_ckpt_get_u32(r);
    uint64_t n;

    if (r->err != 0) {
        return r->err;
    }
    if (version != CM_FILESEEN_STATE_VERSION && version != 1) {
        return CM_EFORMAT;
    }
    n = cm_ckpt_get_u64(r);
    if (r->err == 0 && n > (r->len - r->off) / ENT_BYTES) {
        return cm_ckpt_r_fail(r, CM_ETRUNC, "more file identities than the file has room for");
    }
    if (r->err != 0) {
        return r->err;
    }
    if (reserve(s, (size_t)n) != 0) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    s->n = s->nsorted = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct cm_fileseen_ent e;

        memset(&e, 0, sizeof(e));
        e.id.a = cm_ckpt_get_u64(r);
        e.id.b = cm_ckpt_get_u64(r);
        e.day = cm_ckpt_get_u32(r);
        if (r->err != 0) {
            return r->err;
        }
        if (i > 0 && id_cmp(&s->v[i - 1].id, &e.id) >= 0) {
            s->n = s->nsorted = 0;
            return cm_ckpt_r_fail(r, CM_EINVAL, "file identities out of order or repeated");
        }
        s->v[s->n++] = e;
    }
    s->nsorted = s->n;
    /* Version 1 has no grown files: a log that grew since is read again whole. */
    return version == 1 ? 0 : cm_filegrow_load(&s->grown, r);
}
