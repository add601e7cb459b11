/*
 * The one table of the intel detectors: which API calls are reconnaissance,
 * which S3 calls are discovery, exfiltration or impact, and which finding
 * type each threat category gives in each source (spec §1, issue #4).
 */
#include "detect/intel.h"

#include <string.h>

/* ---- API classes ---- */

struct name_class {
    const char *name;
    int cls;
};

/* Reads that fetch secrets or credentials are not reconnaissance: they are access. */
static const char *const recon_exceptions[] = {
    "GetSecretValue",
    "GetParameter",
    "GetParameters",
    "GetParametersByPath",
    "GetPasswordData",
    "GetSessionToken",
    "GetFederationToken",
    "GetObject",
    "GetConsoleOutput",
    "GetConsoleScreenshot",
    "GetAuthorizationToken",
    "GetCredentialsForIdentity",
    "GetOpenIdToken",
    "GetRoleCredentials",
    "GetLoginProfile",
    "GetSigninToken",
    "GetDataKey",
    "GetQueryResults",
};

static const char *const recon_prefixes[] = {
    "Describe", "List", "Get", "Search", "Lookup", "Head", "BatchGet", "Generate",
};

static bool has_prefix(struct cm_str s, const char *p)
{
    size_t n = strlen(p);

    /* The prefix must be followed by an upper-case letter: "Listen" is not a List call. */
    return s.len > n && memcmp(s.p, p, n) == 0 && s.p[n] >= 'A' && s.p[n] <= 'Z';
}

enum cm_api_class cm_api_classify(struct cm_str event_name)
{
    for (size_t i = 0; i < sizeof(recon_exceptions) / sizeof(recon_exceptions[0]); i++) {
        if (cm_str_eqc(event_name, recon_exceptions[i])) {
            return CM_API_OTHER;
        }
    }
    if (has_prefix(event_name, "Generate") && !cm_str_eqc(event_name, "GenerateCredentialReport") &&
        !cm_str_eqc(event_name, "GenerateServiceLastAccessedDetails")) {
        return CM_API_OTHER; /* GenerateDataKey and friends make secrets */
    }
    for (size_t i = 0; i < sizeof(recon_prefixes) / sizeof(recon_prefixes[0]); i++) {
        if (has_prefix(event_name, recon_prefixes[i])) {
            return CM_API_RECON;
        }
    }
    return CM_API_OTHER;
}

/*
 * GuardDuty's Recon:IAMUser/... types are "an API operation that can list or
 * describe AWS resources"; its own tester (awslabs/amazon-guardduty-tester)
 * expects Recon:IAMUser/MaliciousIPCaller.Custom for `aws s3 ls` (ListBuckets)
 * and UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom for
 * `aws iam get-user` from the same listed address. A Get or BatchGet fetches
 * a named thing; it is not a listing.
 */
enum cm_api_class cm_api_intel_classify(struct cm_str event_name)
{
    if (cm_api_classify(event_name) != CM_API_RECON || has_prefix(event_name, "Get") ||
        has_prefix(event_name, "BatchGet")) {
        return CM_API_OTHER;
    }
    return CM_API_RECON;
}

/* S3 calls that do not follow the prefix rule below. */
static const struct name_class s3_names[] = {
    {"GetObject", CM_S3_EXFILTRATION},
    {"GetObjectTorrent", CM_S3_EXFILTRATION},
    {"SelectObjectContent", CM_S3_EXFILTRATION},
    {"CopyObject", CM_S3_EXFILTRATION},
    {"UploadPartCopy", CM_S3_EXFILTRATION},
    {"RestoreObject", CM_S3_IMPACT},
    {"ListBuckets", CM_S3_DISCOVERY},
};

enum cm_s3_class cm_s3_classify(struct cm_str event_name)
{
    static const char *const discovery[] = {"List", "Get", "Head"};

    for (size_t i = 0; i < sizeof(s3_names) / sizeof(s3_names[0]); i++) {
        if (cm_str_eqc(event_name, s3_names[i].name)) {
            return (enum cm_s3_class)s3_names[i].cls;
        }
    }
    for (size_t i = 0; i < sizeof(discovery) / sizeof(discovery[0]); i++) {
        if (has_prefix(event_name, discovery[i])) {
            return CM_S3_DISCOVERY;
        }
    }
    /* Put*, Delete*, Create*, Upload*, Complete*, Abort* and anything unknown change data. */
    return CM_S3_IMPACT;
}

/* ---- category -> finding type ---- */

#define IAM_MAL                                                                                    \
    {                                                                                              \
        "Recon:IAMUser/MaliciousIPCaller", "UnauthorizedAccess:IAMUser/MaliciousIPCaller"          \
    }
#define S3_MAL                                                                                     \
    {                                                                                              \
        "Discovery:S3/MaliciousIPCaller", "Exfiltration:S3/MaliciousIPCaller",                     \
            "Impact:S3/MaliciousIPCaller"                                                          \
    }

/* A category that gives a finding for a listed DNS name only. */
#define DNS_ONLY(type)                                                                             \
    {                                                                                              \
        {NULL, NULL}, {NULL, NULL, NULL}, NULL, NULL, type                                         \
    }

struct intel_row {
    const char *iam[2];   /* by enum cm_api_class */
    const char *s3[3];    /* by enum cm_s3_class */
    const char *flow_out; /* the resource connects to the listed peer */
    const char *flow_in;  /* the listed peer connects to the resource */
    const char *dns;
};

static const struct intel_row rows[CM_CAT_COUNT] = {
    /* A name on a list of these has a malicious reputation: MaliciousDomainRequest.Reputation. */
    [CM_CAT_UNKNOWN] = {IAM_MAL, S3_MAL, NULL, NULL,
                        "Impact:EC2/MaliciousDomainRequest.Reputation"},
    [CM_CAT_CNC] = {IAM_MAL, S3_MAL, "Backdoor:EC2/C&CActivity.B", NULL,
                    "Backdoor:EC2/C&CActivity.B!DNS"},
    [CM_CAT_MINING] = {IAM_MAL, S3_MAL, "CryptoCurrency:EC2/BitcoinTool.B", NULL,
                       "CryptoCurrency:EC2/BitcoinTool.B!DNS"},
    [CM_CAT_TOR_EXIT] = {{"Recon:IAMUser/TorIPCaller", "UnauthorizedAccess:IAMUser/TorIPCaller"},
                         {"Discovery:S3/TorIPCaller", "UnauthorizedAccess:S3/TorIPCaller",
                          "UnauthorizedAccess:S3/TorIPCaller"},
                         "UnauthorizedAccess:EC2/TorClient",
                         NULL,
                         NULL},
    [CM_CAT_TOR_RELAY] =
        {{NULL, NULL}, {NULL, NULL, NULL}, "UnauthorizedAccess:EC2/TorClient", NULL, NULL},
    [CM_CAT_SCANNER] = {IAM_MAL, S3_MAL, NULL, NULL,
                        "Impact:EC2/MaliciousDomainRequest.Reputation"},
    [CM_CAT_DROP_POINT] = {IAM_MAL, S3_MAL, "Trojan:EC2/DropPoint", NULL,
                           "Trojan:EC2/DropPoint!DNS"},
    [CM_CAT_SINKHOLE] = {{NULL, NULL},
                         {NULL, NULL, NULL},
                         "Trojan:EC2/BlackholeTraffic",
                         NULL,
                         "Trojan:EC2/BlackholeTraffic!DNS"},
    [CM_CAT_PHISHING] = {IAM_MAL, S3_MAL, NULL, NULL, "Trojan:EC2/PhishingDomainRequest!DNS"},
    [CM_CAT_DRIVE_BY] = {IAM_MAL, S3_MAL, NULL, NULL, "Trojan:EC2/DriveBySourceTraffic!DNS"},
    [CM_CAT_DGA] = DNS_ONLY("Trojan:EC2/DGADomainRequest.C!DNS"),
    [CM_CAT_MALICIOUS_IP] = {IAM_MAL, S3_MAL, NULL, NULL,
                             "Impact:EC2/MaliciousDomainRequest.Reputation"},
    [CM_CAT_MALICIOUS_DOMAIN] = DNS_ONLY("Impact:EC2/MaliciousDomainRequest.Reputation"),
    [CM_CAT_CUSTOM] = {{"Recon:IAMUser/MaliciousIPCaller.Custom",
                        "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"},
                       {"Discovery:S3/MaliciousIPCaller.Custom",
                        "UnauthorizedAccess:S3/MaliciousIPCaller.Custom",
                        "UnauthorizedAccess:S3/MaliciousIPCaller.Custom"},
                       "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
                       "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom",
                       "Impact:EC2/MaliciousDomainRequest.Custom"},
    /* Reputation classes of domains: a DNS finding only (an address on such a list is none). */
    [CM_CAT_ABUSED_DOMAIN] = DNS_ONLY("Impact:EC2/AbusedDomainRequest.Reputation"),
    [CM_CAT_BITCOIN_DOMAIN] = DNS_ONLY("Impact:EC2/BitcoinDomainRequest.Reputation"),
    [CM_CAT_SUSPICIOUS_DOMAIN] = DNS_ONLY("Impact:EC2/SuspiciousDomainRequest.Reputation"),
};

static const struct intel_row *row(enum cm_intel_category c)
{
    return (unsigned)c < CM_CAT_COUNT ? &rows[c] : &rows[CM_CAT_UNKNOWN];
}

const char *cm_intel_type_iam(enum cm_intel_category c, enum cm_api_class k)
{
    return row(c)->iam[k == CM_API_RECON ? 0 : 1];
}

const char *cm_intel_type_s3(enum cm_intel_category c, enum cm_s3_class k)
{
    return (unsigned)k <= CM_S3_IMPACT ? row(c)->s3[k] : NULL;
}

const char *cm_intel_type_flow(enum cm_intel_category c, bool outbound)
{
    return outbound ? row(c)->flow_out : row(c)->flow_in;
}

const char *cm_intel_type_dns(enum cm_intel_category c)
{
    return row(c)->dns;
}
