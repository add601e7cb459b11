/*
 * The engine scan, scan --follow and serve share (src/cli/scan_engine.c): its options'
 * dispatch, what open wires together, and the intel reload that picks up a list created
 * in the store (an API ThreatIntelSet) without touching the command line's lists; and the
 * digest of the store's ACTIVE lists serve_watch.c compares before each poll.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../store_util.h"
#include "api/api.h"
#include "api/api_detector.h"
#include "base/err.h"
#include "base/ip.h"
#include "cli/scan_engine.h"
#include "cli/serve_watch.h"
#include "intel/snapshot.h"

static enum cm_intel_verdict check(const struct cm_intel_snapshot *s, const char *addr)
{
    struct cm_ip ip;

    assert_int_equal(cm_ip_parse(cm_str_cstr(addr), &ip), 0);
    return cm_intel_check_ip(s, &ip, NULL);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_options(void **state)
{
    struct cm_scan_engine e;
    char err[256] = "";

    (void)state;
    cm_scan_engine_init(&e);
    assert_ptr_equal(e.cli.out, stdout);
    assert_string_equal(e.cli.ctx.detector_id, CM_DEFAULT_DETECTOR_ID);
    assert_int_equal(cm_scan_engine_option(&e, 'x', NULL, err, sizeof(err)),
                     CM_SCAN_ENGINE_NOT_MINE);
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_REGION, "eu-west-1", err, sizeof(err)),
                     CM_SCAN_ENGINE_TAKEN);
    assert_string_equal(e.o.default_region, "eu-west-1");
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_REGION, "Mars 1", err, sizeof(err)),
                     CM_SCAN_ENGINE_USAGE);
    assert_non_null(strstr(err, "--region 'Mars 1' is not a region name"));
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_STATE, "/tmp/x.state", err, sizeof(err)),
                     CM_SCAN_ENGINE_TAKEN);
    assert_string_equal(e.state.path, "/tmp/x.state");
    assert_int_equal(
        cm_scan_engine_option(&e, CM_SCAN_OPT_NO_DEFAULT_INTEL, NULL, err, sizeof(err)),
        CM_SCAN_ENGINE_TAKEN);
    assert_true(e.intel.no_default);
    assert_int_equal(
        cm_scan_engine_option(&e, CM_SCAN_OPT_CANARY_KEY, "not-a-key", err, sizeof(err)),
        CM_SCAN_ENGINE_USAGE);
    cm_scan_engine_close(&e);
}

/* Open without a store: the snapshot is the detectors' and the sink's. */
static void test_open_wires(void **state)
{
    struct cm_scan_engine e;
    struct cm_scan_engine_store es = {NULL, -1, false, CM_PUBLISH_SIX_HOURS, false};
    char err[512] = "", list[600];

    (void)state;
    snprintf(list, sizeof(list), "mine=TXT:%s/mine.txt", s_dir);
    write_file(list + strlen("mine=TXT:"), "203.0.113.5\n");
    cm_scan_engine_init(&e);
    assert_int_equal(
        cm_scan_engine_option(&e, CM_SCAN_OPT_NO_DEFAULT_INTEL, NULL, err, sizeof(err)),
        CM_SCAN_ENGINE_TAKEN);
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_THREAT_LIST, list, err, sizeof(err)),
                     CM_SCAN_ENGINE_TAKEN);
    assert_int_equal(cm_scan_engine_open(&e, &es, 1, err, sizeof(err)), 0);
    assert_non_null(e.intel.snap);
    assert_ptr_equal(e.dcfg.intel, e.intel.snap);
    assert_ptr_equal(e.cli.intel, e.intel.snap);
    assert_ptr_equal(e.o.detect.config, &e.dcfg);
    assert_non_null(e.cli.agg);
    assert_null(e.store);
    assert_int_equal(check(e.intel.snap, "203.0.113.5"), CM_INTEL_THREAT);
    assert_int_equal(check(e.intel.snap, "203.0.113.6"), CM_INTEL_NONE);
    cm_scan_engine_close(&e);
    cm_scan_engine_close(&e); /* idempotent */
}

/* An ACTIVE ThreatIntelSet of the store, with content, as CreateThreatIntelSet puts it. */
static void put_set(struct cm_store *st, const char *det, const char *id, const char *name,
                    const char *content, const char *status, int64_t now, bool create)
{
    struct cm_store_set s;
    char err[512] = "";

    memset(&s, 0, sizeof(s));
    s.id = id;
    s.kind = CM_SET_THREAT_INTEL;
    s.detector_id = det;
    s.name = name;
    s.format = "TXT";
    s.location = "/dev/null";
    s.status = status;
    s.content = content;
    s.content_len = strlen(content);
    s.created_ms = s.updated_ms = now;
    if (cm_store_set_put(st, &s, create, err, sizeof(err)) != 0) {
        fail_msg("set_put: %s", err);
    }
}

static void test_reload_picks_up_store_lists(void **state)
{
    struct cm_scan_engine e;
    struct cm_scan_engine_store es = {s_path, -1, false, CM_PUBLISH_SIX_HOURS, false};
    struct cm_store *api = NULL;
    struct cm_api_ctx ctx;
    char err[512] = "", det[64], list[600], intel_dir[600];
    const struct cm_intel_snapshot *before;
    uint64_t sum0, sum1, sum2;

    (void)state;
    snprintf(list, sizeof(list), "mine=TXT:%s/mine.txt", s_dir);
    write_file(list + strlen("mine=TXT:"), "203.0.113.5\n");
    snprintf(intel_dir, sizeof(intel_dir), "%s/intel", s_dir);
    assert_int_equal(cm_store_open(&api, s_path, CM_STORE_CREATE, err, sizeof(err)), 0);
    ctx = (struct cm_api_ctx){api, "123456789012", "us-east-1", NULL, NULL, NULL};
    assert_int_equal(cm_api_detector_ensure(&ctx, CM_DEFAULT_DETECTOR_ID, 1000, det, sizeof(det),
                                            err, sizeof(err)),
                     0);
    assert_int_equal(cm_serve_watch_sets_sum(api, &sum0, err, sizeof(err)), 0);

    cm_scan_engine_init(&e);
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_INTEL_DIR, intel_dir, err, sizeof(err)),
                     CM_SCAN_ENGINE_TAKEN);
    assert_int_equal(cm_scan_engine_option(&e, CM_SCAN_OPT_THREAT_LIST, list, err, sizeof(err)),
                     CM_SCAN_ENGINE_TAKEN);
    if (cm_scan_engine_open(&e, &es, 1, err, sizeof(err)) != 0) {
        fail_msg("open: %s", err);
    }
    before = e.intel.snap;
    assert_int_equal(check(before, "198.51.100.9"), CM_INTEL_NONE);
    assert_int_equal(check(before, "203.0.113.5"), CM_INTEL_THREAT);

    /* A list created through the API: the digest changes, the reload sees it. */
    put_set(api, det, "0123456789abcdef0123456789abcdef", "bad-actors", "198.51.100.9\n", "ACTIVE",
            2000, true);
    assert_int_equal(cm_serve_watch_sets_sum(api, &sum1, err, sizeof(err)), 0);
    assert_true(sum1 != sum0);
    assert_int_equal(cm_serve_watch_sets_sum(api, &sum2, err, sizeof(err)), 0);
    assert_true(sum2 == sum1); /* the same lists, the same digest */
    if (cm_scan_engine_reload_intel(&e, err, sizeof(err)) != 0) {
        fail_msg("reload: %s", err);
    }
    assert_ptr_equal(e.dcfg.intel, e.intel.snap);
    assert_ptr_equal(e.cli.intel, e.intel.snap);
    assert_int_equal(check(e.intel.snap, "198.51.100.9"), CM_INTEL_THREAT);
    assert_int_equal(check(e.intel.snap, "203.0.113.5"), CM_INTEL_THREAT); /* kept */

    /* Deactivated: gone at the next reload; an INACTIVE list changes no digest. */
    put_set(api, det, "0123456789abcdef0123456789abcdef", "bad-actors", "198.51.100.9\n",
            "INACTIVE", 3000, false);
    assert_int_equal(cm_serve_watch_sets_sum(api, &sum2, err, sizeof(err)), 0);
    assert_true(sum2 == sum0);
    assert_int_equal(cm_scan_engine_reload_intel(&e, err, sizeof(err)), 0);
    assert_int_equal(check(e.intel.snap, "198.51.100.9"), CM_INTEL_NONE);
    assert_int_equal(check(e.intel.snap, "203.0.113.5"), CM_INTEL_THREAT);

    /* A list of a name already loaded: the reload fails, the snapshot is kept. */
    put_set(api, det, "fedcba9876543210fedcba9876543210", "mine", "192.0.2.1\n", "ACTIVE", 4000,
            true);
    before = e.intel.snap;
    err[0] = '\0';
    assert_int_not_equal(cm_scan_engine_reload_intel(&e, err, sizeof(err)), 0);
    assert_true(err[0] != '\0');
    assert_ptr_equal(e.intel.snap, before);
    assert_ptr_equal(e.dcfg.intel, before);
    assert_int_equal(check(e.intel.snap, "203.0.113.5"), CM_INTEL_THREAT);
    cm_scan_engine_close(&e);
    cm_store_close(api);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options),
        cmocka_unit_test_setup_teardown(test_open_wires, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_reload_picks_up_store_lists, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
