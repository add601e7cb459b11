/*
 * The intel side of `coalmine scan`: the list options (--threat-list,
 * --trusted-list, --intel-list, --intel-dir, --no-default-intel) and
 * --geoip (MMDB files for remoteIpDetails), loading
 * them with the defaults (the built-in bundle, fetched feeds and lists added
 * with `coalmine intel add`) into one snapshot, and reporting what loaded
 * and every bad record (the first few per list in full, the rest counted).
 */
#ifndef CM_CLI_SCAN_INTEL_H
#define CM_CLI_SCAN_INTEL_H

#include <stdbool.h>
#include <stddef.h>

#include "intel/geoip.h"
#include "intel/intel_load.h"
#include "intel/snapshot.h"

/* getopt codes of the options (long options only). */
enum {
    CM_SCAN_OPT_THREAT_LIST = 0x100,
    CM_SCAN_OPT_TRUSTED_LIST,
    CM_SCAN_OPT_INTEL_LIST,
    CM_SCAN_OPT_INTEL_DIR,
    CM_SCAN_OPT_NO_DEFAULT_INTEL,
    CM_SCAN_OPT_GEOIP,
};

/* Bad records shown in full per list; the rest are counted. */
#define CM_SCAN_INTEL_SHOW_BAD 5

struct cm_scan_intel {
    struct cm_intel_source *srcs; /* from the command line */
    size_t n, cap;
    size_t ndefault;       /* the first ndefault sources are the defaults */
    const char *intel_dir; /* --intel-dir, or NULL */
    bool no_default;       /* --no-default-intel */
    struct cm_intel_snapshot *snap;
    const char *geoip[CM_GEOIP_MAX_DBS]; /* --geoip files, in order */
    size_t ngeoip;
    struct cm_geoip *geo;              /* opened from them, or NULL */
    const struct cm_intel_source *cur; /* list whose bad records are being shown */
    size_t shown;                      /* of cur */
    /*
     * The store of the scan (--db): its ACTIVE API lists (IPSet, ThreatIntelSet, ...;
     * docs/api-write.md) are defaults too, after the intel directory's. NULL: none.
     */
    const char *store_path;
    void **store_bytes; /* their contents, owned */
    size_t nstore, store_cap;
};

/* Takes one option (code above). Returns 0, or CM_EINVAL with the reason in err (a usage error). */
int cm_scan_intel_option(struct cm_scan_intel *si, int code, const char *arg, char *err,
                         size_t errlen);

/*
 * Loads the lists (defaults unless --no-default-intel: the bundle, the intel
 * directory's and the store's ACTIVE API lists; then the command line's) into si->snap (NULL when
 * there are none) and reports on stderr unless quiet. Returns 0, or an error with err naming the
 * file and reason.
 */
int cm_scan_intel_open(struct cm_scan_intel *si, bool quiet, char *err, size_t errlen);

/*
 * Builds the snapshot again, after cm_scan_intel_open() succeeded: the defaults read
 * anew (the store's ACTIVE API lists as they are now), the command line's lists as
 * given, quietly, the GeoIP databases kept. On success si->snap is the new snapshot and
 * *old gets the one it replaces (the caller drops it once nothing uses it); on error si
 * is as it was and err says why. Returns 0 or an error.
 */
int cm_scan_intel_reload(struct cm_scan_intel *si, struct cm_intel_snapshot **old, char *err,
                         size_t errlen);

/* Frees the sources and drops the snapshot. */
void cm_scan_intel_close(struct cm_scan_intel *si);

#endif
