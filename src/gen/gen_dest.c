/*
 * The destination table and its answers (see gen_dest.h). Public ranges are
 * those the real services announce (CDNs, package mirrors, SaaS APIs), so
 * enrichment sees plausible owners; AWS names answer from the region's
 * ranges. Nothing here is a known-bad address.
 */
#include "gen/gen_dest.h"

#include <string.h>

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

enum {
    T_WEB = CM_GEN_TIER_WEB,
    T_DB = CM_GEN_TIER_DB,
    T_APP = CM_GEN_TIER_APP,
    T_CACHE = CM_GEN_TIER_CACHE
};

#define AWS(n, w0, w1, w2, w3, w4, w5)                                                             \
    {                                                                                              \
        n, CM_GEN_D_AWS, 1, 0, 6, 443, 0, 0, NULL, NULL, NULL, 0,                                  \
        {                                                                                          \
            w0, w1, w2, w3, w4, w5                                                                 \
        }                                                                                          \
    }
#define AWSE(n, w0, w1, w2, w3, w4, w5)                                                            \
    {                                                                                              \
        n, CM_GEN_D_AWS, 1, 0, 6, 443, 0, 0, NULL, NULL, NULL, CM_GEN_DF_VPCE,                     \
        {                                                                                          \
            w0, w1, w2, w3, w4, w5                                                                 \
        }                                                                                          \
    }
#define PUB(n, net, plen, nans, port, cname, v6, w0, w1, w2, w3, w4, w5)                           \
    {                                                                                              \
        n, CM_GEN_D_PUBLIC, nans, 0, 6, port, net, plen, cname, v6, NULL, 0,                       \
        {                                                                                          \
            w0, w1, w2, w3, w4, w5                                                                 \
        }                                                                                          \
    }
#define NX(n, qt, w0, w1, w2, w3, w4, w5)                                                          \
    {                                                                                              \
        n, CM_GEN_D_NX, 0, 0, 0, 0, 0, 0, NULL, NULL, qt, 0,                                       \
        {                                                                                          \
            w0, w1, w2, w3, w4, w5                                                                 \
        }                                                                                          \
    }

/* Columns of w: WEB APP DB WORKER BASTION CACHE. */
const struct cm_gen_dest cm_gen_dests[] = {
    AWSE("sts.%r.amazonaws.com", 2, 8, 1, 8, 1, 0),
    AWSE("ssm.%r.amazonaws.com", 6, 6, 6, 6, 6, 6),
    AWSE("ssmmessages.%r.amazonaws.com", 3, 3, 3, 3, 3, 3),
    AWSE("ec2messages.%r.amazonaws.com", 3, 3, 3, 3, 3, 3),
    AWS("ec2.%r.amazonaws.com", 1, 2, 1, 2, 1, 1),
    AWSE("logs.%r.amazonaws.com", 6, 8, 3, 8, 2, 2),
    AWS("monitoring.%r.amazonaws.com", 3, 3, 3, 3, 1, 3),
    AWSE("kms.%r.amazonaws.com", 2, 8, 2, 6, 0, 1),
    AWSE("secretsmanager.%r.amazonaws.com", 1, 6, 1, 4, 0, 0),
    AWS("dynamodb.%r.amazonaws.com", 0, 10, 0, 6, 0, 0),
    AWS("sqs.%r.amazonaws.com", 0, 4, 0, 15, 0, 0),
    AWS("sns.%r.amazonaws.com", 0, 2, 0, 3, 0, 0),
    AWS("api.ecr.%r.amazonaws.com", 1, 2, 0, 2, 0, 0),
    AWS("%a.dkr.ecr.%r.amazonaws.com", 1, 2, 0, 2, 0, 0),
    {"s3.%r.amazonaws.com",
     CM_GEN_D_S3,
     2,
     0,
     6,
     443,
     0,
     0,
     NULL,
     NULL,
     NULL,
     0,
     {1, 3, 2, 5, 0, 0}},
    {"%b.s3.%r.amazonaws.com",
     CM_GEN_D_S3,
     2,
     0,
     6,
     443,
     0,
     0,
     "s3-r-w.%r.amazonaws.com",
     NULL,
     NULL,
     0,
     {1, 6, 3, 20, 0, 0}},
    {"%b.s3.amazonaws.com",
     CM_GEN_D_S3,
     2,
     0,
     6,
     443,
     0,
     0,
     "s3-1-w.amazonaws.com",
     NULL,
     NULL,
     0,
     {0, 2, 1, 5, 0, 0}},
    {"al2023-repos-%r-de612dc2.s3.dualstack.%r.amazonaws.com",
     CM_GEN_D_S3,
     2,
     0,
     6,
     443,
     0,
     0,
     NULL,
     "2600:1fa0::",
     NULL,
     0,
     {1, 1, 1, 1, 1, 1}},
    {"db.%e.%o.internal",
     CM_GEN_D_PEER,
     1,
     T_DB,
     0,
     0,
     0,
     0,
     NULL,
     NULL,
     NULL,
     0,
     {0, 12, 0, 4, 0, 0}},
    {"cache.%e.%o.internal",
     CM_GEN_D_PEER,
     1,
     T_CACHE,
     0,
     0,
     0,
     0,
     NULL,
     NULL,
     NULL,
     0,
     {0, 10, 0, 3, 0, 0}},
    {"app.%e.%o.internal",
     CM_GEN_D_PEER,
     1,
     T_APP,
     0,
     0,
     0,
     0,
     NULL,
     NULL,
     NULL,
     0,
     {10, 0, 0, 0, 0, 0}},
    {"ip-%i.%s", CM_GEN_D_HOST, 1, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0, {1, 1, 1, 1, 4, 1}},
    {"%p.in-addr.arpa",
     CM_GEN_D_PTR,
     1,
     0,
     0,
     0,
     0,
     0,
     "ip-%i.%s",
     NULL,
     "PTR",
     0,
     {1, 1, 1, 1, 3, 1}},
    PUB("github.com", IP4(140, 82, 112, 0), 20, 1, 443, NULL, NULL, 1, 3, 0, 2, 3, 0),
    PUB("api.github.com", IP4(140, 82, 112, 0), 20, 1, 443, NULL, NULL, 0, 4, 0, 3, 1, 0),
    PUB("objects.githubusercontent.com", IP4(185, 199, 108, 0), 22, 4, 443, NULL,
        "2606:50c0:8000::", 0, 2, 0, 2, 1, 0),
    PUB("deb.debian.org", IP4(151, 101, 0, 0), 16, 4, 443, "debian.map.fastlydns.net",
        "2a04:4e42::", 2, 2, 2, 2, 2, 2),
    PUB("security.debian.org", IP4(151, 101, 0, 0), 16, 4, 443, "debian.map.fastlydns.net",
        "2a04:4e42::", 1, 1, 1, 1, 1, 1),
    PUB("archive.ubuntu.com", IP4(91, 189, 91, 0), 24, 3, 80, NULL, "2620:2d:4000::", 1, 1, 1, 1, 1,
        1),
    PUB("security.ubuntu.com", IP4(185, 125, 190, 0), 24, 3, 80, NULL, "2620:2d:4002::", 1, 1, 1, 1,
        1, 1),
    PUB("pypi.org", IP4(151, 101, 0, 0), 16, 4, 443, NULL, "2a04:4e42::", 0, 2, 0, 2, 0, 0),
    PUB("files.pythonhosted.org", IP4(151, 101, 0, 0), 16, 4, 443,
        "dualstack.python.map.fastly.net", "2a04:4e42::", 0, 2, 0, 2, 0, 0),
    PUB("registry.npmjs.org", IP4(104, 16, 0, 0), 16, 4, 443, NULL, "2606:4700::", 1, 2, 0, 1, 0,
        0),
    PUB("proxy.golang.org", IP4(142, 250, 0, 0), 15, 1, 443, NULL, "2607:f8b0:4004::", 0, 1, 0, 1,
        0, 0),
    PUB("repo.maven.apache.org", IP4(199, 232, 0, 0), 16, 2, 443, NULL, NULL, 0, 1, 0, 1, 0, 0),
    PUB("registry-1.docker.io", IP4(54, 196, 0, 0), 15, 3, 443, NULL, NULL, 0, 1, 0, 1, 0, 0),
    PUB("auth.docker.io", IP4(54, 196, 0, 0), 15, 3, 443, NULL, NULL, 0, 1, 0, 1, 0, 0),
    PUB("production.cloudflare.docker.com", IP4(104, 16, 0, 0), 13, 2, 443, NULL, "2606:4700::", 0,
        1, 0, 1, 0, 0),
    PUB("download.docker.com", IP4(18, 64, 0, 0), 14, 4, 443, "d2h67oheeuigaw.cloudfront.net",
        "2600:9000:2000::", 0, 1, 0, 1, 0, 0),
    PUB("cdn.jsdelivr.net", IP4(151, 101, 0, 0), 16, 4, 443, NULL, "2a04:4e42::", 1, 0, 0, 0, 0, 0),
    PUB("cdnjs.cloudflare.com", IP4(104, 16, 0, 0), 13, 2, 443, NULL, "2606:4700::", 1, 0, 0, 0, 0,
        0),
    PUB("d1x4ae3kq8w6mq.cloudfront.net", IP4(13, 32, 0, 0), 15, 4, 443, NULL, "2600:9000:2000::", 2,
        1, 0, 0, 0, 0),
    PUB("fonts.googleapis.com", IP4(142, 250, 0, 0), 15, 1, 443, NULL, "2607:f8b0:4004::", 1, 0, 0,
        0, 0, 0),
    PUB("www.googleapis.com", IP4(142, 250, 0, 0), 15, 1, 443, NULL, "2607:f8b0:4004::", 0, 2, 0, 1,
        0, 0),
    PUB("oauth2.googleapis.com", IP4(142, 250, 0, 0), 15, 1, 443, NULL, "2607:f8b0:4004::", 0, 2, 0,
        0, 0, 0),
    PUB("login.microsoftonline.com", IP4(20, 190, 128, 0), 18, 3, 443, "login.mso.msidentity.com",
        NULL, 0, 1, 0, 0, 0, 0),
    PUB("api.datadoghq.com", IP4(3, 233, 144, 0), 20, 2, 443, NULL, NULL, 1, 2, 1, 1, 1, 1),
    PUB("http-intake.logs.datadoghq.com", IP4(3, 233, 144, 0), 20, 2, 443, NULL, NULL, 3, 3, 3, 3,
        2, 3),
    PUB("trace.agent.datadoghq.com", IP4(3, 233, 144, 0), 20, 2, 443, NULL, NULL, 1, 2, 0, 1, 0, 0),
    PUB("o450123.ingest.sentry.io", IP4(34, 120, 0, 0), 14, 1, 443, NULL, NULL, 1, 2, 0, 1, 0, 0),
    PUB("api.stripe.com", IP4(54, 187, 0, 0), 16, 3, 443, NULL, NULL, 0, 2, 0, 0, 0, 0),
    PUB("hooks.slack.com", IP4(52, 32, 0, 0), 14, 4, 443, NULL, NULL, 0, 1, 0, 1, 0, 0),
    PUB("api.twilio.com", IP4(54, 172, 60, 0), 23, 2, 443, NULL, NULL, 0, 1, 0, 0, 0, 0),
    PUB("api.sendgrid.com", IP4(167, 89, 0, 0), 17, 2, 443, NULL, NULL, 0, 1, 0, 1, 0, 0),
    PUB("events.pagerduty.com", IP4(54, 244, 0, 0), 16, 2, 443, NULL, NULL, 0, 0, 0, 1, 0, 0),
    PUB("ocsp.digicert.com", IP4(192, 229, 128, 0), 17, 1, 80, NULL, NULL, 2, 1, 1, 1, 1, 0),
    PUB("crl3.digicert.com", IP4(192, 229, 128, 0), 17, 1, 80, NULL, NULL, 1, 0, 0, 0, 0, 0),
    PUB("r3.o.lencr.org", IP4(23, 32, 0, 0), 11, 2, 80, "o.lencr.edgesuite.net", NULL, 1, 1, 0, 1,
        0, 0),
    PUB("ocsp.sca1b.amazontrust.com", IP4(13, 32, 0, 0), 15, 2, 80, NULL, NULL, 1, 1, 1, 1, 0, 0),
    {"ntp.ubuntu.com",
     CM_GEN_D_PUBLIC,
     2,
     0,
     17,
     123,
     IP4(185, 125, 190, 56),
     30,
     NULL,
     NULL,
     NULL,
     0,
     {0, 0, 0, 0, 1, 0}},
    {"%o.com",
     CM_GEN_D_TXT,
     0,
     0,
     0,
     0,
     0,
     0,
     "\"v=spf1 include:_spf.google.com include:amazonses.com ~all\"",
     NULL,
     "TXT",
     0,
     {0, 1, 0, 1, 0, 0}},
    {"_amazonses.%o.com",
     CM_GEN_D_TXT,
     0,
     0,
     0,
     0,
     0,
     0,
     "\"pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=\"",
     NULL,
     "TXT",
     0,
     {0, 0, 0, 1, 0, 0}},
    {"_postgresql._tcp.%e.%o.internal",
     CM_GEN_D_SRV,
     0,
     0,
     0,
     0,
     0,
     0,
     "0 5 5432 db.%e.%o.internal.",
     NULL,
     "SRV",
     0,
     {0, 1, 0, 0, 0, 0}},
    NX("metadata.google.internal", NULL, 1, 1, 1, 1, 1, 1),
    NX("api.github.com.%s", NULL, 0, 1, 0, 1, 0, 0),
    NX("wpad.%s", NULL, 0, 0, 1, 0, 1, 0),
    NX("_grpc_config.app.%e.%o.internal", "TXT", 1, 1, 0, 0, 0, 0),
    NX("_grpclb._tcp.app.%e.%o.internal", "SRV", 1, 1, 0, 0, 0, 0),
    NX("db-replica.%e.%o.internal", NULL, 0, 1, 0, 0, 0, 0),
    NX("localhost.%s", NULL, 0, 0, 1, 0, 0, 1),
};
const unsigned cm_gen_ndests = sizeof(cm_gen_dests) / sizeof(cm_gen_dests[0]);

#undef AWS
#undef AWSE
#undef PUB
#undef NX

const double cm_gen_dns_rate[CM_GEN_NTIERS] = {3, 6, 1, 6, 1.5, 0.5};

static const char *const vpce_services[] = {"sts", "kms", "secretsmanager", "ssm", "logs"};

bool cm_gen_vpce_covers(const char *svc)
{
    size_t i;

    for (i = 0; i < sizeof(vpce_services) / sizeof(vpce_services[0]); i++) {
        if (strcmp(vpce_services[i], svc) == 0) {
            return true;
        }
    }
    return false;
}

long cm_gen_dest_instance(const struct cm_gen_world *w, unsigned vpc, unsigned d, uint64_t v)
{
    const struct cm_gen_vpc *pv = &w->vpcs[vpc];
    const struct cm_gen_dest *e = &cm_gen_dests[d];
    unsigned i, n = 0, pick;

    if (pv->ninstances == 0) {
        return -1;
    }
    if (e->kind != CM_GEN_D_PEER) {
        return (long)(pv->first_instance + v % pv->ninstances);
    }
    for (i = 0; i < pv->ninstances; i++) {
        n += w->instances[pv->first_instance + i].tier == e->peer_tier;
    }
    if (n == 0) {
        return -1;
    }
    pick = (unsigned)(v % n);
    for (i = 0; i < pv->ninstances; i++) {
        if (w->instances[pv->first_instance + i].tier == e->peer_tier && pick-- == 0) {
            return (long)(pv->first_instance + i);
        }
    }
    return -1;
}

static uint32_t in_range(uint64_t h, uint32_t net, unsigned plen)
{
    uint32_t size = plen >= 32 ? 1u : (uint32_t)1 << (32 - plen);
    uint32_t ip = net + (uint32_t)(h % size);

    if (size >= 256 && ((ip & 255) == 0 || (ip & 255) == 255)) {
        ip = (ip & ~255u) | (uint32_t)(1 + (h >> 40) % 254);
    }
    return ip;
}

uint32_t cm_gen_dest_ip(const struct cm_gen_world *w, unsigned vpc, unsigned d, uint64_t v,
                        unsigned k)
{
    const struct cm_gen_dest *e = &cm_gen_dests[d];
    const struct cm_gen_vpc *pv = &w->vpcs[vpc];
    const struct cm_gen_region *r = w->regions[pv->region];
    uint64_t h =
        cm_gen_hash4(w->seed, d, ((uint64_t)pv->region << 32) | k, e->tmpl[0] == '%' ? v : 0);
    long inst;

    switch (e->kind) {
    case CM_GEN_D_AWS:
        if ((e->flags & CM_GEN_DF_VPCE) && pv->has_vpce) {
            return pv->cidr + (32u << 8) + 200 + d % 50;
        }
        return in_range(h, r->ec2_net[h % 3], r->ec2_plen[h % 3]);
    case CM_GEN_D_S3:
        return in_range(h, r->s3_net, r->s3_plen);
    case CM_GEN_D_PUBLIC:
        return in_range(h, e->net, e->plen);
    case CM_GEN_D_PEER:
    case CM_GEN_D_HOST:
    case CM_GEN_D_PTR:
        inst = cm_gen_dest_instance(w, vpc, d, v);
        return inst < 0 ? 0 : w->instances[inst].ip;
    default:
        return 0;
    }
}

struct sink {
    char *p;
    size_t len, cap;
};

static void sput(struct sink *s, const char *str)
{
    while (*str && s->len + 1 < s->cap) {
        s->p[s->len++] = *str++;
    }
}

static void sput_ip(struct sink *s, uint32_t ip, char sep, bool reverse)
{
    char tmp[4];
    int i, j, n;

    for (i = 0; i < 4; i++) {
        unsigned oct = (ip >> (reverse ? 8 * i : 24 - 8 * i)) & 255;

        n = 0;
        if (oct >= 100) {
            tmp[n++] = (char)('0' + oct / 100);
        }
        if (oct >= 10) {
            tmp[n++] = (char)('0' + oct / 10 % 10);
        }
        tmp[n++] = (char)('0' + oct % 10);
        if (i > 0 && s->len + 1 < s->cap) {
            s->p[s->len++] = sep;
        }
        for (j = 0; j < n && s->len + 1 < s->cap; j++) {
            s->p[s->len++] = tmp[j];
        }
    }
}

static void expand_var(struct sink *s, const struct cm_gen_world *w, unsigned vpc, unsigned d,
                       char c, uint64_t v)
{
    const struct cm_gen_vpc *pv = &w->vpcs[vpc];
    const struct cm_gen_account *a = &w->accounts[pv->account];
    long inst;

    switch (c) {
    case 'r':
        sput(s, w->regions[pv->region]->name);
        break;
    case 'a':
        sput(s, a->id);
        break;
    case 'b':
        sput(s, a->nbuckets ? w->buckets[a->first_bucket + v % a->nbuckets].name : "assets");
        break;
    case 'e':
        sput(s, a->env);
        break;
    case 'o':
        sput(s, w->org);
        break;
    case 's':
        sput(s, w->regions[pv->region]->dns_suffix);
        break;
    case 'i':
    case 'p':
        inst = cm_gen_dest_instance(w, vpc, d, v);
        sput_ip(s, inst < 0 ? 0 : w->instances[inst].ip, c == 'i' ? '-' : '.', c == 'p');
        break;
    default:
        sput(s, "%");
        break;
    }
}

size_t cm_gen_dest_expand(const struct cm_gen_world *w, unsigned vpc, unsigned d, const char *tmpl,
                          uint64_t v, char *out, size_t outlen)
{
    struct sink s = {out, 0, outlen};
    const char *p;

    if (outlen == 0) {
        return 0;
    }
    for (p = tmpl; *p; p++) {
        if (*p == '%' && p[1]) {
            expand_var(&s, w, vpc, d, *++p, v);
        } else if (s.len + 1 < s.cap) {
            out[s.len++] = *p;
        }
    }
    out[s.len] = '\0';
    return s.len;
}
