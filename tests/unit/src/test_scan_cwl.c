/*
 * Unit tests for the scan (src/core/scan.c, scan_read.c, scan_stdin.c) over logs out of
 * CloudWatch Logs: subscription deliveries and awscli output unwrapped, with
 * every event's evidence and every reject at the log event object in the
 * file; the file-level rejects of wrappers with nothing to read; header-less
 * custom-format flow logs read with opts.flow_fields; and a gzip inside a
 * gzip. A test detector emits one detection per event carrying its source
 * location, so what the scan hands the detectors is observable exactly.
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

#include "base/err.h"
#include "core/scan.h"
#include "parse/parse.h"

#include "blob.h"

static char tmpdir[256];

static void put(const char *name, const void *data, size_t n)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void put_str(const char *name, const char *text)
{
    put(name, text, strlen(text));
}

static void drop(const char *name)
{
    char path[512];

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    assert_int_equal(unlink(path), 0);
}

static void put_blob(const char *name, const struct blob *b)
{
    put(name, b->p, b->n);
}

static void add_str(struct blob *b, const char *text)
{
    blob_add(b, text, strlen(text));
}

/* Appends text to b as the inside of a JSON string. */
static void add_escaped(struct blob *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            blob_add(b, "\\", 1);
            blob_add(b, p, 1);
        } else if (*p == '\n') {
            blob_add(b, "\\n", 2);
        } else {
            blob_add(b, p, 1);
        }
    }
}

#define DELIVERY(type)                                                                             \
    "{\"messageType\":\"" type "\",\"owner\":\"111122223333\",\"logGroup\":\"g\","                 \
    "\"logStream\":\"s\",\"subscriptionFilters\":[\"f\"],\"logEvents\":["

/* A log event with a string message; returns the offset of its '{' in b. */
static size_t add_event(struct blob *b, int first, int id, const char *msg)
{
    char head[96];
    size_t at;

    if (!first) {
        add_str(b, ",");
    }
    at = b->n;
    snprintf(head, sizeof(head), "{\"id\":\"%d\",\"timestamp\":5,\"message\":\"", id);
    add_str(b, head);
    add_escaped(b, msg);
    add_str(b, "\"}");
    return at;
}

/* A Resolver query log record at second s of 2026-01-05T00:00. */
static const char *resolver(char *out, size_t cap, int s, const char *qname)
{
    snprintf(out, cap,
             "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","
             "\"vpc_id\":\"vpc-1\",\"query_timestamp\":\"2026-01-05T00:00:%02dZ\",\"query_name\":"
             "\"%s\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\","
             "\"answers\":[],\"srcaddr\":\"10.0.0.5\",\"srcport\":\"5353\",\"transport\":\"UDP\"}",
             s, qname);
    return out;
}

#define T0 1767571200000LL /* 2026-01-05T00:00:00Z */

/* --- the detector and the sink -------------------------------------------- */

#define MAX_SEEN 64

struct seen_one {
    int64_t time_ms;
    struct cm_src_ref src;
    char what[64]; /* the query name, or a flow's interface-id */
};

struct seen {
    struct seen_one d[MAX_SEEN];
    size_t n;
};

static int s_init(void **state, const struct cm_detect_opts *o)
{
    (void)o;
    *state = NULL;
    return 0;
}

static int s_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct cm_detection d;
    (void)state;

    memset(&d, 0, sizeof(d));
    d.type = "Test:Src/Seen";
    d.severity = 1.0;
    d.time_ms = ev->time_ms;
    d.first_ms = ev->time_ms;
    d.account = ev->account;
    d.count = 1;
    d.resource_id = ev->kind == CM_EV_DNS ? ev->u.dns.query_name : ev->u.flow.interface_id;
    d.nevidence = 1;
    d.evidence[0] = ev->src;
    return cm_sink_emit(sink, &d);
}

static const char *const s_types[] = {"Test:Src/Seen", NULL};
static const struct cm_detector det_seen = {
    .name = "seen",
    .types = s_types,
    .kinds = CM_EV_MASK(CM_EV_DNS) | CM_EV_MASK(CM_EV_FLOW),
    .init = s_init,
    .on_event = s_event,
};
static const struct cm_detector *const table[] = {&det_seen, NULL};

static int seen_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct seen *s = sink->ud;

    if (s->n < MAX_SEEN) {
        s->d[s->n].time_ms = d->time_ms;
        s->d[s->n].src = d->evidence[0];
        snprintf(s->d[s->n].what, sizeof(s->d[s->n].what), "%.*s", (int)d->resource_id.len,
                 d->resource_id.p ? d->resource_id.p : "");
    }
    s->n++;
    return 0;
}

static int by_place(const void *a, const void *b)
{
    const struct seen_one *x = a, *y = b;

    if (x->src.file_id != y->src.file_id) {
        return x->src.file_id < y->src.file_id ? -1 : 1;
    }
    return x->src.offset < y->src.offset ? -1 : x->src.offset > y->src.offset;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/cm_scan_cwl_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Scans tmpdir; what the detector saw goes to *seen, sorted by offset. */
static void scan(unsigned threads, const struct cm_flow_format *ff, struct seen *seen,
                 struct cm_scan_stats *st)
{
    struct cm_scan_opts o;
    struct cm_sink sink = {seen_emit, seen};
    char *paths[1] = {tmpdir};
    char err[256] = "";

    memset(&o, 0, sizeof(o));
    memset(seen, 0, sizeof(*seen));
    o.threads = threads;
    o.detectors = table;
    o.flow_fields = ff;
    o.default_region = "us-east-1";
    if (cm_scan_run(&o, paths, 1, &sink, st, err, sizeof(err)) != 0) {
        fail_msg("scan: %s", err);
    }
    qsort(seen->d, seen->n < MAX_SEEN ? seen->n : MAX_SEEN, sizeof(seen->d[0]), by_place);
}

static void print_rejects(const struct cm_scan_stats *st)
{
    for (size_t i = 0; i < st->nrejects; i++) {
        print_message("reject kind %d at %llu line %u: %s\n", st->rejects[i].kind,
                      (unsigned long long)st->rejects[i].offset, st->rejects[i].line,
                      st->rejects[i].reason);
    }
}

static const struct cm_scan_reject *only_reject(const struct cm_scan_stats *st)
{
    if (st->nrejects != 1) {
        print_rejects(st);
        fail_msg("%zu rejects, want 1", st->nrejects);
    }
    return &st->rejects[0];
}

static void assert_starts(const char *s, const char *prefix)
{
    if (strncmp(s, prefix, strlen(prefix)) != 0) {
        fail_msg("'%s' does not start with '%s'", s, prefix);
    }
}

/* Checks what the detector saw: the n events at off[], line[], len[] in that order. */
static void assert_seen(const struct seen *sn, size_t n, const size_t *off, const uint32_t *line,
                        const size_t *len)
{
    if (sn->n != n) {
        fail_msg("%zu events seen, want %zu", sn->n, n);
    }
    for (size_t i = 0; i < n; i++) {
        const struct cm_src_ref *r = &sn->d[i].src;
        if (r->offset != off[i] || r->line != line[i] || (len && r->length != len[i])) {
            fail_msg("event %zu (%s) at %llu line %u length %u, want %zu line %u length %zu", i,
                     sn->d[i].what, (unsigned long long)r->offset, r->line, r->length, off[i],
                     line[i], len ? len[i] : 0);
        }
    }
}

/* --- subscription deliveries ---------------------------------------------- */

/*
 * A health check, then two deliveries: three Resolver records and a log event
 * whose message is a number. Offsets and lengths of the events go to off[]
 * and len[] (the bad one last).
 */
static struct blob subscription(size_t off[4], size_t len[4])
{
    struct blob b = {NULL, 0};
    char rec[512];

    add_str(&b, DELIVERY("CONTROL_MESSAGE"));
    add_event(&b, 1, 0, "CWL CONTROL MESSAGE: Checking health of destination Firehose.");
    add_str(&b, "]}\n" DELIVERY("DATA_MESSAGE"));
    off[0] = add_event(&b, 1, 1, resolver(rec, sizeof(rec), 7, "a.example."));
    len[0] = b.n - off[0];
    add_str(&b, ",");
    off[3] = b.n;
    add_str(&b, "{\"id\":\"2\",\"timestamp\":5,\"message\":42}");
    len[3] = b.n - off[3];
    off[1] = add_event(&b, 0, 3, resolver(rec, sizeof(rec), 8, "b.example."));
    len[1] = b.n - off[1];
    add_str(&b, "]}\n" DELIVERY("DATA_MESSAGE"));
    off[2] = add_event(&b, 1, 4, resolver(rec, sizeof(rec), 9, "c.example."));
    len[2] = b.n - off[2];
    add_str(&b, "]}\n");
    return b;
}

static void test_subscription(void **state)
{
    static const uint32_t lines[3] = {2, 2, 3};
    static const char *const names[3] = {"a.example.", "b.example.", "c.example."};
    size_t off[4], len[4];
    struct blob b = subscription(off, len);
    (void)state;

    put_blob("deliveries", &b);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct cm_scan_stats st;
        struct seen sn;
        const struct cm_scan_reject *rj;

        scan(threads, NULL, &sn, &st);
        assert_int_equal(st.files, 1);
        assert_int_equal(st.records[CM_EV_DNS], 3);
        assert_int_equal(st.rejected[CM_EV_DNS], 1);
        assert_int_equal(st.rejected_files, 0);
        rj = only_reject(&st);
        assert_int_equal(rj->kind, CM_EV_DNS);
        assert_int_equal(rj->offset, off[3]);
        assert_int_equal(b.p[rj->offset], '{');
        assert_int_equal(rj->line, 2);
        assert_non_null(strstr(rj->reason, "\"message\""));
        assert_null(strstr(rj->reason, "in the log event's message"));
        assert_int_equal(st.ninputs, 1);
        assert_int_equal(st.inputs[0].kind, CM_EV_DNS);
        assert_int_equal(st.inputs[0].records, 3);
        assert_int_equal(st.inputs[0].rejected, 1);
        assert_int_equal(st.inputs[0].damaged, 0);
        /* Each record's evidence is its log event object in the file. */
        assert_seen(&sn, 3, off, lines, len);
        for (int i = 0; i < 3; i++) {
            assert_string_equal(sn.d[i].what, names[i]);
            assert_true(sn.d[i].time_ms == T0 + (7 + i) * 1000);
            assert_int_equal(sn.d[i].src.file_id, 0);
        }
        assert_int_equal(st.detections, 3);
        cm_scan_stats_free(&st);
    }
    blob_free(&b);
}

/*
 * The same log events delivered again, by another path: a Firehose retry (another object,
 * other bytes: two of the first object's log events again, with a new event whose message
 * is the same as another's) and awscli's filter-log-events output (one of the events again,
 * its stream named; the same id in another stream is another event). A copy is read once,
 * whatever thread reads it, and counted in repeated; records counts every copy.
 */
static void test_redelivered_read_once(void **state)
{
    size_t off[4], len[4];
    struct blob b = subscription(off, len), r = {NULL, 0}, f = {NULL, 0};
    char rec[512];
    (void)state;

    put_blob("a-deliveries", &b);
    add_str(&r, DELIVERY("DATA_MESSAGE"));
    add_event(&r, 1, 3, resolver(rec, sizeof(rec), 8, "b.example."));
    add_event(&r, 0, 4, resolver(rec, sizeof(rec), 9, "c.example."));
    add_event(&r, 0, 5, resolver(rec, sizeof(rec), 7, "a.example."));
    add_str(&r, "]}\n");
    put_blob("b-retry", &r);
    add_str(&f, "{\"events\":[{\"logStreamName\":\"s\",\"timestamp\":5,\"message\":\"");
    add_escaped(&f, resolver(rec, sizeof(rec), 7, "a.example."));
    add_str(&f, "\",\"ingestionTime\":6,\"eventId\":\"1\"},\n{\"logStreamName\":\"other\","
                "\"timestamp\":5,\"message\":\"");
    add_escaped(&f, resolver(rec, sizeof(rec), 8, "b.example."));
    add_str(&f, "\",\"ingestionTime\":6,\"eventId\":\"3\"}]}\n");
    put_blob("c-filter.json", &f);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct cm_scan_stats st;
        struct seen sn;

        scan(threads, NULL, &sn, &st);
        assert_int_equal(st.files, 3);
        assert_int_equal(st.records[CM_EV_DNS], 3 + 3 + 2);
        assert_int_equal(st.repeated_kind[CM_EV_DNS], 2 + 1);
        assert_int_equal(st.repeated, 3);
        assert_int_equal(st.repeated_kind[CM_EV_CLOUDTRAIL], 0);
        assert_int_equal(st.detections, 5);
        assert_int_equal(sn.n, 5);
        cm_scan_stats_free(&st);
    }
    blob_free(&f);
    blob_free(&r);
    blob_free(&b);
}

/* awscli's output, pretty-printed: messages the Resolver parser turns away. */
static void test_awscli_message_rejects(void **state)
{
    static const char *const bad[2] = {
        "{\"query_timestamp\":\"2026-01-05T00:00:07Z\",\"query_name\":",
        "{\"query_timestamp\":\"yesterday\",\"query_name\":\"x.example.\"}",
    };
    static const char *const names[3] = {"a.example.", "b.example.", "c.example."};
    struct blob b = {NULL, 0};
    size_t good[3], rej[2];
    const uint32_t good_line[3] = {3, 5, 7}, rej_line[2] = {4, 6};
    char rec[512];
    (void)state;

    add_str(&b, "{\n  \"events\": [");
    for (int i = 0, g = 0, r = 0; i < 5; i++) {
        add_str(&b, "\n    ");
        if (i % 2 == 0) {
            good[g] = add_event(&b, i == 0, i, resolver(rec, sizeof(rec), 7 + g, names[g]));
            g++;
        } else {
            rej[r] = add_event(&b, 0, i, bad[r]);
            r++;
        }
    }
    add_str(&b, "\n  ],\n  \"searchedLogStreams\": []\n}\n");
    put_blob("awscli.json", &b);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct cm_scan_stats st;
        struct seen sn;

        scan(threads, NULL, &sn, &st);
        assert_int_equal(st.records[CM_EV_DNS], 3);
        assert_int_equal(st.rejected[CM_EV_DNS], 2);
        assert_int_equal(st.rejected_files, 0);
        assert_int_equal(st.nrejects, 2);
        for (int k = 0; k < 2; k++) {
            const struct cm_scan_reject *r = &st.rejects[0];
            if (r->offset != rej[k]) {
                r = &st.rejects[1];
            }
            if (r->offset != rej[k]) {
                print_rejects(&st);
                fail_msg("no reject at the log event at %zu", rej[k]);
            }
            assert_int_equal(r->kind, CM_EV_DNS);
            assert_int_equal(r->line, rej_line[k]);
            assert_starts(r->reason, "in the log event's message: ");
        }
        assert_seen(&sn, 3, good, good_line, NULL);
        assert_string_equal(sn.d[2].what, "c.example.");
        cm_scan_stats_free(&st);
    }
    blob_free(&b);
}

static void test_wrappers_with_nothing_to_read(void **state)
{
    struct blob text = {NULL, 0};
    struct cm_scan_stats st;
    struct seen sn;
    const struct cm_scan_reject *rj;
    (void)state;

    /* Messages in no format we know. */
    add_str(&text, DELIVERY("DATA_MESSAGE"));
    add_event(&text, 1, 1, "hello from an application");
    add_event(&text, 0, 2, "another plain line");
    add_str(&text, "]}");
    put_blob("text.json", &text);
    scan(1, NULL, &sn, &st);
    rj = only_reject(&st);
    assert_int_equal(rj->kind, 0);
    assert_starts(rj->reason, "CloudWatch Logs messages in an unrecognised format");
    assert_null(strstr(rj->reason, "--flow-fields")); /* prose, not flow records */
    assert_int_equal(st.rejected_files, 1);
    assert_int_equal(st.records[CM_EV_DNS] + st.records[CM_EV_FLOW], 0);
    assert_int_equal(sn.n, 0);
    cm_scan_stats_free(&st);
    blob_free(&text);
    drop("text.json");

    /* awscli found nothing. */
    put_str("empty.json", "{\n  \"events\": [],\n  \"searchedLogStreams\": []\n}\n");
    scan(2, NULL, &sn, &st);
    rj = only_reject(&st);
    assert_int_equal(rj->kind, 0);
    assert_string_equal(rj->reason, "CloudWatch Logs input without log events");
    assert_int_equal(rj->line, 1);
    assert_int_equal(st.rejected_files, 1);
    assert_int_equal(st.inputs[0].damaged, 1);
    cm_scan_stats_free(&st);
}

static void test_control_only(void **state)
{
    struct blob b = {NULL, 0};
    struct cm_scan_stats st;
    struct seen sn;
    (void)state;

    add_str(&b, DELIVERY("CONTROL_MESSAGE"));
    add_event(&b, 1, 0, "CWL CONTROL MESSAGE: Checking health of destination Firehose.");
    add_str(&b, "]}");
    put_blob("control", &b);
    scan(1, NULL, &sn, &st);
    assert_int_equal(st.files, 1);
    if (st.nrejects != 0) {
        print_rejects(&st);
        fail_msg("a health check alone was rejected");
    }
    assert_int_equal(st.rejected_files, 0);
    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        assert_int_equal(st.records[k], 0);
        assert_int_equal(st.rejected[k], 0);
    }
    assert_int_equal(st.inputs[0].damaged, 0);
    assert_int_equal(sn.n, 0);
    cm_scan_stats_free(&st);
    blob_free(&b);
}

/* --- --flow-fields ---------------------------------------------------------- */

#define CUSTOM_FIELDS                                                                              \
    "version vpc-id srcaddr dstaddr srcport dstport protocol packets bytes start end action "      \
    "log-status interface-id account-id"

/* A custom-format record (CUSTOM_FIELDS) of interface eni at start 1767571200 + s. */
static const char *custom(char *out, size_t cap, const char *eni, int s)
{
    snprintf(out, cap,
             "2 vpc-0a1 10.0.0.1 198.51.100.7 49152 443 6 10 840 %d %d ACCEPT OK %s 111122223333",
             1767571200 + s, 1767571260 + s, eni);
    return out;
}

static void test_flow_fields(void **state)
{
    static const char *const eni[3] = {"eni-0aaa", "eni-0bbb", "eni-0ccc"};
    static const uint32_t lines[3] = {1, 2, 3};
    struct cm_flow_format ff;
    struct blob b = {NULL, 0};
    struct cm_scan_stats st;
    struct seen sn;
    size_t off[3];
    char rec[256], err[128];
    const struct cm_scan_reject *rj;
    (void)state;

    assert_int_equal(cm_flow_format_parse(CUSTOM_FIELDS, &ff, err, sizeof(err)), 0);
    assert_int_equal(ff.ncols, 15);
    for (int i = 0; i < 3; i++) {
        off[i] = b.n;
        add_str(&b, custom(rec, sizeof(rec), eni[i], 7 + i));
        add_str(&b, "\n");
    }
    put_blob("custom.log", &b);
    /* Without the fields: a file the scan cannot read, and says what would help. */
    scan(1, NULL, &sn, &st);
    rj = only_reject(&st);
    assert_int_equal(rj->kind, 0);
    assert_non_null(strstr(rj->reason, "--flow-fields"));
    assert_int_equal(st.records[CM_EV_FLOW], 0);
    assert_int_equal(sn.n, 0);
    cm_scan_stats_free(&st);
    /* With them, by either thread count. */
    for (unsigned threads = 1; threads <= 2; threads++) {
        scan(threads, &ff, &sn, &st);
        if (st.nrejects != 0) {
            print_rejects(&st);
            fail_msg("%zu rejects with --flow-fields", st.nrejects);
        }
        assert_int_equal(st.records[CM_EV_FLOW], 3);
        assert_int_equal(st.inputs[0].kind, CM_EV_FLOW);
        assert_seen(&sn, 3, off, lines, NULL);
        for (int i = 0; i < 3; i++) {
            assert_string_equal(sn.d[i].what, eni[i]);
            assert_true(sn.d[i].time_ms == T0 + (7 + i) * 1000);
        }
        cm_scan_stats_free(&st);
    }
    drop("custom.log");
    blob_free(&b);

    /* The same records as a CloudWatch Logs export task writes them. */
    for (int i = 0; i < 3; i++) {
        add_str(&b, "2026-01-05T00:00:30.000Z ");
        off[i] = b.n;
        add_str(&b, custom(rec, sizeof(rec), eni[i], 7 + i));
        add_str(&b, "\n");
    }
    put_blob("export.log", &b);
    scan(2, &ff, &sn, &st);
    assert_int_equal(st.nrejects, 0);
    assert_int_equal(st.records[CM_EV_FLOW], 3);
    assert_seen(&sn, 3, off, lines, NULL);
    cm_scan_stats_free(&st);
    drop("export.log");
    blob_free(&b);

    /* And as a subscription delivers them. */
    add_str(&b, DELIVERY("DATA_MESSAGE"));
    for (int i = 0; i < 3; i++) {
        off[i] = add_event(&b, i == 0, i, custom(rec, sizeof(rec), eni[i], 7 + i));
    }
    add_str(&b, "]}\n");
    put_blob("flow-deliveries", &b);
    scan(1, NULL, &sn, &st);
    rj = only_reject(&st);
    assert_starts(rj->reason, "CloudWatch Logs messages in an unrecognised format");
    assert_non_null(strstr(rj->reason, "--flow-fields"));
    cm_scan_stats_free(&st);
    scan(2, &ff, &sn, &st);
    assert_int_equal(st.nrejects, 0);
    assert_int_equal(st.records[CM_EV_FLOW], 3);
    assert_seen(&sn, 3, off, (const uint32_t[3]){1, 1, 1}, NULL);
    assert_string_equal(sn.d[1].what, eni[1]);
    cm_scan_stats_free(&st);
    blob_free(&b);
}

/* A header line wins over --flow-fields. */
static void test_flow_fields_header_wins(void **state)
{
    static const char text[] =
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status\n"
        "2 111122223333 eni-0h1 10.0.0.1 198.51.100.7 49152 443 6 10 840 1767571207 1767571260 "
        "ACCEPT OK\n"
        "2 111122223333 eni-0h2 10.0.0.1 198.51.100.7 49152 443 6 10 840 1767571208 1767571260 "
        "REJECT OK\n";
    struct cm_flow_format ff;
    struct cm_scan_stats st;
    struct seen sn;
    char err[128];
    (void)state;

    assert_int_equal(cm_flow_format_parse(CUSTOM_FIELDS, &ff, err, sizeof(err)), 0);
    put_str("headed.log", text);
    for (unsigned threads = 1; threads <= 2; threads++) {
        scan(threads, &ff, &sn, &st);
        if (st.nrejects != 0) {
            print_rejects(&st);
            fail_msg("%zu rejects", st.nrejects);
        }
        assert_int_equal(st.records[CM_EV_FLOW], 2);
        assert_int_equal(sn.n, 2);
        assert_string_equal(sn.d[0].what, "eni-0h1");
        assert_string_equal(sn.d[1].what, "eni-0h2");
        assert_int_equal(sn.d[0].src.line, 2);
        assert_true(sn.d[1].time_ms == T0 + 8000);
        cm_scan_stats_free(&st);
    }
}

/*
 * With opts.flow_fields given, an input of header-less default-format lines
 * (14 fields, as a default-format flow log exports from CloudWatch Logs) is
 * still read as the default format: only lines of the given field count take
 * the given fields.
 */
static void test_flow_fields_leave_default_format(void **state)
{
    static const char text[] =
        "2026-01-05T00:00:30.000Z 2 111122223333 eni-0d1 10.0.0.1 198.51.100.7 49152 443 6 10 "
        "840 1767571207 1767571260 ACCEPT OK\n"
        "2026-01-05T00:00:31.000Z 2 111122223333 eni-0d2 10.0.0.1 198.51.100.7 49152 443 6 10 "
        "840 1767571208 1767571260 ACCEPT OK\n";
    struct cm_flow_format ff;
    struct cm_scan_stats st;
    struct seen sn;
    char err[128];
    uint64_t rejected;
    (void)state;

    assert_int_equal(cm_flow_format_parse(CUSTOM_FIELDS, &ff, err, sizeof(err)), 0);
    put_str("default.log", text);
    scan(1, NULL, &sn, &st);
    assert_int_equal(st.records[CM_EV_FLOW], 2);
    cm_scan_stats_free(&st);
    scan(1, &ff, &sn, &st);
    print_rejects(&st);
    rejected = st.rejected[CM_EV_FLOW];
    cm_scan_stats_free(&st); /* before the checks: a failed one leaves the test */
    assert_int_equal(rejected, 0);
    assert_int_equal(sn.n, 2);
    assert_string_equal(sn.d[1].what, "eni-0d2");
}

/* --- a gzip inside a gzip --------------------------------------------------- */

static struct blob gzip_twice(const void *p, size_t n)
{
    struct blob inner = gzip_member(p, n, 6);
    struct blob outer = gzip_member(inner.p, inner.n, 6);

    blob_free(&inner);
    return outer;
}

/* The seen event named name, or a failure. */
static const struct seen_one *named(const struct seen *sn, const char *name)
{
    for (size_t i = 0; i < sn->n && i < MAX_SEEN; i++) {
        if (strcmp(sn->d[i].what, name) == 0) {
            return &sn->d[i];
        }
    }
    fail_msg("no event for %s", name);
    return NULL;
}

static void test_nested_gzip(void **state)
{
    char text[2048], rec[512];
    size_t n = 0, off[3];
    struct blob twice, once;
    static const char plain[] = "{\"query_timestamp\":\"2026-01-05T00:00:20Z\",\"query_name\":"
                                "\"d.example.\",\"srcaddr\":\"10.0.0.9\"}\n";
    (void)state;

    for (int i = 0; i < 3; i++) {
        static const char *const names[3] = {"a.example.", "b.example.", "c.example."};
        off[i] = n;
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n",
                              resolver(rec, sizeof(rec), 7 + i, names[i]));
    }
    twice = gzip_twice(text, n);
    once = gzip_member(plain, strlen(plain), 6);
    put_blob("twice.log.gz", &twice);
    put_blob("once.log.gz", &once);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct cm_scan_stats st;
        struct seen sn;

        scan(threads, NULL, &sn, &st);
        if (st.nrejects != 0) {
            print_rejects(&st);
            fail_msg("%zu rejects", st.nrejects);
        }
        assert_int_equal(st.files, 2);
        assert_int_equal(st.records[CM_EV_DNS], 4);
        /* What was parsed: the innermost content of each. */
        assert_int_equal(st.bytes_decoded, n + strlen(plain));
        assert_int_equal(st.bytes_in, twice.n + once.n);
        /* Evidence locations are in the inner content. */
        assert_int_equal(named(&sn, "a.example.")->src.offset, off[0]);
        assert_int_equal(named(&sn, "b.example.")->src.offset, off[1]);
        assert_int_equal(named(&sn, "c.example.")->src.line, 3);
        assert_int_equal(named(&sn, "c.example.")->src.offset, off[2]);
        assert_int_equal(named(&sn, "d.example.")->src.offset, 0);
        cm_scan_stats_free(&st);
    }
    blob_free(&once);
    blob_free(&twice);
}

/* Firehose compressing a subscription's gzip'd deliveries: unwrapped as the plain file is. */
static void test_nested_gzip_subscription(void **state)
{
    static const uint32_t lines[3] = {2, 2, 3};
    size_t off[4], len[4];
    struct blob b = subscription(off, len);
    struct blob twice = gzip_twice(b.p, b.n);
    (void)state;

    put_blob("deliveries.gz", &twice);
    for (unsigned threads = 1; threads <= 2; threads++) {
        struct cm_scan_stats st;
        struct seen sn;
        const struct cm_scan_reject *rj;

        scan(threads, NULL, &sn, &st);
        assert_int_equal(st.records[CM_EV_DNS], 3);
        rj = only_reject(&st);
        assert_int_equal(rj->kind, CM_EV_DNS);
        assert_int_equal(rj->offset, off[3]);
        assert_int_equal(rj->line, 2);
        assert_seen(&sn, 3, off, lines, len);
        assert_int_equal(st.bytes_decoded, b.n);
        cm_scan_stats_free(&st);
    }
    blob_free(&twice);
    blob_free(&b);
}

/* The inner gzip cut short: the records before the cut, and a file reject. */
static void test_nested_gzip_truncated(void **state)
{
    static char text[1 << 16];
    char rec[512], name[32];
    size_t n = 0;
    struct blob inner, outer;
    int nrec = 0, trunc = 0;
    struct cm_scan_stats st;
    struct seen sn;
    (void)state;

    while (n + 600 < sizeof(text)) {
        snprintf(name, sizeof(name), "q%d.example.", nrec);
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%s\n",
                              resolver(rec, sizeof(rec), nrec % 60, name));
        nrec++;
    }
    inner = gzip_member(text, n, 6);
    outer = gzip_member(inner.p, inner.n / 2, 6);
    put_blob("cut.log.gz", &outer);
    scan(1, NULL, &sn, &st);
    assert_true(st.records[CM_EV_DNS] >= 1);
    assert_true(st.records[CM_EV_DNS] < (uint64_t)nrec);
    assert_int_equal(st.rejected_files, 1);
    for (size_t i = 0; i < st.nrejects; i++) {
        trunc |= st.rejects[i].kind == 0 && strstr(st.rejects[i].reason, "truncated gzip") != NULL;
    }
    if (!trunc) {
        print_rejects(&st);
        fail_msg("no truncated-gzip reject");
    }
    assert_int_equal(sn.n, st.records[CM_EV_DNS]);
    assert_int_equal(named(&sn, "q0.example.")->src.offset, 0);
    assert_true(st.bytes_decoded < n);
    cm_scan_stats_free(&st);
    blob_free(&outer);
    blob_free(&inner);
}

/* Resolver records, one a line, into text (cap bytes, with room to spare); their length. */
static size_t resolver_lines(char *text, size_t cap)
{
    char rec[512], name[32];
    size_t n = 0;

    for (int i = 0; n + 600 < cap; i++) {
        snprintf(name, sizeof(name), "q%d.example.", i);
        n += (size_t)snprintf(text + n, cap - n, "%s\n", resolver(rec, sizeof(rec), i % 60, name));
    }
    return n;
}

/* Scans tmpdir, one thread, an input at most cap bytes once decoded. */
static void scan_capped(size_t cap, struct cm_scan_stats *st)
{
    struct cm_scan_opts o;
    struct seen sn;
    struct cm_sink sink = {seen_emit, &sn};
    char *paths[1] = {tmpdir};
    char err[256] = "";

    memset(&o, 0, sizeof(o));
    memset(&sn, 0, sizeof(sn));
    o.threads = 1;
    o.detectors = table;
    o.max_input_bytes = cap;
    assert_int_equal(cm_scan_run(&o, paths, 1, &sink, st, err, sizeof(err)), 0);
}

/* A gzip inside a gzip whose inner content is over the size cap: one reject, nothing parsed. */
static void test_nested_gzip_over_cap(void **state)
{
    static char text[8192];
    size_t n;
    struct blob inner, outer;
    struct cm_scan_stats st;
    (void)state;

    n = resolver_lines(text, sizeof(text));
    inner = gzip_member(text, n, 6);
    outer = gzip_member(inner.p, inner.n, 6);
    put_blob("big.log.gz", &outer);
    assert_true(inner.n < n - 100);
    scan_capped(n - 100, &st); /* the middle layer fits, the inner content does not */
    assert_int_equal(st.records[CM_EV_DNS], 0);
    assert_int_equal(st.rejected_files, 1);
    if (st.nrejects != 1 || strstr(st.rejects[0].reason, "cap") == NULL) {
        print_rejects(&st);
        fail_msg("want one reject, for the cap");
    }
    cm_scan_stats_free(&st);
    blob_free(&outer);
    blob_free(&inner);
}

/* A file over the size cap is refused from its size, unread, with the cap in the reason. */
static void test_file_over_cap(void **state)
{
    static char text[8192];
    char want[64];
    size_t n;
    struct cm_scan_stats st;
    (void)state;

    n = resolver_lines(text, sizeof(text));
    put_str("big.log", text);
    scan_capped(n - 1, &st);
    assert_int_equal(st.records[CM_EV_DNS], 0);
    assert_int_equal(st.rejected_files, 1);
    assert_int_equal(st.bytes_in, 0); /* not read in vain */
    snprintf(want, sizeof(want), "the size cap of %zu bytes", n - 1);
    if (st.nrejects != 1 || strstr(st.rejects[0].reason, want) == NULL) {
        print_rejects(&st);
        fail_msg("want one reject, naming the cap");
    }
    cm_scan_stats_free(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_subscription, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redelivered_read_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_awscli_message_rejects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrappers_with_nothing_to_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_control_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_fields_header_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_fields_leave_default_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_gzip_subscription, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_gzip_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_gzip_over_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_over_cap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
