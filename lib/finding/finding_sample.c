/*
 * Sample findings (finding_sample.h). Three const tables say what the
 * synthetic event of a type looks like: the CloudTrail call (API and
 * service), the flow (protocol, service port, direction) and the DNS name.
 * A row's match is a whole type, or a prefix when it ends in '*'; the first
 * matching row wins, so specific rows come before their family's catch-all.
 * The event goes through cm_finding_from_detection; decorate() then adds the
 * placeholders GuardDuty's own samples carry and the sample marker.
 */
#include "finding/finding_sample.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/ip.h"
#include "base/json.h"
#include "base/time.h"

#define LEAD_MS      60000LL /* the event happened a minute before the finding */
#define DAY_MS       86400000LL
#define INFO_MAX     (64u * 1024u)
#define LOCAL_IP     "10.0.0.1"
#define PUBLIC_IP    "203.0.113.10" /* the instance's public address */
#define PROBE_IP2    "192.0.2.0"    /* the second prober of a port probe */
#define ENI          "eni-99999999"
#define PORT_IN_EPH  50242 /* the remote's ephemeral port, inbound */
#define PORT_OUT_EPH 49152 /* the instance's ephemeral port, outbound */
#define P_TCP        6
#define P_UDP        17
#define P_GRE        47
#define GEN          "GeneratedFinding"

#define S3  "s3.amazonaws.com"
#define EC2 "ec2.amazonaws.com"
#define IAM "iam.amazonaws.com"

#define UA_CLI "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12"
#define UA_CONSOLE                                                                                 \
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "            \
    "Chrome/122.0.0.0 Safari/537.36"
#define UA_KALI                                                                                    \
    "aws-cli/2.23.6 md/awscrt#1.0.0.dev0 ua/2.0 os/linux#6.12.13-cloud-amd64 md/arch#x86_64 "      \
    "lang/python#3.13.2 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source "            \
    "md/distrib#kali.2025 md/prompt#off md/command#"
#define UA_PARROT  "aws-cli/1.22.34 Python/3.9.2 Linux/6.5.0-13parrot1-amd64 botocore/1.23.34"
#define UA_PENTOO  "aws-cli/1.27.41 Python/3.10.9 Linux/6.1.12-pentoo botocore/1.29.41"
#define BUCKET_DOC "{\"bucketName\":\"" CM_SAMPLE_BUCKET "\"}"

struct api_row {
    const char *match, *api, *service;
};

/* The call that would raise each API-call type. */
static const struct api_row api_rows[] = {
    {"AttackSequence:IAM/*", "CreateAccessKey", IAM},
    {"AttackSequence:S3/*", "DeleteObject", S3},
    {"Behavior:IAMUser/*", "RunInstances", EC2},
    {"CredentialAccess:IAMUser/*", "GetSecretValue", "secretsmanager.amazonaws.com"},
    {"DefenseEvasion:IAMUser/BedrockLoggingDisabled", "DeleteModelInvocationLoggingConfiguration",
     "bedrock.amazonaws.com"},
    {"DefenseEvasion:IAMUser/*", "DeleteFlowLogs", EC2},
    {"Discovery:IAMUser/*", "ListAccessKeys", IAM},
    {"Discovery:S3/MaliciousIPCaller*", "ListObjects", S3},
    {"Discovery:S3/*", "GetBucketAcl", S3},
    {"Exfiltration:IAMUser/*", "CreateSnapshot", EC2},
    {"Exfiltration:S3/*", "GetObject", S3},
    {"Impact:IAMUser/*", "DeleteSecurityGroup", EC2},
    {"Impact:S3/AnomalousBehavior.Delete", "DeleteObjects", S3},
    {"Impact:S3/AnomalousBehavior.Permission", "PutBucketAcl", S3},
    {"Impact:S3/AnomalousBehavior.Write", "PutObject", S3},
    {"Impact:S3/PermissionsModification.Unusual", "PutBucketAcl", S3},
    {"Impact:S3/*", "DeleteObject", S3},
    {"InitialAccess:IAMUser/*", "StartSession", "ssm.amazonaws.com"},
    {"PenTest:IAMUser/*", "GetUser", IAM},
    {"PenTest:S3/*", "ListObjects", S3},
    {"Persistence:IAMUser/NetworkPermissions", "AuthorizeSecurityGroupIngress", EC2},
    {"Persistence:IAMUser/ResourcePermissions", "PutBucketPolicy", S3},
    {"Persistence:IAMUser/UserPermissions", "AttachUserPolicy", IAM},
    {"Persistence:IAMUser/*", "CreateAccessKey", IAM},
    {"CredentialAccess:EC2/UnsecuredCredentials", "GetPasswordData", EC2},
    {"CredentialAccess:RDS/ModifyAuthenticationProcess", "ModifyDBInstance", "rds.amazonaws.com"},
    {"DefenseImpairment:EC2/DisableOrModifyTools", "DeleteFlowLogs", EC2},
    {"DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", "LeaveOrganization",
     "organizations.amazonaws.com"},
    {"DefenseImpairment:Organizations/DisableOrModifyTools", "DisablePolicyType",
     "organizations.amazonaws.com"},
    {"Policy:IAMUser/RootCredentialUsage", "ListBuckets", S3},
    {"Policy:IAMUser/ShortTermRootCredentialUsage", "DeleteBucketPolicy", S3},
    {"Policy:IAMUser/S3BlockPublicAccessDisabled", "PutBucketPublicAccessBlock", S3},
    {"Policy:S3/AccountBlockPublicAccessDisabled", "PutAccountPublicAccessBlock", S3},
    {"Policy:S3/BucketBlockPublicAccessDisabled", "PutBucketPublicAccessBlock", S3},
    {"Policy:S3/*", "PutBucketPolicy", S3},
    {"PrivilegeEscalation:IAMUser/AdministrativePermissions", "PutUserPolicy", IAM},
    {"PrivilegeEscalation:IAMUser/*", "AddUserToGroup", IAM},
    {"Recon:IAMUser/MaliciousIPCaller*", "ListBuckets", S3},
    {"Recon:IAMUser/NetworkPermissions", "DescribeSecurityGroups", EC2},
    {"Recon:IAMUser/ResourcePermissions", "GetBucketPolicy", S3},
    {"Recon:IAMUser/TorIPCaller", "ListUsers", IAM},
    {"Recon:IAMUser/*", "GetAccountAuthorizationDetails", IAM},
    {"ResourceConsumption:IAMUser/*", "RunInstances", EC2},
    {"Stealth:IAMUser/CloudTrailLoggingDisabled", "StopLogging", "cloudtrail.amazonaws.com"},
    {"Stealth:IAMUser/LoggingConfigurationModified", "UpdateTrail", "cloudtrail.amazonaws.com"},
    {"Stealth:IAMUser/PasswordPolicyChange", "UpdateAccountPasswordPolicy", IAM},
    {"Stealth:*", "PutBucketLogging", S3},
    {"UnauthorizedAccess:IAMUser/ConsoleLogin*", "ConsoleLogin", "signin.amazonaws.com"},
    {"UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration*", "DescribeInstances", EC2},
    {"UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration*", "ListBuckets", S3},
    {"UnauthorizedAccess:IAMUser/MaliciousIPCaller*", "GetUser", IAM},
    {"UnauthorizedAccess:IAMUser/*", "DescribeInstances", EC2},
    {"UnauthorizedAccess:S3/*", "GetObject", S3},
    {"*", GEN "APIName", GEN "APIServiceName"},
};

struct flow_row {
    const char *match;
    int32_t proto, port; /* the service port: local when inbound, remote when outbound */
    bool inbound;
    int32_t port2; /* a second probed port (port probes), -1 none */
    const char *port2_name;
};

static const struct flow_row flow_rows[] = {
    {"Backdoor:EC2/C&CActivity.B", P_TCP, 443, false, -1, NULL},
    {"Backdoor:EC2/DenialOfService.Dns", P_UDP, 53, false, -1, NULL},
    {"Backdoor:EC2/DenialOfService.Tcp", P_TCP, 80, false, -1, NULL},
    {"Backdoor:EC2/DenialOfService.Udp", P_UDP, 80, false, -1, NULL},
    {"Backdoor:EC2/DenialOfService.UdpOnTcpPorts", P_UDP, 443, false, -1, NULL},
    {"Backdoor:EC2/DenialOfService.UnusualProtocol", P_GRE, -1, false, -1, NULL},
    {"Backdoor:EC2/Spambot", P_TCP, 25, false, -1, NULL},
    {"Behavior:EC2/NetworkPortUnusual", P_TCP, 389, false, -1, NULL},
    {"Behavior:EC2/TrafficVolumeUnusual", P_TCP, 443, false, -1, NULL},
    {"CryptoCurrency:EC2/BitcoinTool.A", P_TCP, 8333, false, -1, NULL},
    {"CryptoCurrency:EC2/BitcoinTool.B", P_TCP, 3333, false, -1, NULL},
    {"DefenseEvasion:EC2/UnusualDNSResolver", P_UDP, 53, false, -1, NULL},
    {"DefenseEvasion:EC2/UnusualDoHActivity", P_TCP, 443, false, -1, NULL},
    {"DefenseEvasion:EC2/UnusualDoTActivity", P_TCP, 853, false, -1, NULL},
    {"Impact:EC2/PortSweep", P_TCP, 22, false, -1, NULL},
    {"Impact:EC2/WinRMBruteForce", P_TCP, 5985, true, -1, NULL},
    {"Recon:EC2/PortProbeEMRUnprotectedPort", P_TCP, 8088, true, 8890, "Unknown"},
    {"Recon:EC2/PortProbeUnprotectedPort", P_TCP, 22, true, 3389, "RDP"},
    {"Recon:EC2/Portscan", P_TCP, 3389, false, -1, NULL},
    {"UnauthorizedAccess:EC2/MaliciousIPCaller.Custom", P_TCP, 8009, false, -1, NULL},
    {"UnauthorizedAccess:EC2/RDPBruteForce", P_TCP, 3389, true, -1, NULL},
    {"UnauthorizedAccess:EC2/SSHBruteForce", P_TCP, 22, true, -1, NULL},
    {"UnauthorizedAccess:EC2/TorClient", P_TCP, 9001, false, -1, NULL},
    {"UnauthorizedAccess:EC2/TorIPCaller", P_TCP, 22, true, -1, NULL},
    {"UnauthorizedAccess:EC2/TorRelay", P_TCP, 9001, true, -1, NULL},
    {"*", P_TCP, 80, false, -1, NULL},
};

struct dns_row {
    const char *match, *domain;
};

static const struct dns_row dns_rows[] = {
    {"Backdoor:EC2/C&CActivity.B!DNS", "guarddutyc2activityb.com"},
    {"CryptoCurrency:EC2/BitcoinTool.B!DNS", "pool.minergate.com"},
    {"Impact:EC2/AbusedDomainRequest.Reputation", "abused-hosting.example.net"},
    {"Impact:EC2/BitcoinDomainRequest.Reputation", "xmr-pool.example.org"},
    {"Impact:EC2/MaliciousDomainRequest.Custom", "custom-threat-list.example.com"},
    {"Impact:EC2/MaliciousDomainRequest.Reputation", "malware-cdn.example.net"},
    {"Impact:EC2/SuspiciousDomainRequest.Reputation", "suspicious-site.example.org"},
    {"Trojan:EC2/BlackholeTraffic!DNS", "blackholed.example.net"},
    {"Trojan:EC2/DGADomainRequest*", "kqzxvbrtwplmjdhy.example.com"},
    {"Trojan:EC2/DNSDataExfiltration",
     "onqw24dmmuqgk6dgnfwhi4tborswiidemf2gcidpozsxeidenzzsa4i.newtsojzhe4tsojzebrwq5lonmqdambqge."
     "exfil.example.com"},
    {"Trojan:EC2/DriveBySourceTraffic!DNS", "drive-by-download.example.com"},
    {"Trojan:EC2/DropPoint!DNS", "drop-point.example.net"},
    {"Trojan:EC2/PhishingDomainRequest!DNS", "secure-login-account.example.com"},
    {"UnauthorizedAccess:EC2/MetadataDNSRebind", "169.254.169.254.rebind.example.com"},
    {"*", GEN "DomainName.example.com"},
};

/* Types whose GuardDuty finding comes from a threat list. */
static const char *const threat_marks[] = {
    "MaliciousIPCaller",
    "MaliciousDomainRequest",
    "C&CActivity",
    "BitcoinTool",
    "BlackholeTraffic",
    "DropPoint",
    "DriveBy",
    "Phishing",
    "/Tor",
    "PortProbe",
    "XORDDOS",
};

enum caller { CALLER_USER = 0, CALLER_ROOT, CALLER_ROOT_SESSION, CALLER_INSTANCE, CALLER_ROLE };

/* What one sample is made of. */
struct sample {
    const char *type;
    const struct cm_finding_type_info *ti;
    struct cm_str account, region;
    int64_t now_ms, time_ms;
};

static bool row_matches(const char *match, const char *type)
{
    size_t n = strlen(match);

    if (n > 0 && match[n - 1] == '*') {
        return strncmp(match, type, n - 1) == 0;
    }
    return strcmp(match, type) == 0;
}

static const struct api_row *api_row(const char *type)
{
    size_t i = 0;

    while (!row_matches(api_rows[i].match, type)) {
        i++;
    }
    return &api_rows[i];
}

static const struct flow_row *flow_row(const char *type)
{
    size_t i = 0;

    while (!row_matches(flow_rows[i].match, type)) {
        i++;
    }
    return &flow_rows[i];
}

static const char *dns_domain(const char *type)
{
    size_t i = 0;

    while (!row_matches(dns_rows[i].match, type)) {
        i++;
    }
    return dns_rows[i].domain;
}

static bool is_threat(const char *type)
{
    for (size_t i = 0; i < sizeof(threat_marks) / sizeof(threat_marks[0]); i++) {
        if (strstr(type, threat_marks[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static enum caller caller_of(const char *type)
{
    if (strcmp(type, "Policy:IAMUser/RootCredentialUsage") == 0) {
        return CALLER_ROOT;
    }
    if (strcmp(type, "Policy:IAMUser/ShortTermRootCredentialUsage") == 0) {
        return CALLER_ROOT_SESSION;
    }
    if (strstr(type, "InstanceCredentialExfiltration") != NULL) {
        return CALLER_INSTANCE;
    }
    if (strstr(type, "ResourceCredentialExfiltration") != NULL ||
        strncmp(type, "AttackSequence:", 15) == 0) {
        return CALLER_ROLE;
    }
    return CALLER_USER;
}

static const char *user_agent(const char *type)
{
    bool s3 = strncmp(type, "PenTest:S3/", 11) == 0;

    if (strstr(type, "KaliLinux") != NULL) {
        return s3 ? UA_KALI "s3.ls" : UA_KALI "iam.get-user";
    }
    if (strstr(type, "ParrotLinux") != NULL) {
        return UA_PARROT;
    }
    if (strstr(type, "PentooLinux") != NULL) {
        return UA_PENTOO;
    }
    return strstr(type, "ConsoleLogin") != NULL ? UA_CONSOLE : UA_CLI;
}

static int parse_ip(const char *s, struct cm_ip *ip)
{
    return cm_ip_parse(cm_str_cstr(s), ip) == 0 ? 0 : CM_EINVAL;
}

static void set_identity(struct cm_ct_identity *u, const struct sample *s)
{
    enum caller c = caller_of(s->type);

    u->account_id = s->account;
    u->access_key_id = CM_STR_LIT(CM_SAMPLE_ACCESS_KEY);
    switch (c) {
    case CALLER_ROOT:
    case CALLER_ROOT_SESSION:
        u->type = CM_UID_ROOT;
        u->type_name = CM_STR_LIT("Root");
        u->principal_id = s->account;
        u->assumed_root = c == CALLER_ROOT_SESSION ? CM_STR_LIT("true") : CM_STR_NULL;
        break;
    case CALLER_INSTANCE:
    case CALLER_ROLE:
        u->type = CM_UID_ASSUMEDROLE;
        u->type_name = CM_STR_LIT("AssumedRole");
        u->principal_id = c == CALLER_INSTANCE
                              ? CM_STR_LIT(GEN "PrincipalId:" CM_SAMPLE_INSTANCE_ID)
                              : CM_STR_LIT(GEN "PrincipalId:" GEN "SessionName");
        u->issuer_type = CM_STR_LIT("Role");
        u->issuer_user_name = CM_STR_LIT(GEN "RoleName");
        u->ec2_role_delivery = c == CALLER_INSTANCE ? CM_STR_LIT("2.0") : CM_STR_NULL;
        break;
    case CALLER_USER:
        u->type = CM_UID_IAMUSER;
        u->type_name = CM_STR_LIT("IAMUser");
        u->principal_id = CM_STR_LIT(GEN "PrincipalId");
        u->user_name = CM_STR_LIT(GEN "UserName");
        break;
    }
}

static int make_ct(struct cm_event *ev, struct cm_json_doc *doc, const struct sample *s)
{
    const struct api_row *r = api_row(s->type);
    struct cm_ct *ct = &ev->u.ct;
    int rc;

    ev->kind = CM_EV_CLOUDTRAIL;
    cm_ct_init(ct);
    ct->event_version = CM_STR_LIT("1.09");
    ct->event_source = cm_str_cstr(r->service);
    ct->event_name = cm_str_cstr(r->api);
    ct->event_type = strcmp(r->api, "ConsoleLogin") == 0 ? CM_STR_LIT("AwsConsoleSignIn")
                                                         : CM_STR_LIT("AwsApiCall");
    ct->event_category = CM_STR_LIT("Management");
    ct->source_ip_address = CM_STR_LIT(CM_SAMPLE_REMOTE_IP);
    ct->user_agent = cm_str_cstr(user_agent(s->type));
    ct->recipient_account_id = s->account;
    ct->management_event = 1;
    set_identity(&ct->uid, s);
    rc = parse_ip(CM_SAMPLE_REMOTE_IP, &ct->source_ip);
    if (rc == 0 && s->ti->s3_details) {
        /* The bucket of AccessKey findings with s3BucketDetails comes from the request. */
        rc = cm_json_parse(doc, BUCKET_DOC, sizeof(BUCKET_DOC) - 1, NULL);
        ct->doc = doc;
        ct->request_parameters = 0;
    }
    return rc;
}

static int make_flow(struct cm_event *ev, const struct sample *s)
{
    const struct flow_row *r = flow_row(s->type);
    struct cm_flow *fl = &ev->u.flow;
    struct cm_ip local, remote;
    int64_t t = s->time_ms / 1000;
    int rc;

    rc = parse_ip(LOCAL_IP, &local);
    rc = rc ? rc : parse_ip(CM_SAMPLE_REMOTE_IP, &remote);
    ev->kind = CM_EV_FLOW;
    fl->version = 5;
    fl->account_id = s->account;
    fl->interface_id = CM_STR_LIT(ENI);
    fl->instance_id = CM_STR_LIT(CM_SAMPLE_INSTANCE_ID);
    fl->vpc_id = CM_STR_LIT("vpc-99999999");
    fl->subnet_id = CM_STR_LIT("subnet-99999999");
    fl->src = r->inbound ? remote : local;
    fl->dst = r->inbound ? local : remote;
    fl->srcport = r->port < 0 ? -1 : r->inbound ? PORT_IN_EPH : PORT_OUT_EPH;
    fl->dstport = r->port;
    fl->protocol = r->proto;
    fl->packets = 20;
    fl->bytes = 4000;
    fl->start = t - 60;
    fl->end = t;
    fl->tcp_flags = -1;
    fl->traffic_path = -1;
    fl->action = CM_FA_ACCEPT;
    fl->status = CM_FS_OK;
    fl->direction = r->inbound ? CM_FD_INGRESS : CM_FD_EGRESS;
    return rc;
}

static int make_dns(struct cm_event *ev, const struct sample *s)
{
    struct cm_dns *q = &ev->u.dns;

    ev->kind = CM_EV_DNS;
    q->version = CM_STR_LIT("1.100000");
    q->account_id = s->account;
    q->region = s->region;
    q->vpc_id = CM_STR_LIT("vpc-99999999");
    q->query_name = cm_str_cstr(dns_domain(s->type));
    q->query_type = CM_STR_LIT("A");
    q->query_class = CM_STR_LIT("IN");
    q->rcode = CM_STR_LIT("NOERROR");
    q->srcaddr = CM_STR_LIT(LOCAL_IP);
    q->srcport = 53302;
    q->transport = CM_STR_LIT("UDP");
    q->srcid_instance = CM_STR_LIT(CM_SAMPLE_INSTANCE_ID);
    return parse_ip(LOCAL_IP, &q->src_ip);
}

static int make_event(struct cm_event *ev, struct cm_json_doc *doc, const struct sample *s)
{
    memset(ev, 0, sizeof(*ev));
    ev->time_ms = s->time_ms;
    ev->account = s->account;
    ev->region = s->region;
    switch (s->ti->action) {
    case CM_ACT_AWS_API_CALL:
        return make_ct(ev, doc, s);
    case CM_ACT_NETWORK_CONNECTION:
    case CM_ACT_PORT_PROBE:
        return make_flow(ev, s);
    case CM_ACT_DNS_REQUEST:
        return make_dns(ev, s);
    case CM_ACT_NONE:
        break;
    }
    return CM_EINVAL;
}

/* Sets *dst to src unless the builder already filled it. */
static int keep_or_set(struct cm_finding *f, struct cm_str *dst, const char *src)
{
    return cm_str_present(*dst) ? 0 : cm_finding_setc(f, dst, src);
}

static int set_kv(struct cm_finding *f, struct cm_kv *kv, const char *key, const char *value)
{
    int rc = cm_finding_setc(f, &kv->key, key);

    return rc ? rc : cm_finding_setc(f, &kv->value, value);
}

/* GuardDuty's placeholder organisation and place of a remote address. */
static int decorate_remote(struct cm_finding *f, struct cm_remote_ip *r)
{
    int rc = 0;

    if (!cm_str_present(r->ipv4) && !cm_str_present(r->ipv6)) {
        return 0;
    }
    rc |= keep_or_set(f, &r->asn, "-1");
    rc |= keep_or_set(f, &r->asn_org, GEN "ASNOrg");
    rc |= keep_or_set(f, &r->isp, GEN "ISP");
    rc |= keep_or_set(f, &r->org, GEN "ORG");
    rc |= keep_or_set(f, &r->country_name, GEN "CountryName");
    rc |= keep_or_set(f, &r->city, GEN "CityName");
    if (!r->has_geo) {
        r->has_geo = true;
        r->lat = 0.0;
        r->lon = 0.0;
    }
    return rc ? CM_ENOMEM : 0;
}

/* A second prober on another port, as GuardDuty's port-probe samples have. */
static int add_probe(struct cm_finding *f, const struct flow_row *r)
{
    struct cm_probe p;

    if (f->action_type != CM_ACT_PORT_PROBE || r->port2 < 0 || f->probe.nprobes == 0) {
        return 0;
    }
    memset(&p, 0, sizeof(p));
    p.local_port.port = r->port2;
    p.local_port.name = cm_str_cstr(r->port2_name);
    p.local_ip = f->probe.probes[0].local_ip;
    p.remote_ip.ipv4 = CM_STR_LIT(PROBE_IP2);
    return cm_finding_add_probe(f, &p);
}

static int decorate_action(struct cm_finding *f, const struct sample *s)
{
    int rc = 0;

    switch (f->action_type) {
    case CM_ACT_AWS_API_CALL:
        rc = decorate_remote(f, &f->api.remote_ip);
        if (rc == 0 && strstr(s->type, "CredentialExfiltration.InsideAWS") != NULL) {
            /* The credentials were used from an EC2 instance in another account. */
            rc = cm_finding_setc(f, &f->api.remote_account, "444455556666");
            f->api.remote_affiliated = CM_TRI_FALSE;
        }
        break;
    case CM_ACT_NETWORK_CONNECTION:
        rc = decorate_remote(f, &f->net.remote_ip);
        break;
    case CM_ACT_PORT_PROBE:
        rc = add_probe(f, flow_row(s->type));
        for (uint32_t i = 0; i < f->probe.nprobes && rc == 0; i++) {
            rc = decorate_remote(f, &f->probe.probes[i].remote_ip);
        }
        break;
    case CM_ACT_DNS_REQUEST:
    case CM_ACT_NONE:
        break;
    }
    return rc;
}

static int decorate_nic(struct cm_finding *f, const struct sample *s)
{
    struct cm_nic *n = &f->instance.nics[0];
    bool east = cm_str_eqc(s->region, "us-east-1");
    struct cm_buf b;
    int rc = 0;

    if (f->instance.nnics == 0) {
        f->instance.nnics = 1;
    }
    rc |= keep_or_set(f, &n->eni_id, ENI);
    rc |= keep_or_set(f, &n->private_ip, LOCAL_IP);
    rc |= keep_or_set(f, &n->public_ip, PUBLIC_IP);
    rc |= keep_or_set(f, &n->subnet_id, "subnet-99999999");
    rc |= keep_or_set(f, &n->vpc_id, "vpc-99999999");
    if (n->nsgs == 0) {
        n->nsgs = 1;
        rc |= set_kv(f, &n->sgs[0], "sg-99999999", GEN "SecurityGroupName");
    }
    if (rc != 0) {
        return CM_ENOMEM;
    }
    cm_buf_init(&b, CM_FINDING_MAX_STR);
    rc = east ? cm_buf_puts(&b, "ip-10-0-0-1.ec2.internal")
              : cm_buf_printf(&b, "ip-10-0-0-1.%.*s.compute.internal", (int)s->region.len,
                              s->region.p);
    rc = rc ? rc : cm_finding_set(f, &n->private_dns, cm_str_make(b.p, b.len));
    cm_buf_reset(&b);
    rc = rc     ? rc
         : east ? cm_buf_puts(&b, "ec2-203-0-113-10.compute-1.amazonaws.com")
                : cm_buf_printf(&b, "ec2-203-0-113-10.%.*s.compute.amazonaws.com",
                                (int)s->region.len, s->region.p);
    rc = rc ? rc : cm_finding_set(f, &n->public_dns, cm_str_make(b.p, b.len));
    cm_buf_finish(&b);
    return rc;
}

static int decorate_instance(struct cm_finding *f, const struct sample *s)
{
    struct cm_instance *in = &f->instance;
    int64_t launched = s->now_ms > 7 * DAY_MS ? s->now_ms - 7 * DAY_MS : 0;
    char launch[40];
    struct cm_buf b;
    int rc = 0;

    cm_time_format_iso(launched - launched % 1000, launch, sizeof(launch));
    rc |= keep_or_set(f, &in->instance_id, CM_SAMPLE_INSTANCE_ID);
    rc |= keep_or_set(f, &in->instance_type, "m3.xlarge");
    rc |= keep_or_set(f, &in->instance_state, "running");
    rc |= keep_or_set(f, &in->image_id, "ami-99999999");
    rc |= keep_or_set(f, &in->image_description, GEN "InstanceImageDescription");
    rc |= keep_or_set(f, &in->launch_time, launch);
    rc |= keep_or_set(f, &in->profile_id, GEN "InstanceProfileId");
    if (in->ntags == 0) {
        in->ntags = 2;
        rc |= set_kv(f, &in->tags[0], GEN "InstanceTag1", GEN "InstanceTagValue1");
        rc |= set_kv(f, &in->tags[1], GEN "InstanceTag2", GEN "InstanceTagValue2");
    }
    if (rc != 0) {
        return CM_ENOMEM;
    }
    cm_buf_init(&b, CM_FINDING_MAX_STR);
    rc = cm_buf_append(&b, s->region.p, s->region.len);
    rc = rc ? rc : cm_buf_putc(&b, 'a');
    rc = rc ? rc : cm_finding_set(f, &in->availability_zone, cm_str_make(b.p, b.len));
    cm_buf_reset(&b);
    rc = rc ? rc
            : cm_buf_printf(&b, "arn:%.*s:iam::%.*s:instance-profile/%sInstanceProfile",
                            (int)f->partition.len, f->partition.p, (int)s->account.len,
                            s->account.p, GEN);
    rc = rc ? rc : cm_finding_set(f, &in->profile_arn, cm_str_make(b.p, b.len));
    cm_buf_finish(&b);
    return rc ? rc : decorate_nic(f, s);
}

/* Block Public Access flags and effective permission as the type's change left them. */
static void bucket_access(struct cm_bucket *b, const char *type)
{
    bool bucket_open = strstr(type, "Bucket") != NULL && strncmp(type, "Policy:S3/", 10) == 0;
    bool account_open = strcmp(type, "Policy:S3/AccountBlockPublicAccessDisabled") == 0 ||
                        strstr(type, "AccessGranted") != NULL;
    bool public = strstr(type, "AccessGranted") != NULL;

    for (int i = CM_S3P_ACL_READ; i <= CM_S3P_POLICY_WRITE; i++) {
        b->perm[i] = CM_TRI_FALSE;
    }
    b->perm[CM_S3P_POLICY_READ] = public ? CM_TRI_TRUE : CM_TRI_FALSE;
    for (int i = CM_S3P_BUCKET_IGNORE_ACLS; i <= CM_S3P_BUCKET_BLOCK_POLICY; i++) {
        b->perm[i] = bucket_open ? CM_TRI_FALSE : CM_TRI_TRUE;
    }
    for (int i = CM_S3P_ACCOUNT_IGNORE_ACLS; i <= CM_S3P_ACCOUNT_BLOCK_POLICY; i++) {
        b->perm[i] = account_open ? CM_TRI_FALSE : CM_TRI_TRUE;
    }
}

static int decorate_buckets(struct cm_finding *f, const struct sample *s)
{
    int64_t created = (s->now_ms / 1000) * 1000 - 30 * DAY_MS;
    int rc = 0;

    for (uint32_t i = 0; i < f->nbuckets; i++) {
        struct cm_bucket *b = &f->buckets[i];
        if (b->created_ms == 0 && created > 0) {
            b->created_ms = created;
        }
        rc |= keep_or_set(f, &b->owner_id, GEN "BucketOwnerCanonicalId");
        rc |= keep_or_set(f, &b->encryption_type, "AES256");
        if (b->ntags == 0) {
            b->ntags = 1;
            rc |= set_kv(f, &b->tags[0], GEN "BucketTag1", GEN "BucketTagValue1");
        }
        bucket_access(b, s->type);
        rc |= keep_or_set(f, &b->effective_permission,
                          strstr(s->type, "AccessGranted") != NULL ? "PUBLIC" : "NOT_PUBLIC");
    }
    return rc ? CM_ENOMEM : 0;
}

static int add_threat(struct cm_finding *f)
{
    struct cm_threat *t;
    int rc;

    if (f->nthreats >= CM_FINDING_MAX_THREATS) {
        return 0;
    }
    t = &f->threats[f->nthreats++];
    t->nnames = 1;
    rc = cm_finding_setc(f, &t->list_name, CM_SAMPLE_THREAT_LIST);
    return rc ? rc : cm_finding_setc(f, &t->names[0], GEN "ThreatName");
}

/* Copies the members of the builder's additionalInfo object (if any) but "sample". */
static int copy_info(struct cm_finding *f, struct cm_jw *jw, struct cm_json_doc *doc, bool *list)
{
    struct cm_str text = f->additional_info;
    int rc;

    if (!cm_str_present(text)) {
        return 0;
    }
    rc = cm_json_parse(doc, text.p, text.len, NULL);
    if (rc == 0 && cm_json_type(doc, 0) != CM_JSON_OBJECT) {
        rc = CM_EINVAL;
    }
    for (uint32_t k = cm_json_first(doc, 0); rc == 0 && k != CM_JSON_NONE;
         k = cm_json_next(doc, 0, k + 1)) {
        struct cm_str key = cm_json_str(doc, k, &f->arena);
        if (key.p == NULL) {
            rc = CM_ENOMEM;
        } else if (!cm_str_eqc(key, "sample")) {
            *list = *list || cm_str_eqc(key, "threatListName");
            cm_jw_keyn(jw, key.p, key.len);
            cm_jw_node(jw, doc, k + 1);
        }
    }
    return rc;
}

/* additionalInfo gets "sample": true (and the threat list name of threat-list types). */
static int mark_sample(struct cm_finding *f, bool threat)
{
    struct cm_json_doc doc;
    struct cm_buf out;
    struct cm_jw jw;
    bool list = false;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    cm_buf_init(&out, INFO_MAX);
    cm_jw_init(&jw, &out);
    cm_jw_obj_begin(&jw);
    rc = copy_info(f, &jw, &doc, &list);
    if (rc != 0) {
        goto out;
    }
    if (threat && !list) {
        cm_jw_key(&jw, "threatListName");
        cm_jw_str(&jw, CM_SAMPLE_THREAT_LIST);
    }
    if (cm_str_starts(f->type, "AttackSequence:")) {
        cm_finding_sample_sequence(&jw, f);
    }
    cm_jw_key(&jw, "sample");
    cm_jw_bool(&jw, true);
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    rc = rc ? rc : cm_finding_set(f, &f->additional_info, cm_str_make(out.p, out.len));
out:
    cm_buf_finish(&out);
    cm_json_doc_finish(&doc);
    return rc;
}

static int decorate(struct cm_finding *f, const struct sample *s)
{
    bool threat = is_threat(s->type);
    int rc;

    /* A sample has no raw record behind it. */
    memset(f->evidence, 0, sizeof(f->evidence));
    f->nevidence = 0;
    f->count = 1;
    rc = decorate_action(f, s);
    if (rc == 0 && f->resource_type == CM_RES_INSTANCE) {
        rc = decorate_instance(f, s);
    }
    rc = rc ? rc : decorate_buckets(f, s);
    if (rc == 0 && threat) {
        rc = add_threat(f);
    }
    return rc ? rc : mark_sample(f, threat);
}

int cm_finding_sample(struct cm_finding *f, const struct cm_finding_ctx *ctx, const char *account,
                      const char *region, const char *type, int64_t now_ms)
{
    struct sample s;
    struct cm_finding_ctx c;
    struct cm_detection d;
    struct cm_event ev;
    struct cm_json_doc doc;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    memset(&s, 0, sizeof(s));
    s.ti = cm_finding_type_info(type);
    if (s.ti == NULL || ctx == NULL || account == NULL || region == NULL || account[0] == '\0' ||
        region[0] == '\0') {
        rc = CM_EINVAL;
        goto out;
    }
    s.type = s.ti->type;
    s.account = cm_str_cstr(account);
    s.region = cm_str_cstr(region);
    s.now_ms = now_ms;
    s.time_ms = now_ms > LEAD_MS ? now_ms - LEAD_MS - (now_ms - LEAD_MS) % 1000 : now_ms;
    rc = make_event(&ev, &doc, &s);
    if (rc != 0) {
        goto out;
    }
    memset(&d, 0, sizeof(d));
    d.type = s.type;
    d.account = s.account;
    d.region = s.region;
    d.time_ms = d.first_ms = s.time_ms;
    d.count = 1;
    d.event = &ev;
    if (s.ti->resource == CM_RES_S3_BUCKET) {
        d.resource_id = CM_STR_LIT(CM_SAMPLE_BUCKET);
        d.actor = CM_STR_LIT(CM_SAMPLE_ACCESS_KEY);
    }
    c = *ctx;
    c.now_ms = now_ms;
    c.file_name = NULL; /* no input file behind a sample */
    c.ud = NULL;
    rc = cm_finding_from_detection(f, &c, &d);
    rc = rc ? rc : decorate(f, &s);
out:
    cm_json_doc_finish(&doc);
    return rc;
}
