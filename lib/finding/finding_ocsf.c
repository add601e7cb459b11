/*
 * OCSF 1.1 Detection Finding (class_uid 2004, category_uid 2 "Findings") of a
 * finding. The mapping (docs/internals/finding.md has the table):
 * activity_id 1 Create for a finding this output reports first, 2 Update for
 * one reported before, as the caller says (serialize.h: a scan knows, a
 * store read does not); type_uid =
 * class_uid * 100 + activity_id; severity_id from the GuardDuty severity
 * bands (Low 2, Medium 3, High 4, Critical 5); status_id 1 New, or
 * 3 Suppressed when archived; times in epoch milliseconds; finding_info from
 * id, title, description, type and the four timestamps; resources[] from the
 * resource (and any S3 buckets); cloud from account, region and partition;
 * evidences[] from the action (endpoints by connection direction, the API
 * call, the DNS query: the class has no top-level src_endpoint); the
 * GuardDuty document itself as
 * raw_data and the GuardDuty-only fields under unmapped.
 */
#include "finding/serialize.h"

#include "base/err.h"
#include "coalmine/version.h"

#define OCSF_VERSION      "1.1.0"
#define OCSF_CLASS_UID    2004
#define OCSF_CATEGORY_UID 2

int cm_finding_ocsf_severity_id(double severity)
{
    if (severity < 1.0) {
        return 1; /* Informational */
    }
    if (severity < 4.0) {
        return 2;
    }
    if (severity < 7.0) {
        return 3;
    }
    return severity < 9.0 ? 4 : 5;
}

/*
 * The type of what the finding's identity resource (cm_finding_identity) is:
 * the instance, else the network interface it falls back to; the access key,
 * else the principal a call without a key is keyed by (the account for the
 * root user, the user or role otherwise); the bucket.
 */
static const char *ocsf_resource_type(const struct cm_finding *f)
{
    const struct cm_str ut = f->access_key.user_type;

    switch (f->resource_type) {
    case CM_RES_INSTANCE:
        return cm_str_present(f->instance.instance_id) ? "AWS::EC2::Instance"
                                                       : "AWS::EC2::NetworkInterface";
    case CM_RES_ACCESS_KEY:
        if (f->access_key.access_key_id.len > 0) { /* as cm_finding_identity: "" is none */
            return "AWS::IAM::AccessKey";
        }
        if (cm_str_eqc(ut, "Root")) {
            return "AWS::::Account";
        }
        if (cm_str_eqc(ut, "IAMUser")) {
            return "AWS::IAM::User";
        }
        return cm_str_eqc(ut, "AssumedRole") || cm_str_eqc(ut, "Role") ? "AWS::IAM::Role" : "Other";
    case CM_RES_S3_BUCKET:
        return "AWS::S3::Bucket";
    case CM_RES_NONE:
        break;
    }
    return "Other";
}

static void kstrn(struct cm_jw *jw, const char *key, struct cm_str s)
{
    if (cm_str_present(s)) {
        cm_jw_key(jw, key);
        cm_jw_strn(jw, s.p, s.len);
    }
}

static void kint(struct cm_jw *jw, const char *key, int64_t v)
{
    cm_jw_key(jw, key);
    cm_jw_i64(jw, v);
}

static void write_one_resource(struct cm_jw *jw, const struct cm_finding *f, struct cm_str uid,
                               const char *type)
{
    cm_jw_obj_begin(jw);
    kstrn(jw, "uid", uid);
    kstrn(jw, "name", uid);
    cm_jw_key(jw, "type");
    cm_jw_str(jw, type);
    kstrn(jw, "cloud_partition", f->partition);
    kstrn(jw, "region", f->region);
    cm_jw_obj_end(jw);
}

static void write_resources(struct cm_jw *jw, const struct cm_finding *f)
{
    struct cm_str res, actor;

    cm_finding_identity(f, &res, &actor);
    cm_jw_key(jw, "resources");
    cm_jw_arr_begin(jw);
    write_one_resource(jw, f, res, ocsf_resource_type(f));
    for (uint32_t i = 0; i < f->nbuckets && f->resource_type != CM_RES_S3_BUCKET; i++) {
        write_one_resource(jw, f, f->buckets[i].name, "AWS::S3::Bucket");
    }
    cm_jw_arr_end(jw);
}

static void write_finding_info(struct cm_jw *jw, const struct cm_finding *f)
{
    cm_jw_key(jw, "finding_info");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "uid");
    cm_jw_str(jw, f->id);
    kstrn(jw, "title", f->title);
    kstrn(jw, "desc", f->description);
    cm_jw_key(jw, "types");
    cm_jw_arr_begin(jw);
    cm_jw_strn(jw, f->type.p, f->type.len);
    cm_jw_arr_end(jw);
    kint(jw, "created_time", f->created_ms);
    kint(jw, "modified_time", f->updated_ms);
    kint(jw, "first_seen_time", f->first_seen_ms);
    kint(jw, "last_seen_time", f->last_seen_ms);
    /*
     * No product_uid: OCSF means the product's id there, not the finding's.
     * Before 2026-12-06 it held the finding ARN, which stays in unmapped.arn.
     */
    cm_jw_obj_end(jw);
}

static void write_meta(struct cm_jw *jw, const struct cm_finding *f, const char *version)
{
    char eid[37];

    cm_jw_key(jw, "metadata");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "version");
    cm_jw_str(jw, OCSF_VERSION);
    /* the event carries cloud: the cloud profile is applied, and says so */
    cm_jw_key(jw, "profiles");
    cm_jw_arr_begin(jw);
    cm_jw_str(jw, "cloud");
    cm_jw_arr_end(jw);
    /*
     * The event's own id, as OCSF means metadata.uid: the EventBridge event
     * id of this state of the finding (its Create and a later Update differ,
     * so a consumer deduplicating on it keeps both; the finding is
     * finding_info.uid). Before 2026-12-05 it was the finding id.
     */
    cm_finding_event_id(f, eid);
    cm_jw_key(jw, "uid");
    cm_jw_str(jw, eid);
    cm_jw_key(jw, "product");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "name");
    cm_jw_str(jw, "coalmine");
    cm_jw_key(jw, "vendor_name");
    cm_jw_str(jw, "coalmine");
    cm_jw_key(jw, "version");
    cm_jw_str(jw, version ? version : COALMINE_VERSION);
    cm_jw_obj_end(jw);
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "cloud");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "provider");
    cm_jw_str(jw, "AWS");
    kstrn(jw, "region", f->region);
    cm_jw_key(jw, "account");
    cm_jw_obj_begin(jw);
    kstrn(jw, "uid", f->account_id);
    cm_jw_key(jw, "type");
    cm_jw_str(jw, "AWS Account");
    kint(jw, "type_id", 10);
    cm_jw_obj_end(jw);
    cm_jw_obj_end(jw);
}

/* An address (IPv4, else IPv6) and a port (-1: none); present when it has either. */
struct ep {
    struct cm_str ip;
    int32_t port;
};

static struct ep ep_make(struct cm_str v4, struct cm_str v6, int32_t port)
{
    struct ep e;

    e.ip = cm_str_present(v4) ? v4 : v6;
    e.port = port;
    return e;
}

/* A Network Endpoint object under key, left out when it has nothing. */
static void write_endpoint(struct cm_jw *jw, const char *key, struct ep e)
{
    if (!cm_str_present(e.ip) && e.port < 0) {
        return;
    }
    cm_jw_key(jw, key);
    cm_jw_obj_begin(jw);
    kstrn(jw, "ip", e.ip);
    if (e.port >= 0) {
        kint(jw, "port", e.port);
    }
    cm_jw_obj_end(jw);
}

/* The connection's endpoints in OCSF's sense: the source is the side that opened it. */
static void net_endpoints(const struct cm_net_action *n, struct ep *src, struct ep *dst)
{
    struct ep remote = ep_make(n->remote_ip.ipv4, n->remote_ip.ipv6, n->remote_port.port);
    struct ep local = ep_make(n->local_ip.ipv4, n->local_ip.ipv6, n->local_port.port);

    *src = n->direction == CM_DIR_OUTBOUND ? local : remote;
    *dst = n->direction == CM_DIR_OUTBOUND ? remote : local;
}

/*
 * evidences[] (Evidence Artifacts): what the action saw. A network connection
 * gives src_endpoint/dst_endpoint by direction (inbound and unknown: the remote
 * side is the source); each probe its prober and probed port; an API call its
 * caller and api {operation, service}; a DNS request its query {hostname}.
 * Left out when there is nothing (the object needs one member).
 */
static void write_evidences(struct cm_jw *jw, const struct cm_finding *f)
{
    struct ep src, dst;
    bool api;

    switch (f->action_type) {
    case CM_ACT_NETWORK_CONNECTION:
        net_endpoints(&f->net, &src, &dst);
        if (!cm_str_present(src.ip) && !cm_str_present(dst.ip)) {
            return;
        }
        cm_jw_key(jw, "evidences");
        cm_jw_arr_begin(jw);
        cm_jw_obj_begin(jw);
        write_endpoint(jw, "src_endpoint", src);
        write_endpoint(jw, "dst_endpoint", dst);
        cm_jw_obj_end(jw);
        cm_jw_arr_end(jw);
        return;
    case CM_ACT_PORT_PROBE:
        if (f->probe.nprobes == 0) {
            return;
        }
        cm_jw_key(jw, "evidences");
        cm_jw_arr_begin(jw);
        for (uint32_t i = 0; i < f->probe.nprobes; i++) {
            const struct cm_probe *p = &f->probe.probes[i];

            cm_jw_obj_begin(jw);
            write_endpoint(jw, "src_endpoint", ep_make(p->remote_ip.ipv4, p->remote_ip.ipv6, -1));
            write_endpoint(jw, "dst_endpoint",
                           ep_make(p->local_ip.ipv4, p->local_ip.ipv6, p->local_port.port));
            cm_jw_obj_end(jw);
        }
        cm_jw_arr_end(jw);
        return;
    case CM_ACT_AWS_API_CALL:
        src = ep_make(f->api.remote_ip.ipv4, f->api.remote_ip.ipv6, -1);
        api = cm_str_present(f->api.api);
        if (!api && !cm_str_present(src.ip)) {
            return;
        }
        cm_jw_key(jw, "evidences");
        cm_jw_arr_begin(jw);
        cm_jw_obj_begin(jw);
        write_endpoint(jw, "src_endpoint", src);
        if (api) {
            cm_jw_key(jw, "api");
            cm_jw_obj_begin(jw);
            kstrn(jw, "operation", f->api.api);
            if (cm_str_present(f->api.service_name)) {
                cm_jw_key(jw, "service");
                cm_jw_obj_begin(jw);
                kstrn(jw, "name", f->api.service_name);
                cm_jw_obj_end(jw);
            }
            cm_jw_obj_end(jw);
        }
        cm_jw_obj_end(jw);
        cm_jw_arr_end(jw);
        return;
    case CM_ACT_DNS_REQUEST:
        if (!cm_str_present(f->dns.domain)) {
            return;
        }
        cm_jw_key(jw, "evidences");
        cm_jw_arr_begin(jw);
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "query");
        cm_jw_obj_begin(jw);
        kstrn(jw, "hostname", f->dns.domain);
        cm_jw_obj_end(jw);
        cm_jw_obj_end(jw);
        cm_jw_arr_end(jw);
        return;
    default:
        return;
    }
}

static void write_unmapped(struct cm_jw *jw, const struct cm_finding *f)
{
    const char *role = cm_role_name(f->role);
    const char *act = cm_action_type_name(f->action_type);

    cm_jw_key(jw, "unmapped");
    cm_jw_obj_begin(jw);
    kstrn(jw, "arn", f->arn);
    kstrn(jw, "detectorId", f->detector_id);
    if (act != NULL) {
        cm_jw_key(jw, "actionType");
        cm_jw_str(jw, act);
    }
    if (role != NULL) {
        cm_jw_key(jw, "resourceRole");
        cm_jw_str(jw, role);
    }
    cm_jw_key(jw, "severity");
    cm_jw_f64(jw, f->severity);
    cm_jw_key(jw, "archived");
    cm_jw_bool(jw, f->archived);
    kstrn(jw, "associatedAttackSequenceArn", f->sequence_arn);
    cm_jw_obj_end(jw);
}

static void write_class(struct cm_jw *jw, const struct cm_finding *f,
                        enum cm_ocsf_activity activity)
{
    int act = activity != CM_OCSF_ACT_SNAPSHOT                  ? (int)activity
              : f->count <= 1 && f->created_ms == f->updated_ms ? 1
                                                                : 2;
    int sev = cm_finding_ocsf_severity_id(f->severity);
    static const char *const sev_names[] = {"Unknown", "Informational", "Low",
                                            "Medium",  "High",          "Critical"};

    kint(jw, "category_uid", OCSF_CATEGORY_UID);
    cm_jw_key(jw, "category_name");
    cm_jw_str(jw, "Findings");
    kint(jw, "class_uid", OCSF_CLASS_UID);
    cm_jw_key(jw, "class_name");
    cm_jw_str(jw, "Detection Finding");
    kint(jw, "activity_id", act);
    cm_jw_key(jw, "activity_name");
    cm_jw_str(jw, act == 1 ? "Create" : "Update");
    kint(jw, "type_uid", OCSF_CLASS_UID * 100 + act);
    cm_jw_key(jw, "type_name");
    cm_jw_str(jw, act == 1 ? "Detection Finding: Create" : "Detection Finding: Update");
    kint(jw, "severity_id", sev);
    cm_jw_key(jw, "severity");
    cm_jw_str(jw, sev_names[sev]);
    kint(jw, "status_id", f->archived ? 3 : 1);
    cm_jw_key(jw, "status");
    cm_jw_str(jw, f->archived ? "Suppressed" : "New");
    kint(jw, "time", f->updated_ms);
    kint(jw, "count", f->count);
    kstrn(jw, "message", f->title);
}

int cm_finding_to_ocsf(const struct cm_finding *f, const char *product_version, struct cm_buf *out)
{
    return cm_finding_to_ocsf_as(f, product_version, CM_OCSF_ACT_SNAPSHOT, out);
}

int cm_finding_to_ocsf_as(const struct cm_finding *f, const char *product_version,
                          enum cm_ocsf_activity activity, struct cm_buf *out)
{
    struct cm_buf raw;
    struct cm_jw jw;
    size_t len0 = out->len;
    int rc;

    cm_buf_init(&raw, 0);
    rc = cm_finding_to_json(f, CM_FORM_API, &raw);
    if (rc != 0) {
        goto out;
    }
    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    write_class(&jw, f, activity);
    write_meta(&jw, f, product_version);
    write_finding_info(&jw, f);
    write_resources(&jw, f);
    write_evidences(&jw, f);
    write_unmapped(&jw, f);
    cm_jw_key(&jw, "raw_data");
    cm_jw_strn(&jw, raw.p, raw.len);
    cm_jw_obj_end(&jw);
    rc = cm_finding_jw_end(&jw, len0); /* nothing was written to out before jw */
out:
    cm_buf_finish(&raw);
    return rc;
}
