/*
 * The wall clock, and the monotonic clock of timings and timed waits (see clock.h).
 */
#include "core/clock.h"

#include <time.h>

int64_t cm_clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cm_clock_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double cm_clock_mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cm_clock_wait_init(pthread_mutex_t *mu, pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    int rc;

    if ((rc = pthread_mutex_init(mu, NULL)) != 0) {
        return rc;
    }
    if ((rc = pthread_condattr_init(&ca)) != 0) {
        pthread_mutex_destroy(mu);
        return rc;
    }
    rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = rc ? rc : pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
    if (rc != 0) {
        pthread_mutex_destroy(mu);
    }
    return rc;
}

struct timespec cm_clock_deadline(int64_t ms)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}
