/*
 * Unit tests for the one-pass reader of the usual log event in the
 * CloudWatch Logs unwrapper (lib/parse/cwl.c, fast_event). It must give
 * exactly what the JSON reader gives (c->full_reader): the same text, the
 * same map and the same bad entries, for every log event, good or bad, and
 * for every prefix of an input. Each case is unwrapped both ways and
 * compared; c->fast shows which events the one-pass reader took, so a
 * reader that always handed over would fail here. Inputs live in
 * exactly-sized heap buffers so ASan catches any read past the end.
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

#define HEAD_DATA                                                                                  \
    "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"111122223333\",\"logGroup\":\"/r53/q\","        \
    "\"logStream\":\"vpc-1\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["
#define TAIL "]}"

struct both {
    struct cm_cwl fast, full;
    char *buf;
    size_t len;
};

/* Unwraps text[0..n) (a heap copy) both ways, capped at max, and checks they agree. */
static void unwrap_both_n(struct both *b, const char *text, size_t n, size_t max)
{
    int rc_fast, rc_full;

    b->buf = malloc(n ? n : 1);
    assert_non_null(b->buf);
    memcpy(b->buf, text, n);
    b->len = n;
    cm_cwl_init(&b->fast, max);
    cm_cwl_init(&b->full, max);
    b->full.full_reader = true;
    rc_fast = cm_cwl_unwrap(&b->fast, b->buf, n);
    rc_full = cm_cwl_unwrap(&b->full, b->buf, n);
    assert_int_equal(rc_fast, rc_full);
    assert_int_equal(b->full.fast, 0);
    if (b->fast.out.len != b->full.out.len ||
        (b->fast.out.len > 0 && memcmp(b->fast.out.p, b->full.out.p, b->fast.out.len) != 0)) {
        fail_msg("one pass gave '%.*s', the JSON reader '%.*s' (input '%.*s')",
                 (int)b->fast.out.len, b->fast.out.p ? b->fast.out.p : "", (int)b->full.out.len,
                 b->full.out.p ? b->full.out.p : "", (int)n, text);
    }
    /* The text stays a C string, even after an event the one-pass reader began and left. */
    assert_true(b->fast.out.p == NULL || b->fast.out.p[b->fast.out.len] == '\0');
    assert_int_equal(b->fast.npiece, b->full.npiece);
    if (b->fast.npiece > 0) {
        assert_memory_equal(b->fast.piece, b->full.piece, b->fast.npiece * sizeof(*b->fast.piece));
    }
    assert_int_equal(b->fast.control, b->full.control);
    assert_int_equal(b->fast.nrun, b->full.nrun);
    if (b->fast.nrun > 0) {
        assert_memory_equal(b->fast.run, b->full.run, b->fast.nrun * sizeof(*b->fast.run));
    }
    assert_int_equal(b->fast.norigin, b->full.norigin);
    if (b->fast.norigin > 0) {
        assert_memory_equal(b->fast.origin, b->full.origin,
                            b->fast.norigin * sizeof(*b->fast.origin));
    }
    assert_int_equal(b->fast.nbad, b->full.nbad);
    for (size_t k = 0; k < b->fast.nbad; k++) {
        assert_int_equal(b->fast.bad[k].off, b->full.bad[k].off);
        assert_int_equal(b->fast.bad[k].line, b->full.bad[k].line);
        assert_string_equal(b->fast.bad[k].reason, b->full.bad[k].reason);
    }
}

static void unwrap_both(struct both *b, const char *text)
{
    unwrap_both_n(b, text, strlen(text), 0);
}

static void both_done(struct both *b)
{
    cm_cwl_finish(&b->fast);
    cm_cwl_finish(&b->full);
    free(b->buf);
}

/* One log event in a delivery; returns how many of them the one-pass reader took. */
static uint64_t one(const char *event, const char *want_out, size_t want_bad)
{
    char text[4096];
    struct both b;
    uint64_t fast;

    assert_true((size_t)snprintf(text, sizeof(text), HEAD_DATA "%s" TAIL, event) < sizeof(text));
    unwrap_both(&b, text);
    if (want_out != NULL) {
        assert_int_equal(b.fast.out.len, strlen(want_out));
        assert_memory_equal(b.fast.out.p, want_out, strlen(want_out));
    }
    assert_int_equal(b.fast.nbad, want_bad);
    fast = b.fast.fast;
    both_done(&b);
    return fast;
}

/* The usual shapes are read in one pass, escapes and UTF-8 included. */
static void test_usual_shapes_in_one_pass(void **state)
{
    (void)state;
    assert_int_equal(one("{\"id\":\"1\",\"timestamp\":2,\"message\":\"one\"}", "one\n", 0), 1);
    assert_int_equal(one("{\"message\":\"m\"}", "m\n", 0), 1);
    assert_int_equal(one("{\"id\":\"1\",\"timestamp\":-2,\"message\":\"{\\\"a\\\":\\\"b\\\"}\"}",
                         "{\"a\":\"b\"}\n", 0),
                     1);
    assert_int_equal(one("{\"message\":\"q\\\"b\\\\s\\/f\\bb\\ff\\nn\\rr\\tt\"}",
                         "q\"b\\s/f\bb\ff\nn\rr\tt\n", 0),
                     1);
    /* A message that already ends with a newline gets no second one. */
    assert_int_equal(one("{\"message\":\"line\\n\"}", "line\n", 0), 1);
    /* UTF-8 of 2, 3 and 4 bytes, and DEL, are copied as they are. */
    assert_int_equal(one("{\"message\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"}",
                         "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\n", 0),
                     1);
    /* Near the end of the input, where the reader goes a byte at a time. */
    assert_int_equal(one("{\"message\":\"\xc3\xa9\\t\"}", "\xc3\xa9\t\n", 0), 1);
    /* awscli's pretty print: whitespace everywhere JSON allows it. */
    assert_int_equal(one("{\n  \"logStreamName\" : \"s\" ,\r\n\t\"timestamp\": 1,\n"
                         "  \"message\"  :  \"x\" ,\n  \"eventId\": \"0\"\n}",
                         "x\n", 0),
                     1);
    assert_int_equal(
        one("{\"timestamp\":0,\"message\":\"z\",\"ingestionTime\":1234567890123}", "z\n", 0), 1);
}

/* Everything else goes to the JSON reader, which gives the text or the reject it always did. */
static void test_other_shapes_to_the_json_reader(void **state)
{
    (void)state;
    /* Read, by the JSON reader. */
    assert_int_equal(one("{\"message\":\"\\u0041\\u00e9\"}", "A\xc3\xa9\n", 0), 0);
    assert_int_equal(one("{\"mess\\u0061ge\":\"k\"}", "k\n", 0), 0);
    assert_int_equal(one("{\"timestamp\":1.5,\"message\":\"f\"}", "f\n", 0), 0);
    assert_int_equal(one("{\"timestamp\":1e3,\"message\":\"e\"}", "e\n", 0), 0);
    assert_int_equal(one("{\"x\":true,\"message\":\"t\"}", "t\n", 0), 0);
    assert_int_equal(one("{\"x\":null,\"message\":\"n\"}", "n\n", 0), 0);
    assert_int_equal(one("{\"x\":{\"y\":[1]},\"message\":\"o\"}", "o\n", 0), 0);
    /* Two messages: the JSON reader's lookup takes the first. */
    assert_int_equal(one("{\"message\":\"first\",\"message\":\"second\"}", "first\n", 0), 0);
    /* Two log streams (awscli's logStreamName, which names the source): the first, too. */
    assert_int_equal(one("{\"logStreamName\":\"vpc-0_i-1\",\"logStreamName\":\"vpc-1_i-1\","
                         "\"message\":\"s\"}",
                         "s\n", 0),
                     0);
    /* Rejects, with the JSON reader's reasons, also after a good event. */
    assert_int_equal(
        one("{\"message\":\"good\"},{\"message\":\"0123456789abcdef0123\\x\"}", "good\n", 1), 1);
    assert_int_equal(one("{\"id\":\"1\"}", "", 1), 0);
    assert_int_equal(one("{}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":7}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"a\\qb\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"a\x01z\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"bad \xc3\x28 utf8\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"overlong \xc0\xaf\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"surrogate \xed\xa0\x80\"}", "", 1), 0);
    assert_int_equal(one("{\"timestamp\":012,\"message\":\"z\"}", "", 1), 0);
    assert_int_equal(one("{\"timestamp\":-,\"message\":\"z\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"m\",}", "", 1), 0);
    assert_int_equal(one("{\"message\" \"m\"}", "", 1), 0);
    assert_int_equal(one("{\"message\":\"m\" \"id\":1}", "", 1), 0);
    assert_int_equal(one("[\"message\"]", "", 1), 0);
}

/*
 * An escape (one that is two special bytes, \", and one that is one, \n) or
 * a UTF-8 sequence at every place around the 16-byte vector steps, and the
 * closing quote after it at every distance.
 */
static void test_vector_boundaries(void **state)
{
    static const char *const raw[] = {"\\\"", "\\n", "\xc3\xa9"};
    static const char *const cooked[] = {"\"", "\n", "\xc3\xa9"};
    char msg[200], event[300], want[200];
    (void)state;

    for (size_t kind = 0; kind < 3; kind++) {
        for (size_t n = 1; n < 70; n++) {
            for (size_t at = 0; at < n; at += 1 + at / 8) {
                size_t o = 0, m = 0;

                for (size_t k = 0; k < n; k++) {
                    if (k == at) {
                        memcpy(msg + m, raw[kind], strlen(raw[kind]));
                        m += strlen(raw[kind]);
                        memcpy(want + o, cooked[kind], strlen(cooked[kind]));
                        o += strlen(cooked[kind]);
                    } else {
                        msg[m++] = (char)('a' + (char)(k % 26));
                        want[o++] = (char)('a' + (char)(k % 26));
                    }
                }
                msg[m] = '\0';
                if (want[o - 1] != '\n') {
                    want[o++] = '\n';
                }
                want[o] = '\0';
                snprintf(event, sizeof(event), "{\"message\":\"%s\",\"id\":\"0123456789abcdef\"}",
                         msg);
                assert_int_equal(one(event, want, 0), 1);
            }
        }
    }
}

/* Every prefix of a delivery, cut inside any event, agrees too (cut short, at the end). */
static void test_every_prefix(void **state)
{
    static const char text[] = HEAD_DATA
        "{\"id\":\"0123456789\",\"timestamp\":1767571200000,\"message\":\"{\\\"version\\\":"
        "\\\"1.100000\\\",\\\"query_name\\\":\\\"example.com.\\\",\\\"srcids\\\":{}}\"},"
        "{\"id\":\"1\",\"timestamp\":2,\"message\":\"caf\xc3\xa9 \\u00e9 two\"},"
        "{\"id\":\"2\",\"timestamp\":3,\"message\":\"three \\\\ \\/\"}" TAIL HEAD_DATA
        "{\"id\":\"3\",\"timestamp\":4,\"message\":\"four\"}" TAIL;
    struct both b;
    (void)state;

    unwrap_both(&b, text);
    assert_int_equal(b.fast.npiece, 4);
    assert_int_equal(b.fast.fast, 3);
    both_done(&b);
    for (size_t n = 0; n < sizeof(text) - 1; n++) {
        unwrap_both_n(&b, text, n, 0);
        both_done(&b);
    }
}

/* Near the cap the one-pass reader steps aside; the result is the JSON reader's. */
static void test_cap(void **state)
{
    static const char text[] = HEAD_DATA "{\"message\":\"0123456789\"}" TAIL;
    struct both b;
    (void)state;

    for (size_t max = 1; max < sizeof(text) + 40; max++) {
        unwrap_both_n(&b, text, sizeof(text) - 1, max);
        if (b.fast.out.len > 0) {
            assert_int_equal(b.fast.out.len, 11);
        }
        both_done(&b);
    }
}

/* A health check's events are taken back from c->fast as from the pieces. */
static void test_control_message_not_counted(void **state)
{
    static const char text[] =
        "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logEvents\":["
        "{\"id\":\"\",\"timestamp\":1,\"message\":\"CWL CONTROL MESSAGE: Checking "
        "health\"}]}" HEAD_DATA "{\"id\":\"1\",\"timestamp\":2,\"message\":\"one\"},"
        "{\"id\":\"2\",\"timestamp\":3,\"message\":\"two\"}" TAIL;
    struct both b;
    (void)state;

    unwrap_both(&b, text);
    assert_int_equal(b.fast.control, 1);
    assert_int_equal(b.fast.npiece, 2);
    assert_int_equal(b.fast.fast, 2);
    both_done(&b);
}

/*
 * A message longer than the one-pass reader's room (4 MiB) goes to the JSON
 * reader, so the text never reserves much more than it holds; one shorter
 * is read in one pass. Both ways give the same text.
 */
static void test_long_messages(void **state)
{
    const size_t sizes[] = {(4u << 20) - 4096, (4u << 20) + 4096};
    (void)state;

    for (size_t k = 0; k < 2; k++) {
        size_t n = sizes[k], len = 0;
        char *text = malloc(n + n / 32 + 512);
        struct both b;

        assert_non_null(text);
        len += (size_t)sprintf(text, "%s{\"id\":\"1\",\"timestamp\":2,\"message\":\"", HEAD_DATA);
        for (size_t i = 0; i < n; i++) {
            text[len++] = i % 64 == 31 ? '\\' : (char)('a' + (char)(i % 26));
            if (i % 64 == 31) {
                text[len++] = 'n';
            }
        }
        len += (size_t)sprintf(text + len, "\"}%s", TAIL);
        unwrap_both_n(&b, text, len, 0);
        assert_int_equal(b.fast.npiece, 1);
        assert_int_equal(b.fast.fast, k == 0 ? 1 : 0);
        assert_int_equal(b.fast.out.len, n + 1);
        both_done(&b);
        free(text);
    }
}

/* xorshift64*: the same cases on every run. */
static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ull;
}

/*
 * Messages as dense in escapes as a JSON record carried in a message
 * (`{\"version\":\"1.100000\",...}`), which the reader takes 64 bytes at a
 * time: runs of 0 to 70 plain bytes between escapes of every kind (two-byte
 * ones that are special on both bytes, \" and \\, and ones that are not, \/
 * and \n), backslash runs, UTF-8, and now and then what only the JSON reader
 * takes (\u) or what it rejects (a control byte, a bad escape), so every
 * escape falls at every place of a 64-byte step, its escaped byte also in the
 * next step. 400 deliveries of 12 events; each is unwrapped both ways and
 * must agree, and the one-pass reader must have taken most events.
 */
static void test_escape_dense_chunks(void **state)
{
    static const char *const piece[] = {"\\\"",    "\\\\",     "\\/",      "\\n",
                                        "\\t",     "\\\\\\\"", "\\\"\\\"", "\xc3\xa9",
                                        "\\u0041", "\x01",     "\\x"};
    static const unsigned weight[] = {40, 8, 4, 4, 2, 4, 4, 2, 1, 1, 1};
    uint64_t x = 0x9e3779b97f4a7c15ull, fast = 0, events = 0;
    size_t cap = 1 << 16;
    char *text = malloc(cap);
    (void)state;

    assert_non_null(text);
    for (int d = 0; d < 400; d++) {
        size_t len = (size_t)sprintf(text, "%s", HEAD_DATA);
        struct both b;

        for (int e = 0; e < 12; e++) {
            size_t target = 40 + next_rand(&x) % 600;
            size_t start;

            len += (size_t)sprintf(text + len, "%s{\"id\":\"%d\",\"timestamp\":%d,\"message\":\"",
                                   e ? "," : "", e, d);
            start = len;
            while (len - start < target) {
                size_t run = next_rand(&x) % 71, k = next_rand(&x) % 68, w = 0;

                for (size_t i = 0; i < run; i++) {
                    text[len++] = (char)('a' + (char)(next_rand(&x) % 26));
                }
                for (size_t j = 0; j < sizeof(weight) / sizeof(weight[0]); j++) {
                    if (k < w + weight[j]) {
                        len += (size_t)sprintf(text + len, "%s", piece[j]);
                        break;
                    }
                    w += weight[j];
                }
            }
            len += (size_t)sprintf(text + len, "\"}");
        }
        len += (size_t)sprintf(text + len, "%s", TAIL);
        assert_true(len < cap);
        unwrap_both_n(&b, text, len, 0);
        fast += b.fast.fast;
        events += b.fast.npiece;
        both_done(&b);
    }
    /* About one message in four has a \u, a control byte or a bad escape. */
    assert_true(events > 4000);
    assert_true(fast > events / 2);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usual_shapes_in_one_pass),
        cmocka_unit_test(test_other_shapes_to_the_json_reader),
        cmocka_unit_test(test_vector_boundaries),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_control_message_not_counted),
        cmocka_unit_test(test_long_messages),
        cmocka_unit_test(test_escape_dense_chunks),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
