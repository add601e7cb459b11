/*
 * libFuzzer target for lib/detect/s3_access.c. The input is parsed as JSON;
 * when it parses, both analyses run on the root, root.bucketPolicy,
 * root.requestParameters and root.requestParameters.bucketPolicy, and must
 * return a valid exposure with a reason, give the same answer twice with
 * the same scratch document, and leave that document empty. The input is
 * then logged the way CloudTrail sometimes logs a policy, as a JSON string
 * holding it: parsed back from that string, the policy must get the same
 * answer and reason as the input itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "detect/ct.h"

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static int valid(enum cm_s3_exposure x)
{
    return x == CM_S3X_NONE || x == CM_S3X_AUTHENTICATED || x == CM_S3X_ANONYMOUS;
}

static enum cm_s3_exposure policy(const struct cm_json_doc *d, uint32_t node,
                                  struct cm_json_doc *scratch, const char **why)
{
    const char *why2 = NULL;
    enum cm_s3_exposure x, y;

    *why = NULL;
    x = cm_s3_policy_exposure(d, node, scratch, why);
    check(valid(x) && *why != NULL);
    check(scratch->src == NULL && scratch->n == 0);
    y = cm_s3_policy_exposure(d, node, scratch, &why2);
    check(x == y && *why == why2);
    return x;
}

static void acl(const struct cm_json_doc *d, uint32_t node)
{
    const char *why = NULL;
    enum cm_s3_exposure x = cm_s3_acl_exposure(d, node, &why);

    check(valid(x) && why != NULL);
    check(cm_s3_acl_exposure(d, node, NULL) == x);
}

/* The input as a JSON string must analyse like the input. */
static void as_string(const uint8_t *data, size_t size, struct cm_json_doc *scratch,
                      enum cm_s3_exposure want, const char *want_why)
{
    struct cm_json_doc d;
    struct cm_buf b;
    const char *why = NULL;
    char *text;

    cm_buf_init(&b, 0);
    if (cm_buf_putc(&b, '"') != 0 || cm_json_escape(&b, (const char *)data, size) != 0 ||
        cm_buf_putc(&b, '"') != 0) {
        cm_buf_finish(&b);
        return;
    }
    text = malloc(b.len);
    check(text != NULL);
    memcpy(text, b.p, b.len);
    cm_json_doc_init(&d, 0, 0);
    check(cm_json_parse(&d, text, b.len, NULL) == 0);
    check(policy(&d, 0, scratch, &why) == want);
    check(why == want_why);
    cm_json_doc_finish(&d);
    free(text);
    cm_buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_json_doc d, scratch;
    const char *why = NULL, *root_why = NULL;
    char *text;
    uint32_t rp;
    enum cm_s3_exposure root;

    if (size > (1u << 20)) {
        return 0;
    }
    text = malloc(size ? size : 1); /* exact size: ASan sees any over-read */
    check(text != NULL);
    if (size > 0) {
        memcpy(text, data, size);
    }
    cm_json_doc_init(&d, 0, 0);
    cm_json_doc_init(&scratch, 0, 0);
    if (cm_json_parse(&d, text, size, NULL) != 0) {
        goto done;
    }
    rp = cm_json_get(&d, 0, "requestParameters");

    root = policy(&d, 0, &scratch, &root_why);
    policy(&d, cm_json_get(&d, 0, "bucketPolicy"), &scratch, &why);
    policy(&d, rp, &scratch, &why);
    policy(&d, cm_json_get(&d, rp, "bucketPolicy"), &scratch, &why);
    acl(&d, 0);
    acl(&d, cm_json_get(&d, 0, "bucketPolicy"));
    acl(&d, rp);
    acl(&d, cm_json_get(&d, rp, "bucketPolicy"));

    if (cm_json_type(&d, 0) == CM_JSON_OBJECT) {
        as_string(data, size, &scratch, root, root_why);
    }
done:
    cm_json_doc_finish(&scratch);
    cm_json_doc_finish(&d);
    free(text);
    return 0;
}
