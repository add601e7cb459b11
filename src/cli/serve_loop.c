/*
 * A periodic thread of `coalmine serve` (serve_loop.h).
 */
#include "cli/serve_loop.h"

#include <errno.h>
#include <time.h>

#include "core/clock.h"

static void *loop_main(void *arg)
{
    struct cm_serve_loop *l = arg;
    bool stopping;

    for (;;) {
        l->run(l->ud);
        pthread_mutex_lock(&l->mu);
        l->runs++;
        if (!l->kicked && !l->stopping) {
            struct timespec until = cm_clock_deadline(l->interval_ms);

            while (!l->kicked && !l->stopping &&
                   pthread_cond_timedwait(&l->cv, &l->mu, &until) != ETIMEDOUT) {
            }
        }
        l->kicked = false;
        stopping = l->stopping;
        pthread_mutex_unlock(&l->mu);
        if (stopping) {
            break;
        }
    }
    if (l->run_at_stop) {
        l->run(l->ud);
        pthread_mutex_lock(&l->mu);
        l->runs++;
        pthread_mutex_unlock(&l->mu);
    }
    return NULL;
}

int cm_serve_loop_start(struct cm_serve_loop *l)
{
    int rc;

    l->kicked = l->stopping = l->started = false;
    l->runs = 0;
    if ((rc = cm_clock_wait_init(&l->mu, &l->cv)) != 0) {
        return rc;
    }
    if ((rc = pthread_create(&l->th, NULL, loop_main, l)) != 0) {
        pthread_cond_destroy(&l->cv);
        pthread_mutex_destroy(&l->mu);
        return rc;
    }
    l->started = true;
    return 0;
}

void cm_serve_loop_kick(struct cm_serve_loop *l)
{
    if (!l->started) {
        return;
    }
    pthread_mutex_lock(&l->mu);
    l->kicked = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

uint64_t cm_serve_loop_runs(struct cm_serve_loop *l)
{
    uint64_t n;

    if (!l->started) {
        return 0;
    }
    pthread_mutex_lock(&l->mu);
    n = l->runs;
    pthread_mutex_unlock(&l->mu);
    return n;
}

void cm_serve_loop_stop(struct cm_serve_loop *l)
{
    if (!l->started) {
        return;
    }
    pthread_mutex_lock(&l->mu);
    l->stopping = true;
    pthread_cond_signal(&l->cv);
    pthread_mutex_unlock(&l->mu);
    pthread_join(l->th, NULL);
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
    l->started = false;
}
