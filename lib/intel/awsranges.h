/*
 * AWS's published IP ranges (ip-ranges.json) as an immutable set, so that
 * "is this address inside AWS, and whose is it?" is one lookup (issue #4;
 * issue #5 asks "inside AWS" and "outside AWS").
 *
 * The input is the file AWS publishes:
 *
 *   {"syncToken": "...", "createDate": "YYYY-MM-DD-hh-mm-ss",
 *    "prefixes":      [{"ip_prefix": "a.b.c.d/n", "region": "...", "service": "...",
 *                       "network_border_group": "..."}, ...],
 *    "ipv6_prefixes": [{"ipv6_prefix": "x::/n", "region": ..., "service": ...}, ...]}
 *
 * given whole in a buffer (lib/ does no I/O). Every (prefix, service,
 * region) entry goes into a struct cm_ipset whose values index a table of
 * the distinct (service, region) pairs, so the same prefix listed under
 * AMAZON and under EC2 keeps both. network_border_group and unknown members
 * are not kept.
 *
 * Bad input. A prefix entry that is not an object, lacks its prefix, service
 * or region, or has a prefix that is not a CIDR of the array's family (with
 * a "/", and no host bits set) is reported through the bad() callback with
 * the 1-based line where the entry starts and a reason, and skipped. A
 * buffer that is not JSON, or not an object with a "prefixes" array (and,
 * when present, an "ipv6_prefixes" array and string syncToken/createDate),
 * is CM_EINVAL with the reason in diag.
 *
 * Ownership: a struct cm_awsranges owns everything it returns (strings stay
 * valid until cm_awsranges_destroy); it borrows nothing from the input
 * buffer. Once built it is immutable, and any number of threads may look
 * up at once. See docs/internals/geoip-awsranges.md.
 */
#ifndef CM_INTEL_AWSRANGES_H
#define CM_INTEL_AWSRANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/ip.h"
#include "base/str.h"

/* The service AWS lists every one of its prefixes under, besides the specific one. */
#define CM_AWS_SERVICE_AMAZON "AMAZON"
/* Longest service or region name accepted (bytes). */
#define CM_AWS_NAME_MAX 128

struct cm_awsranges;

/* Where bad entries go. bad may be NULL (they are still skipped). */
struct cm_awsranges_report {
    /* A bad entry, skipped: the line it starts on (1-based) and why. */
    void (*bad)(void *ud, uint32_t line, const char *reason);
    void *ud;
};

/* One prefix that claims an address, with one of the (service, region) pairs it is listed with. */
struct cm_aws_claim {
    struct cm_ip net;      /* the network, host bits zero */
    unsigned prefix;       /* its length */
    struct cm_str service; /* "AMAZON", "EC2", "S3", ... (owned by the set) */
    struct cm_str region;  /* "us-east-1", "GLOBAL", ... (owned by the set) */
};

/*
 * Parses ip-ranges.json in buf[0..len) into a new set whose hash tables are
 * seeded with seed. Bad entries go to rep (may be NULL) and are skipped.
 * Returns 0 and *out (free with cm_awsranges_destroy); CM_EINVAL (not
 * ip-ranges.json: diag, which may be NULL, says why); CM_E2BIG (more than
 * CM_IPSET_VAL_MAX distinct pairs, or a buffer of 4 GiB or more); CM_ENOMEM.
 * A file whose entries are all bad is valid and gives an empty set.
 */
int cm_awsranges_parse(struct cm_awsranges **out, const char *buf, size_t len, uint64_t seed,
                       const struct cm_awsranges_report *rep, struct cm_diag *diag);

/* Frees a set; NULL is a no-op. */
void cm_awsranges_destroy(struct cm_awsranges *r);

/*
 * Inside AWS? Returns true when some prefix contains ip, and then (when m is
 * not NULL) fills *m with the most specific such prefix and its most
 * specific pair: a service other than AMAZON when that prefix is listed
 * under one (the pair that first appears earliest in the file), AMAZON
 * otherwise. IPv4-mapped
 * IPv6 addresses are looked up as IPv4. r may be NULL (nothing is inside).
 */
bool cm_awsranges_lookup(const struct cm_awsranges *r, const struct cm_ip *ip,
                         struct cm_aws_claim *m);

/*
 * Every (prefix, service, region) that claims ip, most specific prefix
 * first and, within a prefix, in the order the pairs first appear in the
 * file: writes at most max of them to out and returns how many there are
 * (can exceed max; 0: outside AWS).
 */
size_t cm_awsranges_lookup_all(const struct cm_awsranges *r, const struct cm_ip *ip,
                               struct cm_aws_claim *out, size_t max);

/* The file's syncToken and createDate as written (unescaped); absent: {NULL, 0}. */
struct cm_str cm_awsranges_sync_token(const struct cm_awsranges *r);
struct cm_str cm_awsranges_create_date(const struct cm_awsranges *r);

/* Entries loaded (IPv4 and IPv6, before merging repeats) and entries skipped as bad. */
size_t cm_awsranges_loaded(const struct cm_awsranges *r);
size_t cm_awsranges_skipped(const struct cm_awsranges *r);

/* Distinct prefixes in the set, and distinct (service, region) pairs. */
size_t cm_awsranges_prefixes(const struct cm_awsranges *r);
size_t cm_awsranges_pairs(const struct cm_awsranges *r);

/* Bytes held. */
size_t cm_awsranges_bytes(const struct cm_awsranges *r);

#endif
