/*
 * What coalmine bench intel's two files share: bench_intel.c (the IPv4 sets,
 * the TXT list load and the command) and bench_intel_domains.c (the domain
 * set).
 */
#ifndef CM_CLI_BENCH_INTEL_IMPL_H
#define CM_CLI_BENCH_INTEL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cli/bench_util.h"
#include "gen/rng.h"

/* Runs of every measurement; the median is reported. */
#define ROUNDS 3

struct conf {
    size_t entries; /* per set */
    size_t lookups; /* per timed pass */
    uint64_t seed;
    const char *dir;
    const char *only; /* "ipv4" or "domains": that part alone; NULL: everything */
};

static inline uint64_t rnd(struct cm_gen_rng *g)
{
    return cm_gen_rng_next(g);
}

static inline double cpu_s(void)
{
    return cm_bench_seconds(CLOCK_THREAD_CPUTIME_ID);
}

/* One JSON line; bpe < 0 leaves bytes_per_entry out. */
void cm_bench_intel_report(const char *stage, const char *clock, size_t records, double secs,
                           double bpe);

/* Part (d): the domain set's build and lookups. */
int cm_bench_intel_domains(const struct conf *c, struct cm_gen_rng *g);

#endif
