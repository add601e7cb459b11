/*
 * The simulated organisation behind every generated log (see gen.h).
 *
 * Built once per run from the seed alone, in a fixed order, so the same
 * config always yields the same accounts, IDs and addresses. Layout rules:
 * account a has one VPC per region r (vpcs[a * nregions + r]) with CIDR
 * 10.k.0.0/16 (k = VPC index mod 256) and six /20 subnets (public, private
 * and data tiers in two AZs); instance i of an account lives in region
 * i mod nregions and its tier follows a fixed rotation, so small worlds still
 * get web, app and database hosts in every region. The world owns all its
 * arrays; cm_gen_world_destroy frees them.
 */
#include "gen/gen.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "gen/gen_ct.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const struct cm_gen_region regions[] = {
    {"us-east-1",
     "use1",
     "ec2.internal",
     {IP4(3, 80, 0, 0), IP4(34, 192, 0, 0), IP4(44, 192, 0, 0)},
     {12, 12, 11},
     IP4(52, 216, 0, 0),
     15},
    {"eu-west-1",
     "euw1",
     "eu-west-1.compute.internal",
     {IP4(34, 240, 0, 0), IP4(52, 16, 0, 0), IP4(54, 72, 0, 0)},
     {13, 15, 15},
     IP4(52, 218, 0, 0),
     17},
    {"us-west-2",
     "usw2",
     "us-west-2.compute.internal",
     {IP4(34, 208, 0, 0), IP4(44, 224, 0, 0), IP4(54, 184, 0, 0)},
     {12, 11, 13},
     IP4(52, 218, 128, 0),
     17},
    {"eu-central-1",
     "euc1",
     "eu-central-1.compute.internal",
     {IP4(3, 64, 0, 0), IP4(18, 184, 0, 0), IP4(52, 28, 0, 0)},
     {12, 15, 16},
     IP4(52, 219, 168, 0),
     21},
    {"ap-southeast-2",
     "apse2",
     "ap-southeast-2.compute.internal",
     {IP4(3, 24, 0, 0), IP4(13, 236, 0, 0), IP4(54, 252, 0, 0)},
     {14, 14, 16},
     IP4(52, 95, 128, 0),
     21},
    {"ap-northeast-1",
     "apne1",
     "ap-northeast-1.compute.internal",
     {IP4(3, 112, 0, 0), IP4(18, 176, 0, 0), IP4(54, 64, 0, 0)},
     {14, 15, 15},
     IP4(52, 219, 0, 0),
     20},
    {"us-east-2",
     "use2",
     "us-east-2.compute.internal",
     {IP4(3, 128, 0, 0), IP4(18, 216, 0, 0), IP4(52, 14, 0, 0)},
     {12, 14, 16},
     IP4(52, 219, 80, 0),
     20},
    {"sa-east-1",
     "sae1",
     "sa-east-1.compute.internal",
     {IP4(18, 228, 0, 0), IP4(54, 232, 0, 0), IP4(177, 71, 128, 0)},
     {16, 16, 17},
     IP4(52, 95, 164, 0),
     22},
    {"ca-central-1",
     "cac1",
     "ca-central-1.compute.internal",
     {IP4(3, 96, 0, 0), IP4(15, 222, 0, 0), IP4(35, 182, 0, 0)},
     {14, 15, 15},
     IP4(52, 95, 146, 0),
     23},
    {"eu-west-2",
     "euw2",
     "eu-west-2.compute.internal",
     {IP4(3, 8, 0, 0), IP4(18, 130, 0, 0), IP4(35, 176, 0, 0)},
     {14, 16, 15},
     IP4(52, 95, 148, 0),
     23},
    {"ap-south-1",
     "aps1",
     "ap-south-1.compute.internal",
     {IP4(3, 6, 0, 0), IP4(13, 232, 0, 0), IP4(65, 0, 0, 0)},
     {15, 14, 14},
     IP4(52, 219, 64, 0),
     22},
    {"eu-north-1",
     "eun1",
     "eu-north-1.compute.internal",
     {IP4(13, 48, 0, 0), IP4(16, 170, 0, 0), IP4(13, 60, 0, 0)},
     {15, 15, 16},
     IP4(52, 95, 169, 0),
     24},
};

static const char *const orgs[] = {"acme", "globex", "initech", "umbrella", "hooli", "vandelay"};
static const char *const envs[] = {"prod", "staging",  "dev",     "shared",
                                   "data", "security", "sandbox", "qa"};
static const char *const people[] = {
    "alice",   "bob",  "carol",  "dave",  "erin",   "frank", "grace", "heidi",  "ivan",   "judy",
    "mallika", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "yusuf"};
static const char *const ci_users[] = {"terraform-ci", "github-actions", "jenkins-deploy",
                                       "gitlab-runner", "backup-automation"};
static const char *const functions[] = {"orders-api",      "image-resizer",  "nightly-report",
                                        "slack-notifier",  "cost-exporter",  "audit-forwarder",
                                        "webhook-handler", "token-refresher"};
static const char *const bucket_purpose[CM_GEN_BUCKETS_PER_ACCOUNT] = {"logs", "assets", "backups",
                                                                       "data-lake"};
static const char *const tier_names[CM_GEN_NTIERS] = {"web",    "app",     "db",
                                                      "worker", "bastion", "cache"};
/* UTC hours people start work: APAC, Europe and the Americas (a global team). */
static const uint8_t work_starts[] = {23, 0, 1, 7, 8, 8, 13, 14, 14, 15, 16, 17};
static const uint8_t tier_rotation[] = {CM_GEN_TIER_WEB,    CM_GEN_TIER_APP,     CM_GEN_TIER_DB,
                                        CM_GEN_TIER_WORKER, CM_GEN_TIER_BASTION, CM_GEN_TIER_CACHE,
                                        CM_GEN_TIER_APP,    CM_GEN_TIER_WEB,     CM_GEN_TIER_WORKER,
                                        CM_GEN_TIER_APP,    CM_GEN_TIER_DB,      CM_GEN_TIER_WEB};
static const enum cm_gen_principal_kind principal_rotation[] = {
    CM_GEN_P_IAM_CLI, CM_GEN_P_SSO, CM_GEN_P_IAM_CONSOLE, CM_GEN_P_CI,
    CM_GEN_P_IAM_CLI, CM_GEN_P_SSO, CM_GEN_P_IAM_CONSOLE, CM_GEN_P_SSO};

/* Where people work from: documentation ranges, GeoIP test ranges, ISP-like blocks. */
static const struct {
    uint32_t net;
    uint8_t plen;
} home_nets[] =
    {
        {IP4(198, 51, 100, 0), 24},  {IP4(203, 0, 113, 0), 24},   {IP4(192, 0, 2, 0), 24},
        {IP4(81, 2, 69, 160), 27},   {IP4(216, 160, 83, 56), 29}, {IP4(89, 160, 20, 112), 28},
        {IP4(2, 125, 160, 216), 29}, {IP4(67, 43, 156, 0), 24},   {IP4(73, 0, 0, 0), 8},
        {IP4(86, 128, 0, 0), 10},    {IP4(176, 24, 0, 0), 13},    {IP4(109, 144, 0, 0), 12},
},
  ci_nets[] = {
      {IP4(4, 148, 0, 0), 16},
      {IP4(20, 57, 0, 0), 16},
      {IP4(40, 84, 0, 0), 16},
      {IP4(52, 225, 0, 0), 16},
};

/* First octets of consumer and business address space, for the web-client pool. */
static const uint8_t client_octets[] = {
    23,  24,  31,  37,  46,  49,  62,  66,  68,  71,  72,  73,  76,  77,  78,  79,  80,  81,
    82,  83,  84,  85,  86,  87,  88,  89,  90,  91,  92,  93,  94,  95,  98,  99,  101, 103,
    108, 109, 110, 112, 114, 115, 116, 117, 118, 119, 120, 121, 122, 124, 125, 151, 152, 171,
    173, 174, 175, 176, 177, 178, 179, 180, 181, 182, 183, 185, 186, 187, 188, 189, 190, 191,
    193, 194, 195, 196, 197, 200, 201, 202, 210, 211, 212, 213, 217, 218, 219, 220, 221, 222};

const struct cm_gen_region *cm_gen_region_at(unsigned i)
{
    return i < sizeof(regions) / sizeof(regions[0]) ? &regions[i] : NULL;
}

unsigned cm_gen_region_count(void)
{
    return (unsigned)(sizeof(regions) / sizeof(regions[0]));
}

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void rand_id(struct cm_gen_rng *r, char *out, const char *prefix, size_t nhex)
{
    size_t n = strlen(prefix);

    memcpy(out, prefix, n);
    cm_gen_rng_hex(r, out + n, nhex);
    out[n + nhex] = '\0';
}

static void rand_key(struct cm_gen_rng *r, char *out, const char *prefix, size_t n,
                     const char *alphabet)
{
    memcpy(out, prefix, 4);
    cm_gen_rng_chars(r, out + 4, n, alphabet, strlen(alphabet));
    out[4 + n] = '\0';
}

static uint32_t rand_in(struct cm_gen_rng *r, uint32_t net, unsigned plen)
{
    uint32_t size = plen >= 32 ? 1u : (uint32_t)1 << (32 - plen);
    uint32_t ip = net + cm_gen_rng_below(r, size);

    if (size >= 256) {
        ip = (ip & ~255u) | cm_gen_rng_range(r, 1, 254);
    }
    return ip;
}

static uint32_t rand_region_ip(struct cm_gen_rng *r, const struct cm_gen_region *g)
{
    unsigned k = cm_gen_rng_below(r, 3);

    return rand_in(r, g->ec2_net[k], g->ec2_plen[k]);
}

static int alloc_world(struct cm_gen_world *w, const struct cm_gen_config *c)
{
    unsigned nroles = CM_GEN_RS_LAMBDA + CM_GEN_FUNCTIONS_PER_VPC * c->regions;

    w->naccounts = c->accounts;
    w->nregions = c->regions;
    w->nvpcs = c->accounts * c->regions;
    w->ninstances = c->accounts * c->instances;
    w->nprincipals = c->accounts * c->principals;
    w->nroles = c->accounts * nroles;
    w->nfunctions = w->nvpcs * CM_GEN_FUNCTIONS_PER_VPC;
    w->nbuckets = c->accounts * CM_GEN_BUCKETS_PER_ACCOUNT;
    w->nclients = 2048;
    w->accounts = cm_calloc(w->naccounts, sizeof(*w->accounts));
    w->vpcs = cm_calloc(w->nvpcs, sizeof(*w->vpcs));
    w->instances = cm_calloc(w->ninstances, sizeof(*w->instances));
    w->principals = cm_calloc(w->nprincipals, sizeof(*w->principals));
    w->roles = cm_calloc(w->nroles, sizeof(*w->roles));
    w->functions = cm_calloc(w->nfunctions, sizeof(*w->functions));
    w->buckets = cm_calloc(w->nbuckets, sizeof(*w->buckets));
    w->clients = cm_calloc(w->nclients, sizeof(*w->clients));
    if (!w->accounts || !w->vpcs || !w->instances || !w->principals || !w->roles || !w->functions ||
        !w->buckets || !w->clients) {
        return CM_ENOMEM;
    }
    return 0;
}

static void build_account(struct cm_gen_world *w, const struct cm_gen_config *c,
                          struct cm_gen_rng *r, unsigned a)
{
    struct cm_gen_account *acc = &w->accounts[a];
    size_t ne = NELEM(envs);

    acc->id[0] = (char)('1' + cm_gen_rng_below(r, 9));
    cm_gen_rng_chars(r, acc->id + 1, 11, "0123456789", 10);
    acc->id[12] = '\0';
    if (a < ne) {
        snprintf(acc->env, sizeof(acc->env), "%s", envs[a]);
    } else {
        snprintf(acc->env, sizeof(acc->env), "%s%u", envs[a % ne], a / (unsigned)ne + 1);
    }
    acc->first_vpc = a * c->regions;
    acc->first_principal = a * c->principals;
    acc->nprincipals = c->principals;
    acc->nroles = CM_GEN_RS_LAMBDA + CM_GEN_FUNCTIONS_PER_VPC * c->regions;
    acc->first_role = a * acc->nroles;
    acc->first_bucket = a * CM_GEN_BUCKETS_PER_ACCOUNT;
    acc->nbuckets = CM_GEN_BUCKETS_PER_ACCOUNT;
    acc->flow_custom =
        c->flow_format == CM_GEN_FLOW_CUSTOM || (c->flow_format == CM_GEN_FLOW_MIXED && a % 2 == 1);
}

static void build_vpc(struct cm_gen_world *w, struct cm_gen_rng *r, unsigned a, unsigned g)
{
    unsigned k = a * w->nregions + g, s;
    struct cm_gen_vpc *v = &w->vpcs[k];

    v->account = a;
    v->region = g;
    rand_id(r, v->id, "vpc-", 17);
    v->cidr = IP4(10, k % 256, 0, 0);
    v->resolver = v->cidr + 2;
    v->nat_ip = rand_region_ip(r, w->regions[g]);
    rand_id(r, v->flow_log_id, "fl-", 17);
    v->flow_interval = k % 3 == 2 ? 600 : 60;
    rand_id(r, v->vpce_id, "vpce-", 17);
    v->has_vpce = k % 2 == 0;
    rand_id(r, v->rslvr_in, "rslvr-in-", 17);
    rand_id(r, v->rni, "rni-", 17);
    for (s = 0; s < CM_GEN_SUBNETS; s++) {
        rand_id(r, v->subnets[s].id, "subnet-", 17);
        v->subnets[s].cidr = v->cidr + ((uint32_t)s << 12);
        v->subnets[s].az = (uint8_t)(s % 2);
        v->subnets[s].is_public = s < 2;
    }
}

static unsigned tier_subnet(enum cm_gen_tier t, unsigned j)
{
    switch (t) {
    case CM_GEN_TIER_WEB:
    case CM_GEN_TIER_BASTION:
        return j % 2;
    case CM_GEN_TIER_APP:
    case CM_GEN_TIER_WORKER:
        return 2 + j % 2;
    default:
        return 4 + j % 2;
    }
}

/* Instances of VPC k, starting at world index *next. */
static void build_instances(struct cm_gen_world *w, const struct cm_gen_config *c,
                            struct cm_gen_rng *r, unsigned k, unsigned *next)
{
    struct cm_gen_vpc *v = &w->vpcs[k];
    unsigned n = (c->instances + w->nregions - 1 - v->region) / w->nregions;
    unsigned used[CM_GEN_SUBNETS] = {0};
    unsigned j;

    v->first_instance = *next;
    v->ninstances = n;
    for (j = 0; j < n; j++) {
        struct cm_gen_instance *in = &w->instances[*next + j];
        unsigned s;

        in->account = v->account;
        in->region = v->region;
        in->vpc = k;
        in->tier = (enum cm_gen_tier)tier_rotation[j % NELEM(tier_rotation)];
        s = tier_subnet(in->tier, j / NELEM(tier_rotation));
        in->subnet = s;
        rand_id(r, in->id, "i-", 17);
        rand_id(r, in->eni, "eni-", 17);
        in->ip = v->subnets[s].cidr + 10 + used[s] * 3 + cm_gen_rng_below(r, 3);
        used[s]++;
        if (in->tier == CM_GEN_TIER_WEB || in->tier == CM_GEN_TIER_BASTION) {
            in->public_ip = rand_region_ip(r, w->regions[v->region]);
        }
        in->role = w->accounts[v->account].first_role + CM_GEN_RS_INSTANCE + in->tier;
    }
    *next += n;
}

static void set_role(struct cm_gen_world *w, struct cm_gen_rng *r, unsigned a, unsigned slot,
                     enum cm_gen_role_kind kind, const char *path, const char *name)
{
    struct cm_gen_role *ro = &w->roles[w->accounts[a].first_role + slot];

    ro->account = a;
    ro->kind = kind;
    snprintf(ro->path, sizeof(ro->path), "%s", path);
    snprintf(ro->name, sizeof(ro->name), "%s", name);
    rand_key(r, ro->principal_id, "AROA", 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
}

static void build_roles(struct cm_gen_world *w, struct cm_gen_rng *r, unsigned a)
{
    const struct cm_gen_account *acc = &w->accounts[a];
    char name[80], hex[17];
    unsigned t;

    for (t = 0; t < CM_GEN_NTIERS; t++) {
        snprintf(name, sizeof(name), "%s-%s-instance-role", acc->env, tier_names[t]);
        set_role(w, r, a, CM_GEN_RS_INSTANCE + t, CM_GEN_R_INSTANCE, "/", name);
    }
    cm_gen_rng_hex(r, hex, 16);
    hex[16] = '\0';
    snprintf(name, sizeof(name), "AWSReservedSSO_AdministratorAccess_%s", hex);
    set_role(w, r, a, CM_GEN_RS_SSO_ADMIN, CM_GEN_R_SSO, "/aws-reserved/sso.amazonaws.com/", name);
    cm_gen_rng_hex(r, hex, 16);
    snprintf(name, sizeof(name), "AWSReservedSSO_ReadOnlyAccess_%s", hex);
    set_role(w, r, a, CM_GEN_RS_SSO_READONLY, CM_GEN_R_SSO, "/aws-reserved/sso.amazonaws.com/",
             name);
    set_role(w, r, a, CM_GEN_RS_CONFIG, CM_GEN_R_SERVICE, "/aws-service-role/config.amazonaws.com/",
             "AWSServiceRoleForConfig");
    set_role(w, r, a, CM_GEN_RS_MONITOR, CM_GEN_R_CROSS, "/", "DatadogIntegrationRole");
    snprintf(name, sizeof(name), "%s-admin", w->org);
    set_role(w, r, a, CM_GEN_RS_ADMIN, CM_GEN_R_ASSUMABLE, "/", name);
    snprintf(name, sizeof(name), "%s-readonly", w->org);
    set_role(w, r, a, CM_GEN_RS_READONLY, CM_GEN_R_ASSUMABLE, "/", name);
    set_role(w, r, a, CM_GEN_RS_DEPLOY, CM_GEN_R_ASSUMABLE, "/", "terraform-deploy");
}

static void build_principal(struct cm_gen_world *w, struct cm_gen_rng *r, unsigned a, unsigned i)
{
    struct cm_gen_principal *p = &w->principals[w->accounts[a].first_principal + i];
    unsigned k, np = (unsigned)NELEM(people), nc = (unsigned)NELEM(ci_users);

    p->account = a;
    p->kind = principal_rotation[i % NELEM(principal_rotation)];
    if (p->kind == CM_GEN_P_CI) {
        k = i / (unsigned)NELEM(principal_rotation);
        snprintf(p->name, sizeof(p->name), "%s", ci_users[(k + a) % nc]);
        if (k >= nc) {
            snprintf(p->name, sizeof(p->name), "%s-%u", ci_users[(k + a) % nc], k / nc + 1);
        }
    } else {
        k = i + a * 3;
        snprintf(p->name, sizeof(p->name), "%s", people[k % np]);
        if (i >= np) {
            snprintf(p->name, sizeof(p->name), "%s%u", people[k % np], i / np + 1);
        }
    }
    rand_key(r, p->principal_id, "AIDA", 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    rand_key(r, p->access_key, "AKIA", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    for (k = 0; k < 2; k++) {
        unsigned n = p->kind == CM_GEN_P_CI ? (unsigned)NELEM(ci_nets) : (unsigned)NELEM(home_nets);
        unsigned h = cm_gen_rng_below(r, n);

        p->home_ip[k] = p->kind == CM_GEN_P_CI ? rand_in(r, ci_nets[h].net, ci_nets[h].plen)
                                               : rand_in(r, home_nets[h].net, home_nets[h].plen);
    }
    p->agent = CM_GEN_UA_CLI_FIRST + cm_gen_rng_below(r, CM_GEN_UA_NCLI);
    if (p->kind == CM_GEN_P_IAM_CONSOLE) {
        p->agent = CM_GEN_UA_BROWSER_FIRST + cm_gen_rng_below(r, CM_GEN_UA_NBROWSERS);
    } else if (p->kind == CM_GEN_P_CI) {
        p->agent = CM_GEN_UA_TERRAFORM;
    }
    p->home_region = cm_gen_rng_chance(r, 0.7) ? 0 : cm_gen_rng_below(r, w->nregions);
    p->sso_role =
        w->accounts[a].first_role + (i % 3 == 2 ? CM_GEN_RS_SSO_READONLY : CM_GEN_RS_SSO_ADMIN);
    p->work_start = work_starts[cm_gen_rng_below(r, (uint32_t)NELEM(work_starts))];
    p->mfa = p->kind != CM_GEN_P_CI;
}

static void build_functions(struct cm_gen_world *w, struct cm_gen_rng *r, unsigned k)
{
    struct cm_gen_vpc *v = &w->vpcs[k];
    const struct cm_gen_account *acc = &w->accounts[v->account];
    unsigned j;

    v->first_function = k * CM_GEN_FUNCTIONS_PER_VPC;
    v->nfunctions = CM_GEN_FUNCTIONS_PER_VPC;
    for (j = 0; j < CM_GEN_FUNCTIONS_PER_VPC; j++) {
        struct cm_gen_function *fn = &w->functions[v->first_function + j];
        unsigned slot = CM_GEN_RS_LAMBDA + CM_GEN_FUNCTIONS_PER_VPC * v->region + j;
        char role[80];

        fn->account = v->account;
        fn->region = v->region;
        fn->role = acc->first_role + slot;
        snprintf(fn->name, sizeof(fn->name), "%s-%s", acc->env,
                 functions[(k * CM_GEN_FUNCTIONS_PER_VPC + j) % NELEM(functions)]);
        fn->runtime = cm_gen_rng_below(r, CM_GEN_UA_NLAMBDA);
        snprintf(role, sizeof(role), "%s-role-%s", fn->name, w->regions[v->region]->name);
        set_role(w, r, v->account, slot, CM_GEN_R_LAMBDA, "/service-role/", role);
    }
}

static void build_buckets(struct cm_gen_world *w, unsigned a)
{
    const struct cm_gen_account *acc = &w->accounts[a];
    unsigned b;

    for (b = 0; b < CM_GEN_BUCKETS_PER_ACCOUNT; b++) {
        struct cm_gen_bucket *bk = &w->buckets[acc->first_bucket + b];

        bk->account = a;
        bk->region = b % w->nregions;
        if (b == 0) {
            snprintf(bk->name, sizeof(bk->name), "%s-%s-%s-%s", w->org, acc->env, bucket_purpose[b],
                     acc->id);
        } else if (b == 2) {
            snprintf(bk->name, sizeof(bk->name), "%s-%s-%s-%s", w->org, acc->env, bucket_purpose[b],
                     w->regions[bk->region]->name);
        } else {
            snprintf(bk->name, sizeof(bk->name), "%s-%s-%s", w->org, acc->env, bucket_purpose[b]);
        }
    }
}

static void build_clients(struct cm_gen_world *w, struct cm_gen_rng *r)
{
    unsigned i;

    for (i = 0; i < w->nclients; i++) {
        uint32_t hi = client_octets[cm_gen_rng_below(r, (uint32_t)NELEM(client_octets))];

        w->clients[i] =
            (hi << 24) | (cm_gen_rng_below(r, 1u << 16) << 8) | cm_gen_rng_range(r, 1, 254);
    }
    rand_key(r, w->monitor_account, "4646", 8, "0123456789");
    for (i = 0; i < 4; i++) {
        w->monitor_ip[i] = rand_in(r, CM_GEN_MONITOR_NET, CM_GEN_MONITOR_PLEN);
    }
}

static void build_all(struct cm_gen_world *w, const struct cm_gen_config *c, struct cm_gen_rng *r)
{
    unsigned a, g, i, next = 0;

    for (a = 0; a < w->naccounts; a++) {
        build_account(w, c, r, a);
        build_roles(w, r, a);
        for (i = 0; i < c->principals; i++) {
            build_principal(w, r, a, i);
        }
        build_buckets(w, a);
        for (g = 0; g < w->nregions; g++) {
            build_vpc(w, r, a, g);
            build_instances(w, c, r, a * w->nregions + g, &next);
            build_functions(w, r, a * w->nregions + g);
        }
    }
    build_clients(w, r);
}

int cm_gen_world_create(const struct cm_gen_config *c, struct cm_gen_world **out)
{
    struct cm_gen_world *w;
    struct cm_gen_rng r;
    const char *why;
    unsigned g;
    int rc;

    *out = NULL;
    if (cm_gen_config_check(c, &why) != 0) {
        return CM_EINVAL;
    }
    w = cm_calloc(1, sizeof(*w));
    if (w == NULL) {
        return CM_ENOMEM;
    }
    w->seed = c->seed;
    cm_gen_rng_derive(&r, c->seed, 0x776f726c64ULL, 0, 0);
    snprintf(w->org, sizeof(w->org), "%s", orgs[cm_gen_rng_below(&r, (uint32_t)NELEM(orgs))]);
    for (g = 0; g < c->regions; g++) {
        w->regions[g] = &regions[g];
    }
    rc = alloc_world(w, c);
    if (rc != 0) {
        goto fail;
    }
    build_all(w, c, &r);
    *out = w;
    return 0;
fail:
    cm_gen_world_destroy(w);
    return rc;
}

void cm_gen_world_destroy(struct cm_gen_world *w)
{
    if (w == NULL) {
        return;
    }
    cm_free(w->accounts);
    cm_free(w->vpcs);
    cm_free(w->instances);
    cm_free(w->principals);
    cm_free(w->roles);
    cm_free(w->functions);
    cm_free(w->buckets);
    cm_free(w->clients);
    cm_free(w);
}

static const uint8_t diurnal_pct[24] = {60,  55,  50,  50,  50,  55,  65,  80,  95, 110, 120, 125,
                                        130, 130, 130, 130, 125, 120, 110, 100, 90, 80,  70,  65};

double cm_gen_diurnal(int64_t t)
{
    int64_t hod = ((t % 86400) + 86400) % 86400 / 3600;

    return diurnal_pct[hod] / 100.0;
}

uint32_t cm_gen_region_ip(const struct cm_gen_region *g, uint64_t h)
{
    unsigned k = (unsigned)(h % 3);
    uint32_t size = (uint32_t)1 << (32 - g->ec2_plen[k]);

    return g->ec2_net[k] + (uint32_t)((h >> 8) % size) / 256 * 256 + 1 + (uint32_t)(h >> 48) % 254;
}
