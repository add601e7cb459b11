/*
 * coalmine bench store: the findings store under load. Writes N distinct
 * findings in batched transactions (new findings/s), then M repeats of
 * stored findings, each with a new event (stored repeats/s), then the same
 * repeats folded by the aggregator first, as a scan does (aggregated
 * repeats/s), and finally times filtered, paginated lists over the whole
 * store. One JSON line per measurement; bench/run.sh prints the table.
 *
 * The findings are the sample findings of every type (lib/finding), made
 * distinct by account, resource and time; making them is not timed. Each
 * stage reports the wall clock and the CPU time (every thread of the
 * process: the store makes documents and checkpoints on threads of its own)
 * of its timed parts; on a shared machine the CPU time is the steadier one.
 * Killed at any moment, the store must stay consistent: the kill -9 test
 * (tests/e2e/store_kill.sh) runs this command and kills it.
 */
#include "cli/bench_store.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/str.h"
#include "cli/bench_util.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "cli/findings_out.h"
#include "finding/aggregate.h"
#include "finding/criteria.h"
#include "finding/finding_sample.h"
#include "store/store.h"

#define BATCH        2000
#define BASE_MS      1764547200000LL /* 2025-12-01T00:00:00Z */
#define STEP_MS      1000LL
#define NACCOUNT     50
#define MAX_FINDINGS 1000000000ULL /* --findings and --repeats */

struct bench {
    struct cm_store *st;
    const struct cm_finding_type_info *types;
    size_t ntypes;
    struct cm_finding f[BATCH];
    struct cm_store_put put[BATCH];
    struct cm_finding_event ev[BATCH];
    uint64_t next_key;
    char err[512];
};

static double mono_s(void)
{
    return cm_bench_seconds(CLOCK_MONOTONIC);
}

/* CPU time of the process (every thread): on a shared machine, steadier than the wall clock. */
static double cpu_s(void)
{
    return cm_bench_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

/* The i-th distinct finding: a sample of type i % ntypes in its own account and resource. */
static int make(struct bench *b, struct cm_finding *f, uint64_t i, int64_t now_ms)
{
    const char *type = b->types[i % b->ntypes].type;
    char account[16], resource[32];
    struct cm_finding_ctx ctx = {.detector_id = CM_DEFAULT_DETECTOR_ID};
    int rc;

    snprintf(account, sizeof(account), "%012llu",
             (unsigned long long)(100000000000ULL + i % NACCOUNT));
    cm_finding_init(f);
    if ((rc = cm_finding_sample(f, &ctx, account, "us-east-1", type, now_ms)) != 0) {
        return rc;
    }
    /* Distinct identity and resource per i; the rest of the sample stays. */
    snprintf(f->id, sizeof(f->id), "%016llx%016llx", (unsigned long long)i * 0x9e3779b97f4a7c15ULL,
             (unsigned long long)i);
    snprintf(resource, sizeof(resource), "i-%017llx", (unsigned long long)i);
    if (f->resource_type == CM_RES_INSTANCE) {
        rc = cm_finding_setc(f, &f->instance.instance_id, resource);
    }
    return rc ? rc : cm_finding_make_arn(f);
}

static void release(struct bench *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        cm_finding_finish(&b->f[k]);
    }
}

/* Time spent in a stage's timed parts: wall clock and CPU (every thread of the process). */
struct spent {
    double wall, cpu;
};

static void spent_add(struct spent *t, double wall0, double cpu0)
{
    t->wall += mono_s() - wall0;
    t->cpu += cpu_s() - cpu0;
}

/* One stage: n records in t. */
static void report(const char *stage, uint64_t n, const struct spent *t)
{
    double s = t->wall, cpu = t->cpu;

    printf("{\"stage\":\"%s\",\"records\":%llu,\"seconds\":%.6f,\"records_s\":%.0f,"
           "\"cpu_seconds\":%.6f}\n",
           stage, (unsigned long long)n, s, s > 0 ? (double)n / s : 0.0, cpu);
    fflush(stdout);
}

/* Stores findings [from, to) (new when first made, repeats with a new event after). */
static int put_range(struct bench *b, uint64_t from, uint64_t to, int64_t now_ms, struct spent *t)
{
    int rc = CM_OK;

    for (uint64_t i = from; i < to && rc == 0; i += BATCH) {
        size_t n = (size_t)(to - i < BATCH ? to - i : BATCH), made = 0;
        double t0, c0;
        for (size_t k = 0; k < n && rc == 0; k++, made++) {
            rc = make(b, &b->f[k], i + k, now_ms + (int64_t)(i + k) * STEP_MS);
            b->ev[k] = (struct cm_finding_event){b->next_key++, 1};
            b->put[k] = (struct cm_store_put){.f = &b->f[k], .events = &b->ev[k], .nevents = 1};
        }
        if (rc == 0) {
            t0 = mono_s();
            c0 = cpu_s();
            rc = cm_store_put_findings(b->st, b->put, n, b->err, sizeof(b->err));
            spent_add(t, t0, c0);
        }
        release(b, made);
    }
    return rc;
}

/*
 * reps detections of the findings [0, distinct) through the aggregator (as a
 * scan folds them), then stored: the time covers folding and storing.
 */
static int put_aggregated(struct bench *b, uint64_t distinct, uint64_t reps, struct spent *t)
{
    struct cm_agg *agg = NULL;
    struct cm_store_put *puts = NULL;
    double t0, c0;
    int rc;

    if ((rc = cm_agg_create(&agg, 0, 0x62656e6368ULL)) != 0) {
        return rc;
    }
    t0 = mono_s();
    c0 = cpu_s();
    for (uint64_t r = 0; r < reps && rc == 0; r++) {
        char acct[16];
        uint64_t i = r % distinct;
        struct cm_detection d = {
            .type = "UnauthorizedAccess:EC2/SSHBruteForce",
            .account = {acct, 12},
            .region = CM_STR_LIT("us-east-1"),
            .time_ms = BASE_MS + (int64_t)r,
            .first_ms = BASE_MS + (int64_t)r,
            .resource_type = CM_RES_INSTANCE,
            .count = 1,
        };
        struct cm_finding_ctx ctx = {.detector_id = CM_DEFAULT_DETECTOR_ID};
        char rid[32];
        snprintf(acct, sizeof(acct), "%012llu", (unsigned long long)(200000000000ULL + i));
        snprintf(rid, sizeof(rid), "i-%017llx", (unsigned long long)i);
        d.resource_id = cm_str_cstr(rid);
        rc = cm_agg_add(agg, &ctx, &d, NULL, NULL);
    }
    if (rc == 0) {
        size_t n = cm_agg_stats(agg)->findings;
        puts = calloc(n ? n : 1, sizeof(*puts));
        rc = puts ? CM_OK : CM_ENOMEM;
        for (size_t k = 0; rc == 0 && k < n; k++) {
            puts[k].f = cm_agg_at(agg, k);
            puts[k].events = cm_agg_events(agg, k, &puts[k].nevents);
        }
        if (rc == 0) {
            rc = cm_store_put_findings(b->st, puts, n, b->err, sizeof(b->err));
        }
    }
    spent_add(t, t0, c0);
    free(puts);
    cm_agg_destroy(agg);
    return rc;
}

static int count_row(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    (void)f, (void)doc, (void)len;
    (*(size_t *)ud)++;
    return 0;
}

/* Times one query (best of 5): the first page, or depth pages by next token. */
static int time_list(struct bench *b, const char *label, const char *criteria,
                     enum cm_store_sort sort, int depth)
{
    struct cm_store_query q;
    struct cm_criteria *c = NULL;
    char token[CM_STORE_TOKEN_MAX] = "", next[CM_STORE_TOKEN_MAX];
    double best = 1e9;
    size_t rows = 0;
    int rc = CM_OK;

    if (criteria && cm_criteria_compile(criteria, strlen(criteria), 0, &c, NULL) != 0) {
        return CM_EINVAL;
    }
    for (int round = 0; round < 5 && rc == 0; round++) {
        double t0 = mono_s(), t;
        token[0] = '\0';
        rows = 0;
        for (int page = 0; page < depth && rc == 0; page++) {
            memset(&q, 0, sizeof(q));
            q.criteria[0] = c;
            q.sort = sort;
            q.limit = 50;
            q.next_token = token;
            rc = cm_store_query(b->st, &q, count_row, &rows, next, b->err, sizeof(b->err));
            memcpy(token, next, sizeof(token));
            if (!token[0]) {
                break;
            }
        }
        t = (mono_s() - t0) / depth;
        best = t < best ? t : best;
    }
    if (rc == 0) {
        printf("{\"stage\":\"list\",\"query\":\"%s\",\"pages\":%d,\"rows\":%zu,\"ms_per_page\":%."
               "3f}\n",
               label, depth, rows, best * 1e3);
    }
    cm_criteria_destroy(c);
    return rc;
}

static int lists(struct bench *b)
{
    static const char high[] = "{\"Criterion\":{\"severity\":{\"Gte\":7},"
                               "\"service.archived\":{\"Equals\":[\"false\"]}}}";
    static const char type[] = "{\"Criterion\":{\"type\":{\"Equals\":"
                               "[\"Recon:EC2/PortProbeUnprotectedPort\"]},"
                               "\"accountId\":{\"Equals\":[\"100000000007\"]}}}";
    static const char type_only[] = "{\"Criterion\":{\"type\":{\"Equals\":"
                                    "[\"Recon:EC2/PortProbeUnprotectedPort\"]}}}";
    char inst[160];
    size_t k = 0;
    static const char port[] = "{\"Criterion\":{\"service.action.networkConnectionAction."
                               "remotePortDetails.port\":{\"Equals\":[\"22\"]}}}";
    int rc;

    /* An instance finding that exists: the first Instance type, a few rounds in. */
    while (k + 1 < b->ntypes && b->types[k].resource != CM_RES_INSTANCE) {
        k++;
    }
    snprintf(inst, sizeof(inst),
             "{\"Criterion\":{\"resource.instanceDetails.instanceId\":"
             "{\"Equals\":[\"i-%017llx\"]}}}",
             (unsigned long long)(b->ntypes * 5 + k));
    rc = time_list(b, "all, newest first", NULL, CM_SORT_UPDATED, 1);

    if (rc == 0) {
        rc = time_list(b, "severity >= 7, current, newest first", high, CM_SORT_UPDATED, 1);
    }
    if (rc == 0) {
        rc = time_list(b, "type, newest first", type_only, CM_SORT_UPDATED, 1);
    }
    if (rc == 0) {
        rc = time_list(b, "type + account, by severity", type, CM_SORT_SEVERITY, 1);
    }
    if (rc == 0) {
        rc = time_list(b, "all, by severity (no index)", NULL, CM_SORT_SEVERITY, 1);
    }
    if (rc == 0) {
        rc = time_list(b, "severity >= 7, pages 1-20", high, CM_SORT_UPDATED, 20);
    }
    if (rc == 0) {
        rc = time_list(b, "instanceId (index, then document)", inst, CM_SORT_UPDATED, 1);
    }
    if (rc == 0) {
        rc = time_list(b, "remote port (documents matched)", port, CM_SORT_UPDATED, 1);
    }
    return rc;
}

int cm_bench_store(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"db", required_argument, NULL, 'd'},
        {"findings", required_argument, NULL, 'n'},
        {"repeats", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static struct bench b; /* large: BATCH findings */
    const char *path = NULL;
    unsigned long long nf = 1000000, nr = 200000;
    struct spent t = {0, 0};
    int ch, rc;

    optind = 1;
    while ((ch = cm_cli_getopt("bench", argc, argv, "d:n:r:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            path = optarg;
            break;
        case 'n':
        case 'r':
            if (cm_str_to_u64(cm_str_cstr(optarg), MAX_FINDINGS, ch == 'n' ? &nf : &nr) != 0) {
                fprintf(stderr, "coalmine bench store: %s '%s': wants a count up to %llu\n",
                        ch == 'n' ? "--findings" : "--repeats", optarg, MAX_FINDINGS);
                return CM_EXIT_USAGE;
            }
            break;
        case 'h':
            printf("usage: coalmine bench store --db FILE [--findings N] [--repeats M]\n\n"
                   "Replaces FILE with a store of N distinct findings (default 1000000) written\n"
                   "in batches of %d, then M repeats (default 200000; 0: none), and times\n"
                   "filtered, paginated lists over it. One JSON line per measurement.\n",
                   BATCH);
            return CM_EXIT_OK;
        default:
            return CM_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "coalmine bench store: unexpected argument '%s'\n", argv[optind]);
        return CM_EXIT_USAGE;
    }
    if (path == NULL || nf == 0 || nr > nf) {
        fprintf(stderr, "coalmine bench store: --db FILE is required; findings >= 1, "
                        "repeats <= findings\n");
        return CM_EXIT_USAGE;
    }
    memset(&b, 0, sizeof(b));
    b.types = cm_finding_types(&b.ntypes);
    (void)unlink(path);
    if (cm_store_open(&b.st, path, CM_STORE_CREATE, b.err, sizeof(b.err)) != 0) {
        fprintf(stderr, "coalmine bench store: %s\n", b.err);
        return CM_EXIT_ERROR;
    }
    b.next_key = 1;
    rc = put_range(&b, 0, nf, BASE_MS, &t);
    if (rc == 0) {
        report("store new findings", nf, &t);
        t = (struct spent){0, 0};
        rc = put_range(&b, 0, nr, BASE_MS + 86400000, &t);
    }
    if (rc == 0) {
        report("store repeats (stored finding updated)", nr, &t);
        t = (struct spent){0, 0};
        rc = put_aggregated(&b, 1000, nr, &t);
    }
    if (rc == 0) {
        report("store repeats (aggregated, as a scan)", nr, &t);
        rc = lists(&b);
    }
    if (rc != 0) {
        fprintf(stderr, "coalmine bench store: %s\n", b.err[0] ? b.err : cm_strerror(rc));
    }
    cm_store_close(b.st);
    return rc == 0 ? CM_EXIT_OK : CM_EXIT_ERROR;
}
