/*
 * MISP threat lists in MISP's JSON: an event ({"Event":{...}}, as a MISP
 * feed's <uuid>.json holds it, or a bare event object), an array of events,
 * or a REST answer {"response":[{"Event":...}, ...]} (also
 * {"response":{"Attribute":[...]}} from attribute searches).
 *
 * Attributes are read from Event.Attribute[] and Event.Object[].Attribute[]:
 *   ip-dst, ip-src                   the address or CIDR (CM_IV_IP)
 *   ip-dst|port, ip-src|port         the address before the last '|'
 *   domain, hostname                 CM_IV_DOMAIN
 *   hostname|port                    the name before the last '|'
 *   domain|ip                        two items: the name and the address
 *   url                              CM_IV_URL
 * and every other type (uri, which is a path without a host, hashes,
 * filenames, ...) is skipped without a report. Deleted attributes
 * ("deleted": true) are skipped. When any attribute in the file has to_ids
 * set, only attributes with to_ids set are taken (MISP's "use for
 * detection" flag); when none has, all network attributes are (a file that
 * never sets the flag would otherwise give nothing). to_ids and deleted are
 * true for JSON true, "1", "true" and 1.
 *
 * threat: Event.info (an attribute's own Event.info in search answers);
 * category: the attribute's category ("Network activity", ...). Tags and
 * galaxies are not read. Line: the line of the attribute's '{'.
 *
 * A MISP feed's manifest.json (an object of event uuid -> event summary) is
 * recognised: it is one bad record saying so, no items, and 0; the caller
 * reads the event files it names (see the structured-formats doc). JSON that
 * does not parse (or nests too deep) and JSON that is no MISP event is
 * CM_EINVAL with a bad record.
 */
#include "intel/format.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "intel/format_misp.h"
#include "intel/format_util.h"

/* How a MISP attribute type gives items. */
static const struct cm_misp_type misp_types[] = {
    {"ip-dst", CM_MISP_SPLIT_NONE, CM_IV_IP, CM_IV_AUTO},
    {"ip-src", CM_MISP_SPLIT_NONE, CM_IV_IP, CM_IV_AUTO},
    {"ip-dst|port", CM_MISP_SPLIT_FIRST, CM_IV_IP, CM_IV_AUTO},
    {"ip-src|port", CM_MISP_SPLIT_FIRST, CM_IV_IP, CM_IV_AUTO},
    {"domain", CM_MISP_SPLIT_NONE, CM_IV_DOMAIN, CM_IV_AUTO},
    {"hostname", CM_MISP_SPLIT_NONE, CM_IV_DOMAIN, CM_IV_AUTO},
    {"hostname|port", CM_MISP_SPLIT_FIRST, CM_IV_DOMAIN, CM_IV_AUTO},
    {"domain|ip", CM_MISP_SPLIT_BOTH, CM_IV_DOMAIN, CM_IV_IP},
    {"url", CM_MISP_SPLIT_NONE, CM_IV_URL, CM_IV_AUTO},
    {NULL, CM_MISP_SPLIT_NONE, CM_IV_AUTO, CM_IV_AUTO},
};

const struct cm_misp_type *cm_misp_type_find(struct cm_str t)
{
    for (size_t i = 0; misp_types[i].type; i++) {
        if (cm_str_eqc(t, misp_types[i].type)) {
            return &misp_types[i];
        }
    }
    return NULL;
}

struct misp {
    const struct cm_intel_reader *r;
    struct cm_json_doc doc;
    struct cm_arena arena; /* unescaped strings of one attribute */
    size_t line_off;       /* line_no is the line of offset line_off */
    uint32_t line_no;
    bool emit;     /* second pass: hand items over and report */
    bool any_ids;  /* some live attribute has to_ids */
    bool only_ids; /* take only attributes with to_ids */
    uint32_t info; /* the current event's info node, or NONE */
    bool nomem;    /* an unescaped string did not fit: the read fails with CM_ENOMEM */
};

static void bad(const struct misp *s, uint32_t line, const char *reason)
{
    if (s->emit) {
        cm_intel_bad(s->r, line, reason);
    }
}

/* The 1-based line of offset off; cheap for ascending offsets. */
static uint32_t line_at(struct misp *s, size_t off)
{
    return cm_line_at(s->doc.src, off, &s->line_off, &s->line_no);
}

static uint32_t node_line(struct misp *s, uint32_t i)
{
    return line_at(s, cm_json_at(&s->doc, i)->off);
}

static bool is_type(const struct cm_json_doc *d, uint32_t i, enum cm_json_type t)
{
    return i != CM_JSON_NONE && cm_json_type(d, i) == t;
}

/* MISP flags: true, 1, "1", "true" (exports differ by version). */
static bool flag(const struct cm_json_doc *d, uint32_t i)
{
    int64_t v;

    if (i == CM_JSON_NONE) {
        return false;
    }
    if (cm_json_truthy(d, i)) {
        return true;
    }
    if (cm_json_type(d, i) == CM_JSON_NUMBER) {
        return cm_json_i64(d, i, &v) == 0 && v != 0;
    }
    return cm_json_type(d, i) == CM_JSON_STRING && cm_str_eqc(cm_json_raw(d, i), "1");
}

/* The trimmed string at node i (unescaped into the arena); "" when not a string. */
static struct cm_str jstr(struct misp *s, uint32_t i)
{
    struct cm_str v;

    if (!is_type(&s->doc, i, CM_JSON_STRING)) {
        return cm_str_make("", 0);
    }
    v = cm_json_str(&s->doc, i, &s->arena);
    s->nomem |= v.p == NULL;
    return v.p ? cm_trim(v) : cm_str_make("", 0);
}

static int emit(struct misp *s, struct cm_intel_item *it, enum cm_intel_value kind, struct cm_str v)
{
    it->kind = kind;
    it->value = cm_trim(v);
    if (it->value.len == 0) {
        bad(s, it->line, "empty value");
        return 0;
    }
    return s->r->item(s->r->ud, it);
}

/* Hands over the items of one attribute that passed the filters. */
static int emit_attribute(struct misp *s, uint32_t a, const struct cm_misp_type *mt)
{
    const struct cm_json_doc *d = &s->doc;
    struct cm_intel_item it;
    struct cm_str v;
    uint32_t ev = cm_json_get(d, a, "Event");
    size_t bar = (size_t)-1;
    int rc;

    memset(&it, 0, sizeof(it));
    it.line = node_line(s, a);
    v = jstr(s, cm_json_get(d, a, "value"));
    if (v.len == 0) {
        bad(s, it.line, "attribute without a value");
        return 0;
    }
    it.value2 = cm_str_make("", 0);
    it.category = jstr(s, cm_json_get(d, a, "category"));
    it.threat = jstr(s, is_type(d, ev, CM_JSON_OBJECT) ? cm_json_get(d, ev, "info") : s->info);
    if (s->nomem) {
        return CM_ENOMEM;
    }
    if (mt->split == CM_MISP_SPLIT_NONE) {
        return emit(s, &it, mt->kind, v);
    }
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '|' && (bar == (size_t)-1 || mt->split == CM_MISP_SPLIT_FIRST)) {
            bar = i;
        }
    }
    if (bar == (size_t)-1) {
        bad(s, it.line,
            mt->split == CM_MISP_SPLIT_BOTH ? "domain|ip value without '|'"
                                            : "value|port value without '|'");
        return 0;
    }
    if ((rc = emit(s, &it, mt->kind, cm_str_make(v.p, bar))) < 0 ||
        mt->split != CM_MISP_SPLIT_BOTH) {
        return rc;
    }
    return emit(s, &it, mt->kind2, cm_str_make(v.p + bar + 1, v.len - bar - 1));
}

/* One attribute: the to_ids survey in the first pass, the items in the second. */
static int attribute(struct misp *s, uint32_t a)
{
    const struct cm_json_doc *d = &s->doc;
    const struct cm_misp_type *mt;
    bool ids;

    if (!is_type(d, a, CM_JSON_OBJECT)) {
        bad(s, node_line(s, a), "attribute is not an object");
        return 0;
    }
    if (flag(d, cm_json_get(d, a, "deleted"))) {
        return 0;
    }
    ids = flag(d, cm_json_get(d, a, "to_ids"));
    if (!s->emit) {
        s->any_ids |= ids;
        return 0;
    }
    cm_arena_reset(&s->arena);
    mt = cm_misp_type_find(jstr(s, cm_json_get(d, a, "type")));
    if (!mt || (s->only_ids && !ids)) {
        return 0;
    }
    return emit_attribute(s, a, mt);
}

static int attributes(struct misp *s, uint32_t arr)
{
    int rc;

    if (arr == CM_JSON_NONE) {
        return 0;
    }
    if (!is_type(&s->doc, arr, CM_JSON_ARRAY)) {
        bad(s, node_line(s, arr), "\"Attribute\" is not an array");
        return 0;
    }
    for (uint32_t e = cm_json_first(&s->doc, arr); e != CM_JSON_NONE;
         e = cm_json_next(&s->doc, arr, e)) {
        if ((rc = attribute(s, e)) < 0) {
            return rc;
        }
        if (s->nomem) {
            return CM_ENOMEM;
        }
    }
    return 0;
}

/* One event object (the value of "Event", or a bare event). */
static int event(struct misp *s, uint32_t ev)
{
    const struct cm_json_doc *d = &s->doc;
    uint32_t objs = cm_json_get(d, ev, "Object");
    int rc;

    s->info = cm_json_get(d, ev, "info");
    if ((rc = attributes(s, cm_json_get(d, ev, "Attribute"))) < 0) {
        return rc;
    }
    if (objs == CM_JSON_NONE) {
        return 0;
    }
    if (!is_type(d, objs, CM_JSON_ARRAY)) {
        bad(s, node_line(s, objs), "\"Object\" is not an array");
        return 0;
    }
    for (uint32_t o = cm_json_first(d, objs); o != CM_JSON_NONE; o = cm_json_next(d, objs, o)) {
        if (!is_type(d, o, CM_JSON_OBJECT)) {
            bad(s, node_line(s, o), "an \"Object\" element is not an object");
            continue;
        }
        if ((rc = attributes(s, cm_json_get(d, o, "Attribute"))) < 0) {
            return rc;
        }
    }
    return 0;
}

/* The event in o ({"Event":{...}} or a bare event), or NONE. */
static uint32_t event_of(const struct cm_json_doc *d, uint32_t o)
{
    uint32_t ev;

    if (!is_type(d, o, CM_JSON_OBJECT)) {
        return CM_JSON_NONE;
    }
    ev = cm_json_get(d, o, "Event");
    if (is_type(d, ev, CM_JSON_OBJECT)) {
        return ev;
    }
    if (cm_json_get(d, o, "Attribute") != CM_JSON_NONE ||
        cm_json_get(d, o, "Object") != CM_JSON_NONE) {
        return o;
    }
    return CM_JSON_NONE;
}

/* Every event of an array; elements that are not events are bad records. */
static int events(struct misp *s, uint32_t arr)
{
    int rc;

    for (uint32_t e = cm_json_first(&s->doc, arr); e != CM_JSON_NONE;
         e = cm_json_next(&s->doc, arr, e)) {
        uint32_t ev = event_of(&s->doc, e);
        if (ev == CM_JSON_NONE) {
            bad(s, node_line(s, e), "not a MISP event");
            continue;
        }
        if ((rc = event(s, ev)) < 0) {
            return rc;
        }
    }
    return 0;
}

/* True when some array element is a MISP event. */
static bool has_event(const struct cm_json_doc *d, uint32_t arr)
{
    for (uint32_t e = cm_json_first(d, arr); e != CM_JSON_NONE; e = cm_json_next(d, arr, e)) {
        if (event_of(d, e) != CM_JSON_NONE) {
            return true;
        }
    }
    return false;
}

/* A feed manifest: a non-empty object whose members are all event summaries. */
static bool is_manifest(const struct cm_json_doc *d, uint32_t root)
{
    if (!is_type(d, root, CM_JSON_OBJECT) || cm_json_at(d, root)->len == 0) {
        return false;
    }
    for (uint32_t k = cm_json_first(d, root); k != CM_JSON_NONE; k = cm_json_next(d, root, k + 1)) {
        uint32_t v = k + 1;
        if (!is_type(d, v, CM_JSON_OBJECT) || cm_json_get(d, v, "info") == CM_JSON_NONE ||
            (cm_json_get(d, v, "timestamp") == CM_JSON_NONE &&
             cm_json_get(d, v, "Orgc") == CM_JSON_NONE)) {
            return false;
        }
    }
    return true;
}

/*
 * Finds what the document holds and walks it (once per pass). Returns 0,
 * 1 for a manifest, CM_EINVAL when it holds no MISP event, or a callback's
 * error.
 */
static int walk(struct misp *s)
{
    const struct cm_json_doc *d = &s->doc;
    uint32_t ev, resp;

    if (is_type(d, 0, CM_JSON_ARRAY)) {
        return cm_json_at(d, 0)->len == 0 || has_event(d, 0) ? events(s, 0) : CM_EINVAL;
    }
    if (!is_type(d, 0, CM_JSON_OBJECT)) {
        return CM_EINVAL;
    }
    resp = cm_json_get(d, 0, "response");
    if (is_type(d, resp, CM_JSON_ARRAY)) {
        return events(s, resp);
    }
    if (is_type(d, resp, CM_JSON_OBJECT) && (ev = event_of(d, resp)) != CM_JSON_NONE) {
        return event(s, ev);
    }
    if ((ev = event_of(d, 0)) != CM_JSON_NONE) {
        return event(s, ev);
    }
    return is_manifest(d, 0) ? 1 : CM_EINVAL;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct misp s;
    struct cm_diag diag;
    char reason[200];
    int rc;

    memset(&s, 0, sizeof(s));
    s.r = r;
    s.line_no = 1;
    s.info = CM_JSON_NONE;
    s.emit = true; /* reports during the shape checks */
    cm_json_doc_init(&s.doc, 0, 0);
    cm_arena_init(&s.arena, 4096, 0);
    cm_diag_clear(&diag);
    rc = cm_json_parse(&s.doc, buf, len, &diag);
    if (rc == CM_ENOMEM) {
        goto out;
    }
    if (rc < 0) {
        snprintf(reason, sizeof(reason), "JSON: %s", diag.msg[0] ? diag.msg : cm_strerror(rc));
        s.doc.src = buf;
        bad(&s, line_at(&s, diag.offset <= len ? diag.offset : len), reason);
        rc = CM_EINVAL;
        goto out;
    }
    s.emit = false;
    rc = walk(&s);
    s.emit = true;
    if (rc == 1) {
        bad(&s, 1, "a MISP manifest lists events; point at the event files");
        rc = 0;
        goto out;
    }
    if (rc == CM_EINVAL) {
        bad(&s, 1, "not a MISP event, event array or REST response");
        goto out;
    }
    s.only_ids = s.any_ids;
    rc = walk(&s);
    if (rc == 0 && s.nomem) {
        rc = CM_ENOMEM;
    }
out:
    cm_arena_finish(&s.arena);
    cm_json_doc_finish(&s.doc);
    return rc;
}

static int sniff(const char *buf, size_t len)
{
    struct cm_str head = cm_json_head(buf, len);

    if (head.len == 0) {
        return 0;
    }
    if (cm_str_find(head, CM_STR_LIT("\"Event\"")) != (size_t)-1) {
        return 90;
    }
    if (cm_str_find(head, CM_STR_LIT("\"Attribute\"")) != (size_t)-1) {
        return 85;
    }
    if (cm_str_find(head, CM_STR_LIT("\"Orgc\"")) != (size_t)-1 &&
        cm_str_find(head, CM_STR_LIT("\"info\"")) != (size_t)-1) {
        return 70; /* a feed manifest */
    }
    return 0;
}

const struct cm_intel_format cm_intel_format_misp = {
    "MISP",
    "MISP event JSON (feed event files, event arrays, REST responses): network attributes",
    sniff,
    read_all,
};
