/*
 * The API's threat and trusted lists in the store (store.h, "The API's threat
 * and trusted lists"): one intel_sets row per list with its content as read
 * at its last activation, and the tags of API resources (api_tags).
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

static const char *const kind_names[CM_SET_KINDS] = {
    [CM_SET_IP] = "IPSet",
    [CM_SET_THREAT_INTEL] = "ThreatIntelSet",
    [CM_SET_THREAT_ENTITY] = "ThreatEntitySet",
    [CM_SET_TRUSTED_ENTITY] = "TrustedEntitySet",
};

#define COLS                                                                                       \
    "id, kind, detector_id, name, format, location, expected_owner, status, error_details,"        \
    " entries, created_ms, updated_ms"

const char *cm_store_set_kind_name(enum cm_store_set_kind k)
{
    return (unsigned)k < CM_SET_KINDS ? kind_names[k] : "unknown";
}

static void bind_opt(sqlite3_stmt *q, int i, const char *s)
{
    if (s != NULL) {
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(q, i);
    }
}

/* Count of rows of sql with ?1 = a and ?2 = b bound (b may be NULL), -1 on error. */
static int64_t count2(sqlite3 *db, const char *sql, const char *a, const char *b, int kind)
{
    sqlite3_stmt *q = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        bind_opt(q, 1, a);
        bind_opt(q, 2, b);
        sqlite3_bind_int(q, 3, kind);
        if (sqlite3_step(q) == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
        }
    }
    sqlite3_finalize(q);
    return v;
}

struct set_put {
    const struct cm_store_set *s;
    bool create;
};

static int set_put_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    static const char ins[] =
        "INSERT INTO intel_sets(" COLS ", content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13)";
    static const char upd[] = "UPDATE intel_sets SET kind = ?2, detector_id = ?3, name = ?4,"
                              " format = ?5, location = ?6, expected_owner = ?7, status = ?8,"
                              " error_details = ?9, entries = ?10, created_ms = ?11,"
                              " updated_ms = ?12, content = ?13 WHERE id = ?1";
    const struct set_put *a = arg;
    const struct cm_store_set *s = a->s;
    sqlite3_stmt *q = NULL;
    int64_t exists, named, total;
    int rc = CM_EIO;

    exists =
        count2(db, "SELECT count(*) FROM intel_sets WHERE id = ?1 AND ?2 IS NULL", s->id, NULL, 0);
    named = count2(db, "SELECT count(*) FROM intel_sets WHERE name = ?1 AND id <> ?2", s->name,
                   s->id, 0);
    total = count2(db,
                   "SELECT count(*) FROM intel_sets WHERE detector_id = ?1 AND ?2 IS NULL"
                   " AND kind = ?3",
                   s->detector_id, NULL, (int)s->kind);
    if (exists < 0 || named < 0 || total < 0) {
        return cm_store_db_fail(db, "saving the list", err, errlen);
    }
    if (a->create && exists > 0) {
        snprintf(err, errlen, "a list with id %s already exists", s->id);
        return CM_EEXIST;
    }
    if (!a->create && exists == 0) {
        snprintf(err, errlen, "no list with id %s", s->id);
        return CM_ENOTFOUND;
    }
    if (named > 0) {
        snprintf(err, errlen, "a list named %s already exists", s->name);
        return CM_EEXIST;
    }
    if (a->create && total >= CM_STORE_SETS_MAX) {
        snprintf(err, errlen, "the detector already has %d lists of kind %s (the most allowed)",
                 CM_STORE_SETS_MAX, cm_store_set_kind_name(s->kind));
        return CM_EFULL;
    }
    if (sqlite3_prepare_v2(db, a->create ? ins : upd, -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, s->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 2, (int)s->kind);
        sqlite3_bind_text(q, 3, s->detector_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 4, s->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 5, s->format, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 6, s->location, -1, SQLITE_TRANSIENT);
        bind_opt(q, 7, s->expected_owner);
        sqlite3_bind_text(q, 8, s->status, -1, SQLITE_TRANSIENT);
        bind_opt(q, 9, s->error_details);
        sqlite3_bind_int64(q, 10, s->entries);
        sqlite3_bind_int64(q, 11, s->created_ms);
        sqlite3_bind_int64(q, 12, s->updated_ms);
        if (s->content != NULL) {
            sqlite3_bind_blob64(q, 13, s->content, s->content_len, SQLITE_STATIC);
        } else {
            sqlite3_bind_null(q, 13);
        }
        if (sqlite3_step(q) == SQLITE_DONE) {
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc == CM_OK ? rc : cm_store_db_fail(db, "saving the list", err, errlen);
}

int cm_store_set_put(struct cm_store *st, const struct cm_store_set *s, bool create, char *err,
                     size_t errlen)
{
    struct set_put a = {s, create};

    if ((unsigned)s->kind >= CM_SET_KINDS || s->id == NULL || s->name == NULL ||
        s->detector_id == NULL || s->format == NULL || s->location == NULL || s->status == NULL) {
        snprintf(err, errlen, "saving the list: a required field is missing");
        return CM_EINVAL;
    }
    return cm_store_txn(cm_store_db(st), set_put_body, &a, "saving the list", err, errlen);
}

static const char *col_text(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

/* Fills s from a row of COLS (and content as column 12 when with_content). */
static void read_row(sqlite3_stmt *q, struct cm_store_set *s, bool with_content)
{
    memset(s, 0, sizeof(*s));
    s->id = col_text(q, 0);
    s->kind = (enum cm_store_set_kind)sqlite3_column_int(q, 1);
    s->detector_id = col_text(q, 2);
    s->name = col_text(q, 3);
    s->format = col_text(q, 4);
    s->location = col_text(q, 5);
    s->expected_owner = col_text(q, 6);
    s->status = col_text(q, 7);
    s->error_details = col_text(q, 8);
    s->entries = sqlite3_column_int64(q, 9);
    s->created_ms = sqlite3_column_int64(q, 10);
    s->updated_ms = sqlite3_column_int64(q, 11);
    if (with_content && sqlite3_column_type(q, 12) != SQLITE_NULL) {
        s->content = sqlite3_column_blob(q, 12);
        s->content_len = (size_t)sqlite3_column_bytes(q, 12);
        if (s->content == NULL) {
            s->content = ""; /* an empty blob */
        }
    }
}

int cm_store_set_get(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                     const char *id, cm_store_set_fn fn, void *ud)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    struct cm_store_set s;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS ", content FROM intel_sets WHERE id = ?1 AND kind = ?2"
                           " AND detector_id = ?3",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 2, (int)kind);
        sqlite3_bind_text(q, 3, detector, -1, SQLITE_TRANSIENT);
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            read_row(q, &s, true);
            rc = fn(ud, &s);
        } else if (step == SQLITE_DONE) {
            rc = CM_ENOTFOUND;
        }
    }
    sqlite3_finalize(q);
    return rc;
}

struct set_del {
    enum cm_store_set_kind kind;
    const char *detector, *id;
};

static int set_delete_body(sqlite3 *db, const void *arg, char *err, size_t errlen)
{
    const struct set_del *a = arg;
    sqlite3_stmt *q = NULL;
    char res[64];
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(db,
                           "DELETE FROM intel_sets WHERE id = ?1 AND kind = ?2"
                           " AND detector_id = ?3",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, a->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 2, (int)a->kind);
        sqlite3_bind_text(q, 3, a->detector, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_DONE) {
            rc = sqlite3_changes(db) > 0 ? CM_OK : CM_ENOTFOUND;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == CM_OK) {
        snprintf(res, sizeof(res), "%.20s/%.40s", cm_store_set_kind_name(a->kind), a->id);
        rc = CM_EIO;
        if (sqlite3_prepare_v2(db, "DELETE FROM api_tags WHERE resource = ?1", -1, &q, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_text(q, 1, res, -1, SQLITE_TRANSIENT);
            rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
        }
        sqlite3_finalize(q);
    }
    if (rc == CM_EIO) {
        return cm_store_db_fail(db, "deleting the list", err, errlen);
    }
    if (rc == CM_ENOTFOUND) {
        snprintf(err, errlen, "no list with id %s", a->id);
    }
    return rc;
}

int cm_store_set_delete(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                        const char *id, char *err, size_t errlen)
{
    struct set_del a = {kind, detector, id};

    return cm_store_txn(cm_store_db(st), set_delete_body, &a, "deleting the list", err, errlen);
}

int cm_store_set_ids(struct cm_store *st, enum cm_store_set_kind kind, const char *detector,
                     const char *after, size_t limit, cm_store_set_fn fn, void *ud, bool *more)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    struct cm_store_set s;
    size_t n = 0;
    int rc = CM_OK, step = SQLITE_DONE;

    *more = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS " FROM intel_sets WHERE kind = ?1 AND detector_id = ?2"
                           " AND id > ?3 ORDER BY id LIMIT ?4",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_int(q, 1, (int)kind);
    sqlite3_bind_text(q, 2, detector, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, after ? after : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)limit + 1);
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        if (n == limit) {
            *more = true;
            break;
        }
        read_row(q, &s, false);
        rc = fn(ud, &s);
        n++;
    }
    if (rc == 0 && step != SQLITE_ROW && step != SQLITE_DONE) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_sets_active(struct cm_store *st, cm_store_set_fn fn, void *ud, char *err,
                         size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    struct cm_store_set s;
    int rc = CM_OK, step = SQLITE_DONE;

    if (sqlite3_prepare_v2(db,
                           "SELECT " COLS ", content FROM intel_sets WHERE status = 'ACTIVE'"
                           " AND content IS NOT NULL ORDER BY name",
                           -1, &q, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, "reading the lists", err, errlen);
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        read_row(q, &s, true);
        rc = fn(ud, &s);
    }
    return cm_store_rows_end(db, q, rc, step, "reading the lists", err, errlen);
}

int cm_store_tags_set(struct cm_store *st, const char *resource, const char *json, char *err,
                      size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    bool del = json == NULL || strcmp(json, "{}") == 0;
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(db,
                           del ? "DELETE FROM api_tags WHERE resource = ?1"
                               : "INSERT OR REPLACE INTO api_tags(resource, tags) VALUES (?1, ?2)",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, resource, -1, SQLITE_TRANSIENT);
        if (!del) {
            sqlite3_bind_text(q, 2, json, -1, SQLITE_TRANSIENT);
        }
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc == CM_OK ? rc : cm_store_db_fail(db, "saving the tags", err, errlen);
}

int cm_store_tags_get(struct cm_store *st, const char *resource, char **json)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    const char *v = "{}";
    int rc = CM_EIO, step;

    *json = NULL;
    if (sqlite3_prepare_v2(db, "SELECT tags FROM api_tags WHERE resource = ?1", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(q, 1, resource, -1, SQLITE_TRANSIENT);
        step = sqlite3_step(q);
        if (step == SQLITE_ROW && col_text(q, 0) != NULL) {
            v = col_text(q, 0);
        }
        if (step == SQLITE_ROW || step == SQLITE_DONE) {
            *json = cm_strndup(v, strlen(v));
            rc = *json != NULL ? CM_OK : CM_ENOMEM;
        }
    }
    sqlite3_finalize(q);
    return rc;
}
