/*
 * The instance of a Resolver query whose record names none (see inventory.h,
 * cm_inventory_dns_attribute): by its source address in its VPC.
 */
#include "inventory/inventory_impl.h"

/* The instance at (vpc, ip) no later than time_ms, or CM_STR_NULL. Caller holds the lock. */
static struct cm_str instance_at(const struct cm_inventory *inv, struct cm_str vpc,
                                 const struct cm_ip *ip, int64_t time_ms)
{
    uint32_t n = inv_find_addr(inv, vpc, ip), i;
    const struct inv_nic *c;

    if (n == INV_NONE) {
        return CM_STR_NULL;
    }
    c = &inv->nic[n];
    /* inv_find_addr takes an interface of unknown VPC: here the VPC must be the record's. */
    if (c->vpc.p == NULL || !cm_str_eq(c->vpc, vpc)) {
        return CM_STR_NULL;
    }
    /*
     * The instance it was attached to at the query (an ENI moved since: the earlier one);
     * none when it was bound after the query (the address was someone else's then, or
     * nobody's we know).
     */
    i = time_ms == 0 && c->since_ms != 0 ? INV_NONE : inv_nic_inst_at(inv, n, time_ms);
    return i != INV_NONE ? inv->inst[i].id : CM_STR_NULL;
}

enum cm_dns_srcid cm_inventory_dns_attribute(const struct cm_inventory *inv, struct cm_event *ev)
{
    struct cm_dns *q = &ev->u.dns;
    struct cm_str id = CM_STR_NULL;

    if (ev->kind != CM_EV_DNS || q->srcid_instance.len > 0) {
        return CM_DNS_SRCID_LOGGED;
    }
    if (q->srcid_resolver_endpoint.len > 0 || q->srcid_resolver_network_interface.len > 0) {
        q->srcid_from = CM_DNS_SRCID_ENDPOINT;
        return CM_DNS_SRCID_ENDPOINT;
    }
    if (inv != NULL && q->vpc_id.len > 0 && q->vpc_id.len <= CM_INVENTORY_MAX_STR &&
        q->src_ip.family != CM_IP_NONE) {
        inv_lock(inv);
        id = instance_at(inv, q->vpc_id, &q->src_ip, ev->time_ms);
        inv_unlock(inv);
    }
    if (id.p == NULL || id.len == 0) {
        q->srcid_from = CM_DNS_SRCID_UNKNOWN;
        return CM_DNS_SRCID_UNKNOWN;
    }
    q->srcid_instance = id;
    q->srcid_from = CM_DNS_SRCID_INVENTORY;
    return CM_DNS_SRCID_INVENTORY;
}
