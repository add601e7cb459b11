/*
 * S3 locations and the percent-encoding AWS signs: "s3://bucket[/prefix]" as
 * given on a command line, and the URI encoding of SigV4 (every byte but
 * A-Za-z0-9-._~ as %XX, upper-case hex; '/' kept in an object key's path).
 * No I/O.
 */
#ifndef CM_AWS_S3_URL_H
#define CM_AWS_S3_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/str.h"

/* The parts of "s3://bucket[/prefix]": slices of the string parsed. */
struct cm_s3_url {
    struct cm_str bucket;
    struct cm_str prefix; /* may be empty; kept as given (a trailing '/' too) */
};

/* Whether s starts with "s3://" (such a path is an S3 location, never a file). */
bool cm_s3_is_url(const char *s);

/*
 * Parses url into out. The bucket must be a bucket name S3 accepts (3 to 63 of
 * a-z 0-9 . - _, starting and ending with a letter or digit; '_' and upper case
 * as legacy us-east-1 buckets may have them). Returns 0, or CM_EINVAL with why
 * (a sentence) set.
 */
int cm_s3_url_parse(const char *url, struct cm_s3_url *out, char *why, size_t whylen);

/*
 * Appends p[0..n) URI-encoded as SigV4 wants it to out: unreserved bytes as
 * they are, every other byte as %XX; '/' kept as it is when keep_slash (an
 * object key in a path), else %2F (a query value). Returns 0 or CM_ENOMEM.
 */
int cm_aws_uri_encode(struct cm_buf *out, const char *p, size_t n, bool keep_slash);

#endif
