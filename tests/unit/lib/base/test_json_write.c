/*
 * Unit tests for lib/base/json.h, writer side: layout, commas and colons,
 * escaping (control characters, U+2028/U+2029, invalid UTF-8), misuse and
 * limits, number formatting, and parse -> cm_jw_node -> parse round trips.
 *
 * Parsed inputs are copied into exact-size heap buffers with no NUL, as in
 * test_json.c.
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

static const char *ct_record =
    "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
    "\"AIDAEXAMPLE\",\"arn\":\"arn:aws:iam::123456789012:user/alice\",\"sessionContext\":"
    "{\"attributes\":{\"creationDate\":\"2024-01-02T03:04:05Z\",\"mfaAuthenticated\":\"true\"}}},"
    "\"eventTime\":\"2024-01-02T03:04:06Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":"
    "\"GetObject\",\"requestParameters\":{\"bucketName\":\"b\",\"tags\":[{\"k\":\"x\"},{\"k\":"
    "\"y\"}]},\"readOnly\":true,\"bytes\":375,\"resources\":[],\"e\\u0078tra\":null}";

/* ---- writer ---- */

static void writer_expect(struct cm_buf *b, const char *want)
{
    if (b->len != strlen(want) || (b->len > 0 && memcmp(b->p, want, b->len) != 0)) {
        fail_msg("writer produced %.*s, want %s", (int)b->len, b->p ? b->p : "", want);
    }
}

static void test_writer_basic(void **state)
{
    struct cm_buf b;
    struct cm_jw jw;

    (void)state;
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "s");
    cm_jw_str(&jw, "x");
    cm_jw_key(&jw, "n");
    cm_jw_i64(&jw, -5);
    cm_jw_keyn(&jw, "uXX", 1);
    cm_jw_u64(&jw, UINT64_MAX);
    cm_jw_key(&jw, "a");
    cm_jw_arr_begin(&jw);
    cm_jw_bool(&jw, true);
    cm_jw_bool(&jw, false);
    cm_jw_null(&jw);
    cm_jw_arr_begin(&jw);
    cm_jw_arr_end(&jw);
    cm_jw_obj_begin(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_raw(&jw, "{\"r\":1}", 7);
    cm_jw_strn(&jw, "abc", 2);
    cm_jw_str(&jw, NULL);
    cm_jw_f64(&jw, 2.5);
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "");
    cm_jw_str(&jw, "");
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    writer_expect(&b, "{\"s\":\"x\",\"n\":-5,\"u\":18446744073709551615,\"a\":[true,false,null,"
                      "[],{},{\"r\":1},\"ab\",null,2.5],\"\":\"\"}");
    /* Scalars at the top level. */
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    cm_jw_str(&jw, "top");
    assert_int_equal(cm_jw_finish(&jw), 0);
    writer_expect(&b, "\"top\"");
    cm_buf_finish(&b);
}

static void escape_expect(const char *in, size_t n, const char *want)
{
    struct cm_buf b;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_json_escape(&b, in, n), 0);
    writer_expect(&b, want);
    cm_buf_finish(&b);
}

static void test_writer_escape(void **state)
{
    (void)state;
    escape_expect("plain text", 10, "plain text");
    escape_expect("", 0, "");
    escape_expect("a\"b\\c/", 6, "a\\\"b\\\\c/");
    escape_expect("\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t");
    escape_expect("\x01\x1f\0\x7f", 4, "\\u0001\\u001f\\u0000\x7f");
    escape_expect("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 14,
                  "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    escape_expect("a\xE2\x80\xA8"
                  "b\xE2\x80\xA9",
                  8, "a\\u2028b\\u2029");
    escape_expect("\xE2\x80\xAA", 3, "\xE2\x80\xAA");
    /* Invalid UTF-8: one U+FFFD per bad byte, valid neighbours kept. */
    escape_expect("a\xFF"
                  "b",
                  3, "a\\ufffdb");
    escape_expect("\xC0\x80", 2, "\\ufffd\\ufffd");
    escape_expect("\xED\xA0\x80", 3, "\\ufffd\\ufffd\\ufffd");
    escape_expect("\xE2\x82", 2, "\\ufffd\\ufffd");
    escape_expect("\xF4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd");
    escape_expect("\xC3\xA9\xC3", 3, "\xC3\xA9\\ufffd");
}

static void test_writer_misuse(void **state)
{
    struct cm_buf b;
    struct cm_jw jw;

    (void)state;
    cm_buf_init(&b, 0);
    /* A value where a key is due. */
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_str(&jw, "v");
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    /* Sticky: later calls do nothing. */
    cm_buf_reset(&b);
    cm_jw_obj_end(&jw);
    cm_jw_null(&jw);
    assert_int_equal(b.len, 0);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    /* A key in an array, at the top, twice in a row. */
    cm_jw_init(&jw, &b);
    cm_jw_arr_begin(&jw);
    cm_jw_key(&jw, "k");
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_key(&jw, "k");
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "k");
    cm_jw_key(&jw, "k");
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    /* A dangling key, a mismatched close, an extra close. */
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "k");
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_arr_begin(&jw);
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_arr_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    /* Unclosed, empty, two top-level values. */
    cm_jw_init(&jw, &b);
    cm_jw_arr_begin(&jw);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_null(&jw);
    cm_jw_null(&jw);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    /* NULL arguments. */
    cm_jw_init(&jw, &b);
    cm_jw_raw(&jw, NULL, 0);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, NULL);
    assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    cm_buf_finish(&b);
}

static void test_writer_limits(void **state)
{
    struct cm_buf b;
    struct cm_jw jw;

    (void)state;
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    for (int i = 0; i < CM_JW_MAX_DEPTH - 1; i++) {
        cm_jw_arr_begin(&jw);
    }
    for (int i = 0; i < CM_JW_MAX_DEPTH - 1; i++) {
        cm_jw_arr_end(&jw);
    }
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_int_equal(b.len, 2 * (CM_JW_MAX_DEPTH - 1));
    cm_buf_reset(&b);
    cm_jw_init(&jw, &b);
    for (int i = 0; i < CM_JW_MAX_DEPTH; i++) {
        cm_jw_arr_begin(&jw);
    }
    assert_int_equal(cm_jw_finish(&jw), CM_E2BIG);
    cm_buf_finish(&b);
    /* A full buffer surfaces as the buffer's error. */
    cm_buf_init(&b, 8);
    cm_jw_init(&jw, &b);
    cm_jw_str(&jw, "0123456789");
    assert_int_equal(cm_jw_finish(&jw), CM_E2BIG);
    cm_buf_finish(&b);
}

static void f64_expect(double v, const char *want)
{
    struct cm_buf b;
    struct cm_jw jw;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_f64(&jw, v);
    assert_int_equal(cm_jw_finish(&jw), 0);
    writer_expect(&b, want);
    if (isfinite(v)) {
        assert_true(strtod(b.p, NULL) == v);
    }
    cm_buf_finish(&b);
}

static void test_writer_f64(void **state)
{
    (void)state;
    f64_expect(0.0, "0");
    f64_expect(-0.0, "-0");
    f64_expect(3.0, "3");
    f64_expect(-42.0, "-42");
    f64_expect(0.1, "0.1");
    f64_expect(1.5, "1.5");
    f64_expect(0.1 + 0.2, "0.30000000000000004");
    f64_expect(1.0 / 3.0, "0.3333333333333333");
    f64_expect(999999999999999.0, "999999999999999");
    f64_expect(1e15, "1e+15");
    f64_expect(1e300, "1e+300");
    f64_expect(-2.5e-8, "-2.5e-08");
    f64_expect(5e-324, "4.94065645841247e-324");
    f64_expect(NAN, "null");
    f64_expect(INFINITY, "null");
    f64_expect(-INFINITY, "null");
}

/* Serialises node i of f->doc with cm_jw_node into b. */
static int write_node(struct fx *f, uint32_t i, struct cm_buf *b)
{
    struct cm_jw jw;

    cm_buf_reset(b);
    cm_jw_init(&jw, b);
    cm_jw_node(&jw, &f->doc, i);
    return cm_jw_finish(&jw);
}

static void roundtrip(struct fx *f, const char *in, const char *want)
{
    struct cm_buf b1, b2;

    cm_buf_init(&b1, 0);
    cm_buf_init(&b2, 0);
    ok(f, in);
    assert_int_equal(write_node(f, 0, &b1), 0);
    if (want != NULL) {
        writer_expect(&b1, want);
    }
    if (parse_n(f, b1.p, b1.len) != 0) {
        fail_msg("output %s does not parse", b1.p);
    }
    assert_int_equal(write_node(f, 0, &b2), 0);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.p, b2.p, b1.len);
    cm_buf_finish(&b1);
    cm_buf_finish(&b2);
}

/* cm_jw_key_time: a key and its time as GuardDuty writes timestamps. */
static void test_writer_key_time(void **state)
{
    struct cm_buf b;
    struct cm_jw jw;

    (void)state;
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key_time(&jw, "createdAt", 1741083911234LL);
    cm_jw_key_time(&jw, "epoch", 0);
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    assert_int_equal(cm_buf_append(&b, "", 1), 0);
    assert_string_equal(b.p, "{\"createdAt\":\"2025-03-04T10:25:11.234Z\","
                             "\"epoch\":\"1970-01-01T00:00:00.000Z\"}");
    cm_buf_finish(&b);
}

static void test_roundtrip(void **state)
{
    struct fx *f = *state;
    struct cm_buf b;

    roundtrip(f, " { \"a\" : [ 1 , 2.50 , -3e+2 ] , \"b\" : { } , \"c\" : [ ] } ",
              "{\"a\":[1,2.50,-3e+2],\"b\":{},\"c\":[]}");
    roundtrip(f, "\"caf\\u00e9 \\u2028 \\/ \\uD800\"", "\"caf\xC3\xA9 \\u2028 / \xEF\xBF\xBD\"");
    roundtrip(f, "[null,true,false,\"\",{\"\":\"\"}]", "[null,true,false,\"\",{\"\":\"\"}]");
    roundtrip(f, "{\"k\\n\":\"\\u0001\\t\\\"\"}", "{\"k\\n\":\"\\u0001\\t\\\"\"}");
    roundtrip(f, ct_record, NULL);
    roundtrip(f, "[[[[{\"a\":[{\"b\":[[]]}]}]]],0]", "[[[[{\"a\":[{\"b\":[[]]}]}]]],0]");
    roundtrip(f, "7", "7");
    /* A subtree on its own, and a long escaped string (heap path). */
    cm_buf_init(&b, 0);
    ok(f, ct_record);
    assert_int_equal(write_node(f, cm_json_get(&f->doc, 0, "requestParameters"), &b), 0);
    writer_expect(&b, "{\"bucketName\":\"b\",\"tags\":[{\"k\":\"x\"},{\"k\":\"y\"}]}");
    {
        char big[2100];
        size_t n = 0;
        big[n++] = '"';
        for (int i = 0; i < 200; i++) {
            memcpy(big + n, "ab\\n\\u00e9", 10);
            n += 10;
        }
        big[n++] = '"';
        assert_int_equal(parse_n(f, big, n), 0);
        assert_int_equal(write_node(f, 0, &b), 0);
        assert_int_equal(b.len, 2 + 200 * 6);
    }
    /* A document deeper than the writer allows. */
    {
        char deep[200];
        memset(deep, '[', 100);
        memset(deep + 100, ']', 100);
        assert_int_equal(parse_n(f, deep, 200), 0);
        assert_int_equal(write_node(f, 0, &b), CM_E2BIG);
    }
    cm_buf_reset(&b);
    {
        struct cm_jw jw;
        cm_jw_init(&jw, &b);
        cm_jw_node(&jw, &f->doc, f->doc.n);
        assert_int_equal(cm_jw_finish(&jw), CM_EINVAL);
    }
    cm_buf_finish(&b);
}

/* Node-by-node equality of two tapes (types, counts, unescaped strings, number text). */
static void test_roundtrip_tape_equal(void **state)
{
    struct fx *f = *state;
    struct cm_json_doc d2;
    struct cm_buf b;
    struct cm_str s1, s2;

    cm_buf_init(&b, 0);
    cm_json_doc_init(&d2, 0, 0);
    ok(f, ct_record);
    assert_int_equal(write_node(f, 0, &b), 0);
    assert_int_equal(cm_json_parse(&d2, b.p, b.len, NULL), 0);
    assert_int_equal(d2.n, f->doc.n);
    for (uint32_t i = 0; i < d2.n; i++) {
        assert_int_equal(cm_json_type(&d2, i), cm_json_type(&f->doc, i));
        assert_int_equal(d2.nodes[i].next, f->doc.nodes[i].next);
        if (cm_json_type(&d2, i) == CM_JSON_STRING) {
            s1 = cm_json_str(&f->doc, i, &f->arena);
            s2 = cm_json_str(&d2, i, &f->arena);
            assert_true(cm_str_eq(s1, s2));
        } else if (cm_json_type(&d2, i) >= CM_JSON_NUMBER) {
            assert_int_equal(d2.nodes[i].len, f->doc.nodes[i].len);
        }
    }
    cm_json_doc_finish(&d2);
    cm_buf_finish(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_basic),
        cmocka_unit_test(test_writer_escape),
        cmocka_unit_test(test_writer_misuse),
        cmocka_unit_test(test_writer_limits),
        cmocka_unit_test(test_writer_f64),
        cmocka_unit_test(test_writer_key_time),
        cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roundtrip_tape_equal, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
