/*
 * The bus thread's work (serve_work.h): `coalmine rules deliver` in the service.
 */
#include "cli/serve_work.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "cli/bus_cli.h"
#include "cli/cmd.h"

void cm_serve_bus_run(void *ud)
{
    struct cm_serve_work *w = ud;
    struct cm_cli_routing routed;
    int rc;

    memset(&routed, 0, sizeof(routed));
    /* Quiet: run every few seconds, its summary would repeat what is held; failures are
     * said by cm_cli_bus_run whatever quiet is, what was done is said below. */
    rc = cm_cli_bus_run("serve", w->store, false, true, &routed);
    cm_serve_status_bus(w->status, rc == CM_EXIT_OK, &routed.bus);
    if (rc == CM_EXIT_OK && !w->quiet &&
        routed.bus.delivered + routed.bus.failed + routed.bus.gave_up + routed.bus.released > 0) {
        fprintf(stderr,
                "coalmine serve: bus: %llu findings routed, %llu delivered, %llu failed (tried "
                "again later), %llu given up, %llu held updates released\n",
                (unsigned long long)routed.bus.events, (unsigned long long)routed.bus.delivered,
                (unsigned long long)routed.bus.failed, (unsigned long long)routed.bus.gave_up,
                (unsigned long long)routed.bus.released);
    }
    cm_cli_routing_finish(&routed);
    cm_serve_pubdest_run(w);
}
