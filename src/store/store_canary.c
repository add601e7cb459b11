/*
 * What the canaries read and keep in the SQLite store (see store.h,
 * "Canaries", and docs/internals/canary.md): the newest record seen per
 * log source, account and region (raised by every recorded scan, in its
 * transaction); the last scan's counts; the canary checks with their last
 * result; and the last fire of each scheduled rule.
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

/* Raises (kind, account, region) to newest_ms with statement q. */
static int raise_one(sqlite3_stmt *q, const char *kind, const struct cm_scan_input *in,
                     int64_t newest_ms, int64_t scan_id)
{
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, cm_scan_input_account(in), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, cm_scan_input_region(in), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, newest_ms);
    sqlite3_bind_int64(q, 5, scan_id);
    return sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
}

/*
 * A record stamped in the future (a clock off, a forged eventTime) must not keep a source
 * fresh for as long: its time counts as the scan's start and the skew at most.
 */
static int64_t capped(int64_t t, int64_t started_ms)
{
    return started_ms > 0 && t > started_ms + CM_STORE_NEWEST_SKEW_MS
               ? started_ms + CM_STORE_NEWEST_SKEW_MS
               : t;
}

int cm_store_note_newest(struct cm_store *st, const struct cm_scan_stats *s, int64_t scan_id,
                         int64_t started_ms)
{
    static const char sql[] =
        "INSERT INTO source_newest(kind, account, region, newest_ms, scan_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(kind, account, region) DO UPDATE SET"
        " newest_ms = excluded.newest_ms, scan_id = excluded.scan_id"
        " WHERE excluded.newest_ms > newest_ms";
    sqlite3_stmt *q = NULL;
    int rc = CM_OK;

    if (sqlite3_prepare_v2(cm_store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const struct cm_scan_input *in = &s->inputs[i];
        if (in->newest_ms > 0 && in->kind > 0) {
            rc = raise_one(q, cm_event_kind_name((enum cm_event_kind)in->kind), in,
                           capped(in->newest_ms, started_ms), scan_id);
        }
        if (rc == 0 && in->newest_data_ms > 0) {
            rc = raise_one(q, "s3data", in, capped(in->newest_data_ms, started_ms), scan_id);
        }
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_source_newest(struct cm_store *st, const char *source, const char *account,
                           const char *region, int64_t *newest_ms, int64_t *scan_ms)
{
    static const char sql[] =
        "SELECT n.newest_ms, s.started_at FROM source_newest n LEFT JOIN scans s"
        " ON s.id = n.scan_id WHERE n.kind = ?1 AND (?2 IS NULL OR n.account = ?2)"
        " AND (?3 IS NULL OR n.region = ?3) ORDER BY n.newest_ms DESC LIMIT 1";
    sqlite3_stmt *q = NULL;
    int rc, step;

    if (sqlite3_prepare_v2(cm_store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    if (account != NULL) {
        sqlite3_bind_text(q, 2, account, -1, SQLITE_STATIC);
    }
    if (region != NULL) {
        sqlite3_bind_text(q, 3, region, -1, SQLITE_STATIC);
    }
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *when = col(q, 1);
        *newest_ms = sqlite3_column_int64(q, 0);
        if (scan_ms != NULL) {
            *scan_ms = 0;
            if (when != NULL) {
                (void)cm_time_parse_iso(cm_str_cstr(when), scan_ms);
            }
        }
        rc = CM_OK;
    } else {
        rc = step == SQLITE_DONE ? CM_ENOTFOUND : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_last_scan(struct cm_store *st, struct cm_store_scan_summary *out)
{
    static const char sql[] =
        "SELECT id, started_at, files, records_cloudtrail + records_vpcflow + records_dns,"
        " rejected_cloudtrail + rejected_vpcflow + rejected_dns, rejected_files"
        " FROM scans ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *q = NULL;
    int rc, step;

    memset(out, 0, sizeof(*out));
    if (sqlite3_prepare_v2(cm_store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        out->id = sqlite3_column_int64(q, 0);
        rc = col(q, 1) ? cm_time_parse_iso(cm_str_cstr(col(q, 1)), &out->started_ms) : CM_EIO;
        out->files = (uint64_t)sqlite3_column_int64(q, 2);
        out->records = (uint64_t)sqlite3_column_int64(q, 3);
        out->rejected = (uint64_t)sqlite3_column_int64(q, 4);
        out->rejected_files = (uint64_t)sqlite3_column_int64(q, 5);
        rc = rc == 0 ? CM_OK : CM_EIO;
    } else {
        rc = step == SQLITE_DONE ? CM_ENOTFOUND : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

/* ---- The checks ---- */

/* Puts c with db (in the caller's transaction, or alone). */
static int canary_put_db(sqlite3 *db, const struct cm_store_canary *c, char *err, size_t errlen)
{
    static const char sql[] =
        "INSERT INTO canaries(name, kind, schedule, params, enabled, every_fail, created_at,"
        " updated_at, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)"
        " ON CONFLICT(name) DO UPDATE SET"
        " status = CASE WHEN kind = excluded.kind THEN status END,"
        " reason = CASE WHEN kind = excluded.kind THEN reason END,"
        " observed = CASE WHEN kind = excluded.kind THEN observed END,"
        " changed_ms = CASE WHEN kind = excluded.kind THEN changed_ms END,"
        " kind = excluded.kind, schedule = excluded.schedule, params = excluded.params,"
        " enabled = excluded.enabled, every_fail = excluded.every_fail,"
        " updated_at = excluded.updated_at, origin = excluded.origin";
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    if (!cm_store_name_ok(c->name)) {
        snprintf(err, errlen, "bad canary name \"%.64s\": 1 to %d letters, digits, '.', '_' or '-'",
                 c->name ? c->name : "", CM_STORE_NAME_MAX);
        return CM_EINVAL;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "saving the canary", err, errlen);
    }
    cm_time_format_iso(cm_clock_now_ms(), when, sizeof(when));
    sqlite3_bind_text(q, 1, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, c->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, c->schedule, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, c->params, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, c->enabled);
    sqlite3_bind_int(q, 6, c->every_fail);
    sqlite3_bind_text(q, 7, when, -1, SQLITE_TRANSIENT);
    if (c->origin != NULL) {
        sqlite3_bind_text(q, 8, c->origin, -1, SQLITE_STATIC);
    }
    rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK
                                        : cm_store_db_fail(db, "saving the canary", err, errlen);
    sqlite3_finalize(q);
    return rc;
}

int cm_store_canary_put(struct cm_store *st, const struct cm_store_canary *c, char *err,
                        size_t errlen)
{
    return canary_put_db(cm_store_db(st), c, err, errlen);
}

struct reconcile {
    const struct cm_store_canary *v;
    size_t n;
    struct cm_store_reconciled *out;
};

/* 1 when check c is stored with these very settings and origin "config", 0 when not, -1. */
static int same(sqlite3 *db, const struct cm_store_canary *c)
{
    sqlite3_stmt *q = NULL;
    int rc = -1, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM canaries WHERE name = ?1 AND kind = ?2"
                           " AND schedule = ?3 AND params = ?4 AND enabled = ?5"
                           " AND every_fail = ?6 AND origin IS 'config'",
                           -1, &q, NULL) != SQLITE_OK) {
        return -1;
    }
    sqlite3_bind_text(q, 1, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, c->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, c->schedule, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, c->params, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, c->enabled);
    sqlite3_bind_int(q, 6, c->every_fail);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        rc = sqlite3_column_int(q, 0) > 0;
    }
    sqlite3_finalize(q);
    return rc;
}

static int reconcile_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct reconcile *r = arg;
    sqlite3_stmt *q = NULL, *del = NULL;
    int rc = CM_OK, step;

    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        struct cm_store_canary c = r->v[i];
        int64_t exists = cm_store_int(db, "SELECT count(*) FROM canaries WHERE name = ?", c.name);
        int unchanged = same(db, &c);
        if (exists < 0 || unchanged < 0) {
            return cm_store_db_fail(db, "reading the canaries", err, errlen);
        }
        if (unchanged) {
            r->out->unchanged++;
            continue;
        }
        c.origin = "config";
        rc = canary_put_db(db, &c, err, errlen);
        r->out->created += rc == 0 && exists == 0;
        r->out->updated += rc == 0 && exists > 0;
    }
    if (rc != 0) {
        return rc;
    }
    /* The file's earlier checks it no longer names. */
    if (sqlite3_prepare_v2(db, "SELECT name FROM canaries WHERE origin = 'config'", -1, &q, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "DELETE FROM canaries WHERE name = ?1", -1, &del, NULL) !=
            SQLITE_OK) {
        rc = cm_store_db_fail(db, "removing the canaries", err, errlen);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = col(q, 0);
        bool named = false;
        for (size_t i = 0; name != NULL && i < r->n && !named; i++) {
            named = strcmp(r->v[i].name, name) == 0;
        }
        if (named || name == NULL) {
            continue;
        }
        sqlite3_reset(del);
        sqlite3_bind_text(del, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(del) != SQLITE_DONE) {
            rc = cm_store_db_fail(db, "removing the canaries", err, errlen);
        }
        r->out->removed++;
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "reading the canaries", err, errlen);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(del);
    return rc;
}

int cm_store_canaries_reconcile(struct cm_store *st, const struct cm_store_canary *v, size_t n,
                                struct cm_store_reconciled *out, char *err, size_t errlen)
{
    struct cm_store_reconciled local;
    struct reconcile r = {v, n, out != NULL ? out : &local};
    int rc;

    memset(r.out, 0, sizeof(*r.out));
    rc = cm_store_txn(cm_store_db(st), reconcile_body, &r, "reconciling the canaries", err, errlen);
    if (rc != 0) {
        memset(r.out, 0, sizeof(*r.out));
    }
    return rc;
}

/* A canary's run: ?1 name, ?2 run_ms, ?3 status, ?4 reason, ?5 observed. */
#define RECORD_SQL                                                                                 \
    "UPDATE canaries SET changed_ms = CASE WHEN status IS ?3 THEN changed_ms"                      \
    " ELSE ?2 END, status = ?3, reason = ?4, observed = ?5, last_run_ms = ?2"                      \
    " WHERE name = ?1"

/* Runs sql with text ?1 = a; CM_ENOTFOUND when it changed no row. */
static int change(sqlite3 *db, const char *sql, const char *a, int64_t i2, const char *t3,
                  const char *t4, const char *t5, const char *what, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    int rc;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, what, err, errlen);
    }
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, i2);
    sqlite3_bind_text(q, 3, t3, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, t4, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, t5, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, what, err, errlen);
    } else if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no canary named %s", a);
        rc = CM_ENOTFOUND;
    } else {
        rc = CM_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_canary_delete(struct cm_store *st, const char *name, char *err, size_t errlen)
{
    return change(cm_store_db(st), "DELETE FROM canaries WHERE name = ?1", name, 0, NULL, NULL,
                  NULL, "deleting the canary", err, errlen);
}

int cm_store_canary_record(struct cm_store *st, const char *name, const char *status,
                           const char *reason, const char *observed, int64_t run_ms, char *err,
                           size_t errlen)
{
    return change(cm_store_db(st), RECORD_SQL, name, run_ms, status, reason, observed,
                  "recording the canary's run", err, errlen);
}

/*
 * Appends an event row (source, name, the event) to the outbox, created at created_ms,
 * when rule (NULL: any enabled rule with a pattern) is enabled: *oseq gets its seq, or
 * 0 when no such rule exists (nothing would take it). Runs in the caller's transaction.
 */
static int add_event(sqlite3 *db, const char *source, const char *name, const char *rule,
                     const struct cm_store_event *ev, int64_t *oseq, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    int64_t n;
    int rc;

    *oseq = 0;
    n = rule != NULL
            ? cm_store_int(db,
                           "SELECT count(*) FROM rules WHERE name = ? AND enabled"
                           " AND schedule IS NOT NULL",
                           rule)
            : cm_store_int(db, "SELECT count(*) FROM rules WHERE enabled AND schedule IS NULL",
                           NULL);
    if (n < 0) {
        return cm_store_db_fail(db, "reading the rules", err, errlen);
    }
    if (n == 0) {
        return CM_OK;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO outbox(fid, created_ms, source, name, event)"
                           " VALUES (NULL, ?1, ?2, ?3, ?4)",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "writing the event to the outbox", err, errlen);
    }
    sqlite3_bind_int64(q, 1, ev->created_ms);
    sqlite3_bind_text(q, 2, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, ev->event, (int)ev->len, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "writing the event to the outbox", err, errlen);
    } else {
        *oseq = sqlite3_last_insert_rowid(db);
        rc = CM_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

struct record_ev {
    const char *name, *status, *reason, *observed;
    int64_t run_ms;
    const struct cm_store_event *ev;
    int64_t *oseq;
};

static int record_event_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct record_ev *r = arg;
    int rc = change(db, RECORD_SQL, r->name, r->run_ms, r->status, r->reason, r->observed,
                    "recording the canary's run", err, errlen);

    if (rc == 0 && r->ev != NULL) {
        rc = add_event(db, CM_STORE_SOURCE_CANARY, r->name, NULL, r->ev, r->oseq, err, errlen);
    }
    return rc;
}

int cm_store_canary_record_event(struct cm_store *st, const char *name, const char *status,
                                 const char *reason, const char *observed, int64_t run_ms,
                                 const struct cm_store_event *ev, int64_t *oseq, char *err,
                                 size_t errlen)
{
    struct record_ev r = {name, status, reason, observed, run_ms, ev, oseq};

    *oseq = 0;
    return cm_store_txn(cm_store_db(st), record_event_body, &r, "recording the canary's run", err,
                        errlen);
}

int cm_store_canaries(struct cm_store *st, const char *name, cm_store_canary_fn fn, void *ud,
                      char *err, size_t errlen)
{
    static const char sql[] =
        "SELECT name, kind, schedule, params, enabled, every_fail, created_at, updated_at,"
        " status, reason, observed, last_run_ms, changed_ms, origin FROM canaries"
        " WHERE ?1 IS NULL OR name = ?1 ORDER BY name";
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the canaries", err, errlen);
    }
    if (name != NULL) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_canary c = {col(q, 0),
                                    col(q, 1),
                                    col(q, 2),
                                    col(q, 3),
                                    sqlite3_column_int(q, 4) != 0,
                                    sqlite3_column_int(q, 5) != 0,
                                    col(q, 6),
                                    col(q, 7),
                                    col(q, 8),
                                    col(q, 9),
                                    col(q, 10),
                                    sqlite3_column_int64(q, 11),
                                    sqlite3_column_int64(q, 12),
                                    col(q, 13)};
        rc = c.name && c.kind && c.schedule && c.params ? fn(ud, &c) : CM_EIO;
    }
    return cm_store_rows_end(db, q, rc, step, "reading the canaries", err, errlen);
}

struct fire {
    const char *name;
    int64_t prev_ms, fired_ms;
    const struct cm_store_event *ev;
    bool *taken;
    int64_t *oseq;
};

/* Moves rule name's fired_ms from prev_ms to fired_ms: *taken when it was still prev_ms. */
static int fire_update(sqlite3 *db, const char *name, int64_t prev_ms, int64_t fired_ms,
                       bool *taken, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    int rc;

    *taken = false;
    if (sqlite3_prepare_v2(db,
                           "UPDATE rules SET fired_ms = ?2 WHERE name = ?1 AND schedule IS NOT NULL"
                           " AND coalesce(fired_ms, 0) = ?3",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "recording the rule's fire", err, errlen);
    }
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, fired_ms);
    sqlite3_bind_int64(q, 3, prev_ms);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "recording the rule's fire", err, errlen);
    } else {
        *taken = sqlite3_changes(db) == 1;
        rc = CM_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

static int fire_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct fire *f = arg;
    int rc = fire_update(db, f->name, f->prev_ms, f->fired_ms, f->taken, err, errlen);

    if (rc == 0 && *f->taken && f->ev != NULL) {
        rc = add_event(db, CM_STORE_SOURCE_SCHEDULE, f->name, f->name, f->ev, f->oseq, err, errlen);
    }
    return rc;
}

int cm_store_rule_fire_event(struct cm_store *st, const char *name, int64_t prev_ms,
                             int64_t fired_ms, const struct cm_store_event *ev, bool *taken,
                             int64_t *oseq, char *err, size_t errlen)
{
    struct fire f = {name, prev_ms, fired_ms, ev, taken, oseq};
    int rc;

    *oseq = 0;
    rc = cm_store_txn(cm_store_db(st), fire_body, &f, "recording the rule's fire", err, errlen);
    if (rc != 0) {
        *taken = false;
        *oseq = 0;
    }
    return rc;
}

int cm_store_event_put(struct cm_store *st, const char *name, const struct cm_store_event *ev,
                       int64_t *oseq, char *err, size_t errlen)
{
    return add_event(cm_store_db(st), CM_STORE_SOURCE_EVENTS, name, NULL, ev, oseq, err, errlen);
}

int cm_store_rule_fire(struct cm_store *st, const char *name, int64_t prev_ms, int64_t fired_ms,
                       bool *taken, char *err, size_t errlen)
{
    return fire_update(cm_store_db(st), name, prev_ms, fired_ms, taken, err, errlen);
}
