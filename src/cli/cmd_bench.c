/*
 * coalmine bench: per-stage throughput of the engine on real files, measured
 * in memory so that disk and page cache do not blur the numbers: inflate
 * (libdeflate), the JSON reader alone, and each log parser (with the JSON tape
 * reset per record, as the scan's single-thread path does). Prints one JSON
 * object per stage; bench/run.sh turns them into the table with the
 * end-to-end scans and the zcat/jq baselines.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/domain_cache.h"
#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "cli/bench_intel.h"
#include "cli/bench_memory.h"
#include "cli/bench_store.h"
#include "cli/bench_util.h"
#include "cli/cmd.h"
#include "cli/findings_cli.h"
#include "intel/psl_load.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/input.h"
#include "source/source_file.h"

struct blob {
    char *raw;
    size_t raw_len;
    char *data;
    size_t len;
    const struct cm_parser *ps;
};

struct corpus {
    struct blob *v;
    size_t n;
    size_t bytes[CM_EV_KIND_COUNT];
};

struct counter {
    uint64_t events, rejects;
    struct cm_parse_ctx *ctx;
};

static int count_event(void *ud, struct cm_event *ev)
{
    struct counter *c = ud;
    (void)ev;
    c->events++;
    cm_json_doc_begin(c->ctx->doc, c->ctx->doc->src, c->ctx->doc->src_len);
    return 0;
}

static void count_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                         const char *reason)
{
    struct counter *c = ud;
    (void)k, (void)off, (void)line, (void)reason;
    c->rejects++;
}

static int read_all(const char *path, struct cm_buf *b)
{
    int fd = open(path, O_RDONLY);
    int rc;

    if (fd < 0) {
        return CM_EIO;
    }
    rc = cm_read_fd(fd, b, 0);
    close(fd);
    return rc;
}

static int load(struct corpus *c, struct cm_inputs *in, size_t max_bytes)
{
    struct cm_decoder dec;
    size_t total = 0;

    if (cm_decoder_init(&dec) != 0) {
        return CM_ENOMEM;
    }
    c->v = calloc(in->n ? in->n : 1, sizeof(*c->v));
    for (size_t i = 0; c->v && i < in->n && total < max_bytes; i++) {
        struct cm_buf raw, out;
        struct cm_decode_error de;
        struct blob *b = &c->v[c->n];
        cm_buf_init(&raw, 0);
        cm_buf_init(&out, 0);
        if (in->v[i].is_stdin || in->v[i].other != NULL || in->v[i].skip_as != NULL ||
            read_all(in->v[i].path, &raw) != 0) {
            cm_buf_finish(&raw);
            continue;
        }
        if (cm_is_gzip(raw.p, raw.len)) {
            if (cm_decode_gzip(&dec, raw.p, raw.len, &out, &de) != 0) {
                cm_buf_finish(&raw);
                cm_buf_finish(&out);
                continue;
            }
        } else {
            cm_buf_append(&out, raw.p, raw.len);
        }
        b->raw_len = raw.len;
        b->raw = cm_buf_take(&raw, NULL);
        b->len = out.len;
        b->data = cm_buf_take(&out, NULL);
        b->ps = b->data ? cm_parse_sniff(b->data, b->len) : NULL;
        if (b->ps) {
            c->bytes[b->ps->kind] += b->len;
        }
        total += b->len;
        c->n++;
    }
    cm_decoder_finish(&dec);
    return c->v ? CM_OK : CM_ENOMEM;
}

static void report(const char *stage, const char *kind, uint64_t bytes, uint64_t records,
                   double secs)
{
    printf("{\"stage\":\"%s\",\"kind\":\"%s\",\"bytes\":%llu,\"records\":%llu,\"seconds\":%.6f,"
           "\"mb_s\":%.1f,\"records_s\":%.0f}\n",
           stage, kind, (unsigned long long)bytes, (unsigned long long)records, secs,
           secs > 0 ? (double)bytes / 1e6 / secs : 0.0, secs > 0 ? (double)records / secs : 0.0);
}

static void bench_inflate(const struct corpus *c, int rounds)
{
    struct cm_decoder dec;
    struct cm_buf out;
    struct cm_decode_error de;
    uint64_t bytes = 0;
    double t0;

    cm_decoder_init(&dec);
    cm_buf_init(&out, 0);
    t0 = cm_bench_seconds(CLOCK_MONOTONIC);
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < c->n; i++) {
            if (cm_is_gzip(c->v[i].raw, c->v[i].raw_len) &&
                cm_decode_gzip(&dec, c->v[i].raw, c->v[i].raw_len, &out, &de) == 0) {
                bytes += out.len;
            }
        }
    }
    report("inflate", "all", bytes, 0, cm_bench_seconds(CLOCK_MONOTONIC) - t0);
    cm_buf_finish(&out);
    cm_decoder_finish(&dec);
}

static void bench_json(const struct corpus *c, int rounds)
{
    struct cm_json_doc d;
    uint64_t bytes = 0;
    double t0;

    cm_json_doc_init(&d, 0, 0);
    t0 = cm_bench_seconds(CLOCK_MONOTONIC);
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < c->n; i++) {
            if (c->v[i].ps && c->v[i].ps->kind == CM_EV_CLOUDTRAIL &&
                cm_json_parse(&d, c->v[i].data, c->v[i].len, NULL) == 0) {
                bytes += c->v[i].len;
            }
        }
    }
    report("json", "cloudtrail", bytes, 0, cm_bench_seconds(CLOCK_MONOTONIC) - t0);
    cm_json_doc_finish(&d);
}

/* psl: the suffix set the scan gives the parsers (NULL: libpsl): the stage times a scan. */
static void bench_parse(const struct corpus *c, enum cm_event_kind kind, int rounds,
                        const struct cm_psl *psl)
{
    struct cm_json_doc d;
    struct cm_parse_ctx ctx;
    struct counter cnt = {0, 0, &ctx};
    uint64_t bytes = 0;
    double t0;

    struct cm_domain_cache *dc = NULL;

    cm_json_doc_init(&d, 0, 0);
    /* As a scan's reader parses: with a cache of split query names (none when it cannot be had). */
    (void)cm_domain_cache_create(&dc, 1024, 0x646e73);
    t0 = cm_bench_seconds(CLOCK_MONOTONIC);
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < c->n; i++) {
            if (c->v[i].ps == NULL || c->v[i].ps->kind != kind) {
                continue;
            }
            cm_parse_ctx_init(&ctx, &d);
            ctx.psl = psl;
            ctx.dcache = dc;
            ctx.on_event = count_event;
            ctx.on_reject = count_reject;
            ctx.ud = &cnt;
            c->v[i].ps->parse(&ctx, c->v[i].data, c->v[i].len);
            bytes += c->v[i].len;
        }
    }
    if (bytes) {
        report("parse", cm_event_kind_name(kind), bytes, cnt.events,
               cm_bench_seconds(CLOCK_MONOTONIC) - t0);
    }
    cm_domain_cache_destroy(dc);
    cm_json_doc_finish(&d);
}

static int run(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"rounds", required_argument, NULL, 'n'},
        {"max-mb", required_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct cm_inputs in;
    struct corpus c = {0};
    struct cm_psl *psl = NULL;
    char err[256] = "";
    unsigned long long v;
    int ch, rounds = 3;
    long max_mb = 1024;

    if (argc > 1 && strcmp(argv[1], "store") == 0) {
        return cm_bench_store(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "intel") == 0) {
        return cm_bench_intel(argc - 1, argv + 1);
    }
    if (argc > 1 && strcmp(argv[1], "memory") == 0) {
        return cm_bench_memory(argc - 1, argv + 1);
    }
    optind = 1;
    while ((ch = cm_cli_getopt(NULL, argc, argv, "n:m:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (cm_str_to_u64(cm_str_cstr(optarg), 1000, &v) != 0 || v < 1) {
                fprintf(stderr, "coalmine bench: --rounds '%s': wants 1 to 1000\n", optarg);
                return CM_EXIT_USAGE;
            }
            rounds = (int)v;
            break;
        case 'm':
            if (cm_str_to_u64(cm_str_cstr(optarg), 1 << 20, &v) != 0 || v < 1) {
                fprintf(stderr, "coalmine bench: --max-mb '%s': wants 1 to 1048576\n", optarg);
                return CM_EXIT_USAGE;
            }
            max_mb = (long)v;
            break;
        case 'h':
            printf("usage: coalmine bench [--rounds N] [--max-mb MB] PATH...\n"
                   "       coalmine bench store --db FILE [--findings N] [--repeats M]\n"
                   "       coalmine bench intel [--entries N] [--lookups M] [--dir DIR]\n"
                   "                            [--only ipv4|domains]\n"
                   "       coalmine bench memory\n\n"
                   "Loads up to MB megabytes of decoded logs into memory and times each stage\n"
                   "(inflate, JSON reader, each parser) over them N times; one JSON line per "
                   "stage.\n");
            return CM_EXIT_OK;
        default:
            return CM_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "coalmine bench: no PATH given\n");
        return CM_EXIT_USAGE;
    }
    if (cm_inputs_collect(&in, argv + optind, (size_t)(argc - optind), err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine bench: %s\n", err);
        return CM_EXIT_ERROR;
    }
    if (load(&c, &in, (size_t)max_mb << 20) != 0) {
        cm_inputs_free(&in);
        return CM_EXIT_ERROR;
    }
    bench_inflate(&c, rounds);
    bench_json(&c, rounds);
    if (cm_psl_load(NULL, &psl, err, sizeof(err)) != 0) {
        fprintf(stderr, "coalmine bench: %s\n", err);
    }
    bench_parse(&c, CM_EV_CLOUDTRAIL, rounds, psl);
    bench_parse(&c, CM_EV_FLOW, rounds, psl);
    bench_parse(&c, CM_EV_DNS, rounds, psl);
    cm_psl_free(psl);
    for (size_t i = 0; i < c.n; i++) {
        free(c.v[i].raw);
        free(c.v[i].data);
    }
    free(c.v);
    cm_inputs_free(&in);
    return CM_EXIT_OK;
}

const struct cm_cmd cm_cmd_bench = {
    .name = "bench",
    .summary = "time each engine stage over log files (see make bench)",
    .run = run,
};
