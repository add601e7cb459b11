/*
 * The canary thread's work (serve_work.h): cm_canary_tick in the service, each check's
 * status kept for /metrics, each change of status and each delivery that failed said on
 * stderr.
 */
#include "cli/serve_work.h"

#include <stdio.h>

#include "canary/canary.h"
#include "core/clock.h"

static void on_sent(void *ud, const struct cm_canary_sent *s)
{
    const struct cm_serve_work *w = ud;

    if (s->error != NULL) {
        fprintf(stderr,
                "coalmine serve: canary event to rule %s target %s: %s (owed: the bus tries "
                "again)\n",
                s->rule, s->target, s->error);
    } else if (!w->quiet) {
        fprintf(stderr, "coalmine serve: canary event delivered to rule %s target %s\n", s->rule,
                s->target);
    }
}

static void on_ran(void *ud, const char *name, const struct cm_canary_result *r, const char *prev,
                   bool emitted)
{
    const struct cm_serve_work *w = ud;

    cm_serve_status_canary(w->status, name, (int)r->status);
    if (emitted && !w->quiet) {
        fprintf(stderr, "coalmine serve: canary %s: %s (was %s): %s\n", name,
                cm_canary_status_name(r->status), prev != NULL ? prev : "never run", r->reason);
    }
}

static void on_fired(void *ud, const char *rule, int64_t fire_ms)
{
    const struct cm_serve_work *w = ud;

    (void)fire_ms;
    if (!w->quiet) {
        fprintf(stderr, "coalmine serve: scheduled rule %s fired\n", rule);
    }
}

void cm_serve_canary_run(void *ud)
{
    struct cm_serve_work *w = ud;
    struct cm_canary_report rep = {on_sent, on_ran, on_fired, w};
    struct cm_canary_ctx ctx = {w->account, w->region, w->secrets};
    struct cm_canary_tick_stats stats = {0};
    char err[512] = "";
    int rc = cm_canary_tick_as(w->store, cm_clock_now_ms(), &ctx, &rep, &stats, err, sizeof(err));

    if (rc != 0) {
        fprintf(stderr, "coalmine serve: canaries: %s\n", err[0] ? err : "tick failed");
    }
    /* The first attempts of their events count with the bus thread's deliveries. */
    cm_serve_status_deliveries(w->status, &stats.bus);
    cm_serve_status_tick(w->status, rc == 0);
}
