/*
 * Watched SQS queues (docs/s3.md "Reading a queue", docs/internals/follow.md): the lister a
 * follow (core/follow.h, opts.list) polls "sqs://ACCOUNT/QUEUE[/KEY-PREFIX][?visibility=S]"
 * paths with, for buckets whose deliveries are announced to a queue (S3 event notifications,
 * through SNS or not, CloudTrail's SNS notifications, EventBridge).
 *
 * Each poll receives the queue's messages (ReceiveMessage: up to 10 a request, long-polling
 * up to min(poll interval, 20 s) when nothing waits, at most 100 messages a poll), hidden for
 * the visibility timeout (default 300 s). A message's objects (aws/s3_notice.h) go to the
 * follow's found callback as "s3://bucket/key" with their size and ETag (an object named
 * without them, CloudTrail's notification, is looked up with one LIST first), at every poll
 * until each is read (cm_follow_sqs_outcome); a message waiting longer than half its
 * visibility timeout is hidden again for as long (ChangeMessageVisibilityBatch), by a thread
 * of its own (cm_follow_sqs_keep) while the follow scans.
 *
 * A message is deleted (DeleteMessageBatch) by cm_follow_sqs_commit, which the caller calls
 * only once the findings of its objects are stored and the state that remembers them as read
 * is written: a crash before leaves it in the queue, delivered again, and its objects, read
 * before, are left out. Messages deleted at once: S3's test message, those of no object
 * created or none under the prefix. A message that cannot be parsed is counted, said with its
 * MessageId and the reason, and left in the queue (a redrive policy moves it to a dead-letter
 * queue). A notified object that is gone (NoSuchKey, or rewritten since) is counted and its
 * message deleted; one whose read failed otherwise leaves its message in the queue, delivered
 * again after the visibility timeout.
 */
#ifndef CM_CORE_FOLLOW_SQS_H
#define CM_CORE_FOLLOW_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/sqs_loc.h"
#include "core/follow.h"

struct cm_s3;
struct cm_follow_sqs;

struct cm_follow_sqs_stats {
    uint64_t received;       /* messages received (a message delivered again counts again) */
    uint64_t deleted;        /* messages deleted */
    uint64_t failed;         /* messages that could not be parsed (left in the queue) */
    uint64_t tests;          /* s3:TestEvent messages (deleted) */
    uint64_t objects;        /* objects notified (under the prefix) */
    uint64_t objects_read;   /* ... read (or left out as read before) */
    uint64_t objects_gone;   /* ... no longer there (deleted, rewritten) */
    uint64_t objects_failed; /* ... whose read failed (their message left in the queue) */
    uint64_t filtered;       /* objects not under the prefix, or no logs (digests, folders) */
    uint64_t requests;       /* SQS requests (attempts) */
    uint64_t errors;         /* SQS requests that failed (after the retries) */
    uint64_t in_flight;      /* messages received, not yet deleted or released */
};

struct cm_follow_sqs_opts {
    struct cm_s3 *s3;         /* credentials and region (aws/s3.h); kept, not owned */
    const char *endpoint_url; /* --endpoint-url, or NULL */
    int64_t poll_ms;          /* the follow's poll interval */
    bool quiet;               /* nothing on stderr */
    bool no_keeper;           /* tests: no keeper thread (cm_follow_sqs_keep called instead) */
};

/* The default visibility timeout, seconds. */
#define CM_FOLLOW_SQS_VISIBILITY_S CM_SQS_LOC_VISIBILITY_S

/*
 * Whether path is a queue's ("sqs://..." or its URL, aws/sqs_loc.h), and its parts: account,
 * queue name, key prefix ("" for none), visibility timeout, and a URL's endpoint and region.
 * endpoint_url is --endpoint-url or NULL (then AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL): a
 * URL of another host than AWS's must be that endpoint's. Returns 0, or CM_EINVAL with err
 * saying what is wrong (for a usage error).
 */
int cm_follow_sqs_parse(const char *path, const char *endpoint_url, struct cm_sqs_loc *l, char *err,
                        size_t errlen);

/* Returns 0, CM_ENOMEM or CM_EINVAL (a bad SQS endpoint: err says). */
int cm_follow_sqs_create(struct cm_follow_sqs **out, const struct cm_follow_sqs_opts *o, char *err,
                         size_t errlen);
void cm_follow_sqs_destroy(struct cm_follow_sqs *fs);

/* The follow's lister for sqs:// paths (cm_follow_opts.list, list_ud = fs). */
int cm_follow_sqs_list(void *fs, const char *url, int64_t now_ms, cm_follow_found_fn found,
                       void *fud, bool *whole);

/* What became of an object handed over (its path "s3://bucket/key"). */
enum { CM_FOLLOW_SQS_READ = 0, CM_FOLLOW_SQS_GONE, CM_FOLLOW_SQS_FAILED };
void cm_follow_sqs_outcome(struct cm_follow_sqs *fs, const char *path, int what, const char *why);

/* Whether some message waits for cm_follow_sqs_commit (all its objects read or gone). */
bool cm_follow_sqs_pending(const struct cm_follow_sqs *fs);

/*
 * Deletes the messages whose objects are all read or gone (after their findings are stored
 * and the state written). A failed delete is said and counted (the message comes again: its
 * objects are left out as read). Returns 0 or CM_ENOMEM.
 */
int cm_follow_sqs_commit(struct cm_follow_sqs *fs);

/*
 * Hides again, for their visibility timeout, the messages in flight that waited half of it
 * at now_ms (ms since the epoch, as the lister's now_ms), with the keeper's own SQS clients.
 * A thread started by cm_follow_sqs_create (the keeper) calls it every 500 ms, so a message
 * stays hidden while the follow scans its objects, however long that takes (a 2 GB object);
 * the lister does it too at each poll. Tests with no_keeper call it with a clock of theirs
 * (never while a keeper runs). Returns 0.
 */
int cm_follow_sqs_keep(struct cm_follow_sqs *fs, int64_t now_ms);

const struct cm_follow_sqs_stats *cm_follow_sqs_stats(const struct cm_follow_sqs *fs);

#endif
