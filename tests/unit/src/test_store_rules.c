/*
 * Unit tests for the event bus's tables (store_rules.c), the outbox rows
 * written with the findings (store_findings.c) and the bus over them
 * (src/bus/bus.c): rule and target names, limits and deletes; which stores
 * publish (new, updated, not archived, some rule enabled, publishing on);
 * routing through file targets; retries with backoff to the given-up
 * state (driven by the options' clock); superseded rows; a stored pattern
 * that no longer compiles; a target that times out (its other deliveries
 * wait for the next run); a target kind this build does not know;
 * retention keeping findings whose deliveries are owed; PENDING deliveries
 * of finished rows cancelled, with the reason; claims and their leases;
 * updates held for the publishing frequency; findings archived before their
 * event was delivered are not sent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store_util.h"
#include "../lib/finding/finding_util.h"

#include <time.h>

#include "bus/bus.h"
#include "core/clock.h"

static const char *const types[2] = {
    "UnauthorizedAccess:EC2/SSHBruteForce",
    "Policy:S3/BucketBlockPublicAccessDisabled",
};

static void finding(struct cm_finding *f, const struct t_events *e, const char *t, int64_t now)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d = t_detection(t, t_event_for(e, t));

    ctx.now_ms = now;
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &ctx, &d), 0);
}

static int rule(struct cm_store *st, const char *name, const char *pattern, bool enabled)
{
    struct cm_store_rule r = {name, pattern, NULL, enabled, NULL, NULL, NULL, 0};
    char err[256] = "";

    return cm_store_rule_put(st, &r, err, sizeof(err));
}

static int target(struct cm_store *st, const char *rule_name, const char *id, const char *kind,
                  const char *spec)
{
    struct cm_store_target t = {rule_name, id, kind, spec};
    char err[256] = "";

    return cm_store_target_put(st, &t, err, sizeof(err));
}

/* Stores f with event key k; returns the put's result. */
static struct cm_store_put store1(struct cm_store *st, struct cm_finding *f,
                                  const struct cm_finding_event *k)
{
    struct cm_store_put p;
    char err[256] = "";

    memset(&p, 0, sizeof(p));
    p.f = f;
    p.events = k;
    p.nevents = 1;
    assert_int_equal(cm_store_put_findings(st, &p, 1, err, sizeof(err)), 0);
    return p;
}

static int64_t outbox_rows(void)
{
    return s_int("SELECT count(*) FROM outbox", NULL);
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

/*
 * A time past the end of the publishing interval of every held update (the default
 * interval, SIX_HOURS, is the longest): the updates held are due then.
 */
static int64_t after_interval(void)
{
    return s_int("SELECT max(since_ms) FROM outbox_held", NULL) + 21600000;
}

/* Releases the held updates into the outbox, as the bus would once they are due. */
static void release(struct cm_store *st)
{
    int64_t released = 0, held = 0;
    char err[256] = "";

    assert_int_equal(
        cm_store_outbox_release(st, after_interval(), &released, &held, err, sizeof(err)), 0);
    assert_int_equal(held, 0);
}

static struct cm_bus_stats run_bus(struct cm_store *st, int64_t now)
{
    struct cm_bus_opts o = {0};
    struct cm_bus_stats s;
    char err[256] = "";

    o.now_ms = now;
    assert_int_equal(cm_bus_run(st, &o, &s, err, sizeof(err)), 0);
    return s;
}

static void test_rules_and_targets(void **state)
{
    struct cm_store *st = s_open();
    char err[256] = "", name[32], created[64], created2[64];
    (void)state;

    assert_true(cm_store_name_ok("high-sev_1.x"));
    assert_false(cm_store_name_ok(""));
    assert_false(cm_store_name_ok("has space"));
    assert_false(cm_store_name_ok("a/b"));
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    assert_true(cm_store_name_ok(name));
    assert_int_equal(rule(st, "bad name", "{\"source\":[\"x\"]}", true), CM_EINVAL);
    assert_int_equal(rule(st, "r1", "{\"source\":[\"x\"]}", true), 0);
    s_text("SELECT created_at FROM rules WHERE name = ?", "r1", created, sizeof(created));
    assert_int_equal(rule(st, "r1", "{\"source\":[\"y\"]}", false), 0); /* replaced */
    s_text("SELECT created_at FROM rules WHERE name = ?", "r1", created2, sizeof(created2));
    assert_string_equal(created, created2);
    assert_int_equal(s_int("SELECT enabled FROM rules WHERE name = ?", "r1"), 0);
    assert_int_equal(s_int("SELECT count(*) FROM rules", NULL), 1);
    assert_int_equal(cm_store_rule_enable(st, "r1", true, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT enabled FROM rules WHERE name = ?", "r1"), 1);
    assert_int_equal(cm_store_rule_enable(st, "nope", true, err, sizeof(err)), CM_ENOTFOUND);
    assert_non_null(strstr(err, "no rule named nope"));

    assert_int_equal(target(st, "nope", "t", "file", "{}"), CM_ENOTFOUND);
    assert_int_equal(target(st, "r1", "bad id", "file", "{}"), CM_EINVAL);
    for (int i = 0; i < CM_STORE_TARGETS_MAX; i++) {
        snprintf(name, sizeof(name), "t%d", i);
        assert_int_equal(target(st, "r1", name, "file", "{\"path\":\"x\"}"), 0);
    }
    assert_int_equal(target(st, "r1", "t5", "file", "{}"), CM_EFULL);
    assert_int_equal(target(st, "r1", "t0", "exec", "{\"argv\":[\"/bin/true\"]}"), 0); /* replace */
    assert_int_equal(s_int("SELECT count(*) FROM targets WHERE rule = ?", "r1"),
                     CM_STORE_TARGETS_MAX);
    assert_int_equal(cm_store_target_remove(st, "r1", "t9", err, sizeof(err)), CM_ENOTFOUND);
    assert_int_equal(cm_store_target_remove(st, "r1", "t4", err, sizeof(err)), 0);

    /* A rule with targets goes only with force, and takes them along. */
    assert_int_equal(cm_store_rule_delete(st, "r1", false, err, sizeof(err)), CM_EEXIST);
    assert_non_null(strstr(err, "4 target(s)"));
    assert_int_equal(cm_store_rule_delete(st, "r1", true, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM targets", NULL), 0);
    assert_int_equal(cm_store_rule_delete(st, "r1", true, err, sizeof(err)), CM_ENOTFOUND);

    /* The quota counts new rules; replacing one at the quota is fine. */
    for (int i = 0; i < CM_STORE_RULES_MAX; i++) {
        snprintf(name, sizeof(name), "q%03d", i);
        assert_int_equal(rule(st, name, "{\"source\":[\"x\"]}", false), 0);
    }
    assert_int_equal(rule(st, "one-more", "{\"source\":[\"x\"]}", false), CM_EFULL);
    assert_int_equal(rule(st, "q000", "{\"source\":[\"z\"]}", false), 0);
    cm_store_close(st);
}

static void test_outbox_with_the_findings(void **state)
{
    static const char hide[] = "{\"name\":\"hide\",\"action\":\"ARCHIVE\",\"findingCriteria\":"
                               "{\"criterion\":{\"type\":{\"eq\":[\"Policy:S3/"
                               "BucketBlockPublicAccessDisabled\"]}}}}";
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1}, k3 = {3, 1}, k4 = {4, 1};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store *st = s_open();
    struct cm_store_put p;
    struct cm_filter *flt = NULL;
    struct cm_diag dg;
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW);
    finding(&f[1], &e, types[1], T_NOW);
    /* No rule, or none enabled: nothing is published. */
    store1(st, &f[0], &k1);
    assert_int_equal(outbox_rows(), 0);
    assert_int_equal(rule(st, "off", "{\"source\":[\"aws.guardduty\"]}", false), 0);
    store1(st, &f[0], &k2);
    assert_int_equal(outbox_rows(), 0);
    /* Enabled: a new finding and an update are published; a repeat with nothing new is not. */
    assert_int_equal(cm_store_rule_enable(st, "off", true, err, sizeof(err)), 0);
    p = store1(st, &f[1], &k1);
    assert_true(p.is_new);
    assert_int_equal(outbox_rows(), 1);
    p = store1(st, &f[1], &k1);
    assert_false(p.changed);
    assert_int_equal(outbox_rows(), 1);
    p = store1(st, &f[0], &k3);
    assert_true(p.changed);
    /* An update is held for the publishing frequency, then goes to the outbox. */
    assert_int_equal(outbox_rows(), 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    release(st);
    assert_int_equal(outbox_rows(), 2);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 0);
    assert_int_equal(s_int("SELECT count(DISTINCT fid) FROM outbox", NULL), 2);
    /* Publishing off (scan --no-route). */
    cm_store_set_publish(st, false);
    p = store1(st, &f[0], &k4);
    assert_true(p.changed);
    assert_int_equal(outbox_rows(), 2);
    cm_store_set_publish(st, true);
    /* Archived by a suppression rule: not published. */
    cm_diag_clear(&dg);
    assert_int_equal(cm_filter_parse(hide, strlen(hide), NULL, &flt, &dg), 0);
    assert_int_equal(cm_store_filter_put(st, flt, true, err, sizeof(err)), 0);
    cm_filter_destroy(flt);
    p = store1(st, &f[1], &k2);
    assert_true(p.changed && p.archived);
    assert_int_equal(outbox_rows(), 2);
    assert_int_equal(cm_store_outbox_count(st), 2);
    /* Archived by hand, then new activity: back in the current list and published (spec
     * §3, "Archive interplay"); no suppression rule matches it. */
    {
        const char *ids[1] = {f[0].id};
        static const struct cm_finding_event k5 = {5, 1};

        assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), 0);
        p = store1(st, &f[0], &k5);
        assert_true(p.changed && !p.archived);
        release(st);
        assert_int_equal(outbox_rows(), 3);
        assert_int_equal(s_int("SELECT archived FROM findings WHERE id = ?", f[0].id), 0);
    }
    cm_finding_finish(&f[0]);
    cm_finding_finish(&f[1]);
    t_events_finish(&e);
    cm_store_close(st);
}

static void test_bus_routes_and_retries(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1}, k3 = {3, 1};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    char path[600], spec[700], err[256] = "";
    int64_t now = T_NOW + 1000;
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW);
    finding(&f[1], &e, types[1], T_NOW);
    snprintf(path, sizeof(path), "%s/events.jsonl", s_dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(
        rule(st, "ssh", "{\"detail\":{\"type\":[{\"suffix\":\"SSHBruteForce\"}]}}", true), 0);
    assert_int_equal(target(st, "ssh", "log", "file", spec), 0);
    assert_int_equal(target(st, "ssh", "fail", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    assert_int_equal(
        rule(st, "none", "{\"detail\":{\"severity\":[{\"numeric\":[\">\",9]}]}}", true), 0);
    assert_int_equal(target(st, "none", "log", "file", spec), 0);
    store1(st, &f[0], &k1);
    store1(st, &f[1], &k1);
    /* The bus's clock from the outbox rows' (the store's clock), for the events' age. */
    now = s_int("SELECT max(created_ms) FROM outbox", NULL) + 1000;
    s = run_bus(st, now);
    assert_int_equal(s.events, 2);
    assert_int_equal(s.matched, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.pending, 1);
    assert_int_equal(lines(path), 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 1);
    assert_int_equal(s_int("SELECT next_ms FROM deliveries WHERE target = 'fail'", NULL),
                     now + CM_BUS_BACKOFF_MS);
    /* Within the backoff: nothing tried; the delivered target is never tried again. */
    s = run_bus(st, now + CM_BUS_BACKOFF_MS - 1);
    assert_int_equal(s.waiting, 1);
    assert_int_equal(s.failed + s.delivered, 0);
    assert_int_equal(s.events + s.matched, 0); /* nothing routed */
    assert_int_equal(lines(path), 1);
    /*
     * Each failure doubles the wait (30 s, 60 s, ...), up to an hour. The 8th attempt
     * (an hour in) does not give up: the event is retried until it is 24 hours old
     * (EventBridge's retry policy), and the first failure from then on gives up.
     * Before, the 8th gave up: a target down for an hour lost every event of that hour.
     */
    for (uint32_t a = 2;; a++) {
        int64_t next = s_int("SELECT next_ms FROM deliveries WHERE target = 'fail'", NULL);
        s = run_bus(st, next);
        assert_int_equal(s_int("SELECT attempts FROM deliveries WHERE target = 'fail'", NULL), a);
        if (next - now + 1000 < CM_BUS_MAX_AGE_MS) {
            int64_t wait =
                s_int("SELECT next_ms FROM deliveries WHERE target = 'fail'", NULL) - next;
            int64_t want = a < 20 ? (int64_t)CM_BUS_BACKOFF_MS << (a - 1) : CM_BUS_BACKOFF_MAX;
            assert_int_equal(wait, want < CM_BUS_BACKOFF_MAX ? want : CM_BUS_BACKOFF_MAX);
            assert_int_equal(s.failed, 1);
            assert_int_equal(s.gave_up, 0);
        } else {
            assert_int_equal(s.gave_up, 1);
            assert_int_equal(a, 31); /* 7 doubling waits (about an hour), then 23 hourly */
            break;
        }
    }
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'FAILED'"
                           " AND last_error LIKE '%exit 1%'",
                           NULL),
                     1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    assert_int_equal(lines(path), 1);

    /* Two updates before a run: one held row, one event is sent once it is due. */
    assert_int_equal(cm_store_target_remove(st, "ssh", "fail", err, sizeof(err)), 0);
    store1(st, &f[0], &k2);
    store1(st, &f[0], &k3);
    s = run_bus(st, after_interval());
    assert_int_equal(s.released, 1);
    assert_int_equal(s.superseded, 0);
    assert_int_equal(s.events, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 2);
    s = run_bus(st, now);
    assert_int_equal(s.events + s.superseded + s.delivered + s.released + s.held, 0);
    cm_finding_finish(&f[0]);
    cm_finding_finish(&f[1]);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * A target that hangs: its first delivery times out, and its others wait
 * for the next run, untried (no attempt spent), while the run goes on to
 * the other targets. Before, every delivery waited the whole timeout: n
 * events to a hung webhook kept the scan n timeouts long.
 */
static void test_bus_timeout_stalls_target(void **state)
{
    static const struct cm_finding_event k1 = {1, 1};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    struct timespec t0, t1;
    char path[600], spec[700], sql[256];
    int64_t now = T_NOW + 1000;
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW);
    finding(&f[1], &e, types[1], T_NOW);
    snprintf(path, sizeof(path), "%s/events.jsonl", s_dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(
        target(st, "all", "hang", "exec", "{\"argv\":[\"sleep\",\"30\"],\"timeout_seconds\":1}"),
        0);
    assert_int_equal(target(st, "all", "log", "file", spec), 0);
    store1(st, &f[0], &k1);
    store1(st, &f[1], &k1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s = run_bus(st, now);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.deferred, 1);
    assert_int_equal(s.delivered, 2); /* the file target got both */
    assert_int_equal(s.pending, 2);
    assert_int_equal(lines(path), 2);
    /* One timeout (1 s), not two. */
    assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1900);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE target = 'hang'"
                           " AND attempts = 1 AND last_error LIKE '%killed after 1 s (timeout)%'",
                           NULL),
                     1);
    /* The one not tried is listed, owed: PENDING, 0 attempts, due now, with the reason. */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM deliveries WHERE target = 'hang' AND state = 'PENDING'"
             " AND attempts = 0 AND next_ms = %lld AND last_error = ?",
             (long long)now);
    assert_int_equal(s_int(sql, "not tried yet: target hang was unavailable earlier in the run"),
                     1);
    /* The next run, within the first one's backoff: the second is tried (its attempt 1). */
    s = run_bus(st, now + 1);
    assert_int_equal(s.waiting, 1);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s.deferred, 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE target = 'hang'"
                           " AND attempts = 1 AND state = 'PENDING'",
                           NULL),
                     2);
    assert_int_equal(lines(path), 2);
    cm_finding_finish(&f[0]);
    cm_finding_finish(&f[1]);
    t_events_finish(&e);
    cm_store_close(st);
}

static void test_bus_broken_rules(void **state)
{
    static const struct cm_finding_event k1 = {1, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_bus_opts o = {0};
    struct cm_bus_stats s;
    sqlite3 *db;
    char err[256] = "";
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    /* A target kind this build does not know: a failed attempt, not a failed run. */
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "future", "carrier-pigeon", "{}"), 0);
    store1(st, &f, &k1);
    s = run_bus(st, T_NOW);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE last_error LIKE"
                           " '%unknown target kind \"carrier-pigeon\"%'",
                           NULL),
                     1);
    /* A stored pattern that no longer compiles stops the run, naming the rule. */
    assert_int_equal(sqlite3_open(s_path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "UPDATE rules SET pattern = '{\"source\":\"x\"}'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    o.now_ms = T_NOW;
    assert_int_equal(cm_bus_run(st, &o, &s, err, sizeof(err)), CM_EIO);
    assert_non_null(strstr(err, "stored rule all"));
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * Retention keeps a finding whose outbox row is not done (its deliveries
 * are owed; the cascade would take them) and expires it once the row is.
 */
static void test_expire_keeps_owed_findings(void **state)
{
    static const struct cm_finding_event k1 = {1, 1};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    char err[256] = "";
    int64_t deleted = -1, kept = -1, later = T_NOW + 400 * 86400000LL;
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW);
    finding(&f[1], &e, types[1], T_NOW);
    assert_int_equal(
        rule(st, "ssh", "{\"detail\":{\"type\":[{\"suffix\":\"SSHBruteForce\"}]}}", true), 0);
    assert_int_equal(target(st, "ssh", "fail", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    store1(st, &f[0], &k1);
    store1(st, &f[1], &k1);
    s = run_bus(st, T_NOW);
    assert_int_equal(s.failed, 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 1);
    assert_int_equal(cm_store_set_retention(st, 300, err, sizeof(err)), 0);
    assert_int_equal(cm_store_expire(st, later, &deleted, &kept, err, sizeof(err)), 0);
    assert_int_equal(deleted, 1); /* the one whose row is done */
    assert_int_equal(kept, 1);
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 1);
    assert_int_equal(s_int("SELECT count(*) FROM finding_seq", NULL), 1);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'", NULL), 1);
    /* Delivered: the next run expires it. */
    assert_int_equal(target(st, "ssh", "fail", "exec", "{\"argv\":[\"/bin/true\"]}"), 0);
    s = run_bus(st, later);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(cm_store_expire(st, later, &deleted, &kept, err, sizeof(err)), 0);
    assert_int_equal(deleted, 1);
    assert_int_equal(kept, 0);
    assert_int_equal(s_int("SELECT count(*) FROM findings", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries", NULL), 0);
    cm_finding_finish(&f[0]);
    cm_finding_finish(&f[1]);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * An outbox row finished without making some of its deliveries cancels
 * them, with the reason: none stays PENDING for ever.
 */
static void test_finished_rows_cancel_pending(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1};
    struct t_events e;
    struct cm_finding f[2];
    struct cm_store *st = s_open();
    struct cm_store_delivery d;
    struct cm_bus_stats s;
    enum cm_delivery_state ds;
    char err[256] = "", why[128];
    int64_t now = T_NOW + 1000, later = now + CM_BUS_BACKOFF_MS;
    (void)state;

    t_events_init(&e);
    finding(&f[0], &e, types[0], T_NOW);
    finding(&f[1], &e, types[1], T_NOW);
    assert_int_equal(
        rule(st, "ssh", "{\"detail\":{\"type\":[{\"suffix\":\"SSHBruteForce\"}]}}", true), 0);
    assert_int_equal(target(st, "ssh", "x", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    assert_int_equal(target(st, "ssh", "gone", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    assert_int_equal(rule(st, "s3", "{\"detail\":{\"type\":[{\"prefix\":\"Policy:S3\"}]}}", true),
                     0);
    assert_int_equal(target(st, "s3", "x", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    store1(st, &f[0], &k1);
    store1(st, &f[1], &k1);
    s = run_bus(st, now);
    assert_int_equal(s.failed, 3);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'", NULL), 3);
    /* An update supersedes f[0]'s row; a target goes; the other rule is disabled. */
    store1(st, &f[0], &k2);
    release(st);
    assert_int_equal(cm_store_target_remove(st, "ssh", "gone", err, sizeof(err)), 0);
    assert_int_equal(target(st, "ssh", "x", "exec", "{\"argv\":[\"/bin/true\"]}"), 0);
    assert_int_equal(cm_store_rule_enable(st, "s3", false, err, sizeof(err)), 0);
    s = run_bus(st, later);
    assert_int_equal(s.superseded, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'CANCELLED'", NULL), 3);
    s_text("SELECT last_error FROM deliveries WHERE state = 'CANCELLED' AND rule = 'ssh'"
           " AND target = 'x'",
           NULL, why, sizeof(why));
    assert_string_equal(why, "superseded by a newer event of the finding");
    s_text("SELECT last_error FROM deliveries WHERE target = 'gone'", NULL, why, sizeof(why));
    assert_string_equal(why, "superseded by a newer event of the finding");
    s_text("SELECT last_error FROM deliveries WHERE rule = 's3'", NULL, why, sizeof(why));
    assert_string_equal(why, "rule disabled");
    /* The state reads back, by name, for `rules deliveries --state CANCELLED`. */
    assert_int_equal(cm_delivery_state_parse("CANCELLED", &ds), 0);
    assert_int_equal(ds, CM_DELIVERY_CANCELLED);
    assert_string_equal(cm_delivery_state_name(CM_DELIVERY_CANCELLED), "CANCELLED");
    assert_int_equal(s_int("SELECT min(oseq) FROM deliveries WHERE rule = 's3'", NULL) > 0, 1);
    assert_int_equal(cm_store_delivery_get(st,
                                           s_int("SELECT min(oseq) FROM deliveries WHERE"
                                                 " rule = 's3'",
                                                 NULL),
                                           "s3", "x", &d),
                     0);
    assert_int_equal(d.state, CM_DELIVERY_CANCELLED);

    /* A target removed while its delivery waits: the row is finished, the delivery cancelled. */
    assert_int_equal(cm_store_rule_enable(st, "s3", true, err, sizeof(err)), 0);
    store1(st, &f[1], &k2);
    release(st);
    s = run_bus(st, later);
    assert_int_equal(s.failed, 1);
    assert_int_equal(cm_store_target_remove(st, "s3", "x", err, sizeof(err)), 0);
    s = run_bus(st, later + CM_BUS_BACKOFF_MS);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'PENDING'", NULL), 0);
    s_text("SELECT last_error FROM deliveries WHERE rule = 's3' ORDER BY oseq DESC", NULL, why,
           sizeof(why));
    assert_string_equal(why, "target removed");
    cm_finding_finish(&f[0]);
    cm_finding_finish(&f[1]);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * Claims: one run at a time holds a delivery; an expired lease is taken
 * over and the late run's outcome is not recorded; a row finished by
 * another run meanwhile keeps its delivery CANCELLED for a retry outcome.
 */
static void test_delivery_claims(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_store_claim a = {0, "all", "x", "run-a", 1000, 5000, INT64_MAX, NULL};
    struct cm_store_claim b = {0, "all", "x", "run-b", 2000, 5000, INT64_MAX, NULL};
    struct cm_store_delivery d;
    enum cm_claim_result res;
    char err[256] = "", why[128];
    bool held;
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "x", "exec", "{\"argv\":[\"/bin/true\"]}"), 0);
    store1(st, &f, &k1);
    a.oseq = b.oseq = s_int("SELECT max(seq) FROM outbox", NULL);
    /* a takes it; b finds it busy; a's outcome is recorded; b then finds it settled. */
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    assert_int_equal(d.attempts, 0);
    assert_int_equal(cm_store_delivery_claim(st, &b, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_BUSY);
    d = (struct cm_store_delivery){a.oseq, "all", "x", CM_DELIVERY_DONE, 1, 0, NULL, NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-a", &held, err, sizeof(err)), 0);
    assert_true(held);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'DONE'"
                           " AND claim IS NULL",
                           NULL),
                     1);
    assert_int_equal(cm_store_delivery_claim(st, &b, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_SETTLED);

    /* A lease that ran out is taken over; the first run's late outcome is not written. */
    store1(st, &f, &k2);
    release(st);
    a.oseq = b.oseq = s_int("SELECT max(seq) FROM outbox", NULL);
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    b.now_ms = a.now_ms + a.lease_ms + 1;
    assert_int_equal(cm_store_delivery_claim(st, &b, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    d = (struct cm_store_delivery){a.oseq, "all", "x", CM_DELIVERY_DONE, 1, 0, NULL, NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-a", &held, err, sizeof(err)), 0);
    assert_false(held);
    d = (struct cm_store_delivery){b.oseq, "all", "x", CM_DELIVERY_PENDING, 1, 77, "e", NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-b", &held, err, sizeof(err)), 0);
    assert_true(held);
    assert_int_equal(s_int("SELECT next_ms FROM deliveries WHERE state = 'PENDING'", NULL), 77);
    /* Waiting for its backoff (due before next_ms), unless due is INT64_MAX. */
    a.due_ms = 76;
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_WAITING);
    /* Recorded a day ahead of now: the wall clock was set back since. Its next_ms counts
     * from the clock before the step, so it does not hold: due now. */
    s_exec("UPDATE deliveries SET updated_at = '2099-01-01T00:00:00.000Z'"
           " WHERE state = 'PENDING'");
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    d = (struct cm_store_delivery){a.oseq, "all", "x", CM_DELIVERY_PENDING, 1, 77, "e", NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-a", &held, err, sizeof(err)), 0);
    assert_true(held);
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_WAITING);
    a.due_ms = INT64_MAX;

    /* Claimed, then its row finished by another run (superseded): a retry outcome stays
     * CANCELLED; a DONE outcome is recorded. */
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    assert_int_equal(cm_store_outbox_done(st, a.oseq, true, err, sizeof(err)), 0);
    d = (struct cm_store_delivery){a.oseq, "all", "x", CM_DELIVERY_PENDING, 2, 99, "e2", NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-a", &held, err, sizeof(err)), 0);
    assert_true(held);
    s_text("SELECT state || ':' || last_error FROM deliveries WHERE oseq = (SELECT max(seq)"
           " FROM outbox)",
           NULL, why, sizeof(why));
    assert_string_equal(why, "CANCELLED:superseded by a newer event of the finding");
    d.state = CM_DELIVERY_DONE;
    d.last_error = NULL;
    assert_int_equal(cm_store_delivery_record(st, &d, "run-a", &held, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'DONE'", NULL), 2);
    /* Its row is done: nothing more to claim. */
    assert_int_equal(cm_store_delivery_claim(st, &b, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_SETTLED);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

static bool gone_a(const char *owner)
{
    return strcmp(owner, "run-a") == 0;
}

/*
 * A claim whose run is gone (its process was killed while it held it) is taken at once,
 * its lease notwithstanding; a claim of a live run stays busy. Before, the service
 * started again after a kill -9 mid-delivery found its own earlier claim busy and the
 * event waited out the lease: an hour and a minute for a target without timeout_seconds.
 */
static void test_claim_of_a_gone_run(void **state)
{
    static const struct cm_finding_event k1 = {1, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_store_claim a = {0, "all", "x", "run-a", 1000, 3660000, INT64_MAX, NULL};
    struct cm_store_claim b = {0, "all", "x", "run-b", 2000, 3660000, INT64_MAX, gone_a};
    struct cm_store_claim c = {0, "all", "x", "run-c", 3000, 3660000, INT64_MAX, gone_a};
    struct cm_store_delivery d;
    enum cm_claim_result res;
    char err[256] = "";
    bool held;
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "x", "file", "{\"path\":\"/dev/null\"}"), 0);
    store1(st, &f, &k1);
    a.oseq = b.oseq = c.oseq = s_int("SELECT max(seq) FROM outbox", NULL);
    assert_int_equal(cm_store_delivery_claim(st, &a, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    /* a is gone (killed): b takes its claim a second later, not an hour later. */
    assert_int_equal(cm_store_delivery_claim(st, &b, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_TAKEN);
    /* b lives: c finds it busy. */
    assert_int_equal(cm_store_delivery_claim(st, &c, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_BUSY);
    /* Without the callback, as before: busy until the lease ends. */
    c.holder_gone = NULL;
    assert_int_equal(cm_store_delivery_claim(st, &c, &res, &d, err, sizeof(err)), 0);
    assert_int_equal(res, CM_CLAIM_BUSY);
    d = (struct cm_store_delivery){b.oseq, "all", "x", CM_DELIVERY_DONE, 1, 0, NULL, NULL, NULL,
                                   NULL,   NULL,  NULL};
    assert_int_equal(cm_store_delivery_record(st, &d, "run-b", &held, err, sizeof(err)), 0);
    assert_true(held);
    assert_int_equal(s_int("SELECT count(*) FROM deliveries WHERE state = 'DONE'", NULL), 1);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

/* Whether the last line of the file at path has needle. */
static bool last_line_has(const char *path, const char *needle)
{
    char line[16384], last[16384] = "";
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        return false;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        memcpy(last, line, sizeof(last));
    }
    fclose(f);
    return strstr(last, needle) != NULL;
}

/*
 * The publishing frequency (spec §3.3): a new finding is sent at once; its updates
 * are held, one per finding however many, and sent once with the latest state when
 * their interval has ended; a finding archived while held is not sent, and one
 * unarchived is sent at the end of the interval; the held updates are in the store
 * (they outlive the process) and retention keeps their finding until sent. Before,
 * every update was sent by the next run: a scan every 5 minutes sent a finding that
 * kept growing 12 times an hour.
 */
static void test_publishing_frequency(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1}, k3 = {3, 1}, k4 = {4, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    enum cm_publish_freq freq;
    char path[600], spec[700], err[256] = "";
    const char *ids[1];
    int64_t now, since, next, deleted = -1, kept = -1;
    (void)state;

    assert_int_equal(cm_publish_freq_parse("FIFTEEN_MINUTES", &freq), 0);
    assert_int_equal(freq, CM_PUBLISH_FIFTEEN_MINUTES);
    assert_int_equal(cm_publish_freq_parse("ONE_HOUR", &freq), 0);
    assert_int_equal(cm_publish_freq_ms(freq), 3600000);
    assert_int_equal(cm_publish_freq_parse("six_hours", &freq), CM_EINVAL);
    assert_int_equal(cm_publish_freq_parse("", &freq), CM_EINVAL);
    assert_string_equal(cm_publish_freq_name(CM_PUBLISH_SIX_HOURS), "SIX_HOURS");
    /* GuardDuty's default. */
    assert_int_equal(cm_store_publish_freq(st, &freq), 0);
    assert_int_equal(freq, CM_PUBLISH_SIX_HOURS);

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    ids[0] = f.id;
    snprintf(path, sizeof(path), "%s/events.jsonl", s_dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "log", "file", spec), 0);
    store1(st, &f, &k1);
    now = s_int("SELECT max(created_ms) FROM outbox", NULL);
    s = run_bus(st, now);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 1);
    /* Two updates in the next runs: nothing sent, one update held. */
    store1(st, &f, &k2);
    s = run_bus(st, now);
    assert_int_equal(lines(path), 1);
    assert_int_equal(s.held, 1);
    store1(st, &f, &k3);
    s = run_bus(st, now);
    assert_int_equal(lines(path), 1);
    assert_int_equal(s.held, 1);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    /* Across a restart: the held update is in the store. */
    cm_store_close(st);
    st = s_open();
    assert_int_equal(cm_store_set_publish_freq(st, CM_PUBLISH_FIFTEEN_MINUTES, err, sizeof(err)),
                     0);
    assert_int_equal(cm_store_publish_freq(st, &freq), 0);
    assert_int_equal(freq, CM_PUBLISH_FIFTEEN_MINUTES);
    since = s_int("SELECT since_ms FROM outbox_held", NULL);
    next = since - since % 900000 + 900000; /* the end of its quarter hour */
    s = run_bus(st, next - 1);
    assert_int_equal(s.released + s.delivered, 0);
    assert_int_equal(lines(path), 1);
    s = run_bus(st, next);
    assert_int_equal(s.released, 1);
    assert_int_equal(s.held, 0);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 2);
    assert_true(last_line_has(path, "\"count\":3")); /* the latest state, once */
    s = run_bus(st, next + 1);
    assert_int_equal(s.released + s.delivered + s.held, 0);
    assert_int_equal(lines(path), 2);

    /* Archived while held: dropped, never sent. Unarchived: sent at the interval's end. */
    store1(st, &f, &k4);
    assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), 0);
    s = run_bus(st, after_interval());
    assert_int_equal(s.released + s.delivered + s.held, 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 0);
    assert_int_equal(lines(path), 2);
    assert_int_equal(cm_store_set_archived(st, ids, 1, false, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    /* Unarchiving one that is not archived publishes nothing more. */
    assert_int_equal(cm_store_set_archived(st, ids, 1, false, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    /* Retention (the finding's updatedAt is T_NOW, long past) keeps it while it is held. */
    assert_int_equal(cm_store_set_retention(st, 1, err, sizeof(err)), 0);
    assert_int_equal(cm_store_expire(st, now, &deleted, &kept, err, sizeof(err)), 0);
    assert_int_equal(deleted, 0);
    assert_int_equal(kept, 1);
    s = run_bus(st, after_interval());
    assert_int_equal(s.released, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 3);
    assert_true(last_line_has(path, "\"archived\":false"));
    assert_true(last_line_has(path, "\"count\":4"));
    assert_int_equal(cm_store_expire(st, now, &deleted, &kept, err, sizeof(err)), 0);
    assert_int_equal(deleted, 1);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * An update held when the wall clock was ahead (set back since) goes out at the end of
 * the interval now is in, not once the clock has caught up with the step as well. Before,
 * held at a clock 10 days ahead, it stayed held 10 days and 6 hours.
 */
static void test_held_update_clock_set_back(void **state)
{
    static const struct cm_finding_event k1 = {1, 1}, k2 = {2, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    char path[600], spec[700];
    int64_t real = cm_clock_now_ms();
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    snprintf(path, sizeof(path), "%s/events.jsonl", s_dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "log", "file", spec), 0);
    store1(st, &f, &k1);
    s = run_bus(st, real);
    assert_int_equal(s.delivered, 1);
    store1(st, &f, &k2);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 1);
    /* Held when the clock said 10 days from now. */
    s_exec("UPDATE outbox_held SET since_ms = since_ms + 864000000");
    /* Seven hours on (SIX_HOURS, the default: its interval has ended): sent. */
    s = run_bus(st, real + 7 * 3600000LL);
    assert_int_equal(s.released, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 2);
    assert_int_equal(s_int("SELECT count(*) FROM outbox_held", NULL), 0);
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

/*
 * A finding archived by hand while its event waits for a retry is not sent
 * when the retry comes: GuardDuty sends no archived finding. The row is done
 * and its delivery CANCELLED with the reason. Before, the retry delivered the
 * finding as stored, "archived": true, to a responder who had just dismissed it.
 */
static void test_archived_not_sent(void **state)
{
    static const struct cm_finding_event k1 = {1, 1};
    struct t_events e;
    struct cm_finding f;
    struct cm_store *st = s_open();
    struct cm_bus_stats s;
    char path[600], spec[700], err[256] = "", why[128];
    const char *ids[1];
    int64_t now;
    (void)state;

    t_events_init(&e);
    finding(&f, &e, types[0], T_NOW);
    ids[0] = f.id;
    snprintf(path, sizeof(path), "%s/events.jsonl", s_dir);
    snprintf(spec, sizeof(spec), "{\"path\":\"%s\",\"fsync\":false}", path);
    assert_int_equal(rule(st, "all", "{\"source\":[\"aws.guardduty\"]}", true), 0);
    assert_int_equal(target(st, "all", "t", "exec", "{\"argv\":[\"/bin/false\"]}"), 0);
    store1(st, &f, &k1);
    now = s_int("SELECT max(created_ms) FROM outbox", NULL);
    s = run_bus(st, now);
    assert_int_equal(s.failed, 1);
    /* The target comes back (a file now); the finding was archived meanwhile. */
    assert_int_equal(target(st, "all", "t", "file", spec), 0);
    assert_int_equal(cm_store_set_archived(st, ids, 1, true, err, sizeof(err)), 0);
    s = run_bus(st, now + CM_BUS_BACKOFF_MS);
    assert_int_equal(s.archived, 1);
    assert_int_equal(s.delivered + s.failed + s.events, 0);
    assert_int_equal(lines(path), 0);
    assert_int_equal(s_int("SELECT count(*) FROM outbox WHERE done = 0", NULL), 0);
    s_text("SELECT state || ':' || last_error FROM deliveries", NULL, why, sizeof(why));
    assert_string_equal(why, "CANCELLED:the finding was archived");
    /* Unarchived: published again at the end of the interval, as current. */
    assert_int_equal(cm_store_set_archived(st, ids, 1, false, err, sizeof(err)), 0);
    s = run_bus(st, after_interval());
    assert_int_equal(s.released, 1);
    assert_int_equal(s.delivered, 1);
    assert_int_equal(lines(path), 1);
    assert_true(last_line_has(path, "\"archived\":false"));
    cm_finding_finish(&f);
    t_events_finish(&e);
    cm_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rules_and_targets, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_with_the_findings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bus_routes_and_retries, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bus_timeout_stalls_target, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_bus_broken_rules, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_expire_keeps_owed_findings, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_finished_rows_cancel_pending, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_delivery_claims, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_claim_of_a_gone_run, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_held_update_clock_set_back, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_publishing_frequency, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_archived_not_sent, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
