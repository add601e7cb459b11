/*
 * The additionalInfo of the CloudTrail anomaly models' findings (ct.h,
 * cm_ct_anomaly_info): the anomalous APIs by service with their outcomes, the
 * unusual behaviour, the profiled behaviour (the usual clients) and the user
 * agent, as GuardDuty's anomaly findings carry them
 * (docs/detectors/cloudtrail-anomaly.md). What the models remember is
 * ct_profile.c.
 */
#include "detect/ct.h"

#include <string.h>

static void put_str_field(struct cm_jw *jw, const char *key, const char *val)
{
    cm_jw_key(jw, key);
    cm_jw_str(jw, val);
}

/* Whether calls[from..k) holds one of calls[k]'s service, name and outcome. */
static bool seen_before(const struct cm_ct_call *const *calls, size_t from, size_t k)
{
    for (size_t j = from; j < k; j++) {
        if (strcmp(calls[j]->svc, calls[k]->svc) == 0 &&
            strcmp(calls[j]->name, calls[k]->name) == 0 &&
            strcmp(calls[j]->outcome, calls[k]->outcome) == 0) {
            return true;
        }
    }
    return false;
}

/* "iam.amazonaws.com:[ListUsers:success , ListRoles:AccessDenied] , sts...:[...]" */
static void put_anomalous_apis(struct cm_buf *b, const struct cm_ct_call *const *calls, size_t n)
{
    bool done[CM_CT_RECENT] = {false};

    for (size_t i = 0; i < n; i++) {
        if (done[i]) {
            continue;
        }
        if (b->len) {
            cm_buf_puts(b, " , ");
        }
        cm_buf_printf(b, "%s.amazonaws.com:[", calls[i]->svc);
        for (size_t k = i, first = 1; k < n; k++) {
            if (done[k] || strcmp(calls[k]->svc, calls[i]->svc) != 0) {
                continue;
            }
            done[k] = true;
            if (seen_before(calls, i, k)) {
                continue; /* one GetObject:success for forty objects read */
            }
            cm_buf_printf(b, "%s%s:%s", first ? "" : " , ", calls[k]->name, calls[k]->outcome);
            first = 0;
        }
        cm_buf_putc(b, ']');
    }
}

void cm_ct_anomaly_info(struct cm_jw *jw, const struct cm_ct_info_args *a)
{
    const struct cm_ct *ct = &a->ev->u.ct;
    struct cm_buf b;
    char net[160];
    bool is_asn = false;

    cm_buf_init(&b, 4096);
    put_anomalous_apis(&b, a->calls, a->ncalls);
    cm_jw_key(jw, "anomalies");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "anomalousAPIs");
    cm_jw_strn(jw, b.p ? b.p : "", b.len);
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "unusualBehavior");
    cm_jw_obj_begin(jw);
    cm_buf_reset(&b);
    for (size_t i = 0; i < a->ncalls; i++) {
        bool again = false;

        for (size_t j = 0; j < i && !again; j++) {
            again = strcmp(a->calls[j]->name, a->calls[i]->name) == 0;
        }
        if (again) {
            continue;
        }
        if (b.len) {
            cm_buf_puts(&b, " , ");
        }
        cm_buf_puts(&b, a->calls[i]->name);
    }
    cm_jw_key(jw, "unusualAPIsUserIdentityProfiling");
    cm_jw_strn(jw, b.p ? b.p : "", b.len);
    if (a->unusual_key != NULL) {
        put_str_field(jw, a->unusual_key, a->unusual_val);
    }
    if (a->nv->net_new) {
        cm_ct_network(a->cfg, a->seed, a->net_ip ? a->net_ip : &ct->source_ip, net, sizeof(net),
                      &is_asn);
        put_str_field(jw,
                      is_asn ? "unusualASNsUserIdentityProfiling"
                             : "unusualNetworksUserIdentityProfiling",
                      net);
    }
    if (a->nv->client_new) {
        put_str_field(jw, "unusualUserAgentsUserIdentityProfiling", a->nv->client);
    }
    put_str_field(jw, "isUnusualUserIdentity", "false");
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "profiledBehavior");
    cm_jw_obj_begin(jw);
    cm_buf_reset(&b);
    for (size_t i = 0; i < CM_CT_CLIENTS; i++) {
        const struct cm_ct_client *c = &a->ctx->clients[i];

        if (c->s.h != 0 && c->s.first_ms <= a->ev->time_ms - a->learn_ms) {
            if (b.len) {
                cm_buf_puts(&b, " , ");
            }
            cm_buf_puts(&b, c->name);
        }
    }
    cm_jw_key(jw, "profiledUserAgentsUserIdentityProfiling");
    cm_jw_strn(jw, b.p ? b.p : "", b.len);
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "userAgent");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "fullUserAgent");
    cm_jw_strn(jw, ct->user_agent.p ? ct->user_agent.p : "", ct->user_agent.len);
    put_str_field(jw, "userAgentCategory", a->nv->client);
    cm_jw_obj_end(jw);
    cm_buf_finish(&b);
}
