/*
 * The attack-sequence detector's checkpoints (ct_sequence.c): its table of
 * finding types, then each credential's signals, checked when read back.
 */
#include "detect/ct_sequence_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

/*
 * A credential's signals read back from a file, against the type table read
 * before them (ud: the detector): a type number within it, a tactic that
 * indexes the tactic tables, times (first_ms becomes the finding's), a bool,
 * a region within the regions table, a bucket and the actor's names that are
 * C strings, an address. Slots emptied by the
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
        c->gone_raw_tactics >= 1u << CM_TACTIC_COUNT ||
        !cm_ckpt_cstr_ok(c->raw_bucket, sizeof(c->raw_bucket)) ||
        !cm_ckpt_time_set(c->raw_bucket_ms) || c->raw_bucket_tactic >= CM_TACTIC_COUNT ||
        !cm_ckpt_time_set(c->raw_ms) || c->gone_bucket_tactic >= CM_TACTIC_COUNT ||
        !cm_ckpt_cstr_ok(c->gone_bucket, sizeof(c->gone_bucket)) || c->gone_region > q->regions.n ||
        !cm_ckpt_time_set(c->actor.ms) || !cm_ckpt_cstr_ok(c->actor.name, sizeof(c->actor.name)) ||
        !cm_ckpt_cstr_ok(c->actor.uid, sizeof(c->actor.uid)) ||
        !cm_ckpt_cstr_ok(c->actor.type, sizeof(c->actor.type)) ||
        !cm_ckpt_cstr_ok(c->actor.account, sizeof(c->actor.account)) ||
        !cm_ckpt_time_set(c->actor.session_ms) || c->actor.session_mfa < -1 ||
        c->actor.session_mfa > 1 || !cm_ckpt_cstr_ok(c->actor.issuer, sizeof(c->actor.issuer))) {
        return false;
    }
    for (size_t i = 0; i < SLOTS; i++) {
        const struct signal *s = &c->sig[i];

        /* A finding's signal in a finding's slot, raw activity's in a raw one's. */
        if ((s->type != 0 && (i < SIGNALS) != (s->source == SIG_FINDING)) || s->type > q->types.n ||
            s->region > q->regions.n || s->tactic >= CM_TACTIC_COUNT || s->severity10 > 100 ||
            !cm_ckpt_time_set(s->first_ms) || !cm_ckpt_time_set(s->last_ms) ||
            !cm_ckpt_time_set(s->bucket_ms) || !cm_ckpt_bool_ok(&s->s3_data) ||
            !cm_ckpt_ip_ok(&s->ip) || s->source >= SIG_SOURCES || !cm_ckpt_bool_ok(&s->high_risk) ||
            !cm_ckpt_cstr_ok(s->bucket, sizeof(s->bucket))) {
            return false;
        }
    }
    return true;
}

static void cred_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct cred *c = val;

    for (size_t i = 0; i < SLOTS; i++) {
        if (c->sig[i].type != 0) {
            fn(fud, &c->sig[i].src);
        }
    }
}

/* Writes names table t: u32 count, then each name. */
static void save_names(struct cm_ckpt_w *w, const struct names *t)
{
    cm_ckpt_put_u32(w, t->n);
    for (uint32_t i = 0; i < t->n; i++) {
        cm_ckpt_put_str(w, t->v[i], strlen(t->v[i]));
    }
}

/* The type table, the region table, the signals, then the raw activity (version 9; version
 * 10: raw signals in slots of their own). */
int cm_ct_seq_save(const void *state, struct cm_ckpt_w *w)
{
    const struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};
    struct cm_state_codec raw = {.check = cm_ct_seq_raw_ok, .ud = q, .refs = cm_ct_seq_raw_refs};
    int rc;

    save_names(w, &q->types);
    save_names(w, &q->regions);
    if ((rc = cm_state_save(q->creds, w, &codec)) != 0) {
        return rc;
    }
    return cm_state_save(q->raw, w, &raw);
}

/*
 * Reads names table t (empty) as save_names wrote it, names of at most max
 * characters, what (for the error) its kind. Returns 0 or a CM_E*.
 */
static int load_names(struct cm_ckpt_r *r, struct names *t, size_t max, const char *what)
{
    uint32_t n = cm_ckpt_get_u32(r);
    char msg[96];

    if (r->err == 0 && n > NAMES_MAX) {
        snprintf(msg, sizeof(msg), "attack sequences name too many %ss", what);
        return cm_ckpt_r_fail(r, CM_EINVAL, msg);
    }
    for (uint32_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str v = cm_ckpt_get_str(r, max);
        uint8_t num;
        int rc;

        if (r->err != 0) {
            break;
        }
        /* A name is a C string here, and one number per name keeps signals of a name one. */
        if (v.len == 0 || memchr(v.p, '\0', v.len) != NULL) {
            snprintf(msg, sizeof(msg), "a %s's name is empty or holds a NUL", what);
            return cm_ckpt_r_fail(r, CM_EINVAL, msg);
        }
        if ((rc = cm_ct_seq_number(t, v, max, &num)) != 0) {
            return cm_ckpt_r_fail(r, rc, "out of memory");
        }
        if (num != t->n) {
            snprintf(msg, sizeof(msg), "a %s is named twice", what);
            return cm_ckpt_r_fail(r, CM_EINVAL, msg);
        }
    }
    return r->err;
}

int cm_ct_seq_load(void *state, struct cm_ckpt_r *r)
{
    struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};
    struct cm_state_codec raw = {.check = cm_ct_seq_raw_ok, .ud = q, .refs = cm_ct_seq_raw_refs};
    int rc;

    if (q->types.n != 0 || q->regions.n != 0) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "attack sequences loaded twice");
    }
    if ((rc = load_names(r, &q->types, TYPE_LEN, "finding type")) != 0 ||
        (rc = load_names(r, &q->regions, REGION_LEN, "region")) != 0) {
        return rc;
    }
    if ((rc = cm_state_load(q->creds, r, &codec)) != 0) {
        return rc;
    }
    return cm_state_load(q->raw, r, &raw);
}
