/*
 * Unit tests for lib/base/psl.h: the list's matching rules on a list of our
 * own (plain, wildcard, exception, private, Unicode rules in punycode, the
 * implicit "*"), bad lines skipped and counted, and, with the system's copy
 * of the Public Suffix List (package publicsuffix; skipped when absent),
 * agreement with libpsl (cm_domain_parse) on a few thousand names: handmade
 * ones and, when ../shared/data is there, the top-domains list with
 * sub-domains added.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/domain.h"
#include "base/err.h"
#include "base/psl.h"

#define SYSTEM_LIST "/usr/share/publicsuffix/public_suffix_list.dat"
#define TOP_LIST    "../shared/data/top-domains/top-10000-domains"

static const char mini[] = "// a list of our own\n"
                           "com\n"
                           "uk\n"
                           "co.uk\n"
                           "*.ck\n"
                           "!www.ck\n"
                           "\xd1\x80\xd1\x84\n" /* рф: xn--p1ai */
                           "  bad..rule  \n"
                           "// ===BEGIN PRIVATE DOMAINS===\n"
                           "duckdns.org\n"
                           "*.compute.example.com\n"
                           "// ===END PRIVATE DOMAINS===\n";

/* The registered domain and suffix of name under set p, as "reg|suffix|priv". */
static void split(const struct cm_psl *p, const char *name, char *out, size_t n)
{
    struct cm_domain d;

    if (cm_domain_parse_psl(p, cm_str_cstr(name), &d) != 0) {
        snprintf(out, n, "invalid");
        return;
    }
    snprintf(out, n, "%s|%s|%d", d.name + d.reg, d.name + d.sfx, d.private_suffix);
}

static void expect_split(const struct cm_psl *p, const char *name, const char *want)
{
    char got[600];

    split(p, name, got, sizeof(got));
    if (strcmp(got, want) != 0) {
        fail_msg("%s: got %s, want %s", name, got, want);
    }
}

static void test_rules(void **state)
{
    struct cm_psl *p = NULL;
    size_t skipped = 99;

    (void)state;
    assert_int_equal(cm_psl_parse(mini, sizeof(mini) - 1, 7, &p, &skipped, NULL), 0);
    assert_int_equal(skipped, 1);
    assert_int_equal(cm_psl_rules(p), 8);
    expect_split(p, "www.example.com", "example.com|com|0");
    expect_split(p, "a.b.bbc.co.uk", "bbc.co.uk|co.uk|0");
    expect_split(p, "bbc.uk", "bbc.uk|uk|0");
    expect_split(p, "co.uk", "|co.uk|0"); /* a suffix itself: no registered domain */
    expect_split(p, "a.b.foo.ck", "b.foo.ck|foo.ck|0");
    expect_split(p, "a.www.ck", "www.ck|ck|0"); /* the exception */
    expect_split(p, "www.ck", "www.ck|ck|0");
    expect_split(p, "x.xn--p1ai", "x.xn--p1ai|xn--p1ai|0");
    expect_split(p, "abc.duckdns.org", "abc.duckdns.org|duckdns.org|1");
    expect_split(p, "duckdns.org", "|duckdns.org|1");
    expect_split(p, "i.ip-1.compute.example.com",
                 "i.ip-1.compute.example.com|ip-1.compute.example.com|1");
    expect_split(p, "host.ec2.internal", "ec2.internal|internal|0"); /* the implicit "*" */
    expect_split(p, "internal", "|internal|0");
    expect_split(p, "WWW.Example.COM.", "example.com|com|0");
    cm_psl_free(p);
}

/* Whether set p (NULL: libpsl's list) knows no rule for name's TLD. */
static bool unlisted(const struct cm_psl *p, const char *name)
{
    struct cm_domain d;

    assert_int_equal(cm_domain_parse_psl(p, cm_str_cstr(name), &d), 0);
    return d.unlisted_tld;
}

static void test_unlisted_tld(void **state)
{
    struct cm_psl *p = NULL;

    (void)state;
    assert_int_equal(cm_psl_parse(mini, sizeof(mini) - 1, 7, &p, NULL, NULL), 0);
    assert_false(unlisted(p, "www.example.com"));
    assert_false(unlisted(p, "a.b.foo.ck"));      /* a wildcard's base is a TLD the list knows */
    assert_false(unlisted(p, "abc.duckdns.org")); /* org: a rule ends in it */
    assert_false(unlisted(p, "com"));
    assert_true(unlisted(p, "host.ec2.internal")); /* only the implicit "*" */
    assert_true(unlisted(p, "xkqzjvbnpwe.mycompany"));
    assert_true(unlisted(p, "intra"));
    assert_true(unlisted(p, "i.ip-1.compute.example")); /* a rule's label, but not as the TLD */
    cm_psl_free(p);
    /* libpsl's list: new gTLDs it has stay listed; names under TLDs no root zone has are not. */
    assert_false(unlisted(NULL, "www.example.com"));
    assert_false(unlisted(NULL, "a.b.foo.ck"));
    assert_true(unlisted(NULL, "x.intra"));
    assert_true(unlisted(NULL, "printer.lan2"));
    assert_true(unlisted(NULL, "xkqzjvbnpwe.mycompany"));
    assert_true(unlisted(NULL, "ip-10-0-0-1.ec2.internal"));
}

static void test_empty_and_bad(void **state)
{
    struct cm_psl *p = (struct cm_psl *)1;
    struct cm_diag diag;

    (void)state;
    assert_int_equal(cm_psl_parse("// nothing\n\n", 12, 1, &p, NULL, &diag), CM_EINVAL);
    assert_null(p);
    assert_non_null(strstr(diag.msg, "no public suffix rule"));
    assert_int_equal(cm_psl_parse("\xff\xfe\n.a\n", 6, 1, &p, NULL, NULL), CM_EINVAL);
    cm_psl_free(NULL);
}

static char *slurp(const char *path, size_t *len)
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

/* libpsl and the set agree on name (the registered domain and the suffix). */
static void agree(const struct cm_psl *p, const char *name, size_t *checked)
{
    struct cm_domain a, b;
    int ra = cm_domain_parse(cm_str_cstr(name), &a),
        rb = cm_domain_parse_psl(p, cm_str_cstr(name), &b);

    assert_int_equal(ra, rb);
    if (ra != 0) {
        return;
    }
    if (strcmp(a.name + a.reg, b.name + b.reg) != 0 ||
        strcmp(a.name + a.sfx, b.name + b.sfx) != 0) {
        fail_msg("%s: libpsl %s|%s, set %s|%s", name, a.name + a.reg, a.name + a.sfx,
                 b.name + b.reg, b.name + b.sfx);
    }
    if (a.unlisted_tld != b.unlisted_tld) {
        fail_msg("%s: TLD unlisted: libpsl %d, set %d", name, a.unlisted_tld, b.unlisted_tld);
    }
    (*checked)++;
}

static void test_agrees_with_libpsl(void **state)
{
    static const char *const names[] = {
        "www.google.com",
        "news.bbc.co.uk",
        "a.b.c.d.e.f.g.com",
        "dynamodb.eu-west-1.amazonaws.com",
        "bucket.s3.amazonaws.com",
        "bucket.s3.us-west-2.amazonaws.com",
        "d1234.cloudfront.net",
        "x.y.elb.amazonaws.com",
        "ip-10-0-0-1.ec2.internal",
        "ip-10-0-0-1.eu-west-1.compute.internal",
        "user.github.io",
        "a.b.herokuapp.com",
        "x.duckdns.org",
        "x.blogspot.com",
        "foo.kawasaki.jp",
        "city.kawasaki.jp",
        "a.b.c.kawasaki.jp",
        "test.ck",
        "www.ck",
        "a.www.ck",
        "example.xn--p1ai",
        "a.b.xn--80asehdb",
        "com",
        "co.uk",
        "uk",
        "localhost",
        "a.local",
        "_acme-challenge.example.org",
        "x.appspot.com",
        "1.2.3.4.in-addr.arpa",
        "sub.example.gov.uk",
        "x.intra",
        "wpad.office",
        "xkqzjvbnpwe.mycompany",
        "printer.lan2",
        "kq3v9x.xyz",
        "kq3v9x.top",
        "kq3v9x.app",
        "kq3v9x.dev",
        "kq3v9x.cloud",
        "kq3v9x.zip",
        "kq3v9x.mov",
        "a.b.c.bd",
    };
    size_t len = 0, checked = 0, skipped = 0;
    char *text = slurp(SYSTEM_LIST, &len), *top;
    struct cm_psl *p = NULL;

    (void)state;
    if (text == NULL) {
        skip();
    }
    assert_int_equal(cm_psl_parse(text, len, 0x5eed, &p, &skipped, NULL), 0);
    free(text);
    assert_true(cm_psl_rules(p) > 5000);
    assert_int_equal(skipped, 0);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        agree(p, names[i], &checked);
    }
    top = slurp(TOP_LIST, &len);
    for (char *line = top, *nl; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
        char buf[300];

        nl = strchr(line, '\n');
        if (nl != NULL) {
            *nl = '\0';
        }
        if (*line == '\0' || strlen(line) > 200) {
            continue;
        }
        agree(p, line, &checked);
        snprintf(buf, sizeof(buf), "www.%s", line);
        agree(p, buf, &checked);
        snprintf(buf, sizeof(buf), "a.b.%s", line);
        agree(p, buf, &checked);
    }
    free(top);
    assert_true(checked >= sizeof(names) / sizeof(names[0]) - 2);
    /* New gTLDs in the list are TLDs it knows; private namespaces and made-up ones are not. */
    {
        static const char *const listed[] = {"xyz", "top", "app",    "dev", "cloud",
                                             "zip", "mov", "office", "ck",  "bd"},
                                 *const notlisted[] = {"intra", "mycompany", "lan2",
                                                       "corp",  "internal",  "local"};
        char buf[64];

        for (size_t i = 0; i < sizeof(listed) / sizeof(listed[0]); i++) {
            snprintf(buf, sizeof(buf), "kq3v9xzt.%s", listed[i]);
            if (unlisted(p, buf) || unlisted(NULL, buf)) {
                fail_msg("%s: TLD unlisted", buf);
            }
        }
        for (size_t i = 0; i < sizeof(notlisted) / sizeof(notlisted[0]); i++) {
            snprintf(buf, sizeof(buf), "kq3v9xzt.%s", notlisted[i]);
            if (!unlisted(p, buf) || !unlisted(NULL, buf)) {
                fail_msg("%s: TLD listed", buf);
            }
        }
    }
    cm_psl_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_unlisted_tld),
        cmocka_unit_test(test_empty_and_bad),
        cmocka_unit_test(test_agrees_with_libpsl),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
