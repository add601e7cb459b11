/*
 * Signing S3 requests (s3_sign.h).
 */
#include "aws/s3_sign.h"

#include <stdio.h>
#include <string.h>

#include "api/sigv4.h"
#include "base/buf.h"
#include "base/err.h"

int cm_s3_sign(struct cm_s3_req *r, const struct cm_s3_signer *s, const char *amz_date,
               struct cm_s3_signed *out)
{
    struct cm_buf canon, signed_headers;
    const char *svc = s->service != NULL ? s->service : "s3";
    char day[9], hex[65];
    int rc;

    if (strlen(amz_date) != 16 || r->nheaders + 3 > CM_S3_MAX_HEADERS) {
        return CM_EINVAL;
    }
    snprintf(out->date, sizeof(out->date), "%s", amz_date);
    snprintf(day, sizeof(day), "%.8s", amz_date);
    r->headers[r->nheaders++] = (struct cm_s3_hdr){"x-amz-date", out->date};
    r->headers[r->nheaders++] = (struct cm_s3_hdr){
        "x-amz-content-sha256", r->payload_hash ? r->payload_hash : CM_S3_EMPTY_SHA256};
    if (s->token != NULL && s->token[0] != '\0') {
        r->headers[r->nheaders++] = (struct cm_s3_hdr){"x-amz-security-token", s->token};
    }
    cm_buf_init(&canon, 0);
    cm_buf_init(&signed_headers, 0);
    rc = cm_s3_canonical(r, &canon, &signed_headers);
    if (rc == 0) {
        rc = cm_sigv4_sign(s->secret, amz_date, day, s->region, svc, canon.p, canon.len, hex);
    }
    if (rc == 0 &&
        snprintf(out->authz, sizeof(out->authz),
                 "AWS4-HMAC-SHA256 Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, "
                 "Signature=%s",
                 s->key_id, day, s->region, svc, signed_headers.p,
                 hex) >= (int)sizeof(out->authz)) {
        rc = CM_E2BIG;
    }
    cm_buf_finish(&canon);
    cm_buf_finish(&signed_headers);
    return rc;
}
