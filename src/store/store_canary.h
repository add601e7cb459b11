/*
 * Canaries in the store (store_canary.c; docs/canaries.md): the newest record of each
 * log source and the last scan, the canary checks with their last results, and the
 * events a canary run or a scheduled rule puts in the outbox. store.h includes this.
 */
#ifndef CM_STORE_STORE_CANARY_H
#define CM_STORE_STORE_CANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cm_store;

/* The log sources the store keeps the newest record of (cm_store_source_newest). */
#define CM_STORE_SOURCES "cloudtrail, vpcflow, dns or s3data"

/*
 * The newest event time any recorded scan read of source ("cloudtrail", "vpcflow",
 * "dns", "s3data": S3 data events), of account and region when not NULL, into *newest_ms,
 * and when the scan that read it started into *scan_ms (may be NULL). Returns 0,
 * CM_ENOTFOUND (never seen) or CM_EIO.
 */
int cm_store_source_newest(struct cm_store *st, const char *source, const char *account,
                           const char *region, int64_t *newest_ms, int64_t *scan_ms);

/* The last recorded scan, for the scan-health check. */
struct cm_store_scan_summary {
    int64_t id;
    int64_t started_ms;
    uint64_t files, records, rejected, rejected_files;
};
/* Reads the newest scan's summary. Returns 0, CM_ENOTFOUND (no scan yet) or CM_EIO. */
int cm_store_last_scan(struct cm_store *st, struct cm_store_scan_summary *out);

/* A canary check as stored, with its last result. */
struct cm_store_canary {
    const char *name;     /* cm_store_name_ok */
    const char *kind;     /* the check: "freshness", "pipeline", "scan-health" */
    const char *schedule; /* its schedule expression */
    const char *params;   /* its parameters: a JSON object (canonical, checked by its kind) */
    bool enabled;
    bool every_fail; /* an event on every FAIL, not only on a change of status */
    const char *created_at, *updated_at;
    /* Its last run (read back; NULL / 0: never run). */
    const char *status; /* "PASS", "FAIL", "ERROR" */
    const char *reason;
    const char *observed; /* JSON object */
    int64_t last_run_ms;
    int64_t changed_ms; /* when status last changed */
    /* Where it came from: "config" (coalmine.yaml, cm_store_canaries_reconcile); NULL:
     * `canary put` (put sets it as given: NULL takes a check over from the file). */
    const char *origin;
};

/* What cm_store_canaries_reconcile did. */
struct cm_store_reconciled {
    unsigned created, updated, unchanged, removed;
};

/*
 * Makes the checks the config file names (v[0..n), each put as cm_store_canary_put puts
 * it, its last result kept while its kind is the same, with origin "config"; one whose
 * every setting is unchanged is not touched), and deletes the checks the file made before
 * that it no longer names (origin "config"); checks `canary put` made are left alone. One
 * transaction. *out (may be NULL) gets the counts. Returns 0, CM_EINVAL (a bad name) or
 * CM_EIO.
 */
int cm_store_canaries_reconcile(struct cm_store *st, const struct cm_store_canary *v, size_t n,
                                struct cm_store_reconciled *out, char *err, size_t errlen);

/* Creates or replaces c->name (its last result kept when its kind is unchanged). */
int cm_store_canary_put(struct cm_store *st, const struct cm_store_canary *c, char *err,
                        size_t errlen);
/* Deletes a canary. Returns 0, CM_ENOTFOUND or CM_EIO. */
int cm_store_canary_delete(struct cm_store *st, const char *name, char *err, size_t errlen);
/* Calls fn for each canary by name (name NULL: all). Returns 0, CM_EIO or fn's value. */
typedef int (*cm_store_canary_fn)(void *ud, const struct cm_store_canary *c);
int cm_store_canaries(struct cm_store *st, const char *name, cm_store_canary_fn fn, void *ud,
                      char *err, size_t errlen);
/*
 * Records a run of canary name: its status, reason and observed values, run at run_ms;
 * changed_ms moves to run_ms when the status differs from the last. Returns 0,
 * CM_ENOTFOUND or CM_EIO.
 */
int cm_store_canary_record(struct cm_store *st, const char *name, const char *status,
                           const char *reason, const char *observed, int64_t run_ms, char *err,
                           size_t errlen);

/* An event to put in the outbox with what it reports (schema 14). */
struct cm_store_event {
    const char *event; /* the EventBridge event, JSON text */
    size_t len;
    int64_t created_ms; /* the outbox row's time: its age limit counts from it */
};

/*
 * cm_store_canary_record, and in the same transaction, when ev is not NULL and some
 * enabled rule has an event pattern, the result's event as an outbox row (source
 * "canary", the check's name): *oseq gets its seq, 0 when none was written. A crash
 * cannot record the result without its event, nor send the event twice for one run.
 * Returns 0, CM_ENOTFOUND or CM_EIO (nothing written).
 */
int cm_store_canary_record_event(struct cm_store *st, const char *name, const char *status,
                                 const char *reason, const char *observed, int64_t run_ms,
                                 const struct cm_store_event *ev, int64_t *oseq, char *err,
                                 size_t errlen);

/*
 * cm_store_rule_fire, and in the same transaction, when this call moved the fire and
 * the rule is enabled, its Scheduled Event ev as an outbox row (source "schedule", the
 * rule's name; delivered to that rule's targets only): *oseq gets its seq, 0 when none
 * was written. Returns 0 or CM_EIO (nothing written).
 */
int cm_store_rule_fire_event(struct cm_store *st, const char *name, int64_t prev_ms,
                             int64_t fired_ms, const struct cm_store_event *ev, bool *taken,
                             int64_t *oseq, char *err, size_t errlen);

/*
 * Moves scheduled rule name's last fire to fired_ms, if it was before (another process
 * firing it too does not fire it twice): *taken says whether this call moved it.
 * Returns 0 or CM_EIO.
 */
int cm_store_rule_fire(struct cm_store *st, const char *name, int64_t prev_ms, int64_t fired_ms,
                       bool *taken, char *err, size_t errlen);

#endif
