/*
 * GuardDuty filters: name rules, parsing the CreateFilter/UpdateFilter body
 * into struct cm_filter and writing it back in GetFilter form; and the
 * detector's filter set in rank order with the suppression decision of spec
 * §5.3 (a finding matched by any ARCHIVE filter is stored archived and never
 * published; NOOP filters are saved views and change nothing). The order is
 * rank, then insertion, so the first matching ARCHIVE filter reported is
 * deterministic.
 */
#include "finding/filter.h"

#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

enum member { M_NAME, M_DESC, M_ACTION, M_RANK, M_CRITERIA, M_TOKEN, M_TAGS, M_COUNT };

static const char *const member_names[M_COUNT][2] = {
    [M_NAME] = {"name", "Name"},
    [M_DESC] = {"description", "Description"},
    [M_ACTION] = {"action", "Action"},
    [M_RANK] = {"rank", "Rank"},
    [M_CRITERIA] = {"findingCriteria", "FindingCriteria"},
    [M_TOKEN] = {"clientToken", "ClientToken"},
    [M_TAGS] = {"tags", "Tags"},
};

static const enum cm_json_type member_types[M_COUNT] = {
    CM_JSON_STRING, CM_JSON_STRING, CM_JSON_STRING, CM_JSON_NUMBER,
    CM_JSON_OBJECT, CM_JSON_STRING, CM_JSON_OBJECT,
};

static const char *const json_type_names[] = {"null",     "false",    "true",     "a number",
                                              "a string", "an array", "an object"};

const char *cm_filter_action_name(enum cm_filter_action a)
{
    return a == CM_FILTER_ARCHIVE ? "ARCHIVE" : "NOOP";
}

int cm_filter_name_check(struct cm_str name, struct cm_diag *diag)
{
    size_t bad;

    if (name.len < CM_FILTER_NAME_MIN || name.len > CM_FILTER_NAME_MAX) {
        cm_diag_set(diag, 0, "filter name must be %d-%d characters, has %zu", CM_FILTER_NAME_MIN,
                    CM_FILTER_NAME_MAX, name.len);
        return CM_EINVAL;
    }
    if ((bad = cm_str_name_span(name)) < name.len) {
        cm_diag_set(diag, 0,
                    "filter name has an invalid character at position %zu (allowed: "
                    "letters, digits, '.', '_', '-')",
                    bad + 1);
        return CM_EINVAL;
    }
    return 0;
}

/* Unescaped, NUL-terminated copy of string node i (owned). */
static char *dup_str(const struct cm_json_doc *d, uint32_t i, size_t *len)
{
    struct cm_str raw = cm_json_raw(d, i);
    char *p = cm_malloc(raw.len + 1);

    if (p == NULL) {
        return NULL;
    }
    *len = cm_json_unescape(raw.p, raw.len, p);
    p[*len] = '\0';
    return p;
}

/* Description: at most 512 bytes, no control characters but \t \n \v \f \r. */
static int check_desc(const char *s, size_t n, size_t off, struct cm_diag *diag)
{
    if (n > CM_FILTER_DESC_MAX) {
        cm_diag_set(diag, off, "filter description must be at most %d bytes, has %zu",
                    CM_FILTER_DESC_MAX, n);
        return CM_E2BIG;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && (c < '\t' || c > '\r')) || c == 0x7f) {
            cm_diag_set(diag, off, "filter description has a control character at byte %zu", i + 1);
            return CM_EINVAL;
        }
    }
    return 0;
}

/* Finds the member nodes of the body; node[m] is NONE when absent. */
static int collect(const struct cm_json_doc *d, uint32_t root, unsigned flags,
                   uint32_t node[M_COUNT], struct cm_diag *diag)
{
    bool wire = (flags & CM_FILTER_F_WIRE) != 0;

    for (int m = 0; m < M_COUNT; m++) {
        node[m] = CM_JSON_NONE;
    }
    if (cm_json_type(d, root) != CM_JSON_OBJECT) {
        cm_diag_set(diag, d->nodes[root].off, "filter must be a JSON object");
        return CM_EINVAL;
    }
    for (uint32_t k = cm_json_first(d, root); k != CM_JSON_NONE; k = cm_json_next(d, root, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        int m = 0;

        while (m < M_COUNT && !cm_str_eqc(key, member_names[m][0]) &&
               (wire || !cm_str_eqc(key, member_names[m][1]))) {
            m++;
        }
        if (m == M_COUNT && wire) {
            continue; /* the API ignores a member it does not know */
        }
        if (m == M_COUNT || node[m] != CM_JSON_NONE) {
            cm_diag_set(diag, d->nodes[k].off, "%s member \"%.*s\" in filter",
                        m == M_COUNT ? "unknown" : "duplicate", key.len > 60 ? 60 : (int)key.len,
                        key.p);
            return CM_EINVAL;
        }
        if (cm_json_type(d, k + 1) != member_types[m]) {
            cm_diag_set(diag, d->nodes[k + 1].off, "filter %s must be %s", member_names[m][0],
                        json_type_names[member_types[m]]);
            return CM_EINVAL;
        }
        node[m] = k + 1;
    }
    return 0;
}

/* Reads action and rank (when present) into f. */
static int read_action_rank(const struct cm_json_doc *d, const uint32_t node[M_COUNT],
                            struct cm_filter *f, struct cm_diag *diag)
{
    int64_t rank;

    if (node[M_ACTION] != CM_JSON_NONE) {
        struct cm_str a = cm_json_raw(d, node[M_ACTION]);

        if (cm_str_eqc(a, "NOOP") || cm_str_eqc(a, "ARCHIVE")) {
            f->action = cm_str_eqc(a, "ARCHIVE") ? CM_FILTER_ARCHIVE : CM_FILTER_NOOP;
        } else {
            cm_diag_set(diag, d->nodes[node[M_ACTION]].off,
                        "filter action must be NOOP or ARCHIVE");
            return CM_EINVAL;
        }
    }
    if (node[M_RANK] != CM_JSON_NONE) {
        if (cm_json_i64(d, node[M_RANK], &rank) != 0 || rank < CM_FILTER_RANK_MIN ||
            rank > CM_FILTER_RANK_MAX) {
            cm_diag_set(diag, d->nodes[node[M_RANK]].off, "filter rank must be an integer %d-%d",
                        CM_FILTER_RANK_MIN, CM_FILTER_RANK_MAX);
            return CM_EINVAL;
        }
        f->rank = (int)rank;
    }
    return 0;
}

/* Copies base's criteria into f by writing and recompiling them. */
static int copy_criteria(const struct cm_filter *base, struct cm_filter *f, struct cm_diag *diag)
{
    struct cm_buf b;
    struct cm_jw jw;
    int rc;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_criteria_write(base->criteria, &jw);
    rc = cm_jw_finish(&jw);
    if (rc == 0) {
        rc = cm_criteria_compile(b.p, b.len, CM_CRIT_F_NONEMPTY, &f->criteria, diag);
    }
    cm_buf_finish(&b);
    return rc;
}

/* Sets name and description from the body, or from base. */
static int read_strings(const struct cm_json_doc *d, const uint32_t node[M_COUNT],
                        const struct cm_filter *base, struct cm_filter *f, struct cm_diag *diag)
{
    size_t n = 0;
    int rc;

    if (node[M_NAME] == CM_JSON_NONE && base == NULL) {
        cm_diag_set(diag, d->nodes[0].off, "filter name is required");
        return CM_EINVAL;
    }
    f->name = node[M_NAME] != CM_JSON_NONE ? dup_str(d, node[M_NAME], &n)
                                           : cm_strndup(base->name, n = strlen(base->name));
    if (f->name == NULL) {
        return CM_ENOMEM;
    }
    rc = cm_filter_name_check(cm_str_make(f->name, n), diag);
    if (rc == 0 && base != NULL && strcmp(f->name, base->name) != 0) {
        cm_diag_set(diag, 0, "filter name cannot be changed by an update");
        rc = CM_EINVAL;
    }
    if (rc != 0) {
        if (diag != NULL && node[M_NAME] != CM_JSON_NONE) {
            diag->offset = d->nodes[node[M_NAME]].off;
        }
        return rc;
    }
    if (node[M_DESC] != CM_JSON_NONE) {
        f->description = dup_str(d, node[M_DESC], &n);
    } else {
        const char *old = base != NULL ? base->description : "";

        n = strlen(old);
        f->description = cm_strndup(old, n);
    }
    if (f->description == NULL) {
        return CM_ENOMEM;
    }
    return check_desc(f->description, n,
                      node[M_DESC] != CM_JSON_NONE ? d->nodes[node[M_DESC]].off : 0, diag);
}

int cm_filter_parse_node(const struct cm_json_doc *d, uint32_t root, const struct cm_filter *base,
                         unsigned flags, struct cm_filter **out, struct cm_diag *diag)
{
    uint32_t node[M_COUNT];
    struct cm_filter *f = NULL;
    int rc;

    *out = NULL;
    cm_diag_clear(diag);
    rc = collect(d, root, flags, node, diag);
    if (rc != 0) {
        return rc;
    }
    f = cm_calloc(1, sizeof(*f));
    if (f == NULL) {
        return CM_ENOMEM;
    }
    if (base != NULL) {
        f->action = base->action;
        f->rank = base->rank;
    }
    rc = read_strings(d, node, base, f, diag);
    if (rc == 0) {
        rc = read_action_rank(d, node, f, diag);
    }
    if (rc == 0 && node[M_CRITERIA] != CM_JSON_NONE) {
        rc = cm_criteria_compile_node(d, node[M_CRITERIA], CM_CRIT_F_NONEMPTY, &f->criteria, diag);
    } else if (rc == 0 && base != NULL) {
        rc = copy_criteria(base, f, diag);
    } else if (rc == 0) {
        cm_diag_set(diag, d->nodes[root].off, "filter findingCriteria is required");
        rc = CM_EINVAL;
    }
    if (rc != 0) {
        if (rc == CM_ENOMEM) {
            cm_diag_set(diag, 0, "out of memory parsing filter");
        }
        cm_filter_destroy(f);
        return rc;
    }
    *out = f;
    return 0;
}

int cm_filter_parse(const char *json, size_t len, const struct cm_filter *base,
                    struct cm_filter **out, struct cm_diag *diag)
{
    struct cm_json_doc d;
    int rc;

    *out = NULL;
    if (len > CM_FILTER_MAX_INPUT) {
        cm_diag_set(diag, 0, "filter JSON is %zu bytes, at most %u", len, CM_FILTER_MAX_INPUT);
        return CM_E2BIG;
    }
    cm_json_doc_init(&d, 0, 32);
    rc = cm_json_parse(&d, json, len, diag);
    if (rc != 0 && diag != NULL) {
        char why[sizeof(diag->msg)];

        memcpy(why, diag->msg, sizeof(why));
        cm_diag_set(diag, diag->offset, "malformed filter JSON: %s", why);
    } else if (rc == 0) {
        rc = cm_filter_parse_node(&d, 0, base, 0, out, diag);
    }
    cm_json_doc_finish(&d);
    return rc;
}

void cm_filter_destroy(struct cm_filter *f)
{
    if (f == NULL) {
        return;
    }
    cm_free(f->name);
    cm_free(f->description);
    cm_criteria_destroy(f->criteria);
    cm_free(f);
}

void cm_filter_write(const struct cm_filter *f, struct cm_jw *jw)
{
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "name");
    cm_jw_str(jw, f->name);
    cm_jw_key(jw, "description");
    cm_jw_str(jw, f->description ? f->description : "");
    cm_jw_key(jw, "action");
    cm_jw_str(jw, cm_filter_action_name(f->action));
    if (f->rank > 0) {
        cm_jw_key(jw, "rank");
        cm_jw_i64(jw, f->rank);
    }
    cm_jw_key(jw, "findingCriteria");
    cm_criteria_write(f->criteria, jw);
    cm_jw_obj_end(jw);
}

void cm_filterset_init(struct cm_filterset *s)
{
    s->v = NULL;
    s->n = 0;
    s->cap = 0;
}

void cm_filterset_finish(struct cm_filterset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        cm_filter_destroy(s->v[i]);
    }
    cm_free(s->v);
    cm_filterset_init(s);
}

/* Index of the named filter, or SIZE_MAX. */
static size_t find(const struct cm_filterset *s, struct cm_str name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (cm_str_eqc(name, s->v[i]->name)) {
            return i;
        }
    }
    return SIZE_MAX;
}

int cm_filterset_add(struct cm_filterset *s, struct cm_filter *f)
{
    size_t at;

    if (find(s, cm_str_cstr(f->name)) != SIZE_MAX) {
        return CM_EINVAL;
    }
    if (s->n >= CM_FILTERSET_MAX) {
        return CM_EFULL;
    }
    if (cm_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v), 8) != 0) {
        return CM_ENOMEM;
    }
    if (f->rank == 0) {
        int last = s->n ? s->v[s->n - 1]->rank : 0;

        f->rank = last < CM_FILTER_RANK_MAX ? last + 1 : CM_FILTER_RANK_MAX;
    }
    at = s->n;
    while (at > 0 && s->v[at - 1]->rank > f->rank) {
        at--;
    }
    memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*s->v));
    s->v[at] = f;
    s->n++;
    return 0;
}

struct cm_filter *cm_filterset_take(struct cm_filterset *s, struct cm_str name)
{
    size_t i = find(s, name);
    struct cm_filter *f;

    if (i == SIZE_MAX) {
        return NULL;
    }
    f = s->v[i];
    memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
    s->n--;
    return f;
}

const struct cm_filter *cm_filterset_get(const struct cm_filterset *s, struct cm_str name)
{
    size_t i = find(s, name);

    return i == SIZE_MAX ? NULL : s->v[i];
}

bool cm_filterset_apply(const struct cm_filterset *s, const struct cm_json_doc *finding,
                        uint32_t root, const struct cm_filter **first_match)
{
    if (first_match != NULL) {
        *first_match = NULL;
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct cm_filter *f = s->v[i];

        if (f->action == CM_FILTER_ARCHIVE && cm_criteria_match(f->criteria, finding, root)) {
            if (first_match != NULL) {
                *first_match = f;
            }
            return true;
        }
    }
    return false;
}
