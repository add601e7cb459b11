/*
 * GuardDuty's export of findings to S3 (docs/publishing.md,
 * docs/internals/publishing.md): one pass over the store's publishing
 * destinations (store/store_pubdest.h), for `coalmine serve` (its bus thread,
 * after each delivery run) and `coalmine findings publish` (cron).
 *
 * A pass first releases the held updates whose publishing interval has ended
 * (cm_store_outbox_release: updates go out at findingPublishingFrequency, new
 * findings at once), then, per destination: a detector that is disabled makes
 * it STOPPED (its findings stay owed); one whose last attempt failed waits for
 * its backoff (unless forced); else the findings it owes are written as gzip
 * JSON Lines objects of at most max_per_object findings each, one finding per
 * line in the API form (what `findings get` prints), under
 * "[prefix/]AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz"
 * of the detector's account and region, with SSE-KMS headers naming the key.
 * Each object written moves the destination past its findings in the store;
 * a failure makes the destination UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY
 * (the failure's start kept) and leaves them owed for the next attempt. A
 * destination still PENDING_VERIFICATION with nothing owed is verified with a
 * read of a key that does not exist (NoSuchKey or AccessDenied: the bucket
 * is there; NoSuchBucket: it is not).
 */
#ifndef CM_PUBDEST_PUBDEST_EXPORT_H
#define CM_PUBDEST_PUBDEST_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws_config.h"
#include "base/buf.h"

struct cm_store;

#define CM_PUBDEST_PER_OBJECT 5000 /* findings in one object, by default */

struct cm_pubdest_opts {
    int64_t now_ms;
    const char *only;                  /* one destination id; NULL: every one */
    bool force;                        /* try a failed destination now, whatever its backoff */
    size_t max_per_object;             /* 0: CM_PUBDEST_PER_OBJECT */
    const struct cm_aws_opts *aws;     /* region and endpoint (NULL: as aws_config.h finds them) */
    unsigned backoff_num, backoff_den; /* the S3 client's waits between retries (0/0: as is) */
};

struct cm_pubdest_stats {
    uint64_t destinations; /* looked at */
    uint64_t exported;     /* destinations that wrote (or owed nothing and are fine) */
    uint64_t failed;       /* destinations whose attempt failed (now UNABLE...) */
    uint64_t stopped;      /* destinations of a disabled detector */
    uint64_t waiting;      /* destinations left alone: their backoff has not passed */
    uint64_t objects;      /* objects written */
    uint64_t findings;     /* findings written */
    uint64_t released;     /* held updates released into the outbox */
};

/*
 * Called for each destination a pass acted on: its id, its status after the pass and a
 * sentence (what was written, or why it failed). May be NULL.
 */
typedef void (*cm_pubdest_report_fn)(void *ud, const char *id, const char *status, const char *msg);

/*
 * Runs one pass (above). A destination's failure is its status, not this function's:
 * returns 0 when the pass ran (stats says what each did), CM_ENOTFOUND when o->only names
 * no destination, CM_EIO with err when the store failed, CM_ENOMEM.
 */
int cm_pubdest_export(struct cm_store *st, const struct cm_pubdest_opts *o,
                      cm_pubdest_report_fn report, void *ud, struct cm_pubdest_stats *stats,
                      char *err, size_t errlen);

/*
 * Gzips the JSON Lines in[0..len) into out (reset first). Returns 0 or CM_ENOMEM.
 */
int cm_pubdest_gzip(const void *in, size_t len, struct cm_buf *out);

#endif
