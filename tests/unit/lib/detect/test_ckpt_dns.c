/*
 * Checkpoints of the DNS detectors (dns_dga.c, dns_tunnel.c, dns_rebind.c,
 * dns_reputation.c; detect/ckpt.h): a restart between two parts of a log
 * must not forget what the first part taught.
 *
 * Each round trip runs part A and part B three ways over the real parser
 * and an engine holding the detector alone: uninterrupted, with the engine
 * saved, destroyed and loaded into a fresh one between the parts
 * (ckfx_reload), and part B alone. The restarted run must make exactly the
 * detections of the uninterrupted one, and part B alone must make others:
 * what differs is what the state carried. The scenarios: half a DGA burst
 * before the restart; half a tunnel's names before it; a full DGA slot
 * table, a tunnel entry whose name set became a HyperLogLog, and an
 * instance's spread entry summing more names than a set holds, all loaded
 * back; a rebinding name's report window; the reputation detector's
 * learning day, known sites and report windows.
 *
 * Then each codec's check: a saved entry with an index, count or flag
 * patched out of range (or a byte the detector never writes) is refused
 * with CM_EINVAL, and the same entry with the largest value the detector
 * makes loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/ckpt.h"
#include "detect/detect.h"
#include "detect/dga.h"
#include "detect/dns.h"
#include "detect/dns_dga.h"
#include "detect/dns_kept.h"
#include "detect/dns_rep_impl.h"
#include "detect/dns_reputation.h"
#include "detect/dns_tunnel.h"

#include "dns_fixture.h"
#include "ckpt_fixture.h"

#define T0   1767607200LL /* 2026-01-05T10:00:00Z */
#define HOUR 3600LL

#define T_DGA    "Trojan:EC2/DGADomainRequest.B"
#define T_TUNNEL "Trojan:EC2/DNSDataExfiltration"
#define T_REBIND "UnauthorizedAccess:EC2/MetadataDNSRebind"
#define T_ABUSED "Impact:EC2/AbusedDomainRequest.Reputation"

/* ---- models ---- */

/* DGA: scores exactly the 16-character labels DGA-like (test_dns_dga.c's model16). */
static struct cm_dga_model *model16;
/* Reputation: scores every label low, so the DGA component stays out (test_dns_reputation.c's). */
static struct cm_dga_model *model_low;

#define MHEAD                                                                                      \
    "coalmine-dga 1\nhash_bits 10\nngram 1 1\nseed 3\nnorm none\ntokens 1\nquant 1000\n"           \
    "bias -5000\nlm none\n"

static int setup(void **state)
{
    static const char low[] = "coalmine-dga 1\nhash_bits 8\nngram 1 1\nseed 1\nnorm none\n"
                              "tokens 0\nquant 1000\nbias -3000\nlm none\nend\n";
    struct cm_dga_model *base = NULL;
    uint32_t idx[CM_DGA_MAX_FEATS];
    size_t nng, n;
    char text[512];
    int len;

    (void)state;
    assert_int_equal(cm_dga_model_parse(MHEAD "end\n", strlen(MHEAD "end\n"), &base, NULL), 0);
    n = cm_dga_features(base, "abcdefghijklmnop", 16, idx, &nng);
    assert_int_equal(n, nng + 1);
    len = snprintf(text, sizeof(text), MHEAD "w %u 15000\nend\n", (unsigned)idx[nng]);
    cm_dga_model_free(base);
    assert_int_equal(cm_dga_model_parse(text, (size_t)len, &model16, NULL), 0);
    assert_true(cm_dga_score_label(model16, "abcdefghijklmnop", 16) > 0.999);
    assert_int_equal(cm_dga_model_parse(low, strlen(low), &model_low, NULL), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cm_dga_model_free(model16);
    cm_dga_model_free(model_low);
    return 0;
}

/* ---- running in parts ---- */

/*
 * An engine holding one detector, fed the log in parts (dnsfx_run feeds it
 * whole): its detections go to r, r.engine is the live engine.
 */
struct ck {
    struct dnsfx_run r;
    const struct cm_detector *table[2];
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    bool decode;
};

/* Big (a run keeps 64 detections of 8 KiB): file-scope, not on the stack. */
static struct ck live;
static struct dnsfx_run whole, fresh;

/* Makes k's engine for det with opt, as dnsfx_run would. */
static void ck_open(struct ck *k, const struct cm_detector *det, const struct dnsfx_opts *opt)
{
    memset(k, 0, sizeof(*k));
    k->table[0] = det;
    k->cfg.dga = opt->dga;
    k->cfg.dns = opt->dns;
    k->o.config = &k->cfg;
    k->o.seed = opt->seed;
    k->o.lateness_ms = opt->lateness_ms;
    k->decode = opt->decode;
    k->r.type = opt->type;
    k->r.sink.emit = dnsfx_collect;
    k->r.sink.ud = &k->r;
    assert_int_equal(cm_engine_create(&k->r.engine, k->table, &k->o), 0);
}

/* Parses the records into k's engine, without a flush (windows stay open), then drops them. */
static void ck_feed(struct ck *k)
{
    const struct cm_parser *ps = cm_parser_by_name("dns");
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_parse_ctx ctx;

    assert_non_null(ps);
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 1 << 16, 0);
    cm_parse_ctx_init(&ctx, &doc);
    if (k->decode) {
        ctx.arena = &arena;
    }
    ctx.on_event = dnsfx_on_event;
    ctx.on_reject = dnsfx_on_reject;
    ctx.ud = &k->r;
    assert_int_equal(ps->parse(&ctx, dnsfx_text, dnsfx_len), 0);
    cm_json_doc_finish(&doc);
    cm_arena_finish(&arena);
    dnsfx_reset();
}

/* The restart: k's engine saved, destroyed, and loaded into a fresh one. */
static void ck_restart(struct ck *k)
{
    k->r.engine = ckfx_reload(k->r.engine, k->table, &k->o);
}

/* End of input: flushes and destroys k's engine. */
static void ck_close(struct ck *k)
{
    assert_int_equal(cm_engine_flush(k->r.engine, &k->r.sink), 0);
    cm_engine_state_stats(k->r.engine, &k->r.stats);
    cm_engine_destroy(k->r.engine);
    k->r.engine = NULL;
}

/* Fails unless a and b made the same detections in the same order. */
static void same_detections(const struct dnsfx_run *a, const struct dnsfx_run *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->d[i].type, b->d[i].type);
        assert_string_equal(a->d[i].resource, b->d[i].resource);
        assert_string_equal(a->d[i].info, b->d[i].info);
        assert_int_equal(a->d[i].count, b->d[i].count);
        assert_int_equal(a->d[i].first_ms, b->d[i].first_ms);
        assert_int_equal(a->d[i].time_ms, b->d[i].time_ms);
    }
}

/*
 * Runs part_a then part_b (each appends its records) three ways: whole,
 * uninterrupted; live.r, restarted between them; fresh, part B alone.
 * Fails unless the restarted run made the uninterrupted one's detections.
 */
static void three_runs(const struct cm_detector *det, const struct dnsfx_opts *opt,
                       void (*part_a)(void), void (*part_b)(void))
{
    dnsfx_reset();
    part_a();
    part_b();
    dnsfx_run(&whole, det, opt);
    dnsfx_reset();

    ck_open(&live, det, opt);
    part_a();
    ck_feed(&live);
    ck_restart(&live);
    part_b();
    ck_feed(&live);
    ck_close(&live);

    part_b();
    dnsfx_run(&fresh, det, opt);
    dnsfx_reset();

    same_detections(&whole, &live.r);
}

/* ---- checkpoint bytes ---- */

/*
 * Where entry i (SIZE_MAX: the last) of table t of the one detector a
 * checkpoint holds is: its value's offset (returned), its key's offset and
 * length, the value's size.
 */
static size_t entry_at(const struct cm_ckpt_w *w, unsigned t, size_t i, size_t *key_off,
                       size_t *klen, size_t *vsize)
{
    struct cm_ckpt_r r;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    r.off = ckfx_detectors_at(w->buf.p, w->buf.len); /* past the engine's own part */
    assert_int_equal(cm_ckpt_get_u32(&r), 1);        /* one detector */
    (void)cm_ckpt_get_str(&r, 64);
    (void)cm_ckpt_get_u32(&r);
    (void)cm_ckpt_section(&r);
    for (unsigned tab = 0;; tab++) {
        uint32_t vs = cm_ckpt_get_u32(&r);
        uint64_t n = cm_ckpt_get_u64(&r);

        (void)cm_ckpt_get_i64(&r);
        assert_int_equal(r.err, 0);
        if (tab == t) {
            assert_true(n > 0);
            i = i == SIZE_MAX ? (size_t)n - 1 : i;
            assert_true(i < n);
        }
        for (uint64_t e = 0; e < n; e++) {
            struct cm_str key = cm_ckpt_get_str(&r, 65536);

            (void)cm_ckpt_get_i64(&r);
            (void)cm_ckpt_get_u8(&r);
            assert_int_equal(r.err, 0);
            if (tab == t && e == i) {
                *key_off = (size_t)(key.p - w->buf.p);
                *klen = key.len;
                *vsize = vs;
                return r.off;
            }
            assert_non_null(cm_ckpt_take(&r, vs));
        }
    }
}

static bool nonzero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return true;
        }
    }
    return false;
}

static uint32_t get_u32(const struct cm_ckpt_w *w, size_t off)
{
    uint32_t v;

    memcpy(&v, w->buf.p + off, sizeof(v)); /* values are the host's bytes */
    return v;
}

/* What ckfx_load says of w's bytes with p[0..n) written at off (put back after). */
static int load_with(struct ck *k, struct cm_ckpt_w *w, size_t off, const void *p, size_t n)
{
    char old[256];
    struct cm_engine *e = NULL;
    int rc;

    assert_true(n <= sizeof(old) && off + n <= w->buf.len);
    memcpy(old, w->buf.p + off, n);
    memcpy(w->buf.p + off, p, n);
    rc = ckfx_load(k->table, &k->o, w->buf.p, w->buf.len, &e, NULL, 0);
    cm_engine_destroy(e);
    memcpy(w->buf.p + off, old, n);
    return rc;
}

/* What ckfx_load says of w as saved. */
static int load_plain(struct ck *k, const struct cm_ckpt_w *w)
{
    struct cm_engine *e = NULL;
    int rc = ckfx_load(k->table, &k->o, w->buf.p, w->buf.len, &e, NULL, 0);

    cm_engine_destroy(e);
    return rc;
}

static int load_u8(struct ck *k, struct cm_ckpt_w *w, size_t off, uint8_t v)
{
    return load_with(k, w, off, &v, 1);
}

static int load_u32(struct ck *k, struct cm_ckpt_w *w, size_t off, uint32_t v)
{
    return load_with(k, w, off, &v, sizeof(v));
}

/* Saves into w (initialised here) what det learns from part alone; live keeps the settings. */
static void save_after(const struct cm_detector *det, const struct dnsfx_opts *opt,
                       void (*part)(void), struct cm_ckpt_w *w)
{
    ck_open(&live, det, opt);
    dnsfx_reset();
    part();
    ck_feed(&live);
    ckfx_save(live.r.engine, w);
    cm_engine_destroy(live.r.engine);
    live.r.engine = NULL;
}

/* The value of the first entry of table 0 whose key does (spread) or does not end in '\0'. */
static size_t entry_ending(const struct cm_ckpt_w *w, bool nul, size_t max)
{
    size_t v, koff, klen, vsize;

    for (size_t i = 0; i < max; i++) {
        v = entry_at(w, 0, i, &koff, &klen, &vsize);
        if ((w->buf.p[koff + klen - 1] == '\0') == nul) {
            return v;
        }
    }
    fail_msg("no such entry");
    return 0;
}

/* ---- dns-dga ---- */

static const struct cm_dns_tunings dns_defaults;

/*
 * Offsets in dns_dga.c's struct inst (three times, pending, nslots, then
 * MAX_SLOTS slots, the kept query, its score, its registered domain's
 * length, pad) and struct slot (h, time_s, weight, nx, rec, pad).
 */
enum {
    I_PENDING = 24,
    I_NSLOTS = 28,
    I_SLOT = 32,
    SLOT_SIZE = 12,
    I_LAST = I_SLOT + 64 * SLOT_SIZE,
    I_SCORE = I_LAST + (int)sizeof(struct cm_dns_kept),
    I_REG = I_SCORE + 8,
    I_IPAD = I_REG + 4,
    I_SIZE = I_IPAD + 4
};
enum { S_TIME = 4, S_WEIGHT = 8, S_NX = 9, S_REC = 10, S_PAD = 11 };

static const struct dnsfx_opts dga_opts = {.seed = 11,
                                           .lateness_ms = 15 * 60 * 1000,
                                           .dga = NULL, /* set in each test: model16 */
                                           .dns = &dns_defaults,
                                           .type = T_DGA};

/* A query at T0 + at seconds from instance for the i-th DGA-like registered domain. */
static void dga_q(int64_t at, const char *instance, unsigned i, const char *rcode)
{
    char name[64];

    snprintf(name, sizeof(name), "qz%014u.com", i);
    dnsfx_add(
        &(struct dnsfx_query){.t = T0 + at, .instance = instance, .name = name, .rcode = rcode});
}

/* Half a burst: three resolving DGA-like domains and one NXDOMAIN (weight 5 of 8). */
static void dga_a(void)
{
    for (unsigned i = 0; i < 3; i++) {
        dga_q(i * 20, "i-0dga", i, NULL);
    }
    dga_q(60, "i-0dga", 3, "NXDOMAIN");
}

/* The rest: three more resolving ones (weight 8 with the first half's). */
static void dga_b(void)
{
    for (unsigned i = 4; i < 7; i++) {
        dga_q(60 + (i - 3) * 20, "i-0dga", i, NULL);
    }
}

static void test_dga_roundtrip(void **state)
{
    struct dnsfx_opts o = dga_opts;

    (void)state;
    o.dga = model16;
    three_runs(&cm_detector_dns_dga, &o, dga_a, dga_b);
    /* Uninterrupted: the seventh domain completes the burst; every query counted. */
    assert_int_equal(whole.n, 1);
    assert_string_equal(whole.d[0].resource, "i-0dga");
    assert_int_equal(whole.d[0].count, 7);
    assert_int_equal(whole.d[0].first_ms, T0 * 1000);
    assert_int_equal(dnsfx_info_num(whole.d[0].info, "distinctDomains"), 7);
    assert_int_equal(dnsfx_info_num(whole.d[0].info, "nxdomainDomains"), 1);
    /* Part B alone is three domains: no burst. */
    assert_int_equal(fresh.n, 0);
}

/* 70 distinct domains: every one of the 64 slots in use, the burst reported once. */
static void dga_full_a(void)
{
    for (unsigned i = 0; i < 70; i++) {
        dga_q(i, "i-0dga", i, i % 3 == 0 ? "NXDOMAIN" : NULL);
    }
}

/*
 * A window after the report, three more: the first is reported at once
 * with the 64 queries left from part A, whose domains are still in the
 * window; part B alone is three domains, no burst.
 */
static void dga_full_b(void)
{
    for (unsigned i = 0; i < 3; i++) {
        dga_q(605 + i, "i-0dga", 100 + i, NULL);
    }
}

static void test_dga_full_slots(void **state)
{
    struct dnsfx_opts o = dga_opts;
    struct cm_ckpt_w w;
    size_t v, koff, klen, vsize;

    (void)state;
    o.dga = model16;
    /* What part A leaves: every slot in use. */
    save_after(&cm_detector_dns_dga, &o, dga_full_a, &w);
    v = entry_at(&w, 0, 0, &koff, &klen, &vsize);
    assert_int_equal(get_u32(&w, v + I_NSLOTS), 64);
    assert_int_equal(load_plain(&live, &w), 0);
    /* One more than the slots: refused by the bound alone (every slot is in use). */
    assert_int_equal(load_u32(&live, &w, v + I_NSLOTS, 65), CM_EINVAL);
    cm_ckpt_w_finish(&w);

    three_runs(&cm_detector_dns_dga, &o, dga_full_a, dga_full_b);
    /*
     * The burst at the sixth domain (two NXDOMAIN), then the rest with part B's first,
     * then part B's other two when the entry expires (from the kept query: a restart
     * between keeps it).
     */
    assert_int_equal(whole.n, 3);
    assert_int_equal(whole.d[2].count, 2);
    assert_int_equal(whole.d[2].time_ms, (T0 + 607) * 1000);
    assert_int_equal(whole.d[0].count, 6);
    assert_int_equal(whole.d[1].count, 70 - 6 + 1);
    assert_int_equal(whole.d[1].first_ms, (T0 + 6) * 1000);
    assert_int_equal(whole.d[1].time_ms, (T0 + 605) * 1000);
    assert_int_equal(dnsfx_info_num(whole.d[1].info, "distinctDomains"), 64);
    assert_int_equal(fresh.n, 0);
}

static void dga_one(void)
{
    dga_q(0, "i-0dga", 1, NULL);
}

/* An instance's entry after one DGA-like query: nslots 1, slot 0 used. */
static size_t dga_saved(struct cm_ckpt_w *w)
{
    struct dnsfx_opts o = dga_opts;
    size_t koff, klen, vsize, v;

    o.dga = model16;
    save_after(&cm_detector_dns_dga, &o, dga_one, w);
    v = entry_at(w, 0, 0, &koff, &klen, &vsize);
    assert_int_equal(vsize, I_SIZE);
    assert_int_equal(get_u32(w, v + I_PENDING), 1);
    assert_int_equal(get_u32(w, v + I_NSLOTS), 1);
    return v;
}

static void test_dga_check(void **state)
{
    struct cm_ckpt_w w;
    size_t v = dga_saved(&w), s0 = v + I_SLOT, s1 = s0 + SLOT_SIZE;

    (void)state;
    assert_int_equal(load_plain(&live, &w), 0); /* as saved */
    /* nslots bounds the loops over the slots */
    assert_int_equal(load_u32(&live, &w, v + I_NSLOTS, 65), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, v + I_NSLOTS, UINT32_MAX), CM_EINVAL);
    /* ... and says which are in use: slot 1 is free, slot 0 is not */
    assert_int_equal(load_u32(&live, &w, v + I_NSLOTS, 2), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, v + I_NSLOTS, 0), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, s1 + S_TIME + 1, 1), CM_EINVAL); /* a free slot written */
    /* a used slot: a hash, a weight (0 only for a mail check, rec 1), nx a 0/1 flag, pad zero */
    assert_int_equal(load_u32(&live, &w, s0, 0), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, s0 + S_WEIGHT, 0), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, s0 + S_NX, 2), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, s0 + S_REC, 1), CM_EINVAL); /* with a weight */
    assert_int_equal(load_u8(&live, &w, s0 + S_REC, 2), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, s0 + S_PAD, 1), CM_EINVAL);
    /* what the detector makes: an NXDOMAIN flag, any weight up to nx_weight's 255 */
    assert_int_equal(load_u8(&live, &w, s0 + S_NX, 1), 0);
    assert_int_equal(load_u8(&live, &w, s0 + S_WEIGHT, 255), 0);
    /* the kept query (none yet): a score in [0, 1], a domain's length, pad zero */
    {
        double bad = 1.5, ok = 0.97;

        assert_int_equal(load_with(&live, &w, v + I_SCORE, &bad, sizeof(bad)), CM_EINVAL);
        assert_int_equal(load_with(&live, &w, v + I_SCORE, &ok, sizeof(ok)), 0);
    }
    assert_int_equal(load_u32(&live, &w, v + I_REG, 254), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, v + I_REG, 253), 0);
    assert_int_equal(load_u32(&live, &w, v + I_IPAD, 1), CM_EINVAL);
    cm_ckpt_w_finish(&w);
}

/* ---- dns-tunnel ---- */

#define I1 "i-0a1b2c3d4e5f60718"

static const struct dnsfx_opts tunnel_opts = {
    .seed = 7, .lateness_ms = 5 * 60 * 1000, .type = T_TUNNEL, .decode = true};

/* A deterministic string of n characters from alphabet, for stream s and item i. */
static void rnd(char *out, size_t n, const char *alphabet, uint64_t s, uint64_t i)
{
    uint64_t x = s * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL + 1;
    size_t m = strlen(alphabet);

    for (size_t k = 0; k < n; k++) {
        x ^= x >> 31;
        x *= 0x94d049bb133111ebULL;
        x ^= x >> 29;
        out[k] = alphabet[(x >> 11) % m];
    }
    out[n] = '\0';
}

#define HEX "0123456789abcdef"
#define B36 "abcdefghijklmnopqrstuvwxyz0123456789"

/*
 * Offsets in dns_tunnel.c's struct entry (424 bytes) of the members its
 * check reads; the tests assert the values there before patching them, so
 * a layout change fails loudly (and wants DNS_TUNNEL_STATE_VERSION bumped).
 */
enum {
    E_NAMES = 44,
    E_QN = 144,
    E_FULL = 160,
    E_U = 168,
    E_DATA_HLL = 296,
    E_REC = 424,     /* struct rec: time_ms, then its src, src_ip and srcport */
    E_REC_LEN = 480, /* rec.len[]: the packed fields' lengths, the name's last (11) */
    E_SIZE = 952,
    /* a suffix's entry: u holds struct search (3 zone hashes, 16 name hashes, the counts) */
    E_SEARCH_DOMS = 76,
    E_SEARCH_HELD = 77
};

/* A query at t for name i of a dnscat2-like stream: 60 hex characters (30 bytes). */
static void hex_q(int64_t t, int i, const char *qtype)
{
    char h[64], name[128];

    rnd(h, 60, HEX, 5, (uint64_t)i);
    snprintf(name, sizeof(name), "%s.hacker-dnscat.com", h);
    dnsfx_add(&(struct dnsfx_query){
        .t = t, .instance = I1, .name = name, .escape_name = true, .qtype = qtype});
}

/* Half a tunnel: four names of 30 bytes (eight carrying 200 fire). */
static void tunnel_a(void)
{
    for (int i = 0; i < 4; i++) {
        hex_q(T0 + i * 60, i, "A");
    }
}

static void tunnel_b(void)
{
    for (int i = 4; i < 8; i++) {
        hex_q(T0 + i * 60, i, "A");
    }
}

/* A tunnel that fires at its eighth name and sends four more (part A); nothing after (B). */
static void tunnel_after_a(void)
{
    for (int i = 0; i < 12; i++) {
        hex_q(T0 + i * 60, i, "TXT");
    }
}

static void tunnel_after_b(void)
{
    dnsfx_add(&(struct dnsfx_query){
        .t = T0 + 2 * 3600, .instance = I1, .name = "www.example.com", .qtype = "A"});
}

static void test_tunnel_roundtrip(void **state)
{
    (void)state;
    /*
     * The four names after the detection are reported when the entry expires, built from
     * the last of them: a restart between keeps that query (struct rec).
     */
    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_after_a, tunnel_after_b);
    assert_int_equal(whole.n, 2);
    assert_int_equal(whole.d[1].count, 4);
    assert_int_equal(whole.d[1].first_ms, (T0 + 8 * 60) * 1000);
    assert_int_equal(whole.d[1].time_ms, (T0 + 11 * 60) * 1000);
    assert_int_equal(fresh.n, 0);

    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_a, tunnel_b);
    assert_int_equal(whole.n, 1);
    assert_string_equal(whole.d[0].resource, I1);
    assert_int_equal(whole.d[0].count, 8);
    assert_int_equal(whole.d[0].first_ms, T0 * 1000);
    assert_int_equal(dnsfx_info_num(whole.d[0].info, "uniqueSubdomains"), 8);
    assert_int_equal(dnsfx_info_num(whole.d[0].info, "bytes"), 240);
    assert_int_equal(fresh.n, 0);
}

/* ---- dns-tunnel: search domains (dns_tunnel_search.c) ---- */

/* An NXDOMAIN query of I1 for name at t. */
static void nx_q(int64_t t, const char *name)
{
    dnsfx_add(&(struct dnsfx_query){
        .t = t, .instance = I1, .name = name, .escape_name = true, .rcode = "NXDOMAIN"});
}

/* Name i of a tunnel spelling one zone (from) and expansions under corp.example.com (as). */
static void search_names(int from, int to, bool corp)
{
    char a[40], name[200];

    for (int i = from; i < to; i++) {
        rnd(a, 32, B36, 51, (uint64_t)i);
        snprintf(name, sizeof(name), "%s.s3.amazonaws.com.evil-nx.com", a);
        nx_q(T0 + i * 60, name);
        if (corp) {
            snprintf(name, sizeof(name), "%s.s3.amazonaws.com.corp.example.com", a);
            nx_q(T0 + i * 60 + 1, name);
        }
    }
}

/* corp.example.com learned (three zones), and ten names of the tunnel held. */
static void search_a(void)
{
    char h[40], name[200];

    rnd(h, 32, HEX, 52, 0);
    snprintf(name, sizeof(name), "%s.us-east-1.aws.found.io.corp.example.com", h);
    nx_q(T0, name);
    snprintf(name, sizeof(name), "logs-%.16s.s3.amazonaws.com.corp.example.com", h);
    nx_q(T0, name);
    snprintf(name, sizeof(name), "%s.lambda-url.us-east-1.on.aws.corp.example.com", h);
    nx_q(T0, name);
    search_names(0, 10, false);
}

/* Thirty more names of the tunnel; one zone's expansions under the learned suffix. */
static void search_b(void)
{
    search_names(10, 40, true);
}

static uint32_t total(const struct dnsfx_run *r, const char *dom)
{
    char want[128];
    uint32_t n = 0;

    snprintf(want, sizeof(want), "\"domain\":\"%s\"", dom);
    for (size_t i = 0; i < r->n; i++) {
        n += strstr(r->d[i].info, want) != NULL ? r->d[i].count : 0;
    }
    return n;
}

/* The state file's version of the one detector of w, set to v in a copy's bytes; its offset. */
static size_t version_at(const struct cm_ckpt_w *w)
{
    struct cm_ckpt_r r;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    r.off = ckfx_detectors_at(w->buf.p, w->buf.len);
    assert_int_equal(cm_ckpt_get_u32(&r), 1);
    (void)cm_ckpt_get_str(&r, 64);
    return r.off;
}

/*
 * A suffix's learning survives a restart: corp.example.com stays a search domain, and the
 * tunnel's ten names held before it count toward the sixteen (a fresh start holds sixteen
 * of part B's). A state file of version 5 (before 2026-12-06: no suffix entries) is read;
 * one of version 4 starts the detector afresh. A suffix entry's counts are checked.
 */
static void test_tunnel_search_roundtrip(void **state)
{
    struct cm_ckpt_w w, v;
    struct cm_engine *e2 = NULL;
    char dropped[256];
    size_t at, koff, klen, vsize, sv = SIZE_MAX;
    struct cm_ckpt_r r;

    (void)state;
    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, search_a, search_b);
    assert_true(whole.n >= 1);
    assert_int_equal(total(&whole, "example.com"), 0);
    assert_true(total(&whole, "evil-nx.com") >= 16);
    assert_true(total(&fresh, "evil-nx.com") < total(&whole, "evil-nx.com"));

    save_after(&cm_detector_dns_tunnel, &tunnel_opts, search_a, &w);
    at = version_at(&w);
    cm_ckpt_r_init(&r, w.buf.p, w.buf.len);
    r.off = at;
    assert_int_equal(cm_ckpt_get_u32(&r), 6);
    for (uint32_t ver = 5; ver >= 4; ver--) {
        cm_ckpt_w_init(&v, 0);
        cm_ckpt_put_u32(&v, ver);
        memcpy(w.buf.p + at, v.buf.p, 4);
        cm_ckpt_w_finish(&v);
        dropped[0] = '\0';
        assert_int_equal(
            ckfx_load(live.table, &live.o, w.buf.p, w.buf.len, &e2, dropped, sizeof(dropped)), 0);
        cm_engine_destroy(e2);
        if (ver == 5) {
            assert_string_equal(dropped, "");
        } else {
            assert_non_null(strstr(dropped, "dns-tunnel"));
        }
    }
    cm_ckpt_w_finish(&w);

    /* The suffix's entry: key I1 '\0' '\0' evil-nx.com (or corp.example.com). */
    save_after(&cm_detector_dns_tunnel, &tunnel_opts, search_a, &w);
    for (size_t i = 0; i < 2 && sv == SIZE_MAX; i++) {
        size_t val = entry_at(&w, 0, i, &koff, &klen, &vsize);

        if (klen > strlen(I1) + 2 && w.buf.p[koff + strlen(I1) + 1] == '\0') {
            sv = val;
        }
    }
    assert_true(sv != SIZE_MAX);
    assert_int_equal(load_plain(&live, &w), 0);
    assert_int_equal(load_u8(&live, &w, sv + E_U + E_SEARCH_DOMS, 4), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, sv + E_U + E_SEARCH_DOMS, 3), 0);
    assert_int_equal(load_u8(&live, &w, sv + E_U + E_SEARCH_HELD, 17), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, sv + E_U + E_SEARCH_HELD, 16), 0);
    assert_int_equal(load_u8(&live, &w, sv + E_FULL, 1), CM_EINVAL);
    cm_ckpt_w_finish(&w);
}

/*
 * 40 names (fires at the eighth; past 32 the set is a HyperLogLog) and TXT
 * polls (the data-type HyperLogLog) before the restart.
 */
static void tunnel_full_a(void)
{
    for (int i = 0; i < 40; i++) {
        hex_q(T0 + i * 10, i, i % 2 ? "TXT" : "A");
    }
}

/* Ten more in the window (counted, not reported), then eight past it: reported with the rest. */
static void tunnel_full_b(void)
{
    for (int i = 40; i < 50; i++) {
        hex_q(T0 + 600 + i, i, "TXT");
    }
    for (int i = 50; i < 58; i++) {
        hex_q(T0 + HOUR + 700 + i, i, "A");
    }
}

static void test_tunnel_full_set(void **state)
{
    struct cm_ckpt_w w;
    size_t v;

    (void)state;
    /* What part A leaves: the domain's set is a HyperLogLog, data_hll has registers. */
    save_after(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_full_a, &w);
    v = entry_ending(&w, false, 2);
    assert_int_equal(get_u32(&w, v + E_NAMES), 32);          /* names */
    assert_int_equal((unsigned char)w.buf.p[v + E_FULL], 1); /* full */
    assert_true(nonzero(w.buf.p + v + E_DATA_HLL, 128));     /* data_hll */
    cm_ckpt_w_finish(&w);

    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_full_a, tunnel_full_b);
    assert_int_equal(whole.n, 2);
    assert_int_equal(whole.d[0].count, 8);
    assert_int_equal(whole.d[1].count, 40 - 8 + 10 + 8);
    /* Part B alone fires in its first window, at its eighth name. */
    assert_true(fresh.n >= 1);
    assert_int_equal(fresh.d[0].count, 8);
    assert_int_equal(fresh.d[0].time_ms, (T0 + 600 + 47) * 1000);
}

/* Name i of spread stream s under dom: 30 base36 characters with digits among the letters. */
static void spread_q(int64_t t, int s, int i, const char *dom)
{
    char b[40], name[128];

    rnd(b, 30, B36, 30 + (uint64_t)s, (uint64_t)i);
    b[4] = '3';
    b[13] = '8';
    b[22] = '5';
    snprintf(name, sizeof(name), "%s.%s", b, dom);
    dnsfx_add(&(struct dnsfx_query){
        .t = t, .instance = I1, .name = name, .escape_name = true, .qtype = "A"});
}

static const char *const spread_doms[] = {"onedrive.agency",     "0ffice365.life",
                                          "sharepoint-cdn.live", "teams-update.work",
                                          "msft-login.site",     "outl00k.info"};

/* RogueRobin: six domains of seven names, each under the per-domain rules; the spread fires. */
static void spread_a(void)
{
    for (int d = 0; d < 6; d++) {
        for (int i = 0; i < 7; i++) {
            spread_q(T0 + (d * 7 + i) * 20, d, i, spread_doms[d]);
        }
    }
}

/* The first domain goes on: eleven names, 206 bytes, fire on their own. */
static void spread_b(void)
{
    for (int i = 7; i < 11; i++) {
        spread_q(T0 + 1200 + i * 20, 0, i, spread_doms[0]);
    }
}

static void test_tunnel_spread(void **state)
{
    struct cm_ckpt_w w;

    (void)state;
    /* After part A the instance's spread entry sums 42 names, more than a set holds. */
    save_after(&cm_detector_dns_tunnel, &tunnel_opts, spread_a, &w);
    assert_int_equal(get_u32(&w, entry_ending(&w, true, 7) + E_NAMES), 6 * 7); /* names */
    cm_ckpt_w_finish(&w);

    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, spread_a, spread_b);
    assert_int_equal(whole.n, 3);
    assert_non_null(strstr(whole.d[0].info, "\"spread\":true"));
    assert_null(strstr(whole.d[1].info, "\"spread\""));
    /* Its eleven queries but what the spread reported of them. */
    assert_true(whole.d[1].count < 11);
    /* the other domains' queries after the spread's detection, as its entry expires */
    assert_non_null(strstr(whole.d[2].info, "\"spread\":true"));
    assert_int_equal(whole.d[0].count + whole.d[1].count + whole.d[2].count, 6 * 7 + 4);
    assert_int_equal(fresh.n, 0);
}

/* Three of the spread's domains go on with two names each: the spread's tail. */
static void spread_tail_b(void)
{
    for (int d = 1; d < 4; d++) {
        for (int i = 7; i < 9; i++) {
            spread_q(T0 + 1200 + (d * 2 + i) * 20, d, i, spread_doms[d]);
        }
    }
}

/*
 * The queries after a spread detection, across a restart: the instance's
 * spread entry, saved with them, reports them as it expires, as one run
 * does; every query once (before 2026-12-05 the tail was never reported).
 */
static void test_tunnel_spread_tail(void **state)
{
    uint32_t total = 0;

    (void)state;
    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, spread_a, spread_tail_b);
    assert_int_equal(whole.n, 2);
    for (size_t i = 0; i < whole.n; i++) {
        assert_non_null(strstr(whole.d[i].info, "\"spread\":true"));
        total += whole.d[i].count;
    }
    assert_int_equal(total, 6 * 7 + 3 * 2);
    assert_int_equal(whole.d[1].time_ms, (T0 + 1200 + (3 * 2 + 8) * 20) * 1000);
    assert_int_equal(fresh.n, 0);
}

/* A domain's entry (entry 0) and the instance's spread entry (entry 1) after two encoded TXT
 * queries. */
static void tunnel_two(void)
{
    hex_q(T0, 0, "TXT");
    hex_q(T0 + 60, 1, "TXT");
}

static void tunnel_saved(struct cm_ckpt_w *w, size_t *dom, size_t *dkey, size_t *spread)
{
    size_t koff, klen, vsize;

    save_after(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_two, w);
    *dom = entry_at(w, 0, 0, &koff, &klen, &vsize);
    assert_int_equal(vsize, E_SIZE);
    assert_int_equal(klen, strlen(I1) + 1 + strlen("hacker-dnscat.com"));
    *dkey = koff;
    assert_int_equal(get_u32(w, *dom + E_NAMES), 2);             /* names */
    assert_int_equal((unsigned char)w->buf.p[*dom + E_QN], 2);   /* qn */
    assert_int_equal((unsigned char)w->buf.p[*dom + E_FULL], 0); /* full */
    *spread = entry_at(w, 0, 1, &koff, &klen, &vsize);
    assert_int_equal(klen, strlen(I1) + 1);
    assert_int_equal(w->buf.p[koff + klen - 1], '\0');
}

static void test_tunnel_check(void **state)
{
    struct cm_ckpt_w w;
    size_t d, dkey, x;
    uint8_t regs[128];

    (void)state;
    tunnel_saved(&w, &d, &dkey, &x);
    assert_int_equal(load_plain(&live, &w), 0); /* as saved */
    /* A domain's names bounds the loop over its set. */
    assert_int_equal(load_u32(&live, &w, d + E_NAMES, 33), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, d + E_NAMES, UINT32_MAX), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, d + E_NAMES, 32), 0);
    /* full is a flag, set only with a full set */
    assert_int_equal(load_u8(&live, &w, d + E_FULL, 2), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, d + E_FULL, 1), CM_EINVAL);
    /* qn counts up to 2 */
    assert_int_equal(load_u8(&live, &w, d + E_QN, 3), CM_EINVAL);
    /* data_hll: registers up to 65 - 7 */
    assert_int_equal(load_u8(&live, &w, d + E_DATA_HLL + 5, 59), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, d + E_DATA_HLL + 5, 58), 0);
    /* A full entry: names 32, u a HyperLogLog whose registers are checked too. */
    {
        uint8_t patch[E_U + 128 - E_NAMES];

        memcpy(patch, w.buf.p + d + E_NAMES, sizeof(patch));
        memset(patch, 0, 4);
        patch[0] = 32;               /* names */
        patch[E_FULL - E_NAMES] = 1; /* full */
        memset(regs, 58, sizeof(regs));
        memcpy(patch + E_U - E_NAMES, regs, sizeof(regs));
        assert_int_equal(load_with(&live, &w, d + E_NAMES, patch, sizeof(patch)), 0);
        /* ... full only as a 0/1 flag, and only with names at SET_MAX */
        patch[E_FULL - E_NAMES] = 2;
        assert_int_equal(load_with(&live, &w, d + E_NAMES, patch, sizeof(patch)), CM_EINVAL);
        patch[E_FULL - E_NAMES] = 1;
        patch[0] = 31;
        assert_int_equal(load_with(&live, &w, d + E_NAMES, patch, sizeof(patch)), CM_EINVAL);
        patch[0] = 32;
        patch[E_U - E_NAMES + 100] = 59;
        assert_int_equal(load_with(&live, &w, d + E_NAMES, patch, sizeof(patch)), CM_EINVAL);
        /* The set's hashes are no registers: full set on an entry in set mode is refused. */
        memcpy(patch + E_U - E_NAMES, w.buf.p + d + E_U, sizeof(regs));
        patch[E_U - E_NAMES] = 0xff;
        assert_int_equal(load_with(&live, &w, d + E_NAMES, patch, sizeof(patch)), CM_EINVAL);
    }
    /* The kept query of an entry that fired (entry 1: the spread entry is first): its lengths
     * bound the text. */
    {
        struct cm_ckpt_w f;
        size_t v, koff, klen, vsize;

        save_after(&cm_detector_dns_tunnel, &tunnel_opts, tunnel_after_a, &f);
        v = entry_at(&f, 0, 1, &koff, &klen, &vsize);
        assert_int_equal(klen, strlen(I1) + 1 + strlen("hacker-dnscat.com"));
        assert_int_equal(get_u32(&f, v + E_REC + 4), (uint32_t)((T0 + 11 * 60) * 1000 >> 32));
        assert_int_equal(load_plain(&live, &f), 0);
        assert_int_equal(load_u8(&live, &f, v + E_REC_LEN, 65), CM_EINVAL); /* a field > 64 */
        assert_int_equal(load_u8(&live, &f, v + E_REC_LEN, 64), 0);
        /* the name: at most the text's 448 bytes (0x1c1 is 449) */
        assert_int_equal(load_with(&live, &f, v + E_REC_LEN + 22, "\xc1\x01", 2), CM_EINVAL);
        assert_int_equal(load_u8(&live, &f, v + E_REC + 7, 0x7f), CM_EINVAL); /* its time */
        cm_ckpt_w_finish(&f);
    }
    /* A key without the '\0' between instance and domain is none the detector makes. */
    assert_int_equal(load_u8(&live, &w, dkey + strlen(I1), 'x'), CM_EINVAL);
    /* The spread entry sums names over domains (any count) but holds none itself. */
    assert_int_equal(load_u32(&live, &w, x + E_NAMES, 1000), 0);
    assert_int_equal(load_u8(&live, &w, x + E_FULL, 1), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, x + E_QN, 1), CM_EINVAL);
    cm_ckpt_w_finish(&w);
}

/* A slow tunnel: one 20-byte name every ten minutes under slow-drip.net. */
static void slow_q(int i)
{
    char h[48], name[128];

    rnd(h, 40, HEX, 9, (uint64_t)i);
    snprintf(name, sizeof(name), "%s.slow-drip.net", h);
    dnsfx_add(&(struct dnsfx_query){
        .t = T0 + (int64_t)i * 600, .instance = I1, .name = name, .qtype = "A"});
}

static void slow_a(void)
{
    for (int i = 0; i < 30; i++) {
        slow_q(i);
    }
}

static void slow_b(void)
{
    for (int i = 30; i < 60; i++) {
        slow_q(i);
    }
}

/* struct slow (lib/detect/dns_tunnel_impl.h) as saved. */
enum { S_QUERIES = 40, S_PENDING = 44, S_NAMES = 56, S_FULL = 60, S_U = 64, S_SIZE = 320 };

/* The trickle's day survives a restart: the 48th name fires whichever side of it. */
static void test_tunnel_slow(void **state)
{
    struct cm_ckpt_w w;
    size_t v, koff, klen, vsize;

    (void)state;
    save_after(&cm_detector_dns_tunnel, &tunnel_opts, slow_a, &w);
    /* the slow tables' one entry: 30 names, in the tier of 16-31 (table 1 + 4) */
    v = entry_at(&w, 1 + 4, 0, &koff, &klen, &vsize);
    assert_int_equal(vsize, S_SIZE);
    assert_int_equal(klen, strlen(I1) + 1 + strlen("slow-drip.net"));
    assert_int_equal(get_u32(&w, v + S_QUERIES), 30);
    assert_int_equal(get_u32(&w, v + S_NAMES), 30);
    assert_int_equal(load_plain(&live, &w), 0); /* as saved */
    /* names bounds the loop over the set; full is a flag, set only with a full set */
    assert_int_equal(load_u32(&live, &w, v + S_NAMES, 65), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, v + S_FULL, 2), CM_EINVAL);
    assert_int_equal(load_u32(&live, &w, v + S_FULL, 1), CM_EINVAL);
    /* pending never exceeds queries */
    assert_int_equal(load_u32(&live, &w, v + S_PENDING, 31), CM_EINVAL);
    /* a full set's registers are checked: 32 hashes read as registers are refused */
    {
        uint32_t full[3] = {64, 1, 0xffffffffu}; /* names, full, the first hash's bytes */

        assert_int_equal(load_with(&live, &w, v + S_NAMES, full, sizeof(full)), CM_EINVAL);
        full[2] = 0x3a3a3a3au; /* registers of 58 are fine, the rest of the set is not */
        assert_int_equal(load_with(&live, &w, v + S_NAMES, full, sizeof(full)), CM_EINVAL);
    }
    /* a key without its domain is none the detector makes */
    assert_int_equal(load_u8(&live, &w, koff + strlen(I1), 'x'), CM_EINVAL);
    cm_ckpt_w_finish(&w);

    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, slow_a, slow_b);
    assert_int_equal(whole.n, 2); /* the 48th name's detection, then the 12 after it */
    assert_non_null(strstr(whole.d[0].info, "\"slow\":true"));
    assert_int_equal(whole.d[0].count, 48);
    assert_int_equal(whole.d[1].count, 12);
    assert_non_null(strstr(whole.d[1].info, "\"slow\":true"));
    assert_int_equal(fresh.n, 0); /* part B alone: 30 names */
}

static void slow_a50(void)
{
    for (int i = 0; i < 50; i++) {
        slow_q(i);
    }
}

static void slow_b10(void)
{
    for (int i = 50; i < 60; i++) {
        slow_q(i);
    }
}

/*
 * The trickle's slow detection at its 48th name before the restart, 2 names after it before
 * and 10 after the restart: the window entry the detection marked, carried by the checkpoint,
 * reports the 12 as it expires (the end of input), as one run does. Before 2026-12-05 they
 * were never reported.
 */
static void test_tunnel_slow_tail(void **state)
{
    (void)state;
    three_runs(&cm_detector_dns_tunnel, &tunnel_opts, slow_a50, slow_b10);
    assert_int_equal(whole.n, 2);
    assert_int_equal(whole.d[0].count, 48);
    assert_int_equal(whole.d[1].count, 12);
    assert_int_equal(whole.d[1].time_ms, (T0 + 59 * 600) * 1000);
}

/* ---- dns-rebind ---- */

#define IMDS4 "169.254.169.254"

static const struct dnsfx_opts rebind_opts = {.seed = 11, .type = T_REBIND};

static void rebind_q(int64_t at, const char *instance, const char *name)
{
    dnsfx_add(&(struct dnsfx_query){
        .t = T0 + at, .instance = instance, .name = name, .answers = dnsfx_answer("A", IMDS4)});
}

/* Reported at once, then one more query in the report hour. */
static void rebind_a(void)
{
    rebind_q(0, "i-0a", "rebind.attacker.example");
    rebind_q(600, "i-0a", "rebind.attacker.example");
}

/* Another in the hour (counted), then one past it: reported with the two before. */
static void rebind_b(void)
{
    rebind_q(1800, "i-0a", "rebind.attacker.example");
    rebind_q(4200, "i-0a", "rebind.attacker.example");
}

static void test_rebind_roundtrip(void **state)
{
    (void)state;
    three_runs(&cm_detector_dns_rebind, &rebind_opts, rebind_a, rebind_b);
    assert_int_equal(whole.n, 2);
    assert_int_equal(whole.d[0].count, 1);
    assert_int_equal(whole.d[1].count, 3);
    assert_int_equal(whole.d[1].first_ms, (T0 + 600) * 1000);
    assert_int_equal(whole.d[1].time_ms, (T0 + 4200) * 1000);
    /*
     * Part B alone reports its first query at once, and the second falls in that hour:
     * reported when the entry expires.
     */
    assert_int_equal(fresh.n, 2);
    assert_int_equal(fresh.d[0].count, 1);
    assert_int_equal(fresh.d[0].time_ms, (T0 + 1800) * 1000);
    assert_int_equal(fresh.d[1].count, 1);
    assert_int_equal(fresh.d[1].time_ms, (T0 + 4200) * 1000);
}

static void test_rebind_check(void **state)
{
    struct cm_ckpt_w w;
    size_t v, koff, klen, vsize;

    (void)state;
    save_after(&cm_detector_dns_rebind, &rebind_opts, rebind_a, &w);
    v = entry_at(&w, 0, 0, &koff, &klen, &vsize);
    /*
     * struct rebind: first_s, reported_s, pending (1), pad, the kept query (struct
     * cm_dns_kept), inst_len, answer_len, pad2[6], inst[64], answer[48]
     */
    enum { R_LAST = 16, R_INST_LEN = R_LAST + (int)sizeof(struct cm_dns_kept) };
    assert_int_equal(vsize, R_INST_LEN + 8 + 64 + 48);
    assert_int_equal(get_u32(&w, v + 8), 1);
    assert_int_equal(load_plain(&live, &w), 0);
    assert_int_equal(load_u32(&live, &w, v + 8, UINT32_MAX), 0); /* a count: any */
    assert_int_equal(load_u8(&live, &w, v + 12, 1), CM_EINVAL);  /* pad: never written */
    /* the kept lengths bound the copies: instance 64, answer 48; pad2 never written */
    assert_int_equal(load_u8(&live, &w, v + R_INST_LEN, 64), 0);
    assert_int_equal(load_u8(&live, &w, v + R_INST_LEN, 65), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, v + R_INST_LEN + 1, 48), 0);
    assert_int_equal(load_u8(&live, &w, v + R_INST_LEN + 1, 49), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, v + R_INST_LEN + 2, 1), CM_EINVAL);
    cm_ckpt_w_finish(&w);
}

/* ---- dns-reputation ---- */

static const struct dnsfx_opts rep_opts = {.seed = 7, .dns = &dns_defaults};

static void rep_q(int64_t at, const char *instance, const char *name)
{
    dnsfx_add(&(struct dnsfx_query){.t = T0 + at,
                                    .instance = instance,
                                    .name = name,
                                    .answers = dnsfx_answer("A", "198.51.100.7")});
}

/*
 * The account's learning day (its first query starts it), a dynamic-DNS
 * host learned in it, then a new one after it: reported.
 */
static void rep_a(void)
{
    rep_q(0, "i-0web", "www.example.com");
    rep_q(HOUR, "i-0web", "known-nas.duckdns.org");
    rep_q(25 * HOUR, "i-0web", "evil-c2.duckdns.org");
}

/*
 * The new host again within the hour (counted), the learned one (quiet:
 * known), another new one (reported), and the first past its hour
 * (reported with the one before).
 */
static void rep_b(void)
{
    rep_q(25 * HOUR + 1800, "i-0web", "evil-c2.duckdns.org");
    rep_q(25 * HOUR + 2400, "i-0web", "known-nas.duckdns.org");
    rep_q(26 * HOUR, "i-0app", "fresh-c2.duckdns.org");
    rep_q(26 * HOUR + 600, "i-0web", "evil-c2.duckdns.org");
}

static void test_rep_roundtrip(void **state)
{
    struct dnsfx_opts o = rep_opts;

    (void)state;
    o.dga = model_low;
    three_runs(&cm_detector_dns_reputation, &o, rep_a, rep_b);
    assert_int_equal(whole.n, 3);
    for (size_t i = 0; i < whole.n; i++) {
        assert_string_equal(whole.d[i].type, T_ABUSED);
        assert_null(strstr(whole.d[i].info, "known-nas"));
    }
    assert_non_null(strstr(whole.d[0].info, "\"domain\":\"evil-c2.duckdns.org\""));
    assert_string_equal(whole.d[1].resource, "i-0app");
    assert_non_null(strstr(whole.d[2].info, "\"domain\":\"evil-c2.duckdns.org\""));
    assert_int_equal(whole.d[2].count, 2);
    assert_int_equal(whole.d[2].first_ms, (T0 + 25 * HOUR + 1800) * 1000);
    /* Part B alone is an account's first day: learning, nothing new. */
    assert_int_equal(fresh.n, 0);
}

/* The new host asked twice more within its hour, in mixed case, then no more. */
static void rep_a_tail(void)
{
    rep_a();
    rep_q(25 * HOUR + 600, "i-0web", "Evil-C2.duckdns.org");
}

static void rep_b_tail(void)
{
    rep_q(25 * HOUR + 1800, "i-0web", "evil-c2.DuckDNS.org");
}

/*
 * The queries a hit counted after its report are reported when it expires,
 * from the last of them, the same whether a restart came between them (the
 * kept query crosses the checkpoint, its evidence renumbered) or not.
 */
static void test_rep_tail_roundtrip(void **state)
{
    struct dnsfx_opts o = rep_opts;

    (void)state;
    o.dga = model_low;
    three_runs(&cm_detector_dns_reputation, &o, rep_a_tail, rep_b_tail);
    assert_int_equal(whole.n, 2);
    assert_int_equal(whole.d[0].count, 1);
    assert_int_equal(whole.d[1].count, 2);
    assert_int_equal(whole.d[1].first_ms, (T0 + 25 * HOUR + 600) * 1000);
    assert_int_equal(whole.d[1].time_ms, (T0 + 25 * HOUR + 1800) * 1000);
    assert_string_equal(whole.d[1].name, "evil-c2.DuckDNS.org.");
    assert_non_null(strstr(whole.d[1].info, "\"domain\":\"evil-c2.duckdns.org\""));
    assert_non_null(strstr(whole.d[1].info, "\"new\""));
    /* Part B alone is an account's first day: learning, nothing new. */
    assert_int_equal(fresh.n, 0);
}

/*
 * Checkpoint w of the reputation detector alone as a build before
 * 2026-12-05 wrote it: its version 2, hits of 16 bytes (the report window
 * alone: the first 16 bytes of today's).
 */
static void as_rep_v2(const struct cm_ckpt_w *w, struct cm_ckpt_w *out)
{
    struct cm_ckpt_r r;
    size_t at = ckfx_detectors_at(w->buf.p, w->buf.len), end, mark;
    struct cm_str name;

    cm_ckpt_r_init(&r, w->buf.p, w->buf.len);
    r.off = at;
    cm_ckpt_w_init(out, 0);
    cm_ckpt_put_bytes(out, w->buf.p, at);
    assert_int_equal(cm_ckpt_get_u32(&r), 1);
    cm_ckpt_put_u32(out, 1);
    name = cm_ckpt_get_str(&r, 64);
    cm_ckpt_put_str(out, name.p, name.len);
    assert_int_equal(cm_ckpt_get_u32(&r), 3);
    cm_ckpt_put_u32(out, 2);
    end = cm_ckpt_section(&r);
    mark = cm_ckpt_begin(out);
    for (unsigned tab = 0; tab < 5; tab++) {
        uint32_t vs = cm_ckpt_get_u32(&r);
        uint64_t n = cm_ckpt_get_u64(&r);
        int64_t newest = cm_ckpt_get_i64(&r);

        cm_ckpt_put_u32(out, tab == 4 ? 16 : vs);
        cm_ckpt_put_u64(out, n);
        cm_ckpt_put_i64(out, newest);
        for (uint64_t e = 0; e < n; e++) {
            struct cm_str key = cm_ckpt_get_str(&r, 65536);
            int64_t last = cm_ckpt_get_i64(&r);
            uint8_t lag = cm_ckpt_get_u8(&r);
            const unsigned char *v = cm_ckpt_take(&r, vs);

            assert_int_equal(r.err, 0);
            cm_ckpt_put_str(out, key.p, key.len);
            cm_ckpt_put_i64(out, last);
            cm_ckpt_put_u8(out, lag);
            if (tab == 4) {
                unsigned char old[16];

                memcpy(old, v, 16);
                memset(old + 13, 0, 3); /* version 2's padding */
                cm_ckpt_put_bytes(out, old, 16);
            } else {
                cm_ckpt_put_bytes(out, v, vs);
            }
        }
    }
    assert_int_equal(r.off, end);
    cm_ckpt_end(out, mark);
    assert_int_equal(end, w->buf.len);
    assert_int_equal(out->err, 0);
}

/*
 * A state file of version 2 (before 2026-12-05) resumes: the learned
 * environment and each pair's report window are read (load_old), so part B
 * gives what a run without the restart gives - not an account learning for
 * a day again (no detection), nor a pair reported again at once.
 */
static void test_rep_old_version(void **state)
{
    struct dnsfx_opts o = rep_opts;
    struct cm_ckpt_w w, old;
    struct cm_engine *e2 = NULL;
    char dropped[256];

    (void)state;
    o.dga = model_low;
    three_runs(&cm_detector_dns_reputation, &o, rep_a, rep_b);
    save_after(&cm_detector_dns_reputation, &o, rep_a, &w);
    as_rep_v2(&w, &old);
    assert_int_equal(
        ckfx_load(live.table, &live.o, old.buf.p, old.buf.len, &e2, dropped, sizeof(dropped)), 0);
    assert_string_equal(dropped, "");
    live.r.engine = e2;
    live.r.n = 0;
    dnsfx_reset();
    rep_b();
    ck_feed(&live);
    ck_close(&live);
    dnsfx_reset();
    /* The whole run's detections of part B: the new site's hour and the other new site. */
    assert_int_equal(live.r.n, whole.n - 1);
    for (size_t i = 0; i < live.r.n; i++) {
        assert_string_equal(live.r.d[i].resource, whole.d[i + 1].resource);
        assert_int_equal(live.r.d[i].count, whole.d[i + 1].count);
        assert_int_equal(live.r.d[i].time_ms, whole.d[i + 1].time_ms);
    }
    /* A hit of version 2 holds a type, as today's. */
    old.buf.p[old.buf.len - 4] = 9;
    assert_int_equal(
        ckfx_load(live.table, &live.o, old.buf.p, old.buf.len, &e2, dropped, sizeof(dropped)),
        CM_EINVAL);
    cm_ckpt_w_finish(&old);
    cm_ckpt_w_finish(&w);
}

static void test_rep_check(void **state)
{
    struct dnsfx_opts o = rep_opts;
    struct cm_ckpt_w w;
    size_t koff, klen, vsize, name, dom, acct, hit;

    (void)state;
    o.dga = model_low;
    save_after(&cm_detector_dns_reputation, &o, rep_a, &w);
    assert_int_equal(live.r.n, 1);
    /*
     * The newest entry of each table: evil-c2's name, its site (new: the
     * table of new sites, after the known ones), the account, its hit.
     */
    name = entry_at(&w, 0, SIZE_MAX, &koff, &klen, &vsize);
    assert_int_equal(vsize, 16); /* struct name: dkey, checked_s, state at 12 (N_WATCH) */
    assert_int_equal(w.buf.p[name + 12], 0);
    dom = entry_at(&w, 2, SIZE_MAX, &koff, &klen, &vsize);
    assert_int_equal(vsize, 24); /* struct domain: first_s, inst[4], ninst at 20, state at 21 */
    assert_int_equal(w.buf.p[dom + 20], 1);
    assert_int_equal(w.buf.p[dom + 21], 0); /* DS_NEW */
    acct = entry_at(&w, 3, SIZE_MAX, &koff, &klen, &vsize);
    assert_int_equal(vsize, 8);
    hit = entry_at(&w, 4, SIZE_MAX, &koff, &klen, &vsize);
    /*
     * struct hit: first_s, reported_s, pending, type at 12, flags, ninst, inst_len, the kept
     * query (struct cm_dns_kept), its answers' closeness, inst[64]
     */
    enum {
        H_LAST = 16,
        H_NEAR = H_LAST + (int)sizeof(struct cm_dns_kept),
        H_INST = H_NEAR + (int)sizeof(struct cm_dns_rep_closeness)
    };
    assert_int_equal(vsize, H_INST + 64);
    assert_int_equal(w.buf.p[hit + 12], 2); /* RT_ABUSED */

    assert_int_equal(load_plain(&live, &w), 0);
    /* A name's state: watch, known or ignored. */
    assert_int_equal(load_u8(&live, &w, name + 12, 2), 0);
    assert_int_equal(load_u8(&live, &w, name + 12, 3), CM_EINVAL);
    /* A site's askers: four slots and "more"; its state new or known. */
    assert_int_equal(load_u8(&live, &w, dom + 20, 5), 0);
    assert_int_equal(load_u8(&live, &w, dom + 20, 6), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, dom + 21, 1), 0);
    assert_int_equal(load_u8(&live, &w, dom + 21, 2), CM_EINVAL);
    /* An account's first query is a time: one within +-2^53 ms, never one that overflows. */
    assert_int_equal(load_u8(&live, &w, acct + 6, 0x1f), 0);
    assert_int_equal(load_u8(&live, &w, acct + 7, 0x80), CM_EINVAL);
    /* A hit's type indexes the type names: Suspicious to Malicious. */
    assert_int_equal(load_u8(&live, &w, hit + 12, 1), 0);
    assert_int_equal(load_u8(&live, &w, hit + 12, 4), 0);
    assert_int_equal(load_u8(&live, &w, hit + 12, 0), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, hit + 12, 5), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, hit + 12, 255), CM_EINVAL);
    /* Its flags are HF_NEW, HF_RARE, HF_NX and HF_CHECKED; the kept instance at most 64 bytes. */
    assert_int_equal(load_u8(&live, &w, hit + 13, 7), 0);
    assert_int_equal(load_u8(&live, &w, hit + 13, 8), 0);
    assert_int_equal(load_u8(&live, &w, hit + 13, 16), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, hit + 15, 64), 0);
    assert_int_equal(load_u8(&live, &w, hit + 15, 65), CM_EINVAL);
    /* The kept query's lengths (cm_dns_kept_valid): none kept yet, so any time but a real one. */
    assert_int_equal(load_u8(&live, &w, hit + H_LAST + 7, 0x40), CM_EINVAL);
    /* The closeness: listed reasons only, booleans 0 or 1, a NUL-ended "what". */
    assert_int_equal(load_u8(&live, &w, hit + H_NEAR, CM_DNSR_LISTED_ANSWER), 0);
    assert_int_equal(load_u8(&live, &w, hit + H_NEAR, CM_DNSR_NEW), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, hit + H_NEAR + 4, 1), 0);
    assert_int_equal(load_u8(&live, &w, hit + H_NEAR + 4, 2), CM_EINVAL);
    assert_int_equal(load_u8(&live, &w, hit + H_NEAR + 5, 2), CM_EINVAL);
    cm_ckpt_w_finish(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dga_roundtrip),
        cmocka_unit_test(test_dga_full_slots),
        cmocka_unit_test(test_dga_check),
        cmocka_unit_test(test_tunnel_roundtrip),
        cmocka_unit_test(test_tunnel_search_roundtrip),
        cmocka_unit_test(test_tunnel_full_set),
        cmocka_unit_test(test_tunnel_spread),
        cmocka_unit_test(test_tunnel_spread_tail),
        cmocka_unit_test(test_tunnel_check),
        cmocka_unit_test(test_tunnel_slow),
        cmocka_unit_test(test_tunnel_slow_tail),
        cmocka_unit_test(test_rebind_roundtrip),
        cmocka_unit_test(test_rebind_check),
        cmocka_unit_test(test_rep_roundtrip),
        cmocka_unit_test(test_rep_check),
        cmocka_unit_test(test_rep_tail_roundtrip),
        cmocka_unit_test(test_rep_old_version),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
