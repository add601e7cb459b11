/*
 * Intel scenarios in CloudTrail: someone holding a stolen IAM user key (the
 * first CLI user of account 0) calls AWS from a listed address. Which
 * finding that is depends on the list (managed malicious-IP intel, a
 * customer threat list, Tor exit nodes) and on the calls: reconnaissance,
 * calls that list or describe (ListUsers, ListBuckets, DescribeInstances),
 * gives Recon:IAMUser/..., anything else (PutRolePolicy, GetSecretValue,
 * AuthorizeSecurityGroupIngress, StopInstances, and a Get of a named thing:
 * GetCallerIdentity, GuardDuty tester's `aws iam get-user`)
 * UnauthorizedAccess:IAMUser/...,
 * and calls on a bucket (GetBucketAcl, ListObjects, GetObject, PutObject,
 * DeleteObject) the S3 family: discovery, exfiltration or impact.
 *
 * Near misses in every plan: the same calls from the address next to the
 * listed one (the attacker's other machine, not on any list), and in the
 * customer-list recon plan calls from an address that is on the customer
 * list and on the trusted list too (trusted wins: nothing).
 */
#include "gen/gen_sc_intel.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_ct.h"

/* Where a step's call comes from. */
enum {
    FROM_LISTED = 0, /* the plan's address: counted */
    FROM_NEAR,       /* address + 1, on no list */
    FROM_TRUSTED,    /* address + 2, on the plan's list and on the trusted list */
};

struct ct_step {
    const char *svc; /* eventSource prefix; NULL ends the plan */
    const char *api; /* eventName, an entry of the generator's API table */
    uint16_t at;     /* seconds after the run's start */
    uint8_t from;    /* FROM_* */
    const char *key; /* S3 object key (NULL: drawn) */
    uint32_t bytes;  /* object size */
};

struct ct_plan {
    const char *list;  /* the list the address is on */
    uint32_t ip;       /* the attacker's address */
    bool s3;           /* the finding is about the bucket, not the key */
    const char *agent; /* the attacker's client */
    struct ct_step steps[CM_GEN_SC_MAX_STEPS];
};

static const char boto3[] = "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.6.15-amd64 "
                            "md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython "
                            "cfg/retry-mode#legacy Botocore/1.34.51";
static const char kali_cli[] = "aws-cli/2.15.22 Python/3.11.6 Linux/6.6.9-amd64 "
                               "exe/x86_64.kali.2024 prompt/off";

static uint32_t step_ip(const struct ct_plan *p, const struct ct_step *s)
{
    return p->ip + (s->from == FROM_NEAR ? 1u : s->from == FROM_TRUSTED ? 2u : 0u);
}

static bool on_bucket(const struct cm_gen_api *a)
{
    return a->params == CM_GEN_PA_S3_BUCKET || a->params == CM_GEN_PA_S3_OBJECT ||
           a->params == CM_GEN_PA_S3_LIST;
}

static int ct_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct ct_plan *p = sc->plan;
    const struct cm_gen_world *w = f->env->world;
    long user = cm_gen_sc_principal(w), bucket = cm_gen_sc_bucket(w);
    struct cm_gen_caller who;
    const struct ct_step *s;

    if (f->kind != CM_GEN_CLOUDTRAIL || user < 0 || (p->s3 && bucket < 0)) {
        return 0;
    }
    memset(&who, 0, sizeof(who));
    who.kind = CM_GEN_K_IAM_USER;
    who.account = 0;
    who.principal = (unsigned)user;
    memcpy(who.key, w->principals[user].access_key, sizeof(who.key));
    for (s = p->steps; s->svc != NULL; s++) {
        const struct cm_gen_api *api = cm_gen_api_find(s->svc, s->api);
        int64_t t = cm_gen_sc_time(f, s->at);
        struct cm_gen_ct_call c;

        if (api == NULL) {
            return CM_EINVAL; /* the plan names a call the API table lacks */
        }
        if (((api->flags & CM_GEN_API_DATA) != 0) != f->data_events || !cm_gen_sc_in_file(f, t)) {
            continue;
        }
        cm_gen_ct_call_init(&c, t, api, &who, 0);
        c.src_ip = step_ip(p, s);
        c.agent_text = p->agent;
        if (on_bucket(api) && bucket >= 0) {
            c.bucket = (unsigned)bucket;
            c.object_key = s->key;
            c.bytes_out = s->bytes ? s->bytes : 48213;
        }
        cm_gen_ct_write(f, &c);
    }
    return f->t.err;
}

static size_t ct_intel(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                       struct cm_gen_intel_entry *out)
{
    const struct ct_plan *p = sc->plan;
    const struct ct_step *s;
    size_t n = 0;

    (void)w;
    cm_gen_sc_add_ip(out, &n, p->list, p->ip);
    for (s = p->steps; s->svc != NULL; s++) {
        if (s->from == FROM_TRUSTED) {
            cm_gen_sc_add_ip(out, &n, p->list, step_ip(p, s));
            cm_gen_sc_add_ip(out, &n, CM_GEN_SC_TRUSTED, step_ip(p, s));
        }
    }
    return n;
}

static int ct_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                     const struct cm_gen_world *w, struct cm_gen_expect *e)
{
    const struct ct_plan *p = sc->plan;
    long user = cm_gen_sc_principal(w), bucket = cm_gen_sc_bucket(w);
    const struct ct_step *s;

    (void)c;
    memset(e, 0, sizeof(*e));
    if (user < 0 || (p->s3 && bucket < 0)) {
        return CM_ENOTFOUND;
    }
    e->type = sc->finding_types;
    e->list = p->list;
    snprintf(e->resource, sizeof(e->resource), "%s",
             p->s3 ? w->buckets[bucket].name : w->principals[user].access_key);
    cm_gen_sc_note_ip(e->indicators, sizeof(e->indicators), p->ip);
    for (s = p->steps; s->svc != NULL; s++) {
        e->count += s->from == FROM_LISTED;
        if (s->from != FROM_LISTED) {
            cm_gen_sc_note_ip(e->near, sizeof(e->near), step_ip(p, s));
        }
    }
    return 1; /* one finding */
}

#define CT_SCENARIO(var, nm, type, pl)                                                             \
    const struct cm_gen_scenario var = {                                                           \
        nm, type, CM_GEN_KIND_BIT(CM_GEN_CLOUDTRAIL), ct_emit, ct_intel, ct_expect, &pl, NULL}

#define MAL(d)    (CM_GEN_SC_NET_MALICIOUS + (d))
#define CUSTOM(d) (CM_GEN_SC_NET_CUSTOM + (d))
#define TOR(d)    (CM_GEN_SC_NET_TOR_EXIT + (d))

/* ---- IAM: reconnaissance ---- */

static const struct ct_plan recon_malicious = {
    "malicious_ip",
    MAL(10),
    false,
    boto3,
    {{"sts", "GetCallerIdentity", 600, FROM_NEAR, NULL, 0},
     {"iam", "ListUsers", 610, FROM_LISTED, NULL, 0},
     {"s3", "ListBuckets", 625, FROM_LISTED, NULL, 0},
     {"ec2", "DescribeInstances", 640, FROM_LISTED, NULL, 0},
     {"ec2", "DescribeInstances", 655, FROM_NEAR, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_recon_iam_malicious, "recon-iam-malicious-ip",
            "Recon:IAMUser/MaliciousIPCaller", recon_malicious);

static const struct ct_plan recon_custom = {
    CM_GEN_SC_CUSTOM,
    CUSTOM(11),
    false,
    boto3,
    {{"iam", "ListRoles", 720, FROM_LISTED, NULL, 0},
     {"s3", "ListBuckets", 735, FROM_LISTED, NULL, 0},
     {"ec2", "DescribeInstances", 750, FROM_LISTED, NULL, 0},
     {"s3", "ListBuckets", 760, FROM_NEAR, NULL, 0},
     {"sts", "GetCallerIdentity", 770, FROM_TRUSTED, NULL, 0},
     {"ec2", "DescribeInstances", 780, FROM_TRUSTED, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_recon_iam_custom, "recon-iam-custom",
            "Recon:IAMUser/MaliciousIPCaller.Custom", recon_custom);

static const struct ct_plan recon_tor = {"tor_exit",
                                         TOR(201),
                                         false,
                                         kali_cli,
                                         {{"iam", "ListAccessKeys", 840, FROM_LISTED, NULL, 0},
                                          {"s3", "ListBuckets", 855, FROM_LISTED, NULL, 0},
                                          {"ec2", "DescribeInstances", 870, FROM_LISTED, NULL, 0},
                                          {"iam", "ListUsers", 880, FROM_LISTED, NULL, 0},
                                          {"iam", "ListUsers", 890, FROM_NEAR, NULL, 0},
                                          {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_recon_iam_tor, "recon-iam-tor", "Recon:IAMUser/TorIPCaller", recon_tor);

/* ---- IAM: everything else (recon first, from the unlisted machine) ---- */

static const struct ct_plan access_malicious = {
    "malicious_ip",
    MAL(20),
    false,
    boto3,
    {{"sts", "GetCallerIdentity", 960, FROM_NEAR, NULL, 0},
     {"iam", "ListRoles", 970, FROM_NEAR, NULL, 0},
     {"iam", "PutRolePolicy", 985, FROM_LISTED, NULL, 0},
     {"secretsmanager", "GetSecretValue", 1000, FROM_LISTED, NULL, 0},
     {"ec2", "AuthorizeSecurityGroupIngress", 1015, FROM_LISTED, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_access_iam_malicious, "unauthorized-iam-malicious-ip",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller", access_malicious);

static const struct ct_plan access_custom = {
    CM_GEN_SC_CUSTOM,
    CUSTOM(19),
    false,
    boto3,
    {{"sts", "GetCallerIdentity", 1080, FROM_NEAR, NULL, 0},
     {"iam", "ListRoles", 1090, FROM_NEAR, NULL, 0},
     {"iam", "GetUser", 1100, FROM_LISTED, NULL, 0},
     {"iam", "PutRolePolicy", 1105, FROM_LISTED, NULL, 0},
     {"secretsmanager", "GetSecretValue", 1120, FROM_LISTED, NULL, 0},
     {"ec2", "AuthorizeSecurityGroupIngress", 1135, FROM_LISTED, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_access_iam_custom, "unauthorized-iam-custom",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom", access_custom);

static const struct ct_plan access_tor = {
    "tor_exit",
    TOR(210),
    false,
    kali_cli,
    {{"sts", "GetCallerIdentity", 1200, FROM_NEAR, NULL, 0},
     {"iam", "PutRolePolicy", 1215, FROM_LISTED, NULL, 0},
     {"secretsmanager", "GetSecretValue", 1230, FROM_LISTED, NULL, 0},
     {"ec2", "StopInstances", 1245, FROM_LISTED, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_access_iam_tor, "unauthorized-iam-tor",
            "UnauthorizedAccess:IAMUser/TorIPCaller", access_tor);

/* ---- S3: discovery, exfiltration, impact ---- */

static const struct ct_plan discovery_malicious = {
    "malicious_ip",
    MAL(30),
    true,
    boto3,
    {{"s3", "GetBucketAcl", 1320, FROM_LISTED, NULL, 0},
     {"s3", "ListObjects", 1330, FROM_LISTED, NULL, 0},
     {"s3", "ListObjectsV2", 1345, FROM_LISTED, NULL, 0},
     {"s3", "ListObjects", 1360, FROM_NEAR, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_discovery_s3_malicious, "discovery-s3-malicious-ip",
            "Discovery:S3/MaliciousIPCaller", discovery_malicious);

static const struct ct_plan discovery_custom = {
    CM_GEN_SC_CUSTOM,
    CUSTOM(27),
    true,
    boto3,
    {{"s3", "GetBucketAcl", 1440, FROM_LISTED, NULL, 0},
     {"s3", "ListObjects", 1450, FROM_LISTED, NULL, 0},
     {"s3", "ListObjectsV2", 1465, FROM_LISTED, NULL, 0},
     {"s3", "ListObjects", 1480, FROM_NEAR, NULL, 0},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_discovery_s3_custom, "discovery-s3-custom",
            "Discovery:S3/MaliciousIPCaller.Custom", discovery_custom);

static const struct ct_plan discovery_tor = {"tor_exit",
                                             TOR(220),
                                             true,
                                             kali_cli,
                                             {{"s3", "GetBucketAcl", 1560, FROM_LISTED, NULL, 0},
                                              {"s3", "ListObjects", 1570, FROM_LISTED, NULL, 0},
                                              {"s3", "ListObjectsV2", 1585, FROM_LISTED, NULL, 0},
                                              {"s3", "ListObjects", 1600, FROM_NEAR, NULL, 0},
                                              {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_discovery_s3_tor, "discovery-s3-tor", "Discovery:S3/TorIPCaller",
            discovery_tor);

static const struct ct_plan exfil_malicious = {
    "malicious_ip",
    MAL(40),
    true,
    boto3,
    {{"s3", "ListObjects", 1680, FROM_NEAR, NULL, 0},
     {"s3", "GetObject", 1700, FROM_LISTED, "db/2026/01/prod-full.sql.gz", 734003200},
     {"s3", "GetObject", 1720, FROM_LISTED, "db/2026/01/users-export.csv.gz", 91226112},
     {"s3", "GetObject", 1740, FROM_LISTED, "config/2026/secrets.tar.gz", 20480},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_exfil_s3_malicious, "exfiltration-s3-malicious-ip",
            "Exfiltration:S3/MaliciousIPCaller", exfil_malicious);

static const struct ct_plan impact_malicious = {
    "malicious_ip",
    MAL(50),
    true,
    boto3,
    {{"s3", "GetObject", 1800, FROM_NEAR, "db/2026/01/prod-full.sql.gz", 734003200},
     {"s3", "DeleteObject", 1820, FROM_LISTED, "db/2026/01/prod-full.sql.gz", 0},
     {"s3", "DeleteObject", 1835, FROM_LISTED, "db/2026/01/users-export.csv.gz", 0},
     {"s3", "PutObject", 1850, FROM_LISTED, "README-RESTORE-FILES.txt", 2214},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_impact_s3_malicious, "impact-s3-malicious-ip", "Impact:S3/MaliciousIPCaller",
            impact_malicious);

static const struct ct_plan access_s3_custom = {
    CM_GEN_SC_CUSTOM,
    CUSTOM(35),
    true,
    boto3,
    {{"s3", "ListObjects", 1920, FROM_NEAR, NULL, 0},
     {"s3", "GetObject", 1940, FROM_LISTED, "db/2026/01/prod-full.sql.gz", 734003200},
     {"s3", "GetObject", 1955, FROM_LISTED, "config/2026/secrets.tar.gz", 20480},
     {"s3", "PutObject", 1970, FROM_LISTED, "README-RESTORE-FILES.txt", 2214},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_access_s3_custom, "unauthorized-s3-custom",
            "UnauthorizedAccess:S3/MaliciousIPCaller.Custom", access_s3_custom);

static const struct ct_plan access_s3_tor = {
    "tor_exit",
    TOR(230),
    true,
    kali_cli,
    {{"s3", "ListObjects", 2040, FROM_NEAR, NULL, 0},
     {"s3", "GetObject", 2060, FROM_LISTED, "db/2026/01/users-export.csv.gz", 91226112},
     {"s3", "DeleteObject", 2075, FROM_LISTED, "db/2026/01/users-export.csv.gz", 0},
     {"s3", "PutObject", 2090, FROM_LISTED, "README-RESTORE-FILES.txt", 2214},
     {NULL, NULL, 0, 0, NULL, 0}}};
CT_SCENARIO(cm_gen_sc_access_s3_tor, "unauthorized-s3-tor", "UnauthorizedAccess:S3/TorIPCaller",
            access_s3_tor);
