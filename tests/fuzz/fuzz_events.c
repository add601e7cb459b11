/*
 * libFuzzer target for the EventBridge API's request bodies (awsJson1_1,
 * src/api/api_json.c and api_events_*.c) through cm_api_handle() with
 * X-Amz-Target set, on a store made once in a temp directory with one rule,
 * "known".
 *
 * The first byte picks the operation (one past the table: an unknown
 * target), the rest is the body. Every answer must be a complete JSON
 * object: a 200 with error_type NULL, or a 400 with X-Amzn-ErrorType and
 * {"message","__type"} (a 500 is a bug, not an answer to bad input), a
 * repeated member answered where it is (api_reader_check.h). A PutTargets
 * that succeeds must round-trip: what ListTargetsByRule then lists is
 * accepted back by PutTargets without a failed entry and lists the same.
 * After each input every target is removed again, so PutEvents never
 * delivers (an exec target the fuzzer made must never run).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/api_target_guard.h"
#include "api_reader_check.h"
#include "api/api_detector.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "store/store.h"

#include "fuzz_scratch.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cm_api_ctx ctx;

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static size_t nroutes(void)
{
    size_t n = 0;
    while (cm_api_json_routes[n].target != NULL) {
        n++;
    }
    return n;
}

/* Runs one request; resp->body is the caller's (initialised). */
static void run(const char *target, const char *body, size_t len, struct cm_api_resp *resp)
{
    struct cm_api_req req;

    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.path = "/";
    req.target = target;
    req.body = body;
    req.body_len = len;
    req.now_ms = 1764892800000;
    cm_buf_reset(&resp->body);
    check(cm_api_handle(&ctx, &req, resp) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static char dir[] = "/tmp/fuzz_events_XXXXXX";
    char path[128], err[256], id[CM_STORE_DETECTOR_ID_MAX + 1];
    struct cm_store_rule r = {0};

    (void)argc;
    (void)argv;
    check(mkdtemp(dir) != NULL);
    check(fuzz_scratch_at_exit(dir, &ctx.store) == 0);
    snprintf(path, sizeof(path), "%s/s.db", dir);
    check(cm_store_open(&ctx.store, path, CM_STORE_CREATE, err, sizeof(err)) == 0);
    ctx.account = "123456789012";
    /* The operator allows files under /tmp and /bin/true, so those round-trip too, and a
     * secret "s" for webhooks under http://127.0.0.1:1/ (a header's {"secret":"s"}). */
    {
        static char *dirs[1] = {"/tmp"}, *progs[1] = {"/bin/true"},
                    *urls[1] = {"http://127.0.0.1:1/"};
        static struct cm_target_secret sec[1] = {{"s", NULL, "CM_FUZZ_NO_SUCH_VAR", urls, 1}};
        static struct cm_target_secrets secrets = {sec, 1};
        static struct cm_api_target_policy pol;
        pol = (struct cm_api_target_policy){progs, 1, dirs, 1, NULL, 0, NULL, 0, &secrets};
        ctx.targets = &pol;
    }
    ctx.region = "us-east-1";
    check(cm_api_detector_ensure(&ctx, "c0a1c0a1c0a1c0a1c0a1c0a1c0a1c0a1", 1764892800000, id,
                                 sizeof(id), err, sizeof(err)) == 0);
    r.name = "known";
    r.pattern = "{\"source\":[\"my.app\"]}";
    r.enabled = true;
    check(cm_store_rule_put(ctx.store, &r, err, sizeof(err)) == 0);
    return 0;
}

struct tgt {
    char rule[CM_STORE_NAME_MAX + 1], id[CM_STORE_NAME_MAX + 1];
};
struct tgts {
    struct tgt v[64];
    size_t n;
};

static int collect(void *ud, const struct cm_store_target *t)
{
    struct tgts *l = ud;
    if (l->n < sizeof(l->v) / sizeof(l->v[0])) {
        snprintf(l->v[l->n].rule, sizeof(l->v[0].rule), "%s", t->rule);
        snprintf(l->v[l->n].id, sizeof(l->v[0].id), "%s", t->id);
        l->n++;
    }
    return CM_OK;
}

/* Removes every target of every rule. */
static void remove_all(void)
{
    struct tgts l;
    char err[256];

    do {
        l.n = 0;
        check(cm_store_targets(ctx.store, NULL, collect, &l, err, sizeof(err)) == 0);
        for (size_t i = 0; i < l.n; i++) {
            check(cm_store_target_remove(ctx.store, l.v[i].rule, l.v[i].id, err, sizeof(err)) == 0);
        }
    } while (l.n > 0);
}

/* The rule a PutTargets body names, if it is a plain string, into out. */
static bool rule_of(const char *body, size_t len, char *out, size_t cap)
{
    struct cm_json_doc d;
    uint32_t v;
    bool ok = false;

    cm_json_doc_init(&d, 1u << 16, 32);
    if (cm_json_parse(&d, body, len, NULL) == 0 && cm_json_type(&d, 0) == CM_JSON_OBJECT &&
        (v = cm_json_get(&d, 0, "Rule")) != CM_JSON_NONE && cm_json_type(&d, v) == CM_JSON_STRING &&
        cm_json_raw(&d, v).len < cap) {
        struct cm_str raw = cm_json_raw(&d, v);
        out[cm_json_unescape(raw.p, raw.len, out)] = '\0';
        ok = strlen(out) > 0 && strchr(out, '"') == NULL && strchr(out, '\\') == NULL;
    }
    cm_json_doc_finish(&d);
    return ok;
}

/* After a PutTargets with no failed entry: list, put back, list again: the same. */
static void roundtrip(const char *rule)
{
    struct cm_api_resp resp = {0};
    char *first, *put;
    size_t n;

    cm_buf_init(&resp.body, 0);
    n = strlen(rule) + 32;
    put = malloc(n);
    check(put != NULL);
    snprintf(put, n, "{\"Rule\":\"%s\"}", rule);
    run("AWSEvents.ListTargetsByRule", put, strlen(put), &resp);
    check(resp.status == 200);
    first = strndup(resp.body.p, resp.body.len);
    check(first != NULL);
    free(put);
    if (strcmp(first, "{\"Targets\":[]}") != 0) {
        n = strlen(first) + strlen(rule) + 32;
        put = malloc(n);
        check(put != NULL);
        snprintf(put, n, "{\"Rule\":\"%s\",%s", rule, first + 1);
        run("AWSEvents.PutTargets", put, strlen(put), &resp);
        check(resp.status == 200);
        check(strstr(resp.body.p, "\"FailedEntryCount\":0") != NULL);
        snprintf(put, n, "{\"Rule\":\"%s\"}", rule);
        run("AWSEvents.ListTargetsByRule", put, strlen(put), &resp);
        check(resp.status == 200 && resp.body.len == strlen(first) &&
              memcmp(resp.body.p, first, resp.body.len) == 0);
        free(put);
    }
    free(first);
    cm_buf_finish(&resp.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cm_api_resp resp = {0};
    struct cm_json_doc d;
    const char *target;
    const char *body;
    size_t op, len;
    char rule[CM_STORE_NAME_MAX + 1];

    if (size < 1) {
        return 0;
    }
    op = data[0] % (nroutes() + 1);
    target = op < nroutes() ? cm_api_json_routes[op].target : "AWSEvents.CreateEventBus";
    body = (const char *)data + 1;
    len = size - 1;
    cm_buf_init(&resp.body, 0);
    run(target, body, len, &resp);
    check(resp.body.len > 0);
    check(resp.content_type != NULL &&
          strcmp(resp.content_type, "application/x-amz-json-1.1") == 0);
    cm_json_doc_init(&d, 0, 0);
    check(cm_json_parse(&d, resp.body.p, resp.body.len, NULL) == 0);
    check(cm_json_type(&d, 0) == CM_JSON_OBJECT);
    check(fuzz_twice_ok(&d, body, len));
    if (resp.status == 200) {
        check(resp.error_type == NULL);
    } else {
        check(resp.error_type != NULL && resp.status == 400);
        check(cm_json_get(&d, 0, "message") != CM_JSON_NONE);
        check(cm_json_get(&d, 0, "__type") != CM_JSON_NONE);
    }
    if (op < nroutes() && strcmp(target, "AWSEvents.PutTargets") == 0 && resp.status == 200 &&
        strstr(resp.body.p, "\"FailedEntryCount\":0") != NULL &&
        rule_of(body, len, rule, sizeof(rule))) {
        roundtrip(rule);
    }
    cm_json_doc_finish(&d);
    cm_buf_finish(&resp.body);
    remove_all();
    return 0;
}
