/*
 * What the inventory answers (see inventory.h): the instanceDetails of a
 * finished Instance finding (cm_inventory_enrich), an instance's tag
 * (cm_inventory_tag) and "is this an EMR node" (cm_inventory_is_emr).
 *
 * Finding the instance: by the finding's instance id; else by its first
 * interface's ENI id; else by that interface's private address (with its
 * VPC when the finding has one), then its public address. An interface's
 * instance is the one it was attached to when the finding was last seen. An interface
 * found by address whose instance is not the one the finding names is not
 * used. Filling only ever sets absent members, so a value from the flow
 * record (the address it saw, its subnet) stays.
 */
#include "inventory/inventory_impl.h"

#include <string.h>

#include "base/err.h"

static int set(struct cm_finding *f, struct cm_str *dst, struct cm_str src)
{
    if (dst->p != NULL || src.p == NULL) {
        return 0;
    }
    return cm_finding_set(f, dst, src);
}

/* Fills the finding's interface fn from interface record c. */
static int fill_nic(struct cm_finding *f, struct cm_nic *fn, const struct inv_nic *c)
{
    int rc = 0;

    rc = rc ? rc : set(f, &fn->eni_id, c->eni);
    rc = rc ? rc : set(f, &fn->private_ip, c->private_ip);
    rc = rc ? rc : set(f, &fn->private_dns, c->private_dns);
    rc = rc ? rc : set(f, &fn->public_ip, c->public_ip);
    rc = rc ? rc : set(f, &fn->public_dns, c->public_dns);
    rc = rc ? rc : set(f, &fn->subnet_id, c->subnet);
    rc = rc ? rc : set(f, &fn->vpc_id, c->vpc);
    if (rc == 0 && fn->nsgs == 0) {
        for (uint8_t k = 0; rc == 0 && k < c->nsgs && fn->nsgs < CM_FINDING_MAX_SGS; k++) {
            struct cm_kv *kv = &fn->sgs[fn->nsgs++];
            memset(kv, 0, sizeof(*kv));
            rc = set(f, &kv->key, c->sgs[k].key);
            rc = rc ? rc : set(f, &kv->value, c->sgs[k].value);
        }
    }
    return rc;
}

static int fill_inst(struct cm_finding *f, const struct inv_inst *r)
{
    struct cm_instance *in = &f->instance;
    int rc = 0;

    rc = rc ? rc : set(f, &in->instance_id, r->id);
    rc = rc ? rc : set(f, &in->instance_type, r->type);
    rc = rc ? rc : set(f, &in->image_id, r->image);
    rc = rc ? rc : set(f, &in->launch_time, r->launch);
    rc = rc ? rc : set(f, &in->availability_zone, r->az);
    rc = rc ? rc : set(f, &in->platform, r->platform);
    rc = rc ? rc : set(f, &in->profile_arn, r->profile_arn);
    rc = rc ? rc : set(f, &in->profile_id, r->profile_id);
    if (rc == 0 && in->instance_state.p == NULL && r->state != INV_ST_NONE) {
        rc = cm_finding_setc(f, &in->instance_state, inv_state_name(r->state));
    }
    for (uint8_t k = 0; rc == 0 && k < r->ntags && in->ntags < CM_FINDING_MAX_TAGS; k++) {
        bool have = false;
        for (uint32_t j = 0; j < in->ntags && !have; j++) {
            have = cm_str_eq(in->tags[j].key, r->tags[k].key);
        }
        if (!have) {
            struct cm_kv *kv = &in->tags[in->ntags++];
            memset(kv, 0, sizeof(*kv));
            rc = set(f, &kv->key, r->tags[k].key);
            rc = rc ? rc : set(f, &kv->value, r->tags[k].value);
        }
    }
    return rc;
}

/* The finding interface's address as an IP, family NONE when absent or unreadable. */
static struct cm_ip parse_ip(struct cm_str s)
{
    struct cm_ip ip;

    memset(&ip, 0, sizeof(ip));
    if (s.p == NULL || cm_ip_parse(s, &ip) != 0) {
        ip.family = CM_IP_NONE;
    }
    return ip;
}

/*
 * The instance interface n was attached to when the finding's activity was
 * last seen (an ENI moved from one instance to another names the one that
 * had it then); its current one when nothing is known that early.
 */
static uint32_t inst_of(const struct cm_inventory *inv, uint32_t n, const struct cm_finding *f)
{
    uint32_t i = inv_nic_inst_at(inv, n, f->last_seen_ms);

    return i != INV_NONE ? i : inv->nic[n].inst;
}

/* Where the finding's first interface leads: *inst and *nic (INV_NONE when unknown). */
static void locate(const struct cm_inventory *inv, const struct cm_finding *f, uint32_t *inst,
                   uint32_t *nic)
{
    const struct cm_instance *in = &f->instance;
    const struct cm_nic *n0 = in->nnics > 0 ? &in->nics[0] : NULL;

    *inst = inv_find_inst(inv, in->instance_id);
    *nic = INV_NONE;
    if (n0 == NULL) {
        return;
    }
    *nic = inv_find_nic(inv, n0->eni_id);
    if (*nic == INV_NONE && n0->eni_id.p == NULL) {
        struct cm_ip priv = parse_ip(n0->private_ip), pub = parse_ip(n0->public_ip);
        *nic = inv_find_addr(inv, n0->vpc_id, &priv);
        if (*nic == INV_NONE) {
            *nic = inv_find_addr(inv, n0->vpc_id, &pub);
        }
        /* The finding names an instance: an address of any other (or of none) is not its. */
        if (*nic != INV_NONE && in->instance_id.p != NULL &&
            (*inst == INV_NONE || inst_of(inv, *nic, f) != *inst)) {
            *nic = INV_NONE;
        }
    }
    if (*inst == INV_NONE && *nic != INV_NONE && in->instance_id.p == NULL) {
        *inst = inst_of(inv, *nic, f);
    }
}

/* Whether the finding already lists interface record c (by ENI id). */
static bool listed(const struct cm_instance *in, const struct inv_nic *c)
{
    for (uint32_t k = 0; k < in->nnics; k++) {
        if (c->eni.p != NULL && cm_str_eq(in->nics[k].eni_id, c->eni)) {
            return true;
        }
    }
    return false;
}

/* Title and description again, now that {resource} is the instance id. */
static int expand_again(struct cm_finding *f)
{
    const struct cm_finding_type_info *ti = f->type.p ? cm_finding_type_info(f->type.p) : NULL;
    int rc;

    if (ti == NULL) {
        return 0;
    }
    rc = cm_finding_expand(f, ti->title, &f->title);
    return rc ? rc : cm_finding_expand(f, ti->description, &f->description);
}

static int enrich(const struct cm_inventory *inv, struct cm_finding *f)
{
    struct cm_instance *in = &f->instance;
    bool had_id = in->instance_id.p != NULL;
    uint32_t i, n;
    int rc = 0;

    locate(inv, f, &i, &n);
    if (i == INV_NONE && n == INV_NONE) {
        return CM_ENOTFOUND;
    }
    if (i != INV_NONE) {
        rc = fill_inst(f, &inv->inst[i]);
    }
    if (rc == 0 && n == INV_NONE && i != INV_NONE && inv->inst[i].nnics > 0 &&
        (in->nnics == 0 || (in->nics[0].eni_id.p == NULL && in->nics[0].private_ip.p == NULL &&
                            in->nics[0].public_ip.p == NULL))) {
        n = inv->inst[i].nics[0]; /* nothing to tell: the primary interface */
    }
    if (rc == 0 && n != INV_NONE) {
        if (in->nnics == 0) {
            memset(&in->nics[0], 0, sizeof(in->nics[0]));
            in->nnics = 1;
        }
        rc = fill_nic(f, &in->nics[0], &inv->nic[n]);
    }
    for (uint8_t k = 0; rc == 0 && i != INV_NONE && k < inv->inst[i].nnics; k++) {
        const struct inv_nic *c = &inv->nic[inv->inst[i].nics[k]];
        if (inv->inst[i].nics[k] == n || listed(in, c) || in->nnics >= CM_FINDING_MAX_NICS) {
            continue;
        }
        memset(&in->nics[in->nnics], 0, sizeof(in->nics[0]));
        rc = fill_nic(f, &in->nics[in->nnics++], c);
    }
    if (rc == 0 && !had_id && in->instance_id.p != NULL) {
        rc = expand_again(f);
    }
    return rc;
}

int cm_inventory_enrich(const struct cm_inventory *inv, struct cm_finding *f)
{
    int rc;

    if (f->resource_type != CM_RES_INSTANCE) {
        return CM_ENOTFOUND;
    }
    inv_lock(inv);
    rc = enrich(inv, f);
    inv_unlock(inv);
    return rc;
}

const char *cm_inventory_service(const struct cm_inventory *inv, const struct cm_finding *f)
{
    const struct cm_instance *in = &f->instance;
    const char *name = NULL;
    uint32_t n;

    if (inv == NULL || f->resource_type != CM_RES_INSTANCE || in->instance_id.p != NULL ||
        in->nnics == 0 || in->nics[0].eni_id.p == NULL) {
        return NULL;
    }
    inv_lock(inv);
    n = inv_find_nic(inv, in->nics[0].eni_id);
    if (n != INV_NONE && inv->nic[n].service != INV_SVC_NONE &&
        inv_nic_inst_at(inv, n, f->last_seen_ms) == INV_NONE && inv->nic[n].inst == INV_NONE) {
        name = inv_service_name(inv->nic[n].service);
    }
    inv_unlock(inv);
    return name;
}

int cm_inventory_tag(const struct cm_inventory *inv, struct cm_str resource, const char *key,
                     struct cm_str *value)
{
    uint32_t i, n;
    int rc = CM_ENOTFOUND;

    inv_lock(inv);
    i = inv_find_inst(inv, resource);
    if (i == INV_NONE && (n = inv_find_nic(inv, resource)) != INV_NONE) {
        i = inv->nic[n].inst;
    }
    for (uint8_t k = 0; i != INV_NONE && k < inv->inst[i].ntags; k++) {
        if (cm_str_eqc(inv->inst[i].tags[k].key, key)) {
            *value = inv->inst[i].tags[k].value;
            rc = 0;
            break;
        }
    }
    inv_unlock(inv);
    return rc;
}

/*
 * The region an availability zone is in: up to the end of the number after its first "-<digit>"
 * ("us-east-1a", "us-west-2-lax-1a", "us-gov-west-1b"); empty when it has none.
 */
static struct cm_str zone_region(struct cm_str az)
{
    size_t n = 1;

    while (n < az.len && !(az.p[n - 1] == '-' && az.p[n] >= '0' && az.p[n] <= '9')) {
        n++;
    }
    if (n >= az.len) {
        return CM_STR_NULL;
    }
    while (n < az.len && az.p[n] >= '0' && az.p[n] <= '9') {
        n++;
    }
    az.len = n;
    return cm_region_shape_ok(az) ? az : CM_STR_NULL;
}

int cm_inventory_region(const struct cm_inventory *inv, struct cm_str resource,
                        struct cm_str *region)
{
    struct cm_str r = CM_STR_NULL;
    uint32_t i, n;

    if (inv == NULL || resource.p == NULL || resource.len == 0) {
        return CM_ENOTFOUND;
    }
    inv_lock(inv);
    i = inv_find_inst(inv, resource);
    if (i == INV_NONE && (n = inv_find_nic(inv, resource)) != INV_NONE) {
        i = inv->nic[n].inst;
        for (uint8_t k = 0; i == INV_NONE && k < inv->nic[n].npast; k++) {
            i = inv->nic[n].past[k].inst;
        }
    }
    if (i != INV_NONE && inv->inst[i].az.p != NULL) {
        r = zone_region(inv->inst[i].az);
    }
    inv_unlock(inv);
    if (r.len == 0) {
        return CM_ENOTFOUND;
    }
    *region = r;
    return 0;
}

int cm_inventory_owner(const struct cm_inventory *inv, struct cm_str instance, struct cm_str *owner)
{
    uint32_t i;
    int rc = CM_ENOTFOUND;

    if (inv == NULL || instance.p == NULL || instance.len == 0) {
        return rc;
    }
    inv_lock(inv);
    i = inv_find_inst(inv, instance);
    if (i != INV_NONE && inv->inst[i].owner.p != NULL) {
        *owner = inv->inst[i].owner;
        rc = 0;
    }
    inv_unlock(inv);
    return rc;
}

int cm_inventory_addr_owner(const struct cm_inventory *inv, const struct cm_ip *ip,
                            struct cm_str *owner)
{
    uint32_t n;
    int rc = CM_ENOTFOUND;

    if (inv == NULL || ip == NULL || ip->family == CM_IP_NONE) {
        return rc;
    }
    inv_lock(inv);
    n = inv_find_addr(inv, CM_STR_NULL, ip);
    if (n != INV_NONE && inv->nic[n].inst != INV_NONE &&
        inv->inst[inv->nic[n].inst].owner.p != NULL) {
        *owner = inv->inst[inv->nic[n].inst].owner;
        rc = 0;
    }
    inv_unlock(inv);
    return rc;
}

bool cm_inventory_owns(const struct cm_inventory *inv, struct cm_str instance,
                       const struct cm_ip *ip)
{
    uint32_t n;
    bool yes = false;

    if (inv == NULL || ip == NULL || instance.p == NULL || instance.len == 0) {
        return false;
    }
    inv_lock(inv);
    n = inv_find_addr(inv, CM_STR_NULL, ip);
    if (n != INV_NONE && inv->nic[n].inst != INV_NONE) {
        yes = cm_str_eq(inv->inst[inv->nic[n].inst].id, instance);
    }
    inv_unlock(inv);
    return yes;
}

int cm_inventory_eni_side(const struct cm_inventory *inv, struct cm_str eni,
                          const struct cm_ip *src, const struct cm_ip *dst)
{
    uint32_t n;
    bool s = false, d = false;

    if (inv == NULL || eni.p == NULL || eni.len == 0 || src == NULL || dst == NULL) {
        return 0;
    }
    inv_lock(inv);
    n = inv_find_nic(inv, eni);
    if (n != INV_NONE) {
        s = inv_find_addr(inv, inv->nic[n].vpc, src) == n;
        d = inv_find_addr(inv, inv->nic[n].vpc, dst) == n;
    }
    inv_unlock(inv);
    return s == d ? 0 : (s ? 1 : -1);
}

bool cm_inventory_is_emr(void *ud, struct cm_str resource)
{
    struct cm_str v;

    return ud != NULL && cm_inventory_tag(ud, resource, CM_INVENTORY_EMR_TAG, &v) == 0;
}
