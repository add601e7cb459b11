/*
 * The DGA detector (lib/detect/dns_dga.c) end to end at the library level:
 * Route 53 Resolver records in the real log format go through the real
 * parser into an engine holding this detector alone, and the detections
 * are collected. Most tests use a model made here that scores exactly the
 * 16-character labels DGA-like (so they do not depend on the trained
 * weights); one runs the built-in model on names of this test's own DGA.
 * Checked: the burst fires once on the right instance with its count,
 * window start and additionalInfo; NXDOMAIN weighs double; the near misses
 * (one odd name, a burst one short, the same burst spread over hours, one
 * name repeated, many sub-domains of one registered domain, cloud and CDN
 * hosts, an on-premises client, names on a trusted list); the rate limit
 * and the next report's count; out-of-order records and a record older
 * than the window; memcap eviction counted; bad tuning refused; names
 * answered NXDOMAIN counted from the lower nx_threshold. Last,
 * regressions of bugs a review found: nxdomainDomains with nx_weight 1, a
 * burst above 32, a score just at the threshold, a window near INT64_MAX;
 * a mail server's look-ups of senders' records (MX, TXT, _dmarc...) that
 * are no burst.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "detect/intel.h"
/* intel/domainset.h and base/domain.h both define CM_DOMAIN_MAX: keep base/domain.h's. */
#undef CM_DOMAIN_MAX
#include "base/err.h"
#include "detect/detect.h"
#include "detect/dns.h"
#include "detect/dns_dga.h"

#include "dns_fixture.h"

#define TYPE "Trojan:EC2/DGADomainRequest.B"
#define T0   1767571200L /* 2026-01-05T00:00:00Z */

/* ---- a model that scores the 16-character labels 0.99995 and the others 0.0067 ---- */

static struct cm_dga_model *model16;

/*
 * A model that scores every name alike, just above the default threshold:
 * z = 2944439 / 1e6 = 2.944439 > ln(19) = 2.9444389792, so
 * sigmoid(z) = 0.950000001 >= 0.95 as a double, but 0.94999999 as a float.
 */
static struct cm_dga_model *model_edge;

/*
 * A model that scores by length alone: 14-character labels 0.881 (z = 2),
 * between the NXDOMAIN threshold and the other; 12-character ones 0.622
 * (z = 0.5), under both; 16-character ones 0.99995; the others 0.0067.
 */
static struct cm_dga_model *model_band;

static const char edge_model[] = "coalmine-dga 1\nhash_bits 10\nngram 1 1\nseed 3\nnorm none\n"
                                 "tokens 0\nquant 1000000\nbias 2944439\nlm none\nend\n";

#define MHEAD                                                                                      \
    "coalmine-dga 1\nhash_bits 10\nngram 1 1\nseed 3\nnorm none\ntokens 1\nquant 1000\n"           \
    "bias -5000\nlm none\n"

static int setup(void **state)
{
    struct cm_dga_model *base = NULL;
    uint32_t idx[CM_DGA_MAX_FEATS], tok16, tok14, tok12;
    size_t nng, n;
    char text[512];
    int len;

    (void)state;
    assert_int_equal(cm_dga_model_parse(MHEAD "end\n", strlen(MHEAD "end\n"), &base, NULL), 0);
    n = cm_dga_features(base, "abcdefghijklmnop", 16, idx, &nng);
    assert_int_equal(n, nng + 1);
    tok16 = idx[nng];
    len = snprintf(text, sizeof(text), MHEAD "w %u 15000\nend\n", (unsigned)tok16);
    assert_int_equal(cm_dga_model_parse(text, (size_t)len, &model16, NULL), 0);
    n = cm_dga_features(base, "abcdefghijklmn", 14, idx, &nng);
    tok14 = idx[n - 1];
    n = cm_dga_features(base, "abcdefghijkl", 12, idx, &nng);
    tok12 = idx[n - 1];
    cm_dga_model_free(base);
    {
        /* The file lists weights by increasing index. */
        struct {
            uint32_t i;
            int w;
        } wt[3] = {{tok16, 15000}, {tok14, 7000}, {tok12, 5500}}, tmp;

        for (int a = 0; a < 3; a++) {
            for (int b = a + 1; b < 3; b++) {
                if (wt[b].i < wt[a].i) {
                    tmp = wt[a];
                    wt[a] = wt[b];
                    wt[b] = tmp;
                }
            }
        }
        len = snprintf(text, sizeof(text), MHEAD "w %u %d\nw %u %d\nw %u %d\nend\n",
                       (unsigned)wt[0].i, wt[0].w, (unsigned)wt[1].i, wt[1].w, (unsigned)wt[2].i,
                       wt[2].w);
    }
    assert_int_equal(cm_dga_model_parse(text, (size_t)len, &model_band, NULL), 0);
    assert_true(fabs(cm_dga_score_label(model_band, "zyxwvutsrqponm", 14) - 0.8808) < 1e-3);
    assert_true(fabs(cm_dga_score_label(model_band, "zyxwvutsrqpo", 12) - 0.6225) < 1e-3);
    assert_true(cm_dga_score_label(model16, "abcdefghijklmnop", 16) > 0.999);
    assert_true(cm_dga_score_label(model16, "abcdefghijklmno", 15) < 0.01);
    assert_int_equal(cm_dga_model_parse(edge_model, strlen(edge_model), &model_edge, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cm_dga_model_free(model16);
    cm_dga_model_free(model_edge);
    cm_dga_model_free(model_band);
    return 0;
}

/* ---- records ---- */

/* Appends a query at T0 + at seconds from instance (NULL: on premises) for name, with rcode. */
static void q(long at, const char *instance, const char *name, const char *rcode)
{
    dnsfx_add(
        &(struct dnsfx_query){.t = T0 + at, .instance = instance, .name = name, .rcode = rcode});
}

/* The i-th 16-character label (distinct for distinct i), under suffix (e.g. "com"). */
static const char *dga16(unsigned i, const char *suffix)
{
    static char buf[8][128];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "qz%014u.%s", i, suffix);
    return buf[k];
}

/* The i-th label of n characters (10 <= n <= 16, distinct for distinct i < 10^8), under suffix. */
static const char *dga_len(unsigned n, unsigned i, const char *suffix)
{
    static char buf[8][128];
    static int k;

    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%.*s%08u.%s", (int)n - 8, "qzqzqzqz", i, suffix);
    return buf[k];
}

/* ---- running ---- */

/* The tuning of the next run; each test sets it. */
static struct cm_dns_dga_tuning tuning;

/* Runs the records with snap's lists and model m (NULL: the built-in one), then drops them. */
static void run_with(struct dnsfx_run *r, const struct cm_intel_snapshot *snap,
                     const struct cm_dga_model *m)
{
    const struct cm_dns_tunings dns = {.dga = tuning};

    dnsfx_run(r, &cm_detector_dns_dga,
              &(struct dnsfx_opts){
                  .seed = 11, .lateness_ms = 15 * 60 * 1000, .intel = snap, .dga = m, .dns = &dns});
    dnsfx_reset();
}

static void run(struct dnsfx_run *r)
{
    run_with(r, NULL, model16);
}

/* How many detections are on instance. */
static size_t of(const struct dnsfx_run *r, const char *instance)
{
    size_t k = 0;

    for (size_t i = 0; i < r->n; i++) {
        k += strcmp(r->d[i].resource, instance) == 0;
    }
    return k;
}

/* ---- tests ---- */

static void test_fires(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* Eight distinct DGA-like domains that resolve, one every 30 s: fires at the eighth. */
    for (unsigned i = 0; i < 8; i++) {
        q(600 + 30 * (long)i, "i-0bad", dga16(i, "com"), NULL);
    }
    /* Benign names around it. */
    q(610, "i-0bad", "www.example.com", NULL);
    q(620, "i-0good", "api.example.org", NULL);
    run(&r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].type, TYPE);
    assert_string_equal(r.d[0].resource, "i-0bad");
    assert_int_equal(r.d[0].count, 8);
    assert_true(r.d[0].first_ms == (T0 + 600) * 1000LL);
    assert_true(r.d[0].time_ms == (T0 + 600 + 7 * 30) * 1000LL);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 8);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "nxdomainDomains"), 0);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "windowSeconds"), 600);
    assert_non_null(strstr(r.d[0].info, "\"domain\":\"qz00000000000007.com\""));
    assert_true(dnsfx_info_f64(r.d[0].info, "dgaScore") >= 0.99 &&
                dnsfx_info_f64(r.d[0].info, "dgaScore") <= 1.0);
    /* The state held the one instance (the benign ones never touched it). */
    assert_int_equal(r.stats.inserts, 1);
}

static void test_nxdomain_weighs_double(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned i = 0; i < 4; i++) {
        q(100 + (long)i, "i-0nx", dga16(100 + i, "net"), "NXDOMAIN");
    }
    /* Three NXDOMAIN and one that resolves: 7, one short. */
    for (unsigned i = 0; i < 3; i++) {
        q(100 + (long)i, "i-0nx7", dga16(200 + i, "net"), "NXDOMAIN");
    }
    q(104, "i-0nx7", dga16(210, "net"), NULL);
    run(&r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0nx");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "nxdomainDomains"), 4);
    assert_int_equal(r.d[0].count, 4);
    /* The nx weight can be tuned away: then 4 NXDOMAIN names are 4. */
    memset(&tuning, 0, sizeof(tuning));
    tuning.nx_weight = 1;
    for (unsigned i = 0; i < 4; i++) {
        q(100 + (long)i, "i-0nx", dga16(100 + i, "net"), "NXDOMAIN");
    }
    run(&r);
    assert_int_equal(r.n, 0);
}

static void test_near_misses(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* One odd name, asked many times. */
    for (int i = 0; i < 30; i++) {
        q(i, "i-0odd", dga16(1, "com"), "NXDOMAIN");
    }
    /* A burst one short: seven that resolve. */
    for (unsigned i = 0; i < 7; i++) {
        q(10 + (long)i, "i-0seven", dga16(300 + i, "com"), NULL);
    }
    /* Eight, but one every 15 minutes. */
    for (unsigned i = 0; i < 8; i++) {
        q(20 + 900 * (long)i, "i-0slow", dga16(400 + i, "com"), NULL);
    }
    /* Many random-looking sub-domains of one registered domain (tunnelling is not DGA). */
    for (unsigned i = 0; i < 30; i++) {
        char name[96];

        snprintf(name, sizeof(name), "%s", dga16(500 + i, "example.com"));
        q(30 + (long)i, "i-0sub", name, NULL);
    }
    /* Cloud and CDN hosts with 16-character labels: the cloud suffixes score 0. */
    for (unsigned i = 0; i < 10; i++) {
        q(40 + (long)i, "i-0cdn", dga16(600 + i, "cloudfront.net"), NULL);
        q(40 + (long)i, "i-0cdn", dga16(700 + i, "s3.amazonaws.com"), NULL);
        q(40 + (long)i, "i-0cdn", dga16(800 + i, "us-east-1.elb.amazonaws.com"), NULL);
        q(40 + (long)i, "i-0cdn", dga16(900 + i, "herokuapp.com"), NULL);
        q(40 + (long)i, "i-0cdn", dga16(1100 + i, "ipfs.dweb.link"), NULL); /* content ids */
    }
    /* An on-premises client through a resolver endpoint: no instance. */
    for (unsigned i = 0; i < 20; i++) {
        q(50 + (long)i, NULL, dga16(1000 + i, "com"), "NXDOMAIN");
    }
    run(&r);
    if (r.n != 0) {
        fail_msg("%zu detections, the first for %s: %s", r.n, r.d[0].resource, r.d[0].info);
    }
}

static struct cm_intel_snapshot *trusted_snapshot(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    struct cm_intel_list ours = {CM_STR_LIT("ours"), CM_INTEL_KIND_TRUSTED, CM_STR_LIT("TXT"),
                                 CM_STR_LIT("test")};
    struct cm_intel_list feed = {CM_STR_LIT("dga-feed"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                 CM_STR_LIT("test")};
    uint32_t iours, ifeed;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &ours, &iours), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &feed, &ifeed), 0);
    for (unsigned i = 0; i < 8; i++) {
        struct cm_indicator ind = {iours, CM_CAT_UNKNOWN, CM_STR_LIT(""), CM_STR_LIT("test")};

        assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(dga16(2000 + i, "com")), &ind),
                         0);
    }
    for (unsigned i = 0; i < 8; i++) {
        struct cm_indicator ind = {ifeed, CM_CAT_MALICIOUS_DOMAIN, CM_STR_LIT(""),
                                   CM_STR_LIT("test")};

        assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(dga16(3000 + i, "com")), &ind),
                         0);
    }
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

static void test_intel(void **state)
{
    struct cm_intel_snapshot *s = trusted_snapshot();
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* Eight names on a trusted list (and sub-domains of them): never counted. */
    for (unsigned i = 0; i < 8; i++) {
        q(10 + (long)i, "i-0trust", dga16(2000 + i, "com"), "NXDOMAIN");
    }
    /* Eight on a threat list still count here (#4 reports them as DGADomainRequest.C!DNS). */
    for (unsigned i = 0; i < 8; i++) {
        q(10 + (long)i, "i-0listed", dga16(3000 + i, "com"), NULL);
    }
    run_with(&r, s, model16);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0listed");
    cm_intel_snapshot_unref(s);
}

static void test_rate_limit(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* 40 distinct names, one every 5 s (200 s): one detection, at the eighth. */
    for (unsigned i = 0; i < 40; i++) {
        q(5 * (long)i, "i-0bot", dga16(i, "biz"), NULL);
    }
    /* Still going 12 minutes after the first detection: one more, counting what came since. */
    for (unsigned i = 0; i < 10; i++) {
        q(35 + 720 + 10 * (long)i, "i-0bot", dga16(100 + i, "biz"), NULL);
    }
    run(&r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.d[0].count, 8);
    assert_true(r.d[0].first_ms == T0 * 1000LL);
    /* 32 more of the first run and the 8 of the second up to its crossing of the window. */
    assert_true(r.d[1].time_ms >= r.d[0].time_ms + 600 * 1000LL);
    assert_int_equal(r.d[1].count, 32 + (unsigned)((r.d[1].time_ms / 1000 - T0 - 755) / 10) + 1);
    assert_true(r.d[1].first_ms == (T0 + 40) * 1000LL);
    /* The rest of the second run, when the entry expires: from its last query. */
    assert_true(r.d[2].time_ms == (T0 + 35 + 720 + 90) * 1000LL);
    assert_int_equal(r.d[0].count + r.d[1].count + r.d[2].count, 50);
    assert_int_equal(of(&r, "i-0bot"), 3);
}

static void test_out_of_order(void **state)
{
    static const int order[8] = {5, 0, 7, 2, 6, 1, 4, 3};
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /* The same burst, delivered shuffled (within a 5-minute delivery). */
    for (unsigned i = 0; i < 8; i++) {
        q(1000 + 20 * order[i], "i-0mix", dga16(40 + (unsigned)order[i], "info"), NULL);
    }
    /*
     * Seven recent names, then one record twenty minutes older than them: outside the
     * window, it does not make the eighth.
     */
    for (unsigned i = 0; i < 7; i++) {
        q(3000 + (long)i, "i-0late", dga16(60 + i, "info"), NULL);
    }
    q(3000 - 1200, "i-0late", dga16(70, "info"), NULL);
    run(&r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0mix");
    assert_int_equal(r.d[0].count, 8);
    assert_true(r.d[0].first_ms == (T0 + 1000) * 1000LL);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 8);
}

static void test_eviction(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.max_entries = 2;
    /* Three instances interleaved: the table holds two, evictions are counted. */
    for (unsigned i = 0; i < 6; i++) {
        q(10 + (long)i, "i-0a", dga16(i, "com"), NULL);
        q(10 + (long)i, "i-0b", dga16(i, "com"), NULL);
        q(10 + (long)i, "i-0c", dga16(i, "com"), NULL);
    }
    run(&r);
    assert_true(r.stats.evicted >= 4);
    assert_true(r.stats.peak_entries <= 2);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.entries, 0); /* the end of input expired the rest */
}

/* A DGA of this test, not any family's: 14-20 consonant-heavy letters and digits. */
static void bot_name(uint64_t *st, char *out, size_t cap)
{
    static const char set[] = "bcdfghjklmnpqrstvwxzaeiou0123456789";
    size_t len, n = 0;

    *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
    len = 14 + (size_t)((*st >> 33) % 7);
    for (size_t i = 0; i < len && n + 6 < cap; i++) {
        *st = *st * 6364136223846793005ULL + 1442695040888963407ULL;
        out[n++] = set[(*st >> 33) % 20 + ((*st >> 60) < 3 ? 15 : 0)];
    }
    memcpy(out + n, ".com", 5);
}

/*
 * Names under a private namespace (.corp, .lan, .internal, .local, .home: the reputation
 * model's, cm_dns_rep_ignored) are never DGA-like: no public server answers there. Chrome's
 * random probes reach such a name when the search suffix is one ("xkqzjvbnpwe.corp");
 * before 2026-12-05 a jump host whose users started Chrome fired. The same labels under
 * public TLDs still do. So do names under TLDs the suffix list has no rule for
 * ("x.mycompany": only its implicit "*"), new gTLDs in it (.xyz, .zip) still scoring.
 */
static void test_private_namespace(void **state)
{
    /* The private namespaces, and TLDs no rule of the suffix list knows (not in the root zone). */
    static const char *const priv[] = {"corp",        "lan",   "internal",  "local", "home",
                                       "localdomain", "intra", "mycompany", "lan2"};
    /* New gTLDs in the list stay public. */
    static const char *const pub[] = {"xyz", "top", "app", "dev", "cloud", "zip", "mov"};
    /* Alternative roots' TLDs (no rule in the list) that malware asks for stay scored too. */
    static const char *const alt[] = {"bazar", "bit", "bazar", "bit"};
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned k = 0; k < sizeof(priv) / sizeof(priv[0]); k++) {
        for (unsigned i = 0; i < 8; i++) {
            q(100 + (long)(k * 8 + i), "i-0probe", dga16(300 + k * 8 + i, priv[k]), "NXDOMAIN");
        }
    }
    for (unsigned i = 0; i < 4; i++) {
        q(100 + (long)i, "i-0bot", dga16(400 + i, "com"), "NXDOMAIN");
    }
    for (unsigned i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
        q(100 + (long)i, "i-0gtld", dga16(500 + i, pub[i]), "NXDOMAIN");
    }
    for (unsigned i = 0; i < sizeof(alt) / sizeof(alt[0]); i++) {
        q(100 + (long)i, "i-0bazar", dga16(600 + i, alt[i]), "NXDOMAIN");
    }
    run(&r);
    assert_int_equal(of(&r, "i-0bot"), 1);
    assert_int_equal(of(&r, "i-0bazar"), 1);
    assert_true(of(&r, "i-0gtld") >= 1);
    {
        /* Every one of the seven new-gTLD names was scored DGA-like. */
        bool seven = false;

        for (size_t i = 0; i < r.n; i++) {
            seven = seven || (strcmp(r.d[i].resource, "i-0gtld") == 0 &&
                              strstr(r.d[i].info, "\"distinctDomains\":7,") != NULL);
        }
        assert_true(seven);
    }
    assert_int_equal(of(&r, "i-0probe"), 0);
}

static void test_builtin_model(void **state)
{
    static const char *const benign[] = {
        "www.google.com",
        "s3.us-east-1.amazonaws.com",
        "api.github.com",
        "pypi.org",
        "files.pythonhosted.org",
        "registry.npmjs.org",
        "archive.ubuntu.com",
        "slack.com",
        "ocsp.digicert.com",
        "sts.amazonaws.com",
        "login.microsoftonline.com",
        "hooks.stripe.com",
        "api.datadoghq.com",
        "sentry.io",
        "cdn.jsdelivr.net",
        "fonts.googleapis.com",
    };
    uint64_t st = 99;
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned i = 0; i < 40; i++) {
        char name[64];

        bot_name(&st, name, sizeof(name));
        q(100 + 3 * (long)i, "i-0infected", name, "NXDOMAIN");
    }
    for (unsigned k = 0; k < 20; k++) {
        for (size_t i = 0; i < sizeof(benign) / sizeof(benign[0]); i++) {
            q(100 + (long)k * 30, "i-0busy", benign[i], NULL);
        }
    }
    run_with(&r, NULL, NULL); /* NULL: the built-in model */
    assert_int_equal(r.n, 2); /* the burst's detection, and its tail when the entry expires */
    assert_string_equal(r.d[0].resource, "i-0infected");
    assert_string_equal(r.d[1].resource, "i-0infected");
    assert_true(dnsfx_info_num(r.d[0].info, "distinctDomains") >= 4);
}

/*
 * A domain answered NXDOMAIN counts from nx_threshold (0.8), one that
 * resolves only from threshold (0.95): a bot of a family the model knows
 * less well (names scoring 0.88) fires on four unregistered candidates;
 * the same names resolving, fewer of them, or names scoring 0.62 do not.
 */
static void test_nx_threshold(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned i = 0; i < 4; i++) {
        q(100 + 10 * (long)i, "i-0bot", dga_len(14, i, "com"), "NXDOMAIN");
    }
    /* Near misses: twelve that resolve; three unregistered; four scoring 0.62. */
    for (unsigned i = 0; i < 12; i++) {
        q(100 + (long)i, "i-0resolves", dga_len(14, 100 + i, "com"), NULL);
    }
    for (unsigned i = 0; i < 3; i++) {
        q(100 + (long)i, "i-0three", dga_len(14, 200 + i, "com"), "NXDOMAIN");
    }
    for (unsigned i = 0; i < 6; i++) {
        q(100 + (long)i, "i-0low", dga_len(12, 300 + i, "com"), "NXDOMAIN");
    }
    run_with(&r, NULL, model_band);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0bot");
    assert_int_equal(r.d[0].count, 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 4);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "nxdomainDomains"), 4);
    assert_true(fabs(dnsfx_info_f64(r.d[0].info, "dgaScore") - 0.8808) < 1e-3);
    /* An NXDOMAIN domain scoring 0.88 adds to resolving ones at 0.95: 6 + 2. */
    for (unsigned i = 0; i < 6; i++) {
        q(100 + (long)i, "i-0mixed", dga_len(16, 400 + i, "com"), NULL);
    }
    q(110, "i-0mixed", dga_len(14, 500, "com"), "NXDOMAIN");
    run_with(&r, NULL, model_band);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0mixed");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 7);
    /* Tuned up to 0.9, the four at 0.88 no longer count. */
    memset(&tuning, 0, sizeof(tuning));
    tuning.nx_threshold = 0.9;
    for (unsigned i = 0; i < 4; i++) {
        q(100 + 10 * (long)i, "i-0bot", dga_len(14, i, "com"), "NXDOMAIN");
    }
    run_with(&r, NULL, model_band);
    assert_int_equal(r.n, 0);
    /* Tuned down to 0.6, the 0.62 ones do. */
    tuning.nx_threshold = 0.6;
    for (unsigned i = 0; i < 4; i++) {
        q(100 + (long)i, "i-0low", dga_len(12, 300 + i, "com"), "NXDOMAIN");
    }
    run_with(&r, NULL, model_band);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0low");
}

static void test_init(void **state)
{
    struct cm_detect_opts o;
    void *st = NULL;
    struct cm_dns_dga_tuning t;

    (void)state;
    memset(&o, 0, sizeof(o));
    memset(&t, 0, sizeof(t));
    t.threshold = 1.5;
    assert_int_equal(cm_dns_dga_init(&st, &o, &t), CM_EINVAL);
    assert_null(st);
    memset(&t, 0, sizeof(t));
    t.burst = 65;
    assert_int_equal(cm_dns_dga_init(&st, &o, &t), CM_EINVAL);
    memset(&t, 0, sizeof(t));
    t.nx_weight = 300;
    assert_int_equal(cm_dns_dga_init(&st, &o, &t), CM_EINVAL);
    memset(&t, 0, sizeof(t));
    t.nx_threshold = 1.01;
    assert_int_equal(cm_dns_dga_init(&st, &o, &t), CM_EINVAL);
    assert_int_equal(cm_dns_dga_init(&st, NULL, NULL), 0);
    assert_non_null(st);
    cm_detector_dns_dga.finish(st);
    assert_string_equal(cm_detector_dns_dga.types[0], TYPE);
    assert_null(cm_detector_dns_dga.types[1]);
}

/* ---- regressions: each reproduces a bug the review found, now fixed ---- */

/*
 * Bug: nxdomainDomains counted the slots whose weight was above 1, so with
 * nx_weight 1 (a legal tuning) it was always 0. It is counted from an
 * NXDOMAIN flag now.
 */
static void test_nx_weight_one(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.nx_weight = 1;
    for (unsigned i = 0; i < 8; i++) {
        q(100 + (long)i, "i-0nx", dga16(i, "com"), "NXDOMAIN");
    }
    /* Five NXDOMAIN and three that resolve. */
    for (unsigned i = 0; i < 8; i++) {
        q(200 + (long)i, "i-0mixed", dga16(100 + i, "com"), i < 5 ? "NXDOMAIN" : NULL);
    }
    run(&r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.d[0].resource, "i-0nx");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 8);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "nxdomainDomains"), 8);
    assert_string_equal(r.d[1].resource, "i-0mixed");
    assert_int_equal(dnsfx_info_num(r.d[1].info, "distinctDomains"), 8);
    assert_int_equal(dnsfx_info_num(r.d[1].info, "nxdomainDomains"), 5);
}

/*
 * Bug: an instance's window remembered 32 domains (MAX_SLOTS) while init
 * accepted a burst up to 64, so a burst above 32 of names that resolve could
 * never fire. The window holds 64 now.
 */
static void test_burst_above_32(void **state)
{
    struct dnsfx_run r;
    void *st = NULL;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.burst = 40;
    assert_int_equal(cm_dns_dga_init(&st, NULL, &tuning), 0);
    cm_detector_dns_dga.finish(st);
    /* 100 distinct DGA-like domains that resolve, one a second: fires at the 40th. */
    for (unsigned i = 0; i < 100; i++) {
        q((long)i, "i-0bot", dga16(i, "com"), NULL);
    }
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[0].count, 40);
    assert_true(r.d[0].time_ms == (T0 + 39) * 1000LL);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 40);
    assert_int_equal(r.d[1].count, 60); /* the other 60, at expiry */
    /* The largest burst init accepts, 64, is reachable too. */
    memset(&tuning, 0, sizeof(tuning));
    tuning.burst = 64;
    for (unsigned i = 0; i < 100; i++) {
        q((long)i, "i-0bot", dga16(i, "com"), NULL);
    }
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 64);
}

/*
 * Bug: the score cache held a float, and 0.950000001 (at the 0.95
 * threshold as a double) rounds below it as a float, so names the model
 * calls DGA-like were not counted. The cache holds a double now.
 */
static void test_threshold_double(void **state)
{
    struct dnsfx_run r;
    struct cm_domain d;
    double sc;

    (void)state;
    /* The premise: just at the threshold as a double, under it as a float. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("qzxkvbtnmplr.com"), &d), 0);
    sc = cm_dga_score(model_edge, &d);
    assert_true(sc >= 0.95);
    assert_true((double)(float)sc < 0.95);
    memset(&tuning, 0, sizeof(tuning));
    /* Eight distinct names that resolve, every one scoring 0.950000001. */
    for (unsigned i = 0; i < 8; i++) {
        q((long)i, "i-0bot", dga16(i, "com"), NULL);
    }
    run_with(&r, NULL, model_edge);
    assert_int_equal(r.n, 1);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 8);
}

/*
 * Bug: the rate limit compared newest_ms < reported_ms + window_ms, a
 * signed overflow (undefined; UBSan traps it under make SANITIZE=1) for a
 * window near INT64_MAX. It compares the difference now.
 */
static void test_large_window(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.window_ms = INT64_MAX - 1000000; /* 1000 s short of the largest */
    for (unsigned i = 0; i < 8; i++) {
        q((long)i, "i-0bot", dga16(i, "com"), NULL);
    }
    /* A day later, more: within the window, so no second report but the one at the end. */
    for (unsigned i = 0; i < 8; i++) {
        q(86400 + (long)i, "i-0bot", dga16(100 + i, "com"), NULL);
    }
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[0].count, 8);
    assert_int_equal(r.d[1].count, 8);
    assert_true(r.d[1].time_ms == (T0 + 86407) * 1000LL);
}

/*
 * Bug: the DGA-like queries an instance asked after its last detection were
 * reported only with a next detection, which the rate limit allows a window
 * later and only if the burst goes on; a bot that stopped within the window,
 * or the end of the input, lost them. A bot walking 40 unregistered
 * candidates in two minutes gave one detection of count 4 (its fourth
 * NXDOMAIN name) and nothing for the other 36. The entry now keeps its last
 * DGA-like query and reports the rest from it when it expires.
 */
static void test_tail_at_expiry(void **state)
{
    struct dnsfx_run r;
    char dom[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned i = 0; i < 40; i++) {
        q(3 * (long)i, "i-0bot", dga16(i, "biz"), "NXDOMAIN");
    }
    q(200, "i-0bot", "www.example.com", NULL); /* not DGA-like: neither counted nor kept */
    run(&r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[0].count, 4);
    assert_int_equal(r.d[1].count, 36);
    assert_string_equal(r.d[1].resource, "i-0bot");
    assert_true(r.d[1].time_ms == (T0 + 3 * 39) * 1000LL); /* built from the last of them */
    assert_true(r.d[1].first_ms == (T0 + 3 * 4) * 1000LL);
    assert_string_equal(dnsfx_info_str(r.d[1].info, "domain", dom, sizeof(dom)), dga16(39, "biz"));
    assert_int_equal(dnsfx_info_num(r.d[1].info, "nxdomainDomains"), 40);
    /* An instance that never fired reports nothing when its entry expires. */
    for (unsigned i = 0; i < 3; i++) {
        q(3 * (long)i, "i-0quiet", dga16(i, "biz"), "NXDOMAIN");
    }
    run(&r);
    assert_int_equal(r.n, 0);
}

/*
 * A mail server asks a domain's records, not a host, for every sender's domain:
 * SPF (TXT), MX, DMARC and DKIM, spammers' random domains among them, most of
 * them unregistered. None of that is a bot resolving its candidates. Before
 * 2026-12-05 each of four mail relays of a two-day enterprise log had a
 * DGADomainRequest.B of about 1,000 queries from these look-ups alone.
 */
static void test_record_lookups(void **state)
{
    static const char *const types[] = {"TXT", "MX", "SRV", "NS", "SOA", "CAA", "txt"};
    struct dnsfx_run r;
    char name[8][128];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    for (unsigned i = 0; i < 10; i++) {
        const char *d = dga16(2000 + i, "com");

        dnsfx_add(&(struct dnsfx_query){.t = T0 + 100 + i,
                                        .instance = "i-0mail",
                                        .name = d,
                                        .qtype = types[i % 7],
                                        .rcode = "NXDOMAIN"});
        snprintf(name[0], sizeof(name[0]), "_dmarc.%s", d);
        snprintf(name[1], sizeof(name[1]), "s1._DomainKey.%s", d);
        snprintf(name[2], sizeof(name[2]), "_mta-sts.%s", d);
        /* Asked for an address: still a record look-up by its label. */
        dnsfx_add(&(struct dnsfx_query){
            .t = T0 + 100 + i, .instance = "i-0mail", .name = name[0], .qtype = "TXT"});
        dnsfx_add(&(struct dnsfx_query){
            .t = T0 + 100 + i, .instance = "i-0mail", .name = name[1], .qtype = "TXT"});
        dnsfx_add(&(struct dnsfx_query){.t = T0 + 100 + i,
                                        .instance = "i-0mail",
                                        .name = name[2],
                                        .qtype = "A",
                                        .rcode = "NXDOMAIN"});
    }
    run(&r);
    if (r.n != 0) {
        fail_msg("%zu detections, the first for %s: %s", r.n, r.d[0].resource, r.d[0].info);
    }
    /* The same domains asked for addresses (A, AAAA, ANY, HTTPS, CNAME) are a burst. */
    for (unsigned i = 0; i < 10; i++) {
        static const char *const addr[] = {"A", "AAAA", "ANY", "HTTPS", "CNAME"};

        dnsfx_add(&(struct dnsfx_query){.t = T0 + 100 + i,
                                        .instance = "i-0bot",
                                        .name = dga16(2000 + i, "com"),
                                        .qtype = addr[i % 5],
                                        .rcode = "NXDOMAIN"});
    }
    run(&r);
    /* At the fourth (NXDOMAIN weighs 2), and the other six when the entry expires. */
    assert_int_equal(r.n, 2);
    assert_int_equal(of(&r, "i-0bot"), 2);
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 4);
    assert_int_equal(r.d[0].count + r.d[1].count, 10);
    /*
     * SPF's `a` and `mx` mechanisms: the relay asks the sender's policy, then the
     * domain's address and its MX host's. The addresses of a domain whose records
     * were asked are a mail check's too (before 2026-12-05 a relay of 1,000
     * messages an hour fired on them). The bot on the same relay still fires.
     */
    for (unsigned i = 0; i < 12; i++) {
        const char *d = dga16(3000 + i, "top");
        char mx[128];

        snprintf(mx, sizeof(mx), "mx.%s", d);
        dnsfx_add(&(struct dnsfx_query){.t = T0 + 200 + 10 * i,
                                        .instance = "i-0relay",
                                        .name = d,
                                        .qtype = "TXT",
                                        .answers = dnsfx_answer("TXT", "v=spf1 a mx -all")});
        dnsfx_add(&(struct dnsfx_query){
            .t = T0 + 201 + 10 * i, .instance = "i-0relay", .name = d, .rcode = "NXDOMAIN"});
        dnsfx_add(&(struct dnsfx_query){
            .t = T0 + 202 + 10 * i, .instance = "i-0relay", .name = mx, .qtype = "AAAA"});
    }
    run(&r);
    if (r.n != 0) {
        fail_msg("%zu detections, the first for %s: %s", r.n, r.d[0].resource, r.d[0].info);
    }
    for (unsigned i = 0; i < 12; i++) {
        dnsfx_add(&(struct dnsfx_query){.t = T0 + 200 + 10 * i,
                                        .instance = "i-0relay",
                                        .name = dga16(3000 + i, "top"),
                                        .qtype = "MX",
                                        .rcode = "NXDOMAIN"});
    }
    for (unsigned i = 0; i < 4; i++) {
        q(300 + (long)i, "i-0relay", dga16(4000 + i, "top"), "NXDOMAIN");
    }
    run(&r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].resource, "i-0relay");
    assert_int_equal(dnsfx_info_num(r.d[0].info, "distinctDomains"), 4);
    assert_int_equal(r.d[0].count, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fires),
        cmocka_unit_test(test_nxdomain_weighs_double),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_intel),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_builtin_model),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_nx_weight_one),
        cmocka_unit_test(test_burst_above_32),
        cmocka_unit_test(test_threshold_double),
        cmocka_unit_test(test_large_window),
        cmocka_unit_test(test_nx_threshold),
        cmocka_unit_test(test_tail_at_expiry),
        cmocka_unit_test(test_record_lookups),
        cmocka_unit_test(test_private_namespace),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
