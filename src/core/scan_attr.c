/*
 * Where a record's account, region and (Resolver) VPC come from when it names none
 * (scan_impl.h, cm_scan_attribute): its CloudWatch Logs delivery, its object key, the
 * instance inventory, --region.
 */
#include "core/scan.h"

#include <string.h>

#include "base/arena.h"
#include "inventory/inventory.h"
#include "parse/cwl.h"
#include "core/scan_impl.h"

/* s (NUL-terminated), copied to the event's arena: the origin table is the next input's soon. */
static struct cm_str arena_copy(const struct reader *r, const char *s)
{
    size_t n = strlen(s);
    char *p = cm_arena_strndup(r->ctx.arena, s, n);

    return p != NULL ? cm_str_make(p, n) : CM_STR_NULL;
}

/*
 * The region the inventory gives flow record ev's interface (else its instance), or an empty
 * slice. A file or a delivery holds one interface's records in a row: the last answer is kept.
 */
static struct cm_str inventory_region(struct reader *r, const struct cm_event *ev)
{
    const struct cm_detect_config *d = r->s->o.detect.config;
    struct cm_str id = ev->u.flow.interface_id, region = CM_STR_NULL;

    if (id.len == 0 || (id.len == 1 && id.p[0] == '-')) {
        id = ev->u.flow.instance_id;
    }
    if (d == NULL || d->inventory == NULL || id.len == 0 || id.len > sizeof(r->inv_region_id)) {
        return CM_STR_NULL;
    }
    if (r->inv_region_id_len == id.len && memcmp(r->inv_region_id, id.p, id.len) == 0) {
        return r->inv_region;
    }
    (void)cm_inventory_region(d->inventory, id, &region);
    memcpy(r->inv_region_id, id.p, id.len);
    r->inv_region_id_len = id.len;
    r->inv_region = region;
    return region;
}

void cm_scan_attribute(struct reader *r, const struct cm_cwl_origin *o, struct cm_event *ev)
{
    if (o != NULL && ev->account.len == 0 && o->account[0] != '\0') {
        ev->account = arena_copy(r, o->account);
    }
    if (o != NULL && ev->kind == CM_EV_DNS && ev->u.dns.vpc_id.len == 0 && o->vpc[0] != '\0') {
        ev->u.dns.vpc_id = arena_copy(r, o->vpc);
    }
    if (ev->region.len == 0 && r->key_region.len > 0) {
        ev->region = r->key_region;
    }
    if (ev->region.len == 0 && ev->kind == CM_EV_FLOW) {
        /* No region in the record or its key (CloudWatch Logs, a renamed copy): the
         * instance's, by the inventory, before --region's. */
        ev->region = inventory_region(r, ev);
    }
    if (ev->region.len == 0 && r->s->o.default_region != NULL) {
        ev->region = cm_str_cstr(r->s->o.default_region);
    }
    if (ev->account.len == 0 && r->key_account.len > 0) {
        ev->account = r->key_account;
    }
    if (ev->kind == CM_EV_DNS && ev->u.dns.vpc_id.len == 0 && r->key_vpc.len > 0) {
        ev->u.dns.vpc_id = r->key_vpc;
    }
}
