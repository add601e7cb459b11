/*
 * Well-known public DNS resolvers, DNS-over-HTTPS and DNS-over-TLS servers
 * (issue #6: DefenseEvasion:EC2/UnusualDNSResolver, UnusualDoHActivity,
 * UnusualDoTActivity), and a compiled set to look addresses up in.
 *
 * The table is a const list of (provider, address or prefix, services):
 * the anycast addresses each provider publishes on its setup pages for
 * plain DNS (53), DoH (443) and DoT (853), written from those public facts
 * by hand. Only addresses a provider dedicates to its resolver are listed:
 * shared CDN front ends (cloudflare-dns.com's web addresses, NextDNS's
 * unicast DoH hosts) would make ordinary HTTPS look like DoH. Services are
 * per address, because a provider does not serve every protocol everywhere
 * (OpenDNS serves DoH from doh.opendns.com, not from 208.67.222.222;
 * Mullvad serves only DoH and DoT). A provider that has stopped serving
 * stays listed while its addresses are still its own: talking DNS to it is
 * as unusual as before. Issue #6 wants these lists in the intel bundle in
 * the end; the detector takes any table of this shape (its tuning).
 *
 * The set is a cm_ipset (longest prefix wins, so a more specific entry may
 * refine a wider one) whose value is the table index, behind a bitmap of
 * the first 16 bits of every listed address per family, so the common case
 * (HTTPS to anything else) is answered by one bit test.
 */
#include "detect/flow.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "intel/ipset.h"

#define D CM_RESOLVER_DNS
#define H CM_RESOLVER_DOH
#define T CM_RESOLVER_DOT

#define FILTER_WORDS (65536 / 64) /* a bit per value of an address's first 16 bits */

static const struct cm_resolver builtin[] = {
    /* developers.google.com/speed/public-dns: dns.google serves DoH and DoT there too. */
    {"Google Public DNS", "8.8.8.8", D | H | T},
    {"Google Public DNS", "8.8.4.4", D | H | T},
    {"Google Public DNS", "2001:4860:4860::8888", D | H | T},
    {"Google Public DNS", "2001:4860:4860::8844", D | H | T},
    {"Google Public DNS", "2001:4860:4860::64", D | H | T}, /* DNS64 */
    {"Google Public DNS", "2001:4860:4860::6464", D | H | T},
    /* one.one.one.one: 1.1.1.1, malware blocking .2, families .3; each with DoH and DoT. */
    {"Cloudflare DNS", "1.1.1.1", D | H | T},
    {"Cloudflare DNS", "1.0.0.1", D | H | T},
    {"Cloudflare DNS", "1.1.1.2", D | H | T},
    {"Cloudflare DNS", "1.0.0.2", D | H | T},
    {"Cloudflare DNS", "1.1.1.3", D | H | T},
    {"Cloudflare DNS", "1.0.0.3", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1111", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1001", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1112", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1002", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1113", D | H | T},
    {"Cloudflare DNS", "2606:4700:4700::1003", D | H | T},
    /* quad9.net: secure (9), unsecured (10), with ECS (11). */
    {"Quad9", "9.9.9.9", D | H | T},
    {"Quad9", "149.112.112.112", D | H | T},
    {"Quad9", "2620:fe::fe", D | H | T},
    {"Quad9", "2620:fe::9", D | H | T},
    {"Quad9", "9.9.9.10", D | H | T},
    {"Quad9", "149.112.112.10", D | H | T},
    {"Quad9", "2620:fe::10", D | H | T},
    {"Quad9", "2620:fe::fe:10", D | H | T},
    {"Quad9", "9.9.9.11", D | H | T},
    {"Quad9", "149.112.112.11", D | H | T},
    {"Quad9", "2620:fe::11", D | H | T},
    {"Quad9", "2620:fe::fe:11", D | H | T},
    /* Cisco OpenDNS: Home and FamilyShield on 53; DoH from doh.opendns.com. */
    {"OpenDNS", "208.67.222.222", D},
    {"OpenDNS", "208.67.220.220", D},
    {"OpenDNS", "208.67.222.220", D},
    {"OpenDNS", "208.67.220.222", D},
    {"OpenDNS", "208.67.222.123", D},
    {"OpenDNS", "208.67.220.123", D},
    {"OpenDNS", "2620:119:35::35", D},
    {"OpenDNS", "2620:119:53::53", D},
    {"OpenDNS", "2620:119:35::123", D},
    {"OpenDNS", "2620:119:53::123", D},
    {"OpenDNS", "146.112.41.2", H},
    {"OpenDNS", "2620:119:fc::2", H},
    /* adguard-dns.io: default, family, non-filtering; DoH and DoT on each. */
    {"AdGuard DNS", "94.140.14.14", D | H | T},
    {"AdGuard DNS", "94.140.15.15", D | H | T},
    {"AdGuard DNS", "94.140.14.15", D | H | T},
    {"AdGuard DNS", "94.140.15.16", D | H | T},
    {"AdGuard DNS", "94.140.14.140", D | H | T},
    {"AdGuard DNS", "94.140.14.141", D | H | T},
    {"AdGuard DNS", "2a10:50c0::ad1:ff", D | H | T},
    {"AdGuard DNS", "2a10:50c0::ad2:ff", D | H | T},
    {"AdGuard DNS", "2a10:50c0::bad1:ff", D | H | T},
    {"AdGuard DNS", "2a10:50c0::bad2:ff", D | H | T},
    {"AdGuard DNS", "2a10:50c0::1:ff", D | H | T},
    {"AdGuard DNS", "2a10:50c0::2:ff", D | H | T},
    /* cleanbrowsing.org: security, adult and family filters. */
    {"CleanBrowsing", "185.228.168.9", D | H | T},
    {"CleanBrowsing", "185.228.169.9", D | H | T},
    {"CleanBrowsing", "185.228.168.10", D | H | T},
    {"CleanBrowsing", "185.228.169.11", D | H | T},
    {"CleanBrowsing", "185.228.168.168", D | H | T},
    {"CleanBrowsing", "185.228.169.168", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:1::2", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:2::2", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:1::1", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:2::1", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:1::", D | H | T},
    {"CleanBrowsing", "2a0d:2a00:2::", D | H | T},
    /* nextdns.io: each configuration gets an address in these anycast prefixes. */
    {"NextDNS", "45.90.28.0/24", D | H | T},
    {"NextDNS", "45.90.30.0/24", D | H | T},
    {"NextDNS", "2a07:a8c0::/33", D | H | T},
    {"NextDNS", "2a07:a8c1::/33", D | H | T},
    /* controld.com: free and per-configuration resolvers. */
    {"Control D", "76.76.2.0/24", D | H | T},
    {"Control D", "76.76.10.0/24", D | H | T},
    {"Control D", "2606:1a40::/48", D | H | T},
    {"Control D", "2606:1a40:1::/48", D | H | T},
    /* mullvad.net: encrypted DNS only (DoH and DoT). */
    {"Mullvad DNS", "194.242.2.0/28", H | T},
    {"Mullvad DNS", "2a07:e340::/124", H | T},
    /* dns.sb */
    {"DNS.SB", "185.222.222.222", D | H | T},
    {"DNS.SB", "45.11.45.11", D | H | T},
    {"DNS.SB", "2a09::", D | H | T},
    {"DNS.SB", "2a11::", D | H | T},
    /* Hurricane Electric ordns.he.net */
    {"Hurricane Electric", "74.82.42.42", D | H | T},
    {"Hurricane Electric", "2001:470:20::2", D | H | T},
    /* Comodo Secure DNS */
    {"Comodo Secure DNS", "8.26.56.26", D},
    {"Comodo Secure DNS", "8.20.247.20", D},
    /* Verisign Public DNS */
    {"Verisign Public DNS", "64.6.64.6", D},
    {"Verisign Public DNS", "64.6.65.6", D},
    {"Verisign Public DNS", "2620:74:1b::1:1", D},
    {"Verisign Public DNS", "2620:74:1c::2:2", D},
    /* Level 3 (Lumen) resolvers, still in many old configurations */
    {"Level3", "4.2.2.1", D},
    {"Level3", "4.2.2.2", D},
    {"Level3", "4.2.2.3", D},
    {"Level3", "4.2.2.4", D},
    {"Level3", "4.2.2.5", D},
    {"Level3", "4.2.2.6", D},
    /* UltraDNS Public (Vercara) */
    {"UltraDNS Public", "156.154.70.1", D},
    {"UltraDNS Public", "156.154.71.1", D},
    /* dns.yandex.com: basic (with DoH and DoT), safe and family. */
    {"Yandex DNS", "77.88.8.8", D | H | T},
    {"Yandex DNS", "77.88.8.1", D | H | T},
    {"Yandex DNS", "77.88.8.88", D},
    {"Yandex DNS", "77.88.8.2", D},
    {"Yandex DNS", "77.88.8.7", D},
    {"Yandex DNS", "77.88.8.3", D},
    {"Yandex DNS", "2a02:6b8::feed:ff", D | H | T},
    {"Yandex DNS", "2a02:6b8:0:1::feed:ff", D | H | T},
    /* CIRA Canadian Shield: private, protected, family. */
    {"CIRA Canadian Shield", "149.112.121.10", D | H | T},
    {"CIRA Canadian Shield", "149.112.122.10", D | H | T},
    {"CIRA Canadian Shield", "149.112.121.20", D | H | T},
    {"CIRA Canadian Shield", "149.112.122.20", D | H | T},
    {"CIRA Canadian Shield", "149.112.121.30", D | H | T},
    {"CIRA Canadian Shield", "149.112.122.30", D | H | T},
    /* Digitale Gesellschaft (Switzerland): encrypted DNS. */
    {"Digitale Gesellschaft", "185.95.218.42", H | T},
    {"Digitale Gesellschaft", "185.95.218.43", H | T},
    /* Quad101 (TWNIC) */
    {"Quad101", "101.101.101.101", D | H | T},
    {"Quad101", "101.102.103.104", D | H | T},
    {"Quad101", "2001:de4::101", D | H | T},
    {"Quad101", "2001:de4::102", D | H | T},
    /* AliDNS */
    {"AliDNS", "223.5.5.5", D | H | T},
    {"AliDNS", "223.6.6.6", D | H | T},
    {"AliDNS", "2400:3200::1", D | H | T},
    {"AliDNS", "2400:3200:baba::1", D | H | T},
    /* DNSPod (Tencent): plain DNS, and doh.pub / dot.pub. */
    {"DNSPod", "119.29.29.29", D},
    {"DNSPod", "1.12.12.12", H | T},
    {"DNSPod", "120.53.53.53", H | T},
    /* 114DNS and Baidu */
    {"114DNS", "114.114.114.114", D},
    {"114DNS", "114.114.115.115", D},
    {"Baidu DNS", "180.76.76.76", D},
    {"Baidu DNS", "2400:da00::6666", D},
    /* SafeDNS */
    {"SafeDNS", "195.46.39.39", D},
    {"SafeDNS", "195.46.39.40", D},
};

struct cm_resolver_set {
    struct cm_ipset *ips; /* prefix -> index into table */
    const struct cm_resolver *table;
    uint8_t *provider; /* provider id of each table entry */
    size_t n;
    uint64_t filter4[FILTER_WORDS]; /* first 16 bits of the IPv4 prefixes */
    uint64_t filter6[FILTER_WORDS]; /* first 16 bits of the IPv6 prefixes */
};

const struct cm_resolver *cm_resolvers_builtin(size_t *n)
{
    *n = sizeof(builtin) / sizeof(builtin[0]);
    return builtin;
}

/* A provider name goes into JSON unescaped: printable ASCII without quotes or backslashes. */
static bool name_ok(const char *s)
{
    if (s == NULL || *s == '\0') {
        return false;
    }
    for (; *s != '\0'; s++) {
        if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\') {
            return false;
        }
    }
    return true;
}

/* Sets the filter bits of every first-16-bit value net/prefix covers. */
static void filter_add(struct cm_resolver_set *s, const struct cm_ip *net, unsigned prefix)
{
    uint64_t *f = net->family == CM_IP_V4 ? s->filter4 : s->filter6;
    uint32_t top = (uint32_t)net->a[0] << 8 | net->a[1];
    uint32_t span = prefix >= 16 ? 1 : 1u << (16 - prefix);

    for (uint32_t i = 0; i < span; i++) {
        f[(top + i) >> 6] |= 1ULL << ((top + i) & 63);
    }
}

int cm_resolver_set_create(struct cm_resolver_set **out, const struct cm_resolver *table, size_t n)
{
    const char *names[CM_RESOLVER_MAX_PROVIDERS];
    struct cm_ipset_builder *b = NULL;
    struct cm_resolver_set *s;
    size_t nnames = 0;
    int rc;

    *out = NULL;
    if (table == NULL && n > 0) {
        return CM_EINVAL;
    }
    if ((s = cm_calloc(1, sizeof(*s))) == NULL) {
        return CM_ENOMEM;
    }
    s->table = table;
    s->n = n;
    if (n > 0 && (s->provider = cm_calloc(n, sizeof(*s->provider))) == NULL) {
        rc = CM_ENOMEM;
        goto fail;
    }
    if ((rc = cm_ipset_builder_create(&b, 0)) != 0) {
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const struct cm_resolver *r = &table[i];
        struct cm_ip net;
        unsigned prefix;
        size_t p;

        if (!name_ok(r->provider) || r->cidr == NULL || (r->services & (D | H | T)) == 0 ||
            (r->services & ~(unsigned)(D | H | T)) != 0 ||
            cm_cidr_parse(cm_str_cstr(r->cidr), &net, &prefix) != 0) {
            rc = CM_EINVAL;
            goto fail;
        }
        for (p = 0; p < nnames && strcmp(names[p], r->provider) != 0; p++) {
        }
        if (p == nnames) {
            if (nnames == CM_RESOLVER_MAX_PROVIDERS) {
                rc = CM_E2BIG;
                goto fail;
            }
            names[nnames++] = r->provider;
        }
        s->provider[i] = (uint8_t)p;
        if ((rc = cm_ipset_builder_add(b, &net, prefix, (uint32_t)i)) != 0) {
            goto fail;
        }
        filter_add(s, &net, prefix);
    }
    if ((rc = cm_ipset_freeze(b, &s->ips)) != 0) {
        goto fail;
    }
    cm_ipset_builder_destroy(b);
    *out = s;
    return CM_OK;
fail:
    cm_ipset_builder_destroy(b);
    cm_resolver_set_destroy(s);
    return rc;
}

void cm_resolver_set_destroy(struct cm_resolver_set *s)
{
    if (s != NULL) {
        cm_ipset_destroy(s->ips);
        cm_free(s->provider);
        cm_free(s);
    }
}

const struct cm_resolver *cm_resolver_set_find(const struct cm_resolver_set *s,
                                               const struct cm_ip *ip, unsigned *provider)
{
    const uint64_t *f;
    struct cm_ipset_match m;
    uint32_t top;

    if (ip->family == CM_IP_V4) {
        f = s->filter4;
    } else if (ip->family == CM_IP_V6) {
        f = s->filter6;
    } else {
        return NULL;
    }
    top = (uint32_t)ip->a[0] << 8 | ip->a[1];
    if (!((f[top >> 6] >> (top & 63)) & 1) || !cm_ipset_lookup(s->ips, ip, &m) ||
        m.vals[m.nvals - 1] >= s->n) {
        return NULL;
    }
    /* Two entries for one prefix: the later one (the highest index) wins. */
    if (provider != NULL) {
        *provider = s->provider[m.vals[m.nvals - 1]];
    }
    return &s->table[m.vals[m.nvals - 1]];
}
