"""Panther rules that correspond to a finding type of issue #5.

The CloudTrail eval (scripts/eval/cloudtrail.py) runs every CloudTrail test of
panther-aws-tests and, for the rules below, checks whether "one of TYPES
fired" agrees with the test's ExpectedResult. Only rules whose intent clearly
is one of our types are here; SCOPE narrows a broad rule to the tests that
are about that type (a test is in scope when its log's "source:eventName",
e.g. "s3:PutBucketLogging", matches one of the SCOPE fnmatch patterns; None
means every test of the rule).
NOTE says where the rule's test expectations and GuardDuty's semantics are
known to differ; the eval prints it next to a disagreement.

Left out on purpose:
- AWS.Console.RootLoginFailed: its positive is a failed root sign-in, which
  uses no credential (not RootCredentialUsage, docs/detectors/cloudtrail.md),
  and its negative is a successful root sign-in, which is one.
- AWS.S3.BucketPolicyModified: any policy or ACL change, public or not.
- AWS.CloudTrail.PasswordSpraying, AWS.Console.LoginWithoutMFA and the like:
  no GuardDuty type of issue #5 (ConsoleLoginSuccess.B is impossible travel).
- Password policy changes (Stealth:IAMUser/PasswordPolicyChange) and the
  PenTest:* user agents: no Panther rule in the data tests them.
"""

ROOT = ("Policy:IAMUser/RootCredentialUsage", "Policy:IAMUser/ShortTermRootCredentialUsage")
LOGGING = ("Stealth:IAMUser/CloudTrailLoggingDisabled",)

# (rule id, scope patterns or None, finding type patterns (fnmatch), note)
PANTHER_MAP = (
    ("AWS.CloudTrail.Stopped", None, LOGGING, ""),
    ("AWS.CloudTrail.EventSelectorsDisabled", None, LOGGING, ""),
    ("AWS.CloudTrail.SecurityConfigurationChange", ("cloudtrail:*",), LOGGING,
     "only its CloudTrail tests; the rule also covers other services"),
    ("AWS.Console.RootLogin", None, ROOT, ""),
    ("AWS.Root.Activity", None, ROOT,
     "Panther skips read-only and service-linked-role root calls and failures; "
     "GuardDuty counts every call made with root credentials"),
    ("AWS.CloudTrail.RootAccessKeyCreated", None, ROOT,
     "Panther's negative is root creating a key for a user: still a root call"),
    ("AWS.CloudTrail.RootPasswordChanged", None, ROOT,
     "Panther's negative is a failed change: still a call with root credentials"),
    ("AWS.Bedrock.DeleteModelInvocationLoggingConfiguration", None,
     ("DefenseEvasion:IAMUser/BedrockLoggingDisabled",), ""),
    ("AWS.S3.DeletePublicAccessBlock", None, ("Policy:S3/*BlockPublicAccessDisabled",), ""),
    ("AWS.S3.DisableBucketLogging", None, ("Stealth:S3/ServerAccessLoggingDisabled",), ""),
    ("AWS.S3.SecurityControlDisabling", ("*:PutBucketLogging",),
     ("Stealth:S3/ServerAccessLoggingDisabled",), "only its bucket-logging tests"),
    ("AWS.CloudTrail.ResourceMadePublic", ("s3:*",), ("Policy:S3/Bucket*AccessGranted",),
     "only its S3 tests; the rule also covers ECR, KMS, SQS and others"),
    ("AWS.CloudTrail.IMDSCredentialExfiltration", None,
     ("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.*",),
     "one record per test: the detector learns an instance's own addresses from the stream"),
    ("Standard.ImpossibleTravel.Login", None, ("UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B",),
     "Panther mocks the earlier login; a single record cannot show travel"),
)
