/*
 * The API anomaly model: <Tactic>:IAMUser/AnomalousBehavior (spec §8.1).
 *
 * Every CloudTrail management call a person or program makes (not an AWS
 * service acting for one: no invokedBy, an address as sourceIPAddress, not
 * an AWSService identity, not an S3 data event) is learned into its
 * identity's profile (an IAM user, root, a federated user; for a role
 * session the role, so every session of a role shares one; a session of an
 * IAM Identity Center permission set's role, shared by its users, is judged
 * on its user's own profile, cm_ct_person_key). A profile
 * remembers which API calls were made (service and name), from which
 * networks (the autonomous system when an ASN database is loaded; all of
 * AWS when AWS's ranges are; else the IPv4 /16 or IPv6 /48) and with which
 * clients (the user agent's category, ua_category.c), each with when it was
 * first and last seen (ct_profile.c, ct_context.c).
 *
 * A call is judged once its identity has been learning for learn_ms (24 h;
 * a younger identity is learned, not judged; a service's calls with the
 * identity's credentials count as its use, but teach nothing); it is
 * anomalous when
 *   - its API serves a tactic (ct_tactic.c),
 *   - its identity never made it before, and
 *   - it comes from a network or with a client the identity first used
 *     less than learn_ms before (or never).
 * An unusual call alone is not enough (people try new calls), nor an unusual
 * place alone (people travel): both at once is what a stolen key looks like.
 * A network 3 of the account's people (IAM users, permission set users)
 * have each used for learn_ms is not new to anyone (the office, the VPN:
 * ct_peers.c).
 * A client with 8 usual networks of its own (a new client: an identity with 8)
 * roams: only a new client counts for it; so does a web-identity session (a
 * CI runner's) whose network is a prefix,
 * and a session of a role a web-identity session assumed (note_chain),
 * unless every usual network of the identity is inside AWS (an EKS pod's IRSA role).
 * A Discovery call (every read: Describe, List, Get...) fires only as part
 * of a burst: the identity's burst (5) distinct anomalous Discovery calls
 * within window_ms (10 min). Every other tactic fires on its first call.
 * The call is then learned, so it does not fire again; the place and client
 * become usual only after learn_ms.
 *
 * The finding names the tactic of the call that fired it; additionalInfo
 * lists the identity's anomalous calls of the window by service with their
 * outcome (anomalousAPIs), what was unusual (unusualBehavior), the clients
 * the identity is known for (profiledBehavior) and the user agent; the
 * anomalous calls' records are its evidence. docs/detectors/cloudtrail-anomaly.md
 * gives the reasoning and the near misses.
 */
#include "detect/ckpt.h"
#include "detect/ct.h"

#include <stddef.h>
#include <string.h>

#include "detect/state.h"

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"

#define ID_APIS 512u /* API slots of an identity (at most 3/4 used) */

#define ANOMALY_STATE_VERSION 6u /* bump when the layout save writes changes */
#define ANOMALY_STATE_OLD     4u /* still read: 4, 5 (cm_ct_model_load_old; load_old) */

/* Accounts whose people's places are kept, and how long one lives unused. */
#define PEER_ACCOUNTS 4096u
#define PEER_TTL_MS   (90LL * 24 * 3600 * 1000)

struct ident {
    int64_t first_ms; /* first: cm_ct_model_profile's */
    uint32_t napis;
    uint32_t apis[ID_APIS];
    struct cm_ct_context ctx;
    struct cm_ct_calls recent;
    int64_t discovery[CM_CT_RECENT]; /* times of the last anomalous Discovery calls (own ring, */
    uint32_t dnext;                  /* so other tactics' calls never push them out of a burst) */
    uint32_t chained;                /* 1: a role a web-identity session assumed (CI chaining) */
};

struct anomaly {
    struct cm_ct_model m;   /* the profiles */
    struct cm_state *peers; /* account -> struct cm_ct_peers */
    uint32_t burst;
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct anomaly *a = cm_calloc(1, sizeof(*a));
    const struct cm_detect_config *cfg = opts ? opts->config : NULL;
    int rc;

    if (a == NULL) {
        return CM_ENOMEM;
    }
    if ((rc = cm_ct_model_init(&a->m, opts, sizeof(struct ident))) == 0) {
        struct cm_state_opts so = {
            .val_size = sizeof(struct cm_ct_peers),
            .max_entries = PEER_ACCOUNTS,
            .ttl_ms = PEER_TTL_MS,
            .seed = a->m.seed ^ 0x7065657273ULL,
        };

        rc = cm_state_create(&a->peers, &so);
    }
    if (rc != 0) {
        cm_ct_model_finish(&a->m);
        cm_free(a);
        return rc;
    }
    a->burst = cfg && cfg->ct.anomaly_burst > 0 ? cfg->ct.anomaly_burst : CM_CT_ANOMALY_BURST;
    if (a->burst > CM_CT_RECENT) {
        a->burst = CM_CT_RECENT;
    }
    *state = a;
    return 0;
}

static void finish(void *state)
{
    struct anomaly *a = state;

    if (a != NULL) {
        cm_ct_model_finish(&a->m);
        cm_state_destroy(a->peers);
        cm_free(a);
    }
}

/* ---- the model ---------------------------------------------------------------------- */

static uint32_t api_hash(const struct anomaly *a, const struct cm_ct *ct)
{
    uint64_t h = cm_hash64(
        ct->event_name.p, ct->event_name.len,
        cm_hash64(ct->event_source.p ? ct->event_source.p : "", ct->event_source.len, a->m.seed));

    return (uint32_t)h | 1u;
}

static int fire(struct anomaly *a, const struct cm_event *ev, struct ident *id,
                enum cm_ct_tactic tactic, const struct cm_ct_novelty *nv, struct cm_sink *sink)
{
    const struct cm_ct_call *calls[CM_CT_RECENT];
    struct cm_ct_info_args args = {
        .cfg = a->m.cfg,
        .seed = a->m.seed,
        .ev = ev,
        .ctx = &id->ctx,
        .nv = nv,
        .calls = calls,
        .learn_ms = cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms),
    };
    struct cm_detection d;
    struct cm_jw jw;
    int rc;

    /* The identity's anomalous calls of the window, oldest first, the one that fires last. */
    args.ncalls = cm_ct_calls_window(&id->recent, ev->time_ms, a->m.window_ms, calls);
    cm_buf_reset(&a->m.info);
    cm_jw_init(&jw, &a->m.info);
    cm_jw_obj_begin(&jw);
    cm_ct_anomaly_info(&jw, &args);
    cm_jw_key(&jw, "tactic");
    cm_jw_str(&jw, cm_ct_tactic_name(tactic));
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        return rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    cm_ct_detection(&d, ev, cm_ct_tactic_type(tactic));
    d.first_ms = args.ncalls > 0 ? calls[0]->time_ms : ev->time_ms;
    cm_ct_calls_cite(&d, calls, args.ncalls);
    d.info = cm_str_make(a->m.info.p, a->m.info.len);
    return cm_sink_emit(sink, &d);
}

/*
 * Notes an anomalous Discovery call at now_ms and returns how many (each a
 * distinct call: a call is anomalous once) fall within the window before it.
 */
static uint32_t discovery_burst(const struct anomaly *a, struct ident *id, int64_t now_ms)
{
    uint32_t n = 0;

    id->discovery[id->dnext] = now_ms;
    id->dnext = (id->dnext + 1) % CM_CT_RECENT;
    for (uint32_t i = 0; i < CM_CT_RECENT; i++) {
        int64_t t = id->discovery[i];

        if (t != 0 && t > now_ms - a->m.window_ms && t <= now_ms) {
            n++;
        }
    }
    return n;
}

/*
 * An AssumeRole made by a web-identity session (a CI job chaining from the
 * role GitHub's or GitLab's OIDC gave it into a deploy role, often of another
 * account): the role it assumes runs on the same hosted runners, so its
 * sessions are judged as web-identity ones (a prefix-only network is never
 * new). Marks that role's profile (made when new: its learning starts here).
 */
static int note_chain(struct anomaly *a, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_str arn, acct;
    struct ident *id;
    char key[512];
    size_t colons = 0, i, start = 0;
    bool established;
    int rc = 0;

    if (!cm_str_eqc(ct->event_name, "AssumeRole") ||
        !cm_str_eqc(ct->event_source, "sts.amazonaws.com") ||
        !cm_str_present(ct->uid.web_id_provider) || ct->uid.web_id_provider.len == 0 ||
        (cm_str_present(ct->error_code) && ct->error_code.len > 0) ||
        ct->request_parameters == CM_JSON_NONE) {
        return 0;
    }
    arn = cm_ct_member(ct, ct->request_parameters, "roleArn");
    if (!cm_str_present(arn) || !cm_str_starts(arn, "arn:")) {
        return 0;
    }
    /* arn:PARTITION:iam::ACCOUNT:role/...: the account is the fifth field. */
    for (i = 0; i < arn.len && colons < 5; i++) {
        if (arn.p[i] == ':' && ++colons == 4) {
            start = i + 1;
        }
    }
    if (colons < 5 || i - 1 <= start) {
        return 0;
    }
    acct = cm_str_make(arn.p + start, i - 1 - start);
    if (acct.len + 1 + arn.len > sizeof(key)) {
        return 0;
    }
    memcpy(key, acct.p, acct.len);
    key[acct.len] = '/';
    memcpy(key + acct.len + 1, arn.p, arn.len);
    if ((id = cm_ct_model_profile_key(&a->m, ev, key, acct.len + 1 + arn.len, &established, &rc)) !=
        NULL) {
        id->chained = 1;
    }
    return rc;
}

/*
 * The account's people's places: a person's (an IAM user's, a permission set
 * user's: person, personlen) call from a network usual to them adds them to
 * the network's people; a call from a network new to its identity but usual
 * to CM_CT_PEERS of the account's people (the office, the corporate VPN) is
 * not from a new network. A stranger's place is nobody's in the account.
 */
static int peers(struct anomaly *a, const struct cm_event *ev, const struct ident *id,
                 const char *person, size_t personlen, struct cm_ct_novelty *nv)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_peers *p;
    bool is_person = person != NULL || ct->uid.type == CM_UID_IAMUSER;
    uint64_t net = id->ctx.last_net;
    char key[512];
    size_t klen;
    bool created;

    if (ev->account.len == 0) {
        return 0;
    }
    if (is_person &&
        cm_ct_context_usual(&id->ctx, net, ev->time_ms,
                            cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms))) {
        if (person == NULL) {
            klen = cm_ct_identity_key(ev, key, sizeof(key));
            person = key;
            personlen = klen;
        }
        if (personlen == 0) {
            return 0;
        }
        if ((p = cm_state_touch(a->peers, ev->account.p, ev->account.len, ev->time_ms, &created)) ==
            NULL) {
            return CM_ENOMEM;
        }
        cm_ct_peers_note(p, a->m.cfg, &ct->source_ip, net,
                         (uint32_t)cm_hash64(person, personlen, a->m.seed) | 1u, ev->time_ms);
    } else if (nv->net_new &&
               (p = cm_state_get(a->peers, ev->account.p, ev->account.len)) != NULL &&
               cm_ct_peers_usual(p, net)) {
        nv->net_new = false;
    }
    return 0;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct anomaly *a = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_novelty nv, shared;
    struct ident *id;
    enum cm_ct_tactic tactic;
    bool api_new, established;
    int64_t learn;
    char key[512];
    size_t klen;
    int rc = 0;

    if (cm_ct_s3_data(ct) || ct->uid.type == CM_UID_AWSSERVICE || ct->event_name.len == 0) {
        return 0;
    }
    if (!cm_ct_own_call(ct)) {
        /*
         * A service acting with the identity's credentials (CloudFormation
         * with a stack's role, Backup, a StackSet's execution role): nothing
         * of the call is the identity's own, so nothing is learned, but the
         * identity has been in use since. A role only services use is not
         * new when its key turns up in a person's or program's hands, and
         * there every call of a tactic is one it never made itself.
         */
        cm_ct_model_profile(&a->m, ev, &established, &rc);
        return rc;
    }
    if ((rc = note_chain(a, ev)) != 0 ||
        (id = cm_ct_model_profile(&a->m, ev, &established, &rc)) == NULL) {
        return rc;
    }
    /* Learn first: what is judged below is this call against what came before it. */
    learn = cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms);
    cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev, learn, &nv);
    if (nv.net_new && id->chained && cm_ct_prefix_network(a->m.cfg, a->m.seed, ct) &&
        !cm_ct_context_inside_aws(&id->ctx, a->m.cfg, a->m.seed, ev->time_ms, learn)) {
        nv.net_new = false;
    }
    api_new = cm_ct_set_add(id->apis, ID_APIS, &id->napis, api_hash(a, ct), ev->time_ms);
    if ((klen = cm_ct_person_key(ev, key, sizeof(key))) > 0) {
        /*
         * A permission set's role is shared by its users: the person is judged
         * on their own calls and history (their first day learns, as any new
         * identity), in a place and with a client new to the role as well (a
         * colleague's usual console is no stranger's tool). id is not used
         * after this lookup, which may move the table's entries.
         */
        shared = nv;
        if ((id = cm_ct_model_profile_key(&a->m, ev, key, klen, &established, &rc)) == NULL) {
            return rc;
        }
        cm_ct_context_note(&id->ctx, a->m.cfg, a->m.seed, ev,
                           cm_ct_usual_learn(id->first_ms, ev->time_ms, a->m.learn_ms), &nv);
        api_new = cm_ct_set_add(id->apis, ID_APIS, &id->napis, api_hash(a, ct), ev->time_ms);
        nv.net_new = nv.net_new && shared.net_new;
        nv.client_new = nv.client_new && shared.client_new;
    }
    if ((rc = peers(a, ev, id, klen > 0 ? key : NULL, klen, &nv)) != 0) {
        return rc;
    }
    if (!established || !api_new || !(nv.net_new || nv.client_new)) {
        return 0;
    }
    if ((tactic = cm_ct_tactic(ct->event_source, ct->event_name)) == CM_TACTIC_NONE) {
        return 0;
    }
    cm_ct_calls_add(&id->recent, ev, (uint8_t)tactic);
    if (tactic == CM_TACTIC_DISCOVERY && discovery_burst(a, id, ev->time_ms) < a->burst) {
        return 0;
    }
    return fire(a, ev, id, tactic, &nv, sink);
}

/* ---- checkpoints ------------------------------------------------------------------- */

/* A profile read back from a file: the ring positions and the set as the model keeps them. */
static bool ident_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct ident *id = val;

    (void)ud, (void)key, (void)klen;
    return cm_ct_set_ok(id->apis, ID_APIS, id->napis) && id->dnext < CM_CT_RECENT &&
           id->chained <= 1 && cm_ct_context_ok(&id->ctx) &&
           cm_ct_calls_ok(&id->recent, CM_TACTIC_COUNT);
}

static void ident_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_ct_calls_refs(&((struct ident *)val)->recent, fn, fud);
}

static const struct cm_state_codec ident_codec = {.check = ident_ok, .refs = ident_refs};

static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct anomaly *a = state;
    int rc;

    if ((rc = cm_ct_model_save(&a->m, w, &ident_codec)) != 0) {
        return rc;
    }
    return cm_state_save(a->peers, w, NULL);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct anomaly *a = state;
    int rc;

    if ((rc = cm_ct_model_load(&a->m, r, &ident_codec)) != 0) {
        return rc;
    }
    return cm_state_load(a->peers, r, NULL);
}

/*
 * Version 4 (before 2026-12-05) saved the profiles alone: they are read, and
 * the account's people's places start empty (learned again in a day), so
 * that an upgrade does not make every identity learn again. Versions 4 and 5
 * (before 2026-12-06) kept no network's clients: every kept network is given
 * every kept client (cm_ct_model_load_old).
 */
static int load_old(void *state, struct cm_ckpt_r *r, uint32_t version)
{
    struct anomaly *a = state;
    int rc;

    if ((rc = cm_ct_model_load_old(&a->m, r, &ident_codec, sizeof(struct ident),
                                   offsetof(struct ident, ctx))) != 0 ||
        version < 5) {
        return rc;
    }
    return cm_state_load(a->peers, r, NULL);
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct anomaly *a = state;

    cm_state_expire(a->peers, watermark_ms, NULL, NULL);
    return cm_ct_model_tick(&a->m, watermark_ms, sink);
}

static void stats(const void *state, struct cm_state_stats *sum)
{
    const struct anomaly *a = state;

    cm_ct_model_stats(&a->m, sum);
    cm_state_stats_add(sum, a->peers);
}

static const char *const types[] = {
    "CredentialAccess:IAMUser/AnomalousBehavior",
    "DefenseEvasion:IAMUser/AnomalousBehavior",
    "Discovery:IAMUser/AnomalousBehavior",
    "Exfiltration:IAMUser/AnomalousBehavior",
    "Impact:IAMUser/AnomalousBehavior",
    "InitialAccess:IAMUser/AnomalousBehavior",
    "Persistence:IAMUser/AnomalousBehavior",
    "PrivilegeEscalation:IAMUser/AnomalousBehavior",
    NULL,
};

const struct cm_detector cm_detector_ct_anomaly = {
    .name = "cloudtrail-anomaly",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = tick,
    .finish = finish,
    .state_stats = stats,
    .state_version = ANOMALY_STATE_VERSION,
    .save = save,
    .load = load,
    .state_version_old = ANOMALY_STATE_OLD,
    .load_old = load_old,
};
