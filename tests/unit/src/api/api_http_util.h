/*
 * The harness of the HTTP server tests (test_api_http*.c), on top of
 * api_util.h: the server on 127.0.0.1 port 0 over the a_setup() store, and
 * h_req(), one libcurl request whose answer is kept in got (the body,
 * NUL-ended) and hdrs (the response headers as received). Included after
 * cmocka.h, by test files only.
 */
#ifndef CM_TESTS_API_HTTP_UTIL_H
#define CM_TESTS_API_HTTP_UTIL_H

#include <curl/curl.h>

#include "api/api_http.h"
#include "api_util.h"

static struct cm_api_http *srv;
static char hdrs[4096];
static struct cm_buf got;
static const char *sign_service = "guardduty"; /* the SigV4 scope's service h_req() signs for */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    (void)ud;
    return cm_buf_append(&got, p, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    size_t len = strlen(hdrs);
    (void)ud;
    snprintf(hdrs + len, sizeof(hdrs) - len, "%.*s", (int)(size * n), p);
    return size * n;
}

/*
 * One request, the path sent as it is (no dot-segment folding); body: NULL
 * for none; sign: "KEY:SECRET" to sign it with libcurl's own SigV4 signer
 * for sign_service, NULL not to; headers: more request headers, NULL-ended (NULL for none).
 * HEAD asks for the headers alone. Returns the status.
 */
static inline long h_req(const char *method, const char *path, const char *body, size_t body_len,
                         const char *sign, const char *const *headers)
{
    CURL *c = curl_easy_init();
    char url[512];
    long status = 0;
    struct curl_slist *h = NULL;

    assert_non_null(c);
    hdrs[0] = '\0';
    cm_buf_reset(&got);
    snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", cm_api_http_port(srv), path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    for (size_t i = 0; headers != NULL && headers[i] != NULL; i++) {
        h = curl_slist_append(h, headers[i]);
    }
    if (h != NULL) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    }
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
    }
    if (sign != NULL) {
        char scope[64];
        snprintf(scope, sizeof(scope), "aws:amz:us-east-1:%s", sign_service);
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4, scope);
        curl_easy_setopt(c, CURLOPT_USERPWD, sign);
    }
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    (void)cm_buf_putc(&got, '\0');
    return status;
}

/* Starts the server with o over the store a_setup() opened; o->ctx is set to &a_ctx. */
static inline int h_start(struct cm_api_http_opts *o)
{
    char err[256];

    o->ctx = &a_ctx;
    if (cm_api_http_start(&srv, o, err, sizeof(err)) != 0) {
        return -1;
    }
    cm_buf_init(&got, 0);
    return 0;
}

/* Stops the server (if still running) and removes the store. */
static inline int h_stop(void **state)
{
    if (srv != NULL) {
        cm_api_http_stop(srv, 1000);
        srv = NULL;
    }
    cm_buf_finish(&got);
    return a_teardown(state);
}

#endif
