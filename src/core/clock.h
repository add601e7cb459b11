/*
 * The wall clock, for the times coalmine stamps itself (when a scan
 * started, when a filter or feedback was saved, "now" for relative CLI
 * times). Event time never comes from here: detection runs on the logs'
 * own timestamps (lib/ reads no clock).
 *
 * And the monotonic clock of the periodic threads' timed waits (serve's
 * loops, the SQS follow's keeper): a mutex and condition variable whose
 * pthread_cond_timedwait runs on CLOCK_MONOTONIC, so setting the wall clock
 * neither stalls nor hurries them, and the deadline to wait for.
 */
#ifndef CM_CORE_CLOCK_H
#define CM_CORE_CLOCK_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t cm_clock_now_ms(void);

/*
 * The monotonic clock (CLOCK_MONOTONIC) in milliseconds and in seconds, to time
 * what coalmine does (a delivery, a child process, a scan's progress); never a
 * date.
 */
int64_t cm_clock_mono_ms(void);
double cm_clock_mono_s(void);

/*
 * Initialises mu and cv, cv's timed waits on CLOCK_MONOTONIC. Returns 0 or
 * the pthread error; on failure neither is left initialised.
 */
int cm_clock_wait_init(pthread_mutex_t *mu, pthread_cond_t *cv);

/* The CLOCK_MONOTONIC time ms milliseconds from now, for pthread_cond_timedwait on such a cv. */
struct timespec cm_clock_deadline(int64_t ms);

#endif
