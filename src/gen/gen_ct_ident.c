/*
 * CloudTrail userIdentity objects and userAgent strings for every kind of
 * caller the generator simulates: IAM users (long-term AKIA keys and console
 * sessions), assumed-role sessions (instance profiles with ec2RoleDelivery,
 * Lambda, Identity Center, service-linked and cross-account roles), AWS
 * services, root, federated users and other AWS accounts. Temporary keys
 * are pure functions of (seed, entity, epoch), so the same session shows
 * the same ASIA key in every file and region it appears in.
 */
#include "gen/gen_ct.h"

#include <string.h>

void cm_gen_ct_session_key(const struct cm_gen_world *w, unsigned tag, unsigned idx, int64_t e,
                           char *out)
{
    struct cm_gen_rng r;

    cm_gen_rng_derive(&r, w->seed, 0x41534941ULL + tag, idx, (uint64_t)e);
    memcpy(out, "ASIA", 4);
    cm_gen_rng_chars(&r, out + 4, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 32);
    out[20] = '\0';
}

int64_t cm_gen_ct_epoch(const struct cm_gen_world *w, unsigned tag, unsigned idx, int64_t t,
                        int64_t len, int64_t *start)
{
    int64_t off = (int64_t)(cm_gen_hash4(w->seed, 0x65706f6368ULL + tag, idx, 0) % (uint64_t)len);
    int64_t x = t - off;
    int64_t e = x >= 0 ? x / len : -((-x + len - 1) / len);

    if (start != NULL) {
        *start = e * len + off;
    }
    return e;
}

void cm_gen_ct_role_arn(struct cm_gen_text *t, const struct cm_gen_world *w, unsigned r)
{
    const struct cm_gen_role *ro = &w->roles[r];

    cm_gen_t_puts(t, "arn:aws:iam::");
    cm_gen_t_puts(t, w->accounts[ro->account].id);
    cm_gen_t_puts(t, ":role");
    cm_gen_t_puts(t, ro->path);
    cm_gen_t_puts(t, ro->name);
}

static void put_attrs(struct cm_gen_text *t, const struct cm_gen_caller *who)
{
    cm_gen_t_puts(t, "\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"");
    cm_gen_t_iso(t, who->session_start);
    cm_gen_t_puts(t, who->mfa ? "\",\"mfaAuthenticated\":\"true\"}"
                              : "\",\"mfaAuthenticated\":\"false\"}");
}

static void put_user_head(struct cm_gen_text *t, const char *acct, const char *id, const char *name,
                          const char *type)
{
    cm_gen_t_puts(t, "{\"type\":\"");
    cm_gen_t_puts(t, type);
    cm_gen_t_puts(t, "\",\"principalId\":\"");
    cm_gen_t_puts(t, id);
    cm_gen_t_puts(t, "\",\"arn\":\"arn:aws:iam::");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, ":user/");
    cm_gen_t_puts(t, name);
    cm_gen_t_puts(t, "\",\"accountId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_putc(t, '"');
}

static void put_key(struct cm_gen_text *t, const struct cm_gen_caller *who)
{
    if (who->key[0]) {
        cm_gen_t_puts(t, ",\"accessKeyId\":\"");
        cm_gen_t_puts(t, who->key);
        cm_gen_t_putc(t, '"');
    }
}

static void ident_user(struct cm_gen_text *t, const struct cm_gen_world *w,
                       const struct cm_gen_caller *who)
{
    const char *name = who->user_name, *id = who->user_id, *acct;

    if (name != NULL && id != NULL) {
        acct = w->accounts[who->account].id;
    } else {
        const struct cm_gen_principal *p = &w->principals[who->principal];

        name = p->name;
        id = p->principal_id;
        acct = w->accounts[p->account].id;
    }
    put_user_head(t, acct, id, name, "IAMUser");
    put_key(t, who);
    cm_gen_t_puts(t, ",\"userName\":\"");
    cm_gen_t_puts(t, name);
    cm_gen_t_putc(t, '"');
    if (who->kind == CM_GEN_K_USER_SESSION) {
        cm_gen_t_puts(t, ",\"sessionContext\":{\"sessionIssuer\":{},");
        put_attrs(t, who);
        cm_gen_t_putc(t, '}');
    }
    cm_gen_t_putc(t, '}');
}

static void ident_role(struct cm_gen_text *t, const struct cm_gen_world *w,
                       const struct cm_gen_caller *who)
{
    const struct cm_gen_role *ro = &w->roles[who->role];
    const char *acct = w->accounts[ro->account].id;

    cm_gen_t_puts(t, "{\"type\":\"AssumedRole\",\"principalId\":\"");
    cm_gen_t_puts(t, ro->principal_id);
    cm_gen_t_putc(t, ':');
    cm_gen_t_puts(t, who->session);
    cm_gen_t_puts(t, "\",\"arn\":\"arn:aws:sts::");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, ":assumed-role/");
    cm_gen_t_puts(t, ro->name);
    cm_gen_t_putc(t, '/');
    cm_gen_t_puts(t, who->session);
    cm_gen_t_puts(t, "\",\"accountId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_putc(t, '"');
    put_key(t, who);
    cm_gen_t_puts(t,
                  ",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"");
    cm_gen_t_puts(t, ro->principal_id);
    cm_gen_t_puts(t, "\",\"arn\":\"");
    cm_gen_ct_role_arn(t, w, who->role);
    cm_gen_t_puts(t, "\",\"accountId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, "\",\"userName\":\"");
    cm_gen_t_puts(t, ro->name);
    cm_gen_t_puts(t, "\"},");
    put_attrs(t, who);
    if (who->ec2_delivery) {
        cm_gen_t_puts(t, ",\"ec2RoleDelivery\":\"2.0\"");
    }
    cm_gen_t_putc(t, '}');
    if (who->invoked_by != NULL) {
        cm_gen_t_kv(t, ",\"invokedBy", who->invoked_by);
    }
    cm_gen_t_putc(t, '}');
}

static void ident_root(struct cm_gen_text *t, const struct cm_gen_world *w,
                       const struct cm_gen_caller *who)
{
    const char *acct = w->accounts[who->account].id;

    cm_gen_t_puts(t, "{\"type\":\"Root\",\"principalId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, "\",\"arn\":\"arn:aws:iam::");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, ":root\",\"accountId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_putc(t, '"');
    if (who->kind == CM_GEN_K_ROOT) {
        put_key(t, who);
        if (who->assumed_root) {
            /* sts:AssumeRoot: no issuer; the session says it is a short-term root one */
            cm_gen_t_puts(t, ",\"sessionContext\":{\"attributes\":{\"creationDate\":\"");
            cm_gen_t_iso(t, who->session_start);
            cm_gen_t_puts(t, "\",\"mfaAuthenticated\":\"false\"},\"assumedRoot\":\"true\"}");
        } else {
            cm_gen_t_puts(t, ",\"sessionContext\":{\"sessionIssuer\":{},");
            put_attrs(t, who);
            cm_gen_t_putc(t, '}');
        }
    }
    if (who->invoked_by != NULL) {
        cm_gen_t_kv(t, ",\"invokedBy", who->invoked_by);
    }
    cm_gen_t_putc(t, '}');
}

static void ident_federated(struct cm_gen_text *t, const struct cm_gen_world *w,
                            const struct cm_gen_caller *who)
{
    const struct cm_gen_principal *p = &w->principals[who->principal];
    const char *acct = w->accounts[p->account].id;

    cm_gen_t_puts(t, "{\"type\":\"FederatedUser\",\"principalId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_putc(t, ':');
    cm_gen_t_puts(t, who->session);
    cm_gen_t_puts(t, "\",\"arn\":\"arn:aws:sts::");
    cm_gen_t_puts(t, acct);
    cm_gen_t_puts(t, ":federated-user/");
    cm_gen_t_puts(t, who->session);
    cm_gen_t_puts(t, "\",\"accountId\":\"");
    cm_gen_t_puts(t, acct);
    cm_gen_t_putc(t, '"');
    put_key(t, who);
    cm_gen_t_puts(t, ",\"sessionContext\":{\"sessionIssuer\":");
    put_user_head(t, acct, p->principal_id, p->name, "IAMUser");
    cm_gen_t_puts(t, ",\"userName\":\"");
    cm_gen_t_puts(t, p->name);
    cm_gen_t_puts(t, "\"},");
    put_attrs(t, who);
    cm_gen_t_puts(t, "}}");
}

void cm_gen_ct_identity(struct cm_gen_file *f, const struct cm_gen_caller *who)
{
    struct cm_gen_text *t = &f->t;
    const struct cm_gen_world *w = f->env->world;

    switch (who->kind) {
    case CM_GEN_K_IAM_USER:
    case CM_GEN_K_USER_SESSION:
    case CM_GEN_K_SIGNIN:
        ident_user(t, w, who);
        break;
    case CM_GEN_K_ROLE:
        ident_role(t, w, who);
        break;
    case CM_GEN_K_SERVICE:
        cm_gen_t_puts(t, "{\"type\":\"AWSService\",\"invokedBy\":\"");
        cm_gen_t_puts(t, who->invoked_by);
        cm_gen_t_puts(t, "\"}");
        break;
    case CM_GEN_K_ROOT:
    case CM_GEN_K_ROOT_SIGNIN:
        ident_root(t, w, who);
        break;
    case CM_GEN_K_FEDERATED:
        ident_federated(t, w, who);
        break;
    case CM_GEN_K_ACCOUNT:
        cm_gen_t_puts(t, "{\"type\":\"AWSAccount\",\"principalId\":\"");
        cm_gen_t_puts(t, who->session);
        cm_gen_t_puts(t, "\",\"accountId\":\"");
        cm_gen_t_puts(t, who->other_account);
        cm_gen_t_puts(t, "\"}");
        break;
    }
}

static bool is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* DescribeDBInstances -> describe-db-instances; version suffixes are dropped. */
static void put_kebab(struct cm_gen_text *t, const char *name)
{
    char tmp[96];
    size_t n = 0;
    const char *p;

    for (p = name; *p && n + 2 < sizeof(tmp); p++) {
        if (*p >= '0' && *p <= '9') {
            break;
        }
        if (is_upper(*p)) {
            if (p != name && (!is_upper(p[-1]) || (p[1] && !is_upper(p[1])))) {
                tmp[n++] = '-';
            }
            tmp[n++] = (char)(*p - 'A' + 'a');
        } else {
            tmp[n++] = *p;
        }
    }
    cm_gen_t_putn(t, tmp, n);
}

void cm_gen_ct_agent(struct cm_gen_file *f, const struct cm_gen_ct_call *c)
{
    struct cm_gen_text *t = &f->t;
    const struct cm_gen_agent *a;
    const struct cm_gen_service *s = &cm_gen_services[c->api->svc];

    if (c->agent_text != NULL) {
        cm_gen_t_js(t, c->agent_text);
        return;
    }
    a = &cm_gen_agents[c->agent < cm_gen_nagents ? c->agent : CM_GEN_UA_AWS_INTERNAL];
    cm_gen_t_putc(t, '"');
    cm_gen_t_puts(t, a->text);
    if (a->tail == CM_GEN_UA_CLI_CMD) {
        cm_gen_t_puts(t, s->cli);
        cm_gen_t_putc(t, '.');
        put_kebab(t, c->api->name);
    } else if (a->tail == CM_GEN_UA_API_SVC) {
        cm_gen_t_puts(t, s->cli);
        cm_gen_t_puts(t, "#1.");
        cm_gen_t_u64(t, 30 + c->api->svc);
        cm_gen_t_putc(t, '.');
        cm_gen_t_u64(t, c->api->svc % 7);
    }
    cm_gen_t_putc(t, '"');
}
