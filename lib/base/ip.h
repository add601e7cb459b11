/*
 * IP addresses. struct cm_ip holds IPv4 or IPv6 in network byte order (IPv4
 * in the first 4 bytes). Parsing is strict: dotted-quad IPv4 without leading
 * zeros ambiguity (each part 0-255, at most 3 digits), RFC 4291 IPv6 text
 * including "::" and an embedded IPv4 tail; no zone ids, no whitespace.
 */
#ifndef CM_BASE_IP_H
#define CM_BASE_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

enum cm_ip_family {
    CM_IP_NONE = 0,
    CM_IP_V4 = 4,
    CM_IP_V6 = 6,
};

struct cm_ip {
    uint8_t family; /* enum cm_ip_family */
    uint8_t a[16];
};

/* Address classes for "is this remote public?" decisions (spec §7.2). */
enum cm_ip_class {
    CM_IPC_PUBLIC = 0,
    CM_IPC_PRIVATE,   /* RFC 1918, RFC 4193 (fc00::/7) */
    CM_IPC_SHARED,    /* RFC 6598 100.64.0.0/10 (CGNAT) */
    CM_IPC_LOOPBACK,  /* 127/8, ::1 */
    CM_IPC_LINKLOCAL, /* 169.254/16, fe80::/10 */
    CM_IPC_MULTICAST, /* 224/4, ff00::/8 */
    CM_IPC_RESERVED,  /* 0/8, 240/4, 255.255.255.255, documentation, benchmark, :: ... */
};

/* Parses s. Returns 0 or CM_EINVAL. */
int cm_ip_parse(struct cm_str s, struct cm_ip *out);
/* Parses "addr/len" (or a bare address, as /32 or /128). Host bits are cleared. */
int cm_cidr_parse(struct cm_str s, struct cm_ip *net, unsigned *prefix);
/* Writes the canonical text (RFC 5952 for IPv6) into out; returns length. */
size_t cm_ip_format(const struct cm_ip *ip, char *out, size_t outlen);
/* Classifies an address. */
enum cm_ip_class cm_ip_classify(const struct cm_ip *ip);
/* True when the address is routable on the public internet. */
static inline bool cm_ip_is_public(const struct cm_ip *ip)
{
    return ip->family != CM_IP_NONE && cm_ip_classify(ip) == CM_IPC_PUBLIC;
}
/*
 * True when the address belongs inside a VPC: private (RFC 1918, RFC 4193),
 * shared (RFC 6598), loopback or link-local: the instance's side of a flow.
 */
static inline bool cm_ip_is_internal(const struct cm_ip *ip)
{
    enum cm_ip_class c;

    if (ip->family == CM_IP_NONE) {
        return false;
    }
    c = cm_ip_classify(ip);
    return c == CM_IPC_PRIVATE || c == CM_IPC_SHARED || c == CM_IPC_LOOPBACK ||
           c == CM_IPC_LINKLOCAL;
}
/* True when ip lies within net/prefix (same family). */
bool cm_ip_in_cidr(const struct cm_ip *ip, const struct cm_ip *net, unsigned prefix);
/* Equality of family and address. */
bool cm_ip_eq(const struct cm_ip *a, const struct cm_ip *b);
/* IPv4 as a host-order integer (family must be V4). */
static inline uint32_t cm_ip_v4(const struct cm_ip *ip)
{
    return ((uint32_t)ip->a[0] << 24) | ((uint32_t)ip->a[1] << 16) | ((uint32_t)ip->a[2] << 8) |
           ip->a[3];
}

#endif
