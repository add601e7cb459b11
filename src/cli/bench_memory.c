/*
 * coalmine bench memory: what a lookup's memory reads cost on this
 * machine, so the figures of the in-memory sets (bench intel) and of the
 * detectors' tables can be read against it, on one thread with a fixed
 * seed:
 *
 *   - the time of a load that waits for the one before: a random cycle
 *     through every cache line of a working set of 1, 4, 16 and 64 MiB
 *     (the latency of the level of cache, or of DRAM, that holds it);
 *   - the time a random line of the 64 MiB set takes when the lines are
 *     read independently, as a batched lookup reads them (the rate the
 *     memory keeps up with many reads in flight); their sum is checked
 *     against one made before the clock runs.
 *
 * Each runs three times in this thread's CPU time; the median is printed as
 * one JSON line ({"stage", "clock", "mib", "records", "seconds",
 * "ns_per_load"}). bench/run.sh prints them as one line under the intel
 * table.
 */
#include "cli/bench_memory.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/err.h"
#include "cli/bench_util.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "gen/rng.h"

#define ROUNDS 3
#define LOADS  1000000u /* loads a measurement times */

/* A cache line of the walk: the index of the next line to visit, and padding. */
struct line {
    uint64_t next;
    uint64_t pad[7];
};

/* The working sets, in MiB; the random lines are read from the last. */
static const size_t sizes_mib[] = {1, 4, 16, 64};
#define NSIZES (sizeof(sizes_mib) / sizeof(sizes_mib[0]))

static double cpu_s(void)
{
    return cm_bench_seconds(CLOCK_THREAD_CPUTIME_ID);
}

static void report(const char *stage, size_t mib, double secs)
{
    printf("{\"stage\":\"%s\",\"clock\":\"cpu\",\"mib\":%zu,\"records\":%u,"
           "\"seconds\":%.6f,\"ns_per_load\":%.1f}\n",
           stage, mib, LOADS, secs, secs * 1e9 / (double)LOADS);
    fflush(stdout);
}

/* A load waiting for the one before, in the first n lines of a (a random cycle through them). */
static uint64_t dependent(struct line *a, size_t n, struct cm_gen_rng *g, size_t mib)
{
    double t[ROUNDS];
    size_t p = 0;

    /* Sattolo's shuffle: one cycle through all n lines. */
    for (size_t i = 0; i < n; i++) {
        a[i].next = i;
    }
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(cm_gen_rng_next(g) % i);
        uint64_t x = a[i].next;

        a[i].next = a[j].next;
        a[j].next = x;
    }
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = cpu_s();

        for (size_t i = 0; i < LOADS; i++) {
            p = (size_t)a[p].next;
        }
        t[r] = cpu_s() - t0;
    }
    report("memory: dependent loads", mib, cm_bench_median(t, ROUNDS));
    return p; /* used by the caller: the walk cannot be left out */
}

/* Random lines of a[0..n) read independently; CM_EINVAL when their sum is wrong. */
static int independent(const struct line *a, size_t n, uint32_t *idx, struct cm_gen_rng *g,
                       size_t mib, uint64_t *total)
{
    double t[ROUNDS];
    uint64_t want = 0, sum = 0;

    for (size_t i = 0; i < LOADS; i++) {
        idx[i] = (uint32_t)(cm_gen_rng_next(g) % n);
        want += a[idx[i]].next;
    }
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = cpu_s();

        sum = 0;
        for (size_t i = 0; i < LOADS; i++) {
            sum += a[idx[i]].next;
        }
        t[r] = cpu_s() - t0;
    }
    if (sum != want) {
        fprintf(stderr, "coalmine bench memory: the random reads' sum is wrong\n");
        return CM_EINVAL;
    }
    *total = sum;
    report("memory: independent random lines", mib, cm_bench_median(t, ROUNDS));
    return CM_OK;
}

static int usage(void)
{
    printf("usage: coalmine bench memory\n\n"
           "Times, on one thread, a load that waits for the one before within 1, 4, 16 and\n"
           "64 MiB, and random lines of 64 MiB read independently: the median of %d runs,\n"
           "one JSON line each (\"ns_per_load\").\n",
           ROUNDS);
    return CM_EXIT_OK;
}

int cm_bench_memory(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    size_t maxn = sizes_mib[NSIZES - 1] * 1048576 / sizeof(struct line);
    struct line *a = NULL;
    uint32_t *idx = NULL;
    struct cm_gen_rng g;
    volatile uint64_t sink = 0; /* the walks' ends and the sum: no loop can be left out */
    uint64_t sum = 0;
    int ch, rc = CM_OK;

    optind = 1;
    while ((ch = cm_cli_getopt("bench", argc, argv, "h", longopts, NULL)) != -1) {
        if (ch == 'h') {
            return usage();
        }
        return CM_EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine bench memory: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    a = malloc(maxn * sizeof(*a));
    idx = malloc(LOADS * sizeof(*idx));
    if (a == NULL || idx == NULL) {
        rc = CM_ENOMEM;
        goto done;
    }
    cm_gen_rng_seed(&g, 0x6d656d6f7279ULL);
    for (size_t k = 0; k < NSIZES; k++) {
        sink ^= dependent(a, sizes_mib[k] * 1048576 / sizeof(struct line), &g, sizes_mib[k]);
    }
    rc = independent(a, maxn, idx, &g, sizes_mib[NSIZES - 1], &sum);
    sink ^= sum;
done:
    free(a);
    free(idx);
    if (rc != 0) {
        fprintf(stderr, "coalmine bench memory: %s\n", cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}
