/*
 * Unit tests for --flow-fields (lib/parse/vpcflow_fields.c):
 * cm_flow_format_parse() reading a flow log's LogFormat or its bare field
 * names, and every way it turns a spec away; cm_flow_format_fits() deciding
 * whether the first line of an input has the format's number of printable
 * fields, with and without a CloudWatch Logs export time before it. Lines
 * live in exactly-sized heap buffers so ASan catches any read past the end.
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
#include "base/err.h"
#include "parse/parse.h"

/* Parses spec, expecting success; err must stay untouched. */
static void parse_ok(const char *spec, struct cm_flow_format *fmt)
{
    char err[160] = "untouched";
    int rc = cm_flow_format_parse(spec, fmt, err, sizeof(err));

    if (rc != 0) {
        fail_msg("'%s': rc %d, err '%s'", spec, rc, err);
    }
    assert_string_equal(err, "untouched");
}

/* Parses spec, expecting CM_EINVAL with an err holding every one of want[]. */
static void parse_bad(const char *spec, const char *const *want, size_t nwant)
{
    struct cm_flow_format fmt;
    char err[160] = "";
    int rc;

    memset(&fmt, 0xab, sizeof(fmt));
    rc = cm_flow_format_parse(spec, &fmt, err, sizeof(err));
    if (rc != CM_EINVAL) {
        fail_msg("'%.60s': rc %d, want CM_EINVAL (err '%s')", spec, rc, err);
    }
    for (size_t i = 0; i < nwant; i++) {
        if (strstr(err, want[i]) == NULL) {
            fail_msg("'%.60s': err '%s' does not say '%s'", spec, err, want[i]);
        }
    }
    assert_int_equal(fmt.known, 0); /* a rejected spec never reads as a format */
}

static void test_parse_logformat_and_names(void **state)
{
    static const char *const specs[] = {
        "${version} ${account-id} ${interface-id}",
        "version,account-id interface-id",
        "  version\taccount-id,,${interface-id} , ",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        struct cm_flow_format fmt;

        memset(&fmt, 0xab, sizeof(fmt));
        parse_ok(specs[i], &fmt);
        assert_int_equal(fmt.ncols, 3);
        assert_int_equal(fmt.known, 1);
        assert_int_equal(fmt.col[0], CM_FF_VERSION);
        assert_int_equal(fmt.col[1], CM_FF_ACCOUNT_ID);
        assert_int_equal(fmt.col[2], CM_FF_INTERFACE_ID);
        assert_int_equal(fmt.col[3], 0); /* the rest of the format is cleared */
    }
}

static void test_parse_order_and_custom(void **state)
{
    struct cm_flow_format fmt;
    (void)state;

    parse_ok("${vpc-id} ${srcaddr} ${dstaddr} ${action} ${encryption-status}", &fmt);
    assert_int_equal(fmt.ncols, 5);
    assert_int_equal(fmt.col[0], cm_flow_field_by_name(CM_STR_LIT("vpc-id")));
    assert_int_equal(fmt.col[1], CM_FF_SRCADDR);
    assert_int_equal(fmt.col[2], CM_FF_DSTADDR);
    assert_int_equal(fmt.col[3], CM_FF_ACTION);
    assert_int_equal(fmt.col[4], cm_flow_field_by_name(CM_STR_LIT("encryption-status")));
    /* One field is a format. */
    parse_ok("start", &fmt);
    assert_int_equal(fmt.ncols, 1);
    assert_int_equal(fmt.col[0], CM_FF_START);
    assert_int_equal(fmt.known, 1);
}

/* Every field AWS defines, once each, in a spec. */
static size_t all_fields(char *out, size_t cap)
{
    size_t n = 0;

    for (int id = 0; cm_flow_field_name((enum cm_flow_field)id) != NULL; id++) {
        n += (size_t)snprintf(out + n, cap - n, "%s${%s}", id ? " " : "",
                              cm_flow_field_name((enum cm_flow_field)id));
    }
    return n;
}

static void test_parse_every_field(void **state)
{
    char spec[2048];
    struct cm_flow_format fmt;
    (void)state;

    all_fields(spec, sizeof(spec));
    parse_ok(spec, &fmt);
    assert_int_equal(fmt.ncols, CM_FF_COUNT);
    for (int i = 0; i < CM_FF_COUNT; i++) {
        assert_int_equal(fmt.col[i], i);
    }
}

static void test_parse_rejects(void **state)
{
    static const char *const unknown[] = {"field 2", "'srcadr'", "not a VPC flow log field"};
    static const char *const unknown_first[] = {"field 1", "'${bogus}'"};
    static const char *const unknown_third[] = {"field 3", "'${nope}'"};
    static const char *const twice[] = {"field 3", "'version'", "given twice"};
    static const char *const twice_mixed[] = {"field 2", "'account-id'", "given twice"};
    static const char *const none[] = {"no fields"};
    (void)state;

    parse_bad("version srcadr dstaddr", unknown, 3);
    parse_bad("${bogus} ${version}", unknown_first, 2);
    parse_bad("${version},${srcaddr} ${nope}", unknown_third, 2);
    parse_bad("version account-id version", twice, 3);
    parse_bad("${account-id} account-id", twice_mixed, 3);
    parse_bad("", none, 1);
    parse_bad("   ", none, 1);
    parse_bad(" , ,\t", none, 1);
}

/*
 * More than CM_FLOW_MAX_COLS (64) fields. There are only CM_FF_COUNT (42)
 * field names, so a 65-field spec always repeats one: the repeat is what is
 * reported, at the first field past the 42 distinct ones.
 */
static void test_parse_too_many(void **state)
{
    static const char *const repeat[] = {"field 43", "'version'", "given twice"};
    char spec[4096];
    size_t n;
    (void)state;

    n = all_fields(spec, sizeof(spec));
    for (int i = CM_FF_COUNT; i < CM_FLOW_MAX_COLS + 1; i++) {
        n += (size_t)snprintf(spec + n, sizeof(spec) - n, " %s",
                              cm_flow_field_name((enum cm_flow_field)(i - CM_FF_COUNT)));
    }
    parse_bad(spec, repeat, 3);
}

/* cm_flow_format_fits() over an exactly-sized copy of text. */
static bool fits(const struct cm_flow_format *fmt, const char *text)
{
    size_t n = strlen(text);
    char *p = cm_malloc(n ? n : 1);
    bool r;

    assert_non_null(p);
    memcpy(p, text, n);
    r = cm_flow_format_fits(fmt, p, n);
    cm_free(p);
    return r;
}

static void test_fits(void **state)
{
    struct cm_flow_format three, two;
    (void)state;

    parse_ok("version account-id interface-id", &three);
    parse_ok("version account-id", &two);
    assert_true(fits(&three, "2 123456789012 eni-1\n"));
    assert_true(fits(&three, "2 123456789012 eni-1"));
    assert_true(fits(&three, "2\t123456789012  eni-1 \r\n"));
    assert_true(fits(&three, "\n\n  2 123456789012 eni-1\n"));
    /* Only the first line counts. */
    assert_true(fits(&three, "2 123456789012 eni-1\nnot four fields here\n"));
    assert_false(fits(&three, "not four fields here\n2 123456789012 eni-1\n"));
    /* A CloudWatch Logs export time before the record is not a field. */
    assert_true(fits(&three, "2026-01-05T00:00:07.000Z 2 123456789012 eni-1\n"));
    assert_false(fits(&three, "2026-01-05T00:00:07.000Z 2 123456789012\n"));
    assert_true(fits(&two, "2026-01-05T00:00:07.000Z 2 123456789012\n"));
    assert_false(fits(&two, "2026-01-05T00:00:07.000Z 2 123456789012 eni-1\n"));
    /* Other counts. */
    assert_false(fits(&three, "2 123456789012\n"));
    assert_false(fits(&three, "2 123456789012 eni-1 10.0.0.1\n"));
    assert_false(fits(&three, ""));
    assert_false(fits(&three, "\n \n"));
    /* Not printable. */
    assert_false(fits(&three, "2 1234\x01 eni-1\n"));
    assert_false(fits(&three, "2 123456789012 eni-\x7f\n"));
    assert_false(fits(&three, "2 123456789012 eni-\xc3\xa9\n"));
}

static void test_fits_no_format(void **state)
{
    struct cm_flow_format fmt;
    const char *line = "2 123456789012 eni-1\n";
    (void)state;

    assert_false(cm_flow_format_fits(NULL, line, strlen(line)));
    parse_ok("version account-id interface-id", &fmt);
    assert_true(cm_flow_format_fits(&fmt, line, strlen(line)));
    assert_false(cm_flow_format_fits(&fmt, NULL, 0));
    fmt.known = 0; /* three columns, but not a format in force */
    assert_false(cm_flow_format_fits(&fmt, line, strlen(line)));
    memset(&fmt, 0, sizeof(fmt));
    assert_false(cm_flow_format_fits(&fmt, line, strlen(line)));
}

/* A long first line: 64 tokens fit a 64-field format only if the spec has them. */
static void test_fits_long_line(void **state)
{
    struct cm_flow_format fmt;
    char spec[2048], line[2048];
    size_t n = 0;
    (void)state;

    all_fields(spec, sizeof(spec));
    parse_ok(spec, &fmt);
    for (int i = 0; i < CM_FF_COUNT; i++) {
        n += (size_t)snprintf(line + n, sizeof(line) - n, "%sfield-value-%02d", i ? " " : "", i);
    }
    assert_true(n > 128); /* spans several of the scanner's 64-byte blocks */
    assert_true(fits(&fmt, line));
    line[n - 1] = '\x02';
    assert_false(fits(&fmt, line));
    line[n - 1] = '1';
    snprintf(line + n, sizeof(line) - n, " extra");
    assert_false(fits(&fmt, line));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_logformat_and_names),
        cmocka_unit_test(test_parse_order_and_custom),
        cmocka_unit_test(test_parse_every_field),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_too_many),
        cmocka_unit_test(test_fits),
        cmocka_unit_test(test_fits_no_format),
        cmocka_unit_test(test_fits_long_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
