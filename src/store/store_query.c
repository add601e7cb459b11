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
static int put_after(sqlite3 *db, struct cm_sqlb *b, const struct cm_store_query *q, char *err,
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
        cm_sqlb_put(b, k ? " OR (" : " AND (");
        cm_sqlb_put(b, col);
        cm_sqlb_put(b, k ? " = " : cmp);
        cm_sqlb_put(b, "(SELECT ");
        cm_sqlb_put(b, col);
        cm_sqlb_put(b, " FROM findings WHERE seq = ");
        cm_sqlb_put_int(b, seq);
        cm_sqlb_put(b, ")");
    }
    cm_sqlb_put(b, " AND id");
    cm_sqlb_put(b, cmp);
    cm_sqlb_put_own_text(b, id);
    cm_sqlb_put(b, "))");
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
    struct cm_sqlb b;
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
    cm_sqlb_init(&b);
    cm_buf_init(&pat, 0);
    cm_json_doc_init(&tape, 0, 0);
    /* Conditions on findings columns are checked before the document is looked up. */
    cm_sqlb_put(&b,
                "SELECT id, doc, seq FROM findings CROSS JOIN finding_docs USING (seq) WHERE 1");
    cm_sqlb_put_where(&b, q, &pat);
    if (q->next_token && *q->next_token && (rc = put_after(db, &b, q, err, errlen)) != 0) {
        goto done;
    }
    cm_sqlb_put(&b, " ORDER BY ");
    cm_sqlb_put(&b, sorts[q->sort].column);
    cm_sqlb_put(&b, dir);
    cm_sqlb_put(&b, ", id");
    cm_sqlb_put(&b, dir);
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
    cm_sqlb_finish(&b);
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
    if (b.err == 0 && w.err == 0 && cm_buf_append(&b.sql, w.sql.p, w.sql.len) != 0) {
        b.err = CM_ENOMEM;
    }
    b.err = b.err ? b.err : w.err;
    b.residual = w.residual;
    b.v = w.v;
    b.n = w.n;
    b.cap = w.cap;
    w.v = NULL;
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
