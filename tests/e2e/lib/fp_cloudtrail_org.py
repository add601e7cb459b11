#!/usr/bin/env python3
"""The organisation around fp_cloudtrail.py's estate, for fp_cloudtrail.sh: its
management account (accounts created and moved, SCPs, delegated administrators,
OrganizationAccountAccessRole assumed into every member by people and an inventory
Lambda), Control Tower (Account Factory through Service Catalog, StackSets baselining
every member and region through AWSControlTowerExecution), AWS Backup's service role
snapshotting, copying and sharing EBS and RDS snapshots with a backup account, and an
EKS cluster (IRSA pods behind NAT gateways, Karpenter nodes, the VPC CNI and the EKS
service-linked roles). Not run alone: fp_cloudtrail.py calls run() with itself,
whose helpers (emit, role_ident, ...) and settings (HOURS, ATTACK) these use.
"""
import uuid
from datetime import timedelta


def run(gen):
    """Adds the organisation's records to GEN's (the generator module's) events."""
    names = ("emit", "role_ident", "svc_ident", "sso_login", "akid", "at", "hours", "R", "REGIONS",
             "KEYS", "HOURS", "ATTACK", "PROD", "DEV", "SEC", "ORG_MGMT", "BROWSER", "BOTO", "CLI",
             "LAMBDA_UA", "CONSOLE_READS", "SWEEP")
    globals().update({n: getattr(gen, n) for n in names})
    globals()["REGIONS"].update({ORG_MGMT: "us-east-1", LOGARCH: "us-east-1", BACKUP_ACCT: "us-east-1",
                                 VENDED: "us-east-1"})
    control_tower(org_management())
    aws_backup()
    eks()


LOGARCH, BACKUP_ACCT, VENDED = "210987654324", "210987654325", "210987654326"
CT_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
ORG_UA = "console.amazonaws.com"
CFN = "cloudformation.amazonaws.com"


def xacct_caller(acct, role, session, key):
    # the caller of a cross-account AssumeRole as the member's trail records it
    ident = role_ident(acct, role, session, key)
    ident.pop("sessionContext")
    return ident


def assume(member, t, caller, ip, ua, role, session, key, region=None):
    emit(member, t, "sts.amazonaws.com", "AssumeRole", caller, ip, ua, ro=True, region=region,
         req={"roleArn": "arn:aws:iam::%s:role/%s" % (member, role), "roleSessionName": session},
         resp={"credentials": {"accessKeyId": key, "sessionToken": "x", "expiration": "x"},
               "assumedRoleUser": {"assumedRoleId": "AROAX:%s" % session,
                                   "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (member, role, session)}},
         extra={"sharedEventID": str(uuid.UUID(int=R.getrandbits(128)))})


def members():
    return (PROD, DEV, SEC, LOGARCH, BACKUP_ACCT)


def org_management():
    # the management account: people through Identity Center run the organisation;
    # on the last day an account is created, moved to its OU, SCPs attached, a
    # delegated administrator registered; every day people switch into members with
    # OrganizationAccountAccessRole and an inventory Lambda reads every member
    home = "86.150.40.12"
    for day in range(HOURS // 24):
        t = at(day * 24 + 9, 10)
        ident = sso_login(ORG_MGMT, t, "alice.nguyen@example.com", "AdministratorAccess", home, BROWSER)
        for i, name in enumerate(("DescribeOrganization", "ListAccounts", "ListRoots", "ListOrganizationalUnitsForParent",
                                  "ListPolicies", "ListAccountsForParent", "ListDelegatedAdministrators",
                                  "ListAWSServiceAccessForOrganization", "DescribePolicy", "ListTargetsForPolicy")):
            emit(ORG_MGMT, t + timedelta(seconds=20 + i * 7), "organizations.amazonaws.com", name, ident, home, ORG_UA,
                 region="us-east-1")
        # switch role into two members (the console's AssumeRole)
        for k, member in enumerate(members()):
            t2 = t + timedelta(minutes=15 + k * 20)
            key = akid()
            assume(member, t2, xacct_caller(ORG_MGMT, ident["sessionContext"]["sessionIssuer"]["userName"],
                                            "alice.nguyen@example.com", ident["accessKeyId"]),
                   home, ORG_UA, "OrganizationAccountAccessRole", "alice.nguyen@example.com", key)
            oi = role_ident(member, "OrganizationAccountAccessRole", "alice.nguyen@example.com", key, created=t2)
            for i in range(R.randrange(15, 30)):
                src, name = R.choice(CONSOLE_READS)
                emit(member, t2 + timedelta(seconds=10 + i * 30), src, name, oi, home, ORG_UA)
            for i, (src, name, req) in enumerate((
                    ("iam.amazonaws.com", "CreateRole", {"roleName": "break-glass-readonly-%d" % day}),
                    ("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "break-glass-readonly-%d" % day,
                                                               "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
                    ("iam.amazonaws.com", "UpdateAssumeRolePolicy", {"roleName": "break-glass-readonly-%d" % day}))):
                if day == HOURS // 24 - 1 and member == PROD:
                    emit(member, t2 + timedelta(minutes=12, seconds=i * 9), src, name, oi, home, ORG_UA, req=req, ro=False)
                # the attack: her session's key, minutes after she got it, makes the same IAM
                # writes from a VPS with her console's agent (only the network tells)
                if ATTACK and day == HOURS // 24 - 1 and member == PROD:
                    req = dict(req, roleName="break-glass-readonly-x")
                    emit(member, t2 + timedelta(minutes=5, seconds=i * 9), src, name, oi, "45.77.12.34", ORG_UA,
                         req=req, ro=False)
    # the inventory Lambda of the management account, hourly, into every member
    for h in hours():
        # a new /16 of AWS's 28 every hour, so each day brings 24 (more than a profile's 16
        # networks: alice's home is forgotten between her visits whatever the seed); the
        # draw of the /16 is kept so the records after it stay as they were
        R.randrange(208, 236)
        lip = "3.%d.%d.%d" % (208 + h % 28, R.randrange(256), R.randrange(1, 255))
        lkey = akid()
        fn = role_ident(ORG_MGMT, "org-inventory-lambda-role", "org-inventory", lkey, path="/service-role/", created=at(h))
        emit(ORG_MGMT, at(h, 3), "organizations.amazonaws.com", "ListAccounts", fn, lip,
             LAMBDA_UA.format(api="organizations"), region="us-east-1")
        for k, member in enumerate(members()):
            key = akid()
            t = at(h, 3, 5 + k)
            assume(member, t, xacct_caller(ORG_MGMT, "org-inventory-lambda-role", "org-inventory", lkey), lip,
                   LAMBDA_UA.format(api="sts"), "OrganizationAccountAccessRole", "org-inventory-%d" % h, key)
            oi = role_ident(member, "OrganizationAccountAccessRole", "org-inventory-%d" % h, key, created=t)
            for i in range(12):
                src, name = R.choice(SWEEP[:40])
                emit(member, t + timedelta(seconds=2 + i), src, name, oi, lip, LAMBDA_UA.format(api=src.split(".")[0]))
    # the last day: an account vended, moved, SCPs and delegated administrators
    last = HOURS - 22
    t = at(last, 5)
    ident = sso_login(ORG_MGMT, t, "alice.nguyen@example.com", "AdministratorAccess", home, BROWSER)
    ou = "ou-ab12-cdef3456"
    for i, (name, req, resp) in enumerate((
            ("CreatePolicy", {"name": "deny-leave-org", "type": "SERVICE_CONTROL_POLICY", "content": "{...}"},
             {"policy": {"policySummary": {"id": "p-a1b2c3d4"}}}),
            ("AttachPolicy", {"policyId": "p-a1b2c3d4", "targetId": ou}, None),
            ("UpdatePolicy", {"policyId": "p-regiondeny", "content": "{...}"}, None),
            ("DetachPolicy", {"policyId": "p-legacyscp", "targetId": ou}, None),
            ("EnableAWSServiceAccess", {"servicePrincipal": "backup.amazonaws.com"}, None),
            ("RegisterDelegatedAdministrator", {"accountId": SEC, "servicePrincipal": "guardduty.amazonaws.com"}, None),
            ("RegisterDelegatedAdministrator", {"accountId": BACKUP_ACCT, "servicePrincipal": "backup.amazonaws.com"}, None),
            ("EnablePolicyType", {"rootId": "r-ab12", "policyType": "BACKUP_POLICY"}, None),
            ("DisablePolicyType", {"rootId": "r-ab12", "policyType": "TAG_POLICY"}, None),
            ("InviteAccountToOrganization", {"target": {"id": "210987654399", "type": "ACCOUNT"}},
             {"handshake": {"id": "h-0123456789", "state": "OPEN"}}),
            ("CancelHandshake", {"handshakeId": "h-0123456789"}, None))):
        emit(ORG_MGMT, t + timedelta(minutes=1 + i), "organizations.amazonaws.com", name, ident, home, ORG_UA,
             req=req, resp=resp, ro=False, region="us-east-1")
    return ident


def control_tower(admin):
    # Account Factory through Service Catalog: the person provisions the product;
    # Control Tower creates the account (CreateAccount by its admin role, from the
    # service), moves it, and StackSets roll the baseline out through
    # AWSControlTowerExecution in every member and governed region at once
    home = "86.150.40.12"
    last = HOURS - 22
    t = at(last, 30)
    emit(ORG_MGMT, t, "servicecatalog.amazonaws.com", "ProvisionProduct", admin, home, ORG_UA, ro=False,
         req={"productId": "prod-abcd1234efgh5", "provisionedProductName": "payments-prod",
              "provisioningArtifactId": "pa-abcd1234efgh5"})
    ct = role_ident(ORG_MGMT, "AWSControlTowerAdmin", "AWS-ControlTower-AccountFactory", akid(),
                    path="/service-role/", created=t)
    for i, (name, req, resp) in enumerate((
            ("CreateAccount", {"accountName": "payments-prod", "email": "aws+payments-prod@example.com",
                               "roleName": "AWSControlTowerExecution"},
             {"createAccountStatus": {"id": "car-0123456789abcdef", "state": "IN_PROGRESS"}}),
            ("DescribeCreateAccountStatus", {"createAccountRequestId": "car-0123456789abcdef"}, None),
            ("DescribeCreateAccountStatus", {"createAccountRequestId": "car-0123456789abcdef"}, None),
            ("MoveAccount", {"accountId": VENDED, "sourceParentId": "r-ab12", "destinationParentId": "ou-ab12-cdef3456"}, None),
            ("ListParents", {"childId": VENDED}, None))):
        emit(ORG_MGMT, t + timedelta(minutes=1 + i * 2), "organizations.amazonaws.com", name, ct,
             "controltower.amazonaws.com", "controltower.amazonaws.com", req=req, resp=resp, region="us-east-1")
    # baseline StackSets: twice (daily drift repair on day 1, the new account on the
    # last day), every member and region, a burst of minutes
    for h, accts in ((20, members()), (last + 1, members() + (VENDED,))):
        for acct in accts:
            sskey = akid()
            caller = xacct_caller(ORG_MGMT, "AWSControlTowerStackSetRole", "stacksets-exec", sskey)
            for k, region in enumerate(CT_REGIONS):
                t = at(h, 5 + k * 3, R.randrange(60))
                key = akid()
                sess = "%s" % uuid.UUID(int=R.getrandbits(128))
                assume(acct, t, caller, CFN, CFN, "AWSControlTowerExecution", sess, key, region=region)
                ident = role_ident(acct, "AWSControlTowerExecution", sess, key, created=t)
                calls = [
                    ("cloudformation.amazonaws.com", "CreateStack", {"stackName": "StackSet-AWSControlTowerBP-BASELINE-CONFIG"}),
                    ("config.amazonaws.com", "PutConfigurationRecorder",
                     {"configurationRecorder": {"name": "aws-controltower-BaselineConfigRecorder"}}),
                    ("config.amazonaws.com", "PutDeliveryChannel", {"deliveryChannel": {"name": "aws-controltower-BaselineConfigDeliveryChannel"}}),
                    ("config.amazonaws.com", "StopConfigurationRecorder", {"configurationRecorderName": "aws-controltower-BaselineConfigRecorder"}),
                    ("config.amazonaws.com", "StartConfigurationRecorder", {"configurationRecorderName": "aws-controltower-BaselineConfigRecorder"}),
                    ("config.amazonaws.com", "PutAggregationAuthorization", {"authorizedAccountId": SEC}),
                    ("sns.amazonaws.com", "CreateTopic", {"name": "aws-controltower-SecurityNotifications"}),
                    ("sns.amazonaws.com", "Subscribe", {"protocol": "lambda"}),
                    ("lambda.amazonaws.com", "CreateFunction20150331", {"functionName": "aws-controltower-NotificationForwarder"}),
                    ("events.amazonaws.com", "PutRule", {"name": "aws-controltower-ConfigComplianceChangeEventRule"}),
                    ("events.amazonaws.com", "PutTargets", {"rule": "aws-controltower-ConfigComplianceChangeEventRule"}),
                    ("logs.amazonaws.com", "CreateLogGroup", {"logGroupName": "aws-controltower/CloudTrailLogs"}),
                    ("ec2.amazonaws.com", "DescribeVpcs", None),
                    ("ec2.amazonaws.com", "DeleteVpc", {"vpcId": "vpc-0default%05d" % k}) if acct == VENDED else
                    ("ec2.amazonaws.com", "DescribeSubnets", None),
                    ("guardduty.amazonaws.com", "ListDetectors", None),
                    ("securityhub.amazonaws.com", "DescribeHub", None),
                ]
                if region == "us-east-1":  # global resources, once
                    calls += [
                        ("iam.amazonaws.com", "CreateRole", {"roleName": "aws-controltower-ForwardSnsNotificationRole"}),
                        ("iam.amazonaws.com", "PutRolePolicy", {"roleName": "aws-controltower-ForwardSnsNotificationRole",
                                                                "policyName": "sns"}),
                        ("iam.amazonaws.com", "CreateRole", {"roleName": "aws-controltower-ConfigRecorderRole"}),
                        ("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "aws-controltower-ConfigRecorderRole",
                                                                   "policyArn": "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"}),
                        ("iam.amazonaws.com", "CreateRole", {"roleName": "aws-controltower-ReadOnlyExecutionRole"}),
                        ("iam.amazonaws.com", "CreateRole", {"roleName": "aws-controltower-AdministratorExecutionRole"}),
                        ("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "aws-controltower-AdministratorExecutionRole",
                                                                   "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                        ("iam.amazonaws.com", "UpdateAssumeRolePolicy", {"roleName": "aws-controltower-AuditAdministratorRole"}),
                        ("cloudtrail.amazonaws.com", "CreateTrail", {"name": "aws-controltower-BaselineCloudTrail",
                                                                     "s3BucketName": "aws-controltower-logs-%s-us-east-1" % LOGARCH,
                                                                     "isMultiRegionTrail": True}),
                        ("cloudtrail.amazonaws.com", "PutEventSelectors", {"trailName": "aws-controltower-BaselineCloudTrail",
                                                                           "eventSelectors": [{"readWriteType": "All",
                                                                                               "includeManagementEvents": True}]}),
                        ("cloudtrail.amazonaws.com", "UpdateTrail", {"name": "aws-controltower-BaselineCloudTrail",
                                                                     "enableLogFileValidation": True,
                                                                     "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:%s:log-group:aws-controltower/CloudTrailLogs" % acct}),
                        ("cloudtrail.amazonaws.com", "StartLogging", {"name": "aws-controltower-BaselineCloudTrail"}),
                        ("s3.amazonaws.com", "PutAccountPublicAccessBlock", {"PublicAccessBlockConfiguration": {
                            "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                            "RestrictPublicBuckets": True}}),
                        ("guardduty.amazonaws.com", "CreateDetector", {"enable": True, "findingPublishingFrequency": "SIX_HOURS"}),
                    ]
                for i, (src, name, req) in enumerate(calls):
                    emit(acct, t + timedelta(seconds=5 + i * 4), src, name, ident, CFN, CFN, req=req, region=region,
                         ro=name.startswith(("Describe", "List", "Get")))
    # GuardDuty's delegated administrator adds the new account; Security Hub too
    sec = sso_login(SEC, at(last + 2, 0), "carol.smith@example.com", "AdministratorAccess", "81.106.7.9", BROWSER)
    for i, (src, name, req) in enumerate((
            ("guardduty.amazonaws.com", "CreateMembers", {"accountDetails": [{"accountId": VENDED, "email": "aws+payments-prod@example.com"}]}),
            ("guardduty.amazonaws.com", "UpdateMemberDetectors", {"accountIds": [VENDED]}),
            ("guardduty.amazonaws.com", "UpdateOrganizationConfiguration", {"autoEnableOrganizationMembers": "ALL"}),
            ("securityhub.amazonaws.com", "CreateMembers", {"accountDetails": [{"accountId": VENDED}]}),
            ("guardduty.amazonaws.com", "DisassociateMembers", {"accountIds": ["210987654398"]}),
            ("guardduty.amazonaws.com", "DeleteMembers", {"accountIds": ["210987654398"]}))):
        emit(SEC, at(last + 2, 1 + i), src, name, sec, "81.106.7.9", ORG_UA, req=req, ro=False)


def aws_backup():
    # AWS Backup: nightly, its default service role snapshots PROD's volumes and RDS,
    # copies them to another region and shares them with the backup account, whose
    # vault copies them in; old recovery points are deleted by retention
    role, sess = "AWSBackupDefaultServiceRole", "AWSBackup-AWSBackupDefaultServiceRole"
    vols = ["vol-0%016x" % R.getrandbits(64) for _ in range(8)]
    for day in range(HOURS // 24):
        h = day * 24 + 5
        key = akid()
        ident = role_ident(PROD, role, sess, key, path="/service-role/", created=at(h))
        ident["invokedBy"] = "backup.amazonaws.com"
        bk = "backup.amazonaws.com"
        emit(PROD, at(h, 0), "sts.amazonaws.com", "AssumeRole", svc_ident(bk), bk, bk, ro=True,
             req={"roleArn": "arn:aws:iam::%s:role/service-role/%s" % (PROD, role), "roleSessionName": sess},
             resp={"credentials": {"accessKeyId": key, "sessionToken": "x", "expiration": "x"}})
        for k, vol in enumerate(vols):
            snap, copy = "snap-0%016x" % R.getrandbits(64), "snap-0%016x" % R.getrandbits(64)
            t = at(h, 1 + k, 0)
            emit(PROD, t, "ec2.amazonaws.com", "CreateSnapshot", ident, bk, bk, ro=False,
                 req={"volumeId": vol, "description": "This snapshot is created by the AWS Backup service."},
                 resp={"snapshotId": snap, "volumeId": vol, "status": "pending"})
            emit(PROD, t + timedelta(seconds=2), "ec2.amazonaws.com", "CreateTags", ident, bk, bk, ro=False,
                 req={"resourcesSet": {"items": [{"resourceId": snap}]}})
            emit(PROD, t + timedelta(minutes=20), "ec2.amazonaws.com", "CopySnapshot", ident, bk, bk, ro=False,
                 region="us-west-2", req={"sourceSnapshotId": snap, "sourceRegion": "us-east-1", "encrypted": True},
                 resp={"snapshotId": copy})
            emit(PROD, t + timedelta(minutes=25), "ec2.amazonaws.com", "ModifySnapshotAttribute", ident, bk, bk, ro=False,
                 req={"snapshotId": snap, "attributeType": "CREATE_VOLUME_PERMISSION",
                      "createVolumePermission": {"add": {"items": [{"userId": BACKUP_ACCT}]}}})
            emit(PROD, t + timedelta(minutes=26), "kms.amazonaws.com", "CreateGrant", ident, bk, bk, ro=False,
                 req={"keyId": "arn:aws:kms:us-east-1:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % PROD,
                      "granteePrincipal": "arn:aws:iam::%s:root" % BACKUP_ACCT,
                      "operations": ["Decrypt", "CreateGrant", "DescribeKey"]})
            # the backup account's vault copies it in, then the share is removed
            bi = role_ident(BACKUP_ACCT, role, sess, akid(), path="/service-role/", created=at(h))
            bi["invokedBy"] = bk
            emit(BACKUP_ACCT, t + timedelta(minutes=30), "ec2.amazonaws.com", "CopySnapshot", bi, bk, bk, ro=False,
                 req={"sourceSnapshotId": snap, "sourceRegion": "us-east-1", "encrypted": True})
            emit(PROD, t + timedelta(minutes=50), "ec2.amazonaws.com", "ModifySnapshotAttribute", ident, bk, bk, ro=False,
                 req={"snapshotId": snap, "attributeType": "CREATE_VOLUME_PERMISSION",
                      "createVolumePermission": {"remove": {"items": [{"userId": BACKUP_ACCT}]}}})
            if day > 0:
                emit(PROD, t + timedelta(minutes=55), "ec2.amazonaws.com", "DeleteSnapshot", ident, bk, bk, ro=False,
                     req={"snapshotId": "snap-0%016x" % R.getrandbits(64)})
        for db in ("orders-db", "billing-db"):
            s = "awsbackup:job-%s" % uuid.UUID(int=R.getrandbits(128))
            t = at(h, 15)
            for i, (name, req) in enumerate((
                    ("CreateDBSnapshot", {"dBInstanceIdentifier": db, "dBSnapshotIdentifier": s}),
                    ("AddTagsToResource", {"resourceName": "arn:aws:rds:us-east-1:%s:snapshot:%s" % (PROD, s)}),
                    ("ModifyDBSnapshotAttribute", {"dBSnapshotIdentifier": s, "attributeName": "restore",
                                                   "valuesToAdd": [BACKUP_ACCT]}),
                    ("CopyDBSnapshot", {"sourceDBSnapshotIdentifier": s, "targetDBSnapshotIdentifier": s + "-copy",
                                        "kmsKeyId": "alias/backup"}),
                    ("DeleteDBSnapshot", {"dBSnapshotIdentifier": s + "-old"}))):
                emit(PROD, t + timedelta(minutes=i * 5), "rds.amazonaws.com", name, ident, bk, bk, req=req, ro=False)


EKS_OIDC = "oidc.eks.us-east-1.amazonaws.com/id/5C2B8D1E3F4A9B0C7D6E5F4A3B2C1D0E"
EKS_SAS = [("kube-system", "aws-node", "AmazonEKS_CNI_Role"), ("kube-system", "ebs-csi-controller-sa", "AmazonEKS_EBS_CSI_DriverRole"),
           ("kube-system", "cluster-autoscaler", "eks-cluster-autoscaler"), ("karpenter", "karpenter", "KarpenterControllerRole-prod"),
           ("external-dns", "external-dns", "eks-external-dns"), ("orders", "orders-api", "eks-orders-api"),
           ("billing", "billing-worker", "eks-billing-worker"), ("monitoring", "fluent-bit", "eks-fluent-bit")]
SA_CALLS = {
    "aws-node": [("ec2.amazonaws.com", "DescribeInstances"), ("ec2.amazonaws.com", "DescribeNetworkInterfaces"),
                 ("ec2.amazonaws.com", "AssignPrivateIpAddresses"), ("ec2.amazonaws.com", "UnassignPrivateIpAddresses"),
                 ("ec2.amazonaws.com", "CreateNetworkInterface"), ("ec2.amazonaws.com", "AttachNetworkInterface"),
                 ("ec2.amazonaws.com", "ModifyNetworkInterfaceAttribute"), ("ec2.amazonaws.com", "CreateTags"),
                 ("ec2.amazonaws.com", "DescribeInstanceTypes")],
    "ebs-csi-controller-sa": [("ec2.amazonaws.com", "CreateVolume"), ("ec2.amazonaws.com", "AttachVolume"),
                              ("ec2.amazonaws.com", "DetachVolume"), ("ec2.amazonaws.com", "DescribeVolumes"),
                              ("ec2.amazonaws.com", "CreateTags"), ("ec2.amazonaws.com", "DeleteVolume")],
    "cluster-autoscaler": [("autoscaling.amazonaws.com", "DescribeAutoScalingGroups"),
                           ("autoscaling.amazonaws.com", "SetDesiredCapacity"), ("ec2.amazonaws.com", "DescribeLaunchTemplateVersions"),
                           ("autoscaling.amazonaws.com", "DescribeScalingActivities")],
    "karpenter": [("ec2.amazonaws.com", "CreateFleet"), ("ec2.amazonaws.com", "DescribeInstances"),
                  ("ec2.amazonaws.com", "TerminateInstances"), ("ec2.amazonaws.com", "DescribeSubnets"),
                  ("ec2.amazonaws.com", "DescribeImages"), ("iam.amazonaws.com", "PassRole"),
                  ("ssm.amazonaws.com", "GetParameter"), ("pricing.amazonaws.com", "GetProducts"),
                  ("iam.amazonaws.com", "CreateInstanceProfile"), ("iam.amazonaws.com", "AddRoleToInstanceProfile"),
                  ("ec2.amazonaws.com", "CreateLaunchTemplate"), ("ec2.amazonaws.com", "DeleteLaunchTemplate")],
    "external-dns": [("route53.amazonaws.com", "ListHostedZones"), ("route53.amazonaws.com", "ListResourceRecordSets"),
                     ("route53.amazonaws.com", "ChangeResourceRecordSets")],
    "orders-api": [("dynamodb.amazonaws.com", "DescribeTable"), ("secretsmanager.amazonaws.com", "GetSecretValue"),
                   ("sqs.amazonaws.com", "SendMessage"), ("kms.amazonaws.com", "Decrypt")],
    "billing-worker": [("sqs.amazonaws.com", "ReceiveMessage"), ("sqs.amazonaws.com", "DeleteMessage"),
                       ("ssm.amazonaws.com", "GetParameters"), ("kms.amazonaws.com", "GenerateDataKey")],
    "fluent-bit": [("logs.amazonaws.com", "CreateLogStream"), ("logs.amazonaws.com", "DescribeLogStreams"),
                   ("logs.amazonaws.com", "CreateLogGroup")],
}
GO_SDK = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)"


def eks():
    # one EKS cluster in PROD: pods with IRSA assume their roles from the cluster's
    # OIDC provider hundreds of times a day, through three NAT gateways (one per AZ);
    # Karpenter churns spot nodes whose instance role calls ECR and EKS; the EKS
    # service-linked role manages the control plane's interfaces
    acct = PROD
    nats = ["3.94.%d.%d" % (R.randrange(256), R.randrange(1, 255)) for _ in range(3)]
    prov = "arn:aws:iam::%s:oidc-provider/%s" % (acct, EKS_OIDC)
    nodes = {}
    for h in hours():
        # Karpenter replaces a third of the nodes every 4 hours
        if h % 4 == 0:
            for n in range(9):
                if n not in nodes or R.random() < 0.34 or h == 0:
                    nodes[n] = ("i-0%016x" % R.getrandbits(64), nats[n % 3])
        for n, (inst, nat) in nodes.items():
            if h % 6 == 0 or h % 4 == 0:
                KEYS[inst] = KEYS.get(inst) if h % 6 and inst in KEYS else akid()
            key = KEYS.setdefault(inst, akid())
            ident = role_ident(acct, "eks-node-group-role", inst, key, created=at(h - h % 6), ec2=True)
            for i, (src, name) in enumerate((("ecr.amazonaws.com", "GetAuthorizationToken"), ("eks.amazonaws.com", "DescribeCluster"),
                                             ("ec2.amazonaws.com", "DescribeInstances"), ("ecr.amazonaws.com", "BatchGetImage"),
                                             ("ecr.amazonaws.com", "GetDownloadUrlForLayer"))):
                emit(acct, at(h, n * 5 + i, R.randrange(60)), src, name, ident, nat,
                     "kubelet/v1.29.0-eks-5e0fdde (linux/amd64) kubernetes/5e0fdde " + GO_SDK)
        if ATTACK and h == HOURS - 3:
            inst = nodes[4][0]
            ident = role_ident(acct, "eks-node-group-role", inst, KEYS[inst], created=at(h - h % 6), ec2=True)
            emit(acct, at(h, 58), "sts.amazonaws.com", "GetCallerIdentity", ident, "185.220.101.47",
                 CLI.format(cmd="sts.get-caller-identity"))
        # IRSA: every pod's SDK refreshes its web identity session every hour
        for ns, sa, role in EKS_SAS:
            replicas = 9 if sa in ("aws-node", "fluent-bit") else (1 if sa in ("karpenter", "cluster-autoscaler", "external-dns") else 4)
            for p in range(replicas):
                inst, nat = nodes[(p * 3 + len(sa)) % 9]
                t = at(h, R.randrange(60), R.randrange(60))
                sess = ("%d" % (1767571200 + h * 3600 + p)) if sa != "orders-api" else "botocore-session-%d" % (1767571200 + h * 3600 + p)
                key = akid()
                sub = "system:serviceaccount:%s:%s" % (ns, sa)
                ua = ("amazon-vpc-cni-k8s/version/v1.16.0 " + GO_SDK) if sa == "aws-node" else (BOTO if sa == "orders-api" else GO_SDK)
                emit(acct, t, "sts.amazonaws.com", "AssumeRoleWithWebIdentity",
                     {"type": "WebIdentityUser", "principalId": "%s:sts.amazonaws.com:%s" % (EKS_OIDC, sub),
                      "userName": sub, "identityProvider": prov}, nat, ua, ro=True,
                     req={"roleArn": "arn:aws:iam::%s:role/%s" % (acct, role), "roleSessionName": sess},
                     resp={"credentials": {"accessKeyId": key, "sessionToken": "x", "expiration": "x"},
                           "subjectFromWebIdentityToken": sub, "provider": prov, "audience": "sts.amazonaws.com"})
                ident = role_ident(acct, role, sess, key, created=t, webid={"federatedProvider": prov, "attributes": {}})
                for i in range(R.randrange(3, 10)):
                    src, name = R.choice(SA_CALLS[sa])
                    ro = name.startswith(("Describe", "List", "Get"))
                    emit(acct, t + timedelta(seconds=1 + i * 30), src, name, ident, nat, ua, ro=ro)
        # the EKS service-linked role (control-plane interfaces) and the nodegroup one
        if h % 3 == 0:
            key = akid()
            ident = role_ident(acct, "AWSServiceRoleForAmazonEKS", "AmazonEKS", key,
                               svc_path="/aws-service-role/eks.amazonaws.com/", created=at(h))
            for i, name in enumerate(("DescribeNetworkInterfaces", "CreateNetworkInterface", "CreateNetworkInterfacePermission",
                                      "ModifyNetworkInterfaceAttribute", "DeleteNetworkInterface", "DescribeSecurityGroups")):
                emit(acct, at(h, 40, i * 5), "ec2.amazonaws.com", name, ident, "eks.amazonaws.com", "eks.amazonaws.com",
                     ro=name.startswith("Describe"))
            ident = role_ident(acct, "AWSServiceRoleForAmazonEKSNodegroup", "EKS", akid(),
                               svc_path="/aws-service-role/eks-nodegroup.amazonaws.com/", created=at(h))
            for i, (src, name) in enumerate((("autoscaling.amazonaws.com", "UpdateAutoScalingGroup"),
                                             ("ec2.amazonaws.com", "CreateLaunchTemplateVersion"),
                                             ("ec2.amazonaws.com", "RunInstances"), ("iam.amazonaws.com", "PassRole"),
                                             ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups"))):
                emit(acct, at(h, 45, i * 5), src, name, ident, "eks-nodegroup.amazonaws.com", "eks-nodegroup.amazonaws.com",
                     ro=name.startswith("Describe"))
