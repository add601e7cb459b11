/*
 * The XML S3 answers with: a ListObjectsV2 page (ListBucketResult) and an
 * error (<Error><Code>..</Code><Message>..</Message>..). Parsed with expat
 * from bytes the caller fetched; no I/O. Untrusted input: every string has a
 * cap, malformed XML is an error that says where (line, column) and why.
 */
#ifndef CM_AWS_S3_XML_H
#define CM_AWS_S3_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_S3_MAX_KEY   4096 /* bytes of an object key (S3's limit is 1,024) */
#define CM_S3_MAX_ETAG  256
#define CM_S3_MAX_TOKEN 8192   /* bytes of a continuation token */
#define CM_S3_MAX_PAGE  100000 /* objects in one page (S3 sends at most 1,000) */

struct cm_s3_object {
    char *key; /* owned; decoded when the page was URL-encoded (encoding-type=url) */
    uint64_t size;
    char etag[CM_S3_MAX_ETAG]; /* as sent, quotes included */
    /* The key holds a NUL byte (S3 allows it): key has "%00" in its place, and the object
     * cannot be asked for by that name; its lister notes it as skipped, not the page. */
    bool nul_key;
};

struct cm_s3_list {
    struct cm_s3_object *v;
    size_t n, cap;
    bool truncated;   /* IsTruncated: more pages follow */
    char *next_token; /* NextContinuationToken, owned; NULL when none */
    /* CommonPrefixes (a listing with a delimiter): the folders below the prefix, each
     * owned, decoded as keys are; at most CM_S3_MAX_PAGE. */
    char **prefixes;
    size_t nprefixes, capprefixes;
};

void cm_s3_list_init(struct cm_s3_list *l);
/* Frees the objects and the token; l is empty and reusable after. */
void cm_s3_list_finish(struct cm_s3_list *l);

/*
 * Parses one ListObjectsV2 page xml[0..n) into l (emptied first). Returns 0;
 * CM_ESYNTAX (not well-formed XML), CM_EFORMAT (not a ListBucketResult),
 * CM_EINVAL (a Contents without a Key or a Size, a CommonPrefixes without a Prefix, a Size that is
 * not a number, a key that does not URL-decode, a truncated page without a token) or CM_E2BIG (a
 * string or the page over its cap), with why saying where and what; or CM_ENOMEM.
 */
int cm_s3_list_parse(const char *xml, size_t n, struct cm_s3_list *l, char *why, size_t whylen);

struct cm_s3_error {
    char code[64];     /* "AccessDenied"; empty when the body held none */
    char message[512]; /* S3's message, control bytes replaced by spaces */
    char region[64];   /* the bucket's region, when S3 said (a wrong-region answer) */
};

/*
 * Reads S3's error document body[0..n) into e (always filled: empty strings
 * when body is not one). Returns 0 when a Code was found, else CM_ENOTFOUND.
 */
int cm_s3_error_parse(const char *body, size_t n, struct cm_s3_error *e);

#endif
