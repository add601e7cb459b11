/*
 * The API and event forms of a finding (serialize.h). Member names, order
 * and JSON types follow the API model's Finding shape and the spec examples:
 * top-level and service times are ISO-8601 strings with milliseconds,
 * s3BucketDetails[].createdAt (a model timestamp) is epoch seconds, severity
 * is a number, count and ports are integers. Absent members are left out.
 */
#include "finding/serialize.h"

#include <string.h>

#include "base/err.h"

static void kstr(struct cm_jw *jw, const char *key, struct cm_str s)
{
    if (cm_str_present(s)) {
        cm_jw_key(jw, key);
        cm_jw_strn(jw, s.p, s.len);
    }
}

static void kbool(struct cm_jw *jw, const char *key, int8_t v)
{
    if (v != CM_TRI_UNSET) {
        cm_jw_key(jw, key);
        cm_jw_bool(jw, v == CM_TRI_TRUE);
    }
}

static bool any(const struct cm_str *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cm_str_present(s[i])) {
            return true;
        }
    }
    return false;
}

static void write_remote_ip(struct cm_jw *jw, const char *key, const struct cm_remote_ip *r)
{
    const struct cm_str org[4] = {r->asn, r->asn_org, r->isp, r->org};
    const struct cm_str country[2] = {r->country_code, r->country_name};
    const struct cm_str all[2] = {r->ipv4, r->ipv6};

    if (!any(all, 2) && !any(org, 4) && !any(country, 2) && !cm_str_present(r->city) &&
        !r->has_geo) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    kstr(jw, "ipAddressV4", r->ipv4);
    kstr(jw, "ipAddressV6", r->ipv6);
    if (any(org, 4)) {
        cm_jw_key(jw, "organization");
        cm_jw_obj_begin(jw);
        kstr(jw, "asn", r->asn);
        kstr(jw, "asnOrg", r->asn_org);
        kstr(jw, "isp", r->isp);
        kstr(jw, "org", r->org);
        cm_jw_obj_end(jw);
    }
    if (any(country, 2)) {
        cm_jw_key(jw, "country");
        cm_jw_obj_begin(jw);
        kstr(jw, "countryCode", r->country_code);
        kstr(jw, "countryName", r->country_name);
        cm_jw_obj_end(jw);
    }
    if (cm_str_present(r->city)) {
        cm_jw_key(jw, "city");
        cm_jw_obj_begin(jw);
        kstr(jw, "cityName", r->city);
        cm_jw_obj_end(jw);
    }
    if (r->has_geo) {
        cm_jw_key(jw, "geoLocation");
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "lat");
        cm_jw_f64(jw, r->lat);
        cm_jw_key(jw, "lon");
        cm_jw_f64(jw, r->lon);
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
}

static void write_local_ip(struct cm_jw *jw, const char *key, const struct cm_local_ip *l)
{
    if (!cm_str_present(l->ipv4) && !cm_str_present(l->ipv6)) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    kstr(jw, "ipAddressV4", l->ipv4);
    kstr(jw, "ipAddressV6", l->ipv6);
    cm_jw_obj_end(jw);
}

static void write_port(struct cm_jw *jw, const char *key, const struct cm_port *p)
{
    if (p->port < 0) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "port");
    cm_jw_i64(jw, p->port);
    kstr(jw, "portName", p->name);
    cm_jw_obj_end(jw);
}

static void write_kv_list(struct cm_jw *jw, const char *key, const struct cm_kv *kv, uint32_t n,
                          const char *kname, const char *vname)
{
    if (n == 0) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_arr_begin(jw);
    for (uint32_t i = 0; i < n; i++) {
        cm_jw_obj_begin(jw);
        kstr(jw, kname, kv[i].key);
        kstr(jw, vname, kv[i].value);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
}

static void write_api_action(struct cm_jw *jw, const struct cm_api_action *a)
{
    cm_jw_key(jw, "awsApiCallAction");
    cm_jw_obj_begin(jw);
    kstr(jw, "api", a->api);
    kstr(jw, "serviceName", a->service_name);
    kstr(jw, "callerType", a->caller_type);
    if (cm_str_present(a->domain)) {
        cm_jw_key(jw, "domainDetails");
        cm_jw_obj_begin(jw);
        kstr(jw, "domain", a->domain);
        cm_jw_obj_end(jw);
    }
    kstr(jw, "userAgent", a->user_agent);
    kstr(jw, "errorCode", a->error_code);
    write_remote_ip(jw, "remoteIpDetails", &a->remote_ip);
    if (cm_str_present(a->remote_account)) {
        cm_jw_key(jw, "remoteAccountDetails");
        cm_jw_obj_begin(jw);
        kstr(jw, "accountId", a->remote_account);
        kbool(jw, "affiliated", a->remote_affiliated);
        cm_jw_obj_end(jw);
    }
    if (a->has_affected) {
        cm_jw_key(jw, "affectedResources");
        cm_jw_obj_begin(jw);
        for (uint32_t i = 0; i < a->naffected; i++) {
            cm_jw_keyn(jw, a->affected[i].key.p, a->affected[i].key.len);
            cm_jw_strn(jw, a->affected[i].value.p, a->affected[i].value.len);
        }
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
}

static void write_net_action(struct cm_jw *jw, const struct cm_net_action *n)
{
    const char *dir = cm_conn_dir_name(n->direction);

    cm_jw_key(jw, "networkConnectionAction");
    cm_jw_obj_begin(jw);
    if (dir != NULL) {
        cm_jw_key(jw, "connectionDirection");
        cm_jw_str(jw, dir);
    }
    kstr(jw, "protocol", n->protocol);
    kbool(jw, "blocked", n->blocked);
    write_local_ip(jw, "localIpDetails", &n->local_ip);
    write_port(jw, "localPortDetails", &n->local_port);
    kstr(jw, "localNetworkInterface", n->local_eni);
    write_remote_ip(jw, "remoteIpDetails", &n->remote_ip);
    write_port(jw, "remotePortDetails", &n->remote_port);
    cm_jw_obj_end(jw);
}

static void write_probe_action(struct cm_jw *jw, const struct cm_probe_action *p)
{
    cm_jw_key(jw, "portProbeAction");
    cm_jw_obj_begin(jw);
    kbool(jw, "blocked", p->blocked);
    cm_jw_key(jw, "portProbeDetails");
    cm_jw_arr_begin(jw);
    for (uint32_t i = 0; i < p->nprobes; i++) {
        cm_jw_obj_begin(jw);
        write_port(jw, "localPortDetails", &p->probes[i].local_port);
        write_local_ip(jw, "localIpDetails", &p->probes[i].local_ip);
        write_remote_ip(jw, "remoteIpDetails", &p->probes[i].remote_ip);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

static void write_dns_action(struct cm_jw *jw, const struct cm_dns_action *d)
{
    cm_jw_key(jw, "dnsRequestAction");
    cm_jw_obj_begin(jw);
    kstr(jw, "domain", d->domain);
    kstr(jw, "protocol", d->protocol);
    kbool(jw, "blocked", d->blocked);
    kstr(jw, "domainWithSuffix", d->domain_with_suffix);
    kstr(jw, "vpcOwnerAccountId", d->vpc_owner);
    cm_jw_obj_end(jw);
}

static void write_action(struct cm_jw *jw, const struct cm_finding *f)
{
    const char *name = cm_action_type_name(f->action_type);

    cm_jw_key(jw, "action");
    cm_jw_obj_begin(jw);
    if (name != NULL) {
        cm_jw_key(jw, "actionType");
        cm_jw_str(jw, name);
    }
    switch (f->action_type) {
    case CM_ACT_AWS_API_CALL:
        write_api_action(jw, &f->api);
        break;
    case CM_ACT_NETWORK_CONNECTION:
        write_net_action(jw, &f->net);
        break;
    case CM_ACT_PORT_PROBE:
        write_probe_action(jw, &f->probe);
        break;
    case CM_ACT_DNS_REQUEST:
        write_dns_action(jw, &f->dns);
        break;
    case CM_ACT_NONE:
        break;
    }
    cm_jw_obj_end(jw);
}

static void write_nic(struct cm_jw *jw, const struct cm_nic *n)
{
    cm_jw_obj_begin(jw);
    kstr(jw, "networkInterfaceId", n->eni_id);
    kstr(jw, "privateDnsName", n->private_dns);
    kstr(jw, "privateIpAddress", n->private_ip);
    if (cm_str_present(n->private_ip)) {
        cm_jw_key(jw, "privateIpAddresses");
        cm_jw_arr_begin(jw);
        cm_jw_obj_begin(jw);
        kstr(jw, "privateDnsName", n->private_dns);
        kstr(jw, "privateIpAddress", n->private_ip);
        cm_jw_obj_end(jw);
        cm_jw_arr_end(jw);
    }
    kstr(jw, "publicDnsName", n->public_dns);
    kstr(jw, "publicIp", n->public_ip);
    write_kv_list(jw, "securityGroups", n->sgs, n->nsgs, "groupId", "groupName");
    kstr(jw, "subnetId", n->subnet_id);
    kstr(jw, "vpcId", n->vpc_id);
    cm_jw_obj_end(jw);
}

/* A string member, or in the event form an explicit null when nulls is set and it is absent. */
static void kstr_or_null(struct cm_jw *jw, const char *key, struct cm_str s, bool nulls)
{
    if (cm_str_present(s)) {
        kstr(jw, key, s);
    } else if (nulls) {
        cm_jw_key(jw, key);
        cm_jw_null(jw);
    }
}

/*
 * instanceDetails. In the event form a described instance (its type is known,
 * from the inventory or RunInstances) has platform, outpostArn and
 * iamInstanceProfile null when it has none, as GuardDuty's events do: a Linux
 * instance is "platform": null, which a pattern can match ([null],
 * {"anything-but":"windows"}). An instance known by its id alone leaves them
 * out: nothing says it has none.
 */
static void write_instance(struct cm_jw *jw, const struct cm_instance *in,
                           enum cm_finding_form form)
{
    bool nulls = form == CM_FORM_EVENT && cm_str_present(in->instance_type);

    cm_jw_key(jw, "instanceDetails");
    cm_jw_obj_begin(jw);
    kstr(jw, "instanceId", in->instance_id);
    kstr(jw, "instanceType", in->instance_type);
    kstr(jw, "instanceState", in->instance_state);
    kstr(jw, "availabilityZone", in->availability_zone);
    kstr(jw, "imageId", in->image_id);
    kstr(jw, "imageDescription", in->image_description);
    kstr(jw, "launchTime", in->launch_time);
    kstr_or_null(jw, "platform", in->platform, nulls);
    kstr_or_null(jw, "outpostArn", in->outpost_arn, nulls);
    if (cm_str_present(in->profile_arn) || cm_str_present(in->profile_id)) {
        cm_jw_key(jw, "iamInstanceProfile");
        cm_jw_obj_begin(jw);
        kstr(jw, "arn", in->profile_arn);
        kstr(jw, "id", in->profile_id);
        cm_jw_obj_end(jw);
    } else if (nulls) {
        cm_jw_key(jw, "iamInstanceProfile");
        cm_jw_null(jw);
    }
    if (in->nnics > 0) {
        cm_jw_key(jw, "networkInterfaces");
        cm_jw_arr_begin(jw);
        for (uint32_t i = 0; i < in->nnics; i++) {
            write_nic(jw, &in->nics[i]);
        }
        cm_jw_arr_end(jw);
    }
    write_kv_list(jw, "tags", in->tags, in->ntags, "key", "value");
    cm_jw_obj_end(jw);
}

struct perm_key {
    const char *group; /* the object under the level */
    const char *key;
};

static const struct perm_key perm_keys[CM_S3P_COUNT] = {
    {"accessControlList", "allowsPublicReadAccess"},
    {"accessControlList", "allowsPublicWriteAccess"},
    {"bucketPolicy", "allowsPublicReadAccess"},
    {"bucketPolicy", "allowsPublicWriteAccess"},
    {"blockPublicAccess", "ignorePublicAcls"},
    {"blockPublicAccess", "restrictPublicBuckets"},
    {"blockPublicAccess", "blockPublicAcls"},
    {"blockPublicAccess", "blockPublicPolicy"},
    {"blockPublicAccess", "ignorePublicAcls"},
    {"blockPublicAccess", "restrictPublicBuckets"},
    {"blockPublicAccess", "blockPublicAcls"},
    {"blockPublicAccess", "blockPublicPolicy"},
};

static bool perm_any(const int8_t *perm, size_t lo, size_t hi)
{
    for (size_t i = lo; i < hi; i++) {
        if (perm[i] != CM_TRI_UNSET) {
            return true;
        }
    }
    return false;
}

/* Writes groups of flags [lo, hi) (consecutive flags of one group share an object). */
static void write_perm_level(struct cm_jw *jw, const char *key, const int8_t *perm, size_t lo,
                             size_t hi)
{
    if (!perm_any(perm, lo, hi)) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    for (size_t i = lo; i < hi;) {
        size_t j = i;
        while (j < hi && strcmp(perm_keys[j].group, perm_keys[i].group) == 0) {
            j++;
        }
        if (perm_any(perm, i, j)) {
            cm_jw_key(jw, perm_keys[i].group);
            cm_jw_obj_begin(jw);
            for (size_t k = i; k < j; k++) {
                kbool(jw, perm_keys[k].key, perm[k]);
            }
            cm_jw_obj_end(jw);
        }
        i = j;
    }
    cm_jw_obj_end(jw);
}

void cm_finding_read_bucket_perm(const struct cm_json_doc *d, uint32_t pa, int8_t *perm)
{
    uint32_t pc = pa == CM_JSON_NONE ? CM_JSON_NONE : cm_json_get(d, pa, "permissionConfiguration");

    for (size_t i = 0; i < CM_S3P_COUNT && pc != CM_JSON_NONE; i++) {
        const char *level =
            i < CM_S3P_ACCOUNT_IGNORE_ACLS ? "bucketLevelPermissions" : "accountLevelPermissions";
        uint32_t n = cm_json_get(d, pc, level);
        n = n == CM_JSON_NONE ? n : cm_json_get(d, n, perm_keys[i].group);
        n = n == CM_JSON_NONE ? n : cm_json_get(d, n, perm_keys[i].key);
        if (n != CM_JSON_NONE && cm_json_type(d, n) == CM_JSON_TRUE) {
            perm[i] = CM_TRI_TRUE;
        } else if (n != CM_JSON_NONE && cm_json_type(d, n) == CM_JSON_FALSE) {
            perm[i] = CM_TRI_FALSE;
        }
    }
}

static void write_public_access(struct cm_jw *jw, const struct cm_bucket *b)
{
    if (!perm_any(b->perm, 0, CM_S3P_COUNT) && !cm_str_present(b->effective_permission)) {
        return;
    }
    cm_jw_key(jw, "publicAccess");
    cm_jw_obj_begin(jw);
    if (perm_any(b->perm, 0, CM_S3P_COUNT)) {
        cm_jw_key(jw, "permissionConfiguration");
        cm_jw_obj_begin(jw);
        write_perm_level(jw, "bucketLevelPermissions", b->perm, 0, CM_S3P_ACCOUNT_IGNORE_ACLS);
        write_perm_level(jw, "accountLevelPermissions", b->perm, CM_S3P_ACCOUNT_IGNORE_ACLS,
                         CM_S3P_COUNT);
        cm_jw_obj_end(jw);
    }
    kstr(jw, "effectivePermission", b->effective_permission);
    cm_jw_obj_end(jw);
}

static void write_bucket(struct cm_jw *jw, const struct cm_bucket *b)
{
    cm_jw_obj_begin(jw);
    kstr(jw, "arn", b->arn);
    kstr(jw, "name", b->name);
    kstr(jw, "type", b->type);
    if (b->created_ms != 0) {
        cm_jw_key(jw, "createdAt");
        if (b->created_ms % 1000 == 0) {
            cm_jw_i64(jw, b->created_ms / 1000);
        } else {
            cm_jw_f64(jw, (double)b->created_ms / 1000.0);
        }
    }
    if (cm_str_present(b->owner_id)) {
        cm_jw_key(jw, "owner");
        cm_jw_obj_begin(jw);
        kstr(jw, "id", b->owner_id);
        cm_jw_obj_end(jw);
    }
    write_kv_list(jw, "tags", b->tags, b->ntags, "key", "value");
    if (cm_str_present(b->encryption_type) || cm_str_present(b->kms_key_arn)) {
        cm_jw_key(jw, "defaultServerSideEncryption");
        cm_jw_obj_begin(jw);
        kstr(jw, "encryptionType", b->encryption_type);
        kstr(jw, "kmsMasterKeyArn", b->kms_key_arn);
        cm_jw_obj_end(jw);
    }
    write_public_access(jw, b);
    cm_jw_obj_end(jw);
}

static void write_resource(struct cm_jw *jw, const struct cm_finding *f, enum cm_finding_form form)
{
    const char *rt = cm_resource_type_name(f->resource_type);
    const struct cm_access_key *k = &f->access_key;

    cm_jw_key(jw, "resource");
    cm_jw_obj_begin(jw);
    if (rt != NULL) {
        cm_jw_key(jw, "resourceType");
        cm_jw_str(jw, rt);
    }
    if (f->has_access_key) {
        cm_jw_key(jw, "accessKeyDetails");
        cm_jw_obj_begin(jw);
        kstr(jw, "accessKeyId", k->access_key_id);
        kstr(jw, "principalId", k->principal_id);
        kstr(jw, "userName", k->user_name);
        kstr(jw, "userType", k->user_type);
        cm_jw_obj_end(jw);
    }
    if (f->nbuckets > 0) {
        cm_jw_key(jw, "s3BucketDetails");
        cm_jw_arr_begin(jw);
        for (uint32_t i = 0; i < f->nbuckets; i++) {
            write_bucket(jw, &f->buckets[i]);
        }
        cm_jw_arr_end(jw);
    }
    if (f->resource_type == CM_RES_INSTANCE) {
        write_instance(jw, &f->instance, form);
    }
    cm_jw_obj_end(jw);
}

static void write_threats(struct cm_jw *jw, const struct cm_finding *f, enum cm_finding_form form)
{
    if (f->nthreats == 0) {
        if (form == CM_FORM_EVENT) {
            cm_jw_key(jw, "evidence");
            cm_jw_null(jw);
        }
        return;
    }
    cm_jw_key(jw, "evidence");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "threatIntelligenceDetails");
    cm_jw_arr_begin(jw);
    for (uint32_t i = 0; i < f->nthreats; i++) {
        const struct cm_threat *t = &f->threats[i];
        cm_jw_obj_begin(jw);
        kstr(jw, "threatListName", t->list_name);
        cm_jw_key(jw, "threatNames");
        cm_jw_arr_begin(jw);
        for (uint32_t j = 0; j < t->nnames; j++) {
            cm_jw_strn(jw, t->names[j].p, t->names[j].len);
        }
        cm_jw_arr_end(jw);
        kstr(jw, "threatFileSha256", t->sha256);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

static void write_service(struct cm_jw *jw, const struct cm_finding *f, enum cm_finding_form form)
{
    const char *role = cm_role_name(f->role);

    cm_jw_key(jw, "service");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "serviceName");
    cm_jw_str(jw, CM_FINDING_SERVICE_NAME);
    kstr(jw, "detectorId", f->detector_id);
    write_action(jw, f);
    if (role != NULL) {
        cm_jw_key(jw, "resourceRole");
        cm_jw_str(jw, role);
    }
    if (cm_finding_write_additional_info(jw, f, form) != 0 && jw->err == 0) {
        jw->err = CM_ENOMEM;
    }
    write_threats(jw, f, form);
    if (cm_finding_write_detection(jw, f) != 0 && jw->err == 0) {
        jw->err = CM_ENOMEM;
    }
    cm_jw_key_time(jw, "eventFirstSeen", f->first_seen_ms);
    cm_jw_key_time(jw, "eventLastSeen", f->last_seen_ms);
    cm_jw_key(jw, "archived");
    cm_jw_bool(jw, f->archived);
    kstr(jw, "userFeedback", f->user_feedback);
    cm_jw_key(jw, "count");
    cm_jw_u64(jw, f->count);
    cm_jw_obj_end(jw);
}

int cm_finding_write(struct cm_jw *jw, const struct cm_finding *f, enum cm_finding_form form)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "schemaVersion");
    cm_jw_str(jw, CM_FINDING_SCHEMA);
    kstr(jw, "accountId", f->account_id);
    kstr(jw, "region", f->region);
    kstr(jw, "partition", f->partition);
    cm_jw_key(jw, "id");
    cm_jw_str(jw, f->id);
    kstr(jw, "arn", f->arn);
    kstr(jw, "type", f->type);
    write_resource(jw, f, form);
    write_service(jw, f, form);
    cm_jw_key(jw, "severity");
    cm_jw_f64(jw, f->severity);
    if (f->has_confidence) {
        cm_jw_key(jw, "confidence");
        cm_jw_f64(jw, f->confidence);
    }
    cm_jw_key_time(jw, "createdAt", f->created_ms);
    cm_jw_key_time(jw, "updatedAt", f->updated_ms);
    kstr(jw, "title", f->title);
    kstr(jw, "description", f->description);
    kstr(jw, "associatedAttackSequenceArn", f->sequence_arn);
    cm_jw_obj_end(jw);
    return jw->err;
}

int cm_finding_jw_end(struct cm_jw *jw, size_t len0)
{
    int rc = cm_jw_finish(jw);

    if (rc != 0) {
        /* Nothing half-written stays behind. */
        jw->out->len = len0;
        if (jw->out->p != NULL) {
            jw->out->p[len0] = '\0';
        }
    }
    return rc;
}

int cm_finding_to_json(const struct cm_finding *f, enum cm_finding_form form, struct cm_buf *out)
{
    struct cm_jw jw;
    size_t len0 = out->len;

    cm_jw_init(&jw, out);
    cm_finding_write(&jw, f, form);
    return cm_finding_jw_end(&jw, len0);
}

int cm_finding_to_jsonl(const struct cm_finding *f, struct cm_buf *out)
{
    int rc = cm_finding_to_json(f, CM_FORM_API, out);

    return rc ? rc : cm_buf_putc(out, '\n');
}
