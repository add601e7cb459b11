/*
 * Trojan:EC2/DGADomainRequest.B (issue #7; dns_dga.h; the whole reasoning
 * with the numbers is in docs/detectors/dns-dga.md).
 *
 * Trigger. An instance asks, within window_ms of event time, for distinct
 * registered domains (eTLD+1, the Public Suffix List) that the DGA model (dga.h) scores at
 * least threshold (or nx_threshold, when answered NXDOMAIN), their weights summing to
 * burst or more: a DGA-like domain answered NXDOMAIN weighs nx_weight, any other 1. One odd
 * name is never a finding; a bot walking its list of candidate rendezvous domains
 * asks dozens to thousands of them, most of them unregistered. Names under
 * the private suffixes of cloud and CDN providers score 0 (cm_dga_score:
 * cloudfront.net, *.amazonaws.com, akamaiedge.net...), and a name on a
 * trusted intel list never counts. A name on a threat list still counts
 * here (intel_dns.c reports it as DGADomainRequest.C!DNS besides). Nor do
 * look-ups of a domain's records (cm_dns_record_type, cm_dns_record_label:
 * a mail server's MX, TXT, `_dmarc` and `_domainkey` queries for every
 * sender's domain): a bot resolves its candidates' addresses. Such a
 * domain's slot is marked checked (rec), and the instance's address
 * queries of it that follow (SPF's `a` and `mx` mechanisms, delivery to
 * its MX host) are not counted either.
 *
 * Emission. From on_event: the first time the sum crosses burst, then
 * at most once per window_ms per instance while the burst lasts, with
 * count = the DGA-like queries since the previous detection and first_ms
 * the earliest of them. From on_tick: an instance's entry that has fired
 * and expires (TTL_WINDOWS after its last DGA-like query; the end of input
 * too) reports the DGA-like queries it counted after its last detection,
 * built from the last of them (struct cm_dns_kept): a bot's burst that
 * goes on after its detection for less than a window would otherwise be
 * counted by nothing. additionalInfo: {"domain": the registered domain of
 * the query that fired, "dgaScore": its score, "distinctDomains": distinct
 * DGA-like registered domains in the window, "nxdomainDomains": how many of
 * them were answered NXDOMAIN, "windowSeconds": window_ms / 1000}.
 *
 * Cost per query. Field tests (a DNS query of an instance with a name);
 * then the name's score from a direct-mapped cache of 8192 entries keyed by
 * a seeded hash of the query name as logged (hosts repeat a few hundred
 * names: most queries are not scored again); on a miss one cm_dga_score
 * of the name the parser split (about 250 ns); nothing more for the
 * names below threshold, which are nearly all. A DGA-like name costs one
 * intel look-up and one cm_state look-up (the instance). No allocation
 * after init, no formatting but at emission.
 *
 * State. One cm_state table: instance id -> struct inst (the distinct
 * DGA-like domains of the window as 32-bit hashes with their time and
 * weight, MAX_SLOTS of them; once it has fired, its last DGA-like query), TTL TTL_WINDOWS windows
 * (an hour by default: an entry lives only while its instance asks DGA-like names, and long enough
 * that the queries a bot makes between bursts up to an hour apart are counted by the next burst's
 * detection), memcap max_entries, least recently seen evicted first and counted. Out-of-order
 * records: a domain's time is the newest seen for it and the window ends at the instance's newest
 * time, so a late record inside the window counts and one older than it does not.
 */
#include "intel/snapshot.h"
#include "detect/dns_dga.h"
#include "detect/dns_kept.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/ckpt.h"
#include "detect/dns.h"
#include "detect/dns_reputation.h"
#include "detect/dns_tunings.h"
#include "detect/intel.h"

/*
 * A registered domain is DGA-like at a score of 0.95. On the names of
 * ../shared/data held out of training (random split, data/dga/README.md),
 * 0.61 % of the benign names (top-100000-domains, opendns-top, the Alexa
 * rows of chrmor; many of those are themselves junk or word salad) and
 * 0.89 % of the random-looking opendns-random ones score that much, and 88 %
 * of the generated names of 27 families do. 0.99 would cut the benign rate
 * to 0.16 % but miss a quarter of the generated names; the burst below is
 * what keeps an instance quiet, so the per-name cut can afford more misses
 * of benign names than of generated ones.
 */
#define CM_DNS_DGA_THRESHOLD 0.95
/*
 * A registered domain answered NXDOMAIN is DGA-like from 0.8. The names of
 * families held out of training (the family-disjoint folds of
 * data/dga/README.md) that look least like the families the model knows,
 * dictionary compounds (matsnu, rovnix, gozi), pronounceable pseudo-words
 * (pushdo, simda, vawtrak) and conficker's short random names, score 0.95
 * 15-27 % of the time, 0.8 39-59 %: a bot of such a family asking 20
 * unregistered candidates fires with a chance of 0.34-0.82 at 0.95 alone,
 * 0.98-1.0 with this. The price is 1.4 % of held-out benign names (2.8 % of
 * the random-looking ones) against 0.5 % at 0.95, paid only by names that do
 * not resolve: a benign instance asks few unregistered registered domains
 * (typos, retired services), and needs four of them scoring 0.8 within the
 * window; one asking ten in ten minutes fires by chance about once in
 * 100,000 windows (C(10,4) 0.014^4).
 */
#define CM_DNS_DGA_NX_THRESHOLD 0.8
/*
 * Eight weighted distinct DGA-like domains within the window fire, an
 * NXDOMAIN one counting two: four unregistered DGA-like domains, or eight
 * that resolve. At 0.61 % per benign name an instance asking 100 distinct
 * registered domains in ten minutes (a busy one) expects 0.6 DGA-like ones:
 * eight happen by chance about once in 4 million windows. The generated
 * background (coalmine gen, 24 h) scores no name above 0.21; of the 70
 * background names of derived-route53 one scores above 0.59 (cdn.fwupd.org,
 * 0.99: one name is never a burst). Bots ask far more: conficker.C 500 of
 * 50000 candidates a day, cryptolocker and GameOver Zeus up to 1000, necurs
 * 2048 every four days, mostly NXDOMAIN, and usually in bursts.
 */
#define CM_DNS_DGA_BURST     8u
#define CM_DNS_DGA_NX_WEIGHT 2u
/*
 * Ten minutes: a bot tries its list in a burst (seconds to minutes), and
 * this is the longest Resolver log delivery interval, like the flow
 * detectors' report interval. Also the least time between two detections
 * of one instance (the aggregator folds them into one finding).
 */
#define CM_DNS_DGA_WINDOW_MS (10LL * 60 * 1000)
/*
 * Memcap: an entry is 1,344 bytes of value (about 1,450 with its key and the
 * table's overhead) and exists only while its instance asks DGA-like
 * names: 65536 of them take at most about 93 MiB.
 */
#define CM_DNS_DGA_MAX_ENTRIES (64u * 1024)

#define TYPE        "Trojan:EC2/DGADomainRequest.B"
#define TTL_WINDOWS 6   /* an instance's entry outlives its last DGA-like query by 6 windows */
#define MAX_SLOTS   64u /* distinct DGA-like domains remembered per instance and window */
#define MAX_BURST   64u /* burst above this is refused (MAX_SLOTS: reachable by resolving names) */
#define CACHE_SLOTS 8192u /* direct-mapped score cache (power of two) */
#define INFO_MAX    (2 * CM_DOMAIN_MAX + 160)

#define DNS_DGA_STATE_VERSION 2u /* bump when the layout save writes changes */

/* One distinct DGA-like registered domain of the window. */
struct slot {
    uint32_t h;      /* 32 bits of its seeded hash; 0: free */
    uint32_t time_s; /* newest query for it (Unix seconds) */
    uint8_t weight;  /* 1, or nx_weight once answered NXDOMAIN; 0 for a mail check (rec) */
    uint8_t nx;      /* answered NXDOMAIN at least once (nx_weight may be 1) */
    uint8_t rec;     /* its records were asked (MX, TXT, _dmarc...): a mail check, never counted */
    uint8_t pad;
};

/* What one instance asked lately. */
struct inst {
    int64_t newest_ms;   /* newest DGA-like query */
    int64_t reported_ms; /* latest detection; INT64_MIN: none */
    int64_t first_ms;    /* earliest DGA-like query not yet reported */
    uint32_t pending;    /* DGA-like queries not yet reported */
    uint32_t nslots;
    struct slot slot[MAX_SLOTS];
    /* Once the instance has fired: its last DGA-like query, for a report at expiry. */
    struct cm_dns_kept last;
    double last_score; /* its registered domain's score */
    uint32_t last_reg; /* the length of its registered domain, the end of its name */
    uint32_t pad;
};

/* A query name's score, remembered. */
struct cache_entry {
    uint64_t h;   /* seeded hash of the query name as logged; 0: empty */
    double score; /* its registered domain's score; 0 when it has none (a double: the
                     threshold is one, and a float rounds 0.95 just below it) */
    uint32_t reg; /* 32 bits of the seeded hash of its registered domain (never 0) */
};

struct dns_dga {
    struct cm_state *insts; /* instance id -> struct inst */
    struct cm_dns_dga_tuning t;
    const struct cm_detect_config *cfg;
    struct cm_intel_memo *memo;              /* the engine's: the query name's intel verdict */
    const struct cm_dga_model *cached_model; /* the model the cache was filled with */
    uint64_t seed;
    uint32_t window_s;
    struct cm_event ev; /* a kept query, rebuilt for a report at expiry */
    struct cache_entry cache[CACHE_SLOTS];
    char info[INFO_MAX]; /* additionalInfo of the detection being emitted */
};

static const char *const types[] = {TYPE, NULL};

static void defaults(struct cm_dns_dga_tuning *t)
{
    if (t->threshold <= 0.0) {
        t->threshold = CM_DNS_DGA_THRESHOLD;
    }
    if (t->nx_threshold <= 0.0) {
        t->nx_threshold = CM_DNS_DGA_NX_THRESHOLD;
    }
    if (t->burst == 0) {
        t->burst = CM_DNS_DGA_BURST;
    }
    if (t->nx_weight == 0) {
        t->nx_weight = CM_DNS_DGA_NX_WEIGHT;
    }
    if (t->window_ms <= 0) {
        t->window_ms = CM_DNS_DGA_WINDOW_MS;
    }
    if (t->max_entries == 0) {
        t->max_entries = CM_DNS_DGA_MAX_ENTRIES;
    }
}

static void finish(void *state)
{
    struct dns_dga *g = state;

    if (g != NULL) {
        cm_state_destroy(g->insts);
        cm_free(g);
    }
}

int cm_dns_dga_init(void **state, const struct cm_detect_opts *opts,
                    const struct cm_dns_dga_tuning *t)
{
    struct dns_dga *g = cm_calloc(1, sizeof(*g));
    struct cm_state_opts so;
    int64_t win_s;
    int rc;

    *state = NULL;
    if (g == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        g->t = *t;
    }
    defaults(&g->t);
    if (g->t.threshold > 1.0 || g->t.nx_threshold > 1.0 || g->t.burst > MAX_BURST ||
        g->t.nx_weight > 255) {
        rc = CM_EINVAL;
        goto fail;
    }
    win_s = g->t.window_ms / 1000 + (g->t.window_ms % 1000 != 0);
    g->window_s = win_s > UINT32_MAX ? UINT32_MAX : (uint32_t)win_s;
    g->seed = opts != NULL ? opts->seed : 0;
    g->cfg = opts != NULL ? opts->config : NULL;
    g->memo = opts != NULL ? opts->memo : NULL;
    memset(&so, 0, sizeof(so));
    so.val_size = sizeof(struct inst);
    so.max_entries = g->t.max_entries;
    so.ttl_ms = g->t.window_ms > INT64_MAX / TTL_WINDOWS ? INT64_MAX : g->t.window_ms * TTL_WINDOWS;
    so.seed = g->seed;
    if ((rc = cm_state_create(&g->insts, &so)) != 0) {
        goto fail;
    }
    *state = g;
    return CM_OK;
fail:
    finish(g);
    return rc;
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_dns_dga_init(state, opts, c && c->dns ? &c->dns->dga : NULL);
}

/*
 * The cache entry of query name name (whose seeded hash is h), filled on a
 * miss: one score of the parser's split name per name the cache does not hold.
 */
static const struct cache_entry *score_of(struct dns_dga *g, const struct cm_dga_model *m,
                                          const struct cm_dns *q, uint64_t h)
{
    struct cache_entry *e = &g->cache[h & (CACHE_SLOTS - 1)];
    const struct cm_domain *dom = &q->qname; /* split by the parser */

    if (m != g->cached_model) {
        memset(g->cache, 0, sizeof(g->cache)); /* a new model (reload): forget every score */
        g->cached_model = m;
    }
    if (e->h != h) {
        e->h = h;
        e->score = 0.0f;
        e->reg = 1;
        /*
         * A private namespace (.corp, .lan, .internal, .local, .home...: the
         * reputation model's, cm_dns_rep_ignored) reaches no public server, so no
         * bot can meet its C&C there; Chrome's random probes do reach it when the
         * search suffix is one ("xkqzjvbnpwe.corp"), three at every start.
         */
        if (q->qname_ok && dom->reg < dom->sfx && !cm_dns_rep_ignored(dom)) {
            struct cm_str reg = cm_domain_registered(dom);

            e->score = cm_dga_score(m, dom);
            e->reg = (uint32_t)(cm_hash64(reg.p, reg.len, g->seed) >> 32) | 1;
        }
    }
    return e;
}

/* Unix seconds of event time ms, clamped to what a uint32 holds. */
static uint32_t secs(int64_t ms)
{
    return ms <= 0 ? 0 : ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}

/*
 * The instance's window, ending at its newest time: returns its weighted sum
 * and sets *distinct and *nx.
 */
static uint32_t window_sum(const struct dns_dga *g, const struct inst *in, uint32_t *distinct,
                           uint32_t *nx)
{
    uint32_t newest = secs(in->newest_ms), from = newest > g->window_s ? newest - g->window_s : 0;
    uint32_t sum = 0, k = 0;

    *distinct = *nx = 0;
    for (uint32_t i = 0; i < in->nslots; i++) {
        if (in->slot[i].time_s >= from && !in->slot[i].rec) {
            sum += in->slot[i].weight;
            k++;
            *nx += in->slot[i].nx;
        }
    }
    *distinct = k;
    return sum;
}

/* The instance's slot of domain h, or NULL. */
static struct slot *find(struct inst *in, uint32_t h)
{
    for (uint32_t i = 0; i < in->nslots; i++) {
        if (in->slot[i].h == h) {
            return &in->slot[i];
        }
    }
    return NULL;
}

/*
 * The slot of domain h at ts: its own, else a free one, else the oldest one
 * gives way; NULL when every remembered domain is newer than this late one.
 */
static struct slot *slot_for(struct inst *in, uint32_t h, uint32_t ts)
{
    uint32_t oldest = 0;
    struct slot *s = find(in, h);

    if (s != NULL) {
        return s;
    }
    for (uint32_t i = 1; i < in->nslots; i++) {
        if (in->slot[i].time_s < in->slot[oldest].time_s) {
            oldest = i;
        }
    }
    s = in->nslots < MAX_SLOTS ? &in->slot[in->nslots++] : &in->slot[oldest];
    if (s->h != 0 && s->time_s > ts) {
        return NULL;
    }
    memset(s, 0, sizeof(*s));
    s->h = h;
    return s;
}

/*
 * Counts domain h (weight w, answered NXDOMAIN or not) at ts in the instance's window ending at its
 * newest time; returns the window's weighted sum and sets *distinct and *nx.
 */
static uint32_t count(const struct dns_dga *g, struct inst *in, uint32_t h, uint32_t ts, uint8_t w,
                      bool isnx, uint32_t *distinct, uint32_t *nx)
{
    struct slot *s = slot_for(in, h, ts);

    if (s != NULL) {
        s->time_s = ts > s->time_s ? ts : s->time_s;
        s->weight = w > s->weight ? w : s->weight;
        s->nx |= isnx;
    }
    return window_sum(g, in, distinct, nx);
}

/*
 * Marks domain h, whose records the instance asked at ts, as a mail check:
 * its address look-ups are no candidate's (a domain counted before its
 * records were asked stops counting).
 */
static void mark_checked(struct inst *in, uint32_t h, uint32_t ts)
{
    struct slot *s = slot_for(in, h, ts);

    if (s != NULL) {
        s->time_s = ts > s->time_s ? ts : s->time_s;
        s->weight = 0;
        s->nx = 0;
        s->rec = 1;
    }
}

/* Writes the additionalInfo object into g->info. */
static void info(struct dns_dga *g, struct cm_str domain, double score, uint32_t distinct,
                 uint32_t nx)
{
    char esc[2 * CM_DOMAIN_MAX + 1];
    size_t n = 0;

    for (size_t i = 0; i < domain.len && n + 2 < sizeof(esc); i++) {
        char c = domain.p[i];

        if (c == '"' || c == '\\') {
            esc[n++] = '\\';
        }
        esc[n++] = c;
    }
    esc[n] = '\0';
    snprintf(g->info, sizeof(g->info),
             "{\"domain\":\"%s\",\"dgaScore\":%.4f,\"distinctDomains\":%u,\"nxdomainDomains\":%u,"
             "\"windowSeconds\":%u}",
             esc, score, (unsigned)distinct, (unsigned)nx, (unsigned)g->window_s);
}

/* The expiry of the instance table (cm_state_cb): ud is a struct expiry. */
struct expiry {
    struct dns_dga *g;
    struct cm_sink *sink;
    int rc;
};

/*
 * The entry in of instance key (klen bytes), expiring: the DGA-like queries
 * it counted after its last detection are reported now, built from the last
 * of them (the rate limit held them for a next detection that will not come:
 * the burst ended within the window, or the input did). An entry that never
 * fired has nothing to report.
 */
static void expire_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct expiry *x = ud;
    struct dns_dga *g = x->g;
    struct inst *in = val;
    struct cm_event *ev = &g->ev;
    struct cm_detection d;
    struct cm_str name;
    char dom[CM_DOMAIN_MAX];
    uint32_t distinct, nx;
    size_t n, end;

    if (x->rc != CM_OK || in->reported_ms == INT64_MIN || in->pending == 0 ||
        !cm_dns_kept_event(&in->last, cm_str_make(key, klen), ev)) {
        return;
    }
    /* The registered domain: the end of the kept name, lowercase, as the parser gives it. */
    name = ev->u.dns.query_name;
    end = name.len > 0 && name.p[name.len - 1] == '.' ? name.len - 1 : name.len;
    n = in->last_reg <= end && in->last_reg <= sizeof(dom) ? in->last_reg : 0;
    for (size_t i = 0; i < n; i++) {
        char c = name.p[end - n + i];

        dom[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    (void)window_sum(g, in, &distinct, &nx);
    info(g, cm_str_make(dom, n), in->last_score, distinct, nx);
    cm_dns_detection(&d, ev, TYPE);
    d.count = in->pending;
    d.first_ms = in->first_ms < ev->time_ms ? in->first_ms : ev->time_ms;
    d.info = cm_str_cstr(g->info);
    in->pending = 0;
    x->rc = cm_sink_emit(x->sink, &d);
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct dns_dga *g = state;
    struct expiry x = {g, sink, CM_OK};

    cm_state_expire(g->insts, watermark_ms, expire_cb, &x);
    return x.rc;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct dns_dga *g = state;
    const struct cm_dns *q = &ev->u.dns;
    const struct cm_dga_model *m;
    const struct cm_intel_snapshot *intel;
    struct cm_intel_match match;
    struct cm_detection d;
    const struct cache_entry *e;
    struct inst *in;
    uint32_t sum, distinct, nx, reg_h;
    uint64_t h;
    int64_t t = ev->time_ms;
    double score;
    struct slot *s;
    bool created, isnx, rec;
    uint8_t w;

    /* The tests of cm_dns_from_instance, but the name's parse only on a cache miss. */
    if (ev->kind != CM_EV_DNS || !cm_str_present(q->srcid_instance) || q->srcid_instance.len == 0 ||
        !cm_str_present(q->query_name)) {
        return CM_OK;
    }
    m = cm_dns_model(g->cfg);
    h = cm_hash64(q->query_name.p, q->query_name.len, g->seed) | 1; /* 0 marks an empty entry */
    e = score_of(g, m, q, h);
    isnx = cm_str_eqc(q->rcode, "NXDOMAIN");
    /*
     * A bot resolves its candidates to reach one: look-ups of a domain's
     * records (a mail server's SPF, MX, DMARC and DKIM queries for every
     * sender's domain, spammers' random ones among them) are no DGA's, and
     * neither are the address look-ups that follow them (SPF's `a` and `mx`
     * mechanisms, delivery to the MX host): the domain is marked checked.
     */
    rec = cm_dns_record_type(q->query_type) || cm_dns_record_label(q->query_name);
    if (e->score < g->t.threshold && ((!isnx && !rec) || e->score < g->t.nx_threshold)) {
        return CM_OK;
    }
    score = e->score;
    reg_h = e->reg;
    intel = g->cfg != NULL ? g->cfg->intel : NULL;
    if (intel != NULL && cm_detect_query_intel(g->memo, intel, ev, &match) == CM_INTEL_TRUSTED) {
        return CM_OK;
    }
    in = cm_state_touch(g->insts, q->srcid_instance.p, q->srcid_instance.len, t, &created);
    if (in == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        in->reported_ms = INT64_MIN;
        in->newest_ms = t;
        in->first_ms = t;
        in->last.time_ms = INT64_MIN;
    }
    if (rec) {
        mark_checked(in, reg_h, secs(t));
        return CM_OK;
    }
    if ((s = find(in, reg_h)) != NULL && s->rec) {
        s->time_s = secs(t) > s->time_s ? secs(t) : s->time_s;
        return CM_OK; /* a checked domain's address: a mail check's */
    }
    if (t > in->newest_ms) {
        in->newest_ms = t;
    }
    if (in->pending == 0 || t < in->first_ms) {
        in->first_ms = t;
    }
    in->pending++;
    if (in->reported_ms != INT64_MIN && t >= in->last.time_ms) {
        struct cm_str reg = cm_domain_registered(&q->qname);

        /* What a report at expiry is built from (on_tick). */
        cm_dns_kept_set(&in->last, ev, reg);
        in->last_score = score;
        in->last_reg = (uint32_t)reg.len;
    }
    w = isnx ? (uint8_t)g->t.nx_weight : 1;
    sum = count(g, in, reg_h, secs(t), w, isnx, &distinct, &nx);
    if (sum < g->t.burst ||
        (in->reported_ms != INT64_MIN && in->newest_ms - in->reported_ms < g->t.window_ms)) {
        return CM_OK;
    }
    cm_dns_detection(&d, ev, TYPE);
    d.count = in->pending;
    d.first_ms = in->first_ms < t ? in->first_ms : t;
    info(g, cm_domain_registered(&q->qname), score, distinct, nx);
    d.info = cm_str_cstr(g->info);
    in->reported_ms = in->newest_ms;
    in->pending = 0;
    return cm_sink_emit(sink, &d);
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    const struct dns_dga *g = state;

    cm_state_stats_add(sum, g->insts);
}

/*
 * Checkpoints: the instance table is all the detector learns. The score
 * cache is not kept: it refills from the model, and a fresh state's
 * (zeroed, no model) is what a loaded one starts with.
 */

/*
 * Whether val is a struct inst the detector could have made: nslots bounds
 * the loops over slot[] (at most MAX_SLOTS); the kept query's lengths bound
 * its text (cm_dns_kept_valid); a slot in use has a hash
 * (never 0: count() finds free slots by it) and a weight of at least 1,
 * but a mail check's (rec 1: weight 0, nx 0);
 * nx is a 0/1 flag summed into nxdomainDomains; slots past nslots were
 * never written, so they are all zero.
 */
static bool inst_check(const void *ud, const void *key, size_t klen, const void *val)
{
    static const struct slot zero;
    const struct inst *in = val;

    (void)ud;
    (void)key;
    (void)klen;
    if (in->nslots > MAX_SLOTS || !cm_ckpt_time_set(in->newest_ms) ||
        !cm_ckpt_time_ok(in->reported_ms) || !cm_ckpt_time_set(in->first_ms)) {
        return false; /* times: their differences must not overflow */
    }
    /* The kept query: its fields' lengths, a score in [0, 1], a domain that fits its name. */
    if (!cm_dns_kept_valid(&in->last) || in->pad != 0 || in->last_reg > CM_DOMAIN_MAX ||
        !(in->last_score >= 0.0 && in->last_score <= 1.0)) {
        return false;
    }
    for (uint32_t i = 0; i < MAX_SLOTS; i++) {
        const struct slot *s = &in->slot[i];

        if (i < in->nslots ? s->h == 0 || s->rec > 1 || (s->weight == 0) != (s->rec == 1) ||
                                 (s->rec && s->nx != 0) || s->nx > 1 || s->pad != 0
                           : memcmp(s, &zero, sizeof(zero)) != 0) {
            return false;
        }
    }
    return true;
}

/* The evidence reference of an entry's kept query (renumbered across runs). */
static void inst_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    cm_dns_kept_refs(&((struct inst *)val)->last, fn, fud);
}

static const struct cm_state_codec inst_codec = {.check = inst_check, .refs = inst_refs};

static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct dns_dga *g = state;

    return cm_state_save(g->insts, w, &inst_codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct dns_dga *g = state;

    return cm_state_load(g->insts, r, &inst_codec);
}

const struct cm_detector cm_detector_dns_dga = {
    .name = "dns-dga",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = state_stats,
    .state_version = DNS_DGA_STATE_VERSION,
    .save = save,
    .load = load,
};
