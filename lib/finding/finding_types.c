/*
 * The finding type table: every type of ../shared/spec/finding-types.csv
 * (active, retired and renamed), sorted by name for binary search. Columns:
 * type, resourceType, AccessKey-with-s3BucketDetails, actionType, usual
 * connectionDirection, default resourceRole, default severity (as TARGET),
 * severity as ACTOR (brute force only), identity flags, status, and title and
 * description templates. The wording of titles and descriptions is coalmine's
 * own. Attack sequences (no resource of their own in the CSV) use AccessKey
 * (IAM) and S3Bucket (S3) with severity 9 (Critical).
 */
#include "finding/finding.h"

#include <string.h>

static const struct cm_finding_type_info types[] = {
    {"AttackSequence:IAM/CompromisedCredentials", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 9.0, 0.0, CM_FID_ANY_REGION, CM_TYPE_ACTIVE,
     "A sequence of signals suggests credentials of {user} are compromised.",
     "Several related signals for {user} form an attack sequence that suggests compromised "
     "credentials."},
    {"AttackSequence:S3/CompromisedData", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 9.0, 0.0, CM_FID_CALLER | CM_FID_ANY_REGION | CM_FID_ANY_RESOURCE,
     CM_TYPE_ACTIVE, "A sequence of signals suggests data in S3 is compromised.",
     "Several related signals around bucket {bucket} form an attack sequence that suggests data "
     "compromise."},
    {"Backdoor:EC2/C&CActivity.B", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} talks to a command-and-control server.",
     "EC2 instance {resource} exchanged traffic with {remote}, an address listed as a "
     "command-and-control server."},
    {"Backdoor:EC2/C&CActivity.B!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a command-and-control domain.",
     "EC2 instance {resource} resolved {domain}, a domain listed as a command-and-control server."},
    {"Backdoor:EC2/DenialOfService.Dns", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} may be flooding a host with DNS traffic.",
     "EC2 instance {resource} sent an unusually large volume of DNS-protocol traffic to {remote}."},
    {"Backdoor:EC2/DenialOfService.Tcp", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} may be flooding a host with TCP traffic.",
     "EC2 instance {resource} sent an unusually large volume of TCP traffic to {remote}."},
    {"Backdoor:EC2/DenialOfService.Udp", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} may be flooding a host with UDP traffic.",
     "EC2 instance {resource} sent an unusually large volume of UDP traffic to {remote}."},
    {"Backdoor:EC2/DenialOfService.UdpOnTcpPorts", CM_RES_INSTANCE, false,
     CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND, CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} sends UDP floods to TCP ports.",
     "EC2 instance {resource} sent a large volume of UDP traffic to ports normally used by TCP on "
     "{remote}."},
    {"Backdoor:EC2/DenialOfService.UnusualProtocol", CM_RES_INSTANCE, false,
     CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND, CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} floods a host over an unusual protocol.",
     "EC2 instance {resource} sent a large volume of traffic over an unusual IP protocol to "
     "{remote}."},
    {"Backdoor:EC2/Spambot", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} sends mail traffic it normally does not.",
     "EC2 instance {resource} connected to {remote} on port 25, which it does not usually use; it "
     "may be sending spam."},
    {"Backdoor:EC2/XORDDOS", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RETIRED,
     "EC2 instance {resource} talks to an XOR DDoS host.",
     "EC2 instance {resource} exchanged traffic with {remote}, an address tied to XOR DDoS "
     "malware."},
    {"Behavior:EC2/NetworkPortUnusual", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} connects out on an unusual port.",
     "EC2 instance {resource} connected to {remote} on a port it has not used before."},
    {"Behavior:EC2/TrafficVolumeUnusual", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} sends an unusual volume of traffic.",
     "EC2 instance {resource} sent far more traffic to {remote} than its baseline."},
    {"Behavior:IAMUser/InstanceLaunchUnusual", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for behavior.",
     "{user} called {api} from {remote}; this behavior activity is unusual for this principal "
     "(InstanceLaunchUnusual)."},
    {"CredentialAccess:EC2/UnsecuredCredentials", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} retrieved the administrator password of an EC2 instance.",
     "{user} called {api} and received an instance's encrypted Windows administrator password "
     "(custom detection rule EC2PasswordDataRetrieved)."},
    {"CredentialAccess:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for credential access.",
     "{user} called {api} from {remote}; this credential access activity is unusual for this "
     "principal (AnomalousBehavior)."},
    {"CredentialAccess:RDS/ModifyAuthenticationProcess", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} reset the master password of an RDS database.",
     "{user} called {api} and changed how the database's master user authenticates (custom "
     "detection rule RDSMasterPasswordReset)."},
    {"CryptoCurrency:EC2/BitcoinTool.A", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RETIRED,
     "EC2 instance {resource} talks to a Bitcoin network host.",
     "EC2 instance {resource} exchanged traffic with {remote}, a Bitcoin network host."},
    {"CryptoCurrency:EC2/BitcoinTool.B", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} talks to a cryptocurrency address.",
     "EC2 instance {resource} exchanged traffic with {remote}, an address tied to cryptocurrency "
     "mining."},
    {"CryptoCurrency:EC2/BitcoinTool.B!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a cryptocurrency domain.",
     "EC2 instance {resource} resolved {domain}, a domain tied to cryptocurrency mining."},
    {"DefenseEvasion:EC2/UnusualDNSResolver", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} uses an unusual DNS resolver.",
     "EC2 instance {resource} sent DNS queries to {remote}, a public resolver it does not normally "
     "use."},
    {"DefenseEvasion:EC2/UnusualDoHActivity", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} uses DNS over HTTPS unusually.",
     "EC2 instance {resource} talked to the DNS-over-HTTPS server {remote}, which it does not "
     "normally use."},
    {"DefenseEvasion:EC2/UnusualDoTActivity", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} uses DNS over TLS unusually.",
     "EC2 instance {resource} talked to the DNS-over-TLS server {remote}, which it does not "
     "normally use."},
    {"DefenseEvasion:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for defense evasion.",
     "{user} called {api} from {remote}; this defense evasion activity is unusual for this "
     "principal (AnomalousBehavior)."},
    {"DefenseEvasion:IAMUser/BedrockLoggingDisabled", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Bedrock model invocation logging was disabled by {user}.",
     "{user} called {api} and turned off Amazon Bedrock model invocation logging."},
    {"DefenseImpairment:EC2/DisableOrModifyTools", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} disabled or modified EC2 security tooling.",
     "{user} called {api}, which impairs EC2 defences such as VPC flow logs or instance "
     "termination (custom detection rules VPCFlowLogsDeleted, EC2TerminationProtectionEnabled)."},
    {"DefenseImpairment:Organizations/DisableOrModifyTools", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} disabled an AWS Organizations guardrail policy type.",
     "{user} called {api} and turned off a guardrail policy type of the organization (custom "
     "detection rule OrganizationPolicyDisabled)."},
    {"DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} tried to take an account out of its AWS organization.",
     "{user} called {api}, which removes an account from the organization and its policies (custom "
     "detection rule OrganizationLeaveAttempt)."},
    {"Discovery:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for discovery.",
     "{user} called {api} from {remote}; this discovery activity is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Discovery:S3/AnomalousBehavior", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 2.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Unusual discovery activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Discovery:S3/BucketEnumeration.Unusual", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_RETIRED,
     "Unusual discovery activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(BucketEnumeration.Unusual)."},
    {"Discovery:S3/MaliciousIPCaller", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was listed from a malicious address.",
     "{user} called {api} on bucket {bucket} from {remote}, an address on a threat list."},
    {"Discovery:S3/MaliciousIPCaller.Custom", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was listed from an address on a custom threat list.",
     "{user} called {api} on bucket {bucket} from {remote}, which is on one of your threat lists."},
    {"Discovery:S3/TorIPCaller", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was listed from a Tor exit node.",
     "{user} called {api} on bucket {bucket} from {remote}, a Tor exit node."},
    {"Exfiltration:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for exfiltration.",
     "{user} called {api} from {remote}; this exfiltration activity is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Exfiltration:S3/AnomalousBehavior", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Unusual exfiltration activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Exfiltration:S3/MaliciousIPCaller", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Objects of S3 bucket {bucket} were read from a malicious address.",
     "{user} called {api} on bucket {bucket} from {remote}, an address on a threat list."},
    {"Exfiltration:S3/ObjectRead.Unusual", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_RETIRED,
     "Unusual exfiltration activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(ObjectRead.Unusual)."},
    {"Impact:EC2/AbusedDomainRequest.Reputation", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a commonly abused domain.",
     "EC2 instance {resource} resolved {domain}, a low-reputation domain that is often abused."},
    {"Impact:EC2/BitcoinDomainRequest.Reputation", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a low-reputation cryptocurrency domain.",
     "EC2 instance {resource} resolved {domain}, a low-reputation domain tied to cryptocurrency."},
    {"Impact:EC2/MaliciousDomainRequest.Custom", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a domain on a custom threat list.",
     "EC2 instance {resource} resolved {domain}, which is on one of your threat lists."},
    {"Impact:EC2/MaliciousDomainRequest.Reputation", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a likely malicious domain.",
     "EC2 instance {resource} resolved {domain}, a low-reputation domain linked to malicious "
     "activity."},
    {"Impact:EC2/MassIPScan", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RENAMED, "EC2 instance {resource} scans many hosts.",
     "EC2 instance {resource} contacted a large number of remote addresses."},
    {"Impact:EC2/PortSweep", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND,
     CM_ROLE_ACTOR, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} sweeps one port across many hosts.",
     "EC2 instance {resource} probed the same port on many remote addresses."},
    {"Impact:EC2/SuspiciousDomainRequest.Reputation", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a suspicious domain.",
     "EC2 instance {resource} resolved {domain}, a low-reputation domain."},
    {"Impact:EC2/WinRMBruteForce", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_NONE,
     CM_ROLE_TARGET, 2.0, 8.0, CM_FID_ROLE, CM_TYPE_ACTIVE,
     "{remote} is brute forcing WinRM on {resource}.",
     "Repeated WinRM connection attempts between {remote} and EC2 instance {resource} suggest "
     "password guessing."},
    {"Impact:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for impact.",
     "{user} called {api} from {remote}; this impact activity is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Impact:S3/AnomalousBehavior.Delete", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(AnomalousBehavior.Delete)."},
    {"Impact:S3/AnomalousBehavior.Permission", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(AnomalousBehavior.Permission)."},
    {"Impact:S3/AnomalousBehavior.Write", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(AnomalousBehavior.Write)."},
    {"Impact:S3/MaliciousIPCaller", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was changed from a malicious address.",
     "{user} called {api} on bucket {bucket} from {remote}, an address on a threat list."},
    {"Impact:S3/ObjectDelete.Unusual", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_RETIRED,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(ObjectDelete.Unusual)."},
    {"Impact:S3/ObjectDestruction.Unusual", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_RENAMED,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(ObjectDestruction.Unusual)."},
    {"Impact:S3/PermissionsModification.Unusual", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_RETIRED,
     "Unusual impact activity on S3 bucket {bucket}.",
     "{user} called {api} on bucket {bucket} in a way that is unusual for this principal "
     "(PermissionsModification.Unusual)."},
    {"InitialAccess:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for initial access.",
     "{user} called {api} from {remote}; this initial access activity is unusual for this "
     "principal (AnomalousBehavior)."},
    {"PenTest:IAMUser/KaliLinux", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE, "API {api} was called from a Kali Linux host.",
     "{user} called {api} from {remote} with a user agent of Kali Linux."},
    {"PenTest:IAMUser/ParrotLinux", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "API {api} was called from a Parrot Security host.",
     "{user} called {api} from {remote} with a user agent of Parrot Security Linux."},
    {"PenTest:IAMUser/PentooLinux", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE, "API {api} was called from a Pentoo Linux host.",
     "{user} called {api} from {remote} with a user agent of Pentoo Linux."},
    {"PenTest:S3/KaliLinux", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 API {api} was called from a Kali Linux host.",
     "{user} called {api} on bucket {bucket} from {remote} with a user agent of Kali Linux."},
    {"PenTest:S3/ParrotLinux", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 API {api} was called from a Parrot Security host.",
     "{user} called {api} on bucket {bucket} from {remote} with a user agent of Parrot Security "
     "Linux."},
    {"PenTest:S3/PentooLinux", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 API {api} was called from a Pentoo Linux host.",
     "{user} called {api} on bucket {bucket} from {remote} with a user agent of Pentoo Linux."},
    {"Persistence:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for persistence.",
     "{user} called {api} from {remote}; this persistence activity is unusual for this principal "
     "(AnomalousBehavior)."},
    {"Persistence:IAMUser/NetworkPermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for persistence.",
     "{user} called {api} from {remote}; this persistence activity is unusual for this principal "
     "(NetworkPermissions)."},
    {"Persistence:IAMUser/ResourcePermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for persistence.",
     "{user} called {api} from {remote}; this persistence activity is unusual for this principal "
     "(ResourcePermissions)."},
    {"Persistence:IAMUser/UserPermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for persistence.",
     "{user} called {api} from {remote}; this persistence activity is unusual for this principal "
     "(UserPermissions)."},
    {"Policy:IAMUser/RootCredentialUsage", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Root credentials were used to call {api}.",
     "The account root user called {api} from {remote}."},
    {"Policy:IAMUser/S3BlockPublicAccessDisabled", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_RENAMED,
     "{user} is unusually invoking APIs used for policy.",
     "{user} called {api} from {remote}; this policy activity is unusual for this principal "
     "(S3BlockPublicAccessDisabled)."},
    {"Policy:IAMUser/ShortTermRootCredentialUsage", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Short-term root credentials were used to call {api}.",
     "Short-term root credentials called {api} from {remote}."},
    {"Policy:S3/AccountBlockPublicAccessDisabled", CM_RES_ACCESS_KEY, true, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "S3 Block Public Access was turned off for the account.",
     "{user} called {api} and turned off account-level S3 Block Public Access."},
    {"Policy:S3/BucketAnonymousAccessGranted", CM_RES_ACCESS_KEY, true, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_BUCKET, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was opened to anonymous users.",
     "{user} called {api} and granted anonymous access to bucket {bucket}."},
    {"Policy:S3/BucketBlockPublicAccessDisabled", CM_RES_ACCESS_KEY, true, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, CM_FID_BUCKET, CM_TYPE_ACTIVE,
     "S3 Block Public Access was turned off for bucket {bucket}.",
     "{user} called {api} and turned off S3 Block Public Access on bucket {bucket}."},
    {"Policy:S3/BucketPublicAccessGranted", CM_RES_ACCESS_KEY, true, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_BUCKET, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was made public.",
     "{user} called {api} and granted public access to bucket {bucket}."},
    {"PrivilegeEscalation:IAMUser/AdministrativePermissions", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for privilege escalation.",
     "{user} called {api} from {remote}; this privilege escalation activity is unusual for this "
     "principal (AdministrativePermissions)."},
    {"PrivilegeEscalation:IAMUser/AnomalousBehavior", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "{user} is unusually invoking APIs used for privilege escalation.",
     "{user} called {api} from {remote}; this privilege escalation activity is unusual for this "
     "principal (AnomalousBehavior)."},
    {"Recon:EC2/PortProbeEMRUnprotectedPort", CM_RES_INSTANCE, false, CM_ACT_PORT_PROBE,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EMR port on EC2 instance {resource} is probed.",
     "An EMR cluster port on EC2 instance {resource} is open to the internet and being probed by "
     "{remote}."},
    {"Recon:EC2/PortProbeUnprotectedPort", CM_RES_INSTANCE, false, CM_ACT_PORT_PROBE, CM_DIR_NONE,
     CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE, "Open port on EC2 instance {resource} is probed.",
     "A port on EC2 instance {resource} is reachable from the internet and was probed by "
     "{remote}."},
    {"Recon:EC2/Portscan", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND,
     CM_ROLE_ACTOR, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} scans ports of a remote host.",
     "EC2 instance {resource} tried to connect to many ports of {remote} in a short time."},
    {"Recon:IAMUser/MaliciousIPCaller", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Reconnaissance API {api} was called from a malicious address.",
     "{user} called {api} from {remote}, an address on a threat list."},
    {"Recon:IAMUser/MaliciousIPCaller.Custom", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Reconnaissance API {api} was called from an address on a custom threat list.",
     "{user} called {api} from {remote}, which is on one of your threat lists."},
    {"Recon:IAMUser/NetworkPermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for recon.",
     "{user} called {api} from {remote}; this recon activity is unusual for this principal "
     "(NetworkPermissions)."},
    {"Recon:IAMUser/ResourcePermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for recon.",
     "{user} called {api} from {remote}; this recon activity is unusual for this principal "
     "(ResourcePermissions)."},
    {"Recon:IAMUser/TorIPCaller", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Reconnaissance API {api} was called from a Tor exit node.",
     "{user} called {api} from {remote}, a Tor exit node."},
    {"Recon:IAMUser/UserPermissions", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for recon.",
     "{user} called {api} from {remote}; this recon activity is unusual for this principal "
     "(UserPermissions)."},
    {"ResourceConsumption:IAMUser/ComputeResources", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for resource consumption.",
     "{user} called {api} from {remote}; this resource consumption activity is unusual for this "
     "principal (ComputeResources)."},
    {"Stealth:IAMUser/CloudTrailLoggingDisabled", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "CloudTrail logging was disabled by {user}.",
     "{user} called {api}, which stops or deletes CloudTrail logging."},
    {"Stealth:IAMUser/LoggingConfigurationModified", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for stealth.",
     "{user} called {api} from {remote}; this stealth activity is unusual for this principal "
     "(LoggingConfigurationModified)."},
    {"Stealth:IAMUser/PasswordPolicyChange", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_ACTIVE,
     "The account password policy was weakened by {user}.",
     "{user} called {api} and changed the account password policy."},
    {"Stealth:IAMUser/S3ServerAccessLoggingDisabled", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, 0, CM_TYPE_RENAMED,
     "{user} is unusually invoking APIs used for stealth.",
     "{user} called {api} from {remote}; this stealth activity is unusual for this principal "
     "(S3ServerAccessLoggingDisabled)."},
    {"Stealth:S3/ServerAccessLoggingDisabled", CM_RES_ACCESS_KEY, true, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 0.0, CM_FID_BUCKET, CM_TYPE_ACTIVE,
     "Server access logging was turned off for bucket {bucket}.",
     "{user} called {api} and disabled server access logging on bucket {bucket}."},
    {"Trojan:EC2/BlackholeTraffic", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} talks to a blackholed address.",
     "EC2 instance {resource} tried to reach {remote}, an address in a blackholed network."},
    {"Trojan:EC2/BlackholeTraffic!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a blackholed domain.",
     "EC2 instance {resource} resolved {domain}, a domain that resolves to a blackhole."},
    {"Trojan:EC2/DGADomainRequest.B", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries generated (DGA) domains.",
     "EC2 instance {resource} resolved {domain}, which looks algorithmically generated."},
    {"Trojan:EC2/DGADomainRequest.C!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries generated (DGA) domains.",
     "EC2 instance {resource} resolved {domain}, which looks algorithmically generated."},
    {"Trojan:EC2/DNSDataExfiltration", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} may be tunnelling data over DNS.",
     "EC2 instance {resource} sent DNS queries under {domain} whose shape suggests data "
     "exfiltration."},
    {"Trojan:EC2/DriveBySourceTraffic!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a drive-by download domain.",
     "EC2 instance {resource} resolved {domain}, a domain known for drive-by downloads."},
    {"Trojan:EC2/DropPoint", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION, CM_DIR_OUTBOUND,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} talks to a malware drop point.",
     "EC2 instance {resource} exchanged traffic with {remote}, an address known to collect stolen "
     "data."},
    {"Trojan:EC2/DropPoint!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST, CM_DIR_NONE,
     CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a malware drop point domain.",
     "EC2 instance {resource} resolved {domain}, a domain known to collect stolen data."},
    {"Trojan:EC2/PhishingDomainRequest!DNS", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a phishing domain.",
     "EC2 instance {resource} resolved {domain}, a domain used for phishing."},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", CM_RES_INSTANCE, false,
     CM_ACT_NETWORK_CONNECTION, CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} talks to an address on a custom threat list.",
     "EC2 instance {resource} exchanged traffic with {remote}, which is on one of your threat "
     "lists."},
    {"UnauthorizedAccess:EC2/MetadataDNSRebind", CM_RES_INSTANCE, false, CM_ACT_DNS_REQUEST,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} queries a name that resolves to the metadata service.",
     "EC2 instance {resource} resolved {domain}, which points at the instance metadata address "
     "(DNS rebinding)."},
    {"UnauthorizedAccess:EC2/RDPBruteForce", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 8.0, CM_FID_ROLE, CM_TYPE_ACTIVE,
     "{remote} is brute forcing RDP on {resource}.",
     "Repeated RDP connection attempts between {remote} and EC2 instance {resource} suggest "
     "password guessing."},
    {"UnauthorizedAccess:EC2/SSHBruteForce", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_NONE, CM_ROLE_TARGET, 2.0, 8.0, CM_FID_ROLE, CM_TYPE_ACTIVE,
     "{remote} is brute forcing SSH on {resource}.",
     "Repeated SSH connection attempts between {remote} and EC2 instance {resource} suggest "
     "password guessing."},
    {"UnauthorizedAccess:EC2/TorClient", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_OUTBOUND, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} connects to a Tor entry node.",
     "EC2 instance {resource} exchanged traffic with {remote}, a Tor entry node."},
    {"UnauthorizedAccess:EC2/TorIPCaller", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_INBOUND, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "EC2 instance {resource} receives traffic from a Tor exit node.",
     "EC2 instance {resource} received inbound traffic from {remote}, a Tor exit node."},
    {"UnauthorizedAccess:EC2/TorRelay", CM_RES_INSTANCE, false, CM_ACT_NETWORK_CONNECTION,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "EC2 instance {resource} acts as a Tor relay.",
     "EC2 instance {resource} exchanged traffic with {remote} in a way that suggests it relays Tor "
     "traffic."},
    /* coalmine's own: a decoy key planted for attackers to find (issue #5). */
    {"UnauthorizedAccess:IAMUser/CanaryCredentialUsage", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Canary access key {resource} was used.",
     "Someone called {api} from {remote} with {resource}, a decoy key that nothing legitimate "
     "uses."},
    {"UnauthorizedAccess:IAMUser/ConsoleLogin", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for unauthorized access.",
     "{user} called {api} from {remote}; this unauthorized access activity is unusual for this "
     "principal (ConsoleLogin)."},
    {"UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Unusual console logins by {user}.",
     "{user} signed in to the console from several places in a way that is unusual."},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RENAMED,
     "{user} is unusually invoking APIs used for unauthorized access.",
     "{user} called {api} from {remote}; this unauthorized access activity is unusual for this "
     "principal (InstanceCredentialExfiltration)."},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS", CM_RES_ACCESS_KEY,
     false, CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Instance credentials of {resource} are used from another AWS account.",
     "Credentials issued to an EC2 instance were used to call {api} from {remote} in another AWS "
     "account."},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", CM_RES_ACCESS_KEY,
     false, CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Instance credentials of {resource} are used outside AWS.",
     "Credentials issued to an EC2 instance were used to call {api} from {remote}, outside AWS."},
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "API {api} was called from a malicious address.",
     "{user} called {api} from {remote}, an address on a threat list."},
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", CM_RES_ACCESS_KEY, false,
     CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "API {api} was called from an address on a custom threat list.",
     "{user} called {api} from {remote}, which is on one of your threat lists."},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS", CM_RES_ACCESS_KEY,
     false, CM_ACT_AWS_API_CALL, CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_ACTIVE,
     "Resource credentials of {resource} are used outside AWS.",
     "Credentials issued to an AWS resource were used to call {api} from {remote}, outside AWS."},
    {"UnauthorizedAccess:IAMUser/TorIPCaller", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 5.0, 0.0, 0, CM_TYPE_ACTIVE,
     "API {api} was called from a Tor exit node.",
     "{user} called {api} from {remote}, a Tor exit node."},
    {"UnauthorizedAccess:IAMUser/UnusualASNCaller", CM_RES_ACCESS_KEY, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, 0, CM_TYPE_RETIRED,
     "{user} is unusually invoking APIs used for unauthorized access.",
     "{user} called {api} from {remote}; this unauthorized access activity is unusual for this "
     "principal (UnusualASNCaller)."},
    {"UnauthorizedAccess:S3/MaliciousIPCaller.Custom", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL,
     CM_DIR_NONE, CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was accessed from an address on a custom threat list.",
     "{user} called {api} on bucket {bucket} from {remote}, which is on one of your threat lists."},
    {"UnauthorizedAccess:S3/TorIPCaller", CM_RES_S3_BUCKET, false, CM_ACT_AWS_API_CALL, CM_DIR_NONE,
     CM_ROLE_TARGET, 8.0, 0.0, CM_FID_CALLER, CM_TYPE_ACTIVE,
     "S3 bucket {bucket} was accessed from a Tor exit node.",
     "{user} called {api} on bucket {bucket} from {remote}, a Tor exit node."},
};

#define NTYPES (sizeof(types) / sizeof(types[0]))

const struct cm_finding_type_info *cm_finding_type_info(const char *type)
{
    size_t lo = 0, hi = NTYPES;

    if (type == NULL) {
        return NULL;
    }
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(type, types[mid].type);
        if (c == 0) {
            return &types[mid];
        }
        if (c < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

const struct cm_finding_type_info *cm_finding_types(size_t *n)
{
    *n = NTYPES;
    return types;
}

const struct cm_finding_type_info *cm_finding_type_like(struct cm_str type)
{
    for (size_t i = 0; i < NTYPES; i++) {
        if (cm_str_ieq(type, cm_str_cstr(types[i].type))) {
            return &types[i];
        }
    }
    return NULL;
}
