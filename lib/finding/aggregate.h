/*
 * Aggregation of repeated detections into findings (spec §3.1). Detections
 * with the same identity (cm_finding_id: account, region, type, resource and
 * the actor the type needs) are one finding: a repeat adds its count, widens
 * eventFirstSeen/eventLastSeen, moves updatedAt, takes the latest actor
 * details (the new action replaces the old; port probes accumulate), and adds
 * its evidence while there is room (the earliest records are kept, and the
 * last slot always holds the newest).
 *
 * struct cm_agg owns its findings (heap, one per identity) and keeps them in
 * first-seen order. It is bounded: past max_findings new identities are
 * dropped and counted (repeats of known ones still aggregate).
 */
#ifndef CM_FINDING_AGGREGATE_H
#define CM_FINDING_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "finding/finding.h"

struct cm_agg;

struct cm_agg_stats {
    uint64_t findings;   /* distinct identities held */
    uint64_t repeats;    /* detections folded into an existing finding */
    uint64_t duplicates; /* detections of an event this finding already counted */
    uint64_t dropped;    /* new identities refused because the table was full */
};

/*
 * One underlying event behind a finding: its key (cm_event_key of the
 * triggering event, or a key made from the detection when it has no event)
 * and the count the detection carried. A finding counts each key once, here
 * and in the store, so reading the same record twice (a re-scan, an
 * organisation trail beside the account's own) does not inflate its count.
 */
struct cm_finding_event {
    uint64_t key;
    uint32_t count;
};

/* The key of the event behind a detection (see struct cm_finding_event): its record_key, else
 * its event's cm_event_key, else one made of its coordinates. */
uint64_t cm_detection_key(const struct cm_detection *d);

/* Returns 0 or CM_ENOMEM. max_findings 0: no cap. */
int cm_agg_create(struct cm_agg **out, size_t max_findings, uint64_t seed);
/* Frees every finding; NULL is a no-op. */
void cm_agg_destroy(struct cm_agg *a);

/*
 * Folds detection d in. On success *out (may be NULL) points at the stored
 * finding (owned by the aggregator, valid until the next add or destroy) and
 * *is_new (may be NULL) says whether it is a new identity. A detection whose
 * event the finding already counted (same cm_detection_key) changes nothing
 * and is counted in stats.duplicates (d->restate: it changes the finding's
 * details, not its count). Returns 0,
 * CM_EFULL (a new identity past the cap; counted, nothing stored), or what
 * cm_finding_from_detection returns.
 */
int cm_agg_add(struct cm_agg *a, const struct cm_finding_ctx *ctx, const struct cm_detection *d,
               struct cm_finding **out, bool *is_new);

/*
 * Makes nf (the finding of the latest detection) carry the history of old,
 * the earlier finding with the same identity: counts add up, first/last seen
 * widen, createdAt is kept, updatedAt is the later, archived is kept, port
 * probes accumulate, and evidence keeps old's records first (the last slot
 * always the newest; a restated nf keeps its own). Used by the aggregator and
 * by the store. Returns 0 or
 * CM_ENOMEM/CM_E2BIG (copying strings into nf).
 */
int cm_finding_merge(struct cm_finding *nf, const struct cm_finding *old);
/*
 * The same for a finding nf whose events all came before those of stored, the
 * finding of the earlier detections (older files read after newer ones: a
 * backfill, a follow's late report of a window that expired): stored keeps
 * its details and takes nf's history, and its evidence keeps its own records
 * first, so the records are cited in the order they were detected, as
 * cm_finding_merge cites them, whatever the order of the events.
 */
int cm_finding_merge_earlier(struct cm_finding *stored, const struct cm_finding *nf);

/* Findings in the order their first detection arrived: i in [0, n). */
struct cm_finding *cm_agg_at(const struct cm_agg *a, size_t i);
/*
 * The findings in a stable order, whatever order detections arrived in (with
 * several shards that varies from run to run): by first sighting
 * (service.eventFirstSeen), then type, then id. Fills idx[0..n) with indexes
 * for cm_agg_at, n = cm_agg_stats().findings. Returns 0 or CM_ENOMEM.
 */
int cm_agg_order(const struct cm_agg *a, size_t *idx);
/* The distinct events behind finding i, in arrival order; *n gets their number. */
/*
 * Sets associatedAttackSequenceArn on every finding of a that an attack sequence
 * finding of a names among its signals (cm_finding_associate: of two, the lower
 * ARN). Members a does not hold are left to the store. Returns 0 or CM_ENOMEM.
 */
int cm_agg_link_sequences(struct cm_agg *a);
const struct cm_finding_event *cm_agg_events(const struct cm_agg *a, size_t i, size_t *n);
const struct cm_agg_stats *cm_agg_stats(const struct cm_agg *a);

#endif
