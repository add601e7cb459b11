/*
 * One CloudTrail record from a struct cm_gen_ct_call, with the fields in the
 * order CloudTrail writes them. Subjects the caller left open (which bucket,
 * which KMS key, which object) are drawn here from the file's stream so the
 * parameters and the resources array name the same thing.
 */
#include "gen/gen_ct.h"

#include <limits.h>
#include <string.h>

void cm_gen_ct_call_init(struct cm_gen_ct_call *c, int64_t t, const struct cm_gen_api *api,
                         const struct cm_gen_caller *who, unsigned region)
{
    memset(c, 0, sizeof(*c));
    c->t = t;
    c->api = api;
    c->who = who;
    c->region = region;
    c->agent = CM_GEN_UA_AWS_INTERNAL;
    c->error = -1;
    c->tls = true;
    c->instance = UINT_MAX;
    c->bucket = UINT_MAX;
    c->target_role = UINT_MAX;
}

const char *cm_gen_ct_bucket_name(const struct cm_gen_world *w, const struct cm_gen_ct_call *c)
{
    if (c->bucket_name != NULL) {
        return c->bucket_name;
    }
    return c->bucket < w->nbuckets ? w->buckets[c->bucket].name : NULL;
}

static void resolve(struct cm_gen_file *f, struct cm_gen_ct_call *c, char *okey, size_t n,
                    char *tkey)
{
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_account *acc = &w->accounts[w->vpcs[f->vpc].account];
    unsigned pa = c->api->params;
    bool s3 = pa >= CM_GEN_PA_S3_BUCKET && pa <= CM_GEN_PA_S3_LIST;

    if (s3 && c->bucket >= w->nbuckets && c->bucket_name == NULL) {
        c->bucket = acc->first_bucket + cm_gen_rng_below(&f->rng, acc->nbuckets);
    }
    if (pa == CM_GEN_PA_S3_OBJECT && c->object_key == NULL) {
        cm_gen_ct_object_key(&f->rng, okey, n);
        c->object_key = okey;
    }
    if (pa >= CM_GEN_PA_KMS_DECRYPT && pa <= CM_GEN_PA_KMS_KEY) {
        c->kms_key = cm_gen_rng_below(&f->rng, 3);
    }
    if (pa == CM_GEN_PA_STS_ASSUME && c->target_role >= w->nroles) {
        c->target_role = acc->first_role + CM_GEN_RS_READONLY;
    }
    if ((pa == CM_GEN_PA_STS_ASSUME || pa == CM_GEN_PA_STS_TOKEN) && c->target_key == NULL) {
        memcpy(tkey, "ASIA", 4);
        cm_gen_rng_chars(&f->rng, tkey + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
        tkey[20] = '\0';
        c->target_key = tkey;
    }
}

static void put_head(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct cm_gen_text *t = &f->t;
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_service *s = &cm_gen_services[c->api->svc];

    cm_gen_t_puts(t, "{\"eventVersion\":\"");
    cm_gen_t_puts(t, (c->api->flags & CM_GEN_API_DATA) ? "1.11" : s->version);
    cm_gen_t_puts(t, "\",\"userIdentity\":");
    cm_gen_ct_identity(f, c->who);
    cm_gen_t_puts(t, ",\"eventTime\":\"");
    cm_gen_t_iso(t, c->t);
    cm_gen_t_puts(t, "\",\"eventSource\":\"");
    cm_gen_t_puts(t, s->source);
    cm_gen_t_puts(t, ".amazonaws.com\",\"eventName\":\"");
    cm_gen_t_puts(t, c->api->name);
    cm_gen_t_puts(t, "\",\"awsRegion\":\"");
    cm_gen_t_puts(t, w->regions[c->region < w->nregions ? c->region : 0]->name);
    cm_gen_t_puts(t, "\",\"sourceIPAddress\":");
    if (c->src_name != NULL) {
        cm_gen_t_js(t, c->src_name);
    } else {
        cm_gen_t_putc(t, '"');
        cm_gen_t_ip4(t, c->src_ip);
        cm_gen_t_putc(t, '"');
    }
    cm_gen_t_puts(t, ",\"userAgent\":");
    cm_gen_ct_agent(f, c);
    if (c->error_code != NULL || c->error_message != NULL) {
        if (c->error_code != NULL) {
            cm_gen_t_kv(t, ",\"errorCode", c->error_code);
        }
        if (c->error_message != NULL) {
            cm_gen_t_puts(t, ",\"errorMessage\":");
            cm_gen_t_jesc(t, c->error_message, strlen(c->error_message));
        }
    } else if (c->error >= 0 && (unsigned)c->error < cm_gen_ct_nerrors) {
        const struct cm_gen_ct_error *e = &cm_gen_ct_errors[c->error];

        cm_gen_t_kv(t, ",\"errorCode", e->code);
        if (e->message[0]) {
            cm_gen_t_kv(t, ",\"errorMessage", e->message);
        }
    } else if (c->login_failed) {
        cm_gen_t_kv(t, ",\"errorMessage", "Failed authentication"); /* no errorCode */
    }
    cm_gen_t_putc(t, ',');
}

static void put_ids(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct cm_gen_text *t = &f->t;
    char id[36];

    if (!(c->api->flags & CM_GEN_API_SIGNIN)) {
        cm_gen_t_puts(t, ",\"requestID\":\"");
        if (strcmp(cm_gen_services[c->api->svc].source, "s3") == 0) {
            cm_gen_rng_chars(&f->rng, id, 16, "0123456789ABCDEF", 16);
            cm_gen_t_putn(t, id, 16);
        } else {
            cm_gen_rng_uuid(&f->rng, id);
            cm_gen_t_putn(t, id, 36);
        }
        cm_gen_t_putc(t, '"');
    }
    cm_gen_t_puts(t, ",\"eventID\":\"");
    cm_gen_rng_uuid(&f->rng, id);
    cm_gen_t_putn(t, id, 36);
    cm_gen_t_puts(t, (c->api->flags & CM_GEN_API_RO) ? "\",\"readOnly\":true"
                                                     : "\",\"readOnly\":false");
}

static void put_tls(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct cm_gen_text *t = &f->t;
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_service *s = &cm_gen_services[c->api->svc];

    if (cm_gen_rng_chance(&f->rng, 0.85)) {
        cm_gen_t_puts(t, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\","
                         "\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\",");
    } else {
        cm_gen_t_puts(t, ",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.2\","
                         "\"cipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256\",");
    }
    cm_gen_t_puts(t, "\"clientProvidedHostHeader\":\"");
    if (c->api->flags & CM_GEN_API_SIGNIN) {
        cm_gen_t_puts(t, "signin.aws.amazon.com");
    } else if (c->api->flags & CM_GEN_API_GLOBAL) {
        cm_gen_t_puts(t, s->source);
        cm_gen_t_puts(t, ".amazonaws.com");
    } else {
        const char *b = cm_gen_ct_bucket_name(w, c);

        if (b != NULL) {
            cm_gen_t_puts(t, b);
            cm_gen_t_putc(t, '.');
        }
        cm_gen_t_puts(t, s->source);
        cm_gen_t_putc(t, '.');
        cm_gen_t_puts(t, w->regions[c->region < w->nregions ? c->region : 0]->name);
        cm_gen_t_puts(t, ".amazonaws.com");
    }
    cm_gen_t_puts(t, "\"}");
}

static void put_tail(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct cm_gen_text *t = &f->t;
    const struct cm_gen_world *w = f->env->world;
    const struct cm_gen_vpc *v = &w->vpcs[f->vpc];
    const char *acct = w->accounts[v->account].id;
    bool data = (c->api->flags & CM_GEN_API_DATA) != 0;

    cm_gen_t_puts(t, (c->api->flags & CM_GEN_API_SIGNIN) ? ",\"eventType\":\"AwsConsoleSignIn\""
                                                         : ",\"eventType\":\"AwsApiCall\"");
    cm_gen_t_puts(t, data ? ",\"managementEvent\":false" : ",\"managementEvent\":true");
    cm_gen_t_kv(t, ",\"recipientAccountId", acct);
    if (c->vpce_id != NULL) {
        cm_gen_t_kv(t, ",\"vpcEndpointId", c->vpce_id);
        cm_gen_t_kv(t, ",\"vpcEndpointAccountId", c->vpce_account ? c->vpce_account : acct);
    } else if (c->vpce) {
        cm_gen_t_kv(t, ",\"vpcEndpointId", v->vpce_id);
        cm_gen_t_kv(t, ",\"vpcEndpointAccountId", acct);
    }
    cm_gen_t_puts(t, data ? ",\"eventCategory\":\"Data\"" : ",\"eventCategory\":\"Management\"");
    if (c->tls) {
        put_tls(f, c);
    }
    if (c->who->console) {
        cm_gen_t_puts(t, ",\"sessionCredentialFromConsole\":\"true\"");
    }
    cm_gen_t_putc(t, '}');
}

void cm_gen_ct_write(struct cm_gen_file *f, const struct cm_gen_ct_call *c0)
{
    struct cm_gen_ct_call c = *c0;
    struct cm_gen_caller who;
    char okey[96], tkey[21];
    int64_t e;

    if (c.who->sess_len > 0) {
        who = *c.who;
        e = cm_gen_ct_epoch(f->env->world, who.sess_tag, who.sess_idx, c.t, who.sess_len,
                            &who.session_start);
        cm_gen_ct_session_key(f->env->world, who.sess_tag, who.sess_idx, e, who.key);
        c.who = &who;
    }
    resolve(f, &c, okey, sizeof(okey), tkey);
    cm_gen_file_begin_rec(f);
    put_head(f, &c);
    cm_gen_ct_params(f, &c);
    put_ids(f, &c);
    cm_gen_ct_extras(f, &c);
    put_tail(f, &c);
    cm_gen_file_end_rec(f, c.t * 1000);
}
