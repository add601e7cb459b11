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

/* Classifies a CloudTrail eventName of a non-S3-data call. */
enum cm_api_class cm_api_classify(struct cm_str event_name);

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
