/*
 * S3's SigV4 canonical request (s3_canon.h).
 */
#include "aws/s3_canon.h"

#include <stdlib.h>
#include <string.h>

#include "aws/s3_url.h"
#include "base/err.h"

int cm_s3_canon_path(const struct cm_s3_req *r, struct cm_buf *out)
{
    int rc = cm_buf_putc(out, '/');

    if (rc == 0 && r->bucket != NULL) {
        rc = cm_aws_uri_encode(out, r->bucket, strlen(r->bucket), false);
        if (rc == 0 && r->key != NULL) {
            rc = cm_buf_putc(out, '/');
        }
    }
    if (rc == 0 && r->key != NULL) {
        rc = cm_aws_uri_encode(out, r->key, strlen(r->key), true);
    }
    return rc;
}

struct enc {
    size_t name, name_len, value; /* offsets into the scratch buffer */
    size_t value_len;
    const char *base;
};

static int cmp_enc(const void *a, const void *b)
{
    const struct enc *x = a, *y = b;
    size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->base + x->name, y->base + y->name, n);

    if (c != 0 || x->name_len != y->name_len) {
        return c != 0 ? c : (x->name_len < y->name_len ? -1 : 1);
    }
    n = x->value_len < y->value_len ? x->value_len : y->value_len;
    c = memcmp(x->base + x->value, y->base + y->value, n);
    return c != 0 ? c : (x->value_len < y->value_len ? -1 : x->value_len > y->value_len);
}

int cm_s3_canon_query(const struct cm_s3_req *r, struct cm_buf *out)
{
    struct enc e[CM_S3_MAX_PARAMS];
    struct cm_buf s;
    int rc = 0;

    if (r->nparams > CM_S3_MAX_PARAMS) {
        return CM_EINVAL;
    }
    cm_buf_init(&s, 0);
    for (size_t i = 0; rc == 0 && i < r->nparams; i++) {
        const char *v = r->params[i].value ? r->params[i].value : "";

        e[i].name = s.len;
        rc = cm_aws_uri_encode(&s, r->params[i].name, strlen(r->params[i].name), false);
        e[i].name_len = s.len - e[i].name;
        e[i].value = s.len;
        if (rc == 0) {
            rc = cm_aws_uri_encode(&s, v, strlen(v), false);
        }
        e[i].value_len = s.len - e[i].value;
    }
    for (size_t i = 0; i < r->nparams; i++) {
        e[i].base = s.p;
    }
    if (rc == 0 && r->nparams > 1) {
        qsort(e, r->nparams, sizeof(e[0]), cmp_enc);
    }
    for (size_t i = 0; rc == 0 && i < r->nparams; i++) {
        if ((i > 0 && (rc = cm_buf_putc(out, '&')) != 0) ||
            (rc = cm_buf_append(out, s.p + e[i].name, e[i].name_len)) != 0 ||
            (rc = cm_buf_putc(out, '=')) != 0 ||
            (rc = cm_buf_append(out, s.p + e[i].value, e[i].value_len)) != 0) {
            break;
        }
    }
    cm_buf_finish(&s);
    return rc;
}

static int cmp_hdr(const void *a, const void *b)
{
    const struct cm_s3_hdr *x = a, *y = b;

    return strcmp(x->name, y->name);
}

/* Appends v with its leading and trailing spaces gone and inner runs made one space. */
static int put_trimmed(struct cm_buf *out, const char *v)
{
    int rc = 0;
    bool space = false, any = false;

    for (; rc == 0 && *v; v++) {
        if (*v == ' ' || *v == '\t') {
            space = any;
            continue;
        }
        if (space) {
            rc = cm_buf_putc(out, ' ');
            space = false;
        }
        if (rc == 0) {
            rc = cm_buf_putc(out, *v);
        }
        any = true;
    }
    return rc;
}

int cm_s3_canonical(const struct cm_s3_req *r, struct cm_buf *out, struct cm_buf *signed_headers)
{
    struct cm_s3_hdr h[CM_S3_MAX_HEADERS];
    int rc;

    if (r->nheaders > CM_S3_MAX_HEADERS || r->nparams > CM_S3_MAX_PARAMS) {
        return CM_EINVAL;
    }
    memcpy(h, r->headers, r->nheaders * sizeof(h[0]));
    qsort(h, r->nheaders, sizeof(h[0]), cmp_hdr);
    if ((rc = cm_buf_puts(out, r->method)) != 0 || (rc = cm_buf_putc(out, '\n')) != 0 ||
        (rc = cm_s3_canon_path(r, out)) != 0 || (rc = cm_buf_putc(out, '\n')) != 0 ||
        (rc = cm_s3_canon_query(r, out)) != 0 || (rc = cm_buf_putc(out, '\n')) != 0) {
        return rc;
    }
    for (size_t i = 0; i < r->nheaders; i++) {
        if ((rc = cm_buf_puts(out, h[i].name)) != 0 || (rc = cm_buf_putc(out, ':')) != 0 ||
            (rc = put_trimmed(out, h[i].value)) != 0 || (rc = cm_buf_putc(out, '\n')) != 0 ||
            (i > 0 && (rc = cm_buf_putc(signed_headers, ';')) != 0) ||
            (rc = cm_buf_puts(signed_headers, h[i].name)) != 0) {
            return rc;
        }
    }
    if ((rc = cm_buf_putc(out, '\n')) != 0 ||
        (rc = cm_buf_append(out, signed_headers->p, signed_headers->len)) != 0 ||
        (rc = cm_buf_putc(out, '\n')) != 0) {
        return rc;
    }
    return cm_buf_puts(out, r->payload_hash ? r->payload_hash : CM_S3_EMPTY_SHA256);
}
