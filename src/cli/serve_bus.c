/*
 * The bus thread's work (serve_work.h): `coalmine rules deliver` in the service.
 */
#include "cli/serve_work.h"

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
    rc = cm_cli_bus_run("serve", w->store, false, w->quiet, &routed);
    cm_serve_status_bus(w->status, rc == CM_EXIT_OK, &routed.bus);
    cm_cli_routing_finish(&routed);
}
