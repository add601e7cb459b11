/*
 * JSON reading helpers of the inventory readers (see inventory_impl.h):
 * members by name, strings unescaped into a scratch arena and bounded,
 * CloudTrail's {"items": [...]} lists, times as milliseconds or ISO text,
 * ids and addresses checked.
 */
#include "inventory/inventory_impl.h"

#include <string.h>

#include "base/err.h"
#include "base/time.h"

#define ID_MAX 40 /* characters after the prefix: AWS ids have 8 or 17 */

uint32_t inv_get(const struct cm_json_doc *d, uint32_t obj, const char *key)
{
    if (obj == CM_JSON_NONE || cm_json_type(d, obj) != CM_JSON_OBJECT) {
        return CM_JSON_NONE;
    }
    return cm_json_get(d, obj, key);
}

struct cm_str inv_str(const struct cm_json_doc *d, uint32_t i, struct cm_arena *scratch)
{
    struct cm_str s;

    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING ||
        cm_json_at(d, i)->len > CM_INVENTORY_MAX_STR * 6) {
        return CM_STR_NULL;
    }
    s = cm_json_str(d, i, scratch);
    if (s.p == NULL || s.len == 0 || s.len > CM_INVENTORY_MAX_STR) {
        return CM_STR_NULL;
    }
    return s;
}

struct cm_str inv_member(const struct cm_json_doc *d, uint32_t obj, const char *key,
                         struct cm_arena *scratch)
{
    return inv_str(d, inv_get(d, obj, key), scratch);
}

int32_t inv_member_i32(const struct cm_json_doc *d, uint32_t obj, const char *key, int32_t def)
{
    uint32_t i = inv_get(d, obj, key);
    int64_t v;

    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_NUMBER || cm_json_i64(d, i, &v) != 0 ||
        v < INT32_MIN || v > INT32_MAX) {
        return def;
    }
    return (int32_t)v;
}

bool inv_member_time(const struct cm_json_doc *d, uint32_t obj, const char *key,
                     struct cm_arena *scratch, struct cm_str *text, int64_t *ms)
{
    uint32_t i = inv_get(d, obj, key);
    int64_t v;
    char *buf;
    size_t n;

    if (i == CM_JSON_NONE) {
        return false;
    }
    if (cm_json_type(d, i) == CM_JSON_NUMBER) {
        /* CloudTrail: milliseconds; years 1970 to 9999 only. */
        if (cm_json_i64(d, i, &v) != 0 || v < 0 || v > 253402300799999LL) {
            return false;
        }
    } else if (cm_json_type(d, i) != CM_JSON_STRING ||
               cm_time_parse_iso(inv_str(d, i, scratch), &v) != 0 || v < 0 ||
               v > 253402300799999LL) {
        return false;
    }
    buf = cm_arena_alloc(scratch, 32);
    if (buf == NULL) {
        return false;
    }
    n = cm_time_format_iso(v, buf, 32);
    *text = cm_str_make(buf, n);
    *ms = v;
    return true;
}

uint32_t inv_list(const struct cm_json_doc *d, uint32_t obj, const char *key)
{
    uint32_t v = inv_get(d, obj, key), a;

    if (v == CM_JSON_NONE) {
        return CM_JSON_NONE;
    }
    if (cm_json_type(d, v) == CM_JSON_ARRAY) {
        return v;
    }
    a = inv_get(d, v, "items");
    if (a == CM_JSON_NONE) {
        a = inv_get(d, v, "item");
    }
    return a != CM_JSON_NONE && cm_json_type(d, a) == CM_JSON_ARRAY ? a : CM_JSON_NONE;
}

bool inv_valid_id(struct cm_str s, const char *prefix)
{
    size_t n = strlen(prefix);

    if (!cm_str_starts(s, prefix) || s.len <= n || s.len - n > ID_MAX) {
        return false;
    }
    for (size_t i = n; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

bool inv_nic_addr(struct inv_nic_in *in, struct cm_str s, struct cm_str *canon,
                  struct cm_arena *scratch)
{
    struct cm_ip ip;
    char *buf;

    if (s.p == NULL) {
        return true;
    }
    if (cm_ip_parse(s, &ip) != 0) {
        return false;
    }
    for (uint32_t k = 0; k < in->naddrs; k++) {
        if (cm_ip_eq(&in->addrs[k], &ip)) {
            goto text;
        }
    }
    if (in->naddrs < CM_INVENTORY_MAX_ADDRS) {
        in->addrs[in->naddrs++] = ip;
    }
text:
    if (canon != NULL && canon->p == NULL && (buf = cm_arena_alloc(scratch, 64)) != NULL) {
        *canon = cm_str_make(buf, cm_ip_format(&ip, buf, 64));
    }
    return true;
}

bool inv_nic_prefix(struct inv_nic_in *in, struct cm_str s)
{
    struct cm_ip net;
    unsigned plen;

    if (s.p == NULL) {
        return true;
    }
    if (memchr(s.p, '/', s.len) == NULL || cm_cidr_parse(s, &net, &plen) != 0) {
        return false;
    }
    for (uint32_t k = 0; k < in->npfx; k++) {
        if (in->pfx_len[k] == plen && cm_ip_eq(&in->pfx[k], &net)) {
            return true;
        }
    }
    if (in->npfx < CM_INVENTORY_MAX_PREFIXES) {
        in->pfx[in->npfx] = net;
        in->pfx_len[in->npfx++] = (uint8_t)plen;
    }
    return true;
}

/* Interface types an instance's interface has; any other is a service's (nat_gateway, ...). */
static const char *const INSTANCE_TYPES[] = {"interface", "efa", "efa-only", "trunk", "branch"};

static bool starts(struct cm_str s, const char *prefix)
{
    size_t n = strlen(prefix);

    return s.p != NULL && s.len >= n && memcmp(s.p, prefix, n) == 0;
}

uint8_t inv_service_of(struct cm_str type, struct cm_str desc, bool requester_managed,
                       bool attached)
{
    bool ordinary = type.p == NULL;

    for (size_t k = 0; !ordinary && k < sizeof(INSTANCE_TYPES) / sizeof(INSTANCE_TYPES[0]); k++) {
        ordinary = cm_str_eqc(type, INSTANCE_TYPES[k]);
    }
    if (!ordinary) {
        if (cm_str_eqc(type, "nat_gateway")) {
            return INV_SVC_NAT;
        }
        if (cm_str_eqc(type, "network_load_balancer") ||
            cm_str_eqc(type, "gateway_load_balancer") || cm_str_eqc(type, "load_balancer")) {
            return INV_SVC_ELB;
        }
        if (cm_str_eqc(type, "lambda")) {
            return INV_SVC_LAMBDA;
        }
        if (cm_str_eqc(type, "vpc_endpoint") ||
            cm_str_eqc(type, "gateway_load_balancer_endpoint")) {
            return INV_SVC_ENDPOINT;
        }
        return INV_SVC_OTHER;
    }
    if (attached) {
        return INV_SVC_NONE;
    }
    if (starts(desc, "ELB ")) {
        return INV_SVC_ELB;
    }
    if (starts(desc, "AWS Lambda VPC ")) {
        return INV_SVC_LAMBDA;
    }
    return requester_managed ? INV_SVC_OTHER : INV_SVC_NONE;
}
