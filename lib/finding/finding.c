/*
 * The finding model's lifecycle, string ownership, enum names, severity
 * labels and the deterministic identity (cm_finding_id). The identity hashes
 * a length-prefixed encoding of (account, region, type, resource, actor) with
 * two fixed seeds, so the same security issue always gets the same 32-hex id
 * on every run and host (cm_hash64 reads words in host order; every supported
 * target is little-endian).
 */
#include "finding/finding.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/hash.h"

#define ID_SEED_HI    0x636f616c6d696e65ULL /* "coalmine" */
#define ID_SEED_LO    0x66696e64696e6731ULL /* "finding1" */
#define ARENA_CHUNK   2048
#define ARENA_MAX     (256u * 1024u)
#define ID_FIELDS_MAX 5

static void tri_unset(int8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = CM_TRI_UNSET;
    }
}

static void port_unset(struct cm_port *p)
{
    p->port = -1;
}

void cm_finding_init(struct cm_finding *f)
{
    memset(f, 0, sizeof(*f));
    cm_arena_init(&f->arena, ARENA_CHUNK, ARENA_MAX);
    f->api.remote_affiliated = CM_TRI_UNSET;
    f->net.blocked = CM_TRI_UNSET;
    f->dns.blocked = CM_TRI_UNSET;
    f->probe.blocked = CM_TRI_UNSET;
    port_unset(&f->net.local_port);
    port_unset(&f->net.remote_port);
    for (size_t i = 0; i < CM_FINDING_MAX_BUCKETS; i++) {
        tri_unset(f->buckets[i].perm, CM_S3P_COUNT);
    }
}

void cm_finding_reset(struct cm_finding *f)
{
    struct cm_arena keep = f->arena;

    cm_arena_reset(&keep);
    cm_finding_init(f);
    f->arena = keep; /* the memory stays for the next finding */
}

void cm_finding_finish(struct cm_finding *f)
{
    cm_arena_finish(&f->arena);
    f->probe.probes = NULL;
    f->probe.nprobes = 0;
}

int cm_finding_set(struct cm_finding *f, struct cm_str *dst, struct cm_str src)
{
    char *p;

    if (src.p == NULL) {
        *dst = CM_STR_NULL;
        return 0;
    }
    if (src.len > CM_FINDING_MAX_STR) {
        return CM_E2BIG;
    }
    p = cm_arena_strndup(&f->arena, src.p, src.len);
    if (p == NULL) {
        return CM_ENOMEM;
    }
    *dst = cm_str_make(p, src.len);
    return 0;
}

int cm_finding_setc(struct cm_finding *f, struct cm_str *dst, const char *src)
{
    return cm_finding_set(f, dst, cm_str_cstr(src));
}

static int copy_remote(struct cm_finding *f, struct cm_remote_ip *d, const struct cm_remote_ip *s)
{
    int rc = 0;

    d->has_geo = s->has_geo;
    d->lat = s->lat;
    d->lon = s->lon;
    rc |= cm_finding_set(f, &d->ipv4, s->ipv4);
    rc |= cm_finding_set(f, &d->ipv6, s->ipv6);
    rc |= cm_finding_set(f, &d->asn, s->asn);
    rc |= cm_finding_set(f, &d->asn_org, s->asn_org);
    rc |= cm_finding_set(f, &d->isp, s->isp);
    rc |= cm_finding_set(f, &d->org, s->org);
    rc |= cm_finding_set(f, &d->country_code, s->country_code);
    rc |= cm_finding_set(f, &d->country_name, s->country_name);
    rc |= cm_finding_set(f, &d->city, s->city);
    return rc ? CM_ENOMEM : 0;
}

int cm_finding_add_probe(struct cm_finding *f, const struct cm_probe *p)
{
    struct cm_probe *d;
    int rc = 0;

    if (f->probe.nprobes >= CM_FINDING_MAX_PROBES) {
        return CM_EFULL;
    }
    if (f->probe.probes == NULL) {
        f->probe.probes =
            cm_arena_alloc(&f->arena, CM_FINDING_MAX_PROBES * sizeof(*f->probe.probes));
        if (f->probe.probes == NULL) {
            return CM_ENOMEM;
        }
    }
    d = &f->probe.probes[f->probe.nprobes];
    memset(d, 0, sizeof(*d));
    d->local_port.port = p->local_port.port;
    rc |= cm_finding_set(f, &d->local_port.name, p->local_port.name);
    rc |= cm_finding_set(f, &d->local_ip.ipv4, p->local_ip.ipv4);
    rc |= cm_finding_set(f, &d->local_ip.ipv6, p->local_ip.ipv6);
    rc |= copy_remote(f, &d->remote_ip, &p->remote_ip);
    if (rc != 0) {
        return CM_ENOMEM;
    }
    f->probe.nprobes++;
    return 0;
}

const char *cm_action_type_name(enum cm_action_type a)
{
    switch (a) {
    case CM_ACT_AWS_API_CALL:
        return "AWS_API_CALL";
    case CM_ACT_NETWORK_CONNECTION:
        return "NETWORK_CONNECTION";
    case CM_ACT_DNS_REQUEST:
        return "DNS_REQUEST";
    case CM_ACT_PORT_PROBE:
        return "PORT_PROBE";
    case CM_ACT_NONE:
        break;
    }
    return NULL;
}

const char *cm_resource_type_name(enum cm_resource_type r)
{
    switch (r) {
    case CM_RES_INSTANCE:
        return "Instance";
    case CM_RES_ACCESS_KEY:
        return "AccessKey";
    case CM_RES_S3_BUCKET:
        return "S3Bucket";
    case CM_RES_NONE:
        break;
    }
    return NULL;
}

const char *cm_role_name(enum cm_role r)
{
    switch (r) {
    case CM_ROLE_TARGET:
        return "TARGET";
    case CM_ROLE_ACTOR:
        return "ACTOR";
    case CM_ROLE_NONE:
        break;
    }
    return NULL;
}

const char *cm_conn_dir_name(enum cm_conn_dir d)
{
    switch (d) {
    case CM_DIR_INBOUND:
        return "INBOUND";
    case CM_DIR_OUTBOUND:
        return "OUTBOUND";
    case CM_DIR_UNKNOWN:
        return "UNKNOWN";
    case CM_DIR_NONE:
        break;
    }
    return NULL;
}

const char *cm_severity_label(double severity)
{
    if (severity < 4.0) {
        return "Low";
    }
    if (severity < 7.0) {
        return "Medium";
    }
    if (severity < 9.0) {
        return "High";
    }
    return "Critical";
}

double cm_finding_default_severity(const struct cm_finding_type_info *ti, enum cm_role role)
{
    if (ti == NULL) {
        return 0.0;
    }
    if (role == CM_ROLE_ACTOR && ti->severity_actor > 0.0) {
        return ti->severity_actor;
    }
    return ti->severity;
}

static void put_field(uint8_t *buf, size_t *n, struct cm_str s)
{
    uint32_t len = (uint32_t)s.len;

    buf[(*n)++] = (uint8_t)(len & 0xff);
    buf[(*n)++] = (uint8_t)((len >> 8) & 0xff);
    buf[(*n)++] = (uint8_t)((len >> 16) & 0xff);
    buf[(*n)++] = (uint8_t)(len >> 24);
    if (s.len) {
        memcpy(buf + *n, s.p, s.len);
        *n += s.len;
    }
}

int cm_finding_id(struct cm_str account, struct cm_str region, struct cm_str type,
                  struct cm_str resource, struct cm_str actor, char out[CM_FINDING_ID_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    const struct cm_str fields[ID_FIELDS_MAX] = {account, region, type, resource, actor};
    uint8_t *buf;
    size_t total = 0, n = 0;
    uint64_t h[2];

    for (size_t i = 0; i < ID_FIELDS_MAX; i++) {
        if (fields[i].len > CM_FINDING_MAX_STR) {
            return CM_EINVAL;
        }
        total += 4 + fields[i].len;
    }
    buf = cm_malloc(total);
    if (buf == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < ID_FIELDS_MAX; i++) {
        put_field(buf, &n, fields[i]);
    }
    h[0] = cm_hash64(buf, n, ID_SEED_HI);
    h[1] = cm_hash64(buf, n, ID_SEED_LO);
    cm_free(buf);
    for (size_t i = 0; i < CM_FINDING_ID_LEN; i++) {
        uint64_t w = h[i / 16];
        out[i] = hex[(w >> (60 - 4 * (i % 16))) & 0xf];
    }
    out[CM_FINDING_ID_LEN] = '\0';
    return 0;
}

/*
 * The caller an AccessKey finding is about: its access key, else its principal,
 * else its user name, else its identity type, the first that is not empty.
 * AWSService, IdentityCenterUser and Unknown identities have no key and often no
 * principal id (or "principalId": ""); before 2026-12-05 they all had the same
 * empty identity, so calls of an AWS service, an Identity Center user and an
 * unknown user from one Tor exit were one finding that named none of them.
 */
static struct cm_str caller_of(const struct cm_finding *f)
{
    const struct cm_str *const order[] = {&f->access_key.access_key_id, &f->access_key.principal_id,
                                          &f->access_key.user_name, &f->access_key.user_type};

    for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
        if (order[i]->len > 0) { /* "principalId": "" names no one */
            return *order[i];
        }
    }
    return CM_STR_NULL;
}

int cm_finding_identity(const struct cm_finding *f, struct cm_str *resource, struct cm_str *actor)
{
    const struct cm_finding_type_info *ti = NULL;
    char tname[128];

    *resource = CM_STR_NULL;
    *actor = CM_STR_NULL;
    if (f->type.len > 0 && f->type.len < sizeof(tname)) {
        memcpy(tname, f->type.p, f->type.len);
        tname[f->type.len] = '\0';
        ti = cm_finding_type_info(tname);
    }
    switch (f->resource_type) {
    case CM_RES_INSTANCE:
        *resource = f->instance.instance_id;
        if (!cm_str_present(*resource) && f->instance.nnics > 0) {
            *resource = f->instance.nics[0].eni_id;
        }
        break;
    case CM_RES_ACCESS_KEY:
        *resource = caller_of(f);
        break;
    case CM_RES_S3_BUCKET:
        *resource = f->nbuckets > 0 ? f->buckets[0].name : CM_STR_NULL;
        break;
    case CM_RES_NONE:
        break;
    }
    if (ti != NULL && (ti->identity & CM_FID_ROLE)) {
        *actor = cm_str_cstr(cm_role_name(f->role));
    } else if (ti != NULL && (ti->identity & CM_FID_CALLER)) {
        *actor = caller_of(f);
    } else if (ti != NULL && (ti->identity & CM_FID_BUCKET)) {
        *actor = f->nbuckets > 0 ? f->buckets[0].name : CM_STR_NULL;
    }
    return cm_str_present(*resource) ? 0 : CM_ENOTFOUND;
}

int cm_finding_make_arn(struct cm_finding *f)
{
    struct cm_buf b;
    int rc;

    cm_buf_init(&b, CM_FINDING_MAX_STR);
    rc = cm_buf_puts(&b, "arn:");
    rc = rc ? rc : cm_buf_append(&b, f->partition.p, f->partition.len);
    rc = rc ? rc : cm_buf_puts(&b, ":guardduty:");
    rc = rc ? rc : cm_buf_append(&b, f->region.p, f->region.len);
    rc = rc ? rc : cm_buf_putc(&b, ':');
    rc = rc ? rc : cm_buf_append(&b, f->account_id.p, f->account_id.len);
    rc = rc ? rc : cm_buf_puts(&b, ":detector/");
    rc = rc ? rc : cm_buf_append(&b, f->detector_id.p, f->detector_id.len);
    rc = rc ? rc : cm_buf_puts(&b, "/finding/");
    rc = rc ? rc : cm_buf_puts(&b, f->id);
    rc = rc ? rc : cm_finding_set(f, &f->arn, cm_str_make(b.p, b.len));
    cm_buf_finish(&b);
    return rc;
}

/* a < b: byte order, a prefix first. */
static bool str_less(struct cm_str a, struct cm_str b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n ? memcmp(a.p, b.p, n) : 0;

    return c < 0 || (c == 0 && a.len < b.len);
}

int cm_finding_associate(struct cm_finding *f, struct cm_str seq_arn, bool *changed)
{
    int rc = CM_OK;
    bool set = cm_str_present(seq_arn) &&
               (!cm_str_present(f->sequence_arn) || str_less(seq_arn, f->sequence_arn));

    if (set) {
        rc = cm_finding_set(f, &f->sequence_arn, seq_arn);
    }
    if (changed != NULL) {
        *changed = set && rc == CM_OK;
    }
    return rc;
}

static struct cm_str remote_of(const struct cm_finding *f)
{
    const struct cm_remote_ip *r = NULL;

    switch (f->action_type) {
    case CM_ACT_AWS_API_CALL:
        if (!cm_str_present(f->api.remote_ip.ipv4) && !cm_str_present(f->api.remote_ip.ipv6)) {
            return f->api.domain;
        }
        r = &f->api.remote_ip;
        break;
    case CM_ACT_NETWORK_CONNECTION:
        r = &f->net.remote_ip;
        break;
    case CM_ACT_PORT_PROBE:
        r = f->probe.nprobes ? &f->probe.probes[0].remote_ip : NULL;
        break;
    case CM_ACT_DNS_REQUEST:
    case CM_ACT_NONE:
        break;
    }
    if (r == NULL) {
        return CM_STR_NULL;
    }
    return cm_str_present(r->ipv4) ? r->ipv4 : r->ipv6;
}

static struct cm_str placeholder(const struct cm_finding *f, struct cm_str name)
{
    struct cm_str res, actor;

    if (cm_str_eqc(name, "resource")) {
        cm_finding_identity(f, &res, &actor);
        return res;
    }
    if (cm_str_eqc(name, "remote")) {
        return remote_of(f);
    }
    if (cm_str_eqc(name, "api")) {
        return f->api.api;
    }
    if (cm_str_eqc(name, "domain")) {
        return f->dns.domain;
    }
    if (cm_str_eqc(name, "bucket")) {
        return f->nbuckets ? f->buckets[0].name : CM_STR_NULL;
    }
    if (cm_str_eqc(name, "user")) {
        return cm_str_present(f->access_key.user_name) ? f->access_key.user_name
                                                       : f->access_key.principal_id;
    }
    return CM_STR_NULL;
}

int cm_finding_expand(struct cm_finding *f, const char *tmpl, struct cm_str *out)
{
    struct cm_buf b;
    const char *p = tmpl;
    int rc = 0;

    cm_buf_init(&b, CM_FINDING_MAX_STR);
    while (rc == 0 && *p != '\0') {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        if (close == NULL) {
            rc = cm_buf_putc(&b, *p++);
            continue;
        }
        struct cm_str v = placeholder(f, cm_str_make(p + 1, (size_t)(close - p - 1)));
        if (cm_str_present(v) && v.len > 0) {
            rc = cm_buf_append(&b, v.p, v.len);
        } else {
            rc = cm_buf_puts(&b, "unknown");
        }
        p = close + 1;
    }
    rc = rc ? rc : cm_finding_set(f, out, cm_str_make(b.p ? b.p : "", b.len));
    cm_buf_finish(&b);
    return rc;
}
