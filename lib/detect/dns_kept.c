/*
 * A query kept for a report made later (dns_kept.h): the fields a finding
 * and its event key take, packed into one fixed-size value of a detector's
 * state table, and the event rebuilt from them. No I/O, no allocation.
 */
#include "detect/dns_kept.h"

#include <stddef.h>
#include <string.h>

#include "detect/ckpt.h"

/* The strings of q kept, in enum rec_field's order (the name apart). */
static void fields(const struct cm_event *ev, struct cm_str *f)
{
    const struct cm_dns *q = &ev->u.dns;

    f[RF_ACCOUNT] = ev->account;
    f[RF_REGION] = ev->region;
    f[RF_VPC] = q->vpc_id;
    f[RF_ACCOUNT_ID] = q->account_id;
    f[RF_TIMESTAMP] = q->query_timestamp;
    f[RF_TYPE] = q->query_type;
    f[RF_CLASS] = q->query_class;
    f[RF_RCODE] = q->rcode;
    f[RF_SRCADDR] = q->srcaddr;
    f[RF_TRANSPORT] = q->transport;
    f[RF_FIREWALL] = q->firewall_rule_action;
    f[RF_NAME] = q->query_name;
}

void cm_dns_kept_set(struct cm_dns_kept *r, const struct cm_event *ev, struct cm_str dom)
{
    struct cm_str f[RF_COUNT];
    size_t n = 0;

    fields(ev, f);
    for (int i = 0; i < RF_NAME; i++) {
        size_t k = f[i].p == NULL ? 0 : f[i].len < REC_FIELD_MAX ? f[i].len : REC_FIELD_MAX;

        k = n + k <= REC_TEXT - CM_DOMAIN_MAX ? k : 0; /* the name keeps its room */
        if (k > 0) {
            memcpy(r->text + n, f[i].p, k); /* an absent field: p may be NULL */
        }
        r->len[i] = (uint16_t)k;
        n += k;
    }
    /* A name too long as text (raw bytes written \DDD): its registered domain, which fits. */
    f[RF_NAME] = f[RF_NAME].len <= REC_TEXT - n ? f[RF_NAME] : dom;
    r->len[RF_NAME] = 0;
    if (f[RF_NAME].p != NULL && f[RF_NAME].len > 0 && f[RF_NAME].len <= REC_TEXT - n) {
        memcpy(r->text + n, f[RF_NAME].p, f[RF_NAME].len);
        r->len[RF_NAME] = (uint16_t)f[RF_NAME].len;
    }
    r->time_ms = ev->time_ms;
    r->src = ev->src;
    r->src_ip = ev->u.dns.src_ip;
    r->srcport = ev->u.dns.srcport;
}

bool cm_dns_kept_event(const struct cm_dns_kept *r, struct cm_str inst, struct cm_event *ev)
{
    struct cm_str f[RF_COUNT];
    size_t n = 0;

    if (r->time_ms == INT64_MIN) {
        return false;
    }
    for (int i = 0; i < RF_COUNT; i++) {
        f[i] = r->len[i] > 0 ? cm_str_make(r->text + n, r->len[i]) : CM_STR_NULL;
        n += r->len[i];
    }
    memset(ev, 0, offsetof(struct cm_event, u) + offsetof(struct cm_dns, ans));
    ev->kind = CM_EV_DNS;
    ev->time_ms = r->time_ms;
    ev->account = f[RF_ACCOUNT];
    ev->region = f[RF_REGION];
    ev->src = r->src;
    ev->u.dns.vpc_id = f[RF_VPC];
    ev->u.dns.account_id = f[RF_ACCOUNT_ID];
    ev->u.dns.region = f[RF_REGION];
    ev->u.dns.query_timestamp = f[RF_TIMESTAMP];
    ev->u.dns.query_type = f[RF_TYPE];
    ev->u.dns.query_class = f[RF_CLASS];
    ev->u.dns.rcode = f[RF_RCODE];
    ev->u.dns.srcaddr = f[RF_SRCADDR];
    ev->u.dns.transport = f[RF_TRANSPORT];
    ev->u.dns.firewall_rule_action = f[RF_FIREWALL];
    ev->u.dns.query_name = f[RF_NAME];
    ev->u.dns.src_ip = r->src_ip;
    ev->u.dns.srcport = r->srcport;
    ev->u.dns.srcid_instance = inst;
    return true;
}

bool cm_dns_kept_valid(const struct cm_dns_kept *r)
{
    size_t n = 0;

    if (r->time_ms == INT64_MIN) {
        return true;
    }
    if (!cm_ckpt_time_set(r->time_ms) || !cm_ckpt_ip_ok(&r->src_ip)) {
        return false;
    }
    for (int i = 0; i < RF_COUNT; i++) {
        if (r->len[i] > (i == RF_NAME ? REC_TEXT : REC_FIELD_MAX)) {
            return false;
        }
        n += r->len[i];
    }
    return n <= REC_TEXT;
}

void cm_dns_kept_refs(struct cm_dns_kept *k, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    if (k->time_ms != INT64_MIN) {
        fn(fud, &k->src);
    }
}
