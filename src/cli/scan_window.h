/*
 * `coalmine scan --since TIME --until TIME` (README, "A period of the logs"): the window
 * of event time a scan analyses (core/scan.h, cm_scan_opts.window).
 */
#ifndef CM_CLI_SCAN_WINDOW_H
#define CM_CLI_SCAN_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CM_SCAN_OPT_SINCE = 0x1b0, CM_SCAN_OPT_UNTIL };

struct cm_scan_opts;

/*
 * Takes --since or --until (opt) with its argument: ISO 8601, YYYY-MM-DD (midnight UTC),
 * epoch milliseconds or an age before now_ms such as 7d (cm_cli_parse_time). Returns 0,
 * or -1 with err saying why (a usage error).
 */
int cm_scan_window_option(struct cm_scan_opts *o, int opt, const char *arg, int64_t now_ms,
                          char *err, size_t errlen);

/*
 * Checks the window against the other options: --until after --since, and neither with
 * --state (it remembers the files read whole, and would leave out the rest of theirs
 * next time) or --follow (new logs are the present). Returns 0, or -1 with err saying why.
 */
int cm_scan_window_check(const struct cm_scan_opts *o, bool state, bool follow, char *err,
                         size_t errlen);

#endif
