/*
 * S3 locations and SigV4's URI encoding (s3_url.h).
 */
#include "aws/s3_url.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

bool cm_s3_is_url(const char *s)
{
    return s != NULL && strncmp(s, "s3://", 5) == 0;
}

static bool bucket_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int cm_s3_url_parse(const char *url, struct cm_s3_url *out, char *why, size_t whylen)
{
    const char *b, *slash;
    size_t n;

    if (!cm_s3_is_url(url)) {
        snprintf(why, whylen, "not an s3:// location");
        return CM_EINVAL;
    }
    b = url + 5;
    slash = strchr(b, '/');
    n = slash != NULL ? (size_t)(slash - b) : strlen(b);
    if (n == 0) {
        snprintf(why, whylen, "no bucket name after s3://");
        return CM_EINVAL;
    }
    if (n < 3 || n > 63) {
        snprintf(why, whylen, "a bucket name is 3 to 63 characters long, not %zu", n);
        return CM_EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!bucket_char(b[i])) {
            snprintf(why, whylen, "'%c' (byte %zu of the bucket name) cannot be in a bucket name",
                     b[i], i + 1);
            return CM_EINVAL;
        }
    }
    if (!alnum(b[0]) || !alnum(b[n - 1])) {
        snprintf(why, whylen, "a bucket name starts and ends with a letter or a digit");
        return CM_EINVAL;
    }
    out->bucket = cm_str_make(b, n);
    out->prefix = slash != NULL ? cm_str_make(slash + 1, strlen(slash + 1)) : cm_str_make("", 0);
    return 0;
}

int cm_aws_uri_encode(struct cm_buf *out, const char *p, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int rc;

        if (alnum((char)c) || c == '-' || c == '.' || c == '_' || c == '~' ||
            (c == '/' && keep_slash)) {
            rc = cm_buf_putc(out, (char)c);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            rc = cm_buf_append(out, e, 3);
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}
