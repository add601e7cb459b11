/*
 * SQS's JSON protocol (sqs_json.h).
 */
#include "aws/sqs_json.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"

#define MAX_NODES (1u << 16)

int cm_sqs_receive_body(struct cm_buf *out, const char *queue_url, unsigned max, unsigned wait_s,
                        unsigned visibility_s)
{
    struct cm_jw jw;

    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "QueueUrl");
    cm_jw_str(&jw, queue_url);
    cm_jw_key(&jw, "MaxNumberOfMessages");
    cm_jw_u64(&jw, max < 1 ? 1 : max > CM_SQS_MAX_BATCH ? CM_SQS_MAX_BATCH : max);
    cm_jw_key(&jw, "WaitTimeSeconds");
    cm_jw_u64(&jw, wait_s > CM_SQS_MAX_WAIT ? CM_SQS_MAX_WAIT : wait_s);
    cm_jw_key(&jw, "VisibilityTimeout");
    cm_jw_u64(&jw, visibility_s);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

static int batch_body(struct cm_buf *out, const char *queue_url, const char *const *handles,
                      size_t n, long visibility_s)
{
    struct cm_jw jw;
    char id[4];

    if (n == 0 || n > CM_SQS_MAX_BATCH) {
        return CM_EINVAL;
    }
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "QueueUrl");
    cm_jw_str(&jw, queue_url);
    cm_jw_key(&jw, "Entries");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof(id), "%zu", i);
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "Id");
        cm_jw_str(&jw, id);
        cm_jw_key(&jw, "ReceiptHandle");
        cm_jw_str(&jw, handles[i]);
        if (visibility_s >= 0) {
            cm_jw_key(&jw, "VisibilityTimeout");
            cm_jw_u64(&jw, (uint64_t)visibility_s);
        }
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

int cm_sqs_delete_body(struct cm_buf *out, const char *queue_url, const char *const *handles,
                       size_t n)
{
    return batch_body(out, queue_url, handles, n, -1);
}

int cm_sqs_visibility_body(struct cm_buf *out, const char *queue_url, const char *const *handles,
                           size_t n, unsigned visibility_s)
{
    return batch_body(out, queue_url, handles, n, (long)visibility_s);
}

/* A string member's value, unescaped, into a new string (len into *n). */
static int member(const struct cm_json_doc *d, uint32_t obj, const char *key, char **out, size_t *n)
{
    uint32_t i = cm_json_get(d, obj, key);
    const struct cm_json_node *nd;
    size_t l;

    *out = NULL;
    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        return CM_ESYNTAX;
    }
    nd = cm_json_at(d, i);
    if ((*out = cm_malloc((size_t)nd->len + 1)) == NULL) {
        return CM_ENOMEM;
    }
    l = cm_json_unescape(d->src + nd->off, nd->len, *out);
    (*out)[l] = '\0';
    if (n != NULL) {
        *n = l;
    }
    return 0;
}

int cm_sqs_receive_parse(const char *p, size_t len, struct cm_sqs_msgs *out, char *why,
                         size_t whylen)
{
    struct cm_json_doc d;
    struct cm_diag dg;
    uint32_t msgs, idx = 0;
    int rc;

    cm_json_doc_init(&d, MAX_NODES, 32);
    memset(&dg, 0, sizeof(dg));
    if ((rc = cm_json_parse(&d, p, len, &dg)) != 0) {
        snprintf(why, whylen, "ReceiveMessage's answer, byte %zu: %s", dg.offset,
                 dg.msg[0] ? dg.msg : "not JSON");
        rc = rc == CM_ENOMEM ? rc : CM_ESYNTAX;
        goto out;
    }
    if (cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "ReceiveMessage's answer is not a JSON object");
        rc = CM_ESYNTAX;
        goto out;
    }
    msgs = cm_json_get(&d, 0, "Messages");
    if (msgs == CM_JSON_NONE) {
        goto out;
    }
    if (cm_json_type(&d, msgs) != CM_JSON_ARRAY) {
        snprintf(why, whylen, "ReceiveMessage's answer: Messages is not an array");
        rc = CM_ESYNTAX;
        goto out;
    }
    for (uint32_t m = cm_json_first(&d, msgs); m != CM_JSON_NONE;
         m = cm_json_next(&d, msgs, m), idx++) {
        struct cm_sqs_msg x;

        memset(&x, 0, sizeof(x));
        if ((rc = member(&d, m, "MessageId", &x.id, NULL)) != 0 ||
            (rc = member(&d, m, "ReceiptHandle", &x.handle, NULL)) != 0 ||
            (rc = member(&d, m, "Body", &x.body, &x.body_len)) != 0 ||
            (rc = cm_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v), 10)) != 0) {
            if (rc == CM_ESYNTAX) {
                snprintf(why, whylen,
                         "ReceiveMessage's answer: Messages[%u] has no MessageId, ReceiptHandle "
                         "or Body",
                         idx);
            }
            cm_free(x.id);
            cm_free(x.handle);
            cm_free(x.body);
            goto out;
        }
        out->v[out->n++] = x;
    }
out:
    cm_json_doc_finish(&d);
    return rc;
}

void cm_sqs_msgs_finish(struct cm_sqs_msgs *m)
{
    for (size_t i = 0; i < m->n; i++) {
        cm_free(m->v[i].id);
        cm_free(m->v[i].handle);
        cm_free(m->v[i].body);
    }
    cm_free(m->v);
    memset(m, 0, sizeof(*m));
}

int cm_sqs_batch_parse(const char *p, size_t len, unsigned *failed, char *why, size_t whylen)
{
    struct cm_json_doc d;
    uint32_t f;
    int rc = 0;

    *failed = 0;
    why[0] = '\0';
    cm_json_doc_init(&d, MAX_NODES, 32);
    if (cm_json_parse(&d, p, len, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "the batch answer is not a JSON object");
        rc = CM_ESYNTAX;
        goto out;
    }
    f = cm_json_get(&d, 0, "Failed");
    if (f != CM_JSON_NONE && cm_json_type(&d, f) == CM_JSON_ARRAY) {
        for (uint32_t e = cm_json_first(&d, f); e != CM_JSON_NONE; e = cm_json_next(&d, f, e)) {
            uint32_t id = cm_json_get(&d, e, "Id");
            struct cm_str v = id != CM_JSON_NONE ? cm_json_raw(&d, id) : (struct cm_str){NULL, 0};
            char *code = NULL, *msg = NULL;

            if (v.len == 1 && v.p[0] >= '0' && v.p[0] <= '9') {
                *failed |= 1u << (v.p[0] - '0');
            }
            if (why[0] == '\0') {
                (void)member(&d, e, "Code", &code, NULL);
                (void)member(&d, e, "Message", &msg, NULL);
                snprintf(why, whylen, "%s: %s", code ? code : "Failed", msg ? msg : "no message");
            }
            cm_free(code);
            cm_free(msg);
        }
    }
out:
    cm_json_doc_finish(&d);
    return rc;
}

int cm_sqs_error_parse(const char *p, size_t len, char *code, size_t codelen, char *msg,
                       size_t msglen)
{
    struct cm_json_doc d;
    char *t = NULL, *m = NULL;
    int rc = CM_ESYNTAX;

    code[0] = msg[0] = '\0';
    cm_json_doc_init(&d, MAX_NODES, 32);
    if (cm_json_parse(&d, p, len, NULL) == 0 && cm_json_type(&d, 0) == CM_JSON_OBJECT &&
        member(&d, 0, "__type", &t, NULL) == 0) {
        const char *h = strrchr(t, '#');

        snprintf(code, codelen, "%.100s", h != NULL ? h + 1 : t);
        if (member(&d, 0, "message", &m, NULL) == 0 || member(&d, 0, "Message", &m, NULL) == 0) {
            snprintf(msg, msglen, "%.300s", m);
        }
        rc = 0;
    }
    cm_free(t);
    cm_free(m);
    cm_json_doc_finish(&d);
    return rc;
}
