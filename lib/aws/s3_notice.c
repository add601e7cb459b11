/*
 * Parsing the object deliveries of an SQS message (s3_notice.h).
 */
#include "aws/s3_notice.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"

#define MAX_NODES (1u << 20)
#define MAX_DEPTH 64

/* A string node's value, unescaped, into a new NUL-terminated string; NULL: not one. */
static int dup_str(const struct cm_json_doc *d, uint32_t i, char **out)
{
    const struct cm_json_node *nd;
    size_t n;

    *out = NULL;
    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        return CM_ESYNTAX;
    }
    nd = cm_json_at(d, i);
    if ((*out = cm_malloc((size_t)nd->len + 1)) == NULL) {
        return CM_ENOMEM;
    }
    n = cm_json_unescape(d->src + nd->off, nd->len, *out);
    (*out)[n] = '\0';
    if (strlen(*out) != n) { /* an escaped NUL: no name a request can carry */
        cm_free(*out);
        *out = NULL;
        return CM_ESYNTAX;
    }
    return 0;
}

/* Whether string node i is s. */
static bool str_is(const struct cm_json_doc *d, uint32_t i, const char *s)
{
    struct cm_str v;
    char tmp[64];

    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        return false;
    }
    v = cm_json_raw(d, i);
    if (v.len >= sizeof(tmp)) {
        return false;
    }
    tmp[cm_json_unescape(v.p, v.len, tmp)] = '\0';
    return strcmp(tmp, s) == 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

long cm_s3_notice_unescape(const char *src, size_t len, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        char c = src[i];

        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;

            if (i + 2 >= len) {
                return -1;
            }
            hi = hexval(src[i + 1]);
            lo = hexval(src[i + 2]);
            if (hi < 0 || lo < 0) {
                return -1;
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            return -1;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return (long)o;
}

/* Adds an object; takes bucket and key (freed on failure). etag raw (unquoted) or NULL. */
static int add(struct cm_s3_notice *n, char *bucket, char *key, bool has_size, uint64_t size,
               const char *etag, char *why, size_t whylen)
{
    struct cm_s3_notice_obj *o;
    size_t el = etag != NULL ? strlen(etag) : 0;
    int rc = CM_ENOMEM;

    if (bucket[0] == '\0' || key[0] == '\0') {
        snprintf(why, whylen, "an object with an empty %s", bucket[0] ? "key" : "bucket name");
        rc = CM_ESYNTAX;
        goto fail;
    }
    if (n->n >= CM_S3_NOTICE_MAX_OBJECTS) {
        snprintf(why, whylen, "more than %d objects in one message", CM_S3_NOTICE_MAX_OBJECTS);
        rc = CM_ESYNTAX;
        goto fail;
    }
    if (cm_grow((void **)&n->v, &n->cap, n->n + 1, sizeof(*n->v), 4) != 0) {
        goto fail;
    }
    o = &n->v[n->n];
    memset(o, 0, sizeof(*o));
    if ((o->etag = cm_malloc(el + 3)) == NULL) {
        goto fail;
    }
    if (el == 0) {
        o->etag[0] = '\0';
    } else if (etag[0] == '"') {
        memcpy(o->etag, etag, el + 1);
    } else {
        snprintf(o->etag, el + 3, "\"%s\"", etag);
    }
    o->bucket = bucket;
    o->key = key;
    o->has_size = has_size;
    o->size = size;
    n->n++;
    return 0;
fail:
    cm_free(bucket);
    cm_free(key);
    return rc;
}

/* The size node i (a non-negative integer) into *size; absent: has false. */
static int size_of(const struct cm_json_doc *d, uint32_t i, bool *has, uint64_t *size)
{
    int64_t v;

    *has = false;
    *size = 0;
    if (i == CM_JSON_NONE) {
        return 0;
    }
    if (cm_json_i64(d, i, &v) != 0 || v < 0) {
        return CM_ESYNTAX;
    }
    *has = true;
    *size = (uint64_t)v;
    return 0;
}

/* {"Records":[...]}: S3's event notification. */
static int s3_records(const struct cm_json_doc *d, uint32_t recs, struct cm_s3_notice *n, char *why,
                      size_t whylen)
{
    uint32_t idx = 0;

    if (cm_json_type(d, recs) != CM_JSON_ARRAY) {
        snprintf(why, whylen, "Records is not an array");
        return CM_ESYNTAX;
    }
    for (uint32_t r = cm_json_first(d, recs); r != CM_JSON_NONE;
         r = cm_json_next(d, recs, r), idx++) {
        uint32_t name = cm_json_get(d, r, "eventName"), src = cm_json_get(d, r, "eventSource");
        uint32_t key = cm_json_path(d, r, "s3.object.key");
        struct cm_str en;
        char *bucket = NULL, *raw = NULL, *k;
        bool has;
        uint64_t size;
        long kl;
        int rc;

        if (cm_json_type(d, r) != CM_JSON_OBJECT || name == CM_JSON_NONE ||
            cm_json_type(d, name) != CM_JSON_STRING) {
            snprintf(why, whylen, "Records[%u]: no eventName", idx);
            return CM_ESYNTAX;
        }
        if (src != CM_JSON_NONE && !str_is(d, src, "aws:s3")) {
            snprintf(why, whylen, "Records[%u]: eventSource is not aws:s3", idx);
            return CM_ESYNTAX;
        }
        en = cm_json_raw(d, name);
        if (en.len < 14 || memcmp(en.p, "ObjectCreated:", 14) != 0) {
            n->other++;
            continue;
        }
        if ((rc = dup_str(d, cm_json_path(d, r, "s3.bucket.name"), &bucket)) != 0 ||
            (rc = dup_str(d, key, &raw)) != 0) {
            cm_free(bucket);
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen, "Records[%u]: s3.%s is not a string (or holds a NUL)", idx,
                         bucket == NULL ? "bucket.name" : "object.key");
            }
            return rc;
        }
        if (size_of(d, cm_json_path(d, r, "s3.object.size"), &has, &size) != 0) {
            cm_free(bucket);
            cm_free(raw);
            snprintf(why, whylen, "Records[%u]: s3.object.size is not a size", idx);
            return CM_ESYNTAX;
        }
        if ((k = cm_malloc(strlen(raw) + 1)) == NULL) {
            cm_free(bucket);
            cm_free(raw);
            return CM_ENOMEM;
        }
        kl = cm_s3_notice_unescape(raw, strlen(raw), k);
        cm_free(raw);
        if (kl < 0) {
            cm_free(bucket);
            cm_free(k);
            snprintf(why, whylen, "Records[%u]: s3.object.key: a bad %%-escape or a NUL byte", idx);
            return CM_ESYNTAX;
        }
        {
            char *etag = NULL;
            uint32_t et = cm_json_path(d, r, "s3.object.eTag");

            if (et != CM_JSON_NONE && (rc = dup_str(d, et, &etag)) != 0) {
                cm_free(bucket);
                cm_free(k);
                if (rc == CM_ESYNTAX) {
                    snprintf(why, whylen, "Records[%u]: s3.object.eTag is not a string", idx);
                }
                return rc;
            }
            rc = add(n, bucket, k, has, size, etag, why, whylen);
            cm_free(etag);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* {"s3Bucket":..,"s3ObjectKey":[..]}: CloudTrail's notification. */
static int cloudtrail(const struct cm_json_doc *d, uint32_t root, struct cm_s3_notice *n, char *why,
                      size_t whylen)
{
    uint32_t keys = cm_json_get(d, root, "s3ObjectKey"), idx = 0;
    char *bucket;
    int rc;

    if (keys == CM_JSON_NONE || cm_json_type(d, keys) != CM_JSON_ARRAY) {
        snprintf(why, whylen, "s3ObjectKey is not an array");
        return CM_ESYNTAX;
    }
    for (uint32_t k = cm_json_first(d, keys); k != CM_JSON_NONE;
         k = cm_json_next(d, keys, k), idx++) {
        char *key;

        if ((rc = dup_str(d, cm_json_get(d, root, "s3Bucket"), &bucket)) != 0) {
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen, "s3Bucket is not a string");
            }
            return rc;
        }
        if ((rc = dup_str(d, k, &key)) != 0) {
            cm_free(bucket);
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen, "s3ObjectKey[%u] is not a string", idx);
            }
            return rc;
        }
        if ((rc = add(n, bucket, key, false, 0, NULL, why, whylen)) != 0) {
            return rc;
        }
    }
    return 0;
}

/* An EventBridge event of S3. */
static int eventbridge(const struct cm_json_doc *d, uint32_t root, struct cm_s3_notice *n,
                       char *why, size_t whylen)
{
    char *bucket = NULL, *key = NULL, *etag = NULL;
    bool has;
    uint64_t size;
    int rc;

    if (!str_is(d, cm_json_get(d, root, "detail-type"), "Object Created")) {
        n->other++;
        return 0;
    }
    if ((rc = dup_str(d, cm_json_path(d, root, "detail.bucket.name"), &bucket)) != 0 ||
        (rc = dup_str(d, cm_json_path(d, root, "detail.object.key"), &key)) != 0) {
        if (rc == CM_ESYNTAX) {
            snprintf(why, whylen, "detail.%s is not a string",
                     bucket == NULL ? "bucket.name" : "object.key");
        }
        cm_free(bucket);
        return rc;
    }
    if (size_of(d, cm_json_path(d, root, "detail.object.size"), &has, &size) != 0) {
        cm_free(bucket);
        cm_free(key);
        snprintf(why, whylen, "detail.object.size is not a size");
        return CM_ESYNTAX;
    }
    {
        uint32_t et = cm_json_path(d, root, "detail.object.etag");

        if (et != CM_JSON_NONE && (rc = dup_str(d, et, &etag)) != 0) {
            cm_free(bucket);
            cm_free(key);
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen, "detail.object.etag is not a string");
            }
            return rc;
        }
    }
    rc = add(n, bucket, key, has, size, etag, why, whylen);
    cm_free(etag);
    return rc;
}

/* One JSON text: its form, or an SNS envelope around one (depth 0 only). */
static int parse_text(const char *body, size_t len, struct cm_s3_notice *n, int depth, char *why,
                      size_t whylen)
{
    struct cm_json_doc d;
    struct cm_diag dg;
    uint32_t root = 0, v;
    int rc;

    cm_json_doc_init(&d, MAX_NODES, MAX_DEPTH);
    memset(&dg, 0, sizeof(dg));
    rc = cm_json_parse(&d, body, len, &dg);
    if (rc != 0) {
        if (rc != CM_ENOMEM) {
            snprintf(why, whylen, "%sbyte %zu: %s", depth ? "SNS Message: " : "", dg.offset,
                     dg.msg[0] ? dg.msg : "not JSON");
            rc = CM_ESYNTAX;
        }
        goto out;
    }
    if (cm_json_type(&d, root) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "%snot a JSON object", depth ? "SNS Message: " : "");
        rc = CM_ESYNTAX;
        goto out;
    }
    if (depth == 0 && str_is(&d, cm_json_get(&d, root, "Type"), "Notification")) {
        char *msg = NULL;

        if ((rc = dup_str(&d, cm_json_get(&d, root, "Message"), &msg)) != 0) {
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen, "an SNS notification whose Message is not a string");
            }
            goto out;
        }
        rc = parse_text(msg, strlen(msg), n, 1, why, whylen);
        cm_free(msg);
        if (rc == 0 && n->form != NULL && strcmp(n->form, "test") != 0) {
            n->form = strcmp(n->form, "S3") == 0           ? "SNS+S3"
                      : strcmp(n->form, "CloudTrail") == 0 ? "SNS+CloudTrail"
                                                           : "SNS+EventBridge";
        }
        goto out;
    }
    if (str_is(&d, cm_json_get(&d, root, "Event"), "s3:TestEvent")) {
        n->kind = CM_S3_NOTICE_TEST;
        n->form = "test";
    } else if ((v = cm_json_get(&d, root, "Records")) != CM_JSON_NONE) {
        n->form = "S3";
        rc = s3_records(&d, v, n, why, whylen);
    } else if (cm_json_get(&d, root, "s3ObjectKey") != CM_JSON_NONE) {
        n->form = "CloudTrail";
        rc = cloudtrail(&d, root, n, why, whylen);
    } else if (str_is(&d, cm_json_get(&d, root, "source"), "aws.s3") &&
               cm_json_get(&d, root, "detail") != CM_JSON_NONE) {
        n->form = "EventBridge";
        rc = eventbridge(&d, root, n, why, whylen);
    } else {
        snprintf(why, whylen,
                 "%snot an S3 event notification, SNS notification, CloudTrail notification or "
                 "EventBridge event of S3",
                 depth ? "SNS Message: " : "");
        rc = CM_ESYNTAX;
    }
out:
    cm_json_doc_finish(&d);
    return rc;
}

int cm_s3_notice_parse(const char *body, size_t len, struct cm_s3_notice *out, char *why,
                       size_t whylen)
{
    int rc;

    memset(out, 0, sizeof(*out));
    why[0] = '\0';
    rc = parse_text(body, len, out, 0, why, whylen);
    if (rc != 0) {
        cm_s3_notice_finish(out);
        memset(out, 0, sizeof(*out));
        if (rc == CM_ENOMEM && why[0] == '\0') {
            snprintf(why, whylen, "out of memory");
        }
    }
    return rc;
}

void cm_s3_notice_finish(struct cm_s3_notice *n)
{
    for (size_t i = 0; i < n->n; i++) {
        cm_free(n->v[i].bucket);
        cm_free(n->v[i].key);
        cm_free(n->v[i].etag);
    }
    cm_free(n->v);
    n->v = NULL;
    n->n = n->cap = 0;
}
