/*
 * Unit tests for the SQLite store: creation and migration (including the
 * upgrade of a version 1 store), reopening, refusing non-databases and newer
 * schemas, and scan records. Findings: test_store_findings.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "store/store.h"

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

    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), CM_STORE_SCHEMA_VERSION);
    cm_store_close(st);
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
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

static void test_upgrade_v1(void **state)
{
    struct cm_store *st;
    sqlite3 *db;
    char err[256];
    (void)state;

    assert_int_equal(CM_STORE_SCHEMA_VERSION, 2);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, v1_sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), 2);
    cm_store_close(st);
    /* The version 1 rows survive; version 2 was reached once, in its own row. */
    assert_int_equal(query_int("SELECT records_cloudtrail FROM scans WHERE id = 1"), 4);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version WHERE version = 2"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM findings"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                               " AND tbl_name = 'findings' AND name LIKE 'findings_%'"),
                     7);
    /* Reopening does not migrate again. */
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_schema_version(st), 2);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM schema_version"), 2);
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
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), CM_EIO);
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
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "newer"));
    /* A directory that does not exist. */
    assert_int_equal(cm_store_open(&st, "/nonexistent/dir/x.db", err, sizeof(err)), CM_EIO);
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
    in[1].time_ms = INT64_MIN;
    s.inputs = in;
    s.ninputs = 2;
    rej[0].kind = CM_EV_FLOW;
    rej[0].path = "b.log";
    rej[0].offset = 120;
    rej[0].line = 3;
    snprintf(rej[0].reason, sizeof(rej[0].reason), "field 6 (dstport): not a number: 'x'");
    s.rejects = rej;
    s.nrejects = 1;
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_add_scan(st, &s, 1741082400000LL, &id1, err, sizeof(err)), 0);
    assert_int_equal(cm_store_add_scan(st, &s, 1741082460000LL, &id2, err, sizeof(err)), 0);
    assert_true(id2 == id1 + 1);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count(*) FROM scans"), 2);
    assert_int_equal(query_int("SELECT records_cloudtrail FROM scans WHERE id = 1"), 7);
    assert_int_equal(query_int("SELECT rejected_vpcflow FROM scans WHERE id = 1"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM inputs WHERE scan_id = 2"), 2);
    assert_int_equal(query_int("SELECT damaged FROM inputs WHERE path = 'b.log' AND scan_id = 1"),
                     1);
    assert_int_equal(
        query_int("SELECT count(*) FROM inputs WHERE time = '2025-03-04T10:00:00.000Z'"), 2);
    assert_int_equal(query_int("SELECT line FROM rejects WHERE kind = 'vpcflow' AND scan_id = 2"),
                     3);
    /* Deleting a scan takes its inputs and rejects with it. */
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_exec(db, "PRAGMA foreign_keys=ON; DELETE FROM scans WHERE id = 1", NULL, NULL,
                         NULL),
            SQLITE_OK);
        sqlite3_close(db);
    }
    assert_int_equal(query_int("SELECT count(*) FROM inputs"), 2);
    assert_int_equal(query_int("SELECT count(*) FROM rejects"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_add_scan, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
