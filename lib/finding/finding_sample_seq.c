/*
 * The service.detection.sequence of a sample attack sequence (finding_sample.c):
 * GuardDuty's samples of AttackSequence:* types carry one, so a rule or a
 * reader tested on samples meets the shape real sequences have (ct_sequence.c,
 * docs/detectors/attack-sequence.md): the sample's credential as actor, its
 * access key or bucket as resource, its user (accessKeyDetails) as the actor's
 * user, its caller's address as endpoint, two FINDING signals of different
 * tactics at the sample's time with their types' severities, and their tactics
 * as the ATTACK_TACTIC indicator.
 */
#include "finding/finding_sample.h"

#include <string.h>

#include "finding/finding.h"

struct sample_signal {
    const char *uid, *name, *tactic;
};

/* The sample's caller's address, else absent. */
static struct cm_str sample_ip(const struct cm_finding *f)
{
    return cm_str_present(f->api.remote_ip.ipv4) ? f->api.remote_ip.ipv4 : f->api.remote_ip.ipv6;
}

static void put_signal(struct cm_jw *jw, const struct cm_finding *f, const struct sample_signal *s,
                       struct cm_str key, const char *bucket)
{
    double sev = cm_finding_default_severity(cm_finding_type_info(s->name), CM_ROLE_TARGET);
    struct cm_str ip = sample_ip(f);

    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "uid");
    cm_jw_str(jw, s->uid);
    cm_jw_key(jw, "type");
    cm_jw_str(jw, "FINDING");
    cm_jw_key(jw, "name");
    cm_jw_str(jw, s->name);
    if (sev > 0.0) {
        cm_jw_key(jw, "severity");
        cm_jw_f64(jw, sev);
    }
    cm_jw_key_time(jw, "createdAt", f->first_seen_ms);
    cm_jw_key_time(jw, "updatedAt", f->last_seen_ms);
    cm_jw_key_time(jw, "firstSeenAt", f->first_seen_ms);
    cm_jw_key_time(jw, "lastSeenAt", f->last_seen_ms);
    cm_jw_key(jw, "count");
    cm_jw_u64(jw, 1);
    cm_jw_key(jw, "actorIds");
    cm_jw_arr_begin(jw);
    cm_jw_strn(jw, key.p, key.len);
    cm_jw_arr_end(jw);
    if (cm_str_present(ip)) {
        cm_jw_key(jw, "endpointIds");
        cm_jw_arr_begin(jw);
        cm_jw_strn(jw, ip.p, ip.len);
        cm_jw_arr_end(jw);
    }
    if (bucket != NULL) {
        cm_jw_key(jw, "resourceUids");
        cm_jw_arr_begin(jw);
        cm_jw_str(jw, bucket);
        cm_jw_arr_end(jw);
    }
    cm_jw_key(jw, "signalIndicators");
    cm_jw_arr_begin(jw);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "key");
    cm_jw_str(jw, "ATTACK_TACTIC");
    cm_jw_key(jw, "values");
    cm_jw_arr_begin(jw);
    cm_jw_str(jw, s->tactic);
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/* The actor's user: the sample's accessKeyDetails, when it names one (as a real one does). */
static void put_user(struct cm_jw *jw, const struct cm_finding *f, struct cm_str key)
{
    const struct cm_str *name = &f->access_key.user_name, *uid = &f->access_key.principal_id;
    const struct cm_str *type = &f->access_key.user_type;

    if (!cm_str_present(*name) || !cm_str_present(*uid) || !cm_str_present(*type)) {
        return;
    }
    cm_jw_key(jw, "user");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "name");
    cm_jw_strn(jw, name->p, name->len);
    cm_jw_key(jw, "uid");
    cm_jw_strn(jw, uid->p, uid->len);
    cm_jw_key(jw, "type");
    cm_jw_strn(jw, type->p, type->len);
    cm_jw_key(jw, "credentialUid");
    cm_jw_strn(jw, key.p, key.len);
    if (cm_str_present(f->account_id)) {
        cm_jw_key(jw, "account");
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "uid");
        cm_jw_strn(jw, f->account_id.p, f->account_id.len);
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
}

void cm_finding_sample_sequence(struct cm_jw *jw, const struct cm_finding *f)
{
    struct cm_str ip = sample_ip(f);
    static const struct sample_signal discovery = {
        "GeneratedFindingSignalId1", "Discovery:IAMUser/AnomalousBehavior", "Discovery"};
    static const struct sample_signal s3 = {"GeneratedFindingSignalId2",
                                            "Exfiltration:S3/AnomalousBehavior", "Exfiltration"};
    static const struct sample_signal iam = {
        "GeneratedFindingSignalId2", "Persistence:IAMUser/AnomalousBehavior", "Persistence"};
    bool bucket = f->resource_type == CM_RES_S3_BUCKET && f->nbuckets > 0 &&
                  cm_str_present(f->buckets[0].name);
    struct cm_str key = cm_str_present(f->access_key.access_key_id)
                            ? f->access_key.access_key_id
                            : cm_str_cstr(CM_SAMPLE_ACCESS_KEY);
    const struct sample_signal *second = bucket ? &s3 : &iam;

    cm_jw_key(jw, "sequence");
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "uid");
    cm_jw_str(jw, "GeneratedFindingSequenceId");
    cm_jw_key(jw, "description");
    cm_jw_str(jw, "GeneratedFindingSequenceDescription");
    cm_jw_key(jw, "actors");
    cm_jw_arr_begin(jw);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "id");
    cm_jw_strn(jw, key.p, key.len);
    put_user(jw, f, key);
    cm_jw_obj_end(jw);
    cm_jw_arr_end(jw);
    cm_jw_key(jw, "resources");
    cm_jw_arr_begin(jw);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "uid");
    if (bucket) {
        cm_jw_strn(jw, f->buckets[0].name.p, f->buckets[0].name.len);
        cm_jw_key(jw, "name");
        cm_jw_strn(jw, f->buckets[0].name.p, f->buckets[0].name.len);
        cm_jw_key(jw, "resourceType");
        cm_jw_str(jw, "S3_BUCKET");
    } else {
        cm_jw_strn(jw, key.p, key.len);
        cm_jw_key(jw, "resourceType");
        cm_jw_str(jw, "ACCESS_KEY");
    }
    cm_jw_obj_end(jw);
    cm_jw_arr_end(jw);
    if (cm_str_present(ip)) {
        cm_jw_key(jw, "endpoints");
        cm_jw_arr_begin(jw);
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "id");
        cm_jw_strn(jw, ip.p, ip.len);
        cm_jw_key(jw, "ip");
        cm_jw_strn(jw, ip.p, ip.len);
        cm_jw_obj_end(jw);
        cm_jw_arr_end(jw);
    }
    cm_jw_key(jw, "signals");
    cm_jw_arr_begin(jw);
    put_signal(jw, f, &discovery, key, NULL);
    put_signal(jw, f, second, key, bucket ? CM_SAMPLE_BUCKET : NULL);
    cm_jw_arr_end(jw);
    cm_jw_key(jw, "sequenceIndicators");
    cm_jw_arr_begin(jw);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "key");
    cm_jw_str(jw, "ATTACK_TACTIC");
    cm_jw_key(jw, "values");
    cm_jw_arr_begin(jw);
    cm_jw_str(jw, discovery.tactic);
    cm_jw_str(jw, second->tactic);
    cm_jw_arr_end(jw);
    cm_jw_key(jw, "title");
    cm_jw_str(jw, "Tactics of the signals");
    cm_jw_obj_end(jw);
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}
