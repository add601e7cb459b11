/*
 * The instance inventory (lib/inventory/): describe-instances JSON in its
 * shapes, with bad entries reported by line; CloudTrail RunInstances,
 * CreateNetworkInterface, AttachNetworkInterface and TerminateInstances
 * through the real parser and an engine holding cm_detector_inventory_ct;
 * enrichment of findings by instance id, ENI and private or public address;
 * unknown interfaces left alone; ambiguous addresses, reused addresses and
 * re-attached interfaces whatever the order; caps counted; the lock hooks
 * balanced; one run from flow records with a threat-list hit to a
 * finding that names the instance CloudTrail launched; and Resolver queries
 * that name no instance attributed by (vpc_id, srcaddr), with the near misses;
 * describe-network-interfaces output, whose NAT gateway, load balancer, Lambda
 * and endpoint interfaces name no instance (cm_inventory_service), and the
 * same from CloudTrail's CreateNetworkInterface and CreateNatGateway.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "detect/detect.h"
#include "detect/intel.h"
#include "finding/finding.h"
#include "intel/snapshot.h"
#include "inventory/inventory.h"
#include "parse/parse.h"

#define MAXBAD 16

struct bad {
    uint32_t line[MAXBAD];
    char reason[MAXBAD][160];
    size_t n;
};

static void on_bad(void *ud, uint32_t line, const char *reason)
{
    struct bad *b = ud;

    assert_true(b->n < MAXBAD);
    assert_true(reason != NULL && reason[0] != '\0');
    b->line[b->n] = line;
    snprintf(b->reason[b->n], sizeof(b->reason[0]), "%s", reason);
    b->n++;
}

static struct cm_inventory *make(void)
{
    struct cm_inventory *inv;

    assert_int_equal(cm_inventory_create(&inv, NULL, 7), 0);
    return inv;
}

static int add(struct cm_inventory *inv, const char *json, struct bad *b, struct cm_diag *diag)
{
    struct cm_inventory_report rep = {on_bad, b};

    if (b != NULL) {
        memset(b, 0, sizeof(*b));
    }
    return cm_inventory_add_describe(inv, json, strlen(json), b ? &rep : NULL, diag);
}

static bool eq(struct cm_str s, const char *c)
{
    return c == NULL ? s.p == NULL : cm_str_eqc(s, c);
}

#define assert_str(s, c) assert_true(eq((s), (c)))

/* An Instance finding of type with its first interface's ENI id, private IP and VPC (each may be
 * NULL). */
static void finding(struct cm_finding *f, const char *instance, const char *eni, const char *ip,
                    const char *vpc)
{
    cm_finding_init(f);
    f->resource_type = CM_RES_INSTANCE;
    assert_int_equal(
        cm_finding_setc(f, &f->type, "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"), 0);
    if (instance) {
        assert_int_equal(cm_finding_setc(f, &f->instance.instance_id, instance), 0);
    }
    if (eni || ip || vpc) {
        f->instance.nnics = 1;
        if (eni) {
            assert_int_equal(cm_finding_setc(f, &f->instance.nics[0].eni_id, eni), 0);
        }
        if (ip) {
            assert_int_equal(cm_finding_setc(f, &f->instance.nics[0].private_ip, ip), 0);
        }
        if (vpc) {
            assert_int_equal(cm_finding_setc(f, &f->instance.nics[0].vpc_id, vpc), 0);
        }
    }
}

static const char *tag(const struct cm_finding *f, const char *key, char *out, size_t cap)
{
    for (uint32_t i = 0; i < f->instance.ntags; i++) {
        if (cm_str_eqc(f->instance.tags[i].key, key)) {
            snprintf(out, cap, "%.*s", (int)f->instance.tags[i].value.len,
                     f->instance.tags[i].value.p);
            return out;
        }
    }
    return NULL;
}

/* ---- describe-instances ---- */

/*
 * Two reservations, three instances; web-1 has two interfaces (the second
 * with a secondary address and IPv6), emr-core-1 is an EMR node, db-1 is
 * stopped and has a public address.
 */
static const char describe[] =
    "{\n"
    "  \"Reservations\": [\n"
    "    {\n"
    "      \"ReservationId\": \"r-0aaa\",\n"
    "      \"Instances\": [\n"
    "        {\n"
    "          \"InstanceId\": \"i-0aaa000000000001\",\n"
    "          \"InstanceType\": \"m5.large\",\n"
    "          \"ImageId\": \"ami-0web\",\n"
    "          \"LaunchTime\": \"2026-01-02T03:04:05+00:00\",\n"
    "          \"Placement\": {\"AvailabilityZone\": \"us-east-1a\"},\n"
    "          \"State\": {\"Code\": 16, \"Name\": \"running\"},\n"
    "          \"IamInstanceProfile\": {\"Arn\": "
    "\"arn:aws:iam::111122223333:instance-profile/web\",\n"
    "                                 \"Id\": \"AIPAWEB\"},\n"
    "          \"Tags\": [{\"Key\": \"Name\", \"Value\": \"web-1\"}, {\"Key\": \"team\", "
    "\"Value\": "
    "\"blue\"}],\n"
    "          \"NetworkInterfaces\": [\n"
    "            {\"NetworkInterfaceId\": \"eni-0aaa0001\", \"SubnetId\": \"subnet-a\",\n"
    "             \"VpcId\": \"vpc-1\", \"PrivateIpAddress\": \"10.0.1.10\",\n"
    "             \"PrivateDnsName\": \"ip-10-0-1-10.ec2.internal\",\n"
    "             \"Association\": {\"PublicIp\": \"54.1.2.3\", \"PublicDnsName\": "
    "\"ec2-54-1-2-3.compute-1.amazonaws.com\"},\n"
    "             \"Attachment\": {\"DeviceIndex\": 0, \"AttachTime\": "
    "\"2026-01-02T03:04:05+00:00\"},\n"
    "             \"Groups\": [{\"GroupId\": \"sg-web\", \"GroupName\": \"web\"}],\n"
    "             \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.1.10\", \"Primary\": "
    "true}]},\n"
    "            {\"NetworkInterfaceId\": \"eni-0aaa0002\", \"SubnetId\": \"subnet-b\",\n"
    "             \"VpcId\": \"vpc-1\", \"PrivateIpAddress\": \"10.0.2.20\",\n"
    "             \"Attachment\": {\"DeviceIndex\": 1},\n"
    "             \"Groups\": [{\"GroupId\": \"sg-mgmt\", \"GroupName\": \"mgmt\"}],\n"
    "             \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"10.0.2.20\"},\n"
    "                                      {\"PrivateIpAddress\": \"10.0.2.21\"}],\n"
    "             \"Ipv6Addresses\": [{\"Ipv6Address\": \"2600:1f18::20\"}]}\n"
    "          ]\n"
    "        },\n"
    "        {\n"
    "          \"InstanceId\": \"i-0aaa000000000002\",\n"
    "          \"InstanceType\": \"r5.xlarge\",\n"
    "          \"Tags\": [{\"Key\": \"aws:elasticmapreduce:job-flow-id\", \"Value\": "
    "\"j-1ABC\"},\n"
    "                   {\"Key\": \"aws:elasticmapreduce:instance-group-role\", \"Value\": "
    "\"CORE\"}],\n"
    "          \"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-0aaa0003\", \"VpcId\": "
    "\"vpc-1\",\n"
    "                                  \"PrivateIpAddress\": \"10.0.3.30\"}]\n"
    "        }\n"
    "      ]\n"
    "    },\n"
    "    {\n"
    "      \"Instances\": [\n"
    "        {\n"
    "          \"InstanceId\": \"i-0bbb000000000001\",\n"
    "          \"InstanceType\": \"t3.micro\",\n"
    "          \"State\": {\"Name\": \"stopped\"},\n"
    "          \"Platform\": \"windows\",\n"
    "          \"SubnetId\": \"subnet-z\", \"VpcId\": \"vpc-2\",\n"
    "          \"PrivateIpAddress\": \"172.16.0.9\", \"PublicIpAddress\": \"3.3.3.3\",\n"
    "          \"SecurityGroups\": [{\"GroupName\": \"db\", \"GroupId\": \"sg-db\"}]\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

static void test_describe(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct cm_finding f;
    struct bad b;
    struct cm_str v;
    char buf[64];

    (void)state;
    assert_int_equal(add(inv, describe, &b, NULL), 0);
    assert_int_equal(b.n, 0);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.instances, 3);
    assert_int_equal(st.nics, 4);
    assert_int_equal(st.loaded, 3);
    assert_int_equal(st.skipped, 0);
    assert_int_equal(st.full, 0);
    assert_true(st.bytes > 0);

    /* By the second interface's ENI: the instance, that interface first, then the primary. */
    finding(&f, NULL, "eni-0aaa0002", "10.0.2.21", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0aaa000000000001");
    assert_str(f.instance.instance_type, "m5.large");
    assert_str(f.instance.image_id, "ami-0web");
    assert_str(f.instance.launch_time, "2026-01-02T03:04:05.000Z");
    assert_str(f.instance.availability_zone, "us-east-1a");
    assert_str(f.instance.instance_state, "running");
    assert_str(f.instance.profile_arn, "arn:aws:iam::111122223333:instance-profile/web");
    assert_str(f.instance.profile_id, "AIPAWEB");
    assert_int_equal(f.instance.ntags, 2);
    assert_string_equal(tag(&f, "Name", buf, sizeof(buf)), "web-1");
    assert_string_equal(tag(&f, "team", buf, sizeof(buf)), "blue");
    assert_int_equal(f.instance.nnics, 2);
    assert_str(f.instance.nics[0].eni_id, "eni-0aaa0002");
    assert_str(f.instance.nics[0].private_ip, "10.0.2.21"); /* the flow's address stays */
    assert_str(f.instance.nics[0].subnet_id, "subnet-b");
    assert_int_equal(f.instance.nics[0].nsgs, 1);
    assert_str(f.instance.nics[0].sgs[0].key, "sg-mgmt");
    assert_str(f.instance.nics[0].sgs[0].value, "mgmt");
    assert_str(f.instance.nics[1].eni_id, "eni-0aaa0001");
    assert_str(f.instance.nics[1].private_ip, "10.0.1.10");
    assert_str(f.instance.nics[1].private_dns, "ip-10-0-1-10.ec2.internal");
    assert_str(f.instance.nics[1].public_ip, "54.1.2.3");
    assert_str(f.instance.nics[1].public_dns, "ec2-54-1-2-3.compute-1.amazonaws.com");
    /* The title names the instance now. */
    assert_true(cm_str_find(f.title, CM_STR_LIT("i-0aaa000000000001")) != (size_t)-1);
    cm_finding_finish(&f);

    /* By instance id, no interface in the finding: the primary interface is filled. */
    finding(&f, "i-0aaa000000000001", NULL, NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_int_equal(f.instance.nnics, 2);
    assert_str(f.instance.nics[0].eni_id, "eni-0aaa0001");
    assert_str(f.instance.nics[1].eni_id, "eni-0aaa0002");
    cm_finding_finish(&f);

    /* By private address (a DNS finding has the VPC and the address, no ENI). */
    finding(&f, NULL, NULL, "10.0.2.21", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0aaa000000000001");
    assert_str(f.instance.nics[0].eni_id, "eni-0aaa0002");
    cm_finding_finish(&f);
    /* ... and without the VPC, the address is unambiguous here. */
    finding(&f, NULL, NULL, "10.0.3.30", NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0aaa000000000002");
    cm_finding_finish(&f);
    /* ... in another VPC it is not this instance. */
    finding(&f, NULL, NULL, "10.0.3.30", "vpc-9");
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    assert_str(f.instance.instance_id, NULL);
    cm_finding_finish(&f);

    /* By public address; the instance without NetworkInterfaces got one from its top level. */
    finding(&f, NULL, NULL, NULL, NULL);
    f.instance.nnics = 1;
    assert_int_equal(cm_finding_setc(&f, &f.instance.nics[0].public_ip, "3.3.3.3"), 0);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0bbb000000000001");
    assert_str(f.instance.instance_state, "stopped");
    assert_str(f.instance.platform, "windows");
    assert_str(f.instance.nics[0].eni_id, NULL);
    assert_str(f.instance.nics[0].private_ip, "172.16.0.9");
    assert_str(f.instance.nics[0].subnet_id, "subnet-z");
    assert_str(f.instance.nics[0].sgs[0].key, "sg-db");
    cm_finding_finish(&f);

    /* IPv6 addresses are indexed too. */
    finding(&f, NULL, NULL, "2600:1f18::20", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.nics[0].eni_id, "eni-0aaa0002");
    cm_finding_finish(&f);

    /* Tags and EMR. */
    assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("i-0aaa000000000002"),
                                      "aws:elasticmapreduce:instance-group-role", &v),
                     0);
    assert_true(cm_str_eqc(v, "CORE"));
    assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("eni-0aaa0001"), "Name", &v), 0);
    assert_true(cm_str_eqc(v, "web-1"));
    assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("i-0aaa000000000001"), "nope", &v),
                     CM_ENOTFOUND);
    assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("i-unknown"), "Name", &v), CM_ENOTFOUND);
    assert_true(cm_inventory_is_emr(inv, CM_STR_LIT("i-0aaa000000000002")));
    assert_true(cm_inventory_is_emr(inv, CM_STR_LIT("eni-0aaa0003")));
    assert_false(cm_inventory_is_emr(inv, CM_STR_LIT("i-0aaa000000000001")));
    assert_false(cm_inventory_is_emr(NULL, CM_STR_LIT("i-0aaa000000000002")));

    /* Loading the same file again changes nothing. */
    assert_int_equal(add(inv, describe, NULL, NULL), 0);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.instances, 3);
    assert_int_equal(st.nics, 4);
    cm_inventory_destroy(inv);
    cm_inventory_destroy(NULL);
}

/* The finding's own values stay; unknown interfaces and other resources are untouched. */
static void test_unknown_and_kept(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_finding f;

    (void)state;
    assert_int_equal(add(inv, describe, NULL, NULL), 0);

    finding(&f, NULL, "eni-0fff9999", "10.0.1.10", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    assert_str(f.instance.instance_id, NULL);
    assert_int_equal(f.instance.nnics, 1);
    assert_str(f.instance.nics[0].eni_id, "eni-0fff9999");
    assert_str(f.instance.nics[0].private_ip, "10.0.1.10");
    assert_str(f.instance.nics[0].subnet_id, NULL);
    assert_int_equal(f.instance.ntags, 0);
    cm_finding_finish(&f);

    finding(&f, "i-0fff000000000009", NULL, NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    cm_finding_finish(&f);

    /* An address of another instance than the finding names is not used. */
    finding(&f, "i-0fff000000000009", NULL, "10.0.1.10", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    assert_str(f.instance.instance_type, NULL);
    cm_finding_finish(&f);

    finding(&f, NULL, "eni-0aaa0001", NULL, NULL);
    assert_int_equal(cm_finding_setc(&f, &f.instance.instance_type, "from-the-record"), 0);
    assert_int_equal(cm_finding_setc(&f, &f.instance.nics[0].subnet_id, "subnet-flow"), 0);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_type, "from-the-record");
    assert_str(f.instance.nics[0].subnet_id, "subnet-flow");
    assert_str(f.instance.image_id, "ami-0web");
    cm_finding_finish(&f);

    cm_finding_init(&f);
    f.resource_type = CM_RES_ACCESS_KEY;
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    cm_finding_finish(&f);
    cm_inventory_destroy(inv);
}

static void test_describe_shapes(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct cm_diag diag;
    struct bad b;

    (void)state;
    /* --query 'Reservations[].Instances[]', nested arrays, run-instances output, one instance,
       concatenated documents and a byte order mark. */
    assert_int_equal(add(inv,
                         "\xef\xbb\xbf[{\"InstanceId\":\"i-01\"},[{\"InstanceId\":\"i-02\"}],"
                         "{\"Instances\":[{\"InstanceId\":\"i-03\"}]}]\n"
                         "{\"Instances\":[{\"InstanceId\":\"i-04\"}],\"OwnerId\":\"1\"}\n"
                         "{\"InstanceId\":\"i-05\"} {\"Reservations\":[]}\n",
                         &b, &diag),
                     0);
    assert_int_equal(b.n, 0);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.loaded, 5);
    assert_int_equal(st.instances, 5);
    assert_int_equal(add(inv, "[]", &b, &diag), 0);

    /* Not an inventory: an error with the line, and nothing added. */
    assert_int_equal(add(inv,
                         "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-06\"}]}]}\n"
                         "\n{\"prefixes\":[]}\n",
                         &b, &diag),
                     CM_EINVAL);
    assert_int_equal(diag.line, 3);
    assert_non_null(strstr(diag.msg, "Reservations"));
    assert_int_equal(add(inv, "{\"Reservations\":\n[{\"Instances\":[}]}", &b, &diag), CM_EINVAL);
    assert_int_equal(diag.line, 2);
    assert_int_equal(add(inv, "{\"Reservations\":{}}", &b, &diag), CM_EINVAL);
    assert_int_equal(add(inv, "{\"Instances\":3}", &b, &diag), CM_EINVAL);
    assert_int_equal(add(inv, "  \n", &b, &diag), CM_EINVAL);
    assert_int_equal(add(inv, "", &b, &diag), CM_EINVAL);
    assert_int_equal(add(inv, "nope", &b, &diag), CM_EINVAL);
    assert_int_equal(add(inv, "\"i-07\"", &b, &diag), CM_EINVAL);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.instances, 5);
    cm_inventory_destroy(inv);
}

/* The owner of an instance by a describe-instances file: its reservation's OwnerId, else
   its first interface's; none from a value that is no account id. */
static void test_owner(void **state)
{
    static const struct {
        const char *id, *owner;
    } want[] = {
        {"i-0a1", "111122223333"}, {"i-0b2", "444455556666"}, {"i-0c3", "777788889999"},
        {"i-0d4", NULL},           {"i-0e5", "222233334444"}, {"i-0f6", "555566667777"},
        {"i-0ffffffff", NULL},
    };
    struct cm_inventory *inv = make();
    struct cm_diag diag;
    struct cm_str o;
    struct bad b;

    (void)state;
    assert_int_equal(
        add(inv,
            "{\"Reservations\":[{\"OwnerId\":\"111122223333\",\"Instances\":[{"
            "\"InstanceId\":\"i-0a1\"}]},{\"OwnerId\":\"444455556666\","
            "\"Instances\":[{\"InstanceId\":\"i-0b2\"}]}]}\n"
            "[{\"InstanceId\":\"i-0c3\",\"NetworkInterfaces\":[{"
            "\"NetworkInterfaceId\":\"eni-0c3\",\"OwnerId\":\"777788889999\"}]},"
            "{\"OwnerId\":\"222233334444\",\"Instances\":[{\"InstanceId\":\"i-0e5\"}]}]\n"
            "{\"Instances\":[{\"InstanceId\":\"i-0d4\"}],\"OwnerId\":\"1\"}\n"
            "{\"Instances\":[{\"InstanceId\":\"i-0f6\"}],\"OwnerId\":\"555566667777\"}\n",
            &b, &diag),
        0);
    assert_int_equal(b.n, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int rc = cm_inventory_owner(inv, cm_str_cstr(want[i].id), &o);
        if (want[i].owner == NULL) {
            assert_int_equal(rc, CM_ENOTFOUND);
        } else {
            assert_int_equal(rc, 0);
            assert_true(cm_str_eqc(o, want[i].owner));
        }
    }
    assert_int_equal(cm_inventory_owner(NULL, cm_str_cstr("i-0a1"), &o), CM_ENOTFOUND);
    cm_inventory_destroy(inv);
}

/*
 * cm_inventory_region: an instance's (or its interface's) region, from its zone: a Local
 * Zone's and GovCloud's too; none without a zone or from a zone of no region's shape. The
 * scan gives it to flow records that carry no region (CloudWatch Logs deliveries); before
 * 2026-12-05 their detections were dropped without --region.
 */
static void test_region(void **state)
{
    static const struct {
        const char *id, *region;
    } want[] = {
        {"i-0a1", "us-east-1"},
        {"eni-0a1", "us-east-1"},
        {"i-0b2", "us-west-2"},
        {"eni-0b2", "us-west-2"},
        {"i-0c3", "us-gov-west-1"},
        {"i-0d4", "eu-central-1"},
        {"i-0e5", NULL},
        {"i-0f6", NULL},
        {"eni-0f6", NULL},
        {"i-0ffffffff", NULL},
        {"eni-0ffffffff", NULL},
        {"", NULL},
    };
    struct cm_inventory *inv = make();
    struct cm_diag diag;
    struct cm_str r;
    struct bad b;

    (void)state;
    assert_int_equal(
        add(inv,
            "{\"Reservations\":[{\"Instances\":["
            "{\"InstanceId\":\"i-0a1\",\"Placement\":{\"AvailabilityZone\":\"us-east-1a\"},"
            "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0a1\"}]},"
            "{\"InstanceId\":\"i-0b2\",\"Placement\":{\"AvailabilityZone\":\"us-west-2-lax-1a\"},"
            "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0b2\"}]},"
            "{\"InstanceId\":\"i-0c3\",\"Placement\":{\"AvailabilityZone\":\"us-gov-west-1b\"}},"
            "{\"InstanceId\":\"i-0d4\",\"Placement\":{\"AvailabilityZone\":\"eu-central-1\"}},"
            "{\"InstanceId\":\"i-0e5\",\"Placement\":{\"AvailabilityZone\":\"bogus\"}},"
            "{\"InstanceId\":\"i-0f6\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":"
            "\"eni-0f6\"}]}]}]}\n",
            &b, &diag),
        0);
    assert_int_equal(b.n, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        int rc = cm_inventory_region(inv, cm_str_cstr(want[i].id), &r);
        if (want[i].region == NULL) {
            if (rc != CM_ENOTFOUND) {
                fail_msg("%s: region '%.*s', want none", want[i].id, (int)r.len, r.p);
            }
        } else if (rc != 0 || !cm_str_eqc(r, want[i].region)) {
            fail_msg("%s: rc %d region '%.*s', want '%s'", want[i].id, rc, rc == 0 ? (int)r.len : 0,
                     rc == 0 ? r.p : "", want[i].region);
        }
    }
    assert_int_equal(cm_inventory_region(NULL, cm_str_cstr("i-0a1"), &r), CM_ENOTFOUND);
    cm_inventory_destroy(inv);
}

/* cm_inventory_addr_owner: the owner of the instance an address belongs to. */
static void test_addr_owner(void **state)
{
    static const struct {
        const char *ip, *owner;
    } want[] = {
        {"3.81.20.20", "333344445555"}, /* a public address */
        {"10.30.1.10", "333344445555"}, /* a private one, in one VPC only */
        {"3.80.10.10", NULL},           /* an instance without an owner */
        {"192.0.2.1", NULL},            /* nobody's */
    };
    struct cm_inventory *inv = make();
    struct cm_diag diag;
    struct cm_str o;
    struct cm_ip ip;
    struct bad b;

    (void)state;
    assert_int_equal(add(inv,
                         "{\"Reservations\":[{\"OwnerId\":\"333344445555\",\"Instances\":[{"
                         "\"InstanceId\":\"i-0c1\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":"
                         "\"eni-0c1\",\"VpcId\":\"vpc-0c\",\"PrivateIpAddress\":\"10.30.1.10\","
                         "\"Association\":{\"PublicIp\":\"3.81.20.20\"}}]}]}]}\n"
                         "{\"Instances\":[{\"InstanceId\":\"i-0b1\",\"NetworkInterfaces\":[{"
                         "\"NetworkInterfaceId\":\"eni-0b1\",\"Association\":{\"PublicIp\":"
                         "\"3.80.10.10\"}}]}]}\n",
                         &b, &diag),
                     0);
    assert_int_equal(b.n, 0);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(cm_ip_parse(cm_str_cstr(want[i].ip), &ip), 0);
        int rc = cm_inventory_addr_owner(inv, &ip, &o);
        if (want[i].owner == NULL) {
            assert_int_equal(rc, CM_ENOTFOUND);
        } else {
            assert_int_equal(rc, 0);
            assert_true(cm_str_eqc(o, want[i].owner));
        }
    }
    assert_int_equal(cm_inventory_addr_owner(NULL, &ip, &o), CM_ENOTFOUND);
    cm_inventory_destroy(inv);
}

static void test_describe_bad(void **state)
{
    static const char text[] =
        "{\"Reservations\": [\n"                                        /* 1 */
        "  {\"Instances\": [\n"                                         /* 2 */
        "    {\"InstanceType\": \"t3.micro\"},\n"                       /* 3 */
        "    {\"InstanceId\": \"vol-123\"},\n"                          /* 4 */
        "    {\"InstanceId\": \"i-0good1\", \"NetworkInterfaces\": [\n" /* 5 */
        "      {\"SubnetId\": \"subnet-1\"},\n"                         /* 6 */
        "      {\"NetworkInterfaceId\": \"eni-0bad\", \"PrivateIpAddress\": \"10.0.0.300\"},\n"
        "      {\"NetworkInterfaceId\": \"eni-0ok\", \"PrivateIpAddress\": \"10.0.0.7\"}]},\n"
        "    \"i-0string\",\n"                                                          /* 9 */
        "    {\"InstanceId\": \"i-0good2\", \"InstanceType\": 5, \"Tags\": \"x\"}]},\n" /* 10 */
        "  {\"ReservationId\": \"r-1\"},\n"                                             /* 11 */
        "  {\"Instances\": [{\"InstanceId\": \"i-0good3\",\n"                           /* 12 */
        "    \"NetworkInterfaces\": [{\"NetworkInterfaceId\": \"eni-0x\",\n"            /* 13 */
        "      \"PrivateIpAddresses\": [{\"PrivateIpAddress\": \"fe80::1%eth0\"}]}]}]}\n"
        "]}\n";
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct cm_finding f;
    struct bad b;

    (void)state;
    assert_int_equal(add(inv, text, &b, NULL), 0);
    assert_int_equal(b.n, 7);
    assert_int_equal(b.line[0], 3);
    assert_non_null(strstr(b.reason[0], "without an InstanceId"));
    assert_int_equal(b.line[1], 4);
    assert_non_null(strstr(b.reason[1], "vol-123"));
    assert_int_equal(b.line[2], 6);
    assert_non_null(strstr(b.reason[2], "NetworkInterfaceId"));
    assert_int_equal(b.line[3], 7);
    assert_non_null(strstr(b.reason[3], "10.0.0.300"));
    assert_int_equal(b.line[4], 9);
    assert_non_null(strstr(b.reason[4], "not an object"));
    assert_int_equal(b.line[5], 11);
    assert_non_null(strstr(b.reason[5], "Instances"));
    assert_int_equal(b.line[6], 14);
    assert_non_null(strstr(b.reason[6], "not an IP address"));
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.skipped, 7);
    assert_int_equal(st.loaded, 3);
    assert_int_equal(st.instances, 3);
    assert_int_equal(st.nics, 1); /* eni-0ok; eni-0bad and eni-0x were dropped */
    /* The good interface of the instance with bad ones is there; so is the instance with odd types.
     */
    finding(&f, NULL, "eni-0ok", NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0good1");
    cm_finding_finish(&f);
    finding(&f, "i-0good2", NULL, NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_type, NULL);
    assert_int_equal(f.instance.ntags, 0);
    cm_finding_finish(&f);
    cm_inventory_destroy(inv);
}

/* ---- CloudTrail ---- */

#define CT_COMMON                                                                                  \
    "\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":"            \
    "\"AIDAOPS\",\"arn\":\"arn:aws:iam::111122223333:user/ops\",\"accountId\":\"111122223333\","   \
    "\"accessKeyId\":\"AKIAOPS0000000000001\",\"userName\":\"ops\"},\"eventSource\":"              \
    "\"ec2.amazonaws.com\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.7\","      \
    "\"userAgent\":\"aws-cli/2.15\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":"          \
    "\"111122223333\""

/* RunInstances as CloudTrail logs it (the shape of a real record, ids made up). */
#define RUN_INSTANCES(time, id, eni, ip)                                                           \
    "{" CT_COMMON ",\"eventTime\":\"" time                                                         \
    "\",\"eventName\":\"RunInstances\",\"eventID\":\"run-" id                                      \
    "\",\"requestParameters\":{\"instanceType\":\"t3.micro\"},\"responseElements\":{"              \
    "\"requestId\":\"r1\",\"reservationId\":\"r-0ct\",\"ownerId\":\"111122223333\",\"groupSet\":{" \
    "},"                                                                                           \
    "\"instancesSet\":{\"items\":[{\"instanceId\":\"" id "\",\"imageId\":\"ami-0ct\","             \
    "\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"privateDnsName\":"                      \
    "\"ip-10-0-1-10.ec2.internal\",\"instanceType\":\"t3.micro\",\"launchTime\":1688990121000,"    \
    "\"placement\":{\"availabilityZone\":\"us-east-1a\",\"tenancy\":\"default\"},\"subnetId\":"    \
    "\"subnet-ct\",\"vpcId\":\"vpc-ct\",\"privateIpAddress\":\"" ip "\",\"tagSet\":{\"items\":[{"  \
    "\"key\":\"Name\",\"value\":\"crawler\"},{\"key\":\"env\",\"value\":\"prod\"}]},\"groupSet\":" \
    "{\"items\":[{\"groupId\":\"sg-ct\"}]},\"networkInterfaceSet\":{\"items\":[{"                  \
    "\"networkInterfaceId\":\"" eni "\",\"subnetId\":\"subnet-ct\",\"vpcId\":\"vpc-ct\","          \
    "\"status\":\"in-use\",\"privateIpAddress\":\"" ip "\",\"groupSet\":{\"items\":[{\"groupId\":" \
    "\"sg-ct\",\"groupName\":\"crawlers\"}]},\"attachment\":{\"attachmentId\":\"eni-attach-1\","   \
    "\"deviceIndex\":0,\"status\":\"attaching\",\"attachTime\":1688990121000},"                    \
    "\"privateIpAddressesSet\":{\"item\":[{\"privateIpAddress\":\"" ip "\",\"primary\":true}]},"   \
    "\"ipv6AddressesSet\":{},\"tagSet\":{}}]},\"iamInstanceProfile\":{\"arn\":"                    \
    "\"arn:aws:iam::111122223333:instance-profile/crawler\",\"id\":\"AIPACRAWLER\"}}]}}}"

#define CREATE_NIC(time, eni, ip)                                                                  \
    "{" CT_COMMON ",\"eventTime\":\"" time "\",\"eventName\":\"CreateNetworkInterface\","          \
    "\"eventID\":\"cni-" eni "\",\"requestParameters\":{\"subnetId\":\"subnet-ct\"},"              \
    "\"responseElements\":{\"requestId\":\"r2\",\"networkInterface\":{\"networkInterfaceId\":"     \
    "\"" eni                                                                                       \
    "\",\"subnetId\":\"subnet-ct\",\"vpcId\":\"vpc-ct\",\"availabilityZone\":\"us-east-1b\","      \
    "\"status\":\"pending\",\"privateIpAddress\":\"" ip "\",\"groupSet\":{\"items\":[{"            \
    "\"groupId\":\"sg-extra\",\"groupName\":\"default\"}]},\"privateIpAddressesSet\":{\"item\":[{" \
    "\"privateIpAddress\":\"" ip "\",\"primary\":true}]},\"ipv6AddressesSet\":{},\"tagSet\":{}}}}"

#define ATTACH(time, eni, id, dev)                                                                 \
    "{" CT_COMMON ",\"eventTime\":\"" time "\",\"eventName\":\"AttachNetworkInterface\","          \
    "\"eventID\":\"att-" eni "-" id "\",\"requestParameters\":{\"networkInterfaceId\":\"" eni      \
    "\",\"instanceId\":\"" id "\",\"deviceIndex\":" dev "},\"responseElements\":{\"requestId\":"   \
    "\"r3\",\"attachmentId\":\"eni-attach-2\"}}"

#define TERMINATE(time, id)                                                                        \
    "{" CT_COMMON ",\"eventTime\":\"" time "\",\"eventName\":\"TerminateInstances\","              \
    "\"eventID\":\"term-" id "\",\"requestParameters\":{\"instancesSet\":{\"items\":[{"            \
    "\"instanceId\":\"" id "\"}]}},\"responseElements\":{\"requestId\":\"r4\",\"instancesSet\":{"  \
    "\"items\":[{\"instanceId\":\"" id "\",\"currentState\":{\"code\":32,\"name\":"                \
    "\"shutting-down\"},\"previousState\":{\"code\":16,\"name\":\"running\"}}]}}}"

struct lockcount {
    int locks, unlocks, depth;
};

static void t_lock(void *ud)
{
    struct lockcount *l = ud;

    assert_int_equal(l->depth, 0); /* never taken twice */
    l->locks++;
    l->depth++;
}

static void t_unlock(void *ud)
{
    struct lockcount *l = ud;

    assert_int_equal(l->depth, 1);
    l->unlocks++;
    l->depth--;
}

struct feed {
    struct cm_engine *engine;
    struct cm_sink sink;
    struct cm_finding found[8];
    size_t nfound;
    struct cm_finding_ctx fctx;
};

static int keep(struct cm_sink *sink, const struct cm_detection *d)
{
    struct feed *fd = sink->ud;
    struct cm_finding *f;
    struct cm_detection dd = *d;

    assert_true(fd->nfound < 8);
    if (dd.region.p == NULL) {
        dd.region = CM_STR_LIT("us-east-1"); /* default-format flow logs carry none */
    }
    f = &fd->found[fd->nfound++];
    cm_finding_init(f);
    assert_int_equal(cm_finding_from_detection(f, &fd->fctx, &dd), 0);
    return 0;
}

static int feed_event(void *ud, struct cm_event *ev)
{
    struct feed *fd = ud;

    return cm_engine_event(fd->engine, ev, &fd->sink);
}

static void no_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    (void)ud, (void)kind, (void)off;
    fail_msg("record rejected at line %u: %s", (unsigned)line, reason);
}

/* Feeds texts (each parsed by parser[i]) through one engine over table with inv in the config. */
static void run(struct feed *fd, const struct cm_detector *const *table, struct cm_inventory *inv,
                const struct cm_intel_snapshot *snap, const char *const *parser,
                const char *const *text, size_t n)
{
    struct cm_detect_config cfg;
    struct cm_detect_opts o;
    struct cm_json_doc doc;
    struct cm_parse_ctx ctx;

    memset(fd, 0, sizeof(*fd));
    memset(&cfg, 0, sizeof(cfg));
    memset(&o, 0, sizeof(o));
    cfg.inventory = inv;
    cfg.intel = snap;
    o.config = &cfg;
    o.seed = 1;
    fd->sink.emit = keep;
    fd->sink.ud = fd;
    fd->fctx.detector_id = "test";
    assert_int_equal(cm_engine_create(&fd->engine, table, &o), 0);
    cm_json_doc_init(&doc, 0, 0);
    for (size_t i = 0; i < n; i++) {
        const struct cm_parser *ps = cm_parser_by_name(parser[i]);
        assert_non_null(ps);
        cm_parse_ctx_init(&ctx, &doc);
        ctx.on_event = feed_event;
        ctx.on_reject = no_reject;
        ctx.ud = fd;
        assert_int_equal(ps->parse(&ctx, text[i], strlen(text[i])), 0);
    }
    assert_int_equal(cm_engine_flush(fd->engine, &fd->sink), 0);
    cm_engine_destroy(fd->engine);
    cm_json_doc_finish(&doc);
}

static const struct cm_detector *const feed_table[] = {&cm_detector_inventory_ct, NULL};

static void run_ct(struct cm_inventory *inv, const char *records)
{
    struct feed fd;
    const char *parser[] = {"cloudtrail"};
    const char *text[] = {records};

    run(&fd, feed_table, inv, NULL, parser, text, 1);
    assert_int_equal(fd.nfound, 0); /* it never emits */
}

static void test_cloudtrail(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct lockcount lc = {0, 0, 0};
    struct cm_inventory_lock lk = {t_lock, t_unlock, &lc};
    struct cm_finding f;
    char buf[64];

    (void)state;
    cm_inventory_set_lock(inv, &lk);
    run_ct(
        inv,
        "{\"Records\":["
        /* a failed RunInstances and another service's call: ignored */
        "{" CT_COMMON ",\"eventTime\":\"2023-07-10T11:54:00Z\",\"eventName\":"
        "\"RunInstances\",\"eventID\":\"fail\",\"errorCode\":\"Client."
        "UnauthorizedOperation\","
        "\"responseElements\":null},"
        "{" CT_COMMON ",\"eventTime\":\"2023-07-10T11:54:30Z\",\"eventName\":"
        "\"DescribeInstances\",\"eventID\":\"desc\",\"responseElements\":null}"
        "," RUN_INSTANCES("2023-07-10T11:55:21Z", "i-0dbc91f429e48eeed", "eni-076fa9fb98a2500a7", "10.0.1.10") "," CREATE_NIC(
            "2023-07-10T12:00:00Z", "eni-0938d805949b4e134",
            "10.0.2.159") "," ATTACH("2023-07-10T12:01:00Z", "eni-0938d805949b4e134",
                                     "i-0dbc91f429e48eeed",
                                     "1") "," CREATE_NIC("2023-07-10T12:02:00Z", "eni-0loose",
                                                         "10.0.2.160") "," TERMINATE("2023-"
                                                                                     "07-"
                                                                                     "10T12"
                                                                                     ":10:"
                                                                                     "00Z",
                                                                                     "i-"
                                                                                     "0dbc9"
                                                                                     "1f429"
                                                                                     "e48ee"
                                                                                     "ed") "]}");
    assert_int_equal(lc.locks, lc.unlocks);
    assert_true(lc.locks >= 5); /* each EC2 call, not the ignored records */
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.observed, 5);
    assert_int_equal(st.instances, 1);
    assert_int_equal(st.nics, 3);
    assert_int_equal(st.loaded, 0);

    /* By the ENI CreateNetworkInterface made and AttachNetworkInterface attached. */
    finding(&f, NULL, "eni-0938d805949b4e134", "10.0.2.159", "vpc-ct");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0dbc91f429e48eeed");
    assert_str(f.instance.instance_type, "t3.micro");
    assert_str(f.instance.image_id, "ami-0ct");
    assert_str(f.instance.launch_time, "2023-07-10T11:55:21.000Z");
    assert_str(f.instance.availability_zone, "us-east-1a");
    assert_str(f.instance.instance_state, "shutting-down");
    assert_str(f.instance.profile_id, "AIPACRAWLER");
    assert_string_equal(tag(&f, "Name", buf, sizeof(buf)), "crawler");
    assert_string_equal(tag(&f, "env", buf, sizeof(buf)), "prod");
    assert_int_equal(f.instance.nnics, 2);
    assert_str(f.instance.nics[0].subnet_id, "subnet-ct");
    assert_str(f.instance.nics[0].sgs[0].key, "sg-extra");
    assert_str(f.instance.nics[1].eni_id, "eni-076fa9fb98a2500a7"); /* device 0 */
    assert_str(f.instance.nics[1].sgs[0].value, "crawlers");
    cm_finding_finish(&f);

    /* By private address of the launched interface. */
    finding(&f, NULL, NULL, "10.0.1.10", "vpc-ct");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0dbc91f429e48eeed");
    assert_str(f.instance.nics[0].eni_id, "eni-076fa9fb98a2500a7");
    cm_finding_finish(&f);

    /* An interface nobody attached: its own details, no instance. */
    finding(&f, NULL, "eni-0loose", NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, NULL);
    assert_str(f.instance.nics[0].private_ip, "10.0.2.160");
    assert_str(f.instance.nics[0].vpc_id, "vpc-ct");
    assert_int_equal(f.instance.nnics, 1);
    cm_finding_finish(&f);
    assert_int_equal(lc.locks, lc.unlocks);
    cm_inventory_destroy(inv);
}

/* The inventory file first, then CloudTrail: values are filled, not replaced; the state moves on.
 */
static void test_merge(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_finding f;

    (void)state;
    assert_int_equal(
        add(inv,
            "{\"Reservations\":[{\"Instances\":[{\"InstanceId\":\"i-0dbc91f429e48eeed\","
            "\"InstanceType\":\"t3.small\",\"State\":{\"Name\":\"running\"},\"Tags\":"
            "[{\"Key\":\"Name\",\"Value\":\"from-inventory\"}]}]}]}",
            NULL, NULL),
        0);
    run_ct(inv, "{\"Records\":[" RUN_INSTANCES("2023-07-10T11:55:21Z", "i-0dbc91f429e48eeed",
                                               "eni-076fa9fb98a2500a7", "10.0.1.10") "]}");
    finding(&f, NULL, "eni-076fa9fb98a2500a7", NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_type, "t3.small");
    assert_str(f.instance.instance_state, "running"); /* "pending" does not replace it */
    assert_str(f.instance.image_id, "ami-0ct");
    assert_int_equal(f.instance.ntags, 2);
    assert_str(f.instance.tags[0].value, "from-inventory");
    assert_str(f.instance.tags[1].key, "env");
    cm_finding_finish(&f);
    run_ct(inv, "{\"Records\":[" TERMINATE("2023-07-10T12:10:00Z", "i-0dbc91f429e48eeed") "]}");
    finding(&f, "i-0dbc91f429e48eeed", NULL, NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_state, "shutting-down");
    cm_finding_finish(&f);
    cm_inventory_destroy(inv);
}

/* Re-attached interfaces and reused addresses go to the latest binding in either order. */
static void test_order(void **state)
{
    static const char *const first[] = {
        ATTACH("2026-01-05T10:00:00Z", "eni-0move", "i-0old", "1"),
        ATTACH("2026-01-05T11:00:00Z", "eni-0move", "i-0new", "1"),
    };
    struct cm_finding f;

    (void)state;
    for (int order = 0; order < 2; order++) {
        struct cm_inventory *inv = make();
        char recs[4096];

        snprintf(recs, sizeof(recs), "{\"Records\":[%s,%s]}", first[order], first[1 - order]);
        run_ct(inv, recs);
        finding(&f, NULL, "eni-0move", NULL, NULL);
        assert_int_equal(cm_inventory_enrich(inv, &f), 0);
        assert_str(f.instance.instance_id, "i-0new");
        cm_finding_finish(&f);
        /* The old instance no longer lists it. */
        finding(&f, "i-0old", NULL, NULL, NULL);
        assert_int_equal(cm_inventory_enrich(inv, &f), 0);
        assert_int_equal(f.instance.nnics, 0);
        cm_finding_finish(&f);
        cm_inventory_destroy(inv);
    }
    /* 10.0.0.5 in vpc-1 was i-0a's until it was terminated, then i-0b's. */
    for (int order = 0; order < 2; order++) {
        static const char *const docs[] = {
            "{\"Instances\":[{\"InstanceId\":\"i-0a\",\"LaunchTime\":\"2026-01-01T00:00:00Z\","
            "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0a\",\"VpcId\":\"vpc-1\","
            "\"PrivateIpAddress\":\"10.0.0.5\"}]}]}",
            "{\"Instances\":[{\"InstanceId\":\"i-0b\",\"LaunchTime\":\"2026-02-01T00:00:00Z\","
            "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0b\",\"VpcId\":\"vpc-1\","
            "\"PrivateIpAddress\":\"10.0.0.5\"}]}]}",
        };
        struct cm_inventory *inv = make();

        assert_int_equal(add(inv, docs[order], NULL, NULL), 0);
        assert_int_equal(add(inv, docs[1 - order], NULL, NULL), 0);
        finding(&f, NULL, NULL, "10.0.0.5", "vpc-1");
        assert_int_equal(cm_inventory_enrich(inv, &f), 0);
        assert_str(f.instance.instance_id, "i-0b");
        cm_finding_finish(&f);
        cm_inventory_destroy(inv);
    }
}

/* 10.0.0.5 in two VPCs: found with the VPC, not without. */
static void test_ambiguous(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct cm_finding f;

    (void)state;
    assert_int_equal(
        add(inv,
            "[{\"InstanceId\":\"i-0a\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0a\","
            "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.0.5\"}]},"
            "{\"InstanceId\":\"i-0b\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0b\","
            "\"VpcId\":\"vpc-2\",\"PrivateIpAddress\":\"10.0.0.5\"}]}]",
            NULL, NULL),
        0);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.ambiguous, 1);
    finding(&f, NULL, NULL, "10.0.0.5", NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    cm_finding_finish(&f);
    finding(&f, NULL, NULL, "10.0.0.5", "vpc-2");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0b");
    cm_finding_finish(&f);
    finding(&f, NULL, NULL, "10.0.0.5", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0a");
    cm_finding_finish(&f);
    /* A third VPC after the address turned ambiguous; a reuse inside vpc-1 later on. */
    assert_int_equal(
        add(inv,
            "[{\"InstanceId\":\"i-0c\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0c\","
            "\"VpcId\":\"vpc-3\",\"PrivateIpAddress\":\"10.0.0.5\"}]},"
            "{\"InstanceId\":\"i-0d\",\"LaunchTime\":\"2026-03-01T00:00:00Z\","
            "\"NetworkInterfaces\":"
            "[{\"NetworkInterfaceId\":\"eni-0d\",\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":"
            "\"10.0.0.5\"}]}]",
            NULL, NULL),
        0);
    finding(&f, NULL, NULL, "10.0.0.5", "vpc-3");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0c");
    cm_finding_finish(&f);
    finding(&f, NULL, NULL, "10.0.0.5", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0d");
    cm_finding_finish(&f);
    finding(&f, NULL, NULL, "10.0.0.5", "vpc-4");
    assert_int_equal(cm_inventory_enrich(inv, &f), CM_ENOTFOUND);
    cm_finding_finish(&f);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.ambiguous, 1);
    assert_int_equal(st.addresses, 4); /* the plain key and one per VPC */
    cm_inventory_destroy(inv);
}

/* cm_inventory_eni_side for a record of eni between a and b. */
static int side(const struct cm_inventory *inv, const char *eni, const char *a, const char *b)
{
    struct cm_ip x, y;

    assert_int_equal(cm_ip_parse(cm_str_cstr(a), &x), 0);
    assert_int_equal(cm_ip_parse(cm_str_cstr(b), &y), 0);
    return cm_inventory_eni_side(inv, cm_str_cstr(eni), &x, &y);
}

/*
 * Which side of a flow record is the interface's: any address the inventory binds to it
 * (primary, secondary, public, IPv6), in its VPC; an address bound to another interface, or
 * known in two VPCs and the interface's VPC not the one, is not.
 */
static void test_eni_side(void **state)
{
    struct cm_inventory *inv = make();

    (void)state;
    assert_int_equal(add(inv, describe, NULL, NULL), 0);
    assert_int_equal(side(inv, "eni-0aaa0002", "10.0.2.21", "10.0.1.10"), 1);
    assert_int_equal(side(inv, "eni-0aaa0002", "10.0.9.9", "10.0.2.20"), -1);
    assert_int_equal(side(inv, "eni-0aaa0002", "2600:1f18::20", "2a01:4f8::1"), 1);
    assert_int_equal(side(inv, "eni-0aaa0001", "10.0.9.9", "54.1.2.3"), -1);
    /* Both of its addresses, neither, another interface's, an unknown interface. */
    assert_int_equal(side(inv, "eni-0aaa0002", "10.0.2.20", "10.0.2.21"), 0);
    assert_int_equal(side(inv, "eni-0aaa0002", "10.0.9.9", "10.0.9.8"), 0);
    assert_int_equal(side(inv, "eni-0aaa0002", "10.0.1.10", "10.0.9.8"), 0);
    assert_int_equal(side(inv, "eni-0nope", "10.0.2.20", "10.0.9.8"), 0);
    assert_int_equal(cm_inventory_eni_side(NULL, cm_str_cstr("eni-0aaa0002"), NULL, NULL), 0);
    /* 10.0.0.5 in two VPCs: each interface knows its own by its VPC. */
    assert_int_equal(
        add(inv,
            "[{\"InstanceId\":\"i-0a\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0a\","
            "\"VpcId\":\"vpc-1\",\"PrivateIpAddress\":\"10.0.0.5\"}]},"
            "{\"InstanceId\":\"i-0b\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0b\","
            "\"VpcId\":\"vpc-2\",\"PrivateIpAddress\":\"10.0.0.5\"}]}]",
            NULL, NULL),
        0);
    assert_int_equal(side(inv, "eni-0a", "10.0.9.9", "10.0.0.5"), -1);
    assert_int_equal(side(inv, "eni-0b", "10.0.0.5", "10.0.9.9"), 1);
    cm_inventory_destroy(inv);
}

/* A Resolver query at time ms from src in vpc (NULL: absent) that names instance (NULL: none). */
static void dns_event(struct cm_event *ev, int64_t ms, const char *vpc, const char *src,
                      const char *instance)
{
    memset(ev, 0, sizeof(*ev));
    ev->kind = CM_EV_DNS;
    ev->time_ms = ms;
    ev->account = cm_str_cstr("111122223333");
    ev->u.dns.query_name = cm_str_cstr("a.example.com.");
    ev->u.dns.srcport = 53000;
    if (vpc != NULL) {
        ev->u.dns.vpc_id = cm_str_cstr(vpc);
    }
    ev->u.dns.srcaddr = cm_str_cstr(src);
    assert_int_equal(cm_ip_parse(ev->u.dns.srcaddr, &ev->u.dns.src_ip), 0);
    if (instance != NULL) {
        ev->u.dns.srcid_instance = cm_str_cstr(instance);
    }
}

/* Where attributing the query gives its instance: the id, or "-" (none) after the source. */
static const char *attribute(const struct cm_inventory *inv, int64_t ms, const char *vpc,
                             const char *src, enum cm_dns_srcid want, char *out, size_t cap)
{
    struct cm_event ev;

    dns_event(&ev, ms, vpc, src, NULL);
    assert_int_equal(cm_inventory_dns_attribute(inv, &ev), want);
    assert_int_equal(ev.u.dns.srcid_from, want);
    snprintf(out, cap, "%.*s", ev.u.dns.srcid_instance.len ? (int)ev.u.dns.srcid_instance.len : 1,
             ev.u.dns.srcid_instance.len ? ev.u.dns.srcid_instance.p : "-");
    return out;
}

#define DNS_T 1767323045000 /* 2026-01-02T03:04:05Z: i-0aaa000000000001's launch */

/*
 * A Resolver query whose record names no instance is the inventory's instance at its
 * (vpc_id, srcaddr): primary, secondary (a pod's address on an EKS node) and IPv6
 * addresses, bound no later than the query. Not: another VPC, no VPC, an address nobody
 * has, before the binding, an interface of no instance (a Lambda function's), an interface
 * whose VPC is unknown, a client of an inbound endpoint, no inventory. A record that names
 * its instance is left alone. The event's identity stays the record's as logged; its
 * entity key is the instance's, as for the records that name it.
 */
static void test_dns_attribute(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_event ev, logged;
    char id[64], k1[128], k2[128];

    (void)state;
    assert_int_equal(add(inv, describe, NULL, NULL), 0);
    assert_int_equal(
        add(inv,
            "[{\"InstanceId\":\"i-0novpc\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":"
            "\"eni-0novpc\",\"PrivateIpAddress\":\"10.0.7.7\"}]}]",
            NULL, NULL),
        0);
    run_ct(inv,
           "{\"Records\":[" CREATE_NIC("2023-07-10T11:55:21Z", "eni-0lambda", "10.9.0.9") "]}");

    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.0.1.10", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0aaa000000000001");
    assert_string_equal(
        attribute(inv, DNS_T + 60000, "vpc-1", "10.0.2.21", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0aaa000000000001");
    assert_string_equal(attribute(inv, DNS_T + 60000, "vpc-1", "2600:1f18::20",
                                  CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                        "i-0aaa000000000001");
    /* No launch or attach time known: any time. */
    assert_string_equal(
        attribute(inv, 0, "vpc-1", "10.0.3.30", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0aaa000000000002");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-2", "172.16.0.9", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0bbb000000000001");
    /* Near misses. */
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-2", "10.0.1.10", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(inv, DNS_T, NULL, "10.0.1.10", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.0.1.11", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(inv, DNS_T - 1000, "vpc-1", "10.0.1.10", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)),
        "-");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-ct", "10.9.0.9", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.0.7.7", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(NULL, DNS_T, "vpc-1", "10.0.1.10", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    dns_event(&ev, DNS_T, "vpc-1", "10.0.1.10", NULL);
    ev.u.dns.srcid_resolver_endpoint = cm_str_cstr("rslvr-in-0a1b2c3d4e5f60718");
    assert_int_equal(cm_inventory_dns_attribute(inv, &ev), CM_DNS_SRCID_ENDPOINT);
    assert_int_equal(ev.u.dns.srcid_instance.len, 0);
    /* A record that names its instance is not looked up, whatever the inventory says. */
    dns_event(&logged, DNS_T, "vpc-1", "10.0.1.10", "i-0ccc000000000009");
    assert_int_equal(cm_inventory_dns_attribute(inv, &logged), CM_DNS_SRCID_LOGGED);
    assert_str(logged.u.dns.srcid_instance, "i-0ccc000000000009");
    /* Identity and entity key. */
    dns_event(&ev, DNS_T, "vpc-1", "10.0.1.10", NULL);
    dns_event(&logged, DNS_T, "vpc-1", "10.0.1.10", NULL);
    assert_int_equal(cm_inventory_dns_attribute(inv, &ev), CM_DNS_SRCID_INVENTORY);
    assert_true(cm_event_key(&ev) == cm_event_key(&logged));
    dns_event(&logged, DNS_T, "vpc-1", "10.0.1.10", "i-0aaa000000000001");
    cm_event_entity_key(&ev, k1, sizeof(k1));
    cm_event_entity_key(&logged, k2, sizeof(k2));
    assert_string_equal(k1, k2);
    cm_inventory_destroy(inv);
}

/* Two EKS nodes with prefix delegation (a /28 per interface for pods), in two VPCs. */
static const char eks_nodes[] =
    "{\"Reservations\":[{\"OwnerId\":\"111122223333\",\"Instances\":["
    "{\"InstanceId\":\"i-0eks000000000001\",\"LaunchTime\":\"2026-01-01T00:00:00+00:00\","
    "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0eks0001\",\"VpcId\":\"vpc-1\","
    "\"PrivateIpAddress\":\"10.1.0.10\",\"Ipv4Prefixes\":[{\"Ipv4Prefix\":\"10.1.0.32/28\"},"
    "{\"Ipv4Prefix\":\"10.1.0.96/28\"}],\"Ipv6Prefixes\":[{\"Ipv6Prefix\":"
    "\"2600:1f18:1:2:a0b0::/80\"}],\"Attachment\":{\"DeviceIndex\":0,"
    "\"AttachTime\":\"2026-01-01T00:00:00+00:00\"}}]},"
    "{\"InstanceId\":\"i-0eks000000000002\",\"LaunchTime\":\"2026-01-01T00:00:00+00:00\","
    "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0eks0002\",\"VpcId\":\"vpc-2\","
    "\"PrivateIpAddress\":\"10.1.0.10\",\"Ipv4Prefixes\":[{\"Ipv4Prefix\":\"10.1.0.32/28\"}],"
    "\"Attachment\":{\"DeviceIndex\":0,\"AttachTime\":\"2026-01-01T00:00:00+00:00\"}}]}]}]}";

/* CreateNetworkInterface of an interface with a delegated prefix (the VPC CNI's), then attached. */
#define CREATE_NIC_PREFIX(time, eni, ip, prefix)                                                   \
    "{" CT_COMMON ",\"eventTime\":\"" time "\",\"eventName\":\"CreateNetworkInterface\","          \
    "\"eventID\":\"cnp-" eni "\",\"requestParameters\":{\"subnetId\":\"subnet-ct\"},"              \
    "\"responseElements\":{\"requestId\":\"r5\",\"networkInterface\":{\"networkInterfaceId\":"     \
    "\"" eni "\",\"subnetId\":\"subnet-ct\",\"vpcId\":\"vpc-ct\",\"privateIpAddress\":\"" ip       \
    "\",\"ipv4PrefixSet\":{\"items\":[{\"ipv4Prefix\":\"" prefix "\"}]},\"tagSet\":{}}}}"

/*
 * Prefix delegation (an EKS node whose interfaces carry /28 IPv4 and /80 IPv6 prefixes;
 * its pods' addresses are in them and are no interface's own address): a query from a pod
 * is the node's, in the pod's VPC; an address just outside a prefix is nobody's; the same
 * prefix in two VPCs is found with the VPC; which side of a flow record is the node's;
 * a finding at a pod's address names the node; CloudTrail's ipv4PrefixSet; a bad prefix
 * is reported and its interface dropped.
 */
static void test_prefixes(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_finding f;
    struct bad b;
    struct cm_ip ip;
    char id[64];

    (void)state;
    assert_int_equal(add(inv, eks_nodes, &b, NULL), 0);
    assert_int_equal(b.n, 0);
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.1.0.37", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0eks000000000001");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.1.0.111", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0eks000000000001");
    assert_string_equal(attribute(inv, DNS_T, "vpc-1", "2600:1f18:1:2:a0b0::7:1",
                                  CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                        "i-0eks000000000001");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-2", "10.1.0.47", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0eks000000000002");
    /* Outside the prefixes, before the attachment, in a VPC that has no such prefix. */
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-1", "10.1.0.48", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-2", "10.1.0.100", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    assert_string_equal(attribute(inv, 1767139200000 - 1, "vpc-1", "10.1.0.37",
                                  CM_DNS_SRCID_UNKNOWN, id, sizeof(id)),
                        "-");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-3", "10.1.0.37", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    /* The pod side of a node's flow record is the interface's. */
    assert_int_equal(side(inv, "eni-0eks0001", "198.51.100.7", "10.1.0.40"), -1);
    assert_int_equal(side(inv, "eni-0eks0001", "10.1.0.40", "10.1.0.20"), 1);
    assert_int_equal(side(inv, "eni-0eks0002", "10.1.0.97", "10.1.0.40"), -1);
    /* A finding at a pod's address (no ENI) names the node. */
    finding(&f, NULL, NULL, "10.1.0.99", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0eks000000000001");
    assert_str(f.instance.nics[0].private_ip, "10.1.0.99");
    assert_str(f.instance.nics[0].eni_id, "eni-0eks0001");
    cm_finding_finish(&f);
    /* CloudTrail: the interface and its prefix, then its attachment. */
    run_ct(inv, "{\"Records\":[" CREATE_NIC_PREFIX(
                    "2026-01-01T01:00:00Z", "eni-0ctpfx", "10.7.0.10",
                    "10.7.0.64/28") "," ATTACH("2026-01-01T01:00:05Z", "eni-0ctpfx", "i-0ctnode",
                                               "1") "]}");
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-ct", "10.7.0.70", CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
        "i-0ctnode");
    assert_int_equal(cm_ip_parse(cm_str_cstr("10.7.0.79"), &ip), 0);
    assert_true(cm_inventory_owns(inv, cm_str_cstr("i-0ctnode"), &ip));
    /* A prefix that is not one: reported, its interface dropped. */
    assert_int_equal(
        add(inv,
            "[{\"InstanceId\":\"i-0badpfx\",\"NetworkInterfaces\":[{\"NetworkInterfaceId\":"
            "\"eni-0badpfx\",\"VpcId\":\"vpc-9\",\"PrivateIpAddress\":\"10.9.0.10\","
            "\"Ipv4Prefixes\":[{\"Ipv4Prefix\":\"10.9.0.32\"}]}]}]",
            &b, NULL),
        0);
    assert_int_equal(b.n, 1);
    assert_non_null(strstr(b.reason[0], "Ipv4Prefix is not an address prefix"));
    assert_string_equal(
        attribute(inv, DNS_T, "vpc-9", "10.9.0.10", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)), "-");
    cm_inventory_destroy(inv);
}

/*
 * An ENI moved from one instance to another (a floating interface of an HA pair): a
 * finding about it whose activity was last seen before the move names the instance that
 * had it then, one seen after names the new one, whatever order the file and CloudTrail
 * came in; a Resolver query from its address is the instance that had it at the query;
 * before any binding, nobody's (a query) or the current one (a finding).
 */
static void test_moved(void **state)
{
    static const char file[] =
        "{\"Instances\":[{\"InstanceId\":\"i-0old\",\"LaunchTime\":\"2026-01-01T00:00:00Z\","
        "\"NetworkInterfaces\":[{\"NetworkInterfaceId\":\"eni-0float\",\"VpcId\":\"vpc-1\","
        "\"PrivateIpAddress\":\"10.0.0.99\",\"Attachment\":{\"DeviceIndex\":1,"
        "\"AttachTime\":\"2026-01-01T00:00:00Z\"}}]}]}";
    static const char moves[] =
        "{\"Records\":[" ATTACH("2026-01-05T11:00:00Z", "eni-0float", "i-0new", "1") "," ATTACH(
            "2026-01-05T13:00:00Z", "eni-0float", "i-0third", "1") "]}";
    static const struct {
        int64_t last_seen;
        const char *want;
    } cases[] = {
        {1767610800000 - 1, "i-0old"},                    /* 2026-01-05T10:59:59.999Z */
        {1767610800000, "i-0new"},                        /* 11:00 */
        {1767618000000 - 1, "i-0new"},                    /* 12:59:59.999 */
        {1767618000000 + 1, "i-0third"}, {0, "i-0third"}, /* no time: the current one */
        {1767225600000 - 1, "i-0third"},                  /* before any binding: the current one */
    };
    struct cm_finding f;
    char id[64];

    (void)state;
    for (int order = 0; order < 2; order++) {
        struct cm_inventory *inv = make();

        if (order == 0) {
            assert_int_equal(add(inv, file, NULL, NULL), 0);
            run_ct(inv, moves);
        } else {
            run_ct(inv, moves);
            assert_int_equal(add(inv, file, NULL, NULL), 0);
        }
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
            finding(&f, NULL, "eni-0float", "10.0.0.99", NULL);
            f.last_seen_ms = cases[k].last_seen;
            assert_int_equal(cm_inventory_enrich(inv, &f), 0);
            assert_str(f.instance.instance_id, cases[k].want);
            cm_finding_finish(&f);
        }
        assert_string_equal(attribute(inv, 1767610800000 - 60000, "vpc-1", "10.0.0.99",
                                      CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                            "i-0old");
        assert_string_equal(attribute(inv, 1767610800000 + 60000, "vpc-1", "10.0.0.99",
                                      CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                            "i-0new");
        assert_string_equal(attribute(inv, 1767618000000 + 60000, "vpc-1", "10.0.0.99",
                                      CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                            "i-0third");
        assert_string_equal(attribute(inv, 1767225600000 - 60000, "vpc-1", "10.0.0.99",
                                      CM_DNS_SRCID_UNKNOWN, id, sizeof(id)),
                            "-");
        cm_inventory_destroy(inv);
    }
}

/* AssignPrivateIpAddresses as CloudTrail logs it: responseElements with what was assigned. */
#define ASSIGN(time, eni, body) ASSIGN_AS("", time, eni, body)
#define ASSIGN_AS(error, time, eni, body)                                                          \
    "{" error CT_COMMON ",\"eventTime\":\"" time "\",\"eventName\":\"AssignPrivateIpAddresses\","  \
    "\"eventID\":\"asg-" time "\",\"requestParameters\":{\"networkInterfaceId\":\"" eni "\","      \
    "\"secondaryPrivateIpAddressCount\":2},\"responseElements\":{\"requestId\":\"r6\","            \
    "\"networkInterfaceId\":\"" eni "\"," body ",\"_return\":true}}"

/* Two secondary addresses, as items of "item". */
#define ASSIGNED_ITEMS                                                                             \
    "\"assignedPrivateIpAddressesSet\":{\"item\":[{\"privateIpAddress\":\"10.0.1.77\"},"           \
    "{\"privateIpAddress\":\"10.0.1.78\"}]}"
/* One address in a list named after its type, and a /28 prefix. */
#define ASSIGNED_TYPED                                                                             \
    "\"assignedPrivateIpAddressesSet\":{\"assignedPrivateIpAddressSetType\":[{"                    \
    "\"privateIpAddress\":\"10.0.1.79\"}]},\"assignedIpv4PrefixSet\":{\"items\":[{"                \
    "\"ipv4Prefix\":\"10.0.1.96/28\"}]}"

/*
 * The EKS VPC CNI gives a node's interface its pods' addresses after the launch, with
 * AssignPrivateIpAddresses (secondary addresses, or /28 prefixes in prefix mode). With
 * CloudTrail alone (RunInstances, then the assignments), a pod's query without srcids is
 * the node's, the lists read as "item", "items" or a set's one typed array; an address no
 * call assigned, and one of a failed call, name nobody.
 */
static void test_assign(void **state)
{
    static const char recs[] = "{\"Records\":[" RUN_INSTANCES(
        "2023-07-10T11:55:21Z", "i-0node", "eni-0node",
        "10.0.1.10") "," ASSIGN("2023-07-10T11:56:00Z", "eni-0node", ASSIGNED_ITEMS) "]}";
    static const char recs2[] =
        "{\"Records\":[" ASSIGN("2023-07-10T11:57:00Z", "eni-0node", ASSIGNED_TYPED) "]}";
    struct cm_inventory *inv = make();
    char id[64];

    (void)state;
    run_ct(inv, recs);
    run_ct(inv, recs2);
    assert_string_equal(attribute(inv, 1688990400000, "vpc-ct", "10.0.1.77", CM_DNS_SRCID_INVENTORY,
                                  id, sizeof(id)),
                        "i-0node");
    assert_string_equal(attribute(inv, 1688990400000, "vpc-ct", "10.0.1.78", CM_DNS_SRCID_INVENTORY,
                                  id, sizeof(id)),
                        "i-0node");
    assert_string_equal(attribute(inv, 1688990400000, "vpc-ct", "10.0.1.79", CM_DNS_SRCID_INVENTORY,
                                  id, sizeof(id)),
                        "i-0node");
    assert_string_equal(attribute(inv, 1688990400000, "vpc-ct", "10.0.1.101",
                                  CM_DNS_SRCID_INVENTORY, id, sizeof(id)),
                        "i-0node");
    assert_string_equal(
        attribute(inv, 1688990400000, "vpc-ct", "10.0.1.80", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)),
        "-");
    /* A failed call assigned nothing. */
    run_ct(inv, "{\"Records\":[" ASSIGN_AS("\"errorCode\":\"Client.InvalidParameterValue\",",
                                           "2023-07-10T11:58:00Z", "eni-0node",
                                           "\"assignedPrivateIpAddressesSet\":{\"item\":[{"
                                           "\"privateIpAddress\":\"10.0.1.81\"}]}") "]}");
    assert_string_equal(
        attribute(inv, 1688990400000, "vpc-ct", "10.0.1.81", CM_DNS_SRCID_UNKNOWN, id, sizeof(id)),
        "-");
    cm_inventory_destroy(inv);
}

static void test_caps(void **state)
{
    struct cm_inventory_limits lim = {2, 3};
    struct cm_inventory *inv;
    struct cm_inventory_stats st;
    char text[4096];
    size_t n = 0;

    (void)state;
    assert_int_equal(cm_inventory_create(&inv, &lim, 1), 0);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "[");
    for (int i = 0; i < 4; i++) {
        n += (size_t)snprintf(text + n, sizeof(text) - n,
                              "%s{\"InstanceId\":\"i-0%d\",\"NetworkInterfaces\":["
                              "{\"NetworkInterfaceId\":\"eni-0%da\",\"PrivateIpAddress\":"
                              "\"10.0.0.%d\"},{\"NetworkInterfaceId\":\"eni-0%db\"}]}",
                              i ? "," : "", i, i, i, i);
    }
    snprintf(text + n, sizeof(text) - n, "]");
    assert_int_equal(add(inv, text, NULL, NULL), 0);
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.instances, 2);
    assert_int_equal(st.nics, 3);
    assert_int_equal(st.loaded, 2);
    assert_int_equal(st.full, 3); /* two instances, one interface */
    cm_inventory_destroy(inv);

    /* Tags: at most CM_INVENTORY_MAX_TAGS per instance; over-long strings left out. */
    assert_int_equal(cm_inventory_create(&inv, NULL, 1), 0);
    {
        static char big[1 << 15];
        struct cm_finding f;
        size_t m = 0;

        m += (size_t)snprintf(big + m, sizeof(big) - m, "[{\"InstanceId\":\"i-0t\",\"Tags\":[");
        for (int i = 0; i < CM_INVENTORY_MAX_TAGS + 10; i++) {
            m += (size_t)snprintf(big + m, sizeof(big) - m, "%s{\"Key\":\"k%d\",\"Value\":\"v\"}",
                                  i ? "," : "", i);
        }
        m += (size_t)snprintf(big + m, sizeof(big) - m, "],\"InstanceType\":\"");
        memset(big + m, 'x', CM_INVENTORY_MAX_STR + 1);
        m += CM_INVENTORY_MAX_STR + 1;
        snprintf(big + m, sizeof(big) - m, "\"}]");
        assert_int_equal(add(inv, big, NULL, NULL), 0);
        finding(&f, "i-0t", NULL, NULL, NULL);
        assert_int_equal(cm_inventory_enrich(inv, &f), 0);
        assert_int_equal(f.instance.ntags, CM_FINDING_MAX_TAGS);
        assert_str(f.instance.instance_type, NULL);
        cm_finding_finish(&f);
        struct cm_str v;
        assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("i-0t"), "k49", &v), 0);
        assert_int_equal(cm_inventory_tag(inv, CM_STR_LIT("i-0t"), "k50", &v), CM_ENOTFOUND);
    }
    cm_inventory_destroy(inv);
}

/* ---- from flow records to a finding that names the instance ---- */

static struct cm_intel_snapshot *custom_list(void)
{
    struct cm_intel_builder *b;
    struct cm_intel_snapshot *s;
    struct cm_intel_list l = {CM_STR_LIT("my-list"), CM_INTEL_KIND_THREAT, CM_STR_LIT("TXT"),
                              CM_STR_LIT("test")};
    uint32_t id;

    assert_int_equal(cm_intel_builder_create(&b, 3), 0);
    assert_int_equal(cm_intel_builder_add_list(b, &l, &id), 0);
    struct cm_indicator ind = {id, CM_CAT_CUSTOM, CM_STR_LIT("bad"), CM_STR_LIT("test")};
    assert_int_equal(cm_intel_builder_add_text(b, CM_STR_LIT("7.7.7.7"), &ind), 0);
    assert_int_equal(cm_intel_builder_build(b, &s), 0);
    cm_intel_builder_destroy(b);
    return s;
}

static void test_flow_to_instance(void **state)
{
    static const struct cm_detector *const table[] = {&cm_detector_intel_flow,
                                                      &cm_detector_inventory_ct, NULL};
    /* The flows come first: the map is applied after the run. */
    static const char *const parser[] = {"vpcflow", "cloudtrail"};
    static const char *const text[] = {
        "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes "
        "start end action log-status\n"
        "2 111122223333 eni-076fa9fb98a2500a7 10.0.1.10 7.7.7.7 49152 443 6 10 840 1688990400 "
        "1688990460 ACCEPT OK\n"
        "2 111122223333 eni-0unknown 10.0.9.9 7.7.7.7 49152 443 6 10 840 1688990400 "
        "1688990460 ACCEPT OK\n",
        "{\"Records\":[" RUN_INSTANCES("2023-07-10T11:55:21Z", "i-0dbc91f429e48eeed",
                                       "eni-076fa9fb98a2500a7", "10.0.1.10") "]}",
    };
    struct cm_intel_snapshot *snap = custom_list();
    struct cm_inventory *inv = make();
    struct feed fd;
    char buf[64];
    struct cm_str res, actor;

    (void)state;
    run(&fd, table, inv, snap, parser, text, 2);
    assert_int_equal(fd.nfound, 2);
    for (size_t i = 0; i < fd.nfound; i++) {
        struct cm_finding *f = &fd.found[i];
        char id[CM_FINDING_ID_LEN + 1];

        memcpy(id, f->id, sizeof(id));
        if (cm_str_eqc(f->instance.nics[0].eni_id, "eni-076fa9fb98a2500a7")) {
            assert_str(f->instance.instance_id, NULL);
            assert_int_equal(cm_inventory_enrich(inv, f), 0);
            assert_str(f->instance.instance_id, "i-0dbc91f429e48eeed");
            assert_str(f->instance.instance_type, "t3.micro");
            assert_string_equal(tag(f, "Name", buf, sizeof(buf)), "crawler");
            assert_str(f->instance.nics[0].private_ip, "10.0.1.10");
            assert_str(f->instance.nics[0].vpc_id, "vpc-ct");
            assert_true(cm_str_find(f->title, CM_STR_LIT("i-0dbc91f429e48eeed")) != (size_t)-1);
            assert_int_equal(cm_finding_identity(f, &res, &actor), 0);
            assert_true(cm_str_eqc(res, "i-0dbc91f429e48eeed"));
            /* The identity stays the one made from the ENI: repeats still fold into it. */
            assert_memory_equal(f->id, id, sizeof(id));
        } else {
            assert_str(f->instance.nics[0].eni_id, "eni-0unknown");
            assert_int_equal(cm_inventory_enrich(inv, f), CM_ENOTFOUND);
            assert_str(f->instance.instance_id, NULL);
            assert_str(f->instance.nics[0].private_ip, "10.0.9.9");
        }
        cm_finding_finish(f);
    }
    cm_inventory_destroy(inv);
    cm_intel_snapshot_unref(snap);
}

/* describe-network-interfaces output: one interface per kind, two bad ones (lines 16, 17). */
static const char *const nis =
    "{\"NetworkInterfaces\": [\n"
    " {\"NetworkInterfaceId\": \"eni-0a01\", \"InterfaceType\": \"nat_gateway\", \"VpcId\": "
    "\"vpc-1\",\n"
    "  \"SubnetId\": \"subnet-nat\", \"RequesterManaged\": true, \"PrivateIpAddress\": "
    "\"10.0.0.50\",\n"
    "  \"Attachment\": {\"InstanceOwnerId\": \"amazon-aws\", \"Status\": \"attached\"}},\n"
    " {\"NetworkInterfaceId\": \"eni-0a02\", \"InterfaceType\": \"lambda\", \"PrivateIpAddress\": "
    "\"10.0.0.51\"},\n"
    " {\"NetworkInterfaceId\": \"eni-0a03\", \"InterfaceType\": \"vpc_endpoint\"},\n"
    " {\"NetworkInterfaceId\": \"eni-0a04\", \"InterfaceType\": \"network_load_balancer\"},\n"
    " {\"NetworkInterfaceId\": \"eni-0a05\", \"InterfaceType\": \"interface\",\n"
    "  \"Description\": \"ELB app/web/50dc6c495c0c9188\", \"RequesterManaged\": true},\n"
    " {\"NetworkInterfaceId\": \"eni-0a06\", \"InterfaceType\": \"interface\", "
    "\"RequesterManaged\": true},\n"
    " {\"NetworkInterfaceId\": \"eni-0a07\", \"InterfaceType\": \"interface\", "
    "\"RequesterManaged\": false,\n"
    "  \"PrivateIpAddress\": \"10.0.0.57\", \"VpcId\": \"vpc-1\",\n"
    "  \"Attachment\": {\"InstanceId\": \"i-0a07\", \"DeviceIndex\": 0}},\n"
    " {\"NetworkInterfaceId\": \"eni-0a08\", \"InterfaceType\": \"interface\"},\n"
    " {\"NetworkInterfaceId\": \"eni-0a09\", \"InterfaceType\": \"efa\"},\n"
    " {\"InterfaceType\": \"lambda\"},\n"
    " {\"NetworkInterfaceId\": \"eni-0a0b\", \"Attachment\": {\"InstanceId\": \"bogus\"}},\n"
    " {\"NetworkInterfaceId\": \"eni-0a0c\", \"InterfaceType\": "
    "\"gateway_load_balancer_endpoint\"}\n"
    "]}\n";

/* The service (or NULL) of an Instance finding whose only resource is interface eni. */
static const char *service(struct cm_inventory *inv, const char *instance, const char *eni)
{
    struct cm_finding f;
    const char *s;

    finding(&f, instance, eni, NULL, NULL);
    s = cm_inventory_service(inv, &f);
    cm_finding_finish(&f);
    return s;
}

static void test_network_interfaces(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_inventory_stats st;
    struct cm_finding f;
    struct bad b;

    (void)state;
    assert_int_equal(add(inv, nis, &b, NULL), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.line[0], 16);
    assert_non_null(strstr(b.reason[0], "NetworkInterfaceId"));
    assert_int_equal(b.line[1], 17);
    assert_non_null(strstr(b.reason[1], "InstanceId"));
    cm_inventory_stats(inv, &st);
    assert_int_equal(st.loaded_nics, 10);
    assert_int_equal(st.loaded, 0);

    assert_string_equal(service(inv, NULL, "eni-0a01"), "NAT gateway");
    assert_string_equal(service(inv, NULL, "eni-0a02"), "Lambda function");
    assert_string_equal(service(inv, NULL, "eni-0a03"), "VPC endpoint");
    assert_string_equal(service(inv, NULL, "eni-0a04"), "load balancer");
    assert_string_equal(service(inv, NULL, "eni-0a05"), "load balancer"); /* an ALB */
    assert_string_equal(service(inv, NULL, "eni-0a06"), "AWS-managed interface");
    assert_string_equal(service(inv, NULL, "eni-0a0c"), "VPC endpoint");
    /* An instance's, one not yet attached, an EFA, an unknown one, a finding naming an instance. */
    assert_null(service(inv, NULL, "eni-0a07"));
    assert_null(service(inv, NULL, "eni-0a08"));
    assert_null(service(inv, NULL, "eni-0a09"));
    assert_null(service(inv, NULL, "eni-0fff"));
    assert_null(service(inv, "i-0a07", "eni-0a01"));

    /* The NAT gateway's interface is filled, but names no instance. */
    finding(&f, NULL, "eni-0a01", NULL, NULL);
    assert_null(cm_inventory_service(NULL, &f));
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, NULL);
    assert_str(f.instance.nics[0].subnet_id, "subnet-nat");
    cm_finding_finish(&f);

    /* Attachment.InstanceId binds the interface: its finding and address name the instance. */
    finding(&f, NULL, "eni-0a07", NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0a07");
    assert_str(f.instance.nics[0].private_ip, "10.0.0.57");
    cm_finding_finish(&f);
    finding(&f, NULL, NULL, "10.0.0.57", "vpc-1");
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.instance_id, "i-0a07");
    cm_finding_finish(&f);

    /* Other resource types are none of its business. */
    cm_finding_init(&f);
    f.resource_type = CM_RES_ACCESS_KEY;
    assert_null(cm_inventory_service(inv, &f));
    cm_finding_finish(&f);

    /* --query 'NetworkInterfaces[]' prints the bare array. */
    cm_inventory_destroy(inv);
    inv = make();
    assert_int_equal(add(inv,
                         "[{\"NetworkInterfaceId\": \"eni-0b01\", \"InterfaceType\": "
                         "\"nat_gateway\"}]",
                         NULL, NULL),
                     0);
    assert_string_equal(service(inv, NULL, "eni-0b01"), "NAT gateway");
    cm_inventory_destroy(inv);
}

/* CreateNetworkInterface by a service (the interface's type and description say which). */
#define CREATE_SVC_NIC(eni, type, desc)                                                            \
    "{" CT_COMMON ",\"eventTime\":\"2026-01-05T08:00:00Z\",\"eventName\":"                         \
    "\"CreateNetworkInterface\",\"eventID\":\"cni-" eni "\",\"requestParameters\":{},"             \
    "\"responseElements\":{\"networkInterface\":{\"networkInterfaceId\":\"" eni                    \
    "\",\"subnetId\":\"subnet-ct\",\"vpcId\":\"vpc-ct\",\"interfaceType\":\"" type                 \
    "\",\"description\":\"" desc "\",\"requesterManaged\":false,\"privateIpAddress\":"             \
    "\"10.8.0.9\"}}}"

static void test_cloudtrail_services(void **state)
{
    struct cm_inventory *inv = make();
    struct cm_finding f;

    (void)state;
    run_ct(
        inv,
        "{\"Records\":[" CREATE_SVC_NIC("eni-0c01", "lambda", "AWS Lambda VPC ENI-worker") "," CREATE_SVC_NIC("eni-0c02", "interface", "AWS Lambda VPC ENI-old") "," CREATE_SVC_NIC(
            "eni-0c03", "interface",
            "ELB app/web/1") "," CREATE_SVC_NIC("eni-0c04", "interface",
                                                "eks node") ","
                                                            /* CreateNatGateway: two addresses as a
                                                               list, one as the lone item. */
                                                            "{" CT_COMMON
                                                            ",\"eventTime\":\"2026-01-05T08:01:"
                                                            "00Z\",\"eventName\":"
                                                            "\"CreateNatGateway\",\"eventID\":"
                                                            "\"nat-1\",\"requestParameters\":{},"
                                                            "\"responseElements\":{"
                                                            "\"CreateNatGatewayResponse\":{"
                                                            "\"natGateway\":{"
                                                            "\"natGatewayId\":\"nat-0a\",\"vpcId\":"
                                                            "\"vpc-ct\",\"subnetId\":\"subnet-"
                                                            "pub\","
                                                            "\"natGatewayAddressSet\":{\"item\":[{"
                                                            "\"networkInterfaceId\":\"eni-0c05\","
                                                            "\"privateIp\":\"10.8.0.5\","
                                                            "\"publicIp\":\"203.0.113.5\"},"
                                                            "{\"networkInterfaceId\":\"eni-0c06\","
                                                            "\"privateIp\":\"10.8.0.6\"}]}}}}},"
                                                            "{" CT_COMMON
                                                            ",\"eventTime\":\"2026-01-05T08:02:"
                                                            "00Z\",\"eventName\":"
                                                            "\"CreateNatGateway\",\"eventID\":"
                                                            "\"nat-2\",\"requestParameters\":{},"
                                                            "\"responseElements\":{\"natGateway\":{"
                                                            "\"vpcId\":\"vpc-ct\","
                                                            "\"natGatewayAddressSet\":{\"item\":{"
                                                            "\"networkInterfaceId\":\"eni-0c07\"}}}"
                                                            "}},"
                                                            /* A failed one made nothing. */
                                                            "{" CT_COMMON
                                                            ",\"eventTime\":\"2026-01-05T08:03:"
                                                            "00Z\",\"eventName\":"
                                                            "\"CreateNatGateway\",\"eventID\":"
                                                            "\"nat-3\",\"errorCode\":\"Client.X\","
                                                            "\"requestParameters\":{},"
                                                            "\"responseElements\":{\"natGateway\":{"
                                                            "\"natGatewayAddressSet\":{\"item\":{"
                                                            "\"networkInterfaceId\":\"eni-0c08\"}}}"
                                                            "}}"
                                                            "]}");
    assert_string_equal(service(inv, NULL, "eni-0c01"), "Lambda function");
    assert_string_equal(service(inv, NULL, "eni-0c02"), "Lambda function");
    assert_string_equal(service(inv, NULL, "eni-0c03"), "load balancer");
    assert_null(service(inv, NULL, "eni-0c04"));
    assert_string_equal(service(inv, NULL, "eni-0c05"), "NAT gateway");
    assert_string_equal(service(inv, NULL, "eni-0c06"), "NAT gateway");
    assert_string_equal(service(inv, NULL, "eni-0c07"), "NAT gateway");
    assert_null(service(inv, NULL, "eni-0c08"));
    finding(&f, NULL, "eni-0c05", NULL, NULL);
    assert_int_equal(cm_inventory_enrich(inv, &f), 0);
    assert_str(f.instance.nics[0].public_ip, "203.0.113.5");
    assert_str(f.instance.nics[0].subnet_id, "subnet-pub");
    assert_str(f.instance.instance_id, NULL);
    cm_finding_finish(&f);
    /* The node's interface, attached later, is an instance's. */
    run_ct(inv, "{\"Records\":[" ATTACH("2026-01-05T08:05:00Z", "eni-0c04", "i-0c04", "1") "]}");
    finding(&f, NULL, "eni-0c04", NULL, NULL);
    assert_null(cm_inventory_service(inv, &f));
    cm_finding_finish(&f);
    cm_inventory_destroy(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_unknown_and_kept),
        cmocka_unit_test(test_describe_shapes),
        cmocka_unit_test(test_owner),
        cmocka_unit_test(test_region),
        cmocka_unit_test(test_addr_owner),
        cmocka_unit_test(test_describe_bad),
        cmocka_unit_test(test_cloudtrail),
        cmocka_unit_test(test_merge),
        cmocka_unit_test(test_order),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_eni_side),
        cmocka_unit_test(test_dns_attribute),
        cmocka_unit_test(test_prefixes),
        cmocka_unit_test(test_moved),
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_caps),
        cmocka_unit_test(test_flow_to_instance),
        cmocka_unit_test(test_network_interfaces),
        cmocka_unit_test(test_cloudtrail_services),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
