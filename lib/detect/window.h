/*
 * Event-time sliding window counter: a fixed ring of nbuckets buckets of
 * bucket_ms each, small enough to live inside a cm_state value and needing no
 * allocation. Time is cut into buckets aligned on multiples of bucket_ms
 * (bucket b covers [b * bucket_ms, (b + 1) * bucket_ms)); the window is the
 * head bucket (the newest that has been added to) and the nbuckets - 1
 * before it.
 *
 * cm_window_add() moves the head forward when the event is newer, clearing
 * the buckets it passes; an event older than the head but still inside the
 * window goes to its own bucket; an event older than the window is dropped
 * and counted in late. cm_window_sum(now) is the sum over the nbuckets
 * buckets ending with the one holding now_ms, i.e. over the last
 * (nbuckets - 1) * bucket_ms to nbuckets * bucket_ms of event time. Any jump
 * of time costs O(nbuckets) at most. A window is 512 bytes.
 */
#ifndef CM_DETECT_WINDOW_H
#define CM_DETECT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#define CM_WINDOW_MAX_BUCKETS 60

struct cm_window {
    int64_t head;                           /* bucket number of the head: floor(time / bucket_ms) */
    uint32_t bucket_ms;                     /* width of a bucket */
    uint16_t nbuckets;                      /* 1..CM_WINDOW_MAX_BUCKETS */
    uint16_t used;                          /* 0 until the first add */
    uint64_t late;                          /* events dropped as older than the window */
    uint64_t total;                         /* sum of every bucket */
    uint64_t bucket[CM_WINDOW_MAX_BUCKETS]; /* bucket b is bucket[b mod nbuckets] */
};

/*
 * Initialises an empty window. Returns 0, or CM_EINVAL when bucket_ms is 0 or
 * nbuckets is not in 1..CM_WINDOW_MAX_BUCKETS (the window is then unusable).
 */
int cm_window_init(struct cm_window *w, uint32_t bucket_ms, unsigned nbuckets);

/*
 * Adds n at event time now_ms. Returns true when counted, false when now_ms
 * is older than the window (the event is dropped and late is incremented).
 * Sums wrap past 2^64 (never in practice).
 */
bool cm_window_add(struct cm_window *w, int64_t now_ms, uint64_t n);

/* Sum over the window ending with the bucket of now_ms; the window is not changed. */
uint64_t cm_window_sum(const struct cm_window *w, int64_t now_ms);

#endif
