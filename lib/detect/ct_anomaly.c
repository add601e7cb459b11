/*
 * The API anomaly model: <Tactic>:IAMUser/AnomalousBehavior (spec §8.1).
 *
 * Every CloudTrail management call a person or program makes (not an AWS
 * service acting for one: no invokedBy, an address as sourceIPAddress, not
 * an AWSService identity, not an S3 data event) is learned into its
 * identity's profile (an IAM user, root, a federated user; for a role
 * session the role, so every session of a role shares one). A profile
 * remembers which API calls were made (service and name), from which
 * networks (the autonomous system when an ASN database is loaded, else the
 * IPv4 /16 or IPv6 /48) and with which clients (the user agent's category,
 * ua_category.c), each with when it was first and last seen.
 *
 * A call is judged once its identity has been learning for learn_ms (24 h;
 * a younger identity is learned, not judged); it is anomalous when
 *   - its API serves a tactic (ct_tactic.c),
 *   - its identity never made it before, and
 *   - it comes from a network or with a client the identity first used
 *     less than learn_ms before (or never).
 * An unusual call alone is not enough (people try new calls), nor an unusual
 * place alone (people travel): both at once is what a stolen key looks like.
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
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "detect/state.h"
#include "intel/awsranges.h"

#define ID_APIS    512u /* API slots of an identity (at most 3/4 used) */
#define ID_NETS    16u
#define ROAMING    8u /* usual networks of an identity that calls from anywhere */
#define ID_UAS     8u
#define RECENT     8u /* anomalous calls an identity keeps for its finding */
#define CAT_MAX    24u
#define IDENTITIES (16u * 1024)
#define KEY_MAX    512u
#define TTL_MS     (90LL * 24 * 3600 * 1000) /* a profile unused this long is dropped */

/* A network, and when it was seen. */
struct seen {
    uint64_t h; /* 0: empty slot */
    int64_t first_ms, last_ms;
};

/* A client category, and when it was seen. */
struct client {
    struct seen s;
    char name[CAT_MAX];
};

/* An anomalous call, kept for the finding. */
struct call {
    int64_t time_ms; /* 0: empty */
    uint32_t api;
    uint8_t tactic;
    char svc[32];
    char name[48];
    char outcome[32];
    struct cm_src_ref src;
};

struct ident {
    int64_t first_ms;
    uint32_t napis;
    uint32_t apis[ID_APIS];
    struct seen nets[ID_NETS];
    struct client uas[ID_UAS];
    struct call recent[RECENT];
    uint32_t next;             /* slot of recent[] the next call takes */
    int64_t discovery[RECENT]; /* times of the last anomalous Discovery calls (own ring, so */
    uint32_t dnext;            /* calls of other tactics never push them out of a burst) */
    struct cm_ip last_ip;      /* the address of the identity's last call... */
    uint64_t last_net;         /* ... and its network (an AS lookup is dear) */
};

struct anomaly {
    const struct cm_detect_config *cfg;
    struct cm_state *ids; /* account/identity -> struct ident */
    uint64_t seed;
    int64_t learn_ms, window_ms;
    uint32_t burst;
    struct cm_buf info;
};

/* What this call looks like against the profiles. */
struct judged {
    uint64_t net;
    char ua[CAT_MAX];
    uint64_t ua_h;
    uint32_t api;
    bool net_unusual, ua_unusual;
};

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct anomaly *a = cm_calloc(1, sizeof(*a));
    const struct cm_detect_config *cfg = opts ? opts->config : NULL;
    struct cm_state_opts so = {.ttl_ms = TTL_MS, .seed = opts ? opts->seed : 0};
    int rc;

    if (a == NULL) {
        return CM_ENOMEM;
    }
    a->cfg = cfg;
    a->seed = opts ? opts->seed : 0;
    a->learn_ms =
        cfg && cfg->ct.anomaly_learn_ms > 0 ? cfg->ct.anomaly_learn_ms : CM_CT_ANOMALY_LEARN_MS;
    a->window_ms =
        cfg && cfg->ct.anomaly_window_ms > 0 ? cfg->ct.anomaly_window_ms : CM_CT_ANOMALY_WINDOW_MS;
    a->burst = cfg && cfg->ct.anomaly_burst > 0 ? cfg->ct.anomaly_burst : CM_CT_ANOMALY_BURST;
    if (a->burst > RECENT) {
        a->burst = RECENT;
    }
    cm_buf_init(&a->info, 0);
    so.val_size = sizeof(struct ident);
    so.max_entries = IDENTITIES;
    if ((rc = cm_state_create(&a->ids, &so)) != 0) {
        cm_free(a);
        return rc;
    }
    *state = a;
    return 0;
}

static void finish(void *state)
{
    struct anomaly *a = state;

    if (a != NULL) {
        cm_state_destroy(a->ids);
        cm_buf_finish(&a->info);
        cm_free(a);
    }
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct anomaly *a = state;

    (void)sink;
    cm_state_expire(a->ids, watermark_ms, NULL, NULL);
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct anomaly *)state)->ids);
}

/* ---- profiles ---------------------------------------------------------------------- */

/*
 * Adds api to the set apis[cap] (open addressing; 0 is empty) holding *n.
 * Returns true when it was not there. A set 3/4 full learns no more and
 * calls nothing new: an identity that has made hundreds of distinct calls
 * is not judged by novelty.
 */
static bool api_learn(uint32_t *apis, uint32_t cap, uint32_t *n, uint32_t api)
{
    uint32_t i = api & (cap - 1);

    for (;;) {
        if (apis[i] == api) {
            return false;
        }
        if (apis[i] == 0) {
            break;
        }
        i = (i + 1) & (cap - 1);
    }
    if (*n >= cap / 4 * 3) {
        return false;
    }
    apis[i] = api;
    (*n)++;
    return true;
}

/*
 * Notes h seen at now_ms in the cap slots of stride bytes at v (each starts
 * with a struct seen; a full set drops its least recently seen). Returns
 * its slot, *fresh when it was not there, and whether it was usual: first
 * seen at least learn_ms before now_ms.
 */
static struct seen *seen_note(void *v, size_t stride, size_t cap, uint64_t h, int64_t now_ms,
                              int64_t learn_ms, bool *fresh, bool *usual)
{
    struct seen *s = NULL, *old = v;

    for (size_t i = 0; i < cap; i++) {
        struct seen *x = (struct seen *)(void *)((char *)v + i * stride);

        if (x->h == h) {
            s = x;
            break;
        }
        if (old->h != 0 && (x->h == 0 || x->last_ms < old->last_ms)) {
            old = x;
        }
    }
    *fresh = s == NULL;
    if (s == NULL) {
        memset(old, 0, stride);
        old->h = h;
        old->first_ms = old->last_ms = now_ms;
        *usual = false;
        return old;
    }
    *usual = s->first_ms <= now_ms - learn_ms;
    if (now_ms < s->first_ms) {
        s->first_ms = now_ms;
    }
    if (now_ms > s->last_ms) {
        s->last_ms = now_ms;
    }
    return s;
}

/* ---- what a call is ----------------------------------------------------------------- */

/* Whether the call is a person's or a program's own (see the top of the file). */
static bool judged_call(const struct cm_ct *ct)
{
    return ct->source_ip.family != CM_IP_NONE && ct->uid.type != CM_UID_AWSSERVICE &&
           !(cm_str_present(ct->uid.invoked_by) && ct->uid.invoked_by.len > 0) &&
           ct->event_name.len > 0 && !cm_ct_s3_data(ct);
}

/* account/identity: the role of a role session, else the ARN, else the principal id. */
static size_t ident_key(const struct cm_event *ev, char *out)
{
    const struct cm_ct_identity *u = &ev->u.ct.uid;
    struct cm_str who = u->principal_id;
    size_t n;

    if (u->type == CM_UID_ASSUMEDROLE && cm_str_present(u->issuer_arn) && u->issuer_arn.len) {
        who = u->issuer_arn;
    } else if (cm_str_present(u->arn) && u->arn.len) {
        who = u->arn;
    }
    if (!cm_str_present(who) || who.len == 0 || ev->account.len + 1 + who.len > KEY_MAX) {
        return 0;
    }
    memcpy(out, ev->account.p, ev->account.len);
    n = ev->account.len;
    out[n++] = '/';
    memcpy(out + n, who.p, who.len);
    return n + who.len;
}

/*
 * The network of the caller's address: its AS when known; else all of AWS
 * when AWS's ranges are loaded and claim it (Lambda and EC2 addresses
 * change /16 from call to call; an ASN database calls them AMAZON-02 too);
 * else its /16 (IPv6 /48). With label not NULL also its name for the
 * finding.
 */
static uint64_t network_of(const struct anomaly *a, const struct cm_ip *ip, char *label,
                           size_t lablen, bool *is_asn)
{
    const struct cm_detect_config *cfg = a->cfg;
    struct cm_ip net = *ip;
    char org[128], addr[64];
    uint32_t asn = 0;

    org[0] = '\0';
    if (cfg != NULL && cfg->asn != NULL && cfg->asn(cfg->locate_ud, ip, &asn, org, sizeof(org))) {
        if (label != NULL) {
            snprintf(label, lablen, "asnNumber: %u asnOrg: %s", asn, org);
            *is_asn = true;
        }
        return cm_hash_mix64(((uint64_t)asn << 1) ^ a->seed) | 1u;
    }
    if (cfg != NULL && cfg->aws_ranges != NULL && cm_awsranges_lookup(cfg->aws_ranges, ip, NULL)) {
        if (label != NULL) {
            snprintf(label, lablen, "AWS");
            *is_asn = false;
        }
        return cm_hash_mix64(0x415753u ^ a->seed) | 1u;
    }
    if (net.family == CM_IP_V4) {
        memset(net.a + 2, 0, 14);
    } else {
        memset(net.a + 6, 0, 10);
    }
    if (label != NULL) {
        cm_ip_format(&net, addr, sizeof(addr));
        snprintf(label, lablen, "%s/%u", addr, net.family == CM_IP_V4 ? 16u : 48u);
        *is_asn = false;
    }
    return cm_hash64(&net, sizeof(net), a->seed) | 1u;
}

/* Whether the identity has ROAMING or more usual networks: then a new one says nothing. */
static bool roams(const struct ident *id, int64_t now_ms, int64_t learn_ms)
{
    uint32_t n = 0;

    for (size_t i = 0; i < ID_NETS; i++) {
        n += id->nets[i].h != 0 && id->nets[i].first_ms <= now_ms - learn_ms;
    }
    return n >= ROAMING;
}

static uint32_t api_hash(const struct anomaly *a, const struct cm_ct *ct)
{
    uint64_t h = cm_hash64(
        ct->event_name.p, ct->event_name.len,
        cm_hash64(ct->event_source.p ? ct->event_source.p : "", ct->event_source.len, a->seed));

    return (uint32_t)h | 1u;
}

/* ---- the finding -------------------------------------------------------------------- */

static void put_str_field(struct cm_jw *jw, const char *key, const char *val)
{
    cm_jw_key(jw, key);
    cm_jw_str(jw, val);
}

/* "iam.amazonaws.com:[ListUsers:success , ListRoles:AccessDenied] , sts...:[...]" */
static void put_anomalous_apis(struct cm_buf *b, const struct ident *id,
                               const struct call *const *calls, size_t n)
{
    bool done[RECENT] = {false};

    (void)id;
    for (size_t i = 0; i < n; i++) {
        if (done[i]) {
            continue;
        }
        if (b->len) {
            cm_buf_puts(b, " , ");
        }
        cm_buf_printf(b, "%s.amazonaws.com:[", calls[i]->svc);
        for (size_t k = i, first = 1; k < n; k++) {
            if (done[k] || strcmp(calls[k]->svc, calls[i]->svc) != 0) {
                continue;
            }
            done[k] = true;
            cm_buf_printf(b, "%s%s:%s", first ? "" : " , ", calls[k]->name, calls[k]->outcome);
            first = 0;
        }
        cm_buf_putc(b, ']');
    }
}

static int fire(struct anomaly *a, const struct cm_event *ev, struct ident *id,
                enum cm_ct_tactic tactic, const struct judged *j, struct cm_sink *sink)
{
    const struct cm_ct *ct = &ev->u.ct;
    const struct call *calls[RECENT];
    struct cm_buf list, names;
    struct cm_detection d;
    struct cm_jw jw;
    char net_label[160];
    bool net_asn = false;
    size_t n = 0;
    int rc;

    /* The identity's anomalous calls of the window, oldest first, the one that fired last. */
    for (uint32_t k = 0; k < RECENT; k++) {
        const struct call *c = &id->recent[(id->next + k) % RECENT];

        if (c->time_ms != 0 && c->time_ms > ev->time_ms - a->window_ms &&
            c->time_ms <= ev->time_ms) {
            calls[n++] = c;
        }
    }
    network_of(a, &ct->source_ip, net_label, sizeof(net_label), &net_asn);
    cm_buf_init(&list, 4096);
    cm_buf_init(&names, 4096);
    put_anomalous_apis(&list, id, calls, n);
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            cm_buf_puts(&names, " , ");
        }
        cm_buf_puts(&names, calls[i]->name);
    }
    cm_buf_reset(&a->info);
    cm_jw_init(&jw, &a->info);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "anomalies");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "anomalousAPIs");
    cm_jw_strn(&jw, list.p ? list.p : "", list.len);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "unusualBehavior");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "unusualAPIsUserIdentityProfiling");
    cm_jw_strn(&jw, names.p ? names.p : "", names.len);
    if (j->net_unusual) {
        put_str_field(&jw,
                      net_asn ? "unusualASNsUserIdentityProfiling"
                              : "unusualNetworksUserIdentityProfiling",
                      net_label);
    }
    if (j->ua_unusual) {
        put_str_field(&jw, "unusualUserAgentsUserIdentityProfiling", j->ua);
    }
    put_str_field(&jw, "isUnusualUserIdentity", "false");
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "profiledBehavior");
    cm_jw_obj_begin(&jw);
    cm_buf_reset(&names);
    for (size_t i = 0; i < ID_UAS; i++) {
        const struct client *c = &id->uas[i];

        if (c->s.h != 0 && c->s.first_ms <= ev->time_ms - a->learn_ms) {
            if (names.len) {
                cm_buf_puts(&names, " , ");
            }
            cm_buf_puts(&names, c->name);
        }
    }
    cm_jw_key(&jw, "profiledUserAgentsUserIdentityProfiling");
    cm_jw_strn(&jw, names.p ? names.p : "", names.len);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "userAgent");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "fullUserAgent");
    cm_jw_strn(&jw, ct->user_agent.p ? ct->user_agent.p : "", ct->user_agent.len);
    put_str_field(&jw, "userAgentCategory", j->ua);
    cm_jw_obj_end(&jw);
    put_str_field(&jw, "tactic", cm_ct_tactic_name(tactic));
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    cm_buf_finish(&list);
    cm_buf_finish(&names);
    if (rc != 0) {
        return rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    cm_ct_detection(&d, ev, cm_ct_tactic_type(tactic));
    d.first_ms = n > 0 ? calls[0]->time_ms : ev->time_ms;
    d.nevidence = 0;
    for (size_t i = 0; i < n && d.nevidence < CM_DETECTION_MAX_EVIDENCE; i++) {
        d.evidence[d.nevidence++] = calls[i]->src;
    }
    d.info = cm_str_make(a->info.p, a->info.len);
    return cm_sink_emit(sink, &d);
}

static void remember(struct ident *id, const struct cm_event *ev, uint32_t api,
                     enum cm_ct_tactic tactic)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct call *c = &id->recent[id->next];
    struct cm_str svc = cm_ct_service(ct->event_source);

    memset(c, 0, sizeof(*c));
    c->time_ms = ev->time_ms;
    c->api = api;
    c->tactic = (uint8_t)tactic;
    snprintf(c->svc, sizeof(c->svc), "%.*s", (int)svc.len, svc.p);
    snprintf(c->name, sizeof(c->name), "%.*s", (int)ct->event_name.len, ct->event_name.p);
    if (cm_ct_ok(ct)) {
        snprintf(c->outcome, sizeof(c->outcome), "success");
    } else {
        snprintf(c->outcome, sizeof(c->outcome), "%.*s", (int)ct->error_code.len, ct->error_code.p);
    }
    c->src = ev->src;
    id->next = (id->next + 1) % RECENT;
}

/*
 * Notes an anomalous Discovery call at now_ms and returns how many (each a
 * distinct call: a call is anomalous once) fall within the window before it.
 */
static uint32_t discovery_burst(const struct anomaly *a, struct ident *id, int64_t now_ms)
{
    uint32_t n = 0;

    id->discovery[id->dnext] = now_ms;
    id->dnext = (id->dnext + 1) % RECENT;
    for (uint32_t i = 0; i < RECENT; i++) {
        int64_t t = id->discovery[i];

        if (t != 0 && t > now_ms - a->window_ms && t <= now_ms) {
            n++;
        }
    }
    return n;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct anomaly *a = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct ident *id;
    struct judged j;
    enum cm_ct_tactic tactic;
    char key[KEY_MAX];
    size_t klen;
    struct client *ua;
    bool created, api_new, established, fresh, usual;

    if (!judged_call(ct) || ev->account.len == 0 || (klen = ident_key(ev, key)) == 0) {
        return 0;
    }
    if ((id = cm_state_touch(a->ids, key, klen, ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    if (created || ev->time_ms < id->first_ms) {
        id->first_ms = ev->time_ms;
    }
    memset(&j, 0, sizeof(j));
    j.api = api_hash(a, ct);
    if (id->last_net == 0 || !cm_ip_eq(&id->last_ip, &ct->source_ip)) {
        id->last_net = network_of(a, &ct->source_ip, NULL, 0, NULL);
        id->last_ip = ct->source_ip;
    }
    j.net = id->last_net;
    cm_ua_category(ct->user_agent, j.ua, sizeof(j.ua));
    j.ua_h = cm_hash64(j.ua, strlen(j.ua), a->seed) | 1u;
    established = id->first_ms <= ev->time_ms - a->learn_ms;
    /* Learn first: what is judged below is this call against what came before it. */
    seen_note(id->nets, sizeof(id->nets[0]), ID_NETS, j.net, ev->time_ms, a->learn_ms, &fresh,
              &usual);
    j.net_unusual = !usual;
    ua = (struct client *)(void *)seen_note(id->uas, sizeof(id->uas[0]), ID_UAS, j.ua_h,
                                            ev->time_ms, a->learn_ms, &fresh, &usual);
    j.ua_unusual = !usual;
    if (fresh) {
        snprintf(ua->name, sizeof(ua->name), "%s", j.ua);
    }
    api_new = api_learn(id->apis, ID_APIS, &id->napis, j.api);
    if (j.net_unusual && roams(id, ev->time_ms, a->learn_ms)) {
        j.net_unusual = false;
    }
    if (!established || !api_new || !(j.net_unusual || j.ua_unusual)) {
        return 0;
    }
    if ((tactic = cm_ct_tactic(ct->event_source, ct->event_name)) == CM_TACTIC_NONE) {
        return 0;
    }
    remember(id, ev, j.api, tactic);
    if (tactic == CM_TACTIC_DISCOVERY && discovery_burst(a, id, ev->time_ms) < a->burst) {
        return 0;
    }
    return fire(a, ev, id, tactic, &j, sink);
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
    .state_stats = state_stats,
};
