/*
 * The engine's part of a checkpoint (cm_engine_save, cm_engine_load): its
 * clocks, the CloudTrail eventIDs read, the flow detectors' own-address
 * learner, then each detector's section by name and state version, an old
 * version read by the detector's load_old, an unknown one skipped and named.
 */
#include "detect/detect.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect_impl.h"

/*
 * The engine's part of a checkpoint: its version, then its clock over every event and the
 * tick interval, then (from version 3) a u32 count of event kinds and each kind's clock
 * (max time, watermark, next tick, last tick), then (from version 2) the CloudTrail
 * eventIDs read (a u32 version and a section), then (from version 4) the flow detectors'
 * own-address learner (a u32 version and a section: its table, or nothing for an engine
 * without one), then the detectors. Versions 1 and 2 still load: each kind's clock starts
 * as the clock over every event (what drove every detector then), and version 1's eventIDs
 * start afresh and are named. Up to version 3 each flow detector kept a copy of the
 * learner's table in its own section (cm_flow_local_load_copy).
 */
#define ENGINE_CKPT_VERSION 4u
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
    cm_ckpt_put_i64(w, e->all.max_time);
    cm_ckpt_put_i64(w, e->all.watermark);
    cm_ckpt_put_i64(w, e->all.next_tick);
    cm_ckpt_put_i64(w, e->opts.tick_ms);
    cm_ckpt_put_u32(w, CM_EV_KIND_COUNT);
    for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
        cm_ckpt_put_i64(w, e->kind[k].max_time);
        cm_ckpt_put_i64(w, e->kind[k].watermark);
        cm_ckpt_put_i64(w, e->kind[k].next_tick);
        cm_ckpt_put_i64(w, e->kind[k].ticked);
    }
    cm_ckpt_put_u32(w, CM_SEEN_STATE_VERSION);
    mark = cm_ckpt_begin(w);
    cm_seen_save(&e->seen, w);
    cm_ckpt_end(w, mark);
    cm_ckpt_put_u32(w, CM_FLOW_LOCAL_STATE_VERSION);
    mark = cm_ckpt_begin(w);
    if (e->flow_local != NULL) {
        cm_flow_local_save(e->flow_local, w);
    }
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

/*
 * The learner's section: empty when the engine that saved it had none; skipped when this
 * one has none; another version of it starts afresh (the table is still empty) and is named.
 */
static int load_flow_local(struct cm_engine *e, struct cm_ckpt_r *r, char *dropped, size_t len)
{
    uint32_t v = cm_ckpt_get_u32(r);
    size_t end = cm_ckpt_section(r);

    if (r->err != 0) {
        return r->err;
    }
    if (v != CM_FLOW_LOCAL_STATE_VERSION) {
        note_dropped(dropped, len, FLOW_LOCAL_NAME);
    } else if (r->off < end && e->flow_local != NULL) {
        if (cm_flow_local_load(e->flow_local, r) != 0 || !cm_ckpt_section_done(r, end)) {
            return r->err;
        }
    }
    r->off = end;
    return 0;
}

/* Whether c is a clock this engine could have saved (tick: its interval). */
static bool clock_ok(const struct clock *c, int64_t tick)
{
    return cm_ckpt_time_ok(c->max_time) && cm_ckpt_time_ok(c->watermark) &&
           cm_ckpt_time_ok(c->next_tick) && cm_ckpt_time_ok(c->ticked) &&
           c->watermark <= c->max_time && c->ticked <= c->watermark &&
           (c->next_tick == INT64_MIN || c->next_tick % (tick > 0 ? tick : 1) == 0);
}

/* Reads the clocks of a checkpoint of version into all and kind (unchecked). */
static void load_clocks(struct cm_ckpt_r *r, uint32_t version, struct clock *all,
                        struct clock *kind, int64_t *tick)
{
    all->max_time = cm_ckpt_get_i64(r);
    all->watermark = cm_ckpt_get_i64(r);
    all->next_tick = cm_ckpt_get_i64(r);
    all->ticked = INT64_MIN;
    *tick = cm_ckpt_get_i64(r);
    if (version < 3) {
        for (unsigned k = 0; k < CM_EV_KIND_COUNT; k++) {
            kind[k] = *all;
            kind[k].ticked = all->watermark;
        }
        return;
    }
    if (cm_ckpt_get_u32(r) != CM_EV_KIND_COUNT && r->err == 0) {
        cm_ckpt_r_fail(r, CM_EFORMAT, "the engine's part has another number of event kinds");
        return;
    }
    for (unsigned k = 0; k < CM_EV_KIND_COUNT && r->err == 0; k++) {
        kind[k].max_time = cm_ckpt_get_i64(r);
        kind[k].watermark = cm_ckpt_get_i64(r);
        kind[k].next_tick = cm_ckpt_get_i64(r);
        kind[k].ticked = cm_ckpt_get_i64(r);
    }
}

int cm_engine_load(struct cm_engine *e, struct cm_ckpt_r *r, char *dropped, size_t len)
{
    uint32_t version, n;
    struct clock all, kind[CM_EV_KIND_COUNT];
    int64_t tick;
    bool *seen = NULL;
    bool ok;
    int rc;

    if (dropped != NULL && len > 0) {
        dropped[0] = '\0';
    }
    version = cm_ckpt_get_u32(r);
    if (r->err == 0 && (version < 1 || version > ENGINE_CKPT_VERSION)) {
        return cm_ckpt_r_fail(r, CM_EFORMAT,
                              "the engine's part has a version this build does not read");
    }
    load_clocks(r, version, &all, kind, &tick);
    if (r->err != 0) {
        return r->err;
    }
    all.ticked = all.watermark; /* not kept: no event is counted late by it */
    ok = clock_ok(&all, tick) && tick == e->opts.tick_ms;
    for (unsigned k = 0; k < CM_EV_KIND_COUNT && ok; k++) {
        ok = clock_ok(&kind[k], tick) && kind[k].max_time <= all.max_time;
    }
    if (!ok) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "the engine's clock is inconsistent");
    }
    if (version == 1) {
        note_dropped(dropped, len, SEEN_NAME);
    } else if ((rc = load_seen(e, r, dropped, len)) != 0) {
        return rc;
    }
    if (version >= 4 && (rc = load_flow_local(e, r, dropped, len)) != 0) {
        return rc;
    }
    n = cm_ckpt_get_u32(r);
    if (r->err != 0) {
        return r->err;
    }
    if ((seen = cm_calloc(e->nslots ? e->nslots : 1, sizeof(*seen))) == NULL) {
        return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
    }
    e->all = all;
    memcpy(e->kind, kind, sizeof(kind));
    e->skew_low = INT64_MIN;
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
        if (sl == NULL || sl->det->load == NULL ||
            (sl->det->state_version != sv &&
             (sl->det->load_old == NULL || sl->det->state_version_old == 0 ||
              sv < sl->det->state_version_old || sv > sl->det->state_version))) {
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
        rc = sv == sl->det->state_version ? sl->det->load(sl->state, r)
                                          : sl->det->load_old(sl->state, r, sv);
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
