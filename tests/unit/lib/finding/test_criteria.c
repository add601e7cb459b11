/*
 * Unit tests for GuardDuty finding criteria (lib/finding/criteria.h): every
 * operator in its current and deprecated form and in both JSON casings, on
 * string, number, timestamp, boolean and untyped attributes; paths through
 * arrays (any/none semantics) and through the API form's embedded
 * additionalInfo; the wildcard matcher; every rejection with its reason; the
 * canonical writer. Inline fixtures run everywhere; the spec's example
 * findings under $SHARED/spec/examples (SHARED defaults to ../shared) are
 * matched too when present.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "finding/criteria.h"

/* A hand-written finding in API form covering every kind of attribute. */
static const char FINDING[] =
    "{\"schemaVersion\":\"2.0\",\"accountId\":\"111122223333\",\"region\":\"us-east-1\","
    "\"id\":\"f00d\",\"type\":\"Recon:EC2/Portscan\",\"severity\":8,\"confidence\":7.5,"
    "\"title\":\"Say \\\"hi\\\" \\u00e9t\\u00e9\","
    "\"createdAt\":\"2025-03-04T10:00:00.000Z\",\"updatedAt\":\"2025-03-04T21:23:59.078Z\","
    "\"resource\":{\"resourceType\":\"Instance\",\"instanceDetails\":{"
    "\"imageId\":\"ami-999999999\",\"launchTime\":\"2025-01-01T00:00:00Z\","
    "\"tags\":[{\"key\":\"Name\",\"value\":\"bastion\"},{\"key\":\"env\",\"value\":\"prod\"}],"
    "\"networkInterfaces\":[{\"privateIpAddress\":\"10.0.0.1\",\"securityGroups\":["
    "{\"groupId\":\"sg-1\"},{\"groupId\":\"sg-2\"}],\"ipv6Addresses\":[]},"
    "{\"privateIpAddress\":\"10.0.0.2\",\"securityGroups\":[{\"groupId\":\"sg-3\"}],"
    "\"ipv6Addresses\":[\"2001:db8::1\",\"2001:db8::2\"]}]},"
    "\"s3BucketDetails\":[{\"name\":\"b1\",\"createdAt\":1741000000,"
    "\"publicAccess\":{\"permissionConfiguration\":{"
    "\"bucketLevelPermissions\":{\"blockPublicAccess\":{\"blockPublicAcls\":false,"
    "\"blockPublicPolicy\":\"true\"}}}}}]},"
    "\"service\":{\"archived\":false,\"count\":3,\"serviceName\":\"guardduty\","
    "\"eventFirstSeen\":\"2025-03-04T10:00:00Z\",\"eventLastSeen\":\"2025-03-04T11:00:00Z\","
    "\"action\":{\"actionType\":\"PORT_PROBE\",\"portProbeAction\":{\"blocked\":false,"
    "\"portProbeDetails\":[{\"localPortDetails\":{\"port\":22,\"portName\":\"SSH\"},"
    "\"remoteIpDetails\":{\"ipAddressV4\":\"203.0.113.50\"}},"
    "{\"localPortDetails\":{\"port\":3389,\"portName\":\"RDP\"},"
    "\"remoteIpDetails\":{\"ipAddressV4\":\"192.0.2.77\"}}]}},"
    "\"additionalInfo\":{\"value\":\"{\\\"threatListName\\\":\\\"ProofPoint\\\","
    "\\\"inBytes\\\":1200,\\\"unusual\\\":{\\\"port\\\":[\\\"80\\\",\\\"443\\\"]}}\","
    "\"type\":\"default\"}}}";

/* The same facts in EventBridge form: additionalInfo is a plain object. */
static const char FINDING_EB[] =
    "{\"type\":\"Recon:EC2/Portscan\",\"severity\":5.5,\"service\":{\"archived\":true,"
    "\"additionalInfo\":{\"threatListName\":\"Amazon\",\"inBytes\":\"99\"}}}";

struct fx {
    struct cm_json_doc doc;
};

static int setup(void **state)
{
    struct fx *f = cm_calloc(1, sizeof(*f));

    assert_non_null(f);
    cm_json_doc_init(&f->doc, 0, 0);
    assert_int_equal(cm_json_parse(&f->doc, FINDING, strlen(FINDING), NULL), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    cm_json_doc_finish(&f->doc);
    cm_free(f);
    return 0;
}

/* Compiles crit (must succeed) and matches it against doc. */
static bool match_doc(const struct cm_json_doc *doc, const char *crit)
{
    struct cm_criteria *c = NULL;
    struct cm_diag dg;
    int rc = cm_criteria_compile(crit, strlen(crit), 0, &c, &dg);
    bool r;

    if (rc != 0) {
        fail_msg("compile failed (%d): %s\n  for %s", rc, dg.msg, crit);
    }
    r = cm_criteria_match(c, doc, 0);
    cm_criteria_destroy(c);
    return r;
}

#define M(crit)   match_doc(&((struct fx *)*state)->doc, crit)
#define YES(crit) assert_true(M(crit))
#define NO(crit)  assert_false(M(crit))

/* Expects compile to fail with rc and a diag containing needle. */
static void rejects(const char *crit, unsigned flags, int rc, const char *needle)
{
    struct cm_criteria *c = (struct cm_criteria *)1;
    struct cm_diag dg;
    int got = cm_criteria_compile(crit, strlen(crit), flags, &c, &dg);

    if (got != rc || strstr(dg.msg, needle) == NULL) {
        fail_msg("for %s\n  expected %d with \"%s\", got %d: \"%s\"", crit, rc, needle, got,
                 dg.msg);
    }
    assert_null(c);
}

static void test_string_ops(void **state)
{
    YES("{\"Criterion\":{\"type\":{\"Equals\":[\"Recon:EC2/Portscan\"]}}}");
    YES("{\"criterion\":{\"type\":{\"equals\":[\"x\",\"Recon:EC2/Portscan\"]}}}");
    YES("{\"criterion\":{\"type\":{\"eq\":[\"Recon:EC2/Portscan\"]}}}");
    YES("{\"Criterion\":{\"type\":{\"Eq\":[\"Recon:EC2/Portscan\"]}}}");
    NO("{\"criterion\":{\"type\":{\"equals\":[\"recon:ec2/portscan\"]}}}");
    NO("{\"criterion\":{\"type\":{\"equals\":[\"Recon:EC2/Portsca\"]}}}");
    NO("{\"criterion\":{\"type\":{\"notEquals\":[\"Recon:EC2/Portscan\"]}}}");
    NO("{\"Criterion\":{\"type\":{\"NotEquals\":[\"a\",\"Recon:EC2/Portscan\"]}}}");
    YES("{\"criterion\":{\"type\":{\"neq\":[\"a\",\"b\"]}}}");
    YES("{\"Criterion\":{\"type\":{\"Neq\":[\"a\"]}}}");
    /* Escaped text in the finding and in the criteria compares unescaped. */
    YES("{\"criterion\":{\"title\":{\"equals\":[\"Say \\\"hi\\\" \\u00e9t\\u00e9\"]}}}");
    YES("{\"criterion\":{\"title\":{\"equals\":[\"Say \\\"hi\\\" \xc3\xa9t\xc3\xa9\"]}}}");
    YES("{\"criterion\":{\"title\":{\"matches\":[\"Say \\\"hi\\\" ?t?\"]}}}");
    /* A wildcard in equals is literal. */
    NO("{\"criterion\":{\"type\":{\"equals\":[\"Recon:*\"]}}}");
}

static void test_match_ops(void **state)
{
    YES("{\"criterion\":{\"type\":{\"matches\":[\"Recon:*\"]}}}");
    YES("{\"Criterion\":{\"type\":{\"Matches\":[\"nope\",\"*Portscan\"]}}}");
    YES("{\"criterion\":{\"type\":{\"matches\":[\"?econ:EC2/Port?can\"]}}}");
    NO("{\"criterion\":{\"type\":{\"matches\":[\"recon:*\"]}}}");
    NO("{\"criterion\":{\"type\":{\"notMatches\":[\"*Port*\"]}}}");
    YES("{\"Criterion\":{\"type\":{\"NotMatches\":[\"Trojan:*\",\"*DNS\"]}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.tags.value\":{\"matches\":[\"bast*\"]}}}");
    NO("{\"criterion\":{\"resource.instanceDetails.tags.value\":{\"notMatches\":[\"p*\"]}}}");
}

static void test_number_ops(void **state)
{
    YES("{\"criterion\":{\"severity\":{\"greaterThanOrEqual\":8}}}");
    YES("{\"Criterion\":{\"severity\":{\"GreaterThanOrEqual\":4}}}");
    NO("{\"criterion\":{\"severity\":{\"greaterThan\":8}}}");
    YES("{\"Criterion\":{\"severity\":{\"GreaterThan\":7}}}");
    YES("{\"criterion\":{\"severity\":{\"lessThanOrEqual\":8}}}");
    NO("{\"Criterion\":{\"severity\":{\"LessThan\":8}}}");
    YES("{\"criterion\":{\"severity\":{\"gt\":7,\"lt\":9}}}");
    YES("{\"Criterion\":{\"severity\":{\"Gte\":8,\"Lte\":8}}}");
    NO("{\"criterion\":{\"severity\":{\"gte\":9}}}");
    NO("{\"criterion\":{\"severity\":{\"lte\":7}}}");
    YES("{\"criterion\":{\"severity\":{\"equals\":[\"7\",\"8\"]}}}");
    YES("{\"criterion\":{\"severity\":{\"equals\":[\"8.0\"]}}}");
    YES("{\"criterion\":{\"severity\":{\"equals\":[8]}}}");
    NO("{\"criterion\":{\"severity\":{\"equals\":[\"1\",\"2\",\"3\"]}}}");
    YES("{\"criterion\":{\"severity\":{\"notEquals\":[\"1\",\"2\",\"3\"]}}}");
    NO("{\"criterion\":{\"severity\":{\"neq\":[\"8\"]}}}");
    YES("{\"criterion\":{\"confidence\":{\"greaterThan\":7,\"lessThan\":8}}}");
    YES("{\"criterion\":{\"service.count\":{\"gte\":3,\"lte\":3}}}");
    YES("{\"criterion\":{\"severity\":{\"greaterThan\":7.5}}}");
}

static void test_timestamp_ops(void **state)
{
    /* updatedAt 2025-03-04T21:23:59.078Z = 1741123439078 ms. */
    YES("{\"criterion\":{\"updatedAt\":{\"greaterThan\":1741123439077}}}");
    NO("{\"criterion\":{\"updatedAt\":{\"greaterThan\":1741123439078}}}");
    YES("{\"criterion\":{\"updatedAt\":{\"gte\":1741123439078,\"lt\":1741123439079}}}");
    YES("{\"Criterion\":{\"updatedAt\":{\"LessThanOrEqual\":1741123439078}}}");
    NO("{\"Criterion\":{\"updatedAt\":{\"Lt\":1735689600000}}}");
    YES("{\"criterion\":{\"updatedAt\":{\"equals\":[\"1741123439078\"]}}}");
    YES("{\"criterion\":{\"updatedAt\":{\"equals\":[\"2025-03-04T21:23:59.078Z\"]}}}");
    NO("{\"criterion\":{\"updatedAt\":{\"notEquals\":[\"1741123439078\"]}}}");
    YES("{\"criterion\":{\"service.eventFirstSeen\":{\"gte\":1741082400000}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.launchTime\":{\"lt\":1735689600001}}}");
    /* A bucket's createdAt is a model timestamp, epoch seconds in the finding
     * (1741000000 s = 2025-03-03T11:06:40Z); criteria still give milliseconds. */
    YES("{\"criterion\":{\"resource.s3BucketDetails.createdAt\":{\"gt\":1740999999999}}}");
    NO("{\"criterion\":{\"resource.s3BucketDetails.createdAt\":{\"gt\":1741000000000}}}");
    YES("{\"criterion\":{\"resource.s3BucketDetails.createdAt\":{\"lte\":1741000000000}}}");
    YES("{\"criterion\":{\"resource.s3BucketDetails.createdAt\":{\"equals\":"
        "[\"2025-03-03T11:06:40Z\"]}}}");
}

static void test_bool_ops(void **state)
{
    YES("{\"criterion\":{\"service.archived\":{\"equals\":[\"false\"]}}}");
    YES("{\"criterion\":{\"service.archived\":{\"equals\":[false]}}}");
    YES("{\"criterion\":{\"service.archived\":{\"eq\":[\"FALSE\"]}}}");
    NO("{\"criterion\":{\"service.archived\":{\"equals\":[\"true\"]}}}");
    YES("{\"criterion\":{\"service.archived\":{\"notEquals\":[true]}}}");
    NO("{\"criterion\":{\"service.archived\":{\"neq\":[\"false\"]}}}");
    YES("{\"criterion\":{\"service.action.portProbeAction.blocked\":{\"equals\":[\"false\"]}}}");
    /* A boolean written as a string in the finding. */
    YES("{\"criterion\":{\"resource.s3BucketDetails.publicAccess.permissionConfiguration."
        "bucketLevelPermissions.blockPublicAccess.blockPublicPolicy\":{\"equals\":[\"true\"]}}}");
    YES("{\"criterion\":{\"resource.s3BucketDetails.publicAccess.permissionConfiguration."
        "bucketLevelPermissions.blockPublicAccess.blockPublicAcls\":{\"equals\":[\"false\"]}}}");
}

static void test_arrays(void **state)
{
    YES("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.privateIpAddress\":"
        "{\"equals\":[\"10.0.0.2\"]}}}");
    NO("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.privateIpAddress\":"
       "{\"notEquals\":[\"10.0.0.2\"]}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.privateIpAddress\":"
        "{\"notEquals\":[\"10.0.0.3\"]}}}");
    /* Array inside array. */
    YES("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.securityGroups.groupId\":"
        "{\"equals\":[\"sg-3\"]}}}");
    NO("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.securityGroups.groupId\":"
       "{\"notEquals\":[\"sg-2\"]}}}");
    /* Leaf that is a list of strings. */
    YES("{\"criterion\":{\"resource.instanceDetails.networkInterfaces.ipv6Addresses\":"
        "{\"equals\":[\"2001:db8::2\"]}}}");
    YES("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.remoteIpDetails."
        "ipAddressV4\":{\"equals\":[\"192.0.2.77\"]}}}");
    YES("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails."
        "port\":{\"greaterThan\":1000}}}");
    NO("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails."
       "port\":{\"greaterThan\":5000}}}");
    /* The range operators of one condition form one interval tested per element:
     * no single port (22, 3389) lies in (100, 1000) ... */
    NO("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails."
       "port\":{\"greaterThan\":100,\"lessThan\":1000}}}");
    YES("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails."
        "port\":{\"greaterThan\":3000,\"lessThan\":4000}}}");
    /* ... while separate terms (here a duplicate key) are each tested on their own. */
    YES("{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails."
        "port\":{\"gt\":100},\"service.action.portProbeAction.portProbeDetails."
        "localPortDetails.port\":{\"lt\":1000}}}");
    /* The tighter of two bounds on one side wins. */
    NO("{\"criterion\":{\"severity\":{\"gt\":2,\"greaterThan\":8}}}");
    YES("{\"criterion\":{\"severity\":{\"gte\":8,\"greaterThan\":7}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.tags.key\":{\"equals\":[\"env\"]},"
        "\"resource.instanceDetails.tags.value\":{\"equals\":[\"bastion\"]}}}");
    /* Absent attribute: only the negative operators hold. */
    NO("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"equals\":[\"i-1\"]}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"notEquals\":[\"i-1\"]}}}");
    YES("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"notMatches\":[\"*\"]}}}");
    NO("{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"matches\":[\"*\"]}}}");
}

static void test_additional_info(void **state)
{
    struct cm_json_doc eb;

    YES("{\"criterion\":{\"service.additionalInfo.threatListName\":{\"equals\":[\"ProofPoint\"]}}"
        "}");
    YES("{\"criterion\":{\"service.additionalInfo.inBytes\":{\"greaterThan\":1000}}}");
    YES("{\"criterion\":{\"service.additionalInfo.inBytes\":{\"equals\":[\"1200\"]}}}");
    YES("{\"criterion\":{\"service.additionalInfo.unusual.port\":{\"equals\":[\"443\"]}}}");
    YES("{\"criterion\":{\"service.additionalInfo.type\":{\"equals\":[\"default\"]}}}");
    NO("{\"criterion\":{\"service.additionalInfo.threatName\":{\"equals\":[\"Scanner\"]}}}");
    cm_json_doc_init(&eb, 0, 0);
    assert_int_equal(cm_json_parse(&eb, FINDING_EB, strlen(FINDING_EB), NULL), 0);
    assert_true(match_doc(&eb, "{\"criterion\":{\"service.additionalInfo.threatListName\":"
                               "{\"equals\":[\"Amazon\"]}}}"));
    assert_true(match_doc(&eb, "{\"criterion\":{\"service.additionalInfo.inBytes\":"
                               "{\"lessThan\":100}}}"));
    assert_true(match_doc(&eb, "{\"criterion\":{\"service.archived\":{\"equals\":[\"true\"]},"
                               "\"severity\":{\"gte\":4,\"lt\":7}}}"));
    assert_false(match_doc(&eb, "{\"criterion\":{\"severity\":{\"equals\":[\"5\"]}}}"));
    cm_json_doc_finish(&eb);
}

static void test_and(void **state)
{
    YES("{\"criterion\":{\"type\":{\"equals\":[\"Recon:EC2/Portscan\"]},"
        "\"resource.instanceDetails.imageId\":{\"equals\":[\"ami-999999999\"]},"
        "\"severity\":{\"greaterThanOrEqual\":4},\"updatedAt\":{\"greaterThan\":1735689600000}}}");
    NO("{\"criterion\":{\"type\":{\"equals\":[\"Recon:EC2/Portscan\"]},"
       "\"resource.instanceDetails.imageId\":{\"equals\":[\"ami-1\"]},"
       "\"severity\":{\"greaterThanOrEqual\":4}}}");
    /* The same path twice (duplicate key): both are ANDed. */
    NO("{\"criterion\":{\"severity\":{\"gte\":4},\"severity\":{\"lt\":5}}}");
    /* Empty criteria match everything. */
    YES("{}");
    YES("{\"criterion\":{}}");
}

static bool glob(const char *p, const char *s)
{
    return cm_glob_match(cm_str_cstr(p), cm_str_cstr(s));
}

static void test_glob(void **state)
{
    char big[4096];

    (void)state;
    assert_true(glob("", ""));
    assert_false(glob("", "a"));
    assert_true(glob("*", ""));
    assert_true(glob("*", "anything"));
    assert_true(glob("**", "x"));
    assert_true(glob("**", ""));
    assert_true(glob("a**b", "ab"));
    assert_true(glob("?", "a"));
    assert_false(glob("?", ""));
    assert_false(glob("?", "ab"));
    assert_true(glob("?", "\xc3\xa9"));       /* one UTF-8 character */
    assert_true(glob("??", "\xe2\x82\xac!")); /* three-byte + one */
    assert_true(glob("abc", "abc"));
    assert_false(glob("abc", "abcd"));
    assert_false(glob("abc", "ABC"));
    assert_true(glob("a*c", "abbbc"));
    assert_true(glob("a*b*c", "aXbYbZc"));
    assert_false(glob("a*b*c", "aXbYbZ"));
    assert_true(glob("*.example.com", "x.y.example.com"));
    assert_false(glob("*.example.com", "example.com"));
    assert_true(glob("10.0.?.*", "10.0.1.14"));
    /* Pathological backtracking stays fast. */
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_false(glob("*a*a*a*a*a*a*a*a*b", big));
    assert_true(glob("*a*a*a*a*a*a*a*a*", big));
}

static void test_rejects(void **state)
{
    char buf[8192];
    size_t n;

    (void)state;
    rejects("{\"criterion\":{\"no.such.path\":{\"equals\":[\"x\"]}}}", 0, CM_EINVAL,
            "unknown attribute path \"no.such.path\"");
    rejects("{\"criterion\":{\"Type\":{\"equals\":[\"x\"]}}}", 0, CM_EINVAL,
            "unknown attribute path");
    rejects("{\"criterion\":{\"type\":{\"like\":[\"x\"]}}}", 0, CM_EINVAL,
            "unknown operator \"like\" for type");
    rejects("{\"criterion\":{\"type\":{\"EQUALS\":[\"x\"]}}}", 0, CM_EINVAL, "unknown operator");
    rejects("{\"criterion\":{\"type\":{\"greaterThan\":5}}}", 0, CM_EINVAL,
            "greaterThan needs a number or timestamp attribute, type is a string");
    rejects("{\"criterion\":{\"service.archived\":{\"gt\":0}}}", 0, CM_EINVAL,
            "service.archived is a boolean");
    rejects("{\"criterion\":{\"severity\":{\"matches\":[\"8*\"]}}}", 0, CM_EINVAL,
            "matches needs a string attribute, severity is a number");
    rejects("{\"criterion\":{\"type\":{\"equals\":\"x\"}}}", 0, CM_EINVAL,
            "equals takes a list of strings (type)");
    rejects("{\"criterion\":{\"type\":{\"equals\":[]}}}", 0, CM_EINVAL,
            "equals needs 1-50 values, has 0 (type)");
    rejects("{\"criterion\":{\"type\":{\"notMatches\":[]}}}", 0, CM_EINVAL, "has 0");
    rejects("{\"criterion\":{\"type\":{\"matches\":[\"\"]}}}", 0, CM_EINVAL,
            "matches value must be 1-512 bytes");
    rejects("{\"criterion\":{\"type\":{\"matches\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]}}}", 0,
            CM_E2BIG, "matches needs 1-5 values, has 6");
    rejects("{\"criterion\":{\"type\":{\"equals\":[null]}}}", 0, CM_EINVAL, "found null in type");
    rejects("{\"criterion\":{\"type\":{\"equals\":[[\"x\"]]}}}", 0, CM_EINVAL, "nested container");
    rejects("{\"criterion\":{\"severity\":{\"gte\":\"4\"}}}", 0, CM_EINVAL, "gte takes one number");
    rejects("{\"criterion\":{\"updatedAt\":{\"gte\":[1]}}}", 0, CM_EINVAL, "of epoch milliseconds");
    rejects("{\"criterion\":{\"severity\":{\"equals\":[\"high\"]}}}", 0, CM_EINVAL,
            "value \"high\" is not a number");
    rejects("{\"criterion\":{\"updatedAt\":{\"equals\":[\"yesterday\"]}}}", 0, CM_EINVAL,
            "is not epoch milliseconds or an ISO-8601 time");
    rejects("{\"criterion\":{\"service.archived\":{\"equals\":[\"yes\"]}}}", 0, CM_EINVAL,
            "is not true or false");
    rejects("{\"criterion\":{\"type\":[\"x\"]}}", 0, CM_EINVAL,
            "condition for type must be an object");
    rejects("{\"criterion\":{\"type\":{}}}", 0, CM_EINVAL, "condition for type must be an object");
    rejects("{\"criterion\":{\"type\":5}}", 0, CM_EINVAL, "condition for type");
    rejects("{\"criterion\":[]}", 0, CM_EINVAL, "criterion must be an object");
    rejects("{\"criteria\":{}}", 0, CM_EINVAL, "unknown member \"criteria\" in findingCriteria");
    rejects("{\"Criterion\":{},\"criterion\":{}}", 0, CM_EINVAL, "criterion given twice");
    rejects("[]", 0, CM_EINVAL, "findingCriteria must be a JSON object");
    rejects("{\"criterion\":{\"type\":{\"equals\":[\"x\"]}}", 0, CM_ESYNTAX,
            "malformed findingCriteria JSON");
    rejects("{\"criterion\":{\"type\":{\"equals\":[\"x\",]}}}", 0, CM_ESYNTAX, "malformed");
    rejects("", 0, CM_ESYNTAX, "malformed");
    rejects("{\"criterion\":{\"type\":{\"matches\":[\"x\"]}}}", CM_CRIT_F_NO_MATCHES, CM_EINVAL,
            "matches is allowed only in filters");
    rejects("{\"criterion\":{}}", CM_CRIT_F_NONEMPTY, CM_EINVAL, "at least one attribute");
    rejects("{}", CM_CRIT_F_NONEMPTY, CM_EINVAL, "at least one attribute");
    /* 51 values. */
    n = (size_t)snprintf(buf, sizeof(buf), "{\"criterion\":{\"type\":{\"equals\":[\"0\"");
    for (int i = 1; i <= 50; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",\"%d\"", i);
    }
    snprintf(buf + n, sizeof(buf) - n, "]}}}");
    rejects(buf, 0, CM_E2BIG, "equals needs 1-50 values, has 51");
    /* 513-byte pattern. */
    n = (size_t)snprintf(buf, sizeof(buf), "{\"criterion\":{\"type\":{\"matches\":[\"");
    memset(buf + n, 'a', 513);
    n += 513;
    snprintf(buf + n, sizeof(buf) - n, "\"]}}}");
    rejects(buf, 0, CM_E2BIG, "matches value must be 1-512 bytes (has 513)");
    /* 51 attributes. */
    n = (size_t)snprintf(buf, sizeof(buf), "{\"criterion\":{");
    for (int i = 0; i < 51; i++) {
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"type\":{\"eq\":[\"%d\"]}",
                              i ? "," : "", i);
    }
    snprintf(buf + n, sizeof(buf) - n, "}}");
    rejects(buf, 0, CM_E2BIG, "criterion has 51 attributes, at most 50");
}

static void test_accepts_limits(void **state)
{
    char buf[8192];
    size_t n;
    struct cm_criteria *c = NULL;

    (void)state;
    n = (size_t)snprintf(buf, sizeof(buf), "{\"criterion\":{\"type\":{\"matches\":[\"");
    memset(buf + n, '*', 512);
    n += 512;
    snprintf(buf + n, sizeof(buf) - n, "\",\"a\",\"b\",\"c\",\"d\"]}}}");
    assert_int_equal(cm_criteria_compile(buf, strlen(buf), 0, &c, NULL), 0);
    assert_int_equal(cm_criteria_terms(c), 1);
    cm_criteria_destroy(c);
    cm_criteria_destroy(NULL);
}

static void test_fields_table(void **state)
{
    (void)state;
    assert_true(cm_crit_nfields > 600);
    for (size_t i = 1; i < cm_crit_nfields; i++) {
        assert_true(strcmp(cm_crit_fields[i - 1].path, cm_crit_fields[i].path) < 0);
    }
    assert_int_equal(cm_crit_field_find(CM_STR_LIT("severity"))->type, CM_CRIT_T_NUMBER);
    assert_int_equal(cm_crit_field_find(CM_STR_LIT("updatedAt"))->type, CM_CRIT_T_TIME);
    assert_int_equal(cm_crit_field_find(CM_STR_LIT("service.archived"))->type, CM_CRIT_T_BOOL);
    assert_int_equal(cm_crit_field_find(CM_STR_LIT("type"))->type, CM_CRIT_T_STRING);
    assert_int_equal(cm_crit_field_find(CM_STR_LIT("service.additionalInfo.inBytes"))->type,
                     CM_CRIT_T_ANY);
    assert_null(cm_crit_field_find(CM_STR_LIT("severit")));
    assert_null(cm_crit_field_find(CM_STR_LIT("")));
}

/* Writes c to a NUL-terminated owned string. */
static char *write_str(const struct cm_criteria *c)
{
    struct cm_buf b;
    struct cm_jw jw;
    size_t len;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_criteria_write(c, &jw);
    assert_int_equal(cm_jw_finish(&jw), 0);
    return cm_buf_take(&b, &len);
}

static void test_write_round_trip(void **state)
{
    const char *in =
        "{\"Criterion\":{\"severity\":{\"Gte\":4,\"Lt\":7.5},"
        "\"type\":{\"Eq\":[\"Recon:EC2/Portscan\",\"a\\\"b\"],\"NotMatches\":[\"x*\"]},"
        "\"service.archived\":{\"Neq\":[true]},"
        "\"updatedAt\":{\"GreaterThan\":1735689600000}}}";
    struct cm_criteria *c = NULL, *c2 = NULL;
    char *out, *out2;
    struct fx *f = *state;

    assert_int_equal(cm_criteria_compile(in, strlen(in), 0, &c, NULL), 0);
    assert_int_equal(cm_criteria_terms(c), 5);
    out = write_str(c);
    assert_string_equal(out, "{\"criterion\":{\"severity\":{\"greaterThanOrEqual\":4,"
                             "\"lessThan\":7.5},\"type\":{\"equals\":[\"Recon:EC2/Portscan\","
                             "\"a\\\"b\"],\"notMatches\":[\"x*\"]},\"service.archived\":"
                             "{\"notEquals\":[\"true\"]},\"updatedAt\":{\"greaterThan\":"
                             "1735689600000}}}");
    assert_int_equal(cm_criteria_compile(out, strlen(out), 0, &c2, NULL), 0);
    out2 = write_str(c2);
    assert_string_equal(out, out2);
    assert_true(cm_criteria_match(c, &f->doc, 0) == cm_criteria_match(c2, &f->doc, 0));
    assert_false(cm_criteria_match(c, &f->doc, 0)); /* severity 8 is not < 7.5 */
    cm_free(out);
    cm_free(out2);
    cm_criteria_destroy(c);
    cm_criteria_destroy(c2);
}

/* Duplicate paths and mixed operator names survive the round trip unchanged. */
static void test_write_duplicates(void **state)
{
    const char *in = "{\"criterion\":{\"severity\":{\"lte\":8,\"lt\":9},"
                     "\"updatedAt\":{\"gt\":18,\"lt\":9},\"updatedAt\":{\"gt\":1707000},"
                     "\"type\":{\"eq\":[\"a\"],\"equals\":[\"b\"]}}}";
    struct cm_criteria *c = NULL, *c2 = NULL;
    char *out, *out2;

    (void)state;
    assert_int_equal(cm_criteria_compile(in, strlen(in), 0, &c, NULL), 0);
    assert_int_equal(cm_criteria_terms(c), 5);
    out = write_str(c);
    assert_string_equal(out, "{\"criterion\":{\"severity\":{\"lessThanOrEqual\":8},"
                             "\"updatedAt\":{\"greaterThan\":18,\"lessThan\":9},"
                             "\"updatedAt\":{\"greaterThan\":1707000},"
                             "\"type\":{\"equals\":[\"a\"],\"eq\":[\"b\"]}}}");
    assert_int_equal(cm_criteria_compile(out, strlen(out), 0, &c2, NULL), 0);
    assert_int_equal(cm_criteria_terms(c2), 5);
    out2 = write_str(c2);
    assert_string_equal(out, out2);
    cm_free(out);
    cm_free(out2);
    cm_criteria_destroy(c);
    cm_criteria_destroy(c2);
}

/*
 * Operators of one kind given under each of their names in one condition
 * are written under distinct names (a JSON reader keeps one member of a
 * name given twice: GetFilter's answer would lose a condition), and read
 * back as the same terms.
 */
static void test_write_same_kind_distinct_names(void **state)
{
    const char *in = "{\"Criterion\":{\"type\":{\"Equals\":[\"a\",\"b\"],\"Eq\":[\"b\"],"
                     "\"equals\":[\"b\",\"c\"],\"eq\":[\"b\"],\"Neq\":[\"x\"],"
                     "\"NotEquals\":[\"y\"],\"Matches\":[\"*b\"],\"matches\":[\"b*\"],"
                     "\"NotMatches\":[\"q*\"],\"notMatches\":[\"*q\"]}}}";
    struct cm_criteria *c = NULL, *c2 = NULL;
    char *out, *out2;
    struct fx *f = *state;

    assert_int_equal(cm_criteria_compile(in, strlen(in), 0, &c, NULL), 0);
    assert_int_equal(cm_criteria_terms(c), 10);
    out = write_str(c);
    assert_string_equal(out, "{\"criterion\":{\"type\":{\"equals\":[\"a\",\"b\"],\"eq\":[\"b\"],"
                             "\"Equals\":[\"b\",\"c\"],\"Eq\":[\"b\"],\"notEquals\":[\"x\"],"
                             "\"neq\":[\"y\"],\"matches\":[\"*b\"],\"Matches\":[\"b*\"],"
                             "\"notMatches\":[\"q*\"],\"NotMatches\":[\"*q\"]}}}");
    assert_int_equal(cm_criteria_compile(out, strlen(out), 0, &c2, NULL), 0);
    assert_int_equal(cm_criteria_terms(c2), 10);
    out2 = write_str(c2);
    assert_string_equal(out, out2);
    assert_true(cm_criteria_match(c, &f->doc, 0) == cm_criteria_match(c2, &f->doc, 0));
    cm_free(out);
    cm_free(out2);
    cm_criteria_destroy(c);
    cm_criteria_destroy(c2);
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;

    if (f == NULL) {
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        p = cm_malloc((size_t)n + 1);
        if (p != NULL && fread(p, 1, (size_t)n, f) != (size_t)n) {
            cm_free(p);
            p = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return p;
}

struct example {
    const char *file;
    const char *yes[4];
    const char *no[2];
};

static const struct example examples[] = {
    {"port_probe_Recon_EC2_PortProbeUnprotectedPort.json",
     {"{\"Criterion\":{\"type\":{\"Equals\":[\"Recon:EC2/PortProbeUnprotectedPort\"]},"
      "\"service.action.portProbeAction.portProbeDetails.remoteIpDetails.ipAddressV4\":"
      "{\"Equals\":[\"192.0.2.77\"]}}}",
      "{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.localPortDetails.port\":"
      "{\"equals\":[\"3389\"]},\"updatedAt\":{\"gte\":1741123439078}}}",
      "{\"criterion\":{\"service.additionalInfo.threatName\":{\"equals\":[\"Scanner\"]},"
      "\"resource.instanceDetails.tags.value\":{\"matches\":[\"web-*\"]}}}",
      "{\"criterion\":{\"severity\":{\"equals\":[\"1\",\"2\",\"3\"]},"
      "\"service.archived\":{\"equals\":[\"false\"]},\"service.count\":{\"gt\":1000}}}"},
     {"{\"criterion\":{\"service.action.portProbeAction.portProbeDetails.remoteIpDetails."
      "ipAddressV4\":{\"notEquals\":[\"203.0.113.50\"]}}}",
      "{\"criterion\":{\"updatedAt\":{\"gt\":1741123439078}}}"}},
    {"dns_request_CryptoCurrency_EC2_BitcoinTool_B_DNS.json",
     {"{\"criterion\":{\"type\":{\"matches\":[\"CryptoCurrency:*!DNS\"]},"
      "\"severity\":{\"gte\":7}}}",
      "{\"criterion\":{\"resource.instanceDetails.networkInterfaces.securityGroups.groupId\":"
      "{\"equals\":[\"sg-0123456789abcdef0\"]}}}",
      "{\"criterion\":{\"service.additionalInfo.threatListName\":{\"eq\":[\"ProofPoint\"]}}}",
      NULL},
     {"{\"criterion\":{\"severity\":{\"lt\":8}}}", NULL}},
    {"aws_api_call_UnauthorizedAccess_IAMUser_TorIPCaller.json",
     {"{\"criterion\":{\"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4\":"
      "{\"equals\":[\"185.220.101.34\"]},\"service.count\":{\"equals\":[\"3\"]}}}",
      NULL},
     {"{\"criterion\":{\"resource.instanceDetails.instanceId\":{\"matches\":[\"*\"]}}}", NULL}},
    {"network_connection_UnauthorizedAccess_EC2_SSHBruteForce.json",
     {"{\"criterion\":{\"service.action.networkConnectionAction.localPortDetails.port\":"
      "{\"equals\":[\"22\"]},\"type\":{\"equals\":[\"UnauthorizedAccess:EC2/SSHBruteForce\"]}}}",
      NULL},
     {"{\"criterion\":{\"type\":{\"notMatches\":[\"*SSH*\"]}}}", NULL}},
    {"aws_api_call_Policy_S3_BucketBlockPublicAccessDisabled.json",
     {"{\"criterion\":{\"resource.s3BucketDetails.publicAccess.permissionConfiguration."
      "bucketLevelPermissions.blockPublicAccess.blockPublicAcls\":{\"equals\":[\"false\"]},"
      "\"service.action.awsApiCallAction.remoteIpDetails.ipAddressV4\":"
      "{\"equals\":[\"165.225.220.243\"]}}}",
      NULL},
     {"{\"criterion\":{\"severity\":{\"gt\":2}}}", NULL}},
    {"eventbridge_envelope.json", /* the finding is under "detail" */
     {"{\"criterion\":{\"service.additionalInfo.threatListName\":{\"equals\":[\"ProofPoint\"]},"
      "\"type\":{\"equals\":[\"CryptoCurrency:EC2/BitcoinTool.B!DNS\"]}}}",
      NULL},
     {"{\"criterion\":{\"service.archived\":{\"equals\":[\"true\"]}}}", NULL}},
};

static void test_spec_examples(void **state)
{
    const char *shared = getenv("SHARED");
    char path[1024];
    size_t len = 0;

    (void)state;
    if (shared == NULL) {
        shared = "../shared";
    }
    for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
        const struct example *e = &examples[i];
        struct cm_json_doc d;
        uint32_t root;
        char *text;

        snprintf(path, sizeof(path), "%s/spec/examples/%s", shared, e->file);
        text = read_all(path, &len);
        if (text == NULL) {
            skip();
        }
        cm_json_doc_init(&d, 0, 0);
        assert_int_equal(cm_json_parse(&d, text, len, NULL), 0);
        root = cm_json_get(&d, 0, "detail");
        root = root == CM_JSON_NONE ? 0 : root;
        for (size_t k = 0; k < 4 && e->yes[k] != NULL; k++) {
            struct cm_criteria *c = NULL;

            assert_int_equal(cm_criteria_compile(e->yes[k], strlen(e->yes[k]), 0, &c, NULL), 0);
            if (!cm_criteria_match(c, &d, root)) {
                fail_msg("%s should match %s", e->file, e->yes[k]);
            }
            cm_criteria_destroy(c);
        }
        for (size_t k = 0; k < 2 && e->no[k] != NULL; k++) {
            struct cm_criteria *c = NULL;

            assert_int_equal(cm_criteria_compile(e->no[k], strlen(e->no[k]), 0, &c, NULL), 0);
            if (cm_criteria_match(c, &d, root)) {
                fail_msg("%s should not match %s", e->file, e->no[k]);
            }
            cm_criteria_destroy(c);
        }
        cm_json_doc_finish(&d);
        cm_free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_string_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_match_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_number_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timestamp_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bool_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arrays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_additional_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_and, setup, teardown),
        cmocka_unit_test(test_glob),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_accepts_limits),
        cmocka_unit_test(test_fields_table),
        cmocka_unit_test_setup_teardown(test_write_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_same_kind_distinct_names, setup, teardown),
        cmocka_unit_test(test_write_duplicates),
        cmocka_unit_test(test_spec_examples),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
