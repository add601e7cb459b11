/*
 * AWS Signature Version 4, the server's side (spec/GUARDDUTY.md §6: signing
 * name "guardduty"): parse the Authorization header, rebuild the canonical
 * request from what was received, and check the signature against the
 * configured credentials with HMAC-SHA256 (libcrypto), in constant time.
 * No I/O: the caller passes the request's parts and the wall clock.
 *
 * Canonical request (AWS's rules, as botocore signs non-S3 services):
 *   METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD_HASH
 * URI is the path as received, URI-encoded once more (each byte but
 * A-Za-z0-9-._~ and '/' as %XX), after removing "." and ".." segments and
 * empty segments; QUERY the query's pairs, percent-decoded ('+' stays '+')
 * and encoded again the same way ('/' too), sorted by key then value, "k=v"
 * joined by '&'; HEADERS "name:value\n" per signed header, the name lower
 * case, the values of repeats joined by ',', each trimmed with inner runs of
 * spaces made one; PAYLOAD_HASH the x-amz-content-sha256 header when given
 * (it must be "UNSIGNED-PAYLOAD" or the body's hash), else the body's
 * SHA-256 in lower-case hex.
 *
 * Query-string authentication (a presigned URL: X-Amz-Algorithm, -Credential or
 * -Signature in the query) is not taken: refused as missing authentication, with a
 * message that says why, or as incomplete when an Authorization header is sent too.
 */
#ifndef CM_API_SIGV4_H
#define CM_API_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* One configured credential. */
struct cm_sigv4_cred {
    const char *key_id;
    const char *secret;
};

struct cm_sigv4_header {
    const char *name; /* any case */
    const char *value;
};

/* A request as received. */
struct cm_sigv4_msg {
    const char *method;
    const char *path;  /* raw, percent-encoded as sent */
    const char *query; /* raw, after the '?'; NULL or "" when none */
    const struct cm_sigv4_header *headers;
    size_t nheaders;
    const char *body;
    size_t body_len;
};

#define CM_SIGV4_MAX_AUTH 4096 /* bytes of an Authorization header accepted */

/* The parts of "AWS4-HMAC-SHA256 Credential=K/D/R/S/aws4_request, SignedHeaders=..,
 * Signature=..". */
struct cm_sigv4_auth {
    char key[129];
    char date[9];     /* YYYYMMDD */
    char region[64];  /* e.g. us-east-1 */
    char service[64]; /* guardduty */
    char signed_headers[1024];
    char signature[65]; /* 64 lower-case hex digits */
};

enum cm_sigv4_status {
    CM_SIGV4_OK = 0,
    CM_SIGV4_MISSING,       /* no Authorization header: MissingAuthenticationTokenException */
    CM_SIGV4_INCOMPLETE,    /* malformed: IncompleteSignatureException (400) */
    CM_SIGV4_UNKNOWN_KEY,   /* UnrecognizedClientException */
    CM_SIGV4_BAD_SIGNATURE, /* InvalidSignatureException (also: expired, wrong scope) */
};

/*
 * Parses an Authorization header value. Returns 0, or -1 with why set (a sentence
 * naming what is wrong).
 */
int cm_sigv4_parse(const char *authz, struct cm_sigv4_auth *out, char *why, size_t whylen);

/*
 * The value of header name (case-insensitive) in m; the first one, or NULL.
 */
const char *cm_sigv4_header(const struct cm_sigv4_msg *m, const char *name);

/*
 * Appends the canonical request of m for the signed headers (";"-separated, lower case,
 * as in the Authorization header) and payload hash to out. Returns 0, CM_EINVAL (a signed
 * header is absent, or the query is not valid percent-encoding) or CM_ENOMEM.
 */
int cm_sigv4_canonical(const struct cm_sigv4_msg *m, const char *signed_headers,
                       const char *payload_hash, struct cm_buf *out);

/*
 * The signature (64 lower-case hex digits and a NUL in hex) of the canonical request
 * for secret, at amz_date (YYYYMMDDTHHMMSSZ) in the scope date/region/service.
 * Returns 0 or CM_ENOMEM.
 */
int cm_sigv4_sign(const char *secret, const char *amz_date, const char *date, const char *region,
                  const char *service, const char *canonical, size_t canonical_len, char hex[65]);

/* SHA-256 of data in lower-case hex (64 digits and a NUL). */
void cm_sigv4_sha256_hex(const void *data, size_t n, char hex[65]);

/*
 * Verifies m against the credentials c[0..n) for service at now_ms (Unix milliseconds):
 * a credential whose key is the request's, the scope's service and date, X-Amz-Date
 * within 15 minutes of now, the signature. auth gets the parsed header (its region
 * is the request's). msg gets the message AWS answers with. Returns the status.
 */
enum cm_sigv4_status cm_sigv4_verify(const struct cm_sigv4_msg *m, const struct cm_sigv4_cred *c,
                                     size_t n, const char *service, int64_t now_ms,
                                     struct cm_sigv4_auth *auth, char *msg, size_t msglen);

/* The X-Amzn-ErrorType of a status other than OK, and its HTTP status. */
const char *cm_sigv4_error_type(enum cm_sigv4_status s);
int cm_sigv4_http_status(enum cm_sigv4_status s);

#endif
