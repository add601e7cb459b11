/*
 * The findings of `coalmine scan`: detections folded into findings as the scan
 * emits them (trusted lists drop some), then named, enriched, stored and
 * printed in one order, the same with any --threads.
 */
#ifndef CM_CLI_SCAN_FINDINGS_H
#define CM_CLI_SCAN_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/findings_out.h"
#include "cli/scan_state.h"
#include "core/scan.h"
#include "event/finding.h"
#include "finding/aggregate.h"
#include "finding/finding.h"
#include "intel/geoip.h"
#include "store/store.h"

struct cm_intel_snapshot;

struct cm_scan_findings {
    enum cm_out_format fmt;
    FILE *out;
    int tty;
    int colour;                            /* stdout is a terminal */
    struct cm_agg *agg;                    /* findings by identity, in arrival order */
    struct cm_finding_ctx ctx;             /* how detections become findings */
    uint64_t unbuildable;                  /* detections that could not become findings */
    uint64_t noregion;                     /* ... of them, because their record had no region */
    uint64_t noaccount;                    /* ... or no account */
    struct cm_store_put *puts;             /* with --db: what storing each finding did */
    size_t *order;                         /* findings in cm_agg_order's order */
    size_t norder;                         /* ... kept (the inventory drops some) */
    const struct cm_intel_snapshot *intel; /* trusted lists drop detections; may be NULL */
    const struct cm_scan_state *state;     /* --state: names earlier runs' inputs */
    uint64_t trusted;                      /* detections dropped by trusted lists */
};

/* The account that owns an instance, by the --inventory files (cm_finding_ctx.instance_owner;
 * ud is the struct cm_inventory). */
struct cm_str cm_scan_findings_owner(void *ud, struct cm_str instance);

/* The scan's sink (sink->ud is the struct cm_scan_findings; called under the scan's lock):
 * folds the detection into its finding. Returns 0 or CM_ENOMEM. */
int cm_scan_findings_emit(struct cm_sink *sink, const struct cm_detection *d);

/* Names the evidence files, from st's inputs or the --state's earlier ones. */
void cm_scan_findings_name_evidence(struct cm_scan_findings *c, const struct cm_scan_stats *st);

/* Fills remoteIpDetails from the --geoip databases (geo NULL: none). Returns 0 or CM_ENOMEM. */
int cm_scan_findings_geo_enrich(struct cm_scan_findings *c, const struct cm_geoip *geo);

/*
 * Writes the kept findings (c->order[0..c->norder)) to store in one transaction and says
 * on stderr what changed (unless quiet). Returns 0 or the store's error (in err).
 */
int cm_scan_findings_store(struct cm_scan_findings *c, struct cm_store *store, int quiet, char *err,
                           size_t errlen);

/*
 * Prints the kept findings to c->out (with a store: not the archived ones nor unchanged
 * repeats; a changed repeat as stored), synced to disk when sync and c->out is a file.
 * Returns CM_EXIT_OK or CM_EXIT_ERROR (said on stderr).
 */
int cm_scan_findings_print(struct cm_scan_findings *c, struct cm_store *store, bool sync);

/* The summary's dropped: lines on stderr, when a detection could not become a finding. */
void cm_scan_findings_dropped_summary(const struct cm_scan_findings *c);

#endif
