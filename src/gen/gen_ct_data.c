/*
 * S3 data events, delivered in their own files as a separate data-event
 * trail would write them: GetObject, PutObject, HeadObject, ListObjects(V2)
 * and DeleteObject on the account's buckets in the file's region, made by
 * instance profiles (workers and apps mostly, database hosts pushing
 * backups), Lambda functions, and now and then a person in the S3 console.
 * Instances in VPCs with endpoints reach S3 through the gateway endpoint, so
 * those records carry the private IP and vpcEndpointId.
 */
#include "gen/gen_ct.h"

#include <string.h>

enum { OP_GET, OP_PUT, OP_HEAD, OP_LISTV2, OP_LIST, OP_DELETE, NOPS };

static const char *const op_names[NOPS] = {"GetObject",     "PutObject",   "HeadObject",
                                           "ListObjectsV2", "ListObjects", "DeleteObject"};

/* Per tier (and Lambda last): calls per window at scale 1, then op weights. */
static const struct {
    double rate;
    uint8_t w[NOPS];
} mix[CM_GEN_NTIERS + 1] = {
    [CM_GEN_TIER_WEB] = {3, {80, 0, 20, 0, 0, 0}},
    [CM_GEN_TIER_APP] = {8, {60, 20, 15, 5, 0, 0}},
    [CM_GEN_TIER_DB] = {0.5, {0, 90, 0, 10, 0, 0}},
    [CM_GEN_TIER_WORKER] = {20, {45, 35, 10, 8, 0, 2}},
    [CM_GEN_TIER_BASTION] = {0.2, {50, 0, 0, 30, 20, 0}},
    [CM_GEN_TIER_CACHE] = {0, {0}},
    [CM_GEN_NTIERS] = {5, {50, 40, 0, 10, 0, 0}},
};

struct dctx {
    struct cm_gen_file *f;
    const struct cm_gen_world *w;
    const struct cm_gen_vpc *v;
    unsigned buckets[CM_GEN_BUCKETS_PER_ACCOUNT];
    unsigned nbuckets;
    const struct cm_gen_api *ops[NOPS];
};

static const struct cm_gen_api *pick_op(const struct dctx *x, struct cm_gen_rng *r, unsigned k)
{
    unsigned i, total = 0, roll;

    for (i = 0; i < NOPS; i++) {
        total += mix[k].w[i];
    }
    roll = cm_gen_rng_below(r, total);
    for (i = 0; i < NOPS; i++) {
        if (roll < mix[k].w[i]) {
            break;
        }
        roll -= mix[k].w[i];
    }
    return x->ops[i < NOPS ? i : 0];
}

static uint32_t object_size(struct cm_gen_rng *r)
{
    unsigned shift = 8 + cm_gen_rng_below(r, 15);

    return ((uint32_t)1 << shift) + cm_gen_rng_below(r, (uint32_t)1 << shift);
}

static void data_call(struct dctx *x, const struct cm_gen_caller *who, unsigned k, uint32_t ip,
                      bool vpce, unsigned agent)
{
    struct cm_gen_file *f = x->f;
    struct cm_gen_ct_call c;

    cm_gen_ct_call_init(&c, f->start_s + cm_gen_rng_below(&f->rng, CM_GEN_CT_WINDOW),
                        pick_op(x, &f->rng, k), who, x->v->region);
    c.bucket = x->buckets[cm_gen_rng_below(&f->rng, x->nbuckets)];
    c.src_ip = ip;
    c.vpce = vpce;
    c.agent = agent;
    c.bytes_out = object_size(&f->rng);
    c.error = cm_gen_rng_chance(&f->rng, 0.01) ? cm_gen_ct_pick_error(c.api, &f->rng, 1.0) : -1;
    cm_gen_ct_write(f, &c);
}

static void instance_data(struct dctx *x, unsigned idx)
{
    const struct cm_gen_instance *in = &x->w->instances[idx];
    struct cm_gen_caller who = {.kind = CM_GEN_K_ROLE, .account = in->account};
    double mean = mix[in->tier].rate * x->f->env->cfg->scale * cm_gen_diurnal(x->f->start_s);
    unsigned i, n = cm_gen_rng_count(&x->f->rng, mean);

    who.role = in->role;
    who.session = in->id;
    who.ec2_delivery = true;
    who.sess_tag = CM_GEN_SESS_INSTANCE;
    who.sess_idx = idx;
    who.sess_len = 6 * 3600;
    for (i = 0; i < n; i++) {
        if (x->v->has_vpce) {
            data_call(x, &who, in->tier, in->ip, true, CM_GEN_UA_APP_FIRST + idx % CM_GEN_UA_NAPP);
        } else {
            data_call(x, &who, in->tier, in->public_ip ? in->public_ip : x->v->nat_ip, false,
                      CM_GEN_UA_APP_FIRST + idx % CM_GEN_UA_NAPP);
        }
    }
}

static void function_data(struct dctx *x, unsigned idx)
{
    const struct cm_gen_function *fn = &x->w->functions[idx];
    const struct cm_gen_region *g = x->w->regions[fn->region];
    struct cm_gen_caller who = {.kind = CM_GEN_K_ROLE, .account = fn->account};
    double mean = mix[CM_GEN_NTIERS].rate * x->f->env->cfg->scale * cm_gen_diurnal(x->f->start_s);
    uint64_t h = cm_gen_hash4(x->w->seed, 0x6c616d, idx, (uint64_t)(x->f->start_s / (4 * 3600)));
    unsigned i, n = cm_gen_rng_count(&x->f->rng, mean);

    who.role = fn->role;
    who.session = fn->name;
    who.sess_tag = CM_GEN_SESS_LAMBDA;
    who.sess_idx = idx;
    who.sess_len = 4 * 3600;
    for (i = 0; i < n; i++) {
        data_call(x, &who, CM_GEN_NTIERS, cm_gen_region_ip(g, h), false,
                  CM_GEN_UA_LAMBDA_FIRST + fn->runtime);
    }
}

int cm_gen_ct_data_fill(struct cm_gen_file *f)
{
    const struct cm_gen_world *w = f->env->world;
    struct dctx x;
    unsigned i;

    memset(&x, 0, sizeof(x));
    x.f = f;
    x.w = w;
    x.v = &w->vpcs[f->vpc];
    for (i = 0; i < w->accounts[x.v->account].nbuckets; i++) {
        unsigned b = w->accounts[x.v->account].first_bucket + i;

        if (w->buckets[b].region == x.v->region) {
            x.buckets[x.nbuckets++] = b;
        }
    }
    if (x.nbuckets == 0) {
        return 0;
    }
    for (i = 0; i < NOPS; i++) {
        x.ops[i] = cm_gen_api_find("s3", op_names[i]);
    }
    for (i = 0; i < x.v->ninstances; i++) {
        instance_data(&x, x.v->first_instance + i);
    }
    for (i = 0; i < x.v->nfunctions; i++) {
        function_data(&x, x.v->first_function + i);
    }
    return f->t.err;
}
