/*
 * struct cm_arena: a list of chunks, newest first; allocation bumps an offset
 * in the newest chunk and starts a new chunk when it does not fit.
 */
#include "base/arena.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

struct cm_arena_chunk {
    struct cm_arena_chunk *next;
    size_t size;
    size_t off;
    _Alignas(16) unsigned char data[];
};

void cm_arena_init(struct cm_arena *a, size_t chunk_size, size_t max)
{
    a->head = NULL;
    a->chunk_size = chunk_size ? chunk_size : 64 * 1024;
    a->used = 0;
    a->max = max;
}

void cm_arena_finish(struct cm_arena *a)
{
    struct cm_arena_chunk *c = a->head, *n;

    while (c) {
        n = c->next;
        cm_free(c);
        c = n;
    }
    a->head = NULL;
    a->used = 0;
}

void cm_arena_reset(struct cm_arena *a)
{
    struct cm_arena_chunk *c, *n;

    if (a->head == NULL) {
        return;
    }
    /* Keep the largest chunk (the last allocated is usually as large as any). */
    c = a->head->next;
    while (c) {
        n = c->next;
        a->used -= c->size;
        cm_free(c);
        c = n;
    }
    a->head->next = NULL;
    a->head->off = 0;
}

void *cm_arena_alloc(struct cm_arena *a, size_t n)
{
    struct cm_arena_chunk *c = a->head;
    size_t sz;
    void *p;

    /* Rounding up or adding the chunk header must not wrap size_t. */
    if (n > SIZE_MAX / 2) {
        return NULL;
    }
    n = (n + 15) & ~(size_t)15;
    if (n == 0) {
        n = 16;
    }
    if (c == NULL || c->size - c->off < n) {
        if (a->max && (n > a->max || a->used > a->max - n)) {
            return NULL;
        }
        sz = a->chunk_size;
        if (sz < n) {
            sz = n;
        }
        /* Near the cap, the last chunk gets only what the cap leaves. */
        if (a->max && sz > a->max - a->used) {
            sz = a->max - a->used;
        }
        c = cm_malloc(sizeof(*c) + sz);
        if (c == NULL) {
            return NULL;
        }
        c->size = sz;
        c->off = 0;
        c->next = a->head;
        a->head = c;
        a->used += sz;
    }
    p = c->data + c->off;
    c->off += n;
    return p;
}

char *cm_arena_strndup(struct cm_arena *a, const char *s, size_t n)
{
    char *p = n < SIZE_MAX ? cm_arena_alloc(a, n + 1) : NULL;

    if (p == NULL) {
        return NULL;
    }
    if (n) {
        memcpy(p, s, n);
    }
    p[n] = '\0';
    return p;
}
