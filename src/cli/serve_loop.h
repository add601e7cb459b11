/*
 * A periodic thread of `coalmine serve` (docs/serve.md): runs a piece of work every
 * interval, at once when kicked (the follow engine stored findings: the bus delivers
 * them now, not at the next period), and once more when stopped if asked. The bus and
 * the canaries each run on one (serve_bus.c, serve_canary.c).
 */
#ifndef CM_CLI_SERVE_LOOP_H
#define CM_CLI_SERVE_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct cm_serve_loop {
    /* set by the caller */
    int64_t interval_ms;
    void (*run)(void *ud); /* the work, on the loop's thread */
    void *ud;
    bool run_at_stop; /* run once more when stopped (what is owed delivered before exit) */
    /* the loop's own */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool kicked, stopping, started;
    uint64_t runs; /* under mu */
};

/*
 * Starts the thread: it runs the work at once, then every interval_ms or when kicked.
 * Returns 0, or an error of pthreads (nothing started).
 */
int cm_serve_loop_start(struct cm_serve_loop *l);

/* Asks for a run now (after the one under way, if any). */
void cm_serve_loop_kick(struct cm_serve_loop *l);

/* The runs done so far. */
uint64_t cm_serve_loop_runs(struct cm_serve_loop *l);

/* Stops the thread after the run under way (and the last one, run_at_stop) and joins it.
 * Idempotent; nothing when it was not started. */
void cm_serve_loop_stop(struct cm_serve_loop *l);

#endif
