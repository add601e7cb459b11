/*
 * Unit tests for lib/base/json.h, reader side: the tape parser (grammar,
 * UTF-8, numbers, escapes, limits, streaming with cm_json_parse_at) and the
 * accessors. The writer is tested in test_json_write.c.
 *
 * Every input is copied into a heap buffer of exactly its length with no
 * terminating NUL, so under ASan any read past the end of the source fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

#include "json_fixture.h"
}

static void bad(struct fx *f, const char *s, int code)
{
    int rc = parse(f, s);
    if (rc != code) {
        fail_msg("expected %s to fail with %d, got %d", s, code, rc);
    }
    assert_true(f->diag.msg[0] != '\0');
}

static void bad_n(struct fx *f, const char *s, size_t n, int code)
{
    int rc = parse_n(f, s, n);
    if (rc != code) {
        fail_msg("expected input of %zu bytes to fail with %d, got %d", n, code, rc);
    }
}

static uint32_t type_of(struct fx *f, uint32_t i)
{
    return f->doc.nodes[i].tag & CM_JSON_TYPE_MASK;
}

static struct cm_str sval(struct fx *f, uint32_t i)
{
    return cm_json_str(&f->doc, i, &f->arena);
}

static void assert_str(struct cm_str s, const char *want, size_t wlen)
{
    if (!cm_str_present(s) || s.len != wlen || memcmp(s.p, want, wlen) != 0) {
        fail_msg("string mismatch: got %.*s (%zu bytes)", (int)s.len, s.p ? s.p : "", s.len);
    }
}

/* ---- values and tape shape ---- */

static void test_scalars(void **state)
{
    struct fx *f = *state;

    ok(f, "null");
    assert_int_equal(f->doc.n, 1);
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_NULL);
    ok(f, " true ");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_TRUE);
    assert_int_equal(f->doc.nodes[0].off, 1);
    ok(f, "\t\r\nfalse\n");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_FALSE);
    ok(f, "0");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_NUMBER);
    assert_int_equal(f->doc.nodes[0].len, 1);
    ok(f, "\"hi\"");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_STRING);
    assert_int_equal(f->doc.nodes[0].off, 1);
    assert_int_equal(f->doc.nodes[0].len, 2);
    assert_int_equal(f->doc.nodes[0].next, 1);
    ok(f, "\"\"");
    assert_int_equal(f->doc.nodes[0].len, 0);
    assert_str(sval(f, 0), "", 0);
    ok(f, "[]");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_ARRAY);
    assert_int_equal(f->doc.nodes[0].len, 0);
    assert_int_equal(cm_json_first(&f->doc, 0), CM_JSON_NONE);
    ok(f, "{}");
    assert_int_equal(cm_json_type(&f->doc, 0), CM_JSON_OBJECT);
    assert_int_equal(f->doc.nodes[0].next, 1);
}

static void test_tape_shape(void **state)
{
    struct fx *f = *state;
    /*                 0  1   2 3 4 5  6   7      8   9   */
    const char *s = "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}";
    static const uint32_t types[] = {CM_JSON_OBJECT, CM_JSON_STRING, CM_JSON_ARRAY,  CM_JSON_NUMBER,
                                     CM_JSON_NUMBER, CM_JSON_OBJECT, CM_JSON_STRING, CM_JSON_NULL,
                                     CM_JSON_STRING, CM_JSON_STRING};
    static const uint32_t next[] = {10, 2, 8, 4, 5, 8, 7, 8, 9, 10};
    static const uint32_t lens[] = {2, 1, 3, 1, 1, 1, 1, 4, 1, 1};

    ok(f, s);
    assert_int_equal(f->doc.n, 10);
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(type_of(f, i), types[i]);
        assert_int_equal(f->doc.nodes[i].next, next[i]);
        assert_int_equal(f->doc.nodes[i].len, lens[i]);
    }
    assert_int_equal(f->doc.nodes[0].off, 0);
    assert_int_equal(f->doc.nodes[2].off, 5);
    assert_int_equal(f->doc.nodes[5].off, 10);
    /* Sibling iteration. */
    assert_int_equal(cm_json_first(&f->doc, 2), 3);
    assert_int_equal(cm_json_next(&f->doc, 2, 3), 4);
    assert_int_equal(cm_json_next(&f->doc, 2, 4), 5);
    assert_int_equal(cm_json_next(&f->doc, 2, 5), CM_JSON_NONE);
    assert_int_equal(cm_json_next(&f->doc, 0, 2), 8);
    assert_int_equal(cm_json_next(&f->doc, 0, 9), CM_JSON_NONE);
}

static void test_nested_empty(void **state)
{
    struct fx *f = *state;

    ok(f, "[[],{},[[]],{\"a\":{}}]");
    assert_int_equal(f->doc.n, 8);
    assert_int_equal(f->doc.nodes[0].len, 4);
    assert_int_equal(f->doc.nodes[0].next, 8);
    assert_int_equal(f->doc.nodes[1].next, 2);
    assert_int_equal(f->doc.nodes[2].next, 3);
    assert_int_equal(f->doc.nodes[3].len, 1);
    assert_int_equal(f->doc.nodes[3].next, 5);
    assert_int_equal(f->doc.nodes[4].len, 0);
    assert_int_equal(f->doc.nodes[5].len, 1);
    assert_int_equal(f->doc.nodes[5].next, 8);
    assert_int_equal(type_of(f, 7), CM_JSON_OBJECT);
    assert_int_equal(f->doc.nodes[7].next, 8);
    ok(f, " [ 1 , [ 2 , [ 3 ] ] , 4 ] ");
    assert_int_equal(f->doc.nodes[0].len, 3);
    assert_int_equal(f->doc.nodes[2].len, 2);
    assert_int_equal(f->doc.nodes[4].len, 1);
    assert_int_equal(f->doc.nodes[2].next, 6);
}

static void test_duplicate_keys(void **state)
{
    struct fx *f = *state;
    int64_t v = 0;
    uint32_t k, n = 0;

    ok(f, "{\"a\":1,\"b\":2,\"a\":3}");
    assert_int_equal(f->doc.nodes[0].len, 3);
    assert_int_equal(cm_json_i64(&f->doc, cm_json_get(&f->doc, 0, "a"), &v), 0);
    assert_int_equal(v, 1);
    for (k = cm_json_first(&f->doc, 0); k != CM_JSON_NONE; k = cm_json_next(&f->doc, 0, k + 1)) {
        n++;
    }
    assert_int_equal(n, 3);
}

static const char *ct_record =
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
    "\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"sessionContext\":"
    "{\"attributes\":{\"creationDate\":\"2024-01-02T03:04:05Z\",\"mfaAuthenticated\":\"true\"}}},"
    "\"eventTime\":\"2024-01-02T03:04:06Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":"
    "\"GetObject\",\"requestParameters\":{\"bucketName\":\"b\",\"tags\":[{\"k\":\"x\"},{\"k\":"
    "\"y\"}]},\"readOnly\":true,\"bytes\":375,\"resources\":[],\"e\\u0078tra\":null}";

static void test_get_and_path(void **state)
{
    struct fx *f = *state;
    uint32_t u, v;

    ok(f, ct_record);
    u = cm_json_get(&f->doc, 0, "userIdentity");
    assert_int_equal(cm_json_type(&f->doc, u), CM_JSON_OBJECT);
    assert_str(sval(f, cm_json_get(&f->doc, u, "type")), "IAMUser", 7);
    assert_str(sval(f, cm_json_getn(&f->doc, u, "arnXYZ", 3)),
               "arn:aws:iam::123456789012:user/alice", 36);
    v = cm_json_path(&f->doc, 0, "userIdentity.sessionContext.attributes.mfaAuthenticated");
    assert_true(cm_json_truthy(&f->doc, v));
    assert_str(sval(f, cm_json_path(&f->doc, 0, "requestParameters.tags.1.k")), "y", 1);
    assert_str(sval(f, cm_json_path(&f->doc, 0, "requestParameters.tags.0.k")), "x", 1);
    assert_int_equal(cm_json_path(&f->doc, 0, "requestParameters.tags.2.k"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "requestParameters.tags.x"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "requestParameters.bucketName.x"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "nope"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, ""), 0);
    assert_int_equal(cm_json_path(&f->doc, CM_JSON_NONE, "a"), CM_JSON_NONE);
    /* A key written with an escape is found by its unescaped name. */
    v = cm_json_get(&f->doc, 0, "extra");
    assert_int_equal(cm_json_type(&f->doc, v), CM_JSON_NULL);
    assert_int_equal(cm_json_get(&f->doc, 0, "e\\u0078tra"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, 0, "extr"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, 0, "extraa"), CM_JSON_NONE);
    /* Misses and wrong types. */
    assert_int_equal(cm_json_get(&f->doc, 0, "eventname"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, u + 1, "x"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, CM_JSON_NONE, "x"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, f->doc.n + 5, "x"), CM_JSON_NONE);
    assert_int_equal(cm_json_get(&f->doc, 0, NULL), CM_JSON_NONE);
    v = cm_json_get(&f->doc, 0, "resources");
    assert_int_equal(f->doc.nodes[v].len, 0);
    assert_true(cm_json_truthy(&f->doc, cm_json_get(&f->doc, 0, "readOnly")));
}

/*
 * cm_json_getn against a plain reference: every member's key unescaped with
 * cm_json_str, the first whose bytes are the wanted name. Objects of random
 * keys over a small alphabet, some keys written with escapes (\uXXXX, \n,
 * \/, a surrogate pair), looked up by names of every length, so that lengths,
 * prefixes and escaped spellings of the same name meet.
 */
static uint32_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 11);
}

/* Appends one character of a key to b: as is, or as an escape that decodes to it. */
static void key_char(struct cm_buf *b, char c, uint64_t *rng)
{
    uint32_t how = xorshift(rng) % 8;

    if (how == 0) {
        assert_int_equal(cm_buf_printf(b, "\\u%04x", (unsigned)(unsigned char)c), 0);
    } else if (c == '\n') {
        assert_int_equal(cm_buf_puts(b, "\\n"), 0); /* never bare in a string */
    } else if (how == 1 && c == '/') {
        assert_int_equal(cm_buf_puts(b, "\\/"), 0);
    } else {
        assert_int_equal(cm_buf_putc(b, c), 0);
    }
}

static void test_getn_agrees_with_reference(void **state)
{
    static const char alpha[] = {'a', 'b', '/', '\n', 'R'};
    struct fx *f = *state;
    uint64_t rng = 0x2545f4914f6cdd1dULL;
    unsigned found = 0, escaped = 0;

    for (int round = 0; round < 400; round++) {
        struct cm_buf b;
        unsigned nkeys = 1 + xorshift(&rng) % 12;

        cm_buf_init(&b, 0);
        assert_int_equal(cm_buf_putc(&b, '{'), 0);
        for (unsigned k = 0; k < nkeys; k++) {
            unsigned len = xorshift(&rng) % 4;

            if (k > 0) {
                assert_int_equal(cm_buf_putc(&b, ','), 0);
            }
            assert_int_equal(cm_buf_putc(&b, '"'), 0);
            for (unsigned c = 0; c < len; c++) {
                key_char(&b, alpha[xorshift(&rng) % sizeof(alpha)], &rng);
            }
            if (xorshift(&rng) % 16 == 0) {
                assert_int_equal(cm_buf_puts(&b, "\\ud83d\\ude00"), 0);
            }
            assert_int_equal(cm_buf_printf(&b, "\":%u", k), 0);
        }
        assert_int_equal(cm_buf_putc(&b, '}'), 0);
        if (parse_n(f, b.p, b.len) != 0) {
            fail_msg("round %d: %.*s does not parse: %s", round, (int)b.len, b.p, f->diag.msg);
        }
        for (int q = 0; q < 40; q++) {
            char want[8];
            size_t wlen = xorshift(&rng) % 5;
            uint32_t ref = CM_JSON_NONE, got;

            for (size_t c = 0; c < wlen; c++) {
                want[c] = alpha[xorshift(&rng) % sizeof(alpha)];
            }
            if (xorshift(&rng) % 20 == 0) {
                memcpy(want, "\xF0\x9F\x98\x80", 4); /* U+1F600, a key's surrogate pair */
                wlen = 4;
            }
            for (uint32_t k = cm_json_first(&f->doc, 0); k != CM_JSON_NONE;
                 k = cm_json_next(&f->doc, 0, k + 1)) {
                struct cm_str key = cm_json_str(&f->doc, k, &f->arena);

                if (key.len == wlen && (wlen == 0 || memcmp(key.p, want, wlen) == 0)) {
                    ref = k + 1;
                    escaped += (f->doc.nodes[k].tag & CM_JSON_F_ESCAPED) != 0;
                    break;
                }
            }
            got = cm_json_getn(&f->doc, 0, want, wlen);
            if (got != ref) {
                fail_msg("round %d: key %.*s: got node %u, the reference %u", round, (int)wlen,
                         want, got, ref);
            }
            found += ref != CM_JSON_NONE;
        }
        cm_arena_reset(&f->arena);
        cm_buf_finish(&b);
    }
    /* Both kinds of key are met, found and missed. */
    assert_true(found > 1000);
    assert_true(escaped > 100);
}

static void test_path_arrays_and_keys(void **state)
{
    struct fx *f = *state;

    ok(f, "[[10,11],{\"0\":\"zero\",\"\":{\"\":5},\"a.b\":1}]");
    assert_int_equal(cm_json_path(&f->doc, 0, "0.1"), 3);
    assert_str(sval(f, cm_json_path(&f->doc, 0, "1.0")), "zero", 4);
    assert_int_equal(cm_json_type(&f->doc, cm_json_path(&f->doc, 0, "1..")), CM_JSON_NUMBER);
    assert_int_equal(cm_json_path(&f->doc, 0, "1.a.b"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "2"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "-1"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "99999999999"), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, "0."), CM_JSON_NONE);
    assert_int_equal(cm_json_path(&f->doc, 0, NULL), CM_JSON_NONE);
}

static void test_index(void **state)
{
    struct fx *f = *state;
    int64_t v = 0;

    ok(f, "[0,[1,2],{\"a\":[3]},4]");
    assert_int_equal(cm_json_index(&f->doc, 0, 0), 1);
    assert_int_equal(cm_json_index(&f->doc, 0, 1), 2);
    assert_int_equal(cm_json_index(&f->doc, 0, 2), 5);
    assert_int_equal(cm_json_i64(&f->doc, cm_json_index(&f->doc, 0, 3), &v), 0);
    assert_int_equal(v, 4);
    assert_int_equal(cm_json_index(&f->doc, 0, 4), CM_JSON_NONE);
    assert_int_equal(cm_json_index(&f->doc, 5, 0), CM_JSON_NONE);
    assert_int_equal(cm_json_index(&f->doc, CM_JSON_NONE, 0), CM_JSON_NONE);
}

/* ---- strings ---- */

static void test_escapes(void **state)
{
    struct fx *f = *state;
    struct cm_str s;

    ok(f, "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u0041\\u00e9\\u20AC\"");
    assert_true(f->doc.nodes[0].tag & CM_JSON_F_ESCAPED);
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_NONASCII);
    s = sval(f, 0);
    assert_str(s,
               "a\"b\\c/d\be\ff\ng\rh\ti"
               "A\xC3\xA9\xE2\x82\xAC",
               23);
    assert_int_equal(s.p[s.len], '\0');
    /* Without an arena the raw form comes back. */
    s = cm_json_str(&f->doc, 0, NULL);
    assert_int_equal(s.len, f->doc.nodes[0].len);
    assert_ptr_equal(s.p, f->src + 1);
    /* Unescaped strings are slices of the source. */
    ok(f, "\"plain\"");
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_ESCAPED);
    assert_ptr_equal(sval(f, 0).p, f->src + 1);
    ok(f, "\"\\u0000\"");
    assert_str(sval(f, 0), "\0", 1);
}

static void test_escapes_invalid(void **state)
{
    struct fx *f = *state;

    bad(f, "\"\\x\"", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "invalid escape");
    assert_int_equal(f->diag.offset, 1);
    bad(f, "\"\\'\"", CM_ESYNTAX);
    bad(f, "\"\\U0041\"", CM_ESYNTAX);
    bad(f, "\"\\u12\"", CM_ESYNTAX);
    bad(f, "\"\\u12G4\"", CM_ESYNTAX);
    bad(f, "\"\\u-123\"", CM_ESYNTAX);
    bad(f, "\"\\u123", CM_ESYNTAX);
    bad(f, "\"\\", CM_ESYNTAX);
    bad(f, "\"\\\"", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "unterminated string");
    bad(f, "\"abc", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "unterminated string");
    assert_int_equal(f->diag.offset, 0);
    bad(f, "\"\\\x01\"", CM_ESYNTAX);
}

static void test_surrogates(void **state)
{
    struct fx *f = *state;

    /* A pair combines into one 4-byte sequence. */
    ok(f, "\"\\uD83D\\uDE00\"");
    assert_str(sval(f, 0), "\xF0\x9F\x98\x80", 4);
    ok(f, "\"\\udbff\\udfff\"");
    assert_str(sval(f, 0), "\xF4\x8F\xBF\xBF", 4);
    /* Lone surrogates parse (RFC grammar) and unescape to U+FFFD. */
    ok(f, "\"\\uD800\"");
    assert_str(sval(f, 0), "\xEF\xBF\xBD", 3);
    ok(f, "\"\\uDC00x\"");
    assert_str(sval(f, 0), "\xEF\xBF\xBDx", 4);
    ok(f, "\"\\uD800\\u0041\"");
    assert_str(sval(f, 0),
               "\xEF\xBF\xBD"
               "A",
               4);
    ok(f, "\"\\uDE00\\uD83D\"");
    assert_str(sval(f, 0), "\xEF\xBF\xBD\xEF\xBF\xBD", 6);
    ok(f, "\"\\uD83D\\uD83D\\uDE00\"");
    assert_str(sval(f, 0), "\xEF\xBF\xBD\xF0\x9F\x98\x80", 7);
    ok(f, "\"\\uD83D\\n\"");
    assert_str(sval(f, 0), "\xEF\xBF\xBD\n", 4);
}

/* cm_json_str_to: a string member unescaped into a fixed buffer; none, another type or
 * too long for it is NULL. */
static void test_str_to(void **state)
{
    struct fx *f = *state;
    char out[8];

    ok(f, "{\"a\":\"x\\ty\",\"n\":5,\"long\":\"abcdefgh\",\"fit\":\"abcdefg\"}");
    assert_string_equal(cm_json_str_to(&f->doc, cm_json_get(&f->doc, 0, "a"), out, sizeof(out)),
                        "x\ty");
    assert_null(cm_json_str_to(&f->doc, cm_json_get(&f->doc, 0, "n"), out, sizeof(out)));
    assert_null(cm_json_str_to(&f->doc, cm_json_get(&f->doc, 0, "none"), out, sizeof(out)));
    assert_null(cm_json_str_to(&f->doc, cm_json_get(&f->doc, 0, "long"), out, sizeof(out)));
    assert_string_equal(cm_json_str_to(&f->doc, cm_json_get(&f->doc, 0, "fit"), out, sizeof(out)),
                        "abcdefg");
}

static void test_unescape_direct(void **state)
{
    char out[64], buf[64];
    size_t n;

    (void)state;
    n = cm_json_unescape("ab\\tc", 5, out);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "ab\tc", 4);
    n = cm_json_unescape("", 0, out);
    assert_int_equal(n, 0);
    /* In place: the output never outgrows the input. */
    memcpy(buf, "x\\u00e9\\uD83D\\uDE00\\\"", 21);
    n = cm_json_unescape(buf, 21, buf);
    assert_int_equal(n, 8);
    assert_memory_equal(buf, "x\xC3\xA9\xF0\x9F\x98\x80\"", 8);
    /* Malformed input (never accepted by the parser) does not read past len. */
    n = cm_json_unescape("a\\", 2, out);
    assert_int_equal(n, 2);
    n = cm_json_unescape("\\u12", 4, out);
    assert_int_equal(n, 4);
    n = cm_json_unescape("\\uD800\\u", 8, out);
    assert_int_equal(n, 5);
}

static void test_utf8_valid(void **state)
{
    struct fx *f = *state;

    ok(f, "\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF\"");
    assert_true(f->doc.nodes[0].tag & CM_JSON_F_NONASCII);
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_ESCAPED);
    ok(f, "\"\xED\x9F\xBF \xEE\x80\x80 caf\xC3\xA9\"");
    ok(f, "{\"\xC3\xA9t\xC3\xA9\":\"\xE6\x97\xA5\xE6\x9C\xAC\"}");
    assert_int_equal(cm_json_get(&f->doc, 0, "\xC3\xA9t\xC3\xA9"), 2);
    ok(f, "\"\x7F\"");
}

static void test_utf8_invalid(void **state)
{
    struct fx *f = *state;
    static const char *const cases[] = {
        "\"\xC0\x80\"",
        "\"\xC1\xBF\"",
        "\"\xE0\x80\x80\"",
        "\"\xE0\x9F\xBF\"",
        "\"\xF0\x80\x80\x80\"",
        "\"\xF0\x8F\xBF\xBF\"",
        "\"\xED\xA0\x80\"",
        "\"\xED\xBF\xBF\"",
        "\"\xF4\x90\x80\x80\"",
        "\"\xF5\x80\x80\x80\"",
        "\"\xFF\"",
        "\"\xFE\"",
        "\"\x80\"",
        "\"\xBF\"",
        "\"\xC3\"",
        "\"\xE2\x82\"",
        "\"\xF0\x9F\x98\"",
        "\"\xC3\x41\"",
        "\"\xE2\x28\xA1\"",
        "\"\xF0\x9F\x28\x80\"",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad(f, cases[i], CM_EUTF8);
        assert_int_equal(f->diag.offset, 1);
        assert_string_equal(f->diag.msg, "invalid UTF-8 at byte 1");
    }
    /* Truncated at the very end of the input. */
    bad_n(f, "\"\xE2\x82", 3, CM_EUTF8);
    bad_n(f, "\"ab\xF0", 4, CM_EUTF8);
    assert_int_equal(f->diag.offset, 3);
    /* Invalid UTF-8 outside strings is just a syntax error. */
    bad(f, "\xC3\xA9", CM_ESYNTAX);
    bad(f, "[1,\xFF]", CM_ESYNTAX);
}

static void test_control_chars(void **state)
{
    struct fx *f = *state;
    char s[8];

    for (int c = 0; c < 0x20; c++) {
        s[0] = '"';
        s[1] = 'a';
        s[2] = (char)c;
        s[3] = '"';
        bad_n(f, s, 4, CM_ESYNTAX);
        assert_string_equal(f->diag.msg, "control character in string");
        assert_int_equal(f->diag.offset, 2);
    }
    bad_n(f, "\"\0\"", 3, CM_ESYNTAX);
}

/* Strings of every length around the 16-byte vector width, exact-size buffers. */
static void test_string_lengths(void **state)
{
    struct fx *f = *state;
    char s[80];

    for (size_t len = 0; len < 70; len++) {
        s[0] = '"';
        memset(s + 1, 'a', len);
        s[len + 1] = '"';
        if (parse_n(f, s, len + 2) != 0 || f->doc.nodes[0].len != len) {
            fail_msg("string of %zu bytes", len);
        }
        /* Unterminated: must stop at the end of the buffer. */
        bad_n(f, s, len + 1, CM_ESYNTAX);
        for (size_t at = 1; at <= len; at++) {
            s[at] = '\\';
            bad_n(f, s, len + 2, CM_ESYNTAX);
            s[at] = '\x1f';
            bad_n(f, s, len + 2, CM_ESYNTAX);
            s[at] = '\xC3';
            bad_n(f, s, len + 2, CM_EUTF8);
            s[at] = '"';
            bad_n(f, s, len + 2, CM_ESYNTAX);
            s[at] = 'a';
        }
    }
    /* Escapes and multibyte characters straddling vector boundaries. */
    for (size_t pre = 0; pre < 40; pre++) {
        int n = snprintf(s, sizeof(s), "\"%.*s\\u00e9\xE2\x82\xAC\"", (int)pre,
                         "0123456789012345678901234567890123456789");
        assert_int_equal(parse_n(f, s, (size_t)n), 0);
        assert_int_equal(sval(f, 0).len, pre + 5);
    }
}

/* ---- numbers ---- */

static void test_numbers_valid(void **state)
{
    struct fx *f = *state;
    static const char *const cases[] = {
        "0",           "-0",   "1",     "-1",
        "123",         "0.5",  "-0.5",  "1e5",
        "1E5",         "1e+5", "1e-5",  "1.5e3",
        "-1.5E-3",     "0e0",  "0.0e0", "1234567890123456789012345678901234567890",
        "[1,-2,3.25]",
    };
    uint32_t t;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ok(f, cases[i]);
    }
    ok(f, "-12");
    t = f->doc.nodes[0].tag;
    assert_true(t & CM_JSON_F_INTEGER);
    assert_true(t & CM_JSON_F_NEGATIVE);
    assert_int_equal(f->doc.nodes[0].len, 3);
    ok(f, "12.0");
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_INTEGER);
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_NEGATIVE);
    ok(f, "1e2");
    assert_false(f->doc.nodes[0].tag & CM_JSON_F_INTEGER);
    ok(f, " [ 42 ] ");
    assert_int_equal(f->doc.nodes[1].off, 3);
    assert_int_equal(f->doc.nodes[1].len, 2);
    assert_memory_equal(cm_json_raw(&f->doc, 1).p, "42", 2);
}

static void test_numbers_invalid(void **state)
{
    struct fx *f = *state;
    static const char *const cases[] = {
        "01",   "-01",  "00",  "+1",   ".5",   "1.",   "1.e5", "1e",        "1e+",      "1E-",
        "-",    "--1",  "- 1", "0x10", "1ee5", "1.5.", "NaN",  "-Infinity", "Infinity", "1 2",
        "[01]", "[1.]", "[-]", "0.e1", "2.a",  "1e5.", "[.1]", "-.1",       "1_000",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad(f, cases[i], CM_ESYNTAX);
    }
    bad(f, "01", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "leading zero in number");
    bad(f, "1.", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected digit after '.'");
    assert_int_equal(f->diag.offset, 2);
    bad(f, "[1e]", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected digit in exponent");
    assert_int_equal(f->diag.offset, 3);
    bad(f, "-", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected digit after '-'");
    /* Digit-terminated numbers at the very end of an exact-size buffer. */
    bad_n(f, "1e", 2, CM_ESYNTAX);
    bad_n(f, "-", 1, CM_ESYNTAX);
    bad_n(f, "0.", 2, CM_ESYNTAX);
}

static void test_i64(void **state)
{
    struct fx *f = *state;
    int64_t v = 7;

    ok(f, "[0,-0,42,-42,9223372036854775807,-9223372036854775808,9223372036854775808,"
          "-9223372036854775809,99999999999999999999,1.0,1e2,\"1\",null]");
    assert_int_equal(cm_json_i64(&f->doc, 1, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cm_json_i64(&f->doc, 2, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cm_json_i64(&f->doc, 3, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cm_json_i64(&f->doc, 4, &v), 0);
    assert_int_equal(v, -42);
    assert_int_equal(cm_json_i64(&f->doc, 5, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(cm_json_i64(&f->doc, 6, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(cm_json_i64(&f->doc, 7, &v), CM_ERANGE);
    assert_int_equal(cm_json_i64(&f->doc, 8, &v), CM_ERANGE);
    assert_int_equal(cm_json_i64(&f->doc, 9, &v), CM_ERANGE);
    assert_int_equal(cm_json_i64(&f->doc, 10, &v), CM_EINVAL);
    assert_int_equal(cm_json_i64(&f->doc, 11, &v), CM_EINVAL);
    assert_int_equal(cm_json_i64(&f->doc, 12, &v), CM_EINVAL);
    assert_int_equal(cm_json_i64(&f->doc, 13, &v), CM_EINVAL);
    assert_int_equal(cm_json_i64(&f->doc, 0, &v), CM_EINVAL);
    assert_int_equal(cm_json_i64(&f->doc, CM_JSON_NONE, &v), CM_EINVAL);
}

static void test_f64(void **state)
{
    struct fx *f = *state;
    double v = 0;
    char big[400];

    ok(f, "[1.5,-0.25,1e3,0,-0.0,1e400,-1e400,1e-400,12345678901234567890,\"x\"]");
    assert_int_equal(cm_json_f64(&f->doc, 1, &v), 0);
    assert_true(v == 1.5);
    assert_int_equal(cm_json_f64(&f->doc, 2, &v), 0);
    assert_true(v == -0.25);
    assert_int_equal(cm_json_f64(&f->doc, 3, &v), 0);
    assert_true(v == 1000.0);
    assert_int_equal(cm_json_f64(&f->doc, 4, &v), 0);
    assert_true(v == 0.0);
    assert_int_equal(cm_json_f64(&f->doc, 5, &v), 0);
    assert_true(v == 0.0 && signbit(v));
    assert_int_equal(cm_json_f64(&f->doc, 6, &v), CM_ERANGE);
    assert_int_equal(cm_json_f64(&f->doc, 7, &v), CM_ERANGE);
    assert_int_equal(cm_json_f64(&f->doc, 8, &v), 0); /* underflow rounds to 0 */
    assert_true(fabs(v) < 1e-300);
    assert_int_equal(cm_json_f64(&f->doc, 9, &v), 0);
    assert_true(v == 12345678901234567890.0);
    assert_int_equal(cm_json_f64(&f->doc, 10, &v), CM_EINVAL);
    assert_int_equal(cm_json_f64(&f->doc, 0, &v), CM_EINVAL);
    /* A number longer than the stack buffer, followed directly by the end. */
    memset(big, '1', 300);
    memcpy(big + 300, ".5e-299", 7);
    assert_int_equal(parse_n(f, big, 307), 0);
    assert_int_equal(cm_json_f64(&f->doc, 0, &v), 0);
    assert_true(v > 1.1 && v < 1.2);
    /* The next byte after a number in the source is never part of it. */
    ok(f, "[2,3]");
    assert_int_equal(cm_json_f64(&f->doc, 1, &v), 0);
    assert_true(v == 2.0);
}

/* ---- grammar, whitespace, limits ---- */

static void test_literals_and_structure(void **state)
{
    struct fx *f = *state;
    static const char *const cases[] = {
        "tru",       "truee",   "nul",         "nulll",
        "False",     "NULL",    "[",           "]",
        "{",         "}",       "[1,]",        "[,1]",
        "[1 2]",     "{\"a\"}", "{\"a\":}",    "{\"a\" 1}",
        "{a:1}",     "{'a':1}", "{1:1}",       "{\"a\":1,}",
        "{,}",       "[}",      "{]",          "[1}",
        "{\"a\":1]", "[[]",     "\"a\" \"b\"", "{\"a\":1 \"b\":2}",
        ",",         ":",       "[1,,2]",      "{\"a\"::1}",
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bad(f, cases[i], CM_ESYNTAX);
    }
    ok(f, "[true,false,null]");
    assert_int_equal(f->doc.nodes[1].len, 4);
    assert_int_equal(f->doc.nodes[2].len, 5);
    assert_int_equal(f->doc.nodes[3].off, 12);
    bad_n(f, "tru", 3, CM_ESYNTAX);
    bad_n(f, "[nul", 4, CM_ESYNTAX);
}

static void test_whitespace_and_bom(void **state)
{
    struct fx *f = *state;

    ok(f, " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n{ \"a\" \t: \n2 } ] \t\r\n");
    bad(f, "\f1", CM_ESYNTAX);
    bad(f, "1\v", CM_ESYNTAX);
    bad(f,
        "[1,\xC2\xA0"
        "2]",
        CM_ESYNTAX);
    bad(f, "\xEF\xBB\xBF{}", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "byte order mark not allowed");
    bad(f, "", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "unexpected end of input");
    bad(f, "   ", CM_ESYNTAX);
    bad_n(f, "", 0, CM_ESYNTAX);
    assert_int_equal(cm_json_parse(&f->doc, NULL, 0, NULL), CM_ESYNTAX);
}

static void test_trailing(void **state)
{
    struct fx *f = *state;

    bad(f, "{} x", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "trailing characters after JSON value");
    assert_int_equal(f->diag.offset, 3);
    assert_int_equal(f->doc.n, 0);
    bad(f, "[]]", CM_ESYNTAX);
    bad(f, "truex", CM_ESYNTAX);
    bad(f, "0 0", CM_ESYNTAX);
    bad(f, "\"a\"\"b\"", CM_ESYNTAX);
    bad_n(f, "1\0", 2, CM_ESYNTAX);
    ok(f, "{}   \n");
}

static void test_error_offsets(void **state)
{
    struct fx *f = *state;

    bad(f, "{\"a\" 1}", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected ':' after object key");
    assert_int_equal(f->diag.offset, 5);
    bad(f, "[1,2 3]", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected ',' or ']' after array element");
    assert_int_equal(f->diag.offset, 5);
    bad(f, "{\"a\":1 2}", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected ',' or '}' after object member");
    assert_int_equal(f->diag.offset, 7);
    bad(f, "{\"a\":1,2}", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "expected string for object key");
    assert_int_equal(f->diag.offset, 7);
    bad(f, "[1,2", CM_ESYNTAX);
    assert_string_equal(f->diag.msg, "unexpected end of input");
    assert_int_equal(f->diag.offset, 4);
    bad(f, "\n\n  @", CM_ESYNTAX);
    assert_int_equal(f->diag.offset, 4);
    bad(f, "[\"ok\",\"bad\xC3\x28\"]", CM_EUTF8);
    assert_int_equal(f->diag.offset, 10);
    assert_string_equal(f->diag.msg, "invalid UTF-8 at byte 10");
}

static void nest(char *buf, size_t depth, const char *open, const char *close)
{
    memset(buf, open[0], depth);
    memset(buf + depth, close[0], depth);
}

static void test_depth_limit(void **state)
{
    struct fx *f = *state;
    char *buf = cm_malloc(2 * 600);
    char obj[64];
    size_t n = 0;

    assert_non_null(buf);
    nest(buf, 512, "[", "]");
    assert_int_equal(parse_n(f, buf, 1024), 0);
    assert_int_equal(f->doc.n, 512);
    assert_int_equal(f->doc.nodes[0].next, 512);
    assert_int_equal(f->doc.nodes[511].next, 512);
    nest(buf, 513, "[", "]");
    assert_int_equal(parse_n(f, buf, 1026), CM_EDEPTH);
    assert_int_equal(f->diag.offset, 512);
    /* An unterminated deep prefix stops at the limit, not at the end. */
    memset(buf, '[', 600);
    assert_int_equal(parse_n(f, buf, 600), CM_EDEPTH);
    cm_free(buf);

    /* A custom limit, with objects. */
    cm_json_doc_finish(&f->doc);
    cm_json_doc_init(&f->doc, 0, 3);
    ok(f, "{\"a\":{\"b\":[1]}}");
    bad(f, "{\"a\":{\"b\":[[1]]}}", CM_EDEPTH);
    assert_string_equal(f->diag.msg, "nesting too deep");
    bad(f, "[[[[]]]]", CM_EDEPTH);
    ok(f, "[[[]],[[]],{\"x\":[]}]");
    for (int i = 0; i < 3; i++) {
        n += (size_t)snprintf(obj + n, sizeof(obj) - n, "{\"k\":");
    }
    n += (size_t)snprintf(obj + n, sizeof(obj) - n, "0}}}");
    assert_int_equal(parse_n(f, obj, n), 0);
}

static void test_max_nodes(void **state)
{
    struct fx *f = *state;
    char buf[4096];
    size_t n = 0;

    cm_json_doc_finish(&f->doc);
    cm_json_doc_init(&f->doc, 3, 0);
    ok(f, "[1,2]");
    bad(f, "[1,2,3]", CM_E2BIG);
    bad(f, "{\"a\":[1]}", CM_E2BIG);
    ok(f, "{\"a\":1}");
    ok(f, "\"x\"");
    /* A larger cap that forces several reallocations first. */
    cm_json_doc_finish(&f->doc);
    cm_json_doc_init(&f->doc, 1000, 0);
    buf[n++] = '[';
    for (int i = 0; i < 999; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%d", i ? "," : "", i % 10);
    }
    buf[n++] = ']';
    assert_int_equal(parse_n(f, buf, n), 0);
    assert_int_equal(f->doc.n, 1000);
    assert_int_equal(f->doc.nodes[0].len, 999);
    buf[n - 1] = ',';
    buf[n++] = '1';
    buf[n++] = ']';
    assert_int_equal(parse_n(f, buf, n), CM_E2BIG);
}

static void test_too_large_input(void **state)
{
    struct fx *f = *state;
    static const char one[] = "1";

    if ((uint64_t)SIZE_MAX <= UINT32_MAX) {
        skip();
    }
    /* The size check comes before any byte is read. */
    assert_int_equal(cm_json_parse(&f->doc, one, (size_t)UINT32_MAX + 1, &f->diag), CM_E2BIG);
}

/* ---- streaming ---- */

static void test_parse_at_stream(void **state)
{
    struct fx *f = *state;
    const char *s = "1 [2,3]\n{\"a\":\"x\"}\n\"y\"  ";
    const char *p = own(f, s, strlen(s));
    size_t at = 0, end = 0;
    uint32_t root = 0, roots[4];
    int count = 0, rc;

    cm_json_doc_begin(&f->doc, p, strlen(s));
    while ((rc = cm_json_parse_at(&f->doc, at, &end, &root, &f->diag)) == 0) {
        assert_true(end > at);
        roots[count++] = root;
        at = end;
    }
    assert_int_equal(rc, CM_ESYNTAX); /* only whitespace left */
    assert_int_equal(count, 4);
    assert_int_equal(f->doc.n, 8);
    assert_int_equal(roots[0], 0);
    assert_int_equal(roots[1], 1);
    assert_int_equal(roots[2], 4);
    assert_int_equal(roots[3], 7);
    assert_int_equal(f->doc.nodes[1].next, 4);
    assert_int_equal(f->doc.nodes[4].next, 7);
    assert_str(sval(f, cm_json_get(&f->doc, roots[2], "a")), "x", 1);
    assert_str(sval(f, roots[3]), "y", 1);
    assert_int_equal(cm_json_parse_at(&f->doc, strlen(s) + 1, &end, &root, NULL), CM_EINVAL);
}

static void test_parse_at_restore(void **state)
{
    struct fx *f = *state;
    const char *s = "[1,2] {\"a\":[3,4,x]} {\"b\":5}";
    const char *p = own(f, s, strlen(s));
    size_t end = 0;
    uint32_t root = 99;

    cm_json_doc_begin(&f->doc, p, strlen(s));
    assert_int_equal(cm_json_parse_at(&f->doc, 0, &end, &root, NULL), 0);
    assert_int_equal(end, 5);
    assert_int_equal(f->doc.n, 3);
    assert_int_equal(cm_json_parse_at(&f->doc, end, &end, &root, &f->diag), CM_ESYNTAX);
    assert_int_equal(f->diag.offset, 16);
    assert_int_equal(f->doc.n, 3);
    assert_int_equal(root, 0);
    assert_int_equal(end, 5);
    /* The earlier value is intact and parsing resumes after the bad one. */
    assert_int_equal(f->doc.nodes[0].next, 3);
    assert_int_equal(f->doc.nodes[0].len, 2);
    assert_int_equal(cm_json_parse_at(&f->doc, 20, &end, &root, NULL), 0);
    assert_int_equal(root, 3);
    assert_int_equal(end, strlen(s));
    assert_int_equal(cm_json_i64(&f->doc, cm_json_get(&f->doc, root, "b"), &(int64_t){0}), 0);

    /* Restore also holds when the cap is hit half-way. */
    cm_json_doc_finish(&f->doc);
    cm_json_doc_init(&f->doc, 5, 0);
    p = own(f, s, strlen(s));
    cm_json_doc_begin(&f->doc, p, strlen(s));
    assert_int_equal(cm_json_parse_at(&f->doc, 0, &end, &root, NULL), 0);
    assert_int_equal(cm_json_parse_at(&f->doc, 20, &end, &root, NULL), CM_E2BIG);
    assert_int_equal(f->doc.n, 3);
}

static void test_doc_reuse(void **state)
{
    struct fx *f = *state;
    struct cm_json_doc d;

    for (int i = 0; i < 3; i++) {
        ok(f, ct_record);
        assert_true(f->doc.n > 30);
        ok(f, "[]");
        assert_int_equal(f->doc.n, 1);
    }
    cm_json_doc_init(&d, 0, 0);
    cm_json_doc_finish(&d);
    cm_json_doc_finish(&d);
    assert_null(d.nodes);
}

static void test_truthy(void **state)
{
    struct fx *f = *state;

    ok(f, "[true,false,\"true\",\"True\",\"t\\u0072ue\",1,null,\"false\",\"\"]");
    assert_true(cm_json_truthy(&f->doc, 1));
    assert_false(cm_json_truthy(&f->doc, 2));
    assert_true(cm_json_truthy(&f->doc, 3));
    assert_false(cm_json_truthy(&f->doc, 4));
    assert_true(cm_json_truthy(&f->doc, 5));
    assert_false(cm_json_truthy(&f->doc, 6));
    assert_false(cm_json_truthy(&f->doc, 7));
    assert_false(cm_json_truthy(&f->doc, 8));
    assert_false(cm_json_truthy(&f->doc, 9));
    assert_false(cm_json_truthy(&f->doc, 0));
    assert_false(cm_json_truthy(&f->doc, CM_JSON_NONE));
}

static void test_str_non_string(void **state)
{
    struct fx *f = *state;
    struct cm_arena tiny;

    ok(f, "[1,null,\"a\\nb\"]");
    assert_null(sval(f, 1).p);
    assert_null(sval(f, 2).p);
    assert_null(sval(f, 0).p);
    assert_null(sval(f, CM_JSON_NONE).p);
    /* An arena at its cap gives CM_STR_NULL rather than a wrong answer. */
    cm_arena_init(&tiny, 16, 1);
    assert_null(cm_json_str(&f->doc, 3, &tiny).p);
    cm_arena_finish(&tiny);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tape_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_and_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_str_to, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_arrays_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_escapes_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_surrogates, setup, teardown),
        cmocka_unit_test(test_unescape_direct),
        cmocka_unit_test_setup_teardown(test_utf8_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_chars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_string_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_i64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_f64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literals_and_structure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whitespace_and_bom, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trailing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_offsets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_nodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_large_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_at_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_at_restore, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truthy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_str_non_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_getn_agrees_with_reference, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
