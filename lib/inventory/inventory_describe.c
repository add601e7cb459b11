/*
 * The inventory file reader: the JSON `aws ec2 describe-instances` prints
 * (and the shapes --query and run-instances make of it; see
 * cm_inventory_add_describe in inventory.h). The whole buffer is parsed and
 * its shape checked first, so a file that is not an inventory adds
 * nothing; then each instance is checked, reported with its line when bad,
 * and merged.
 *
 * Members read, per instance: InstanceId, InstanceType, ImageId,
 * LaunchTime, Placement.AvailabilityZone, Platform, State.Name,
 * IamInstanceProfile.{Arn,Id}, Tags[].{Key,Value} and NetworkInterfaces[]
 * with NetworkInterfaceId, SubnetId, VpcId, PrivateIpAddress,
 * PrivateDnsName, Association.{PublicIp,PublicDnsName}, Groups[].{GroupId,
 * GroupName}, PrivateIpAddresses[].{PrivateIpAddress,Association.PublicIp},
 * Ipv6Addresses[].Ipv6Address, Ipv4Prefixes[].Ipv4Prefix,
 * Ipv6Prefixes[].Ipv6Prefix (delegated prefixes: the addresses of an EKS
 * node's pods) and Attachment.{DeviceIndex,AttachTime}. An
 * instance with no NetworkInterfaces gets one interface (without an ENI id)
 * from its top-level SubnetId, VpcId, PrivateIpAddress, PrivateDnsName,
 * PublicIpAddress, PublicDnsName and SecurityGroups.
 *
 * describe-network-interfaces output ({"NetworkInterfaces": [...]}, or its
 * interfaces in a top-level array) gives interfaces on their own: the same
 * interface members, Attachment.InstanceId (the instance it is bound to),
 * and InterfaceType, Description and RequesterManaged, which say when it is
 * a service's (NAT gateway, load balancer, Lambda, endpoint) and no
 * instance's.
 */
#include "inventory/inventory_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "event/event.h"
#include "intel/format_util.h"

#define MAX_DOCS_FIRST 4 /* room for documents before the array grows */

struct rd {
    struct cm_inventory *inv;
    const struct cm_json_doc *d;
    const struct cm_inventory_report *rep;
    size_t line_off; /* cm_line_at's position */
    uint32_t line_no;
    uint32_t reservation; /* the reservation being read (its OwnerId), or CM_JSON_NONE */
};

static uint32_t line_of(struct rd *r, uint32_t node)
{
    return cm_line_at(r->d->src, cm_json_at(r->d, node)->off, &r->line_off, &r->line_no);
}

static void bad(struct rd *r, uint32_t node, const char *reason)
{
    uint32_t line = line_of(r, node);

    r->inv->skipped++;
    if (r->rep != NULL && r->rep->bad != NULL) {
        r->rep->bad(r->rep->ud, line, reason);
    }
}

/* Reports "what: \"text\"" for node. */
static void bad_text(struct rd *r, uint32_t node, const char *what, struct cm_str text)
{
    char reason[160];

    bad(r, node, cm_intel_reason(reason, sizeof(reason), what, text));
}

static void groups(struct rd *r, uint32_t obj, const char *key, struct inv_nic_in *in)
{
    const struct cm_json_doc *d = r->d;
    struct cm_arena *s = &r->inv->scratch;
    uint32_t a = inv_list(d, obj, key);

    for (uint32_t g = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         g != CM_JSON_NONE && in->nsgs < CM_INVENTORY_MAX_SGS; g = cm_json_next(d, a, g)) {
        struct cm_str id = inv_member(d, g, "GroupId", s);
        if (id.p != NULL) {
            in->sgs[in->nsgs].key = id;
            in->sgs[in->nsgs].value = inv_member(d, g, "GroupName", s);
            in->nsgs++;
        }
    }
}

/*
 * An address member: indexed, and its canonical text kept in *canon. False
 * (reported) when it is there but not an address.
 */
static bool addr(struct rd *r, uint32_t obj, const char *key, struct inv_nic_in *in,
                 struct cm_str *canon)
{
    uint32_t v = inv_get(r->d, obj, key);
    struct cm_str s = inv_str(r->d, v, &r->inv->scratch);
    char what[64];

    if (inv_nic_addr(in, s, canon, &r->inv->scratch)) {
        return true;
    }
    snprintf(what, sizeof(what), "%s is not an IP address", key);
    bad_text(r, v, what, s);
    return false;
}

/*
 * The delegated prefixes of a list member (an EKS node's /28s, whose
 * addresses its pods use), each under field. False (reported) when one is
 * not an address with a prefix length.
 */
static bool prefixes(struct rd *r, uint32_t obj, const char *key, const char *field,
                     struct inv_nic_in *in)
{
    const struct cm_json_doc *d = r->d;
    uint32_t a = inv_list(d, obj, key);
    char what[64];

    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        uint32_t v = inv_get(d, p, field);
        struct cm_str s = inv_str(d, v, &r->inv->scratch);
        if (!inv_nic_prefix(in, s)) {
            snprintf(what, sizeof(what), "%s is not an address prefix", field);
            bad_text(r, v, what, s);
            return false;
        }
    }
    return true;
}

/* One interface: false when it was reported bad. */
static bool read_nic(struct rd *r, uint32_t o, struct inv_nic_in *in, int64_t since)
{
    const struct cm_json_doc *d = r->d;
    struct cm_arena *s = &r->inv->scratch;
    uint32_t assoc = inv_get(d, o, "Association"), att = inv_get(d, o, "Attachment"), a;
    struct cm_str t;

    memset(in, 0, sizeof(*in));
    in->eni = inv_member(d, o, "NetworkInterfaceId", s);
    if (!inv_valid_id(in->eni, "eni-")) {
        if (in->eni.p == NULL) {
            bad(r, o, "network interface without a NetworkInterfaceId");
        } else {
            bad_text(r, o, "NetworkInterfaceId is not an ENI id", in->eni);
        }
        return false;
    }
    in->subnet = inv_member(d, o, "SubnetId", s);
    in->vpc = inv_member(d, o, "VpcId", s);
    in->private_dns = inv_member(d, o, "PrivateDnsName", s);
    in->public_dns = inv_member(d, assoc, "PublicDnsName", s);
    in->device = inv_member_i32(d, att, "DeviceIndex", -1);
    in->since_ms = since;
    inv_member_time(d, att, "AttachTime", s, &t, &in->since_ms);
    if (!addr(r, o, "PrivateIpAddress", in, &in->private_ip) ||
        !addr(r, assoc, "PublicIp", in, &in->public_ip)) {
        return false;
    }
    a = inv_list(d, o, "PrivateIpAddresses");
    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        if (!addr(r, p, "PrivateIpAddress", in, NULL) ||
            !addr(r, inv_get(d, p, "Association"), "PublicIp", in, NULL)) {
            return false;
        }
    }
    a = inv_list(d, o, "Ipv6Addresses");
    for (uint32_t p = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a); p != CM_JSON_NONE;
         p = cm_json_next(d, a, p)) {
        if (!addr(r, p, "Ipv6Address", in, NULL)) {
            return false;
        }
    }
    if (!prefixes(r, o, "Ipv4Prefixes", "Ipv4Prefix", in) ||
        !prefixes(r, o, "Ipv6Prefixes", "Ipv6Prefix", in)) {
        return false;
    }
    groups(r, o, "Groups", in);
    return true;
}

/* The interface an instance without NetworkInterfaces describes at its top level. */
static int top_level_nic(struct rd *r, uint32_t o, uint32_t idx, int64_t since)
{
    const struct cm_json_doc *d = r->d;
    struct cm_arena *s = &r->inv->scratch;
    struct inv_nic_in in;

    memset(&in, 0, sizeof(in));
    in.subnet = inv_member(d, o, "SubnetId", s);
    in.vpc = inv_member(d, o, "VpcId", s);
    in.private_dns = inv_member(d, o, "PrivateDnsName", s);
    in.public_dns = inv_member(d, o, "PublicDnsName", s);
    in.device = 0;
    in.since_ms = since;
    if (!addr(r, o, "PrivateIpAddress", &in, &in.private_ip) ||
        !addr(r, o, "PublicIpAddress", &in, &in.public_ip)) {
        return 0;
    }
    groups(r, o, "SecurityGroups", &in);
    if (in.naddrs == 0 && in.subnet.p == NULL && in.vpc.p == NULL) {
        return 0; /* nothing to say */
    }
    return inv_put_nic(r->inv, &in, idx);
}

/*
 * The account that owns instance o: its reservation's OwnerId, else its first
 * interface's (what --query 'Reservations[].Instances[]' keeps); absent when
 * neither is an account id.
 */
static struct cm_str owner(struct rd *r, uint32_t o)
{
    struct cm_str id = inv_member(r->d, r->reservation, "OwnerId", &r->inv->scratch);
    uint32_t a;

    if (!cm_account_id_ok(id) && (a = inv_list(r->d, o, "NetworkInterfaces")) != CM_JSON_NONE &&
        cm_json_at(r->d, a)->len > 0) {
        id = inv_member(r->d, cm_json_first(r->d, a), "OwnerId", &r->inv->scratch);
    }
    return cm_account_id_ok(id) ? id : CM_STR_NULL;
}

static int read_instance(struct rd *r, uint32_t o)
{
    const struct cm_json_doc *d = r->d;
    struct cm_inventory *inv = r->inv;
    struct cm_arena *s = &inv->scratch;
    struct inv_inst_in in;
    struct inv_nic_in nic;
    uint32_t idx, a, profile = inv_get(d, o, "IamInstanceProfile");
    int rc;

    cm_arena_reset(s);
    if (cm_json_type(d, o) != CM_JSON_OBJECT) {
        bad(r, o, "instance is not an object");
        return 0;
    }
    memset(&in, 0, sizeof(in));
    in.id = inv_member(d, o, "InstanceId", s);
    if (!inv_valid_id(in.id, "i-")) {
        if (in.id.p == NULL) {
            bad(r, o, "instance without an InstanceId");
        } else {
            bad_text(r, o, "InstanceId is not an instance id", in.id);
        }
        return 0;
    }
    in.type = inv_member(d, o, "InstanceType", s);
    in.image = inv_member(d, o, "ImageId", s);
    in.az = inv_member(d, inv_get(d, o, "Placement"), "AvailabilityZone", s);
    in.platform = inv_member(d, o, "Platform", s);
    in.profile_arn = inv_member(d, profile, "Arn", s);
    in.profile_id = inv_member(d, profile, "Id", s);
    in.state = inv_state_from(inv_member(d, inv_get(d, o, "State"), "Name", s));
    inv_member_time(d, o, "LaunchTime", s, &in.launch, &in.since_ms);
    in.owner = owner(r, o);
    rc = inv_put_inst(inv, &in, &idx);
    if (rc == CM_EFULL) {
        return 0;
    }
    if (rc != 0) {
        return rc;
    }
    inv->loaded++;
    a = inv_list(d, o, "Tags");
    for (uint32_t t = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         rc == 0 && t != CM_JSON_NONE; t = cm_json_next(d, a, t)) {
        rc = inv_add_tag(inv, idx, inv_member(d, t, "Key", s), inv_member(d, t, "Value", s));
    }
    a = inv_list(d, o, "NetworkInterfaces");
    if (rc == 0 && (a == CM_JSON_NONE || cm_json_at(d, a)->len == 0)) {
        rc = top_level_nic(r, o, idx, in.since_ms);
    }
    for (uint32_t n = a == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(d, a);
         rc == 0 && n != CM_JSON_NONE; n = cm_json_next(d, a, n)) {
        if (read_nic(r, n, &nic, in.since_ms)) {
            rc = inv_put_nic(inv, &nic, idx);
        }
    }
    return rc == CM_EFULL ? 0 : rc;
}

/*
 * What serves interface o of describe-network-interfaces when it is no
 * instance's (inv_service_of).
 */
static uint8_t service_of(struct rd *r, uint32_t o, bool attached)
{
    const struct cm_json_doc *d = r->d;
    struct cm_arena *s = &r->inv->scratch;
    uint32_t rm = inv_get(d, o, "RequesterManaged");

    return inv_service_of(inv_member(d, o, "InterfaceType", s), inv_member(d, o, "Description", s),
                          rm != CM_JSON_NONE && cm_json_type(d, rm) == CM_JSON_TRUE, attached);
}

/*
 * One interface of describe-network-interfaces: indexed, bound to the
 * instance its Attachment.InstanceId names (made, bare, when unknown), and
 * marked with the service it belongs to when no instance can have it.
 */
static int read_eni(struct rd *r, uint32_t o)
{
    const struct cm_json_doc *d = r->d;
    struct cm_inventory *inv = r->inv;
    struct cm_arena *s = &inv->scratch;
    struct inv_nic_in nic;
    struct inv_inst_in in;
    uint32_t idx = INV_NONE;
    int rc;

    cm_arena_reset(s);
    if (cm_json_type(d, o) != CM_JSON_OBJECT) {
        bad(r, o, "network interface is not an object");
        return 0;
    }
    memset(&in, 0, sizeof(in));
    in.id = inv_member(d, inv_get(d, o, "Attachment"), "InstanceId", s);
    if (in.id.p != NULL && !inv_valid_id(in.id, "i-")) {
        bad_text(r, o, "Attachment.InstanceId is not an instance id", in.id);
        return 0;
    }
    if (!read_nic(r, o, &nic, 0)) {
        return 0;
    }
    nic.service = service_of(r, o, in.id.p != NULL);
    if (in.id.p != NULL) {
        in.owner = inv_member(d, o, "OwnerId", s);
        in.owner = cm_account_id_ok(in.owner) ? in.owner : CM_STR_NULL;
        rc = inv_put_inst(inv, &in, &idx);
        if (rc != 0) {
            return rc == CM_EFULL ? 0 : rc;
        }
    }
    inv->loaded_nics++;
    rc = inv_put_nic(inv, &nic, idx);
    return rc == CM_EFULL ? 0 : rc;
}

static int read_enis(struct rd *r, uint32_t arr)
{
    int rc = 0;

    for (uint32_t i = cm_json_first(r->d, arr); rc == 0 && i != CM_JSON_NONE;
         i = cm_json_next(r->d, arr, i)) {
        rc = read_eni(r, i);
    }
    return rc;
}

static int read_instances(struct rd *r, uint32_t arr)
{
    int rc = 0;

    for (uint32_t i = cm_json_first(r->d, arr); rc == 0 && i != CM_JSON_NONE;
         i = cm_json_next(r->d, arr, i)) {
        rc = read_instance(r, i);
    }
    return rc;
}

/* An element of a top-level array: a reservation, an instance, or an array of instances. */
static int read_element(struct rd *r, uint32_t e)
{
    const struct cm_json_doc *d = r->d;
    uint32_t a = inv_get(d, e, "Instances");

    int rc;

    if (a != CM_JSON_NONE && cm_json_type(d, a) == CM_JSON_ARRAY) {
        r->reservation = e;
        rc = read_instances(r, a);
        r->reservation = CM_JSON_NONE;
        return rc;
    }
    if (cm_json_type(d, e) == CM_JSON_ARRAY) {
        return read_instances(r, e);
    }
    if (inv_get(d, e, "InstanceId") == CM_JSON_NONE &&
        inv_get(d, e, "NetworkInterfaceId") != CM_JSON_NONE) {
        return read_eni(r, e); /* --query 'NetworkInterfaces[]' */
    }
    return read_instance(r, e);
}

/*
 * What a document is: 'R' reservations, 'I' one reservation, 'i' one
 * instance, 'N' describe-network-interfaces, 'A' an array.
 */
static int shape(const struct cm_json_doc *d, uint32_t root)
{
    uint32_t v;

    if (cm_json_type(d, root) == CM_JSON_ARRAY) {
        return 'A';
    }
    if ((v = inv_get(d, root, "Reservations")) != CM_JSON_NONE) {
        return cm_json_type(d, v) == CM_JSON_ARRAY ? 'R' : 0;
    }
    if ((v = inv_get(d, root, "Instances")) != CM_JSON_NONE) {
        return cm_json_type(d, v) == CM_JSON_ARRAY ? 'I' : 0;
    }
    if (inv_get(d, root, "InstanceId") != CM_JSON_NONE) {
        return 'i';
    }
    v = inv_get(d, root, "NetworkInterfaces");
    return v != CM_JSON_NONE && cm_json_type(d, v) == CM_JSON_ARRAY ? 'N' : 0;
}

static int read_doc(struct rd *r, uint32_t root)
{
    const struct cm_json_doc *d = r->d;
    uint32_t a;
    int rc = 0;

    switch (shape(d, root)) {
    case 'R':
        a = inv_get(d, root, "Reservations");
        for (uint32_t e = cm_json_first(d, a); rc == 0 && e != CM_JSON_NONE;
             e = cm_json_next(d, a, e)) {
            uint32_t in = inv_get(d, e, "Instances");
            if (in == CM_JSON_NONE || cm_json_type(d, in) != CM_JSON_ARRAY) {
                bad(r, e, "reservation without an Instances array");
                continue;
            }
            r->reservation = e;
            rc = read_instances(r, in);
            r->reservation = CM_JSON_NONE;
        }
        return rc;
    case 'I':
        r->reservation = root;
        rc = read_instances(r, inv_get(d, root, "Instances"));
        r->reservation = CM_JSON_NONE;
        return rc;
    case 'i':
        return read_instance(r, root);
    case 'N':
        return read_enis(r, inv_get(d, root, "NetworkInterfaces"));
    default:
        for (uint32_t e = cm_json_first(d, root); rc == 0 && e != CM_JSON_NONE;
             e = cm_json_next(d, root, e)) {
            rc = read_element(r, e);
        }
        return rc;
    }
}

static size_t skip_space(const char *buf, size_t len, size_t i)
{
    while (i < len && cm_is_space(buf[i])) {
        i++;
    }
    return i;
}

/* Parses every document of buf into d, their roots into *roots. */
static int parse_all(struct cm_json_doc *d, const char *buf, size_t len, uint32_t **roots,
                     size_t *nroots, struct cm_diag *diag)
{
    size_t cap = 0, pos = 0, end;
    uint32_t root;
    int rc;

    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        pos = 3;
    }
    cm_json_doc_begin(d, buf, len);
    while ((pos = skip_space(buf, len, pos)) < len) {
        rc = cm_json_parse_at(d, pos, &end, &root, diag);
        if (rc != 0) {
            return rc;
        }
        if (shape(d, root) == 0) {
            cm_diag_set(diag, pos,
                        "no \"Reservations\", \"Instances\" or \"NetworkInterfaces\" array");
            return CM_EINVAL;
        }
        rc = cm_grow((void **)roots, &cap, *nroots + 1, sizeof(**roots), MAX_DOCS_FIRST);
        if (rc != 0) {
            return rc;
        }
        (*roots)[(*nroots)++] = root;
        pos = end;
    }
    if (*nroots == 0) {
        cm_diag_set(diag, pos, "no JSON document");
        return CM_EINVAL;
    }
    return 0;
}

int cm_inventory_add_describe(struct cm_inventory *inv, const char *buf, size_t len,
                              const struct cm_inventory_report *rep, struct cm_diag *diag)
{
    struct cm_json_doc d;
    struct rd r;
    uint32_t *roots = NULL;
    size_t nroots = 0;
    int rc;

    cm_diag_clear(diag);
    if (len >= UINT32_MAX) {
        cm_diag_set(diag, 0, "inventory of 4 GiB or more");
        return CM_E2BIG;
    }
    cm_json_doc_init(&d, 0, 0);
    rc = parse_all(&d, buf, len, &roots, &nroots, diag);
    if (rc != 0) {
        if (rc != CM_ENOMEM) {
            if (diag != NULL) {
                size_t lo = 0;
                uint32_t ln = 1;
                diag->line = cm_line_at(buf, diag->offset < len ? diag->offset : len, &lo, &ln);
            }
            rc = rc == CM_E2BIG ? rc : CM_EINVAL;
        }
        goto out;
    }
    memset(&r, 0, sizeof(r));
    r.inv = inv;
    r.d = &d;
    r.rep = rep;
    r.line_no = 1;
    r.reservation = CM_JSON_NONE;
    inv_lock(inv);
    for (size_t i = 0; rc == 0 && i < nroots; i++) {
        rc = read_doc(&r, roots[i]);
    }
    cm_arena_reset(&inv->scratch);
    inv_unlock(inv);
out:
    cm_free(roots);
    cm_json_doc_finish(&d);
    return rc;
}
