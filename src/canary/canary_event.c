/*
 * The events canaries and scheduled rules put on the bus, and sending one:
 * the enabled rules with a pattern are read with their targets, each rule
 * whose pattern matches the event gets it delivered to each of its targets
 * (src/bus/target.h), once; a scheduled rule's event goes to its own
 * targets. Unlike a finding's event (bus.c) this one is not kept in the
 * outbox to be tried again: the next run of the check sends the next one
 * (every FAIL, when the check says so), and each attempt's outcome is
 * reported to the caller (docs/internals/canary.md says why).
 */
#include "canary/canary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/time.h"
#include "bus/target.h"
#include "canary/canary_impl.h"
#include "route/envelope.h"
#include "route/pattern.h"

#define SEED_HI 0x63616e6172796576ULL /* "canaryev" */
#define SEED_LO 0x7363686564756c65ULL /* "schedule" */

/* A UUID-shaped id from a name and a time: the same event gets the same id. */
static void event_id(const char *name, int64_t ms, const char *salt, char out[37])
{
    static const char hex[] = "0123456789abcdef";
    char key[256];
    int n = snprintf(key, sizeof(key), "%s|%lld|%s", name, (long long)ms, salt);
    uint64_t h[2];
    size_t o = 0, len = n < 0 ? 0 : (size_t)n < sizeof(key) ? (size_t)n : sizeof(key) - 1;

    h[0] = cm_hash64(key, len, SEED_HI);
    h[1] = cm_hash64(key, len, SEED_LO);
    for (size_t i = 0; i < 32; i++) {
        if (i == 8 || i == 12 || i == 16 || i == 20) {
            out[o++] = '-';
        }
        out[o++] = hex[(h[i / 16] >> (60 - 4 * (i % 16))) & 0xf];
    }
    out[o] = '\0';
}

/* The check's param name ("account", "region") from its stored params, or "". */
static void param_of(const char *params, const char *name, char *out, size_t n)
{
    struct cm_json_doc d;
    uint32_t v;

    out[0] = '\0';
    cm_json_doc_init(&d, 0, 16);
    if (cm_json_parse(&d, params, strlen(params), NULL) == 0 &&
        (v = cm_json_get(&d, 0, name)) != CM_JSON_NONE && cm_json_type(&d, v) == CM_JSON_STRING &&
        cm_json_raw(&d, v).len < n) {
        struct cm_str raw = cm_json_raw(&d, v);
        out[cm_json_unescape(raw.p, raw.len, out)] = '\0';
    }
    cm_json_doc_finish(&d);
}

/* An event's time as cm_canary_jw_time writes it: milliseconds, null when not set. */
static struct cm_str event_time(int64_t ms, char *buf, size_t cap)
{
    return ms <= 0 ? CM_STR_NULL : cm_str_make(buf, cm_time_format_iso(ms, buf, cap));
}

int cm_canary_event(const struct cm_store_canary *c, const struct cm_canary_result *r,
                    const char *prev, int64_t now_ms, struct cm_buf *out)
{
    struct cm_jw jw;
    char id[37], account[128], region[128], t[40];

    event_id(c->name, now_ms, cm_canary_status_name(r->status), id);
    param_of(c->params, "account", account, sizeof(account));
    param_of(c->params, "region", region, sizeof(region));
    struct cm_event_envelope e = {
        .id = id,
        .detail_type = CM_CANARY_DETAIL_TYPE,
        .source = CM_CANARY_SOURCE,
        .account = cm_str_cstr(account),
        .region = cm_str_cstr(region),
        .time = event_time(now_ms, t, sizeof(t)),
    };
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "name");
    cm_jw_str(&jw, c->name);
    cm_jw_key(&jw, "check");
    cm_jw_str(&jw, c->kind);
    cm_jw_key(&jw, "status");
    cm_jw_str(&jw, cm_canary_status_name(r->status));
    cm_jw_key(&jw, "previousStatus");
    if (prev != NULL) {
        cm_jw_str(&jw, prev);
    } else {
        cm_jw_null(&jw);
    }
    cm_jw_key(&jw, "reason");
    cm_jw_str(&jw, r->reason);
    cm_jw_key(&jw, "observed");
    cm_jw_raw(&jw, r->observed.p, r->observed.len);
    cm_jw_key(&jw, "schedule");
    cm_jw_str(&jw, c->schedule);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

int cm_canary_scheduled_event(const char *rule, int64_t fire_ms, struct cm_buf *out)
{
    struct cm_jw jw;
    char id[37], arn[160], t[40];
    const char *resources[] = {arn};

    event_id(rule, fire_ms, "Scheduled Event", id);
    snprintf(arn, sizeof(arn), "arn:aws:events:::rule/%s", rule);
    struct cm_event_envelope e = {
        .id = id,
        .detail_type = "Scheduled Event",
        .source = "aws.events",
        .account = CM_STR_LIT(""),
        .region = CM_STR_LIT(""),
        .time = event_time(fire_ms, t, sizeof(t)),
        .resources = resources,
        .nresources = 1,
    };
    cm_buf_reset(out);
    cm_jw_init(&jw, out);
    cm_event_envelope_begin(&jw, &e);
    cm_jw_obj_begin(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw) == 0 ? CM_OK : CM_ENOMEM;
}

/* ---- Sending ---- */

/* The rules to send to, and their targets. */
struct dest {
    char *rule;
    bool matches; /* its pattern matches the event (or it is the rule asked for) */
};

struct sending {
    const char *event;
    size_t len;
    const char *only; /* the one rule, or NULL: every matching rule */
    struct dest *v;
    size_t n, cap;
    char *err;
    size_t errlen;
};

static int pick_rule(void *ud, const struct cm_store_rule *r)
{
    struct sending *s = ud;
    bool matches = false;

    if (s->only != NULL) {
        matches = strcmp(r->name, s->only) == 0;
    } else if (r->enabled && r->schedule == NULL) {
        struct cm_pattern *p = NULL;
        struct cm_diag diag;
        int rc = cm_pattern_compile(r->pattern, strlen(r->pattern), &p, &diag);
        if (rc != 0) {
            snprintf(s->err, s->errlen, "stored rule %s: its event pattern: %s", r->name,
                     diag.msg[0] ? diag.msg : cm_strerror(rc));
            return rc == CM_ENOMEM ? rc : CM_EIO;
        }
        rc = cm_pattern_match_json(p, s->event, s->len, &matches, &diag);
        cm_pattern_destroy(p);
        if (rc != 0) {
            snprintf(s->err, s->errlen, "the event: %s", diag.msg);
            return rc == CM_ENOMEM ? rc : CM_EIO;
        }
    }
    if (!matches) {
        return CM_OK;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        void *v = realloc(s->v, cap * sizeof(*s->v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].matches = true;
    if ((s->v[s->n].rule = strdup(r->name)) == NULL) {
        return CM_ENOMEM;
    }
    s->n++;
    return CM_OK;
}

/* A copied target. */
struct tcopy {
    char *rule, *id, *kind, *spec;
};

struct tlist {
    struct sending *s;
    struct tcopy *v;
    size_t n, cap;
};

static int pick_target(void *ud, const struct cm_store_target *t)
{
    struct tlist *l = ud;
    bool wanted = false;

    for (size_t i = 0; i < l->s->n && !wanted; i++) {
        wanted = strcmp(l->s->v[i].rule, t->rule) == 0;
    }
    if (!wanted) {
        return CM_OK;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        void *v = realloc(l->v, cap * sizeof(*l->v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n] = (struct tcopy){strdup(t->rule), strdup(t->id), strdup(t->kind), strdup(t->spec)};
    l->n++;
    return l->v[l->n - 1].rule && l->v[l->n - 1].id && l->v[l->n - 1].kind && l->v[l->n - 1].spec
               ? CM_OK
               : CM_ENOMEM;
}

int cm_canary_send(struct cm_store *st, const char *event, size_t len, const char *rule,
                   const struct cm_canary_report *rep, unsigned *failed, char *err, size_t errlen)
{
    struct sending s = {event, len, rule, NULL, 0, 0, err, errlen};
    struct tlist l = {&s, NULL, 0, 0};
    int rc;

    *failed = 0;
    err[0] = '\0';
    rc = cm_store_rules(st, rule, pick_rule, &s, err, errlen);
    if (rc == 0 && s.n > 0) {
        rc = cm_store_targets(st, rule, pick_target, &l, err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        const struct tcopy *t = &l.v[i];
        const struct cm_target_kind *k = cm_target_kind(t->kind);
        struct cm_target_ctx ctx = {0};
        struct cm_canary_sent sent = {t->rule, t->id, NULL};
        char msg[512] = "";
        int drc;
        ctx.rule = t->rule;
        ctx.target_id = t->id;
        ctx.severity = -1;
        ctx.attempt = 1;
        if (k == NULL) {
            snprintf(msg, sizeof(msg), "unknown target kind \"%s\"", t->kind);
            drc = CM_EINVAL;
        } else {
            drc =
                cm_target_deliver(k, t->spec, strlen(t->spec), event, len, &ctx, msg, sizeof(msg));
            if (drc != 0 && msg[0] == '\0') {
                snprintf(msg, sizeof(msg), "%s", cm_strerror(drc));
            }
        }
        if (drc == CM_ENOMEM) {
            rc = drc;
        }
        if (drc != 0) {
            sent.error = msg;
            ++*failed;
        }
        if (rep != NULL && rep->sent != NULL) {
            rep->sent(rep->ud, &sent);
        }
    }
    if (rc != 0 && err[0] == '\0') {
        snprintf(err, errlen, "sending the event: %s", cm_strerror(rc));
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].rule);
        free(l.v[i].id);
        free(l.v[i].kind);
        free(l.v[i].spec);
    }
    free(l.v);
    for (size_t i = 0; i < s.n; i++) {
        free(s.v[i].rule);
    }
    free(s.v);
    return rc;
}
