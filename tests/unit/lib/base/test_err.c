/*
 * Unit tests for lib/base/err.h and lib/base/diag.h: every CM_E* code has
 * its own non-empty text and unknown codes get a generic one; struct
 * cm_diag is set and cleared as documented, NULL is accepted, and messages
 * longer than the buffer are truncated and still NUL-terminated.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "base/diag.h"
#include "base/err.h"

static const int all_codes[] = {
    CM_OK,    CM_ENOMEM, CM_EINVAL, CM_E2BIG,   CM_ESYNTAX, CM_ERANGE, CM_EIO,      CM_ENOTFOUND,
    CM_EFULL, CM_EUTF8,  CM_EDEPTH, CM_EFORMAT, CM_ETRUNC,  CM_EEXIST, CM_EUNAVAIL,
};

#define NCODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_codes_values(void **state)
{
    (void)state;

    /* The values are ABI: callers compare and store them. */
    assert_int_equal(CM_OK, 0);
    for (size_t i = 1; i < NCODES; i++) {
        assert_int_equal(all_codes[i], -(int)i);
    }
}

static void test_strerror_each(void **state)
{
    const char *unknown = cm_strerror(-1000);
    (void)state;

    assert_non_null(unknown);
    assert_string_equal(unknown, "unknown error");
    for (size_t i = 0; i < NCODES; i++) {
        const char *s = cm_strerror(all_codes[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        if (strcmp(s, unknown) == 0) {
            fail_msg("code %d has no text of its own", all_codes[i]);
        }
        /* Every code's text is distinct from every other's. */
        for (size_t j = 0; j < i; j++) {
            if (strcmp(s, cm_strerror(all_codes[j])) == 0) {
                fail_msg("codes %d and %d share the text '%s'", all_codes[i], all_codes[j], s);
            }
        }
        /* Stable: the same static string on every call. */
        assert_ptr_equal(cm_strerror(all_codes[i]), s);
    }
}

static void test_strerror_known_texts(void **state)
{
    (void)state;

    assert_string_equal(cm_strerror(CM_OK), "success");
    assert_string_equal(cm_strerror(CM_ENOMEM), "out of memory");
    assert_string_equal(cm_strerror(CM_E2BIG), "too big");
    assert_string_equal(cm_strerror(CM_ETRUNC), "truncated input");
    assert_string_equal(cm_strerror(CM_EUTF8), "invalid UTF-8");
}

static void test_strerror_unknown(void **state)
{
    const int bad[] = {1, 2, 12, -15, -16, -100, INT_MIN, INT_MAX, 0x7fff};
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_string_equal(cm_strerror(bad[i]), "unknown error");
    }
}

static void test_diag_set_clear(void **state)
{
    struct cm_diag d;
    (void)state;

    memset(&d, 0x7f, sizeof(d));
    cm_diag_clear(&d);
    assert_int_equal(d.offset, 0);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.msg, "");

    d.line = 9;
    cm_diag_set(&d, 1234, "expected '%c' after %s, got %d", ':', "key", 42);
    assert_int_equal(d.offset, 1234);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.msg, "expected ':' after key, got 42");

    cm_diag_set(&d, 0, "%s", "");
    assert_int_equal(d.offset, 0);
    assert_string_equal(d.msg, "");

    cm_diag_set(&d, SIZE_MAX, "at end");
    assert_int_equal(d.offset, SIZE_MAX);
    assert_string_equal(d.msg, "at end");

    cm_diag_clear(&d);
    assert_int_equal(d.offset, 0);
    assert_string_equal(d.msg, "");

    /* NULL is accepted by both. */
    cm_diag_clear(NULL);
    cm_diag_set(NULL, 5, "ignored %d", 1);
}

static void test_diag_truncation(void **state)
{
    struct cm_diag d;
    char longmsg[1000];
    (void)state;

    memset(longmsg, 'x', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    memset(&d, 0x7f, sizeof(d));
    cm_diag_set(&d, 7, "bad value '%s' here", longmsg);
    assert_int_equal(d.offset, 7);
    assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
    assert_int_equal(d.msg[sizeof(d.msg) - 1], '\0');
    assert_memory_equal(d.msg, "bad value 'xxx", 14);
    for (size_t i = 11; i < sizeof(d.msg) - 1; i++) {
        assert_int_equal(d.msg[i], 'x');
    }

    /* Exactly at the limit: sizeof(msg) - 1 characters fit whole. */
    memset(longmsg, 'y', sizeof(d.msg) - 1);
    longmsg[sizeof(d.msg) - 1] = '\0';
    cm_diag_set(&d, 8, "%s", longmsg);
    assert_string_equal(d.msg, longmsg);
    longmsg[sizeof(d.msg) - 1] = 'z';
    longmsg[sizeof(d.msg)] = '\0';
    cm_diag_set(&d, 9, "%s", longmsg);
    assert_int_equal(strlen(d.msg), sizeof(d.msg) - 1);
    assert_int_equal(d.msg[sizeof(d.msg) - 2], 'y');

    /* A short message after a long one leaves no residue. */
    cm_diag_set(&d, 1, "short");
    assert_string_equal(d.msg, "short");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_values),         cmocka_unit_test(test_strerror_each),
        cmocka_unit_test(test_strerror_known_texts), cmocka_unit_test(test_strerror_unknown),
        cmocka_unit_test(test_diag_set_clear),       cmocka_unit_test(test_diag_truncation),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
