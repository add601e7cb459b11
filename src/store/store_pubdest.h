/*
 * Publishing destinations in the store (docs/publishing.md,
 * docs/internals/publishing.md): GuardDuty's S3 export of findings, one
 * destination per detector, with its status and what it still owes.
 *
 * What a destination owes is the outbox (store_findings.c, store_publish.c):
 * every published finding (new, or an update released at the end of its
 * publishing interval, or unarchived) has an outbox row, whatever routes it.
 * A destination keeps the outbox seq up to which it has exported
 * (exported_seq, set at its creation to the outbox's last row: findings
 * published before it are not sent); the findings with a row past it are
 * owed, and exported with their state as stored then. The seq moves only
 * after the object was written, in one transaction with the status, so a
 * failed PUT leaves them owed across restarts: each is exported at least
 * once, and more than once only when a write succeeded at S3 but was not
 * recorded (the process died between the two).
 */
#ifndef CM_STORE_STORE_PUBDEST_H
#define CM_STORE_STORE_PUBDEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cm_store;

#define CM_PUBDEST_PENDING     "PENDING_VERIFICATION"
#define CM_PUBDEST_OK          "PUBLISHING"
#define CM_PUBDEST_UNABLE      "UNABLE_TO_PUBLISH_FIX_DESTINATION_PROPERTY"
#define CM_PUBDEST_STOPPED     "STOPPED"
#define CM_PUBDEST_BACKOFF_MS  2000LL   /* the first wait after a failed export */
#define CM_PUBDEST_MAX_WAIT_MS 300000LL /* the longest (5 minutes) */

/* One destination, as stored. Strings live during the callback (or the caller's). */
struct cm_store_pubdest {
    const char *id;          /* 32 hex digits */
    const char *detector_id; /* the detector it belongs to (one each) */
    const char *type;        /* "S3" */
    const char *arn;         /* destinationArn */
    const char *kms;         /* kmsKeyArn */
    const char *status;      /* CM_PUBDEST_* */
    const char *last_error;  /* why the last export failed; NULL after a success */
    const char *last_key;    /* the last object written; NULL: none yet */
    const char *client_token;
    int64_t failure_ms; /* when exports started failing (0: they do not) */
    int64_t seq;        /* the outbox seq exported up to */
    int64_t next_ms;    /* no export attempt before (after a failure) */
    int64_t failures;   /* exports failed in a row */
    int64_t exported;   /* findings written, in all */
    int64_t objects;    /* objects written, in all */
    int64_t last_ms;    /* the last object's time (0: none) */
    int64_t created_ms, updated_ms;
};

typedef int (*cm_store_pubdest_fn)(void *ud, const struct cm_store_pubdest *d);

/*
 * Creates d (id, detector_id, type, arn, kms, client_token, created_ms; status PENDING_
 * VERIFICATION, seq the outbox's last row). A detector has one destination: when it has
 * one already, CM_EEXIST with err saying so, unless that one was created with the same
 * non-empty client token (a retried request): then 0 with its id in id_out. id_out
 * (33 bytes) gets the id. Returns 0, CM_EEXIST or CM_EIO.
 */
int cm_store_pubdest_create(struct cm_store *st, const struct cm_store_pubdest *d, char id_out[33],
                            char *err, size_t errlen);

/* The destination id of detector (NULL: any detector) into fn. Returns fn's value,
 * CM_ENOTFOUND or CM_EIO. */
int cm_store_pubdest_get(struct cm_store *st, const char *detector, const char *id,
                         cm_store_pubdest_fn fn, void *ud);

/*
 * The destinations of detector (NULL: every one) with an id after `after` (NULL: from the
 * first), in id order, at most limit (0: no limit), into fn; *more (may be NULL) says
 * whether more follow. Returns 0, CM_EIO or fn's value.
 */
int cm_store_pubdest_each(struct cm_store *st, const char *detector, const char *after,
                          size_t limit, cm_store_pubdest_fn fn, void *ud, bool *more);

/*
 * Changes the ARN and/or KMS key (NULL: kept) of destination id of detector; it goes back
 * to PENDING_VERIFICATION, its failure forgotten, and is tried at the next export. What it
 * owes stays owed. Returns 0, CM_ENOTFOUND or CM_EIO.
 */
int cm_store_pubdest_update(struct cm_store *st, const char *detector, const char *id,
                            const char *arn, const char *kms, int64_t now_ms, char *err,
                            size_t errlen);

/* Deletes destination id of detector and its tags. Returns 0, CM_ENOTFOUND or CM_EIO. */
int cm_store_pubdest_delete(struct cm_store *st, const char *detector, const char *id, char *err,
                            size_t errlen);

/* The destinations in the store (any detector), or -1 on error. */
int64_t cm_store_pubdest_count(struct cm_store *st);

/*
 * The findings owed past outbox seq `after`: the last outbox row now is *upto; the
 * findings with a row in (after, *upto], not archived now, each once, in the order of
 * their last such row, at most limit, go to fn (its finding id and that row's seq). When
 * limit is reached, *upto becomes the seq of the last one given (the rest stay owed).
 * Returns 0, CM_EIO or fn's value.
 */
int cm_store_pubdest_owed(struct cm_store *st, int64_t after, size_t limit,
                          int (*fn)(void *ud, const char *finding_id, int64_t seq), void *ud,
                          int64_t *upto);

/* Findings with an outbox row past seq (archived or not), or -1 on error. */
int64_t cm_store_pubdest_owed_count(struct cm_store *st, int64_t seq);

/* What one export attempt of a destination came to. */
struct cm_store_pubdest_outcome {
    const char *arn;    /* the ARN it wrote to: a destination changed since is left alone */
    const char *status; /* CM_PUBDEST_OK, CM_PUBDEST_UNABLE or CM_PUBDEST_STOPPED */
    int64_t upto;       /* OK: the outbox seq now exported up to */
    int64_t findings;   /* OK: findings written */
    int64_t objects;    /* OK: objects written (0 when nothing was owed) */
    const char *key;    /* OK: the last object written, or NULL */
    const char *error;  /* UNABLE: why */
    int64_t now_ms;
};

/*
 * Records o for destination id: PUBLISHING moves its seq (never back) and counts, clears
 * the failure; UNABLE keeps the failure's start (or sets it to now), counts the failure
 * and sets the next attempt after a backoff (CM_PUBDEST_BACKOFF_MS doubling, at most
 * CM_PUBDEST_MAX_WAIT_MS); STOPPED only sets the status. *applied (may be NULL) is false
 * when the destination was deleted or its ARN changed meanwhile. Returns 0 or CM_EIO.
 */
int cm_store_pubdest_record(struct cm_store *st, const char *id,
                            const struct cm_store_pubdest_outcome *o, bool *applied, char *err,
                            size_t errlen);

#endif
