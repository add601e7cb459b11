/*
 * Out-of-line allocation helpers and, in torture builds, failure injection.
 * The torture counter is the one deliberate mutable file-scope variable in
 * lib/: it exists only in test builds compiled with -DCM_ALLOC_TORTURE.
 */
#include "base/alloc.h"

#include "base/err.h"

#include <stdint.h>
#include <string.h>

#ifdef CM_ALLOC_TORTURE
static long fail_countdown = -1;

void cm_alloc_fail_after(long n)
{
    fail_countdown = n;
}

static int should_fail(void)
{
    if (fail_countdown < 0) {
        return 0;
    }
    if (fail_countdown == 0) {
        return 1;
    }
    fail_countdown--;
    return 0;
}

void *cm_malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *cm_calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *cm_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}
#endif

char *cm_strndup(const char *s, size_t n)
{
    char *r = cm_malloc(n + 1);

    if (r == NULL) {
        return NULL;
    }
    if (n) {
        memcpy(r, s, n);
    }
    r[n] = '\0';
    return r;
}

int cm_grow(void **arr, size_t *cap, size_t need, size_t elem, size_t first)
{
    size_t ncap;
    void *p;

    if (need <= *cap) {
        return CM_OK;
    }
    ncap = *cap ? *cap * 2 : first;
    if (ncap < need) {
        ncap = need;
    }
    if (elem == 0 || ncap > SIZE_MAX / elem) {
        return CM_ENOMEM;
    }
    p = cm_realloc(*arr, ncap * elem);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    *arr = p;
    *cap = ncap;
    return CM_OK;
}
