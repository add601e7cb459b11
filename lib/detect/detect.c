/*
 * The detection engine: detector table, dispatch by event kind, and the
 * event-time watermark that drives on_tick(). The watermark is the largest
 * event time seen minus the allowed lateness; it never moves backwards, so
 * late events are still delivered to detectors but counted.
 *
 * The built-in table lists every detector family (issues #4-#7): a family
 * adds its const struct here, and nothing else changes.
 */
#include "detect/detect.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ct.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "detect/dns.h"

/* clang-format off */
static const struct cm_detector *const builtin[] = {
    /* threat intelligence, every source (issue #4) */
    &cm_detector_intel_ct,
    &cm_detector_intel_flow,
    &cm_detector_intel_dns,
    /* CloudTrail (issue #5) */
    &cm_detector_ct_rules,
    &cm_detector_ct_password,
    &cm_detector_ct_credexfil,
    &cm_detector_ct_travel,
    &cm_detector_ct_canary,
    /* VPC flow logs (issue #6) */
    &cm_detector_flow_pair,
    &cm_detector_flow_inbound,
    &cm_detector_flow_host,
    /* DNS (issue #7) */
    &cm_detector_dns_dga,
    &cm_detector_dns_tunnel,
    &cm_detector_dns_rebind,
    &cm_detector_dns_reputation,
    NULL,
};
/* clang-format on */

const struct cm_detector *const *cm_detectors(void)
{
    return builtin;
}

struct slot {
    const struct cm_detector *det;
    void *state;
};

struct cm_engine {
    struct cm_detect_opts opts;
    struct slot *slots;
    size_t nslots;
    int64_t max_time;
    int64_t watermark;
    int64_t next_tick;
    struct cm_engine_stats stats;
};

int cm_engine_create(struct cm_engine **out, const struct cm_detector *const *table,
                     const struct cm_detect_opts *opts)
{
    struct cm_engine *e;
    size_t n = 0;
    int rc = CM_ENOMEM;

    *out = NULL;
    while (table && table[n]) {
        n++;
    }
    e = cm_calloc(1, sizeof(*e));
    if (e == NULL) {
        return CM_ENOMEM;
    }
    if (opts) {
        e->opts = *opts;
    }
    if (e->opts.tick_ms <= 0) {
        e->opts.tick_ms = 60000;
    }
    e->max_time = INT64_MIN;
    e->watermark = INT64_MIN;
    e->next_tick = INT64_MIN;
    e->slots = cm_calloc(n ? n : 1, sizeof(*e->slots));
    if (e->slots == NULL) {
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        e->slots[i].det = table[i];
        if (table[i]->init) {
            rc = table[i]->init(&e->slots[i].state, &e->opts);
            if (rc != 0) {
                goto fail;
            }
        }
        e->nslots = i + 1;
    }
    *out = e;
    return CM_OK;
fail:
    cm_engine_destroy(e);
    return rc;
}

void cm_engine_destroy(struct cm_engine *e)
{
    if (e == NULL) {
        return;
    }
    for (size_t i = 0; i < e->nslots; i++) {
        if (e->slots[i].det->finish) {
            e->slots[i].det->finish(e->slots[i].state);
        }
    }
    cm_free(e->slots);
    cm_free(e);
}

static int tick_all(struct cm_engine *e, int64_t wm, struct cm_sink *sink)
{
    e->stats.ticks++;
    for (size_t i = 0; i < e->nslots; i++) {
        const struct cm_detector *d = e->slots[i].det;
        if (d->on_tick) {
            int rc = d->on_tick(e->slots[i].state, wm, sink);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return CM_OK;
}

/* Advances the watermark for an event at t and ticks when an interval passed. */
static int advance(struct cm_engine *e, int64_t t, struct cm_sink *sink)
{
    int64_t wm;

    if (t <= e->max_time) {
        if (t < e->watermark) {
            e->stats.late++;
        }
        return CM_OK;
    }
    e->max_time = t;
    wm = t - e->opts.lateness_ms;
    if (wm <= e->watermark) {
        return CM_OK;
    }
    e->watermark = wm;
    if (e->next_tick == INT64_MIN) {
        e->next_tick = wm - wm % e->opts.tick_ms + e->opts.tick_ms;
        return CM_OK;
    }
    if (wm >= e->next_tick) {
        e->next_tick = wm - wm % e->opts.tick_ms + e->opts.tick_ms;
        return tick_all(e, wm, sink);
    }
    return CM_OK;
}

int cm_engine_event(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink)
{
    unsigned bit = CM_EV_MASK(ev->kind);
    int rc;

    if ((unsigned)ev->kind < CM_EV_KIND_COUNT) {
        e->stats.events[ev->kind]++;
    }
    rc = advance(e, ev->time_ms, sink);
    if (rc != 0) {
        return rc;
    }
    for (size_t i = 0; i < e->nslots; i++) {
        const struct cm_detector *d = e->slots[i].det;
        if ((d->kinds & bit) && d->on_event) {
            e->stats.dispatched++;
            rc = d->on_event(e->slots[i].state, ev, sink);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return CM_OK;
}

int cm_engine_flush(struct cm_engine *e, struct cm_sink *sink)
{
    e->watermark = INT64_MAX;
    return tick_all(e, INT64_MAX, sink);
}

int64_t cm_engine_watermark(const struct cm_engine *e)
{
    return e->watermark;
}

const struct cm_engine_stats *cm_engine_stats(const struct cm_engine *e)
{
    return &e->stats;
}

void cm_engine_state_stats(const struct cm_engine *e, struct cm_state_stats *sum)
{
    for (size_t i = 0; e != NULL && i < e->nslots; i++) {
        if (e->slots[i].det->state_stats != NULL && e->slots[i].state != NULL) {
            e->slots[i].det->state_stats(e->slots[i].state, sum);
        }
    }
}
