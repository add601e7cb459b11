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
 * is no tactic), times, count and the record that first raised it.
 *
 *   CompromisedCredentials: the signals of the window span three or more
 *   tactics, and one of them is a step beyond looking around (anything but
 *   Discovery and PenTest). Resource: the access key.
 *   CompromisedData: an Exfiltration:S3 or Impact:S3 signal, and a signal
 *   of another tactic, from IAM or S3. Resource: the bucket of the newest
 *   S3 signal; the key is the actor.
 *
 * Each new detection of the credential while a sequence holds emits it
 * again (the aggregator counts them into one finding). The finding's
 * additionalInfo lists the newest 8 signals and every tactic; its evidence
 * is the record that first raised each listed signal. Only findings coalmine makes are signals:
 * GuardDuty also correlates raw API activity, which here is what the anomaly models turn into
 * findings.
 */
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "detect/state.h"

#define SIGNALS    16u
#define KEYS       (64u * 1024)
#define KEY_MAX    256u
#define WINDOW_MS  (24LL * 3600 * 1000)
#define MIN_TACTIC 3u
#define LISTED     8u /* signals additionalInfo names: the newest */

static const char iam_type[] = "AttackSequence:IAM/CompromisedCredentials";
static const char s3_type[] = "AttackSequence:S3/CompromisedData";

/* Finding types' threat purposes (before ':') and the tactic each is read as. */
static const struct {
    const char *purpose;
    enum cm_ct_tactic tactic;
} purposes[] = {
    {"Discovery", CM_TACTIC_DISCOVERY},
    {"Recon", CM_TACTIC_DISCOVERY},
    {"InitialAccess", CM_TACTIC_INITIAL_ACCESS},
    {"UnauthorizedAccess", CM_TACTIC_INITIAL_ACCESS},
    {"CredentialAccess", CM_TACTIC_CREDENTIAL_ACCESS},
    {"Persistence", CM_TACTIC_PERSISTENCE},
    {"PrivilegeEscalation", CM_TACTIC_PRIVILEGE_ESCALATION},
    {"DefenseEvasion", CM_TACTIC_DEFENSE_EVASION},
    {"Stealth", CM_TACTIC_DEFENSE_EVASION},
    {"Exfiltration", CM_TACTIC_EXFILTRATION},
    {"Impact", CM_TACTIC_IMPACT},
    {"PenTest", CM_TACTIC_PENTEST},
};

/* The tactics in the order an attack goes through them: the order the finding lists them. */
static const enum cm_ct_tactic chain[] = {
    CM_TACTIC_DISCOVERY,
    CM_TACTIC_INITIAL_ACCESS,
    CM_TACTIC_CREDENTIAL_ACCESS,
    CM_TACTIC_PERSISTENCE,
    CM_TACTIC_PRIVILEGE_ESCALATION,
    CM_TACTIC_DEFENSE_EVASION,
    CM_TACTIC_EXFILTRATION,
    CM_TACTIC_IMPACT,
    CM_TACTIC_PENTEST,
};

struct signal {
    const char *type; /* NULL: empty; the detector's constant string */
    uint8_t tactic;
    bool s3_data; /* an Exfiltration:S3 or Impact:S3 type */
    int64_t first_ms, last_ms;
    uint32_t count;
    struct cm_src_ref src;
    char bucket[64]; /* S3Bucket findings: the bucket */
};

struct cred {
    struct signal sig[SIGNALS];
};

struct sequence {
    struct cm_state *creds; /* account/key -> struct cred */
    struct cm_buf info;
};

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
    cm_buf_init(&q->info, 0);
    if ((rc = cm_state_create(&q->creds, &so)) != 0) {
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
        cm_buf_finish(&q->info);
        cm_free(q);
    }
}

static int tick(void *state, int64_t watermark_ms, struct cm_sink *sink)
{
    (void)sink;
    cm_state_expire(((struct sequence *)state)->creds, watermark_ms, NULL, NULL);
    return 0;
}

static void state_stats(const void *state, struct cm_state_stats *sum)
{
    cm_state_stats_add(sum, ((const struct sequence *)state)->creds);
}

/* The tactic of a finding type: its threat purpose (before ':'). */
static enum cm_ct_tactic tactic_of(const char *type)
{
    const char *colon = strchr(type, ':');
    size_t n = colon ? (size_t)(colon - type) : 0;

    for (size_t i = 0; i < sizeof(purposes) / sizeof(purposes[0]); i++) {
        if (strlen(purposes[i].purpose) == n && memcmp(type, purposes[i].purpose, n) == 0) {
            return purposes[i].tactic;
        }
    }
    return CM_TACTIC_NONE;
}

/* Exfiltration:S3/... or Impact:S3/...: data taken or destroyed. */
static bool s3_data_type(const char *type)
{
    return strncmp(type, "Exfiltration:S3/", 16) == 0 || strncmp(type, "Impact:S3/", 10) == 0;
}

/* Notes d as a signal of c; returns it. */
static struct signal *note(struct cred *c, const struct cm_detection *d, int64_t window_ms)
{
    struct signal *s = NULL, *old = &c->sig[0];

    for (size_t i = 0; i < SIGNALS; i++) {
        struct signal *x = &c->sig[i];

        if (x->type != NULL && x->last_ms <= d->time_ms - window_ms) {
            x->type = NULL; /* out of the window */
        }
        if (x->type != NULL && strcmp(x->type, d->type) == 0) {
            s = x;
        }
        if (old->type != NULL && (x->type == NULL || x->last_ms < old->last_ms)) {
            old = x;
        }
    }
    if (s == NULL) {
        s = old;
        memset(s, 0, sizeof(*s));
        s->type = d->type;
        s->tactic = (uint8_t)tactic_of(d->type);
        s->s3_data = s3_data_type(d->type);
        s->first_ms = d->first_ms ? d->first_ms : d->time_ms;
        /* The record that raised it (its evidence may start with records others cite). */
        if (d->event != NULL) {
            s->src = d->event->src;
        } else if (d->nevidence > 0) {
            s->src = d->evidence[d->nevidence - 1];
        }
    }
    if (d->time_ms > s->last_ms) {
        s->last_ms = d->time_ms;
    }
    s->count += d->count ? d->count : 1;
    if (d->resource_type == CM_RES_S3_BUCKET) {
        snprintf(s->bucket, sizeof(s->bucket), "%.*s", (int)d->resource_id.len, d->resource_id.p);
    }
    return s;
}

/* Whether s is among the LISTED signals of c last seen latest. */
static bool listed(const struct cred *c, const struct signal *s)
{
    size_t newer = 0;

    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *x = &c->sig[i];

        newer += x->type != NULL && x != s &&
                 (x->last_ms > s->last_ms || (x->last_ms == s->last_ms && x < s));
    }
    return newer < LISTED;
}

/* Whether d already cites record r (two signals can start at one record). */
static bool cited(const struct cm_detection *d, const struct cm_src_ref *r)
{
    for (uint32_t i = 0; i < d->nevidence; i++) {
        if (d->evidence[i].file_id == r->file_id && d->evidence[i].offset == r->offset &&
            d->evidence[i].length == r->length && d->evidence[i].line == r->line) {
            return true;
        }
    }
    return false;
}

static void put_time(struct cm_jw *jw, const char *key, int64_t ms)
{
    char t[32];

    cm_time_format_iso(ms, t, sizeof(t));
    cm_jw_key(jw, key);
    cm_jw_str(jw, t);
}

static int emit(struct sequence *q, const struct cm_detection *d, const struct cred *c,
                const char *type, struct cm_str key, const struct signal *s3, struct cm_sink *sink)
{
    struct cm_detection out;
    struct cm_jw jw;
    bool seen[CM_TACTIC_COUNT] = {false};
    int64_t first = d->time_ms;
    int rc;

    cm_buf_reset(&q->info);
    cm_jw_init(&jw, &q->info);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "sequence");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "signals");
    cm_jw_arr_begin(&jw);
    memset(&out, 0, sizeof(out));
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == NULL) {
            continue;
        }
        seen[s->tactic] = true;
        first = s->first_ms < first ? s->first_ms : first;
        if (!listed(c, s)) {
            continue; /* the newest LISTED keep additionalInfo within a finding's bounds */
        }
        if (out.nevidence < CM_DETECTION_MAX_EVIDENCE && !cited(&out, &s->src)) {
            out.evidence[out.nevidence++] = s->src;
        }
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "type");
        cm_jw_str(&jw, "FINDING");
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, s->type);
        cm_jw_key(&jw, "tactic");
        cm_jw_str(&jw, cm_ct_tactic_name((enum cm_ct_tactic)s->tactic));
        put_time(&jw, "firstSeenAt", s->first_ms);
        put_time(&jw, "lastSeenAt", s->last_ms);
        cm_jw_key(&jw, "count");
        cm_jw_u64(&jw, s->count);
        if (s->bucket[0]) {
            cm_jw_key(&jw, "resourceUids");
            cm_jw_arr_begin(&jw);
            cm_jw_str(&jw, s->bucket);
            cm_jw_arr_end(&jw);
        }
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "indicators");
    cm_jw_arr_begin(&jw);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "key");
    cm_jw_str(&jw, "ATTACK_TACTIC");
    cm_jw_key(&jw, "values");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
        if (seen[chain[i]]) {
            cm_jw_str(&jw, cm_ct_tactic_name(chain[i]));
        }
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "title");
    cm_jw_str(&jw, "Tactics of the signals");
    cm_jw_obj_end(&jw);
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        return rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    out.type = type;
    out.account = d->account;
    out.region = d->region;
    out.time_ms = d->time_ms;
    out.first_ms = first;
    out.count = 1;
    out.event = d->event;
    if (s3 != NULL) {
        out.resource_type = CM_RES_S3_BUCKET;
        out.resource_id = cm_str_make(s3->bucket, strlen(s3->bucket));
        out.actor = key;
    } else {
        out.resource_type = CM_RES_ACCESS_KEY;
        out.resource_id = key;
    }
    out.info = cm_str_make(q->info.p, q->info.len);
    return cm_sink_emit(sink, &out);
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

static int on_detection(void *state, const struct cm_detection *d, struct cm_sink *sink)
{
    struct sequence *q = state;
    struct cm_str key = credential(d);
    const struct signal *s3 = NULL;
    struct cred *c;
    char k[KEY_MAX];
    size_t klen, ntactics = 0;
    bool seen[CM_TACTIC_COUNT] = {false}, beyond = false, other = false;
    int rc;

    if (d->type == NULL || strncmp(d->type, "AttackSequence:", 15) == 0 || !cm_str_present(key) ||
        key.len == 0 || d->account.len + 1 + key.len > sizeof(k)) {
        return 0;
    }
    memcpy(k, d->account.p, d->account.len);
    k[d->account.len] = '/';
    memcpy(k + d->account.len + 1, key.p, key.len);
    klen = d->account.len + 1 + key.len;
    if ((c = cm_state_touch(q->creds, k, klen, d->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    note(c, d, WINDOW_MS);
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == NULL || s->tactic == CM_TACTIC_NONE) {
            continue;
        }
        if (!seen[s->tactic]) {
            seen[s->tactic] = true;
            ntactics++;
        }
        beyond |= s->tactic != CM_TACTIC_DISCOVERY && s->tactic != CM_TACTIC_PENTEST;
        if (s->s3_data && s->bucket[0] && (s3 == NULL || s->last_ms >= s3->last_ms)) {
            s3 = s;
        }
    }
    for (size_t i = 0; s3 != NULL && i < SIGNALS; i++) {
        other |= c->sig[i].type != NULL && c->sig[i].tactic != CM_TACTIC_NONE &&
                 c->sig[i].tactic != s3->tactic;
    }
    if (ntactics >= MIN_TACTIC && beyond && (rc = emit(q, d, c, iam_type, key, NULL, sink)) != 0) {
        return rc;
    }
    if (s3 != NULL && other) {
        return emit(q, d, c, s3_type, key, s3, sink);
    }
    return 0;
}

static const char *const types[] = {iam_type, s3_type, NULL};

const struct cm_detector cm_detector_ct_sequence = {
    .name = "attack-sequence",
    .types = types,
    .kinds = 0,
    .init = init,
    .on_tick = tick,
    .finish = finish,
    .state_stats = state_stats,
    .on_detection = on_detection,
};
