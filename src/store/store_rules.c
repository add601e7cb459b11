/*
 * Rules, targets, the outbox and deliveries in the SQLite store (see
 * store.h and docs/internals/bus.md). The store keeps what the bus needs
 * and checks names and limits; the patterns and target specs are checked
 * by their owners (lib/route, src/bus) before they get here.
 *
 * The outbox rows are written by store_findings.c in the transaction that
 * stores the findings they publish; this file reads them for the bus and
 * records each delivery, one row per (outbox row, rule, target).
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "base/time.h"
#include "core/clock.h"

static const char *col(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

/* Runs a prepared write statement to its end; the caller finalizes it. */
static int step_write(sqlite3 *db, sqlite3_stmt *q, const char *what, char *err, size_t errlen)
{
    if (sqlite3_step(q) != SQLITE_DONE) {
        return cm_store_db_fail(db, what, err, errlen);
    }
    return CM_OK;
}

static void now_iso(char *when, size_t n)
{
    cm_time_format_iso(cm_clock_now_ms(), when, n);
}

bool cm_store_name_ok(const char *name)
{
    return cm_str_is_name(cm_str_cstr(name), CM_STORE_NAME_MAX);
}

static int rule_put_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    static const char sql[] =
        "INSERT INTO rules(name, pattern, enabled, description, created_at, updated_at,"
        " schedule, fired_ms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7) ON CONFLICT(name) DO UPDATE SET"
        " pattern = excluded.pattern, enabled = excluded.enabled,"
        " description = excluded.description, updated_at = excluded.updated_at,"
        " fired_ms = CASE WHEN schedule IS excluded.schedule THEN fired_ms"
        " ELSE excluded.fired_ms END, schedule = excluded.schedule";
    const struct cm_store_rule *r = arg;
    int64_t exists = cm_store_int(db, "SELECT count(*) FROM rules WHERE name = ?", r->name);
    int64_t total = cm_store_int(db, "SELECT count(*) FROM rules", NULL);
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    if (exists < 0 || total < 0) {
        return cm_store_db_fail(db, "saving the rule", err, errlen);
    }
    if (exists == 0 && total >= CM_STORE_RULES_MAX) {
        snprintf(err, errlen, "the store already has %d rules (the most allowed)",
                 CM_STORE_RULES_MAX);
        return CM_EFULL;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "saving the rule", err, errlen);
    }
    now_iso(when, sizeof(when));
    sqlite3_bind_text(q, 1, r->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, r->pattern, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, r->enabled);
    if (r->description != NULL) {
        sqlite3_bind_text(q, 4, r->description, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(q, 5, when, -1, SQLITE_TRANSIENT);
    if (r->schedule != NULL) {
        /* A new schedule fires from now on, not for the times before it was set. */
        sqlite3_bind_text(q, 6, r->schedule, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, r->fired_ms > 0 ? r->fired_ms : cm_clock_now_ms());
    }
    rc = step_write(db, q, "saving the rule", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_rule_put(struct cm_store *st, const struct cm_store_rule *r, char *err, size_t errlen)
{
    if (!cm_store_name_ok(r->name)) {
        snprintf(err, errlen, "bad rule name \"%.64s\": 1 to %d letters, digits, '.', '_' or '-'",
                 r->name ? r->name : "", CM_STORE_NAME_MAX);
        return CM_EINVAL;
    }
    return cm_store_txn(cm_store_db(st), rule_put_body, r, "saving the rule", err, errlen);
}

/* Runs sql with text arguments a and b (b may be NULL); *changes gets the rows changed. */
static int exec2(sqlite3 *db, const char *sql, const char *a, const char *b, int64_t *changes,
                 const char *what, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, what, err, errlen);
    }
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    if (b != NULL) {
        sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    }
    rc = step_write(db, q, what, err, errlen);
    if (changes != NULL) {
        *changes = sqlite3_changes(db);
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_rule_enable(struct cm_store *st, const char *name, bool enabled, char *err,
                         size_t errlen)
{
    char when[32];
    int64_t n = 0;
    int rc;

    now_iso(when, sizeof(when));
    rc = exec2(cm_store_db(st),
               /* A scheduled rule enabled again fires from now, not for the times it was off. */
               enabled ? "UPDATE rules SET fired_ms = CASE WHEN enabled = 0 AND schedule IS NOT"
                         " NULL THEN CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
                         " ELSE fired_ms END, enabled = 1, updated_at = ?2 WHERE name = ?1"
                       : "UPDATE rules SET enabled = 0, updated_at = ?2 WHERE name = ?1",
               name, when, &n, "changing the rule", err, errlen);
    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "no rule named %s", name);
        rc = CM_ENOTFOUND;
    }
    return rc;
}

struct rule_del {
    const char *name;
    bool force;
};

static int rule_delete_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct rule_del *d = arg;
    int64_t exists = cm_store_int(db, "SELECT count(*) FROM rules WHERE name = ?", d->name);
    int64_t targets = cm_store_int(db, "SELECT count(*) FROM targets WHERE rule = ?", d->name);

    if (exists < 0 || targets < 0) {
        return cm_store_db_fail(db, "deleting the rule", err, errlen);
    }
    if (exists == 0) {
        snprintf(err, errlen, "no rule named %s", d->name);
        return CM_ENOTFOUND;
    }
    if (targets > 0 && !d->force) {
        snprintf(err, errlen,
                 "rule %s still has %lld target(s): remove them first, or delete with --force",
                 d->name, (long long)targets);
        return CM_EEXIST;
    }
    return exec2(db, "DELETE FROM rules WHERE name = ?", d->name, NULL, NULL, "deleting the rule",
                 err, errlen);
}

int cm_store_rule_delete(struct cm_store *st, const char *name, bool force, char *err,
                         size_t errlen)
{
    struct rule_del d = {name, force};

    return cm_store_txn(cm_store_db(st), rule_delete_body, &d, "deleting the rule", err, errlen);
}

int cm_store_rules(struct cm_store *st, const char *name, cm_store_rule_fn fn, void *ud, char *err,
                   size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(
            db,
            "SELECT name, pattern, enabled, description, created_at, updated_at,"
            " schedule, fired_ms FROM rules WHERE ?1 IS NULL OR name = ?1 ORDER BY name",
            -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the rules", err, errlen);
    }
    if (name != NULL) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_rule r = {col(q, 0), col(q, 1), col(q, 3), sqlite3_column_int(q, 2) != 0,
                                  col(q, 4), col(q, 5), col(q, 6), sqlite3_column_int64(q, 7)};
        rc = r.name && r.pattern ? fn(ud, &r) : CM_EIO;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the rules", err, errlen);
}

static int target_put_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct cm_store_target *t = arg;
    int64_t rule = cm_store_int(db, "SELECT count(*) FROM rules WHERE name = ?", t->rule);
    int64_t n = cm_store_int(db, "SELECT count(*) FROM targets WHERE rule = ?", t->rule);
    int64_t exists = -1;
    sqlite3_stmt *q = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM targets WHERE rule = ?1 AND id = ?2", -1, &q,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, t->rule, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, t->id, -1, SQLITE_STATIC);
        exists = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rule < 0 || n < 0 || exists < 0) {
        return cm_store_db_fail(db, "saving the target", err, errlen);
    }
    if (rule == 0) {
        snprintf(err, errlen, "no rule named %s", t->rule);
        return CM_ENOTFOUND;
    }
    if (exists == 0 && n >= CM_STORE_TARGETS_MAX) {
        snprintf(err, errlen, "rule %s already has %d targets (the most allowed)", t->rule,
                 CM_STORE_TARGETS_MAX);
        return CM_EFULL;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO targets(rule, id, kind, spec)"
                           " VALUES (?1, ?2, ?3, ?4)",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "saving the target", err, errlen);
    }
    sqlite3_bind_text(q, 1, t->rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, t->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, t->spec, -1, SQLITE_STATIC);
    rc = step_write(db, q, "saving the target", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_target_put(struct cm_store *st, const struct cm_store_target *t, char *err,
                        size_t errlen)
{
    if (!cm_store_name_ok(t->id)) {
        snprintf(err, errlen, "bad target id \"%.64s\": 1 to %d letters, digits, '.', '_' or '-'",
                 t->id ? t->id : "", CM_STORE_NAME_MAX);
        return CM_EINVAL;
    }
    return cm_store_txn(cm_store_db(st), target_put_body, t, "saving the target", err, errlen);
}

int cm_store_target_remove(struct cm_store *st, const char *rule, const char *id, char *err,
                           size_t errlen)
{
    int64_t n = 0;
    int rc = exec2(cm_store_db(st), "DELETE FROM targets WHERE rule = ?1 AND id = ?2", rule, id, &n,
                   "removing the target", err, errlen);

    if (rc == 0 && n == 0) {
        snprintf(err, errlen, "rule %s has no target %s", rule, id);
        rc = CM_ENOTFOUND;
    }
    return rc;
}

int cm_store_targets(struct cm_store *st, const char *rule, cm_store_target_fn fn, void *ud,
                     char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT rule, id, kind, spec FROM targets"
                           " WHERE ?1 IS NULL OR rule = ?1 ORDER BY rule, id",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the targets", err, errlen);
    }
    if (rule != NULL) {
        sqlite3_bind_text(q, 1, rule, -1, SQLITE_STATIC);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_target t = {col(q, 0), col(q, 1), col(q, 2), col(q, 3)};
        rc = t.rule && t.id && t.kind && t.spec ? fn(ud, &t) : CM_EIO;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the targets", err, errlen);
}

/* ---- The outbox ---- */

int cm_store_outbox_pending(struct cm_store *st, int64_t after, size_t limit, cm_store_outbox_fn fn,
                            void *ud, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT o.seq, o.created_ms, f.id, d.doc,"
                           " o.fid IS NOT NULL AND"
                           " (SELECT max(n.seq) FROM outbox n WHERE n.fid = o.fid) > o.seq,"
                           " o.source, o.name, o.event"
                           " FROM outbox o"
                           " LEFT JOIN findings f ON f.seq = o.fid"
                           " LEFT JOIN finding_docs d ON d.seq = o.fid"
                           " WHERE o.done = 0 AND o.seq > ?1 ORDER BY o.seq LIMIT ?2",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the outbox", err, errlen);
    }
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, limit ? (int64_t)limit : -1);
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_outbox o = {sqlite3_column_int64(q, 0),
                                    sqlite3_column_int64(q, 1),
                                    sqlite3_column_int(q, 4) != 0,
                                    col(q, 2),
                                    col(q, 3),
                                    (size_t)sqlite3_column_bytes(q, 3),
                                    col(q, 5),
                                    col(q, 6),
                                    col(q, 7),
                                    (size_t)sqlite3_column_bytes(q, 7)};
        /* A finding's row has its document, an event row its event, source and name. */
        bool ok = o.event != NULL ? o.source != NULL && o.name != NULL
                                  : o.finding_id != NULL && o.doc != NULL;
        rc = ok ? fn(ud, &o) : CM_EIO;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the outbox", err, errlen);
}

struct outbox_done {
    int64_t seq;
    const char *reason; /* why its PENDING deliveries end; NULL: the CASE below says */
};

static int outbox_done_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    /* Why a PENDING delivery of a row being finished was not made this run. */
    static const char cancel[] =
        "UPDATE deliveries SET state = 'CANCELLED', next_ms = 0, updated_at = ?3,"
        " claim = NULL, claim_until = 0,"
        " last_error = CASE"
        " WHEN ?2 IS NOT NULL THEN ?2"
        " WHEN NOT EXISTS (SELECT 1 FROM rules r WHERE r.name = deliveries.rule)"
        " THEN 'rule deleted'"
        " WHEN NOT EXISTS (SELECT 1 FROM rules r WHERE r.name = deliveries.rule"
        " AND r.enabled) THEN 'rule disabled'"
        " WHEN NOT EXISTS (SELECT 1 FROM targets t WHERE t.rule = deliveries.rule"
        " AND t.id = deliveries.target) THEN 'target removed'"
        " ELSE 'the rule no longer matches the event' END"
        " WHERE oseq = ?1 AND state = 'PENDING'";
    const struct outbox_done *d = arg;
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    if (sqlite3_prepare_v2(db, cancel, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "updating the outbox", err, errlen);
    }
    now_iso(when, sizeof(when));
    sqlite3_bind_int64(q, 1, d->seq);
    if (d->reason != NULL) {
        sqlite3_bind_text(q, 2, d->reason, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(q, 3, when, -1, SQLITE_TRANSIENT);
    rc = step_write(db, q, "updating the outbox", err, errlen);
    sqlite3_finalize(q);
    q = NULL;
    if (rc != 0) {
        return rc;
    }
    if (sqlite3_prepare_v2(db, "UPDATE outbox SET done = 1 WHERE seq = ?", -1, &q, NULL) !=
        SQLITE_OK) {
        return cm_store_db_fail(db, "updating the outbox", err, errlen);
    }
    sqlite3_bind_int64(q, 1, d->seq);
    rc = step_write(db, q, "updating the outbox", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_outbox_done(struct cm_store *st, int64_t seq, bool superseded, char *err,
                         size_t errlen)
{
    struct outbox_done d = {seq, superseded ? "superseded by a newer event of the finding" : NULL};

    return cm_store_txn(cm_store_db(st), outbox_done_body, &d, "updating the outbox", err, errlen);
}

int cm_store_outbox_cancel(struct cm_store *st, int64_t seq, const char *reason, char *err,
                           size_t errlen)
{
    struct outbox_done d = {seq, reason};

    return cm_store_txn(cm_store_db(st), outbox_done_body, &d, "updating the outbox", err, errlen);
}

int cm_store_outbox_owed(struct cm_store *st, size_t limit, cm_store_owed_fn fn, void *ud,
                         char *err, size_t errlen)
{
    static const char sql[] =
        "SELECT o.seq, o.created_ms, coalesce(o.source, 'finding'), coalesce(o.name, f.id),"
        " CASE WHEN o.source = 'canary' THEN json_extract(o.event, '$.detail.status') END,"
        " (SELECT count(*) FROM deliveries d WHERE d.oseq = o.seq AND d.state = 'PENDING'),"
        " (SELECT min(d.next_ms) FROM deliveries d WHERE d.oseq = o.seq"
        " AND d.state = 'PENDING')"
        " FROM outbox o LEFT JOIN findings f ON f.seq = o.fid"
        " WHERE o.done = 0 ORDER BY o.seq LIMIT ?1";
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the outbox", err, errlen);
    }
    sqlite3_bind_int64(q, 1, limit ? (int64_t)limit : -1);
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_owed o = {
            sqlite3_column_int64(q, 0), sqlite3_column_int64(q, 1), col(q, 2), col(q, 3), col(q, 4),
            sqlite3_column_int64(q, 5), sqlite3_column_int64(q, 6)};
        rc = o.source && o.name ? fn(ud, &o) : CM_EIO;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the outbox", err, errlen);
}

int64_t cm_store_outbox_count(struct cm_store *st)
{
    return cm_store_int(cm_store_db(st), "SELECT count(*) FROM outbox WHERE done = 0", NULL);
}

/* ---- Deliveries ---- */

static const char *const state_names[] = {"PENDING", "DONE", "FAILED", "CANCELLED"};

#define NSTATES (sizeof(state_names) / sizeof(state_names[0]))

const char *cm_delivery_state_name(enum cm_delivery_state s)
{
    return (unsigned)s < NSTATES ? state_names[s] : "?";
}

int cm_delivery_state_parse(const char *name, enum cm_delivery_state *out)
{
    for (int i = 0; i < (int)NSTATES; i++) {
        if (name != NULL && strcmp(name, state_names[i]) == 0) {
            *out = (enum cm_delivery_state)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

/* Fills *d from a row: oseq, rule, target, state, attempts, next_ms, last_error, updated_at[, id].
 */
/* Binds a delivery's key: ?1 the outbox seq, ?2 the rule, ?3 the target. */
static void bind_delivery(sqlite3_stmt *q, int64_t oseq, const char *rule, const char *target)
{
    sqlite3_bind_int64(q, 1, oseq);
    sqlite3_bind_text(q, 2, rule, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, target, -1, SQLITE_STATIC);
}

static int read_delivery(sqlite3_stmt *q, struct cm_store_delivery *d, bool with_id)
{
    memset(d, 0, sizeof(*d));
    d->oseq = sqlite3_column_int64(q, 0);
    d->rule = col(q, 1);
    d->target = col(q, 2);
    d->attempts = (uint32_t)sqlite3_column_int64(q, 4);
    d->next_ms = sqlite3_column_int64(q, 5);
    d->last_error = col(q, 6);
    d->updated_at = col(q, 7);
    d->finding_id = with_id ? col(q, 8) : NULL;
    d->source = with_id ? col(q, 9) : NULL;
    d->name = with_id ? col(q, 10) : NULL;
    if (d->rule == NULL || d->target == NULL ||
        cm_delivery_state_parse(col(q, 3), &d->state) != 0) {
        return CM_EIO;
    }
    return CM_OK;
}

int cm_store_delivery_get(struct cm_store *st, int64_t oseq, const char *rule, const char *target,
                          struct cm_store_delivery *d)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    /* Prepared per call: cheap next to the delivery it comes with. */
    if (sqlite3_prepare_v2(db,
                           "SELECT oseq, rule, target, state, attempts, next_ms, last_error,"
                           " updated_at FROM deliveries WHERE oseq = ?1 AND rule = ?2"
                           " AND target = ?3",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    bind_delivery(q, oseq, rule, target);
    step = sqlite3_step(q);
    if (step == SQLITE_DONE) {
        rc = CM_ENOTFOUND;
    } else if (step == SQLITE_ROW && (rc = read_delivery(q, d, false)) == 0) {
        /* The statement's strings end with it: the caller's names stand in. */
        d->rule = rule;
        d->target = target;
        d->last_error = NULL;
        d->updated_at = NULL;
    }
    sqlite3_finalize(q);
    return rc;
}

struct claim_arg {
    const struct cm_store_claim *c;
    enum cm_claim_result *res;
    struct cm_store_delivery *d;
};

static int claim_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    static const char read_sql[] =
        "SELECT d.state, d.attempts, d.next_ms, d.claim, d.claim_until, o.done, d.updated_at"
        " FROM outbox o LEFT JOIN deliveries d ON d.oseq = o.seq AND d.rule = ?2"
        " AND d.target = ?3 WHERE o.seq = ?1";
    static const char take_sql[] =
        "INSERT INTO deliveries(oseq, rule, target, state, attempts, next_ms, last_error,"
        " updated_at, claim, claim_until) VALUES (?1, ?2, ?3, 'PENDING', 0, 0, NULL, ?4, ?5, ?6)"
        " ON CONFLICT(oseq, rule, target) DO UPDATE SET claim = excluded.claim,"
        " claim_until = excluded.claim_until";
    const struct claim_arg *a = arg;
    const struct cm_store_claim *c = a->c;
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc = CM_OK, step;

    now_iso(when, sizeof(when));
    if (sqlite3_prepare_v2(db, read_sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "claiming the delivery", err, errlen);
    }
    bind_delivery(q, c->oseq, c->rule, c->target);
    memset(a->d, 0, sizeof(*a->d));
    a->d->oseq = c->oseq;
    a->d->rule = c->rule;
    a->d->target = c->target;
    a->d->state = CM_DELIVERY_PENDING;
    *a->res = CM_CLAIM_SETTLED; /* no such outbox row (expired): nothing to do */
    step = sqlite3_step(q);
    if (step == SQLITE_ROW && sqlite3_column_int(q, 5) == 0) {
        const char *state = col(q, 0), *owner = col(q, 3), *updated = col(q, 6);
        a->d->attempts = (uint32_t)sqlite3_column_int64(q, 1);
        a->d->next_ms = sqlite3_column_int64(q, 2);
        if (state != NULL && strcmp(state, "PENDING") != 0) {
            *a->res = CM_CLAIM_SETTLED;
        } else if (owner != NULL && strcmp(owner, c->owner) != 0 &&
                   sqlite3_column_int64(q, 4) > c->now_ms &&
                   (c->holder_gone == NULL || !c->holder_gone(owner))) {
            *a->res = CM_CLAIM_BUSY;
        } else if (a->d->next_ms > c->due_ms && (updated == NULL || strcmp(updated, when) <= 0)) {
            /*
             * Its backoff, or the Retry-After its target asked when it was not tried. Not
             * when the attempt was recorded after now: the wall clock was set back since,
             * and next_ms, counted from that clock, would add the step to the wait (a day
             * set back, a day more; before 2026-12-05).
             */
            *a->res = CM_CLAIM_WAITING;
        } else {
            *a->res = CM_CLAIM_TAKEN;
        }
    } else if (step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "claiming the delivery", err, errlen);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != 0 || *a->res != CM_CLAIM_TAKEN) {
        return rc;
    }
    if (sqlite3_prepare_v2(db, take_sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "claiming the delivery", err, errlen);
    }
    bind_delivery(q, c->oseq, c->rule, c->target);
    sqlite3_bind_text(q, 4, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, c->owner, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 6, c->now_ms + c->lease_ms);
    rc = step_write(db, q, "claiming the delivery", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_delivery_claim(struct cm_store *st, const struct cm_store_claim *c,
                            enum cm_claim_result *res, struct cm_store_delivery *d, char *err,
                            size_t errlen)
{
    struct claim_arg a = {c, res, d};

    return cm_store_txn(cm_store_db(st), claim_body, &a, "claiming the delivery", err, errlen);
}

struct record_arg {
    const struct cm_store_delivery *d;
    const char *owner;
    bool *held;
};

static int record_body(sqlite3 *db, const void *arg, char *err, size_t errlen);

int cm_store_delivery_record(struct cm_store *st, const struct cm_store_delivery *d,
                             const char *owner, bool *held, char *err, size_t errlen)
{
    struct record_arg a = {d, owner, held};

    *held = false;
    /* A DONE delivery with its event id also records the state the target took. */
    if (d->state == CM_DELIVERY_DONE && d->event_id != NULL) {
        return cm_store_txn(cm_store_db(st), record_body, &a, "recording the delivery", err,
                            errlen);
    }
    return record_body(cm_store_db(st), &a, err, errlen);
}

static int record_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    /* One statement: atomic without a transaction of its own. */
    static const char sql[] =
        "UPDATE deliveries SET"
        " state = CASE WHEN state = 'CANCELLED' AND ?4 = 'PENDING' THEN state ELSE ?4 END,"
        " last_error = CASE WHEN state = 'CANCELLED' AND ?4 = 'PENDING' THEN last_error"
        " ELSE ?7 END,"
        " attempts = ?5, next_ms = ?6, updated_at = ?8, claim = NULL, claim_until = 0"
        " WHERE oseq = ?1 AND rule = ?2 AND target = ?3"
        " AND (claim = ?9 OR (state = 'CANCELLED' AND claim IS NULL))";
    static const char state_sql[] =
        "INSERT INTO delivered_state(fid, rule, target, event_id)"
        " SELECT fid, ?2, ?3, ?4 FROM outbox WHERE seq = ?1 AND fid IS NOT NULL"
        " ON CONFLICT(fid, rule, target) DO UPDATE SET event_id = excluded.event_id";
    const struct record_arg *a = arg;
    const struct cm_store_delivery *d = a->d;
    const char *owner = a->owner;
    bool *held = a->held;
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    *held = false;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "recording the delivery", err, errlen);
    }
    now_iso(when, sizeof(when));
    bind_delivery(q, d->oseq, d->rule, d->target);
    sqlite3_bind_text(q, 4, cm_delivery_state_name(d->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, d->attempts);
    sqlite3_bind_int64(q, 6, d->next_ms);
    if (d->last_error != NULL) {
        sqlite3_bind_text(q, 7, d->last_error, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(q, 8, when, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 9, owner, -1, SQLITE_STATIC);
    rc = step_write(db, q, "recording the delivery", err, errlen);
    if (rc == 0) {
        *held = sqlite3_changes(db) > 0;
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != 0 || !*held || d->state != CM_DELIVERY_DONE || d->event_id == NULL) {
        return rc;
    }
    if (sqlite3_prepare_v2(db, state_sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "recording the delivery", err, errlen);
    }
    bind_delivery(q, d->oseq, d->rule, d->target);
    sqlite3_bind_text(q, 4, d->event_id, -1, SQLITE_STATIC);
    rc = step_write(db, q, "recording the delivery", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_delivered_event(struct cm_store *st, int64_t oseq, const char *rule,
                             const char *target, char *id, size_t n)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT s.event_id FROM outbox o JOIN delivered_state s"
                           " ON s.fid = o.fid AND s.rule = ?2 AND s.target = ?3"
                           " WHERE o.seq = ?1",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    bind_delivery(q, oseq, rule, target);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW && col(q, 0) != NULL) {
        snprintf(id, n, "%s", col(q, 0));
        rc = CM_OK;
    } else if (step == SQLITE_DONE) {
        rc = CM_ENOTFOUND;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_deliveries(struct cm_store *st, int state, size_t limit, cm_store_delivery_fn fn,
                        void *ud, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT d.oseq, d.rule, d.target, d.state, d.attempts, d.next_ms,"
                           " d.last_error, d.updated_at, f.id, o.source, o.name"
                           " FROM deliveries d"
                           " LEFT JOIN outbox o ON o.seq = d.oseq"
                           " LEFT JOIN findings f ON f.seq = o.fid"
                           " WHERE ?1 IS NULL OR d.state = ?1"
                           " ORDER BY d.oseq DESC, d.rule, d.target LIMIT ?2",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the deliveries", err, errlen);
    }
    if (state >= 0) {
        sqlite3_bind_text(q, 1, cm_delivery_state_name((enum cm_delivery_state)state), -1,
                          SQLITE_STATIC);
    }
    sqlite3_bind_int64(q, 2, limit ? (int64_t)limit : -1);
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_delivery d;
        rc = read_delivery(q, &d, true);
        rc = rc == 0 ? fn(ud, &d) : rc;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the deliveries", err, errlen);
}
