/*
 * The DNS reputation detector's checkpoints (dns_reputation.c): its tables
 * through cm_state with codecs that check every entry read back, and the
 * reading of the previous layout (version 2). No I/O.
 */
#include "detect/dns_rep_state.h"

#include <string.h>

#include "base/err.h"

/*
 * What the detector has learned is its four tables; the score tables'
 * index is const and info is scratch. Each check refuses the values the
 * detector could not have made: enum fields it compares (a name's or a
 * site's state), the askers' count that bounds the site's slots, and a
 * hit's type, which indexes type_name[] when it is reported again.
 * Accounts hold only a time, checked to be one (cm_ckpt_time_set).
 */
static bool name_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct name *n = val;

    (void)ud;
    (void)key;
    (void)klen;
    return n->state <= N_IGNORED;
}

static bool domain_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct domain *d = val;

    (void)ud;
    (void)key;
    (void)klen;
    /* asker() counts up to INST_SLOTS + 1, "more" */
    return d->ninst <= INST_SLOTS + 1 && d->state <= DS_KNOWN;
}

/* Whether the bytes at p (a bool read back from a file) are false or true. */
static bool bool_ok(const bool *p)
{
    uint8_t b;

    memcpy(&b, p, 1);
    return b <= 1;
}

static bool hit_check(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct hit *h = val;
    const struct cm_dns_rep_closeness *c = &h->near;

    (void)ud;
    (void)key;
    (void)klen;
    /* the type is set when the hit is made; the kept lengths bound the copies */
    return h->type >= RT_SUSPICIOUS && h->type <= RT_MALICIOUS &&
           (h->flags & ~(HF_NEW | HF_RARE | HF_NX | HF_CHECKED)) == 0 && h->inst_len <= INST_MAX &&
           cm_dns_kept_valid(&h->last) && bool_ok(&c->mining) && bool_ok(&c->other) &&
           (c->reasons & ~(unsigned)(CM_DNSR_LISTED_ANSWER | CM_DNSR_LISTED_CNAME)) == 0 &&
           memchr(c->what, '\0', sizeof(c->what)) != NULL;
}

/* The evidence reference of a hit's kept query (renumbered across runs). */
static void hit_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_dns_kept_refs(&((struct hit *)val)->last, fn, fud);
}

/* An account's learning start: a time the detector subtracts from event times. */
static bool account_check(const void *ud, const void *key, size_t klen, const void *val)
{
    (void)ud;
    (void)key;
    (void)klen;
    return cm_ckpt_time_set(((const struct account *)val)->first_ms);
}

static const struct cm_state_codec account_codec = {.check = account_check};
static const struct cm_state_codec name_codec = {.check = name_check};
static const struct cm_state_codec domain_codec = {.check = domain_check};
static const struct cm_state_codec hit_codec = {.check = hit_check, .refs = hit_refs};

int cm_dns_rep_save(const void *state, struct cm_ckpt_w *w)
{
    const struct dns_rep *r = state;
    int rc;

    if ((rc = cm_state_save(r->names, w, &name_codec)) != 0 ||
        (rc = cm_state_save(r->domains, w, &domain_codec)) != 0 ||
        (rc = cm_state_save(r->fresh, w, &domain_codec)) != 0 ||
        (rc = cm_state_save(r->accounts, w, &account_codec)) != 0) {
        return rc;
    }
    return cm_state_save(r->hits, w, &hit_codec);
}

int cm_dns_rep_load(void *state, struct cm_ckpt_r *rd)
{
    struct dns_rep *r = state;
    int rc;

    if ((rc = cm_state_load(r->names, rd, &name_codec)) != 0 ||
        (rc = cm_state_load(r->domains, rd, &domain_codec)) != 0 ||
        (rc = cm_state_load(r->fresh, rd, &domain_codec)) != 0 ||
        (rc = cm_state_load(r->accounts, rd, &account_codec)) != 0) {
        return rc;
    }
    return cm_state_load(r->hits, rd, &hit_codec);
}

/* A hit of version 2: the report window alone, the first 16 bytes of struct hit. */
struct hit_v2 {
    uint32_t first_s, reported_s, pending;
    uint8_t type, pad[3];
};

/*
 * Version 2's hit table, into r->hits: each pair's report window, no query
 * kept (what it counted before is reported with its next query an hour on,
 * as version 2 did). Read as cm_state_load reads a table (state.c).
 */
static int load_hits_v2(struct dns_rep *r, struct cm_ckpt_r *rd)
{
    uint32_t vsize = cm_ckpt_get_u32(rd);
    uint64_t count = cm_ckpt_get_u64(rd);

    (void)cm_ckpt_get_i64(rd);
    if (rd->err != 0) {
        return rd->err;
    }
    if (vsize != sizeof(struct hit_v2)) {
        return cm_ckpt_r_fail(rd, CM_EFORMAT, "a table's values have another size in this build");
    }
    for (uint64_t i = 0; i < count && rd->err == 0; i++) {
        struct cm_str key = cm_ckpt_get_str(rd, 64);
        int64_t last = cm_ckpt_get_i64(rd);
        struct hit_v2 old;
        struct hit *h;
        bool created;

        (void)cm_ckpt_get_u8(rd); /* the lag class: the touch below sets its own */
        if (!cm_ckpt_get_bytes(rd, &old, sizeof(old))) {
            break;
        }
        if (key.len != 16 || !cm_ckpt_time_set(last) || old.type < RT_SUSPICIOUS ||
            old.type > RT_MALICIOUS) {
            return cm_ckpt_r_fail(rd, CM_EINVAL, "a table entry holds values no detector makes");
        }
        if ((h = cm_state_touch(r->hits, key.p, key.len, last, &created)) == NULL) {
            return cm_ckpt_r_fail(rd, CM_ENOMEM, "out of memory");
        }
        if (!created) {
            return cm_ckpt_r_fail(rd, CM_EINVAL, "a table lists one key twice");
        }
        h->first_s = old.first_s;
        h->reported_s = old.reported_s;
        h->pending = old.pending;
        h->type = old.type;
        h->last.time_ms = INT64_MIN;
    }
    return rd->err;
}

/*
 * Version 2 (before 2026-12-05): the same tables, hits of 16 bytes. What
 * the detector learned of the environment (names, sites, accounts) is kept:
 * starting afresh would make every account learn for a day again and
 * forget the sites it asks for less than daily.
 */
int cm_dns_rep_load_old(void *state, struct cm_ckpt_r *rd, uint32_t version)
{
    struct dns_rep *r = state;
    int rc;

    (void)version; /* only DNS_REP_STATE_VERSION_OLD */
    if ((rc = cm_state_load(r->names, rd, &name_codec)) != 0 ||
        (rc = cm_state_load(r->domains, rd, &domain_codec)) != 0 ||
        (rc = cm_state_load(r->fresh, rd, &domain_codec)) != 0 ||
        (rc = cm_state_load(r->accounts, rd, &account_codec)) != 0) {
        return rc;
    }
    return load_hits_v2(r, rd);
}
