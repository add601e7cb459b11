/*
 * CloudTrail scenarios (gen_sc_ct.h) in which someone holding the stolen IAM
 * user key changes the account's configuration to hide or open things:
 * CloudTrail stopped, deleted or told to record nothing, Bedrock invocation
 * logging deleted, the password policy deleted or weakened, S3 Block Public
 * Access turned off for the account or a bucket, server access logging
 * turned off, and buckets opened to anonymous or to any authenticated
 * caller. Each plan holds the near misses docs/detectors/cloudtrail.md names
 * for its type: a denied call, the call that turns logging back on, a
 * change that keeps the protection, a policy limited by a narrowing
 * condition. An administrator's own changes around them (setting a strong
 * password policy, creating a trail) are not findings either.
 *
 * The plans run one after another in the first hour (each in its own
 * slot), so all of them together give the same findings as each alone:
 * the password plans leave the policy as they found it, and the trail the
 * delete plan learns is its own.
 */
#include "gen/gen_sc_ct.h"

#define THIEF   CM_GEN_SC_THIEF
#define ADMIN   CM_GEN_SC_ADMIN
#define OUTSIDE CM_GEN_SC_FROM_OUTSIDE
#define HOME    CM_GEN_SC_FROM_HOME

/*
 * Parameter templates (see gen_sc_ct.h for the tokens), written the way
 * CloudTrail logs each call.
 */
/* clang-format off */
#define TRAIL_ARN(name) "arn:aws:cloudtrail:{region}:{acct}:trail/" name
#define TRAIL_BODY(name, prefix)                                                                   \
    "\"name\":\"" name "\",\"s3BucketName\":\"{logs}\",\"s3KeyPrefix\":\"" prefix "\","           \
    "\"includeGlobalServiceEvents\":true,\"isMultiRegionTrail\":true,"
#define TRAIL_END(name)                                                                            \
    "\"trailARN\":\"" TRAIL_ARN(name) "\",\"logFileValidationEnabled\":true,"                      \
    "\"isOrganizationTrail\":false}"
#define SELECTORS(mgmt, data)                                                                      \
    "\"eventSelectors\":[{\"readWriteType\":\"All\",\"includeManagementEvents\":" mgmt ","        \
    "\"dataResources\":[" data "],\"excludeManagementEventSources\":[]}]"
#define S3_DATA "{\"type\":\"AWS::S3::Object\",\"values\":[\"arn:aws:s3:::{bucket}/\"]}"
#define NO_RESPONSE "},\"responseElements\":null"

/* CloudTrail */
static const char p_stop[] =
    "\"requestParameters\":{\"name\":\"" TRAIL_ARN("management-events") "\"" NO_RESPONSE;
static const char p_update_prefix[] =
    "\"requestParameters\":{\"name\":\"management-events\",\"s3KeyPrefix\":\"audit-v2\"},"
    "\"responseElements\":{" TRAIL_BODY("management-events", "audit-v2")
    TRAIL_END("management-events");
static const char p_create[] =
    "\"requestParameters\":{" TRAIL_BODY("security-audit", "security")
    "\"enableLogFileValidation\":true},"
    "\"responseElements\":{" TRAIL_BODY("security-audit", "security")
    TRAIL_END("security-audit");
static const char p_delete_trail[] =
    "\"requestParameters\":{\"name\":\"" TRAIL_ARN("security-audit") "\"" NO_RESPONSE;
static const char p_bucket[] =
    "\"requestParameters\":{\"bucketName\":\"{bucket}\","
    "\"Host\":\"{bucket}.s3.{region}.amazonaws.com\"" NO_RESPONSE;
static const char p_selectors_keep[] =
    "\"requestParameters\":{\"trailName\":\"management-events\"," SELECTORS("true", S3_DATA) "},"
    "\"responseElements\":{\"trailARN\":\"" TRAIL_ARN("management-events") "\","
    SELECTORS("true", S3_DATA) "}";
static const char p_selectors_none[] =
    "\"requestParameters\":{\"trailName\":\"management-events\"," SELECTORS("false", "") "},"
    "\"responseElements\":{\"trailARN\":\"" TRAIL_ARN("management-events") "\","
    SELECTORS("false", "") "}";

/* Bedrock */
static const char p_bedrock_put[] =
    "\"requestParameters\":{\"loggingConfig\":{\"cloudWatchConfig\":{"
    "\"logGroupName\":\"/aws/bedrock/model-invocations\","
    "\"roleArn\":\"arn:aws:iam::{acct}:role/bedrock-invocation-logging\"},"
    "\"s3Config\":{\"bucketName\":\"{logs}\",\"keyPrefix\":\"bedrock-invocations\"},"
    "\"textDataDeliveryEnabled\":true,\"imageDataDeliveryEnabled\":true,"
    "\"embeddingDataDeliveryEnabled\":true}" NO_RESPONSE;

/* The account password policy. Strong: 14, every class, 24 remembered, 90 days. Weak: 6. */
#define PW_POLICY(len, flag, extra)                                                                \
    "\"requestParameters\":{\"minimumPasswordLength\":" len ",\"requireSymbols\":" flag            \
    ",\"requireNumbers\":" flag ",\"requireUppercaseCharacters\":" flag                            \
    ",\"requireLowercaseCharacters\":" flag ",\"allowUsersToChangePassword\":true" extra           \
    NO_RESPONSE
static const char p_pw_strong[] = PW_POLICY("14", "true",
    ",\"maxPasswordAge\":90,\"passwordReusePrevention\":24,\"hardExpiry\":false");
static const char p_pw_stronger[] = PW_POLICY("16", "true",
    ",\"maxPasswordAge\":60,\"passwordReusePrevention\":24,\"hardExpiry\":false");
static const char p_pw_weak[] = PW_POLICY("6", "false", ""); /* the rest: IAM's defaults */
static const char p_null[] = "\"requestParameters\":null,\"responseElements\":null";

/* S3 Block Public Access */
#define PAB(r, p, a, i)                                                                            \
    "\"PublicAccessBlockConfiguration\":{\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\","  \
    "\"RestrictPublicBuckets\":" r ",\"BlockPublicPolicy\":" p ",\"BlockPublicAcls\":" a           \
    ",\"IgnorePublicAcls\":" i "}"
#define ACCOUNT_HOST "\"Host\":\"{acct}.s3-control.{region}.amazonaws.com\""
#define BUCKET_PAB   "\"publicAccessBlock\":\"\",\"bucketName\":\"{bucket}\","
#define BUCKET_HOST  "\"Host\":\"{bucket}.s3.{region}.amazonaws.com\""
#define ALL_ON                                                                                     \
    "\"RestrictPublicBuckets\":true&\"BlockPublicPolicy\":true&\"BlockPublicAcls\":true"
static const char p_account_pab_on[] =
    "\"requestParameters\":{" PAB("true", "true", "true", "true") "," ACCOUNT_HOST NO_RESPONSE;
static const char p_account_pab_one[] =
    "\"requestParameters\":{" PAB("true", "false", "true", "true") "," ACCOUNT_HOST NO_RESPONSE;
static const char p_account_pab_off[] =
    "\"requestParameters\":{" PAB("false", "false", "false", "false") "," ACCOUNT_HOST NO_RESPONSE;
static const char p_account_pab_delete[] = "\"requestParameters\":{" ACCOUNT_HOST NO_RESPONSE;
static const char p_bucket_pab_on[] =
    "\"requestParameters\":{" BUCKET_PAB PAB("true", "true", "true", "true") ","
    BUCKET_HOST NO_RESPONSE;
static const char p_bucket_pab_one[] =
    "\"requestParameters\":{" BUCKET_PAB PAB("false", "true", "true", "true") ","
    BUCKET_HOST NO_RESPONSE;
static const char p_bucket_pab_off[] =
    "\"requestParameters\":{" BUCKET_PAB PAB("false", "false", "false", "false") ","
    BUCKET_HOST NO_RESPONSE;
static const char p_bucket_pab_delete[] =
    "\"requestParameters\":{" BUCKET_PAB BUCKET_HOST NO_RESPONSE;

/* S3 server access logging */
#define LOGGING(enabled)                                                                           \
    "\"requestParameters\":{\"logging\":\"\",\"bucketName\":\"{bucket}\","                        \
    "\"BucketLoggingStatus\":{\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\"" enabled "},"  \
    BUCKET_HOST NO_RESPONSE
static const char p_logging_on[] = LOGGING(
    ",\"LoggingEnabled\":{\"TargetBucket\":\"{logs}\",\"TargetPrefix\":\"s3-access/{bucket}/\"}");
static const char p_logging_off[] = LOGGING("");

/* Bucket policies and ACLs */
#define POLICY(stmt)                                                                               \
    "\"requestParameters\":{\"bucketPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[" stmt    \
    "]},\"bucketName\":\"{bucket}\"," BUCKET_HOST ",\"policy\":\"\"" NO_RESPONSE
#define STMT(sid, effect, principal, cond)                                                         \
    "{\"Sid\":\"" sid "\",\"Effect\":\"" effect "\",\"Principal\":" principal                      \
    ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::{bucket}/*\"" cond "}"
#define GRANTEE(type, id)                                                                          \
    "{\"Grantee\":{\"xsi:type\":\"" type "\","                                                     \
    "\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\"," id "}"
#define GROUP(name)                                                                                \
    GRANTEE("Group", "\"URI\":\"http://acs.amazonaws.com/groups/global/" name "\"")               \
    ",\"Permission\":\"READ\"}"
#define ACL(grant)                                                                                 \
    "\"requestParameters\":{\"bucketName\":\"{bucket}\"," BUCKET_HOST ",\"acl\":\"\","             \
    "\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":["                                  \
    GRANTEE("CanonicalUser", "\"ID\":\"{canonical}\"") ",\"Permission\":\"FULL_CONTROL\"},"        \
    grant "]},\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\","                              \
    "\"Owner\":{\"ID\":\"{canonical}\"}}" NO_RESPONSE
static const char p_policy_deny[] = POLICY(
    "{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\","
    "\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::{bucket}\",\"arn:aws:s3:::{bucket}/*\"],"
    "\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}");
static const char p_policy_vpce[] = POLICY(STMT("ReadThroughEndpoint", "Allow", "\"*\"",
    ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-0a1b2c3d4e5f60718\"}}"));
static const char p_policy_org[] = POLICY(STMT("ReadInOrganization", "Allow", "\"*\"",
    ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-a1b2c3d4e5\"}}"));
static const char p_policy_account[] = POLICY(STMT("ReadForPartner", "Allow",
    "{\"AWS\":\"arn:aws:iam::111122223333:root\"}", ""));
static const char p_policy_anonymous[] = POLICY(STMT("PublicRead", "Allow", "\"*\"", ""));
static const char p_policy_this_account[] = POLICY(STMT("ReadForAnalytics", "Allow", "\"*\"",
    ",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":"
    "\"arn:aws:iam::{acct}:role/analytics-*\"}}"));
static const char p_policy_authenticated[] = POLICY(STMT("ReadForAnyAwsUser", "Allow", "\"*\"",
    ",\"Condition\":{\"StringLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:*\"}}"));
static const char p_acl_all_users[] = ACL(GROUP("AllUsers"));
static const char p_acl_authenticated[] = ACL(GROUP("AuthenticatedUsers"));
static const char p_acl_private[] =
    "\"requestParameters\":{\"bucketName\":\"{bucket}\"," BUCKET_HOST
    ",\"acl\":\"\",\"x-amz-acl\":[\"private\"]" NO_RESPONSE;
/* clang-format on */

/* ---- CloudTrail ---- */

static const struct cm_gen_sc_plan cloudtrail_stop = {
    .severity = 2,
    .steps = {{.svc = "cloudtrail",
               .api = "StopLogging",
               .at = 610,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 30,
               .error = "AccessDenied",
               .params = p_stop},
              {.svc = "cloudtrail",
               .api = "StopLogging",
               .at = 640,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 30,
               .hit = 1,
               .params = p_stop},
              {.svc = "cloudtrail",
               .api = "UpdateTrail",
               .at = 660,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 30,
               .params = p_update_prefix,
               .mark = "\"s3KeyPrefix\":\"audit-v2\""},
              {.svc = "cloudtrail",
               .api = "StartLogging",
               .at = 690,
               .who = ADMIN,
               .from = HOME,
               .params = p_stop}}};
CM_GEN_SC_CT(cm_gen_sc_cloudtrail_stop, "cloudtrail-stop",
             "Stealth:IAMUser/CloudTrailLoggingDisabled", cloudtrail_stop);

static const struct cm_gen_sc_plan cloudtrail_delete = {.bucket = CM_GEN_SC_B_LOGS,
                                                        .severity = 2,
                                                        .steps = {{.svc = "cloudtrail",
                                                                   .api = "CreateTrail",
                                                                   .at = 720,
                                                                   .who = ADMIN,
                                                                   .from = HOME,
                                                                   .params = p_create},
                                                                  {.svc = "cloudtrail",
                                                                   .api = "DeleteTrail",
                                                                   .at = 760,
                                                                   .who = THIEF,
                                                                   .from = OUTSIDE,
                                                                   .d = 31,
                                                                   .hit = 1,
                                                                   .params = p_delete_trail},
                                                                  {.svc = "s3",
                                                                   .api = "DeleteBucket",
                                                                   .at = 790,
                                                                   .who = THIEF,
                                                                   .from = OUTSIDE,
                                                                   .d = 31,
                                                                   .bucket = CM_GEN_SC_B_SCRATCH,
                                                                   .params = p_bucket,
                                                                   .mark = "athena-results"},
                                                                  {.svc = "s3",
                                                                   .api = "DeleteBucket",
                                                                   .at = 810,
                                                                   .who = THIEF,
                                                                   .from = OUTSIDE,
                                                                   .d = 31,
                                                                   .hit = 1,
                                                                   .bucket = CM_GEN_SC_B_LOGS,
                                                                   .params = p_bucket}}};
CM_GEN_SC_CT(cm_gen_sc_cloudtrail_delete, "cloudtrail-delete",
             "Stealth:IAMUser/CloudTrailLoggingDisabled", cloudtrail_delete);

static const struct cm_gen_sc_plan cloudtrail_event_selectors = {
    .bucket = CM_GEN_SC_B_BACKUPS,
    .severity = 2,
    .steps = {{.svc = "cloudtrail",
               .api = "PutEventSelectors",
               .at = 860,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 32,
               .params = p_selectors_keep,
               .mark = "\"includeManagementEvents\":true"},
              {.svc = "cloudtrail",
               .api = "PutEventSelectors",
               .at = 890,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 32,
               .hit = 1,
               .params = p_selectors_none}}};
CM_GEN_SC_CT(cm_gen_sc_cloudtrail_event_selectors, "cloudtrail-event-selectors",
             "Stealth:IAMUser/CloudTrailLoggingDisabled", cloudtrail_event_selectors);

/* ---- Bedrock ---- */

static const struct cm_gen_sc_plan bedrock_logging_disabled = {
    .severity = 5,
    .steps = {{.svc = "bedrock",
               .api = "GetModelInvocationLoggingConfiguration",
               .at = 940,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 33},
              {.svc = "bedrock",
               .api = "PutModelInvocationLoggingConfiguration",
               .at = 950,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 33,
               .params = p_bedrock_put},
              {.svc = "bedrock",
               .api = "DeleteModelInvocationLoggingConfiguration",
               .at = 980,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 33,
               .hit = 1}}};
CM_GEN_SC_CT(cm_gen_sc_bedrock_logging_disabled, "bedrock-logging-disabled",
             "DefenseEvasion:IAMUser/BedrockLoggingDisabled", bedrock_logging_disabled);

/* ---- the account password policy ---- */

static const struct cm_gen_sc_plan password_policy_deleted = {
    .severity = 8,
    .info = "oldPolicy.minimumPasswordLength=14&newPolicy={}",
    .steps = {{.svc = "iam",
               .api = "UpdateAccountPasswordPolicy",
               .at = 1020,
               .who = ADMIN,
               .from = HOME,
               .params = p_pw_strong,
               .mark = "\"minimumPasswordLength\":14"},
              {.svc = "iam",
               .api = "GetAccountPasswordPolicy",
               .at = 1040,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 34},
              {.svc = "iam",
               .api = "DeleteAccountPasswordPolicy",
               .at = 1060,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 34,
               .hit = 1,
               .params = p_null}}};
CM_GEN_SC_CT(cm_gen_sc_password_policy_deleted, "password-policy-deleted",
             "Stealth:IAMUser/PasswordPolicyChange", password_policy_deleted);

/*
 * The denied attempt counts (GuardDuty reports attempts) and, being denied,
 * leaves the strong policy in place: the successful change after it is
 * measured against the strong one too.
 */
static const struct cm_gen_sc_plan password_policy_weakened = {
    .severity = 8,
    .info = "oldPolicy.minimumPasswordLength=14&newPolicy.minimumPasswordLength=6",
    .steps = {{.svc = "iam",
               .api = "UpdateAccountPasswordPolicy",
               .at = 1100,
               .who = ADMIN,
               .from = HOME,
               .params = p_pw_strong,
               .mark = "\"minimumPasswordLength\":14"},
              {.svc = "iam",
               .api = "UpdateAccountPasswordPolicy",
               .at = 1150,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 35,
               .hit = 1,
               .error = "AccessDenied",
               .params = p_pw_weak},
              {.svc = "iam",
               .api = "UpdateAccountPasswordPolicy",
               .at = 1180,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 35,
               .hit = 1,
               .params = p_pw_weak},
              {.svc = "iam",
               .api = "UpdateAccountPasswordPolicy",
               .at = 1240,
               .who = ADMIN,
               .from = HOME,
               .params = p_pw_stronger,
               .mark = "\"minimumPasswordLength\":16"}}};
CM_GEN_SC_CT(cm_gen_sc_password_policy_weakened, "password-policy-weakened",
             "Stealth:IAMUser/PasswordPolicyChange", password_policy_weakened);

/* ---- S3 Block Public Access ---- */

static const struct cm_gen_sc_plan s3_account_bpa_disabled = {
    .severity = 2,
    .steps = {{.svc = "s3",
               .api = "PutAccountPublicAccessBlock",
               .at = 1800,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 50,
               .params = p_account_pab_on,
               .mark = ALL_ON},
              {.svc = "s3",
               .api = "PutAccountPublicAccessBlock",
               .at = 1820,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 50,
               .params = p_account_pab_one,
               .mark = "\"BlockPublicPolicy\":false&\"BlockPublicAcls\":true"},
              {.svc = "s3",
               .api = "PutAccountPublicAccessBlock",
               .at = 1840,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 50,
               .hit = 1,
               .params = p_account_pab_off},
              {.svc = "s3",
               .api = "DeleteAccountPublicAccessBlock",
               .at = 1860,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 50,
               .hit = 1,
               .params = p_account_pab_delete}}};
CM_GEN_SC_CT(cm_gen_sc_s3_account_bpa_disabled, "s3-account-bpa-disabled",
             "Policy:S3/AccountBlockPublicAccessDisabled", s3_account_bpa_disabled);

static const struct cm_gen_sc_plan s3_bucket_bpa_disabled = {
    .bucket = CM_GEN_SC_B_ASSETS,
    .show_bucket = 1,
    .severity = 2,
    .steps = {{.svc = "s3",
               .api = "PutBucketPublicAccessBlock",
               .at = 1900,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 51,
               .params = p_bucket_pab_on,
               .mark = ALL_ON},
              {.svc = "s3",
               .api = "PutBucketPublicAccessBlock",
               .at = 1920,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 51,
               .params = p_bucket_pab_one,
               .mark = "\"RestrictPublicBuckets\":false&\"BlockPublicPolicy\":true"},
              {.svc = "s3",
               .api = "PutBucketPublicAccessBlock",
               .at = 1940,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 51,
               .hit = 1,
               .params = p_bucket_pab_off},
              {.svc = "s3",
               .api = "DeleteBucketPublicAccessBlock",
               .at = 1960,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 51,
               .hit = 1,
               .params = p_bucket_pab_delete}}};
CM_GEN_SC_CT(cm_gen_sc_s3_bucket_bpa_disabled, "s3-bucket-bpa-disabled",
             "Policy:S3/BucketBlockPublicAccessDisabled", s3_bucket_bpa_disabled);

/* ---- S3 server access logging ---- */

static const struct cm_gen_sc_plan s3_access_logging_disabled = {
    .bucket = CM_GEN_SC_B_DATA_LAKE,
    .show_bucket = 1,
    .severity = 2,
    .steps = {{.svc = "s3",
               .api = "PutBucketLogging",
               .at = 2000,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 52,
               .params = p_logging_on,
               .mark = "\"LoggingEnabled\""},
              {.svc = "s3",
               .api = "PutBucketLogging",
               .at = 2030,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 52,
               .hit = 1,
               .params = p_logging_off}}};
CM_GEN_SC_CT(cm_gen_sc_s3_access_logging_disabled, "s3-access-logging-disabled",
             "Stealth:S3/ServerAccessLoggingDisabled", s3_access_logging_disabled);

/* ---- buckets opened to everyone ---- */

static const struct cm_gen_sc_plan s3_anonymous_access = {
    .bucket = CM_GEN_SC_B_ASSETS,
    .show_bucket = 1,
    .severity = 8,
    .steps = {{.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2100,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .params = p_policy_deny,
               .mark = "\"Effect\":\"Deny\""},
              {.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2110,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .params = p_policy_vpce,
               .mark = "aws:SourceVpce"},
              {.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2120,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .params = p_policy_org,
               .mark = "aws:PrincipalOrgID"},
              {.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2130,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .params = p_policy_account,
               .mark = "arn:aws:iam::111122223333:root"},
              {.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2160,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .hit = 1,
               .params = p_policy_anonymous},
              {.svc = "s3",
               .api = "PutBucketAcl",
               .at = 2190,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 53,
               .hit = 1,
               .params = p_acl_all_users}}};
CM_GEN_SC_CT(cm_gen_sc_s3_anonymous_access, "s3-anonymous-access",
             "Policy:S3/BucketAnonymousAccessGranted", s3_anonymous_access);

static const struct cm_gen_sc_plan s3_public_access = {
    .bucket = CM_GEN_SC_B_DATA_LAKE,
    .show_bucket = 1,
    .severity = 8,
    .steps = {{.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2240,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 54,
               .params = p_policy_this_account,
               .mark = "role/analytics-*"},
              {.svc = "s3",
               .api = "PutBucketPolicy",
               .at = 2260,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 54,
               .hit = 1,
               .params = p_policy_authenticated},
              {.svc = "s3",
               .api = "PutBucketAcl",
               .at = 2280,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 54,
               .params = p_acl_private,
               .mark = "\"x-amz-acl\":[\"private\"]"},
              {.svc = "s3",
               .api = "PutBucketAcl",
               .at = 2300,
               .who = THIEF,
               .from = OUTSIDE,
               .d = 54,
               .hit = 1,
               .params = p_acl_authenticated}}};
CM_GEN_SC_CT(cm_gen_sc_s3_public_access, "s3-public-access", "Policy:S3/BucketPublicAccessGranted",
             s3_public_access);
