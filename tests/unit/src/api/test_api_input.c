/*
 * The paging helpers of every list operation (api_input.c): cm_api_in_page's maxResults
 * (default 50, 1-50, a number) and nextToken (empty is none, at most 512 characters) with
 * the 400s the list operations answer, and the page writer cm_api_page_begin/id/mark/end:
 * the array under its member, nextToken only when one is given, the last id remembered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/api_input.h"
#include "base/buf.h"

struct page_call {
    struct cm_api_req req;
    struct cm_api_resp resp;
    size_t max;
    const char *token;
    char keys[2][16], vals[2][600];
};

/* Adds key=val to c's query string (val NULL: absent). */
static void add_query(struct page_call *c, const char *key, const char *val)
{
    size_t k = c->req.nquery;

    if (val == NULL) {
        return;
    }
    snprintf(c->keys[k], sizeof(c->keys[0]), "%s", key);
    snprintf(c->vals[k], sizeof(c->vals[0]), "%s", val);
    c->req.query[k].key = c->keys[k];
    c->req.query[k].val = c->vals[k];
    c->req.nquery++;
}

/* cm_api_in_page on the query (max, token), either NULL for absent; returns its rc. */
static int in_page(struct page_call *c, const char *max, const char *token)
{
    memset(c, 0, sizeof(*c));
    add_query(c, "maxResults", max);
    add_query(c, "nextToken", token);
    cm_buf_init(&c->resp.body, 0);
    c->resp.status = 200;
    c->max = 7;
    c->token = "unset";
    return cm_api_in_page(&c->req, &c->resp, &c->max, &c->token);
}

static void a_bad(struct page_call *c, const char *msg)
{
    assert_int_equal(c->resp.status, 400);
    assert_non_null(c->resp.error_type);
    assert_string_equal(c->resp.error_type, "BadRequestException");
    char body[1024];

    assert_true(c->resp.body.len > 0 && c->resp.body.len < sizeof(body));
    memcpy(body, c->resp.body.p, c->resp.body.len);
    body[c->resp.body.len] = '\0';
    assert_non_null(strstr(body, msg));
    cm_buf_finish(&c->resp.body);
}

static void test_in_page_defaults(void **state)
{
    struct page_call c;

    (void)state;
    assert_int_equal(in_page(&c, NULL, NULL), 0);
    assert_int_equal(c.max, 50);
    assert_null(c.token);
    cm_buf_finish(&c.resp.body);
    assert_int_equal(in_page(&c, "1", ""), 0);
    assert_int_equal(c.max, 1);
    assert_null(c.token);
    cm_buf_finish(&c.resp.body);
    assert_int_equal(in_page(&c, "50", "abc"), 0);
    assert_int_equal(c.max, 50);
    assert_string_equal(c.token, "abc");
    assert_int_equal(c.resp.body.len, 0);
    cm_buf_finish(&c.resp.body);
}

static void test_in_page_bad(void **state)
{
    struct page_call c;
    char token[514];

    (void)state;
    assert_int_not_equal(in_page(&c, "0", NULL), 0);
    a_bad(&c, "maxResults: must be an integer from 1 to 50, is \\\"0\\\"");
    assert_int_not_equal(in_page(&c, "51", NULL), 0);
    a_bad(&c, "maxResults: must be an integer from 1 to 50, is \\\"51\\\"");
    assert_int_not_equal(in_page(&c, "-1", NULL), 0);
    a_bad(&c, "maxResults: must be an integer from 1 to 50");
    assert_int_not_equal(in_page(&c, "5x", NULL), 0);
    a_bad(&c, "maxResults: must be an integer from 1 to 50");
    assert_int_not_equal(in_page(&c, "", NULL), 0);
    a_bad(&c, "maxResults: must be an integer from 1 to 50");
    memset(token, 'a', 513);
    token[513] = '\0';
    assert_int_not_equal(in_page(&c, NULL, token), 0);
    a_bad(&c, "nextToken: at most 512 characters");
    token[512] = '\0';
    assert_int_equal(in_page(&c, NULL, token), 0);
    assert_int_equal(strlen(c.token), 512);
    cm_buf_finish(&c.resp.body);
}

static void a_body(struct cm_api_resp *resp, const char *want)
{
    assert_int_equal(resp->body.len, strlen(want));
    assert_memory_equal(resp->body.p, want, strlen(want));
}

static void test_page_writer(void **state)
{
    struct cm_api_resp resp;
    struct cm_api_page page;

    (void)state;
    memset(&resp, 0, sizeof(resp));
    cm_buf_init(&resp.body, 0);
    /* Whatever stood in the body before is replaced. */
    assert_int_equal(cm_buf_puts(&resp.body, "{\"stale\":1}"), 0);
    cm_api_page_begin(&page, &resp, "detectorIds");
    assert_string_equal(page.last, "");
    assert_int_equal(cm_api_page_end(&page, NULL), 0);
    a_body(&resp, "{\"detectorIds\":[]}");

    cm_api_page_begin(&page, &resp, "filterNames");
    cm_api_page_id(&page, "a");
    cm_api_page_id(&page, "b\"c");
    assert_string_equal(page.last, "b\"c");
    assert_int_equal(cm_api_page_end(&page, page.last), 0);
    a_body(&resp, "{\"filterNames\":[\"a\",\"b\\\"c\"],\"nextToken\":\"b\\\"c\"}");

    /* An empty next is no token; mark remembers without writing. */
    cm_api_page_begin(&page, &resp, "destinations");
    cm_jw_obj_begin(&page.jw);
    cm_jw_key(&page.jw, "destinationId");
    cm_jw_str(&page.jw, "d1");
    cm_jw_obj_end(&page.jw);
    cm_api_page_mark(&page, "d1");
    assert_string_equal(page.last, "d1");
    assert_int_equal(cm_api_page_end(&page, ""), 0);
    a_body(&resp, "{\"destinations\":[{\"destinationId\":\"d1\"}]}");

    cm_api_page_begin(&page, &resp, "findingIds");
    cm_api_page_id(&page, "f1");
    assert_int_equal(cm_api_page_end(&page, "tok-2"), 0);
    a_body(&resp, "{\"findingIds\":[\"f1\"],\"nextToken\":\"tok-2\"}");
    cm_buf_finish(&resp.body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_page_defaults),
        cmocka_unit_test(test_in_page_bad),
        cmocka_unit_test(test_page_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
