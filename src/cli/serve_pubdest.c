/*
 * The S3 export in the service (serve_work.h): after each bus run, on the bus
 * thread, one pass of cm_pubdest_export over the destinations of the store,
 * the S3 client configured as the aws CLI's (AWS_ENDPOINT_URL_S3, AWS_REGION,
 * profiles, instance role). A destination that fails waits its backoff
 * (store_pubdest.h), so a missing bucket is tried again every few seconds at
 * first, then every 5 minutes, not at every bus run.
 */
#include "cli/serve_work.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "core/clock.h"
#include "pubdest/pubdest_export.h"
#include "store/store_pubdest.h"

static void report(void *ud, const char *id, const char *status, const char *msg)
{
    const struct cm_serve_work *w = ud;

    if (strcmp(status, CM_PUBDEST_UNABLE) == 0 || !w->quiet) {
        fprintf(stderr, "coalmine serve: publishing destination %s: %s\n", id, msg);
    }
}

void cm_serve_pubdest_run(struct cm_serve_work *w)
{
    struct cm_pubdest_opts o;
    struct cm_pubdest_stats stats;
    char err[1024] = "";

    memset(&o, 0, sizeof(o));
    o.now_ms = cm_clock_now_ms();
    if (cm_pubdest_export(w->store, &o, report, w, &stats, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine serve: publishing destinations: %s\n",
                err[0] ? err : "the export failed");
    }
}
