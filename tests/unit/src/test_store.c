/*
 * Unit tests for the SQLite store: creation and migration (including the
 * upgrade of version 1, 2 and 3 stores; a version 3 store is also made by
 * the previous coalmine binary when it is at $COALMINE_OLD or
 * /tmp/coalmine-old), reopening, opening without creating, refusing (and
 * not touching) files that are not coalmine stores and newer schemas, and
 * scan records, a connection made durable. Findings: test_store_findings.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../lib/finding/finding_util.h"
#include "finding/finding_sample.h"
#include "base/err.h"
#include "store/store.h"
#include "store/store_impl.h"

static char dir[256], path[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm_store_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/coalmine.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int64_t query_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t v = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW) {
        v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

static void test_create_and_reopen(void **state)
{
    struct cm_store *st;
    char err[256];
    (void)state;

    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    /* Migrations ran once: one row per version. */
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), CM_STORE_SCHEMA_VERSION);
    /* The journal is WAL, which persists in the file. */
    {
        sqlite3 *db;
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), "wal");
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    cm_store_close(NULL);
}

/* The version 1 schema exactly as the first release created it. */
static const char v1_sql[] =
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
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
    "CREATE INDEX rejects_scan ON rejects(scan_id);"
    "INSERT INTO schema_version VALUES (1);"
    "INSERT INTO scans VALUES (1, '2025-03-04T10:00:00.000Z', 0.5, 1, 2, 3, 4, 5, 6, 0, 0, 0,"
    " 0, 0);";

/*
 * Version 4's layout: no B-tree keyed by the finding id on findings (no
 * unique id index), ids in finding_ids / finding_ids_recent, evidence and
 * feedback keyed by the row, the indices new findings append to.
 */
static void v4_layout(void)
{
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                               " AND tbl_name = 'findings'"),
                     3);
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                               " AND tbl_name = 'findings' AND name IN ('findings_updated',"
                               " 'findings_resource', 'findings_account')"),
                     3);
    assert_int_equal(query_int("SELECT count(*) FROM pragma_index_list('findings')"
                               " WHERE \"unique\""),
                     0);
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name"
                               " IN ('finding_ids', 'finding_ids_recent', 'finding_sources',"
                               " 'finding_feedback', 'finding_docs', 'finding_events')"),
                     6);
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'view' AND name"
                               " IN ('finding_seq', 'finding_evidence')"),
                     2);
    assert_int_equal(query_int("SELECT count(*) FROM pragma_table_info('finding_feedback')"
                               " WHERE name = 'fid' AND pk = 1"),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/*
 * The store syncs its WAL only at checkpoints (synchronous=NORMAL: 1); a caller that records
 * elsewhere that a commit happened (`scan --state`) asks for every commit on disk (FULL: 2).
 */
/* Holds an exclusive lock on the new store at path for longer than the busy timeout (5 s). */
static void *hold_lock(void *arg)
{
    sqlite3 *db = arg;
    const struct timespec hold = {5, 600 * 1000 * 1000};

    nanosleep(&hold, NULL);
    (void)sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

/*
 * Another process holding the new store's lock past the busy timeout (its migrations, a
 * slow disk): the open waits and tries again rather than failing "database is locked".
 */
static void test_open_waits_out_a_lock(void **state)
{
    struct cm_store *st = NULL;
    sqlite3 *db;
    pthread_t t;
    char err[256] = "";
    int rc;
    (void)state;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(pthread_create(&t, NULL, hold_lock, db), 0);
    rc = cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err));
    assert_int_equal(pthread_join(t, NULL), 0);
    sqlite3_close(db);
    if (rc != 0) {
        fail_msg("open: %s", err);
    }
    assert_int_equal(cm_store_schema_version(st), (int)cm_store_nmigrations);
    cm_store_close(st);
}

static void test_set_durable(void **state)
{
    struct cm_store *st;
    char err[256];
    (void)state;

    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_int(cm_store_db(st), "PRAGMA synchronous", NULL), 1);
    assert_int_equal(cm_store_set_durable(st, err, sizeof(err)), 0);
    assert_int_equal(cm_store_int(cm_store_db(st), "PRAGMA synchronous", NULL), 2);
    cm_store_close(st);
}

static void test_upgrade_v1(void **state)
{
    struct cm_store *st;
    sqlite3 *db;
    char err[256];
    (void)state;

    assert_int_equal(CM_STORE_SCHEMA_VERSION, 15);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v1_sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    /* The version 1 rows survive; versions 2 on were reached once each, in their own rows. */
    assert_int_equal(query_int("SELECT records_cloudtrail FROM scans WHERE id = 1"), 4);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), CM_STORE_SCHEMA_VERSION);
    for (int v = 2; v <= CM_STORE_SCHEMA_VERSION; v++) {
        char sql[96];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM schema_version WHERE version = %d", v);
        assert_int_equal(query_int(sql), 1);
    }
    assert_int_equal(query_int("SELECT count(*) FROM finding_events"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM filters"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM rules"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM outbox"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM detectors"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM intel_sets"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM api_tags"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM canaries"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM source_newest"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM publishing_destinations"), 0);
    assert_int_equal(query_int("PRAGMA application_id"), 0x636f616c);
    assert_int_equal(query_int("SELECT count(*) FROM findings"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_seq"), 0);
    v4_layout();
    /* Reopening does not migrate again. */
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), CM_STORE_SCHEMA_VERSION);
}

static void test_refuses(void **state)
{
    struct cm_store *st = (struct cm_store *)&st;
    char err[256] = "";
    FILE *f;
    sqlite3 *db;
    (void)state;

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not a database, just text that is long enough to look like a header.....\n", f);
    fclose(f);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), CM_EIO);
    assert_null(st);
    assert_non_null(strstr(err, path));
    unlink(path);
    /* A store from a newer coalmine is not touched. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                  "INSERT INTO schema_version VALUES (99);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "newer"));
    /* A directory that does not exist: named, with the system's reason. */
    assert_int_equal(cm_store_open(&st, "/nonexistent/dir/x.db", CM_STORE_CREATE, err, sizeof(err)),
                     CM_EIO);
    assert_string_equal(
        err, "/nonexistent/dir/x.db: directory /nonexistent/dir: No such file or directory");
    /* A directory given as the store: said so, not SQLite's "unable to open database file". */
    assert_int_equal(cm_store_open(&st, dir, CM_STORE_CREATE, err, sizeof(err)), CM_EIO);
    assert_null(st);
    assert_non_null(strstr(err, ": Is a directory"));
    assert_null(strstr(err, "unable to open"));
    assert_int_equal(cm_store_open(&st, dir, 0, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, ": Is a directory"));
}

static void test_add_scan(void **state)
{
    struct cm_store *st;
    struct cm_scan_stats s;
    struct cm_scan_input in[2];
    struct cm_scan_reject rej[1];
    char err[256];
    int64_t id1 = 0, id2 = 0;
    (void)state;

    memset(&s, 0, sizeof(s));
    memset(in, 0, sizeof(in));
    memset(rej, 0, sizeof(rej));
    s.files = 2;
    s.bytes_in = 100;
    s.bytes_decoded = 900;
    s.records[CM_EV_CLOUDTRAIL] = 7;
    s.records[CM_EV_FLOW] = 3;
    s.rejected[CM_EV_FLOW] = 1;
    s.rejected_files = 1;
    s.seconds = 0.5;
    in[0].path = "a.json.gz";
    in[0].kind = CM_EV_CLOUDTRAIL;
    in[0].records = 7;
    in[0].time_ms = 1741082400000LL;
    in[1].path = "b.log";
    in[1].kind = CM_EV_FLOW;
    in[1].records = 3;
    in[1].rejected = 1;
    in[1].damaged = 1;
    in[1].skipped = 4;
    in[1].skipped_as = "Transit Gateway flow log";
    in[1].time_ms = INT64_MIN;
    s.skipped[CM_EV_FLOW] = 4;
    s.skipped_files = 2;
    s.inputs = in;
    s.ninputs = 2;
    rej[0].kind = CM_EV_FLOW;
    rej[0].path = "b.log";
    rej[0].offset = 120;
    rej[0].line = 3;
    snprintf(rej[0].reason, sizeof(rej[0].reason), "field 6 (dstport): not a number: 'x'");
    s.rejects = rej;
    s.nrejects = 1;
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    in[0].size = 100;
    assert_int_equal(cm_store_add_scan(st, &s, 1741082400000LL, &id1, err, sizeof(err)), 0);
    in[0].size = 250; /* the file changed before the second scan */
    assert_int_equal(cm_store_add_scan(st, &s, 1741082460000LL, &id2, err, sizeof(err)), 0);
    assert_true(id2 == id1 + 1);
    /* The size an input had when the latest scan that recorded it read it. */
    {
        uint64_t size = 0;
        assert_int_equal(cm_store_input_size(st, "a.json.gz", &size), 0);
        assert_int_equal(size, 250);
        assert_int_equal(cm_store_input_size(st, "never-scanned.log", &size), CM_ENOTFOUND);
    }
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM scans"), 2);
    assert_int_equal(query_int("SELECT records_cloudtrail FROM scans WHERE id = 1"), 7);
    assert_int_equal(query_int("SELECT rejected_vpcflow FROM scans WHERE id = 1"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM inputs WHERE scan_id = 2"), 2);
    assert_int_equal(query_int("SELECT damaged FROM inputs WHERE path = 'b.log' AND scan_id = 1"),
                     1);
    /* What was set aside is recorded too: records + rejected + skipped is the input's all. */
    assert_int_equal(query_int("SELECT skipped_vpcflow FROM scans WHERE id = 1"), 4);
    assert_int_equal(query_int("SELECT skipped_files FROM scans WHERE id = 1"), 2);
    assert_int_equal(query_int("SELECT skipped FROM inputs WHERE path = 'b.log' AND scan_id = 1"),
                     4);
    assert_int_equal(query_int("SELECT count(*) FROM inputs WHERE skipped_as = "
                               "'Transit Gateway flow log'"),
                     2);
    assert_int_equal(query_int("SELECT count(*) FROM inputs WHERE skipped_as IS NULL"), 2);
    assert_int_equal(
        query_int("SELECT count(*) FROM inputs WHERE time = '2025-03-04T10:00:00.000Z'"), 2);
    assert_int_equal(query_int("SELECT line FROM rejects WHERE kind = 'vpcflow' AND scan_id = 2"),
                     3);
    /* Deleting a scan takes its inputs and rejects with it. */
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON; DELETE FROM scans WHERE id = 1",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(db);
    }
    assert_int_equal(query_int("SELECT count(*) FROM inputs"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM rejects"), 1);
}

/* The whole file at path (free()); *n gets its size. */
static unsigned char *slurp(const char *p, size_t *n)
{
    unsigned char *buf = (unsigned char *)t_read_file(p, n);

    assert_non_null(buf);
    return buf;
}

/* Opening path must fail with want, and leave the file byte for byte (and no journal). */
static void refused_untouched(unsigned flags, int want, const char *msg)
{
    struct cm_store *st = (struct cm_store *)&st;
    unsigned char *before, *after;
    size_t n1, n2;
    char err[256] = "", side[600];

    before = slurp(path, &n1);
    assert_int_equal(cm_store_open(&st, path, flags, err, sizeof(err)), want);
    assert_null(st);
    assert_non_null(strstr(err, path));
    if (msg) {
        assert_non_null(strstr(err, msg));
    }
    after = slurp(path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    snprintf(side, sizeof(side), "%s-wal", path);
    assert_int_not_equal(access(side, F_OK), 0);
    snprintf(side, sizeof(side), "%s-journal", path);
    assert_int_not_equal(access(side, F_OK), 0);
    free(before);
    free(after);
}

static void make_db(const char *sql)
{
    sqlite3 *db;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_open_flags_and_foreign_files(void **state)
{
    struct cm_store *st = (struct cm_store *)&st;
    char err[256] = "";
    FILE *f;
    (void)state;

    /* Without CM_STORE_CREATE a missing store is not found, and not created. */
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), CM_ENOTFOUND);
    assert_null(st);
    assert_non_null(strstr(err, path));
    assert_int_not_equal(access(path, F_OK), 0);
    /* With it, it is; then it opens without. */
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    cm_store_close(st);
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    unlink(path);

    /* A text file. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("id,name\n1,not a database at all, whatever the extension says\n", f);
    fclose(f);
    refused_untouched(0, CM_EIO, NULL);
    refused_untouched(CM_STORE_CREATE, CM_EIO, NULL);
    unlink(path);

    /* Another application's SQLite database. */
    make_db("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
            "INSERT INTO users(name) VALUES ('alice'), ('bob');");
    refused_untouched(0, CM_EIO, "not a coalmine store");
    refused_untouched(CM_STORE_CREATE, CM_EIO, "not a coalmine store");
    unlink(path);
    /* One with its own application id, even without tables (or with a version table). */
    make_db("PRAGMA application_id = 1234");
    refused_untouched(CM_STORE_CREATE, CM_EIO, "not a coalmine store");
    unlink(path);
    make_db("PRAGMA application_id = 1234;"
            "CREATE TABLE schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version VALUES (1);");
    refused_untouched(CM_STORE_CREATE, CM_EIO, "not a coalmine store");
    assert_int_equal(query_int("PRAGMA application_id"), 1234);
    unlink(path);
    /* A store of a newer coalmine (which may have its own idea of the header) is not written. */
    make_db("CREATE TABLE schema_version (version INTEGER NOT NULL);"
            "INSERT INTO schema_version VALUES (16);"); /* CM_STORE_SCHEMA_VERSION + 1 */
    refused_untouched(CM_STORE_CREATE, CM_EIO, "newer");
    assert_int_equal(query_int("PRAGMA application_id"), 0);
    unlink(path);
    /* An empty file is a new store. */
    f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    cm_store_close(st);
    assert_int_equal(query_int("PRAGMA application_id"), 0x636f616c);
}

/* Version 2 as migration 1 -> 2 made it (on top of v1_sql). */
static const char v2_sql[] = "CREATE TABLE findings ("
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
                             " PRIMARY KEY (finding_id, seq));"
                             "INSERT INTO schema_version VALUES (2);";

struct ev_list {
    uint64_t offset[4];
    size_t n;
};

static int list_ev(void *ud, const char *p, uint64_t offset, uint32_t line, uint32_t length)
{
    struct ev_list *l = ud;

    (void)p;
    (void)line;
    (void)length;
    assert_true(l->n < 4);
    l->offset[l->n++] = offset;
    return 0;
}

static void test_upgrade_v2(void **state)
{
    static const struct cm_finding_event ev = {42, 3};
    struct t_events e;
    struct cm_finding f, got;
    struct cm_store_put p;
    struct ev_list l;
    struct cm_buf doc;
    struct cm_store *st;
    sqlite3 *db;
    sqlite3_stmt *q;
    char err[256] = "";
    int64_t deleted = -1;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    cm_buf_init(&doc, 0);
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_API, &doc), 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v1_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v2_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO findings(id, type, severity, account_id,"
                                        " region, resource_id, created_at, updated_at, count,"
                                        " doc) VALUES (?1, 'UnauthorizedAccess:EC2/SSHBruteForce',"
                                        " 2, '111122223333', 'us-east-1', 'i-0a1b2c3d4e5f60718',"
                                        " '2025-03-04T10:25:11.234Z', '2025-03-04T10:25:11.234Z',"
                                        " 3, ?2)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, f.id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, doc.p, (int)doc.len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO finding_evidence VALUES (?, 0, 'flows.log.gz',"
                                        " 777, 12, 120), (?1, 1, 'flows.log.gz', 900, 13, 120)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, f.id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);

    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), CM_STORE_SCHEMA_VERSION);
    /* The finding kept its row (now with a seq) and its evidence. */
    assert_int_equal(query_int("SELECT count(*) FROM findings"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM findings WHERE seq IS NULL"), 0);
    assert_true(query_int("SELECT seq FROM findings") > 0);
    assert_int_equal(query_int("SELECT count FROM findings"), 3);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f.id, &got), 0);
    assert_string_equal(got.id, f.id);
    cm_finding_finish(&got);
    memset(&l, 0, sizeof(l));
    assert_int_equal(cm_store_evidence(st, f.id, list_ev, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.offset[0], 777);
    assert_int_equal(l.offset[1], 900);
    /* It takes events and repeats like any other. */
    memset(&p, 0, sizeof(p));
    p.f = &f;
    p.events = &ev;
    p.nevents = 1;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    assert_false(p.is_new);
    assert_int_equal(p.count, 6);
    assert_int_equal(query_int("SELECT count(*) FROM finding_events"), 1);
    /* The rebuilt table's foreign keys hold: expiring it takes its rows along. */
    assert_int_equal(cm_store_set_retention(st, 1, err, sizeof(err)), 0);
    assert_int_equal(cm_store_expire(st, T_NOW + 10 * 86400000LL, &deleted, NULL, err, sizeof(err)),
                     0);
    assert_int_equal(deleted, 1);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM findings"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_events"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM scans"), 0); /* 2025-03-04 is old too */
    cm_buf_finish(&doc);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* Version 3 as migration 2 -> 3 of the previous release made it (on top of v1_sql and v2_sql). */
static const char v3_sql[] =
    "CREATE TABLE findings3 ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
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
    " archived INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE finding_docs ("
    " seq INTEGER PRIMARY KEY REFERENCES findings(seq) ON DELETE CASCADE,"
    " doc TEXT NOT NULL);"
    "INSERT INTO findings3(id, type, severity, account_id, region, resource_type, resource_id,"
    " created_at, updated_at, first_seen, last_seen, count, archived)"
    " SELECT id, type, severity, account_id, region, resource_type, resource_id, created_at,"
    " updated_at, first_seen, last_seen, count, archived FROM findings ORDER BY rowid;"
    "INSERT INTO finding_docs(seq, doc)"
    " SELECT n.seq, o.doc FROM findings3 n JOIN findings o ON o.id = n.id;"
    "DROP TABLE findings;"
    "ALTER TABLE findings3 RENAME TO findings;"
    "CREATE INDEX findings_type ON findings(type, updated_at);"
    "CREATE INDEX findings_severity ON findings(severity, updated_at);"
    "CREATE INDEX findings_account ON findings(account_id, type, updated_at);"
    "CREATE INDEX findings_resource ON findings(resource_id);"
    "CREATE INDEX findings_updated ON findings(updated_at);"
    "CREATE TABLE finding_events ("
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " key INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (fid, key)) WITHOUT ROWID;"
    "CREATE TABLE filters ("
    " name TEXT PRIMARY KEY,"
    " rank INTEGER NOT NULL,"
    " action TEXT NOT NULL,"
    " doc TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE finding_feedback ("
    " finding_id TEXT PRIMARY KEY REFERENCES findings(id) ON DELETE CASCADE,"
    " feedback TEXT NOT NULL,"
    " comments TEXT,"
    " at TEXT NOT NULL);"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO schema_version VALUES (3);";

/* Every row of sql, columns joined by '|' and rows by '\n' (free()). */
static char *dump(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    struct cm_buf out;
    char *s;

    cm_buf_init(&out, 0);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(q); i++) {
            const char *v = (const char *)sqlite3_column_text(q, i);
            assert_int_equal(cm_buf_puts(&out, v ? v : "NULL"), 0);
            assert_int_equal(cm_buf_putc(&out, '|'), 0);
        }
        assert_int_equal(cm_buf_putc(&out, '\n'), 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    s = strndup(out.p ? out.p : "", out.len);
    assert_non_null(s);
    cm_buf_finish(&out);
    return s;
}

/* What a version 3 store holds, read the same way before and after the upgrade. */
#define FINDINGS_SQL                                                                               \
    "SELECT f.seq, f.id, f.type, f.severity, f.account_id, f.region, f.resource_type,"             \
    " f.resource_id, f.created_at, f.updated_at, f.first_seen, f.last_seen, f.count, f.archived,"  \
    " d.doc FROM findings f JOIN finding_docs d ON d.seq = f.seq ORDER BY f.seq"
#define EVENTS_SQL   "SELECT fid, key, n FROM finding_events ORDER BY fid, key"
#define EVIDENCE_SQL "SELECT * FROM finding_evidence ORDER BY finding_id, seq"
#define FILTERS_SQL  "SELECT * FROM filters ORDER BY name"
#define FEEDBACK3_SQL                                                                              \
    "SELECT b.finding_id, b.feedback, b.comments, b.at FROM finding_feedback b"                    \
    " ORDER BY b.finding_id"
#define FEEDBACK4_SQL                                                                              \
    "SELECT f.id, b.feedback, b.comments, b.at FROM finding_feedback b"                            \
    " JOIN findings f ON f.seq = b.fid ORDER BY f.id"

struct v3_snapshot {
    char *findings, *events, *evidence, *filters, *feedback;
};

static void v3_snap(struct v3_snapshot *s)
{
    s->findings = dump(FINDINGS_SQL);
    s->events = dump(EVENTS_SQL);
    s->evidence = dump(EVIDENCE_SQL);
    s->filters = dump(FILTERS_SQL);
    s->feedback = dump(FEEDBACK3_SQL);
}

static void v3_free(struct v3_snapshot *s)
{
    free(s->findings);
    free(s->events);
    free(s->evidence);
    free(s->filters);
    free(s->feedback);
}

static int count_rows(void *ud, const struct cm_finding *f, const char *doc, size_t len)
{
    (void)f;
    (void)doc;
    (void)len;
    (*(size_t *)ud)++;
    return 0;
}

/*
 * Opens the version 3 store at path (which has findings, one of them
 * archived, one with feedback, events under the first and evidence rows)
 * and checks the upgrade kept everything, then that the store works.
 */
static void check_v3_upgrade(const char *first_id, const char *feedback_id)
{
    static const struct cm_finding_event known = {77, 1}, fresh = {78, 2};
    struct v3_snapshot before, after;
    struct cm_store_query q;
    struct cm_store *st;
    struct cm_finding got;
    struct cm_store_put p;
    char err[256] = "", token[CM_STORE_TOKEN_MAX] = "", prev[CM_STORE_TOKEN_MAX], sql[160];
    int64_t nf = query_int("SELECT count(*) FROM findings"), count0, deleted = 0;
    size_t rows = 0, pages = 0;
    const char *ids[1] = {first_id};

    assert_int_equal(query_int("SELECT max(version) FROM schema_version"), 3);
    assert_true(nf >= 4);
    v3_snap(&before);
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), CM_STORE_SCHEMA_VERSION);
    v4_layout();
    /* Every finding keeps its row (seq), columns and document; events, evidence, filters. */
    after.findings = dump(FINDINGS_SQL);
    after.events = dump(EVENTS_SQL);
    after.evidence = dump(EVIDENCE_SQL);
    after.filters = dump(FILTERS_SQL);
    after.feedback = dump(FEEDBACK4_SQL);
    assert_string_equal(after.findings, before.findings);
    assert_string_equal(after.events, before.events);
    assert_string_equal(after.evidence, before.evidence);
    assert_string_equal(after.filters, before.filters);
    assert_string_equal(after.feedback, before.feedback);
    assert_true(strlen(after.feedback) > 0);
    /* Every id was folded into finding_ids, none is recent. */
    assert_int_equal(query_int("SELECT count(*) FROM finding_ids"), nf);
    assert_int_equal(query_int("SELECT count(*) FROM finding_ids_recent"), 0);
    assert_int_equal(query_int("SELECT count(DISTINCT seq) FROM finding_ids i JOIN findings f"
                               " USING (seq)"),
                     nf);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM finding_ids WHERE h = %lld"
             " AND seq = (SELECT seq FROM findings WHERE id = '%s')",
             (long long)cm_store_id_key(first_id), first_id);
    assert_int_equal(query_int(sql), 1);
    /* Read by id, listed page by page. */
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, first_id, &got), 0);
    assert_string_equal(got.id, first_id);
    count0 = got.count;
    cm_finding_finish(&got);
    memset(&q, 0, sizeof(q));
    q.limit = 3;
    do {
        snprintf(prev, sizeof(prev), "%s", token);
        q.next_token = prev;
        assert_int_equal(cm_store_query(st, &q, count_rows, &rows, token, err, sizeof(err)), 0);
        pages++;
    } while (token[0] && pages < 1000);
    assert_int_equal(rows, (size_t)nf);
    assert_int_equal(pages, (size_t)(nf + 2) / 3);
    /* An event it counted before the upgrade still counts once; a new one adds. */
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, first_id, &got), 0);
    memset(&p, 0, sizeof(p));
    p.f = &got;
    p.events = &known;
    p.nevents = 1;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    assert_false(p.is_new);
    assert_false(p.changed);
    p.events = &fresh;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    assert_true(p.changed && !p.is_new);
    assert_int_equal(p.count, count0 + 2);
    cm_finding_finish(&got);
    snprintf(sql, sizeof(sql), "SELECT count FROM findings WHERE id = '%s'", first_id);
    assert_int_equal(query_int(sql), count0 + 2);
    assert_int_equal(query_int("SELECT count(*) FROM findings"), nf);
    /* Archive and feedback find upgraded findings by id. */
    assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), 0);
    snprintf(sql, sizeof(sql), "SELECT archived FROM findings WHERE id = '%s'", first_id);
    assert_int_equal(query_int(sql), 1);
    ids[0] = feedback_id;
    assert_int_equal(cm_store_set_feedback(st, ids, 1, "NOT_USEFUL", NULL, err, sizeof(err)), 0);
    /* Retention takes upgraded findings with everything hanging off them, ids included. */
    assert_int_equal(cm_store_set_retention(st, 1, err, sizeof(err)), 0);
    assert_int_equal(
        cm_store_expire(st, 4102444800000LL /* 2100-01-01 */, &deleted, NULL, err, sizeof(err)), 0);
    assert_int_equal(deleted, nf);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM findings"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_ids"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_sources"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_feedback"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_events"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_docs"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM pragma_foreign_key_check"), 0);
    v3_free(&before);
    v3_free(&after);
}

/* Writes sql with the first finding's id bound to ?1 and the second's to ?2. */
static void exec_ids(const char *sql, const char *id1, const char *id2)
{
    sqlite3 *db;
    sqlite3_stmt *q;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, id1, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(q) > 1) {
        sqlite3_bind_text(q, 2, id2, -1, SQLITE_STATIC);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* Events (a key of count 1 under the first finding) and evidence, as version 3 stored them. */
static void v3_events_and_evidence(const char *id1, const char *id2)
{
    exec_ids("INSERT INTO finding_events SELECT seq, 77, 1 FROM findings WHERE id = ?1", id1, id2);
    exec_ids("UPDATE findings SET count = 1 WHERE id = ?1", id1, id2);
    exec_ids("INSERT INTO finding_evidence VALUES (?1, 0, 'a.log.gz', 777, 12, 120),"
             " (?1, 1, 'b.log', 900, 13, 99), (?2, 0, NULL, 5, 1, 10)",
             id1, id2);
}

#define NV3 5 /* findings of the version 3 store made with SQL */

static void test_upgrade_v3(void **state)
{
    static const char *const types[NV3] = {
        "UnauthorizedAccess:EC2/SSHBruteForce",
        "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "Policy:S3/BucketBlockPublicAccessDisabled",
        "Recon:EC2/PortProbeUnprotectedPort",
        "Backdoor:EC2/C&CActivity.B!DNS",
    };
    struct t_events e;
    struct cm_finding f[NV3];
    struct cm_buf doc;
    sqlite3 *db;
    sqlite3_stmt *q;
    (void)state;

    t_events_init(&e);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v1_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v2_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v3_sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO findings(id, type, severity, account_id,"
                                        " region, resource_type, resource_id, created_at,"
                                        " updated_at, first_seen, last_seen, count, archived)"
                                        " VALUES (?1, ?2, 5, '111122223333', 'us-east-1',"
                                        " 'Instance', ?3, '2025-03-04T10:25:11.234Z',"
                                        " '2025-03-04T10:25:11.234Z', '2025-03-04T10:00:00.000Z',"
                                        " '2025-03-04T10:00:00.000Z', 1, ?4)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    for (int i = 0; i < NV3; i++) {
        char rid[32];
        assert_int_equal(t_sample(&f[i], &e, types[i]), 0);
        snprintf(rid, sizeof(rid), "i-%017d", i);
        sqlite3_bind_text(q, 1, f[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, types[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 3, rid, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(q, 4, i == 2);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO finding_docs SELECT seq, ?2 FROM findings"
                                        " WHERE id = ?1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    cm_buf_init(&doc, 0);
    for (int i = 0; i < NV3; i++) {
        cm_buf_reset(&doc);
        f[i].count = 1;
        assert_int_equal(cm_finding_to_json(&f[i], CM_FORM_API, &doc), 0);
        sqlite3_bind_text(q, 1, f[i].id, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, doc.p, (int)doc.len, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(q), SQLITE_DONE);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    cm_buf_finish(&doc);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO filters VALUES ('quiet', 1, 'ARCHIVE',"
                                  " '{\"name\":\"quiet\",\"description\":\"\","
                                  "\"action\":\"ARCHIVE\",\"rank\":1,\"findingCriteria\":"
                                  "{\"criterion\":{\"type\":{\"equals\":"
                                  "[\"Nope:EC2/Nothing\"]}}}}',"
                                  " '2025-03-04T10:00:00.000Z', '2025-03-04T10:00:00.000Z');"
                                  "INSERT INTO settings VALUES ('retention_days', '0');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    exec_ids("INSERT INTO finding_feedback VALUES (?1, 'USEFUL', 'spot on',"
             " '2025-03-05T00:00:00.000Z')",
             f[1].id, NULL);
    v3_events_and_evidence(f[0].id, f[1].id);
    check_v3_upgrade(f[0].id, f[1].id);
    for (int i = 0; i < NV3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* The previous coalmine (schema 3) binary, if it was kept: $COALMINE_OLD or /tmp/coalmine-old. */
static const char *old_binary(void)
{
    const char *p = getenv("COALMINE_OLD");

    if (p == NULL || *p == '\0') {
        p = "/tmp/coalmine-old";
    }
    return access(p, X_OK) == 0 ? p : NULL;
}

static void test_upgrade_v3_made_by_old_binary(void **state)
{
    const char *old = old_binary();
    char cmd[1400], id1[40] = "", id2[40] = "";
    sqlite3 *db;
    sqlite3_stmt *q;
    (void)state;

    if (old == NULL) {
        skip();
    }
    /* Samples of every type, one archived, one with feedback: all by the old binary. */
    snprintf(cmd, sizeof(cmd), "'%s' findings sample --db '%s' >/dev/null 2>&1", old, path);
    assert_int_equal(system(cmd), 0);
    if (query_int("SELECT max(version) FROM schema_version") != 3) {
        skip(); /* not the schema 3 binary */
    }
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT id FROM findings ORDER BY seq LIMIT 2", -1, &q, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(id1, sizeof(id1), "%s", (const char *)sqlite3_column_text(q, 0));
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    snprintf(id2, sizeof(id2), "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    sqlite3_close(db);
    snprintf(cmd, sizeof(cmd),
             "'%s' findings archive --db '%s' %s >/dev/null 2>&1 &&"
             " '%s' findings feedback --db '%s' --feedback USEFUL --comments 'from v3' %s"
             " >/dev/null 2>&1",
             old, path, id2, old, path, id2);
    assert_int_equal(system(cmd), 0);
    v3_events_and_evidence(id1, id2);
    check_v3_upgrade(id1, id2);
}

/*
 * 5 -> 6: the deliveries version 5 left PENDING on done outbox rows are
 * CANCELLED with the reason; those of open rows stay PENDING. 6 -> 7: they
 * get claim columns, unclaimed. (7 -> 8 adds the scans' skipped columns, 8 -> 9 the
 * resources a finding names, 9 -> 10 the held updates.)
 */
static void test_upgrade_v5_cancels_stale_pending(void **state)
{
    struct cm_store *st;
    sqlite3 *db;
    char err[256];
    (void)state;

    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    cm_store_close(st);
    /* Back to version 5, with what it left (foreign keys are off on this connection). */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "DELETE FROM schema_version WHERE version > 5;"
                     "DROP TABLE publishing_destinations;"
                     "DROP TABLE delivered_state;"
                     "ALTER TABLE outbox DROP COLUMN event;"
                     "ALTER TABLE outbox DROP COLUMN name;"
                     "ALTER TABLE outbox DROP COLUMN source;"
                     "DROP TABLE canaries;"
                     "DROP TABLE source_newest;"
                     "ALTER TABLE rules DROP COLUMN schedule;"
                     "ALTER TABLE rules DROP COLUMN fired_ms;"
                     "DROP TABLE api_tags;"
                     "DROP TABLE intel_sets;"
                     "DROP TABLE detectors;"
                     "DROP TABLE finding_resources;"
                     "DROP TABLE outbox_held;"
                     "ALTER TABLE inputs DROP COLUMN skipped_as;"
                     "ALTER TABLE inputs DROP COLUMN skipped;"
                     "ALTER TABLE scans DROP COLUMN skipped_files;"
                     "ALTER TABLE scans DROP COLUMN skipped_dns;"
                     "ALTER TABLE scans DROP COLUMN skipped_vpcflow;"
                     "ALTER TABLE scans DROP COLUMN skipped_cloudtrail;"
                     "ALTER TABLE deliveries DROP COLUMN claim_until;"
                     "ALTER TABLE deliveries DROP COLUMN claim;"
                     "INSERT INTO rules VALUES ('on', '{}', 1, NULL, 'x', 'x'),"
                     " ('off', '{}', 0, NULL, 'x', 'x');"
                     "INSERT INTO targets VALUES ('on', 't1', 'exec', '{}'),"
                     " ('off', 't1', 'exec', '{}');"
                     "INSERT INTO outbox VALUES (1, 10, 0, 1), (2, 10, 0, 1), (3, 11, 0, 1),"
                     " (4, 12, 0, 0);"
                     "INSERT INTO deliveries VALUES (1, 'on', 't1', 'PENDING', 1, 9, 'e', 'x'),"
                     " (2, 'on', 't1', 'DONE', 1, 0, NULL, 'x'),"
                     " (3, 'off', 't1', 'PENDING', 1, 9, 'e', 'x'),"
                     " (3, 'gone', 't1', 'PENDING', 1, 9, 'e', 'x'),"
                     " (3, 'on', 't2', 'PENDING', 1, 9, 'e', 'x'),"
                     " (3, 'on', 't1', 'PENDING', 1, 9, 'e', 'x'),"
                     " (4, 'on', 't1', 'PENDING', 1, 9, 'e', 'x');",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM deliveries WHERE oseq = 4 AND"
                               " state = 'PENDING'"),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM deliveries WHERE oseq = 2 AND state = 'DONE'"),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM deliveries WHERE state = 'CANCELLED'"
                               " AND next_ms = 0 AND updated_at LIKE '20%Z' AND ("
                               " (oseq = 1 AND last_error = 'superseded by a newer event of the"
                               " finding') OR (rule = 'off' AND last_error = 'rule disabled')"
                               " OR (rule = 'gone' AND last_error = 'rule deleted')"
                               " OR (target = 't2' AND last_error = 'target removed')"
                               " OR (oseq = 3 AND rule = 'on' AND target = 't1' AND"
                               " last_error = 'the rule no longer matches the event'))"),
                     5);
    assert_int_equal(query_int("SELECT count(*) FROM deliveries WHERE claim IS NULL"
                               " AND claim_until = 0"),
                     7);
}

/* A cm_store_stat_fn adding each group's total to *(size_t *)ud. */
static int count_stat(void *ud, const struct cm_store_stat *s)
{
    *(size_t *)ud += (size_t)s->total;
    return 0;
}

/* The resource rows of the store at path, "<finding id> <resource>;" each, in order. */
static void resource_rows(char *out, size_t n)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    size_t k = 0;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT f.id, r.rid FROM finding_resources r"
                                        " JOIN findings f ON f.seq = r.fid ORDER BY 1, 2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW && k < n) {
        k += (size_t)snprintf(out + k, n - k, "%s %s;", (const char *)sqlite3_column_text(q, 0),
                              (const char *)sqlite3_column_text(q, 1));
    }
    assert_true(k < n);
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/*
 * 8 -> 9: the resources a stored finding names besides its identity one are
 * read from its document into finding_resources, the same rows the writer
 * makes (an S3 finding's caller key and second bucket, an Instance
 * finding's network interface), so `--resource` finds the findings stored
 * before the upgrade by any of them.
 */
static void test_upgrade_v8_resources(void **state)
{
    static const char *const types[] = {"Exfiltration:S3/MaliciousIPCaller",
                                        "Recon:EC2/PortProbeUnprotectedPort",
                                        "PenTest:IAMUser/KaliLinux"};
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_finding f[3];
    struct cm_store_put p[3];
    struct cm_store_query q;
    struct cm_store *st;
    char err[256], before[2048], after[2048];
    sqlite3 *db;
    (void)state;

    memset(p, 0, sizeof(p));
    for (int i = 0; i < 3; i++) {
        cm_finding_init(&f[i]);
        assert_int_equal(cm_finding_sample(&f[i], &ctx, T_ACCOUNT, T_REGION, types[i], T_NOW), 0);
        p[i].f = &f[i];
    }
    f[0].buckets[1] = f[0].buckets[0];
    f[0].buckets[1].name = cm_str_cstr("second-bucket");
    f[0].nbuckets = 2;
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, p, 3, err, sizeof(err)), 0);
    cm_store_close(st);
    resource_rows(before, sizeof(before));
    /* The S3 finding: key and second bucket; the instance: its NIC; the key finding: none. */
    assert_int_equal(query_int("SELECT count(*) FROM finding_resources"), 3);
    /* Back to version 8. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "DELETE FROM schema_version WHERE version > 8;"
                                  "DROP TABLE publishing_destinations;"
                                  "DROP TABLE delivered_state;"
                                  "ALTER TABLE outbox DROP COLUMN event;"
                                  "ALTER TABLE outbox DROP COLUMN name;"
                                  "ALTER TABLE outbox DROP COLUMN source;"
                                  "DROP TABLE canaries;"
                                  "DROP TABLE source_newest;"
                                  "ALTER TABLE rules DROP COLUMN schedule;"
                                  "ALTER TABLE rules DROP COLUMN fired_ms;"
                                  "DROP TABLE api_tags;"
                                  "DROP TABLE intel_sets;"
                                  "DROP TABLE detectors;"
                                  "DROP TABLE outbox_held;"
                                  "DROP TABLE finding_resources;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    memset(&q, 0, sizeof(q));
    q.resource_id = "second-bucket";
    assert_int_equal(
        cm_store_stats(st, &q, CM_GROUP_TYPE, 0, count_stat, &q.limit, err, sizeof(err)), 0);
    assert_int_equal(q.limit, 1);
    cm_store_close(st);
    resource_rows(after, sizeof(after));
    assert_string_equal(after, before);
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE name ="
                               " 'finding_resources_rid'"),
                     1);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_waits_out_a_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_flags_and_foreign_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v3, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v3_made_by_old_binary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v5_cancels_stale_pending, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v8_resources, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
