/*
 * libFuzzer target for target input (lib/route/transform.h, jpath.h):
 * EventBridge's Input, InputPath and InputTransformer.
 *
 * The first byte picks the mode; the rest is split at NUL bytes into the
 * definition's text (the Input JSON, the InputPath or the InputTemplate),
 * the InputPathsMap as "name=path" lines, and an event. Each part is copied
 * into an exact-size heap buffer so over-reads are caught. A definition that
 * compiles is applied to a fixed GuardDuty envelope and to the event: the
 * result must be 0 (or CM_EINVAL for an event that is not JSON), repeatable,
 * and valid JSON whenever the transform says it makes JSON. A refusal must
 * leave *out NULL and a reason. Any violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "route/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char EV[] =
    "{\"version\":\"0\",\"id\":\"e\\\"1\",\"detail-type\":\"GuardDuty Finding\","
    "\"source\":\"aws.guardduty\",\"account\":\"111122223333\",\"region\":\"us-east-1\","
    "\"resources\":[],\"detail\":{\"type\":\"Recon:EC2/PortProbeUnprotectedPort\","
    "\"severity\":5.5,\"n\":null,\"b\":true,\"s\":\"a\\\\\\\"b\\u0001\\n\",\"arr\":[{\"k\":\"x\"},"
    "[1,[2]],\"q\\\"\"],\"o\":{\"\\\"k\":\"v\\\\\"}}}";

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static char *part(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static void run(const struct cm_transform *t, const char *ev, size_t len)
{
    struct cm_transform_env env = {"rule-1", 1700000000000LL};
    struct cm_buf a, b;
    struct cm_json_doc d;
    char err[400];
    int rc;

    cm_buf_init(&a, 1 << 22);
    cm_buf_init(&b, 1 << 22);
    rc = cm_transform_apply(t, ev, len, &env, &a, err, sizeof(err));
    check(rc == 0 || rc == CM_EINVAL || rc == CM_ENOMEM || rc == CM_E2BIG);
    check(cm_transform_apply(t, ev, len, &env, &b, err, sizeof(err)) == rc);
    check(a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0));
    if (rc == 0 && cm_transform_is_json(t)) {
        cm_json_doc_init(&d, 0, 0);
        check(cm_json_parse(&d, a.p ? a.p : "", a.len, NULL) == 0 ||
              cm_json_parse(&d, ev, len, NULL) != 0);
        cm_json_doc_finish(&d);
    }
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_transform_var vars[CM_TRANSFORM_MAX_VARS + 1];
    struct cm_transform_def def;
    struct cm_transform *t = (struct cm_transform *)1;
    const uint8_t *p, *q, *end = data + size;
    char *text = NULL, *map = NULL, *ev = NULL, err[400] = "";
    size_t nvars = 0;
    int rc;

    if (size < 1) {
        return 0;
    }
    p = data + 1;
    q = memchr(p, 0, (size_t)(end - p));
    text = part(p, q ? (size_t)(q - p) : (size_t)(end - p));
    p = q ? q + 1 : end;
    q = memchr(p, 0, (size_t)(end - p));
    map = part(p, q ? (size_t)(q - p) : (size_t)(end - p));
    p = q ? q + 1 : end;
    ev = part(p, (size_t)(end - p));
    if (text == NULL || map == NULL || ev == NULL) {
        goto done;
    }
    for (char *line = map, *nl; *line != '\0' && nvars <= CM_TRANSFORM_MAX_VARS; line = nl) {
        char *eq = strchr(line, '=');

        nl = strchr(line, '\n');
        nl = nl != NULL ? (*nl = '\0', nl + 1) : line + strlen(line);
        if (eq != NULL) {
            *eq = '\0';
            vars[nvars].name = line;
            vars[nvars++].path = eq + 1;
        }
    }
    def.mode = (enum cm_transform_mode)(data[0] % 4);
    def.text = text;
    def.len = strlen(text);
    def.vars = vars;
    def.nvars = nvars;
    rc = cm_transform_compile(&def, &t, err, sizeof(err));
    if (rc != 0) {
        check(t == NULL && err[0] != '\0');
        check(rc == CM_EINVAL || rc == CM_E2BIG || rc == CM_ENOMEM);
        goto done;
    }
    run(t, EV, strlen(EV));
    run(t, ev, (size_t)(end - p));
    cm_transform_destroy(t);
done:
    free(text);
    free(map);
    free(ev);
    return 0;
}
