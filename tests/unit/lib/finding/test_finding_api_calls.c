/*
 * Unit tests for additionalInfo.apiCalls (finding/finding_api_calls.c): which
 * types list their caller's API calls, the list a caller's detections fold
 * into (counts, first and last seen, order, the cap), the JSON round trip,
 * and a re-read record never counted twice when the store folds a scan in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/err.h"
#include "finding/aggregate.h"

#include "finding_util.h"

#define TOR "UnauthorizedAccess:IAMUser/TorIPCaller"

/* Adds one detection of type for a call of api at minute min (record offset off). */
static struct cm_finding *call(struct cm_agg *a, struct t_events *e, const char *type,
                               const char *api, int min, uint64_t off)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_finding *f = NULL;
    struct cm_detection d;

    e->ct.u.ct.event_name = cm_str_cstr(api);
    e->ct.u.ct.event_source = CM_STR_LIT("iam.amazonaws.com");
    e->ct.src.offset = off;
    e->ct.time_ms = T_EVTIME + 60000LL * min;
    d = t_detection(type, &e->ct);
    d.time_ms = d.first_ms = e->ct.time_ms;
    d.count = 1;
    d.evidence[0] = e->ct.src;
    assert_int_equal(cm_agg_add(a, &ctx, &d, &f, NULL), 0);
    return f;
}

static void test_which_types(void **state)
{
    static const struct {
        const char *type;
        bool lists;
    } cases[] = {
        {"UnauthorizedAccess:IAMUser/TorIPCaller", true},
        {"Recon:IAMUser/TorIPCaller", true},
        {"UnauthorizedAccess:IAMUser/MaliciousIPCaller", true},
        {"UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", true},
        {"Discovery:S3/MaliciousIPCaller.Custom", true},
        {"Exfiltration:S3/MaliciousIPCaller", true},
        {"UnauthorizedAccess:EC2/TorIPCaller", false}, /* a flow finding: no API */
        {"Recon:IAMUser/UserPermissions", false},
        {"Stealth:IAMUser/CloudTrailLoggingDisabled", false},
    };
    struct t_events e;
    (void)state;

    t_events_init(&e);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_finding f;
        assert_int_equal(t_sample(&f, &e, cases[i].type), 0);
        if (cm_finding_lists_api_calls(&f) != cases[i].lists ||
            (f.napi_calls == 1) != cases[i].lists) {
            fail_msg("%s: lists %d, %u calls", cases[i].type, cm_finding_lists_api_calls(&f),
                     f.napi_calls);
        }
        cm_finding_finish(&f);
    }
    t_events_finish(&e);
}

static void test_fold(void **state)
{
    struct t_events e;
    struct cm_agg *a;
    struct cm_finding *f;
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    call(a, &e, TOR, "ListUsers", 5, 100);
    call(a, &e, TOR, "GetUser", 2, 200); /* an earlier record read later */
    call(a, &e, TOR, "ListUsers", 9, 300);
    f = call(a, &e, TOR, "ListUsers", 7, 400);
    call(a, &e, TOR, "ListUsers", 7, 400); /* the same record again: not counted */
    f = cm_agg_at(a, 0);
    assert_int_equal(cm_agg_stats(a)->findings, 1);
    assert_int_equal(f->count, 4);
    assert_int_equal(f->napi_calls, 2);
    assert_true(cm_str_eqc(f->api_calls[0].name, "GetUser")); /* by first call */
    assert_int_equal(f->api_calls[0].count, 1);
    assert_true(cm_str_eqc(f->api_calls[1].name, "ListUsers"));
    assert_int_equal(f->api_calls[1].count, 3);
    assert_true(f->api_calls[1].first_ms == T_EVTIME + 5 * 60000);
    assert_true(f->api_calls[1].last_ms == T_EVTIME + 9 * 60000);

    /* The JSON carries them (epoch seconds) and reads back the same. */
    struct cm_buf b;
    struct cm_finding g;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_json(f, CM_FORM_API, &b), 0);
    assert_non_null(strstr(b.p, "\\\"apiCalls\\\":[{\\\"name\\\":\\\"GetUser\\\",\\\"count\\\":1,"
                                "\\\"firstSeen\\\":1741082520,\\\"lastSeen\\\":1741082520}"));
    cm_finding_init(&g);
    assert_int_equal(cm_finding_from_json(&g, b.p, b.len, NULL), 0);
    assert_int_equal(g.napi_calls, 2);
    assert_true(cm_str_eqc(g.api_calls[1].name, "ListUsers"));
    assert_int_equal(g.api_calls[1].count, 3);
    assert_true(g.api_calls[1].last_ms == T_EVTIME + 9 * 60000);
    /* ... and not twice: the detector's own keys do not keep a copy. */
    assert_null(g.additional_info.p == NULL ? NULL : strstr(g.additional_info.p, "apiCalls"));
    struct cm_buf b2;
    cm_buf_init(&b2, 0);
    assert_int_equal(cm_finding_to_json(&g, CM_FORM_API, &b2), 0);
    assert_int_equal(b.len, b2.len);
    assert_memory_equal(b.p, b2.p, b.len);
    cm_buf_finish(&b2);
    cm_buf_finish(&b);
    cm_finding_finish(&g);
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/* At most CM_FINDING_MAX_API_CALLS APIs are listed; the rest are in the count. */
static void test_cap(void **state)
{
    struct t_events e;
    struct cm_agg *a;
    struct cm_finding *f;
    char name[32];
    (void)state;

    t_events_init(&e);
    assert_int_equal(cm_agg_create(&a, 0, 7), 0);
    for (int i = 0; i < CM_FINDING_MAX_API_CALLS + 4; i++) {
        snprintf(name, sizeof(name), "Describe%02d", i);
        call(a, &e, TOR, name, i, 1000u + (uint64_t)i);
    }
    f = cm_agg_at(a, 0);
    assert_int_equal(f->count, CM_FINDING_MAX_API_CALLS + 4);
    assert_int_equal(f->napi_calls, CM_FINDING_MAX_API_CALLS);
    assert_true(cm_str_eqc(f->api_calls[0].name, "Describe00"));
    cm_agg_destroy(a);
    t_events_finish(&e);
}

/* The store's fold of a scan that re-read records: none twice. */
static void test_overlap(void **state)
{
    struct t_events e;
    struct cm_finding old, nf;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&old, &e, TOR), 0);
    assert_int_equal(t_sample(&nf, &e, TOR), 0);
    old.api_calls[0].count = old.count = 3; /* PutBucketPublicAccessBlock x3 */
    nf.api_calls[0].count = nf.count = 3;   /* the same three read again */
    cm_finding_api_calls_overlap(&nf, &old, 0);
    nf.count = 0;
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.api_calls[0].count, 3);
    cm_finding_finish(&nf);

    assert_int_equal(t_sample(&nf, &e, TOR), 0);
    nf.api_calls[0].count = nf.count = 5; /* the three again, and two new */
    cm_finding_api_calls_overlap(&nf, &old, 2);
    nf.count = 2;
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.count, 5);
    assert_int_equal(nf.api_calls[0].count, 5);
    cm_finding_finish(&nf);

    assert_int_equal(t_sample(&nf, &e, TOR), 0);
    nf.api_calls[0].count = nf.count = 4; /* all new: added as they are */
    cm_finding_api_calls_overlap(&nf, &old, 4);
    assert_int_equal(cm_finding_merge(&nf, &old), 0);
    assert_int_equal(nf.api_calls[0].count, 7);
    cm_finding_finish(&nf);
    cm_finding_finish(&old);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_types),
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_overlap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
