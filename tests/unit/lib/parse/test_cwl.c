/*
 * Unit tests for the CloudWatch Logs unwrapper (lib/parse/cwl.c): sniffing
 * subscription deliveries and awscli output, unwrapping concatenated
 * deliveries with control messages left out, message escapes, the map from
 * every message back to its log event (offset, length, line) and
 * cm_cwl_locate, each bad log event with its offset, line and reason, cut
 * and damaged input, and the output cap. Inputs live in exactly-sized heap
 * buffers so ASan catches any read past the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "parse/cwl.h"
#include "parse/parse.h"

/* A subscription delivery's members before its log events, as Firehose writes them. */
#define HEAD_DATA                                                                                  \
    "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/r53/q\","        \
    "\"logStream\":\"vpc-1_i-1\",\"subscriptionFilters\":[\"to-s3\"],\"logEvents\":["
#define HEAD_CTRL                                                                                  \
    "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","         \
    "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":["
#define TAIL             "]}"
#define DELIVERY(events) HEAD_DATA events TAIL

#define EV_CTRL                                                                                    \
    "{\"id\":\"\",\"timestamp\":1,\"message\":\"CWL CONTROL MESSAGE: Checking health of "          \
    "destination Firehose.\"}"
#define EV1 "{\"id\":\"1\",\"timestamp\":2,\"message\":\"one\"}"
#define EV2 "{\"id\":\"2\",\"timestamp\":3,\"message\":\"two\"}"
#define EV3 "{\"id\":\"3\",\"timestamp\":4,\"message\":\"three\"}"
#define EV4 "{\"id\":\"4\",\"timestamp\":5,\"message\":\"four\"}"

/* awscli's `aws logs filter-log-events` output, as it prints it. */
#define AWSCLI_FILTER                                                                              \
    "{\n"                                                                                          \
    "    \"events\": [\n"                                                                          \
    "        {\n"                                                                                  \
    "            \"logStreamName\": \"s\",\n"                                                      \
    "            \"timestamp\": 1,\n"                                                              \
    "            \"message\": \"first\",\n"                                                        \
    "            \"ingestionTime\": 2,\n"                                                          \
    "            \"eventId\": \"0\"\n"                                                             \
    "        },\n"                                                                                 \
    "        {\n"                                                                                  \
    "            \"logStreamName\": \"s\",\n"                                                      \
    "            \"timestamp\": 3,\n"                                                              \
    "            \"message\": \"second\",\n"                                                       \
    "            \"ingestionTime\": 4,\n"                                                          \
    "            \"eventId\": \"1\"\n"                                                             \
    "        }\n"                                                                                  \
    "    ],\n"                                                                                     \
    "    \"searchedLogStreams\": [\n"                                                              \
    "        {\n"                                                                                  \
    "            \"logStreamName\": \"s\",\n"                                                      \
    "            \"searchedCompletely\": true\n"                                                   \
    "        }\n"                                                                                  \
    "    ]\n"                                                                                      \
    "}\n"

/* awscli's `aws logs get-log-events` output. */
#define AWSCLI_GET                                                                                 \
    "{\n"                                                                                          \
    "    \"events\": [\n"                                                                          \
    "        {\n"                                                                                  \
    "            \"timestamp\": 1,\n"                                                              \
    "            \"message\": \"got\",\n"                                                          \
    "            \"ingestionTime\": 2\n"                                                           \
    "        }\n"                                                                                  \
    "    ],\n"                                                                                     \
    "    \"nextForwardToken\": \"f/1\",\n"                                                         \
    "    \"nextBackwardToken\": \"b/1\"\n"                                                         \
    "}\n"

struct run {
    struct cm_cwl c;
    char *buf;
    size_t len;
    int rc;
};

static char *dup_exact(const char *text, size_t n)
{
    char *p = malloc(n ? n : 1);

    assert_non_null(p);
    memcpy(p, text, n);
    return p;
}

/* Unwraps the first n bytes of text (a heap copy) into r->c capped at max. */
static void run_n(struct run *r, const char *text, size_t n, size_t max)
{
    r->buf = dup_exact(text, n);
    r->len = n;
    cm_cwl_init(&r->c, max);
    r->rc = cm_cwl_unwrap(&r->c, r->buf, r->len);
}

static void run_text(struct run *r, const char *text)
{
    run_n(r, text, strlen(text), 0);
}

static void run_done(struct run *r)
{
    cm_cwl_finish(&r->c);
    free(r->buf);
}

static void assert_out(const struct cm_cwl *c, const char *want)
{
    size_t n = strlen(want);

    if (c->out.len != n || (n > 0 && memcmp(c->out.p, want, n) != 0)) {
        fail_msg("out is '%.*s' (%zu bytes), want '%s' (%zu bytes)", (int)c->out.len,
                 c->out.p ? c->out.p : "", c->out.len, want, n);
    }
}

/* Piece k is exactly this, and its source bytes are the log event text ev. */
static void assert_piece(const struct run *r, size_t k, uint64_t out_off, uint64_t src_off,
                         const char *ev, uint32_t line)
{
    const struct cm_cwl_piece *p;

    assert_true(k < r->c.npiece);
    p = &r->c.piece[k];
    assert_int_equal(p->out_off, out_off);
    assert_int_equal(p->src_off, src_off);
    assert_int_equal(p->src_len, strlen(ev));
    assert_int_equal(p->src_line, line);
    assert_memory_equal(r->buf + p->src_off, ev, p->src_len);
}

static void assert_bad(const struct cm_cwl *c, size_t k, uint64_t off, uint32_t line,
                       const char *reason)
{
    assert_true(k < c->nbad);
    if (c->bad[k].off != off || c->bad[k].line != line ||
        strstr(c->bad[k].reason, reason) == NULL) {
        fail_msg("bad %zu: off %llu line %u '%s', want off %llu line %u '...%s...'", k,
                 (unsigned long long)c->bad[k].off, c->bad[k].line, c->bad[k].reason,
                 (unsigned long long)off, line, reason);
    }
}

/* The first byte, a middle byte and the newline of every message map back to its piece. */
static void assert_locate_all(const struct cm_cwl *c)
{
    for (size_t k = 0; k < c->npiece; k++) {
        uint64_t from = c->piece[k].out_off;
        uint64_t end = k + 1 < c->npiece ? c->piece[k + 1].out_off : c->out.len;

        assert_true(from < end);
        assert_int_equal(c->out.p[end - 1], '\n');
        assert_ptr_equal(cm_cwl_locate(c, from), &c->piece[k]);
        assert_ptr_equal(cm_cwl_locate(c, from + (end - from) / 2), &c->piece[k]);
        assert_ptr_equal(cm_cwl_locate(c, end - 1), &c->piece[k]);
    }
    /* With a cursor, every byte forwards, then backwards, then every seventh: the same. */
    for (int pass = 0; pass < 3; pass++) {
        size_t cursor = pass == 2 ? c->npiece + 5 : 0; /* also one out of range */

        for (size_t i = 0; i < c->out.len; i++) {
            size_t off = pass == 0 ? i : pass == 1 ? c->out.len - 1 - i : (i * 7) % c->out.len;

            assert_ptr_equal(cm_cwl_locate_from(c, off, &cursor), cm_cwl_locate(c, off));
            assert_true(c->npiece == 0 || &c->piece[cursor] == cm_cwl_locate(c, off));
        }
    }
}

static int sniff(const char *text)
{
    size_t n = strlen(text);
    char *buf = dup_exact(text, n);
    int s = cm_cwl_sniff(buf, n);

    free(buf);
    return s;
}

static void test_sniff(void **state)
{
    char big[8192];
    size_t n;
    (void)state;

    assert_true(sniff(HEAD_DATA EV1 TAIL));
    assert_true(sniff(HEAD_CTRL EV_CTRL TAIL));
    assert_true(sniff(AWSCLI_FILTER));
    assert_true(sniff(AWSCLI_GET));
    assert_true(sniff("\xef\xbb\xbf \r\n\t" HEAD_DATA EV1 TAIL));
    assert_true(sniff("{ \"logGroup\" : \"g\", \"logEvents\" : [] }"));
    /* Some other JSON, a Resolver record, a flow log line. */
    assert_false(sniff("{\"Records\":[{\"eventVersion\":\"1.08\",\"eventSource\":"
                       "\"s3.amazonaws.com\"}]}"));
    assert_false(sniff("{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"query_"
                       "timestamp\":\"2021-02-04T17:51:55Z\",\"query_name\":\"a.\"}\n"));
    assert_false(sniff("2 111122223333 eni-0123456789abcdef0 203.0.113.12 10.0.1.14 50242 22 "
                       "6 4 240 1741082400 1741082459 REJECT OK\n"));
    /* The first member must be one of the wrappers'; an events list alone is not enough. */
    assert_false(sniff("{\"foo\":1,\"events\":[]}"));
    /* (capital E: CloudTrail's look-up events, test_lookup_events) */
    assert_true(sniff("{\"Events\":[{\"CloudTrailEvent\":\"x\"}]}"));
    assert_false(sniff("{\"event\":[{\"message\":\"x\"}]}"));
    assert_false(sniff("{\"eventsX\":[{\"message\":\"x\"}]}"));
    assert_false(sniff("[" HEAD_DATA EV1 TAIL "]"));
    /* A wrapper's first member but no log event list. */
    assert_false(sniff("{\"owner\":\"111122223333\",\"logGroup\":\"g\"}"));
    assert_false(sniff("{\"messageType\":\"DATA_MESSAGE\",\"x\":\"\\\"logEvents\\\"\"}"));
    assert_false(sniff("{\"messageType"));
    assert_false(sniff("{"));
    assert_false(sniff(""));
    assert_false(sniff(" \n\t"));
    assert_false(cm_cwl_sniff(NULL, 0));
    assert_false(cm_cwl_sniff(NULL, 100));
    /* The log event list must show in the first 4096 bytes. */
    n = (size_t)snprintf(big, sizeof(big), "{\"owner\":\"%0*d\",\"logEvents\":[]}", 4100, 7);
    assert_true(n < sizeof(big));
    assert_false(sniff(big));
    n = (size_t)snprintf(big, sizeof(big), "{\"owner\":\"%0*d\",\"logEvents\":[]}", 4000, 7);
    assert_true(n < sizeof(big));
    assert_true(sniff(big));
}

/* A control message, two deliveries glued together and one after a newline. */
static void test_concatenated_deliveries(void **state)
{
    static const char text[] =
        HEAD_CTRL EV_CTRL TAIL DELIVERY(EV1 "," EV2) DELIVERY(EV3) "\n" DELIVERY(EV4) "\n";
    const size_t ctrl = strlen(HEAD_CTRL EV_CTRL TAIL), head = strlen(HEAD_DATA);
    const size_t d1 = ctrl + strlen(HEAD_DATA EV1 "," EV2 TAIL);
    const size_t d2 = d1 + strlen(HEAD_DATA EV3 TAIL) + 1;
    struct run r;
    (void)state;

    run_text(&r, text);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\nthree\nfour\n");
    assert_int_equal(r.c.control, 1);
    assert_int_equal(r.c.nbad, 0);
    assert_int_equal(r.c.npiece, 4);
    assert_piece(&r, 0, 0, ctrl + head, EV1, 1);
    assert_piece(&r, 1, 4, ctrl + head + strlen(EV1 ","), EV2, 1);
    assert_piece(&r, 2, 8, d1 + head, EV3, 1);
    assert_piece(&r, 3, 14, d2 + head, EV4, 2);
    /* The same numbers, counted by hand. */
    assert_int_equal(r.c.piece[0].src_off, 366);
    assert_int_equal(r.c.piece[0].src_len, 40);
    assert_int_equal(r.c.piece[3].src_off, 778);
    assert_int_equal(r.c.piece[2].src_len, 42);

    assert_ptr_equal(cm_cwl_locate(&r.c, 0), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 1), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 3), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 4), &r.c.piece[1]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 5), &r.c.piece[1]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 7), &r.c.piece[1]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 8), &r.c.piece[2]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 10), &r.c.piece[2]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 13), &r.c.piece[2]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 14), &r.c.piece[3]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 16), &r.c.piece[3]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 18), &r.c.piece[3]);
    assert_locate_all(&r.c);

    /* A second unwrap on the same struct starts from nothing. */
    assert_int_equal(cm_cwl_unwrap(&r.c, r.buf + ctrl, r.len - ctrl), 0);
    assert_out(&r.c, "one\ntwo\nthree\nfour\n");
    assert_int_equal(r.c.control, 0);
    assert_int_equal(r.c.npiece, 4);
    assert_int_equal(r.c.piece[0].src_off, head);
    assert_int_equal(r.c.piece[3].src_off, d2 - ctrl + head);
    assert_int_equal(r.c.piece[3].src_line, 2);
    run_done(&r);
}

static void test_awscli(void **state)
{
    struct run r;
    const char *first, *second, *got;
    (void)state;

    run_text(&r, AWSCLI_FILTER);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "first\nsecond\n");
    assert_int_equal(r.c.nbad, 0);
    assert_int_equal(r.c.control, 0);
    assert_int_equal(r.c.npiece, 2);
    first = strstr(AWSCLI_FILTER, "{\n            \"logStreamName\": \"s\",\n            \"time");
    second = strstr(first + 1, "{\n            \"logStreamName\"");
    assert_int_equal(r.c.piece[0].src_off, first - AWSCLI_FILTER);
    assert_int_equal(r.c.piece[0].src_off, 26);
    assert_int_equal(r.c.piece[0].src_line, 3);
    assert_int_equal(r.c.piece[0].src_len, 164);
    assert_int_equal(r.c.piece[1].out_off, 6);
    assert_int_equal(r.c.piece[1].src_off, second - AWSCLI_FILTER);
    assert_int_equal(r.c.piece[1].src_line, 10);
    assert_int_equal(r.c.piece[1].src_len, 165);
    assert_memory_equal(r.buf + r.c.piece[1].src_off + r.c.piece[1].src_len - 13,
                        "\"1\"\n        }", 13);
    assert_locate_all(&r.c);
    run_done(&r);

    run_text(&r, AWSCLI_GET);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "got\n");
    assert_int_equal(r.c.npiece, 1);
    got = strchr(AWSCLI_GET + 2, '{');
    assert_int_equal(r.c.piece[0].src_off, got - AWSCLI_GET);
    assert_int_equal(r.c.piece[0].src_line, 3);
    assert_int_equal(r.c.piece[0].src_len, strstr(got, "}") + 1 - got);
    run_done(&r);

    /* No events: nothing out, nothing bad, and nothing to locate. */
    run_text(&r, "{\n    \"events\": [],\n    \"searchedLogStreams\": []\n}\n");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.nbad, 0);
    assert_int_equal(r.c.out.len, 0);
    assert_null(cm_cwl_locate(&r.c, 0));
    run_done(&r);

    run_text(&r, "\xef\xbb\xbf{\"events\":[ ]}");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.nbad, 0);
    run_done(&r);
}

/* A look-up event as LookupEvents gives it; its record's time t. */
#define LOOKUP_EV(id, t)                                                                           \
    "{\"EventId\":\"" id "\",\"EventName\":\"ListUsers\",\"ReadOnly\":\"true\",\"EventTime\":"     \
    "1767571200.0,\"EventSource\":\"iam.amazonaws.com\",\"Resources\":[],\"CloudTrailEvent\":"     \
    "\"{\\\"eventVersion\\\":\\\"1.08\\\",\\\"eventTime\\\":\\\"" t "\\\",\\\"id\\\":\\\"" id      \
    "\\\"}\"}"
#define LOOKUP_MSG(id, t) "{\"eventVersion\":\"1.08\",\"eventTime\":\"" t "\",\"id\":\"" id "\"}\n"

/* aws cloudtrail lookup-events: records unwrapped from "CloudTrailEvent", in time order. */
static void test_lookup_events(void **state)
{
    static const char page1[] =
        "{\"Events\":[" LOOKUP_EV("c", "2026-01-05T00:03:00Z") "," LOOKUP_EV(
            "b", "2026-01-05T00:02:00Z") "],\"NextToken\":\"t\"}";
    static const char page2[] = "{\"Events\":[" LOOKUP_EV(
        "a", "2026-01-05T00:01:00Z") "," LOOKUP_EV("a2", "2026-01-05T00:01:00Z") "]}";
    struct run r;
    char text[4096];
    (void)state;

    assert_true(sniff(page1));
    assert_false(sniff("{\"EventsX\":[]}"));
    /* Two pages, newest first as the service answers: oldest first out, records of one
     * second too (a2 came after a, so it is the older), every record still mapped to its
     * event. */
    snprintf(text, sizeof(text), "%s\n%s", page1, page2);
    for (int full = 0; full < 2; full++) {
        r.buf = dup_exact(text, strlen(text));
        r.len = strlen(text);
        cm_cwl_init(&r.c, 0);
        r.c.full_reader = full;
        r.rc = cm_cwl_unwrap(&r.c, r.buf, r.len);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.c.nbad, 0);
        assert_int_equal(r.c.lookup, 2);
        assert_out(&r.c,
                   LOOKUP_MSG("a2", "2026-01-05T00:01:00Z") LOOKUP_MSG("a", "2026-01-05T00:01:00Z")
                       LOOKUP_MSG("b", "2026-01-05T00:02:00Z")
                           LOOKUP_MSG("c", "2026-01-05T00:03:00Z"));
        assert_piece(&r, 1, strlen(LOOKUP_MSG("a2", "2026-01-05T00:01:00Z")),
                     strlen(page1) + 1 + 11, LOOKUP_EV("a", "2026-01-05T00:01:00Z"), 2);
        assert_piece(&r, 3, 3 * strlen(LOOKUP_MSG("a", "2026-01-05T00:01:00Z")) + 1, 11,
                     LOOKUP_EV("c", "2026-01-05T00:03:00Z"), 1);
        assert_locate_all(&r.c);
        run_done(&r);
    }
    /* Already in order, a tie included: left as it is. */
    snprintf(text, sizeof(text), "{\"Events\":[%s,%s,%s]}", LOOKUP_EV("a", "2026-01-05T00:01:00Z"),
             LOOKUP_EV("a2", "2026-01-05T00:01:00Z"), LOOKUP_EV("b", "2026-01-05T00:02:00Z"));
    run_text(&r, text);
    assert_out(&r.c, LOOKUP_MSG("a", "2026-01-05T00:01:00Z") LOOKUP_MSG(
                         "a2", "2026-01-05T00:01:00Z") LOOKUP_MSG("b", "2026-01-05T00:02:00Z"));
    run_done(&r);
    /* Records of one second, newest first: reversed whether or not older ones follow. */
    snprintf(text, sizeof(text), "{\"Events\":[%s,%s]}", LOOKUP_EV("n", "2026-01-05T00:01:00Z"),
             LOOKUP_EV("o", "2026-01-05T00:01:00Z"));
    run_text(&r, text);
    assert_out(&r.c,
               LOOKUP_MSG("o", "2026-01-05T00:01:00Z") LOOKUP_MSG("n", "2026-01-05T00:01:00Z"));
    run_done(&r);
    snprintf(text, sizeof(text), "{\"Events\":[%s,%s,%s]}", LOOKUP_EV("n", "2026-01-05T00:01:00Z"),
             LOOKUP_EV("o", "2026-01-05T00:01:00Z"), LOOKUP_EV("z", "2026-01-05T00:00:00Z"));
    run_text(&r, text);
    assert_out(&r.c, LOOKUP_MSG("z", "2026-01-05T00:00:00Z") LOOKUP_MSG("o", "2026-01-05T00:01:00Z")
                         LOOKUP_MSG("n", "2026-01-05T00:01:00Z"));
    run_done(&r);
    /* A message with no eventTime: nothing is moved (the parser rejects it). */
    snprintf(text, sizeof(text), "{\"Events\":[%s,{\"CloudTrailEvent\":\"{}\"}]}",
             LOOKUP_EV("b", "2026-01-05T00:02:00Z"));
    run_text(&r, text);
    assert_out(&r.c, LOOKUP_MSG("b", "2026-01-05T00:02:00Z") "{}\n");
    run_done(&r);
    /* An event without its record, one with an empty one; an empty page is no error. */
    run_text(&r, "{\"Events\":[{\"EventId\":\"x\"},{\"CloudTrailEvent\":\"\"}]}");
    assert_int_equal(r.c.npiece, 0);
    assert_bad(&r.c, 0, 11, 1, "event without a string \"CloudTrailEvent\"");
    assert_bad(&r.c, 1, 27, 1, "event with an empty \"CloudTrailEvent\"");
    assert_true(strncmp(r.c.bad[0].reason, "log event", 9) != 0);
    run_done(&r);
    run_text(&r, "{\"Events\":[],\"NextToken\":null}");
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.c.npiece + r.c.nbad, 0);
    assert_int_equal(r.c.lookup, 1);
    assert_int_equal(cm_cwl_order_by_time(&r.c), 0); /* nothing to order */
    run_done(&r);
    /* CloudWatch Logs' events keep "message" after a look-up list in the same input. */
    snprintf(text, sizeof(text), "%s%s", page2, AWSCLI_GET);
    run_text(&r, text);
    assert_int_equal(r.c.nbad, 0);
    assert_int_equal(r.c.npiece, 3);
    run_done(&r);
}

static void test_escapes(void **state)
{
    /* a"b\c, newline, d é /e; a tab; a message that ends in its own newline. */
#define EV_ESC "{\"id\":\"5\",\"message\":\"a\\\"b\\\\c\\nd\\u00e9\\/e\"}"
#define EV_TAB "{\"id\":\"6\",\"message\":\"x\\ty\"}"
#define EV_NL  "{\"id\":\"7\",\"message\":\"z\\n\"}"
    static const char text[] = HEAD_DATA EV_ESC ",\n" EV_TAB "," EV_NL "," EV1 TAIL;
    const size_t head = strlen(HEAD_DATA);
    struct run r;
    (void)state;

    run_text(&r, text);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.c.nbad, 0);
    assert_out(&r.c, "a\"b\\c\nd\xc3\xa9/e\nx\ty\nz\none\n");
    assert_int_equal(r.c.npiece, 4);
    assert_piece(&r, 0, 0, head, EV_ESC, 1);
    assert_piece(&r, 1, 12, head + strlen(EV_ESC ",\n"), EV_TAB, 2);
    assert_piece(&r, 2, 16, head + strlen(EV_ESC ",\n" EV_TAB ","), EV_NL, 2);
    assert_piece(&r, 3, 18, head + strlen(EV_ESC ",\n" EV_TAB "," EV_NL ","), EV1, 2);
    /* The newline inside the first message and the bytes after it are still its own. */
    assert_ptr_equal(cm_cwl_locate(&r.c, 5), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 6), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 11), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, 17), &r.c.piece[2]);
    assert_locate_all(&r.c);
    run_done(&r);
#undef EV_ESC
#undef EV_TAB
#undef EV_NL
}

/* Each bad log event is noted where it starts and stepped over; the good ones are read. */
static void test_bad_events(void **state)
{
    static const struct {
        const char *text;   /* one line of the input */
        const char *reason; /* NULL: a good log event */
    } lines[] = {
        {HEAD_DATA "\n", NULL},
        {EV1 ",\n", NULL},
        {"7,\n", "log event is not a JSON object"},
        {"[\"message\",\"x\"],\n", "log event is not a JSON object"},
        {"{\"id\":\"a\",\"timestamp\":1},\n", "log event without a string \"message\""},
        {"{\"id\":\"b\",\"message\":5},\n", "log event without a string \"message\""},
        {"{\"id\":\"c\",\"message\":null},\n", "log event without a string \"message\""},
        {"{\"id\":\"d\",\"message\":\"\"},\n", "log event with an empty message"},
        {"{\"id\":\"e\",\"message\":\"bad \\q escape\"},\n", "log event is not valid JSON"},
        {"{\"id\":\"f\",\"message\":\"\xff\"},\n", "log event is not valid JSON"},
        {"{\"id\":\"g\",\"message\":\"x\" \"y\"},\n", "log event is not valid JSON"},
        {EV2 "\n", NULL},
        {TAIL "\n", NULL},
    };
    char text[2048];
    size_t n = 0, off[sizeof(lines) / sizeof(lines[0])], nb = 0;
    struct run r;
    (void)state;

    for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
        off[k] = n;
        memcpy(text + n, lines[k].text, strlen(lines[k].text));
        n += strlen(lines[k].text);
    }
    run_n(&r, text, n, 0);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\n");
    assert_piece(&r, 0, 0, off[1], EV1, 2);
    assert_piece(&r, 1, 4, off[11], EV2, 12);
    assert_int_equal(r.c.npiece, 2);
    for (size_t k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
        if (lines[k].reason != NULL) {
            assert_bad(&r.c, nb++, off[k], (uint32_t)k + 1, lines[k].reason);
        }
    }
    assert_int_equal(r.c.nbad, nb);
    assert_int_equal(nb, 9);
    /* The reader's own word follows. */
    assert_true(strlen(r.c.bad[6].reason) > strlen("log event is not valid JSON: "));
    assert_locate_all(&r.c);
    run_done(&r);
}

static void test_cut_short(void **state)
{
    static const char text[] = HEAD_DATA EV1 "," EV2 "," EV3 TAIL;
    const size_t head = strlen(HEAD_DATA);
    const size_t ev3 = head + strlen(EV1 "," EV2 ",");
    struct run r;
    (void)state;

    /* Cut in the middle of the third log event. */
    run_n(&r, text, ev3 + 20, 0);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\n");
    assert_int_equal(r.c.npiece, 2);
    assert_piece(&r, 1, 4, head + strlen(EV1 ","), EV2, 1);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, ev3, 1, "cut short");
    run_done(&r);

    /* Cut inside the message string, on a later line. */
    run_text(&r, "\n\n" HEAD_DATA EV1 ",\n{\"id\":\"2\",\"message\":\"tw");
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.piece[0].src_line, 3);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, 2 + head + strlen(EV1 ",\n"), 4, "cut short");
    run_done(&r);

    /* Cut in the wrapper after its events, and after a member's colon. */
    run_n(&r, text, strlen(text) - 1, 0);
    assert_out(&r.c, "one\ntwo\nthree\n");
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen(text) - 1, 1, "expected ',' or '}'");
    run_done(&r);
    run_n(&r, HEAD_DATA, strlen("{\"messageType\":"), 0);
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen("{\"messageType\":"), 1, "cut short");
    run_done(&r);

    /* A cut delivery followed by the next one: the next one is read whole. */
    run_text(&r, HEAD_DATA EV1 ",{\"id\":\"2\",\"mes" HEAD_DATA EV3 TAIL);
    assert_out(&r.c, "one\nthree\n");
    assert_int_equal(r.c.npiece, 2);
    assert_piece(&r, 1, 4, head + strlen(EV1 ",{\"id\":\"2\",\"mes") + head, EV3, 1);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, head + strlen(EV1 ","), 1, "cut short");
    run_done(&r);
}

/* Whatever lies between deliveries is noted once; reading goes on at the next one. */
static void test_garbage_between(void **state)
{
#define G1 "\nnot json at all\n"
#define G2 "{\"x\" oops}"
#define G3 "]]]"
    static const char junk[] = DELIVERY(EV1) G1 DELIVERY(EV2) G2 DELIVERY(EV3) G3 DELIVERY(EV4);
    const size_t d = strlen(DELIVERY(EV1)), head = strlen(HEAD_DATA);
    const size_t d2 = d + strlen(G1), x = d2 + strlen(DELIVERY(EV2));
    const size_t d3 = x + strlen(G2), brk = d3 + strlen(DELIVERY(EV3));
    struct run r;
    (void)state;

    run_text(&r, junk);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\nthree\nfour\n");
    assert_int_equal(r.c.npiece, 4);
    assert_piece(&r, 1, 4, d2 + head, EV2, 3);
    assert_piece(&r, 2, 8, d3 + head, EV3, 3);
    assert_piece(&r, 3, 14, brk + strlen(G3) + head, EV4, 3);
    assert_int_equal(r.c.nbad, 3);
    assert_bad(&r.c, 0, d + 1, 2, "expected a CloudWatch Logs object");
    assert_bad(&r.c, 1, x + 5, 3, "expected ':'");
    assert_bad(&r.c, 2, brk, 3, "expected a CloudWatch Logs object");
    assert_locate_all(&r.c);
    run_done(&r);

    /* Garbage with no delivery after it ends the walk. */
    run_text(&r, HEAD_DATA EV1 TAIL " trailing words");
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, d + 1, 1, "expected a CloudWatch Logs object");
    run_done(&r);

    /* Not a wrapper at all. */
    run_text(&r, "2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 17 1 1 100 160 ACCEPT OK\n");
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, 0, 1, "expected a CloudWatch Logs object");
    run_done(&r);
#undef G1
#undef G2
#undef G3
}

static void test_control_messages(void **state)
{
    /* messageType after the log events: still a health check. */
    static const char late[] = "{\"owner\":\"CloudwatchLogs\",\"logEvents\":[" EV_CTRL "," EV_CTRL
                               "],\"messageType\":\"CONTROL_MESSAGE\"}\n" HEAD_DATA EV1 TAIL;
    static const char two[] = HEAD_CTRL EV_CTRL TAIL HEAD_DATA EV1 TAIL HEAD_CTRL EV_CTRL TAIL;
    struct run r;
    (void)state;

    run_text(&r, late);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.control, 2);
    assert_int_equal(r.c.npiece, 1);
    assert_piece(&r, 0, 0, strchr(late, '\n') + 1 + strlen(HEAD_DATA) - late, EV1, 2);
    assert_int_equal(r.c.nbad, 0);
    run_done(&r);

    run_text(&r, two);
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.control, 2);
    assert_int_equal(r.c.npiece, 1);
    assert_locate_all(&r.c);
    run_done(&r);

    /* Only control messages: nothing out. */
    run_text(&r, HEAD_CTRL EV_CTRL TAIL);
    assert_int_equal(r.c.control, 1);
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.out.len, 0);
    assert_null(cm_cwl_locate(&r.c, 0));
    run_done(&r);
}

/* After a cut or damaged wrapper the walk goes on after what it read, never back into it. */
static void test_resync(void **state)
{
    static const char nested[] =
        "{\"x\":{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":["
        "{\"message\":\"inner\"}]},\"logEvents\":[{\"message\":\"outer\"}]";
    static const char ctrl_cut[] = HEAD_CTRL EV_CTRL "]";
    static const char midcut[] =
        HEAD_DATA EV1 ",{\"id\":\"2\",\"message\":\"tw" DELIVERY(EV3) DELIVERY(EV4);
    static const char other[] = DELIVERY(EV1) "\n{\"version\":\"1\",\"query_name\":\"a.\"}\n";
    struct run r;
    (void)state;

    /* A delivery that starts inside a broken member's value is read once. */
    run_text(&r, "{\"owner\":x{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":"
                 "\"once\"}]");
    assert_out(&r.c, "once\n");
    run_done(&r);

    /* A delivery-shaped value of a member of a cut wrapper is not read as a delivery. */
    run_text(&r, nested);
    assert_out(&r.c, "outer\n");
    assert_int_equal(r.c.npiece, 1);
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen(nested), 1, "expected ',' or '}'");
    run_done(&r);

    /* A control message cut short is still left out. */
    run_text(&r, ctrl_cut);
    assert_int_equal(r.c.out.len, 0);
    assert_int_equal(r.c.npiece, 0);
    assert_int_equal(r.c.control, 1);
    run_done(&r);

    /* A log event cut by the next delivery is one reject; both later deliveries are read. */
    run_text(&r, midcut);
    assert_out(&r.c, "one\nthree\nfour\n");
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen(HEAD_DATA EV1 ","), 1, "cut short");
    assert_locate_all(&r.c);
    run_done(&r);

    /* An object that is not a delivery is noted, not skipped in silence. */
    run_text(&r, other);
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen(DELIVERY(EV1)) + 1, 2, "not a CloudWatch Logs delivery");
    run_done(&r);

    /* A trailing comma in the list of log events. */
    run_text(&r, HEAD_DATA EV1 ",]}");
    assert_out(&r.c, "one\n");
    assert_int_equal(r.c.nbad, 1);
    assert_bad(&r.c, 0, strlen(HEAD_DATA EV1 ","), 1, "no log event after it");
    run_done(&r);
}

/* max_pieces: the walk stops once that many messages are out, and that is not an error. */
static void test_max_pieces(void **state)
{
    static const char text[] = HEAD_CTRL EV_CTRL TAIL DELIVERY(EV1 "," EV2) DELIVERY(EV3);
    struct run r;
    (void)state;

    r.buf = dup_exact(text, strlen(text));
    r.len = strlen(text);
    cm_cwl_init(&r.c, 0);
    r.c.max_pieces = 2;
    assert_int_equal(cm_cwl_unwrap(&r.c, r.buf, r.len), 0);
    assert_out(&r.c, "one\ntwo\n");
    assert_int_equal(r.c.npiece, 2);
    assert_int_equal(r.c.control, 1); /* a health check is no message */
    assert_int_equal(r.c.nbad, 0);
    run_done(&r);
}

static void test_cap(void **state)
{
    static const char text[] = HEAD_DATA EV1 "," EV2 TAIL;
    struct run r;
    (void)state;

    /* "one\n" and "two\n" need 8 bytes. */
    run_n(&r, text, strlen(text), 7);
    assert_int_equal(r.rc, CM_E2BIG);
    run_done(&r);
    run_n(&r, text, strlen(text), 2);
    assert_int_equal(r.rc, CM_E2BIG);
    run_done(&r);
    run_n(&r, text, strlen(text), 8);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\n");
    run_done(&r);

    /* A message much larger than the cap. */
    {
        char big[4096];
        int n = snprintf(big, sizeof(big), "%s{\"message\":\"%0*d\"}%s", HEAD_DATA, 3000, 1, TAIL);

        run_n(&r, big, (size_t)n, 1024);
        assert_int_equal(r.rc, CM_E2BIG);
        run_done(&r);
        run_n(&r, big, (size_t)n, 0);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.c.out.len, 3001);
        run_done(&r);
    }

    /* 4 GiB or more is refused before a byte is read. */
    run_text(&r, HEAD_DATA EV1 TAIL);
    assert_int_equal(cm_cwl_unwrap(&r.c, r.buf, (size_t)UINT32_MAX), CM_E2BIG);
    assert_int_equal(r.c.npiece, 0);
    run_done(&r);
}

/* Where the parser put events and rejects in the unwrapped text. */
struct seen {
    uint64_t ev_off[4], rej_off[4];
    uint32_t ev_line[4], rej_line[4];
    int nev, nrej;
};

static int seen_event(void *ud, struct cm_event *ev)
{
    struct seen *s = ud;

    if (s->nev < 4) {
        s->ev_off[s->nev] = ev->src.offset;
        s->ev_line[s->nev++] = ev->src.line;
    }
    return 0;
}

static void seen_reject(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                        const char *reason)
{
    struct seen *s = ud;

    (void)kind;
    (void)reason;
    if (s->nrej < 4) {
        s->rej_off[s->nrej] = offset;
        s->rej_line[s->nrej++] = line;
    }
}

/* The unwrapped text is a Resolver log; its events and rejects map back to their log events. */
static void test_unwrapped_parses(void **state)
{
#define REC                                                                                        \
    "{\\\"version\\\":\\\"1.100000\\\",\\\"account_id\\\":\\\"111122223333\\\","                   \
    "\\\"query_timestamp\\\":\\\"2021-02-04T17:51:55Z\\\",\\\"query_name\\\":\\\"a.example.\\\","  \
    "\\\"query_type\\\":\\\"A\\\",\\\"srcaddr\\\":\\\"10.0.1.14\\\"}"
#define EV_REC "{\"id\":\"1\",\"message\":\"" REC "\"}"
    static const char text[] = HEAD_DATA "\n" EV_REC ",\n" EV1 ",\n" EV_REC TAIL;
    const size_t head = strlen(HEAD_DATA "\n");
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    struct seen seen;
    struct run r;
    (void)state;

    run_text(&r, text);
    assert_int_equal(r.c.npiece, 3);
    assert_ptr_equal(cm_parse_sniff(r.c.out.p, r.c.out.len), &cm_parser_dns);
    memset(&seen, 0, sizeof(seen));
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = seen_event;
    ctx.on_reject = seen_reject;
    ctx.ud = &seen;
    assert_int_equal(cm_parser_dns.parse(&ctx, r.c.out.p, r.c.out.len), 0);
    /* Two records, and "one", which is no Resolver record. */
    assert_int_equal(seen.nev, 2);
    assert_int_equal(seen.nrej, 1);
    assert_int_equal(seen.ev_line[0], 1);
    assert_int_equal(seen.rej_line[0], 2);
    assert_int_equal(seen.ev_line[1], 3);
    assert_ptr_equal(cm_cwl_locate(&r.c, seen.ev_off[0]), &r.c.piece[0]);
    assert_ptr_equal(cm_cwl_locate(&r.c, seen.rej_off[0]), &r.c.piece[1]);
    assert_ptr_equal(cm_cwl_locate(&r.c, seen.ev_off[1]), &r.c.piece[2]);
    assert_piece(&r, 0, 0, head, EV_REC, 2);
    assert_piece(&r, 1, seen.rej_off[0], head + strlen(EV_REC ",\n"), EV1, 3);
    assert_piece(&r, 2, seen.ev_off[1], head + strlen(EV_REC ",\n" EV1 ",\n"), EV_REC, 4);
    cm_json_doc_finish(&doc);
    run_done(&r);
#undef EV_REC
#undef REC
}

/* Piece k's origin: account and VPC ("" for none; NULL: no origin at all). */
static void assert_origin(const struct cm_cwl *c, size_t k, const char *account, const char *vpc)
{
    const struct cm_cwl_origin *o;

    assert_true(k < c->npiece);
    o = cm_cwl_origin_of(c, &c->piece[k]);
    if (account == NULL) {
        assert_null(o);
        return;
    }
    assert_non_null(o);
    assert_string_equal(o->account, account);
    assert_string_equal(o->vpc, vpc);
}

/*
 * Who sent each log event: a delivery's "owner" (an account id; a health check's
 * "CloudwatchLogs" is none) and the VPC its "logStream" is named after (Resolver's
 * streams), whatever the order of the members; with awscli's filter-log-events, each
 * event's "logStreamName". Both readers agree. Before 2026-12-05 none of it was kept, and a
 * Resolver record without vpc_id read from CloudWatch Logs was never attributed.
 */
static void test_origin(void **state)
{
    static const char in[] = HEAD_CTRL EV_CTRL TAIL
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/r53\","
        "\"logStream\":\"vpc-0a1b2c3d_i-0123456789abcdef0\",\"logEvents\":[" EV1 "," EV2 "]}"
        "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[" EV3 "],\"logStream\":"
        "\"vpc-0123456789abcdef0\",\"owner\":\"444455556666\"}"
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logStream\":"
        "\"eni-0a1b2c3d-all\",\"logEvents\":[" EV4 "]}"
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"777788889999\",\"logStream\":"
        "\"vpc-0a1b2c3dz\",\"logEvents\":[" EV1 "]}";
    static const char cli[] =
        "{\"events\":[{\"logStreamName\":\"vpc-0a1b2c3d_rslvr-in-1\",\"timestamp\":1,"
        "\"message\":\"a\"},{\"logStreamName\":\"vpc-0a1b2c3d_rslvr-in-1\",\"timestamp\":2,"
        "\"message\":\"b\"},{\"timestamp\":3,\"message\":\"c\",\"logStreamName\":"
        "\"vpc-0123456789abcdef0\"},{\"timestamp\":4,\"message\":\"d\"},{\"logStreamName\":"
        "\"vpc-0a1b2c3d\",\"timestamp\":5,\"message\":\"\\u0065\"}]}";

    (void)state;
    for (int full = 0; full < 2; full++) {
        struct cm_cwl c;
        char *buf = dup_exact(in, sizeof(in) - 1);

        cm_cwl_init(&c, 0);
        c.full_reader = full;
        assert_int_equal(cm_cwl_unwrap(&c, buf, sizeof(in) - 1), 0);
        assert_int_equal(c.npiece, 5);
        assert_origin(&c, 0, "111122223333", "vpc-0a1b2c3d");
        assert_origin(&c, 1, "111122223333", "vpc-0a1b2c3d");
        assert_origin(&c, 2, "444455556666", "vpc-0123456789abcdef0");
        assert_origin(&c, 3, NULL, NULL);
        assert_origin(&c, 4, "777788889999", "");
        assert_int_equal(c.norigin, 3); /* the first two events share one */
        free(buf);

        buf = dup_exact(cli, sizeof(cli) - 1);
        assert_int_equal(cm_cwl_unwrap(&c, buf, sizeof(cli) - 1), 0);
        assert_out(&c, "a\nb\nc\nd\ne\n");
        assert_origin(&c, 0, "", "vpc-0a1b2c3d");
        assert_origin(&c, 1, "", "vpc-0a1b2c3d");
        assert_origin(&c, 2, "", "vpc-0123456789abcdef0");
        assert_origin(&c, 3, NULL, NULL);
        assert_origin(&c, 4, "", "vpc-0a1b2c3d");
        assert_int_equal(c.norigin, 3);
        cm_cwl_finish(&c);
        free(buf);
    }
}

/*
 * Log event ids: a subscription's logEvents[].id and awscli's events[].eventId, with the log
 * stream, give a piece the same id in both (the same event delivered twice); the same id in
 * another stream is another event; no id, a numeric one, an export task's lines and
 * CloudTrail's look-up events give 0. Both readers agree (a \u escape sends one to the JSON
 * reader).
 */
static void test_event_ids(void **state)
{
    static const char fh[] =
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/g\","
        "\"logStream\":\"eni-0a1b2c3d-all\",\"logEvents\":["
        "{\"id\":\"37000000000000000000000000000000000000000000000000000001\",\"timestamp\":1,"
        "\"message\":\"a\"},"
        "{\"id\":\"37000000000000000000000000000000000000000000000000000002\",\"timestamp\":1,"
        "\"message\":\"\\u0062\"},"
        "{\"timestamp\":1,\"message\":\"c\"},{\"id\":7,\"timestamp\":1,\"message\":\"d\"}]}"
        "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/g\","
        "\"logStream\":\"eni-99999999-all\",\"logEvents\":["
        "{\"id\":\"37000000000000000000000000000000000000000000000000000001\",\"timestamp\":1,"
        "\"message\":\"a\"}]}";
    static const char cli[] =
        "{\"events\":[{\"logStreamName\":\"eni-0a1b2c3d-all\",\"timestamp\":1,\"message\":\"b\","
        "\"ingestionTime\":2,\"eventId\":"
        "\"37000000000000000000000000000000000000000000000000000002\"},"
        "{\"timestamp\":1,\"message\":\"a\",\"eventId\":"
        "\"37000000000000000000000000000000000000000000000000000001\",\"logStreamName\":"
        "\"eni-0a1b2c3d-all\"}]}";
    static const char lookup[] =
        "{\"Events\":[{\"EventId\":\"e1\",\"CloudTrailEvent\":\"x\",\"id\":\"1\"}]}";

    (void)state;
    for (int full = 0; full < 2; full++) {
        struct cm_cwl c, d;
        char *buf = dup_exact(fh, sizeof(fh) - 1), *buf2 = dup_exact(cli, sizeof(cli) - 1);

        cm_cwl_init(&c, 0);
        cm_cwl_init(&d, 0);
        c.full_reader = d.full_reader = full;
        assert_int_equal(cm_cwl_unwrap(&c, buf, sizeof(fh) - 1), 0);
        assert_out(&c, "a\nb\nc\nd\na\n");
        assert_true(c.piece[0].id != 0 && c.piece[1].id != 0 && c.piece[0].id != c.piece[1].id);
        assert_true(c.piece[2].id == 0 && c.piece[3].id == 0);
        assert_true(c.piece[4].id != 0 && c.piece[4].id != c.piece[0].id); /* another stream */
        assert_int_equal(cm_cwl_unwrap(&d, buf2, sizeof(cli) - 1), 0);
        assert_int_equal(d.npiece, 2);
        assert_true(d.piece[0].id == c.piece[1].id);
        assert_true(d.piece[1].id == c.piece[0].id);
        free(buf2);
        buf2 = dup_exact(lookup, sizeof(lookup) - 1);
        assert_int_equal(cm_cwl_unwrap(&d, buf2, sizeof(lookup) - 1), 0);
        assert_int_equal(d.npiece, 1);
        assert_true(d.piece[0].id == 0);
        cm_cwl_finish(&d);
        cm_cwl_finish(&c);
        free(buf2);
        free(buf);
    }
}

/*
 * One Firehose stream fed by several log groups: a run starts at the first piece of each
 * delivery whose log group is not the one of the delivery with pieces before it (a health
 * check between them changes nothing); one log group, or none named, is no run. Before
 * 2026-12-05 the scan parsed all the messages with one parser.
 */
static void test_runs(void **state)
{
#define DLV(group, events)                                                                         \
    "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"" group           \
    "\",\"logStream\":\"s\",\"logEvents\":[" events "]}"
    static const char in[] =
        DLV("/r53", EV1 "," EV2) DLV("/r53", EV3) HEAD_CTRL EV_CTRL TAIL DLV("flows", EV4)
            DLV("flows", EV1) DLV("/r53", EV2) DLV("/r53", "") DLV("trail", EV3);
    static const char one[] = DLV("/r53", EV1) HEAD_CTRL EV_CTRL TAIL DLV("/r53", EV2 "," EV3);
    static const char none[] = "{\"logEvents\":[" EV1 "]}{\"logEvents\":[" EV2 "]}";
#undef DLV
    struct run r;

    (void)state;
    run_text(&r, in);
    assert_int_equal(r.rc, 0);
    assert_out(&r.c, "one\ntwo\nthree\nfour\none\ntwo\nthree\n");
    assert_int_equal(r.c.nrun, 3);
    assert_int_equal(r.c.run[0], 3); /* flows' first delivery */
    assert_int_equal(r.c.run[1], 5); /* /r53 again (its empty delivery after it adds none) */
    assert_int_equal(r.c.run[2], 6); /* trail */
    run_done(&r);
    run_text(&r, one);
    assert_int_equal(r.c.npiece, 3);
    assert_int_equal(r.c.nrun, 0);
    run_done(&r);
    run_text(&r, none);
    assert_int_equal(r.c.npiece, 2);
    assert_int_equal(r.c.nrun, 0);
    run_done(&r);
}

/* The VPC a log stream's name starts with, and names that start with none. */
static void test_stream_vpc(void **state)
{
    static const struct {
        const char *stream, *vpc;
    } cases[] = {
        {"vpc-0a1b2c3d", "vpc-0a1b2c3d"},
        {"vpc-0a1b2c3d_i-0123456789abcdef0", "vpc-0a1b2c3d"},
        {"vpc-0123456789abcdef0_rslvr-in-0123456789abcdef0", "vpc-0123456789abcdef0"},
        {"vpc-0123456789abcdef0/dns", "vpc-0123456789abcdef0"},
        {"vpc-0a1b2c3d-resolver", "vpc-0a1b2c3d"},
        {"vpc-0a1b2c3", ""},
        {"vpc-0a1b2c3d0", ""},
        {"vpc-0a1b2c3dz", ""},
        {"vpc-0A1B2C3D", ""},
        {"vpc-0123456789abcdef01", ""},
        {"xvpc-0a1b2c3d", ""},
        {"eni-0a1b2c3d-all", ""},
        {"", ""},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_str v = cm_cwl_stream_vpc(cm_str_make(cases[i].stream, strlen(cases[i].stream)));

        if (v.len != strlen(cases[i].vpc) || memcmp(v.p ? v.p : "", cases[i].vpc, v.len) != 0) {
            fail_msg("%s: '%.*s', want '%s'", cases[i].stream, (int)v.len, v.p ? v.p : "",
                     cases[i].vpc);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_concatenated_deliveries),
        cmocka_unit_test(test_awscli),
        cmocka_unit_test(test_lookup_events),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_bad_events),
        cmocka_unit_test(test_cut_short),
        cmocka_unit_test(test_garbage_between),
        cmocka_unit_test(test_control_messages),
        cmocka_unit_test(test_resync),
        cmocka_unit_test(test_max_pieces),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_unwrapped_parses),
        cmocka_unit_test(test_origin),
        cmocka_unit_test(test_runs),
        cmocka_unit_test(test_event_ids),
        cmocka_unit_test(test_stream_vpc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
