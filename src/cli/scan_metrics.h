/*
 * `coalmine scan --metrics FILE`: what the scan did, in Prometheus's text
 * exposition format (version 0.0.4), for node_exporter's textfile collector
 * (docs/metrics.md). Every value describes the last scan, so every family is
 * a gauge; the file is replaced whole by a rename, as the collector needs.
 */
#ifndef CM_CLI_SCAN_METRICS_H
#define CM_CLI_SCAN_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "cli/bus_cli.h"
#include "cli/scan_report.h"
#include "core/scan.h"
#include "finding/aggregate.h"

/*
 * What one scan's metrics are made of. A scan that failed before its findings
 * were stored and printed has no st: only ok, end_ms and seconds are read.
 */
struct cm_scan_metrics {
    bool ok;                              /* the scan exits 0 */
    int64_t end_ms;                       /* when it ended (Unix milliseconds) */
    double seconds;                       /* wall clock from start to end */
    const struct cm_scan_stats *st;       /* what it read; NULL: it failed first */
    const struct cm_scan_report_extra *x; /* what it dropped; NULL: nothing */
    const struct cm_agg *agg;             /* the findings ... */
    const size_t *order;                  /* ... kept, by index into agg */
    size_t norder;
    const bool *archived; /* with a store: order[i]'s finding is stored archived; NULL: none */
    const struct cm_cli_routing *routed; /* what routing did; NULL: none ran */
};

/*
 * Appends the exposition of m to out: HELP and TYPE lines, then the samples of
 * each family, label values escaped, families and label sets in a fixed order.
 * Returns 0 or CM_ENOMEM.
 */
int cm_scan_metrics_format(const struct cm_scan_metrics *m, struct cm_buf *out);

/*
 * Writes the exposition of m to path: to "<path>.tmp.<pid>" beside it, synced,
 * then renamed over path, so a scraper never reads half a file. Returns
 * CM_EXIT_OK or CM_EXIT_ERROR (said on stderr, the temporary removed).
 */
int cm_scan_metrics_write(const struct cm_scan_metrics *m, const char *path);

/*
 * Checks before a scan that path's temporary can be created beside it (then
 * removes it), so a --metrics FILE in a folder that is not there, or not
 * writable, fails before hours of scanning rather than after. Returns
 * CM_EXIT_OK or CM_EXIT_ERROR (said on stderr, naming path).
 */
int cm_scan_metrics_probe(const char *path);

#endif
