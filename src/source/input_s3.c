/*
 * S3 locations as scan inputs (input_s3.h).
 */
#include "source/input_s3.h"

#include <stdio.h>
#include <string.h>

#include "aws/s3.h"
#include "aws/s3_url.h"
#include "base/alloc.h"
#include "base/err.h"
#include "source/peek.h"

bool cm_input_is_s3(const char *path)
{
    return cm_s3_is_url(path);
}

int cm_input_s3_split(const char *path, char bucket[64], const char **key)
{
    struct cm_s3_url u;
    char why[128];

    if (cm_s3_url_parse(path, &u, why, sizeof(why)) != 0 || u.bucket.len >= 64) {
        return CM_EINVAL;
    }
    memcpy(bucket, u.bucket.p, u.bucket.len);
    bucket[u.bucket.len] = '\0';
    *key = u.prefix.p;
    return 0;
}

struct lister {
    struct cm_inputs *in;
    char bucket[64];
    const char *prefix; /* the location's prefix: a key not under it is no input */
    size_t rel;         /* where the walk's relative path starts in a key */
    char hidden[1100];  /* the last hidden entry counted ("a/.b"), to count it once */
    size_t nhidden;
    struct cm_buf path;
};

/* The first part of rel[0..n) that starts with '.', as its length from rel; 0: none. */
static size_t hidden_part(const char *rel, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((i == 0 || rel[i - 1] == '/') && rel[i] == '.') {
            const char *e = memchr(rel + i, '/', n - i);
            return e != NULL ? (size_t)(e - rel) : n;
        }
    }
    return 0;
}

/* Whether some folder of rel[0..n) (not its last part) is CloudTrail-Digest. */
static bool under_digest(const char *rel, size_t n)
{
    static const char d[] = "CloudTrail-Digest/";

    for (size_t i = 0; i + sizeof(d) - 1 <= n; i++) {
        if ((i == 0 || rel[i - 1] == '/') && memcmp(rel + i, d, sizeof(d) - 1) == 0) {
            return true;
        }
    }
    return false;
}

static int on_object(void *ud, const struct cm_s3_object *o)
{
    struct lister *l = ud;
    struct cm_inputs *in = l->in;
    size_t klen = strlen(o->key), h;
    const char *rel = o->key + (l->rel <= klen ? l->rel : klen);
    size_t rn = klen - (size_t)(rel - o->key);
    struct cm_input *it;
    int rc;

    if (strncmp(o->key, l->prefix, strlen(l->prefix)) != 0) {
        return 0; /* not under the prefix asked for (a server that ignored it) */
    }
    if (klen == 0 || o->key[klen - 1] == '/') {
        return 0; /* a folder marker (the console's "Create folder"): no object of logs */
    }
    if ((h = hidden_part(rel, rn)) > 0) {
        /* One hidden entry, however many objects are under it (a walk counts the folder). */
        if (h != l->nhidden || memcmp(l->hidden, rel, h) != 0) {
            in->hidden++;
            l->nhidden = h < sizeof(l->hidden) ? h : 0;
            memcpy(l->hidden, rel, l->nhidden);
        }
        return 0;
    }
    cm_buf_reset(&l->path);
    if ((rc = cm_buf_printf(&l->path, "s3://%s/%s", l->bucket, o->key)) != 0) {
        return rc;
    }
    /* A key with a NUL byte cannot be asked for by name: noted as skipped, not dropped. */
    in->cur_skip = o->nul_key              ? "an S3 key with a NUL byte"
                   : under_digest(rel, rn) ? "CloudTrail digest"
                                           : NULL;
    rc = cm_inputs_add(in, l->path.p, NULL, 0);
    in->cur_skip = NULL;
    if (rc != 0) {
        return rc;
    }
    it = &in->v[in->n - 1];
    it->s3 = true;
    it->size = o->size;
    it->etag = cm_strndup(o->etag, strlen(o->etag));
    return it->etag != NULL ? 0 : CM_ENOMEM;
}

int cm_inputs_add_s3(struct cm_inputs *in, const char *url, char *err, size_t errlen)
{
    struct lister l;
    struct cm_s3_url u;
    char why[300], *prefix = NULL;
    const char *slash;
    int rc;

    if ((rc = cm_s3_url_parse(url, &u, why, sizeof(why))) != 0) {
        snprintf(err, errlen, "%s: %s", url, why);
        return CM_EIO;
    }
    if (in->s3 == NULL) {
        snprintf(err, errlen, "%s: no S3 client for this scan", url);
        return CM_EIO;
    }
    memset(&l, 0, sizeof(l));
    l.in = in;
    memcpy(l.bucket, u.bucket.p, u.bucket.len);
    prefix = cm_strndup(u.prefix.p, u.prefix.len);
    if (prefix == NULL) {
        return CM_ENOMEM;
    }
    l.prefix = prefix;
    slash = strrchr(prefix, '/');
    l.rel = slash != NULL ? (size_t)(slash - prefix) + 1 : 0;
    cm_buf_init(&l.path, 0);
    rc = cm_s3_list(in->s3, l.bucket, prefix, on_object, &l, why, sizeof(why));
    if (rc == CM_EIO) {
        snprintf(err, errlen, "%s: %s", url, why);
    }
    cm_buf_finish(&l.path);
    cm_free(prefix);
    return rc;
}

int cm_input_s3_add_listed(struct cm_inputs *in, const struct cm_input_listed *o)
{
    char bucket[64];
    const char *key;
    struct cm_input *it;
    int rc;

    if (cm_input_s3_split(o->url, bucket, &key) != 0 || key[0] == '\0') {
        return CM_EINVAL;
    }
    in->cur_skip = under_digest(key, strlen(key)) ? "CloudTrail digest" : NULL;
    rc = cm_inputs_add(in, o->url, NULL, 0);
    in->cur_skip = NULL;
    if (rc != 0) {
        return rc;
    }
    it = &in->v[in->n - 1];
    it->s3 = true;
    it->size = o->size;
    it->etag = cm_strndup(o->etag != NULL ? o->etag : "", o->etag != NULL ? strlen(o->etag) : 0);
    return it->etag != NULL ? 0 : CM_ENOMEM;
}

int cm_input_s3_peek(const struct cm_inputs *in, const struct cm_input *it,
                     const struct cm_flow_format *flow_fields, int64_t *ms)
{
    char bucket[64], err[300];
    const char *key;
    struct cm_buf b;
    int rc;

    if (in->s3 == NULL || it->size == 0 || cm_input_s3_split(it->path, bucket, &key) != 0) {
        return CM_EIO;
    }
    cm_buf_init(&b, 0);
    rc = cm_s3_get(in->s3, bucket, key, it->etag, CM_PEEK_RAW, &b, err, sizeof(err));
    if (rc == 0) {
        rc = cm_peek_first_time_bytes(b.p, b.len, flow_fields, ms);
    }
    cm_buf_finish(&b);
    return rc == CM_ENOMEM ? rc : (rc != 0 ? CM_EIO : 0);
}

void cm_input_s3_id(const struct cm_input *it, struct cm_file_id *id)
{
    const char *etag = it->etag ? it->etag : "";

    cm_file_id_make(id, it->path, strlen(it->path), it->size, etag, strlen(etag), "s3", 2);
}
