/*
 * What the CloudTrail anomaly models (ct_anomaly.c for management calls,
 * ct_s3_anomaly.c for S3 data events) remember of an identity and say in
 * their findings (ct.h, "ct_profile.c"): who the identity is, where and with
 * what it calls from (its context: networks and clients, each with when it
 * was first and last seen; ct_context.c), which things it has done (a set of hashes), its
 * latest anomalous calls, and the additionalInfo GuardDuty's anomaly
 * findings carry. docs/detectors/cloudtrail-anomaly.md gives the reasoning.
 */
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/state.h"

/* Profiles a model keeps, and how long one lives unused. */
#define IDENTITIES (16u * 1024)
#define TTL_MS     (90LL * 24 * 3600 * 1000)
#define KEY_MAX    512u

bool cm_ct_own_call(const struct cm_ct *ct)
{
    return ct->source_ip.family != CM_IP_NONE && ct->uid.type != CM_UID_AWSSERVICE &&
           !(cm_str_present(ct->uid.invoked_by) && ct->uid.invoked_by.len > 0) &&
           ct->event_name.len > 0;
}

size_t cm_ct_identity_key(const struct cm_event *ev, char *out, size_t cap)
{
    const struct cm_ct_identity *u = &ev->u.ct.uid;
    struct cm_str who = u->principal_id;
    size_t n;

    if (u->type == CM_UID_ASSUMEDROLE && cm_str_present(u->issuer_arn) && u->issuer_arn.len) {
        who = u->issuer_arn;
    } else if (cm_str_present(u->arn) && u->arn.len) {
        who = u->arn;
    }
    if (!cm_str_present(who) || who.len == 0 || ev->account.len == 0 ||
        ev->account.len + 1 + who.len > cap) {
        return 0;
    }
    memcpy(out, ev->account.p, ev->account.len);
    n = ev->account.len;
    out[n++] = '/';
    memcpy(out + n, who.p, who.len);
    return n + who.len;
}

size_t cm_ct_person_key(const struct cm_event *ev, char *out, size_t cap)
{
    static const char sso[] = ":role/aws-reserved/sso.amazonaws.com/";
    static const char tag[] = "/sso-user/"; /* no ARN nor principal id is "sso-user/..." */
    const struct cm_ct_identity *u = &ev->u.ct.uid;
    struct cm_str name;
    size_t n;

    /* The session's name is looked for only in an Identity Center role's session: most
     * calls are not one, and are left at the first compare. */
    if (u->type != CM_UID_ASSUMEDROLE || !cm_str_present(u->issuer_arn) ||
        cm_str_find(u->issuer_arn, cm_str_make(sso, sizeof(sso) - 1)) == (size_t)-1) {
        return 0;
    }
    name = cm_ct_session_name(u);
    if (name.len == 0 || ev->account.len == 0 ||
        ev->account.len + sizeof(tag) - 1 + name.len > cap) {
        return 0;
    }
    memcpy(out, ev->account.p, ev->account.len);
    n = ev->account.len;
    memcpy(out + n, tag, sizeof(tag) - 1);
    n += sizeof(tag) - 1;
    memcpy(out + n, name.p, name.len);
    return n + name.len;
}

/*
 * The sets' entries: the value's hash above, the day it was last used (UTC
 * days since 1970, modulo 256) in the low byte. A day that is the stamp's
 * 1..SET_AHEAD_DAYS days later moves the stamp on; a "later" day beyond
 * that is an event older than the stamp (a late file), which leaves it.
 */
#define SET_DAY_MASK   0xffu
#define SET_AHEAD_DAYS 200u
#define SET_KEY(v)     (((v) & ~SET_DAY_MASK) ? ((v) & ~SET_DAY_MASK) : 0x100u)
#define SET_MAX_CAP    1024u
#define SET_DAY_MS     (24LL * 3600 * 1000)

static uint32_t set_day(int64_t now_ms)
{
    int64_t day = now_ms / SET_DAY_MS - (now_ms % SET_DAY_MS < 0);

    return (uint32_t)day & SET_DAY_MASK;
}

/* Days from stamp to day, or 0 when day is not after it. */
static uint32_t set_age(uint32_t stamp, uint32_t day)
{
    uint32_t age = (day - stamp) & SET_DAY_MASK;

    return age <= SET_AHEAD_DAYS ? age : 0;
}

static void set_put(uint32_t *set, uint32_t cap, uint32_t e)
{
    uint32_t i = (e >> 8) & (cap - 1);

    while (set[i] != 0) {
        i = (i + 1) & (cap - 1);
    }
    set[i] = e;
}

/*
 * Makes room in a full set: drops the entries unused for CM_CT_SET_STALE_DAYS
 * or more, the longest unused first, until it is half full. Returns whether
 * any was dropped.
 */
static bool set_forget(uint32_t *set, uint32_t cap, uint32_t *n, uint32_t day)
{
    uint32_t keep[SET_MAX_CAP], nkeep = 0, hist[SET_DAY_MASK + 1] = {0};
    uint32_t drop = *n - cap / 2, stale = 0, cut = SET_DAY_MASK + 1, at_cut = 0;

    for (uint32_t i = 0; i < cap; i++) {
        if (set[i] != 0) {
            hist[set_age(set[i] & SET_DAY_MASK, day)]++;
        }
    }
    /* Oldest first: ages from the top down to the cut are dropped; at_cut of the cut's age. */
    for (uint32_t age = SET_DAY_MASK; age >= CM_CT_SET_STALE_DAYS && stale < drop; age--) {
        cut = age;
        at_cut = hist[age] < drop - stale ? hist[age] : drop - stale;
        stale += at_cut;
    }
    if (stale == 0) {
        return false;
    }
    for (uint32_t i = 0; i < cap; i++) {
        uint32_t age;

        if (set[i] == 0) {
            continue;
        }
        age = set_age(set[i] & SET_DAY_MASK, day);
        if (age > cut || (age == cut && at_cut > 0 && at_cut--)) {
            continue;
        }
        keep[nkeep++] = set[i];
    }
    memset(set, 0, cap * sizeof(*set));
    for (uint32_t i = 0; i < nkeep; i++) {
        set_put(set, cap, keep[i]);
    }
    *n = nkeep;
    return true;
}

bool cm_ct_set_add(uint32_t *set, uint32_t cap, uint32_t *n, uint32_t v, int64_t now_ms)
{
    uint32_t key = SET_KEY(v), day = set_day(now_ms), i = (key >> 8) & (cap - 1);

    for (;;) {
        if ((set[i] & ~SET_DAY_MASK) == key) {
            if (set_age(set[i] & SET_DAY_MASK, day) > 0) {
                set[i] = key | day;
            }
            return false;
        }
        if (set[i] == 0) {
            break;
        }
        i = (i + 1) & (cap - 1);
    }
    if (*n >= cap / 4 * 3 && (cap > SET_MAX_CAP || !set_forget(set, cap, n, day))) {
        return false;
    }
    set_put(set, cap, key | day);
    (*n)++;
    return true;
}

/* ---- the models' common part ---------------------------------------------------------- */

int cm_ct_model_init(struct cm_ct_model *m, const struct cm_detect_opts *opts, size_t val_size)
{
    const struct cm_detect_config *cfg = opts ? opts->config : NULL;
    struct cm_state_opts so = {
        .val_size = val_size,
        .max_entries = IDENTITIES,
        .ttl_ms = TTL_MS,
        .seed = opts ? opts->seed : 0,
    };
    int rc;

    memset(m, 0, sizeof(*m));
    m->cfg = cfg;
    m->seed = so.seed;
    m->learn_ms =
        cfg && cfg->ct.anomaly_learn_ms > 0 ? cfg->ct.anomaly_learn_ms : CM_CT_ANOMALY_LEARN_MS;
    m->window_ms =
        cfg && cfg->ct.anomaly_window_ms > 0 ? cfg->ct.anomaly_window_ms : CM_CT_ANOMALY_WINDOW_MS;
    cm_buf_init(&m->info, 0);
    if ((rc = cm_state_create(&m->ids, &so)) != 0) {
        return rc;
    }
    so.seed ^= 0x796f756e67ULL;
    return cm_state_create(&m->young, &so);
}

void cm_ct_model_finish(struct cm_ct_model *m)
{
    cm_state_destroy(m->ids);
    cm_state_destroy(m->young);
    cm_buf_finish(&m->info);
}

int cm_ct_model_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct cm_ct_model *m = state;

    (void)sink;
    cm_state_expire(m->ids, watermark_ms, NULL, NULL);
    cm_state_expire(m->young, watermark_ms, NULL, NULL);
    return 0;
}

void cm_ct_model_stats(const void *state, struct cm_state_stats *sum)
{
    const struct cm_ct_model *m = state;

    cm_state_stats_add(sum, m->ids);
    cm_state_stats_add(sum, m->young);
}

void *cm_ct_model_profile(struct cm_ct_model *m, const struct cm_event *ev, bool *established,
                          int *rc)
{
    char key[KEY_MAX];

    return cm_ct_model_profile_key(m, ev, key, cm_ct_identity_key(ev, key, sizeof(key)),
                                   established, rc);
}

void *cm_ct_model_profile_key(struct cm_ct_model *m, const struct cm_event *ev, const char *key,
                              size_t klen, bool *established, int *rc)
{
    int64_t *first;
    bool created;

    *rc = 0;
    if (klen == 0) {
        return NULL;
    }
    if ((first = cm_state_touch_found(m->ids, key, klen, ev->time_ms)) != NULL) {
        if (ev->time_ms < *first) {
            *first = ev->time_ms;
        }
        *established = *first <= ev->time_ms - m->learn_ms;
        return first;
    }
    if ((first = cm_state_touch(m->young, key, klen, ev->time_ms, &created)) == NULL) {
        *rc = CM_ENOMEM;
        return NULL;
    }
    if (created || ev->time_ms < *first) {
        *first = ev->time_ms;
    }
    *established = *first <= ev->time_ms - m->learn_ms;
    if (*established) {
        /* Learned: into the learned table, where only learned profiles evict it. */
        if ((first = cm_state_move(m->ids, m->young, key, klen, ev->time_ms)) == NULL) {
            *rc = CM_ENOMEM;
            return NULL;
        }
    }
    return first;
}

void *cm_ct_model_find(const struct cm_ct_model *m, const char *key, size_t klen)
{
    void *p;

    if (klen == 0) {
        return NULL;
    }
    if ((p = cm_state_get(m->ids, key, klen)) != NULL) {
        return p;
    }
    return cm_state_get(m->young, key, klen);
}

int cm_ct_model_save(const struct cm_ct_model *m, struct cm_ckpt_w *w,
                     const struct cm_state_codec *c)
{
    int rc;

    cm_ckpt_put_u64(w, m->seed);
    if ((rc = cm_state_save(m->ids, w, c)) != 0) {
        return rc;
    }
    return cm_state_save(m->young, w, c);
}

int cm_ct_model_load(struct cm_ct_model *m, struct cm_ckpt_r *r, const struct cm_state_codec *c)
{
    uint64_t seed = cm_ckpt_get_u64(r);
    int rc;

    if (r->err != 0) {
        return r->err;
    }
    /*
     * The profiles' API, network and client hashes were made with the saved
     * seed: hashing with another would make every call look new.
     */
    m->seed = seed;
    if ((rc = cm_state_load(m->ids, r, c)) != 0) {
        return rc;
    }
    return cm_state_load(m->young, r, c);
}

void cm_ct_calls_cite(struct cm_detection *d, const struct cm_ct_call *const *calls, size_t n)
{
    for (size_t i = 0; i < n && d->nevidence < CM_DETECTION_MAX_EVIDENCE; i++) {
        d->evidence[d->nevidence++] = calls[i]->src;
    }
}

/* ---- anomalous calls ----------------------------------------------------------------- */

void cm_ct_calls_add(struct cm_ct_calls *r, const struct cm_event *ev, uint8_t kind)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_call *c = &r->v[r->next];
    struct cm_str svc = cm_ct_service(ct->event_source);

    memset(c, 0, sizeof(*c));
    c->time_ms = ev->time_ms;
    c->kind = kind;
    snprintf(c->svc, sizeof(c->svc), "%.*s", (int)svc.len, svc.p);
    snprintf(c->name, sizeof(c->name), "%.*s", (int)ct->event_name.len, ct->event_name.p);
    if (cm_ct_ok(ct)) {
        snprintf(c->outcome, sizeof(c->outcome), "success");
    } else {
        snprintf(c->outcome, sizeof(c->outcome), "%.*s", (int)ct->error_code.len, ct->error_code.p);
    }
    c->src = ev->src;
    r->next = (r->next + 1) % CM_CT_RECENT;
}

size_t cm_ct_calls_window(const struct cm_ct_calls *r, int64_t now_ms, int64_t window_ms,
                          const struct cm_ct_call **out)
{
    size_t n = 0;

    for (uint32_t k = 0; k < CM_CT_RECENT; k++) {
        const struct cm_ct_call *c = &r->v[(r->next + k) % CM_CT_RECENT];

        if (c->time_ms != 0 && c->time_ms > now_ms - window_ms && c->time_ms <= now_ms) {
            out[n++] = c;
        }
    }
    return n;
}

/* ---- checks of what a checkpoint holds ------------------------------------------------ */

bool cm_ct_set_ok(const uint32_t *set, uint32_t cap, uint32_t n)
{
    uint32_t used = 0;

    /* cm_ct_set_add probes until it meets v or an empty slot: one must be left. */
    if (n > cap / 4 * 3) {
        return false;
    }
    for (uint32_t i = 0; i < cap; i++) {
        if (set[i] != 0 && (set[i] & ~SET_DAY_MASK) == 0) {
            return false; /* a stamp without a value */
        }
        used += set[i] != 0;
    }
    return used == n;
}

bool cm_ct_context_ok(const struct cm_ct_context *c)
{
    uint8_t kept = 0;

    for (size_t i = 0; i < CM_CT_CLIENTS; i++) {
        if (!cm_ckpt_cstr_ok(c->clients[i].name, sizeof(c->clients[i].name))) {
            return false;
        }
        kept |= (uint8_t)((c->clients[i].s.h != 0) << i);
    }
    /* A network's clients are kept ones; an empty slot has none. */
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if ((c->net_clients[i] & ~kept) != 0 || (c->nets[i].h == 0 && c->net_clients[i] != 0)) {
            return false;
        }
    }
    return cm_ckpt_ip_ok(&c->last_ip) && cm_ckpt_cstr_ok(c->last_name, sizeof(c->last_name));
}

bool cm_ct_novelty_ok(const struct cm_ct_novelty *nv)
{
    return cm_ckpt_cstr_ok(nv->client, sizeof(nv->client)) && cm_ckpt_bool_ok(&nv->net_new) &&
           cm_ckpt_bool_ok(&nv->client_new);
}

bool cm_ct_calls_ok(const struct cm_ct_calls *r, unsigned nkinds)
{
    if (r->next >= CM_CT_RECENT) {
        return false;
    }
    /* Empty slots too: they are zeros, and every string of a kept call is cut to fit. */
    for (size_t i = 0; i < CM_CT_RECENT; i++) {
        const struct cm_ct_call *c = &r->v[i];

        if (c->kind >= nkinds || !cm_ckpt_cstr_ok(c->svc, sizeof(c->svc)) ||
            !cm_ckpt_cstr_ok(c->name, sizeof(c->name)) ||
            !cm_ckpt_cstr_ok(c->outcome, sizeof(c->outcome))) {
            return false;
        }
    }
    return true;
}

void cm_ct_calls_refs(struct cm_ct_calls *r, void (*fn)(void *fud, struct cm_src_ref *ref),
                      void *fud)
{
    for (size_t i = 0; i < CM_CT_RECENT; i++) {
        if (r->v[i].time_ms != 0) {
            fn(fud, &r->v[i].src);
        }
    }
}
