/*
 * The S3 API anomaly model: Discovery:S3/AnomalousBehavior,
 * Exfiltration:S3/AnomalousBehavior and Impact:S3/AnomalousBehavior.Delete,
 * .Permission and .Write (spec §1.3.4, §8.1), from S3 data events.
 *
 * Every S3 data event an identity makes itself (cm_ct_own_call) on a bucket
 * is learned into its S3 profile (ct_profile.c: the role for every session
 * of a role; a permission set's session is judged on its user's own,
 * cm_ct_person_key): the context it calls S3 from (networks, clients) and which
 * kinds of access (list, read, delete, permission change, write) it has
 * made to which bucket. One a service makes with its credentials (S3
 * replicating, Athena querying) teaches nothing but is the identity's use:
 * the profile's learning day starts with it.
 *
 * Once the identity has made S3 calls for learn_ms (24 h), an access of a
 * kind it never made to that bucket, from a network or with a client new
 * to it, makes the (bucket, kind) pair anomalous for window_ms (10 min):
 * every call on an anomalous pair of a kind counts, and when a kind's count
 * within the window reaches its volume, the kind's type fires once for the
 * window, on the bucket of the call that reached it:
 *
 *   Discovery (List*, Get*Acl/Tagging..., Head*)   5 calls    Low
 *   Exfiltration (GetObject, CopyObject, Select)  20 calls    High
 *   Impact.Delete (DeleteObject(s)...)            10 calls    High
 *   Impact.Permission (Put*Acl, Put*Policy...)     1 call     High
 *   Impact.Write (PutObject, uploads, restores)   10 calls    Medium
 *
 * A new bucket alone is not enough (applications touch new buckets every
 * day), nor a new place alone: the new place or client is what makes a
 * known key look stolen, and the volume what makes an access look like
 * collection, wiping or ransom rather than a look around.
 */
#include "detect/ckpt.h"
#include "detect/ct.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "detect/intel.h"

#define PAIRS  1024u /* (bucket, kind) slots of an identity (at most 3/4 used) */
#define ACTIVE 16u   /* anomalous pairs an identity can have at once */

#define S3_ANOMALY_STATE_VERSION 4u /* bump when the layout save writes changes */
#define S3_ANOMALY_STATE_OLD     3u /* still read: without a network's clients */

enum kind { K_DISCOVERY = 0, K_EXFIL, K_DELETE, K_PERMISSION, K_WRITE, K_COUNT };

static const char *const kind_type[K_COUNT] = {
    [K_DISCOVERY] = "Discovery:S3/AnomalousBehavior",
    [K_EXFIL] = "Exfiltration:S3/AnomalousBehavior",
    [K_DELETE] = "Impact:S3/AnomalousBehavior.Delete",
    [K_PERMISSION] = "Impact:S3/AnomalousBehavior.Permission",
    [K_WRITE] = "Impact:S3/AnomalousBehavior.Write",
};

static const char *const kind_name[K_COUNT] = {
    [K_DISCOVERY] = "Discovery",   [K_EXFIL] = "Exfiltration", [K_DELETE] = "Delete",
    [K_PERMISSION] = "Permission", [K_WRITE] = "Write",
};

/* Calls on anomalous pairs of a kind within the window that fire. */
static const uint32_t kind_volume[K_COUNT] = {
    [K_DISCOVERY] = 5, [K_EXFIL] = 20, [K_DELETE] = 10, [K_PERMISSION] = 1, [K_WRITE] = 10,
};

/* A (bucket, kind) pair made anomalous, and since when. */
struct active {
    uint32_t pair; /* 0: empty */
    int64_t since_ms;
};

/* A kind's window of calls on anomalous pairs. */
struct burst {
    int64_t start_ms; /* 0: none */
    uint32_t calls;
    bool fired;
    /* What was new when the window's first pair turned anomalous, and from where: the
     * finding says it even when the call that reaches the volume is from a usual place. */
    struct cm_ct_novelty nv;
    struct cm_ip ip;
};

struct ident {
    int64_t first_ms; /* first: cm_ct_model_profile's */
    uint32_t npairs;
    uint32_t pairs[PAIRS];
    struct active active[ACTIVE];
    struct burst burst[K_COUNT];
    struct cm_ct_context ctx;
    struct cm_ct_calls recent;
};

struct s3anomaly {
    struct cm_ct_model m; /* first: cm_ct_model_tick and _stats take the state as one */
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct s3anomaly *a = cm_calloc(1, sizeof(*a));
    int rc;

    if (a == NULL) {
        return CM_ENOMEM;
    }
    if ((rc = cm_ct_model_init(&a->m, opts, sizeof(struct ident))) != 0) {
        cm_ct_model_finish(&a->m);
        cm_free(a);
        return rc;
    }
    *state = a;
    return 0;
}

static void finish(void *state)
{
    struct s3anomaly *a = state;

    if (a != NULL) {
        cm_ct_model_finish(&a->m);
        cm_free(a);
    }
}

static bool contains(struct cm_str s, const char *p)
{
    return cm_str_find(s, cm_str_cstr(p)) != (size_t)-1;
}

/* The kind of an S3 data call. */
static enum kind kind_of(struct cm_str name)
{
    /* The calls nearly every data event is, without the table walk. */
    if (cm_str_eqc(name, "GetObject")) {
        return K_EXFIL;
    }
    if (cm_str_eqc(name, "PutObject")) {
        return K_WRITE;
    }
    if (cm_str_eqc(name, "HeadObject") || cm_str_eqc(name, "ListObjectsV2") ||
        cm_str_eqc(name, "ListObjects")) {
        return K_DISCOVERY;
    }
    if (cm_str_eqc(name, "DeleteObject")) {
        return K_DELETE;
    }
    switch (cm_s3_classify(name)) {
    case CM_S3_DISCOVERY:
        return K_DISCOVERY;
    case CM_S3_EXFILTRATION:
        return K_EXFIL;
    case CM_S3_IMPACT:
        break;
    }
    if (cm_str_starts(name, "Delete")) {
        return K_DELETE;
    }
    if (contains(name, "Acl") || contains(name, "Policy") || contains(name, "Retention") ||
        contains(name, "LegalHold")) {
        return K_PERMISSION;
    }
    return K_WRITE;
}

/* The active entry of pair, dropping those older than the window; NULL when none. */
static struct active *active_find(struct ident *id, uint32_t pair, int64_t now_ms, int64_t window)
{
    struct active *hit = NULL;

    for (size_t i = 0; i < ACTIVE; i++) {
        struct active *x = &id->active[i];

        if (x->pair != 0 && x->since_ms <= now_ms - window) {
            x->pair = 0;
        }
        if (x->pair == pair && pair != 0) {
            hit = x;
        }
    }
    return hit;
}

static void active_add(struct ident *id, uint32_t pair, int64_t now_ms)
{
    struct active *slot = &id->active[0];

    for (size_t i = 0; i < ACTIVE; i++) {
        if (id->active[i].pair == 0) {
            slot = &id->active[i];
            break;
        }
        if (id->active[i].since_ms < slot->since_ms) {
            slot = &id->active[i];
        }
    }
    slot->pair = pair;
    slot->since_ms = now_ms;
}

static int fire(struct s3anomaly *a, const struct cm_event *ev, struct ident *id, enum kind k,
                struct cm_str bucket, const struct cm_ct_novelty *nv, const struct cm_ip *net_ip,
                struct cm_sink *sink)
{
    const struct cm_ct_call *calls[CM_CT_RECENT];
    char bname[256];
    struct cm_ct_info_args args = {
        .cfg = a->m.cfg,
        .seed = a->m.seed,
        .ev = ev,
        .ctx = &id->ctx,
        .nv = nv,
        .calls = calls,
        .learn_ms = cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms),
        .unusual_key = "unusualBucketsUserIdentityProfiling",
        .unusual_val = bname,
        .net_ip = net_ip,
    };
    struct cm_detection d;
    struct cm_jw jw;
    int rc;

    snprintf(bname, sizeof(bname), "%.*s", (int)bucket.len, bucket.p);
    args.ncalls = cm_ct_calls_window(&id->recent, ev->time_ms, a->m.window_ms, calls);
    cm_buf_reset(&a->m.info);
    cm_jw_init(&jw, &a->m.info);
    cm_jw_obj_begin(&jw);
    cm_ct_anomaly_info(&jw, &args);
    cm_jw_key(&jw, "callVolume");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "calls");
    cm_jw_u64(&jw, id->burst[k].calls);
    cm_jw_key(&jw, "windowSeconds");
    cm_jw_u64(&jw, (uint64_t)(a->m.window_ms / 1000));
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "kind");
    cm_jw_str(&jw, kind_name[k]);
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        return rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    cm_ct_detection(&d, ev, kind_type[k]);
    d.resource_type = CM_RES_S3_BUCKET;
    d.resource_id = bucket;
    d.actor = cm_ct_actor_key(&ev->u.ct);
    d.first_ms = id->burst[k].start_ms;
    d.count = id->burst[k].calls;
    cm_ct_calls_cite(&d, calls, args.ncalls);
    d.info = cm_str_make(a->m.info.p, a->m.info.len);
    return cm_sink_emit(sink, &d);
}

/*
 * The identity's own call to another service (Athena, IAM, EC2, S3's bucket
 * management...): where it is made from and with what client is the
 * identity's, for S3 too, as GuardDuty keeps its factors per identity over
 * every API. Noted only in a profile S3 use already started (nothing is made
 * and no learning day starts here); a network or client noted becomes usual
 * only learn_ms after it was first seen, so a thief's first calls with a key
 * do not make its S3 reads usual. An analyst whose S3 reads Athena made for
 * three days, querying from her laptop, reads the results there herself: her
 * network and client are usual.
 */
static void note_own(struct s3anomaly *a, const struct cm_event *ev)
{
    struct cm_ct_novelty nv;
    struct ident *id;
    char key[512];
    size_t klen;

    if (!cm_ct_own_call(&ev->u.ct)) {
        return;
    }
    if ((id = cm_ct_model_find(&a->m, key, cm_ct_identity_key(ev, key, sizeof(key)))) != NULL) {
        cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev,
                           cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms), &nv);
    }
    klen = cm_ct_person_key(ev, key, sizeof(key));
    if ((id = cm_ct_model_find(&a->m, key, klen)) != NULL) {
        cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev,
                           cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms), &nv);
    }
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct s3anomaly *a = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_novelty nv, shared;
    struct cm_str bucket;
    struct ident *id;
    struct active *act;
    struct burst *b;
    enum kind k;
    uint32_t pair;
    bool pair_new, established;
    char key[512];
    size_t klen;
    int rc = 0;

    if (!cm_ct_s3_data(ct)) {
        note_own(a, ev);
        return 0;
    }
    if (ct->uid.type == CM_UID_AWSSERVICE || ct->event_name.len == 0 ||
        !cm_str_present(bucket = cm_ct_s3_read_bucket(ct)) || bucket.len == 0) {
        return 0;
    }
    if (!cm_ct_own_call(ct) ||
        cm_str_eqc(cm_ct_member(ct, ct->additional_event_data, "AuthenticationMethod"),
                   "QueryString")) {
        /*
         * S3 (replication), Athena, Macie... acting with the identity's
         * credentials: its use, as in ct_anomaly.c, but nothing it did itself.
         * So is a request made with a presigned URL: its caller (a customer's
         * browser or app uploading or downloading with a link an application
         * signed) holds the link, not the credentials; its network and client
         * are not the identity's, as ct_credexfil.c judges them.
         */
        cm_ct_model_profile(&a->m, ev, &established, &rc);
        return rc;
    }
    if ((id = cm_ct_model_profile(&a->m, ev, &established, &rc)) == NULL) {
        return rc;
    }
    k = kind_of(ct->event_name);
    pair = (uint32_t)cm_hash64(bucket.p, bucket.len, a->m.seed + (uint64_t)k) | 1u;
    cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev,
                       cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms), &nv);
    pair_new = cm_ct_set_add(id->pairs, PAIRS, &id->npairs, pair, ev->time_ms);
    if ((klen = cm_ct_person_key(ev, key, sizeof(key))) > 0) {
        /*
         * A permission set's role is shared by its users: judged is the person
         * (her first day learns; the buckets and kinds she never used), in a
         * place and with a client new to the role as well, as ct_anomaly.c
         * does. id is not used after this lookup, which may move entries.
         */
        shared = nv;
        if ((id = cm_ct_model_profile_key(&a->m, ev, key, klen, &established, &rc)) == NULL) {
            return rc;
        }
        cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev,
                           cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms), &nv);
        pair_new = cm_ct_set_add(id->pairs, PAIRS, &id->npairs, pair, ev->time_ms);
        nv.net_new = nv.net_new && shared.net_new;
        nv.client_new = nv.client_new && shared.client_new;
    }
    act = active_find(id, pair, ev->time_ms, a->m.window_ms);
    if (act == NULL) {
        if (!pair_new || !established || !(nv.net_new || nv.client_new)) {
            return 0;
        }
        active_add(id, pair, ev->time_ms);
    }
    b = &id->burst[k];
    if (b->start_ms == 0 || b->start_ms <= ev->time_ms - a->m.window_ms) {
        b->start_ms = ev->time_ms;
        b->calls = 0;
        b->fired = false;
        b->nv = nv;
        b->ip = ct->source_ip;
    }
    b->calls++;
    cm_ct_calls_add(&id->recent, ev, (uint8_t)k);
    if (b->fired || b->calls < kind_volume[k]) {
        return 0;
    }
    b->fired = true;
    if (!nv.net_new && !nv.client_new) {
        nv = b->nv; /* a usual call reached the volume: say what made the window */
        return fire(a, ev, id, k, bucket, &nv, &b->ip, sink);
    }
    return fire(a, ev, id, k, bucket, &nv, NULL, sink);
}

/* ---- checkpoints ------------------------------------------------------------------- */

/*
 * A profile read back from a file: the pair set and the kept calls as the
 * model keeps them (a call's class is a kind), and each burst's flags, client
 * and address as a call gave them, and its start a time (it becomes the
 * finding's first_ms).
 */
static bool ident_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct ident *id = val;

    (void)ud, (void)key, (void)klen;
    if (!cm_ct_set_ok(id->pairs, PAIRS, id->npairs) || !cm_ct_context_ok(&id->ctx) ||
        !cm_ct_calls_ok(&id->recent, K_COUNT)) {
        return false;
    }
    for (size_t k = 0; k < K_COUNT; k++) {
        const struct burst *b = &id->burst[k];

        if (!cm_ckpt_time_set(b->start_ms) || !cm_ckpt_bool_ok(&b->fired) ||
            !cm_ct_novelty_ok(&b->nv) || !cm_ckpt_ip_ok(&b->ip)) {
            return false;
        }
    }
    return true;
}

static void ident_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_ct_calls_refs(&((struct ident *)val)->recent, fn, fud);
}

static const struct cm_state_codec ident_codec = {.check = ident_ok, .refs = ident_refs};

static int save(const void *state, struct cm_ckpt_w *w)
{
    return cm_ct_model_save(&((const struct s3anomaly *)state)->m, w, &ident_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    return cm_ct_model_load(&((struct s3anomaly *)state)->m, r, &ident_codec);
}

/*
 * Version 3 (before 2026-12-06) kept no network's clients: every kept network
 * is given every kept client (cm_ct_model_load_old).
 */
static int load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    (void)version;
    return cm_ct_model_load_old(&((struct s3anomaly *)state)->m, r, &ident_codec,
                                sizeof(struct ident), offsetof(struct ident, ctx));
}

static const char *const types[] = {
    "Discovery:S3/AnomalousBehavior",     "Exfiltration:S3/AnomalousBehavior",
    "Impact:S3/AnomalousBehavior.Delete", "Impact:S3/AnomalousBehavior.Permission",
    "Impact:S3/AnomalousBehavior.Write",  NULL,
};

const struct cm_detector cm_detector_ct_s3_anomaly = {
    .name = "cloudtrail-s3-anomaly",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = cm_ct_model_tick,
    .finish = finish,
    .state_stats = cm_ct_model_stats,
    .state_version = S3_ANOMALY_STATE_VERSION,
    .save = save,
    .load = load,
    .state_version_old = S3_ANOMALY_STATE_OLD,
    .load_old = load_old,
};
