/*
 * CloudTrail scenarios (gen_sc_ct.h) for the API anomaly model
 * (lib/detect/ct_anomaly.c, <Tactic>:IAMUser/AnomalousBehavior): one per
 * tactic. The stolen IAM user key (CM_GEN_SC_THIEF) is driven, a day into
 * the run, from a network (CM_GEN_SC_NET_ANOMALY's /16) and with a client
 * (the Rust SDK) its owner never used, to make calls the owner never made.
 *
 * The model judges an identity only once it has a day of history, and a
 * place or client is usual only a day after it was first seen. The owner of
 * the key works office hours, so the background alone may show it first in
 * the afternoon; every plan therefore starts with the owner calling from
 * both its home addresses with its own client in the run's first minutes
 * (CM_GEN_SC_FROM_USUAL). The attacks come 25 h to 27 h in, a quarter of an
 * hour apart so that a run holding all eight keeps their 10-minute windows
 * apart; runs are 27 h (28 h for Discovery's slow near miss).
 *
 * Hits: Discovery is a burst of six reads the owner never made, within four
 * minutes: the fifth and sixth fire (count 2). Every other tactic fires on
 * its one call. Near misses (like those docs/detectors/cloudtrail-anomaly.md
 * lists for the unit test):
 *   - the owner makes another call of the tactic it never made, from home
 *     with its own client (place and client usual);
 *   - the attacker, from the new place with the new client, makes a call of
 *     the tactic the owner made at the start (the call is not new);
 *   - Discovery: two hours later, still from the new place, four new reads
 *     in three minutes (one short of a burst);
 *   - the other tactics: half an hour into the run, before the owner has a
 *     day of history, the same kind of attack with another new call from
 *     yet another network and client (CM_GEN_SC_NET_ANOMALY_EARLY, the PHP
 *     SDK), so it teaches the later attack neither its place nor its calls.
 * Every call is one the owner never makes in the background: the API table
 * lists them with no weight (gen_ct_tables.c), except the near misses'
 * known calls, which the plan's first step makes.
 */
#include "gen/gen_sc_ct.h"

#define H 3600u

/* When the attack on tactic k (0 Discovery .. 7 PrivilegeEscalation) starts. */
#define AT(k) (25u * H + 900u * (k))

/* The owner of the key from home address d with its own client. */
#define BY_OWNER(d_) .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_USUAL, .d = (d_)

/* The attacker a day in (the plan's client), from CM_GEN_SC_NET_ANOMALY + d. */
#define BY_ATTACKER(d_)                                                                            \
    .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_IP, .ip = CM_GEN_SC_NET_ANOMALY + (d_)

/* The attacker before the owner has a day of history: another network, another client. */
#define BY_EARLY(d_)                                                                               \
    .who = CM_GEN_SC_THIEF, .from = CM_GEN_SC_FROM_IP, .ip = CM_GEN_SC_NET_ANOMALY_EARLY + (d_),   \
    .agent = early_agent, .mark = "aws-sdk-php/"

/*
 * The plan's first two steps: the owner at both its home addresses, the
 * first making call (svc_, api_) with parameters pa known.
 */
#define BASELINE(k, svc_, api_, pa)                                                                \
    {.svc = (svc_), .api = (api_), .at = 60u + 10u * (k), BY_OWNER(0), .params = (pa)},            \
    {                                                                                              \
        .svc = "sts", .api = "GetCallerIdentity", .at = 65u + 10u * (k), BY_OWNER(1)               \
    }

/* What the findings' additionalInfo must say (no ASN database: CM_GEN_SC_NET_ANOMALY's /16). */
#define INFO(tactic)                                                                               \
    "tactic=\"" tactic "\"&unusualBehavior.unusualNetworksUserIdentityProfiling=\"154.61.0.0/16\""

static const char attacker_agent[] =
    "aws-sdk-rust/1.1.7 ua/2.1 os/linux lang/rust/1.76.0 md/http#hyper-0.14";
static const char early_agent[] =
    "aws-sdk-php/3.300.8 ua/2.0 os/linux#6.5.0-21-generic lang/php#8.3.3 md/curl#7.88.1 "
    "GuzzleHttp/7";
#define ATTACKER_MARK "aws-sdk-rust/"

/* ---- parameters ---- */

static const char p_instance[] = "\"requestParameters\":{\"instanceId\":\"{instance}\"},"
                                 "\"responseElements\":null";
static const char p_launch_data[] =
    "\"requestParameters\":{\"GetLaunchTemplateDataRequest\":{\"InstanceId\":\"{instance}\"}},"
    "\"responseElements\":null";
static const char p_delete_flow_logs[] =
    "\"requestParameters\":{\"DeleteFlowLogsRequest\":{\"FlowLogId\":{\"tag\":1,"
    "\"content\":\"{flowlog}\"}}},\"responseElements\":{\"DeleteFlowLogsResponse\":{"
    "\"xmlns\":\"http://ec2.amazonaws.com/doc/2016-11-15/\",\"requestId\":\"{uuid}\","
    "\"unsuccessful\":\"\"}}";
static const char p_delete_alarms[] =
    "\"requestParameters\":{\"alarmNames\":[\"{org}-api-5xx-rate\"]},\"responseElements\":null";
static const char p_stop_recorder[] =
    "\"requestParameters\":{\"configurationRecorderName\":\"default\"},\"responseElements\":null";
static const char p_create_snapshot[] =
    "\"requestParameters\":{\"volumeId\":\"vol-{hex}\",\"description\":\"before patching\"},"
    "\"responseElements\":{\"requestId\":\"{uuid}\",\"status\":\"pending\"}";
static const char p_copy_snapshot[] =
    "\"requestParameters\":{\"sourceRegion\":\"{region}\",\"sourceSnapshotId\":\"snap-{hex}\","
    "\"description\":\"dr copy\"},\"responseElements\":{\"requestId\":\"{uuid}\"}";
static const char p_share_snapshot[] =
    "\"requestParameters\":{\"snapshotId\":\"snap-{hex}\",\"createVolumePermission\":{\"add\":{"
    "\"items\":[{\"userId\":\"" CM_GEN_SC_FOREIGN_ACCOUNT "\"}]}},"
    "\"attributeType\":\"CREATE_VOLUME_PERMISSION\"},"
    "\"responseElements\":{\"requestId\":\"{uuid}\",\"_return\":true}";
static const char p_share_db_snapshot[] =
    "\"requestParameters\":{\"dBSnapshotIdentifier\":\"{org}-orders-nightly\","
    "\"attributeName\":\"restore\",\"valuesToAdd\":[\"" CM_GEN_SC_FOREIGN_ACCOUNT "\"]},"
    "\"responseElements\":{\"dBSnapshotIdentifier\":\"{org}-orders-nightly\"}";
static const char p_delete_snapshot[] = "\"requestParameters\":{\"snapshotId\":\"snap-{hex}\"},"
                                        "\"responseElements\":{\"requestId\":\"{uuid}\","
                                        "\"_return\":true}";
static const char p_delete_group[] = "\"requestParameters\":{\"groupId\":\"sg-{hex}\"},"
                                     "\"responseElements\":{\"requestId\":\"{uuid}\","
                                     "\"_return\":true}";
static const char p_delete_volume[] = "\"requestParameters\":{\"volumeId\":\"vol-{hex}\"},"
                                      "\"responseElements\":{\"requestId\":\"{uuid}\","
                                      "\"_return\":true}";
static const char p_start_session[] =
    "\"requestParameters\":{\"target\":\"{instance}\"},\"responseElements\":{\"sessionId\":"
    "\"{user}-{hex}\",\"tokenValue\":\"Value hidden due to security reasons.\"}";
static const char p_resume_session[] =
    "\"requestParameters\":{\"sessionId\":\"{user}-{hex}\"},\"responseElements\":null";
static const char p_send_command[] =
    "\"requestParameters\":{\"instanceIds\":[\"{instance}\"],\"documentName\":"
    "\"AWS-RunShellScript\",\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"},"
    "\"responseElements\":{\"command\":{\"commandId\":\"{uuid}\",\"documentName\":"
    "\"AWS-RunShellScript\",\"status\":\"Pending\"}}";
static const char p_create_user[] =
    "\"requestParameters\":{\"userName\":\"svc-backup-sync\"},\"responseElements\":{\"user\":{"
    "\"path\":\"/\",\"userName\":\"svc-backup-sync\","
    "\"arn\":\"arn:aws:iam::{acct}:user/svc-backup-sync\"}}";
static const char p_create_key[] =
    "\"requestParameters\":{\"userName\":\"{user}\"},\"responseElements\":{\"accessKey\":{"
    "\"userName\":\"{user}\",\"accessKeyId\":\"AKIA5TQ3M7WZXN2RB4KD\",\"status\":\"Active\"}}";
static const char p_upload_ssh[] =
    "\"requestParameters\":{\"userName\":\"{user}\",\"sSHPublicKeyBody\":\"ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAI{hex} {user}@laptop\"},\"responseElements\":{\"sSHPublicKey\":{"
    "\"userName\":\"{user}\",\"status\":\"Active\"}}";
static const char p_attach_user[] =
    "\"requestParameters\":{\"userName\":\"{user}\","
    "\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"},\"responseElements\":null";
static const char p_attach_role[] =
    "\"requestParameters\":{\"roleName\":\"{org}-reports\","
    "\"policyArn\":\"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess\"},\"responseElements\":null";
static const char p_put_role_policy[] =
    "\"requestParameters\":{\"roleName\":\"{org}-reports\",\"policyName\":\"read-exports\","
    "\"policyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"s3:GetObject\\\","
    "\\\"Resource\\\":\\\"*\\\"}]}\"},\"responseElements\":null";
static const char p_put_user_policy[] =
    "\"requestParameters\":{\"userName\":\"{user}\",\"policyName\":\"backup-sync\","
    "\"policyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{"
    "\\\"Effect\\\":\\\"Allow\\\",\\\"Action\\\":\\\"*\\\",\\\"Resource\\\":\\\"*\\\"}]}\"},"
    "\"responseElements\":null";

/* ---- Discovery ---- */

static const struct cm_gen_sc_plan discovery = {
    .hours = 28,
    .severity = 2,
    .agent = attacker_agent,
    .info = INFO("Discovery"),
    .steps = {
        BASELINE(0, "ec2", "DescribeInstances", NULL),
        /* the burst: six new reads in 200 s; the fifth and sixth fire */
        {.svc = "iam", .api = "GetAccountAuthorizationDetails", .at = AT(0), BY_ATTACKER(10)},
        {.svc = "iam", .api = "ListUserPolicies", .at = AT(0) + 40, BY_ATTACKER(10)},
        {.svc = "ec2",
         .api = "DescribeInstances",
         .at = AT(0) + 60,
         BY_ATTACKER(10),
         .mark = ATTACKER_MARK},
        {.svc = "iam", .api = "ListGroupsForUser", .at = AT(0) + 80, BY_ATTACKER(10)},
        {.svc = "ec2", .api = "DescribeSecurityGroupRules", .at = AT(0) + 100, BY_OWNER(0)},
        {.svc = "iam", .api = "ListSAMLProviders", .at = AT(0) + 120, BY_ATTACKER(10)},
        {.svc = "iam",
         .api = "ListVirtualMFADevices",
         .at = AT(0) + 160,
         BY_ATTACKER(10),
         .hit = 1},
        {.svc = "ec2", .api = "DescribeFlowLogs", .at = AT(0) + 200, BY_ATTACKER(10), .hit = 1},
        /* two hours on, still a new place: four new reads are one short of a burst */
        {.svc = "iam", .api = "ListSSHPublicKeys", .at = AT(0) + 2 * H, BY_ATTACKER(10)},
        {.svc = "iam", .api = "ListServerCertificates", .at = AT(0) + 2 * H + 60, BY_ATTACKER(10)},
        {.svc = "ec2",
         .api = "DescribeSnapshotAttribute",
         .at = AT(0) + 2 * H + 120,
         BY_ATTACKER(10)},
        {.svc = "ec2",
         .api = "DescribeInstanceAttribute",
         .at = AT(0) + 2 * H + 180,
         BY_ATTACKER(10)}}};

/* ---- one call fires: the other tactics ---- */

/* Half an hour in, before the owner has a day of history: the attacker elsewhere. */
#define EARLY(k, svc_, api_, pa)                                                                   \
    {                                                                                              \
        .svc = (svc_), .api = (api_), .at = 1800u + 60u * (k), BY_EARLY(20u + (k)), .params = (pa) \
    }

/* At AT(k): the attacker makes the call the owner made at the start (not new). */
#define KNOWN(k, svc_, api_, pa)                                                                   \
    {                                                                                              \
        .svc = (svc_), .api = (api_), .at = AT(k), BY_ATTACKER(10u + (k)), .params = (pa),         \
        .mark = ATTACKER_MARK                                                                      \
    }

/* ... then the call of the tactic the owner never made: it fires. */
#define HIT(k, svc_, api_, pa)                                                                     \
    {                                                                                              \
        .svc = (svc_), .api = (api_), .at = AT(k) + 30, BY_ATTACKER(10u + (k)), .hit = 1,          \
        .params = (pa)                                                                             \
    }

/* ... then the owner, from home with its own client, makes another it never made. */
#define OWN(k, svc_, api_, pa)                                                                     \
    {                                                                                              \
        .svc = (svc_), .api = (api_), .at = AT(k) + 60, BY_OWNER(0), .params = (pa)                \
    }

#define PLAN(sev, tactic)                                                                          \
    .hours = 27, .severity = (sev), .agent = attacker_agent, .info = INFO(tactic)

static const struct cm_gen_sc_plan credential_access = {
    PLAN(5, "CredentialAccess"), .steps = {BASELINE(1, "secretsmanager", "GetSecretValue", NULL),
                                           EARLY(1, "ec2", "GetLaunchTemplateData", p_launch_data),
                                           KNOWN(1, "secretsmanager", "GetSecretValue", NULL),
                                           HIT(1, "ec2", "GetPasswordData", p_instance),
                                           OWN(1, "ec2", "GetConsoleOutput", p_instance)}};
static const struct cm_gen_sc_plan defense_evasion = {
    PLAN(5, "DefenseEvasion"),
    .steps = {BASELINE(2, "logs", "PutRetentionPolicy", NULL),
              EARLY(2, "config", "StopConfigurationRecorder", p_stop_recorder),
              KNOWN(2, "logs", "PutRetentionPolicy", NULL),
              HIT(2, "ec2", "DeleteFlowLogs", p_delete_flow_logs),
              OWN(2, "monitoring", "DeleteAlarms", p_delete_alarms)}};
static const struct cm_gen_sc_plan exfiltration = {
    PLAN(8, "Exfiltration"),
    .steps = {BASELINE(3, "ec2", "CreateSnapshot", p_create_snapshot),
              EARLY(3, "rds", "ModifyDBSnapshotAttribute", p_share_db_snapshot),
              KNOWN(3, "ec2", "CreateSnapshot", p_create_snapshot),
              HIT(3, "ec2", "ModifySnapshotAttribute", p_share_snapshot),
              OWN(3, "ec2", "CopySnapshot", p_copy_snapshot)}};
static const struct cm_gen_sc_plan impact = {
    PLAN(8, "Impact"), .steps = {BASELINE(4, "ec2", "StopInstances", NULL),
                                 EARLY(4, "ec2", "DeleteSnapshot", p_delete_snapshot),
                                 KNOWN(4, "ec2", "StopInstances", NULL),
                                 HIT(4, "ec2", "DeleteSecurityGroup", p_delete_group),
                                 OWN(4, "ec2", "DeleteVolume", p_delete_volume)}};
static const struct cm_gen_sc_plan initial_access = {
    PLAN(5, "InitialAccess"), .steps = {BASELINE(5, "sts", "GetSessionToken", NULL),
                                        EARLY(5, "ssm", "ResumeSession", p_resume_session),
                                        KNOWN(5, "sts", "GetSessionToken", NULL),
                                        HIT(5, "ssm", "StartSession", p_start_session),
                                        OWN(5, "ssm", "SendCommand", p_send_command)}};
static const struct cm_gen_sc_plan persistence = {
    PLAN(5, "Persistence"), .steps = {BASELINE(6, "ec2", "AuthorizeSecurityGroupIngress", NULL),
                                      EARLY(6, "iam", "CreateUser", p_create_user),
                                      KNOWN(6, "ec2", "AuthorizeSecurityGroupIngress", NULL),
                                      HIT(6, "iam", "CreateAccessKey", p_create_key),
                                      OWN(6, "iam", "UploadSSHPublicKey", p_upload_ssh)}};
static const struct cm_gen_sc_plan privilege_escalation = {
    PLAN(5, "PrivilegeEscalation"),
    .steps = {BASELINE(7, "iam", "PutRolePolicy", p_put_role_policy),
              EARLY(7, "iam", "PutUserPolicy", p_put_user_policy),
              KNOWN(7, "iam", "PutRolePolicy", p_put_role_policy),
              HIT(7, "iam", "AttachUserPolicy", p_attach_user),
              OWN(7, "iam", "AttachRolePolicy", p_attach_role)}};

CM_GEN_SC_CT(cm_gen_sc_api_anomaly_discovery, "api-anomaly-discovery",
             "Discovery:IAMUser/AnomalousBehavior", discovery);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_credential_access, "api-anomaly-credential-access",
             "CredentialAccess:IAMUser/AnomalousBehavior", credential_access);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_defense_evasion, "api-anomaly-defense-evasion",
             "DefenseEvasion:IAMUser/AnomalousBehavior", defense_evasion);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_exfiltration, "api-anomaly-exfiltration",
             "Exfiltration:IAMUser/AnomalousBehavior", exfiltration);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_impact, "api-anomaly-impact", "Impact:IAMUser/AnomalousBehavior",
             impact);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_initial_access, "api-anomaly-initial-access",
             "InitialAccess:IAMUser/AnomalousBehavior", initial_access);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_persistence, "api-anomaly-persistence",
             "Persistence:IAMUser/AnomalousBehavior", persistence);
CM_GEN_SC_CT(cm_gen_sc_api_anomaly_privilege_escalation, "api-anomaly-privilege-escalation",
             "PrivilegeEscalation:IAMUser/AnomalousBehavior", privilege_escalation);
