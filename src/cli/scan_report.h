/*
 * The report of a scan: with stats_out, the --stats JSON (README.md, "--stats
 * FILE"; "-" is stdout); unless quiet, the summary on stderr.
 */
#ifndef CM_CLI_SCAN_REPORT_H
#define CM_CLI_SCAN_REPORT_H

#include <stdio.h>

#include "core/scan.h"

/*
 * stats_out is the --stats stream (NULL: none), opened by the caller before the
 * scan; it is closed here unless it is stdout, and stats_path names it in
 * messages. Returns CM_EXIT_OK, or CM_EXIT_ERROR when it cannot be written
 * (said on stderr).
 */
int cm_scan_report(const struct cm_scan_stats *st, FILE *stats_out, const char *stats_path,
                   int quiet);

#endif
