/*
 * The SQLite store (DESIGN.md §3): one file, WAL journal, schema migrations
 * recorded in a version table, writes batched in transactions.
 *
 * Schema version 1 keeps the record of what was scanned: one row per scan
 * run with its counts, one row per input with its format, records, rejects
 * and damage, and the rejects that were listed with their location and
 * reason. Version 2 adds the findings (issue #3): one row per identity with
 * its GuardDuty API document, and the evidence rows behind it. Version 3
 * keys findings by an integer, adds the events each finding counted (so a
 * record read twice counts once), the filters, feedback and the store
 * settings (retention). Version 4 takes every B-tree keyed by the random
 * finding id off the write path: ids are found through an in-memory map
 * when writing and through finding_ids / finding_ids_recent when reading
 * (docs/internals/store.md). Version 9 adds the resources a finding names
 * besides its identity resource (finding_resources), so a query by resource
 * finds it by any of them; version 10 the updates held for the publishing
 * frequency (outbox_held); version 11 the API's detectors; version 12 the
 * API's threat and trusted lists (intel_sets) and the tags of filters and
 * lists (api_tags); version 13 scheduled rules, the newest record seen per
 * source and the canary checks (store_canary.c); version 14 canary and scheduled
 * events in the outbox, the state each target last took of a finding
 * (delivered_state) and the origin of a check. A store written by an older
 * version opens and upgrades; a SQLite file that is not a coalmine store is
 * refused.
 *
 * A struct cm_store is used by one thread at a time. Writing findings, it
 * runs threads of its own (documents are made on one while the caller's
 * thread writes, WAL checkpoints run on another); they end with the call or
 * with cm_store_close, and a process killed meanwhile leaves a consistent
 * store.
 */
#ifndef CM_STORE_STORE_H
#define CM_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/scan.h"
#include "finding/aggregate.h"
#include "finding/criteria.h"
#include "finding/filter.h"
#include "finding/finding.h"
#include "store/store_canary.h"

struct cm_store;

/* The schema version this build creates and understands. */
#define CM_STORE_SCHEMA_VERSION 15

/* cm_store_open flags. */
#define CM_STORE_CREATE 0x1u /* create the file when absent (else: CM_ENOTFOUND) */

/*
 * Opens the store at path and migrates it to CM_STORE_SCHEMA_VERSION.
 * Without CM_STORE_CREATE a missing file is CM_ENOTFOUND (nothing created).
 * Returns 0; CM_ENOTFOUND; CM_EIO with a message in err when the file cannot
 * be opened, is not a SQLite database, is a SQLite database of something
 * else, or was written by a newer coalmine; CM_ENOMEM.
 */
int cm_store_open(struct cm_store **out, const char *path, unsigned flags, char *err,
                  size_t errlen);
/* Closes the store; NULL is a no-op. */
void cm_store_close(struct cm_store *st);

/* The schema version recorded in the store. */
int cm_store_schema_version(struct cm_store *st);

/*
 * Records a finished scan, started at started_ms (wall clock, ms since the
 * epoch), with every input and listed reject, in one transaction. Sets
 * *scan_id. Returns 0 or CM_EIO (err says why; nothing was written).
 */
int cm_store_add_scan(struct cm_store *st, const struct cm_scan_stats *stats, int64_t started_ms,
                      int64_t *scan_id, char *err, size_t errlen);

/* One finding to store, and what storing it did. */
struct cm_store_put {
    struct cm_finding *f;                  /* read only */
    const struct cm_finding_event *events; /* the events it counts; NULL: unknown */
    size_t nevents;
    /* Results. */
    bool is_new;      /* a new identity */
    bool changed;     /* false: every event was already counted, nothing written */
    bool archived;    /* stored archived (an ARCHIVE filter, or archived before) */
    uint32_t added;   /* events (sum of their counts) newly counted */
    uint32_t count;   /* service.count after the write */
    const char *rule; /* name of the ARCHIVE filter that matched, or NULL (valid until the
                         next cm_store_put_findings or cm_store_close) */
};

/*
 * Writes n findings durably, in one transaction (store_findings.c). Each
 * event key is counted once per finding: a new id is inserted with its
 * events; for an existing id only the events not stored yet count, and when
 * there are none the stored finding is left as it is. A repeat is merged like
 * the aggregator merges repeats (counts add up, eventFirstSeen/eventLastSeen
 * widen, updatedAt moves forward, createdAt, archived and userFeedback are
 * kept, the document becomes the newest, evidence combined). The store's
 * ARCHIVE filters are applied to every new or changed finding: a match is
 * stored archived (and the caller must not publish it). When the events are
 * given they decide the count, for a new finding too (the sum of its
 * distinct events' counts, f->count when the list is empty); events unknown
 * (events NULL) count f->count. The findings are not modified.
 * Returns 0 or CM_EIO (err says why; nothing was written) or CM_ENOMEM.
 */
int cm_store_put_findings(struct cm_store *st, struct cm_store_put *v, size_t n, char *err,
                          size_t errlen);

/*
 * Whether cm_store_put_findings puts the findings it publishes in the
 * outbox for the rules (default true; `scan --no-route` turns it off).
 */
void cm_store_set_publish(struct cm_store *st, bool on);

/*
 * Makes every later commit of this connection durable when it returns: synchronous=FULL,
 * the WAL synced at each commit (the store's default, NORMAL, syncs it only at checkpoints:
 * a power loss may lose the last commits). For a caller that records durably elsewhere
 * that a commit happened (`scan --state` remembers the files whose findings it stored).
 * Returns 0 or CM_EIO (err says why).
 */
int cm_store_set_durable(struct cm_store *st, char *err, size_t errlen);

/* Number of finding rows. Returns 0 or CM_EIO. */
int cm_store_count_findings(struct cm_store *st, int64_t *n);

/*
 * Reads the finding id back from its stored document into out, which must be
 * freshly initialised (cm_finding_init). Returns 0, CM_ENOTFOUND, CM_EIO or
 * what cm_finding_from_json returns.
 */
int cm_store_get_finding(struct cm_store *st, const char *id, struct cm_finding *out);

/* ---- Queries (store_query.c) ---- */

/* Sort keys: GuardDuty SortCriteria attribute names. */
enum cm_store_sort {
    CM_SORT_UPDATED = 0, /* "updatedAt" (default) */
    CM_SORT_CREATED,     /* "createdAt" */
    CM_SORT_SEVERITY,    /* "severity" */
    CM_SORT_TYPE,        /* "type" */
    CM_SORT_ACCOUNT,     /* "accountId" */
    CM_SORT_REGION,      /* "region" */
    CM_SORT_COUNT,       /* "service.count" */
    CM_SORT_FIRST_SEEN,  /* "service.eventFirstSeen" */
    CM_SORT_LAST_SEEN,   /* "service.eventLastSeen" */
    CM_SORT_ID,          /* "id" */
};

/* Parses a SortCriteria attribute name. Returns 0 or CM_EINVAL. */
int cm_store_sort_parse(const char *name, enum cm_store_sort *out);
const char *cm_store_sort_name(enum cm_store_sort s);

/*
 * A nextToken ("<finding id>.<sort key><its sort value in hex>"; opaque to
 * callers) fits this many bytes with the NUL.
 */
#define CM_STORE_TOKEN_MAX 320

/*
 * A query: every condition given is ANDed. The criteria are GuardDuty's
 * FindingCriteria (compiled, borrowed; e.g. the user's and one made from
 * command-line shortcuts); conditions on the columns of the findings rows
 * (type, severity, accountId, region, id, updatedAt, createdAt,
 * service.archived, resource.resourceType) are answered in SQL, through the
 * indices where one serves (docs/internals/store.md), the rest by matching
 * the stored documents.
 */
#define CM_STORE_MAX_CRITERIA 4

struct cm_store_query {
    const struct cm_criteria *criteria[CM_STORE_MAX_CRITERIA]; /* ANDed; NULL slots ignored */
    const char *resource_id; /* instance, ENI, access key or bucket; NULL */
    const char *text;        /* case-insensitive substring of the document; NULL */
    enum cm_store_sort sort;
    bool ascending;         /* default false: newest / highest first */
    size_t limit;           /* 0: no limit */
    const char *next_token; /* from the previous page; NULL or "" for the first */
};

/*
 * Called for each finding of a query, in order: its id, its GuardDuty API
 * document (valid during the call) and the finding parsed from it. Returns 0
 * to go on, anything else stops the query and is returned by it.
 */
typedef int (*cm_store_row_fn)(void *ud, const struct cm_finding *f, const char *doc, size_t len);

/*
 * Runs q, calling fn for at most q->limit findings. next_token (may be NULL,
 * else CM_STORE_TOKEN_MAX bytes) gets the token of the next page, or "" when
 * this page is the last. Returns 0, CM_EINVAL (a malformed or stale token;
 * err says why), CM_EIO, or what fn returned.
 */
int cm_store_query(struct cm_store *st, const struct cm_store_query *q, cm_store_row_fn fn,
                   void *ud, char *next_token, char *err, size_t errlen);

/* Statistics groupings: GetFindingsStatistics GroupBy. */
enum cm_store_group {
    CM_GROUP_SEVERITY = 0, /* key: severity ("8.0") */
    CM_GROUP_TYPE,         /* key: finding type */
    CM_GROUP_RESOURCE,     /* key: resource id (detail: resource type, account) */
    CM_GROUP_ACCOUNT,      /* key: account id */
    CM_GROUP_DATE,         /* key: day of updatedAt ("2026-11-30") */
    CM_GROUP_REGION,       /* key: region */
};

int cm_store_group_parse(const char *name, enum cm_store_group *out);

/* One group of a statistics answer. */
struct cm_store_stat {
    const char *key;
    const char *resource_type; /* CM_GROUP_RESOURCE */
    const char *account_id;    /* CM_GROUP_RESOURCE */
    double severity;           /* highest severity in the group */
    uint64_t total;            /* findings */
    int64_t last_ms;           /* latest updatedAt */
};

typedef int (*cm_store_stat_fn)(void *ud, const struct cm_store_stat *s);

/*
 * Counts the findings of q (limit, sort and token ignored) by group, and
 * calls fn per group, at most limit groups (0: all): by severity highest
 * first, by date latest first, otherwise largest total first (ties by key).
 * Returns 0, CM_EIO, CM_ENOMEM or what fn returned.
 */
int cm_store_stats(struct cm_store *st, const struct cm_store_query *q, enum cm_store_group by,
                   size_t limit, cm_store_stat_fn fn, void *ud, char *err, size_t errlen);

/* ---- Changes to stored findings (store_query.c) ---- */

/*
 * Sets service.archived (column and document) of the listed findings, in
 * one transaction. Unknown ids are CM_ENOTFOUND with the first one named in
 * err, and then nothing changes. Returns 0, CM_ENOTFOUND or CM_EIO.
 */
int cm_store_set_archived(struct cm_store *st, const char *const *ids, size_t n, bool archived,
                          char *err, size_t errlen);

/*
 * Records feedback ("USEFUL" or "NOT_USEFUL", comments may be NULL) on the
 * listed findings: service.userFeedback in their document, the comment in
 * the feedback table, in one transaction. Unknown ids as above. Returns 0,
 * CM_EINVAL (feedback value), CM_ENOTFOUND or CM_EIO.
 */
int cm_store_set_feedback(struct cm_store *st, const char *const *ids, size_t n,
                          const char *feedback, const char *comments, char *err, size_t errlen);

/*
 * The evidence rows of a finding in order: path (may be NULL), offset, line,
 * length. Returns 0, CM_ENOTFOUND (no such finding), CM_EIO, or fn's value.
 */
typedef int (*cm_store_evidence_fn)(void *ud, const char *path, uint64_t offset, uint32_t line,
                                    uint32_t length);
int cm_store_evidence(struct cm_store *st, const char *id, cm_store_evidence_fn fn, void *ud);

/*
 * The size of input path (bytes as stored) when the latest scan that recorded it read it,
 * in *size. Returns 0, CM_ENOTFOUND (no scan recorded it: an older store, or a row past
 * retention) or CM_EIO.
 */
int cm_store_input_size(struct cm_store *st, const char *path, uint64_t *size);

/* ---- Settings and retention (store.c) ---- */

/* Findings not updated for this many days are deleted by cm_store_expire; 0 keeps them. */
int cm_store_set_retention(struct cm_store *st, int days, char *err, size_t errlen);
int cm_store_retention(struct cm_store *st, int *days);

/*
 * Deletes the findings (with their events, evidence, feedback, done outbox
 * rows and deliveries) and scan records whose updatedAt / start is older
 * than now_ms minus the retention. A finding with an outbox row not done
 * (deliveries still owed) is kept back until its row is done. *deleted and
 * *kept (each may be NULL) get the numbers of findings deleted and kept
 * back. Returns 0 or CM_EIO.
 */
int cm_store_expire(struct cm_store *st, int64_t now_ms, int64_t *deleted, int64_t *kept, char *err,
                    size_t errlen);

/* ---- Filters (store_filters.c) ---- */

/*
 * Loads every stored filter into set (initialised, empty), in rank order.
 * Returns 0, CM_EIO (a stored filter no longer parses: err names it) or
 * CM_ENOMEM.
 */
int cm_store_filters_load(struct cm_store *st, struct cm_filterset *set, char *err, size_t errlen);

/*
 * Creates (create true; CM_EEXIST when the name is taken) or replaces
 * (create false; CM_ENOTFOUND when absent) the filter named f->name. A
 * filter without a rank is given the last rank + 1. At most CM_FILTERSET_MAX
 * filters (CM_EFULL). Returns 0 or those codes, or CM_EIO.
 */
int cm_store_filter_put(struct cm_store *st, const struct cm_filter *f, bool create, char *err,
                        size_t errlen);

/* Deletes the named filter. Returns 0, CM_ENOTFOUND or CM_EIO. */
int cm_store_filter_delete(struct cm_store *st, const char *name, char *err, size_t errlen);

/* ---- Rules, targets and the outbox (store_rules.c; docs/internals/bus.md) ---- */

/* Limits on what `coalmine rules` stores. */
#define CM_STORE_RULES_MAX   300 /* rules in a store (EventBridge's default per bus) */
#define CM_STORE_TARGETS_MAX 5   /* targets per rule (EventBridge's limit) */
#define CM_STORE_NAME_MAX    64  /* rule names and target ids: [A-Za-z0-9._-] */

/* One rule as stored: an EventBridge event pattern (its JSON text). */
struct cm_store_rule {
    const char *name;
    const char *pattern;
    const char *description; /* NULL: none */
    bool enabled;
    const char *created_at, *updated_at;
    /*
     * An EventBridge ScheduleExpression (lib/route/schedule.h) instead of a pattern
     * (pattern is then ""): the rule sends a Scheduled Event at each fire time
     * (src/canary/sched_rules.c), and matches no event. NULL: none.
     */
    const char *schedule;
    int64_t fired_ms; /* read back: its last fire handled (put: set to now); 0 none */
};

/* One target of a rule: its kind (src/bus/target.h) and the kind's spec (JSON text). */
struct cm_store_target {
    const char *rule;
    const char *id;
    const char *kind;
    const char *spec;
};

/* Whether name is a valid rule name or target id (1-64 of [A-Za-z0-9._-]). */
bool cm_store_name_ok(const char *name);

/*
 * Creates or replaces the rule r->name (created_at kept on a replace; the
 * caller has validated the pattern). A new rule past CM_STORE_RULES_MAX is
 * CM_EFULL. Returns 0, CM_EINVAL (bad name), CM_EFULL or CM_EIO.
 */
int cm_store_rule_put(struct cm_store *st, const struct cm_store_rule *r, char *err, size_t errlen);

/*
 * Enables or disables a rule; a scheduled rule enabled again fires from now on (as an
 * EventBridge rule sends nothing for the times it was disabled). Returns 0, CM_ENOTFOUND
 * or CM_EIO.
 */
int cm_store_rule_enable(struct cm_store *st, const char *name, bool enabled, char *err,
                         size_t errlen);

/*
 * Deletes a rule. One with targets is CM_EEXIST unless force (then its
 * targets go too), as EventBridge's DeleteRule. Returns 0, CM_ENOTFOUND,
 * CM_EEXIST or CM_EIO.
 */
int cm_store_rule_delete(struct cm_store *st, const char *name, bool force, char *err,
                         size_t errlen);

/* Calls fn for each rule by name (name NULL: every rule). Returns 0, CM_EIO or fn's value. */
typedef int (*cm_store_rule_fn)(void *ud, const struct cm_store_rule *r);
int cm_store_rules(struct cm_store *st, const char *name, cm_store_rule_fn fn, void *ud, char *err,
                   size_t errlen);

/*
 * Creates or replaces target t->id of rule t->rule (the caller has checked
 * the kind's spec). Returns 0, CM_ENOTFOUND (no such rule), CM_EINVAL (bad
 * id), CM_EFULL (CM_STORE_TARGETS_MAX) or CM_EIO.
 */
int cm_store_target_put(struct cm_store *st, const struct cm_store_target *t, char *err,
                        size_t errlen);

/* Removes target id of rule. Returns 0, CM_ENOTFOUND or CM_EIO. */
int cm_store_target_remove(struct cm_store *st, const char *rule, const char *id, char *err,
                           size_t errlen);

/* Calls fn for each target of rule (NULL: of every rule), by rule then id. */
typedef int (*cm_store_target_fn)(void *ud, const struct cm_store_target *t);
int cm_store_targets(struct cm_store *st, const char *rule, cm_store_target_fn fn, void *ud,
                     char *err, size_t errlen);

/*
 * An outbox row: a finding published at created_ms, and its stored document
 * now. superseded: the finding was published again since (a newer row),
 * which carries the same document: only the newest is delivered.
 */
struct cm_store_outbox {
    int64_t seq;
    int64_t created_ms;
    bool superseded;
    const char *finding_id; /* NULL: an event row (source) */
    const char *doc;        /* the finding's API document; NULL: an event row */
    size_t doc_len;
    /*
     * An event row (schema 14): source "canary" (a check's result) or "schedule" (a
     * scheduled rule's fire), name the check or the rule, and the event as it is sent.
     * NULL for a finding's row.
     */
    const char *source;
    const char *name;
    const char *event;
    size_t event_len;
};

/*
 * Calls fn for at most limit (0: all) outbox rows not done, after seq after
 * (0: from the first), in order. fn must not write to the store. Returns 0,
 * CM_EIO or fn's value.
 */
typedef int (*cm_store_outbox_fn)(void *ud, const struct cm_store_outbox *o);
int cm_store_outbox_pending(struct cm_store *st, int64_t after, size_t limit, cm_store_outbox_fn fn,
                            void *ud, char *err, size_t errlen);

/*
 * Marks an outbox row done (every delivery it needs is made or given up),
 * and in the same transaction settles its deliveries still PENDING: they
 * will never be tried again, so they become CANCELLED with the reason as
 * their last error: "superseded by a newer event of the finding" when
 * superseded, else "rule disabled", "rule deleted", "target removed" or
 * "the rule no longer matches the event" (the rule's pattern was changed).
 */
int cm_store_outbox_done(struct cm_store *st, int64_t seq, bool superseded, char *err,
                         size_t errlen);

/*
 * Marks an outbox row done without delivering it, for reason, which every
 * delivery of it still PENDING gets as its last error as it becomes
 * CANCELLED (the bus: "the finding was archived"). Returns 0 or CM_EIO.
 */
int cm_store_outbox_cancel(struct cm_store *st, int64_t seq, const char *reason, char *err,
                           size_t errlen);

/* The outbox rows not done. -1 on error. */
int64_t cm_store_outbox_count(struct cm_store *st);

/* An outbox row not done, as `rules outbox` lists it. */
struct cm_store_owed {
    int64_t seq;
    int64_t created_ms;
    const char *source; /* "finding", "canary" or "schedule" */
    const char *name;   /* the finding's id, the check's or the rule's name */
    const char *status; /* a canary event's detail.status; NULL otherwise */
    int64_t pending;    /* its deliveries PENDING (tried and failed, or not tried yet) */
    int64_t next_ms;    /* the earliest next attempt of those; 0: none */
};

/*
 * Calls fn for each outbox row not done, oldest first, at most limit (0: all). Returns 0,
 * CM_EIO or fn's value.
 */
typedef int (*cm_store_owed_fn)(void *ud, const struct cm_store_owed *o);
int cm_store_outbox_owed(struct cm_store *st, size_t limit, cm_store_owed_fn fn, void *ud,
                         char *err, size_t errlen);

/* The sources of an outbox row's event (cm_store_outbox.source; NULL: a finding). */
#define CM_STORE_SOURCE_CANARY   "canary"
#define CM_STORE_SOURCE_SCHEDULE "schedule"
#define CM_STORE_SOURCE_EVENTS   "events" /* the EventBridge API's PutEvents */

/*
 * The event id of the state of the finding of outbox row oseq that target (rule,
 * target) last took (a delivery DONE with an event id: cm_store_delivery_record),
 * into id (n bytes). Returns 0, CM_ENOTFOUND (none, or an event row) or CM_EIO.
 */
int cm_store_delivered_event(struct cm_store *st, int64_t oseq, const char *rule,
                             const char *target, char *id, size_t n);

/* ---- Publishing frequency (store_publish.c) ---- */

/*
 * GuardDuty's findingPublishingFrequency: a new finding is published at once, an update
 * of a stored one (new events counted, or unarchived) is held and published once, with
 * its latest state, when the interval it was made in has ended. Intervals are fixed
 * slices of the wall clock (UTC), from the epoch: every quarter hour, every hour, or at
 * 00:00, 06:00, 12:00 and 18:00 UTC.
 */
enum cm_publish_freq {
    CM_PUBLISH_FIFTEEN_MINUTES = 0,
    CM_PUBLISH_ONE_HOUR,
    CM_PUBLISH_SIX_HOURS, /* GuardDuty's default, and the store's when none is set */
};

/* "FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS". */
const char *cm_publish_freq_name(enum cm_publish_freq f);
/* Parses one of the three names (exactly, as GuardDuty's API). Returns 0 or CM_EINVAL. */
int cm_publish_freq_parse(const char *name, enum cm_publish_freq *out);
/* The interval's length in milliseconds. */
int64_t cm_publish_freq_ms(enum cm_publish_freq f);

/* Saves the store's publishing frequency (settings). Returns 0 or CM_EIO. */
int cm_store_set_publish_freq(struct cm_store *st, enum cm_publish_freq f, char *err,
                              size_t errlen);
/* The store's publishing frequency (SIX_HOURS when none is set). Returns 0 or CM_EIO. */
int cm_store_publish_freq(struct cm_store *st, enum cm_publish_freq *f);

/* The updates held now. -1 on error. */
int64_t cm_store_held_count(struct cm_store *st);

/*
 * Releases the held updates whose interval has ended by now_ms (wall clock): each
 * becomes one outbox row (created now_ms), in the order they were first held, and its
 * held row goes, in one transaction. The held update of a finding archived since (by
 * hand, or by a suppression rule) is dropped unsent. *released gets the rows made,
 * *held the updates left held (either may be NULL). Returns 0 or CM_EIO.
 */
int cm_store_outbox_release(struct cm_store *st, int64_t now_ms, int64_t *released, int64_t *held,
                            char *err, size_t errlen);
/*
 * An event put by the EventBridge API (PutEvents) as an outbox row (source "events",
 * name: the event's source), when some enabled rule has an event pattern: *oseq gets
 * its seq, 0 when none was written (no rule could match it, as EventBridge drops an
 * event no rule matches). Routed, retried and given up as a finding's event is.
 * Returns 0 or CM_EIO.
 */
int cm_store_event_put(struct cm_store *st, const char *name, const struct cm_store_event *ev,
                       int64_t *oseq, char *err, size_t errlen);

/*
 * cm_store_outbox_release; with all, every held update is released now, whatever its
 * interval (`rules deliver --release-held`: the user asks for the latest states now).
 */
int cm_store_outbox_release_ex(struct cm_store *st, int64_t now_ms, bool all, int64_t *released,
                               int64_t *held, char *err, size_t errlen);

/* Delivery states. */
enum cm_delivery_state {
    CM_DELIVERY_PENDING = 0, /* failed, to be tried again at next_ms */
    CM_DELIVERY_DONE,        /* the target took the event */
    CM_DELIVERY_FAILED,      /* given up after the last attempt */
    CM_DELIVERY_CANCELLED,   /* never to be tried again: its outbox row was finished
                                without it (cm_store_outbox_done; last_error says why) */
};
const char *cm_delivery_state_name(enum cm_delivery_state s);
int cm_delivery_state_parse(const char *name, enum cm_delivery_state *out);

/* One delivery of an outbox row to a rule's target. */
struct cm_store_delivery {
    int64_t oseq;
    const char *rule;
    const char *target;
    enum cm_delivery_state state;
    uint32_t attempts;
    int64_t next_ms;        /* the earliest next attempt (PENDING) */
    const char *last_error; /* NULL: none */
    const char *updated_at;
    const char *finding_id; /* read back only; NULL for an event row */
    /*
     * Recording: the id of the event delivered (NULL: not known). A DONE delivery of a
     * finding's row records it as the state the target took (cm_store_delivered_event).
     */
    const char *event_id;
    /* Read back only: an event row's source and name (NULL for a finding's row). */
    const char *source;
    const char *name;
};

/*
 * Reads the state, attempts and next_ms of the delivery (oseq, rule,
 * target) into *d (its rule and target are the arguments, its other strings
 * NULL). Returns 0, CM_ENOTFOUND (never tried) or CM_EIO.
 */
int cm_store_delivery_get(struct cm_store *st, int64_t oseq, const char *rule, const char *target,
                          struct cm_store_delivery *d);

/* A claim on a delivery before it is made (cm_store_delivery_claim). */
struct cm_store_claim {
    int64_t oseq;
    const char *rule;
    const char *target;
    const char *owner; /* the run's token, unique per process run */
    int64_t now_ms;    /* the wall clock: the lease starts now */
    int64_t lease_ms;  /* how long the claim holds (longer than the delivery can take) */
    int64_t due_ms;    /* a failed delivery whose next_ms is after this waits (INT64_MAX: none) */
    /* Whether the run that holds another claim is gone (its process ended): its claim is
     * then taken, lease or not. NULL: another run's claim holds until its lease ends. */
    bool (*holder_gone)(const char *owner);
};

/* What a claim found. */
enum cm_claim_result {
    CM_CLAIM_TAKEN = 0, /* claimed: deliver, then cm_store_delivery_record */
    CM_CLAIM_SETTLED,   /* DONE, FAILED or CANCELLED, or its outbox row done: nothing to do */
    CM_CLAIM_WAITING,   /* failed before and its backoff has not passed */
    CM_CLAIM_BUSY,      /* another run holds an unexpired claim on it */
};

/*
 * Claims delivery (oseq, rule, target) in one short write transaction: it
 * is taken when PENDING (or never tried: a PENDING row with 0 attempts is
 * inserted), not waiting, and unclaimed, claimed by owner, claimed with
 * an expired lease, or claimed by a run c->holder_gone says is gone (a
 * process killed while it held the claim). *res says which; when taken, *d gets its attempts and
 * next_ms (its rule and target are the claim's, its other strings NULL).
 * Returns 0 or CM_EIO.
 */
int cm_store_delivery_claim(struct cm_store *st, const struct cm_store_claim *c,
                            enum cm_claim_result *res, struct cm_store_delivery *d, char *err,
                            size_t errlen);

/*
 * Records the outcome of a delivery claimed by owner (state, attempts,
 * next_ms, last_error; updated_at now) and drops the claim, if owner still
 * holds it: *held is false, and nothing is written, when the lease expired
 * and another run took it over. A delivery CANCELLED meanwhile (its row
 * finished by another run) takes a DONE or FAILED outcome, and stays
 * CANCELLED for a PENDING one. Returns 0 or CM_EIO.
 */
int cm_store_delivery_record(struct cm_store *st, const struct cm_store_delivery *d,
                             const char *owner, bool *held, char *err, size_t errlen);

/*
 * Calls fn for each delivery (state < 0: in any state), newest outbox row
 * first, at most limit (0: all). Returns 0, CM_EIO or fn's value.
 */
typedef int (*cm_store_delivery_fn)(void *ud, const struct cm_store_delivery *d);
int cm_store_deliveries(struct cm_store *st, int state, size_t limit, cm_store_delivery_fn fn,
                        void *ud, char *err, size_t errlen);

/* ---- The API's detectors (store_detectors.c) ---- */

/* A detector id is 1-300 bytes (the API model's DetectorId); coalmine makes 32 hex digits. */
#define CM_STORE_DETECTOR_ID_MAX 300

/*
 * One detector as stored. features is a JSON object from feature name to "ENABLED" or
 * "DISABLED"; tags a JSON object from tag key to value. Times are Unix milliseconds.
 */
struct cm_store_detector {
    const char *id;
    const char *account;
    const char *region;
    bool enabled;
    const char *features;
    const char *tags;
    int64_t created_ms, updated_ms;
    const char *client_token; /* CreateDetector's clientToken; NULL (or "" read back): none */
};

/*
 * Creates detector d. One detector per (account, region): CM_EEXIST when that pair has
 * one (err names its id) or the id is taken. Returns 0, CM_EEXIST or CM_EIO.
 */
int cm_store_detector_create(struct cm_store *st, const struct cm_store_detector *d, char *err,
                             size_t errlen);

/* Called per detector read; the strings are valid during the call. */
typedef int (*cm_store_detector_fn)(void *ud, const struct cm_store_detector *d);

/* Reads detector id. Returns 0, CM_ENOTFOUND, CM_EIO or fn's value. */
int cm_store_detector_get(struct cm_store *st, const char *id, cm_store_detector_fn fn, void *ud);

/*
 * Calls fn for the detectors of account (NULL: any) in region (NULL: any) by id, those
 * after id after (NULL or "": from the first), at most limit (0: all). Returns 0, CM_EIO
 * or fn's value.
 */
int cm_store_detectors(struct cm_store *st, const char *account, const char *region,
                       const char *after, size_t limit, cm_store_detector_fn fn, void *ud,
                       char *err, size_t errlen);

/*
 * Changes detector id: each of enabled, features and tags that is not NULL replaces the
 * stored value; updated_ms becomes now_ms. Returns 0, CM_ENOTFOUND or CM_EIO.
 */
int cm_store_detector_update(struct cm_store *st, const char *id, const bool *enabled,
                             const char *features, const char *tags, int64_t now_ms, char *err,
                             size_t errlen);

/* Deletes detector id. Returns 0, CM_ENOTFOUND or CM_EIO. */
int cm_store_detector_delete(struct cm_store *st, const char *id, char *err, size_t errlen);

/* ---- Counts for /metrics (store_detectors.c) ---- */

/* What the store holds now, for a scrape. */
struct cm_store_gauges {
    int64_t archived;       /* findings archived */
    int64_t outbox_pending; /* outbox rows not done */
    int64_t outbox_held;    /* updates held for the publishing frequency */
    int64_t deliveries[4];  /* by enum cm_delivery_state */
};

/*
 * Calls fn per (type, severity) of the current (not archived) findings, by type then
 * severity, with their number, and fills *g. Returns 0, CM_EIO or fn's value.
 */
typedef int (*cm_store_type_count_fn)(void *ud, const char *type, double severity, int64_t n);
int cm_store_gauges(struct cm_store *st, struct cm_store_gauges *g, cm_store_type_count_fn fn,
                    void *ud, char *err, size_t errlen);
/* ---- The API's threat and trusted lists, and tags (store_sets.c) ---- */

/* The four kinds of GuardDuty list (spec §4.1). */
enum cm_store_set_kind {
    CM_SET_IP = 0,         /* IPSet: trusted addresses */
    CM_SET_THREAT_INTEL,   /* ThreatIntelSet: threat addresses */
    CM_SET_THREAT_ENTITY,  /* ThreatEntitySet: threat addresses and names */
    CM_SET_TRUSTED_ENTITY, /* TrustedEntitySet: trusted addresses and names */
    CM_SET_KINDS
};

#define CM_STORE_SETS_MAX 1000 /* lists of one kind per detector */

/* One list as stored. Strings NULL when absent. */
struct cm_store_set {
    const char *id; /* 32 hex digits */
    enum cm_store_set_kind kind;
    const char *detector_id;
    const char *name;
    const char *format; /* TXT, STIX, OTX_CSV, ALIEN_VAULT, PROOF_POINT, FIRE_EYE */
    const char *location;
    const char *expected_owner;
    const char *status; /* INACTIVE, ACTIVE or ERROR */
    const char *error_details;
    const void *content; /* the list as read at its last activation; NULL: none */
    size_t content_len;
    int64_t entries; /* networks and names it loaded */
    int64_t created_ms, updated_ms;
};

/* "IPSet", "ThreatIntelSet", "ThreatEntitySet", "TrustedEntitySet". */
const char *cm_store_set_kind_name(enum cm_store_set_kind k);

/*
 * Creates (create true) or replaces (false; CM_ENOTFOUND when absent) the list s->id, in
 * one transaction. A name another list of the store has is CM_EEXIST; a new list past
 * CM_STORE_SETS_MAX lists of its kind and detector is CM_EFULL. Returns 0, those, or CM_EIO
 * (err says why).
 */
int cm_store_set_put(struct cm_store *st, const struct cm_store_set *s, bool create, char *err,
                     size_t errlen);

/* Calls fn with one list (content included); fn's strings live during the call. */
typedef int (*cm_store_set_fn)(void *ud, const struct cm_store_set *s);

/*
 * The list id of kind and detector. Returns fn's value, CM_ENOTFOUND or CM_EIO.
 */
int cm_store_set_get(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                     const char *id, cm_store_set_fn fn, void *ud);

/* Deletes the list id of kind and detector, and its tags. Returns 0, CM_ENOTFOUND, CM_EIO. */
int cm_store_set_delete(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                        const char *id, char *err, size_t errlen);

/*
 * The ids of kind and detector after id `after` (NULL: from the first), in id order, at
 * most limit, into fn (content not read). *more says whether more follow. Returns 0,
 * CM_EIO or fn's value.
 */
int cm_store_set_ids(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                     const char *after, size_t limit, cm_store_set_fn fn, void *ud, bool *more);

/* Every ACTIVE list of the store, any detector, by name, content included. */
int cm_store_sets_active(struct cm_store *st, cm_store_set_fn fn, void *ud, char *err,
                         size_t errlen);

/*
 * Tags of an API resource ("filter/NAME", "ipset/ID", ...): a JSON object. Set replaces
 * them ("{}" or NULL deletes the row); get gives a copy (cm_free) or "{}" when none.
 * Return 0, CM_EIO or CM_ENOMEM.
 */
int cm_store_tags_set(struct cm_store *st, const char *resource, const char *json, char *err,
                      size_t errlen);
int cm_store_tags_get(struct cm_store *st, const char *resource, char **json);

#endif
