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
 *       suffix).
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
#include "gen/rng.h"
#include "intel/domainset.h"
#include "intel/format.h"
#include "intel/indicator.h"
#include "intel/ipset.h"
#include "intel/load.h"
#include "intel/snapshot.h"
#include "source/source_file.h"

#define ROUNDS 3

struct conf {
    size_t entries; /* per set */
    size_t lookups; /* per timed pass */
    uint64_t seed;
    const char *dir;
    const char *only; /* "ipv4" or "domains": that part alone; NULL: everything */
};

/* A list of names in one buffer: off[] while it grows, then v[] (names_fix). */
struct names {
    char *pool;
    size_t used, cap;
    size_t *off;
    struct cm_str *v;
    size_t n;
};

static uint64_t rnd(struct cm_gen_rng *g)
{
    return cm_gen_rng_next(g);
}

static double cpu_s(void)
{
    return cm_bench_seconds(CLOCK_THREAD_CPUTIME_ID);
}

static double wall_s(void)
{
    return cm_bench_seconds(CLOCK_MONOTONIC);
}

/* One JSON line; bpe < 0 leaves bytes_per_entry out. */
static void report(const char *stage, const char *clock, size_t records, double secs, double bpe)
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
        report(stage, "cpu", n, cm_bench_median(t, ROUNDS),
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
    report(stage, "cpu", passes * nq, cm_bench_median(t, ROUNDS), -1);
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
        0, CM_CAT_CUSTOM, CM_STR_LIT("Customer Threat Intel"), cm_str_cstr(path), NULL, NULL};
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
        report("txt list file: read + parse + build snapshot", "wall", c->entries,
               cm_bench_median(t, ROUNDS), -1);
    }
    return rc;
}

/* --- domains -------------------------------------------------------------------------- */

static int names_init(struct names *ns, size_t n)
{
    ns->off = malloc(n * sizeof(*ns->off));
    ns->v = malloc(n * sizeof(*ns->v));
    return ns->off != NULL && ns->v != NULL ? CM_OK : CM_ENOMEM;
}

/* Adds p[0..len), with the 16 readable bytes after it a normalised name has (domainset.h). */
static int names_add(struct names *ns, const char *p, size_t len)
{
    int rc = cm_grow((void **)&ns->pool, &ns->cap, ns->used + len + 16, 1, 1 << 20);

    if (rc != 0) {
        return rc;
    }
    memcpy(ns->pool + ns->used, p, len);
    memset(ns->pool + ns->used + len, 0, 16);
    ns->off[ns->n] = ns->used;
    ns->v[ns->n++].len = len;
    ns->used += len;
    return CM_OK;
}

static void names_fix(struct names *ns)
{
    for (size_t i = 0; i < ns->n; i++) {
        ns->v[i].p = ns->pool + ns->off[i];
    }
}

static void names_free(struct names *ns)
{
    cm_free(ns->pool);
    free(ns->off);
    free(ns->v);
}

/* Appends a random label of 3-12 letters and digits to out at *k. */
static void label(struct cm_gen_rng *g, char *out, size_t *k)
{
    static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned n = 3 + (unsigned)(rnd(g) % 10);

    for (unsigned i = 0; i < n; i++) {
        uint64_t r = rnd(g);
        out[(*k)++] = alnum[r % 8 == 0 ? 26 + (r >> 8) % 10 : (r >> 8) % 26];
    }
}

static const char *const tlds[] = {"com", "net", "org", "ru",  "info", "xyz", "top",    "io",
                                   "cn",  "de",  "biz", "app", "site", "me",  "online", "tk"};

/* A registered domain: label.tld */
static size_t reg_domain(struct cm_gen_rng *g, char *out)
{
    const char *tld = tlds[rnd(g) % (sizeof(tlds) / sizeof(tlds[0]))];
    size_t k = 0, tl = strlen(tld);

    label(g, out, &k);
    out[k++] = '.';
    memcpy(out + k, tld, tl);
    return k + tl;
}

/* Prepends nl random labels to name (len bytes) into out. */
static size_t prepend(struct cm_gen_rng *g, unsigned nl, struct cm_str name, char *out)
{
    size_t k = 0;

    for (unsigned i = 0; i < nl; i++) {
        label(g, out, &k);
        out[k++] = '.';
    }
    memcpy(out + k, name.p, name.len);
    return k + name.len;
}

static unsigned nlabels(struct cm_str s)
{
    unsigned n = 1;

    for (size_t i = 0; i < s.len; i++) {
        n += s.p[i] == '.';
    }
    return n;
}

/*
 * n names: 6 in 10 registered domains (2 labels), the rest 1 or 2 labels
 * under an earlier registered domain (3-4 labels).
 */
static int gen_domains(struct cm_gen_rng *g, size_t n, struct names *ns)
{
    size_t *regs = malloc(n * sizeof(*regs)), nregs = 0;
    int rc = CM_OK;

    if (regs == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        char buf[CM_DOMAIN_MAX];
        size_t len;

        if (nregs == 0 || rnd(g) % 10 < 6) {
            len = reg_domain(g, buf);
            regs[nregs++] = ns->n;
        } else {
            size_t k = regs[rnd(g) % nregs];
            char pbuf[CM_DOMAIN_MAX];

            memcpy(pbuf, ns->pool + ns->off[k], ns->v[k].len); /* the pool may move */
            len = prepend(g, 1 + (unsigned)(rnd(g) % 2), cm_str_make(pbuf, ns->v[k].len), buf);
        }
        rc = names_add(ns, buf, len);
    }
    free(regs);
    return rc;
}

static int build_domainset(const struct conf *c, const struct names *ns, struct cm_domainset **out)
{
    double t[ROUNDS];
    int rc = CM_OK;

    *out = NULL;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        struct cm_domainset_builder *b = NULL;
        double t0 = cpu_s();

        cm_domainset_destroy(*out);
        *out = NULL;
        rc = cm_domainset_builder_create(&b, c->seed);
        for (size_t i = 0; i < ns->n && rc == 0; i++) {
            rc = cm_domainset_builder_add_text(b, ns->v[i], (uint32_t)(i & 7));
        }
        if (rc == 0) {
            rc = cm_domainset_freeze(b, out);
        }
        t[r] = cpu_s() - t0;
        cm_domainset_builder_destroy(b);
    }
    if (rc == 0) {
        size_t cnt = cm_domainset_count(*out);
        report("domains: build (add + freeze)", "cpu", ns->n, cm_bench_median(t, ROUNDS),
               (double)cm_domainset_bytes(*out) / (double)(cnt ? cnt : 1));
    }
    return rc;
}

/* Names cm_domainset_lookup_batch is given at a time, as the scan's engine gives them. */
#define DOMAIN_BATCH 64

/* How a timing looks names up. */
enum how {
    ONE_AT_A_TIME, /* cm_domainset_lookup */
    BATCHED,       /* cm_domainset_lookup_batch, DOMAIN_BATCH names at a time */
    BATCHED_NORM,  /* cm_domainset_lookup_batch_norm: the names come normalised */
};

/* Times c->lookups lookups cycling over q; each pass must find want hits. */
static int time_domain_lookups(const struct conf *c, const struct cm_domainset *s,
                               const struct names *q, size_t want, enum how how, const char *stage)
{
    size_t passes = (c->lookups + q->n - 1) / q->n;
    volatile uint32_t sink = 0; /* keeps the reads of the values */
    double t[ROUNDS];

    for (int r = 0; r < ROUNDS; r++) {
        size_t hits = 0;
        double t0 = cpu_s();

        for (size_t p = 0; p < passes; p++) {
            for (size_t i = 0; i < q->n && how != ONE_AT_A_TIME; i += DOMAIN_BATCH) {
                struct cm_domainset_match m[DOMAIN_BATCH];
                bool found[DOMAIN_BATCH];
                size_t k = q->n - i < DOMAIN_BATCH ? q->n - i : DOMAIN_BATCH;

                if (how == BATCHED_NORM) {
                    cm_domainset_lookup_batch_norm(s, q->v + i, k, m, found);
                } else {
                    cm_domainset_lookup_batch(s, q->v + i, k, m, found);
                }
                for (size_t j = 0; j < k; j++) {
                    if (found[j]) {
                        hits++;
                        sink ^= m[j].vals[0];
                    }
                }
            }
            for (size_t i = 0; i < q->n && how == ONE_AT_A_TIME; i++) {
                struct cm_domainset_match m;

                if (cm_domainset_lookup(s, q->v[i], &m)) {
                    hits++;
                    sink ^= m.vals[0];
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
    report(stage, "cpu", passes * q->n, cm_bench_median(t, ROUNDS), -1);
    return CM_OK;
}

static int cmp_str(const void *a, const void *b)
{
    const struct cm_str *x = a, *y = b;
    int d = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

    return d != 0 ? d : x->len < y->len ? -1 : x->len > y->len;
}

/* Whether name or a parent of it is in sorted[0..n) (the oracle, independent of lib/intel). */
static bool listed_suffix(const struct cm_str *sorted, size_t n, struct cm_str name)
{
    for (size_t i = 0; i < name.len; i++) {
        if (i == 0 || name.p[i - 1] == '.') {
            struct cm_str suffix = cm_str_make(name.p + i, name.len - i);

            if (bsearch(&suffix, sorted, n, sizeof(*sorted), cmp_str) != NULL) {
                return true;
            }
        }
    }
    return false;
}

static int bench_domains(const struct conf *c, struct cm_gen_rng *g)
{
    size_t n = c->entries;
    struct names ns = {0}, miss = {0}, hit = {0};
    struct cm_domainset *s = NULL;
    struct cm_str *sorted = NULL;
    int rc = CM_ENOMEM;

    if (names_init(&ns, n) != 0 || names_init(&miss, n) != 0 || names_init(&hit, n) != 0 ||
        (sorted = malloc(n * sizeof(*sorted))) == NULL) {
        goto done;
    }
    if ((rc = gen_domains(g, n, &ns)) != 0) {
        goto done;
    }
    names_fix(&ns);
    if ((rc = build_domainset(c, &ns, &s)) != 0) {
        goto done;
    }
    memcpy(sorted, ns.v, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_str);
    /* 4-label names under unlisted registered domains; the rare accidental hit is redrawn. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char reg[CM_DOMAIN_MAX], buf[CM_DOMAIN_MAX];
        size_t len;

        do {
            len = prepend(g, 2, cm_str_make(reg, reg_domain(g, reg)), buf);
        } while (listed_suffix(sorted, n, cm_str_make(buf, len)));
        rc = names_add(&miss, buf, len);
    }
    /* Under a listed name: 2-label ones get 2 more labels, the others 1. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char buf[2 * CM_DOMAIN_MAX];
        struct cm_str name = ns.v[rnd(g) % n];
        size_t len = prepend(g, nlabels(name) == 2 ? 2 : 1, name, buf);

        rc = len <= CM_DOMAIN_MAX ? names_add(&hit, buf, len) : CM_EINVAL;
    }
    if (rc != 0) {
        goto done;
    }
    names_fix(&miss);
    names_fix(&hit);
    /* The generated names are normalised already: lowercase, no trailing dot, valid labels. */
    rc = time_domain_lookups(c, s, &miss, 0, ONE_AT_A_TIME, "domains: 4-label names, miss");
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &miss, 0, BATCHED, "domains: 4-label names, miss, batched");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, ONE_AT_A_TIME,
                                 "domains: names under a listed one, hit");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, BATCHED,
                                 "domains: names under a listed one, hit, batched");
    }
    if (rc == 0) {
        rc = time_domain_lookups(c, s, &hit, n, BATCHED_NORM,
                                 "domains: the same, batched, names split by the parser");
    }
done:
    cm_domainset_destroy(s);
    free(sorted);
    names_free(&ns);
    names_free(&miss);
    names_free(&hit);
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
    while ((ch = getopt_long(argc, argv, "n:l:d:o:h", longopts, NULL)) != -1) {
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
        rc = bench_domains(&c, &g);
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
