/*
 * The EventBridge envelope of a finding (spec §3.2): version "0", an event
 * id, detail-type "GuardDuty Finding", source "aws.guardduty", account, time
 * (whole seconds), region, resources [] and the finding in event form as
 * detail. lib/ reads no randomness, so the event id is a hash of the finding
 * id, updatedAt and service.count as a version 4 UUID (base/uuid.h; before
 * 2026-12-06 its version and variant digits were the hash's, which strict UUID
 * validators refuse): the same state of a finding
 * always gets the same event id, which makes redelivery idempotent for
 * consumers that dedupe on it, and each published state gets its own. The
 * count is in the hash because an update can leave updatedAt as it was: a
 * later scan of older events counts them without moving updatedAt. So is a
 * member's associatedAttackSequenceArn, when it has one: a sequence arriving
 * marks a stored member without moving either.
 */
#include "finding/serialize.h"

#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/time.h"
#include "base/uuid.h"
#include "route/envelope.h"

#define EVENT_SEED_HI 0x6576656e74627573ULL /* "eventbus" */
#define EVENT_SEED_LO 0x677561726464757eULL

void cm_finding_event_id(const struct cm_finding *f, char out[37])
{
    uint8_t key[CM_FINDING_ID_LEN + 8 + 4];
    uint64_t t = (uint64_t)f->updated_ms, mark = 0;

    memcpy(key, f->id, CM_FINDING_ID_LEN);
    for (size_t i = 0; i < 8; i++) {
        key[CM_FINDING_ID_LEN + i] = (uint8_t)(t >> (8 * i));
    }
    for (size_t i = 0; i < 4; i++) {
        key[CM_FINDING_ID_LEN + 8 + i] = (uint8_t)(f->count >> (8 * i));
    }
    if (cm_str_present(f->sequence_arn)) {
        mark = cm_hash64(f->sequence_arn.p, f->sequence_arn.len, EVENT_SEED_HI);
    }
    cm_uuid_of_hashes(cm_hash64(key, sizeof(key), EVENT_SEED_HI ^ mark),
                      cm_hash64(key, sizeof(key), EVENT_SEED_LO ^ mark), out);
}

int cm_finding_to_eventbridge(const struct cm_finding *f, int64_t time_ms, struct cm_buf *out)
{
    struct cm_jw jw;
    char id[37], t[40];
    size_t len0 = out->len, tn;

    cm_finding_event_id(f, id);
    tn = cm_time_format_iso_s(time_ms ? time_ms : f->updated_ms, t, sizeof(t));
    struct cm_event_envelope e = {
        .id = id,
        .detail_type = "GuardDuty Finding",
        .source = "aws.guardduty",
        .account = f->account_id,
        .region = f->region,
        .time = cm_str_make(t, tn),
    };
    cm_jw_init(&jw, out);
    cm_event_envelope_begin(&jw, &e);
    cm_finding_write(&jw, f, CM_FORM_EVENT);
    cm_jw_obj_end(&jw);
    return cm_finding_jw_end(&jw, len0);
}
