/*
 * Building an intel snapshot from list files (the I/O side of lib/intel).
 *
 * A source is one list file with its name, kind (threat or trusted),
 * category and format. cm_intel_open() reads every source (plain or gzip),
 * loads it through lib/intel/load.c and builds one immutable snapshot.
 * Bad records are reported through a callback with the list, file, line and
 * reason, and skipped; a file that cannot be read, or that its format reader
 * rejects as a whole, is an error naming the file.
 *
 * Command-line forms (cm_intel_source_parse):
 *   threat and trusted lists   [NAME=][FORMAT:]FILE
 *   managed intel of a class   CATEGORY[:NAME]=[FORMAT:]FILE   (e.g. tor_exit=exits.txt)
 * NAME defaults to the file's base name without its extensions; FORMAT is one
 * of cm_intel_formats() (case-insensitive) and is sniffed when absent.
 */
#ifndef CM_INTEL_INTEL_LOAD_H
#define CM_INTEL_INTEL_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "intel/indicator.h"
#include "intel/load.h"
#include "intel/snapshot.h"

#define CM_INTEL_NAME_MAX 300 /* GuardDuty's list-name limit */

/* GuardDuty's threatName for customer lists (spec §4.1). */
#define CM_INTEL_CUSTOM_THREAT "Customer Threat Intel"

struct cm_intel_source {
    char name[CM_INTEL_NAME_MAX + 1];
    const char *path;                     /* borrowed */
    const struct cm_intel_format *format; /* NULL: sniffed */
    enum cm_intel_kind kind;
    enum cm_intel_category category; /* CUSTOM: customer list; UNKNOWN: guessed per item */
    const char *threat_name;         /* default threat name; NULL: by category */
    bool shared_guard; /* a bundle feed: shared infrastructure is skipped (intel/shared_infra.h) */
    /*
     * The list's bytes when it is held in memory (the store's API lists): read instead of
     * the file, path then only names it in messages. NULL: read path.
     */
    const char *data;
    size_t data_len;
};

/* What loading one source gave. */
struct cm_intel_source_report {
    const char *name; /* the source's */
    const char *path;
    const char *format; /* the format used */
    struct cm_intel_load_stats st;
};

/* A bad record: which list and file, where and why. */
typedef void (*cm_intel_bad_fn)(void *ud, const struct cm_intel_source *src, uint32_t line,
                                const char *reason);

/*
 * Parses a command-line list argument (forms above) into *out for a list of
 * kind; managed says the CATEGORY= form is expected. path points into arg.
 * Returns 0 or CM_EINVAL with the reason in err.
 */
int cm_intel_source_parse(const char *arg, enum cm_intel_kind kind, bool managed,
                          struct cm_intel_source *out, char *err, size_t errlen);

/*
 * Loads srcs[0..n) into a new snapshot (*out, one reference). reports (may be
 * NULL) gets one entry per source. Returns 0; CM_EEXIST when two sources have
 * the same name; CM_EIO for a file that cannot be read; CM_EINVAL for a file
 * its reader rejects; CM_ENOMEM/CM_E2BIG. err names the source and reason.
 */
int cm_intel_open(const struct cm_intel_source *srcs, size_t n, uint64_t seed, cm_intel_bad_fn bad,
                  void *ud, struct cm_intel_source_report *reports, struct cm_intel_snapshot **out,
                  char *err, size_t errlen);

/*
 * The format cm_intel_open() would read the file at path with when none is
 * given: its content (inflated when gzip) sniffed. Returns 0 (*fmt set),
 * CM_EIO, CM_EINVAL (bad gzip) or CM_ENOMEM, with the reason in err.
 */
int cm_intel_sniff_file(const char *path, const struct cm_intel_format **fmt, char *err,
                        size_t errlen);

#endif
