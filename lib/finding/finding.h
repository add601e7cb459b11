/*
 * The finding model: struct cm_finding is GuardDuty's Finding document
 * (schemaVersion "2.0", same members and JSON types as the public API model)
 * for the four foundational action types (AWS_API_CALL, NETWORK_CONNECTION,
 * DNS_REQUEST, PORT_PROBE) and the resource types Instance, AccessKey and
 * S3Bucket, plus coalmine's evidence: references to the raw records that
 * produced it. docs/internals/finding.md describes the model, the identity
 * rules and the output forms.
 *
 * Ownership. Every string of a finding (struct cm_str, p == NULL when absent)
 * is owned by the finding's arena: cm_finding_set() copies into it, and
 * cm_finding_finish() frees it all at once. Strings are NUL-terminated as a
 * courtesy of the arena, but lengths are authoritative. Copying a struct
 * cm_finding by value is not allowed (the arena would be shared).
 *
 * Absent values: strings {NULL, 0}; booleans CM_TRI_UNSET; ports -1; times 0.
 */
#ifndef CM_FINDING_FINDING_H
#define CM_FINDING_FINDING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "event/event.h"
#include "event/finding.h"

#define CM_FINDING_ID_LEN        32 /* lowercase hex characters */
#define CM_FINDING_MAX_EVIDENCE  8  /* source records kept per finding */
#define CM_FINDING_MAX_PROBES    32 /* portProbeDetails[] entries kept */
#define CM_FINDING_MAX_NICS      2
#define CM_FINDING_MAX_SGS       4
#define CM_FINDING_MAX_TAGS      8
#define CM_FINDING_MAX_BUCKETS   2
#define CM_FINDING_MAX_AFFECTED  4
#define CM_FINDING_MAX_THREATS   2
#define CM_FINDING_MAX_TNAMES    4
#define CM_FINDING_MAX_API_CALLS 16 /* additionalInfo.apiCalls[] entries kept */
#define CM_FINDING_SCHEMA        "2.0"
#define CM_FINDING_SERVICE_NAME  "guardduty"
#define CM_FINDING_MAX_STR       4096 /* longest string copied into a finding */

/* Members an attack sequence keeps besides the signals it lists (past_members). */
#define CM_FINDING_MAX_PAST_MEMBERS 64

/* Tri-state boolean: unset members are left out of the JSON. */
enum cm_tri { CM_TRI_UNSET = -1, CM_TRI_FALSE = 0, CM_TRI_TRUE = 1 };

enum cm_action_type {
    CM_ACT_NONE = 0,
    CM_ACT_AWS_API_CALL,
    CM_ACT_NETWORK_CONNECTION,
    CM_ACT_DNS_REQUEST,
    CM_ACT_PORT_PROBE,
};

enum cm_role { CM_ROLE_NONE = 0, CM_ROLE_TARGET, CM_ROLE_ACTOR };

enum cm_conn_dir { CM_DIR_NONE = 0, CM_DIR_INBOUND, CM_DIR_OUTBOUND, CM_DIR_UNKNOWN };

/* remoteIpDetails: geo and organisation are left out when unknown. */
struct cm_remote_ip {
    struct cm_str ipv4, ipv6;
    struct cm_str asn, asn_org, isp, org; /* organization {} when any is set */
    struct cm_str country_code, country_name;
    struct cm_str city;
    bool has_geo;
    double lat, lon;
};

struct cm_local_ip {
    struct cm_str ipv4, ipv6;
};

struct cm_port {
    int32_t port; /* -1: absent */
    struct cm_str name;
};

struct cm_net_action {
    enum cm_conn_dir direction;
    struct cm_str protocol;
    int8_t blocked;
    struct cm_local_ip local_ip;
    struct cm_port local_port;
    struct cm_str local_eni;
    struct cm_remote_ip remote_ip;
    struct cm_port remote_port;
};

struct cm_probe {
    struct cm_port local_port;
    struct cm_local_ip local_ip;
    struct cm_remote_ip remote_ip;
};

struct cm_probe_action {
    int8_t blocked;
    uint32_t nprobes;
    struct cm_probe *probes; /* CM_FINDING_MAX_PROBES slots in the arena */
};

struct cm_dns_action {
    struct cm_str domain, domain_with_suffix, protocol, vpc_owner;
    int8_t blocked;
};

struct cm_kv {
    struct cm_str key, value;
};

struct cm_api_action {
    struct cm_str api, service_name, caller_type, error_code, user_agent;
    struct cm_str domain; /* domainDetails.domain */
    struct cm_remote_ip remote_ip;
    struct cm_str remote_account; /* remoteAccountDetails.accountId */
    int8_t remote_affiliated;
    bool has_affected; /* emit affectedResources (may be {}) */
    uint32_t naffected;
    struct cm_kv affected[CM_FINDING_MAX_AFFECTED];
};

struct cm_nic {
    struct cm_str eni_id, private_dns, private_ip, public_dns, public_ip, subnet_id, vpc_id;
    uint32_t nsgs;
    struct cm_kv sgs[CM_FINDING_MAX_SGS]; /* {groupId, groupName} */
};

struct cm_instance {
    struct cm_str instance_id, instance_type, instance_state, availability_zone;
    struct cm_str image_id, image_description, launch_time, platform, outpost_arn;
    struct cm_str profile_arn, profile_id; /* iamInstanceProfile */
    uint32_t nnics;
    struct cm_nic nics[CM_FINDING_MAX_NICS];
    uint32_t ntags;
    struct cm_kv tags[CM_FINDING_MAX_TAGS];
};

struct cm_access_key {
    struct cm_str access_key_id, principal_id, user_name, user_type;
};

/* publicAccess.permissionConfiguration flags, by index. */
enum cm_s3_perm {
    CM_S3P_ACL_READ = 0, /* bucketLevelPermissions.accessControlList */
    CM_S3P_ACL_WRITE,
    CM_S3P_POLICY_READ, /* bucketLevelPermissions.bucketPolicy */
    CM_S3P_POLICY_WRITE,
    CM_S3P_BUCKET_IGNORE_ACLS, /* bucketLevelPermissions.blockPublicAccess */
    CM_S3P_BUCKET_RESTRICT,
    CM_S3P_BUCKET_BLOCK_ACLS,
    CM_S3P_BUCKET_BLOCK_POLICY,
    CM_S3P_ACCOUNT_IGNORE_ACLS, /* accountLevelPermissions.blockPublicAccess */
    CM_S3P_ACCOUNT_RESTRICT,
    CM_S3P_ACCOUNT_BLOCK_ACLS,
    CM_S3P_ACCOUNT_BLOCK_POLICY,
    CM_S3P_COUNT
};

struct cm_bucket {
    struct cm_str arn, name, type, owner_id;
    int64_t created_ms; /* createdAt (model timestamp: epoch seconds in JSON); 0 absent */
    struct cm_str encryption_type, kms_key_arn;
    struct cm_str effective_permission;
    int8_t perm[CM_S3P_COUNT]; /* enum cm_tri each */
    uint32_t ntags;
    struct cm_kv tags[CM_FINDING_MAX_TAGS];
};

struct cm_threat {
    struct cm_str list_name, sha256;
    uint32_t nnames;
    struct cm_str names[CM_FINDING_MAX_TNAMES];
};

/*
 * One API of additionalInfo.apiCalls[] (MaliciousIPCaller and TorIPCaller
 * findings, spec 3.x): how often the finding's caller called it, first and last.
 */
struct cm_api_call {
    struct cm_str name;
    uint32_t count;
    int64_t first_ms, last_ms;
};

/* One source record behind the finding (coalmine's extension). */
struct cm_finding_evidence {
    struct cm_src_ref ref;
    struct cm_str file; /* file or object key; absent when unknown */
};

struct cm_finding {
    struct cm_arena arena; /* owns every string and the probe array */
    struct cm_str account_id, region, partition, type, title, description, arn;
    char id[CM_FINDING_ID_LEN + 1];
    double severity;
    bool has_confidence;
    double confidence;
    int64_t created_ms, updated_ms;
    /* resource */
    enum cm_resource_type resource_type;
    bool has_access_key; /* accessKeyDetails present */
    struct cm_access_key access_key;
    struct cm_instance instance;
    uint32_t nbuckets;
    struct cm_bucket buckets[CM_FINDING_MAX_BUCKETS];
    /* service */
    struct cm_str detector_id;
    enum cm_action_type action_type;
    struct cm_api_action api;
    struct cm_net_action net;
    struct cm_dns_action dns;
    struct cm_probe_action probe;
    enum cm_role role;
    bool archived;
    struct cm_str user_feedback; /* service.userFeedback: USEFUL / NOT_USEFUL, or absent */
    uint32_t count;
    int64_t first_seen_ms, last_seen_ms;
    struct cm_str additional_info; /* raw JSON object text of detector keys, or absent */
    uint32_t nthreats;
    struct cm_threat threats[CM_FINDING_MAX_THREATS];
    uint32_t nevidence;
    struct cm_finding_evidence evidence[CM_FINDING_MAX_EVIDENCE];
    uint32_t napi_calls; /* additionalInfo.apiCalls, by first call (finding_api_calls.c) */
    struct cm_api_call api_calls[CM_FINDING_MAX_API_CALLS];
    /*
     * associatedAttackSequenceArn: the ARN of an attack sequence finding whose signals
     * name this one (absent when none does). Of two such sequences, the lower ARN: the
     * same whichever arrives first (cm_finding_associate).
     */
    struct cm_str sequence_arn;
    /*
     * An attack sequence's members that earlier statements of it listed as signals and
     * this one does not (its list is the newest 8; the others were pushed out): the ids
     * of up to CM_FINDING_MAX_PAST_MEMBERS findings, CM_FINDING_ID_LEN characters each,
     * one after another. They are members still: cm_finding_sequence_members names them
     * after the listed ones, so one scan marks every finding the sequence ever listed,
     * as a follow or hourly scans do that stored each statement. Kept by cm_finding_merge
     * across restatements; not serialised.
     */
    struct cm_str past_members;
    /*
     * Built from a restatement (cm_detection.restate: an attack sequence, which says
     * everything it knows each time): a merge keeps its evidence, not the records of
     * the finding it updates followed by its own. Not serialised.
     */
    bool restated;
};

/* Identity flags of a finding type: what besides (account, region, type, resource). */
#define CM_FID_ROLE   0x1u /* resourceRole (TARGET / ACTOR): brute-force types */
#define CM_FID_CALLER 0x2u /* the caller's access key: S3 data-event types */
#define CM_FID_BUCKET 0x4u /* the bucket: Policy:S3 and Stealth:S3 types of one bucket */
/* Not the region: one finding across regions (a credential's attack sequence). */
#define CM_FID_ANY_REGION 0x8u
/*
 * Not the resource: one finding per caller whichever bucket it names (the S3
 * attack sequence, placed on the bucket of its newest S3 signal, which moves).
 */
#define CM_FID_ANY_RESOURCE 0x10u

enum cm_type_status { CM_TYPE_ACTIVE = 0, CM_TYPE_RETIRED, CM_TYPE_RENAMED };

/*
 * One row of the finding type table (finding_types.c). Titles and
 * descriptions are templates: {resource} (instance id, access key or bucket),
 * {remote} (remote IP or caller), {api}, {domain}, {user}, {bucket}.
 */
struct cm_finding_type_info {
    const char *type;
    enum cm_resource_type resource; /* resourceType */
    bool s3_details;                /* AccessKey findings that carry s3BucketDetails */
    enum cm_action_type action;
    enum cm_conn_dir direction; /* usual connectionDirection, NONE when n/a */
    enum cm_role role;          /* default resourceRole (brute force: from the direction) */
    double severity;            /* default (as TARGET for role-dependent types) */
    double severity_actor;      /* when the resource is the ACTOR; 0: same */
    unsigned identity;          /* CM_FID_* */
    enum cm_type_status status;
    const char *title;
    const char *description;
};

/* Looks up a type; NULL when unknown. */
const struct cm_finding_type_info *cm_finding_type_info(const char *type);
/*
 * The type whose name equals type but for ASCII case (Recon:EC2/PortScan gives
 * Recon:EC2/Portscan), for "did you mean" hints; NULL when none. Linear.
 */
const struct cm_finding_type_info *cm_finding_type_like(struct cm_str type);
/* The whole table (for tests and listings). */
const struct cm_finding_type_info *cm_finding_types(size_t *n);

/* Names of enums as written in the JSON. */
const char *cm_action_type_name(enum cm_action_type a);
const char *cm_resource_type_name(enum cm_resource_type r);
const char *cm_role_name(enum cm_role r);
const char *cm_conn_dir_name(enum cm_conn_dir d);
/* "Low" (< 4), "Medium" (< 7), "High" (< 9) or "Critical". */
const char *cm_severity_label(double severity);
/* Default severity of a type in a role (table value; 0 when the type is unknown). */
double cm_finding_default_severity(const struct cm_finding_type_info *ti, enum cm_role role);

/* Initialises an empty finding (schema defaults, no allocation yet). */
void cm_finding_init(struct cm_finding *f);
/* Frees the arena; idempotent. */
void cm_finding_finish(struct cm_finding *f);
/* Empties f as cm_finding_init does but keeps its arena's memory for reuse. */
void cm_finding_reset(struct cm_finding *f);
/* Copies src into the finding's arena and points *dst at it (absent stays absent). */
int cm_finding_set(struct cm_finding *f, struct cm_str *dst, struct cm_str src);
int cm_finding_setc(struct cm_finding *f, struct cm_str *dst, const char *src);
/* Appends a portProbeDetails entry (copies its strings). CM_EFULL past the cap. */
int cm_finding_add_probe(struct cm_finding *f, const struct cm_probe *p);

/*
 * additionalInfo.apiCalls (finding_api_calls.c). Whether f's type lists its
 * caller's API calls: the AWS_API_CALL findings of a listed or Tor caller
 * (MaliciousIPCaller, MaliciousIPCaller.Custom, TorIPCaller).
 */
bool cm_finding_lists_api_calls(const struct cm_finding *f);
/* Starts f's list with its own API (f->api.api, f's count and times), when it lists them. */
int cm_finding_api_calls_start(struct cm_finding *f);
/*
 * Folds old's list into nf's (the same API: counts added, first and last
 * widened; old's first, then nf's others, at most CM_FINDING_MAX_API_CALLS:
 * an API past them is in the finding's count only). Returns 0 or CM_ENOMEM.
 */
int cm_finding_api_calls_merge(struct cm_finding *nf, const struct cm_finding *old);
/*
 * Before a merge with old when only added of nf->count events are new (a
 * scan that re-read some of a stored finding's records; call it before
 * setting nf->count to added): none new, no API count is added; some, each
 * API's count adds only what it has beyond old's, so a re-read record is
 * never counted twice (a count may then be low).
 */
void cm_finding_api_calls_overlap(struct cm_finding *nf, const struct cm_finding *old,
                                  uint32_t added);

/*
 * The identity: 32 lowercase hex characters from two seeded 64-bit hashes of
 * the length-prefixed fields account, region, type, resource id and actor
 * (actor may be absent). Writes out[0..32] with a NUL. Returns 0 or CM_EINVAL.
 */
int cm_finding_id(struct cm_str account, struct cm_str region, struct cm_str type,
                  struct cm_str resource, struct cm_str actor, char out[CM_FINDING_ID_LEN + 1]);

/*
 * Marks f as a member of the attack sequence whose ARN is seq_arn
 * (associatedAttackSequenceArn): set when f has none or a higher one, left as
 * it is otherwise, so the result does not depend on the order the sequences
 * come in. *changed (may be NULL) says whether f changed. Returns 0 or CM_ENOMEM.
 */
int cm_finding_associate(struct cm_finding *f, struct cm_str seq_arn, bool *changed);

/*
 * Calls fn with the id of each finding an attack sequence finding's signals
 * name (service.detection.sequence.signals[].uid of 32 lowercase hex
 * characters), in signal order, then with each of f->past_members; none when
 * f is not an attack sequence. A non-zero return of fn stops the walk and is
 * returned. Returns 0, fn's value or CM_ENOMEM.
 */
int cm_finding_sequence_members(const struct cm_finding *f, int (*fn)(void *ud, const char *id),
                                void *ud);

/* Sets f->arn from partition, region, account, detector id and id. */
int cm_finding_make_arn(struct cm_finding *f);

/*
 * Expands a title/description template of the type table with the finding's
 * values ({resource}, {remote}, {api}, {domain}, {user}, {bucket}; unknown
 * values read "unknown") into *out, owned by the finding.
 */
int cm_finding_expand(struct cm_finding *f, const char *tmpl, struct cm_str *out);

/* What the builder needs besides the detection. */
struct cm_finding_ctx {
    const char *detector_id; /* service.detectorId and the ARN */
    const char *partition;   /* NULL: the region's (cm_region_partition) */
    int64_t now_ms;          /* createdAt / updatedAt; 0: the detection's time */
    /* Name of an input file by id (src/ owns the table); NULL: names left out. */
    const char *(*file_name)(void *ud, uint32_t file_id);
    void *ud;
    /*
     * The account that owns an instance (src/ asks the inventory); NULL, or an
     * absent answer: unknown. A DNS finding's account is its instance's: a
     * Resolver record's account_id is the VPC's creator, another account than the
     * instance's in a shared VPC (it stays dnsRequestAction.vpcOwnerAccountId).
     */
    struct cm_str (*instance_owner)(void *ud, struct cm_str instance);
    void *owner_ud;
};

/*
 * Builds a finding from a detection and its triggering event (d->event, may
 * be NULL). f must be freshly initialised. Fills identity, ARN, severity
 * (d->severity when > 0, else the type's default for the role), title,
 * description, timestamps, action and resource from the event kind, and the
 * evidence. Returns 0, CM_EINVAL (no type/account/region) or CM_ENOMEM/CM_E2BIG.
 */
int cm_finding_from_detection(struct cm_finding *f, const struct cm_finding_ctx *ctx,
                              const struct cm_detection *d);

/*
 * The id, severity and first bucket of the finding cm_finding_from_detection
 * builds from d, into *out, for cm_detect_config.finding_ref: what names an
 * attack sequence's signals and their resources. False when d makes no
 * finding (or memory ran out). Thread-safe.
 */
bool cm_finding_ref(const struct cm_detection *d, struct cm_detection_ref *out);

/* The key fields the identity hashes, as the builder chose them (for docs/tests). */
int cm_finding_identity(const struct cm_finding *f, struct cm_str *resource, struct cm_str *actor);

#endif
