/*
 * Intel scenarios in Route 53 Resolver query logs: an instance of the
 * attacked VPC asks for listed names (the name itself or a subdomain of it),
 * or gets an answer that points at a listed sink-hole address.
 *
 * The names follow the GuardDuty tester's convention
 * (guardduty<activity>activity.com; guarddutyc2activityb.com is the tester's
 * own C&C name); DGA names are drawn from the seed, four of them on the
 * DGA list and the rest of the burst not.
 *
 * Near misses: a name that only shares a suffix (notguarddutyc2activityb.com,
 * droppointactivity.com), another TLD, the search-domain expansions real
 * resolvers try (<name>.ec2.internal), DGA-looking names on no list, a
 * listed name asked by an on-premises client (no instance in srcids), an
 * answer next to the sink-hole address, and in the customer-list plan a
 * subdomain that is also on the trusted list (trusted wins).
 */
#include "gen/gen_sc_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_dns.h"

enum { SRC_INSTANCE = 0, SRC_ONPREM = 1 };

#define ONPREM_CLIENT CM_GEN_SC_IP4(192, 168, 10, 23) /* an office workstation */
#define NDGA          6                               /* names in the DGA burst */
#define DGA_LISTED    4                               /* of which on the list */

struct dns_step {
    uint16_t at;       /* seconds after the run's start; 0 ends the plan */
    uint8_t src;       /* SRC_* */
    const char *name;  /* NULL: DGA name number dga */
    uint8_t dga;       /* index of the DGA name */
    const char *qtype; /* "A", "AAAA" */
    const char *rcode; /* "NOERROR", "NXDOMAIN" */
    const char *cname; /* CNAME answer before the A record, or NULL */
    uint32_t answer;   /* A record, 0: none */
    uint8_t hit;       /* the detector must count it */
};

struct dns_plan {
    const char *list;
    const char *listed[3]; /* names on the list (NULL-padded) */
    uint32_t listed_ip;    /* an address on the list (sink-hole answers), or 0 */
    const char *trusted;   /* a name also on the trusted list, or NULL */
    bool dga;              /* the DGA names 0..DGA_LISTED-1 are on the list */
    enum cm_gen_tier tier;
    struct dns_step steps[CM_GEN_SC_MAX_STEPS];
};

/* DGA name k of world w: 12 to 16 letters under a common TLD, a pure function of the seed. */
static void dga_name(const struct cm_gen_world *w, unsigned k, char *out, size_t n)
{
    static const char *const tlds[] = {"com", "net", "org", "info"};
    struct cm_gen_rng r;
    char label[17];
    unsigned len;

    cm_gen_rng_derive(&r, w->seed, 0x646761ULL, k, 0);
    len = 12 + cm_gen_rng_below(&r, 5);
    cm_gen_rng_chars(&r, label, len, "abcdefghijklmnopqrstuvwxyz", 26);
    label[len] = '\0';
    snprintf(out, n, "%s.%s", label, tlds[cm_gen_rng_below(&r, 4)]);
}

static void query(struct cm_gen_file *f, const struct dns_step *s, const struct cm_gen_instance *in,
                  int64_t t, const char *name)
{
    struct cm_gen_dns_answer ans[2];
    struct cm_gen_dns_query q;
    char ip[16], target[128];
    unsigned n = 0;

    memset(&q, 0, sizeof(q));
    if (s->cname != NULL) {
        snprintf(target, sizeof(target), "%s.", s->cname);
        ans[n].rdata = target;
        ans[n++].type = "CNAME";
    }
    if (s->answer != 0) {
        cm_gen_sc_ip_str(s->answer, ip);
        ans[n].rdata = ip;
        ans[n++].type = "A";
    }
    q.t = t;
    q.in = s->src == SRC_INSTANCE ? in : NULL;
    q.srcaddr = ONPREM_CLIENT;
    q.srcport =
        (uint16_t)(32768 + cm_gen_hash4(f->env->world->seed, 0x7363646eULL, s->at, 0) % 28232);
    q.name = name;
    q.qtype = s->qtype;
    q.rcode = s->rcode;
    q.answers = ans;
    q.nanswers = n;
    cm_gen_dns_write(f, &q);
}

static int dns_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct dns_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    long k = cm_gen_sc_instance(w, p->tier, -1);
    const struct dns_step *s;
    char name[64];

    if (f->kind != CM_GEN_DNS || k < 0) {
        return 0;
    }
    for (s = p->steps; s->at != 0; s++) {
        int64_t t = cm_gen_sc_time(f, s->at);

        if (!cm_gen_sc_in_file(f, t)) {
            continue;
        }
        if (s->name == NULL) {
            dga_name(w, s->dga, name, sizeof(name));
        }
        query(f, s, &w->instances[k], t, s->name ? s->name : name);
    }
    return f->t.err;
}

static size_t dns_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                        struct cm_gen_intel_entry *out)
{
    const struct dns_plan *p = sc->plan;
    char name[64];
    size_t n = 0;
    unsigned i;

    for (i = 0; i < 3 && p->listed[i] != NULL; i++) {
        cm_gen_sc_add_name(out, &n, p->list, p->listed[i]);
    }
    for (i = 0; p->dga && i < DGA_LISTED; i++) {
        dga_name(w, i, name, sizeof(name));
        cm_gen_sc_add_name(out, &n, p->list, name);
    }
    if (p->listed_ip != 0) {
        cm_gen_sc_add_ip(out, &n, p->list, p->listed_ip);
    }
    if (p->trusted != NULL) {
        cm_gen_sc_add_name(out, &n, CM_GEN_SC_TRUSTED, p->trusted);
    }
    return n;
}

static int dns_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                      const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct dns_plan *p = sc->plan;
    long k = cm_gen_sc_instance(w, p->tier, -1);
    const struct dns_step *s;
    char name[64];
    unsigned i;

    (void)c;
    memset(e, 0, sizeof(*e));
    if (k < 0) {
        return CM_ENOTFOUND;
    }
    e->type = sc->finding_types;
    e->list = p->list;
    snprintf(e->resource, sizeof(e->resource), "%s", w->instances[k].id);
    for (i = 0; i < 3 && p->listed[i] != NULL; i++) {
        cm_gen_sc_note(e->indicators, sizeof(e->indicators), p->listed[i]);
    }
    for (i = 0; p->dga && i < DGA_LISTED; i++) {
        dga_name(w, i, name, sizeof(name));
        cm_gen_sc_note(e->indicators, sizeof(e->indicators), name);
    }
    for (s = p->steps; s->at != 0; s++) {
        const char *q = s->name;

        if (q == NULL) {
            dga_name(w, s->dga, name, sizeof(name));
            q = name;
        }
        e->count += s->hit;
        if (!s->hit) {
            cm_gen_sc_note(e->near, sizeof(e->near), q);
        } else if (p->listed_ip != 0) {
            /* A trusted list drops DNS findings by the queried name: name what was asked. */
            cm_gen_sc_note(e->indicators, sizeof(e->indicators), q);
        }
    }
    return 1; /* one finding */
}

#define DNS_SCENARIO(var, nm, type, pl)                                                            \
    const struct cm_gen_scenario var = {                                                           \
        nm, type, CM_GEN_KIND_BIT(CM_GEN_DNS), dns_emit, dns_intel, dns_expect, &pl, NULL}

#define END                                                                                        \
    {                                                                                              \
        0, 0, NULL, 0, NULL, NULL, NULL, 0, 0                                                      \
    }

static const struct dns_plan cnc = {
    "cnc",
    {"guarddutyc2activityb.com", NULL, NULL},
    0,
    NULL,
    false,
    CM_GEN_TIER_APP,
    {{400, SRC_INSTANCE, "guarddutyc2activityb.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CNC + 10, 1},
     {460, SRC_INSTANCE, "guarddutyc2activityb.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CNC + 10, 1},
     {520, SRC_INSTANCE, "beacon.guarddutyc2activityb.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CNC + 10, 1},
     {580, SRC_INSTANCE, "notguarddutyc2activityb.com", 0, "A", "NXDOMAIN", NULL, 0, 0},
     {590, SRC_INSTANCE, "guarddutyc2activityb.com.ec2.internal", 0, "A", "NXDOMAIN", NULL, 0, 0},
     {640, SRC_ONPREM, "guarddutyc2activityb.com", 0, "A", "NOERROR", NULL, CM_GEN_SC_NET_CNC + 10,
      0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_cnc, "cnc-dns", "Backdoor:EC2/C&CActivity.B!DNS", cnc);

static const struct dns_plan mining = {
    "mining",
    {"guarddutybitcoinactivity.com", NULL, NULL},
    0,
    NULL,
    false,
    CM_GEN_TIER_WORKER,
    {{700, SRC_INSTANCE, "xmr.guarddutybitcoinactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MINING + 10, 1},
     {701, SRC_INSTANCE, "xmr.guarddutybitcoinactivity.com", 0, "AAAA", "NOERROR", NULL, 0, 1},
     {760, SRC_INSTANCE, "guarddutybitcoinactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MINING + 12, 1},
     {820, SRC_INSTANCE, "guarddutybitcoinactivity.co", 0, "A", "NXDOMAIN", NULL, 0, 0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_mining, "mining-dns", "CryptoCurrency:EC2/BitcoinTool.B!DNS", mining);

static const struct dns_plan blackhole = {
    "sinkhole",
    {NULL, NULL, NULL},
    CM_GEN_SC_NET_SINKHOLE + 20,
    NULL,
    false,
    CM_GEN_TIER_WEB,
    {{900, SRC_INSTANCE, "guarddutyblackholeactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_SINKHOLE + 20, 1},
     {960, SRC_INSTANCE, "cdn.guarddutyblackholeactivity.com", 0, "A", "NOERROR",
      "guarddutyblackholeactivity.com", CM_GEN_SC_NET_SINKHOLE + 20, 1},
     {1020, SRC_INSTANCE, "guarddutyblackholeactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_SINKHOLE + 20, 1},
     {1080, SRC_INSTANCE, "guarddutyblackholeactivity.net", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_SINKHOLE + 21, 0},
     {1140, SRC_ONPREM, "guarddutyblackholeactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_SINKHOLE + 20, 0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_blackhole, "blackhole-dns", "Trojan:EC2/BlackholeTraffic!DNS",
             blackhole);

static const struct dns_plan dga = {
    "dga",
    {NULL, NULL, NULL},
    0,
    NULL,
    true,
    CM_GEN_TIER_APP,
    {{1200, SRC_INSTANCE, NULL, 0, "A", "NXDOMAIN", NULL, 0, 1},
     {1201, SRC_INSTANCE, NULL, 4, "A", "NXDOMAIN", NULL, 0, 0},
     {1202, SRC_INSTANCE, NULL, 1, "A", "NXDOMAIN", NULL, 0, 1},
     {1203, SRC_INSTANCE, NULL, 5, "A", "NXDOMAIN", NULL, 0, 0},
     {1204, SRC_INSTANCE, NULL, 2, "A", "NXDOMAIN", NULL, 0, 1},
     {1205, SRC_INSTANCE, NULL, 3, "A", "NOERROR", NULL, CM_GEN_SC_NET_CNC + 12, 1},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_dga, "dga-dns", "Trojan:EC2/DGADomainRequest.C!DNS", dga);

static const struct dns_plan drive_by = {
    "drive_by",
    {"guarddutydrivebyactivity.com", NULL, NULL},
    0,
    NULL,
    false,
    CM_GEN_TIER_WEB,
    {{1300, SRC_INSTANCE, "guarddutydrivebyactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MALICIOUS + 100, 1},
     {1305, SRC_INSTANCE, "static.guarddutydrivebyactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MALICIOUS + 100, 1},
     {1360, SRC_INSTANCE, "guarddutydrivebyactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MALICIOUS + 100, 1},
     {1420, SRC_INSTANCE, "guardduty-drivebyactivity.com", 0, "A", "NXDOMAIN", NULL, 0, 0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_drive_by, "driveby-dns", "Trojan:EC2/DriveBySourceTraffic!DNS",
             drive_by);

static const struct dns_plan drop_point = {
    "drop_point",
    {"guarddutydroppointactivity.com", NULL, NULL},
    0,
    NULL,
    false,
    CM_GEN_TIER_DB,
    {{1500, SRC_INSTANCE, "upload.guarddutydroppointactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_DROP + 10, 1},
     {1560, SRC_INSTANCE, "upload.guarddutydroppointactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_DROP + 10, 1},
     {1620, SRC_INSTANCE, "upload.guarddutydroppointactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_DROP + 10, 1},
     {1680, SRC_ONPREM, "upload.guarddutydroppointactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_DROP + 10, 0},
     {1690, SRC_INSTANCE, "droppointactivity.com", 0, "A", "NXDOMAIN", NULL, 0, 0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_drop_point, "droppoint-dns", "Trojan:EC2/DropPoint!DNS", drop_point);

static const struct dns_plan phishing = {
    "phishing",
    {"guarddutyphishingactivity.com", NULL, NULL},
    0,
    NULL,
    false,
    CM_GEN_TIER_WORKER,
    {{1750, SRC_INSTANCE, "login.guarddutyphishingactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MALICIOUS + 101, 1},
     {1751, SRC_INSTANCE, "login.guarddutyphishingactivity.com", 0, "AAAA", "NOERROR", NULL, 0, 1},
     {1810, SRC_INSTANCE, "guarddutyphishingactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_MALICIOUS + 101, 1},
     {1870, SRC_INSTANCE, "guarddutyphishingactivity.com.ec2.internal", 0, "A", "NXDOMAIN", NULL, 0,
      0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_phishing, "phishing-dns", "Trojan:EC2/PhishingDomainRequest!DNS",
             phishing);

static const struct dns_plan custom = {
    CM_GEN_SC_CUSTOM,
    {"guarddutycustomactivity.com", NULL, NULL},
    0,
    "cdn.guarddutycustomactivity.com",
    false,
    CM_GEN_TIER_APP,
    {{1950, SRC_INSTANCE, "api.guarddutycustomactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CUSTOM + 60, 1},
     {2010, SRC_INSTANCE, "api.guarddutycustomactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CUSTOM + 60, 1},
     {2070, SRC_INSTANCE, "guarddutycustomactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CUSTOM + 60, 1},
     {2130, SRC_INSTANCE, "cdn.guarddutycustomactivity.com", 0, "A", "NOERROR", NULL,
      CM_GEN_SC_NET_CUSTOM + 61, 0},
     {2190, SRC_INSTANCE, "guarddutycustomactivity.org", 0, "A", "NXDOMAIN", NULL, 0, 0},
     END}};
DNS_SCENARIO(cm_gen_sc_dns_custom, "custom-dns", "Impact:EC2/MaliciousDomainRequest.Custom",
             custom);
