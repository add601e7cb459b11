/*
 * The domain reputation model and detector (lib/detect/dns_reputation.c,
 * dns_providers.c): the stateless score of single names (providers, TLDs,
 * crypto words, the DGA component and where it applies), the const tables
 * (sorted, lowercase, unique), and the detector end to end: Route 53
 * Resolver records in the real log format go through the real parser into
 * an engine holding this detector alone. Checked: nothing during the
 * learning day and nothing for a site known from it, but for a name that is
 * evidence in itself (a pool's service host, a tunnel's or a callback
 * catcher's host), which fires whatever the history; each type for a new site
 * with its reasons in additionalInfo, the near misses (a popular domain, a
 * legitimate private-suffix host, an ordinary new .com, pool.ntp.org, an
 * on-premises client, reverse and EC2 names, look-ups of a domain's DKIM,
 * DMARC or ACME records, a name on a threat list or a
 * trusted list), the rate limit and its counts, a rising type, popularity,
 * late records, and memcap eviction counting. Last, regressions of bugs a
 * review found: a late record from the learning day, instancesAsking past
 * four instances and the rare_instances limit, the additionalInfo of a
 * long name, a report window over INT64_MAX / 2.
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
#include "detect/dga.h"
#include "detect/dns.h"
#include "detect/dns_rep_impl.h"
#include "detect/dns_reputation.h"
#include "detect/intel.h"

#include "dns_fixture.h"
#include "../../xorshift.h"

#define T_ABUSED     "Impact:EC2/AbusedDomainRequest.Reputation"
#define T_BITCOIN    "Impact:EC2/BitcoinDomainRequest.Reputation"
#define T_MALICIOUS  "Impact:EC2/MaliciousDomainRequest.Reputation"
#define T_SUSPICIOUS "Impact:EC2/SuspiciousDomainRequest.Reputation"

#define HOUR 3600L
#define DAY  (24 * HOUR)

/*
 * DGA models that give every label one score, sigmoid(bias / 1000), so the
 * tests do not depend on the trained model: low (0.05) and high (0.97).
 */
static struct cm_dga_model *model_low, *model_high;

static struct cm_dga_model *constant_model(int bias)
{
    char text[256];
    struct cm_dga_model *m = NULL;
    int n = snprintf(text, sizeof(text),
                     "coalmine-dga 1\nhash_bits 8\nngram 1 1\nseed 1\nnorm none\ntokens 0\n"
                     "quant 1000\nbias %d\nlm none\nend\n",
                     bias);

    assert_int_equal(cm_dga_model_parse(text, (size_t)n, &m, NULL), 0);
    return m;
}

static int setup(void **state)
{
    (void)state;
    model_low = constant_model(-3000);
    model_high = constant_model(3500);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cm_dga_model_free(model_low);
    cm_dga_model_free(model_high);
    return 0;
}

/* ---- the stateless score ---- */

static void score(const char *name, struct cm_domain *d, struct cm_dns_rep *rep)
{
    assert_int_equal(cm_domain_parse(cm_str_cstr(name), d), 0);
    cm_dns_rep_score(model_low, d, rep);
    assert_true(rep->score >= 0.0 && rep->score <= 1.0);
}

static void test_providers(void **state)
{
    struct cm_domain d;
    struct cm_dns_rep rep;

    (void)state;
    /* A PSL private suffix on the table: the customer's name is the site. */
    score("x7.duckdns.org.", &d, &rep);
    assert_non_null(rep.provider_entry);
    assert_string_equal(rep.provider_entry->suffix, "duckdns.org");
    assert_int_equal(rep.provider_entry->cls, CM_DNSP_DYNDNS);
    assert_true(rep.reasons & CM_DNSR_PROVIDER);
    assert_true(rep.score >= 0.55);
    assert_string_equal(d.name + rep.site, "x7.duckdns.org");
    /* A provider the PSL does not know: one label more than the registered domain. */
    score("a.b.mooo.com", &d, &rep);
    assert_non_null(rep.provider_entry);
    assert_string_equal(d.name + rep.site, "b.mooo.com");
    assert_true(rep.dga_applies);
    score("shell.ngrok-free.app", &d, &rep);
    assert_int_equal(rep.provider_entry->cls, CM_DNSP_TUNNEL);
    score("abc.oast.fun", &d, &rep);
    assert_int_equal(rep.provider_entry->cls, CM_DNSP_OOB);
    score("site.000webhostapp.com", &d, &rep);
    assert_int_equal(rep.provider_entry->cls, CM_DNSP_FREEHOST);
    /* The provider's own site is not a customer's. */
    score("www.duckdns.org", &d, &rep);
    assert_null(rep.provider_entry);
    score("mooo.com", &d, &rep);
    assert_null(rep.provider_entry);
    score("www.mooo.com", &d, &rep);
    assert_null(rep.provider_entry);
    /* The bare provider has no registered domain under the PSL: ignored. */
    score("duckdns.org", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    assert_true(rep.score == 0.0);
    /* Big legitimate platforms are no abused providers, and the DGA model stays out. */
    score("my-bucket.s3.amazonaws.com", &d, &rep);
    assert_null(rep.provider_entry);
    assert_false(rep.dga_applies);
    assert_true(rep.score == 0.0);
    score("d1x4ae3kq8w6mq.cloudfront.net", &d, &rep);
    assert_false(rep.dga_applies);
    assert_true(rep.score == 0.0);
    score("someone.github.io", &d, &rep);
    assert_true(rep.score == 0.0);
    score("app-1234.herokuapp.com", &d, &rep);
    assert_true(rep.score == 0.0);
    /* A look-alike of a provider is not the provider. */
    score("x.notduckdns.org", &d, &rep);
    assert_null(rep.provider_entry);
}

static void test_tlds_and_ignored(void **state)
{
    struct cm_domain d;
    struct cm_dns_rep rep;

    (void)state;
    assert_true(cm_dns_tld_weight(CM_STR_LIT("tk")) >= 0.45);
    assert_true(cm_dns_tld_weight(CM_STR_LIT("top")) >= 0.30);
    assert_true(cm_dns_tld_weight(CM_STR_LIT("xyz")) > 0 &&
                cm_dns_tld_weight(CM_STR_LIT("xyz")) < 0.3);
    assert_true(cm_dns_tld_weight(CM_STR_LIT("com")) == 0.0);
    assert_true(cm_dns_tld_weight(CM_STR_LIT("org")) == 0.0);
    assert_true(cm_dns_tld_weight(CM_STR_LIT("t")) == 0.0);
    score("login-update.tk", &d, &rep);
    assert_true(rep.reasons & CM_DNSR_TLD);
    assert_true(rep.tld >= 0.45);
    /* Reverse DNS and private namespaces are nobody's reputation. */
    score("4.3.2.1.in-addr.arpa.", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    assert_true(rep.score == 0.0);
    score("db.prod.acme.internal", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    score("printer.lan", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    score("ip-10-0-0-5.ec2.internal", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    score("localhost", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    /* A TLD no rule of the suffix list knows is in no root zone: a private one too. */
    score("xkqzjvbnpwe.mycompany", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    assert_true(rep.score == 0.0);
    score("x.intra", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    score("printer.lan2", &d, &rep);
    assert_true(cm_dns_rep_ignored(&d));
    /* New gTLDs in the list are public: scored. */
    score("xkqzjvbnpwe.xyz", &d, &rep);
    assert_false(cm_dns_rep_ignored(&d));
    assert_true(rep.score > 0.0);
    score("xkqzjvbnpwe.zip", &d, &rep);
    assert_false(cm_dns_rep_ignored(&d));
    score("wpad.office", &d, &rep);
    assert_false(cm_dns_rep_ignored(&d));
    /* Alternative roots' TLDs malware asks for (BazarLoader's .bazar, Namecoin's .bit). */
    score("xkqzjvbnpwe.bazar", &d, &rep);
    assert_true(d.unlisted_tld);
    assert_false(cm_dns_rep_ignored(&d));
    score("xkqzjvbnpwe.bit", &d, &rep);
    assert_false(cm_dns_rep_ignored(&d));
    /* Popular names score low. */
    score("www.google.com", &d, &rep);
    assert_true(rep.score < 0.30);
    score("archive.ubuntu.com", &d, &rep);
    assert_true(rep.score < 0.30);
}

static void test_crypto(void **state)
{
    struct cm_domain d;
    const char *w;

    (void)state;
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xmr-eu1.nanopool.org"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, &w), CM_DNSC_BRAND);
    assert_string_equal(w, "nanopool");
    assert_int_equal(cm_domain_parse(CM_STR_LIT("pool.supportxmr.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, &w), CM_DNSC_BRAND);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("eu1.2miners.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_BRAND);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xmr-pool.example.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, &w), CM_DNSC_POOL);
    assert_string_equal(w, "xmr");
    assert_int_equal(cm_domain_parse(CM_STR_LIT("ethpool.example.net"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, &w), CM_DNSC_POOL);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("stratum.example.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_STRATUM);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("getmonero.example.org"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_NONE); /* a word inside a token */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("monero.example.org"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_COIN);
    /* Near misses: mining words alone, coins as parts of other words, a pool's TLD. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("0.pool.ntp.org"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_NONE);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("carpooling.example.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_NONE);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("eth-mainnet.g.alchemy.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_NONE);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("etc.mine.example.com"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_POOL); /* etc (the coin) + mine */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("minecraft.net"), &d), 0);
    assert_int_equal(cm_dns_crypto_of(&d, NULL), CM_DNSC_NONE);
    assert_true(cm_dns_crypto_weight(CM_DNSC_BRAND) > cm_dns_crypto_weight(CM_DNSC_POOL));
    assert_true(cm_dns_crypto_weight(CM_DNSC_COIN) < 0.3);
}

/* The providers' own table is checked by tests/unit/lib/base/test_dns_provider.c. */
static void test_tables(void **state)
{
    (void)state;
    assert_true(cm_dns_tables_sorted());
    /* Web-page labels: whole labels only. */
    assert_true(cm_dns_web_label(CM_STR_LIT("www")));
    assert_true(cm_dns_web_label(CM_STR_LIT("assets")));
    assert_true(cm_dns_web_label(CM_STR_LIT("files")));
    assert_false(cm_dns_web_label(CM_STR_LIT("ww")));
    assert_false(cm_dns_web_label(CM_STR_LIT("wwww")));
    assert_false(cm_dns_web_label(CM_STR_LIT("pool")));
    assert_false(cm_dns_web_label(CM_STR_LIT("")));
    assert_string_equal(cm_dns_provider_class_name(CM_DNSP_DYNDNS), "dynamic-dns");
    assert_string_equal(cm_dns_provider_class_name((enum cm_dns_provider_class)99), "none");
}

/* dns_rep_names.c alone: which names are left alone, which are evidence in themselves. */
static void test_names(void **state)
{
    static const char *const skipped[] = {
        "1.0.0.10.in-addr.arpa.", "ip-10-0-0-1.ec2.internal", "s1._domainkey.example.com.",
        "_DMARC.Example.com",     "_xmpp._tcp.example.org.",  "_acme-challenge.www.buykel.ml",
    };
    static const char *const judged[] = {
        "example.com.",
        "_a.evil-c2.duckdns.org",
        "_domainkeys.example.com",
        "arpa.example.com",
    };
    static const char *const strong_names[] = {
        "xmr-eu1.nanopool.org.", "pool.supportxmr.com", "xmr-pool.fastworker-cloud.net",
        "a1b2.ngrok-free.app",   "cqabc123.oast.fun",
    };
    static const char *const weak_names[] = {
        "nanopool.org",
        "www.nanopool.org",
        "api2.nanopool.org",
        "stratum1.example.net",
        "x7.duckdns.org",
        "nanopool.org.dbl.spamhaus.org",
        "www.xmr-pool.example.net",
        "bitcoin.example.com",
    };
    struct cm_domain d;
    struct cm_dns_rep rep;

    (void)state;
    for (size_t i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++) {
        if (!cm_dns_rep_skip_name(cm_str_cstr(skipped[i]))) {
            fail_msg("%s should be left alone", skipped[i]);
        }
    }
    for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++) {
        if (cm_dns_rep_skip_name(cm_str_cstr(judged[i]))) {
            fail_msg("%s should be judged", judged[i]);
        }
    }
    for (size_t i = 0; i < sizeof(strong_names) / sizeof(strong_names[0]); i++) {
        score(strong_names[i], &d, &rep);
        if (!cm_dns_rep_strong(&d, &rep)) {
            fail_msg("%s should be evidence in itself", strong_names[i]);
        }
    }
    for (size_t i = 0; i < sizeof(weak_names) / sizeof(weak_names[0]); i++) {
        score(weak_names[i], &d, &rep);
        if (cm_dns_rep_strong(&d, &rep)) {
            fail_msg("%s should need a new site", weak_names[i]);
        }
    }
    assert_true(cm_dns_web_labels_sorted());
}

/* Two scores of one name are the same in every member. */
static void same_rep(const struct cm_dns_rep *a, const struct cm_dns_rep *b, const char *name)
{
    if (a->score != b->score || a->dga != b->dga || a->provider != b->provider ||
        a->tld != b->tld || a->crypto != b->crypto || a->reasons != b->reasons ||
        a->provider_entry != b->provider_entry || a->crypto_sign != b->crypto_sign ||
        a->site != b->site || a->dga_applies != b->dga_applies ||
        (a->crypto_word == NULL) != (b->crypto_word == NULL) ||
        (a->crypto_word != NULL && strcmp(a->crypto_word, b->crypto_word) != 0)) {
        fail_msg("the index and the binary searches differ on %s", name);
    }
}

/*
 * The hashed index gives the binary searches' answers: for a name under
 * every provider, names on abused and ordinary TLDs, crypto words in every
 * position the rules read them, the private TLDs, and random names.
 */
static void test_tables_index(void **state)
{
    static const char *const names[] = {
        "login-update.tk",
        "a.b.top",
        "x.xyz",
        "www.google.com",
        "xmr-eu1.nanopool.org",
        "pool.supportxmr.com",
        "eu1.2miners.com",
        "xmr-pool.example.com",
        "ethpool.example.net",
        "stratum.example.com",
        "monero.example.org",
        "0.pool.ntp.org",
        "carpooling.example.com",
        "etc.mine.example.com",
        "minecraft.net",
        "coin-hive.com",
        "moneropool.example.com",
        "xmrminers.example.org",
        "printer.lan",
        "db.acme.internal",
        "4.3.2.1.in-addr.arpa",
        "a.test",
        "localhost",
        "foo.localdomain",
        "x.invalid",
        "y.intranet",
        "z.corp",
        "w.home",
        "cdn.example.co.uk",
        "bucket.s3.amazonaws.com",
    };
    struct cm_dns_tables *t = NULL;
    const struct cm_dga_model *m = cm_dga_model_builtin();
    struct cm_dns_rep a, b;
    struct cm_domain d;
    size_t n;
    const struct cm_dns_provider *p = cm_dns_providers(&n);
    uint64_t x = 88172645463325252ULL;

    (void)state;
    assert_int_equal(cm_dns_tables_create(&t), 0);
    assert_true(cm_dns_tables_complete(t)); /* every key passes the first test and is found */
    for (size_t i = 0; i < n; i++) {
        char name[300];

        snprintf(name, sizeof(name), "cust0m3r.%s", p[i].suffix);
        assert_int_equal(cm_domain_parse(cm_str_cstr(name), &d), 0);
        cm_dns_rep_score(m, &d, &a);
        cm_dns_rep_score_with(t, m, &d, &b);
        same_rep(&a, &b, name);
        assert_non_null(b.provider_entry); /* every provider is found through the index */
    }
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (cm_domain_parse(cm_str_cstr(names[i]), &d) != 0) {
            continue;
        }
        cm_dns_rep_score(m, &d, &a);
        cm_dns_rep_score_with(t, m, &d, &b);
        same_rep(&a, &b, names[i]);
    }
    for (int i = 0; i < 20000; i++) {
        static const char *const tl[] = {"com", "tk", "top", "xyz", "net", "lan", "io"};
        char label[24], name[48];
        size_t len;

        xorshift64(&x);
        len = 3 + x % 14;
        for (size_t k = 0; k < len; k++) {
            label[k] = "abcdefghijklmnopqrstuvwxyz0123456789-"[(x >> (k * 4 % 56)) % 36];
        }
        label[len] = '\0';
        snprintf(name, sizeof(name), "%s.%s", label, tl[(x >> 58) % 7]);
        if (cm_domain_parse(cm_str_cstr(name), &d) != 0) {
            continue;
        }
        cm_dns_rep_score(m, &d, &a);
        cm_dns_rep_score_with(t, m, &d, &b);
        same_rep(&a, &b, name);
    }
    cm_dns_tables_destroy(t);
    cm_dns_tables_destroy(NULL);
}

static void test_dga_component(void **state)
{
    struct cm_domain d;
    struct cm_dns_rep rep;

    (void)state;
    /* A model score above 0.5 counts, scaled to at most 0.8, where a registrant chose the label. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.com"), &d), 0);
    cm_dns_rep_score(model_high, &d, &rep);
    assert_true(rep.dga_applies);
    assert_true(rep.dga > 0.96 && rep.dga < 0.98);
    assert_true(rep.reasons & CM_DNSR_DGA);
    assert_true(rep.dga_part > 0.7 && rep.dga_part <= 0.8);
    assert_true(rep.score == rep.dga_part);
    /* Under an abused provider the customer's label is scored too. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.mooo.com"), &d), 0);
    cm_dns_rep_score(model_high, &d, &rep);
    assert_true(rep.dga > 0.96);
    /* Not under a platform's private suffix: its labels are random by design. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.cloudfront.net"), &d), 0);
    cm_dns_rep_score(model_high, &d, &rep);
    assert_false(rep.dga_applies);
    assert_true(rep.dga == 0.0 && rep.score == 0.0);
    /* At or below 0.5 it counts for nothing; without a model it is left out. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.com"), &d), 0);
    cm_dns_rep_score(model_low, &d, &rep);
    assert_true(rep.dga < 0.1 && rep.dga_part == 0.0 && !(rep.reasons & CM_DNSR_DGA));
    cm_dns_rep_score(NULL, &d, &rep);
    assert_true(rep.dga == 0.0 && rep.score == 0.0);
    /* The built-in model is what the detector uses without --dga-model. */
    cm_dns_rep_score(cm_dga_model_builtin(), &d, &rep);
    assert_true(rep.dga >= 0.0 && rep.dga <= 1.0);
}

/* ---- the detector ---- */

#define T0 1767571200L /* 2026-01-05T00:00:00Z */

/*
 * Appends a query at T0 + at seconds from instance (NULL: an on-premises
 * client) for name, answers a JSON array text (NULL: [] and NXDOMAIN).
 */
static void q(long at, const char *instance, const char *name, const char *answers)
{
    dnsfx_add(&(struct dnsfx_query){.t = T0 + at,
                                    .instance = instance,
                                    .name = name,
                                    .rcode = answers ? NULL : "NXDOMAIN",
                                    .answers = answers});
}

/* An answer array of one A record. */
static const char *a_rec(const char *ip)
{
    return dnsfx_answer("A", ip);
}

/* The learning day: the account's first queries, names of its history. */
static void history(void)
{
    dnsfx_reset();
    q(0, "i-0web", "www.example.com", a_rec("93.184.216.34"));
    q(60, "i-0web", "known-nas.duckdns.org", a_rec("198.51.100.7"));
    q(120, "i-0app", "api.stripe.com", a_rec("52.1.2.3"));
    q(180, "i-0app", "old-thing.top", a_rec("198.51.100.8"));
}

/* The tuning of the next run; each test sets it. */
static struct cm_dns_rep_tuning tuning;

/* Runs the records (history() starts them anew) with snap's lists and DGA model m. */
static void run_model(struct dnsfx_run *r, const struct cm_intel_snapshot *snap,
                      const struct cm_dga_model *m)
{
    const struct cm_dns_tunings dns = {.rep = tuning};

    dnsfx_run(r, &cm_detector_dns_reputation,
              &(struct dnsfx_opts){.seed = 7, .intel = snap, .dga = m, .dns = &dns});
}

/* Runs the records with the low DGA model: the tests of everything but the DGA component. */
static void run(struct dnsfx_run *r, const struct cm_intel_snapshot *snap)
{
    run_model(r, snap, model_low);
}

static bool info_has(const struct dnsfx_run *r, size_t i, const char *s)
{
    return strstr(r->d[i].info, s) != NULL;
}

/* The index of the only detection for instance, or fails. */
static size_t only(const struct dnsfx_run *r, const char *type, const char *instance)
{
    size_t k = SIZE_MAX;

    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->d[i].resource, instance) == 0) {
            if (k != SIZE_MAX) {
                fail_msg("%s: two detections (%s, %s)", instance, r->d[k].type, r->d[i].type);
            }
            k = i;
        }
    }
    if (k == SIZE_MAX) {
        fail_msg("%s: no detection (wanted %s)", instance, type);
    }
    if (strcmp(r->d[k].type, type) != 0) {
        fail_msg("%s: got %s, wanted %s (%s)", instance, r->d[k].type, type, r->d[k].info);
    }
    return k;
}

static void test_learning(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    /*
     * During the learning day nothing fires for a name whose only fault is its
     * score or a provider whose hosts are websites as often: a dynamic-DNS
     * host, a Freenom site, a pool's web pages (the site, its www, files,
     * wiki... hosts).
     */
    history();
    q(2 * HOUR, "i-0web", "fresh.duckdns.org", a_rec("198.51.100.9"));
    q(2 * HOUR + 60, "i-0web", "www.nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 120, "i-0web", "nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 130, "i-0web", "assets.nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 140, "i-0web", "files.dwarfpool.com", a_rec("198.51.100.10"));
    q(2 * HOUR + 150, "i-0web", "m.nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 160, "i-0web", "wiki.supportxmr.com", a_rec("198.51.100.10"));
    q(2 * HOUR + 170, "i-0web", "api.nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 180, "i-0web", "www2.nanopool.org", a_rec("198.51.100.10"));
    q(2 * HOUR + 190, "i-0web", "api2.nicehash.com", a_rec("198.51.100.10"));
    /* A pool inside a block-list look-up; NTP's stratum hosts; a coin word alone. */
    q(2 * HOUR + 200, "i-0mx", "nanopool.org.dbl.spamhaus.org", NULL);
    q(2 * HOUR + 210, "i-0mx", "xmrpool.com.multi.uribl.com", NULL);
    q(2 * HOUR + 220, "i-0web", "stratum1.time-example.com", a_rec("198.51.100.11"));
    q(2 * HOUR + 230, "i-0web", "xmr.price-feed-example.com", a_rec("198.51.100.12"));
    q(2 * HOUR + 180, "i-0web", "update-check.tk", a_rec("198.51.100.13"));
    q(2 * HOUR + 240, "i-0web", "fresh-thing.top", a_rec("198.51.100.14"));
    run(&r, NULL);
    assert_int_equal(r.n, 0);
    /*
     * A name that is evidence in itself fires whatever the history, in the
     * learning day and after it (an hour on, the report window), never as
     * "new" or "rare": a pool's service host, a tunnel's, a callback catcher's.
     */
    history();
    q(3 * HOUR, "i-0web", "xmr.nanopool.org", a_rec("198.51.100.10"));
    q(3 * HOUR + 60, "i-0app", "shell-7731.ngrok-free.app", a_rec("198.51.100.15"));
    q(3 * HOUR + 120, "i-0app", "c9x2k1.oast.fun", a_rec("198.51.100.16"));
    q(3 * HOUR + 150, "i-0web", "www.supportxmr.com", a_rec("198.51.100.17")); /* quiet */
    q(3 * HOUR + 180, "i-0web", "xmr.nanopool.org", a_rec("198.51.100.10"));   /* counted */
    q(26 * HOUR, "i-0web", "xmr.nanopool.org", a_rec("198.51.100.10"));
    q(26 * HOUR + 60, "i-0db", "pool.supportxmr.com", a_rec("198.51.100.17")); /* known site */
    run(&r, NULL);
    assert_int_equal(r.n, 6);
    assert_string_equal(r.d[5].type, T_BITCOIN);
    assert_string_equal(r.d[5].resource, "i-0db");
    assert_string_equal(r.d[0].type, T_BITCOIN);
    assert_string_equal(r.d[0].resource, "i-0web");
    assert_string_equal(r.d[1].type, T_ABUSED);
    assert_string_equal(r.d[1].resource, "i-0app");
    assert_true(info_has(&r, 1, "\"tunnel:ngrok-free.app\""));
    assert_string_equal(r.d[2].type, T_ABUSED);
    /* The counted query, reported when its hit expires (two hours on: no query came). */
    assert_string_equal(r.d[3].type, T_BITCOIN);
    assert_string_equal(r.d[3].resource, "i-0web");
    assert_int_equal(r.d[3].count, 1);
    assert_true(r.d[3].time_ms == (T0 + 3 * HOUR + 180) * 1000LL);
    assert_true(info_has(&r, 3, "\"domain\":\"xmr.nanopool.org\""));
    assert_string_equal(r.d[4].type, T_BITCOIN);
    assert_int_equal(r.d[4].count, 1);
    assert_true(r.d[4].time_ms == (T0 + 26 * HOUR) * 1000LL);
    for (size_t i = 0; i < r.n; i++) {
        assert_false(info_has(&r, i, "\"new\""));
        assert_false(info_has(&r, i, "\"rare\""));
        dnsfx_info_json(r.d[i].info);
    }
    /* After it, a site of the history is known: still nothing. */
    history();
    q(25 * HOUR, "i-0web", "known-nas.duckdns.org", a_rec("198.51.100.7"));
    q(25 * HOUR + 60, "i-0web", "other.old-thing.top", a_rec("198.51.100.8"));
    run(&r, NULL);
    assert_int_equal(r.n, 0);
    /* A new host of the same provider is a new site: Abused. */
    history();
    q(25 * HOUR, "i-0web", "evil-c2.duckdns.org", a_rec("198.51.100.11"));
    run(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].type, T_ABUSED);
    assert_string_equal(r.d[0].resource, "i-0web");
    assert_int_equal(r.d[0].count, 1);
    assert_true(info_has(&r, 0, "\"domain\":\"evil-c2.duckdns.org\""));
    assert_true(info_has(&r, 0, "\"registeredDomain\":\"evil-c2.duckdns.org\""));
    assert_true(info_has(&r, 0, "\"dynamic-dns:duckdns.org\""));
    assert_true(info_has(&r, 0, "\"new\""));
    /* The info is a JSON object. */
    dnsfx_info_json(r.d[0].info);
    /* A site stays new for new_ms (a day), then it is history. */
    history();
    q(25 * HOUR, "i-0web", "evil-c2.duckdns.org", a_rec("198.51.100.11"));
    q(50 * HOUR, "i-0app", "evil-c2.duckdns.org", a_rec("198.51.100.11"));
    run(&r, NULL);
    assert_int_equal(r.n, 1);
    /* A quiet account does not learn again: 40 days on (its sites forgotten), a new one fires. */
    history();
    q(40 * DAY, "i-0web", "late-c2.duckdns.org", a_rec("198.51.100.12"));
    q(40 * DAY + 60, "i-0web", "www.example.com", a_rec("93.184.216.34"));
    run(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_true(info_has(&r, 0, "late-c2.duckdns.org"));
    /* An underscore label that names no kind of record is judged like any other. */
    history();
    q(25 * HOUR, "i-0web", "_a.evil-c2.duckdns.org", a_rec("198.51.100.11"));
    run(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].type, T_ABUSED);
}

static void test_near_misses(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* New after learning, but nothing bad about them. */
    q(26 * HOUR, "i-0web", "www.wikipedia.org", a_rec("208.80.154.224"));
    q(26 * HOUR + 1, "i-0web", "backups-2026.s3.amazonaws.com", a_rec("52.216.1.2"));
    q(26 * HOUR + 2, "i-0web", "d1x4ae3kq8w6mq.cloudfront.net", a_rec("13.32.1.2"));
    q(26 * HOUR + 3, "i-0web", "acme-widgets.com", a_rec("198.51.100.20"));
    q(26 * HOUR + 4, "i-0web", "2.pool.ntp.org", a_rec("198.51.100.21"));
    q(26 * HOUR + 5, "i-0web", "someone.github.io", a_rec("185.199.108.153"));
    q(26 * HOUR + 6, "i-0web", "www.duckdns.org", a_rec("198.51.100.22"));
    q(26 * HOUR + 7, "i-0web", "shop.example.xyz", a_rec("198.51.100.23"));
    /* Reverse and EC2 names, an abused name from an on-premises client. */
    q(26 * HOUR + 8, "i-0web", "9.1.0.10.in-addr.arpa", NULL);
    q(26 * HOUR + 9, "i-0web", "evil.duckdns.org.ec2.internal", NULL);
    q(26 * HOUR + 10, NULL, "onprem-evil.duckdns.org", a_rec("198.51.100.24"));
    /* Look-ups of a domain's records, not of a host (a mail server checking senders). */
    q(26 * HOUR + 11, "i-0web", "_dmarc.secure-login.tk", NULL);
    q(26 * HOUR + 12, "i-0web", "s1._domainkey.spam-4410.duckdns.org", NULL);
    q(26 * HOUR + 13, "i-0web", "_acme-challenge.shop.example.top", NULL);
    q(26 * HOUR + 14, "i-0web", "s1._DomainKey.other-spam.tk", NULL);
    run(&r, NULL);
    if (r.n != 0) {
        fail_msg("unexpected %s: %s", r.d[0].type, r.d[0].info);
    }
}

static void test_types(void **state)
{
    struct dnsfx_run r;
    size_t k;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    q(25 * HOUR, "i-0a", "eu1.nanopool.org", a_rec("198.51.100.30"));
    q(25 * HOUR + 10, "i-0b", "xmr-pool.miner-stats.com", a_rec("198.51.100.31"));
    q(25 * HOUR + 20, "i-0c", "drop.ngrok-free.app", a_rec("198.51.100.32"));
    q(25 * HOUR + 30, "i-0d", "secure-login.tk", a_rec("198.51.100.33"));
    q(25 * HOUR + 40, "i-0e", "cheap-stuff.top", a_rec("198.51.100.34"));
    q(25 * HOUR + 50, "i-0f", "a.b.jumpingcrab.com", a_rec("198.51.100.35"));
    run(&r, NULL);
    k = only(&r, T_BITCOIN, "i-0a");
    assert_true(info_has(&r, k, "\"crypto:nanopool\""));
    k = only(&r, T_BITCOIN, "i-0b");
    assert_true(info_has(&r, k, "\"crypto:xmr\""));
    k = only(&r, T_ABUSED, "i-0c");
    assert_true(info_has(&r, k, "\"tunnel:ngrok-free.app\""));
    k = only(&r, T_ABUSED, "i-0d");
    assert_true(info_has(&r, k, "\"abused-tld:tk\""));
    k = only(&r, T_SUSPICIOUS, "i-0e");
    assert_true(info_has(&r, k, "\"rare\""));
    assert_true(info_has(&r, k, "\"abused-tld:top\""));
    k = only(&r, T_ABUSED, "i-0f");
    assert_true(info_has(&r, k, "\"registeredDomain\":\"b.jumpingcrab.com\""));
    assert_int_equal(r.n, 6);
}

static void test_dga_malicious(void **state)
{
    const char *name = "xkqzjvbwpftrmnhd.com";
    struct dnsfx_run r;

    (void)state;
    /* A new site whose label scores at least dga_high (0.95), the query failing: Malicious. */
    memset(&tuning, 0, sizeof(tuning));
    history();
    q(25 * HOUR, "i-0a", name, NULL);
    run_model(&r, NULL, model_high);
    (void)only(&r, T_MALICIOUS, "i-0a");
    assert_true(info_has(&r, 0, "\"dga\""));
    /* ... resolving: Suspicious (a generated-looking name that resolves is often a brand). */
    history();
    q(25 * HOUR, "i-0a", name, a_rec("198.51.100.99"));
    run_model(&r, NULL, model_high);
    (void)only(&r, T_SUSPICIOUS, "i-0a");
    /* ... resolving, under an abused TLD: Malicious again. */
    history();
    q(25 * HOUR, "i-0a", "xkqzjvbwpftrmnhd.top", a_rec("198.51.100.99"));
    run_model(&r, NULL, model_high);
    (void)only(&r, T_MALICIOUS, "i-0a");
    /* ... under dga_high: Suspicious (a high score, no other reason), or Abused with the TLD. */
    tuning.dga_high = 0.98;
    history();
    q(25 * HOUR, "i-0a", name, NULL);
    run_model(&r, NULL, model_high);
    (void)only(&r, T_SUSPICIOUS, "i-0a");
    history();
    q(25 * HOUR, "i-0a", "xkqzjvbwpftrmnhd.top", NULL);
    run_model(&r, NULL, model_high);
    (void)only(&r, T_ABUSED, "i-0a");
    /* ... under dga_high and resolving, with no other reason: nothing (a developer's CDN
     * scores as high: unpkg.com 0.95, yarnpkg.com 0.82). */
    history();
    q(25 * HOUR, "i-0a", name, a_rec("198.51.100.99"));
    run_model(&r, NULL, model_high);
    assert_int_equal(r.n, 0);
    /* A platform's random host name stays quiet whatever the model says. */
    memset(&tuning, 0, sizeof(tuning));
    history();
    q(25 * HOUR, "i-0a", "d1x4ae3kq8w6mq.cloudfront.net", NULL);
    q(25 * HOUR, "i-0a", "xkqzjvbwpftrmnhd.s3.amazonaws.com", NULL);
    run_model(&r, NULL, model_high);
    assert_int_equal(r.n, 0);
}

/* Appends a query of qtype at T0 + at from instance, answers as q()'s. */
static void qt(long at, const char *instance, const char *name, const char *qtype,
               const char *answers)
{
    dnsfx_add(&(struct dnsfx_query){.t = T0 + at,
                                    .instance = instance,
                                    .name = name,
                                    .qtype = qtype,
                                    .rcode = answers ? NULL : "NXDOMAIN",
                                    .answers = answers});
}

/*
 * A mail server asks the records of every sender's domain, spammers' new
 * cheap ones among them: SPF (TXT of the domain itself, with a policy or
 * none), MX. That says nothing of the server. Before 2026-12-05 each of four
 * mail relays of a two-day enterprise log had an Abused, a Malicious and a
 * Suspicious finding from these look-ups alone; and a relay whose senders
 * publish `v=spf1 a mx` resolves the site and its MX host right after its
 * policy (SPF's mechanisms): the check's too. A TXT answer that is no
 * policy (a backdoor's orders), a strong name and the site's later address
 * look-up by another instance are still judged.
 */
static void test_record_queries(void **state)
{
    struct dnsfx_run r;
    size_t k;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    qt(25 * HOUR, "i-0mail", "cheap-stuff.top", "TXT",
       dnsfx_answer("TXT", "\"v=spf1 include:_spf.google.com ~all\""));
    qt(25 * HOUR + 1, "i-0mail", "cheap-stuff.top", "MX",
       dnsfx_answer("MX", "10 mx.cheap-stuff.top."));
    qt(25 * HOUR + 2, "i-0mail", "secure-login.tk", "TXT", NULL);
    qt(25 * HOUR + 3, "i-0mail", "secure-login.tk", "MX", NULL);
    qt(25 * HOUR + 4, "i-0mail", "spam-4410.duckdns.org", "TXT",
       dnsfx_answer("TXT", "v=spf1 -all"));
    qt(25 * HOUR + 5, "i-0mail", "bulk-mailer.top", "txt",
       dnsfx_answer("TXT", "\"v=DMARC1; p=none\""));
    qt(25 * HOUR + 6, "i-0mail", "bulk-mailer.top", "SRV", NULL);
    qt(25 * HOUR + 7, "i-0mail", "bulk-mailer.top", "CAA", NULL);
    /* SPF's `a` and `mx` mechanisms after the policy: the site's and its MX host's addresses. */
    qt(25 * HOUR + 8, "i-0mail", "spf-a.top", "TXT", dnsfx_answer("TXT", "v=spf1 a mx -all"));
    q(25 * HOUR + 9, "i-0mail", "spf-a.top", a_rec("198.51.100.40"));
    qt(25 * HOUR + 9, "i-0mail", "mx.spf-a.top", "AAAA", NULL);
    q(25 * HOUR + 9, "i-0mail", "mx.spf-a.top", NULL);
    run(&r, NULL);
    if (r.n != 0) {
        fail_msg("unexpected %s on %s: %s", r.d[0].type, r.d[0].resource, r.d[0].info);
    }
    /* A TXT answer that is data, a tunnel provider's host, an address look-up. */
    qt(25 * HOUR + 10, "i-0bd", "orders-c2.top", "TXT", dnsfx_answer("TXT", "\"cmd=sleep 300\""));
    qt(25 * HOUR + 20, "i-0c", "drop.ngrok-free.app", "TXT", NULL);
    q(25 * HOUR + 30, "i-0web", "cheap-stuff.top", a_rec("198.51.100.34"));
    run(&r, NULL);
    k = only(&r, T_SUSPICIOUS, "i-0bd");
    assert_true(info_has(&r, k, "\"abused-tld:top\""));
    k = only(&r, T_ABUSED, "i-0c");
    assert_true(info_has(&r, k, "\"tunnel:ngrok-free.app\""));
    /* The relay's look-ups made the site part of the history: the web server is its second. */
    k = only(&r, T_SUSPICIOUS, "i-0web");
    assert_int_equal(dnsfx_info_num(r.d[k].info, "instancesAsking"), 2);
    assert_int_equal(r.n, 3);
}

static void test_type_api(void **state)
{
    static const struct cm_dns_rep_context alone = {false, false, false, 1};
    static const struct cm_dns_rep_context listed = {true, false, false, 1};
    static const struct cm_dns_rep_context mining = {false, true, false, 5};
    static const struct cm_dns_rep_context popular = {false, false, false, 3};
    struct cm_domain d;
    struct cm_dns_rep rep;
    double sc;

    (void)state;
    score("quiet.top", &d, &rep);
    assert_string_equal(cm_dns_rep_type(&rep, NULL, &alone, &sc), T_SUSPICIOUS);
    assert_true(sc >= 0.3 && sc < 0.45);
    assert_null(cm_dns_rep_type(&rep, NULL, &popular, NULL));
    assert_string_equal(cm_dns_rep_type(&rep, NULL, &listed, &sc), T_MALICIOUS);
    assert_true(sc >= 0.9);
    assert_string_equal(cm_dns_rep_type(&rep, NULL, &mining, NULL), T_BITCOIN);
    score("www.example.com", &d, &rep);
    assert_null(cm_dns_rep_type(&rep, NULL, &alone, &sc));
    assert_true(sc == 0.0);
    assert_string_equal(cm_dns_rep_type(&rep, NULL, &listed, NULL), T_MALICIOUS);
}

static struct cm_intel_snapshot *snapshot(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    struct cm_intel_list c2 = {CM_STR_LIT("c2-feed"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                               CM_STR_LIT("test")};
    struct cm_intel_list pools = {CM_STR_LIT("pools"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                  CM_STR_LIT("test")};
    struct cm_intel_list sink = {CM_STR_LIT("sinkholes"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                 CM_STR_LIT("test")};
    struct cm_intel_list ours = {CM_STR_LIT("ours"), CM_INTEL_KIND_TRUSTED, CM_STR_LIT("TXT"),
                                 CM_STR_LIT("test")};
    uint32_t ic2, ipools, isink, iours;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &c2, &ic2), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &pools, &ipools), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &sink, &isink), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &ours, &iours), 0);
#define ADD(list, cat, txt)                                                                        \
    do {                                                                                           \
        struct cm_indicator ind = {list, cat, CM_STR_LIT(""), CM_STR_LIT("test")};                 \
        assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT(txt), &ind), 0);                  \
    } while (0)
    ADD(ic2, CM_CAT_CNC, "45.137.21.66");
    ADD(ic2, CM_CAT_CNC, "c2.evil.example");
    ADD(ic2, CM_CAT_MALICIOUS_DOMAIN, "listed-directly.example");
    ADD(ipools, CM_CAT_MINING, "146.59.17.77");
    ADD(isink, CM_CAT_SINKHOLE, "154.35.64.88");
    ADD(iours, CM_CAT_UNKNOWN, "trusted-new.tk");
    ADD(iours, CM_CAT_UNKNOWN, "build-agent.ngrok-free.app");
#undef ADD
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

static void test_listed(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct dnsfx_run r;
    size_t k;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* An ordinary new name that resolves to a C&C address, or through a listed CNAME. */
    q(25 * HOUR, "i-0a", "cdn-assets-update.com", a_rec("45.137.21.66"));
    q(25 * HOUR + 10, "i-0b", "static-files-cache.net",
      "[{\"Rdata\":\"c2.evil.example.\",\"Type\":\"CNAME\",\"Class\":\"IN\"},"
      "{\"Rdata\":\"198.51.100.50\",\"Type\":\"A\",\"Class\":\"IN\"}]");
    /* ... to a mining pool's address: Bitcoin. */
    q(25 * HOUR + 20, "i-0c", "worker-sync.net", a_rec("146.59.17.77"));
    /* Near misses: a sink-hole answer (intel_dns's), a name listed itself (intel_dns's), a
     * trusted name, an unlisted answer. */
    q(25 * HOUR + 30, "i-0d", "old-botnet-name.com", a_rec("154.35.64.88"));
    q(25 * HOUR + 40, "i-0e", "listed-directly.example", a_rec("198.51.100.51"));
    q(25 * HOUR + 50, "i-0f", "trusted-new.tk", a_rec("198.51.100.52"));
    q(25 * HOUR + 60, "i-0g", "unlisted-answer.com", a_rec("45.137.21.67"));
    /* A trusted tunnel host, asked in the learning day and after it: never. */
    q(HOUR, "i-0h", "build-agent.ngrok-free.app", a_rec("198.51.100.53"));
    q(25 * HOUR + 70, "i-0h", "build-agent.ngrok-free.app", a_rec("198.51.100.53"));
    q(27 * HOUR, "i-0h", "build-agent.ngrok-free.app", a_rec("198.51.100.53"));
    run(&r, s);
    k = only(&r, T_MALICIOUS, "i-0a");
    assert_true(info_has(&r, k, "\"listed-answer:45.137.21.66\""));
    k = only(&r, T_MALICIOUS, "i-0b");
    assert_true(info_has(&r, k, "\"listed-cname:c2.evil.example.\""));
    k = only(&r, T_BITCOIN, "i-0c");
    assert_true(info_has(&r, k, "(mining)"));
    assert_int_equal(r.n, 3);
    cm_intel_snapshot_unref(s);
}

static void test_rate_limit(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* Five queries within the hour: one detection; the sixth, an hour later, carries five. */
    q(25 * HOUR, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    /* Another instance has its own window. */
    q(25 * HOUR + 30, "i-0b", "beacon.duckdns.org", a_rec("198.51.100.60"));
    q(25 * HOUR + 60, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    q(25 * HOUR + 120, "i-0a", "www.beacon.duckdns.org", a_rec("198.51.100.60"));
    q(25 * HOUR + 180, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    q(25 * HOUR + 240, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    q(26 * HOUR + 1, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    run(&r, NULL);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_int_equal(r.d[0].count, 1);
    assert_string_equal(r.d[1].resource, "i-0b");
    assert_string_equal(r.d[2].resource, "i-0a");
    assert_int_equal(r.d[2].count, 5);
    assert_true(r.d[2].first_ms == (T0 + 25 * HOUR + 60) * 1000LL);
    assert_true(r.d[2].time_ms == (T0 + 26 * HOUR + 1) * 1000LL);
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].type, T_ABUSED);
    }
}

/*
 * The queries a hit counted after its last report, with no query an hour
 * on to report them with (the instance stopped asking, or the input
 * ended), are reported when the hit expires, built from the last of them
 * with the reasons it was judged with (its listed answer too).
 */
static void test_tail_at_expiry(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* Ten queries of a new dynamic-DNS host in twenty minutes, the name's case varying. */
    for (int i = 0; i < 10; i++) {
        q(25 * HOUR + i * 120, "i-0a", i % 2 ? "Beacon.DuckDNS.org" : "beacon.duckdns.org",
          a_rec("198.51.100.60"));
    }
    /* Six of a new name answering with a C&C address, the last two an hour and a half later. */
    for (int i = 0; i < 6; i++) {
        q(30 * HOUR + i * 60 + (i >= 4 ? 5400 : 0), "i-0b", "cdn-assets-update.com",
          a_rec("45.137.21.66"));
    }
    run(&r, s);
    assert_int_equal(r.n, 5);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_string_equal(r.d[0].type, T_ABUSED);
    assert_int_equal(r.d[0].count, 1);
    /* The nine others, when the hit expires two hours after the last. */
    assert_string_equal(r.d[1].resource, "i-0a");
    assert_string_equal(r.d[1].type, T_ABUSED);
    assert_int_equal(r.d[1].count, 9);
    assert_true(r.d[1].first_ms == (T0 + 25 * HOUR + 120) * 1000LL);
    assert_true(r.d[1].time_ms == (T0 + 25 * HOUR + 1080) * 1000LL);
    assert_string_equal(r.d[1].name, "Beacon.DuckDNS.org.");
    assert_true(info_has(&r, 1, "\"domain\":\"beacon.duckdns.org\""));
    assert_true(info_has(&r, 1, "\"registeredDomain\":\"beacon.duckdns.org\""));
    assert_true(info_has(&r, 1, "\"new\",\"rare\",\"dynamic-dns:duckdns.org\""));
    assert_true(info_has(&r, 1, "\"instancesAsking\":1"));
    assert_true(strstr(r.d[0].info, "\"reputationScore\"") != NULL);
    /* Same score as the first report: the same name judged the same. */
    assert_true(strncmp(strstr(r.d[0].info, "\"reputationScore\""),
                        strstr(r.d[1].info, "\"reputationScore\""), 40) == 0);
    dnsfx_info_json(r.d[1].info);
    /* The C&C name: at once; three counted; the fifth past the hour carries them; the sixth
     * at expiry, with its listed answer. */
    assert_string_equal(r.d[2].type, T_MALICIOUS);
    assert_int_equal(r.d[2].count, 1);
    assert_string_equal(r.d[3].type, T_MALICIOUS);
    assert_int_equal(r.d[3].count, 4);
    assert_true(r.d[3].time_ms == (T0 + 30 * HOUR + 240 + 5400) * 1000LL);
    assert_string_equal(r.d[4].resource, "i-0b");
    assert_string_equal(r.d[4].type, T_MALICIOUS);
    assert_int_equal(r.d[4].count, 1);
    assert_true(r.d[4].time_ms == (T0 + 30 * HOUR + 300 + 5400) * 1000LL);
    assert_true(info_has(&r, 4, "\"listed-answer:45.137.21.66\""));
    assert_true(info_has(&r, 4, "\"domain\":\"cdn-assets-update.com\""));
    dnsfx_info_json(r.d[4].info);
    cm_intel_snapshot_unref(s);
}

/* The text from key on in the info of detection i, up to the next comma. */
static void info_field(const struct dnsfx_run *r, size_t i, const char *key, char *out, size_t n)
{
    const char *p = strstr(r->d[i].info, key);
    size_t k = 0;

    assert_non_null(p);
    while (p[k] != '\0' && p[k] != ',' && k + 1 < n) {
        out[k] = p[k];
        k++;
    }
    out[k] = '\0';
}

/*
 * Once an (instance, site) was seen answering with listed infrastructure,
 * every later query of it by that instance is the same activity: counted,
 * and reported with that evidence, whatever its own answers (an AAAA query
 * with none, a rotated address, a cached CNAME).
 */
static void test_evidence_kept(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct dnsfx_run r;
    char sc0[64], sc1[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /*
     * i-0a: an ordinary .com whose A answer is a C&C address, each query with its AAAA (no
     * answer). i-0b: a .top site answering a C&C address, then another address an hour on.
     */
    q(25 * HOUR, "i-0a", "cdn-assets-update.com", a_rec("45.137.21.66"));
    q(25 * HOUR + 1, "i-0a", "cdn-assets-update.com", "[]");
    q(25 * HOUR + 5, "i-0b", "relay-cdn.top", a_rec("45.137.21.66"));
    q(25 * HOUR + 60, "i-0a", "cdn-assets-update.com", a_rec("45.137.21.66"));
    q(25 * HOUR + 61, "i-0a", "cdn-assets-update.com", "[]");
    q(26 * HOUR + 10, "i-0a", "cdn-assets-update.com", "[]");
    q(26 * HOUR + 30, "i-0b", "relay-cdn.top", a_rec("198.51.100.80"));
    run(&r, s);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_string_equal(r.d[0].type, T_MALICIOUS);
    assert_int_equal(r.d[0].count, 1);
    assert_string_equal(r.d[1].resource, "i-0b");
    assert_string_equal(r.d[1].type, T_MALICIOUS);
    /* The four queries after the first, reported with the query an hour on. */
    assert_string_equal(r.d[2].resource, "i-0a");
    assert_string_equal(r.d[2].type, T_MALICIOUS);
    assert_int_equal(r.d[2].count, 4);
    assert_true(r.d[2].first_ms == (T0 + 25 * HOUR + 1) * 1000LL);
    assert_true(r.d[2].time_ms == (T0 + 26 * HOUR + 10) * 1000LL);
    assert_true(info_has(&r, 2, "\"listed-answer:45.137.21.66\""));
    info_field(&r, 0, "\"reputationScore\"", sc0, sizeof(sc0));
    info_field(&r, 2, "\"reputationScore\"", sc1, sizeof(sc1));
    assert_string_equal(sc0, sc1);
    /* The .top site's next report says why it is Malicious, with the score it had. */
    assert_string_equal(r.d[3].resource, "i-0b");
    assert_string_equal(r.d[3].type, T_MALICIOUS);
    assert_int_equal(r.d[3].count, 1);
    assert_true(info_has(&r, 3, "\"listed-answer:45.137.21.66\""));
    info_field(&r, 1, "\"reputationScore\"", sc0, sizeof(sc0));
    info_field(&r, 3, "\"reputationScore\"", sc1, sizeof(sc1));
    assert_string_equal(sc0, sc1);
    cm_intel_snapshot_unref(s);
}

static void test_rising_type(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* Suspicious first; then the same site answers with a C&C address: Malicious at once. */
    q(25 * HOUR, "i-0a", "quiet.top", a_rec("198.51.100.70"));
    q(25 * HOUR + 60, "i-0a", "quiet.top", a_rec("198.51.100.70"));
    q(25 * HOUR + 120, "i-0a", "quiet.top", a_rec("45.137.21.66"));
    run(&r, s);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.d[0].type, T_SUSPICIOUS);
    assert_string_equal(r.d[1].type, T_MALICIOUS);
    assert_int_equal(r.d[1].count, 2);
    cm_intel_snapshot_unref(s);
}

static void test_popularity(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* Suspicious needs a rare site: the third instance to ask gets nothing. */
    q(25 * HOUR, "i-0a", "new-vendor.top", a_rec("198.51.100.80"));
    q(25 * HOUR + 10, "i-0b", "new-vendor.top", a_rec("198.51.100.80"));
    q(25 * HOUR + 20, "i-0c", "new-vendor.top", a_rec("198.51.100.80"));
    q(25 * HOUR + 30, "i-0d", "new-vendor.top", a_rec("198.51.100.80"));
    /* Abused does not: a fleet on an abused provider is still abuse. */
    q(25 * HOUR + 40, "i-0a", "fleet.ddns.net", a_rec("198.51.100.81"));
    q(25 * HOUR + 50, "i-0b", "fleet.ddns.net", a_rec("198.51.100.81"));
    q(25 * HOUR + 60, "i-0c", "fleet.ddns.net", a_rec("198.51.100.81"));
    q(25 * HOUR + 70, "i-0d", "fleet.ddns.net", a_rec("198.51.100.81"));
    run(&r, NULL);
    assert_int_equal(r.n, 6);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(r.d[i].type, T_SUSPICIOUS);
    }
    for (size_t i = 2; i < 6; i++) {
        assert_string_equal(r.d[i].type, T_ABUSED);
    }
}

static void test_out_of_order(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    /* Late records within the window: one detection, then a later report counts them. */
    q(25 * HOUR + 300, "i-0a", "late.duckdns.org", a_rec("198.51.100.90"));
    q(25 * HOUR + 100, "i-0a", "late.duckdns.org", a_rec("198.51.100.90"));
    q(25 * HOUR + 200, "i-0a", "late.duckdns.org", a_rec("198.51.100.90"));
    q(26 * HOUR + 400, "i-0a", "late.duckdns.org", a_rec("198.51.100.90"));
    run(&r, NULL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[0].count, 1);
    assert_int_equal(r.d[1].count, 3);
    assert_true(r.d[1].first_ms == (T0 + 25 * HOUR + 100) * 1000LL);
}

static void test_eviction(void **state)
{
    struct dnsfx_run r;
    char name[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.domain_max_entries = 8;
    tuning.name_max_entries = 8;
    history();
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof(name), "site-%d-example.com", i);
        q(HOUR + i, "i-0a", name, a_rec("198.51.100.1"));
    }
    run(&r, NULL);
    assert_int_equal(r.n, 0);
    /* 44 names and sites through tables of 8: at least 36 of each evicted, and counted. */
    assert_true(r.stats.evicted >= 72);
    assert_true(r.stats.inserts >= 88);
    assert_true(r.stats.peak_entries > 0);
}

/*
 * A flood of new sites (one instance can ask for any number of names nothing
 * scores) does not make the environment forget a site it learned. Before,
 * learned and new sites shared one table: with 16 new sites through a table
 * of 8, old-thing.top (asked while learning) was evicted, and asked again it
 * was a new site: a false SuspiciousDomainRequest.Reputation.
 */
static void test_learned_site_flood(void **state)
{
    struct dnsfx_run r;
    char name[64];

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    tuning.domain_max_entries = 8;
    history();
    for (int i = 0; i < 16; i++) {
        snprintf(name, sizeof(name), "site-%d-example.com", i);
        q(26 * HOUR + i, "i-0bad", name, a_rec("198.51.100.1"));
    }
    q(27 * HOUR, "i-0app", "old-thing.top", a_rec("198.51.100.8"));
    run(&r, NULL);
    assert_int_equal(r.n, 0);
    assert_true(r.stats.evicted >= 8);
    /* Without the flood the same site is quiet too, and a new .top site is not. */
    history();
    q(27 * HOUR, "i-0app", "old-thing.top", a_rec("198.51.100.8"));
    q(27 * HOUR + 1, "i-0app", "new-thing.top", a_rec("198.51.100.9"));
    run(&r, NULL);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].type, T_SUSPICIOUS);
}

static void test_bad_input(void **state)
{
    struct dnsfx_run r;
    static const char *const names[] = {
        "a..b.duckdns.org", "-", "x.duckdns.org\\\"", "\\u0001.duckdns.org", "", ".",
    };

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        q(25 * HOUR + (long)i, "i-0a", names[i], NULL);
    }
    q(25 * HOUR + 100, "i-0a", "ok-after-bad.duckdns.org", NULL);
    run(&r, NULL);
    /* No crash; the bad names are skipped and the good one after them still fires. */
    for (size_t i = 0; i < r.n; i++) {
        dnsfx_info_json(r.d[i].info);
    }
    assert_true(r.n >= 1);
    assert_true(info_has(&r, r.n - 1, "ok-after-bad.duckdns.org"));
}

static void test_init(void **state)
{
    struct cm_dns_rep_tuning t;
    struct cm_detect_opts o;
    void *st = NULL;

    (void)state;
    memset(&o, 0, sizeof(o));
    memset(&t, 0, sizeof(t));
    t.min_score = 1.5;
    assert_int_equal(cm_dns_reputation_init(&st, &o, &t), CM_EINVAL);
    assert_int_equal(cm_dns_reputation_init(&st, &o, NULL), 0);
    cm_detector_dns_reputation.finish(st);
    cm_detector_dns_reputation.finish(NULL);
}

/* ---- regressions: each reproduces a bug the review found, now fixed ---- */

/*
 * Bug: a late record showing that a site was asked during the account's
 * learning day moved the site's first sighting back (site_touch()) but left
 * it new, so the late query, made while learning, was reported.
 */
static void test_late_learning_record(void **state)
{
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history(); /* the account's first query at 0: learning until DAY */
    /* Delivered out of order: asked at DAY - 300 and DAY + 300, the later record first. */
    q(DAY + 300, "i-0a", "nas-box.duckdns.org", a_rec("198.51.100.7"));
    q(DAY - 300, "i-0b", "nas-box.duckdns.org", a_rec("198.51.100.7")); /* late, while learning */
    q(DAY + 6 * HOUR, "i-0c", "nas-box.duckdns.org", a_rec("198.51.100.7")); /* history now */
    /* A near miss: a late record after the learning day leaves its site new. */
    q(DAY + 900, "i-0d", "other-box.duckdns.org", a_rec("198.51.100.8"));
    q(DAY + 600, "i-0e", "other-box.duckdns.org", a_rec("198.51.100.8"));
    dnsfx_run(&r, &cm_detector_dns_reputation,
              &(struct dnsfx_opts){.seed = 7, .lateness_ms = 15 * 60 * 1000, .dga = model_low});
    /* The first query could not know yet; the learning-day one and the later one are history. */
    assert_int_equal(r.n, 3);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_true(info_has(&r, 0, "\"domain\":\"nas-box.duckdns.org\""));
    assert_string_equal(r.d[1].resource, "i-0d");
    assert_string_equal(r.d[2].resource, "i-0e");
    for (size_t i = 0; i < r.n; i++) {
        assert_string_equal(r.d[i].type, T_ABUSED);
    }
}

/*
 * Bug: asker() remembers a site's first four instances (INST_SLOTS); past
 * them every query of any other instance counted one more, so
 * "instancesAsking" (and the rare test) counted queries, not instances. It
 * is now exact up to four and 5 for "five or more".
 */
static void test_instances_asking_saturates(void **state)
{
    static const char *const inst[] = {"i-01", "i-02", "i-03", "i-04"};
    struct dnsfx_run r;

    (void)state;
    memset(&tuning, 0, sizeof(tuning));
    history();
    for (long i = 0; i < 4; i++) {
        q(25 * HOUR + i, inst[i], "beacon.duckdns.org", a_rec("198.51.100.60"));
    }
    /* The fifth instance asks 20 times within the hour, then once more an hour later. */
    for (long i = 0; i < 20; i++) {
        q(25 * HOUR + 10 + i, "i-05", "beacon.duckdns.org", a_rec("198.51.100.60"));
    }
    q(26 * HOUR + 100, "i-05", "beacon.duckdns.org", a_rec("198.51.100.60"));
    /* A sixth instance is "five or more" too. */
    q(26 * HOUR + 200, "i-06", "beacon.duckdns.org", a_rec("198.51.100.60"));
    run(&r, NULL);
    assert_int_equal(r.n, 7);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r.d[i].resource, inst[i]);
        assert_int_equal(dnsfx_info_num(r.d[i].info, "instancesAsking"), (long)i + 1);
    }
    assert_string_equal(r.d[4].resource, "i-05");
    assert_int_equal(r.d[4].count, 1);
    assert_int_equal(dnsfx_info_num(r.d[4].info, "instancesAsking"), 5);
    assert_string_equal(r.d[5].resource, "i-05");
    assert_int_equal(r.d[5].count, 20);
    assert_int_equal(dnsfx_info_num(r.d[5].info, "instancesAsking"), 5);
    assert_string_equal(r.d[6].resource, "i-06");
    assert_int_equal(dnsfx_info_num(r.d[6].info, "instancesAsking"), 5);
}

/*
 * Bug (the same): with rare_instances above 5 a site asked by more instances
 * than the four it remembers could not be told from one asked often; such
 * a setting is now refused, and 5 works exactly.
 */
static void test_rare_instances_limit(void **state)
{
    static const char *const inst[] = {"i-01", "i-02", "i-03", "i-04"};
    struct cm_dns_rep_tuning t;
    struct dnsfx_run r;
    void *st = NULL;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.rare_instances = 7;
    assert_int_equal(cm_dns_reputation_init(&st, NULL, &t), CM_EINVAL);
    t.rare_instances = 6;
    assert_int_equal(cm_dns_reputation_init(&st, NULL, &t), CM_EINVAL);
    t.rare_instances = 5;
    st = NULL;
    assert_int_equal(cm_dns_reputation_init(&st, NULL, &t), 0);
    assert_non_null(st);
    cm_detector_dns_reputation.finish(st);
    /* Suspicious needs a rare site: four instances are, the fifth is not, however often it asks. */
    memset(&tuning, 0, sizeof(tuning));
    tuning.rare_instances = 5;
    history();
    for (long i = 0; i < 4; i++) {
        q(25 * HOUR + i, inst[i], "new-vendor.top", a_rec("198.51.100.80"));
    }
    for (long i = 0; i < 6; i++) {
        q(25 * HOUR + 10 + i, "i-05", "new-vendor.top", a_rec("198.51.100.80"));
    }
    run(&r, NULL);
    assert_int_equal(r.n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(r.d[i].type, T_SUSPICIOUS);
        assert_string_equal(r.d[i].resource, inst[i]);
        assert_true(info_has(&r, i, "\"rare\""));
        assert_int_equal(dnsfx_info_num(r.d[i].info, "instancesAsking"), (long)i + 1);
    }
    /* Abused needs no rarity: the fifth instance's reports say 5, never more. */
    history();
    for (long i = 0; i < 4; i++) {
        q(25 * HOUR + i, inst[i], "fleet.ddns.net", a_rec("198.51.100.81"));
    }
    for (long i = 0; i < 6; i++) {
        q(25 * HOUR + 10 + i, "i-05", "fleet.ddns.net", a_rec("198.51.100.81"));
    }
    q(26 * HOUR + 100, "i-05", "fleet.ddns.net", a_rec("198.51.100.81"));
    run(&r, NULL);
    assert_int_equal(r.n, 6);
    for (size_t i = 0; i < r.n; i++) {
        long n = dnsfx_info_num(r.d[i].info, "instancesAsking");

        assert_string_equal(r.d[i].type, T_ABUSED);
        assert_true(n >= 1 && n <= 5);
        assert_true(info_has(&r, i, "\"rare\"") == (n < 5));
    }
    assert_string_equal(r.d[4].resource, "i-05");
    assert_int_equal(dnsfx_info_num(r.d[4].info, "instancesAsking"), 5);
    assert_string_equal(r.d[5].resource, "i-05");
    assert_int_equal(r.d[5].count, 6);
    assert_int_equal(dnsfx_info_num(r.d[5].info, "instancesAsking"), 5);
}

/*
 * Bug: the additionalInfo buffer (768 bytes) cut the text of a long name
 * whose backslashes are escaped twice over (domain and registeredDomain),
 * so the info was no JSON and the finding lost all of it. A 252-character
 * name under duckdns.org (a 60-byte binary label the log writes as \ddd)
 * now gives the whole object.
 */
static void test_long_name_info(void **state)
{
    struct dnsfx_run r;
    char name[300], rec[600], got[1024];
    size_t k = 0, j = 0;

    (void)state;
    for (int i = 0; i < 60; i++) {
        k += (size_t)snprintf(name + k, sizeof(name) - k, "\\%03o", 1 + i % 30);
    }
    snprintf(name + k, sizeof(name) - k, ".duckdns.org");
    assert_int_equal(strlen(name), 252);
    /* The record's JSON text and the info's: each backslash escaped. */
    for (const char *p = name; *p; p++) {
        if (*p == '\\') {
            rec[j++] = '\\';
        }
        rec[j++] = *p;
    }
    rec[j] = '\0';
    dnsfx_reset();
    q(0, "i-0web", "www.example.com", a_rec("93.184.216.34"));
    q(25 * HOUR, "i-0a", rec, a_rec("198.51.100.7"));
    dnsfx_run(&r, &cm_detector_dns_reputation,
              &(struct dnsfx_opts){.seed = 7, .dga = model_low, .decode = true});
    assert_int_equal(r.n, 1);
    assert_string_equal(r.d[0].type, T_ABUSED);
    dnsfx_info_json(r.d[0].info);
    assert_true(strlen(r.d[0].info) > 768); /* more than the old buffer held */
    /* Both names whole (as written, escaped as the record's text is; the site is the name). */
    assert_string_equal(dnsfx_info_str(r.d[0].info, "domain", got, sizeof(got)), rec);
    assert_string_equal(dnsfx_info_str(r.d[0].info, "registeredDomain", got, sizeof(got)), rec);
    assert_true(dnsfx_info_f64(r.d[0].info, "reputationScore") >= 0.45);
    assert_true(dnsfx_info_f64(r.d[0].info, "dgaScore") >= 0.0);
    assert_true(info_has(&r, 0, "\"reasons\":[\"new\",\"rare\",\"dynamic-dns:duckdns.org\"]"));
    assert_int_equal(dnsfx_info_num(r.d[0].info, "instancesAsking"), 1);
}

/*
 * Bug: init computed the hit table's TTL as 2 * report_ms, a signed
 * overflow (undefined; UBSan traps it under make SANITIZE=1) for a report
 * window over INT64_MAX / 2. It saturates now, and the detector runs.
 */
static void test_large_report_ms(void **state)
{
    struct cm_dns_rep_tuning t;
    struct dnsfx_run r;
    void *st = NULL;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.report_ms = INT64_MAX / 2 + 1;
    assert_int_equal(cm_dns_reputation_init(&st, NULL, &t), 0);
    assert_non_null(st);
    cm_detector_dns_reputation.finish(st);
    memset(&tuning, 0, sizeof(tuning));
    tuning.report_ms = INT64_MAX / 2 + 1;
    history();
    q(25 * HOUR, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60"));
    q(27 * HOUR, "i-0a", "beacon.duckdns.org", a_rec("198.51.100.60")); /* within the window */
    q(27 * HOUR + 1, "i-0b", "beacon.duckdns.org", a_rec("198.51.100.60"));
    run(&r, NULL);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.d[0].resource, "i-0a");
    assert_int_equal(r.d[0].count, 1);
    assert_string_equal(r.d[1].resource, "i-0b");
    /* The query within the window, reported at the end of the input. */
    assert_string_equal(r.d[2].resource, "i-0a");
    assert_int_equal(r.d[2].count, 1);
    assert_true(r.d[2].time_ms == (T0 + 27 * HOUR) * 1000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_providers),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_tlds_and_ignored),
        cmocka_unit_test(test_crypto),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_tables_index),
        cmocka_unit_test(test_dga_component),
        cmocka_unit_test(test_learning),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_record_queries),
        cmocka_unit_test(test_dga_malicious),
        cmocka_unit_test(test_type_api),
        cmocka_unit_test(test_listed),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_tail_at_expiry),
        cmocka_unit_test(test_evidence_kept),
        cmocka_unit_test(test_rising_type),
        cmocka_unit_test(test_popularity),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_learned_site_flood),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_late_learning_record),
        cmocka_unit_test(test_instances_asking_saturates),
        cmocka_unit_test(test_rare_instances_limit),
        cmocka_unit_test(test_long_name_info),
        cmocka_unit_test(test_large_report_ms),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
