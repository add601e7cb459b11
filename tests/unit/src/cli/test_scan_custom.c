/*
 * The custom rules' modes and dry-run reports of a scan (src/cli/scan_custom.c): the
 * settings in order (the config's inserted before the command line's, which then win),
 * bad settings refused with the flag and the reason, what open hands the detector, and
 * the dry-run counts: per rule, the first time and the newest example, in the --stats
 * JSON whatever order the shards report them in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "cli/scan_custom.h"

static void test_settings(void **state)
{
    struct cm_scan_custom sc;
    struct cm_detect_config cfg;
    char err[256];

    (void)state;
    memset(&sc, 0, sizeof(sc));
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(cm_scan_custom_add(&sc, "*=LIVE", err, sizeof(err)), 0);
    assert_int_equal(cm_scan_custom_add(&sc, "VPCFlowLogsDeleted=OFF", err, sizeof(err)), 0);
    /* the config's, read after the flags, go first */
    assert_int_equal(cm_scan_custom_insert(&sc, 0, "*=DRY_RUN", err, sizeof(err)), 0);
    assert_int_equal(cm_scan_custom_insert(&sc, 1, "VPCFlowLogsDeleted=LIVE", err, sizeof(err)), 0);
    assert_int_equal(sc.n, 4);
    assert_int_equal(cm_scan_custom_add(&sc, "VPCFlowLogsDeleted=MAYBE", err, sizeof(err)),
                     CM_EINVAL);
    assert_string_equal(err,
                        "--custom-rule 'VPCFlowLogsDeleted=MAYBE': the mode is not LIVE, DRY_RUN "
                        "or OFF");
    assert_int_equal(sc.n, 4);
    assert_int_equal(cm_scan_custom_open(&sc, &cfg, true), 0);
    assert_ptr_equal(cfg.custom_rules, &sc.cfg);
    assert_int_equal(cfg.custom_rules->nsettings, 4);
    assert_non_null(cfg.custom_rules->dry_run);
    /* the command line's win among equals */
    assert_int_equal(
        cm_cr_mode_for(sc.v, sc.n, cm_str_cstr("111122223333"), CM_CR_VPC_FLOW_LOGS_DELETED),
        CM_CR_OFF);
    assert_int_equal(cm_cr_mode_for(sc.v, sc.n, cm_str_cstr("111122223333"), CM_CR_ORG_LEAVE),
                     CM_CR_LIVE);
    cm_scan_custom_close(&sc);
    cm_scan_custom_close(&sc); /* idempotent */
}

static void report(struct cm_scan_custom *sc, const char *rule, int64_t t, const char *caller)
{
    struct cm_detection d;

    memset(&d, 0, sizeof(d));
    d.type = "DefenseImpairment:EC2/DisableOrModifyTools";
    d.account = cm_str_cstr("111122223333");
    d.region = cm_str_cstr("us-east-1");
    d.resource_id = cm_str_cstr(caller);
    d.time_ms = t;
    sc->cfg.dry_run(sc->cfg.ud, &d, rule);
}

static void test_dry_runs(void **state)
{
    struct cm_scan_custom sc;
    struct cm_detect_config cfg;
    struct cm_buf b;
    struct cm_jw jw;

    (void)state;
    memset(&sc, 0, sizeof(sc));
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(cm_scan_custom_open(&sc, &cfg, true), 0);
    report(&sc, "VPCFlowLogsDeleted", 2000, "AKIAB");
    report(&sc, "VPCFlowLogsDeleted", 1000, "AKIAA"); /* an older one, from another shard */
    report(&sc, "VPCFlowLogsDeleted", 3000, "AKIAC");
    report(&sc, "OrganizationLeaveAttempt", 500, "AKIAD");
    report(&sc, "NoSuchRule", 500, "AKIAE"); /* ignored */
    assert_int_equal(sc.dry[CM_CR_VPC_FLOW_LOGS_DELETED].count, 3);
    assert_int_equal(sc.dry[CM_CR_VPC_FLOW_LOGS_DELETED].first_ms, 1000);
    assert_string_equal(sc.dry[CM_CR_VPC_FLOW_LOGS_DELETED].last.caller, "AKIAC");
    assert_int_equal(sc.dry[CM_CR_ORG_LEAVE].count, 1);
    assert_int_equal(sc.logged, 0); /* quiet: no log lines */
    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_scan_custom_json(&sc, &jw);
    cm_jw_obj_end(&jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    /* in the table's order: the flow logs rule, then the organization's */
    assert_non_null(strstr(b.p, "{\"custom_rules\":{\"dry_run\":[{\"rule\":\"VPCFlowLogsDeleted\","
                                "\"type\":\"DefenseImpairment:EC2/DisableOrModifyTools\","
                                "\"count\":3,\"first_seen\":\"1970-01-01T00:00:01.000Z\","
                                "\"last\":{\"time\":\"1970-01-01T00:00:03.000Z\","
                                "\"account\":\"111122223333\",\"region\":\"us-east-1\","
                                "\"caller\":\"AKIAC\",\"api\":\"\",\"event_id\":\"\"}},"
                                "{\"rule\":\"OrganizationLeaveAttempt\""));
    cm_buf_finish(&b);
    cm_scan_custom_close(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_dry_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
