/*
 * What `coalmine serve` counts about its API, and the /metrics exposition
 * (Prometheus text format 0.0.4, docs/metrics.md): the store's findings,
 * outbox and deliveries, read at each scrape, and the API's requests by
 * operation and status code. The counts belong to the serving thread.
 */
#ifndef CM_API_API_METRICS_H
#define CM_API_API_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct cm_store;

#define CM_API_METRICS_MAX 512 /* distinct (operation, code) pairs counted */

struct cm_api_count {
    const char *op; /* a route's operation name, or a constant ("healthz", "unknown") */
    int code;
    uint64_t n;
};

struct cm_api_counts {
    struct cm_api_count v[CM_API_METRICS_MAX];
    size_t n;
    uint64_t overflow; /* requests past CM_API_METRICS_MAX pairs */
    int64_t in_flight;
    int64_t started_ms; /* when serving started (Unix ms) */
};

/* Counts one finished request. op must outlive the counts (a constant). */
void cm_api_count(struct cm_api_counts *c, const char *op, int code);

/*
 * Appends the exposition to out: the store's gauges (store NULL, or unreadable: only
 * coalmine_api_store_up 0 and the API's counters) and the API's counters. Returns 0 or
 * CM_ENOMEM.
 */
int cm_api_metrics_write(struct cm_buf *out, struct cm_store *store, const struct cm_api_counts *c);

#endif
