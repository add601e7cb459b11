/*
 * Attack sequences (GuardDuty's Extended Threat Detection, spec §8.4):
 * AttackSequence:IAM/CompromisedCredentials and AttackSequence:S3/
 * CompromisedData, by correlating the findings of one credential.
 *
 * A correlator (cm_detector.on_detection): it sees every detection of the
 * engine whose credential is known, an access key (the AccessKey resource,
 * or the actor of an S3Bucket finding), and keeps, per account and key, the
 * distinct finding types of the last day (up to 16) as signals, each with
 * its tactic (the type's threat purpose, with Recon read as Discovery,
 * Stealth as DefenseEvasion, UnauthorizedAccess as InitialAccess; Policy
 * is no tactic), times, count and the record of its earliest detection.
 *
 *   CompromisedCredentials: the signals of the window span three or more
 *   tactics, and one of them is a step beyond looking around (anything but
 *   Discovery and PenTest). Resource: the access key.
 *   CompromisedData: an Exfiltration:S3 or Impact:S3 signal, and a signal
 *   of another tactic, from IAM or S3. Resource: the bucket of the newest
 *   S3 signal; the key is the actor.
 *
 * Each new detection of the credential while a sequence holds emits it
 * again (the aggregator folds them into one finding). What an emission says
 * is a function of the credential's signals, not of the order their
 * detections came in (a scan of everything, hourly scans with a state file,
 * CloudTrail delivered late): it is emitted once for each record of the
 * window it has not counted (at the first, the ones before it too), keyed by
 * that record, so a record analysed again is not counted again; its times are
 * the signals'; its sequence (service.detection.sequence in the JSON forms)
 * lists the newest 8 signals in the order they began and every tactic, the
 * credential as actor and the key or bucket as resource; its evidence is the
 * record of each listed signal's earliest detection. Past SIGNALS types, the
 * newest are kept and the rest pushed out into a summary the rules still
 * count.
 *
 * GuardDuty also correlates raw API activity: ct_sequence_raw.c follows a
 * key's calls (IAM and S3 discovery, then calls that destroy or take data),
 * and when its rule holds they become raw signals (CLOUD_TRAIL,
 * S3_DATA_EVENTS) of the S3 sequence, on the bucket of the key's earliest
 * raw call on data. The IAM sequence reads findings only.
 *
 * The files: this one (the detector and its two rules), ct_sequence_signal.c
 * (a credential's signals), ct_sequence_raw.c (raw activity), ct_sequence_emit.c
 * (the sequence finding),
 * ct_sequence_ckpt.c (checkpoints); ct_sequence_impl.h what they share.
 */
#include "detect/ct_sequence_impl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/str.h"

static const char iam_type[] = "AttackSequence:IAM/CompromisedCredentials";
static const char s3_type[] = "AttackSequence:S3/CompromisedData";

static int init(void **state, const struct cm_detect_opts *opts)
{
    struct sequence *q = cm_calloc(1, sizeof(*q));
    struct cm_state_opts so = {
        .val_size = sizeof(struct cred),
        .max_entries = KEYS,
        .ttl_ms = WINDOW_MS,
        .seed = opts ? opts->seed : 0,
    };
    int rc;

    if (q == NULL) {
        return CM_ENOMEM;
    }
    q->cfg = opts ? opts->config : NULL;
    cm_buf_init(&q->info, 0);
    if ((rc = cm_state_create(&q->creds, &so)) != 0) {
        cm_free(q);
        return rc;
    }
    so.val_size = cm_ct_seq_raw_size();
    so.max_entries = RAW_KEYS;
    so.ttl_ms = RAW_TTL_MS;
    if ((rc = cm_state_create(&q->raw, &so)) != 0) {
        cm_state_destroy(q->creds);
        cm_free(q);
        return rc;
    }
    *state = q;
    return 0;
}

static void finish(void *state)
{
    struct sequence *q = state;

    if (q != NULL) {
        cm_state_destroy(q->creds);
        cm_state_destroy(q->raw);
        cm_buf_finish(&q->info);
        cm_ct_seq_names_free(&q->types);
        cm_ct_seq_names_free(&q->regions);
        cm_free(q);
    }
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    struct sequence *q = state;

    (void)sink;
    cm_state_expire(q->creds, watermark_ms, NULL, NULL);
    cm_state_expire(q->raw, watermark_ms, NULL, NULL);
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct sequence *)state)->creds);
    cm_state_stats_add(sum, ((const struct sequence *)state)->raw);
}

/* The key of d's record: its event's (cm_event_key), else made of d; never 0, and with the
 * bits struct pending keeps apart (KEY_BITS) clear. */
uint64_t cm_ct_seq_record_of(const struct cm_detection *d)
{
    uint64_t h;

    if (d->event != NULL) {
        h = cm_event_key(d->event);
    } else {
        h = cm_hash64(d->type, strlen(d->type), 0x7265636f7264ULL);
        h = cm_hash_mix64(h ^ (uint64_t)d->time_ms);
    }
    h &= ~(uint64_t)KEY_BITS;
    return h ? h : KEY_BITS + 1;
}

/* The finding d becomes, by q's cm_detect_config.finding_ref, into *ref; all zero: unknown. */
static void finding_of(const struct sequence *q, const struct cm_detection *d,
                       struct finding_ref *ref)
{
    struct cm_detection_ref r;
    const char *id = r.id;
    double sev;

    memset(ref, 0, sizeof(*ref));
    memset(&r, 0, sizeof(r));
    if (q->cfg == NULL || q->cfg->finding_ref == NULL || !q->cfg->finding_ref(d, &r)) {
        return;
    }
    sev = r.severity;
    for (size_t i = 0; i < FID_LEN; i++) {
        int hi = cm_hex_digit_lower(id[2 * i]), lo = cm_hex_digit_lower(id[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            memset(ref, 0, sizeof(*ref));
            return;
        }
        ref->id[i] = (uint8_t)(hi << 4 | lo);
    }
    /* Severities are 1.0 - 10.0 (spec 1.1): in tenths, a byte. */
    ref->severity10 = sev >= 0.1 && sev <= 10.0 ? (uint8_t)(sev * 10.0 + 0.5) : 0;
    r.bucket[sizeof(r.bucket) - 1] = '\0';
    memcpy(ref->bucket, r.bucket, sizeof(ref->bucket));
}

/* The access key a detection is about, else CM_STR_NULL. */
static struct cm_str credential(const struct cm_detection *d)
{
    if (d->resource_type == CM_RES_ACCESS_KEY) {
        return d->resource_id;
    }
    if (d->resource_type == CM_RES_S3_BUCKET) {
        return d->actor;
    }
    return CM_STR_NULL;
}

int cm_ct_seq_rules(struct sequence *q, const struct cm_detection *d, uint64_t ekey, struct cred *c,
                    struct cm_str key, bool raw_call, struct cm_sink *sink)
{
    const char *bucket = NULL; /* of the newest signal that took or destroyed data */
    int64_t bucket_ms = 0;
    uint8_t bucket_tactic = CM_TACTIC_NONE;
    size_t ntactics = 0;
    bool beyond = false, other = false;
    uint32_t tactics, raw;
    int rc;

    /* The window's tactics and newest data bucket: of the signals kept and those pushed out
     * (the findings' bucket only). The IAM rule reads findings only; raw signals (kept only
     * once the raw rule held, ct_sequence_raw.c) are the S3 rule's too. */
    cm_ct_seq_raw_expire(c, d->time_ms);
    tactics = c->ngone > 0 ? c->gone_tactics : 0;
    raw = c->gone_raw_tactics;
    if (c->ngone > 0 && c->gone_bucket[0]) {
        bucket = c->gone_bucket;
        bucket_ms = c->gone_bucket_ms;
        bucket_tactic = c->gone_bucket_tactic;
    }
    /*
     * The newest signal's on data, a finding's or (once the raw rule held) a raw call's: the
     * bucket the key was last taking or destroying. The sequence's id does not name it (one
     * finding per key, CM_FID_ANY_RESOURCE), so moving on to another bucket moves the
     * finding, not splits it. Else the bucket of the key's earliest raw call on data (struct
     * cred.raw_bucket), when no signal kept names one.
     */
    for (size_t i = 0; i < SLOTS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type != 0 && s->s3_data && s->bucket[0] &&
            (bucket == NULL ||
             cm_ct_seq_newer_bucket(s->bucket, s->bucket_ms, bucket, bucket_ms))) {
            bucket = s->bucket;
            bucket_ms = s->bucket_ms;
            bucket_tactic = s->tactic;
        }
    }
    if (bucket == NULL && c->raw_bucket[0]) {
        bucket = c->raw_bucket;
        bucket_tactic = c->raw_bucket_tactic;
    }
    for (size_t i = 0; i < SLOTS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == 0) {
            continue;
        }
        if (s->source == SIG_FINDING) {
            tactics |= 1u << s->tactic;
        } else {
            raw |= 1u << s->tactic;
        }
    }
    for (size_t t = CM_TACTIC_NONE + 1; t < CM_TACTIC_COUNT; t++) {
        if ((tactics >> t) & 1u) {
            ntactics++;
            beyond |= t != CM_TACTIC_DISCOVERY && t != CM_TACTIC_PENTEST;
        }
        if (((tactics | raw) >> t) & 1u) {
            other |= t != bucket_tactic;
        }
    }
    if (ntactics >= MIN_TACTIC && beyond && !raw_call &&
        (rc = cm_ct_seq_emit(q, d, ekey, c, SEQ_IAM, iam_type, key, NULL, sink)) != 0) {
        return rc;
    }
    if (bucket != NULL && other &&
        (rc = cm_ct_seq_emit(q, d, ekey, c, SEQ_S3, s3_type, key, bucket, sink)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < PENDING; i++) {
        if ((c->pend[i].key & DONE_BITS) == DONE_BITS) {
            c->pend[i].key = 0; /* counted by both */
        }
    }
    return 0;
}

static int on_detection(void *state, const struct cm_detection *d, struct cm_sink *sink)
{
    struct sequence *q = state;
    struct cm_str key = credential(d);
    struct cred *c;
    char k[KEY_MAX];
    size_t klen;
    uint64_t ekey = cm_ct_seq_record_of(d);
    struct noted n;
    int rc;

    if (d->type == NULL || strncmp(d->type, "AttackSequence:", 15) == 0 || !cm_str_present(key) ||
        key.len == 0 || d->account.len + 1 + key.len > sizeof(k)) {
        return 0;
    }
    if ((rc = cm_ct_seq_number(&q->types, cm_str_cstr(d->type), TYPE_LEN, &n.type)) != 0 ||
        n.type == 0 ||
        (rc = cm_ct_seq_number(&q->regions, d->region, REGION_LEN, &n.region)) != 0) {
        return rc;
    }
    memcpy(k, d->account.p, d->account.len);
    k[d->account.len] = '/';
    memcpy(k + d->account.len + 1, key.p, key.len);
    klen = d->account.len + 1 + key.len;
    if ((c = cm_state_touch(q->creds, k, klen, d->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    finding_of(q, d, &n.ref);
    cm_ct_seq_add_pending(c, ekey, d->time_ms, WINDOW_MS, false);
    cm_ct_seq_note(q, c, d, &n, ekey, WINDOW_MS);
    cm_ct_seq_note_actor(c, d, key, ekey);
    /* A finding is one of the raw rule's suspicious properties: its raw signals first. */
    if ((rc = cm_ct_seq_raw_finding(q, d, k, klen, c, sink)) != 0) {
        return rc;
    }
    return cm_ct_seq_rules(q, d, ekey, c, key, false, sink);
}

static const char *const types[] = {iam_type, s3_type, NULL};

const struct cm_detector cm_detector_ct_sequence = {
    .name = "attack-sequence",
    .types = types,
    .kinds = CM_EV_MASK(CM_EV_CLOUDTRAIL), /* raw activity (ct_sequence_raw.c) */
    .init = init,
    .on_event = cm_ct_seq_on_event,
    .on_tick = tick,
    .finish = finish,
    .state_stats = state_stats,
    .on_detection = on_detection,
    .state_version = SEQUENCE_STATE_VERSION,
    .save = cm_ct_seq_save,
    .load = cm_ct_seq_load,
};
