/*
 * The browser checks of a server without credentials (api_http.c).
 *
 * Without credentials any request is accepted, and loopback is the only
 * fence; but a web browser on the same machine crosses it for any page it
 * shows. A page of another origin can send a "simple" cross-site POST
 * (Content-Type text/plain, no preflight) that the API would carry out (an
 * ARCHIVE filter that hides every finding to come), and a page whose name
 * is made to resolve to 127.0.0.1 (DNS rebinding) is same-origin with the
 * server and can read and change everything. So, without credentials, a
 * request is refused when:
 *   - its Host is not a loopback name: 127.0.0.0/8, [::1] or localhost,
 *     with or without a port (an HTTP/1.0 request without Host passes);
 *   - it has an Origin that is not http://HOST of the same request (the
 *     console, served by this server, is same-origin; browsers send Origin
 *     with every POST, PUT, DELETE and PATCH).
 * With credentials SigV4 is the check: a page cannot sign.
 */
#ifndef CM_API_API_LOCAL_H
#define CM_API_API_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether a request with these Host and Origin headers (NULL when absent) may be
 * answered by a server without credentials. When not, why gets the message.
 */
bool cm_api_local_ok(const char *host, const char *origin, char *why, size_t whylen);

#endif
