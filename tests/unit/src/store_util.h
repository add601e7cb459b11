/*
 * Helpers for the store tests (test_store_query.c, test_store_stats.c,
 * test_store_filters.c): a fresh directory per test with the store path in
 * it, direct SQL on the store file (a second connection, as another process
 * would see it), and whole-file reads. Included after cmocka.h, by test
 * files only.
 */
#ifndef CM_TESTS_STORE_UTIL_H
#define CM_TESTS_STORE_UTIL_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "store/store.h"

static char s_dir[256], s_path[512];

static inline int s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof(s_dir), "/tmp/cm_store_t_XXXXXX");
    if (mkdtemp(s_dir) == NULL) {
        return -1;
    }
    snprintf(s_path, sizeof(s_path), "%s/coalmine.db", s_dir);
    return 0;
}

static inline int s_teardown(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static inline struct cm_store *s_open(void)
{
    struct cm_store *st = NULL;
    char err[256] = "";

    assert_int_equal(cm_store_open(&st, s_path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_non_null(st);
    return st;
}

/* First column of sql (one optional ? bound to arg) as an integer; -1 when no row. */
static inline int64_t s_int(const char *sql, const char *arg)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t v = -1;

    assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (arg) {
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) == SQLITE_ROW) {
        v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* First column of sql as text into out; "" when there is no row or it is NULL. */
static inline void s_text(const char *sql, const char *arg, char *out, size_t outlen)
{
    sqlite3 *db;
    sqlite3_stmt *q;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (arg) {
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* The whole first column of sql as a heap string (free()); NULL when there is no row. */
static inline char *s_dup(const char *sql, const char *arg)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    char *out = NULL;

    assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (arg) {
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        out = strdup((const char *)sqlite3_column_text(q, 0));
        assert_non_null(out);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return out;
}

/* Runs sql on a second connection with foreign keys on (as the store has them). */
static inline void s_exec(const char *sql)
{
    sqlite3 *db;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fail_msg("%s: %s", sql, msg ? msg : "?");
    }
    sqlite3_close(db);
}

#endif
