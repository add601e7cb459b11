/*
 * Threat-intelligence detectors (issue #4): a caller, peer or queried name
 * on a threat list becomes the finding its list's category and the API or
 * connection call for, in all three sources. Trusted lists win (spec §4.3):
 * an address or name on one produces nothing.
 *
 * The classification that picks the finding type, which APIs are
 * reconnaissance, which S3 calls are discovery, exfiltration or impact, and
 * which type each category gets in each source, is kept in one place:
 * intel_types.c. docs/detectors/intel.md describes it.
 */
#ifndef CM_DETECT_INTEL_H
#define CM_DETECT_INTEL_H

#include <stdbool.h>

#include "base/str.h"
#include "detect/detect.h"
#include "intel/indicator.h"
#include "intel/snapshot.h"

/*
 * The snapshot the intel detectors use for the event at hand: read from the
 * engine's config at every event, so src/ can publish a new one between
 * batches (src/intel/intel_current.h) without restarting the engine.
 */
static inline const struct cm_intel_snapshot *cm_detect_intel(const struct cm_detect_config *c)
{
    return c ? c->intel : NULL;
}

/*
 * The intel verdicts on an event's own names and addresses, looked up once
 * per event rather than by every detector that asks (intel_dns, dns_dga
 * and dns_reputation all check a query name; intel_flow and flow_inbound a
 * flow's peer), and for a run of events at once when the engine is given
 * one (cm_engine_events), so that the sets' memory reads overlap. The
 * engine owns one (struct cm_detect_opts.memo) and points cur at the entry
 * of the event it dispatches; e[CM_INTEL_MEMO_MAX] is for an event
 * dispatched alone, filled as detectors ask.
 *
 * An entry's slots: a DNS query name, a CloudTrail source address or a
 * flow's source in 0, a flow's destination in 1.
 */
#define CM_INTEL_MEMO_MAX CM_INTEL_BATCH
struct cm_intel_memo_entry {
    const struct cm_event *ev;            /* the event it is for; NULL: none */
    const struct cm_intel_snapshot *snap; /* the snapshot its answers come from */
    unsigned have;                        /* bit k: m[k] is known */
    struct cm_intel_match m[2];           /* m[k].verdict is the verdict */
};
/*
 * Beyond one event, the memo keeps the verdicts on query names a host has
 * asked: a host asks the same few hundred names all day. A slot is one
 * name as the parser normalised it (a host name of at most
 * CM_INTEL_QNAME_MAX bytes; others are looked up every time) and the match;
 * all slots hold answers of names_snap, of which the memo holds a
 * reference, so the match's pointers stay good; another snapshot empties
 * them first.
 */
#define CM_INTEL_NAMES     1024u
#define CM_INTEL_QNAME_MAX 64u
struct cm_intel_name {
    uint64_t h;
    uint8_t len; /* 0: empty */
    char name[CM_INTEL_QNAME_MAX];
    struct cm_intel_match m;
};
struct cm_intel_memo {
    struct cm_intel_memo_entry e[CM_INTEL_MEMO_MAX + 1];
    size_t cur;                           /* the entry of the event being dispatched */
    struct cm_intel_name *names;          /* CM_INTEL_NAMES slots; NULL: none kept */
    struct cm_intel_snapshot *names_snap; /* a reference, while a slot holds an answer */
    uint64_t names_seed;
    /* Threat-list matches a trusted list suppressed, counted by the intel detectors
     * (cm_intel_count_suppressed); the engine's stats carry it (cm_engine_stats.trusted). */
    uint64_t trusted;
};

/*
 * Readies memo (cur at the lone entry, the name slots allocated and hashed
 * with seed). Returns 0 or CM_ENOMEM (memo is then usable, keeping no
 * names). cm_intel_memo_finish frees the slots and drops the reference.
 */
int cm_intel_memo_init(struct cm_intel_memo *memo, uint64_t seed);
void cm_intel_memo_finish(struct cm_intel_memo *memo);

/*
 * cm_intel_check_domain(s, ev's query name, m) through memo: the answer
 * stored for ev, or kept for its name, when there is one, else looked up
 * and stored. memo may be NULL (looked up every time); m may be NULL.
 */
enum cm_intel_verdict cm_detect_query_intel(struct cm_intel_memo *memo,
                                            const struct cm_intel_snapshot *s,
                                            const struct cm_event *ev, struct cm_intel_match *m);

/*
 * cm_intel_check_ip(s, ip, m) through memo, for ip one of ev's own
 * addresses (&ev->u.flow.src, &ev->u.flow.dst, &ev->u.ct.source_ip); any
 * other address is looked up every time.
 */
enum cm_intel_verdict cm_detect_ip_intel(struct cm_intel_memo *memo,
                                         const struct cm_intel_snapshot *s,
                                         const struct cm_event *ev, const struct cm_ip *ip,
                                         struct cm_intel_match *m);

/*
 * Counts in memo (when not NULL) a TRUSTED verdict v on ip (on name) that
 * hid a threat-list match: a detection spec §4.3 suppresses. Other verdicts
 * count nothing. Returns 0, for the detector to return.
 */
int cm_intel_count_suppressed_ip(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                                 enum cm_intel_verdict v, const struct cm_ip *ip);
int cm_intel_count_suppressed_name(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                                   enum cm_intel_verdict v, struct cm_str name);

/*
 * Looks up in s, together, what the detectors will ask about evs[0..n) (n
 * at most CM_INTEL_MEMO_MAX): the DNS query names, and the public flow and
 * CloudTrail source addresses, into entries 0..n-1 of memo.
 */
void cm_intel_memo_fill(struct cm_intel_memo *memo, const struct cm_intel_snapshot *s,
                        const struct cm_event *const *evs, size_t n);

/* IAM-family API calls: reconnaissance (list/describe/get metadata) or anything else. */
enum cm_api_class {
    CM_API_RECON = 0,
    CM_API_OTHER = 1,
};

/* S3 calls by what they do to the data. */
enum cm_s3_class {
    CM_S3_DISCOVERY = 0,    /* list and read metadata: ListObjects, GetObjectAcl, HeadBucket */
    CM_S3_EXFILTRATION = 1, /* read data: GetObject, CopyObject, SelectObjectContent */
    CM_S3_IMPACT = 2,       /* write or delete: PutObject, PutObjectAcl, DeleteObject */
};

/*
 * Classifies a CloudTrail eventName of a non-S3-data call as a read that hands
 * out no secret (CM_API_RECON: Describe, List, Get, Search, ...) or anything
 * else; the API anomaly model's default tactic.
 */
enum cm_api_class cm_api_classify(struct cm_str event_name);

/*
 * The class of a call for the IAM-family threat-list types: CM_API_RECON
 * (Recon:IAMUser/...) only for a read that lists or describes, as GuardDuty
 * defines the type; a Get or BatchGet of a named thing (iam:GetUser,
 * sts:GetCallerIdentity) is CM_API_OTHER (UnauthorizedAccess:IAMUser/...).
 */
enum cm_api_class cm_api_intel_classify(struct cm_str event_name);

/* Classifies an S3 eventName. */
enum cm_s3_class cm_s3_classify(struct cm_str event_name);

/* Finding types for a match of category c; NULL when the category gives none there. */
const char *cm_intel_type_iam(enum cm_intel_category c, enum cm_api_class k);
const char *cm_intel_type_s3(enum cm_intel_category c, enum cm_s3_class k);
/* outbound: the resource opened the connection to the listed peer. */
const char *cm_intel_type_flow(enum cm_intel_category c, bool outbound);
const char *cm_intel_type_dns(enum cm_intel_category c);

/*
 * The state of an intel detector that keeps nothing but the config (the
 * CloudTrail and DNS ones): init and finish for their struct cm_detector.
 */
struct cm_intel_det_state {
    const struct cm_detect_config *cfg;    /* read afresh per event: src/ may swap the snapshot */
    const struct cm_intel_snapshot *intel; /* the snapshot of the current event */
    struct cm_intel_memo *memo;            /* the engine's (opts->memo); may be NULL */
};
int cm_intel_det_init(void **state, const struct cm_detect_opts *opts);
void cm_intel_det_finish(void *state);

/* The built-in intel detectors. */
extern const struct cm_detector cm_detector_intel_ct;
extern const struct cm_detector cm_detector_intel_flow;
extern const struct cm_detector cm_detector_intel_dns;

/*
 * Fills d->intel[] from a match's indicators (list name, threat name) for
 * the indicators whose category is c; returns how many were added.
 */
uint32_t cm_intel_detection_lists(const struct cm_intel_snapshot *s, const struct cm_intel_match *m,
                                  enum cm_intel_category c, struct cm_detection *d);

/*
 * Whether a trusted list covers what the detection is about (spec §4.3): the
 * caller's address (CloudTrail), either address of the flow, or the queried
 * name (DNS). Such detections are dropped before aggregation.
 */
bool cm_detect_trusted(const struct cm_intel_snapshot *s, const struct cm_detection *d);

#endif
