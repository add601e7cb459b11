/*
 * The console on HTTP, free of any transport: what to answer a request for
 * "/", "/console" or "/console/..." (DESIGN §2/§6). The HTTP server calls
 * cm_web_serve() first and, when it says the path is not the console's,
 * routes the request to the API (api.h).
 *
 *   GET|HEAD /, /console     308 to /console/
 *   GET|HEAD /console/       index.html
 *   GET|HEAD /console/NAME   the asset NAME of web/ (web_assets.h); 404 else
 *   other methods on /console[/...]  405 (Allow: GET, HEAD)
 *
 * Every console answer carries the headers in resp->headers: a strict
 * Content-Security-Policy (CM_WEB_CSP), X-Content-Type-Options: nosniff,
 * Referrer-Policy and X-Frame-Options; an asset also Cache-Control: no-cache
 * and its ETag, and a request whose If-None-Match names that tag is 304 with
 * no body. For HEAD, resp is the same as for GET: the server sends the
 * headers (and Content-Length resp->len) but not the body.
 */
#ifndef CM_API_WEB_SERVE_H
#define CM_API_WEB_SERVE_H

#include <stddef.h>

#include "api/web_assets.h"

/* The console's Content-Security-Policy: nothing but this origin, no inline
 * script or style, no framing. */
#define CM_WEB_CSP                                                                                 \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "              \
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

#define CM_WEB_MAX_HEADERS 8

struct cm_web_header {
    const char *name;
    const char *value; /* static, or resp->etag */
};

struct cm_web_resp {
    int status;                /* 200, 304, 308, 404 or 405 */
    const char *content_type;  /* of body */
    const unsigned char *body; /* static (an asset or a message): not owned */
    size_t len;
    struct cm_web_header headers[CM_WEB_MAX_HEADERS];
    size_t nheaders;
    char etag[CM_WEB_ETAG_LEN]; /* the asset's tag, "" when none */
};

/* Answer method on path (the request path without query; anything from a
 * '?' on is ignored), with the request's If-None-Match header (NULL when
 * absent). Returns 1 when the path is the console's and resp holds the whole
 * answer, 0 when it is not (resp untouched beyond being cleared): the caller
 * routes it on to the API. */
int cm_web_serve(const char *method, const char *path, const char *if_none_match,
                 struct cm_web_resp *resp);

/* Does an If-None-Match header value name etag (weak comparison, "*" names
 * any)? A malformed list names nothing. */
int cm_web_etag_match(const char *if_none_match, const char *etag);

#endif
