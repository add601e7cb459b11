/*
 * Unit tests for lib/base/ip.h: strict IPv4/IPv6 parsing, CIDR parsing with
 * host bits cleared, RFC 5952 formatting, classification, containment and
 * equality.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/ip.h"
#include "../../xorshift.h"

static struct cm_ip ip_of(const char *s)
{
    struct cm_ip ip;
    int rc = cm_ip_parse(cm_str_cstr(s), &ip);
    if (rc != 0) {
        fail_msg("expected '%s' to parse", s);
    }
    return ip;
}

/* Parses s and formats it back; returns the text in a static buffer per call site. */
static void assert_roundtrip(const char *in, const char *expect)
{
    char out[64];
    struct cm_ip ip = ip_of(in);
    size_t n = cm_ip_format(&ip, out, sizeof(out));
    if (strcmp(out, expect) != 0) {
        fail_msg("format('%s') = '%s', want '%s'", in, out, expect);
    }
    assert_int_equal(n, strlen(expect));
}

static void assert_bad(const char *s)
{
    struct cm_ip ip;
    if (cm_ip_parse(cm_str_cstr(s), &ip) != CM_EINVAL) {
        fail_msg("expected '%s' to be rejected", s);
    }
    assert_int_equal(ip.family, CM_IP_NONE);
}

static void test_v4_valid(void **state)
{
    struct cm_ip ip;
    (void)state;

    assert_int_equal(cm_ip_parse(cm_str_cstr("203.0.113.12"), &ip), 0);
    assert_int_equal(ip.family, CM_IP_V4);
    assert_int_equal(ip.a[0], 203);
    assert_int_equal(ip.a[1], 0);
    assert_int_equal(ip.a[2], 113);
    assert_int_equal(ip.a[3], 12);
    for (int i = 4; i < 16; i++) {
        assert_int_equal(ip.a[i], 0);
    }
    assert_int_equal(cm_ip_v4(&ip), 0xcb00710cu);
    assert_roundtrip("0.0.0.0", "0.0.0.0");
    assert_roundtrip("255.255.255.255", "255.255.255.255");
    assert_roundtrip("10.0.1.14", "10.0.1.14");
    assert_roundtrip("1.20.199.0", "1.20.199.0");
}

static void test_v4_invalid(void **state)
{
    static const char *bad[] = {
        "",         "1",          "1.2.3",      "1.2.3.4.5",     "256.1.1.1",  "1.2.3.256",
        "1.2.3.-1", "01.2.3.4",   "1.2.3.04",   "1.2.3.00",      "1..2.3",     ".1.2.3.4",
        "1.2.3.4.", " 1.2.3.4",   "1.2.3.4 ",   "1.2.3.4\n",     "1.2.3.4/32", "1.2.3.4a",
        "a.b.c.d",  "1.2.3.1000", "1.2.3.4:80", "0x1.2.3.4",     "999.1.1.1",  "1.2.3.4x5",
        "1,2,3,4",  "+1.2.3.4",   "1.2.3.+4",   "1.2.3.4.5.6.7", "1.2.3.4.",
    };
    struct cm_ip ip;
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_bad(bad[i]);
    }
    /* An embedded NUL inside the slice is junk, not a terminator. */
    assert_int_equal(cm_ip_parse(cm_str_make("1.2.3.4\0", 8), &ip), CM_EINVAL);
    assert_int_equal(cm_ip_parse(CM_STR_NULL, &ip), CM_EINVAL);
    /* A slice shorter than the C string only sees its bytes. */
    assert_int_equal(cm_ip_parse(cm_str_make("1.2.3.45", 7), &ip), 0);
    assert_int_equal(ip.a[3], 4);
}

static void test_v6_valid(void **state)
{
    struct cm_ip ip;
    (void)state;

    ip = ip_of("2001:db8::1");
    assert_int_equal(ip.family, CM_IP_V6);
    assert_int_equal(ip.a[0], 0x20);
    assert_int_equal(ip.a[1], 0x01);
    assert_int_equal(ip.a[2], 0x0d);
    assert_int_equal(ip.a[3], 0xb8);
    assert_int_equal(ip.a[15], 1);

    assert_roundtrip("::", "::");
    assert_roundtrip("::1", "::1");
    assert_roundtrip("1::", "1::");
    assert_roundtrip("2001:DB8:0:0:0:0:0:1", "2001:db8::1");
    assert_roundtrip("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1");
    assert_roundtrip("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8");
    assert_roundtrip("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0");
    assert_roundtrip("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8");
    /* RFC 5952 4.2.2: a single zero group is not compressed. */
    assert_roundtrip("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1");
    /* 4.2.3: the longest run wins; on a tie the first. */
    assert_roundtrip("2001:0:0:1:0:0:0:1", "2001:0:0:1::1");
    assert_roundtrip("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1");
    assert_roundtrip("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0");
    assert_roundtrip("fe80::abcd:ef01", "fe80::abcd:ef01");
    assert_roundtrip("FFFF:ffff:FFFF:ffff:ffff:ffff:ffff:ffff",
                     "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    /* Embedded IPv4 tails. */
    assert_roundtrip("::ffff:192.0.2.1", "::ffff:192.0.2.1");
    assert_roundtrip("::FFFF:c000:0201", "::ffff:192.0.2.1");
    assert_roundtrip("64:ff9b::198.51.100.7", "64:ff9b::c633:6407");
    assert_roundtrip("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304");
    assert_roundtrip("::1.2.3.4", "::102:304");
    assert_roundtrip("1::1.2.3.4", "1::102:304");
}

static void test_v6_invalid(void **state)
{
    static const char *bad[] = {
        ":",
        ":::",
        "1:::2",
        "1::2::3",
        ":1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:",
        "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4::5:6:7:8",
        "12345::1",
        "::12345",
        "g::1",
        "fe80::1%eth0",
        "fe80::1%1",
        "[::1]",
        "::1 ",
        " ::1",
        "::1/128",
        "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3",
        "::1.2.3.4.5",
        "::1.2.3.256",
        "::01.2.3.4",
        "::1.2.3.4:1",
        "::ffff:1.2.3.4x",
        "1.2.3.4::",
        "::a.2.3.4",
        "0:0:0:0:0:0:0:0:0",
        "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8",
        "2001:db8:::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x",
        "-1::",
    };
    (void)state;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_bad(bad[i]);
    }
}

static void test_format_small_buffer(void **state)
{
    char out[8];
    struct cm_ip ip = ip_of("203.0.113.12");
    struct cm_ip none;
    (void)state;

    assert_int_equal(cm_ip_format(&ip, out, sizeof(out)), 12);
    assert_string_equal(out, "203.0.1");
    assert_int_equal(cm_ip_format(&ip, out, 1), 12);
    assert_string_equal(out, "");
    assert_int_equal(cm_ip_format(&ip, NULL, 0), 12);
    memset(&none, 0, sizeof(none));
    assert_int_equal(cm_ip_format(&none, out, sizeof(out)), 0);
    assert_string_equal(out, "");
}

static void test_format_longest(void **state)
{
    char out[64];
    struct cm_ip ip = ip_of("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255");
    (void)state;

    assert_int_equal(cm_ip_format(&ip, out, sizeof(out)), 39);
    assert_string_equal(out, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    ip = ip_of("::ffff:255.255.255.255");
    assert_int_equal(cm_ip_format(&ip, out, sizeof(out)), 22);
}

static void test_cidr(void **state)
{
    struct cm_ip net;
    unsigned prefix = 99;
    char out[64];
    (void)state;

    assert_int_equal(cm_cidr_parse(cm_str_cstr("10.1.2.3/8"), &net, &prefix), 0);
    assert_int_equal(prefix, 8);
    cm_ip_format(&net, out, sizeof(out));
    assert_string_equal(out, "10.0.0.0");

    assert_int_equal(cm_cidr_parse(cm_str_cstr("192.168.77.255/20"), &net, &prefix), 0);
    cm_ip_format(&net, out, sizeof(out));
    assert_string_equal(out, "192.168.64.0");
    assert_int_equal(prefix, 20);

    assert_int_equal(cm_cidr_parse(cm_str_cstr("1.2.3.4"), &net, &prefix), 0);
    assert_int_equal(prefix, 32);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("1.2.3.4/0"), &net, &prefix), 0);
    assert_int_equal(prefix, 0);
    assert_int_equal(cm_ip_v4(&net), 0);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("1.2.3.4/32"), &net, &prefix), 0);
    assert_int_equal(cm_ip_v4(&net), 0x01020304u);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("1.2.3.4/31"), &net, &prefix), 0);
    assert_int_equal(cm_ip_v4(&net), 0x01020304u);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("1.2.3.5/31"), &net, &prefix), 0);
    assert_int_equal(cm_ip_v4(&net), 0x01020304u);

    assert_int_equal(cm_cidr_parse(cm_str_cstr("2001:db8:abcd:ffff::1/33"), &net, &prefix), 0);
    cm_ip_format(&net, out, sizeof(out));
    assert_string_equal(out, "2001:db8:8000::");
    assert_int_equal(prefix, 33);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("fe80::1"), &net, &prefix), 0);
    assert_int_equal(prefix, 128);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("::/0"), &net, &prefix), 0);
    assert_int_equal(prefix, 0);
    assert_int_equal(cm_cidr_parse(cm_str_cstr("2001:db8::ff/127"), &net, &prefix), 0);
    cm_ip_format(&net, out, sizeof(out));
    assert_string_equal(out, "2001:db8::fe");

    static const char *bad[] = {
        "1.2.3.4/33", "1.2.3.4/",    "1.2.3.4/-1", "1.2.3.4/08", "1.2.3.4/1a",
        "1.2.3.4/ 8", "/8",          "::/129",     "::/1000",    "1.2.3/8",
        "1.2.3.4//8", "1.2.3.4/8/8", "",           "::1/12x",    "1.2.3.4/32 ",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (cm_cidr_parse(cm_str_cstr(bad[i]), &net, &prefix) != CM_EINVAL) {
            fail_msg("expected CIDR '%s' to be rejected", bad[i]);
        }
    }
}

struct class_case {
    const char *ip;
    enum cm_ip_class cls;
};

static void test_classify(void **state)
{
    static const struct class_case cases[] = {
        {"8.8.8.8", CM_IPC_PUBLIC},
        {"203.0.112.255", CM_IPC_PUBLIC},
        {"203.0.114.0", CM_IPC_PUBLIC},
        {"10.0.0.0", CM_IPC_PRIVATE},
        {"10.255.255.255", CM_IPC_PRIVATE},
        {"11.0.0.0", CM_IPC_PUBLIC},
        {"172.15.255.255", CM_IPC_PUBLIC},
        {"172.16.0.0", CM_IPC_PRIVATE},
        {"172.31.255.255", CM_IPC_PRIVATE},
        {"172.32.0.0", CM_IPC_PUBLIC},
        {"192.168.1.1", CM_IPC_PRIVATE},
        {"192.169.0.1", CM_IPC_PUBLIC},
        {"100.63.255.255", CM_IPC_PUBLIC},
        {"100.64.0.1", CM_IPC_SHARED},
        {"100.127.255.255", CM_IPC_SHARED},
        {"100.128.0.0", CM_IPC_PUBLIC},
        {"127.0.0.1", CM_IPC_LOOPBACK},
        {"127.255.255.254", CM_IPC_LOOPBACK},
        {"169.254.169.254", CM_IPC_LINKLOCAL},
        {"169.253.0.1", CM_IPC_PUBLIC},
        {"224.0.0.1", CM_IPC_MULTICAST},
        {"239.255.255.255", CM_IPC_MULTICAST},
        {"0.0.0.0", CM_IPC_RESERVED},
        {"0.1.2.3", CM_IPC_RESERVED},
        {"240.0.0.1", CM_IPC_RESERVED},
        {"255.255.255.255", CM_IPC_RESERVED},
        {"192.0.0.8", CM_IPC_RESERVED},
        {"192.0.1.1", CM_IPC_PUBLIC},
        {"192.0.2.1", CM_IPC_PUBLIC}, /* documentation ranges: public (ip.c) */
        {"198.17.255.255", CM_IPC_PUBLIC},
        {"198.18.0.1", CM_IPC_RESERVED},
        {"198.19.255.255", CM_IPC_RESERVED},
        {"198.20.0.0", CM_IPC_PUBLIC},
        {"198.51.100.7", CM_IPC_PUBLIC},
        {"203.0.113.12", CM_IPC_PUBLIC},
        {"::", CM_IPC_RESERVED},
        {"::1", CM_IPC_LOOPBACK},
        {"::2", CM_IPC_PUBLIC},
        {"fc00::1", CM_IPC_PRIVATE},
        {"fd12:3456::1", CM_IPC_PRIVATE},
        {"fe00::1", CM_IPC_PUBLIC},
        {"fe80::1", CM_IPC_LINKLOCAL},
        {"febf:ffff::1", CM_IPC_LINKLOCAL},
        {"fec0::1", CM_IPC_PUBLIC},
        {"ff02::1", CM_IPC_MULTICAST},
        {"2001:db8::1", CM_IPC_PUBLIC},
        {"2001:db9::1", CM_IPC_PUBLIC},
        {"2600:1f18::1", CM_IPC_PUBLIC},
        {"3fff:fff::1", CM_IPC_RESERVED},
        {"3fff:1000::1", CM_IPC_PUBLIC},
        {"100::1", CM_IPC_RESERVED},
        {"::ffff:10.1.2.3", CM_IPC_PRIVATE},
        {"::ffff:8.8.8.8", CM_IPC_PUBLIC},
        {"::ffff:127.0.0.1", CM_IPC_LOOPBACK},
        {"::ffff:169.254.169.254", CM_IPC_LINKLOCAL},
        {"64:ff9b::192.168.0.1", CM_IPC_PRIVATE},
        {"64:ff9b::8.8.4.4", CM_IPC_PUBLIC},
        {"64:ff9b:1::8.8.4.4", CM_IPC_PUBLIC},
    };
    struct cm_ip none;
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_ip ip = ip_of(cases[i].ip);
        enum cm_ip_class got = cm_ip_classify(&ip);
        if (got != cases[i].cls) {
            fail_msg("classify(%s) = %d, want %d", cases[i].ip, (int)got, (int)cases[i].cls);
        }
        assert_int_equal(cm_ip_is_public(&ip), cases[i].cls == CM_IPC_PUBLIC);
    }
    memset(&none, 0, sizeof(none));
    assert_false(cm_ip_is_public(&none));
}

/*
 * Every /16 of IPv4 (with third octets that the /24 ranges use) against the
 * special ranges written out here as CIDRs: checks the first-octet shortcut
 * in classify_v4 against the ranges for every first octet.
 */
static void test_classify_v4_all(void **state)
{
    static const struct {
        const char *net;
        unsigned prefix;
        enum cm_ip_class cls;
    } ranges[] = {
        {"0.0.0.0", 8, CM_IPC_RESERVED},       {"10.0.0.0", 8, CM_IPC_PRIVATE},
        {"100.64.0.0", 10, CM_IPC_SHARED},     {"127.0.0.0", 8, CM_IPC_LOOPBACK},
        {"169.254.0.0", 16, CM_IPC_LINKLOCAL}, {"172.16.0.0", 12, CM_IPC_PRIVATE},
        {"192.0.0.0", 24, CM_IPC_RESERVED},    {"192.168.0.0", 16, CM_IPC_PRIVATE},
        {"198.18.0.0", 15, CM_IPC_RESERVED},   {"224.0.0.0", 4, CM_IPC_MULTICAST},
        {"240.0.0.0", 4, CM_IPC_RESERVED},
    };
    static const uint8_t thirds[] = {0, 1, 2, 100, 113, 255};
    struct cm_ip nets[sizeof(ranges) / sizeof(ranges[0])];
    (void)state;

    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        nets[r] = ip_of(ranges[r].net);
    }
    for (unsigned ab = 0; ab < 65536; ab++) {
        for (size_t t = 0; t < sizeof(thirds); t++) {
            struct cm_ip ip = {CM_IP_V4, {(uint8_t)(ab >> 8), (uint8_t)ab, thirds[t], 7}};
            enum cm_ip_class want = CM_IPC_PUBLIC, got = cm_ip_classify(&ip);

            for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
                if (cm_ip_in_cidr(&ip, &nets[r], ranges[r].prefix)) {
                    want = ranges[r].cls;
                }
            }
            if (got != want) {
                fail_msg("classify(%u.%u.%u.7) = %d, want %d", ab >> 8, ab & 255, thirds[t],
                         (int)got, (int)want);
            }
        }
    }
}

static void test_in_cidr(void **state)
{
    struct cm_ip net, ip;
    unsigned prefix;
    (void)state;

    assert_int_equal(cm_cidr_parse(cm_str_cstr("10.0.0.0/8"), &net, &prefix), 0);
    ip = ip_of("10.200.1.1");
    assert_true(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("11.0.0.0");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("::ffff:10.0.0.1");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix)); /* different family */

    assert_int_equal(cm_cidr_parse(cm_str_cstr("192.168.64.0/20"), &net, &prefix), 0);
    ip = ip_of("192.168.79.255");
    assert_true(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("192.168.80.0");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("192.168.63.255");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix));

    ip = ip_of("1.2.3.4");
    assert_true(cm_ip_in_cidr(&ip, &ip, 32));
    assert_false(cm_ip_in_cidr(&ip, &ip, 33));
    net = ip_of("0.0.0.0");
    assert_true(cm_ip_in_cidr(&ip, &net, 0));

    assert_int_equal(cm_cidr_parse(cm_str_cstr("2001:db8::/32"), &net, &prefix), 0);
    ip = ip_of("2001:db8:ffff::1");
    assert_true(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("2001:db9::1");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("fe80::1");
    assert_true(cm_ip_in_cidr(&ip, &ip, 128));
    assert_false(cm_ip_in_cidr(&ip, &ip, 129));
    assert_int_equal(cm_cidr_parse(cm_str_cstr("fe80::/10"), &net, &prefix), 0);
    assert_true(cm_ip_in_cidr(&ip, &net, prefix));
    ip = ip_of("fec0::1");
    assert_false(cm_ip_in_cidr(&ip, &net, prefix));
}

static void test_eq(void **state)
{
    struct cm_ip a = ip_of("1.2.3.4");
    struct cm_ip b = ip_of("1.2.3.4");
    struct cm_ip c = ip_of("::ffff:1.2.3.4");
    struct cm_ip d = ip_of("0:0:0:0:0:ffff:102:304");
    struct cm_ip none1, none2;
    (void)state;

    assert_true(cm_ip_eq(&a, &b));
    assert_false(cm_ip_eq(&a, &c));
    assert_true(cm_ip_eq(&c, &d));
    b = ip_of("1.2.3.5");
    assert_false(cm_ip_eq(&a, &b));
    memset(&none1, 0, sizeof(none1));
    memset(&none2, 0xaa, sizeof(none2));
    none2.family = CM_IP_NONE;
    assert_true(cm_ip_eq(&none1, &none2));
    assert_false(cm_ip_eq(&none1, &a));
}

/* Every address that formats must parse back to the same value. */
static void test_format_parse_roundtrip_sweep(void **state)
{
    char out[64];
    (void)state;

    for (unsigned mask = 0; mask < 256; mask++) {
        struct cm_ip ip, back;
        memset(&ip, 0, sizeof(ip));
        ip.family = CM_IP_V6;
        for (int g = 0; g < 8; g++) {
            if (mask & (1u << g)) {
                ip.a[2 * g] = (uint8_t)(g * 17);
                ip.a[2 * g + 1] = (uint8_t)(mask + 1);
            }
        }
        cm_ip_format(&ip, out, sizeof(out));
        assert_int_equal(cm_ip_parse(cm_str_cstr(out), &back), 0);
        if (!cm_ip_eq(&ip, &back)) {
            fail_msg("roundtrip failed for %s", out);
        }
        assert_null(strstr(out, ":::"));
    }
}

/*
 * IPv4 text against the C library's inet_pton (which, like cm_ip_parse,
 * takes exactly four decimal parts of 0-255 without leading zeros): 2
 * million strings of digits and dots of every length up to 17, most of
 * them shaped like addresses (1-3 digits between dots, values around 255,
 * leading zeros), some with another byte in them. cm_ip_parse must take a
 * string as IPv4 exactly when inet_pton does, with the same four bytes.
 */
static void test_v4_oracle(void **state)
{
    static const char other[] = "x:/ -+a";
    uint64_t x = 0x2545f4914f6cdd1dULL;

    (void)state;
    for (int iter = 0; iter < 2000000; iter++) {
        char in[24];
        size_t n = 0;
        unsigned char want[4];
        struct cm_ip ip;
        int ok, got;

        xorshift64(&x);
        if (x % 4 == 1) { /* four parts of 0 to 4 digits, each digit at random */
            for (unsigned k = 0; k < 4; k++) {
                unsigned len = (unsigned)(x >> (3 * k + 2)) % 5;

                if (k > 0) {
                    in[n++] = '.';
                }
                for (unsigned j = 0; j < len; j++) {
                    in[n++] = (char)('0' + (x >> (4 * (k * 4 + j) % 56 + 8)) % 10);
                }
            }
            in[n] = '\0';
        } else if (x % 4 != 0) { /* address-shaped: 4 parts (sometimes 3 or 5) */
            unsigned parts = 4 + (x % 16 == 1) - (x % 16 == 2);

            for (unsigned k = 0; k < parts; k++) {
                unsigned v = (unsigned)((x >> (8 * k + 8)) % 300);
                unsigned lz = (x >> (40 + k)) % 16 == 0; /* a leading zero */

                n += (size_t)snprintf(in + n, sizeof(in) - n, "%s%s%u", k ? "." : "", lz ? "0" : "",
                                      v);
            }
        } else { /* digits and dots at random */
            size_t len = (size_t)(x >> 8) % 18;

            for (size_t k = 0; k < len; k++) {
                uint64_t r = x >> (k % 48);

                in[n++] = r % 5 == 0 ? '.' : (char)('0' + r % 10);
            }
            in[n] = '\0';
        }
        if ((x >> 60) == 0 && n > 0) { /* another byte somewhere */
            in[(x >> 20) % n] = other[(x >> 30) % (sizeof(other) - 1)];
        }
        ok = inet_pton(AF_INET, in, want) == 1;
        got = cm_ip_parse(cm_str_make(in, n), &ip) == 0 && ip.family == CM_IP_V4;
        if (ok != got) {
            fail_msg("\"%s\": inet_pton %d, cm_ip_parse %d", in, ok, got);
        }
        if (ok) {
            assert_memory_equal(ip.a, want, 4);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_valid),
        cmocka_unit_test(test_v4_invalid),
        cmocka_unit_test(test_v6_valid),
        cmocka_unit_test(test_v6_invalid),
        cmocka_unit_test(test_format_small_buffer),
        cmocka_unit_test(test_format_longest),
        cmocka_unit_test(test_cidr),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_classify_v4_all),
        cmocka_unit_test(test_in_cidr),
        cmocka_unit_test(test_eq),
        cmocka_unit_test(test_format_parse_roundtrip_sweep),
        cmocka_unit_test(test_v4_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
