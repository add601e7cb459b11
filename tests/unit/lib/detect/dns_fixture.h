/*
 * The fixture shared by the DNS detector tests (test_dns_dga.c,
 * test_dns_rebind.c, test_dns_reputation.c, test_dns_tunnel.c): Route 53
 * Resolver query-log records written in the real log format, the real
 * "dns" parser feeding them to an engine that holds one detector, a sink
 * that keeps what the detections say (and, when asked, folds them into
 * findings through the real aggregator), and readers of additionalInfo.
 *
 *   dnsfx_reset();                                 no records
 *   dnsfx_add(&(struct dnsfx_query){...});         one record more
 *   dnsfx_run(&r, &cm_detector_dns_x, &opts);      parse them all, flush, collect
 *   r.n, r.d[i].count, dnsfx_info_num(r.d[i].info, "key"), ...
 *   dnsfx_done(&r);                                frees the findings (with .aggregate)
 *
 * A run leaves the records in place, so a test can add more and run again
 * over the whole log. Tunings go to the detector the way the scan gives
 * them, through cm_detect_config.dns, so the detector's own init() runs.
 *
 * Included by the test files only; every function is static inline, so a
 * test that uses a part of the fixture does not warn about the rest.
 */
#ifndef CM_TESTS_DNS_FIXTURE_H
#define CM_TESTS_DNS_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/dns_tunings.h"
#include "finding/aggregate.h"
#include "finding/finding.h"
#include "parse/parse.h"

#define DNSFX_MAXD 64 /* detections one run may make */
/*
 * More than any DNS detector's additionalInfo buffer (the largest, the
 * reputation detector's, is 3 * 6 * 256 + 512 = 5120 bytes): the sink
 * fails a detection whose info does not fit, never cuts it.
 */
#define DNSFX_INFO_CAP 8192

/* ---- records ---- */

/*
 * The query log of the next run, appended to by dnsfx_add. File-scope
 * because the tests build it in many calls before one run (the copies this
 * replaced were file-scope too); 4 MiB holds the largest test's log.
 */
static char dnsfx_text[4 << 20];
static size_t dnsfx_len;

/* One answer of a record: its Type and its Rdata as the log gives it. */
struct dnsfx_rr {
    const char *type;
    const char *rdata; /* '"' is escaped; a backslash is written as given (JSON escapes) */
};

/* One query-log record; a NULL member takes the default it names. */
struct dnsfx_query {
    int64_t t;            /* query_timestamp, seconds since the epoch */
    const char *instance; /* srcids.instance; NULL: "srcids":{} (an on-premises client) */
    const char *name;     /* query_name without its final dot, written as given (JSON text) */
    bool escape_name;     /* ... or plain text: its '"' and '\' are escaped */
    const char *qtype;    /* NULL: "A" ("" is written as "") */
    const char *rcode;    /* NULL: "NOERROR" */
    const char *answers;  /* the answers array, JSON text (dnsfx_answers); NULL: [] */
    const char *vpc;      /* NULL: "vpc-1" */
    const char *srcaddr;  /* NULL: "10.0.0.5" */
    const char *srcport;  /* NULL: "5353" */
};

/* Forgets every record. */
static inline void dnsfx_reset(void)
{
    dnsfx_len = 0;
    dnsfx_text[0] = '\0';
}

/*
 * Copies s into out with a backslash before each character of special (the
 * JSON escaping the records need); fails when it does not fit.
 */
static inline const char *dnsfx_escape(char *out, size_t cap, const char *s, const char *special)
{
    size_t k = 0;

    for (const char *p = s; *p; p++) {
        assert_true(k + 3 < cap);
        if (strchr(special, *p) != NULL) {
            out[k++] = '\\';
        }
        out[k++] = *p;
    }
    out[k] = '\0';
    return out;
}

/* The answers array of the n answers of an, as JSON text into out. */
static inline const char *dnsfx_answers(char *out, size_t cap, const struct dnsfx_rr *an, size_t n)
{
    char rdata[1024];
    size_t m = 0;
    int k;

    assert_true(cap > 2);
    out[m++] = '[';
    for (size_t i = 0; i < n; i++) {
        k = snprintf(out + m, cap - m, "%s{\"Rdata\":\"%s\",\"Type\":\"%s\",\"Class\":\"IN\"}",
                     i ? "," : "", dnsfx_escape(rdata, sizeof(rdata), an[i].rdata, "\""),
                     an[i].type);
        assert_true(k > 0 && (size_t)k < cap - m);
        m += (size_t)k;
    }
    assert_true(m + 1 < cap);
    out[m++] = ']';
    out[m] = '\0';
    return out;
}

/*
 * The answers array of one answer of type with rdata, in one of eight
 * static buffers used in turn: a test passes it straight to dnsfx_add (or
 * holds a few at once) without a buffer of its own.
 */
static inline const char *dnsfx_answer(const char *type, const char *rdata)
{
    static char buf[8][256];
    static int k;
    const struct dnsfx_rr an = {type, rdata};

    k = (k + 1) % 8;
    return dnsfx_answers(buf[k], sizeof(buf[k]), &an, 1);
}

/* Appends the record q to the log of the next run. */
static inline void dnsfx_add(const struct dnsfx_query *q)
{
    char ts[32], srcids[96] = "{}", esc[1024];
    time_t tt = (time_t)q->t;
    struct tm tm;
    int n;

    assert_non_null(gmtime_r(&tt, &tm));
    assert_true(strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
    if (q->instance) {
        snprintf(srcids, sizeof(srcids), "{\"instance\":\"%s\"}", q->instance);
    }
    n = snprintf(dnsfx_text + dnsfx_len, sizeof(dnsfx_text) - dnsfx_len,
                 "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":"
                 "\"us-east-1\",\"vpc_id\":\"%s\",\"query_timestamp\":\"%s\","
                 "\"query_name\":\"%s.\",\"query_type\":\"%s\",\"query_class\":\"IN\","
                 "\"rcode\":\"%s\",\"answers\":%s,\"srcaddr\":\"%s\",\"srcport\":\"%s\","
                 "\"transport\":\"UDP\",\"srcids\":%s}\n",
                 q->vpc ? q->vpc : "vpc-1", ts,
                 q->escape_name ? dnsfx_escape(esc, sizeof(esc), q->name, "\"\\") : q->name,
                 q->qtype ? q->qtype : "A", q->rcode ? q->rcode : "NOERROR",
                 q->answers ? q->answers : "[]", q->srcaddr ? q->srcaddr : "10.0.0.5",
                 q->srcport ? q->srcport : "5353", srcids);
    assert_true(n > 0 && (size_t)n < sizeof(dnsfx_text) - dnsfx_len);
    dnsfx_len += (size_t)n;
}

/* ---- running ---- */

/* What one detection said. */
struct dnsfx_det {
    char type[64];
    char resource[32]; /* the instance */
    char info[DNSFX_INFO_CAP];
    char name[256]; /* the query name of the detection's event (the first 255 bytes) */
    uint32_t count;
    int64_t first_ms, time_ms;
    double severity;
};

/* One run: its detections in order, the state's counters, and the findings when aggregated. */
struct dnsfx_run {
    struct dnsfx_det d[DNSFX_MAXD];
    size_t n;
    struct cm_state_stats stats; /* the detector's keyed state at the end of the run */
    struct cm_agg *agg;          /* with .aggregate: the findings, until dnsfx_done */
    /* used while the run lasts */
    struct cm_engine *engine;
    struct cm_sink sink;
    const char *type;
};

/* How to run; zero members take the defaults they name. */
struct dnsfx_opts {
    uint64_t seed;                         /* the state's hash seed */
    int64_t lateness_ms;                   /* the watermark's allowed lateness */
    const struct cm_intel_snapshot *intel; /* cm_detect_config.intel; NULL: no lists */
    const struct cm_dga_model *dga;        /* cm_detect_config.dga; NULL: the built-in model */
    const struct cm_dns_tunings *dns;      /* cm_detect_config.dns; NULL: every default */
    const char *type;                      /* every detection is of this type; NULL: any */
    bool decode;    /* parse with an arena: escaped strings decoded, as the scan has them */
    bool aggregate; /* fold each detection into r->agg (dnsfx_finding; dnsfx_done frees it) */
};

/*
 * The sink: checks what every DNS detection is (cm_dns_detection makes them
 * all: on an instance, outbound, the type's default severity, the DNS event
 * that triggered it, a count, first seen no later than the time, an
 * additionalInfo), then keeps it.
 */
static inline int dnsfx_collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct dnsfx_run *r = sink->ud;
    struct dnsfx_det *o;
    size_t n;

    assert_true(r->n < DNSFX_MAXD);
    if (r->type != NULL) {
        assert_string_equal(d->type, r->type);
    }
    assert_int_equal(d->resource_type, CM_RES_INSTANCE);
    assert_int_equal(d->direction, CM_DDIR_OUTBOUND);
    assert_true(d->severity == 0.0); /* the type table's default */
    assert_non_null(d->event);       /* the current event, as the rules say */
    assert_int_equal(d->event->kind, CM_EV_DNS);
    assert_true(d->count >= 1);
    assert_true(d->first_ms <= d->time_ms);
    assert_true(cm_str_present(d->info));
    assert_true(d->info.len < sizeof(o->info));
    o = &r->d[r->n++];
    memset(o, 0, sizeof(*o));
    snprintf(o->type, sizeof(o->type), "%s", d->type);
    n = d->resource_id.len < sizeof(o->resource) - 1 ? d->resource_id.len : sizeof(o->resource) - 1;
    if (n) {
        memcpy(o->resource, d->resource_id.p, n);
    }
    memcpy(o->info, d->info.p, d->info.len);
    n = d->event->u.dns.query_name.len < sizeof(o->name) - 1 ? d->event->u.dns.query_name.len
                                                             : sizeof(o->name) - 1;
    if (n) {
        memcpy(o->name, d->event->u.dns.query_name.p, n);
    }
    o->count = d->count;
    o->first_ms = d->first_ms;
    o->time_ms = d->time_ms;
    o->severity = d->severity;
    if (r->agg != NULL) {
        struct cm_finding_ctx ctx = {.detector_id = "det"};

        assert_int_equal(cm_agg_add(r->agg, &ctx, d, NULL, NULL), 0);
    }
    return 0;
}

static inline int dnsfx_on_event(void *ud, struct cm_event *ev)
{
    struct dnsfx_run *r = ud;

    return cm_engine_event(r->engine, ev, &r->sink);
}

/* Every record the tests write is well-formed: a rejected one is a test bug. */
static inline void dnsfx_on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                                   const char *reason)
{
    (void)ud;
    (void)kind;
    (void)off;
    fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
}

/*
 * Parses the whole log through the real "dns" parser into a new engine
 * holding det alone, flushes it, and fills *r (cleared first) with the
 * detections and the state's counters. The records stay for the next run.
 */
static inline void dnsfx_run(struct dnsfx_run *r, const struct cm_detector *det,
                             const struct dnsfx_opts *opt)
{
    const struct cm_detector *const table[] = {det, NULL};
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;
    const struct cm_parser *ps = cm_parser_by_name("dns");

    memset(r, 0, sizeof(*r));
    memset(&cfg, 0, sizeof(cfg));
    cfg.intel = opt->intel;
    cfg.dga = opt->dga;
    cfg.dns = opt->dns;
    memset(&o, 0, sizeof(o));
    o.config = &cfg;
    o.seed = opt->seed;
    o.lateness_ms = opt->lateness_ms;
    r->type = opt->type;
    r->sink.emit = dnsfx_collect;
    r->sink.ud = r;
    assert_non_null(ps);
    if (opt->aggregate) {
        assert_int_equal(cm_agg_create(&r->agg, 0, 1), 0);
    }
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 1 << 16, 0);
    cm_parse_ctx_init(&ctx, &doc);
    if (opt->decode) {
        ctx.arena = &arena;
    }
    ctx.on_event = dnsfx_on_event;
    ctx.on_reject = dnsfx_on_reject;
    ctx.ud = r;
    assert_int_equal(ps->parse(&ctx, dnsfx_text, dnsfx_len), 0);
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_state_stats(r->engine, &r->stats);
    cm_engine_destroy(r->engine);
    r->engine = NULL;
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
}

/* Frees what a run with .aggregate kept; any run may call it. */
static inline void dnsfx_done(struct dnsfx_run *r)
{
    cm_agg_destroy(r->agg);
    r->agg = NULL;
}

/* The one aggregated finding on instance, which must be of type. */
static inline const struct cm_finding *dnsfx_finding(const struct dnsfx_run *r, const char *type,
                                                     const char *instance)
{
    const struct cm_finding *got = NULL;

    assert_non_null(r->agg);
    for (size_t i = 0; i < cm_agg_stats(r->agg)->findings; i++) {
        const struct cm_finding *f = cm_agg_at(r->agg, i);

        if (cm_str_eqc(f->instance.instance_id, instance)) {
            assert_null(got);
            got = f;
        }
    }
    if (got == NULL) {
        fail_msg("no finding on %s", instance);
    }
    assert_true(cm_str_eqc(got->type, type));
    return got;
}

/* ---- additionalInfo ---- */

/* Parses info, an additionalInfo text, into doc; fails unless it is JSON. */
static inline void dnsfx_info_parse(struct cm_json_doc *doc, const char *info)
{
    cm_json_doc_init(doc, 0, 0);
    assert_int_equal(cm_json_parse(doc, info, strlen(info), NULL), 0);
}

/* Fails unless info is one JSON text. */
static inline void dnsfx_info_json(const char *info)
{
    struct cm_json_doc doc;

    dnsfx_info_parse(&doc, info);
    cm_json_doc_finish(&doc);
}

/* The value of member key (an integer in [0, 1000000]) of info; -1 when absent. */
static inline long dnsfx_info_num(const char *info, const char *key)
{
    struct cm_json_doc doc;
    uint32_t v;
    long long out = -1;

    dnsfx_info_parse(&doc, info);
    v = cm_json_get(&doc, 0, key);
    if (v != CM_JSON_NONE) {
        assert_int_equal(cm_str_to_i64(cm_json_raw(&doc, v), 0, 1000000, &out), 0);
    }
    cm_json_doc_finish(&doc);
    return (long)out;
}

/* The value of member key (any number) of info; -1 when absent. */
static inline double dnsfx_info_f64(const char *info, const char *key)
{
    struct cm_json_doc doc;
    uint32_t v;
    double out = -1.0;

    dnsfx_info_parse(&doc, info);
    v = cm_json_get(&doc, 0, key);
    if (v != CM_JSON_NONE) {
        assert_int_equal(cm_json_f64(&doc, v, &out), 0);
    }
    cm_json_doc_finish(&doc);
    return out;
}

/* The value of member key (a string, as written) of info into out; "" when absent. */
static inline const char *dnsfx_info_str(const char *info, const char *key, char *out, size_t cap)
{
    struct cm_json_doc doc;
    uint32_t v;

    dnsfx_info_parse(&doc, info);
    v = cm_json_get(&doc, 0, key);
    out[0] = '\0';
    if (v != CM_JSON_NONE) {
        struct cm_str s = cm_json_raw(&doc, v);

        assert_int_equal(cm_json_type(&doc, v), CM_JSON_STRING);
        snprintf(out, cap, "%.*s", (int)s.len, s.p);
    }
    cm_json_doc_finish(&doc);
    return out;
}

#endif
