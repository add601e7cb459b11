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
#include "detect/ckpt.h"
#include "detect/state.h"

#define SIGNALS    16u
#define KEYS       (64u * 1024)
#define KEY_MAX    256u
#define WINDOW_MS  (24LL * 3600 * 1000)
#define MIN_TACTIC 3u
#define LISTED     8u /* signals additionalInfo names: the newest */

/* Finding types a signal can name (a uint8_t; the build's detectors declare about 90). */
#define TYPES_MAX 255u
/* The longest finding type kept (the longest there is has 68 characters). */
#define TYPE_LEN 128u

#define SEQUENCE_STATE_VERSION 1u /* bump when the layout save writes changes */

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

/*
 * A signal names its finding type by number, not by pointer, so that a
 * checkpoint can hold it: i + 1 for type_names[i] of struct sequence, 0 for
 * an empty slot.
 */
struct signal {
    uint8_t type; /* 0: empty; else 1 + its index in type_names */
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

/*
 * The detector's own copy of each finding type its signals name, in the
 * order first seen: the types come from every detector of the engine (and
 * from a checkpoint), so the table is learned, not fixed, and is saved with
 * the signals.
 */
struct sequence {
    struct cm_state *creds; /* account/key -> struct cred */
    struct cm_buf info;
    char *type_names[TYPES_MAX];
    uint32_t ntypes;
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
        for (uint32_t i = 0; i < q->ntypes; i++) {
            cm_free(q->type_names[i]);
        }
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

/* The name of signal s (not empty). */
static const char *type_name(const struct sequence *q, const struct signal *s)
{
    return q->type_names[s->type - 1];
}

/*
 * The number of finding type t in q->type_names (added when new) into *out; 0
 * when t cannot be kept (too long, or the table is full: then it is no
 * signal). Returns 0 or CM_ENOMEM.
 */
static int type_number(struct sequence *q, const char *t, uint8_t *out)
{
    size_t n = strlen(t);

    *out = 0;
    for (uint32_t i = 0; i < q->ntypes; i++) {
        if (strcmp(q->type_names[i], t) == 0) {
            *out = (uint8_t)(i + 1);
            return 0;
        }
    }
    if (n > TYPE_LEN || q->ntypes >= TYPES_MAX) {
        return 0;
    }
    if ((q->type_names[q->ntypes] = cm_malloc(n + 1)) == NULL) {
        return CM_ENOMEM;
    }
    memcpy(q->type_names[q->ntypes], t, n + 1);
    *out = (uint8_t)++q->ntypes;
    return 0;
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

/* Notes d, whose type is number type, as a signal of c; returns it. */
static struct signal *note(struct cred *c, const struct cm_detection *d, uint8_t type,
                           int64_t window_ms)
{
    struct signal *s = NULL, *old = &c->sig[0];

    for (size_t i = 0; i < SIGNALS; i++) {
        struct signal *x = &c->sig[i];

        if (x->type != 0 && x->last_ms <= d->time_ms - window_ms) {
            x->type = 0; /* out of the window */
        }
        if (x->type == type) {
            s = x;
        }
        if (old->type != 0 && (x->type == 0 || x->last_ms < old->last_ms)) {
            old = x;
        }
    }
    if (s == NULL) {
        s = old;
        memset(s, 0, sizeof(*s));
        s->type = type;
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

        newer += x->type != 0 && x != s &&
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

        if (s->type == 0) {
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
        cm_jw_str(&jw, type_name(q, s));
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
    uint8_t type;
    int rc;

    if (d->type == NULL || strncmp(d->type, "AttackSequence:", 15) == 0 || !cm_str_present(key) ||
        key.len == 0 || d->account.len + 1 + key.len > sizeof(k)) {
        return 0;
    }
    if ((rc = type_number(q, d->type, &type)) != 0 || type == 0) {
        return rc;
    }
    memcpy(k, d->account.p, d->account.len);
    k[d->account.len] = '/';
    memcpy(k + d->account.len + 1, key.p, key.len);
    klen = d->account.len + 1 + key.len;
    if ((c = cm_state_touch(q->creds, k, klen, d->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    note(c, d, type, WINDOW_MS);
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == 0 || s->tactic == CM_TACTIC_NONE) {
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
        other |= c->sig[i].type != 0 && c->sig[i].tactic != CM_TACTIC_NONE &&
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

/* ---- checkpoints ------------------------------------------------------------------- */

/*
 * A credential's signals read back from a file, against the type table read
 * before them (ud: the detector): a type number within it, a tactic that
 * indexes the tactic tables, times (first_ms becomes the finding's), a bool,
 * a bucket that is a C string. Slots emptied by the window keep their other
 * fields, so every slot is checked.
 */
static bool cred_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct sequence *q = ud;
    const struct cred *c = val;

    (void)key, (void)klen;
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type > q->ntypes || s->tactic >= CM_TACTIC_COUNT || !cm_ckpt_time_set(s->first_ms) ||
            !cm_ckpt_time_set(s->last_ms) || !cm_ckpt_bool_ok(&s->s3_data) ||
            !cm_ckpt_cstr_ok(s->bucket, sizeof(s->bucket))) {
            return false;
        }
    }
    return true;
}

static void cred_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct cred *c = val;

    for (size_t i = 0; i < SIGNALS; i++) {
        if (c->sig[i].type != 0) {
            fn(fud, &c->sig[i].src);
        }
    }
}

/* The type table (u32 count, then each name), then the signals. */
static int save(const void *state, struct cm_ckpt_w *w)
{
    const struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};

    cm_ckpt_put_u32(w, q->ntypes);
    for (uint32_t i = 0; i < q->ntypes; i++) {
        cm_ckpt_put_str(w, q->type_names[i], strlen(q->type_names[i]));
    }
    return cm_state_save(q->creds, w, &codec);
}

static int load(void *state, struct cm_ckpt_r *r)
{
    struct sequence *q = state;
    struct cm_state_codec codec = {.check = cred_ok, .ud = q, .refs = cred_refs};
    uint32_t n = cm_ckpt_get_u32(r);

    if (r->err == 0 && n > TYPES_MAX - q->ntypes) {
        return cm_ckpt_r_fail(r, CM_EINVAL, "attack sequences name too many finding types");
    }
    for (uint32_t i = 0; i < n && r->err == 0; i++) {
        struct cm_str t = cm_ckpt_get_str(r, TYPE_LEN);

        if (r->err != 0) {
            break;
        }
        /* A name is a C string here, and one number per name keeps signals of a type one. */
        if (t.len == 0 || memchr(t.p, '\0', t.len) != NULL) {
            return cm_ckpt_r_fail(r, CM_EINVAL, "a finding type's name is empty or holds a NUL");
        }
        for (uint32_t j = 0; j < q->ntypes; j++) {
            if (cm_str_eqc(t, q->type_names[j])) {
                return cm_ckpt_r_fail(r, CM_EINVAL, "a finding type is named twice");
            }
        }
        if ((q->type_names[q->ntypes] = cm_malloc(t.len + 1)) == NULL) {
            return cm_ckpt_r_fail(r, CM_ENOMEM, "out of memory");
        }
        memcpy(q->type_names[q->ntypes], t.p, t.len);
        q->type_names[q->ntypes++][t.len] = '\0';
    }
    if (r->err != 0) {
        return r->err;
    }
    return cm_state_load(q->creds, r, &codec);
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
    .state_version = SEQUENCE_STATE_VERSION,
    .save = save,
    .load = load,
};
