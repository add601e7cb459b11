/*
 * Checkpoints of the VPC flow detectors (lib/detect/flow_host.c,
 * flow_inbound.c, flow_pair.c and intel_flow.c). Flow-log records in the
 * default format go through the real parser into an engine holding one
 * detector: part A of a scenario runs, the engine is saved and loaded into
 * a fresh one (ckpt_fixture.h: a restart), then part B runs. Each
 * scenario's detection needs what the detector learned in part A, so it
 * must come out of the restarted run exactly as out of one uninterrupted
 * run over A and B, and must not come out when part B meets a fresh engine
 * (the state really carried over). Then, per table, values the detector
 * made at their limits (full sets, wrapped rings) load, and the same values
 * with an index, a count, a flag, a bool or a time out of range are refused
 * with CM_EINVAL: a checkpoint is input, and a crafted one must not lead to
 * out-of-bounds access or undefined behaviour later.
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
#include "base/err.h"
#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/flow.h"
#include "detect/intel.h"
#include "intel/snapshot.h"
#include "parse/parse.h"
#include "ckpt_fixture.h"

#define T0   1767571200LL /* 2026-01-05T00:00:00Z: a day, hour and 10-minute boundary */
#define HOUR 3600LL
#define MIB  (1024ULL * 1024)
#define GIB  (1024ULL * MIB)
#define MAXD 256

#define T_PORT     "Behavior:EC2/NetworkPortUnusual"
#define T_SWEEP    "Impact:EC2/PortSweep"
#define T_SSH      "UnauthorizedAccess:EC2/SSHBruteForce"
#define T_PROBE    "Recon:EC2/PortProbeUnprotectedPort"
#define T_PORTSCAN "Recon:EC2/Portscan"
#define T_VOLUME   "Behavior:EC2/TrafficVolumeUnusual"
#define T_DOS_TCP  "Backdoor:EC2/DenialOfService.Tcp"
#define T_DOS_UDP  "Backdoor:EC2/DenialOfService.Udp"
#define T_RELAY    "UnauthorizedAccess:EC2/TorRelay"
#define T_CLIENT   "UnauthorizedAccess:EC2/TorClient"

#define HDR                                                                                        \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n"

/* ---- the harness ---- */

struct det {
    char type[64];
    char resource[32];
    uint32_t count;
    int64_t first_ms, time_ms;
};

struct got {
    struct det d[MAXD];
    size_t n;
};

/* An engine holding one detector, with the settings it was made with (a reload reuses them). */
struct run {
    struct cm_flow_tunings flow;
    struct cm_detect_config cfg;
    struct cm_detect_opts opts;
    const struct cm_detector *table[2];
    struct cm_engine *engine;
    struct cm_sink sink;
    struct got got;
};

static int collect(struct cm_sink *sink, const struct cm_detection *d)
{
    struct run *r = sink->ud;
    struct det *o;

    assert_true(r->got.n < MAXD);
    o = &r->got.d[r->got.n++];
    memset(o, 0, sizeof(*o));
    snprintf(o->type, sizeof(o->type), "%s", d->type);
    snprintf(o->resource, sizeof(o->resource), "%.*s", (int)d->resource_id.len,
             d->resource_id.p ? d->resource_id.p : "");
    o->count = d->count;
    o->first_ms = d->first_ms;
    o->time_ms = d->time_ms;
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

/* Starts r: an engine of det over snap (may be NULL), tuned by t (NULL: the defaults). */
static void run_start(struct run *r, const struct cm_detector *det,
                      const struct cm_intel_snapshot *snap, const struct cm_flow_tunings *t)
{
    memset(r, 0, sizeof(*r));
    if (t != NULL) {
        r->flow = *t;
    }
    r->cfg.flow = &r->flow;
    r->cfg.intel = snap;
    r->opts.config = &r->cfg;
    r->opts.seed = 5;
    r->opts.lateness_ms = 10 * 60 * 1000;
    r->table[0] = det;
    r->table[1] = NULL;
    r->sink.emit = collect;
    r->sink.ud = r;
    assert_int_equal(cm_engine_create(&r->engine, r->table, &r->opts), 0);
}

/* Parses text (header first) into r's engine. */
static void feed(struct run *r, const struct cm_buf *text)
{
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    cm_json_doc_init(&doc, 0, 0);
    cm_parse_ctx_init(&ctx, &doc);
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = r;
    assert_int_equal(cm_parser_vpcflow.parse(&ctx, text->p, text->len), 0);
    cm_json_doc_finish(&doc);
}

/* End of input: every window closes. */
static void run_end(struct run *r)
{
    assert_int_equal(cm_engine_flush(r->engine, &r->sink), 0);
    cm_engine_destroy(r->engine);
    r->engine = NULL;
}

enum how {
    WHOLE,   /* a then b in one engine */
    RESTART, /* a, a checkpoint loaded into a fresh engine, then b */
    FRESH,   /* b alone in a fresh engine: a restart that forgot everything */
    OLDFILE, /* RESTART through the checkpoint a build before 2026-12-05 wrote (as_v3) */
    OLDV4,   /* RESTART through inbound's section of version 4, pair's of 9 and host's of 7,
                without kept records (as_v4) */
    OLDV5,   /* RESTART through inbound's section of version 5, without Tor ports, host's of 8,
                without the episodes' kept records, and pair's of 10, without those of the
                hours' volume (as_v4) */
};

static const struct cm_detector *det_named(const struct cm_detector *const *table,
                                           struct cm_str name)
{
    for (size_t i = 0; table[i] != NULL; i++) {
        if (cm_str_eqc(name, table[i]->name)) {
            return table[i];
        }
    }
    fail_msg("no detector %.*s", (int)name.len, name.p);
    return NULL;
}

/* Moves r past one table cm_state_save wrote (value size, entries, newest, the entries). */
static void skip_table(struct cm_ckpt_r *r)
{
    uint32_t vsize = cm_ckpt_get_u32(r);
    uint64_t n = cm_ckpt_get_u64(r);

    (void)cm_ckpt_get_i64(r);
    for (uint64_t i = 0; i < n && r->err == 0; i++) {
        (void)cm_ckpt_get_str(r, 4096); /* the key */
        (void)cm_ckpt_get_i64(r);       /* last seen */
        (void)cm_ckpt_get_u8(r);        /* lag class */
        r->off += vsize;
    }
    assert_int_equal(r->err, 0);
}

/*
 * Whether d kept a copy of the learner's table in its section before 2026-12-05: the
 * three flow detectors (they read that layout as state_version_old). The threat-intel
 * detector views records through the learner since then but never kept a copy.
 */
static bool had_copy(const struct cm_detector *d)
{
    return d->flow_local && d->state_version_old != 0;
}

/* How many of its tables a flow detector saved before its copy of the learner's table. */
static unsigned tables_before_copy(const struct cm_detector *d)
{
    return d == &cm_detector_flow_inbound ? 2  /* brute, probe */
                                          : 3; /* pair: insts, pairs, heavy; host: all three */
}

/*
 * How many of d's tables after its copy of the learner's table were in its version 3:
 * inbound's kept records (its only table after them) came with version 5, pair's (after its
 * connections) with version 10; host's copy was its last.
 */
static unsigned tables_after_copy(const struct cm_detector *d)
{
    return d == &cm_detector_flow_pair ? 1 : 0;
}

/*
 * Engine checkpoint w (version 4) as a build before 2026-12-05 wrote it: an engine part of
 * version 3, without the learner's section, and each flow detector at its earlier version
 * with its own copy of the learner's table in its section (pair: before its connections;
 * inbound and host: at the end; inbound without the kept records of version 5).
 */
static void as_v3(const struct cm_ckpt_w *w, const struct cm_detector *const *table,
                  struct cm_ckpt_w *out)
{
    struct cm_ckpt_r r;
    size_t seen_end, local_at, local_end;
    uint32_t n, kinds;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    assert_int_equal(cm_ckpt_get_u32(&r), 4);
    r.off += 4 * 8; /* the clock */
    kinds = cm_ckpt_get_u32(&r);
    r.off += (size_t)kinds * 4 * 8; /* each kind's */
    (void)cm_ckpt_get_u32(&r);      /* the eventIDs read */
    seen_end = cm_ckpt_section(&r);
    r.off = seen_end;
    assert_int_equal(cm_ckpt_get_u32(&r), CM_FLOW_LOCAL_STATE_VERSION);
    local_end = cm_ckpt_section(&r);
    local_at = r.off;
    r.off = local_end;
    n = cm_ckpt_get_u32(&r);
    cm_ckpt_w_init(out, 0);
    cm_ckpt_put_u32(out, 3);
    cm_ckpt_put_bytes(out, w->buf.p + 4, seen_end - 4);
    cm_ckpt_put_u32(out, n);
    for (uint32_t i = 0; i < n; i++) {
        struct cm_str name = cm_ckpt_get_str(&r, 64);
        const struct cm_detector *d = det_named(table, name);
        uint32_t sv = cm_ckpt_get_u32(&r);
        size_t end = cm_ckpt_section(&r), at = r.off, cut = end, mark;

        assert_int_equal(r.err, 0);
        cm_ckpt_put_str(out, name.p, name.len);
        cm_ckpt_put_u32(out, had_copy(d) ? d->state_version_old : sv);
        if (had_copy(d)) {
            for (unsigned t = 0; t < tables_before_copy(d); t++) {
                skip_table(&r);
            }
            cut = r.off;
        }
        mark = cm_ckpt_begin(out);
        cm_ckpt_put_bytes(out, w->buf.p + at, cut - at);
        if (had_copy(d)) {
            cm_ckpt_put_bytes(out, w->buf.p + local_at, local_end - local_at);
        }
        if (!d->flow_local) {
            cm_ckpt_put_bytes(out, w->buf.p + cut, end - cut);
        } else if (had_copy(d)) {
            size_t rest;

            r.off = cut;
            for (unsigned t = 0; t < tables_after_copy(d); t++) {
                skip_table(&r);
            }
            rest = r.off;
            cm_ckpt_put_bytes(out, w->buf.p + cut, rest - cut);
        }
        cm_ckpt_end(out, mark);
        r.off = end;
    }
    assert_int_equal(r.off, w->buf.len);
    assert_int_equal(out->err, 0);
}

/*
 * Copies the kept table of the pair detector at r to out without the records of kind (the
 * key's last byte): a table as a version before that kind wrote it.
 */
#define KEPT_VOLUME_KIND 2
static void kept_without(struct cm_ckpt_r *r, uint8_t kind, struct cm_ckpt_w *out)
{
    uint32_t vsize = cm_ckpt_get_u32(r);
    uint64_t n = cm_ckpt_get_u64(r), kept = 0;
    int64_t newest = cm_ckpt_get_i64(r);
    struct cm_ckpt_w body;

    cm_ckpt_w_init(&body, 0);
    for (uint64_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str key = cm_ckpt_get_str(r, 4096);
        int64_t last = cm_ckpt_get_i64(r);
        uint8_t lag = cm_ckpt_get_u8(r);
        const unsigned char *val = r->p + r->off;

        r->off += vsize;
        if (key.len > 0 && (uint8_t)key.p[key.len - 1] == kind) {
            continue;
        }
        cm_ckpt_put_str(&body, key.p, key.len);
        cm_ckpt_put_i64(&body, last);
        cm_ckpt_put_u8(&body, lag);
        cm_ckpt_put_bytes(&body, val, vsize);
        kept++;
    }
    assert_int_equal(r->err, 0);
    cm_ckpt_put_u32(out, vsize);
    cm_ckpt_put_u64(out, kept);
    cm_ckpt_put_i64(out, newest);
    cm_ckpt_put_bytes(out, body.buf.p, body.buf.len);
    cm_ckpt_w_finish(&body);
}

/*
 * Engine checkpoint w with inbound's section as version 4 wrote it (before 2026-12-05): its
 * attempt rings and probe windows, without the kept records of version 5 (with v5, as
 * version 5 wrote it: the same and the kept records, without the Tor ports of version 6);
 * and pair's as version 9 did: its four tables without the kept records of version 10 (with
 * v5, as 10 did: without the kept records of its hours' volume, of 11);
 * host's as 7 did, without those of 8 (with v5, as 8 did: without the episodes' kept records
 * of 9). The rest as it is.
 */
static void as_v4(const struct cm_ckpt_w *w, const struct cm_detector *const *table,
                  struct cm_ckpt_w *out, bool v5)
{
    struct cm_ckpt_r r;
    size_t seen_end, local_end;
    uint32_t n, kinds;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    assert_int_equal(cm_ckpt_get_u32(&r), 4);
    r.off += 4 * 8;
    kinds = cm_ckpt_get_u32(&r);
    r.off += (size_t)kinds * 4 * 8;
    (void)cm_ckpt_get_u32(&r);
    seen_end = cm_ckpt_section(&r);
    r.off = seen_end;
    (void)cm_ckpt_get_u32(&r);
    local_end = cm_ckpt_section(&r);
    r.off = local_end;
    n = cm_ckpt_get_u32(&r);
    cm_ckpt_w_init(out, 0);
    cm_ckpt_put_bytes(out, w->buf.p, r.off);
    for (uint32_t i = 0; i < n; i++) {
        struct cm_str name = cm_ckpt_get_str(&r, 64);
        const struct cm_detector *d = det_named(table, name);
        uint32_t sv = cm_ckpt_get_u32(&r);
        size_t end = cm_ckpt_section(&r), at = r.off, cut = end, mark;

        assert_int_equal(r.err, 0);
        cm_ckpt_put_str(out, name.p, name.len);
        if (d == &cm_detector_flow_inbound) {
            assert_int_equal(sv, 6);
            sv = v5 ? 5 : 4;
            skip_table(&r); /* brute */
            skip_table(&r); /* probe */
            cut = r.off;
            skip_table(&r); /* Tor ports */
        } else if (d == &cm_detector_flow_pair) {
            assert_int_equal(sv, 12);
            sv = v5 ? 10 : 9;
            for (int t = 0; t < 4; t++) {
                skip_table(&r); /* insts, pairs, heavy, conns */
            }
            cut = r.off;
        } else if (d == &cm_detector_flow_host) {
            assert_int_equal(sv, 9);
            sv = v5 ? 8 : 7;
            for (int t = 0; t < (v5 ? 4 : 3); t++) {
                skip_table(&r); /* hosts, fans, conns; with v5 the fans' kept records */
            }
            cut = r.off;
        }
        cm_ckpt_put_u32(out, sv);
        mark = cm_ckpt_begin(out);
        cm_ckpt_put_bytes(out, w->buf.p + at, cut - at);
        if (d == &cm_detector_flow_inbound && v5) {
            cm_ckpt_put_bytes(out, w->buf.p + r.off, end - r.off); /* the kept records */
        } else if (d == &cm_detector_flow_pair && v5) {
            kept_without(&r, KEPT_VOLUME_KIND, out); /* version 10's kept records */
        }
        cm_ckpt_end(out, mark);
        r.off = end;
    }
    assert_int_equal(r.off, w->buf.len);
    assert_int_equal(out->err, 0);
}

/*
 * e's checkpoint rewritten by as_v3 (OLDV4, OLDV5: as_v4) and loaded into a fresh engine
 * (e is destroyed): nothing is dropped.
 */
static struct cm_engine *reload_v3(struct cm_engine *e, const struct cm_detector *const *table,
                                   const struct cm_detect_opts *o, enum how how)
{
    struct cm_ckpt_w w, old;
    struct cm_engine *e2 = NULL;
    char dropped[256];

    ckfx_save(e, &w);
    cm_engine_destroy(e);
    if (how == OLDV4 || how == OLDV5) {
        as_v4(&w, table, &old, how == OLDV5);
    } else {
        as_v3(&w, table, &old);
    }
    assert_int_equal(ckfx_load(table, o, old.buf.p, old.buf.len, &e2, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "");
    cm_ckpt_w_finish(&old);
    cm_ckpt_w_finish(&w);
    return e2;
}

/* Runs a scenario's two parts through det as how says; the detections go to g. */
static void scenario(struct got *g, const struct cm_detector *det,
                     const struct cm_intel_snapshot *snap, const struct cm_buf *a,
                     const struct cm_buf *b, enum how how)
{
    static struct run r; /* large; one at a time */

    run_start(&r, det, snap, NULL);
    if (how != FRESH) {
        feed(&r, a);
    }
    if (how == RESTART) {
        r.engine = ckfx_reload(r.engine, r.table, &r.opts);
    } else if (how == OLDFILE || how == OLDV4 || how == OLDV5) {
        r.engine = reload_v3(r.engine, r.table, &r.opts, how);
    }
    feed(&r, b);
    run_end(&r);
    *g = r.got;
}

static size_t count_type(const struct got *g, const char *type)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        n += strcmp(g->d[i].type, type) == 0;
    }
    return n;
}

/* The same detections in the same order, with the same counts and times. */
static void assert_same(const struct got *x, const struct got *y)
{
    assert_int_equal(x->n, y->n);
    for (size_t i = 0; i < x->n; i++) {
        assert_string_equal(x->d[i].type, y->d[i].type);
        assert_string_equal(x->d[i].resource, y->d[i].resource);
        assert_int_equal(x->d[i].count, y->d[i].count);
        assert_int_equal(x->d[i].first_ms, y->d[i].first_ms);
        assert_int_equal(x->d[i].time_ms, y->d[i].time_ms);
    }
}

/*
 * Runs a and b WHOLE, RESTART and FRESH: the restarted run must give what
 * the uninterrupted one gives, with want detections of type; b alone gives
 * fresh of them. The runs go to whole and alone when not NULL.
 */
static void expect_carried(const struct cm_detector *det, const struct cm_intel_snapshot *snap,
                           const struct cm_buf *a, const struct cm_buf *b, const char *type,
                           size_t want, size_t fresh, struct got *whole, struct got *alone)
{
    static struct got w, rs, f;

    scenario(&w, det, snap, a, b, WHOLE);
    scenario(&rs, det, snap, a, b, RESTART);
    scenario(&f, det, snap, a, b, FRESH);
    assert_int_equal(count_type(&w, type), want);
    assert_same(&w, &rs);
    if (had_copy(det)) {
        /* a checkpoint of a build before 2026-12-05 carries the same */
        scenario(&rs, det, snap, a, b, OLDFILE);
        assert_same(&w, &rs);
    }
    if (det == &cm_detector_flow_inbound || det == &cm_detector_flow_pair ||
        det == &cm_detector_flow_host) {
        /* and so does inbound's section of version 4, pair's of 9 and host's of 7 (before
         * their kept records) */
        scenario(&rs, det, snap, a, b, OLDV4);
        assert_same(&w, &rs);
        /* and of inbound's version 5 (before its Tor ports), pair's 10 and host's 8 */
        scenario(&rs, det, snap, a, b, OLDV5);
        assert_same(&w, &rs);
    }
    assert_int_equal(count_type(&f, type), fresh);
    if (whole != NULL) {
        *whole = w;
    }
    if (alone != NULL) {
        *alone = f;
    }
}

/* ---- records ---- */

static void text_init(struct cm_buf *b)
{
    cm_buf_init(b, 0);
    assert_int_equal(cm_buf_puts(b, HDR), 0);
}

/* One default-format (v2) record. */
static void rec(struct cm_buf *b, const char *eni, const char *src, const char *dst, int sp, int dp,
                int proto, uint64_t packets, uint64_t bytes, int64_t start, int64_t end,
                const char *action)
{
    assert_int_equal(
        cm_buf_printf(b, "2 111122223333 %s %s %s %d %d %d %llu %llu %lld %lld %s OK\n", eni, src,
                      dst, sp, dp, proto, (unsigned long long)packets, (unsigned long long)bytes,
                      (long long)start, (long long)end, action),
        0);
}

/* A public address per i: 23.<10 + i/250>.<i%250>.7. */
static const char *pub(int i)
{
    static char buf[4][32];
    static int next;
    char *s = buf[next++ % 4];

    snprintf(s, sizeof(buf[0]), "23.%d.%d.7", 10 + i / 250, i % 250);
    return s;
}

/* ---- the intel snapshot ---- */

static void add(struct cm_intel_builder *b, uint32_t list, enum cm_intel_category c,
                const char *entry)
{
    struct cm_indicator ind = {list, c, CM_STR_LIT(""), CM_STR_LIT("test")};

    assert_int_equal(cm_intel_builder_add_text(b, cm_str_cstr(entry), &ind), 0);
}

/* Scanners 80.82.77.0/24 and Tor relays 5.5.5.0/24. */
static struct cm_intel_snapshot *snapshot(void)
{
    struct cm_intel_list scanners = {CM_STR_LIT("ProofPoint"), CM_INTEL_KIND_THREAT,
                                     CM_STR_LIT("TXT"), CM_STR_LIT("test")};
    struct cm_intel_list relays = {CM_STR_LIT("tor-relays"), CM_INTEL_KIND_THREAT,
                                   CM_STR_LIT("TXT"), CM_STR_LIT("test")};
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    uint32_t sc, tor;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &scanners, &sc), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &relays, &tor), 0);
    add(b, sc, CM_CAT_SCANNER, "80.82.77.0/24");
    add(b, tor, CM_CAT_TOR_RELAY, "5.5.5.0/24");
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

/* ---- round trips: what was learned before the restart decides after it ---- */

/* flow_host: a day of history before the restart, a port it never used after. */
static void test_host_history(void **state)
{
    const int64_t L = T0 + 26 * HOUR; /* learned: 26 hours after the first connection */
    struct cm_buf a, b;
    static struct got w;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int h = 0; h < 26; h++) {
        rec(&a, "eni-0app", "10.0.1.20", "52.94.5.10", 33000 + h, 443, 6, 40, 9000, T0 + h * HOUR,
            T0 + h * HOUR + 20, "ACCEPT");
        rec(&a, "eni-0app", "10.0.1.20", "91.189.91.39", 34000 + h, 80, 6, 20, 4000,
            T0 + h * HOUR + 60, T0 + h * HOUR + 65, "ACCEPT");
    }
    /* Usual ports after the restart, then a RAT calling TCP/5888 at L, +60 and +660. */
    rec(&b, "eni-0app", "10.0.1.20", "52.94.5.10", 35000, 443, 6, 40, 9000, L - 30, L - 10,
        "ACCEPT");
    rec(&b, "eni-0app", "10.0.1.20", "185.100.87.41", 40200, 5888, 6, 30, 5000, L, L + 20,
        "ACCEPT");
    rec(&b, "eni-0app", "10.0.1.20", "185.100.87.41", 40201, 5888, 6, 30, 5000, L + 60, L + 80,
        "ACCEPT");
    rec(&b, "eni-0app", "10.0.1.20", "185.100.87.41", 40202, 5888, 6, 30, 5000, L + 660, L + 680,
        "ACCEPT");
    /* Without the history the instance is learning: nothing fires. */
    expect_carried(&cm_detector_flow_host, NULL, &a, &b, T_PORT, 2, 0, &w, NULL);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.d[0].count, 1);
    assert_int_equal(w.d[0].time_ms, L * 1000);
    assert_int_equal(w.d[1].count, 2); /* the episode's report: L + 60 and L + 660 */
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_host: a day of history, then a RAT calling TCP/5888 once a minute for 15 minutes before
 * the restart, an unrelated record after it. Reported at the first (1) and ten minutes later
 * (10); the 4 after that are reported report_ms after the last (here at the end of input),
 * from the last (kept, and carried by the checkpoint): the finding counts all 15 and ends at
 * the 15th. Before 2026-12-05 they were never reported. A file of version 7 or 8 has no kept
 * record of the episode: that tail is not reported.
 */
static void test_host_port_tail(void **state)
{
    const int64_t L = T0 + 26 * HOUR;
    static struct got w, rs;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int h = 0; h < 26; h++) {
        rec(&a, "eni-0app", "10.0.1.20", "52.94.5.10", 33000 + h, 443, 6, 40, 9000, T0 + h * HOUR,
            T0 + h * HOUR + 20, "ACCEPT");
    }
    for (int i = 0; i < 15; i++) {
        rec(&a, "eni-0app", "10.0.1.20", "185.100.87.41", 40200 + i, 5888, 6, 30, 5000, L + 60 * i,
            L + 60 * i + 20, "ACCEPT");
    }
    rec(&b, "eni-0oth", "10.0.1.31", "52.94.5.10", 42000, 443, 6, 20, 9000, L + 900, L + 901,
        "ACCEPT");
    scenario(&w, &cm_detector_flow_host, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_host, NULL, &a, &b, RESTART);
    assert_int_equal(w.n, 3);
    assert_int_equal(w.d[0].count, 1);
    assert_int_equal(w.d[1].count, 10);
    assert_int_equal(w.d[2].count, 4);
    assert_int_equal(w.d[2].first_ms, (L + 660) * 1000);
    assert_int_equal(w.d[2].time_ms, (L + 840) * 1000);
    assert_same(&w, &rs);
    scenario(&rs, &cm_detector_flow_host, NULL, &a, &b, OLDV4);
    assert_int_equal(rs.n, 2);
    scenario(&rs, &cm_detector_flow_host, NULL, &a, &b, OLDV5);
    assert_int_equal(rs.n, 2);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/* flow_host: SYNs to TCP/22 of 30 hosts before the restart and 30 after: one PortSweep. */
static void test_host_sweep(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_buf a, b;
    static struct got w;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 60; i++) {
        rec(i < 30 ? &a : &b, "eni-0scan", "10.0.1.30", pub(i), 41000 + i, 22, 6, 2, 120, t + 2 * i,
            t + 2 * i, "ACCEPT");
    }
    /*
     * The fan-out of hosts and the port's attempts both carry over: 30 hosts alone are quiet.
     * The 10 attempts after the detection are reported as the fan expires (end of input).
     */
    expect_carried(&cm_detector_flow_host, NULL, &a, &b, T_SWEEP, 2, 0, &w, NULL);
    assert_int_equal(w.d[0].count, 50);
    assert_int_equal(w.d[0].first_ms, t * 1000);
    assert_int_equal(w.d[1].count, 10);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_host: a sweep of TCP/22 on 60 hosts before the restart (the 50th fires), an unrelated
 * record after it. The 10 attempts after the detection are reported as the fan expires at the
 * end of input, from the last (kept, and carried by the checkpoint): the finding counts all
 * 60 and ends at the 60th. Before 2026-12-05 they were never reported. A file of version 7
 * has no kept record: that tail is not reported.
 */
static void test_host_sweep_tail(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    static struct got w, rs;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 60; i++) {
        rec(&a, "eni-0scan", "10.0.1.30", pub(i), 41000 + i, 22, 6, 2, 120, t + 2 * i, t + 2 * i,
            "ACCEPT");
    }
    rec(&b, "eni-0oth", "10.0.1.31", pub(0), 42000, 443, 6, 20, 9000, t + 200, t + 201, "ACCEPT");
    scenario(&w, &cm_detector_flow_host, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_host, NULL, &a, &b, RESTART);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.d[0].count, 50);
    assert_int_equal(w.d[1].count, 10);
    assert_int_equal(w.d[1].time_ms, (t + 118) * 1000);
    assert_same(&w, &rs);
    scenario(&rs, &cm_detector_flow_host, NULL, &a, &b, OLDV4);
    assert_int_equal(rs.n, 1);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_inbound: 10 SSH connections before the restart, 12 after: the 20th fires, the last two
 * come as the entry expires. The same through inbound's files of versions 3 and 4.
 */
static void test_inbound_brute(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_buf a, b;
    static struct got w;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 22; i++) {
        rec(i < 10 ? &a : &b, "eni-0web", "45.146.165.37", "10.0.1.14", 51000 + i, 22, 6, 12, 2000,
            t + 15 * i, t + 15 * i + 5, "ACCEPT");
    }
    expect_carried(&cm_detector_flow_inbound, NULL, &a, &b, T_SSH, 2, 0, &w, NULL);
    assert_int_equal(w.d[0].count, 20);
    assert_int_equal(w.d[0].first_ms, t * 1000);
    assert_int_equal(w.d[1].count, 2); /* the two after it, as the entry expires */
    assert_int_equal(w.d[1].time_ms, (t + 15 * 21) * 1000);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_inbound: a listed scanner probes 8080 before the restart, and 8080
 * and 9000 after, within the hour: 8080 is not reported twice and its probe
 * is counted into 9000's detection. A fresh engine reports both ports.
 */
static void test_inbound_probe(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    struct cm_buf a, b;
    static struct got w, f;

    (void)state;
    text_init(&a);
    text_init(&b);
    rec(&a, "eni-0web", "80.82.77.10", "10.0.1.14", 52000, 8080, 6, 3, 180, t, t + 1, "ACCEPT");
    rec(&b, "eni-0web", "80.82.77.10", "10.0.1.14", 52001, 8080, 6, 3, 180, t + 600, t + 601,
        "ACCEPT");
    rec(&b, "eni-0web", "80.82.77.10", "10.0.1.14", 52002, 9000, 6, 3, 180, t + 660, t + 661,
        "ACCEPT");
    expect_carried(&cm_detector_flow_inbound, s, &a, &b, T_PROBE, 2, 2, &w, &f);
    assert_int_equal(w.d[0].count, 1);
    assert_int_equal(w.d[1].count, 2);
    assert_int_equal(w.d[1].first_ms, (t + 600) * 1000);
    assert_int_equal(f.d[0].count, 1);
    assert_int_equal(f.d[0].time_ms, (t + 600) * 1000);
    assert_int_equal(f.d[1].count, 1);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_intel_snapshot_unref(s);
}

/*
 * flow_inbound: two Tor relays use an instance's 9001 before the restart, a third after it,
 * then the first probes its 22. The Tor port learnt before the restart makes 9001 the
 * relay's port after it: no probe of 9001 (the two held are dropped), the 22 one reported at
 * the end, as the uninterrupted run. Part B alone has one Tor node on 9001: two probes.
 */
static void test_inbound_tor_port(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    struct cm_buf a, b;
    static struct got w, rs, f;

    (void)state;
    text_init(&a);
    text_init(&b);
    rec(&a, "eni-0relay", "5.5.5.1", "10.0.9.9", 41000, 9001, 6, 30, 9000, t, t + 30, "ACCEPT");
    rec(&a, "eni-0relay", "5.5.5.2", "10.0.9.9", 41001, 9001, 6, 30, 9000, t + 60, t + 90,
        "ACCEPT");
    rec(&b, "eni-0relay", "5.5.5.3", "10.0.9.9", 41002, 9001, 6, 30, 9000, t + 600, t + 630,
        "ACCEPT");
    rec(&b, "eni-0relay", "5.5.5.1", "10.0.9.9", 41003, 22, 6, 3, 180, t + 660, t + 661, "ACCEPT");
    scenario(&w, &cm_detector_flow_inbound, s, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_inbound, s, &a, &b, RESTART);
    scenario(&f, &cm_detector_flow_inbound, s, &a, &b, FRESH);
    assert_int_equal(count_type(&w, T_PROBE), 1);
    assert_int_equal(w.d[0].count, 1);
    assert_int_equal(w.d[0].time_ms, (t + 660) * 1000);
    assert_same(&w, &rs);
    assert_int_equal(count_type(&f, T_PROBE), 2);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_intel_snapshot_unref(s);
}

/*
 * flow_inbound: 100 SSH guesses in 10 minutes, then a restart with no more of them: the 80
 * after the detection at the 20th are reported when the entry expires at the end of part B,
 * from the last guess the checkpoint kept, as the uninterrupted run reports them. Likewise a
 * scanner's repeated probes of one port, kept across the restart.
 */
static void test_inbound_tail_roundtrip(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    struct cm_buf a, b;
    static struct got w, rs;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 100; i++) {
        rec(&a, "eni-0web", "45.146.165.37", "10.0.1.14", 40000 + i, 22, 6, 6, 600, t + 6 * i,
            t + 6 * i + 5, "ACCEPT");
    }
    for (int i = 0; i < 6; i++) {
        rec(&a, "eni-0web", "80.82.77.10", "10.0.1.14", 52000 + i, 3306, 6, 3, 180, t + 600 * i,
            t + 600 * i + 1, "ACCEPT");
    }
    rec(&b, "eni-0web", "10.0.1.14", "52.94.5.10", 35000, 443, 6, 40, 9000, t + 3700, t + 3710,
        "ACCEPT");
    scenario(&w, &cm_detector_flow_inbound, s, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_inbound, s, &a, &b, RESTART);
    assert_same(&w, &rs);
    assert_int_equal(count_type(&w, T_SSH), 2);
    assert_int_equal(count_type(&w, T_PROBE), 2);
    for (size_t i = 0; i < w.n; i++) {
        const struct det *d = &w.d[i];

        if (strcmp(d->type, T_SSH) == 0 && d->count != 20) {
            assert_int_equal(d->count, 80);
            assert_int_equal(d->first_ms, (t + 6 * 20) * 1000);
            assert_int_equal(d->time_ms, (t + 6 * 99) * 1000);
        } else if (strcmp(d->type, T_PROBE) == 0 && d->count != 1) {
            assert_int_equal(d->count, 5);
            assert_int_equal(d->first_ms, (t + 600) * 1000);
            assert_int_equal(d->time_ms, (t + 3000) * 1000);
        }
    }
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_intel_snapshot_unref(s);
}

/* flow_pair: probes of 15 ports of one host before the restart and 15 more after. */
static void test_pair_portscan(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int p = 1; p <= 30; p++) {
        int64_t at = t + p * 2;

        rec(p <= 15 ? &a : &b, "eni-0a", "10.0.0.5", "10.0.1.9", 40000 + p, p, 6, 1, 44, at, at,
            "REJECT");
    }
    /*
     * 15 ports are under the 20 that fire: only the carried sketch makes it a scan; the probes
     * after its detection are reported at the end of input.
     */
    expect_carried(&cm_detector_flow_pair, NULL, &a, &b, T_PORTSCAN, 2, 0, NULL, NULL);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/* A load balancer's checks of 25 NodePorts of node n at minute m into b (failed: SYN, RST). */
static void nlb_round(struct cm_buf *b, int64_t t, int m, int n, bool fail)
{
    char node[32];

    snprintf(node, sizeof(node), "10.0.21.%d", 10 + n);
    for (int i = 0; i < 25; i++) {
        int sp = 32768 + (m * 3 + n) * 25 + i;
        int64_t at = t + m * 60 + i;

        rec(b, "eni-0nlb", "10.0.1.77", node, sp, 30000 + 107 * i, 6, fail ? 1 : 3, fail ? 60 : 164,
            at, at, "ACCEPT");
        rec(b, "eni-0nlb", node, "10.0.1.77", 30000 + 107 * i, sp, 6, fail ? 1 : 2, fail ? 40 : 104,
            at, at, "ACCEPT");
    }
}

/*
 * flow_pair: the ports a checker probes again and again (flow_pair_checker.c) carry over.
 * Before the restart a balancer checks 25 NodePorts of 2 nodes every 2 minutes for half an
 * hour; after it a third node joins and its first 3 rounds of checks fail, then succeed. With
 * the carried ports the new node's failed checks are held and come back: nothing. A fresh
 * engine has no epoch of checks before them: a Portscan of the new node, as a scan of closed
 * ports.
 */
static void test_pair_checker_carried(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    static struct got w, rs, f;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int m = 0; m < 60; m += 2) {
        for (int k = 0; k < 3; k++) {
            int n = (k + 2) % 3; /* the new node's checks first: before any of the epoch */

            if (n < 2 || m >= 30) {
                nlb_round(m < 30 ? &a : &b, t, m, n, n == 2 && m < 35);
            }
        }
    }
    scenario(&w, &cm_detector_flow_pair, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, RESTART);
    scenario(&f, &cm_detector_flow_pair, NULL, &a, &b, FRESH);
    assert_int_equal(count_type(&w, T_PORTSCAN), 0);
    assert_same(&w, &rs);
    assert_true(count_type(&f, T_PORTSCAN) >= 1);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: the interface's own address (flow_local.c) carries over. Before the restart two
 * balancer nodes health-check the instance 10.0.4.50, which teaches its address; after it one
 * node checks 24 task ports from higher ones. Known, the instance is checked, not scanning;
 * a fresh engine has only that node's records, takes their source for the instance, and
 * reads a Portscan of its own address.
 */
static void test_pair_local_address(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int n = 0; n < 2; n++) {
        const char *node = n ? "10.0.2.10" : "10.0.1.10";

        rec(&a, "eni-0ecs", node, "10.0.4.50", 50000 + n, 32768, 6, 3, 180, t + n, t + n + 1,
            "ACCEPT");
        rec(&a, "eni-0ecs", "10.0.4.50", node, 32768, 50000 + n, 6, 2, 112, t + n, t + n + 1,
            "ACCEPT");
    }
    for (int i = 0; i < 24; i++) {
        int64_t at = t + 60 + i;

        rec(&b, "eni-0ecs", "10.0.1.10", "10.0.4.50", 51000 + i, 32768 + i, 6, 3, 180, at, at + 1,
            "ACCEPT");
        rec(&b, "eni-0ecs", "10.0.4.50", "10.0.1.10", 32768 + i, 51000 + i, 6, 2, 112, at, at + 1,
            "ACCEPT");
    }
    /*
     * (fresh: the misread scan, completed handshakes in the interface's first epoch, is held
     * and judged once at the end of input: one detection of all its probes)
     */
    expect_carried(&cm_detector_flow_pair, NULL, &a, &b, T_PORTSCAN, 0, 1, NULL, NULL);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: an interface shown to have several addresses (flow_local.c) stays so across a
 * restart. Before it, two pods of an EKS node call a database and the node calls the cluster's
 * API: several addresses, none learned. After it, two pods call the database again and a pod
 * SYN-scans 40 of its host's ports. Carried, the source is taken: the pod's Portscan; a fresh
 * engine learns the database from the two pods and reads the scan as the host probing it.
 */
static void test_pair_local_several(void **state)
{
    const int64_t t = T0 + 11 * HOUR;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int n = 0; n < 2; n++) {
        const char *pod = n ? "10.0.2.12" : "10.0.2.11";

        rec(&a, "eni-0eks", pod, "10.0.4.20", 50000 + n, 5432, 6, 6, 900, t + n, t + n + 1,
            "ACCEPT");
        rec(&b, "eni-0eks", pod, "10.0.4.20", 52000 + n, 5432, 6, 6, 900, t + 60 + n, t + 61 + n,
            "ACCEPT");
    }
    rec(&a, "eni-0eks", "10.0.2.10", "10.0.0.100", 50010, 443, 6, 8, 1500, t + 5, t + 6, "ACCEPT");
    for (int p = 1; p <= 40; p++) {
        int64_t at = t + 70 + p / 10;

        rec(&b, "eni-0eks", "10.0.2.15", "10.0.4.20", 51000, p, 6, 1, 44, at, at, "ACCEPT");
        rec(&b, "eni-0eks", "10.0.4.20", "10.0.2.15", p, 51000, 6, 1, 40, at, at, "ACCEPT");
    }
    expect_carried(&cm_detector_flow_pair, NULL, &a, &b, T_PORTSCAN, 2, 0, NULL, NULL);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: a scan of 40 ports of one host before the restart, an unrelated record after it.
 * The probes after its detection are reported as the pair expires at the end of input, from
 * the last of them (kept, and carried by the checkpoint): the finding counts 40 and ends at
 * the 40th. Before 2026-12-05 they were never reported (one detection of about 20). A file of
 * version 9 has no kept record: the tail from before the restart is not reported.
 */
static void test_pair_portscan_tail(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    static struct got w, rs;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int p = 1; p <= 40; p++) {
        rec(&a, "eni-0a", "10.0.0.5", "10.0.1.9", 40000 + p, p, 6, 1, 44, t + p, t + p, "REJECT");
    }
    rec(&b, "eni-0b", "10.0.0.6", "10.0.1.9", 41000, 443, 6, 10, 4000, t + 60, t + 61, "ACCEPT");
    scenario(&w, &cm_detector_flow_pair, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, RESTART);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.d[0].count + w.d[1].count, 40);
    assert_int_equal(w.d[1].time_ms, (t + 40) * 1000);
    assert_same(&w, &rs);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, OLDV4);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.d[0].count, w.d[0].count);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: a day and 7 hours of 300 MiB an hour to one host, then 6 GiB to another in an
 * hour (six records of 1 GiB, 10 minutes apart): the third fires with count 3; the fourth
 * comes before the restart, the fifth and sixth after it. They are reported as the pair
 * expires at the end of input, from the last (its kept record made by the detection, carried
 * by the checkpoint): the finding counts all 6 and ends at the sixth. Before 2026-12-05 they
 * were never reported. Files of version 9 and 10 have no kept record of the hour: that tail
 * is not reported.
 */
static void test_pair_volume_tail(void **state)
{
    const int64_t h31 = T0 + 31 * HOUR;
    const uint64_t mib = 1024 * 1024;
    static struct got w, rs;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 31 * 6; i++) {
        rec(&a, "eni-0v", "10.0.0.7", "44.20.20.20", 45000 + i % 1000, 443, 6, 50 * mib / 1400,
            50 * mib, T0 + i * 600, T0 + i * 600 + 599, "ACCEPT");
    }
    for (int i = 0; i < 6; i++) {
        rec(i < 4 ? &a : &b, "eni-0v", "10.0.0.7", "44.21.21.21", 46000 + i, 443, 6,
            1024 * mib / 1400, 1024 * mib, h31 + i * 600, h31 + i * 600 + 599, "ACCEPT");
    }
    scenario(&w, &cm_detector_flow_pair, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, RESTART);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.d[0].type, T_VOLUME);
    assert_int_equal(w.d[0].count, 3);
    assert_int_equal(w.d[1].count, 3);
    assert_int_equal(w.d[1].time_ms, (h31 + 3000) * 1000);
    assert_same(&w, &rs);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, OLDV4);
    assert_int_equal(rs.n, 1);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, OLDV5);
    assert_int_equal(rs.n, 1);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: a UDP flood of 3 minutes before the restart (10 records a minute of 24,000
 * datagrams, 6 s apart: each minute fires on its 8th), an unrelated record after it. The 2
 * records after the last detection are reported as the pair expires at the end of input,
 * from the last (kept, and carried by the checkpoint): the finding counts all 30 and ends at
 * the 30th. Before 2026-12-05 they were never reported. A file of version 9 has no kept
 * record: that tail is not reported.
 */
static void test_pair_dos_tail(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    static struct got w, rs;
    struct cm_buf a, b;
    uint32_t sum = 0;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int m = 0; m < 3; m++) {
        for (int c = 0; c < 10; c++) {
            int64_t at = t + m * 60 + c * 6;

            rec(&a, "eni-0d", "10.0.0.5", "52.95.110.9", 40000 + c, 9999, 17, 24000, 2400000, at,
                at + 5, "ACCEPT");
        }
    }
    rec(&b, "eni-0b", "10.0.0.6", "10.0.1.9", 41000, 443, 6, 10, 4000, t + 200, t + 201, "ACCEPT");
    scenario(&w, &cm_detector_flow_pair, NULL, &a, &b, WHOLE);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, RESTART);
    assert_int_equal(w.n, 4);
    for (size_t i = 0; i < w.n; i++) {
        assert_string_equal(w.d[i].type, T_DOS_UDP);
        sum += w.d[i].count;
    }
    assert_int_equal(sum, 30);
    assert_int_equal(w.d[3].count, 2);
    assert_int_equal(w.d[3].time_ms, (t + 2 * 60 + 54) * 1000);
    assert_same(&w, &rs);
    scenario(&rs, &cm_detector_flow_pair, NULL, &a, &b, OLDV4);
    assert_int_equal(rs.n, 3);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * flow_pair: a pool of 60 connections to a public database at 3,600 packets/s, 5 minutes
 * before the restart and 5 after. Its first minute fires; the connections it remembered carry
 * over, so the minutes after the restart are the pool's, not a new flood's.
 */
static void test_pair_pool(void **state)
{
    const int64_t t = T0 + 12 * HOUR;
    struct cm_buf a, b;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int m = 0; m < 10; m++) {
        for (int c = 0; c < 60; c++) {
            rec(m < 5 ? &a : &b, "eni-5p", "10.0.5.20", "52.95.110.7", 40000 + c, 5432, 6, 3600,
                3600 * 120, t + m * 60, t + m * 60 + 59, "ACCEPT");
        }
    }
    /*
     * (each run: the first minute's detection, then the records of the minute after it as its
     * tail, reported at the first record of a minute that is not the flood's)
     */
    expect_carried(&cm_detector_flow_pair, NULL, &a, &b, T_DOS_TCP, 2, 2, NULL, NULL);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/*
 * The three flow detectors in one engine share one learner, saved once in the engine's part.
 * A checkpoint of a build before 2026-12-05 (each detector with its own copy of the table in
 * its section) loads with nothing dropped, into the same state: saved again, it
 * gives the bytes the engine saved before the rewrite. The engine's state counters list the
 * learner once, under its own name, and no detector counts a copy of it.
 */
static void test_three_share_learner(void **state)
{
    const struct cm_detector *const table[] = {&cm_detector_flow_pair, &cm_detector_flow_inbound,
                                               &cm_detector_flow_host, NULL};
    const int64_t t = T0 + 10 * HOUR;
    static struct run r;
    struct cm_ckpt_w w, old, again;
    struct cm_det_states ds;
    struct cm_buf a;
    struct cm_engine *e;
    char dropped[256];

    (void)state;
    run_start(&r, &cm_detector_flow_pair, NULL, NULL);
    cm_engine_destroy(r.engine);
    assert_int_equal(cm_engine_create(&r.engine, table, &r.opts), 0);
    text_init(&a);
    for (int n = 0; n < 2; n++) { /* eni-0ecs learns 10.0.4.50; eni-0eks sees several */
        const char *node = n ? "10.0.2.10" : "10.0.1.10";
        const char *pod = n ? "10.0.2.12" : "10.0.2.11";

        rec(&a, "eni-0ecs", node, "10.0.4.50", 50000 + n, 32768, 6, 3, 180, t + n, t + n + 1,
            "ACCEPT");
        rec(&a, "eni-0ecs", "10.0.4.50", node, 32768, 50000 + n, 6, 2, 112, t + n, t + n + 1,
            "ACCEPT");
        rec(&a, "eni-0eks", pod, "10.0.4.20", 50000 + n, 5432, 6, 6, 900, t + n, t + n + 1,
            "ACCEPT");
    }
    rec(&a, "eni-0eks", "10.0.2.10", "10.0.0.100", 50010, 443, 6, 8, 1500, t + 5, t + 6, "ACCEPT");
    rec(&a, "eni-0pub", "10.0.3.3", pub(0), 41000, 443, 6, 20, 4000, t + 7, t + 8, "ACCEPT");
    feed(&r, &a);
    memset(&ds, 0, sizeof(ds));
    cm_engine_det_states(r.engine, &ds);
    assert_int_equal(ds.n, 4); /* the learner, then the three detectors */
    assert_string_equal(ds.v[0].name, "vpcflow-local");
    assert_int_equal(ds.v[0].st.inserts, 3); /* eni-0ecs, eni-0eks and eni-0pub, once */
    ckfx_save(r.engine, &w);
    as_v3(&w, table, &old);
    assert_true(old.buf.len > w.buf.len); /* three copies of the table instead of one */
    assert_int_equal(
        ckfx_load(table, &r.opts, old.buf.p, old.buf.len, &e, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "");
    ckfx_save(e, &again);
    assert_int_equal(again.buf.len, w.buf.len);
    assert_memory_equal(again.buf.p, w.buf.p, w.buf.len);
    cm_engine_destroy(e);
    cm_ckpt_w_finish(&again);
    cm_ckpt_w_finish(&old);
    cm_ckpt_w_finish(&w);
    run_end(&r);
    cm_buf_finish(&a);
}

/* flow_pair: 31 hours of 300 MiB an hour before the restart, 6 GiB in an hour after. */
static void test_pair_volume(void **state)
{
    const int64_t h31 = T0 + 31 * HOUR;
    struct cm_buf a, b;
    static struct got w;

    (void)state;
    text_init(&a);
    text_init(&b);
    for (int i = 0; i < 31 * 6; i++) {
        int64_t at = T0 + i * 600;

        rec(&a, "eni-5a", "10.0.5.5", "44.20.20.20", 45000 + i % 1000, 443, 6, 300 * MIB / 6 / 1400,
            300 * MIB / 6, at, at + 599, "ACCEPT");
    }
    for (int i = 0; i < 6; i++) {
        rec(&b, "eni-5a", "10.0.5.5", "44.21.21.21", 46000 + i, 443, 6, GIB / 1400, GIB,
            h31 + i * 600, h31 + i * 600 + 599, "ACCEPT");
    }
    /*
     * The baseline and its learning period carry over; without them the instance learns. The
     * hour's three records after its detection are reported as the pair expires.
     */
    expect_carried(&cm_detector_flow_pair, NULL, &a, &b, T_VOLUME, 2, 0, &w, NULL);
    assert_int_equal(w.d[0].count, 3);
    assert_int_equal(w.d[0].first_ms, h31 * 1000);
    assert_int_equal(w.d[1].count, 3);
    assert_int_equal(w.d[1].time_ms, (h31 + 3000) * 1000);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
}

/* intel_flow: two Tor nodes connect in before the restart, a third after: a relay. */
static void test_intel_tor(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    struct cm_buf a, b;
    static struct got w, f;

    (void)state;
    text_init(&a);
    text_init(&b);
    rec(&a, "eni-0c", "5.5.5.1", "10.0.0.7", 40001, 9001, 6, 30, 9000, t, t + 60, "ACCEPT");
    rec(&a, "eni-0c", "5.5.5.2", "10.0.0.7", 40002, 9001, 6, 30, 9000, t + 60, t + 120, "ACCEPT");
    rec(&b, "eni-0c", "5.5.5.3", "10.0.0.7", 40003, 9001, 6, 30, 9000, t + 120, t + 180, "ACCEPT");
    rec(&b, "eni-0c", "10.0.0.7", "5.5.5.9", 49152, 9001, 6, 30, 9000, t + 180, t + 240, "ACCEPT");
    /* The third peer and the relay's own outbound Tor connection; alone, a Tor client. */
    expect_carried(&cm_detector_intel_flow, s, &a, &b, T_RELAY, 2, 0, &w, &f);
    assert_int_equal(w.n, 2);
    assert_int_equal(count_type(&f, T_CLIENT), 1);
    cm_buf_finish(&a);
    cm_buf_finish(&b);
    cm_intel_snapshot_unref(s);
}

/* ---- values no detector makes are refused ---- */

/*
 * The values' layouts, copied from the detectors' files (the file's value
 * size is checked against them, so a change there shows here).
 */
struct m_novel {
    uint32_t since_s, reported_s, first_s, pending;
    uint16_t what;
    uint8_t kind;
};

struct m_watch {
    uint32_t code, start_s;
    uint16_t fail, all, pfail, pall, ans, pans;
};

struct m_host { /* flow_host.c struct host */
    int64_t first_ms;
    uint32_t resolver[3];
    struct m_watch watch[4];
    uint32_t spam_since_s;
    uint16_t port[32];
    uint8_t nports, flags;
    uint8_t next_watch, pad;
    struct m_novel novel[4];
    struct {
        uint32_t addr;
        uint16_t port, rport;
        uint32_t peers;
    } serve[2];
};

struct m_fan { /* flow_host.c struct fan, before its host[] */
    int64_t first_ms, reported_ms;
    uint32_t pending, newest_s, nhosts;
};

struct m_brute { /* flow_inbound.c */
    int64_t head, first_ms, reported_ms;
    uint32_t pending;
    uint16_t bucket[5];
    uint16_t port[8];
    uint8_t nports, next_port;
    bool used;
};

struct m_probes { /* flow_inbound.c */
    int64_t window_start;
    int64_t first_ms[2];
    uint32_t pending[2];
    uint16_t port[16];
    uint16_t nports;
};

struct m_pair { /* flow_pair_impl.h */
    uint64_t ps_bits[2][2];
    uint64_t ps_seen[2];
    uint64_t ps_ans[2];
    uint32_t ps_probes[2], ps_epoch, ps_fired, ps_first, ps_ans_epoch;
    uint32_t dos_pkts[12], dos_back[12], dos_head, dos_conns, dos_first;
    uint16_t dos_fired, dos_pend;
    uint32_t dos_pool[12];
    uint8_t dos_npool[12];
    uint32_t dos_watch;
    uint32_t vol_hour, vol_conns, vol_fired;
    uint64_t vol_bytes[2], vol_need;
};

struct m_inst { /* flow_pair_impl.h */
    int64_t first_ms;
    uint32_t day;
    uint64_t day_max[7];
};

struct m_peers { /* intel_flow.c */
    uint64_t peer[8];
    uint32_t npeers;
    bool relay;
};

static uint64_t le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;

    for (size_t i = n; i-- > 0;) {
        v = v << 8 | p[i];
    }
    return v;
}

/* Where one table entry lies in a checkpoint. */
struct loc {
    size_t key, klen, val, vsize;
    uint64_t count; /* entries of its table */
};

/*
 * Entry i of table k of the only detector of engine checkpoint w: engine
 * header (ckfx_detectors_at, then u32 detectors), then the detector's name
 * (u32 length, bytes), state_version (u32) and section length (u64); then
 * its tables (u32 value size, u64 entries, i64 newest), each entry a key
 * (u32 length, bytes), i64 last seen, u8 lag class and the value.
 */
static struct loc locate(const struct cm_ckpt_w *w, unsigned k, uint64_t i)
{
    const unsigned char *p = (const unsigned char *)w->buf.p;
    size_t off = ckfx_detectors_at(w->buf.p, w->buf.len) + 4, len = w->buf.len;
    struct loc l = {0};

    assert_true(len > off);
    assert_int_equal(le(p + off - 4, 4), 1);
    off += 4 + le(p + off, 4);
    off += 4 + 8;
    for (unsigned t = 0;; t++) {
        assert_true(off + 20 <= len);
        l.vsize = le(p + off, 4);
        l.count = le(p + off + 4, 8);
        off += 20;
        for (uint64_t e = 0; e < l.count; e++) {
            assert_true(off + 4 <= len);
            l.klen = le(p + off, 4);
            l.key = off + 4;
            l.val = l.key + l.klen + 8 + 1;
            assert_true(l.val + l.vsize <= len);
            if (t == k && e == i) {
                return l;
            }
            off = l.val + l.vsize;
        }
        assert_true(t < k); /* table k has no entry i */
    }
}

/* Loads w's bytes into a fresh engine like r's with n bytes at off replaced; returns the error. */
static int load_patched(const struct run *r, const struct cm_ckpt_w *w, size_t off,
                        const void *bytes, size_t n)
{
    unsigned char *copy = cm_malloc(w->buf.len);
    struct cm_engine *e = NULL;
    int rc;

    assert_non_null(copy);
    memcpy(copy, w->buf.p, w->buf.len);
    assert_true(off + n <= w->buf.len);
    if (n > 0) {
        memcpy(copy + off, bytes, n);
    }
    rc = ckfx_load(r->table, &r->opts, copy, w->buf.len, &e, NULL, 0);
    cm_engine_destroy(e);
    cm_free(copy);
    return rc;
}

/* The value at l copied out of w (the mirror struct's size must match the file's). */
static void value_of(const struct cm_ckpt_w *w, const struct loc *l, void *out, size_t size)
{
    assert_true(l->vsize >= size);
    memcpy(out, w->buf.p + l->val, size);
}

/* Loads w with the n-byte little-endian integer at off set to v; returns the error. */
static int load_int(const struct run *r, const struct cm_ckpt_w *w, size_t off, size_t n,
                    uint64_t v)
{
    unsigned char b[8];

    assert_true(n <= sizeof(b));
    for (size_t i = 0; i < n; i++) {
        b[i] = (unsigned char)(v >> (8 * i));
    }
    return load_patched(r, w, off, b, n);
}

/* Sets field of the value at l (laid out as type) to v: the load must refuse it. */
#define PATCH(r, w, l, type, field, v)                                                             \
    assert_int_equal(load_int((r), (w), (l)->val + offsetof(type, field),                          \
                              sizeof(((type *)0)->field), (uint64_t)(v)),                          \
                     CM_EINVAL)

/*
 * flow_host: an instance whose port set is full, whose watch ring has
 * wrapped and whose TCP/22 fan-out holds its cap of hosts loads; an index,
 * count, kind, flag or time out of range does not.
 */
static void test_host_codec(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    const struct cm_flow_tunings tune = {.host = {.sweep_hosts = 10}};
    static const int fail_ports[] = {23, 2222, 8022, 3389, 22};
    static struct run r;
    struct cm_ckpt_w w;
    struct cm_buf text;
    struct m_host h, h2;
    struct m_fan f;
    struct loc lh, lf = {0};
    uint16_t port_slot = 0;
    char dropped[64];
    struct cm_engine *e;

    (void)state;
    run_start(&r, &cm_detector_flow_host, NULL, &tune);
    text_init(&text);
    for (int i = 0; i < 30; i++) { /* 30 ports with data: more than the set holds */
        rec(&text, "eni-0h", "10.0.1.20", pub(0), 40000 + i, 1000 + i, 6, 20, 4000, t + i, t + i,
            "ACCEPT");
    }
    for (int i = 0; i < 5; i++) { /* failing on 5 ports: the 4-slot watch ring wraps */
        for (int k = 0; k < (i == 4 ? 12 : 1); k++) {
            rec(&text, "eni-0h", "10.0.1.20", pub(1 + k), 41000 + i * 20 + k, fail_ports[i], 6, 2,
                120, t + 60 + i * 20 + k, t + 60 + i * 20 + k, "ACCEPT");
        }
    }
    feed(&r, &text);
    ckfx_save(r.engine, &w);
    assert_int_equal(count_type(&r.got, T_SWEEP), 1); /* 12 hosts > 10: a sweep, at the cap */

    lh = locate(&w, 0, 0);
    assert_int_equal(lh.count, 1);
    assert_int_equal(lh.vsize, sizeof(struct m_host));
    value_of(&w, &lh, &h, sizeof(h));
    assert_int_equal(h.nports, 24);
    assert_int_equal(h.flags & 2, 2); /* H_PORTS_FULL */
    assert_int_equal(h.next_watch, 1);
    for (uint64_t i = 0; i < 5; i++) {
        struct loc l = locate(&w, 1, i);
        assert_int_equal(l.vsize, sizeof(struct m_fan) + 10 * 8);
        value_of(&w, &l, &f, sizeof(f));
        if (f.nhosts == 10) {
            lf = l;
        }
    }
    assert_int_not_equal(lf.val, 0);

    /* As made: loads, and the restarted engine runs on. */
    assert_int_equal(load_patched(&r, &w, 0, NULL, 0), 0);

    PATCH(&r, &w, &lh, struct m_host, nports, 25);        /* past PORT_CAP */
    PATCH(&r, &w, &lh, struct m_host, nports, 23);        /* not the used slots' count */
    PATCH(&r, &w, &lh, struct m_host, next_watch, 4);     /* indexes watch[4] */
    PATCH(&r, &w, &lh, struct m_host, novel[2].kind, 5);  /* no such enum kind */
    PATCH(&r, &w, &lh, struct m_host, flags, 2 | 8);      /* no such H_ bit */
    PATCH(&r, &w, &lh, struct m_host, serve[1].peers, 4); /* past SERVE_PEERS */
    PATCH(&r, &w, &lh, struct m_host, first_ms, INT64_MIN);
    /* One slot more in use than nports counts: port_add could run out of free slots. */
    for (size_t i = 0; i < 32; i++) {
        if (h.port[i] == 0) {
            port_slot = (uint16_t)i;
            break;
        }
    }
    PATCH(&r, &w, &lh, struct m_host, port[port_slot], 7);
    /* ... and with nports counting it: more than PORT_CAP. */
    h2 = h;
    h2.port[port_slot] = 7;
    h2.nports = 25;
    assert_int_equal(load_patched(&r, &w, lh.val, &h2, sizeof(h2)), CM_EINVAL);
    PATCH(&r, &w, &lf, struct m_fan, nhosts, 11); /* past the cap of 10 */
    PATCH(&r, &w, &lf, struct m_fan, reported_ms, INT64_MAX);

    /* Another cap is another value size: the detector starts afresh, named. */
    r.flow.host.sweep_hosts = 0;
    assert_int_equal(ckfx_load(r.table, &r.opts, w.buf.p, w.buf.len, &e, dropped, sizeof(dropped)),
                     0);
    assert_string_equal(dropped, "vpcflow-host");
    cm_engine_destroy(e);

    cm_ckpt_w_finish(&w);
    run_end(&r);
    cm_buf_finish(&text);
}

/*
 * flow_inbound: a brute-force entry whose port ring has wrapped and a probe
 * entry whose port budget is spent load; counts, indexes, the bool and
 * times out of range do not.
 */
static void test_inbound_codec(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    static struct run r;
    struct cm_ckpt_w w;
    struct cm_buf text;
    struct m_brute b;
    struct m_probes p;
    struct loc lb, lp;

    (void)state;
    run_start(&r, &cm_detector_flow_inbound, s, NULL);
    text_init(&text);
    for (int i = 0; i < 10; i++) {
        rec(&text, "eni-0web", "45.146.165.37", "10.0.1.14", 51000 + i, 22, 6, 12, 2000, t + 15 * i,
            t + 15 * i + 5, "ACCEPT");
    }
    for (int i = 0; i < 17; i++) {
        rec(&text, "eni-0web", "80.82.77.10", "10.0.1.14", 52000 + i, 7000 + i, 6, 3, 180,
            t + 200 + i, t + 201 + i, "ACCEPT");
    }
    feed(&r, &text);
    ckfx_save(r.engine, &w);
    assert_int_equal(count_type(&r.got, T_PROBE), 16); /* the 17th is over the budget */

    lb = locate(&w, 0, 0);
    assert_int_equal(lb.count, 1);
    assert_int_equal(lb.vsize, sizeof(struct m_brute));
    value_of(&w, &lb, &b, sizeof(b));
    assert_int_equal(b.nports, 8);
    assert_int_equal(b.next_port, 2);
    assert_true(b.used);
    lp = locate(&w, 1, 0);
    assert_int_equal(lp.count, 1);
    assert_int_equal(lp.vsize, sizeof(struct m_probes));
    value_of(&w, &lp, &p, sizeof(p));
    assert_int_equal(p.nports, 16);

    assert_int_equal(load_patched(&r, &w, 0, NULL, 0), 0);

    PATCH(&r, &w, &lb, struct m_brute, nports, 9);
    PATCH(&r, &w, &lb, struct m_brute, next_port, 8);
    {
        unsigned char two = 2; /* a bool other than 0 or 1 */
        assert_int_equal(load_patched(&r, &w, lb.val + offsetof(struct m_brute, used), &two, 1),
                         CM_EINVAL);
    }
    PATCH(&r, &w, &lb, struct m_brute, head, INT64_MAX);
    PATCH(&r, &w, &lb, struct m_brute, reported_ms, INT64_MAX);
    PATCH(&r, &w, &lb, struct m_brute, first_ms, INT64_MIN);
    PATCH(&r, &w, &lp, struct m_probes, nports, 17);
    PATCH(&r, &w, &lp, struct m_probes, window_start, INT64_MAX);
    PATCH(&r, &w, &lp, struct m_probes, first_ms[1], INT64_MIN);

    cm_ckpt_w_finish(&w);
    run_end(&r);
    cm_buf_finish(&text);
    cm_intel_snapshot_unref(s);
}

/* flow_pair: a pair and its instance load; a bad key family, bits, epoch or time do not. */
static void test_pair_codec(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    static struct run r;
    struct cm_ckpt_w w;
    struct cm_buf text;
    struct loc li, lp;
    uint8_t family = 5;

    (void)state;
    run_start(&r, &cm_detector_flow_pair, NULL, NULL);
    text_init(&text);
    rec(&text, "eni-5a", "10.0.5.5", "44.20.20.20", 45000, 443, 6, 1000, 1400000, t, t + 59,
        "ACCEPT");
    feed(&r, &text);
    ckfx_save(r.engine, &w);

    li = locate(&w, 0, 0); /* the instances come first */
    assert_int_equal(li.count, 1);
    assert_int_equal(li.vsize, sizeof(struct m_inst));
    lp = locate(&w, 1, 0);
    assert_int_equal(lp.count, 1);
    assert_int_equal(lp.vsize, sizeof(struct m_pair));
    assert_int_equal(lp.klen, 1 + 4 + strlen("eni-5a"));

    assert_int_equal(load_patched(&r, &w, 0, NULL, 0), 0);

    /* The key's family byte: neither IPv4 nor IPv6; IPv6 makes the key too short. */
    assert_int_equal(load_patched(&r, &w, lp.key, &family, 1), CM_EINVAL);
    family = CM_IP_V6;
    assert_int_equal(load_patched(&r, &w, lp.key, &family, 1), CM_EINVAL);
    PATCH(&r, &w, &lp, struct m_pair, dos_fired, 1u << 12); /* a minute the ring lacks */
    PATCH(&r, &w, &lp, struct m_pair, dos_pend, 1u << 12);
    PATCH(&r, &w, &lp, struct m_pair, ps_epoch, UINT32_MAX);
    PATCH(&r, &w, &lp, struct m_pair, dos_head, UINT32_MAX);
    PATCH(&r, &w, &lp, struct m_pair, dos_watch, UINT32_MAX);
    PATCH(&r, &w, &lp, struct m_pair, vol_hour, UINT32_MAX);
    PATCH(&r, &w, &li, struct m_inst, first_ms, INT64_MIN);
    PATCH(&r, &w, &li, struct m_inst, day, UINT32_MAX);

    cm_ckpt_w_finish(&w);
    run_end(&r);
    cm_buf_finish(&text);
}

/* intel_flow: an instance with its 8 peers tracked loads; 9, or a bool of 2, do not. */
static void test_intel_codec(void **state)
{
    const int64_t t = T0 + 10 * HOUR;
    struct cm_intel_snapshot *s = snapshot();
    static struct run r;
    struct cm_ckpt_w w;
    struct cm_buf text;
    struct m_peers p;
    struct loc l;
    unsigned char two = 2;

    (void)state;
    run_start(&r, &cm_detector_intel_flow, s, NULL);
    text_init(&text);
    for (int i = 0; i < 10; i++) {
        char src[32];

        snprintf(src, sizeof(src), "5.5.5.%d", 1 + i);
        rec(&text, "eni-0c", src, "10.0.0.7", 40001 + i, 9001, 6, 30, 9000, t + i, t + i + 60,
            "ACCEPT");
    }
    feed(&r, &text);
    ckfx_save(r.engine, &w);

    l = locate(&w, 0, 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.vsize, sizeof(struct m_peers));
    value_of(&w, &l, &p, sizeof(p));
    assert_int_equal(p.npeers, 8);
    assert_true(p.relay);

    assert_int_equal(load_patched(&r, &w, 0, NULL, 0), 0);
    PATCH(&r, &w, &l, struct m_peers, npeers, 9);
    assert_int_equal(load_patched(&r, &w, l.val + offsetof(struct m_peers, relay), &two, 1),
                     CM_EINVAL);

    cm_ckpt_w_finish(&w);
    run_end(&r);
    cm_buf_finish(&text);
    cm_intel_snapshot_unref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_history),
        cmocka_unit_test(test_host_sweep),
        cmocka_unit_test(test_host_sweep_tail),
        cmocka_unit_test(test_host_port_tail),
        cmocka_unit_test(test_inbound_brute),
        cmocka_unit_test(test_inbound_probe),
        cmocka_unit_test(test_inbound_tail_roundtrip),
        cmocka_unit_test(test_inbound_tor_port),
        cmocka_unit_test(test_pair_portscan),
        cmocka_unit_test(test_pair_checker_carried),
        cmocka_unit_test(test_pair_portscan_tail),
        cmocka_unit_test(test_pair_dos_tail),
        cmocka_unit_test(test_pair_volume_tail),
        cmocka_unit_test(test_pair_local_address),
        cmocka_unit_test(test_pair_local_several),
        cmocka_unit_test(test_three_share_learner),
        cmocka_unit_test(test_pair_volume),
        cmocka_unit_test(test_pair_pool),
        cmocka_unit_test(test_intel_tor),
        cmocka_unit_test(test_host_codec),
        cmocka_unit_test(test_inbound_codec),
        cmocka_unit_test(test_pair_codec),
        cmocka_unit_test(test_intel_codec),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
