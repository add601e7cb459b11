/*
 * TagResource, UntagResource and ListTagsForResource on the detector's ARN
 * through cm_api_handle() (src/api/api_tags.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api_util.h"

/* The detector ARN as botocore puts it in the path: every ':' and '/' encoded. */
#define ARN_PATH "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F" A_DET

static void test_tag_untag_list(void **state)
{
    (void)state;
    assert_int_equal(call("GET", ARN_PATH, NULL, NULL), 200);
    assert_string_equal(a_body, "{\"tags\":{}}");
    assert_int_equal(call("POST", ARN_PATH, NULL, "{\"tags\":{\"team\":\"ir\",\"env\":\"prod\"}}"),
                     204);
    assert_string_equal(a_body, "");
    /* A repeat replaces the value, a new key is added after the others. */
    assert_int_equal(call("POST", ARN_PATH, NULL, "{\"tags\":{\"env\":\"dev\",\"a b\":\"\"}}"),
                     204);
    assert_int_equal(call("GET", ARN_PATH, NULL, NULL), 200);
    assert_string_equal(a_body, "{\"tags\":{\"team\":\"ir\",\"env\":\"dev\",\"a b\":\"\"}}");
    /* GetDetector shows them. */
    assert_int_equal(call("GET", A_DET_PATH, NULL, NULL), 200);
    assert_non_null(strstr(a_body, "\"tags\":{\"team\":\"ir\",\"env\":\"dev\",\"a b\":\"\"}"));
    /* Untag: repeated tagKeys, percent-decoded; an absent key is no error. */
    assert_int_equal(call("DELETE", ARN_PATH, "tagKeys=a%20b&tagKeys=team&tagKeys=none", NULL),
                     204);
    assert_int_equal(call("GET", ARN_PATH, NULL, NULL), 200);
    assert_string_equal(a_body, "{\"tags\":{\"env\":\"dev\"}}");
}

static void test_errors(void **state)
{
    char body[8192];
    size_t o;
    (void)state;

    call("POST", ARN_PATH, NULL, "{}");
    bad_request_has("tags: is required (byte 0)");
    call("POST", ARN_PATH, NULL, "{\"tags\":[\"a\"]}");
    bad_request_has("tags: must be an object (byte 8)");
    call("POST", ARN_PATH, NULL, "{\"tags\":{\"k\":\"1\"},\"tags\":{}}");
    bad_request_has("tags: given twice");
    call("POST", ARN_PATH, NULL, "{\"tags\":{\"k\":\"1\",\"k\":\"2\"}}");
    bad_request_has("k: given twice");
    call("POST", ARN_PATH, NULL, "{\"tags\":{\"k\":1}}");
    bad_request_has("Invalid type for parameter tags.k: expected a string");
    call("POST", ARN_PATH, NULL, "{\"tags\":{\"aws:k\":\"v\"}}");
    bad_request_has("not starting with 'aws:'");
    call("DELETE", ARN_PATH, NULL, NULL);
    bad_request_has("Missing required parameter in input: tagKeys");
    /* Another account's, region's or kind's ARN. */
    call("GET", "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A999999999999%3Adetector%2F" A_DET, NULL,
         NULL);
    bad_request_has("not a detector of the current account and Region");
    call("GET",
         "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2F" A_DET
         "%2Ffilter%2Fx",
         NULL, NULL);
    bad_request_has("not a detector");
    call("GET", "/tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A123456789012%3Adetector%2Fffff", NULL,
         NULL);
    bad_request_has(CM_API_NOT_OWNED);
    /* At most 50 tags on the detector. */
    o = (size_t)snprintf(body, sizeof(body), "{\"tags\":{");
    for (int i = 0; i < 51; i++) {
        o += (size_t)snprintf(body + o, sizeof(body) - o, "%s\"k%d\":\"v\"", i ? "," : "", i);
    }
    snprintf(body + o, sizeof(body) - o, "}}");
    call("POST", ARN_PATH, NULL, body);
    bad_request_has("at most 50 tags");
    assert_int_equal(call("GET", ARN_PATH, NULL, NULL), 200);
    assert_string_equal(a_body, "{\"tags\":{}}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tag_untag_list, a_setup, a_teardown),
        cmocka_unit_test_setup_teardown(test_errors, a_setup, a_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
