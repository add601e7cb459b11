/*
 * Indicator metadata of lib/intel: what a matching IP or domain is known
 * for. The IP and domain sets store only a uint32 indicator id per entry;
 * the snapshot (intel/snapshot.h) owns the table those ids index, so one
 * feed of a million addresses sharing a list, category and threat name keeps
 * one struct cm_indicator, not a million.
 *
 * Categories are what GuardDuty's managed intel distinguishes (issue #4) plus
 * CUSTOM for customer lists; each has a stable lowercase name for configs,
 * the CLI and the bundle manifest. See docs/internals/intel.md.
 */
#ifndef CM_INTEL_INDICATOR_H
#define CM_INTEL_INDICATOR_H

#include <stdint.h>

#include "base/str.h"

enum cm_intel_category {
    CM_CAT_UNKNOWN = 0,
    CM_CAT_CNC,              /* command and control */
    CM_CAT_MINING,           /* crypto-currency mining pools and tools */
    CM_CAT_TOR_EXIT,         /* Tor exit node */
    CM_CAT_TOR_RELAY,        /* Tor entry/relay node */
    CM_CAT_SCANNER,          /* internet-wide scanner */
    CM_CAT_DROP_POINT,       /* exfiltration drop point */
    CM_CAT_SINKHOLE,         /* black-hole / sink-hole address */
    CM_CAT_PHISHING,         /* phishing site */
    CM_CAT_DRIVE_BY,         /* drive-by download source */
    CM_CAT_DGA,              /* domain generation algorithm output */
    CM_CAT_MALICIOUS_IP,     /* known malicious IP, no finer class */
    CM_CAT_MALICIOUS_DOMAIN, /* known malicious domain, no finer class */
    CM_CAT_CUSTOM,           /* customer threat list ("Customer Threat Intel") */
    /*
     * Domains of a known reputation class, the rest of GuardDuty's *DomainRequest.Reputation
     * types (MALICIOUS_DOMAIN is Malicious): abused (free-subdomain, dynamic-DNS or parked
     * names put to bad use), crypto-currency related, suspicious. Appended, not sorted: the
     * numbers above stay.
     */
    CM_CAT_ABUSED_DOMAIN,
    CM_CAT_BITCOIN_DOMAIN,
    CM_CAT_SUSPICIOUS_DOMAIN,
    CM_CAT_COUNT
};

/* Whether a list adds findings (THREAT) or suppresses them (TRUSTED, spec §4.3). */
enum cm_intel_kind {
    CM_INTEL_KIND_THREAT = 0,
    CM_INTEL_KIND_TRUSTED = 1,
};

/*
 * One indicator's metadata. The strings are owned by the snapshot that
 * handed the pointer out and live as long as it does.
 */
struct cm_indicator {
    uint32_t list;                   /* index into the snapshot's list table */
    enum cm_intel_category category; /* CM_CAT_* */
    struct cm_str threat_name;       /* e.g. "Customer Threat Intel"; may be empty */
    struct cm_str source;            /* feed or file it came from; may be empty */
};

/* One loaded list: the list table of a snapshot holds these. */
struct cm_intel_list {
    struct cm_str name;      /* the list name (threatListName in findings) */
    enum cm_intel_kind kind; /* THREAT or TRUSTED */
    struct cm_str format;    /* "TXT", "STIX", ... as loaded */
    struct cm_str source;    /* location it was loaded from */
};

/* The stable name of a category ("cnc", "tor_exit", ...); "unknown" for out-of-range values. */
const char *cm_intel_category_name(enum cm_intel_category c);

/*
 * Parses a category name, ASCII case-insensitively ("CNC" and "cnc" both
 * work). Returns 0 and sets *out, or CM_EINVAL for an unknown name.
 */
int cm_intel_category_parse(struct cm_str name, enum cm_intel_category *out);

/* "threat" or "trusted". */
const char *cm_intel_kind_name(enum cm_intel_kind k);

#endif
