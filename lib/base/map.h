/*
 * Seeded hash map from byte-string keys to fixed-size values.
 *
 * Keys are copied into the map (callers usually hold transient slices into a
 * batch); values are val_size bytes, zeroed on insert, stored in the same
 * allocation as the key copy so a caller can keep a struct there. The table
 * itself is open addressing with linear probing over (hash, entry pointer)
 * slots, power-of-two capacity, growth at 70% load and backward-shift
 * deletion (no tombstones). Keys are hashed with cm_hash64() and the caller's
 * seed, and the full 64-bit hash is kept per slot so most probes never touch
 * the key.
 *
 * Pointer validity: a value pointer (and the key bytes of cm_map_key_of())
 * stays valid until that entry is deleted or the map is destroyed. Inserting
 * other keys and growing the table never move values. This is stronger than
 * "until the next put/del", and lib/detect/state.c relies on it.
 *
 * Capacity: max_entries caps the entries (0: no cap); the table grows up to
 * the smallest power of two that keeps max_entries under 70% load. Memory
 * held is reported by cm_map_bytes() for memcaps and health.
 *
 * See docs/internals/state.md.
 */
#ifndef CM_BASE_MAP_H
#define CM_BASE_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* Largest value size a map accepts. */
#define CM_MAP_MAX_VAL ((size_t)1 << 20)

struct cm_map;

/*
 * Iterator over every entry, in table order. Made by cm_map_iter_init(); the
 * only change allowed while iterating is deleting the current entry with
 * cm_map_iter_del(), and then every other entry is still visited exactly once.
 */
struct cm_map_iter {
    size_t start; /* an empty slot: clusters never cross it */
    size_t done;  /* slots after start already examined */
    size_t cur;   /* slot of the entry returned last */
};

/*
 * Creates a map whose values are val_size bytes (0 is fine: a set), holding
 * at most max_entries entries (0: no cap), hashing keys with seed.
 * Returns 0, CM_EINVAL (val_size over CM_MAP_MAX_VAL) or CM_ENOMEM.
 */
int cm_map_create(struct cm_map **out, size_t val_size, size_t max_entries, uint64_t seed);

/* Frees every entry and the map; NULL is a no-op. */
void cm_map_destroy(struct cm_map *m);

/* Returns the value of key, or NULL when absent. key may be NULL when klen is 0. */
void *cm_map_get(const struct cm_map *m, const void *key, size_t klen);

/*
 * Finds key or inserts it with a zeroed value. Sets *val to the value and,
 * when created is not NULL, *created to whether the key was new.
 * Returns 0; CM_EFULL when the key is new and the map holds max_entries;
 * CM_E2BIG when klen does not fit in 32 bits; CM_ENOMEM. On error nothing
 * changes and *val is NULL.
 */
int cm_map_put(struct cm_map *m, const void *key, size_t klen, void **val, bool *created);

/* Deletes key. Returns 0 or CM_ENOTFOUND. */
int cm_map_del(struct cm_map *m, const void *key, size_t klen);

/*
 * Deletes the entry whose value is val (a live pointer from this map) without
 * comparing keys. Returns 0, or CM_ENOTFOUND when val is not in the table.
 */
int cm_map_del_val(struct cm_map *m, void *val);

/* The key of the entry whose value is val; the bytes live as long as the entry. */
struct cm_str cm_map_key_of(const struct cm_map *m, const void *val);

/* Starts an iteration. Any put or del (other than cm_map_iter_del) ends it. */
void cm_map_iter_init(const struct cm_map *m, struct cm_map_iter *it);

/*
 * Steps to the next entry: fills key (the map's copy) and val (either may be
 * NULL) and returns true, or returns false at the end.
 */
bool cm_map_next(struct cm_map *m, struct cm_map_iter *it, struct cm_str *key, void **val);

/* Deletes the entry cm_map_next() returned last; at most once per step. */
void cm_map_iter_del(struct cm_map *m, struct cm_map_iter *it);

/* Number of entries. */
size_t cm_map_count(const struct cm_map *m);

/*
 * Bytes held: the map, its slot table and every entry (key, value and an
 * estimate of the allocator's per-block overhead).
 */
size_t cm_map_bytes(const struct cm_map *m);

#endif
