/*
 * The EventBridge event envelope, written once for every event coalmine
 * sends: {"version":"0","id","detail-type","source","account","time",
 * "region","resources":[...],"detail":...}, members in that order (the order
 * EventBridge delivers them). Its users: GuardDuty findings
 * (lib/finding/finding_eventbridge.c), canary results and scheduled rule
 * fires (src/canary/canary_event.c). Each formats its own time (findings in
 * whole seconds, as GuardDuty; canaries with milliseconds) and writes the
 * detail value.
 */
#ifndef CM_ROUTE_ENVELOPE_H
#define CM_ROUTE_ENVELOPE_H

#include <stddef.h>

#include "base/json.h"
#include "base/str.h"

struct cm_event_envelope {
    const char *id;          /* the event id (a UUID's form) */
    const char *detail_type; /* "GuardDuty Finding", "Scheduled Event", ... */
    const char *source;      /* "aws.guardduty", "aws.events", ... */
    struct cm_str account, region;
    struct cm_str time;           /* formatted; absent (p NULL): null */
    const char *const *resources; /* nresources ARNs */
    size_t nresources;
};

/*
 * Opens the event object and writes every member of e up to the key "detail".
 * The caller writes detail's value, then closes the event with cm_jw_obj_end.
 */
void cm_event_envelope_begin(struct cm_jw *jw, const struct cm_event_envelope *e);

#endif
