/*
 * The DGA model (lib/detect/dga.c, dga_weights.c): the built-in model is
 * the shipped data/dga/model.txt parsed (the test runs from the repository
 * root, as scripts/run-tests does); names made by a small generator of this
 * test score high and well-known brands low; cloud and CDN hosts and names
 * without a registered domain score 0 while dynamic-DNS ones are scored;
 * every score is in [0, 1], also for hostile labels; the parser takes a
 * minimal model and rejects malformed files with the line and reason; the
 * scorer's fast sums agree with the feature list; and the time of one
 * score (printed, not asserted).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <time.h>

#include "base/err.h"
#include "detect/dga.h"
#include "detect/dns.h"
#include "detect/dns_dga.h"

#define MODEL_PATH "data/dga/model.txt"

static double score_of(const struct cm_dga_model *m, const char *name)
{
    struct cm_domain d;
    double s;

    assert_int_equal(cm_domain_parse(cm_str_cstr(name), &d), 0);
    s = cm_dga_score(m, &d);
    assert_true(s >= 0.0 && s <= 1.0);
    return s;
}

/* A tiny DGA of this test (an LCG over letters and digits), not any family's. */
static void dga_name(uint64_t *state, char *out, size_t cap)
{
    static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    static const char *const tld[] = {"com", "net", "org", "info", "biz"};
    size_t len, n = 0;

    *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
    len = 12 + (size_t)((*state >> 33) % 9);
    for (size_t i = 0; i < len && n + 1 < cap; i++) {
        *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
        /* letters mostly, a digit now and then */
        out[n++] = set[(*state >> 33) % ((*state >> 60) < 13 ? 26 : 36)];
    }
    snprintf(out + n, cap - n, ".%s", tld[(*state >> 40) % 5]);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
    }
    fclose(f);
    return buf;
}

static void test_builtin_is_the_file(void **state)
{
    const struct cm_dga_model *b = cm_dga_model_builtin();
    struct cm_dga_model *m = NULL;
    struct cm_diag diag;
    size_t len = 0, size;
    char *text = read_file(MODEL_PATH, &len);

    (void)state;
    if (text == NULL) {
        fail_msg("%s not found: run the tests from the repository root", MODEL_PATH);
    }
    assert_int_equal(cm_dga_model_parse(text, len, &m, &diag), 0);
    assert_int_equal(m->version, b->version);
    assert_int_equal(m->hash_bits, b->hash_bits);
    assert_int_equal(m->ngram_min, b->ngram_min);
    assert_int_equal(m->ngram_max, b->ngram_max);
    assert_int_equal(m->norm, b->norm);
    assert_int_equal(m->tokens, b->tokens);
    assert_int_equal(m->quant, b->quant);
    assert_int_equal(m->bias, b->bias);
    assert_true(m->seed == b->seed);
    size = (size_t)1 << b->hash_bits;
    assert_memory_equal(m->w, b->w, size * sizeof(*b->w));
    assert_true((m->lm == NULL) == (b->lm == NULL));
    if (b->lm != NULL) {
        assert_memory_equal(m->lm, b->lm, CM_DGA_LM_SIZE * sizeof(*b->lm));
    }
    /* Both token tables hold w's token weights (test_score_is_the_features checks the slots). */
    {
        int16_t want[CM_DGA_TOKW];

        cm_dga_token_table(b, want);
        assert_non_null(b->tokw);
        assert_non_null(m->tokw);
        assert_memory_equal(b->tokw, want, sizeof(want));
        assert_memory_equal(m->tokw, want, sizeof(want));
    }
    /* ... and scores alike. */
    assert_true(score_of(m, "xkqzjvbwpftrmnhd.com") == score_of(b, "xkqzjvbwpftrmnhd.com"));
    assert_ptr_equal(cm_dns_model(NULL), b);
    cm_dga_model_free(m);
    cm_dga_model_free(NULL);
    free(text);
}

static void test_generated_high_brands_low(void **state)
{
    const struct cm_dga_model *m = cm_dga_model_builtin();
    static const char *const brands[] = {
        "google.com",       "www.facebook.com", "amazon.com", "wikipedia.org",     "microsoft.com",
        "apple.com",        "netflix.com",      "github.com", "stackoverflow.com", "cloudflare.com",
        "ubuntu.com",       "debian.org",       "python.org", "mozilla.org",       "bbc.co.uk",
        "news.yahoo.co.jp", "ebay.de",          "paypal.com", "linkedin.com",      "twitter.com",
        "dropbox.com",      "salesforce.com",   "slack.com",  "zoom.us",           "docker.com",
        "npmjs.org",        "pypi.org",         "office.com", "adobe.com",         "instagram.com",
    };
    uint64_t st = 0x5eed;
    size_t high = 0, n = 200, low = 0;
    double sum = 0.0;

    (void)state;
    for (size_t i = 0; i < n; i++) {
        char name[64];
        double s;

        dga_name(&st, name, sizeof(name));
        s = score_of(m, name);
        sum += s;
        high += s >= 0.9;
    }
    print_message("# generated: mean score %.3f, %zu of %zu at 0.9 or more\n", sum / n, high, n);
    assert_true(high * 100 >= n * 85);
    assert_true(score_of(m, "xkqzjvbwpftrmnhd.com") >= 0.95);
    assert_true(score_of(m, "qvzkxjwpmbrtlnfhgd.net") >= 0.95);
    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
        double s = score_of(m, brands[i]);

        if (s >= 0.5) {
            fail_msg("%s scores %.3f", brands[i], s);
        }
        low += s < 0.1;
    }
    assert_true(low * 10 >= sizeof(brands) / sizeof(brands[0]) * 9);
}

static void test_cloud_and_unregistered(void **state)
{
    const struct cm_dga_model *m = cm_dga_model_builtin();
    static const char *const cloud[] = {
        "d1x4ae3kq8w6mq.cloudfront.net",
        "xkqzjvbwpftrmnhd.s3.amazonaws.com",
        "a3f9c2e1b7d04e5f8a6b9c0d1e2f3a4b-1234567890.us-east-1.elb.amazonaws.com",
        "qzx7kw2p.execute-api.us-east-1.amazonaws.com",
        "e1234.a.akamaiedge.net",
        "xkqzjvbwpftrmnhd.azurewebsites.net",
        "xkqzjvbwpftrmnhd.herokuapp.com",
        "ec2-54-1-2-3.compute-1.amazonaws.com",
        "ec2-54-1-2-3.us-west-2.compute.amazonaws.com",
        /* an IPFS content id on the subdomain gateway (*.dweb.link) */
        "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi.ipfs.dweb.link",
        "k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8.ipns.dweb.link",
    };
    struct cm_domain d;

    (void)state;
    for (size_t i = 0; i < sizeof(cloud) / sizeof(cloud[0]); i++) {
        if (score_of(m, cloud[i]) != 0.0) {
            fail_msg("%s scores %.3f", cloud[i], score_of(m, cloud[i]));
        }
    }
    assert_int_equal(cm_domain_parse(CM_STR_LIT("d1x4ae3kq8w6mq.cloudfront.net"), &d), 0);
    assert_true(cm_dga_cloud_suffix(&d));
    /* Dynamic DNS is scored: DGAs use it. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.duckdns.org"), &d), 0);
    assert_false(cm_dga_cloud_suffix(&d));
    assert_true(cm_dga_score(m, &d) >= 0.9);
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.ddns.net"), &d), 0);
    assert_false(cm_dga_cloud_suffix(&d));
    /* A look-alike of a cloud suffix is not one. */
    assert_int_equal(cm_domain_parse(CM_STR_LIT("xkqzjvbwpftrmnhd.notcloudfront.net"), &d), 0);
    assert_false(cm_dga_cloud_suffix(&d));
    /* Where the PSL has no private entry, the provider's own label is scored: low. */
    assert_true(score_of(m, "qzx7kw2p.execute-api.eu-west-1.amazonaws.com") < 0.1);
    assert_true(score_of(m, "xkqzjvbwpftrmnhd.blob.core.windows.net") < 0.1);
    assert_true(score_of(m, "xkqzjvbwpftrmnhd.lambda-url.us-east-1.on.aws") < 0.1);
    /* An ACM validation record is scored on the customer's own domain. */
    assert_true(score_of(m, "_3f2a9b8c7d6e5f4a3b2c1d0e9f8a7b6c.www.example.com") < 0.5);
    /* No registered domain: 0. */
    assert_true(score_of(m, "com") == 0.0);
    assert_true(score_of(m, "co.uk.") == 0.0);
    assert_true(cm_dga_score(NULL, &d) == 0.0);
}

static void test_range_hostile(void **state)
{
    const struct cm_dga_model *m = cm_dga_model_builtin();
    char label[200];
    uint64_t st = 42;

    (void)state;
    for (int k = 0; k < 2000; k++) {
        size_t len = 1 + (size_t)(k % 150);
        double s;

        for (size_t i = 0; i < len; i++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            label[i] = (char)(1 + (st >> 56) % 255); /* any byte but NUL */
        }
        s = cm_dga_score_label(m, label, len);
        assert_true(s >= 0.0 && s <= 1.0);
    }
    /* The longest labels are scored on their first CM_DGA_MAX_LABEL bytes. */
    memset(label, 'q', sizeof(label));
    assert_true(cm_dga_score_label(m, label, 63) == cm_dga_score_label(m, label, 190));
    assert_true(cm_dga_score_label(m, "", 0) >= 0.0);
}

/* ---- parsing ---- */

#define HEAD "coalmine-dga 1\nhash_bits 8\nngram 1 3\nseed 9\nnorm none\ntokens 1\nquant 1000\n"

static int parse(const char *text, struct cm_dga_model **m, struct cm_diag *diag)
{
    return cm_dga_model_parse(text, strlen(text), m, diag);
}

static void test_parse_minimal(void **state)
{
    struct cm_dga_model *m = NULL;
    uint32_t idx[CM_DGA_MAX_FEATS];
    size_t nng, n;
    char text[512];

    (void)state;
    /* Bias 0 and no weights: every label scores one half. */
    assert_int_equal(parse("# a comment\n\n" HEAD "bias 0\nlm none\nend\n# after\n", &m, NULL), 0);
    assert_true(cm_dga_score_label(m, "anything", 8) == 0.5);
    assert_int_equal(m->hash_bits, 8);
    /* The features: n-grams of '^' "abc" '$' for n = 1..3 (5 + 4 + 3), then the length token. */
    n = cm_dga_features(m, "abc", 3, idx, &nng);
    assert_int_equal(nng, 12);
    assert_int_equal(n, 13);
    for (size_t i = 0; i < n; i++) {
        assert_true(idx[i] < 256);
    }
    /* A weight on the length-3 token only: 3-letter labels score high, others one half. */
    snprintf(text, sizeof(text), HEAD "bias 0\nlm none\nw %u 5000\nend\n", (unsigned)idx[12]);
    cm_dga_model_free(m);
    m = NULL;
    assert_int_equal(parse(text, &m, NULL), 0);
    assert_true(cm_dga_score_label(m, "xyz", 3) > 0.99);
    assert_true(cm_dga_score_label(m, "wxyz", 4) == 0.5 ||
                cm_dga_score_label(m, "wxyz", 4) > 0.99); /* unless the slots collide */
    cm_dga_model_free(m);
    m = NULL;
    /* CRLF line ends and tabs are fine. */
    assert_int_equal(parse("coalmine-dga 1\r\nhash_bits\t8\r\nngram 1 3\r\nseed 9\r\nnorm sqrt\r\n"
                           "tokens 0\r\nquant 1\r\nbias -2\r\nlm none\r\nw 0 1 2 3\r\nend\r\n",
                           &m, NULL),
                     0);
    assert_int_equal(m->w[2], 3);
    cm_dga_model_free(m);
}

struct bad {
    const char *text;
    int rc;
    size_t line;
    const char *why;
};

static void test_parse_rejects(void **state)
{
    static const struct bad bad[] = {
        {"", CM_ESYNTAX, 0, "no end line"},
        {"hash_bits 8\n", CM_ESYNTAX, 1, "not a coalmine-dga model"},
        {"coalmine-dga 2\n", CM_ERANGE, 1, "bad value"},
        {"coalmine-dga 1\ncoalmine-dga 1\n", CM_ESYNTAX, 2, "repeated"},
        {"coalmine-dga 1\nhash_bits 30\n", CM_ERANGE, 2, "bad value"},
        {"coalmine-dga 1\nhash_bits eight\n", CM_ESYNTAX, 2, "bad value"},
        {"coalmine-dga 1\nngram 3 1\n", CM_ERANGE, 2, "bad value"},
        {"coalmine-dga 1\nngram 1 6\n", CM_ERANGE, 2, "bad value"},
        {"coalmine-dga 1\nnorm cube\n", CM_ESYNTAX, 2, "bad value"},
        {"coalmine-dga 1\ntokens 4096\n", CM_ERANGE, 2, "bad value"},
        {"coalmine-dga 1\nquant 0\n", CM_ERANGE, 2, "bad value"},
        {"coalmine-dga 1\nseed -1\n", CM_ESYNTAX, 2, "bad value"},
        {"coalmine-dga 1\nlm trigram\n", CM_ESYNTAX, 2, "bad value"},
        {"coalmine-dga 1\nbias\n", CM_ESYNTAX, 2, "bad value"},
        {"coalmine-dga 1\nhash_bits 8\nw 0 1\n", CM_ESYNTAX, 3, "header incomplete"},
        {"coalmine-dga 1\nhash_bits 8\nend\n", CM_ESYNTAX, 3, "header incomplete"},
        {HEAD "bias 0\nlm none\nfoo 1\nend\n", CM_ESYNTAX, 10, "unknown item"},
        {HEAD "bias 0\nlm none\nw 0 40000\nend\n", CM_ERANGE, 10, "bad value"},
        {HEAD "bias 0\nlm none\nw 0 1x\nend\n", CM_ESYNTAX, 10, "bad value"},
        {HEAD "bias 0\nlm none\nw 250 1 2 3 4 5 6 7\nend\n", CM_ERANGE, 10, "past the table"},
        {HEAD "bias 0\nlm none\nw 4 1 2\nw 5 1\nend\n", CM_ERANGE, 11, "out of order"},
        {HEAD "bias 0\nlm none\nw 4\nend\n", CM_ESYNTAX, 10, "needs a start"},
        {HEAD "bias 0\nlm none\nl 0 1\nend\n", CM_ESYNTAX, 10, "l line without lm"},
        {HEAD "bias 0\nlm none\nw 0 1\nbias 1\nend\n", CM_ESYNTAX, 11, "repeated"},
        {HEAD "bias 0\nw 0 1\nlm none\nend\n", CM_ESYNTAX, 9, "header incomplete"},
        {HEAD "bias 0\nlm none\nend\nw 0 1\n", CM_ESYNTAX, 11, "text after end"},
        {HEAD "bias 0\nlm none\nw 0 1\n", CM_ESYNTAX, 10, "no end line"},
        {HEAD "bias 0\nlm markov2\nl 63999 1 2\nend\n", CM_ERANGE, 10, "past the table"},
        {HEAD "bias 0\nlm markov2\nl 0 -5 3\nend\n", CM_ERANGE, 10, "log-probability, 0 or below"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct cm_dga_model *m = (struct cm_dga_model *)&m; /* must be reset to NULL */
        struct cm_diag diag;
        int rc = parse(bad[i].text, &m, &diag);

        if (rc != bad[i].rc || m != NULL || strstr(diag.msg, bad[i].why) == NULL ||
            (bad[i].line != 0 && diag.line != bad[i].line)) {
            fail_msg("case %zu: rc %d (want %d), line %zu (want %zu): %s", i, rc, bad[i].rc,
                     diag.line, bad[i].line, diag.msg);
        }
    }
}

static void test_parse_many_fields(void **state)
{
    char text[1024];
    struct cm_dga_model *m = NULL;
    struct cm_diag diag;
    int n = snprintf(text, sizeof(text), HEAD "bias 0\nlm none\nw 0");

    (void)state;
    for (int i = 0; i < 60; i++) {
        n += snprintf(text + n, sizeof(text) - (size_t)n, " 1");
    }
    snprintf(text + n, sizeof(text) - (size_t)n, "\nend\n");
    assert_int_equal(parse(text, &m, &diag), CM_ESYNTAX);
    assert_int_equal(diag.line, 10);
    assert_non_null(strstr(diag.msg, "too many fields"));
    /* A NULL text with a length is refused; an empty one is a syntax error. */
    assert_int_equal(cm_dga_model_parse(NULL, 5, &m, NULL), CM_EINVAL);
    assert_int_equal(cm_dga_model_parse(NULL, 0, &m, &diag), CM_ESYNTAX);
}

/* The definition of the score, from cm_dga_features' list. */
static double score_from_features(const struct cm_dga_model *m, const char *label, size_t len)
{
    uint32_t idx[CM_DGA_MAX_FEATS];
    size_t nng, n = cm_dga_features(m, label, len, idx, &nng);

    return cm_dga_score_features(m, idx, n, nng);
}

/*
 * The hand-feature tokens as data/dga/README.md defines them, computed the
 * plain way, one question a character: the reference for dga.c's one-pass
 * version. The token hash is the model format's (changing it would
 * invalidate every model file), so it is spelled out here too.
 */
static uint32_t ref_token(const struct cm_dga_model *m, unsigned kind, unsigned value)
{
    return (uint32_t)(((m->seed ^ ((uint64_t)kind << 32 | value)) * 0x9e3779b97f4a7c15ULL +
                       0x632be59bd9b4e019ULL) >>
                      (64 - m->hash_bits));
}

static unsigned ref_cap(unsigned v, unsigned max)
{
    return v > max ? max : v;
}

/* 0-25 letters (either case), 26-35 digits, 36 '-', 37 anything else. */
static unsigned ref_sym(unsigned char c)
{
    if (c >= 'a' && c <= 'z') {
        return c - 'a';
    }
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= '0' && c <= '9') {
        return 26u + (c - '0');
    }
    return c == '-' ? 36u : 37u;
}

static size_t ref_tokens(const struct cm_dga_model *m, const char *label, size_t len, uint32_t *out)
{
    unsigned counts[38] = {0}, letters = 0, vowels = 0, digits = 0, hyphens = 0;
    unsigned run = 0, maxrun = 0, sw = 0, vow10;
    int prev = 0;            /* the last letter (1) or digit (2) seen */
    unsigned a = 38, b = 38; /* the character model's context: begin, begin */
    double ent = 0.0, ll = 0.0, low = 0.0, v;
    size_t n = 0;

    len = len > CM_DGA_MAX_LABEL ? CM_DGA_MAX_LABEL : len;
    for (size_t i = 0; i < len; i++) {
        unsigned k = ref_sym((unsigned char)label[i]);
        bool letter = k < 26, digit = k >= 26 && k < 36;
        bool vowel = k == 0 || k == 4 || k == 8 || k == 14 || k == 20 || k == 24;
        int cur = letter ? 1 : digit ? 2 : 0;

        counts[k]++;
        letters += letter;
        digits += digit;
        vowels += vowel;
        hyphens += k == 36;
        run = letter && !vowel ? run + 1 : 0;
        maxrun = run > maxrun ? run : maxrun;
        if (cur != 0 && prev != 0 && cur != prev) {
            sw++;
        }
        if (cur != 0) {
            prev = cur;
        }
        if (m->lm != NULL) {
            v = m->lm[(a * CM_DGA_LM_SYMS + b) * CM_DGA_LM_SYMS + k];
            ll += v;
            low = v < low ? v : low;
            a = b;
            b = k;
        }
    }
    for (unsigned k = 0; k < 38; k++) { /* the same sum dga.c keeps, in 1/1024 bits */
        ent -= (double)counts[k] * log2(counts[k] > 0 ? (double)counts[k] : 1.0);
    }
    ent = len > 0 ? (ent + (double)len * log2((double)len)) / (double)len : 0.0;
    vow10 = letters ? (vowels * 10 + letters / 2) / letters : 11;
    if (m->tokens & CM_DGA_TOK_LEN) {
        out[n++] = ref_token(m, 1, (unsigned)len);
    }
    if (m->tokens & CM_DGA_TOK_DIGITS) {
        out[n++] = ref_token(m, 2, ref_cap(digits, 12));
    }
    if (m->tokens & CM_DGA_TOK_CONS) {
        out[n++] = ref_token(m, 3, ref_cap(maxrun, 10));
    }
    if (m->tokens & CM_DGA_TOK_VOWELS) {
        out[n++] = ref_token(m, 4, vow10);
    }
    if (m->tokens & CM_DGA_TOK_ENTROPY) {
        out[n++] = ref_token(m, 5, ref_cap((unsigned)(ent * 4.0 + 1e-9), 24));
    }
    if (m->tokens & CM_DGA_TOK_HYPHENS) {
        out[n++] = ref_token(m, 6, ref_cap(hyphens, 4));
    }
    if (m->tokens & CM_DGA_TOK_SWITCH) {
        out[n++] = ref_token(m, 7, ref_cap(sw, 12));
    }
    if (m->tokens & CM_DGA_TOK_LENVOW) {
        out[n++] = ref_token(m, 8, ref_cap((unsigned)len / 4, 15) << 4 | vow10);
    }
    if (m->lm != NULL) {
        double avg;

        v = m->lm[(a * CM_DGA_LM_SYMS + b) * CM_DGA_LM_SYMS + 39];
        ll += v;
        low = v < low ? v : low;
        avg = -ll / (double)(len + 1) / CM_DGA_LM_UNIT;
        if (m->tokens & CM_DGA_TOK_LM) {
            out[n++] = ref_token(m, 9, ref_cap((unsigned)(avg * 4.0), 64));
        }
        if (m->tokens & CM_DGA_TOK_LMLEN) {
            out[n++] = ref_token(
                m, 10, ref_cap((unsigned)len / 4, 15) << 8 | ref_cap((unsigned)(avg * 2.0), 32));
        }
        if (m->tokens & CM_DGA_TOK_LMMIN) {
            out[n++] = ref_token(m, 11, ref_cap((unsigned)(-low / CM_DGA_LM_UNIT), 24));
        }
    }
    return n;
}

/*
 * The scorer's unrolled 1- to 5-gram sums and its hand features agree with
 * the feature list to the bit, and the list's hand features with the plain
 * reference above, for the built-in model and for a variant on
 * the general path (2- to 4-grams, no character model, some tokens, no
 * norm), on random labels of every length up to past the 63 scored: letters
 * only, digits and hyphens, and any byte.
 */
static void test_score_is_the_features(void **state)
{
    static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789-_";
    struct cm_dga_model variant = *cm_dga_model_builtin(), hashed = *cm_dga_model_builtin();
    /* The built-in model and a variant read token weights from the token table; hashed, without
     * one, hashes them as the feature list does. */
    const struct cm_dga_model *models[3] = {cm_dga_model_builtin(), &variant, &hashed};
    uint64_t st = 11;

    (void)state;
    variant.lm = NULL;
    variant.ngram_min = 2;
    variant.ngram_max = 4;
    variant.norm = CM_DGA_NORM_NONE;
    variant.tokens = CM_DGA_TOK_LEN | CM_DGA_TOK_DIGITS | CM_DGA_TOK_VOWELS | CM_DGA_TOK_SWITCH;
    hashed.tokw = NULL;
    for (int i = 0; i < 300000; i++) {
        const struct cm_dga_model *m = models[i % 3];
        char label[80];
        uint32_t idx[CM_DGA_MAX_FEATS], ref[16];
        size_t len, nf, nng, nt;
        int kind;

        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        len = (size_t)(st >> 33) % 70;
        kind = (int)(st >> 60) % 3;
        for (size_t k = 0; k < len; k++) {
            st = st * 6364136223846793005ULL + 1442695040888963407ULL;
            label[k] = kind == 0   ? alpha[(st >> 33) % 26]
                       : kind == 1 ? alpha[(st >> 33) % (sizeof(alpha) - 1)]
                                   : (char)(st >> 40);
        }
        if (score_from_features(m, label, len) != cm_dga_score_label(m, label, len)) {
            fail_msg("label %d (%zu bytes, model %d) scores apart", i, len, i % 3);
        }
        nf = cm_dga_features(m, label, len, idx, &nng);
        nt = ref_tokens(m, label, len, ref);
        if (nf - nng != nt || memcmp(idx + nng, ref, nt * sizeof(*ref)) != 0) {
            fail_msg("label %d (%zu bytes, model %d): hand features differ", i, len, i % 3);
        }
    }
}

static void test_speed(void **state)
{
    const struct cm_dga_model *m = cm_dga_model_builtin();
    enum { N = 512, ROUNDS = 200 };
    static struct cm_domain d[N];
    struct timespec a, b;
    uint64_t st = 7;
    double sink = 0.0, ns;

    (void)state;
    for (int i = 0; i < N; i++) {
        char name[64];

        if (i % 2 == 0) {
            dga_name(&st, name, sizeof(name));
        } else {
            snprintf(name, sizeof(name), "shop%dexample.com", i);
        }
        assert_int_equal(cm_domain_parse(cm_str_cstr(name), &d[i]), 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N; i++) {
            sink += cm_dga_score(m, &d[i]);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    ns = ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (N * ROUNDS);
    print_message("# cm_dga_score: %.0f ns per name (%g)\n", ns, sink);
    assert_true(sink > 0.0 && sink < (double)N * ROUNDS); /* printed, not bounded: no timing */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_is_the_file),
        cmocka_unit_test(test_generated_high_brands_low),
        cmocka_unit_test(test_cloud_and_unregistered),
        cmocka_unit_test(test_range_hostile),
        cmocka_unit_test(test_parse_minimal),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_many_fields),
        cmocka_unit_test(test_score_is_the_features),
        cmocka_unit_test(test_speed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
