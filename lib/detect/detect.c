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

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/ct.h"
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

struct slot {
    const struct cm_detector *det;
    void *state;
};

/* The sink detectors emit to when the engine has correlators: the caller's, then them. */
struct relay {
    struct cm_sink sink; /* emit = relay_emit, ud = the engine */
    struct cm_sink *outer;
    bool busy; /* a correlator is running: its detections go to outer only */
};

struct cm_engine {
    struct cm_detect_opts opts;
    struct slot *slots;
    size_t nslots;
    struct slot **corr; /* the correlators (on_detection), in table order */
    size_t ncorr;
    struct relay relay;
    /* The slots that want each kind, in table order: byk[k][0 .. nbyk[k]). */
    struct slot **byk[CM_EV_KIND_COUNT];
    size_t nbyk[CM_EV_KIND_COUNT];
    int64_t max_time; /* the largest event time seen, bounded by the horizons */
    int64_t watermark;
    int64_t next_tick;
    int64_t horizon; /* the clock moves no further (cm_engine_set_horizon) */
    struct cm_engine_stats stats;
    struct cm_intel_memo memo; /* the detectors' shared intel answers (opts.memo) */
    struct cm_seen seen;       /* CloudTrail eventIDs read, so a copy is read once */
};

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
    e->opts.memo = &e->memo;
    cm_seen_init(&e->seen, e->opts.seed ^ 0x5ee9u);
    if ((rc = cm_intel_memo_init(&e->memo, e->opts.seed)) != 0) {
        goto fail;
    }
    if (e->opts.tick_ms <= 0) {
        e->opts.tick_ms = 60000;
    }
    e->max_time = INT64_MIN;
    e->watermark = INT64_MIN;
    e->next_tick = INT64_MIN;
    e->horizon = INT64_MAX;
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

static int tick_all(struct cm_engine *e, int64_t wm, struct cm_sink *sink)
{
    sink = relay(e, sink);
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
    int64_t wm, c = t < e->horizon ? t : e->horizon;

    if (c <= e->max_time) {
        if (t < e->watermark) {
            e->stats.late++;
        }
        return CM_OK;
    }
    e->max_time = c;
    wm = c - e->opts.lateness_ms;
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

/* Hands ev to every detector of its kind; the memo's cur is set for it. */
static int dispatch(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink)
{
    unsigned k = (unsigned)ev->kind;
    int rc;

    if (ev->kind == CM_EV_CLOUDTRAIL) {
        bool repeat;

        /* A copy of a record read already (another trail's delivery of the same
         * eventID) is not analysed again: windows, rates and profiles count it once. */
        if ((rc = cm_seen_check(&e->seen, ev->account, ev->u.ct.event_id, ev->time_ms, &repeat)) !=
            0) {
            return rc;
        }
        if (repeat) {
            e->stats.repeated++;
            return CM_OK;
        }
    }
    sink = relay(e, sink);
    if (k < CM_EV_KIND_COUNT) {
        e->stats.events[k]++;
    }
    rc = advance(e, ev->time_ms, sink);
    if (rc != 0 || k >= CM_EV_KIND_COUNT) {
        return rc;
    }
    for (size_t i = 0; i < e->nbyk[k]; i++) {
        struct slot *sl = e->byk[k][i];

        e->stats.dispatched++;
        if ((rc = sl->det->on_event(sl->state, ev, sink)) != 0) {
            return rc;
        }
    }
    return CM_OK;
}

int cm_engine_event(struct cm_engine *e, const struct cm_event *ev, struct cm_sink *sink)
{
    /* The caller may reuse ev's memory for its next event: forget what was stored for it. */
    e->memo.cur = CM_INTEL_MEMO_MAX;
    e->memo.e[CM_INTEL_MEMO_MAX].ev = NULL;
    return dispatch(e, ev, sink);
}

int cm_engine_events(struct cm_engine *e, const struct cm_event *const *evs, size_t n,
                     struct cm_sink *sink)
{
    const struct cm_intel_snapshot *s = cm_detect_intel(e->opts.config);
    int rc = CM_OK;

    for (size_t at = 0; at < n && rc == 0; at += CM_INTEL_MEMO_MAX) {
        size_t k = n - at < CM_INTEL_MEMO_MAX ? n - at : CM_INTEL_MEMO_MAX;

        cm_intel_memo_fill(&e->memo, s, evs + at, k);
        for (size_t i = 0; i < k && rc == 0; i++) {
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
    e->watermark = INT64_MAX;
    return tick_all(e, INT64_MAX, sink);
}

int64_t cm_engine_watermark(const struct cm_engine *e)
{
    return e->watermark;
}

void cm_engine_set_horizon(struct cm_engine *e, int64_t horizon_ms)
{
    e->horizon = horizon_ms;
}

const struct cm_engine_stats *cm_engine_stats(const struct cm_engine *e)
{
    return &e->stats;
}

void cm_engine_state_stats(const struct cm_engine *e, struct cm_state_stats *sum)
{
    if (e != NULL) {
        sum->bytes += e->seen.bytes;
        sum->peak_bytes += e->seen.peak_bytes;
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
    for (size_t i = 0; e != NULL && i < e->nslots; i++) {
        struct cm_state_stats one = {0};

        if (e->slots[i].det->state_stats != NULL && e->slots[i].state != NULL) {
            e->slots[i].det->state_stats(e->slots[i].state, &one);
            cm_det_states_add(d, e->slots[i].det->name, &one);
        }
    }
}

/*
 * The engine's part of a checkpoint: its version, then its clock, then (from version 2)
 * the CloudTrail eventIDs read (a u32 version and a section), then the detectors.
 * Version 1, which lacks the eventIDs, still loads: they start afresh and are named.
 */
#define ENGINE_CKPT_VERSION 2u
#define DETECTOR_NAME_MAX   64
#define SEEN_NAME           "eventIDs read (repeated CloudTrail records)"

int cm_engine_save(const struct cm_engine *e, struct cm_ckpt_w *w)
{
    uint32_t n = 0;
    size_t mark;

    for (size_t i = 0; i < e->nslots; i++) {
        n += e->slots[i].det->save != NULL;
    }
    cm_ckpt_put_u32(w, ENGINE_CKPT_VERSION);
    cm_ckpt_put_i64(w, e->max_time);
    cm_ckpt_put_i64(w, e->watermark);
    cm_ckpt_put_i64(w, e->next_tick);
    cm_ckpt_put_i64(w, e->opts.tick_ms);
    cm_ckpt_put_u32(w, CM_SEEN_STATE_VERSION);
    mark = cm_ckpt_begin(w);
    cm_seen_save(&e->seen, w);
    cm_ckpt_end(w, mark);
    cm_ckpt_put_u32(w, n);
    for (size_t i = 0; i < e->nslots && w->err == 0; i++) {
        const struct cm_detector *d = e->slots[i].det;
        int rc;

        if (d->save == NULL) {
            continue;
        }
        cm_ckpt_put_str(w, d->name, strlen(d->name));
        cm_ckpt_put_u32(w, d->state_version);
        mark = cm_ckpt_begin(w);
        if ((rc = d->save(e->slots[i].state, w)) != 0) {
            cm_ckpt_w_fail(w, rc);
        }
        cm_ckpt_end(w, mark);
    }
    return w->err;
}

static void note_dropped(char *dropped, size_t len, const char *name)
{
    size_t at;

    if (dropped == NULL || len == 0) {
        return;
    }
    at = strlen(dropped);
    if (at < len) {
        snprintf(dropped + at, len - at, "%s%s", at ? ", " : "", name);
    }
}

/* Starts slot's detector afresh. */
static int reset_slot(struct cm_engine *e, struct slot *sl)
{
    if (sl->det->finish) {
        sl->det->finish(sl->state);
    }
    sl->state = NULL;
    return sl->det->init ? sl->det->init(&sl->state, &e->opts) : CM_OK;
}

static struct slot *slot_named(struct cm_engine *e, struct cm_str name)
{
    for (size_t i = 0; i < e->nslots; i++) {
        if (cm_str_eqc(name, e->slots[i].det->name)) {
            return &e->slots[i];
        }
    }
    return NULL;
}

/* The eventIDs' section: another version of it starts afresh (the set is still empty). */
static int load_seen(struct cm_engine *e, struct cm_ckpt_r *r, char *dropped, size_t len)
{
    uint32_t sv = cm_ckpt_get_u32(r);
    size_t end = cm_ckpt_section(r);

    if (r->err != 0) {
        return r->err;
    }
    if (sv == CM_SEEN_STATE_VERSION) {
        if (cm_seen_load(&e->seen, r) != 0 || !cm_ckpt_section_done(r, end)) {
            return r->err;
        }
        return 0;
    }
    r->off = end;
    note_dropped(dropped, len, SEEN_NAME);
    return 0;
}

int cm_engine_load(struct cm_engine *e, struct cm_ckpt_r *r, char *dropped, size_t len)
{
    uint32_t version, n;
    int64_t max_time, wm, next, tick;
    bool *seen = NULL;
    int rc;

    if (dropped != NULL && len > 0) {
        dropped[0] = '\0';
    }
    version = cm_ckpt_get_u32(r);
    if (r->err == 0 && version != 1 && version != ENGINE_CKPT_VERSION) {
        return cm_ckpt_r_fail(r, CM_EFORMAT,
                              "the engine's part has a version this build does not read");
    }
    max_time = cm_ckpt_get_i64(r);
    wm = cm_ckpt_get_i64(r);
    next = cm_ckpt_get_i64(r);
    tick = cm_ckpt_get_i64(r);
    if (r->err != 0) {
        return r->err;
    }
    if (!cm_ckpt_time_ok(max_time) || !cm_ckpt_time_ok(wm) || !cm_ckpt_time_ok(next) ||
        wm > max_time || (next != INT64_MIN && next % (tick > 0 ? tick : 1) != 0) ||
        tick != e->opts.tick_ms) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "the engine's clock is inconsistent");
    }
    if (version == 1) {
        note_dropped(dropped, len, SEEN_NAME);
    } else if ((rc = load_seen(e, r, dropped, len)) != 0) {
        return rc;
    }
    n = cm_ckpt_get_u32(r);
    if (r->err != 0) {
        return r->err;
    }
    if ((seen = cm_calloc(e->nslots ? e->nslots : 1, sizeof(*seen))) == NULL) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    e->max_time = max_time;
    e->watermark = wm;
    e->next_tick = next;
    for (uint32_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str name = cm_ckpt_get_str(r, DETECTOR_NAME_MAX);
        uint32_t sv = cm_ckpt_get_u32(r);
        size_t end = cm_ckpt_section(r);
        struct slot *sl;

        if (r->err != 0) {
            break;
        }
        sl = slot_named(e, name);
        if (sl != NULL && seen[sl - e->slots]) {
            cm_ckpt_r_fail(r, CM_EINVAL, "a detector's state is in the file twice");
            break;
        }
        if (sl == NULL || sl->det->load == NULL || sl->det->state_version != sv) {
            char nm[DETECTOR_NAME_MAX + 1];

            /* Not this build's detector, or another layout of it: skipped. */
            snprintf(nm, sizeof(nm), "%.*s", (int)name.len, name.p);
            note_dropped(dropped, len, nm);
            r->off = end;
            if (sl != NULL) {
                seen[sl - e->slots] = true;
            }
            continue;
        }
        seen[sl - e->slots] = true;
        rc = sl->det->load(sl->state, r);
        if (rc == CM_EFORMAT && r->err == CM_EFORMAT) {
            /* Another layout (a setting changed the size of its values): start afresh. */
            r->err = 0;
            r->why[0] = '\0';
            r->off = end;
            note_dropped(dropped, len, sl->det->name);
            if ((rc = reset_slot(e, sl)) != 0) {
                cm_ckpt_r_fail(r, rc, "a detector could not be started afresh");
            }
            continue;
        }
        if (rc != 0) {
            cm_ckpt_r_fail(r, rc, "a detector refused its state");
            break;
        }
        cm_ckpt_section_done(r, end);
    }
    for (size_t i = 0; r->err == 0 && i < e->nslots; i++) {
        if (!seen[i] && e->slots[i].det->load != NULL) {
            note_dropped(dropped, len, e->slots[i].det->name);
        }
    }
    cm_free(seen);
    return r->err;
}
