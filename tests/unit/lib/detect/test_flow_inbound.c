/*
 * The inbound flow detector (lib/detect/flow_inbound.c) end to end at the
 * library level: flow-log records in the real format (a custom layout: the
 * default fields, then instance-id and region) go through the real parser
 * into an engine holding only this detector, and every detection is also
 * folded by the real aggregator into findings, so the tests check what
 * GuardDuty shows: type, resourceRole, connectionDirection, severity, count
 * and portProbeDetails. Covered: each type in each role; the near misses of
 * issue #6 (a few failed logins, a health checker, an admin session,
 * bastions, rejected brute force and probes, S3 uploads, QUIC, DNS to the
 * VPC resolver, replies); 1- and 10-minute aggregation giving the same
 * answer, in order and reversed; the rate limit of long episodes; the EMR
 * hook; the per-remote port budget; eviction counted. The CIC-IDS2017
 * conversion under ../shared/data is used when present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/flow.h"
#include "finding/aggregate.h"
#include "finding/finding.h"
#include "intel/snapshot.h"
#include "parse/parse.h"

#define MAXD 256

#define SSH   "UnauthorizedAccess:EC2/SSHBruteForce"
#define RDP   "UnauthorizedAccess:EC2/RDPBruteForce"
#define WINRM "Impact:EC2/WinRMBruteForce"
#define PROBE "Recon:EC2/PortProbeUnprotectedPort"
#define EMR   "Recon:EC2/PortProbeEMRUnprotectedPort"

#define T0 1767607200LL /* 2026-01-05T10:00:00Z, on a 2-minute boundary */

#define HDR                                                                                        \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status instance-id region\n"

/* ---- what came out ---- */

struct det {
    char type[64];
    char resource[32];
    char list[32], threat[32];
    enum cm_detection_dir dir;
    double severity;
    uint32_t count;
    int64_t first_ms, time_ms;
    int32_t dstport;
};

struct run {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct cm_agg *agg;
    struct det d[MAXD];
    size_t n;
    struct cm_state_stats stats;
    bool allow_rejects;
};

static void copy(char *dst, size_t cap, struct cm_str s)
{
    size_t n = s.p && s.len < cap - 1 ? s.len : (s.p ? cap - 1 : 0);

    if (n) {
        memcpy(dst, s.p, n);
    }
    dst[n] = '\0';
}

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct run *r = sink->ud;
    struct cm_finding_ctx ctx = {.detector_id = "det"};
    struct det *o;

    assert_true(r->n < MAXD);
    o = &r->d[r->n++];
    memset(o, 0, sizeof(*o));
    snprintf(o->type, sizeof(o->type), "%s", d->type);
    copy(o->resource, sizeof(o->resource), d->resource_id);
    if (d->nintel > 0) {
        copy(o->list, sizeof(o->list), d->intel[0].list_name);
        copy(o->threat, sizeof(o->threat), d->intel[0].threat_name);
    }
    o->dir = d->direction;
    o->severity = d->severity;
    o->count = d->count;
    o->first_ms = d->first_ms;
    o->time_ms = d->time_ms;
    /* The detection's event is a request record: its destination is the service. */
    assert_non_null(d->event);
    assert_int_equal(d->event->kind, CM_EV_FLOW);
    o->dstport = d->event->u.flow.dstport;
    assert_true(d->count >= 1);
    assert_true(d->first_ms <= d->time_ms);
    if (cm_str_present(d->region)) { /* default-format records have none: no finding */
        assert_int_equal(cm_agg_add(r->agg, &ctx, d, NULL, NULL), 0);
    }
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
    struct run *r = ud;

    (void)kind;
    (void)off;
    if (!r->allow_rejects) {
        fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
    }
}

/* The tuning of the next engine; the test detector's init() reads it. */
static const struct cm_flow_inbound_tuning *tuning;

static int tuned_init(void **state, const struct cm_detect_opts *opts)
{
    return cm_flow_inbound_init(state, opts, tuning);
}

/* Runs text through an engine holding the detector (tuned by t when not NULL). */
static void run_text(struct run *r, const char *text, const struct cm_intel_snapshot *snap,
                     const struct cm_flow_inbound_tuning *t, int64_t lateness_ms)
{
    struct cm_detect_config cfg = {.intel = snap};
    struct cm_detector tuned = cm_detector_flow_inbound;
    const struct cm_detector *table[] = {t ? &tuned : &cm_detector_flow_inbound, NULL};
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;
    const struct cm_parser *ps = cm_parser_by_name("vpcflow");
    bool allow = r->allow_rejects;

    if (r->agg) {
        cm_agg_destroy(r->agg);
    }
    memset(r, 0, sizeof(*r));
    r->allow_rejects = allow;
    memset(&o, 0, sizeof(o));
    o.config = &cfg;
    o.seed = 7;
    o.lateness_ms = lateness_ms;
    tuned.init = tuned_init;
    tuning = t;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_non_null(ps);
    assert_int_equal(cm_agg_create(&r->agg, 0, 1), 0);
    assert_int_equal(cm_engine_create(&r->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(ps->parse(&ctx, text, strlen(text)), 0);
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_state_stats(r->engine, &r->stats);
    cm_engine_destroy(r->engine);
    r->engine = NULL;
    cm_json_doc_finish(&doc);
}

static void done(struct run *r)
{
    cm_agg_destroy(r->agg);
    r->agg = NULL;
}

static size_t count_type(const struct run *r, const char *type)
{
    size_t n = 0;

    for (size_t i = 0; i < r->n; i++) {
        n += strcmp(r->d[i].type, type) == 0;
    }
    return n;
}

static const struct det *first_of(const struct run *r, const char *type)
{
    for (size_t i = 0; i < r->n; i++) {
        if (strcmp(r->d[i].type, type) == 0) {
            return &r->d[i];
        }
    }
    fail_msg("no %s detection", type);
    return NULL;
}

/* The aggregated finding of type on resource (instance id). */
static const struct cm_finding *finding(const struct run *r, const char *type, const char *res)
{
    for (size_t i = 0; i < cm_agg_stats(r->agg)->findings; i++) {
        const struct cm_finding *f = cm_agg_at(r->agg, i);
        if (cm_str_eqc(f->type, type) && cm_str_eqc(f->instance.instance_id, res)) {
            return f;
        }
    }
    fail_msg("no %s finding on %s", type, res);
    return NULL;
}

/* ---- records ---- */

#define MAXREC 4096

struct rec {
    char src[40], dst[40], eni[24], inst[24], action[8];
    int sp, dp, proto;
    uint64_t packets;
    int64_t start, end;
    size_t seq;
};

static struct rec recs[MAXREC];
static size_t nrecs;
static char text[1 << 20];

static void rec_add(const char *eni, const char *inst, const char *src, const char *dst, int sp,
                    int dp, int proto, uint64_t packets, int64_t start, int64_t end,
                    const char *action)
{
    struct rec *x;

    assert_true(nrecs < MAXREC);
    x = &recs[nrecs];
    snprintf(x->eni, sizeof(x->eni), "%s", eni);
    snprintf(x->inst, sizeof(x->inst), "%s", inst);
    snprintf(x->src, sizeof(x->src), "%s", src);
    snprintf(x->dst, sizeof(x->dst), "%s", dst);
    snprintf(x->action, sizeof(x->action), "%s", action);
    x->sp = sp, x->dp = dp, x->proto = proto, x->packets = packets;
    x->start = start, x->end = end;
    x->seq = nrecs++;
}

/*
 * One connection as the flow log records it with an aggregation interval of
 * agg seconds: a record per interval the connection is active in, each
 * with its share of the packets; with reply, the responder's records too.
 */
static void conn(const char *eni, const char *inst, const char *client, const char *server,
                 int cport, int sport, int proto, uint64_t packets, int64_t start, int64_t dur,
                 const char *action, bool reply, int64_t agg)
{
    int64_t end = start + dur, w0 = start - start % agg, nw = (end - w0) / agg + 1;

    for (int64_t w = w0; w <= end; w += agg) {
        int64_t s = w > start ? w : start, e = w + agg - 1 < end ? w + agg - 1 : end;
        uint64_t p = packets / (uint64_t)nw ? packets / (uint64_t)nw : 1;
        rec_add(eni, inst, client, server, cport, sport, proto, p, s, e, action);
        if (reply) {
            rec_add(eni, inst, server, client, sport, cport, proto, p, s, e, action);
        }
    }
}

static int by_start(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;

    if (x->start != y->start) {
        return x->start < y->start ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Renders the records, sorted by start time (reversed when reverse), and clears them. */
static const char *render(bool reverse)
{
    size_t n = 0;

    qsort(recs, nrecs, sizeof(recs[0]), by_start);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "%s", HDR);
    for (size_t k = 0; k < nrecs; k++) {
        const struct rec *x = &recs[reverse ? nrecs - 1 - k : k];
        n += (size_t)snprintf(
            text + n, sizeof(text) - n,
            "4 111122223333 %s %s %s %d %d %d %llu %llu %lld %lld %s OK %s us-east-1\n", x->eni,
            x->src, x->dst, x->sp, x->dp, x->proto, (unsigned long long)x->packets,
            (unsigned long long)x->packets * 60, (long long)x->start, (long long)x->end, x->action,
            x->inst);
        assert_true(n < sizeof(text));
    }
    nrecs = 0;
    return text;
}

/* n connections from client to server:port, one every step seconds from start. */
static void attempts(const char *eni, const char *inst, const char *client, const char *server,
                     int port, int n, int64_t start, int64_t step, int64_t dur, uint64_t packets,
                     const char *action, int64_t agg)
{
    for (int i = 0; i < n; i++) {
        conn(eni, inst, client, server, 40000 + i, port, 6, packets, start + i * step, dur, action,
             false, agg);
    }
}

/* ---- the intel snapshot ---- */

static void add(struct cm_intel_builder *b, uint32_t list, enum cm_intel_category c,
                const char *threat, const char *entry)
{
    struct cm_indicator ind = {list, c, cm_str_cstr(threat), CM_STR_LIT("test")};

    assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(entry), &ind), 0);
}

static uint32_t list(struct cm_intel_builder *b, const char *name, enum cm_intel_kind k)
{
    struct cm_intel_list l = {cm_str_cstr(name), k, CM_STR_LIT("TXT"), CM_STR_LIT("test")};
    uint32_t id;

    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    return id;
}

/*
 * Scanners 80.82.77.0/24 and 2a0b:f4c2::/32 ("ProofPoint"), a customer list, one
 * trusted scanner address, Tor relays 204.13.164.0/24 and Tor exits 185.220.101.0/24.
 */
static struct cm_intel_snapshot *snapshot(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    uint32_t pp, custom, ours, tor;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    pp = list(b, "ProofPoint", CM_INTEL_KIND_THREAT);
    custom = list(b, "my-list", CM_INTEL_KIND_THREAT);
    ours = list(b, "ours", CM_INTEL_KIND_TRUSTED);
    add(b, pp, CM_CAT_SCANNER, "Scanner", "80.82.77.0/24");
    add(b, pp, CM_CAT_SCANNER, "Scanner", "2a0b:f4c2::/32");
    add(b, custom, CM_CAT_CUSTOM, "Customer Threat Intel", "71.6.135.131");
    add(b, ours, CM_CAT_UNKNOWN, "", "80.82.77.200");
    tor = list(b, "tor", CM_INTEL_KIND_THREAT);
    add(b, tor, CM_CAT_TOR_RELAY, "Tor relay", "204.13.164.0/24");
    add(b, tor, CM_CAT_TOR_EXIT, "Tor exit", "185.220.101.0/24");
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

/* ---- brute force ---- */

#define WEB   "eni-0web", "i-0web"
#define WEBIP "10.0.1.14"

static void test_ssh_target(void **state)
{
    struct run r = {0};
    const struct det *d;
    const struct cm_finding *f;

    (void)state;
    /* 25 guesses from one public address, one every 10 s, 22 packets each. */
    attempts(WEB, "45.146.165.37", WEBIP, 22, 25, T0, 10, 15, 22, "ACCEPT", 60);
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 2);
    d = first_of(&r, SSH);
    assert_string_equal(d->resource, "i-0web");
    assert_int_equal(d->dir, CM_DDIR_INBOUND);
    assert_int_equal(d->count, 20); /* the 20th fires; the 5 after are in the same window */
    assert_int_equal(d->first_ms, T0 * 1000);
    assert_int_equal(d->time_ms, (T0 + 190) * 1000);
    assert_int_equal(d->dstport, 22);
    assert_true(d->severity == 0.0); /* the role decides */
    /*
     * ... and are reported when the entry expires (here the end of input), from the last of
     * them. Before 2026-12-05 they were never counted: count 20, last seen the 20th guess.
     */
    d = &r.d[1];
    assert_string_equal(d->type, SSH);
    assert_string_equal(d->resource, "i-0web");
    assert_int_equal(d->dir, CM_DDIR_INBOUND);
    assert_int_equal(d->count, 5);
    assert_int_equal(d->first_ms, (T0 + 200) * 1000);
    assert_int_equal(d->time_ms, (T0 + 240) * 1000);
    assert_int_equal(d->dstport, 22);
    f = finding(&r, SSH, "i-0web");
    assert_int_equal(cm_agg_stats(r.agg)->findings, 1);
    assert_int_equal(f->count, 25);
    assert_int_equal(f->first_seen_ms, T0 * 1000);
    assert_int_equal(f->last_seen_ms, (T0 + 240) * 1000);
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_int_equal(f->net.direction, CM_DIR_INBOUND);
    assert_true(f->severity == 2.0);
    assert_int_equal(f->net.local_port.port, 22);
    assert_true(cm_str_eqc(f->net.local_ip.ipv4, WEBIP));
    assert_true(cm_str_eqc(f->net.remote_ip.ipv4, "45.146.165.37"));
    assert_int_equal(f->net.blocked, 0);
    done(&r);
}

/*
 * IPv6 in a format without flow-direction: both addresses are public, so a
 * record alone does not say which one is the instance's; the /64 in every
 * record of its interface does (cm_flow_local_note). Before 2026-12-04 the
 * source was taken for the instance: a brute force against it was reported as
 * the instance attacking (ACTOR, High, the addresses swapped) and a listed
 * scanner using its open port was no finding at all.
 */
#define V6     "eni-0v6", "i-0v6"
#define V6IP   "2600:1f18:40a1:2b00::14"
#define V6PEER "2a01:4f8:c17:1e2::5"

/* The instance's HTTPS to two servers, with their answers: what teaches its /64. */
static void v6_background(int64_t t)
{
    conn(V6, V6IP, "2600:9000:2001::1", 41000, 443, 6, 40, t, 20, "ACCEPT", true, 60);
    conn(V6, V6IP, "2a00:1450:4001::200e", 41001, 443, 6, 40, t + 30, 20, "ACCEPT", true, 60);
}

static void test_ipv6_default_format(void **state)
{
    struct cm_intel_snapshot *snap = snapshot();
    struct run r = {0};
    const struct cm_finding *f;

    (void)state;
    /* 25 guesses from a public IPv6 address, answered: the instance is the target. */
    v6_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        conn(V6, V6PEER, V6IP, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(count_type(&r, SSH), 2); /* the 20th, and the 5 after at the end */
    assert_int_equal(first_of(&r, SSH)->dir, CM_DDIR_INBOUND);
    f = finding(&r, SSH, "i-0v6");
    assert_int_equal(f->count, 25);
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_true(f->severity == 2.0);
    assert_true(cm_str_eqc(f->net.local_ip.ipv6, V6IP));
    assert_true(cm_str_eqc(f->net.remote_ip.ipv6, V6PEER));
    done(&r);

    /* The instance guessing on that host is the actor. */
    v6_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        conn(V6, V6IP, V6PEER, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    f = finding(&r, SSH, "i-0v6");
    assert_int_equal(f->role, CM_ROLE_ACTOR);
    assert_true(f->severity == 8.0);
    done(&r);

    /*
     * Guesses from a new address of one /64 each (a tool binding a fresh source per
     * connection): one remote. Before 2026-12-06 each address had one attempt: no finding.
     */
    v6_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        char src[64];

        snprintf(src, sizeof(src), "2a01:4f8:c17:1e2:%x:%x::5", 0x1000 + i * 7, i);
        conn(V6, src, V6IP, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(count_type(&r, SSH), 2);
    f = finding(&r, SSH, "i-0v6");
    assert_int_equal(f->count, 25);
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_true(cm_str_eqc(f->net.remote_ip.ipv6, "2a01:4f8:c17:1e2:10a8:18:0:5")); /* the last */
    done(&r);
    /* Near miss: 25 hosts of 25 /64s (a distributed attack) with a guess each: not this type. */
    v6_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        char src[64];

        snprintf(src, sizeof(src), "2a01:4f8:c17:%x::5", 0x100 + i);
        conn(V6, src, V6IP, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(count_type(&r, SSH), 0);
    done(&r);
    /* Near miss: the instance opening 25 connections to 25 hosts of one /64: each host is
     * another target, so no host had 20 guesses (the instance is not grouped by /64). */
    v6_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        char dst[64];

        snprintf(dst, sizeof(dst), "2a01:4f8:c17:1e2::%x", 0x10 + i);
        conn(V6, V6IP, dst, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(count_type(&r, SSH), 0);
    done(&r);

    /* A listed scanner's accepted connection to the instance's MySQL port. */
    v6_background(T0 - 300);
    conn(V6, "2a0b:f4c2:2::1", V6IP, 51000, 3306, 6, 4, T0, 1, "ACCEPT", true, 60);
    run_text(&r, render(false), snap, NULL, 0);
    assert_int_equal(count_type(&r, PROBE), 1);
    assert_int_equal(first_of(&r, PROBE)->dstport, 3306);
    assert_int_equal(finding(&r, PROBE, "i-0v6")->probe.nprobes, 1);
    done(&r);

    /* Near miss: the instance's own connection to the scanner's 3306 is no probe of it. */
    v6_background(T0 - 300);
    conn(V6, V6IP, "2a0b:f4c2:2::1", 51000, 3306, 6, 4, T0, 1, "ACCEPT", true, 60);
    run_text(&r, render(false), snap, NULL, 0);
    assert_int_equal(r.n, 0);
    done(&r);
    cm_intel_snapshot_unref(snap);
}

/*
 * East-west IPv4 in a format without flow-direction: both addresses are private, so a record
 * alone does not say which is the instance's; the address on every record of its interface
 * does (cm_flow_local_note). Before 2026-12-04 the source was taken for the instance: a
 * neighbour's SSH guesses at it were the instance's brute force of the neighbour (ACTOR, High).
 */
#define EW   "eni-0ew", "i-0ew"
#define EWIP "10.0.4.50"

/* A balancer's three nodes health-check two tasks of the instance: what teaches its address. */
static void ew_background(int64_t t)
{
    static const char *const nodes[] = {"10.0.1.10", "10.0.2.10", "10.0.3.10"};

    for (int n = 0; n < 3; n++) {
        for (int i = 0; i < 2; i++) {
            conn(EW, nodes[n], EWIP, 50000 + 10 * n + i, 32768 + i, 6, 5, t + n, 1, "ACCEPT", true,
                 60);
        }
    }
}

static void test_east_west_default_format(void **state)
{
    struct cm_flow_inbound_tuning inside = {.brute_private_remotes = true};
    struct run r = {0};
    const struct cm_finding *f;

    (void)state;
    /* 25 answered guesses from a neighbour: the instance is the target. */
    ew_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        conn(EW, "10.0.6.30", EWIP, 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, &inside, 0);
    assert_int_equal(r.n, 2); /* the 20th, and the 5 after at the end */
    assert_int_equal(first_of(&r, SSH)->dir, CM_DDIR_INBOUND);
    f = finding(&r, SSH, "i-0ew");
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_true(f->severity == 2.0);
    assert_true(cm_str_eqc(f->net.local_ip.ipv4, EWIP));
    assert_true(cm_str_eqc(f->net.remote_ip.ipv4, "10.0.6.30"));
    done(&r);

    /* The instance guessing on the neighbour is the actor. */
    ew_background(T0 - 300);
    for (int i = 0; i < 25; i++) {
        conn(EW, EWIP, "10.0.6.30", 40000 + i, 22, 6, 22, T0 + i * 10, 15, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), NULL, &inside, 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.d[1].dir, CM_DDIR_OUTBOUND);
    f = finding(&r, SSH, "i-0ew");
    assert_int_equal(f->count, 25);
    assert_int_equal(f->role, CM_ROLE_ACTOR);
    assert_true(f->severity == 8.0);
    assert_true(cm_str_eqc(f->net.local_ip.ipv4, EWIP));
    assert_true(cm_str_eqc(f->net.remote_ip.ipv4, "10.0.6.30"));
    done(&r);
}

static void test_episode_rate_limit(void **state)
{
    struct run r = {0};
    const struct cm_finding *f;

    (void)state;
    /* 150 guesses over 25 minutes: reported at the 20th, then once per 10 minutes. */
    attempts(WEB, "45.146.165.37", WEBIP, 22, 150, T0, 10, 5, 22, "ACCEPT", 60);
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.d[0].count, 20);
    assert_int_equal(r.d[0].time_ms, (T0 + 190) * 1000);
    assert_int_equal(r.d[1].count, 60);
    assert_int_equal(r.d[1].time_ms, (T0 + 790) * 1000);
    assert_int_equal(r.d[1].first_ms, (T0 + 200) * 1000);
    assert_int_equal(r.d[2].count, 60);
    assert_int_equal(r.d[2].time_ms, (T0 + 1390) * 1000);
    /* The last 10 when the entry expires (before 2026-12-05: never; count 140). */
    assert_int_equal(r.d[3].count, 10);
    assert_int_equal(r.d[3].first_ms, (T0 + 1400) * 1000);
    assert_int_equal(r.d[3].time_ms, (T0 + 1490) * 1000);
    /* One finding, counting every connection. */
    assert_int_equal(cm_agg_stats(r.agg)->findings, 1);
    f = finding(&r, SSH, "i-0web");
    assert_int_equal(f->count, 150);
    assert_int_equal(f->first_seen_ms, T0 * 1000);
    assert_int_equal(f->last_seen_ms, (T0 + 1490) * 1000);

    /* After a quiet window a new burst is a new episode and reported at once. */
    attempts(WEB, "45.146.165.37", WEBIP, 22, 25, T0, 5, 3, 22, "ACCEPT", 60);
    attempts(WEB, "45.146.165.37", WEBIP, 22, 25, T0 + 1800, 5, 3, 22, "ACCEPT", 60);
    for (size_t i = 25; i < nrecs; i++) {
        recs[i].sp += 100; /* other source ports */
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 4); /* each burst: its 20th, then its last 5 when a window is quiet */
    assert_int_equal(r.d[1].count, 5);
    assert_int_equal(r.d[1].time_ms, (T0 + 120) * 1000);
    assert_int_equal(r.d[2].count, 20);
    assert_int_equal(r.d[2].first_ms, (T0 + 1800) * 1000);
    assert_int_equal(r.d[3].count, 5);
    done(&r);
}

static void test_ssh_actor(void **state)
{
    struct run r = {0};
    const struct det *d;
    const struct cm_finding *f;

    (void)state;
    /* The instance guesses passwords on a public host; half the tries are blocked. */
    for (int i = 0; i < 30; i++) {
        conn("eni-0bad", "i-0bad", "10.0.3.7", "91.198.174.10", 50000 + i, 22, 6, i % 2 ? 4 : 20,
             T0 + i * 6, 4, i % 2 ? "REJECT" : "ACCEPT", i % 2 == 0, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 2);
    d = first_of(&r, SSH);
    assert_int_equal(d->dir, CM_DDIR_OUTBOUND);
    assert_string_equal(d->resource, "i-0bad");
    assert_int_equal(d->count, 20);
    /* The 10 after, from the last (a rejected one), as the entry expires. */
    d = &r.d[1];
    assert_int_equal(d->dir, CM_DDIR_OUTBOUND);
    assert_int_equal(d->count, 10);
    assert_int_equal(d->time_ms, (T0 + 29 * 6) * 1000);
    f = finding(&r, SSH, "i-0bad");
    assert_int_equal(f->count, 30);
    assert_int_equal(f->last_seen_ms, (T0 + 29 * 6) * 1000);
    assert_int_equal(f->role, CM_ROLE_ACTOR);
    assert_int_equal(f->net.direction, CM_DIR_OUTBOUND);
    assert_true(f->severity == 8.0);
    assert_int_equal(f->net.remote_port.port, 22);
    assert_true(cm_str_eqc(f->net.local_ip.ipv4, "10.0.3.7"));
    assert_true(cm_str_eqc(f->net.remote_ip.ipv4, "91.198.174.10"));
    done(&r);
}

static void test_rdp_winrm(void **state)
{
    struct run r = {0};
    const struct cm_finding *f;

    (void)state;
    /* RDP against a Windows instance; WinRM out of another, on both ports. */
    attempts("eni-0win", "i-0win", "185.156.73.54", "10.0.4.9", 3389, 24, T0, 15, 3, 12, "ACCEPT",
             60);
    attempts("eni-0wrm", "i-0wrm", "10.0.5.5", "13.107.6.152", 5986, 21, T0, 20, 3, 14, "ACCEPT",
             60);
    attempts("eni-0wrm", "i-0wrm", "92.63.197.10", "10.0.5.5", 5985, 22, T0, 20, 3, 14, "ACCEPT",
             60);
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 6); /* each at its 20th, and the rest as its entry expires */
    assert_int_equal(count_type(&r, RDP), 2);
    assert_int_equal(count_type(&r, WINRM), 4);
    f = finding(&r, RDP, "i-0win");
    assert_int_equal(f->count, 24);
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_true(f->severity == 2.0);
    assert_int_equal(f->net.local_port.port, 3389);
    /* The WinRM instance is a target of one remote and an actor against another: two findings. */
    assert_int_equal(cm_agg_stats(r.agg)->findings, 3);
    for (size_t i = 0; i < cm_agg_stats(r.agg)->findings; i++) {
        f = cm_agg_at(r.agg, i);
        if (!cm_str_eqc(f->type, WINRM)) {
            continue;
        }
        if (f->role == CM_ROLE_ACTOR) {
            assert_true(f->severity == 8.0);
            assert_int_equal(f->net.direction, CM_DIR_OUTBOUND);
            assert_int_equal(f->net.remote_port.port, 5986);
        } else {
            assert_int_equal(f->role, CM_ROLE_TARGET);
            assert_true(f->severity == 2.0);
            assert_int_equal(f->net.direction, CM_DIR_INBOUND);
            assert_int_equal(f->net.local_port.port, 5985);
        }
    }
    done(&r);
}

/* ---- near misses ---- */

static void test_near_misses(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r = {0};
    size_t n;

    (void)state;
    /* A handful of failed logins. */
    attempts(WEB, "77.88.55.60", WEBIP, 22, 5, T0, 20, 8, 24, "ACCEPT", 60);
    /* A health checker touching SSH, RDP and HTTPS every minute for 30 minutes. */
    for (int i = 0; i < 30; i++) {
        conn(WEB, "34.201.10.10", WEBIP, 41000 + i, 22, 6, 6, T0 + 60 * i, 1, "ACCEPT", true, 60);
        conn(WEB, "34.201.10.10", WEBIP, 42000 + i, 3389, 6, 6, T0 + 60 * i, 1, "ACCEPT", true, 60);
        conn(WEB, "34.201.10.10", WEBIP, 43000 + i, 443, 6, 8, T0 + 60 * i, 1, "ACCEPT", true, 60);
    }
    /* An admin's SSH session of an hour: one connection, a record a minute, busy or idle. */
    conn(WEB, "88.99.12.34", WEBIP, 51234, 22, 6, 9000, T0, 3600, "ACCEPT", true, 60);
    conn(WEB, "88.99.12.34", WEBIP, 51240, 22, 6, 30, T0 + 900, 40, "ACCEPT", true, 60);
    /* Internet noise: 60 rejected SSH tries, and single rejected probes from a scanner. */
    attempts(WEB, "45.146.165.37", WEBIP, 22, 60, T0, 5, 1, 2, "REJECT", 60);
    for (int p = 1; p <= 200; p++) {
        conn(WEB, "80.82.77.139", WEBIP, 61000, p * 7, 6, 1, T0 + p, 0, "REJECT", false, 60);
    }
    /* A bastion inside the VPC, in and out, 40 connections in 5 minutes each way. */
    attempts(WEB, "10.0.0.5", WEBIP, 22, 40, T0, 7, 30, 40, "ACCEPT", 60);
    attempts("eni-0bas", "i-0bas", "10.0.0.5", "10.0.2.8", 22, 40, T0, 7, 30, 40, "ACCEPT", 60);
    /* A large S3 upload, QUIC both ways, DNS to the VPC resolver and the link-local one. */
    conn(WEB, WEBIP, "52.216.8.10", 44000, 443, 6, 400000, T0, 1200, "ACCEPT", true, 60);
    for (int i = 0; i < 50; i++) {
        conn(WEB, WEBIP, "142.250.74.78", 45000 + i, 443, 17, 300, T0 + i * 10, 9, "ACCEPT", true,
             60);
        conn(WEB, "80.82.77.139", WEBIP, 46000 + i, 443, 17, 30, T0 + i * 10, 9, "ACCEPT", true,
             60);
        conn(WEB, WEBIP, "10.0.0.2", 47000 + i, 53, 17, 2, T0 + i * 10, 0, "ACCEPT", true, 60);
        conn(WEB, WEBIP, "169.254.169.253", 48000 + i, 53, 17, 2, T0 + i * 10, 0, "ACCEPT", true,
             60);
    }
    /* 19 guesses with their replies: the replies are not connections. */
    attempts(WEB, "62.210.1.1", WEBIP, 22, 19, T0, 10, 3, 20, "ACCEPT", 60);
    for (int i = 0; i < 19; i++) {
        conn(WEB, WEBIP, "62.210.1.1", 22, 40000 + i, 6, 20, T0 + 10 * i, 3, "ACCEPT", false, 60);
    }
    /* The instance's own connection to a listed host: the reply is not a probe. */
    conn(WEB, WEBIP, "80.82.77.139", 49000, 8443, 6, 40, T0, 30, "ACCEPT", true, 60);
    /* Listed scanners on 80 and 443, an unlisted address on 8080, a trusted scanner on 22. */
    conn(WEB, "80.82.77.139", WEBIP, 52000, 80, 6, 5, T0, 1, "ACCEPT", true, 60);
    conn(WEB, "80.82.77.139", WEBIP, 52001, 443, 6, 5, T0, 1, "ACCEPT", true, 60);
    conn(WEB, "151.101.1.1", WEBIP, 52002, 8080, 6, 5, T0, 1, "ACCEPT", true, 60);
    conn(WEB, "80.82.77.200", WEBIP, 52003, 22, 6, 5, T0, 1, "ACCEPT", true, 60);
    render(false);
    n = strlen(text);
    /* Records without addresses or ports. */
    snprintf(text + n, sizeof(text) - n,
             "4 111122223333 eni-0web - - - - - - - 1767607200 1767607260 - NODATA - -\n"
             "4 111122223333 eni-0web 80.82.77.139 10.0.1.14 - - 1 4 240 1767607200 1767607260 "
             "ACCEPT OK i-0web us-east-1\n");
    run_text(&r, text, s, NULL, 0);
    for (size_t i = 0; i < r.n; i++) {
        print_message("unexpected: %s on %s (port %d)\n", r.d[i].type, r.d[i].resource,
                      r.d[i].dstport);
    }
    assert_int_equal(r.n, 0);
    done(&r);

    /* The same near misses without intel: still nothing, and no probe state. */
    run_text(&r, text, NULL, NULL, 0);
    assert_int_equal(r.n, 0);
    done(&r);
    cm_intel_snapshot_unref(s);
}

/* ---- aggregation intervals and order ---- */

static void test_aggregation_intervals(void **state)
{
    struct run r = {0};
    int64_t agg[2] = {60, 600};
    uint32_t first_count[2];

    (void)state;
    for (int k = 0; k < 2; k++) {
        /*
         * 30 guesses of 70 s, one every 15 s: with 1-minute records each is two
         * records, with 10-minute ones most are one. Same answer either way.
         */
        attempts(WEB, "45.146.165.37", WEBIP, 22, 30, T0 + 30, 15, 70, 30, "ACCEPT", agg[k]);
        assert_true(agg[k] == 600 || nrecs >= 55);
        run_text(&r, render(false), NULL, NULL, 0);
        assert_int_equal(r.n, 2); /* the 20th, then the other 10 as the entry expires */
        assert_string_equal(r.d[0].type, SSH);
        assert_int_equal(r.d[0].first_ms, (T0 + 30) * 1000);
        first_count[k] = r.d[0].count;
        assert_int_equal(r.d[1].count, 10);
        assert_int_equal(r.d[1].time_ms, (T0 + 30 + 29 * 15) * 1000);
        assert_int_equal(finding(&r, SSH, "i-0web")->count, 30);
        done(&r);

        /* 15 such guesses: 30 records at 1 minute, still 15 connections. */
        attempts(WEB, "45.146.165.37", WEBIP, 22, 15, T0 + 30, 15, 70, 30, "ACCEPT", agg[k]);
        run_text(&r, render(false), NULL, NULL, 0);
        assert_int_equal(r.n, 0);
        done(&r);

        /* Records in reverse order (a late file, lateness allowed): counted the same. */
        attempts(WEB, "45.146.165.37", WEBIP, 22, 30, T0 + 30, 15, 70, 30, "ACCEPT", agg[k]);
        run_text(&r, render(true), NULL, NULL, 15 * 60 * 1000);
        assert_int_equal(r.n, 2);
        assert_int_equal(r.d[0].count, 20);
        assert_int_equal(r.d[1].count, 10);
        assert_int_equal(finding(&r, SSH, "i-0web")->count, 30);
        done(&r);
    }
    assert_int_equal(first_count[0], 20);
    assert_int_equal(first_count[1], 20);
}

/* ---- port probes ---- */

static bool is_emr(void *ud, struct cm_str resource)
{
    (void)ud;
    return cm_str_eqc(resource, "i-0emr");
}

static void test_port_probe(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r = {0};
    const struct cm_finding *f;
    const struct det *d;

    (void)state;
    conn(WEB, "80.82.77.139", WEBIP, 33000, 22, 6, 3, T0, 1, "ACCEPT", true, 60);
    for (int i = 1; i <= 3; i++) { /* the same pair again: counted, not reported */
        conn(WEB, "80.82.77.139", WEBIP, 33000 + i, 22, 6, 3, T0 + 60 * i, 1, "ACCEPT", true, 60);
    }
    conn(WEB, "80.82.77.139", WEBIP, 34000, 9200, 6, 3, T0 + 300, 1, "ACCEPT", true, 60);
    conn(WEB, "71.6.135.131", WEBIP, 35000, 3389, 6, 3, T0 + 310, 1, "ACCEPT", true, 60);
    conn(WEB, "80.82.77.139", WEBIP, 36000, 8088, 6, 3, T0 + 320, 1, "ACCEPT", true, 60);
    conn(WEB, "80.82.77.139", WEBIP, 37000, 161, 17, 1, T0 + 330, 0, "ACCEPT", true, 60);
    conn(WEB, "80.82.77.139", WEBIP, 37001, 23, 6, 1, T0 + 340, 0, "REJECT", false, 60);
    run_text(&r, render(false), s, NULL, 0);
    assert_int_equal(r.n, 5);
    assert_int_equal(count_type(&r, PROBE), 5);
    d = &r.d[0];
    assert_int_equal(d->dstport, 22);
    assert_int_equal(d->dir, CM_DDIR_INBOUND);
    assert_string_equal(d->list, "ProofPoint");
    assert_string_equal(d->threat, "Scanner");
    assert_true(d->severity == 0.0);
    d = &r.d[1];
    assert_int_equal(d->dstport, 9200);
    assert_true(d->severity == 8.0); /* Elasticsearch */
    assert_int_equal(d->count, 4);   /* the three repeats of 22 and this one */
    assert_int_equal(d->first_ms, (T0 + 60) * 1000);
    assert_string_equal(r.d[2].list, "my-list");
    assert_int_equal(r.d[3].dstport, 8088); /* no EMR hook: not EMR */
    assert_int_equal(r.d[4].dstport, 161);
    f = finding(&r, PROBE, "i-0web");
    assert_int_equal(f->action_type, CM_ACT_PORT_PROBE);
    assert_int_equal(f->role, CM_ROLE_TARGET);
    assert_int_equal(f->probe.nprobes, 5);
    assert_int_equal(f->count, 8);
    assert_int_equal(f->probe.blocked, 0);
    assert_true(f->nthreats >= 1);
    done(&r);

    /* With the EMR hook: EMR ports of EMR nodes are PortProbeEMRUnprotectedPort (High). */
    {
        struct cm_flow_inbound_tuning t = {.is_emr = is_emr};
        conn("eni-0emr", "i-0emr", "80.82.77.139", "10.0.6.6", 33000, 8088, 6, 3, T0, 1, "ACCEPT",
             true, 60);
        conn("eni-0emr", "i-0emr", "80.82.77.139", "10.0.6.6", 33001, 18080, 6, 3, T0 + 1, 1,
             "ACCEPT", true, 60);
        conn("eni-0emr", "i-0emr", "80.82.77.139", "10.0.6.6", 33002, 22, 6, 3, T0 + 2, 1, "ACCEPT",
             true, 60);
        conn(WEB, "80.82.77.139", WEBIP, 33003, 8088, 6, 3, T0 + 3, 1, "ACCEPT", true, 60);
        run_text(&r, render(false), s, &t, 0);
        assert_int_equal(r.n, 4);
        assert_int_equal(count_type(&r, EMR), 2);
        assert_int_equal(count_type(&r, PROBE), 2);
        f = finding(&r, EMR, "i-0emr");
        assert_true(f->severity == 8.0);
        assert_int_equal(f->probe.nprobes, 2);
        f = finding(&r, PROBE, "i-0emr");
        assert_true(f->severity == 2.0);
        f = finding(&r, PROBE, "i-0web");
        assert_int_equal(f->probe.probes[0].local_port.port, 8088);
        done(&r);
    }
    cm_intel_snapshot_unref(s);
}

static void test_probe_budget(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r = {0};
    uint32_t total = 0;

    (void)state;
    /*
     * A scanner walks 40 open ports of a wide-open instance, then comes back
     * after the hour, before its entry expires (an hour idle).
     */
    for (int p = 0; p < 40; p++) {
        conn(WEB, "80.82.77.139", WEBIP, 30000 + p, 2000 + p, 6, 2, T0 + p, 0, "ACCEPT", false, 60);
    }
    conn(WEB, "80.82.77.139", WEBIP, 31000, 5000, 6, 2, T0 + 3620, 0, "ACCEPT", false, 60);
    run_text(&r, render(false), s, NULL, 0);
    assert_int_equal(r.n, 17);
    for (size_t i = 0; i < 16; i++) {
        assert_int_equal(r.d[i].count, 1);
    }
    assert_int_equal(r.d[16].count, 25);
    assert_int_equal(r.d[16].first_ms, (T0 + 16) * 1000);
    for (size_t i = 0; i < r.n; i++) {
        total += r.d[i].count;
    }
    assert_int_equal(total, 41);
    assert_int_equal(finding(&r, PROBE, "i-0web")->count, 41);
    done(&r);
    cm_intel_snapshot_unref(s);
}

/*
 * A listed scanner comes back to the same open port every 10 minutes for 10 hours: 60
 * probes. Each hour's first is reported with those before it; the last hour's other five
 * when the entry expires (here the end of input), from the last probe. Before 2026-12-05
 * those were never counted: count 55, last seen 09:00 (MaliciousIPCaller.Custom on the same
 * connections said 60 and 09:50). The same on an EMR node's web UI port.
 */
static void test_probe_tail(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct cm_flow_inbound_tuning t = {.is_emr = is_emr};
    struct run r = {0};
    const struct cm_finding *f;
    const struct det *d;

    (void)state;
    for (int i = 0; i < 60; i++) {
        conn(WEB, "80.82.77.139", WEBIP, 50000 + i, 3306, 6, 3, T0 + 600 * i, 1, "ACCEPT", true,
             60);
        conn("eni-0emr", "i-0emr", "80.82.77.139", "10.0.6.6", 50000 + i, 8088, 6, 3,
             T0 + 600 * i + 5, 1, "ACCEPT", true, 60);
    }
    run_text(&r, render(false), s, &t, 0);
    assert_int_equal(count_type(&r, PROBE), 11);
    assert_int_equal(count_type(&r, EMR), 11);
    d = NULL;
    for (size_t i = 0; i < r.n; i++) {
        if (strcmp(r.d[i].type, PROBE) == 0) {
            d = &r.d[i]; /* the last: the entry's expiry */
        }
    }
    assert_non_null(d);
    assert_int_equal(d->count, 5);
    assert_int_equal(d->first_ms, (T0 + 600 * 55) * 1000);
    assert_int_equal(d->time_ms, (T0 + 600 * 59) * 1000);
    assert_int_equal(d->dstport, 3306);
    assert_string_equal(d->list, "ProofPoint");
    f = finding(&r, PROBE, "i-0web");
    assert_int_equal(f->count, 60);
    assert_int_equal(f->last_seen_ms, (T0 + 600 * 59) * 1000);
    assert_int_equal(f->probe.nprobes, 1);
    f = finding(&r, EMR, "i-0emr");
    assert_int_equal(f->count, 60);
    assert_true(f->severity == 8.0);
    assert_int_equal(f->last_seen_ms, (T0 + 600 * 59 + 5) * 1000);
    done(&r);
    cm_intel_snapshot_unref(s);
}

/*
 * A Tor relay's ORPort is used by Tor nodes: that is the Tor protocol (TorRelay says it), not
 * a probe. Before 2026-12-05 every Tor node connecting to the relay's 9001 was a
 * PortProbeUnprotectedPort too (the gen torrelay-flow scenario: count 7 with three 9001
 * probes beside TorRelay). A port that TOR_PEERS (3) distinct Tor nodes use is the
 * instance's Tor port; a Tor node on another port of it, a scanner on that port, a Tor exit
 * on an ordinary instance's MySQL and SSH and the two Tor nodes of an instance that is no
 * relay (TorRelay's near miss) are still probes.
 */
static void test_tor_relay_port(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct run r = {0};
    const struct cm_finding *f;
    const char *relays[] = {"204.13.164.20", "204.13.164.21", "204.13.164.22", "204.13.164.20",
                            "204.13.164.23"};

    (void)state;
    for (int i = 0; i < 5; i++) {
        conn("eni-0relay", "i-0relay", relays[i], "10.0.9.9", 40000 + i, 9001, 6, 30, T0 + 60 * i,
             30, "ACCEPT", true, 60);
    }
    conn("eni-0relay", "i-0relay", "204.13.164.21", "10.0.9.9", 41000, 22, 6, 3, T0 + 400, 1,
         "ACCEPT", true, 60);
    conn("eni-0relay", "i-0relay", "80.82.77.139", "10.0.9.9", 41001, 9001, 6, 3, T0 + 410, 1,
         "ACCEPT", true, 60);
    conn(WEB, "185.220.101.5", WEBIP, 42000, 3306, 6, 3, T0 + 500, 1, "ACCEPT", true, 60);
    conn(WEB, "185.220.101.5", WEBIP, 42001, 22, 6, 3, T0 + 510, 1, "ACCEPT", true, 60);
    conn("eni-0two", "i-0two", "204.13.164.20", "10.0.9.10", 43000, 9001, 6, 30, T0 + 600, 30,
         "ACCEPT", true, 60);
    conn("eni-0two", "i-0two", "204.13.164.21", "10.0.9.10", 43001, 9001, 6, 30, T0 + 660, 30,
         "ACCEPT", true, 60);
    run_text(&r, render(false), s, NULL, 0);
    for (size_t i = 0; i < r.n; i++) {
        const struct det *d = &r.d[i];
        if (strcmp(d->resource, "i-0relay") == 0 && d->dstport == 9001) {
            assert_string_equal(d->list, "ProofPoint"); /* only the scanner */
        }
    }
    f = finding(&r, PROBE, "i-0relay");
    assert_int_equal(f->count, 2);
    assert_int_equal(f->probe.nprobes, 2);
    f = finding(&r, PROBE, "i-0web");
    assert_int_equal(f->count, 2);
    assert_int_equal(f->probe.nprobes, 2);
    f = finding(&r, PROBE, "i-0two");
    assert_int_equal(f->count, 2);
    assert_int_equal(f->probe.probes[0].local_port.port, 9001);
    assert_int_equal(count_type(&r, PROBE), 5);
    done(&r);
    cm_intel_snapshot_unref(s);
}

/* ---- state bounds ---- */

static void test_eviction(void **state)
{
    struct cm_intel_snapshot *s = snapshot();
    struct cm_flow_inbound_tuning t = {.brute_max_entries = 4, .probe_max_entries = 2};
    struct run r = {0};
    char ip[32];

    (void)state;
    /* Ten remotes try once each: four fit, six are evicted and counted. */
    for (int i = 0; i < 10; i++) {
        snprintf(ip, sizeof(ip), "93.184.%d.1", i + 1);
        conn(WEB, ip, WEBIP, 40000, 22, 6, 20, T0 + i, 2, "ACCEPT", false, 60);
    }
    /* Three listed scanners probe: two fit. */
    for (int i = 0; i < 3; i++) {
        snprintf(ip, sizeof(ip), "80.82.77.%d", 10 + i);
        conn(WEB, ip, WEBIP, 40000, 8443, 6, 2, T0 + 20 + i, 0, "ACCEPT", false, 60);
    }
    /* A brute force still fires in the full table. */
    attempts(WEB, "45.146.165.37", WEBIP, 22, 21, T0 + 30, 5, 2, 20, "ACCEPT", 60);
    run_text(&r, render(false), s, &t, 0);
    assert_int_equal(count_type(&r, SSH), 2); /* the 20th, and the 21st as it expires */
    assert_int_equal(count_type(&r, PROBE), 3);
    assert_int_equal(r.stats.evicted, 7 + 1);
    assert_int_equal(r.stats.entries, 0); /* flushed at the end */
    /* and the engine's learner: one entry for the interface, when it first saw it; and the
     * 21st guess kept */
    assert_true(r.stats.peak_entries <= 4 + 2 + 1 + 1);
    assert_true(r.stats.peak_bytes > 0);
    done(&r);

    /* The default tables: 1000 remotes, nothing evicted, a bounded size per entry. */
    for (int i = 0; i < 1000; i++) {
        snprintf(ip, sizeof(ip), "93.%d.%d.1", 1 + i / 250, i % 250);
        conn(WEB, ip, WEBIP, 40000, 22, 6, 20, T0 + i / 10, 2, "ACCEPT", false, 60);
    }
    run_text(&r, render(false), NULL, NULL, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.stats.evicted, 0);
    assert_int_equal(r.stats.peak_entries, 1000 + 1); /* and the learner's of the interface */
    print_message("brute-force table: %llu bytes for %llu entries\n",
                  (unsigned long long)r.stats.peak_bytes, (unsigned long long)r.stats.peak_entries);
    assert_true(r.stats.peak_bytes / r.stats.peak_entries < 400);
    done(&r);
    cm_intel_snapshot_unref(s);
}

/* ---- the CIC-IDS2017 conversion, when ../shared/data is there ---- */

#define CIC_LOG "../shared/data/derived-vpcflow/cicids2017_sample_vpcflow_v2.log.gz"
#define CIC_LAB "../shared/data/derived-vpcflow/cicids2017_sample_vpcflow_v2.labels.tsv.gz"

/* Reads the records of label class want (SSH-Patator / BENIGN) into a text, header first. */
static char *cic_class(gzFile log, gzFile lab, const char *want)
{
    size_t cap = 1 << 22, n = 0;
    char *out = malloc(cap), line[512], lrow[512];

    assert_non_null(out);
    gzrewind(log);
    gzrewind(lab);
    assert_non_null(gzgets(log, line, sizeof(line)));
    assert_non_null(gzgets(lab, lrow, sizeof(lrow)));
    n = (size_t)snprintf(out, cap, "%s", line);
    while (gzgets(log, line, sizeof(line)) && gzgets(lab, lrow, sizeof(lrow))) {
        const char *tab = strchr(lrow, '\t');
        size_t len = strlen(want), ll = strlen(line);
        if (tab && strncmp(tab + 1, want, len) == 0 && tab[1 + len] == '\t' && n + ll < cap) {
            memcpy(out + n, line, ll + 1);
            n += ll;
        }
    }
    return out;
}

static void test_cicids2017(void **state)
{
    struct cm_flow_inbound_tuning inside = {.brute_private_remotes = true};
    gzFile log = gzopen(CIC_LOG, "rb"), lab = gzopen(CIC_LAB, "rb");
    struct run r = {.allow_rejects = true};
    char *cic_text[2];

    (void)state;
    if (log == NULL || lab == NULL) {
        if (log) {
            gzclose(log);
        }
        if (lab) {
            gzclose(lab);
        }
        skip();
    }
    cic_text[0] = cic_class(log, lab, "SSH-Patator");
    cic_text[1] = cic_class(log, lab, "BENIGN");
    gzclose(log);
    gzclose(lab);
    /* The attacker 172.16.0.1 is a private address: quiet by default (public remotes only). */
    run_text(&r, cic_text[0], NULL, NULL, 0);
    assert_int_equal(r.n, 0);
    /* Counting remotes inside the VPC, SSH-Patator fires and benign SSH does not. */
    run_text(&r, cic_text[0], NULL, &inside, 0);
    assert_true(count_type(&r, SSH) >= 1);
    assert_int_equal(r.n, count_type(&r, SSH));
    print_message("SSH-Patator: %zu detections, the first %s on %s\n", r.n,
                  r.d[0].dir == CM_DDIR_OUTBOUND ? "outbound" : "inbound", r.d[0].resource);
    run_text(&r, cic_text[1], NULL, &inside, 0);
    assert_int_equal(r.n, 0);
    done(&r);
    free(cic_text[0]);
    free(cic_text[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssh_target),
        cmocka_unit_test(test_episode_rate_limit),
        cmocka_unit_test(test_ssh_actor),
        cmocka_unit_test(test_rdp_winrm),
        cmocka_unit_test(test_near_misses),
        cmocka_unit_test(test_aggregation_intervals),
        cmocka_unit_test(test_port_probe),
        cmocka_unit_test(test_probe_budget),
        cmocka_unit_test(test_probe_tail),
        cmocka_unit_test(test_tor_relay_port),
        cmocka_unit_test(test_eviction),
        cmocka_unit_test(test_cicids2017),
        cmocka_unit_test(test_ipv6_default_format),
        cmocka_unit_test(test_east_west_default_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
