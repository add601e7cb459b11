/*
 * Query strings into req->query (src/api/api_query.c) and the one request
 * reader every operation uses (src/api/api_input.c): typed body members, the
 * page parameters, and the policy (unknown members ignored, lowerCamel only,
 * a repeated member refused).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/api_input.h"
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

/* The page parameters of a GET list operation (cm_api_in_page). */
static void test_page(void **state)
{
    struct cm_api_req req;
    struct cm_api_resp resp;
    const char *token = NULL;
    char why[64];
    size_t max = 0;
    (void)state;

    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    assert_int_equal(cm_api_query_parse(&req, "maxResults=7&nextToken=abc", why, sizeof(why)), 0);
    assert_int_equal(cm_api_in_page(&req, &resp, &max, &token), 0);
    assert_int_equal(max, 7);
    assert_string_equal(token, "abc");
    cm_api_query_free(&req);
    assert_int_equal(cm_api_query_parse(&req, "maxResults=-1", why, sizeof(why)), 0);
    assert_int_equal(cm_api_in_page(&req, &resp, &max, &token), -1);
    assert_int_equal(resp.status, 400);
    assert_non_null(strstr(resp.body.p, "maxResults: must be an integer from 1 to 50"));
    cm_api_query_free(&req);
    cm_buf_finish(&resp.body);
}

struct reader {
    struct cm_api_req req;
    struct cm_api_resp resp;
    struct cm_api_in b;
};

static int rd_parse(struct reader *r, const char *body)
{
    cm_api_in_finish(&r->b);
    cm_buf_reset(&r->resp.body);
    r->resp.status = 0;
    r->req.body = body;
    r->req.body_len = body != NULL ? strlen(body) : 0;
    return cm_api_in_parse(&r->b, &r->req, &r->resp);
}

static void rd_says(const struct reader *r, const char *fragment)
{
    assert_int_equal(r->resp.status, 400);
    if (strstr(r->resp.body.p, fragment) == NULL) {
        fail_msg("answer %s lacks \"%s\"", r->resp.body.p, fragment);
    }
}

/* Typed members, of the body and of a nested object; errors name the member and byte. */
static void test_body_members(void **state)
{
    static const char *const enums[] = {"ASC", "DESC", NULL};
    struct reader r;
    const char *s = NULL, **v = NULL;
    uint32_t node;
    size_t n = 0;
    int64_t i = 0;
    bool b = false, has = false;
    (void)state;

    memset(&r, 0, sizeof(r));
    cm_buf_init(&r.resp.body, 0);
    assert_int_equal(rd_parse(&r, "{\"n\":5,\"f\":1.5,\"b\":true,\"s\":\"ASC\",\"e\":\"\\u0041SC\","
                                  "\"z\":null,\"o\":{\"k\":\"DESC\",\"t\":[\"x\",\"yy\"]}}"),
                     0);
    assert_int_equal(cm_api_in_int(&r.b, &r.resp, 0, "n", 1, 10, &i), 0);
    assert_int_equal(i, 5);
    i = 42;
    assert_int_equal(cm_api_in_int(&r.b, &r.resp, 0, "z", 1, 10, &i), 0); /* null: absent */
    assert_int_equal(i, 42);
    assert_int_equal(cm_api_in_int(&r.b, &r.resp, 0, "f", 1, 10, &i), -1);
    rd_says(&r, "f: must be an integer from 1 to 10 (byte 11)");
    assert_int_equal(cm_api_in_int(&r.b, &r.resp, 0, "n", 6, 10, &i), -1);
    assert_int_equal(cm_api_in_bool(&r.b, &r.resp, 0, "b", true, &has, &b), 0);
    assert_true(has && b);
    assert_int_equal(cm_api_in_bool(&r.b, &r.resp, 0, "n", false, &has, &b), -1);
    rd_says(&r, "n: must be a boolean (byte 5)");
    assert_int_equal(cm_api_in_bool(&r.b, &r.resp, 0, "z", true, &has, &b), -1);
    rd_says(&r, "z: is required (byte 0)");
    assert_int_equal(cm_api_in_enum(&r.b, &r.resp, 0, "e", true, enums, &s), 0);
    assert_string_equal(s, "ASC"); /* unescaped before the check */
    assert_int_equal(cm_api_in_enum(&r.b, &r.resp, 0, "none", false, enums, &s), 0);
    assert_null(s);
    assert_int_equal(cm_api_in_str(&r.b, &r.resp, 0, "s", false, 1, 2, &s), -1);
    rd_says(&r, "s: must be 1 to 2 characters, has 3 (byte 28)");
    assert_int_equal(cm_api_in_str(&r.b, &r.resp, 0, "b", false, 1, 8, &s), -1);
    rd_says(&r, "b: must be a string");
    /* A nested object's members. */
    assert_int_equal(cm_api_in_node(&r.b, &r.resp, 0, "o", true, CM_JSON_OBJECT, &node), 0);
    assert_int_equal(cm_api_in_enum(&r.b, &r.resp, node, "k", true, enums, &s), 0);
    assert_string_equal(s, "DESC");
    assert_int_equal(cm_api_in_strs(&r.b, &r.resp, node, "t", true, 1, 5, 1, &v, &n), -1);
    rd_says(&r, "t[1]: must be 1 characters, has 2 (byte 83)");
    assert_int_equal(cm_api_in_strs(&r.b, &r.resp, node, "t", true, 1, 5, 2, &v, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[1], "yy");
    assert_int_equal(cm_api_in_enum(&r.b, &r.resp, node, "t", false, enums, &s), -1);
    rd_says(&r, "t: must be a string");
    assert_int_equal(cm_api_in_node(&r.b, &r.resp, 0, "n", false, CM_JSON_OBJECT, &node), -1);
    rd_says(&r, "n: must be an object");
    assert_int_equal(rd_parse(&r, "{\"s\":\"UP\"}"), 0);
    assert_int_equal(cm_api_in_enum(&r.b, &r.resp, 0, "s", false, enums, &s), -1);
    rd_says(&r, "s: must be one of ASC, DESC, not 'UP' (byte 5)");

    /* Not JSON, not an object: a SerializationException. No body is an empty object. */
    assert_int_equal(rd_parse(&r, "{\"a\":"), -1);
    rd_says(&r, "not valid JSON");
    assert_string_equal(r.resp.error_type, "BadRequestException");
    assert_non_null(strstr(r.resp.body.p, "\"__type\":\"SerializationException\""));
    assert_int_equal(rd_parse(&r, "\"x\""), -1);
    rd_says(&r, "must be a JSON object");
    assert_int_equal(rd_parse(&r, NULL), 0);
    cm_api_in_finish(&r.b);
    cm_buf_finish(&r.resp.body);
}

/*
 * The one policy of every operation: a member the operation does not read is ignored,
 * names are the lowerCamel wire form exactly, and a member given twice in any object is
 * refused at the second.
 */
static void test_body_policy(void **state)
{
    struct reader r;
    const char *s = NULL;
    bool b = false, has = true;
    (void)state;

    memset(&r, 0, sizeof(r));
    cm_buf_init(&r.resp.body, 0);
    assert_int_equal(rd_parse(&r, "{\"colour\":\"red\",\"name\":\"x\"}"), 0);
    assert_int_equal(cm_api_in_str(&r.b, &r.resp, 0, "name", true, 1, 8, &s), 0);
    assert_string_equal(s, "x");
    assert_int_equal(rd_parse(&r, "{\"Enable\":true}"), 0);
    assert_int_equal(cm_api_in_bool(&r.b, &r.resp, 0, "enable", false, &has, &b), 0);
    assert_false(has); /* UpperCamel is another (unknown) member */
    assert_int_equal(rd_parse(&r, "{\"a\":1,\"b\":2,\"a\":3}"), -1);
    rd_says(&r, "a: given twice (byte 13)");
    assert_int_equal(rd_parse(&r, "{\"o\":{\"k\":1,\"\\u006b\":2}}"), -1);
    rd_says(&r, "k: given twice (byte 12)");
    assert_int_equal(rd_parse(&r, "{\"o\":{\"k\":1},\"p\":{\"k\":2},\"k\":[{\"k\":1},{\"k\":2}]}"),
                     0);
    /* The first repeat in the body is named, whatever the order of the names. */
    assert_int_equal(rd_parse(&r, "{\"z\":1,\"y\":1,\"y\":2,\"z\":2}"), -1);
    rd_says(&r, "y: given twice (byte 13)");
    cm_api_in_finish(&r.b);
    cm_buf_finish(&r.resp.body);
}

/* Many members: the repeat check is n log n, and finds the one repeat among 20000. */
static void test_body_many_members(void **state)
{
    struct reader r;
    struct cm_buf body;
    (void)state;

    memset(&r, 0, sizeof(r));
    cm_buf_init(&r.resp.body, 0);
    cm_buf_init(&body, 0);
    cm_buf_putc(&body, '{');
    for (int i = 0; i < 20000; i++) {
        char m[32];
        snprintf(m, sizeof(m), "%s\"m%d\":%d", i ? "," : "", i == 19999 ? 7 : i, i);
        cm_buf_puts(&body, m);
    }
    cm_buf_putc(&body, '}');
    cm_buf_putc(&body, '\0');
    assert_int_equal(rd_parse(&r, body.p), -1);
    rd_says(&r, "m7: given twice");
    cm_api_in_finish(&r.b);
    cm_buf_finish(&body);
    cm_buf_finish(&r.resp.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),       cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_page),        cmocka_unit_test(test_body_members),
        cmocka_unit_test(test_body_policy), cmocka_unit_test(test_body_many_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
