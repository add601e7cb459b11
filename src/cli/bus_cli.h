/*
 * Running the event bus from the command line (`coalmine scan --db` after
 * storing findings, `coalmine rules deliver`): the bus over the store's
 * outbox, each failed attempt reported on stderr, and a summary line; and
 * what it did per target, for `scan --stats`.
 */
#ifndef CM_CLI_BUS_CLI_H
#define CM_CLI_BUS_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/bus.h"
#include "core/config.h"
#include "store/store.h"

/* What one run did for one target of one rule. */
struct cm_cli_target_stats {
    char *rule;
    char *target;
    char *kind;
    uint64_t matched;   /* deliveries the run owed it: the sum of the five below */
    uint64_t delivered; /* attempts that succeeded */
    uint64_t failed;    /* attempts that failed, tried again later */
    uint64_t gave_up;   /* attempts that failed for the last time */
    uint64_t waiting;   /* not tried: their backoff has not passed */
    uint64_t not_tried; /* not tried: the target was unavailable earlier in the run, or
                           another process is delivering them */
};

/* What a run of the bus did: its totals and, by rule then target, each target's. */
struct cm_cli_routing {
    struct cm_bus_stats bus;
    struct cm_cli_target_stats *v;
    size_t n, cap;
};

/* Frees what r holds; r may be all zeros. */
void cm_cli_routing_finish(struct cm_cli_routing *r);

/*
 * Runs cm_bus_run on st now (now: every pending delivery at once), with cfg's
 * secrets (NULL: none) for webhook headers that refer to them. Failed
 * attempts go to stderr as "coalmine <cmd>: rule R target T: finding F:
 * error (attempt N, again after TIME | given up)" (for an event row: "canary
 * event of NAME (outbox row N)" or "scheduled event of RULE ..." in place of
 * "finding F"); unless quiet, a summary
 * line "  routed:   ..." follows when anything was routed or is waiting.
 * out gets the totals and each target's counts (sorted by rule, then target;
 * cm_cli_routing_finish frees them). Returns CM_EXIT_OK or CM_EXIT_ERROR (the
 * store failed, or memory ran out; reported).
 */
int cm_cli_bus_run(const char *cmd, struct cm_store *st, const struct cm_config *cfg, bool now,
                   bool quiet, struct cm_cli_routing *out);

/* cm_cli_bus_run; release_all releases every held update now (`rules deliver --release-held`). */
int cm_cli_bus_run_ex(const char *cmd, struct cm_store *st, const struct cm_config *cfg, bool now,
                      bool release_all, bool quiet, struct cm_cli_routing *out);

/*
 * cfg's secrets (borrowed) as the bus takes them: out->v allocated, free() it. cfg NULL:
 * none. Returns 0 or CM_ENOMEM.
 */
int cm_cli_secrets(const struct cm_config *cfg, struct cm_target_secrets *out);

#endif
