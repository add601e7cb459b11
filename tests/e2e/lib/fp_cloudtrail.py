#!/usr/bin/env python3
"""Realistic benign CloudTrail management events of an AWS organisation that
`coalmine gen` does not model, for tests/e2e/fp_cloudtrail.sh.

Writes AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/*.json.gz under OUT:
three accounts over HOURS hours (default 72) from 2026-01-05T00:00Z, with AWS
services acting for the owner (AWSService identities, service-linked roles,
the Config recorder's sweeps, CloudFormation and StackSets), a CSPM vendor's
cross-account read-only role, GitHub Actions OIDC running Terraform, people
through IAM Identity Center (one travelling behind VPN exits), MFA'd root
once, EC2 instance roles behind a NAT gateway or a VPC endpoint, Lambda and
ECS task roles, instances stopped and started, Auto Scaling, access key
rotation, password policy and security-team changes; around them (fp_cloudtrail_org.py) the
organisation: its management account (accounts created and moved, SCPs,
delegated administrators, OrganizationAccountAccessRole into every member by
people and an inventory Lambda), Control Tower (Account Factory, StackSets
baselining every member and region through AWSControlTowerExecution), AWS
Backup's service role snapshotting and sharing with a backup account, and an
EKS cluster (IRSA pods, Karpenter nodes behind NAT gateways, EKS service
roles). The one-off changes
(Terraform apply, rotation, root...) happen on the last day, after two days
of routine. Standard library only; deterministic for a seed.

usage: fp_cloudtrail.py OUT [--hours N] [--seed N] [--attack]

--attack adds the thefts the near misses must not hide (see fp_cloudtrail.sh).
"""
import gzip
import json
import os
import random
import sys
import uuid
import zlib

import fp_cloudtrail_org
from datetime import datetime, timedelta, timezone

T0 = datetime(2026, 1, 5, tzinfo=timezone.utc)
PROD, DEV, SEC = "210987654321", "210987654322", "210987654323"
ORG_MGMT = "210987654320"
CSPM_ACCT = "880011223344"
REGIONS = {PROD: "us-east-1", DEV: "eu-west-1", SEC: "us-east-1"}
R = random.Random(7)
EVENTS = {}  # (acct, region) -> list of records

TF_UA = ("APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) "
         "terraform-provider-aws/5.31.0 (+https://registry.terraform.io/providers/hashicorp/aws) "
         "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5 md/GOOS#linux md/GOARCH#amd64")
CSPM_UA = "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/{api}#1.141.0"
BROWSER = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36")
BOTO = "Boto3/1.34.14 md/Botocore#1.34.14 ua/2.0 os/linux#5.10.205-195.807.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.14"
CLI = "aws-cli/2.15.10 Python/3.11.6 Darwin/23.2.0 exe/x86_64 prompt/off command/{cmd}"
LAMBDA_UA = ("aws-sdk-js/3.496.0 ua/2.0 os/linux#5.10.214-223.823.amzn2.x86_64 lang/js "
             "md/nodejs#20.11.1 exec-env/AWS_Lambda_nodejs20.x api/{api}#3.496.0")
ECS_UA = "aws-sdk-java/2.21.46 Linux/5.10.205-195.807.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.9+8-LTS Java/17.0.9 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy"
SSM_UA = "aws-sdk-go/1.44.260 (go1.20.10; linux; amd64) amazon-ssm-agent/3.2.2143.0"


def rid():
    return "".join(R.choice("0123456789ABCDEF") for _ in range(16))


def akid(prefix="ASIA"):
    return prefix + "".join(R.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def emit(acct, t, src, name, ident, ip, ua, req=None, resp=None, ro=None,
         err=None, region=None, extra=None):
    region = region or REGIONS[acct]
    if ro is None:
        ro = name.startswith(("Describe", "List", "Get", "Lookup", "Head"))
    rec = {
        "eventVersion": "1.09",
        "userIdentity": ident,
        "eventTime": ts(t),
        "eventSource": src,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": ua,
        "requestParameters": req,
        "responseElements": resp,
        "requestID": str(uuid.UUID(int=R.getrandbits(128))),
        "eventID": str(uuid.UUID(int=R.getrandbits(128))),
        "readOnly": ro,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": acct,
        "eventCategory": "Management",
    }
    if err:
        rec["errorCode"], rec["errorMessage"] = err
    if extra:
        rec.update(extra)
    EVENTS.setdefault((acct, region), []).append(rec)


def role_ident(acct, role, session, key, path="/", created=None, mfa="false",
               webid=None, ec2=False, svc_path=None):
    role_arn = "arn:aws:iam::%s:role%s%s" % (acct, svc_path or path, role)
    pid = "AROA" + ("%016X" % (zlib.crc32((acct + role).encode()) * 2654435761))[-16:]
    sc = {"sessionIssuer": {"type": "Role", "principalId": pid, "arn": role_arn,
                            "accountId": acct, "userName": role},
          "webIdFederationData": webid or {},
          "attributes": {"creationDate": ts(created or T0), "mfaAuthenticated": mfa}}
    if ec2:
        sc["ec2RoleDelivery"] = "2.0"
    return {"type": "AssumedRole", "principalId": "%s:%s" % (pid, session),
            "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role, session),
            "accountId": acct, "accessKeyId": key, "sessionContext": sc}


def svc_ident(svc):
    return {"type": "AWSService", "invokedBy": svc}


def hours():
    return range(HOURS)


def at(h, m=0, s=0):
    return T0 + timedelta(hours=h, minutes=m, seconds=s)


# --- the read APIs of a sweep (Config, CSPM, Terraform plan) -------------------------
SWEEP = [
    ("ec2.amazonaws.com", n) for n in (
        "DescribeInstances", "DescribeSecurityGroups", "DescribeVpcs", "DescribeSubnets",
        "DescribeVolumes", "DescribeSnapshots", "DescribeNetworkInterfaces", "DescribeRouteTables",
        "DescribeInternetGateways", "DescribeNatGateways", "DescribeNetworkAcls", "DescribeAddresses",
        "DescribeVpcEndpoints", "DescribeFlowLogs", "DescribeImages", "DescribeKeyPairs",
        "DescribeLaunchTemplates", "DescribeTransitGateways", "DescribeSnapshotAttribute",
        "DescribeInstanceAttribute", "GetEbsEncryptionByDefault", "DescribeVpcPeeringConnections")
] + [
    ("iam.amazonaws.com", n) for n in (
        "ListRoles", "ListUsers", "ListPolicies", "GetAccountPasswordPolicy", "ListAttachedRolePolicies",
        "ListRolePolicies", "GetRole", "GetPolicyVersion", "ListAccessKeys", "ListMFADevices",
        "GetAccountSummary", "ListGroups", "ListUserPolicies", "ListAttachedUserPolicies",
        "GetAccountAuthorizationDetails", "ListInstanceProfiles", "ListSAMLProviders",
        "ListOpenIDConnectProviders", "ListVirtualMFADevices", "ListServerCertificates",
        "GenerateCredentialReport", "GetCredentialReport", "ListEntitiesForPolicy")
] + [
    ("s3.amazonaws.com", n) for n in (
        "ListBuckets", "GetBucketPolicy", "GetBucketAcl", "GetBucketEncryption", "GetBucketVersioning",
        "GetBucketLogging", "GetBucketPublicAccessBlock", "GetBucketPolicyStatus", "GetBucketTagging",
        "GetBucketLocation", "GetBucketReplication", "GetBucketLifecycle", "GetBucketOwnershipControls")
] + [
    ("kms.amazonaws.com", n) for n in ("ListKeys", "DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus",
                                        "ListAliases", "ListGrants")
] + [
    ("lambda.amazonaws.com", n) for n in ("ListFunctions20150331", "GetFunction20150331v2",
                                           "GetPolicy20150331v2", "ListEventSourceMappings20150331")
] + [
    ("rds.amazonaws.com", n) for n in ("DescribeDBInstances", "DescribeDBSnapshots", "DescribeDBClusters",
                                        "DescribeDBSnapshotAttributes")
] + [
    ("cloudtrail.amazonaws.com", n) for n in ("DescribeTrails", "GetTrailStatus", "GetEventSelectors",
                                               "ListTrails")
] + [
    ("guardduty.amazonaws.com", "ListDetectors"), ("guardduty.amazonaws.com", "GetDetector"),
    ("securityhub.amazonaws.com", "DescribeHub"), ("config.amazonaws.com", "DescribeConfigurationRecorders"),
    ("logs.amazonaws.com", "DescribeLogGroups"), ("sns.amazonaws.com", "ListTopics"),
    ("sqs.amazonaws.com", "ListQueues"), ("secretsmanager.amazonaws.com", "ListSecrets"),
    ("secretsmanager.amazonaws.com", "DescribeSecret"), ("ssm.amazonaws.com", "DescribeParameters"),
    ("ecr.amazonaws.com", "DescribeRepositories"), ("ecr.amazonaws.com", "GetRepositoryPolicy"),
    ("eks.amazonaws.com", "ListClusters"), ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers"),
    ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups"), ("route53.amazonaws.com", "ListHostedZones"),
    ("organizations.amazonaws.com", "DescribeOrganization"), ("sts.amazonaws.com", "GetCallerIdentity"),
    ("access-analyzer.amazonaws.com", "ListAnalyzers"), ("backup.amazonaws.com", "ListBackupVaults"),
    ("dynamodb.amazonaws.com", "ListTables"), ("dynamodb.amazonaws.com", "DescribeTable"),
    ("cloudfront.amazonaws.com", "ListDistributions"), ("wafv2.amazonaws.com", "ListWebACLs"),
]
DENIED = {"iam.amazonaws.com": ("AccessDenied", "User is not authorized to perform this operation"),
          "s3.amazonaws.com": ("AccessDenied", "Access Denied"),
          "kms.amazonaws.com": ("AccessDeniedException", "not authorized to perform kms:GetKeyPolicy"),
          "ec2.amazonaws.com": ("Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
          "secretsmanager.amazonaws.com": ("AccessDenied", "not authorized"),
          "lambda.amazonaws.com": ("AccessDenied", "not authorized")}


# --- AWS services -------------------------------------------------------------------
def aws_services(acct):
    cfg_key = {}
    for h in hours():
        # the Config recorder's sweep every 3 hours: hundreds of reads in minutes
        if h % 3 == 1:
            key = akid()
            ident = role_ident(acct, "AWSServiceRoleForConfig", "AWSConfig-Describe", key,
                               svc_path="/aws-service-role/config.amazonaws.com/", created=at(h))
            m0 = R.randrange(0, 20)
            for i in range(260):
                src, name = R.choice(SWEEP)
                t = at(h, m0, i * 2)
                emit(acct, t, src, name, ident, "config.amazonaws.com", "config.amazonaws.com",
                     req={"maxResults": 100}, ro=True)
            cfg_key[h] = key
        # AWSService identities: Config's AssumeRole, CloudTrail's KMS calls, etc.
        emit(acct, at(h, 1), "sts.amazonaws.com", "AssumeRole", svc_ident("config.amazonaws.com"),
             "config.amazonaws.com", "config.amazonaws.com",
             req={"roleArn": "arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig" % acct,
                  "roleSessionName": "AWSConfig-Describe"},
             resp={"credentials": {"accessKeyId": akid(), "sessionToken": "x", "expiration": "x"}},
             ro=True, extra={"sharedEventID": str(uuid.UUID(int=R.getrandbits(128)))})
        for m in range(0, 60, 5):
            emit(acct, at(h, m, 3), "kms.amazonaws.com", "GenerateDataKey",
                 svc_ident("cloudtrail.amazonaws.com"), "cloudtrail.amazonaws.com",
                 "cloudtrail.amazonaws.com", req={"keySpec": "AES_256"}, ro=True)
        # service-linked roles of other services, some from "AWS Internal"
        for role, svc, apis, ip in (
            ("AWSServiceRoleForSecurityHub", "securityhub.amazonaws.com",
             [("ec2.amazonaws.com", "DescribeSecurityGroups"), ("iam.amazonaws.com", "GetAccountPasswordPolicy"),
              ("s3.amazonaws.com", "GetBucketPublicAccessBlock"), ("cloudtrail.amazonaws.com", "DescribeTrails"),
              ("kms.amazonaws.com", "GetKeyRotationStatus"), ("iam.amazonaws.com", "GenerateCredentialReport"),
              ("iam.amazonaws.com", "GetCredentialReport"), ("ec2.amazonaws.com", "DescribeFlowLogs")], "securityhub.amazonaws.com"),
            ("AWSServiceRoleForAccessAnalyzer", "access-analyzer.amazonaws.com",
             [("iam.amazonaws.com", "GetRole"), ("iam.amazonaws.com", "ListRoles"), ("s3.amazonaws.com", "GetBucketPolicy"),
              ("kms.amazonaws.com", "GetKeyPolicy"), ("kms.amazonaws.com", "ListGrants"),
              ("secretsmanager.amazonaws.com", "GetResourcePolicy"), ("lambda.amazonaws.com", "GetPolicy20150331v2")],
             "access-analyzer.amazonaws.com"),
            ("AWSServiceRoleForAmazonInspector2", "inspector2.amazonaws.com",
             [("ec2.amazonaws.com", "DescribeInstances"), ("ecr.amazonaws.com", "DescribeImages"),
              ("ssm.amazonaws.com", "ListAssociations"), ("lambda.amazonaws.com", "GetFunction20150331v2"),
              ("ecr.amazonaws.com", "BatchGetImage"), ("ssm.amazonaws.com", "SendCommand")], "inspector2.amazonaws.com"),
            ("AWSServiceRoleForTrustedAdvisor", "trustedadvisor.amazonaws.com",
             [("iam.amazonaws.com", "GetAccountSummary"), ("ec2.amazonaws.com", "DescribeSnapshotAttribute"),
              ("rds.amazonaws.com", "DescribeDBSnapshotAttributes"), ("iam.amazonaws.com", "ListAccessKeys"),
              ("cloudtrail.amazonaws.com", "GetTrailStatus")], "AWS Internal"),
        ):
            if h % 2 == (0 if "Trusted" in role else 1):
                key = akid()
                session = {"securityhub.amazonaws.com": "securityhub", "inspector2.amazonaws.com": "inspector2",
                           "access-analyzer.amazonaws.com": "access-analyzer"}.get(svc, "TrustedAdvisor_" + acct)
                ident = role_ident(acct, role, session, key, svc_path="/aws-service-role/%s/" % svc, created=at(h))
                for i in range(R.randrange(15, 40)):
                    src, name = R.choice(apis)
                    emit(acct, at(h, 10 + i // 4, i * 7 % 60), src, name, ident, ip, svc, ro=name != "SendCommand")
        # ELB and Auto Scaling service-linked roles
        if h % 4 == 2:
            key = akid()
            ident = role_ident(acct, "AWSServiceRoleForElasticLoadBalancing", "ElasticLoadBalancing", key,
                               svc_path="/aws-service-role/elasticloadbalancing.amazonaws.com/", created=at(h))
            for name in ("DescribeNetworkInterfaces", "CreateNetworkInterface", "AttachNetworkInterface",
                         "DescribeSecurityGroups", "ModifyNetworkInterfaceAttribute", "DeleteNetworkInterface"):
                emit(acct, at(h, 30, R.randrange(60)), "ec2.amazonaws.com", name, ident,
                     "elasticloadbalancing.amazonaws.com", "elasticloadbalancing.amazonaws.com",
                     req={"subnetId": "subnet-0a1b2c3d4e5f60718"})


def autoscaling(acct):
    # Auto Scaling replaces instances a few times a day (health checks, scale in/out)
    for h in range(5, HOURS, 7):
        key = akid()
        ident = role_ident(acct, "AWSServiceRoleForAutoScaling", "AutoScaling", key,
                           svc_path="/aws-service-role/autoscaling.amazonaws.com/", created=at(h))
        new = "i-0%016x" % R.getrandbits(64)
        old = "i-0%016x" % R.getrandbits(64)
        for name, req, resp in (
            ("RunInstances", {"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
                              "launchTemplate": {"launchTemplateId": "lt-0a1b2c3d4e5f60718", "version": "7"},
                              "iamInstanceProfile": {"arn": "arn:aws:iam::%s:instance-profile/web-asg" % acct}},
             {"instancesSet": {"items": [{"instanceId": new, "privateIpAddress": "10.20.%d.%d" % (R.randrange(1, 3), R.randrange(10, 250))}]}}),
            ("CreateTags", {"resourcesSet": {"items": [{"resourceId": new}]}}, None),
            ("TerminateInstances", {"instancesSet": {"items": [{"instanceId": old}]}}, None),
            ("DescribeInstanceStatus", None, None),
        ):
            emit(acct, at(h, 12, R.randrange(60)), "ec2.amazonaws.com", name, ident,
                 "autoscaling.amazonaws.com", "autoscaling.amazonaws.com", req=req, resp=resp)


def cloudformation(acct):
    # StackSet deployments from the management account: the execution role assumed by
    # CloudFormation creates IAM roles, security groups, buckets with policies (day 3),
    # and ordinary stacks with a service role every day
    for h in (14, 38, 62):
        key = akid()
        ident = role_ident(acct, "AWSCloudFormationStackSetExecutionRole", "%s" % uuid.UUID(int=R.getrandbits(128)),
                           key, created=at(h))
        calls = [("iam.amazonaws.com", "GetRole", None), ("iam.amazonaws.com", "CreateRole",
                  {"roleName": "org-audit-readonly-%d" % h, "assumeRolePolicyDocument": "{...}"}),
                 ("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "org-audit-readonly-%d" % h,
                  "policyArn": "arn:aws:iam::aws:policy/SecurityAudit"}),
                 ("iam.amazonaws.com", "PutRolePolicy", {"roleName": "org-audit-readonly-%d" % h, "policyName": "extra"}),
                 ("ec2.amazonaws.com", "CreateSecurityGroup", {"groupName": "org-baseline-%d" % h}),
                 ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress",
                  {"groupId": "sg-0a1b2c3d4e5f6%04d" % h, "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 443,
                   "toPort": 443, "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}}),
                 ("ec2.amazonaws.com", "RevokeSecurityGroupEgress", {"groupId": "sg-0a1b2c3d4e5f6%04d" % h}),
                 ("s3.amazonaws.com", "CreateBucket", {"bucketName": "org-logs-%s-%d" % (acct, h)}),
                 ("s3.amazonaws.com", "PutBucketPolicy", {"bucketName": "org-logs-%s-%d" % (acct, h), "bucketPolicy": {
                     "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
                                                             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::org-logs/*"}]}}),
                 ("s3.amazonaws.com", "PutBucketPublicAccessBlock", {"bucketName": "org-logs-%s-%d" % (acct, h)}),
                 ("config.amazonaws.com", "PutConfigRule", {"configRule": {"configRuleName": "s3-encryption"}}),
                 ("iam.amazonaws.com", "DeleteRolePolicy", {"roleName": "org-audit-readonly-%d" % (h - 24), "policyName": "extra"}),
                 ("iam.amazonaws.com", "DetachRolePolicy", {"roleName": "org-audit-readonly-%d" % (h - 24)}),
                 ("iam.amazonaws.com", "DeleteRole", {"roleName": "org-audit-readonly-%d" % (h - 24)}),
                 ("ec2.amazonaws.com", "DeleteSecurityGroup", {"groupId": "sg-old%d" % h})]
        for i, (src, name, req) in enumerate(calls):
            emit(acct, at(h, 20 + i, 5), src, name, ident, "cloudformation.amazonaws.com",
                 "cloudformation.amazonaws.com", req=req)
        # ordinary stack updates with a CloudFormation service role
        key = akid()
        ident = role_ident(acct, "cfn-deploy-service-role", "AWSCloudFormation", key, created=at(h + 2))
        for i, (src, name) in enumerate((("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
                                         ("iam.amazonaws.com", "PassRole"), ("lambda.amazonaws.com", "CreateFunction20150331"),
                                         ("ec2.amazonaws.com", "RunInstances"), ("ec2.amazonaws.com", "TerminateInstances"),
                                         ("sns.amazonaws.com", "CreateTopic"), ("events.amazonaws.com", "PutRule"))):
            emit(acct, at(h + 2, 5 + i), src, name, ident, "cloudformation.amazonaws.com",
                 "cloudformation.amazonaws.com", extra={"invokedBy": "cloudformation.amazonaws.com"})


# --- a CSPM vendor --------------------------------------------------------------------
CSPM_IPS = ["35.190.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)) for _ in range(6)] + \
    ["34.138.%d.%d" % (R.randrange(0, 256), R.randrange(1, 255)) for _ in range(6)]


def cspm(acct):
    role = "CloudSecurityScanner-ReadOnly"
    for h in range(1, HOURS, 4):
        ip = R.choice(CSPM_IPS)
        key = akid()
        session = "scanner-%s" % uuid.UUID(int=R.getrandbits(128)).hex[:12]
        # the AssumeRole from the vendor's account, logged in ours
        emit(acct, at(h, 0, 10), "sts.amazonaws.com", "AssumeRole",
             {"type": "AWSAccount", "principalId": "AROAVENDOR0SCANNER01:worker", "accountId": CSPM_ACCT},
             ip, "aws-sdk-go-v2/1.24.1 os/linux lang/go#1.21.6 api/sts#1.26.7",
             req={"roleArn": "arn:aws:iam::%s:role/%s" % (acct, role), "roleSessionName": session,
                  "externalId": "3b1f0c9e-vendor", "durationSeconds": 3600},
             resp={"credentials": {"accessKeyId": key, "sessionToken": "x", "expiration": "x"}}, ro=True)
        ident = role_ident(acct, role, session, key, created=at(h))
        n = R.randrange(1500, 2500)
        for i in range(n):
            src, name = R.choice(SWEEP)
            t = at(h, 1 + i * 55 // n, i % 60)
            err = DENIED.get(src) if R.random() < 0.25 else None
            emit(acct, t, src, name, ident, R.choice(CSPM_IPS) if R.random() < 0.1 else ip,
                 CSPM_UA.format(api=src.split(".")[0]), err=err, ro=True)


# --- GitHub Actions OIDC with Terraform ------------------------------------------------
def azure_ip():
    return R.choice(["20.%d.%d.%d", "40.%d.%d.%d", "4.%d.%d.%d", "13.%d.%d.%d"]) % (
        R.randrange(1, 250), R.randrange(0, 256), R.randrange(1, 255))


TF_PLAN = [("ec2.amazonaws.com", "DescribeVpcs"), ("ec2.amazonaws.com", "DescribeSecurityGroups"),
           ("ec2.amazonaws.com", "DescribeSubnets"), ("iam.amazonaws.com", "GetRole"),
           ("iam.amazonaws.com", "ListAttachedRolePolicies"), ("iam.amazonaws.com", "GetRolePolicy"),
           ("iam.amazonaws.com", "ListRolePolicies"), ("iam.amazonaws.com", "GetPolicy"),
           ("iam.amazonaws.com", "GetPolicyVersion"), ("s3.amazonaws.com", "GetBucketPolicy"),
           ("s3.amazonaws.com", "GetBucketAcl"), ("s3.amazonaws.com", "GetBucketVersioning"),
           ("kms.amazonaws.com", "DescribeKey"), ("kms.amazonaws.com", "GetKeyPolicy"),
           ("cloudtrail.amazonaws.com", "DescribeTrails"), ("cloudtrail.amazonaws.com", "GetEventSelectors"),
           ("lambda.amazonaws.com", "GetFunction20150331v2"), ("sts.amazonaws.com", "GetCallerIdentity"),
           ("dynamodb.amazonaws.com", "DescribeTable"), ("ec2.amazonaws.com", "DescribeInstances")]
TF_APPLY = [("iam.amazonaws.com", "CreateRole", {"roleName": "svc-orders-worker"}),
            ("iam.amazonaws.com", "AttachRolePolicy", {"roleName": "svc-orders-worker",
             "policyArn": "arn:aws:iam::aws:policy/AmazonSQSFullAccess"}),
            ("iam.amazonaws.com", "PutRolePolicy", {"roleName": "svc-orders-worker", "policyName": "orders-bucket"}),
            ("iam.amazonaws.com", "CreateInstanceProfile", {"instanceProfileName": "svc-orders-worker"}),
            ("iam.amazonaws.com", "AddRoleToInstanceProfile", {"instanceProfileName": "svc-orders-worker"}),
            ("iam.amazonaws.com", "CreatePolicyVersion", {"policyArn": "arn:aws:iam::%s:policy/ci-deploy", "setAsDefault": True}),
            ("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", {"groupId": "sg-0f00dbeef0000001",
             "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432,
                                          "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}}]}}),
            ("ec2.amazonaws.com", "RevokeSecurityGroupIngress", {"groupId": "sg-0f00dbeef0000001"}),
            ("ec2.amazonaws.com", "CreateLaunchTemplateVersion", {"launchTemplateId": "lt-0a1b2c3d4e5f60718"}),
            ("s3.amazonaws.com", "PutBucketPolicy", {"bucketName": "orders-artifacts", "bucketPolicy": {
                "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                                        "Resource": "arn:aws:s3:::orders-artifacts/*",
                                                        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}}),
            ("s3.amazonaws.com", "PutBucketEncryption", {"bucketName": "orders-artifacts"}),
            ("kms.amazonaws.com", "PutKeyPolicy", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "policyName": "default"}),
            ("kms.amazonaws.com", "EnableKeyRotation", {"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}),
            ("cloudtrail.amazonaws.com", "UpdateTrail", {"name": "org-trail", "isMultiRegionTrail": True,
                                                         "enableLogFileValidation": True}),
            ("cloudtrail.amazonaws.com", "PutEventSelectors", {"trailName": "org-trail", "advancedEventSelectors": [
                {"name": "mgmt", "fieldSelectors": [{"field": "eventCategory", "equals": ["Management"]}]},
                {"name": "s3-data", "fieldSelectors": [{"field": "eventCategory", "equals": ["Data"]},
                                                       {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]}),
            ("lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", {"functionName": "orders-api"}),
            ("logs.amazonaws.com", "PutRetentionPolicy", {"logGroupName": "/aws/lambda/orders-api", "retentionInDays": 90}),
            ("ec2.amazonaws.com", "RunInstances", {"iamInstanceProfile": {"name": "svc-orders-worker"}}),
            ("ec2.amazonaws.com", "TerminateInstances", {"instancesSet": {"items": [{"instanceId": "i-0aaa1111bbbb2222c"}]}}),
            ("iam.amazonaws.com", "DeleteRolePolicy", {"roleName": "svc-legacy", "policyName": "old"})]


def github_actions():
    provider = "token.actions.githubusercontent.com"
    for acct in (PROD, DEV):
        role = "github-actions-terraform"
        runs = [h for h in range(0, HOURS) if h % 24 in (9, 11, 14, 16)]
        for h in runs:
            ip = azure_ip()
            key = akid()
            sub = "repo:example-org/infrastructure:ref:refs/heads/main"
            start = at(h, R.randrange(0, 40))
            emit(acct, start, "sts.amazonaws.com", "AssumeRoleWithWebIdentity",
                 {"type": "WebIdentityUser", "principalId": "%s:sts.amazonaws.com:%s" % (provider, sub),
                  "userName": sub, "identityProvider": provider},
                 ip, "aws-sdk-js/2.1502.0 promise", ro=True,
                 req={"roleArn": "arn:aws:iam::%s:role/%s" % (acct, role), "roleSessionName": "GitHubActions",
                      "durationSeconds": 3600},
                 resp={"credentials": {"accessKeyId": key, "sessionToken": "x", "expiration": "x"},
                       "subjectFromWebIdentityToken": sub, "provider": "arn:aws:iam::%s:oidc-provider/%s" % (acct, provider),
                       "audience": "sts.amazonaws.com"})
            ident = role_ident(acct, role, "GitHubActions", key, created=start,
                               webid={"federatedProvider": "arn:aws:iam::%s:oidc-provider/%s" % (acct, provider),
                                      "attributes": {}})
            for i in range(R.randrange(60, 120)):
                src, name = R.choice(TF_PLAN)
                emit(acct, start + timedelta(seconds=5 + i), src, name, ident, ip,
                     TF_UA + " api/%s#1.28.0" % src.split(".")[0], ro=True)
            if h >= 48 and h % 24 in (14, 16):  # applies on the last day
                for i, (src, name, req) in enumerate(TF_APPLY):
                    if name == "RunInstances":
                        emit(acct, start + timedelta(seconds=200 + i), "iam.amazonaws.com", "GetInstanceProfile",
                             ident, ip, TF_UA, ro=True)
                    emit(acct, start + timedelta(seconds=200 + i * 3), src, name, ident, ip,
                         TF_UA + " api/%s#1.28.0" % src.split(".")[0], req=req, ro=False)


# --- people through IAM Identity Center ------------------------------------------------
PEOPLE = {  # user -> (home /16 base, permission sets)
    "alice.nguyen@example.com": ("86.150", ["AdministratorAccess"]),
    "bob.martin@example.com": ("92.233", ["PowerUserAccess", "ReadOnlyAccess"]),
    "carol.smith@example.com": ("81.106", ["SecurityAudit", "AdministratorAccess"]),
    "dan.ito@example.com": ("109.153", ["PowerUserAccess"]),
    "erin.jones@example.com": ("5.66", ["ReadOnlyAccess"]),
}
CONSOLE_READS = [("ec2.amazonaws.com", "DescribeInstances"), ("ec2.amazonaws.com", "DescribeSecurityGroups"),
                 ("cloudwatch.amazonaws.com", "DescribeAlarms"), ("logs.amazonaws.com", "DescribeLogGroups"),
                 ("logs.amazonaws.com", "FilterLogEvents"), ("s3.amazonaws.com", "ListBuckets"),
                 ("lambda.amazonaws.com", "ListFunctions20150331"), ("rds.amazonaws.com", "DescribeDBInstances"),
                 ("health.amazonaws.com", "DescribeEventAggregates"), ("ce.amazonaws.com", "GetCostAndUsage"),
                 ("iam.amazonaws.com", "ListRoles"), ("cloudformation.amazonaws.com", "DescribeStacks")]


def sso_login(acct, t, user, pset, ip, ua):
    role = "AWSReservedSSO_%s_%s" % (pset, "a1b2c3d4e5f6a7b8"[: 8 + len(pset) % 8])
    key = akid()
    ident = role_ident(acct, role, user, key, path="/aws-reserved/sso.amazonaws.com/", created=t)
    emit(acct, t, "signin.amazonaws.com", "ConsoleLogin", {
        "type": "AssumedRole", "principalId": ident["principalId"], "arn": ident["arn"], "accountId": acct,
        "sessionContext": ident["sessionContext"]}, ip, ua, ro=False,
        resp={"ConsoleLogin": "Success"},
        extra={"additionalEventData": {"MobileVersion": "No", "MFAUsed": "No"}, "eventType": "AwsConsoleSignIn"})
    return ident


def people():
    home = {u: "%s.%d.%d" % (b, R.randrange(0, 256), R.randrange(1, 255)) for u, (b, _) in PEOPLE.items()}
    for day in range(HOURS // 24):
        for u, (b, psets) in PEOPLE.items():
            for acct in (PROD, DEV):
                pset = psets[day % len(psets)]
                t = at(day * 24 + 8 + R.randrange(0, 2), R.randrange(60))
                ident = sso_login(acct, t, u, pset, home[u], BROWSER)
                for i in range(R.randrange(20, 50)):
                    src, name = R.choice(CONSOLE_READS)
                    emit(acct, t + timedelta(seconds=30 + i * 40), src, name, ident, home[u], "console.amazonaws.com")
                # the CLI too, with the same session
                for i in range(R.randrange(5, 15)):
                    src, name = R.choice(CONSOLE_READS)
                    emit(acct, t + timedelta(minutes=40, seconds=i * 20), src, name, ident, home[u],
                         CLI.format(cmd=src.split(".")[0] + "." + name.lower()))
    # a traveller: carol signs in on the last day from VPN exits in several countries,
    # hours apart, the same browser
    exits = ["185.220.%d.%d", "45.86.%d.%d", "103.152.%d.%d", "146.70.%d.%d"]
    for k, h in enumerate((50, 54, 59, 64)):
        ip = exits[k] % (R.randrange(0, 256), R.randrange(1, 255))
        ident = sso_login(PROD, at(h, 5), "carol.smith@example.com", "SecurityAudit", ip, BROWSER)
        for i in range(12):
            src, name = R.choice(CONSOLE_READS)
            emit(PROD, at(h, 6, i * 30), src, name, ident, ip, "console.amazonaws.com")
    # the security team (carol, AdministratorAccess in SEC) runs GuardDuty and Security Hub
    for day in range(HOURS // 24):
        t = at(day * 24 + 10, 15)
        ident = sso_login(SEC, t, "carol.smith@example.com", "AdministratorAccess", home["carol.smith@example.com"], BROWSER)
        for i, (src, name) in enumerate((("guardduty.amazonaws.com", "ListFindings"), ("guardduty.amazonaws.com", "GetFindings"),
                                         ("securityhub.amazonaws.com", "GetFindings"), ("guardduty.amazonaws.com", "ListFilters"),
                                         ("securityhub.amazonaws.com", "BatchUpdateFindings"))):
            emit(SEC, t + timedelta(minutes=1 + i), src, name, ident, home["carol.smith@example.com"], "console.amazonaws.com")
        if day == HOURS // 24 - 1:
            for i, (src, name, req) in enumerate((
                ("guardduty.amazonaws.com", "UpdateDetector", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0",
                                                               "findingPublishingFrequency": "FIFTEEN_MINUTES"}),
                ("guardduty.amazonaws.com", "CreateFilter", {"detectorId": "12abc34d567e8fa901bc2d34e56789f0",
                                                             "name": "archive-scanner-recon", "action": "ARCHIVE",
                                                             "findingCriteria": {"criterion": {"type": {"eq": ["Recon:EC2/PortProbeUnprotectedPort"]}}}}),
                ("guardduty.amazonaws.com", "UpdateFilter", {"filterName": "archive-scanner-recon", "action": "ARCHIVE"}),
                ("securityhub.amazonaws.com", "UpdateStandardsControl", {"controlStatus": "DISABLED",
                                                                         "disabledReason": "not applicable"}),
                ("securityhub.amazonaws.com", "BatchDisableStandards", {"standardsSubscriptionArns": ["arn:x"]}),
                ("iam.amazonaws.com", "UpdateAccountPasswordPolicy", {"minimumPasswordLength": 16, "requireSymbols": True,
                                                                      "requireNumbers": True, "requireUppercaseCharacters": True,
                                                                      "requireLowercaseCharacters": True, "maxPasswordAge": 90,
                                                                      "passwordReusePrevention": 24, "allowUsersToChangePassword": True}),
            )):
                emit(SEC, t + timedelta(minutes=10 + i), src, name, ident, home["carol.smith@example.com"],
                     "console.amazonaws.com", req=req, ro=False)
            # alice, admin, tightens the password policy of PROD from the console
            ident = sso_login(PROD, t, "alice.nguyen@example.com", "AdministratorAccess", home["alice.nguyen@example.com"], BROWSER)
            emit(PROD, t + timedelta(minutes=3), "iam.amazonaws.com", "GetAccountPasswordPolicy", ident,
                 home["alice.nguyen@example.com"], "console.amazonaws.com")
            emit(PROD, t + timedelta(minutes=4), "iam.amazonaws.com", "UpdateAccountPasswordPolicy", ident,
                 home["alice.nguyen@example.com"], "console.amazonaws.com", ro=False,
                 req={"minimumPasswordLength": 14, "requireSymbols": True, "requireNumbers": True,
                      "requireUppercaseCharacters": True, "requireLowercaseCharacters": True,
                      "allowUsersToChangePassword": True, "maxPasswordAge": 90, "passwordReusePrevention": 24})
            # and rotates the backup user's access key (monthly)
            user = "svc-backup-agent"
            new_key = akid("AKIA")
            emit(PROD, t + timedelta(minutes=6), "iam.amazonaws.com", "CreateAccessKey", ident,
                 home["alice.nguyen@example.com"], "console.amazonaws.com", req={"userName": user},
                 resp={"accessKey": {"userName": user, "accessKeyId": new_key, "status": "Active"}})
            NEW_KEY[0] = new_key
            emit(PROD, t + timedelta(minutes=50), "iam.amazonaws.com", "UpdateAccessKey", ident,
                 home["alice.nguyen@example.com"], "console.amazonaws.com",
                 req={"userName": user, "accessKeyId": BACKUP_KEY, "status": "Inactive"})
            emit(PROD, t + timedelta(hours=3), "iam.amazonaws.com", "DeleteAccessKey", ident,
                 home["alice.nguyen@example.com"], "console.amazonaws.com",
                 req={"userName": user, "accessKeyId": BACKUP_KEY})
            ROTATED_AT[0] = t + timedelta(minutes=30)


BACKUP_KEY = akid("AKIA")
NEW_KEY, ROTATED_AT = [None], [None]


def backup_user():
    # an on-premises backup agent with an IAM user key, from the office /16, every hour
    user = "svc-backup-agent"
    for h in hours():
        t = at(h, 45)
        key = BACKUP_KEY if ROTATED_AT[0] is None or t < ROTATED_AT[0] else NEW_KEY[0]
        uid = {"type": "IAMUser", "principalId": "AIDA" + "Q" * 17, "arn": "arn:aws:iam::%s:user/%s" % (PROD, user),
               "accountId": PROD, "accessKeyId": key, "userName": user}
        for i, (src, name) in enumerate((("sts.amazonaws.com", "GetCallerIdentity"), ("ec2.amazonaws.com", "DescribeVolumes"),
                                         ("ec2.amazonaws.com", "CreateSnapshot"), ("ec2.amazonaws.com", "CreateTags"),
                                         ("ec2.amazonaws.com", "DescribeSnapshots"))):
            emit(PROD, t + timedelta(seconds=i * 3), src, name, uid, "198.51.100.20",
                 "aws-cli/2.15.10 Python/3.11.6 Linux/5.15.0-91-generic exe/x86_64.ubuntu.22 prompt/off command/ec2." + name.lower())


def root_billing():
    # root, with MFA, once, for a billing task (GuardDuty reports root usage: a true alarm)
    t = at(HOURS - 20, 30)
    ident = {"type": "Root", "principalId": PROD, "arn": "arn:aws:iam::%s:root" % PROD, "accountId": PROD}
    emit(PROD, t, "signin.amazonaws.com", "ConsoleLogin", ident, "86.150.40.12", BROWSER, ro=False,
         resp={"ConsoleLogin": "Success"},
         extra={"additionalEventData": {"MobileVersion": "No", "MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/billing"},
                "eventType": "AwsConsoleSignIn"})


# --- workloads ------------------------------------------------------------------------------
def workloads():
    nat = {PROD: "3.94.17.201", DEV: "34.243.88.10"}  # a NAT gateway's EIP per account
    for acct in (PROD, DEV):
        insts = ["i-0%016x" % R.getrandbits(64) for _ in range(6)]
        for h in hours():
            for k, inst in enumerate(insts):
                # the instance's key rotates every 6 hours; private subnet: calls leave
                # through the NAT gateway, or through VPC endpoints (private source)
                if h % 6 == 0 or h == 0:
                    inst_keys = getattr(workloads, "keys", {})
                    inst_keys[inst] = akid()
                    workloads.keys = inst_keys
                key = workloads.keys[inst]
                ident = role_ident(acct, "app-server-role", inst, key, created=at(h - h % 6), ec2=True)
                for i in range(8):
                    t = at(h, R.randrange(60), R.randrange(60))
                    if k % 2 == 0:
                        emit(acct, t, "ssm.amazonaws.com", "UpdateInstanceInformation", ident, nat[acct], SSM_UA)
                        emit(acct, t, "secretsmanager.amazonaws.com", "GetSecretValue", ident, nat[acct], BOTO,
                             req={"secretId": "prod/app/db"})
                    else:
                        emit(acct, t, "kms.amazonaws.com", "Decrypt", ident, "10.20.%d.%d" % (k, 10 + k), BOTO,
                             extra={"vpcEndpointId": "vpce-0a1b2c3d4e5f%05d" % k})
                        emit(acct, t, "sqs.amazonaws.com", "ReceiveMessage", ident, "10.20.%d.%d" % (k, 10 + k), BOTO,
                             extra={"vpcEndpointId": "vpce-0a1b2c3d4e5f%05d" % k})
        # a public instance stopped on day 2 evening and started on day 3 with a new address
        inst = "i-0%016x" % R.getrandbits(64)
        ips = ["44.200.%d.%d" % (R.randrange(256), R.randrange(1, 255)), "44.201.%d.%d" % (R.randrange(256), R.randrange(1, 255))] \
            if acct == PROD else ["52.17.%d.%d" % (R.randrange(256), R.randrange(1, 255)), "54.73.%d.%d" % (R.randrange(256), R.randrange(1, 255))]
        # the Instance Scheduler's Lambda stops it at 20:00 on day 2 and starts it at 02:00
        sched = role_ident(acct, "InstanceScheduler-SchedulerRole", "InstanceScheduler-Main", akid(),
                           created=at(44))
        lip = ("3.81.2.77" if acct == PROD else "52.16.9.140")
        for h, name, state in ((44, "StopInstances", "stopping"), (50, "StartInstances", "pending")):
            if h < HOURS:
                emit(acct, at(h, 0, 5), "ec2.amazonaws.com", name, sched, lip,
                     LAMBDA_UA.format(api="ec2").replace("nodejs20.x", "python3.11").replace("aws-sdk-js/3.496.0", BOTO),
                     req={"instancesSet": {"items": [{"instanceId": inst}]}},
                     resp={"instancesSet": {"items": [{"instanceId": inst, "currentState": {"name": state}}]}})
        for h in hours():
            if 44 <= h < 50:
                continue
            key = akid() if h % 6 == 0 or h == 50 else key
            ident = role_ident(acct, "bastion-role", inst, key, created=at(h), ec2=True)
            ip = ips[0] if h < 44 else ips[1]
            for i in range(4):
                emit(acct, at(h, i * 15 + 2), "ssm.amazonaws.com", "UpdateInstanceInformation", ident, ip, SSM_UA)
                emit(acct, at(h, i * 15 + 3), "ec2messages.amazonaws.com", "GetMessages", ident, ip, SSM_UA)
        # Lambda functions and ECS tasks: their calls come from AWS-owned addresses that
        # change every few hours
        for h in hours():
            ip = ("3.%d.%d.%d" % (R.randrange(80, 96), R.randrange(256), R.randrange(1, 255))) if acct == PROD else \
                ("54.%d.%d.%d" % (R.randrange(72, 74), R.randrange(256), R.randrange(1, 255)))
            key = akid()
            ident = role_ident(acct, "orders-api-role", "orders-api", key, path="/service-role/", created=at(h))
            for i in range(10):
                emit(acct, at(h, i * 6), "dynamodb.amazonaws.com", "DescribeTable", ident, ip, LAMBDA_UA.format(api="dynamodb"))
                emit(acct, at(h, i * 6, 1), "secretsmanager.amazonaws.com", "GetSecretValue", ident, ip,
                     LAMBDA_UA.format(api="secrets-manager"), req={"secretId": "orders/api-key"})
            ip2 = ("34.%d.%d.%d" % (R.randrange(192, 208), R.randrange(256), R.randrange(1, 255))) if acct == PROD else \
                ("52.16.%d.%d" % (R.randrange(256), R.randrange(1, 255)))
            task = uuid.UUID(int=R.getrandbits(128)).hex
            ident = role_ident(acct, "ecs-billing-task-role", task, akid(), created=at(h))
            for i in range(6):
                emit(acct, at(h, i * 10, 30), "ssm.amazonaws.com", "GetParameters", ident, ip2, ECS_UA,
                     req={"names": ["/billing/db-url"], "withDecryption": True})
                emit(acct, at(h, i * 10, 31), "sqs.amazonaws.com", "SendMessage", ident, ip2, ECS_UA)


def eip_swap():
    # blue/green with an Elastic IP: the web server has the EIP; on day 3 a deploy moves
    # it to the new instance (AssociateAddress with allowReassociation). The old instance
    # keeps running a few hours (draining), from the public address AWS gives it back.
    acct = PROD
    eip, old_pub = "44.210.15.30", "44.211.%d.%d" % (R.randrange(256), R.randrange(1, 255))
    blue, green = "i-0%016x" % R.getrandbits(64), "i-0%016x" % R.getrandbits(64)
    admin = role_ident(acct, "github-actions-terraform", "GitHubActions", akid(), created=at(1),
                       webid={"federatedProvider": "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com" % acct,
                              "attributes": {}})
    ip = azure_ip()
    emit(acct, at(1, 2), "ec2.amazonaws.com", "AssociateAddress", admin, ip, TF_UA + " api/ec2#1.141.0",
         req={"instanceId": blue, "publicIp": eip, "allowReassociation": True},
         resp={"associationId": "eipassoc-0a1b2c3d4e5f60001", "return": True})
    swap = HOURS - 12
    for h in range(2, HOURS):
        for inst in (blue, green):
            if inst == green and h < swap:
                continue
            if inst == blue and h >= swap + 4:
                continue
            if h % 6 == 0 or h == 2 or (inst == green and h == swap):
                KEYS[inst] = akid()
            ident = role_ident(acct, "web-server-role", inst, KEYS[inst], created=at(h - h % 6), ec2=True)
            src_ip = eip if (inst == green or h < swap) else old_pub
            for i in range(6):
                emit(acct, at(h, i * 10 + 4 if not (inst == blue and h == swap) else 30 + i * 5), "ssm.amazonaws.com",
                     "UpdateInstanceInformation", ident, src_ip, SSM_UA)
                emit(acct, at(h, i * 10 + 5 if not (inst == blue and h == swap) else 30 + i * 5), "s3.amazonaws.com",
                     "ListBuckets", ident, src_ip, BOTO)
        if h == swap:
            emit(acct, at(h, 20), "ec2.amazonaws.com", "AssociateAddress", admin, azure_ip(), TF_UA + " api/ec2#1.141.0",
                 req={"instanceId": green, "publicIp": eip, "allowReassociation": True},
                 resp={"associationId": "eipassoc-0a1b2c3d4e5f60002", "return": True})
    if ATTACK:
        # the attacks of this estate's near misses: blue's key from a VPS after it
        # learned its drain address, and green's (it has the Elastic IP) from another
        for inst, h, ip in ((blue, swap + 2, "185.220.101.45"), (green, swap + 3, "45.134.26.9")):
            ident = role_ident(acct, "web-server-role", inst, KEYS[inst], created=at(h - h % 6), ec2=True)
            emit(acct, at(h, 59), "sts.amazonaws.com", "GetCallerIdentity", ident, ip, CLI.format(cmd="sts.get-caller-identity"))
    # an Elastic IP taken away (DisassociateAddress, in a VPC: it names only the
    # association): the reporting server keeps running from the public address AWS
    # gives it back
    rep_eip, rep_pub = "44.210.15.31", "44.212.%d.%d" % (R.randrange(256), R.randrange(1, 255))
    rep = "i-0%016x" % R.getrandbits(64)
    emit(acct, at(1, 3), "ec2.amazonaws.com", "AssociateAddress", admin, ip, TF_UA + " api/ec2#1.141.0",
         req={"instanceId": rep, "publicIp": rep_eip},
         resp={"associationId": "eipassoc-0a1b2c3d4e5f60003", "return": True})
    gone = HOURS - 20
    for h in range(2, HOURS):
        if h % 6 == 0 or h == 2:
            KEYS[rep] = akid()
        ident = role_ident(acct, "reports-role", rep, KEYS[rep], created=at(h - h % 6), ec2=True)
        for i in range(4):
            emit(acct, at(h, i * 15 + 7), "s3.amazonaws.com", "ListBuckets", ident,
                 rep_eip if h < gone or (h == gone and i < 2) else rep_pub, BOTO)
        if h == gone:
            emit(acct, at(h, 25), "ec2.amazonaws.com", "DisassociateAddress", admin, azure_ip(),
                 TF_UA + " api/ec2#1.141.0", req={"associationId": "eipassoc-0a1b2c3d4e5f60003"},
                 resp={"return": True})
    if ATTACK:
        h = gone + 2
        ident = role_ident(acct, "reports-role", rep, KEYS[rep], created=at(h - h % 6), ec2=True)
        emit(acct, at(h, 59), "sts.amazonaws.com", "GetCallerIdentity", ident, "185.220.101.47",
             CLI.format(cmd="sts.get-caller-identity"))
    # centralised egress: DEV's instances reach AWS through the network account's NAT
    # gateways (a Transit Gateway to a shared egress VPC): their calls come from an EIP
    # of another account, shared by every workload account's instances
    nat = "34.240.77.15"
    for acct in (DEV,):
        for k in range(4):
            inst = "i-0%016x" % R.getrandbits(64)
            for h in hours():
                if h % 6 == 0:
                    KEYS[inst] = akid()
                ident = role_ident(acct, "batch-worker-role", inst, KEYS[inst], created=at(h - h % 6), ec2=True)
                for i in range(3):
                    emit(acct, at(h, i * 20 + k), "sqs.amazonaws.com", "ReceiveMessage", ident, nat, BOTO)


KEYS = {}


def trail_move():
    # PROD's own trail delivers to the console's default bucket (CloudTrail checks its
    # ACL before deliveries, every few minutes) until the platform team moves it, on
    # day 2, to the organisation's log archive bucket (another account); the old
    # bucket is emptied and deleted on day 3.
    acct = PROD
    old = "aws-cloudtrail-logs-%s-5e1f9a2b" % acct
    moved = 30
    for m in range(0, moved * 60, 5):
        emit(acct, T0 + timedelta(minutes=m, seconds=R.randrange(60)), "s3.amazonaws.com", "GetBucketAcl",
             svc_ident("cloudtrail.amazonaws.com"), "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com",
             req={"bucketName": old, "Host": "%s.s3.us-east-1.amazonaws.com" % old, "acl": ""}, ro=True,
             extra={"resources": [{"accountId": acct, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::" + old}]})
    ident = sso_login(acct, at(moved, 0), "alice.nguyen@example.com", "AdministratorAccess", "86.150.40.12", BROWSER)
    emit(acct, at(moved, 3), "cloudtrail.amazonaws.com", "UpdateTrail", ident, "86.150.40.12", "console.amazonaws.com",
         req={"name": "prod-trail", "s3BucketName": "example-org-log-archive-%s" % ORG_MGMT, "s3KeyPrefix": "prod"},
         resp={"name": "prod-trail", "s3BucketName": "example-org-log-archive-%s" % ORG_MGMT, "s3KeyPrefix": "prod",
               "trailARN": "arn:aws:cloudtrail:us-east-1:%s:trail/prod-trail" % acct, "isMultiRegionTrail": True},
         ro=False)
    if ATTACK:
        # a second trail's bucket, still delivered to, deleted with the SSO session
        live = "security-trail-logs-%s" % acct
        for m in range(0, HOURS * 60 - 50, 5):
            emit(acct, T0 + timedelta(minutes=m, seconds=R.randrange(60)), "s3.amazonaws.com", "GetBucketAcl",
                 svc_ident("cloudtrail.amazonaws.com"), "cloudtrail.amazonaws.com", "cloudtrail.amazonaws.com",
                 req={"bucketName": live, "acl": ""}, ro=True)
        emit(acct, at(HOURS - 1, 20), "s3.amazonaws.com", "DeleteBucket", ident, "86.150.40.12",
             "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]", req={"bucketName": live}, ro=False)
    if HOURS > moved + 24:
        t = at(moved + 24, 15)
        ident = sso_login(acct, t, "alice.nguyen@example.com", "AdministratorAccess", "86.150.40.12", BROWSER)
        emit(acct, t + timedelta(minutes=2), "s3.amazonaws.com", "PutBucketLifecycle", ident, "86.150.40.12",
             "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]", req={"bucketName": old, "lifecycle": ""}, ro=False)
        emit(acct, at(HOURS - 2, 40), "s3.amazonaws.com", "DeleteBucket", ident, "86.150.40.12",
             "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]", req={"bucketName": old}, ro=False)


def write(out):
    n = 0
    for (acct, region), recs in EVENTS.items():
        recs.sort(key=lambda r: r["eventTime"])
        buckets = {}
        for r in recs:
            t = datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
            buckets.setdefault(t.replace(minute=t.minute - t.minute % 15, second=0), []).append(r)
        for b, rs in buckets.items():
            d = os.path.join(out, "AWSLogs", acct, "CloudTrail", region, b.strftime("%Y"), b.strftime("%m"), b.strftime("%d"))
            os.makedirs(d, exist_ok=True)
            name = "%s_CloudTrail_%s_%s_%s.json.gz" % (acct, region, b.strftime("%Y%m%dT%H%MZ"), rid())
            with gzip.open(os.path.join(d, name), "wt") as f:
                json.dump({"Records": rs}, f, separators=(",", ":"))
            n += len(rs)
    return n


def main():
    global HOURS
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    HOURS = 72
    if "--hours" in args:
        HOURS = int(args[args.index("--hours") + 1])
    global ATTACK
    ATTACK = "--attack" in args
    if "--seed" in args:
        R.seed(int(args[args.index("--seed") + 1]))
    for acct in (PROD, DEV, SEC):
        aws_services(acct)
    for acct in (PROD, DEV):
        autoscaling(acct)
        cloudformation(acct)
        cspm(acct)
    github_actions()
    people()
    backup_user()
    root_billing()
    workloads()
    eip_swap()
    trail_move()
    fp_cloudtrail_org.run(sys.modules[__name__])
    print("%d records" % write(out))


HOURS = 72
ATTACK = False
if __name__ == "__main__":
    main()
