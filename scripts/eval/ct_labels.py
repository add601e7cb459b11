"""Technique labels for the CloudTrail eval (scripts/eval/cloudtrail.py).

Two const tables:

INVICTUS_SIGNATURES names the Stratus Red Team technique behind each
`stratus-red-team_<uuid>` run of cloudtrail-invictus-aws-dataset. Stratus gives
one uuid to a technique's warm-up (Terraform), detonation and revert, and a
new one to each pre-flight check and each cleanup; the dataset's README does
not say which uuid is which technique, so the label is inferred from the
run's calls. A run gets the label of the FIRST row below with one of the
row's calls ("eventSource-prefix:eventName", matched as a prefix of
"ec2:GetPasswordData" etc., so "lambda:UpdateFunctionCode" matches
UpdateFunctionCode20150331v2), failed calls included. The order matters: the
specific calls first (a CloudTrail warm-up also puts a bucket policy; the SSM
techniques also launch instances). The technique names are Stratus's of July
2023, when the dataset was captured. A run that matches no row is
UNIDENTIFIED (e.g. a warm-up that failed with VpcLimitExceeded).

A record without the user agent that a role created by a labelled run made
(its sessionIssuer is the roleName of that run's iam:CreateRole) takes the
run's label: an instance's own calls with its role, and the calls made with
credentials stolen from it, carry the SDK's user agent, not Stratus's.

ISSUE5_EXPECT names, per technique or scenario, the finding types of issue #5
(docs/detectors/cloudtrail.md) it clearly corresponds to. The eval prints
them next to what fired so a missed detection stands out. Patterns use
fnmatch syntax. Techniques absent here map to no type of issue #5.
"""

PREFLIGHT = "(stratus pre-flight check)"
UNIDENTIFIED = "(stratus run, technique not identified)"
UNLABELLED = "(not part of a stratus run)"

INVICTUS_SIGNATURES = (
    ("aws.credential-access.ec2-get-password-data", ("ec2:GetPasswordData",)),
    ("aws.credential-access.secretsmanager-batch-retrieve-secrets",
     ("secretsmanager:BatchGetSecretValue",)),
    ("aws.credential-access.secretsmanager-retrieve-secrets",
     ("secretsmanager:GetSecretValue", "secretsmanager:CreateSecret")),
    ("aws.credential-access.ssm-retrieve-securestring-parameters",
     ("ssm:GetParameter", "ssm:PutParameter")),
    # SendCommand, then reading the command's output (the stolen credentials).
    ("aws.credential-access.ec2-steal-instance-credentials", ("ssm:GetCommandInvocation",)),
    # SendCommand alone: discovery commands run on the instance.
    ("aws.discovery.ec2-enumerate-from-instance", ("ssm:SendCommand",)),
    ("aws.defense-evasion.organizations-leave", ("organizations:LeaveOrganization",)),
    ("aws.defense-evasion.vpc-remove-flow-logs", ("ec2:DeleteFlowLogs", "ec2:CreateFlowLogs")),
    ("aws.defense-evasion.cloudtrail-lifecycle-rule",
     ("s3:PutBucketLifecycle", "s3:DeleteBucketLifecycle")),
    ("aws.defense-evasion.cloudtrail-event-selectors", ("cloudtrail:PutEventSelectors",)),
    # StartLogging alone is the revert of cloudtrail-stop.
    ("aws.defense-evasion.cloudtrail-stop", ("cloudtrail:StopLogging", "cloudtrail:StartLogging")),
    ("aws.defense-evasion.cloudtrail-delete", ("cloudtrail:DeleteTrail",)),
    ("aws.discovery.ec2-download-user-data", ("ec2:DescribeInstanceAttribute",)),
    ("aws.execution.ec2-user-data", ("ec2:ModifyInstanceAttribute",)),
    ("aws.execution.ec2-launch-unusual-instances", ("ec2:RunInstances",)),
    ("aws.exfiltration.ec2-security-group-open-port-22-ingress",
     ("ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress")),
    ("aws.exfiltration.ec2-share-ami", ("ec2:ModifyImageAttribute", "ec2:RegisterImage")),
    ("aws.exfiltration.ec2-share-ebs-snapshot", ("ec2:ModifySnapshotAttribute",)),
    ("aws.exfiltration.rds-share-snapshot", ("rds:ModifyDBSnapshotAttribute",)),
    ("aws.exfiltration.s3-backdoor-bucket-policy", ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")),
    ("aws.initial-access.console-login-without-mfa", ("signin:ConsoleLogin",)),
    ("aws.persistence.iam-backdoor-role", ("iam:UpdateAssumeRolePolicy",)),
    ("aws.persistence.iam-create-admin-user", ("iam:AttachUserPolicy", "iam:DetachUserPolicy")),
    ("aws.persistence.iam-backdoor-user", ("iam:CreateAccessKey", "iam:DeleteAccessKey")),
    ("aws.persistence.iam-create-user-login-profile",
     ("iam:CreateLoginProfile", "iam:DeleteLoginProfile")),
    ("aws.privilege-escalation.iam-update-user-login-profile", ("iam:UpdateLoginProfile",)),
    ("aws.persistence.lambda-overwrite-code", ("lambda:UpdateFunctionCode",)),
    ("aws.persistence.lambda-backdoor-function",
     ("lambda:AddPermission", "lambda:RemovePermission")),
    ("aws.persistence.lambda-layer-extension", ("lambda:PublishLayerVersion",)),
    ("aws.persistence.rolesanywhere-create-trust-anchor",
     ("rolesanywhere:CreateTrustAnchor", "rolesanywhere:DeleteTrustAnchor")),
    ("aws.persistence.sts-federation-token", ("sts:GetFederationToken",)),
    ("aws.impact.bedrock-invoke-model", ("bedrock:InvokeModel",)),
    (PREFLIGHT, ("ec2:DescribeAccountAttributes",)),
)

_LOGGING = ("Stealth:IAMUser/CloudTrailLoggingDisabled",)
_INSTANCE_CREDS = ("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.*",)

ISSUE5_EXPECT = {
    "aws.defense-evasion.cloudtrail-stop": _LOGGING,
    "aws.defense-evasion.cloudtrail-delete": _LOGGING,
    "aws.defense-evasion.cloudtrail-event-selectors": _LOGGING,
    "aws.credential-access.ec2-steal-instance-credentials": _INSTANCE_CREDS,
    "ec2-proxy-s3-exfiltration": _INSTANCE_CREDS,
}


def call_name(rec):
    """'ec2:GetPasswordData' for a CloudTrail record (dict)."""
    src = str(rec.get("eventSource") or "?")
    if src.endswith(".amazonaws.com"):
        src = src[: -len(".amazonaws.com")]
    return src + ":" + str(rec.get("eventName") or "?")


def issuer_role(rec):
    """The role name behind an AssumedRole record (sessionIssuer.userName), or None."""
    ui = rec.get("userIdentity")
    ctx = ui.get("sessionContext") if isinstance(ui, dict) else None
    iss = ctx.get("sessionIssuer") if isinstance(ctx, dict) else None
    name = iss.get("userName") if isinstance(iss, dict) else None
    return name if isinstance(name, str) and name else None


def created_role(rec):
    """The role name an iam:CreateRole record creates, or None."""
    if call_name(rec) != "iam:CreateRole":
        return None
    params = rec.get("requestParameters")
    name = params.get("roleName") if isinstance(params, dict) else None
    return name if isinstance(name, str) and name else None


def label_run(calls):
    """The technique label of one Stratus run, given its calls (call_name strings)."""
    calls = set(calls)
    for label, sigs in INVICTUS_SIGNATURES:
        if label == PREFLIGHT:
            # Only a run made of nothing but the check is a pre-flight check.
            if calls and all(c.startswith(sigs[0]) for c in calls):
                return label
            continue
        if any(c.startswith(s) for c in calls for s in sigs):
            return label
    return UNIDENTIFIED
