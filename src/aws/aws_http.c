/*
 * HTTP exchanges with AWS over libcurl (aws_http.h).
 */
#include "aws/aws_http.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "coalmine/version.h"
#include "net/net_guard.h"

int cm_aws_http_init(struct cm_aws_http *c)
{
    memset(c, 0, sizeof(*c));
    c->h = curl_easy_init();
    c->connect_timeout_s = 10;
    return c->h != NULL ? 0 : CM_ENOMEM;
}

void cm_aws_http_finish(struct cm_aws_http *c)
{
    if (c->h != NULL) {
        curl_easy_cleanup(c->h);
    }
    c->h = NULL;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct cm_aws_resp *r = ud;
    size_t n = size * nmemb;

    if (cm_buf_append(r->body, p, n) != 0) {
        r->too_big = true;
        return 0; /* stops the transfer */
    }
    return n;
}

/* Copies a header's value (trimmed) into dst when line is "name: value". */
static void take(const char *line, size_t n, const char *name, char *dst, size_t cap)
{
    size_t k = strlen(name);
    size_t e = n;

    if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':') {
        return;
    }
    line += k + 1;
    n -= k + 1;
    while (n > 0 && (*line == ' ' || *line == '\t')) {
        line++;
        n--;
    }
    e = n;
    while (e > 0 && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ')) {
        e--;
    }
    snprintf(dst, cap, "%.*s", (int)(e < cap ? e : cap - 1), line);
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct cm_aws_resp *r = ud;
    size_t n = size * nmemb;

    if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
        r->etag[0] = r->bucket_region[0] = r->length[0] = '\0'; /* a new answer */
    }
    take(p, n, "ETag", r->etag, sizeof(r->etag));
    take(p, n, "Content-Length", r->length, sizeof(r->length));
    take(p, n, "x-amz-bucket-region", r->bucket_region, sizeof(r->bucket_region));
    return n;
}

int cm_aws_http_do(struct cm_aws_http *c, const char *method, const char *url,
                   const char *const *headers, size_t n, struct cm_aws_resp *r)
{
    return cm_aws_http_send(c, method, url, headers, n, NULL, 0, r);
}

int cm_aws_http_send(struct cm_aws_http *c, const char *method, const char *url,
                     const char *const *headers, size_t n, const void *body, size_t len,
                     struct cm_aws_resp *r)
{
    struct curl_slist *list = NULL;
    CURL *h = c->h;
    CURLcode cc = CURLE_OK;
    int rc = 0;

    r->status = 0;
    r->transport = r->too_big = false;
    r->why[0] = r->etag[0] = r->bucket_region[0] = r->length[0] = '\0';
    cm_buf_reset(r->body);
    for (size_t i = 0; i < n; i++) {
        struct curl_slist *nl = curl_slist_append(list, headers[i]);
        if (nl == NULL) {
            curl_slist_free_all(list);
            return CM_ENOMEM;
        }
        list = nl;
    }
    /* libcurl adds none of its own: what is sent is what was signed. */
    struct curl_slist *nl = curl_slist_append(list, "Accept:");
    if (nl == NULL || (list = nl, nl = curl_slist_append(list, "Expect:")) == NULL) {
        curl_slist_free_all(list);
        return CM_ENOMEM;
    }
    list = nl;
    c->errbuf[0] = '\0';
#define SET(opt, v)                                                                                \
    if (cc == CURLE_OK) {                                                                          \
        cc = curl_easy_setopt(h, opt, v);                                                          \
    }
    curl_easy_reset(h);
    SET(CURLOPT_URL, url);
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    /* The path as signed: S3 keys may hold "." and ".." segments libcurl would squash. */
    SET(CURLOPT_PATH_AS_IS, 1L);
    SET(CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
    SET(CURLOPT_TIMEOUT, c->timeout_s);
    /* A transfer that stalls (under 1 byte/s for 60 s) is a failure to retry. */
    SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
    SET(CURLOPT_LOW_SPEED_TIME, 60L);
    SET(CURLOPT_USERAGENT, "coalmine/" COALMINE_VERSION);
    SET(CURLOPT_HTTPHEADER, list);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, r);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, r);
    if (cc == CURLE_OK && !c->allow_link_local && cm_net_guard_curl(h, &c->guard) != 0) {
        cc = CURLE_FAILED_INIT;
    }
    if (body != NULL) {
        /* The bytes as they are (POSTFIELDS sends them with the method asked for). */
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        SET(CURLOPT_POSTFIELDS, body);
    }
    if (strcmp(method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L); /* the headers only, as the method means */
    } else if (strcmp(method, "GET") != 0) {
        SET(CURLOPT_CUSTOMREQUEST, method);
    }
#undef SET
    if (cc == CURLE_OK) {
        cc = curl_easy_perform(h);
    }
    if (cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    } else if (cc == CURLE_OUT_OF_MEMORY) {
        rc = CM_ENOMEM;
    } else if (!r->too_big) {
        r->transport = true;
        if (cc != CURLE_COULDNT_CONNECT || c->allow_link_local ||
            !cm_net_guard_why(&c->guard, r->why, sizeof(r->why))) {
            snprintf(r->why, sizeof(r->why), "%s",
                     c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
        }
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    }
    curl_slist_free_all(list);
    return rc;
}
