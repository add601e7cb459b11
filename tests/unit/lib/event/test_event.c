/*
 * Unit tests for the event helpers: kind names, userIdentity types and the
 * entity key that picks a worker shard.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "event/event.h"

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(cm_event_kind_name(CM_EV_CLOUDTRAIL), "cloudtrail");
    assert_string_equal(cm_event_kind_name(CM_EV_FLOW), "vpcflow");
    assert_string_equal(cm_event_kind_name(CM_EV_DNS), "dns");
    assert_string_equal(cm_event_kind_name(CM_EV_NONE), "none");
}

static void test_uid_types(void **state)
{
    (void)state;
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("Root")), CM_UID_ROOT);
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("IAMUser")), CM_UID_IAMUSER);
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("AssumedRole")), CM_UID_ASSUMEDROLE);
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("AWSService")), CM_UID_AWSSERVICE);
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("IdentityCenterUser")), CM_UID_IDENTITYCENTERUSER);
    assert_int_equal(cm_uid_type_from(CM_STR_LIT("iamuser")), CM_UID_UNKNOWN);
    assert_int_equal(cm_uid_type_from(CM_STR_NULL), CM_UID_UNKNOWN);
}

static void test_key_cloudtrail(void **state)
{
    struct cm_event ev;
    char key[128];
    size_t n;
    (void)state;

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_CLOUDTRAIL;
    ev.account = CM_STR_LIT("111122223333");
    ev.u.ct.uid.principal_id = CM_STR_LIT("AIDAEXAMPLE");
    ev.u.ct.uid.access_key_id = CM_STR_LIT("AKIAEXAMPLE");
    n = cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "cloudtrail/111122223333");
    assert_int_equal(n, strlen(key));
    /* Every principal of the account shares it (account-wide detector state). */
    ev.u.ct.uid.principal_id = CM_STR_NULL;
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "cloudtrail/111122223333");
    /* The recipient account wins over the identity's own. */
    ev.u.ct.uid.account_id = CM_STR_LIT("444455556666");
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "cloudtrail/111122223333");
    /* Without a recipient, the caller's account. */
    ev.account = CM_STR_NULL;
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "cloudtrail/444455556666");
}

static void test_key_flow_dns(void **state)
{
    struct cm_event ev;
    char key[128];
    (void)state;

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_FLOW;
    ev.account = CM_STR_LIT("111122223333");
    ev.u.flow.interface_id = CM_STR_LIT("eni-0123");
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "vpcflow/111122223333/eni-0123");
    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_DNS;
    ev.account = CM_STR_LIT("111122223333");
    ev.u.dns.srcid_instance = CM_STR_LIT("i-0abc");
    ev.u.dns.vpc_id = CM_STR_LIT("vpc-1");
    ev.u.dns.srcaddr = CM_STR_LIT("10.0.0.5");
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "dns/111122223333/i-0abc");
    ev.u.dns.srcid_instance = CM_STR_NULL;
    cm_event_entity_key(&ev, key, sizeof(key));
    assert_string_equal(key, "dns/111122223333/vpc-1/10.0.0.5");
}

static void test_key_truncation_and_hash(void **state)
{
    struct cm_event a, b;
    char small[8];
    size_t n;
    (void)state;

    memset(&a, 0, sizeof(a));
    a.kind = CM_EV_FLOW;
    a.account = CM_STR_LIT("111122223333");
    a.u.flow.interface_id = CM_STR_LIT("eni-0123");
    n = cm_event_entity_key(&a, small, sizeof(small));
    assert_int_equal(n, strlen("vpcflow/111122223333/eni-0123"));
    assert_string_equal(small, "vpcflow");
    b = a;
    assert_true(cm_event_entity_hash(&a, 1) == cm_event_entity_hash(&b, 1));
    assert_true(cm_event_entity_hash(&a, 1) != cm_event_entity_hash(&a, 2));
    b.u.flow.interface_id = CM_STR_LIT("eni-0124");
    assert_true(cm_event_entity_hash(&a, 1) != cm_event_entity_hash(&b, 1));
}

static void test_event_size_and_flow_field(void **state)
{
    struct cm_event ev;
    (void)state;

    memset(&ev, 0, sizeof(ev));
    ev.kind = CM_EV_CLOUDTRAIL;
    assert_int_equal(cm_event_size(&ev), offsetof(struct cm_event, u) + sizeof(struct cm_ct));
    /* A DNS query: the copy stops after the answers it keeps. */
    ev.kind = CM_EV_DNS;
    assert_int_equal(cm_event_size(&ev),
                     offsetof(struct cm_event, u) + offsetof(struct cm_dns, ans));
    ev.u.dns.nans = 3;
    assert_int_equal(cm_event_size(&ev), offsetof(struct cm_event, u) +
                                             offsetof(struct cm_dns, ans) +
                                             3 * sizeof(struct cm_dns_answer));
    ev.u.dns.nans = CM_DNS_MAX_ANSWERS;
    assert_int_equal(cm_event_size(&ev), offsetof(struct cm_event, u) + sizeof(struct cm_dns));
    ev.u.dns.nans = 0;
    /* A default-format flow: the copy stops after f[13]. */
    ev.kind = CM_EV_FLOW;
    ev.u.flow.present = (1ULL << 14) - 1;
    assert_int_equal(cm_event_size(&ev), offsetof(struct cm_event, u) +
                                             offsetof(struct cm_flow, f) +
                                             14 * sizeof(struct cm_flow_span));
    ev.u.flow.present |= 1ULL << CM_FF_FLOW_DIRECTION;
    assert_int_equal(cm_event_size(&ev),
                     offsetof(struct cm_event, u) + offsetof(struct cm_flow, f) +
                         (CM_FF_FLOW_DIRECTION + 1) * sizeof(struct cm_flow_span));
    assert_true(cm_event_size(&ev) <= sizeof(ev));
    /* Fields outside the format read as absent whatever f[] holds; so does "-". */
    ev.u.flow.text = "stale 443 -";
    ev.u.flow.f[CM_FF_TCP_FLAGS] = (struct cm_flow_span){0, 5};
    ev.u.flow.f[CM_FF_DSTPORT] = (struct cm_flow_span){6, 3};
    ev.u.flow.f[CM_FF_SRCPORT] = (struct cm_flow_span){0, 0};
    assert_null(cm_flow_field(&ev.u.flow, CM_FF_TCP_FLAGS).p);
    assert_true(cm_str_eqc(cm_flow_field(&ev.u.flow, CM_FF_DSTPORT), "443"));
    assert_null(cm_flow_field(&ev.u.flow, CM_FF_SRCPORT).p);
    assert_null(cm_flow_field(&ev.u.flow, CM_FF_COUNT).p);
}

/* The event key: the record's identity, not where it was read; stable across builds. */
static void test_event_key(void **state)
{
    struct cm_event a, b;
    uint64_t k;
    (void)state;

    memset(&a, 0, sizeof(a));
    a.kind = CM_EV_CLOUDTRAIL;
    a.time_ms = 1741082400000LL;
    a.account = CM_STR_LIT("111122223333");
    a.u.ct.event_id = CM_STR_LIT("3038ebd2-c98a-4c65-9b6e-e22506292313");
    a.src.file_id = 1;
    a.src.offset = 4096;
    b = a;
    b.src.file_id = 9; /* the same record in another file (an organisation trail) */
    b.src.offset = 77;
    b.time_ms += 1;
    k = cm_event_key(&a);
    assert_true(k == cm_event_key(&b));
    /* Stored in stores: the value may never change (fixed seed, fixed hash). */
    assert_true(k == 0xb8c1c82c15d7dca9ULL);
    b.u.ct.event_id = CM_STR_LIT("3038ebd2-c98a-4c65-9b6e-e22506292314");
    assert_true(k != cm_event_key(&b));
    /* Without an eventID: time, source, name, caller and address. */
    a.u.ct.event_id = CM_STR_NULL;
    b = a;
    assert_true(cm_event_key(&a) == cm_event_key(&b));
    b.u.ct.event_name = CM_STR_LIT("GetObject");
    assert_true(cm_event_key(&a) != cm_event_key(&b));

    /* Flows: every raw field as logged; another byte count is another record. */
    memset(&a, 0, sizeof(a));
    a.kind = CM_EV_FLOW;
    a.u.flow.present = (1ULL << 0) | (1ULL << 1);
    a.u.flow.text = "2 123456789012 2 123456789013";
    a.u.flow.f[0] = (struct cm_flow_span){0, 1};
    a.u.flow.f[1] = (struct cm_flow_span){2, 12};
    b = a;
    b.src.offset = 999;
    assert_true(cm_event_key(&a) == cm_event_key(&b));
    /* The same text elsewhere (another copy of the line) is the same record. */
    b.u.flow.text = "  2 123456789012";
    b.u.flow.f[0] = (struct cm_flow_span){2, 1};
    b.u.flow.f[1] = (struct cm_flow_span){4, 12};
    assert_true(cm_event_key(&a) == cm_event_key(&b));
    b = a;
    b.u.flow.f[1] = (struct cm_flow_span){17, 12};
    assert_true(cm_event_key(&a) != cm_event_key(&b));
    /* A field absent differs from one present and empty. */
    b = a;
    b.u.flow.present |= 1ULL << 2;
    assert_true(cm_event_key(&a) != cm_event_key(&b));
    /* The value the store keeps from earlier scans, when raw text was kept as
     * struct cm_str: the 16-bit spans must not change it. */
    assert_true(cm_event_key(&b) == 0x68ac72580dd8c575ULL);
    /* Built without raw text: the typed fields decide. */
    memset(&a, 0, sizeof(a));
    a.kind = CM_EV_FLOW;
    a.u.flow.dstport = 22;
    b = a;
    b.u.flow.dstport = 23;
    assert_true(cm_event_key(&a) != cm_event_key(&b));

    /* DNS: another name or source port is another query. */
    memset(&a, 0, sizeof(a));
    a.kind = CM_EV_DNS;
    a.u.dns.query_timestamp = CM_STR_LIT("2025-03-04T10:00:00Z");
    a.u.dns.query_name = CM_STR_LIT("example.com.");
    a.u.dns.srcport = 5353;
    b = a;
    assert_true(cm_event_key(&a) == cm_event_key(&b));
    b.u.dns.query_name = CM_STR_LIT("example.org.");
    assert_true(cm_event_key(&a) != cm_event_key(&b));
    b = a;
    b.u.dns.srcport = 5354;
    assert_true(cm_event_key(&a) != cm_event_key(&b));
    /* Kinds never collide on the same text. */
    b = a;
    b.kind = CM_EV_CLOUDTRAIL;
    assert_true(cm_event_key(&a) != cm_event_key(&b));
}

/* Account ids and region names as the CLI and the key readers accept them. */
static void test_account_region_shape(void **state)
{
    (void)state;
    assert_true(cm_account_id_ok(cm_str_cstr("111122223333")));
    assert_false(cm_account_id_ok(cm_str_cstr("11112222333")));
    assert_false(cm_account_id_ok(cm_str_cstr("1111222233334")));
    assert_false(cm_account_id_ok(cm_str_cstr("11112222333x")));
    assert_false(cm_account_id_ok(CM_STR_NULL));
    assert_true(cm_region_shape_ok(cm_str_cstr("us-east-1")));
    assert_true(cm_region_shape_ok(cm_str_cstr("us-gov-west-1")));
    assert_false(cm_region_shape_ok(cm_str_cstr("us")));
    assert_false(cm_region_shape_ok(cm_str_cstr("US-EAST-1")));
    assert_false(cm_region_shape_ok(cm_str_cstr("not a region")));
    assert_false(cm_region_shape_ok(cm_str_cstr("a-region-name-longer-than-32-bytes")));
    assert_false(cm_region_shape_ok(CM_STR_NULL));
    assert_true(cm_region_shape_ok(cm_str_cstr("useast1"))); /* the shape only */
    assert_true(cm_region_shape_ok(cm_str_cstr("garage")));  /* an S3-compatible store's */
    /* A region's name as AWS writes one: words, then a number. */
    static const char *const names[] = {"us-east-1",      "us-gov-west-1",  "ap-southeast-3",
                                        "eusc-de-east-1", "us-isob-east-1", "il-central-1",
                                        "ca-west-10"};
    static const char *const not_names[] = {
        "useast1", "us-east",  "us-east-",  "us-east-1a", "u-east-1", "us--east-1", "-us-east-1",
        "us-1",    "us-east1", "US-EAST-1", "us-east-1-", "garage",   "",           "us-east-x1"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!cm_region_name_ok(cm_str_cstr(names[i]))) {
            fail_msg("'%s' is a region name", names[i]);
        }
    }
    for (size_t i = 0; i < sizeof(not_names) / sizeof(not_names[0]); i++) {
        if (cm_region_name_ok(cm_str_cstr(not_names[i]))) {
            fail_msg("'%s' is not a region name", not_names[i]);
        }
    }
    assert_false(cm_region_name_ok(CM_STR_NULL));
    /* The partition of a region, for the ARNs of its findings. */
    assert_string_equal(cm_region_partition(cm_str_cstr("us-east-1")), "aws");
    assert_string_equal(cm_region_partition(cm_str_cstr("eu-west-3")), "aws");
    assert_string_equal(cm_region_partition(cm_str_cstr("cn-north-1")), "aws-cn");
    assert_string_equal(cm_region_partition(cm_str_cstr("cn-northwest-1")), "aws-cn");
    assert_string_equal(cm_region_partition(cm_str_cstr("us-gov-west-1")), "aws-us-gov");
    assert_string_equal(cm_region_partition(cm_str_cstr("us-gov-east-1")), "aws-us-gov");
    assert_string_equal(cm_region_partition(cm_str_cstr("us-iso-east-1")), "aws-iso");
    assert_string_equal(cm_region_partition(cm_str_cstr("us-isob-east-1")), "aws-iso-b");
    assert_string_equal(cm_region_partition(cm_str_cstr("eu-isoe-west-1")), "aws-iso-e");
    assert_string_equal(cm_region_partition(cm_str_cstr("us-isof-south-1")), "aws-iso-f");
    assert_string_equal(cm_region_partition(cm_str_cstr("eusc-de-east-1")), "aws-eusc");
    assert_string_equal(cm_region_partition(cm_str_cstr("cn-")), "aws");
    assert_string_equal(cm_region_partition(CM_STR_NULL), "aws");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_account_region_shape),
        cmocka_unit_test(test_uid_types),
        cmocka_unit_test(test_key_cloudtrail),
        cmocka_unit_test(test_key_flow_dns),
        cmocka_unit_test(test_key_truncation_and_hash),
        cmocka_unit_test(test_event_size_and_flow_field),
        cmocka_unit_test(test_event_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
