/*
 * The API's detectors in the SQLite store (see store.h, docs/internals/api.md):
 * one row per detector, unique per (account, region), and the counts a
 * scrape of /metrics reads.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

#define COLS "id, account_id, region, enabled, features, tags, created_ms, updated_ms, client_token"

static const char *col_text(sqlite3_stmt *q, int i)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    return s ? s : "";
}

/* Calls fn for each row of q (its columns are COLS). */
static int each_row(sqlite3 *db, sqlite3_stmt *q, cm_store_detector_fn fn, void *ud, char *err,
                    size_t errlen, size_t *rows)
{
    int rc = 0, step;

    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_store_detector d = {
            .id = col_text(q, 0),
            .account = col_text(q, 1),
            .region = col_text(q, 2),
            .enabled = sqlite3_column_int(q, 3) != 0,
            .features = col_text(q, 4),
            .tags = col_text(q, 5),
            .created_ms = sqlite3_column_int64(q, 6),
            .updated_ms = sqlite3_column_int64(q, 7),
            .client_token = col_text(q, 8),
        };
        (*rows)++;
        rc = fn(ud, &d);
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "reading the detectors", err, errlen);
    }
    return rc;
}

static int create_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct cm_store_detector *d = arg;
    sqlite3_stmt *q = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM detectors WHERE id = ?1"
                           " OR (account_id = ?2 AND region = ?3)",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "creating a detector", err, errlen);
    }
    sqlite3_bind_text(q, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, d->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, d->region, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW) {
        snprintf(err, errlen, "detector %s already exists for account %s in %s", col_text(q, 0),
                 d->account, d->region);
        rc = CM_EEXIST;
    }
    sqlite3_finalize(q);
    if (rc != 0) {
        return rc;
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO detectors(" COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "creating a detector", err, errlen);
    }
    sqlite3_bind_text(q, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, d->account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, d->region, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 4, d->enabled ? 1 : 0);
    sqlite3_bind_text(q, 5, d->features ? d->features : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 6, d->tags ? d->tags : "{}", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, d->created_ms);
    sqlite3_bind_int64(q, 8, d->updated_ms);
    sqlite3_bind_text(q, 9, d->client_token, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "creating a detector", err, errlen);
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_detector_create(struct cm_store *st, const struct cm_store_detector *d, char *err,
                             size_t errlen)
{
    return cm_store_txn(cm_store_db(st), create_body, d, "creating a detector", err, errlen);
}

int cm_store_detector_get(struct cm_store *st, const char *id, cm_store_detector_fn fn, void *ud)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    size_t rows = 0;
    char err[256];
    int rc;

    if (sqlite3_prepare_v2(db, "SELECT " COLS " FROM detectors WHERE id = ?1", -1, &q, NULL) !=
        SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    rc = each_row(db, q, fn, ud, err, sizeof(err), &rows);
    sqlite3_finalize(q);
    return rc == 0 && rows == 0 ? CM_ENOTFOUND : rc;
}

int cm_store_detectors(struct cm_store *st, const char *account, const char *region,
                       const char *after, size_t limit, cm_store_detector_fn fn, void *ud,
                       char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    size_t rows = 0;
    int rc;

    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS " FROM detectors"
                           " WHERE (?1 IS NULL OR account_id = ?1) AND (?2 IS NULL OR region = ?2)"
                           " AND id > ?3 ORDER BY id LIMIT ?4",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the detectors", err, errlen);
    }
    sqlite3_bind_text(q, 1, account, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, after ? after : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, limit == 0 ? -1 : (sqlite3_int64)limit);
    rc = each_row(db, q, fn, ud, err, errlen, &rows);
    sqlite3_finalize(q);
    return rc;
}

struct update {
    const char *id;
    const bool *enabled;
    const char *features, *tags;
    int64_t now_ms;
};

static int update_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct update *u = arg;
    sqlite3_stmt *q = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db,
                           "UPDATE detectors SET enabled = coalesce(?2, enabled),"
                           " features = coalesce(?3, features), tags = coalesce(?4, tags),"
                           " updated_ms = ?5 WHERE id = ?1",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "updating a detector", err, errlen);
    }
    sqlite3_bind_text(q, 1, u->id, -1, SQLITE_STATIC);
    if (u->enabled) {
        sqlite3_bind_int(q, 2, *u->enabled ? 1 : 0);
    }
    sqlite3_bind_text(q, 3, u->features, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, u->tags, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, u->now_ms);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "updating a detector", err, errlen);
    } else if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no detector %s", u->id);
        rc = CM_ENOTFOUND;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_detector_update(struct cm_store *st, const char *id, const bool *enabled,
                             const char *features, const char *tags, int64_t now_ms, char *err,
                             size_t errlen)
{
    const struct update u = {id, enabled, features, tags, now_ms};
    return cm_store_txn(cm_store_db(st), update_body, &u, "updating a detector", err, errlen);
}

static int delete_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    sqlite3_stmt *q = NULL;
    int rc = 0;

    if (sqlite3_prepare_v2(db, "DELETE FROM detectors WHERE id = ?1", -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "deleting a detector", err, errlen);
    }
    sqlite3_bind_text(q, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "deleting a detector", err, errlen);
    } else if (sqlite3_changes(db) == 0) {
        snprintf(err, errlen, "no detector %s", (const char *)arg);
        rc = CM_ENOTFOUND;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_detector_delete(struct cm_store *st, const char *id, char *err, size_t errlen)
{
    return cm_store_txn(cm_store_db(st), delete_body, id, "deleting a detector", err, errlen);
}

int cm_store_gauges(struct cm_store *st, struct cm_store_gauges *g, cm_store_type_count_fn fn,
                    void *ud, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = 0, step;

    memset(g, 0, sizeof(*g));
    /* One read transaction: the numbers belong to one state of the store. */
    if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "counting", err, errlen);
    }
    g->archived = cm_store_int(db, "SELECT count(*) FROM findings WHERE archived <> 0", NULL);
    g->outbox_pending = cm_store_int(db, "SELECT count(*) FROM outbox WHERE done = 0", NULL);
    g->outbox_held = cm_store_int(db, "SELECT count(*) FROM outbox_held", NULL);
    if (g->archived < 0 || g->outbox_pending < 0 || g->outbox_held < 0) {
        rc = cm_store_db_fail(db, "counting", err, errlen);
        goto out;
    }
    for (int s = 0; s < 4; s++) {
        g->deliveries[s] = cm_store_int(db, "SELECT count(*) FROM deliveries WHERE state = ?1",
                                        cm_delivery_state_name((enum cm_delivery_state)s));
        if (g->deliveries[s] < 0) {
            rc = cm_store_db_fail(db, "counting deliveries", err, errlen);
            goto out;
        }
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT type, severity, count(*) FROM findings WHERE archived = 0"
                           " GROUP BY type, severity ORDER BY type, severity",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = cm_store_db_fail(db, "counting findings", err, errlen);
        goto out;
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        rc = fn(ud, col_text(q, 0), sqlite3_column_double(q, 1), sqlite3_column_int64(q, 2));
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = cm_store_db_fail(db, "counting findings", err, errlen);
    }
    sqlite3_finalize(q);
out:
    (void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return rc;
}
