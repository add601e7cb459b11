/*
 * The CloudTrail anomaly models' profiles as builds before 2026-12-06 saved
 * them (ct.h, cm_ct_model_load_old): their contexts kept no network's
 * clients. Each value is written again in this build's layout, every kept
 * network given every kept client (the identity's places, as they were judged
 * then), and loaded as that.
 */
#include "detect/ct.h"

#include <stddef.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/state.h"

/* The size of a context before 2026-12-06: without its networks' clients. */
#define CTX_OLD_SIZE                                                                               \
    ((offsetof(struct cm_ct_context, net_clients) + _Alignof(struct cm_ct_context) - 1) /          \
     _Alignof(struct cm_ct_context) * _Alignof(struct cm_ct_context))
#define CTX_GROWN (sizeof(struct cm_ct_context) - CTX_OLD_SIZE)
_Static_assert(CTX_GROWN % _Alignof(struct cm_ct_context) == 0, "the values after it only move");

/*
 * Reads a table cm_state_save wrote of values ctx_off + CTX_OLD_SIZE + more
 * bytes long into s, whose values are CTX_GROWN longer: written again in the
 * new layout, then loaded as that.
 */
static int load_old_table(struct cm_state *s, struct cm_ckpt_r *r, const struct cm_state_codec *c,
                          size_t vsize, size_t ctx_off)
{
    struct cm_ckpt_w w;
    struct cm_ckpt_r nr;
    uint32_t old = cm_ckpt_get_u32(r);
    uint64_t count = cm_ckpt_get_u64(r);
    int64_t newest = cm_ckpt_get_i64(r);
    unsigned char *val;
    int rc;

    if (r->err != 0) {
        return r->err;
    }
    if (old + CTX_GROWN != vsize || vsize < ctx_off + sizeof(struct cm_ct_context)) {
        return cm_ckpt_r_fail(r, CM_EFORMAT, "a table's values have another size in this build");
    }
    if (count > (r->len - r->off) / (4 + 8 + 1 + (uint64_t)old)) {
        return cm_ckpt_r_fail(r, CM_ETRUNC,
                              "a table holds more entries than the file has room for");
    }
    if ((val = cm_malloc(vsize)) == NULL) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    cm_ckpt_w_init(&w, 0);
    cm_ckpt_put_u32(&w, (uint32_t)vsize);
    cm_ckpt_put_u64(&w, count);
    cm_ckpt_put_i64(&w, newest);
    for (uint64_t i = 0; i < count && r->err == 0 && w.err == 0; i++) {
        struct cm_str key = cm_ckpt_get_str(r, 65536);
        int64_t last = cm_ckpt_get_i64(r);
        uint8_t lc = cm_ckpt_get_u8(r);
        const unsigned char *bytes = cm_ckpt_take(r, old);
        struct cm_ct_context *ctx = (struct cm_ct_context *)(void *)(val + ctx_off);
        uint8_t kept = 0;

        if (r->err != 0) {
            break;
        }
        memset(val, 0, vsize);
        memcpy(val, bytes, ctx_off + CTX_OLD_SIZE);
        memcpy(val + ctx_off + sizeof(*ctx), bytes + ctx_off + CTX_OLD_SIZE,
               old - ctx_off - CTX_OLD_SIZE);
        memset(ctx->net_clients, 0, sizeof(ctx->net_clients));
        for (size_t k = 0; k < CM_CT_CLIENTS; k++) {
            kept |= (uint8_t)((ctx->clients[k].s.h != 0) << k);
        }
        for (size_t k = 0; k < CM_CT_NETS; k++) {
            ctx->net_clients[k] = ctx->nets[k].h != 0 ? kept : 0;
        }
        cm_ckpt_put_str(&w, key.p, key.len);
        cm_ckpt_put_i64(&w, last);
        cm_ckpt_put_u8(&w, lc);
        cm_ckpt_put_bytes(&w, val, vsize);
    }
    cm_free(val);
    if (r->err != 0 || (rc = w.err) != 0) {
        rc = r->err != 0 ? r->err : cm_ckpt_r_fail(r, w.err, "out of memory");
        cm_ckpt_w_finish(&w);
        return rc;
    }
    cm_ckpt_r_init(&nr, w.buf.p, w.buf.len);
    nr.ref = r->ref;
    nr.ref_ud = r->ref_ud;
    if ((rc = cm_state_load(s, &nr, c)) != 0) {
        rc = cm_ckpt_r_fail(r, rc, nr.why);
    }
    cm_ckpt_w_finish(&w);
    return rc;
}

int cm_ct_model_load_old(struct cm_ct_model *m, struct cm_ckpt_r *r, const struct cm_state_codec *c,
                         size_t vsize, size_t ctx_off)
{
    uint64_t seed = cm_ckpt_get_u64(r);
    int rc;

    if (r->err != 0) {
        return r->err;
    }
    m->seed = seed;
    if ((rc = load_old_table(m->ids, r, c, vsize, ctx_off)) != 0) {
        return rc;
    }
    return load_old_table(m->young, r, c, vsize, ctx_off);
}
