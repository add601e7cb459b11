/*
 * The report of a scan: with stats_path, the --stats JSON (README.md, "--stats
 * FILE"; "-" is stdout); unless quiet, the summary on stderr.
 */
#ifndef CM_CLI_SCAN_REPORT_H
#define CM_CLI_SCAN_REPORT_H

#include "core/scan.h"

/* Returns CM_EXIT_OK, or CM_EXIT_ERROR when stats_path cannot be written (said on stderr). */
int cm_scan_report(const struct cm_scan_stats *st, const char *stats_path, int quiet);

#endif
