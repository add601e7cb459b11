/*
 * EventBridge rules over the store's rules (api_events.h): PutRule,
 * DescribeRule, ListRules, DeleteRule, EnableRule, DisableRule,
 * TestEventPattern and the tags of a rule.
 */
#include "api/api_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_input.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "route/pattern.h"
#include "route/schedule.h"
#include "store/store.h"

#define RULE_MAX_DESC    512
#define RULE_MAX_PATTERN 4096
#define TAGS_MAX         50

int cm_events_not_found_rule(struct cm_api_resp *resp, const char *name)
{
    char msg[200];

    snprintf(msg, sizeof(msg), "Rule %s does not exist on EventBus default.", name);
    return cm_api_error(resp, 400, "ResourceNotFoundException", NULL, msg);
}

int cm_events_validation(struct cm_api_resp *resp, const char *message)
{
    return cm_api_error(resp, 400, "ValidationException", NULL, message);
}

void cm_events_rule_arn(const struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "arn:aws:events:%s:%s:rule/%s",
             req->region != NULL ? req->region : ctx->region, ctx->account, name);
}

int cm_events_bus_ok(struct cm_api_ctx *ctx, const struct cm_api_req *req, const char *bus,
                     struct cm_api_resp *resp)
{
    char arn[256], msg[400];

    snprintf(arn, sizeof(arn), "arn:aws:events:%s:%s:event-bus/default",
             req->region != NULL ? req->region : ctx->region, ctx->account);
    if (bus == NULL || strcmp(bus, "default") == 0 || strcmp(bus, arn) == 0) {
        return 0;
    }
    snprintf(msg, sizeof(msg), "Event bus %.256s does not exist.", bus);
    return cm_api_error(resp, 400, "ResourceNotFoundException", NULL, msg);
}

/* A rule name member (RuleName: 1-64 of [.-_A-Za-z0-9]). */
static int rule_name(struct cm_api_in *in, struct cm_api_resp *resp, const char *member,
                     const char **out)
{
    char msg[400];

    if (cm_api_in_str(in, resp, 0, member, true, 1, CM_STORE_NAME_MAX, out) != 0) {
        return -1;
    }
    if (!cm_store_name_ok(*out)) {
        snprintf(msg, sizeof(msg),
                 "1 validation error detected: Value '%.64s' at '%s' failed to satisfy "
                 "constraint: Member must satisfy regular expression pattern: "
                 "[\\.\\-_A-Za-z0-9]+",
                 *out, member);
        return cm_events_validation(resp, msg);
    }
    return 0;
}

/* A copy of one stored rule. */
struct rcopy {
    char *name, *pattern, *description, *schedule;
    bool enabled;
};

struct rlist {
    struct rcopy *v;
    size_t n, cap;
    const char *prefix; /* NULL: all */
    const char *after;  /* NULL: from the first */
};

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int collect(void *ud, const struct cm_store_rule *r)
{
    struct rlist *l = ud;
    struct rcopy *c;

    if (l->prefix != NULL && strncmp(r->name, l->prefix, strlen(l->prefix)) != 0) {
        return CM_OK;
    }
    if (l->after != NULL && strcmp(r->name, l->after) <= 0) {
        return CM_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        void *v = realloc(l->v, cap * sizeof(*l->v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    c = &l->v[l->n++];
    *c = (struct rcopy){strdup(r->name), strdup(r->pattern), dup_or_null(r->description),
                        dup_or_null(r->schedule), r->enabled};
    if (c->name == NULL || c->pattern == NULL || (r->description != NULL && !c->description) ||
        (r->schedule != NULL && !c->schedule)) {
        return CM_ENOMEM;
    }
    return CM_OK;
}

static void rlist_free(struct rlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].pattern);
        free(l->v[i].description);
        free(l->v[i].schedule);
    }
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int rcmp(const void *a, const void *b)
{
    return strcmp(((const struct rcopy *)a)->name, ((const struct rcopy *)b)->name);
}

/* The rules (by name, after prefix/after filters) into l. 0 or -1 with resp set. */
static int load_rules(struct cm_api_ctx *ctx, const char *name, struct rlist *l,
                      struct cm_api_resp *resp)
{
    char err[256];

    if (cm_store_rules(ctx->store, name, collect, l, err, sizeof(err)) != 0) {
        return cm_api_error(resp, 500, "InternalException", NULL, err);
    }
    if (l->n > 1) {
        qsort(l->v, l->n, sizeof(*l->v), rcmp);
    }
    return 0;
}

/* The members of one rule (Rule / DescribeRuleResponse). */
static void write_rule(struct cm_jw *jw, struct cm_api_ctx *ctx, const struct cm_api_req *req,
                       const struct rcopy *r, bool describe)
{
    char arn[300];

    cm_events_rule_arn(ctx, req, r->name, arn, sizeof(arn));
    cm_jw_key(jw, "Name");
    cm_jw_str(jw, r->name);
    cm_jw_key(jw, "Arn");
    cm_jw_str(jw, arn);
    if (r->schedule == NULL) {
        cm_jw_key(jw, "EventPattern");
        cm_jw_str(jw, r->pattern);
    } else {
        cm_jw_key(jw, "ScheduleExpression");
        cm_jw_str(jw, r->schedule);
    }
    cm_jw_key(jw, "State");
    cm_jw_str(jw, r->enabled ? "ENABLED" : "DISABLED");
    if (r->description != NULL) {
        cm_jw_key(jw, "Description");
        cm_jw_str(jw, r->description);
    }
    cm_jw_key(jw, "EventBusName");
    cm_jw_str(jw, "default");
    if (describe) {
        cm_jw_key(jw, "CreatedBy");
        cm_jw_str(jw, ctx->account);
    }
}

/* The tags key of a rule in the store's api_tags. */
static void tags_key(const char *name, char *out, size_t outlen)
{
    snprintf(out, outlen, "events-rule/%s", name);
}

/* Checks pattern text; -1 with InvalidEventPatternException in resp when it is not one. */
static int pattern_check(const char *pattern, struct cm_api_resp *resp)
{
    struct cm_pattern *p = NULL;
    struct cm_diag diag = {0};
    char msg[600];
    int rc;

    if (strlen(pattern) > RULE_MAX_PATTERN) {
        return cm_api_error(resp, 400, "InvalidEventPatternException", NULL,
                            "Event pattern is not valid. Reason: longer than 4096 bytes");
    }
    rc = cm_pattern_compile(pattern, strlen(pattern), &p, &diag);
    cm_pattern_destroy(p);
    if (rc == CM_ENOMEM) {
        return -1;
    }
    if (rc != 0) {
        snprintf(msg, sizeof(msg), "Event pattern is not valid. Reason: %s (byte %zu)",
                 diag.msg[0] ? diag.msg : cm_strerror(rc), (size_t)diag.offset);
        return cm_api_error(resp, 400, "InvalidEventPatternException", NULL, msg);
    }
    return 0;
}

/* Whether rule name exists; its copy in *l (l->n 1) when it does. -1: resp set. */
static int find_rule(struct cm_api_ctx *ctx, const char *name, struct rlist *l,
                     struct cm_api_resp *resp)
{
    if (load_rules(ctx, name, l, resp) != 0) {
        return -1;
    }
    return l->n > 0;
}

/* Tags [{Key, Value}] of the body into a JSON object merged over old. 0 or -1. */
static int tags_merge(struct cm_api_in *in, struct cm_api_resp *resp, uint32_t list,
                      const char *old, const char *const *remove, size_t nremove,
                      struct cm_buf *out)
{
    struct cm_json_doc od;
    struct {
        char *k, *v;
    } t[TAGS_MAX + 1];
    size_t n = 0;
    int rc = -1;
    struct cm_jw jw;

    cm_json_doc_init(&od, 4096, 8);
    if (old != NULL && cm_json_parse(&od, old, strlen(old), NULL) == 0 &&
        cm_json_type(&od, 0) == CM_JSON_OBJECT) {
        for (uint32_t c = cm_json_first(&od, 0); c != CM_JSON_NONE && n < TAGS_MAX;
             c = cm_json_next(&od, 0, c + 1)) {
            struct cm_str k = cm_json_raw(&od, c), v = cm_json_raw(&od, c + 1);
            bool drop = false;
            t[n].k = malloc(k.len + 1);
            t[n].v = malloc(v.len + 1);
            if (t[n].k == NULL || t[n].v == NULL) {
                free(t[n].k);
                free(t[n].v);
                goto done;
            }
            t[n].k[cm_json_unescape(k.p, k.len, t[n].k)] = '\0';
            t[n].v[cm_json_unescape(v.p, v.len, t[n].v)] = '\0';
            for (size_t i = 0; i < nremove; i++) {
                drop = drop || strcmp(remove[i], t[n].k) == 0;
            }
            if (drop) {
                free(t[n].k);
                free(t[n].v);
            } else {
                n++;
            }
        }
    }
    for (uint32_t e = list == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(&in->d, list);
         e != CM_JSON_NONE; e = cm_json_next(&in->d, list, e)) {
        const char *k, *v;
        size_t i;
        if (cm_json_type(&in->d, e) != CM_JSON_OBJECT) {
            cm_api_in_bad(in, resp, "Tags", e, "each tag must be an object {Key, Value}");
            goto done;
        }
        if (cm_api_in_str(in, resp, e, "Key", true, 1, 128, &k) != 0 ||
            cm_api_in_str(in, resp, e, "Value", true, 0, 256, &v) != 0) {
            goto done;
        }
        if (strncmp(k, "aws:", 4) == 0) {
            cm_events_validation(resp, "Tag keys may not start with 'aws:'.");
            goto done;
        }
        for (i = 0; i < n && strcmp(t[i].k, k) != 0; i++) {
        }
        if (i == n && n == TAGS_MAX) {
            cm_api_error(resp, 400, "LimitExceededException", NULL,
                         "A resource can have at most 50 tags.");
            goto done;
        }
        if (i == n) {
            t[n].k = strdup(k);
            t[n].v = NULL;
            n++;
            if (t[i].k == NULL) {
                goto done;
            }
        }
        free(t[i].v);
        if ((t[i].v = strdup(v)) == NULL) {
            goto done;
        }
    }
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_key(&jw, t[i].k);
        cm_jw_str(&jw, t[i].v);
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    for (size_t i = 0; i < n; i++) {
        free(t[i].k);
        free(t[i].v);
    }
    cm_json_doc_finish(&od);
    return rc;
}

/* Sets the tags of rule name: list merged over the stored ones, minus remove. */
static int tags_update(struct cm_api_ctx *ctx, struct cm_api_in *in, struct cm_api_resp *resp,
                       const char *name, uint32_t list, const char *const *remove, size_t nremove)
{
    char key[100], err[256], *old = NULL;
    struct cm_buf out;
    int rc = -1;

    tags_key(name, key, sizeof(key));
    cm_buf_init(&out, 0);
    if (cm_store_tags_get(ctx->store, key, &old) != 0) {
        goto done;
    }
    if (tags_merge(in, resp, list, old, remove, nremove, &out) != 0) {
        goto done;
    }
    if (cm_store_tags_set(ctx->store, key, out.p, err, sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    rc = 0;
done:
    cm_free(old);
    cm_buf_finish(&out);
    return rc;
}

int cm_events_put_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                       struct cm_api_resp *resp)
{
    static const char *const states[] = {"ENABLED", "DISABLED",
                                         "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", NULL};
    struct cm_api_in in = {0};
    const char *name, *pattern, *sched, *state, *desc, *bus, *role;
    struct rlist old = {0};
    struct cm_store_rule r = {0};
    struct cm_schedule s;
    struct cm_diag diag = {0};
    uint32_t tags = CM_JSON_NONE;
    char err[512], arn[300];
    int rc = -1, exists, src;
    struct cm_jw jw;

    if (cm_api_in_parse(&in, req, resp) != 0 || rule_name(&in, resp, "Name", &name) != 0 ||
        cm_api_in_str(&in, resp, 0, "EventPattern", false, 0, RULE_MAX_PATTERN, &pattern) != 0 ||
        cm_api_in_str(&in, resp, 0, "ScheduleExpression", false, 0, 256, &sched) != 0 ||
        cm_api_in_enum(&in, resp, 0, "State", false, states, &state) != 0 ||
        cm_api_in_str(&in, resp, 0, "Description", false, 0, RULE_MAX_DESC, &desc) != 0 ||
        cm_api_in_str(&in, resp, 0, "RoleArn", false, 1, 1600, &role) != 0 ||
        cm_api_in_str(&in, resp, 0, "EventBusName", false, 1, 1600, &bus) != 0 ||
        cm_api_in_node(&in, resp, 0, "Tags", false, CM_JSON_ARRAY, &tags) != 0 ||
        cm_events_bus_ok(ctx, req, bus, resp) != 0) {
        goto done;
    }
    if (pattern != NULL && *pattern == '\0') {
        pattern = NULL;
    }
    if (sched != NULL && *sched == '\0') {
        sched = NULL;
    }
    if (pattern == NULL && sched == NULL) {
        cm_events_validation(resp,
                             "Parameter(s) EventPattern or ScheduleExpression must be specified.");
        goto done;
    }
    if (pattern != NULL && sched != NULL) {
        cm_events_validation(resp, "coalmine: a rule has an EventPattern or a ScheduleExpression, "
                                   "not both (docs/events-api.md).");
        goto done;
    }
    if (pattern != NULL && pattern_check(pattern, resp) != 0) {
        goto done;
    }
    if (sched != NULL && cm_schedule_parse(sched, strlen(sched), &s, &diag) != 0) {
        snprintf(err, sizeof(err), "Parameter ScheduleExpression is not valid: %s", diag.msg);
        cm_events_validation(resp, err);
        goto done;
    }
    if ((exists = find_rule(ctx, name, &old, resp)) < 0) {
        goto done;
    }
    r.name = name;
    r.pattern = pattern != NULL ? pattern : "";
    r.schedule = sched;
    r.description = desc;
    /* A new rule is ENABLED unless said; an update keeps its state unless said. */
    r.enabled = state != NULL ? strcmp(state, "DISABLED") != 0 : exists ? old.v[0].enabled : true;
    r.fired_ms = req->now_ms;
    src = cm_store_rule_put(ctx->store, &r, err, sizeof(err));
    if (src == CM_EFULL) {
        cm_api_error(resp, 400, "LimitExceededException", NULL,
                     "The requested resource exceeds the maximum number allowed (300 rules).");
        goto done;
    }
    if (src != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    if (tags != CM_JSON_NONE && tags_update(ctx, &in, resp, name, tags, NULL, 0) != 0) {
        goto done;
    }
    cm_events_rule_arn(ctx, req, name, arn, sizeof(arn));
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "RuleArn");
    cm_jw_str(&jw, arn);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    rlist_free(&old);
    cm_api_in_finish(&in);
    return rc;
}

/* Name and EventBusName of a request about one rule; 0, -1 resp set. */
static int one_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_in *in,
                    struct cm_api_resp *resp, const char **name)
{
    const char *bus;

    if (cm_api_in_parse(in, req, resp) != 0 || rule_name(in, resp, "Name", name) != 0 ||
        cm_api_in_str(in, resp, 0, "EventBusName", false, 1, 1600, &bus) != 0 ||
        cm_events_bus_ok(ctx, req, bus, resp) != 0) {
        return -1;
    }
    return 0;
}

int cm_events_describe_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                            struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct rlist l = {0};
    const char *name;
    struct cm_jw jw;
    int rc = -1, found;

    if (one_rule(ctx, req, &in, resp, &name) != 0 || (found = find_rule(ctx, name, &l, resp)) < 0) {
        goto done;
    }
    if (!found) {
        cm_events_not_found_rule(resp, name);
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    write_rule(&jw, ctx, req, &l.v[0], true);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    rlist_free(&l);
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_list_rules(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                         struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    struct rlist l = {0};
    const char *bus, *token;
    int64_t limit = CM_EVENTS_LIST_MAX;
    struct cm_jw jw;
    size_t n;
    int rc = -1;

    if (cm_api_in_parse(&in, req, resp) != 0 ||
        cm_api_in_str(&in, resp, 0, "NamePrefix", false, 1, CM_STORE_NAME_MAX, &l.prefix) != 0 ||
        cm_api_in_str(&in, resp, 0, "EventBusName", false, 1, 1600, &bus) != 0 ||
        cm_api_in_str(&in, resp, 0, "NextToken", false, 1, 2048, &token) != 0 ||
        cm_api_in_int(&in, resp, 0, "Limit", 1, CM_EVENTS_LIST_MAX, &limit) != 0 ||
        cm_events_bus_ok(ctx, req, bus, resp) != 0) {
        goto done;
    }
    l.after = token; /* the token is the last name of the page before */
    if (load_rules(ctx, NULL, &l, resp) != 0) {
        goto done;
    }
    n = l.n < (size_t)limit ? l.n : (size_t)limit;
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "Rules");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < n; i++) {
        cm_jw_obj_begin(&jw);
        write_rule(&jw, ctx, req, &l.v[i], false);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    if (n < l.n) {
        cm_jw_key(&jw, "NextToken");
        cm_jw_str(&jw, l.v[n - 1].name);
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    rlist_free(&l);
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_delete_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    const char *name;
    bool force = false, given;
    char err[256], key[100];
    int rc = -1, src;

    if (one_rule(ctx, req, &in, resp, &name) != 0 ||
        cm_api_in_bool(&in, resp, 0, "Force", false, &given, &force) != 0) {
        goto done;
    }
    src = cm_store_rule_delete(ctx->store, name, force, err, sizeof(err));
    if (src == CM_EEXIST) {
        cm_events_validation(resp, "Rule can't be deleted since it has targets.");
        goto done;
    }
    if (src != 0 && src != CM_ENOTFOUND) { /* deleting no rule succeeds, as EventBridge's */
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    tags_key(name, key, sizeof(key));
    if (src == 0 && cm_store_tags_set(ctx->store, key, NULL, err, sizeof(err)) != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    rc = cm_api_in_empty(resp);
done:
    cm_api_in_finish(&in);
    return rc;
}

static int set_enabled(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                       struct cm_api_resp *resp, bool enabled)
{
    struct cm_api_in in = {0};
    const char *name;
    char err[256];
    int rc = -1, src;

    if (one_rule(ctx, req, &in, resp, &name) != 0) {
        goto done;
    }
    src = cm_store_rule_enable(ctx->store, name, enabled, err, sizeof(err));
    if (src == CM_ENOTFOUND) {
        cm_events_not_found_rule(resp, name);
        goto done;
    }
    if (src != 0) {
        cm_api_error(resp, 500, "InternalException", NULL, err);
        goto done;
    }
    rc = cm_api_in_empty(resp);
done:
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_enable_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                          struct cm_api_resp *resp)
{
    return set_enabled(ctx, req, resp, true);
}

int cm_events_disable_rule(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp)
{
    return set_enabled(ctx, req, resp, false);
}

/* The envelope members TestEventPattern requires of an event, as EventBridge does. */
static const char *const event_required[] = {"id",     "account",   "source",     "time",
                                             "region", "resources", "detail-type"};

int cm_events_test_event_pattern(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                                 struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    const char *pattern, *event;
    struct cm_pattern *p = NULL;
    struct cm_json_doc ev;
    struct cm_diag diag = {0};
    char msg[600];
    bool matched = false;
    struct cm_jw jw;
    int rc = -1, prc;

    (void)ctx;
    cm_json_doc_init(&ev, CM_API_IN_MAX_NODES, CM_PATTERN_JSON_DEPTH);
    if (cm_api_in_parse(&in, req, resp) != 0 ||
        cm_api_in_str(&in, resp, 0, "EventPattern", true, 1, RULE_MAX_PATTERN, &pattern) != 0 ||
        cm_api_in_str(&in, resp, 0, "Event", true, 1, CM_API_MAX_BODY, &event) != 0 ||
        pattern_check(pattern, resp) != 0) {
        goto done;
    }
    if (cm_json_parse(&ev, event, strlen(event), &diag) != 0) {
        snprintf(msg, sizeof(msg), "Parameter Event is not valid: %s (byte %zu)", diag.msg,
                 (size_t)diag.offset);
        cm_events_validation(resp, msg);
        goto done;
    }
    if (cm_json_type(&ev, 0) != CM_JSON_OBJECT) {
        cm_events_validation(resp, "Parameter Event is not valid: not a JSON object");
        goto done;
    }
    for (size_t i = 0; i < sizeof(event_required) / sizeof(event_required[0]); i++) {
        if (cm_json_get(&ev, 0, event_required[i]) == CM_JSON_NONE) {
            snprintf(msg, sizeof(msg), "Parameter Event is not valid: it has no \"%s\"",
                     event_required[i]);
            cm_events_validation(resp, msg);
            goto done;
        }
    }
    prc = cm_pattern_compile(pattern, strlen(pattern), &p, &diag);
    if (prc != 0) {
        goto done; /* checked above: only out of memory */
    }
    matched = cm_pattern_match(p, &ev, 0);
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "Result");
    cm_jw_bool(&jw, matched);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    cm_pattern_destroy(p);
    cm_json_doc_finish(&ev);
    cm_api_in_finish(&in);
    return rc;
}

/* The rule a ResourceARN names (arn:aws:events:REGION:ACCOUNT:rule/NAME) into name. */
static int arn_rule(struct cm_api_ctx *ctx, struct cm_api_in *in, struct cm_api_resp *resp,
                    char *name, size_t namelen)
{
    const char *arn, *slash;
    struct rlist l = {0};
    char msg[300];
    int found;

    if (cm_api_in_str(in, resp, 0, "ResourceARN", true, 1, 1600, &arn) != 0) {
        return -1;
    }
    slash = strstr(arn, ":rule/");
    if (strncmp(arn, "arn:aws:events:", 15) != 0 || slash == NULL || strlen(slash + 6) >= namelen ||
        !cm_store_name_ok(slash + 6)) {
        snprintf(msg, sizeof(msg), "ResourceARN %.200s is not the ARN of a rule.", arn);
        return cm_events_validation(resp, msg);
    }
    snprintf(name, namelen, "%s", slash + 6);
    found = find_rule(ctx, name, &l, resp);
    rlist_free(&l);
    if (found < 0) {
        return -1;
    }
    return found ? 0 : cm_events_not_found_rule(resp, name);
}

int cm_events_tag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                           struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    char name[CM_STORE_NAME_MAX + 1];
    uint32_t tags;
    int rc = -1;

    if (cm_api_in_parse(&in, req, resp) != 0 || arn_rule(ctx, &in, resp, name, sizeof(name)) != 0 ||
        cm_api_in_node(&in, resp, 0, "Tags", true, CM_JSON_ARRAY, &tags) != 0 ||
        tags_update(ctx, &in, resp, name, tags, NULL, 0) != 0) {
        goto done;
    }
    rc = cm_api_in_empty(resp);
done:
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_untag_resource(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                             struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    char name[CM_STORE_NAME_MAX + 1];
    const char **keys;
    size_t nkeys;
    int rc = -1;

    if (cm_api_in_parse(&in, req, resp) != 0 || arn_rule(ctx, &in, resp, name, sizeof(name)) != 0 ||
        cm_api_in_strs(&in, resp, 0, "TagKeys", true, 0, TAGS_MAX, 128, &keys, &nkeys) != 0 ||
        tags_update(ctx, &in, resp, name, CM_JSON_NONE, keys, nkeys) != 0) {
        goto done;
    }
    rc = cm_api_in_empty(resp);
done:
    cm_api_in_finish(&in);
    return rc;
}

int cm_events_list_tags(struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        struct cm_api_resp *resp)
{
    struct cm_api_in in = {0};
    char name[CM_STORE_NAME_MAX + 1], key[100], *json = NULL;
    struct cm_json_doc d;
    struct cm_jw jw;
    int rc = -1;

    cm_json_doc_init(&d, 4096, 8);
    if (cm_api_in_parse(&in, req, resp) != 0 || arn_rule(ctx, &in, resp, name, sizeof(name)) != 0) {
        goto done;
    }
    tags_key(name, key, sizeof(key));
    if (cm_store_tags_get(ctx->store, key, &json) != 0 ||
        cm_json_parse(&d, json, strlen(json), NULL) != 0) {
        goto done;
    }
    cm_buf_reset(&resp->body);
    cm_jw_init(&jw, &resp->body);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "Tags");
    cm_jw_arr_begin(&jw);
    for (uint32_t c = cm_json_first(&d, 0); c != CM_JSON_NONE; c = cm_json_next(&d, 0, c + 1)) {
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "Key");
        cm_jw_node(&jw, &d, c);
        cm_jw_key(&jw, "Value");
        cm_jw_node(&jw, &d, c + 1);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw) == 0 ? 0 : -1;
done:
    cm_free(json);
    cm_json_doc_finish(&d);
    cm_api_in_finish(&in);
    return rc;
}
