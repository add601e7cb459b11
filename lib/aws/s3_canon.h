/*
 * The canonical request SigV4 signs for S3 (AWS's "Signature Calculations for the
 * Authorization Header" for s3): unlike the other services, S3's canonical URI is
 * the path encoded once (an object key's '/' kept, nothing normalised: a key may
 * hold "//", "." or ".."). No I/O and no crypto: src/aws/s3_sign.c hashes and
 * signs what this builds.
 *
 *   METHOD \n URI \n QUERY \n HEADERS \n SIGNED \n PAYLOAD_HASH
 *
 * QUERY is the parameters URI-encoded ('/' too), sorted by encoded name then
 * value, "name=value" joined by '&' (a parameter without a value is "name=");
 * the same string is the query of the URL sent, so what is signed is what is
 * sent. HEADERS is "name:value\n" per header, names lower case, sorted, values
 * trimmed.
 */
#ifndef CM_AWS_S3_CANON_H
#define CM_AWS_S3_CANON_H

#include <stddef.h>

#include "base/buf.h"

#define CM_S3_MAX_PARAMS  8
#define CM_S3_MAX_HEADERS 10

/* The SHA-256 of an empty body: the payload hash of a GET. */
#define CM_S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct cm_s3_param {
    const char *name, *value; /* raw (encoded here); value NULL for none */
};

struct cm_s3_hdr {
    const char *name; /* lower case */
    const char *value;
};

/* One request to sign. */
struct cm_s3_req {
    const char *method;
    const char *bucket; /* NULL: no bucket in the path (virtual-hosted style) */
    const char *key;    /* raw object key, or NULL for the bucket itself */
    struct cm_s3_param params[CM_S3_MAX_PARAMS];
    size_t nparams;
    struct cm_s3_hdr headers[CM_S3_MAX_HEADERS];
    size_t nheaders;
    const char *payload_hash; /* NULL: CM_S3_EMPTY_SHA256 */
};

/* Appends the request's encoded path ("/bucket/key", "/key", "/bucket", "/") to out. */
int cm_s3_canon_path(const struct cm_s3_req *r, struct cm_buf *out);

/* Appends the request's encoded, sorted query string (no '?') to out. */
int cm_s3_canon_query(const struct cm_s3_req *r, struct cm_buf *out);

/*
 * Appends the canonical request of r to out and its signed-header list
 * ("host;x-amz-date", sorted) to signed_headers. Returns 0, CM_ENOMEM, or
 * CM_EINVAL when too many parameters or headers are given.
 */
int cm_s3_canonical(const struct cm_s3_req *r, struct cm_buf *out, struct cm_buf *signed_headers);

#endif
