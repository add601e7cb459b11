/*
 * The finding builder: turns a struct cm_detection and its triggering event
 * into a full struct cm_finding. The event kind decides the action (CloudTrail
 * -> awsApiCallAction, flows -> networkConnectionAction or portProbeAction,
 * DNS -> dnsRequestAction) and fills the resource details it knows; the type
 * table decides resourceType, severity defaults, role and identity. Nothing is
 * invented: geo and organisation of remote addresses, instance type, tags and
 * the like stay absent until an enrichment step fills them.
 */
#include "finding/finding.h"

#include <string.h>

#include "base/buf.h"
#include "base/domain.h"
#include "base/err.h"
#include "base/ip.h"
#include "base/json.h"

#define IPTXT 64

struct port_name {
    int32_t port;
    const char *name;
};

static const struct port_name port_names[] = {
    {22, "SSH"}, {25, "SMTP"}, {53, "DNS"}, {80, "HTTP"}, {443, "HTTPS"}, {3389, "RDP"},
};

static const char *port_label(int32_t port)
{
    for (size_t i = 0; i < sizeof(port_names) / sizeof(port_names[0]); i++) {
        if (port_names[i].port == port) {
            return port_names[i].name;
        }
    }
    return "Unknown";
}

/*
 * IP protocol numbers and their IANA keywords (upper case, as GuardDuty writes
 * TCP and UDP): the protocols VPC flow logs carry beside TCP and UDP, so that a
 * finding over one (DenialOfService.UnusualProtocol above all) names it.
 */
struct proto_label {
    int32_t proto;
    const char *name;
};

static const struct proto_label proto_labels[] = {
    {0, "HOPOPT"},  {1, "ICMP"},      {2, "IGMP"},         {3, "GGP"},    {4, "IPV4"},
    {6, "TCP"},     {8, "EGP"},       {9, "IGP"},          {17, "UDP"},   {33, "DCCP"},
    {41, "IPV6"},   {46, "RSVP"},     {47, "GRE"},         {50, "ESP"},   {51, "AH"},
    {58, "ICMPV6"}, {88, "EIGRP"},    {89, "OSPFIGP"},     {94, "IPIP"},  {97, "ETHERIP"},
    {98, "ENCAP"},  {103, "PIM"},     {108, "IPCOMP"},     {112, "VRRP"}, {115, "L2TP"},
    {132, "SCTP"},  {136, "UDPLITE"}, {137, "MPLS-IN-IP"},
};

static const char *proto_name(int32_t proto)
{
    for (size_t i = 0; i < sizeof(proto_labels) / sizeof(proto_labels[0]); i++) {
        if (proto_labels[i].proto == proto) {
            return proto_labels[i].name;
        }
    }
    return "Unknown";
}

/* Sets ipv4 or ipv6 from an address (nothing when the family is NONE). */
static int set_ip(struct cm_finding *f, struct cm_str *v4, struct cm_str *v6,
                  const struct cm_ip *ip)
{
    char txt[IPTXT];
    size_t n;

    if (ip->family == CM_IP_NONE) {
        return 0;
    }
    n = cm_ip_format(ip, txt, sizeof(txt));
    return cm_finding_set(f, ip->family == CM_IP_V4 ? v4 : v6, cm_str_make(txt, n));
}

static int set_port(struct cm_finding *f, struct cm_port *p, int32_t port)
{
    if (port < 0) {
        return 0;
    }
    p->port = port;
    return cm_finding_setc(f, &p->name, port_label(port));
}

/*
 * The direction seen from the instance: the flow-direction field when the
 * format has it, else inbound when only the destination is internal and
 * outbound when only the source is, else the type's usual direction.
 */
static enum cm_conn_dir flow_direction(const struct cm_flow *fl, enum cm_conn_dir hint)
{
    bool src_pub = !cm_ip_is_internal(&fl->src), dst_pub = !cm_ip_is_internal(&fl->dst);

    if (fl->direction == CM_FD_INGRESS) {
        return CM_DIR_INBOUND;
    }
    if (fl->direction == CM_FD_EGRESS) {
        return CM_DIR_OUTBOUND;
    }
    if (src_pub && !dst_pub) {
        return CM_DIR_INBOUND;
    }
    if (!src_pub && dst_pub) {
        return CM_DIR_OUTBOUND;
    }
    return hint != CM_DIR_NONE ? hint : CM_DIR_UNKNOWN;
}

static int fill_instance_flow(struct cm_finding *f, const struct cm_flow *fl,
                              const struct cm_ip *local)
{
    struct cm_nic *nic = &f->instance.nics[0];
    int rc = 0;

    rc |= cm_finding_set(f, &f->instance.instance_id, fl->instance_id);
    f->instance.nnics = 1;
    rc |= cm_finding_set(f, &nic->eni_id, fl->interface_id);
    rc |= cm_finding_set(f, &nic->subnet_id, fl->subnet_id);
    rc |= cm_finding_set(f, &nic->vpc_id, fl->vpc_id);
    if (local->family == CM_IP_V4 && !cm_ip_is_internal(local)) {
        rc |= set_ip(f, &nic->public_ip, &nic->public_ip, local);
    } else if (local->family == CM_IP_V4) {
        rc |= set_ip(f, &nic->private_ip, &nic->private_ip, local);
    }
    return rc ? CM_ENOMEM : 0;
}

static int fill_flow(struct cm_finding *f, const struct cm_event *ev,
                     const struct cm_finding_type_info *ti, enum cm_detection_dir ddir)
{
    const struct cm_flow *fl = &ev->u.flow;
    enum cm_conn_dir dir = ddir == CM_DDIR_INBOUND ? CM_DIR_INBOUND
                           : ddir == CM_DDIR_OUTBOUND
                               ? CM_DIR_OUTBOUND
                               : flow_direction(fl, ti ? ti->direction : CM_DIR_NONE);
    bool in = dir == CM_DIR_INBOUND;
    const struct cm_ip *local = in ? &fl->dst : &fl->src, *remote = in ? &fl->src : &fl->dst;
    int32_t lport = in ? fl->dstport : fl->srcport, rport = in ? fl->srcport : fl->dstport;
    int8_t blocked = fl->action == CM_FA_NONE ? CM_TRI_UNSET : fl->action == CM_FA_REJECT;
    int rc = 0;

    if (f->action_type == CM_ACT_PORT_PROBE) {
        struct cm_probe p;
        memset(&p, 0, sizeof(p));
        p.local_port.port = -1;
        rc |= set_port(f, &p.local_port, lport);
        rc |= set_ip(f, &p.local_ip.ipv4, &p.local_ip.ipv6, local);
        rc |= set_ip(f, &p.remote_ip.ipv4, &p.remote_ip.ipv6, remote);
        f->probe.blocked = blocked;
        rc = rc ? CM_ENOMEM : cm_finding_add_probe(f, &p);
    } else {
        struct cm_net_action *n = &f->net;
        n->direction = dir;
        n->blocked = blocked;
        rc |= cm_finding_setc(f, &n->protocol, proto_name(fl->protocol));
        rc |= set_ip(f, &n->local_ip.ipv4, &n->local_ip.ipv6, local);
        rc |= set_ip(f, &n->remote_ip.ipv4, &n->remote_ip.ipv6, remote);
        rc |= set_port(f, &n->local_port, lport);
        rc |= set_port(f, &n->remote_port, rport);
        rc |= cm_finding_set(f, &n->local_eni, fl->interface_id);
    }
    if (rc == 0) {
        rc = fill_instance_flow(f, fl, local);
    }
    return rc < 0 ? rc : (rc ? CM_ENOMEM : 0);
}

/* The registered domain (eTLD+1, Public Suffix List); the name itself when it has none. */
static struct cm_str registered_domain(struct cm_str name, struct cm_domain *scratch)
{
    struct cm_str r = cm_domain_registered_of(name, scratch);

    return cm_str_present(r) && r.len > 0 ? r : name;
}

static int fill_dns(struct cm_finding *f, const struct cm_event *ev)
{
    const struct cm_dns *q = &ev->u.dns;
    struct cm_str name = q->query_name;
    struct cm_nic *nic = &f->instance.nics[0];
    struct cm_domain dom;
    int rc = 0;

    if (name.len > 0 && name.p[name.len - 1] == '.') {
        name.len--;
    }
    rc |= cm_finding_set(f, &f->dns.domain, name);
    rc |= cm_finding_set(f, &f->dns.domain_with_suffix, registered_domain(name, &dom));
    rc |= cm_finding_set(f, &f->dns.protocol, q->transport);
    rc |= cm_finding_set(f, &f->dns.vpc_owner,
                         cm_str_present(q->account_id) ? q->account_id : ev->account);
    f->dns.blocked = cm_str_eqc(q->firewall_rule_action, "BLOCK");
    rc |= cm_finding_set(f, &f->instance.instance_id, q->srcid_instance);
    f->instance.nnics = 1;
    rc |= cm_finding_set(f, &nic->vpc_id, q->vpc_id);
    if (q->src_ip.family == CM_IP_V4 && cm_ip_is_internal(&q->src_ip)) {
        rc |= set_ip(f, &nic->private_ip, &nic->private_ip, &q->src_ip);
    }
    return rc ? CM_ENOMEM : 0;
}

static int fill_access_key(struct cm_finding *f, const struct cm_ct_identity *u)
{
    struct cm_str user = u->user_name;
    int rc = 0;

    if (!cm_str_present(user)) {
        user = u->issuer_user_name;
    }
    if (!cm_str_present(user) && u->type == CM_UID_ROOT) {
        user = CM_STR_LIT("Root");
    }
    f->has_access_key = true;
    if (u->access_key_id.len > 0) { /* a failed console sign-in has "accessKeyId": "" */
        rc |= cm_finding_set(f, &f->access_key.access_key_id, u->access_key_id);
    }
    rc |= cm_finding_set(f, &f->access_key.principal_id, u->principal_id);
    rc |= cm_finding_set(f, &f->access_key.user_name, user);
    rc |= cm_finding_set(f, &f->access_key.user_type, u->type_name);
    return rc ? CM_ENOMEM : 0;
}

static int add_bucket(struct cm_finding *f, struct cm_str name)
{
    struct cm_bucket *b;
    struct cm_buf arn;
    int rc;

    if (!cm_str_present(name) || f->nbuckets >= CM_FINDING_MAX_BUCKETS) {
        return 0;
    }
    b = &f->buckets[f->nbuckets++];
    cm_buf_init(&arn, CM_FINDING_MAX_STR);
    rc = cm_buf_printf(&arn, "arn:%.*s:s3:::", (int)f->partition.len, f->partition.p);
    rc = rc ? rc : cm_buf_append(&arn, name.p, name.len);
    rc = rc ? rc : cm_finding_set(f, &b->name, name);
    rc = rc ? rc : cm_finding_set(f, &b->arn, cm_str_make(arn.p, arn.len));
    rc = rc ? rc : cm_finding_setc(f, &b->type, "Destination");
    cm_buf_finish(&arn);
    return rc;
}

static int fill_api(struct cm_finding *f, const struct cm_event *ev)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_api_action *a = &f->api;
    int rc = 0;

    rc |= cm_finding_set(f, &a->api, ct->event_name);
    rc |= cm_finding_set(f, &a->service_name, ct->event_source);
    rc |= cm_finding_set(f, &a->error_code, ct->error_code);
    rc |= cm_finding_set(f, &a->user_agent, ct->user_agent);
    if (ct->source_ip.family != CM_IP_NONE) {
        rc |= cm_finding_setc(f, &a->caller_type, "Remote IP");
        rc |= set_ip(f, &a->remote_ip.ipv4, &a->remote_ip.ipv6, &ct->source_ip);
    } else if (cm_str_present(ct->source_ip_address)) {
        rc |= cm_finding_setc(f, &a->caller_type, "Domain");
        rc |= cm_finding_set(f, &a->domain, ct->source_ip_address);
    }
    if (cm_str_present(ct->uid.account_id) && cm_str_present(ev->account) &&
        !cm_str_eq(ct->uid.account_id, ev->account)) {
        rc |= cm_finding_set(f, &a->remote_account, ct->uid.account_id);
        a->remote_affiliated = CM_TRI_FALSE;
    }
    a->has_affected = true;
    rc |= fill_access_key(f, &ct->uid);
    return rc ? CM_ENOMEM : 0;
}

/*
 * publicAccess as far as the type says it: the grant types found the bucket open to
 * everyone (effectivePermission PUBLIC), the Block Public Access types found all four
 * flags of the bucket or the account off (or the block deleted). What the detection did not
 * see (the other level's flags, the policy's and ACL's read and write) is left out. Before
 * 2026-12-08 no detection's bucket had publicAccess, and a filter or an EventBridge
 * pattern on effectivePermission matched only sample findings.
 */
static int bucket_access(struct cm_finding *f, struct cm_bucket *b, const char *type)
{
    size_t lo = CM_S3P_COUNT, hi = CM_S3P_COUNT;

    if (strcmp(type, "Policy:S3/BucketAnonymousAccessGranted") == 0 ||
        strcmp(type, "Policy:S3/BucketPublicAccessGranted") == 0) {
        return cm_finding_setc(f, &b->effective_permission, "PUBLIC");
    }
    if (strcmp(type, "Policy:S3/BucketBlockPublicAccessDisabled") == 0) {
        lo = CM_S3P_BUCKET_IGNORE_ACLS, hi = CM_S3P_BUCKET_BLOCK_POLICY + 1;
    } else if (strcmp(type, "Policy:S3/AccountBlockPublicAccessDisabled") == 0) {
        lo = CM_S3P_ACCOUNT_IGNORE_ACLS, hi = CM_S3P_ACCOUNT_BLOCK_POLICY + 1;
    }
    for (size_t i = lo; i < hi; i++) {
        b->perm[i] = CM_TRI_FALSE;
    }
    return 0;
}

static int fill_buckets(struct cm_finding *f, const struct cm_detection *d, bool s3_details)
{
    const struct cm_event *ev = d->event;
    struct cm_str name = CM_STR_NULL;
    int rc;

    if (ev != NULL && ev->kind == CM_EV_CLOUDTRAIL) {
        name = cm_ct_bucket(&ev->u.ct, &f->arena);
    }
    if (f->resource_type == CM_RES_S3_BUCKET && cm_str_present(d->resource_id)) {
        name = d->resource_id;
    }
    if (f->resource_type != CM_RES_S3_BUCKET && !s3_details) {
        return 0;
    }
    rc = add_bucket(f, name);
    if (rc == 0 && f->nbuckets == 1 && d->type != NULL) {
        rc = bucket_access(f, &f->buckets[0], d->type);
    }
    if (rc == 0 && f->nbuckets > 0 && f->api.naffected < CM_FINDING_MAX_AFFECTED) {
        struct cm_kv *kv = &f->api.affected[f->api.naffected++];
        rc = cm_finding_setc(f, &kv->key, "AWS::S3::Bucket");
        rc = rc ? rc : cm_finding_set(f, &kv->value, f->buckets[0].name);
    }
    return rc;
}

/* Whether s is what a detector keys a caller by when its call carried no access key
 * (cm_ct_actor_key: the principal id, the account's id for the root user's console
 * sign-in): an identity, not a key, so it is not written as accessKeyId. */
static bool is_keyless_principal(const struct cm_detection *d, struct cm_str s)
{
    const struct cm_event *ev = d->event;

    return ev != NULL && ev->kind == CM_EV_CLOUDTRAIL && ev->u.ct.uid.access_key_id.len == 0 &&
           cm_str_eq(s, ev->u.ct.uid.principal_id);
}

/* Fills what the event does not give from the detection's resource id and actor. */
static int fill_from_detection(struct cm_finding *f, const struct cm_detection *d)
{
    struct cm_str rid = d->resource_id;
    int rc = 0;

    if (f->resource_type == CM_RES_INSTANCE && cm_str_present(rid)) {
        if (cm_str_starts(rid, "eni-")) {
            if (f->instance.nnics == 0) {
                f->instance.nnics = 1;
            }
            if (!cm_str_present(f->instance.nics[0].eni_id)) {
                rc = cm_finding_set(f, &f->instance.nics[0].eni_id, rid);
            }
        } else if (!cm_str_present(f->instance.instance_id)) {
            rc = cm_finding_set(f, &f->instance.instance_id, rid);
        }
    } else if (f->resource_type == CM_RES_ACCESS_KEY && cm_str_present(rid) &&
               !cm_str_present(f->access_key.access_key_id) && !is_keyless_principal(d, rid)) {
        f->has_access_key = true;
        rc = cm_finding_set(f, &f->access_key.access_key_id, rid);
    } else if (f->resource_type == CM_RES_S3_BUCKET && cm_str_present(d->actor) &&
               !cm_str_present(f->access_key.access_key_id) && !is_keyless_principal(d, d->actor)) {
        f->has_access_key = true;
        rc = cm_finding_set(f, &f->access_key.access_key_id, d->actor);
    }
    return rc;
}

static int fill_event(struct cm_finding *f, const struct cm_detection *d,
                      const struct cm_finding_type_info *ti)
{
    const struct cm_event *ev = d->event;
    int rc = 0;

    if (ev != NULL) {
        switch (ev->kind) {
        case CM_EV_CLOUDTRAIL:
            rc = fill_api(f, ev);
            break;
        case CM_EV_FLOW:
            rc = fill_flow(f, ev, ti, d->direction);
            break;
        case CM_EV_DNS:
            rc = fill_dns(f, ev);
            break;
        case CM_EV_NONE:
            break;
        }
    }
    rc = rc ? rc : fill_buckets(f, d, ti != NULL && ti->s3_details);
    return rc ? rc : fill_from_detection(f, d);
}

static enum cm_action_type action_of_kind(enum cm_event_kind k)
{
    switch (k) {
    case CM_EV_CLOUDTRAIL:
        return CM_ACT_AWS_API_CALL;
    case CM_EV_FLOW:
        return CM_ACT_NETWORK_CONNECTION;
    case CM_EV_DNS:
        return CM_ACT_DNS_REQUEST;
    case CM_EV_NONE:
        break;
    }
    return CM_ACT_NONE;
}

static enum cm_resource_type resource_of_kind(enum cm_event_kind k)
{
    return k == CM_EV_CLOUDTRAIL ? CM_RES_ACCESS_KEY
           : k == CM_EV_NONE     ? CM_RES_NONE
                                 : CM_RES_INSTANCE;
}

static void set_kind_defaults(struct cm_finding *f, const struct cm_detection *d,
                              const struct cm_finding_type_info *ti)
{
    enum cm_event_kind k = d->event ? d->event->kind : CM_EV_NONE;

    if (ti != NULL) {
        f->resource_type = ti->resource;
        f->action_type = ti->action;
        f->role = ti->role;
        return;
    }
    f->resource_type = d->resource_type != CM_RES_NONE ? d->resource_type : resource_of_kind(k);
    f->action_type = action_of_kind(k);
    f->role = CM_ROLE_TARGET;
}

/* evidence.threatIntelligenceDetails: one entry per list, with its threat names. */
static int set_threats(struct cm_finding *f, const struct cm_detection *d)
{
    int rc = 0;

    for (uint32_t i = 0; i < d->nintel && i < CM_DETECTION_MAX_INTEL && rc == 0; i++) {
        const struct cm_detection_intel *di = &d->intel[i];
        struct cm_threat *t = NULL;

        for (uint32_t j = 0; j < f->nthreats; j++) {
            if (cm_str_eq(f->threats[j].list_name, di->list_name)) {
                t = &f->threats[j];
            }
        }
        if (t == NULL) {
            if (f->nthreats >= CM_FINDING_MAX_THREATS) {
                continue;
            }
            t = &f->threats[f->nthreats++];
            memset(t, 0, sizeof(*t));
            rc = cm_finding_set(f, &t->list_name, di->list_name);
        }
        if (rc == 0 && cm_str_present(di->threat_name) && di->threat_name.len > 0 &&
            t->nnames < CM_FINDING_MAX_TNAMES) {
            rc = cm_finding_set(f, &t->names[t->nnames++], di->threat_name);
        }
    }
    return rc;
}

/* The members of JSON object text o (between its braces, trimmed); empty when o is not one. */
static struct cm_str trim_ws(struct cm_str s)
{
    while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\n' || s.p[0] == '\t' || s.p[0] == '\r')) {
        s.p++, s.len--;
    }
    while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\n' ||
                         s.p[s.len - 1] == '\t' || s.p[s.len - 1] == '\r')) {
        s.len--;
    }
    return s;
}

static struct cm_str object_members(struct cm_str o)
{
    o = trim_ws(o);
    if (o.len < 2 || o.p[0] != '{' || o.p[o.len - 1] != '}') {
        return cm_str_make("", 0);
    }
    return trim_ws(cm_str_make(o.p + 1, o.len - 2));
}

/*
 * additionalInfo: threatListName and threatName of the first list, as
 * GuardDuty writes them, then the detector's own members (d->info).
 */
static int set_additional_info(struct cm_finding *f, const struct cm_detection *d)
{
    struct cm_str extra = cm_str_present(d->info) ? object_members(d->info) : cm_str_make("", 0);
    struct cm_buf info;
    struct cm_jw jw;
    int rc;

    if (d->nintel == 0 && extra.len == 0) {
        return 0;
    }
    cm_buf_init(&info, CM_FINDING_MAX_STR);
    cm_jw_init(&jw, &info);
    cm_jw_obj_begin(&jw);
    if (d->nintel > 0) {
        cm_jw_key(&jw, "threatListName");
        cm_jw_strn(&jw, d->intel[0].list_name.p, d->intel[0].list_name.len);
        if (d->intel[0].threat_name.len > 0) {
            cm_jw_key(&jw, "threatName");
            cm_jw_strn(&jw, d->intel[0].threat_name.p, d->intel[0].threat_name.len);
        }
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    if (rc == 0 && extra.len > 0) {
        /* "{...}" becomes "{..., extra}" or "{extra}". */
        info.len--;
        rc = info.len > 1 ? cm_buf_putc(&info, ',') : 0;
        rc = rc ? rc : cm_buf_append(&info, extra.p, extra.len);
        rc = rc ? rc : cm_buf_putc(&info, '}');
    }
    rc = rc ? rc : cm_finding_set(f, &f->additional_info, cm_str_make(info.p, info.len));
    cm_buf_finish(&info);
    return rc;
}

static int copy_evidence(struct cm_finding *f, const struct cm_finding_ctx *ctx,
                         const struct cm_detection *d)
{
    uint32_t n = d->nevidence < CM_FINDING_MAX_EVIDENCE ? d->nevidence : CM_FINDING_MAX_EVIDENCE;
    int rc = 0;

    for (uint32_t i = 0; i < n; i++) {
        f->evidence[i].ref = d->evidence[i];
    }
    if (n == 0 && d->event != NULL) {
        f->evidence[0].ref = d->event->src;
        n = 1;
    }
    f->nevidence = n;
    for (uint32_t i = 0; i < n && ctx->file_name != NULL && rc == 0; i++) {
        rc = cm_finding_setc(f, &f->evidence[i].file,
                             ctx->file_name(ctx->ud, f->evidence[i].ref.file_id));
    }
    return rc;
}

static int set_header(struct cm_finding *f, const struct cm_finding_ctx *ctx,
                      const struct cm_detection *d)
{
    int rc = 0;

    struct cm_str account = d->account;

    if (d->type == NULL || d->type[0] == '\0' || !cm_str_present(d->account) ||
        !cm_str_present(d->region)) {
        return CM_EINVAL;
    }
    if (d->event != NULL && d->event->kind == CM_EV_DNS && d->resource_type == CM_RES_INSTANCE &&
        ctx->instance_owner != NULL) {
        struct cm_str owner = ctx->instance_owner(ctx->owner_ud, d->resource_id);
        if (cm_str_present(owner) && owner.len > 0) {
            account = owner; /* a shared VPC's participant, not the VPC's creator */
        }
    }
    rc |= cm_finding_setc(f, &f->type, d->type);
    rc |= cm_finding_set(f, &f->account_id, account);
    rc |= cm_finding_set(f, &f->region, d->region);
    rc |= cm_finding_setc(f, &f->partition,
                          ctx->partition ? ctx->partition : cm_region_partition(d->region));
    rc |= cm_finding_setc(f, &f->detector_id, ctx->detector_id ? ctx->detector_id : "");
    f->count = d->count ? d->count : 1;
    f->restated = d->restate;
    f->last_seen_ms = d->time_ms;
    f->first_seen_ms = d->first_ms ? d->first_ms : d->time_ms;
    f->created_ms = f->updated_ms = ctx->now_ms ? ctx->now_ms : d->time_ms;
    return rc ? CM_ENOMEM : 0;
}

int cm_finding_from_detection(struct cm_finding *f, const struct cm_finding_ctx *ctx,
                              const struct cm_detection *d)
{
    const struct cm_finding_type_info *ti = cm_finding_type_info(d->type);
    struct cm_str res, actor;
    int rc;

    rc = set_header(f, ctx, d);
    if (rc != 0) {
        goto out;
    }
    set_kind_defaults(f, d, ti);
    rc = fill_event(f, d, ti);
    if (rc != 0) {
        goto out;
    }
    if (ti != NULL && (ti->identity & CM_FID_ROLE)) {
        f->role = f->net.direction == CM_DIR_OUTBOUND ? CM_ROLE_ACTOR : CM_ROLE_TARGET;
    }
    f->severity = d->severity > 0.0 ? d->severity : cm_finding_default_severity(ti, f->role);
    if (f->severity <= 0.0) {
        f->severity = 5.0;
    }
    rc = copy_evidence(f, ctx, d);
    rc = rc ? rc : set_threats(f, d);
    rc = rc ? rc : set_additional_info(f, d);
    rc = rc ? rc : cm_finding_api_calls_start(f);
    if (rc == 0 && cm_str_present(d->remote_account) && f->action_type == CM_ACT_AWS_API_CALL) {
        rc = cm_finding_set(f, &f->api.remote_account, d->remote_account);
        f->api.remote_affiliated = d->remote_affiliated ? CM_TRI_TRUE : CM_TRI_FALSE;
    }
    if (rc != 0) {
        goto out;
    }
    cm_finding_identity(f, &res, &actor);
    /*
     * An attack sequence is one finding whichever region its signals were in, and the S3
     * one whichever bucket its newest signal names: a merge takes the newest's bucket.
     */
    if (ti != NULL && (ti->identity & CM_FID_ANY_RESOURCE)) {
        res = CM_STR_LIT("");
    }
    rc =
        cm_finding_id(f->account_id,
                      ti != NULL && (ti->identity & CM_FID_ANY_REGION) ? CM_STR_LIT("") : f->region,
                      f->type, res, actor, f->id);
    rc = rc ? rc : cm_finding_make_arn(f);
    if (rc == 0 && ti != NULL) {
        rc = cm_finding_expand(f, ti->title, &f->title);
        rc = rc ? rc : cm_finding_expand(f, ti->description, &f->description);
    }
out:
    return rc;
}

_Static_assert(CM_FINDING_ID_LEN == CM_DETECTION_FINDING_ID_LEN, "a detection's finding id");
_Static_assert(CM_FINDING_MAX_STR >= CM_DETECTION_MAX_INFO, "a detection's info fits");

bool cm_finding_ref(const struct cm_detection *d, struct cm_detection_ref *out)
{
    /* The id and severity of a credential's finding depend on the detection alone (the
     * context's instance_owner names only an instance's account). */
    const struct cm_finding_ctx ctx = {.detector_id = "0"};
    struct cm_finding f;
    bool ok;

    cm_finding_init(&f);
    ok = cm_finding_from_detection(&f, &ctx, d) == 0;
    if (ok) {
        struct cm_str b = f.nbuckets > 0 ? f.buckets[0].name : CM_STR_NULL;

        memcpy(out->id, f.id, CM_FINDING_ID_LEN + 1);
        out->severity = f.severity;
        out->bucket[0] = '\0';
        if (cm_str_present(b) && b.len < sizeof(out->bucket)) {
            memcpy(out->bucket, b.p, b.len);
            out->bucket[b.len] = '\0';
        }
    }
    cm_finding_finish(&f);
    return ok;
}
