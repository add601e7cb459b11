/*
 * The signals of an attack sequence's credential (ct_sequence.c): noting
 * each detection of the credential as a signal, one per finding type of the
 * window, each a function of the detections noted and not of their order;
 * past SIGNALS types, the oldest pushed out into a summary; and the records
 * of the window no sequence has counted yet.
 */
#include "detect/ct_sequence_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"

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
    {"DefenseImpairment", CM_TACTIC_DEFENSE_EVASION}, /* Custom Detection Rules (ct_custom.c) */
    {"Exfiltration", CM_TACTIC_EXFILTRATION},
    {"Impact", CM_TACTIC_IMPACT},
    {"PenTest", CM_TACTIC_PENTEST},
};

const char *cm_ct_seq_name(const struct names *t, uint8_t i)
{
    return i == 0 || i > t->n ? "" : t->v[i - 1];
}

int cm_ct_seq_number(struct names *t, struct cm_str s, size_t max, uint8_t *out)
{
    *out = 0;
    if (!cm_str_present(s) || s.len == 0 || s.len > max || memchr(s.p, '\0', s.len) != NULL) {
        return 0;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        if (cm_str_eqc(s, t->v[i])) {
            *out = (uint8_t)(i + 1);
            return 0;
        }
    }
    if (t->n >= NAMES_MAX) {
        return 0;
    }
    if ((t->v[t->n] = cm_malloc(s.len + 1)) == NULL) {
        return CM_ENOMEM;
    }
    memcpy(t->v[t->n], s.p, s.len);
    t->v[t->n][s.len] = '\0';
    *out = (uint8_t)++t->n;
    return 0;
}

void cm_ct_seq_names_free(struct names *t)
{
    for (uint32_t i = 0; i < t->n; i++) {
        cm_free(t->v[i]);
    }
    t->n = 0;
}

const char *cm_ct_seq_type_name(const struct sequence *q, const struct signal *s)
{
    return cm_ct_seq_name(&q->types, s->type);
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

/* Whether a was last seen after b (of two as new, the first by name, then by finding id). */
bool cm_ct_seq_newer(const struct sequence *q, const struct signal *a, const struct signal *b)
{
    int by_name;

    if (a->last_ms != b->last_ms) {
        return a->last_ms > b->last_ms;
    }
    by_name = strcmp(cm_ct_seq_type_name(q, a), cm_ct_seq_type_name(q, b));
    return by_name != 0 ? by_name < 0 : memcmp(a->fid, b->fid, FID_LEN) < 0;
}

/* Whether bucket b, named at b_ms, is newer than bucket a named at a_ms (of two as new, the
 * greater name). */
bool cm_ct_seq_newer_bucket(const char *b, int64_t b_ms, const char *a, int64_t a_ms)
{
    return a[0] == '\0' || b_ms > a_ms || (b_ms == a_ms && strcmp(b, a) > 0);
}

/* Whether what began at a_ms in region a began before what began at b_ms in b (of two as
 * early, the first region by name). */
bool cm_ct_seq_earlier_in(int64_t a_ms, const char *a, int64_t b_ms, const char *b)
{
    return a_ms < b_ms || (a_ms == b_ms && strcmp(a, b) < 0);
}

void cm_ct_seq_push_out(const struct sequence *q, struct cred *c, const struct signal *s)
{
    if (s->source != SIG_FINDING) {
        /* Raw: its tactic only, for the S3 rule (the findings' summary stays theirs). */
        c->gone_raw_tactics |= 1u << s->tactic;
        return;
    }
    if (c->ngone == 0 ||
        cm_ct_seq_earlier_in(s->first_ms, cm_ct_seq_name(&q->regions, s->region), c->gone_first_ms,
                             cm_ct_seq_name(&q->regions, c->gone_region))) {
        c->gone_first_ms = s->first_ms;
        c->gone_region = s->region;
    }
    if (c->ngone == 0 || s->last_ms > c->gone_last_ms) {
        c->gone_last_ms = s->last_ms;
    }
    c->gone_tactics |= 1u << s->tactic;
    if (s->s3_data && s->bucket[0] &&
        cm_ct_seq_newer_bucket(s->bucket, s->bucket_ms, c->gone_bucket, c->gone_bucket_ms)) {
        memcpy(c->gone_bucket, s->bucket, sizeof(c->gone_bucket));
        c->gone_bucket_ms = s->bucket_ms;
        c->gone_bucket_tactic = s->tactic;
    }
    c->ngone++;
}

/*
 * Notes record ekey, made at ms, as one of c's window the sequences have to
 * count (once: a record's detections are one record); records out of the
 * window leave. Full, the oldest leaves, counted in bulk by the sequences that
 * had not counted it (overflow).
 */
void cm_ct_seq_add_pending(struct cred *c, uint64_t ekey, int64_t ms, int64_t window_ms, bool raw)
{
    struct pending *slot = NULL, *old = NULL, *old_raw = NULL;

    for (size_t i = 0; i < PENDING; i++) {
        struct pending *p = &c->pend[i];
        bool older = old == NULL || p->ms < old->ms || (p->ms == old->ms && p->key < old->key);
        bool older_raw = old_raw == NULL || p->ms < old_raw->ms ||
                         (p->ms == old_raw->ms && p->key < old_raw->key);

        if (p->key != 0 && p->ms <= ms - window_ms) {
            p->key = 0; /* out of the window */
        }
        if ((p->key & ~(uint64_t)KEY_BITS) == ekey) {
            if (!raw && (p->key & RAW_BIT)) {
                p->key &= ~(uint64_t)(RAW_BIT | 1u << SEQ_IAM); /* a finding's now */
            }
            return;
        }
        if (p->key == 0) {
            slot = slot ? slot : p;
            continue;
        }
        old = older ? p : old;
        old_raw = (p->key & RAW_BIT) && older_raw ? p : old_raw;
    }
    /* Full: a raw record leaves first, and a raw record takes no finding's place, so the
     * findings' records are counted as they were before raw activity was (in bulk past
     * PENDING); a raw one that finds no place is counted in bulk by the S3 sequence. */
    if (slot == NULL && old_raw == NULL && raw) {
        c->overflow[SEQ_S3] += c->overflow[SEQ_S3] < UINT32_MAX;
        return;
    }
    if (slot == NULL) {
        slot = old_raw ? old_raw : old;
        for (size_t k = 0; k < SEQ_KINDS; k++) {
            if (!(slot->key & (1u << k)) && c->overflow[k] < UINT32_MAX) {
                c->overflow[k]++;
            }
        }
    }
    *slot = (struct pending){.key = ekey | (raw ? RAW_BIT | 1u << SEQ_IAM : 0), .ms = ms};
}

/*
 * Notes d, whose type is number type, whose finding is ref and whose record
 * has event key ekey, as a signal of c: the signal of its finding (of its
 * type when ref is unknown). Every field is a function of the detections
 * noted, not of their order: the earliest first time and the record that
 * raised it (of two as early, the smaller key), the latest last time, the
 * highest severity, the bucket of the newest (of two as new, the greater
 * name). With SIGNALS findings of the window kept, c keeps the newest
 * (cm_ct_seq_newer()); the others are pushed out (cm_ct_seq_push_out), whichever came
 * first.
 */
void cm_ct_seq_note(const struct sequence *q, struct cred *c, const struct cm_detection *d,
                    const struct noted *n, uint64_t ekey, int64_t window_ms)
{
    const struct finding_ref *ref = &n->ref;
    uint8_t type = n->type;
    struct signal *s = NULL, *old = NULL, x;
    int64_t first = d->first_ms ? d->first_ms : d->time_ms;

    if (c->ngone > 0 && c->gone_last_ms <= d->time_ms - window_ms) {
        /* out of the window */
        c->gone_tactics = 0;
        c->gone_bucket[0] = '\0';
        c->ngone = 0;
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        struct signal *y = &c->sig[i];

        if (y->type != 0 && y->last_ms <= d->time_ms - window_ms) {
            y->type = 0; /* out of the window */
        }
        if (y->type == type && memcmp(y->fid, ref->id, FID_LEN) == 0) {
            s = y; /* the same finding */
        }
        if (old == NULL || (old->type != 0 && (y->type == 0 || cm_ct_seq_newer(q, old, y)))) {
            old = y; /* an empty slot, else the oldest */
        }
    }
    if (s == NULL) {
        memset(&x, 0, sizeof(x));
        x.type = type;
        x.tactic = (uint8_t)tactic_of(d->type);
        x.s3_data = s3_data_type(d->type);
        memcpy(x.fid, ref->id, FID_LEN);
        x.first_ms = INT64_MAX;
        x.last_ms = d->time_ms;
        s = &x; /* kept, or pushed out below, once it holds d */
    }
    if (first < s->first_ms || (first == s->first_ms && ekey < s->src_key)) {
        s->first_ms = first;
        s->src_key = ekey;
        /* The record that raised it (its evidence may start with records others cite). */
        if (d->event != NULL) {
            s->src = d->event->src;
        } else if (d->nevidence > 0) {
            s->src = d->evidence[d->nevidence - 1];
        }
        s->ip = d->event != NULL && d->event->kind == CM_EV_CLOUDTRAIL ? d->event->u.ct.source_ip
                                                                       : (struct cm_ip){0};
        s->region = n->region;
    }
    if (d->time_ms > s->last_ms) {
        s->last_ms = d->time_ms;
    }
    s->count += d->count ? d->count : 1;
    if (ref->severity10 > s->severity10) {
        s->severity10 = ref->severity10; /* a finding keeps the highest (cm_agg_add) */
    }
    /*
     * The bucket its finding names (an AccessKey finding about a bucket, such as
     * Stealth:S3/ServerAccessLoggingDisabled, has one too); without the
     * pipeline's finding_ref, an S3Bucket detection's resource.
     */
    if (ref->bucket[0] != '\0' || d->resource_type == CM_RES_S3_BUCKET) {
        char b[sizeof(s->bucket)];

        if (ref->bucket[0] != '\0') {
            memcpy(b, ref->bucket, sizeof(b));
        } else {
            snprintf(b, sizeof(b), "%.*s", (int)d->resource_id.len, d->resource_id.p);
        }
        if (cm_ct_seq_newer_bucket(b, d->time_ms, s->bucket, s->bucket_ms)) {
            memcpy(s->bucket, b, sizeof(b));
            s->bucket_ms = d->time_ms;
        }
    }
    if (s != &x) {
        return;
    }
    if (old->type != 0 && cm_ct_seq_newer(q, old, &x)) {
        cm_ct_seq_push_out(q, c, &x); /* older than every signal kept */
        return;
    }
    if (old->type != 0) {
        cm_ct_seq_push_out(q, c, old);
    }
    *old = x;
}

/* Copies v into out (cap bytes) as a C string; "" when it does not fit or is absent. */
static void keep(char *out, size_t cap, struct cm_str v)
{
    out[0] = '\0';
    if (cm_str_present(v) && v.len < cap && memchr(v.p, '\0', v.len) == NULL) {
        memcpy(out, v.p, v.len);
        out[v.len] = '\0';
    }
}

void cm_ct_seq_note_actor(struct cred *c, const struct cm_detection *d, struct cm_str key,
                          uint64_t ekey)
{
    const struct cm_ct_identity *u;
    struct actor *a = &c->actor;
    struct cm_str user;

    if (d->event == NULL || d->event->kind != CM_EV_CLOUDTRAIL) {
        return;
    }
    u = &d->event->u.ct.uid;
    if (!cm_str_eq(u->access_key_id, key) ||
        (a->ms != 0 &&
         (d->event->time_ms > a->ms || (d->event->time_ms == a->ms && ekey >= a->key)))) {
        return;
    }
    /* The user as the findings' accessKeyDetails.userName has it (finding_build.c). */
    user = u->user_name;
    if (!cm_str_present(user)) {
        user = u->issuer_user_name;
    }
    if (!cm_str_present(user) && u->type == CM_UID_ROOT) {
        user = CM_STR_LIT("Root");
    }
    a->ms = d->event->time_ms;
    a->key = ekey;
    keep(a->name, sizeof(a->name), user);
    keep(a->uid, sizeof(a->uid), u->principal_id);
    keep(a->type, sizeof(a->type), u->type_name);
    keep(a->account, sizeof(a->account),
         cm_str_present(u->account_id) ? u->account_id : d->account);
    if (!cm_str_present(u->creation_date) ||
        cm_time_parse_iso(u->creation_date, &a->session_ms) != 0) {
        a->session_ms = 0;
    }
    a->session_mfa = cm_str_eqc(u->mfa_authenticated, "true")    ? 1
                     : cm_str_eqc(u->mfa_authenticated, "false") ? 0
                                                                 : -1;
    keep(a->issuer, sizeof(a->issuer), u->issuer_arn);
}
