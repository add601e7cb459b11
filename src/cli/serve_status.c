/*
 * What the threads of `coalmine serve` did, for GET /metrics (serve_status.h).
 */
#include "cli/serve_status.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/prom.h"
#include "event/event.h"

int cm_serve_status_init(struct cm_serve_status *s)
{
    memset(s, 0, sizeof(*s));
    return pthread_mutex_init(&s->mu, NULL);
}

void cm_serve_status_destroy(struct cm_serve_status *s)
{
    pthread_mutex_destroy(&s->mu);
}

void cm_serve_status_poll(struct cm_serve_status *s, const struct cm_scan_stats *st,
                          size_t files_read, size_t findings, int64_t now_ms)
{
    pthread_mutex_lock(&s->mu);
    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        s->records[k] += st->records[k];
        s->rejected[k] += st->rejected[k];
    }
    s->rejected_files += st->rejected_files;
    s->files_read += files_read;
    s->findings += findings;
    if (files_read > 0) {
        s->polls_read++;
        s->last_poll_ms = now_ms;
    }
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_s3(struct cm_serve_status *s, uint64_t list_requests, uint64_t list_errors,
                        uint64_t get_errors)
{
    pthread_mutex_lock(&s->mu);
    s->s3 = true;
    s->s3_list_requests = list_requests;
    s->s3_list_errors = list_errors;
    s->s3_get_errors = get_errors;
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_sqs(struct cm_serve_status *s, const struct cm_follow_sqs_stats *st)
{
    pthread_mutex_lock(&s->mu);
    s->sqs = true;
    s->sqs_st = *st;
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_reload(struct cm_serve_status *s, bool ok)
{
    pthread_mutex_lock(&s->mu);
    if (ok) {
        s->intel_reloads++;
    } else {
        s->intel_reload_errors++;
    }
    pthread_mutex_unlock(&s->mu);
}

/* Adds b's routed rows and attempts to s->bus, in total and by source. */
static void add_deliveries(struct cm_serve_status *s, const struct cm_bus_stats *b)
{
    s->bus.events += b->events;
    s->bus.matched += b->matched;
    s->bus.delivered += b->delivered;
    s->bus.failed += b->failed;
    s->bus.gave_up += b->gave_up;
    for (int i = 0; i < CM_BUS_NSOURCES; i++) {
        s->bus.by_source[i].events += b->by_source[i].events;
        s->bus.by_source[i].delivered += b->by_source[i].delivered;
        s->bus.by_source[i].failed += b->by_source[i].failed;
        s->bus.by_source[i].gave_up += b->by_source[i].gave_up;
    }
}

void cm_serve_status_bus(struct cm_serve_status *s, bool ok, const struct cm_bus_stats *b)
{
    pthread_mutex_lock(&s->mu);
    s->bus_runs++;
    s->bus_errors += !ok;
    add_deliveries(s, b);
    s->bus.released += b->released;
    s->bus.held = b->held;       /* left held now: a level, not a sum */
    s->bus.pending = b->pending; /* ... and left not done */
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_deliveries(struct cm_serve_status *s, const struct cm_bus_stats *b)
{
    pthread_mutex_lock(&s->mu);
    add_deliveries(s, b);
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_tick(struct cm_serve_status *s, bool ok)
{
    pthread_mutex_lock(&s->mu);
    s->canary_ticks++;
    s->canary_errors += !ok;
    pthread_mutex_unlock(&s->mu);
}

void cm_serve_status_canary(struct cm_serve_status *s, const char *name, int status)
{
    size_t i;

    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->ncanaries; i++) {
        if (strncmp(s->canaries[i].name, name, CM_SERVE_CANARY_NAME - 1) == 0) {
            break;
        }
    }
    if (i == s->ncanaries) {
        if (i == CM_SERVE_MAX_CANARIES) {
            s->canaries_over++;
            pthread_mutex_unlock(&s->mu);
            return;
        }
        snprintf(s->canaries[i].name, sizeof(s->canaries[i].name), "%s", name);
        s->ncanaries++;
    }
    s->canaries[i].status = status;
    pthread_mutex_unlock(&s->mu);
}

/* name{label="value"} n, or name n when label is NULL. */
static int sample(struct cm_buf *b, const char *name, const char *label, const char *value,
                  uint64_t n)
{
    struct cm_prom_label l = {label, value, label != NULL ? strlen(value) : 0};

    return cm_prom_sample_u64(b, name, &l, label != NULL, n);
}

static int sqs_families(struct cm_buf *b, const struct cm_follow_sqs_stats *q)
{
    int rc = cm_prom_family(b, "coalmine_follow_sqs_messages", "counter",
                            "Messages of the watched SQS queues, by outcome: received, deleted "
                            "(what they name read and stored), failed (not parsed: left in the "
                            "queue), test (s3:TestEvent, deleted).");

    rc = rc ? rc : sample(b, "coalmine_follow_sqs_messages", "outcome", "received", q->received);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_messages", "outcome", "deleted", q->deleted);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_messages", "outcome", "failed", q->failed);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_messages", "outcome", "test", q->tests);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_sqs_objects", "counter",
                             "Objects the watched SQS queues' messages named, by outcome: "
                             "notified, read, gone (no longer there), failed (read failed: "
                             "message left in the queue), filtered (not under the prefix, or "
                             "no log).");
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_objects", "outcome", "notified", q->objects);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_objects", "outcome", "read", q->objects_read);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_objects", "outcome", "gone", q->objects_gone);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_objects", "outcome", "failed", q->objects_failed);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_objects", "outcome", "filtered", q->filtered);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_sqs_requests", "counter",
                             "SQS requests the watch of queues made (attempts), and those that "
                             "failed after the retries.");
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_requests", "outcome", "all", q->requests);
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_requests", "outcome", "failed", q->errors);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_sqs_in_flight", "gauge",
                             "Messages received and not yet deleted or released.");
    rc = rc ? rc : sample(b, "coalmine_follow_sqs_in_flight", NULL, NULL, q->in_flight);
    return rc;
}

static int engine_families(struct cm_buf *b, const struct cm_serve_status *s)
{
    int rc =
        cm_prom_family(b, "coalmine_scan_records", "counter",
                       "Good records the watched directories gave the engine since the service "
                       "started, by kind.");

    for (int k = CM_EV_NONE + 1; k < CM_SCAN_KINDS && rc == 0; k++) {
        rc = sample(b, "coalmine_scan_records", "kind", cm_event_kind_name((enum cm_event_kind)k),
                    s->records[k]);
    }
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_scan_rejected_records", "counter",
                             "Malformed records counted and skipped since the service started, by "
                             "kind.");
    for (int k = CM_EV_NONE + 1; k < CM_SCAN_KINDS && rc == 0; k++) {
        rc = sample(b, "coalmine_scan_rejected_records", "kind",
                    cm_event_kind_name((enum cm_event_kind)k), s->rejected[k]);
    }
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_scan_rejected_files", "counter",
                             "Inputs rejected whole (unreadable, unrecognised, damaged).");
    rc = rc ? rc : sample(b, "coalmine_scan_rejected_files", NULL, NULL, s->rejected_files);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_scan_findings", "counter",
                             "Distinct findings the engine's polls reported (new or updated), "
                             "summed over the polls.");
    rc = rc ? rc : sample(b, "coalmine_scan_findings", NULL, NULL, s->findings);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_files_read", "counter",
                             "Files of the watched directories read whole.");
    rc = rc ? rc : sample(b, "coalmine_follow_files_read", NULL, NULL, s->files_read);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_polls", "counter",
                             "Polls that read at least one file.");
    rc = rc ? rc : sample(b, "coalmine_follow_polls", NULL, NULL, s->polls_read);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_last_poll_timestamp_seconds", "gauge",
                             "When a poll last read a file (Unix time; 0: none yet).");
    rc = rc ? rc
            : cm_buf_printf(b, "coalmine_follow_last_poll_timestamp_seconds %.3f\n",
                            (double)s->last_poll_ms / 1000.0);
    rc = rc ? rc
            : cm_prom_family(
                  b, "coalmine_intel_reloads", "counter",
                  "Intel snapshots rebuilt because the store's lists changed, by outcome.");
    rc = rc ? rc : sample(b, "coalmine_intel_reloads", "outcome", "ok", s->intel_reloads);
    rc = rc ? rc : sample(b, "coalmine_intel_reloads", "outcome", "error", s->intel_reload_errors);
    if (s->sqs) {
        rc = rc ? rc : sqs_families(b, &s->sqs_st);
    }
    if (!s->s3) {
        return rc;
    }
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_s3_list_requests", "counter",
                             "ListObjectsV2 requests (pages) the watch of S3 locations made.");
    rc = rc ? rc : sample(b, "coalmine_follow_s3_list_requests", NULL, NULL, s->s3_list_requests);
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_follow_s3_errors", "counter",
                             "Listings of a watched S3 location and GETs of its objects that "
                             "failed (after the client's retries), by operation: each is tried "
                             "again at a later poll.");
    rc = rc ? rc : sample(b, "coalmine_follow_s3_errors", "operation", "list", s->s3_list_errors);
    rc = rc ? rc : sample(b, "coalmine_follow_s3_errors", "operation", "get", s->s3_get_errors);
    return rc;
}

static int bus_families(struct cm_buf *b, const struct cm_serve_status *s)
{
    /* No "held": updates held now are a level, which a counter's series may not be (a
     * rate() would read each fall as a restart); coalmine_store_outbox{state="held"} is it. */
    static const char *const names[] = {"events", "matched", "delivered",
                                        "failed", "gave_up", "released"};
    const uint64_t v[] = {s->bus.events, s->bus.matched, s->bus.delivered,
                          s->bus.failed, s->bus.gave_up, s->bus.released};
    int rc = cm_prom_family(b, "coalmine_routing_deliveries", "counter",
                            "What the service's bus did since it started: outbox rows routed, "
                            "rule matches, deliveries that succeeded, failed (tried again later), "
                            "gave up, and held updates released.");

    _Static_assert(sizeof(v) / sizeof(v[0]) == sizeof(names) / sizeof(names[0]), "outcomes");
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]) && rc == 0; i++) {
        rc = sample(b, "coalmine_routing_deliveries", "outcome", names[i], v[i]);
    }
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_routing_source_deliveries", "counter",
                             "coalmine_routing_deliveries' events and attempts by where the "
                             "event comes from: a finding, a canary check's result, a "
                             "scheduled rule's fire or a PutEvents entry (the first attempts "
                             "canary runs make included).");
    for (int i = 0; i < CM_BUS_NSOURCES && rc == 0; i++) {
        const char *src = cm_bus_source_name((enum cm_bus_source)i);
        const uint64_t sv[] = {s->bus.by_source[i].events, s->bus.by_source[i].delivered,
                               s->bus.by_source[i].failed, s->bus.by_source[i].gave_up};
        static const char *const sn[] = {"events", "delivered", "failed", "gave_up"};
        for (size_t k = 0; k < 4 && rc == 0; k++) {
            struct cm_prom_label l[2] = {{"source", src, strlen(src)},
                                         {"outcome", sn[k], strlen(sn[k])}};
            rc = cm_prom_sample_u64(b, "coalmine_routing_source_deliveries", l, 2, sv[k]);
        }
    }
    rc = rc ? rc
            : cm_prom_family(b, "coalmine_bus_runs", "counter",
                             "Runs of the bus thread, by outcome.");
    rc = rc ? rc : sample(b, "coalmine_bus_runs", "outcome", "ok", s->bus_runs - s->bus_errors);
    rc = rc ? rc : sample(b, "coalmine_bus_runs", "outcome", "error", s->bus_errors);
    return rc;
}

static int canary_families(struct cm_buf *b, const struct cm_serve_status *s)
{
    int rc = cm_prom_family(b, "coalmine_canary_up", "gauge",
                            "Each canary check's last status since the service started: 1 PASS, 0 "
                            "FAIL or ERROR.");

    for (size_t i = 0; i < s->ncanaries && rc == 0; i++) {
        rc = sample(b, "coalmine_canary_up", "check", s->canaries[i].name,
                    s->canaries[i].status == 0 ? 1 : 0);
    }
    rc = rc ? rc
            : cm_prom_family(
                  b, "coalmine_canary_ticks", "counter",
                  "Ticks of the canary thread, by outcome (error: a check or scheduled rule "
                  "could not run).");
    rc = rc ? rc
            : sample(b, "coalmine_canary_ticks", "outcome", "ok",
                     s->canary_ticks - s->canary_errors);
    rc = rc ? rc : sample(b, "coalmine_canary_ticks", "outcome", "error", s->canary_errors);
    return rc;
}

int cm_serve_status_metrics(void *ud, struct cm_buf *out)
{
    struct cm_serve_status *s = ud;
    int rc = 0;

    pthread_mutex_lock(&s->mu);
    if (s->watching) {
        rc = engine_families(out, s);
    }
    rc = rc ? rc : bus_families(out, s);
    rc = rc ? rc : canary_families(out, s);
    pthread_mutex_unlock(&s->mu);
    return rc ? CM_ENOMEM : 0;
}
