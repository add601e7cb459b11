/*
 * The pair detector (lib/detect/flow_pair.c) end to end at the library
 * level: VPC flow records in the real log format go through the real parser
 * into an engine holding only this detector, and the test checks the
 * detections that come out: Portscan, the five DenialOfService variants and
 * TrafficVolumeUnusual fire on the right resource, OUTBOUND, with the right
 * count; the near misses stay quiet (a health checker, a client on a
 * handful of ports, failed SSH logins, the internet's single rejected probes,
 * a large S3 upload, a download's ACK stream, QUIC, heavy DNS to the VPC
 * resolver, IPsec, steady heavy traffic, traffic during learning); 1-minute
 * and 10-minute aggregation of the same traffic decide the same; records out
 * of order decide the same; a tiny memcap evicts and counts it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/flow.h"
#include "parse/parse.h"

#define T0  1767571200LL /* 2026-01-05T00:00:00Z: a day, hour and minute boundary */
#define MIB (1024ULL * 1024)
#define GIB (1024ULL * MIB)

#define MAXD 256

static const char T_PORTSCAN[] = "Recon:EC2/Portscan";
static const char T_TCP[] = "Backdoor:EC2/DenialOfService.Tcp";
static const char T_UDP[] = "Backdoor:EC2/DenialOfService.Udp";
static const char T_UDPTCP[] = "Backdoor:EC2/DenialOfService.UdpOnTcpPorts";
static const char T_DNS[] = "Backdoor:EC2/DenialOfService.Dns";
static const char T_UNUSUAL[] = "Backdoor:EC2/DenialOfService.UnusualProtocol";
static const char T_VOLUME[] = "Behavior:EC2/TrafficVolumeUnusual";

/* ---- the harness ------------------------------------------------------------------------- */

struct got {
    char type[MAXD][64];
    char resource[MAXD][32];
    enum cm_detection_dir dir[MAXD];
    uint32_t count[MAXD];
    int64_t first_ms[MAXD], time_ms[MAXD];
    uint32_t line[MAXD];
    bool tail[MAXD];      /* a report of a tail from a kept record (its record_key set) */
    char info[MAXD][128]; /* additionalInfo members ("" for none) */
    size_t n;
};

struct run {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct got got;
    struct cm_state_stats stats;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct run *r = sink->ud;
    struct got *g = &r->got;
    size_t n;

    assert_true(g->n < MAXD);
    snprintf(g->type[g->n], sizeof(g->type[0]), "%s", d->type);
    n = d->resource_id.len < sizeof(g->resource[0]) - 1 ? d->resource_id.len
                                                        : sizeof(g->resource[0]) - 1;
    memcpy(g->resource[g->n], d->resource_id.p, n);
    g->resource[g->n][n] = '\0';
    g->dir[g->n] = d->direction;
    g->count[g->n] = d->count;
    g->first_ms[g->n] = d->first_ms;
    g->time_ms[g->n] = d->time_ms;
    assert_non_null(d->event);
    g->line[g->n] = d->event->src.line;
    g->tail[g->n] = d->record_key != 0;
    snprintf(g->info[g->n], sizeof(g->info[0]), "%.*s",
             cm_str_present(d->info) ? (int)d->info.len : 0,
             cm_str_present(d->info) ? d->info.p : "");
    /* Emitted with a request record of the instance's own connection. */
    assert_int_equal(d->event->kind, CM_EV_FLOW);
    assert_true(d->first_ms <= d->time_ms);
    g->n++;
    return 0;
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct run *r = ud;

    return cm_engine_event(r->engine, ev, &r->sink);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud;
    (void)kind;
    (void)off;
    fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
}

/* The detector as the engine sees it, with the tuning from config->ext. */
static int init_tuned(void **state, const struct cm_detect_opts *opts)
{
    return cm_flow_pair_init(state, opts, opts->config ? opts->config->ext : NULL);
}

/* Parses text through a fresh engine holding only the pair detector; fills r. */
static void run_tuned(struct run *r, const struct cm_flow_pair_tuning *t, const char *text,
                      size_t len)
{
    struct cm_detector det = cm_detector_flow_pair;
    const struct cm_detector *const table[] = {&det, NULL};
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    det.init = init_tuned;
    memset(r, 0, sizeof(*r));
    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    cfg.ext = t;
    o.config = &cfg;
    o.seed = 7;
    o.lateness_ms = 15 * 60 * 1000;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, text, len), 0);
    cm_engine_state_stats(r->engine, &r->stats);
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_destroy(r->engine);
    cm_json_doc_finish(&doc);
}

/* Every detection is type on resource, OUTBOUND. */
static void assert_all(const struct got *g, const char *type, const char *resource)
{
    for (size_t i = 0; i < g->n; i++) {
        assert_string_equal(g->type[i], type);
        assert_string_equal(g->resource[i], resource);
        assert_int_equal(g->dir[i], CM_DDIR_OUTBOUND);
    }
}

/* No detection; each one there is printed before the assertion fails. */
static void assert_none(const struct got *g)
{
    for (size_t i = 0; i < g->n; i++) {
        print_message("unexpected: %s on %s line %u\n", g->type[i], g->resource[i],
                      (unsigned)g->line[i]);
    }
    assert_int_equal(g->n, 0);
}

/* The detections that are not a tail's report (flow_pair_tail.c). */
static size_t fires(const struct got *g)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        n += !g->tail[i];
    }
    return n;
}

/* The sum of the counts of detections from..n-1 (a finding's count when they are its). */
static uint32_t sum_counts(const struct got *g, size_t from)
{
    uint32_t n = 0;

    for (size_t i = from; i < g->n; i++) {
        n += g->count[i];
    }
    return n;
}

/* ---- records ----------------------------------------------------------------------------- */

/* Lines of a log, kept apart so a test can shuffle them before joining. */
struct lines {
    char **v;
    size_t n, cap;
    const char *header; /* first line, never shuffled; NULL: the default format */
};

static void lines_add(struct lines *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = cm_realloc(l->v, l->cap * sizeof(*l->v));
        assert_non_null(l->v);
    }
    l->v[l->n] = cm_strndup(s, strlen(s));
    assert_non_null(l->v[l->n]);
    l->n++;
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++) {
        cm_free(l->v[i]);
    }
    cm_free(l->v);
    memset(l, 0, sizeof(*l));
}

/* A deterministic shuffle of lines [from, to). */
static void lines_shuffle(struct lines *l, size_t from, size_t to, uint64_t seed)
{
    for (size_t i = to; i > from + 1; i--) {
        size_t j;
        char *x;

        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        j = from + (size_t)((seed >> 33) % (i - from));
        x = l->v[i - 1];
        l->v[i - 1] = l->v[j];
        l->v[j] = x;
    }
}

/* Runs the lines (header first) through the detector. */
static void run_lines(struct run *r, const struct cm_flow_pair_tuning *t, const struct lines *l)
{
    struct cm_buf b;

    cm_buf_init(&b, 0);
    if (l->header) {
        assert_int_equal(cm_buf_printf(&b, "%s\n", l->header), 0);
    }
    for (size_t i = 0; i < l->n; i++) {
        assert_int_equal(cm_buf_printf(&b, "%s\n", l->v[i]), 0);
    }
    run_tuned(r, t, b.p ? b.p : "", b.len);
    cm_buf_finish(&b);
}

/* One default-format (v2) record. */
static void rec(struct lines *l, const char *eni, const char *src, const char *dst, int sp, int dp,
                int proto, uint64_t packets, uint64_t bytes, int64_t start, int64_t end,
                const char *action)
{
    char s[256];

    snprintf(s, sizeof(s), "2 111122223333 %s %s %s %d %d %d %llu %llu %lld %lld %s OK", eni, src,
             dst, sp, dp, proto, (unsigned long long)packets, (unsigned long long)bytes,
             (long long)start, (long long)end, action);
    lines_add(l, s);
}

/* A custom format with the instance id and the destination's AWS service. */
#define XHDR                                                                                       \
    "version account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol "        \
    "packets bytes start end action log-status pkt-dst-aws-service"

static void xrec(struct lines *l, const char *eni, const char *inst, const char *src,
                 const char *dst, int sp, int dp, uint64_t packets, uint64_t bytes, int64_t start,
                 int64_t end, const char *svc)
{
    char s[256];

    snprintf(s, sizeof(s), "5 111122223333 %s %s %s %s %d %d 6 %llu %llu %lld %lld ACCEPT OK %s",
             eni, inst, src, dst, sp, dp, (unsigned long long)packets, (unsigned long long)bytes,
             (long long)start, (long long)end, svc);
    lines_add(l, s);
}

/* ---- Recon:EC2/Portscan ------------------------------------------------------------------ */

/* nmap -sT: ports first..last of dst, one probe each from a new ephemeral port, from t. */
static void scan(struct lines *l, const char *eni, const char *src, const char *dst, int first,
                 int last, int64_t t)
{
    for (int p = first; p <= last; p++) {
        int64_t at = t + (p - first) / 10;
        rec(l, eni, src, dst, 40000 + p, p, 6, p % 3 ? 1 : 2, p % 3 ? 44 : 88, at, at,
            p % 2 ? "REJECT" : "ACCEPT");
    }
}

static void test_portscan(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* 100 ports in one 10-minute epoch, then 50 more in the next. */
    scan(&l, "eni-0a", "10.0.0.5", "10.0.1.9", 1, 100, t);
    /* The scanned host's answers (RST) are replies: never counted. */
    for (int p = 1; p <= 100; p++) {
        rec(&l, "eni-0a", "10.0.1.9", "10.0.0.5", p, 40000 + p, 6, 1, 40, t + 5, t + 5, "ACCEPT");
    }
    scan(&l, "eni-0a", "10.0.0.5", "10.0.1.9", 101, 150, t + 600);
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 2); /* the first two; the third below */
    assert_all(&r.got, T_PORTSCAN, "eni-0a");
    /* The first fires on the probe that crosses 20 distinct ports, and covers every probe so far.
     */
    assert_true(r.got.count[0] >= 19 && r.got.count[0] <= 40);
    assert_int_equal(r.got.count[0], r.got.line[0]);
    assert_int_equal(r.got.first_ms[0], t * 1000);
    /*
     * The second fires on the first probe of the next epoch (the window still
     * holds 100 ports) and covers the rest of the first epoch's probes: no
     * probe is counted twice, replies never.
     */
    assert_int_equal(r.got.line[1], 201);
    assert_int_equal(r.got.count[0] + r.got.count[1], 101);
    /*
     * The 49 probes after it are reported as the pair expires (at the end of input), from the
     * last of them (line 250, its start t + 604): the finding counts all 150 and ends at the
     * last. Before 2026-12-05 they were never reported (3 detections, the finding 101).
     */
    assert_int_equal(r.got.n, 3);
    assert_int_equal(r.got.count[2], 49);
    assert_int_equal(r.got.line[2], 250);
    assert_int_equal(r.got.time_ms[2], (t + 604) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 150);
    lines_free(&l);

    /*
     * A public remote, in a format with the instance id: the finding names the
     * instance. Each probe's answer follows it and is a reply, never counted.
     */
    l.header = XHDR;
    for (int p = 1; p <= 60; p++) {
        xrec(&l, "eni-0b", "i-0123456789abcdef0", "10.0.0.6", "44.1.1.1", 50000 + p, p, 1, 44,
             t + p, t + p, "-");
        xrec(&l, "eni-0b", "i-0123456789abcdef0", "44.1.1.1", "10.0.0.6", p, 50000 + p, 1, 40,
             t + p, t + p, "-");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_PORTSCAN, "i-0123456789abcdef0");
    /* Probe p is line 2p (after the header): the count is p, the probes alone. */
    assert_int_equal(r.got.count[0] * 2, r.got.line[0]);
    /* ... and the rest, to the 60th probe (line 120), at the end of input: 60 in all. */
    assert_int_equal(r.got.line[1], 120);
    assert_int_equal(sum_counts(&r.got, 0), 60);
    lines_free(&l);
}

/*
 * IPv6 in the default format (no flow-direction): both addresses are public,
 * so the records alone do not say which is the instance's. Its interface's
 * other records do: the /64 in every one of them is its own. An internet
 * host scanning the instance is then not the instance scanning it; before
 * 2026-12-04 the source was taken for the instance and this gave a Portscan
 * on the instance that was scanned.
 */
static void test_portscan_ipv6_default_format(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    const char *inst = "2600:1f18:40a1:2b00::14", *host = "2a01:4f8:c17:1e2::5";
    struct lines l = {0};
    struct run r;

    (void)state;
    /* The instance's HTTPS to two servers, with their answers. */
    rec(&l, "eni-06", inst, "2600:9000:2001::1", 41000, 443, 6, 20, 3000, t - 300, t - 240,
        "ACCEPT");
    rec(&l, "eni-06", "2600:9000:2001::1", inst, 443, 41000, 6, 20, 9000, t - 300, t - 240,
        "ACCEPT");
    rec(&l, "eni-06", inst, "2a00:1450:4001::200e", 41001, 443, 6, 20, 3000, t - 200, t - 140,
        "ACCEPT");
    rec(&l, "eni-06", "2a00:1450:4001::200e", inst, 443, 41001, 6, 20, 9000, t - 200, t - 140,
        "ACCEPT");
    /* A host on the internet scans 100 ports of the instance: not the instance's scan. */
    scan(&l, "eni-06", host, inst, 1, 100, t);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    /* The instance scanning that host is. */
    rec(&l, "eni-06", inst, "2600:9000:2001::1", 41000, 443, 6, 20, 3000, t - 300, t - 240,
        "ACCEPT");
    rec(&l, "eni-06", "2a00:1450:4001::200e", inst, 443, 41001, 6, 20, 9000, t - 200, t - 140,
        "ACCEPT");
    scan(&l, "eni-06", inst, host, 1, 100, t);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* the detection, then the rest of the 100 probes at the end */
    assert_int_equal(sum_counts(&r.got, 0), 100);
    assert_all(&r.got, T_PORTSCAN, "eni-06");
    lines_free(&l);
}

static void test_portscan_near_misses(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    static const int hc_ports[] = {80, 443, 8080, 9090};
    static const int svc_ports[] = {22, 53, 80, 389, 443, 636, 3306, 5432};
    struct lines l = {0};
    struct run r;

    (void)state;
    /* A health checker: 4 ports every minute for two hours, 3 packets each. */
    for (int m = 0; m < 120; m++) {
        for (int i = 0; i < 4; i++) {
            rec(&l, "eni-0c", "10.0.0.7", "10.0.2.10", 30000 + (m * 4 + i) % 20000, hc_ports[i], 6,
                3, 164, t + m * 60, t + m * 60, "ACCEPT");
        }
    }
    /* A client failing on a handful of ports of one service, for half an hour. */
    for (int m = 0; m < 30; m++) {
        for (int i = 0; i < 8; i++) {
            rec(&l, "eni-0d", "10.0.0.8", "10.0.3.3", 35000 + m * 8 + i, svc_ports[i], 6, 1, 60,
                t + m * 60, t + m * 60, "REJECT");
        }
    }
    /* 18 distinct ports in one epoch: fewer than the 19 sketch bits 20 ports need, never. */
    scan(&l, "eni-0e", "10.0.0.9", "10.0.4.4", 1000, 1017, t);
    /* A handful of failed SSH logins, and a crawler's 500 connections to one port. */
    for (int i = 0; i < 5; i++) {
        rec(&l, "eni-0f", "10.0.0.10", "44.5.5.5", 41000 + i, 22, 6, 2, 120, t + i, t + i,
            "REJECT");
    }
    for (int i = 0; i < 500; i++) {
        rec(&l, "eni-0f", "10.0.0.10", "44.6.6.6", 42000 + i, 443, 6, 3, 180, t + i, t + i,
            "ACCEPT");
    }
    /* The internet's background noise: single rejected probes from 1000 addresses, inbound. */
    for (int i = 0; i < 1000; i++) {
        char src[32];
        snprintf(src, sizeof(src), "45.%d.%d.%d", i / 250, i % 250, 1 + i % 7);
        rec(&l, "eni-0f", src, "10.0.0.10", 1024 + i * 37 % 60000, 1 + i * 131 % 65000, 6, 1, 40,
            t + i, t + i, "REJECT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);
}

/*
 * traceroute: UDP probes to 33434 up, one port a probe, three a hop, from a new socket each,
 * to a host 16 hops away (48 ports), twice; the routers answer with ICMP, the host with an
 * ICMP port unreachable. Before 2026-12-04 each trace was a Portscan of the host. A UDP scan
 * of 60 ports across its start still is one.
 */
static void test_portscan_traceroute(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int run = 0; run < 2; run++) {
        for (int i = 0; i < 48; i++) {
            int64_t at = t + run * 1800 + i / 3;

            rec(&l, "eni-0tr", "10.0.0.11", "198.51.100.80", 40000 + run * 100 + i, 33434 + i, 17,
                1, 60, at, at + 1, "ACCEPT");
        }
        rec(&l, "eni-0tr", "198.51.100.80", "10.0.0.11", 0, 3, 1, 3, 180, t + run * 1800 + 16,
            t + run * 1800 + 17, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    for (int i = 0; i < 60; i++) { /* 33400-33459: 34 ports below the range */
        rec(&l, "eni-0tr", "10.0.0.11", "198.51.100.80", 40000 + i, 33400 + i, 17, 1, 60, t + i,
            t + i, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* the detection, then the rest at the end of input */
    assert_int_equal(sum_counts(&r.got, 0), 34);
    assert_all(&r.got, T_PORTSCAN, "eni-0tr");
    lines_free(&l);
}

/*
 * A WireGuard server (UDP/51820, in the ephemeral range) with 30 mostly idle peers behind
 * one office NAT address, each on a NAT port of its own: a handshake every two minutes, one
 * datagram each way, the peer's record first for half of them. Port order reads the
 * server's answer to a peer whose port is lower as a one-packet probe of that port, so
 * before 2026-12-04 the office address had a Portscan in the log's first epoch. The peers'
 * own datagrams from those ports now mark them as answering. A UDP scan of 60 ports of
 * which 3 answer still fires.
 */
static void test_portscan_udp_answered(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int m = 0; m < 30; m++) {
        for (int i = 0; i < 30; i++) {
            int port = 1100 + i * 1637 % 50000;
            int64_t at = t + m * 60 + i;

            if ((m + i) % 2) {
                continue;
            }
            if (i % 2) {
                rec(&l, "eni-0wg", "198.51.100.20", "10.0.0.12", port, 51820, 17, 1, 148, at, at,
                    "ACCEPT");
                rec(&l, "eni-0wg", "10.0.0.12", "198.51.100.20", 51820, port, 17, 1, 92, at, at,
                    "ACCEPT");
            } else {
                rec(&l, "eni-0wg", "10.0.0.12", "198.51.100.20", 51820, port, 17, 1, 92, at, at,
                    "ACCEPT");
                rec(&l, "eni-0wg", "198.51.100.20", "10.0.0.12", port, 51820, 17, 1, 148, at, at,
                    "ACCEPT");
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    for (int i = 0; i < 60; i++) {
        rec(&l, "eni-0us", "10.0.0.13", "203.0.113.9", 40000 + i, 1000 + i * 7, 17, 1, 60, t + i,
            t + i, "ACCEPT");
        if (i % 20 == 0) {
            rec(&l, "eni-0us", "203.0.113.9", "10.0.0.13", 1000 + i * 7, 40000 + i, 17, 1, 90,
                t + i, t + i, "ACCEPT");
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* the detection, then the rest at the end of input */
    assert_int_equal(sum_counts(&r.got, 0), 60);
    assert_all(&r.got, T_PORTSCAN, "eni-0us");
    lines_free(&l);
}

/*
 * A network load balancer's TCP health checks of 24 Kubernetes NodePorts on 3 nodes, once per
 * port and node every 10 minutes for 3 hours, as the balancer's interface and each node's
 * record them: the balancer's source ports range over 1024-65535, so about half of them are
 * below the NodePort and port order reads the node's answer as the node probing the balancer.
 * Before 2026-12-04 every interface had a Portscan.
 */
static void test_portscan_health_checks(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 12345;

    (void)state;
    for (int w = 0; w < 18; w++) {
        for (int n = 0; n < 3; n++) {
            char node[32], eni[32];

            snprintf(node, sizeof(node), "10.0.21.%d", 10 + n);
            snprintf(eni, sizeof(eni), "eni-0k8s%d", n);
            for (int i = 0; i < 24; i++) {
                int np = 30000 + 137 * i, sp;
                int64_t at;

                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                sp = 1024 + (int)((x >> 33) % 64512);
                at = t + w * 600 + (int64_t)((x >> 20) % 590);
                rec(&l, "eni-0nlb", "10.0.1.77", node, sp, np, 6, 3, 164, at, at + 1, "ACCEPT");
                rec(&l, "eni-0nlb", node, "10.0.1.77", np, sp, 6, 2, 104, at, at + 1, "ACCEPT");
                rec(&l, eni, "10.0.1.77", node, sp, np, 6, 3, 164, at, at + 1, "ACCEPT");
                rec(&l, eni, node, "10.0.1.77", np, sp, 6, 2, 104, at, at + 1, "ACCEPT");
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);
    lines_free(&l);

    /* Still a scan: a Linux host's connect scan of 100 high ports from its ephemeral range. */
    for (int p = 2000; p < 2100; p++) {
        rec(&l, "eni-0k8s0", "10.0.21.10", "10.0.21.99", 33000 + p, p, 6, 1, 44, t + p - 2000,
            t + p - 2000, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0k8s0");
    lines_free(&l);

    /*
     * A slow scan (one new port every 40 s, 15 an epoch, for two hours): the ports of the epoch
     * before the window do not hide a scan's new ones, so it is reported on in most epochs.
     */
    for (int i = 0; i < 180; i++) {
        int port = 1 + (i * 7919) % 10000;
        rec(&l, "eni-0web", "10.0.12.22", "10.0.31.15", 33000 + i, port, 6, 1, 44, t + i * 40,
            t + i * 40 + 1, "REJECT");
    }
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 8);
    assert_all(&r.got, T_PORTSCAN, "eni-0web");
    lines_free(&l);

    /*
     * A raw scan of high ports from a fixed source port below the ephemeral range (nmap -g
     * 20000): by its ports alone an answer, but its TCP flags are a SYN alone, which no
     * service's answer is. The victim's RST answers carry RST and ACK.
     */
    l.header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
               "bytes start end action log-status tcp-flags";
    for (int p = 2000; p < 2100; p++) {
        char line[256];

        snprintf(line, sizeof(line),
                 "5 111122223333 eni-0scan 10.0.1.5 45.33.32.156 20000 %d 6 1 44 %lld %lld "
                 "ACCEPT OK 2",
                 p, (long long)(t + p - 2000), (long long)(t + p - 2000));
        lines_add(&l, line);
        snprintf(line, sizeof(line),
                 "5 111122223333 eni-0scan 45.33.32.156 10.0.1.5 %d 20000 6 1 40 %lld %lld "
                 "ACCEPT OK 20",
                 p, (long long)(t + p - 2000), (long long)(t + p - 2000));
        lines_add(&l, line);
    }
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0scan");
    lines_free(&l);
    l.header = NULL;
}

/*
 * A network load balancer health-checking 25 NodePorts of 3 nodes every 2 minutes from its
 * ephemeral ports (32768 and up, so every check reads as a probe) since before the log began,
 * one of them down on one node (its checks fail: one packet, answered with a RST):
 * the log's first two epochs have no epoch before them to show the ports are checked
 * again and again. Before 2026-12-05 every pair had a Portscan in the log's first epoch
 * (the tail then counted every check of the two hours). Then a new instance's connect scan
 * of 60 open ports (every probe a completed handshake) in its interface's first minutes is
 * still one Portscan of all its probes, once the window is judged: at the pair's first probe
 * of a later epoch, or at the end of input. (A scan's failed probes fire at once, as the
 * other tests show from the log's first minute.)
 */
static void test_portscan_checker_at_log_start(void **state)
{
    const int64_t t = T0 + 10 * 3600 + 120;
    struct lines l = {0};
    struct run r;
    uint64_t x = 777;

    (void)state;
    for (int m = 0; m < 120; m += 2) {
        for (int n = 0; n < 3; n++) {
            char node[32];

            snprintf(node, sizeof(node), "10.0.21.%d", 10 + n);
            for (int i = 0; i < 25; i++) {
                int np = 30000 + 107 * i, sp;
                int64_t at;

                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                sp = 32768 + (int)((x >> 33) % 28232);
                at = t + m * 60 + (int64_t)((x >> 20) % 60);
                if (n == 0 && i == 24) { /* a target down: the node answers with a RST */
                    rec(&l, "eni-0nlb", "10.0.1.77", node, sp, np, 6, 1, 60, at, at, "ACCEPT");
                    rec(&l, "eni-0nlb", node, "10.0.1.77", np, sp, 6, 1, 40, at, at, "ACCEPT");
                    continue;
                }
                rec(&l, "eni-0nlb", "10.0.1.77", node, sp, np, 6, 3, 164, at, at, "ACCEPT");
                rec(&l, "eni-0nlb", node, "10.0.1.77", np, sp, 6, 2, 104, at, at, "ACCEPT");
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);
    lines_free(&l);

    /* A scan in the interface's first minutes, then a later probe: one Portscan, every probe. */
    rec(&l, "eni-0new", "10.0.12.30", "10.0.0.2", 40000, 53, 17, 1, 70, t, t, "ACCEPT");
    for (int p = 1; p <= 60; p++) {
        rec(&l, "eni-0new", "10.0.12.30", "203.0.113.9", 41000 + p, p, 6, 3, 132, t + 60 + p,
            t + 60 + p, "ACCEPT");
    }
    rec(&l, "eni-0new", "10.0.12.30", "203.0.113.9", 42000, 8080, 6, 3, 132, t + 1500, t + 1500,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* the window's 60, then the later probe at the end */
    assert_all(&r.got, T_PORTSCAN, "eni-0new");
    assert_int_equal(r.got.count[0], 60);
    assert_int_equal(r.got.first_ms[0], (t + 61) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 61);
    lines_free(&l);

    /* The same scan with nothing after it: judged when the pair goes at the end of input. */
    rec(&l, "eni-0new", "10.0.12.30", "10.0.0.2", 40000, 53, 17, 1, 70, t, t, "ACCEPT");
    for (int p = 1; p <= 60; p++) {
        rec(&l, "eni-0new", "10.0.12.30", "203.0.113.9", 41000 + p, p, 6, 3, 132, t + 60 + p,
            t + 60 + p, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0new");
    assert_int_equal(r.got.count[0], 60);
    assert_true(r.got.tail[0]);
    lines_free(&l);
}

/*
 * A checker that starts in the middle of the log: a network load balancer has checked 25
 * NodePorts of 2 nodes every 2 minutes since the log began when a third node joins the
 * cluster (an Auto Scaling scale-out) 3 hours in and gets the same checks from then on. The
 * new pair's first two epochs have no probe before them to show the ports are checked again
 * and again; before 2026-12-05 the new node had a Portscan in its first epoch (the tail then
 * counted every check of the 2 hours after). Then the recall of the same hold for a pair new in
 * the middle of the log: a connect scan of 60 open ports from an instance seen for hours is one
 * Portscan of all its probes once judged, and a scan of closed ports still fires at once.
 */
static void test_portscan_checker_mid_log(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 4242;

    (void)state;
    for (int m = 0; m < 300; m += 2) {
        for (int n = 0; n < 3; n++) {
            char node[32];

            if (n == 2 && m < 180) {
                continue; /* the node joins at hour 3 */
            }
            snprintf(node, sizeof(node), "10.0.21.%d", 10 + n);
            for (int i = 0; i < 25; i++) {
                int np = 30000 + 107 * i, sp;
                int64_t at;

                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                sp = 32768 + (int)((x >> 33) % 28232);
                at = t + m * 60 + (int64_t)((x >> 20) % 60);
                rec(&l, "eni-0nlb", "10.0.1.77", node, sp, np, 6, 3, 164, at, at, "ACCEPT");
                rec(&l, "eni-0nlb", node, "10.0.1.77", np, sp, 6, 2, 104, at, at, "ACCEPT");
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);
    lines_free(&l);

    /*
     * An instance busy for 3 hours (a session to its database every minute), then a connect
     * scan of 60 open ports of a new host, then one more probe 25 minutes later: held, judged
     * at that probe, one Portscan of the window's 60, then the later probe at the end.
     */
    for (int m = 0; m < 180; m++) {
        rec(&l, "eni-0app", "10.0.12.30", "10.0.30.5", 40000 + m, 5432, 6, 40, 9000, t + m * 60,
            t + m * 60 + 50, "ACCEPT");
    }
    for (int p = 1; p <= 60; p++) {
        rec(&l, "eni-0app", "10.0.12.30", "203.0.113.9", 41000 + p, p, 6, 3, 132, t + 10800 + p,
            t + 10800 + p, "ACCEPT");
    }
    rec(&l, "eni-0app", "10.0.12.30", "203.0.113.9", 42000, 8080, 6, 3, 132, t + 12300, t + 12300,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_PORTSCAN, "eni-0app");
    assert_int_equal(r.got.count[0], 60);
    assert_int_equal(r.got.first_ms[0], (t + 10801) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 61);
    lines_free(&l);

    /* The same instance's scan of 100 closed ports (rejected): fires at once, as before. */
    for (int m = 0; m < 180; m++) {
        rec(&l, "eni-0app", "10.0.12.30", "10.0.30.5", 40000 + m, 5432, 6, 40, 9000, t + m * 60,
            t + m * 60 + 50, "ACCEPT");
    }
    for (int p = 1; p <= 100; p++) {
        rec(&l, "eni-0app", "10.0.12.30", "203.0.113.9", 41000 + p, p, 6, 1, 44, t + 10800 + p,
            t + 10800 + p, "REJECT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* at the threshold, then the scan's tail */
    assert_all(&r.got, T_PORTSCAN, "eni-0app");
    assert_false(r.got.tail[0]);
    assert_true(r.got.count[0] >= 19 && r.got.count[0] < 60);
    assert_true(r.got.time_ms[0] < (t + 10860) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 100);
    lines_free(&l);
}

/* A network load balancer's checks of 25 NodePorts of node n (10.0.21.1n) at minute m. */
static void nlb_checks(struct lines *l, int64_t t, int m, int n, bool fail, uint64_t *x)
{
    char node[32];

    snprintf(node, sizeof(node), "10.0.21.%d", 10 + n);
    for (int i = 0; i < 25; i++) {
        int np = 30000 + 107 * i, sp;
        int64_t at;

        *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
        sp = 32768 + (int)((*x >> 33) % 28232);
        at = t + m * 60 + (int64_t)((*x >> 20) % 60);
        rec(l, "eni-0nlb", "10.0.1.77", node, sp, np, 6, fail ? 1 : 3, fail ? 60 : 164, at, at,
            "ACCEPT");
        rec(l, "eni-0nlb", node, "10.0.1.77", np, sp, 6, fail ? 1 : 2, fail ? 40 : 104, at, at,
            "ACCEPT");
    }
}

/*
 * A node that joins behind a load balancer before its service is up: the balancer has checked
 * 25 NodePorts of 2 nodes every 2 minutes since the log began when a third node joins 3 hours
 * in, and its first 3 rounds of checks fail (a SYN, 1 packet, and the node's RST), then
 * succeed. The new pair's first epoch has 25 failed probes; before 2026-12-06 they fired at
 * once. They are held now (the balancer checks the same ports of the other nodes again and
 * again) and judged at the next epoch, where they come back. Then the recall: the balancer's
 * own address probing 100 closed ports of a new host, and a new instance's scan of 100 closed
 * ports of the joining node in its first minutes, each fire at once.
 */
static void test_portscan_checker_target_failing(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 99;

    (void)state;
    for (int m = 0; m < 300; m += 2) {
        for (int n = 0; n < 3; n++) {
            if (n < 2 || m >= 180) {
                nlb_checks(&l, t, m, n, n == 2 && m < 185, &x);
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);
    lines_free(&l);

    /* The same with a checker that never came back (one epoch of failed checks): held, fires. */
    for (int m = 0; m < 190; m += 2) {
        for (int n = 0; n < 3; n++) {
            if (n < 2 || m >= 180) {
                nlb_checks(&l, t, m, n, n == 2, &x);
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0nlb");
    assert_true(r.got.tail[0]);
    assert_int_equal(r.got.count[0], 125);
    lines_free(&l);

    /* The balancer's address probes 100 closed ports of a new host: fires at once. */
    for (int m = 0; m < 190; m += 2) {
        nlb_checks(&l, t, m, 0, false, &x);
        nlb_checks(&l, t, m, 1, false, &x);
    }
    for (int p = 1; p <= 100; p++) {
        rec(&l, "eni-0nlb", "10.0.1.77", "10.0.21.50", 41000 + p, p, 6, 1, 44, t + 10800 + p,
            t + 10800 + p, "REJECT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* at the threshold, then the scan's tail */
    assert_all(&r.got, T_PORTSCAN, "eni-0nlb");
    assert_false(r.got.tail[0]);
    assert_true(r.got.time_ms[0] < (t + 10860) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 100);
    lines_free(&l);

    /* A new instance's scan of 100 closed ports of the joining node in its first minutes. */
    for (int m = 0; m < 220; m += 2) {
        for (int n = 0; n < 3; n++) {
            if (n < 2 || m >= 180) {
                nlb_checks(&l, t, m, n, n == 2 && m < 185, &x);
            }
        }
    }
    for (int p = 1; p <= 100; p++) {
        rec(&l, "eni-0new", "10.0.12.30", "10.0.21.12", 41000 + p, p, 6, 1, 44, t + 10800 + p,
            t + 10800 + p, "REJECT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_PORTSCAN, "eni-0new");
    assert_false(r.got.tail[0]);
    assert_true(r.got.time_ms[0] < (t + 10860) * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 100);
    lines_free(&l);
}

/*
 * An ECS container instance in bridge mode: 24 tasks on host ports in the ephemeral range
 * (49153 and up), each health-checked over TCP by the 3 nodes of a network load balancer every
 * 10 s for an hour, 1-minute records in a custom format with tcp-flags and flow-direction, the
 * two directions of a check in either order. The balancer's source ports range over
 * 1024-65535, so port order reads the instance's answer (SYN-ACK, FIN) to a lower one as a
 * probe of the balancer; before 2026-12-04 each node of the balancer had a Portscan.
 */
static void test_portscan_ecs_health_checks(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 777;

    (void)state;
    l.header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
               "bytes start end action log-status tcp-flags flow-direction";
    for (int c = 0; c < 360; c++) {
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < 24; i++) {
                char a[256], b[256];
                int hp = 49153 + 7 * i, sp;
                int64_t m = t + c * 10 / 60 * 60;

                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                sp = 1024 + (int)((x >> 33) % 64512);
                snprintf(a, sizeof(a),
                         "5 111122223333 eni-0ecs 10.0.%d.50 10.0.1.77 %d %d 6 3 164 %lld %lld "
                         "ACCEPT OK 7 ingress",
                         n, sp, hp, (long long)m, (long long)(m + 60));
                snprintf(b, sizeof(b),
                         "5 111122223333 eni-0ecs 10.0.1.77 10.0.%d.50 %d %d 6 2 112 %lld %lld "
                         "ACCEPT OK 19 egress",
                         n, hp, sp, (long long)m, (long long)(m + 60));
                lines_add(&l, (x >> 17) & 1 ? a : b);
                lines_add(&l, (x >> 17) & 1 ? b : a);
            }
        }
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);
    lines_free(&l);

    /* Still a scan: a connect scan of 100 ports of the balancer, the same format. */
    l.header = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
               "bytes start end action log-status tcp-flags flow-direction";
    for (int p = 2000; p < 2100; p++) {
        char a[256];

        snprintf(a, sizeof(a),
                 "5 111122223333 eni-0ecs 10.0.1.77 10.0.0.50 %d %d 6 2 84 %lld %lld ACCEPT OK 6 "
                 "egress",
                 40000 + p, p, (long long)(t + p - 2000), (long long)(t + p - 2000));
        lines_add(&l, a);
    }
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0ecs");
    lines_free(&l);
    l.header = NULL;
}

/*
 * The same container instance in the default format (v2: no flow-direction, no tcp-flags), its
 * 24 tasks on the host ports Docker hands out first (32768 and up), health-checked by the 3
 * balancer nodes from their ephemeral ports (32768-60999, above the tasks'). Two private
 * addresses: the instance's is the one on every record of its interface (flow_local.c). Before
 * 2026-12-04 the balancer's source was taken for the instance, and its checks of 24 ports were
 * the instance's Portscan of its own address. The instance's scans of its neighbours, and of
 * the balancer, still are.
 */
static void test_portscan_ecs_health_checks_default_format(void **state)
{
    const int64_t t = T0 + 10 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 4242;

    (void)state;
    for (int c = 0; c < 360; c++) {
        for (int n = 0; n < 3; n++) {
            for (int i = 0; i < 24; i++) {
                char node[32];
                int hp = 32768 + i, sp;
                int64_t at;

                x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                sp = 32768 + (int)((x >> 33) % 28232);
                at = t + c * 10 + (int64_t)((x >> 20) % 10);
                snprintf(node, sizeof(node), "10.0.%d.50", n);
                rec(&l, "eni-0ecs", node, "10.0.1.77", sp, hp, 6, 3, 180, at, at + 1, "ACCEPT");
                rec(&l, "eni-0ecs", "10.0.1.77", node, hp, sp, 6, 2, 112, at, at + 1, "ACCEPT");
            }
        }
    }
    /* The checks of one cycle come in any order within it. */
    for (size_t c = 0; c < 360; c++) {
        lines_shuffle(&l, c * 144, c * 144 + 144, c + 1);
    }
    run_lines(&r, NULL, &l);
    assert_none(&r.got);

    /* Still scans: the instance's nmap -sS of 100 ports of two neighbours and of a node. */
    for (int h = 0; h < 3; h++) {
        const char *dst = h == 0 ? "10.0.9.20" : h == 1 ? "10.0.9.21" : "10.0.2.50";

        for (int p = 1; p <= 100; p++) {
            int64_t at = t + 900 + h * 60 + p / 10;

            rec(&l, "eni-0ecs", "10.0.1.77", dst, 51000, p, 6, 1, 44, at, at, "ACCEPT");
            rec(&l, "eni-0ecs", dst, "10.0.1.77", p, 51000, 6, 1, 40, at, at, "ACCEPT");
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 6); /* a detection per host, then the rest of its probes */
    assert_all(&r.got, T_PORTSCAN, "eni-0ecs");
    lines_free(&l);
}

/*
 * An EKS node in the default format: the VPC CNI puts its 30 pods on secondary addresses of
 * the node's interface (10.0.2.11-40, the node 10.0.2.10), every pod calls one database
 * (10.0.4.20:5432) every 10 s, and the node's kubelet calls the cluster's API endpoint. The
 * database is on every pod's record, so the rule "the address on every record" would take it
 * for the interface's; the node's own records show the interface has several addresses, and
 * the learned one is dropped (flow_local.c). Before the fix a compromised pod's nmap -sS of
 * 1,000 ports of the database's host was read as the host probing the interface: no Portscan
 * (bd818be, which took the source, gave one).
 */
static void test_portscan_eks_pod_of_shared_service(void **state)
{
    const int64_t t = T0 + 11 * 3600;
    struct lines l = {0};
    struct run r;
    uint64_t x = 777;

    (void)state;
    for (int c = 0; c < 240; c++) {
        int64_t at = t + c * 10;
        int sp;

        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        sp = 32768 + (int)((x >> 33) % 28232);
        rec(&l, "eni-0eks", "10.0.2.10", "10.0.0.100", sp, 443, 6, 8, 1500, at, at + 1, "ACCEPT");
        rec(&l, "eni-0eks", "10.0.0.100", "10.0.2.10", 443, sp, 6, 8, 4000, at, at + 1, "ACCEPT");
        for (int i = 0; i < 30; i++) {
            char pod[32];

            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            sp = 32768 + (int)((x >> 33) % 28232);
            snprintf(pod, sizeof(pod), "10.0.2.%d", 11 + i);
            rec(&l, "eni-0eks", pod, "10.0.4.20", sp, 5432, 6, 6, 900, at + 1, at + 2, "ACCEPT");
            rec(&l, "eni-0eks", "10.0.4.20", pod, 5432, sp, 6, 5, 2400, at + 1, at + 2, "ACCEPT");
        }
        if (c >= 120 && c < 130) {
            for (int p = 1; p <= 100; p++) {
                int port = (c - 120) * 100 + p;

                rec(&l, "eni-0eks", "10.0.2.15", "10.0.4.20", 51000, port, 6, 1, 44, at + 3, at + 3,
                    "ACCEPT");
                rec(&l, "eni-0eks", "10.0.4.20", "10.0.2.15", port, 51000, 6, 1, 40, at + 3, at + 3,
                    "ACCEPT");
            }
        }
    }
    run_lines(&r, NULL, &l);
    for (size_t i = 0; i < r.got.n; i++) {
        print_message("got: %s on %s line %u\n", r.got.type[i], r.got.resource[i],
                      (unsigned)r.got.line[i]);
    }
    assert_true(r.got.n >= 1);
    assert_all(&r.got, T_PORTSCAN, "eni-0eks");
    lines_free(&l);
}

/* ---- Backdoor:EC2/DenialOfService.* ------------------------------------------------------ */

static void test_dos(void **state)
{
    const int64_t t = T0 + 12 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* GuardDuty's tester: 400,000 datagrams of 256 bytes, one socket, to port 80: UdpOnTcpPorts. */
    rec(&l, "eni-1a", "10.0.1.5", "44.7.7.7", 40000, 80, 17, 400000, 400000ULL * 284, t, t + 3,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_UDPTCP, "eni-1a");
    assert_int_equal(r.got.count[0], 1);
    lines_free(&l);

    /* The same to a port no TCP service uses: Udp. */
    rec(&l, "eni-1b", "10.0.1.6", "44.7.7.8", 40000, 9999, 17, 400000, 400000ULL * 284, t, t + 3,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_UDP, "eni-1b");
    lines_free(&l);

    /* The DNS tester: 64-byte queries, a new socket each (4000 ports, 100 each): Dns. */
    for (int i = 0; i < 4000; i++) {
        rec(&l, "eni-1c", "10.0.1.7", "44.8.8.8", 30000 + i, 53, 17, 100, 9200, t + i % 20, t + 20,
            "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_DNS, "eni-1c");
    /* 180,000 packets (3,000/s over the minute) are reached with the 1800th record. */
    assert_int_equal(r.got.count[0], 1800);
    assert_int_equal(r.got.line[0], 1800);
    assert_int_equal(r.got.first_ms[0], t * 1000);
    /*
     * The 2,200 after it are reported as the pair expires (the end of input), from the last:
     * the finding counts all 4,000. Before 2026-12-05 they were never reported.
     */
    assert_int_equal(r.got.count[1], 2200);
    assert_int_equal(r.got.line[1], 4000);
    lines_free(&l);

    /*
     * A SYN flood from 1000 source ports, 200 SYNs each in the minute: Tcp; the
     * replies not, nor the hour of ordinary connections before it.
     */
    for (int m = 60; m > 0; m--) {
        rec(&l, "eni-1d", "10.0.1.8", "44.9.9.9", 30000 + m, 443, 6, 12, 2000, t - m * 60,
            t - m * 60 + 1, "ACCEPT");
    }
    for (int i = 0; i < 1000; i++) {
        rec(&l, "eni-1d", "10.0.1.8", "44.9.9.9", 20000 + i, 443, 6, 200, 8800, t, t + 59,
            "ACCEPT");
        rec(&l, "eni-1d", "44.9.9.9", "10.0.1.8", 443, 20000 + i, 6, 50, 2000, t, t + 59, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_TCP, "eni-1d");
    assert_int_equal(r.got.count[0], 900);
    assert_int_equal(r.got.line[0], 60 + 2 * 900 - 1);
    assert_int_equal(r.got.first_ms[0], t * 1000);
    lines_free(&l);

    /* IGMP (protocol 2), no ports: UnusualProtocol. */
    rec(&l, "eni-1e", "10.0.1.9", "44.10.10.10", 0, 0, 2, 300000, 300000ULL * 60, t, t + 59,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_UNUSUAL, "eni-1e");
    lines_free(&l);
}

/*
 * A VPC-wide flow log records a flood twice: on the instance's interface and on
 * the NAT gateway's, which has no instance and whose packet-level source is the
 * instance. Only the instance is the actor. An EKS node's pod traffic (its
 * interface has an instance, the packet-level source is the pod) still counts.
 */
#define PKTHDR                                                                                     \
    "version account-id interface-id instance-id srcaddr dstaddr srcport dstport protocol "        \
    "packets bytes start end action log-status pkt-srcaddr pkt-dstaddr"

static void test_dos_forwarded(void **state)
{
    const int64_t t = T0 + 12 * 3600;
    struct lines l = {0};
    struct run r;
    char s[256];

    (void)state;
    l.header = PKTHDR;
    snprintf(s, sizeof(s),
             "5 111122223333 eni-inst i-0123456789abcdef0 10.0.1.5 44.7.7.8 40000 9999 17 400000 "
             "%llu %lld %lld ACCEPT OK 10.0.1.5 44.7.7.8",
             400000ULL * 284, (long long)t, (long long)(t + 3));
    lines_add(&l, s);
    snprintf(s, sizeof(s),
             "5 111122223333 eni-natgw - 10.0.0.200 44.7.7.8 61000 9999 17 400000 %llu %lld %lld "
             "ACCEPT OK 10.0.1.5 44.7.7.8",
             400000ULL * 284, (long long)t, (long long)(t + 3));
    lines_add(&l, s);
    snprintf(s, sizeof(s),
             "5 111122223333 eni-node i-0fedcba9876543210 10.0.2.9 44.7.7.9 40000 9999 17 400000 "
             "%llu %lld %lld ACCEPT OK 10.0.2.77 44.7.7.9",
             400000ULL * 284, (long long)t, (long long)(t + 3));
    lines_add(&l, s);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_string_equal(r.got.type[0], T_UDP);
    assert_string_equal(r.got.resource[0], "i-0123456789abcdef0");
    assert_string_equal(r.got.type[1], T_UDP);
    assert_string_equal(r.got.resource[1], "i-0fedcba9876543210");
    lines_free(&l);
}

/*
 * A NAT gateway's records as AWS documents them (flow log record examples, "NAT
 * gateway"): the instance's leg (srcaddr the instance, dstaddr the gateway,
 * pkt-dstaddr the remote) is forwarded, but the gateway's own leg to the
 * internet has its own address as both srcaddr and pkt-srcaddr. Before
 * 2026-12-05 that leg was judged as the gateway's interface's own traffic: the
 * instance's flood was a second finding, on the NAT gateway's interface.
 */
/* One record of PKTHDR's format: pkt-srcaddr and pkt-dstaddr after the interface's. */
static void prec(struct lines *l, const char *eni, const char *inst, const char *src,
                 const char *dst, int sp, int dp, int proto, uint64_t packets, int64_t start,
                 int64_t end, const char *psrc, const char *pdst)
{
    char s[256];

    snprintf(s, sizeof(s),
             "5 111122223333 %s %s %s %s %d %d %d %llu %llu %lld %lld ACCEPT OK %s %s", eni, inst,
             src, dst, sp, dp, proto, (unsigned long long)packets,
             (unsigned long long)packets * 284, (long long)start, (long long)end, psrc, pdst);
    lines_add(l, s);
}

static void test_dos_nat_leg(void **state)
{
    const int64_t t = T0 + 12 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    l.header = PKTHDR;
    /* an earlier connection through the gateway: its own leg first, then the instance's */
    prec(&l, "eni-natgw", "-", "10.0.0.220", "44.7.7.9", 61001, 443, 6, 10, t - 600, t - 590,
         "10.0.0.220", "44.7.7.9");
    prec(&l, "eni-natgw", "-", "10.0.1.6", "10.0.0.220", 40001, 443, 6, 10, t - 600, t - 590,
         "10.0.1.6", "44.7.7.9");
    /* the flood: on the instance's interface, and both legs on the gateway's */
    prec(&l, "eni-inst", "i-0123456789abcdef0", "10.0.1.5", "44.7.7.8", 40000, 9999, 17, 400000, t,
         t + 3, "10.0.1.5", "44.7.7.8");
    prec(&l, "eni-natgw", "-", "10.0.1.5", "10.0.0.220", 40000, 9999, 17, 400000, t, t + 3,
         "10.0.1.5", "44.7.7.8");
    prec(&l, "eni-natgw", "-", "10.0.0.220", "44.7.7.8", 61000, 9999, 17, 400000, t, t + 3,
         "10.0.0.220", "44.7.7.8");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_string_equal(r.got.type[0], T_UDP);
    assert_string_equal(r.got.resource[0], "i-0123456789abcdef0");
    lines_free(&l);
}

static void test_dos_near_misses(void **state)
{
    const int64_t t = T0 + 12 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* A large S3 upload: 10 connections to S3 at 5,000 full-size packets/s each. */
    for (int i = 0; i < 10; i++) {
        rec(&l, "eni-2a", "10.0.2.5", "52.216.10.10", 50000 + i, 443, 6, 600000, 600000ULL * 1440,
            t, t + 120, "ACCEPT");
    }
    /* A 1 Gb/s download: the instance's side is 40,000 ACKs/s of 52 bytes on one connection. */
    rec(&l, "eni-2b", "10.0.2.6", "44.11.11.11", 50100, 443, 6, 2400000, 2400000ULL * 52, t, t + 59,
        "ACCEPT");
    /* QUIC on UDP/443: one connection, 10,000 small packets/s. */
    rec(&l, "eni-2c", "10.0.2.7", "44.12.12.12", 50200, 443, 17, 600000, 600000ULL * 70, t, t + 59,
        "ACCEPT");
    /* Heavy DNS to the VPC resolver and to the link-local one: inside the VPC. */
    for (int i = 0; i < 4000; i++) {
        rec(&l, "eni-2d", "10.0.2.8", "10.0.0.2", 30000 + i, 53, 17, 100, 9200, t, t + 20,
            "ACCEPT");
        rec(&l, "eni-2d", "10.0.2.8", "169.254.169.253", 30000 + i, 53, 17, 100, 9200, t, t + 20,
            "ACCEPT");
    }
    /* An IPsec tunnel (ESP) to a public peer. */
    rec(&l, "eni-2e", "10.0.2.9", "44.13.13.13", 0, 0, 50, 600000, 600000ULL * 120, t, t + 59,
        "ACCEPT");
    /* Large datagrams (a media stream) at 5,000/s: not a small-packet flood. */
    rec(&l, "eni-2f", "10.0.2.10", "44.14.14.14", 50300, 5004, 17, 300000, 300000ULL * 1300, t,
        t + 59, "ACCEPT");
    /* A flood just below the rate: 2,900 small datagrams/s for ten minutes. */
    for (int m = 0; m < 10; m++) {
        rec(&l, "eni-2g", "10.0.2.11", "44.15.15.15", 40000, 9999, 17, 174000, 174000ULL * 284,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
    }
    /* ICMP is none of these types. */
    rec(&l, "eni-2h", "10.0.2.12", "44.16.16.16", 0, 0, 1, 600000, 600000ULL * 84, t, t + 59,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);
}

/*
 * Two floods an independent test corpus built and coalmine missed before 2026-12-08, and
 * their near misses: hping3 -S -k, a SYN flood on one fixed 5-tuple (3,000,000 SYNs a
 * minute, tcp-flags 2: only a SYN ever), which a connection's own rate hid as a transfer;
 * and Mirai's UDP flood of 512-byte payloads (540 bytes a datagram), over the 512-byte
 * limit then. A fast connection with SYN, ACK and data (flags 27), the same SYN flood's
 * rate without tcp-flags (the default format: an ACK stream looks so), and datagrams of
 * 1,428 bytes (bulk UDP's size) stay quiet.
 */
static void test_dos_fixed_tuple_and_mirai(void **state)
{
    static const char *const hdr = "version account-id interface-id srcaddr dstaddr srcport "
                                   "dstport protocol packets bytes start end action log-status "
                                   "tcp-flags";
    const int64_t t = T0 + 12 * 3600;
    struct lines l = {0};
    struct run r;
    char s[256];

    (void)state;
    for (int pass = 0; pass < 4; pass++) {
        /* 0: SYN alone; 3: SYN and the RST the sender's kernel answers a SYN-ACK with */
        int flags = pass == 0 ? 2 : pass == 3 ? 6 : 27;

        for (int m = 0; m < 3; m++) {
            if (pass != 2) {
                l.header = hdr;
                snprintf(s, sizeof(s),
                         "5 111122223333 eni-3a 10.0.3.5 37.120.4.10 31337 80 6 3000000 "
                         "120000000 %lld %lld ACCEPT OK %d",
                         (long long)(t + m * 60), (long long)(t + m * 60 + 59), flags);
                lines_add(&l, s);
            } else {
                rec(&l, "eni-3a", "10.0.3.5", "37.120.4.10", 31337, 80, 6, 3000000, 120000000ULL,
                    t + m * 60, t + m * 60 + 59, "ACCEPT");
            }
        }
        run_lines(&r, NULL, &l);
        for (size_t i = 0; i < r.got.n; i++) {
            print_message("pass %d: %s on %s\n", pass, r.got.type[i], r.got.resource[i]);
        }
        /* one detection a minute, folded into one finding */
        assert_int_equal(fires(&r.got), pass == 0 || pass == 3 ? 3 : 0);
        if (pass == 0 || pass == 3) {
            assert_all(&r.got, T_TCP, "eni-3a");
        }
        lines_free(&l);
    }
    for (int pass = 0; pass < 2; pass++) {
        uint64_t size = pass == 0 ? 540 : 1428;

        for (int m = 0; m < 3; m++) {
            rec(&l, "eni-3b", "10.0.3.6", "37.120.3.12", 40000, 27015, 17, 3000000, 3000000 * size,
                t + m * 60, t + m * 60 + 59, "ACCEPT");
            rec(&l, "eni-3c", "10.0.3.7", "37.120.3.13", 40000, 80, 17, 3000000, 3000000 * size,
                t + m * 60, t + m * 60 + 59, "ACCEPT");
        }
        run_lines(&r, NULL, &l);
        if (pass == 0) {
            assert_int_equal(fires(&r.got), 6);
            for (size_t i = 0; i < r.got.n; i++) {
                bool b = strcmp(r.got.resource[i], "eni-3b") == 0;

                assert_string_equal(r.got.type[i], b ? T_UDP : T_UDPTCP);
                assert_true(b || strcmp(r.got.resource[i], "eni-3c") == 0);
            }
        } else {
            assert_int_equal(r.got.n, 0);
        }
        lines_free(&l);
    }
}

/*
 * A contact centre's PBX: 126 calls to the carrier's media address, one RTP
 * stream each way per call (G.711: 50 datagrams/s of 214 bytes), 6,300
 * datagrams/s out. Each minute's records on the PBX's interface: its streams
 * first, then the carrier's (the order a file may have). Answered: no flood;
 * the same streams with the carrier sending a tenth back (or nothing) are.
 */
static void rtp(struct lines *l, const char *eni, const char *pbx, const char *media, int64_t t,
                int minutes, int back_pct)
{
    for (int m = 0; m < minutes; m++) {
        for (int c = 0; c < 126; c++) {
            rec(l, eni, pbx, media, 16384 + 2 * c, 10000 + 2 * c, 17, 3000, 3000ULL * 214,
                t + m * 60, t + m * 60 + 59, "ACCEPT");
        }
        for (int c = 0; back_pct > 0 && c < 126; c++) {
            uint64_t pk = 3000ULL * (uint64_t)back_pct / 100;

            rec(l, eni, media, pbx, 10000 + 2 * c, 16384 + 2 * c, 17, pk, pk * 214, t + m * 60,
                t + m * 60 + 59, "ACCEPT");
        }
    }
}

static void test_dos_answered_streams(void **state)
{
    const int64_t t = T0 + 14 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    rtp(&l, "eni-9a", "10.0.9.10", "54.172.60.1", t, 10, 100);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    /* A tenth answered: 340,200 unanswered datagrams a minute; judged on the next minute's. */
    rtp(&l, "eni-9b", "10.0.9.11", "54.172.60.2", t, 3, 10);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 3); /* the last minute's streams: the tail, at the end of input */
    assert_int_equal(sum_counts(&r.got, 0), 3 * 126);
    assert_all(&r.got, T_UDP, "eni-9b");
    assert_int_equal(r.got.line[0], 2 * 126 + 1); /* the first stream of the second minute */
    assert_int_equal(r.got.count[0], 127);
    assert_int_equal(r.got.first_ms[0], t * 1000);
    lines_free(&l);

    /* Never answered, one minute, and no later record: the last minute is not judged. */
    rtp(&l, "eni-9c", "10.0.9.12", "54.172.60.3", t, 1, 0);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    /* A burst (one record of 400,000 datagrams in 3 s) is judged at once, answered or not. */
    rec(&l, "eni-9d", "10.0.9.13", "54.172.60.4", 40000, 9999, 17, 400000, 400000ULL * 284, t,
        t + 3, "ACCEPT");
    rec(&l, "eni-9d", "54.172.60.4", "10.0.9.13", 9999, 40000, 17, 1000, 1000ULL * 284, t, t + 3,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_UDP, "eni-9d");
    lines_free(&l);
}

/*
 * An HTTP flood from the instance that the target answers with pages: 2,000 short connections a
 * minute to a public web server's port 80, 100 packets each (3,333 packets/s in all, no connection
 * fast), each answered with 100 packets of 800 bytes. GuardDuty's DenialOfService.Tcp is "a large
 * volume of outbound TCP traffic (flood) from the instance to a public IP", answered or not: every
 * minute is a detection. (A version of 2026-12-04 offset the answers' packets, to quiet a pool of
 * 60 connections to a database on a public address at 3,600 packets/s, and this flood went silent;
 * a pool that busy to one public address fires, as it would by volume.)
 */
static void test_dos_tcp_flood_answered(void **state)
{
    const int64_t t = T0 + 15 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int m = 0; m < 3; m++) {
        for (int c = 0; c < 2000; c++) {
            int64_t s = t + m * 60 + c % 60;

            rec(&l, "eni-5f", "10.0.5.14", "198.51.100.80", 30000 + c, 80, 6, 100, 100 * 90, s,
                s + 59 - c % 60, "ACCEPT");
            rec(&l, "eni-5f", "198.51.100.80", "10.0.5.14", 80, 30000 + c, 6, 100, 100 * 800, s,
                s + 59 - c % 60, "ACCEPT");
        }
    }
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 3);
    assert_all(&r.got, T_TCP, "eni-5f");
    lines_free(&l);
}

/*
 * A connection pool: an application instance (10.0.5.20) keeping conns long-lived connections
 * to a database at a public address (a managed database's public endpoint, port 5432), each
 * pps packets/s of queries (120 bytes) answered by as many packets of 400 bytes, in records of
 * agg seconds, for minutes minutes. Each minute after the first, churn connections are replaced
 * by new ones (new source ports). flags: 0, the default format; 1, with tcp-flags, the pool
 * open before the log begins; 2, with tcp-flags, the pool opened in the first window. A new
 * connection's records carry a SYN, its answers a SYN-ACK, with tcp-flags. The queries of a
 * window come before its answers.
 */
#define FLAGHDR                                                                                    \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "            \
    "bytes start end action log-status tcp-flags"

static void pool(struct lines *l, const char *eni, int conns, uint64_t pps, int minutes, int agg,
                 int churn, int flags, int64_t t)
{
    static int port[512];
    static bool fresh[512];
    int next = 40000 + conns;
    char s[256];

    assert_true(conns <= 512);
    l->header = flags ? FLAGHDR : NULL;
    for (int c = 0; c < conns; c++) {
        port[c] = 40000 + c;
        fresh[c] = false;
    }
    for (int w = 0; w < minutes * 60 / agg; w++) {
        int64_t ws = t + (int64_t)w * agg, we = ws + agg - 1;
        uint64_t pk = pps * (uint64_t)agg;

        for (int c = 0; c < conns; c++) {
            fresh[c] = w == 0 && flags == 2;
        }
        for (int j = 0; w > 0 && j < churn * agg / 60; j++) {
            int c = (w * 7 + j * 13) % conns;

            port[c] = next++;
            fresh[c] = true;
        }
        for (int k = 0; k < 2; k++) {
            for (int c = 0; c < conns; c++) {
                int n = snprintf(
                    s, sizeof(s), "%d 111122223333 %s %s %s %d %d 6 %llu %llu %lld %lld ACCEPT OK",
                    flags ? 5 : 2, eni, k ? "52.95.110.7" : "10.0.5.20",
                    k ? "10.0.5.20" : "52.95.110.7", k ? 5432 : port[c], k ? port[c] : 5432,
                    (unsigned long long)pk, (unsigned long long)(pk * (k ? 400 : 120)),
                    (long long)ws, (long long)we);

                if (flags) {
                    snprintf(s + n, sizeof(s) - (size_t)n, " %d", fresh[c] ? (k ? 18 : 2) : 0);
                }
                lines_add(l, s);
            }
        }
    }
}

/*
 * A pool is not a flood: its connections are the same 5-tuples minute after minute, where a
 * flood opens new ones (or holds more than DOS_POOL, 128). Before, a pool of 60 connections at
 * 60 packets/s each (3,600/s) was a DenialOfService.Tcp every minute: 120 in two hours. Now,
 * with tcp-flags, nothing (its records have no SYN: connections opened before); in the default
 * format the pool's first minute still fires (its connections have no history yet, and look like
 * a one-minute flood of 60 new connections), and nothing after; so does a pool opened with SYNs
 * in the log's first window. In 1- or 10-minute records, with a few percent of the connections
 * replaced every minute.
 */
static void test_dos_tcp_pool(void **state)
{
    const int64_t t = T0 + 16 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int flags = 0; flags < 3; flags++) {
        size_t first = flags == 1 ? 0 : 1; /* the first minute's detection */

        pool(&l, "eni-6a", 60, 60, 120, 60, 2, flags, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), first);
        assert_all(&r.got, T_TCP, "eni-6a");
        if (first) {
            assert_int_equal(r.got.first_ms[0], t * 1000);
        }
        lines_free(&l);

        pool(&l, "eni-6b", 60, 60, 120, 600, 2, flags, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), first);
        lines_free(&l);

        /* 32 connections at 95 packets/s (3,040/s); 120 at 90 (10,800/s). */
        pool(&l, "eni-6c", 32, 95, 60, 60, 1, flags, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), first);
        lines_free(&l);
        pool(&l, "eni-6d", 120, 90, 60, 60, 4, flags, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), first);
        lines_free(&l);

        /* Above the boundary: 200 connections at 30 packets/s (6,000/s) fire every minute. */
        pool(&l, "eni-6e", 200, 30, 10, 60, 6, flags, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), 10);
        assert_all(&r.got, T_TCP, "eni-6e");
        lines_free(&l);
    }
}

/*
 * Floods of held connections. 1,000 connections held for five minutes at 4 packets/s each
 * (a slowloris at flood volume; a SYN flood cycling its source ports looks the same) are more
 * than a pool: every minute fires. 100 connections held at 60 packets/s (6,000/s) are within a
 * pool's bounds: only their first minute fires (the boundary, vpcflow-pair.md); with tcp-flags
 * the same, their SYNs in the first minute, and the 1,000 without any SYN (an ACK flood) still
 * fire every minute. A SYN flood cycling 100 source ports fires every minute when the format
 * has tcp-flags (a reused port with a SYN is a new connection); without them, it is 100
 * connections held.
 */
static void test_dos_tcp_held(void **state)
{
    const int64_t t = T0 + 17 * 3600;
    struct lines l = {0};
    struct run r;
    char s[256];

    (void)state;
    for (int m = 0; m < 5; m++) {
        for (int c = 0; c < 1000; c++) {
            rec(&l, "eni-7a", "10.0.7.10", "198.51.100.84", 20000 + c, 80, 6, 240, 240 * 60,
                t + m * 60, t + m * 60 + 59, "ACCEPT");
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 6); /* a detection per minute, then the last minute's tail */
    assert_int_equal(sum_counts(&r.got, 0), 5000);
    assert_all(&r.got, T_TCP, "eni-7a");
    lines_free(&l);

    for (int m = 0; m < 5; m++) {
        for (int c = 0; c < 100; c++) {
            rec(&l, "eni-7b", "10.0.7.11", "198.51.100.85", 20000 + c, 80, 6, 3600, 3600 * 60,
                t + m * 60, t + m * 60 + 59, "ACCEPT");
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_TCP, "eni-7b");
    lines_free(&l);

    l.header = FLAGHDR;
    for (int m = 0; m < 5; m++) {
        for (int c = 0; c < 1100; c++) {
            snprintf(s, sizeof(s),
                     "5 111122223333 eni-7d 10.0.7.13 %s %d 80 6 %d %d %lld %lld ACCEPT OK %d",
                     c < 1000 ? "198.51.100.87" : "198.51.100.88", 20000 + c, c < 1000 ? 240 : 3600,
                     c < 1000 ? 240 * 60 : 3600 * 60, (long long)(t + m * 60),
                     (long long)(t + m * 60 + 59), c >= 1000 && m == 0 ? 2 : 0);
            lines_add(&l, s);
        }
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 6);
    assert_all(&r.got, T_TCP, "eni-7d");
    lines_free(&l);

    for (int flags = 0; flags < 2; flags++) {
        l.header = flags ? FLAGHDR : NULL;
        for (int m = 0; m < 5; m++) {
            for (int c = 0; c < 100; c++) {
                int n = snprintf(s, sizeof(s),
                                 "%d 111122223333 eni-7c 10.0.7.12 198.51.100.86 %d 443 6 2000 "
                                 "80000 %lld %lld ACCEPT OK",
                                 flags ? 5 : 2, 1024 + c, (long long)(t + m * 60),
                                 (long long)(t + m * 60 + 59));

                if (flags) {
                    snprintf(s + n, sizeof(s) - (size_t)n, " 2");
                }
                lines_add(&l, s);
            }
        }
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), flags ? 5 : 1);
        assert_all(&r.got, T_TCP, "eni-7c");
        lines_free(&l);
    }
}

/*
 * A tunnel of another IP protocol to a public peer (GRE, 47; 6in4, 41: a tunnel broker) carries
 * traffic both ways: 5,000 packets/s out and as many back. Before, it was a
 * DenialOfService.UnusualProtocol every minute (30 in 30 minutes), as every record of such a
 * protocol counts. Its packets back now cancel as a UDP stream's do; a minute is judged at once
 * (a one-minute flood with no later record still fires), with the minute before's answers when
 * larger, so only the tunnel's first minute fires (its answers come after, or the pair is not
 * there yet when they come first). A flood the peer answers with a tenth fires every minute.
 */
static void tunnel(struct lines *l, const char *eni, const char *peer, int proto, int minutes,
                   int back_pct, bool answers_first, int64_t t)
{
    for (int m = 0; m < minutes; m++) {
        int64_t s = t + m * 60;
        uint64_t back = 300000ULL * (uint64_t)back_pct / 100;

        if (answers_first && back > 0) {
            rec(l, eni, peer, "10.0.8.10", 0, 0, proto, back, back * 600, s, s + 59, "ACCEPT");
        }
        rec(l, eni, "10.0.8.10", peer, 0, 0, proto, 300000, 300000ULL * 600, s, s + 59, "ACCEPT");
        if (!answers_first && back > 0) {
            rec(l, eni, peer, "10.0.8.10", 0, 0, proto, back, back * 600, s, s + 59, "ACCEPT");
        }
    }
}

static void test_dos_unusual_tunnel(void **state)
{
    const int64_t t = T0 + 18 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int first = 0; first < 2; first++) {
        tunnel(&l, "eni-8a", "203.0.113.50", 47, 30, 100, first, t);
        run_lines(&r, NULL, &l);
        assert_int_equal(fires(&r.got), 1);
        assert_all(&r.got, T_UNUSUAL, "eni-8a");
        assert_int_equal(r.got.first_ms[0], t * 1000);
        lines_free(&l);
    }
    tunnel(&l, "eni-8b", "216.66.84.46", 41, 10, 100, false, t);
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    lines_free(&l);

    tunnel(&l, "eni-8c", "203.0.113.51", 47, 10, 10, false, t);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 10);
    assert_all(&r.got, T_UNUSUAL, "eni-8c");
    lines_free(&l);
}

/*
 * UDP/443 (and the other transport ports): a fast 5-tuple of small datagrams
 * is a flood when unanswered, UdpOnTcpPorts on 443 (spec: "e.g. 80/443"), and
 * a QUIC download's acknowledgements (answered by the data) are not. Each
 * minute's instance record comes first, the worst order for the answers.
 * Before, a fast 5-tuple to a transport port never counted: a 6,000/s flood
 * of 284-byte datagrams to 443 for three minutes gave nothing.
 */
static void test_dos_transport_ports(void **state)
{
    const int64_t t = T0 + 15 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    for (int m = 0; m < 3; m++) {
        rec(&l, "eni-9e", "10.0.9.14", "54.172.60.5", 33334, 443, 17, 360000, 360000ULL * 284,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* minutes 1 and 2, each judged on the next minute's record */
    assert_all(&r.got, T_UDPTCP, "eni-9e");
    assert_int_equal(r.got.line[0], 2);
    lines_free(&l);

    /* The same to IKE (UDP/500, a transport port, not a TCP service): .Udp. */
    for (int m = 0; m < 3; m++) {
        rec(&l, "eni-9f", "10.0.9.15", "54.172.60.6", 33335, 500, 17, 360000, 360000ULL * 120,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_UDP, "eni-9f");
    lines_free(&l);

    /* A QUIC download for ten minutes: 10,000 ACKs/s of 70 bytes out, 20,000 datagrams/s in. */
    for (int m = 0; m < 10; m++) {
        rec(&l, "eni-9g", "10.0.9.16", "54.172.60.7", 50200, 443, 17, 600000, 600000ULL * 70,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
        rec(&l, "eni-9g", "54.172.60.7", "10.0.9.16", 443, 50200, 17, 1200000, 1200000ULL * 1250,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
    }
    /* A QUIC upload: the instance's datagrams are full size. */
    for (int m = 0; m < 10; m++) {
        rec(&l, "eni-9h", "10.0.9.17", "54.172.60.8", 50201, 443, 17, 600000, 600000ULL * 1250,
            t + m * 60, t + m * 60 + 59, "ACCEPT");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);
}

/* ---- aggregation and order --------------------------------------------------------------- */

/*
 * A ten-minute TCP flood from 1000 source ports at pps packets/s, as
 * 1-minute records (agg 60) or as 10-minute records (agg 600).
 */
static void flood(struct lines *l, const char *eni, int64_t t, uint64_t pps, int agg)
{
    uint64_t per = pps * (uint64_t)agg / 1000;

    for (int w = 0; w < 600 / agg; w++) {
        for (int i = 0; i < 1000; i++) {
            rec(l, eni, "10.0.3.5", "44.17.17.17", 20000 + i, 80, 6, per, per * 44, t + w * agg,
                t + w * agg + agg - 1, "ACCEPT");
        }
    }
}

static void test_aggregation(void **state)
{
    const int64_t t = T0 + 13 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* 3,400/s: fires both ways, on the same record count for the first minute. */
    flood(&l, "eni-3a", t, 3400, 60);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 11); /* one per flooded minute, then the last minute's tail */
    assert_all(&r.got, T_TCP, "eni-3a");
    assert_int_equal(r.got.count[0], 883); /* 883 * 204 >= 180,000 */
    for (size_t i = 1; i < 10; i++) {
        assert_int_equal(r.got.count[i], 1000); /* every record once */
    }
    assert_int_equal(r.got.count[10], 117);
    assert_int_equal(r.got.line[10], 10000);
    lines_free(&l);
    flood(&l, "eni-3a", t, 3400, 600);
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1); /* every minute crosses with the same record */
    assert_all(&r.got, T_TCP, "eni-3a");
    assert_int_equal(r.got.count[0], 883);
    lines_free(&l);

    /* 2,900/s: quiet both ways. */
    flood(&l, "eni-3b", t, 2900, 60);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);
    flood(&l, "eni-3b", t, 2900, 600);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    /* The UDP tester's 400,000 datagrams spread over 100 s: one record or two, the same. */
    rec(&l, "eni-3c", "10.0.3.6", "44.18.18.18", 40000, 9999, 17, 240000, 240000ULL * 284, t,
        t + 59, "ACCEPT");
    rec(&l, "eni-3c", "10.0.3.6", "44.18.18.18", 40000, 9999, 17, 160000, 160000ULL * 284, t + 60,
        t + 99, "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_UDP, "eni-3c");
    lines_free(&l);
    rec(&l, "eni-3c", "10.0.3.6", "44.18.18.18", 40000, 9999, 17, 400000, 400000ULL * 284, t,
        t + 99, "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 1);
    assert_all(&r.got, T_UDP, "eni-3c");
    lines_free(&l);
}

static void test_out_of_order(void **state)
{
    const int64_t t = T0 + 14 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* The 10-minute flood's records in any order: the same single detection. */
    flood(&l, "eni-4a", t, 3400, 600);
    lines_shuffle(&l, 0, l.n, 1);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2); /* and the rest of the 1000 records at the end of input */
    assert_all(&r.got, T_TCP, "eni-4a");
    assert_int_equal(r.got.count[0], 883);
    assert_int_equal(r.got.count[1], 117);
    lines_free(&l);

    /* 1-minute records shuffled within their 10-minute delivery: every minute still fires. */
    flood(&l, "eni-4a", t, 3400, 60);
    lines_shuffle(&l, 0, l.n, 2);
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 10); /* each minute crosses once, whatever the order */
    assert_all(&r.got, T_TCP, "eni-4a");
    lines_free(&l);

    /* A scan whose probes arrive shuffled across two epochs: fires, and once per epoch at most. */
    scan(&l, "eni-4b", "10.0.4.5", "10.0.5.9", 1, 100, t);
    scan(&l, "eni-4b", "10.0.4.5", "10.0.5.9", 101, 200, t + 600);
    lines_shuffle(&l, 0, l.n, 3);
    run_lines(&r, NULL, &l);
    assert_true(r.got.n >= 1 && r.got.n <= 2);
    assert_all(&r.got, T_PORTSCAN, "eni-4b");
    lines_free(&l);

    /* A record older than every window (an hour late) changes nothing and breaks nothing. */
    rec(&l, "eni-4c", "10.0.4.6", "44.19.19.19", 40000, 9999, 17, 10, 2840, t + 3600, t + 3600,
        "ACCEPT");
    rec(&l, "eni-4c", "10.0.4.6", "44.19.19.19", 40000, 9999, 17, 400000, 400000ULL * 284, t, t + 3,
        "ACCEPT");
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);
}

/* ---- Behavior:EC2/TrafficVolumeUnusual --------------------------------------------------- */

/* A resource's usual traffic: per_hour bytes to one host from start for hours, every 10 min. */
static void usual(struct lines *l, const char *eni, const char *src, const char *dst,
                  uint64_t per_hour, int64_t start, int hours)
{
    for (int i = 0; i < hours * 6; i++) {
        int64_t at = start + i * 600;
        rec(l, eni, src, dst, 45000 + i % 1000, 443, 6, per_hour / 6 / 1400, per_hour / 6, at,
            at + 599, "ACCEPT");
    }
}

/* bytes to dst within the hour starting at t, as n equal records spread over the hour. */
static void burst(struct lines *l, const char *eni, const char *src, const char *dst,
                  uint64_t bytes, int64_t t, int n)
{
    int agg = 3600 / n;

    for (int i = 0; i < n; i++) {
        rec(l, eni, src, dst, 46000 + i, 443, 6, bytes / n / 1400, bytes / n, t + i * agg,
            t + i * agg + agg - 1, "ACCEPT");
    }
}

static void test_volume(void **state)
{
    const int64_t h31 = T0 + 31 * 3600;
    struct lines l = {0};
    struct run r;

    (void)state;
    /* 300 MiB an hour to one host for 31 hours, then 6 GiB in an hour to another. */
    usual(&l, "eni-5a", "10.0.5.5", "44.20.20.20", 300 * MIB, T0, 31);
    burst(&l, "eni-5a", "10.0.5.5", "44.21.21.21", 6 * GIB, h31, 6);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_VOLUME, "eni-5a");
    /* 3 GiB >= 10 x 300 MiB: the third record of the hour, which covers three. */
    assert_int_equal(r.got.count[0], 3);
    assert_int_equal(r.got.line[0], 31 * 6 + 3);
    assert_int_equal(r.got.first_ms[0], h31 * 1000);
    /* the hour's 3 GiB so far against the usual 300 MiB hour */
    assert_string_equal(r.got.info[0], "{\"outBytes\":3221225472,\"usualHourBytes\":314572800,"
                                       "\"windowSeconds\":3600}");
    /*
     * The hour's three records after the detection (its tail), reported from the last of
     * them when the pair expires (the end of input): the finding counts all 6 and ends at the
     * last. Before 2026-12-05 they were never reported: count 3, last seen h31 + 20 min.
     */
    assert_true(r.got.tail[1]);
    assert_int_equal(r.got.count[1], 3);
    assert_int_equal(r.got.line[1], 31 * 6 + 6);
    assert_int_equal(r.got.time_ms[1], (h31 + 3000) * 1000);
    lines_free(&l);

    /* The same hour as 1-minute records: the same decision. */
    usual(&l, "eni-5a", "10.0.5.5", "44.20.20.20", 300 * MIB, T0, 31);
    burst(&l, "eni-5a", "10.0.5.5", "44.21.21.21", 6 * GIB, h31, 60);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 2);
    assert_all(&r.got, T_VOLUME, "eni-5a");
    assert_int_equal(r.got.count[0], 30);        /* 30 x 102.4 MiB >= 3000 MiB */
    assert_int_equal(sum_counts(&r.got, 0), 60); /* and the 30 after it */
    lines_free(&l);

    /*
     * The transfer goes on into the next hour, at 6 GiB again: the first hour's tail is
     * reported when the pair moves on (its first record of the next hour). The hour that
     * fired waits out of the baseline while the run goes on, so the second hour is judged
     * against the usual 300 MiB too and fires on its own third record; its tail is reported
     * as the pair expires: the finding counts all 12 and ends at the last. Before 2026-12-08
     * the first hour joined the baseline at once, and the second (10 x 6 GiB needed) was
     * quiet: count 6, last seen in the first hour. A day later the same run is usual.
     */
    for (int days = 1; days <= 2; days++) {
        usual(&l, "eni-5a", "10.0.5.5", "44.20.20.20", 300 * MIB, T0, 31);
        for (int d = 0; d < days; d++) {
            burst(&l, "eni-5a", "10.0.5.5", "44.21.21.21", 6 * GIB, h31 + d * 86400, 6);
            burst(&l, "eni-5a", "10.0.5.5", "44.21.21.21", 6 * GIB, h31 + d * 86400 + 3600, 6);
        }
        run_lines(&r, NULL, &l);
        for (size_t i = 0; i < r.got.n; i++) {
            print_message("days %d: count %u line %u tail %d\n", days, (unsigned)r.got.count[i],
                          (unsigned)r.got.line[i], (int)r.got.tail[i]);
        }
        assert_int_equal(r.got.n, 4);
        assert_int_equal(fires(&r.got), 2);
        assert_all(&r.got, T_VOLUME, "eni-5a");
        assert_true(r.got.tail[1]);
        assert_int_equal(r.got.count[1], 3);
        assert_int_equal(r.got.line[1], 31 * 6 + 6);
        assert_int_equal(r.got.time_ms[1], (h31 + 3000) * 1000);
        assert_false(r.got.tail[2]);
        assert_int_equal(r.got.count[2], 3);
        assert_int_equal(r.got.line[2], 31 * 6 + 9);
        assert_true(r.got.tail[3]);
        assert_int_equal(r.got.line[3], 31 * 6 + 12);
        assert_int_equal(r.got.time_ms[3], (h31 + 3600 + 3000) * 1000);
        assert_int_equal(sum_counts(&r.got, 0), 12);
        lines_free(&l);
    }

    /* Near miss: the same burst in the third hour, while still learning. */
    usual(&l, "eni-5b", "10.0.5.6", "44.20.20.20", 300 * MIB, T0, 2);
    burst(&l, "eni-5b", "10.0.5.6", "44.21.21.21", 6 * GIB, T0 + 2 * 3600, 6);
    /* Near miss: steady 2 GiB an hour, then 3 GiB to another host: below 10 times. */
    usual(&l, "eni-5c", "10.0.5.7", "44.22.22.22", 2 * GIB, T0, 31);
    burst(&l, "eni-5c", "10.0.5.7", "44.23.23.23", 3 * GIB, h31, 6);
    /* Near miss: 900 MiB after a quiet history: under the 1 GiB floor. */
    usual(&l, "eni-5d", "10.0.5.8", "44.20.20.20", 10 * MIB, T0, 31);
    burst(&l, "eni-5d", "10.0.5.8", "44.24.24.24", 900 * MIB, h31, 6);
    run_lines(&r, NULL, &l);
    assert_int_equal(r.got.n, 0);
    lines_free(&l);

    /*
     * An instance that talked only inside the VPC for 31 hours (a database client, 300 MiB an
     * hour), then sends 6 GiB to a public host: its history has no public traffic at all, and
     * learning started with its first record. Before 2026-12-05 learning started with its
     * first public request, the transfer itself: no finding for a day. Near miss: the same
     * after 2 hours of internal traffic, still learning.
     */
    usual(&l, "eni-5g", "10.0.5.11", "10.0.9.9", 300 * MIB, T0, 31);
    burst(&l, "eni-5g", "10.0.5.11", "44.25.25.25", 6 * GIB, h31, 6);
    usual(&l, "eni-5h", "10.0.5.12", "10.0.9.9", 300 * MIB, T0 + 29 * 3600, 2);
    burst(&l, "eni-5h", "10.0.5.12", "44.25.25.25", 6 * GIB, h31, 6);
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_VOLUME, "eni-5g");
    assert_int_equal(r.got.count[0], 1); /* its first 1 GiB record reaches the floor */
    assert_int_equal(sum_counts(&r.got, 0), 6);
    lines_free(&l);

    /* Near miss: a large upload to S3 (pkt-dst-aws-service); the same to an EC2 host fires. */
    l.header = XHDR;
    for (int i = 0; i < 31 * 6; i++) {
        xrec(&l, "eni-5e", "i-0aaaaaaaaaaaaaaa1", "10.0.5.9", "44.20.20.20", 45000 + i, 443,
             50 * MIB / 1400, 50 * MIB, T0 + i * 600, T0 + i * 600 + 599, "-");
    }
    for (int i = 0; i < 6; i++) {
        xrec(&l, "eni-5e", "i-0aaaaaaaaaaaaaaa1", "10.0.5.9", "52.216.20.20", 47000 + i, 443,
             GIB / 1400, GIB, h31 + i * 600, h31 + i * 600 + 599, "S3");
        xrec(&l, "eni-5e", "i-0aaaaaaaaaaaaaaa1", "10.0.5.9", "3.80.20.20", 48000 + i, 443,
             GIB / 1400, GIB, h31 + i * 600, h31 + i * 600 + 599, "EC2");
    }
    run_lines(&r, NULL, &l);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_VOLUME, "i-0aaaaaaaaaaaaaaa1");
    assert_int_equal(r.got.count[0], 3);
    assert_int_equal(sum_counts(&r.got, 0), 6); /* the EC2 host's six; S3's none */
    lines_free(&l);
}

/* ---- memory ------------------------------------------------------------------------------ */

static void test_eviction(void **state)
{
    struct cm_flow_pair_tuning t;
    struct lines l = {0};
    struct run r;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.max_pairs = 4;
    t.max_instances = 2;
    for (int i = 0; i < 10; i++) {
        char dst[32], eni[32];
        snprintf(dst, sizeof(dst), "44.30.0.%d", i + 1);
        snprintf(eni, sizeof(eni), "eni-6%d", i % 3);
        rec(&l, eni, "10.0.6.5", dst, 40000 + i, 443, 6, 10, 5000, T0 + i, T0 + i, "ACCEPT");
    }
    run_lines(&r, &t, &l);
    assert_int_equal(r.got.n, 0);
    /*
     * 10 pairs through 4 slots: at least the 6 extra evicted and counted, the tables capped
     * (and the engine's learner: one entry for each of the 3 interfaces, when it first saw
     * them).
     */
    assert_true(r.stats.inserts >= 10 + 3);
    assert_true(r.stats.evicted >= 6);
    assert_true(r.stats.entries <= 4 + 2 + 3);
    assert_true(r.stats.peak_entries <= 4 + 2 + 3);
    assert_true(r.stats.peak_bytes > 0);
    lines_free(&l);

    /*
     * A scan survives the churn of other pairs through 2 slots: eviction takes
     * the least recently touched, and the scan is touched with every probe.
     */
    t.max_pairs = 2;
    for (int p = 1; p <= 60; p++) {
        char dst[32];
        snprintf(dst, sizeof(dst), "44.31.%d.%d", p / 200, p % 200 + 1);
        rec(&l, "eni-6a", "10.0.6.6", "10.0.7.7", 40000 + p, p, 6, 1, 44, T0 + p, T0 + p, "REJECT");
        rec(&l, "eni-6a", "10.0.6.6", dst, 50000 + p, 443, 6, 20, 4000, T0 + p, T0 + p, "ACCEPT");
    }
    run_lines(&r, &t, &l);
    assert_int_equal(r.got.n, 2); /* the detection, then the rest of the 60 at the end */
    assert_int_equal(sum_counts(&r.got, 0), 60);
    assert_all(&r.got, T_PORTSCAN, "eni-6a");
    assert_true(r.stats.evicted >= 58);
    lines_free(&l);
}

/*
 * TrafficVolumeUnusual survives a flood of new pairs: between two records of
 * a 6 GiB transfer the instance opens short connections to more distinct
 * hosts than the pair table holds. Before, the transfer's pair was evicted
 * with 2 GiB counted, which folded into the baseline (the rest of the hour
 * then needed 20 GiB): no finding. A pair past 100 MiB in an hour now lives
 * in a table the flood cannot touch.
 */
static void test_volume_flood(void **state)
{
    const int64_t h31 = T0 + 31 * 3600;
    struct cm_flow_pair_tuning t;
    struct lines l = {0};
    struct run r;

    (void)state;
    memset(&t, 0, sizeof(t));
    t.max_pairs = 16;
    usual(&l, "eni-5f", "10.0.5.10", "44.20.20.20", 300 * MIB, T0, 31);
    for (int i = 0; i < 6; i++) {
        int64_t at = h31 + i * 600;
        rec(&l, "eni-5f", "10.0.5.10", "44.21.21.21", 46000 + i, 443, 6, GIB / 1400, GIB, at,
            at + 599, "ACCEPT");
        for (int k = 0; i == 1 && k < 40; k++) {
            char dst[32];
            snprintf(dst, sizeof(dst), "45.1.%d.%d", k / 200, k % 200 + 1);
            rec(&l, "eni-5f", "10.0.5.10", dst, 33000 + k, 443, 6, 12, 6000, at + 1 + k, at + 5 + k,
                "ACCEPT");
        }
    }
    run_lines(&r, &t, &l);
    assert_true(r.stats.evicted >= 40 - 16);
    assert_int_equal(fires(&r.got), 1);
    assert_all(&r.got, T_VOLUME, "eni-5f");
    assert_int_equal(r.got.count[0], 3);
    assert_int_equal(r.got.first_ms[0], h31 * 1000);
    assert_int_equal(sum_counts(&r.got, 0), 6);
    lines_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portscan),
        cmocka_unit_test(test_portscan_near_misses),
        cmocka_unit_test(test_portscan_traceroute),
        cmocka_unit_test(test_portscan_udp_answered),
        cmocka_unit_test(test_portscan_ipv6_default_format),
        cmocka_unit_test(test_portscan_health_checks),
        cmocka_unit_test(test_portscan_checker_at_log_start),
        cmocka_unit_test(test_portscan_checker_mid_log),
        cmocka_unit_test(test_portscan_checker_target_failing),
        cmocka_unit_test(test_portscan_ecs_health_checks),
        cmocka_unit_test(test_portscan_ecs_health_checks_default_format),
        cmocka_unit_test(test_portscan_eks_pod_of_shared_service),
        cmocka_unit_test(test_dos),
        cmocka_unit_test(test_dos_near_misses),
        cmocka_unit_test(test_dos_fixed_tuple_and_mirai),
        cmocka_unit_test(test_dos_forwarded),
        cmocka_unit_test(test_dos_nat_leg),
        cmocka_unit_test(test_dos_answered_streams),
        cmocka_unit_test(test_dos_tcp_flood_answered),
        cmocka_unit_test(test_dos_tcp_pool),
        cmocka_unit_test(test_dos_tcp_held),
        cmocka_unit_test(test_dos_unusual_tunnel),
        cmocka_unit_test(test_dos_transport_ports),
        cmocka_unit_test(test_aggregation),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_volume),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_volume_flood),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
