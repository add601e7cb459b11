/*
 * coalmine gen: a deterministic generator of realistic AWS logs.
 *
 * The generator first builds a simulated organisation (struct cm_gen_world):
 * accounts, one VPC per account and region with subnets, EC2 instances with
 * ENIs and IPs, IAM users and roles with access keys, Lambda functions and S3
 * buckets. It then writes, per time window, the three log sources GuardDuty
 * reads, in the exact S3 delivery layout (spec §7): CloudTrail management and
 * S3 data-event files, VPC flow log files (default v2 or custom v5 format)
 * and Route 53 Resolver query log files. The world is shared by all three, so
 * an instance's ENI and private IP appear in flow records, its instance id in
 * DNS srcids and its instance-profile session in CloudTrail.
 *
 * Determinism: the output depends only on the config (never on the clock or
 * on the number of worker threads). Every file is built from its own random
 * stream derived from (seed, kind, VPC, window), and everything that spans
 * files (credential epochs, a user's working hours) is a pure function of
 * the seed, so files can be written in any order.
 *
 * Extension: attack scenarios are entries of cm_gen_scenarios (a const,
 * NULL-terminated table). A scenario is called for every file of the kinds it
 * names, after the benign background of that window, and adds records with
 * the same writers the background uses (cm_gen_file_* and the per-source
 * helpers below). Records are sorted by time when the file is assembled, so
 * a scenario need not care where its records land. A scenario also names
 * the threat-intelligence entries and other scan options (AWS's ranges, a
 * decoy key) it needs to be detected and the findings it should produce;
 * cm_gen_scenario_lists() writes them next to the logs (OUT/intel/,
 * OUT/aws/) so the run can be scanned and checked as it is.
 */
#ifndef CM_GEN_GEN_H
#define CM_GEN_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "gen/gen_text.h"
#include "gen/rng.h"

/* The three sources, as indexes and as bits of cm_gen_config.kinds. */
enum cm_gen_kind {
    CM_GEN_CLOUDTRAIL = 0,
    CM_GEN_VPCFLOW = 1,
    CM_GEN_DNS = 2,
    CM_GEN_NKINDS = 3,
};
#define CM_GEN_KIND_BIT(k) (1u << (k))
#define CM_GEN_KINDS_ALL   7u

/* Flow log formats: per-account mix (even accounts v2, odd accounts v5), or forced. */
enum cm_gen_flow_format {
    CM_GEN_FLOW_MIXED = 0,
    CM_GEN_FLOW_DEFAULT = 1,
    CM_GEN_FLOW_CUSTOM = 2,
};

/* Where the logs were delivered (--delivery): S3, or through CloudWatch Logs (gen_cwl.c). */
enum cm_gen_delivery {
    CM_GEN_DELIVERY_S3 = 0,     /* AWSLogs/..., as each service writes to S3 */
    CM_GEN_DELIVERY_CWL_EXPORT, /* exportedlogs/...: an export task's "<time> <record>" lines */
    CM_GEN_DELIVERY_FIREHOSE,   /* firehose/...: a subscription's deliveries through Firehose */
};

/*
 * The manifest written next to AWSLogs/: exact files, records and bytes per
 * kind. A dot file, so scanners that skip hidden files do not read it as a
 * log.
 */
#define CM_GEN_MANIFEST ".coalmine-gen.json"

/* Window lengths (seconds) of the delivered files. */
#define CM_GEN_CT_WINDOW   300
#define CM_GEN_FLOW_WINDOW 600
#define CM_GEN_DNS_WINDOW  300

/* Caps on the world's size (checked by cm_gen_config_check). */
#define CM_GEN_MAX_ACCOUNTS   1000
#define CM_GEN_MAX_INSTANCES  4000 /* per account */
#define CM_GEN_MAX_PRINCIPALS 500  /* per account */
#define CM_GEN_MAX_HOURS      (24 * 400)
#define CM_GEN_MAX_SCALE      10000.0
#define CM_GEN_MAX_JOBS       64

struct cm_gen_scenario;
struct cm_gen_env;
struct cm_gen_tables;

struct cm_gen_config {
    const char *out_dir; /* borrowed; files go under out_dir/AWSLogs/ */
    uint64_t seed;       /* default 1 */
    int64_t start_s;     /* Unix seconds, whole minutes; default 2026-01-05T00:00Z */
    unsigned hours;      /* default 2 */
    unsigned accounts;   /* default 2 */
    unsigned instances;  /* EC2 instances per account, default 8 */
    unsigned principals; /* IAM users (people and CI) per account, default 4 */
    unsigned regions;    /* regions per account, default 2 (us-east-1 first) */
    double scale;        /* event-rate multiplier, default 1.0 */
    unsigned kinds;      /* CM_GEN_KIND_BIT() set, default all */
    bool gzip;           /* default true */
    int gzip_level;      /* libdeflate level 1..12, default 1 (fastest) */
    enum cm_gen_flow_format flow_format;
    enum cm_gen_delivery delivery; /* default S3; otherwise flow logs have one format */
    unsigned jobs;                 /* worker threads, default 1; never changes the output */
    /* Scenarios to run (borrowed, NULL-terminated; NULL = none). */
    const struct cm_gen_scenario *const *scenarios;
};

/* What a run wrote, per kind (enum cm_gen_kind). */
struct cm_gen_stats {
    uint64_t files[CM_GEN_NKINDS];
    uint64_t records[CM_GEN_NKINDS]; /* data records; flow header lines excluded */
    uint64_t bytes[CM_GEN_NKINDS];   /* uncompressed content */
    uint64_t disk_bytes[CM_GEN_NKINDS];
};

/* ---- the simulated organisation ---- */

enum cm_gen_tier {
    CM_GEN_TIER_WEB = 0, /* public subnet, public IP, serves 443/80 */
    CM_GEN_TIER_APP,     /* private, :8080 from web, talks to db/cache/SaaS */
    CM_GEN_TIER_DB,      /* data subnet, PostgreSQL or MySQL */
    CM_GEN_TIER_WORKER,  /* private, queue consumer, heavy S3 */
    CM_GEN_TIER_BASTION, /* public, SSH from the admins' home IPs */
    CM_GEN_TIER_CACHE,   /* data subnet, Redis */
    CM_GEN_NTIERS,
};

enum cm_gen_principal_kind {
    CM_GEN_P_IAM_CLI = 0, /* IAM user with an AKIA key, CLI/SDK */
    CM_GEN_P_SSO,         /* person signing in through IAM Identity Center */
    CM_GEN_P_IAM_CONSOLE, /* IAM user using the console (password + MFA) */
    CM_GEN_P_CI,          /* IAM user for CI/Terraform, bursty */
    CM_GEN_NPKINDS,
};

enum cm_gen_role_kind {
    CM_GEN_R_INSTANCE = 0, /* instance profile role of one tier */
    CM_GEN_R_LAMBDA,       /* execution role of one function */
    CM_GEN_R_SSO,          /* AWSReservedSSO_* permission-set role */
    CM_GEN_R_SERVICE,      /* service-linked role (AWS Config) */
    CM_GEN_R_CROSS,        /* role a third-party monitoring vendor assumes */
    CM_GEN_R_ASSUMABLE,    /* role people and CI assume (admin, read-only, deploy) */
};

/*
 * Each account's roles, at account->first_role + slot: one instance role per
 * tier, then the fixed roles below, then two Lambda roles per region.
 */
enum cm_gen_role_slot {
    CM_GEN_RS_INSTANCE = 0, /* + tier */
    CM_GEN_RS_SSO_ADMIN = CM_GEN_NTIERS,
    CM_GEN_RS_SSO_READONLY,
    CM_GEN_RS_CONFIG,
    CM_GEN_RS_MONITOR,
    CM_GEN_RS_ADMIN,
    CM_GEN_RS_READONLY,
    CM_GEN_RS_DEPLOY,
    CM_GEN_RS_LAMBDA, /* + 2 * region + function */
};
#define CM_GEN_FUNCTIONS_PER_VPC   2
#define CM_GEN_BUCKETS_PER_ACCOUNT 4

struct cm_gen_region {
    const char *name;       /* "us-east-1" */
    const char *az_id;      /* AZ id prefix, "use1" */
    const char *dns_suffix; /* "ec2.internal" or "<region>.compute.internal" */
    uint32_t ec2_net[3];    /* public EC2 ranges (host order), /plen below */
    uint8_t ec2_plen[3];
    uint32_t s3_net; /* S3 endpoint range */
    uint8_t s3_plen;
};

struct cm_gen_account {
    char id[13];
    char env[12];       /* "prod", "staging", ... */
    unsigned first_vpc; /* VPC of region r is first_vpc + r */
    unsigned first_principal, nprincipals;
    unsigned first_role, nroles;
    unsigned first_bucket, nbuckets;
    uint8_t flow_custom; /* this account's flow logs use the v5 custom format */
};

struct cm_gen_subnet {
    char id[25];   /* subnet-<17hex> */
    uint32_t cidr; /* host order, /20 */
    uint8_t az;    /* 0 = a, 1 = b */
    uint8_t is_public;
};

#define CM_GEN_SUBNETS 6 /* per VPC: public a/b, private a/b, data a/b */

struct cm_gen_vpc {
    unsigned account, region;
    char id[22];            /* vpc-<17hex> */
    uint32_t cidr;          /* host order, /16 */
    uint32_t resolver;      /* cidr + 2 */
    uint32_t nat_ip;        /* NAT gateway's public IP */
    char flow_log_id[21];   /* fl-<17hex> */
    uint16_t flow_interval; /* aggregation: 60 or 600 s */
    char vpce_id[23];       /* vpce-<17hex>, interface endpoint for AWS APIs */
    uint8_t has_vpce;       /* instances reach sts/kms/ssm/... through vpce_id */
    char rslvr_in[27];      /* rslvr-in-<17hex>, inbound resolver endpoint */
    char rni[22];           /* rni-<17hex> */
    struct cm_gen_subnet subnets[CM_GEN_SUBNETS];
    unsigned first_instance, ninstances;
    unsigned first_function, nfunctions;
};

struct cm_gen_instance {
    unsigned account, region, vpc, subnet; /* subnet: index into vpc->subnets */
    enum cm_gen_tier tier;
    char id[20];        /* i-<17hex> */
    char eni[22];       /* eni-<17hex> */
    uint32_t ip;        /* private, host order */
    uint32_t public_ip; /* 0 when none (private subnets egress via the NAT) */
    unsigned role;      /* world role index of its instance profile */
};

struct cm_gen_principal {
    unsigned account;
    enum cm_gen_principal_kind kind;
    char name[32];         /* user name ("alice", "terraform-ci") */
    char principal_id[22]; /* AIDA<17> */
    char access_key[21];   /* AKIA<16> */
    uint32_t home_ip[2];   /* where this person or CI runner calls from */
    unsigned agent;        /* preferred user-agent family */
    unsigned home_region;  /* region index most calls go to */
    unsigned sso_role;     /* world role index (SSO principals) */
    uint8_t work_start;    /* first UTC hour of the working day */
    uint8_t mfa;
};

struct cm_gen_role {
    unsigned account;
    enum cm_gen_role_kind kind;
    char name[80];
    char path[48];         /* "/", "/aws-reserved/sso.amazonaws.com/", ... */
    char principal_id[22]; /* AROA<17> */
};

struct cm_gen_function {
    unsigned account, region, role;
    char name[40];
    unsigned runtime; /* index into the runtime/user-agent table */
};

struct cm_gen_bucket {
    unsigned account, region;
    char name[64];
};

/* Where the monitoring vendor's crawlers run: an AWS-hosted SaaS, 3.233.144.0/20 (us-east-1). */
#define CM_GEN_MONITOR_NET    ((3u << 24) | (233u << 16) | (144u << 8))
#define CM_GEN_MONITOR_PLEN   20
#define CM_GEN_MONITOR_REGION "us-east-1"

struct cm_gen_world {
    uint64_t seed;
    char org[16];
    unsigned naccounts, nregions, nvpcs, ninstances, nprincipals, nroles, nfunctions, nbuckets;
    const struct cm_gen_region *regions[16];
    struct cm_gen_account *accounts;
    struct cm_gen_vpc *vpcs; /* naccounts * nregions, account-major */
    struct cm_gen_instance *instances;
    struct cm_gen_principal *principals;
    struct cm_gen_role *roles;
    struct cm_gen_function *functions;
    struct cm_gen_bucket *buckets;
    uint32_t *clients; /* pool of public web clients */
    unsigned nclients;
    char monitor_account[13]; /* the monitoring vendor's account */
    uint32_t monitor_ip[4];   /* where the vendor's crawler calls from */
};

/* ---- one output file under construction ---- */

struct cm_gen_span {
    int64_t key;  /* sort key: event time (ms) or flow window start */
    uint32_t seq; /* insertion order, the tie-breaker */
    size_t off, len;
};

struct cm_gen_file {
    const struct cm_gen_env *env;
    enum cm_gen_kind kind;
    bool data_events;       /* CloudTrail: an S3 data-event trail file */
    unsigned vpc;           /* names the account and region too */
    uint64_t win;           /* window index since the run's start */
    int64_t start_s, end_s; /* window [start, end) */
    struct cm_gen_rng rng;
    struct cm_buf recs;   /* record texts, back to back */
    struct cm_gen_text t; /* appends to recs */
    struct cm_gen_span *spans;
    size_t nspans, spans_cap;
    size_t rec_off;    /* where the open record began */
    struct cm_buf out; /* the assembled file */
    int err;
};

/* Everything read-only during a run. */
struct cm_gen_env {
    const struct cm_gen_config *cfg;
    const struct cm_gen_world *world;
    const struct cm_gen_tables *tables; /* derived pick tables (gen_pick.h) */
};

/*
 * Threat intelligence a scenario needs loaded to be detected: one entry of
 * one list. OUT/intel/<list>.txt holds every entry of <list> (TXT format)
 * over the scenarios of a run; see cm_gen_scenario_lists().
 */
struct cm_gen_intel_entry {
    const char *list; /* a managed category ("tor_exit", "cnc", ...), "custom" or "trusted" */
    char value[64];   /* an IPv4 address, CIDR or domain name */
};

/* Most entries one scenario adds. */
#define CM_GEN_SC_MAX_ENTRIES 16

/* Most findings one scenario makes (rows of scenarios.tsv). */
#define CM_GEN_SC_MAX_EXPECT 8

/*
 * A finding a scenario should make `coalmine scan` report (one row of
 * OUT/intel/scenarios.tsv). A scenario may expect several: one per resource
 * (an access key that renews mid-run gives two findings) or per identity.
 */
struct cm_gen_expect {
    const char *type;     /* GuardDuty finding type */
    char resource[72];    /* access key id, principal id, bucket name or instance id */
    char eni[24];         /* the ENI flow findings name ("" unless from flow logs) */
    const char *list;     /* threatListName: the list behind it (NULL: none) */
    unsigned count;       /* events the finding counts */
    char indicators[256]; /* the listed addresses and names it uses, comma-separated */
    /*
     * Its near misses, comma-separated. Intel scenarios give addresses and
     * names; CloudTrail scenarios give one marker per near-miss record: the
     * substrings ('&'-separated) that one record of the logs holds together.
     */
    char near[1536];
    double severity; /* the severity the docs fix (0: not fixed) */
    char bucket[64]; /* the bucket s3BucketDetails names ("" for none) */
    char info[128];  /* additionalInfo checks: PATH=VALUE, '&'-separated ("" for none) */
    char role[32];   /* flow findings: resourceRole/connectionDirection ("" when not fixed) */
};

/*
 * What a scenario needs beyond its logs and lists to be detected: an option
 * of `coalmine scan` (written to args.txt when gen can give it) or a longer
 * run. Listed in scenarios.tsv's needs column.
 */
enum cm_gen_need_kind {
    CM_GEN_NEED_AWS_RANGES = 0, /* --aws-ranges OUT/aws/ip-ranges.json (gen writes it) */
    CM_GEN_NEED_CANARY_KEY,     /* --canary-key value */
    CM_GEN_NEED_GEOIP,          /* --geoip a City database (not gen's to give) */
    CM_GEN_NEED_HOURS,          /* a run of at least value hours shows every near miss */
    CM_GEN_NEED_EMR,            /* --inventory OUT/aws/instances.json, instance value an EMR node */
};

struct cm_gen_need {
    enum cm_gen_need_kind kind;
    char value[32];
};

/* Most needs one scenario has. */
#define CM_GEN_SC_MAX_NEEDS 4

struct cm_gen_scenario {
    const char *name;          /* "recon-iam-user" */
    const char *finding_types; /* comma-separated GuardDuty types it should trigger */
    unsigned kinds;            /* CM_GEN_KIND_BIT() set of files it adds to */
    /*
     * Adds records to f (a file of one of its kinds, already holding the
     * background). Uses f->rng only after the background is done, so adding
     * a scenario never changes the background. Returns 0 or CM_E*.
     */
    int (*emit)(const struct cm_gen_scenario *sc, struct cm_gen_file *f);
    /*
     * Writes the list entries the scenario needs to out (room for
     * CM_GEN_SC_MAX_ENTRIES) and returns how many. NULL: it needs none.
     */
    size_t (*intel)(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                    struct cm_gen_intel_entry *out);
    /*
     * Fills out[] (room for CM_GEN_SC_MAX_EXPECT) with the findings the
     * scenario makes in run c of world w. Returns how many (at least 1), or
     * CM_ENOTFOUND when w lacks what it needs (no IAM user, no instance), in
     * which case emit adds nothing. NULL: nothing to expect.
     */
    int (*expect)(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                  const struct cm_gen_world *w, struct cm_gen_expect *out);
    const void *plan; /* the family's description of this scenario */
    /*
     * Writes what the scenario needs beyond the logs and lists to out (room
     * for CM_GEN_SC_MAX_NEEDS) and returns how many. NULL: nothing.
     */
    size_t (*needs)(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                    struct cm_gen_need *out);
};

/* All scenarios, NULL-terminated. */
extern const struct cm_gen_scenario *const cm_gen_scenarios[];

/* The scenario named name, or NULL. */
const struct cm_gen_scenario *cm_gen_scenario_find(const char *name);

/*
 * Writes what c's scenarios need to be checked under c->out_dir/intel/: one
 * TXT list per list name (<list>.txt, entries sorted and unique), args.txt
 * (the `coalmine scan` options that load them and give the scenarios' other
 * needs, one per line) and scenarios.tsv (per expected finding: scenario
 * name, type, resource, ENI, list, count, indicators, near misses, severity,
 * bucket, additionalInfo checks, needs); with a scenario that needs AWS's
 * ranges, also c->out_dir/aws/ip-ranges.json (cm_gen_aws_ranges). Writes
 * nothing when c has no scenario. Returns 0, CM_EINVAL, CM_EIO or CM_ENOMEM.
 */
int cm_gen_scenario_lists(const struct cm_gen_config *c);

/* ---- entry points ---- */

/* Fills c with the defaults documented above (out_dir NULL). */
void cm_gen_config_init(struct cm_gen_config *c);

/* Checks ranges; returns 0 or CM_EINVAL with a static reason in *why. */
int cm_gen_config_check(const struct cm_gen_config *c, const char **why);

/*
 * Builds the world for c. Returns 0, CM_EINVAL or CM_ENOMEM; *out is owned,
 * free with cm_gen_world_destroy.
 */
int cm_gen_world_create(const struct cm_gen_config *c, struct cm_gen_world **out);
void cm_gen_world_destroy(struct cm_gen_world *w);

/* Activity multiplier (about 0.5 at night to 1.3 mid-day UTC) for Unix time t. */
double cm_gen_diurnal(int64_t t);

/* An address in one of region g's EC2 ranges, chosen by the hash h. */
uint32_t cm_gen_region_ip(const struct cm_gen_region *g, uint64_t h);

/*
 * Appends AWS's ip-ranges.json for world w of run c to b: the EC2 and S3
 * blocks of the world's regions, the monitoring vendor's block and the
 * scenarios' attacker host inside AWS (CM_GEN_SC_NET_AWS_OTHER), each as an
 * AMAZON prefix and again under its service, as AWS publishes them.
 * Returns 0 or CM_ENOMEM.
 */
int cm_gen_aws_ranges(const struct cm_gen_config *c, const struct cm_gen_world *w,
                      struct cm_buf *b);

/*
 * Appends the world's instances to b as `aws ec2 describe-instances` prints
 * them (one reservation per account); the instances whose ids are in emr
 * (space-separated, may be NULL) carry EMR's node tags. Returns 0 or CM_ENOMEM.
 */
int cm_gen_inventory(const struct cm_gen_config *c, const struct cm_gen_world *w, const char *emr,
                     struct cm_buf *b);

/* The built-in region table (index 0 = us-east-1), and its length. */
const struct cm_gen_region *cm_gen_region_at(unsigned i);
unsigned cm_gen_region_count(void);

/*
 * Generates every file and out_dir/CM_GEN_MANIFEST. Creates directories as
 * needed. Returns 0, CM_EINVAL (bad config, or out_dir/AWSLogs already
 * exists), CM_EIO or CM_ENOMEM; out (may be NULL) receives the totals.
 */
int cm_gen_run(const struct cm_gen_config *c, struct cm_gen_stats *out);

/* ---- file building (gen_file.c) ---- */

void cm_gen_file_init(struct cm_gen_file *f, const struct cm_gen_env *env);
void cm_gen_file_finish(struct cm_gen_file *f);
/* Starts a file of kind for vpc and window index win; seeds f->rng. */
void cm_gen_file_begin(struct cm_gen_file *f, enum cm_gen_kind kind, bool data_events, unsigned vpc,
                       uint64_t win);
/* Marks the start of a record; write it with f->t, then close it with end_rec. */
void cm_gen_file_begin_rec(struct cm_gen_file *f);
void cm_gen_file_end_rec(struct cm_gen_file *f, int64_t key);
/* Sorts the records and assembles f->out. Returns 0 or CM_ENOMEM / CM_E2BIG. */
int cm_gen_file_assemble(struct cm_gen_file *f);
/* Appends the file's path relative to out_dir to b. Returns 0 or CM_E*. */
int cm_gen_file_path(const struct cm_gen_file *f, struct cm_buf *b);

/* ---- background generators, one per source ---- */

/* Each appends its window's benign records to f. Return 0 or CM_E*. */
int cm_gen_cloudtrail_fill(struct cm_gen_file *f);
int cm_gen_ct_data_fill(struct cm_gen_file *f);
int cm_gen_flow_fill(struct cm_gen_file *f);
int cm_gen_dns_fill(struct cm_gen_file *f);

/* The flow header line of vpc's flow log (without newline). */
const char *cm_gen_flow_header(const struct cm_gen_world *w, unsigned vpc);

/* The folder under out_dir that the delivery writes to: "AWSLogs", "exportedlogs" or "firehose". */
const char *cm_gen_top_dir(const struct cm_gen_config *c);

/*
 * CloudWatch Logs delivery (gen_cwl.c): appends f's sorted records to t in
 * the shape of cfg->delivery, and writes the file's path relative to out_dir.
 */
int cm_gen_cwl_assemble(struct cm_gen_file *f, struct cm_gen_text *t);
int cm_gen_cwl_path(const struct cm_gen_file *f, struct cm_buf *b);

#endif
