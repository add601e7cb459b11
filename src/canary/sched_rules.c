/*
 * Scheduled rules: an EventBridge rule with a ScheduleExpression sends the
 * "Scheduled Event" (source aws.events, resources [the rule's ARN]) to its
 * targets at each fire time (see canary.h, cm_canary_fire_rules).
 *
 * A rule's fired_ms is the last fire time handled (set to when the rule was
 * put). A tick sends the latest fire time due, once, and moves fired_ms to
 * it only if nobody else moved it meanwhile (cm_store_rule_fire), so two
 * ticks at once (cron and the service) do not both send it; fires missed
 * while nothing ticked are not sent one by one: the latest stands for them.
 */
#include "canary/canary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "core/clock.h"
#include "route/schedule.h"

struct srule {
    char *name;
    char *schedule;
    int64_t fired_ms;
};

struct srules {
    struct srule *v;
    size_t n, cap;
};

static int pick(void *ud, const struct cm_store_rule *r)
{
    struct srules *l = ud;

    if (!r->enabled || r->schedule == NULL) {
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
    l->v[l->n] = (struct srule){strdup(r->name), strdup(r->schedule), r->fired_ms};
    l->n++;
    return l->v[l->n - 1].name && l->v[l->n - 1].schedule ? CM_OK : CM_ENOMEM;
}

/* The latest fire time of s after `after` and at or before now; -1: none. */
static int64_t latest_due(const struct cm_schedule *s, int64_t after, int64_t now)
{
    int64_t t = cm_schedule_next(s, after), last = -1;

    /* rate(): straight to the last multiple; cron(): walk (a tick is normally a fire behind). */
    if (t >= 0 && t <= now && s->kind == CM_SCHEDULE_RATE) {
        return now - (now % s->rate_ms + s->rate_ms) % s->rate_ms;
    }
    for (int i = 0; t >= 0 && t <= now && i < 100000; i++) {
        last = t;
        t = cm_schedule_next(s, t);
    }
    return last;
}

/* The account and region the events carry. */
struct where {
    char account[64], region[64];
    const struct cm_target_secrets *secrets; /* for the events' webhook deliveries */
};

/*
 * Fires rule r if due: its Scheduled Event becomes an outbox row in the transaction that
 * moves its last fire, then gets its first attempt. Returns 0 or an error (err).
 */
static int fire_one(struct cm_store *st, const struct srule *r, int64_t now_ms,
                    const struct where *at, const struct cm_canary_report *rep,
                    struct cm_canary_tick_stats *stats, char *err, size_t errlen)
{
    struct cm_schedule s;
    struct cm_diag diag;
    struct cm_buf ev;
    struct cm_store_event sev;
    int64_t fire, oseq = 0;
    unsigned failed = 0;
    bool taken = false;
    int rc;

    if (cm_schedule_parse(r->schedule, strlen(r->schedule), &s, &diag) != 0) {
        snprintf(err, errlen, "rule %s: its schedule expression: %s", r->name, diag.msg);
        return CM_EINVAL;
    }
    if ((fire = latest_due(&s, r->fired_ms, now_ms)) < 0) {
        return CM_OK;
    }
    cm_buf_init(&ev, 0);
    rc = cm_canary_scheduled_event(r->name, fire, at->account, at->region, &ev);
    if (rc == 0) {
        sev = (struct cm_store_event){ev.p, ev.len, cm_clock_now_ms()};
        rc = cm_store_rule_fire_event(st, r->name, r->fired_ms, fire, &sev, &taken, &oseq, err,
                                      errlen);
    }
    if (rc == 0 && taken && oseq > 0) {
        rc = cm_canary_deliver(st, oseq, at->secrets, rep, &failed, &stats->bus, err, errlen);
    }
    cm_buf_finish(&ev);
    if (rc == 0 && !taken) {
        return CM_OK; /* another tick took it */
    }
    if (rc == 0) {
        stats->fired++;
        if (rep != NULL && rep->fired != NULL) {
            rep->fired(rep->ud, r->name, fire);
        }
    }
    return rc;
}

/* The store's detector's account and region, when it has exactly one. */
static int one_detector(void *ud, const struct cm_store_detector *d)
{
    struct where *at = ud;

    if (at->account[0] != '\0') {
        at->account[0] = at->region[0] = '\0';
        return 1; /* a second: none stands for the store */
    }
    snprintf(at->account, sizeof(at->account), "%s", d->account ? d->account : "");
    snprintf(at->region, sizeof(at->region), "%s", d->region ? d->region : "");
    return CM_OK;
}

int cm_canary_fire_rules(struct cm_store *st, int64_t now_ms, const struct cm_canary_report *rep,
                         struct cm_canary_tick_stats *stats, char *err, size_t errlen)
{
    return cm_canary_fire_rules_as(st, now_ms, NULL, rep, stats, err, errlen);
}

int cm_canary_fire_rules_as(struct cm_store *st, int64_t now_ms, const struct cm_canary_ctx *ctx,
                            const struct cm_canary_report *rep, struct cm_canary_tick_stats *stats,
                            char *err, size_t errlen)
{
    const char *account = ctx ? ctx->account : NULL, *region = ctx ? ctx->region : NULL;
    struct srules l = {0};
    struct where at;
    char one[512];
    int rc, first = 0;

    err[0] = '\0';
    memset(&at, 0, sizeof(at));
    rc = cm_store_rules(st, NULL, pick, &l, err, errlen);
    if (rc == 0 && l.n > 0 && (account == NULL || region == NULL)) {
        int drc = cm_store_detectors(st, NULL, NULL, NULL, 2, one_detector, &at, one, sizeof(one));
        if (drc != 0 && drc != 1) {
            at.account[0] = at.region[0] = '\0';
        }
    }
    if (account != NULL) {
        snprintf(at.account, sizeof(at.account), "%s", account);
    }
    if (region != NULL) {
        snprintf(at.region, sizeof(at.region), "%s", region);
    }
    at.secrets = ctx ? ctx->secrets : NULL;
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        int frc = fire_one(st, &l.v[i], now_ms, &at, rep, stats, one, sizeof(one));
        if (frc != 0 && first == 0) {
            first = frc;
            snprintf(err, errlen, "%s", one);
        }
        if (frc == CM_ENOMEM || frc == CM_EIO) {
            rc = frc;
        }
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.v[i].name);
        free(l.v[i].schedule);
    }
    free(l.v);
    return rc != 0 ? rc : first;
}
