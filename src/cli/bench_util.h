/*
 * What the bench commands share (bench_util.c): their clocks and the median
 * of their rounds.
 */
#ifndef CM_CLI_BENCH_UTIL_H
#define CM_CLI_BENCH_UTIL_H

#include <stddef.h>
#include <time.h>

/* The time of clock id (CLOCK_MONOTONIC, CLOCK_THREAD_CPUTIME_ID...) in seconds. */
double cm_bench_seconds(clockid_t id);

/* The median of t[0..n), n odd and at least 1 (sorts t). */
double cm_bench_median(double *t, size_t n);

#endif
