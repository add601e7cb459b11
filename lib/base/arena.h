/*
 * Bump allocator for per-record and per-batch memory. Allocations are never
 * freed one by one: cm_arena_reset() releases everything at once and keeps the
 * first chunk for reuse. Total memory is capped; past the cap allocations
 * return NULL and the caller reports CM_E2BIG.
 */
#ifndef CM_BASE_ARENA_H
#define CM_BASE_ARENA_H

#include <stddef.h>

struct cm_arena_chunk;

struct cm_arena {
    struct cm_arena_chunk *head;
    size_t chunk_size; /* default size of a new chunk */
    size_t used;       /* bytes held in chunks */
    size_t max;        /* cap on used; 0 means unlimited */
};

/* Initialises an empty arena (no allocation yet). */
void cm_arena_init(struct cm_arena *a, size_t chunk_size, size_t max);
/* Frees every chunk; idempotent. */
void cm_arena_finish(struct cm_arena *a);
/* Forgets all allocations; keeps one chunk. */
void cm_arena_reset(struct cm_arena *a);
/* Returns n bytes aligned to 16, or NULL when out of memory or over the cap. */
void *cm_arena_alloc(struct cm_arena *a, size_t n);
/* Copies n bytes (plus a NUL) into the arena. */
char *cm_arena_strndup(struct cm_arena *a, const char *s, size_t n);

#endif
