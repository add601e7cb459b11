/*
 * The bus thread's work (serve_work.h): `coalmine rules deliver` in the service.
 */
#include "cli/serve_work.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"

/* One line of what a run did; its events by source, so that a PutEvents entry, a canary
 * event or a scheduled fire is not said to be a finding. */
static void say_run(const struct cm_bus_stats *b)
{
    static const char *const what[CM_BUS_NSOURCES] = {
        [CM_BUS_SRC_CANARY] = "canary events",
        [CM_BUS_SRC_SCHEDULE] = "scheduled events",
        [CM_BUS_SRC_EVENTS] = "put events",
    };

    fprintf(stderr, "coalmine serve: bus: %llu findings routed",
            (unsigned long long)b->by_source[CM_BUS_SRC_FINDING].events);
    for (int i = 0; i < CM_BUS_NSOURCES; i++) {
        if (what[i] != NULL && b->by_source[i].events > 0) {
            fprintf(stderr, ", %llu %s", (unsigned long long)b->by_source[i].events, what[i]);
        }
    }
    fprintf(stderr,
            ", %llu delivered, %llu failed (tried again later), %llu given up, %llu held "
            "updates released\n",
            (unsigned long long)b->delivered, (unsigned long long)b->failed,
            (unsigned long long)b->gave_up, (unsigned long long)b->released);
}

void cm_serve_bus_run(void *ud)
{
    struct cm_serve_work *w = ud;
    struct cm_cli_routing routed;
    int rc;

    memset(&routed, 0, sizeof(routed));
    /* Quiet: run every few seconds, its summary would repeat what is held; failures are
     * said by cm_cli_bus_run whatever quiet is, what was done is said below. */
    rc = cm_cli_bus_run("serve", w->store, w->cfg, false, true, &routed);
    cm_serve_status_bus(w->status, rc == CM_EXIT_OK, &routed.bus);
    if (rc == CM_EXIT_OK && !w->quiet &&
        routed.bus.delivered + routed.bus.failed + routed.bus.gave_up + routed.bus.released > 0) {
        say_run(&routed.bus);
    }
    cm_cli_routing_finish(&routed);
    cm_serve_pubdest_run(w);
}
