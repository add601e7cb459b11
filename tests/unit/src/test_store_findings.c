/*
 * Unit tests for findings in the SQLite store: inserting, merging a repeat
 * of an identity (count, first/last seen, createdAt, updatedAt, evidence; a
 * record stored already is not stored twice; a repeat of older events keeps
 * the later event's actor), reading a finding back, rolling a failed batch
 * back whole, and counting each underlying event once (event keys, also as
 * the aggregator gives them).
 * Finding ids: ids that share a key (cm_store_id_key), ids that are not
 * hex, before and after their keys are folded, across connections that both
 * write, and a writer killed (SIGKILL) while it writes, folds and
 * checkpoints.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/finding/finding_util.h"
#include "base/err.h"
#include "finding/aggregate.h"
#include "store/store.h"
#include "store/store_impl.h"

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

/*
 * A repeat of types[0]: two more detections, an hour later, seen by a later
 * run. Its evidence is another record of the same file (offset + 1000), or
 * with same_record the very record of t_sample's finding (a re-scan of it).
 */
static void repeat_rec(struct cm_finding *f, const struct t_events *e, bool same_record)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(types[0], t_event_for(e, types[0]));

    ctx.now_ms = T_NOW + 2 * HOUR_MS;
    d.first_ms = T_EVTIME + HOUR_MS;
    d.time_ms = T_EVTIME + 2 * HOUR_MS;
    d.count = 2;
    if (!same_record) {
        d.evidence[0].offset += 1000;
    }
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static void repeat_of(struct cm_finding *f, const struct t_events *e)
{
    repeat_rec(f, e, false);
}

/* Stores findings without event keys (each counts its own count). */
static int put_all(struct cm_store *st, struct cm_finding **v, size_t n, char *err, size_t errlen)
{
    struct cm_store_put p[8];

    assert_true(n <= 8);
    memset(p, 0, sizeof(p));
    for (size_t i = 0; i < n; i++) {
        p[i].f = v[i];
    }
    return cm_store_put_findings(st, p, n, err, errlen);
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
    struct cm_finding f[3], rep, same, got;
    struct cm_finding *v[3], *rv[1];
    struct cm_store *st;
    char err[256] = "", text[64];
    int64_t n = -1;
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    repeat_of(&rep, &e);
    assert_string_equal(rep.id, f[0].id);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(put_all(st, v, 3, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 3);
    rv[0] = &rep;
    assert_int_equal(put_all(st, rv, 1, err, sizeof(err)), 0);
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
    assert_int_equal(query_int("SELECT offset FROM finding_evidence WHERE finding_id = ?"
                               " AND seq = 1",
                               f[0].id),
                     (int64_t)f[0].evidence[0].ref.offset + 1000);
    /*
     * A repeat that brings the first finding's own record again (a re-scan
     * over a file scanned before): its count adds, its record is not stored
     * a second time.
     */
    repeat_rec(&same, &e, true);
    assert_int_equal(same.nevidence, 1);
    assert_int_equal(same.evidence[0].ref.offset, f[0].evidence[0].ref.offset);
    assert_true(cm_str_eq(same.evidence[0].file, f[0].evidence[0].file));
    assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
    rv[0] = &same;
    assert_int_equal(put_all(st, rv, 1, err, sizeof(err)), 0);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f[0].id, &got), 0);
    assert_int_equal(got.count, f[0].count + rep.count + same.count);
    assert_int_equal(got.nevidence, 2);
    assert_int_equal(got.evidence[0].ref.offset, f[0].evidence[0].ref.offset);
    assert_int_equal(got.evidence[1].ref.offset, f[0].evidence[0].ref.offset + 1000);
    cm_finding_finish(&got);
    cm_store_close(st);
    assert_int_equal(
        query_int("SELECT count(*) FROM finding_evidence WHERE finding_id = ?", f[0].id), 2);
    assert_int_equal(query_int("SELECT count(*) FROM (SELECT 1 FROM finding_evidence"
                               " GROUP BY finding_id, path, offset HAVING count(*) > 1)",
                               NULL),
                     0);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    cm_finding_finish(&rep);
    cm_finding_finish(&same);
    t_events_finish(&e);
}

/*
 * A types[2] finding (an API call) from the CloudTrail event of api at ip,
 * at event time ev_ms, seen by a run at now; count 1, evidence at offset.
 */
static void api_finding(struct cm_finding *f, struct t_events *e, const char *api, const char *ip,
                        int64_t ev_ms, int64_t now, uint64_t offset)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;

    e->ct.u.ct.event_name = cm_str_cstr(api);
    e->ct.u.ct.source_ip_address = cm_str_cstr(ip);
    t_ip(&e->ct.u.ct.source_ip, ip);
    e->ct.time_ms = ev_ms;
    e->ct.src.offset = offset;
    d = t_detection(types[2], &e->ct);
    d.time_ms = ev_ms;
    d.first_ms = ev_ms;
    d.count = 1;
    ctx.now_ms = now;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

/*
 * Older files scanned after newer ones (a backfill): the stored finding saw
 * the later event, so eventLastSeen and the actor details (API, remote IP)
 * stay that event's; the older run adds its count and widens eventFirstSeen;
 * createdAt is the stored one, updatedAt the later run's; the stored evidence
 * stays first.
 */
static void test_older_events_after_newer(void **state)
{
    struct t_events e;
    struct cm_finding newer, older, got;
    struct cm_finding *v[1];
    struct cm_store *st;
    char err[256] = "", text[64];
    (void)state;

    t_events_init(&e);
    api_finding(&newer, &e, "PutBucketPublicAccessBlock", "198.51.100.7", T_EVTIME + 5 * HOUR_MS,
                T_NOW + 5 * HOUR_MS, 4096);
    api_finding(&older, &e, "DeleteBucketPublicAccessBlock", "203.0.113.9", T_EVTIME,
                T_NOW + 6 * HOUR_MS, 8192);
    assert_string_equal(newer.id, older.id);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    v[0] = &newer;
    assert_int_equal(put_all(st, v, 1, err, sizeof(err)), 0);
    v[0] = &older;
    assert_int_equal(put_all(st, v, 1, err, sizeof(err)), 0);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, newer.id, &got), 0);
    assert_int_equal(got.count, 2);
    assert_true(got.last_seen_ms == T_EVTIME + 5 * HOUR_MS);
    assert_true(got.first_seen_ms == T_EVTIME);
    assert_true(cm_str_eqc(got.api.api, "PutBucketPublicAccessBlock"));
    assert_true(cm_str_eqc(got.api.remote_ip.ipv4, "198.51.100.7"));
    assert_true(got.created_ms == newer.created_ms);
    assert_true(got.updated_ms == older.updated_ms);
    /* Cited in the order they were detected, as one scan of both cites them. */
    assert_int_equal(got.nevidence, 2);
    assert_true(got.evidence[0].ref.offset == 4096);
    assert_true(got.evidence[1].ref.offset == 8192);
    cm_finding_finish(&got);
    cm_store_close(st);
    query_text("SELECT json_extract(doc, '$.service.action.awsApiCallAction.api') FROM findings"
               " JOIN finding_docs USING (seq) WHERE id = ?",
               newer.id, text, sizeof(text));
    assert_string_equal(text, "PutBucketPublicAccessBlock");
    query_text("SELECT json_extract(doc, '$.service.action.awsApiCallAction.remoteIpDetails"
               ".ipAddressV4') FROM findings JOIN finding_docs USING (seq) WHERE id = ?",
               newer.id, text, sizeof(text));
    assert_string_equal(text, "198.51.100.7");
    query_text("SELECT last_seen FROM findings WHERE id = ?", newer.id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T15:00:00.000Z");
    query_text("SELECT first_seen FROM findings WHERE id = ?", newer.id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T10:00:00.000Z");
    query_text("SELECT created_at FROM findings WHERE id = ?", newer.id, text, sizeof(text));
    assert_string_equal(text, "2025-03-04T15:25:11.234Z");
    cm_finding_finish(&newer);
    cm_finding_finish(&older);
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
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(put_all(st, v, 3, err, sizeof(err)), 0);
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
    assert_int_equal(put_all(st, v, 0, err, sizeof(err)), 0);
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* An attack sequence finding of type whose signals name the findings m[0..n). */
static void sequence_of(struct cm_finding *q, const struct t_events *e, const char *type,
                        struct cm_finding *const *m, size_t n)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(type, t_event_for(e, "PenTest:IAMUser/KaliLinux"));
    char info[512];
    size_t len = (size_t)snprintf(info, sizeof(info), "{\"sequence\":{\"signals\":[");

    for (size_t i = 0; i < n; i++) {
        len += (size_t)snprintf(info + len, sizeof(info) - len, "%s{\"uid\":\"%s\"}", i ? "," : "",
                                m[i]->id);
    }
    snprintf(info + len, sizeof(info) - len, "]}}");
    if (strstr(type, "S3/") != NULL) {
        d.resource_type = CM_RES_S3_BUCKET;
        d.resource_id = CM_STR_LIT("example-data-bucket");
    } else {
        d.resource_type = CM_RES_ACCESS_KEY;
        d.resource_id = CM_STR_LIT("AKIAIOSFODNN7EXAMPLE");
    }
    d.info = cm_str_make(info, strlen(info));
    cm_finding_init(q);
    assert_int_equal(cm_finding_from_detection(q, &ctx, &d), 0);
}

#define ASSOC_SQL                                                                                  \
    "SELECT json_extract(d.doc, '$.associatedAttackSequenceArn') FROM findings f"                  \
    " JOIN finding_docs d ON d.seq = f.seq WHERE f.id = ?"

/*
 * A finding stored by an earlier batch gets associatedAttackSequenceArn when the attack
 * sequence naming it is stored (the lower ARN of two), its count and updatedAt as they
 * were; one named by no sequence does not; a later repeat keeps the mark. Before
 * 2026-12-05 only the findings of the scan that made the sequence could be marked, so
 * hourly scans stored less than one scan.
 */
static void test_sequence_members_marked(void **state)
{
    struct t_events e;
    struct cm_finding f[3], q[2], r;
    struct cm_finding *v[3], *one;
    struct cm_store *st;
    char err[256] = "", got[512], updated[64], lower[512];
    (void)state;

    t_events_init(&e);
    samples(f, v, &e);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(put_all(st, v, 3, err, sizeof(err)), 0);
    query_text("SELECT updated_at FROM findings WHERE id = ?", f[0].id, updated, sizeof(updated));
    sequence_of(&q[0], &e, "AttackSequence:IAM/CompromisedCredentials", v, 2);
    sequence_of(&q[1], &e, "AttackSequence:S3/CompromisedData", v, 2);
    one = &q[0];
    assert_int_equal(put_all(st, &one, 1, err, sizeof(err)), 0);
    for (int i = 0; i < 2; i++) {
        query_text(ASSOC_SQL, f[i].id, got, sizeof(got));
        assert_string_equal(got, q[0].arn.p);
    }
    query_text(ASSOC_SQL, f[2].id, got, sizeof(got));
    assert_string_equal(got, "");
    query_text(ASSOC_SQL, q[0].id, got, sizeof(got));
    assert_string_equal(got, "");
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f[0].id), f[0].count);
    query_text("SELECT updated_at FROM findings WHERE id = ?", f[0].id, got, sizeof(got));
    assert_string_equal(got, updated);
    /* The second sequence: the lower of the two ARNs, whichever came first. */
    snprintf(lower, sizeof(lower), "%s",
             strcmp(q[0].arn.p, q[1].arn.p) < 0 ? q[0].arn.p : q[1].arn.p);
    one = &q[1];
    assert_int_equal(put_all(st, &one, 1, err, sizeof(err)), 0);
    query_text(ASSOC_SQL, f[0].id, got, sizeof(got));
    assert_string_equal(got, lower);
    /* New activity of a member: merged with the stored document, the mark stays. */
    repeat_of(&r, &e);
    one = &r;
    assert_int_equal(put_all(st, &one, 1, err, sizeof(err)), 0);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f[0].id),
                     f[0].count + r.count);
    query_text(ASSOC_SQL, f[0].id, got, sizeof(got));
    assert_string_equal(got, lower);
    cm_store_close(st);
    cm_finding_finish(&r);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    cm_finding_finish(&q[0]);
    cm_finding_finish(&q[1]);
    t_events_finish(&e);
}

static void test_repeat_in_one_batch_and_unarchived(void **state)
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
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(put_all(st, v, 4, err, sizeof(err)), 0);
    assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 3);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f[0].id),
                     (int64_t)(f[0].count + rep.count));
    /* Archived by hand (a later command): new activity brings it back to the current list
     * (spec §3, "Archive interplay"; no suppression rule matches it). */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE findings SET archived = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(put_all(st, &v[3], 1, err, sizeof(err)), 0);
    assert_int_equal(query_int("SELECT archived FROM findings WHERE id = ?", f[0].id), 0);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f[0].id, &got), 0);
    assert_false(got.archived);
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
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    /* The third finding's evidence insert fails, after two findings were written. */
    snprintf(sql, sizeof(sql),
             "CREATE TRIGGER fail BEFORE INSERT ON finding_sources WHEN NEW.fid ="
             " (SELECT seq FROM findings WHERE id = '%s')"
             " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
             f[2].id);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(put_all(st, v, 3, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "refused by the test"));
    assert_non_null(strstr(err, f[2].id));
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_evidence", NULL), 0);
    /* The store is usable afterwards. */
    assert_int_equal(put_all(st, v, 2, err, sizeof(err)), 0);
    assert_int_equal(cm_store_count_findings(st, &n), 0);
    assert_int_equal(n, 2);
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* A finding of types[t] built with count and updatedAt now. */
static void build(struct cm_finding *f, const struct t_events *e, int t, uint32_t count,
                  int64_t now, uint32_t nevidence)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(types[t], t_event_for(e, types[t]));

    ctx.now_ms = now;
    d.count = count;
    d.nevidence = nevidence;
    for (uint32_t i = 0; i < nevidence; i++) {
        d.evidence[i] = (struct cm_src_ref){.file_id = 1 + i % 3, .line = i, .offset = 100 * i};
    }
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

/* Stores f alone with the given events; returns the put's results. */
static struct cm_store_put put_events(struct cm_store *st, struct cm_finding *f,
                                      const struct cm_finding_event *ev, size_t n)
{
    struct cm_store_put p;
    char err[256] = "";

    memset(&p, 0, sizeof(p));
    p.f = f;
    p.events = ev;
    p.nevents = n;
    p.rule = "junk";
    if (cm_store_put_findings(st, &p, 1, err, sizeof(err)) != 0) {
        fail_msg("put: %s", err);
    }
    assert_null(p.rule);
    return p;
}

static int64_t nevents_of(const char *id)
{
    return query_int("SELECT count(*) FROM finding_events e JOIN findings f ON f.seq = e.fid"
                     " WHERE f.id = ?",
                     id);
}

static void test_event_dedup(void **state)
{
    static const struct cm_finding_event k12[2] = {{0x1111, 1}, {0x2222, 1}};
    static const struct cm_finding_event k23[2] = {{0x2222, 1}, {0x3333, 1}};
    static const struct cm_finding_event k44[2] = {{0x4444, 1}, {0x4444, 1}};
    struct t_events e;
    struct cm_finding f, rep, odd, got;
    struct cm_store_put p;
    struct cm_store *st;
    char err[256] = "", upd[64], upd2[64], doc[16384], doc2[16384];
    (void)state;

    t_events_init(&e);
    build(&f, &e, 0, 2, T_NOW, 1);
    build(&rep, &e, 0, 2, T_NOW + HOUR_MS, 1);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    p = put_events(st, &f, k12, 2);
    assert_true(p.is_new && p.changed);
    assert_int_equal(p.added, 2);
    assert_int_equal(p.count, 2);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f.id), 2);
    assert_int_equal(nevents_of(f.id), 2);
    query_text("SELECT updated_at FROM findings WHERE id = ?", f.id, upd, sizeof(upd));
    query_text("SELECT doc FROM findings JOIN finding_docs USING (seq) WHERE id = ?", f.id, doc,
               sizeof(doc));
    /* The same events again (a re-scan): nothing is written. */
    p = put_events(st, &rep, k12, 2);
    assert_false(p.is_new);
    assert_false(p.changed);
    assert_false(p.archived);
    assert_int_equal(p.added, 0);
    assert_int_equal(p.count, 2);
    query_text("SELECT updated_at FROM findings WHERE id = ?", f.id, upd2, sizeof(upd2));
    assert_string_equal(upd, upd2);
    query_text("SELECT doc FROM findings JOIN finding_docs USING (seq) WHERE id = ?", f.id, doc2,
               sizeof(doc2));
    assert_string_equal(doc, doc2);
    assert_int_equal(nevents_of(f.id), 2);
    /* One new event of two: it alone counts, and the finding moves on. */
    p = put_events(st, &rep, k23, 2);
    assert_true(p.changed && !p.is_new);
    assert_int_equal(p.added, 1);
    assert_int_equal(p.count, 3);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", f.id), 3);
    query_text("SELECT updated_at FROM findings WHERE id = ?", f.id, upd2, sizeof(upd2));
    assert_string_equal(upd2, "2025-03-04T11:25:11.234Z");
    assert_int_equal(nevents_of(f.id), 3);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, f.id, &got), 0);
    assert_int_equal(got.count, 3);
    cm_finding_finish(&got);
    /* An empty list of known events is nothing new; unknown events count f->count each time. */
    p = put_events(st, &rep, k23, 0);
    assert_false(p.changed);
    assert_int_equal(p.count, 3);
    p = put_events(st, &rep, NULL, 0);
    assert_true(p.changed);
    assert_int_equal(p.added, rep.count);
    assert_int_equal(p.count, 3 + rep.count);
    p = put_events(st, &rep, NULL, 0);
    assert_int_equal(p.added, rep.count);
    assert_int_equal(p.count, 3 + 2 * rep.count);
    assert_int_equal(nevents_of(f.id), 3);
    /* A new finding counts its distinct events, whatever its own count says. */
    build(&odd, &e, 1, 5, T_NOW, 1);
    p = put_events(st, &odd, k44, 2);
    assert_true(p.is_new);
    assert_int_equal(p.added, 1);
    assert_int_equal(p.count, 1);
    assert_int_equal(odd.count, 5); /* the caller's finding is not modified */
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", odd.id), 1);
    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, odd.id, &got), 0);
    assert_int_equal(got.count, 1);
    cm_finding_finish(&got);
    assert_int_equal(nevents_of(odd.id), 1);
    /* Keys are per finding: the other finding's keys count here. */
    p = put_events(st, &odd, k12, 2);
    assert_int_equal(p.added, 2);
    assert_int_equal(p.count, 3);
    cm_store_close(st);
    cm_finding_finish(&odd);
    cm_finding_finish(&rep);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* In one batch, each finding's events go to that finding (with evidence rows in between). */
static void test_event_keys_per_finding(void **state)
{
    static const struct cm_finding_event ev[6] = {{1, 3}, {2, 3}, {3, 3}, {4, 3}, {5, 3}, {6, 3}};
    static const size_t first[3] = {0, 2, 5}, nev[3] = {2, 3, 1};
    struct t_events e;
    struct cm_finding f[3];
    struct cm_store_put p[3];
    struct cm_store *st;
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    memset(p, 0, sizeof(p));
    for (int i = 0; i < 3; i++) {
        build(&f[i], &e, i, 3 * (uint32_t)nev[i], T_NOW, 4);
        p[i].f = &f[i];
        p[i].events = &ev[first[i]];
        p[i].nevents = nev[i];
    }
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_put_findings(st, p, 3, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++) {
        assert_true(p[i].is_new);
        assert_int_equal(p[i].count, 3 * nev[i]);
        assert_int_equal(nevents_of(f[i].id), (int64_t)nev[i]);
        assert_int_equal(
            query_int("SELECT count(*) FROM finding_evidence WHERE finding_id = ?", f[i].id), 4);
    }
    assert_int_equal(query_int("SELECT count(*) FROM finding_events", NULL), 6);
    /* The whole batch again: every finding already counted its events. */
    assert_int_equal(cm_store_put_findings(st, p, 3, err, sizeof(err)), 0);
    for (int i = 0; i < 3; i++) {
        assert_false(p[i].changed);
        assert_int_equal(p[i].added, 0);
        assert_int_equal(p[i].count, 3 * nev[i]);
    }
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/*
 * Runs detections through a fresh aggregator and stores its findings with
 * their events; ids gets their ids (p[i].f is cleared: the aggregator is gone).
 */
static void agg_and_store(struct cm_store *st, const struct cm_detection *d, size_t nd,
                          struct cm_store_put *p, size_t *np, uint64_t *dups, char ids[][33])
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_agg *a;
    char err[256] = "";

    assert_int_equal(cm_agg_create(&a, 0, 0x1234), 0);
    for (size_t i = 0; i < nd; i++) {
        assert_int_equal(cm_agg_add(a, &ctx, &d[i], NULL, NULL), 0);
    }
    *np = (size_t)cm_agg_stats(a)->findings;
    *dups = cm_agg_stats(a)->duplicates;
    memset(p, 0, *np * sizeof(*p));
    for (size_t i = 0; i < *np; i++) {
        p[i].f = cm_agg_at(a, i);
        p[i].events = cm_agg_events(a, i, &p[i].nevents);
    }
    assert_int_equal(cm_store_put_findings(st, p, *np, err, sizeof(err)), 0);
    for (size_t i = 0; i < *np; i++) {
        snprintf(ids[i], 33, "%s", p[i].f->id);
        p[i].f = NULL;
        p[i].events = NULL;
    }
    cm_agg_destroy(a);
}

static void test_aggregator_events(void **state)
{
    struct t_events e;
    struct cm_event ev[3];
    struct cm_detection d[6];
    struct cm_store_put p[4];
    struct cm_store *st;
    char err[256] = "", ids[4][33];
    size_t np = 0;
    uint64_t dups = 0;
    (void)state;

    t_events_init(&e);
    for (int i = 0; i < 3; i++) {
        static const char *const eid[3] = {"ev-1", "ev-2", "ev-3"};
        ev[i] = e.ct;
        ev[i].u.ct.event_id = cm_str_cstr(eid[i]);
    }
    /* One finding from ev-1 and ev-2, each read twice; another from the flow record twice. */
    d[0] = d[1] = t_detection(types[2], &ev[0]);
    d[2] = d[3] = t_detection(types[2], &ev[1]);
    d[4] = d[5] = t_detection(types[0], &e.flow);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    agg_and_store(st, d, 6, p, &np, &dups, ids);
    assert_int_equal(np, 2);
    assert_int_equal(dups, 3);
    assert_true(p[0].is_new && p[1].is_new);
    assert_int_equal(p[0].count, 2 * d[0].count); /* not inflated by the duplicates */
    assert_int_equal(p[1].count, d[4].count);
    assert_int_equal(query_int("SELECT count(*) FROM finding_events", NULL), 3);
    assert_int_equal(nevents_of(ids[0]), 2);
    assert_int_equal(query_int("SELECT count FROM findings WHERE id = ?", ids[0]), 2 * d[0].count);
    /* The same input scanned again changes nothing. */
    agg_and_store(st, d, 6, p, &np, &dups, ids);
    for (size_t i = 0; i < np; i++) {
        assert_false(p[i].is_new);
        assert_false(p[i].changed);
        assert_int_equal(p[i].added, 0);
    }
    assert_int_equal(p[0].count, 2 * d[0].count);
    assert_int_equal(query_int("SELECT count(*) FROM finding_events", NULL), 3);
    /* A later scan with one new event of the first finding adds just that one. */
    d[1] = t_detection(types[2], &ev[2]);
    agg_and_store(st, d, 4, p, &np, &dups, ids);
    assert_int_equal(np, 1);
    assert_true(p[0].changed);
    assert_int_equal(p[0].added, d[1].count);
    assert_int_equal(p[0].count, 3 * d[0].count);
    assert_int_equal(nevents_of(ids[0]), 3);
    assert_int_equal(nevents_of(ids[1]), 1);
    cm_store_close(st);
    t_events_finish(&e);
}

static int64_t count_of(const char *id)
{
    return query_int("SELECT count FROM findings WHERE id = ?", id);
}

/* Stores f alone, with one event key; returns the put. */
static struct cm_store_put put_key(struct cm_store *st, struct cm_finding *f, uint64_t key)
{
    struct cm_finding_event ev = {key, 1};

    return put_events(st, f, &ev, 1);
}

/* The finding id reads back as a finding of type t. */
static void reads_back(struct cm_store *st, const char *id, const char *type)
{
    struct cm_finding got;

    cm_finding_init(&got);
    assert_int_equal(cm_store_get_finding(st, id, &got), 0);
    assert_string_equal(got.id, id);
    assert_true(cm_str_eqc(got.type, type));
    cm_finding_finish(&got);
}

/*
 * Three findings whose ids share one key (the first 15 hex digits): each is
 * its own finding however it is found (the writer's map, the recent ids,
 * the folded ids, a fresh connection). Ids coalmine does not make (not 32
 * lowercase hex digits) get keys of their own range.
 */
static void test_ids_sharing_a_key(void **state)
{
    struct t_events e;
    struct cm_finding f[3];
    struct cm_store_put p[3];
    struct cm_store *st;
    char err[256] = "";
    const char *ids[1];
    (void)state;

    t_events_init(&e);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t_sample(&f[i], &e, types[i]), 0);
        if (i > 0) {
            /* The first 15 digits of f[0]'s id, then digits of its own. */
            memcpy(f[i].id, f[0].id, 15);
            assert_int_equal(cm_finding_make_arn(&f[i]), 0);
        }
    }
    assert_int_not_equal(strcmp(f[1].id, f[0].id), 0);
    assert_int_not_equal(strcmp(f[2].id, f[1].id), 0);
    assert_true(cm_store_id_key(f[0].id) == cm_store_id_key(f[1].id));
    assert_true(cm_store_id_key(f[0].id) == cm_store_id_key(f[2].id));
    assert_true(cm_store_id_key(f[0].id) >= 0 && cm_store_id_key(f[0].id) < (int64_t)1 << 60);
    assert_true(cm_store_id_key("0123456789abcde0123456789abcdef0") == 0x0123456789abcdeLL);
    assert_true(cm_store_id_key("fffffffffffffff0123456789abcdef0") == 0xfffffffffffffffLL);
    assert_true(cm_store_id_key("not-a-hex-finding-id") >= (int64_t)1 << 60);
    assert_true(cm_store_id_key("0123456789ABCDEF0123456789ABCDEF") >= (int64_t)1 << 60);
    assert_true(cm_store_id_key("0123456789abcdef") >= (int64_t)1 << 60);
    assert_true(cm_store_id_key("a") != cm_store_id_key("b"));

    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    /* One batch: the first two, each new, and a repeat of the first; the third alone. */
    memset(p, 0, sizeof(p));
    p[0].f = &f[0];
    p[1].f = &f[1];
    p[2].f = &f[0];
    assert_int_equal(cm_store_put_findings(st, p, 3, err, sizeof(err)), 0);
    assert_true(p[0].is_new && p[1].is_new && !p[2].is_new);
    assert_int_equal(p[2].count, 2 * f[0].count);
    assert_true(put_key(st, &f[2], 1).is_new);
    assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 3);
    assert_int_equal(query_int("SELECT count(*) FROM finding_ids_recent", NULL), 3);
    for (int round = 0; round < 3; round++) {
        /*
         * 0: the recent ids; 1: folded into finding_ids; 2: the same through
         * a new connection, whose map is loaded from the tables.
         */
        uint64_t k = 100 + 10 * (uint64_t)round;
        int64_t c1 = count_of(f[1].id), c0 = count_of(f[0].id), c2 = count_of(f[2].id);
        struct cm_store_put r = put_key(st, &f[1], k);
        assert_false(r.is_new);
        assert_true(r.changed);
        assert_int_equal(count_of(f[1].id), c1 + 1);
        assert_int_equal(count_of(f[0].id), c0);
        assert_int_equal(count_of(f[2].id), c2);
        r = put_key(st, &f[1], k); /* the same event: nothing */
        assert_false(r.changed);
        r = put_key(st, &f[2], k);
        assert_false(r.is_new);
        assert_int_equal(count_of(f[2].id), c2 + 1);
        assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 3);
        for (int i = 0; i < 3; i++) {
            reads_back(st, f[i].id, types[i]);
        }
        ids[0] = f[2].id;
        assert_int_equal(cm_store_set_archived(st, ids, 1, round != 1, err, sizeof(err)), 0);
        assert_int_equal(query_int("SELECT archived FROM findings WHERE id = ?", f[2].id),
                         round != 1);
        assert_int_equal(query_int("SELECT archived FROM findings WHERE id = ?", f[1].id), 0);
        if (round == 0) {
            assert_int_equal(cm_store_ids_fold_now(cm_store_db(st)), 0);
            assert_int_equal(query_int("SELECT count(*) FROM finding_ids_recent", NULL), 0);
            assert_int_equal(query_int("SELECT count(*) FROM finding_ids", NULL), 3);
            assert_int_equal(query_int("SELECT count(DISTINCT h) FROM finding_ids", NULL), 1);
        } else if (round == 1) {
            cm_store_close(st);
            assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
        }
    }
    /* An id that shares the key but is not stored is not found (and is new when written). */
    {
        struct cm_finding other, got;
        assert_int_equal(t_sample(&other, &e, types[1]), 0);
        memcpy(other.id, f[0].id, 15);
        memcpy(other.id + 15, "00000000000000000", CM_FINDING_ID_LEN - 15);
        assert_int_equal(cm_store_id_key(other.id), cm_store_id_key(f[0].id));
        cm_finding_init(&got);
        assert_int_equal(cm_store_get_finding(st, other.id, &got), CM_ENOTFOUND);
        cm_finding_finish(&got);
        ids[0] = other.id;
        assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), CM_ENOTFOUND);
        assert_true(put_key(st, &other, 7).is_new);
        assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 4);
        cm_finding_finish(&other);
    }
    cm_store_close(st);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/*
 * Two connections write the same store in turns (two processes would): each
 * sees the other's findings as stored, so no id gets two rows and each
 * event counts once.
 */
static void test_two_writers(void **state)
{
    struct t_events e;
    struct cm_finding f[3];
    struct cm_store *a, *b;
    struct cm_store_put r;
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(t_sample(&f[i], &e, types[i]), 0);
    }
    assert_int_equal(cm_store_open(&a, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    assert_int_equal(cm_store_open(&b, path, 0, err, sizeof(err)), 0);
    assert_true(put_key(a, &f[0], 1).is_new); /* a loads its map */
    assert_true(put_key(b, &f[1], 1).is_new); /* b loads its map, after a's write */
    r = put_key(b, &f[0], 2);                 /* a's finding, through b */
    assert_false(r.is_new);
    assert_int_equal(r.count, 2);
    r = put_key(a, &f[1], 2); /* b's finding, through a: a's map is stale and reloads */
    assert_false(r.is_new);
    assert_int_equal(r.count, 2);
    r = put_key(a, &f[0], 2); /* b counted this event for a's finding already */
    assert_false(r.changed);
    assert_true(put_key(a, &f[2], 1).is_new);
    assert_int_equal(cm_store_ids_fold_now(cm_store_db(b)), 0); /* b folds a's new id */
    r = put_key(b, &f[2], 3);
    assert_false(r.is_new);
    r = put_key(a, &f[2], 4);
    assert_false(r.is_new);
    assert_int_equal(r.count, 3);
    assert_int_equal(query_int("SELECT count(*) FROM findings", NULL), 3);
    assert_int_equal(query_int("SELECT count(*) FROM finding_seq", NULL), 3);
    cm_store_close(b);
    cm_store_close(a);
    for (int i = 0; i < 3; i++) {
        cm_finding_finish(&f[i]);
    }
    t_events_finish(&e);
}

/* First column of sql on a connection with the store's key function, as an integer. */
static int64_t keyed_int(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    int64_t v = -1;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(cm_store_id_key_register(db), 0);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &q, NULL), SQLITE_OK);
    if (sqlite3_step(q) == SQLITE_ROW) {
        v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

/* The store after a kill: whole, every finding with exactly one id entry of its key. */
static void consistent_after_kill(void)
{
    char text[64];

    query_text("PRAGMA integrity_check", NULL, text, sizeof(text));
    assert_string_equal(text, "ok");
    assert_int_equal(query_int("SELECT count(*) FROM pragma_foreign_key_check", NULL), 0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_seq", NULL),
                     query_int("SELECT count(*) FROM findings", NULL));
    assert_int_equal(query_int("SELECT count(*) FROM (SELECT seq FROM finding_seq GROUP BY seq"
                               " HAVING count(*) != 1)",
                               NULL),
                     0);
    assert_int_equal(keyed_int("SELECT count(*) FROM finding_seq s LEFT JOIN findings f"
                               " USING (seq) WHERE f.id IS NULL OR s.h != coalmine_id_key(f.id)"),
                     0);
    assert_int_equal(query_int("SELECT count(*) FROM findings f WHERE count !="
                               " (SELECT sum(n) FROM finding_events e WHERE e.fid = f.seq)",
                               NULL),
                     0);
    assert_int_equal(query_int("SELECT count(*) FROM finding_docs", NULL),
                     query_int("SELECT count(*) FROM findings", NULL));
}

/* Gives f the id of number x: 32 hex digits, the first 16 scattered (keys do not collide). */
static void set_id(struct cm_finding *f, uint64_t x)
{
    snprintf(f->id, sizeof(f->id), "%016llx%016llx",
             (unsigned long long)(x * 0x9e3779b97f4a7c15ULL), (unsigned long long)x);
    assert_int_equal(cm_finding_make_arn(f), 0);
}

#define KILL_BATCH 400

/*
 * The child: writes batches of new findings (ids from base up) with a repeat
 * of an older one in each, folding the recent ids every third batch, until
 * it is killed.
 */
static void writer_until_killed(uint64_t base)
{
    static struct cm_finding f[KILL_BATCH];
    static struct cm_store_put p[KILL_BATCH + 1];
    static struct cm_finding_event ev[KILL_BATCH + 1];
    struct t_events e;
    struct cm_store *st;
    char err[256];

    t_events_init(&e);
    if (cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)) != 0) {
        _exit(2);
    }
    for (int i = 0; i < KILL_BATCH; i++) {
        if (t_sample(&f[i], &e, types[i % 3]) != 0) {
            _exit(3);
        }
    }
    for (uint64_t b = 0;; b++) {
        for (int i = 0; i < KILL_BATCH; i++) {
            set_id(&f[i], base + b * KILL_BATCH + (uint64_t)i);
            ev[i] = (struct cm_finding_event){base + b * KILL_BATCH + (uint64_t)i, 1};
            p[i] = (struct cm_store_put){.f = &f[i], .events = &ev[i], .nevents = 1};
        }
        /* And a repeat of the batch's first finding, with an event of its own. */
        ev[KILL_BATCH] = (struct cm_finding_event){~(base + b), 2};
        p[KILL_BATCH] = (struct cm_store_put){.f = &f[0], .events = &ev[KILL_BATCH], .nevents = 1};
        if (cm_store_put_findings(st, p, KILL_BATCH + 1, err, sizeof(err)) != 0) {
            _exit(4);
        }
        if (b % 3 == 2 && cm_store_ids_fold_now(cm_store_db(st)) != 0) {
            _exit(5);
        }
    }
}

/* The integer sql gives, read while another process may be writing; -1 on error. */
static int64_t int_now(const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q = NULL;
    int64_t v = -1;

    if (sqlite3_open(path, &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
            v = sqlite3_column_int64(q, 0);
        }
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

static void test_killed_writer(void **state)
{
    /* After the child's first batches are in: kills at different moments of the next ones. */
    static const int delay_ms[5] = {0, 7, 23, 41, 67};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st;
    char err[256] = "";
    int64_t before = 0;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_store_open(&st, path, CM_STORE_CREATE, err, sizeof(err)), 0);
    cm_store_close(st);
    for (int k = 0; k < 5; k++) {
        struct timespec ts = {0, delay_ms[k] * 1000000L}, poll = {0, 2000000L};
        int status = 0, waited = 0;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            writer_until_killed((uint64_t)(k + 1) << 32);
        }
        /*
         * Slow machines and sanitizers: wait for progress (two batches; the
         * last time, a fold too), not for a fixed time.
         */
        while ((int_now("SELECT count(*) FROM findings") < before + 2 * KILL_BATCH ||
                (k == 4 && int_now("SELECT count(*) FROM finding_ids") <= 0)) &&
               waited++ < 30000) {
            nanosleep(&poll, NULL);
        }
        nanosleep(&ts, NULL);
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status)); /* killed, not failed */
        consistent_after_kill();
        assert_true(query_int("SELECT count(*) FROM findings", NULL) >= before);
        before = query_int("SELECT count(*) FROM findings", NULL);
        /* The store opens and takes writes (and its ids) again. */
        assert_int_equal(cm_store_open(&st, path, 0, err, sizeof(err)), 0);
        assert_int_equal(t_sample(&f, &e, types[k % 3]), 0);
        set_id(&f, (uint64_t)k);
        assert_true(put_key(st, &f, 0xabc0 + (uint64_t)k).is_new);
        assert_false(put_key(st, &f, 0xabc0 + (uint64_t)k).changed);
        cm_store_close(st);
        cm_finding_finish(&f);
        consistent_after_kill();
        before++;
    }
    /* Every child wrote at least two batches, and folded (every third batch) some. */
    assert_true(before >= 5 * 2 * KILL_BATCH);
    assert_true(query_int("SELECT count(*) FROM finding_ids", NULL) > 0);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_and_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_events_after_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_in_one_batch_and_unarchived, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_members_marked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_dedup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_keys_per_finding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregator_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ids_sharing_a_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_writers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_killed_writer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
