/*
 * The console on the HTTP server (api_http.c + web_serve.c), driven by
 * libcurl on 127.0.0.1 port 0 with credentials configured: / redirects, the
 * files come with their CSP, nosniff and ETag headers and need no signature
 * (the API still does), If-None-Match gives 304 with no body, HEAD the
 * headers alone, other methods 405, an unknown file 404, and /metrics counts
 * the requests under the operation "console".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/web_serve.h"
#include "api_http_util.h"

/* One unsigned request; extra: one more request header or NULL. Returns the status. */
static long req(const char *method, const char *path, const char *extra)
{
    const char *h[] = {extra, NULL};

    return h_req(method, path, NULL, 0, NULL, h);
}

static const struct cm_sigv4_cred creds[] = {{"AKIAIOSFODNN7EXAMPLE", "secret/key+1"}};

static int setup(void **state)
{
    struct cm_api_http_opts o = {.listen = "127.0.0.1:0", .creds = creds, .ncreds = 1};

    return a_setup(state) != 0 ? -1 : h_start(&o);
}

static int teardown(void **state)
{
    return h_stop(state);
}

static void assert_security_headers(void)
{
    assert_non_null(strstr(hdrs, "Content-Security-Policy: " CM_WEB_CSP "\r\n"));
    assert_non_null(strstr(hdrs, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(hdrs, "X-Frame-Options: DENY\r\n"));
}

static void test_redirect(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/", NULL), 308);
    assert_non_null(strstr(hdrs, "Location: /console/\r\n"));
    assert_security_headers();
    assert_int_equal(req("GET", "/console?x=1", NULL), 308);
    assert_non_null(strstr(hdrs, "Location: /console/\r\n"));
}

static void test_files(void **state)
{
    const struct cm_web_asset *idx = cm_web_asset_find("index.html");
    const struct cm_web_asset *js = cm_web_asset_find("app.js");
    char tag[CM_WEB_ETAG_LEN], line[128];
    (void)state;

    assert_int_equal(req("GET", "/console/", NULL), 200);
    assert_int_equal(got.len, idx->len + 1);
    assert_memory_equal(got.p, idx->data, idx->len);
    assert_non_null(strstr(hdrs, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(hdrs, "Cache-Control: no-cache\r\n"));
    assert_non_null(strstr(hdrs, "x-amzn-RequestId: "));
    assert_null(strstr(hdrs, "X-Amzn-ErrorType"));
    assert_security_headers();
    cm_web_asset_etag(idx, tag);
    snprintf(line, sizeof(line), "ETag: %s\r\n", tag);
    assert_non_null(strstr(hdrs, line));

    assert_int_equal(req("GET", "/console/app.js?v=1", NULL), 200);
    assert_int_equal(got.len, js->len + 1);
    assert_memory_equal(got.p, js->data, js->len);
    assert_non_null(strstr(hdrs, "Content-Type: text/javascript; charset=utf-8\r\n"));

    /* revalidation: the tag gives 304 and no body; another file's tag does not */
    snprintf(line, sizeof(line), "If-None-Match: %s", tag);
    assert_int_equal(req("GET", "/console/", line), 304);
    assert_int_equal(got.len, 1);
    assert_security_headers();
    assert_int_equal(req("GET", "/console/app.js", line), 200);

    /* HEAD: the length of the file, no body */
    assert_int_equal(req("HEAD", "/console/app.js", NULL), 200);
    snprintf(line, sizeof(line), "Content-Length: %zu\r\n", js->len);
    assert_non_null(strstr(hdrs, line));
    assert_int_equal(got.len, 1);
}

static void test_errors_and_api(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/console/nope.js", NULL), 404);
    assert_security_headers();
    assert_int_equal(req("GET", "/console/../api.md", NULL), 404);
    assert_int_equal(req("POST", "/console/", NULL), 405);
    assert_non_null(strstr(hdrs, "Allow: GET, HEAD\r\n"));
    /* the API is still signed: the console is public, the findings are not */
    assert_int_equal(req("GET", "/detector", NULL), 403);
    assert_non_null(strstr(hdrs, "X-Amzn-ErrorType: "));
    assert_null(strstr(hdrs, "Content-Security-Policy"));
    /* POST / is the API's (no such operation), not a redirect */
    assert_int_equal(req("POST", "/", NULL), 403);
}

static void test_metrics(void **state)
{
    (void)state;
    assert_int_equal(req("GET", "/console/", NULL), 200);
    assert_int_equal(req("GET", "/console/nope", NULL), 404);
    assert_int_equal(req("GET", "/metrics", NULL), 200);
    assert_non_null(
        strstr(got.p, "coalmine_api_requests_total{code=\"200\",operation=\"console\"} 1"));
    assert_non_null(
        strstr(got.p, "coalmine_api_requests_total{code=\"404\",operation=\"console\"} 1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_redirect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_and_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
