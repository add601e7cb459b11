/*
 * FindingCriteria as SQL, for the queries of store_query.c: each condition
 * an indexed column answers exactly becomes a WHERE term with its value
 * bound; any other leaves the query a superset (residual), and
 * cm_store_doc_matches decides on the stored document.
 */
#include "store/store_impl.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "finding/criteria.h"

/* Criteria paths a column answers exactly. */
static const struct {
    const char *path;
    const char *column;
    bool nullable;
    bool narrows; /* equals only, a necessary condition: the document decides */
} columns[] = {
    {"type", "type", false, false},
    {"severity", "severity", false, false},
    {"accountId", "account_id", false, false},
    {"region", "region", false, false},
    {"id", "id", false, false},
    {"updatedAt", "updated_at", false, false},
    {"createdAt", "created_at", false, false},
    {"service.archived", "archived", false, false},
    {"service.count", "count", false, false},
    {"resource.resourceType", "resource_type", true, false},
    /*
     * The resources a finding names: its identity resource (resource_id)
     * and the others (finding_resources, store_findings.c): an access key id,
     * bucket names, an instance id and network interface ids. Equals narrows
     * the candidates to the findings with one of the values among them, by
     * the two indices; the document says under which path (see put_term).
     */
    {"resource.instanceDetails.instanceId", "resource_id", true, true},
    {"resource.accessKeyDetails.accessKeyId", "resource_id", true, true},
    {"resource.instanceDetails.networkInterfaces.networkInterfaceId", "resource_id", true, true},
    {"resource.s3BucketDetails.name", "resource_id", true, true},
};

static struct cm_sqlb_bind *bind_new(struct cm_sqlb *b, enum cm_sqlb_kind kind)
{
    if (cm_grow((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v), 16) != 0) {
        b->err = CM_ENOMEM;
        return NULL;
    }
    memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
    b->v[b->n].kind = kind;
    return &b->v[b->n++];
}

void cm_sqlb_put(struct cm_sqlb *b, const char *s)
{
    if (b->err == 0 && cm_buf_puts(&b->sql, s) != 0) {
        b->err = CM_ENOMEM;
    }
}

/* Appends "?" bound to a value of the column's kind. */
static void put_time(struct cm_sqlb *b, double ms)
{
    struct cm_sqlb_bind *v = bind_new(b, CM_SQLB_TEXT);

    if (v) {
        cm_time_format_iso((int64_t)ms, v->txt, sizeof(v->txt));
        v->own = true;
        cm_sqlb_put(b, "?");
    }
}

void cm_sqlb_put_real(struct cm_sqlb *b, double d)
{
    struct cm_sqlb_bind *v = bind_new(b, CM_SQLB_REAL);

    if (v) {
        v->d = d;
        cm_sqlb_put(b, "?");
    }
}

void cm_sqlb_put_int(struct cm_sqlb *b, int64_t i)
{
    struct cm_sqlb_bind *v = bind_new(b, CM_SQLB_INT);

    if (v) {
        v->i = i;
        cm_sqlb_put(b, "?");
    }
}

/* Appends "?" bound to a copy of s (at most 39 bytes). */
void cm_sqlb_put_own_text(struct cm_sqlb *b, const char *s)
{
    struct cm_sqlb_bind *v = bind_new(b, CM_SQLB_TEXT);

    if (v) {
        snprintf(v->txt, sizeof(v->txt), "%s", s);
        v->own = true;
        cm_sqlb_put(b, "?");
    }
}

void cm_sqlb_put_text(struct cm_sqlb *b, struct cm_str s)
{
    struct cm_sqlb_bind *v = bind_new(b, CM_SQLB_TEXT);

    if (v) {
        v->s = s;
        cm_sqlb_put(b, "?");
    }
}

/*
 * Whether epoch ms v is written as stored times are (a whole millisecond,
 * four-digit year), so that comparing the text compares the times.
 */
static bool time_ok(double v)
{
    return v >= -62135596800000.0 && v <= 253402300799999.0 && v == floor(v);
}

/* One value of a list operator; false when it cannot be expressed (left to the matcher). */
static bool put_value(struct cm_sqlb *b, const struct cm_crit_term_view *t,
                      const struct cm_criteria *c, size_t i, uint32_t j)
{
    double num;
    bool has_num;
    struct cm_str s = cm_criteria_value(c, i, j, &num, &has_num);

    switch (t->type) {
    case CM_CRIT_T_NUMBER:
        if (!has_num) {
            return false;
        }
        cm_sqlb_put_real(b, num);
        return true;
    case CM_CRIT_T_TIME:
        if (!has_num || !time_ok(num)) {
            return false;
        }
        put_time(b, num);
        return true;
    case CM_CRIT_T_BOOL:
        /* As the compiler and the matcher read it: "true" in any case. */
        cm_sqlb_put(b, cm_str_ieq(s, CM_STR_LIT("true")) ? "1" : "0");
        return true;
    case CM_CRIT_T_STRING:
        cm_sqlb_put_text(b, s);
        return true;
    default:
        return false;
    }
}

/* Bound of a range on a number or time column. */
static void put_bound(struct cm_sqlb *b, enum cm_crit_type type, double v)
{
    if (type == CM_CRIT_T_TIME) {
        put_time(b, v);
    } else {
        cm_sqlb_put_real(b, v);
    }
}

/*
 * Adds, after "id IN (...)", the rows those ids can be in (found by key,
 * store_ids.c): findings has no index on id, and without this the ids would
 * be looked for in every row.
 */
static void put_id_rows(struct cm_sqlb *b, const struct cm_crit_term_view *t,
                        const struct cm_criteria *c, size_t i)
{
    cm_sqlb_put(b, " AND seq IN (SELECT seq FROM finding_seq WHERE h IN (");
    for (uint32_t j = 0; j < t->nvals; j++) {
        cm_sqlb_put(b, j ? ",coalmine_id_key(" : "coalmine_id_key(");
        (void)put_value(b, t, c, i, j); /* a string: the id IN (...) above took it */
        cm_sqlb_put(b, ")");
    }
    cm_sqlb_put(b, "))");
}

/*
 * Appends the values of list term i (t) separated by commas; false (and
 * nothing appended kept) when one cannot be expressed.
 */
static bool put_values(struct cm_sqlb *b, const struct cm_crit_term_view *t,
                       const struct cm_criteria *c, size_t i)
{
    for (uint32_t j = 0; j < t->nvals; j++) {
        cm_sqlb_put(b, j ? "," : "");
        if (!put_value(b, t, c, i, j)) {
            return false;
        }
    }
    return true;
}

/*
 * Appends " AND (resource_id IN (v...) OR seq IN (the findings that name
 * one of v among their other resources))" for list term i: every finding
 * naming one of the values as a resource, by the two indices.
 */
static void put_resources_in(struct cm_sqlb *b, const struct cm_crit_term_view *t,
                             const struct cm_criteria *c, size_t i)
{
    cm_sqlb_put(b, " AND (resource_id IN (");
    (void)put_values(b, t, c, i); /* strings: always expressed */
    cm_sqlb_put(b, ") OR seq IN (SELECT fid FROM finding_resources WHERE rid IN (");
    (void)put_values(b, t, c, i);
    cm_sqlb_put(b, ")))");
}

/* Translates term i of c into " AND (...)" when a column answers it exactly. */
static void put_term(struct cm_sqlb *b, const struct cm_criteria *c, size_t i)
{
    struct cm_crit_term_view t;
    const char *col = NULL;
    bool nullable = false, narrows = false;
    size_t mark = b->sql.len, nmark = b->n;

    if (cm_criteria_term(c, i, &t) != 0) {
        b->residual = true;
        return;
    }
    for (size_t k = 0; k < sizeof(columns) / sizeof(columns[0]); k++) {
        if (strcmp(t.path, columns[k].path) == 0) {
            col = columns[k].column;
            nullable = columns[k].nullable;
            narrows = columns[k].narrows;
        }
    }
    if (narrows) {
        b->residual = true; /* the document decides */
        if (t.op == CM_CRIT_EQ && t.nvals > 0) {
            put_resources_in(b, &t, c, i);
        }
        return;
    }
    if (col == NULL || t.op == CM_CRIT_MATCH || t.op == CM_CRIT_NOTMATCH ||
        (t.op == CM_CRIT_NEQ && nullable) || (t.type == CM_CRIT_T_BOOL && t.op != CM_CRIT_EQ) ||
        ((t.op == CM_CRIT_EQ || t.op == CM_CRIT_NEQ) && t.nvals == 0)) {
        b->residual = true;
        return;
    }
    cm_sqlb_put(b, " AND ");
    cm_sqlb_put(b, col);
    if (t.op == CM_CRIT_EQ || t.op == CM_CRIT_NEQ) {
        cm_sqlb_put(b, t.op == CM_CRIT_EQ ? " IN (" : " NOT IN (");
        if (!put_values(b, &t, c, i)) {
            /* Not expressible: drop the whole term, the matcher decides. */
            b->sql.len = mark;
            b->n = nmark;
            b->residual = true;
            return;
        }
        cm_sqlb_put(b, ")");
        if (t.op == CM_CRIT_EQ && strcmp(col, "id") == 0) {
            put_id_rows(b, &t, c, i);
        }
        return;
    }
    if (t.type == CM_CRIT_T_TIME &&
        ((t.has_lo && !time_ok(t.lo)) || (t.has_hi && !time_ok(t.hi)))) {
        /* A bound the text cannot express: the matcher decides that side. */
        b->residual = true;
        t.has_lo = t.has_lo && time_ok(t.lo);
        t.has_hi = t.has_hi && time_ok(t.hi);
    }
    cm_sqlb_put(b, " IS NOT NULL");
    if (t.has_lo) {
        cm_sqlb_put(b, " AND ");
        cm_sqlb_put(b, col);
        cm_sqlb_put(b, t.lo_incl ? " >= " : " > ");
        put_bound(b, t.type, t.lo);
    }
    if (t.has_hi) {
        cm_sqlb_put(b, " AND ");
        cm_sqlb_put(b, col);
        cm_sqlb_put(b, t.hi_incl ? " <= " : " < ");
        put_bound(b, t.type, t.hi);
    }
}

/* Appends the LIKE pattern for a free-text search (with % and _ escaped). */
static void put_text_search(struct cm_sqlb *b, const char *text, struct cm_buf *pat)
{
    cm_buf_reset(pat);
    if (cm_buf_putc(pat, '%') != 0) {
        b->err = CM_ENOMEM;
        return;
    }
    for (const char *p = text; *p; p++) {
        if ((*p == '%' || *p == '_' || *p == '\\') && cm_buf_putc(pat, '\\') != 0) {
            b->err = CM_ENOMEM;
        }
        if (cm_buf_putc(pat, *p) != 0) {
            b->err = CM_ENOMEM;
        }
    }
    if (cm_buf_putc(pat, '%') != 0) {
        b->err = CM_ENOMEM;
        return;
    }
    cm_sqlb_put(b, " AND doc LIKE ");
    cm_sqlb_put_text(b, (struct cm_str){pat->p, pat->len});
    cm_sqlb_put(b, " ESCAPE '\\'");
}

/* The WHERE clause (after "WHERE 1") of q. */
void cm_sqlb_put_where(struct cm_sqlb *b, const struct cm_store_query *q, struct cm_buf *pat)
{
    for (size_t k = 0; k < CM_STORE_MAX_CRITERIA; k++) {
        for (size_t i = 0; i < cm_criteria_terms(q->criteria[k]); i++) {
            put_term(b, q->criteria[k], i);
        }
    }
    if (q->resource_id && *q->resource_id) {
        /* The finding's identity resource or one of its others (store_findings.c). */
        cm_sqlb_put(b, " AND (resource_id = ");
        cm_sqlb_put_text(b, cm_str_cstr(q->resource_id));
        cm_sqlb_put(b, " OR seq IN (SELECT fid FROM finding_resources WHERE rid = ");
        cm_sqlb_put_text(b, cm_str_cstr(q->resource_id));
        cm_sqlb_put(b, "))");
    }
    if (q->text && *q->text) {
        put_text_search(b, q->text, pat);
    }
}

static int bind_all(sqlite3_stmt *st, const struct cm_sqlb *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct cm_sqlb_bind *v = &b->v[i];
        int rc, at = (int)i + 1;
        if (v->kind == CM_SQLB_REAL) {
            rc = sqlite3_bind_double(st, at, v->d);
        } else if (v->kind == CM_SQLB_INT) {
            rc = sqlite3_bind_int64(st, at, v->i);
        } else if (v->own) {
            rc = sqlite3_bind_text(st, at, v->txt, -1, SQLITE_TRANSIENT);
        } else {
            rc = sqlite3_bind_text(st, at, v->s.p ? v->s.p : "", (int)v->s.len, SQLITE_TRANSIENT);
        }
        if (rc != SQLITE_OK) {
            return CM_EIO;
        }
    }
    return CM_OK;
}

void cm_sqlb_init(struct cm_sqlb *b)
{
    memset(b, 0, sizeof(*b));
    cm_buf_init(&b->sql, 0);
}

void cm_sqlb_finish(struct cm_sqlb *b)
{
    cm_buf_finish(&b->sql);
    cm_free(b->v);
}

/* Prepares b's text (NUL-terminated here) and binds its values. */
int cm_sqlb_prepare(sqlite3 *db, struct cm_sqlb *b, sqlite3_stmt **out)
{
    *out = NULL;
    if (b->err == 0 && cm_buf_putc(&b->sql, '\0') != 0) {
        b->err = CM_ENOMEM;
    }
    if (b->err != 0) {
        return b->err;
    }
    if (sqlite3_prepare_v2(db, b->sql.p, -1, out, NULL) != SQLITE_OK || bind_all(*out, b) != 0) {
        return CM_EIO;
    }
    return CM_OK;
}

/* ---- Matching the rest on the document ---- */

bool cm_store_doc_matches(const struct cm_store_query *q, struct cm_json_doc *tape, const char *doc,
                          size_t len)
{
    if (cm_json_parse(tape, doc, len, NULL) != 0) {
        return false;
    }
    for (size_t k = 0; k < CM_STORE_MAX_CRITERIA; k++) {
        if (q->criteria[k] && !cm_criteria_match(q->criteria[k], tape, 0)) {
            return false;
        }
    }
    return true;
}
