/*
 * The Resolver parser's canonical reader (lib/parse/resolver_canon.c):
 * it reads AWS's compact records, and wherever it reads a record the
 * general fast reader fills the event alike. Random canonical records
 * (every value length including empty, 0-20 answers, srcids empty, with
 * an instance or missing, trailing blanks), then the same records broken one byte at a
 * time: a blank inserted, a byte dropped, a byte changed (a quote, a
 * backslash, a control byte, a letter's case), which the canonical reader
 * must refuse or read exactly as the general one does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/time.h"
#include "parse/resolver_int.h"
#include "resolver_same.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A plain value of 0-24 bytes (sometimes one 40 long, past a 16-byte step). */
static size_t value(char *out)
{
    static const char chars[] = "abcXYZ0189.-_:/ =";
    size_t n = rnd() % 8 == 0 ? 40 : rnd() % 25;

    for (size_t i = 0; i < n; i++) {
        out[i] = chars[rnd() % (sizeof(chars) - 1)];
    }
    out[n] = '\0';
    return n;
}

/* A canonical record into out (with its newline); returns its length. */
static size_t record(char *out, size_t cap)
{
    static const char *const types[] = {"A", "AAAA", "CNAME", "TXT", "MX", "NULL", "PTR"};
    static const char *const ts[] = {"2026-01-05T22:15:00Z", "2026-01-05T22:15:01Z",
                                     "2026-02-30T00:00:00Z", "x"};
    char v[12][48];
    size_t n, nans = rnd() % 4 == 0 ? rnd() % 21 : rnd() % 3;

    for (int i = 0; i < 12; i++) {
        value(v[i]);
    }
    n = (size_t)snprintf(out, cap,
                         "{\"version\":\"%s\",\"account_id\":\"%s\",\"region\":\"%s\",\"vpc_id\":"
                         "\"%s\",\"query_timestamp\":\"%s\",\"query_name\":\"%s\",\"query_type\":"
                         "\"%s\",\"query_class\":\"%s\",\"rcode\":\"%s\",\"answers\":[",
                         v[0], v[1], v[2], v[3], ts[rnd() % 8 < 6 ? 0 : rnd() % 4], v[4], v[5],
                         v[6], v[7]);
    for (size_t k = 0; k < nans; k++) {
        char rd[48];

        if (rnd() % 2) {
            snprintf(rd, sizeof(rd), "%u.%u.%u.%u", (unsigned)(rnd() % 256),
                     (unsigned)(rnd() % 256), (unsigned)(rnd() % 256), (unsigned)(rnd() % 256));
        } else {
            value(rd);
        }
        n += (size_t)snprintf(out + n, cap - n,
                              "%s{\"Rdata\":\"%s\",\"Type\":\"%s\",\"Class\":\"IN\"}", k ? "," : "",
                              rd, types[rnd() % 7]);
    }
    n += (size_t)snprintf(out + n, cap - n,
                          "],\"srcaddr\":\"%s\",\"srcport\":\"%s\",\"transport\":\"%s\"",
                          rnd() % 2 ? "10.1.32.12" : v[8],
                          rnd() % 2   ? "44866"
                          : rnd() % 2 ? "70000"
                                      : v[9],
                          v[10]);
    switch (rnd() % 8) {
    case 0:
    case 1:
        n += (size_t)snprintf(out + n, cap - n, ",\"srcids\":{}}");
        break;
    case 2:
        n += (size_t)snprintf(out + n, cap - n, "}"); /* srcids trimmed */
        break;
    default:
        n += (size_t)snprintf(out + n, cap - n, ",\"srcids\":{\"instance\":\"i-%s\"}}", v[11]);
    }
    n += (size_t)snprintf(out + n, cap - n, "%s\n", rnd() % 8 == 0 ? " \r" : "");
    return n;
}

/* Reads buf[0..len) with both readers; when the canonical one succeeds, so must the other, alike.
 */
static bool check(const char *buf, size_t len)
{
    struct cm_time_memo m1, m2;
    struct cm_event a, b;
    size_t ea = 0, eb = 0;
    bool ok;

    memset(&m1, 0, sizeof(m1));
    memset(&m2, 0, sizeof(m2));
    memset(&a, 0x5a, sizeof(a));
    memset(&b, 0xa5, sizeof(b));
    ok = cm_resolver_canonical_record(buf, len, 0, &ea, &a, &m1);
    if (!ok) {
        return false;
    }
    if (!cm_resolver_general_record(buf, len, 0, &eb, &b, &m2)) {
        fail_msg("the canonical reader took a record the general one refuses: %.*s", (int)len, buf);
    }
    if (ea != eb || !resolver_same(&a, &b)) {
        fail_msg("the readers differ on: %.*s", (int)len, buf);
    }
    return true;
}

static void test_canonical_records(void **state)
{
    static char buf[8192];
    size_t read = 0, total = 0;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        size_t n = record(buf, sizeof(buf));

        total++;
        read += check(buf, n);
    }
    /* Most are read (the rest have a bad timestamp, which both refuse). */
    assert_true(read > total / 2);
}

/*
 * A record whose srcids a Firehose transform or a shipper trimmed is still AWS's compact
 * line: the canonical reader reads it (before 2026-12-04 it gave up, and every such record
 * was scanned twice, the general reader starting it over).
 */
static void test_no_srcids(void **state)
{
    static const char rec[] =
        "{\"version\":\"1.100000\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","
        "\"vpc_id\":\"vpc-0c7\",\"query_timestamp\":\"2026-01-05T10:00:00Z\",\"query_name\":"
        "\"a.example.com.\",\"query_type\":\"A\",\"query_class\":\"IN\",\"rcode\":\"NOERROR\","
        "\"answers\":[],\"srcaddr\":\"10.0.3.30\",\"srcport\":\"53000\",\"transport\":\"UDP\"}\n";
    struct cm_time_memo m;
    struct cm_event ev;
    size_t e = 0;

    (void)state;
    memset(&m, 0, sizeof(m));
    assert_true(check(rec, sizeof(rec) - 1));
    assert_true(cm_resolver_canonical_record(rec, sizeof(rec) - 1, 0, &e, &ev, &m));
    assert_int_equal(e, sizeof(rec) - 2);
    assert_int_equal(ev.u.dns.srcid_instance.len, 0);
    assert_true(ev.u.dns.srcaddr.len == 9 && memcmp(ev.u.dns.srcaddr.p, "10.0.3.30", 9) == 0);
    /* Cut before its closing brace: not read. */
    assert_false(check(rec, sizeof(rec) - 3));
}

static void test_broken_records(void **state)
{
    static const char bytes[] = {' ', '"', '\\', '\t', '\n', 0x01, (char)0x80, '}', ',', 'V'};
    static char buf[8192], bad[8200];
    size_t refused = 0;

    (void)state;
    for (int i = 0; i < 20000; i++) {
        size_t n = record(buf, sizeof(buf)), at = rnd() % n, m;

        switch (rnd() % 3) {
        case 0: /* insert */
            memcpy(bad, buf, at);
            bad[at] = bytes[rnd() % sizeof(bytes)];
            memcpy(bad + at + 1, buf + at, n - at);
            m = n + 1;
            break;
        case 1: /* drop */
            memcpy(bad, buf, at);
            memcpy(bad + at, buf + at + 1, n - at - 1);
            m = n - 1;
            break;
        default: /* change */
            memcpy(bad, buf, n);
            bad[at] = bytes[rnd() % sizeof(bytes)];
            m = n;
            break;
        }
        refused += !check(bad, m);
    }
    assert_true(refused > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_records),
        cmocka_unit_test(test_no_srcids),
        cmocka_unit_test(test_broken_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
