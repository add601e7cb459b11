/*
 * The attack-sequence detector's checkpoints (ct_sequence.c): its table of
 * finding types, then each credential's signals, checked when read back.
 */
#include "detect/ct_sequence_impl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

/*
 * A credential's signals read back from a file, against the type table read
 * before them (ud: the detector): a type number within it, a tactic that
 * indexes the tactic tables, times (first_ms becomes the finding's), a bool,
 * a bucket, a region and the actor's names that are C strings, an address. Slots emptied by the
 * window keep their other fields, so every slot is checked.
 */
static bool cred_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct sequence *q = ud;
    const struct cred *c = val;

    (void)key, (void)klen;
    for (size_t i = 0; i < PENDING; i++) {
        if (!cm_ckpt_time_set(c->pend[i].ms)) {
            return false;
        }
    }
    if (!cm_ckpt_time_set(c->gone_first_ms) || !cm_ckpt_time_set(c->gone_last_ms) ||
        !cm_ckpt_time_set(c->gone_bucket_ms) || c->gone_tactics >= 1u << CM_TACTIC_COUNT ||
        c->gone_bucket_tactic >= CM_TACTIC_COUNT ||
        !cm_ckpt_cstr_ok(c->gone_bucket, sizeof(c->gone_bucket)) ||
        !cm_ckpt_cstr_ok(c->gone_region, sizeof(c->gone_region)) ||
        !cm_ckpt_time_set(c->actor.ms) || !cm_ckpt_cstr_ok(c->actor.name, sizeof(c->actor.name)) ||
        !cm_ckpt_cstr_ok(c->actor.uid, sizeof(c->actor.uid)) ||
        !cm_ckpt_cstr_ok(c->actor.type, sizeof(c->actor.type)) ||
        !cm_ckpt_cstr_ok(c->actor.account, sizeof(c->actor.account))) {
        return false;
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type > q->ntypes || s->tactic >= CM_TACTIC_COUNT || s->severity10 > 100 ||
            !cm_ckpt_time_set(s->first_ms) || !cm_ckpt_time_set(s->last_ms) ||
            !cm_ckpt_time_set(s->bucket_ms) || !cm_ckpt_bool_ok(&s->s3_data) ||
            !cm_ckpt_cstr_ok(s->region, sizeof(s->region)) || !cm_ckpt_ip_ok(&s->ip) ||
            !cm_ckpt_cstr_ok(s->bucket, sizeof(s->bucket))) {
            return false;
        }
    }
    return true;
}

static void cred_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct cred *c = val;

    for (size_t i = 0; i < SIGNALS; i++) {
        if (c->sig[i].type != 0) {
            fn(fud, &c->sig[i].src);
        }
    }
}

/* The type table (u32 count, then each name), then the signals. */
int cm_ct_seq_save(const void *state, struct cm_ckpt_w *w)
{
    const struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};

    cm_ckpt_put_u32(w, q->ntypes);
    for (uint32_t i = 0; i < q->ntypes; i++) {
        cm_ckpt_put_str(w, q->type_names[i], strlen(q->type_names[i]));
    }
    return cm_state_save(q->creds, w, &codec);
}

int cm_ct_seq_load(void *state, struct cm_ckpt_r *r)
{
    struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};
    uint32_t n = cm_ckpt_get_u32(r);

    if (r->err == 0 && n > TYPES_MAX - q->ntypes) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "attack sequences name too many finding types");
    }
    for (uint32_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str t = cm_ckpt_get_str(r, TYPE_LEN);

        if (r->err != 0) {
            break;
        }
        /* A name is a C string here, and one number per name keeps signals of a type one. */
        if (t.len == 0 || memchr(t.p, '\0', t.len) != NULL) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "a finding type's name is empty or holds a NUL");
        }
        for (uint32_t j = 0; j < q->ntypes; j++) {
            if (cm_str_eqc(t, q->type_names[j])) {
                return cm_ckpt_r_fail(r, CM_EINVAL, "a finding type is named twice");
            }
        }
        if ((q->type_names[q->ntypes] = cm_malloc(t.len + 1)) == NULL) {
            return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
        }
        memcpy(q->type_names[q->ntypes], t.p, t.len);
        q->type_names[q->ntypes++][t.len] = '\0';
    }
    if (r->err != 0) {
        return r->err;
    }
    return cm_state_load(q->creds, r, &codec);
}
