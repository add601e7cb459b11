/*
 * The bench commands' clocks and medians (bench_util.h).
 */
#include "cli/bench_util.h"

#include <stdlib.h>

double cm_bench_seconds(clockid_t id)
{
    struct timespec t;

    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double cm_bench_median(double *t, size_t n)
{
    qsort(t, n, sizeof(t[0]), cmp_double);
    return t[n / 2];
}
