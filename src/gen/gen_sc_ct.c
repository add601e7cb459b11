/*
 * The engine of the CloudTrail detection scenarios (gen_sc_ct.h): resolves a
 * plan's callers, addresses and buckets in a world, writes its steps as
 * CloudTrail records (emit), and says which findings the hits make and how
 * to find each near miss in the logs (expect), and what the scan needs
 * (needs). Identifiers the world does not hold (the admin's, root's and the
 * decoys' keys, the decoy users) are drawn from streams of the seed, so
 * emit, expect and every file agree.
 */
#include "gen/gen_sc_ct.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "gen/gen_ct.h"

/* IAM users the world does not hold: console users of the travel plan, the canary's owner. */
static const char *const decoys[] = {"oncall-console", "helpdesk-eu", "sales-demo",
                                     "svc-backup-legacy", "svc-reports-2019"};
#define NDECOYS      (sizeof(decoys) / sizeof(decoys[0]))
#define DECOY_CANARY 3
#define DECOY_OTHER  4

/* Stream tags of the scenarios' identifiers. */
enum {
    ID_ADMIN_KEY = 1,
    ID_ROOT_KEY,
    ID_SHORT_KEY,
    ID_CANARY_KEY,
    ID_OTHER_KEY,
    ID_CANONICAL,
    ID_DECOY = 16, /* + decoy */
};

static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The buckets the world does not hold (CM_GEN_SC_B_SCRATCH on): what their names say. */
static const char *const own_purpose[] = {"athena-results", "team-share", "exports", "archive"};
#define NOWN (sizeof(own_purpose) / sizeof(own_purpose[0]))
_Static_assert(CM_GEN_SC_B_SCRATCH + NOWN == CM_GEN_SC_NBUCKETS, "a name for each such bucket");

static const char attacker_agent[] =
    "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.8.0-31-generic md/arch#x86_64 "
    "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.51";

/* A plan resolved in one world. */
struct sc_ctx {
    const struct cm_gen_world *w;
    const struct cm_gen_sc_plan *p;
    const struct cm_gen_vpc *v;
    unsigned account;
    int64_t start;                    /* the run's start */
    int64_t first;                    /* the plan's first step */
    long thief;                       /* world principal, -1 none */
    long instance;                    /* world instance, -1 none */
    long function;                    /* world function, -1 none */
    long buckets[CM_GEN_SC_NBUCKETS]; /* world bucket, -1 none */
    char own[NOWN][64];               /* names of the buckets the world does not hold */
    char admin_key[21], root_key[21], short_key[21], canary_key[21], other_key[21];
    char decoy_id[NDECOYS][22];
    char canonical[65];
};

/* A step resolved at its time. */
struct sc_call {
    struct cm_gen_caller who;
    char key[21];     /* the access key the record shows ("" none) */
    char arn[160];    /* userIdentity.arn */
    char src[64];     /* sourceIPAddress */
    const char *name; /* a service name for the address, or NULL */
    uint32_t ip;
    bool vpce, vpce_other;
};

static void draw_id(const struct cm_gen_world *w, unsigned tag, const char *prefix, size_t n,
                    char *out)
{
    struct cm_gen_rng r;

    cm_gen_rng_derive(&r, w->seed, 0x73632d6374ULL, tag, 0);
    memcpy(out, prefix, 4);
    cm_gen_rng_chars(&r, out + 4, n, base32, 32);
    out[4 + n] = '\0';
}

static long world_bucket(const struct sc_ctx *x, unsigned purpose)
{
    const struct cm_gen_account *a = &x->w->accounts[x->account];
    unsigned i;

    if (purpose < a->nbuckets && x->w->buckets[a->first_bucket + purpose].region == x->v->region) {
        return (long)(a->first_bucket + purpose);
    }
    for (i = 0; i < a->nbuckets; i++) {
        if (x->w->buckets[a->first_bucket + i].region == x->v->region) {
            return (long)(a->first_bucket + i);
        }
    }
    return -1;
}

/* Whether step s is a call on one bucket (its API's parameters name a bucket). */
static bool step_on_bucket(const struct cm_gen_sc_step *s)
{
    const struct cm_gen_api *a = cm_gen_api_find(s->svc, s->api);

    return a != NULL && a->params >= CM_GEN_PA_S3_BUCKET && a->params <= CM_GEN_PA_S3_LIST;
}

static unsigned step_bucket(const struct sc_ctx *x, const struct cm_gen_sc_step *s)
{
    return s->bucket != CM_GEN_SC_B_PLAN ? s->bucket : x->p->bucket;
}

/* Resolves plan p in w; CM_ENOTFOUND when w lacks a caller or bucket the plan uses. */
static int ctx_init(struct sc_ctx *x, const struct cm_gen_world *w, const struct cm_gen_sc_plan *p,
                    int64_t start)
{
    const struct cm_gen_sc_step *s;
    struct cm_gen_rng r;
    unsigned i;

    memset(x, 0, sizeof(*x));
    x->w = w;
    x->p = p;
    x->v = &w->vpcs[cm_gen_sc_vpc(w)];
    x->account = x->v->account;
    x->start = start;
    x->first = start + p->steps[0].at;
    x->thief = cm_gen_sc_principal(w);
    x->instance = cm_gen_sc_instance(w, (enum cm_gen_tier)p->tier, -1);
    x->function = x->v->nfunctions > 0 ? (long)x->v->first_function : -1;
    x->buckets[CM_GEN_SC_B_PLAN] = -1;
    for (i = CM_GEN_SC_B_LOGS; i < CM_GEN_SC_B_SCRATCH; i++) {
        x->buckets[i] = world_bucket(x, i - CM_GEN_SC_B_LOGS);
    }
    for (i = 0; i < NOWN; i++) {
        x->buckets[CM_GEN_SC_B_SCRATCH + i] = -1;
        snprintf(x->own[i], sizeof(x->own[i]), "%s-%s-%s-%s", w->org, w->accounts[x->account].env,
                 own_purpose[i], w->accounts[x->account].id);
    }
    draw_id(w, ID_ADMIN_KEY, "ASIA", 16, x->admin_key);
    draw_id(w, ID_ROOT_KEY, "ASIA", 16, x->root_key);
    draw_id(w, ID_SHORT_KEY, "ASIA", 16, x->short_key);
    draw_id(w, ID_CANARY_KEY, "AKIA", 16, x->canary_key);
    draw_id(w, ID_OTHER_KEY, "AKIA", 16, x->other_key);
    for (i = 0; i < NDECOYS; i++) {
        draw_id(w, ID_DECOY + i, "AIDA", 17, x->decoy_id[i]);
    }
    cm_gen_rng_derive(&r, w->seed, 0x73632d6374ULL, ID_CANONICAL, x->account);
    cm_gen_rng_hex(&r, x->canonical, 64);
    x->canonical[64] = '\0';
    for (s = p->steps; s->svc != NULL; s++) {
        unsigned b = step_bucket(x, s);
        bool lambda = s->who == CM_GEN_SC_LAMBDA;
        bool inst = s->who == CM_GEN_SC_INSTANCE || s->who == CM_GEN_SC_INSTANCE_SVC ||
                    s->from == CM_GEN_SC_FROM_VPCE || (s->from == CM_GEN_SC_FROM_OWN && !lambda);

        if (b >= CM_GEN_SC_NBUCKETS || (s->who == CM_GEN_SC_USER_LOGIN && s->user >= NDECOYS)) {
            return CM_EINVAL; /* a plan that names what does not exist */
        }
        if (((s->who == CM_GEN_SC_THIEF || s->from == CM_GEN_SC_FROM_USUAL) && x->thief < 0) ||
            (inst && x->instance < 0) ||
            ((lambda || s->from == CM_GEN_SC_FROM_LAMBDA_HOST) && x->function < 0) ||
            (step_on_bucket(s) && b < CM_GEN_SC_B_SCRATCH && x->buckets[b] < 0)) {
            return CM_ENOTFOUND;
        }
    }
    return 0;
}

static const char *bucket_name(const struct sc_ctx *x, unsigned b)
{
    if (b >= CM_GEN_SC_B_SCRATCH && b < CM_GEN_SC_NBUCKETS) {
        return x->own[b - CM_GEN_SC_B_SCRATCH];
    }
    return b < CM_GEN_SC_NBUCKETS && x->buckets[b] >= 0 ? x->w->buckets[x->buckets[b]].name : "";
}

/* The instance's own public address: its public IP, else its VPC's NAT gateway. */
static uint32_t own_ip(const struct sc_ctx *x)
{
    const struct cm_gen_instance *in = &x->w->instances[x->instance];

    return in->public_ip ? in->public_ip : x->w->vpcs[in->vpc].nat_ip;
}

/* Where Lambda runs the function at time t (as the background has it), or another host. */
static uint32_t lambda_ip(const struct sc_ctx *x, int64_t t, bool other)
{
    const struct cm_gen_function *fn = &x->w->functions[x->function];
    uint64_t h = cm_gen_hash4(x->w->seed, 0x6c616d, (uint64_t)x->function,
                              (uint64_t)(t / (4 * 3600)) + (other ? 0x100000u : 0u));

    return cm_gen_region_ip(x->w->regions[fn->region], h);
}

static bool is_service_name(const char *via)
{
    size_t n = via != NULL ? strlen(via) : 0;

    return n > 14 && strcmp(via + n - 14, ".amazonaws.com") == 0;
}

static void caller(const struct sc_ctx *x, const struct cm_gen_sc_step *s, int64_t t,
                   struct sc_call *k)
{
    const struct cm_gen_world *w = x->w;
    const char *acct = w->accounts[x->account].id;
    struct cm_gen_caller *who = &k->who;

    memset(who, 0, sizeof(*who));
    who->account = x->account;
    switch ((enum cm_gen_sc_who)s->who) {
    case CM_GEN_SC_THIEF:
        who->kind = CM_GEN_K_IAM_USER;
        who->principal = (unsigned)x->thief;
        memcpy(who->key, w->principals[x->thief].access_key, sizeof(who->key));
        break;
    case CM_GEN_SC_ADMIN:
        who->kind = CM_GEN_K_ROLE;
        who->role = w->accounts[x->account].first_role + CM_GEN_RS_ADMIN;
        who->session = "ops-admin";
        who->session_start = x->start - 600;
        who->mfa = true;
        memcpy(who->key, x->admin_key, sizeof(who->key));
        break;
    case CM_GEN_SC_ROOT_LOGIN:
    case CM_GEN_SC_ROOT_SERVICE:
        who->kind = CM_GEN_K_ROOT_SIGNIN;
        who->mfa = true;
        who->invoked_by =
            s->who == CM_GEN_SC_ROOT_SERVICE && is_service_name(s->via) ? s->via : NULL;
        break;
    case CM_GEN_SC_ROOT:
        who->kind = CM_GEN_K_ROOT;
        who->console = true;
        who->mfa = true;
        who->session_start = x->first;
        memcpy(who->key, x->root_key, sizeof(who->key));
        break;
    case CM_GEN_SC_ROOT_SHORT:
        who->kind = CM_GEN_K_ROOT;
        who->assumed_root = true;
        who->session_start = x->first - 30;
        memcpy(who->key, x->short_key, sizeof(who->key));
        break;
    case CM_GEN_SC_INSTANCE:
    case CM_GEN_SC_INSTANCE_SVC:
        who->kind = CM_GEN_K_ROLE;
        who->role = w->instances[x->instance].role;
        who->session = w->instances[x->instance].id;
        who->ec2_delivery = true;
        who->invoked_by = s->who == CM_GEN_SC_INSTANCE_SVC ? s->via : NULL;
        who->sess_tag = CM_GEN_SESS_INSTANCE;
        who->sess_idx = (unsigned)x->instance;
        who->sess_len = 6 * 3600;
        break;
    case CM_GEN_SC_LAMBDA:
        who->kind = CM_GEN_K_ROLE;
        who->role = w->functions[x->function].role;
        who->session = w->functions[x->function].name;
        who->sess_tag = CM_GEN_SESS_LAMBDA;
        who->sess_idx = (unsigned)x->function;
        who->sess_len = 4 * 3600;
        break;
    case CM_GEN_SC_USER_LOGIN:
    case CM_GEN_SC_CANARY:
    case CM_GEN_SC_OTHER_KEY: {
        unsigned d = s->who == CM_GEN_SC_USER_LOGIN ? s->user
                     : s->who == CM_GEN_SC_CANARY   ? DECOY_CANARY
                                                    : DECOY_OTHER;

        who->kind = s->who == CM_GEN_SC_USER_LOGIN ? CM_GEN_K_SIGNIN : CM_GEN_K_IAM_USER;
        who->user_name = decoys[d];
        who->user_id = x->decoy_id[d];
        if (s->who != CM_GEN_SC_USER_LOGIN) {
            memcpy(who->key, s->who == CM_GEN_SC_CANARY ? x->canary_key : x->other_key,
                   sizeof(who->key));
        }
        break;
    }
    }
    /* the key the writer will show (renewing sessions: the one of time t) */
    memcpy(k->key, who->key, sizeof(k->key));
    if (who->sess_len > 0) {
        int64_t e =
            cm_gen_ct_epoch(w, who->sess_tag, who->sess_idx, t, who->sess_len, &who->session_start);

        cm_gen_ct_session_key(w, who->sess_tag, who->sess_idx, e, k->key);
    }
    if (who->kind == CM_GEN_K_ROLE) {
        snprintf(k->arn, sizeof(k->arn), "arn:aws:sts::%s:assumed-role/%s/%s", acct,
                 w->roles[who->role].name, who->session);
    } else if (who->kind == CM_GEN_K_ROOT || who->kind == CM_GEN_K_ROOT_SIGNIN) {
        snprintf(k->arn, sizeof(k->arn), "arn:aws:iam::%s:root", acct);
    } else {
        snprintf(k->arn, sizeof(k->arn), "arn:aws:iam::%s:user/%s",
                 who->user_name ? acct : w->accounts[w->principals[who->principal].account].id,
                 who->user_name ? who->user_name : w->principals[who->principal].name);
    }
}

static void source(const struct sc_ctx *x, const struct cm_gen_sc_step *s, int64_t t,
                   struct sc_call *k)
{
    const struct cm_gen_world *w = x->w;
    const struct cm_gen_account *a = &w->accounts[x->account];

    k->name = NULL;
    k->vpce = k->vpce_other = false;
    switch ((enum cm_gen_sc_from)s->from) {
    case CM_GEN_SC_FROM_OUTSIDE:
        k->ip = CM_GEN_SC_NET_OUTSIDE + s->d;
        break;
    case CM_GEN_SC_FROM_AWS_OTHER:
        k->ip = CM_GEN_SC_NET_AWS_OTHER + s->d;
        break;
    case CM_GEN_SC_FROM_HOME:
        k->ip = a->nprincipals > 0 ? w->principals[a->first_principal].home_ip[0]
                                   : CM_GEN_SC_IP4(198, 51, 100, 10);
        break;
    case CM_GEN_SC_FROM_OWN:
        k->ip = s->who == CM_GEN_SC_LAMBDA ? lambda_ip(x, t, false) : own_ip(x);
        break;
    case CM_GEN_SC_FROM_VPCE:
        k->ip = w->instances[x->instance].ip;
        k->vpce = true;
        break;
    case CM_GEN_SC_FROM_VPCE_OTHER:
        k->ip = CM_GEN_SC_NET_FOREIGN_VPC + s->d;
        k->vpce_other = true;
        break;
    case CM_GEN_SC_FROM_LAMBDA_HOST:
        k->ip = lambda_ip(x, t, true);
        break;
    case CM_GEN_SC_FROM_SERVICE:
        k->name = s->via;
        break;
    case CM_GEN_SC_FROM_IP:
        k->ip = s->ip;
        break;
    case CM_GEN_SC_FROM_USUAL:
        k->ip = w->principals[x->thief].home_ip[s->d & 1];
        break;
    }
    if (k->name != NULL) {
        snprintf(k->src, sizeof(k->src), "%s", k->name);
    } else {
        cm_gen_sc_ip_str(k->ip, k->src);
    }
}

/* Appends s to out[*len] (room n); false when it does not fit. */
static bool put(char *out, size_t n, size_t *len, const char *s)
{
    size_t k = strlen(s);

    if (*len + k >= n) {
        return false;
    }
    memcpy(out + *len, s, k + 1);
    *len += k;
    return true;
}

/* Expands step s's parameter template (see gen_sc_ct.h) into out. Returns 0 or CM_E2BIG. */
static int expand(const struct sc_ctx *x, const struct cm_gen_sc_step *s, struct cm_gen_rng *r,
                  char *out, size_t n)
{
    const struct cm_gen_world *w = x->w;
    const char *p = s->params;
    size_t len = 0;
    char tmp[80];

    out[0] = '\0';
    while (*p != '\0') {
        const char *end = p[0] == '{' ? strchr(p, '}') : NULL;
        const char *v = NULL;
        size_t tl = end != NULL ? (size_t)(end - p + 1) : 0;

        if (tl == 6 && strncmp(p, "{acct}", 6) == 0) {
            v = w->accounts[x->account].id;
        } else if (tl == 8 && strncmp(p, "{region}", 8) == 0) {
            v = w->regions[x->v->region]->name;
        } else if (tl == 5 && strncmp(p, "{org}", 5) == 0) {
            v = w->org;
        } else if (tl == 8 && strncmp(p, "{bucket}", 8) == 0) {
            v = bucket_name(x, step_bucket(x, s));
        } else if (tl == 6 && strncmp(p, "{logs}", 6) == 0) {
            v = bucket_name(x, CM_GEN_SC_B_LOGS);
        } else if (tl == 10 && strncmp(p, "{instance}", 10) == 0 && x->instance >= 0) {
            v = w->instances[x->instance].id;
        } else if (tl == 5 && strncmp(p, "{eip}", 5) == 0 && x->instance >= 0) {
            cm_gen_sc_ip_str(own_ip(x), tmp);
            v = tmp;
        } else if (tl == 9 && strncmp(p, "{flowlog}", 9) == 0) {
            v = x->v->flow_log_id;
        } else if (tl == 6 && strncmp(p, "{user}", 6) == 0 && x->thief >= 0) {
            v = w->principals[x->thief].name;
        } else if (tl == 11 && strncmp(p, "{canonical}", 11) == 0) {
            v = x->canonical;
        } else if (tl == 6 && strncmp(p, "{uuid}", 6) == 0) {
            cm_gen_rng_uuid(r, tmp);
            tmp[36] = '\0';
            v = tmp;
        } else if (tl == 5 && strncmp(p, "{hex}", 5) == 0) {
            cm_gen_rng_hex(r, tmp, 17);
            tmp[17] = '\0';
            v = tmp;
        }
        if (v != NULL) {
            if (!put(out, n, &len, v)) {
                return CM_E2BIG;
            }
            p += tl;
            continue;
        }
        if (len + 1 >= n) {
            return CM_E2BIG;
        }
        out[len++] = *p++;
        out[len] = '\0';
    }
    return 0;
}

/*
 * The user agent of a step: its own, else the caller's usual one there (the
 * stolen key's owner at home: its own client), else the plan's.
 */
static void agent(const struct sc_ctx *x, const struct cm_gen_sc_step *s, struct cm_gen_ct_call *c)
{
    bool home = s->from == CM_GEN_SC_FROM_OWN || s->from == CM_GEN_SC_FROM_VPCE ||
                s->from == CM_GEN_SC_FROM_LAMBDA_HOST;

    c->agent_text = NULL;
    if (s->agent != NULL) {
        c->agent_text = s->agent;
    } else if (s->from == CM_GEN_SC_FROM_USUAL) {
        c->agent = x->w->principals[x->thief].agent;
    } else if (s->who == CM_GEN_SC_ROOT_SERVICE || s->who == CM_GEN_SC_INSTANCE_SVC ||
               s->from == CM_GEN_SC_FROM_SERVICE) {
        c->agent_text = s->via;
    } else if (s->who == CM_GEN_SC_ROOT_LOGIN || s->who == CM_GEN_SC_ROOT ||
               s->who == CM_GEN_SC_USER_LOGIN) {
        c->agent = CM_GEN_UA_BROWSER_FIRST;
    } else if (s->who == CM_GEN_SC_ADMIN || s->who == CM_GEN_SC_ROOT_SHORT) {
        c->agent = CM_GEN_UA_CLI_FIRST + 1;
    } else if (s->who == CM_GEN_SC_INSTANCE && home) {
        c->agent = CM_GEN_UA_APP_FIRST + (unsigned)x->instance % CM_GEN_UA_NAPP;
    } else if (s->who == CM_GEN_SC_LAMBDA && home) {
        c->agent = CM_GEN_UA_LAMBDA_FIRST + x->w->functions[x->function].runtime;
    } else {
        c->agent_text = x->p->agent != NULL ? x->p->agent : attacker_agent;
    }
}

/* How many calls step s makes, and when the i-th of them is. */
static unsigned step_calls(const struct cm_gen_sc_step *s)
{
    return s->times > 1 ? s->times : 1u;
}

static int64_t call_time(const struct sc_ctx *x, const struct cm_gen_sc_step *s, unsigned i)
{
    return x->start + s->at + (int64_t)i * s->every;
}

/*
 * The object key of call i of step s: its key, with the call's number put
 * before the first '.' of its last part when the step makes several calls.
 */
static const char *call_key(const struct cm_gen_sc_step *s, unsigned i, char *out, size_t n)
{
    const char *base, *dot;

    if (s->key == NULL || step_calls(s) == 1) {
        return s->key;
    }
    base = strrchr(s->key, '/');
    base = base != NULL ? base + 1 : s->key;
    dot = strchr(base, '.');
    if (dot == NULL) {
        dot = base + strlen(base);
    }
    snprintf(out, n, "%.*s-%02u%s", (int)(dot - s->key), s->key, i + 1, dot);
    return out;
}

static int write_step(const struct sc_ctx *x, const struct cm_gen_sc_step *s,
                      const struct cm_gen_api *api, unsigned call, struct cm_gen_file *f)
{
    int64_t t = call_time(x, s, call);
    struct cm_gen_ct_call c;
    struct sc_call k;
    char params[2048], msg[320], okey[256];
    unsigned b = step_bucket(x, s);
    int rc;

    caller(x, s, t, &k);
    source(x, s, t, &k);
    cm_gen_ct_call_init(&c, t, api, &k.who, x->v->region);
    c.src_ip = k.ip;
    c.src_name = k.name;
    c.tls = k.name == NULL;
    c.vpce = k.vpce;
    if (k.vpce_other) {
        c.vpce_id = CM_GEN_SC_FOREIGN_ENDPOINT;
        c.vpce_account = CM_GEN_SC_FOREIGN_ACCOUNT;
    }
    agent(x, s, &c);
    c.login_failed = s->fail != 0;
    if (s->error != NULL) {
        const char *svc = cm_gen_services[api->svc].source;

        c.error_code = s->error;
        if (strcmp(svc, "s3") == 0) {
            c.error_message = "Access Denied";
        } else {
            snprintf(msg, sizeof(msg),
                     "User: %s is not authorized to perform: %s:%s because no identity-based "
                     "policy allows the %s:%s action",
                     k.arn, svc, api->name, svc, api->name);
            c.error_message = msg;
        }
    }
    if (x->instance >= 0) {
        c.instance = (unsigned)x->instance;
    }
    if (step_on_bucket(s)) {
        if (b >= CM_GEN_SC_B_SCRATCH) {
            c.bucket_name = bucket_name(x, b);
        } else {
            c.bucket = (unsigned)x->buckets[b];
        }
        c.object_key = call_key(s, call, okey, sizeof(okey));
        c.bytes_out = (api->flags & CM_GEN_API_DATA) ? 48213 : 0;
    }
    if (s->params != NULL) {
        rc = expand(x, s, &f->rng, params, sizeof(params));
        if (rc != 0) {
            return rc;
        }
        c.params = params;
    }
    cm_gen_ct_write(f, &c);
    return f->t.err;
}

int cm_gen_sc_ct_emit(const struct cm_gen_scenario *sc, struct cm_gen_file *f)
{
    const struct cm_gen_sc_step *s;
    struct sc_ctx x;
    int rc;

    if (f->kind != CM_GEN_CLOUDTRAIL) {
        return 0;
    }
    rc = ctx_init(&x, f->env->world, sc->plan, f->env->cfg->start_s);
    if (rc != 0) {
        return rc == CM_ENOTFOUND ? 0 : rc; /* a world without what it needs: nothing */
    }
    for (s = x.p->steps; s->svc != NULL; s++) {
        const struct cm_gen_api *api = cm_gen_api_find(s->svc, s->api);

        if (api == NULL) {
            return CM_EINVAL; /* the plan names a call the API table lacks */
        }
        if (((api->flags & CM_GEN_API_DATA) != 0) != f->data_events) {
            continue;
        }
        for (unsigned i = 0; i < step_calls(s); i++) {
            if (!cm_gen_sc_in_file(f, call_time(&x, s, i))) {
                continue;
            }
            rc = write_step(&x, s, api, i, f);
            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* The marker of a near miss: substrings its record holds, '&'-separated. */
static void marker(const struct cm_gen_sc_step *s, const struct sc_call *k, char *out, size_t n)
{
    snprintf(out, n, "\"eventName\":\"%s\"&\"sourceIPAddress\":\"%s\"&\"%s\":\"%s\"%s%s%s%s%s%s",
             s->api, k->src, k->key[0] ? "accessKeyId" : "arn", k->key[0] ? k->key : k->arn,
             s->error ? "&\"errorCode\":\"" : "", s->error ? s->error : "", s->error ? "\"" : "",
             s->fail ? "&\"ConsoleLogin\":\"Failure\"" : "", s->mark ? "&" : "",
             s->mark ? s->mark : "");
}

/* The resource a hit's finding names. */
static void hit_resource(const struct sc_ctx *x, const struct cm_gen_sc_step *s,
                         const struct sc_call *k, char *out, size_t n)
{
    const struct cm_gen_caller *who = &k->who;

    if (x->p->res == CM_GEN_SC_RES_BUCKET) {
        snprintf(out, n, "%s", bucket_name(x, step_bucket(x, s)));
    } else if (k->key[0]) {
        snprintf(out, n, "%s", k->key);
    } else if (who->kind == CM_GEN_K_ROOT || who->kind == CM_GEN_K_ROOT_SIGNIN) {
        snprintf(out, n, "%s", x->w->accounts[x->account].id);
    } else if (who->user_id != NULL) {
        snprintf(out, n, "%s", who->user_id);
    } else if (who->kind == CM_GEN_K_ROLE) {
        snprintf(out, n, "%s:%s", x->w->roles[who->role].principal_id, who->session);
    } else {
        snprintf(out, n, "%s", x->w->principals[who->principal].principal_id);
    }
}

int cm_gen_sc_ct_expect(const struct cm_gen_scenario *sc, const struct cm_gen_config *c,
                        const struct cm_gen_world *w, struct cm_gen_expect *out)
{
    const struct cm_gen_sc_step *s;
    struct sc_ctx x;
    struct sc_call k;
    char res[72], mark[512], near[sizeof(out->near)] = "";
    int64_t end = c->start_s + (int64_t)c->hours * 3600;
    int n = 0, i;

    if (ctx_init(&x, w, sc->plan, c->start_s) != 0) {
        return CM_ENOTFOUND;
    }
    for (s = x.p->steps; s->svc != NULL; s++) {
        int64_t t = x.start + s->at;
        unsigned calls = 0;

        while (calls < step_calls(s) && call_time(&x, s, calls) < end) {
            calls++; /* the calls past the run are not in the logs */
        }
        if (calls == 0) {
            continue;
        }
        caller(&x, s, t, &k);
        source(&x, s, t, &k);
        if (!s->hit) {
            marker(s, &k, mark, sizeof(mark));
            if (strlen(near) + strlen(mark) + 2 > sizeof(near)) {
                return CM_E2BIG;
            }
            cm_gen_sc_note(near, sizeof(near), mark);
            continue;
        }
        hit_resource(&x, s, &k, res, sizeof(res));
        for (i = 0; i < n && strcmp(out[i].resource, res) != 0; i++) {
        }
        if (i == n) {
            if (n == CM_GEN_SC_MAX_EXPECT) {
                return CM_E2BIG;
            }
            memset(&out[n], 0, sizeof(out[n]));
            out[n].type = sc->finding_types;
            snprintf(out[n].resource, sizeof(out[n].resource), "%s", res);
            out[n].severity = x.p->severity;
            if (x.p->show_bucket) {
                snprintf(out[n].bucket, sizeof(out[n].bucket), "%s", bucket_name(&x, x.p->bucket));
            }
            snprintf(out[n].info, sizeof(out[n].info), "%s", x.p->info ? x.p->info : "");
            n++;
        }
        out[i].count += calls;
        cm_gen_sc_note(out[i].indicators, sizeof(out[i].indicators), k.src);
    }
    if (n == 0) {
        return CM_ENOTFOUND;
    }
    memcpy(out[0].near, near, sizeof(near));
    return n;
}

size_t cm_gen_sc_ct_needs(const struct cm_gen_scenario *sc, const struct cm_gen_world *w,
                          struct cm_gen_need *out)
{
    const struct cm_gen_sc_plan *p = sc->plan;
    size_t n = 0;

    if (p->needs & CM_GEN_SC_NEED_RANGES) {
        out[n].kind = CM_GEN_NEED_AWS_RANGES;
        out[n++].value[0] = '\0';
    }
    if (p->needs & CM_GEN_SC_NEED_CANARY) {
        out[n].kind = CM_GEN_NEED_CANARY_KEY;
        draw_id(w, ID_CANARY_KEY, "AKIA", 16, out[n++].value);
    }
    if (p->needs & CM_GEN_SC_NEED_GEOIP) {
        out[n].kind = CM_GEN_NEED_GEOIP;
        out[n++].value[0] = '\0';
    }
    n += cm_gen_sc_need_hours(p->hours, &out[n]);
    return n;
}
