/*
 * Retention (see store.h and docs/internals/store.md, "Retention"): the
 * setting, and cm_store_expire, which deletes the findings and scan
 * records older than it, keeping back findings whose deliveries are still
 * owed.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>

#include "base/err.h"
#include "base/time.h"

int cm_store_set_retention(struct cm_store *st, int days, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO;

    if (days < 0 || days > 36500) {
        snprintf(err, errlen, "retention must be 0 (keep) to 36500 days, not %d", days);
        return CM_EINVAL;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT OR REPLACE INTO settings(key, value)"
                           " VALUES ('retention_days', ?)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int(q, 1, days);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    if (rc != 0) {
        rc = cm_store_db_fail(db, "setting the retention", err, errlen);
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_retention(struct cm_store *st, int *days)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    *days = 0;
    if (sqlite3_prepare_v2(cm_store_db(st),
                           "SELECT value FROM settings WHERE key = 'retention_days'", -1, &q,
                           NULL) == SQLITE_OK) {
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            *days = sqlite3_column_int(q, 0);
            rc = CM_OK;
        } else if (step == SQLITE_DONE) {
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/* Runs a one-parameter statement; *n gets the rows it changed (or the first column's value). */
static int run_before(sqlite3 *db, const char *sql, const char *when, int64_t *n)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, when, -1, SQLITE_TRANSIENT);
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            *n = sqlite3_column_int64(q, 0);
            rc = CM_OK;
        } else if (step == SQLITE_DONE) {
            *n = (int64_t)sqlite3_changes(db);
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

/*
 * A finding past retention whose outbox row is not done still owes
 * deliveries, and one with a held update owes its publication; it stays
 * until a later run finds its row done.
 */
#define EXPIRED_FINDING                                                                            \
    "updated_at < ?1 AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.fid = findings.seq"            \
    " AND o.done = 0) AND NOT EXISTS (SELECT 1 FROM outbox_held h WHERE h.fid = findings.seq)"     \
    " AND NOT EXISTS (SELECT 1 FROM outbox o, publishing_destinations p WHERE"                     \
    " o.fid = findings.seq AND o.seq > p.exported_seq)"

struct expire {
    const char *when;
    int64_t nf, nk;
};

static int expire_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    struct expire *x = (struct expire *)(uintptr_t)arg;
    int64_t ni = 0, ns = 0, ne = 0;

    /*
     * Events, evidence, feedback, recent ids, done outbox rows and their
     * deliveries go with their finding (ON DELETE CASCADE); folded ids have
     * no foreign key (a cascade would scan finding_ids, keyed by the id's
     * key, once per deleted row) and go first, by key. A finding with an
     * open outbox row is kept back (EXPIRED_FINDING): the cascade would take
     * the deliveries it still owes. The old findings left are those kept
     * back (counted on findings_updated).
     */
    if (run_before(db,
                   "DELETE FROM finding_ids WHERE (h, seq) IN"
                   " (SELECT coalmine_id_key(id), seq FROM findings WHERE " EXPIRED_FINDING ")",
                   x->when, &ni) != 0 ||
        run_before(db, "DELETE FROM findings WHERE " EXPIRED_FINDING, x->when, &x->nf) != 0 ||
        run_before(db, "DELETE FROM scans WHERE started_at < ?", x->when, &ns) != 0 ||
        /* Canary and scheduled events delivered (or given up), with their deliveries. */
        run_before(db,
                   "DELETE FROM outbox WHERE fid IS NULL AND done = 1 AND created_ms <"
                   " CAST((julianday(?1) - 2440587.5) * 86400000 AS INTEGER)",
                   x->when, &ne) != 0 ||
        run_before(db, "SELECT count(*) FROM findings WHERE updated_at < ?", x->when, &x->nk) !=
            0) {
        return cm_store_db_fail(db, "expiring old findings", err, errlen);
    }
    return CM_OK;
}

int cm_store_expire(struct cm_store *st, int64_t now_ms, int64_t *deleted, int64_t *kept, char *err,
                    size_t errlen)
{
    struct expire x = {NULL, 0, 0};
    char when[32];
    int days, rc;

    if (deleted) {
        *deleted = 0;
    }
    if (kept) {
        *kept = 0;
    }
    if (cm_store_retention(st, &days) != 0) {
        return cm_store_db_fail(cm_store_db(st), "reading the retention", err, errlen);
    }
    if (days == 0) {
        return CM_OK;
    }
    cm_time_format_iso(now_ms - (int64_t)days * 86400000, when, sizeof(when));
    x.when = when;
    cm_store_ids_reset(cm_store_ids(st));
    rc = cm_store_txn(cm_store_db(st), expire_body, &x, "expiring old findings", err, errlen);
    if (rc == 0 && deleted) {
        *deleted = x.nf;
    }
    if (rc == 0 && kept) {
        *kept = x.nk;
    }
    return rc;
}
