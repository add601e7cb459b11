/*
 * The plans of gen_sc_dns_rep.h: metadata rebinding and the four domain
 * reputation types, in Route 53 Resolver query logs.
 *
 * metadata-dns-rebind (1 hour): the instance resolves three attacker names
 * to the metadata service: 169.254.169.254.nip.io (a wildcard-DNS name), a
 * name whose CNAME chain ends there, and a name answering fd00:ec2::254 over
 * AAAA. Near misses: AWS's own instance-data.ec2.internal, names answering
 * the VPC resolver (169.254.169.253), Amazon Time Sync (169.254.169.123) and
 * the ECS task metadata endpoint (169.254.170.2), a TXT record holding the
 * address as text, and the rebinding name asked by an on-premises client.
 *
 * The reputation plans (26 hours) attack at hour 25; their near misses are
 * names that are new too but not low-reputation (a popular domain, a bucket
 * under s3.amazonaws.com, an ordinary new .com, pool.ntp.org, the provider's
 * own site) and low-reputation names that are part of the history (asked on
 * the learning day) or asked by an on-premises client. bitcoin-domain-rep
 * (1 hour) attacks in the learning day instead: a mining pool's service host
 * is evidence in itself, whatever the history; the pool's web page
 * (www.nanopool.org) is not.
 *   abused-domain-rep: hosts of a dynamic-DNS provider (duckdns.org,
 *     ddns.net), a tunnel (trycloudflare.com) and a Freenom TLD (.tk).
 *   bitcoin-domain-rep: mining pools (nanopool, supportxmr, moneroocean)
 *     and a coin-and-pool name.
 *   malicious-domain-rep: ordinary-looking names that resolve to a listed
 *     C&C address, or through a CNAME to a listed C&C name.
 *   suspicious-domain-rep: names under cheap, much-abused TLDs (.top, .icu),
 *     asked by one instance only.
 */
#include "gen/gen_sc_dns_rep.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_dns.h"
#include "gen/gen_sc_intel.h"

enum { SRC_INSTANCE = 0, SRC_ONPREM = 1 };

#define ONPREM_CLIENT CM_GEN_SC_IP4(192, 168, 10, 24) /* an office workstation */
#define H25           (25u * 3600u)                   /* a learning day after the first hour */
#define MAX_STEPS     16

struct rep_step {
    uint32_t at;        /* seconds after the run's start; 0 ends the plan */
    uint8_t src;        /* SRC_* */
    const char *name;   /* the query name */
    const char *qtype;  /* "A", "AAAA", "TXT" */
    const char *cname;  /* a CNAME answer before the address, or NULL */
    const char *answer; /* the address (or TXT text) answered, or NULL: NXDOMAIN */
    uint8_t hit;        /* the finding counts it */
};

struct rep_plan {
    const char *list;   /* the list the plan's indicators go to, or NULL */
    const char *listed; /* a name on it, or NULL */
    uint32_t listed_ip; /* an address on it, or 0 */
    enum cm_gen_tier tier;
    unsigned hours;  /* hours a run needs */
    double severity; /* the type's severity */
    struct rep_step steps[MAX_STEPS];
};

static void query(struct cm_gen_file *f, const struct rep_step *s, const struct cm_gen_instance *in,
                  int64_t t)
{
    struct cm_gen_dns_answer ans[2];
    struct cm_gen_dns_query q;
    char target[128];
    unsigned n = 0;
    bool txt = strcmp(s->qtype, "TXT") == 0;

    memset(&q, 0, sizeof(q));
    if (s->cname != NULL) {
        snprintf(target, sizeof(target), "%s.", s->cname);
        ans[n].rdata = target;
        ans[n++].type = "CNAME";
    }
    if (s->answer != NULL) {
        ans[n].rdata = s->answer;
        ans[n++].type = txt ? "TXT" : strchr(s->answer, ':') != NULL ? "AAAA" : "A";
    }
    q.t = t;
    q.in = s->src == SRC_INSTANCE ? in : NULL;
    q.srcaddr = ONPREM_CLIENT;
    q.srcport =
        (uint16_t)(32768 + cm_gen_hash4(f->env->world->seed, 0x72657075ULL, s->at, 0) % 28232);
    q.name = s->name;
    q.qtype = s->qtype;
    q.rcode = n > 0 ? "NOERROR" : "NXDOMAIN";
    q.answers = ans;
    q.nanswers = n;
    cm_gen_dns_write(f, &q);
}

/* Whether run c is long enough for every hit of plan p. */
static bool fits(const struct rep_plan *p, const struct cm_gen_config *c)
{
    for (const struct rep_step *s = p->steps; s->at != 0; s++) {
        if (s->hit && (int64_t)s->at >= (int64_t)c->hours * 3600) {
            return false;
        }
    }
    return true;
}

static int rep_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct rep_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    long k = cm_gen_sc_instance(w, p->tier, -1);

    if (f->kind != CM_GEN_DNS || k < 0 || !fits(p, f->env->cfg)) {
        return 0;
    }
    for (const struct rep_step *s = p->steps; s->at != 0; s++) {
        int64_t t = cm_gen_sc_time(f, s->at);

        if (cm_gen_sc_in_file(f, t)) {
            query(f, s, &w->instances[k], t);
        }
    }
    return f->t.err;
}

static size_t rep_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                        struct cm_gen_intel_entry *out)
{
    const struct rep_plan *p = sc->plan;
    size_t n = 0;

    (void)w;
    if (p->list != NULL && p->listed != NULL) {
        cm_gen_sc_add_name(out, &n, p->list, p->listed);
    }
    if (p->list != NULL && p->listed_ip != 0) {
        cm_gen_sc_add_ip(out, &n, p->list, p->listed_ip);
    }
    return n;
}

static int rep_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                      const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct rep_plan *p = sc->plan;
    long k = cm_gen_sc_instance(w, p->tier, -1);
    char mark[192];

    if (k < 0 || !fits(p, c)) {
        return CM_ENOTFOUND;
    }
    memset(e, 0, sizeof(*e));
    e->type = sc->finding_types;
    e->list = NULL; /* a model's finding: no threat list is named */
    e->severity = p->severity;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[k].id);
    if (p->listed != NULL) {
        cm_gen_sc_note(e->indicators, sizeof(e->indicators), p->listed);
    }
    if (p->listed_ip != 0) {
        cm_gen_sc_note_ip(e->indicators, sizeof(e->indicators), p->listed_ip);
    }
    for (const struct rep_step *s = p->steps; s->at != 0; s++) {
        if (s->hit) {
            e->count++;
            continue;
        }
        if (s->answer != NULL) {
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"&\"Rdata\":\"%s\"", s->name,
                     s->answer);
        } else {
            snprintf(mark, sizeof(mark), "\"query_name\":\"%s.\"", s->name);
        }
        if (cm_gen_sc_note_near(e, mark) != 0) {
            return CM_E2BIG;
        }
    }
    return 1;
}

static size_t rep_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                        struct cm_gen_need *out)
{
    const struct rep_plan *p = sc->plan;

    (void)w;
    return cm_gen_sc_need_hours(p->hours, out);
}

#define REP_SCENARIO(var, nm, type, pl)                                                            \
    const struct cm_gen_scenario var = {                                                           \
        nm, type, CM_GEN_KIND_BIT(CM_GEN_DNS), rep_emit, rep_intel, rep_expect, &pl, rep_needs}

/* clang-format off */
#define I SRC_INSTANCE
#define O SRC_ONPREM
#define END {0, 0, NULL, NULL, NULL, NULL, 0}

static const struct rep_plan rebind = {
    NULL, NULL, 0, CM_GEN_TIER_APP, 1, 8.0,
    {{300, I, "169.254.169.254.nip.io", "A", NULL, "169.254.169.254", 1},
     {420, I, "metadata.cdn-edge-sync.net", "A", "169.254.169.254.nip.io", "169.254.169.254", 1},
     {540, I, "v6.cdn-edge-sync.net", "AAAA", NULL, "fd00:ec2::254", 1},
     {600, I, "instance-data.ec2.internal", "A", NULL, "169.254.169.254", 0},
     {660, I, "resolver.cdn-edge-sync.net", "A", NULL, "169.254.169.253", 0},
     {720, I, "time.cdn-edge-sync.net", "A", NULL, "169.254.169.123", 0},
     {780, I, "tasks.cdn-edge-sync.net", "A", NULL, "169.254.170.2", 0},
     {840, I, "txt.cdn-edge-sync.net", "TXT", NULL, "169.254.169.254", 0},
     {900, O, "169.254.169.254.nip.io", "A", NULL, "169.254.169.254", 0},
     END}};

static const struct rep_plan abused = {
    NULL, NULL, 0, CM_GEN_TIER_WEB, 26, 5.0,
    {{600, I, "home-nas-4417.duckdns.org", "A", NULL, "98.42.17.201", 0},
     {H25 + 300, I, "c2-relay-8812.duckdns.org", "A", NULL, "98.42.17.202", 1},
     {H25 + 420, I, "updates-9931.ddns.net", "A", NULL, "98.42.17.203", 1},
     {H25 + 540, I, "quiet-river-4410.trycloudflare.com", "A", NULL, "104.16.231.132", 1},
     {H25 + 660, I, "secure-login-portal.tk", "A", NULL, "98.42.17.204", 1},
     {H25 + 780, I, "home-nas-4417.duckdns.org", "A", NULL, "98.42.17.201", 0},
     {H25 + 840, I, "www.duckdns.org", "A", NULL, "98.42.17.205", 0},
     {H25 + 900, I, "www.wikipedia.org", "A", NULL, "208.80.154.224", 0},
     {H25 + 960, I, "cdn-assets-prod-7731.s3.amazonaws.com", "A", NULL, "52.216.8.11", 0},
     {H25 + 1020, I, "acme-invoicing.com", "A", NULL, "98.42.17.206", 0},
     {H25 + 1080, O, "office-vpn-2231.duckdns.org", "A", NULL, "98.42.17.207", 0},
     END}};

static const struct rep_plan bitcoin = {
    NULL, NULL, 0, CM_GEN_TIER_WORKER, 1, 8.0,
    {{240, I, "www.nanopool.org", "A", NULL, "51.89.96.40", 0},
     {300, I, "xmr-eu1.nanopool.org", "A", NULL, "51.89.96.41", 1},
     {360, I, "pool.supportxmr.com", "A", NULL, "94.130.164.163", 1},
     {420, I, "gulf.moneroocean.stream", "A", NULL, "18.210.126.40", 1},
     {480, I, "xmr-pool.fastworker-cloud.net", "A", NULL, "98.42.17.210", 1},
     {600, I, "2.pool.ntp.org", "A", NULL, "162.159.200.1", 0},
     {660, I, "minecraft.net", "A", NULL, "13.107.246.40", 0},
     {720, I, "www.getmonero.org", "A", NULL, "98.42.17.211", 0},
     {780, O, "xmr-us1.nanopool.org", "A", NULL, "51.89.96.42", 0},
     END}};

static const struct rep_plan malicious = {
    "cnc", "guarddutyc2activityb.com", CM_GEN_SC_NET_CNC + 50, CM_GEN_TIER_APP, 26, 8.0,
    {{H25 + 300, I, "update-cdn-assets.net", "A", NULL, "141.98.10.50", 1},
     {H25 + 420, I, "static-files-cache.com", "A", "beacon.guarddutyc2activityb.com",
      "98.42.17.220", 1},
     {H25 + 540, I, "metrics-collector-eu.org", "A", NULL, "141.98.10.50", 1},
     {H25 + 660, I, "update-cdn-assets.org", "A", NULL, "141.98.10.51", 0},
     {H25 + 720, I, "acme-invoicing.com", "A", NULL, "98.42.17.221", 0},
     {H25 + 780, O, "patch-mirror-cdn.net", "A", NULL, "141.98.10.50", 0},
     END}};

static const struct rep_plan suspicious = {
    NULL, NULL, 0, CM_GEN_TIER_DB, 26, 2.0,
    {{900, I, "status.old-vendor-portal.top", "A", NULL, "98.42.17.230", 0},
     {H25 + 300, I, "quarterly-report-portal.top", "A", NULL, "98.42.17.231", 1},
     {H25 + 420, I, "invoice-archive-center.icu", "A", NULL, "98.42.17.232", 1},
     {H25 + 540, I, "status.old-vendor-portal.top", "A", NULL, "98.42.17.230", 0},
     {H25 + 600, I, "shop.northwind-traders.xyz", "A", NULL, "98.42.17.233", 0},
     {H25 + 660, I, "acme-invoicing.com", "A", NULL, "98.42.17.234", 0},
     {H25 + 720, O, "payroll-update-center.top", "A", NULL, "98.42.17.235", 0},
     END}};

#undef I
#undef O
#undef END
/* clang-format on */

REP_SCENARIO(cm_gen_sc_metadata_dns_rebind, "metadata-dns-rebind",
             "UnauthorizedAccess:EC2/MetadataDNSRebind", rebind);
REP_SCENARIO(cm_gen_sc_abused_domain_rep, "abused-domain-rep",
             "Impact:EC2/AbusedDomainRequest.Reputation", abused);
REP_SCENARIO(cm_gen_sc_bitcoin_domain_rep, "bitcoin-domain-rep",
             "Impact:EC2/BitcoinDomainRequest.Reputation", bitcoin);
REP_SCENARIO(cm_gen_sc_malicious_domain_rep, "malicious-domain-rep",
             "Impact:EC2/MaliciousDomainRequest.Reputation", malicious);
REP_SCENARIO(cm_gen_sc_suspicious_domain_rep, "suspicious-domain-rep",
             "Impact:EC2/SuspiciousDomainRequest.Reputation", suspicious);
