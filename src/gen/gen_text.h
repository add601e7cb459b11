/*
 * Fast text output for the log generator: appends to a struct cm_buf with a
 * sticky error instead of a return code per call, so record writers read as
 * straight-line code and check once per file. The fast path is a memcpy into
 * spare capacity; the slow path grows the buffer through cm_buf_reserve. The
 * buffer keeps cm_buf's invariant (a NUL after len).
 *
 * The writer borrows the buffer. Strings passed to the *_js functions must
 * need no JSON escaping (the generator's own table text); anything else goes
 * through cm_gen_t_jesc.
 */
#ifndef CM_GEN_GEN_TEXT_H
#define CM_GEN_GEN_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"

struct cm_gen_text {
    struct cm_buf *b;
    int err;       /* first error (0 or CM_E*), sticky */
    int64_t day_s; /* start of the day cached in date[] (-1: none) */
    char date[12]; /* "YYYY-MM-DDT" of day_s */
};

/* Points t at b and clears its error and date cache. */
void cm_gen_t_init(struct cm_gen_text *t, struct cm_buf *b);

/* Slow path of cm_gen_t_putn: grows the buffer, records errors. */
void cm_gen_t_grow_put(struct cm_gen_text *t, const char *s, size_t n);

static inline void cm_gen_t_putn(struct cm_gen_text *t, const char *s, size_t n)
{
    struct cm_buf *b = t->b;

    if (b->cap - b->len > n) {
        memcpy(b->p + b->len, s, n);
        b->len += n;
        b->p[b->len] = '\0';
        return;
    }
    cm_gen_t_grow_put(t, s, n);
}

static inline void cm_gen_t_puts(struct cm_gen_text *t, const char *s)
{
    cm_gen_t_putn(t, s, strlen(s));
}

static inline void cm_gen_t_putc(struct cm_gen_text *t, char c)
{
    cm_gen_t_putn(t, &c, 1);
}

/* Appends v in decimal. */
void cm_gen_t_u64(struct cm_gen_text *t, uint64_t v);

/* Appends an IPv4 address given in host byte order as dotted quad. */
void cm_gen_t_ip4(struct cm_gen_text *t, uint32_t ip);

/* Appends "s" (quoted, not escaped: s must be JSON-safe). */
void cm_gen_t_js(struct cm_gen_text *t, const char *s);

/*
 * Appends key verbatim, then ":"value" -- key carries its own opening quote
 * and any separator, e.g. cm_gen_t_kv(t, ",\"region", "us-east-1") appends
 * ,"region":"us-east-1". Key and value must be JSON-safe.
 */
void cm_gen_t_kv(struct cm_gen_text *t, const char *key, const char *val);

/* Appends "s" with JSON escaping of quotes, backslashes and control bytes. */
void cm_gen_t_jesc(struct cm_gen_text *t, const char *s, size_t n);

/* Appends "YYYY-MM-DDTHH:MM:SSZ" for Unix seconds s (date part cached). */
void cm_gen_t_iso(struct cm_gen_text *t, int64_t s);

/* Appends the compact key stamp "YYYYMMDDTHHMMZ" for Unix seconds s. */
void cm_gen_t_stamp(struct cm_gen_text *t, int64_t s);

/* Appends "YYYY/MM/DD" (the S3 date folders) for Unix seconds s. */
void cm_gen_t_date_path(struct cm_gen_text *t, int64_t s);

#endif
