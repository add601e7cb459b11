/*
 * The detection engine: detector table, dispatch by event kind, and the
 * event-time watermarks that drive on_tick(): one per event kind, which
 * drives the detectors of that kind, and one over every event, which drives
 * the correlators. A watermark is the largest event time seen minus the
 * allowed lateness; it never moves backwards, so late events are still
 * delivered to detectors but counted.
 *
 * The built-in table lists every detector family (issues #4-#7): a family
 * adds its const struct here, and nothing else changes.
 */
#include "detect/detect.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ct.h"
#include "detect/ct_custom.h"
#include "detect/detect_impl.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "detect/dns.h"
#include "detect/seen.h"

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
    &cm_detector_ct_anomaly,
    &cm_detector_ct_s3_anomaly,
    &cm_detector_ct_custom,
    /* VPC flow logs (issue #6) */
    &cm_detector_flow_pair,
    &cm_detector_flow_inbound,
    &cm_detector_flow_host,
    /* DNS (issue #7) */
    &cm_detector_dns_dga,
    &cm_detector_dns_tunnel,
    &cm_detector_dns_rebind,
    &cm_detector_dns_reputation,
    /* correlation of the findings above: attack sequences */
    &cm_detector_ct_sequence,
    NULL,
};
/* clang-format on */

const struct cm_detector *const *cm_detectors(void)
{
    return builtin;
}

/*
 * How far a source's clock may stay behind the clock over every event: a day. A source
 * delivered later than that is late by its own clock; one that stopped has its detectors'
 * tables expired a day after the others moved on, not kept until the end of input.
 */
#define MAX_SKEW_MS (24LL * 3600 * 1000)

static int relay_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct cm_engine *e = sink->ud;
    struct relay *r = &e->relay;
    int rc = cm_sink_emit(r->outer, d);

    /* A detection about a trusted address or name makes no finding (spec §4.3), and no
     * signal of one either. */
    if (rc != 0 || r->busy || cm_detect_trusted(cm_detect_intel(e->opts.config), d)) {
        return rc;
    }
    r->busy = true;
    for (size_t i = 0; i < e->ncorr && rc == 0; i++) {
        rc = e->corr[i]->det->on_detection(e->corr[i]->state, d, &r->sink);
    }
    r->busy = false;
    return rc;
}

static void clock_init(struct clock *c)
{
    c->max_time = INT64_MIN;
    c->watermark = INT64_MIN;
    c->next_tick = INT64_MIN;
    c->ticked = INT64_MIN;
}

int cm_engine_create(struct cm_engine **out, const struct cm_detector *const *table,
                     const struct cm_detect_opts *opts)
{
    struct cm_engine *e;
    size_t n = 0;
    bool local = false;
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
    e->opts.memo = &e->memo;
    cm_seen_init(&e->seen, e->opts.seed ^ 0x5ee9u);
    if ((rc = cm_intel_memo_init(&e->memo, e->opts.seed)) != 0) {
        goto fail;
    }
    if (e->opts.tick_ms <= 0) {
        e->opts.tick_ms = 60000;
    }
    clock_init(&e->all);
    e->skew_low = INT64_MIN;
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        clock_init(&e->kind[k]);
    }
    e->horizon = INT64_MAX;
    for (size_t i = 0; i < n; i++) {
        local |= table[i]->flow_local;
    }
    if (local && (rc = cm_flow_local_create(&e->flow_local, e->opts.seed ^ 0x94d049bbu)) != 0) {
        goto fail;
    }
    e->opts.flow_local = e->flow_local;
    e->slots = cm_calloc(n ? n : 1, sizeof(*e->slots));
    if (e->slots == NULL) {
        rc = CM_ENOMEM; /* rc is 0 after the memo and the learner */
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
    if ((e->corr = cm_calloc(n ? n : 1, sizeof(*e->corr))) == NULL) {
        rc = CM_ENOMEM;
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if (table[i]->on_detection) {
            e->corr[e->ncorr++] = &e->slots[i];
        }
    }
    e->relay.sink.emit = relay_emit;
    e->relay.sink.ud = e;
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        if ((e->byk[k] = cm_calloc(n ? n : 1, sizeof(*e->byk[k]))) == NULL) {
            rc = CM_ENOMEM;
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            if ((table[i]->kinds & CM_EV_MASK(k)) && table[i]->on_event) {
                e->byk[k][e->nbyk[k]++] = &e->slots[i];
            }
        }
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
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        cm_free(e->byk[k]);
    }
    cm_intel_memo_finish(&e->memo);
    cm_seen_finish(&e->seen);
    cm_flow_local_destroy(e->flow_local);
    cm_free(e->corr);
    cm_free(e->slots);
    cm_free(e);
}

/* The sink detectors get: sink itself, or the relay through the correlators. */
static struct cm_sink *relay(struct cm_engine *e, struct cm_sink *sink)
{
    if (e->ncorr == 0 || sink == &e->relay.sink) {
        return sink;
    }
    e->relay.outer = sink;
    return &e->relay.sink;
}

/*
 * Ticks the detectors a clock drives at wm: for a kind's mask, the detectors of that one
 * kind; for mask 0 (the clock over every event), the others: the correlators (no kind of
 * their own: they see every kind's detections) and a detector of several kinds, whose
 * watermark must not go back; TICK_ALL every detector (the flush).
 */
#define TICK_ALL (~0u)
static int tick(struct cm_engine *e, unsigned mask, int64_t wm, struct cm_sink *sink)
{
    bool any = false, local = false;

    sink = relay(e, sink);
    for (size_t i = 0; i < e->nslots; i++) {
        const struct cm_detector *d = e->slots[i].det;
        bool one = d->kinds != 0 && (d->kinds & (d->kinds - 1)) == 0;
        bool mine = mask == TICK_ALL || (mask == 0 ? !one : one && (d->kinds & mask) != 0);

        any |= mine;
        local |= mine && d->flow_local;
        if (d->on_tick && mine) {
            int rc = d->on_tick(e->slots[i].state, wm, sink);
            if (rc != 0) {
                return rc;
            }
        }
    }
    e->stats.ticks += any;
    if (local) {
        /* the learner's table ages with the detectors it serves, as their own tables do */
        cm_flow_local_expire(e->flow_local, wm);
    }
    return CM_OK;
}

/* Moves clock c to an event at c_ms (bounded by the horizon); ticks mask's detectors when
 * its watermark crosses a tick boundary. */
static int advance_clock(struct cm_engine *e, struct clock *c, unsigned mask, int64_t c_ms,
                         struct cm_sink *sink)
{
    int64_t wm;

    if (c_ms <= c->max_time) {
        return CM_OK;
    }
    c->max_time = c_ms;
    wm = c_ms - e->opts.lateness_ms;
    if (wm <= c->watermark) {
        return CM_OK;
    }
    c->watermark = wm;
    if (c->next_tick == INT64_MIN) {
        c->next_tick = wm - wm % e->opts.tick_ms + e->opts.tick_ms;
        return CM_OK;
    }
    if (wm >= c->next_tick) {
        c->next_tick = wm - wm % e->opts.tick_ms + e->opts.tick_ms;
        c->ticked = wm;
        return tick(e, mask, wm, sink);
    }
    return CM_OK;
}

/*
 * Moves the clock of a source more than MAX_SKEW_MS behind the clock over every event (its
 * logging stopped) on, so its detectors' state does not outlive it for good.
 */
static int lift_lagging(struct cm_engine *e, struct cm_sink *sink)
{
    int64_t floor = e->all.max_time - MAX_SKEW_MS, low = INT64_MAX;
    int rc;

    for (unsigned j = 0; j < CM_EV_KIND_COUNT; j++) {
        if (e->kind[j].max_time != INT64_MIN && e->kind[j].max_time < floor &&
            (rc = advance_clock(e, &e->kind[j], CM_EV_MASK(j), floor, sink)) != 0) {
            return rc;
        }
        if (e->kind[j].max_time != INT64_MIN && e->kind[j].max_time < low) {
            low = e->kind[j].max_time;
        }
    }
    e->skew_low = low;
    return CM_OK;
}

/*
 * Advances the clocks for an event of kind k at t. It is late when its kind's detectors
 * have already ticked past it by more than late_slack_ms (their windows and state may
 * have closed without it). Per event this is a few compares: a clock the event does not
 * move is not called, and the sources are looked at for one that lags only once the
 * clock over every event is MAX_SKEW_MS past the oldest of them (skew_low).
 */
static int advance(struct cm_engine *e, unsigned k, int64_t t, struct cm_sink *sink)
{
    int64_t c = t < e->horizon ? t : e->horizon;
    int rc;

    if (k < CM_EV_KIND_COUNT) {
        struct clock *kc = &e->kind[k];
        int64_t ticked = kc->ticked;

        if (ticked != INT64_MIN && ticked != INT64_MAX && t < ticked - e->opts.late_slack_ms) {
            e->stats.late++;
            e->stats.late_kind[k]++;
        }
        if (c > kc->max_time) {
            if (kc->max_time == INT64_MIN && c < e->skew_low) {
                e->skew_low = c; /* a source's first event: the oldest clock yet */
            }
            if ((rc = advance_clock(e, kc, CM_EV_MASK(k), c, sink)) != 0) {
                return rc;
            }
        }
    }
    if (c > e->all.max_time && (rc = advance_clock(e, &e->all, 0, c, sink)) != 0) {
        return rc;
    }
    if (e->all.max_time > INT64_MIN + MAX_SKEW_MS && e->all.max_time - MAX_SKEW_MS > e->skew_low) {
        return lift_lagging(e, sink);
    }
    return CM_OK;
}

/* Hands ev to every detector of its kind; the memo's cur is set for it. */
static int dispatch(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink)
{
    unsigned k = (unsigned)ev->kind;
    int rc;

    if (ev->kind == CM_EV_CLOUDTRAIL || ev->log_id != 0) {
        bool repeat;

        /* A copy of a record read already (another trail's delivery of the same eventID,
         * another delivery of the same CloudWatch Logs event) is not analysed again:
         * windows, rates and profiles count it once. */
        rc = ev->kind == CM_EV_CLOUDTRAIL
                 ? cm_seen_check(&e->seen, ev->account, ev->u.ct.event_id, ev->time_ms, &repeat)
                 : cm_seen_check_log(&e->seen, ev->account, ev->log_id, ev->time_ms, &repeat);
        if (rc != 0) {
            return rc;
        }
        if (repeat) {
            e->stats.repeated++;
            e->stats.repeated_kind[k < CM_EV_KIND_COUNT ? k : 0]++;
            return CM_OK;
        }
    }
    sink = relay(e, sink);
    if (k < CM_EV_KIND_COUNT) {
        e->stats.events[k]++;
    }
    rc = advance(e, k, ev->time_ms, sink);
    if (rc != 0 || k >= CM_EV_KIND_COUNT) {
        return rc;
    }
    /* The learner the flow detectors share learns from the record once, before they view it. */
    if (k == CM_EV_FLOW && e->flow_local != NULL &&
        (rc = cm_flow_local_note(e->flow_local, ev)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < e->nbyk[k] && rc == 0; i++) {
        struct slot *sl = e->byk[k][i];

        e->stats.dispatched++;
        rc = sl->det->on_event(sl->state, ev, sink);
    }
    e->stats.trusted = e->memo.trusted;
    cm_flow_local_forget(e->flow_local);
    return rc;
}

int cm_engine_event(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink)
{
    /* The caller may reuse ev's memory for its next event: forget what was stored for it. */
    e->memo.cur = CM_INTEL_MEMO_MAX;
    e->memo.e[CM_INTEL_MEMO_MAX].ev = NULL;
    return dispatch(e, ev, sink);
}

/* How many events ahead the sets of log event ids are fetched (cm_seen_prefetch_log). */
#define SEEN_AHEAD 8

static void prefetch_seen(const struct cm_engine *e, const struct cm_event *ev)
{
    if (ev->kind == CM_EV_CLOUDTRAIL) {
        cm_seen_prefetch(&e->seen, ev->account, ev->u.ct.event_id);
    } else if (ev->log_id != 0) {
        cm_seen_prefetch_log(&e->seen, ev->account, ev->log_id);
    }
}

void cm_engine_prefetch(const struct cm_engine *e, const struct cm_event *ev)
{
    prefetch_seen(e, ev);
}

int cm_engine_events(struct cm_engine *e, const struct cm_event *const *evs, size_t n,
                     struct cm_sink *sink)
{
    const struct cm_intel_snapshot *s = cm_detect_intel(e->opts.config);
    int rc = CM_OK;

    for (size_t at = 0; at < n && rc == 0; at += CM_INTEL_MEMO_MAX) {
        size_t k = n - at < CM_INTEL_MEMO_MAX ? n - at : CM_INTEL_MEMO_MAX;

        cm_intel_memo_fill(&e->memo, s, evs + at, k);
        for (size_t i = 0; i < k && i < SEEN_AHEAD; i++) {
            prefetch_seen(e, evs[at + i]);
        }
        for (size_t i = 0; i < k && rc == 0; i++) {
            if (i + SEEN_AHEAD < k) {
                prefetch_seen(e, evs[at + i + SEEN_AHEAD]);
            }
            e->memo.cur = i;
            rc = dispatch(e, evs[at + i], sink);
        }
    }
    e->memo.cur = CM_INTEL_MEMO_MAX;
    e->memo.e[CM_INTEL_MEMO_MAX].ev = NULL;
    return rc;
}

int cm_engine_flush(struct cm_engine *e, struct cm_sink *sink)
{
    e->all.watermark = INT64_MAX;
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        e->kind[k].watermark = INT64_MAX;
    }
    return tick(e, TICK_ALL, INT64_MAX, sink);
}

int64_t cm_engine_watermark(const struct cm_engine *e)
{
    return e->all.watermark;
}

int64_t cm_engine_kind_watermark(const struct cm_engine *e, enum cm_event_kind kind)
{
    return (unsigned)kind < CM_EV_KIND_COUNT ? e->kind[kind].watermark : e->all.watermark;
}

void cm_engine_set_horizon(struct cm_engine *e, int64_t horizon_ms)
{
    e->horizon = horizon_ms;
}

const struct cm_engine_stats *cm_engine_stats(const struct cm_engine *e)
{
    return &e->stats;
}

uint64_t cm_engine_events_taken(const struct cm_engine *e)
{
    uint64_t n = e->stats.repeated;

    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        n += e->stats.events[k];
    }
    return n;
}

void cm_engine_state_stats(const struct cm_engine *e, struct cm_state_stats *sum)
{
    if (e != NULL) {
        sum->bytes += e->seen.bytes;
        sum->peak_bytes += e->seen.peak_bytes;
        cm_flow_local_stats(e->flow_local, sum);
    }
    for (size_t i = 0; e != NULL && i < e->nslots; i++) {
        if (e->slots[i].det->state_stats != NULL && e->slots[i].state != NULL) {
            e->slots[i].det->state_stats(e->slots[i].state, sum);
        }
    }
}

void cm_det_states_add(struct cm_det_states *d, const char *name, const struct cm_state_stats *st)
{
    struct cm_det_state *x = NULL;

    for (size_t i = 0; i < d->n && x == NULL; i++) {
        if (strcmp(d->v[i].name, name) == 0) {
            x = &d->v[i];
        }
    }
    if (x == NULL) {
        if (d->n == CM_DET_STATES_MAX) {
            return;
        }
        x = &d->v[d->n++];
        memset(x, 0, sizeof(*x));
        x->name = name;
    }
    cm_state_stats_sum(&x->st, st);
}

void cm_engine_det_states(const struct cm_engine *e, struct cm_det_states *d)
{
    if (e != NULL && e->flow_local != NULL) {
        struct cm_state_stats one = {0};

        cm_flow_local_stats(e->flow_local, &one);
        cm_det_states_add(d, FLOW_LOCAL_NAME, &one);
    }
    for (size_t i = 0; e != NULL && i < e->nslots; i++) {
        struct cm_state_stats one = {0};

        if (e->slots[i].det->state_stats != NULL && e->slots[i].state != NULL) {
            e->slots[i].det->state_stats(e->slots[i].state, &one);
            cm_det_states_add(d, e->slots[i].det->name, &one);
        }
    }
}
