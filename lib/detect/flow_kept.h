/*
 * A flow record kept for a report made later (flow_kept.c): the inbound flow
 * detector rate-limits its detections and counts the connections in between,
 * which go with a next detection; when none comes (the activity stopped, or
 * the input ended), the entry that counted them reports them as it expires,
 * from the last of them kept here. What the finding takes from a record
 * (fill_flow in lib/finding) and the record's event key, in one fixed-size
 * value of a state table. Private to lib/detect; no I/O, no allocation.
 */
#ifndef CM_DETECT_FLOW_KEPT_H
#define CM_DETECT_FLOW_KEPT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ip.h"
#include "base/str.h"
#include "event/event.h"

/* The strings of a record kept, packed into text in this order. */
enum cm_flow_kept_field {
    KF_ACCOUNT = 0,
    KF_REGION,
    KF_INTERFACE,
    KF_INSTANCE,
    KF_SUBNET,
    KF_VPC,
    KF_COUNT
};
#define KF_FIELD_MAX 40 /* bytes of a field kept (ids are 12 to 24; a longer one is left out) */
#define KF_TEXT      (KF_COUNT * KF_FIELD_MAX)

struct cm_flow_kept {
    int64_t time_ms; /* the record's event time; INT64_MIN: none kept */
    uint64_t key;    /* its event key (cm_event_key), so a re-read counts it once */
    struct cm_src_ref src;
    struct cm_ip src_ip, dst_ip;
    int32_t srcport, dstport, protocol;
    uint8_t action;    /* enum cm_flow_action */
    uint8_t direction; /* enum cm_flow_dir */
    uint8_t len[KF_COUNT];
    char text[KF_TEXT];
};

/*
 * Keeps flow record ev, whose finding names resource, in *k; false (nothing
 * kept) when resource is not one of the record's ids or is longer than
 * KF_FIELD_MAX.
 */
bool cm_flow_kept_set(struct cm_flow_kept *k, const struct cm_event *ev, struct cm_str resource);
/*
 * Rebuilds the record kept in *k into *ev (which borrows k's text) and its
 * resource into *resource; false when none was kept. ev has the typed fields
 * only (no line text): the detection carries k->key as its record key.
 */
bool cm_flow_kept_event(const struct cm_flow_kept *k, struct cm_event *ev, struct cm_str *resource);
/* Whether k, read back from a file, is a struct cm_flow_kept the detector could have made. */
bool cm_flow_kept_valid(const struct cm_flow_kept *k);
/*
 * The state codec's refs (struct cm_state_codec) of a map whose values are
 * struct cm_flow_kept: calls fn on the evidence reference of the record val
 * keeps, if it keeps one (renumbered across runs).
 */
void cm_flow_kept_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud);

#endif
