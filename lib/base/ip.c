/*
 * IP addresses: strict text parsing, CIDR prefixes, RFC 5952 formatting and
 * the address classes used to decide whether a remote peer is public.
 *
 * Parsing accepts exactly one textual form per family and nothing around it:
 * dotted-quad IPv4 with four decimal parts of 1-3 digits, each 0-255 and
 * without leading zeros ("010" could mean octal to other tools, so it is
 * refused rather than guessed); RFC 4291 IPv6 with hex groups of 1-4 digits,
 * at most one "::" and an optional dotted-quad tail in the last 32 bits. Zone
 * ids ("%eth0"), brackets, whitespace and any trailing byte are refused.
 *
 * A parsed struct cm_ip is fully initialised (unused bytes zero), so callers
 * may hash or memcmp it. Nothing here allocates or keeps state.
 */
#include "base/ip.h"

#include "base/err.h"
#include "base/str.h"

#define IP_V6_TEXT_MAX 45 /* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" */

/* Parses a dotted quad filling p[0..n) into out[0..4). Unrolled: it runs twice per flow record. */
static int parse_v4(const char *p, size_t n, uint8_t out[4])
{
    const char *e = p + n;

    for (int part = 0; part < 4; part++) {
        unsigned v, d;

        if (part > 0) {
            if (p >= e || *p != '.') {
                return CM_EINVAL;
            }
            p++;
        }
        if (p >= e || (v = (unsigned)(*p - '0')) > 9) {
            return CM_EINVAL;
        }
        p++;
        if (p < e && (d = (unsigned)(*p - '0')) <= 9) {
            if (v == 0) {
                return CM_EINVAL; /* leading zero */
            }
            v = v * 10 + d;
            p++;
            if (p < e && (d = (unsigned)(*p - '0')) <= 9) {
                v = v * 10 + d;
                p++;
                if (v > 255) {
                    return CM_EINVAL;
                }
            }
        }
        out[part] = (uint8_t)v;
    }
    return p == e ? CM_OK : CM_EINVAL;
}

/*
 * Parses RFC 4291 text. Groups before "::" go to the front, groups after it
 * are collected and moved to the back once their count is known.
 */
static int parse_v6(const char *p, size_t n, uint8_t out[16])
{
    uint8_t buf[16] = {0};
    size_t i = 0;
    int ngroups = 0; /* 16-bit groups written to buf */
    int gap = -1;    /* group index where "::" stands, or -1 */

    if (n < 2 || n > IP_V6_TEXT_MAX) {
        return CM_EINVAL;
    }
    if (p[0] == ':') {
        if (p[1] != ':') {
            return CM_EINVAL;
        }
        gap = 0;
        i = 2;
        if (i == n) {
            goto done;
        }
    }
    for (;;) {
        unsigned v = 0;
        size_t start = i;
        int h;

        while (i < n && i - start < 4 && (h = cm_hex_digit(p[i])) >= 0) {
            v = (v << 4) | (unsigned)h;
            i++;
        }
        if (i == start) {
            return CM_EINVAL;
        }
        if (i < n && p[i] == '.') {
            /* Embedded IPv4: must be the last 32 bits. */
            if (ngroups > 6) {
                return CM_EINVAL;
            }
            if (parse_v4(p + start, n - start, buf + 2 * ngroups) != 0) {
                return CM_EINVAL;
            }
            ngroups += 2;
            break;
        }
        if (ngroups >= 8) {
            return CM_EINVAL;
        }
        buf[2 * ngroups] = (uint8_t)(v >> 8);
        buf[2 * ngroups + 1] = (uint8_t)v;
        ngroups++;
        if (i == n) {
            break;
        }
        if (p[i] != ':') {
            return CM_EINVAL; /* junk, a 5th hex digit, or a zone id */
        }
        i++;
        if (i < n && p[i] == ':') {
            if (gap >= 0) {
                return CM_EINVAL; /* a second "::" */
            }
            gap = ngroups;
            i++;
            if (i == n) {
                break;
            }
        } else if (i == n) {
            return CM_EINVAL; /* trailing single ':' */
        }
    }
done:
    if (gap < 0) {
        if (ngroups != 8) {
            return CM_EINVAL;
        }
        memcpy(out, buf, 16);
        return CM_OK;
    }
    if (ngroups > 7) {
        return CM_EINVAL; /* "::" must stand for at least one group */
    }
    {
        int tail = ngroups - gap; /* groups after "::" */

        memset(out, 0, 16);
        memcpy(out, buf, (size_t)(2 * gap));
        memcpy(out + 16 - 2 * tail, buf + 2 * gap, (size_t)(2 * tail));
    }
    return CM_OK;
}

int cm_ip_parse(struct cm_str s, struct cm_ip *out)
{
    struct cm_ip ip;

    memset(&ip, 0, sizeof(ip));
    if (s.p == NULL || s.len == 0) {
        goto fail;
    }
    /* Dotted quads are by far the most common input: try them first. */
    if (s.len <= 15 && parse_v4(s.p, s.len, ip.a) == 0) {
        ip.family = CM_IP_V4;
    } else if (parse_v6(s.p, s.len, ip.a) == 0) {
        ip.family = CM_IP_V6;
    } else {
        goto fail;
    }
    *out = ip;
    return CM_OK;
fail:
    memset(out, 0, sizeof(*out));
    return CM_EINVAL;
}

static unsigned family_bits(const struct cm_ip *ip)
{
    return ip->family == CM_IP_V4 ? 32u : 128u;
}

/* Clears every bit after the first prefix bits. */
static void mask_host_bits(struct cm_ip *ip, unsigned prefix)
{
    unsigned nbytes = family_bits(ip) / 8;

    for (unsigned i = 0; i < nbytes; i++) {
        unsigned lo = i * 8;
        if (prefix <= lo) {
            ip->a[i] = 0;
        } else if (prefix < lo + 8) {
            ip->a[i] &= (uint8_t)(0xffu << (lo + 8 - prefix));
        }
    }
}

int cm_cidr_parse(struct cm_str s, struct cm_ip *net, unsigned *prefix)
{
    const char *slash;
    struct cm_ip ip;
    unsigned plen;
    size_t alen;

    if (s.p == NULL || s.len == 0) {
        return CM_EINVAL;
    }
    slash = memchr(s.p, '/', s.len);
    alen = slash ? (size_t)(slash - s.p) : s.len;
    if (cm_ip_parse(cm_str_make(s.p, alen), &ip) != 0) {
        return CM_EINVAL;
    }
    plen = family_bits(&ip);
    if (slash != NULL) {
        const char *d = slash + 1;
        size_t dn = s.len - alen - 1;

        if (dn == 0 || dn > 3 || (d[0] == '0' && dn > 1)) {
            return CM_EINVAL;
        }
        plen = 0;
        for (size_t i = 0; i < dn; i++) {
            if (d[i] < '0' || d[i] > '9') {
                return CM_EINVAL;
            }
            plen = plen * 10 + (unsigned)(d[i] - '0');
        }
        if (plen > family_bits(&ip)) {
            return CM_EINVAL;
        }
    }
    mask_host_bits(&ip, plen);
    *net = ip;
    *prefix = plen;
    return CM_OK;
}

/* Appends decimal v (0-255) at out; returns the new length. */
static size_t put_u8(char *out, size_t n, unsigned v)
{
    if (v >= 100) {
        out[n++] = (char)('0' + v / 100);
    }
    if (v >= 10) {
        out[n++] = (char)('0' + (v / 10) % 10);
    }
    out[n++] = (char)('0' + v % 10);
    return n;
}

static size_t format_v4(const uint8_t *a, char *out)
{
    size_t n = 0;

    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            out[n++] = '.';
        }
        n = put_u8(out, n, a[i]);
    }
    return n;
}

static const uint8_t v4_mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/*
 * RFC 5952: lower-case hex without leading zeros; the longest run of two or
 * more zero groups (the first one on a tie) becomes "::"; IPv4-mapped
 * addresses keep their dotted-quad tail (§5).
 */
static size_t format_v6(const uint8_t *a, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned g[8];
    int best = -1, bestlen = 0;
    size_t n = 0;

    if (memcmp(a, v4_mapped_prefix, 12) == 0) {
        memcpy(out, "::ffff:", 7);
        return 7 + format_v4(a + 12, out + 7);
    }
    for (int i = 0; i < 8; i++) {
        g[i] = ((unsigned)a[2 * i] << 8) | a[2 * i + 1];
    }
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) {
            j++;
        }
        if (j - i > bestlen && j - i >= 2) {
            best = i;
            bestlen = j - i;
        }
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            out[n++] = ':';
            out[n++] = ':';
            i += bestlen - 1;
            continue;
        }
        if (i > 0 && i != best + bestlen) {
            out[n++] = ':';
        }
        {
            int started = 0;
            for (int sh = 12; sh >= 0; sh -= 4) {
                unsigned d = (g[i] >> sh) & 0xfu;
                if (d != 0 || started || sh == 0) {
                    out[n++] = hex[d];
                    started = 1;
                }
            }
        }
    }
    return n;
}

size_t cm_ip_format(const struct cm_ip *ip, char *out, size_t outlen)
{
    char tmp[IP_V6_TEXT_MAX + 1];
    size_t n;

    if (ip->family == CM_IP_V4) {
        n = format_v4(ip->a, tmp);
    } else if (ip->family == CM_IP_V6) {
        n = format_v6(ip->a, tmp);
    } else {
        n = 0;
    }
    if (outlen > 0) {
        size_t k = n < outlen - 1 ? n : outlen - 1;
        memcpy(out, tmp, k);
        out[k] = '\0';
    }
    return n;
}

/* A /prefix of IPv4 space (host-order network) and its class. */
struct v4_range {
    uint32_t net;
    uint8_t prefix;
    uint8_t cls;
};

/*
 * Most specific ranges first is not needed: these ranges do not overlap. The
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
 * 2001:db8::/32, RFC 5737 and 3849) are public here: no real log holds them,
 * while the examples and the generated logs other tools write use them for
 * the internet's hosts, attackers included (GuardDuty's own sample findings
 * name 198.51.100.0). Before 2026-12-04 they were reserved, and every
 * detector left them out: a brute force or a listed caller from 203.0.113.x
 * gave nothing.
 */
static const struct v4_range v4_ranges[] = {
    {0x00000000u, 8, CM_IPC_RESERVED},   /* 0.0.0.0/8 "this network" */
    {0x0a000000u, 8, CM_IPC_PRIVATE},    /* 10.0.0.0/8 */
    {0x64400000u, 10, CM_IPC_SHARED},    /* 100.64.0.0/10 */
    {0x7f000000u, 8, CM_IPC_LOOPBACK},   /* 127.0.0.0/8 */
    {0xa9fe0000u, 16, CM_IPC_LINKLOCAL}, /* 169.254.0.0/16 */
    {0xac100000u, 12, CM_IPC_PRIVATE},   /* 172.16.0.0/12 */
    {0xc0000000u, 24, CM_IPC_RESERVED},  /* 192.0.0.0/24 IETF protocol assignments */
    {0xc0a80000u, 16, CM_IPC_PRIVATE},   /* 192.168.0.0/16 */
    {0xc6120000u, 15, CM_IPC_RESERVED},  /* 198.18.0.0/15 benchmarking */
    {0xe0000000u, 4, CM_IPC_MULTICAST},  /* 224.0.0.0/4 */
    {0xf0000000u, 4, CM_IPC_RESERVED},   /* 240.0.0.0/4, includes 255.255.255.255 */
};

/*
 * A bit per first octet that some range above reaches into: 0, 10, 100,
 * 127, 169, 172, 192, 198 and 224-255. Most addresses a scan meets are
 * public, and their first octet answers them without the loop.
 * test_ip.c checks this against the table for every first octet.
 */
static const uint64_t v4_special_first[4] = {
    1ULL << 0 | 1ULL << 10,
    1ULL << (100 - 64) | 1ULL << (127 - 64),
    1ULL << (169 - 128) | 1ULL << (172 - 128),
    1ULL << (192 - 192) | 1ULL << (198 - 192) | 0xffffffff00000000ULL,
};

static enum cm_ip_class classify_v4(const uint8_t *a)
{
    uint32_t v = ((uint32_t)a[0] << 24) | ((uint32_t)a[1] << 16) | ((uint32_t)a[2] << 8) | a[3];

    if (((v4_special_first[a[0] >> 6] >> (a[0] & 63)) & 1) == 0) {
        return CM_IPC_PUBLIC;
    }
    for (size_t i = 0; i < sizeof(v4_ranges) / sizeof(v4_ranges[0]); i++) {
        uint32_t mask = 0xffffffffu << (32 - v4_ranges[i].prefix);
        if ((v & mask) == v4_ranges[i].net) {
            return (enum cm_ip_class)v4_ranges[i].cls;
        }
    }
    return CM_IPC_PUBLIC;
}

static const uint8_t nat64_prefix[12] = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

static enum cm_ip_class classify_v6(const uint8_t *a)
{
    static const uint8_t zero[16] = {0};

    if (memcmp(a, zero, 15) == 0) {
        if (a[15] == 0) {
            return CM_IPC_RESERVED; /* :: unspecified */
        }
        if (a[15] == 1) {
            return CM_IPC_LOOPBACK; /* ::1 */
        }
    }
    if (memcmp(a, v4_mapped_prefix, 12) == 0 || memcmp(a, nat64_prefix, 12) == 0) {
        return classify_v4(a + 12);
    }
    if ((a[0] & 0xfe) == 0xfc) {
        return CM_IPC_PRIVATE; /* fc00::/7 unique local */
    }
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) {
        return CM_IPC_LINKLOCAL; /* fe80::/10 */
    }
    if (a[0] == 0xff) {
        return CM_IPC_MULTICAST; /* ff00::/8 */
    }
    if (a[0] == 0x3f && a[1] == 0xff && (a[2] & 0xf0) == 0x00) {
        return CM_IPC_RESERVED; /* 3fff::/20 documentation (RFC 9637) */
    }
    if (a[0] == 0x01 && memcmp(a + 1, zero, 7) == 0) {
        return CM_IPC_RESERVED; /* 100::/64 discard-only (RFC 6666) */
    }
    return CM_IPC_PUBLIC;
}

enum cm_ip_class cm_ip_classify(const struct cm_ip *ip)
{
    if (ip->family == CM_IP_V4) {
        return classify_v4(ip->a);
    }
    if (ip->family == CM_IP_V6) {
        return classify_v6(ip->a);
    }
    return CM_IPC_RESERVED;
}

bool cm_ip_in_cidr(const struct cm_ip *ip, const struct cm_ip *net, unsigned prefix)
{
    unsigned full, rem;

    if (ip->family == CM_IP_NONE || ip->family != net->family || prefix > family_bits(ip)) {
        return false;
    }
    full = prefix / 8;
    rem = prefix % 8;
    if (full > 0 && memcmp(ip->a, net->a, full) != 0) {
        return false;
    }
    if (rem != 0) {
        uint8_t mask = (uint8_t)(0xffu << (8 - rem));
        if ((ip->a[full] & mask) != (net->a[full] & mask)) {
            return false;
        }
    }
    return true;
}

bool cm_ip_eq(const struct cm_ip *a, const struct cm_ip *b)
{
    if (a->family != b->family) {
        return false;
    }
    if (a->family == CM_IP_NONE) {
        return true;
    }
    return memcmp(a->a, b->a, a->family == CM_IP_V4 ? 4 : 16) == 0;
}
