/*
 * The normalized event: the one contract between parsers, detectors and
 * outputs. A parser fills a struct cm_event from one log record; detectors
 * only read it. All strings are slices into the parser's input buffer (or into
 * a JSON document's source) and live as long as the batch that carries the
 * event; nothing is copied on the hot path. An absent field is CM_STR_NULL.
 *
 * Where the event came from (struct cm_src_ref) travels with it, so a finding
 * can cite the exact raw record as evidence.
 */
#ifndef CM_EVENT_EVENT_H
#define CM_EVENT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ip.h"
#include "base/domain.h"
#include "base/json.h"
#include "base/str.h"

enum cm_event_kind {
    CM_EV_NONE = 0,
    CM_EV_CLOUDTRAIL = 1,
    CM_EV_FLOW = 2,
    CM_EV_DNS = 3,
};
#define CM_EV_KIND_COUNT 4
#define CM_EV_MASK(k)    (1u << (k))

/* Location of the raw record: which input, where, and how long. */
struct cm_src_ref {
    uint32_t file_id; /* index into the run's input table (src/ owns names) */
    uint32_t line;    /* 1-based line of the record's first byte, 0 if unknown */
    uint64_t offset;  /* byte offset of the record in the decoded input */
    uint32_t length;  /* bytes of the record */
};

/* CloudTrail userIdentity.type. */
enum cm_uid_type {
    CM_UID_UNKNOWN = 0,
    CM_UID_ROOT,
    CM_UID_IAMUSER,
    CM_UID_ASSUMEDROLE,
    CM_UID_ROLE,
    CM_UID_FEDERATEDUSER,
    CM_UID_DIRECTORY,
    CM_UID_AWSACCOUNT,
    CM_UID_AWSSERVICE,
    CM_UID_IDENTITYCENTERUSER,
    CM_UID_SAMLUSER,
    CM_UID_WEBIDENTITYUSER,
};

struct cm_ct_identity {
    enum cm_uid_type type;
    struct cm_str type_name; /* raw userIdentity.type */
    struct cm_str principal_id;
    struct cm_str arn;
    struct cm_str account_id;
    struct cm_str access_key_id;
    struct cm_str user_name;
    struct cm_str invoked_by;
    struct cm_str credential_id;
    struct cm_str identity_provider;
    /* sessionContext */
    struct cm_str issuer_type;
    struct cm_str issuer_principal_id;
    struct cm_str issuer_arn;
    struct cm_str issuer_account_id;
    struct cm_str issuer_user_name;
    struct cm_str creation_date;
    struct cm_str mfa_authenticated; /* "true" / "false" */
    struct cm_str source_identity;
    struct cm_str ec2_role_delivery; /* "1.0" / "2.0" for instance credentials */
    struct cm_str assumed_root;
    struct cm_str web_id_provider; /* webIdFederationData.federatedProvider */
    uint32_t node;                 /* userIdentity object node, or CM_JSON_NONE */
    uint32_t session_context;      /* sessionContext node, or CM_JSON_NONE */
};

struct cm_ct {
    const struct cm_json_doc *doc; /* the record's JSON (nodes valid for the batch) */
    uint32_t root;                 /* the record object */
    struct cm_str event_version;
    struct cm_str event_source;
    struct cm_str event_name;
    struct cm_str event_type;
    struct cm_str event_category; /* "Management", "Data", "NetworkActivity" */
    struct cm_str event_id;
    struct cm_str request_id;
    struct cm_str source_ip_address; /* raw: an IP or a service name */
    struct cm_ip source_ip;          /* family CM_IP_NONE when not an IP */
    struct cm_str user_agent;
    struct cm_str error_code;
    struct cm_str error_message;
    struct cm_str recipient_account_id;
    struct cm_str shared_event_id;
    struct cm_str vpc_endpoint_id;
    struct cm_str vpc_endpoint_account_id;
    struct cm_str session_credential_from_console;
    int8_t read_only;        /* 1 true, 0 false, -1 absent */
    int8_t management_event; /* 1 true, 0 false, -1 absent */
    bool from_eventbridge;   /* record came inside an EventBridge envelope */
    struct cm_ct_identity uid;
    uint32_t request_parameters; /* nodes, CM_JSON_NONE when absent or null */
    uint32_t response_elements;
    uint32_t additional_event_data;
    uint32_t resources;
    uint32_t tls_details;
    uint32_t service_event_details;
};

/* VPC Flow Log fields, every version (spec §7.2). Order is the id, not the file order. */
enum cm_flow_field {
    CM_FF_VERSION = 0,
    CM_FF_ACCOUNT_ID,
    CM_FF_INTERFACE_ID,
    CM_FF_SRCADDR,
    CM_FF_DSTADDR,
    CM_FF_SRCPORT,
    CM_FF_DSTPORT,
    CM_FF_PROTOCOL,
    CM_FF_PACKETS,
    CM_FF_BYTES,
    CM_FF_START,
    CM_FF_END,
    CM_FF_ACTION,
    CM_FF_LOG_STATUS,
    CM_FF_VPC_ID,
    CM_FF_SUBNET_ID,
    CM_FF_INSTANCE_ID,
    CM_FF_TCP_FLAGS,
    CM_FF_TYPE,
    CM_FF_PKT_SRCADDR,
    CM_FF_PKT_DSTADDR,
    CM_FF_REGION,
    CM_FF_AZ_ID,
    CM_FF_SUBLOCATION_TYPE,
    CM_FF_SUBLOCATION_ID,
    CM_FF_PKT_SRC_AWS_SERVICE,
    CM_FF_PKT_DST_AWS_SERVICE,
    CM_FF_FLOW_DIRECTION,
    CM_FF_TRAFFIC_PATH,
    CM_FF_ECS_CLUSTER_ARN,
    CM_FF_ECS_CLUSTER_NAME,
    CM_FF_ECS_CONTAINER_INSTANCE_ARN,
    CM_FF_ECS_CONTAINER_INSTANCE_ID,
    CM_FF_ECS_CONTAINER_ID,
    CM_FF_ECS_SECOND_CONTAINER_ID,
    CM_FF_ECS_SERVICE_NAME,
    CM_FF_ECS_TASK_DEFINITION_ARN,
    CM_FF_ECS_TASK_ARN,
    CM_FF_ECS_TASK_ID,
    CM_FF_REJECT_REASON,
    CM_FF_RESOURCE_ID,
    CM_FF_ENCRYPTION_STATUS,
    CM_FF_COUNT
};

enum cm_flow_action { CM_FA_NONE = 0, CM_FA_ACCEPT, CM_FA_REJECT };
enum cm_flow_status { CM_FS_OK = 0, CM_FS_NODATA, CM_FS_SKIPDATA };
enum cm_flow_dir { CM_FD_UNKNOWN = 0, CM_FD_INGRESS, CM_FD_EGRESS };

/* Where a field's raw text is in its line: text[off, off + len); len 0 for "-". */
struct cm_flow_span {
    uint16_t off, len;
};

/* Flow log lines are at most this long, so a span's offset and length fit 16 bits. */
#define CM_FLOW_MAX_LINE 65535u

/*
 * A flow record. The typed fields come first; f[] says where the raw text of
 * every field of the line's format is in the line ("-" has length 0) and is
 * last, so copies of the event can stop after the highest field present. It
 * is 4 bytes a field rather than a struct cm_str's 16 because the events go
 * from reader to worker by the batch (docs/internals/scan.md). Read f[]
 * through cm_flow_field(), which answers CM_STR_NULL for a field not in the
 * format or "-".
 */
struct cm_flow {
    uint64_t present; /* bit i set when field i was in the line's format */
    int version;
    struct cm_str account_id;
    struct cm_str interface_id;
    struct cm_str instance_id;
    struct cm_str vpc_id;
    struct cm_str subnet_id;
    struct cm_ip src, dst; /* family NONE when "-" */
    struct cm_ip pkt_src, pkt_dst;
    int32_t srcport, dstport; /* -1 when "-" */
    int32_t protocol;         /* -1 when "-" */
    uint64_t packets, bytes;
    int64_t start, end;   /* Unix seconds; 0 when "-" */
    int32_t tcp_flags;    /* -1 when absent */
    int32_t traffic_path; /* -1 when absent */
    enum cm_flow_action action;
    enum cm_flow_status status;
    enum cm_flow_dir direction;         /* from flow-direction when present */
    const char *text;                   /* the line (after any CloudWatch Logs prefix) */
    struct cm_flow_span f[CM_FF_COUNT]; /* raw text by field id; see cm_flow_field() */
};

/* Raw text of field id, or CM_STR_NULL when the line's format lacks it or it was "-". */
static inline struct cm_str cm_flow_field(const struct cm_flow *fl, enum cm_flow_field id)
{
    if ((unsigned)id >= CM_FF_COUNT || !(fl->present & (1ULL << id)) || fl->f[id].len == 0) {
        return CM_STR_NULL;
    }
    return cm_str_make(fl->text + fl->f[id].off, fl->f[id].len);
}

/* What an answer's Type is, for the detectors that look at answers. */
enum cm_dns_rr {
    CM_DNS_RR_OTHER = 0,
    CM_DNS_RR_A,
    CM_DNS_RR_AAAA,
    CM_DNS_RR_CNAME,
    CM_DNS_RR_TXT,  /* text (the Rdata as logged, quotes and all) */
    CM_DNS_RR_MX,   /* "preference name" */
    CM_DNS_RR_NULL, /* raw bytes, logged as hexadecimal or text */
    CM_DNS_RR_LAST = CM_DNS_RR_NULL,
};

/* Answers kept per record (struct cm_dns.ans); nanswers counts them all. */
#define CM_DNS_MAX_ANSWERS 16

struct cm_dns_answer {
    struct cm_str rdata; /* as logged (a slice of the record, or decoded) */
    uint8_t type;        /* enum cm_dns_rr */
    struct cm_ip ip;     /* A and AAAA: rdata parsed once by the parser; else CM_IP_NONE */
};

/*
 * How the instance of a Resolver query (struct cm_dns.srcid_instance) is
 * known. The parser leaves LOGGED; a scan with an inventory may name the
 * instance of a record that logged none (cm_inventory_dns_attribute).
 */
enum cm_dns_srcid {
    CM_DNS_SRCID_LOGGED = 0, /* srcids.instance as logged (or absent, not looked up yet) */
    CM_DNS_SRCID_INVENTORY,  /* none logged: the inventory's instance at (vpc_id, srcaddr) */
    CM_DNS_SRCID_ENDPOINT,   /* none: the client of an inbound Resolver endpoint */
    CM_DNS_SRCID_UNKNOWN,    /* none: no instance logged and none known at the address */
};
#define CM_DNS_SRCID_COUNT 4

/*
 * A Resolver query. The parser fills it from the record's text, without
 * keeping a JSON document: a record in the usual shape is read by a fast
 * scanner, any other by the JSON reader; both give the same fields.
 */
struct cm_dns {
    struct cm_str version;
    struct cm_str account_id;
    struct cm_str region;
    struct cm_str vpc_id;
    struct cm_str query_timestamp;
    struct cm_str query_name; /* as logged, with the trailing dot */
    struct cm_str query_type;
    struct cm_str query_class;
    struct cm_str rcode;
    struct cm_str srcaddr;
    struct cm_ip src_ip;
    int32_t srcport; /* -1 when absent */
    struct cm_str transport;
    struct cm_str srcid_instance;
    struct cm_str srcid_resolver_endpoint;
    struct cm_str srcid_resolver_network_interface;
    uint8_t srcid_from; /* enum cm_dns_srcid: where srcid_instance comes from */
    struct cm_str firewall_rule_action;
    struct cm_str firewall_rule_group_id;
    struct cm_str firewall_domain_list_id;
    /*
     * query_name normalised and split (registered domain, public suffix);
     * qname_ok false when it is no valid name. The parser fills it once, so
     * detectors need not.
     */
    struct cm_domain qname;
    bool qname_ok;
    uint32_t nanswers; /* answers: the objects of the answers array (other elements are none) */
    uint32_t nans;     /* of which kept in ans[]: the first CM_DNS_MAX_ANSWERS */
    struct cm_dns_answer ans[CM_DNS_MAX_ANSWERS]; /* last: copies stop at ans[nans] */
};

struct cm_event {
    enum cm_event_kind kind;
    int64_t time_ms;       /* event time */
    struct cm_str account; /* owning account: recipientAccountId, account-id, account_id */
    struct cm_str region;  /* awsRegion / region; may be absent for flows */
    struct cm_src_ref src;
    /*
     * The identity of the record out of CloudWatch Logs: its log event's id (cm_cwl_piece.id)
     * mixed with the record's place in the message, the same in every delivery of the event
     * (detect/seen.h reads a copy once); 0 for a record that came otherwise, or whose log
     * event carried no id. Set by the scan's reader, not by the parsers (they leave it 0).
     */
    uint64_t log_id;
    union {
        struct cm_ct ct;
        struct cm_flow flow;
        struct cm_dns dns;
    } u;
};

/*
 * Bytes of *ev that carry its content: the common header plus the union
 * member of its kind (for flows, up to the highest field present). Copying
 * this many bytes copies the event.
 */
static inline size_t cm_event_size(const struct cm_event *ev)
{
    size_t head = offsetof(struct cm_event, u);

    switch (ev->kind) {
    case CM_EV_CLOUDTRAIL:
        return head + sizeof(struct cm_ct);
    case CM_EV_FLOW: {
        /* Up to the highest field present: the rest of f[] is not part of it. */
        uint64_t p = ev->u.flow.present;
        size_t hi = p ? 64 - (size_t)__builtin_clzll(p) : 0;
        return head + offsetof(struct cm_flow, f) + hi * sizeof(struct cm_flow_span);
    }
    case CM_EV_DNS:
        return head + offsetof(struct cm_dns, ans) + ev->u.dns.nans * sizeof(struct cm_dns_answer);
    default:
        return sizeof(*ev);
    }
}

/* Name of an event kind ("cloudtrail", "vpcflow", "dns"). */
const char *cm_event_kind_name(enum cm_event_kind k);

/* Whether s is an AWS account id: 12 ASCII digits. */
bool cm_account_id_ok(struct cm_str s);

/*
 * Whether s has a region name's shape: 3 to 32 lowercase letters, digits and
 * dashes (us-east-1, us-gov-west-1); the name is not checked against a list.
 */
bool cm_region_shape_ok(struct cm_str s);

/*
 * Whether s is written as AWS writes a region's name: lowercase words joined by
 * dashes, the first of at least two letters, then a dash and a number (us-east-1,
 * us-gov-west-1, ap-southeast-3, eusc-de-east-1); at most 32 characters. Not
 * checked against a list. Stricter than cm_region_shape_ok, which an S3-compatible
 * store's own region names (garage, local) pass: for the regions of findings.
 */
bool cm_region_name_ok(struct cm_str s);

/*
 * The partition a region is in, from its name's prefix as AWS assigns them:
 * "aws-cn" (cn-*), "aws-us-gov" (us-gov-*), "aws-iso" (us-iso-*), "aws-iso-b"
 * (us-isob-*), "aws-iso-e" (eu-isoe-*), "aws-iso-f" (us-isof-*), "aws-eusc"
 * (eusc-*), else "aws". A static string.
 */
const char *cm_region_partition(struct cm_str region);

/*
 * An empty CloudTrail record: every member absent (JSON nodes CM_JSON_NONE),
 * readOnly and managementEvent unknown (-1). The parser and the sample
 * findings start from it.
 */
void cm_ct_init(struct cm_ct *ct);

/*
 * requestParameters.bucketName of a CloudTrail record: unescaped into arena
 * a when it has escapes (a NULL arena gives the raw slice); CM_STR_NULL when
 * absent or not a string.
 */
struct cm_str cm_ct_bucket(const struct cm_ct *ct, struct cm_arena *a);

/* Maps a userIdentity.type string to the enum. */
enum cm_uid_type cm_uid_type_from(struct cm_str s);

/*
 * The entity key (DESIGN.md §4): the entity that owns detector state for this
 * event. CloudTrail: the account whose trail logged it (recipientAccountId,
 * else the caller's account), because the CloudTrail detectors correlate
 * principals of one account (issue #5); flows: the ENI (interface-id; the instance id, then the
 * account and source address, when the ENI is absent); DNS: the source
 * instance (srcids.instance), else the VPC and source address.
 * The same key picks the worker shard and the Kafka partition.
 *
 * Writes the key into out (NUL-terminated, truncated to outlen-1) and returns
 * its full length.
 */
size_t cm_event_entity_key(const struct cm_event *ev, char *out, size_t outlen);

/* Seeded hash of the entity key; shard = hash % nshards. */
uint64_t cm_event_entity_hash(const struct cm_event *ev, uint64_t seed);

/*
 * The event's identity, stable across runs and machines (it is stored): the
 * same underlying record read again, from the same file or from a copy
 * (an organisation trail and the account's own trail), has the same key.
 * CloudTrail: the eventID (else time, source, name, caller and address);
 * flows: every field of the record as logged; DNS: time, source address and
 * port, instance as logged (not one the inventory named), VPC, name, type,
 * class, transport and response code.
 * Used to count each underlying event once per finding (issue #3).
 */
uint64_t cm_event_key(const struct cm_event *ev);

#endif
