/*
 * Benign CloudTrail management events for one account, region and 5-minute
 * window. Every caller of the world contributes: instance profiles (the SSM
 * agent's heartbeat plus the application's own calls, and the
 * ec2.amazonaws.com AssumeRole that renews their credentials every six
 * hours), Lambda functions, people (IAM users on the CLI, console users with
 * ConsoleLogin, Identity Center sessions), CI runs that assume a deploy role
 * and make a burst of Terraform calls, AWS Config, a third-party monitoring
 * vendor, rare federated-user activity, and now and then AWS Support looking
 * at the account as root on the owner's behalf (never the owner's root
 * credentials: the background makes no finding of issue #5's detectors).
 *
 * Cross-file consistency: anything that spans windows or regions (is a person
 * working this hour, which calls they make this window, when a session
 * started, its ASIA key) is drawn from streams derived from the entity and
 * the window, never from the file's own stream, so every region's file
 * agrees. Global-service calls (IAM, STS global, sign-in) land in us-east-1.
 */
#include "gen/gen_ct.h"

#include <stdio.h>
#include <string.h>

#include "gen/gen_dest.h"
#include "gen/gen_pick.h"

struct ctx {
    struct cm_gen_file *f;
    const struct cm_gen_world *w;
    const struct cm_gen_tables *tab;
    const struct cm_gen_vpc *v;
    const struct cm_gen_account *acc;
    unsigned account, region;
    double scale;
};

static const double class_errors[CM_GEN_NCLASSES] = {0.02,  0.03,  0.03, 0.005,
                                                     0.005, 0.005, 0.04, 0.01};

static const struct cm_gen_api *pick_api(const struct ctx *x, enum cm_gen_ct_class cls,
                                         struct cm_gen_rng *r, bool all)
{
    return &cm_gen_apis[cm_gen_pick_draw(&x->tab->api[cls][all ? 1 : 0], r)];
}

static void emit(struct ctx *x, struct cm_gen_ct_call *c, enum cm_gen_ct_class cls)
{
    c->error = cm_gen_ct_pick_error(c->api, &x->f->rng, class_errors[cls]);
    cm_gen_ct_write(x->f, c);
}

static bool in_window(const struct ctx *x, int64_t t)
{
    return t >= x->f->start_s && t < x->f->end_s;
}

static int64_t rand_time(struct ctx *x, struct cm_gen_rng *r)
{
    return x->f->start_s + cm_gen_rng_below(r, (uint32_t)(x->f->end_s - x->f->start_s));
}

/* The AssumeRole an AWS service (or another account) makes to start a session. */
static void assume_event(struct ctx *x, const struct cm_gen_caller *svc, int64_t t, unsigned role,
                         const char *session, const char *key)
{
    struct cm_gen_ct_call c;

    cm_gen_ct_call_init(&c, t, cm_gen_api_find("sts", "AssumeRole"), svc, x->region);
    c.target_role = role;
    c.target_session = session;
    c.target_key = key;
    if (svc->kind == CM_GEN_K_SERVICE) {
        c.src_name = svc->invoked_by;
        c.agent_text = svc->invoked_by;
        c.tls = false;
    } else {
        c.src_ip = x->w->monitor_ip[cm_gen_rng_below(&x->f->rng, 4)];
        c.agent = CM_GEN_UA_MONITOR;
    }
    cm_gen_ct_write(x->f, &c);
}

/*
 * Fills who for a role session renewed every len seconds (keys are resolved
 * per call by the writer). Returns the renewal time inside this window, or
 * -1 when the session does not renew in it.
 */
static int64_t role_session(struct ctx *x, struct cm_gen_caller *who, unsigned tag, unsigned idx,
                            unsigned role, const char *session, int64_t len)
{
    int64_t start;

    memset(who, 0, sizeof(*who));
    who->kind = CM_GEN_K_ROLE;
    who->account = x->account;
    who->role = role;
    who->session = session;
    who->sess_tag = tag;
    who->sess_idx = idx;
    who->sess_len = len;
    cm_gen_ct_epoch(x->w, tag, idx, x->f->end_s - 1, len, &start);
    return start >= x->f->start_s ? start : -1;
}

/* The session key handed out at a renewal time (for the AssumeRole response). */
static void renewal_key(const struct ctx *x, const struct cm_gen_caller *who, int64_t t, char *key)
{
    int64_t e = cm_gen_ct_epoch(x->w, who->sess_tag, who->sess_idx, t, who->sess_len, NULL);

    cm_gen_ct_session_key(x->w, who->sess_tag, who->sess_idx, e, key);
}

static void instance_call(struct ctx *x, const struct cm_gen_instance *in, unsigned idx,
                          const struct cm_gen_caller *who, const struct cm_gen_api *api)
{
    struct cm_gen_ct_call c;
    bool infra = in->tier == CM_GEN_TIER_DB || in->tier == CM_GEN_TIER_CACHE ||
                 in->tier == CM_GEN_TIER_BASTION;
    const char *src = cm_gen_services[api->svc].source;

    cm_gen_ct_call_init(&c, rand_time(x, &x->f->rng), api, who, x->region);
    c.instance = idx;
    if (api->params == CM_GEN_PA_SSM_UII || api->params == CM_GEN_PA_SSM_ASSOC) {
        c.agent = CM_GEN_UA_SSM_AGENT;
    } else {
        c.agent = infra ? CM_GEN_UA_CLI_FIRST : CM_GEN_UA_APP_FIRST + idx % CM_GEN_UA_NAPP;
    }
    if (x->v->has_vpce && cm_gen_vpce_covers(src)) {
        c.vpce = true;
        c.src_ip = in->ip;
    } else {
        c.src_ip = in->public_ip ? in->public_ip : x->v->nat_ip;
    }
    emit(x, &c, infra ? CM_GEN_C_INFRA : CM_GEN_C_APP);
}

static const double tier_calls[CM_GEN_NTIERS] = {2, 6, 1, 8, 1, 0.5};

static void fill_instance(struct ctx *x, unsigned idx)
{
    const struct cm_gen_instance *in = &x->w->instances[idx];
    struct cm_gen_caller who, svc = {.kind = CM_GEN_K_SERVICE, .invoked_by = "ec2.amazonaws.com"};
    bool infra = in->tier == CM_GEN_TIER_DB || in->tier == CM_GEN_TIER_CACHE ||
                 in->tier == CM_GEN_TIER_BASTION;
    char key[21];
    int64_t start;
    unsigned i, n;

    start = role_session(x, &who, CM_GEN_SESS_INSTANCE, idx, in->role, in->id, 6 * 3600);
    who.ec2_delivery = true;
    if (start >= 0) {
        renewal_key(x, &who, start, key);
        assume_event(x, &svc, start, in->role, in->id, key);
    }
    n = x->scale <= 1.0 ? 1 : cm_gen_rng_count(&x->f->rng, x->scale);
    for (i = 0; i < n; i++) {
        instance_call(x, in, idx, &who, cm_gen_api_find("ssm", "UpdateInstanceInformation"));
    }
    if (cm_gen_rng_chance(&x->f->rng, 0.5 * x->scale)) {
        instance_call(x, in, idx, &who, cm_gen_api_find("ssm", "ListInstanceAssociations"));
    }
    n = cm_gen_rng_count(&x->f->rng,
                         tier_calls[in->tier] * x->scale * cm_gen_diurnal(x->f->start_s));
    for (i = 0; i < n; i++) {
        instance_call(
            x, in, idx, &who,
            pick_api(x, infra ? CM_GEN_C_INFRA : CM_GEN_C_APP, &x->f->rng, x->region == 0));
    }
}

static void fill_function(struct ctx *x, unsigned idx)
{
    const struct cm_gen_function *fn = &x->w->functions[idx];
    struct cm_gen_caller who,
        svc = {.kind = CM_GEN_K_SERVICE, .invoked_by = "lambda.amazonaws.com"};
    struct cm_gen_ct_call c;
    char key[21];
    int64_t start;
    unsigned i, n;

    start = role_session(x, &who, CM_GEN_SESS_LAMBDA, idx, fn->role, fn->name, 4 * 3600);
    if (start >= 0) {
        renewal_key(x, &who, start, key);
        assume_event(x, &svc, start, fn->role, fn->name, key);
    }
    n = cm_gen_rng_count(&x->f->rng, 4.0 * x->scale * cm_gen_diurnal(x->f->start_s));
    for (i = 0; i < n; i++) {
        cm_gen_ct_call_init(&c, rand_time(x, &x->f->rng),
                            pick_api(x, CM_GEN_C_LAMBDA, &x->f->rng, x->region == 0), &who,
                            x->region);
        c.agent = CM_GEN_UA_LAMBDA_FIRST + fn->runtime;
        c.src_ip =
            cm_gen_region_ip(x->w->regions[x->region],
                             cm_gen_hash4(x->w->seed, 0x6c616d, idx, (uint64_t)(c.t / (4 * 3600))));
        emit(x, &c, CM_GEN_C_LAMBDA);
    }
}

static void fill_config(struct ctx *x)
{
    unsigned role = x->acc->first_role + CM_GEN_RS_CONFIG;
    struct cm_gen_caller who,
        svc = {.kind = CM_GEN_K_SERVICE, .invoked_by = "config.amazonaws.com"};
    struct cm_gen_ct_call c;
    char key[21];
    int64_t start;
    unsigned i, n;

    start = role_session(x, &who, CM_GEN_SESS_CONFIG, x->f->vpc, role, "AWSConfig-Describe", 3600);
    who.invoked_by = "config.amazonaws.com";
    if (start >= 0) {
        renewal_key(x, &who, start, key);
        assume_event(x, &svc, start, role, "AWSConfig-Describe", key);
    }
    n = cm_gen_rng_count(&x->f->rng, 3.0 * x->scale);
    for (i = 0; i < n; i++) {
        cm_gen_ct_call_init(&c, rand_time(x, &x->f->rng),
                            pick_api(x, CM_GEN_C_CONFIG, &x->f->rng, x->region == 0), &who,
                            x->region);
        c.src_name = "config.amazonaws.com";
        c.agent_text = "config.amazonaws.com";
        c.tls = false;
        emit(x, &c, CM_GEN_C_CONFIG);
    }
}

static void fill_monitor(struct ctx *x)
{
    unsigned role = x->acc->first_role + CM_GEN_RS_MONITOR;
    struct cm_gen_caller who, vendor = {.kind = CM_GEN_K_ACCOUNT};
    struct cm_gen_ct_call c;
    char principal[48], key[21];
    int64_t start;
    unsigned i, n;

    start =
        role_session(x, &who, CM_GEN_SESS_MONITOR, x->f->vpc, role, "DatadogAWSIntegration", 3600);
    if (start >= 0) {
        renewal_key(x, &who, start, key);
        snprintf(principal, sizeof(principal), "AROAWXDOGKRAWLR%05u:crawler",
                 (unsigned)(cm_gen_hash4(x->w->seed, 0x646f67, 0, 0) % 100000));
        vendor.session = principal;
        vendor.other_account = x->w->monitor_account;
        assume_event(x, &vendor, start, role, "DatadogAWSIntegration", key);
    }
    n = cm_gen_rng_count(&x->f->rng, 6.0 * x->scale);
    for (i = 0; i < n; i++) {
        cm_gen_ct_call_init(&c, rand_time(x, &x->f->rng),
                            pick_api(x, CM_GEN_C_MONITOR, &x->f->rng, x->region == 0), &who,
                            x->region);
        c.src_ip = x->w->monitor_ip[cm_gen_rng_below(&x->f->rng, 4)];
        c.agent = CM_GEN_UA_MONITOR;
        emit(x, &c, CM_GEN_C_MONITOR);
    }
}

/* Is person p working in absolute hour h? Weekdays in their working hours, mostly. */
static bool person_active(const struct cm_gen_world *w, unsigned p, int64_t h)
{
    const struct cm_gen_principal *pr = &w->principals[p];
    int64_t hod = ((h % 24) + 24) % 24, day = h >= 0 ? h / 24 : (h - 23) / 24;
    bool weekend = ((day % 7) + 7 + 3) % 7 >= 5; /* 1970-01-01 was a Thursday */
    bool work = (hod - pr->work_start + 24) % 24 < 9;
    uint64_t roll = cm_gen_hash4(w->seed, 0x61637476ULL + p, (uint64_t)h, 0) % 1000;

    return roll < (work ? (weekend ? 40u : 650u) : 25u);
}

static int64_t hour_of(int64_t t)
{
    return t >= 0 ? t / 3600 : (t - 3599) / 3600;
}

/* Start of p's current console session (its ConsoleLogin time), -1 if not working. */
static int64_t console_login_time(const struct cm_gen_world *w, unsigned p, int64_t t)
{
    int64_t h = hour_of(t), k;

    if (!person_active(w, p, h)) {
        return -1;
    }
    for (k = 0; k < 12 && person_active(w, p, h - 1); k++) {
        h--;
    }
    return h * 3600 + (int64_t)(cm_gen_hash4(w->seed, 0x6c6f67ULL + p, (uint64_t)h, 0) % 600);
}

static void console_login(struct ctx *x, unsigned p, int64_t login)
{
    const struct cm_gen_principal *pr = &x->w->principals[p];
    struct cm_gen_caller who = {.kind = CM_GEN_K_SIGNIN, .account = x->account, .principal = p};
    struct cm_gen_ct_call c;

    who.mfa = pr->mfa;
    cm_gen_ct_call_init(&c, login, cm_gen_api_find("signin", "ConsoleLogin"), &who, 0);
    c.src_ip = pr->home_ip[0];
    c.agent = pr->agent;
    if (cm_gen_hash4(x->w->seed, 0x6661696cULL + p, (uint64_t)login, 0) % 100 < 5) {
        c.t = login - 20;
        c.login_failed = true;
        cm_gen_ct_write(x->f, &c);
        c.t = login;
        c.login_failed = false;
    }
    cm_gen_ct_write(x->f, &c);
}

/* Sets up who for person p's calls in this window; returns the API class. */
static enum cm_gen_ct_class person_caller(struct ctx *x, unsigned p, struct cm_gen_caller *who,
                                          char *sess, size_t sesslen, int64_t *from)
{
    const struct cm_gen_principal *pr = &x->w->principals[p];
    int64_t start;

    memset(who, 0, sizeof(*who));
    who->account = x->account;
    who->principal = p;
    who->mfa = pr->mfa;
    *from = x->f->start_s;
    if (pr->kind == CM_GEN_P_IAM_CLI) {
        who->kind = CM_GEN_K_IAM_USER;
        snprintf(who->key, sizeof(who->key), "%s", pr->access_key);
        return CM_GEN_C_HUMAN;
    }
    if (pr->kind == CM_GEN_P_IAM_CONSOLE) {
        start = console_login_time(x->w, p, x->f->start_s);
        who->kind = CM_GEN_K_USER_SESSION;
        who->console = true;
        who->session_start = start;
        cm_gen_ct_session_key(x->w, CM_GEN_SESS_CONSOLE, p, start, who->key);
        if (start > *from) {
            *from = start + 5;
        }
        return CM_GEN_C_CONSOLE;
    }
    snprintf(sess, sesslen, "%s@%s.example.com", pr->name, x->w->org);
    who->kind = CM_GEN_K_ROLE;
    who->role = pr->sso_role;
    who->session = sess;
    who->mfa = false;
    who->console = p % 2 == 1;
    who->sess_tag = CM_GEN_SESS_SSO;
    who->sess_idx = p;
    who->sess_len = 8 * 3600;
    return who->console ? CM_GEN_C_CONSOLE : CM_GEN_C_HUMAN;
}

static void person_call(struct ctx *x, unsigned p, const struct cm_gen_caller *who,
                        enum cm_gen_ct_class cls, const struct cm_gen_api *api, int64_t t,
                        uint32_t ip)
{
    const struct cm_gen_principal *pr = &x->w->principals[p];
    struct cm_gen_ct_call c;

    cm_gen_ct_call_init(&c, t, api, who, x->region);
    c.src_ip = ip;
    c.agent = pr->agent;
    if (who->console) {
        if (strcmp(cm_gen_services[api->svc].source, "s3") == 0) {
            c.agent = CM_GEN_UA_CONSOLE_S3;
        } else if (cm_gen_rng_chance(&x->f->rng, 0.6)) {
            c.agent = pr->kind == CM_GEN_P_IAM_CONSOLE
                          ? pr->agent
                          : CM_GEN_UA_BROWSER_FIRST + p % CM_GEN_UA_NBROWSERS;
        } else {
            c.agent = CM_GEN_UA_AWS_INTERNAL;
        }
    }
    if (api->params == CM_GEN_PA_STS_ASSUME) {
        c.target_role = x->acc->first_role + (p % 2 ? CM_GEN_RS_READONLY : CM_GEN_RS_ADMIN);
        c.target_session = pr->name;
    }
    emit(x, &c, cls);
}

static void fill_person(struct ctx *x, unsigned p)
{
    const struct cm_gen_principal *pr = &x->w->principals[p];
    struct cm_gen_caller who;
    struct cm_gen_rng r;
    enum cm_gen_ct_class cls;
    char sess[64];
    int64_t from, t, login;
    unsigned i, n, region;

    if (!person_active(x->w, p, hour_of(x->f->start_s))) {
        return;
    }
    cls = person_caller(x, p, &who, sess, sizeof(sess), &from);
    if (pr->kind == CM_GEN_P_IAM_CONSOLE && x->region == 0) {
        login = who.session_start;
        if (in_window(x, login)) {
            console_login(x, p, login);
        }
    }
    cm_gen_rng_derive(&r, x->w->seed, 0x70657273ULL + p, x->f->win, 0);
    if (!cm_gen_rng_chance(&r, 0.7) || from >= x->f->end_s) {
        return;
    }
    n = cm_gen_rng_count(&r, 10.0 * x->scale);
    for (i = 0; i < n; i++) {
        const struct cm_gen_api *api = pick_api(x, cls, &r, true);
        uint32_t ip = pr->home_ip[cm_gen_rng_chance(&r, 0.85) ? 0 : 1];

        t = from + cm_gen_rng_below(&r, (uint32_t)(x->f->end_s - from));
        region =
            cm_gen_rng_chance(&r, 0.9) ? pr->home_region : cm_gen_rng_below(&r, x->w->nregions);
        if (api->flags & CM_GEN_API_GLOBAL) {
            region = 0;
        }
        if (region == x->region) {
            person_call(x, p, &who, cls, api, t, ip);
        }
    }
}

/* A CI run: the runner's key assumes the deploy role, then Terraform refreshes state. */
static void fill_ci(struct ctx *x, unsigned p)
{
    const struct cm_gen_principal *pr = &x->w->principals[p];
    struct cm_gen_caller user = {.kind = CM_GEN_K_IAM_USER, .account = x->account, .principal = p};
    struct cm_gen_caller who = {.kind = CM_GEN_K_ROLE, .account = x->account};
    struct cm_gen_ct_call c;
    struct cm_gen_rng r;
    char sess[32];
    int64_t t0;
    unsigned i, n, region;

    if (cm_gen_hash4(x->w->seed, 0x6369ULL + p, x->f->win, 0) % 36 != 0) {
        return;
    }
    cm_gen_rng_derive(&r, x->w->seed, 0x63697275ULL + p, x->f->win, 0);
    t0 = x->f->start_s + cm_gen_rng_below(&r, 60);
    snprintf(user.key, sizeof(user.key), "%s", pr->access_key);
    snprintf(sess, sizeof(sess), "terraform-%llu", (unsigned long long)(t0 / 60));
    who.role = x->acc->first_role + CM_GEN_RS_DEPLOY;
    who.session = sess;
    who.session_start = t0;
    cm_gen_ct_session_key(x->w, CM_GEN_SESS_ASSUMED, p, t0, who.key);
    if (pr->home_region == x->region) {
        cm_gen_ct_call_init(&c, t0, cm_gen_api_find("sts", "AssumeRole"), &user, x->region);
        c.target_role = who.role;
        c.target_session = sess;
        c.target_key = who.key;
        c.src_ip = pr->home_ip[0];
        c.agent = CM_GEN_UA_TERRAFORM;
        cm_gen_ct_write(x->f, &c);
    }
    n = cm_gen_rng_count(&r, 120.0 * x->scale);
    for (i = 0; i < n; i++) {
        const struct cm_gen_api *api = pick_api(x, CM_GEN_C_CI, &r, true);
        int64_t t = t0 + 2 + cm_gen_rng_below(&r, (uint32_t)(x->f->end_s - t0 - 2));

        region = (api->flags & CM_GEN_API_GLOBAL) ? 0 : pr->home_region;
        if (region != x->region) {
            continue;
        }
        cm_gen_ct_call_init(&c, t, api, &who, x->region);
        c.src_ip = pr->home_ip[0];
        c.agent = CM_GEN_UA_TERRAFORM;
        emit(x, &c, CM_GEN_C_CI);
    }
}

/*
 * Rare: AWS Support, working a case the owner opened, looks at the account
 * as root (us-east-1 only). The calls name the service (invokedBy and a
 * service name for the address): the owner's root credentials were not used,
 * so this is not root credential use. The background never signs in as root.
 */
static void fill_root(struct ctx *x)
{
    static const char *const names[] = {"GetAccountSummary", "ListUsers", "ListMFADevices"};
    int64_t h = hour_of(x->f->start_s), t0;
    uint64_t roll = cm_gen_hash4(x->w->seed, 0x726f6f74ULL, x->account, (uint64_t)h);
    struct cm_gen_caller who = {.kind = CM_GEN_K_ROOT_SIGNIN, /* root without a key */
                                .account = x->account,
                                .invoked_by = "support.amazonaws.com"};
    struct cm_gen_ct_call c;
    unsigned i;

    if (roll % 1000 >= 8 || x->region != 0) {
        return;
    }
    t0 = h * 3600 + (int64_t)((roll >> 16) % 1800);
    for (i = 0; i < 3; i++) {
        int64_t t = t0 + 40 + 70 * i;

        if (in_window(x, t)) {
            cm_gen_ct_call_init(&c, t, cm_gen_api_find("iam", names[i]), &who, 0);
            c.src_name = who.invoked_by;
            c.agent_text = who.invoked_by;
            c.tls = false;
            cm_gen_ct_write(x->f, &c);
        }
    }
}

/* A reporting job using GetFederationToken credentials reads bucket settings. */
static void fill_federated(struct ctx *x)
{
    static const char *const names[] = {"ListBuckets", "GetBucketLocation", "GetBucketAcl"};
    int64_t h = hour_of(x->f->start_s), t0;
    uint64_t roll = cm_gen_hash4(x->w->seed, 0x66656475ULL, x->account, (uint64_t)h);
    struct cm_gen_caller who = {.kind = CM_GEN_K_FEDERATED, .account = x->account};
    struct cm_gen_ct_call c;
    unsigned i;

    if (roll % 100 >= 15 || x->region != 0 || x->acc->nprincipals == 0) {
        return;
    }
    t0 = h * 3600 + (int64_t)((roll >> 16) % 3500);
    who.principal = x->acc->first_principal;
    who.session = "report-builder";
    who.session_start = t0 - 30;
    cm_gen_ct_session_key(x->w, CM_GEN_SESS_FEDERATED, x->account, h, who.key);
    for (i = 0; i < 3; i++) {
        if (in_window(x, t0 + 20 * i)) {
            cm_gen_ct_call_init(&c, t0 + 20 * i, cm_gen_api_find("s3", names[i]), &who, 0);
            c.src_ip = x->w->principals[who.principal].home_ip[1];
            c.agent = CM_GEN_UA_APP_FIRST;
            emit(x, &c, CM_GEN_C_HUMAN);
        }
    }
}

int cm_gen_cloudtrail_fill(struct cm_gen_file *f)
{
    const struct cm_gen_world *w = f->env->world;
    struct ctx x;
    unsigned i;

    x.f = f;
    x.w = w;
    x.tab = f->env->tables;
    x.v = &w->vpcs[f->vpc];
    x.account = x.v->account;
    x.acc = &w->accounts[x.account];
    x.region = x.v->region;
    x.scale = f->env->cfg->scale;
    for (i = 0; i < x.v->ninstances; i++) {
        fill_instance(&x, x.v->first_instance + i);
    }
    for (i = 0; i < x.v->nfunctions; i++) {
        fill_function(&x, x.v->first_function + i);
    }
    for (i = 0; i < x.acc->nprincipals; i++) {
        unsigned p = x.acc->first_principal + i;

        if (w->principals[p].kind == CM_GEN_P_CI) {
            fill_ci(&x, p);
        } else {
            fill_person(&x, p);
        }
    }
    fill_config(&x);
    fill_monitor(&x);
    fill_root(&x);
    fill_federated(&x);
    return f->t.err;
}
