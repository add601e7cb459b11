/*
 * Publishing destinations in the store (store_pubdest.h): the
 * publishing_destinations table (schema 15, store_schema.c).
 */
#include "store/store_pubdest.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "store/store.h"
#include "store/store_impl.h"

#define COLS                                                                                       \
    "id, detector_id, type, destination_arn, kms_key_arn, status, last_error, last_key,"           \
    " client_token, failure_ms, exported_seq, next_ms, failures, exported, objects, last_ms,"      \
    " created_ms, updated_ms"

static const char *text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

static void row_of(sqlite3_stmt *q, struct cm_store_pubdest *d)
{
    d->id = text(q, 0);
    d->detector_id = text(q, 1);
    d->type = text(q, 2);
    d->arn = text(q, 3);
    d->kms = text(q, 4);
    d->status = text(q, 5);
    d->last_error = text(q, 6);
    d->last_key = text(q, 7);
    d->client_token = text(q, 8);
    d->failure_ms = sqlite3_column_int64(q, 9);
    d->seq = sqlite3_column_int64(q, 10);
    d->next_ms = sqlite3_column_int64(q, 11);
    d->failures = sqlite3_column_int64(q, 12);
    d->exported = sqlite3_column_int64(q, 13);
    d->objects = sqlite3_column_int64(q, 14);
    d->last_ms = sqlite3_column_int64(q, 15);
    d->created_ms = sqlite3_column_int64(q, 16);
    d->updated_ms = sqlite3_column_int64(q, 17);
}

static void bind_opt(sqlite3_stmt *q, int i, const char *s)
{
    if (s != NULL) {
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(q, i);
    }
}

static void tag_key(char *out, size_t n, const char *id)
{
    snprintf(out, n, "PublishingDestination/%.40s", id);
}

struct create {
    const struct cm_store_pubdest *d;
    char *id_out;
};

static int create_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct create *c = arg;
    const struct cm_store_pubdest *d = c->d;
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT id, client_token FROM publishing_destinations"
                           " WHERE detector_id = ?1",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the publishing destinations", err, errlen);
    }
    sqlite3_bind_text(q, 1, d->detector_id, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *tok = text(q, 1);
        if (d->client_token != NULL && d->client_token[0] != '\0' && tok != NULL &&
            strcmp(tok, d->client_token) == 0) {
            snprintf(c->id_out, 33, "%s", text(q, 0));
            rc = CM_OK;
        } else {
            snprintf(err, errlen,
                     "the detector has a publishing destination already (%.40s): a detector "
                     "has at most one",
                     text(q, 0));
            rc = CM_EEXIST;
        }
        sqlite3_finalize(q);
        return rc;
    }
    sqlite3_finalize(q);
    if (step != SQLITE_DONE) {
        return cm_store_db_fail(db, "reading the publishing destinations", err, errlen);
    }
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO publishing_destinations(id, detector_id, type,"
                           " destination_arn, kms_key_arn, status, client_token, exported_seq,"
                           " created_ms, updated_ms)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, '" CM_PUBDEST_PENDING "', ?6,"
                           " (SELECT coalesce(max(seq), 0) FROM outbox), ?7, ?7)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, d->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, d->detector_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, d->type ? d->type : "S3", -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 4, d->arn, -1, SQLITE_STATIC);
        bind_opt(q, 5, d->kms);
        bind_opt(q, 6, d->client_token && d->client_token[0] ? d->client_token : NULL);
        sqlite3_bind_int64(q, 7, d->created_ms);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    if (rc != 0) {
        return cm_store_db_fail(db, "creating the publishing destination", err, errlen);
    }
    snprintf(c->id_out, 33, "%s", d->id);
    return CM_OK;
}

int cm_store_pubdest_create(struct cm_store *st, const struct cm_store_pubdest *d, char id_out[33],
                            char *err, size_t errlen)
{
    struct create c = {d, id_out};

    return cm_store_txn(cm_store_db(st), create_body, &c, "creating the publishing destination",
                        err, errlen);
}

int cm_store_pubdest_get(struct cm_store *st, const char *detector, const char *id,
                         cm_store_pubdest_fn fn, void *ud)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    struct cm_store_pubdest d;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS " FROM publishing_destinations"
                           " WHERE id = ?1 AND (?2 IS NULL OR detector_id = ?2)",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    bind_opt(q, 2, detector);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        row_of(q, &d);
        rc = fn(ud, &d);
    } else if (step == SQLITE_DONE) {
        rc = CM_ENOTFOUND;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_pubdest_each(struct cm_store *st, const char *detector, const char *after,
                          size_t limit, cm_store_pubdest_fn fn, void *ud, bool *more)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    struct cm_store_pubdest d;
    size_t n = 0;
    int rc = CM_OK, step;

    if (more != NULL) {
        *more = false;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS " FROM publishing_destinations"
                           " WHERE (?1 IS NULL OR detector_id = ?1) AND (?2 IS NULL OR id > ?2)"
                           " ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    bind_opt(q, 1, detector);
    bind_opt(q, 2, after);
    while (rc == CM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        if (limit > 0 && n == limit) {
            if (more != NULL) {
                *more = true;
            }
            break;
        }
        row_of(q, &d);
        rc = fn(ud, &d);
        n++;
    }
    if (rc == CM_OK && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

/* Runs one write of sql with its parameters bound by the caller's bind; *changed the rows. */
static int write1(sqlite3 *db, sqlite3_stmt *q, int64_t *changed)
{
    int rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;

    if (changed != NULL) {
        *changed = rc == CM_OK ? (int64_t)sqlite3_changes(db) : 0;
    }
    return rc;
}

int cm_store_pubdest_update(struct cm_store *st, const char *detector, const char *id,
                            const char *arn, const char *kms, int64_t now_ms, char *err,
                            size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t changed = 0;
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(db,
                           "UPDATE publishing_destinations SET"
                           " destination_arn = coalesce(?3, destination_arn),"
                           " kms_key_arn = coalesce(?4, kms_key_arn),"
                           " status = '" CM_PUBDEST_PENDING "', failure_ms = 0, failures = 0,"
                           " next_ms = 0, last_error = NULL, updated_ms = ?5"
                           " WHERE id = ?1 AND detector_id = ?2",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, detector, -1, SQLITE_STATIC);
        bind_opt(q, 3, arn);
        bind_opt(q, 4, kms);
        sqlite3_bind_int64(q, 5, now_ms);
        rc = write1(db, q, &changed);
    }
    sqlite3_finalize(q);
    if (rc != 0) {
        return cm_store_db_fail(db, "updating the publishing destination", err, errlen);
    }
    return changed > 0 ? CM_OK : CM_ENOTFOUND;
}

struct del {
    const char *detector, *id;
    int64_t changed;
};

static int delete_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    struct del *x = (struct del *)(uintptr_t)arg;
    sqlite3_stmt *q = NULL;
    char key[96];
    int rc = CM_EIO;

    tag_key(key, sizeof(key), x->id);
    if (sqlite3_prepare_v2(db,
                           "DELETE FROM publishing_destinations WHERE id = ?1 AND detector_id = ?2",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, x->detector, -1, SQLITE_STATIC);
        rc = write1(db, q, &x->changed);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == 0 && x->changed > 0 &&
        sqlite3_prepare_v2(db, "DELETE FROM api_tags WHERE resource = ?1", -1, &q, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
        rc = write1(db, q, NULL);
    } else if (rc == 0 && x->changed > 0) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    return rc != 0 ? cm_store_db_fail(db, "deleting the publishing destination", err, errlen)
                   : CM_OK;
}

int cm_store_pubdest_delete(struct cm_store *st, const char *detector, const char *id, char *err,
                            size_t errlen)
{
    struct del x = {detector, id, 0};
    int rc = cm_store_txn(cm_store_db(st), delete_body, &x, "deleting the publishing destination",
                          err, errlen);

    return rc != 0 ? rc : x.changed > 0 ? CM_OK : CM_ENOTFOUND;
}

int64_t cm_store_pubdest_count(struct cm_store *st)
{
    return cm_store_int(cm_store_db(st), "SELECT count(*) FROM publishing_destinations", NULL);
}

int64_t cm_store_pubdest_owed_count(struct cm_store *st, int64_t seq)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t n = -1;

    if (sqlite3_prepare_v2(db,
                           "SELECT count(DISTINCT fid) FROM outbox WHERE seq > ?1"
                           " AND fid IS NOT NULL",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, seq);
        if (sqlite3_step(q) == SQLITE_ROW) {
            n = sqlite3_column_int64(q, 0);
        }
    }
    sqlite3_finalize(q);
    return n;
}

int cm_store_pubdest_owed(struct cm_store *st, int64_t after, size_t limit,
                          int (*fn)(void *ud, const char *finding_id, int64_t seq), void *ud,
                          int64_t *upto)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t last = cm_store_int(db, "SELECT coalesce(max(seq), 0) FROM outbox", NULL);
    size_t n = 0;
    int rc = CM_OK, step;

    *upto = after;
    if (last < 0) {
        return CM_EIO;
    }
    if (last <= after) {
        return CM_OK;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT f.id, max(o.seq) AS m FROM outbox o"
                           " JOIN findings f ON f.seq = o.fid"
                           " WHERE o.seq > ?1 AND o.seq <= ?2 AND NOT f.archived"
                           " GROUP BY o.fid ORDER BY m LIMIT ?3",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_int64(q, 1, after);
    sqlite3_bind_int64(q, 2, last);
    sqlite3_bind_int64(q, 3, limit > 0 ? (int64_t)limit : -1);
    *upto = last;
    while (rc == CM_OK && (step = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t m = sqlite3_column_int64(q, 1);
        rc = fn(ud, text(q, 0), m);
        n++;
        if (limit > 0 && n == limit) {
            *upto = m; /* the rest stay owed */
        }
    }
    if (rc == CM_OK && step != SQLITE_DONE && step != SQLITE_ROW) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    if (rc != CM_OK) {
        *upto = after;
    }
    return rc;
}

/* The wait before the next attempt after `failures` failures in a row. */
static int64_t backoff_ms(int64_t failures)
{
    int64_t ms = CM_PUBDEST_BACKOFF_MS;

    for (int64_t i = 1; i < failures && ms < CM_PUBDEST_MAX_WAIT_MS; i++) {
        ms *= 2;
    }
    return ms < CM_PUBDEST_MAX_WAIT_MS ? ms : CM_PUBDEST_MAX_WAIT_MS;
}

int cm_store_pubdest_record(struct cm_store *st, const char *id,
                            const struct cm_store_pubdest_outcome *o, bool *applied, char *err,
                            size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t changed = 0, failures = 0;
    bool ok = strcmp(o->status, CM_PUBDEST_OK) == 0;
    bool unable = strcmp(o->status, CM_PUBDEST_UNABLE) == 0;
    int rc = CM_EIO;

    if (unable) {
        failures =
            cm_store_int(db, "SELECT failures FROM publishing_destinations WHERE id = ?", id);
        failures = failures < 0 ? 1 : failures + 1;
    }
    if (sqlite3_prepare_v2(
            db,
            ok       ? "UPDATE publishing_destinations SET status = ?3,"
                       " exported_seq = max(exported_seq, ?4), exported = exported + ?5,"
                       " objects = objects + ?6, last_key = coalesce(?7, last_key),"
                       " last_ms = CASE WHEN ?6 > 0 THEN ?8 ELSE last_ms END,"
                       " failure_ms = 0, failures = 0, next_ms = 0, last_error = NULL"
                       " WHERE id = ?1 AND destination_arn = ?2"
            : unable ? "UPDATE publishing_destinations SET status = ?3,"
                       " failure_ms = CASE WHEN failure_ms > 0 THEN failure_ms ELSE ?8 END,"
                       " failures = ?9, next_ms = ?8 + ?10, last_error = ?11"
                       " WHERE id = ?1 AND destination_arn = ?2"
                     : "UPDATE publishing_destinations SET status = ?3"
                       " WHERE id = ?1 AND destination_arn = ?2",
            -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, o->arn, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, o->status, -1, SQLITE_STATIC);
        if (ok) {
            sqlite3_bind_int64(q, 4, o->upto);
            sqlite3_bind_int64(q, 5, o->findings);
            sqlite3_bind_int64(q, 6, o->objects);
            bind_opt(q, 7, o->key);
        }
        if (ok || unable) {
            sqlite3_bind_int64(q, 8, o->now_ms);
        }
        if (unable) {
            sqlite3_bind_int64(q, 9, failures);
            sqlite3_bind_int64(q, 10, backoff_ms(failures));
            bind_opt(q, 11, o->error ? o->error : "unknown");
        }
        rc = write1(db, q, &changed);
    }
    sqlite3_finalize(q);
    if (rc != 0) {
        return cm_store_db_fail(db, "recording the export", err, errlen);
    }
    if (applied != NULL) {
        *applied = changed > 0;
    }
    return CM_OK;
}
