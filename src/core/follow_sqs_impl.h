/*
 * What follow_sqs.c and follow_sqs_keep.c share: a watched queue's messages and the state
 * of struct cm_follow_sqs. Private to src/core.
 */
#ifndef CM_CORE_FOLLOW_SQS_IMPL_H
#define CM_CORE_FOLLOW_SQS_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/s3.h"
#include "aws/sqs.h"
#include "aws/sqs_loc.h"
#include "core/follow_sqs.h"

#define MAX_PER_POLL  100 /* messages received at one poll at most */
#define MAX_WAIT_MS   (5 * 60 * 1000)
#define MAX_IN_FLIGHT 10000 /* messages held at most (past it, no receive) */
#define KEEP_TICK_MS  500   /* how often the keeper looks for messages to hide again */

struct obj {
    char *path, *etag;
    uint64_t size;
    bool done;
};

struct msg {
    size_t q; /* its queue */
    char *id, *handle;
    int64_t hidden_ms; /* when it was last hidden (received, or its visibility changed) */
    struct obj *v;
    size_t n;
    bool release; /* a read failed: left to come again, not deleted */
};

struct queue {
    char *url;       /* the watched path */
    char *queue_url; /* ENDPOINT/ACCOUNT/QUEUE, or the URL given */
    struct cm_sqs_loc loc;
    struct cm_sqs *c; /* its client: the follow's, or its own (a URL's region or endpoint) */
    uint32_t fails;
    int64_t next_ms;
    char said[80];
};

/*
 * The follow's thread (the one that lists, hands objects over, commits) and the keeper
 * thread (which hides messages again while the follow scans a batch) share mu: it guards
 * qs and nq's growth, m and nm, each message's hidden_ms and release, and the keeper's
 * counts. Only the follow's thread writes anything else of a message, and the keeper reads
 * nothing else; each thread has its own SQS clients (one connection each).
 */
struct cm_follow_sqs {
    struct cm_follow_sqs_opts o;
    struct cm_sqs *c;
    struct cm_s3_conn *s3c;
    struct queue *qs;
    size_t nq, capq;
    struct msg *m;
    size_t nm, capm;
    struct cm_follow_sqs_stats st;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* the keeper's sleep, cut short to stop */
    pthread_t keeper;
    bool keeping, stop;
    struct cm_sqs **kc; /* the keeper's clients, by queue (NULL: not yet opened) */
    size_t nkc;
    uint64_t k_attempts, k_errors; /* the keeper's requests and failures, not yet counted */
    bool custom;                   /* a custom SQS endpoint is set (it takes every request) */
};

/* mu and cv, and the keeper thread unless o.no_keeper. Returns 0 or CM_ENOMEM. */
int cm_follow_sqs_keeper_start(struct cm_follow_sqs *fs);

/* Stops and joins the keeper thread (when running), then frees mu, cv and its clients. */
void cm_follow_sqs_keeper_stop(struct cm_follow_sqs *fs);

/*
 * Hides again, for their visibility timeout from now, the messages of queue only (SIZE_MAX:
 * of every queue) that waited half of it: with the follow's clients (keeper false, the
 * follow's thread) or the keeper's.
 */
void cm_follow_sqs_hide_due(struct cm_follow_sqs *fs, size_t only, int64_t now_ms, bool keeper);

#endif
