/*
 * The SQLite store (DESIGN.md §3): one file, WAL journal, schema migrations
 * recorded in a version table, writes batched in transactions.
 *
 * Schema version 1 keeps the record of what was scanned: one row per scan
 * run with its counts, one row per input with its format, records, rejects
 * and damage, and the rejects that were listed with their location and
 * reason. Version 2 adds the findings (issue #3): one row per identity with
 * its GuardDuty API document, and the evidence rows behind it. A store
 * written by an older version opens and upgrades.
 *
 * A struct cm_store is used by one thread at a time.
 */
#ifndef CM_STORE_STORE_H
#define CM_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/scan.h"
#include "finding/finding.h"

struct cm_store;

/* The schema version this build creates and understands. */
#define CM_STORE_SCHEMA_VERSION 2

/*
 * Opens (creating when absent) the store at path and migrates it to
 * CM_STORE_SCHEMA_VERSION. Returns 0; CM_EIO with a message in err when the
 * file cannot be opened, is not a SQLite database, or was written by a newer
 * coalmine (its version is higher than ours); CM_ENOMEM.
 */
int cm_store_open(struct cm_store **out, const char *path, char *err, size_t errlen);
/* Closes the store; NULL is a no-op. */
void cm_store_close(struct cm_store *st);

/* The schema version recorded in the store. */
int cm_store_schema_version(struct cm_store *st);

/*
 * Records a finished scan, started at started_ms (wall clock, ms since the
 * epoch), with every input and listed reject, in one transaction. Sets
 * *scan_id. Returns 0 or CM_EIO (err says why; nothing was written).
 */
int cm_store_add_scan(struct cm_store *st, const struct cm_scan_stats *stats, int64_t started_ms,
                      int64_t *scan_id, char *err, size_t errlen);

/*
 * Writes n findings durably, in one transaction (store_findings.c). A new id
 * is inserted; an existing id is merged like the aggregator merges repeats:
 * counts add up, eventFirstSeen/eventLastSeen widen, updatedAt moves forward,
 * createdAt and the archived flag are kept, and the document becomes the new
 * finding's with those values and the combined evidence. The evidence rows
 * are replaced by the merged finding's. The findings are not modified.
 * Returns 0 or CM_EIO (err says why; nothing was written) or CM_ENOMEM.
 */
int cm_store_put_findings(struct cm_store *st, struct cm_finding *const *f, size_t n, char *err,
                          size_t errlen);

/* Number of finding rows. Returns 0 or CM_EIO. */
int cm_store_count_findings(struct cm_store *st, int64_t *n);

/*
 * Reads the finding id back from its stored document into out, which must be
 * freshly initialised (cm_finding_init). Returns 0, CM_ENOTFOUND, CM_EIO or
 * what cm_finding_from_json returns.
 */
int cm_store_get_finding(struct cm_store *st, const char *id, struct cm_finding *out);

#endif
