/*
 * Reads a finding back from its API (or event) JSON form into a struct
 * cm_finding: the inverse of finding_json.c for every member the model keeps,
 * so API JSON -> struct -> API JSON is the identity for coalmine's own
 * output. Members the model does not keep (other features' details, derived
 * privateIpAddresses[], expanded additionalInfo keys) are ignored; strings
 * are unescaped and copied into the finding's arena.
 */
#include "finding/serialize.h"

#include <string.h>

#include "base/err.h"
#include "base/time.h"

struct rd {
    struct cm_finding *f;
    const struct cm_json_doc *d;
    int err; /* sticky */
};

static uint32_t child(const struct rd *r, uint32_t obj, const char *key, enum cm_json_type t)
{
    uint32_t n = obj == CM_JSON_NONE ? CM_JSON_NONE : cm_json_get(r->d, obj, key);

    return n != CM_JSON_NONE && cm_json_type(r->d, n) == t ? n : CM_JSON_NONE;
}

static void gstr(struct rd *r, uint32_t obj, const char *key, struct cm_str *dst)
{
    uint32_t n = child(r, obj, key, CM_JSON_STRING);
    struct cm_str s;
    int rc;

    if (n == CM_JSON_NONE || r->err != 0) {
        return;
    }
    s = cm_json_str(r->d, n, &r->f->arena);
    rc = s.p == NULL ? CM_ENOMEM : cm_finding_set(r->f, dst, s);
    if (rc != 0) {
        r->err = rc;
    }
}

static void gtri(struct rd *r, uint32_t obj, const char *key, int8_t *dst)
{
    uint32_t n = obj == CM_JSON_NONE ? CM_JSON_NONE : cm_json_get(r->d, obj, key);

    if (n != CM_JSON_NONE && cm_json_type(r->d, n) == CM_JSON_TRUE) {
        *dst = CM_TRI_TRUE;
    } else if (n != CM_JSON_NONE && cm_json_type(r->d, n) == CM_JSON_FALSE) {
        *dst = CM_TRI_FALSE;
    }
}

static int64_t gint(const struct rd *r, uint32_t obj, const char *key, int64_t dflt)
{
    uint32_t n = child(r, obj, key, CM_JSON_NUMBER);
    int64_t v;

    return n != CM_JSON_NONE && cm_json_i64(r->d, n, &v) == 0 ? v : dflt;
}

static bool gf64(const struct rd *r, uint32_t obj, const char *key, double *out)
{
    uint32_t n = child(r, obj, key, CM_JSON_NUMBER);

    return n != CM_JSON_NONE && cm_json_f64(r->d, n, out) == 0;
}

static int64_t gtime(struct rd *r, uint32_t obj, const char *key)
{
    uint32_t n = child(r, obj, key, CM_JSON_STRING);
    int64_t ms = 0;

    if (n != CM_JSON_NONE && cm_time_parse_iso(cm_json_raw(r->d, n), &ms) != 0) {
        r->err = r->err ? r->err : CM_EINVAL;
    }
    return ms;
}

static void rd_remote(struct rd *r, uint32_t obj, struct cm_remote_ip *ip)
{
    uint32_t org = child(r, obj, "organization", CM_JSON_OBJECT);
    uint32_t cty = child(r, obj, "country", CM_JSON_OBJECT);
    uint32_t geo = child(r, obj, "geoLocation", CM_JSON_OBJECT);

    if (obj == CM_JSON_NONE) {
        return;
    }
    gstr(r, obj, "ipAddressV4", &ip->ipv4);
    gstr(r, obj, "ipAddressV6", &ip->ipv6);
    gstr(r, org, "asn", &ip->asn);
    gstr(r, org, "asnOrg", &ip->asn_org);
    gstr(r, org, "isp", &ip->isp);
    gstr(r, org, "org", &ip->org);
    gstr(r, cty, "countryCode", &ip->country_code);
    gstr(r, cty, "countryName", &ip->country_name);
    gstr(r, child(r, obj, "city", CM_JSON_OBJECT), "cityName", &ip->city);
    if (geo != CM_JSON_NONE) {
        ip->has_geo = gf64(r, geo, "lat", &ip->lat) && gf64(r, geo, "lon", &ip->lon);
    }
}

static void rd_local(struct rd *r, uint32_t obj, struct cm_local_ip *ip)
{
    gstr(r, obj, "ipAddressV4", &ip->ipv4);
    gstr(r, obj, "ipAddressV6", &ip->ipv6);
}

static void rd_port(struct rd *r, uint32_t obj, struct cm_port *p)
{
    if (obj == CM_JSON_NONE) {
        return;
    }
    p->port = (int32_t)gint(r, obj, "port", -1);
    gstr(r, obj, "portName", &p->name);
}

static uint32_t rd_kv_list(struct rd *r, uint32_t arr, struct cm_kv *kv, uint32_t cap,
                           const char *kname, const char *vname)
{
    uint32_t n = 0;

    if (arr == CM_JSON_NONE) {
        return 0;
    }
    for (uint32_t e = cm_json_first(r->d, arr); e != CM_JSON_NONE && n < cap;
         e = cm_json_next(r->d, arr, e)) {
        if (cm_json_type(r->d, e) == CM_JSON_OBJECT) {
            gstr(r, e, kname, &kv[n].key);
            gstr(r, e, vname, &kv[n].value);
            n++;
        }
    }
    return n;
}

static void rd_api(struct rd *r, uint32_t o)
{
    struct cm_api_action *a = &r->f->api;
    uint32_t acc = child(r, o, "remoteAccountDetails", CM_JSON_OBJECT);
    uint32_t aff = child(r, o, "affectedResources", CM_JSON_OBJECT);

    gstr(r, o, "api", &a->api);
    gstr(r, o, "serviceName", &a->service_name);
    gstr(r, o, "callerType", &a->caller_type);
    gstr(r, child(r, o, "domainDetails", CM_JSON_OBJECT), "domain", &a->domain);
    gstr(r, o, "userAgent", &a->user_agent);
    gstr(r, o, "errorCode", &a->error_code);
    rd_remote(r, child(r, o, "remoteIpDetails", CM_JSON_OBJECT), &a->remote_ip);
    gstr(r, acc, "accountId", &a->remote_account);
    gtri(r, acc, "affiliated", &a->remote_affiliated);
    a->has_affected = aff != CM_JSON_NONE;
    for (uint32_t k = aff == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, aff);
         k != CM_JSON_NONE && a->naffected < CM_FINDING_MAX_AFFECTED;
         k = cm_json_next(r->d, aff, k + 1)) {
        struct cm_kv *kv = &a->affected[a->naffected];
        struct cm_str key = cm_json_str(r->d, k, &r->f->arena);
        struct cm_str val = cm_json_str(r->d, k + 1, &r->f->arena);
        if (key.p != NULL && val.p != NULL && r->err == 0) {
            r->err = cm_finding_set(r->f, &kv->key, key);
            r->err = r->err ? r->err : cm_finding_set(r->f, &kv->value, val);
            a->naffected++;
        }
    }
}

static void rd_net(struct rd *r, uint32_t o)
{
    struct cm_net_action *n = &r->f->net;
    struct cm_str dir = CM_STR_NULL;
    uint32_t dn = child(r, o, "connectionDirection", CM_JSON_STRING);

    if (dn != CM_JSON_NONE) {
        dir = cm_json_raw(r->d, dn);
        n->direction = cm_str_eqc(dir, "INBOUND")    ? CM_DIR_INBOUND
                       : cm_str_eqc(dir, "OUTBOUND") ? CM_DIR_OUTBOUND
                                                     : CM_DIR_UNKNOWN;
    }
    gstr(r, o, "protocol", &n->protocol);
    gtri(r, o, "blocked", &n->blocked);
    rd_local(r, child(r, o, "localIpDetails", CM_JSON_OBJECT), &n->local_ip);
    rd_port(r, child(r, o, "localPortDetails", CM_JSON_OBJECT), &n->local_port);
    gstr(r, o, "localNetworkInterface", &n->local_eni);
    rd_remote(r, child(r, o, "remoteIpDetails", CM_JSON_OBJECT), &n->remote_ip);
    rd_port(r, child(r, o, "remotePortDetails", CM_JSON_OBJECT), &n->remote_port);
}

static void rd_probe(struct rd *r, uint32_t o)
{
    uint32_t arr = child(r, o, "portProbeDetails", CM_JSON_ARRAY);

    gtri(r, o, "blocked", &r->f->probe.blocked);
    for (uint32_t e = arr == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, arr);
         e != CM_JSON_NONE && r->err == 0; e = cm_json_next(r->d, arr, e)) {
        struct cm_probe p;
        memset(&p, 0, sizeof(p));
        p.local_port.port = -1;
        rd_port(r, child(r, e, "localPortDetails", CM_JSON_OBJECT), &p.local_port);
        rd_local(r, child(r, e, "localIpDetails", CM_JSON_OBJECT), &p.local_ip);
        rd_remote(r, child(r, e, "remoteIpDetails", CM_JSON_OBJECT), &p.remote_ip);
        if (r->err == 0 && cm_finding_add_probe(r->f, &p) == CM_ENOMEM) {
            r->err = CM_ENOMEM;
        }
    }
}

static void rd_dns(struct rd *r, uint32_t o)
{
    struct cm_dns_action *q = &r->f->dns;

    gstr(r, o, "domain", &q->domain);
    gstr(r, o, "protocol", &q->protocol);
    gtri(r, o, "blocked", &q->blocked);
    gstr(r, o, "domainWithSuffix", &q->domain_with_suffix);
    gstr(r, o, "vpcOwnerAccountId", &q->vpc_owner);
}

static void rd_action(struct rd *r, uint32_t act)
{
    static const struct {
        const char *key;
        enum cm_action_type type;
        void (*read)(struct rd *r, uint32_t o);
    } subs[] = {
        {"awsApiCallAction", CM_ACT_AWS_API_CALL, rd_api},
        {"networkConnectionAction", CM_ACT_NETWORK_CONNECTION, rd_net},
        {"portProbeAction", CM_ACT_PORT_PROBE, rd_probe},
        {"dnsRequestAction", CM_ACT_DNS_REQUEST, rd_dns},
    };
    uint32_t t = child(r, act, "actionType", CM_JSON_STRING);

    for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
        uint32_t o = child(r, act, subs[i].key, CM_JSON_OBJECT);
        if (t != CM_JSON_NONE &&
            cm_str_eqc(cm_json_raw(r->d, t), cm_action_type_name(subs[i].type))) {
            r->f->action_type = subs[i].type;
        }
        if (o != CM_JSON_NONE) {
            subs[i].read(r, o);
        }
    }
}

static void rd_nic(struct rd *r, uint32_t o, struct cm_nic *n)
{
    gstr(r, o, "networkInterfaceId", &n->eni_id);
    gstr(r, o, "privateDnsName", &n->private_dns);
    gstr(r, o, "privateIpAddress", &n->private_ip);
    gstr(r, o, "publicDnsName", &n->public_dns);
    gstr(r, o, "publicIp", &n->public_ip);
    n->nsgs = rd_kv_list(r, child(r, o, "securityGroups", CM_JSON_ARRAY), n->sgs,
                         CM_FINDING_MAX_SGS, "groupId", "groupName");
    gstr(r, o, "subnetId", &n->subnet_id);
    gstr(r, o, "vpcId", &n->vpc_id);
}

static void rd_instance(struct rd *r, uint32_t o)
{
    struct cm_instance *in = &r->f->instance;
    uint32_t prof = child(r, o, "iamInstanceProfile", CM_JSON_OBJECT);
    uint32_t nics = child(r, o, "networkInterfaces", CM_JSON_ARRAY);

    gstr(r, o, "instanceId", &in->instance_id);
    gstr(r, o, "instanceType", &in->instance_type);
    gstr(r, o, "instanceState", &in->instance_state);
    gstr(r, o, "availabilityZone", &in->availability_zone);
    gstr(r, o, "imageId", &in->image_id);
    gstr(r, o, "imageDescription", &in->image_description);
    gstr(r, o, "launchTime", &in->launch_time);
    gstr(r, o, "platform", &in->platform);
    gstr(r, o, "outpostArn", &in->outpost_arn);
    gstr(r, prof, "arn", &in->profile_arn);
    gstr(r, prof, "id", &in->profile_id);
    for (uint32_t e = nics == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, nics);
         e != CM_JSON_NONE && in->nnics < CM_FINDING_MAX_NICS; e = cm_json_next(r->d, nics, e)) {
        rd_nic(r, e, &in->nics[in->nnics++]);
    }
    in->ntags = rd_kv_list(r, child(r, o, "tags", CM_JSON_ARRAY), in->tags, CM_FINDING_MAX_TAGS,
                           "key", "value");
}

static void rd_bucket(struct rd *r, uint32_t o, struct cm_bucket *b)
{
    uint32_t sse = child(r, o, "defaultServerSideEncryption", CM_JSON_OBJECT);
    uint32_t pa = child(r, o, "publicAccess", CM_JSON_OBJECT);
    uint32_t ca = child(r, o, "createdAt", CM_JSON_NUMBER);
    double secs;

    gstr(r, o, "arn", &b->arn);
    gstr(r, o, "name", &b->name);
    gstr(r, o, "type", &b->type);
    /* Seconds whose milliseconds an int64_t holds (a bigger value, converted, is undefined). */
    if (ca != CM_JSON_NONE && cm_json_f64(r->d, ca, &secs) == 0 && secs > -9.0e15 &&
        secs < 9.0e15) {
        b->created_ms = (int64_t)(secs * 1000.0 + (secs >= 0 ? 0.5 : -0.5));
    }
    gstr(r, child(r, o, "owner", CM_JSON_OBJECT), "id", &b->owner_id);
    b->ntags = rd_kv_list(r, child(r, o, "tags", CM_JSON_ARRAY), b->tags, CM_FINDING_MAX_TAGS,
                          "key", "value");
    gstr(r, sse, "encryptionType", &b->encryption_type);
    gstr(r, sse, "kmsMasterKeyArn", &b->kms_key_arn);
    gstr(r, pa, "effectivePermission", &b->effective_permission);
    cm_finding_read_bucket_perm(r->d, pa, b->perm);
}

static void rd_resource(struct rd *r, uint32_t o)
{
    uint32_t rt = child(r, o, "resourceType", CM_JSON_STRING);
    uint32_t ak = child(r, o, "accessKeyDetails", CM_JSON_OBJECT);
    uint32_t bk = child(r, o, "s3BucketDetails", CM_JSON_ARRAY);
    uint32_t in = child(r, o, "instanceDetails", CM_JSON_OBJECT);
    struct cm_str t = rt == CM_JSON_NONE ? CM_STR_NULL : cm_json_raw(r->d, rt);

    r->f->resource_type = cm_str_eqc(t, "Instance")    ? CM_RES_INSTANCE
                          : cm_str_eqc(t, "AccessKey") ? CM_RES_ACCESS_KEY
                          : cm_str_eqc(t, "S3Bucket")  ? CM_RES_S3_BUCKET
                                                       : CM_RES_NONE;
    if (ak != CM_JSON_NONE) {
        r->f->has_access_key = true;
        gstr(r, ak, "accessKeyId", &r->f->access_key.access_key_id);
        gstr(r, ak, "principalId", &r->f->access_key.principal_id);
        gstr(r, ak, "userName", &r->f->access_key.user_name);
        gstr(r, ak, "userType", &r->f->access_key.user_type);
    }
    for (uint32_t e = bk == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, bk);
         e != CM_JSON_NONE && r->f->nbuckets < CM_FINDING_MAX_BUCKETS;
         e = cm_json_next(r->d, bk, e)) {
        rd_bucket(r, e, &r->f->buckets[r->f->nbuckets++]);
    }
    if (in != CM_JSON_NONE) {
        rd_instance(r, in);
    }
}

static void rd_threats(struct rd *r, uint32_t ev)
{
    uint32_t arr = child(r, ev, "threatIntelligenceDetails", CM_JSON_ARRAY);

    for (uint32_t e = arr == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, arr);
         e != CM_JSON_NONE && r->f->nthreats < CM_FINDING_MAX_THREATS;
         e = cm_json_next(r->d, arr, e)) {
        struct cm_threat *t = &r->f->threats[r->f->nthreats++];
        uint32_t names = child(r, e, "threatNames", CM_JSON_ARRAY);
        gstr(r, e, "threatListName", &t->list_name);
        gstr(r, e, "threatFileSha256", &t->sha256);
        for (uint32_t n = names == CM_JSON_NONE ? CM_JSON_NONE : cm_json_first(r->d, names);
             n != CM_JSON_NONE && t->nnames < CM_FINDING_MAX_TNAMES && r->err == 0;
             n = cm_json_next(r->d, names, n)) {
            struct cm_str s = cm_json_str(r->d, n, &r->f->arena);
            r->err = s.p ? cm_finding_set(r->f, &t->names[t->nnames++], s) : CM_ENOMEM;
        }
    }
}

static void rd_service(struct rd *r, uint32_t s)
{
    uint32_t role = child(r, s, "resourceRole", CM_JSON_STRING);
    uint32_t ai = child(r, s, "additionalInfo", CM_JSON_OBJECT);
    uint32_t ar = s == CM_JSON_NONE ? CM_JSON_NONE : cm_json_get(r->d, s, "archived");
    struct cm_str value = CM_STR_NULL;

    gstr(r, s, "detectorId", &r->f->detector_id);
    gstr(r, s, "userFeedback", &r->f->user_feedback);
    rd_action(r, child(r, s, "action", CM_JSON_OBJECT));
    if (role != CM_JSON_NONE) {
        r->f->role = cm_str_eqc(cm_json_raw(r->d, role), "ACTOR")    ? CM_ROLE_ACTOR
                     : cm_str_eqc(cm_json_raw(r->d, role), "TARGET") ? CM_ROLE_TARGET
                                                                     : CM_ROLE_NONE;
    }
    gstr(r, ai, "value", &value);
    if (r->err == 0 && cm_str_present(value)) {
        r->err = cm_finding_read_additional_info(r->f, value);
    }
    if (r->err == 0) {
        uint32_t det = child(r, s, "detection", CM_JSON_OBJECT);

        r->err = cm_finding_read_sequence(r->f, r->d, child(r, det, "sequence", CM_JSON_OBJECT));
    }
    rd_threats(r, child(r, s, "evidence", CM_JSON_OBJECT));
    r->f->first_seen_ms = gtime(r, s, "eventFirstSeen");
    r->f->last_seen_ms = gtime(r, s, "eventLastSeen");
    r->f->archived = ar != CM_JSON_NONE && cm_json_type(r->d, ar) == CM_JSON_TRUE;
    r->f->count = (uint32_t)gint(r, s, "count", 1);
}

/*
 * Whether string node n is a finding id: CM_FINDING_ID_LEN letters and digits, written
 * as they are (an escape would be copied raw and written back escaped: another id).
 */
static bool id_ok(const struct rd *r, uint32_t n)
{
    struct cm_str s = cm_json_raw(r->d, n);

    if (s.len != CM_FINDING_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
            return false;
        }
    }
    return true;
}

static int rd_top(struct rd *r, uint32_t root)
{
    uint32_t id = child(r, root, "id", CM_JSON_STRING);
    uint32_t res = child(r, root, "resource", CM_JSON_OBJECT);
    struct cm_finding *f = r->f;

    if (id == CM_JSON_NONE || !id_ok(r, id) || res == CM_JSON_NONE ||
        !gf64(r, root, "severity", &f->severity) ||
        child(r, root, "createdAt", CM_JSON_STRING) == CM_JSON_NONE ||
        child(r, root, "updatedAt", CM_JSON_STRING) == CM_JSON_NONE) {
        return CM_EINVAL;
    }
    memcpy(f->id, cm_json_raw(r->d, id).p, CM_FINDING_ID_LEN);
    f->id[CM_FINDING_ID_LEN] = '\0';
    gstr(r, root, "accountId", &f->account_id);
    gstr(r, root, "region", &f->region);
    gstr(r, root, "partition", &f->partition);
    gstr(r, root, "arn", &f->arn);
    gstr(r, root, "type", &f->type);
    gstr(r, root, "title", &f->title);
    gstr(r, root, "description", &f->description);
    gstr(r, root, "associatedAttackSequenceArn", &f->sequence_arn);
    f->has_confidence = gf64(r, root, "confidence", &f->confidence);
    f->created_ms = gtime(r, root, "createdAt");
    f->updated_ms = gtime(r, root, "updatedAt");
    rd_resource(r, res);
    rd_service(r, child(r, root, "service", CM_JSON_OBJECT));
    if (r->err == 0 && (!cm_str_present(f->account_id) || !cm_str_present(f->region) ||
                        !cm_str_present(f->type))) {
        return CM_EINVAL;
    }
    return r->err;
}

int cm_finding_from_node(struct cm_finding *f, const struct cm_json_doc *d, uint32_t node)
{
    struct rd r = {f, d, 0};

    if (node == CM_JSON_NONE || cm_json_type(d, node) != CM_JSON_OBJECT) {
        return CM_EINVAL;
    }
    return rd_top(&r, node);
}

int cm_finding_from_json(struct cm_finding *f, const char *json, size_t len, struct cm_diag *diag)
{
    struct cm_json_doc doc;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    rc = cm_json_parse(&doc, json, len, diag);
    if (rc == 0) {
        rc = cm_finding_from_node(f, &doc, 0);
    }
    cm_json_doc_finish(&doc);
    return rc;
}
