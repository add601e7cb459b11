/*
 * CloudTrail scenarios (gen_sc_ct.h) about who uses which credentials from
 * where: the account owner signing in as root and a short-term root session,
 * the stolen IAM user key driven from penetration-testing distributions (IAM
 * and S3 data-event variants), an instance's and a Lambda function's role
 * credentials used away from them, one console user signing in from London
 * and, half an hour later, from near Seattle, and a decoy key.
 *
 * Near misses, as docs/detectors/cloudtrail.md names them: root used by an
 * AWS service and a failed root sign-in; a distribution's name in request
 * parameters or inside another word of the user agent; the instance's own
 * address, its VPC's own endpoint and a service acting with its
 * credentials; the function's key with the Lambda user agent from another
 * Lambda host, and without it from inside AWS; two logins from one place,
 * and far places 23 hours apart (a run of 24 hours shows those); another
 * key nobody configured as a decoy.
 *
 * Places: 81.2.69.142 is London and 216.160.83.56 Milton, WA in MaxMind's
 * GeoIP2-City-Test.mmdb (about 7,700 km apart).
 */
#include "gen/gen_sc_ct.h"

#define THIEF   CM_GEN_SC_THIEF
#define OUTSIDE CM_GEN_SC_FROM_OUTSIDE
#define HOME    CM_GEN_SC_FROM_HOME
#define OWN     CM_GEN_SC_FROM_OWN
#define SERVICE CM_GEN_SC_FROM_SERVICE

#define LONDON CM_GEN_SC_IP4(81, 2, 69, 142)
#define MILTON CM_GEN_SC_IP4(216, 160, 83, 56)

/* ---- root ---- */

static const struct cm_gen_sc_plan root_credential_usage = {
    .severity = 2,
    .steps = {{.svc = "signin",
               .api = "ConsoleLogin",
               .at = 290,
               .who = CM_GEN_SC_ROOT_LOGIN,
               .from = OUTSIDE,
               .d = 20,
               .fail = 1},
              {.svc = "signin",
               .api = "ConsoleLogin",
               .at = 300,
               .who = CM_GEN_SC_ROOT_LOGIN,
               .from = HOME,
               .hit = 1},
              {.svc = "iam",
               .api = "GetAccountSummary",
               .at = 340,
               .who = CM_GEN_SC_ROOT,
               .from = HOME,
               .hit = 1},
              {.svc = "iam",
               .api = "GetAccountSummary",
               .at = 360,
               .who = CM_GEN_SC_ROOT_SERVICE,
               .from = SERVICE,
               .via = "support.amazonaws.com"},
              {.svc = "iam",
               .api = "ListMFADevices",
               .at = 380,
               .who = CM_GEN_SC_ROOT_SERVICE,
               .from = SERVICE,
               .via = "AWS Internal"},
              {.svc = "iam",
               .api = "ListUsers",
               .at = 410,
               .who = CM_GEN_SC_ROOT,
               .from = HOME,
               .hit = 1},
              {.svc = "iam",
               .api = "ListMFADevices",
               .at = 480,
               .who = CM_GEN_SC_ROOT,
               .from = HOME,
               .hit = 1}}};
CM_GEN_SC_CT(cm_gen_sc_root_credential_usage, "root-credential-usage",
             "Policy:IAMUser/RootCredentialUsage", root_credential_usage);

/* An administrator of the organization's management account audits this account's root. */
static const struct cm_gen_sc_plan root_short_term = {
    .severity = 2,
    .steps = {{.svc = "iam",
               .api = "ListAccessKeys",
               .at = 500,
               .who = CM_GEN_SC_ROOT_SHORT,
               .from = HOME,
               .hit = 1},
              {.svc = "iam",
               .api = "GetLoginProfile",
               .at = 515,
               .who = CM_GEN_SC_ROOT_SHORT,
               .from = HOME,
               .hit = 1},
              {.svc = "iam",
               .api = "ListMFADevices",
               .at = 530,
               .who = CM_GEN_SC_ROOT_SHORT,
               .from = HOME,
               .hit = 1}},
};
CM_GEN_SC_CT(cm_gen_sc_root_short_term, "root-short-term",
             "Policy:IAMUser/ShortTermRootCredentialUsage", root_short_term);

/* ---- penetration-testing distributions ---- */

static const char kali_cli[] = "aws-cli/2.15.22 Python/3.11.6 Linux/6.6.9-amd64 "
                               "exe/x86_64.kali.2024 prompt/off command/sts.get-caller-identity";
static const char kali_boto[] =
    "Boto3/1.34.20 md/Botocore#1.34.20 ua/2.0 os/linux#6.6.9-amd64 md/distrib#kali.2024 "
    "md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.20";
static const char kali_kernel[] =
    "aws-cli/1.32.40 Python/3.11.8 Linux/5.10.0-kali7-amd64 botocore/1.34.40";
static const char parrot_cli[] =
    "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-13parrot1-amd64 exe/x86_64.parrot.6 prompt/off";
static const char parrot_boto[] =
    "Boto3/1.34.34 md/Botocore#1.34.34 ua/2.0 os/linux#6.1.0-1parrot1-amd64 md/arch#x86_64 "
    "lang/python#3.11.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.34";
static const char pentoo_cli[] =
    "aws-cli/2.13.25 Python/3.11.5 Linux/6.1.31-pentoo exe/x86_64.pentoo.2023 prompt/off";
static const char pentoo_boto[] =
    "Boto3/1.33.2 md/Botocore#1.33.2 ua/2.0 os/linux#6.1.31-pentoo md/distrib#pentoo "
    "md/arch#x86_64 lang/python#3.11.5 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.33.2";

#define TAGGED(value)                                                                              \
    "\"requestParameters\":{\"resourcesSet\":{\"items\":[{\"resourceId\":\"{instance}\"}]},"       \
    "\"tagSet\":{\"items\":[{\"key\":\"Name\",\"value\":\"" value "\"}]}},"                        \
    "\"responseElements\":{\"requestId\":\"{uuid}\",\"_return\":true}"

static const char p_tag_kali[] = TAGGED("kali-build");
static const char p_tag_parrot[] = TAGGED("parrot-sec-lab");
static const char p_tag_pentoo[] = TAGGED("pentoo-overlay");

/* Three calls with the distribution's clients, then the two near misses. */
#define PENTEST_IAM(d0, at0, ua1, svc2, api2, ua2, svc3, api3, ua3, tagp, tagm, near_ua)           \
    {                                                                                              \
        .severity = 5, .steps = {                                                                  \
            {.svc = "sts",                                                                         \
             .api = "GetCallerIdentity",                                                           \
             .at = (at0),                                                                          \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .hit = 1,                                                                             \
             .agent = (ua1)},                                                                      \
            {.svc = (svc2),                                                                        \
             .api = (api2),                                                                        \
             .at = (at0) + 10,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .hit = 1,                                                                             \
             .agent = (ua2)},                                                                      \
            {.svc = (svc3),                                                                        \
             .api = (api3),                                                                        \
             .at = (at0) + 20,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .hit = 1,                                                                             \
             .agent = (ua3)},                                                                      \
            {.svc = "ec2",                                                                         \
             .api = "CreateTags",                                                                  \
             .at = (at0) + 30,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .params = (tagp),                                                                     \
             .mark = (tagm)},                                                                      \
            {.svc = "ec2",                                                                         \
             .api = "DescribeInstances",                                                           \
             .at = (at0) + 40,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .agent = (near_ua),                                                                   \
             .mark = (near_ua)}                                                                    \
        }                                                                                          \
    }

/* On the backups bucket: a listing and a download, then the two near misses. */
#define PENTEST_S3(d0, at0, ua1, list, ua2, iso, near_ua, near_list)                               \
    {                                                                                              \
        .res = CM_GEN_SC_RES_BUCKET, .bucket = CM_GEN_SC_B_BACKUPS, .severity = 5, .steps = {      \
            {.svc = "s3",                                                                          \
             .api = list,                                                                          \
             .at = (at0),                                                                          \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .hit = 1,                                                                             \
             .agent = (ua1)},                                                                      \
            {.svc = "s3",                                                                          \
             .api = "GetObject",                                                                   \
             .at = (at0) + 10,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .hit = 1,                                                                             \
             .agent = (ua2),                                                                       \
             .key = "db/2026/01/prod-full.sql.gz"},                                                \
            {.svc = "s3",                                                                          \
             .api = "GetObject",                                                                   \
             .at = (at0) + 20,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .key = "isos/" iso,                                                                   \
             .mark = iso},                                                                         \
            {.svc = "s3",                                                                          \
             .api = near_list,                                                                     \
             .at = (at0) + 30,                                                                     \
             .who = THIEF,                                                                         \
             .from = OUTSIDE,                                                                      \
             .d = (d0),                                                                            \
             .agent = (near_ua),                                                                   \
             .mark = (near_ua)}                                                                    \
        }                                                                                          \
    }

static const struct cm_gen_sc_plan pentest_kali_iam =
    PENTEST_IAM(40, 1300, kali_cli, "iam", "ListUsers", kali_boto, "s3", "ListBuckets", kali_kernel,
                p_tag_kali, "kali-build", "kalimba/1.0");
static const struct cm_gen_sc_plan pentest_kali_s3 =
    PENTEST_S3(41, 1400, kali_kernel, "ListObjects", kali_boto,
               "kali-linux-2024.4-installer-amd64.iso", "kalimba/1.0", "ListObjectsV2");
static const struct cm_gen_sc_plan pentest_parrot_iam =
    PENTEST_IAM(42, 1480, parrot_cli, "iam", "ListRoles", parrot_boto, "ec2", "DescribeInstances",
                parrot_cli, p_tag_parrot, "parrot-sec-lab", "parrots-sync/2.1");
static const struct cm_gen_sc_plan pentest_parrot_s3 =
    PENTEST_S3(43, 1560, parrot_cli, "ListObjectsV2", parrot_boto, "Parrot-security-6.0_amd64.iso",
               "parrots-sync/2.1", "ListObjects");
static const struct cm_gen_sc_plan pentest_pentoo_iam =
    PENTEST_IAM(44, 1640, pentoo_cli, "iam", "ListUsers", pentoo_boto, "s3", "ListBuckets",
                pentoo_cli, p_tag_pentoo, "pentoo-overlay", "pentoolbox/1.4");
static const struct cm_gen_sc_plan pentest_pentoo_s3 =
    PENTEST_S3(45, 1720, pentoo_boto, "ListObjects", pentoo_cli,
               "pentoo-full-amd64-hardened-2024.0.iso", "pentoolbox/1.4", "ListObjectsV2");

CM_GEN_SC_CT(cm_gen_sc_pentest_kali_iam, "pentest-kali-iam", "PenTest:IAMUser/KaliLinux",
             pentest_kali_iam);
CM_GEN_SC_CT(cm_gen_sc_pentest_kali_s3, "pentest-kali-s3", "PenTest:S3/KaliLinux", pentest_kali_s3);
CM_GEN_SC_CT(cm_gen_sc_pentest_parrot_iam, "pentest-parrot-iam", "PenTest:IAMUser/ParrotLinux",
             pentest_parrot_iam);
CM_GEN_SC_CT(cm_gen_sc_pentest_parrot_s3, "pentest-parrot-s3", "PenTest:S3/ParrotLinux",
             pentest_parrot_s3);
CM_GEN_SC_CT(cm_gen_sc_pentest_pentoo_iam, "pentest-pentoo-iam", "PenTest:IAMUser/PentooLinux",
             pentest_pentoo_iam);
CM_GEN_SC_CT(cm_gen_sc_pentest_pentoo_s3, "pentest-pentoo-s3", "PenTest:S3/PentooLinux",
             pentest_pentoo_s3);

/* ---- instance and Lambda credentials used elsewhere ---- */

static const char mac_cli[] =
    "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 "
    "md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off";
static const char lambda_python[] =
    "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.214-223.823.amzn2.x86_64 "
    "md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 "
    "cfg/retry-mode#legacy Botocore/1.34.42";
static const char p_associate[] =
    "\"requestParameters\":{\"instanceId\":\"{instance}\",\"publicIp\":\"{eip}\","
    "\"allowReassociation\":true},\"responseElements\":{\"requestId\":\"{uuid}\",\"_return\":true,"
    "\"associationId\":\"eipassoc-{hex}\"}";

/* A web server's credentials (its Elastic IP associated first) used from outside AWS. */
static const struct cm_gen_sc_plan instance_credential_outside = {
    .tier = CM_GEN_TIER_WEB,
    .needs = CM_GEN_SC_NEED_RANGES,
    .severity = 8,
    .agent = mac_cli,
    .steps = {
        {.svc = "ec2",
         .api = "AssociateAddress",
         .at = 2400,
         .who = CM_GEN_SC_ADMIN,
         .from = HOME,
         .params = p_associate},
        {.svc = "ec2", .api = "DescribeTags", .at = 2420, .who = CM_GEN_SC_INSTANCE, .from = OWN},
        {.svc = "ssm",
         .api = "GetParameter",
         .at = 2430,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_VPCE},
        {.svc = "kms",
         .api = "Decrypt",
         .at = 2440,
         .who = CM_GEN_SC_INSTANCE_SVC,
         .from = SERVICE,
         .via = "ec2.amazonaws.com"},
        {.svc = "sts",
         .api = "GetCallerIdentity",
         .at = 2470,
         .who = CM_GEN_SC_INSTANCE,
         .from = OUTSIDE,
         .d = 60,
         .hit = 1},
        {.svc = "s3",
         .api = "ListBuckets",
         .at = 2480,
         .who = CM_GEN_SC_INSTANCE,
         .from = OUTSIDE,
         .d = 60,
         .hit = 1},
        {.svc = "secretsmanager",
         .api = "ListSecrets",
         .at = 2490,
         .who = CM_GEN_SC_INSTANCE,
         .from = OUTSIDE,
         .d = 60,
         .hit = 1},
        {.svc = "iam",
         .api = "ListRoles",
         .at = 2500,
         .who = CM_GEN_SC_INSTANCE,
         .from = OUTSIDE,
         .d = 60,
         .hit = 1},
        {.svc = "ec2", .api = "DescribeTags", .at = 2520, .who = CM_GEN_SC_INSTANCE, .from = OWN}}};
CM_GEN_SC_CT(cm_gen_sc_instance_credential_outside, "instance-credential-outside",
             "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
             instance_credential_outside);

/*
 * An application server's credentials (it reaches AWS through the NAT
 * gateway, its first public address) used from the attacker's EC2 host and
 * through a VPC endpoint in the attacker's own account.
 */
static const struct cm_gen_sc_plan instance_credential_inside = {
    .tier = CM_GEN_TIER_APP,
    .needs = CM_GEN_SC_NEED_RANGES,
    .severity = 8,
    .agent = mac_cli,
    .steps = {
        {.svc = "ec2", .api = "DescribeTags", .at = 2600, .who = CM_GEN_SC_INSTANCE, .from = OWN},
        {.svc = "kms",
         .api = "Decrypt",
         .at = 2610,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_VPCE},
        {.svc = "kms",
         .api = "GenerateDataKey",
         .at = 2620,
         .who = CM_GEN_SC_INSTANCE_SVC,
         .from = SERVICE,
         .via = "ec2.amazonaws.com"},
        {.svc = "sts",
         .api = "GetCallerIdentity",
         .at = 2650,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_AWS_OTHER,
         .d = 70,
         .hit = 1},
        {.svc = "s3",
         .api = "ListBuckets",
         .at = 2660,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_AWS_OTHER,
         .d = 70,
         .hit = 1},
        {.svc = "sts",
         .api = "GetCallerIdentity",
         .at = 2680,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_VPCE_OTHER,
         .d = 71,
         .hit = 1},
        {.svc = "ssm",
         .api = "GetParametersByPath",
         .at = 2690,
         .who = CM_GEN_SC_INSTANCE,
         .from = CM_GEN_SC_FROM_VPCE_OTHER,
         .d = 71,
         .hit = 1}}};
CM_GEN_SC_CT(cm_gen_sc_instance_credential_inside, "instance-credential-inside",
             "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS",
             instance_credential_inside);

static const struct cm_gen_sc_plan lambda_credential_outside = {
    .needs = CM_GEN_SC_NEED_RANGES,
    .severity = 8,
    .agent = mac_cli,
    .steps = {{.svc = "dynamodb",
               .api = "DescribeTable",
               .at = 2800,
               .who = CM_GEN_SC_LAMBDA,
               .from = OWN,
               .agent = lambda_python},
              {.svc = "sqs",
               .api = "GetQueueUrl",
               .at = 2810,
               .who = CM_GEN_SC_LAMBDA,
               .from = CM_GEN_SC_FROM_LAMBDA_HOST,
               .agent = lambda_python},
              {.svc = "sts",
               .api = "GetCallerIdentity",
               .at = 2830,
               .who = CM_GEN_SC_LAMBDA,
               .from = CM_GEN_SC_FROM_AWS_OTHER,
               .d = 72},
              {.svc = "sts",
               .api = "GetCallerIdentity",
               .at = 2850,
               .who = CM_GEN_SC_LAMBDA,
               .from = OUTSIDE,
               .d = 73,
               .hit = 1},
              {.svc = "dynamodb",
               .api = "ListTables",
               .at = 2860,
               .who = CM_GEN_SC_LAMBDA,
               .from = OUTSIDE,
               .d = 73,
               .hit = 1},
              {.svc = "s3",
               .api = "ListBuckets",
               .at = 2870,
               .who = CM_GEN_SC_LAMBDA,
               .from = OUTSIDE,
               .d = 73,
               .hit = 1}}};
CM_GEN_SC_CT(cm_gen_sc_lambda_credential_outside, "lambda-credential-outside",
             "UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS",
             lambda_credential_outside);

/* ---- console logins too far apart ---- */

#define LOGIN(t, u, where, h)                                                                      \
    {                                                                                              \
        .svc = "signin", .api = "ConsoleLogin", .at = (t), .who = CM_GEN_SC_USER_LOGIN,            \
        .from = CM_GEN_SC_FROM_IP, .user = (u), .ip = (where), .hit = (h)                          \
    }

static const struct cm_gen_sc_plan console_login_travel = {
    .needs = CM_GEN_SC_NEED_GEOIP,
    .hours = 24,
    .severity = 5,
    .steps = {LOGIN(600, 0, LONDON, 0), LOGIN(900, 1, LONDON, 0), LOGIN(2100, 1, LONDON, 0),
              LOGIN(2400, 0, MILTON, 1), LOGIN(3000, 2, LONDON, 0),
              LOGIN(3000 + 23 * 3600, 2, MILTON, 0)}};
CM_GEN_SC_CT(cm_gen_sc_console_login_travel, "console-login-travel",
             "UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", console_login_travel);

/* ---- a decoy key ---- */

static const struct cm_gen_sc_plan canary_credential_usage = {
    .needs = CM_GEN_SC_NEED_CANARY,
    .severity = 8,
    .agent = "TruffleHog aws-sdk-go/1.50.0 (go1.22.1; linux; amd64)",
    .steps = {{.svc = "sts",
               .api = "GetCallerIdentity",
               .at = 3000,
               .who = CM_GEN_SC_CANARY,
               .from = OUTSIDE,
               .d = 80,
               .hit = 1},
              {.svc = "iam",
               .api = "ListUsers",
               .at = 3010,
               .who = CM_GEN_SC_CANARY,
               .from = OUTSIDE,
               .d = 80,
               .hit = 1,
               .error = "AccessDenied"},
              {.svc = "s3",
               .api = "ListBuckets",
               .at = 3020,
               .who = CM_GEN_SC_CANARY,
               .from = OUTSIDE,
               .d = 80,
               .hit = 1,
               .error = "AccessDenied"},
              {.svc = "sts",
               .api = "GetCallerIdentity",
               .at = 3040,
               .who = CM_GEN_SC_OTHER_KEY,
               .from = OUTSIDE,
               .d = 81},
              {.svc = "iam",
               .api = "ListUsers",
               .at = 3050,
               .who = CM_GEN_SC_OTHER_KEY,
               .from = OUTSIDE,
               .d = 81,
               .error = "AccessDenied"}}};
CM_GEN_SC_CT(cm_gen_sc_canary_credential_usage, "canary-credential-usage",
             "UnauthorizedAccess:IAMUser/CanaryCredentialUsage", canary_credential_usage);
