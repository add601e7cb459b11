/*
 * Query strings into req->query (src/api/api_query.c) and the typed body and
 * query members the handlers read (src/api/api_body.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api_body.h"
#include "api/api_query.h"

static void test_parse(void **state)
{
    struct cm_api_req req;
    char why[256];
    (void)state;

    memset(&req, 0, sizeof(req));
    assert_int_equal(cm_api_query_parse(&req, NULL, why, sizeof(why)), 0);
    assert_int_equal(req.nquery, 0);
    assert_int_equal(cm_api_query_parse(&req, "", why, sizeof(why)), 0);
    assert_int_equal(req.nquery, 0);
    /* Repeated keys in order, '+' a space, escapes decoded, empty pairs skipped. */
    assert_int_equal(cm_api_query_parse(
                         &req, "tagKeys=a+b&&tagKeys=%41%2f%3d&flag&maxResults=", why, sizeof(why)),
                     0);
    assert_int_equal(req.nquery, 4);
    assert_string_equal(req.query[0].key, "tagKeys");
    assert_string_equal(req.query[0].val, "a b");
    assert_string_equal(req.query[1].val, "A/=");
    assert_string_equal(req.query[2].key, "flag");
    assert_string_equal(req.query[2].val, "");
    assert_string_equal(req.query[3].key, "maxResults");
    assert_string_equal(req.query[3].val, "");
    assert_string_equal(cm_api_query(&req, "tagKeys"), "a b");
    assert_null(cm_api_query(&req, "nextToken"));
    cm_api_query_free(&req);
    assert_int_equal(req.nquery, 0);
    /* Bad escapes and an encoded NUL are refused with the place. */
    assert_int_equal(cm_api_query_parse(&req, "a=%4", why, sizeof(why)), -1);
    assert_non_null(strstr(why, "bad percent-escape at byte 0"));
    assert_int_equal(req.nquery, 0);
    assert_int_equal(cm_api_query_parse(&req, "ok=1&a%zz=1", why, sizeof(why)), -1);
    assert_int_equal(req.nquery, 0);
    assert_int_equal(cm_api_query_parse(&req, "a=%00", why, sizeof(why)), -1);
}

static void test_too_many(void **state)
{
    struct cm_api_req req;
    char q[2048], why[256];
    size_t o = 0;
    (void)state;

    memset(&req, 0, sizeof(req));
    for (int i = 0; i < CM_API_MAX_QUERY; i++) {
        o += (size_t)snprintf(q + o, sizeof(q) - o, "%sk%d=v", i ? "&" : "", i);
    }
    assert_int_equal(cm_api_query_parse(&req, q, why, sizeof(why)), 0);
    assert_int_equal(req.nquery, CM_API_MAX_QUERY);
    cm_api_query_free(&req);
    snprintf(q + o, sizeof(q) - o, "&one=more");
    assert_int_equal(cm_api_query_parse(&req, q, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "more than 64 parameters"));
    assert_int_equal(req.nquery, 0);
}

static void test_query_int(void **state)
{
    struct cm_api_req req;
    struct cm_api_resp resp;
    char why[64];
    int64_t v = 0;
    (void)state;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    assert_int_equal(cm_api_query_parse(&req, "maxResults=7&bad=-1", why, sizeof(why)), 0);
    assert_int_equal(cm_api_query_int(&req, "maxResults", 1, 50, &v, &resp), 1);
    assert_int_equal(v, 7);
    assert_int_equal(cm_api_query_int(&req, "none", 1, 50, &v, &resp), 0);
    assert_int_equal(cm_api_query_int(&req, "bad", 1, 50, &v, &resp), -1);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body.p, "Invalid value for parameter bad"));
    cm_api_query_free(&req);
    cm_buf_finish(&resp.body);
}

static void test_body_members(void **state)
{
    static const char *const enums[] = {"ASC", "DESC", NULL};
    struct cm_api_req req;
    struct cm_api_resp resp;
    struct cm_json_doc d;
    char s[16];
    int64_t i = 0;
    bool b = false;
    (void)state;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    cm_json_doc_init(&d, 0, 16);
    req.body = "{\"n\":5,\"f\":1.5,\"b\":true,\"s\":\"ASC\",\"e\":\"\\u0041SC\",\"z\":null}";
    req.body_len = strlen(req.body);
    assert_int_equal(cm_api_body_parse(&req, &d, &resp), 0);
    assert_int_equal(cm_api_body_int(&d, 0, "n", 1, 10, &i, &resp), 1);
    assert_int_equal(i, 5);
    assert_int_equal(cm_api_body_int(&d, 0, "z", 1, 10, &i, &resp), 0); /* null: absent */
    assert_int_equal(cm_api_body_int(&d, 0, "f", 1, 10, &i, &resp), -1);
    assert_non_null(strstr(resp.body.p, "parameter f: must be an integer from 1 to 10"));
    assert_int_equal(cm_api_body_int(&d, 0, "n", 6, 10, &i, &resp), -1);
    assert_int_equal(cm_api_body_bool(&d, 0, "b", &b, &resp), 1);
    assert_true(b);
    assert_int_equal(cm_api_body_bool(&d, 0, "n", &b, &resp), -1);
    assert_non_null(strstr(resp.body.p, "expected a boolean, got a number"));
    assert_int_equal(cm_api_body_str(&d, 0, "e", 8, enums, s, sizeof(s), &resp), 1);
    assert_string_equal(s, "ASC"); /* unescaped before the check */
    assert_int_equal(cm_api_body_str(&d, 0, "s", 2, NULL, s, sizeof(s), &resp), -1);
    assert_non_null(strstr(resp.body.p, "Invalid length for parameter s: from 1 to 2"));
    assert_int_equal(cm_api_body_str(&d, 0, "b", 8, NULL, s, sizeof(s), &resp), -1);
    assert_non_null(strstr(resp.body.p, "expected a string, got a boolean"));
    cm_json_doc_finish(&d);

    /* Not JSON, not an object. */
    cm_json_doc_init(&d, 0, 16);
    req.body = "{\"a\":";
    req.body_len = strlen(req.body);
    assert_int_equal(cm_api_body_parse(&req, &d, &resp), -1);
    assert_int_equal(resp.status, 400);
    assert_string_equal(resp.error_type, "BadRequestException");
    assert_non_null(strstr(resp.body.p, "\"__type\":\"SerializationException\""));
    req.body = "\"x\"";
    req.body_len = 3;
    assert_int_equal(cm_api_body_parse(&req, &d, &resp), -1);
    assert_non_null(strstr(resp.body.p, "not a JSON object"));
    /* No body is an empty object. */
    req.body = NULL;
    req.body_len = 0;
    assert_int_equal(cm_api_body_parse(&req, &d, &resp), 0);
    cm_json_doc_finish(&d);
    cm_buf_finish(&resp.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_query_int),
        cmocka_unit_test(test_body_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
