/*
 * The event bus: outbox rows -> EventBridge events -> rules -> targets (see
 * bus.h and docs/internals/bus.md).
 *
 * The enabled rules are read and compiled once per run, with their
 * targets. The outbox is read a batch at a time (its rows copied, since a
 * store read may not be open while deliveries are recorded), oldest first.
 * A row's event is made from the finding as it is stored, parsed once into
 * a tape, and matched against every rule.
 */
#include "bus/bus.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "bus/claim.h"
#include "bus/target.h"
#include "core/clock.h"
#include "finding/finding.h"
#include "finding/serialize.h"
#include "route/pattern.h"

#define BATCH 32 /* outbox rows read at a time */

struct btarget {
    char *id;
    char *kind_name;
    const struct cm_target_kind *kind; /* NULL: not a kind this build knows */
    char *spec;
    int64_t timeout_ms;  /* the spec's timeout_seconds (1 hour when it has none) */
    int64_t lease_ms;    /* how long a claim on one of its deliveries holds */
    bool stalled;        /* timed out or unavailable in this run: the rest wait for the next */
    int64_t retry_at_ms; /* it asked to be left alone until then (Retry-After); 0: no */
};

struct brule {
    char *name;
    struct cm_pattern *pat; /* NULL: a scheduled rule (matches only its own fires) */
    bool scheduled;
    size_t nt;
    struct btarget t[CM_STORE_TARGETS_MAX];
};

struct rules {
    struct brule *v;
    size_t n, cap;
    char *err;
    size_t errlen;
};

/* A copied outbox row. */
struct row {
    int64_t seq, created_ms;
    bool superseded;
    char *finding_id; /* NULL: an event row */
    char *doc;
    size_t doc_len;
    enum cm_bus_source source;
    char *name;  /* an event row's check or rule */
    char *event; /* an event row's event */
    size_t event_len;
};

/* What a delivery is of: a finding, or an event row's check or rule. */
struct subject {
    enum cm_bus_source source;
    const char *finding_id, *finding_type; /* NULL for an event row */
    double severity;                       /* -1: not a finding */
    const char *name;                      /* an event row's check or rule */
    const char *event_id;                  /* a finding's event id (the state); NULL: none */
};

static const char *const source_names[] = {"finding", "canary", "schedule", "events"};

const char *cm_bus_source_name(enum cm_bus_source s)
{
    return (unsigned)s < CM_BUS_NSOURCES ? source_names[s] : "?";
}

void cm_bus_stats_add(struct cm_bus_stats *a, const struct cm_bus_stats *b)
{
    a->events += b->events;
    a->superseded += b->superseded;
    a->archived += b->archived;
    a->matched += b->matched;
    a->delivered += b->delivered;
    a->failed += b->failed;
    a->gave_up += b->gave_up;
    a->waiting += b->waiting;
    a->busy += b->busy;
    a->deferred += b->deferred;
    a->lost += b->lost;
    a->pending = b->pending;
    a->released += b->released;
    a->held = b->held;
    a->repeats += b->repeats;
    for (int i = 0; i < CM_BUS_NSOURCES; i++) {
        a->by_source[i].events += b->by_source[i].events;
        a->by_source[i].delivered += b->by_source[i].delivered;
        a->by_source[i].failed += b->by_source[i].failed;
        a->by_source[i].gave_up += b->by_source[i].gave_up;
    }
}

struct batch {
    struct row v[BATCH];
    size_t n;
};

static void rules_free(struct rules *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        struct brule *r = &rs->v[i];
        cm_free(r->name);
        cm_pattern_destroy(r->pat);
        for (size_t k = 0; k < r->nt; k++) {
            cm_free(r->t[k].id);
            cm_free(r->t[k].kind_name);
            cm_free(r->t[k].spec);
        }
    }
    cm_free(rs->v);
}

static int add_rule(void *ud, const struct cm_store_rule *sr)
{
    struct rules *rs = ud;
    struct brule *r;
    struct cm_diag diag;
    int rc;

    if (!sr->enabled) {
        return CM_OK;
    }
    if ((rc = cm_grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v), 8)) != 0) {
        return rc;
    }
    r = &rs->v[rs->n];
    memset(r, 0, sizeof(*r));
    cm_diag_clear(&diag);
    if ((r->name = cm_strndup(sr->name, strlen(sr->name))) == NULL) {
        return CM_ENOMEM;
    }
    rs->n++;
    if (sr->schedule != NULL) {
        /* A scheduled rule matches no event: it takes its own fires (sched_rules.c). */
        r->scheduled = true;
        return CM_OK;
    }
    rc = cm_pattern_compile(sr->pattern, strlen(sr->pattern), &r->pat, &diag);
    if (rc != 0) {
        snprintf(rs->err, rs->errlen, "stored rule %s: its event pattern: %s", sr->name,
                 diag.msg[0] ? diag.msg : cm_strerror(rc));
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    return CM_OK;
}

/*
 * The timeout of a target with this spec: its timeout_seconds (every kind
 * has one; 1 hour, the longest, when the spec has none or is unreadable);
 * and the lease of a claim on a delivery to it: the timeout and a margin
 * for the exec kind's kill grace, the process's start and the record.
 */
static int lease_of(const char *spec, int64_t *timeout_ms, int64_t *lease_ms)
{
    struct cm_json_doc d;
    int64_t secs = 3600;
    int rc;

    cm_json_doc_init(&d, 0, 0);
    rc = cm_json_parse(&d, spec, strlen(spec), NULL);
    if (rc == 0) {
        uint32_t n = cm_json_get(&d, 0, "timeout_seconds");
        if (n != CM_JSON_NONE && cm_json_type(&d, n) == CM_JSON_NUMBER) {
            struct cm_str v = cm_json_raw(&d, n);
            int64_t k = 0;
            size_t i = 0;
            while (i < v.len && i < 6 && v.p[i] >= '0' && v.p[i] <= '9') {
                k = k * 10 + (v.p[i++] - '0');
            }
            secs = i == v.len && k > 0 ? k : secs;
        }
    }
    cm_json_doc_finish(&d);
    *timeout_ms = secs * 1000;
    *lease_ms = (secs + CM_BUS_LEASE_MARGIN_S) * 1000;
    return rc == CM_ENOMEM ? rc : CM_OK;
}

static int add_target(void *ud, const struct cm_store_target *st)
{
    struct rules *rs = ud;

    for (size_t i = 0; i < rs->n; i++) {
        struct brule *r = &rs->v[i];
        struct btarget *t;
        if (strcmp(r->name, st->rule) != 0 || r->nt >= CM_STORE_TARGETS_MAX) {
            continue;
        }
        t = &r->t[r->nt++];
        t->id = cm_strndup(st->id, strlen(st->id));
        t->kind_name = cm_strndup(st->kind, strlen(st->kind));
        t->spec = cm_strndup(st->spec, strlen(st->spec));
        t->kind = cm_target_kind(st->kind);
        if (t->id == NULL || t->kind_name == NULL || t->spec == NULL) {
            return CM_ENOMEM;
        }
        return lease_of(t->spec, &t->timeout_ms, &t->lease_ms);
    }
    return CM_OK; /* a disabled rule's */
}

static int load_rules(struct cm_store *st, struct rules *rs, char *err, size_t errlen)
{
    int rc;

    rs->err = err;
    rs->errlen = errlen;
    err[0] = '\0';
    rc = cm_store_rules(st, NULL, add_rule, rs, err, errlen);
    if (rc == 0) {
        rc = cm_store_targets(st, NULL, add_target, rs, err, errlen);
    }
    if (rc != 0 && err[0] == '\0') {
        snprintf(err, errlen, "reading the rules: %s", cm_strerror(rc));
    }
    return rc;
}

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        cm_free(b->v[i].finding_id);
        cm_free(b->v[i].doc);
        cm_free(b->v[i].name);
        cm_free(b->v[i].event);
    }
    b->n = 0;
}

static int copy_row(void *ud, const struct cm_store_outbox *o)
{
    struct batch *b = ud;
    struct row *r = &b->v[b->n];

    memset(r, 0, sizeof(*r));
    r->seq = o->seq;
    r->created_ms = o->created_ms;
    r->superseded = o->superseded;
    b->n++;
    if (o->event != NULL) {
        r->source = strcmp(o->source, CM_STORE_SOURCE_SCHEDULE) == 0 ? CM_BUS_SRC_SCHEDULE
                    : strcmp(o->source, CM_STORE_SOURCE_EVENTS) == 0 ? CM_BUS_SRC_EVENTS
                                                                     : CM_BUS_SRC_CANARY;
        r->name = cm_strndup(o->name, strlen(o->name));
        r->event = cm_strndup(o->event, o->event_len);
        r->event_len = o->event_len;
        return r->name && r->event ? CM_OK : CM_ENOMEM;
    }
    r->source = CM_BUS_SRC_FINDING;
    r->finding_id = cm_strndup(o->finding_id, strlen(o->finding_id));
    r->doc = cm_strndup(o->doc, o->doc_len);
    r->doc_len = o->doc_len;
    return r->finding_id && r->doc ? CM_OK : CM_ENOMEM;
}

/* The wait after failed attempt number attempt: backoff doubling, at most CM_BUS_BACKOFF_MAX. */
static int64_t wait_after(int64_t backoff, uint32_t attempt)
{
    int64_t w = backoff;

    for (uint32_t i = 1; i < attempt && w < CM_BUS_BACKOFF_MAX; i++) {
        w *= 2;
    }
    return w < CM_BUS_BACKOFF_MAX ? w : CM_BUS_BACKOFF_MAX;
}

/* One run's settings and results. */
struct run {
    struct cm_store *st;
    const struct cm_bus_opts *o;
    uint32_t max_attempts;
    int64_t max_age;
    int64_t backoff;
    struct cm_bus_stats *stats;
    char *err;
    size_t errlen;
    char owner[CM_BUS_CLAIM_TOKEN_MAX]; /* this run's claim token */
};

/*
 * Whether a delivery of row w's event whose attempt number attempts failed
 * is given up: after CM_BUS_MIN_ATTEMPTS attempts once the event is
 * max_age old (EventBridge's maximum event age), or after max_attempts.
 */
static bool gives_up(const struct run *x, const struct row *w, uint32_t attempts)
{
    return attempts >= x->max_attempts ||
           (attempts >= CM_BUS_MIN_ATTEMPTS && x->o->now_ms - w->created_ms >= x->max_age);
}

/*
 * Makes a delivery that its stalled target t leaves untried (claim c) show
 * in `rules deliveries`: one never tried gets its PENDING row, 0 attempts
 * and due now, with the reason; one tried before keeps its row (its
 * attempts, its last error). Returns 0 or the store's error.
 */
static int note_untried(struct run *x, const struct cm_store_claim *c, const struct btarget *t)
{
    struct cm_store_delivery d;
    enum cm_claim_result res;
    char msg[160];
    bool held;
    int rc = cm_store_delivery_get(x->st, c->oseq, c->rule, c->target, &d);

    if (rc != CM_ENOTFOUND) {
        if (rc != 0) {
            snprintf(x->err, x->errlen, "reading the delivery to %s: %s", t->id, cm_strerror(rc));
        }
        return rc;
    }
    if ((rc = cm_store_delivery_claim(x->st, c, &res, &d, x->err, x->errlen)) != 0 ||
        res != CM_CLAIM_TAKEN) {
        return rc;
    }
    snprintf(msg, sizeof(msg), "not tried yet: target %s was unavailable earlier in the run",
             t->id);
    d.state = CM_DELIVERY_PENDING;
    d.next_ms = t->retry_at_ms > x->o->now_ms ? t->retry_at_ms : x->o->now_ms;
    d.last_error = msg;
    return cm_store_delivery_record(x->st, &d, x->owner, &held, x->err, x->errlen);
}

/* Reports a delivery of subject f to target t of rule r left untried (outcome why). */
static void report_untried(struct run *x, const struct brule *r, const struct btarget *t,
                           const struct subject *f, int64_t oseq, enum cm_bus_outcome why)
{
    struct cm_bus_report rep = {
        r->name, t->id, t->kind_name, f->finding_id, f->finding_type, 0,   CM_DELIVERY_PENDING,
        NULL,    0,     why,          f->source,     f->name,         oseq};

    if (x->o->report != NULL) {
        x->o->report(x->o->ud, &rep);
    }
}

/*
 * Claims the delivery of finding f's event (outbox row w) to target t of
 * rule r, delivers it and records the outcome, unless it is done, given
 * up, waiting or claimed by another run, or t stalled earlier in this run.
 * A failure that took the whole timeout, or CM_EUNAVAIL (the target is
 * down, or says it takes nothing now), stalls t: its later deliveries in
 * this run are left to the next (not tried, so no attempt is spent, but
 * listed: note_untried), so a target that hangs costs a run one timeout,
 * not one per event, and one that is down or rate-limited gets one
 * request per run, not one per event. *settled becomes false when the
 * delivery is left pending. Returns 0 or the store's error.
 */
static int deliver_one(struct run *x, const struct row *w, const struct subject *f,
                       const struct brule *r, struct btarget *t, const struct cm_buf *ev,
                       bool *settled)
{
    struct cm_store_claim c = {w->seq,
                               r->name,
                               t->id,
                               x->owner,
                               cm_clock_now_ms(),
                               t->lease_ms,
                               x->o->ignore_backoff ? INT64_MAX : x->o->now_ms,
                               cm_bus_claim_gone};
    enum cm_claim_result res;
    struct cm_store_delivery d;
    struct cm_target_ctx ctx;
    struct cm_bus_report rep;
    enum cm_bus_outcome outcome;
    char msg[512];
    bool held = false;
    int64_t started, asked = 0;
    int rc;

    if (t->stalled) {
        x->stats->deferred++;
        *settled = false;
        report_untried(x, r, t, f, w->seq, CM_BUS_NOT_TRIED);
        return note_untried(x, &c, t);
    }
    if ((rc = cm_store_delivery_claim(x->st, &c, &res, &d, x->err, x->errlen)) != 0) {
        return rc;
    }
    if (res == CM_CLAIM_SETTLED) {
        return CM_OK;
    }
    if (res == CM_CLAIM_WAITING || res == CM_CLAIM_BUSY) {
        x->stats->waiting += res == CM_CLAIM_WAITING;
        x->stats->busy += res == CM_CLAIM_BUSY;
        *settled = false;
        report_untried(x, r, t, f, w->seq, res == CM_CLAIM_WAITING ? CM_BUS_WAITING : CM_BUS_BUSY);
        return CM_OK;
    }
    if (f->event_id != NULL) {
        /*
         * The target already took this state of the finding: a retry of an earlier row
         * carried it (the finding as stored then) before this update was released.
         */
        char last[64];
        rc = cm_store_delivered_event(x->st, w->seq, r->name, t->id, last, sizeof(last));
        if (rc == 0 && strcmp(last, f->event_id) == 0) {
            snprintf(msg, sizeof(msg),
                     "not sent: the target already took this state of the finding (event %s)",
                     f->event_id);
            d.state = CM_DELIVERY_CANCELLED;
            d.last_error = msg;
            d.next_ms = 0;
            x->stats->repeats++;
            return cm_store_delivery_record(x->st, &d, x->owner, &held, x->err, x->errlen);
        }
        if (rc != 0 && rc != CM_ENOTFOUND) {
            snprintf(x->err, x->errlen, "reading the state target %s took: %s", t->id,
                     cm_strerror(rc));
            return rc;
        }
    }
    memset(&ctx, 0, sizeof(ctx));
    ctx.rule = r->name;
    ctx.target_id = t->id;
    ctx.finding_id = f->finding_id;
    ctx.finding_type = f->finding_type;
    ctx.severity = f->severity;
    ctx.attempt = ++d.attempts;
    ctx.ingestion_ms = w->created_ms;
    ctx.retry_after_ms = &asked;
    ctx.secrets = x->o->secrets;
    msg[0] = '\0';
    started = cm_clock_mono_ms();
    if (t->kind == NULL) {
        snprintf(msg, sizeof(msg), "unknown target kind \"%s\"", t->kind_name);
        rc = CM_EINVAL;
    } else {
        rc = cm_target_deliver(t->kind, t->spec, strlen(t->spec), ev->p, ev->len, &ctx, msg,
                               sizeof(msg));
        if (rc != 0 && msg[0] == '\0') {
            snprintf(msg, sizeof(msg), "%s", cm_strerror(rc));
        }
        /* A kind's timeout is measured from a little later than started. */
        t->stalled =
            rc == CM_EUNAVAIL || (rc != 0 && cm_clock_mono_ms() - started >= t->timeout_ms);
    }
    if (rc == 0) {
        d.state = CM_DELIVERY_DONE;
        d.last_error = NULL;
        d.event_id = f->event_id;
        x->stats->delivered++;
        x->stats->by_source[f->source].delivered++;
        outcome = CM_BUS_DELIVERED;
    } else if (gives_up(x, w, d.attempts)) {
        d.state = CM_DELIVERY_FAILED;
        d.last_error = msg;
        x->stats->gave_up++;
        x->stats->by_source[f->source].gave_up++;
        outcome = CM_BUS_GAVE_UP;
    } else {
        /* Not before the target said it takes events again (Retry-After), nor its backoff. */
        d.next_ms = x->o->now_ms + (asked > wait_after(x->backoff, d.attempts)
                                        ? asked
                                        : wait_after(x->backoff, d.attempts));
        if (asked > 0) {
            t->retry_at_ms = x->o->now_ms + asked;
        }
        d.last_error = msg;
        x->stats->failed++;
        x->stats->by_source[f->source].failed++;
        *settled = false;
        outcome = CM_BUS_FAILED;
    }
    if (x->o->report != NULL) {
        rep = (struct cm_bus_report){r->name,         t->id,      t->kind_name, f->finding_id,
                                     f->finding_type, d.attempts, d.state,      d.last_error,
                                     d.next_ms,       outcome,    f->source,    f->name,
                                     w->seq};
        x->o->report(x->o->ud, &rep);
    }
    rc = cm_store_delivery_record(x->st, &d, x->owner, &held, x->err, x->errlen);
    if (rc == 0 && !held) {
        /* The lease ran out and another run took the delivery over: its outcome stands. */
        x->stats->lost++;
        *settled = false;
    }
    return rc;
}

/* The event's "id" (a UUID) from its tape into id (64 bytes); "" when it has none. */
static void event_id_of(const struct cm_json_doc *tape, char id[64])
{
    uint32_t n = cm_json_get(tape, 0, "id");
    struct cm_str v;

    id[0] = '\0';
    if (n == CM_JSON_NONE || cm_json_type(tape, n) != CM_JSON_STRING) {
        return;
    }
    v = cm_json_raw(tape, n);
    if (v.len < 64) {
        id[cm_json_unescape(v.p, v.len, id)] = '\0';
    }
}

/* Delivers subject f's event ev (its tape parsed) to the targets of each rule it matches. */
static int route_event(struct run *x, struct rules *rs, const struct row *w,
                       const struct subject *f, struct cm_json_doc *tape, struct cm_buf *ev)
{
    bool settled = true;
    uint64_t matched = 0, tried = x->stats->delivered + x->stats->failed + x->stats->gave_up;
    int rc = CM_OK;

    for (size_t i = 0; rc == 0 && i < rs->n; i++) {
        struct brule *r = &rs->v[i];
        /* A scheduled rule's fire goes to that rule alone; other events to patterns. */
        bool match = f->source == CM_BUS_SRC_SCHEDULE
                         ? r->scheduled && strcmp(r->name, f->name) == 0
                         : !r->scheduled && cm_pattern_match(r->pat, tape, 0);
        if (!match) {
            continue;
        }
        matched++;
        for (size_t k = 0; rc == 0 && k < r->nt; k++) {
            rc = deliver_one(x, w, f, r, &r->t[k], ev, &settled);
        }
    }
    /* A row whose every delivery waits for its backoff was not routed this run. */
    if (settled || x->stats->delivered + x->stats->failed + x->stats->gave_up > tried) {
        x->stats->events++;
        x->stats->by_source[f->source].events++;
        x->stats->matched += matched;
    }
    if (rc == 0 && settled) {
        rc = cm_store_outbox_done(x->st, w->seq, false, x->err, x->errlen);
    }
    x->stats->pending += rc == 0 && !settled;
    return rc;
}

/* Routes one event row (a canary result, a scheduled rule's fire). */
static int route_event_row(struct run *x, struct rules *rs, const struct row *w,
                           struct cm_json_doc *tape, struct cm_buf *ev)
{
    struct subject f = {w->source, NULL, NULL, -1, w->name, NULL};
    int rc;

    cm_buf_reset(ev);
    rc = cm_buf_append(ev, w->event, w->event_len);
    if (rc != 0) {
        return rc;
    }
    if (cm_json_parse(tape, ev->p, ev->len, NULL) != 0) {
        /* Written by this program as JSON: a row changed behind the store's back. */
        return cm_store_outbox_cancel(x->st, w->seq, "its stored event is not JSON", x->err,
                                      x->errlen);
    }
    return route_event(x, rs, w, &f, tape, ev);
}

/* Routes one outbox row. Returns 0 or the store's error. */
static int route_row(struct run *x, struct rules *rs, const struct row *w, struct cm_json_doc *tape,
                     struct cm_buf *ev)
{
    struct cm_finding f;
    struct subject sub;
    char id[64];
    int rc;

    if (w->source != CM_BUS_SRC_FINDING) {
        return route_event_row(x, rs, w, tape, ev);
    }
    if (w->superseded) {
        x->stats->superseded++;
        return cm_store_outbox_done(x->st, w->seq, true, x->err, x->errlen);
    }
    cm_finding_init(&f);
    cm_buf_reset(ev);
    rc = cm_finding_from_json(&f, w->doc, w->doc_len, NULL);
    if (rc == 0) {
        rc = cm_finding_to_eventbridge(&f, w->created_ms, ev);
    }
    if (rc == 0) {
        rc = cm_json_parse(tape, ev->p, ev->len, NULL);
    }
    if (rc != 0) {
        snprintf(x->err, x->errlen, "finding %s: its stored document: %s", w->finding_id,
                 cm_strerror(rc));
        cm_finding_finish(&f);
        return rc == CM_ENOMEM ? rc : CM_EIO;
    }
    /*
     * Archived since it was published (by hand, while a delivery waited for a retry or the
     * bus had not run yet): GuardDuty sends no archived finding (spec §5.3), so neither is
     * this row. Unarchiving publishes the finding again.
     */
    if (f.archived) {
        x->stats->archived++;
        cm_finding_finish(&f);
        return cm_store_outbox_cancel(x->st, w->seq, "the finding was archived", x->err, x->errlen);
    }
    event_id_of(tape, id);
    sub = (struct subject){CM_BUS_SRC_FINDING, f.id, f.type.p, f.severity, NULL, id[0] ? id : NULL};
    rc = route_event(x, rs, w, &sub, tape, ev);
    cm_finding_finish(&f);
    return rc;
}

int cm_bus_run(struct cm_store *st, const struct cm_bus_opts *opts, struct cm_bus_stats *stats,
               char *err, size_t errlen)
{
    struct rules rs = {0};
    struct batch b = {0};
    struct cm_json_doc tape;
    struct cm_buf ev;
    struct run x = {st,
                    opts,
                    opts->max_attempts ? opts->max_attempts : CM_BUS_MAX_ATTEMPTS,
                    opts->max_age_ms > 0 ? opts->max_age_ms : CM_BUS_MAX_AGE_MS,
                    opts->backoff_ms > 0 ? opts->backoff_ms : CM_BUS_BACKOFF_MS,
                    stats,
                    err,
                    errlen,
                    ""};
    int64_t after = 0, released = 0, held = 0;
    int rc;

    memset(stats, 0, sizeof(*stats));
    /* Unique per process run on this host: the pid, the clock's ns and a stack address. */
    cm_bus_claim_token(x.owner, sizeof(x.owner));
    cm_json_doc_init(&tape, 0, 0);
    cm_buf_init(&ev, 0);
    /* One row alone (a canary's or a fire's first attempt): nothing else is released. */
    rc = opts->only_seq > 0 ? CM_OK
                            : cm_store_outbox_release_ex(st, opts->now_ms, opts->release_all,
                                                         &released, &held, err, errlen);
    stats->released = (uint64_t)released;
    stats->held = (uint64_t)held;
    if (rc == 0) {
        rc = load_rules(st, &rs, err, errlen);
    }
    after = opts->only_seq > 0 ? opts->only_seq - 1 : 0;
    while (rc == 0) {
        rc = cm_store_outbox_pending(st, after, opts->only_seq > 0 ? 1 : BATCH, copy_row, &b, err,
                                     errlen);
        if (rc != 0 || b.n == 0) {
            break;
        }
        for (size_t i = 0; rc == 0 && i < b.n; i++) {
            if (opts->only_seq > 0 && b.v[i].seq != opts->only_seq) {
                break; /* done already (another run delivered it) */
            }
            rc = route_row(&x, &rs, &b.v[i], &tape, &ev);
            after = b.v[i].seq;
        }
        batch_clear(&b);
        if (opts->only_seq > 0) {
            break;
        }
    }
    if (rc == CM_ENOMEM && err[0] == '\0') {
        snprintf(err, errlen, "routing findings: %s", cm_strerror(rc));
    }
    batch_clear(&b);
    rules_free(&rs);
    cm_buf_finish(&ev);
    cm_json_doc_finish(&tape);
    return rc;
}
