/*
 * Unit tests for what CloudWatch Logs tools write before each message
 * (cm_parse_cwl_prefix, lib/parse/parse.c): an export task's "<time> ", and
 * `aws logs tail`'s two text forms, "<time> " with a zone-less UTC time
 * (--format short) and "<time> <log stream> " (the default, detailed). Then
 * each of the three formats, written the three ways, is sniffed and parsed to
 * the same records as the bare lines, each record's offset after its prefix.
 * Inputs live in exactly-sized heap buffers so ASan catches any read past
 * the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "parse/parse.h"

#define DNS_REC                                                                                    \
    "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","          \
    "\"vpc_id\":\"vpc-0abc\",\"query_timestamp\":\"2026-01-05T00:00:07Z\",\"query_name\":"         \
    "\"example.com.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\","          \
    "\"answers\":[],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\",\"transport\":\"UDP\","          \
    "\"srcids\":{\"instance\":\"i-0123456789abcdef0\"}}"
#define FLOW_REC                                                                                   \
    "2 111122223333 eni-0a1b2c3d4e5f60718 10.0.0.5 203.0.113.9 50000 443 6 10 840 "                \
    "1767571200 1767571260 ACCEPT OK"
#define CT_REC                                                                                     \
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"accountId\":"             \
    "\"111122223333\",\"userName\":\"alice\"},\"eventTime\":\"2026-01-05T00:00:07Z\","             \
    "\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"ListUsers\",\"awsRegion\":"             \
    "\"us-east-1\",\"sourceIPAddress\":\"203.0.113.9\",\"recipientAccountId\":\"111122223333\","   \
    "\"eventID\":\"0e7d0c4b-9c0f-4d0e-9b6c-1a2b3c4d5e6f\",\"eventType\":\"AwsApiCall\"}"

static size_t prefix(const char *text)
{
    size_t n = strlen(text);
    char *buf = malloc(n ? n : 1);
    size_t k;

    assert_non_null(buf);
    memcpy(buf, text, n);
    k = cm_parse_cwl_prefix(buf, n, 0);
    free(buf);
    return k;
}

static void test_prefix_forms(void **state)
{
    (void)state;
    /* An export task's time. */
    assert_int_equal(prefix("2026-01-05T00:00:07.000Z {\"a\":1}"), 25);
    assert_int_equal(prefix("2026-01-05T00:00:07Z 2 111122223333 eni-1"), 21);
    /* aws logs tail --format short: UTC, no zone. */
    assert_int_equal(prefix("2026-01-05T00:00:07 {\"a\":1}"), 20);
    assert_int_equal(prefix("2026-01-05T00:00:07 2 111122223333 eni-1"), 20);
    /* aws logs tail (detailed): the stream after the time, before a JSON record... */
    assert_int_equal(prefix("2026-01-05T00:00:07.000000+00:00 vpc-0abc_i-1 {\"a\":1}"),
                     strlen("2026-01-05T00:00:07.000000+00:00 vpc-0abc_i-1 "));
    assert_int_equal(
        prefix("2026-01-05T00:00:07.123456+00:00 111122223333_CloudTrail_us-east-1 {}"),
        strlen("2026-01-05T00:00:07.123456+00:00 111122223333_CloudTrail_us-east-1 "));
    /* ...or a flow log's, named after its interface. */
    assert_int_equal(prefix("2026-01-05T00:00:07.000000+00:00 eni-0a1b2c3d-all 2 1 eni-0a1b2c3d"),
                     strlen("2026-01-05T00:00:07.000000+00:00 eni-0a1b2c3d-all "));
    assert_int_equal(prefix("2026-01-05T00:00:07.000000+00:00 eni-0a1b-accept 2 1"),
                     strlen("2026-01-05T00:00:07.000000+00:00 eni-0a1b-accept "));
    assert_int_equal(prefix("2026-01-05T00:00:07.000000+00:00 eni-0a1b-reject 2 1"),
                     strlen("2026-01-05T00:00:07.000000+00:00 eni-0a1b-reject "));
    /* A word that may be the record's own first field is the record's. */
    assert_int_equal(prefix("2026-01-05T00:00:07Z eni-0a1b2c3d 10.0.0.5 443"), 21);
    assert_int_equal(prefix("2026-01-05T00:00:07Z eni--all 10.0.0.5 443"), 21);
    assert_int_equal(prefix("2026-01-05T00:00:07Z vpc-0abc 2 1 eni-1"), 21);
    assert_int_equal(prefix("2026-01-05T00:00:07Z {\"a\":1} {\"b\":2}"), 21);
    /* A word before a '{' is a stream even when the record is cut; before nothing it is not. */
    assert_int_equal(prefix("2026-01-05T00:00:07Z stream {"), 28);
    assert_int_equal(prefix("2026-01-05T00:00:07Z stream "), 21);
    /* Whole seconds: older awscli v2 prints isoformat() without a fraction then. */
    assert_int_equal(prefix("2026-01-05T00:00:07+00:00 vpc-0abc_i-1 {\"a\":1}"),
                     strlen("2026-01-05T00:00:07+00:00 vpc-0abc_i-1 "));
    /* The stream is a word of this line: a line of one word never takes the next line's. */
    assert_int_equal(prefix("2026-01-05T00:00:07 x\n2026-01-05T00:00:08 {\"a\":1}"), 20);
    assert_int_equal(prefix("2026-01-05T00:00:07 x\r\n2026-01-05T00:00:08 {\"a\":1}"), 20);
    assert_int_equal(prefix("2026-01-05T00:00:07 eni-0a1b-all\n2 1 eni-0a1b"), 20);
    /* Not a time: nothing. */
    assert_int_equal(prefix("2026-13-05T00:00:07Z {\"a\":1}"), 0);
    assert_int_equal(prefix("2026-01-05T24:00:07 {\"a\":1}"), 0);
    assert_int_equal(prefix("2026-01-05T00:00 {\"a\":1}......"), 0);
    assert_int_equal(prefix("2026-01-05T00:00:07x {\"a\":1}"), 0);
    assert_int_equal(prefix("2026-01-05T00:00:07"), 0);
    assert_int_equal(prefix("2026-01-05T00:00:07 "), 0);
    assert_int_equal(prefix("2 111122223333 eni-0a1b2c3d4e5f60718 10.0.0.5"), 0);
    assert_int_equal(cm_parse_cwl_prefix(NULL, 0, 0), 0);
}

struct got {
    int events, rejects;
    uint32_t reject_line[8];
    uint64_t first_off;
    uint32_t first_len, last_line;
    char first_name[64];
};

static int on_event(void *ud, struct cm_event *ev)
{
    struct got *g = ud;

    if (g->events++ == 0) {
        g->first_off = ev->src.offset;
        g->first_len = ev->src.length;
    }
    g->last_line = ev->src.line;
    if (ev->kind == CM_EV_DNS) {
        snprintf(g->first_name, sizeof(g->first_name), "%.*s", (int)ev->u.dns.query_name.len,
                 ev->u.dns.query_name.p);
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct got *g = ud;

    (void)k;
    (void)off;
    (void)reason;
    if (g->rejects < 8) {
        g->reject_line[g->rejects] = line;
    }
    g->rejects++;
}

/* Parses text[0..n) (a heap copy) with p, the default flow format set; fills *g. */
static void parse_with(const struct cm_parser *p, const char *text, size_t n, struct got *g)
{
    char *buf = malloc(n ? n : 1);
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;

    assert_non_null(buf);
    memcpy(buf, text, n);
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 4096, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.arena = &arena;
    cm_flow_format_default(&ctx.flow_fmt);
    memset(g, 0, sizeof(*g));
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = g;
    assert_int_equal(p->parse(&ctx, buf, n), 0);
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
    free(buf);
}

/* Sniffs and parses three lines, each `pre` then rec; checks what was read. */
static void three_lines(const char *pre, const char *rec, enum cm_event_kind kind)
{
    char text[4096];
    size_t n = 0;
    const struct cm_parser *p;
    struct got g;
    char *buf;

    for (int i = 0; i < 3; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s\n", pre, rec);
    }
    assert_true(n < sizeof(text));
    buf = malloc(n);
    assert_non_null(buf);
    memcpy(buf, text, n);
    p = cm_parse_sniff(buf, n); /* an exactly-sized copy, as parse_with's */
    free(buf);
    if (p == NULL || p->kind != kind) {
        fail_msg("'%s' lines sniffed as %s", pre, p ? p->name : "nothing");
    }
    parse_with(p, text, n, &g);
    assert_int_equal(g.events, 3);
    assert_int_equal(g.rejects, 0);
    assert_int_equal(g.first_off, strlen(pre));
    assert_int_equal(g.first_len, strlen(rec));
    assert_int_equal(g.last_line, 3);
    if (kind == CM_EV_DNS) {
        assert_string_equal(g.first_name, "example.com.");
    }
}

static void test_three_formats_three_ways(void **state)
{
    static const char *const pre[] = {
        "",
        "2026-01-05T00:00:07.000Z ",
        "2026-01-05T00:00:07 ",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
        three_lines(pre[i], DNS_REC, CM_EV_DNS);
        three_lines(pre[i], FLOW_REC, CM_EV_FLOW);
        three_lines(pre[i], CT_REC, CM_EV_CLOUDTRAIL);
    }
    three_lines("2026-01-05T00:00:07.000000+00:00 vpc-0abc ", DNS_REC, CM_EV_DNS);
    three_lines("2026-01-05T00:00:07.000000+00:00 eni-0a1b2c3d4e5f60718-all ", FLOW_REC,
                CM_EV_FLOW);
    three_lines("2026-01-05T00:00:07.000000+00:00 111122223333_CloudTrail_us-east-1 ", CT_REC,
                CM_EV_CLOUDTRAIL);
}

/*
 * A line whose record is one word, then a good line: each bad line is told on
 * its own line, and the lines after it keep their numbers.
 */
static void test_bad_lines_keep_their_lines(void **state)
{
    static const char text[] = "2026-01-05T00:00:06.000Z " DNS_REC "\n"
                               "2026-01-05T00:00:07.000Z truncated\n"
                               "2026-01-05T00:00:08.000Z " DNS_REC "\n"
                               "2026-01-05T00:00:09.000Z {broken\n"
                               "2026-01-05T00:00:10.000Z " DNS_REC "\n";
    const struct cm_parser *parsers[] = {&cm_parser_dns, &cm_parser_cloudtrail};
    (void)state;

    for (size_t k = 0; k < 2; k++) {
        struct got g;

        parse_with(parsers[k], text, sizeof(text) - 1, &g);
        if (k == 0) {
            /* The Resolver parser: three records, the bad lines 2 and 4. */
            assert_int_equal(g.events, 3);
            assert_int_equal(g.last_line, 5);
            assert_int_equal(g.rejects, 2);
            assert_int_equal(g.reject_line[0], 2);
            assert_int_equal(g.reject_line[1], 4);
        } else {
            /* Not CloudTrail records: every line is told, at its own line, in order. */
            int seen2 = 0, seen4 = 0;

            assert_true(g.rejects >= 5 && g.rejects <= 8);
            for (int r = 0; r < g.rejects; r++) {
                assert_true(r == 0 || g.reject_line[r] >= g.reject_line[r - 1]);
                seen2 |= g.reject_line[r] == 2;
                seen4 |= g.reject_line[r] == 4;
            }
            assert_true(seen2 && seen4);
            assert_int_equal(g.reject_line[g.rejects - 1], 5);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix_forms),
        cmocka_unit_test(test_three_formats_three_ways),
        cmocka_unit_test(test_bad_lines_keep_their_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
