/*
 * The plan of gen_sc_dns_dga.h: dga-dns-burst (one hour), in groups of
 * queries at fixed offsets from the run's start.
 *
 * The bot (an app-tier instance) asks ten candidates of its DGA from 600 s,
 * one every 6 s, all NXDOMAIN but two that resolve to a C&C address: the
 * detector's weighted sum (an NXDOMAIN domain 2, a resolving one 1)
 * reaches the burst of 8 at the fifth, which fires with count 5, and the
 * next five wait for the next report. Twelve minutes on (1300 s) it asks
 * ten more, all NXDOMAIN: the fourth of them is the next burst past the
 * ten-minute rate limit, reported with count 5 + 4 = 9. The last six come
 * after the last report and no query follows them: the instance's entry
 * reports them when it expires, an hour after its last DGA-like query or at
 * the end of the input (before 2026-12-05 they were never counted, and the
 * finding counted 14): the finding counts 20.
 *
 * Near misses, each group in the logs with a marker (the first query's
 * name and source, '&'-separated) and none counted:
 *   - another instance (web tier) asks random-looking cloud and CDN hosts:
 *     CloudFront distributions, S3 buckets with random names (global and
 *     regional endpoints), Kubernetes load balancers (32 hex), ACM DNS
 *     validation records of its own domain and their acm-validations.aws
 *     targets, Akamai edge hosts; the cloud suffixes score 0 and the others
 *     are scored on ordinary labels;
 *   - the same instance asks seven DGA candidates that resolve within a
 *     minute: a burst one short (7 of 8);
 *   - later, one odd DGA-like name, NXDOMAIN, six times: one name is never a
 *     burst;
 *   - an on-premises client (no instance in srcids, through the inbound
 *     resolver endpoint) asks twenty candidates, NXDOMAIN.
 */
#include "gen/gen_sc_dns_dga.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_dns.h"
#include "gen/gen_sc_intel.h"

#define ONPREM_CLIENT CM_GEN_SC_IP4(192, 168, 10, 25) /* an office workstation */
#define CNC_ANSWER    (CM_GEN_SC_NET_CNC + 77)        /* where two candidates resolve */
#define CDN_ANSWER    CM_GEN_SC_IP4(203, 0, 113, 0)   /* cloud hosts' answers (+ k) */
#define TYPE          "Trojan:EC2/DGADomainRequest.B"

enum who { BOT = 0, NEAR, ONPREM };

enum what { W_DGA = 0, W_CLOUDFRONT, W_S3, W_ELB, W_ACM, W_ACM_TARGET, W_AKAMAI };

/* A group of queries: n of them from at, one every step seconds. */
struct group {
    uint16_t at, step;
    uint8_t n;
    uint8_t who;       /* enum who */
    uint8_t what;      /* enum what */
    uint16_t k0;       /* first name number (DGA candidate or cloud host) */
    bool same;         /* every query asks name k0 */
    uint16_t answered; /* DGA groups: bit i set: query i resolves (NOERROR), else NXDOMAIN */
    uint8_t hits;      /* the first hits queries are counted by the finding */
    const char *near;  /* the near miss it shows, or NULL for the bot's own queries */
};

static const struct group plan[] = {
    /* the bot: two bursts ten minutes apart */
    {600, 6, 10, BOT, W_DGA, 0, false, (1u << 2) | (1u << 6), 10, NULL},
    {1300, 6, 10, BOT, W_DGA, 10, false, 0, 10, NULL},
    /* near misses: cloud and CDN hosts with random-looking labels */
    {1000, 3, 10, NEAR, W_CLOUDFRONT, 0, false, 0, 0, "cloudfront"},
    {1100, 3, 8, NEAR, W_S3, 0, false, 0, 0, "s3"},
    {1200, 3, 6, NEAR, W_ELB, 0, false, 0, 0, "elb"},
    {1400, 3, 6, NEAR, W_ACM, 0, false, 0, 0, "acm"},
    {1450, 3, 6, NEAR, W_ACM_TARGET, 0, false, 0, 0, "acm-target"},
    {1500, 3, 4, NEAR, W_AKAMAI, 0, false, 0, 0, "akamai"},
    /* ... a burst one short, then one odd name */
    {2000, 5, 7, NEAR, W_DGA, 101, false, 0x7f, 0, "short"},
    {2900, 10, 6, NEAR, W_DGA, 100, true, 0, 0, "odd"},
    /* ... a client on premises */
    {1700, 2, 20, ONPREM, W_DGA, 200, false, 0, 0, "onprem"},
};

#define NGROUPS (sizeof(plan) / sizeof(plan[0]))

void cm_gen_dga_name(const struct cm_gen_world *w, unsigned k, char *out, size_t n)
{
    static const char *const tlds[] = {"com", "net", "org", "info", "biz", "ru"};
    static const char cons[] = "bcdfghjklmnpqrstvwxz", vow[] = "aeiouy";
    struct cm_gen_rng r;
    char label[24];
    unsigned len;

    cm_gen_rng_derive(&r, w->seed, 0x64676162ULL /* "dgab" */, k, 0);
    len = 15 + cm_gen_rng_below(&r, 6);
    for (unsigned i = 0; i < len; i++) {
        label[i] = cm_gen_rng_below(&r, 100) < 88 ? cons[cm_gen_rng_below(&r, 20)]
                                                  : vow[cm_gen_rng_below(&r, 6)];
    }
    label[len] = '\0';
    snprintf(out, n, "%s.%s", label, tlds[cm_gen_rng_below(&r, 6)]);
}

/* Cloud host k of kind what in world w. */
static void cloud_name(const struct cm_gen_world *w, enum what what, unsigned k, char *out,
                       size_t n)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    struct cm_gen_rng r;
    char a[40], b[16];

    cm_gen_rng_derive(&r, w->seed, 0x64676163ULL /* "dgac" */, what, k);
    switch (what) {
    case W_CLOUDFRONT:
        cm_gen_rng_chars(&r, a, 13, alnum, 36);
        a[13] = '\0';
        snprintf(out, n, "d%s.cloudfront.net", a);
        break;
    case W_S3:
        cm_gen_rng_chars(&r, a, 20, alnum, 36);
        a[20] = '\0';
        snprintf(out, n, "%s.%s", a, k % 2 ? "s3.amazonaws.com" : "s3.us-east-1.amazonaws.com");
        break;
    case W_ELB:
        cm_gen_rng_hex(&r, a, 32);
        a[32] = '\0';
        cm_gen_rng_chars(&r, b, 10, "0123456789", 10);
        b[10] = '\0';
        snprintf(out, n, "%s-%s.us-east-1.elb.amazonaws.com", a, b);
        break;
    case W_ACM:
        cm_gen_rng_hex(&r, a, 32);
        a[32] = '\0';
        snprintf(out, n, "_%s.%s.acme-payments.com", a, k % 2 ? "www" : "api");
        break;
    case W_ACM_TARGET:
        cm_gen_rng_hex(&r, a, 32);
        a[32] = '\0';
        cm_gen_rng_chars(&r, b, 10, alnum, 36);
        b[10] = '\0';
        snprintf(out, n, "_%s.%s.acm-validations.aws", a, b);
        break;
    default: /* W_AKAMAI */
        snprintf(out, n, "e%u.a.akamaiedge.net", 1000 + cm_gen_rng_below(&r, 90000));
        break;
    }
}

/* The name of query i of group g. */
static void name_of(const struct cm_gen_world *w, const struct group *g, unsigned i, char *out,
                    size_t n)
{
    unsigned k = g->k0 + (g->same ? 0 : i);

    if (g->what == W_DGA) {
        cm_gen_dga_name(w, k, out, n);
    } else {
        cloud_name(w, (enum what)g->what, k, out, n);
    }
}

/* The bot and the near-miss instance (world indexes; -1: none). */
static void actors(const struct cm_gen_world *w, long *bot, long *near)
{
    *bot = cm_gen_sc_instance(w, CM_GEN_TIER_APP, -1);
    *near = *bot < 0 ? -1 : cm_gen_sc_instance(w, CM_GEN_TIER_WEB, *bot);
}

static void query(struct cm_gen_file *f, const struct group *g, unsigned i,
                  const struct cm_gen_instance *in, int64_t t)
{
    const struct cm_gen_world *w = f->env->world;
    struct cm_gen_dns_answer ans[1];
    struct cm_gen_dns_query q;
    char name[160], ip[16], target[160];
    bool answered;

    memset(&q, 0, sizeof(q));
    name_of(w, g, i, name, sizeof(name));
    answered = g->what != W_DGA || (g->answered >> i) & 1u;
    q.t = t;
    q.in = g->who == ONPREM ? NULL : in;
    q.srcaddr = ONPREM_CLIENT;
    q.srcport = (uint16_t)(32768 + cm_gen_hash4(w->seed, 0x64676171ULL, g->at, i) % 28232);
    q.name = name;
    q.qtype = g->what == W_ACM ? "CNAME" : "A";
    q.rcode = answered ? "NOERROR" : "NXDOMAIN";
    if (answered && g->what == W_ACM) {
        size_t tn;

        cloud_name(w, W_ACM_TARGET, g->k0 + i, target, sizeof(target) - 1);
        tn = strlen(target);
        target[tn] = '.'; /* the CNAME target as logged, fully qualified */
        target[tn + 1] = '\0';
        ans[0].rdata = target;
        ans[0].type = "CNAME";
        q.nanswers = 1;
    } else if (answered) {
        cm_gen_sc_ip_str(g->what == W_DGA ? CNC_ANSWER : CDN_ANSWER + 1 + (i % 200), ip);
        ans[0].rdata = ip;
        ans[0].type = "A";
        q.nanswers = 1;
    }
    q.answers = ans;
    cm_gen_dns_write(f, &q);
}

static int dga_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct cm_gen_world *w = f->env->world;
    long bot, near;

    (void)sc;
    actors(w, &bot, &near);
    if (f->kind != CM_GEN_DNS || bot < 0) {
        return 0;
    }
    for (size_t gi = 0; gi < NGROUPS; gi++) {
        const struct group *g = &plan[gi];
        long who = g->who == NEAR ? near : bot;

        if (who < 0) {
            continue;
        }
        for (unsigned i = 0; i < g->n; i++) {
            int64_t t = cm_gen_sc_time(f, g->at + g->step * i);

            if (cm_gen_sc_in_file(f, t)) {
                query(f, g, i, &w->instances[who], t);
            }
        }
    }
    return f->t.err;
}

static int dga_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                      const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    long bot, near;
    char name[160], mark[256];

    (void)c;
    actors(w, &bot, &near);
    if (bot < 0) {
        return CM_ENOTFOUND;
    }
    memset(e, 0, sizeof(*e));
    e->type = sc->finding_types;
    e->list = NULL; /* the model's finding: no threat list */
    e->severity = 8.0;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[bot].id);
    snprintf(e->info, sizeof(e->info), "windowSeconds=600");
    for (size_t gi = 0; gi < NGROUPS; gi++) {
        const struct group *g = &plan[gi];

        e->count += g->hits;
        if (g->near == NULL || (g->who == NEAR && near < 0)) {
            continue;
        }
        name_of(w, g, 0, name, sizeof(name));
        if (g->who == ONPREM) {
            char ip[16];

            cm_gen_sc_ip_str(ONPREM_CLIENT, ip);
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"&\"srcaddr\":\"%s\"", name, ip);
        } else {
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"&\"instance\":\"%s\"", name,
                     w->instances[near].id);
        }
        if (cm_gen_sc_note_near(e, mark) != 0) {
            return CM_E2BIG;
        }
    }
    return 1;
}

const struct cm_gen_scenario cm_gen_sc_dga_dns_burst = {
    "dga-dns-burst", TYPE, CM_GEN_KIND_BIT(CM_GEN_DNS), dga_emit, NULL, dga_expect, plan, NULL};
