/*
 * Writing Route 53 Resolver query log lines into a DNS file (struct
 * cm_gen_file of kind CM_GEN_DNS), for scenarios that need names, types,
 * rcodes or answers the background never produces (DGA names, tunnelling,
 * rebinding answers). Strings are JSON-escaped on output.
 */
#ifndef CM_GEN_GEN_DNS_H
#define CM_GEN_GEN_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include "gen/gen.h"

struct cm_gen_dns_answer {
    const char *rdata; /* "203.0.113.9", "target.example.com." */
    const char *type;  /* "A", "CNAME", ... */
};

struct cm_gen_dns_query {
    int64_t t;                        /* query_timestamp, Unix seconds */
    const struct cm_gen_instance *in; /* source instance; NULL: srcaddr with no srcids */
    uint32_t srcaddr;                 /* used when in is NULL */
    uint16_t srcport;
    bool tcp;
    const char *name;  /* FQDN; a trailing dot is added if missing */
    const char *qtype; /* "A", "TXT", ... */
    const char *rcode; /* "NOERROR", "NXDOMAIN", ... */
    const struct cm_gen_dns_answer *answers;
    unsigned nanswers;
};

/* Appends one query log line for q to DNS file f. */
void cm_gen_dns_write(struct cm_gen_file *f, const struct cm_gen_dns_query *q);

#endif
