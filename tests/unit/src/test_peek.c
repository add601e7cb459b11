/*
 * Unit tests for cm_peek_first_time and the input order it gives files whose
 * names carry no AWS time stamp.
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

#include "base/err.h"
#include "parse/parse.h"
#include "source/input.h"
#include "source/peek.h"

#include "blob.h"

static char dir[256];

static const char *put(const char *name, const char *text, int gz)
{
    static char path[512];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (gz) {
        gzFile f = gzopen(path, "wb");
        assert_non_null(f);
        gzputs(f, text);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    return path;
}

#define CT(t)                                                                                      \
    "{\"Records\":[{\"eventTime\":\"" t "\",\"eventSource\":\"iam.amazonaws.com\","                \
    "\"eventName\":\"ListUsers\"}]}"
#define FLOW(start)                                                                                \
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "      \
    "start end action log-status\n2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 " start        \
    " " start " ACCEPT OK\n"
#define DNS(t)                                                                                     \
    "{\"query_timestamp\":\"" t "\",\"query_name\":\"a.example.\",\"srcaddr\":\"10.0.0.1\"}\n"

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm_peek_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_first_time(void **state)
{
    int64_t ms = 0;
    (void)state;

    assert_int_equal(cm_peek_first_time(put("a.json", CT("2025-03-04T10:00:00Z"), 0), &ms), 0);
    assert_true(ms == 1741082400000LL);
    assert_int_equal(cm_peek_first_time(put("b.log.gz", FLOW("1741082460"), 1), &ms), 0);
    assert_true(ms == 1741082460000LL);
    assert_int_equal(cm_peek_first_time(put("c.log", DNS("2025-03-04T10:02:00Z"), 0), &ms), 0);
    assert_true(ms == 1741082520000LL);
    assert_int_equal(cm_peek_first_time(put("d.txt", "hello world\n", 0), &ms), CM_EFORMAT);
    assert_int_equal(
        cm_peek_first_time(put("e.json", "{\"Records\":[{\"eventTime\":\"bad\"}]}", 0), &ms),
        CM_ENOTFOUND);
    assert_int_equal(cm_peek_first_time("/nonexistent/peek", &ms), CM_EIO);
}

/* A Parquet file's metadata is at its end: it is read whole and its first row peeked. */
static void test_parquet(void **state)
{
    FILE *f = fopen("tests/fixtures/parquet/flows-gzip-rg3.parquet", "rb");
    static char buf[64 * 1024];
    char path[512];
    size_t n;
    int64_t ms = 0;
    (void)state;

    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_true(n > 0 && n < sizeof(buf));
    snprintf(path, sizeof(path), "%s/flows.log.parquet", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
    assert_int_equal(cm_peek_first_time(path, &ms), 0);
    assert_true(ms == 1767571200000LL); /* flows.log's first record (NODATA) starts then */
    /* cut short: no footer, no time */
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n / 2, f), n / 2);
    fclose(f);
    assert_int_equal(cm_peek_first_time(path, &ms), CM_EFORMAT);
}

static void test_large_gzip_prefix(void **state)
{
    /* A record time near the start of a big gzip file is found from the window alone. */
    size_t n = 4 << 20;
    char *big = malloc(n + 1);
    const char *head = FLOW("1741082400");
    int64_t ms = 0;
    (void)state;

    assert_non_null(big);
    memcpy(big, head, strlen(head));
    for (size_t i = strlen(head); i < n; i++) {
        big[i] = (i % 64 == 63) ? '\n' : ' ';
    }
    big[n] = '\0';
    assert_int_equal(cm_peek_first_time(put("big.log.gz", big, 1), &ms), 0);
    assert_true(ms == 1741082400000LL);
    free(big);
}

static void test_order_by_first_record(void **state)
{
    struct cm_inputs in;
    char err[256];
    char *paths[1] = {dir};
    (void)state;

    put("zz-early.json", CT("2025-03-04T09:00:00Z"), 0);
    put("aa-late.log", FLOW("1741100000"), 0);
    put("111122223333_CloudTrail_us-east-1_20250304T0930Z_x.json", CT("2025-03-04T09:30:00Z"), 0);
    put("notes.txt", "not a log\n", 0);
    assert_int_equal(cm_inputs_collect(&in, paths, 1, err, sizeof(err)), 0);
    assert_int_equal(in.n, 4);
    /* No time at all first, then by time whatever the names say. */
    assert_non_null(strstr(in.v[0].path, "notes.txt"));
    assert_non_null(strstr(in.v[1].path, "zz-early.json"));
    assert_non_null(strstr(in.v[2].path, "T0930Z"));
    assert_non_null(strstr(in.v[3].path, "aa-late.log"));
    cm_inputs_free(&in);
}

/* --- CloudWatch Logs wrappers, export lines and a gzip in a gzip --------- */

#define T07 1767571207000LL /* 2026-01-05T00:00:07Z */

/* Writes n bytes as they are. */
static const char *put_bytes(const char *name, const void *data, size_t n)
{
    static char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
    return path;
}

/* text gzipped by zlib into buf (room for cap bytes), with a header CRC when hcrc; its size. */
static size_t gzip_bytes(const char *text, int hcrc, unsigned char *buf, size_t cap)
{
    z_stream zs;
    gz_header h;
    size_t n;

    memset(&zs, 0, sizeof(zs));
    memset(&h, 0, sizeof(h));
    h.hcrc = hcrc;
    h.os = 3;
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    assert_int_equal(deflateSetHeader(&zs, &h), Z_OK);
    zs.next_in = (Bytef *)(uintptr_t)text;
    zs.avail_in = (uInt)strlen(text);
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    n = cap - zs.avail_out;
    deflateEnd(&zs);
    return n;
}

/*
 * The prefix is inflated without the trailer's CRC-32 unless the header has a
 * CRC of its own: a bad trailer CRC leaves the time found (what inflate yields
 * does not depend on it), a good header CRC is taken and a bad one finds nothing.
 */
static void test_gzip_checks(void **state)
{
    const char *text = FLOW("1741082400");
    unsigned char buf[1024];
    int64_t ms = 0;
    size_t n;
    (void)state;

    n = gzip_bytes(text, 0, buf, sizeof(buf));
    assert_int_equal(cm_peek_first_time(put_bytes("plain.gz", buf, n), &ms), 0);
    assert_true(ms == 1741082400000LL);
    buf[n - 8] ^= 0xff; /* the trailer's CRC-32 */
    ms = 0;
    assert_int_equal(cm_peek_first_time(put_bytes("badcrc.gz", buf, n), &ms), 0);
    assert_true(ms == 1741082400000LL);

    n = gzip_bytes(text, 1, buf, sizeof(buf));
    assert_true((buf[3] & 0x02) != 0);
    ms = 0;
    assert_int_equal(cm_peek_first_time(put_bytes("hcrc.gz", buf, n), &ms), 0);
    assert_true(ms == 1741082400000LL);
    buf[n - 8] ^= 0xff;
    ms = 0;
    assert_int_equal(cm_peek_first_time(put_bytes("hcrc-badcrc.gz", buf, n), &ms), 0);
    assert_true(ms == 1741082400000LL);
    buf[n - 8] ^= 0xff;
    buf[10] ^= 0xff; /* the header's CRC-16 (no extra, name or comment before it) */
    assert_int_equal(cm_peek_first_time(put_bytes("badhcrc.gz", buf, n), &ms), CM_EFORMAT);
}

/* A growing text (doubling, so megabytes are built in linear time even under ASan). */
struct text {
    unsigned char *p;
    size_t n, cap;
};

static void text_add(struct text *t, const void *p, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 4096;
        unsigned char *np;

        while (cap < t->n + n + 1) {
            cap *= 2;
        }
        np = realloc(t->p, cap);
        assert_non_null(np);
        t->p = np;
        t->cap = cap;
    }
    memcpy(t->p + t->n, p, n);
    t->n += n;
}

static void text_free(struct text *t)
{
    free(t->p);
    memset(t, 0, sizeof(*t));
}

/* Appends text to b as the inside of a JSON string. */
static void add_escaped(struct text *b, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\') {
            text_add(b, "\\", 1);
            text_add(b, p, 1);
        } else if (*p == '\n') {
            text_add(b, "\\n", 2);
        } else {
            text_add(b, p, 1);
        }
    }
}

static void add_str(struct text *b, const char *text)
{
    text_add(b, text, strlen(text));
}

/* One subscription delivery whose log events carry the messages msg[0..n). */
static void add_delivery(struct text *b, const char *type, const char *const *msg, size_t n)
{
    char head[256];

    snprintf(head, sizeof(head),
             "{\"messageType\":\"%s\",\"owner\":\"1\",\"logGroup\":\"g\",\"logStream\":\"s\","
             "\"subscriptionFilters\":[\"f\"],\"logEvents\":[",
             type);
    add_str(b, head);
    for (size_t i = 0; i < n; i++) {
        snprintf(head, sizeof(head), "%s{\"id\":\"%zu\",\"timestamp\":5,\"message\":\"",
                 i ? "," : "", i + 1);
        add_str(b, head);
        add_escaped(b, msg[i]);
        add_str(b, "\"}");
    }
    add_str(b, "]}");
}

/* A text file's peek, plain and gzip'd; both must give want. */
static void peek_both(const char *name, const struct text *b, int64_t want)
{
    char gzname[128];
    struct blob gz = gzip_member(b->p, b->n, 6);
    int64_t ms = 0;

    assert_int_equal(cm_peek_first_time(put_bytes(name, b->p, b->n), &ms), 0);
    if (ms != want) {
        fail_msg("%s: %lld, want %lld", name, (long long)ms, (long long)want);
    }
    ms = 0;
    snprintf(gzname, sizeof(gzname), "%s.gz", name);
    assert_int_equal(cm_peek_first_time(put_bytes(gzname, gz.p, gz.n), &ms), 0);
    if (ms != want) {
        fail_msg("%s: %lld, want %lld", gzname, (long long)ms, (long long)want);
    }
    blob_free(&gz);
}

static void test_cwl_subscription(void **state)
{
    /* The health check carries an earlier record: it must not be read. */
    static const char *const control[] = {DNS("2026-01-01T00:00:00Z")};
    static const char *const data1[] = {DNS("2026-01-05T00:00:07Z"), DNS("2025-12-31T00:00:00Z")};
    static const char *const data2[] = {DNS("2026-01-05T00:01:00Z")};
    struct text b = {NULL, 0, 0};
    (void)state;

    add_delivery(&b, "CONTROL_MESSAGE", control, 1);
    add_delivery(&b, "DATA_MESSAGE", data1, 2);
    add_delivery(&b, "DATA_MESSAGE", data2, 1); /* Firehose writes them back to back */
    peek_both("sub", &b, T07);
    text_free(&b);
    /* One per line, and a first event without its newline. */
    add_delivery(&b, "CONTROL_MESSAGE", control, 1);
    add_str(&b, "\n");
    add_str(&b, "{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"id\":\"1\",\"message\":\"");
    add_escaped(&b, "{\"query_timestamp\":\"2026-01-05T00:00:09Z\",\"query_name\":\"a.\"}");
    add_str(&b, "\",\"timestamp\":5}]}\n");
    peek_both("sub-lines", &b, T07 + 2000);
    text_free(&b);
}

static void test_cwl_awscli(void **state)
{
    struct text b = {NULL, 0, 0};
    (void)state;

    add_str(
        &b,
        "{\n    \"events\": [\n        {\"logStreamName\":\"s\",\"timestamp\":5,\"message\":\"");
    add_escaped(&b, DNS("2026-01-05T00:00:07Z"));
    add_str(&b, "\",\"ingestionTime\":6,\"eventId\":\"0\"},\n        {\"logStreamName\":\"s\","
                "\"timestamp\":6,\"message\":\"");
    add_escaped(&b, DNS("2026-01-05T00:01:00Z"));
    add_str(
        &b,
        "\",\"ingestionTime\":7,\"eventId\":\"1\"}\n    ],\n    \"searchedLogStreams\": []\n}\n");
    peek_both("awscli.json", &b, T07);
    text_free(&b);
}

/* CloudTrail's look-up events come newest first: all in the window, the oldest is the first
 * time; more than the window holds, the file sorts after the others (not at the newest
 * events' time, nor first as a file with no time would). */
static void test_lookup_events(void **state)
{
    struct text b = {NULL, 0, 0};
    int64_t ms = 0;
    (void)state;

    add_str(&b, "{\"Events\":[{\"EventId\":\"2\",\"CloudTrailEvent\":\"");
    add_escaped(&b, CT("2025-03-04T10:59:00Z"));
    add_str(&b, "\"},{\"EventId\":\"1\",\"CloudTrailEvent\":\"");
    add_escaped(&b, CT("2025-03-04T10:00:00Z"));
    add_str(&b, "\"}]}\n");
    assert_int_equal(cm_peek_first_time(put_bytes("lookup.json", b.p, b.n), &ms), 0);
    assert_true(ms == 1741082400000LL);
    text_free(&b);
    b = (struct text){NULL, 0, 0};
    add_str(&b, "{\"Events\":[");
    for (int i = 59; i >= 0; i--) {
        char rec[160];
        snprintf(rec, sizeof(rec),
                 "{\"eventTime\":\"2025-03-04T10:%02d:00Z\",\"eventSource\":\"iam.amazonaws.com\","
                 "\"eventName\":\"ListUsers\"}",
                 i);
        add_str(&b, i < 59 ? ",{\"CloudTrailEvent\":\"" : "{\"CloudTrailEvent\":\"");
        add_escaped(&b, rec);
        add_str(&b, "\"}");
    }
    add_str(&b, "]}\n");
    assert_int_equal(cm_peek_first_time(put_bytes("lookup60.json", b.p, b.n), &ms), 0);
    assert_true(ms == INT64_MAX);
    text_free(&b);
}

static void test_nested_gzip(void **state)
{
    const char *text = DNS("2026-01-05T00:00:07Z") DNS("2026-01-05T00:01:00Z");
    struct blob inner = gzip_member(text, strlen(text), 6);
    struct blob outer = gzip_member(inner.p, inner.n, 6);
    int64_t ms = 0;
    (void)state;

    assert_int_equal(cm_peek_first_time(put_bytes("nested.log.gz", outer.p, outer.n), &ms), 0);
    assert_true(ms == T07);
    /* A subscription file gzip'd twice (Firehose compressing CloudWatch Logs' gzip). */
    {
        static const char *const msg[] = {DNS("2026-01-05T00:00:09Z")};
        struct text b = {NULL, 0, 0};

        blob_free(&outer);
        blob_free(&inner);
        add_delivery(&b, "DATA_MESSAGE", msg, 1);
        inner = gzip_member(b.p, b.n, 6);
        outer = gzip_member(inner.p, inner.n, 6);
        assert_int_equal(cm_peek_first_time(put_bytes("nested-sub.gz", outer.p, outer.n), &ms), 0);
        assert_true(ms == T07 + 2000);
        text_free(&b);
    }
    blob_free(&outer);
    blob_free(&inner);
}

/*
 * zstd files are peeked as gzip ones are: the first frame's first block, frames after an
 * empty one, zstd inside gzip; a big file's first record from its 64 KiB window alone.
 */
static void test_zstd(void **state)
{
    const char *text = DNS("2026-01-05T00:00:07Z") DNS("2026-01-05T00:01:00Z");
    struct blob z = zstd_frame(text, strlen(text), 3, 1, 0);
    struct blob two = zstd_frame("", 0, 3, 0, 1), gz, big;
    size_t n = 4 << 20;
    char *large = malloc(n + 1);
    const char *head = FLOW("1741082400");
    int64_t ms = 0;
    (void)state;

    assert_int_equal(cm_peek_first_time(put_bytes("a.log.zst", z.p, z.n), &ms), 0);
    assert_true(ms == T07);
    blob_add(&two, z.p, z.n); /* an empty frame, then the records */
    assert_int_equal(cm_peek_first_time(put_bytes("b.log.zst", two.p, two.n), &ms), 0);
    assert_true(ms == T07);
    gz = gzip_member(z.p, z.n, 6);
    assert_int_equal(cm_peek_first_time(put_bytes("c.log.zst.gz", gz.p, gz.n), &ms), 0);
    assert_true(ms == T07);

    assert_non_null(large);
    memcpy(large, head, strlen(head));
    for (size_t i = strlen(head); i < n; i++) {
        large[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i * 7919) % 26);
    }
    big = zstd_frame(large, n, 3, 1, 0);
    assert_true(big.n > CM_PEEK_RAW);
    assert_int_equal(cm_peek_first_time(put_bytes("big.log.zst", big.p, big.n), &ms), 0);
    assert_true(ms == 1741082400000LL);
    free(large);
    blob_free(&big);
    blob_free(&gz);
    blob_free(&two);
    blob_free(&z);
}

/*
 * A Firehose object of CloudWatch Logs deliveries without Firehose's own compression is
 * their gzip members back to back, and the first is often the health check (no record):
 * the time is the first DATA_MESSAGE's, in a later member, gzip'd once more or not.
 * Before 2026-12-05 only the first member was inflated, no time was found and the file
 * was read before every file of its source, whose records then all came late.
 */
static void test_gzip_members(void **state)
{
    static const char *const control[] = {"CWL CONTROL MESSAGE: Checking health of destination"};
    static const char *const data[] = {DNS("2026-01-05T00:00:07Z")};
    struct text c = {NULL, 0, 0}, d = {NULL, 0, 0};
    struct blob members = {NULL, 0}, m1, m2, outer;
    int64_t ms = 0;
    (void)state;

    add_delivery(&c, "CONTROL_MESSAGE", control, 1);
    add_delivery(&d, "DATA_MESSAGE", data, 1);
    m1 = gzip_member(c.p, c.n, 6);
    m2 = gzip_member(d.p, d.n, 6);
    blob_add(&members, m1.p, m1.n);
    blob_add(&members, m2.p, m2.n);
    assert_int_equal(cm_peek_first_time(put_bytes("fh-members", members.p, members.n), &ms), 0);
    assert_true(ms == T07);
    ms = 0;
    outer = gzip_member(members.p, members.n, 6);
    assert_int_equal(cm_peek_first_time(put_bytes("fh-members.gz", outer.p, outer.n), &ms), 0);
    assert_true(ms == T07);
    blob_free(&outer);
    blob_free(&members);
    blob_free(&m2);
    blob_free(&m1);
    text_free(&d);
    text_free(&c);
}

static void test_cwl_export(void **state)
{
    struct text b = {NULL, 0, 0};
    (void)state;

    /* The export time is the delivery's; the record's own time is what counts. */
    add_str(&b, "2026-01-05T00:00:30.000Z " DNS("2026-01-05T00:00:07Z"));
    add_str(&b, "2026-01-05T00:00:31.000Z " DNS("2026-01-05T00:01:00Z"));
    peek_both("export-dns", &b, T07);
    text_free(&b);
    add_str(&b, "2026-01-05T00:00:30.000Z 2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 "
                "1767571207 1767571260 ACCEPT OK\n"
                "2026-01-05T00:00:31.000Z 2 111122223333 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 "
                "1767571260 1767571300 ACCEPT OK\n");
    peek_both("export-flow", &b, T07);
    text_free(&b);
}

/* Custom-format flow lines with no header (as in CloudWatch Logs): timed with the user's fields. */
static void test_flow_fields(void **state)
{
    static const char text[] = "2026-01-05T00:00:30.000Z vpc-1 eni-1 10.0.0.1 1767571207 ACCEPT\n"
                               "2026-01-05T00:00:31.000Z vpc-1 eni-1 10.0.0.1 1767571300 ACCEPT\n";
    struct cm_flow_format ff, other;
    char err[128];
    int64_t ms = 0;
    const char *path = put("custom-flow.gz", text, 1);
    (void)state;

    assert_int_equal(
        cm_flow_format_parse("vpc-id interface-id srcaddr start action", &ff, err, sizeof(err)), 0);
    assert_int_equal(cm_flow_format_parse("vpc-id srcaddr start", &other, err, sizeof(err)), 0);
    assert_int_equal(cm_peek_first_time(path, &ms), CM_EFORMAT);
    assert_int_equal(cm_peek_first_time_with(path, &other, &ms), CM_EFORMAT); /* not 5 fields */
    assert_int_equal(cm_peek_first_time_with(path, &ff, &ms), 0);
    assert_int_equal(ms, 1767571207000LL);
}

/* A first good record past the first inflated window (16 KiB) is found by the wider one. */
static void test_first_record_late(void **state)
{
    size_t n = 40 * 1024, at = 0;
    char *big = malloc(n + 256);
    int64_t ms = 0;
    (void)state;

    assert_non_null(big);
    while (at < n) { /* Resolver records the parser rejects (no query_name) */
        at += (size_t)sprintf(big + at, "{\"query_timestamp\":\"2026-01-05T00:00:07Z\","
                                        "\"srcaddr\":\"10.0.0.1\",\"query_name\":1}\n");
    }
    sprintf(big + at, "%s", DNS("2026-01-05T00:00:07Z"));
    assert_int_equal(cm_peek_first_time(put("late.log.gz", big, 1), &ms), 0);
    assert_true(ms == T07);
    free(big);
}

static void test_cwl_large(void **state)
{
    static const char *const control[] = {"CWL CONTROL MESSAGE: Checking health of destination."};
    struct text b = {NULL, 0, 0};
    char rec[256], head[64];
    uint32_t x = 7;
    (void)state;

    /* One delivery of thousands of log events, past both of peek's windows (64 KiB
     * read, 256 KiB inflated): the window ends inside its log event array. */
    add_delivery(&b, "CONTROL_MESSAGE", control, 1);
    add_str(&b, "{\"messageType\":\"DATA_MESSAGE\",\"owner\":\"1\",\"logGroup\":\"g\","
                "\"logStream\":\"s\",\"subscriptionFilters\":[\"f\"],\"logEvents\":[");
    for (int i = 0; b.n < (1u << 20); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        if (i == 0) {
            snprintf(rec, sizeof(rec), "%s", DNS("2026-01-05T00:00:07Z"));
        } else {
            snprintf(rec, sizeof(rec),
                     "{\"query_timestamp\":\"2025-01-01T00:00:%02uZ\",\"query_name\":\"%08x.%u."
                     "example.\",\"srcaddr\":\"10.%u.%u.%u\"}\n",
                     x % 60, x, x % 977, x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff);
        }
        snprintf(head, sizeof(head), "%s{\"id\":\"%d\",\"timestamp\":5,\"message\":\"",
                 i ? "," : "", i);
        add_str(&b, head);
        add_escaped(&b, rec);
        add_str(&b, "\"}");
    }
    add_str(&b, "]}");
    assert_true(b.n > 256 * 1024);
    peek_both("big-sub", &b, T07);
    text_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_gzip_prefix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parquet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_order_by_first_record, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cwl_subscription, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cwl_awscli, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gzip_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_zstd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cwl_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cwl_large, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flow_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_record_late, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
