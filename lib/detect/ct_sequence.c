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
 * Only findings coalmine makes are signals: GuardDuty also correlates raw
 * API activity, which here is what the anomaly models turn into findings.
 */
#include "detect/ct.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/json.h"
#include "detect/ckpt.h"
#include "detect/state.h"

#define SIGNALS    16u
#define KEYS       (64u * 1024)
#define KEY_MAX    256u
#define WINDOW_MS  (24LL * 3600 * 1000)
#define MIN_TACTIC 3u
#define LISTED     8u  /* signals the sequence names: the newest */
#define PENDING    64u /* records of a key kept until every sequence has counted them */

/* Finding types a signal can name (a uint8_t; the build's detectors declare about 90). */
#define TYPES_MAX 255u
/* The longest finding type kept (the longest there is has 68 characters). */
#define TYPE_LEN 128u
/* A region's name with its NUL (the longest there is, ap-southeast-1 and others, has 14). */
#define REGION_LEN 24u

#define SEQUENCE_STATE_VERSION 4u /* bump when the layout save writes changes */

static const char iam_type[] = "AttackSequence:IAM/CompromisedCredentials";
static const char s3_type[] = "AttackSequence:S3/CompromisedData";

/* The two sequences, as bits 1 << SEQ_* of what a pending record was counted by. */
enum { SEQ_IAM, SEQ_S3, SEQ_KINDS };

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
    struct cm_src_ref src;   /* the record of its earliest detection */
    uint64_t src_key;        /* cm_event_key of it: of two as early, the smaller is cited */
    char region[REGION_LEN]; /* its region ("" when too long to keep) */
    int64_t bucket_ms;       /* the time of the detection that named bucket */
    char bucket[64];         /* S3Bucket findings: the bucket of the newest */
};

/*
 * A record of the key's window that a sequence has not counted yet: a sequence
 * counts every record of its window, the ones before it held too, each by its
 * own key (cm_detection.record_key), so that its count is the same whatever
 * order they came in, and a record analysed again (--reread) is not counted
 * twice by the store.
 */
struct pending {
    uint64_t key; /* record_of() the record, | 1 << SEQ_* of the sequences that counted it */
    int64_t ms;   /* its time */
};

#define DONE_BITS 3u /* the low bits of struct pending's key: 1 << SEQ_* */

struct cred {
    struct signal sig[SIGNALS];
    struct pending pend[PENDING];
    /* Records pushed out of pend before a sequence counted them: counted in bulk. */
    uint32_t overflow[SEQ_KINDS];
    /*
     * Signals of the window pushed out by newer ones (more than SIGNALS types): what
     * the rules and the finding still use of them.
     */
    uint32_t ngone;
    uint32_t gone_tactics; /* 1 << tactic of each */
    int64_t gone_first_ms, gone_last_ms;
    char gone_region[REGION_LEN]; /* the region of the earliest */
    /* The bucket of the newest of them that took or destroyed data, its time and tactic. */
    char gone_bucket[64];
    int64_t gone_bucket_ms;
    uint8_t gone_bucket_tactic;
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

/* Whether a was last seen after b (of two as new, the first by name). */
static bool newer(const struct sequence *q, const struct signal *a, const struct signal *b)
{
    if (a->last_ms != b->last_ms) {
        return a->last_ms > b->last_ms;
    }
    return strcmp(type_name(q, a), type_name(q, b)) < 0;
}

/* Whether bucket b, named at b_ms, is newer than bucket a named at a_ms (of two as new, the
 * greater name). */
static bool newer_bucket(const char *b, int64_t b_ms, const char *a, int64_t a_ms)
{
    return a[0] == '\0' || b_ms > a_ms || (b_ms == a_ms && strcmp(b, a) > 0);
}

/* Whether what began at a_ms in region a began before what began at b_ms in b (of two as
 * early, the first region by name). */
static bool earlier_in(int64_t a_ms, const char *a, int64_t b_ms, const char *b)
{
    return a_ms < b_ms || (a_ms == b_ms && strcmp(a, b) < 0);
}

/* Folds signal s into what c keeps of the signals pushed out of its SIGNALS. */
static void push_out(struct cred *c, const struct signal *s)
{
    if (c->ngone == 0 || earlier_in(s->first_ms, s->region, c->gone_first_ms, c->gone_region)) {
        c->gone_first_ms = s->first_ms;
        memcpy(c->gone_region, s->region, sizeof(c->gone_region));
    }
    if (c->ngone == 0 || s->last_ms > c->gone_last_ms) {
        c->gone_last_ms = s->last_ms;
    }
    c->gone_tactics |= 1u << s->tactic;
    if (s->s3_data && s->bucket[0] &&
        newer_bucket(s->bucket, s->bucket_ms, c->gone_bucket, c->gone_bucket_ms)) {
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
static void add_pending(struct cred *c, uint64_t ekey, int64_t ms, int64_t window_ms)
{
    struct pending *slot = NULL, *old = NULL;

    for (size_t i = 0; i < PENDING; i++) {
        struct pending *p = &c->pend[i];

        if (p->key != 0 && p->ms <= ms - window_ms) {
            p->key = 0; /* out of the window */
        }
        if ((p->key & ~(uint64_t)DONE_BITS) == ekey) {
            return;
        }
        if (p->key == 0) {
            slot = slot ? slot : p;
        } else if (old == NULL || p->ms < old->ms || (p->ms == old->ms && p->key < old->key)) {
            old = p;
        }
    }
    if (slot == NULL) {
        slot = old;
        for (size_t k = 0; k < SEQ_KINDS; k++) {
            if (!(slot->key & (1u << k)) && c->overflow[k] < UINT32_MAX) {
                c->overflow[k]++;
            }
        }
    }
    *slot = (struct pending){.key = ekey, .ms = ms};
}

/*
 * Notes d, whose type is number type and whose record has event key ekey, as a
 * signal of c. Every field is a function of the
 * detections noted, not of their order: the earliest first time and the
 * record that raised it (of two as early, the smaller key), the latest last
 * time, the bucket of the newest (of two as new, the greater name). With
 * SIGNALS types of the window kept, c keeps the newest (newer()); the others
 * are pushed out (push_out), whichever came first.
 */
static void note(const struct sequence *q, struct cred *c, const struct cm_detection *d,
                 uint8_t type, uint64_t ekey, int64_t window_ms)
{
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
        if (y->type == type) {
            s = y;
        }
        if (old == NULL || (old->type != 0 && (y->type == 0 || newer(q, old, y)))) {
            old = y; /* an empty slot, else the oldest */
        }
    }
    if (s == NULL) {
        memset(&x, 0, sizeof(x));
        x.type = type;
        x.tactic = (uint8_t)tactic_of(d->type);
        x.s3_data = s3_data_type(d->type);
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
        s->region[0] = '\0';
        if (d->region.len < sizeof(s->region)) {
            memcpy(s->region, d->region.p, d->region.len);
            s->region[d->region.len] = '\0';
        }
    }
    if (d->time_ms > s->last_ms) {
        s->last_ms = d->time_ms;
    }
    s->count += d->count ? d->count : 1;
    if (d->resource_type == CM_RES_S3_BUCKET) {
        char b[sizeof(s->bucket)];

        snprintf(b, sizeof(b), "%.*s", (int)d->resource_id.len, d->resource_id.p);
        if (newer_bucket(b, d->time_ms, s->bucket, s->bucket_ms)) {
            memcpy(s->bucket, b, sizeof(b));
            s->bucket_ms = d->time_ms;
        }
    }
    if (s != &x) {
        return;
    }
    if (old->type != 0 && newer(q, old, &x)) {
        push_out(c, &x); /* older than every signal kept */
        return;
    }
    if (old->type != 0) {
        push_out(c, old);
    }
    *old = x;
}

/* Whether a was first seen before b (of two as early, the first by name). */
static bool earlier(const struct sequence *q, const struct signal *a, const struct signal *b)
{
    if (a->first_ms != b->first_ms) {
        return a->first_ms < b->first_ms;
    }
    return strcmp(type_name(q, a), type_name(q, b)) < 0;
}

/* Sorts v[0 .. n) by before (an insertion sort: n is at most SIGNALS). */
static void sort_signals(const struct sequence *q, const struct signal **v, size_t n,
                         bool (*before)(const struct sequence *, const struct signal *,
                                        const struct signal *))
{
    for (size_t i = 1; i < n; i++) {
        const struct signal *x = v[i];
        size_t j = i;

        for (; j > 0 && before(q, x, v[j - 1]); j--) {
            v[j] = v[j - 1];
        }
        v[j] = x;
    }
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

/* A uid made of what names a sequence or a signal: its type and the credential. */
static void put_uid(struct cm_jw *jw, const char *k, const char *type, struct cm_str key)
{
    char hex[17];
    uint64_t h = cm_hash64(type, strlen(type), 0x73657175656e6365ULL);

    h = cm_hash64(key.p, key.len, h);
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
    cm_jw_key(jw, k);
    cm_jw_str(jw, hex);
}

/*
 * Emits sequence kind (SEQ_IAM or SEQ_S3, named type) of credential c, which d
 * (of record ekey) just added to. What it says is a function of c's signals,
 * not of the order their detections came in: its first and last seen are
 * theirs, it lists the LISTED last seen latest in the order they began. It is
 * emitted once for each record of c this kind has not counted, keyed by that
 * record (cm_detection.record_key), so the aggregator and the store count
 * each record of the key's window once: at the first emission the records
 * before it too. None left, d's record was counted by the emission of an
 * earlier detection of it: this one restates the finding (its signals now
 * know d).
 */
static int emit(struct sequence *q, const struct cm_detection *d, uint64_t ekey, struct cred *c,
                int kind, const char *type, struct cm_str key, const char *bucket,
                struct cm_sink *sink)
{
    struct cm_detection out;
    struct cm_jw jw;
    bool seen[CM_TACTIC_COUNT] = {false};
    const struct signal *v[SIGNALS];
    int64_t first = INT64_MAX, last = d->time_ms;
    const char *where = ""; /* the region of the earliest signal */
    uint32_t bulk = c->overflow[kind];
    bool sent = false;
    size_t n = 0;
    int rc;

    c->overflow[kind] = 0;
    if (c->ngone > 0) {
        first = c->gone_first_ms;
        where = c->gone_region;
        last = c->gone_last_ms > last ? c->gone_last_ms : last;
        for (size_t t = 0; t < CM_TACTIC_COUNT; t++) {
            seen[t] |= (c->gone_tactics >> t) & 1u;
        }
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        struct signal *s = &c->sig[i];

        if (s->type == 0) {
            continue;
        }
        seen[s->tactic] = true;
        if (earlier_in(s->first_ms, s->region, first, where)) {
            first = s->first_ms;
            where = s->region;
        }
        last = s->last_ms > last ? s->last_ms : last;
        v[n++] = s;
    }
    if (first == INT64_MAX) {
        first = d->time_ms; /* no signal: not reached, the rules need some */
    }
    /* The newest LISTED keep the sequence within a finding's bounds; in the order they began. */
    sort_signals(q, v, n, newer);
    n = n < LISTED ? n : LISTED;
    sort_signals(q, v, n, earlier);
    cm_buf_reset(&q->info);
    cm_jw_init(&jw, &q->info);
    cm_jw_obj_begin(&jw);
    /* GuardDuty's Sequence (spec 8.4), which the JSON forms carry at service.detection.sequence. */
    cm_jw_key(&jw, "sequence");
    cm_jw_obj_begin(&jw);
    put_uid(&jw, "uid", type, key);
    cm_jw_key(&jw, "description");
    cm_jw_str(&jw, bucket != NULL ? "A credential that looks compromised was used to reach and "
                                    "change or take data of an S3 bucket."
                                  : "A credential that looks compromised was used for a "
                                    "sequence of suspicious API calls.");
    cm_jw_key(&jw, "actors");
    cm_jw_arr_begin(&jw);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "id");
    cm_jw_strn(&jw, key.p, key.len);
    cm_jw_obj_end(&jw);
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "resources");
    cm_jw_arr_begin(&jw);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "uid");
    if (bucket != NULL) {
        cm_jw_str(&jw, bucket);
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, bucket);
        cm_jw_key(&jw, "resourceType");
        cm_jw_str(&jw, "S3_BUCKET");
    } else {
        cm_jw_strn(&jw, key.p, key.len);
        cm_jw_key(&jw, "resourceType");
        cm_jw_str(&jw, "ACCESS_KEY");
    }
    cm_jw_obj_end(&jw);
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "signals");
    cm_jw_arr_begin(&jw);
    memset(&out, 0, sizeof(out));
    for (size_t i = 0; i < n; i++) {
        const struct signal *s = v[i];

        if (out.nevidence < CM_DETECTION_MAX_EVIDENCE && !cited(&out, &s->src)) {
            out.evidence[out.nevidence++] = s->src;
        }
        cm_jw_obj_begin(&jw);
        put_uid(&jw, "uid", type_name(q, s), key);
        cm_jw_key(&jw, "type");
        cm_jw_str(&jw, "FINDING");
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, type_name(q, s));
        cm_jw_key_time(&jw, "createdAt", s->first_ms);
        cm_jw_key_time(&jw, "updatedAt", s->last_ms);
        cm_jw_key_time(&jw, "firstSeenAt", s->first_ms);
        cm_jw_key_time(&jw, "lastSeenAt", s->last_ms);
        cm_jw_key(&jw, "count");
        cm_jw_u64(&jw, s->count);
        cm_jw_key(&jw, "actorIds");
        cm_jw_arr_begin(&jw);
        cm_jw_strn(&jw, key.p, key.len);
        cm_jw_arr_end(&jw);
        if (s->bucket[0]) {
            cm_jw_key(&jw, "resourceUids");
            cm_jw_arr_begin(&jw);
            cm_jw_str(&jw, s->bucket);
            cm_jw_arr_end(&jw);
        }
        if (s->tactic != CM_TACTIC_NONE) {
            cm_jw_key(&jw, "signalIndicators");
            cm_jw_arr_begin(&jw);
            cm_jw_obj_begin(&jw);
            cm_jw_key(&jw, "key");
            cm_jw_str(&jw, "ATTACK_TACTIC");
            cm_jw_key(&jw, "values");
            cm_jw_arr_begin(&jw);
            cm_jw_str(&jw, cm_ct_tactic_name((enum cm_ct_tactic)s->tactic));
            cm_jw_arr_end(&jw);
            cm_jw_obj_end(&jw);
            cm_jw_arr_end(&jw);
        }
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "sequenceIndicators");
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
    /* Where the sequence began: its finding is one whichever regions its signals are in
     * (CM_FID_ANY_REGION), and this region is the same whatever order they came in. */
    out.region = where[0] ? cm_str_make(where, strlen(where)) : d->region;
    out.time_ms = last;
    out.first_ms = first;
    out.count = 1;
    out.restate = true; /* each brings the finding's details up to date */
    out.event = d->event;
    if (bucket != NULL) {
        out.resource_type = CM_RES_S3_BUCKET;
        out.resource_id = cm_str_make(bucket, strlen(bucket));
        out.actor = key;
    } else {
        out.resource_type = CM_RES_ACCESS_KEY;
        out.resource_id = key;
    }
    out.info = cm_str_make(q->info.p, q->info.len);
    if (bulk > 0) {
        /* Records pushed out before this kind counted them: once, under a key of their own. */
        out.record_key = cm_hash_mix64(ekey ^ 0x62756c6b00000000ULL ^ (uint64_t)kind);
        out.count = bulk;
        if ((rc = cm_sink_emit(sink, &out)) != 0) {
            return rc;
        }
    }
    out.count = 1;
    for (size_t i = 0; i < PENDING; i++) {
        struct pending *p = &c->pend[i];

        if (p->key == 0 || (p->key & (1u << kind))) {
            continue;
        }
        p->key |= 1u << kind;
        out.record_key = p->key & ~(uint64_t)DONE_BITS;
        sent = true;
        if ((rc = cm_sink_emit(sink, &out)) != 0) {
            return rc;
        }
    }
    if (sent) {
        return 0;
    }
    out.record_key = ekey;
    return cm_sink_emit(sink, &out);
}

/* The key of d's record: its event's (cm_event_key), else made of d; never 0, and with the
 * bits struct pending keeps apart (DONE_BITS) clear. */
static uint64_t record_of(const struct cm_detection *d)
{
    uint64_t h;

    if (d->event != NULL) {
        h = cm_event_key(d->event);
    } else {
        h = cm_hash64(d->type, strlen(d->type), 0x7265636f7264ULL);
        h = cm_hash_mix64(h ^ (uint64_t)d->time_ms);
    }
    h &= ~(uint64_t)DONE_BITS;
    return h ? h : DONE_BITS + 1;
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
    const char *bucket = NULL; /* of the newest signal that took or destroyed data */
    int64_t bucket_ms = 0;
    uint8_t bucket_tactic = CM_TACTIC_NONE;
    struct cred *c;
    char k[KEY_MAX];
    size_t klen, ntactics = 0;
    bool seen[CM_TACTIC_COUNT] = {false}, beyond = false, other = false;
    uint64_t ekey = record_of(d);
    uint32_t tactics;
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
    add_pending(c, ekey, d->time_ms, WINDOW_MS);
    note(q, c, d, type, ekey, WINDOW_MS);
    /* The window's tactics and newest data bucket: of the signals kept and those pushed out. */
    tactics = c->ngone > 0 ? c->gone_tactics : 0;
    if (c->ngone > 0 && c->gone_bucket[0]) {
        bucket = c->gone_bucket;
        bucket_ms = c->gone_bucket_ms;
        bucket_tactic = c->gone_bucket_tactic;
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == 0) {
            continue;
        }
        tactics |= 1u << s->tactic;
        if (s->s3_data && s->bucket[0] &&
            (bucket == NULL || newer_bucket(s->bucket, s->bucket_ms, bucket, bucket_ms))) {
            bucket = s->bucket;
            bucket_ms = s->bucket_ms;
            bucket_tactic = s->tactic;
        }
    }
    for (size_t t = CM_TACTIC_NONE + 1; t < CM_TACTIC_COUNT; t++) {
        if ((tactics >> t) & 1u) {
            ntactics += !seen[t];
            seen[t] = true;
            beyond |= t != CM_TACTIC_DISCOVERY && t != CM_TACTIC_PENTEST;
            other |= t != bucket_tactic;
        }
    }
    if (ntactics >= MIN_TACTIC && beyond &&
        (rc = emit(q, d, ekey, c, SEQ_IAM, iam_type, key, NULL, sink)) != 0) {
        return rc;
    }
    if (bucket != NULL && other &&
        (rc = emit(q, d, ekey, c, SEQ_S3, s3_type, key, bucket, sink)) != 0) {
        return rc;
    }
    for (size_t i = 0; i < PENDING; i++) {
        if ((c->pend[i].key & DONE_BITS) == DONE_BITS) {
            c->pend[i].key = 0; /* counted by both */
        }
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
    for (size_t i = 0; i < PENDING; i++) {
        if (!cm_ckpt_time_set(c->pend[i].ms)) {
            return false;
        }
    }
    if (!cm_ckpt_time_set(c->gone_first_ms) || !cm_ckpt_time_set(c->gone_last_ms) ||
        !cm_ckpt_time_set(c->gone_bucket_ms) || c->gone_tactics >= 1u << CM_TACTIC_COUNT ||
        c->gone_bucket_tactic >= CM_TACTIC_COUNT ||
        !cm_ckpt_cstr_ok(c->gone_bucket, sizeof(c->gone_bucket)) ||
        !cm_ckpt_cstr_ok(c->gone_region, sizeof(c->gone_region))) {
        return false;
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type > q->ntypes || s->tactic >= CM_TACTIC_COUNT || !cm_ckpt_time_set(s->first_ms) ||
            !cm_ckpt_time_set(s->last_ms) || !cm_ckpt_time_set(s->bucket_ms) ||
            !cm_ckpt_bool_ok(&s->s3_data) || !cm_ckpt_cstr_ok(s->region, sizeof(s->region)) ||
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
