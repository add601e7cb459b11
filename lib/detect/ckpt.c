/*
 * Checkpoint writer and reader: little-endian fixed-width numbers, strings
 * and length-prefixed sections over a memory buffer, with sticky errors.
 */
#include "detect/ckpt.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

void cm_ckpt_w_init(struct cm_ckpt_w *w, size_t max)
{
    memset(w, 0, sizeof(*w));
    cm_buf_init(&w->buf, max);
}

void cm_ckpt_w_finish(struct cm_ckpt_w *w)
{
    cm_buf_finish(&w->buf);
}

void cm_ckpt_w_fail(struct cm_ckpt_w *w, int err)
{
    if (w->err == 0) {
        w->err = err;
    }
}

void cm_ckpt_put_bytes(struct cm_ckpt_w *w, const void *p, size_t n)
{
    int rc;

    if (w->err != 0 || n == 0) {
        return;
    }
    if ((rc = cm_buf_append(&w->buf, p, n)) != 0) {
        cm_ckpt_w_fail(w, rc);
    }
}

static void put_le(struct cm_ckpt_w *w, uint64_t v, unsigned n)
{
    unsigned char b[8];

    for (unsigned i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
    cm_ckpt_put_bytes(w, b, n);
}

void cm_ckpt_put_u8(struct cm_ckpt_w *w, uint8_t v)
{
    put_le(w, v, 1);
}

void cm_ckpt_put_u32(struct cm_ckpt_w *w, uint32_t v)
{
    put_le(w, v, 4);
}

void cm_ckpt_put_u64(struct cm_ckpt_w *w, uint64_t v)
{
    put_le(w, v, 8);
}

void cm_ckpt_put_i64(struct cm_ckpt_w *w, int64_t v)
{
    put_le(w, (uint64_t)v, 8);
}

void cm_ckpt_put_str(struct cm_ckpt_w *w, const char *p, size_t n)
{
    if (n > UINT32_MAX) {
        cm_ckpt_w_fail(w, CM_E2BIG);
        return;
    }
    cm_ckpt_put_u32(w, (uint32_t)n);
    cm_ckpt_put_bytes(w, p, n);
}

void cm_ckpt_put_ref(struct cm_ckpt_w *w, struct cm_src_ref *r)
{
    int rc;

    if (w->err == 0 && w->ref != NULL && (rc = w->ref(w->ref_ud, r)) != 0) {
        cm_ckpt_w_fail(w, rc);
    }
}

size_t cm_ckpt_begin(struct cm_ckpt_w *w)
{
    size_t mark = w->buf.len;

    cm_ckpt_put_u64(w, 0);
    return mark;
}

void cm_ckpt_end(struct cm_ckpt_w *w, size_t mark)
{
    uint64_t n;

    if (w->err != 0 || mark + 8 > w->buf.len) {
        cm_ckpt_w_fail(w, CM_EINVAL);
        return;
    }
    n = (uint64_t)(w->buf.len - mark - 8);
    for (unsigned i = 0; i < 8; i++) {
        w->buf.p[mark + i] = (char)(unsigned char)(n >> (8 * i));
    }
}

void cm_ckpt_r_init(struct cm_ckpt_r *r, const void *p, size_t len)
{
    memset(r, 0, sizeof(*r));
    r->p = p;
    r->len = len;
}

int cm_ckpt_r_fail(struct cm_ckpt_r *r, int err, const char *why)
{
    if (r->err == 0) {
        r->err = err;
        r->err_off = r->off;
        snprintf(r->why, sizeof(r->why), "%s", why);
    }
    return r->err;
}

const void *cm_ckpt_take(struct cm_ckpt_r *r, size_t n)
{
    const void *p;

    if (r->err != 0) {
        return NULL;
    }
    if (n > r->len - r->off) {
        cm_ckpt_r_fail(r, CM_ETRUNC, "the file ends inside a record");
        return NULL;
    }
    p = r->p + r->off;
    r->off += n;
    return p;
}

bool cm_ckpt_get_bytes(struct cm_ckpt_r *r, void *dst, size_t n)
{
    const void *p = cm_ckpt_take(r, n);

    if (p == NULL) {
        return n == 0 && r->err == 0;
    }
    if (n > 0) {
        memcpy(dst, p, n);
    }
    return true;
}

static uint64_t get_le(struct cm_ckpt_r *r, unsigned n)
{
    const unsigned char *b = cm_ckpt_take(r, n);
    uint64_t v = 0;

    for (unsigned i = 0; b != NULL && i < n; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

uint8_t cm_ckpt_get_u8(struct cm_ckpt_r *r)
{
    return (uint8_t)get_le(r, 1);
}

uint32_t cm_ckpt_get_u32(struct cm_ckpt_r *r)
{
    return (uint32_t)get_le(r, 4);
}

uint64_t cm_ckpt_get_u64(struct cm_ckpt_r *r)
{
    return get_le(r, 8);
}

int64_t cm_ckpt_get_i64(struct cm_ckpt_r *r)
{
    return (int64_t)get_le(r, 8);
}

struct cm_str cm_ckpt_get_str(struct cm_ckpt_r *r, size_t max)
{
    uint32_t n = cm_ckpt_get_u32(r);
    const char *p;

    if (r->err == 0 && n > max) {
        cm_ckpt_r_fail(r, CM_E2BIG, "a name is longer than any this build writes");
    }
    p = cm_ckpt_take(r, n);
    return p == NULL ? cm_str_make(NULL, 0) : cm_str_make(p, n);
}

bool cm_ckpt_fix_ref(struct cm_ckpt_r *r, struct cm_src_ref *ref)
{
    if (r->err != 0) {
        return false;
    }
    if (r->ref != NULL && r->ref(r->ref_ud, ref) != 0) {
        cm_ckpt_r_fail(r, CM_EINVAL, "an evidence record names an input the file does not list");
        return false;
    }
    return true;
}

size_t cm_ckpt_section(struct cm_ckpt_r *r)
{
    uint64_t n = cm_ckpt_get_u64(r);

    if (r->err != 0) {
        return 0;
    }
    if (n > r->len - r->off) {
        cm_ckpt_r_fail(r, CM_ETRUNC, "a section runs past the end of the file");
        return 0;
    }
    return r->off + (size_t)n;
}

bool cm_ckpt_section_done(struct cm_ckpt_r *r, size_t end)
{
    if (r->err != 0) {
        return false;
    }
    if (r->off != end) {
        cm_ckpt_r_fail(r, CM_EINVAL, "a section's length does not match what it holds");
        return false;
    }
    return true;
}
