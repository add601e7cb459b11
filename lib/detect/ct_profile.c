/*
 * What the CloudTrail anomaly models (ct_anomaly.c for management calls,
 * ct_s3_anomaly.c for S3 data events) remember of an identity and say in
 * their findings (ct.h, "ct_profile.c"): who the identity is, where and with
 * what it calls from (its context: networks and clients, each with when it
 * was first and last seen), which things it has done (a set of hashes), its
 * latest anomalous calls, and the additionalInfo GuardDuty's anomaly
 * findings carry. docs/detectors/cloudtrail-anomaly.md gives the reasoning.
 */
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/state.h"
#include "intel/awsranges.h"

/* Usual networks of an identity that calls from anywhere: then a new one says nothing. */
#define ROAMING 8u
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

/* ---- the context ------------------------------------------------------------------- */

/* The network cm_ct_network gives every address in AWS's ranges. */
static uint64_t aws_network(uint64_t seed)
{
    return cm_hash_mix64(0x415753u ^ seed) | 1u;
}

uint64_t cm_ct_network(const struct cm_detect_config *cfg, uint64_t seed, const struct cm_ip *ip,
                       char *label, size_t lablen, bool *is_asn)
{
    struct cm_ip net = *ip;
    char org[128], addr[64];
    uint32_t asn = 0;

    org[0] = '\0';
    if (is_asn != NULL) {
        *is_asn = false;
    }
    if (cfg != NULL && cfg->asn != NULL && cfg->asn(cfg->locate_ud, ip, &asn, org, sizeof(org))) {
        if (label != NULL) {
            snprintf(label, lablen, "asnNumber: %u asnOrg: %s", asn, org);
        }
        if (is_asn != NULL) {
            *is_asn = true;
        }
        return cm_hash_mix64(((uint64_t)asn << 1) ^ seed) | 1u;
    }
    if (cfg != NULL && cfg->aws_ranges != NULL && cm_awsranges_lookup(cfg->aws_ranges, ip, NULL)) {
        if (label != NULL) {
            snprintf(label, lablen, "AWS");
        }
        return aws_network(seed);
    }
    if (net.family == CM_IP_V4) {
        memset(net.a + 2, 0, 14);
    } else {
        memset(net.a + 6, 0, 10);
    }
    if (label != NULL) {
        cm_ip_format(&net, addr, sizeof(addr));
        snprintf(label, lablen, "%s/%u", addr, net.family == CM_IP_V4 ? 16u : 48u);
    }
    return cm_hash64(&net, sizeof(net), seed) | 1u;
}

/*
 * Notes h seen at now_ms in the cap slots of stride bytes at v (each starts
 * with a struct cm_ct_seen; a full set drops its least recently seen).
 * Returns its slot, *fresh when it was not there, and whether it was usual:
 * first seen at least learn_ms before now_ms.
 */
static struct cm_ct_seen *seen_note(void *v, size_t stride, size_t cap, uint64_t h, int64_t now_ms,
                                    int64_t learn_ms, bool *fresh, bool *usual)
{
    struct cm_ct_seen *s = NULL, *old = v;

    for (size_t i = 0; i < cap; i++) {
        struct cm_ct_seen *x = (struct cm_ct_seen *)(void *)((char *)v + i * stride);

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

_Static_assert(CM_CT_CLIENTS <= 8, "a network's clients are the bits of a byte");

/*
 * Whether the client of slot bit (all: any client, bit 0) has ROAMING or
 * more usual networks in c: one that calls from anywhere.
 */
static bool roams(const struct cm_ct_context *c, uint8_t bit, int64_t now_ms, int64_t learn_ms)
{
    uint32_t n = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        n += c->nets[i].h != 0 && c->nets[i].first_ms <= now_ms - learn_ms &&
             (bit == 0 || (c->net_clients[i] & bit) != 0);
    }
    return n >= ROAMING;
}

/*
 * The slot a network new to c takes when c is full: a network no kept client
 * used, else, among the networks of the client that holds the most, the least
 * recently seen: a client that calls from a new place each hour (a Lambda in
 * a provider's pool) pushes out its own places, not a person's home.
 */
static size_t net_victim(const struct cm_ct_context *c)
{
    uint32_t held[CM_CT_CLIENTS] = {0};
    size_t v = CM_CT_NETS, most = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h == 0) {
            return i;
        }
        if (c->net_clients[i] == 0 &&
            (v == CM_CT_NETS || c->nets[i].last_ms < c->nets[v].last_ms)) {
            v = i;
        }
        for (size_t k = 0; k < CM_CT_CLIENTS; k++) {
            held[k] += (c->net_clients[i] >> k) & 1u;
        }
    }
    if (v < CM_CT_NETS) {
        return v;
    }
    for (size_t k = 1; k < CM_CT_CLIENTS; k++) {
        most = held[k] > held[most] ? k : most;
    }
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (((c->net_clients[i] >> most) & 1u) != 0 &&
            (v == CM_CT_NETS || c->nets[i].last_ms < c->nets[v].last_ms)) {
            v = i;
        }
    }
    return v;
}

/*
 * Notes network h seen at now_ms by the client of slot bit in c. Returns its
 * slot, and whether it was usual (first seen at least learn_ms before now_ms,
 * by any of c's clients).
 */
static size_t net_note(struct cm_ct_context *c, uint64_t h, uint8_t bit, int64_t now_ms,
                       int64_t learn_ms, bool *usual)
{
    size_t i;

    for (i = 0; i < CM_CT_NETS && c->nets[i].h != h; i++) {
    }
    if (i == CM_CT_NETS) {
        i = net_victim(c);
        c->nets[i].h = h;
        c->nets[i].first_ms = c->nets[i].last_ms = now_ms;
        c->net_clients[i] = bit;
        *usual = false;
        return i;
    }
    *usual = c->nets[i].first_ms <= now_ms - learn_ms;
    c->net_clients[i] |= bit;
    if (now_ms < c->nets[i].first_ms) {
        c->nets[i].first_ms = now_ms;
    }
    if (now_ms > c->nets[i].last_ms) {
        c->nets[i].last_ms = now_ms;
    }
    return i;
}

int64_t cm_ct_usual_learn(int64_t first_ms, int64_t now_ms, int64_t learn_ms)
{
    int64_t end = first_ms + learn_ms; /* the end of the identity's learning day */

    if (now_ms < end || now_ms - end + 1 >= learn_ms) {
        return learn_ms;
    }
    return now_ms - end + 1; /* first seen before end: usual */
}

bool cm_ct_context_usual(const struct cm_ct_context *c, uint64_t h, int64_t now_ms,
                         int64_t learn_ms)
{
    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h == h) {
            return c->nets[i].first_ms <= now_ms - learn_ms;
        }
    }
    return false;
}

bool cm_ct_prefix_network(const struct cm_detect_config *cfg, uint64_t seed, const struct cm_ct *ct)
{
    bool is_asn = false;

    cm_ct_network(cfg, seed, &ct->source_ip, NULL, 0, &is_asn);
    return !is_asn;
}

/*
 * The network of a call from a private or shared IPv4 address through a VPC
 * endpoint: the endpoint's account (its VPCs, or an organisation's network
 * account whose endpoints its VPCs share), whatever the /16. A VPC's secondary
 * CIDR (100.64/10 for a cluster short of addresses), another subnet or VPC
 * says nothing of a thief; an endpoint of an account the identity never
 * called through is new. Marked in the low 16 bits for private_network.
 * 0 when the call is not one (no endpoint or endpoint account: the /16).
 */
#define ENDPOINT_MARK 0x5651u

static uint64_t endpoint_network(const struct cm_ct *ct, uint64_t seed)
{
    const struct cm_ip *ip = &ct->source_ip;
    struct cm_str acct = ct->vpc_endpoint_account_id;

    if (ip->family != CM_IP_V4 || !cm_str_present(ct->vpc_endpoint_id) ||
        ct->vpc_endpoint_id.len == 0 || !cm_str_present(acct) || acct.len == 0 ||
        !(ip->a[0] == 10 || (ip->a[0] == 172 && (ip->a[1] & 0xf0u) == 16) ||
          (ip->a[0] == 192 && ip->a[1] == 168) || (ip->a[0] == 100 && (ip->a[1] & 0xc0u) == 64))) {
        return 0;
    }
    return (cm_hash64(acct.p, acct.len, seed ^ 0x565043u) & ~(uint64_t)0xffffu) | ENDPOINT_MARK;
}

/*
 * Whether network h is the /16 of a private or shared IPv4 address (10/8,
 * 172.16/12, 192.168/16, 100.64/10), as cm_ct_network makes it: a call
 * through a VPC endpoint. Made only for an identity's usual networks when a
 * web-identity session calls from a new prefix.
 */
static bool private_network(uint64_t h, uint64_t seed)
{
    static const uint8_t ranges[][3] = {
        {10, 0, 255}, {172, 16, 31}, {192, 168, 168}, {100, 64, 127}};
    struct cm_ip net;

    if ((h & 0xffffu) == ENDPOINT_MARK) {
        return true;
    }
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        for (unsigned b = ranges[r][1]; b <= ranges[r][2]; b++) {
            memset(&net, 0, sizeof(net));
            net.family = CM_IP_V4;
            net.a[0] = ranges[r][0];
            net.a[1] = (uint8_t)b;
            if ((cm_hash64(&net, sizeof(net), seed) | 1u) == h) {
                return true;
            }
        }
    }
    return false;
}

bool cm_ct_context_inside_aws(const struct cm_ct_context *c, const struct cm_detect_config *cfg,
                              uint64_t seed, int64_t now_ms, int64_t learn_ms)
{
    uint64_t aws = aws_network(seed);
    bool ranges = cfg != NULL && cfg->aws_ranges != NULL;
    uint32_t n = 0;

    for (size_t i = 0; i < CM_CT_NETS; i++) {
        if (c->nets[i].h != 0 && c->nets[i].first_ms <= now_ms - learn_ms) {
            if (!(ranges && c->nets[i].h == aws) && !private_network(c->nets[i].h, seed)) {
                return false;
            }
            n++;
        }
    }
    return n > 0;
}

/*
 * Whether the call is a web-identity federated session's (sessionContext.
 * webIdFederationData.federatedProvider: GitHub Actions, GitLab CI, an EKS
 * pod's IRSA, a Cognito identity pool) and its network is only an address
 * prefix (no ASN database, or the address is not in it). Such sessions run on
 * hosted runners and devices that get a fresh address from a large provider
 * pool on every run: without the autonomous system, the /16 of each run is new
 * and says nothing of a thief. Their calls are judged by client and API only,
 * unless every usual network of the identity is inside AWS (AWS's ranges or a
 * VPC endpoint's private address, cm_ct_context_inside_aws: an EKS pod's IRSA
 * role, a runner on EC2 never call from a provider's pool).
 * The check (an AS lookup) is made only for a call whose network is new.
 */
static bool web_identity_prefix(const struct cm_detect_config *cfg, uint64_t seed,
                                const struct cm_ct *ct)
{
    return cm_str_present(ct->uid.web_id_provider) && ct->uid.web_id_provider.len > 0 &&
           cm_ct_prefix_network(cfg, seed, ct);
}

/*
 * Whether a client category is the AWS console's: its sign-in, the browser's
 * own calls and the console's proxies. Only someone who signed in as the
 * identity uses its console, and a thief's sign-in comes from the thief's
 * place: a console new to an identity is its owner's first session (whose
 * pages make calls she never made), not a stranger's tool.
 */
static bool console_client(const char *name)
{
    return strcmp(name, "browser") == 0 || strcmp(name, "console") == 0 ||
           strcmp(name, "AwsSignin") == 0;
}

void cm_ct_context_note(struct cm_ct_context *c, const struct cm_detect_config *cfg, uint64_t seed,
                        const struct cm_event *ev, int64_t learn_ms, struct cm_ct_novelty *nv)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_ct_client *cl;
    uint64_t h;
    uint8_t bit;
    bool fresh, usual, client_usual;

    /* An identity's calls mostly carry one agent: its category is worked out once. */
    h = cm_hash64(ct->user_agent.p ? ct->user_agent.p : "", ct->user_agent.len, ~seed) | 1u;
    if (h != c->last_ua) {
        c->last_ua = h;
        cm_ua_category(ct->user_agent, c->last_name, sizeof(c->last_name));
        c->last_client = cm_hash64(c->last_name, strlen(c->last_name), seed) | 1u;
    }
    memcpy(nv->client, c->last_name, sizeof(nv->client));
    cl = (struct cm_ct_client *)(void *)seen_note(c->clients, sizeof(c->clients[0]), CM_CT_CLIENTS,
                                                  c->last_client, ev->time_ms, learn_ms, &fresh,
                                                  &client_usual);
    bit = (uint8_t)(1u << (size_t)(cl - c->clients));
    if (fresh) {
        memcpy(cl->name, nv->client, sizeof(cl->name));
        /* The slot's former client's places are not the new one's. */
        for (size_t i = 0; i < CM_CT_NETS; i++) {
            c->net_clients[i] &= (uint8_t)~bit;
        }
    }
    nv->client_new = !client_usual && !console_client(nv->client);

    if ((h = endpoint_network(ct, seed)) != 0) {
        c->last_net = h;
        memset(&c->last_ip, 0, sizeof(c->last_ip)); /* the next address is looked up again */
    } else if (c->last_net == 0 || !cm_ip_eq(&c->last_ip, &ct->source_ip)) {
        c->last_net = cm_ct_network(cfg, seed, &ct->source_ip, NULL, 0, NULL);
        c->last_ip = ct->source_ip;
    }
    net_note(c, c->last_net, bit, ev->time_ms, learn_ms, &usual);
    /*
     * A network is the identity's: one any of its clients made usual is not
     * new for another (Terraform at home where only Boto3 had been). Roaming
     * is a client's: a usual client roams when it has ROAMING usual networks
     * itself, a new client when the identity has.
     */
    nv->net_new = !usual && !roams(c, client_usual ? bit : 0, ev->time_ms, learn_ms);
    if (nv->net_new && web_identity_prefix(cfg, seed, ct) &&
        !cm_ct_context_inside_aws(c, cfg, seed, ev->time_ms, learn_ms)) {
        nv->net_new = false;
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
