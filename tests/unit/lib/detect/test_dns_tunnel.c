/*
 * The DNS tunnelling detector (lib/detect/dns_tunnel.c) end to end at the
 * library level: Route 53 Resolver query-log lines in the real format go
 * through the real parser into an engine holding only this detector, and
 * every detection is folded by the real aggregator, so the tests check what
 * GuardDuty shows (type, instance, severity, count) as well as the
 * detections themselves (count, first seen, additionalInfo).
 *
 * Covered: the name classifier on each encoding and on the host names that
 * look close (addresses in names, machine ids, attribute names, words); the
 * allow list, built-in and extra; the GuardDuty tester's ~930 queries; the
 * tools' shapes (dnscat2 hex, iodine base128, Saitama base36, Symbiote
 * counters over TXT, iodine's idle polls); near misses (seven names, one
 * name repeated, a slow trickle over hours, numbered hosts asked for
 * addresses, a DNS inventory scan, queries without an instance, allow-listed
 * DNSBL and anti-virus look-ups); registered domains from the Public
 * Suffix List (co.uk, duckdns.org); records out of order; the rate limit
 * and the counts across windows; eviction counted at the memcap; tuning.
 * Answers: encoded TXT, CNAME and MX answers under the queried domain
 * counted like names (not SPF or verification tokens, not another
 * domain's names, not attribute names', not while they are a minority of
 * the answers); iodine's raw CNAME answers making A polls data-bearing.
 * Spread: an instance's names over several domains, each under the
 * per-domain rule, and every query counted once with the per-domain
 * detections. Slow: a trickle under every window's thresholds that carries
 * enough over a day, once a day, and its near misses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_tunnel.h"
#include "finding/finding.h"

#include "dns_fixture.h"

#define TYPE "Trojan:EC2/DNSDataExfiltration"
#define T0   1767607200LL /* 2026-01-05T10:00:00Z */
#define HOUR 3600LL
#define I1   "i-0a1b2c3d4e5f60718"
#define I2   "i-0b2c3d4e5f6071829"
#define I3   "i-0c3d4e5f60718293a"
#define I4   "i-0d4e5f60718293a4b"

/* ---- records ---- */

/*
 * Appends one query-log line: name as logged (a dot is added), asked by
 * instance (NULL: none), answered with the n answers of an (the log's
 * answers array).
 */
static void qa(int64_t t, const char *name, const char *qtype, const char *instance,
               const struct dnsfx_rr *an, size_t nan)
{
    char answers[4096];

    dnsfx_add(&(struct dnsfx_query){.t = t,
                                    .instance = instance,
                                    .name = name,
                                    .escape_name = true,
                                    .qtype = qtype,
                                    .answers = dnsfx_answers(answers, sizeof(answers), an, nan),
                                    .vpc = "vpc-7example",
                                    .srcaddr = "10.0.1.14",
                                    .srcport = "56067"});
}

/* Appends one query-log line without answers. */
static void q(int64_t t, const char *name, const char *qtype, const char *instance)
{
    qa(t, name, qtype, instance, NULL, 0);
}

/* Appends one query-log line with the one answer of type type and Rdata rdata. */
static void q1(int64_t t, const char *name, const char *qtype, const char *instance,
               const char *type, const char *rdata)
{
    const struct dnsfx_rr an = {type, rdata};

    qa(t, name, qtype, instance, &an, 1);
}

/* A deterministic string of n characters from alphabet, for stream s and item i. */
static void rnd(char *out, size_t n, const char *alphabet, uint64_t s, uint64_t i)
{
    uint64_t x = s * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL + 1;
    size_t m = strlen(alphabet);

    for (size_t k = 0; k < n; k++) {
        x ^= x >> 31;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 29;
        out[k] = alphabet[(x >> 11) % m];
    }
    out[n] = '\0';
}

#define HEX    "0123456789abcdef"
#define B32    "abcdefghijklmnopqrstuvwxyz234567"
#define B36    "abcdefghijklmnopqrstuvwxyz0123456789"
#define B64ISH "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* ---- running ---- */

/*
 * Runs the records (dnsfx_reset() starts them anew) with tuning t (NULL:
 * every default), every detection folded into a finding; dnsfx_done()
 * frees them.
 */
static void run_text(struct dnsfx_run *r, const struct cm_dns_tunnel_tuning *t)
{
    struct cm_dns_tunings dns;

    memset(&dns, 0, sizeof(dns));
    if (t != NULL) {
        dns.tunnel = *t;
    }
    dnsfx_run(
        r, &cm_detector_dns_tunnel,
        &(struct dnsfx_opts){.seed = 7,
                             .lateness_ms = 5 * 60 * 1000,
                             .dns = t != NULL ? &dns : NULL,
                             .type = TYPE,
                             .decode = true, /* escaped strings decoded, as the scan has them */
                             .aggregate = true});
}

/* ---- the classifier ---- */

static enum cm_dns_encoding shape(const char *sub, struct cm_dns_name_shape *s)
{
    return cm_dns_tunnel_shape(cm_str_cstr(sub), 10, s);
}

static void test_shape_encodings(void **state)
{
    struct cm_dns_name_shape s;
    char a[80], b[80], name[200];

    (void)state;
    /* dnscat2: hex, whole names of it */
    assert_int_equal(shape("528403a869000000004777438fb4330ea5b447328f28ec2058b7738ef278."
                           "866d2f2c41ba1c1533deba648752fc564bd104b78d41316fe2af04f34cb4",
                           &s),
                     CM_DNS_ENC_HEX);
    assert_int_equal(s.chars, 120);
    assert_int_equal(s.longest, 60);
    assert_int_equal(s.bits, 480);
    assert_true(s.entropy > 3.5 && s.entropy <= 4.0);
    assert_int_equal(shape("932301f80c50666e88", &s), CM_DNS_ENC_HEX); /* a poll, 18 hex */
    /* base64 and its variants: mixed case, '+', '/', '=', escaped bytes */
    assert_int_equal(shape("q+Z8AnwaBA", &s), CM_DNS_ENC_BASE64);
    assert_int_equal(s.bits, 60);
    assert_int_equal(shape("0i4a6jIrSL5cEXy59kxGkO7cmGvTuSGSc5JPYYJnfKKPd-AxwKjBq", &s),
                     CM_DNS_ENC_BASE64);
    assert_int_equal(shape("0nfaxJRwOBUG\\226\\188W4QXS", &s), CM_DNS_ENC_BASE64);
    /* base64url without a symbol: lowercase letters alone after capitals and digits */
    assert_int_equal(shape("hmHTrEu2nnMvn6UJoPov0wtvhMxEn-0uTXb-WtLwennCqzT26cPuN2rhFm_qkyl", &s),
                     CM_DNS_ENC_BASE64);
    assert_int_equal(shape("xK9pQ2wE7rTzLm", &s), CM_DNS_ENC_BASE64);
    /* RogueRobin's letters: capitals before lowercase runs, as in words, but 43 of them */
    assert_int_equal(shape("dcqhhnkkqmiulilioloAnkkjnoolmAmomioqlEmlmmo", &s), CM_DNS_ENC_BASE64);
    rnd(a, 60, B64ISH, 1, 1);
    rnd(b, 30, B64ISH, 1, 2);
    snprintf(name, sizeof(name), "%s.%s", a, b);
    assert_int_equal(shape(name, &s), CM_DNS_ENC_BASE64); /* the GuardDuty tester */
    assert_true(s.entropy > 5.0);
    /* base32/36: Saitama, iodine's base32 */
    assert_int_equal(shape("q0ki8ilkp050jommmxbdpzfnny8ck", &s), CM_DNS_ENC_BASE32);
    assert_int_equal(s.bits, 29 * 5);
    assert_int_equal(shape("lagr1t2ay1pm0iqb5eqidmyr35etseoi", &s), CM_DNS_ENC_BASE32);
    /* decimal counters (Symbiote) */
    assert_int_equal(shape("449.172209439.x4206", &s), CM_DNS_ENC_DIGITS);
    assert_int_equal(s.chars, 17);
    /* ... which is also what a numbered host looks like: the detector asks the record type */
    assert_int_equal(shape("u12345678.ct", &s), CM_DNS_ENC_DIGITS);
    /* a random run wins over a digit count */
    assert_int_equal(shape("1uv75ff8u1120oxysm1n9o625ax72", &s), CM_DNS_ENC_BASE32);
    /* base32 cut into 12-character labels: no label is a long run, three in a row are */
    assert_int_equal(shape("mfzwizltoq2d.gnrwk3tjn5xh.eylomnqxe2lp.nzsgs3djoaqz", &s),
                     CM_DNS_ENC_BASE32);
    assert_int_equal(s.bits, 48 * 5);
    /* ... two such labels are not enough */
    assert_int_equal(shape("mfzwizltoq2d.gnrwk3tjn5xh.cdn", &s), CM_DNS_ENC_NONE);
    /*
     * ... and in labels of 4-7 characters: four or more in a row, two with a letter after a
     * digit (before 2026-12-04 labels under 8 characters were never joined, and a tunnel of
     * 120 such names in four minutes gave nothing)
     */
    assert_int_equal(shape("epewqyi.c7fo7tl.twp7x4m.l3qz5ka.o4b2xnm.k7dsq2a.u3f", &s),
                     CM_DNS_ENC_BASE32);
    assert_int_equal(s.bits, 45 * 5);
    assert_int_equal(shape("32lax.25fhr.6fqsl.6fbyt.wq3ke.7gd2h.uf6kq.4mxwe.pl", &s),
                     CM_DNS_ENC_BASE32);
    assert_int_equal(shape("xw2g.iqll.2ltz.q7kl.quw5.k2pd.e4mt.z3ha", &s), CM_DNS_ENC_BASE32);
    /* ... three short labels are not enough, nor four with digits only at their ends */
    assert_int_equal(shape("epewqyi.c7fo7tl.twp7x4m.cdn", &s), CM_DNS_ENC_NONE);
    assert_int_equal(shape("node1.rack2.zone3.dc04", &s), CM_DNS_ENC_NONE);
    assert_string_equal(cm_dns_encoding_name(CM_DNS_ENC_DIGITS), "digits");
    assert_string_equal(cm_dns_encoding_name(CM_DNS_ENC_HEX), "hex");
    assert_string_equal(cm_dns_encoding_name((enum cm_dns_encoding)99), "none");
}

static void test_shape_host_names(void **state)
{
    static const char *const hosts[] = {
        "www",
        "api.eu-west-1",
        "ssm.us-east-1",
        "ip-10-0-1-14",                            /* an address: EC2 host names */
        "c-73-12-34-56.hsd1.ca",                   /* FCrDNS of a cable customer */
        "ec2-54-210-10-20.compute-1",              /* ... of an EC2 address */
        "dsl-187-161-212-97-dyn.prod-infinitum",   /* ... dashed, with words around it */
        "mail-dm6nam11on2093.outbound.protection", /* Outlook's outbound hosts */
        "ghs-svc-https-c902.ghs-ssl",              /* Google-hosted sites */
        "rr3---sn-ab5l6nzr",                       /* googlevideo cache nodes */
        "www.mountainsportsclub-discountskiandsnowboardlifttickets.com.ghs",
        "kadykchanskiy",                       /* a blog name without many vowels */
        "appservice01.production.northeurope", /* three long labels of words */
        "storage2024.backups.eastus2",
        "node1.rack2.zone3.dc04", /* numbered hosts in short labels: digits last */
        "web01.prod02.east03.blue4.pool7",
        "edge.prod.useast1.cdn.static",
        "v2.api1.auth.login.service",
        "cluster0-shard-00-01.ab1cd",
        "WIN-7H3K2L1.corp", /* one capitalised label */
        /*
         * Host names people type, in title or camel case (before 2026-12-05 any label
         * with 2 capitals and 2 lowercase letters was base64, and an instance resolving
         * 100 of them in a day fired the slow rule)
         */
        "Johns-MacBook-Pro.corp",
        "Zoes-iPad-M1.corp",
        "FileServer02.corp",
        "PrintSrv-HQ.corp",
        "ws-BX3WTKX.corp",
        "SharePointWFE01.corp",
        "UniFiCloudKey.corp",
        "ThinkPad-X1Carbon.corp",
        "VMwareESXi01.corp",
        "_acme-challenge.www",                              /* attribute names are not judged... */
        "_3639ac514e785e898d2646601fa951d5.www",            /* ACM validation */
        "2eaa8b19-527c-cadf-3693-219a63e20f91._msdcs.corp", /* AD DC GUID */
        "ug7nbtf4gsif3ssvj7zmvqqg3ivbthxm._domainkey",      /* an SES DKIM selector */
        "abc",
        "",
    };
    struct cm_dns_name_shape s;

    (void)state;
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        if (shape(hosts[i], &s) != CM_DNS_ENC_NONE) {
            fail_msg("%s: judged %s", hosts[i], cm_dns_encoding_name(s.enc));
        }
        assert_int_equal(s.bits, 0);
    }
    /* The judged part of an attribute name is what is right of the '_' label. */
    shape("ug7nbtf4gsif3ssvj7zmvqqg3ivbthxm._domainkey.mail", &s);
    assert_int_equal(s.chars, 4);
    /* ... and an encoded name right of it is still judged. */
    assert_int_equal(shape("_x.932301f80c50666e88", &s), CM_DNS_ENC_HEX);
    /* A minimum of characters (the tuning's min_chars). */
    assert_int_equal(cm_dns_tunnel_shape(cm_str_cstr("932301f80c50666e88"), 20, &s),
                     CM_DNS_ENC_NONE);
    assert_int_equal(s.chars, 18);
    assert_int_equal(cm_dns_tunnel_shape(CM_STR_NULL, 10, &s), CM_DNS_ENC_NONE);
}

static void test_allowed(void **state)
{
    const struct cm_str extra[] = {CM_STR_LIT("Corp-Tools.example."), CM_STR_LIT("hash.io")};
    size_t n;
    const char *const *list = cm_dns_tunnel_allowlist(&n);

    (void)state;
    assert_true(n >= 20);
    for (size_t i = 0; i < n; i++) {
        assert_true(cm_dns_tunnel_allowed(cm_str_cstr(list[i]), NULL, 0));
    }
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("4.3.2.1.zen.spamhaus.org."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("4.3.2.1.ZEN.SpamHaus.ORG"), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("1.0.0.10.in-addr.arpa."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("ip-10-0-1-14.ec2.internal."), NULL, 0));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("vpce-0a1b2c-x.s3.us-east-1.vpce.amazonaws.com"),
                                      NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("notspamhaus.org."), NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("spamhaus.org.evil.com."), NULL, 0));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("x.tools.example."), extra, 2));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("a1b2.corp-tools.example."), extra, 2));
    assert_true(cm_dns_tunnel_allowed(CM_STR_LIT("hash.io"), extra, 2));
    assert_false(cm_dns_tunnel_allowed(CM_STR_LIT("xhash.io"), extra, 2));
    assert_false(cm_dns_tunnel_allowed(CM_STR_NULL, extra, 2));
}

/* ---- the detector ---- */

/* Appends one query-log line answered NXDOMAIN. */
static void qnx(int64_t t, const char *name, const char *instance)
{
    dnsfx_add(&(struct dnsfx_query){.t = t,
                                    .instance = instance,
                                    .name = name,
                                    .escape_name = true,
                                    .rcode = "NXDOMAIN",
                                    .vpc = "vpc-7example",
                                    .srcaddr = "10.0.1.14",
                                    .srcport = "56067"});
}

/*
 * Search-list expansions: a Kubernetes pod (ndots:5) on a node whose search list has
 * the corporate domain first asks every external name of fewer than five dots with it.
 * Before 2026-12-05 Elastic Cloud deployments, hashed S3 buckets and Lambda URLs so
 * expanded fired under example.com. The allow-listed name inside must be a whole zone of
 * two labels or more (aws and arpa: three), and the query must have failed.
 */
static void test_search_expansion(void **state)
{
    char h[64], a[40], name[200];
    struct dnsfx_run r;

    (void)state;
    assert_true(cm_dns_tunnel_expansion(
        CM_STR_LIT("0123456789abcdef0123456789abcdef.us-east-1.aws.found.io.corp.example.com."),
        NULL, 0));
    assert_true(
        cm_dns_tunnel_expansion(CM_STR_LIT("b-1a2b3c.s3.amazonaws.com.example.com"), NULL, 0));
    assert_true(cm_dns_tunnel_expansion(CM_STR_LIT("abc.lambda-url.us-east-1.on.aws.corp.example"),
                                        NULL, 0));
    assert_true(cm_dns_tunnel_expansion(CM_STR_LIT("a1b2.Corp-Tools.example.corp.example.com"),
                                        (const struct cm_str[]){CM_STR_LIT("corp-tools.example")},
                                        1));
    /* the name itself, and private-use or single labels inside, are no expansion */
    assert_false(cm_dns_tunnel_expansion(CM_STR_LIT("x.s3.amazonaws.com"), NULL, 0));
    assert_false(cm_dns_tunnel_expansion(CM_STR_LIT("0a1b2c3d4e5f.home.exfil.example"), NULL, 0));
    assert_false(cm_dns_tunnel_expansion(CM_STR_LIT("0a1b2c3d4e5f.corp.exfil.example"), NULL, 0));
    assert_false(cm_dns_tunnel_expansion(CM_STR_LIT("0a1b2c3d4e5f.aws.exfil.example"), NULL, 0));
    assert_false(cm_dns_tunnel_expansion(CM_STR_LIT("0a1b2c3d.xfound.io.exfil.example"), NULL, 0));
    assert_false(cm_dns_tunnel_expansion(CM_STR_NULL, NULL, 0));

    dnsfx_reset();
    for (int i = 0; i < 120; i++) {
        rnd(h, 32, HEX, 21, (uint64_t)i);
        rnd(a, 32, "abcdefghijklmnopqrstuvwxyz0123456789", 22, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.us-east-1.aws.found.io.corp.example.com", h);
        qnx(T0 + i * 10, name, I1);
        snprintf(name, sizeof(name), "logs-%.16s.s3.amazonaws.com.corp.example.com", h);
        qnx(T0 + i * 10, name, I1);
        snprintf(name, sizeof(name), "%s.lambda-url.us-east-1.on.aws.corp.example.com", a);
        qnx(T0 + i * 10, name, I1);
        /* answered: a wildcard search domain, or a tunnel that spells a zone in its names */
        snprintf(name, sizeof(name), "%s.found.io.t.exfil-ok.com", h);
        q(T0 + i * 10, name, "A", I2);
        /* a tunnel whose server answers NXDOMAIN, a private-use word among its labels */
        snprintf(name, sizeof(name), "%s.home.exfil-nx.com", h);
        qnx(T0 + i * 10, name, I3);
    }
    run_text(&r, NULL);
    for (size_t k = 0; k < r.n; k++) {
        assert_string_not_equal(r.d[k].resource, I1);
    }
    assert_non_null(dnsfx_finding(&r, TYPE, I2));
    assert_non_null(dnsfx_finding(&r, TYPE, I3));
    dnsfx_done(&r);
}

/* The queries the detections of instance inst counted, all together. */
static uint32_t counted(const struct dnsfx_run *r, const char *inst)
{
    uint32_t n = 0;

    for (size_t k = 0; k < r->n; k++) {
        n += strcmp(r->d[k].resource, inst) == 0 ? r->d[k].count : 0;
    }
    return n;
}

/*
 * A suffix is a search domain of an instance once it followed names of three allow-listed
 * zones (dns_tunnel_search.c); until then its first 16 distinct expansions are held.
 * Before 2026-12-06 a tunnel whose server answers NXDOMAIN and that writes an allow-listed
 * zone into its names (<data>.s3.amazonaws.com.evil-nx.com) was never judged.
 */
static void test_search_learning(void **state)
{
    static const char *const priv[] = {"mycompany", "eng.acmecorp-int", "ec2.internal",
                                       "svc.cluster.local"};
    char a[40], name[200];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 40; i++) {
        rnd(a, 32, B32, 31, (uint64_t)i);
        /* one zone: 16 names held, the other 24 judged under evil-nx.com */
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.evil-nx.com", a);
        qnx(T0 + i * 30, name, I1);
        /* two zones are not three */
        snprintf(name, sizeof(name), "%s.%s.evil-nx2.com", a,
                 i % 2 ? "s3.amazonaws.com" : "us-east-1.aws.found.io");
        qnx(T0 + i * 30, name, I2);
        /* TLDs in no root zone and private namespaces are search domains at once */
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.%s", a, priv[i % 4]);
        qnx(T0 + i * 30, name, I3);
        /* answered: no expansion, all judged (I1 and I2 count 16 encoded names fewer) */
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.evil-ok.com", a);
        q(T0 + i * 30, name, "A", I4);
    }
    run_text(&r, NULL);
    assert_true(counted(&r, I4) >= 32); /* of 40: a few random names look like no encoding */
    assert_int_equal(counted(&r, I1), counted(&r, I4) - 16);
    for (size_t k = 0; k < r.n; k++) {
        if (strcmp(r.d[k].resource, I1) == 0) {
            assert_non_null(strstr(r.d[k].info, "\"domain\":\"evil-nx.com\""));
        }
    }
    assert_int_equal(counted(&r, I2), counted(&r, I4) - 16);
    assert_int_equal(counted(&r, I3), 0);
    dnsfx_done(&r);

    /* Sixteen names of a tunnel under a suffix being learned: all held. */
    dnsfx_reset();
    for (int i = 0; i < 16; i++) {
        rnd(a, 32, B32, 31, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.evil-nx.com", a);
        qnx(T0 + i * 30, name, I1);
        qnx(T0 + i * 30 + 1, name, I1); /* a name again is held again */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.inserts, 1); /* the suffix's entry, nothing judged */
    dnsfx_done(&r);
}

/* Names of three zones under corp.example.com, at t: the suffix is learned. */
static void learn_corp(int64_t t, const char *inst, uint64_t sd)
{
    char h[40], name[200];

    rnd(h, 32, HEX, sd, 0);
    snprintf(name, sizeof(name), "%s.us-east-1.aws.found.io.corp.example.com", h);
    qnx(t, name, inst);
    snprintf(name, sizeof(name), "logs-%.16s.s3.amazonaws.com.corp.example.com", h);
    qnx(t, name, inst);
    snprintf(name, sizeof(name), "%s.lambda-url.us-east-1.on.aws.corp.example.com", h);
    qnx(t, name, inst);
}

/*
 * A learned search domain lives while it is used, and is forgotten an hour (window_ms)
 * after its last expansion; the suffix entries share the table's memcap.
 */
static void test_search_ttl(void **state)
{
    struct cm_dns_tunnel_tuning t = {.max_entries = 4};
    char a[40], name[200];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    learn_corp(T0, I1, 41);
    learn_corp(T0, I2, 42);
    for (int i = 0; i < 40; i++) {
        rnd(a, 32, B32, 43, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.corp.example.com", a);
        qnx(T0 + 60 + i * 80, name, I1);          /* within the hour of the last one: learned */
        qnx(T0 + 2 * 3600 + i * 30, name, I2);    /* two hours later: forgotten, held anew */
        q(T0 + 2 * 3600 + i * 30, name, "A", I3); /* answered: 16 more than I2 counts */
    }
    run_text(&r, NULL);
    assert_int_equal(counted(&r, I1), 0);
    assert_true(counted(&r, I3) >= 32);
    assert_int_equal(counted(&r, I2), counted(&r, I3) - 16);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"example.com\""));
    dnsfx_done(&r);

    /* Ten suffixes, one name each: the table holds four. */
    dnsfx_reset();
    for (int d = 0; d < 10; d++) {
        rnd(a, 32, B32, 44, (uint64_t)d);
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.corp%d.example.com", a, d);
        qnx(T0 + d, name, I1);
    }
    run_text(&r, &t);
    assert_int_equal(r.stats.inserts, 10);
    assert_int_equal(r.stats.evicted, 6);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/* The GuardDuty tester: 929 names of ~60 + ~30 base64ish characters under its C&C domain. */
static void test_guardduty_tester(void **state)
{
    char a[64], b[40], name[160], dom[64];
    const struct cm_finding *f;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    q(T0 - 60, "www.example.com", "A", I1); /* something else the instance asks */
    for (int i = 0; i < 929; i++) {
        rnd(a, 60, B64ISH, 3, (uint64_t)i);
        rnd(b, 30, B64ISH, 4, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.%s.guarddutyc2activityb.com", a, b);
        q(T0 + i / 10, name, "A", I1);
    }
    run_text(&r, NULL);
    /*
     * Six names of 90 characters carry 405 bytes: the "long names" rule fires first; the
     * 923 names after it, within the hour the rate limit holds, are reported when the entry
     * expires (the end of input), from the last of them.
     */
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].count, 929 - 6);
    assert_int_equal(r.d[1].first_ms, T0 * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 928 / 10) * 1000);
    assert_string_equal(r.d[0].resource, I1);
    assert_int_equal(r.d[0].count, 6);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_true(r.d[0].severity == 0.0); /* the type's default: High 8 */
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)),
                        "guarddutyc2activityb.com");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 6);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 405);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "longestLabel"), 60);
    assert_string_equal(dnsfx_info_str(r.d[0].info, "encoding", dom, sizeof(dom)), "base64");
    assert_non_null(strstr(r.d[0].info, "\"queryTypes\":{\"A\":6}"));
    assert_non_null(strstr(r.d[0].info, "\"windowSeconds\":3600"));
    f = dnsfx_finding(&r, TYPE, I1);
    assert_true(f->severity == 8.0);
    assert_int_equal(f->count, 929);
    /* The domain's window and slow entries, and the instance's spread entry its second encoded
     * name made. */
    assert_int_equal(r.stats.inserts, 3);
    dnsfx_done(&r);

    /* The same an hour and more later: the second detection carries the rest. */
    for (int i = 0; i < 8; i++) {
        rnd(a, 60, B64ISH, 3, (uint64_t)(1000 + i));
        snprintf(name, sizeof(name), "%s.x.guarddutyc2activityb.com", a);
        q(T0 + HOUR + 60 + i, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].count, 929 - 6 + 8);
    assert_int_equal(r.d[1].first_ms, (T0 + 0) * 1000); /* the first not yet reported */
    assert_int_equal(dnsfx_info_num(r.d[1].info, "uniqueSubdomains"), 8); /* the new window's */
    assert_non_null(strstr(r.d[1].info, "\"queryTypes\":{\"TXT\":8}"));
    f = dnsfx_finding(&r, TYPE, I1);
    assert_int_equal(f->count, 929 + 8);
    dnsfx_done(&r);
}

/* dnscat2-like hex names: fires at the eighth distinct name; seven do not. */
static void test_many_names(void **state)
{
    char h[64], name[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 7; i++) { /* seven distinct 34-hex names: 119 bytes, under both rules */
        rnd(h, 34, HEX, 5, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
        q(T0 + i * 60, name, "CNAME", I1);
        q(T0 + i * 60 + 1, name, "MX", I1); /* repeats are not new names */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.inserts, 3); /* the domain's window and slow entries, the spread one */
    dnsfx_done(&r);

    rnd(h, 34, HEX, 5, 7);
    snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
    q(T0 + 600, name, "TXT", I1); /* the eighth: 8 x 34 x 4 bits = 136 bytes: not enough */
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    for (int i = 8; i < 12; i++) { /* four more: 12 names, 204 bytes */
        rnd(h, 34, HEX, 5, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
        q(T0 + 700 + i, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0].count, 7 * 2 + 1 + 4);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 12);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), 19);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 204);
    assert_non_null(strstr(r.d[0].info, "\"encoding\":\"hex\""));
    assert_non_null(strstr(r.d[0].info, "\"CNAME\":7,\"MX\":7"));
    dnsfx_done(&r);
}

/*
 * A hash look-up service the allow list does not name, answering as DNS lists do
 * (RFC 5782: 127.0.0.1 unknown, 127.0.0.2 known bad): an antivirus agent asking about
 * 4 new files an hour for a day (40 hex characters each, 96 names, 1,920 bytes) and a
 * burst of 30 in a minute. Before 2026-12-08 the slow rule fired once a day (the burst:
 * the window rule). The same names answered NXDOMAIN, or with other addresses, fire.
 */
static void test_listing_answers(void **state)
{
    char h[64], name[128];
    struct dnsfx_run r;

    (void)state;
    for (int pass = 0; pass < 3; pass++) {
        dnsfx_reset();
        for (int i = 0; i < 126; i++) {
            int64_t t = i < 96 ? T0 + i * 900 : T0 + 20 * HOUR + (i - 96) * 2;

            rnd(h, 40, HEX, 11, (uint64_t)i);
            snprintf(name, sizeof(name), "4.%s.sha1.f.01.rep.av-vendor.example", h);
            if (pass == 0) {
                q1(t, name, "A", I1, "A", i % 5 == 0 ? "127.0.0.2" : "127.0.0.1");
            } else if (pass == 1) {
                qnx(t, name, I1);
            } else {
                q1(t, name, "A", I1, "A", "127.63.247.35"); /* dnscat2's A data */
            }
        }
        run_text(&r, NULL);
        if (pass == 0) {
            assert_int_equal(r.n, 0);
            assert_int_equal(r.stats.inserts, 0);
        } else {
            assert_true(r.n >= 1);
        }
        dnsfx_done(&r);
    }
}

/*
 * Saitama: base36 names, slowly, under three domains. Together the three
 * domains fire first (a spread detection); each domain still fires on its
 * own later, and every query is counted once over the four.
 */
/*
 * A host that resolves the machines of an office by the names people gave them (an MDM,
 * backup or monitoring server): 150 title- and camel-case names a day under the company's
 * domain, three times each. Before 2026-12-05 each was base64 (2 capitals and 2 lowercase
 * letters), 150 names of 13-21 characters carried some 1,300 "bytes", and the slow rule
 * fired.
 */
static void test_camel_case_hosts(void **state)
{
    static const char *const who[] = {"Johns",  "Annas", "Marias", "Peters", "Lukas",
                                      "Sofias", "Noahs", "Emmas",  "Liams",  "Olivias",
                                      "Mias",   "Bens",  "Pauls",  "Leas",   "Toms"};
    static const char *const what[] = {"MacBook-Pro", "MacBook-Air", "iMac",        "Mac-mini",
                                       "iPad",        "iPhone",      "Surface-Pro", "ThinkPad",
                                       "Galaxy-Tab",  "PixelBook"};
    char name[96];
    struct dnsfx_run r;
    int n = 0;

    (void)state;
    dnsfx_reset();
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
            for (size_t k = 0; k < sizeof(what) / sizeof(what[0]); k++) {
                snprintf(name, sizeof(name), "%s-%s.corp.example-shop.com", who[i], what[k]);
                q(T0 + n++ * 190, name, "A", I1); /* 450 queries over a day */
            }
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

static void test_slow_base36(void **state)
{
    static const char *const doms[] = {"uber-asia.com", "asiaworldremit.com", "joexpediagroup.com"};
    char s[40], name[96], dom[64];
    uint32_t total = 0;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 36; i++) {
        rnd(s, 29, B36, 6, (uint64_t)i);
        s[3] = '7'; /* digits strewn among letters, as base36 has them */
        s[11] = '2';
        s[20] = '9';
        snprintf(name, sizeof(name), "%s.%s", s, doms[i % 3]);
        q(T0 + i * 66, name, "A", I2); /* 36 queries over 40 minutes */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 4);
    /*
     * The spread: each domain joins it at its second name (queries 3, 4, 5),
     * bringing its queries so far; at query 11 the three carry 12 names of
     * 145 bits, 217 bytes: it reports the 12 queries counted so far.
     */
    assert_string_equal(r.d[0].resource, I2);
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    assert_int_equal(dnsfx_info_num(r.d[0].info, "domains"), 3);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 12);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 12 * 29 * 5 / 8);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), 12);
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)), doms[11 % 3]);
    assert_int_equal(r.d[0].count, 12);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(r.d[0].time_ms, (T0 + 11 * 66) * 1000);
    total = r.d[0].count;
    /* Each domain on its own at its twelfth name (217 bytes): queries 33, 34, 35. */
    for (size_t i = 1; i < r.n; i++) {
        assert_string_equal(r.d[i].resource, I2);
        assert_null(strstr(r.d[i].info, "\"spread\""));
        assert_string_equal(dnsfx_info_str(r.d[i].info, "domain", dom, sizeof(dom)),
                            doms[(i + 2) % 3]);
        assert_int_equal(r.d[i].time_ms, (T0 + (int64_t)(32 + i) * 66) * 1000);
        /* its 12 queries but the four the spread reported */
        assert_int_equal(r.d[i].count, 8);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "uniqueSubdomains"), 12);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "queries"), 12);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "bytes"), 12 * 29 * 5 / 8);
        assert_non_null(strstr(r.d[i].info, "\"encoding\":\"base32\""));
        total += r.d[i].count;
    }
    assert_int_equal(total, 36);
    assert_int_equal(dnsfx_finding(&r, TYPE, I2)->count, 36); /* one finding per instance */
    dnsfx_done(&r);

    /* The same trickle at one name every ten minutes: never 8 in an hour (nor 48 in a day). */
    dnsfx_reset();
    for (int i = 0; i < 30; i++) {
        rnd(s, 29, B36, 6, (uint64_t)i);
        s[3] = '7';
        s[11] = '2';
        s[20] = '9';
        snprintf(name, sizeof(name), "%s.uber-asia.com", s);
        q(T0 + i * 600, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/*
 * A DNS inventory of a zone whose CNAMEs carry ids in one answer of ten:
 * 3000 words asked for CNAME in 20 minutes, 300 of them answered with an id
 * under the zone. Regression: past the exact set, the estimate of the
 * distinct items minus the (non-data) answers left the estimate's error as
 * phantom encoded names, and fired; the query names alone count now.
 */
static void test_inventory_many_answers(void **state)
{
    char w[16], id[40], tgt[128], name[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 3000; i++) {
        rnd(w, 8, "abcdefghijklmnopqrstuvwxyz", 41, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.inventory-zone.com", w);
        if (i % 10 == 0) {
            rnd(id, 32, HEX, 42, (uint64_t)i);
            snprintf(tgt, sizeof(tgt), "%s-%s.inventory-zone.com.", w, id);
        } else {
            rnd(id, 13, B36, 43, (uint64_t)i);
            snprintf(tgt, sizeof(tgt), "d%s.cloudfront.net.", id);
        }
        q1(T0 + (int64_t)i * 2 / 5, name, "CNAME", I1, "CNAME", tgt);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/* One name every ten minutes, of nt characters of alphabet a (stream sd), n of them, from t0. */
static void trickle(int64_t t0, int n, int step, size_t nt, const char *a, uint64_t sd,
                    const char *dom, const char *inst)
{
    char s[80], name[160];

    for (int i = 0; i < n; i++) {
        rnd(s, nt, a, sd, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.%s", s, dom);
        q(t0 + (int64_t)i * step, name, "A", inst);
    }
}

/*
 * The slow rule: a tunnel under every window's thresholds (one name of 20
 * bytes every ten minutes: 6 names and 120 bytes an hour) fires when its
 * day holds 48 distinct names and 960 bytes; once a day; not when the
 * window fired already; near misses: 47 names, names that carry too
 * little, one name asked all day, a trickle slower than 48 a day.
 */
static void test_slow(void **state)
{
    struct dnsfx_run r;
    char dom[128];

    (void)state;
    dnsfx_reset();
    trickle(T0, 60, 600, 40, HEX, 31, "slow-drip.net", I1);
    /* near misses, an instance each: 47 names; 60 that carry 12 bytes; one name 144 times;
     * 60 over two days */
    trickle(T0, 47, 600, 40, HEX, 32, "slow-drip.net", I2);
    trickle(T0, 60, 600, 24, HEX, 33, "short-drip.net", I3);
    for (int i = 0; i < 144; i++) {
        q(T0 + i * 600, "3f2504e04f8911d39a0c0305e82c3301.sessions.example-saas.com", "A", I4);
    }
    trickle(T0, 60, 2880, 40, HEX, 34, "slower-drip.net", "i-0e5f60718293a4b5c");
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"slow\":true"));
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)), "slow-drip.net");
    /* at the 48th name (the set is exact to 64; 20 bytes a name), when it joined a spread too */
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 48);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), 48);
    assert_int_equal(r.d[0].count, 48);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 960);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "windowSeconds"), 86400);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(r.d[0].time_ms, (T0 + (r.d[0].count - 1) * 600) * 1000);
    /*
     * The 12 names after it, reported as the pair's window entry expires (the end of input),
     * from the last, with the slow rule's measures: the finding counts all 60 and ends at the
     * 60th. Before 2026-12-05 they were never reported (count 48).
     */
    assert_string_equal(r.d[1].resource, I1);
    assert_non_null(strstr(r.d[1].info, "\"slow\":true"));
    assert_int_equal(r.d[1].count, 12);
    assert_int_equal(r.d[1].first_ms, (T0 + 48 * 600) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 59 * 600) * 1000);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 60);
    dnsfx_done(&r);

    /*
     * A slower trickle after the detection: one name every 2 hours, so the window entry
     * expires between them; each new one is marked by the slow entry's recent report, and
     * reports its name as it expires: 48 + 6.
     */
    dnsfx_reset();
    trickle(T0, 48, 600, 40, HEX, 38, "slow-drip.net", I1);
    trickle(T0 + 48 * 600 + 7200, 6, 7200, 40, HEX, 39, "slow-drip.net", I1);
    run_text(&r, NULL);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.d[0].count, 48);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 54);
    assert_int_equal(r.d[6].time_ms, (T0 + 48 * 600 + 6 * 7200) * 1000);
    dnsfx_done(&r);

    /*
     * A burst the window reports first: the trickle after it is that day's, not a slow one.
     * The window's entry, touched every ten minutes, reports it when it expires (the end of
     * input).
     */
    dnsfx_reset();
    trickle(T0, 10, 10, 40, HEX, 35, "slow-drip.net", I1); /* 10 names, 200 bytes */
    trickle(T0 + 600, 60, 600, 40, HEX, 36, "slow-drip.net", I1);
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_null(strstr(r.d[0].info, "\"slow\""));
    assert_int_equal(r.d[0].count, 10);
    assert_null(strstr(r.d[1].info, "\"slow\""));
    assert_int_equal(r.d[1].count, 60);
    dnsfx_done(&r);

    /*
     * Two days of it: one slow detection a day, each with the queries since the last, then
     * the tail after the second as the window entry expires: every one of the 288 counted.
     */
    dnsfx_reset();
    trickle(T0, 288, 600, 40, HEX, 37, "slow-drip.net", I1);
    run_text(&r, NULL);
    assert_int_equal(r.n, 3);
    assert_true(r.d[1].time_ms - r.d[0].time_ms >= 86400 * 1000LL);
    assert_true(r.d[1].first_ms > r.d[0].time_ms);
    assert_int_equal(r.d[0].count + r.d[1].count + r.d[2].count, 288);
    assert_int_equal(r.d[2].time_ms, (T0 + 287 * 600) * 1000);
    dnsfx_done(&r);
}

/* Symbiote: counter names over TXT fire; the same shape asked for addresses is hosts. */
static void test_digits(void **state)
{
    char name[96];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 120; i++) {
        snprintf(name, sizeof(name), "%d.172209439.x4206.caixa.cx", 100 + i);
        q(T0 + i / 10, name, "TXT", I1);
        snprintf(name, sizeof(name), "%d.554433221.x9911.numbered-hosts.com", 100 + i);
        q(T0 + i / 10, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2); /* the second: the 91 after the first, at the end of input */
    assert_int_equal(r.d[1].count, 120 - 29);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"caixa.cx\""));
    assert_non_null(strstr(r.d[0].info, "\"encoding\":\"digits\""));
    /* 17 characters at 3.32 bits carry 7 bytes: it takes 29 names to carry 200 */
    assert_int_equal(r.d[0].count, 29);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 29 * 56 / 8);
    dnsfx_done(&r);
}

/* Whole names of hex carrying 100 bytes each: four are enough (Symbiote's dnscat2). */
static void test_long_names(void **state)
{
    char a[64], b[64], c[64], name[256];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 4; i++) {
        rnd(a, 60, HEX, 8, (uint64_t)i);
        rnd(b, 60, HEX, 9, (uint64_t)i);
        rnd(c, 60, HEX, 10, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.%s.%s.%.20s.git.bancodobrasil.dev", a, b, c, a);
        q(T0 + i, name, "TXT", I1);
        if (i == 2) {
            run_text(&r, NULL);
            assert_int_equal(r.n, 0); /* three: 304 bytes */
            dnsfx_done(&r);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0].count, 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 4 * 203 * 4 / 8);
    dnsfx_done(&r);
}

/* iodine idle: polls too short to judge, asked for NULL, after a base128 handshake. */
static void test_data_types(void **state)
{
    char s[16], name[96];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    q(T0, "z2paaAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ.hacker-iodine.com", "NULL", I1);
    q(T0 + 1, "0eabaEnPJygI6M7aabbXw70midbNx9xJfCRNpZ6N3Kbgtc0mKq7aZeaH.q.hacker-iodine.com",
      "NULL", I1);
    for (int i = 0; i < 400; i++) {
        rnd(s, 5, "abcdefghijklmnopqrstuvwxyz0123456789", 11, (uint64_t)i);
        snprintf(name, sizeof(name), "paa%s.hacker-iodine.com", s);
        q(T0 + 10 + i * 2, name, "NULL", I1);
        /* A DNS inventory: word names asked for CNAME and TXT, no encoded names. */
        snprintf(name, sizeof(name), "service%03d.inventory-target.com", i);
        q(T0 + 10 + i * 2, name, "CNAME", I2);
        q(T0 + 10 + i * 2, name, "TXT", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2); /* the second: the polls after the first, at the end of input */
    assert_string_equal(r.d[1].resource, I1);
    assert_int_equal(r.d[0].count + r.d[1].count, dnsfx_finding(&r, TYPE, I1)->count);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"hacker-iodine.com\""));
    assert_true(dnsfx_info_num(r.d[0].info, "dataTypeSubdomains") >= 90);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 2);
    assert_non_null(strstr(r.d[0].info, "\"NULL\":"));
    assert_true(r.d[0].count >= 90 && r.d[0].count <= 115);
    dnsfx_done(&r);
}

/* Near misses that must stay quiet. */
static void test_near_misses(void **state)
{
    /* Allow-listed names made of the hash: prefix, its first n characters, suffix, qtype. */
    static const struct {
        const char *pre;
        int n;
        const char *suf, *qtype;
    } allowed[] = {
        /* hash look-ups of allow-listed services */
        {"", 40, ".d1.sophosxl.net", "A"},
        {"", 40, ".malware.hash.cymru.com", "TXT"},
        /* Trend Micro's reputation look-ups (before 2026-12-05 not allowed: they fired) */
        {"", 40, ".wrs.trendmicro.com", "A"},
        {"", 40, ".ebl.msbl.org", "A"},
        /* content services that name a host after a content id or a file */
        {"bafybei", 40, ".ipfs.cf-ipfs.com", "A"},
        {"", 40, "qz.arweave.net", "A"},
        {"uc", 30, ".dl.dropboxusercontent.com", "A"},
        /* Elastic Cloud deployments: a 32-hex cluster id under the provider's region zone */
        {"", 32, ".us-east-1.aws.found.io", "A"},
        {"", 32, ".eu-west-1.aws.elastic-cloud.com", "A"},
        /* ... on Google Cloud (before 2026-12-05 not allowed: 8 of them in an hour fired) */
        {"", 32, ".us-central1.gcp.cloud.es.io", "A"},
        /* reverse lookups, EC2 names, Kubernetes search expansions */
        {"", 40, ".0.1.0.0.2.ip6.arpa", "PTR"},
        {"", 40, ".ec2.internal", "A"},
        {"web-", 40, ".default.svc.cluster.local", "A"},
    };
    char h[64], z[40], name[160];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 200; i++) {
        rnd(h, 40, HEX, 12, (uint64_t)i);
        /* Rspamd's email block list: a mail server asks the blake2 hash of every address in
         * its mail, 32 characters of z-base-32, under email.rspamd.com. */
        rnd(z, 32, "ybndrfg8ejkmcpqxot1uwisza345h769", 13, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.email.rspamd.com", z);
        q(T0 + i, name, "A", I1);
        /* the same tunnel names asked by an on-premises client (no instance) */
        snprintf(name, sizeof(name), "%s.onprem-tunnel.com", h);
        q(T0 + i, name, "TXT", NULL);
        for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++) {
            snprintf(name, sizeof(name), "%s%.*s%s", allowed[k].pre, allowed[k].n, h,
                     allowed[k].suf);
            q(T0 + i, name, allowed[k].qtype, I1);
        }
        snprintf(name, sizeof(name), "%d.%d.113.203.zen.spamhaus.org", i % 250, i / 250);
        q(T0 + i, name, "A", I1);
        /* one encoded name asked over and over */
        q(T0 + i, "3f2504e04f8911d39a0c0305e82c3301.sessions.example-saas.com", "A", I1);
        /* ACM validation records under one domain */
        snprintf(name, sizeof(name), "_%.32s.host%d.example.com", h, i);
        q(T0 + i, name, "CNAME", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    /* Allow-listed names and the on-prem client made no state; the repeated name made one
     * entry and one slow entry, the CNAME look-ups of example.com another (data-bearing type:
     * counted, quiet). */
    assert_int_equal(r.stats.inserts, 3);
    dnsfx_done(&r);
}

/* A forwarder randomising case (DNS 0x20): long host names in random case are not base64. */
static void test_case_randomised(void **state)
{
    static const char *const hosts[] = {"assets-cdn",       "static-content",      "images-gallery",
                                        "download-center",  "customer-portal",     "payments-api",
                                        "search-service",   "analytics-collector", "media-upload",
                                        "notifications-hub"};
    char name[128], h[64];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int rep = 0; rep < 3; rep++) {
        for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
            size_t k = 0;

            snprintf(name, sizeof(name), "%s.eu-west-1.example-shop.com", hosts[i]);
            for (char *p = name; *p; p++, k++) { /* the whole name, its domain too */
                if (*p >= 'a' && *p <= 'z' && ((k * 7 + i + (size_t)rep) % 3) == 0) {
                    *p = (char)(*p - 'a' + 'A');
                }
            }
            q(T0 + rep * 60 + (int64_t)i, name, "A", I1);
        }
    }
    /* ... while a tunnel writes its own domain lowercase: its case is data. */
    for (int i = 0; i < 8; i++) {
        rnd(h, 40, B64ISH, 19, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.case-tunnel.com", h);
        q(T0 + 200 + i, name, "A", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, I2);
    /* case-tunnel.com's window and slow entries and I2's spread entry; the hosts made none */
    assert_int_equal(r.stats.inserts, 3);
    dnsfx_done(&r);
}

/* The registered domain comes from the Public Suffix List. */
static void test_registered_domain(void **state)
{
    char h[64], name[160];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 12; i++) {
        rnd(h, 40, HEX, 13, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.evil.co.uk", h);
        q(T0 + i, name, "TXT", I1);
        snprintf(name, sizeof(name), "%s.t.mytunnel.duckdns.org", h);
        q(T0 + i, name, "TXT", I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 4); /* then the two names after each, at the end of input */
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"evil.co.uk\""));
    assert_non_null(strstr(r.d[1].info, "\"domain\":\"mytunnel.duckdns.org\""));
    assert_non_null(strstr(r.d[2].info, "\"domain\":\"evil.co.uk\""));
    assert_non_null(strstr(r.d[3].info, "\"domain\":\"mytunnel.duckdns.org\""));
    dnsfx_done(&r);

    /* Two instances on one domain are two entities; one alone never crosses. */
    dnsfx_reset();
    for (int i = 0; i < 10; i++) {
        rnd(h, 40, HEX, 14, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.shared-tunnel.com", h);
        q(T0 + i, name, "TXT", i % 2 ? I1 : I2);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    /* per instance: the domain's window and slow entries, its spread entry */
    assert_int_equal(r.stats.inserts, 6);
    dnsfx_done(&r);
}

/* Records out of order within the window count; the detection's first seen is the earliest. */
static void test_out_of_order(void **state)
{
    static const int order[] = {5, 1, 9, 0, 3, 11, 7, 2, 10, 4, 8, 6};
    char h[64], name[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (size_t k = 0; k < sizeof(order) / sizeof(order[0]); k++) {
        rnd(h, 40, HEX, 15, (uint64_t)order[k]);
        snprintf(name, sizeof(name), "%s.late-tunnel.com", h);
        q(T0 + order[k] * 30, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    /* 10 names of 40 hex carry 200 bytes: the tenth record in file order (time 4) fires */
    assert_int_equal(r.d[0].count, 10);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_int_equal(r.d[0].time_ms, (T0 + 4 * 30) * 1000);
    /* the two after it (times 8 and 6) at the end of input, from the latest of them */
    assert_int_equal(r.d[1].count, 2);
    assert_int_equal(r.d[1].first_ms, (T0 + 6 * 30) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 8 * 30) * 1000);
    dnsfx_done(&r);
}

/* A tunnel running three hours: at most one detection an hour, the counts adding up. */
static void test_rate_limit(void **state)
{
    char h[64], name[128];
    uint32_t total = 0;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 3 * 360; i++) {
        rnd(h, 50, HEX, 16, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.long-tunnel.net", h);
        q(T0 + i * 10, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 4); /* three an hour apart, then the rest at the end of input */
    for (size_t i = 0; i < r.n; i++) {
        total += r.d[i].count;
        if (i > 0 && i < 3) {
            assert_true(r.d[i].time_ms - r.d[i - 1].time_ms >= HOUR * 1000);
        }
    }
    assert_int_equal(r.d[3].time_ms, (T0 + (3 * 360 - 1) * 10) * 1000);
    /* Every query is counted once. */
    assert_int_equal(total, 3 * 360);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, total);
    dnsfx_done(&r);
}

/* Name i of stream sd: 50 hex characters (25 bytes) under dom, asked for TXT by I1. */
static void hex50(int64_t t, uint64_t sd, int i, const char *dom)
{
    char h[64], name[128];

    rnd(h, 50, HEX, sd, (uint64_t)i);
    snprintf(name, sizeof(name), "%s.%s", h, dom);
    q(t, name, "TXT", I1);
}

/*
 * A burst that goes on after its detection and stops within the hour the rate limit holds:
 * the names after the detection are reported when the entry expires, here while the input
 * goes on (the instance asks something else two hours later), built from the last of them.
 * Before 2026-12-05 they were dropped with the entry.
 */
static void test_after_last_detection(void **state)
{
    const struct cm_finding *f;
    char dom[64], last[64];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 20; i++) {
        hex50(T0 + i * 30, 40, i, "burst-tunnel.com");
    }
    for (int i = 0; i < 8; i++) {
        hex50(T0 + 2 * HOUR + i, 41, i, "later-tunnel.com"); /* a tunnel of its own, later */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.d[0].count, 8); /* 8 names of 25 bytes */
    assert_int_equal(r.d[0].time_ms, (T0 + 7 * 30) * 1000);
    /* the twelve after it, reported when the entry expired: before the later tunnel's */
    assert_string_equal(dnsfx_info_str(r.d[1].info, "domain", dom, sizeof(dom)),
                        "burst-tunnel.com");
    assert_string_equal(r.d[1].resource, I1);
    assert_int_equal(r.d[1].count, 12);
    assert_int_equal(r.d[1].first_ms, (T0 + 8 * 30) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 19 * 30) * 1000);
    assert_int_equal(dnsfx_info_num(r.d[1].info, "uniqueSubdomains"), 20);
    rnd(last, 50, HEX, 40, 19); /* the event: the last name */
    assert_int_equal(strncmp(r.d[1].name, last, 50), 0);
    assert_string_equal(r.d[1].name + 50, ".burst-tunnel.com.");
    assert_string_equal(dnsfx_info_str(r.d[2].info, "domain", dom, sizeof(dom)),
                        "later-tunnel.com");
    f = dnsfx_finding(&r, TYPE, I1);
    assert_int_equal(f->count, 20 + 8);
    dnsfx_done(&r);

    /* Names after the detection that a later detection reports are not reported twice. */
    dnsfx_reset();
    for (int i = 0; i < 20; i++) {
        hex50(T0 + i * 30, 40, i, "burst-tunnel.com");
    }
    for (int i = 0; i < 8; i++) {
        hex50(T0 + HOUR + 60 + i, 42, i, "burst-tunnel.com");
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].count, 12 + 8);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 28);
    dnsfx_done(&r);
}

/*
 * Records of one hour in two orders (a Resolver file read after the next one, five minutes
 * apart: within the scan's ordering slack) give the same detections' counts. The window
 * starts at its earliest query, not at the first to come, and what the rate limit holds is
 * reported when the entry expires. Before 2026-12-05 the tester-like tunnel below counted
 * 8 in the second order and 608 in the first instead of 620 (the names of the hour after,
 * due a detection five minutes after they stopped, were never reported; in order, the 12
 * after the hour's detection), and the near miss fired in the second order only (a window
 * from the 00:05 file took the names of 01:02).
 */
static void test_delivery_order(void **state)
{
    uint32_t count[2];
    size_t n[2];
    struct dnsfx_run r;

    (void)state;
    for (int order = 0; order < 2; order++) {
        dnsfx_reset();
        for (int part = 0; part < 2; part++) {
            int file = order == 0 ? part : 1 - part; /* order 1: the 00:05 file first */

            for (int i = 0; i < 300; i++) {
                hex50(T0 + file * 300 + i, 43, file * 300 + i, "tester-tunnel.com");
            }
        }
        for (int i = 0; i < 20; i++) {
            hex50(T0 + HOUR + 60 + i, 44, i, "tester-tunnel.com");
        }
        run_text(&r, NULL);
        count[order] = dnsfx_finding(&r, TYPE, I1)->count;
        dnsfx_done(&r);
    }
    assert_int_equal(count[0], 620);
    assert_int_equal(count[1], count[0]);

    /*
     * A near miss: 3 names at 00:00, 3 at 00:05 (their window: 6 names, 150 bytes), 3 at
     * 01:02, in the next window. Read with the 00:05 file first, the window that starts at
     * 00:00 still ends before 01:02.
     */
    for (int order = 0; order < 2; order++) {
        dnsfx_reset();
        for (int part = 0; part < 2; part++) {
            int file = order == 0 ? part : 1 - part;

            for (int i = 0; i < 3; i++) {
                hex50(T0 + file * 300 + i, 45, file * 3 + i, "near-tunnel.com");
            }
        }
        for (int i = 0; i < 3; i++) {
            hex50(T0 + HOUR + 120 + i, 45, 6 + i, "near-tunnel.com");
        }
        run_text(&r, NULL);
        n[order] = r.n;
        dnsfx_done(&r);
    }
    assert_int_equal(n[0], 0);
    assert_int_equal(n[1], 0);
}

/* The memcap: entries beyond max_entries evict the least recently seen, counted. */
static void test_memcap(void **state)
{
    struct cm_dns_tunnel_tuning t = {.max_entries = 4};
    char h[64], name[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int d = 0; d < 10; d++) {
        rnd(h, 40, HEX, 17, (uint64_t)d);
        snprintf(name, sizeof(name), "%s.domain%d.com", h, d);
        q(T0 + d, name, "TXT", I1);
    }
    run_text(&r, &t);
    /* ten domains, each a window and a slow entry; each table holds 4 */
    assert_int_equal(r.stats.inserts, 20);
    assert_int_equal(r.stats.evicted, 12);
    assert_int_equal(r.stats.peak_entries, 8);
    assert_true(r.stats.peak_bytes > 0);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/*
 * The slow rule survives a flood of one-off names: between two names of the
 * trickle, its instance asks one encoded name under each of 40 new domains,
 * more than the 16 slow entries the table holds. Before, the trickle's slow
 * entry (10 names by then) was the least recently seen and was evicted, and
 * the 42 names left made no 48 in one period: no detection. The flood's
 * one-name entries now evict each other.
 */
static void test_slow_flood(void **state)
{
    struct cm_dns_tunnel_tuning t = {.max_entries = 16};
    char h[64], name[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    trickle(T0, 10, 600, 40, HEX, 31, "slow-drip.net", I1);
    for (int d = 0; d < 40; d++) {
        rnd(h, 40, HEX, 38, (uint64_t)d);
        snprintf(name, sizeof(name), "%s.flood%d.com", h, d);
        q(T0 + 9 * 600 + 1 + d, name, "A", I1);
    }
    trickle(T0 + 10 * 600, 42, 600, 40, HEX, 39, "slow-drip.net", I1);
    run_text(&r, &t);
    assert_true(r.stats.evicted >= 2 * (40 - 16));
    assert_int_equal(r.n, 2); /* the detection at the 48th name, then the 4 after it */
    assert_int_equal(r.d[1].count, 4);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"slow\":true"));
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 48);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    dnsfx_done(&r);
}

/* Tuning: thresholds, the window, the extra allow list; bad settings are refused. */
static void test_tuning(void **state)
{
    const struct cm_str allow[] = {CM_STR_LIT("our-hashes.example")};
    struct cm_dns_tunnel_tuning t = {.many_names = 3, .many_bytes = 50};
    struct cm_detect_opts o = {.seed = 1};
    char h[64], name[128];
    void *st = NULL;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 3; i++) {
        rnd(h, 40, HEX, 18, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.few.com", h);
        q(T0 + i, name, "TXT", I1);
        snprintf(name, sizeof(name), "%s.our-hashes.example", h);
        q(T0 + i, name, "TXT", I1);
    }
    run_text(&r, &t);
    assert_int_equal(r.n, 2); /* three names are enough now, on both domains */
    dnsfx_done(&r);
    t.allow = allow;
    t.nallow = 1;
    run_text(&r, &t);
    assert_int_equal(r.n, 1); /* ... but one is allow-listed */
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"few.com\""));
    dnsfx_done(&r);

    struct cm_dns_tunnel_tuning bad = {.window_ms = 8LL * 24 * HOUR * 1000};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    bad = (struct cm_dns_tunnel_tuning){.slow_window_ms = 8LL * 24 * HOUR * 1000};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    bad = (struct cm_dns_tunnel_tuning){.nallow = 1};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    const struct cm_str empty[] = {CM_STR_LIT("")};
    bad = (struct cm_dns_tunnel_tuning){.allow = empty, .nallow = 1};
    assert_int_equal(cm_dns_tunnel_init(&st, &o, &bad), CM_EINVAL);
    assert_int_equal(cm_dns_tunnel_init(&st, &o, NULL), 0);
    cm_detector_dns_tunnel.finish(st);
    cm_detector_dns_tunnel.finish(NULL);
}

/* Bad and odd records never crash and give nothing. */
static void test_odd_input(void **state)
{
    char longname[300];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    q(T0, longname, "TXT", I1); /* longer than a DNS name */
    q(T0, "..", "TXT", I1);     /* empty labels */
    q(T0, "a..b.c.com", "TXT", I1);
    q(T0, "com", "TXT", I1);                                    /* a public suffix */
    q(T0, "xn--80ak6aa92e.co.uk", "A", I1);                     /* punycode, no sub-domain */
    q(T0, "\\226\\188\\226\\188\\226\\188\\226.x.com", "", I1); /* no type */
    q(T0, "AbCdEfGhIjKlMnOp.x.com", "TXT", "");                 /* empty instance */
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/*
 * iodine's base128 names as a resolver logs them: bytes past ASCII written
 * \DDD, so a name of 245 bytes on the wire is some 600 characters of text.
 * Until 2026-12-04 every name of more than 253 characters was dropped as
 * "longer than a DNS name", and an upload of full-size base128 names asked
 * for A was never counted.
 */
static void b128_name(char *out, size_t cap, uint64_t s, const char *domain)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    uint64_t x = s * 0x9e3779b97f4a7c15ULL + 1;
    size_t k = 0;

    for (int label = 0; label < 4; label++) {
        for (int c = 0; c < (label < 3 ? 63 : 40); c++) {
            unsigned v;

            x ^= x >> 31;
            x *= 0x94d049bb133111ebULL;
            x ^= x >> 29;
            v = (unsigned)((x >> 11) % 128);
            assert_true(k + 6 < cap);
            if (v < 62) {
                out[k++] = alnum[v];
            } else {
                k += (size_t)snprintf(out + k, cap - k, "\\%03u", 0xbcu + v - 62);
            }
        }
        out[k++] = '.';
    }
    assert_true(k + strlen(domain) < cap);
    strcpy(out + k, domain);
}

static void test_escaped_long_names(void **state)
{
    char name[1024], dom[64];
    const struct cm_finding *f;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 6; i++) {
        b128_name(name, sizeof(name), (uint64_t)i + 1, "t.evil.co.uk");
        assert_true(strlen(name) > 253); /* 245 bytes on the wire */
        q(T0 + i, name, "A", I1);
    }
    /* Near misses: a name of 300 bytes even with its escapes read as one; and a too-long
     * name of plain letters (no tunnel writes more than a name holds). */
    for (int i = 0; i < 6; i++) {
        char big[1100];

        b128_name(name, sizeof(name), (uint64_t)i + 100, "other.net");
        snprintf(big, sizeof(big), "abcdefghijabcdefghijabcdefghijabcdefghij012345678.%s", name);
        q(T0 + i, big, "A", I2);
        memset(big, 'q', 299);
        big[299] = '\0';
        memcpy(big + 290, ".evil.net", 10);
        q(T0 + i, big, "TXT", I3);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2); /* the second: the two names after the first */
    assert_int_equal(r.d[1].count, 2);
    assert_string_equal(r.d[1].resource, I1);
    /* built from the last name, too long to keep: its registered domain stands for it */
    assert_string_equal(r.d[1].name, "evil.co.uk");
    f = dnsfx_finding(&r, TYPE, I1);
    assert_int_equal(f->count, 6);
    assert_true(cm_str_eqc(f->dns.domain, "evil.co.uk"));
    assert_string_equal(r.d[0].resource, I1);
    assert_int_equal(r.d[0].count, 4); /* four names of over 100 bytes each: rule 2 */
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)), "evil.co.uk");
    assert_string_equal(dnsfx_info_str(r.d[0].info, "encoding", dom, sizeof(dom)), "base64");
    dnsfx_done(&r);
}

/* ---- answers ---- */

/* "token" as Route 53 logs a TXT answer's Rdata: quoted. */
static const char *quoted(char *out, size_t cap, const char *token)
{
    snprintf(out, cap, "\"%s\"", token);
    return out;
}

/*
 * A download over TXT: short counter names (never judged themselves), each
 * answered with a distinct base32 token. The answers carry the data.
 */
static void test_answers_txt(void **state)
{
    char name[96], tok[64], txt[80], gsv[96], ms[32];
    const struct cm_finding *f;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof(name), "c%04daab.dl-tunnel.com", i + 1); /* 8 characters */
        rnd(tok, 40, B32, 20, (uint64_t)i);
        q1(T0 + i * 5, name, "TXT", I1, "TXT", quoted(txt, sizeof(txt), tok));
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2); /* the second: the four after the first, at the end of input */
    assert_int_equal(r.d[1].count, 4);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"dl-tunnel.com\""));
    /* 8 answers of 40 base32 characters carry 200 bytes: the eighth query fires */
    assert_int_equal(r.d[0].count, 8);
    assert_int_equal(r.d[0].time_ms, (T0 + 7 * 5) * 1000);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "dataAnswers"), 8);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 8);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 8 * 40 * 5 / 8);
    assert_non_null(strstr(r.d[0].info, "\"encoding\":\"base32\""));
    assert_non_null(strstr(r.d[0].info, "\"queryTypes\":{\"TXT\":8}"));
    f = dnsfx_finding(&r, TYPE, I1);
    assert_int_equal(f->count, 12);
    dnsfx_done(&r);

    /* The same names without answers: nothing carries data. */
    dnsfx_reset();
    for (int i = 0; i < 12; i++) {
        snprintf(name, sizeof(name), "c%04daab.dl-tunnel.com", i + 1);
        q(T0 + i * 5, name, "TXT", I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    /* Near miss: the records a domain's apex really holds. No token among them is data. */
    dnsfx_reset();
    for (int i = 0; i < 12; i++) {
        struct dnsfx_rr an[3];

        snprintf(name, sizeof(name), "c%04daab.dl-tunnel.com", i + 1);
        rnd(tok, 43, B64ISH "-_", 21, (uint64_t)i);
        snprintf(gsv, sizeof(gsv), "\"google-site-verification=%s\"", tok);
        snprintf(ms, sizeof(ms), "\"MS=ms%08d\"", 12345678 + i * 7919);
        an[0] = (struct dnsfx_rr){"TXT", "\"v=spf1 include:_spf.google.com ~all\""};
        an[1] = (struct dnsfx_rr){"TXT", gsv};
        an[2] = (struct dnsfx_rr){"TXT", ms};
        qa(T0 + i * 5, name, "TXT", I1, an, 3);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/* CNAME and MX answers carry data in the labels left of the queried domain, never another's. */
static void test_answers_names(void **state)
{
    char name[96], h[64], target[128];
    struct dnsfx_run r;
    int got = 0;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 12; i++) {
        rnd(h, 40, HEX, 22, (uint64_t)i);
        /* I1: CNAME answers under the queried domain (its case aside) */
        snprintf(name, sizeof(name), "m%04dxyz.cn-tunnel.com", i);
        snprintf(target, sizeof(target), "%s.%s.", h, i % 2 ? "cn-tunnel.com" : "CN-Tunnel.com");
        q1(T0 + i, name, "CNAME", I1, "CNAME", target);
        /* I2: the same labels under a CDN's domain: a site served by CloudFront */
        snprintf(name, sizeof(name), "m%04dxyz.static-site.com", i);
        snprintf(target, sizeof(target), "%s.cloudfront.net.", h);
        q1(T0 + i, name, "CNAME", I2, "CNAME", target);
        /* I3: MX answers under the queried domain, after their preference */
        snprintf(name, sizeof(name), "m%04dxyz.mx-tunnel.com", i);
        snprintf(target, sizeof(target), "10 %s.mx-tunnel.com.", h);
        q1(T0 + i, name, "MX", I3, "MX", target);
        /* I4: MX answers naming a mail provider */
        snprintf(name, sizeof(name), "m%04dxyz.mail-user.com", i);
        snprintf(target, sizeof(target), "10 %s.mail.protection.outlook.com.", h);
        q1(T0 + i, name, "MX", I4, "MX", target);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 4);
    for (size_t i = 2; i < r.n; i++) {
        /* the two queries after each detection, at the end of input */
        assert_int_equal(r.d[i].count, 2);
    }
    for (size_t i = 0; i < 2; i++) {
        /* 10 answers of 40 hex carry 200 bytes: the tenth query fires */
        assert_int_equal(r.d[i].count, 10);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "dataAnswers"), 10);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "uniqueSubdomains"), 10);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "bytes"), 200);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "longestLabel"), 40);
        assert_non_null(strstr(r.d[i].info, "\"encoding\":\"hex\""));
        if (strcmp(r.d[i].resource, I1) == 0) {
            assert_non_null(strstr(r.d[i].info, "\"domain\":\"cn-tunnel.com\""));
            assert_non_null(strstr(r.d[i].info, "\"queryTypes\":{\"CNAME\":10}"));
            got |= 1;
        } else {
            assert_string_equal(r.d[i].resource, I3);
            assert_non_null(strstr(r.d[i].info, "\"domain\":\"mx-tunnel.com\""));
            assert_non_null(strstr(r.d[i].info, "\"queryTypes\":{\"MX\":10}"));
            got |= 2;
        }
    }
    assert_int_equal(got, 3);
    dnsfx_done(&r);
}

/* A word list of sub-domains: 15 x 10 host names of 7-19 characters. */
static void word_name(char *out, size_t cap, int i, const char *dom)
{
    static const char *const a[] = {"mail",   "shop",    "blog",    "portal",  "admin",
                                    "static", "assets",  "billing", "support", "intranet",
                                    "vpn",    "gateway", "status",  "files",   "backup"};
    static const char *const b[] = {"prod", "stage", "test", "eu", "us",
                                    "old",  "new",   "dev",  "qa", "internal"};

    snprintf(out, cap, "%s-%s.%s", a[i % 15], b[i / 15 % 10], dom);
}

/*
 * The ratio gate: a sub-domain enumeration of one domain, every name
 * answered, one answer in six an id under the domain (a tenant id, a
 * verification token). The ids would carry 500 bytes; they do not count
 * while they are not 3/4 of the answered queries.
 */
static void test_answers_ratio(void **state)
{
    static const char *const types[] = {"CNAME", "TXT", "MX"};
    char name[96], h[64], rdata[128];
    struct dnsfx_run r;

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        dnsfx_reset();
        for (int i = 0; i < 150; i++) {
            const char *type = types[(i + i / 6) % 3];
            int enc = i % 6 == 5;

            word_name(name, sizeof(name), i, "enum-target.com");
            rnd(h, 40, HEX, 23, (uint64_t)i);
            if (strcmp(type, "CNAME") == 0) {
                snprintf(rdata, sizeof(rdata), "%s.%s", enc ? h : "shops",
                         enc ? "enum-target.com." : "myshopify.com.");
            } else if (strcmp(type, "TXT") == 0) {
                snprintf(rdata, sizeof(rdata), "\"%s\"",
                         enc ? h : "v=spf1 include:spf.protection.outlook.com -all");
            } else {
                snprintf(rdata, sizeof(rdata), "10 %s.enum-target.com.", enc ? h : "mx1");
            }
            if (enc || pass == 0) {
                q1(T0 + i * 2, name, type, I1, type, rdata);
            } else {
                q(T0 + i * 2, name, type, I1); /* pass 1: only the ids are answers */
            }
        }
        run_text(&r, NULL);
        if (pass == 0) {
            assert_int_equal(r.n, 0); /* 25 ids among 150 answers */
        } else {
            /* Every answer an id: the tenth (query 59) carries 200 bytes; the 90
             * queries after it at the end of input. */
            assert_int_equal(r.n, 2);
            assert_int_equal(r.d[1].count, 150 - 60);
            assert_string_equal(r.d[0].resource, I1);
            assert_int_equal(r.d[0].count, 60);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "dataAnswers"), 10);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 10);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 200);
        }
        dnsfx_done(&r);
    }
}

/* Attribute names are answered with tokens (ACME, site verification): never data. */
static void test_answers_attribute(void **state)
{
    char name[96], tok[64], txt[80];
    struct dnsfx_run r;

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        dnsfx_reset();
        for (int i = 0; i < 40; i++) {
            snprintf(name, sizeof(name), "%swebhost%03d.acme-site.com",
                     pass == 0 ? "_acme-challenge." : "", i);
            rnd(tok, 43, B64ISH, 24, (uint64_t)i);
            q1(T0 + i * 10, name, "TXT", I1, "TXT", quoted(txt, sizeof(txt), tok));
        }
        run_text(&r, NULL);
        if (pass == 0) {
            assert_int_equal(r.n, 0);
            /* The queries were counted (a data-bearing type): their answers were not. */
            assert_int_equal(r.stats.inserts, 1);
        } else {
            /* The same tokens answering host names are data: 8 of 43 characters;
             * the 32 after them at the end of input. */
            assert_int_equal(r.n, 2);
            assert_int_equal(r.d[1].count, 40 - 8);
            assert_int_equal(r.d[0].count, 8);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "dataAnswers"), 8);
        }
        dnsfx_done(&r);
    }
}

/* ---- spread over domains ---- */

/* Appends name i of stream s: 30 base36 characters with digits among the letters. */
static void spread_q(int64_t t, int s, int i, const char *dom, const char *instance)
{
    char b[40], name[128];

    rnd(b, 30, B36, 30 + (uint64_t)s, (uint64_t)i);
    b[4] = '3';
    b[13] = '8';
    b[22] = '5';
    snprintf(name, sizeof(name), "%s.%s", b, dom);
    q(t, name, "A", instance);
}

static const char *const spread_doms[] = {
    "onedrive.agency", "0ffice365.life", "sharepoint-cdn.live", "teams-update.work",
    "msft-login.site", "outl00k.info",   "azure-graph.today",   "live-auth.space",
    "skype-cdn.click", "office-cdn.top", "ms-telemetry.live",   "win-upd.agency"};

/*
 * Two domains of one instance, one of them with a record five minutes out of order: two
 * domains in either order, never the three of the spread rule. The spread entry's window
 * keeps its start (its domains joined it by it); a first version of the earliest-start
 * windows moved it back too, the late record's domain joined again as another, and the
 * two domains' 12 names fired as three.
 */
static void test_spread_delivery_order(void **state)
{
    struct dnsfx_run r;

    (void)state;
    for (int order = 0; order < 2; order++) {
        dnsfx_reset();
        if (order == 0) {
            spread_q(T0, 0, 5, spread_doms[0], I1); /* in order */
        }
        for (int i = 0; i < 5; i++) {
            spread_q(T0 + 300 + i, 0, i, spread_doms[0], I1);
        }
        if (order == 1) {
            spread_q(T0, 0, 5, spread_doms[0], I1); /* read after the next file's */
        }
        for (int i = 0; i < 6; i++) {
            spread_q(T0 + 310 + i, 1, i, spread_doms[1], I1);
        }
        run_text(&r, NULL);
        assert_int_equal(r.n, 0);
        dnsfx_done(&r);
    }
}

/*
 * RogueRobin: one session over several look-alike domains, each under the
 * per-domain thresholds. Four domains with three names each (12 names of
 * 150 bits): the spread fires once.
 */
static void test_spread(void **state)
{
    char dom[64];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int d = 0; d < 4; d++) {
        for (int i = 0; i < 3; i++) {
            spread_q(T0 + (d * 3 + i) * 120, d, i, spread_doms[d], I1);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.d[0].resource, I1);
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    /* The eleventh query (the fourth domain's second) brings 11 names, 206 bytes. */
    assert_int_equal(dnsfx_info_num(r.d[0].info, "domains"), 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 11);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "bytes"), 11 * 150 / 8);
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)), spread_doms[3]);
    assert_int_equal(r.d[0].time_ms, (T0 + 10 * 120) * 1000);
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    /* every query counted so far, once */
    assert_int_equal(r.d[0].count, 11);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), 11);
    /*
     * The twelfth, after the detection, as the instance's spread entry expires
     * (the end of input): built from it, under its domain (before 2026-12-05
     * never reported).
     */
    assert_non_null(strstr(r.d[1].info, "\"spread\":true"));
    assert_string_equal(dnsfx_info_str(r.d[1].info, "domain", dom, sizeof(dom)), spread_doms[3]);
    assert_int_equal(r.d[1].count, 1);
    assert_int_equal(r.d[1].first_ms, (T0 + 11 * 120) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 11 * 120) * 1000);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 12);
    /* four domain entries, their slow entries and the instance's */
    assert_int_equal(r.stats.inserts, 9);
    dnsfx_done(&r);

    /* The same 12 names over two domains: six each, under every rule. */
    dnsfx_reset();
    for (int d = 0; d < 4; d++) {
        for (int i = 0; i < 3; i++) {
            spread_q(T0 + (d * 3 + i) * 120, d, i, spread_doms[d % 2], I1);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    /* Twelve domains with one name each: a one-off id per service never counts. */
    dnsfx_reset();
    for (int d = 0; d < 12; d++) {
        spread_q(T0 + d * 120, d, 0, spread_doms[d], I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.inserts, 24); /* a window and a slow entry each; no instance one */
    dnsfx_done(&r);

    /* The four domains again, two by each of two instances: they do not add up. */
    dnsfx_reset();
    for (int d = 0; d < 4; d++) {
        for (int i = 0; i < 3; i++) {
            spread_q(T0 + (d * 3 + i) * 120, d, i, spread_doms[d], d % 2 ? I2 : I1);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    /* ... and more than an hour apart, two domains in each hour: not one session. */
    dnsfx_reset();
    for (int d = 0; d < 4; d++) {
        for (int i = 0; i < 3; i++) {
            spread_q(T0 + (d / 2) * (HOUR + 600) + (d * 3 + i) * 60, d, i, spread_doms[d], I1);
        }
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/* Three domains of I1, three names each, one a minute from T0: 9 queries, under the spread. */
static void spread_three(void)
{
    for (int d = 0; d < 3; d++) {
        for (int i = 0; i < 3; i++) {
            spread_q(T0 + (d * 3 + i) * 60, d, i, spread_doms[d], I1);
        }
    }
}

/*
 * A spread detection, then one of its domains fires on its own later in the
 * hour: no query is reported twice, and every one up to the last detection
 * is reported.
 */
static void test_spread_counted_once(void **state)
{
    uint32_t total = 0;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    /* three domains, three names each, then the first domain goes on */
    spread_three();
    for (int i = 3; i < 11; i++) {
        spread_q(T0 + 600 + i * 60, 0, i, spread_doms[0], I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    /* The spread at the first domain's fifth name: 11 names of 150 bits, 206 bytes. */
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    assert_int_equal(dnsfx_info_num(r.d[0].info, "domains"), 3);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 11);
    assert_int_equal(r.d[0].count, 11); /* every query so far */
    assert_int_equal(r.d[0].time_ms, (T0 + 600 + 4 * 60) * 1000);
    /* The first domain at its eleventh name: its queries the spread did not report. */
    assert_null(strstr(r.d[1].info, "\"spread\""));
    assert_non_null(strstr(r.d[1].info, "\"domain\":\"onedrive.agency\""));
    assert_int_equal(dnsfx_info_num(r.d[1].info, "uniqueSubdomains"), 11);
    assert_int_equal(dnsfx_info_num(r.d[1].info, "queries"), 11);
    assert_int_equal(r.d[1].count, 11 - 5);
    assert_int_equal(r.d[1].time_ms, (T0 + 600 + 10 * 60) * 1000);
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].resource, I1);
        total += r.d[i].count;
    }
    assert_int_equal(total, 9 + 8);
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 9 + 8);
    dnsfx_done(&r);
}

/*
 * A spread detection, then one of its domains trickles on all day (one name
 * every ten minutes: never a window) until the slow rule fires for it: the
 * slow detection reports the domain's queries the spread did not, so every
 * query is counted once across both.
 */
static void test_spread_then_slow(void **state)
{
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    spread_three();
    for (int i = 3; i < 60; i++) {
        spread_q(T0 + 600 + (i - 3) * 600, 0, i, spread_doms[0], I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 4);
    /* The spread at the first domain's fifth name (11 names, 206 bytes), as above. */
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    assert_int_equal(r.d[0].count, 11);
    assert_int_equal(r.d[0].time_ms, (T0 + 600 + 1 * 600) * 1000);
    /*
     * The slow rule at its 52nd name (52 x 150 bits >= 960 bytes), with the
     * queries since the end of the domain's last window: the 45 before that
     * (its 6th to its 50th) went on to the spread, which holds them after its
     * detection. Before 2026-12-05 the slow detection counted 47, and the
     * spread's 45 were never reported (or twice, had the spread reported them).
     */
    assert_non_null(strstr(r.d[1].info, "\"slow\":true"));
    assert_non_null(strstr(r.d[1].info, "\"domain\":\"onedrive.agency\""));
    assert_int_equal(dnsfx_info_num(r.d[1].info, "uniqueSubdomains"), 52);
    assert_int_equal(dnsfx_info_num(r.d[1].info, "queries"), 52);
    assert_int_equal(r.d[1].count, 2);
    assert_int_equal(r.d[1].first_ms, (T0 + 600 + 47 * 600) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 600 + 48 * 600) * 1000);
    /*
     * The spread's 45 as its entry expires, an hour after the last it was
     * handed: the 51st name, alone in its window, went to it as the tail, and
     * came back to the slow detection at the next (its kept query stays).
     */
    assert_non_null(strstr(r.d[2].info, "\"spread\":true"));
    assert_int_equal(r.d[2].count, 45);
    assert_int_equal(r.d[2].first_ms, (T0 + 600 + 2 * 600) * 1000); /* the next name's */
    assert_int_equal(r.d[2].time_ms, (T0 + 600 + 47 * 600) * 1000);
    /* the 8 names after the slow detection, as the window entry expires (the end of input) */
    assert_non_null(strstr(r.d[3].info, "\"slow\":true"));
    assert_int_equal(r.d[3].count, 8);
    assert_int_equal(r.d[3].time_ms, (T0 + 600 + 56 * 600) * 1000);
    /* every query once: 6 of the other domains, 60 of the first (52 before 2026-12-05) */
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, 6 + 60);
    dnsfx_done(&r);
}

/*
 * The ratio rule past the exact set: 300 word sub-domains, every one
 * answered, one answer in three an id under the domain (100 ids: the
 * distinct names become a HyperLogLog). Answers never stand in for the
 * encoded query names the data stream needs, nor add up as names.
 */
static void test_answers_ratio_full(void **state)
{
    static const char *const types[] = {"CNAME", "TXT", "MX"};
    char name[96], h[64], rdata[128];
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    for (int i = 0; i < 300; i++) {
        const char *type = types[i % 3];
        int enc = i % 3 == 2 || i % 7 == 0;

        word_name(name, sizeof(name), i, "enum-target.com");
        rnd(h, 40, HEX, 25, (uint64_t)i);
        if (strcmp(type, "CNAME") == 0) {
            snprintf(rdata, sizeof(rdata), "%s.%s", enc ? h : "shops",
                     enc ? "enum-target.com." : "myshopify.com.");
        } else if (strcmp(type, "TXT") == 0) {
            snprintf(rdata, sizeof(rdata), "\"%s\"", enc ? h : "v=spf1 -all");
        } else {
            snprintf(rdata, sizeof(rdata), "10 %s.enum-target.com.", enc ? h : "mx1");
        }
        q1(T0 + i * 2, name, type, I1, type, rdata);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
}

/* onedrive.agency's two names, 0ffice365.life's seven, then two of domain d an hour on. */
static void two_windows(int d)
{
    spread_q(T0, 0, 0, spread_doms[0], I1);
    spread_q(T0 + 60, 0, 1, spread_doms[0], I1);
    for (int i = 0; i < 7; i++) {
        spread_q(T0 + 1800 + 10 * i, 1, i, spread_doms[1], I1);
    }
    spread_q(T0 + 3610, d, d == 0 ? 2 : 0, spread_doms[d], I1);
    spread_q(T0 + 3620, d, d == 0 ? 3 : 1, spread_doms[d], I1);
}

/*
 * A spread detection, then two of its domains go on for three hours, one
 * name every ten minutes in turn (never a window, too few for the slow
 * rule), and stop: the spread entry holds the queries after its detection
 * across the domains' window ends and reports them as it expires, every
 * query once, up to the last (before 2026-12-05 the 18 after the detection
 * were never reported).
 */
static void test_spread_tail(void **state)
{
    struct dnsfx_run r;
    const struct cm_finding *f;

    (void)state;
    dnsfx_reset();
    spread_three();
    for (int i = 0; i < 20; i++) {
        spread_q(T0 + 600 + i * 600, i % 2, 3 + i / 2, spread_doms[i % 2], I1);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    assert_int_equal(r.d[0].count, 11);
    assert_int_equal(r.d[0].time_ms, (T0 + 1200) * 1000);
    assert_non_null(strstr(r.d[1].info, "\"spread\":true"));
    assert_int_equal(r.d[1].count, 18);
    assert_int_equal(r.d[1].first_ms, (T0 + 1800) * 1000);
    assert_int_equal(r.d[1].time_ms, (T0 + 600 + 19 * 600) * 1000);
    f = dnsfx_finding(&r, TYPE, I1);
    assert_int_equal(f->count, 9 + 20);
    dnsfx_done(&r);
}

/*
 * Regression: a domain whose own window ended inside its instance's spread
 * window joined that spread again and was counted as another domain, so two
 * domains passed for three. Here 0ffice365.life (7 names) and
 * onedrive.agency (2 names, then 2 more in its next window, still inside
 * the spread's hour) carry 11 names and 206 bytes: two domains, quiet.
 */
static void test_spread_domain_once(void **state)
{
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    two_windows(0);
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);
    /* A third domain with two names in the spread's hour: now it fires. */
    dnsfx_reset();
    two_windows(2);
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "domains"), 3);
    dnsfx_done(&r);
}

/*
 * A domain handed to a spread window that ends unreported takes its
 * queries back: when it joins the next window they go with it, and the
 * detections still count every query once.
 */
static void test_spread_window_expired(void **state)
{
    uint32_t total = 0;
    struct dnsfx_run r;

    (void)state;
    dnsfx_reset();
    spread_q(T0, 0, 0, spread_doms[0], I1); /* B: two names, the spread window starts */
    spread_q(T0 + 60, 0, 1, spread_doms[0], I1);
    spread_q(T0 + 1800, 1, 0, spread_doms[1], I1); /* A joins with two */
    spread_q(T0 + 1860, 1, 1, spread_doms[1], I1);
    spread_q(T0 + 3661, 1, 2, spread_doms[1], I1); /* the window has ended: A joins anew */
    for (int i = 0; i < 4; i++) {
        spread_q(T0 + 3700 + i * 10, 2, i, spread_doms[2], I1); /* C */
    }
    for (int i = 0; i < 4; i++) {
        spread_q(T0 + 3740 + i * 10, 3, i, spread_doms[3], I1); /* D */
    }
    for (int i = 3; i < 11; i++) {
        spread_q(T0 + 3800 + i * 10, 1, i, spread_doms[1], I1); /* A goes on alone */
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_non_null(strstr(r.d[0].info, "\"spread\":true"));
    assert_int_equal(dnsfx_info_num(r.d[0].info, "domains"), 3);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 11);
    assert_int_equal(r.d[0].count, 3 + 4 + 4); /* A's three, C's, D's */
    assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), 11);
    assert_null(strstr(r.d[1].info, "\"spread\""));
    assert_int_equal(r.d[1].count, 11 - 3); /* A's own, without what the spread reported */
    for (size_t i = 0; i < r.n; i++) {
        total += r.d[i].count;
    }
    assert_int_equal(total, 3 + 4 + 4 + 8); /* B's two are still pending with B */
    assert_int_equal(dnsfx_finding(&r, TYPE, I1)->count, total);
    dnsfx_done(&r);
}

/* ---- raw answers ---- */

/*
 * iodine over A queries: its server answers with raw bytes in a CNAME. The
 * polls are too short to judge, but such answers make them data-bearing.
 */
static void test_raw_cname(void **state)
{
    char s[64], name[128];
    struct dnsfx_run r;

    (void)state;
    for (int pass = 0; pass < 2; pass++) {
        dnsfx_reset();
        for (int i = 0; i < 3; i++) { /* the handshake */
            rnd(s, 60, B64ISH, 25, (uint64_t)i);
            snprintf(name, sizeof(name), "%s.raw-tunnel.com", s);
            q(T0 + i, name, "A", I1);
        }
        for (int i = 0; i < 120; i++) {
            rnd(s, 5, B36, 26, (uint64_t)i);
            snprintf(name, sizeof(name), "paa%s.raw-tunnel.com", s);
            q1(T0 + 10 + i * 5, name, "A", I1, "CNAME",
               pass == 0 ? "k\\u00c6aa.tn." : "edge-1.cdn.example.net.");
        }
        run_text(&r, NULL);
        if (pass == 0) {
            assert_int_equal(r.n, 2); /* the second: the polls after it, at the end of input */
            assert_int_equal(r.d[0].count + r.d[1].count, 3 + 120);
            assert_string_equal(r.d[0].resource, I1);
            assert_non_null(strstr(r.d[0].info, "\"domain\":\"raw-tunnel.com\""));
            assert_true(dnsfx_info_num(r.d[0].info, "dataTypeSubdomains") >= 100);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 3);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "dataAnswers"), 0);
            assert_true(r.d[0].count >= 3 + 100 && r.d[0].count <= 3 + 120);
            assert_int_equal(dnsfx_info_num(r.d[0].info, "queries"), r.d[0].count);
        } else {
            assert_int_equal(r.n, 0); /* host names for answers: the polls are not counted */
        }
        dnsfx_done(&r);
    }
}

/* The answer classifier: long letter runs are data in an answer, not in a name. */
static void test_classify_answer(void **state)
{
    const char *run32 = "ljlivlililflilillooldlclimilqnkl"; /* RogueRobin's nibbles */
    struct cm_dns_name_shape s, t;
    char h[64];

    (void)state;
    assert_int_equal(strlen(run32), 32);
    /* a name of it is no data (its vowels) ... */
    assert_int_equal(cm_dns_tunnel_classify(cm_str_cstr(run32), 10, true, &s), CM_DNS_ENC_NONE);
    /* ... an answer is */
    assert_int_equal(cm_dns_tunnel_classify_answer(cm_str_cstr(run32), 10, &s), CM_DNS_ENC_BASE32);
    assert_int_equal(s.chars, 32);
    assert_int_equal(s.bits, 32 * 4);
    assert_int_equal(s.longest, 32);
    assert_true(s.entropy > 2.0 && s.entropy < 4.7);
    assert_int_equal(cm_dns_tunnel_classify_answer(cm_str_make(run32, 31), 10, &s),
                     CM_DNS_ENC_NONE);
    assert_int_equal(s.bits, 0);
    /* the run is the letters' alone: a digit breaks it */
    assert_int_equal(
        cm_dns_tunnel_classify_answer(cm_str_cstr("ljlivlililflilil7looldlclimilqnklii"), 10, &s),
        CM_DNS_ENC_NONE);
    /* what the name classifier finds, it finds the same */
    rnd(h, 40, HEX, 27, 0);
    assert_int_equal(cm_dns_tunnel_classify_answer(cm_str_cstr(h), 10, &s), CM_DNS_ENC_HEX);
    assert_int_equal(cm_dns_tunnel_classify(cm_str_cstr(h), 10, true, &t), CM_DNS_ENC_HEX);
    assert_int_equal(s.bits, t.bits);
    assert_int_equal(s.chars, t.chars);
    assert_int_equal(s.bits, 40 * 4);
    assert_int_equal(cm_dns_tunnel_classify_answer(cm_str_cstr("www.example"), 10, &s),
                     CM_DNS_ENC_NONE);
    assert_int_equal(cm_dns_tunnel_classify_answer(CM_STR_NULL, 10, &s), CM_DNS_ENC_NONE);
}

/* ---- dnscat2 sessions ---- */

/* A dnscat2 packet in hex: id, type, session, then rest (hex digits) into out. */
static void pkt(char *out, size_t n, unsigned id, unsigned type, unsigned session, const char *rest)
{
    snprintf(out, n, "%04x%02x%04x%s", id, type, session, rest);
}

static void test_dnscat_packet(void **state)
{
    struct cm_dnscat_packet p;

    (void)state;
    /* Symbiote's SYN: options 0x0021, the name "command (ztt1)"; a fixed label after the data */
    assert_true(cm_dns_tunnel_dnscat(
        cm_str_cstr("91bc00634d6f450021636f6d6d616e6420287a7474312900.git"), &p));
    assert_int_equal(p.id, 0x91bc);
    assert_int_equal(p.type, 0);
    assert_int_equal(p.session, 0x634d);
    assert_int_equal(p.bytes, 24);
    /* an empty MSG: the 9 bytes of its head */
    assert_true(cm_dns_tunnel_dnscat(cm_str_cstr("ba9801634d6f45995e"), &p));
    assert_int_equal(p.type, 1);
    assert_int_equal(p.bytes, 9);
    /* dnscat2's own prefix label, capitals, and a packet over three labels */
    assert_true(cm_dns_tunnel_dnscat(cm_str_cstr("DNSCAT.528403A869000000004777438fb4330ea5b4."
                                                 "47328f28ec2058b7738ef278.866d2f"),
                                     &p));
    assert_int_equal(p.id, 0x5284);
    assert_int_equal(p.type, 3);
    assert_int_equal(p.session, 0xa869);
    assert_int_equal(p.bytes, (36 + 24 + 6) / 2);
    /* the labels are read until one is not hex: what follows does not count */
    assert_true(cm_dns_tunnel_dnscat(cm_str_cstr("7a3101a869a8e4db18.tag.4955000277756596"), &p));
    assert_int_equal(p.bytes, 9);
    /* not a packet: too short, odd, another type, not hex first, a PING, too long */
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("ba9801634d6f4599"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("ba9801634d6f45995e0"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("ba9804634d6f45995e"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("ba98ff634d6f45995e"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("git.ba9801634d6f45995e"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("ba98-01634d6f45995e"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr("dnscat"), &p));
    assert_false(cm_dns_tunnel_dnscat(cm_str_cstr(".ba9801634d6f45995e"), &p));
    assert_false(cm_dns_tunnel_dnscat(CM_STR_NULL, &p));
    {
        char big[300];

        memset(big, 'a', sizeof(big));
        memcpy(big, "ba9801634d", 10);
        assert_true(cm_dns_tunnel_dnscat(cm_str_make(big, 254), &p));
        assert_int_equal(p.bytes, 127);
        assert_false(cm_dns_tunnel_dnscat(cm_str_make(big, 256), &p));
    }
}

/*
 * Packets from..from+n-1 of a session under one domain (packet 0 is its
 * SYN), from instance I1 one a second, each asked TXT or atype and, when
 * answered, answered with the server's packet of the same session and
 * type, an id of its own, as answer type atype.
 */
static void dnscat_packets(int64_t t0, const char *dom, unsigned session, int from, int n,
                           bool answered, const char *atype)
{
    char name[160], h[64], a[96];

    for (int i = from; i < from + n; i++) {
        pkt(h, sizeof(h), 0x1000u + (unsigned)i * 0x111u, i == 0 ? 0 : 1, session,
            i == 0 ? "6f450021636f6d6d616e6400" : "6f45995e");
        snprintf(name, sizeof(name), "%s.git.%s", h, dom);
        if (!answered) {
            q(t0 + i, name, "TXT", I1);
            continue;
        }
        pkt(a, sizeof(a), 0x9000u + (unsigned)i, i == 0 ? 0 : 1, session, "995e6f45");
        if (strcmp(atype, "CNAME") == 0) {
            strcat(a, ".");
            strcat(a, dom);
            strcat(a, ".");
        }
        q1(t0 + i, name, atype, I1, atype, a);
    }
}

/* A whole session: packets 0..n-1. */
static void dnscat_session(int64_t t0, const char *dom, unsigned session, int n, bool answered,
                           const char *atype)
{
    dnscat_packets(t0, dom, session, 0, n, answered, atype);
}

static void test_dnscat_session(void **state)
{
    char s[16], dom[64];
    struct dnsfx_run r;

    (void)state;
    /* Symbiote's handshake: a SYN and four polls, 59 bytes, every one answered in kind */
    dnsfx_reset();
    dnscat_session(T0, "bancodobrasil-sync.dev", 0x634d, 5, true, "TXT");
    run_text(&r, NULL);
    assert_int_equal(r.n, 2); /* the fifth packet at the end of input */
    assert_int_equal(r.d[1].count, 1);
    assert_string_equal(r.d[0].resource, I1);
    assert_int_equal(r.d[0].count, 4); /* fired by the fourth packet */
    assert_int_equal(r.d[0].first_ms, T0 * 1000);
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", dom, sizeof(dom)),
                        "bancodobrasil-sync.dev");
    assert_string_equal(dnsfx_info_str(r.d[0].info, "tool", s, sizeof(s)), "dnscat2");
    assert_string_equal(dnsfx_info_str(r.d[0].info, "session", s, sizeof(s)), "634d");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "sessionPackets"), 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "serverPackets"), 4);
    /* four names and the server's four packets: under the volume rules */
    assert_int_equal(dnsfx_info_num(r.d[0].info, "uniqueSubdomains"), 8);
    assert_true(dnsfx_info_num(r.d[0].info, "bytes") < 200);
    dnsfx_done(&r);

    /* dnscat2's CNAME answers (packets under the queried domain) are echoes too */
    dnsfx_reset();
    dnscat_session(T0, "hacker-relay.com", 0xa869, 4, true, "CNAME");
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.d[0].count, 4);
    dnsfx_done(&r);
}

static void test_dnscat_near_misses(void **state)
{
    char name[160], h[64], a[96];
    struct dnsfx_run r;

    (void)state;
    /* each kind on an instance of its own, two at most: the spread rule stays out of it */
    dnsfx_reset();
    /* six packets of a session nobody answers */
    dnscat_session(T0, "silent-relay.com", 0x1234, 6, false, NULL);
    /* three packets, answered in kind: one short */
    dnscat_session(T0 + 100, "three-packets.com", 0x2345, 3, true, "TXT");
    for (int i = 0; i < 6; i++) {
        /* hex ids whose third byte passes as a type, each of its own "session", answered so */
        pkt(h, sizeof(h), 0x2000u + (unsigned)i, 1, 0x4000u + (unsigned)i * 7u, "00aa11bb");
        pkt(a, sizeof(a), 0x3000u + (unsigned)i, 1, 0x4000u + (unsigned)i * 7u, "22cc33dd");
        snprintf(name, sizeof(name), "%s.many-sessions.com", h);
        q1(T0 + 200 + i, name, "TXT", I2, "TXT", a);
        /* one session, answered with the name itself (a CNAME to the same id) */
        pkt(h, sizeof(h), 0x5000u + (unsigned)i, 1, 0x6666, "0102030405");
        snprintf(name, sizeof(name), "%s.alias-zone.com", h);
        snprintf(a, sizeof(a), "%s.edge.alias-zone.com.", h);
        q1(T0 + 300 + i, name, "CNAME", I3, "CNAME", a);
        /* one session, answered with packets of another session */
        pkt(h, sizeof(h), 0x7000u + (unsigned)i, 1, 0x7777, "0102030405");
        pkt(a, sizeof(a), 0x8000u + (unsigned)i, 1, 0x7778, "0102030405");
        snprintf(name, sizeof(name), "%s.other-session.com", h);
        q1(T0 + 400 + i, name, "TXT", I4, "TXT", a);
        /* one session, answered with packets of another type */
        pkt(h, sizeof(h), 0x9000u + (unsigned)i, 1, 0x8888, "0102030405");
        pkt(a, sizeof(a), 0xa000u + (unsigned)i, 2, 0x8888, "0102030405");
        snprintf(name, sizeof(name), "%s.other-type.com", h);
        q1(T0 + 500 + i, name, "TXT", I2, "TXT", a);
    }
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    /* six packets of a session, only the first answered in kind */
    dnsfx_reset();
    dnscat_session(T0, "one-echo.com", 0x3456, 1, true, "TXT");
    dnscat_packets(T0, "one-echo.com", 0x3456, 1, 5, false, NULL);
    run_text(&r, NULL);
    assert_int_equal(r.n, 0);
    dnsfx_done(&r);

    /*
     * A session that starts after a stray packet of another is still seen,
     * and a stray packet within a session does not end it.
     */
    dnsfx_reset();
    pkt(h, sizeof(h), 0xbeef, 1, 0x0bad, "00000000");
    snprintf(name, sizeof(name), "%s.git.late-start.com", h);
    q(T0, name, "TXT", I1);
    dnscat_packets(T0 + 10, "late-start.com", 0x4d4d, 0, 2, true, "TXT");
    pkt(h, sizeof(h), 0xcafe, 1, 0x0bad, "00000000");
    snprintf(name, sizeof(name), "%s.git.late-start.com", h);
    q(T0 + 15, name, "TXT", I1);
    dnscat_packets(T0 + 10, "late-start.com", 0x4d4d, 2, 2, true, "TXT");
    run_text(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "sessionPackets"), 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "serverPackets"), 4);
    dnsfx_done(&r);
}

/*
 * The vowel rule of cm_dns_tunnel_shape against a plain count: one label of
 * 20 to 40 letters in one case (no digits, so no hex or digit encoding; one
 * case, so not mixed base64) is BASE32 exactly when at most 15% of its
 * letters are vowels (a, e, i, o, u of either case), else nothing. Random
 * labels whose vowel share straddles the line, upper and lower case, with
 * the letters next to the vowels ('b', 'd', 'h', 'j', 'n', 'p', 't', 'v').
 */
static void test_shape_vowels_agree_with_count(void **state)
{
    static const char vowels[] = "aeiou", near[] = "bdhjnptvwyz";
    uint64_t rng = 0xd1b54a32d192ed03ULL;
    unsigned base32 = 0, none = 0;

    (void)state;
    for (int round = 0; round < 20000; round++) {
        char label[48];
        size_t len;
        unsigned nv = 0, share;
        bool upper;
        struct cm_dns_name_shape sh;
        enum cm_dns_encoding want, got;

        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        len = 20 + (size_t)(rng % 21);
        upper = (rng >> 8) & 1;
        share = (unsigned)((rng >> 16) % 40); /* percent of vowels drawn */
        for (size_t i = 0; i < len; i++) {
            char c;

            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            if (rng % 100 < share) {
                c = vowels[(rng >> 20) % 5];
                nv++;
            } else {
                c = near[(rng >> 20) % (sizeof(near) - 1)];
            }
            label[i] = upper ? (char)(c - 'a' + 'A') : c;
        }
        want = nv * 100 <= 15 * len ? CM_DNS_ENC_BASE32 : CM_DNS_ENC_NONE;
        memset(&sh, 0, sizeof(sh));
        got = cm_dns_tunnel_shape(cm_str_make(label, len), 10, &sh);
        if (got != want) {
            fail_msg("%.*s: %u vowels of %zu: got %d, want %d", (int)len, label, nv, len, got,
                     want);
        }
        base32 += want == CM_DNS_ENC_BASE32;
        none += want == CM_DNS_ENC_NONE;
    }
    assert_true(base32 > 2000);
    assert_true(none > 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shape_encodings),
        cmocka_unit_test(test_shape_host_names),
        cmocka_unit_test(test_allowed),
        cmocka_unit_test(test_guardduty_tester),
        cmocka_unit_test(test_many_names),
        cmocka_unit_test(test_listing_answers),
        cmocka_unit_test(test_slow_base36),
        cmocka_unit_test(test_camel_case_hosts),
        cmocka_unit_test(test_digits),
        cmocka_unit_test(test_long_names),
        cmocka_unit_test(test_data_types),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_search_expansion),
        cmocka_unit_test(test_case_randomised),
        cmocka_unit_test(test_registered_domain),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_after_last_detection),
        cmocka_unit_test(test_delivery_order),
        cmocka_unit_test(test_spread_delivery_order),
        cmocka_unit_test(test_memcap),
        cmocka_unit_test(test_search_learning),
        cmocka_unit_test(test_search_ttl),
        cmocka_unit_test(test_slow_flood),
        cmocka_unit_test(test_tuning),
        cmocka_unit_test(test_odd_input),
        cmocka_unit_test(test_escaped_long_names),
        cmocka_unit_test(test_answers_txt),
        cmocka_unit_test(test_answers_names),
        cmocka_unit_test(test_answers_ratio),
        cmocka_unit_test(test_answers_attribute),
        cmocka_unit_test(test_spread),
        cmocka_unit_test(test_spread_domain_once),
        cmocka_unit_test(test_slow),
        cmocka_unit_test(test_spread_then_slow),
        cmocka_unit_test(test_spread_tail),
        cmocka_unit_test(test_inventory_many_answers),
        cmocka_unit_test(test_spread_counted_once),
        cmocka_unit_test(test_spread_window_expired),
        cmocka_unit_test(test_answers_ratio_full),
        cmocka_unit_test(test_raw_cname),
        cmocka_unit_test(test_classify_answer),
        cmocka_unit_test(test_dnscat_packet),
        cmocka_unit_test(test_dnscat_session),
        cmocka_unit_test(test_dnscat_near_misses),
        cmocka_unit_test(test_shape_vowels_agree_with_count),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
