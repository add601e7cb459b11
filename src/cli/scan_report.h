/*
 * The report of a scan: the summary on stderr, and the --stats JSON
 * (README.md, "--stats FILE"; "-" is stdout), written after routing so
 * that it says what routing did.
 */
#ifndef CM_CLI_SCAN_REPORT_H
#define CM_CLI_SCAN_REPORT_H

#include <stdio.h>

#include "cli/bus_cli.h"
#include "cli/scan_state.h"
#include "core/scan.h"

/* The summary of what the scan read, on stderr. */
void cm_scan_summary(const struct cm_scan_stats *st);

/*
 * Writes the --stats JSON of st to stats_out (NULL: none; opened by the
 * caller before the scan), with routed, what routing the scan's findings did
 * (NULL: nothing was routed: no store, --no-route, or the bus failed), and ss,
 * the --state carried (what the summary's carried: lines say; NULL or no path:
 * none), and closes it unless it is stdout; stats_path names it in messages.
 * Returns CM_EXIT_OK, or CM_EXIT_ERROR when it cannot be written (said on stderr).
 */
int cm_scan_write_stats(const struct cm_scan_stats *st, const struct cm_cli_routing *routed,
                        const struct cm_scan_state *ss, FILE *stats_out, const char *stats_path);

#endif
