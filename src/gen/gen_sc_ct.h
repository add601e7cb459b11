/*
 * Attack scenarios for the CloudTrail detections of issue #5
 * (docs/detectors/cloudtrail.md): root credential use, CloudTrail, Bedrock
 * and S3 access logging turned off, the password policy weakened, penetration
 * testing distributions, S3 Block Public Access turned off, buckets opened to
 * everyone, instance and Lambda credentials used elsewhere, impossible
 * travel between console logins and decoy-key use.
 *
 * Like the intel family (gen_sc_intel.h, whose helpers it shares), every
 * scenario is a const plan of steps at fixed offsets from the run's start in
 * the attacked VPC's account and region (account 0, region 0). A step is one
 * CloudTrail record: who calls (the stolen IAM user key, root, an instance's
 * or a function's role session, a decoy user...), from where (outside AWS,
 * another AWS host, the instance's own address, a VPC endpoint of this or
 * another account, a service name), the call, its user agent, its outcome
 * and its parameters (a template, see below). A step is a hit (the finding
 * must count it) or a near miss (it must not). The engine (gen_sc_ct.c)
 * writes the steps, computes the expected findings (one per resource: keys
 * of renewing sessions are worked out for each step's time) and names a
 * marker for every near miss so a test can find its record; the plans live
 * in gen_sc_ct_config.c (changes to the account's configuration),
 * gen_sc_ct_creds.c (uses of credentials), gen_sc_ct_anomaly.c (calls
 * unusual for the stolen key's owner: the API anomaly model) and
 * gen_sc_ct_s3_anomaly.c (its S3 data events: the S3 anomaly model). A step
 * may stand for a run of identical calls (times, every seconds apart; S3
 * object keys numbered), which count as that many hits.
 *
 * Parameter templates are JSON text for "requestParameters":...,
 * "responseElements":... with these tokens replaced: {acct} (account id),
 * {region}, {org}, {bucket} (the step's bucket), {logs} (the bucket trails
 * deliver to), {instance} and {eip} (the plan's instance and its own public
 * address), {flowlog} (the attacked VPC's flow log id), {user} (the
 * stolen key's owner's user name), {canonical} (the account's canonical
 * user id), {uuid} and {hex} (drawn per record). Everything else is a pure
 * function of the world, so emit and expect always agree.
 */
#ifndef CM_GEN_GEN_SC_CT_H
#define CM_GEN_GEN_SC_CT_H

#include <stddef.h>
#include <stdint.h>

#include "gen/gen.h"
#include "gen/gen_sc_intel.h"

/*
 * Where the attackers are. Outside AWS: a /24 of a first octet the world
 * never uses (see gen_sc_intel.h). Inside AWS: an EC2 host of theirs in a
 * region the world does not run in (its /16 is in OUT/aws/ip-ranges.json).
 * Behind a VPC endpoint of their own account: private addresses of their VPC.
 */
#define CM_GEN_SC_NET_OUTSIDE      CM_GEN_SC_IP4(146, 70, 117, 0)
#define CM_GEN_SC_NET_AWS_OTHER    CM_GEN_SC_IP4(15, 188, 210, 0)
#define CM_GEN_SC_AWS_OTHER_BLOCK  CM_GEN_SC_IP4(15, 188, 0, 0) /* /16, EC2 eu-west-3 */
#define CM_GEN_SC_AWS_OTHER_PLEN   16
#define CM_GEN_SC_AWS_OTHER_REGION "eu-west-3"
#define CM_GEN_SC_NET_FOREIGN_VPC  CM_GEN_SC_IP4(172, 31, 40, 0)
#define CM_GEN_SC_FOREIGN_ACCOUNT  "937463512309"
#define CM_GEN_SC_FOREIGN_ENDPOINT "vpce-0f3c9a7d51e2b8604"

/*
 * The API anomaly scenarios' attacker (gen_sc_ct_anomaly.c), outside AWS in
 * /16s no other scenario and nothing in the world calls from (first octets
 * of gen_sc_intel.h's unused blocks): the networks must still be new to the
 * stolen key's owner a day into a run that holds every scenario. EARLY is
 * where the same attack comes from before the owner has a day of history.
 */
#define CM_GEN_SC_NET_ANOMALY       CM_GEN_SC_IP4(154, 61, 71, 0)
#define CM_GEN_SC_NET_ANOMALY_EARLY CM_GEN_SC_IP4(209, 97, 152, 0)

/*
 * The S3 anomaly scenarios' attacker (gen_sc_ct_s3_anomaly.c): two more such
 * /16s, apart from the API anomaly ones, so that in a run with every
 * scenario the S3 attack's place is still new to the key's S3 profile.
 */
#define CM_GEN_SC_NET_S3_ANOMALY       CM_GEN_SC_IP4(162, 19, 91, 0)
#define CM_GEN_SC_NET_S3_ANOMALY_EARLY CM_GEN_SC_IP4(5, 161, 37, 0)

/* Who makes a step's call. */
enum cm_gen_sc_who {
    CM_GEN_SC_THIEF = 0,    /* someone holding the stolen IAM user key (cm_gen_sc_principal) */
    CM_GEN_SC_ADMIN,        /* an administrator: a session of the account's admin role */
    CM_GEN_SC_ROOT_LOGIN,   /* root signing in to the console (no key) */
    CM_GEN_SC_ROOT,         /* root's console session (its own ASIA key) */
    CM_GEN_SC_ROOT_SERVICE, /* root as an AWS service uses it (no key; invokedBy = via) */
    CM_GEN_SC_ROOT_SHORT,   /* a short-term root session of sts:AssumeRoot */
    CM_GEN_SC_INSTANCE,     /* the plan's instance's role session (renews every 6 h) */
    CM_GEN_SC_INSTANCE_SVC, /* the same credentials used by a service (invokedBy = via) */
    CM_GEN_SC_LAMBDA,       /* the plan's function's role session (renews every 4 h) */
    CM_GEN_SC_USER_LOGIN,   /* console sign-in of decoy user `user` (no MFA) */
    CM_GEN_SC_CANARY,       /* the decoy ("canary") key of decoy user 3 */
    CM_GEN_SC_OTHER_KEY,    /* another key, of decoy user 4, that nobody configured */
};

/* Where a step's call comes from. */
enum cm_gen_sc_from {
    CM_GEN_SC_FROM_OUTSIDE = 0, /* CM_GEN_SC_NET_OUTSIDE + d */
    CM_GEN_SC_FROM_AWS_OTHER,   /* CM_GEN_SC_NET_AWS_OTHER + d */
    CM_GEN_SC_FROM_HOME,        /* the admins' office: account 0's first user's home address */
    CM_GEN_SC_FROM_OWN,         /* the instance's own address (public IP, else the NAT's), or
                                   the address the function runs at this hour */
    CM_GEN_SC_FROM_VPCE,        /* the instance's private IP through its VPC's endpoint */
    CM_GEN_SC_FROM_VPCE_OTHER,  /* CM_GEN_SC_NET_FOREIGN_VPC + d through another account's */
    CM_GEN_SC_FROM_LAMBDA_HOST, /* another address Lambda runs the function at */
    CM_GEN_SC_FROM_SERVICE,     /* a service name (via) instead of an address */
    CM_GEN_SC_FROM_IP,          /* the literal address ip */
    CM_GEN_SC_FROM_USUAL,       /* the stolen key's owner at home: its home address d (0 or 1),
                                   with its usual user agent unless the step names one */
};

/* Which bucket a step is about (its S3 calls and {bucket}). */
enum cm_gen_sc_bucket {
    CM_GEN_SC_B_PLAN = 0, /* the plan's */
    CM_GEN_SC_B_LOGS,     /* the "logs" bucket: where trails deliver */
    CM_GEN_SC_B_ASSETS,
    CM_GEN_SC_B_BACKUPS,
    CM_GEN_SC_B_DATA_LAKE,
    /* buckets of the account the world does not hold (no background call touches them) */
    CM_GEN_SC_B_SCRATCH, /* Athena results */
    CM_GEN_SC_B_SHARED,  /* a team's shared files */
    CM_GEN_SC_B_EXPORTS, /* exports for partners */
    CM_GEN_SC_B_ARCHIVE, /* old records */
    CM_GEN_SC_NBUCKETS,
};

/* What a plan's findings name as their resource. */
enum cm_gen_sc_res {
    CM_GEN_SC_RES_ACTOR = 0, /* the caller's access key, else its principal id */
    CM_GEN_SC_RES_BUCKET,    /* the bucket of the call (S3 data events) */
};

/* Plan needs (bits). */
#define CM_GEN_SC_NEED_RANGES 0x1u /* AWS's ranges (--aws-ranges) */
#define CM_GEN_SC_NEED_CANARY 0x2u /* the decoy key configured (--canary-key) */
#define CM_GEN_SC_NEED_GEOIP  0x4u /* a City database (--geoip) */

struct cm_gen_sc_step {
    const char *svc;    /* eventSource prefix; NULL ends the plan */
    const char *api;    /* eventName, an entry of the generator's API table */
    uint32_t at;        /* seconds after the run's start */
    uint8_t who;        /* enum cm_gen_sc_who */
    uint8_t from;       /* enum cm_gen_sc_from */
    uint8_t d;          /* last octet for the FROM_* kinds that take one */
    uint8_t hit;        /* the finding counts it */
    uint8_t bucket;     /* enum cm_gen_sc_bucket */
    uint8_t user;       /* decoy user of CM_GEN_SC_USER_LOGIN */
    uint8_t fail;       /* ConsoleLogin: a failed sign-in */
    uint8_t times;      /* calls the step makes (0: one), every seconds apart; an S3 */
    uint8_t every;      /* object key gets the call's number: a/b.csv -> a/b-07.csv */
    uint32_t ip;        /* CM_GEN_SC_FROM_IP */
    const char *via;    /* the service of FROM_SERVICE / ROOT_SERVICE / INSTANCE_SVC */
    const char *agent;  /* user agent (NULL: the caller's usual one, else the plan's) */
    const char *error;  /* errorCode of a failed call ("AccessDenied"), NULL: success */
    const char *params; /* parameter template (NULL: the API table's) */
    const char *key;    /* S3 object key of data events (NULL: drawn) */
    const char *mark;   /* near misses: what tells the record apart (no ',' or tab) */
};

struct cm_gen_sc_plan {
    uint8_t res;         /* enum cm_gen_sc_res */
    uint8_t bucket;      /* enum cm_gen_sc_bucket: the plan's bucket */
    uint8_t show_bucket; /* the findings name the plan's bucket in s3BucketDetails */
    uint8_t tier;        /* enum cm_gen_tier of the plan's instance */
    unsigned needs;      /* CM_GEN_SC_NEED_* */
    unsigned hours;      /* hours a run needs to hold every step (0: 1) */
    double severity;     /* what docs/detectors/cloudtrail.md fixes */
    const char *agent;   /* the attacker's client */
    const char *info;    /* additionalInfo checks (struct cm_gen_expect) or NULL */
    struct cm_gen_sc_step steps[CM_GEN_SC_MAX_STEPS];
};

/* The family's callbacks (struct cm_gen_scenario), shared by every plan. */
int cm_gen_sc_ct_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f);
int cm_gen_sc_ct_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                        const struct cm_gen_world *w, struct cm_gen_expect *out);
size_t cm_gen_sc_ct_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                          struct cm_gen_need *out);

#define CM_GEN_SC_CT(var, nm, type, pl)                                                            \
    const struct cm_gen_scenario var = {nm,                                                        \
                                        type,                                                      \
                                        CM_GEN_KIND_BIT(CM_GEN_CLOUDTRAIL),                        \
                                        cm_gen_sc_ct_emit,                                         \
                                        NULL,                                                      \
                                        cm_gen_sc_ct_expect,                                       \
                                        &pl,                                                       \
                                        cm_gen_sc_ct_needs}

/* ---- the scenarios (listed in gen_scenario.c) ---- */

/* gen_sc_ct_config.c: the account's configuration changed. */
extern const struct cm_gen_scenario cm_gen_sc_cloudtrail_stop;
extern const struct cm_gen_scenario cm_gen_sc_cloudtrail_delete;
extern const struct cm_gen_scenario cm_gen_sc_cloudtrail_event_selectors;
extern const struct cm_gen_scenario cm_gen_sc_bedrock_logging_disabled;
extern const struct cm_gen_scenario cm_gen_sc_password_policy_deleted;
extern const struct cm_gen_scenario cm_gen_sc_password_policy_weakened;
extern const struct cm_gen_scenario cm_gen_sc_s3_account_bpa_disabled;
extern const struct cm_gen_scenario cm_gen_sc_s3_bucket_bpa_disabled;
extern const struct cm_gen_scenario cm_gen_sc_s3_access_logging_disabled;

/* gen_sc_ct_custom.c: the Custom Detection Rules (docs/detectors/custom-rules.md). */
extern const struct cm_gen_scenario cm_gen_sc_ec2_password_data;
extern const struct cm_gen_scenario cm_gen_sc_rds_master_password;
extern const struct cm_gen_scenario cm_gen_sc_ec2_termination_protection;
extern const struct cm_gen_scenario cm_gen_sc_vpc_flow_logs_deleted;
extern const struct cm_gen_scenario cm_gen_sc_organization_leave;
extern const struct cm_gen_scenario cm_gen_sc_organization_policy;
extern const struct cm_gen_scenario cm_gen_sc_s3_anonymous_access;
extern const struct cm_gen_scenario cm_gen_sc_s3_public_access;

/* gen_sc_ct_creds.c: credentials used. */
extern const struct cm_gen_scenario cm_gen_sc_root_credential_usage;
extern const struct cm_gen_scenario cm_gen_sc_root_short_term;
extern const struct cm_gen_scenario cm_gen_sc_pentest_kali_iam;
extern const struct cm_gen_scenario cm_gen_sc_pentest_kali_s3;
extern const struct cm_gen_scenario cm_gen_sc_pentest_parrot_iam;
extern const struct cm_gen_scenario cm_gen_sc_pentest_parrot_s3;
extern const struct cm_gen_scenario cm_gen_sc_pentest_pentoo_iam;
extern const struct cm_gen_scenario cm_gen_sc_pentest_pentoo_s3;
extern const struct cm_gen_scenario cm_gen_sc_instance_credential_outside;
extern const struct cm_gen_scenario cm_gen_sc_instance_credential_inside;
extern const struct cm_gen_scenario cm_gen_sc_lambda_credential_outside;
extern const struct cm_gen_scenario cm_gen_sc_console_login_travel;
extern const struct cm_gen_scenario cm_gen_sc_canary_credential_usage;

/*
 * gen_sc_ct_anomaly.c: calls unusual for the stolen key's owner
 * (<Tactic>:IAMUser/AnomalousBehavior).
 */
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_discovery;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_credential_access;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_defense_evasion;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_exfiltration;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_impact;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_initial_access;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_persistence;
extern const struct cm_gen_scenario cm_gen_sc_api_anomaly_privilege_escalation;

/*
 * gen_sc_ct_s3_anomaly.c: S3 data events unusual for the stolen key's owner
 * (<Tactic>:S3/AnomalousBehavior[.Kind]).
 */
extern const struct cm_gen_scenario cm_gen_sc_s3_anomaly_discovery;
extern const struct cm_gen_scenario cm_gen_sc_s3_anomaly_exfiltration;
extern const struct cm_gen_scenario cm_gen_sc_s3_anomaly_delete;
extern const struct cm_gen_scenario cm_gen_sc_s3_anomaly_permission;
extern const struct cm_gen_scenario cm_gen_sc_s3_anomaly_write;

#endif
