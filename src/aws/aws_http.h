/*
 * One HTTP exchange with an AWS endpoint over libcurl: a method, a URL, request
 * headers; the answer's status, body (into a capped buffer) and the headers the
 * S3 client reads (ETag, x-amz-bucket-region). One handle per thread: the
 * connection is kept alive between requests. Nothing is retried here (s3.c
 * decides, aws/aws_retry.h). curl_global_init is the program's job.
 */
#ifndef CM_AWS_AWS_HTTP_H
#define CM_AWS_AWS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "net/net_guard.h"

struct cm_aws_http {
    void *h; /* CURL * */
    long connect_timeout_s, timeout_s;
    char errbuf[256];
    /*
     * false (what init sets): no connection to a link-local or instance metadata
     * address (net_guard.h); the instance metadata client sets it.
     */
    bool allow_link_local;
    struct cm_net_guard guard;
};

struct cm_aws_resp {
    long status;            /* 0 when no answer came (transport) */
    bool transport;         /* the exchange failed: connection, timeout, cut short */
    bool too_big;           /* the body passed the buffer's cap (the transfer was stopped) */
    char why[256];          /* transport: libcurl's message */
    char etag[256];         /* the ETag header, quotes kept; empty when none */
    char length[24];        /* the Content-Length header (a HEAD's object size); "" when none */
    char bucket_region[64]; /* x-amz-bucket-region; empty when none */
    struct cm_buf *body;    /* the caller's buffer: reset, then filled */
};

/* Returns 0 or CM_ENOMEM. Timeouts: 10 s to connect, none for the transfer (set them). */
int cm_aws_http_init(struct cm_aws_http *c);
void cm_aws_http_finish(struct cm_aws_http *c);

/*
 * Sends method (GET, PUT, HEAD: no body is read) to url with headers[0..n) ("Name:
 * value") and no body, and fills r (r->body set by the caller). Returns 0 when the exchange ended
 * (answered, or r->transport set), CM_ENOMEM.
 */
int cm_aws_http_do(struct cm_aws_http *c, const char *method, const char *url,
                   const char *const *headers, size_t n, struct cm_aws_resp *r);

/*
 * As cm_aws_http_do, with body[0..len) sent as the request's body (a PUT's object; its
 * Content-Length set by libcurl). body may be NULL when len is 0.
 */
int cm_aws_http_send(struct cm_aws_http *c, const char *method, const char *url,
                     const char *const *headers, size_t n, const void *body, size_t len,
                     struct cm_aws_resp *r);

#endif
