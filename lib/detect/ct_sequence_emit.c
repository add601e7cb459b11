/*
 * The finding of an attack sequence (ct_sequence.c): its
 * service.detection.sequence, written from the credential's signals, and its
 * emission, once for each record of the window the sequence has not counted.
 */
#include "detect/ct_sequence_impl.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/hash.h"
#include "base/ip.h"

/* An address as text with its NUL (the longest IPv6 form has 45 characters). */
#define IP_TEXT 48

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

/* Whether a was first seen before b (of two as early, the first by name, then by finding id). */
static bool earlier(const struct sequence *q, const struct signal *a, const struct signal *b)
{
    int by_name;

    if (a->first_ms != b->first_ms) {
        return a->first_ms < b->first_ms;
    }
    by_name = strcmp(cm_ct_seq_type_name(q, a), cm_ct_seq_type_name(q, b));
    return by_name != 0 ? by_name < 0 : memcmp(a->fid, b->fid, FID_LEN) < 0;
}

/* Sorts v[0 .. n) by before (an insertion sort: n is at most SLOTS). */
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

/* What a sequence says of its credential's signals: a function of them, not of their order. */
struct view {
    const struct signal *v[SLOTS]; /* the LISTED last seen latest, in the order they began */
    size_t n;
    bool seen[CM_TACTIC_COUNT]; /* the tactics of the window */
    int64_t first, last;        /* the earliest and latest time of the signals */
    const char *where;          /* the region of the earliest signal */
};

/*
 * The view of c's signals (and those pushed out) for sequence kind; d is the detection that
 * just added to them. The IAM sequence's are the findings only; the S3 one's raw signals too.
 */
static void look(const struct sequence *q, const struct cred *c, const struct cm_detection *d,
                 int kind, struct view *w)
{
    memset(w, 0, sizeof(*w));
    w->first = INT64_MAX;
    w->last = d->time_ms;
    w->where = "";
    if (c->ngone > 0) {
        w->first = c->gone_first_ms;
        w->where = cm_ct_seq_name(&q->regions, c->gone_region);
        w->last = c->gone_last_ms > w->last ? c->gone_last_ms : w->last;
        for (size_t t = 0; t < CM_TACTIC_COUNT; t++) {
            w->seen[t] |= (c->gone_tactics >> t) & 1u;
        }
    }
    for (size_t t = 0; t < CM_TACTIC_COUNT && kind == SEQ_S3; t++) {
        w->seen[t] |= (c->gone_raw_tactics >> t) & 1u;
    }
    for (size_t i = 0; i < SLOTS; i++) {
        const struct signal *s = &c->sig[i];

        if (s->type == 0 || (kind == SEQ_IAM && s->source != SIG_FINDING)) {
            continue;
        }
        w->seen[s->tactic] = true;
        if (cm_ct_seq_earlier_in(s->first_ms, cm_ct_seq_name(&q->regions, s->region), w->first,
                                 w->where)) {
            w->first = s->first_ms;
            w->where = cm_ct_seq_name(&q->regions, s->region);
        }
        w->last = s->last_ms > w->last ? s->last_ms : w->last;
        w->v[w->n++] = s;
    }
    if (w->first == INT64_MAX) {
        w->first = d->time_ms; /* no signal: not reached, the rules need some */
    }
    /* The newest LISTED keep the sequence within a finding's bounds; in the order they began. */
    sort_signals(q, w->v, w->n, cm_ct_seq_newer);
    w->n = w->n < LISTED ? w->n : LISTED;
    sort_signals(q, w->v, w->n, earlier);
}

/* Takes out of w's list the signal last seen earliest (the list keeps its order). */
static void drop_oldest(const struct sequence *q, struct view *w)
{
    size_t old = 0;

    for (size_t i = 1; i < w->n; i++) {
        if (cm_ct_seq_newer(q, w->v[old], w->v[i])) {
            old = i;
        }
    }
    memmove(&w->v[old], &w->v[old + 1], (w->n - old - 1) * sizeof(w->v[0]));
    w->n--;
}

/* Writes the ATTACK_TACTIC indicator of the tactics seen, in the order an attack goes. */
static void put_tactics(struct cm_jw *jw, const bool seen[CM_TACTIC_COUNT], const char *title)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "key");
    cm_jw_str(jw, "ATTACK_TACTIC");
    cm_jw_key(jw, "values");
    cm_jw_arr_begin(jw);
    for (size_t i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
        if (seen[chain[i]]) {
            cm_jw_str(jw, cm_ct_tactic_name(chain[i]));
        }
    }
    cm_jw_arr_end(jw);
    if (title != NULL) {
        cm_jw_key(jw, "title");
        cm_jw_str(jw, title);
    }
    cm_jw_obj_end(jw);
}

/*
 * The indicator a signal's finding type gives its caller's address: TOR_IP for a
 * *TorIPCaller type (the address is a Tor exit node's), MALICIOUS_IP for a
 * *MaliciousIPCaller one (on a threat list, the customer's too); else NULL.
 */
static const char *address_kind(const struct sequence *q, const struct signal *s)
{
    const char *t = cm_ct_seq_type_name(q, s);

    if (strstr(t, "/TorIPCaller") != NULL) {
        return "TOR_IP";
    }
    return strstr(t, "/MaliciousIPCaller") != NULL ? "MALICIOUS_IP" : NULL;
}

/*
 * Writes the indicator key (TOR_IP or MALICIOUS_IP) of signals v[0 .. n): the
 * addresses of those its finding type says are such, each once; nothing when
 * none is. title: NULL for none.
 */
static void put_addresses(struct cm_jw *jw, const struct sequence *q, const struct signal *const *v,
                          size_t n, const char *key, const char *title)
{
    bool any = false;

    for (size_t i = 0; i < n; i++) {
        const char *kind = address_kind(q, v[i]);
        char ip[IP_TEXT];
        bool again = false;

        for (size_t j = 0; j < i && !again; j++) {
            again = address_kind(q, v[j]) == kind &&
                    memcmp(&v[j]->ip, &v[i]->ip, sizeof(v[i]->ip)) == 0;
        }
        if (kind == NULL || strcmp(kind, key) != 0 || v[i]->ip.family == CM_IP_NONE || again) {
            continue;
        }
        if (!any) {
            cm_jw_obj_begin(jw);
            cm_jw_key(jw, "key");
            cm_jw_str(jw, key);
            cm_jw_key(jw, "values");
            cm_jw_arr_begin(jw);
            any = true;
        }
        cm_ip_format(&v[i]->ip, ip, sizeof(ip));
        cm_jw_str(jw, ip);
    }
    if (any) {
        cm_jw_arr_end(jw);
        if (title != NULL) {
            cm_jw_key(jw, "title");
            cm_jw_str(jw, title);
        }
        cm_jw_obj_end(jw);
    }
}

/* Writes indicator key with the one value v (a raw signal's). */
static void put_one(struct cm_jw *jw, const char *key, const char *v)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "key");
    cm_jw_str(jw, key);
    cm_jw_key(jw, "values");
    cm_jw_arr_begin(jw);
    cm_jw_str(jw, v);
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/* Writes the HIGH_RISK_API indicator of the raw signals v[0 .. n) that change or destroy
 * data, each name once; nothing when none does. */
static void put_high_risk(struct cm_jw *jw, const struct sequence *q, const struct signal *const *v,
                          size_t n)
{
    bool any = false;

    for (size_t i = 0; i < n; i++) {
        bool again = false;

        for (size_t j = 0; j < i && !again; j++) {
            again = v[j]->high_risk && v[j]->type == v[i]->type;
        }
        if (!v[i]->high_risk || again) {
            continue;
        }
        if (!any) {
            cm_jw_obj_begin(jw);
            cm_jw_key(jw, "key");
            cm_jw_str(jw, "HIGH_RISK_API");
            cm_jw_key(jw, "values");
            cm_jw_arr_begin(jw);
            any = true;
        }
        cm_jw_str(jw, cm_ct_seq_type_name(q, v[i]));
    }
    if (any) {
        cm_jw_arr_end(jw);
        cm_jw_key(jw, "title");
        cm_jw_str(jw, "Calls that changed or destroyed data");
        cm_jw_obj_end(jw);
    }
}

/* Writes signal s of credential key (GuardDuty's Signal, spec 8.4). */
static void put_signal(struct cm_jw *jw, const struct sequence *q, const struct signal *s,
                       struct cm_str key)
{
    static const uint8_t unknown[FID_LEN] = {0};

    cm_jw_obj_begin(jw);
    if (memcmp(s->fid, unknown, FID_LEN) != 0) {
        char hex[2 * FID_LEN + 1];

        for (size_t i = 0; i < FID_LEN; i++) {
            snprintf(hex + 2 * i, 3, "%02x", s->fid[i]);
        }
        cm_jw_key(jw, "uid"); /* the id of its finding, as the scan prints it */
        cm_jw_str(jw, hex);
    } else {
        put_uid(jw, "uid", cm_ct_seq_type_name(q, s), key);
    }
    cm_jw_key(jw, "type");
    cm_jw_str(jw, s->source == SIG_CLOUD_TRAIL      ? "CLOUD_TRAIL"
                  : s->source == SIG_S3_DATA_EVENTS ? "S3_DATA_EVENTS"
                                                    : "FINDING");
    cm_jw_key(jw, "name");
    cm_jw_str(jw, cm_ct_seq_type_name(q, s));
    if (s->severity10 > 0) {
        cm_jw_key(jw, "severity");
        cm_jw_f64(jw, s->severity10 / 10.0);
    }
    cm_jw_key_time(jw, "createdAt", s->first_ms);
    cm_jw_key_time(jw, "updatedAt", s->last_ms);
    cm_jw_key_time(jw, "firstSeenAt", s->first_ms);
    cm_jw_key_time(jw, "lastSeenAt", s->last_ms);
    cm_jw_key(jw, "count");
    cm_jw_u64(jw, s->count);
    cm_jw_key(jw, "actorIds");
    cm_jw_arr_begin(jw);
    cm_jw_strn(jw, key.p, key.len);
    cm_jw_arr_end(jw);
    if (s->ip.family != CM_IP_NONE) {
        char ip[IP_TEXT];

        cm_ip_format(&s->ip, ip, sizeof(ip));
        cm_jw_key(jw, "endpointIds"); /* the caller's address, an endpoint's id */
        cm_jw_arr_begin(jw);
        cm_jw_str(jw, ip);
        cm_jw_arr_end(jw);
    }
    if (s->bucket[0]) {
        cm_jw_key(jw, "resourceUids");
        cm_jw_arr_begin(jw);
        cm_jw_str(jw, s->bucket);
        cm_jw_arr_end(jw);
    }
    if (s->tactic != CM_TACTIC_NONE || (address_kind(q, s) != NULL && s->ip.family != CM_IP_NONE)) {
        bool seen[CM_TACTIC_COUNT] = {false};
        const struct signal *one[1] = {s};
        const char *technique =
            s->source != SIG_FINDING ? cm_ct_seq_raw_technique(cm_ct_seq_type_name(q, s)) : NULL;

        cm_jw_key(jw, "signalIndicators");
        cm_jw_arr_begin(jw);
        if (s->tactic != CM_TACTIC_NONE) {
            seen[s->tactic] = true;
            put_tactics(jw, seen, NULL);
        }
        if (s->high_risk) {
            put_one(jw, "HIGH_RISK_API", cm_ct_seq_type_name(q, s));
        }
        if (technique != NULL) {
            put_one(jw, "ATTACK_TECHNIQUE", technique);
        }
        put_addresses(jw, q, one, 1, "TOR_IP", NULL);
        put_addresses(jw, q, one, 1, "MALICIOUS_IP", NULL);
        cm_jw_arr_end(jw);
    }
    cm_jw_obj_end(jw);
}

/* Writes the actors: the credential, and who used it when known (struct actor). */
static void put_actors(struct cm_jw *jw, const struct actor *a, struct cm_str key)
{
    cm_jw_key(jw, "actors");
    cm_jw_arr_begin(jw);
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "id");
    cm_jw_strn(jw, key.p, key.len);
    /* GuardDuty's User needs a name, a uid and a type. */
    if (a->name[0] && a->uid[0] && a->type[0]) {
        cm_jw_key(jw, "user");
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "name");
        cm_jw_str(jw, a->name);
        cm_jw_key(jw, "uid");
        cm_jw_str(jw, a->uid);
        cm_jw_key(jw, "type");
        cm_jw_str(jw, a->type);
        cm_jw_key(jw, "credentialUid");
        cm_jw_strn(jw, key.p, key.len);
        if (a->account[0]) {
            cm_jw_key(jw, "account");
            cm_jw_obj_begin(jw);
            cm_jw_key(jw, "uid");
            cm_jw_str(jw, a->account);
            cm_jw_obj_end(jw);
        }
        cm_jw_obj_end(jw);
    }
    if (a->ms != 0 && (a->session_ms != 0 || a->session_mfa >= 0 || a->issuer[0])) {
        cm_jw_key(jw, "session"); /* what the key's records say of its session */
        cm_jw_obj_begin(jw);
        if (a->session_mfa >= 0) {
            cm_jw_key(jw, "mfaStatus");
            cm_jw_str(jw, a->session_mfa ? "ENABLED" : "DISABLED");
        }
        if (a->session_ms != 0) {
            cm_jw_key_time(jw, "createdTime", a->session_ms);
        }
        if (a->issuer[0]) {
            cm_jw_key(jw, "issuer");
            cm_jw_str(jw, a->issuer);
        }
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
    cm_jw_arr_end(jw);
}

/*
 * Writes the endpoints of the signals listed in w: each caller's address
 * once, in the order the signals began, with its autonomous system when the
 * scan has an ASN database (cfg->asn).
 */
static void put_endpoints(struct cm_jw *jw, const struct cm_detect_config *cfg,
                          const struct view *w)
{
    bool any = false;

    for (size_t i = 0; i < w->n; i++) {
        const struct cm_ip *ip = &w->v[i]->ip;
        char text[IP_TEXT], org[128];
        uint32_t asn = 0;
        bool again = false;

        for (size_t j = 0; j < i && !again; j++) {
            again = memcmp(&w->v[j]->ip, ip, sizeof(*ip)) == 0;
        }
        if (ip->family == CM_IP_NONE || again) {
            continue;
        }
        if (!any) {
            cm_jw_key(jw, "endpoints");
            cm_jw_arr_begin(jw);
            any = true;
        }
        cm_ip_format(ip, text, sizeof(text));
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "id");
        cm_jw_str(jw, text);
        cm_jw_key(jw, "ip");
        cm_jw_str(jw, text);
        org[0] = '\0';
        if (cfg != NULL && cfg->asn != NULL &&
            cfg->asn(cfg->locate_ud, ip, &asn, org, sizeof(org)) && org[0] != '\0') {
            cm_jw_key(jw, "autonomousSystem");
            cm_jw_obj_begin(jw);
            cm_jw_key(jw, "name");
            cm_jw_str(jw, org);
            cm_jw_key(jw, "number");
            cm_jw_u64(jw, asn);
            cm_jw_obj_end(jw);
        }
        cm_jw_obj_end(jw);
    }
    if (any) {
        cm_jw_arr_end(jw);
    }
}

/*
 * Writes {"sequence": ...} (GuardDuty's Sequence, spec 8.4, which the JSON
 * forms carry at service.detection.sequence) of view w into q->info: type's,
 * of credential key, on bucket (NULL: the key). Returns 0 or CM_ENOMEM.
 */
static int put_sequence(struct sequence *q, const struct cred *c, const struct view *w,
                        const char *type, struct cm_str key, const char *bucket)
{
    struct cm_jw jw;

    cm_buf_reset(&q->info);
    cm_jw_init(&jw, &q->info);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "sequence");
    cm_jw_obj_begin(&jw);
    put_uid(&jw, "uid", type, key);
    cm_jw_key(&jw, "description");
    cm_jw_str(&jw, bucket != NULL ? "A credential that looks compromised was used to reach and "
                                    "change or take data of an S3 bucket."
                                  : "A credential that looks compromised was used for a "
                                    "sequence of suspicious API calls.");
    put_actors(&jw, &c->actor, key);
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
    put_endpoints(&jw, q->cfg, w);
    cm_jw_key(&jw, "signals");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < w->n; i++) {
        put_signal(&jw, q, w->v[i], key);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "sequenceIndicators");
    cm_jw_arr_begin(&jw);
    put_tactics(&jw, w->seen, "Tactics of the signals");
    put_high_risk(&jw, q, w->v, w->n);
    put_addresses(&jw, q, w->v, w->n, "TOR_IP", "Tor exit nodes the key was used from");
    put_addresses(&jw, q, w->v, w->n, "MALICIOUS_IP",
                  "Addresses on threat lists the key was used from");
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    cm_jw_obj_end(&jw);
    return cm_jw_finish(&jw);
}

/*
 * Sends out once for each record of c sequence kind has not counted, keyed by
 * it; the records counted in bulk (bulk of them) once more, under a key of
 * their own; none, once keyed by ekey (a restatement). Returns 0 or a CM_E*.
 */
static int send(struct cm_detection *out, struct cred *c, int kind, uint32_t bulk, uint64_t ekey,
                struct cm_sink *sink)
{
    bool sent = false;
    int rc;

    if (bulk > 0) {
        /* Records pushed out before this kind counted them: once, under a key of their own. */
        out->record_key = cm_hash_mix64(ekey ^ 0x62756c6b00000000ULL ^ (uint64_t)kind);
        out->count = bulk;
        if ((rc = cm_sink_emit(sink, out)) != 0) {
            return rc;
        }
    }
    out->count = 1;
    for (size_t i = 0; i < PENDING; i++) {
        struct pending *p = &c->pend[i];

        if (p->key == 0 || (p->key & (1u << kind))) {
            continue;
        }
        p->key |= 1u << kind;
        out->record_key = p->key & ~(uint64_t)KEY_BITS;
        sent = true;
        if ((rc = cm_sink_emit(sink, out)) != 0) {
            return rc;
        }
    }
    if (sent) {
        return 0;
    }
    out->record_key = ekey;
    return cm_sink_emit(sink, out);
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
int cm_ct_seq_emit(struct sequence *q, const struct cm_detection *d, uint64_t ekey, struct cred *c,
                   int kind, const char *type, struct cm_str key, const char *bucket,
                   struct cm_sink *sink)
{
    struct cm_detection out;
    struct view w;
    uint32_t bulk = c->overflow[kind];
    int rc;

    c->overflow[kind] = 0;
    look(q, c, d, kind, &w);
    /* A finding's additionalInfo is bounded: past it, the signals last seen earliest leave the
     * list (before 2026-12-05 the sequence made no finding at all). */
    while ((rc = put_sequence(q, c, &w, type, key, bucket)) == 0 &&
           q->info.len > CM_DETECTION_MAX_INFO && w.n > 1) {
        drop_oldest(q, &w);
    }
    if (rc != 0) {
        return rc == CM_ENOMEM ? CM_ENOMEM : 0;
    }
    memset(&out, 0, sizeof(out));
    for (size_t i = 0; i < w.n; i++) {
        if (out.nevidence < CM_DETECTION_MAX_EVIDENCE && !cited(&out, &w.v[i]->src)) {
            out.evidence[out.nevidence++] = w.v[i]->src;
        }
    }
    out.type = type;
    out.account = d->account;
    /* Where the sequence began: its finding is one whichever regions its signals are in
     * (CM_FID_ANY_REGION), and this region is the same whatever order they came in. */
    out.region = w.where[0] ? cm_str_make(w.where, strlen(w.where)) : d->region;
    out.time_ms = w.last;
    out.first_ms = w.first;
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
    return send(&out, c, kind, bulk, ekey, sink);
}
