/*
 * A reader of S3 (docs/s3.md, docs/internals/aws.md): ListObjectsV2 pages and
 * GetObject over HTTP(S), signed with SigV4 (s3_sign.c), retried with backoff
 * on 5xx, throttling and connection failures (aws/aws_retry.h), with errors
 * that say what S3 said: "NoSuchBucket: The specified bucket does not exist
 * (HTTP 404)".
 *
 * struct cm_s3 is the configuration (credentials, region, endpoint) shared by
 * every thread; each thread reads through its own struct cm_s3_conn (a libcurl
 * handle that keeps its connection alive). Addressing: path style
 * (ENDPOINT/BUCKET/KEY) when an endpoint is given or the bucket name is not
 * DNS-safe, else virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY). An
 * answer that names the bucket's region (x-amz-bucket-region on a 301 or 400)
 * is followed once: the request is signed again for that region, which is kept
 * for the bucket.
 */
#ifndef CM_AWS_S3_H
#define CM_AWS_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws_config.h"
#include "aws/aws_creds.h"
#include "aws/s3_xml.h"
#include "base/buf.h"

struct cm_s3;
struct cm_s3_conn;

/*
 * Finds the credentials, region and endpoint (aws_config.h) and makes the client.
 * Returns 0, or an error with err saying why (no secret in it).
 */
int cm_s3_open(struct cm_s3 **out, const struct cm_aws_opts *o, char *err, size_t errlen);
/* NULL is a no-op. Every connection must be gone first. */
void cm_s3_close(struct cm_s3 *s);

/* Where the client's credentials came from ("the environment (AWS_ACCESS_KEY_ID)"). */
const char *cm_s3_source(const struct cm_s3 *s);

/* The credentials a request is signed with now (expiring ones refreshed as for S3's own
 * requests): for the clients of other services that share them (aws/sqs.h). */
void cm_s3_creds(struct cm_s3 *s, struct cm_aws_creds *out);

/* The region requests are signed for (before any bucket's redirect). */
const char *cm_s3_region(const struct cm_s3 *s);

/* Tests: the waits between attempts are scaled by num/den (0/1: none). */
void cm_s3_set_backoff_scale(struct cm_s3 *s, unsigned num, unsigned den);

/* Returns 0 or CM_ENOMEM. */
int cm_s3_conn_create(struct cm_s3 *s, struct cm_s3_conn **out);
void cm_s3_conn_destroy(struct cm_s3_conn *c);

/* Attempts made by c's requests so far (first tries and retries). */
uint64_t cm_s3_conn_attempts(const struct cm_s3_conn *c);

/*
 * Lists every object of bucket under prefix (ListObjectsV2, 1,000 a page, following the
 * continuation tokens), in S3's order (by key, as UTF-8 bytes), calling each for every
 * one (a non-zero return stops the listing and is returned). Returns 0, or CM_EIO with
 * err ("NoSuchBucket: The specified bucket does not exist (HTTP 404)", "page 3: line
 * 1, column 40: ..."), or CM_ENOMEM.
 */
int cm_s3_list(struct cm_s3_conn *c, const char *bucket, const char *prefix,
               int (*each)(void *ud, const struct cm_s3_object *o), void *ud, char *err,
               size_t errlen);

/* A listing's options (cm_s3_list_with); zeroed: cm_s3_list's. */
struct cm_s3_list_opts {
    const char *delimiter;   /* "/": the folders below prefix go to folder, not their objects */
    const char *start_after; /* only the keys after this one (StartAfter) */
    /* Each folder (CommonPrefixes' Prefix, ending in the delimiter); NULL: ignored. */
    int (*folder)(void *ud, const char *prefix);
    uint64_t pages; /* out: pages asked for (LIST requests, retries not counted) */
};

/* cm_s3_list with a delimiter and StartAfter (o may be NULL). */
int cm_s3_list_with(struct cm_s3_conn *c, const char *bucket, const char *prefix,
                    struct cm_s3_list_opts *o, int (*each)(void *ud, const struct cm_s3_object *o),
                    void *ud, char *err, size_t errlen);

/*
 * Reads object key of bucket into out (reset first; a NUL follows the bytes): the whole
 * object, or its first `first` bytes when first > 0 (a Range). etag, when not NULL or
 * empty, must still be the object's (If-Match): an object rewritten since it was listed
 * is an error, not another object's bytes. Returns 0, CM_E2BIG (over out->max), CM_EIO
 * with err saying what S3 said or why the transfer failed (after the retries), or
 * CM_ENOMEM.
 */
int cm_s3_get(struct cm_s3_conn *c, const char *bucket, const char *key, const char *etag,
              uint64_t first, struct cm_buf *out, char *err, size_t errlen);

/*
 * The size and ETag (quotes kept, as a listing gives it; into etag[0..etagcap)) of object
 * key of bucket (HeadObject: what s3:GetObject allows, no s3:ListBucket), retried as a
 * GET is. Returns 0, 1 (no such object: HTTP 404; without s3:ListBucket S3 answers 403
 * instead, an error), CM_EIO with err, or CM_ENOMEM.
 */
int cm_s3_head(struct cm_s3_conn *c, const char *bucket, const char *key, uint64_t *size,
               char *etag, size_t etagcap, char *err, size_t errlen);

/*
 * Writes data[0..len) as object key of bucket (PutObject), the payload signed
 * (x-amz-content-sha256 its SHA-256), with content_type when not NULL and, when kms_key
 * is not NULL or empty, SSE-KMS (x-amz-server-side-encryption: aws:kms and
 * x-amz-server-side-encryption-aws-kms-key-id: kms_key), retried as a GET is. Returns 0,
 * CM_EIO with err saying what S3 said ("NoSuchBucket: ... (HTTP 404)") or CM_ENOMEM.
 */
int cm_s3_put(struct cm_s3_conn *c, const char *bucket, const char *key, const void *data,
              size_t len, const char *content_type, const char *kms_key, char *err, size_t errlen);

#endif
