/*
 * The abused dynamic-DNS, free-hosting, tunnelling and out-of-band-callback
 * providers by the suffix their customers' names end in (duckdns.org,
 * ddns.net, mooo.com, 000webhostapp.com, ngrok-free.app, oast.fun...), as a
 * const table (dns_provider.c). Big legitimate platforms (s3.amazonaws.com,
 * cloudfront.net, github.io, herokuapp.com) are not on it, private suffix or
 * not. The domain reputation score weighs a provider's class
 * (detect/dns_reputation.h); the intel bundle's shared-infrastructure guard
 * skips a feed's entry that names a provider's apex (intel/shared_infra.h).
 */
#ifndef CM_BASE_DNS_PROVIDER_H
#define CM_BASE_DNS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* What an abused provider hands out (the weight of each is in detect/dns_providers.c). */
enum cm_dns_provider_class {
    CM_DNSP_NONE = 0,
    CM_DNSP_DYNDNS,   /* dynamic DNS: a name that follows a home or botnet address */
    CM_DNSP_FREEHOST, /* free hosting or free sub-domains */
    CM_DNSP_TUNNEL,   /* exposes a service behind NAT through a relay (ngrok, cloudflared) */
    CM_DNSP_OOB,      /* out-of-band interaction catchers (interactsh, Burp Collaborator) */
};

struct cm_dns_provider {
    const char *suffix; /* lowercase, no leading dot */
    size_t len;         /* strlen(suffix) */
    uint8_t cls;        /* enum cm_dns_provider_class */
};

/* The table entry for suffix exactly, or NULL. */
const struct cm_dns_provider *cm_dns_provider_find(struct cm_str suffix);

/* The provider table (sorted by suffix) and its length *n, for tests, docs and indexes. */
const struct cm_dns_provider *cm_dns_providers(size_t *n);

#endif
