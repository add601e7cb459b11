/*
 * What the write operations share (api_ops.c): a store result as the operation's answer
 * (0 left alone, CM_ENOTFOUND as GuardDuty's 400, anything else a 500 naming err or the
 * code's text), a Create's {"<member>":"<id>"} and the 32-hex-digit ids.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api_ops.h"
#include "base/buf.h"
#include "base/err.h"

static void a_body(const struct cm_api_resp *resp, const char *want)
{
    assert_int_equal(resp->body.len, strlen(want));
    assert_memory_equal(resp->body.p, want, strlen(want));
}

static int has(const struct cm_api_resp *resp, const char *part)
{
    char body[1024];

    if (resp->body.len >= sizeof(body)) {
        return 0;
    }
    memcpy(body, resp->body.p, resp->body.len);
    body[resp->body.len] = '\0';
    return strstr(body, part) != NULL;
}

static void test_stored(void **state)
{
    struct cm_api_resp resp;

    (void)state;
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    resp.status = 200;
    assert_int_equal(cm_buf_puts(&resp.body, "{\"kept\":1}"), 0);
    assert_int_equal(cm_api_ops_stored(&resp, 0, "unused"), 0);
    assert_int_equal(resp.status, 200);
    a_body(&resp, "{\"kept\":1}");

    assert_int_not_equal(cm_api_ops_stored(&resp, CM_ENOTFOUND, "ignored"), 0);
    assert_int_equal(resp.status, 400);
    assert_string_equal(resp.error_type, "BadRequestException");
    assert_true(has(&resp, "The request is rejected since no such resource found."));
    assert_false(has(&resp, "ignored"));

    assert_int_not_equal(cm_api_ops_stored(&resp, CM_EIO, "disk gone"), 0);
    assert_int_equal(resp.status, 500);
    assert_string_equal(resp.error_type, "InternalServerErrorException");
    assert_true(has(&resp, "the store failed: disk gone"));

    /* No err (NULL or empty): the code's own text. */
    assert_int_not_equal(cm_api_ops_store_fail(&resp, CM_EIO, NULL), 0);
    assert_int_equal(resp.status, 500);
    assert_true(has(&resp, cm_strerror(CM_EIO)));
    assert_int_not_equal(cm_api_ops_store_fail(&resp, CM_EFULL, ""), 0);
    assert_true(has(&resp, cm_strerror(CM_EFULL)));
    cm_buf_finish(&resp.body);
}

static void test_answer_and_ids(void **state)
{
    struct cm_api_resp resp;
    char a[CM_API_OPS_ID_LEN + 1], b[CM_API_OPS_ID_LEN + 1];

    (void)state;
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    assert_int_equal(cm_buf_puts(&resp.body, "stale"), 0);
    assert_int_equal(cm_api_ops_answer_id(&resp, "destinationId", "d\"1"), 0);
    a_body(&resp, "{\"destinationId\":\"d\\\"1\"}");
    cm_buf_finish(&resp.body);

    memset(a, 'x', sizeof(a));
    cm_api_ops_new_id(a);
    cm_api_ops_new_id(b);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_int_equal(strspn(b, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stored),
        cmocka_unit_test(test_answer_and_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
