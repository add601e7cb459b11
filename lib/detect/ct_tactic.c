/*
 * The one table of the API anomaly model (ct_anomaly.c): which tactic of
 * MITRE ATT&CK's cloud matrix a CloudTrail management call serves, and so
 * which IAMUser/AnomalousBehavior finding type it gives (spec §8.1).
 *
 * GuardDuty documents examples only; the rows below are those examples and
 * the calls ATT&CK's IaaS and Identity Provider techniques name, by
 * service. Where a call serves two tactics it takes the one an attacker
 * would make it for: CreateAccessKey keeps access (Persistence), AttachUserPolicy
 * raises it (PrivilegeEscalation), ModifySnapshotAttribute shares a disk out
 * (Exfiltration). A call no row names is Discovery when it only reads
 * (cm_api_classify: Describe/List/Get/Search/Lookup... but not the calls
 * that fetch secrets), else it has no tactic and never makes an anomaly
 * finding (it is still learned).
 */
#include "detect/ct.h"

#include <string.h>

#include "detect/intel.h"

struct api_row {
    const char *svc; /* eventSource before ".amazonaws.com"; "*" any */
    const char *api;
    enum cm_ct_tactic tactic;
};

#define CRED  CM_TACTIC_CREDENTIAL_ACCESS
#define EVADE CM_TACTIC_DEFENSE_EVASION
#define EXFIL CM_TACTIC_EXFILTRATION
#define IMPCT CM_TACTIC_IMPACT
#define INIT  CM_TACTIC_INITIAL_ACCESS
#define PERS  CM_TACTIC_PERSISTENCE
#define PRIV  CM_TACTIC_PRIVILEGE_ESCALATION

static const struct api_row rows[] = {
    /* CredentialAccess: calls that hand out secrets or passwords. */
    {"ec2", "GetPasswordData", CRED},
    {"secretsmanager", "GetSecretValue", CRED},
    {"secretsmanager", "BatchGetSecretValue", CRED},
    {"rds", "GenerateDbAuthToken", CRED},
    {"rds-db", "connect", CRED},
    {"ssm", "GetParameter", CRED},
    {"ssm", "GetParameters", CRED},
    {"ssm", "GetParametersByPath", CRED},
    {"ec2", "GetConsoleOutput", CRED},
    {"ec2", "GetLaunchTemplateData", CRED},
    {"lambda", "GetFunction", CRED},
    {"lambda", "GetFunction20150331v2", CRED},
    {"iam", "GetCredentialReport", CRED},
    {"sso", "GetRoleCredentials", CRED},
    {"cognito-identity", "GetCredentialsForIdentity", CRED},
    {"codecommit", "GitPull", CRED},

    /* DefenseEvasion: logging, monitoring and guards turned off or removed. */
    {"cloudtrail", "StopLogging", EVADE},
    {"cloudtrail", "DeleteTrail", EVADE},
    {"cloudtrail", "UpdateTrail", EVADE},
    {"cloudtrail", "PutEventSelectors", EVADE},
    {"cloudtrail", "DeleteEventDataStore", EVADE},
    {"ec2", "DeleteFlowLogs", EVADE},
    {"monitoring", "DisableAlarmActions", EVADE},
    {"monitoring", "DeleteAlarms", EVADE},
    {"logs", "DeleteLogGroup", EVADE},
    {"logs", "DeleteLogStream", EVADE},
    {"logs", "PutRetentionPolicy", EVADE},
    {"logs", "DeleteSubscriptionFilter", EVADE},
    {"guardduty", "DeleteDetector", EVADE},
    {"guardduty", "UpdateDetector", EVADE},
    {"guardduty", "DisassociateFromMasterAccount", EVADE},
    {"guardduty", "DisassociateFromAdministratorAccount", EVADE},
    {"guardduty", "DeleteMembers", EVADE},
    {"guardduty", "StopMonitoringMembers", EVADE},
    {"guardduty", "CreateIPSet", EVADE},
    {"guardduty", "UpdateIPSet", EVADE},
    {"guardduty", "CreateFilter", EVADE},
    {"guardduty", "UpdateFilter", EVADE},
    {"securityhub", "DisableSecurityHub", EVADE},
    {"securityhub", "BatchDisableStandards", EVADE},
    {"config", "StopConfigurationRecorder", EVADE},
    {"config", "DeleteConfigurationRecorder", EVADE},
    {"config", "DeleteDeliveryChannel", EVADE},
    {"config", "DeleteConfigRule", EVADE},
    {"access-analyzer", "DeleteAnalyzer", EVADE},
    {"macie2", "DisableMacie", EVADE},
    {"inspector2", "Disable", EVADE},
    {"wafv2", "DeleteWebACL", EVADE},
    {"waf", "DeleteWebACL", EVADE},
    {"s3", "PutBucketLogging", EVADE},
    {"ec2", "DisableEbsEncryptionByDefault", EVADE},
    {"kms", "DisableKeyRotation", EVADE},
    {"bedrock", "DeleteModelInvocationLoggingConfiguration", EVADE},
    {"route53resolver", "DeleteResolverQueryLogConfig", EVADE},
    {"route53resolver", "DisassociateResolverQueryLogConfig", EVADE},
    {"organizations", "LeaveOrganization", EVADE},

    /* Exfiltration: copies of data made, shared or sent elsewhere. */
    {"s3", "PutBucketReplication", EXFIL},
    {"ec2", "CreateSnapshot", EXFIL},
    {"ec2", "CreateSnapshots", EXFIL},
    {"ec2", "CopySnapshot", EXFIL},
    {"ec2", "ModifySnapshotAttribute", EXFIL},
    {"ec2", "ModifyImageAttribute", EXFIL},
    {"ec2", "CreateImage", EXFIL},
    {"ec2", "ExportImage", EXFIL},
    {"ec2", "CreateInstanceExportTask", EXFIL},
    {"ec2", "SharedSnapshotCopyInitiated", EXFIL},
    {"rds", "CreateDBSnapshot", EXFIL},
    {"rds", "CopyDBSnapshot", EXFIL},
    {"rds", "ModifyDBSnapshotAttribute", EXFIL},
    {"rds", "CreateDBClusterSnapshot", EXFIL},
    {"rds", "CopyDBClusterSnapshot", EXFIL},
    {"rds", "ModifyDBClusterSnapshotAttribute", EXFIL},
    {"rds", "RestoreDBInstanceFromDBSnapshot", EXFIL},
    {"rds", "RestoreDBClusterFromSnapshot", EXFIL},
    {"rds", "StartExportTask", EXFIL},
    {"logs", "CreateExportTask", EXFIL},
    {"dynamodb", "ExportTableToPointInTime", EXFIL},
    {"redshift", "ModifySnapshotCopyRetentionPeriod", EXFIL},
    {"backup", "StartCopyJob", EXFIL},
    {"ssm", "ModifyDocumentPermission", EXFIL},
    {"ecr", "SetRepositoryPolicy", EXFIL},

    /* Impact: data, resources or guards destroyed, changed or hijacked. */
    {"ec2", "DeleteSecurityGroup", IMPCT},
    {"ec2", "RevokeSecurityGroupIngress", IMPCT},
    {"ec2", "TerminateInstances", IMPCT},
    {"ec2", "StopInstances", IMPCT},
    {"ec2", "DeleteVolume", IMPCT},
    {"ec2", "DeleteSnapshot", IMPCT},
    {"ec2", "DeleteVpc", IMPCT},
    {"ec2", "RunInstances", IMPCT},
    {"ec2", "RequestSpotInstances", IMPCT},
    {"ec2", "RequestSpotFleet", IMPCT},
    {"ec2", "CreateFleet", IMPCT},
    {"ec2", "ModifyInstanceMetadataOptions", IMPCT},
    {"iam", "UpdateUser", IMPCT},
    {"iam", "DeleteUser", IMPCT},
    {"iam", "DeleteRole", IMPCT},
    {"iam", "DeleteLoginProfile", IMPCT},
    {"iam", "DeactivateMFADevice", IMPCT},
    {"iam", "DeleteVirtualMFADevice", IMPCT},
    {"iam", "UpdateAccountPasswordPolicy", IMPCT},
    {"iam", "DeleteAccountPasswordPolicy", IMPCT},
    {"s3", "PutBucketPolicy", IMPCT},
    {"s3", "DeleteBucketPolicy", IMPCT},
    {"s3", "PutBucketAcl", IMPCT},
    {"s3", "DeleteBucket", IMPCT},
    {"s3", "PutBucketVersioning", IMPCT},
    {"s3", "PutBucketLifecycle", IMPCT},
    {"s3", "PutBucketEncryption", IMPCT},
    {"s3", "DeleteBucketEncryption", IMPCT},
    {"s3", "PutBucketPublicAccessBlock", IMPCT},
    {"s3", "DeleteBucketPublicAccessBlock", IMPCT},
    {"s3", "PutAccountPublicAccessBlock", IMPCT},
    {"s3", "DeleteAccountPublicAccessBlock", IMPCT},
    {"kms", "ScheduleKeyDeletion", IMPCT},
    {"kms", "DisableKey", IMPCT},
    {"kms", "PutKeyPolicy", IMPCT},
    {"rds", "DeleteDBInstance", IMPCT},
    {"rds", "DeleteDBCluster", IMPCT},
    {"rds", "ModifyDBInstance", IMPCT},
    {"dynamodb", "DeleteTable", IMPCT},
    {"lambda", "DeleteFunction20150331", IMPCT},
    {"backup", "DeleteBackupVault", IMPCT},
    {"backup", "DeleteRecoveryPoint", IMPCT},
    {"route53", "ChangeResourceRecordSets", IMPCT},
    {"route53", "DeleteHostedZone", IMPCT},
    {"secretsmanager", "DeleteSecret", IMPCT},
    {"secretsmanager", "PutSecretValue", IMPCT},
    {"organizations", "DeleteOrganization", IMPCT},

    /* InitialAccess: calls that open a session or hand out a way in. */
    {"ssm", "StartSession", INIT},
    {"ssm", "ResumeSession", INIT},
    {"ecr", "GetAuthorizationToken", INIT},
    {"ecr-public", "GetAuthorizationToken", INIT},
    {"codeartifact", "GetAuthorizationToken", INIT},
    {"sts", "GetFederationToken", INIT},
    {"sts", "GetSessionToken", INIT},
    {"signin", "GetSigninToken", INIT},
    {"ec2-instance-connect", "SendSSHPublicKey", INIT},
    {"ec2-instance-connect", "SendSerialConsoleSSHPublicKey", INIT},
    {"eks", "CreateAccessEntry", INIT},
    {"ssm", "SendCommand", INIT},

    /* Persistence: new credentials, keys, users and ways back in. */
    {"iam", "CreateAccessKey", PERS},
    {"iam", "CreateUser", PERS},
    {"iam", "CreateLoginProfile", PERS},
    {"iam", "UpdateLoginProfile", PERS},
    {"iam", "UpdateAccessKey", PERS},
    {"iam", "UploadSSHPublicKey", PERS},
    {"iam", "UploadSigningCertificate", PERS},
    {"iam", "CreateServiceSpecificCredential", PERS},
    {"iam", "CreateVirtualMFADevice", PERS},
    {"iam", "EnableMFADevice", PERS},
    {"iam", "UpdateAssumeRolePolicy", PERS},
    {"iam", "CreateRole", PERS},
    {"iam", "CreateSAMLProvider", PERS},
    {"iam", "UpdateSAMLProvider", PERS},
    {"iam", "CreateOpenIDConnectProvider", PERS},
    {"ec2", "ImportKeyPair", PERS},
    {"ec2", "CreateKeyPair", PERS},
    {"ec2", "ModifyInstanceAttribute", PERS},
    {"ec2", "AuthorizeSecurityGroupIngress", PERS},
    {"ec2", "CreateVpcPeeringConnection", PERS},
    {"lambda", "CreateFunction20150331", PERS},
    {"lambda", "UpdateFunctionCode20150331v2", PERS},
    {"lambda", "AddPermission20150331v2", PERS},
    {"lambda", "AddLayerVersionPermission20181031", PERS},
    {"lambda", "PublishLayerVersion20181031", PERS},
    {"events", "PutRule", PERS},
    {"events", "PutTargets", PERS},
    {"sso", "CreatePermissionSet", PERS},
    {"sso-directory", "CreateUser", PERS},
    {"cognito-idp", "AdminCreateUser", PERS},
    {"ses", "CreateSmtpCredentials", PERS},
    {"transfer", "CreateUser", PERS},

    /* PrivilegeEscalation: more permissions for a principal the caller controls. */
    {"ec2", "AssociateIamInstanceProfile", PRIV},
    {"ec2", "ReplaceIamInstanceProfileAssociation", PRIV},
    {"iam", "AddUserToGroup", PRIV},
    {"iam", "PutUserPolicy", PRIV},
    {"iam", "PutRolePolicy", PRIV},
    {"iam", "PutGroupPolicy", PRIV},
    {"iam", "AttachUserPolicy", PRIV},
    {"iam", "AttachRolePolicy", PRIV},
    {"iam", "AttachGroupPolicy", PRIV},
    {"iam", "CreatePolicyVersion", PRIV},
    {"iam", "SetDefaultPolicyVersion", PRIV},
    {"iam", "AddRoleToInstanceProfile", PRIV},
    {"iam", "PutUserPermissionsBoundary", PRIV},
    {"iam", "PutRolePermissionsBoundary", PRIV},
    {"iam", "DeleteUserPermissionsBoundary", PRIV},
    {"iam", "DeleteRolePermissionsBoundary", PRIV},
    {"iam", "DeleteUserPolicy", PRIV},
    {"iam", "DeleteRolePolicy", PRIV},
    {"iam", "DetachUserPolicy", PRIV},
    {"iam", "DetachRolePolicy", PRIV},
    {"lambda", "UpdateFunctionConfiguration20150331v2", PRIV},
    {"glue", "UpdateDevEndpoint", PRIV},
    {"glue", "CreateDevEndpoint", PRIV},
    {"cloudformation", "CreateStack", PRIV},
    {"datapipeline", "CreatePipeline", PRIV},
    {"sso", "AttachManagedPolicyToPermissionSet", PRIV},
    {"sso", "PutInlinePolicyToPermissionSet", PRIV},
    {"sso", "CreateAccountAssignment", PRIV},
};

static const char *const type_names[CM_TACTIC_COUNT] = {
    [CM_TACTIC_NONE] = NULL,
    [CM_TACTIC_DISCOVERY] = "Discovery:IAMUser/AnomalousBehavior",
    [CM_TACTIC_CREDENTIAL_ACCESS] = "CredentialAccess:IAMUser/AnomalousBehavior",
    [CM_TACTIC_DEFENSE_EVASION] = "DefenseEvasion:IAMUser/AnomalousBehavior",
    [CM_TACTIC_EXFILTRATION] = "Exfiltration:IAMUser/AnomalousBehavior",
    [CM_TACTIC_IMPACT] = "Impact:IAMUser/AnomalousBehavior",
    [CM_TACTIC_INITIAL_ACCESS] = "InitialAccess:IAMUser/AnomalousBehavior",
    [CM_TACTIC_PERSISTENCE] = "Persistence:IAMUser/AnomalousBehavior",
    [CM_TACTIC_PRIVILEGE_ESCALATION] = "PrivilegeEscalation:IAMUser/AnomalousBehavior",
};

static const char *const tactic_names[CM_TACTIC_COUNT] = {
    [CM_TACTIC_NONE] = "None",
    [CM_TACTIC_DISCOVERY] = "Discovery",
    [CM_TACTIC_CREDENTIAL_ACCESS] = "CredentialAccess",
    [CM_TACTIC_DEFENSE_EVASION] = "DefenseEvasion",
    [CM_TACTIC_EXFILTRATION] = "Exfiltration",
    [CM_TACTIC_IMPACT] = "Impact",
    [CM_TACTIC_INITIAL_ACCESS] = "InitialAccess",
    [CM_TACTIC_PERSISTENCE] = "Persistence",
    [CM_TACTIC_PRIVILEGE_ESCALATION] = "PrivilegeEscalation",
    [CM_TACTIC_PENTEST] = "PenTest",
};

struct cm_str cm_ct_service(struct cm_str event_source)
{
    static const char tail[] = ".amazonaws.com";
    size_t n = sizeof(tail) - 1;

    if (event_source.p != NULL && event_source.len > n &&
        memcmp(event_source.p + event_source.len - n, tail, n) == 0) {
        return cm_str_make(event_source.p, event_source.len - n);
    }
    return event_source.p != NULL ? event_source : cm_str_make("", 0);
}

enum cm_ct_tactic cm_ct_tactic(struct cm_str event_source, struct cm_str event_name)
{
    struct cm_str svc = cm_ct_service(event_source);

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (cm_str_eqc(event_name, rows[i].api) &&
            (rows[i].svc[0] == '*' || cm_str_eqc(svc, rows[i].svc))) {
            return rows[i].tactic;
        }
    }
    if (event_name.p != NULL && cm_api_classify(event_name) == CM_API_RECON) {
        return CM_TACTIC_DISCOVERY;
    }
    return CM_TACTIC_NONE;
}

const char *cm_ct_tactic_type(enum cm_ct_tactic t)
{
    return (unsigned)t < CM_TACTIC_COUNT ? type_names[t] : NULL;
}

const char *cm_ct_tactic_name(enum cm_ct_tactic t)
{
    return (unsigned)t < CM_TACTIC_COUNT ? tactic_names[t] : "None";
}
