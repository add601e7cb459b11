/*
 * For the tests of the Resolver parser's two fast readers (test_resolver_canon.c,
 * tests/fuzz/fuzz_dns.c): whether two events read from the same text are the
 * same, field by field, slices by address and length.
 */
#ifndef CM_TEST_RESOLVER_SAME_H
#define CM_TEST_RESOLVER_SAME_H

#include <stdbool.h>
#include <string.h>

#include "event/event.h"

static inline bool same_slice(struct cm_str a, struct cm_str b)
{
    return a.p == b.p && a.len == b.len;
}

static inline bool resolver_same(const struct cm_event *x, const struct cm_event *y)
{
    const struct cm_dns *a = &x->u.dns, *b = &y->u.dns;

    if (x->kind != y->kind || x->time_ms != y->time_ms || !same_slice(x->account, y->account) ||
        !same_slice(x->region, y->region)) {
        return false;
    }
    if (!same_slice(a->version, b->version) || !same_slice(a->account_id, b->account_id) ||
        !same_slice(a->region, b->region) || !same_slice(a->vpc_id, b->vpc_id) ||
        !same_slice(a->query_timestamp, b->query_timestamp) ||
        !same_slice(a->query_name, b->query_name) || !same_slice(a->query_type, b->query_type) ||
        !same_slice(a->query_class, b->query_class) || !same_slice(a->rcode, b->rcode) ||
        !same_slice(a->srcaddr, b->srcaddr) || !same_slice(a->transport, b->transport) ||
        !same_slice(a->srcid_instance, b->srcid_instance) ||
        !same_slice(a->srcid_resolver_endpoint, b->srcid_resolver_endpoint) ||
        !same_slice(a->srcid_resolver_network_interface, b->srcid_resolver_network_interface) ||
        !same_slice(a->firewall_rule_action, b->firewall_rule_action) ||
        !same_slice(a->firewall_rule_group_id, b->firewall_rule_group_id) ||
        !same_slice(a->firewall_domain_list_id, b->firewall_domain_list_id)) {
        return false;
    }
    if (a->srcport != b->srcport || a->src_ip.family != b->src_ip.family ||
        memcmp(a->src_ip.a, b->src_ip.a, sizeof(a->src_ip.a)) != 0 || a->nanswers != b->nanswers ||
        a->nans != b->nans) {
        return false;
    }
    for (uint32_t k = 0; k < a->nans; k++) {
        if (!same_slice(a->ans[k].rdata, b->ans[k].rdata) || a->ans[k].type != b->ans[k].type) {
            return false;
        }
    }
    return true;
}

#endif
