/*
 * Unit tests for the canaries (src/canary/): each check's decision at and
 * around its thresholds against a real store (freshness by source, account
 * and region, from recorded scans; scan-health's silence, reject ratio and
 * rejected inputs; the pipeline through the bus to file and exec targets);
 * the parameters' validation and canonical form; when a result is sent as
 * an event (a change, every FAIL or only changes) and what the event holds;
 * what a tick runs; and scheduled rules firing once per fire time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../store_util.h"

#include "base/json.h"
#include "base/str.h"
#include "base/time.h"
#include "canary/canary.h"
#include "core/config.h"
#include "core/clock.h"

static int64_t T(const char *iso)
{
    int64_t ms = 0;

    assert_int_equal(cm_time_parse_iso(cm_str_cstr(iso), &ms), 0);
    return ms;
}

/* Records a scan of one input of kind with its newest record at newest (account, region). */
static void scan(struct cm_store *st, int kind, int64_t newest, int64_t newest_data,
                 const char *account, const char *region, uint64_t records, uint64_t rejected,
                 uint64_t rejected_files, int64_t started)
{
    struct cm_scan_stats s;
    struct cm_scan_input in;
    char err[256], place[64];
    int64_t id;

    memset(&s, 0, sizeof(s));
    memset(&in, 0, sizeof(in));
    in.path = (char *)"logs/x.json.gz";
    in.kind = kind;
    in.records = records;
    in.time_ms = INT64_MIN;
    in.newest_ms = newest;
    in.newest_data_ms = newest_data;
    /* "ACCOUNT\0REGION", as the scan keeps it. */
    snprintf(place, sizeof(place), "%s%c%s", account, '\0', region);
    in.place = place;
    s.inputs = &in;
    s.ninputs = 1;
    s.files = 1;
    s.records[kind] = records;
    s.rejected[kind] = rejected;
    s.rejected_files = rejected_files;
    assert_int_equal(cm_store_add_scan(st, &s, started, &id, err, sizeof(err)), 0);
}

/* Runs kind with params (JSON) at now; returns the status, reason into why. */
static enum cm_canary_status check(struct cm_store *st, const char *kind, const char *params,
                                   int64_t now, char *why, size_t n)
{
    const struct cm_canary_kind *k = cm_canary_kind(kind);
    struct cm_canary_val v[CM_CANARY_MAX_PARAMS];
    struct cm_canary_env env = {st, now, "t", NULL, NULL, NULL, NULL};
    struct cm_canary_result r;
    enum cm_canary_status s;
    char err[256];

    assert_non_null(k);
    assert_int_equal(cm_canary_params_read(k, params, v, err, sizeof(err)), 0);
    cm_canary_result_init(&r);
    assert_int_equal(k->run(&env, v, &r), 0);
    snprintf(why, n, "%s", r.reason);
    s = r.status;
    cm_canary_result_finish(&r);
    return s;
}

static void test_freshness(void **state)
{
    struct cm_store *st = s_open();
    char why[512];
    int64_t newest = T("2026-01-05T00:59:55Z");
    (void)state;

    /* Never seen: FAIL. */
    assert_int_equal(check(st, "freshness", "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}",
                           newest, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "no cloudtrail record has been read by any scan"));
    scan(st, CM_EV_CLOUDTRAIL, newest, T("2026-01-05T00:30:00Z"), "111122223333", "us-east-1", 5, 0,
         0, T("2026-01-05T01:00:00Z"));
    /* Exactly the threshold old: PASS; a millisecond more: FAIL. */
    assert_int_equal(check(st, "freshness", "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}",
                           newest + 3600000, why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(check(st, "freshness", "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}",
                           newest + 3600001, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "the newest cloudtrail record is 60 minutes old (at most 60)"));
    /* S3 data events are their own source, with their own newest time. */
    assert_int_equal(check(st, "freshness", "{\"source\":\"s3data\",\"max_age_minutes\":30}",
                           T("2026-01-05T01:00:00Z"), why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(check(st, "freshness", "{\"source\":\"s3data\",\"max_age_minutes\":30}",
                           T("2026-01-05T01:01:00Z"), why, sizeof(why)),
                     CM_CANARY_FAIL);
    /* Another kind, account or region was not seen. */
    assert_int_equal(check(st, "freshness", "{\"source\":\"vpcflow\",\"max_age_minutes\":60}",
                           newest, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_int_equal(check(st, "freshness",
                           "{\"source\":\"cloudtrail\",\"max_age_minutes\":60,"
                           "\"account\":\"111122223333\",\"region\":\"eu-west-1\"}",
                           newest, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "of account 111122223333 in eu-west-1"));
    /* An older scan does not lower the newest time; a newer one raises it. */
    scan(st, CM_EV_CLOUDTRAIL, newest - 86400000, 0, "111122223333", "us-east-1", 5, 0, 0,
         T("2026-01-05T02:00:00Z"));
    assert_int_equal(check(st, "freshness",
                           "{\"source\":\"cloudtrail\",\"max_age_minutes\":60,"
                           "\"account\":\"111122223333\",\"region\":\"us-east-1\"}",
                           newest + 3600000, why, sizeof(why)),
                     CM_CANARY_PASS);
    scan(st, CM_EV_CLOUDTRAIL, newest + 7200000, 0, "444455556666", "us-east-1", 5, 0, 0,
         T("2026-01-05T03:00:00Z"));
    /* Without an account: the newest of any. */
    assert_int_equal(check(st, "freshness", "{\"source\":\"cloudtrail\",\"max_age_minutes\":60}",
                           newest + 7200000 + 3600000, why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(check(st, "freshness",
                           "{\"source\":\"cloudtrail\",\"max_age_minutes\":60,"
                           "\"account\":\"111122223333\"}",
                           newest + 7200000 + 3600000, why, sizeof(why)),
                     CM_CANARY_FAIL);
    /* A record stamped a day after its scan started counts as the start and 15 minutes. */
    scan(st, CM_EV_FLOW, T("2026-01-07T00:00:00Z"), 0, "111122223333", "us-east-1", 5, 0, 0,
         T("2026-01-06T00:00:00Z"));
    assert_int_equal(check(st, "freshness", "{\"source\":\"vpcflow\",\"max_age_minutes\":60}",
                           T("2026-01-06T01:15:00Z"), why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(check(st, "freshness", "{\"source\":\"vpcflow\",\"max_age_minutes\":60}",
                           T("2026-01-06T01:16:00Z"), why, sizeof(why)),
                     CM_CANARY_FAIL);
    cm_store_close(st);
}

static void test_scan_health(void **state)
{
    struct cm_store *st = s_open();
    char why[512];
    int64_t t0 = T("2026-01-05T01:00:00Z");
    (void)state;

    assert_int_equal(check(st, "scan-health", "{}", t0, why, sizeof(why)), CM_CANARY_FAIL);
    assert_non_null(strstr(why, "no scan has been recorded"));
    /* 10 of 1000 rejected: 0.01, the default threshold: PASS. */
    scan(st, CM_EV_FLOW, t0, 0, "111122223333", "us-east-1", 990, 10, 0, t0);
    assert_int_equal(check(st, "scan-health", "{}", t0 + 60000, why, sizeof(why)), CM_CANARY_PASS);
    /* Silence: 60 minutes is fine, 61 is not. */
    assert_int_equal(check(st, "scan-health", "{}", t0 + 3600000, why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(check(st, "scan-health", "{}", t0 + 3660000, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "the last scan started 61 minutes ago (at most 60)"));
    /* 11 of 1000: over. */
    scan(st, CM_EV_FLOW, t0, 0, "111122223333", "us-east-1", 989, 11, 0, t0 + 60000);
    assert_int_equal(check(st, "scan-health", "{}", t0 + 120000, why, sizeof(why)), CM_CANARY_FAIL);
    assert_non_null(strstr(why, "rejected 11 of 1000 records"));
    assert_int_equal(
        check(st, "scan-health", "{\"max_reject_ratio\":0.02}", t0 + 120000, why, sizeof(why)),
        CM_CANARY_PASS);
    /* An input that could not be read at all. */
    scan(st, CM_EV_FLOW, t0, 0, "111122223333", "us-east-1", 100, 0, 1, t0 + 180000);
    assert_int_equal(check(st, "scan-health", "{}", t0 + 180000, why, sizeof(why)), CM_CANARY_FAIL);
    assert_non_null(strstr(why, "could not read 1 of its 1 inputs"));
    assert_int_equal(
        check(st, "scan-health", "{\"max_rejected_files\":1}", t0 + 180000, why, sizeof(why)),
        CM_CANARY_PASS);
    cm_store_close(st);
}

static void params_refused(const char *kind, const char *params, const char *want)
{
    char err[256] = "";

    assert_int_equal(cm_canary_params_check(cm_canary_kind(kind), params, strlen(params), NULL, err,
                                            sizeof(err)),
                     CM_EINVAL);
    if (strstr(err, want) == NULL) {
        fail_msg("%s: got \"%s\", want \"%s\"", params, err, want);
    }
}

static void test_params(void **state)
{
    struct cm_buf canon;
    char err[256];
    (void)state;

    cm_buf_init(&canon, 0);
    assert_int_equal(
        cm_canary_params_check(cm_canary_kind("scan-health"), "", 0, &canon, err, sizeof(err)), 0);
    assert_int_equal(canon.len, strlen("{\"max_silence_minutes\":60,\"max_reject_ratio\":0.01,"
                                       "\"max_rejected_files\":0}"));
    assert_memory_equal(canon.p,
                        "{\"max_silence_minutes\":60,\"max_reject_ratio\":0.01,"
                        "\"max_rejected_files\":0}",
                        canon.len);
    cm_buf_reset(&canon);
    assert_int_equal(cm_canary_params_check(cm_canary_kind("freshness"),
                                            "{\"region\":\"us-east-1\",\"max_age_minutes\":5,"
                                            "\"source\":\"dns\"}",
                                            strlen("{\"region\":\"us-east-1\",\"max_age_minutes\":"
                                                   "5,\"source\":\"dns\"}"),
                                            &canon, err, sizeof(err)),
                     0);
    assert_memory_equal(
        canon.p, "{\"source\":\"dns\",\"max_age_minutes\":5,\"region\":\"us-east-1\"}", canon.len);
    cm_buf_finish(&canon);
    params_refused("freshness", "[]", "must be a JSON object");
    params_refused("freshness", "{\"source\":", "not JSON");
    params_refused("freshness", "{\"source\":\"dns\"}", "max_age_minutes: required by freshness");
    params_refused("freshness", "{\"source\":\"s3\",\"max_age_minutes\":5}",
                   "\"s3\" is not one of cloudtrail, vpcflow, dns, s3data");
    params_refused("freshness", "{\"source\":\"dns\",\"max_age_minutes\":0}",
                   "max_age_minutes: must be a whole number from 1 to 525600");
    params_refused("freshness", "{\"source\":\"dns\",\"max_age_minutes\":1.5}", "whole number");
    params_refused("freshness", "{\"source\":\"dns\",\"max_age_minutes\":\"5\"}", "whole number");
    params_refused("freshness", "{\"source\":\"dns\",\"source\":\"dns\",\"max_age_minutes\":5}",
                   "source: given twice");
    params_refused("freshness", "{\"source\":\"dns\",\"max_age_minutes\":5,\"x\":1}",
                   "unknown parameter \"x\" (freshness takes source, max_age_minutes, account or "
                   "region)");
    params_refused("scan-health", "{\"max_reject_ratio\":1.5}",
                   "max_reject_ratio: must be a number from 0 to 1");
    params_refused("pipeline", "{\"account\":\"123\"}", "account: must be 12 to 12 characters");
}

/* ---- Events ---- */

static void rule_to_file(struct cm_store *st, const char *name, const char *pattern,
                         const char *file)
{
    struct cm_store_rule r = {name, pattern, NULL, true, NULL, NULL, NULL, 0};
    struct cm_store_target t = {name, "f", "file", NULL};
    char spec[600], err[256];

    snprintf(spec, sizeof(spec), "{\"path\":\"%s/%s\",\"fsync\":false}", s_dir, file);
    t.spec = spec;
    assert_int_equal(cm_store_rule_put(st, &r, err, sizeof(err)), 0);
    assert_int_equal(cm_store_target_put(st, &t, err, sizeof(err)), 0);
}

static size_t lines_of(const char *file)
{
    char path[600], line[8192];
    size_t n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", s_dir, file);
    if ((f = fopen(path, "r")) == NULL) {
        return 0;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        n++;
    }
    fclose(f);
    return n;
}

static void put_canary(struct cm_store *st, const char *name, const char *kind,
                       const char *schedule, const char *params, bool every_fail)
{
    struct cm_store_canary c = {0};
    char err[256];

    c.name = name;
    c.kind = kind;
    c.schedule = schedule;
    c.params = params;
    c.enabled = true;
    c.every_fail = every_fail;
    assert_int_equal(cm_store_canary_put(st, &c, err, sizeof(err)), 0);
}

static void run_at(struct cm_store *st, const char *name, int64_t now)
{
    struct cm_canary_tick_stats stats;
    const char *names[1] = {name};
    char err[256];

    assert_int_equal(cm_canary_run_named(st, now, names, 1, NULL, NULL, &stats, err, sizeof(err)),
                     0);
    assert_int_equal(stats.ran, 1);
}

static void test_events(void **state)
{
    struct cm_store *st = s_open();
    int64_t newest = T("2026-01-05T00:59:55Z");
    char *status;
    (void)state;

    scan(st, CM_EV_DNS, newest, 0, "111122223333", "us-east-1", 5, 0, 0, newest);
    rule_to_file(st, "fails",
                 "{\"source\":[\"coalmine.canary\"],\"detail\":{\"status\":[\"FAIL\"]}}",
                 "fails.jsonl");
    rule_to_file(st, "all", "{\"source\":[\"coalmine.canary\"]}", "all.jsonl");
    rule_to_file(st, "findings", "{\"source\":[\"aws.guardduty\"]}", "findings.jsonl");
    put_canary(st, "every", "freshness", "rate(5 minutes)",
               "{\"source\":\"dns\",\"max_age_minutes\":60}", true);
    put_canary(st, "change", "freshness", "rate(5 minutes)",
               "{\"source\":\"dns\",\"max_age_minutes\":60}", false);

    run_at(st, "every", newest + 60000); /* first PASS: nothing */
    assert_int_equal(lines_of("all.jsonl"), 0);
    run_at(st, "every", newest + 3700000); /* FAIL: both rules */
    assert_int_equal(lines_of("fails.jsonl"), 1);
    assert_int_equal(lines_of("all.jsonl"), 1);
    run_at(st, "every", newest + 3800000); /* FAIL again: every FAIL */
    assert_int_equal(lines_of("fails.jsonl"), 2);
    run_at(st, "every", newest + 60000); /* PASS again: a change, to "all" only */
    assert_int_equal(lines_of("fails.jsonl"), 2);
    assert_int_equal(lines_of("all.jsonl"), 3);
    assert_int_equal(lines_of("findings.jsonl"), 0); /* no finding pattern matched them */

    run_at(st, "change", newest + 3700000); /* a first FAIL: a change (from nothing) */
    run_at(st, "change", newest + 3800000); /* again: quiet */
    assert_int_equal(lines_of("fails.jsonl"), 3);
    status = s_dup("SELECT status || '|' || reason FROM canaries WHERE name = ?", "change");
    assert_string_equal(status, "FAIL|the newest dns record is 63 minutes old (at most 60)");
    free(status);
    assert_int_equal(s_int("SELECT changed_ms FROM canaries WHERE name = ?", "change"),
                     newest + 3700000);
    assert_int_equal(s_int("SELECT last_run_ms FROM canaries WHERE name = ?", "change"),
                     newest + 3800000);
    cm_store_close(st);
}

/* The exact bytes of both canary envelopes (shared with findings: lib/route/envelope.h). */
static void test_event_bytes(void **state)
{
    struct cm_store_canary c = {0};
    struct cm_canary_result r;
    struct cm_buf ev;
    (void)state;

    c.name = "ct";
    c.kind = "freshness";
    c.schedule = "rate(5 minutes)";
    c.params = "{\"account\":\"111122223333\",\"region\":\"eu-west-1\"}";
    cm_canary_result_init(&r);
    r.status = CM_CANARY_PASS;
    snprintf(r.reason, sizeof(r.reason), "ok");
    assert_int_equal(cm_buf_puts(&r.observed, "{}"), 0);
    cm_buf_init(&ev, 0);
    assert_int_equal(cm_canary_event(&c, &r, NULL, T("2026-01-05T02:00:00Z"), &ev), 0);
    cm_buf_putc(&ev, '\0');
    assert_string_equal(ev.p,
                        "{\"version\":\"0\",\"id\":\"cb11540d-c69a-4fa9-bcfc-3c0c760eddb1\","
                        "\"detail-type\":\"Coalmine Canary Check\",\"source\":\"coalmine.canary\","
                        "\"account\":\"111122223333\",\"time\":\"2026-01-05T02:00:00.000Z\","
                        "\"region\":\"eu-west-1\",\"resources\":[],\"detail\":{\"name\":\"ct\","
                        "\"check\":\"freshness\",\"status\":\"PASS\",\"previousStatus\":null,"
                        "\"reason\":\"ok\",\"observed\":{},\"schedule\":\"rate(5 minutes)\"}}");
    assert_int_equal(cm_canary_scheduled_event("tick", T("2026-01-05T02:05:00Z"), NULL, NULL, &ev),
                     0);
    cm_buf_putc(&ev, '\0');
    assert_string_equal(ev.p,
                        "{\"version\":\"0\",\"id\":\"0f906dcd-304e-428a-933b-64126e8ebd13\","
                        "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
                        "\"account\":\"\",\"time\":\"2026-01-05T02:05:00.000Z\",\"region\":\"\","
                        "\"resources\":[\"arn:aws:events:::rule/tick\"],\"detail\":{}}");
    cm_buf_finish(&ev);
    cm_canary_result_finish(&r);
}

static void test_event_shape(void **state)
{
    struct cm_store_canary c = {0};
    struct cm_canary_result r;
    struct cm_json_doc d;
    struct cm_buf ev;
    (void)state;

    c.name = "ct";
    c.kind = "freshness";
    c.schedule = "rate(5 minutes)";
    c.params = "{\"source\":\"cloudtrail\",\"max_age_minutes\":5,\"account\":\"111122223333\"}";
    cm_canary_result_init(&r);
    r.status = CM_CANARY_FAIL;
    snprintf(r.reason, sizeof(r.reason), "too \"old\"");
    assert_int_equal(cm_buf_puts(&r.observed, "{\"ageMinutes\":6}"), 0);
    cm_buf_init(&ev, 0);
    assert_int_equal(cm_canary_event(&c, &r, "PASS", T("2026-01-05T02:00:00Z"), &ev), 0);
    cm_json_doc_init(&d, 0, 0);
    assert_int_equal(cm_json_parse(&d, ev.p, ev.len, NULL), 0);
#define STR(path, want)                                                                            \
    do {                                                                                           \
        uint32_t n_ = cm_json_path(&d, 0, path);                                                   \
        assert_int_not_equal(n_, CM_JSON_NONE);                                                    \
        assert_true(cm_str_eq(cm_json_raw(&d, n_), cm_str_cstr(want)));                            \
    } while (0)
    STR("source", "coalmine.canary");
    STR("detail-type", "Coalmine Canary Check");
    STR("version", "0");
    STR("account", "111122223333");
    STR("region", "");
    STR("time", "2026-01-05T02:00:00.000Z");
    STR("detail.name", "ct");
    STR("detail.check", "freshness");
    STR("detail.status", "FAIL");
    STR("detail.previousStatus", "PASS");
    STR("detail.reason", "too \\\"old\\\"");
    STR("detail.observed.ageMinutes", "6");
    STR("detail.schedule", "rate(5 minutes)");
    assert_int_equal(cm_json_type(&d, cm_json_path(&d, 0, "resources")), CM_JSON_ARRAY);
    cm_json_doc_finish(&d);
    /* The same run gives the same id (a redelivery is recognisable); another time another. */
    {
        struct cm_buf ev2;
        cm_buf_init(&ev2, 0);
        assert_int_equal(cm_canary_event(&c, &r, "PASS", T("2026-01-05T02:00:00Z"), &ev2), 0);
        assert_int_equal(ev.len, ev2.len);
        assert_memory_equal(ev.p, ev2.p, ev.len);
        assert_int_equal(cm_canary_event(&c, &r, "PASS", T("2026-01-05T02:05:00Z"), &ev2), 0);
        assert_memory_not_equal(ev.p + 22, ev2.p + 22, 36); /* the id */
        cm_buf_finish(&ev2);
    }
    /* A first run has no previous status: null. */
    assert_int_equal(cm_canary_event(&c, &r, NULL, T("2026-01-05T02:00:00Z"), &ev), 0);
    assert_non_null(strstr(ev.p, "\"previousStatus\":null"));
    cm_buf_finish(&ev);
    cm_canary_result_finish(&r);
}

static void test_tick(void **state)
{
    struct cm_store *st = s_open();
    struct cm_canary_tick_stats stats;
    char err[256];
    int64_t newest = T("2026-01-05T00:59:55Z"), put_ms;
    (void)state;

    scan(st, CM_EV_DNS, newest, 0, "111122223333", "us-east-1", 5, 0, 0, newest);
    put_canary(st, "five", "freshness", "rate(5 minutes)",
               "{\"source\":\"dns\",\"max_age_minutes\":60}", true);
    /* Never run: due at the first fire after it was put (the wall clock): not before. */
    {
        char *created = s_dup("SELECT created_at FROM canaries WHERE name = ?", "five");
        put_ms = T(created);
        free(created);
    }
    assert_int_equal(cm_canary_tick(st, put_ms, NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(stats.ran, 0);
    assert_int_equal(cm_canary_tick(st, put_ms + 300000, NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(stats.ran, 1);
    assert_int_equal(stats.failed, 1); /* the logs are from January */
    /* Run at t: next at the next multiple of 5 minutes. */
    run_at(st, "five", T("2026-01-05T01:02:00Z"));
    assert_int_equal(cm_canary_tick(st, T("2026-01-05T01:04:59Z"), NULL, &stats, err, sizeof(err)),
                     0);
    assert_int_equal(stats.ran, 0);
    assert_int_equal(cm_canary_tick(st, T("2026-01-05T01:05:00Z"), NULL, &stats, err, sizeof(err)),
                     0);
    assert_int_equal(stats.ran, 1);
    assert_int_equal(stats.passed, 1);
    /* Many fires missed: one run. */
    assert_int_equal(cm_canary_tick(st, T("2026-01-05T09:00:00Z"), NULL, &stats, err, sizeof(err)),
                     0);
    assert_int_equal(stats.ran, 1);
    /* Disabled: never. */
    s_exec("UPDATE canaries SET enabled = 0");
    assert_int_equal(cm_canary_tick(st, T("2026-01-06T09:00:00Z"), NULL, &stats, err, sizeof(err)),
                     0);
    assert_int_equal(stats.ran, 0);
    cm_store_close(st);
}

static void test_scheduled_rules(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_rule r = {
        "every-15", "", NULL, true, NULL, NULL, "cron(0/15 * * * ? *)", T("2026-01-05T00:00:00Z")};
    struct cm_store_target t = {"every-15", "f", "file", NULL};
    struct cm_canary_tick_stats stats;
    char spec[600], err[256];
    bool taken;
    (void)state;

    snprintf(spec, sizeof(spec), "{\"path\":\"%s/sched.jsonl\",\"fsync\":false}", s_dir);
    t.spec = spec;
    assert_int_equal(cm_store_rule_put(st, &r, err, sizeof(err)), 0);
    assert_int_equal(cm_store_target_put(st, &t, err, sizeof(err)), 0);
    memset(&stats, 0, sizeof(stats));
    /* 00:14: nothing yet; 00:15 fires; again at 00:20 nothing; at 01:40 once (01:30). */
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T00:14:59Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(lines_of("sched.jsonl"), 0);
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T00:15:00Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T00:20:00Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T01:40:00Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(stats.fired, 2);
    assert_int_equal(lines_of("sched.jsonl"), 2);
    assert_int_equal(s_int("SELECT fired_ms FROM rules WHERE name = ?", "every-15"),
                     T("2026-01-05T01:30:00Z"));
    /* Another process that read the old fired_ms does not fire it again. */
    assert_int_equal(cm_store_rule_fire(st, "every-15", T("2026-01-05T00:15:00Z"),
                                        T("2026-01-05T01:30:00Z"), &taken, err, sizeof(err)),
                     0);
    assert_false(taken);
    assert_int_equal(s_int("SELECT count(*) FROM rules WHERE schedule IS NOT NULL", NULL), 1);
    /* Disabled, then enabled again: it fires from now, not for the times it was off. */
    assert_int_equal(cm_store_rule_enable(st, "every-15", false, err, sizeof(err)), 0);
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T03:00:00Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(stats.fired, 2);
    assert_int_equal(cm_store_rule_enable(st, "every-15", true, err, sizeof(err)), 0);
    assert_true(s_int("SELECT fired_ms FROM rules WHERE name = ?", "every-15") >=
                cm_clock_now_ms() - 60000);
    assert_int_equal(
        cm_canary_fire_rules(st, T("2026-01-05T03:00:00Z"), NULL, &stats, err, sizeof(err)), 0);
    assert_int_equal(stats.fired, 2);
    s_exec("UPDATE rules SET fired_ms = 1767582000000"); /* back to 2026-01-05T03:00:00Z */
    /* Replacing the schedule starts it over from now; the same schedule keeps fired_ms. */
    r.fired_ms = 0;
    assert_int_equal(cm_store_rule_put(st, &r, err, sizeof(err)), 0);
    assert_int_equal(s_int("SELECT fired_ms FROM rules WHERE name = ?", "every-15"),
                     T("2026-01-05T03:00:00Z"));
    r.schedule = "rate(1 hour)";
    assert_int_equal(cm_store_rule_put(st, &r, err, sizeof(err)), 0);
    assert_true(s_int("SELECT fired_ms FROM rules WHERE name = ?", "every-15") >
                T("2026-06-01T00:00:00Z"));
    cm_store_close(st);
}

static void test_pipeline(void **state)
{
    struct cm_store *st = s_open();
    struct cm_store_rule bad = {
        "pager", "{\"source\":[\"aws.guardduty\"]}", NULL, true, NULL, NULL, NULL, 0};
    struct cm_store_target exec = {"pager", "down", "exec",
                                   "{\"argv\":[\"/bin/false\"],\"timeout_seconds\":5}"};
    struct cm_store_rule sched = {"hourly", "", NULL, true, NULL, NULL, "rate(1 hour)", 0};
    struct cm_store_target sched_t = {"hourly", "f", "file", NULL};
    char why[512], err[256], spec[600];
    (void)state;

    snprintf(spec, sizeof(spec), "{\"path\":\"%s/sched.jsonl\",\"fsync\":false}", s_dir);
    sched_t.spec = spec;
    assert_int_equal(check(st, "pipeline", "{\"deadline_seconds\":1}", 0, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "no enabled rule with a target matches the canary finding"));
    rule_to_file(st, "findings", "{\"source\":[\"aws.guardduty\"]}", "findings.jsonl");
    /* A scheduled rule (pattern "") beside them: the bus leaves it alone. */
    assert_int_equal(cm_store_rule_put(st, &sched, err, sizeof(err)), 0);
    assert_int_equal(cm_store_target_put(st, &sched_t, err, sizeof(err)), 0);
    assert_int_equal(check(st, "pipeline", "{\"deadline_seconds\":5}", 0, why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(lines_of("sched.jsonl"), 0);
    assert_non_null(strstr(why, "all 1 targets took the canary finding"));
    assert_int_equal(lines_of("findings.jsonl"), 1);
    /* Archived after it went through. */
    assert_int_equal(s_int("SELECT count(*) FROM findings WHERE archived = 0", NULL), 0);
    /* A rule that does not match this type is not owed anything. */
    rule_to_file(st, "s3-only", "{\"detail\":{\"type\":[{\"prefix\":\"Policy:S3\"}]}}", "s3.jsonl");
    assert_int_equal(check(st, "pipeline", "{\"deadline_seconds\":5}", 0, why, sizeof(why)),
                     CM_CANARY_PASS);
    assert_int_equal(lines_of("s3.jsonl"), 0);
    /* ...unless the finding type is one it matches. */
    if (check(st, "pipeline",
              "{\"deadline_seconds\":5,"
              "\"finding_type\":\"Policy:S3/BucketBlockPublicAccessDisabled\"}",
              0, why, sizeof(why)) != CM_CANARY_PASS) {
        fail_msg("%s", why);
    }
    assert_int_equal(lines_of("s3.jsonl"), 1);
    /* A target that refuses: FAIL naming it, after retries within the deadline. */
    assert_int_equal(cm_store_rule_put(st, &bad, err, sizeof(err)), 0);
    assert_int_equal(cm_store_target_put(st, &exec, err, sizeof(err)), 0);
    assert_int_equal(check(st, "pipeline", "{\"deadline_seconds\":1}", 0, why, sizeof(why)),
                     CM_CANARY_FAIL);
    assert_non_null(strstr(why, "target down of rule pager did not take the canary finding "
                                "within 1s"));
    assert_non_null(strstr(why, "1 of 2 targets did")); /* the S3 rule is not owed it */
    /* An unknown finding type: the check cannot run it. */
    assert_int_equal(
        check(st, "pipeline", "{\"finding_type\":\"Nope:EC2/Nothing\"}", 0, why, sizeof(why)),
        CM_CANARY_ERROR);
    assert_non_null(strstr(why, "unknown finding type"));
    cm_store_close(st);
}

/* canaries.checks of a config into the store: the params checked against the kind. */
static void test_reconcile(void **state)
{
    struct cm_store *st = s_open();
    struct cm_config_check v[2];
    struct cm_config_canaries cc = {{NULL, 0}, v, 2};
    struct cm_store_reconciled r;
    char err[512] = "";
    (void)state;

    memset(v, 0, sizeof(v));
    v[0] = (struct cm_config_check){(char *)"trail",
                                    (char *)"freshness",
                                    (char *)"rate(5 minutes)",
                                    (char *)"{\"max_age_minutes\":60,\"source\":\"cloudtrail\"}",
                                    true,
                                    false,
                                    3,
                                    6,
                                    15};
    v[1] = (struct cm_config_check){(char *)"alerting",
                                    (char *)"pipeline",
                                    (char *)"rate(1 hour)",
                                    (char *)"{\"deadline_seconds\":0}",
                                    true,
                                    true,
                                    7,
                                    10,
                                    15};
    /* A bad member: the file's place and the member, and nothing written. */
    assert_int_equal(cm_canary_reconcile(st, &cc, "etc/coalmine.yaml", &r, err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err, "etc/coalmine.yaml:10:15: canaries.checks[1].params: "
                             "deadline_seconds: must be a whole number from 1 to 3600");
    assert_int_equal(s_int("SELECT count(*) FROM canaries", NULL), 0);
    /* Good: canonical params (put's form, defaults filled in), --on-change, the origin. */
    v[1].params = (char *)"{}";
    assert_int_equal(cm_canary_reconcile(st, &cc, "etc/coalmine.yaml", &r, err, sizeof(err)), 0);
    assert_int_equal(r.created, 2);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name = 'trail' AND params ="
                           " '{\"source\":\"cloudtrail\",\"max_age_minutes\":60}' AND every_fail"
                           " AND origin = 'config'",
                           NULL),
                     1);
    assert_int_equal(s_int("SELECT count(*) FROM canaries WHERE name = 'alerting' AND NOT"
                           " every_fail AND params LIKE '%\"deadline_seconds\":60%'",
                           NULL),
                     1);
    cm_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_freshness, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reconcile, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scan_health, s_setup, s_teardown),
        cmocka_unit_test(test_params),
        cmocka_unit_test_setup_teardown(test_events, s_setup, s_teardown),
        cmocka_unit_test(test_event_shape),
        cmocka_unit_test(test_event_bytes),
        cmocka_unit_test_setup_teardown(test_tick, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_scheduled_rules, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_pipeline, s_setup, s_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
