/*
 * Helpers on the normalized event: kind names, the userIdentity type enum and
 * the entity key that owns detector state (DESIGN.md §4). The entity key is a
 * printable string so the same bytes can be a Kafka partition key; its hash
 * picks the worker shard.
 */
#include "event/event.h"

#include <string.h>

#include "base/hash.h"

const char *cm_event_kind_name(enum cm_event_kind k)
{
    switch (k) {
    case CM_EV_CLOUDTRAIL:
        return "cloudtrail";
    case CM_EV_FLOW:
        return "vpcflow";
    case CM_EV_DNS:
        return "dns";
    case CM_EV_NONE:
        break;
    }
    return "none";
}

struct uid_name {
    const char *name;
    enum cm_uid_type type;
};

static const struct uid_name uid_names[] = {
    {"Root", CM_UID_ROOT},
    {"IAMUser", CM_UID_IAMUSER},
    {"AssumedRole", CM_UID_ASSUMEDROLE},
    {"Role", CM_UID_ROLE},
    {"FederatedUser", CM_UID_FEDERATEDUSER},
    {"Directory", CM_UID_DIRECTORY},
    {"AWSAccount", CM_UID_AWSACCOUNT},
    {"AWSService", CM_UID_AWSSERVICE},
    {"IdentityCenterUser", CM_UID_IDENTITYCENTERUSER},
    {"SAMLUser", CM_UID_SAMLUSER},
    {"WebIdentityUser", CM_UID_WEBIDENTITYUSER},
    {"Unknown", CM_UID_UNKNOWN},
};

enum cm_uid_type cm_uid_type_from(struct cm_str s)
{
    for (size_t i = 0; i < sizeof(uid_names) / sizeof(uid_names[0]); i++) {
        if (cm_str_eqc(s, uid_names[i].name)) {
            return uid_names[i].type;
        }
    }
    return CM_UID_UNKNOWN;
}

/* Appends s to out[*n..), keeping the NUL-terminated truncation rule. */
static void put(char *out, size_t outlen, size_t *n, struct cm_str s)
{
    if (*n < outlen && s.len) {
        size_t room = outlen - 1 - *n;
        size_t k = s.len < room ? s.len : room;
        memcpy(out + *n, s.p, k);
    }
    *n += s.len;
}

static struct cm_str first_present(struct cm_str a, struct cm_str b, struct cm_str c)
{
    if (a.len) {
        return a;
    }
    if (b.len) {
        return b;
    }
    return c;
}

static void key_parts(const struct cm_event *ev, struct cm_str part[3])
{
    part[0] = ev->account;
    part[1] = CM_STR_NULL;
    part[2] = CM_STR_NULL;
    switch (ev->kind) {
    case CM_EV_CLOUDTRAIL:
        /*
         * The account whose trail logged the call: the CloudTrail detectors
         * keep account-wide state (the password policy, trail buckets, which
         * addresses people call from), so one account's calls meet in one
         * shard. The caller's account when the record names no recipient.
         */
        if (ev->account.len == 0) {
            part[0] = ev->u.ct.uid.account_id;
        }
        break;
    case CM_EV_FLOW:
        part[1] = first_present(ev->u.flow.interface_id, ev->u.flow.instance_id, CM_STR_NULL);
        if (part[1].len == 0) {
            part[1] = cm_flow_field(&ev->u.flow, CM_FF_SRCADDR);
        }
        break;
    case CM_EV_DNS:
        if (ev->u.dns.srcid_instance.len) {
            part[1] = ev->u.dns.srcid_instance;
        } else {
            part[1] = ev->u.dns.vpc_id;
            part[2] = ev->u.dns.srcaddr;
        }
        break;
    case CM_EV_NONE:
        break;
    }
}

size_t cm_event_entity_key(const struct cm_event *ev, char *out, size_t outlen)
{
    static const char sep[] = "/";
    struct cm_str part[3];
    size_t n = 0;

    key_parts(ev, part);
    put(out, outlen, &n, cm_str_cstr(cm_event_kind_name(ev->kind)));
    for (int i = 0; i < 3; i++) {
        if (i > 0 && part[i].len == 0) {
            break;
        }
        put(out, outlen, &n, cm_str_make(sep, 1));
        put(out, outlen, &n, part[i]);
    }
    if (outlen) {
        out[n < outlen ? n : outlen - 1] = '\0';
    }
    return n;
}

uint64_t cm_event_entity_hash(const struct cm_event *ev, uint64_t seed)
{
    struct cm_str part[3];
    uint64_t h[3];

    /*
     * The parts are hashed independently (the CPU overlaps the three) and
     * combined; building the key string first costs more than the hashing.
     */
    key_parts(ev, part);
    for (int i = 0; i < 3; i++) {
        h[i] = cm_hash64(part[i].p ? part[i].p : "", part[i].len, seed + (uint64_t)i);
    }
    return cm_hash_mix64(h[0] ^ ((h[1] << 21) | (h[1] >> 43)) ^ ((h[2] << 42) | (h[2] >> 22)) ^
                         (uint64_t)ev->kind);
}

/* Fixed: event keys are stored, so the seed may never change. */
#define EVENT_KEY_SEED 0x6576656e746b6579ULL

static uint64_t key_add(uint64_t h, struct cm_str s, uint64_t tag)
{
    uint64_t v = cm_hash64(s.p ? s.p : "", s.len, EVENT_KEY_SEED + tag);

    return cm_hash_mix64((h ^ v) * 0x9e3779b97f4a7c15ULL + (s.p ? 1 : 0));
}

static uint64_t key_num(uint64_t h, int64_t v)
{
    return cm_hash_mix64((h ^ (uint64_t)v) * 0xbf58476d1ce4e5b9ULL);
}

uint64_t cm_event_key(const struct cm_event *ev)
{
    uint64_t h = cm_hash_mix64(EVENT_KEY_SEED ^ (uint64_t)ev->kind);

    switch (ev->kind) {
    case CM_EV_CLOUDTRAIL: {
        const struct cm_ct *ct = &ev->u.ct;
        if (cm_str_present(ct->event_id)) {
            return key_add(h, ct->event_id, 1);
        }
        h = key_num(h, ev->time_ms);
        h = key_add(h, ct->event_source, 2);
        h = key_add(h, ct->event_name, 3);
        h = key_add(h, ct->uid.principal_id, 4);
        h = key_add(h, ct->uid.access_key_id, 5);
        h = key_add(h, ct->uid.arn, 6);
        h = key_add(h, ct->source_ip_address, 7);
        return key_add(h, ev->account, 8);
    }
    case CM_EV_FLOW: {
        const struct cm_flow *fl = &ev->u.flow;
        if (fl->present != 0) {
            for (unsigned i = 0; i < CM_FF_COUNT; i++) {
                if (fl->present & (1ULL << i)) {
                    h = key_add(h, cm_flow_field(fl, (enum cm_flow_field)i), 16 + i);
                }
            }
            return h;
        }
        /* Built without its raw text (not by the parser): the typed fields. */
        h = key_add(h, ev->account, 1);
        h = key_add(h, fl->interface_id, 2);
        h = key_add(h, fl->instance_id, 3);
        h = key_add(h, (struct cm_str){(const char *)&fl->src, sizeof(fl->src)}, 4);
        h = key_add(h, (struct cm_str){(const char *)&fl->dst, sizeof(fl->dst)}, 5);
        h = key_num(h, ((int64_t)fl->srcport << 32) ^ fl->dstport);
        h = key_num(h, ((int64_t)fl->protocol << 8) ^ (int64_t)fl->action);
        h = key_num(h, (int64_t)fl->packets);
        h = key_num(h, (int64_t)fl->bytes);
        h = key_num(h, fl->start);
        return key_num(h, fl->end ^ ev->time_ms);
    }
    case CM_EV_DNS: {
        const struct cm_dns *d = &ev->u.dns;
        h = key_add(h, d->query_timestamp, 1);
        h = key_add(h, d->srcaddr, 2);
        h = key_num(h, d->srcport);
        h = key_add(h, d->srcid_from == CM_DNS_SRCID_LOGGED ? d->srcid_instance : CM_STR_NULL, 3);
        h = key_add(h, d->vpc_id, 4);
        h = key_add(h, d->query_name, 5);
        h = key_add(h, d->query_type, 6);
        h = key_add(h, d->query_class, 7);
        h = key_add(h, d->transport, 8);
        h = key_add(h, d->rcode, 9);
        return key_add(h, ev->account, 10);
    }
    default:
        return key_num(h, ev->time_ms);
    }
}

bool cm_account_id_ok(struct cm_str s)
{
    if (s.p == NULL || s.len != 12) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return true;
}

bool cm_region_shape_ok(struct cm_str s)
{
    if (s.p == NULL || s.len < 3 || s.len > 32) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
              s.p[i] == '-')) {
            return false;
        }
    }
    return true;
}

bool cm_region_name_ok(struct cm_str s)
{
    size_t i = 0, word = 0, words = 0;

    if (!cm_region_shape_ok(s)) {
        return false;
    }
    /* words of letters, each followed by a dash */
    for (; i < s.len && !(s.p[i] >= '0' && s.p[i] <= '9'); i++) {
        if (s.p[i] == '-') {
            if (word == 0 || (words == 0 && word < 2)) {
                return false;
            }
            words++;
            word = 0;
        } else {
            word++;
        }
    }
    /* then the number, after at least two words */
    if (words < 2 || word != 0 || i == s.len) {
        return false;
    }
    for (; i < s.len; i++) {
        if (s.p[i] < '0' || s.p[i] > '9') {
            return false;
        }
    }
    return true;
}

const char *cm_region_partition(struct cm_str region)
{
    static const struct {
        const char *prefix, *partition;
    } parts[] = {
        {"cn-", "aws-cn"},         {"us-gov-", "aws-us-gov"}, {"us-iso-", "aws-iso"},
        {"us-isob-", "aws-iso-b"}, {"eu-isoe-", "aws-iso-e"}, {"us-isof-", "aws-iso-f"},
        {"eusc-", "aws-eusc"},
    };

    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t n = strlen(parts[i].prefix);

        if (region.p != NULL && region.len > n && memcmp(region.p, parts[i].prefix, n) == 0) {
            return parts[i].partition;
        }
    }
    return "aws";
}

void cm_ct_init(struct cm_ct *ct)
{
    memset(ct, 0, sizeof(*ct));
    ct->read_only = -1;
    ct->management_event = -1;
    ct->uid.node = CM_JSON_NONE;
    ct->uid.session_context = CM_JSON_NONE;
    ct->request_parameters = CM_JSON_NONE;
    ct->response_elements = CM_JSON_NONE;
    ct->additional_event_data = CM_JSON_NONE;
    ct->resources = CM_JSON_NONE;
    ct->tls_details = CM_JSON_NONE;
    ct->service_event_details = CM_JSON_NONE;
}

struct cm_str cm_ct_bucket(const struct cm_ct *ct, struct cm_arena *a)
{
    uint32_t n;

    if (ct->doc == NULL || ct->request_parameters == CM_JSON_NONE) {
        return CM_STR_NULL;
    }
    n = cm_json_get(ct->doc, ct->request_parameters, "bucketName");
    if (n == CM_JSON_NONE || cm_json_type(ct->doc, n) != CM_JSON_STRING) {
        return CM_STR_NULL;
    }
    return cm_json_str(ct->doc, n, a);
}
