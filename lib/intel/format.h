/*
 * Threat-list formats (issue #4): one reader per format behind a const
 * struct, and the table that names and sniffs them. A reader takes a whole
 * list file in memory (lib/ does no I/O), finds the indicators in it and
 * hands each to a callback as a struct cm_intel_item: the value as the feed
 * wrote it plus what the feed says about it (threat name, category text).
 * Turning items into set entries (classifying addresses, CIDRs and names,
 * covering address ranges with CIDRs, taking a URL's host) is done once, in
 * intel/load.c, for every format.
 *
 * Bad records are reported through the bad() callback with a 1-based line
 * number and a reason, and skipped; the rest of the file still loads. A
 * reader returns an error only when the input as a whole is not its format
 * (CM_EINVAL: e.g. XML that is not well formed, JSON that is not a bundle)
 * or when a callback returns a negative CM_E* (which it passes on).
 *
 * See docs/internals/intel-formats.md (line formats),
 * docs/internals/intel-structured-formats.md (STIX, MISP) and docs/internals/intel.md.
 */
#ifndef CM_INTEL_FORMAT_H
#define CM_INTEL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

/* What an item's value is, as far as the reader knows. */
enum cm_intel_value {
    CM_IV_AUTO = 0, /* an address, a CIDR, a domain or "*.domain": load.c classifies it */
    CM_IV_RANGE,    /* an inclusive address range: value is the first, value2 the last */
    CM_IV_URL,      /* a URL: its host (a name or an address) is the indicator */
    CM_IV_IP,       /* the feed says address or CIDR; anything else is a bad record */
    CM_IV_DOMAIN,   /* the feed says domain name; anything else is a bad record */
};

/*
 * One indicator as the feed states it. Strings are borrowed from the input
 * (or from the reader's scratch) for the duration of the callback only.
 * Readers trim surrounding whitespace and quotes from value, value2, threat
 * and category.
 */
struct cm_intel_item {
    enum cm_intel_value kind;
    struct cm_str value;
    struct cm_str value2;   /* CM_IV_RANGE only */
    struct cm_str threat;   /* threat or malware name from the feed; empty when none */
    struct cm_str category; /* the feed's own category or type text; empty when none */
    uint32_t line;          /* 1-based line where the record starts */
};

/* Where a reader sends what it finds. */
struct cm_intel_reader {
    /* One item. Returns 0 to go on, or a negative CM_E* to stop (the reader returns it). */
    int (*item)(void *ud, const struct cm_intel_item *it);
    /* A bad record, skipped: its line (1-based, 0 when unknown) and why. */
    void (*bad)(void *ud, uint32_t line, const char *reason);
    void *ud;
};

struct cm_intel_format {
    const char *name; /* "TXT", "STIX", "OTX_CSV", ... (upper case, as GuardDuty spells its six) */
    const char *summary;
    /*
     * How sure the reader is that buf (the start of a file, at least the
     * first 4 KiB when the file is that long) is its format: 0 not at all,
     * 100 certain. Never reads past len.
     */
    int (*sniff)(const char *buf, size_t len);
    /* Reads the whole file. Returns 0, CM_EINVAL (not this format) or a callback's error. */
    int (*read)(const char *buf, size_t len, const struct cm_intel_reader *r);
};

/* Every format, NULL-terminated, in the order sniffing breaks ties. */
const struct cm_intel_format *const *cm_intel_formats(void);

/* The format of that name, ASCII case-insensitively; NULL when unknown. */
const struct cm_intel_format *cm_intel_format_find(struct cm_str name);

/* The format whose sniff() scores buf highest (TXT when nothing scores above 0). */
const struct cm_intel_format *cm_intel_format_sniff(const char *buf, size_t len);

/* The formats, one per file (format_*.c). */
extern const struct cm_intel_format cm_intel_format_txt;         /* GuardDuty TXT, plain lists */
extern const struct cm_intel_format cm_intel_format_stix1;       /* STIX 1.x XML (expat) */
extern const struct cm_intel_format cm_intel_format_otx_csv;     /* AlienVault OTX pulse CSV */
extern const struct cm_intel_format cm_intel_format_alien_vault; /* AlienVault reputation */
extern const struct cm_intel_format cm_intel_format_proof_point; /* Proofpoint ET CSV */
extern const struct cm_intel_format cm_intel_format_fire_eye;    /* FireEye iSIGHT CSV */
extern const struct cm_intel_format cm_intel_format_stix2;       /* STIX 2.1 bundle JSON */
extern const struct cm_intel_format cm_intel_format_misp;        /* MISP event / feed JSON */
extern const struct cm_intel_format cm_intel_format_misp_csv;    /* MISP CSV export */
extern const struct cm_intel_format cm_intel_format_hosts;       /* hosts file */
extern const struct cm_intel_format cm_intel_format_zeek;        /* Zeek intel framework TSV */

#endif
