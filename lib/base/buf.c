/*
 * struct cm_buf: growable byte buffer with a cap. Growth doubles; the byte
 * after len is always NUL once anything was allocated.
 */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

void cm_buf_init(struct cm_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : SIZE_MAX / 2;
}

void cm_buf_finish(struct cm_buf *b)
{
    cm_free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void cm_buf_reset(struct cm_buf *b)
{
    b->len = 0;
    if (b->p) {
        b->p[0] = '\0';
    }
}

int cm_buf_reserve(struct cm_buf *b, size_t n)
{
    size_t need, ncap;
    char *np;

    if (n > b->max || b->len > b->max - n) {
        return CM_E2BIG;
    }
    need = b->len + n + 1;
    if (need <= b->cap) {
        return CM_OK;
    }
    ncap = b->cap ? b->cap : 64;
    while (ncap < need) {
        ncap *= 2;
    }
    np = cm_realloc(b->p, ncap);
    if (np == NULL) {
        return CM_ENOMEM;
    }
    b->p = np;
    b->cap = ncap;
    return CM_OK;
}

int cm_buf_append(struct cm_buf *b, const void *p, size_t n)
{
    int rc = cm_buf_reserve(b, n);

    if (rc != 0) {
        return rc;
    }
    if (n) {
        memcpy(b->p + b->len, p, n);
    }
    b->len += n;
    b->p[b->len] = '\0';
    return CM_OK;
}

int cm_buf_puts(struct cm_buf *b, const char *s)
{
    return cm_buf_append(b, s, strlen(s));
}

int cm_buf_printf(struct cm_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        return CM_EINVAL;
    }
    rc = cm_buf_reserve(b, (size_t)n);
    if (rc != 0) {
        return rc;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CM_OK;
}

/* "00".."99": two digits at a time. */
static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

/* Writes v in decimal, preceded by '-' when neg, ending at end; returns the start. */
static char *fmt_dec(char *end, uint64_t v, int neg)
{
    char *p = end;

    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;

        v /= 100;
        *--p = digits2[d + 1];
        *--p = digits2[d];
    }
    if (v >= 10) {
        *--p = digits2[v * 2 + 1];
        *--p = digits2[v * 2];
    } else {
        *--p = (char)('0' + v);
    }
    if (neg) {
        *--p = '-';
    }
    return p;
}

char *cm_dec_i64(char *o, int64_t v)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = fmt_dec(tmp + sizeof(tmp), mag, v < 0);
    size_t n = (size_t)(tmp + sizeof(tmp) - p);

    memcpy(o, p, n);
    return o + n;
}

int cm_buf_put_u64(struct cm_buf *b, uint64_t v)
{
    char tmp[24];
    char *p = fmt_dec(tmp + sizeof(tmp), v, 0);

    return cm_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

int cm_buf_put_i64(struct cm_buf *b, int64_t v)
{
    char tmp[24];
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    /* One append for sign and digits, so a cap failure leaves b unchanged. */
    char *p = fmt_dec(tmp + sizeof(tmp), mag, v < 0);

    return cm_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

char *cm_buf_take(struct cm_buf *b, size_t *len)
{
    char *p = b->p;

    if (len) {
        *len = b->len;
    }
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
