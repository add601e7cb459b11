/*
 * SigV4 for S3 requests: the canonical request (aws/s3_canon.h) hashed and signed
 * with the secret (api/sigv4.h's cm_sigv4_sign: the same HMAC chain the API server
 * verifies with), into the headers to send. The payload is always empty (GET), so
 * x-amz-content-sha256 is the empty body's hash: correct over plain HTTP too, where
 * UNSIGNED-PAYLOAD is refused by some S3-compatible servers.
 */
#ifndef CM_AWS_S3_SIGN_H
#define CM_AWS_S3_SIGN_H

#include <stddef.h>

#include "aws/s3_canon.h"

/* The credentials a request is signed with. */
struct cm_s3_signer {
    const char *key_id, *secret, *token; /* token: NULL or "" when none */
    const char *region;
    const char *service; /* the credential scope's service: "s3", "sqs"; NULL: "s3" */
};

/*
 * Adds x-amz-date (amz_date: YYYYMMDDTHHMMSSZ), x-amz-content-sha256 and, with a token,
 * x-amz-security-token to r's headers (r must have room for 3 more; the values point
 * into hdrs), then signs r and writes the Authorization header's value into authz.
 * hdrs is scratch that must outlive r's use. Returns 0, CM_ENOMEM or CM_EINVAL.
 */
struct cm_s3_signed {
    char date[17];
    char authz[512];
};
int cm_s3_sign(struct cm_s3_req *r, const struct cm_s3_signer *s, const char *amz_date,
               struct cm_s3_signed *out);

#endif
