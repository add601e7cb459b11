/*
 * Unit tests for the scan pipeline (src/core/scan.c): counting, rejects with
 * locations, gzip damage, and the ordering guarantee: with any number of
 * threads each entity's events reach its detector in input order, and the
 * detections are the same as with one thread.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "base/alloc.h"
#include "base/err.h"
#include "core/scan.h"

static char tmpdir[256];

static void write_file(const char *name, const char *data, size_t n, int gz)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, data, (unsigned)n), (int)n);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(data, 1, n, f), n);
        fclose(f);
    }
}

/* One CloudTrail record for principal p (0..7) at second t. */
static size_t record(char *out, size_t cap, int p, int t)
{
    return (size_t)snprintf(
        out, cap,
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"
        "\"AIDA%d\",\"accountId\":\"111122223333\"},\"eventTime\":\"2025-03-04T%02d:%02d:%02dZ\","
        "\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"ListUsers\",\"awsRegion\":"
        "\"us-east-1\",\"recipientAccountId\":\"111122223333\"}",
        p, t / 3600, (t / 60) % 60, t % 60);
}

/* Writes nfiles CloudTrail files with per records each, times increasing. */
static void make_corpus(int nfiles, int per)
{
    static char buf[1 << 20];
    int t = 0;

    for (int f = 0; f < nfiles; f++) {
        size_t n = (size_t)snprintf(buf, sizeof(buf), "{\"Records\":[");
        char name[128];
        for (int i = 0; i < per; i++) {
            if (i) {
                buf[n++] = ',';
            }
            n += record(buf + n, sizeof(buf) - n, (f * 7 + i) % 8, t++);
        }
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "]}");
        snprintf(name, sizeof(name),
                 "111122223333_CloudTrail_us-east-1_20250304T%02d%02dZ_x%d.json%s", f / 12,
                 (f % 12) * 5, f, f % 2 ? ".gz" : "");
        write_file(name, buf, n, f % 2);
    }
}

/* Test detector: checks per-entity time order; emits one detection per event. */
struct ordstate {
    int64_t last[8];
    int disorder;
};

static int o_init(void **state, const struct cm_detect_opts *o)
{
    struct ordstate *s = cm_calloc(1, sizeof(*s));
    (void)o;
    for (int i = 0; i < 8; i++) {
        s->last[i] = INT64_MIN;
    }
    *state = s;
    return 0;
}

/* Notes ev for principal (or interface) p: a detection saying whether p's events so far came
 * in time order. */
static int order_emit(struct ordstate *s, int p, const struct cm_event *ev, struct cm_sink *sink)
{
    struct cm_detection d;

    if (ev->time_ms < s->last[p]) {
        s->disorder++;
    }
    s->last[p] = ev->time_ms;
    memset(&d, 0, sizeof(d));
    d.type = s->disorder ? "Test:Order/Broken" : "Test:Order/Ok";
    d.time_ms = ev->time_ms;
    d.account = ev->account;
    d.count = 1;
    return cm_sink_emit(sink, &d);
}

static int o_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    return order_emit(state, ev->u.ct.uid.principal_id.p[4] - '0', ev, sink);
}

static void o_finish(void *state)
{
    cm_free(state);
}

static const char *const o_types[] = {"Test:Order/Ok", "Test:Order/Broken", NULL};
static const struct cm_detector det_order = {
    .name = "order",
    .types = o_types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = o_init,
    .on_event = o_event,
    .finish = o_finish,
};
static const struct cm_detector *const table[] = {&det_order, NULL};

/* The same check for flow records, per interface (eni-...0 to eni-...7). */
static int f_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    const struct cm_str *eni = &ev->u.flow.interface_id;

    return order_emit(state, eni->len > 0 ? (eni->p[eni->len - 1] - '0') & 7 : 0, ev, sink);
}

static const struct cm_detector det_flow_order = {
    .name = "flow-order",
    .types = o_types,
    .kinds = CM_EV_MASK(CM_EV_FLOW),
    .init = o_init,
    .on_event = f_event,
    .finish = o_finish,
};
static const struct cm_detector *const flow_table[] = {&det_flow_order, NULL};

struct tally {
    uint64_t ok, broken, timesum;
};

static int tally_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct tally *t = sink->ud;
    if (strcmp(d->type, "Test:Order/Ok") == 0) {
        t->ok++;
    } else {
        t->broken++;
    }
    t->timesum += (uint64_t)d->time_ms;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cm_scan_XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct cm_detector *const *scan_table = table;

/* A scan of tmpdir with o (its detectors scan_table), tallied in t; its stats in st. */
static void scan_opts(struct cm_scan_opts *o, struct tally *t, struct cm_scan_stats *st)
{
    struct cm_sink sink = {tally_emit, t};
    char *paths[1] = {tmpdir};
    char err[256];

    memset(t, 0, sizeof(*t));
    o->detectors = scan_table;
    assert_int_equal(cm_scan_run(o, paths, 1, &sink, st, err, sizeof(err)), 0);
}

static void scan_live(unsigned threads, unsigned batch, unsigned live, struct tally *t,
                      struct cm_scan_stats *st)
{
    struct cm_scan_opts o;

    memset(&o, 0, sizeof(o));
    o.threads = threads;
    o.batch_events = batch;
    o.live_batches = live;
    scan_opts(&o, t, st);
}

static void scan_with(unsigned threads, unsigned batch, struct tally *t, struct cm_scan_stats *st)
{
    scan_live(threads, batch, 0, t, st);
}

static void test_order_and_counts(void **state)
{
    struct tally t1, t3;
    struct cm_scan_stats s1, s3;
    (void)state;

    make_corpus(24, 50);
    scan_with(1, 0, &t1, &s1);
    assert_int_equal(s1.files, 24);
    assert_int_equal(s1.ninputs, 24);
    for (size_t i = 1; i < s1.ninputs; i++) {
        /* Processed in key-time order, each with its 50 records. */
        assert_true(s1.inputs[i - 1].time_ms <= s1.inputs[i].time_ms);
        assert_int_equal(s1.inputs[i].records, 50);
    }
    assert_int_equal(s1.records[CM_EV_CLOUDTRAIL], 24 * 50);
    assert_int_equal(s1.rejected_files, 0);
    assert_int_equal(s1.detections, 24 * 50);
    assert_int_equal(t1.broken, 0);
    /* Three threads, tiny batches: same events, same order per entity. */
    scan_with(3, 7, &t3, &s3);
    assert_int_equal(s3.records[CM_EV_CLOUDTRAIL], 24 * 50);
    assert_int_equal(s3.detections, s1.detections);
    assert_int_equal(t3.broken, 0);
    assert_true(t3.timesum == t1.timesum);
    assert_true(s3.bytes_in == s1.bytes_in);
    for (size_t i = 0; i < s3.ninputs; i++) {
        assert_int_equal(s3.inputs[i].records, 50);
    }
    assert_true(s3.bytes_decoded == s1.bytes_decoded);
    assert_true(s1.bytes_decoded > s1.bytes_in);
    cm_scan_stats_free(&s3);
    /* Readers held to one live batch (they wait between inputs until the
     * workers have released everything): the same again, and no deadlock. */
    for (unsigned threads = 2; threads <= 4; threads++) {
        scan_live(threads, 7, 1, &t3, &s3);
        assert_int_equal(s3.records[CM_EV_CLOUDTRAIL], 24 * 50);
        assert_int_equal(s3.detections, s1.detections);
        assert_int_equal(t3.broken, 0);
        assert_true(t3.timesum == t1.timesum);
        cm_scan_stats_free(&s3);
    }
    cm_scan_stats_free(&s1);
}

/*
 * Small inputs are read several under one ticket, their events sharing batches
 * (docs/internals/scan.md, "Small inputs"). 120 CloudTrail files of 0 to 40 records, each
 * written newest first (so every one of more than one record must be put in time order,
 * in the batch it shares when it fits, else parsed again), beside flow files, an empty
 * file and a file that is not a log: with 2 to 4 threads, batches of 7, 64 and 1,024
 * events and 1 or the default live batches, the same events in the same order per entity
 * as one thread, the same records per input and the same count put in order.
 */
static void test_small_inputs(void **state)
{
    static char buf[1 << 16];
    struct tally t1, tn;
    struct cm_scan_stats s1, sn;
    static const unsigned batches[] = {7, 64, 1024};
    int t = 0, total = 0, multi = 0;
    (void)state;

    for (int f = 0; f < 120; f++) {
        int per = (f * 13) % 41; /* 0 to 40 */
        size_t n = (size_t)snprintf(buf, sizeof(buf), "{\"Records\":[");
        char name[128];

        for (int i = 0; i < per; i++) {
            if (i) {
                buf[n++] = ',';
            }
            /* newest first: times t + per - 1 down to t */
            n += record(buf + n, sizeof(buf) - n, (f * 3 + i) % 8, t + per - 1 - i);
        }
        t += per;
        total += per;
        multi += per > 1;
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "]}");
        snprintf(name, sizeof(name),
                 "111122223333_CloudTrail_us-east-1_20250304T%02d%02dZ_s%d.json%s", f / 12,
                 (f % 12) * 5, f, f % 3 ? ".gz" : "");
        write_file(name, buf, n, f % 3 != 0);
    }
    write_file("111122223333_CloudTrail_us-east-1_20250304T0312Z_empty.json", "", 0, 0);
    write_file("111122223333_CloudTrail_us-east-1_20250304T0417Z_junk.json", "not a log\n", 10, 0);
    scan_table = table;
    scan_with(1, 0, &t1, &s1);
    assert_int_equal(s1.records[CM_EV_CLOUDTRAIL], total);
    assert_int_equal(s1.detections, total);
    assert_int_equal(s1.reordered, multi);
    assert_int_equal(t1.broken, 0);
    for (unsigned threads = 2; threads <= 4; threads++) {
        for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
            for (unsigned live = 0; live <= 1; live++) {
                scan_live(threads, batches[b], live, &tn, &sn);
                assert_int_equal(sn.records[CM_EV_CLOUDTRAIL], total);
                assert_int_equal(sn.detections, s1.detections);
                assert_int_equal(sn.reordered, multi);
                assert_int_equal(tn.broken, 0);
                assert_true(tn.timesum == t1.timesum);
                assert_int_equal(sn.ninputs, s1.ninputs);
                assert_int_equal(sn.rejected_files, s1.rejected_files);
                for (size_t i = 0; i < sn.ninputs; i++) {
                    assert_int_equal(sn.inputs[i].records, s1.inputs[i].records);
                }
                cm_scan_stats_free(&sn);
            }
        }
    }
    cm_scan_stats_free(&s1);
}

/* Writes nfiles flow logs of per lines each over 8 interfaces, times increasing. */
static void make_flows(int nfiles, int per)
{
    static const char head[] = "version account-id interface-id srcaddr dstaddr srcport dstport "
                               "protocol packets bytes start end action log-status\n";
    size_t cap = sizeof(head) + (size_t)per * 160, n;
    char *buf = cm_malloc(cap);
    long t = 1741046400; /* 2025-03-04T00:00Z */

    assert_non_null(buf);
    for (int f = 0; f < nfiles; f++) {
        char name[128];

        n = (size_t)snprintf(buf, cap, "%s", head);
        for (int i = 0; i < per; i++, t++) {
            n += (size_t)snprintf(buf + n, cap - n,
                                  "2 111122223333 eni-0a1b2c3d4e5f6000%d 10.0.0.%d 198.51.100.9 "
                                  "%d 443 6 10 840 %ld %ld ACCEPT OK\n",
                                  (f + i) % 8, i % 200, 1024 + i % 60000, t / 4, t / 4 + 60);
        }
        snprintf(name, sizeof(name),
                 "111122223333_vpcflowlogs_us-east-1_fl-0abc_20250304T00%02dZ_x%d.log%s", f * 5, f,
                 f % 2 ? ".gz" : "");
        write_file(name, buf, n, f % 2);
    }
    cm_free(buf);
}

/*
 * A large input goes to the workers as it is parsed: the batches alive at once stay
 * bounded by the threads, not by the inputs' size. Before, a reader held every batch of
 * its input until its last record (a 230 MB flow file: 1,300 batches, half a gigabyte),
 * and each reader one such input: 3.2 GB resident with two threads against 309 MB with one.
 */
static void test_large_inputs_bounded(void **state)
{
    struct tally t1, tn;
    struct cm_scan_stats s1, sn;
    (void)state;

    make_flows(4, 3000);
    scan_table = flow_table;
    scan_with(1, 0, &t1, &s1);
    assert_int_equal(s1.records[CM_EV_FLOW], 4 * 3000);
    assert_int_equal(s1.detections, 4 * 3000);
    assert_int_equal(t1.broken, 0);
    for (unsigned threads = 2; threads <= 4; threads++) {
        /* 16 events a batch: each input is 188 batches. */
        unsigned live = 2 * threads;

        scan_with(threads, 16, &tn, &sn);
        assert_int_equal(sn.records[CM_EV_FLOW], 4 * 3000);
        assert_int_equal(sn.detections, s1.detections);
        assert_int_equal(tn.broken, 0);
        assert_true(tn.timesum == t1.timesum);
        /* Queued, parked by the readers behind an earlier input and being filled. */
        assert_true(sn.peak_batches > 0);
        assert_true(sn.peak_batches <= (threads + 2) * live + threads);
        cm_scan_stats_free(&sn);
        /* The same with one live batch: no deadlock. */
        scan_live(threads, 16, 1, &tn, &sn);
        assert_int_equal(sn.detections, s1.detections);
        assert_int_equal(tn.broken, 0);
        assert_true(tn.timesum == t1.timesum);
        assert_true(sn.peak_batches <= (threads + 2) * 1 + threads);
        cm_scan_stats_free(&sn);
    }
    scan_table = table;
    cm_scan_stats_free(&s1);
}

/* A scan of tmpdir with the window [since, until) at threads; its stats in st. */
static void scan_window(unsigned threads, int64_t since, int64_t until, struct tally *t,
                        struct cm_scan_stats *st)
{
    struct cm_scan_opts o;

    memset(&o, 0, sizeof(o));
    o.threads = threads;
    o.window = true;
    o.since_ms = since;
    o.until_ms = until;
    scan_opts(&o, t, st);
}

static const struct cm_scan_skip *skip_named(const struct cm_scan_stats *st, const char *what)
{
    for (size_t i = 0; i < st->nskips; i++) {
        if (strcmp(st->skips[i].what, what) == 0) {
            return &st->skips[i];
        }
    }
    return NULL;
}

/*
 * --since/--until: the records of the window are analysed, in order, the others counted
 * as skipped (CM_SCAN_OUTSIDE); an input stamped more than a day outside is not read.
 */
static void test_window(void **state)
{
    const int64_t day0 = 1741046400000LL; /* 2025-03-04T00:00:00Z, the first record */
    struct tally t;
    struct cm_scan_stats st;
    const struct cm_scan_skip *k;
    (void)state;

    make_corpus(24, 50); /* a record a second, 00:00:00 to 00:19:59; stamps 00:00 to 01:55 */
    for (unsigned threads = 1; threads <= 3; threads += 2) {
        scan_window(threads, day0 + 600000, day0 + 900000, &t, &st);
        assert_int_equal(st.files, 24);
        assert_int_equal(st.records[CM_EV_CLOUDTRAIL], 300); /* 00:10:00 to 00:14:59 */
        assert_int_equal(st.detections, 300);
        assert_int_equal(t.broken, 0);
        assert_int_equal(st.skipped[CM_EV_CLOUDTRAIL], 900);
        k = skip_named(&st, CM_SCAN_OUTSIDE);
        assert_non_null(k);
        assert_int_equal(k->records, 900);
        assert_int_equal(k->files, 0);
        cm_scan_stats_free(&st);
    }
    /* Open on one side: until alone. */
    scan_window(1, INT64_MIN, day0 + 1000, &t, &st);
    assert_int_equal(st.records[CM_EV_CLOUDTRAIL], 1);
    cm_scan_stats_free(&st);
    /* Since a day and 56 minutes on: the 12 files stamped before 00:56 are not read. */
    scan_window(2, day0 + 86400000 + 56 * 60000, INT64_MAX, &t, &st);
    assert_int_equal(st.files, 12);
    assert_int_equal(st.records[CM_EV_CLOUDTRAIL], 0);
    k = skip_named(&st, CM_SCAN_OUTSIDE);
    assert_non_null(k);
    assert_int_equal(k->files, 12);
    assert_int_equal(k->records, 600);
    assert_int_equal(st.skipped_files, 12);
    for (size_t i = 0; i < st.ninputs; i++) {
        if (st.inputs[i].time_ms < day0 + 56 * 60000) {
            assert_string_equal(st.inputs[i].skipped_as, CM_SCAN_OUTSIDE);
        }
    }
    cm_scan_stats_free(&st);
    /* Until a day before the first stamp, less a minute: nothing read. */
    scan_window(1, INT64_MIN, day0 - 86400000 - 60000, &t, &st);
    assert_int_equal(st.files, 0);
    assert_int_equal(st.skipped_files, 24);
    cm_scan_stats_free(&st);
}

/*
 * --stats' workers: one per shard, the records its engine took (every record, once, over
 * all of them) and its thread's CPU time; with one thread the one engine.
 */
static void test_workers(void **state)
{
    struct tally t;
    struct cm_scan_stats st;
    uint64_t sum = 0;
    unsigned busy = 0;
    (void)state;

    make_flows(4, 500);
    scan_table = flow_table;
    scan_with(1, 0, &t, &st);
    assert_int_equal(st.nworkers, 1);
    assert_int_equal(st.workers[0].events, 4 * 500);
    assert_true(st.workers[0].cpu_seconds >= 0.0);
    cm_scan_stats_free(&st);
    assert_null(st.workers);
    assert_int_equal(st.nworkers, 0);
    scan_with(4, 16, &t, &st);
    assert_int_equal(st.nworkers, 4);
    for (size_t i = 0; i < st.nworkers; i++) {
        sum += st.workers[i].events;
        busy += st.workers[i].events > 0;
        assert_true(st.workers[i].cpu_seconds >= 0.0);
    }
    /* Every record once; the 8 interfaces spread over more than one shard. */
    assert_int_equal(sum, 4 * 500);
    assert_true(busy >= 2);
    cm_scan_stats_free(&st);
    scan_table = table;
}

static void test_rejects(void **state)
{
    static char buf[1 << 16];
    struct tally t;
    struct cm_scan_stats st;
    size_t n;
    int found_trunc = 0, found_bin = 0, found_zero = 0;
    (void)state;

    n = (size_t)snprintf(buf, sizeof(buf), "{\"Records\":[");
    for (int i = 0; i < 10; i++) {
        if (i) {
            buf[n++] = ',';
        }
        n += record(buf + n, sizeof(buf) - n, i % 8, i);
    }
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "]}");
    write_file("good.json", buf, n, 0);
    write_file("empty.json", "", 0, 0);
    write_file("zero.json.gz", "", 0, 0); /* 0 bytes: no gzip is, a failed copy */
    write_file("binary.bin", "\x00\x01\x02\xff\xfe", 5, 0);
    /* A gzip file cut in half: a prefix of records survives. */
    {
        char path[512];
        FILE *f;
        long sz;
        char *gzdata;
        write_file("cut.json.gz", buf, n, 1);
        snprintf(path, sizeof(path), "%s/cut.json.gz", tmpdir);
        f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        sz = ftell(f);
        rewind(f);
        gzdata = malloc((size_t)sz);
        assert_int_equal(fread(gzdata, 1, (size_t)sz, f), (size_t)sz);
        fclose(f);
        f = fopen(path, "wb");
        fwrite(gzdata, 1, (size_t)sz - 40, f);
        fclose(f);
        free(gzdata);
    }
    scan_with(2, 0, &t, &st);
    assert_int_equal(st.files, 5);
    assert_true(st.records[CM_EV_CLOUDTRAIL] >= 10);
    assert_true(st.records[CM_EV_CLOUDTRAIL] < 20);
    assert_int_equal(st.rejected_files, 3);
    assert_true(st.rejected[CM_EV_CLOUDTRAIL] >= 1);
    for (size_t i = 0; i < st.nrejects; i++) {
        const char *r = st.rejects[i].reason;
        found_trunc |= strstr(r, "truncated gzip") != NULL;
        found_bin |= strstr(r, "binary") != NULL;
        found_zero |= strstr(r, "empty file (0 bytes) named as gzip") != NULL &&
                      strstr(st.rejects[i].path, "zero.json.gz") != NULL;
        assert_non_null(st.rejects[i].path);
    }
    assert_true(found_trunc && found_bin && found_zero);
    /* An empty file holds nothing to lose: skipped, and counted by name. */
    assert_int_equal(st.skipped_files, 1);
    assert_int_equal(st.nskips, 1);
    assert_string_equal(st.skips[0].what, "empty file");
    assert_int_equal(st.skips[0].files, 1);
    assert_int_equal(st.skips[0].records, 0);
    /* Per input: what each file was and what became of it. */
    assert_int_equal(st.ninputs, 5);
    for (size_t i = 0; i < st.ninputs; i++) {
        const struct cm_scan_input *in = &st.inputs[i];
        assert_non_null(in->path);
        if (strstr(in->path, "good.json")) {
            assert_int_equal(in->kind, CM_EV_CLOUDTRAIL);
            assert_int_equal(in->records, 10);
            assert_int_equal(in->rejected, 0);
            assert_int_equal(in->damaged, 0);
        } else if (strstr(in->path, "cut.json.gz")) {
            assert_int_equal(in->kind, CM_EV_CLOUDTRAIL);
            assert_true(in->records >= 1 && in->records < 10);
            assert_int_equal(in->damaged, 1);
        } else {
            assert_int_equal(in->kind, 0);
            assert_int_equal(in->records, 0);
            assert_int_equal(in->damaged, strstr(in->path, "empty.json") == NULL);
        }
    }
    cm_scan_stats_free(&st);
}

/*
 * Inputs read whole that hold no record (a CloudTrail file of an empty list, a flow log of
 * its header, CloudWatch Logs control messages only) are skipped by name, with 1 thread and
 * with 2: before 2026-12-05 they were counted in files and in nothing else.
 */
static void test_no_records(void **state)
{
    static const char ctl[] =
        "{\"messageType\":\"CONTROL_MESSAGE\",\"owner\":\"CloudwatchLogs\",\"logGroup\":\"\","
        "\"logStream\":\"\",\"subscriptionFilters\":[],\"logEvents\":[{\"id\":\"\","
        "\"timestamp\":1767573600000,\"message\":\"CWL CONTROL MESSAGE: Checking health of "
        "destination Firehose.\"}]}";
    static const char hdr[] = "version account-id interface-id srcaddr dstaddr srcport dstport "
                              "protocol packets bytes start end action log-status\n";
    struct tally t;
    struct cm_scan_stats st;
    char good[2048];
    size_t n;
    (void)state;

    n = (size_t)snprintf(good, sizeof(good), "{\"Records\":[");
    n += record(good + n, sizeof(good) - n, 1, 1);
    n += (size_t)snprintf(good + n, sizeof(good) - n, "]}");
    write_file("111122223333_CloudTrail_us-east-1_20250304T0000Z_g.json", good, n, 0);
    write_file("111122223333_CloudTrail_us-east-1_20250304T0005Z_e.json", "{\"Records\":[]}", 14,
               0);
    write_file("111122223333_vpcflowlogs_us-east-1_fl-1_20250304T0000Z_h.log", hdr, sizeof(hdr) - 1,
               0);
    write_file("firehose-ctl.gz", ctl, sizeof(ctl) - 1, 1);
    for (unsigned th = 1; th <= 2; th++) {
        scan_with(th, 0, &t, &st);
        assert_int_equal(st.files, 4);
        assert_int_equal(st.records[CM_EV_CLOUDTRAIL], 1);
        assert_int_equal(st.rejected_files, 0);
        assert_int_equal(st.skipped_files, 3);
        assert_int_equal(st.nskips, 2);
        assert_string_equal(st.skips[0].what, CM_SCAN_CWL_CONTROL);
        assert_int_equal(st.skips[0].files, 1);
        assert_string_equal(st.skips[1].what, CM_SCAN_NO_RECORDS);
        assert_int_equal(st.skips[1].files, 2);
        for (size_t i = 0; i < st.ninputs; i++) {
            const struct cm_scan_input *in = &st.inputs[i];
            if (strstr(in->path, "_g.json") != NULL) {
                assert_null(in->skipped_as);
            } else {
                assert_non_null(in->skipped_as);
            }
        }
        cm_scan_stats_free(&st);
    }
}

/*
 * Each input's newest record's time, account and region (kept for the canaries' freshness
 * check), the pair as one copy shared by the inputs that have it: a row of the stats grew by
 * 64 bytes a file with two inline strings (168 bytes, not 104), 64 MB more for a scan of a
 * million files; with the pointer it is 128.
 */
static void test_input_place(void **state)
{
    static const char *const acct[] = {"111122223333", "444455556666", "111122223333"};
    static const char *const region[] = {"us-east-1", "eu-west-1", "us-east-1"};
    static char buf[1 << 14];
    struct tally t;
    struct cm_scan_stats st;
    (void)state;

    assert_true(sizeof(struct cm_scan_input) <= 128);
    for (int f = 0; f < 3; f++) {
        size_t n = (size_t)snprintf(buf, sizeof(buf), "{\"Records\":[");
        char name[128];

        for (int i = 0; i < 4; i++) {
            /* Not in time order: the second record is the newest. */
            int sec = f * 60 + (i == 1 ? 50 : i * 10);
            n += (size_t)snprintf(
                buf + n, sizeof(buf) - n,
                "%s{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
                "\"principalId\":\"AIDA1\",\"accountId\":\"%s\"},\"eventTime\":"
                "\"2025-03-04T00:%02d:%02dZ\",\"eventSource\":\"iam.amazonaws.com\","
                "\"eventName\":\"ListUsers\",\"awsRegion\":\"%s\",\"recipientAccountId\":"
                "\"%s\"}",
                i ? "," : "", acct[f], sec / 60, sec % 60, i == 1 ? region[f] : "ap-south-1",
                acct[f]);
        }
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "]}");
        snprintf(name, sizeof(name), "%s_CloudTrail_%s_20250304T00%02dZ_p%d.json", acct[f],
                 region[f], f * 5, f);
        write_file(name, buf, n, 0);
    }
    scan_with(2, 0, &t, &st);
    assert_int_equal(st.ninputs, 3);
    for (size_t i = 0; i < st.ninputs; i++) {
        const struct cm_scan_input *in = &st.inputs[i];
        int f = in->path[strlen(in->path) - 6] - '0'; /* ..._pF.json */

        assert_int_equal(in->newest_ms, 1741046400000 + (int64_t)(f * 60 + 50) * 1000);
        assert_string_equal(cm_scan_input_account(in), acct[f]);
        assert_string_equal(cm_scan_input_region(in), region[f]);
    }
    /* Inputs 0 and 2 (key order) have one pair: one copy. */
    assert_ptr_equal(st.inputs[0].place, st.inputs[2].place);
    assert_ptr_not_equal(st.inputs[0].place, st.inputs[1].place);
    cm_scan_stats_free(&st);
}

static void test_bad_path(void **state)
{
    struct cm_scan_opts o;
    struct cm_scan_stats st;
    char *paths[1] = {"/nonexistent/coalmine/path"};
    char err[256] = "";
    (void)state;

    memset(&o, 0, sizeof(o));
    o.detectors = table;
    assert_int_equal(cm_scan_run(&o, paths, 1, NULL, &st, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "/nonexistent/coalmine/path"));
    cm_scan_stats_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_inputs_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_small_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_input_place, setup, teardown),
        cmocka_unit_test(test_bad_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
