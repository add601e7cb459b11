/*
 * SQLite store: opening, migrations and scan records (see store.h); the
 * findings are written by store_findings.c.
 *
 * Migrations are a const table of SQL scripts; migration i brings the schema
 * from version i to i + 1 and runs in its own transaction together with the
 * update of schema_version, so a crash leaves the store at a whole version.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "event/event.h"

struct cm_store {
    sqlite3 *db;
};

static const char *const migrations[] = {
    /* 0 -> 1: scan records. */
    "CREATE TABLE scans ("
    " id INTEGER PRIMARY KEY,"
    " started_at TEXT NOT NULL,"
    " seconds REAL NOT NULL,"
    " files INTEGER NOT NULL, bytes_in INTEGER NOT NULL, bytes_decoded INTEGER NOT NULL,"
    " records_cloudtrail INTEGER NOT NULL, records_vpcflow INTEGER NOT NULL,"
    " records_dns INTEGER NOT NULL,"
    " rejected_cloudtrail INTEGER NOT NULL, rejected_vpcflow INTEGER NOT NULL,"
    " rejected_dns INTEGER NOT NULL, rejected_files INTEGER NOT NULL,"
    " findings INTEGER NOT NULL);"
    "CREATE TABLE inputs ("
    " scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " path TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " kind TEXT,"
    " time TEXT,"
    " records INTEGER NOT NULL, rejected INTEGER NOT NULL, damaged INTEGER NOT NULL,"
    " PRIMARY KEY (scan_id, seq));"
    "CREATE INDEX inputs_path ON inputs(path);"
    "CREATE TABLE rejects ("
    " scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, kind TEXT NOT NULL, offset INTEGER NOT NULL, line INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX rejects_scan ON rejects(scan_id);",
    /* 1 -> 2: findings (one row per identity) and their evidence. */
    "CREATE TABLE findings ("
    " id TEXT PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " severity REAL NOT NULL,"
    " account_id TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " resource_type TEXT,"
    " resource_id TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " first_seen TEXT,"
    " last_seen TEXT,"
    " count INTEGER NOT NULL,"
    " archived INTEGER NOT NULL DEFAULT 0,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX findings_type ON findings(type);"
    "CREATE INDEX findings_severity ON findings(severity);"
    "CREATE INDEX findings_account ON findings(account_id);"
    "CREATE INDEX findings_region ON findings(region);"
    "CREATE INDEX findings_resource ON findings(resource_id);"
    "CREATE INDEX findings_updated ON findings(updated_at);"
    "CREATE INDEX findings_archived ON findings(archived);"
    "CREATE TABLE finding_evidence ("
    " finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " path TEXT, offset INTEGER, line INTEGER, length INTEGER,"
    " PRIMARY KEY (finding_id, seq));",
};

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int fail(struct cm_store *st, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
    return CM_EIO;
}

static int exec(struct cm_store *st, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return CM_EIO;
    }
    return CM_OK;
}

static void rollback(struct cm_store *st)
{
    /* Best effort: the error that made us roll back is the one reported. */
    (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *cm_store_db(struct cm_store *st)
{
    return st->db;
}

int cm_store_schema_version(struct cm_store *st)
{
    sqlite3_stmt *q = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(st->db, "SELECT max(version) FROM schema_version", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        v = sqlite3_column_int(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

/* Applies every migration past the recorded version, each in its own transaction. */
static int migrate(struct cm_store *st, char *err, size_t errlen)
{
    int v, rc;

    rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err,
              errlen);
    if (rc != 0) {
        return rc;
    }
    v = cm_store_schema_version(st);
    if (v < 0) {
        v = 0;
    }
    if ((size_t)v > NMIGRATIONS) {
        snprintf(err, errlen, "store schema version %d is newer than this coalmine's (%zu)", v,
                 NMIGRATIONS);
        return CM_EIO;
    }
    for (size_t i = (size_t)v; i < NMIGRATIONS; i++) {
        char bump[96];
        snprintf(bump, sizeof(bump), "INSERT INTO schema_version(version) VALUES (%zu)", i + 1);
        if ((rc = exec(st, "BEGIN IMMEDIATE", err, errlen)) != 0) {
            return rc;
        }
        if ((rc = exec(st, migrations[i], err, errlen)) != 0 ||
            (rc = exec(st, bump, err, errlen)) != 0 || (rc = exec(st, "COMMIT", err, errlen)) != 0) {
            rollback(st);
            return rc;
        }
    }
    return CM_OK;
}

int cm_store_open(struct cm_store **out, const char *path, char *err, size_t errlen)
{
    struct cm_store *st = cm_calloc(1, sizeof(*st));
    int rc;

    *out = NULL;
    if (st == NULL) {
        return CM_ENOMEM;
    }
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = fail(st, path, err, errlen);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /* WAL: readers (the console, the API) never block the writer. */
    rc = exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON",
              err, errlen);
    if (rc == 0) {
        rc = migrate(st, err, errlen);
    }
    if (rc != 0) {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s", err);
        snprintf(err, errlen, "%s: %s", path, tmp);
        goto fail;
    }
    *out = st;
    return CM_OK;
fail:
    cm_store_close(st);
    return rc;
}

void cm_store_close(struct cm_store *st)
{
    if (st == NULL) {
        return;
    }
    sqlite3_close(st->db);
    cm_free(st);
}

static const char *kind_text(int kind)
{
    return kind ? cm_event_kind_name((enum cm_event_kind)kind) : NULL;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s) {
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(q, i);
    }
}

static int insert_scan(struct cm_store *st, const struct cm_scan_stats *s, int64_t started_ms)
{
    static const char sql[] =
        "INSERT INTO scans(started_at, seconds, files, bytes_in, bytes_decoded,"
        " records_cloudtrail, records_vpcflow, records_dns, rejected_cloudtrail,"
        " rejected_vpcflow, rejected_dns, rejected_files, findings)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    cm_time_format_iso(started_ms, when, sizeof(when));
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    bind_text(q, 1, when);
    sqlite3_bind_double(q, 2, s->seconds);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)s->files);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)s->bytes_in);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)s->bytes_decoded);
    for (int k = 1; k <= 3; k++) {
        sqlite3_bind_int64(q, 5 + k, (sqlite3_int64)s->records[k]);
        sqlite3_bind_int64(q, 8 + k, (sqlite3_int64)s->rejected[k]);
    }
    sqlite3_bind_int64(q, 12, (sqlite3_int64)s->rejected_files);
    sqlite3_bind_int64(q, 13, (sqlite3_int64)s->findings);
    rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    sqlite3_finalize(q);
    return rc;
}

static int insert_inputs(struct cm_store *st, const struct cm_scan_stats *s, int64_t id)
{
    static const char sql[] = "INSERT INTO inputs(scan_id, seq, path, size, kind, time, records,"
                              " rejected, damaged) VALUES (?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    int rc = CM_OK;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const struct cm_scan_input *in = &s->inputs[i];
        char when[32];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        bind_text(q, 3, in->path ? in->path : "?");
        sqlite3_bind_int64(q, 4, (sqlite3_int64)in->size);
        bind_text(q, 5, kind_text(in->kind));
        if (in->time_ms != INT64_MIN) {
            cm_time_format_iso(in->time_ms, when, sizeof(when));
            bind_text(q, 6, when);
        } else {
            sqlite3_bind_null(q, 6);
        }
        sqlite3_bind_int64(q, 7, (sqlite3_int64)in->records);
        sqlite3_bind_int64(q, 8, (sqlite3_int64)in->rejected);
        sqlite3_bind_int(q, 9, in->damaged);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

static int insert_rejects(struct cm_store *st, const struct cm_scan_stats *s, int64_t id)
{
    static const char sql[] = "INSERT INTO rejects(scan_id, path, kind, offset, line, reason)"
                              " VALUES (?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    int rc = CM_OK;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    for (size_t i = 0; rc == 0 && i < s->nrejects; i++) {
        const struct cm_scan_reject *r = &s->rejects[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        bind_text(q, 2, r->path ? r->path : "?");
        bind_text(q, 3, r->kind ? kind_text(r->kind) : "file");
        sqlite3_bind_int64(q, 4, (sqlite3_int64)r->offset);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)r->line);
        bind_text(q, 6, r->reason);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_add_scan(struct cm_store *st, const struct cm_scan_stats *stats, int64_t started_ms,
                      int64_t *scan_id, char *err, size_t errlen)
{
    int64_t id;
    int rc;

    if ((rc = exec(st, "BEGIN IMMEDIATE", err, errlen)) != 0) {
        return rc;
    }
    if (insert_scan(st, stats, started_ms) != 0) {
        goto fail;
    }
    id = (int64_t)sqlite3_last_insert_rowid(st->db);
    if (insert_inputs(st, stats, id) != 0 || insert_rejects(st, stats, id) != 0) {
        goto fail;
    }
    if ((rc = exec(st, "COMMIT", err, errlen)) != 0) {
        rollback(st);
        return rc;
    }
    *scan_id = id;
    return CM_OK;
fail:
    rc = fail(st, "recording the scan", err, errlen);
    rollback(st);
    return rc;
}
