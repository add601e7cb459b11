/*
 * Filters in the SQLite store (see store.h): one row per filter with its
 * GetFilter document, read back through the library's filter parser so a
 * stored filter is validated exactly like a new one.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "core/clock.h"

int cm_store_filters_load(struct cm_store *st, struct cm_filterset *set, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_OK, step;

    if (sqlite3_prepare_v2(db, "SELECT name, doc FROM filters ORDER BY rank, created_at, rowid", -1,
                           &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the filters", err, errlen);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *doc = (const char *)sqlite3_column_text(q, 1);
        struct cm_filter *f = NULL;
        struct cm_diag diag;
        cm_diag_clear(&diag);
        rc = doc ? cm_filter_parse(doc, (size_t)sqlite3_column_bytes(q, 1), NULL, &f, &diag)
                 : CM_EINVAL;
        if (rc == 0 && (rc = cm_filterset_add(set, f)) != 0) {
            cm_filter_destroy(f);
        }
        if (rc != 0) {
            snprintf(err, errlen, "stored filter %s: %s", name ? name : "?",
                     diag.msg[0] ? diag.msg : cm_strerror(rc));
            rc = rc == CM_ENOMEM ? rc : CM_EIO;
        }
    }
    return cm_store_rows_end(db, q, rc, step, "reading the filters", err, errlen);
}

/* Inserts or replaces the row of f (rank already decided). */
static int write_filter(sqlite3 *db, const struct cm_filter *f, bool create)
{
    static const char ins[] = "INSERT INTO filters(name, rank, action, doc, created_at,"
                              " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
    static const char upd[] = "UPDATE filters SET rank = ?2, action = ?3, doc = ?4,"
                              " updated_at = ?5 WHERE name = ?1";
    sqlite3_stmt *q = NULL;
    struct cm_buf doc;
    struct cm_jw jw;
    char when[32];
    int rc = CM_EIO;

    cm_buf_init(&doc, 0);
    cm_jw_init(&jw, &doc);
    cm_filter_write(f, &jw);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        cm_buf_finish(&doc);
        return rc;
    }
    rc = CM_EIO;
    cm_time_format_iso(cm_clock_now_ms(), when, sizeof(when));
    if (sqlite3_prepare_v2(db, create ? ins : upd, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, f->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 2, f->rank);
        sqlite3_bind_text(q, 3, cm_filter_action_name(f->action), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, doc.p, (int)doc.len, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, when, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_DONE) {
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    cm_buf_finish(&doc);
    return rc;
}

struct filter_put {
    const struct cm_filter *f;
    bool create;
};

static int filter_put_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct filter_put *a = arg;
    const struct cm_filter *f = a->f;
    bool create = a->create;
    struct cm_filter tmp = *f; /* shallow: only the rank may change */
    int64_t exists, total, last;
    int rc;

    exists = cm_store_int(db, "SELECT count(*) FROM filters WHERE name = ?", f->name);
    total = cm_store_int(db, "SELECT count(*) FROM filters", NULL);
    last = cm_store_int(db, "SELECT coalesce(max(rank), 0) FROM filters", NULL);
    if (exists < 0 || total < 0 || last < 0) {
        rc = cm_store_db_fail(db, "saving the filter", err, errlen);
    } else if (create && exists > 0) {
        snprintf(err, errlen, "a filter named %s already exists", f->name);
        rc = CM_EEXIST;
    } else if (!create && exists == 0) {
        snprintf(err, errlen, "no filter named %s", f->name);
        rc = CM_ENOTFOUND;
    } else if (create && total >= CM_FILTERSET_MAX) {
        snprintf(err, errlen, "the store already has %d filters (the most allowed)",
                 CM_FILTERSET_MAX);
        rc = CM_EFULL;
    } else {
        if (tmp.rank == 0) {
            tmp.rank = last < CM_FILTER_RANK_MAX ? (int)last + 1 : CM_FILTER_RANK_MAX;
        }
        rc = write_filter(db, &tmp, create);
        if (rc == CM_EIO) {
            cm_store_db_fail(db, "saving the filter", err, errlen);
        } else if (rc != 0) {
            snprintf(err, errlen, "saving the filter: %s", cm_strerror(rc));
        }
    }
    return rc;
}

int cm_store_filter_put(struct cm_store *st, const struct cm_filter *f, bool create, char *err,
                        size_t errlen)
{
    struct filter_put a = {f, create};

    return cm_store_txn(cm_store_db(st), filter_put_body, &a, "saving the filter", err, errlen);
}

int cm_store_filter_delete(struct cm_store *st, const char *name, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(db, "DELETE FROM filters WHERE name = ?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_DONE) {
            rc = sqlite3_changes(db) > 0 ? CM_OK : CM_ENOTFOUND;
        }
    }
    if (rc == CM_EIO) {
        cm_store_db_fail(db, "deleting the filter", err, errlen);
    } else if (rc == CM_ENOTFOUND) {
        snprintf(err, errlen, "no filter named %s", name);
    }
    sqlite3_finalize(q);
    return rc;
}
