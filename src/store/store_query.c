/*
 * Queries over the stored findings (see store.h): FindingCriteria translated
 * into SQL where a column answers the condition exactly, matched on the
 * stored document where none does, keyset pagination and statistics. The
 * changes users make to findings are in store_update.c.
 *
 * A condition on an indexed column (type, severity, accountId, region, id,
 * createdAt, updatedAt, service.archived, resource.resourceType,
 * service.count) becomes a WHERE term; when every term of every criteria
 * became one, the documents are not parsed at all. Otherwise the SQL is a
 * superset and each candidate document is matched with cm_criteria_match.
 *
 * Pagination is by key: the next token names the last finding returned
 * (its id and row, "<id>-<seq>"), and the next page starts after that
 * finding's (sort value, id), so pages stay cheap however deep they go.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/map.h"
#include "base/time.h"
#include "finding/serialize.h"

/* ---- Names ---- */

static const struct {
    const char *name;
    const char *column; /* SQL expression */
} sorts[] = {
    [CM_SORT_UPDATED] = {"updatedAt", "updated_at"},
    [CM_SORT_CREATED] = {"createdAt", "created_at"},
    [CM_SORT_SEVERITY] = {"severity", "severity"},
    [CM_SORT_TYPE] = {"type", "type"},
    [CM_SORT_ACCOUNT] = {"accountId", "account_id"},
    [CM_SORT_REGION] = {"region", "region"},
    [CM_SORT_COUNT] = {"service.count", "count"},
    [CM_SORT_FIRST_SEEN] = {"service.eventFirstSeen", "coalesce(first_seen, '')"},
    [CM_SORT_LAST_SEEN] = {"service.eventLastSeen", "coalesce(last_seen, '')"},
    [CM_SORT_ID] = {"id", "id"},
};

#define NSORTS (sizeof(sorts) / sizeof(sorts[0]))

int cm_store_sort_parse(const char *name, enum cm_store_sort *out)
{
    for (size_t i = 0; i < NSORTS; i++) {
        if (strcmp(name, sorts[i].name) == 0) {
            *out = (enum cm_store_sort)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

const char *cm_store_sort_name(enum cm_store_sort s)
{
    return (size_t)s < NSORTS ? sorts[s].name : "?";
}

static const char *const groups[] = {
    [CM_GROUP_SEVERITY] = "SEVERITY", [CM_GROUP_TYPE] = "FINDING_TYPE",
    [CM_GROUP_RESOURCE] = "RESOURCE", [CM_GROUP_ACCOUNT] = "ACCOUNT",
    [CM_GROUP_DATE] = "DATE",         [CM_GROUP_REGION] = "REGION",
};

int cm_store_group_parse(const char *name, enum cm_store_group *out)
{
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        if (strcmp(name, groups[i]) == 0) {
            *out = (enum cm_store_group)i;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

/* ---- SQL building ---- */

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
     * The identity resource (resource_id) is the instance id whenever the
     * finding has one (only Instance findings have instanceDetails), and the
     * access key id of an AccessKey finding that has one, so such a finding
     * with that value has it in resource_id too: equals narrows the
     * candidates through the index and the document confirms. S3Bucket
     * findings carry the caller's accessKeyDetails but are keyed by the
     * bucket: they stay candidates (see put_term).
     */
    {"resource.instanceDetails.instanceId", "resource_id", true, true},
    {"resource.accessKeyDetails.accessKeyId", "resource_id", true, true},
};

enum bind_kind { B_TEXT, B_REAL, B_INT };

struct bind {
    enum bind_kind kind;
    struct cm_str s; /* borrowed from the criteria or the query; unused when own */
    bool own;        /* the text is txt (never pointed at: the array moves when it grows) */
    char txt[40];
    double d;
    int64_t i;
};

struct sqlb {
    struct cm_buf sql;
    struct bind *v;
    size_t n, cap;
    bool residual; /* some condition is left to the document matcher */
    int err;
};

static struct bind *bind_new(struct sqlb *b, enum bind_kind kind)
{
    if (cm_grow((void **)&b->v, &b->cap, b->n + 1, sizeof(*b->v), 16) != 0) {
        b->err = CM_ENOMEM;
        return NULL;
    }
    memset(&b->v[b->n], 0, sizeof(b->v[b->n]));
    b->v[b->n].kind = kind;
    return &b->v[b->n++];
}

static void put(struct sqlb *b, const char *s)
{
    if (b->err == 0 && cm_buf_puts(&b->sql, s) != 0) {
        b->err = CM_ENOMEM;
    }
}

/* Appends "?" bound to a value of the column's kind. */
static void put_time(struct sqlb *b, double ms)
{
    struct bind *v = bind_new(b, B_TEXT);

    if (v) {
        cm_time_format_iso((int64_t)ms, v->txt, sizeof(v->txt));
        v->own = true;
        put(b, "?");
    }
}

static void put_real(struct sqlb *b, double d)
{
    struct bind *v = bind_new(b, B_REAL);

    if (v) {
        v->d = d;
        put(b, "?");
    }
}

static void put_int(struct sqlb *b, int64_t i)
{
    struct bind *v = bind_new(b, B_INT);

    if (v) {
        v->i = i;
        put(b, "?");
    }
}

/* Appends "?" bound to a copy of s (at most 39 bytes). */
static void put_own_text(struct sqlb *b, const char *s)
{
    struct bind *v = bind_new(b, B_TEXT);

    if (v) {
        snprintf(v->txt, sizeof(v->txt), "%s", s);
        v->own = true;
        put(b, "?");
    }
}

static void put_text(struct sqlb *b, struct cm_str s)
{
    struct bind *v = bind_new(b, B_TEXT);

    if (v) {
        v->s = s;
        put(b, "?");
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
static bool put_value(struct sqlb *b, const struct cm_crit_term_view *t,
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
        put_real(b, num);
        return true;
    case CM_CRIT_T_TIME:
        if (!has_num || !time_ok(num)) {
            return false;
        }
        put_time(b, num);
        return true;
    case CM_CRIT_T_BOOL:
        /* As the compiler and the matcher read it: "true" in any case. */
        put(b, cm_str_ieq(s, CM_STR_LIT("true")) ? "1" : "0");
        return true;
    case CM_CRIT_T_STRING:
        put_text(b, s);
        return true;
    default:
        return false;
    }
}

/* Bound of a range on a number or time column. */
static void put_bound(struct sqlb *b, enum cm_crit_type type, double v)
{
    if (type == CM_CRIT_T_TIME) {
        put_time(b, v);
    } else {
        put_real(b, v);
    }
}

/*
 * Adds, after "id IN (...)", the rows those ids can be in (found by key,
 * store_ids.c): findings has no index on id, and without this the ids would
 * be looked for in every row.
 */
static void put_id_rows(struct sqlb *b, const struct cm_crit_term_view *t,
                        const struct cm_criteria *c, size_t i)
{
    put(b, " AND seq IN (SELECT seq FROM finding_seq WHERE h IN (");
    for (uint32_t j = 0; j < t->nvals; j++) {
        put(b, j ? ",coalmine_id_key(" : "coalmine_id_key(");
        (void)put_value(b, t, c, i, j); /* a string: the id IN (...) above took it */
        put(b, ")");
    }
    put(b, "))");
}

/* Translates term i of c into " AND (...)" when a column answers it exactly. */
static void put_term(struct sqlb *b, const struct cm_criteria *c, size_t i)
{
    struct cm_crit_term_view t;
    const char *col = NULL;
    bool nullable = false, narrows = false, akid;
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
        if (t.op != CM_CRIT_EQ) {
            return;
        }
    }
    if (col == NULL || t.op == CM_CRIT_MATCH || t.op == CM_CRIT_NOTMATCH ||
        (t.op == CM_CRIT_NEQ && nullable) || (t.type == CM_CRIT_T_BOOL && t.op != CM_CRIT_EQ) ||
        ((t.op == CM_CRIT_EQ || t.op == CM_CRIT_NEQ) && t.nvals == 0)) {
        b->residual = true;
        return;
    }
    /* Only an AccessKey finding's resource_id is its access key id. */
    akid = narrows && strcmp(t.path, "resource.accessKeyDetails.accessKeyId") == 0;
    put(b, akid ? " AND (" : " AND ");
    put(b, col);
    if (t.op == CM_CRIT_EQ || t.op == CM_CRIT_NEQ) {
        put(b, t.op == CM_CRIT_EQ ? " IN (" : " NOT IN (");
        for (uint32_t j = 0; j < t.nvals; j++) {
            put(b, j ? "," : "");
            if (!put_value(b, &t, c, i, j)) {
                /* Not expressible: drop the whole term, the matcher decides. */
                b->sql.len = mark;
                b->n = nmark;
                b->residual = true;
                return;
            }
        }
        put(b, ")");
        if (akid) {
            put(b, " OR resource_type IS NOT 'AccessKey')");
        }
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
    put(b, " IS NOT NULL");
    if (t.has_lo) {
        put(b, " AND ");
        put(b, col);
        put(b, t.lo_incl ? " >= " : " > ");
        put_bound(b, t.type, t.lo);
    }
    if (t.has_hi) {
        put(b, " AND ");
        put(b, col);
        put(b, t.hi_incl ? " <= " : " < ");
        put_bound(b, t.type, t.hi);
    }
}

/* Appends the LIKE pattern for a free-text search (with % and _ escaped). */
static void put_text_search(struct sqlb *b, const char *text, struct cm_buf *pat)
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
    put(b, " AND doc LIKE ");
    put_text(b, (struct cm_str){pat->p, pat->len});
    put(b, " ESCAPE '\\'");
}

/* The WHERE clause (after "WHERE 1") of q. */
static void put_where(struct sqlb *b, const struct cm_store_query *q, struct cm_buf *pat)
{
    for (size_t k = 0; k < CM_STORE_MAX_CRITERIA; k++) {
        for (size_t i = 0; i < cm_criteria_terms(q->criteria[k]); i++) {
            put_term(b, q->criteria[k], i);
        }
    }
    if (q->resource_id && *q->resource_id) {
        put(b, " AND resource_id = ");
        put_text(b, cm_str_cstr(q->resource_id));
    }
    if (q->text && *q->text) {
        put_text_search(b, q->text, pat);
    }
}

static int bind_all(sqlite3_stmt *st, const struct sqlb *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct bind *v = &b->v[i];
        int rc, at = (int)i + 1;
        if (v->kind == B_REAL) {
            rc = sqlite3_bind_double(st, at, v->d);
        } else if (v->kind == B_INT) {
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

static void sqlb_init(struct sqlb *b)
{
    memset(b, 0, sizeof(*b));
    cm_buf_init(&b->sql, 0);
}

static void sqlb_finish(struct sqlb *b)
{
    cm_buf_finish(&b->sql);
    cm_free(b->v);
}

/* Prepares b's text (NUL-terminated here) and binds its values. */
static int sqlb_prepare(sqlite3 *db, struct sqlb *b, sqlite3_stmt **out)
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

static bool doc_matches(const struct cm_store_query *q, struct cm_json_doc *tape, const char *doc,
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

/* Whether row seq holds finding id: 1, 0, or -1 on error. */
static int row_is(sqlite3 *db, int64_t seq, const char *id)
{
    sqlite3_stmt *q = NULL;
    int v = -1, step;

    if (sqlite3_prepare_v2(db, "SELECT 1 FROM findings WHERE seq = ?1 AND id = ?2", -1, &q, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(q, 1, seq);
        sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
        step = sqlite3_step(q);
        v = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
    }
    sqlite3_finalize(q);
    return v;
}

/*
 * Parses a token: the id of the last finding of the previous page, "-", and
 * that finding's seq in decimal. A bare id (the tokens of schema 3) is looked
 * up by id. *seq gets the seq, 0 when the token names no stored finding.
 * Returns 0, CM_EINVAL (malformed) or CM_EIO.
 */
static int token_parse(sqlite3 *db, const char *t, char id[CM_FINDING_ID_LEN + 1], int64_t *seq)
{
    size_t n = strlen(t);
    int64_t v = 0;
    int is;

    *seq = 0;
    if (n < CM_FINDING_ID_LEN || n == CM_FINDING_ID_LEN + 1 || n > CM_FINDING_ID_LEN + 1 + 18 ||
        (n > CM_FINDING_ID_LEN && t[CM_FINDING_ID_LEN] != '-')) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < CM_FINDING_ID_LEN; i++) {
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f'))) {
            return CM_EINVAL;
        }
    }
    for (size_t i = CM_FINDING_ID_LEN + 1; i < n; i++) {
        if (t[i] < '0' || t[i] > '9' || (i == CM_FINDING_ID_LEN + 1 && t[i] == '0')) {
            return CM_EINVAL;
        }
        v = v * 10 + (t[i] - '0');
    }
    memcpy(id, t, CM_FINDING_ID_LEN);
    id[CM_FINDING_ID_LEN] = '\0';
    if (n == CM_FINDING_ID_LEN) {
        return cm_store_seq_of(db, id, seq);
    }
    /* The row must still hold that finding. */
    if ((is = row_is(db, v, id)) < 0) {
        return CM_EIO;
    }
    *seq = is ? v : 0;
    return CM_OK;
}

/*
 * Starts the page after the finding the token names: (sort value, id)
 * strictly after that finding's, in the query's order. The value is read by
 * a subquery, so it is compared exactly whatever its type and length.
 */
static int put_after(sqlite3 *db, struct sqlb *b, const struct cm_store_query *q, char *err,
                     size_t errlen)
{
    const char *col = sorts[q->sort].column;
    const char *cmp = q->ascending ? " > " : " < ";
    char id[CM_FINDING_ID_LEN + 1];
    int64_t seq;
    int rc = token_parse(db, q->next_token, id, &seq);

    if (rc == CM_EINVAL) {
        snprintf(err, errlen, "malformed next token '%s'", q->next_token);
        return CM_EINVAL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return CM_EIO;
    }
    if (seq == 0) {
        snprintf(err, errlen, "stale next token '%s' (that finding is gone)", q->next_token);
        return CM_EINVAL;
    }
    for (int k = 0; k < 2; k++) {
        put(b, k ? " OR (" : " AND (");
        put(b, col);
        put(b, k ? " = " : cmp);
        put(b, "(SELECT ");
        put(b, col);
        put(b, " FROM findings WHERE seq = ");
        put_int(b, seq);
        put(b, ")");
    }
    put(b, " AND id");
    put(b, cmp);
    put_own_text(b, id);
    put(b, "))");
    return b->err;
}

int cm_store_query(struct cm_store *st, const struct cm_store_query *q, cm_store_row_fn fn,
                   void *ud, char *next_token, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    const char *dir = q->ascending ? " ASC" : " DESC";
    sqlite3_stmt *stmt = NULL;
    struct cm_json_doc tape;
    struct cm_buf pat;
    struct sqlb b;
    char last[CM_STORE_TOKEN_MAX] = "";
    size_t delivered = 0;
    int rc, step;

    if (next_token) {
        next_token[0] = '\0';
    }
    if ((size_t)q->sort >= NSORTS) {
        snprintf(err, errlen, "unknown sort attribute");
        return CM_EINVAL;
    }
    sqlb_init(&b);
    cm_buf_init(&pat, 0);
    cm_json_doc_init(&tape, 0, 0);
    /* Conditions on findings columns are checked before the document is looked up. */
    put(&b, "SELECT id, doc, seq FROM findings CROSS JOIN finding_docs USING (seq) WHERE 1");
    put_where(&b, q, &pat);
    if (q->next_token && *q->next_token && (rc = put_after(db, &b, q, err, errlen)) != 0) {
        goto done;
    }
    put(&b, " ORDER BY ");
    put(&b, sorts[q->sort].column);
    put(&b, dir);
    put(&b, ", id");
    put(&b, dir);
    if ((rc = sqlb_prepare(db, &b, &stmt)) != 0) {
        if (rc == CM_EIO) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        }
        goto done;
    }
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(stmt, 0);
        const char *doc = (const char *)sqlite3_column_text(stmt, 1);
        size_t len = (size_t)sqlite3_column_bytes(stmt, 1);
        struct cm_finding f;
        if (id == NULL || doc == NULL || (b.residual && !doc_matches(q, &tape, doc, len))) {
            continue;
        }
        if (q->limit && delivered == q->limit) {
            /* One more match exists: the page ends at the last one delivered. */
            if (next_token) {
                snprintf(next_token, CM_STORE_TOKEN_MAX, "%s", last);
            }
            break;
        }
        cm_finding_init(&f);
        rc = cm_finding_from_json(&f, doc, len, NULL);
        if (rc != 0) {
            snprintf(err, errlen, "stored finding %s does not parse: %s", id, cm_strerror(rc));
            cm_finding_finish(&f);
            rc = CM_EIO;
            goto done;
        }
        rc = fn(ud, &f, doc, len);
        cm_finding_finish(&f);
        if (rc != 0) {
            goto done;
        }
        snprintf(last, sizeof(last), "%.*s-%lld", CM_FINDING_ID_LEN, id,
                 (long long)sqlite3_column_int64(stmt, 2));
        delivered++;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        rc = CM_EIO;
    }
done:
    sqlite3_finalize(stmt);
    sqlb_finish(&b);
    cm_buf_finish(&pat);
    cm_json_doc_finish(&tape);
    return rc;
}

/* ---- Statistics ---- */

struct group {
    char key[160];
    char rtype[24];
    char account[24];
    double severity;
    uint64_t total;
    int64_t last_ms;
};

static int group_cmp(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a;
    const struct group *y = *(const struct group *const *)b;

    if (x->total != y->total) {
        return x->total > y->total ? -1 : 1;
    }
    return strcmp(x->key, y->key);
}

/* Severity and date groups read best in their own order: highest / latest first. */
static int group_cmp_key_desc(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a;
    const struct group *y = *(const struct group *const *)b;

    return -strcmp(x->key, y->key);
}

static int group_cmp_sev(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a;
    const struct group *y = *(const struct group *const *)b;

    return x->severity > y->severity ? -1 : x->severity < y->severity ? 1 : 0;
}

static void col_text(sqlite3_stmt *st, int i, char *out, size_t n)
{
    const char *s = (const char *)sqlite3_column_text(st, i);

    snprintf(out, n, "%s", s ? s : "");
}

/* The group key of the current row. */
static void row_key(sqlite3_stmt *st, enum cm_store_group by, char *key, size_t n)
{
    switch (by) {
    case CM_GROUP_SEVERITY:
        snprintf(key, n, "%.1f", sqlite3_column_double(st, 1));
        break;
    case CM_GROUP_TYPE:
        col_text(st, 2, key, n);
        break;
    case CM_GROUP_RESOURCE:
        col_text(st, 3, key, n);
        break;
    case CM_GROUP_ACCOUNT:
        col_text(st, 5, key, n);
        break;
    case CM_GROUP_DATE:
        col_text(st, 6, key, n < 11 ? n : 11);
        break;
    default:
        col_text(st, 7, key, n);
        break;
    }
}

/* Calls fn per group in the answer's order. */
static int emit_groups(struct cm_map *m, enum cm_store_group by, size_t limit, cm_store_stat_fn fn,
                       void *ud)
{
    size_t n = cm_map_count(m), k = 0;
    struct group **v = cm_malloc((n ? n : 1) * sizeof(*v));
    struct cm_map_iter it;
    void *val;
    int rc = CM_OK;

    if (v == NULL) {
        return CM_ENOMEM;
    }
    cm_map_iter_init(m, &it);
    while (k < n && cm_map_next(m, &it, NULL, &val)) {
        v[k++] = val;
    }
    qsort(v, k, sizeof(*v),
          by == CM_GROUP_SEVERITY ? group_cmp_sev
          : by == CM_GROUP_DATE   ? group_cmp_key_desc
                                  : group_cmp);
    for (size_t i = 0; i < k && (limit == 0 || i < limit) && rc == 0; i++) {
        struct cm_store_stat s = {
            .key = v[i]->key,
            .resource_type = by == CM_GROUP_RESOURCE ? v[i]->rtype : NULL,
            .account_id = by == CM_GROUP_RESOURCE ? v[i]->account : NULL,
            .severity = v[i]->severity,
            .total = v[i]->total,
            .last_ms = v[i]->last_ms,
        };
        rc = fn(ud, &s);
    }
    cm_free(v);
    return rc;
}

int cm_store_stats(struct cm_store *st, const struct cm_store_query *q, enum cm_store_group by,
                   size_t limit, cm_store_stat_fn fn, void *ud, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *stmt = NULL;
    struct cm_map *m = NULL;
    struct cm_json_doc tape;
    struct cm_buf pat;
    struct sqlb b, w;
    int rc, step;

    sqlb_init(&b);
    sqlb_init(&w);
    cm_buf_init(&pat, 0);
    cm_json_doc_init(&tape, 0, 0);
    if ((rc = cm_map_create(&m, sizeof(struct group), 0, 0x5747ULL)) != 0) {
        goto done;
    }
    /* The documents are read only when a condition needs them. */
    put_where(&w, q, &pat);
    put(&b, w.residual || (q->text && *q->text)
                ? "SELECT doc, severity, type, resource_id, resource_type, account_id, updated_at,"
                  " region FROM findings CROSS JOIN finding_docs USING (seq) WHERE 1"
                : "SELECT NULL, severity, type, resource_id, resource_type, account_id, updated_at,"
                  " region FROM findings WHERE 1");
    if (b.err == 0 && w.err == 0 && cm_buf_append(&b.sql, w.sql.p, w.sql.len) != 0) {
        b.err = CM_ENOMEM;
    }
    b.err = b.err ? b.err : w.err;
    b.residual = w.residual;
    b.v = w.v;
    b.n = w.n;
    b.cap = w.cap;
    w.v = NULL;
    if ((rc = sqlb_prepare(db, &b, &stmt)) != 0) {
        if (rc == CM_EIO) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        }
        goto done;
    }
    while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
        char key[160], when[40];
        struct group *g;
        bool created;
        int64_t ms = 0;
        double sev = sqlite3_column_double(stmt, 1);
        if (b.residual) {
            const char *doc = (const char *)sqlite3_column_text(stmt, 0);
            if (doc == NULL || !doc_matches(q, &tape, doc, (size_t)sqlite3_column_bytes(stmt, 0))) {
                continue;
            }
        }
        row_key(stmt, by, key, sizeof(key));
        if ((rc = cm_map_put(m, key, strlen(key), (void **)&g, &created)) != 0) {
            goto done;
        }
        if (created) {
            snprintf(g->key, sizeof(g->key), "%s", key);
            col_text(stmt, 4, g->rtype, sizeof(g->rtype));
            col_text(stmt, 5, g->account, sizeof(g->account));
        }
        col_text(stmt, 6, when, sizeof(when));
        (void)cm_time_parse_iso(cm_str_cstr(when), &ms);
        g->total++;
        g->severity = fmax(g->severity, sev);
        if (ms > g->last_ms) {
            g->last_ms = ms;
        }
    }
    if (step != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        rc = CM_EIO;
        goto done;
    }
    rc = emit_groups(m, by, limit, fn, ud);
done:
    if (rc == CM_ENOMEM) {
        snprintf(err, errlen, "%s", cm_strerror(rc));
    }
    sqlite3_finalize(stmt);
    cm_map_destroy(m);
    sqlb_finish(&b);
    sqlb_finish(&w);
    cm_buf_finish(&pat);
    cm_json_doc_finish(&tape);
    return rc;
}
