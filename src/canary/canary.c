/*
 * Canaries: the table of check kinds, running one check and recording it,
 * and the tick that runs what is due (see canary.h).
 */
#include "canary/canary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "base/time.h"
#include "canary/canary_impl.h"
#include "core/clock.h"
#include "route/schedule.h"

static const struct cm_canary_kind *const kinds[] = {
    &cm_canary_freshness,
    &cm_canary_pipeline,
    &cm_canary_scan_health,
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const struct cm_canary_kind *cm_canary_kind(const char *name)
{
    for (size_t i = 0; name != NULL && i < NKINDS; i++) {
        if (strcmp(kinds[i]->name, name) == 0) {
            return kinds[i];
        }
    }
    return NULL;
}

const struct cm_canary_kind *cm_canary_kind_at(size_t i)
{
    return i < NKINDS ? kinds[i] : NULL;
}

const char *cm_canary_status_name(enum cm_canary_status s)
{
    switch (s) {
    case CM_CANARY_PASS:
        return "PASS";
    case CM_CANARY_FAIL:
        return "FAIL";
    default:
        return "ERROR";
    }
}

void cm_canary_result_init(struct cm_canary_result *r)
{
    memset(r, 0, sizeof(*r));
    cm_buf_init(&r->observed, 0);
}

void cm_canary_result_finish(struct cm_canary_result *r)
{
    cm_buf_finish(&r->observed);
    memset(r, 0, sizeof(*r));
}

void cm_canary_error(struct cm_canary_result *r, const char *reason)
{
    r->status = CM_CANARY_ERROR;
    snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

/* Whether check c's last status differs from status (none: status is not PASS). */
static bool changed(const char *prev, enum cm_canary_status status)
{
    if (prev == NULL) {
        return status != CM_CANARY_PASS;
    }
    return strcmp(prev, cm_canary_status_name(status)) != 0;
}

int cm_canary_run(const struct cm_canary_env *env, const struct cm_store_canary *c,
                  const struct cm_canary_report *rep, struct cm_canary_result *res, char *err,
                  size_t errlen)
{
    const struct cm_canary_kind *k = cm_canary_kind(c->kind);
    struct cm_canary_val v[CM_CANARY_MAX_PARAMS];
    struct cm_canary_env e = *env;
    struct cm_buf ev;
    struct cm_store_event sev;
    char *prev = c->status ? strdup(c->status) : NULL;
    int64_t oseq = 0;
    bool emit;
    unsigned failed = 0;
    int rc;

    err[0] = '\0';
    if (c->status != NULL && prev == NULL) {
        return CM_ENOMEM;
    }
    cm_buf_init(&ev, 0);
    if (k == NULL) {
        snprintf(err, errlen, "canary %s: unknown check \"%s\"", c->name, c->kind);
        rc = CM_EINVAL;
        goto out;
    }
    if ((rc = cm_canary_params_read(k, c->params, v, err, errlen)) != 0) {
        goto out;
    }
    e.name = c->name;
    cm_buf_reset(&res->observed);
    res->reason[0] = '\0';
    if ((rc = k->run(&e, v, res)) != 0) {
        snprintf(err, errlen, "canary %s: %s", c->name, cm_strerror(rc));
        goto out;
    }
    if (res->observed.len == 0 && cm_buf_puts(&res->observed, "{}") != 0) {
        rc = CM_ENOMEM;
        goto out;
    }
    if ((rc = cm_buf_putc(&res->observed, '\0')) != 0) {
        goto out;
    }
    res->observed.len--; /* NUL-terminated, not counted */
    emit = changed(prev, res->status) || (res->status == CM_CANARY_FAIL && c->every_fail);
    if (emit && (rc = cm_canary_event(c, res, prev, env->now_ms, &ev)) != 0) {
        goto out;
    }
    /* The result and its event in one transaction: neither is recorded without the other. */
    sev = (struct cm_store_event){ev.p, ev.len, cm_clock_now_ms()};
    rc = cm_store_canary_record_event(env->st, c->name, cm_canary_status_name(res->status),
                                      res->reason, res->observed.p, env->now_ms, emit ? &sev : NULL,
                                      &oseq, err, errlen);
    if (rc != 0) {
        goto out;
    }
    if (oseq > 0) {
        rc = cm_canary_deliver(env->st, oseq, env->secrets, rep, &failed, env->bus, err, errlen);
    }
    if (rep != NULL && rep->ran != NULL) {
        rep->ran(rep->ud, c->name, res, prev, emit && rc == 0);
    }
out:
    cm_buf_finish(&ev);
    free(prev);
    return rc;
}

/* ---- The tick ---- */

/* A copy of a stored check (the store's strings live only during its callback). */
struct copy {
    struct cm_store_canary c;
    char *s[8];
};

struct copies {
    struct copy *v;
    size_t n, cap;
    bool nomem;
};

static char *dup_or_null(const char *s, struct copies *all)
{
    char *d;

    if (s == NULL) {
        return NULL;
    }
    if ((d = strdup(s)) == NULL) {
        all->nomem = true;
    }
    return d;
}

static int keep(void *ud, const struct cm_store_canary *c)
{
    struct copies *all = ud;
    struct copy *k;

    if (all->n == all->cap) {
        size_t cap = all->cap ? all->cap * 2 : 8;
        void *v = realloc(all->v, cap * sizeof(*all->v));
        if (v == NULL) {
            return CM_ENOMEM;
        }
        all->v = v;
        all->cap = cap;
    }
    k = &all->v[all->n++];
    memset(k, 0, sizeof(*k));
    k->c = *c;
    k->c.name = k->s[0] = dup_or_null(c->name, all);
    k->c.kind = k->s[1] = dup_or_null(c->kind, all);
    k->c.schedule = k->s[2] = dup_or_null(c->schedule, all);
    k->c.params = k->s[3] = dup_or_null(c->params, all);
    k->c.status = k->s[4] = dup_or_null(c->status, all);
    k->c.reason = k->s[5] = dup_or_null(c->reason, all);
    k->c.observed = k->s[6] = dup_or_null(c->observed, all);
    k->c.created_at = k->s[7] = dup_or_null(c->created_at, all);
    k->c.updated_at = NULL;
    k->c.origin = NULL;
    return all->nomem ? CM_ENOMEM : CM_OK;
}

static void copies_free(struct copies *all)
{
    for (size_t i = 0; i < all->n; i++) {
        for (size_t k = 0; k < 8; k++) {
            free(all->v[i].s[k]);
        }
    }
    free(all->v);
}

int cm_canary_due(const struct cm_store_canary *c, int64_t now_ms, int64_t *next_ms)
{
    struct cm_schedule s;
    int64_t from = c->last_run_ms;

    if (cm_schedule_parse(c->schedule, strlen(c->schedule), &s, NULL) != 0) {
        return CM_EINVAL;
    }
    if (from <= 0 &&
        (c->created_at == NULL || cm_time_parse_iso(cm_str_cstr(c->created_at), &from) != 0)) {
        from = now_ms - 1; /* never run and no record of when it was put: due at its next */
    }
    /* A check never run is due at its first fire time after it was put. */
    *next_ms = cm_schedule_next(&s, from);
    return CM_OK;
}

/* Which checks a pass runs: the named ones (any state), or every enabled one that is due. */
struct which {
    const char *const *names; /* NULL: the due ones (or every enabled one: all) */
    size_t n;
    bool all;
};

static bool wanted(const struct which *w, const struct cm_store_canary *c, int64_t now_ms, int *rc,
                   char *one, size_t onelen)
{
    int64_t next;

    if (w->names != NULL) {
        for (size_t i = 0; i < w->n; i++) {
            if (strcmp(w->names[i], c->name) == 0) {
                return true;
            }
        }
        return false;
    }
    if (!c->enabled || w->all) {
        return c->enabled;
    }
    if (cm_canary_due(c, now_ms, &next) != 0) {
        snprintf(one, onelen, "canary %s: bad schedule \"%s\"", c->name, c->schedule);
        *rc = CM_EINVAL;
        return false;
    }
    return next >= 0 && next <= now_ms;
}

/* Runs the checks w picks, from copies (a store read may not be open while a run writes). */
static int run_checks(struct cm_store *st, int64_t now_ms, const struct which *w,
                      const struct cm_canary_ctx *ctx, const struct cm_canary_report *rep,
                      struct cm_canary_tick_stats *stats, char *err, size_t errlen)
{
    struct copies all = {0};
    struct cm_canary_env env = {
        st, now_ms, NULL, NULL, NULL, &stats->bus, ctx ? ctx->secrets : NULL};
    struct cm_canary_result res;
    char one[512];
    int rc, first = 0;

    err[0] = '\0';
    if ((rc = cm_store_canaries(st, NULL, keep, &all, err, errlen)) != 0) {
        copies_free(&all);
        return rc;
    }
    for (size_t i = 0; w->names != NULL && i < w->n; i++) {
        bool known = false;
        for (size_t k = 0; k < all.n && !known; k++) {
            known = strcmp(all.v[k].c.name, w->names[i]) == 0;
        }
        if (!known) {
            snprintf(err, errlen, "no canary named %s", w->names[i]);
            copies_free(&all);
            return CM_ENOTFOUND;
        }
    }
    cm_canary_result_init(&res);
    for (size_t i = 0; i < all.n; i++) {
        const struct cm_store_canary *c = &all.v[i].c;
        rc = CM_OK;
        if (!wanted(w, c, now_ms, &rc, one, sizeof(one))) {
            if (rc != 0 && first == 0) {
                first = rc;
                snprintf(err, errlen, "%s", one);
            }
            continue;
        }
        if ((rc = cm_canary_run(&env, c, rep, &res, one, sizeof(one))) == 0) {
            stats->ran++;
            stats->passed += res.status == CM_CANARY_PASS;
            stats->failed += res.status == CM_CANARY_FAIL;
            stats->errors += res.status == CM_CANARY_ERROR;
            stats->emitted +=
                changed(c->status, res.status) || (res.status == CM_CANARY_FAIL && c->every_fail);
        } else if (first == 0) {
            first = rc;
            snprintf(err, errlen, "%s", one);
        }
    }
    cm_canary_result_finish(&res);
    copies_free(&all);
    return first;
}

int cm_canary_run_named(struct cm_store *st, int64_t now_ms, const char *const *names, size_t n,
                        const struct cm_canary_ctx *ctx, const struct cm_canary_report *rep,
                        struct cm_canary_tick_stats *stats, char *err, size_t errlen)
{
    struct which w = {names, n, names == NULL};

    memset(stats, 0, sizeof(*stats));
    return run_checks(st, now_ms, &w, ctx, rep, stats, err, errlen);
}

int cm_canary_tick(struct cm_store *st, int64_t now_ms, const struct cm_canary_report *rep,
                   struct cm_canary_tick_stats *stats, char *err, size_t errlen)
{
    return cm_canary_tick_as(st, now_ms, NULL, rep, stats, err, errlen);
}

int cm_canary_tick_as(struct cm_store *st, int64_t now_ms, const struct cm_canary_ctx *ctx,
                      const struct cm_canary_report *rep, struct cm_canary_tick_stats *stats,
                      char *err, size_t errlen)
{
    struct which w = {NULL, 0, false};
    char one[512];
    int rc, first;

    memset(stats, 0, sizeof(*stats));
    first = run_checks(st, now_ms, &w, ctx, rep, stats, err, errlen);
    rc = cm_canary_fire_rules_as(st, now_ms, ctx, rep, stats, one, sizeof(one));
    if (rc != 0 && first == 0) {
        first = rc;
        snprintf(err, errlen, "%s", one);
    }
    return first;
}
