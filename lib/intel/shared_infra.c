/*
 * The shared-infrastructure rules for the bundle's feeds: anycast public
 * resolvers by address, public suffixes and provider apexes by name. See
 * intel/shared_infra.h.
 */
#include "intel/shared_infra.h"

#include <string.h>

#include "base/dns_provider.h"
#include "base/domain.h"

/*
 * The anycast resolvers the providers publish for everyone to use (their
 * own setup pages): Google Public DNS, Cloudflare, Quad9, Cisco OpenDNS,
 * Level 3, AdGuard. An ordinary instance may send every query to one.
 */
static const char *const resolvers[] = {
    "8.8.8.8",
    "8.8.4.4",
    "1.1.1.1",
    "1.0.0.1",
    "9.9.9.9",
    "149.112.112.112",
    "208.67.222.222",
    "208.67.220.220",
    "4.2.2.1",
    "4.2.2.2",
    "94.140.14.14",
    "94.140.15.15",
    "2001:4860:4860::8888",
    "2001:4860:4860::8844",
    "2606:4700:4700::1111",
    "2606:4700:4700::1001",
    "2620:fe::fe",
    "2620:fe::9",
    "2620:119:35::35",
    "2620:119:53::53",
};

bool cm_intel_shared_net(const struct cm_ip *net, unsigned prefix)
{
    unsigned min = net->family == CM_IP_V4 ? 24 : 48;

    if (prefix < min) {
        return false;
    }
    for (size_t i = 0; i < sizeof(resolvers) / sizeof(resolvers[0]); i++) {
        struct cm_ip r;

        if (cm_ip_parse(cm_str_cstr(resolvers[i]), &r) == 0 && cm_ip_in_cidr(&r, net, prefix)) {
            return true;
        }
    }
    return false;
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
