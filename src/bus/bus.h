/*
 * The event bus (DESIGN.md §1 "store -> bus -> targets"; docs/internals/bus.md):
 * routes published findings, as EventBridge events, through the store's
 * enabled rules (EventBridge event patterns, lib/route) to their targets
 * (src/bus/target.h).
 *
 * Storing a finding that is published (new, or updated, and not archived)
 * while some rule is enabled writes an outbox row in the same transaction
 * (store_findings.c); an update is held instead until the end of its
 * publishing interval (GuardDuty's findingPublishingFrequency, store.h), and
 * cm_bus_run first releases the held updates that are due
 * (cm_store_outbox_release, on the wall clock opts.now_ms). cm_bus_run then
 * takes the outbox rows in order, makes each one's event from the finding as
 * stored, matches it against every enabled rule and delivers it to each
 * target of each rule that matches, recording every attempt. Each delivery
 * is claimed first (a lease in the store, cm_store_delivery_claim) and its
 * outcome recorded only while the claim holds, so runs of several processes
 * on one store do not deliver one event to one target twice. A failed
 * delivery is tried again on a later run (backoff doubling from
 * opts.backoff_ms, at most an hour) until it succeeds, or it has been tried
 * CM_BUS_MIN_ATTEMPTS times and its event is opts.max_age_ms old
 * (EventBridge's retry policy: 24 hours), or its
 * attempts reach opts.max_attempts (then FAILED, kept for `coalmine rules
 * deliveries`). An outbox row is done once every delivery
 * it needs is DONE or FAILED; its deliveries left PENDING then become
 * CANCELLED (cm_store_outbox_done). A delivery that fails after its target's
 * whole timeout, or with CM_EUNAVAIL (the target is down, or rate-limits),
 * stalls the target for the rest of the run: its other deliveries are not
 * tried (stats.deferred) and wait for the next run.
 * A delivery is recorded after the target took
 * the event, so a process killed in between delivers it again: at least
 * once, and targets get the event id to tell.
 */
#ifndef CM_BUS_BUS_H
#define CM_BUS_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/target.h"
#include "store/store.h"

#define CM_BUS_MAX_ATTEMPTS   185      /* default attempts per delivery, at most */
#define CM_BUS_MIN_ATTEMPTS   8        /* attempts made before an event past its age gives up */
#define CM_BUS_MAX_AGE_MS     86400000 /* default: retried until the event is 24 h old */
#define CM_BUS_BACKOFF_MS     30000    /* default wait before the second attempt */
#define CM_BUS_BACKOFF_MAX    3600000  /* the longest wait between two attempts */
#define CM_BUS_LEASE_MARGIN_S 60       /* a claim's lease: the target's timeout and this */

/*
 * Where an outbox row's event comes from: a finding (published by a scan), a canary
 * check's result (src/canary), a scheduled rule's fire or the EventBridge API's
 * PutEvents. Each is routed, retried and
 * given up the same way; a scheduled rule's event goes to that rule's targets only.
 */
enum cm_bus_source {
    CM_BUS_SRC_FINDING = 0,
    CM_BUS_SRC_CANARY,
    CM_BUS_SRC_SCHEDULE,
    CM_BUS_SRC_EVENTS, /* put by the EventBridge API (PutEvents) */
    CM_BUS_NSOURCES
};

/* "finding", "canary", "schedule", "events". */
const char *cm_bus_source_name(enum cm_bus_source s);

/* What became of one delivery a run owed (a target of a rule whose pattern matched). */
enum cm_bus_outcome {
    CM_BUS_DELIVERED = 0, /* attempted: the target took the event */
    CM_BUS_FAILED,        /* attempted: failed, to be tried again */
    CM_BUS_GAVE_UP,       /* attempted: failed for the last time */
    CM_BUS_WAITING,       /* not tried: its backoff has not passed */
    CM_BUS_NOT_TRIED,     /* not tried: its target was unavailable earlier in the run */
    CM_BUS_BUSY,          /* not tried: another run holds its claim */
};

/*
 * One delivery attempt, as it is reported; or (outcome CM_BUS_WAITING,
 * CM_BUS_NOT_TRIED, CM_BUS_BUSY; attempt 0, error NULL) one left untried.
 */
struct cm_bus_report {
    const char *rule;
    const char *target;
    const char *kind;
    const char *finding_id;
    const char *finding_type;
    uint32_t attempt;
    enum cm_delivery_state state; /* after this attempt */
    const char *error;            /* NULL when delivered */
    int64_t next_ms;              /* PENDING: the earliest next attempt */
    enum cm_bus_outcome outcome;
    enum cm_bus_source source;
    const char *name; /* canary and schedule: the check or the rule (finding_id is NULL) */
    int64_t oseq;     /* the outbox row */
};

struct cm_bus_opts {
    int64_t now_ms;        /* the time attempts are recorded and backed off from */
    uint32_t max_attempts; /* 0: CM_BUS_MAX_ATTEMPTS */
    int64_t max_age_ms;    /* 0: CM_BUS_MAX_AGE_MS (from the outbox row's time) */
    int64_t backoff_ms;    /* 0: CM_BUS_BACKOFF_MS */
    bool ignore_backoff;   /* try every PENDING delivery now */
    bool release_all;      /* release every held update now, whatever its interval */
    /* Route outbox row only_seq alone (releasing nothing); 0: every pending row. */
    int64_t only_seq;
    /* The named secrets webhook headers may refer to (coalmine.yaml); NULL: none. */
    const struct cm_target_secrets *secrets;
    /* Each delivery the run owed and what became of it; NULL: none. */
    void (*report)(void *ud, const struct cm_bus_report *r);
    void *ud;
};

struct cm_bus_stats {
    uint64_t events;     /* outbox rows routed: an attempt made, or the row done */
    uint64_t superseded; /* outbox rows skipped for a newer one of the same finding */
    uint64_t archived;   /* outbox rows not sent: their finding was archived since */
    uint64_t matched;    /* (event, rule) pairs that matched, of the rows routed */
    uint64_t delivered;  /* attempts that succeeded */
    uint64_t failed;     /* attempts that failed and will be tried again */
    uint64_t gave_up;    /* attempts that failed for the last time */
    uint64_t waiting;    /* deliveries not tried: their backoff has not passed */
    uint64_t busy;       /* deliveries not tried: another run holds them (its claim) */
    uint64_t deferred; /* deliveries not tried: their target was unavailable earlier in this run */
    uint64_t lost;     /* attempts not recorded: the claim expired and was taken over */
    uint64_t pending;  /* outbox rows left not done */
    uint64_t released; /* held updates whose publishing interval ended: put in the outbox */
    uint64_t held;     /* updates left held until their publishing interval ends */
    uint64_t repeats;  /* deliveries not made: the target already took that state of the
                          finding (a retry carried it before its update was released) */
    /* By source: outbox rows routed and attempts (as events, delivered, failed, gave_up). */
    struct {
        uint64_t events, delivered, failed, gave_up;
    } by_source[CM_BUS_NSOURCES];
};

/* Adds b's counts to a's (held and pending, levels, are b's). */
void cm_bus_stats_add(struct cm_bus_stats *a, const struct cm_bus_stats *b);

/*
 * Releases the held updates that are due, then routes every pending outbox
 * row (above). Returns 0 (failed deliveries are in the stats and reports,
 * not errors), or CM_EIO (the store; or a stored rule whose pattern no
 * longer compiles: err names it) or CM_ENOMEM.
 */
int cm_bus_run(struct cm_store *st, const struct cm_bus_opts *opts, struct cm_bus_stats *stats,
               char *err, size_t errlen);

#endif
