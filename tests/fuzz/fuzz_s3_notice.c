/*
 * libFuzzer target for lib/aws/s3_notice.c (an SQS message's object deliveries) and the
 * ReceiveMessage/batch answer parsers of lib/aws/sqs_json.c. Whatever the bytes: a parse
 * either succeeds with objects that each have a bucket and a key (non-empty, no NUL), an
 * ETag that is empty or quoted, at most CM_S3_NOTICE_MAX_OBJECTS of them, or fails with a
 * reason and nothing kept; the same bytes give the same answer twice. The bytes wrapped in
 * an SNS envelope (as a JSON string) give the same objects, or fail too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3_notice.h"
#include "aws/sqs_json.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void valid(int rc, const struct cm_s3_notice *n, const char *why)
{
    if (rc != 0) {
        check(rc == CM_ESYNTAX || rc == CM_ENOMEM);
        check(why[0] != '\0' && n->n == 0 && n->v == NULL);
        return;
    }
    check(n->form != NULL && n->n <= CM_S3_NOTICE_MAX_OBJECTS);
    for (size_t i = 0; i < n->n; i++) {
        size_t el = strlen(n->v[i].etag);

        check(n->v[i].bucket[0] != '\0' && n->v[i].key[0] != '\0');
        check(el == 0 || (el >= 2 && n->v[i].etag[0] == '"' && n->v[i].etag[el - 1] == '"'));
        check(n->v[i].has_size || n->v[i].size == 0);
    }
}

static int same(const struct cm_s3_notice *a, const struct cm_s3_notice *b)
{
    if (a->n != b->n || a->kind != b->kind) {
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].bucket, b->v[i].bucket) != 0 || strcmp(a->v[i].key, b->v[i].key) != 0 ||
            a->v[i].size != b->v[i].size || strcmp(a->v[i].etag, b->v[i].etag) != 0) {
            return 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_s3_notice a, b;
    struct cm_sqs_msgs m = {0};
    char why[400], why2[400];
    unsigned failed;
    int ra, rb;

    ra = cm_s3_notice_parse((const char *)data, size, &a, why, sizeof(why));
    valid(ra, &a, why);
    rb = cm_s3_notice_parse((const char *)data, size, &b, why2, sizeof(why2));
    check(ra == rb && (ra != 0 || same(&a, &b)));
    cm_s3_notice_finish(&b);
    if (ra == 0 && a.kind == CM_S3_NOTICE_OBJECTS && a.form != NULL &&
        strncmp(a.form, "SNS+", 4) != 0) {
        struct cm_buf env;
        struct cm_jw jw;

        cm_buf_init(&env, 0);
        cm_jw_init(&jw, &env);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "Type");
        cm_jw_str(&jw, "Notification");
        cm_jw_key(&jw, "Message");
        cm_jw_strn(&jw, (const char *)data, size);
        cm_jw_obj_end(&jw);
        if (cm_jw_finish(&jw) == 0 &&
            cm_s3_notice_parse(env.p, env.len, &b, why2, sizeof(why2)) == 0) {
            /* the writer replaces invalid UTF-8: only then may the answers differ */
            check(b.kind == a.kind);
            cm_s3_notice_finish(&b);
        }
        cm_buf_finish(&env);
    }
    cm_s3_notice_finish(&a);
    if (cm_sqs_receive_parse((const char *)data, size, &m, why, sizeof(why)) == 0) {
        for (size_t i = 0; i < m.n; i++) {
            check(m.v[i].id != NULL && m.v[i].handle != NULL && m.v[i].body != NULL);
            check(m.v[i].body[m.v[i].body_len] == '\0');
        }
    }
    cm_sqs_msgs_finish(&m);
    (void)cm_sqs_batch_parse((const char *)data, size, &failed, why, sizeof(why));
    return 0;
}
