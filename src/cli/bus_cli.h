/*
 * Running the event bus from the command line (`coalmine scan --db` after
 * storing findings, `coalmine rules deliver`): the bus over the store's
 * outbox, each failed attempt reported on stderr, and a summary line.
 */
#ifndef CM_CLI_BUS_CLI_H
#define CM_CLI_BUS_CLI_H

#include <stdbool.h>

#include "bus/bus.h"
#include "store/store.h"

/*
 * Runs cm_bus_run on st now (now: every pending delivery at once). Failed
 * attempts go to stderr as "coalmine <cmd>: rule R target T: finding F:
 * error (attempt N, again after TIME | given up)"; unless quiet, a summary
 * line "  routed:   ..." follows when anything was routed or is waiting.
 * Returns CM_EXIT_OK or CM_EXIT_ERROR (the store failed; reported).
 */
int cm_cli_bus_run(const char *cmd, struct cm_store *st, bool now, bool quiet,
                   struct cm_bus_stats *stats);

#endif
