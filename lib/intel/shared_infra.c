/*
 * The shared-infrastructure rules for the bundle's feeds: anycast public
 * resolvers by address, public suffixes and provider apexes by name. See
 * intel/shared_infra.h.
 */
#include "intel/shared_infra.h"

#include <stdint.h>
#include <string.h>

#include "base/dns_provider.h"
#include "base/domain.h"

/*
 * The anycast resolvers the providers publish for everyone to use (their
 * own setup pages): Google Public DNS, Cloudflare, Quad9, Cisco OpenDNS,
 * Level 3, AdGuard. An ordinary instance may send every query to one.
 * Written as bytes (IPv6 as its eight 16-bit groups), not text: the guard
 * asks for every address entry of a bundle feed, and parsing 20 strings
 * each time was most of a 20,000-address feed's load. The unit test checks
 * every entry against its text form.
 */
#define G(x) (uint8_t)((x) >> 8), (uint8_t)((x)&0xff)
static const struct cm_ip resolvers[] = {
    {CM_IP_V4, {8, 8, 8, 8}},
    {CM_IP_V4, {8, 8, 4, 4}},
    {CM_IP_V4, {1, 1, 1, 1}},
    {CM_IP_V4, {1, 0, 0, 1}},
    {CM_IP_V4, {9, 9, 9, 9}},
    {CM_IP_V4, {149, 112, 112, 112}},
    {CM_IP_V4, {208, 67, 222, 222}},
    {CM_IP_V4, {208, 67, 220, 220}},
    {CM_IP_V4, {4, 2, 2, 1}},
    {CM_IP_V4, {4, 2, 2, 2}},
    {CM_IP_V4, {94, 140, 14, 14}},
    {CM_IP_V4, {94, 140, 15, 15}},
    {CM_IP_V6, {G(0x2001), G(0x4860), G(0x4860), G(0), G(0), G(0), G(0), G(0x8888)}},
    {CM_IP_V6, {G(0x2001), G(0x4860), G(0x4860), G(0), G(0), G(0), G(0), G(0x8844)}},
    {CM_IP_V6, {G(0x2606), G(0x4700), G(0x4700), G(0), G(0), G(0), G(0), G(0x1111)}},
    {CM_IP_V6, {G(0x2606), G(0x4700), G(0x4700), G(0), G(0), G(0), G(0), G(0x1001)}},
    {CM_IP_V6, {G(0x2620), G(0xfe), G(0), G(0), G(0), G(0), G(0), G(0xfe)}},
    {CM_IP_V6, {G(0x2620), G(0xfe), G(0), G(0), G(0), G(0), G(0), G(0x9)}},
    {CM_IP_V6, {G(0x2620), G(0x119), G(0x35), G(0), G(0), G(0), G(0), G(0x35)}},
    {CM_IP_V6, {G(0x2620), G(0x119), G(0x53), G(0), G(0), G(0), G(0), G(0x53)}},
};
#undef G

bool cm_intel_shared_net(const struct cm_ip *net, unsigned prefix)
{
    unsigned min = net->family == CM_IP_V4 ? 24 : 48;

    if (prefix < min) {
        return false;
    }
    for (size_t i = 0; i < sizeof(resolvers) / sizeof(resolvers[0]); i++) {
        if (cm_ip_in_cidr(&resolvers[i], net, prefix)) {
            return true;
        }
    }
    return false;
}

const struct cm_ip *cm_intel_shared_resolvers(size_t *n)
{
    *n = sizeof(resolvers) / sizeof(resolvers[0]);
    return resolvers;
}

bool cm_intel_shared_name(struct cm_str name)
{
    struct cm_domain d;

    if (cm_str_starts(name, "*.")) {
        name = cm_str_make(name.p + 2, name.len - 2);
    }
    if (cm_domain_parse(name, &d) != 0 || d.len == 0) {
        return false;
    }
    if (d.reg == d.len) {
        return true; /* a public suffix: "co.uk", "s3.amazonaws.com", "duckdns.org" */
    }
    return cm_dns_provider_find(cm_str_make(d.name, d.len)) != NULL;
}
