/*
 * Unit tests for the Route 53 Resolver query log parser
 * (lib/parse/resolver.c): every field of struct cm_dns, blank lines and CRLF,
 * each rejection reason with its line and offset and the continuation after
 * it, the document swap an on_event callback may do, node caps, sniffing.
 * Inputs live in exactly-sized heap buffers so ASan catches any overread.
 *
 * When $SHARED/data/derived-route53 exists (SHARED defaults to ../shared),
 * its query logs are parsed and must give no rejects.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/arena.h"
#include "base/err.h"
#include "parse/parse.h"

#define MAX_EV  32
#define MAX_REJ 32

struct collect {
    struct cm_event ev[MAX_EV];
    int nev;
    struct {
        uint64_t offset;
        uint32_t line;
        enum cm_event_kind kind;
        char reason[200];
    } rej[MAX_REJ];
    int nrej;
    int stop_after;
    /* Document swapping: when set, every event moves ctx to the next doc. */
    struct cm_parse_ctx *ctx;
    struct cm_json_doc *docs;
    int ndocs, cur;
    bool begin_swapped; /* begin the new doc on the buffer (else leave it unbegun) */
    const char *buf;
    size_t len;
};

static int on_event(void *ud, struct cm_event *ev)
{
    struct collect *c = ud;

    if (c->nev < MAX_EV) {
        c->ev[c->nev++] = *ev;
    }
    if (c->docs != NULL) {
        c->cur = (c->cur + 1) % c->ndocs;
        if (c->begin_swapped) {
            cm_json_doc_begin(&c->docs[c->cur], c->buf, c->len);
        }
        c->ctx->doc = &c->docs[c->cur];
    }
    if (c->stop_after > 0 && c->nev >= c->stop_after) {
        return CM_EFULL;
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                      const char *reason)
{
    struct collect *c = ud;

    if (c->nrej < MAX_REJ) {
        c->rej[c->nrej].offset = offset;
        c->rej[c->nrej].line = line;
        c->rej[c->nrej].kind = kind;
        snprintf(c->rej[c->nrej].reason, sizeof(c->rej[c->nrej].reason), "%s", reason);
        c->nrej++;
    }
}

static char *dup_exact(const char *text, size_t *len)
{
    size_t n = strlen(text);
    char *p = malloc(n ? n : 1);

    assert_non_null(p);
    memcpy(p, text, n);
    *len = n;
    return p;
}

/* Parses text on doc with a fresh context; the returned buffer must outlive the checks. */
static char *parse_text(struct cm_parse_ctx *ctx, struct collect *c, struct cm_json_doc *doc,
                        const char *text, int *rc)
{
    size_t len;
    char *buf = dup_exact(text, &len);

    memset(ctx, 0, sizeof(*ctx));
    memset(c, 0, sizeof(*c));
    ctx->doc = doc;
    ctx->on_event = on_event;
    ctx->on_reject = on_reject;
    ctx->ud = c;
    *rc = cm_parser_dns.parse(ctx, buf, len);
    return buf;
}

static void assert_str(struct cm_str s, const char *want)
{
    if (want == NULL) {
        if (s.p != NULL) {
            fail_msg("expected absent, got '%.*s'", (int)s.len, s.p);
        }
        return;
    }
    if (s.p == NULL || !cm_str_eqc(s, want)) {
        fail_msg("expected '%s', got '%.*s'", want, (int)s.len, s.p ? s.p : "(null)");
    }
}

#define SAMPLE                                                                                     \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"vpc_id\":\"vpc-7example\",\"query_timestamp\":\"2021-02-04T17:51:55Z\","                    \
    "\"query_name\":\"pool.minergate.com.\",\"query_type\":\"A\",\"query_class\":\"IN\","          \
    "\"rcode\":\"NOERROR\",\"answers\":[{\"Rdata\":\"198.51.100.20\",\"Type\":\"A\","              \
    "\"Class\":\"IN\"}],\"srcaddr\":\"10.0.1.14\",\"srcport\":\"56067\",\"transport\":\"UDP\","    \
    "\"srcids\":{\"instance\":\"i-0a1b2c3d4e5f60718\"}}"

#define INBOUND                                                                                    \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"eu-west-1\","          \
    "\"vpc_id\":\"vpc-9\",\"query_timestamp\":\"2024-07-31T11:31:12.5Z\","                         \
    "\"query_name\":\"evil.example.\",\"query_type\":\"TXT\",\"query_class\":\"IN\","              \
    "\"rcode\":\"NXDOMAIN\",\"answers\":[],\"srcaddr\":\"2001:db8::7\",\"srcport\":\"53\","        \
    "\"transport\":\"TCP\",\"srcids\":{\"resolver_endpoint\":\"rslvr-in-1\","                      \
    "\"resolver_network_interface\":\"rni-2\"},\"firewall_rule_action\":\"BLOCK\","                \
    "\"firewall_rule_group_id\":\"rslvr-frg-3\",\"firewall_domain_list_id\":\"rslvr-fdl-4\"}"

static void test_sample_record(void **state)
{
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    const struct cm_dns *dns;
    char *buf;
    int rc;
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, SAMPLE "\n" INBOUND "\n", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 2);

    dns = &c.ev[0].u.dns;
    assert_int_equal(c.ev[0].kind, CM_EV_DNS);
    assert_int_equal(c.ev[0].time_ms, 1612461115000LL);
    assert_str(c.ev[0].account, "111122223333");
    assert_str(c.ev[0].region, "us-east-1");
    assert_int_equal(c.ev[0].src.line, 1);
    assert_int_equal(c.ev[0].src.offset, 0);
    assert_int_equal(c.ev[0].src.length, strlen(SAMPLE));
    /* A record of the usual shape is read without the JSON reader: no node is kept. */
    assert_int_equal(doc.n, 0);
    assert_true(dns->qname_ok);
    assert_string_equal(dns->qname.name, "pool.minergate.com");
    assert_string_equal(dns->qname.name + dns->qname.reg, "minergate.com");
    assert_str(dns->version, "1.100000");
    assert_str(dns->account_id, "111122223333");
    assert_str(dns->region, "us-east-1");
    assert_str(dns->vpc_id, "vpc-7example");
    assert_str(dns->query_timestamp, "2021-02-04T17:51:55Z");
    assert_str(dns->query_name, "pool.minergate.com.");
    assert_str(dns->query_type, "A");
    assert_str(dns->query_class, "IN");
    assert_str(dns->rcode, "NOERROR");
    assert_str(dns->srcaddr, "10.0.1.14");
    assert_int_equal(dns->src_ip.family, CM_IP_V4);
    assert_int_equal(cm_ip_v4(&dns->src_ip), 0x0a00010eu);
    assert_int_equal(dns->srcport, 56067);
    assert_str(dns->transport, "UDP");
    assert_str(dns->srcid_instance, "i-0a1b2c3d4e5f60718");
    assert_str(dns->srcid_resolver_endpoint, NULL);
    assert_str(dns->srcid_resolver_network_interface, NULL);
    assert_str(dns->firewall_rule_action, NULL);
    assert_str(dns->firewall_rule_group_id, NULL);
    assert_str(dns->firewall_domain_list_id, NULL);
    assert_int_equal(dns->nanswers, 1);
    assert_int_equal(dns->nans, 1);
    assert_str(dns->ans[0].rdata, "198.51.100.20");
    assert_int_equal(dns->ans[0].type, CM_DNS_RR_A);

    dns = &c.ev[1].u.dns;
    assert_int_equal(c.ev[1].time_ms, 1722425472500LL);
    assert_int_equal(c.ev[1].src.line, 2);
    assert_int_equal(c.ev[1].src.offset, strlen(SAMPLE) + 1);
    assert_str(c.ev[1].region, "eu-west-1");
    assert_str(dns->rcode, "NXDOMAIN");
    assert_int_equal(dns->nanswers, 0);
    assert_int_equal(dns->nans, 0);
    assert_int_equal(dns->src_ip.family, CM_IP_V6);
    assert_int_equal(dns->srcport, 53);
    assert_str(dns->transport, "TCP");
    assert_str(dns->srcid_instance, NULL);
    assert_str(dns->srcid_resolver_endpoint, "rslvr-in-1");
    assert_str(dns->srcid_resolver_network_interface, "rni-2");
    assert_str(dns->firewall_rule_action, "BLOCK");
    assert_str(dns->firewall_rule_group_id, "rslvr-frg-3");
    assert_str(dns->firewall_domain_list_id, "rslvr-fdl-4");
    free(buf);
    cm_json_doc_finish(&doc);
}

static void test_optional_and_odd_values(void **state)
{
    static const char text[] =
        /* Minimal record: only the two required fields. */
        "{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":\"a.\"}\n"
        /* Odd types: numbers, null, a non-IP srcaddr, a non-array answers. */
        "{\"query_timestamp\":\"2025-03-04T10:00:01Z\",\"query_name\":\"b.\",\"srcport\":5353,"
        "\"srcaddr\":\"not-an-ip\",\"answers\":null,\"srcids\":[],\"account_id\":123,"
        "\"region\":null,\"rcode\":\"NOERROR\",\"extra\":{\"nested\":[1,2,{\"x\":1}]}}\n"
        /* Out-of-range and non-numeric ports; repeated keys: the first wins. */
        "{\"query_timestamp\":\"2025-03-04T10:00:02Z\",\"query_name\":\"c.\",\"srcport\":\"70000\","
        "\"query_name\":\"second.\",\"srcids\":{\"instance\":\"i-1\",\"instance\":\"i-2\"}}\n"
        "{\"query_timestamp\":\"2025-03-04T10:00:03Z\",\"query_name\":\"d.\",\"srcport\":\"x1\","
        "\"srcaddr\":\"::ffff:10.0.0.1\"}\n"
        /* Escaped key and escaped value: the key matches, the value stays raw. */
        "{\"query\\u005fname\":\"e\\u002e\",\"query_timestamp\":\"2025-03-04T10:00:04+01:00\"}\n"
        "{\"query_timestamp\":\"2025-03-04T10:00:05Z\",\"query_name\":\"\",\"srcport\":\"\"}\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 6);

    assert_str(c.ev[0].u.dns.query_name, "a.");
    assert_str(c.ev[0].account, NULL);
    assert_str(c.ev[0].region, NULL);
    assert_int_equal(c.ev[0].u.dns.srcport, -1);
    assert_int_equal(c.ev[0].u.dns.nans, 0);
    assert_int_equal(c.ev[0].u.dns.nanswers, 0);
    assert_int_equal(c.ev[0].u.dns.src_ip.family, CM_IP_NONE);

    assert_int_equal(c.ev[1].u.dns.srcport, 5353);
    assert_str(c.ev[1].u.dns.srcaddr, "not-an-ip");
    assert_int_equal(c.ev[1].u.dns.src_ip.family, CM_IP_NONE);
    assert_int_equal(c.ev[1].u.dns.nans, 0);
    assert_str(c.ev[1].account, NULL);
    assert_str(c.ev[1].region, NULL);
    assert_str(c.ev[1].u.dns.rcode, "NOERROR");
    assert_str(c.ev[1].u.dns.srcid_instance, NULL);

    assert_int_equal(c.ev[2].u.dns.srcport, -1);
    assert_str(c.ev[2].u.dns.query_name, "c.");
    assert_str(c.ev[2].u.dns.srcid_instance, "i-1");

    assert_int_equal(c.ev[3].u.dns.srcport, -1);
    assert_int_equal(c.ev[3].u.dns.src_ip.family, CM_IP_V6);
    assert_int_equal(cm_ip_classify(&c.ev[3].u.dns.src_ip), CM_IPC_PRIVATE);

    assert_str(c.ev[4].u.dns.query_name, "e\\u002e");
    assert_int_equal(c.ev[4].time_ms, 1741078804000LL);

    assert_str(c.ev[5].u.dns.query_name, "");
    assert_int_equal(c.ev[5].u.dns.srcport, -1);
    free(buf);
    cm_json_doc_finish(&doc);
}

static void test_escaped_values_with_arena(void **state)
{
    static const char text[] =
        "{\"query_name\":\"caf\\u00e9\\\\032x.\",\"query_timestamp\":\"2025-03-04T10:00:00Z\","
        "\"srcids\":{\"instance\":\"i-\\u0031\"},\"rcode\":\"NOERROR\"}\n";
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 4096, 0);
    memset(&ctx, 0, sizeof(ctx));
    memset(&c, 0, sizeof(c));
    ctx.doc = &doc;
    ctx.arena = &arena;
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &c;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 1);
    /* Decoded into the arena: JSON escapes resolved, DNS "\\032" kept as text. */
    assert_str(c.ev[0].u.dns.query_name, "caf\xc3\xa9\\032x.");
    assert_str(c.ev[0].u.dns.srcid_instance, "i-1");
    /* An unescaped value is still a slice of the input. */
    assert_true(c.ev[0].u.dns.rcode.p >= buf && c.ev[0].u.dns.rcode.p < buf + len);
    cm_arena_finish(&arena);
    cm_json_doc_finish(&doc);
    free(buf);
}

static void test_blank_lines_crlf_and_bases(void **state)
{
    static const char text[] = "\n\r\n  \t\n" SAMPLE "\r\n\r\n" SAMPLE "\n   " SAMPLE "  \n\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    size_t first = 7;
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    memset(&ctx, 0, sizeof(ctx));
    memset(&c, 0, sizeof(c));
    ctx.doc = &doc;
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &c;
    ctx.file_id = 9;
    ctx.offset_base = 1000;
    ctx.line_base = 50;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 3);
    assert_int_equal(c.ev[0].src.file_id, 9);
    assert_int_equal(c.ev[0].src.line, 54);
    assert_int_equal(c.ev[0].src.offset, 1000 + first);
    assert_int_equal(c.ev[0].src.length, strlen(SAMPLE));
    assert_int_equal(c.ev[1].src.line, 56);
    assert_int_equal(c.ev[1].src.offset, 1000 + first + strlen(SAMPLE) + 4);
    assert_int_equal(c.ev[2].src.line, 57);
    assert_int_equal(c.ev[2].src.offset, 1000 + first + 2 * strlen(SAMPLE) + 8);
    free(buf);
    cm_json_doc_finish(&doc);
}

struct reject_case {
    const char *line;
    const char *reason;
};

static void test_reject_reasons(void **state)
{
    static const struct reject_case cases[] = {
        {"{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":\"a.\"",
         "invalid JSON at end of line: "},
        {"{\"query_timestamp\":\"2025-03-04T10:00:00Z\" \"query_name\":\"a.\"}",
         "invalid JSON at column 43: "},
        {"not json at all", "invalid JSON at column 1: "},
        {"{\"query_name\":\"a\xff.\",\"query_timestamp\":\"2025-03-04T10:00:00Z\"}",
         "invalid JSON at column 17: "},
        {"[1,2,3]", "record is not a JSON object"},
        {"\"just a string\"", "record is not a JSON object"},
        {"42", "record is not a JSON object"},
        {"{\"query_name\":\"a.\"}", "missing query_timestamp"},
        {"{\"query_timestamp\":\"2025-03-04T10:00:00Z\"}", "missing query_name"},
        {"{\"query_timestamp\":1741082400,\"query_name\":\"a.\"}", "non-string query_timestamp"},
        {"{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":null}",
         "non-string query_name"},
        {"{\"query_timestamp\":\"2025-02-30T10:00:00Z\",\"query_name\":\"a.\"}",
         "bad query_timestamp: '2025-02-30T10:00:00Z'"},
        {"{\"query_timestamp\":\"yesterday\",\"query_name\":\"a.\"}",
         "bad query_timestamp: 'yesterday'"},
        {"{}", "missing query_timestamp"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[2048];
        struct cm_json_doc doc;
        struct cm_parse_ctx ctx;
        struct collect c;
        char *buf;
        int rc;

        snprintf(text, sizeof(text), "%s\n%s\n%s\n", SAMPLE, cases[i].line, SAMPLE);
        cm_json_doc_init(&doc, 0, 0);
        buf = parse_text(&ctx, &c, &doc, text, &rc);
        assert_int_equal(rc, 0);
        if (c.nrej != 1 || strncmp(c.rej[0].reason, cases[i].reason, strlen(cases[i].reason))) {
            fail_msg("case %zu: %d rejects, first '%s', want '%s...'", i, c.nrej,
                     c.nrej ? c.rej[0].reason : "", cases[i].reason);
        }
        assert_int_equal(c.rej[0].kind, CM_EV_DNS);
        assert_int_equal(c.rej[0].line, 2);
        assert_int_equal(c.rej[0].offset, strlen(SAMPLE) + 1);
        assert_int_equal(c.nev, 2);
        assert_int_equal(c.ev[1].src.line, 3);
        assert_str(c.ev[1].u.dns.query_name, "pool.minergate.com.");
        /* The good records need no node, and the rejected one's are not kept. */
        assert_int_equal(doc.n, 0);
        free(buf);
        cm_json_doc_finish(&doc);
    }
}

static void test_junk_and_concatenated_objects(void **state)
{
    static const char text[] = SAMPLE SAMPLE "\n" SAMPLE " trailing junk\n"
                                             "{\"query_timestamp\":\"2025-03-04T10:"
                                             "00:00Z\",\n  \"query_name\":\"multi.\""
                                             "\n}\n" SAMPLE "\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    char want[128];
    char *buf;
    int rc;
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 5);
    /* Two objects glued on line 1 are two records. */
    assert_int_equal(c.ev[0].src.line, 1);
    assert_int_equal(c.ev[1].src.line, 1);
    assert_int_equal(c.ev[1].src.offset, strlen(SAMPLE));
    /* Junk after an object is rejected on its own; the object stands. */
    assert_int_equal(c.ev[2].src.line, 2);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 2);
    assert_int_equal(c.rej[0].offset, 3 * strlen(SAMPLE) + 2);
    /* Its column is the line's (before 2026-12-04: 1, counted from the junk). */
    snprintf(want, sizeof(want), "invalid JSON at column %zu: invalid literal", strlen(SAMPLE) + 2);
    assert_string_equal(c.rej[0].reason, want);
    /* A pretty-printed record spans lines 3-5; the next one is on line 6. */
    assert_str(c.ev[3].u.dns.query_name, "multi.");
    assert_int_equal(c.ev[3].src.line, 3);
    assert_int_equal(c.ev[4].src.line, 6);
    free(buf);
    cm_json_doc_finish(&doc);
}

/*
 * Invalid UTF-8 is placed by its line and column, never by a byte of the buffer parsed, which
 * is a chunk of standard input (or an unwrapped text), not the input: before 2026-12-04 a
 * Resolver log piped to the scan said "invalid UTF-8 at byte 1343228" of a byte at 5537292.
 */
static void test_utf8_reason_in_a_chunk(void **state)
{
    static const char text[] = SAMPLE "\n{\"query_name\":\"a\xff.\",\"query_timestamp\":\"2025-03-"
                                      "04T10:00:00Z\"}\n" SAMPLE "\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    memset(&ctx, 0, sizeof(ctx));
    memset(&c, 0, sizeof(c));
    ctx.doc = &doc;
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &c;
    ctx.offset_base = 5000000;
    ctx.line_base = 12000;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 12002);
    assert_int_equal(c.rej[0].offset, 5000000 + strlen(SAMPLE) + 1);
    assert_string_equal(c.rej[0].reason, "invalid JSON at column 17: invalid UTF-8");
    free(buf);
    cm_json_doc_finish(&doc);
}

/* A line of text among the records is one reject, whatever its words look like. */
static void test_text_line_one_reject(void **state)
{
    static const char text[] = SAMPLE "\n12345 67 junk\n2026-01-05 query log \"x\"\n" SAMPLE "\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 2);
    assert_int_equal(c.ev[1].src.line, 4);
    assert_int_equal(c.nrej, 2);
    assert_int_equal(c.rej[0].line, 2);
    assert_int_equal(c.rej[0].offset, strlen(SAMPLE) + 1);
    assert_int_equal(c.rej[1].line, 3);
    free(buf);
    cm_json_doc_finish(&doc);
}

/* Checks an event's name and answers (copied out of any document). */
static void assert_event_intact(const struct cm_event *ev, const char *qname, const char *rdata)
{
    const struct cm_dns *dns = &ev->u.dns;

    assert_str(dns->query_name, qname);
    assert_int_equal(dns->nans, rdata != NULL);
    if (rdata != NULL) {
        assert_str(dns->ans[0].rdata, rdata);
    }
}

static void test_doc_swap(void **state)
{
    char text[8192];
    size_t n = 0;
    (void)state;

    for (int i = 0; i < 7; i++) {
        n += (size_t)snprintf(
            text + n, sizeof(text) - n,
            "%s{\"query_timestamp\":\"2025-03-04T10:00:0%dZ\",\"vpc_id\":\"vpc\\u002d1\","
            "\"query_name\":\"q%d.example.\",\"answers\":[{\"Rdata\":\"1.2.3.%d\"}]}\n",
            i == 3 ? "{broken\n" : "", i, i, i);
    }
    for (int mode = 0; mode < 2; mode++) {
        struct cm_json_doc docs[3];
        struct cm_parse_ctx ctx;
        struct collect c;
        size_t len;
        char *buf = dup_exact(text, &len);

        for (int d = 0; d < 3; d++) {
            cm_json_doc_init(&docs[d], 0, 0);
        }
        memset(&ctx, 0, sizeof(ctx));
        memset(&c, 0, sizeof(c));
        ctx.doc = &docs[0];
        ctx.on_event = on_event;
        ctx.on_reject = on_reject;
        ctx.ud = &c;
        c.ctx = &ctx;
        c.docs = docs;
        c.ndocs = 3;
        c.begin_swapped = mode == 1;
        c.buf = buf;
        c.len = len;
        assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
        assert_int_equal(c.nev, 7);
        assert_int_equal(c.nrej, 1);
        assert_int_equal(c.rej[0].line, 4);
        for (int i = 0; i < 7; i++) {
            char q[32], rd[24];
            snprintf(q, sizeof(q), "q%d.example.", i);
            snprintf(rd, sizeof(rd), "1.2.3.%d", i);
            assert_int_equal(c.ev[i].time_ms, 1741082400000LL + i * 1000);
            assert_int_equal(c.ev[i].src.line, (uint32_t)(i + 1 + (i >= 3)));
            /*
             * The escaped vpc_id sends every record to the JSON reader, on
             * the document the callback swapped in (rotating 0,1,2,0,...).
             * An event keeps no node: its fields and answers are slices of
             * the input, so it stays intact whether the callback begins each
             * doc it swaps in (mode 1) or not.
             */
            assert_event_intact(&c.ev[i], q, rd);
        }
        for (int d = 0; d < 3; d++) {
            assert_ptr_equal(docs[d].src, buf);
            assert_true(mode == 1 || docs[d].n > 0); /* mode 1 re-begins the doc it swaps in */
            cm_json_doc_finish(&docs[d]);
        }
        free(buf);
    }
}

/* A doc that is handed off and never reused keeps every event readable. */
static void test_doc_swap_fresh_docs(void **state)
{
    char text[8192];
    size_t n = 0, len;
    struct cm_json_doc docs[6];
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    (void)state;

    for (int i = 0; i < 5; i++) {
        n += (size_t)snprintf(
            text + n, sizeof(text) - n,
            "{\"query_timestamp\":\"2025-03-04T10:00:0%dZ\","
            "\"query_name\":\"q%d.\",\"answers\":[],\"rcode\":\"NO\\u0045RROR\"}\n",
            i, i);
    }
    buf = dup_exact(text, &len);
    for (int d = 0; d < 6; d++) {
        cm_json_doc_init(&docs[d], 0, 0);
    }
    memset(&ctx, 0, sizeof(ctx));
    memset(&c, 0, sizeof(c));
    ctx.doc = &docs[0];
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &c;
    c.ctx = &ctx;
    c.docs = docs;
    c.ndocs = 6;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
    assert_int_equal(c.nev, 5);
    for (int i = 0; i < 5; i++) {
        char q[16];
        snprintf(q, sizeof(q), "q%d.", i);
        assert_true(docs[i].n > 0); /* the record was read on the doc swapped in for it */
        assert_event_intact(&c.ev[i], q, NULL);
    }
    for (int d = 0; d < 6; d++) {
        cm_json_doc_finish(&docs[d]);
    }
    free(buf);
}

/* SAMPLE with an escape: the JSON reader, not the fast path, reads it. */
#define SLOW                                                                                       \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"vpc_id\":\"vpc\\u002d7example\",\"query_timestamp\":\"2021-02-04T17:51:55Z\","              \
    "\"query_name\":\"pool.minergate.com.\",\"query_type\":\"A\",\"query_class\":\"IN\","          \
    "\"rcode\":\"NOERROR\",\"answers\":[{\"Rdata\":\"198.51.100.20\",\"Type\":\"A\","              \
    "\"Class\":\"IN\"}],\"srcaddr\":\"10.0.1.14\",\"srcport\":\"56067\",\"transport\":\"UDP\","    \
    "\"srcids\":{\"instance\":\"i-0a1b2c3d4e5f60718\"}}"

static void test_node_cap(void **state)
{
    static const char text[] = SLOW "\n" SLOW "\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;
    (void)state;

    /* Room for one record: the second finds the document full. */
    cm_json_doc_init(&doc, 40, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, CM_E2BIG);
    assert_int_equal(c.nev, 1);
    free(buf);
    cm_json_doc_finish(&doc);

    /*
     * A record larger than the cap on its own is rejected when the document
     * is empty; once the document holds records, running out of room ends
     * the parse (the caller must hand the document off).
     */
    cm_json_doc_init(&doc, 10, 0);
    buf = parse_text(&ctx, &c, &doc,
                     SLOW "\n{\"query_timestamp\":\"2025-03-04T10:00:00Z\","
                          "\"query_name\":\"a.\",\"rcode\":\"\\u004eOERROR\"}\n" SLOW "\n",
                     &rc);
    assert_int_equal(rc, CM_E2BIG);
    assert_int_equal(c.nev, 1);
    assert_str(c.ev[0].u.dns.query_name, "a.");
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 1);
    assert_true(strncmp(c.rej[0].reason, "record too large: ", 18) == 0);
    free(buf);
    cm_json_doc_finish(&doc);

    /* Nesting deeper than the document's limit is a rejected record. */
    cm_json_doc_init(&doc, 0, 4);
    buf = parse_text(&ctx, &c, &doc, "{\"a\":[[[[[1]]]]]}\n" SAMPLE "\n", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nev, 1);
    assert_int_equal(c.nrej, 1);
    assert_int_equal(c.rej[0].line, 1);
    free(buf);
    cm_json_doc_finish(&doc);
}

/*
 * Parses text (one record) and returns its event; fails unless exactly one
 * came out. The event's slices point into *keep, which the caller frees.
 */
static struct cm_event one_event(const char *text, char **keep)
{
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    struct cm_event ev;
    char *buf;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 1);
    ev = c.ev[0];
    *keep = buf;
    cm_json_doc_finish(&doc);
    return ev;
}

static bool same_str(struct cm_str a, struct cm_str b)
{
    return (a.p == NULL) == (b.p == NULL) && a.len == b.len &&
           (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/*
 * The fast path and the JSON reader fill an event alike: each record is read
 * as it is and again with an escaped member in front (which only the JSON
 * reader takes); every field, the answers and the split name must match.
 */
static void test_fast_matches_reader(void **state)
{
    static const char *const records[] = {
        SAMPLE,
        INBOUND,
        "{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":\"WWW.Example.CO.UK.\","
        "\"answers\":[{\"Rdata\":\"web.example.net.\",\"Type\":\"CNAME\",\"Class\":\"IN\"},"
        "{\"Rdata\":\"169.254.169.254\",\"Type\":\"A\",\"Class\":\"IN\"},"
        "{\"Rdata\":\"fd00:ec2::254\",\"Type\":\"AAAA\",\"Class\":\"IN\"},"
        "{\"Rdata\":\"v=spf1\",\"Type\":\"TXT\",\"Class\":\"IN\"},{}]}",
        "{ \"query_timestamp\" : \"2025-03-04T10:00:00Z\" , \"n\":-12, \"t\":true, \"f\":false,"
        " \"z\":null, \"srcport\":53, \"query_name\":\"a.b.c.duckdns.org.\", \"srcids\":{} } ",
        "{\"srcport\":\"70000\",\"query_name\":\"x.\",\"query_name\":\"y.\","
        "\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"srcids\":{\"instance\":\"i-1\","
        "\"instance\":\"i-2\",\"resolver_endpoint\":\"rslvr-in-9\"}}",
        "{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":\"j.example.com.\","
        "\"answers\":[1,{\"Rdata\":\"10.0.0.1\",\"Type\":\"A\"},\"x\",null,[]]}",
    };
    char many[4096];
    size_t n;

    (void)state;
    n = (size_t)snprintf(
        many, sizeof(many),
        "{\"query_timestamp\":\"2025-03-04T10:00:00Z\",\"query_name\":\"m.\",\"answers\":[");
    for (int i = 0; i < 20; i++) {
        n += (size_t)snprintf(many + n, sizeof(many) - n,
                              "%s{\"Rdata\":\"10.0.0.%d\",\"Type\":\"A\"}", i ? "," : "", i);
    }
    snprintf(many + n, sizeof(many) - n, "]}");
    for (size_t i = 0; i <= sizeof(records) / sizeof(records[0]); i++) {
        const char *rec = i < sizeof(records) / sizeof(records[0]) ? records[i] : many;
        char text[4200], slow[4300];
        struct cm_event a, b;
        const struct cm_dns *x, *y;
        char *ka, *kb;
        const char *brace = strchr(rec, '{');

        snprintf(text, sizeof(text), "%s\n", rec);
        snprintf(slow, sizeof(slow), "%.*s{\"esc\":\"\\u0041\",%s\n", (int)(brace - rec), rec,
                 brace + 1);
        a = one_event(text, &ka);
        b = one_event(slow, &kb);
        x = &a.u.dns;
        y = &b.u.dns;
        assert_int_equal(a.time_ms, b.time_ms);
        assert_true(same_str(a.account, b.account) && same_str(a.region, b.region));
        assert_true(same_str(x->version, y->version) && same_str(x->vpc_id, y->vpc_id));
        assert_true(same_str(x->query_timestamp, y->query_timestamp));
        assert_true(same_str(x->query_name, y->query_name) &&
                    same_str(x->query_type, y->query_type));
        assert_true(same_str(x->query_class, y->query_class) && same_str(x->rcode, y->rcode));
        assert_true(same_str(x->srcaddr, y->srcaddr) && x->srcport == y->srcport);
        assert_true(same_str(x->transport, y->transport));
        assert_true(same_str(x->srcid_instance, y->srcid_instance));
        assert_true(same_str(x->srcid_resolver_endpoint, y->srcid_resolver_endpoint));
        assert_true(same_str(x->firewall_rule_action, y->firewall_rule_action));
        assert_int_equal(x->nanswers, y->nanswers);
        assert_int_equal(x->nans, y->nans);
        for (uint32_t k = 0; k < x->nans; k++) {
            assert_true(same_str(x->ans[k].rdata, y->ans[k].rdata));
            assert_int_equal(x->ans[k].type, y->ans[k].type);
        }
        assert_int_equal(x->qname_ok, y->qname_ok);
        assert_string_equal(x->qname.name, y->qname.name);
        assert_int_equal(x->qname.reg, y->qname.reg);
        free(ka);
        free(kb);
    }
    /* What the records above hold. */
    {
        char text[4200], *k1, *k2, *k3, *k4;
        struct cm_event e;

        snprintf(text, sizeof(text), "%s\n", records[2]);
        e = one_event(text, &k1);
        assert_int_equal(e.u.dns.nanswers, 5);
        assert_int_equal(e.u.dns.nans, 5);
        assert_int_equal(e.u.dns.ans[0].type, CM_DNS_RR_CNAME);
        assert_int_equal(e.u.dns.ans[1].type, CM_DNS_RR_A);
        assert_int_equal(e.u.dns.ans[2].type, CM_DNS_RR_AAAA);
        assert_int_equal(e.u.dns.ans[3].type, CM_DNS_RR_TXT);
        assert_null(e.u.dns.ans[4].rdata.p);
        assert_string_equal(e.u.dns.qname.name, "www.example.co.uk");
        assert_string_equal(e.u.dns.qname.name + e.u.dns.qname.reg, "example.co.uk");
        snprintf(text, sizeof(text), "%s\n", many);
        e = one_event(text, &k2);
        assert_int_equal(e.u.dns.nanswers, 20);
        assert_int_equal(e.u.dns.nans, CM_DNS_MAX_ANSWERS);
        snprintf(text, sizeof(text), "%s\n", records[4]);
        e = one_event(text, &k3);
        assert_int_equal(e.u.dns.srcport, -1);
        assert_str(e.u.dns.srcid_instance, "i-1");
        assert_str(e.u.dns.query_name, "x.");
        /* Elements of the answers array that are not objects are no answers. */
        snprintf(text, sizeof(text), "%s\n", records[5]);
        e = one_event(text, &k4);
        assert_int_equal(e.u.dns.nanswers, 1);
        assert_int_equal(e.u.dns.nans, 1);
        assert_str(e.u.dns.ans[0].rdata, "10.0.0.1");
        free(k1);
        free(k2);
        free(k3);
        free(k4);
    }
}

static void test_stop_and_no_doc(void **state)
{
    static const char text[] = SAMPLE "\n" SAMPLE "\n" SAMPLE "\n";
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    size_t len;
    char *buf = dup_exact(text, &len);
    (void)state;

    cm_json_doc_init(&doc, 0, 0);
    memset(&ctx, 0, sizeof(ctx));
    memset(&c, 0, sizeof(c));
    ctx.doc = &doc;
    ctx.on_event = on_event;
    ctx.ud = &c;
    c.stop_after = 2;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), CM_EFULL);
    assert_int_equal(c.nev, 2);

    /* No callbacks at all, an empty buffer, and no document. */
    ctx.on_event = NULL;
    ctx.on_reject = NULL;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, 0), 0);
    ctx.doc = NULL;
    assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), CM_EINVAL);
    cm_json_doc_finish(&doc);
    free(buf);
}

static int sniff(const char *text)
{
    size_t len;
    char *buf = dup_exact(text, &len);
    int s = cm_parser_dns.sniff(buf, len);
    free(buf);
    return s;
}

static void test_sniff(void **state)
{
    (void)state;

    assert_true(sniff(SAMPLE "\n") >= 90);
    assert_true(sniff(SAMPLE) >= 90);
    assert_true(sniff("\xef\xbb\xbf\n\r\n  " SAMPLE "\n") >= 90);
    assert_true(sniff("{\"srcaddr\":\"10.0.0.1\",\"query_name\":\"a.\"}\n") >= 90);
    assert_int_equal(sniff(""), 0);
    assert_int_equal(sniff("\n \n"), 0);
    assert_int_equal(sniff("{\"Records\":[{\"eventVersion\":\"1.08\",\"eventSource\":"
                           "\"s3.amazonaws.com\"}]}"),
                     0);
    assert_int_equal(sniff("{\"query_name\":\"a.\",\"qtype\":\"A\"}\n"), 0);
    assert_int_equal(sniff("{\"a\":1}\n{\"query_name\":\"a.\",\"query_timestamp\":\"x\"}\n"), 0);
    assert_int_equal(sniff("version account-id interface-id srcaddr dstaddr srcport dstport "
                           "protocol packets bytes start end action log-status\n"),
                     0);
    assert_int_equal(sniff("[" SAMPLE "]"), 0);
    assert_int_equal(cm_parser_dns.sniff(NULL, 0), 0);
    assert_string_equal(cm_parser_dns.name, "dns");
    assert_int_equal(cm_parser_dns.kind, CM_EV_DNS);
}

#define CWL_TIME "2026-01-05T00:00:07.000Z " /* a CloudWatch Logs export's prefix */

/* Two events read from different buffers hold the same values. */
static void assert_same_dns(const struct cm_event *a, const struct cm_event *b)
{
    const struct cm_dns *x = &a->u.dns, *y = &b->u.dns;

    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->time_ms, b->time_ms);
    assert_int_equal(a->src.length, b->src.length);
    assert_true(same_str(a->account, b->account) && same_str(a->region, b->region));
    assert_true(same_str(x->version, y->version) && same_str(x->vpc_id, y->vpc_id));
    assert_true(same_str(x->query_timestamp, y->query_timestamp));
    assert_true(same_str(x->query_name, y->query_name) && same_str(x->query_type, y->query_type));
    assert_true(same_str(x->rcode, y->rcode) && same_str(x->srcaddr, y->srcaddr));
    assert_true(same_str(x->transport, y->transport) && x->srcport == y->srcport);
    assert_true(same_str(x->srcid_instance, y->srcid_instance));
    assert_true(same_str(x->srcid_resolver_endpoint, y->srcid_resolver_endpoint));
    assert_true(same_str(x->firewall_rule_action, y->firewall_rule_action));
    assert_int_equal(x->nanswers, y->nanswers);
    assert_int_equal(x->nans, y->nans);
    for (uint32_t k = 0; k < x->nans; k++) {
        assert_true(same_str(x->ans[k].rdata, y->ans[k].rdata));
        assert_int_equal(x->ans[k].type, y->ans[k].type);
    }
    assert_int_equal(x->qname_ok, y->qname_ok);
    assert_string_equal(x->qname.name, y->qname.name);
}

/*
 * `aws logs tail`'s "<time> <stream> <record>" lines: a record without vpc_id (trimmed by a
 * shipper) takes the VPC its log stream is named after (Resolver names them "vpc-..._..."),
 * so the inventory can name its instance; a record's own vpc_id stays; an export's time
 * alone, or a stream that names no VPC, gives none. Before 2026-12-05 no record read from
 * `aws logs tail` had a VPC it did not carry itself.
 */
static void test_tail_stream_vpc(void **state)
{
#define TAIL_TIME "2026-01-05T00:00:07.000000+00:00 "
#define TRIMMED                                                                                    \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"query_timestamp\":\"2021-02-04T17:51:55Z\",\"query_name\":\"pool.minergate.com.\","         \
    "\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\",\"answers\":[],"            \
    "\"srcaddr\":\"10.0.1.14\",\"srcport\":\"56067\",\"transport\":\"UDP\"}"
    static const char text[] = TAIL_TIME
        "vpc-0a1b2c3d_i-0a1b2c3d4e5f60718 " TRIMMED "\n" TAIL_TIME "vpc-0123456789abcdef0 " SAMPLE
        "\n" CWL_TIME TRIMMED "\n" TAIL_TIME "eni-0a1b2c3d-all " TRIMMED "\n" TRIMMED "\n" TAIL_TIME
        "vpc-0123456789abcdef0 " TRIMMED "\n";
#undef TRIMMED
#undef TAIL_TIME
    static const char *const want[] = {"vpc-0a1b2c3d", "vpc-7example", NULL,
                                       NULL,           NULL,           "vpc-0123456789abcdef0"};
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct collect c;
    char *buf;
    int rc;

    (void)state;
    cm_json_doc_init(&doc, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c.nrej, 0);
    assert_int_equal(c.nev, 6);
    for (int i = 0; i < 6; i++) {
        assert_str(c.ev[i].u.dns.vpc_id, want[i]);
    }
    free(buf);
    cm_json_doc_finish(&doc);
}

/*
 * An export task's "<time> <record>" lines read as the records alone, each at
 * its offset after the time; a time that is no time is not skipped.
 */
static void test_cwl_export_prefix(void **state)
{
    static const char plain[] = SAMPLE "\n" INBOUND "\n";
    static const char bad_time[] = "2026-13-05T00:00:07.000Z ";
    char text[2048];
    const size_t t = strlen(CWL_TIME), l3 = 2 * t + strlen(SAMPLE) + strlen(INBOUND) + 3;
    const size_t l4 = l3 + 1, l5 = l4 + t + 3, l6 = l5 + t + strlen(SAMPLE) + 1;
    struct cm_json_doc doc, doc2;
    struct cm_parse_ctx ctx, ctx2;
    struct collect c, c2;
    char *buf, *buf2;
    int rc, k = 0;
    (void)state;

    /*
     * Lines: two records after a time (CRLF on the second), a blank line, an
     * empty record after a time, a record after a bad time, no record after a time.
     */
    snprintf(text, sizeof(text), "%s%s\n%s%s\r\n\n%s{}\n%s%s\n%snot json\n", CWL_TIME, SAMPLE,
             CWL_TIME, INBOUND, CWL_TIME, bad_time, SAMPLE, CWL_TIME);
    cm_json_doc_init(&doc, 0, 0);
    cm_json_doc_init(&doc2, 0, 0);
    buf = parse_text(&ctx, &c, &doc, text, &rc);
    assert_int_equal(rc, 0);
    buf2 = parse_text(&ctx2, &c2, &doc2, plain, &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(c2.nev, 2);
    assert_int_equal(c.nev, 2);
    for (int i = 0; i < 2; i++) {
        assert_same_dns(&c.ev[i], &c2.ev[i]);
    }
    assert_int_equal(t, 25);
    assert_int_equal(c.ev[0].src.offset, 25);
    assert_int_equal(c.ev[0].src.length, strlen(SAMPLE));
    assert_int_equal(c.ev[0].src.line, 1);
    assert_int_equal(c.ev[1].src.offset, 2 * t + strlen(SAMPLE) + 1);
    assert_int_equal(c.ev[1].src.length, strlen(INBOUND));
    assert_int_equal(c.ev[1].src.line, 2);
    assert_str(c.ev[1].u.dns.query_name, "evil.example.");
    /* A bad record after a good time is told at the record. */
    assert_true(c.nrej >= 3);
    assert_int_equal(c.rej[0].line, 4);
    assert_int_equal(c.rej[0].offset, l4 + t);
    assert_string_equal(c.rej[0].reason, "missing query_timestamp");
    /* Not a time, or no record after it: the line is rejected from its start. */
    assert_int_equal(c.rej[1].line, 5);
    assert_int_equal(c.rej[1].offset, l5);
    assert_string_equal(c.rej[1].reason, "record is not a JSON object");
    for (k = 2; k < c.nrej && c.rej[k].line == 5; k++) {
        assert_true(c.rej[k].offset > l5 && c.rej[k].offset < l6);
    }
    assert_true(k < c.nrej);
    assert_int_equal(c.rej[k].line, 6);
    assert_int_equal(c.rej[k].offset, l6);
    for (k++; k < c.nrej; k++) {
        assert_int_equal(c.rej[k].line, 6);
    }
    free(buf);
    free(buf2);

    /* Sniffing looks past the time. */
    assert_true(sniff(CWL_TIME SAMPLE "\n") >= 90);
    assert_true(sniff("\xef\xbb\xbf\n" CWL_TIME SAMPLE "\n" CWL_TIME INBOUND "\n") >= 90);
    assert_int_equal(sniff("2026-13-05T00:00:07.000Z " SAMPLE "\n"), 0);
    assert_int_equal(sniff(CWL_TIME "2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 100 160 ACCEPT OK\n"),
                     0);
    {
        size_t len;
        char *p = dup_exact(CWL_TIME SAMPLE "\n" CWL_TIME INBOUND "\n", &len);
        assert_ptr_equal(cm_parse_sniff(p, len), &cm_parser_dns);
        free(p);
    }
    cm_json_doc_finish(&doc);
    cm_json_doc_finish(&doc2);
}

static char *read_log(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    size_t cap = 1 << 20, n = 0;
    char *buf;

    if (gz == NULL) {
        return NULL;
    }
    buf = malloc(cap);
    for (;;) {
        int k;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        assert_non_null(buf);
        k = gzread(gz, buf + n, (unsigned)(cap - n));
        if (k <= 0) {
            break;
        }
        n += (size_t)k;
    }
    gzclose(gz);
    *len = n;
    return buf;
}

struct count_only {
    long ev, rej;
    struct cm_parse_ctx *ctx;
    struct cm_json_doc *spare;
};

/* Counts, and hands the document off every 1000 events as a batching caller would. */
static int count_event(void *ud, struct cm_event *ev)
{
    struct count_only *c = ud;
    struct cm_json_doc *full = c->ctx->doc;

    assert_true(ev->u.dns.query_name.len > 0);
    if (++c->ev % 1000 == 0) {
        c->ctx->doc = c->spare;
        c->spare = full;
    }
    return 0;
}

static void count_reject(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                         const char *reason)
{
    struct count_only *c = ud;
    (void)kind;
    (void)offset;
    if (c->rej++ < 5) {
        print_message("reject line %u: %s\n", line, reason);
    }
}

static void test_shared_data(void **state)
{
    const char *shared = getenv("SHARED");
    char dir[1024];
    DIR *d;
    struct dirent *de;
    int files = 0;
    (void)state;

    snprintf(dir, sizeof(dir), "%s/data/derived-route53", shared ? shared : "../shared");
    d = opendir(dir);
    if (d == NULL) {
        skip();
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[2048];
        struct cm_json_doc docs[2];
        struct cm_parse_ctx ctx;
        struct count_only c;
        size_t len = 0, lines = 0;
        char *buf;

        if (strstr(de->d_name, ".jsonl") == NULL) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        buf = read_log(path, &len);
        assert_non_null(buf);
        for (size_t i = 0; i < len; i++) {
            lines += buf[i] == '\n';
        }
        assert_true(cm_parser_dns.sniff(buf, len < 4096 ? len : 4096) >= 90);
        cm_json_doc_init(&docs[0], 0, 0);
        cm_json_doc_init(&docs[1], 0, 0);
        memset(&ctx, 0, sizeof(ctx));
        memset(&c, 0, sizeof(c));
        ctx.doc = &docs[0];
        ctx.on_event = count_event;
        ctx.on_reject = count_reject;
        ctx.ud = &c;
        c.ctx = &ctx;
        c.spare = &docs[1];
        assert_int_equal(cm_parser_dns.parse(&ctx, buf, len), 0);
        if (c.rej != 0 || (size_t)c.ev != lines) {
            fail_msg("%s: %ld events, %ld rejects, %zu lines", de->d_name, c.ev, c.rej, lines);
        }
        cm_json_doc_finish(&docs[0]);
        cm_json_doc_finish(&docs[1]);
        free(buf);
        files++;
    }
    closedir(d);
    assert_true(files > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_record),
        cmocka_unit_test(test_optional_and_odd_values),
        cmocka_unit_test(test_escaped_values_with_arena),
        cmocka_unit_test(test_blank_lines_crlf_and_bases),
        cmocka_unit_test(test_reject_reasons),
        cmocka_unit_test(test_junk_and_concatenated_objects),
        cmocka_unit_test(test_utf8_reason_in_a_chunk),
        cmocka_unit_test(test_text_line_one_reject),
        cmocka_unit_test(test_doc_swap),
        cmocka_unit_test(test_doc_swap_fresh_docs),
        cmocka_unit_test(test_node_cap),
        cmocka_unit_test(test_fast_matches_reader),
        cmocka_unit_test(test_stop_and_no_doc),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_cwl_export_prefix),
        cmocka_unit_test(test_tail_stream_vpc),
        cmocka_unit_test(test_shared_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
