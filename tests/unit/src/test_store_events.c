/*
 * Unit tests for canary and scheduled events in the outbox (schema 14; store_canary.c,
 * store_rules.c, src/bus/bus.c): a check's result recorded with its event in one
 * transaction (only while some enabled rule has a pattern; nothing at all when the check
 * is unknown); a scheduled rule's fire moved with its event (once per fire, only when
 * the rule is enabled); the bus routing event rows (a canary event to the rules whose
 * pattern matches it, a Scheduled Event to its own rule's targets), retrying a failed
 * delivery with the backoff, giving it up, routing one row alone (only_seq), counting
 * by source; the state each target took of a finding (delivered_state) and a released
 * update that carries it not sent again; every held update released at once; done event
 * rows expired with the retention; checks reconciled with a config file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_util.h"
#include "../lib/finding/finding_util.h"

#include <sys/stat.h>

#include "bus/bus.h"

static int rule(struct cm_store *st, const char *name, const char *pattern, const char *sched,
                bool enabled)
{
    struct cm_store_rule r = {name, pattern, NULL, enabled, NULL, NULL, sched, 0};
    char err[256] = "";

    return cm_store_rule_put(st, &r, err, sizeof(err));
}

static int target(struct cm_store *st, const char *rule_name, const char *id, const char *spec)
{
    struct cm_store_target t = {rule_name, id, "file", spec};
    char err[256] = "";

    return cm_store_target_put(st, &t, err, sizeof(err));
}

static int canary(struct cm_store *st, const char *name)
{
    struct cm_store_canary c = {0};
    char err[256] = "";

    c.name = name;
    c.kind = "freshness";
    c.schedule = "rate(5 minutes)";
    c.params = "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}";
    c.enabled = true;
    return cm_store_canary_put(st, &c, err, sizeof(err));
}

static size_t lines(const char *path)
{
    FILE *f = fopen(path, "r");
    size_t n = 0;
    int c;

    if (f == NULL) {
        return 0;
    }
    while ((c = fgetc(f)) != EOF) {
        n += c == '\n';
    }
    fclose(f);
    return n;
}

static struct cm_bus_stats run_bus(struct cm_store *st, int64_t now, int64_t only)
{
    struct cm_bus_opts o = {0};
    struct cm_bus_stats s;
    char err[256] = "";

    o.now_ms = now;
    o.only_seq = only;
    assert_int_equal(cm_bus_run(st, &o, &s, err, sizeof(err)), 0);
    return s;
}

static const char canary_ev[] =
    "{\"version\":\"0\",\"id\":\"11111111-2222-3333-4444-555555555555\","
    "\"detail-type\":\"Coalmine Canary Check\",\"source\":\"coalmine.canary\",\"account\":\"\","
    "\"time\":\"2026-01-05T02:10:00.000Z\",\"region\":\"\",\"resources\":[],"
    "\"detail\":{\"name\":\"ct\",\"status\":\"FAIL\"}}";
static const char sched_ev[] =
    "{\"version\":\"0\",\"id\":\"66666666-2222-3333-4444-555555555555\","
    "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\",\"account\":\"111122223333\","
    "\"time\":\"2026-01-05T03:00:00.000Z\",\"region\":\"eu-west-1\","
    "\"resources\":[\"arn:aws:events:eu-west-1:111122223333:rule/nightly\"],\"detail\":{}}";

static void test_canary_record_event(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_event ev = {canary_ev, sizeof(canary_ev) - 1, 5000};
    char err[256] = "";
    int64_t oseq = -1;
    (void)state;

    assert_int_equal(canary(st, "ct"), 0);
    /* No rule: the result is recorded, no row written (nothing would take it). */
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 1000, &ev, &oseq,
                                                  err, sizeof(err)),
                     0);
    assert_int_equal(oseq, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 0);
    assert_int_equal(s_int("SELECT last_run_ms FROM canaries WHERE name = 'ct'", NULL), 1000);
    /* A scheduled rule takes no canary event; a disabled one neither. */
    assert_int_equal(rule(st, "nightly", "", "rate(1 hour)", true), 0);
    assert_int_equal(rule(st, "off", "{\"source\":[\"coalmine.canary\"]}", NULL, false), 0);
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 2000, &ev, &oseq,
                                                  err, sizeof(err)),
                     0);
    assert_int_equal(oseq, 0);
    /* An enabled rule with a pattern: the event is a row of its own, in the same commit. */
    assert_int_equal(rule(st, "pager", "{\"source\":[\"coalmine.canary\"]}", NULL, true), 0);
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 3000, &ev, &oseq,
                                                  err, sizeof(err)),
                     0);
    assert_true(oseq > 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE fid IS NULL AND source = 'canary'"
                           " AND name = 'ct' AND done = 0 AND created_ms = 5000",
                           NULL),
                     1);
    /* No event to send (a PASS after a PASS): the result only. */
    assert_int_equal(cm_store_canary_record_event(st, "ct", "PASS", "ok", "{}", 4000, NULL, &oseq,
                                                  err, sizeof(err)),
                     0);
    assert_int_equal(oseq, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 1);
    /* An unknown check: nothing at all is written (the event rolls back with it). */
    assert_int_equal(cm_store_canary_record_event(st, "nope", "FAIL", "x", "{}", 5000, &ev, &oseq,
                                                  err, sizeof(err)),
                     CM_ENOTFOUND);
    assert_non_null(strstr(err, "no canary named nope"));
    assert_int_equal(oseq, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 1);
    cm_store_close(st);
}

static void test_rule_fire_event(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_event ev = {sched_ev, sizeof(sched_ev) - 1, 7000};
    char err[256] = "";
    int64_t oseq = -1, fired;
    bool taken = false;
    (void)state;

    assert_int_equal(rule(st, "nightly", "", "rate(1 hour)", true), 0);
    fired = s_int("SELECT fired_ms FROM rules WHERE name = 'nightly'", NULL);
    assert_int_equal(cm_store_rule_fire_event(st, "nightly", fired, fired + 3600000, &ev, &taken,
                                              &oseq, err, sizeof(err)),
                     0);
    assert_true(taken);
    assert_true(oseq > 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE source = 'schedule'"
                           " AND name = 'nightly' AND fid IS NULL",
                           NULL),
                     1);
    /* The same fire again (another process with the old fired_ms): not taken, no row. */
    assert_int_equal(cm_store_rule_fire_event(st, "nightly", fired, fired + 3600000, &ev, &taken,
                                              &oseq, err, sizeof(err)),
                     0);
    assert_false(taken);
    assert_int_equal(oseq, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 1);
    /* A disabled rule's fire moves, and writes no event. */
    assert_int_equal(cm_store_rule_enable(st, "nightly", false, err, sizeof(err)), 0);
    assert_int_equal(cm_store_rule_fire_event(st, "nightly", fired + 3600000, fired + 7200000, &ev,
                                              &taken, &oseq, err, sizeof(err)),
                     0);
    assert_true(taken);
    assert_int_equal(oseq, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 1);
    cm_store_close(st);
}

/* Counts the owed rows; the first must be the canary's FAIL (the older row). */
static int count_owed(void *ud, const struct cm_store_owed *o)
{
    int *n = ud;

    if (*n == 0) {
        assert_string_equal(o->source, "canary");
        assert_string_equal(o->name, "ct");
        assert_string_equal(o->status, "FAIL");
    } else {
        assert_string_equal(o->source, "schedule");
        assert_string_equal(o->name, "nightly");
        assert_null(o->status);
    }
    ++*n;
    return 0;
}

static void test_bus_routes_event_rows(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_event cev = {canary_ev, sizeof(canary_ev) - 1, 0};
    struct cm_store_event sev = {sched_ev, sizeof(sched_ev) - 1, 0};
    struct cm_bus_stats s;
    char dir[600], pager[700], report[700], spec[800], err[256] = "";
    int64_t c1 = 0, s1 = 0, now, fired;
    bool taken = false;
    int owed_n;
    (void)state;

    snprintf(dir, sizeof(dir), "%s/down", s_dir);
    snprintf(pager, sizeof(pager), "%s/pager.jsonl", dir);
    snprintf(report, sizeof(report), "%s/report.jsonl", s_dir);
    assert_int_equal(canary(st, "ct"), 0);
    assert_int_equal(rule(st, "pager", "{\"source\":[\"coalmine.canary\"]}", NULL, true), 0);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", pager);
    assert_int_equal(target(st, "pager", "hook", spec), 0);
    assert_int_equal(rule(st, "findings", "{\"source\":[\"aws.guardduty\"]}", NULL, true), 0);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", report);
    assert_int_equal(target(st, "findings", "log", spec), 0);
    assert_int_equal(rule(st, "nightly", "", "rate(1 hour)", true), 0);
    assert_int_equal(target(st, "nightly", "report", spec), 0);
    now = 1767225600000; /* 2026-01-01 */
    cev.created_ms = sev.created_ms = now;
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", now, &cev, &c1,
                                                  err, sizeof(err)),
                     0);
    fired = s_int("SELECT fired_ms FROM rules WHERE name = 'nightly'", NULL);
    assert_int_equal(cm_store_rule_fire_event(st, "nightly", fired, fired + 1, &sev, &taken, &s1,
                                              err, sizeof(err)),
                     0);
    assert_true(c1 > 0 && s1 > c1);

    /* Both owed, listed oldest first, nothing pending yet. */
    owed_n = 0;
    assert_int_equal(cm_store_outbox_owed(st, 0, count_owed, &owed_n, err, sizeof(err)), 0);
    assert_int_equal(owed_n, 2);
    /* One row alone: the canary's; its target's directory is missing: PENDING. */
    s = run_bus(st, now, c1);
    assert_int_equal(s.events, 1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.by_source[CM_BUS_SRC_CANARY].failed, 1);
    assert_int_equal(s.by_source[CM_BUS_SRC_SCHEDULE].events, 0);
    assert_int_equal(lines(report), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'"
                           " AND rule = 'pager' AND attempts = 1",
                           NULL),
                     1);
    owed_n = 0;
    assert_int_equal(cm_store_outbox_owed(st, 1, count_owed, &owed_n, err, sizeof(err)), 0);
    assert_int_equal(owed_n, 1);
    /* The whole outbox: the Scheduled Event goes to its rule's target only (not the findings
     * rule's, which shares the file), the canary's waits for its backoff. */
    s = run_bus(st, now + 1, 0);
    assert_int_equal(s.by_source[CM_BUS_SRC_SCHEDULE].delivered, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(s.waiting, 1);
    assert_int_equal(lines(report), 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE rule = 'findings'", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 1);
    /* The target back, after the backoff: delivered, once. */
    assert_int_equal(mkdir(dir, 0700), 0);
    s = run_bus(st, now + CM_BUS_BACKOFF_MS, 0);
    assert_int_equal(s.by_source[CM_BUS_SRC_CANARY].delivered, 1);
    assert_int_equal(lines(pager), 1);
    s = run_bus(st, now + 10 * CM_BUS_BACKOFF_MS, 0);
    assert_int_equal(s.delivered + s.failed, 0);
    assert_int_equal(lines(pager), 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    assert_int_equal(s_int("SELECT state = 'DONE' AND attempts = 2 FROM deliveries"
                           " WHERE rule = 'pager'",
                           NULL),
                     1);
    cm_store_close(st);
}

static void test_event_rows_give_up(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_event cev = {canary_ev, sizeof(canary_ev) - 1, 1000};
    struct cm_bus_opts o = {0};
    struct cm_bus_stats s;
    char spec[800], err[256] = "";
    int64_t c1 = 0;
    (void)state;

    assert_int_equal(canary(st, "ct"), 0);
    assert_int_equal(rule(st, "pager", "{\"source\":[\"coalmine.canary\"]}", NULL, true), 0);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s/none/x.jsonl\",\"fsync\":false}", s_dir);
    assert_int_equal(target(st, "pager", "hook", spec), 0);
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 1000, &cev, &c1,
                                                  err, sizeof(err)),
                     0);
    /* Eight attempts, the event past its 24 hours: given up, as a finding's. */
    o.ignore_backoff = true;
    for (int i = 0; i < CM_BUS_MIN_ATTEMPTS; i++) {
        o.now_ms = 1000 + CM_BUS_MAX_AGE_MS + i;
        assert_int_equal(cm_bus_run(st, &o, &s, err, sizeof(err)), 0);
    }
    assert_int_equal(s.gave_up, 1);
    assert_int_equal(s.by_source[CM_BUS_SRC_CANARY].gave_up, 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'FAILED'"
                           " AND attempts = 8",
                           NULL),
                     1);
    /* A row whose stored event is not JSON is cancelled, with the reason. */
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 2000, &cev, &c1,
                                                  err, sizeof(err)),
                     0);
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
        assert_int_equal(
            sqlite3_exec(db, "UPDATE outbox SET event = '{bad' WHERE done = 0", NULL, NULL, NULL),
            SQLITE_OK);
        sqlite3_close(db);
    }
    o.now_ms = 3000;
    assert_int_equal(cm_bus_run(st, &o, &s, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    /* Retention: the done event rows past it go, with their deliveries; an owed one stays. */
    cev.created_ms = 4000;
    assert_int_equal(cm_store_canary_record_event(st, "ct", "FAIL", "old", "{}", 4000, &cev, &c1,
                                                  err, sizeof(err)),
                     0);
    assert_int_equal(cm_store_set_retention(st, 1, err, sizeof(err)), 0);
    assert_int_equal(cm_store_expire(st, 86400000 + 3500, NULL, NULL, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 1);
    assert_int_equal(
        s_int("SELECT count(*) FROM outbox WHERE done = 0 AND created_ms = 4000", NULL), 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries", NULL), 0);
    cm_store_close(st);
}

static const char *const ssh = "UnauthorizedAccess:EC2/SSHBruteForce";

static void finding(struct cm_finding *f, const struct t_events *e, int64_t now)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(ssh, t_event_for(e, ssh));

    ctx.now_ms = now;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static void store1(struct cm_store *st, struct cm_finding *f, const struct cm_finding_event *k)
{
    struct cm_store_put p;
    char err[256] = "";

    memset(&p, 0, sizeof(p));
    p.f = f;
    p.events = k;
    p.nevents = 1;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
}

static void test_delivered_state(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    struct cm_store_delivery d;
    char dir[600], path[700], spec[800], id[64], err[256] = "";
    int64_t now, released = -1, held = -1, r1;
    bool was_held;
    (void)state;

    t_events_init(&e);
    finding(&f, &e, T_NOW);
    snprintf(dir, sizeof(dir), "%s/down", s_dir);
    snprintf(path, sizeof(path), "%s/events.jsonl", dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", NULL, true), 0);
    assert_int_equal(target(st, "all", "log", spec), 0);
    store1(st, &f, &k1);
    r1 = s_int("SELECT max(seq) FROM outbox", NULL);
    /*
     * The bus's clock is pinned to 03:00, mid-way through a six-hour interval, and the rows
     * to it: on the wall clock's, a retry 30 s on could cross the interval's end and release
     * the held update before the test does (it failed a CI run so).
     */
    now = 1767236400000; /* 2026-01-01T03:00:00Z */
    s_exec("UPDATE outbox SET created_ms = 1767236400000");
    /* The first state's delivery fails (the directory is missing). */
    s = run_bus(st, now, 0);
    assert_int_equal(s.failed, 1);
    assert_int_equal(cm_store_delivered_event(st, r1, "all", "log", id, sizeof(id)), CM_ENOTFOUND);
    /* An update: held. */
    store1(st, &f, &k2);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    s_exec("UPDATE outbox_held SET since_ms = 1767236400000");
    /* The retry carries the finding as stored now (the update) and records that state. */
    assert_int_equal(mkdir(dir, 0700), 0);
    s = run_bus(st, now + CM_BUS_BACKOFF_MS, 0);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 1);
    assert_int_equal(cm_store_delivered_event(st, r1, "all", "log", id, sizeof(id)), 0);
    assert_int_equal(strlen(id), 36);
    /* Every held update released now, whatever its interval. */
    assert_int_equal(cm_store_outbox_release_ex(st, now + CM_BUS_BACKOFF_MS, true, &released, &held,
                                                err, sizeof(err)),
                     0);
    assert_int_equal(released, 1);
    assert_int_equal(held, 0);
    /* Its state is the one the target took: not sent again. */
    s = run_bus(st, now + CM_BUS_BACKOFF_MS + 1, 0);
    assert_int_equal(s.repeats, 1);
    assert_int_equal(s.delivered, 0);
    assert_int_equal(lines(path), 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'CANCELLED' AND"
                           " last_error LIKE 'not sent: the target already took this state%'",
                           NULL),
                     1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    /* Unarchiving forgets the states taken: it is sent again at its release. */
    {
        const char *ids[1] = {f.id};
        assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), 0);
        assert_int_equal(cm_store_set_archived(st, ids, 1, false, err, sizeof(err)), 0);
    }
    assert_int_equal(s_int("SELECT count(*) FROM delivered_state", NULL), 0);
    assert_int_equal(cm_store_outbox_release_ex(st, now + CM_BUS_BACKOFF_MS, true, &released, &held,
                                                err, sizeof(err)),
                     0);
    s = run_bus(st, now + CM_BUS_BACKOFF_MS + 2, 0);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 2);
    /* A record without an event id, or not DONE, records no state. */
    memset(&d, 0, sizeof(d));
    d.oseq = r1;
    d.rule = "all";
    d.target = "other";
    d.state = CM_DELIVERY_DONE;
    assert_int_equal(cm_store_delivery_record(st, &d, "x", &was_held, err, sizeof(err)), 0);
    assert_false(was_held);
    assert_int_equal(cm_store_delivered_event(st, r1, "all", "other", id, sizeof(id)),
                     CM_ENOTFOUND);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

static void test_canaries_reconcile(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_canary v[2];
    struct cm_store_reconciled r;
    char err[256] = "";
    (void)state;

    memset(v, 0, sizeof(v));
    v[0].name = "a";
    v[0].kind = "freshness";
    v[0].schedule = "rate(5 minutes)";
    v[0].params = "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}";
    v[0].enabled = true;
    v[0].every_fail = true;
    v[1] = v[0];
    v[1].name = "b";
    /* One made by canary put: left alone, whatever the file says. */
    assert_int_equal(canary(st, "mine"), 0);
    assert_int_equal(cm_store_canaries_reconcile(st, v, 2, &r, err, sizeof(err)), 0);
    assert_int_equal(r.created, 2);
    assert_int_equal(r.updated + r.removed + r.unchanged, 0);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE origin = 'config'", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE origin IS NULL", NULL), 1);
    /* Its result, then the same file again: nothing touched. */
    assert_int_equal(cm_store_canary_record(st, "a", "FAIL", "old", "{}", 1000, err, sizeof(err)),
                     0);
    assert_int_equal(cm_store_canaries_reconcile(st, v, 2, &r, err, sizeof(err)), 0);
    assert_int_equal(r.unchanged, 2);
    assert_int_equal(r.created + r.updated + r.removed, 0);
    /* A changed schedule keeps the result (same kind); a changed kind drops it. */
    v[0].schedule = "rate(10 minutes)";
    v[1].kind = "scan-health";
    v[1].params = "{}";
    assert_int_equal(cm_store_canary_record(st, "b", "PASS", "ok", "{}", 1000, err, sizeof(err)),
                     0);
    assert_int_equal(cm_store_canaries_reconcile(st, v, 2, &r, err, sizeof(err)), 0);
    assert_int_equal(r.updated, 2);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name = 'a' AND status = 'FAIL'"
                           " AND schedule = 'rate(10 minutes)'",
                           NULL),
                     1);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name = 'b' AND status IS NULL"
                           " AND kind = 'scan-health'",
                           NULL),
                     1);
    /* b gone from the file: removed; mine stays. */
    assert_int_equal(cm_store_canaries_reconcile(st, v, 1, &r, err, sizeof(err)), 0);
    assert_int_equal(r.removed, 1);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name IN ('a', 'mine')", NULL), 2);
    assert_int_equal(s_int("SELECT count(*) FROM canaries", NULL), 2);
    /* The file naming put's check takes it over; a bad name changes nothing at all. */
    v[1] = v[0];
    v[1].name = "mine";
    assert_int_equal(cm_store_canaries_reconcile(st, v, 2, &r, err, sizeof(err)), 0);
    assert_int_equal(r.updated, 1);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE origin = 'config'", NULL), 2);
    v[1].name = "bad name";
    v[0].schedule = "rate(1 hour)";
    assert_int_equal(cm_store_canaries_reconcile(st, v, 2, &r, err, sizeof(err)), CM_EINVAL);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE schedule = 'rate(1 hour)'", NULL),
                     0);
    assert_int_equal(s_int("SELECT count(*) FROM canaries", NULL), 2);
    /* canary put gives a file's check back to put. */
    assert_int_equal(canary(st, "a"), 0);
    assert_int_equal(cm_store_canaries_reconcile(st, NULL, 0, &r, err, sizeof(err)), 0);
    assert_int_equal(r.removed, 1);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name = 'a'", NULL), 1);
    cm_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_canary_record_event, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_rule_fire_event, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bus_routes_event_rows, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_event_rows_give_up, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_delivered_state, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_canaries_reconcile, s_setup, s_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
