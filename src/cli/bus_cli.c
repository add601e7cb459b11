/*
 * The event bus from the command line (see bus_cli.h).
 */
#include "cli/bus_cli.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "core/clock.h"

static void report(void *ud, const struct cm_bus_report *r)
{
    const char *cmd = ud;
    char next[40];

    if (r->error == NULL) {
        return;
    }
    if (r->state == CM_DELIVERY_PENDING) {
        cm_time_format_iso(r->next_ms, next, sizeof(next));
        fprintf(stderr,
                "coalmine %s: rule %s target %s: finding %s: %s (attempt %u, again after %s)\n",
                cmd, r->rule, r->target, r->finding_id, r->error, r->attempt, next);
    } else {
        fprintf(stderr, "coalmine %s: rule %s target %s: finding %s: %s (attempt %u, given up)\n",
                cmd, r->rule, r->target, r->finding_id, r->error, r->attempt);
    }
}

int cm_cli_bus_run(const char *cmd, struct cm_store *st, bool now, bool quiet,
                   struct cm_bus_stats *stats)
{
    struct cm_bus_opts o = {0};
    char err[512] = "";
    int rc;

    /* The webhook target's libcurl: once per process, before any thread uses it. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "coalmine %s: libcurl could not be initialised\n", cmd);
        return CM_EXIT_ERROR;
    }
    o.now_ms = cm_clock_now_ms();
    o.ignore_backoff = now;
    o.report = report;
    o.ud = (void *)(uintptr_t)cmd;
    rc = cm_bus_run(st, &o, stats, err, sizeof(err));
    curl_global_cleanup();
    if (rc != 0) {
        fprintf(stderr, "coalmine %s: routing findings: %s\n", cmd, err[0] ? err : cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    if (!quiet &&
        stats->events + stats->superseded + stats->waiting + stats->pending + stats->held > 0) {
        fprintf(stderr,
                "  routed:   %llu findings, %llu rule matches, %llu delivered, %llu failed "
                "(tried again later), %llu given up, %llu waiting",
                (unsigned long long)stats->events, (unsigned long long)stats->matched,
                (unsigned long long)stats->delivered, (unsigned long long)stats->failed,
                (unsigned long long)stats->gave_up, (unsigned long long)stats->waiting);
        if (stats->deferred > 0) {
            fprintf(stderr, ", %llu not tried (their target was unavailable in this run)",
                    (unsigned long long)stats->deferred);
        }
        if (stats->held > 0) {
            fprintf(stderr, ", %llu updates held until their publishing interval ends",
                    (unsigned long long)stats->held);
        }
        if (stats->busy + stats->lost > 0) {
            fprintf(stderr, ", %llu being delivered by another process",
                    (unsigned long long)(stats->busy + stats->lost));
        }
        fputc('\n', stderr);
    }
    return CM_EXIT_OK;
}
