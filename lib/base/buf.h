/*
 * Growable byte buffer with a hard cap. The buffer owns its memory; len bytes
 * are valid and a NUL is kept after them so the content can be used as a C
 * string. Appends that would pass max fail with CM_E2BIG and leave the buffer
 * unchanged (curl's dynbuf "toobig" rule).
 */
#ifndef CM_BASE_BUF_H
#define CM_BASE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct cm_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; 0 means SIZE_MAX/2 */
};

/* Initialises an empty buffer with cap max (0: unlimited). */
void cm_buf_init(struct cm_buf *b, size_t max);
/* Frees the memory; idempotent. */
void cm_buf_finish(struct cm_buf *b);
/* Sets len to 0 and keeps the memory. */
void cm_buf_reset(struct cm_buf *b);
/* Makes room for n more bytes. Returns 0, CM_ENOMEM or CM_E2BIG. */
int cm_buf_reserve(struct cm_buf *b, size_t n);
/* Appends. Each returns 0, CM_ENOMEM or CM_E2BIG. */
int cm_buf_append(struct cm_buf *b, const void *p, size_t n);
int cm_buf_puts(struct cm_buf *b, const char *s);
int cm_buf_printf(struct cm_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends an unsigned/signed decimal number. */
int cm_buf_put_u64(struct cm_buf *b, uint64_t v);
int cm_buf_put_i64(struct cm_buf *b, int64_t v);
/* The most bytes cm_dec_i64 writes: "-9223372036854775808". */
#define CM_DEC_I64_MAX 20
/* Writes v in decimal at o (CM_DEC_I64_MAX bytes at most, no NUL); returns the end. */
char *cm_dec_i64(char *o, int64_t v);
/* Appends one byte; inline because serialisers call it for every comma and quote. */
static inline int cm_buf_putc(struct cm_buf *b, char c)
{
    /* The fast path must honour max too: cap is often above it. */
    if (b->len + 1 < b->cap && b->len < b->max) {
        b->p[b->len++] = c;
        b->p[b->len] = '\0';
        return 0;
    }
    return cm_buf_append(b, &c, 1);
}

/* Detaches the memory: returns owned (free with cm_free) and resets b. */
char *cm_buf_take(struct cm_buf *b, size_t *len);

#endif
