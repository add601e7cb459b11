/*
 * Unit tests for the finding model and builder: findings from synthetic
 * CloudTrail, flow and DNS events, stable 32-hex identities and the identity
 * rules per type family, the ARN, severity defaults (brute force 2 as TARGET,
 * 8 as ACTOR), the type table against $SHARED/spec/finding-types.csv (skipped
 * when absent), and the round trip API JSON -> struct -> API JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "base/err.h"
#include "finding_util.h"

static void assert_hex32(const char *id)
{
    assert_int_equal(strlen(id), 32);
    for (size_t i = 0; i < 32; i++) {
        assert_true((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f'));
    }
}

static char *api_json(const struct cm_finding *f)
{
    struct cm_buf b;
    size_t n;

    cm_buf_init(&b, 0);
    assert_int_equal(cm_finding_to_json(f, CM_FORM_API, &b), 0);
    return cm_buf_take(&b, &n);
}

static void test_cloudtrail(void **state)
{
    struct t_events e;
    struct cm_finding f;
    char *js;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "Policy:S3/BucketBlockPublicAccessDisabled"), 0);
    assert_hex32(f.id);
    assert_int_equal(f.action_type, CM_ACT_AWS_API_CALL);
    assert_int_equal(f.resource_type, CM_RES_ACCESS_KEY);
    assert_true(cm_str_eqc(f.access_key.access_key_id, "AKIAIOSFODNN7EXAMPLE"));
    assert_true(cm_str_eqc(f.access_key.user_type, "IAMUser"));
    assert_int_equal(f.nbuckets, 1);
    assert_true(cm_str_eqc(f.buckets[0].name, "example-data-bucket"));
    assert_true(cm_str_eqc(f.api.caller_type, "Remote IP"));
    assert_true(cm_str_eqc(f.api.remote_ip.ipv4, "198.51.100.7"));
    assert_true(f.severity == 2.0);
    assert_int_equal(f.count, 3);
    js = api_json(&f);
    assert_non_null(
        strstr(js, "\"affectedResources\":{\"AWS::S3::Bucket\":\"example-data-bucket\"}"));
    assert_non_null(strstr(js, "\"createdAt\":\"2025-03-04T10:25:11.234Z\""));
    assert_non_null(strstr(js, "\"eventFirstSeen\":\"2025-03-04T10:00:00.000Z\""));
    assert_non_null(strstr(js, "\"severity\":2,"));
    assert_non_null(strstr(js, "\"title\":\"S3 Block Public Access was turned off for bucket "
                               "example-data-bucket.\""));
    /* No geo invented for the remote address. */
    assert_null(strstr(js, "\"country\""));
    assert_null(strstr(js, "\"organization\""));
    /* Evidence travels in additionalInfo.value. */
    assert_non_null(strstr(js, "\\\"coalmine\\\":{\\\"evidence\\\":[{\\\"file\\\":"));
    free(js);
    cm_finding_finish(&f);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

static void test_flow_and_role(void **state)
{
    struct t_events e;
    struct cm_finding f;
    char target_id[33];
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    assert_int_equal(f.action_type, CM_ACT_NETWORK_CONNECTION);
    assert_int_equal(f.resource_type, CM_RES_INSTANCE);
    assert_int_equal(f.net.direction, CM_DIR_INBOUND);
    assert_int_equal(f.role, CM_ROLE_TARGET);
    assert_true(f.severity == 2.0);
    assert_int_equal(f.net.local_port.port, 22);
    assert_true(cm_str_eqc(f.net.local_port.name, "SSH"));
    assert_true(cm_str_eqc(f.net.remote_port.name, "Unknown"));
    assert_true(cm_str_eqc(f.net.protocol, "TCP"));
    assert_int_equal(f.net.blocked, CM_TRI_FALSE);
    assert_true(cm_str_eqc(f.instance.instance_id, "i-0a1b2c3d4e5f60718"));
    assert_true(cm_str_eqc(f.instance.nics[0].private_ip, "10.0.1.14"));
    assert_true(cm_str_eqc(f.title, "198.51.100.7 is brute forcing SSH on i-0a1b2c3d4e5f60718."));
    memcpy(target_id, f.id, sizeof(target_id));
    cm_finding_finish(&f);

    /* The instance as the attacker: outbound, ACTOR, High 8, a different finding. */
    t_ip(&e.flow.u.flow.src, "10.0.1.14");
    t_ip(&e.flow.u.flow.dst, "198.51.100.7");
    e.flow.u.flow.srcport = 50242;
    e.flow.u.flow.dstport = 22;
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:EC2/SSHBruteForce"), 0);
    assert_int_equal(f.net.direction, CM_DIR_OUTBOUND);
    assert_int_equal(f.role, CM_ROLE_ACTOR);
    assert_true(f.severity == 8.0);
    assert_string_not_equal(f.id, target_id);
    assert_int_equal(f.net.remote_port.port, 22);
    cm_finding_finish(&f);

    /* Port probe: one portProbeDetails entry, same id whatever the remote. */
    assert_int_equal(t_sample(&f, &e, "Recon:EC2/PortProbeUnprotectedPort"), 0);
    assert_int_equal(f.action_type, CM_ACT_PORT_PROBE);
    assert_int_equal(f.probe.nprobes, 1);
    memcpy(target_id, f.id, sizeof(target_id));
    cm_finding_finish(&f);
    t_ip(&e.flow.u.flow.src, "203.0.113.50");
    t_ip(&e.flow.u.flow.dst, "10.0.1.14");
    assert_int_equal(t_sample(&f, &e, "Recon:EC2/PortProbeUnprotectedPort"), 0);
    assert_string_equal(f.id, target_id);
    assert_true(cm_str_eqc(f.probe.probes[0].remote_ip.ipv4, "203.0.113.50"));
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* networkConnectionAction.protocol names the IP protocol of the flow, whichever it is: an
 * UnusualProtocol flood says which protocol it used (IANA keyword), never "Unknown". */
static void test_protocol_names(void **state)
{
    static const struct {
        int32_t proto;
        const char *name;
    } cases[] = {{6, "TCP"},    {17, "UDP"},     {1, "ICMP"},      {58, "ICMPV6"},
                 {47, "GRE"},   {2, "IGMP"},     {132, "SCTP"},    {50, "ESP"},
                 {51, "AH"},    {41, "IPV6"},    {4, "IPV4"},      {103, "PIM"},
                 {112, "VRRP"}, {89, "OSPFIGP"}, {253, "Unknown"}, {-1, "Unknown"}};
    struct t_events e;
    struct cm_finding f;
    (void)state;

    t_events_init(&e);
    t_ip(&e.flow.u.flow.src, "10.0.1.14");
    t_ip(&e.flow.u.flow.dst, "198.51.100.7");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        e.flow.u.flow.protocol = cases[i].proto;
        assert_int_equal(t_sample(&f, &e, "Backdoor:EC2/DenialOfService.UnusualProtocol"), 0);
        assert_int_equal(f.action_type, CM_ACT_NETWORK_CONNECTION);
        if (!cm_str_eqc(f.net.protocol, cases[i].name)) {
            fail_msg("protocol %d: got %.*s, want %s", cases[i].proto, (int)f.net.protocol.len,
                     f.net.protocol.p, cases[i].name);
        }
        cm_finding_finish(&f);
    }
    t_events_finish(&e);
}

static void test_dns_and_eni(void **state)
{
    struct t_events e;
    struct cm_finding f;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "CryptoCurrency:EC2/BitcoinTool.B!DNS"), 0);
    assert_int_equal(f.action_type, CM_ACT_DNS_REQUEST);
    assert_true(cm_str_eqc(f.dns.domain, "pool.minergate.com"));
    assert_true(cm_str_eqc(f.dns.domain_with_suffix, "minergate.com"));
    assert_true(cm_str_eqc(f.dns.protocol, "UDP"));
    assert_int_equal(f.dns.blocked, CM_TRI_FALSE);
    assert_true(cm_str_eqc(f.dns.vpc_owner, T_ACCOUNT));
    assert_true(f.severity == 8.0);
    cm_finding_finish(&f);

    /* A flow without an instance id: the ENI identifies the instance. */
    e.flow.u.flow.instance_id = CM_STR_NULL;
    d = t_detection("Recon:EC2/Portscan", &e.flow);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_false(cm_str_present(f.instance.instance_id));
    assert_true(cm_str_eqc(f.instance.nics[0].eni_id, "eni-0123456789abcdef0"));
    assert_int_equal(f.role, CM_ROLE_ACTOR);
    cm_finding_finish(&f);

    /* Missing account is refused. */
    d.account = CM_STR_NULL;
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), CM_EINVAL);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* The owner the test's inventory knows: the participant account of a shared VPC. */
static struct cm_str t_owner(void *ud, struct cm_str instance)
{
    (void)ud;
    return cm_str_eqc(instance, "i-0a1b2c3d4e5f60718") ? cm_str_cstr("444455556666") : CM_STR_NULL;
}

/*
 * A DNS finding belongs to its instance's account. In a shared VPC the Resolver record's
 * account_id is the VPC's creator (it stays vpcOwnerAccountId); the instance is a
 * participant's. Before 2026-12-04 the finding went to the VPC's creator.
 */
static void test_dns_instance_owner(void **state)
{
    struct t_events e;
    struct cm_finding f, g;
    struct cm_finding_ctx ctx = t_ctx();
    struct cm_detection d;
    (void)state;

    t_events_init(&e);
    d = t_detection("CryptoCurrency:EC2/BitcoinTool.B!DNS", &e.dns);
    d.resource_type = CM_RES_INSTANCE; /* as cm_dns_detection makes them */
    d.resource_id = e.dns.u.dns.srcid_instance;
    cm_finding_init(&g);
    assert_int_equal(cm_finding_from_detection(&g, &ctx, &d), 0); /* no owner known */
    assert_true(cm_str_eqc(g.account_id, T_ACCOUNT));
    ctx.instance_owner = t_owner;
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.account_id, "444455556666"));
    assert_true(cm_str_eqc(f.dns.vpc_owner, T_ACCOUNT));
    assert_true(cm_str_find(f.arn, CM_STR_LIT(":444455556666:")) != (size_t)-1);
    assert_string_not_equal(f.id, g.id);
    cm_finding_finish(&f);
    /* An instance it does not know, and flows (their record names the interface's owner). */
    d.resource_id = CM_STR_LIT("i-0ffffffffffffffff");
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.account_id, T_ACCOUNT));
    cm_finding_finish(&f);
    d = t_detection("Recon:EC2/Portscan", &e.flow);
    d.resource_type = CM_RES_INSTANCE;
    d.resource_id = e.flow.u.flow.instance_id;
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.account_id, T_ACCOUNT));
    cm_finding_finish(&f);
    cm_finding_finish(&g);
    t_events_finish(&e);
}

static void test_identity(void **state)
{
    char a[33], b[33];
    struct t_events e;
    struct cm_finding f;
    (void)state;

    assert_int_equal(cm_finding_id(CM_STR_LIT("1"), CM_STR_LIT("r"), CM_STR_LIT("T"),
                                   CM_STR_LIT("i-1"), CM_STR_NULL, a),
                     0);
    assert_hex32(a);
    /* Stable across calls and runs (golden value). */
    assert_int_equal(cm_finding_id(CM_STR_LIT("1"), CM_STR_LIT("r"), CM_STR_LIT("T"),
                                   CM_STR_LIT("i-1"), CM_STR_NULL, b),
                     0);
    assert_string_equal(a, b);
    /* Length prefixes: moving a byte between fields changes the id. */
    assert_int_equal(cm_finding_id(CM_STR_LIT("1r"), CM_STR_LIT(""), CM_STR_LIT("T"),
                                   CM_STR_LIT("i-1"), CM_STR_NULL, b),
                     0);
    assert_string_not_equal(a, b);
    assert_int_equal(cm_finding_id(CM_STR_LIT("1"), CM_STR_LIT("r"), CM_STR_LIT("T"),
                                   CM_STR_LIT("i-1"), CM_STR_LIT("x"), b),
                     0);
    assert_string_not_equal(a, b);

    /* The ARN and the id of a built finding. */
    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    snprintf(a, sizeof(a), "%s", f.id);
    {
        char arn[256];
        snprintf(arn, sizeof(arn),
                 "arn:aws:guardduty:us-east-1:111122223333:detector/%s/finding/%s", T_DETECTOR,
                 f.id);
        assert_true(cm_str_eqc(f.arn, arn));
    }
    cm_finding_finish(&f);
    /* Another API or source address of the same key: same finding. */
    e.ct.u.ct.event_name = CM_STR_LIT("ListBuckets");
    t_ip(&e.ct.u.ct.source_ip, "203.0.113.9");
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    assert_string_equal(f.id, a);
    cm_finding_finish(&f);
    /* Another access key: another finding. */
    e.ct.u.ct.uid.access_key_id = CM_STR_LIT("AKIAOTHERKEYEXAMPLE1");
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    assert_string_not_equal(f.id, a);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

static void test_s3_caller_identity(void **state)
{
    struct t_events e;
    struct cm_finding f;
    char a[33];
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "Discovery:S3/TorIPCaller"), 0);
    assert_int_equal(f.resource_type, CM_RES_S3_BUCKET);
    assert_true(f.has_access_key);
    assert_int_equal(f.nbuckets, 1);
    memcpy(a, f.id, sizeof(a));
    cm_finding_finish(&f);
    e.ct.u.ct.uid.access_key_id = CM_STR_LIT("AKIAOTHERKEYEXAMPLE1");
    assert_int_equal(t_sample(&f, &e, "Discovery:S3/TorIPCaller"), 0);
    assert_string_not_equal(f.id, a);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* A call without an access key (the root user's console sign-in): the detector keys it
 * by the principal id, which is an identity, not a key: accessKeyId stays out, the
 * principal id is where it belongs, and the finding's identity is still the principal's. */
static void test_keyless_caller(void **state)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct t_events e;
    struct cm_detection d;
    struct cm_finding f;
    char *js;
    (void)state;

    t_events_init(&e);
    e.ct.u.ct.uid.access_key_id = CM_STR_NULL;
    e.ct.u.ct.uid.principal_id = CM_STR_LIT("111122223333");
    d = t_detection("Policy:IAMUser/RootCredentialUsage", &e.ct);
    d.resource_type = CM_RES_ACCESS_KEY;
    d.resource_id = CM_STR_LIT("111122223333");
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_false(cm_str_present(f.access_key.access_key_id));
    assert_true(cm_str_eqc(f.access_key.principal_id, "111122223333"));
    js = api_json(&f);
    assert_null(strstr(js, "\"accessKeyId\""));
    assert_non_null(strstr(js, "\"principalId\":\"111122223333\""));
    free(js);
    {
        char id[33];

        assert_int_equal(cm_finding_id(CM_STR_LIT(T_ACCOUNT), CM_STR_LIT(T_REGION),
                                       CM_STR_LIT("Policy:IAMUser/RootCredentialUsage"),
                                       CM_STR_LIT("111122223333"), CM_STR_NULL, id),
                         0);
        assert_string_equal(f.id, id);
    }
    cm_finding_finish(&f);

    /* A bucket finding's caller without a key: the same. */
    d = t_detection("Discovery:S3/TorIPCaller", &e.ct);
    d.resource_type = CM_RES_S3_BUCKET;
    d.resource_id = CM_STR_LIT("example-data-bucket");
    d.actor = CM_STR_LIT("111122223333");
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_false(cm_str_present(f.access_key.access_key_id));
    cm_finding_finish(&f);

    /*
     * A failed console sign-in carries "accessKeyId": "": no key either. Two users'
     * sign-ins are two findings, each its principal's, and no empty accessKeyId is
     * written.
     */
    e.ct.u.ct.uid.access_key_id = CM_STR_LIT("");
    {
        const char *const principals[] = {"AIDAALICEEXAMPLE", "AIDABOBEXAMPLE"};
        char ids[2][33];

        for (size_t i = 0; i < 2; i++) {
            char want[33];

            e.ct.u.ct.uid.principal_id = cm_str_cstr(principals[i]);
            d = t_detection("UnauthorizedAccess:IAMUser/TorIPCaller", &e.ct);
            d.resource_type = CM_RES_ACCESS_KEY;
            d.resource_id = cm_str_cstr(principals[i]);
            cm_finding_init(&f);
            assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
            assert_false(cm_str_present(f.access_key.access_key_id));
            js = api_json(&f);
            assert_null(strstr(js, "\"accessKeyId\""));
            free(js);
            assert_int_equal(cm_finding_id(CM_STR_LIT(T_ACCOUNT), CM_STR_LIT(T_REGION),
                                           CM_STR_LIT("UnauthorizedAccess:IAMUser/TorIPCaller"),
                                           cm_str_cstr(principals[i]), CM_STR_NULL, want),
                             0);
            assert_string_equal(f.id, want);
            memcpy(ids[i], f.id, sizeof(ids[i]));
            cm_finding_finish(&f);
        }
        assert_string_not_equal(ids[0], ids[1]);
    }
    e.ct.u.ct.uid.principal_id = CM_STR_LIT("111122223333");

    /* A key the detection names that is not the caller's principal is still written. */
    d = t_detection("UnauthorizedAccess:IAMUser/TorIPCaller", &e.ct);
    d.resource_type = CM_RES_ACCESS_KEY;
    d.resource_id = CM_STR_LIT("AKIAOTHERKEYEXAMPLE1");
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.access_key.access_key_id, "AKIAOTHERKEYEXAMPLE1"));
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/* Callers with no access key and no principal id (an AWS service, an Identity Center user,
 * an unknown user whose principalId is ""): each is its own finding, named by its user name
 * or type; before 2026-12-05 all of them had one empty identity and were one finding. */
static void test_principalless_callers(void **state)
{
    static const struct {
        enum cm_uid_type type;
        const char *type_name, *principal, *user;
    } who[] = {
        {CM_UID_AWSSERVICE, "AWSService", NULL, NULL},
        {CM_UID_IDENTITYCENTERUSER, "IdentityCenterUser", NULL, NULL},
        {CM_UID_UNKNOWN, "Unknown", "", "someone@example.com"},
        {CM_UID_UNKNOWN, "Unknown", "", "other@example.com"},
    };
    char ids[4][33];
    (void)state;

    for (size_t i = 0; i < 4; i++) {
        struct t_events e;
        struct cm_finding f;
        struct cm_str res, actor;

        t_events_init(&e);
        memset(&e.ct.u.ct.uid, 0, sizeof(e.ct.u.ct.uid));
        e.ct.u.ct.uid.type = who[i].type;
        e.ct.u.ct.uid.type_name = cm_str_cstr(who[i].type_name);
        e.ct.u.ct.uid.principal_id = who[i].principal ? cm_str_cstr(who[i].principal) : CM_STR_NULL;
        e.ct.u.ct.uid.user_name = who[i].user ? cm_str_cstr(who[i].user) : CM_STR_NULL;
        assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
        assert_int_equal(f.resource_type, CM_RES_ACCESS_KEY);
        assert_int_equal(cm_finding_identity(&f, &res, &actor), 0);
        assert_true(res.len > 0);
        memcpy(ids[i], f.id, sizeof(ids[i]));
        for (size_t j = 0; j < i; j++) {
            assert_string_not_equal(ids[i], ids[j]);
        }
        cm_finding_finish(&f);
        t_events_finish(&e);
    }
}

/* A finding built for region r: its partition, and the ARNs that name it, follow the region. */
static void check_partition(const char *region, const char *want)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct t_events e;
    struct cm_detection d;
    struct cm_finding f;
    char arn[160];

    t_events_init(&e);
    e.ct.region = cm_str_cstr(region);
    d = t_detection("Policy:S3/BucketBlockPublicAccessDisabled", &e.ct);
    d.region = cm_str_cstr(region);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    if (!cm_str_eqc(f.partition, want)) {
        fail_msg("%s: partition %.*s, want %s", region, (int)f.partition.len, f.partition.p, want);
    }
    snprintf(arn, sizeof(arn), "arn:%s:guardduty:%s:%s:detector/%s/finding/%s", want, region,
             T_ACCOUNT, T_DETECTOR, f.id);
    assert_true(cm_str_eqc(f.arn, arn));
    assert_int_equal(f.nbuckets, 1);
    snprintf(arn, sizeof(arn), "arn:%s:s3:::example-data-bucket", want);
    assert_true(cm_str_eqc(f.buckets[0].arn, arn));
    cm_finding_finish(&f);
    t_events_finish(&e);
}

static void test_partition(void **state)
{
    struct cm_finding_ctx ctx = t_ctx();
    struct t_events e;
    struct cm_detection d;
    struct cm_finding f;
    (void)state;

    check_partition("us-east-1", "aws");
    check_partition("cn-north-1", "aws-cn");
    check_partition("cn-northwest-1", "aws-cn");
    check_partition("us-gov-west-1", "aws-us-gov");
    check_partition("us-iso-east-1", "aws-iso");
    check_partition("us-isob-east-1", "aws-iso-b");

    /* A partition the caller names wins. */
    t_events_init(&e);
    ctx.partition = "aws-cn";
    d = t_detection("Policy:S3/BucketBlockPublicAccessDisabled", &e.ct);
    cm_finding_init(&f);
    assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
    assert_true(cm_str_eqc(f.partition, "aws-cn"));
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/*
 * publicAccess of a detection's bucket, as far as its type says: PUBLIC for the grants, the
 * four Block Public Access flags off at the level the type names, nothing else claimed.
 */
static void test_public_access(void **state)
{
    static const struct {
        const char *type, *want, *absent;
    } cases[] = {
        {"Policy:S3/BucketAnonymousAccessGranted",
         "\"publicAccess\":{\"effectivePermission\":"
         "\"PUBLIC\"}",
         "blockPublicAccess"},
        {"Policy:S3/BucketPublicAccessGranted", "\"effectivePermission\":\"PUBLIC\"",
         "blockPublicAccess"},
        {"Policy:S3/BucketBlockPublicAccessDisabled",
         "\"bucketLevelPermissions\":{\"blockPublicAccess\":{\"ignorePublicAcls\":false,"
         "\"restrictPublicBuckets\":false,\"blockPublicAcls\":false,\"blockPublicPolicy\":false}}",
         "accountLevelPermissions"},
        {"Policy:S3/AccountBlockPublicAccessDisabled",
         "\"accountLevelPermissions\":{\"blockPublicAccess\":{\"ignorePublicAcls\":false,"
         "\"restrictPublicBuckets\":false,\"blockPublicAcls\":false,\"blockPublicPolicy\":false}}",
         "effectivePermission"},
        {"Stealth:S3/ServerAccessLoggingDisabled", NULL, "publicAccess"},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct cm_finding_ctx ctx = t_ctx();
        struct t_events e;
        struct cm_detection d;
        struct cm_finding f;
        char *js;

        t_events_init(&e);
        d = t_detection(cases[i].type, &e.ct);
        cm_finding_init(&f);
        assert_int_equal(cm_finding_from_detection(&f, &ctx, &d), 0);
        assert_int_equal(f.nbuckets, 1);
        js = api_json(&f);
        if (cases[i].want != NULL && strstr(js, cases[i].want) == NULL) {
            fail_msg("%s: no %s in %s", cases[i].type, cases[i].want, js);
        }
        assert_null(strstr(js, cases[i].absent));
        free(js);
        cm_finding_finish(&f);
        t_events_finish(&e);
    }
}

static void test_severity(void **state)
{
    const struct cm_finding_type_info *ti;
    (void)state;

    ti = cm_finding_type_info("UnauthorizedAccess:EC2/SSHBruteForce");
    assert_non_null(ti);
    assert_true(cm_finding_default_severity(ti, CM_ROLE_TARGET) == 2.0);
    assert_true(cm_finding_default_severity(ti, CM_ROLE_ACTOR) == 8.0);
    assert_true(ti->identity & CM_FID_ROLE);
    ti = cm_finding_type_info("Backdoor:EC2/Spambot");
    assert_true(cm_finding_default_severity(ti, CM_ROLE_TARGET) == 5.0);
    ti = cm_finding_type_info("CryptoCurrency:EC2/BitcoinTool.B!DNS");
    assert_true(ti->severity == 8.0);
    assert_int_equal(ti->action, CM_ACT_DNS_REQUEST);
    assert_null(cm_finding_type_info("Nope:EC2/Nothing"));
    assert_null(cm_finding_type_info(NULL));
    /* The "did you mean" of a type that differs only in case; a slice, not a C string. */
    ti = cm_finding_type_like(cm_str_make("recon:ec2/PORTSCAN, and more", 18));
    assert_non_null(ti);
    assert_string_equal(ti->type, "Recon:EC2/Portscan");
    assert_null(cm_finding_type_like(cm_str_cstr("Recon:EC2/Port")));
    assert_null(cm_finding_type_like(cm_str_cstr("Recon:EC2/Portscans")));
    assert_null(cm_finding_type_like(cm_str_cstr("")));
    assert_string_equal(cm_severity_label(2), "Low");
    assert_string_equal(cm_severity_label(3.9), "Low");
    assert_string_equal(cm_severity_label(4), "Medium");
    assert_string_equal(cm_severity_label(6.9), "Medium");
    assert_string_equal(cm_severity_label(8), "High");
    assert_string_equal(cm_severity_label(9), "Critical");
}

/* Extracts field i (0-based) of a simple CSV line with optional quotes. */
static void csv_field(const char *line, int idx, char *out, size_t outlen)
{
    int field = 0;
    size_t n = 0;
    bool q = false;

    for (const char *p = line; *p != '\0' && *p != '\n'; p++) {
        if (*p == '"') {
            q = !q;
        } else if (*p == ',' && !q) {
            if (field++ == idx) {
                break;
            }
        } else if (field == idx && n + 1 < outlen) {
            out[n++] = *p;
        }
    }
    out[n] = '\0';
}

/* Types coalmine adds to GuardDuty's (issue #5: canary credentials). */
static const char *const own_types[] = {
    "UnauthorizedAccess:IAMUser/CanaryCredentialUsage",
    /* Custom Detection Rules: named in the spec's prose (§1.5), not in its CSV */
    "CredentialAccess:EC2/UnsecuredCredentials",
    "CredentialAccess:RDS/ModifyAuthenticationProcess",
    "DefenseImpairment:EC2/DisableOrModifyTools",
    "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy",
    "DefenseImpairment:Organizations/DisableOrModifyTools",
};

static void test_table_covers_csv(void **state)
{
    char path[1024], type[256], sev[64];
    size_t len = 0, rows = 0, ntypes;
    char *csv, *line;
    (void)state;

    snprintf(path, sizeof(path), "%s/spec/finding-types.csv", t_shared());
    csv = t_read_file(path, &len);
    if (csv == NULL) {
        skip();
        return;
    }
    line = strchr(csv, '\n');
    while (line != NULL && line[1] != '\0') {
        const struct cm_finding_type_info *ti;
        line++;
        csv_field(line, 0, type, sizeof(type));
        csv_field(line, 4, sev, sizeof(sev));
        ti = cm_finding_type_info(type);
        if (ti == NULL) {
            fail_msg("type %s missing from the table", type);
        }
        /* The first number of severity_number is the default. */
        assert_true(ti->severity == strtod(sev, NULL));
        rows++;
        line = strchr(line, '\n');
    }
    /* Every type of the table is GuardDuty's, but for coalmine's own. */
    cm_finding_types(&ntypes);
    assert_int_equal(rows + sizeof(own_types) / sizeof(own_types[0]), ntypes);
    for (size_t i = 0; i < sizeof(own_types) / sizeof(own_types[0]); i++) {
        assert_non_null(cm_finding_type_info(own_types[i]));
        assert_null(strstr(csv, own_types[i]));
    }
    free(csv);
}

static void test_round_trip(void **state)
{
    static const char *const types[] = {
        "Policy:S3/BucketBlockPublicAccessDisabled", "UnauthorizedAccess:EC2/SSHBruteForce",
        "Recon:EC2/PortProbeUnprotectedPort", "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "Discovery:S3/MaliciousIPCaller"};
    struct t_events e;
    (void)state;

    t_events_init(&e);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct cm_finding f, g;
        char *a, *b;
        assert_int_equal(t_sample(&f, &e, types[i]), 0);
        /* Details the builder does not fill, to cover them too. */
        assert_int_equal(cm_finding_setc(&f, &f.additional_info, "{\"threatListName\":\"X\"}"), 0);
        f.nthreats = 1;
        assert_int_equal(cm_finding_setc(&f, &f.threats[0].list_name, "X"), 0);
        f.threats[0].nnames = 1;
        assert_int_equal(cm_finding_setc(&f, &f.threats[0].names[0], "Scanner"), 0);
        a = api_json(&f);
        cm_finding_init(&g);
        assert_int_equal(cm_finding_from_json(&g, a, strlen(a), NULL), 0);
        b = api_json(&g);
        assert_string_equal(a, b);
        assert_string_equal(f.id, g.id);
        assert_int_equal(g.nevidence, f.nevidence);
        free(a);
        free(b);
        cm_finding_finish(&f);
        cm_finding_finish(&g);
    }
    t_events_finish(&e);
}

/*
 * associatedAttackSequenceArn (spec §2.1) is read and written back at the top level of
 * every JSON form, and only when present, and a marked finding's EventBridge event id
 * differs from the unmarked one's. Before 2026-12-05 the parser dropped it.
 */
static void test_sequence_arn_round_trip(void **state)
{
    static const char arn[] = "arn:aws:guardduty:us-east-1:111122223333:detector/"
                              "12abc34d567e8fa901bc2d34e56789f0/finding/"
                              "0123456789abcdef0123456789abcdef";
    static const char key[] = "\"associatedAttackSequenceArn\":";
    struct t_events e;
    struct cm_finding f, g;
    struct cm_buf with;
    char *a, *b;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "UnauthorizedAccess:IAMUser/TorIPCaller"), 0);
    a = api_json(&f);
    assert_null(strstr(a, key)); /* absent: left out */
    /* The document with the member added last, as GuardDuty would send it. */
    cm_buf_init(&with, 0);
    assert_int_equal(cm_buf_append(&with, a, strlen(a) - 1), 0);
    assert_int_equal(cm_buf_puts(&with, ",\"associatedAttackSequenceArn\":\""), 0);
    assert_int_equal(cm_buf_puts(&with, arn), 0);
    assert_int_equal(cm_buf_puts(&with, "\"}"), 0);
    cm_finding_init(&g);
    assert_int_equal(cm_finding_from_json(&g, with.p, with.len, NULL), 0);
    b = api_json(&g);
    assert_string_equal(b, with.p);
    free(b);
    for (int form = 0; form < 2; form++) {
        struct cm_buf out;
        char *at;

        cm_buf_init(&out, 0);
        assert_int_equal(form ? cm_finding_to_eventbridge(&g, 0, &out)
                              : cm_finding_to_json(&g, CM_FORM_EVENT, &out),
                         0);
        at = strstr(out.p, key);
        assert_non_null(at);
        assert_memory_equal(at + strlen(key) + 1, arn, strlen(arn));
        cm_buf_finish(&out);
    }
    /* Marking a stored member moves neither updatedAt nor count: the event id tells them apart. */
    {
        struct cm_buf ea, eb;

        cm_buf_init(&ea, 0);
        cm_buf_init(&eb, 0);
        assert_int_equal(cm_finding_to_eventbridge(&f, 0, &ea), 0);
        assert_int_equal(cm_finding_to_eventbridge(&g, 0, &eb), 0);
        assert_memory_equal(ea.p, "{\"version\":\"0\",\"id\":\"", 21);
        assert_memory_not_equal(ea.p, eb.p, 21 + 36);
        /* a version 4 UUID's form: 8-4-4-4-12 lower-case hex, version 4, variant 10 */
        for (const char *u = ea.p + 21; u != NULL; u = u == ea.p + 21 ? eb.p + 21 : NULL) {
            for (int i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) {
                    assert_int_equal(u[i], '-');
                } else {
                    assert_true(u[i] != '\0' && strchr("0123456789abcdef", u[i]) != NULL);
                }
            }
            assert_int_equal(u[14], '4');
            assert_non_null(strchr("89ab", u[19]));
            assert_int_equal(u[36], '"');
        }
        cm_buf_finish(&ea);
        cm_buf_finish(&eb);
    }
    cm_buf_finish(&with);
    cm_finding_finish(&g);
    cm_finding_finish(&f);
    free(a);
    t_events_finish(&e);
}

/*
 * A bucket's createdAt (epoch seconds) too big for milliseconds in an int64_t is not
 * converted: before 2026-12-05, 1e78 was cast to int64_t, undefined behaviour that UBSan
 * stopped fuzz_finding on. A value in range still is.
 */
static void test_bucket_created_range(void **state)
{
    static const char *const value[] = {"1e78", "1700000000.25"};
    struct t_events e;
    struct cm_finding f;
    char *a;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "Policy:S3/BucketBlockPublicAccessDisabled"), 0);
    assert_true(f.nbuckets == 1);
    f.buckets[0].created_ms = 1234000; /* written as "createdAt":1234 */
    a = api_json(&f);
    for (size_t i = 0; i < 2; i++) {
        char *at = strstr(a, "\"createdAt\":1234"), *doc = malloc(strlen(a) + 32);
        struct cm_finding g;

        assert_non_null(at);
        assert_non_null(doc);
        snprintf(doc, strlen(a) + 32, "%.*s\"createdAt\":%s%s", (int)(at - a), a, value[i],
                 at + strlen("\"createdAt\":1234"));
        cm_finding_init(&g);
        assert_int_equal(cm_finding_from_json(&g, doc, strlen(doc), NULL), 0);
        assert_true(g.nbuckets == 1);
        assert_true(g.buckets[0].created_ms == (i == 0 ? 0 : 1700000000250LL));
        cm_finding_finish(&g);
        free(doc);
    }
    free(a);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

/*
 * A finding id is 32 letters and digits written as they are: one with an escape (copied raw
 * and written back escaped, another id), another character or another length is refused.
 */
static void test_bad_id(void **state)
{
    static const char *const bad[] = {
        "5aa9306246e83a1de5a3\\f78488e719f", /* "\f": 32 bytes raw, 31 decoded */
        "5aa9306246e83a1de5a3-f78488e719ff",
        "5aa9306246e83a1de5a3df78488e719",
        "5aa9306246e83a1de5a3df78488e719ff",
    };
    struct t_events e;
    struct cm_finding f, g;
    char *a, *at, doc[16384];

    (void)state;
    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "Policy:S3/BucketBlockPublicAccessDisabled"), 0);
    a = api_json(&f);
    assert_true(strlen(a) < sizeof(doc) - 64);
    at = strstr(a, "\"id\":\"");
    assert_non_null(at);
    at += strlen("\"id\":\"");
    for (size_t i = 0; i <= sizeof(bad) / sizeof(bad[0]); i++) {
        const char *id =
            i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : "5aa9306246e83a1de5a3dF78488e719f";

        snprintf(doc, sizeof(doc), "%.*s%s%s", (int)(at - a), a, id, at + CM_FINDING_ID_LEN);
        cm_finding_init(&g);
        assert_int_equal(cm_finding_from_json(&g, doc, strlen(doc), NULL),
                         i < sizeof(bad) / sizeof(bad[0]) ? CM_EINVAL : 0);
        cm_finding_finish(&g);
    }
    free(a);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

static size_t count_of(const char *s, const char *what)
{
    size_t n = 0;

    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what)) {
        n++;
    }
    return n;
}

/*
 * An attack sequence's "sequence" (its detector keys) is service.detection.sequence in the
 * API and event forms, as in GuardDuty, not a member of additionalInfo; reading the finding
 * back puts it among the detector keys again. Another type's "sequence" key stays put.
 */
static void test_sequence(void **state)
{
    static const char info[] =
        "{\"other\":1,\"sequence\":{\"uid\":\"u1\",\"description\":\"d\",\"signals\":[{\"uid\":"
        "\"s1\",\"type\":\"FINDING\",\"name\":\"Discovery:IAMUser/AnomalousBehavior\","
        "\"count\":2}]}}";
    struct t_events e;
    struct cm_finding f, g;
    struct cm_buf ev;
    char *a, *b;
    (void)state;

    t_events_init(&e);
    assert_int_equal(t_sample(&f, &e, "AttackSequence:IAM/CompromisedCredentials"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.additional_info, info), 0);
    a = api_json(&f);
    assert_non_null(strstr(a, "\"detection\":{\"sequence\":{\"uid\":\"u1\",\"description\":\"d\","
                              "\"signals\":[{\"uid\":\"s1\""));
    assert_non_null(strstr(a, "\"value\":\"{\\\"other\\\":1"));
    assert_int_equal(count_of(a, "\"sequence\""), 1);
    cm_buf_init(&ev, 0);
    assert_int_equal(cm_finding_to_json(&f, CM_FORM_EVENT, &ev), 0);
    assert_int_equal(cm_buf_putc(&ev, '\0'), 0);
    assert_non_null(strstr(ev.p, "\"detection\":{\"sequence\":{\"uid\":\"u1\""));
    assert_int_equal(count_of(ev.p, "\"sequence\""), 1);
    cm_buf_finish(&ev);
    cm_finding_init(&g);
    assert_int_equal(cm_finding_from_json(&g, a, strlen(a), NULL), 0);
    assert_non_null(strstr(g.additional_info.p, "\"sequence\":{\"uid\":\"u1\""));
    b = api_json(&g);
    assert_string_equal(a, b);
    free(a);
    free(b);
    cm_finding_finish(&f);
    cm_finding_finish(&g);
    /* Not an attack sequence: the key is the detector's own, in additionalInfo. */
    assert_int_equal(t_sample(&f, &e, "Discovery:S3/MaliciousIPCaller"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.additional_info, info), 0);
    a = api_json(&f);
    assert_null(strstr(a, "\"detection\""));
    assert_non_null(strstr(a, "\\\"sequence\\\":{\\\"uid\\\":\\\"u1\\\""));
    free(a);
    cm_finding_finish(&f);
    t_events_finish(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloudtrail),
        cmocka_unit_test(test_flow_and_role),
        cmocka_unit_test(test_protocol_names),
        cmocka_unit_test(test_dns_and_eni),
        cmocka_unit_test(test_dns_instance_owner),
        cmocka_unit_test(test_identity),
        cmocka_unit_test(test_s3_caller_identity),
        cmocka_unit_test(test_keyless_caller),
        cmocka_unit_test(test_principalless_callers),
        cmocka_unit_test(test_public_access),
        cmocka_unit_test(test_severity),
        cmocka_unit_test(test_table_covers_csv),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_bucket_created_range),
        cmocka_unit_test(test_bad_id),
        cmocka_unit_test(test_sequence),
        cmocka_unit_test(test_sequence_arn_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
