/*
 * What the threads of `coalmine serve` did, for GET /metrics (docs/serve.md,
 * docs/metrics.md): the follow engine's totals, the bus thread's deliveries and the
 * canary thread's checks. Each thread adds under the mutex; the HTTP server's thread
 * reads under it (cm_serve_status_metrics), so no figure is torn.
 */
#ifndef CM_CLI_SERVE_STATUS_H
#define CM_CLI_SERVE_STATUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "bus/bus.h"
#include "core/follow_sqs.h"
#include "core/scan.h"

#define CM_SERVE_MAX_CANARIES 256 /* checks whose status is kept (more are counted) */
#define CM_SERVE_CANARY_NAME  128 /* bytes of a check's name kept, NUL included */

struct cm_serve_canary {
    char name[CM_SERVE_CANARY_NAME];
    int status; /* enum cm_canary_status */
};

struct cm_serve_status {
    pthread_mutex_t mu;
    /* the follow engine (watching: --watch or serve.watch given) */
    bool watching;
    uint64_t polls_read; /* polls that read at least one file */
    uint64_t files_read;
    uint64_t records[CM_SCAN_KINDS], rejected[CM_SCAN_KINDS];
    uint64_t rejected_files;
    uint64_t findings;    /* distinct findings of the polls, summed */
    int64_t last_poll_ms; /* Unix ms of the last poll that read; 0: none */
    uint64_t intel_reloads, intel_reload_errors;
    /* watched S3 locations (core/follow_s3.h): set once one is watched */
    bool s3;
    uint64_t s3_list_requests, s3_list_errors, s3_get_errors;
    /* watched SQS queues (core/follow_sqs.h): set once one is watched */
    bool sqs;
    struct cm_follow_sqs_stats sqs_st;
    /* the bus thread */
    uint64_t bus_runs, bus_errors;
    struct cm_bus_stats bus; /* summed over its runs */
    /* the canary thread */
    uint64_t canary_ticks, canary_errors;
    struct cm_serve_canary canaries[CM_SERVE_MAX_CANARIES];
    size_t ncanaries;
    uint64_t canaries_over; /* checks past CM_SERVE_MAX_CANARIES */
};

/* Returns 0 or an error of pthread_mutex_init. */
int cm_serve_status_init(struct cm_serve_status *s);
void cm_serve_status_destroy(struct cm_serve_status *s);

/* A poll of the follow engine that read files_read files (st: its stats). */
void cm_serve_status_poll(struct cm_serve_status *s, const struct cm_scan_stats *st,
                          size_t files_read, size_t findings, int64_t now_ms);

/* What the lister of watched S3 locations did so far (totals), and the GETs that failed. */
/* The watched queues' figures (after each poll of a watch of SQS queues). */
void cm_serve_status_sqs(struct cm_serve_status *s, const struct cm_follow_sqs_stats *st);
void cm_serve_status_s3(struct cm_serve_status *s, uint64_t list_requests, uint64_t list_errors,
                        uint64_t get_errors);

/* An intel reload, good or not. */
void cm_serve_status_reload(struct cm_serve_status *s, bool ok);

/* A run of the bus (ok: it returned 0), b: what it did. */
void cm_serve_status_bus(struct cm_serve_status *s, bool ok, const struct cm_bus_stats *b);

/* Deliveries made outside the bus thread (a canary's or a fire's first attempts). */
void cm_serve_status_deliveries(struct cm_serve_status *s, const struct cm_bus_stats *b);

/* A canary tick (ok: it returned 0). */
void cm_serve_status_tick(struct cm_serve_status *s, bool ok);

/* Check name ran with status (enum cm_canary_status): its last status is kept. */
void cm_serve_status_canary(struct cm_serve_status *s, const char *name, int status);

/*
 * Appends the families (Prometheus text format) to out: coalmine_scan_records,
 * coalmine_scan_rejected_records (kind), coalmine_scan_findings,
 * coalmine_follow_files_read, coalmine_follow_polls, coalmine_follow_last_poll_timestamp_seconds,
 * coalmine_intel_reloads (outcome) when watching; coalmine_follow_s3_list_requests and
 * coalmine_follow_s3_errors (operation: list, get) when watching an S3 location;
 * coalmine_follow_sqs_messages (outcome: received, deleted, failed, test),
 * coalmine_follow_sqs_objects (outcome: notified, read, gone, failed, filtered) and
 * coalmine_follow_sqs_requests (outcome: all, failed) when watching an SQS queue;
 * coalmine_routing_deliveries (outcome), coalmine_routing_source_deliveries (source, outcome),
 * coalmine_bus_runs (outcome); coalmine_canary_up (check: 1 PASS, 0 FAIL or ERROR) and
 * coalmine_canary_ticks (outcome). Has the signature of cm_api_http_opts.metrics_more (ud: the
 * struct cm_serve_status). Returns 0 or CM_ENOMEM.
 */
int cm_serve_status_metrics(void *ud, struct cm_buf *out);

#endif
