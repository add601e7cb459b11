/*
 * CloudTrail scenarios (gen_sc_ct.h) for GuardDuty's Custom Detection Rules
 * (lib/detect/ct_custom*.c, docs/detectors/custom-rules.md): someone who took
 * over a session of the account's admin role, calling from outside, reads an
 * instance's Windows password, resets a
 * database's master password, locks an instance against termination, deletes
 * the VPC's flow logs, tries to take the account out of its organization and
 * turns off its service control policies. Each plan holds the near misses the
 * docs name for its rule: a denied call, a call that returns no password, a
 * modification that leaves the password alone, protection turned off, a
 * CloudFormation stack deleting its own flow logs, a policy type that guards
 * nothing, an account moved to another organizational unit (it stays in the
 * organization). The plans run one after another late in the first hour (after the
 * configuration plans of gen_sc_ct_config.c), each from its own addresses.
 * The caller is the admin session, not the stolen IAM user key of the other
 * plans: that key's findings feed its attack sequences, whose signal lists
 * (a bounded number of types) these findings would otherwise crowd.
 */
#include "gen/gen_sc_ct.h"

#define ADMIN   CM_GEN_SC_ADMIN
#define OUTSIDE CM_GEN_SC_FROM_OUTSIDE
#define HOME    CM_GEN_SC_FROM_HOME
#define SERVICE CM_GEN_SC_FROM_SERVICE

/* Parameter templates (gen_sc_ct.h's tokens), written the way CloudTrail logs each call. */
/* clang-format off */
#define NO_RESPONSE "},\"responseElements\":null"
#define EC2_RESPONSE "},\"responseElements\":{\"requestId\":\"{uuid}\",\"_return\":true}"

/*
 * EC2 GetPasswordData: CloudTrail logs a retrieval with responseElements null
 * (p_instance); a response logged anyway shows the password masked, and one
 * with a blank password is an instance whose password is not ready yet.
 */
#define PASSWORD(data)                                                                             \
    "\"requestParameters\":{\"instanceId\":\"{instance}\"},"                                      \
    "\"responseElements\":{\"requestId\":\"{uuid}\",\"instanceId\":\"{instance}\","               \
    "\"timestamp\":\"Nov 9, 2026 1:00:00 AM\",\"passwordData\":\"" data "\"}"
static const char p_password[] = PASSWORD("HIDDEN_DUE_TO_SECURITY_REASONS");
static const char p_password_empty[] = PASSWORD("");
static const char p_instance[] = "\"requestParameters\":{\"instanceId\":\"{instance}\"" NO_RESPONSE;

/* RDS ModifyDBInstance / ModifyDBCluster */
#define DB_RESPONSE(kind, id)                                                                      \
    "},\"responseElements\":{\"" kind "Identifier\":\"" id "\",\"engine\":\"postgres\","           \
    "\"masterUsername\":\"postgres\",\"status\":\"available\"}"
static const char p_db_storage[] =
    "\"requestParameters\":{\"dBInstanceIdentifier\":\"{org}-orders\",\"allocatedStorage\":200,"
    "\"applyImmediately\":false" DB_RESPONSE("dBInstance", "{org}-orders");
static const char p_db_password[] =
    "\"requestParameters\":{\"dBInstanceIdentifier\":\"{org}-orders\","
    "\"masterUserPassword\":\"*****\",\"applyImmediately\":true"
    DB_RESPONSE("dBInstance", "{org}-orders");
static const char p_cluster_password[] =
    "\"requestParameters\":{\"dBClusterIdentifier\":\"{org}-analytics\","
    "\"masterUserPassword\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"applyImmediately\":true"
    NO_RESPONSE;
static const char p_cluster_managed[] =
    "\"requestParameters\":{\"dBClusterIdentifier\":\"{org}-analytics\","
    "\"manageMasterUserPassword\":true,\"applyImmediately\":true"
    DB_RESPONSE("dBCluster", "{org}-analytics");

/* EC2 ModifyInstanceAttribute */
#define ATTRIBUTE(name, value)                                                                     \
    "\"requestParameters\":{\"instanceId\":\"{instance}\",\"" name "\":{\"value\":" value "}"     \
    EC2_RESPONSE
static const char p_protect_off[] = ATTRIBUTE("disableApiTermination", "false");
static const char p_protect_on[] = ATTRIBUTE("disableApiTermination", "true");
static const char p_instance_type[] = ATTRIBUTE("instanceType", "\"m5.2xlarge\"");

/* EC2 DeleteFlowLogs, as EC2 logs its XML request */
static const char p_delete_flow_logs[] =
    "\"requestParameters\":{\"DeleteFlowLogsRequest\":{\"FlowLogId\":{\"tag\":1,"
    "\"content\":\"{flowlog}\"}}},\"responseElements\":{\"DeleteFlowLogsResponse\":{"
    "\"xmlns\":\"http://ec2.amazonaws.com/doc/2016-11-15/\",\"requestId\":\"{uuid}\","
    "\"unsuccessful\":\"\"}}";
static const char p_delete_flow_logs_stack[] =
    "\"requestParameters\":{\"DeleteFlowLogsRequest\":{\"FlowLogId\":{\"tag\":1,"
    "\"content\":\"fl-0c1f0a55b7e2d9400\"}}},\"responseElements\":{\"DeleteFlowLogsResponse\":{"
    "\"xmlns\":\"http://ec2.amazonaws.com/doc/2016-11-15/\",\"requestId\":\"{uuid}\","
    "\"unsuccessful\":\"\"}}";

/* Organizations */
static const char p_null[] = "\"requestParameters\":null,\"responseElements\":null";
static const char p_move_account[] =
    "\"requestParameters\":{\"accountId\":\"{acct}\",\"sourceParentId\":\"r-7k2q\","
    "\"destinationParentId\":\"ou-7k2q-quarantine\"" NO_RESPONSE;
#define POLICY_TYPE(type)                                                                          \
    "\"requestParameters\":{\"rootId\":\"r-7k2q\",\"policyType\":\"" type "\"" NO_RESPONSE
static const char p_disable_scp[] = POLICY_TYPE("SERVICE_CONTROL_POLICY");
static const char p_disable_tags[] = POLICY_TYPE("TAG_POLICY");
/* clang-format on */

/* ---- EC2PasswordDataRetrieved ---- */

static const struct cm_gen_sc_plan password_data = {
    .severity = 5,
    .info = "tactic=\"CredentialAccess\"&technique=\"UnsecuredCredentials\"&mode=\"LIVE\"",
    .steps = {{.svc = "ec2",
               .api = "GetPasswordData",
               .at = 3100,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 90,
               .error = "Client.UnauthorizedOperation",
               .params = p_instance},
              {.svc = "ec2",
               .api = "GetPasswordData",
               .at = 3110,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 90,
               .params = p_password_empty,
               .mark = "\"passwordData\":\"\""},
              {.svc = "ec2",
               .api = "GetPasswordData",
               .at = 3120,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 90,
               .hit = 1,
               .params = p_instance},
              {.svc = "ec2",
               .api = "GetPasswordData",
               .at = 3130,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 90,
               .hit = 1,
               .params = p_password}}};
CM_GEN_SC_CT(cm_gen_sc_ec2_password_data, "ec2-password-data-retrieved",
             "CredentialAccess:EC2/UnsecuredCredentials", password_data);

/* ---- RDSMasterPasswordReset ---- */

static const struct cm_gen_sc_plan rds_master_password = {
    .severity = 8,
    .info = "tactic=\"CredentialAccess\"&service=\"RDS\"&technique=\"ModifyAuthenticationProcess\"",
    .steps = {{.svc = "rds",
               .api = "ModifyDBInstance",
               .at = 3160,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 91,
               .params = p_db_storage,
               .mark = "\"allocatedStorage\":200"},
              {.svc = "rds",
               .api = "ModifyDBCluster",
               .at = 3170,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 91,
               .error = "AccessDenied",
               .params = p_cluster_password},
              {.svc = "rds",
               .api = "ModifyDBInstance",
               .at = 3180,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 91,
               .hit = 1,
               .params = p_db_password},
              {.svc = "rds",
               .api = "ModifyDBCluster",
               .at = 3190,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 91,
               .hit = 1,
               .params = p_cluster_managed}}};
CM_GEN_SC_CT(cm_gen_sc_rds_master_password, "rds-master-password-reset",
             "CredentialAccess:RDS/ModifyAuthenticationProcess", rds_master_password);

/* ---- EC2TerminationProtectionEnabled ---- */

static const struct cm_gen_sc_plan termination_protection = {
    .severity = 2,
    .info = "tactic=\"DefenseImpairment\"&technique=\"DisableOrModifyTools\"",
    .steps = {{.svc = "ec2",
               .api = "ModifyInstanceAttribute",
               .at = 3220,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 92,
               .params = p_protect_off,
               .mark = "\"disableApiTermination\":{\"value\":false}"},
              {.svc = "ec2",
               .api = "ModifyInstanceAttribute",
               .at = 3230,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 92,
               .params = p_instance_type,
               .mark = "\"instanceType\":{\"value\":\"m5.2xlarge\"}"},
              {.svc = "ec2",
               .api = "ModifyInstanceAttribute",
               .at = 3240,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 92,
               .hit = 1,
               .params = p_protect_on}}};
CM_GEN_SC_CT(cm_gen_sc_ec2_termination_protection, "ec2-termination-protection",
             "DefenseImpairment:EC2/DisableOrModifyTools", termination_protection);

/* ---- VPCFlowLogsDeleted ---- */

static const struct cm_gen_sc_plan flow_logs_deleted = {
    .severity = 8,
    .info = "tactic=\"DefenseImpairment\"&service=\"EC2\"&technique=\"DisableOrModifyTools\"",
    .steps = {{.svc = "ec2",
               .api = "DeleteFlowLogs",
               .at = 3280,
               .who = ADMIN,
               .from = SERVICE,
               .via = "cloudformation.amazonaws.com",
               .params = p_delete_flow_logs_stack,
               .mark = "fl-0c1f0a55b7e2d9400"},
              {.svc = "ec2",
               .api = "DeleteFlowLogs",
               .at = 3290,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 93,
               .error = "Client.UnauthorizedOperation",
               .params = p_delete_flow_logs},
              {.svc = "ec2",
               .api = "DeleteFlowLogs",
               .at = 3300,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 93,
               .hit = 1,
               .params = p_delete_flow_logs}}};
CM_GEN_SC_CT(cm_gen_sc_vpc_flow_logs_deleted, "vpc-flow-logs-deleted",
             "DefenseImpairment:EC2/DisableOrModifyTools", flow_logs_deleted);

/* ---- OrganizationLeaveAttempt: the denied attempt counts, then the one that works ---- */

static const struct cm_gen_sc_plan organization_leave = {
    .severity = 8,
    .info = "tactic=\"DefenseImpairment\"&technique=\"ModifyCloudResourceHierarchy\"",
    .steps = {{.svc = "organizations",
               .api = "DescribeOrganization",
               .at = 3340,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 94},
              {.svc = "organizations",
               .api = "LeaveOrganization",
               .at = 3350,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 94,
               .hit = 1,
               .error = "AccessDeniedException",
               .params = p_null},
              {.svc = "organizations",
               .api = "LeaveOrganization",
               .at = 3370,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 94,
               .hit = 1,
               .params = p_null},
              {.svc = "organizations",
               .api = "MoveAccount",
               .at = 3390,
               .who = ADMIN,
               .from = HOME,
               .params = p_move_account,
               .mark = "ou-7k2q-quarantine"}}};
CM_GEN_SC_CT(cm_gen_sc_organization_leave, "organization-leave-attempt",
             "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", organization_leave);

/* ---- OrganizationPolicyDisabled ---- */

static const struct cm_gen_sc_plan organization_policy = {
    .severity = 8,
    .info = "tactic=\"DefenseImpairment\"&policyType=\"SERVICE_CONTROL_POLICY\"",
    .steps = {{.svc = "organizations",
               .api = "DisablePolicyType",
               .at = 3410,
               .who = ADMIN,
               .from = HOME,
               .params = p_disable_tags,
               .mark = "\"policyType\":\"TAG_POLICY\""},
              {.svc = "organizations",
               .api = "DisablePolicyType",
               .at = 3420,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 95,
               .error = "AccessDeniedException",
               .params = p_disable_scp},
              {.svc = "organizations",
               .api = "DisablePolicyType",
               .at = 3440,
               .who = ADMIN,
               .from = OUTSIDE,
               .d = 95,
               .hit = 1,
               .params = p_disable_scp}}};
CM_GEN_SC_CT(cm_gen_sc_organization_policy, "organization-policy-disabled",
             "DefenseImpairment:Organizations/DisableOrModifyTools", organization_policy);
