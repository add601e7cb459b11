/*
 * Shared infrastructure a public feed must not turn into findings: the
 * entries of the bundle's feeds that, listed, would make every ordinary
 * instance fire all day (docs/intel.md "Shared infrastructure in the
 * bundle's feeds"). Lists the user gives (`intel add`, --intel-list,
 * --threat-list) are never checked: the user's list is the user's intent.
 *
 * - An address, or a network of at least /24 (IPv4) or /48 (IPv6), that
 *   holds a well-known anycast public resolver (8.8.8.8, 1.1.1.1, 9.9.9.9,
 *   OpenDNS, ...): every instance that resolves through it talks to it.
 * - A name (or "*.name") that is a public suffix, private section included
 *   (libpsl's list: s3.amazonaws.com, github.io, duckdns.org), or the apex
 *   of a dynamic-DNS, free-hosting or tunnel provider on the
 *   abused-provider table (base/dns_provider.h): listing it covers every
 *   customer's host under it. Its listed subdomains are kept.
 *
 * Pure look-ups on const tables and libpsl's built-in list: no I/O, safe
 * from any thread.
 */
#ifndef CM_INTEL_SHARED_INFRA_H
#define CM_INTEL_SHARED_INFRA_H

#include <stdbool.h>
#include <stddef.h>

#include "base/ip.h"
#include "base/str.h"

/* Whether net/prefix (host bits clear) holds a well-known anycast resolver and is that small. */
bool cm_intel_shared_net(const struct cm_ip *net, unsigned prefix);

/* The anycast resolvers' addresses and their number *n, for tests and docs. */
const struct cm_ip *cm_intel_shared_resolvers(size_t *n);

/*
 * Whether a listed name ("name" or "*.name", any case, one trailing dot
 * allowed) is a public suffix or a shared-hosting provider's apex.
 */
bool cm_intel_shared_name(struct cm_str name);

#endif
