/*
 * The work of the periodic threads of `coalmine serve` (docs/serve.md), each run on a
 * struct cm_serve_loop with its own store connection:
 *
 *   - the bus (serve_bus.c): what `coalmine rules deliver` does, every bus interval and
 *     at once after a poll of the follow engine stored findings: routes the outbox's new
 *     rows, retries failed deliveries whose backoff passed, releases held updates whose
 *     publishing interval ended. The follow engine itself routes nothing (its
 *     no_route), so no row is delivered twice;
 *   - the canaries (serve_canary.c): cm_canary_tick every canary interval: the checks
 *     due run, the scheduled rules due fire.
 */
#ifndef CM_CLI_SERVE_WORK_H
#define CM_CLI_SERVE_WORK_H

#include <stdbool.h>

#include "bus/target.h"
#include "cli/serve_status.h"
#include "core/config.h"
#include "store/store.h"

struct cm_serve_work {
    struct cm_store *store; /* this thread's own connection */
    const char *db_path;
    bool quiet;
    struct cm_serve_status *status;
    const char *account, *region;            /* the detector's: what Scheduled Events carry */
    const struct cm_config *cfg;             /* the secrets webhook targets refer to */
    const struct cm_target_secrets *secrets; /* cfg's, as the canaries' deliveries take them */
};

/* One run of the bus (ud: struct cm_serve_work). Failures are said on stderr. */
void cm_serve_bus_run(void *ud);

/*
 * One export pass of the publishing destinations (serve_pubdest.c, docs/publishing.md),
 * run by the bus thread after each bus run. Failures are said on stderr.
 */
void cm_serve_pubdest_run(struct cm_serve_work *w);

/* One canary tick at the wall clock's now (ud: struct cm_serve_work). */
void cm_serve_canary_run(void *ud);

#endif
