/*
 * coalmine bench intel: the issue #4 "Performance" figures of lib/intel, on
 * one thread with a fixed seed (same data every run):
 *
 *   (a) N random IPv4 /32s: build time (add + freeze), bytes per entry,
 *       lookups of random addresses, lookups of the listed addresses;
 *   (b) N IPv4 networks of mixed lengths (70% /32, 15% /24, 8% /28, 5% /20,
 *       2% /16): build, bytes per entry, and lookups of a realistic mix,
 *       9 in 10 addresses outside every listed network, 1 in 10 inside one;
 *   (c) loading an N-line TXT list file end to end: read the file, parse
 *       every line, build the snapshot (the file is written to --dir, or to
 *       a temporary directory, and removed after);
 *   (d) N domain names of 2-4 labels (registered domains and subdomains of
 *       them): build, bytes per entry, lookups of 4-label names that miss
 *       (every suffix is probed) and of names under a listed one (a hit by
 *       suffix); in bench_intel_domains.c.
 *
 * Every measurement runs three times and the median is reported, as one
 * JSON object per line ({"stage", "clock", "records", "seconds",
 * "records_s", and "bytes_per_entry" for builds}); bench/run.sh prints the
 * table. In-memory stages are timed in this thread's CPU time ("clock":
 * "cpu": per core, and what a shared machine disturbs least), the file
 * stage on the wall clock. Making the data is not timed. Every lookup pass
 * is checked against the hits it must find, and reads the values it found,
 * so a fast wrong answer fails the bench (exit status 1) instead of
 * looking good.
 */
#include "cli/bench_intel.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/ip.h"
#include "cli/bench_util.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "gen/rng.h"
#include "intel/format.h"
#include "intel/indicator.h"
#include "intel/ipset.h"
#include "intel/load.h"
#include "intel/snapshot.h"
#include "source/source_file.h"
#include "cli/bench_intel_impl.h"

static double wall_s(void)
{
    return cm_bench_seconds(CLOCK_MONOTONIC);
}

/* One JSON line; bpe < 0 leaves bytes_per_entry out. */
void cm_bench_intel_report(const char *stage, const char *clock, size_t records, double secs,
                           double bpe)
{
    printf("{\"stage\":\"%s\",\"clock\":\"%s\",\"records\":%zu,\"seconds\":%.6f,\"records_s\":%.0f",
           stage, clock, records, secs, secs > 0 ? (double)records / secs : 0.0);
    if (bpe >= 0) {
        printf(",\"bytes_per_entry\":%.1f", bpe);
    }
    printf("}\n");
    fflush(stdout);
}

static struct cm_ip v4(uint32_t a)
{
    struct cm_ip ip = {CM_IP_V4,
                       {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a}};
    return ip;
}

static uint32_t mask4(unsigned len)
{
    return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

/* --- IPv4 ------------------------------------------------------------------- */

/* Builds nets[i]/lens[i] ROUNDS times (median time); keeps the last set in *out. */
static int build_ipset(const struct conf *c, const uint32_t *nets, const uint8_t *lens, size_t n,
                       const char *stage, struct cm_ipset **out)
{
    double t[ROUNDS];
    int rc = CM_OK;

    *out = NULL;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        struct cm_ipset_builder *b = NULL;
        double t0 = cpu_s();

        cm_ipset_destroy(*out);
        *out = NULL;
        rc = cm_ipset_builder_create(&b, c->seed);
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct cm_ip ip = v4(nets[i]);
            rc = cm_ipset_builder_add(b, &ip, lens[i], (uint32_t)(i & 7));
        }
        if (rc == 0) {
            rc = cm_ipset_freeze(b, out);
        }
        t[r] = cpu_s() - t0;
        cm_ipset_builder_destroy(b);
    }
    if (rc == 0) {
        cm_bench_intel_report(stage, "cpu", n, cm_bench_median(t, ROUNDS),
                              (double)cm_ipset_bytes(*out) /
                                  (double)(cm_ipset_count(*out) ? cm_ipset_count(*out) : 1));
    }
    return rc;
}

/*
 * The oracle the lookups are checked against, independent of lib/intel: the
 * listed (network, length) pairs as sorted 64-bit keys, searched once per
 * length that occurs.
 */
struct oracle4 {
    uint64_t *keys;
    size_t n;
    uint64_t lens; /* bit L: a /L is listed */
};

static uint64_t okey(uint32_t net, unsigned len)
{
    return (uint64_t)net << 6 | len;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int oracle4_make(struct oracle4 *o, const uint32_t *nets, const uint8_t *lens, size_t n)
{
    o->keys = malloc(n * sizeof(*o->keys));
    o->n = n;
    o->lens = 0;
    if (o->keys == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        o->keys[i] = okey(nets[i], lens[i]);
        o->lens |= 1ULL << lens[i];
    }
    qsort(o->keys, n, sizeof(*o->keys), cmp_u64);
    return CM_OK;
}

/* Whether a listed network contains address a. */
static bool oracle4_has(const struct oracle4 *o, uint32_t a)
{
    for (unsigned len = 0; len <= 32; len++) {
        uint64_t k = okey(a & mask4(len), len);

        if ((o->lens >> len & 1) && bsearch(&k, o->keys, o->n, sizeof(k), cmp_u64) != NULL) {
            return true;
        }
    }
    return false;
}

/* Addresses cm_ipset_lookup_batch is given at a time, as the scan's engine gives them. */
#define IP_BATCH 64

/*
 * Times c->lookups lookups cycling over q[0..nq); each pass must find want
 * hits. batch: through cm_ipset_lookup_batch, IP_BATCH addresses at a time.
 */
static int time_ip_lookups(const struct conf *c, const struct cm_ipset *s, const struct cm_ip *q,
                           size_t nq, size_t want, bool batch, const char *stage)
{
    size_t passes = (c->lookups + nq - 1) / nq;
    volatile uint32_t sink = 0; /* keeps the reads of the values */
    double t[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        size_t hits = 0;
        double t0 = cpu_s();

        for (size_t p = 0; p < passes; p++) {
            for (size_t i = 0; i < nq && batch; i += IP_BATCH) {
                struct cm_ipset_match m[IP_BATCH];
                bool found[IP_BATCH];
                size_t k = nq - i < IP_BATCH ? nq - i : IP_BATCH;

                cm_ipset_lookup_batch(s, q + i, k, m, found);
                for (size_t j = 0; j < k; j++) {
                    if (found[j]) {
                        hits++;
                        sink ^= m[j].vals[0];
                    }
                }
            }
            for (size_t i = 0; i < nq && !batch; i++) {
                struct cm_ipset_match m;

                if (cm_ipset_lookup(s, &q[i], &m)) {
                    hits++;
                    sink ^= m.vals[0]; /* a caller reads what it found */
                }
            }
        }
        t[r] = cpu_s() - t0;
        if (hits != want * passes) {
            fprintf(stderr, "coalmine bench intel: %s: %zu hits, expected %zu\n", stage, hits,
                    want * passes);
            return CM_EINVAL;
        }
    }
    cm_bench_intel_report(stage, "cpu", passes * nq, cm_bench_median(t, ROUNDS), -1);
    return CM_OK;
}

static int bench_v4_hosts(const struct conf *c, struct cm_gen_rng *g)
{
    size_t n = c->entries, hits = 0;
    uint32_t *nets = calloc(n, sizeof(*nets));
    uint8_t *lens = calloc(n, 1);
    struct cm_ip *q = malloc(n * sizeof(*q));
    struct cm_ipset *s = NULL;
    struct oracle4 o = {NULL, 0, 0};
    int rc = CM_ENOMEM;

    if (nets == NULL || lens == NULL || q == NULL) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        nets[i] = (uint32_t)rnd(g);
        lens[i] = 32;
    }
    if ((rc = build_ipset(c, nets, lens, n, "ipv4 /32: build (add + freeze)", &s)) != 0) {
        goto done;
    }
    if ((rc = oracle4_make(&o, nets, lens, n)) != 0) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t a = (uint32_t)rnd(g);

        q[i] = v4(a);
        hits += oracle4_has(&o, a);
    }
    rc = time_ip_lookups(c, s, q, n, hits, false, "ipv4 /32: random addresses");
    if (rc != 0) {
        goto done;
    }
    /* The listed addresses, in random order. */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rnd(g) % i);
        uint32_t x = nets[i - 1];
        nets[i - 1] = nets[j];
        nets[j] = x;
    }
    for (size_t i = 0; i < n; i++) {
        q[i] = v4(nets[i]);
    }
    rc = time_ip_lookups(c, s, q, n, n, false, "ipv4 /32: listed addresses");
    if (rc == 0) {
        rc = time_ip_lookups(c, s, q, n, n, true, "ipv4 /32: listed addresses, batched");
    }
done:
    cm_ipset_destroy(s);
    free(o.keys);
    free(nets);
    free(lens);
    free(q);
    return rc;
}

/* A prefix length drawn from the mixed-feed weights. */
static uint8_t mixed_len(struct cm_gen_rng *g)
{
    unsigned p = (unsigned)(rnd(g) % 100);

    return p < 70 ? 32 : p < 85 ? 24 : p < 93 ? 28 : p < 98 ? 20 : 16;
}

static int bench_v4_mixed(const struct conf *c, struct cm_gen_rng *g)
{
    size_t n = c->entries, inside = 0;
    uint32_t *nets = calloc(n, sizeof(*nets));
    uint8_t *lens = calloc(n, 1);
    struct cm_ip *q = malloc(n * sizeof(*q));
    struct cm_ipset *s = NULL;
    struct oracle4 o = {NULL, 0, 0};
    int rc = CM_ENOMEM;

    if (nets == NULL || lens == NULL || q == NULL) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        lens[i] = mixed_len(g);
        nets[i] = (uint32_t)rnd(g) & mask4(lens[i]);
    }
    if ((rc = build_ipset(c, nets, lens, n, "ipv4 mixed /16-/32: build (add + freeze)", &s)) != 0 ||
        (rc = oracle4_make(&o, nets, lens, n)) != 0) {
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t a;

        if (rnd(g) % 10 == 0) { /* inside a listed network, random host bits */
            size_t k = (size_t)(rnd(g) % n);
            q[i] = v4(nets[k] | ((uint32_t)rnd(g) & ~mask4(lens[k])));
            inside++;
            continue;
        }
        do {
            a = (uint32_t)rnd(g);
        } while (oracle4_has(&o, a));
        q[i] = v4(a);
    }
    rc = time_ip_lookups(c, s, q, n, inside, false, "ipv4 mixed: 90% outside, 10% inside");
done:
    cm_ipset_destroy(s);
    free(o.keys);
    free(nets);
    free(lens);
    free(q);
    return rc;
}

/* --- TXT list file, end to end ---------------------------------------------------- */

/* A random publicly routable IPv4 address (the loader refuses the others). */
static uint32_t public_v4(struct cm_gen_rng *g)
{
    for (;;) {
        uint32_t a = (uint32_t)rnd(g) & 0xffffff00u; /* a /24 network address works for both */
        struct cm_ip ip = v4(a | 1);

        if (cm_ip_is_public(&ip)) {
            return a;
        }
    }
}

/* n lines: 9 in 10 addresses, 1 in 10 /24 networks, after a comment header. */
static int write_txt(const char *path, size_t n, struct cm_gen_rng *g)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        return CM_EIO;
    }
    fprintf(f, "# coalmine bench intel: %zu generated indicators\n", n);
    for (size_t i = 0; i < n; i++) {
        uint32_t a = public_v4(g);

        if (i % 10 == 9) {
            fprintf(f, "%u.%u.%u.0/24\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255);
        } else {
            fprintf(f, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                    1 + (unsigned)(rnd(g) % 254));
        }
    }
    return fclose(f) == 0 ? CM_OK : CM_EIO;
}

/*
 * What loading a list from a file costs: read it, parse it with the TXT
 * reader through cm_intel_load, build the snapshot. *st gets the loader's
 * counts.
 */
static int load_txt(const char *path, uint64_t seed, struct cm_intel_load_stats *st)
{
    struct cm_intel_list list = {CM_STR_LIT("bench"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                                 cm_str_cstr(path)};
    struct cm_intel_load_opts opts = {
        0,    CM_CAT_CUSTOM, CM_STR_LIT("Customer Threat Intel"), cm_str_cstr(path), false,
        NULL, NULL};
    struct cm_intel_builder *b = NULL;
    struct cm_intel_snapshot *snap = NULL;
    struct cm_buf buf;
    int fd = open(path, O_RDONLY), rc;

    cm_buf_init(&buf, 0);
    memset(st, 0, sizeof(*st));
    if (fd < 0) {
        return CM_EIO;
    }
    rc = cm_read_fd(fd, &buf, 0);
    close(fd);
    if (rc == 0) {
        rc = cm_intel_builder_create(&b, seed);
    }
    if (rc == 0) {
        rc = cm_intel_builder_add_list(b, &list, &opts.list);
    }
    if (rc == 0) {
        rc = cm_intel_load(b, &cm_intel_format_txt, buf.p, buf.len, &opts, st);
    }
    if (rc == 0) {
        rc = cm_intel_builder_build(b, &snap);
    }
    cm_intel_snapshot_unref(snap);
    cm_intel_builder_destroy(b);
    cm_buf_finish(&buf);
    return rc;
}

static int bench_txt(const struct conf *c, struct cm_gen_rng *g, const char *dir)
{
    struct cm_intel_load_stats st;
    char path[4096];
    double t[ROUNDS];
    int rc;

    snprintf(path, sizeof(path), "%s/coalmine-bench-intel.txt", dir);
    if ((rc = write_txt(path, c->entries, g)) != 0) {
        fprintf(stderr, "coalmine bench intel: cannot write %s\n", path);
        unlink(path);
        return rc;
    }
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        double t0 = wall_s();
        rc = load_txt(path, c->seed, &st);
        t[r] = wall_s() - t0;
    }
    unlink(path);
    if (rc == 0 && (st.ip_entries != c->entries || st.bad != 0)) {
        fprintf(stderr,
                "coalmine bench intel: TXT load: %llu entries and %llu bad records, expected %zu "
                "entries\n",
                (unsigned long long)st.ip_entries, (unsigned long long)st.bad, c->entries);
        rc = CM_EINVAL;
    }
    if (rc == 0) {
        cm_bench_intel_report("txt list file: read + parse + build snapshot", "wall", c->entries,
                              cm_bench_median(t, ROUNDS), -1);
    }
    return rc;
}

/* --- the command ---------------------------------------------------------------------- */

static int usage(void)
{
    printf("usage: coalmine bench intel [--entries N] [--lookups M] [--dir DIR]\n"
           "                            [--only ipv4|domains]\n\n"
           "Times the threat-intel sets on one thread with a fixed seed: N random IPv4 /32s,\n"
           "N mixed-length IPv4 networks, an N-line TXT list file loaded end to end (written\n"
           "to DIR, default a temporary directory, and removed after) and N domain names.\n"
           "N defaults to 1000000, M (lookups per measurement) to 4000000. Each\n"
           "measurement runs %d times and the median is printed, one JSON line each.\n"
           "--only ipv4 times the IPv4 sets and the list load alone, --only domains the\n"
           "domain names alone.\n",
           ROUNDS);
    return CM_EXIT_OK;
}

int cm_bench_intel(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"entries", required_argument, NULL, 'n'}, {"lookups", required_argument, NULL, 'l'},
        {"dir", required_argument, NULL, 'd'},     {"only", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    struct conf c = {1000000, 4000000, 0x636f616c6d696e65ULL, NULL, NULL};
    bool v4, dom;
    char tmp[] = "/tmp/coalmine-bench-XXXXXX";
    struct cm_gen_rng g;
    unsigned long long v;
    int ch, rc;

    optind = 1;
    while ((ch = cm_cli_getopt("bench", argc, argv, "n:l:d:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
        case 'l':
            if (cm_str_to_u64(cm_str_cstr(optarg), 100000000ULL, &v) != 0 || v < 10) {
                fprintf(stderr, "coalmine bench intel: --%s wants 10 to 100000000\n",
                        ch == 'n' ? "entries" : "lookups");
                return CM_EXIT_USAGE;
            }
            *(ch == 'n' ? &c.entries : &c.lookups) = (size_t)v;
            break;
        case 'd':
            c.dir = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "ipv4") != 0 && strcmp(optarg, "domains") != 0) {
                fprintf(stderr, "coalmine bench intel: --only wants ipv4 or domains\n");
                return CM_EXIT_USAGE;
            }
            c.only = optarg;
            break;
        case 'h':
            return usage();
        default:
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine bench intel: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    cm_gen_rng_seed(&g, 0x696e74656cULL);
    v4 = c.only == NULL || strcmp(c.only, "ipv4") == 0;
    dom = c.only == NULL || strcmp(c.only, "domains") == 0;
    if (v4 && c.dir == NULL && mkdtemp(tmp) == NULL) {
        fprintf(stderr, "coalmine bench intel: cannot create a temporary directory\n");
        return CM_EXIT_ERROR;
    }
    rc = v4 ? bench_v4_hosts(&c, &g) : 0;
    if (rc == 0 && v4) {
        rc = bench_v4_mixed(&c, &g);
    }
    if (rc == 0 && v4) {
        rc = bench_txt(&c, &g, c.dir != NULL ? c.dir : tmp);
    }
    if (rc == 0 && dom) {
        rc = cm_bench_intel_domains(&c, &g);
    }
    if (v4 && c.dir == NULL) {
        rmdir(tmp);
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine bench intel: %s\n", cm_strerror(rc));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}
