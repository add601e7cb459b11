/*
 * Queries over the stored findings (see store.h): FindingCriteria translated
 * into SQL where a column answers the condition exactly, matched on the
 * stored document where none does (both in store_sql.c), keyset pagination
 * and statistics. The changes users make to findings are in store_update.c.
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
#include "base/str.h"

/* ---- Names ---- */

static const struct {
    const char *name;
    const char *column; /* SQL expression */
    enum cm_sqlb_kind kind;
} sorts[] = {
    [CM_SORT_UPDATED] = {"updatedAt", "updated_at", CM_SQLB_TEXT},
    [CM_SORT_CREATED] = {"createdAt", "created_at", CM_SQLB_TEXT},
    [CM_SORT_SEVERITY] = {"severity", "severity", CM_SQLB_REAL},
    [CM_SORT_TYPE] = {"type", "type", CM_SQLB_TEXT},
    [CM_SORT_ACCOUNT] = {"accountId", "account_id", CM_SQLB_TEXT},
    [CM_SORT_REGION] = {"region", "region", CM_SQLB_TEXT},
    [CM_SORT_COUNT] = {"service.count", "count", CM_SQLB_INT},
    [CM_SORT_FIRST_SEEN] = {"service.eventFirstSeen", "coalesce(first_seen, '')", CM_SQLB_TEXT},
    [CM_SORT_LAST_SEEN] = {"service.eventLastSeen", "coalesce(last_seen, '')", CM_SQLB_TEXT},
    [CM_SORT_ID] = {"id", "id", CM_SQLB_TEXT},
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
 * Tokens. The current form is "<id>.<s><hex>": the id of the last finding of
 * the page, the sort key the page was in ('a' + enum cm_store_sort) and that
 * finding's sort value when the page was read, in hex (the text of a text
 * column, a severity as "%.17g", a count in decimal). The next page starts
 * after that (value, id) whatever became of the finding since: a new
 * occurrence that moved it (updatedAt, count, ...) or a retention that
 * deleted it leaves the rest of the pages as they were. The older forms,
 * "<id>-<seq>" (schema 4) and a bare id (schema 3), read the value from the
 * finding's row now, and are stale once it is gone.
 */
#define TOKEN_VALUE_MAX 140 /* bytes of a sort value a token carries */

struct token {
    char id[CM_FINDING_ID_LEN + 1];
    int64_t seq;  /* older forms: the row to read the value from, 0 when gone */
    bool carried; /* the current form: the value is below */
    char value[TOKEN_VALUE_MAX + 1];
    size_t len;
    int64_t i;
    double d;
};

/* Writes the token of the finding id (row seq) whose sort value is column col of st. */
static void token_make(char out[CM_STORE_TOKEN_MAX], const char *id, int64_t seq,
                       enum cm_store_sort sort, sqlite3_stmt *st, int col)
{
    static const char hex[] = "0123456789abcdef";
    char num[32];
    const unsigned char *v = (const unsigned char *)num;
    size_t n, k;

    if (sorts[sort].kind == CM_SQLB_REAL) {
        snprintf(num, sizeof(num), "%.17g", sqlite3_column_double(st, col));
        n = strlen(num);
    } else if (sorts[sort].kind == CM_SQLB_INT) {
        snprintf(num, sizeof(num), "%lld", (long long)sqlite3_column_int64(st, col));
        n = strlen(num);
    } else {
        v = sqlite3_column_text(st, col);
        n = v ? (size_t)sqlite3_column_bytes(st, col) : 0;
    }
    if (n > TOKEN_VALUE_MAX) {
        /* Longer than any stored type or time: the row names the value. */
        snprintf(out, CM_STORE_TOKEN_MAX, "%.*s-%lld", CM_FINDING_ID_LEN, id, (long long)seq);
        return;
    }
    k = (size_t)snprintf(out, CM_STORE_TOKEN_MAX, "%.*s.%c", CM_FINDING_ID_LEN, id,
                         'a' + (int)sort);
    for (size_t i = 0; i < n; i++) {
        out[k++] = hex[v[i] >> 4];
        out[k++] = hex[v[i] & 15];
    }
    out[k] = '\0';
}

/* Reads the value of a current-form token, after "<id>.": 0 or CM_EINVAL. */
static int token_value(const char *t, size_t n, enum cm_store_sort sort, struct token *tk)
{
    char *end;

    if (n < 1 || t[0] != 'a' + (int)sort || (n - 1) % 2 != 0 || (n - 1) / 2 > TOKEN_VALUE_MAX) {
        return CM_EINVAL; /* another sort's token is as good as a malformed one */
    }
    tk->len = (n - 1) / 2;
    for (size_t i = 0; i < tk->len; i++) {
        int hi = cm_hex_digit_lower(t[1 + 2 * i]), lo = cm_hex_digit_lower(t[2 + 2 * i]);
        if (hi < 0 || lo < 0) {
            return CM_EINVAL;
        }
        tk->value[i] = (char)(hi << 4 | lo);
    }
    tk->value[tk->len] = '\0';
    tk->carried = true;
    if (sorts[sort].kind == CM_SQLB_TEXT) {
        return CM_OK;
    }
    if (tk->len == 0 || strlen(tk->value) != tk->len) {
        return CM_EINVAL;
    }
    if (sorts[sort].kind == CM_SQLB_REAL) {
        tk->d = strtod(tk->value, &end);
        return *end == '\0' && isfinite(tk->d) ? CM_OK : CM_EINVAL;
    }
    tk->i = strtoll(tk->value, &end, 10);
    return *end == '\0' ? CM_OK : CM_EINVAL;
}

/*
 * Parses a token for a query sorted by sort (see Tokens above). An older
 * form's tk->seq is its row, 0 when no stored finding is that one.
 * Returns 0, CM_EINVAL (malformed) or CM_EIO.
 */
static int token_parse(sqlite3 *db, const char *t, enum cm_store_sort sort, struct token *tk)
{
    size_t n = strlen(t);
    int64_t v = 0;
    int is;

    memset(tk, 0, sizeof(*tk));
    if (n < CM_FINDING_ID_LEN) {
        return CM_EINVAL;
    }
    for (size_t i = 0; i < CM_FINDING_ID_LEN; i++) {
        if (cm_hex_digit_lower(t[i]) < 0) {
            return CM_EINVAL;
        }
    }
    memcpy(tk->id, t, CM_FINDING_ID_LEN);
    tk->id[CM_FINDING_ID_LEN] = '\0';
    if (n == CM_FINDING_ID_LEN) {
        return cm_store_seq_of(db, tk->id, &tk->seq);
    }
    if (t[CM_FINDING_ID_LEN] == '.') {
        return token_value(t + CM_FINDING_ID_LEN + 1, n - CM_FINDING_ID_LEN - 1, sort, tk);
    }
    if (n == CM_FINDING_ID_LEN + 1 || n > CM_FINDING_ID_LEN + 1 + 18 ||
        t[CM_FINDING_ID_LEN] != '-') {
        return CM_EINVAL;
    }
    for (size_t i = CM_FINDING_ID_LEN + 1; i < n; i++) {
        if (t[i] < '0' || t[i] > '9' || (i == CM_FINDING_ID_LEN + 1 && t[i] == '0')) {
            return CM_EINVAL;
        }
        v = v * 10 + (t[i] - '0');
    }
    /* The row must still hold that finding. */
    if ((is = row_is(db, v, tk->id)) < 0) {
        return CM_EIO;
    }
    tk->seq = is ? v : 0;
    return CM_OK;
}

/* Appends "?" bound to the token's value, or the subquery reading it from its row. */
static void put_token_value(struct cm_sqlb *b, const struct cm_store_query *q,
                            const struct token *tk)
{
    if (!tk->carried) {
        cm_sqlb_put(b, "(SELECT ");
        cm_sqlb_put(b, sorts[q->sort].column);
        cm_sqlb_put(b, " FROM findings WHERE seq = ");
        cm_sqlb_put_int(b, tk->seq);
        cm_sqlb_put(b, ")");
    } else if (sorts[q->sort].kind == CM_SQLB_REAL) {
        cm_sqlb_put_real(b, tk->d);
    } else if (sorts[q->sort].kind == CM_SQLB_INT) {
        cm_sqlb_put_int(b, tk->i);
    } else {
        cm_sqlb_put_text(b, (struct cm_str){tk->value, tk->len});
    }
}

/*
 * Starts the page after the finding the token names: (sort value, id)
 * strictly after the token's, in the query's order. The value is bound (or
 * read by a subquery), so it is compared exactly whatever its type and
 * length. tk holds the value until b is prepared.
 */
static int put_after(sqlite3 *db, struct cm_sqlb *b, const struct cm_store_query *q,
                     struct token *tk, char *err, size_t errlen)
{
    const char *col = sorts[q->sort].column;
    const char *cmp = q->ascending ? " > " : " < ";
    int rc = token_parse(db, q->next_token, q->sort, tk);

    if (rc == CM_EINVAL) {
        snprintf(err, errlen, "malformed next token '%s' (or one of another sort order)",
                 q->next_token);
        return CM_EINVAL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return CM_EIO;
    }
    if (!tk->carried && tk->seq == 0) {
        snprintf(err, errlen, "stale next token '%s' (that finding is gone)", q->next_token);
        return CM_EINVAL;
    }
    for (int k = 0; k < 2; k++) {
        cm_sqlb_put(b, k ? " OR (" : " AND (");
        cm_sqlb_put(b, col);
        cm_sqlb_put(b, k ? " = " : cmp);
        put_token_value(b, q, tk);
    }
    cm_sqlb_put(b, " AND id");
    cm_sqlb_put(b, cmp);
    cm_sqlb_put_own_text(b, tk->id);
    cm_sqlb_put(b, "))");
    return b->err;
}

/*
 * Appends w's SQL to b's and makes w's bound values b's (b has none yet):
 * b's text goes on after them. w is left empty, with b's first error.
 */
static void sqlb_take(struct cm_sqlb *b, struct cm_sqlb *w)
{
    if (b->err == 0 && w->err == 0 && cm_buf_append(&b->sql, w->sql.p, w->sql.len) != 0) {
        b->err = CM_ENOMEM;
    }
    b->err = b->err ? b->err : w->err;
    b->residual = w->residual;
    cm_free(b->v);
    b->v = w->v;
    b->n = w->n;
    b->cap = w->cap;
    w->v = NULL;
    w->n = w->cap = 0;
}

int cm_store_query(struct cm_store *st, const struct cm_store_query *q, cm_store_row_fn fn,
                   void *ud, char *next_token, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    const char *dir = q->ascending ? " ASC" : " DESC";
    sqlite3_stmt *stmt = NULL;
    struct cm_json_doc tape;
    struct cm_buf pat;
    struct cm_sqlb b, w;
    struct token tk;
    char last[CM_STORE_TOKEN_MAX] = "";
    size_t delivered = 0;
    bool paged;
    int rc, step;

    if (next_token) {
        next_token[0] = '\0';
    }
    if ((size_t)q->sort >= NSORTS) {
        snprintf(err, errlen, "unknown sort attribute");
        return CM_EINVAL;
    }
    cm_sqlb_init(&b);
    cm_sqlb_init(&w);
    cm_buf_init(&pat, 0);
    cm_json_doc_init(&tape, 0, 0);
    cm_sqlb_put_where(&w, q, &pat);
    if (q->next_token && *q->next_token && (rc = put_after(db, &w, q, &tk, err, errlen)) != 0) {
        goto done;
    }
    /*
     * When the columns decide every condition, the page's rows are chosen
     * on the compact findings rows (SQLite keeps the best limit + 1 while
     * walking them) and only their documents are read: sorting the matches
     * with their documents cost a second per 100,000 findings by severity.
     * Otherwise the conditions on the columns are checked before the
     * document is looked up, and the document decides the rest.
     */
    paged = !w.residual && !(q->text && *q->text) && q->limit > 0;
    cm_sqlb_put(&b, paged ? "SELECT x.id, d.doc, x.seq, x.v FROM (SELECT id, seq, "
                          : "SELECT id, doc, seq, ");
    cm_sqlb_put(&b, sorts[q->sort].column);
    cm_sqlb_put(&b, paged ? " AS v FROM findings WHERE 1"
                          : " FROM findings CROSS JOIN finding_docs USING (seq) WHERE 1");
    sqlb_take(&b, &w);
    cm_sqlb_put(&b, " ORDER BY ");
    cm_sqlb_put(&b, sorts[q->sort].column);
    cm_sqlb_put(&b, dir);
    cm_sqlb_put(&b, ", id");
    cm_sqlb_put(&b, dir);
    if (paged) {
        cm_sqlb_put(&b, " LIMIT ");
        cm_sqlb_put_int(&b, (int64_t)q->limit + 1);
        cm_sqlb_put(&b, ") x CROSS JOIN finding_docs d ON d.seq = x.seq ORDER BY x.v");
        cm_sqlb_put(&b, dir);
        cm_sqlb_put(&b, ", x.id");
        cm_sqlb_put(&b, dir);
    }
    if ((rc = cm_sqlb_prepare(db, &b, &stmt)) != 0) {
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
        if (id == NULL || doc == NULL ||
            (b.residual && !cm_store_doc_matches(q, &tape, doc, len))) {
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
        delivered++;
        if (q->limit && delivered == q->limit) {
            /* The page's last finding: the token names it and its sort value now. */
            token_make(last, id, sqlite3_column_int64(stmt, 2), q->sort, stmt, 3);
        }
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        rc = CM_EIO;
    }
done:
    sqlite3_finalize(stmt);
    cm_sqlb_finish(&b);
    cm_sqlb_finish(&w);
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
    struct cm_sqlb b, w;
    int rc, step;

    cm_sqlb_init(&b);
    cm_sqlb_init(&w);
    cm_buf_init(&pat, 0);
    cm_json_doc_init(&tape, 0, 0);
    if ((rc = cm_map_create(&m, sizeof(struct group), 0, 0x5747ULL)) != 0) {
        goto done;
    }
    /* The documents are read only when a condition needs them. */
    cm_sqlb_put_where(&w, q, &pat);
    cm_sqlb_put(
        &b, w.residual || (q->text && *q->text)
                ? "SELECT doc, severity, type, resource_id, resource_type, account_id, updated_at,"
                  " region FROM findings CROSS JOIN finding_docs USING (seq) WHERE 1"
                : "SELECT NULL, severity, type, resource_id, resource_type, account_id, updated_at,"
                  " region FROM findings WHERE 1");
    sqlb_take(&b, &w);
    if ((rc = cm_sqlb_prepare(db, &b, &stmt)) != 0) {
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
            if (doc == NULL ||
                !cm_store_doc_matches(q, &tape, doc, (size_t)sqlite3_column_bytes(stmt, 0))) {
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
    cm_sqlb_finish(&b);
    cm_sqlb_finish(&w);
    cm_buf_finish(&pat);
    cm_json_doc_finish(&tape);
    return rc;
}
