/*
 * The line-oriented threat-list readers of lib/intel (TXT, OTX_CSV,
 * ALIEN_VAULT, PROOF_POINT, FIRE_EYE, HOSTS, ZEEK) and their helpers in
 * format_util.c: every record shape of spec §4.2 written by hand (with and
 * without spaces after commas, CRLF, a BOM, quotes), bad records with their
 * line and reason, sniffing, callback errors passed on, and, when
 * ../shared/data is there (SHARED overrides ../shared), the GuardDuty sample
 * files and a few public feeds read with no bad record.
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
#include "base/buf.h"
#include "base/err.h"
#include "intel/format.h"
#include "intel/format_util.h"

#define MAX_ITEMS 64
#define MAX_BAD   32

struct got_item {
    enum cm_intel_value kind;
    char value[256];
    char threat[128];
    char category[128];
    uint32_t line;
};

struct got_bad {
    uint32_t line;
    char reason[160];
};

/* What a reader handed out; counts go past the stored arrays. */
struct got {
    struct got_item it[MAX_ITEMS];
    size_t n;
    struct got_bad bad[MAX_BAD];
    size_t nbad;
    int fail_at; /* item number (1-based) whose callback returns CM_ENOMEM; 0 never */
    uint32_t last_line;
};

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    assert_non_null(s.p);
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static int on_item(void *ud, const struct cm_intel_item *it)
{
    struct got *g = ud;

    assert_true(it->line >= g->last_line);
    g->last_line = it->line;
    if (g->n < MAX_ITEMS) {
        struct got_item *d = &g->it[g->n];
        d->kind = it->kind;
        copy(d->value, sizeof(d->value), it->value);
        copy(d->threat, sizeof(d->threat), it->threat);
        copy(d->category, sizeof(d->category), it->category);
        d->line = it->line;
    }
    g->n++;
    return g->fail_at != 0 && (int)g->n == g->fail_at ? CM_ENOMEM : 0;
}

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct got *g = ud;

    assert_non_null(reason);
    if (g->nbad < MAX_BAD) {
        g->bad[g->nbad].line = line;
        snprintf(g->bad[g->nbad].reason, sizeof(g->bad[g->nbad].reason), "%s", reason);
    }
    g->nbad++;
}

/*
 * Reads text (len bytes) with fmt into a fresh *g, the fail_at'th item's
 * callback failing (0: none); returns the reader's result.
 */
static int run_fail(const struct cm_intel_format *fmt, const char *text, size_t len, struct got *g,
                    int fail_at)
{
    struct cm_intel_reader r = {on_item, on_bad, g};

    memset(g, 0, sizeof(*g));
    g->fail_at = fail_at;
    return fmt->read(text, len, &r);
}

static int run_len(const struct cm_intel_format *fmt, const char *text, size_t len, struct got *g)
{
    return run_fail(fmt, text, len, g, 0);
}

static int run(const struct cm_intel_format *fmt, const char *text, struct got *g)
{
    return run_len(fmt, text, strlen(text), g);
}

static void expect_item(const struct got *g, size_t i, enum cm_intel_value kind, const char *value,
                        const char *threat, const char *category, uint32_t line)
{
    assert_true(i < g->n);
    assert_int_equal(g->it[i].kind, kind);
    assert_string_equal(g->it[i].value, value);
    assert_string_equal(g->it[i].threat, threat);
    assert_string_equal(g->it[i].category, category);
    assert_int_equal(g->it[i].line, line);
}

static void expect_bad(const struct got *g, size_t i, uint32_t line, const char *reason_part)
{
    assert_true(i < g->nbad);
    assert_int_equal(g->bad[i].line, line);
    if (strstr(g->bad[i].reason, reason_part) == NULL) {
        fail_msg("bad record %zu: reason \"%s\" lacks \"%s\"", i, g->bad[i].reason, reason_part);
    }
}

/* ---- format_util ---- */

static void test_lines(void **state)
{
    static const char text[] = "\xEF\xBB\xBF"
                               "a\r\n\r\nb\nc\r";
    struct cm_lines it;
    struct cm_str l;
    (void)state;

    cm_lines_init(&it, text, sizeof(text) - 1);
    assert_true(cm_lines_next(&it, &l));
    assert_true(cm_str_eqc(l, "a"));
    assert_int_equal(it.line, 1);
    assert_true(cm_lines_next(&it, &l));
    assert_int_equal(l.len, 0);
    assert_true(cm_lines_next(&it, &l));
    assert_true(cm_str_eqc(l, "b"));
    assert_int_equal(it.line, 3);
    assert_true(cm_lines_next(&it, &l)); /* last line, no LF: its CR still goes */
    assert_true(cm_str_eqc(l, "c"));
    assert_int_equal(it.line, 4);
    assert_false(cm_lines_next(&it, &l));

    cm_lines_init(&it, "x\n", 2); /* no empty line after the final LF */
    assert_true(cm_lines_next(&it, &l));
    assert_false(cm_lines_next(&it, &l));
    cm_lines_init(&it, "", 0);
    assert_false(cm_lines_next(&it, &l));
    cm_lines_init(&it, NULL, 0);
    assert_false(cm_lines_next(&it, &l));
    cm_lines_init(&it, "\xEF\xBB", 2); /* half a BOM is text */
    assert_true(cm_lines_next(&it, &l));
    assert_int_equal(l.len, 2);

    cm_lines_init(&it, "# c\n\n  \t\n  # d\n x \n", strlen("# c\n\n  \t\n  # d\n x \n"));
    assert_true(cm_lines_next_data(&it, &l));
    assert_true(cm_str_eqc(l, " x "));
    assert_int_equal(it.line, 5);
    assert_false(cm_lines_next_data(&it, &l));
}

static void test_trim_token(void **state)
{
    struct cm_str rest;
    char buf[16];
    (void)state;

    assert_true(cm_str_eqc(cm_trim(CM_STR_LIT(" \t a b \r\n")), "a b"));
    assert_int_equal(cm_trim(CM_STR_LIT("   ")).len, 0);
    assert_true(cm_str_eqc(cm_trim_quotes(CM_STR_LIT(" \" x \" ")), "x"));
    assert_true(cm_str_eqc(cm_trim_quotes(CM_STR_LIT("'y'")), "y"));
    assert_true(cm_str_eqc(cm_trim_quotes(CM_STR_LIT("\"z'")), "\"z'"));
    assert_true(cm_str_eqc(cm_trim_quotes(CM_STR_LIT("\"")), "\""));
    assert_int_equal(cm_trim(CM_STR_NULL).len, 0);

    assert_true(cm_str_eqc(cm_token(CM_STR_LIT("  1.2.3.4\t12 x"), &rest), "1.2.3.4"));
    assert_true(cm_str_eqc(rest, "\t12 x"));
    assert_true(cm_str_eqc(cm_token(rest, &rest), "12"));
    assert_true(cm_str_eqc(cm_token(rest, &rest), "x"));
    assert_int_equal(cm_token(rest, &rest).len, 0);
    assert_int_equal(cm_token(CM_STR_NULL, NULL).len, 0);

    assert_false(cm_has_ctl(CM_STR_LIT("a\tb \x80")));
    assert_true(cm_has_ctl(cm_str_make("a\0b", 3)));
    assert_true(cm_has_ctl(CM_STR_LIT("a\x7f")));
    assert_true(cm_has_ctl(CM_STR_LIT("a\rb")));

    assert_string_equal(cm_intel_reason(buf, sizeof(buf), "bad", CM_STR_LIT("x\ty")), "bad: x?y");
    assert_string_equal(cm_intel_reason(buf, sizeof(buf), "bad", CM_STR_LIT("0123456789abc")),
                        "bad: 0123456789");
    assert_string_equal(cm_intel_reason(buf, 1, "bad", CM_STR_LIT("x")), "");
    /* Cut before a UTF-8 sequence that does not fit, keep one that does. */
    assert_string_equal(cm_intel_reason(buf, sizeof(buf), "bad", CM_STR_LIT("012345678\xC3\xA9")),
                        "bad: 012345678");
    assert_string_equal(cm_intel_reason(buf, sizeof(buf), "bad", CM_STR_LIT("01234567\xC3\xA9z")),
                        "bad: 01234567\xC3\xA9");
}

static void test_csv(void **state)
{
    struct cm_str f[4];
    struct cm_buf scratch;
    struct cm_csv_row row = {f, 4, 0, &scratch, NULL};
    (void)state;

    cm_buf_init(&scratch, 0);
    assert_int_equal(cm_csv_split(CM_STR_LIT(" a , b,c "), ',', &row), 0);
    assert_int_equal(row.n, 3);
    assert_true(cm_str_eqc(f[0], "a") && cm_str_eqc(f[1], "b") && cm_str_eqc(f[2], "c"));

    /* Quotes: separators and spaces inside stay, doubled quotes unescape. */
    assert_int_equal(
        cm_csv_split(CM_STR_LIT("\"x, y\" , \" he said \"\"hi\"\" \",,\"\""), ',', &row), 0);
    assert_int_equal(row.n, 4);
    assert_true(cm_str_eqc(f[0], "x, y"));
    assert_true(cm_str_eqc(f[1], " he said \"hi\" "));
    assert_int_equal(f[2].len, 0);
    assert_int_equal(f[3].len, 0);

    /* Without scratch the raw content comes back. */
    row.scratch = NULL;
    assert_int_equal(cm_csv_split(CM_STR_LIT("\"a\"\"b\""), ',', &row), 0);
    assert_true(cm_str_eqc(f[0], "a\"\"b"));
    row.scratch = &scratch;

    /* A quote inside an unquoted field is text. */
    assert_int_equal(cm_csv_split(CM_STR_LIT("a\"b,c"), ',', &row), 0);
    assert_true(cm_str_eqc(f[0], "a\"b"));

    /* Other separators; a tab separator is not trimmed away. */
    assert_int_equal(cm_csv_split(CM_STR_LIT("a;b;\"c;d\""), ';', &row), 0);
    assert_int_equal(row.n, 3);
    assert_true(cm_str_eqc(f[2], "c;d"));
    assert_int_equal(cm_csv_split(CM_STR_LIT("a\t\tb"), '\t', &row), 0);
    assert_int_equal(row.n, 3);
    assert_int_equal(f[1].len, 0);

    /* More fields than room: counted, the first four kept. */
    assert_int_equal(cm_csv_split(CM_STR_LIT("1,2,3,4,5,6"), ',', &row), 0);
    assert_int_equal(row.n, 6);
    assert_true(cm_str_eqc(f[3], "4"));

    /* Empty line: one empty field. */
    assert_int_equal(cm_csv_split(CM_STR_LIT(""), ',', &row), 0);
    assert_int_equal(row.n, 1);
    assert_int_equal(f[0].len, 0);

    /* Bad lines. */
    assert_int_equal(cm_csv_split(CM_STR_LIT("a,\"open"), ',', &row), CM_ESYNTAX);
    assert_non_null(strstr(row.reason, "unterminated"));
    assert_int_equal(cm_csv_split(CM_STR_LIT("\"a\"\"\""
                                             "\""),
                                  ',', &row),
                     CM_ESYNTAX);
    assert_int_equal(cm_csv_split(CM_STR_LIT("\"a\"b,c"), ',', &row), CM_ESYNTAX);
    assert_non_null(strstr(row.reason, "after the closing quote"));
    assert_int_equal(cm_csv_split(CM_STR_LIT("\"a\"  ,c"), ',', &row), 0);

    /* Plain split: quotes are text. */
    cm_split(CM_STR_LIT("1.2.3.4#4#2#C&C \"x#y"), '#', &row);
    assert_int_equal(row.n, 5);
    assert_true(cm_str_eqc(f[3], "C&C \"x"));

    assert_int_equal(cm_csv_col(f, 4, "c&c \"X"), 3);
    assert_int_equal(cm_csv_col(f, 4, "nope"), (size_t)-1);
    cm_buf_finish(&scratch);
}

/* ---- TXT ---- */

static void test_txt_shapes(void **state)
{
    struct got g;
    (void)state;

    /* Spec §4.2, with a BOM and CRLF. */
    assert_int_equal(run(&cm_intel_format_txt,
                         "\xEF\xBB\xBF"
                         "192.0.2.0/24\r\n198.51.100.1\r\nexample.com\r\n*.example.org",
                         &g),
                     0);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.nbad, 0);
    expect_item(&g, 0, CM_IV_AUTO, "192.0.2.0/24", "", "", 1);
    expect_item(&g, 1, CM_IV_AUTO, "198.51.100.1", "", "", 2);
    expect_item(&g, 2, CM_IV_AUTO, "example.com", "", "", 3);
    expect_item(&g, 3, CM_IV_AUTO, "*.example.org", "", "", 4);

    /* Comments, blanks, trailing text, ipsum's IP<TAB>count, quotes, IPv6, URL. */
    assert_int_equal(run(&cm_intel_format_txt,
                         "# header\n; semicolon\n// slashes\n\n   \n"
                         "  1.2.3.4 # scanner\n5.6.7.8\t12\n\"9.9.9.9\"\n2001:db8::/32\n"
                         "http://evil.example/x.exe\nmyèther.example\n  # indented comment\n",
                         &g),
                     0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 6);
    expect_item(&g, 0, CM_IV_AUTO, "1.2.3.4", "", "", 6);
    expect_item(&g, 1, CM_IV_AUTO, "5.6.7.8", "", "", 7);
    expect_item(&g, 2, CM_IV_AUTO, "9.9.9.9", "", "", 8);
    expect_item(&g, 3, CM_IV_AUTO, "2001:db8::/32", "", "", 9);
    expect_item(&g, 4, CM_IV_AUTO, "http://evil.example/x.exe", "", "", 10);
    expect_item(&g, 5, CM_IV_AUTO, "myèther.example", "", "", 11);

    /* "://" alone is no URL: a CSV row (urlhaus) or text around it. */
    assert_int_equal(run(&cm_intel_format_txt,
                         "malware_download,http://x.example/a,2018-05-26\n"
                         "hx_xp://x\n://x.example\nsvn+ssh://h.example/r\n",
                         &g),
                     0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_AUTO, "svn+ssh://h.example/r", "", "", 4);
    assert_int_equal(g.nbad, 3);
    expect_bad(&g, 0, 1, "not an address");
    expect_bad(&g, 1, 2, "scheme://URL");
    expect_bad(&g, 2, 3, "scheme://URL");

    /* Empty and comment-only inputs are empty lists. */
    assert_int_equal(run(&cm_intel_format_txt, "", &g), 0);
    assert_int_equal(g.n + g.nbad, 0);
    assert_int_equal(run(&cm_intel_format_txt, "#only\n\n", &g), 0);
    assert_int_equal(g.n + g.nbad, 0);
}

static void test_txt_bad(void **state)
{
    char text[6000];
    struct got g;
    size_t n;
    (void)state;

    n = (size_t)snprintf(text, sizeof(text),
                         "<html>\n/w00tw00t.at.ISC\nok.example\n"
                         "a\x01"
                         "b\nbyethost[0-9]+\\.com\n---\n");
    memset(text + n, 'a', 5000);
    n += 5000;
    memcpy(text + n, "\n1.2.3.4\n", 9);
    n += 9;
    assert_int_equal(run_len(&cm_intel_format_txt, text, n, &g), 0);
    assert_int_equal(g.n, 2);
    expect_item(&g, 0, CM_IV_AUTO, "ok.example", "", "", 3);
    expect_item(&g, 1, CM_IV_AUTO, "1.2.3.4", "", "", 8);
    assert_int_equal(g.nbad, 6);
    expect_bad(&g, 0, 1, "not an address, CIDR or domain name");
    expect_bad(&g, 1, 2, "path");
    expect_bad(&g, 2, 4, "control character");
    expect_bad(&g, 3, 5, "not an address, CIDR or domain name");
    expect_bad(&g, 4, 6, "not an address, CIDR or domain name");
    expect_bad(&g, 5, 7, "longer than 4096");
}

/* ---- HOSTS ---- */

static void test_hosts(void **state)
{
    struct got g;
    (void)state;

    assert_int_equal(run(&cm_intel_format_hosts,
                         "# hosts\n127.0.0.1 localhost localhost.localdomain\n"
                         "::1 ip6-localhost ip6-loopback\n255.255.255.255 broadcasthost\n"
                         "0.0.0.0 0.0.0.0\n0.0.0.0 bad.example # comment\r\n"
                         "127.0.0.1\ta.example  b.example\tc.example#notacomment\n"
                         "\n:: v6.example\nbad.example\n0.0.0.0\n0.0.0.0 x\x02y.example\n",
                         &g),
                     0);
    assert_int_equal(g.n, 5);
    expect_item(&g, 0, CM_IV_DOMAIN, "bad.example", "", "", 6);
    expect_item(&g, 1, CM_IV_DOMAIN, "a.example", "", "", 7);
    expect_item(&g, 2, CM_IV_DOMAIN, "b.example", "", "", 7);
    expect_item(&g, 3, CM_IV_DOMAIN, "c.example#notacomment", "", "", 7);
    expect_item(&g, 4, CM_IV_DOMAIN, "v6.example", "", "", 9);
    assert_int_equal(g.nbad, 3);
    expect_bad(&g, 0, 10, "does not start with an address");
    expect_bad(&g, 1, 11, "no name");
    expect_bad(&g, 2, 12, "control character");
}

/* ---- OTX_CSV ---- */

static void test_otx(void **state)
{
    struct got g;
    (void)state;

    /* Spec §4.2, spaces after commas. */
    assert_int_equal(run(&cm_intel_format_otx_csv,
                         "Indicator type, Indicator, Description\nCIDR, 192.0.2.0/24, example\n"
                         "IPv4, 198.51.100.1, example\nDomain name, example.net, example\n",
                         &g),
                     0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 3);
    expect_item(&g, 0, CM_IV_IP, "192.0.2.0/24", "example", "", 2);
    expect_item(&g, 1, CM_IV_IP, "198.51.100.1", "example", "", 3);
    expect_item(&g, 2, CM_IV_DOMAIN, "example.net", "example", "", 4);

    /* No spaces, CRLF, BOM, quotes, every type, skipped types, bad rows. */
    assert_int_equal(run(&cm_intel_format_otx_csv,
                         "\xEF\xBB\xBF"
                         "Indicator type,Indicator,Description\r\n"
                         "IPv6,2001:db8::1,\"Emotet, \"\"epoch 4\"\"\"\r\n"
                         "hostname,c2.example,\r\n"
                         "FQDN,\"q.example\",x\r\n"
                         "domain,d.example,\r\n"
                         "URL,http://u.example/a?b=c,phish\r\n"
                         "FileHash-SHA256,abcdef,skipped\r\n"
                         "email,a@b.example,skipped\r\n"
                         "Wibble,w.example,x\r\n"
                         "IPv4,\"1.2.3.4,x\r\n"
                         "IPv4\r\n"
                         "IPv4,,empty\r\n"
                         "\r\n"
                         "ipv4,5.6.7.8\r\n",
                         &g),
                     0);
    assert_int_equal(g.n, 6);
    expect_item(&g, 0, CM_IV_IP, "2001:db8::1", "Emotet, \"epoch 4\"", "", 2);
    expect_item(&g, 1, CM_IV_DOMAIN, "c2.example", "", "", 3);
    expect_item(&g, 2, CM_IV_DOMAIN, "q.example", "x", "", 4);
    expect_item(&g, 3, CM_IV_DOMAIN, "d.example", "", "", 5);
    expect_item(&g, 4, CM_IV_URL, "http://u.example/a?b=c", "phish", "", 6);
    expect_item(&g, 5, CM_IV_IP, "5.6.7.8", "", "", 14);
    assert_int_equal(g.nbad, 4);
    expect_bad(&g, 0, 9, "unknown indicator type: Wibble");
    expect_bad(&g, 1, 10, "unterminated");
    expect_bad(&g, 2, 11, "expected columns");
    expect_bad(&g, 3, 12, "empty indicator");

    /* No header: the fixed order. Columns found by name in any order. */
    assert_int_equal(run(&cm_intel_format_otx_csv, "IPv4, 198.51.100.1, x\n", &g), 0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_IP, "198.51.100.1", "x", "", 1);
    assert_int_equal(run(&cm_intel_format_otx_csv,
                         "Description,Indicator,Indicator type,Title\nd,e.example,domain,t\n", &g),
                     0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_DOMAIN, "e.example", "d", "", 2);
}

/* ---- ALIEN_VAULT ---- */

static void test_alien_vault(void **state)
{
    char text[5000];
    struct got g;
    (void)state;

    assert_int_equal(run(&cm_intel_format_alien_vault,
                         "198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3\n"
                         "www.example.com#4#2#Malicious Host#PL##52.2393989563,21.0361995697#3\r\n"
                         "192.0.2.3#4#2##CN#Guangzhou#23.1166992188,113.25#3\n"
                         "\n# a comment\n"
                         "203.0.113.9#5#3#C&C;Scanning Host#DE#Berlin#1,2#11\n"
                         "1.2.3.4#1#2#3#4#5#6#7#8\n"
                         "5.6.7.8\n"
                         "9.9.9.9#1#2#x\x01y#4#5#6#7\n",
                         &g),
                     0);
    assert_int_equal(g.n, 5);
    expect_item(&g, 0, CM_IV_AUTO, "198.51.100.1", "", "Malicious Host", 1);
    expect_item(&g, 1, CM_IV_AUTO, "www.example.com", "", "Malicious Host", 2);
    expect_item(&g, 2, CM_IV_AUTO, "192.0.2.3", "", "", 3);
    expect_item(&g, 3, CM_IV_AUTO, "203.0.113.9", "", "C&C;Scanning Host", 6);
    expect_item(&g, 4, CM_IV_AUTO, "5.6.7.8", "", "", 8);
    assert_int_equal(g.nbad, 2);
    expect_bad(&g, 0, 7, "more than 8");
    expect_bad(&g, 1, 9, "control character");

    memset(text, 'a', sizeof(text) - 1);
    text[sizeof(text) - 1] = '\0';
    assert_int_equal(run(&cm_intel_format_alien_vault, text, &g), 0);
    assert_int_equal(g.n, 0);
    expect_bad(&g, 0, 1, "longer than 4096");
}

/* ---- PROOF_POINT ---- */

static void test_proof_point(void **state)
{
    struct got g;
    (void)state;

    /* Spec §4.2: an IP list, the trailing comma kept, ports with '|'. */
    assert_int_equal(run(&cm_intel_format_proof_point,
                         "ip, category, score, first_seen, last_seen, ports (|)\n"
                         "198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,\n"
                         "203.0.113.1, 1, 100, 2000-01-01, 2000-01-01, 80|443\n",
                         &g),
                     0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 2);
    expect_item(&g, 0, CM_IV_IP, "198.51.100.1", "", "1", 2);
    expect_item(&g, 1, CM_IV_IP, "203.0.113.1", "", "1", 3);

    /* An entity list without spaces, CRLF, quotes, short and bad rows. */
    assert_int_equal(run(&cm_intel_format_proof_point,
                         "domain,category,score,first_seen,last_seen,ports (|)\r\n"
                         "evil.example,4,80,2000-01-01,2000-01-01,\r\n"
                         "\"198.51.100.2\",\"29\",\"100\",\"2000-01-01\",\"2000-01-01\",\"53\"\r\n"
                         "x.example,2,10\r\n"
                         "y.example,2,10,a,b,c,d\r\n"
                         "y.example,2\r\n"
                         ",2,10,a,b,\r\n",
                         &g),
                     0);
    assert_int_equal(g.n, 3);
    expect_item(&g, 0, CM_IV_AUTO, "evil.example", "", "4", 2);
    expect_item(&g, 1, CM_IV_AUTO, "198.51.100.2", "", "29", 3);
    expect_item(&g, 2, CM_IV_AUTO, "x.example", "", "2", 4);
    assert_int_equal(g.nbad, 3);
    expect_bad(&g, 0, 5, "expected 6 columns");
    expect_bad(&g, 1, 6, "expected 6 columns");
    expect_bad(&g, 2, 7, "empty indicator");

    /* No header: read as an entity list. */
    assert_int_equal(run(&cm_intel_format_proof_point, "z.example,1,100,a,b,\n", &g), 0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_AUTO, "z.example", "", "1", 1);
}

/* ---- FIRE_EYE ---- */

static const char fe_header[] =
    "reportId, title, threatScape, audience, intelligenceType, publishDate, reportLink, webLink, "
    "emailIdentifier, senderAddress, senderName, sourceDomain, sourceIp, subject, recipient, "
    "emailLanguage, fileName, fileSize, fuzzyHash, fileIdentifier, md5, sha1, sha256, "
    "description, fileType, packer, userAgent, registry, fileCompilationDateTime, filePath, asn, "
    "cidr, domain, domainTimeOfLookup, networkIdentifier, ip, port, protocol, registrantEmail, "
    "registrantName, networkType, url, malwareFamily, malwareFamilyId, actor, actorId, "
    "observationTime";

/*
 * Appends a 47-column row to out: column i is vals[i] for the pairs given
 * (index, value, ..., -1), empty otherwise; sep is ", " or ",".
 */
static void fe_row(char *out, size_t cap, const char *sep, ...)
{
    const char *col[47] = {0};
    va_list ap;
    int i;

    va_start(ap, sep);
    while ((i = va_arg(ap, int)) >= 0) {
        col[i] = va_arg(ap, const char *);
    }
    va_end(ap);
    for (i = 0; i < 47; i++) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%s", i ? sep : "", col[i] ? col[i] : "");
    }
    strncat(out, "\n", cap - strlen(out) - 1);
}

static void test_fire_eye(void **state)
{
    char text[8192];
    struct got g;
    (void)state;

    snprintf(text, sizeof(text), "%s\n\n", fe_header);
    /* 3: cidr, domain and ip in one row (spaces after commas). */
    fe_row(text, sizeof(text), ", ", 0, "01-1", 2, "Cyber Crime", 31, "203.0.113.0/24", 32,
           "example.com", 35, "203.0.113.9", 41, "http://example.com/x", 42, "Ursnif", -1);
    strncat(text, "\n", sizeof(text) - strlen(text) - 1);
    /* 5: only a URL (no spaces). */
    fe_row(text, sizeof(text), ",", 0, "01-2", 41, "http://u.example/p", 42, "Dridex", -1);
    /* 6: an e-mail report: nothing to take. */
    fe_row(text, sizeof(text), ",", 0, "01-3", 9, "a@b.example", -1);
    /* 7: a quoted domain with a comma in the title. */
    fe_row(text, sizeof(text), ", ", 0, "01-4", 1, "\"a, b\"", 32, "\"q.example\"", -1);
    /* 8: too short; 9: an unterminated quote. */
    strncat(text, "01-5, short, row, 1.2.3.4\n01-6, \"open, x\n", sizeof(text) - strlen(text) - 1);
    assert_int_equal(run(&cm_intel_format_fire_eye, text, &g), 0);
    assert_int_equal(g.n, 5);
    expect_item(&g, 0, CM_IV_IP, "203.0.113.0/24", "Ursnif", "Cyber Crime", 3);
    expect_item(&g, 1, CM_IV_DOMAIN, "example.com", "Ursnif", "Cyber Crime", 3);
    expect_item(&g, 2, CM_IV_IP, "203.0.113.9", "Ursnif", "Cyber Crime", 3);
    expect_item(&g, 3, CM_IV_URL, "http://u.example/p", "Dridex", "", 5);
    expect_item(&g, 4, CM_IV_DOMAIN, "q.example", "", "", 7);
    assert_int_equal(g.nbad, 2);
    expect_bad(&g, 0, 8, "fewer columns");
    expect_bad(&g, 1, 9, "unterminated");

    /* No header: the fixed indexes, CRLF. */
    text[0] = '\0';
    fe_row(text, sizeof(text), ",", 0, "01-7", 35, "198.51.100.7", 42, "Emotet", -1);
    text[strlen(text) - 1] = '\r';
    strncat(text, "\n", sizeof(text) - strlen(text) - 1);
    assert_int_equal(run(&cm_intel_format_fire_eye, text, &g), 0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_IP, "198.51.100.7", "Emotet", "", 1);

    /* A short header: columns by name. */
    assert_int_equal(run(&cm_intel_format_fire_eye,
                         "reportId,ip,malwareFamily,domain\n1,198.51.100.8,Qakbot,\n", &g),
                     0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_IP, "198.51.100.8", "Qakbot", "", 2);

    /* A header with no indicator column is no FireEye list. */
    assert_int_equal(run(&cm_intel_format_fire_eye, "reportId,title\n1,x\n", &g), CM_EINVAL);
    expect_bad(&g, 0, 1, "no cidr");
}

/* ---- ZEEK ---- */

static void test_zeek(void **state)
{
    struct got g;
    (void)state;

    assert_int_equal(
        run(&cm_intel_format_zeek,
            "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
            "198.51.100.1\tIntel::ADDR\tfeodo\tEmotet C&C\t-\n"
            "203.0.113.0/24\tIntel::SUBNET\t-\t(empty)\t-\r\n"
            "evil.example\tIntel::DOMAIN\ttor-exits\t\"quoted\" desc\t-\n"
            "evil.example/path?a=b\tIntel::URL\tsrc\tdrive-by\t-\n"
            "a@b.example\tIntel::EMAIL\tsrc\tskipped\t-\n"
            "abc\tIntel::FILE_HASH\tsrc\tskipped\t-\n"
            "\n# comment\n"
            "x.example\tDOMAIN\tsrc\tbad type\t-\n"
            "lonely\n"
            "-\tIntel::ADDR\tsrc\tempty\t-\n",
            &g),
        0);
    assert_int_equal(g.n, 4);
    expect_item(&g, 0, CM_IV_IP, "198.51.100.1", "Emotet C&C", "feodo", 6);
    expect_item(&g, 1, CM_IV_IP, "203.0.113.0/24", "", "", 7);
    expect_item(&g, 2, CM_IV_DOMAIN, "evil.example", "\"quoted\" desc", "tor-exits", 8);
    expect_item(&g, 3, CM_IV_URL, "evil.example/path?a=b", "drive-by", "src", 9);
    assert_int_equal(g.nbad, 3);
    expect_bad(&g, 0, 14, "unknown indicator_type: DOMAIN");
    expect_bad(&g, 1, 15, "fewer fields");
    expect_bad(&g, 2, 16, "empty indicator");

    /* Another separator, columns in another order, only the needed ones. */
    assert_int_equal(run(&cm_intel_format_zeek,
                         "#separator ,\n#fields,indicator_type,indicator\nIntel::ADDR,192.0.2.1\n",
                         &g),
                     0);
    assert_int_equal(g.nbad, 0);
    assert_int_equal(g.n, 1);
    expect_item(&g, 0, CM_IV_IP, "192.0.2.1", "", "", 3);

    /* Not Zeek intel: data before #fields, or #fields without the columns. */
    assert_int_equal(run(&cm_intel_format_zeek, "1.2.3.4\tIntel::ADDR\n", &g), CM_EINVAL);
    expect_bad(&g, 0, 1, "before the #fields");
    assert_int_equal(run(&cm_intel_format_zeek, "#fields\tfoo\tbar\n", &g), CM_EINVAL);
    expect_bad(&g, 0, 1, "#fields does not name");
    assert_int_equal(run(&cm_intel_format_zeek, "#separator xyz\n#fields\tindicator\n", &g),
                     CM_EINVAL);
    expect_bad(&g, 0, 1, "#separator");
}

/* ---- callbacks ---- */

static void test_callback_error(void **state)
{
    static const struct {
        const struct cm_intel_format *fmt;
        const char *text;
    } cases[] = {
        {&cm_intel_format_txt, "a.example\nb.example\nc.example\n"},
        {&cm_intel_format_hosts, "0.0.0.0 a.example b.example c.example\n"},
        {&cm_intel_format_otx_csv, "IPv4,1.1.1.1,\nIPv4,1.1.1.2,\nIPv4,1.1.1.3,\n"},
        {&cm_intel_format_alien_vault, "1.1.1.1#1\n1.1.1.2#1\n1.1.1.3#1\n"},
        {&cm_intel_format_proof_point, "a.example,1,1\nb.example,1,1\nc.example,1,1\n"},
        {&cm_intel_format_zeek, "#fields\tindicator\tindicator_type\na.example\tIntel::DOMAIN\n"
                                "b.example\tIntel::DOMAIN\nc.example\tIntel::DOMAIN\n"},
    };
    struct got g;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(run_fail(cases[i].fmt, cases[i].text, strlen(cases[i].text), &g, 2),
                         CM_ENOMEM);
        assert_int_equal(g.n, 2);
    }
    /* A FireEye row with several items stops at the failing one. */
    {
        char text[2048] = "";
        fe_row(text, sizeof(text), ",", 0, "1", 31, "192.0.2.0/24", 32, "d.example", 35,
               "192.0.2.1", -1);
        assert_int_equal(run_fail(&cm_intel_format_fire_eye, text, strlen(text), &g, 2), CM_ENOMEM);
        assert_int_equal(g.n, 2);
    }
    /* No bad() callback: bad records are skipped all the same. */
    {
        struct cm_intel_reader r = {on_item, NULL, &g};
        memset(&g, 0, sizeof(g));
        assert_int_equal(cm_intel_format_txt.read("<x>\na.example\n", 14, &r), 0);
        assert_int_equal(g.n, 1);
    }
}

/* ---- sniffing ---- */

static void test_sniff(void **state)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"192.0.2.0/24\n198.51.100.1\nexample.com\n*.example.org\n", "TXT"},
        {"# ipsum\n1.2.3.4\t10\n5.6.7.8\t3\n", "TXT"},
        {"# only a comment\n", "TXT"},
        {"", "TXT"},
        {"\x01\x02\x03garbage\x04", "TXT"},
        {"Indicator type, Indicator, Description\nCIDR, 192.0.2.0/24, example\n", "OTX_CSV"},
        {"\xEF\xBB\xBFIndicator type,Indicator,Description\r\nIPv4,1.2.3.4,x\r\n", "OTX_CSV"},
        {"198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3\n"
         "203.0.113.1#4#2#Malicious Host#US##0.0,0.0#3\n",
         "ALIEN_VAULT"},
        {"ip, category, score, first_seen, last_seen, ports (|)\n1.2.3.4, 1, 100, a, b,\n",
         "PROOF_POINT"},
        {"domain,category,score,first_seen,last_seen,ports (|)\r\nx.example,1,100,a,b,\r\n",
         "PROOF_POINT"},
        {"# hosts\n0.0.0.0 a.example\n0.0.0.0 b.example\n127.0.0.1 c.example d.example\n", "HOSTS"},
        {"#fields\tindicator\tindicator_type\tmeta.source\n1.2.3.4\tIntel::ADDR\tx\n", "ZEEK"},
        {"#separator \\x09\n#path\tintel\n#fields\tindicator\tindicator_type\n", "ZEEK"},
    };
    char fe[4096];
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct cm_intel_format *f =
            cm_intel_format_sniff(cases[i].text, strlen(cases[i].text));
        if (strcmp(f->name, cases[i].want) != 0) {
            fail_msg("case %zu sniffed as %s, want %s", i, f->name, cases[i].want);
        }
    }
    snprintf(fe, sizeof(fe), "%s\n", fe_header);
    fe_row(fe, sizeof(fe), ", ", 0, "1", 35, "1.2.3.4", -1);
    assert_string_equal(cm_intel_format_sniff(fe, strlen(fe))->name, "FIRE_EYE");
    assert_int_equal(cm_intel_format_fire_eye.sniff(fe, strlen(fe)), 100);

    /* TXT stays low so that structured formats win; HOSTS beats TXT. */
    assert_true(cm_intel_format_txt.sniff("1.2.3.4\n", 8) > 0);
    assert_true(cm_intel_format_txt.sniff("1.2.3.4\n", 8) <= 10);
    assert_int_equal(cm_intel_format_txt.sniff("<a>\n<b>\n{x}\n", 12), 0);
    assert_int_equal(cm_intel_format_alien_vault.sniff("1.2.3.4#1#2\n", 12), 0);
    assert_int_equal(cm_intel_format_hosts.sniff("1.2.3.4 x.example\n", 18), 0);
    assert_int_equal(cm_intel_format_zeek.sniff("#fields\tfoo\n", 12), 0);
    /* Sniffers never read past len: a cut-off header is not a header. */
    assert_int_equal(cm_intel_format_otx_csv.sniff("Indicator type, Indicator", 14), 0);
    assert_int_equal(cm_intel_format_proof_point.sniff("ip, category", 4), 0);
}

/* ---- shared data ---- */

static const char *shared(void)
{
    const char *s = getenv("SHARED");
    return s != NULL && *s ? s : "../shared";
}

/* Reads ../shared/data/<rel> into a buffer from cm_malloc; NULL when absent. */
static char *slurp(const char *rel, size_t *len)
{
    char path[1024];
    FILE *fp;
    char *buf = NULL;
    long n;

    snprintf(path, sizeof(path), "%s/data/%s", shared(), rel);
    fp = fopen(path, "rb");
    if (fp == NULL) {
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
        buf = cm_malloc((size_t)n + 1);
        if (buf != NULL && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
            *len = (size_t)n;
        } else {
            cm_free(buf);
            buf = NULL;
        }
    }
    fclose(fp);
    return buf;
}

static void test_guardduty_samples(void **state)
{
    static const struct {
        const char *file, *format;
        size_t items;
        const char *first, *last;
    } samples[] = {
        {"txt_ip_list.txt", "TXT", 3, "192.0.2.0/24", "203.0.113.1"},
        {"txt_entity_list.txt", "TXT", 5, "192.0.2.1", "*.example.org"},
        {"otx_csv_ip_list.csv", "OTX_CSV", 3, "192.0.2.0/24", "203.0.113.1"},
        {"otx_csv_entity_list.csv", "OTX_CSV", 4, "192.0.2.0/24", "example.net"},
        {"alienvault_ip_list.txt", "ALIEN_VAULT", 2, "198.51.100.1", "203.0.113.1"},
        {"alienvault_entity_list.txt", "ALIEN_VAULT", 5, "192.0.2.1", "www.example.com"},
        {"proofpoint_ip_list.csv", "PROOF_POINT", 2, "198.51.100.1", "203.0.113.1"},
        {"proofpoint_entity_list.csv", "PROOF_POINT", 2, "198.51.100.1", "203.0.113.1"},
        {"fireeye_ip_list.csv", "FIRE_EYE", 3, "192.0.2.0/24", "203.0.113.1"},
        {"fireeye_entity_list.csv", "FIRE_EYE", 6, "192.0.2.0/24", "203.0.113.0"},
    };
    size_t found = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        char rel[256];
        size_t len = 0;
        char *buf;
        const struct cm_intel_format *f;
        struct got g;

        snprintf(rel, sizeof(rel), "guardduty-list-formats/%s", samples[i].file);
        buf = slurp(rel, &len);
        if (buf == NULL) {
            continue;
        }
        found++;
        f = cm_intel_format_sniff(buf, len);
        if (strcmp(f->name, samples[i].format) != 0) {
            fail_msg("%s sniffed as %s", samples[i].file, f->name);
        }
        assert_int_equal(run_len(f, buf, len, &g), 0);
        if (g.nbad != 0) {
            fail_msg("%s: bad record at line %u: %s", samples[i].file, g.bad[0].line,
                     g.bad[0].reason);
        }
        assert_int_equal(g.n, samples[i].items);
        assert_string_equal(g.it[0].value, samples[i].first);
        assert_string_equal(g.it[g.n - 1].value, samples[i].last);
        cm_free(buf);
    }
    if (found == 0) {
        skip();
    }
}

/* Counts lines that are neither blank nor '#' comments: the entries of a plain list. */
static size_t entry_lines(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str l;
    size_t n = 0;

    cm_lines_init(&it, buf, len);
    while (cm_lines_next_data(&it, &l)) {
        n++;
    }
    return n;
}

static int counting_item(void *ud, const struct cm_intel_item *it)
{
    size_t *n = ud;
    (void)it;
    (*n)++;
    return 0;
}

static void counting_bad(void *ud, uint32_t line, const char *reason)
{
    (void)ud;
    fail_msg("bad record at line %u: %s", line, reason);
}

static void test_feeds(void **state)
{
    static const struct {
        const char *file, *format;
    } feeds[] = {
        {"threatintel/tor/tor-exit-nodes.lst", "TXT"},
        {"threatintel/firehol-2016/dshield.netset", "TXT"},
        {"threatintel/firehol-2016/feodo.ipset", "TXT"},
        {"threatintel/ipsum/ipsum.txt", "TXT"},
        {"threatintel/maltrail/mass_scanner_cidr.txt", "TXT"},
        {"threatintel/maltrail/suspicious/onion.txt", "TXT"},
        {"threatintel/coinblockerlists-2018/MiningServerIPList.txt", "TXT"},
        {"threatintel/coinblockerlists-2018/list.txt", "TXT"},
        {"threatintel/blocklistproject/abuse.ip", "TXT"},
        {"threatintel/abusech/threatfox_ips_2026-08-22.txt", "TXT"},
        {"threatintel/blocklistproject/crypto.txt", "HOSTS"},
    };
    size_t found = 0;
    (void)state;

    for (size_t i = 0; i < sizeof(feeds) / sizeof(feeds[0]); i++) {
        size_t len = 0, n = 0;
        char *buf = slurp(feeds[i].file, &len);
        const struct cm_intel_format *f;
        struct cm_intel_reader r = {counting_item, counting_bad, &n};

        if (buf == NULL) {
            continue;
        }
        found++;
        f = cm_intel_format_sniff(buf, len < 4096 ? len : 4096);
        if (strcmp(f->name, feeds[i].format) != 0) {
            fail_msg("%s sniffed as %s", feeds[i].file, f->name);
        }
        assert_int_equal(f->read(buf, len, &r), 0);
        assert_true(n > 10);
        /* One item per entry line (hosts lines here carry one name each). */
        assert_int_equal(n, entry_lines(buf, len));
        cm_free(buf);
    }
    if (found == 0) {
        skip();
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines),       cmocka_unit_test(test_trim_token),
        cmocka_unit_test(test_csv),         cmocka_unit_test(test_txt_shapes),
        cmocka_unit_test(test_txt_bad),     cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_otx),         cmocka_unit_test(test_alien_vault),
        cmocka_unit_test(test_proof_point), cmocka_unit_test(test_fire_eye),
        cmocka_unit_test(test_zeek),        cmocka_unit_test(test_callback_error),
        cmocka_unit_test(test_sniff),       cmocka_unit_test(test_guardduty_samples),
        cmocka_unit_test(test_feeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
