/*
 * Domain reputation (issue #7): Impact:EC2/AbusedDomainRequest.Reputation,
 * BitcoinDomainRequest.Reputation, MaliciousDomainRequest.Reputation and
 * SuspiciousDomainRequest.Reputation. docs/detectors/dns-reputation.md
 * gives every feature, weight, default and near miss with the reasons;
 * this comment is the contract in short.
 *
 * The score. cm_dns_rep_score (dns_rep_score.c) is the stateless part (provider,
 * TLD, DGA, crypto; see dns_reputation.h). The detector adds closeness to
 * listed infrastructure: an A/AAAA answer on a threat list (any category but
 * sink-holes, which are intel_dns.c's BlackholeTraffic!DNS, and Tor and
 * scanner lists, which say nothing about a name) or a CNAME target on one;
 * 0.9 as a component, a mining list counting as crypto instead.
 *
 * New in the environment. A name with nothing against it but its score
 * fires only for a "site" (registered domain; one label more under a
 * provider the PSL does not know) new to the environment: first asked by an
 * instance of the account after the account's learning period (learn_ms of
 * event time from its first query), and for new_ms after that first
 * sighting. A top domain is as quiet as any other known one, whatever its
 * score. A name that is itself evidence (cm_dns_rep_strong, dns_rep_names.c:
 * a tunnel or callback
 * catcher's host, a mining pool's service host) fires whatever the history,
 * as GuardDuty's reputation does: a miner or a callback that was running
 * before the logs began, or during the learning day, is still reported, and
 * never becomes "history". Such a site is judged as known (never Suspicious,
 * no "new").
 *
 * Types, for a new site, in this order:
 *   - score below suspicious_score: nothing;
 *   - Bitcoin: crypto is the strongest component and at least 0.5 (a pool
 *     brand, a coin word with a mining word, a stratum label, an answer on a
 *     mining list);
 *   - Malicious: an answer or CNAME target on a threat list, or a DGA score
 *     of at least dga_high with the query failing (NXDOMAIN) or an abused
 *     provider or TLD (a generated-looking name that resolves is more often
 *     a brand: cdn.fwupd.org scores 0.99);
 *   - Abused: score at least min_score with an abused provider or TLD among
 *     the reasons;
 *   - Suspicious: fewer than rare_instances instances asked for the site;
 *   - else nothing (a new site the fleet adopted at once is a roll-out).
 * A name on a threat or trusted list is left to intel_dns.c and the trusted
 * rule: no reputation finding for it (MaliciousDomainRequest.Reputation of
 * a malicious_domain list entry is intel_dns.c's).
 *
 * Emission: the first query of an (instance, site) that classifies fires
 * at once; later ones are counted and reported at most once per report_ms
 * (d.count the queries since the last report, d.first_ms the first of them),
 * at once when the type rises (Suspicious < Abused < Bitcoin < Malicious),
 * or, when no query comes a report window on, as the hit expires (two
 * report windows after its last query; the end of input too), built from
 * the last of them (struct cm_dns_kept, with its instance and the askers).
 * A pair's hit remembers what its answers showed (closeness to listed
 * infrastructure, a failure): every later query of the pair is judged and
 * described with it, so an AAAA query with no answer or a rotated address
 * is the same activity with the same evidence. d.info: the name, the site,
 * the score, the DGA score, the reasons and the instances that asked.
 *
 * State, all cm_state tables: names (query-name hash -> known / ignored /
 * watch; memcap name_max_entries, TTL a day) lets a query of a known name
 * end after one look-up with no scoring or site look-up; a
 * known name is judged again once an hour, which keeps its site alive (and
 * settles a name a state file of an earlier rule holds as known).
 * domains ((account, site) hash -> first sighting, instances; memcap
 * domain_max_entries, TTL domain_ttl_ms) for known sites, fresh (the
 * same, same memcap) for new ones, which any instance can make by the
 * thousand: they evict only each other. accounts (account -> first query;
 * 4096, never idle long enough to expire, so a quiet account does not
 * learn again) only on a site's creation. hits ((instance, site)
 * -> the report window and the last query since the last report, 712
 * bytes; memcap hit_max_entries, TTL 2 report_ms) only for new sites and
 * strong names that classify. Full tables evict the least recently seen entry
 * and count it; an evicted site comes back as new (rarely asked sites go
 * first). Each shard learns from its own instances.
 */
#include "detect/dns_reputation.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "detect/dns.h"
#include "detect/dns_kept.h"
#include "detect/dns_rep_impl.h"
#include "detect/dns_rep_state.h"
#include "detect/dns_tunings.h"
#include "detect/intel.h"
#include "detect/ckpt.h"
#include "detect/state.h"

/*
 * Learning: a day of event time per account. Servers resolve what they use
 * over a daily cycle (backups, updates, reports, log shipping); a day sees
 * it. The flow baselines (flow_host.c) use the same day.
 */
#define CM_DNS_REP_LEARN_MS (24LL * 3600 * 1000)
/*
 * A site first seen after learning stays new for a day: long enough to
 * cover a beacon's or a miner's first day, short enough that a vendor the
 * environment adopted stops being "new" the next day.
 */
#define CM_DNS_REP_NEW_MS (24LL * 3600 * 1000)
/* One detection per (instance, site) per hour: the aggregator folds them into one finding. */
#define CM_DNS_REP_REPORT_MS (3600LL * 1000)
/*
 * Scores. 0.45 is below each abused provider class alone (0.5 to 0.65), a
 * Freenom TLD (0.5), a pool brand (0.9) or coin-and-mining words (0.6), and
 * above any other single TLD weight (at most 0.3) or a coin word (0.2):
 * one strong reason or two weaker ones. 0.30 lets the worst cheap gTLDs
 * (top, icu, sbs, cfd...) alone, or a DGA score of 0.8 and up alone,
 * make a new and rarely asked site Suspicious; xyz (0.2) alone does not.
 * On the 100,000 top domains scored as if new: docs/detectors/dns-reputation.md.
 */
#define CM_DNS_REP_MIN_SCORE        0.45
#define CM_DNS_REP_SUSPICIOUS_SCORE 0.30
/*
 * A DGA score of 0.95 makes a new site Malicious: none of the 100,000 top
 * domains scores that high (3 pass 0.9), 4 of the 10,000 random-looking
 * benign names of ../shared/data/dns-dga do, and 52% (conficker) to 100%
 * of the DGA families' names. A single odd name under that is left to the
 * DGA detector's bursts (dns_dga.c).
 */
#define CM_DNS_REP_DGA_HIGH 0.95
/* Suspicious only while fewer than 3 instances asked: low popularity in the environment. */
#define CM_DNS_REP_RARE_INSTANCES 3u
/* A site nobody asked for in 30 days is forgotten (and new again when it returns). */
#define CM_DNS_REP_DOMAIN_TTL_MS (30LL * 24 * 3600 * 1000)
/*
 * Memcaps. A site entry is 24 bytes of value and 8 of key, about 110 bytes
 * with the table's overhead: 262144 sites, about 28 MiB. A name entry is 16
 * and 8, about 100 bytes: 262144 names, about 26 MiB. Hits exist only for
 * new sites that score, a few per instance, each alive two hours after its
 * last query; one is 712 bytes of value (the kept query for a report at
 * expiry) and 16 of key, about 820 bytes with the overhead: 32768 hits,
 * about 26 MiB (65536 hits of 16 bytes, about 8 MiB, before 2026-12-05).
 */
#define CM_DNS_REP_DOMAIN_MAX (256u * 1024)
#define CM_DNS_REP_NAME_MAX   (256u * 1024)
#define CM_DNS_REP_HIT_MAX    (32u * 1024)

#define NAME_TTL_MS (24LL * 3600 * 1000) /* a name cache entry idle this long goes */
#define RECHECK_S   3600u                /* a known name is judged again this often */
#define ACCOUNT_MAX 4096u
/* An account's learning is remembered for ten years: a quiet account must not learn again. */
#define ACCOUNT_TTL_MS (10LL * 366 * 24 * 3600 * 1000)
#define ACCOUNT_KEY    64  /* account ids longer than this are cut (they are 12 digits) */
#define LISTED_WEIGHT  0.9 /* closeness to listed infrastructure, as a component */

#define TYPE_SUSPICIOUS "Impact:EC2/SuspiciousDomainRequest.Reputation"
#define TYPE_ABUSED     "Impact:EC2/AbusedDomainRequest.Reputation"
#define TYPE_BITCOIN    "Impact:EC2/BitcoinDomainRequest.Reputation"
#define TYPE_MALICIOUS  "Impact:EC2/MaliciousDomainRequest.Reputation"

static const char *const type_name[] = {
    [RT_NONE] = NULL,
    [RT_SUSPICIOUS] = TYPE_SUSPICIOUS,
    [RT_ABUSED] = TYPE_ABUSED,
    [RT_BITCOIN] = TYPE_BITCOIN,
    [RT_MALICIOUS] = TYPE_MALICIOUS,
};

static const char *const types[] = {
    TYPE_ABUSED, TYPE_BITCOIN, TYPE_MALICIOUS, TYPE_SUSPICIOUS, NULL,
};

/* Unix seconds of event time ms, clamped to what a uint32 holds. */
static uint32_t secs(int64_t ms)
{
    return ms <= 0 ? 0 : ms / 1000 > UINT32_MAX ? UINT32_MAX : (uint32_t)(ms / 1000);
}

/* Whole seconds of ms, rounded up, at least 1. */
static uint32_t span_s(int64_t ms)
{
    int64_t s = ms / 1000 + (ms % 1000 > 0); /* rounded up, without overflow near INT64_MAX */

    return s < 1 ? 1 : s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static void defaults(struct cm_dns_rep_tuning *t)
{
    if (t->learn_ms <= 0) {
        t->learn_ms = CM_DNS_REP_LEARN_MS;
    }
    if (t->new_ms <= 0) {
        t->new_ms = CM_DNS_REP_NEW_MS;
    }
    if (t->report_ms <= 0) {
        t->report_ms = CM_DNS_REP_REPORT_MS;
    }
    if (t->min_score <= 0) {
        t->min_score = CM_DNS_REP_MIN_SCORE;
    }
    if (t->suspicious_score <= 0) {
        t->suspicious_score = CM_DNS_REP_SUSPICIOUS_SCORE;
    }
    if (t->dga_high <= 0) {
        t->dga_high = CM_DNS_REP_DGA_HIGH;
    }
    if (t->rare_instances == 0) {
        t->rare_instances = CM_DNS_REP_RARE_INSTANCES;
    }
    if (t->domain_ttl_ms <= 0) {
        t->domain_ttl_ms = CM_DNS_REP_DOMAIN_TTL_MS;
    }
    if (t->domain_max_entries == 0) {
        t->domain_max_entries = CM_DNS_REP_DOMAIN_MAX;
    }
    if (t->name_max_entries == 0) {
        t->name_max_entries = CM_DNS_REP_NAME_MAX;
    }
    if (t->hit_max_entries == 0) {
        t->hit_max_entries = CM_DNS_REP_HIT_MAX;
    }
}

static void finish(void *state)
{
    struct dns_rep *r = state;

    if (r != NULL) {
        cm_state_destroy(r->names);
        cm_state_destroy(r->domains);
        cm_state_destroy(r->fresh);
        cm_state_destroy(r->accounts);
        cm_state_destroy(r->hits);
        cm_dns_tables_destroy(r->tables);
        cm_free(r);
    }
}

static int make_table(struct cm_state **out, uint64_t seed, size_t val, size_t max, int64_t ttl)
{
    struct cm_state_opts so;

    memset(&so, 0, sizeof(so));
    so.seed = seed;
    so.val_size = val;
    so.max_entries = max;
    so.ttl_ms = ttl;
    return cm_state_create(out, &so);
}

static bool unit(double x)
{
    return x >= 0.0 && x <= 1.0;
}

int cm_dns_reputation_init(void **state, const struct cm_detect_opts *opts,
                           const struct cm_dns_rep_tuning *t)
{
    struct dns_rep *r = cm_calloc(1, sizeof(*r));
    int rc;

    if (r == NULL) {
        return CM_ENOMEM;
    }
    if (t != NULL) {
        r->t = *t;
    }
    defaults(&r->t);
    if (!unit(r->t.min_score) || !unit(r->t.suspicious_score) || !unit(r->t.dga_high) ||
        r->t.rare_instances > INST_SLOTS + 1) {
        rc = CM_EINVAL;
        goto fail;
    }
    r->cfg = opts ? opts->config : NULL;
    r->memo = opts ? opts->memo : NULL;
    r->seed = opts ? opts->seed : 0;
    r->learn_s = span_s(r->t.learn_ms);
    r->new_s = span_s(r->t.new_ms);
    r->report_s = span_s(r->t.report_ms);
    if ((rc = make_table(&r->names, r->seed, sizeof(struct name), r->t.name_max_entries,
                         NAME_TTL_MS)) != 0 ||
        (rc = make_table(&r->domains, r->seed, sizeof(struct domain), r->t.domain_max_entries,
                         r->t.domain_ttl_ms)) != 0 ||
        (rc = make_table(&r->fresh, r->seed ^ 1, sizeof(struct domain), r->t.domain_max_entries,
                         r->t.domain_ttl_ms)) != 0 ||
        (rc = make_table(&r->accounts, r->seed, sizeof(struct account), ACCOUNT_MAX,
                         ACCOUNT_TTL_MS)) != 0 ||
        (rc = make_table(&r->hits, r->seed, sizeof(struct hit), r->t.hit_max_entries,
                         r->t.report_ms > INT64_MAX / 2 ? INT64_MAX : 2 * r->t.report_ms)) != 0 ||
        (rc = cm_dns_tables_create(&r->tables)) != 0) {
        goto fail;
    }
    *state = r;
    return CM_OK;
fail:
    finish(r);
    return rc;
}

static int init(void **state, const struct cm_detect_opts *opts)
{
    const struct cm_detect_config *c = opts ? opts->config : NULL;

    return cm_dns_reputation_init(state, opts, c && c->dns ? &c->dns->rep : NULL);
}

static void stats(const void *state, struct cm_state_stats *sum)
{
    const struct dns_rep *r = state;

    cm_state_stats_add(sum, r->names);
    cm_state_stats_add(sum, r->domains);
    cm_state_stats_add(sum, r->fresh);
    cm_state_stats_add(sum, r->accounts);
    cm_state_stats_add(sum, r->hits);
}

/* ---- classification and emission ---- */

/* The type of a new site's query scored rep in context x (see the top of the file). */
static enum rep_type classify(const struct cm_dns_rep_tuning *t, const struct cm_dns_rep *rep,
                              const struct cm_dns_rep_context *x, double *score)
{
    double crypto = rep->crypto, near = x->listed ? LISTED_WEIGHT : 0.0;
    bool dga_high = rep->dga_applies && rep->dga >= t->dga_high;

    if (x->mining && crypto < LISTED_WEIGHT) {
        crypto = LISTED_WEIGHT;
    }
    *score = 1.0 - (1.0 - rep->provider) * (1.0 - rep->tld) * (1.0 - rep->dga_part) *
                       (1.0 - crypto) * (1.0 - near);
    if (*score < t->suspicious_score) {
        return RT_NONE;
    }
    if (crypto >= CM_DNS_REP_CRYPTO_BITCOIN && crypto >= near && crypto >= rep->dga_part) {
        return RT_BITCOIN;
    }
    /* A generated-looking name that resolves, alone, is more often a brand than a bot's. */
    if (near > 0 ||
        (dga_high && (x->nxdomain || (rep->reasons & (CM_DNSR_PROVIDER | CM_DNSR_TLD))))) {
        return RT_MALICIOUS;
    }
    if (*score >= t->min_score && (rep->reasons & (CM_DNSR_PROVIDER | CM_DNSR_TLD))) {
        return RT_ABUSED;
    }
    /* Only the DGA score, and the name resolves: a developer's CDN as often as a bot's
     * server (unpkg.com scores 0.95, yarnpkg.com 0.82), so the score must be high. */
    if (rep->reasons == CM_DNSR_DGA && near == 0 && crypto == 0 && !x->nxdomain && !dga_high) {
        return RT_NONE;
    }
    if (x->instances < t->rare_instances) {
        return RT_SUSPICIOUS;
    }
    return RT_NONE;
}

const char *cm_dns_rep_type(const struct cm_dns_rep *rep, const struct cm_dns_rep_tuning *t,
                            const struct cm_dns_rep_context *x, double *score)
{
    struct cm_dns_rep_tuning d;
    double sc;

    memset(&d, 0, sizeof(d));
    if (t != NULL) {
        d = *t;
    }
    defaults(&d);
    return type_name[classify(&d, rep, x, score ? score : &sc)];
}

static int emit(struct dns_rep *r, const struct cm_event *ev, enum rep_type type, uint32_t count,
                int64_t first_ms, struct cm_sink *sink)
{
    struct cm_detection d;

    cm_dns_detection(&d, ev, type_name[type]);
    d.count = count > 0 ? count : 1;
    d.first_ms = first_ms < d.time_ms ? first_ms : d.time_ms;
    d.info = cm_str_cstr(r->info);
    return cm_sink_emit(sink, &d);
}

/*
 * Adds to c (a query's closeness) what the pair's earlier answers showed,
 * was: the lists they were on; the listed answer or CNAME target named is
 * c's own when it has one (the latest occurrence), else the earlier one.
 */
static void closeness_merge(struct cm_dns_rep_closeness *c, const struct cm_dns_rep_closeness *was)
{
    if (c->what[0] == '\0') {
        memcpy(c->what, was->what, sizeof(c->what));
        c->reasons = was->reasons;
    }
    c->mining = c->mining || was->mining;
    c->other = c->other || was->other;
}

/*
 * Keeps ev (its name parsed as d; flags HF_NEW, HF_RARE; ninst askers) as
 * h's last query, for a report at expiry.
 */
static void keep(struct hit *h, const struct cm_event *ev, const struct cm_domain *d,
                 unsigned flags, unsigned ninst)
{
    struct cm_str inst = ev->u.dns.srcid_instance;

    if (inst.len > INST_MAX || (h->last.time_ms != INT64_MIN && ev->time_ms < h->last.time_ms)) {
        return; /* an id too long to keep; a late record: the newest is kept */
    }
    cm_dns_kept_set(&h->last, ev, cm_str_make(d->name, d->len));
    memcpy(h->inst, inst.p, inst.len);
    h->inst_len = (uint8_t)inst.len;
    h->flags = (uint8_t)((h->flags & HF_NX) | flags);
    h->ninst = (uint8_t)(ninst < UINT8_MAX ? ninst : UINT8_MAX);
}

/* The expiry of the hit table (cm_state_cb): ud is a struct expiry. */
struct expiry {
    struct dns_rep *r;
    struct cm_sink *sink;
    int rc;
};

/*
 * The hit h, expiring: the queries it counted after its last detection are
 * reported now, built from the last of them (the report window held them for
 * a next query an hour on, which did not come: the instance stopped asking,
 * or the input ended), with the type reported so far.
 */
static void expire_cb(void *ud, const void *key, size_t klen, void *val)
{
    struct expiry *x = ud;
    struct dns_rep *r = x->r;
    struct hit *h = val;
    struct cm_event *ev = &r->ev;
    struct cm_dns_rep_context cx;
    struct cm_dns_rep rep;
    double score;
    unsigned reasons;

    (void)key;
    (void)klen;
    if (x->rc != CM_OK || h->pending == 0 || h->inst_len == 0 ||
        !cm_dns_kept_event(&h->last, cm_str_make(h->inst, h->inst_len), ev) ||
        cm_domain_parse_psl(r->cfg != NULL ? r->cfg->psl : NULL, ev->u.dns.query_name, &r->dn) !=
            0) {
        return;
    }
    /* The score as the kept query had it: the same name, the pair's answers so far. */
    cm_dns_rep_score_with(r->tables, cm_dns_model(r->cfg), &r->dn, &rep);
    memset(&cx, 0, sizeof(cx));
    cx.listed = h->near.other;
    cx.mining = h->near.mining;
    cx.nxdomain = (h->flags & HF_NX) != 0;
    cx.instances = h->ninst;
    (void)classify(&r->t, &rep, &cx, &score);
    reasons = (h->flags & HF_NEW ? CM_DNSR_NEW : 0) | (h->flags & HF_RARE ? CM_DNSR_RARE : 0);
    cm_dns_rep_describe(r->info, sizeof(r->info), &r->dn, &rep, &h->near, reasons | h->near.reasons,
                        h->ninst, score);
    x->rc = emit(r, ev, (enum rep_type)h->type, h->pending, (int64_t)h->first_s * 1000, x->sink);
    h->pending = 0;
}

static int on_tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct dns_rep *r = state;
    struct expiry x = {r, sink, CM_OK};

    cm_state_expire(r->names, watermark_ms, NULL, NULL);
    cm_state_expire(r->domains, watermark_ms, NULL, NULL);
    cm_state_expire(r->fresh, watermark_ms, NULL, NULL);
    cm_state_expire(r->accounts, watermark_ms, NULL, NULL);
    cm_state_expire(r->hits, watermark_ms, expire_cb, &x);
    return x.rc;
}

/* ---- the query path ---- */

/* Key of an (account, text) pair: text hashed with the account's hash as seed; never 0. */
static uint64_t key_of(uint64_t acct, const char *p, size_t n)
{
    uint64_t k = cm_hash64(p, n, acct);

    return k != 0 ? k : 1;
}

/*
 * A site that became known at t: moves from fresh to domains. Returns its
 * entry there, or NULL on CM_ENOMEM (the entry then stays in fresh).
 */
static struct domain *site_settle(struct dns_rep *r, uint64_t dkey, int64_t t)
{
    return cm_state_move(r->domains, r->fresh, &dkey, sizeof(dkey), t);
}

/*
 * The site entry of dkey for a query at t of account acct; *is_new as the
 * site stands. Known sites live in domains, new ones in fresh, so a flood of
 * new sites (one instance can ask for any number) evicts only new sites, not
 * what the environment learned.
 */
static struct domain *site_touch(struct dns_rep *r, uint64_t dkey, struct cm_str account, int64_t t,
                                 bool *is_new)
{
    size_t klen = account.len < ACCOUNT_KEY ? account.len : ACCOUNT_KEY;
    uint32_t ts = secs(t);
    bool created = false;
    bool in_fresh = cm_state_get(r->domains, &dkey, sizeof(dkey)) == NULL;
    struct domain *dom =
        cm_state_touch(in_fresh ? r->fresh : r->domains, &dkey, sizeof(dkey), t, &created);

    *is_new = false;
    if (dom == NULL) {
        return NULL;
    }
    if (created) {
        struct account *a =
            cm_state_touch(r->accounts, account.p ? account.p : "", klen, t, &created);

        if (a == NULL) {
            cm_state_del(r->fresh, &dkey, sizeof(dkey));
            return NULL;
        }
        if (created || t < a->first_ms) {
            a->first_ms = t;
        }
        dom->first_s = ts;
        dom->state = t - a->first_ms >= r->t.learn_ms ? DS_NEW : DS_KNOWN;
    } else if (ts < dom->first_s) {
        const struct account *a = cm_state_get(r->accounts, account.p ? account.p : "", klen);

        dom->first_s = ts; /* a late record: the site was seen earlier */
        if (a != NULL && t - a->first_ms < r->t.learn_ms) {
            dom->state = DS_KNOWN; /* asked while learning: the environment's history after all */
        }
    }
    if (dom->state == DS_NEW && ts >= dom->first_s && ts - dom->first_s >= r->new_s) {
        dom->state = DS_KNOWN; /* new for a while: part of the environment now */
    }
    if (in_fresh && dom->state == DS_KNOWN) {
        struct domain *known = site_settle(r, dkey, t);

        if (known == NULL) {
            return NULL;
        }
        dom = known;
    }
    *is_new = dom->state == DS_NEW;
    return dom;
}

/*
 * Counts instance hash h among the site's askers; returns how many asked,
 * exactly up to INST_SLOTS, and INST_SLOTS + 1 for "more" (past the slots
 * a new instance and a repeated one look alike: counting queries there
 * would make a busy instance many).
 */
static unsigned asker(struct domain *dom, uint32_t h)
{
    unsigned n = dom->ninst < INST_SLOTS ? dom->ninst : INST_SLOTS;

    for (unsigned i = 0; i < n; i++) {
        if (dom->inst[i] == h) {
            return dom->ninst;
        }
    }
    if (dom->ninst < INST_SLOTS) {
        dom->inst[dom->ninst++] = h;
    } else if (dom->ninst == INST_SLOTS) {
        dom->ninst++;
    }
    return dom->ninst;
}

/*
 * A query of a new site, or (is_new false) of a known one whose name is
 * cm_dns_rep_strong(): score it and report what classifies. A known site is never
 * rare (Suspicious is "new and rare").
 */
static int judge_site(struct dns_rep *r, const struct cm_event *ev, const struct cm_domain *d,
                      const struct cm_dns_rep *rep, struct domain *dom, uint64_t dkey, bool is_new,
                      struct cm_sink *sink)
{
    const struct cm_dns *q = &ev->u.dns;
    const struct cm_intel_snapshot *s = cm_detect_intel(r->cfg);
    uint64_t ih = cm_hash64(q->srcid_instance.p, q->srcid_instance.len, r->seed);
    unsigned char hkey[16];
    struct cm_dns_rep_context x;
    struct cm_dns_rep_closeness c;
    enum rep_type type;
    unsigned ninst = asker(dom, (uint32_t)ih), reasons = is_new ? CM_DNSR_NEW : 0;
    uint32_t ts = secs(ev->time_ms), count;
    int64_t first_ms;
    double score;
    bool created, check;
    struct hit *h;

    if (s != NULL && cm_detect_query_intel(r->memo, s, ev, NULL) != CM_INTEL_NONE) {
        return CM_OK; /* listed: intel_dns.c's finding; trusted: nobody's */
    }
    memcpy(hkey, &ih, 8);
    memcpy(hkey + 8, &dkey, 8);
    /*
     * A domain's records, not a host: a mail server's SPF and MX checks of a sender
     * (the site's history kept). The address look-ups the instance makes of the site
     * after its records (SPF's `a` and `mx` mechanisms, delivery) are the check's too.
     */
    check = cm_dns_rep_record_query(q) && !cm_dns_rep_strong(d, rep);
    h = cm_state_get(r->hits, hkey, sizeof(hkey));
    if (h != NULL && (h->flags & HF_CHECKED) != 0) {
        return CM_OK;
    }
    cm_dns_rep_closeness(s, q, &c);
    x.nxdomain = cm_str_eqc(q->rcode, "NXDOMAIN");
    /*
     * A pair that was reported is judged with what its earlier answers showed: its AAAA
     * queries with no answer, a rotated address, are the same activity, with the same
     * evidence (its first listed answer stays the one named until another is seen).
     */
    if (h != NULL) {
        if (check) {
            return CM_OK; /* reported before its records were asked: judged as before */
        }
        closeness_merge(&c, &h->near);
        x.nxdomain = x.nxdomain || (h->flags & HF_NX) != 0;
    }
    x.listed = c.other;
    x.mining = c.mining;
    x.instances = is_new ? ninst : UINT_MAX;
    type = classify(&r->t, rep, &x, &score);
    if (type == RT_NONE) {
        return CM_OK;
    }
    if ((h = cm_state_touch(r->hits, hkey, sizeof(hkey), ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    if (created) {
        h->last.time_ms = INT64_MIN;
    }
    if (check) {
        /* A hit that reports nothing: only what a site that classifies costs (a few a sender). */
        h->type = (uint8_t)type;
        h->flags = HF_CHECKED;
        return CM_OK;
    }
    h->near = c;
    if (x.nxdomain) {
        h->flags |= HF_NX;
    }
    if (is_new && ninst < r->t.rare_instances) {
        reasons |= CM_DNSR_RARE;
    }
    if (created || type > h->type) {
        count = created ? 1 : h->pending + 1;
        first_ms = !created && h->pending > 0 && h->first_s < ts ? (int64_t)h->first_s * 1000
                                                                 : ev->time_ms;
        h->type = (uint8_t)type;
    } else {
        if (h->pending == 0 || ts < h->first_s) {
            h->first_s = ts;
        }
        h->pending++;
        if (ts < h->reported_s || ts - h->reported_s < r->report_s) {
            /* what a report at expiry is built from (on_tick) */
            keep(h, ev, d, (is_new ? HF_NEW : 0u) | (reasons & CM_DNSR_RARE ? HF_RARE : 0u), ninst);
            return CM_OK;
        }
        count = h->pending;
        first_ms = (int64_t)h->first_s * 1000;
        type = (enum rep_type)h->type;
    }
    h->pending = 0;
    h->reported_s = ts;
    cm_dns_rep_describe(r->info, sizeof(r->info), d, rep, &c, reasons | c.reasons, ninst, score);
    return emit(r, ev, type, count, first_ms, sink);
}

/* A query whose name the cache cannot settle: parse, find the site, judge. */
static int judge(struct dns_rep *r, const struct cm_event *ev, struct name *n, uint64_t acct,
                 struct cm_sink *sink)
{
    const struct cm_dns *q = &ev->u.dns;
    const struct cm_domain *d = &q->qname; /* split by the parser */
    struct cm_dns_rep rep;
    struct domain *dom;
    uint64_t dkey;
    bool is_new;

    if (!q->qname_ok || cm_dns_rep_ignored(d)) {
        n->state = N_IGNORED;
        return CM_OK;
    }
    cm_dns_rep_score_with(r->tables, cm_dns_model(r->cfg), d, &rep);
    dkey = key_of(acct, d->name + rep.site, d->len - rep.site);
    if ((dom = site_touch(r, dkey, ev->account, ev->time_ms, &is_new)) == NULL) {
        return CM_ENOMEM;
    }
    n->dkey = dkey;
    n->checked_s = secs(ev->time_ms);
    if (!is_new && !cm_dns_rep_strong(d, &rep)) {
        n->state = N_KNOWN;
        return CM_OK;
    }
    if (!is_new && cm_detect_intel(r->cfg) != NULL &&
        cm_detect_query_intel(r->memo, cm_detect_intel(r->cfg), ev, NULL) != CM_INTEL_NONE) {
        n->state = N_KNOWN; /* listed or trusted: intel's or nobody's; settled for an hour */
        return CM_OK;
    }
    n->state = N_WATCH; /* every query of it is judged */
    return judge_site(r, ev, d, &rep, dom, dkey, is_new, sink);
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct dns_rep *r = state;
    const struct cm_dns *q = &ev->u.dns;
    uint64_t acct, nkey;
    uint32_t ts;
    struct name *n;
    bool created;

    /* Cheap tests first: the kind, an instance, a name that is no reverse or EC2 name. */
    if (ev->kind != CM_EV_DNS || !cm_str_present(q->srcid_instance) || q->srcid_instance.len == 0 ||
        !cm_str_present(q->query_name) || q->query_name.len == 0 ||
        cm_dns_rep_skip_name(q->query_name)) {
        return CM_OK;
    }
    acct = cm_hash64(ev->account.p ? ev->account.p : "", ev->account.len, r->seed);
    nkey = key_of(acct, q->query_name.p, q->query_name.len);
    if ((n = cm_state_touch(r->names, &nkey, sizeof(nkey), ev->time_ms, &created)) == NULL) {
        return CM_ENOMEM;
    }
    ts = secs(ev->time_ms);
    if (!created &&
        (n->state == N_IGNORED ||
         (n->state == N_KNOWN && (ts < n->checked_s || ts - n->checked_s < RECHECK_S)))) {
        return CM_OK;
    }
    /* A known name is judged again once an hour, which also keeps its site alive. */
    return judge(r, ev, n, acct, sink);
}

const struct cm_detector cm_detector_dns_reputation = {
    .name = "dns-reputation",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_DNS),
    .init = init,
    .on_event = on_event,
    .on_tick = on_tick,
    .finish = finish,
    .state_stats = stats,
    .state_version = DNS_REP_STATE_VERSION,
    .save = cm_dns_rep_save,
    .load = cm_dns_rep_load,
    .state_version_old = DNS_REP_STATE_VERSION_OLD,
    .load_old = cm_dns_rep_load_old,
};
