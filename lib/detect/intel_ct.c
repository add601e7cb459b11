/*
 * Intel detector for CloudTrail: an API call from an address on a threat
 * list. S3 calls on a bucket (data events, and bucket-level management
 * calls) give the S3Bucket family (Discovery/Exfiltration/Impact/
 * UnauthorizedAccess:S3/...), every other call the IAMUser family
 * (Recon/UnauthorizedAccess:IAMUser/...), each with the list's category:
 * Tor exit nodes, managed malicious-IP intel, or a customer list (.Custom).
 * A match on several lists of different categories gives one detection per
 * finding type.
 */
#include "detect/intel.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "detect/ct.h"

#define MAX_TYPES 8

static bool seen_type(const char *const *types, size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++) {
        if (types[i] == t) {
            return true;
        }
    }
    return false;
}

static int on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    const struct cm_intel_det_state *st = state;
    const struct cm_intel_snapshot *s = cm_detect_intel(st->cfg);
    const struct cm_ct *ct = &ev->u.ct;
    const char *types[MAX_TYPES];
    size_t ntypes = 0;
    struct cm_intel_match m;
    struct cm_str bucket, key;
    enum cm_intel_verdict v;
    bool s3;
    int cls;

    if (s == NULL || !cm_ip_is_public(&ct->source_ip)) {
        return 0;
    }
    if ((v = cm_detect_ip_intel(st->memo, s, ev, &ct->source_ip, &m)) != CM_INTEL_THREAT) {
        return cm_intel_count_suppressed_ip(st->memo, s, v, &ct->source_ip);
    }
    bucket = cm_ct_bucket(ct, NULL); /* bucket names never need unescaping */
    s3 = cm_str_eqc(ct->event_source, "s3.amazonaws.com") && cm_str_present(bucket) &&
         bucket.len > 0;
    cls = s3 ? (int)cm_s3_classify(ct->event_name) : (int)cm_api_intel_classify(ct->event_name);
    /* The caller's key, else its principal: a failed console sign-in has "accessKeyId": "". */
    key = cm_ct_actor_key(ct);
    for (size_t i = 0; i < m.nids; i++) {
        const struct cm_indicator *ind = cm_intel_snapshot_indicator(s, m.ids[i]);
        const char *type;
        struct cm_detection d;
        int rc;

        if (ind == NULL) {
            continue;
        }
        type = s3 ? cm_intel_type_s3(ind->category, (enum cm_s3_class)cls)
                  : cm_intel_type_iam(ind->category, (enum cm_api_class)cls);
        if (type == NULL || seen_type(types, ntypes, type) || ntypes == MAX_TYPES) {
            continue;
        }
        types[ntypes++] = type;
        cm_detection_init(&d, ev, type);
        if (s3) {
            /* A copy from a listed address takes data out of its source bucket. */
            d.resource_type = CM_RES_S3_BUCKET;
            d.resource_id = cm_ct_s3_read_bucket(ct);
            d.actor = key;
        } else {
            d.resource_type = CM_RES_ACCESS_KEY;
            d.resource_id = key;
        }
        cm_intel_detection_lists(s, &m, ind->category, &d);
        if ((rc = cm_sink_emit(sink, &d)) != 0) {
            return rc;
        }
    }
    return 0;
}

static const char *const types[] = {
    "Recon:IAMUser/MaliciousIPCaller",
    "Recon:IAMUser/MaliciousIPCaller.Custom",
    "Recon:IAMUser/TorIPCaller",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller",
    "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:IAMUser/TorIPCaller",
    "Discovery:S3/MaliciousIPCaller",
    "Discovery:S3/MaliciousIPCaller.Custom",
    "Discovery:S3/TorIPCaller",
    "Exfiltration:S3/MaliciousIPCaller",
    "Impact:S3/MaliciousIPCaller",
    "UnauthorizedAccess:S3/MaliciousIPCaller.Custom",
    "UnauthorizedAccess:S3/TorIPCaller",
    NULL,
};

const struct cm_detector cm_detector_intel_ct = {
    .name = "intel-cloudtrail",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL),
    .init = cm_intel_det_init,
    .on_event = on_event,
    .on_tick = NULL,
    .finish = cm_intel_det_finish,
};
