/*
 * What a detector emits: a detection, before aggregation. This is the narrow
 * contract between lib/detect and the findings pipeline (the sink): the
 * finding type, its severity, who/what/where, and the evidence records.
 * lib/finding turns these into full GuardDuty finding documents (identity,
 * aggregation, serialisation). Strings are borrowed from the triggering event
 * or from const tables; the sink copies what it keeps.
 */
#ifndef CM_EVENT_FINDING_H
#define CM_EVENT_FINDING_H

#include <stdint.h>
#include <string.h>

#include "base/str.h"
#include "event/event.h"

enum cm_resource_type {
    CM_RES_NONE = 0,
    CM_RES_INSTANCE,   /* resource.instanceDetails */
    CM_RES_ACCESS_KEY, /* resource.accessKeyDetails */
    CM_RES_S3_BUCKET,  /* resource.s3BucketDetails */
};

#define CM_DETECTION_MAX_EVIDENCE 8
#define CM_DETECTION_MAX_INTEL    4
/* The longest additionalInfo a detection's info makes (longer, it makes no finding). */
#define CM_DETECTION_MAX_INFO 4096
/* The length of the id of the finding a detection becomes (lib/finding), without its NUL. */
#define CM_DETECTION_FINDING_ID_LEN 32

/*
 * The finding a detection becomes in the findings pipeline (lib/finding), as
 * cm_detect_config.finding_ref tells it: its id (lowercase hex, NUL-ended), its
 * severity, and the first bucket of its resource.s3BucketDetails ("" when it
 * names none; S3 bucket names are at most 63 bytes).
 */
struct cm_detection_ref {
    char id[CM_DETECTION_FINDING_ID_LEN + 1];
    double severity;
    char bucket[64];
};

/* A threat list entry behind the detection (evidence.threatIntelligenceDetails). */
struct cm_detection_intel {
    struct cm_str list_name;   /* threatListName */
    struct cm_str threat_name; /* threatName; may be empty */
};

/* The connection's direction seen from the resource, when the detector knows it. */
enum cm_detection_dir {
    CM_DDIR_AUTO = 0, /* the builder decides from the event */
    CM_DDIR_INBOUND,
    CM_DDIR_OUTBOUND,
};

struct cm_detection {
    const char *type; /* GuardDuty finding type, e.g. "Recon:EC2/Portscan" */
    double severity;  /* 1.0 - 8.9 */
    struct cm_str account;
    struct cm_str region;
    int64_t time_ms;  /* event time of the (last) triggering event */
    int64_t first_ms; /* first event time covered (== time_ms for one event) */
    enum cm_resource_type resource_type;
    struct cm_str resource_id;    /* instance id / ENI, access key id, bucket name */
    struct cm_str actor;          /* actor key when the type's identity needs one */
    uint32_t count;               /* underlying events represented (>= 1) */
    const struct cm_event *event; /* the triggering event (borrowed), may be NULL */
    uint32_t nevidence;
    struct cm_src_ref evidence[CM_DETECTION_MAX_EVIDENCE];
    enum cm_detection_dir direction;
    /* Threat intelligence that matched: the first is additionalInfo's threatListName/threatName. */
    uint32_t nintel;
    struct cm_detection_intel intel[CM_DETECTION_MAX_INTEL];
    /*
     * More additionalInfo members: a JSON object's text (borrowed), whose
     * members are written after the intel ones; CM_STR_NULL for none.
     */
    struct cm_str info;
    /* remoteAccountDetails.accountId when the detector knows the caller's account. */
    struct cm_str remote_account;
    /*
     * remoteAccountDetails.affiliated: the caller's account is one of the operator's own
     * (GuardDuty: under the same administrator). Meaningful with remote_account only.
     */
    bool remote_affiliated;
    /*
     * The record this detection counts, when not its event's: a correlator's detection
     * that counts an earlier record of its own (attack sequences). 0: the event's
     * (cm_detection_key in lib/finding).
     */
    uint64_t record_key;
    /*
     * A correlator's restatement (attack sequences): a detection that knows more than
     * the ones before it. The aggregator, finding its record counted already, takes its
     * details (additionalInfo, times, evidence) and adds nothing to the count; one of a
     * record not counted is folded in as any other.
     */
    bool restate;
};

/*
 * Empties d and makes it the detection of type for the one event ev: ev's
 * account, region and time (first and last), a count of 1, ev as the
 * triggering event. The detector sets the resource and the rest.
 */
static inline void cm_detection_init(struct cm_detection *d, const struct cm_event *ev,
                                     const char *type)
{
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->account = ev->account;
    d->region = ev->region;
    d->time_ms = d->first_ms = ev->time_ms;
    d->count = 1;
    d->event = ev;
}

/*
 * A sink receives detections. emit() borrows d for the duration of the call
 * and returns 0 or a negative CM_E* (which stops the caller).
 */
struct cm_sink {
    int (*emit)(struct cm_sink *sink, const struct cm_detection *d);
    void *ud;
};

static inline int cm_sink_emit(struct cm_sink *s, const struct cm_detection *d)
{
    return s->emit(s, d);
}

#endif
