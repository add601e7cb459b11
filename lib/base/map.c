/*
 * struct cm_map: linear probing over a power-of-two array of slots, each a
 * (hash, entry pointer) pair; an entry is one allocation holding a header,
 * the value (16-byte aligned) and the key copy. A slot is empty when its entry
 * pointer is NULL. Invariant: every entry sits in the cluster that starts at
 * its home slot (hash & mask) with no empty slot between home and it;
 * backward-shift deletion keeps that true without tombstones, and the load
 * cap keeps at least one slot empty so every probe ends.
 */
#include "base/map.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

struct entry {
    uint64_t hash;
    uint32_t klen;
    uint32_t spare;
    _Alignas(16) unsigned char data[]; /* value (val_size bytes), then the key */
};

struct slot {
    uint64_t hash;
    struct entry *e; /* NULL: empty */
};

struct cm_map {
    struct slot *slots;
    size_t cap; /* power of two */
    size_t mask;
    size_t count;
    size_t max_entries; /* 0: no cap */
    size_t max_cap;     /* the table never grows past this */
    size_t val_size;
    size_t entry_bytes; /* estimated heap bytes of every entry */
    uint64_t seed;
};

#define MIN_CAP 8

/* Entries a table of cap slots may hold: 11/16 (~70%) of it, 6 of 8. */
static size_t load_limit(size_t cap)
{
    return cap - cap / 4 - cap / 16;
}

/* Heap bytes of one block of n bytes: a size word, 16-byte granules, 32 minimum. */
static size_t block_bytes(size_t n)
{
    size_t b = (n + 8 + 15) & ~(size_t)15;

    return b < 32 ? 32 : b;
}

static size_t entry_size(const struct cm_map *m, size_t klen)
{
    return sizeof(struct entry) + m->val_size + klen;
}

static unsigned char *entry_key(const struct cm_map *m, struct entry *e)
{
    return e->data + m->val_size;
}

static const struct entry *entry_of(const void *val)
{
    return (const struct entry *)((const unsigned char *)val - offsetof(struct entry, data));
}

/* The smallest table that holds max_entries under the load limit. */
static size_t pick_max_cap(size_t max_entries)
{
    size_t limit = (size_t)1 << (sizeof(size_t) * 8 - 6), cap = MIN_CAP;

    if (max_entries == 0) {
        return limit;
    }
    while (cap < limit && load_limit(cap) < max_entries) {
        cap *= 2;
    }
    return cap;
}

int cm_map_create(struct cm_map **out, size_t val_size, size_t max_entries, uint64_t seed)
{
    struct cm_map *m;

    *out = NULL;
    if (val_size > CM_MAP_MAX_VAL) {
        return CM_EINVAL;
    }
    m = cm_calloc(1, sizeof(*m));
    if (m == NULL) {
        return CM_ENOMEM;
    }
    m->max_entries = max_entries;
    m->max_cap = pick_max_cap(max_entries);
    m->cap = m->max_cap < 16 ? m->max_cap : 16;
    m->mask = m->cap - 1;
    m->val_size = val_size;
    m->seed = seed;
    m->slots = cm_calloc(m->cap, sizeof(struct slot));
    if (m->slots == NULL) {
        cm_free(m);
        return CM_ENOMEM;
    }
    *out = m;
    return 0;
}

void cm_map_destroy(struct cm_map *m)
{
    size_t i;

    if (m == NULL) {
        return;
    }
    for (i = 0; i < m->cap; i++) {
        cm_free(m->slots[i].e);
    }
    cm_free(m->slots);
    cm_free(m);
}

/* Slot index of key, or SIZE_MAX. */
static size_t find(const struct cm_map *m, uint64_t h, const void *key, size_t klen)
{
    size_t i = (size_t)h & m->mask;
    const struct slot *s;

    for (;; i = (i + 1) & m->mask) {
        s = &m->slots[i];
        if (s->e == NULL) {
            return SIZE_MAX;
        }
        if (s->hash == h && s->e->klen == klen &&
            (klen == 0 || memcmp(entry_key(m, s->e), key, klen) == 0)) {
            return i;
        }
    }
}

void *cm_map_get(const struct cm_map *m, const void *key, size_t klen)
{
    uint64_t h = cm_hash64(key, klen, m->seed);
    size_t i = find(m, h, key, klen);

    return i == SIZE_MAX ? NULL : m->slots[i].e->data;
}

/* Puts an entry in the first empty slot of its probe sequence. */
static void place(struct slot *slots, size_t mask, uint64_t h, struct entry *e)
{
    size_t i = (size_t)h & mask;

    while (slots[i].e != NULL) {
        i = (i + 1) & mask;
    }
    slots[i].hash = h;
    slots[i].e = e;
}

static int grow(struct cm_map *m)
{
    size_t ncap = m->cap * 2, i;
    struct slot *ns = cm_calloc(ncap, sizeof(struct slot));

    if (ns == NULL) {
        return CM_ENOMEM;
    }
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].e != NULL) {
            place(ns, ncap - 1, m->slots[i].hash, m->slots[i].e);
        }
    }
    cm_free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    m->mask = ncap - 1;
    return 0;
}

/* Makes room for one more entry: the entry cap, then the load limit. */
static int reserve_one(struct cm_map *m)
{
    if (m->max_entries != 0 && m->count >= m->max_entries) {
        return CM_EFULL;
    }
    if (m->count + 1 <= load_limit(m->cap)) {
        return 0;
    }
    if (m->cap < m->max_cap) {
        return grow(m);
    }
    return m->count + 1 < m->cap ? 0 : CM_EFULL;
}

int cm_map_put(struct cm_map *m, const void *key, size_t klen, void **val, bool *created)
{
    uint64_t h = cm_hash64(key, klen, m->seed);
    size_t i = find(m, h, key, klen), size;
    struct entry *e;
    int rc;

    *val = NULL;
    if (i != SIZE_MAX) {
        *val = m->slots[i].e->data;
        goto done;
    }
    if (klen > UINT32_MAX) {
        return CM_E2BIG;
    }
    rc = reserve_one(m);
    if (rc != 0) {
        return rc;
    }
    size = entry_size(m, klen);
    e = cm_malloc(size);
    if (e == NULL) {
        return CM_ENOMEM;
    }
    e->hash = h;
    e->klen = (uint32_t)klen;
    e->spare = 0;
    memset(e->data, 0, m->val_size);
    if (klen != 0) {
        memcpy(entry_key(m, e), key, klen);
    }
    place(m->slots, m->mask, h, e);
    m->count++;
    m->entry_bytes += block_bytes(size);
    *val = e->data;
done:
    if (created != NULL) {
        *created = i == SIZE_MAX;
    }
    return 0;
}

/* Frees the entry at slot i and shifts the rest of its cluster back. */
static void delete_at(struct cm_map *m, size_t i)
{
    struct entry *e = m->slots[i].e;
    size_t j = i, home;

    m->entry_bytes -= block_bytes(entry_size(m, e->klen));
    m->count--;
    cm_free(e);
    for (;;) {
        j = (j + 1) & m->mask;
        if (m->slots[j].e == NULL) {
            break;
        }
        home = (size_t)m->slots[j].hash & m->mask;
        /* The entry at j may fill the hole at i unless its home lies in (i, j]. */
        if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
            m->slots[i] = m->slots[j];
            i = j;
        }
    }
    m->slots[i].e = NULL;
    m->slots[i].hash = 0;
}

int cm_map_del(struct cm_map *m, const void *key, size_t klen)
{
    uint64_t h = cm_hash64(key, klen, m->seed);
    size_t i = find(m, h, key, klen);

    if (i == SIZE_MAX) {
        return CM_ENOTFOUND;
    }
    delete_at(m, i);
    return 0;
}

int cm_map_del_val(struct cm_map *m, void *val)
{
    const struct entry *e = entry_of(val);
    size_t i = (size_t)e->hash & m->mask;

    for (; m->slots[i].e != NULL; i = (i + 1) & m->mask) {
        if (m->slots[i].e == e) {
            delete_at(m, i);
            return 0;
        }
    }
    return CM_ENOTFOUND;
}

struct cm_str cm_map_key_of(const struct cm_map *m, const void *val)
{
    const struct entry *e = entry_of(val);

    return cm_str_make((const char *)e->data + m->val_size, e->klen);
}

void cm_map_iter_init(const struct cm_map *m, struct cm_map_iter *it)
{
    size_t i = 0;

    while (m->slots[i].e != NULL) {
        i++;
    }
    it->start = i;
    it->done = 0;
    it->cur = SIZE_MAX;
}

bool cm_map_next(struct cm_map *m, struct cm_map_iter *it, struct cm_str *key, void **val)
{
    size_t k;
    struct entry *e;

    while (it->done < m->cap - 1) {
        k = (it->start + 1 + it->done) & m->mask;
        it->done++;
        e = m->slots[k].e;
        if (e != NULL) {
            it->cur = k;
            if (key != NULL) {
                *key = cm_str_make((const char *)entry_key(m, e), e->klen);
            }
            if (val != NULL) {
                *val = e->data;
            }
            return true;
        }
    }
    it->cur = SIZE_MAX;
    return false;
}

void cm_map_iter_del(struct cm_map *m, struct cm_map_iter *it)
{
    if (it->cur == SIZE_MAX || m->slots[it->cur].e == NULL) {
        return;
    }
    delete_at(m, it->cur);
    /* Entries shifted back land in cur or later, before start: look at cur again. */
    it->done--;
    it->cur = SIZE_MAX;
}

size_t cm_map_count(const struct cm_map *m)
{
    return m->count;
}

size_t cm_map_bytes(const struct cm_map *m)
{
    return sizeof(*m) + m->cap * sizeof(struct slot) + m->entry_bytes;
}
