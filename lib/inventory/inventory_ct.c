/*
 * The inventory's CloudTrail reader and the detector that feeds it (see
 * inventory.h). Successful ec2.amazonaws.com calls only:
 *
 *   RunInstances            responseElements.instancesSet.items[]: instanceId,
 *                           instanceType, imageId, launchTime (ms), placement.
 *                           availabilityZone, platform, instanceState.name,
 *                           iamInstanceProfile.{arn,id}, tagSet.items[].{key,value},
 *                           networkInterfaceSet.items[] (as below, plus
 *                           attachment.{deviceIndex,attachTime}); without
 *                           interfaces, the top-level subnetId, vpcId,
 *                           privateIpAddress, ipAddress, groupSet
 *   CreateNetworkInterface  responseElements.networkInterface: networkInterfaceId,
 *                           subnetId, vpcId, privateIpAddress, privateDnsName,
 *                           association.{publicIp,publicDnsName},
 *                           groupSet.items[].{groupId,groupName},
 *                           privateIpAddressesSet.item[].privateIpAddress,
 *                           ipv6AddressesSet.item[].ipv6Address,
 *                           ipv4PrefixSet.item[].ipv4Prefix,
 *                           ipv6PrefixSet.item[].ipv6Prefix (delegated prefixes);
 *                           interfaceType, description, requesterManaged: a
 *                           service's interface (a Lambda function's, ...)
 *   CreateNatGateway        responseElements (or its CreateNatGatewayResponse)
 *                           .natGateway: vpcId, subnetId, natGatewayAddressSet
 *                           (items, item, or the one item as an object)
 *                           .{networkInterfaceId,privateIp,publicIp}: the
 *                           gateway's interfaces, no instance's
 *   AttachNetworkInterface  requestParameters.{networkInterfaceId,instanceId,deviceIndex}
 *   AssignPrivateIpAddresses responseElements (or its AssignPrivateIpAddressesResponse):
 *                           networkInterfaceId (else requestParameters'),
 *                           assignedPrivateIpAddressesSet[].privateIpAddress,
 *                           assignedIpv4PrefixSet[].ipv4Prefix (the list as items,
 *                           item or the set's one array member), and
 *                           requestParameters.privateIpAddressesSet[].privateIpAddress:
 *                           an interface's new secondary addresses and prefixes
 *   TerminateInstances, StopInstances, StartInstances
 *                           responseElements.instancesSet.items[].{instanceId,
 *                           currentState.name}
 *
 * Any other record is dismissed by comparing its error code, source and
 * name, before the lock. A record without what its call should carry (a
 * missing id, an address that is not one) contributes what it has: a bad
 * interface is dropped, the rest kept.
 */
#include "inventory/inventory_impl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"

enum call { C_NONE = 0, C_RUN, C_CREATE_NIC, C_CREATE_NAT, C_ATTACH, C_ASSIGN, C_STATE };

struct call_name {
    const char *name;
    enum call call;
};

static const struct call_name calls[] = {
    {"RunInstances", C_RUN},
    {"CreateNetworkInterface", C_CREATE_NIC},
    {"CreateNatGateway", C_CREATE_NAT},
    {"AttachNetworkInterface", C_ATTACH},
    {"AssignPrivateIpAddresses", C_ASSIGN},
    {"TerminateInstances", C_STATE},
    {"StopInstances", C_STATE},
    {"StartInstances", C_STATE},
};

static enum call which(const struct cm_ct *ct)
{
    if (ct->error_code.p != NULL || !cm_str_eqc(ct->event_source, "ec2.amazonaws.com") ||
        ct->doc == NULL) {
        return C_NONE;
    }
    for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
        if (cm_str_eqc(ct->event_name, calls[i].name)) {
            return calls[i].call;
        }
    }
    return C_NONE;
}

static void groups(const struct cm_json_doc *d, uint32_t obj, struct cm_arena *s,
                   struct inv_nic_in *in)
{
    uint32_t a = inv_list(d, obj, "groupSet");

    for (uint32_t g = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         g != CM_JSON_NONE && in->nsgs < CM_INVENTORY_MAX_SGS; g = cm_json_next(d, a, g)) {
        struct cm_str id = inv_member(d, g, "groupId", s);
        if (id.p != NULL) {
            in->sgs[in->nsgs].key = id;
            in->sgs[in->nsgs].value = inv_member(d, g, "groupName", s);
            in->nsgs++;
        }
    }
}

/* Addresses of a list member, each under field; false when one is not an address. */
static bool addr_list(const struct cm_json_doc *d, uint32_t obj, const char *key, const char *field,
                      struct cm_arena *s, struct inv_nic_in *in)
{
    uint32_t a = inv_list(d, obj, key);

    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        if (!inv_nic_addr(in, inv_member(d, p, field, s), NULL, s) ||
            !inv_nic_addr(in, inv_member(d, inv_get(d, p, "association"), "publicIp", s), NULL,
                          s)) {
            return false;
        }
    }
    return true;
}

/* Delegated prefixes of a list member, each under field; false when one is not a prefix. */
static bool prefix_list(const struct cm_json_doc *d, uint32_t obj, const char *key,
                        const char *field, struct cm_arena *s, struct inv_nic_in *in)
{
    uint32_t a = inv_list(d, obj, key);

    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        if (!inv_nic_prefix(in, inv_member(d, p, field, s))) {
            return false;
        }
    }
    return true;
}

/* A networkInterfaceSet item or CreateNetworkInterface's networkInterface; false: unusable. */
static bool read_nic(const struct cm_json_doc *d, uint32_t o, struct cm_arena *s, int64_t since,
                     struct inv_nic_in *in)
{
    uint32_t assoc = inv_get(d, o, "association"), att = inv_get(d, o, "attachment");
    struct cm_str t;

    memset(in, 0, sizeof(*in));
    in->eni = inv_member(d, o, "networkInterfaceId", s);
    if (!inv_valid_id(in->eni, "eni-")) {
        return false;
    }
    in->subnet = inv_member(d, o, "subnetId", s);
    in->vpc = inv_member(d, o, "vpcId", s);
    in->private_dns = inv_member(d, o, "privateDnsName", s);
    in->public_dns = inv_member(d, assoc, "publicDnsName", s);
    in->device = inv_member_i32(d, att, "deviceIndex", -1);
    in->since_ms = since;
    inv_member_time(d, att, "attachTime", s, &t, &in->since_ms);
    groups(d, o, s, in);
    return inv_nic_addr(in, inv_member(d, o, "privateIpAddress", s), &in->private_ip, s) &&
           inv_nic_addr(in, inv_member(d, assoc, "publicIp", s), &in->public_ip, s) &&
           addr_list(d, o, "privateIpAddressesSet", "privateIpAddress", s, in) &&
           addr_list(d, o, "ipv6AddressesSet", "ipv6Address", s, in) &&
           prefix_list(d, o, "ipv4PrefixSet", "ipv4Prefix", s, in) &&
           prefix_list(d, o, "ipv6PrefixSet", "ipv6Prefix", s, in);
}

/* The one interface a RunInstances item without networkInterfaceSet describes. */
static int top_level_nic(struct cm_inventory *inv, const struct cm_json_doc *d, uint32_t o,
                         uint32_t idx, int64_t since)
{
    struct cm_arena *s = &inv->scratch;
    struct inv_nic_in in;

    memset(&in, 0, sizeof(in));
    in.subnet = inv_member(d, o, "subnetId", s);
    in.vpc = inv_member(d, o, "vpcId", s);
    in.private_dns = inv_member(d, o, "privateDnsName", s);
    in.public_dns = inv_member(d, o, "dnsName", s);
    in.device = 0;
    in.since_ms = since;
    groups(d, o, s, &in);
    if (!inv_nic_addr(&in, inv_member(d, o, "privateIpAddress", s), &in.private_ip, s) ||
        !inv_nic_addr(&in, inv_member(d, o, "ipAddress", s), &in.public_ip, s) ||
        (in.naddrs == 0 && in.subnet.p == NULL && in.vpc.p == NULL)) {
        return 0;
    }
    return inv_put_nic(inv, &in, idx);
}

static int run_item(struct cm_inventory *inv, const struct cm_json_doc *d, uint32_t o,
                    int64_t time_ms)
{
    struct cm_arena *s = &inv->scratch;
    uint32_t profile = inv_get(d, o, "iamInstanceProfile"), idx, a;
    struct inv_inst_in in;
    struct inv_nic_in nic;
    int rc;

    memset(&in, 0, sizeof(in));
    in.id = inv_member(d, o, "instanceId", s);
    if (!inv_valid_id(in.id, "i-")) {
        return 0;
    }
    in.type = inv_member(d, o, "instanceType", s);
    in.image = inv_member(d, o, "imageId", s);
    in.az = inv_member(d, inv_get(d, o, "placement"), "availabilityZone", s);
    in.platform = inv_member(d, o, "platform", s);
    in.profile_arn = inv_member(d, profile, "arn", s);
    in.profile_id = inv_member(d, profile, "id", s);
    in.state = inv_state_from(inv_member(d, inv_get(d, o, "instanceState"), "name", s));
    in.since_ms = time_ms;
    inv_member_time(d, o, "launchTime", s, &in.launch, &in.since_ms);
    rc = inv_put_inst(inv, &in, &idx);
    if (rc != 0) {
        return rc == CM_EFULL ? 0 : rc;
    }
    a = inv_list(d, o, "tagSet");
    for (uint32_t t = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         rc == 0 && t != CM_JSON_NONE; t = cm_json_next(d, a, t)) {
        rc = inv_add_tag(inv, idx, inv_member(d, t, "key", s), inv_member(d, t, "value", s));
    }
    a = inv_list(d, o, "networkInterfaceSet");
    if (rc == 0 && (a == CM_JSON_NONE || cm_json_at(d, a)->len == 0)) {
        rc = top_level_nic(inv, d, o, idx, in.since_ms);
    }
    for (uint32_t n = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         rc == 0 && n != CM_JSON_NONE; n = cm_json_next(d, a, n)) {
        if (read_nic(d, n, s, in.since_ms, &nic)) {
            rc = inv_put_nic(inv, &nic, idx);
        }
    }
    return rc == CM_EFULL ? 0 : rc;
}

/*
 * The elements of a list member of obj: what inv_list finds (an array, or its
 * "items" / "item"), else the first array member of obj[key] (CloudTrail
 * names some lists after their type: "assignedPrivateIpAddressSetType").
 */
static uint32_t any_list(const struct cm_json_doc *d, uint32_t obj, const char *key)
{
    uint32_t a = inv_list(d, obj, key), v;

    if (a != CM_JSON_NONE || (v = inv_get(d, obj, key)) == CM_JSON_NONE ||
        cm_json_type(d, v) != CM_JSON_OBJECT) {
        return a;
    }
    for (uint32_t m = cm_json_first(d, v); m != CM_JSON_NONE; m = cm_json_next(d, v, m)) {
        if (cm_json_type(d, m) == CM_JSON_ARRAY) {
            return m;
        }
    }
    return CM_JSON_NONE;
}

/* Adds the field of each element of list member key of obj; false when one is not valid. */
static bool assigned(const struct cm_json_doc *d, uint32_t obj, const char *key, const char *field,
                     bool prefix, struct cm_arena *s, struct inv_nic_in *in)
{
    uint32_t a = any_list(d, obj, key);

    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        struct cm_str v = inv_member(d, p, field, s);
        if (prefix ? !inv_nic_prefix(in, v) : !inv_nic_addr(in, v, NULL, s)) {
            return false;
        }
    }
    return true;
}

/*
 * AssignPrivateIpAddresses (how the EKS VPC CNI gives a node's interface
 * its pods' secondary addresses, or /28 prefixes, after the launch): the
 * interface and what was assigned, from responseElements (or its
 * AssignPrivateIpAddressesResponse) and the addresses requestParameters
 * asked for by name.
 */
static int assign(struct cm_inventory *inv, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_json_doc *d = ct->doc;
    struct cm_arena *s = &inv->scratch;
    uint32_t re = ct->response_elements, rp = ct->request_parameters;
    uint32_t w = inv_get(d, re, "AssignPrivateIpAddressesResponse");
    struct inv_nic_in in;
    int rc;

    if (w != CM_JSON_NONE) {
        re = w;
    }
    memset(&in, 0, sizeof(in));
    in.eni = inv_member(d, re, "networkInterfaceId", s);
    if (in.eni.p == NULL) {
        in.eni = inv_member(d, rp, "networkInterfaceId", s);
    }
    in.device = -1;
    in.since_ms = ev->time_ms;
    if (!inv_valid_id(in.eni, "eni-") ||
        !assigned(d, re, "assignedPrivateIpAddressesSet", "privateIpAddress", false, s, &in) ||
        !assigned(d, re, "assignedIpv4PrefixSet", "ipv4Prefix", true, s, &in) ||
        !assigned(d, rp, "privateIpAddressesSet", "privateIpAddress", false, s, &in) ||
        (in.naddrs == 0 && in.npfx == 0)) {
        return 0;
    }
    rc = inv_put_nic(inv, &in, INV_NONE);
    return rc == CM_EFULL ? 0 : rc;
}

/* One address entry o of a NAT gateway gw (CreateNatGateway): its interface, the gateway's. */
static int nat_address(struct cm_inventory *inv, const struct cm_event *ev, uint32_t gw, uint32_t o)
{
    const struct cm_json_doc *d = ev->u.ct.doc;
    struct cm_arena *s = &inv->scratch;
    struct inv_nic_in in;
    int rc;

    memset(&in, 0, sizeof(in));
    in.eni = inv_member(d, o, "networkInterfaceId", s);
    if (!inv_valid_id(in.eni, "eni-")) {
        return 0;
    }
    in.vpc = inv_member(d, gw, "vpcId", s);
    in.subnet = inv_member(d, gw, "subnetId", s);
    in.device = -1;
    in.since_ms = ev->time_ms;
    in.service = INV_SVC_NAT;
    if (!inv_nic_addr(&in, inv_member(d, o, "privateIp", s), &in.private_ip, s) ||
        !inv_nic_addr(&in, inv_member(d, o, "publicIp", s), &in.public_ip, s)) {
        return 0;
    }
    rc = inv_put_nic(inv, &in, INV_NONE);
    return rc == CM_EFULL ? 0 : rc;
}

/* The interfaces a NAT gateway was made with (CreateNatGateway). */
static int nat_gateway(struct cm_inventory *inv, const struct cm_event *ev)
{
    const struct cm_json_doc *d = ev->u.ct.doc;
    uint32_t re = ev->u.ct.response_elements, gw, one, a;
    int rc = 0;

    if (inv_get(d, re, "CreateNatGatewayResponse") != CM_JSON_NONE) {
        re = inv_get(d, re, "CreateNatGatewayResponse");
    }
    gw = inv_get(d, re, "natGateway");
    a = inv_list(d, gw, "natGatewayAddressSet");
    one = inv_get(d, inv_get(d, gw, "natGatewayAddressSet"), "item");
    if (a == CM_JSON_NONE && one != CM_JSON_NONE && cm_json_type(d, one) == CM_JSON_OBJECT) {
        return nat_address(inv, ev, gw, one); /* the one item: {"item": {...}} */
    }
    for (uint32_t i = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         rc == 0 && i != CM_JSON_NONE; i = cm_json_next(d, a, i)) {
        rc = nat_address(inv, ev, gw, i);
    }
    return rc;
}

static int take(struct cm_inventory *inv, const struct cm_event *ev, enum call call)
{
    const struct cm_ct *ct = &ev->u.ct;
    const struct cm_json_doc *d = ct->doc;
    struct cm_arena *s = &inv->scratch;
    struct inv_nic_in nic;
    uint32_t a;
    int rc = 0;

    switch (call) {
    case C_RUN:
        a = inv_list(d, ct->response_elements, "instancesSet");
        for (uint32_t i = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
             rc == 0 && i != CM_JSON_NONE; i = cm_json_next(d, a, i)) {
            rc = run_item(inv, d, i, ev->time_ms);
        }
        return rc;
    case C_CREATE_NIC:
        a = inv_get(d, ct->response_elements, "networkInterface");
        if (read_nic(d, a, s, ev->time_ms, &nic)) {
            uint32_t rm = inv_get(d, a, "requesterManaged");
            nic.service = inv_service_of(
                inv_member(d, a, "interfaceType", s), inv_member(d, a, "description", s),
                rm != CM_JSON_NONE && cm_json_type(d, rm) == CM_JSON_TRUE, false);
            rc = inv_put_nic(inv, &nic, INV_NONE);
        }
        return rc == CM_EFULL ? 0 : rc;
    case C_CREATE_NAT:
        return nat_gateway(inv, ev);
    case C_ATTACH: {
        uint32_t rp = ct->request_parameters;
        struct cm_str eni = inv_member(d, rp, "networkInterfaceId", s);
        struct cm_str id = inv_member(d, rp, "instanceId", s);
        if (inv_valid_id(eni, "eni-") && inv_valid_id(id, "i-")) {
            rc = inv_attach(inv, eni, id, inv_member_i32(d, rp, "deviceIndex", -1), ev->time_ms);
        }
        return rc == CM_EFULL ? 0 : rc;
    }
    case C_ASSIGN:
        return assign(inv, ev);
    case C_STATE:
        a = inv_list(d, ct->response_elements, "instancesSet");
        for (uint32_t i = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); i != CM_JSON_NONE;
             i = cm_json_next(d, a, i)) {
            struct cm_str st = inv_member(d, inv_get(d, i, "currentState"), "name", s);
            inv_set_state(inv, inv_member(d, i, "instanceId", s), inv_state_from(st));
        }
        return 0;
    case C_NONE:
        break;
    }
    return 0;
}

int cm_inventory_observe(struct cm_inventory *inv, const struct cm_event *ev)
{
    enum call call;
    int rc;

    if (ev->kind != CM_EV_CLOUDTRAIL || (call = which(&ev->u.ct)) == C_NONE) {
        return 0;
    }
    inv_lock(inv);
    rc = take(inv, ev, call);
    inv->observed++;
    cm_arena_reset(&inv->scratch);
    inv_unlock(inv);
    return rc;
}

/* ---- the detector ---- */

struct feed {
    const struct cm_detect_config *cfg; /* borrowed from the engine's options */
};

static const char *const types[] = {NULL}; /* it never emits */

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct feed *f = cm_calloc(1, sizeof(*f));

    if (f == NULL) {
        return CM_ENOMEM;
    }
    f->cfg = opts ? opts->config : NULL;
    *state = f;
    return 0;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    const struct feed *f = state;

    (void)sink;
    if (f->cfg == NULL || f->cfg->inventory == NULL) {
        return 0;
    }
    return cm_inventory_observe(f->cfg->inventory, ev);
}

static void finish(void *state)
{
    cm_free(state);
}

const struct cm_detector cm_detector_inventory_ct = {
    .name = "inventory-cloudtrail",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = init,
    .on_event = on_event,
    .on_tick = NULL,
    .finish = finish,
    .state_stats = NULL,
};
