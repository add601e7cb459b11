/*
 * Unit tests for lib/detect/s3_access.c: who a bucket policy or an ACL opens
 * a bucket to. Every policy case runs three ways that must agree: the policy
 * as the document root, as requestParameters.bucketPolicy (an object), and
 * as requestParameters.bucketPolicy logged as a JSON string (parsed into the
 * scratch document). ACL cases run on requestParameters. Then the edges: a
 * missing or out-of-range node, a NULL why or scratch, scratch reuse and its
 * caps, thousands of statements and grants, and allocation failure of the
 * string path at every step.
 *
 * Case JSON is written with ' for " to stay readable; dq() swaps them.
 * Inputs are parsed from exact-size heap copies so ASan sees any over-read.
 */

/*
 * For the allocation-failure test this file defines CM_ALLOC_TORTURE and
 * compiles alloc.c and s3_access.c into itself (the linker then never pulls
 * them from libcoalmine.a; see tests/unit/lib/base/test_alloc_torture.c).
 */
#define CM_ALLOC_TORTURE 1
#include "base/alloc.c"
#include "detect/s3_access.c"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "detect/ct.h"

enum kind { POLICY, ACL };

struct tcase {
    const char *name;
    enum kind kind;
    const char *json; /* ' stands for " */
    enum cm_s3_exposure want;
    const char *why_has; /* a substring *why must hold, or NULL */
};

/* ---- helpers ------------------------------------------------------------------------------ */

/* s with every ' turned into ", in an exact-size heap copy (no NUL is read past len). */
static char *dq(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *r = malloc(n ? n : 1);

    assert_non_null(r);
    for (size_t i = 0; i < n; i++) {
        r[i] = s[i] == '\'' ? '"' : s[i];
    }
    *len = n;
    return r;
}

/* An exact-size heap copy of buffer b. */
static char *exact(const struct cm_buf *b, size_t *len)
{
    char *r = malloc(b->len ? b->len : 1);

    assert_non_null(r);
    memcpy(r, b->p, b->len);
    *len = b->len;
    return r;
}

struct parsed {
    struct cm_json_doc doc;
    char *text;
};

static void parse(struct parsed *p, char *text, size_t len)
{
    p->text = text;
    cm_json_doc_init(&p->doc, 0, 0);
    assert_int_equal(cm_json_parse(&p->doc, text, len, NULL), 0);
}

/* Parses a copy of b's content. */
static void parse_buf(struct parsed *p, const struct cm_buf *b)
{
    size_t len;
    char *t = exact(b, &len);

    parse(p, t, len);
}

/* Parses s with ' for ". */
static void parse_dq(struct parsed *p, const char *s)
{
    size_t len;
    char *t = dq(s, &len);

    parse(p, t, len);
}

static void unparse(struct parsed *p)
{
    cm_json_doc_finish(&p->doc);
    free(p->text);
}

static void check_why(const char *why, const char *has)
{
    assert_non_null(why);
    if (has != NULL && strstr(why, has) == NULL) {
        fail_msg("why \"%s\" lacks \"%s\"", why, has);
    }
}

/* Runs a policy given as JSON text (real quotes) at the root. */
static enum cm_s3_exposure policy_of(const char *json, const char **why)
{
    struct parsed p;
    struct cm_json_doc scratch;
    enum cm_s3_exposure r;
    size_t len = strlen(json);
    char *t = malloc(len ? len : 1);

    assert_non_null(t);
    memcpy(t, json, len);
    parse(&p, t, len);
    cm_json_doc_init(&scratch, 0, 0);
    r = cm_s3_policy_exposure(&p.doc, 0, &scratch, why);
    cm_json_doc_finish(&scratch);
    unparse(&p);
    return r;
}

static void run_policy(const struct tcase *c)
{
    struct cm_json_doc scratch;
    struct cm_buf b;
    struct parsed p;
    const char *why = NULL;
    char *pol;
    size_t len;

    cm_json_doc_init(&scratch, 0, 0);
    cm_buf_init(&b, 0);

    /* 1. The policy object at the root. */
    pol = dq(c->json, &len);
    parse(&p, pol, len);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), c->want);
    check_why(why, c->why_has);
    unparse(&p);

    /* 2. Inside requestParameters, as CloudTrail logs it. */
    pol = dq(c->json, &len);
    assert_int_equal(cm_buf_puts(&b, "{\"bucketName\":\"b\",\"bucketPolicy\":"), 0);
    assert_int_equal(cm_buf_append(&b, pol, len), 0);
    assert_int_equal(cm_buf_puts(&b, ",\"Host\":\"b.s3.amazonaws.com\"}"), 0);
    free(pol);
    parse_buf(&p, &b);
    why = NULL;
    assert_int_equal(
        cm_s3_policy_exposure(&p.doc, cm_json_get(&p.doc, 0, "bucketPolicy"), &scratch, &why),
        c->want);
    check_why(why, c->why_has);
    unparse(&p);

    /* 3. Logged as a JSON string holding the policy. */
    pol = dq(c->json, &len);
    cm_buf_reset(&b);
    assert_int_equal(cm_buf_puts(&b, "{\"bucketName\":\"b\",\"bucketPolicy\":\""), 0);
    assert_int_equal(cm_json_escape(&b, pol, len), 0);
    assert_int_equal(cm_buf_puts(&b, "\"}"), 0);
    free(pol);
    parse_buf(&p, &b);
    why = NULL;
    assert_int_equal(
        cm_s3_policy_exposure(&p.doc, cm_json_get(&p.doc, 0, "bucketPolicy"), &scratch, &why),
        c->want);
    check_why(why, c->why_has);
    assert_null(scratch.src); /* the copy it parsed is gone, and scratch says so */
    unparse(&p);

    cm_buf_finish(&b);
    cm_json_doc_finish(&scratch);
}

static void run_acl(const struct tcase *c)
{
    struct parsed p;
    const char *why = NULL;
    size_t len;
    char *t = dq(c->json, &len);

    parse(&p, t, len);
    assert_int_equal(cm_s3_acl_exposure(&p.doc, 0, &why), c->want);
    check_why(why, c->why_has);
    unparse(&p);
}

static void run_case(void **state)
{
    const struct tcase *c = *state;

    if (c->kind == POLICY) {
        run_policy(c);
    } else {
        run_acl(c);
    }
}

/* ---- the cases -------------------------------------------------------------------------- */

/* A statement granting s3:GetObject to principal P, with extra members X (",'Condition':..."). */
#define GET(P, X)                                                                                  \
    "{'Sid':'s','Effect':'Allow','Principal':" P ",'Action':'s3:GetObject',"                       \
    "'Resource':'arn:aws:s3:::b/*'" X "}"
#define POL(S)       "{'Version':'2012-10-17','Statement':[" S "]}"
#define STAR(X)      POL(GET("'*'", X))
#define COND(OP, KV) ",'Condition':{'" OP "':{" KV "}}"

#define ALLUSERS  "http://acs.amazonaws.com/groups/global/AllUsers"
#define AUTHUSERS "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
#define LOGDELIV  "http://acs.amazonaws.com/groups/global/LogDelivery"
#define OWNER     "'Owner':{'ID':'4a2f0c9e7d1b3a5c'}"
#define GRANTEE_ID                                                                                 \
    "{'Grantee':{'xsi:type':'CanonicalUser','ID':'4a2f0c9e7d1b3a5c',"                              \
    "'xmlns:xsi':'http://www.w3.org/2001/XMLSchema-instance'},'Permission':'FULL_CONTROL'}"
#define GRANTEE_GROUP(URI, PERM)                                                                   \
    "{'Grantee':{'xsi:type':'Group','URI':'" URI "',"                                              \
    "'xmlns:xsi':'http://www.w3.org/2001/XMLSchema-instance'},'Permission':'" PERM "'}"
#define ACP(GRANT)                                                                                 \
    "{'bucketName':'b','acl':[''],'AccessControlPolicy':{'AccessControlList':{'Grant':" GRANT      \
    "}," OWNER ",'xmlns':'http://s3.amazonaws.com/doc/2006-03-01/'},'Host':'b.s3.amazonaws.com'}"

#define ANON  CM_S3X_ANONYMOUS
#define AUTH  CM_S3X_AUTHENTICATED
#define NONE_ CM_S3X_NONE

/* Not const: cmocka hands each case to its test as a void *. */
static struct tcase cases[] = {
    /* Principals. */
    {"star_getobject", POLICY, STAR(""), ANON, "Principal \"*\" without"},
    {"aws_star", POLICY, POL(GET("{'AWS':'*'}", "")), ANON, NULL},
    {"aws_list_with_star", POLICY, POL(GET("{'AWS':['arn:aws:iam::111122223333:root','*']}", "")),
     ANON, NULL},
    {"principal_list_with_star", POLICY, POL(GET("['arn:aws:iam::111122223333:root','*']", "")),
     ANON, NULL},
    {"single_account", POLICY, POL(GET("{'AWS':'arn:aws:iam::111122223333:root'}", "")), NONE_,
     "no Allow statement"},
    {"two_accounts", POLICY,
     POL(GET("{'AWS':['arn:aws:iam::111122223333:root','444455556666']}", "")), NONE_, NULL},
    {"service_principal", POLICY, POL(GET("{'Service':'cloudtrail.amazonaws.com'}", "")), NONE_,
     NULL},
    {"canonical_user", POLICY, POL(GET("{'CanonicalUser':'79a59df900b949e55d96a1e698fbaced'}", "")),
     NONE_, NULL},
    {"federated", POLICY, POL(GET("{'Federated':'cognito-identity.amazonaws.com'}", "")), NONE_,
     NULL},
    {"notprincipal", POLICY,
     POL("{'Effect':'Allow','NotPrincipal':{'AWS':'arn:aws:iam::111122223333:root'},"
         "'Action':'s3:*','Resource':'arn:aws:s3:::b/*'}"),
     ANON, "NotPrincipal"},
    {"notprincipal_deny", POLICY,
     POL("{'Effect':'Deny','NotPrincipal':{'AWS':'arn:aws:iam::111122223333:root'},"
         "'Action':'s3:*','Resource':'arn:aws:s3:::b/*'}"),
     NONE_, NULL},
    {"escaped_star", POLICY, POL(GET("'\\u002a'", "")), ANON, NULL},
    {"star_with_spaces_is_not_star", POLICY, POL(GET("' * '", "")), NONE_, NULL},

    /* Effect and statement shapes. */
    {"deny_star", POLICY,
     POL("{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'arn:aws:s3:::b/*',"
         "'Condition':{'Bool':{'aws:SecureTransport':'false'}}}"),
     NONE_, NULL},
    {"deny_star_allow_account", POLICY,
     POL("{'Effect':'Deny','Principal':'*','Action':'s3:*','Resource':'*'}," GET(
         "{'AWS':'arn:aws:iam::111122223333:root'}", "")),
     NONE_, NULL},
    {"effect_lowercase", POLICY, POL("{'Effect':'allow','Principal':'*','Action':'s3:GetObject'}"),
     ANON, NULL},
    {"element_names_any_case", POLICY,
     "{'statement':{'effect':'Allow','principal':{'aws':'*'},'condition':{'stringequals':"
     "{'AWS:sourcevpce':'vpce-1a2b3c4d'}}}}",
     NONE_, "narrowed"},
    {"effect_missing", POLICY, POL("{'Principal':'*','Action':'s3:GetObject'}"), NONE_, NULL},
    {"effect_not_string", POLICY, POL("{'Effect':true,'Principal':'*'}"), NONE_, NULL},
    {"single_statement_object", POLICY, "{'Version':'2012-10-17','Statement':" GET("'*'", "") "}",
     ANON, NULL},
    {"statement_elements_malformed", POLICY, POL("1,'x',null,[],{}," GET("'*'", "")), ANON, NULL},
    {"policy_not_object", POLICY, "[1,2,3]", NONE_, "not a JSON object"},
    {"policy_number", POLICY, "42", NONE_, "not a JSON object"},
    {"statement_number", POLICY, "{'Statement':5}", NONE_, "no Statement"},
    {"statement_missing", POLICY, "{'Version':'2012-10-17'}", NONE_, "no Statement"},
    {"statement_empty", POLICY, POL(""), NONE_, "no Allow statement"},

    /* Narrowing conditions. */
    {"source_vpce", POLICY, STAR(COND("StringEquals", "'aws:SourceVpce':'vpce-1a2b3c4d'")), NONE_,
     "narrowed"},
    {"source_vpc", POLICY, STAR(COND("StringEquals", "'aws:SourceVpc':['vpc-111','vpc-222']")),
     NONE_, NULL},
    {"principal_org_id", POLICY, STAR(COND("StringEquals", "'aws:PrincipalOrgID':'o-a1b2c3d4e5'")),
     NONE_, NULL},
    {"principal_account", POLICY,
     STAR(COND("StringEquals", "'aws:PrincipalAccount':'111122223333'")), NONE_, NULL},
    {"source_account_number", POLICY,
     STAR(COND("StringEquals", "'aws:SourceAccount':111122223333")), NONE_, NULL},
    {"source_owner", POLICY, STAR(COND("StringEquals", "'aws:SourceOwner':'111122223333'")), NONE_,
     NULL},
    {"source_ip", POLICY, STAR(COND("IpAddress", "'aws:SourceIp':'203.0.113.0/24'")), NONE_, NULL},
    {"source_ip_list_v6", POLICY,
     STAR(COND("IpAddress", "'aws:SourceIp':['198.51.100.7','2001:db8::/32']")), NONE_, NULL},
    {"source_ip_everything", POLICY, STAR(COND("IpAddress", "'aws:SourceIp':'0.0.0.0/0'")), ANON,
     NULL},
    {"source_ip_halves", POLICY,
     STAR(COND("IpAddress", "'aws:SourceIp':['0.0.0.0/1','128.0.0.0/1']")), ANON, NULL},
    {"source_ip_one_broad_value", POLICY,
     STAR(COND("IpAddress", "'aws:SourceIp':['203.0.113.0/24','::/0']")), ANON, NULL},
    {"source_ip_mapped_v4_everything", POLICY,
     STAR(COND("IpAddress", "'aws:SourceIp':'::ffff:0.0.0.0/96'")), ANON, NULL},
    {"source_ip_mapped_v4_net", POLICY,
     STAR(COND("IpAddress", "'aws:SourceIp':'::ffff:203.0.113.0/120'")), NONE_, NULL},
    {"source_ip_not_an_address", POLICY, STAR(COND("IpAddress", "'aws:SourceIp':'anywhere'")), ANON,
     NULL},
    {"vpc_source_ip", POLICY, STAR(COND("IpAddress", "'aws:VpcSourceIp':'10.0.0.0/16'")), NONE_,
     NULL},
    {"userid_fixed", POLICY, STAR(COND("StringEquals", "'aws:userid':'AIDAEXAMPLEUSERID'")), NONE_,
     NULL},
    {"userid_role_sessions", POLICY, STAR(COND("StringLike", "'aws:userid':'AROAEXAMPLEID:*'")),
     NONE_, NULL},
    {"userid_wild_role", POLICY, STAR(COND("StringLike", "'aws:userid':'AROA*'")), ANON, NULL},
    {"userid_anonymous", POLICY, STAR(COND("StringEquals", "'aws:userid':'anonymous'")), ANON,
     NULL},
    {"username", POLICY, STAR(COND("StringEquals", "'aws:username':'alice'")), NONE_, NULL},
    {"org_paths", POLICY,
     STAR(COND("ForAnyValue:StringLike", "'aws:PrincipalOrgPaths':'o-a1b2c3d4e5/r-ab12/*'")), NONE_,
     NULL},
    {"org_paths_wild_org", POLICY,
     STAR(COND("ForAnyValue:StringLike", "'aws:PrincipalOrgPaths':'o-*/*'")), ANON, NULL},
    {"data_access_point_account", POLICY,
     POL(GET("{'AWS':'*'}", COND("StringEquals", "'s3:DataAccessPointAccount':'111122223333'"))),
     NONE_, NULL},
    {"key_any_case", POLICY, STAR(COND("StringEquals", "'AWS:sourcevpce':'vpce-1a2b3c4d'")), NONE_,
     NULL},
    {"key_escaped", POLICY, STAR(COND("StringEquals", "'aws:Source\\u0056pce':'vpce-1a2b3c4d'")),
     NONE_, NULL},
    {"operator_any_case", POLICY, STAR(COND("stringequals", "'aws:SourceVpce':'vpce-1a2b3c4d'")),
     NONE_, NULL},
    {"for_any_value", POLICY,
     STAR(COND("ForAnyValue:StringEquals", "'aws:PrincipalOrgID':'o-a1b2c3d4e5'")), NONE_, NULL},
    {"narrowing_and_ignored_keys", POLICY,
     STAR(",'Condition':{'Bool':{'aws:SecureTransport':'true'},"
          "'StringEquals':{'aws:SourceVpce':'vpce-1a2b3c4d'}}"),
     NONE_, NULL},
    {"negated_and_narrowing", POLICY,
     STAR(",'Condition':{'StringNotEquals':{'aws:SourceVpce':'vpce-1a2b3c4d'},"
          "'StringEquals':{'aws:PrincipalOrgID':'o-a1b2c3d4e5'}}"),
     NONE_, NULL},

    /* Conditions that narrow nothing. */
    {"secure_transport_only", POLICY, STAR(COND("Bool", "'aws:SecureTransport':'true'")), ANON,
     "without a narrowing"},
    {"prefix_and_user_agent", POLICY,
     STAR(",'Condition':{'StringLike':{'s3:prefix':'home/*','aws:UserAgent':'*curl*'}}"), ANON,
     NULL},
    {"not_equals_vpce", POLICY, STAR(COND("StringNotEquals", "'aws:SourceVpce':'vpce-1a2b3c4d'")),
     ANON, NULL},
    {"not_ip_address", POLICY, STAR(COND("NotIpAddress", "'aws:SourceIp':'203.0.113.0/24'")), ANON,
     NULL},
    {"arn_not_like", POLICY,
     STAR(COND("ArnNotLike", "'aws:PrincipalArn':'arn:aws:iam::111122223333:role/x'")), ANON, NULL},
    {"if_exists", POLICY, STAR(COND("StringEqualsIfExists", "'aws:SourceVpce':'vpce-1a2b3c4d'")),
     ANON, NULL},
    {"for_all_values", POLICY,
     STAR(COND("ForAllValues:StringEquals", "'aws:PrincipalOrgID':'o-a1b2c3d4e5'")), ANON, NULL},
    {"null_operator", POLICY, STAR(COND("Null", "'aws:SourceVpce':'false'")), ANON, NULL},
    {"wildcard_vpce", POLICY, STAR(COND("StringLike", "'aws:SourceVpce':'vpce-*'")), ANON, NULL},
    {"star_literal_under_equals", POLICY, STAR(COND("StringEquals", "'aws:SourceVpce':'*'")), NONE_,
     NULL},
    {"policy_variable", POLICY, STAR(COND("StringEquals", "'aws:userid':'${aws:userid}'")), ANON,
     NULL},
    {"empty_value_list", POLICY, STAR(COND("StringEquals", "'aws:SourceVpce':[]")), ANON, NULL},
    {"value_object", POLICY, STAR(COND("StringEquals", "'aws:SourceVpce':{'a':1}")), ANON, NULL},
    {"condition_not_object", POLICY, STAR(",'Condition':'aws:SourceVpce'"), ANON, NULL},
    {"operator_block_not_object", POLICY, STAR(",'Condition':{'StringEquals':['aws:SourceVpce']}"),
     ANON, NULL},

    /* Principal ARNs and source ARNs. */
    {"principal_arn_wild_account", POLICY,
     STAR(COND("StringLike", "'aws:PrincipalArn':'arn:aws:iam::*:role/x'")), AUTH, "authenticated"},
    {"principal_arn_arnlike_root", POLICY,
     STAR(COND("ArnLike", "'aws:PrincipalArn':'arn:aws:iam::*:root'")), AUTH, NULL},
    {"principal_arn_star", POLICY, STAR(COND("StringLike", "'aws:PrincipalArn':'*'")), AUTH, NULL},
    {"principal_arn_fixed_account", POLICY,
     STAR(COND("ArnLike", "'aws:PrincipalArn':'arn:aws:iam::123456789012:role/*'")), NONE_, NULL},
    {"principal_arn_one_wild_value", POLICY,
     STAR(COND("ArnLike", "'aws:PrincipalArn':['arn:aws:iam::123456789012:role/a',"
                          "'arn:aws:iam::*:role/b']")),
     AUTH, NULL},
    {"principal_arn_and_vpce", POLICY,
     STAR(",'Condition':{'StringLike':{'aws:PrincipalArn':'arn:aws:iam::*:role/x'},"
          "'StringEquals':{'aws:SourceVpce':'vpce-1a2b3c4d'}}"),
     NONE_, NULL},
    {"source_arn_fixed", POLICY,
     STAR(COND("ArnEquals", "'aws:SourceArn':'arn:aws:cloudfront::111122223333:distribution/E1'")),
     NONE_, NULL},
    {"source_arn_wild_account", POLICY,
     STAR(COND("ArnLike", "'aws:SourceArn':'arn:aws:cloudfront::*:distribution/*'")), ANON, NULL},
    {"source_arn_arnequals_wild", POLICY,
     STAR(COND("ArnEquals", "'aws:SourceArn':'arn:aws:cloudfront::*:distribution/E1'")), ANON,
     NULL},
    {"source_arn_bucket", POLICY, STAR(COND("ArnLike", "'aws:SourceArn':'arn:aws:s3:::logs-b'")),
     NONE_, NULL},
    {"source_arn_any_bucket", POLICY, STAR(COND("ArnLike", "'aws:SourceArn':'arn:aws:s3:::*'")),
     ANON, NULL},
    {"source_arn_short_wild", POLICY, STAR(COND("StringLike", "'aws:SourceArn':'arn:aws:*'")), ANON,
     NULL},

    /* Authenticated callers only. */
    {"principal_type", POLICY, STAR(COND("StringEquals", "'aws:PrincipalType':'AssumedRole'")),
     AUTH, NULL},
    {"principal_type_anonymous", POLICY,
     STAR(COND("StringEquals", "'aws:PrincipalType':['User','Anonymous']")), ANON, NULL},
    {"principal_type_wild", POLICY, STAR(COND("StringLike", "'aws:PrincipalType':'*'")), ANON,
     NULL},
    {"is_aws_service_false", POLICY, STAR(COND("Bool", "'aws:PrincipalIsAWSService':'false'")),
     AUTH, NULL},
    {"is_aws_service_false_json", POLICY, STAR(COND("Bool", "'aws:PrincipalIsAWSService':false")),
     AUTH, NULL},
    {"is_aws_service_true", POLICY, STAR(COND("Bool", "'aws:PrincipalIsAWSService':'true'")), NONE_,
     NULL},
    {"notprincipal_authenticated", POLICY,
     POL("{'Effect':'Allow','NotPrincipal':{'AWS':'arn:aws:iam::111122223333:root'},"
         "'Action':'s3:GetObject','Condition':{'StringEquals':{'aws:PrincipalType':'User'}}}"),
     AUTH, "NotPrincipal"},

    /* The widest statement wins. */
    {"widest_anonymous_last", POLICY,
     POL(GET("'*'", COND("StringEquals", "'aws:PrincipalType':'User'")) "," GET("'*'", "")), ANON,
     "without a narrowing"},
    {"widest_authenticated", POLICY,
     POL(GET("'*'", COND("StringEquals", "'aws:SourceVpce':'vpce-1'")) "," GET(
         "'*'", COND("StringLike",
                     "'aws:PrincipalArn':'arn:aws:iam::*:root'")) "," GET("{'AWS':'111122223333'}",
                                                                          "")),
     AUTH, "authenticated"},
    {"all_narrowed", POLICY,
     POL(GET("'*'", COND("StringEquals", "'aws:SourceVpce':'vpce-1'")) "," GET(
         "'*'", COND("IpAddress", "'aws:SourceIp':'192.0.2.0/24'"))),
     NONE_, "narrowed"},

    /* ACLs: AccessControlPolicy grants. */
    {"acl_allusers", ACL, ACP("[" GRANTEE_ID "," GRANTEE_GROUP(ALLUSERS, "READ") "]"), ANON,
     "AllUsers"},
    {"acl_allusers_single_grant", ACL, ACP(GRANTEE_GROUP(ALLUSERS, "READ_ACP")), ANON, NULL},
    {"acl_allusers_lowercase_uri_https", ACL,
     ACP("{'Grantee':{'uri':'https://acs.amazonaws.com/groups/global/AllUsers'},"
         "'Permission':'WRITE'}"),
     ANON, NULL},
    {"acl_authenticated_users", ACL, ACP("[" GRANTEE_GROUP(AUTHUSERS, "READ") "]"), AUTH,
     "AuthenticatedUsers"},
    {"acl_log_delivery", ACL,
     ACP("[" GRANTEE_ID
         "," GRANTEE_GROUP(LOGDELIV, "WRITE") "," GRANTEE_GROUP(LOGDELIV, "READ_ACP") "]"),
     NONE_, "no ACL grant"},
    {"acl_grants_sdk_spelling", ACL,
     "{'AccessControlPolicy':{'AccessControlList':{'Grants':[" GRANTEE_GROUP(ALLUSERS,
                                                                             "READ") "]}}}",
     ANON, NULL},
    {"acl_owner_only", ACL, ACP("[" GRANTEE_ID "]"), NONE_, NULL},
    {"acl_widest", ACL,
     ACP("[" GRANTEE_GROUP(AUTHUSERS, "READ") "," GRANTEE_GROUP(ALLUSERS, "READ") "]"), ANON, NULL},
    {"acl_malformed_grants", ACL,
     ACP("[1,'x',null,{'Grantee':'AllUsers'},{'Grantee':{'URI':7}},{'Grantee':{'URI':['" ALLUSERS
         "']}}]"),
     NONE_, NULL},
    {"acl_grant_number", ACL, ACP("5"), NONE_, NULL},
    {"acl_not_object", ACL, "['x-amz-acl','public-read']", NONE_, "no requestParameters"},

    /* ACLs: canned ACLs. */
    {"canned_public_read", ACL, "{'bucketName':'b','x-amz-acl':['public-read']}", ANON,
     "public-read"},
    {"canned_public_read_write_string", ACL, "{'bucketName':'b','x-amz-acl':'public-read-write'}",
     ANON, NULL},
    {"canned_authenticated_read", ACL, "{'bucketName':'b','x-amz-acl':['authenticated-read']}",
     AUTH, "authenticated-read"},
    {"canned_private", ACL, "{'bucketName':'b','x-amz-acl':['private']}", NONE_, "no ACL grant"},
    {"canned_owner_full_control", ACL,
     "{'bucketName':'b','x-amz-acl':['bucket-owner-full-control']}", NONE_, NULL},
    {"canned_log_delivery_write", ACL, "{'bucketName':'b','x-amz-acl':'log-delivery-write'}", NONE_,
     NULL},
    {"canned_header_any_case", ACL, "{'bucketName':'b','X-Amz-Acl':['Public-Read']}", ANON, NULL},
    {"create_bucket_private", ACL,
     "{'bucketName':'b','Host':'b.s3.amazonaws.com','x-amz-acl':['private'],"
     "'CreateBucketConfiguration':{'LocationConstraint':'eu-west-1'}}",
     NONE_, NULL},
    {"create_bucket_plain", ACL, "{'bucketName':'b','Host':'b.s3.amazonaws.com'}", NONE_, NULL},

    /* ACLs: x-amz-grant-* headers. */
    {"grant_read_allusers", ACL, "{'bucketName':'b','x-amz-grant-read':'uri=\\'" ALLUSERS "\\''}",
     ANON, "x-amz-grant"},
    {"grant_full_control_list", ACL,
     "{'bucketName':'b','x-amz-grant-full-control':['id=\\'4a2f0c9e\\', uri=\\'" AUTHUSERS "\\'']}",
     AUTH, "AuthenticatedUsers"},
    {"grant_write_log_delivery", ACL, "{'x-amz-grant-write':'uri=\\'" LOGDELIV "\\''}", NONE_,
     NULL},
    {"grant_read_acp_unquoted", ACL, "{'x-amz-grant-read-acp':['URI = " ALLUSERS "']}", ANON, NULL},
    {"grant_write_acp_email_only", ACL,
     "{'x-amz-grant-write-acp':'emailAddress=\\'a@example.com\\', id=\\'4a2f\\''}", NONE_, NULL},
    {"grant_header_not_string", ACL, "{'x-amz-grant-read':{'uri':'" ALLUSERS "'}}", NONE_, NULL},
    {"grant_and_canned_widest", ACL,
     "{'x-amz-acl':'authenticated-read','x-amz-grant-read':'uri=\\'" ALLUSERS "\\''}", ANON, NULL},
};

/* ---- edges ---------------------------------------------------------------------------------- */

static void test_missing_nodes(void **state)
{
    struct cm_json_doc scratch;
    struct parsed p;
    const char *why = NULL;

    (void)state;
    cm_json_doc_init(&scratch, 0, 0);
    parse_dq(&p, "{'bucketName':'b'}");
    assert_int_equal(cm_s3_policy_exposure(&p.doc, CM_JSON_NONE, &scratch, &why), CM_S3X_NONE);
    check_why(why, "no bucket policy");
    assert_int_equal(cm_s3_policy_exposure(&p.doc, p.doc.n + 5, &scratch, &why), CM_S3X_NONE);
    assert_int_equal(cm_s3_policy_exposure(NULL, 0, &scratch, &why), CM_S3X_NONE);
    assert_int_equal(cm_s3_acl_exposure(&p.doc, CM_JSON_NONE, &why), CM_S3X_NONE);
    check_why(why, "no requestParameters");
    assert_int_equal(cm_s3_acl_exposure(&p.doc, p.doc.n, &why), CM_S3X_NONE);
    assert_int_equal(cm_s3_acl_exposure(NULL, 0, &why), CM_S3X_NONE);
    /* A why of NULL is allowed. */
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, NULL), CM_S3X_NONE);
    assert_int_equal(cm_s3_acl_exposure(&p.doc, 0, NULL), CM_S3X_NONE);
    unparse(&p);
    cm_json_doc_finish(&scratch);
}

static void test_string_policy_malformed(void **state)
{
    const char *why = NULL;

    (void)state;
    /* Truncated: the logged string ends inside the policy. */
    assert_int_equal(
        policy_of("\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Princ\"", &why),
        CM_S3X_NONE);
    check_why(why, "not valid JSON");
    assert_int_equal(policy_of("\"\"", &why), CM_S3X_NONE);
    check_why(why, "not valid JSON");
    assert_int_equal(policy_of("\"hello\"", &why), CM_S3X_NONE);
    check_why(why, "not valid JSON");
    /* Valid JSON, but a string (a policy logged twice over) or an array. */
    assert_int_equal(policy_of("\"\\\"{}\\\"\"", &why), CM_S3X_NONE);
    check_why(why, "not a JSON object");
    assert_int_equal(
        policy_of("\"[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\"}]\"", &why),
        CM_S3X_NONE);
    check_why(why, "not a JSON object");
    /* A lone surrogate in the logged string becomes U+FFFD: valid JSON, a string Statement. */
    assert_int_equal(policy_of("\"{\\\"Statement\\\":\\\"\\ud800\\\"}\"", &why), CM_S3X_NONE);
    check_why(why, "no Statement");
    /* Trailing garbage after the policy. */
    assert_int_equal(policy_of("\"{\\\"Statement\\\":[]} x\"", &why), CM_S3X_NONE);
    check_why(why, "not valid JSON");
}

static void test_string_policy_needs_scratch(void **state)
{
    static const char text[] = "\"{\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
                               "\\\"Principal\\\":\\\"*\\\"}}\"";
    struct cm_json_doc scratch;
    struct parsed p;
    const char *why = NULL;
    char *t = malloc(sizeof(text) - 1);

    (void)state;
    assert_non_null(t);
    memcpy(t, text, sizeof(text) - 1);
    parse(&p, t, sizeof(text) - 1);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, NULL, &why), CM_S3X_NONE);
    check_why(why, "scratch");
    /* The caller's own document is not a scratch document. */
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &p.doc, &why), CM_S3X_NONE);
    check_why(why, "scratch");
    assert_int_equal(p.doc.n, 1);
    /* A scratch document too small for the policy. */
    cm_json_doc_init(&scratch, 2, 0);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_NONE);
    check_why(why, "too large");
    cm_json_doc_finish(&scratch);
    /* Too deep for it. */
    cm_json_doc_init(&scratch, 0, 1);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_NONE);
    check_why(why, "too large or too deep");
    cm_json_doc_finish(&scratch);
    /* Big enough. */
    cm_json_doc_init(&scratch, 0, 0);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_ANONYMOUS);
    cm_json_doc_finish(&scratch);
    unparse(&p);
}

/* One scratch document serves many calls: string and object policies in turn. */
static void test_scratch_reuse(void **state)
{
    static const char text[] =
        "[\"{\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\"}}\","
        "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"1\"}}},"
        "\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\","
        "\\\"Condition\\\":{\\\"StringLike\\\":{\\\"aws:PrincipalArn\\\":\\\"*\\\"}}}]}\","
        "\"not json\"]";
    static const enum cm_s3_exposure want[] = {CM_S3X_ANONYMOUS, CM_S3X_NONE, CM_S3X_AUTHENTICATED,
                                               CM_S3X_NONE};
    struct cm_json_doc scratch;
    struct parsed p;
    char *t = malloc(sizeof(text) - 1);

    (void)state;
    assert_non_null(t);
    memcpy(t, text, sizeof(text) - 1);
    parse(&p, t, sizeof(text) - 1);
    cm_json_doc_init(&scratch, 0, 0);
    for (int round = 0; round < 3; round++) {
        for (uint32_t k = 0; k < 4; k++) {
            const char *why = NULL;
            uint32_t pol = cm_json_index(&p.doc, 0, k);

            assert_int_equal(cm_s3_policy_exposure(&p.doc, pol, &scratch, &why), want[k]);
            assert_non_null(why);
            assert_null(scratch.src);
            assert_int_equal(scratch.n, 0);
        }
    }
    cm_json_doc_finish(&scratch);
    unparse(&p);
}

/* 20 000 statements / grants: linear work, the last one decides. */
static void test_many(void **state)
{
    struct cm_buf b;
    struct parsed p;
    const char *why = NULL;
    struct cm_json_doc scratch;
    const int n = 20000;

    (void)state;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_puts(&b, "{\"Statement\":["), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cm_buf_printf(&b,
                                       "{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Condition\":"
                                       "{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-%d\"}}},",
                                       i),
                         0);
    }
    assert_int_equal(cm_buf_puts(&b, "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"}}]}"), 0);
    parse_buf(&p, &b);
    cm_json_doc_init(&scratch, 0, 0);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_ANONYMOUS);
    cm_json_doc_finish(&scratch);
    unparse(&p);

    cm_buf_reset(&b);
    assert_int_equal(
        cm_buf_puts(&b, "{\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":["), 0);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cm_buf_printf(&b, "{\"Grantee\":{\"ID\":\"%d\"}},", i), 0);
    }
    assert_int_equal(cm_buf_puts(&b, "{\"Grantee\":{\"URI\":\"" AUTHUSERS "\"}}]}}}"), 0);
    parse_buf(&p, &b);
    assert_int_equal(cm_s3_acl_exposure(&p.doc, 0, &why), CM_S3X_AUTHENTICATED);
    unparse(&p);
    cm_buf_finish(&b);
}

/* Escaped names and values past the stack buffers are unreadable: they never narrow. */
static void test_long_escaped(void **state)
{
    struct cm_buf b;
    struct parsed p;
    const char *why = NULL;
    struct cm_json_doc scratch;

    (void)state;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_puts(&b, "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\","
                                     "\"Condition\":{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-"),
                     0);
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(cm_buf_puts(&b, "\\u0061"), 0);
    }
    assert_int_equal(cm_buf_puts(&b, "\"}}}}"), 0);
    parse_buf(&p, &b);
    cm_json_doc_init(&scratch, 0, 0);
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_ANONYMOUS);
    unparse(&p);

    /* The same value, short enough to read, narrows. */
    parse_dq(&p, "{'Statement':{'Effect':'Allow','Principal':'*','Condition':{'StringEquals':"
                 "{'aws:SourceVpce':'vpce-\\u0061\\u0061'}}}}");
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_NONE);
    unparse(&p);
    cm_json_doc_finish(&scratch);
    cm_buf_finish(&b);
}

/* Every allocation of the string path fails in turn: NONE with a reason, never a leak. */
static void test_alloc_failures(void **state)
{
    static const char text[] = "\"{\\\"Statement\\\":{\\\"Effect\\\":\\\"Allow\\\","
                               "\\\"Principal\\\":\\\"*\\\"}}\"";
    struct parsed p;
    char *t = malloc(sizeof(text) - 1);
    bool done = false;

    (void)state;
    assert_non_null(t);
    memcpy(t, text, sizeof(text) - 1);
    parse(&p, t, sizeof(text) - 1);
    for (long n = 0; n < 20 && !done; n++) {
        struct cm_json_doc scratch;
        const char *why = NULL;
        enum cm_s3_exposure r;

        cm_json_doc_init(&scratch, 0, 0);
        cm_alloc_fail_after(n);
        r = cm_s3_policy_exposure(&p.doc, 0, &scratch, &why);
        cm_alloc_fail_after(-1);
        if (r == CM_S3X_ANONYMOUS) {
            done = true;
        } else {
            assert_int_equal(r, CM_S3X_NONE);
            check_why(why, "out of memory");
        }
        assert_null(scratch.src);
        cm_json_doc_finish(&scratch);
    }
    assert_true(done);
    unparse(&p);
}

/* Deeply nested junk inside a statement is skipped, not walked. */
static void test_deep(void **state)
{
    struct cm_buf b;
    struct parsed p;
    const char *why = NULL;
    struct cm_json_doc scratch;

    (void)state;
    cm_buf_init(&b, 0);
    assert_int_equal(cm_buf_puts(&b, "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{"
                                     "\"AWS\":["),
                     0);
    for (int i = 0; i < 400; i++) {
        assert_int_equal(cm_buf_puts(&b, "["), 0);
    }
    for (int i = 0; i < 400; i++) {
        assert_int_equal(cm_buf_puts(&b, "]"), 0);
    }
    assert_int_equal(cm_buf_puts(&b, ",\"*\"]},\"Condition\":{\"StringEquals\":{"
                                     "\"aws:SourceVpce\":[[[\"vpce-1\"]]]}}}]}"),
                     0);
    parse_buf(&p, &b);
    cm_json_doc_init(&scratch, 0, 0);
    /* A nested list is not a value: the condition does not narrow. */
    assert_int_equal(cm_s3_policy_exposure(&p.doc, 0, &scratch, &why), CM_S3X_ANONYMOUS);
    cm_json_doc_finish(&scratch);
    unparse(&p);
    cm_buf_finish(&b);
}

int main(void)
{
    static const struct CMUnitTest edges[] = {
        cmocka_unit_test(test_missing_nodes),
        cmocka_unit_test(test_string_policy_malformed),
        cmocka_unit_test(test_string_policy_needs_scratch),
        cmocka_unit_test(test_scratch_reuse),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_long_escaped),
        cmocka_unit_test(test_alloc_failures),
        cmocka_unit_test(test_deep),
    };
    struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + sizeof(edges) / sizeof(edges[0])];
    size_t n = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct CMUnitTest t = {cases[i].name, run_case, NULL, NULL, &cases[i]};
        tests[n++] = t;
    }
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
        tests[n++] = edges[i];
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
