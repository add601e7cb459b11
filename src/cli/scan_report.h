/*
 * The report of a scan: the summary on stderr, and the --stats JSON
 * (README.md, "--stats FILE"; "-" is stdout), written after routing so
 * that it says what routing did.
 */
#ifndef CM_CLI_SCAN_REPORT_H
#define CM_CLI_SCAN_REPORT_H

#include <stdio.h>

#include "cli/bus_cli.h"
#include "cli/scan_custom.h"
#include "cli/scan_inventory.h"
#include "cli/scan_state.h"
#include "core/scan.h"

/* The summary of what the scan read, on stderr. */
void cm_scan_summary(const struct cm_scan_stats *st);

/*
 * What --quiet still says, one line on stderr: that the paths held no file at all (a
 * mistyped folder, an empty delivery), or that records or files were rejected, where the
 * summary without --quiet (or --stats FILE) says which and why. Nothing when neither.
 */
void cm_scan_quiet_warning(const struct cm_scan_stats *st);

/*
 * What the command counted beside the scan, the summary's dropped:, trusted: and
 * instances: lines, for --stats.
 */
struct cm_scan_report_extra {
    uint64_t unbuildable;                /* detections that could not become findings */
    uint64_t no_region;                  /* ... of them, their record had no region */
    uint64_t no_account;                 /* ... or no account */
    uint64_t over_cap;                   /* detections past the aggregator's cap */
    uint64_t trusted;                    /* dropped by trusted lists, or never made */
    const struct cm_scan_inventory *inv; /* the instance map; NULL: none */
    struct cm_scan_custom *custom;       /* the custom rules' dry runs; NULL: none */
};

/*
 * Writes the --stats JSON of st to stats_out (NULL: none; opened by the
 * caller before the scan), with routed, what routing the scan's findings did
 * (NULL: nothing was routed: no store, --no-route, or the bus failed), ss,
 * the --state carried (what the summary's carried: lines say; NULL or no path:
 * none), and x (NULL: all zero), and closes it unless it is stdout;
 * stats_path names it in messages. Returns CM_EXIT_OK, or CM_EXIT_ERROR when
 * it cannot be written (said on stderr; a regular file is removed).
 */
int cm_scan_write_stats(const struct cm_scan_stats *st, const struct cm_cli_routing *routed,
                        const struct cm_scan_state *ss, const struct cm_scan_report_extra *x,
                        FILE *stats_out, const char *stats_path);

#endif
