/*
 * Unit tests for the console's HTTP answers (web_serve.h): what is the
 * console's and what is left to the API, redirects, assets with their
 * security and caching headers, 304 on a matching If-None-Match, 404 and 405,
 * and the If-None-Match parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/web_serve.h"

static const char *hdr(const struct cm_web_resp *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

/* The headers every console answer carries. */
static void assert_security(const struct cm_web_resp *r)
{
    assert_string_equal(hdr(r, "Content-Security-Policy"), CM_WEB_CSP);
    assert_string_equal(hdr(r, "X-Content-Type-Options"), "nosniff");
    assert_string_equal(hdr(r, "X-Frame-Options"), "DENY");
    assert_string_equal(hdr(r, "Referrer-Policy"), "no-referrer");
    assert_non_null(strstr(CM_WEB_CSP, "default-src 'self'"));
    assert_null(strstr(CM_WEB_CSP, "unsafe-inline"));
}

static void test_not_the_console(void **state)
{
    struct cm_web_resp r;
    (void)state;

    assert_int_equal(cm_web_serve("GET", "/detector", NULL, &r), 0);
    assert_int_equal(cm_web_serve("POST", "/detector/x/findings", NULL, &r), 0);
    assert_int_equal(cm_web_serve("GET", "/consolex", NULL, &r), 0);
    assert_int_equal(cm_web_serve("GET", "/consol", NULL, &r), 0);
    assert_int_equal(cm_web_serve("GET", "/metrics", NULL, &r), 0);
    assert_int_equal(cm_web_serve("POST", "/", NULL, &r), 0);
    assert_int_equal(cm_web_serve("GET", "", NULL, &r), 0);
    assert_int_equal(cm_web_serve(NULL, "/console/", NULL, &r), 0);
    assert_int_equal(cm_web_serve("GET", NULL, NULL, &r), 0);
    assert_int_equal(r.nheaders, 0);
}

static void test_redirects(void **state)
{
    static const char *const paths[] = {"/", "/console", "/?x=1", "/console?a=b"};
    struct cm_web_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(cm_web_serve("GET", paths[i], NULL, &r), 1);
        assert_int_equal(r.status, 308);
        assert_string_equal(hdr(&r, "Location"), "/console/");
        assert_security(&r);
    }
    assert_int_equal(cm_web_serve("HEAD", "/", NULL, &r), 1);
    assert_int_equal(r.status, 308);
}

static void test_assets(void **state)
{
    struct cm_web_resp r;
    const struct cm_web_asset *idx = cm_web_asset_find("index.html");
    const struct cm_web_asset *js = cm_web_asset_find("app.js");
    char tag[CM_WEB_ETAG_LEN];
    (void)state;

    assert_int_equal(cm_web_serve("GET", "/console/", NULL, &r), 1);
    assert_int_equal(r.status, 200);
    assert_ptr_equal(r.body, idx->data);
    assert_int_equal(r.len, idx->len);
    assert_string_equal(r.content_type, "text/html; charset=utf-8");
    assert_security(&r);
    assert_string_equal(hdr(&r, "Cache-Control"), "no-cache");
    cm_web_asset_etag(idx, tag);
    assert_string_equal(hdr(&r, "ETag"), tag);
    assert_string_equal(r.etag, tag);

    assert_int_equal(cm_web_serve("GET", "/console/index.html", NULL, &r), 1);
    assert_int_equal(r.status, 200);
    assert_ptr_equal(r.body, idx->data);

    assert_int_equal(cm_web_serve("GET", "/console/app.js?v=2", NULL, &r), 1);
    assert_int_equal(r.status, 200);
    assert_ptr_equal(r.body, js->data);
    assert_string_equal(r.content_type, "text/javascript; charset=utf-8");

    /* HEAD: the same answer; the server leaves the body out */
    assert_int_equal(cm_web_serve("HEAD", "/console/app.js", NULL, &r), 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, js->len);
}

static void test_not_found(void **state)
{
    static const char *const paths[] = {
        "/console/nope.js",    "/console/../index.html", "/console//index.html",
        "/console/INDEX.HTML", "/console/index.html/",   "/console/%69ndex.html",
        "/console/web/app.js",
    };
    char longp[600];
    struct cm_web_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        assert_int_equal(cm_web_serve("GET", paths[i], NULL, &r), 1);
        assert_int_equal(r.status, 404);
        assert_security(&r);
        assert_string_equal(hdr(&r, "Cache-Control"), "no-store");
        assert_null(hdr(&r, "ETag"));
        assert_true(r.len > 0);
    }
    memcpy(longp, "/console/", 9);
    memset(longp + 9, 'a', sizeof longp - 10);
    longp[sizeof longp - 1] = '\0';
    assert_int_equal(cm_web_serve("GET", longp, NULL, &r), 1);
    assert_int_equal(r.status, 404);
}

static void test_methods(void **state)
{
    static const char *const methods[] = {"POST", "PUT", "DELETE", "OPTIONS", "get"};
    struct cm_web_resp r;
    (void)state;

    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        assert_int_equal(cm_web_serve(methods[i], "/console/app.js", NULL, &r), 1);
        assert_int_equal(r.status, 405);
        assert_string_equal(hdr(&r, "Allow"), "GET, HEAD");
        assert_security(&r);
    }
    assert_int_equal(cm_web_serve("POST", "/console", NULL, &r), 1);
    assert_int_equal(r.status, 405);
}

static void test_not_modified(void **state)
{
    struct cm_web_resp r;
    char tag[CM_WEB_ETAG_LEN], inm[128];
    (void)state;

    cm_web_asset_etag(cm_web_asset_find("style.css"), tag);
    assert_int_equal(cm_web_serve("GET", "/console/style.css", tag, &r), 1);
    assert_int_equal(r.status, 304);
    assert_null(r.body);
    assert_int_equal(r.len, 0);
    assert_string_equal(hdr(&r, "ETag"), tag);
    assert_security(&r);

    snprintf(inm, sizeof inm, "\"x\", W/%s", tag);
    assert_int_equal(cm_web_serve("GET", "/console/style.css", inm, &r), 1);
    assert_int_equal(r.status, 304);
    assert_int_equal(cm_web_serve("GET", "/console/style.css", "*", &r), 1);
    assert_int_equal(r.status, 304);

    /* another file's tag, or garbage: the file */
    assert_int_equal(cm_web_serve("GET", "/console/app.js", tag, &r), 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(cm_web_serve("GET", "/console/style.css", "garbage", &r), 1);
    assert_int_equal(r.status, 200);
    assert_int_equal(cm_web_serve("GET", "/console/style.css", "", &r), 1);
    assert_int_equal(r.status, 200);
}

static void test_etag_match(void **state)
{
    const char *t = "\"0123456789abcdef\"";
    (void)state;

    assert_true(cm_web_etag_match("\"0123456789abcdef\"", t));
    assert_true(cm_web_etag_match("W/\"0123456789abcdef\"", t));
    assert_true(cm_web_etag_match(" \"a\" ,\t\"0123456789abcdef\" ", t));
    assert_true(cm_web_etag_match("\"a\",,\"0123456789abcdef\"", t));
    assert_true(cm_web_etag_match("*", t));
    assert_true(cm_web_etag_match(" * ", t));
    assert_false(cm_web_etag_match(NULL, t));
    assert_false(cm_web_etag_match("", t));
    assert_false(cm_web_etag_match("\"0123456789abcde\"", t));
    assert_false(cm_web_etag_match("\"0123456789abcdef0\"", t));
    assert_false(cm_web_etag_match("0123456789abcdef", t));
    assert_false(cm_web_etag_match("\"0123456789abcdef", t));
    assert_false(cm_web_etag_match("\"x\" junk, \"0123456789abcdef\"", t));
    assert_false(cm_web_etag_match("*x", t));
    assert_false(cm_web_etag_match("w/\"0123456789abcdef\"", t));
    assert_false(cm_web_etag_match("\"0123456789abcdef\"", NULL));
    assert_false(cm_web_etag_match("\"0123456789abcdef\"", "unquoted"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_the_console), cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_assets),          cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_methods),         cmocka_unit_test(test_not_modified),
        cmocka_unit_test(test_etag_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
