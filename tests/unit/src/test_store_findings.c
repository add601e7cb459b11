/*
 * Unit tests for findings in the SQLite store: inserting, merging a repeat
 * of an identity (count, first/last seen, createdAt, updatedAt, evidence),
 * reading a finding back, and rolling a failed batch back whole.
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

#include "../lib/finding/finding_util.h"
#include "base/err.h"
#include "store/store.h"

#define HOUR_MS 3600000LL

static const char *const types[3] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "CryptoCurrency:EC2/BitcoinTool.B!DNS",
    "Policy:S3/BucketBlockPublicAccessDisabled",
};

static char dir[256], path[512];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/cm_store_findings_XXXXXX");
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

static int64_t query_int(const char *sql, const char *arg)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t v = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
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

/* Text of the first column of sql (one ? bound to arg) into out; "" when no row or NULL. */
static void query_text(const char *sql, const char *arg, char *out, size_t outlen)
{
    sqlite3 *db;
    sqlite3_stmt *q;

    out[0] = '\0';
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
        snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
}

/* A repeat of types[0]: two more detections, an hour later, seen by a later run. */
static void repeat_of(struct cm_finding *f, const struct t_events *e)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(types[0], t_event_for(e, types[0]));

    ctx.now_ms = T_NOW + 2 * HOUR_MS;
    d.first_ms = T_EVTIME + HOUR_MS;
    d.time_ms = T_EVTIME + 2 * HOUR_MS;
    d.count = 2;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static void samples(struct cm_finding f[3], struct cm_finding *v[3], const struct t_events *e)
{
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t_sample(&f[i], e, types[i]), 0);
        v[i] = &f[i];
    }
}

static void test_put_and_merge(void **state)
{
    struct t_events e;
    struct cm_finding f[3], rep, got;
    struct cm_finding *v[3], *rv[1];
    struct cm_store *st;
    char err[256] = "", text[64];
    int64_t n = -1;
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    repeat_of(&rep, &e);
    assert_string_equal(rep.id, f[0].id);
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, v, 3, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 3);
    rv[0] = &rep;
    assert_int_equal(cm_store_put_findings(st, rv, 1, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 3);
    /* The merged finding: counts add up, seen times widen, createdAt kept, updatedAt moves. */
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f[0].id, &got), 0);
    assert_string_equal(got.id, f[0].id);
    assert_int_equal(got.count, f[0].count + rep.count);
    assert_true(got.first_seen_ms == f[0].first_seen_ms);
    assert_true(got.last_seen_ms == rep.last_seen_ms);
    assert_true(got.created_ms == f[0].created_ms);
    assert_true(got.updated_ms == rep.updated_ms);
    assert_int_equal(got.nevidence, f[0].nevidence + rep.nevidence);
    assert_true(cm_str_eqc(got.type, types[0]));
    cm_finding_finish(&got);
    cm_store_close(st);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f[0].id),
                     (int64_t)(f[0].count + rep.count));
    query_text("SELECT created_at FROM findings WHERE id = ?", f[0].id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T10:25:11.234Z");
    query_text("SELECT first_seen FROM findings WHERE id = ?", f[0].id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T10:00:00.000Z");
    query_text("SELECT last_seen FROM findings WHERE id = ?", f[0].id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T12:00:00.000Z");
    query_text("SELECT updated_at FROM findings WHERE id = ?", f[0].id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T12:25:11.234Z");
    query_text("SELECT resource_id FROM findings WHERE id = ?", f[0].id, text, sizeof(text));
    assert_string_equal(text, "i-0a1b2c3d4e5f60718");
    query_text("SELECT resource_type FROM findings WHERE id = ?", f[2].id, text, sizeof(text));
    assert_string_equal(text, "AccessKey"); /* GuardDuty: S3 policy findings name the key */
    /* Evidence rows: the merged finding's two, and one for each other finding. */
    assert_int_equal(
        query_int("SELECT count(*) FROM finding_evidence WHERE finding_id = ?", f[0].id), 2);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence", NULL), 4);
    assert_int_equal(query_int("SELECT line FROM finding_evidence WHERE finding_id = ?"
                               " AND seq = 0",
                               f[1].id),
                     1);
    query_text("SELECT path FROM finding_evidence WHERE finding_id = ? AND seq = 0", f[0].id, text,
               sizeof(text));
    assert_string_equal(text, "flows.log.gz");
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    cm_finding_finish(&rep);
    t_events_finish(&e);
}

static void test_get_round_trip(void **state)
{
    struct t_events e;
    struct cm_finding f[3], got;
    struct cm_finding *v[3];
    struct cm_store *st;
    struct cm_buf a, b;
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, v, 3, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++) {
        cm_buf_init(&a, 0);
        cm_buf_init(&b, 0);
        cm_finding_init(&got);
        assert_int_equal(cm_store_get_finding(st, f[i].id, &got), 0);
        assert_int_equal(cm_finding_to_json(&f[i], CM_FORM_API, &a), 0);
        assert_int_equal(cm_finding_to_json(&got, CM_FORM_API, &b), 0);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.p, b.p, a.len);
        cm_finding_finish(&got);
        cm_buf_finish(&a);
        cm_buf_finish(&b);
    }
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, "00000000000000000000000000000000", &got),
                     CM_ENOTFOUND);
    cm_finding_finish(&got);
    /* An empty batch is a no-op. */
    assert_int_equal(cm_store_put_findings(st, v, 0, err, sizeof(err)), 0);
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

static void test_repeat_in_one_batch_and_archived_kept(void **state)
{
    struct t_events e;
    struct cm_finding f[3], rep, got;
    struct cm_finding *v[4];
    struct cm_store *st;
    char err[256] = "";
    sqlite3 *db;
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    repeat_of(&rep, &e);
    v[3] = &rep;
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, v, 4, err, sizeof(err)), 0);
    assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 3);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f[0].id),
                     (int64_t)(f[0].count + rep.count));
    /* Archiving (a later command) survives a repeat. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE findings SET archived = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_put_findings(st, &v[3], 1, err, sizeof(err)), 0);
    assert_int_equal(query_int("SELECT archived FROM findings WHERE id = ?", f[0].id), 1);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f[0].id, &got), 0);
    assert_true(got.archived);
    assert_int_equal(got.count, f[0].count + 2 * rep.count);
    cm_finding_finish(&got);
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    cm_finding_finish(&rep);
    t_events_finish(&e);
}

static void test_failure_rolls_back(void **state)
{
    struct t_events e;
    struct cm_finding f[3];
    struct cm_finding *v[3];
    struct cm_store *st;
    char err[256] = "", sql[256];
    sqlite3 *db;
    int64_t n = -1;
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    assert_int_equal(cm_store_open(&st, path, err, sizeof(err)), 0);
    /* The third finding's evidence insert fails, after two findings were written. */
    snprintf(sql, sizeof(sql),
             "CREATE TRIGGER fail BEFORE INSERT ON finding_evidence WHEN NEW.finding_id = '%s'"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
             f[2].id);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(cm_store_put_findings(st, v, 3, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "refused by the test"));
    assert_non_null(strstr(err, f[2].id));
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence", NULL), 0);
    /* The store is usable afterwards. */
    assert_int_equal(cm_store_put_findings(st, v, 2, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 2);
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_and_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_in_one_batch_and_archived_kept, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_failure_rolls_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
