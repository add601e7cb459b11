/*
 * A CloudTrail input's records in event-time order (parse/rec_order.h). AWS
 * writes a file's records in no particular order; the detectors that learn
 * and then judge read them as they come. The direct path holds an input's
 * events (their tape and strings stay where the parser put them) and hands
 * them to the engine in time order at its end; the threaded path has them in
 * the input's batches, which are not yet published: when their times go
 * backwards, the reader gives the batches back and parses the records again
 * in time order (scan_read.c).
 */
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/scan_impl.h"
#include "detect/detect.h"

#define HELD_ALIGN 16
/*
 * How many events ahead the engine is asked to fetch an eventID's slots in the set of
 * records read (cm_engine_prefetch): 1, 2, 4 and 8 ahead each took check() (seen.c) from
 * 7 % of a one-thread CloudTrail scan's CPU samples to about 1 %, 2 the lowest.
 */
#define HELD_AHEAD 2

int cm_scan_hold(struct reader *r, const struct cm_event *ev)
{
    size_t size = cm_event_size(ev),
           at = (r->held_bytes.len + HELD_ALIGN - 1) & ~(size_t)(HELD_ALIGN - 1);
    int rc;

    if (cm_grow((void **)&r->held, &r->held_cap, r->nheld + 1, sizeof(*r->held), 256) != 0) {
        return CM_ENOMEM;
    }
    if ((rc = cm_buf_reserve(&r->held_bytes, at - r->held_bytes.len + size)) != 0) {
        return rc == CM_E2BIG ? CM_ENOMEM : rc;
    }
    memcpy(r->held_bytes.p + at, ev, size);
    r->held_bytes.len = at + size;
    /* Copies lie in the order held, so their offsets keep records of one time in order. */
    r->held[r->nheld] = (struct cm_rec_span){ev->time_ms, at, (uint32_t)size, ev->src.line};
    r->nheld++;
    return CM_OK;
}

/* The i-th event held, in the order they are handed over once sorted. */
static const struct cm_event *held_event(const struct reader *r, size_t i)
{
    return (const struct cm_event *)(r->held_bytes.p + r->held[i].off);
}

int cm_scan_release_held(struct reader *r)
{
    int rc = CM_OK;

    if (!cm_rec_order_sorted(r->held, r->nheld)) {
        cm_rec_order_sort(r->held, r->nheld);
        r->reordered_inputs++;
    }
    for (size_t i = 0; i < r->nheld && i < HELD_AHEAD; i++) {
        cm_engine_prefetch(r->engine, held_event(r, i));
    }
    for (size_t i = 0; i < r->nheld && rc == 0; i++) {
        if (i + HELD_AHEAD < r->nheld) {
            cm_engine_prefetch(r->engine, held_event(r, i + HELD_AHEAD));
        }
        rc = cm_engine_event(r->engine, held_event(r, i), &r->s->sink);
    }
    return rc;
}

int cm_scan_unit_spans(const struct cm_batch *from, struct cm_rec_span **out, size_t *n)
{
    struct cm_rec_span *sp = NULL;
    size_t k = 0, cap = 0;

    *out = NULL;
    *n = 0;
    for (const struct cm_batch *b = from; b != NULL; b = b->next) {
        for (uint32_t i = 0; i < b->n; i++) {
            const struct cm_event *ev = &b->ev[i];

            if (cm_grow((void **)&sp, &cap, k + 1, sizeof(*sp), 256) != 0) {
                cm_free(sp);
                return CM_ENOMEM;
            }
            sp[k++] =
                (struct cm_rec_span){ev->time_ms, ev->src.offset, ev->src.length, ev->src.line};
        }
    }
    *out = sp;
    *n = k;
    return CM_OK;
}

int cm_scan_sort_batch(struct reader *r, struct cm_batch *b, uint32_t from)
{
    uint32_t m = b->n - from;
    bool sorted = true;

    for (uint32_t i = from + 1; i < b->n && sorted; i++) {
        sorted = b->ev[i].time_ms >= b->ev[i - 1].time_ms;
    }
    if (sorted) {
        return CM_OK;
    }
    if (r->sort_cap < b->cap) {
        struct cm_event *ev = cm_malloc(b->cap * sizeof(*ev));
        struct cm_rec_span *sp = cm_malloc(b->cap * sizeof(*sp));
        uint16_t *sh = cm_malloc(b->cap * sizeof(*sh));

        if (ev == NULL || sp == NULL || sh == NULL) {
            cm_free(ev);
            cm_free(sp);
            cm_free(sh);
            return CM_ENOMEM;
        }
        cm_free(r->sort_ev);
        cm_free(r->sort_sp);
        cm_free(r->sort_shard);
        r->sort_ev = ev;
        r->sort_sp = sp;
        r->sort_shard = sh;
        r->sort_cap = b->cap;
    }
    /* By time, events of one time in the order they were (their index as the offset). */
    for (uint32_t i = 0; i < m; i++) {
        r->sort_sp[i] = (struct cm_rec_span){b->ev[from + i].time_ms, i, 0, 0};
    }
    cm_rec_order_sort(r->sort_sp, m);
    for (uint32_t i = 0; i < m; i++) {
        const struct cm_event *ev = &b->ev[from + r->sort_sp[i].off];

        memcpy(&r->sort_ev[i], ev, cm_event_size(ev));
        r->sort_shard[i] = b->shard[from + r->sort_sp[i].off];
    }
    for (uint32_t i = 0; i < m; i++) {
        memcpy(&b->ev[from + i], &r->sort_ev[i], cm_event_size(&r->sort_ev[i]));
    }
    memcpy(b->shard + from, r->sort_shard, m * sizeof(*r->sort_shard));
    r->reordered_inputs++;
    return CM_OK;
}
