/*
 * struct cm_window: bucket b (time floor-divided by bucket_ms) lives at ring
 * slot b mod nbuckets. Invariants: when used, buckets head - nbuckets + 1 ..
 * head are the ones in the ring, every slot holds the count of exactly that
 * bucket, and total is their sum. All ring walks step forward from the head's
 * slot, so no bucket number is ever formed outside the int64 range.
 */
#include "detect/window.h"

#include <string.h>

#include "base/err.h"

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    if (a % b != 0 && a < 0) {
        q--;
    }
    return q;
}

static unsigned ring_slot(const struct cm_window *w, int64_t b)
{
    int64_t r = b % (int64_t)w->nbuckets;

    return (unsigned)(r < 0 ? r + w->nbuckets : r);
}

int cm_window_init(struct cm_window *w, uint32_t bucket_ms, unsigned nbuckets)
{
    memset(w, 0, sizeof(*w));
    if (bucket_ms == 0 || nbuckets == 0 || nbuckets > CM_WINDOW_MAX_BUCKETS) {
        return CM_EINVAL;
    }
    w->bucket_ms = bucket_ms;
    w->nbuckets = (uint16_t)nbuckets;
    return 0;
}

/* Moves the head forward by steps buckets, clearing the ones it enters. */
static void advance(struct cm_window *w, int64_t b, uint64_t steps)
{
    unsigned s = ring_slot(w, w->head);
    uint64_t k;

    if (steps >= w->nbuckets) {
        memset(w->bucket, 0, sizeof(w->bucket));
        w->total = 0;
    } else {
        for (k = 0; k < steps; k++) {
            s = s + 1 == w->nbuckets ? 0 : s + 1;
            w->total -= w->bucket[s];
            w->bucket[s] = 0;
        }
    }
    w->head = b;
}

bool cm_window_add(struct cm_window *w, int64_t now_ms, uint64_t n)
{
    int64_t b;

    if (w->nbuckets == 0) {
        return false;
    }
    b = floor_div(now_ms, w->bucket_ms);
    if (!w->used) {
        w->used = 1;
        w->head = b;
    } else if (b > w->head) {
        advance(w, b, (uint64_t)b - (uint64_t)w->head);
    } else if ((uint64_t)w->head - (uint64_t)b >= w->nbuckets) {
        w->late++;
        return false;
    }
    w->bucket[ring_slot(w, b)] += n;
    w->total += n;
    return true;
}

/* Sum of count buckets starting at the one after the head's slot (the oldest). */
static uint64_t sum_oldest(const struct cm_window *w, uint64_t count)
{
    unsigned s = ring_slot(w, w->head);
    uint64_t sum = 0, k;

    for (k = 0; k < count; k++) {
        s = s + 1 == w->nbuckets ? 0 : s + 1;
        sum += w->bucket[s];
    }
    return sum;
}

uint64_t cm_window_sum(const struct cm_window *w, int64_t now_ms)
{
    int64_t b;
    uint64_t d;

    if (!w->used || w->nbuckets == 0) {
        return 0;
    }
    b = floor_div(now_ms, w->bucket_ms);
    if (b >= w->head) {
        d = (uint64_t)b - (uint64_t)w->head;
        /* Buckets head - nbuckets + 1 .. b - nbuckets have left the window. */
        return d >= w->nbuckets ? 0 : w->total - sum_oldest(w, d);
    }
    d = (uint64_t)w->head - (uint64_t)b;
    /* Only buckets head - nbuckets + 1 .. b are in both windows. */
    return d >= w->nbuckets ? 0 : sum_oldest(w, w->nbuckets - d);
}
