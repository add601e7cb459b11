/*
 * service.additionalInfo: the detector's own keys (f->additional_info, raw
 * JSON object text) plus coalmine's extension under the key "coalmine":
 *
 *   "coalmine": {"evidence": [{"file": "...", "fileId": 3, "offset": 1234,
 *                              "line": 17, "length": 880}, ...]}
 *
 * and, before it, the API calls of a listed or Tor caller's finding
 * (finding_api_calls.c): "apiCalls": [{"name", "count", "firstSeen", "lastSeen"}].
 *
 * The API form carries the whole object as a JSON string in value (type
 * "default"), as GuardDuty does; the event form also expands its members
 * next to value and type.
 *
 * An attack sequence's detector keys hold its "sequence" object; the JSON
 * forms carry that at service.detection.sequence, where GuardDuty has it
 * (spec 8.4), and not in additionalInfo. Reading a finding puts it back.
 */
#include "finding/serialize.h"

#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/time.h"

#define INFO_MAX (64u * 1024u)

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The members of a JSON object text, without braces; empty when not an object. */
static struct cm_str object_inner(struct cm_str s)
{
    while (s.len > 0 && is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_space(s.p[s.len - 1])) {
        s.len--;
    }
    if (s.len < 2 || s.p[0] != '{' || s.p[s.len - 1] != '}') {
        return cm_str_make("", 0);
    }
    s.p++;
    s.len -= 2;
    while (s.len > 0 && is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    return s;
}

/* "apiCalls":[{"name":...,"count":N,"firstSeen":S,"lastSeen":S}, ...] (epoch seconds). */
static void write_api_calls(struct cm_jw *jw, const struct cm_finding *f)
{
    cm_jw_arr_begin(jw);
    for (uint32_t i = 0; i < f->napi_calls; i++) {
        const struct cm_api_call *c = &f->api_calls[i];
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "name");
        cm_jw_strn(jw, c->name.p, c->name.len);
        cm_jw_key(jw, "count");
        cm_jw_u64(jw, c->count);
        cm_jw_key(jw, "firstSeen");
        cm_jw_i64(jw, c->first_ms / 1000);
        cm_jw_key(jw, "lastSeen");
        cm_jw_i64(jw, c->last_ms / 1000);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
}

static void write_evidence(struct cm_jw *jw, const struct cm_finding *f)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "evidence");
    cm_jw_arr_begin(jw);
    for (uint32_t i = 0; i < f->nevidence; i++) {
        const struct cm_finding_evidence *e = &f->evidence[i];
        cm_jw_obj_begin(jw);
        if (cm_str_present(e->file)) {
            cm_jw_key(jw, "file");
            cm_jw_strn(jw, e->file.p, e->file.len);
        }
        cm_jw_key(jw, "fileId");
        cm_jw_u64(jw, e->ref.file_id);
        cm_jw_key(jw, "offset");
        cm_jw_u64(jw, e->ref.offset);
        cm_jw_key(jw, "line");
        cm_jw_u64(jw, e->ref.line);
        cm_jw_key(jw, "length");
        cm_jw_u64(jw, e->ref.length);
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/* Writes the members of doc's top object but "sequence" to jw. Returns 0 or CM_ENOMEM. */
static int members_but_sequence(struct cm_jw *jw, const struct cm_json_doc *doc,
                                struct cm_arena *arena)
{
    for (uint32_t k = cm_json_first(doc, 0); k != CM_JSON_NONE; k = cm_json_next(doc, 0, k + 1)) {
        struct cm_str key = cm_json_str(doc, k, arena);

        if (key.p == NULL) {
            return CM_ENOMEM;
        }
        if (!cm_str_eqc(key, "sequence")) {
            cm_jw_keyn(jw, key.p, key.len);
            cm_jw_node(jw, doc, k + 1);
        }
    }
    return 0;
}

/*
 * The members of a sequence the API model types as Timestamp: each signal's
 * createdAt, updatedAt, firstSeenAt and lastSeenAt, and each actor's
 * session.createdTime. A restJson1 timestamp is epoch seconds on the wire, so
 * the JSON forms write them as numbers (as s3BucketDetails[].createdAt), while
 * the detector keys keep the ISO strings the sequence detector wrote. Before
 * 2026-12-05 the JSON forms carried the ISO strings, which the model does not
 * allow (botocore's parser happened to accept them; stricter SDKs do not).
 */
static const char *const signal_times[] = {"createdAt", "updatedAt", "firstSeenAt", "lastSeenAt",
                                           NULL};
static const char *const session_times[] = {"createdTime", NULL};

/* Epoch seconds below 10000-01-01, the range cm_time_format_iso writes. */
#define SEQ_TIME_MAX_S 253402300800.0

static bool is_one_of(struct cm_str key, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        if (cm_str_eqc(key, names[i])) {
            return true;
        }
    }
    return false;
}

/*
 * Writes a time node v: to_wire, an ISO string as epoch seconds (a fraction
 * only when it has milliseconds); else epoch seconds as the ISO string.
 * Anything else is written as it is.
 */
static void write_seq_time(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t v, bool to_wire)
{
    int64_t ms;
    double sec;

    if (to_wire && cm_json_type(d, v) == CM_JSON_STRING &&
        cm_time_parse_iso(cm_json_raw(d, v), &ms) == 0) {
        if (ms % 1000 == 0) {
            cm_jw_i64(jw, ms / 1000);
        } else {
            cm_jw_f64(jw, (double)ms / 1000.0);
        }
        return;
    }
    if (!to_wire && cm_json_type(d, v) == CM_JSON_NUMBER && cm_json_f64(d, v, &sec) == 0 &&
        sec >= 0.0 && sec < SEQ_TIME_MAX_S) {
        char t[40];
        size_t n = cm_time_format_iso((int64_t)(sec * 1000.0 + 0.5), t, sizeof(t));

        cm_jw_strn(jw, t, n);
        return;
    }
    cm_jw_node(jw, d, v);
}

/*
 * Writes node o; when it is an object, the members named in times converted
 * as write_seq_time does, and the object member sub (when not NULL) the same
 * way with sub_times. Returns 0 or CM_ENOMEM.
 */
static int write_seq_obj(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t o,
                         const char *const *times, const char *sub, const char *const *sub_times,
                         bool to_wire, struct cm_arena *arena)
{
    if (cm_json_type(d, o) != CM_JSON_OBJECT) {
        cm_jw_node(jw, d, o);
        return 0;
    }
    cm_jw_obj_begin(jw);
    for (uint32_t k = cm_json_first(d, o); k != CM_JSON_NONE; k = cm_json_next(d, o, k + 1)) {
        struct cm_str key = cm_json_str(d, k, arena);
        int rc = 0;

        if (key.p == NULL) {
            return CM_ENOMEM;
        }
        cm_jw_keyn(jw, key.p, key.len);
        if (is_one_of(key, times)) {
            write_seq_time(jw, d, k + 1, to_wire);
        } else if (sub != NULL && cm_str_eqc(key, sub)) {
            rc = write_seq_obj(jw, d, k + 1, sub_times, NULL, NULL, to_wire, arena);
        } else {
            cm_jw_node(jw, d, k + 1);
        }
        if (rc != 0) {
            return rc;
        }
    }
    cm_jw_obj_end(jw);
    return 0;
}

/*
 * Writes a sequence object node seq: to_wire, as the JSON forms carry it
 * (times epoch seconds); else as the detector keys hold it (ISO strings).
 * Returns 0 or CM_ENOMEM.
 */
static int write_sequence(struct cm_jw *jw, const struct cm_json_doc *d, uint32_t seq, bool to_wire,
                          struct cm_arena *arena)
{
    static const char *const none[] = {NULL};

    cm_jw_obj_begin(jw);
    for (uint32_t k = cm_json_first(d, seq); k != CM_JSON_NONE; k = cm_json_next(d, seq, k + 1)) {
        struct cm_str key = cm_json_str(d, k, arena);
        uint32_t v = k + 1;
        bool signals, actors;

        if (key.p == NULL) {
            return CM_ENOMEM;
        }
        cm_jw_keyn(jw, key.p, key.len);
        signals = cm_str_eqc(key, "signals");
        actors = cm_str_eqc(key, "actors");
        if ((!signals && !actors) || cm_json_type(d, v) != CM_JSON_ARRAY) {
            cm_jw_node(jw, d, v);
            continue;
        }
        cm_jw_arr_begin(jw);
        for (uint32_t g = cm_json_first(d, v); g != CM_JSON_NONE; g = cm_json_next(d, v, g)) {
            int rc = signals
                         ? write_seq_obj(jw, d, g, signal_times, NULL, NULL, to_wire, arena)
                         : write_seq_obj(jw, d, g, none, "session", session_times, to_wire, arena);
            if (rc != 0) {
                return rc;
            }
        }
        cm_jw_arr_end(jw);
    }
    cm_jw_obj_end(jw);
    return 0;
}

/*
 * The detector keys of f but an attack sequence's "sequence" into rest, that
 * object (the first, if the key is there twice) into seq, left empty when f
 * has none; rest is f->additional_info unchanged otherwise.
 */
static int split_sequence(const struct cm_finding *f, struct cm_buf *rest, struct cm_buf *seq)
{
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_jw jw;
    uint32_t sq;
    int rc = 0;

    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 1024, INFO_MAX);
    if (!cm_str_starts(f->type, "AttackSequence:") || !cm_str_present(f->additional_info) ||
        cm_json_parse(&doc, f->additional_info.p, f->additional_info.len, NULL) != 0 ||
        cm_json_type(&doc, 0) != CM_JSON_OBJECT ||
        (sq = cm_json_get(&doc, 0, "sequence")) == CM_JSON_NONE ||
        cm_json_type(&doc, sq) != CM_JSON_OBJECT) {
        rc = cm_buf_append(rest, f->additional_info.p, f->additional_info.len);
        goto out;
    }
    cm_jw_init(&jw, seq);
    cm_jw_node(&jw, &doc, sq);
    if ((rc = cm_jw_finish(&jw)) != 0) {
        goto out;
    }
    cm_jw_init(&jw, rest);
    cm_jw_obj_begin(&jw);
    if ((rc = members_but_sequence(&jw, &doc, &arena)) != 0) {
        goto out;
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
out:
    cm_arena_finish(&arena);
    cm_json_doc_finish(&doc);
    return rc;
}

int cm_finding_additional_info(const struct cm_finding *f, struct cm_buf *out)
{
    struct cm_buf rest, seq;
    struct cm_str inner;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&rest, INFO_MAX);
    cm_buf_init(&seq, INFO_MAX);
    rc = split_sequence(f, &rest, &seq);
    inner = object_inner(cm_str_make(rest.p, rest.len));
    rc = rc ? rc : cm_buf_putc(out, '{');
    rc = rc ? rc : cm_buf_append(out, inner.p, inner.len);
    if (rc == 0 && f->napi_calls > 0) {
        rc = inner.len > 0 ? cm_buf_putc(out, ',') : 0;
        rc = rc ? rc : cm_buf_puts(out, "\"apiCalls\":");
        if (rc == 0) {
            cm_jw_init(&jw, out);
            write_api_calls(&jw, f);
            rc = cm_jw_finish(&jw);
        }
    }
    if (rc == 0 && f->nevidence > 0) {
        if (inner.len > 0 || f->napi_calls > 0) {
            rc = cm_buf_putc(out, ',');
        }
        rc = rc ? rc : cm_buf_puts(out, "\"coalmine\":");
        if (rc == 0) {
            cm_jw_init(&jw, out);
            write_evidence(&jw, f);
            rc = cm_jw_finish(&jw);
        }
    }
    rc = rc ? rc : cm_buf_putc(out, '}');
    cm_buf_finish(&seq);
    cm_buf_finish(&rest);
    return rc;
}

int cm_finding_write_detection(struct cm_jw *jw, const struct cm_finding *f)
{
    struct cm_json_doc doc;
    struct cm_arena arena;
    struct cm_buf rest, seq;
    int rc;

    cm_buf_init(&rest, INFO_MAX);
    cm_buf_init(&seq, INFO_MAX);
    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 1024, INFO_MAX);
    rc = split_sequence(f, &rest, &seq);
    if (rc == 0 && seq.len > 0) {
        cm_jw_key(jw, "detection");
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "sequence");
        /* split_sequence wrote seq from a parsed object: it parses */
        rc = cm_json_parse(&doc, seq.p, seq.len, NULL);
        rc = rc ? rc : write_sequence(jw, &doc, 0, true, &arena);
        cm_jw_obj_end(jw);
    }
    cm_arena_finish(&arena);
    cm_json_doc_finish(&doc);
    cm_buf_finish(&seq);
    cm_buf_finish(&rest);
    return rc;
}

/* Writes the members of the object text info into the open object of jw. */
static int expand_members(struct cm_jw *jw, const struct cm_buf *info)
{
    struct cm_json_doc doc;
    struct cm_arena arena;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    cm_arena_init(&arena, 1024, INFO_MAX);
    rc = cm_json_parse(&doc, info->p, info->len, NULL);
    if (rc != 0 || cm_json_type(&doc, 0) != CM_JSON_OBJECT) {
        rc = rc ? rc : CM_EINVAL;
        goto out;
    }
    for (uint32_t k = cm_json_first(&doc, 0); k != CM_JSON_NONE;) {
        struct cm_str key = cm_json_str(&doc, k, &arena);
        uint32_t v = k + 1;
        if (key.p == NULL) {
            rc = CM_ENOMEM;
            goto out;
        }
        if (!cm_str_eqc(key, "value") && !cm_str_eqc(key, "type")) {
            cm_jw_keyn(jw, key.p, key.len);
            cm_jw_node(jw, &doc, v);
        }
        k = cm_json_next(&doc, 0, v);
    }
out:
    cm_arena_finish(&arena);
    cm_json_doc_finish(&doc);
    return rc;
}

int cm_finding_write_additional_info(struct cm_jw *jw, const struct cm_finding *f,
                                     enum cm_finding_form form)
{
    struct cm_buf info;
    int rc;

    cm_buf_init(&info, INFO_MAX);
    rc = cm_finding_additional_info(f, &info);
    if (rc != 0) {
        goto out;
    }
    cm_jw_key(jw, "additionalInfo");
    cm_jw_obj_begin(jw);
    if (form == CM_FORM_EVENT) {
        rc = expand_members(jw, &info);
    }
    cm_jw_key(jw, "value");
    cm_jw_strn(jw, info.p, info.len);
    cm_jw_key(jw, "type");
    cm_jw_str(jw, "default");
    cm_jw_obj_end(jw);
out:
    cm_buf_finish(&info);
    return rc;
}

static int read_evidence(struct cm_finding *f, const struct cm_json_doc *d, uint32_t obj)
{
    uint32_t arr = cm_json_get(d, obj, "evidence");
    int rc = 0;

    if (arr == CM_JSON_NONE || cm_json_type(d, arr) != CM_JSON_ARRAY) {
        return 0;
    }
    for (uint32_t e = cm_json_first(d, arr);
         e != CM_JSON_NONE && rc == 0 && f->nevidence < CM_FINDING_MAX_EVIDENCE;
         e = cm_json_next(d, arr, e)) {
        struct cm_finding_evidence *ev = &f->evidence[f->nevidence++];
        uint32_t file = cm_json_get(d, e, "file");
        int64_t v;
        /* Each number only within its type (a negative offset is none, as a missing one):
         * what is read is what is written back. */
        if (cm_json_i64(d, cm_json_get(d, e, "fileId"), &v) == 0 && v >= 0 && v <= UINT32_MAX) {
            ev->ref.file_id = (uint32_t)v;
        }
        if (cm_json_i64(d, cm_json_get(d, e, "offset"), &v) == 0 && v >= 0) {
            ev->ref.offset = (uint64_t)v;
        }
        if (cm_json_i64(d, cm_json_get(d, e, "line"), &v) == 0 && v >= 0 && v <= UINT32_MAX) {
            ev->ref.line = (uint32_t)v;
        }
        if (cm_json_i64(d, cm_json_get(d, e, "length"), &v) == 0 && v >= 0 && v <= UINT32_MAX) {
            ev->ref.length = (uint32_t)v;
        }
        if (file != CM_JSON_NONE && cm_json_type(d, file) == CM_JSON_STRING) {
            struct cm_str s = cm_json_str(d, file, &f->arena);
            rc = s.p ? cm_finding_set(f, &ev->file, s) : CM_ENOMEM;
        }
    }
    return rc;
}

/* apiCalls[] back into f (entries without a string name are left out). */
static int read_api_calls(struct cm_finding *f, const struct cm_json_doc *d, uint32_t arr)
{
    int rc = 0;

    if (cm_json_type(d, arr) != CM_JSON_ARRAY) {
        return 0;
    }
    f->napi_calls = 0;
    for (uint32_t e = cm_json_first(d, arr);
         e != CM_JSON_NONE && rc == 0 && f->napi_calls < CM_FINDING_MAX_API_CALLS;
         e = cm_json_next(d, arr, e)) {
        struct cm_api_call *c = &f->api_calls[f->napi_calls];
        uint32_t name = cm_json_get(d, e, "name");
        int64_t v;
        if (name == CM_JSON_NONE || cm_json_type(d, name) != CM_JSON_STRING) {
            continue;
        }
        memset(c, 0, sizeof(*c));
        if (cm_json_i64(d, cm_json_get(d, e, "count"), &v) == 0 && v >= 0 && v <= UINT32_MAX) {
            c->count = (uint32_t)v;
        }
        if (cm_json_i64(d, cm_json_get(d, e, "firstSeen"), &v) == 0 && v > INT64_MIN / 1000 &&
            v < INT64_MAX / 1000) {
            c->first_ms = v * 1000;
        }
        if (cm_json_i64(d, cm_json_get(d, e, "lastSeen"), &v) == 0 && v > INT64_MIN / 1000 &&
            v < INT64_MAX / 1000) {
            c->last_ms = v * 1000;
        }
        struct cm_str s = cm_json_str(d, name, &f->arena);
        rc = s.p ? cm_finding_set(f, &c->name, s) : CM_ENOMEM;
        f->napi_calls++;
    }
    return rc;
}

/* Re-serialises the members other than "coalmine" and "apiCalls" as the detector's own keys. */
static int read_members(struct cm_finding *f, const struct cm_json_doc *d, struct cm_buf *out)
{
    struct cm_jw jw;
    bool any = false;
    int rc = 0;

    cm_jw_init(&jw, out);
    cm_jw_obj_begin(&jw);
    for (uint32_t k = cm_json_first(d, 0); k != CM_JSON_NONE && rc == 0;
         k = cm_json_next(d, 0, k + 1)) {
        struct cm_str key = cm_json_str(d, k, &f->arena);
        if (key.p == NULL) {
            rc = CM_ENOMEM;
        } else if (cm_str_eqc(key, "coalmine")) {
            rc = read_evidence(f, d, k + 1);
        } else if (cm_str_eqc(key, "apiCalls")) {
            rc = read_api_calls(f, d, k + 1);
        } else {
            cm_jw_keyn(&jw, key.p, key.len);
            cm_jw_node(&jw, d, k + 1);
            any = true;
        }
    }
    cm_jw_obj_end(&jw);
    rc = rc ? rc : cm_jw_finish(&jw);
    if (rc == 0 && any) {
        rc = cm_finding_set(f, &f->additional_info, cm_str_make(out->p, out->len));
    }
    return rc;
}

int cm_finding_read_additional_info(struct cm_finding *f, struct cm_str value)
{
    struct cm_json_doc doc;
    struct cm_buf out;
    int rc;

    cm_json_doc_init(&doc, 0, 0);
    cm_buf_init(&out, INFO_MAX);
    rc = cm_json_parse(&doc, value.p, value.len, NULL);
    if (rc != 0 || cm_json_type(&doc, 0) != CM_JSON_OBJECT) {
        rc = rc ? rc : CM_EINVAL;
        goto out;
    }
    rc = read_members(f, &doc, &out);
out:
    cm_buf_finish(&out);
    cm_json_doc_finish(&doc);
    return rc;
}

int cm_finding_read_sequence(struct cm_finding *f, const struct cm_json_doc *d, uint32_t seq)
{
    struct cm_json_doc info;
    struct cm_arena arena;
    struct cm_buf out;
    struct cm_jw jw;
    int rc = 0;

    if (seq == CM_JSON_NONE || cm_json_type(d, seq) != CM_JSON_OBJECT) {
        return 0;
    }
    cm_json_doc_init(&info, 0, 0);
    cm_arena_init(&arena, 1024, INFO_MAX);
    cm_buf_init(&out, INFO_MAX);
    cm_jw_init(&jw, &out);
    cm_jw_obj_begin(&jw);
    /* The detector keys but any "sequence" (one in additionalInfo too: this one wins). */
    if (cm_str_present(f->additional_info) &&
        cm_json_parse(&info, f->additional_info.p, f->additional_info.len, NULL) == 0 &&
        cm_json_type(&info, 0) == CM_JSON_OBJECT &&
        (rc = members_but_sequence(&jw, &info, &arena)) != 0) {
        goto out;
    }
    cm_jw_key(&jw, "sequence");
    if ((rc = write_sequence(&jw, d, seq, false, &arena)) != 0) {
        goto out;
    }
    cm_jw_obj_end(&jw);
    rc = cm_jw_finish(&jw);
    rc = rc ? rc : cm_finding_set(f, &f->additional_info, cm_str_make(out.p, out.len));
out:
    cm_buf_finish(&out);
    cm_arena_finish(&arena);
    cm_json_doc_finish(&info);
    return rc;
}

/* A finding id: 32 lowercase hex characters. */
static bool is_finding_id(struct cm_str s)
{
    if (s.len != CM_FINDING_ID_LEN) {
        return false;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

int cm_finding_sequence_members(const struct cm_finding *f, int (*fn)(void *ud, const char *id),
                                void *ud)
{
    struct cm_json_doc doc;
    uint32_t sig;
    int rc = CM_OK;

    if (!cm_str_starts(f->type, "AttackSequence:") || !cm_str_present(f->additional_info)) {
        return CM_OK;
    }
    cm_json_doc_init(&doc, 0, 0);
    if (cm_json_parse(&doc, f->additional_info.p, f->additional_info.len, NULL) != 0 ||
        cm_json_type(&doc, 0) != CM_JSON_OBJECT ||
        (sig = cm_json_path(&doc, 0, "sequence.signals")) == CM_JSON_NONE ||
        cm_json_type(&doc, sig) != CM_JSON_ARRAY) {
        goto out;
    }
    for (uint32_t g = cm_json_first(&doc, sig); g != CM_JSON_NONE && rc == CM_OK;
         g = cm_json_next(&doc, sig, g)) {
        uint32_t uid = cm_json_get(&doc, g, "uid");
        char id[CM_FINDING_ID_LEN + 1];
        struct cm_str s;

        if (uid == CM_JSON_NONE || cm_json_type(&doc, uid) != CM_JSON_STRING) {
            continue;
        }
        s = cm_json_raw(&doc, uid); /* hex has no escapes: an escaped one is no id */
        if (!is_finding_id(s)) {
            continue;
        }
        memcpy(id, s.p, s.len);
        id[s.len] = '\0';
        rc = fn(ud, id);
    }
out:
    cm_json_doc_finish(&doc);
    for (size_t at = 0; rc == CM_OK && at + CM_FINDING_ID_LEN <= f->past_members.len;
         at += CM_FINDING_ID_LEN) {
        char id[CM_FINDING_ID_LEN + 1];

        memcpy(id, f->past_members.p + at, CM_FINDING_ID_LEN);
        id[CM_FINDING_ID_LEN] = '\0';
        rc = fn(ud, id);
    }
    return rc;
}
