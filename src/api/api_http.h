/*
 * The API's HTTP server on libmicrohttpd (docs/internals/api.md): one
 * internal polling thread answers every connection, so that thread alone
 * uses the struct cm_api_ctx (and its store connection) while the server
 * runs. It reads the body (at most CM_API_MAX_BODY: 413 beyond), parses the
 * query string, checks SigV4 when credentials are configured (without them,
 * the browser checks of api_local.h: a loopback Host, no foreign Origin), answers
 * GET /healthz and GET /metrics itself and every other path through
 * cm_api_handle(), and adds x-amzn-RequestId (fresh per request),
 * Content-Type and X-Amzn-ErrorType.
 */
#ifndef CM_API_API_HTTP_H
#define CM_API_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/api.h"
#include "base/buf.h"
#include "api/sigv4.h"

#define CM_API_DEFAULT_LISTEN "127.0.0.1:8787"

struct cm_api_http_opts {
    const char *listen;                /* "ADDR:PORT" (IPv6 as "[::1]:PORT"); port 0 picks one */
    const struct cm_sigv4_cred *creds; /* NULL/0: requests are not checked */
    size_t ncreds;
    bool log_requests;      /* one line per request on stderr */
    unsigned conn_limit;    /* 0: 64 */
    unsigned timeout_s;     /* idle connection timeout, 0: 30 */
    struct cm_api_ctx *ctx; /* handed to the server thread until cm_api_http_stop */
    /*
     * More families for GET /metrics, appended after the API's (the service's engine,
     * bus and canaries: cmd_serve.c); called on the server's thread, so it must be
     * thread-safe. Returns 0 or CM_ENOMEM. NULL: none.
     */
    int (*metrics_more)(void *ud, struct cm_buf *out);
    void *metrics_ud;
};

struct cm_api_http;

/*
 * Parses "ADDR:PORT" into a socket address (IPv4 or bracketed IPv6 literal). Sets
 * *loopback. Returns 0 or -1 with why set.
 */
int cm_api_listen_parse(const char *listen, void *sockaddr_storage, bool *loopback, char *why,
                        size_t whylen);

/*
 * Starts listening. Without credentials, a non-loopback address is refused (CM_EINVAL,
 * err says why). Returns 0, CM_EINVAL (bad address), CM_EIO (cannot listen) or
 * CM_ENOMEM.
 */
int cm_api_http_start(struct cm_api_http **out, const struct cm_api_http_opts *o, char *err,
                      size_t errlen);

/* The port listened on. */
unsigned cm_api_http_port(const struct cm_api_http *h);

/*
 * Stops accepting, lets requests in progress finish (up to grace_ms), stops the thread
 * and frees h; after it the caller owns the ctx again. NULL: no-op.
 */
void cm_api_http_stop(struct cm_api_http *h, int64_t grace_ms);

#endif
