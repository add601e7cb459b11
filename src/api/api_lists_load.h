/*
 * Activating a list of the API (api_lists.c): reading its location and
 * checking it by loading it the way a scan will, which decides its status.
 *
 * A location is an absolute local path or a file:// URI (read here, and only
 * when it is a regular file: a FIFO's open would wait for a writer and hold
 * the server's only thread), or an http(s) URL (fetched with the feed code,
 * src/intel/feed_update.c: redirects, size and time caps, HTTPS
 * verification, the body checked with the list's format).
 * s3:// and relative paths are refused before anything is stored: coalmine
 * holds no AWS credentials, and a server's working directory is no place to
 * name files by.
 *
 * The outcome is ACTIVE with the bytes to store (and, when some records were
 * skipped, errorDetails saying how many and the first few with their line),
 * or ERROR with errorDetails saying why: the location could not be read, its
 * reader rejected it, nothing usable was in it, or an IPSet/ThreatIntelSet
 * (addresses only, as GuardDuty's) held domain names.
 */
#ifndef CM_API_API_LISTS_LOAD_H
#define CM_API_API_LISTS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "intel/format.h"
#include "store/store.h"

#define CM_API_LIST_MAX_BYTES ((uint64_t)64 << 20) /* a list's bytes (GuardDuty: 35 MB) */
#define CM_API_LIST_MAX_TIME  60                   /* seconds a fetch may take */

/* How a location names its list. */
enum cm_api_loc {
    CM_API_LOC_PATH = 0, /* an absolute local path */
    CM_API_LOC_URL,      /* file://, http:// or https:// */
};

/*
 * Classifies location. Returns 0, or CM_EINVAL with the reason (for the caller to name the
 * member) in why.
 */
int cm_api_loc_parse(const char *location, enum cm_api_loc *out, char *why, size_t whylen);

/* What activating a list gave. */
struct cm_api_activation {
    bool active;         /* ACTIVE, else ERROR */
    struct cm_buf bytes; /* the list as read (ACTIVE) */
    uint64_t entries;    /* networks and names loaded */
    char details[1024];  /* errorDetails; "" when none */
};

void cm_api_activation_init(struct cm_api_activation *a);
void cm_api_activation_finish(struct cm_api_activation *a);

/*
 * Reads kind's list at location in format fmt, named name, and checks it. Fills a.
 * Returns 0 (a says ACTIVE or ERROR), or CM_ENOMEM.
 */
int cm_api_list_activate(enum cm_store_set_kind kind, const char *name,
                         const struct cm_intel_format *fmt, const char *location,
                         struct cm_api_activation *a);

#endif
