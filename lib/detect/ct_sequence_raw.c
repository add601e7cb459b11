/*
 * Raw activity as signals of AttackSequence:S3/CompromisedData (ct_sequence.c):
 * GuardDuty's correlator reads API calls as well as findings (signals of
 * type CLOUD_TRAIL and S3_DATA_EVENTS, spec 8.4). Its own tester makes the
 * S3 sequence of calls no finding names: a role assumed, then ListUsers,
 * ListRoles, ListBuckets, ListObjects, PutObject (a ransom note) and
 * DeleteObject.
 *
 * Per account and credential (the access key, a session's included), for a
 * key that enumerated the account's IAM principals or made a rare call on
 * data (opens()), this follows the calls of the table below and the records
 * that made them. The raw rule holds
 * when, within RAW_SPAN_MS of the first IAM enumeration call:
 *
 *   discovery: two IAM enumeration calls (ListUsers, ListRoles, ...) or
 *   GetAccountAuthorizationDetails, and an S3 inventory call (ListBuckets,
 *   ListObjects, ...);
 *   then a call on data, at or after the first IAM enumeration: one that
 *   destroys or holds it hostage (DeleteObject(s), DeleteBucket, versioning
 *   suspended, a lifecycle or encryption configuration put, a ransom note
 *   written) or takes it (RAW_BULK_READ GetObject, CopyObject), that succeeded;
 *   and one more property of the key: a ransom note among the objects it
 *   wrote, a penetration-testing distribution in a user agent of its calls,
 *   or a finding of the key in the sequence detector's window that serves a
 *   tactic (not a Policy type).
 *
 * A job that cleans up, syncs, backs up or destroys with Terraform lists
 * what it works on, not the account's users and roles, and has none of the
 * properties: that is what keeps those quiet (docs/detectors/attack-sequence.md).
 *
 * When it holds, the calls become raw signals of the credential (one per
 * API, its count, first and last time, the record, caller and bucket of its
 * earliest call), which the S3 rule reads as it reads findings (its bucket
 * the newest signal's on data; cred.raw_bucket, the earliest raw call's,
 * when none names one);
 * the records of the calls become records the S3 sequence counts (RAW_BIT:
 * not the IAM sequence's, which reads findings only).
 */
#include "detect/ct_sequence_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "detect/intel.h"

/* The calls followed. */
enum {
    A_LIST_USERS,
    A_LIST_ROLES,
    A_LIST_GROUPS,
    A_LIST_POLICIES,
    A_LIST_ACCESS_KEYS,
    A_AUTH_DETAILS,
    A_LIST_BUCKETS,
    A_LIST_OBJECTS,
    A_LIST_OBJECTS_V2,
    A_LIST_VERSIONS,
    A_GET_OBJECT,
    A_COPY_OBJECT,
    A_PUT_NOTE,
    A_DELETE_OBJECT,
    A_DELETE_OBJECTS,
    A_DELETE_BUCKET,
    A_SUSPEND_VERSIONING,
    A_LIFECYCLE,
    A_LIFECYCLE_CONF,
    A_ENCRYPTION,
    RAW_APIS
};

/* What a call is to the raw rule. */
enum { PH_IAM = 1, PH_S3 = 2, PH_IMPACT = 4, PH_EXFIL = 8 };

static const struct raw_api {
    const char *svc; /* eventSource */
    const char *api; /* eventName, the signal's name */
    uint8_t phase;
    uint8_t tactic;
    uint8_t source;        /* SIG_CLOUD_TRAIL (management) or SIG_S3_DATA_EVENTS */
    const char *technique; /* MITRE ATT&CK's */
} apis[RAW_APIS] = {
    [A_LIST_USERS] = {"iam.amazonaws.com", "ListUsers", PH_IAM, CM_TACTIC_DISCOVERY,
                      SIG_CLOUD_TRAIL, "T1087.004"},
    [A_LIST_ROLES] = {"iam.amazonaws.com", "ListRoles", PH_IAM, CM_TACTIC_DISCOVERY,
                      SIG_CLOUD_TRAIL, "T1087.004"},
    [A_LIST_GROUPS] = {"iam.amazonaws.com", "ListGroups", PH_IAM, CM_TACTIC_DISCOVERY,
                       SIG_CLOUD_TRAIL, "T1069.003"},
    [A_LIST_POLICIES] = {"iam.amazonaws.com", "ListPolicies", PH_IAM, CM_TACTIC_DISCOVERY,
                         SIG_CLOUD_TRAIL, "T1069.003"},
    [A_LIST_ACCESS_KEYS] = {"iam.amazonaws.com", "ListAccessKeys", PH_IAM, CM_TACTIC_DISCOVERY,
                            SIG_CLOUD_TRAIL, "T1087.004"},
    [A_AUTH_DETAILS] = {"iam.amazonaws.com", "GetAccountAuthorizationDetails", PH_IAM,
                        CM_TACTIC_DISCOVERY, SIG_CLOUD_TRAIL, "T1087.004"},
    [A_LIST_BUCKETS] = {"s3.amazonaws.com", "ListBuckets", PH_S3, CM_TACTIC_DISCOVERY,
                        SIG_CLOUD_TRAIL, "T1619"},
    [A_LIST_OBJECTS] = {"s3.amazonaws.com", "ListObjects", PH_S3, CM_TACTIC_DISCOVERY,
                        SIG_S3_DATA_EVENTS, "T1619"},
    [A_LIST_OBJECTS_V2] = {"s3.amazonaws.com", "ListObjectsV2", PH_S3, CM_TACTIC_DISCOVERY,
                           SIG_S3_DATA_EVENTS, "T1619"},
    [A_LIST_VERSIONS] = {"s3.amazonaws.com", "ListObjectVersions", PH_S3, CM_TACTIC_DISCOVERY,
                         SIG_S3_DATA_EVENTS, "T1619"},
    [A_GET_OBJECT] = {"s3.amazonaws.com", "GetObject", PH_EXFIL, CM_TACTIC_EXFILTRATION,
                      SIG_S3_DATA_EVENTS, "T1530"},
    [A_COPY_OBJECT] = {"s3.amazonaws.com", "CopyObject", PH_EXFIL, CM_TACTIC_EXFILTRATION,
                       SIG_S3_DATA_EVENTS, "T1537"},
    [A_PUT_NOTE] = {"s3.amazonaws.com", "PutObject", PH_IMPACT, CM_TACTIC_IMPACT,
                    SIG_S3_DATA_EVENTS, "T1486"},
    [A_DELETE_OBJECT] = {"s3.amazonaws.com", "DeleteObject", PH_IMPACT, CM_TACTIC_IMPACT,
                         SIG_S3_DATA_EVENTS, "T1485"},
    [A_DELETE_OBJECTS] = {"s3.amazonaws.com", "DeleteObjects", PH_IMPACT, CM_TACTIC_IMPACT,
                          SIG_S3_DATA_EVENTS, "T1485"},
    [A_DELETE_BUCKET] = {"s3.amazonaws.com", "DeleteBucket", PH_IMPACT, CM_TACTIC_IMPACT,
                         SIG_CLOUD_TRAIL, "T1485"},
    [A_SUSPEND_VERSIONING] = {"s3.amazonaws.com", "PutBucketVersioning", PH_IMPACT,
                              CM_TACTIC_IMPACT, SIG_CLOUD_TRAIL, "T1490"},
    [A_LIFECYCLE] = {"s3.amazonaws.com", "PutBucketLifecycle", PH_IMPACT, CM_TACTIC_IMPACT,
                     SIG_CLOUD_TRAIL, "T1485"},
    [A_LIFECYCLE_CONF] = {"s3.amazonaws.com", "PutBucketLifecycleConfiguration", PH_IMPACT,
                          CM_TACTIC_IMPACT, SIG_CLOUD_TRAIL, "T1485"},
    [A_ENCRYPTION] = {"s3.amazonaws.com", "PutBucketEncryption", PH_IMPACT, CM_TACTIC_IMPACT,
                      SIG_CLOUD_TRAIL, "T1486"},
};

_Static_assert(RAW_APIS <= RAW_SIGNALS, "a raw signal slot for each API followed");

#define RAW_SPAN_MS   (3600LL * 1000) /* from the first IAM enumeration to the data call */
#define RAW_BULK_READ 20u             /* GetObject calls that take data */
#define RAW_RECS      32u             /* records kept until the sequence takes them */

/* The key's other properties (struct raw.props). */
enum { PROP_NOTE = 1, PROP_TOOL = 2 };

/* One call of the key: how often, when, the record of its earliest and its caller. */
struct raw_call {
    uint32_t count;
    uint32_t handed; /* of count, the calls its raw signal has (hand_over()) */
    int64_t first_ms, last_ms;
    struct cm_src_ref src;
    uint64_t src_key; /* of two as early, the smaller is cited */
    struct cm_ip ip;
    uint8_t region;  /* its number in the regions table */
    char bucket[64]; /* of the earliest call ("" when none or too long) */
};

/* A key's raw activity: the calls seen, the records not yet handed to its sequence. */
struct raw {
    uint32_t seen; /* 1 << A_* */
    uint8_t props; /* PROP_* */
    struct raw_call call[RAW_APIS];
    struct pending rec[RAW_RECS]; /* key 0: empty */
    uint32_t more;                /* records pushed out of rec, counted in bulk */
};

size_t cm_ct_seq_raw_size(void)
{
    return sizeof(struct raw);
}

/*
 * Whether the key of object a ransom note names: a word of one ("ransom",
 * "decrypt", "how_to_recover", ...), compared without case, with '-', ' '
 * and '.' read as '_'.
 */
static bool note_name(struct cm_str k)
{
    static const char *const words[] = {"ransom",         "decrypt",         "how_to_recover",
                                        "how_to_restore", "recover_your",    "restore_your",
                                        "your_files",     "files_encrypted", NULL};
    char low[256];
    size_t n = k.len < sizeof(low) - 1 ? k.len : sizeof(low) - 1;

    for (size_t i = 0; i < n; i++) {
        char ch = k.p[i];

        ch = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
        low[i] = ch == '-' || ch == ' ' || ch == '.' ? '_' : ch;
    }
    low[n] = '\0';
    for (size_t i = 0; words[i] != NULL; i++) {
        if (strstr(low, words[i]) != NULL) {
            return true;
        }
    }
    return false;
}

/* Which call of the table ct is (A_*), else -1: a data call that failed, a PutObject that
 * writes no note and a versioning change that suspends nothing are none. */
static int classify(const struct cm_ct *ct)
{
    struct cm_str name = ct->event_name;
    int a = -1;
    char svc;

    if (cm_str_eqc(ct->event_source, "s3.amazonaws.com")) {
        svc = 's';
    } else if (cm_str_eqc(ct->event_source, "iam.amazonaws.com")) {
        svc = 'i';
    } else {
        return -1; /* most records: one look */
    }
    if (!cm_str_present(name) || name.len == 0) {
        return -1;
    }
    /* The table's services start with distinct letters, and its names are compared whole
     * only when the first letter matches (an S3 data call is looked for among 20). */
    for (int i = 0; i < RAW_APIS; i++) {
        if (apis[i].svc[0] == svc && apis[i].api[0] == name.p[0] && cm_str_eqc(name, apis[i].api)) {
            a = i;
            break;
        }
    }
    if (a < 0 || (apis[a].phase & (PH_IMPACT | PH_EXFIL)) == 0) {
        return a;
    }
    if (!cm_ct_ok(ct)) {
        return -1;
    }
    if (a == A_PUT_NOTE) {
        struct cm_str k = cm_ct_member(ct, ct->request_parameters, "key");

        return cm_str_present(k) && note_name(k) ? a : -1;
    }
    if (a == A_SUSPEND_VERSIONING) {
        uint32_t v = ct->doc ? cm_json_path(ct->doc, ct->request_parameters,
                                            "VersioningConfiguration.Status")
                             : CM_JSON_NONE;

        return v != CM_JSON_NONE && cm_str_eqc(cm_json_str(ct->doc, v, NULL), "Suspended") ? a : -1;
    }
    return a;
}

/* Whether call a starts following a key: IAM enumeration, or a call on data too rare in an
 * owner's day to fill the table (not GetObject, CopyObject, DeleteObject(s), the lists). */
static bool opens(int a)
{
    return apis[a].phase == PH_IAM || a == A_PUT_NOTE || a == A_DELETE_BUCKET ||
           a == A_SUSPEND_VERSIONING || a == A_LIFECYCLE || a == A_LIFECYCLE_CONF ||
           a == A_ENCRYPTION;
}

/* The earliest time of r's calls of phase ph (INT64_MAX: none). */
static int64_t phase_first(const struct raw *r, unsigned ph)
{
    int64_t t = INT64_MAX;

    for (int i = 0; i < RAW_APIS; i++) {
        if ((r->seen >> i & 1u) && (apis[i].phase & ph) && r->call[i].first_ms < t) {
            t = r->call[i].first_ms;
        }
    }
    return t;
}

/* The earliest time of r's calls (INT64_MAX: none): when its episode began. */
static int64_t episode_first(const struct raw *r)
{
    return phase_first(r, PH_IAM | PH_S3 | PH_IMPACT | PH_EXFIL);
}

/* Whether the raw rule holds of r, finding telling whether the key has a finding. */
static bool holds(const struct raw *r, bool finding)
{
    uint32_t iam = 0;
    int64_t start;

    for (int i = 0; i < RAW_APIS; i++) {
        iam += (r->seen >> i & 1u) && apis[i].phase == PH_IAM;
    }
    if ((iam < 2 && !(r->seen & 1u << A_AUTH_DETAILS)) || phase_first(r, PH_S3) == INT64_MAX ||
        (r->props == 0 && !finding)) {
        return false;
    }
    start = phase_first(r, PH_IAM);
    for (int i = 0; i < RAW_APIS; i++) {
        const struct raw_call *x = &r->call[i];

        if (!(r->seen >> i & 1u) || !(apis[i].phase & (PH_IMPACT | PH_EXFIL)) ||
            (i == A_GET_OBJECT && x->count < RAW_BULK_READ)) {
            continue;
        }
        if (x->last_ms >= start && x->last_ms - start <= RAW_SPAN_MS) {
            return true;
        }
    }
    return false;
}

/*
 * Whether c holds a finding of the window at now_ms that serves a tactic: a Policy type
 * (root credentials used, a bucket's public access changed) is how an owner works too,
 * and the root user cleaning up after an IAM review is no attack.
 */
static bool has_finding(const struct cred *c, int64_t now_ms)
{
    if (c == NULL) {
        return false;
    }
    for (size_t i = 0; i < SIGNALS; i++) {
        if (c->sig[i].type != 0 && c->sig[i].source == SIG_FINDING &&
            c->sig[i].tactic != CM_TACTIC_NONE && c->sig[i].last_ms > now_ms - WINDOW_MS) {
            return true;
        }
    }
    return c->ngone > 0 && (c->gone_tactics & ~(1u << CM_TACTIC_NONE)) != 0 &&
           c->gone_last_ms > now_ms - WINDOW_MS;
}

/* Notes record ekey at ms among r's (once); full, the oldest leaves, counted in bulk. */
static void note_record(struct raw *r, uint64_t ekey, int64_t ms)
{
    struct pending *slot = NULL, *old = NULL;

    for (size_t i = 0; i < RAW_RECS; i++) {
        struct pending *p = &r->rec[i];

        if (p->key == ekey) {
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
        r->more += r->more < UINT32_MAX;
    }
    *slot = (struct pending){.key = ekey, .ms = ms};
}

/* Notes call a of event ev (record ekey, region number reg) in r. */
static void note_call(struct raw *r, int a, const struct cm_event *ev, uint64_t ekey, uint8_t reg)
{
    const struct cm_ct *ct = &ev->u.ct;
    struct raw_call *x = &r->call[a];
    struct cm_str b = cm_ct_bucket(ct, NULL);

    if (!(r->seen >> a & 1u)) {
        memset(x, 0, sizeof(*x));
        x->first_ms = INT64_MAX;
        r->seen |= 1u << a;
    }
    x->count += x->count < UINT32_MAX;
    if (ev->time_ms < x->first_ms || (ev->time_ms == x->first_ms && ekey < x->src_key)) {
        x->first_ms = ev->time_ms;
        x->src = ev->src;
        x->src_key = ekey;
        x->ip = ct->source_ip;
        x->region = reg;
        /* The bucket of the earliest call: a sequence's bucket stays where it began. */
        x->bucket[0] = '\0';
        if (cm_str_present(b) && b.len > 0 && b.len < sizeof(x->bucket) &&
            memchr(b.p, '\0', b.len) == NULL) {
            memcpy(x->bucket, b.p, b.len);
            x->bucket[b.len] = '\0';
        }
    }
    if (ev->time_ms > x->last_ms) {
        x->last_ms = ev->time_ms;
    }
}

void cm_ct_seq_raw_expire(struct cred *c, int64_t now_ms)
{
    if (c->raw_bucket[0] && c->raw_bucket_ms <= now_ms - WINDOW_MS) {
        c->raw_bucket[0] = '\0'; /* out of the window */
    }
    if (c->raw_ms <= now_ms - WINDOW_MS) {
        c->gone_raw_tactics = 0;
    }
}

/* c's raw signal of type number t, else a slot for it among the raw signals' (an empty one,
 * else the oldest pushed out); NULL when every raw signal kept is newer than x (x is then
 * pushed out). A finding's signal is never pushed out for raw activity. */
static struct signal *slot_for(const struct sequence *q, struct cred *c, uint8_t t,
                               const struct signal *x, int64_t now_ms)
{
    struct signal *old = NULL;

    cm_ct_seq_raw_expire(c, now_ms);
    if (c->ngone > 0 && c->gone_last_ms <= now_ms - WINDOW_MS) {
        c->gone_tactics = 0;
        c->gone_bucket[0] = '\0';
        c->ngone = 0;
    }
    for (size_t i = SIGNALS; i < SLOTS; i++) {
        struct signal *y = &c->sig[i];

        if (y->type != 0 && y->last_ms <= now_ms - WINDOW_MS) {
            y->type = 0; /* out of the window */
        }
        if (y->type == t) {
            return y;
        }
        if (old == NULL || (old->type != 0 && (y->type == 0 || cm_ct_seq_newer(q, old, y)))) {
            old = y;
        }
    }
    if (old->type != 0 && cm_ct_seq_newer(q, old, x)) {
        cm_ct_seq_push_out(q, c, x);
        return NULL;
    }
    if (old->type != 0) {
        cm_ct_seq_push_out(q, c, old);
    }
    return old;
}

/*
 * Makes r's calls raw signals of c, as of now_ms, and hands r's records to c as records
 * the sequence counts. Returns 0 or CM_ENOMEM.
 */
static int hand_over(struct sequence *q, struct cred *c, struct raw *r, int64_t now_ms)
{
    for (int i = 0; i < RAW_APIS; i++) {
        struct raw_call *a = &r->call[i];
        struct signal x, *s;
        uint32_t add; /* calls its signal does not have yet */
        uint8_t t;
        int rc;

        if (!(r->seen >> i & 1u) || a->last_ms <= now_ms - WINDOW_MS) {
            continue;
        }
        add = a->count - a->handed;
        if ((rc = cm_ct_seq_number(&q->types, cm_str_cstr(apis[i].api), TYPE_LEN, &t)) != 0) {
            return rc;
        }
        if (t == 0) {
            continue; /* the table is full */
        }
        memset(&x, 0, sizeof(x));
        x.type = t;
        x.tactic = apis[i].tactic;
        x.source = apis[i].source;
        x.high_risk = (apis[i].phase & PH_IMPACT) != 0;
        x.s3_data = (apis[i].phase & (PH_IMPACT | PH_EXFIL)) != 0;
        x.region = a->region;
        x.first_ms = a->first_ms;
        x.last_ms = a->last_ms;
        x.count = add;
        x.src = a->src;
        x.src_key = a->src_key;
        x.ip = a->ip;
        memcpy(x.bucket, a->bucket, sizeof(x.bucket));
        x.bucket_ms = a->bucket[0] ? a->last_ms : 0;
        c->raw_ms = a->last_ms > c->raw_ms ? a->last_ms : c->raw_ms;
        if (x.s3_data && a->bucket[0] &&
            (c->raw_bucket[0] == '\0' || a->first_ms < c->raw_bucket_ms ||
             (a->first_ms == c->raw_bucket_ms && strcmp(a->bucket, c->raw_bucket) < 0))) {
            memcpy(c->raw_bucket, a->bucket, sizeof(c->raw_bucket));
            c->raw_bucket_ms = a->first_ms;
            c->raw_bucket_tactic = x.tactic;
        }
        if (add == 0) {
            continue; /* nothing new since the last hand-over */
        }
        a->handed = a->count;
        if ((s = slot_for(q, c, t, &x, now_ms)) == NULL) {
            continue;
        }
        if (s->type != t) {
            *s = x;
            continue;
        }
        /* The API's signal of an earlier episode of the key, in the window: one signal. */
        s->count = s->count > UINT32_MAX - add ? UINT32_MAX : s->count + add;
        if (x.first_ms < s->first_ms || (x.first_ms == s->first_ms && x.src_key < s->src_key)) {
            s->first_ms = x.first_ms;
            s->src = x.src;
            s->src_key = x.src_key;
            s->ip = x.ip;
            s->region = x.region;
            memcpy(s->bucket, x.bucket, sizeof(s->bucket));
        }
        s->last_ms = x.last_ms > s->last_ms ? x.last_ms : s->last_ms;
        s->bucket_ms = s->bucket[0] ? s->last_ms : 0;
    }
    for (size_t i = 0; i < RAW_RECS; i++) {
        if (r->rec[i].key != 0) {
            cm_ct_seq_add_pending(c, r->rec[i].key, r->rec[i].ms, WINDOW_MS, true);
            r->rec[i].key = 0;
        }
    }
    /* Records pushed out before the hand-over: counted in bulk, by the S3 sequence only. */
    c->overflow[SEQ_S3] =
        c->overflow[SEQ_S3] > UINT32_MAX - r->more ? UINT32_MAX : c->overflow[SEQ_S3] + r->more;
    r->more = 0;
    return 0;
}

int cm_ct_seq_raw_finding(struct sequence *q, const struct cm_detection *d, const char *k,
                          size_t klen, struct cred *c, struct cm_sink *sink)
{
    struct raw *r = cm_state_get(q->raw, k, klen);

    (void)sink;
    if (r == NULL || !holds(r, has_finding(c, d->time_ms))) {
        return 0;
    }
    return hand_over(q, c, r, d->time_ms);
}

int cm_ct_seq_on_event(void *state, const struct cm_event *ev, struct cm_sink *sink)
{
    struct sequence *q = state;
    const struct cm_ct *ct = &ev->u.ct;
    struct cm_detection d;
    struct cm_str key;
    struct raw *r = NULL;
    struct cred *c;
    char k[KEY_MAX];
    size_t klen;
    uint64_t ekey;
    uint8_t reg;
    int a, rc;

    if (ev->kind != CM_EV_CLOUDTRAIL || (a = classify(ct)) < 0) {
        return 0;
    }
    key = cm_ct_actor_key(ct); /* the detection's resource_id */
    if (!cm_str_present(key) || key.len == 0 || ev->account.len + 1 + key.len > sizeof(k)) {
        return 0;
    }
    memcpy(k, ev->account.p, ev->account.len);
    k[ev->account.len] = '/';
    memcpy(k + ev->account.len + 1, key.p, key.len);
    klen = ev->account.len + 1 + key.len;
    /*
     * A key is followed from its first IAM enumeration call, where the sequence starts, or
     * from a rare call on data (a note, a bucket deleted, versioning suspended, a lifecycle
     * or encryption put), which a file delivered before the listing's may bring first;
     * the common ones (objects read, deleted, listed) only add to a key followed. Most
     * keys are not: for those calls the table is asked first, without a touch, and the
     * detection is built and the trusted lists asked only for a key it holds. A call from
     * a trusted address touches nothing, as before: its key's entry keeps its last seen
     * and its place in the eviction order (a touch would keep an episode alive longer).
     */
    if (!opens(a) && (r = cm_state_get(q->raw, k, klen)) == NULL) {
        return 0;
    }
    cm_ct_detection(&d, ev, "AttackSequence:S3/CompromisedData");
    if (cm_detect_trusted(cm_detect_intel(q->cfg), &d)) {
        return 0;
    }
    r = opens(a) ? cm_state_touch(q->raw, k, klen, ev->time_ms, NULL)
                 : cm_state_touch_val(q->raw, r, ev->time_ms);
    if (r == NULL) {
        return CM_ENOMEM;
    }
    /*
     * The rule judges the calls within RAW_SPAN_MS of their first; a call later than that
     * ends the key's episode (what held was handed over), and an opening call starts the
     * next. Before 2026-12-05 an entry kept alive by a call an hour (the owner at work)
     * kept its first episode for good: later calls of the owner's were added to a sequence
     * that had held hours before, and an attack the next day never held (its calls were
     * more than an hour after the first).
     */
    if (r->seen != 0 && ev->time_ms - episode_first(r) > RAW_SPAN_MS) {
        memset(r, 0, sizeof(*r));
    }
    if (r->seen == 0 && !opens(a)) {
        return 0; /* no episode: only an opening call starts one */
    }
    if ((rc = cm_ct_seq_number(&q->regions, d.region, REGION_LEN, &reg)) != 0) {
        return rc;
    }
    ekey = cm_ct_seq_record_of(&d);
    note_call(r, a, ev, ekey, reg);
    note_record(r, ekey, ev->time_ms);
    if (a == A_PUT_NOTE) {
        r->props |= PROP_NOTE;
    }
    if (cm_ua_distro(ct->user_agent) != CM_DISTRO_NONE) {
        r->props |= PROP_TOOL;
    }
    c = cm_state_get(q->creds, k, klen);
    if (!holds(r, has_finding(c, ev->time_ms))) {
        return 0;
    }
    if ((c = cm_state_touch(q->creds, k, klen, ev->time_ms, NULL)) == NULL) {
        return CM_ENOMEM;
    }
    if ((rc = hand_over(q, c, r, ev->time_ms)) != 0) {
        return rc;
    }
    cm_ct_seq_note_actor(c, &d, key, ekey);
    return cm_ct_seq_rules(q, &d, ekey, c, key, true, sink);
}

const char *cm_ct_seq_raw_technique(const char *api)
{
    for (int i = 0; i < RAW_APIS; i++) {
        if (strcmp(apis[i].api, api) == 0) {
            return apis[i].technique;
        }
    }
    return NULL;
}

bool cm_ct_seq_raw_ok(const void *ud, const void *key, size_t klen, const void *val)
{
    const struct sequence *q = ud;
    const struct raw *r = val;

    (void)key, (void)klen;
    if (r->seen >= 1u << RAW_APIS || r->props > (PROP_NOTE | PROP_TOOL)) {
        return false;
    }
    for (size_t i = 0; i < RAW_RECS; i++) {
        if (!cm_ckpt_time_set(r->rec[i].ms)) {
            return false;
        }
    }
    for (size_t i = 0; i < RAW_APIS; i++) {
        const struct raw_call *x = &r->call[i];

        if (x->handed > x->count || !cm_ckpt_time_set(x->first_ms) ||
            !cm_ckpt_time_set(x->last_ms) || !cm_ckpt_ip_ok(&x->ip) || x->region > q->regions.n ||
            !cm_ckpt_cstr_ok(x->bucket, sizeof(x->bucket))) {
            return false;
        }
    }
    return true;
}

void cm_ct_seq_raw_refs(void *val, void (*fn)(void *fud, struct cm_src_ref *r), void *fud)
{
    struct raw *r = val;

    for (size_t i = 0; i < RAW_APIS; i++) {
        if (r->seen >> i & 1u) {
            fn(fud, &r->call[i].src);
        }
    }
}
