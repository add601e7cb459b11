/*
 * EventBridge targets over the store's targets (api_events.h): the ARN
 * mapping between coalmine's target kinds and EventBridge's Target, and
 * PutTargets, RemoveTargets, ListTargetsByRule and ListRuleNamesByTarget.
 */
#include "api/api_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_input.h"
#include "api/api_target_guard.h"
#include "base/err.h"
#include "base/json.h"
#include "bus/target.h"
#include "store/store.h"

#define SPEC_NODES 8192
#define TARGETS_IN 10 /* Targets in one PutTargets (TargetList's max) */

/* ---- The ARN mapping ---- */

/* The short form's one member per kind: file path, webhook url, exec argv[0], kafka. */
static int short_spec(const char *kind, const char *rest, struct cm_buf *out, char *why,
                      size_t whylen)
{
    struct cm_jw jw;
    const char *slash;

    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    if (strcmp(kind, "file") == 0) {
        cm_jw_key(&jw, "path");
        cm_jw_str(&jw, rest);
    } else if (strcmp(kind, "webhook") == 0) {
        cm_jw_key(&jw, "url");
        cm_jw_str(&jw, rest);
    } else if (strcmp(kind, "exec") == 0) {
        cm_jw_key(&jw, "argv");
        cm_jw_arr_begin(&jw);
        cm_jw_str(&jw, rest);
        cm_jw_arr_end(&jw);
    } else if (strcmp(kind, "kafka") == 0) {
        if ((slash = strchr(rest, '/')) == NULL) {
            snprintf(why, whylen, "a kafka target ARN is arn:aws:coalmine:::kafka:BROKERS/TOPIC");
            return -1;
        }
        cm_jw_key(&jw, "brokers");
        cm_jw_strn(&jw, rest, (size_t)(slash - rest));
        cm_jw_key(&jw, "topic");
        cm_jw_str(&jw, slash + 1);
    }
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) != 0) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    return 0;
}

int cm_events_arn_parse(const char *arn, char *kind, size_t kindlen, struct cm_buf *spec, char *why,
                        size_t whylen)
{
    const struct cm_target_kind *k;
    const char *p, *colon, *rest;
    struct cm_buf tmp;
    char msg[400];
    int rc;

    if (strncmp(arn, CM_EVENTS_ARN_SERVICE, strlen(CM_EVENTS_ARN_SERVICE)) != 0) {
        snprintf(why, whylen,
                 "coalmine cannot deliver to %.200s: a target ARN is "
                 "arn:aws:coalmine:::KIND:SPEC with KIND file, webhook, exec or kafka "
                 "(docs/events-api.md)",
                 arn);
        return -1;
    }
    if (strncmp(arn, CM_EVENTS_ARN_PREFIX, strlen(CM_EVENTS_ARN_PREFIX)) != 0) {
        snprintf(why, whylen,
                 "%.200s: a coalmine target ARN has no region or account: "
                 "arn:aws:coalmine:::KIND:SPEC",
                 arn);
        return -1;
    }
    p = arn + strlen(CM_EVENTS_ARN_PREFIX);
    colon = strchr(p, ':');
    if (colon == NULL || colon == p || (size_t)(colon - p) >= kindlen) {
        snprintf(why, whylen, "%.200s: a target ARN is arn:aws:coalmine:::KIND:SPEC", arn);
        return -1;
    }
    memcpy(kind, p, (size_t)(colon - p));
    kind[colon - p] = '\0';
    if ((k = cm_target_kind(kind)) == NULL) {
        snprintf(why, whylen, "%.200s: no target kind '%.40s' (file, webhook, exec or kafka)", arn,
                 kind);
        return -1;
    }
    rest = colon + 1;
    if (*rest == '\0') {
        snprintf(why, whylen, "%.200s: nothing after arn:aws:coalmine:::%s:", arn, kind);
        return -1;
    }
    cm_buf_init(&tmp, 0);
    if (*rest != '{' && short_spec(kind, rest, &tmp, why, whylen) != 0) {
        cm_buf_finish(&tmp);
        return -1;
    }
    if (*rest == '{') {
        (void)cm_buf_puts(&tmp, rest);
    }
    cm_buf_reset(spec);
    rc = tmp.p != NULL ? k->check(tmp.p, tmp.len, spec, msg, sizeof(msg)) : CM_ENOMEM;
    cm_buf_finish(&tmp);
    if (rc != 0) {
        snprintf(why, whylen, "%.100s target spec: %s", kind,
                 rc == CM_ENOMEM ? "out of memory" : msg);
        return -1;
    }
    return 0;
}

static bool is_input_member(struct cm_str key)
{
    return cm_str_eqc(key, "input") || cm_str_eqc(key, "input_path") ||
           cm_str_eqc(key, "input_transformer");
}

/* Writes member (key node c, its value c + 1) of d into the open object of jw. */
static void copy_member(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t c)
{
    struct cm_str key = cm_json_raw(d, c);
    char k[256];

    if (key.len >= sizeof(k)) {
        jw->err = CM_E2BIG;
        return;
    }
    cm_jw_keyn(jw, k, cm_json_unescape(key.p, key.len, k));
    cm_jw_node(jw, d, c + 1);
}

/* The kind's members of a stored spec (input members dropped) into rest. 0 or -1. */
static int kind_part(const struct cm_json_doc *d, struct cm_buf *rest)
{
    struct cm_jw jw;

    cm_buf_reset(rest);
    cm_jw_init(&jw, rest);
    cm_jw_obj_begin(&jw);
    for (uint32_t c = cm_json_first(d, 0); c != CM_JSON_NONE; c = cm_json_next(d, 0, c + 1)) {
        struct cm_str key = cm_json_raw(d, c);
        if (is_input_member(key)) {
            continue;
        }
        copy_member(&jw, d, c);
    }
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? 0 : -1;
}

int cm_events_arn_of(const char *kind, const char *spec, struct cm_buf *out)
{
    struct cm_json_doc d;
    struct cm_buf rest, canon;
    char why[256], arn_short[2048];
    const char *shortv = NULL;
    char kafka[1024];
    uint32_t v;
    int rc = -1;

    cm_json_doc_init(&d, SPEC_NODES, 32);
    cm_buf_init(&rest, 0);
    cm_buf_init(&canon, 0);
    if (cm_json_parse(&d, spec, strlen(spec), NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT ||
        kind_part(&d, &rest) != 0) {
        goto done;
    }
    /* The short form's value, when the spec has the member it sets. */
    if (strcmp(kind, "file") == 0) {
        v = cm_json_get(&d, 0, "path");
    } else if (strcmp(kind, "webhook") == 0) {
        v = cm_json_get(&d, 0, "url");
    } else if (strcmp(kind, "exec") == 0) {
        v = cm_json_get(&d, 0, "argv");
        v = v != CM_JSON_NONE && cm_json_type(&d, v) == CM_JSON_ARRAY && cm_json_at(&d, v)->len == 1
                ? v + 1
                : CM_JSON_NONE;
    } else {
        v = CM_JSON_NONE;
        if (strcmp(kind, "kafka") == 0) {
            uint32_t b = cm_json_get(&d, 0, "brokers"), t = cm_json_get(&d, 0, "topic");
            if (b != CM_JSON_NONE && t != CM_JSON_NONE && cm_json_type(&d, b) == CM_JSON_STRING &&
                cm_json_type(&d, t) == CM_JSON_STRING &&
                cm_json_at(&d, b)->len + 2 + cm_json_at(&d, t)->len < sizeof(kafka)) {
                struct cm_str bs = cm_json_raw(&d, b), ts = cm_json_raw(&d, t);
                size_t n = cm_json_unescape(bs.p, bs.len, kafka);
                kafka[n++] = '/';
                kafka[n + cm_json_unescape(ts.p, ts.len, kafka + n)] = '\0';
                shortv = kafka;
            }
        }
    }
    if (v != CM_JSON_NONE && cm_json_type(&d, v) == CM_JSON_STRING &&
        cm_json_at(&d, v)->len < sizeof(kafka)) {
        struct cm_str s = cm_json_raw(&d, v);
        kafka[cm_json_unescape(s.p, s.len, kafka)] = '\0';
        shortv = kafka;
    }
    if (shortv != NULL && *shortv != '{' && strlen(shortv) == strcspn(shortv, "\n") &&
        (size_t)snprintf(arn_short, sizeof(arn_short), "%s%s:%s", CM_EVENTS_ARN_PREFIX, kind,
                         shortv) < sizeof(arn_short)) {
        char k2[32];
        if (cm_events_arn_parse(arn_short, k2, sizeof(k2), &canon, why, sizeof(why)) == 0 &&
            canon.len == rest.len && memcmp(canon.p, rest.p, rest.len) == 0) {
            cm_buf_reset(out);
            rc = cm_buf_puts(out, arn_short) == 0 ? 0 : -1;
            goto done;
        }
    }
    cm_buf_reset(out);
    rc = cm_buf_printf(out, "%s%s:", CM_EVENTS_ARN_PREFIX, kind) == 0 &&
                 cm_buf_append(out, rest.p, rest.len) == 0
             ? 0
             : -1;
done:
    cm_buf_finish(&rest);
    cm_buf_finish(&canon);
    cm_json_doc_finish(&d);
    return rc;
}

/* ---- The operations ---- */

/* A copy of one stored target. */
struct tcopy {
    char *rule, *id, *kind, *spec;
};

struct tlist {
    struct tcopy *v;
    size_t n, cap;
};

static int collect(void *ud, const struct cm_store_target *t)
{
    struct tlist *l = ud;
    struct tcopy *c;

    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void *v = realloc(l->v, cap * sizeof(*l->v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    c = &l->v[l->n++];
    *c = (struct tcopy){strdup(t->rule), strdup(t->id), strdup(t->kind), strdup(t->spec)};
    return c->rule && c->id && c->kind && c->spec ? CM_OK : CM_ENOMEM;
}

static void tlist_free(struct tlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].rule);
        free(l->v[i].id);
        free(l->v[i].kind);
        free(l->v[i].spec);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int rule_exists_cb(void *ud, const struct cm_store_rule *r)
{
    (void)r;
    *(bool *)ud = true;
    return CM_OK;
}

/* Rule and EventBusName members; the rule must exist. 0 or -1 with resp set. */
static int the_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_in *in,
                    struct cm_api_resp *resp, const char **rule)
{
    const char *bus;
    bool exists = false;
    char err[256];

    if (cm_api_in_str(in, resp, 0, "Rule", true, 1, CM_STORE_NAME_MAX, rule) != 0 ||
        cm_api_in_str(in, resp, 0, "EventBusName", false, 1, 1600, &bus) != 0 ||
        cm_events_bus_ok(ctx, req, bus, resp) != 0) {
        return -1;
    }
    if (!cm_store_name_ok(*rule)) {
        return cm_events_not_found_rule(resp, *rule);
    }
    if (cm_store_rules(ctx->store, *rule, rule_exists_cb, &exists, err, sizeof(err)) != 0) {
        return cm_api_error(resp, 500, "InternalException", NULL, err);
    }
    return exists ? 0 : cm_events_not_found_rule(resp, *rule);
}

/* One failed entry of PutTargets / RemoveTargets. */
static void failed(struct cm_jw *jw, const char *id, const char *code, const char *msg)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "TargetId");
    cm_jw_str(jw, id != NULL ? id : "");
    cm_jw_key(jw, "ErrorCode");
    cm_jw_str(jw, code);
    cm_jw_key(jw, "ErrorMessage");
    cm_jw_str(jw, msg);
    cm_jw_obj_end(jw);
}

/*
 * The stored spec of target element t: the ARN's kind spec with the input members of
 * Input, InputPath and InputTransformer added, checked by cm_target_check. 0, or -1 with
 * why set.
 */
static int target_spec(const struct cm_api_ctx *ctx, struct cm_api_in *in, uint32_t t, char *kind,
                       size_t kindlen, struct cm_buf *spec, char *why, size_t whylen, bool *denied)
{
    const struct cm_json_doc *d = &in->d;
    uint32_t arn = cm_json_get(d, t, "Arn"), input = cm_json_get(d, t, "Input"),
             path = cm_json_get(d, t, "InputPath"), tf = cm_json_get(d, t, "InputTransformer");
    struct cm_buf base, full;
    struct cm_json_doc bd;
    char arns[1601];
    struct cm_str raw;
    struct cm_jw jw;
    int rc = -1, given = 0;

    cm_buf_init(&base, 0);
    cm_buf_init(&full, 0);
    cm_json_doc_init(&bd, SPEC_NODES, 32);
    if (arn == CM_JSON_NONE || cm_json_type(d, arn) != CM_JSON_STRING) {
        snprintf(why, whylen, "Arn is required and must be a string");
        goto done;
    }
    raw = cm_json_raw(d, arn);
    if (raw.len == 0 || raw.len >= sizeof(arns)) {
        snprintf(why, whylen, "Arn must be 1 to 1600 characters");
        goto done;
    }
    arns[cm_json_unescape(raw.p, raw.len, arns)] = '\0';
    if (strlen(arns) != cm_json_unescape(raw.p, raw.len, arns)) {
        snprintf(why, whylen, "Arn holds a NUL character");
        goto done;
    }
    if (cm_events_arn_parse(arns, kind, kindlen, &base, why, whylen) != 0) {
        goto done;
    }
    given = (input != CM_JSON_NONE && cm_json_type(d, input) != CM_JSON_NULL) +
            (path != CM_JSON_NONE && cm_json_type(d, path) != CM_JSON_NULL) +
            (tf != CM_JSON_NONE && cm_json_type(d, tf) != CM_JSON_NULL);
    if (given > 1) {
        snprintf(why, whylen,
                 "Only one of Input, InputPath, or InputTransformer must be provided.");
        goto done;
    }
    /* The kind's members of base, then the input member. */
    if (cm_json_parse(&bd, base.p, base.len, NULL) != 0) {
        snprintf(why, whylen, "out of memory");
        goto done;
    }
    cm_jw_init(&jw, &full);
    cm_jw_obj_begin(&jw);
    for (uint32_t c = cm_json_first(&bd, 0); c != CM_JSON_NONE; c = cm_json_next(&bd, 0, c + 1)) {
        copy_member(&jw, &bd, c);
    }
    if (given == 1) {
        uint32_t v = input != CM_JSON_NONE && cm_json_type(d, input) != CM_JSON_NULL ? input
                     : path != CM_JSON_NONE && cm_json_type(d, path) != CM_JSON_NULL ? path
                                                                                     : tf;
        if (v == tf) {
            uint32_t map = cm_json_get(d, tf, "InputPathsMap");
            uint32_t tpl = cm_json_get(d, tf, "InputTemplate");
            if (cm_json_type(d, tf) != CM_JSON_OBJECT || tpl == CM_JSON_NONE) {
                snprintf(why, whylen, "InputTransformer: InputTemplate is required");
                goto done;
            }
            cm_jw_key(&jw, "input_transformer");
            cm_jw_obj_begin(&jw);
            if (map != CM_JSON_NONE && cm_json_type(d, map) != CM_JSON_NULL) {
                cm_jw_key(&jw, "input_paths_map");
                cm_jw_node(&jw, d, map);
            }
            cm_jw_key(&jw, "input_template");
            cm_jw_node(&jw, d, tpl);
            cm_jw_obj_end(&jw);
        } else {
            cm_jw_key(&jw, v == input ? "input" : "input_path");
            cm_jw_node(&jw, d, v);
        }
    }
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) != 0) {
        snprintf(why, whylen, "out of memory");
        goto done;
    }
    cm_buf_reset(spec);
    if (cm_target_check(cm_target_kind(kind), full.p, full.len, spec, why, whylen) != 0 ||
        cm_buf_putc(spec, '\0') != 0) {
        goto done;
    }
    /* Through the API, a target is what the operator's api.targets allow (api_target_guard.h). */
    if (cm_api_target_guard(ctx->targets, kind, spec->p, why, whylen) != 0) {
        *denied = true;
        goto done;
    }
    rc = 0;
done:
    cm_buf_finish(&base);
    cm_buf_finish(&full);
    cm_json_doc_finish(&bd);
    return rc;
}

/* Whether id is among l's targets. */
static bool has_id(const struct tlist *l, const char *id)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].id, id) == 0) {
            return true;
        }
    }
    return false;
}

int cm_events_put_targets(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct tlist have = {0};
    struct cm_buf specs[TARGETS_IN], fails;
    struct {
        const char *id; /* NULL: refused */
        char kind[32];
    } ok[TARGETS_IN];
    const char *rule;
    uint32_t list;
    size_t nnew = 0, nfail = 0, n = 0, i = 0;
    char err[512], msg[600];
    struct cm_jw jw, fj;
    int rc = -1;

    for (size_t k = 0; k < TARGETS_IN; k++) {
        cm_buf_init(&specs[k], 0);
    }
    cm_buf_init(&fails, 0);
    if (cm_api_in_parse(&in, req, resp) != 0 || the_rule(ctx, req, &in, resp, &rule) != 0 ||
        cm_api_in_node(&in, resp, 0, "Targets", true, CM_JSON_ARRAY, &list) != 0) {
        goto done;
    }
    n = cm_json_at(&in.d, list)->len;
    if (n == 0 || n > TARGETS_IN) {
        cm_events_validation(resp, "Targets must hold 1 to 10 targets.");
        goto done;
    }
    if (cm_store_targets(ctx->store, rule, collect, &have, err, sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    /* Each entry checked first: the limit is on the rule's targets after the call. */
    cm_jw_init(&fj, &fails);
    cm_jw_arr_begin(&fj);
    for (uint32_t t = cm_json_first(&in.d, list); t != CM_JSON_NONE;
         t = cm_json_next(&in.d, list, t), i++) {
        ok[i].id = NULL;
        if (cm_json_type(&in.d, t) != CM_JSON_OBJECT) {
            cm_api_in_bad(&in, resp, "Targets", t, "each target must be an object");
            goto done;
        }
        if (cm_api_in_str(&in, resp, t, "Id", true, 1, CM_STORE_NAME_MAX, &ok[i].id) != 0) {
            goto done;
        }
        if (!cm_store_name_ok(ok[i].id)) {
            failed(&fj, ok[i].id, "ValidationException", "Id must be 1 to 64 of [.-_A-Za-z0-9]");
            ok[i].id = NULL;
            nfail++;
            continue;
        }
        bool denied = false;
        if (target_spec(ctx, &in, t, ok[i].kind, sizeof(ok[i].kind), &specs[i], msg, sizeof(msg),
                        &denied) != 0) {
            failed(&fj, ok[i].id, denied ? "AccessDeniedException" : "ValidationException", msg);
            ok[i].id = NULL;
            nfail++;
            continue;
        }
        /* A new id, not earlier in this request either. */
        bool seen = has_id(&have, ok[i].id);
        for (size_t j = 0; j < i && !seen; j++) {
            seen = ok[j].id != NULL && strcmp(ok[j].id, ok[i].id) == 0;
        }
        nnew += !seen;
    }
    if (have.n + nnew > CM_STORE_TARGETS_MAX) {
        snprintf(msg, sizeof(msg),
                 "The requested resource exceeds the maximum number allowed: a rule has at "
                 "most %d targets (it has %zu, the request adds %zu).",
                 CM_STORE_TARGETS_MAX, have.n, nnew);
        cm_api_error(resp, 400, "LimitExceededException", NULL, msg);
        goto done;
    }
    for (size_t k = 0; k < i; k++) {
        struct cm_store_target st = {rule, ok[k].id, ok[k].kind, specs[k].p};
        if (ok[k].id == NULL) {
            continue;
        }
        if (cm_store_target_put(ctx->store, &st, err, sizeof(err)) != 0) {
            failed(&fj, ok[k].id, "InternalException", err);
            nfail++;
        }
    }
    cm_jw_arr_end(&fj);
    if (cm_jw_finish(&fj) != 0) {
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "FailedEntryCount");
    cm_jw_u64(&jw, nfail);
    cm_jw_key(&jw, "FailedEntries");
    cm_jw_raw(&jw, fails.p, fails.len);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    tlist_free(&have);
    for (size_t k = 0; k < TARGETS_IN; k++) {
        cm_buf_finish(&specs[k]);
    }
    cm_buf_finish(&fails);
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_remove_targets(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                             struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    const char *rule, **ids;
    size_t nids, nfail = 0;
    bool force, given;
    char err[256];
    struct cm_jw jw;
    int rc = -1;

    if (cm_api_in_parse(&in, req, resp) != 0 || the_rule(ctx, req, &in, resp, &rule) != 0 ||
        cm_api_in_strs(&in, resp, 0, "Ids", true, 1, 100, CM_STORE_NAME_MAX, &ids, &nids) != 0 ||
        cm_api_in_bool(&in, resp, 0, "Force", false, &given, &force) != 0) {
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "FailedEntries");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < nids; i++) {
        int src = cm_store_name_ok(ids[i])
                      ? cm_store_target_remove(ctx->store, rule, ids[i], err, sizeof(err))
                      : CM_ENOTFOUND;
        /* An id the rule does not have is removed already, as EventBridge answers. */
        if (src != 0 && src != CM_ENOTFOUND) {
            failed(&jw, ids[i], "InternalException", err);
            nfail++;
        }
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "FailedEntryCount");
    cm_jw_u64(&jw, nfail);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    cm_api_in_finish(&in);
    return rc;
}

/* Writes one Target (Id, Arn and the input members) of stored target t. 0 or -1. */
static int write_target(struct cm_jw *jw, const struct tcopy *t, struct cm_buf *arn)
{
    struct cm_json_doc d;
    uint32_t v;
    int rc = -1;

    cm_json_doc_init(&d, SPEC_NODES, 32);
    if (cm_events_arn_of(t->kind, t->spec, arn) != 0 ||
        cm_json_parse(&d, t->spec, strlen(t->spec), NULL) != 0) {
        goto done;
    }
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "Id");
    cm_jw_str(jw, t->id);
    cm_jw_key(jw, "Arn");
    cm_jw_strn(jw, arn->p, arn->len);
    if ((v = cm_json_get(&d, 0, "input")) != CM_JSON_NONE) {
        cm_jw_key(jw, "Input");
        cm_jw_node(jw, &d, v);
    }
    if ((v = cm_json_get(&d, 0, "input_path")) != CM_JSON_NONE) {
        cm_jw_key(jw, "InputPath");
        cm_jw_node(jw, &d, v);
    }
    if ((v = cm_json_get(&d, 0, "input_transformer")) != CM_JSON_NONE) {
        uint32_t map = cm_json_get(&d, v, "input_paths_map");
        uint32_t tpl = cm_json_get(&d, v, "input_template");
        cm_jw_key(jw, "InputTransformer");
        cm_jw_obj_begin(jw);
        if (map != CM_JSON_NONE) {
            cm_jw_key(jw, "InputPathsMap");
            cm_jw_node(jw, &d, map);
        }
        if (tpl != CM_JSON_NONE) {
            cm_jw_key(jw, "InputTemplate");
            cm_jw_node(jw, &d, tpl);
        }
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
    rc = 0;
done:
    cm_json_doc_finish(&d);
    return rc;
}

/* Limit (1-100) and NextToken (an index into the list, as text). 0 or -1. */
static int page(struct cm_api_in *in, struct cm_api_resp *resp, size_t *limit, size_t *from)
{
    int64_t lim = CM_EVENTS_LIST_MAX;
    const char *token;
    char *end;
    unsigned long long f;

    if (cm_api_in_int(in, resp, 0, "Limit", 1, CM_EVENTS_LIST_MAX, &lim) != 0 ||
        cm_api_in_str(in, resp, 0, "NextToken", false, 1, 2048, &token) != 0) {
        return -1;
    }
    *limit = (size_t)lim;
    *from = 0;
    if (token != NULL) {
        f = strtoull(token, &end, 10);
        if (*end != '\0' || token[0] < '0' || token[0] > '9' || f > 1000000) {
            return cm_events_validation(resp, "The NextToken is not valid.");
        }
        *from = (size_t)f;
    }
    return 0;
}

int cm_events_list_targets_by_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                   struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct tlist l = {0};
    struct cm_buf arn;
    const char *rule;
    size_t limit, from;
    char err[256];
    struct cm_jw jw;
    int rc = -1;

    cm_buf_init(&arn, 0);
    if (cm_api_in_parse(&in, req, resp) != 0 || the_rule(ctx, req, &in, resp, &rule) != 0 ||
        page(&in, resp, &limit, &from) != 0) {
        goto done;
    }
    if (cm_store_targets(ctx->store, rule, collect, &l, err, sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "Targets");
    cm_jw_arr_begin(&jw);
    for (size_t i = from; i < l.n && i < from + limit; i++) {
        if (write_target(&jw, &l.v[i], &arn) != 0) {
            goto done;
        }
    }
    cm_jw_arr_end(&jw);
    if (from + limit < l.n) {
        char tok[32];
        snprintf(tok, sizeof(tok), "%zu", from + limit);
        cm_jw_key(&jw, "NextToken");
        cm_jw_str(&jw, tok);
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    tlist_free(&l);
    cm_buf_finish(&arn);
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_list_rule_names_by_target(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                        struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct tlist l = {0};
    struct cm_buf want, mine, arn;
    const char *target, *bus, *last = NULL;
    char kind[32], why[512], err[256];
    size_t limit, from, seen = 0, out = 0;
    bool more = false;
    struct cm_jw jw;
    int rc = -1;

    cm_buf_init(&want, 0);
    cm_buf_init(&mine, 0);
    cm_buf_init(&arn, 0);
    if (cm_api_in_parse(&in, req, resp) != 0 ||
        cm_api_in_str(&in, resp, 0, "TargetArn", true, 1, 1600, &target) != 0 ||
        cm_api_in_str(&in, resp, 0, "EventBusName", false, 1, 1600, &bus) != 0 ||
        cm_events_bus_ok(ctx, req, bus, resp) != 0 || page(&in, resp, &limit, &from) != 0) {
        goto done;
    }
    /* The target as coalmine names it (either form); an ARN of no coalmine target has no rules. */
    if (cm_events_arn_parse(target, kind, sizeof(kind), &want, why, sizeof(why)) != 0) {
        kind[0] = '\0';
    }
    if (cm_store_targets(ctx->store, NULL, collect, &l, err, sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "RuleNames");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; kind[0] != '\0' && i < l.n; i++) {
        struct cm_json_doc d;
        bool same;
        if (strcmp(l.v[i].kind, kind) != 0 || (last != NULL && strcmp(last, l.v[i].rule) == 0)) {
            continue;
        }
        cm_json_doc_init(&d, SPEC_NODES, 32);
        same = cm_json_parse(&d, l.v[i].spec, strlen(l.v[i].spec), NULL) == 0 &&
               kind_part(&d, &mine) == 0 && mine.len == want.len &&
               memcmp(mine.p, want.p, want.len) == 0;
        cm_json_doc_finish(&d);
        if (!same) {
            continue;
        }
        last = l.v[i].rule;
        if (seen++ < from) {
            continue;
        }
        if (out == limit) {
            more = true;
            break;
        }
        cm_jw_str(&jw, l.v[i].rule);
        out++;
    }
    cm_jw_arr_end(&jw);
    if (more) {
        char tok[32];
        snprintf(tok, sizeof(tok), "%zu", from + limit);
        cm_jw_key(&jw, "NextToken");
        cm_jw_str(&jw, tok);
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    tlist_free(&l);
    cm_buf_finish(&want);
    cm_buf_finish(&mine);
    cm_buf_finish(&arn);
    cm_api_in_finish(&in);
    return rc;
}
