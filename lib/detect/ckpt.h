/*
 * Checkpoints of detector state (DESIGN.md §5: "State (baselines, windows)
 * checkpoints to disk so a restart does not forget what was learned").
 *
 * A writer appends to a memory buffer and a reader takes from one; src/
 * does the file I/O (src/core/statefile.c). Numbers are little-endian and
 * fixed-width. Errors are sticky: after the first, puts do nothing and gets
 * return zeros, so a codec checks once at its end (cm_ckpt_w_err,
 * cm_ckpt_r_err). A reader's error names the byte offset and the reason.
 *
 * Evidence references (struct cm_src_ref) name an input by its index in the
 * run's input table, which the next run numbers differently: a codec passes
 * every reference it writes or reads through cm_ckpt_put_ref and
 * cm_ckpt_fix_ref, and the caller's hooks renumber them.
 */
#ifndef CM_DETECT_CKPT_H
#define CM_DETECT_CKPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "event/event.h"

struct cm_ckpt_w {
    struct cm_buf buf;
    int err; /* first error, 0 while none */
    /* Renumbers an evidence reference as it is written (NULL: kept); 0 or CM_E*. */
    int (*ref)(void *ud, struct cm_src_ref *r);
    void *ref_ud;
};

struct cm_ckpt_r {
    const unsigned char *p;
    size_t len, off;
    int err;        /* first error, 0 while none */
    size_t err_off; /* where it was met */
    char why[96];   /* what was wrong there */
    /* Renumbers an evidence reference as it is read (NULL: kept); 0 or CM_E*. */
    int (*ref)(void *ud, struct cm_src_ref *r);
    void *ref_ud;
};

/*
 * Times (ms) read from a file that detectors do arithmetic on. A set time is
 * within +-2^53 ms (285,000 years), so sums and differences of two set times,
 * or of one and a window, never overflow: cm_ckpt_time_set. A field that may
 * also hold INT64_MIN for "none" (and whose code tests for it before any
 * arithmetic, as it must for values it made itself): cm_ckpt_time_ok.
 * Codecs check every time field of a value with one of the two.
 */
#define CM_CKPT_TIME_MAX ((int64_t)1 << 53)
static inline bool cm_ckpt_time_set(int64_t t)
{
    return t >= -CM_CKPT_TIME_MAX && t <= CM_CKPT_TIME_MAX;
}
static inline bool cm_ckpt_time_ok(int64_t t)
{
    return t == INT64_MIN || cm_ckpt_time_set(t);
}

/*
 * Whether the byte of a bool read from a file is 0 or 1: loading a bool that
 * holds anything else is undefined behaviour, so a codec looks at its byte.
 */
static inline bool cm_ckpt_bool_ok(const bool *b)
{
    unsigned char c;

    _Static_assert(sizeof(bool) == 1, "a bool is one byte");
    memcpy(&c, b, 1);
    return c <= 1;
}

/* Whether s[0..cap) holds its NUL: code reads such arrays as C strings. */
static inline bool cm_ckpt_cstr_ok(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* Whether ip's family is one this build makes (none, IPv4, IPv6). */
static inline bool cm_ckpt_ip_ok(const struct cm_ip *ip)
{
    return ip->family == CM_IP_NONE || ip->family == CM_IP_V4 || ip->family == CM_IP_V6;
}

/*
 * The codec check (struct cm_state_codec, detect/state.h) of a table that is
 * a set of keys: each value one byte the detector never writes, so zero.
 */
static inline bool cm_ckpt_unit_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud, (void)key, (void)klen;
    return *(const unsigned char *)val == 0;
}

/* A writer over an empty buffer capped at max bytes (0: no cap). */
void cm_ckpt_w_init(struct cm_ckpt_w *w, size_t max);
void cm_ckpt_w_finish(struct cm_ckpt_w *w);
static inline int cm_ckpt_w_err(const struct cm_ckpt_w *w)
{
    return w->err;
}

void cm_ckpt_put_u8(struct cm_ckpt_w *w, uint8_t v);
void cm_ckpt_put_u32(struct cm_ckpt_w *w, uint32_t v);
void cm_ckpt_put_u64(struct cm_ckpt_w *w, uint64_t v);
void cm_ckpt_put_i64(struct cm_ckpt_w *w, int64_t v);
void cm_ckpt_put_bytes(struct cm_ckpt_w *w, const void *p, size_t n);
/* A string: u32 length, then its bytes. */
void cm_ckpt_put_str(struct cm_ckpt_w *w, const char *p, size_t n);
/* Renumbers *r through the writer's hook (in place: pass a copy). */
void cm_ckpt_put_ref(struct cm_ckpt_w *w, struct cm_src_ref *r);
/* Starts a section: a u64 length patched by cm_ckpt_end. Returns its mark. */
size_t cm_ckpt_begin(struct cm_ckpt_w *w);
void cm_ckpt_end(struct cm_ckpt_w *w, size_t mark);
/* Records an error (the first one stays). */
void cm_ckpt_w_fail(struct cm_ckpt_w *w, int err);

/* A reader over p[0..len), borrowed. */
void cm_ckpt_r_init(struct cm_ckpt_r *r, const void *p, size_t len);
static inline int cm_ckpt_r_err(const struct cm_ckpt_r *r)
{
    return r->err;
}
/* Records an error at the current offset (the first one stays); returns it. */
int cm_ckpt_r_fail(struct cm_ckpt_r *r, int err, const char *why);

uint8_t cm_ckpt_get_u8(struct cm_ckpt_r *r);
uint32_t cm_ckpt_get_u32(struct cm_ckpt_r *r);
uint64_t cm_ckpt_get_u64(struct cm_ckpt_r *r);
int64_t cm_ckpt_get_i64(struct cm_ckpt_r *r);
/* Copies n bytes into dst; false (and an error) when fewer are left. */
bool cm_ckpt_get_bytes(struct cm_ckpt_r *r, void *dst, size_t n);
/* The next n bytes in place, or NULL (and an error) when fewer are left. */
const void *cm_ckpt_take(struct cm_ckpt_r *r, size_t n);
/* A string written by cm_ckpt_put_str, in place, at most max bytes; {NULL, 0} on error. */
struct cm_str cm_ckpt_get_str(struct cm_ckpt_r *r, size_t max);
/* Renumbers *ref through the reader's hook; false (and an error) when it refuses it. */
bool cm_ckpt_fix_ref(struct cm_ckpt_r *r, struct cm_src_ref *ref);
/* Reads a section's length; returns where it ends, or 0 (and an error) when it overruns. */
size_t cm_ckpt_section(struct cm_ckpt_r *r);
/* Checks the section ending at end was read whole; false (and an error) if not. */
bool cm_ckpt_section_done(struct cm_ckpt_r *r, size_t end);

#endif
