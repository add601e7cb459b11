/*
 * Canaries (DESIGN.md §1/§2 "canaries -> bus"; docs/canaries.md,
 * docs/internals/canary.md): scheduled checks that the detection pipeline
 * itself is alive, so that silence means "nothing happened" and not
 * "nothing is watching"; and the scheduled rules, EventBridge rules with a
 * ScheduleExpression.
 *
 * A check is (name, kind, schedule, params) in the store (`coalmine canary
 * put`). Each kind is one const struct cm_canary_kind in the table of
 * canary.c, in a file of its own:
 *
 *   freshness    the newest record of a log source (per account and region
 *                when asked) is older than a threshold: a log pipeline broke
 *   pipeline     a sample finding goes through the bus; every target of every
 *                rule it matches must take it within a deadline
 *   scan-health  the last scan rejected too large a share of its records, or
 *                no scan has run for too long
 *
 * A run gives PASS, FAIL or ERROR (the check itself could not tell: a store
 * error), a reason and observed values; it is recorded in the store and, on
 * a change of status (and on every FAIL when the check says so), sent as an
 * EventBridge event, source "coalmine.canary", detail-type "Coalmine Canary
 * Check", to the targets of the enabled rules whose pattern matches it
 * (canary_event.c). The event is an outbox row written in the transaction
 * that records the result, and a scheduled rule's Scheduled Event one written
 * in the transaction that moves its last fire: the bus routes them, retries
 * them and gives them up as it does a finding's (src/bus/bus.h). The run makes
 * the first attempt at once and reports it.
 *
 * cm_canary_tick is what the service calls every few seconds, and `coalmine
 * canary tick` from cron: it runs the checks that are due and fires the
 * scheduled rules that are due. Webhook targets need curl_global_init()
 * done by the program first (src/bus/target.h).
 */
#ifndef CM_CANARY_CANARY_H
#define CM_CANARY_CANARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "bus/bus.h"
#include "store/store.h"

#define CM_CANARY_SOURCE      "coalmine.canary"
#define CM_CANARY_DETAIL_TYPE "Coalmine Canary Check"
#define CM_CANARY_PARAMS_MAX  4096 /* bytes of a check's params */

enum cm_canary_status {
    CM_CANARY_PASS = 0,
    CM_CANARY_FAIL,
    CM_CANARY_ERROR,
};

/* "PASS", "FAIL", "ERROR". */
const char *cm_canary_status_name(enum cm_canary_status s);

/* What one run of a check found. */
struct cm_canary_result {
    enum cm_canary_status status;
    char reason[512];
    struct cm_buf observed; /* a JSON object: the values the decision was made on */
};

void cm_canary_result_init(struct cm_canary_result *r);
void cm_canary_result_finish(struct cm_canary_result *r);

/* What a check runs against. */
struct cm_canary_env {
    struct cm_store *st;
    int64_t now_ms; /* the time the run is for (the wall clock, or --now) */
    const char *name;
    /* Sleeps ms between the pipeline check's polls (NULL: nanosleep). */
    void (*sleep_ms)(void *ud, int64_t ms);
    void *ud;
    /* The first attempts of the result's event are added here (NULL: not counted). */
    struct cm_bus_stats *bus;
    /* The named secrets webhook headers may refer to (coalmine.yaml); NULL: none. */
    const struct cm_target_secrets *secrets;
};

/* What a tick or a run of checks passes on to its events and their deliveries. */
struct cm_canary_ctx {
    /* What Scheduled Events carry (EventBridge sends the rule's): NULL takes the store's
     * detector's when the store has exactly one, else "". */
    const char *account, *region;
    /* The named secrets webhook headers may refer to (coalmine.yaml); NULL: none. */
    const struct cm_target_secrets *secrets;
};

/* A parameter of a kind: its JSON type, bounds and default. */
enum cm_canary_ptype { CM_CANARY_P_STRING = 1, CM_CANARY_P_INT, CM_CANARY_P_NUMBER };

struct cm_canary_param {
    const char *name;
    enum cm_canary_ptype type;
    bool required;
    double min, max;            /* numbers: inclusive bounds; strings: length bounds */
    double def;                 /* numbers: the default when absent and not required */
    const char *const *choices; /* strings: the values allowed (NULL-terminated); NULL: any */
};

/* A parameter's value as read (cm_canary_params_read). */
struct cm_canary_val {
    bool set;
    double num;
    char str[128];
};

#define CM_CANARY_MAX_PARAMS 8

struct cm_canary_kind {
    const char *name;
    const char *summary;
    const struct cm_canary_param *params;
    size_t nparams;
    /*
     * Runs the check with its parameters (v[i] is params[i]) into res (initialised).
     * Returns 0 (res says PASS, FAIL or ERROR) or CM_ENOMEM.
     */
    int (*run)(const struct cm_canary_env *env, const struct cm_canary_val *v,
               struct cm_canary_result *res);
};

/* The kind called name, or NULL. */
const struct cm_canary_kind *cm_canary_kind(const char *name);
/* The i-th kind, or NULL past the end. */
const struct cm_canary_kind *cm_canary_kind_at(size_t i);

/*
 * Validates params (JSON text, len bytes; empty: {}) against kind k: an object whose
 * members are k's parameters, of their type and in their bounds, the required ones
 * present. Appends the canonical form (compact, in k's order, defaults filled in) to
 * canon when not NULL. Returns 0, or CM_EINVAL with err naming the member and the reason.
 */
int cm_canary_params_check(const struct cm_canary_kind *k, const char *params, size_t len,
                           struct cm_buf *canon, char *err, size_t errlen);
/* Reads checked params into v[0..k->nparams). Returns 0 or CM_EINVAL (err says why). */
int cm_canary_params_read(const struct cm_canary_kind *k, const char *params,
                          struct cm_canary_val *v, char *err, size_t errlen);

/* What became of sending one event to one target. */
struct cm_canary_sent {
    const char *rule;
    const char *target;
    const char *error; /* NULL: the target took it */
};

/* Callback for each target an event was sent to (NULL: none). */
struct cm_canary_report {
    void (*sent)(void *ud, const struct cm_canary_sent *s);
    /* Each check run: its name, the result, the previous status (NULL: none), emitted. */
    void (*ran)(void *ud, const char *name, const struct cm_canary_result *r, const char *prev,
                bool emitted);
    /* Each scheduled rule fired at fire_ms. */
    void (*fired)(void *ud, const char *rule, int64_t fire_ms);
    void *ud;
};

/*
 * Makes the first attempt of the event of outbox row oseq (written with a check's result
 * or a rule's fire): the bus routes that row alone, on the wall clock, and each attempt
 * is reported through rep (sent); *failed counts the ones that failed, which stay owed
 * and are retried by later runs of the bus (`rules deliver`, serve's bus thread). bus
 * (NULL: not) gets the run's counts added. Returns 0, or CM_EIO (the store, or a stored
 * pattern that does not compile: err) or CM_ENOMEM.
 */
int cm_canary_deliver(struct cm_store *st, int64_t oseq, const struct cm_target_secrets *secrets,
                      const struct cm_canary_report *rep, unsigned *failed,
                      struct cm_bus_stats *bus, char *err, size_t errlen);

/*
 * The EventBridge event of a check's result into out: version "0", an id, the
 * detail-type and source above, account and region (the check's params', else ""),
 * time now_ms, resources [], detail {name, check, status, previousStatus (null when
 * none), reason, observed, schedule}. Returns 0 or CM_ENOMEM.
 */
int cm_canary_event(const struct cm_store_canary *c, const struct cm_canary_result *r,
                    const char *prev, int64_t now_ms, struct cm_buf *out);

/*
 * Runs check c (as stored) now: the check, then records the result, then sends its
 * event when the status changed from the last run's (or there was none and it is not
 * PASS), or it is FAIL and c->every_fail. res gets the result (initialised by the
 * caller). Returns 0, or CM_EINVAL (unknown kind, bad params: err), CM_EIO (the store:
 * err) or CM_ENOMEM.
 */
int cm_canary_run(const struct cm_canary_env *env, const struct cm_store_canary *c,
                  const struct cm_canary_report *rep, struct cm_canary_result *res, char *err,
                  size_t errlen);

/* What a tick did. */
struct cm_canary_tick_stats {
    unsigned ran, passed, failed, errors; /* checks run, by outcome */
    unsigned emitted;                     /* events of checks sent */
    unsigned fired;                       /* scheduled rule fires sent */
    struct cm_bus_stats bus;              /* the first attempts of their events */
};

/*
 * Runs each enabled check whose next fire time after its last run (or after it was
 * put, when never run) is at or before now_ms, once however many were missed; then
 * fires each enabled scheduled rule whose next fire after its last is due, once (a
 * Scheduled Event at that fire time). Returns 0 or the first error (err says which
 * check or rule; the others still ran).
 */
int cm_canary_tick(struct cm_store *st, int64_t now_ms, const struct cm_canary_report *rep,
                   struct cm_canary_tick_stats *stats, char *err, size_t errlen);

/*
 * cm_canary_tick with ctx (NULL: the defaults): the account and region Scheduled Events
 * carry (`coalmine serve` passes its --account and --region) and the secrets the
 * events' webhook deliveries may use (serve's and `canary tick --config`'s).
 */
int cm_canary_tick_as(struct cm_store *st, int64_t now_ms, const struct cm_canary_ctx *ctx,
                      const struct cm_canary_report *rep, struct cm_canary_tick_stats *stats,
                      char *err, size_t errlen);

/*
 * Runs the checks named names[0..n) now, whatever their schedule or state (names NULL:
 * every enabled check), as cm_canary_tick_as runs the due ones (ctx NULL: the defaults).
 * stats gets the outcomes. Returns 0, CM_ENOTFOUND (a name that is no check: err), or
 * the first error.
 */
int cm_canary_run_named(struct cm_store *st, int64_t now_ms, const char *const *names, size_t n,
                        const struct cm_canary_ctx *ctx, const struct cm_canary_report *rep,
                        struct cm_canary_tick_stats *stats, char *err, size_t errlen);

/*
 * The scheduled rules (sched_rules.c): fires each enabled rule with a schedule whose
 * next fire time after its last is at or before now_ms. Adds to stats. Returns 0 or
 * the first error.
 */
int cm_canary_fire_rules(struct cm_store *st, int64_t now_ms, const struct cm_canary_report *rep,
                         struct cm_canary_tick_stats *stats, char *err, size_t errlen);

/* cm_canary_fire_rules with ctx (NULL: the defaults), as cm_canary_tick_as. */
int cm_canary_fire_rules_as(struct cm_store *st, int64_t now_ms, const struct cm_canary_ctx *ctx,
                            const struct cm_canary_report *rep, struct cm_canary_tick_stats *stats,
                            char *err, size_t errlen);

/*
 * Makes the store's checks what coalmine.yaml's canaries.checks says (canary_config.c):
 * each check's params are checked against its kind and made canonical, as `canary put`
 * does, then cm_store_canaries_reconcile creates and updates the file's checks and
 * removes those the file made before and no longer names; `canary put`'s are left
 * alone. Nothing is written when one check is bad: err says
 * "FILE:LINE:COL: canaries.checks[I].params: MEMBER: reason". out (may be NULL) gets
 * the counts. Returns 0, CM_EINVAL, CM_EIO or CM_ENOMEM.
 */
struct cm_config_canaries;
int cm_canary_reconcile(struct cm_store *st, const struct cm_config_canaries *cc, const char *file,
                        struct cm_store_reconciled *out, char *err, size_t errlen);

/*
 * The Scheduled Event of rule at fire_ms into out, with account and region (NULL: "");
 * resources is the rule's ARN, arn:aws:events:REGION:ACCOUNT:rule/NAME. Returns 0 or
 * CM_ENOMEM.
 */
int cm_canary_scheduled_event(const char *rule, int64_t fire_ms, const char *account,
                              const char *region, struct cm_buf *out);

#endif
