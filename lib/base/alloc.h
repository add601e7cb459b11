/*
 * Allocation wrappers for lib/. Everything in libcoalmine allocates through
 * these, never through bare malloc/free, so that tests can make the Nth
 * allocation fail (curl's torture mode). Failure injection is compiled in only
 * with -DCM_ALLOC_TORTURE and is then driven by cm_alloc_fail_after(); in a
 * normal build these are thin inline calls to the C library.
 */
#ifndef CM_BASE_ALLOC_H
#define CM_BASE_ALLOC_H

#include <stddef.h>
#include <stdlib.h>

#ifdef CM_ALLOC_TORTURE
void *cm_malloc(size_t n);
void *cm_calloc(size_t n, size_t size);
void *cm_realloc(void *p, size_t n);
/* Makes the allocation after the next n ones fail; -1 disables. Test only. */
void cm_alloc_fail_after(long n);
#else
static inline void *cm_malloc(size_t n)
{
    return malloc(n ? n : 1);
}

static inline void *cm_calloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size ? size : 1);
}

static inline void *cm_realloc(void *p, size_t n)
{
    return realloc(p, n ? n : 1);
}
#endif

static inline void cm_free(void *p)
{
    free(p);
}

/*
 * Grows the array *arr (*cap elements of size elem) to hold at least need:
 * doubles, starting from first, and never less than need. Returns 0 or
 * CM_ENOMEM (overflow or allocation failure; *arr and *cap unchanged).
 */
int cm_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t first);

/* Duplicates n bytes as a NUL-terminated string; returns owned, free with cm_free. */
char *cm_strndup(const char *s, size_t n);

#endif
