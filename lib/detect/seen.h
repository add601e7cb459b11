/*
 * Records already read: a bounded set of recent CloudTrail eventIDs, so an event
 * delivered twice (an organisation trail and the account's own trail, a bucket and its
 * replica, a copy of a folder under another prefix) is analysed once. The engine asks it
 * before it hands a CloudTrail event to the detectors (detect.c).
 *
 * Per account, the set holds 64-bit seeded hashes of the ids in two generations: the
 * current one and the one before. A generation lasts CM_SEEN_SPAN_MS of the account's
 * event time (the newest seen, so a late event does not turn it) or until it holds
 * CM_SEEN_MAX ids, whichever comes first; then the older one is dropped. So a copy is
 * recognised when it comes within one to two generations of the first: copies of one
 * event carry the same eventTime and are delivered minutes apart, and a scan reads files
 * in the order of the times in their names. The clock is the account's, not the engine's:
 * an account's events reach one shard in the same order whatever the number of shards,
 * so what is recognised does not depend on --threads (another account's later events in
 * the same shard would otherwise turn the generation early). Memory: 16 bytes per id held
 * (a table at most half full), at most 2 x CM_SEEN_MAX ids an account. No allocation per
 * id; a table doubles as it fills.
 *
 * Records out of CloudWatch Logs (flow and Resolver records of a Firehose object or an
 * awscli export) are recognised the same way by their log event's id (cm_seen_check_log):
 * copies of a record have the same entity key, so they reach the same shard too. Their ids
 * are kept per account apart from its eventIDs (a key of another salt), in the same table
 * and checkpoint: the layout is unchanged.
 */
#ifndef CM_DETECT_SEEN_H
#define CM_DETECT_SEEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"

struct cm_ckpt_w;
struct cm_ckpt_r;

#define CM_SEEN_SPAN_MS (3600 * 1000LL)
#define CM_SEEN_MAX     (1u << 21)
/* The layout cm_seen_save writes; bumped when it changes. */
#define CM_SEEN_STATE_VERSION 1u

struct cm_seen_gen {
    uint64_t *slot; /* 0: empty */
    size_t cap;     /* a power of two, or 0 */
    size_t n;
};

/* One account's generations and clock. */
struct cm_seen_acct {
    uint64_t key; /* seeded hash of the account id, never 0 */
    struct cm_seen_gen cur, prev;
    int64_t start;  /* event time the current generation began, INT64_MIN: none yet */
    int64_t newest; /* the account's newest event time seen */
};

struct cm_seen {
    struct cm_seen_acct *acct; /* open addressing by key, at most half full */
    size_t acap, nacct;
    uint64_t seed;
    size_t max;     /* ids a generation holds at most (CM_SEEN_MAX; tests lower it) */
    uint64_t bytes; /* memory held now */
    uint64_t peak_bytes;
};

void cm_seen_init(struct cm_seen *s, uint64_t seed);
void cm_seen_finish(struct cm_seen *s);

/*
 * Whether id was seen before in account (true: a repeat, not kept again); else remembers
 * it. t is the event's time. An empty id is never a repeat. Returns 0, or CM_ENOMEM when
 * a table could not grow (the id is then not remembered and *repeat is false).
 */
int cm_seen_check(struct cm_seen *s, struct cm_str account, struct cm_str id, int64_t t,
                  bool *repeat);

/*
 * cm_seen_check for a record out of CloudWatch Logs (a VPC flow or Resolver record): id
 * is its cm_event.log_id, the same in every delivery of its log event (a Firehose retry
 * into another object, a subscription's redelivery, overlapping `filter-log-events`
 * exports). The account's log ids are a set of their own, with their own generations
 * and clock (the records' event time), so a copy is recognised within one to two
 * CM_SEEN_SPAN_MS of the account's newest record, or CM_SEEN_MAX of its ids. 0 is never
 * a repeat. Returns 0 or CM_ENOMEM, as cm_seen_check.
 */
int cm_seen_check_log(struct cm_seen *s, struct cm_str account, uint64_t id, int64_t t,
                      bool *repeat);

/*
 * Asks the CPU to fetch where cm_seen_check_log will look for id, so a caller that has
 * records queued can overlap those cache misses (the tables of a busy account are megabytes:
 * without it the two probes of a new id were a fifth of a Firehose flow scan's time).
 * Changes nothing.
 */
void cm_seen_prefetch_log(const struct cm_seen *s, struct cm_str account, uint64_t id);

/*
 * The same for a CloudTrail eventID that cm_seen_check will look for: without it the two
 * probes of a new id were 6-7 % of a CloudTrail scan's CPU samples, with it about 1 %.
 * Changes nothing.
 */
void cm_seen_prefetch(const struct cm_seen *s, struct cm_str account, struct cm_str id);

/*
 * Checkpoints (statefile.md), so a record repeated across two scans with --state is still
 * analysed once: the seed, then per account (by key) its clock and each generation's
 * ids, sorted, 8 bytes an id: no more than the set holds in memory, so at most 2 x max
 * ids an account. Loading into an empty set gives back what was saved, the seed too (the
 * saved hashes were made with it), and saving again gives the same bytes. cm_seen_load
 * refuses (CM_EINVAL, with the reason in r) a set this code could not have made: a zero
 * key or id, an account or an id twice, a generation over max, times out of order.
 */
int cm_seen_save(const struct cm_seen *s, struct cm_ckpt_w *w);
int cm_seen_load(struct cm_seen *s, struct cm_ckpt_r *r);

#endif
