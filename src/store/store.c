/*
 * SQLite store: opening, migrating (the scripts: store_schema.c) and scan
 * records (see store.h and
 * docs/internals/store.md). The findings are written by store_findings.c
 * (ids: store_ids.c; documents made on a worker thread: store_prep.c;
 * checkpoints on another: store_ckpt.c), read by store_query.c and changed
 * by store_update.c; filters are store_filters.c; retention is
 * store_retention.c.
 *
 * Migrations are a const table of SQL scripts; migration i brings the schema
 * from version i to i + 1 and runs in its own transaction together with the
 * update of schema_version, so a crash leaves the store at a whole version.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "event/event.h"

struct cm_store {
    sqlite3 *db;
    struct cm_filterset put_filters; /* see cm_store_put_filters() */
    struct cm_store_ids ids;         /* see cm_store_ids() */
    struct cm_store_ckpt *ckpt;      /* the checkpoint thread, once findings are written */
    bool ckpt_tried;
    bool no_publish; /* see cm_store_set_publish() */
    bool busy;       /* the last failure was SQLITE_BUSY or SQLITE_LOCKED (see cm_store_open) */
};

/*
 * Connection settings. WAL: readers (the console, the API) never block the
 * writer, and with synchronous=NORMAL a commit costs no fsync (a process
 * crash loses nothing committed; a power loss may lose the last commits).
 * The page cache (64 MiB) holds the upper levels of every index of a
 * million-finding store, and checkpoints run every 8192 pages rather than
 * SQLite's 1000, so a large batch is not written twice while it is built;
 * once findings are written, store_ckpt.c's thread runs them instead. The
 * connection is used by one thread at a time (NOMUTEX, see cm_store_open).
 */
static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                              " PRAGMA wal_autocheckpoint=8192; PRAGMA temp_store=MEMORY";

/* PRAGMA application_id of a coalmine store ("coal"). */
#define STORE_APP_ID 0x636f616c

#define NMIGRATIONS cm_store_nmigrations

/* Whether an SQLite result code is another connection holding a lock. */
static bool locked(int code)
{
    return (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
}

static int fail(struct cm_store *st, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
    return CM_EIO;
}

static int exec(struct cm_store *st, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    int code = sqlite3_exec(st->db, sql, NULL, NULL, &msg);

    if (code != SQLITE_OK) {
        st->busy = locked(code);
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

int cm_store_db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
    return CM_EIO;
}

int cm_store_rows_end(sqlite3 *db, sqlite3_stmt *q, int rc, int step, const char *what, char *err,
                      size_t errlen)
{
    if (rc == 0 && step != SQLITE_DONE) {
        rc = cm_store_db_fail(db, what, err, errlen);
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_txn(sqlite3 *db, cm_store_txn_fn body, const void *arg, const char *what, char *err,
                 size_t errlen)
{
    int rc;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, what, err, errlen);
    }
    rc = body(db, arg, err, errlen);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = cm_store_db_fail(db, what, err, errlen);
    }
    if (rc != 0) {
        /* Best effort: the error that made us roll back is the one reported. */
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

void cm_store_set_publish(struct cm_store *st, bool on)
{
    st->no_publish = !on;
}

int cm_store_set_durable(struct cm_store *st, char *err, size_t errlen)
{
    return exec(st, "PRAGMA synchronous=FULL", err, errlen);
}

bool cm_store_publish_on(const struct cm_store *st)
{
    return !st->no_publish;
}

struct cm_filterset *cm_store_put_filters(struct cm_store *st)
{
    return &st->put_filters;
}

struct cm_store_ids *cm_store_ids(struct cm_store *st)
{
    return &st->ids;
}

void cm_store_writing(struct cm_store *st)
{
    if (!st->ckpt_tried) {
        st->ckpt_tried = true;
        /* The file's full name: the process may have changed directory since opening it. */
        (void)cm_store_ckpt_start(&st->ckpt, st->db, sqlite3_db_filename(st->db, "main"));
    }
}

int cm_store_schema_version(struct cm_store *st)
{
    return (int)cm_store_int(st->db, "SELECT max(version) FROM schema_version", NULL);
}

/*
 * The one integer sql (with arg bound to its ?1 unless NULL) answers, into *v. Returns the
 * SQLite result code: SQLITE_OK when read, SQLITE_ERROR when sql gave no row.
 */
static int read_int(sqlite3 *db, const char *sql, const char *arg, int64_t *v)
{
    sqlite3_stmt *q = NULL;
    int code = sqlite3_prepare_v2(db, sql, -1, &q, NULL);

    if (code == SQLITE_OK) {
        if (arg) {
            sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
        }
        code = sqlite3_step(q);
        if (code == SQLITE_ROW) {
            *v = (int64_t)sqlite3_column_int64(q, 0);
            code = SQLITE_OK;
        } else if (code == SQLITE_DONE) {
            code = SQLITE_ERROR;
        }
    }
    sqlite3_finalize(q);
    return code;
}

int64_t cm_store_int(sqlite3 *db, const char *sql, const char *arg)
{
    int64_t v = -1;

    return read_int(db, sql, arg, &v) == SQLITE_OK ? v : -1;
}

/*
 * Refuses a SQLite file that belongs to something else: a foreign
 * application id, or tables without our version table. An empty database
 * (a new file) is ours to create.
 */
static int check_ours(struct cm_store *st, char *err, size_t errlen)
{
    int64_t app = 0, tables = 0, ver = 0;
    int code = read_int(st->db, "PRAGMA application_id", NULL, &app);

    if (code == SQLITE_OK) {
        code = read_int(st->db, "SELECT count(*) FROM sqlite_master", NULL, &tables);
    }
    if (code == SQLITE_OK) {
        code = read_int(st->db,
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                        " AND name = 'schema_version'",
                        NULL, &ver);
    }
    if (code != SQLITE_OK) {
        st->busy = locked(code);
        snprintf(err, errlen, "reading the database: %s", sqlite3_errstr(code));
        return CM_EIO;
    }
    if ((app != 0 && app != STORE_APP_ID) || (tables > 0 && ver == 0)) {
        snprintf(err, errlen, "not a coalmine store (a SQLite database of another application)");
        return CM_EIO;
    }
    return CM_OK;
}

/* Applies every migration past the recorded version, each in its own transaction. */
static int migrate(struct cm_store *st, char *err, size_t errlen)
{
    char app[64];
    int v, rc;

    if ((rc = check_ours(st, err, errlen)) != 0) {
        return rc;
    }
    /* Read before anything is written: a newer coalmine's store is left as it is. */
    v = cm_store_schema_version(st);
    if (v > 0 && (size_t)v > NMIGRATIONS) {
        snprintf(err, errlen, "store schema version %d is newer than this coalmine's (%zu)", v,
                 NMIGRATIONS);
        return CM_EIO;
    }
    if (v < 0) {
        v = 0;
    }
    /* A current store needs nothing written (and may be read-only). */
    if ((size_t)v == NMIGRATIONS &&
        cm_store_int(st->db, "PRAGMA application_id", NULL) == STORE_APP_ID) {
        return CM_OK;
    }
    snprintf(app, sizeof(app), "PRAGMA application_id = %d", STORE_APP_ID);
    /*
     * 16 KiB pages for a new store: a finding's document (2-3 KB) fills a
     * 4 KiB page alone and wastes a third of it; six fit in 16 KiB. Only a
     * new file takes it (SQLite ignores it once the file has pages).
     */
    rc = v == 0 ? exec(st, "PRAGMA page_size = 16384", err, errlen) : CM_OK;
    if (rc == 0) {
        rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err,
                  errlen);
    }
    if (rc == 0) {
        rc = exec(st, app, err, errlen);
    }
    if (rc != 0) {
        return rc;
    }
    for (size_t i = (size_t)v; i < NMIGRATIONS; i++) {
        char bump[96];
        snprintf(bump, sizeof(bump), "INSERT INTO schema_version(version) VALUES (%zu)", i + 1);
        int now;

        if ((rc = exec(st, "BEGIN IMMEDIATE", err, errlen)) != 0) {
            return rc;
        }
        /*
         * Read again under the write lock: another process opening the same new or older
         * store at the same moment (two `serve`s, a scan beside serve) may have applied
         * this migration since the version was read above.
         */
        now = cm_store_schema_version(st);
        if (now > 0 && (size_t)now > i) {
            if ((rc = exec(st, "COMMIT", err, errlen)) != 0) {
                rollback(st);
                return rc;
            }
            i = (size_t)now - 1;
            continue;
        }
        if ((rc = exec(st, cm_store_migrations[i], err, errlen)) != 0 ||
            (rc = exec(st, bump, err, errlen)) != 0 ||
            (rc = exec(st, "COMMIT", err, errlen)) != 0) {
            rollback(st);
            return rc;
        }
    }
    return CM_OK;
}

/*
 * SQLite says only "unable to open database file"; err gets the reason
 * instead when the file system shows one: a directory, a folder that is not
 * there, or one (or a file) the user may not write. Else err is left as it is.
 */
static void open_failed_why(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    struct stat sb;

    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode)) {
            snprintf(err, errlen, "%s: %s (--db names the store's file)", path, strerror(EISDIR));
        } else if (access(path, R_OK | W_OK) != 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        }
        return;
    }
    if (slash == NULL) {
        snprintf(dir, sizeof(dir), ".");
    } else if ((size_t)(slash - path) < sizeof(dir)) {
        snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    } else {
        return;
    }
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "%s: directory %s: %s", path, dir,
                 strerror(stat(dir, &sb) != 0 ? errno : ENOTDIR));
    } else if (access(dir, W_OK | X_OK) != 0) {
        snprintf(err, errlen, "%s: cannot create it in %s: %s", path, dir, strerror(errno));
    }
}

/*
 * Migrates and sets the connection up. Another process opening the same store at the
 * same moment (two `serve`s, a scan beside serve) holds its locks meanwhile; the busy
 * timeout waits for them, but SQLite returns SQLITE_BUSY at once where waiting could
 * deadlock (a connection that read first and then wants to write, the change into WAL
 * mode). Each step is safe to run again (migrations re-read the version under the write
 * lock), so a step refused that way is tried again, 100 ms apart, for up to 10 s.
 */
static int open_steps(struct cm_store *st, char *err, size_t errlen)
{
    const struct timespec nap = {0, 100 * 1000 * 1000};
    int rc;

    for (int tries = 0;; tries++) {
        st->busy = false;
        rc = migrate(st, err, errlen);
        /* WAL: readers (the console, the API) never block the writer. */
        if (rc == 0) {
            rc = exec(st, pragmas, err, errlen);
        }
        if (rc == 0 || !st->busy || tries == 100) {
            return rc;
        }
        nanosleep(&nap, NULL);
    }
}

int cm_store_open(struct cm_store **out, const char *path, unsigned flags, char *err, size_t errlen)
{
    struct cm_store *st = cm_calloc(1, sizeof(*st));
    /* NOMUTEX: one thread at a time uses the connection (store.h), so SQLite need not lock it. */
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    int rc;

    *out = NULL;
    if (st == NULL) {
        return CM_ENOMEM;
    }
    cm_filterset_init(&st->put_filters);
    cm_store_ids_init(&st->ids);
    if (flags & CM_STORE_CREATE) {
        oflags |= SQLITE_OPEN_CREATE;
    } else if (access(path, F_OK) != 0) {
        snprintf(err, errlen, "%s: no such store", path);
        cm_free(st);
        return CM_ENOTFOUND;
    }
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        rc = fail(st, path, err, errlen);
        open_failed_why(path, err, errlen);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /*
     * Checked before anything is written: a file that is not SQLite fails
     * here ("file is not a database") and one of another application in
     * check_ours(). Foreign keys stay off while migrating (a migration may
     * rebuild a table others refer to).
     */
    rc = cm_store_id_key_register(st->db) != 0 ? fail(st, "registering functions", err, errlen)
                                               : open_steps(st, err, errlen);
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
    cm_store_ckpt_stop(st->ckpt, st->db);
    /*
     * Keeps the planner's statistics current: only what changed much, and
     * at most a few hundred rows of each index (analysis_limit), so closing
     * a store of millions of findings stays quick.
     */
    (void)sqlite3_exec(st->db, "PRAGMA analysis_limit=400; PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(st->db);
    cm_filterset_finish(&st->put_filters);
    cm_store_ids_finish(&st->ids);
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
        " rejected_vpcflow, rejected_dns, rejected_files, findings, skipped_cloudtrail,"
        " skipped_vpcflow, skipped_dns, skipped_files)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
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
    for (int k = 1; k <= 3; k++) {
        sqlite3_bind_int64(q, 13 + k, (sqlite3_int64)s->skipped[k]);
    }
    sqlite3_bind_int64(q, 17, (sqlite3_int64)s->skipped_files);
    rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    sqlite3_finalize(q);
    return rc;
}

static int insert_inputs(struct cm_store *st, const struct cm_scan_stats *s, int64_t id)
{
    static const char sql[] = "INSERT INTO inputs(scan_id, seq, path, size, kind, time, records,"
                              " rejected, damaged, skipped, skipped_as)"
                              " VALUES (?,?,?,?,?,?,?,?,?,?,?)";
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
        if (in->time_ms != INT64_MIN && in->time_ms != INT64_MAX) {
            cm_time_format_iso(in->time_ms, when, sizeof(when));
            bind_text(q, 6, when);
        } else {
            sqlite3_bind_null(q, 6);
        }
        sqlite3_bind_int64(q, 7, (sqlite3_int64)in->records);
        sqlite3_bind_int64(q, 8, (sqlite3_int64)in->rejected);
        sqlite3_bind_int(q, 9, in->damaged);
        sqlite3_bind_int64(q, 10, (sqlite3_int64)in->skipped);
        bind_text(q, 11, in->skipped_as);
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
    if (insert_inputs(st, stats, id) != 0 || insert_rejects(st, stats, id) != 0 ||
        cm_store_note_newest(st, stats, id, started_ms) != 0) {
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
