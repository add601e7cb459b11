/*
 * What every CloudTrail detector reads from an event (see ct.h): whether the
 * call succeeded, whether it is an S3 data event, who made it, and the
 * detection skeleton of an AWS_API_CALL finding.
 */
#include "detect/ct.h"

#include <string.h>

bool cm_ct_ok(const struct cm_ct *ct)
{
    return !cm_str_present(ct->error_code) || ct->error_code.len == 0;
}

bool cm_ct_s3_data(const struct cm_ct *ct)
{
    /* A record from before eventCategory says so by managementEvent false alone. */
    return cm_str_eqc(ct->event_source, "s3.amazonaws.com") &&
           (cm_str_eqc(ct->event_category, "Data") ||
            (ct->event_category.len == 0 && ct->management_event == 0));
}

enum cm_ct_unread cm_ct_unread(const struct cm_ct *ct)
{
    if (cm_str_eqc(ct->event_category, "Management")) {
        return CM_CT_READ; /* nearly every record: one compare */
    }
    if (cm_str_eqc(ct->event_category, "NetworkActivity") ||
        cm_str_eqc(ct->event_type, "AwsVpceEvent")) {
        return CM_CT_UNREAD_NETWORK;
    }
    /* Data: so marked, or in a record from before eventCategory, managementEvent false.
     * Sign-ins and service events never are; nor is any S3 (s3, s3express, s3-object-lambda,
     * s3-outposts), which the S3 detectors may read. */
    if ((cm_str_eqc(ct->event_category, "Data") ||
         (ct->event_category.len == 0 && ct->management_event == 0)) &&
        !cm_str_starts(ct->event_source, "s3") && !cm_str_eqc(ct->event_type, "AwsConsoleSignIn") &&
        !cm_str_eqc(ct->event_type, "AwsServiceEvent")) {
        return CM_CT_UNREAD_DATA;
    }
    return CM_CT_READ;
}

const char *cm_ct_unread_name(enum cm_ct_unread u)
{
    switch (u) {
    case CM_CT_UNREAD_DATA:
        return "CloudTrail data event (not S3)";
    case CM_CT_UNREAD_NETWORK:
        return "CloudTrail network activity event";
    default:
        return NULL;
    }
}

struct cm_str cm_ct_actor_key(const struct cm_ct *ct)
{
    if (cm_str_present(ct->uid.access_key_id) && ct->uid.access_key_id.len > 0) {
        return ct->uid.access_key_id;
    }
    return ct->uid.principal_id;
}

struct cm_str cm_ct_session_name(const struct cm_ct_identity *u)
{
    static const char role[] = ":assumed-role/";
    const size_t rlen = sizeof(role) - 1;
    struct cm_str arn = u->arn;
    const char *first;
    size_t slash;

    if (!cm_str_present(arn) || arn.len < sizeof(role)) {
        return CM_STR_NULL;
    }
    for (slash = arn.len; slash > 0 && arn.p[slash - 1] != '/'; slash--) {
    }
    if (slash == 0) {
        return CM_STR_NULL;
    }
    /*
     * arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION: the marker sits before the role, and
     * its '/' is the ARN's first, so one compare finds it; any other ARN is searched whole
     * (the credential exfiltration detector asks this of every role session's call).
     */
    first = memchr(arn.p, '/', slash);
    if ((size_t)(first - arn.p) + 1 >= rlen && memcmp(first + 1 - rlen, role, rlen) == 0) {
        return cm_str_make(arn.p + slash, arn.len - slash);
    }
    if (cm_str_find(cm_str_make(arn.p, slash), cm_str_make(role, rlen)) == (size_t)-1) {
        return CM_STR_NULL;
    }
    return cm_str_make(arn.p + slash, arn.len - slash);
}

struct cm_str cm_ct_member(const struct cm_ct *ct, uint32_t obj, const char *key)
{
    uint32_t n;

    if (ct->doc == NULL || obj == CM_JSON_NONE || cm_json_type(ct->doc, obj) != CM_JSON_OBJECT) {
        return CM_STR_NULL;
    }
    n = cm_json_get(ct->doc, obj, key);
    if (n == CM_JSON_NONE || cm_json_type(ct->doc, n) != CM_JSON_STRING) {
        return CM_STR_NULL;
    }
    return cm_json_str(ct->doc, n, NULL);
}

/*
 * A copy's source is "bucket/key" or "/bucket/key", maybe with "?versionId=...", or an
 * access point's or an Outposts bucket's ARN ("arn:aws:s3:REGION:ACCOUNT:accesspoint/
 * NAME/object/KEY"), which names no bucket: then the call's own bucket, as before.
 */
struct cm_str cm_ct_s3_read_bucket(const struct cm_ct *ct)
{
    struct cm_str src = CM_STR_NULL;

    if (cm_str_eqc(ct->event_name, "CopyObject") || cm_str_eqc(ct->event_name, "UploadPartCopy")) {
        src = cm_ct_member(ct, ct->request_parameters, "x-amz-copy-source");
    }
    if (cm_str_present(src) && src.len > 4 && memcmp(src.p, "arn:", 4) == 0) {
        src = CM_STR_NULL;
    }
    if (cm_str_present(src) && src.len > 0) {
        size_t i = src.p[0] == '/' ? 1 : 0, j = i;

        while (j < src.len && src.p[j] != '/' && src.p[j] != '?') {
            j++;
        }
        if (j > i) {
            return cm_str_make(src.p + i, j - i);
        }
    }
    return cm_ct_bucket(ct, NULL);
}

void cm_ct_detection(struct cm_detection *d, const struct cm_event *ev, const char *type)
{
    cm_detection_init(d, ev, type);
    d->resource_type = CM_RES_ACCESS_KEY;
    d->resource_id = cm_ct_actor_key(&ev->u.ct);
}
