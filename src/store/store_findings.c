/*
 * Findings in the SQLite store (see store.h): an upsert by identity that
 * counts each underlying event once and merges a repeat into the stored
 * finding the way lib/finding/aggregate.c merges repeats in memory, applies
 * the store's ARCHIVE filters, all in one transaction with the statements
 * prepared once per batch.
 *
 * A repeat is merged on struct cm_finding: the stored document is parsed
 * back, the new finding is copied (through its API JSON, since a finding
 * cannot be copied by value) and the copy takes the stored history.
 */
#include "store/store.h"

#include "finding/aggregate.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/time.h"
#include "finding/serialize.h"

enum { Q_SELECT, Q_INSERT, Q_UPDATE, Q_DOC_INS, Q_DOC_UPD, Q_EVENT, Q_DEL_EV, Q_INS_EV, NQ };

static const char *const sqls[NQ] = {
    "SELECT f.seq, d.doc, f.archived, f.count FROM findings f"
    " JOIN finding_docs d ON d.seq = f.seq WHERE f.id = ?",
    "INSERT INTO findings(id, type, severity, account_id, region, resource_type, resource_id,"
    " created_at, updated_at, first_seen, last_seen, count, archived)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    "UPDATE findings SET type = ?2, severity = ?3, account_id = ?4, region = ?5,"
    " resource_type = ?6, resource_id = ?7, created_at = ?8, updated_at = ?9,"
    " first_seen = ?10, last_seen = ?11, count = ?12, archived = ?13 WHERE id = ?1",
    "INSERT INTO finding_docs(seq, doc) VALUES (?1, ?2)",
    "UPDATE finding_docs SET doc = ?2 WHERE seq = ?1",
    "INSERT OR IGNORE INTO finding_events(fid, key, n) VALUES (?,?,?)",
    "DELETE FROM finding_evidence WHERE finding_id = ?",
    "INSERT INTO finding_evidence(finding_id, seq, path, offset, line, length)"
    " VALUES (?,?,?,?,?,?)",
};

/* One batch: the connection, its prepared statements, the filters and buffers. */
struct put {
    sqlite3 *db;
    sqlite3_stmt *q[NQ];
    struct cm_buf doc;
    struct cm_filterset *filters; /* the store's: the rule names outlive the batch */
    bool archiving;               /* some filter archives */
    struct cm_json_doc tape;      /* a document parsed for the filters */
    char msg[256];                /* SQLite's message at the first failing step */
};

/*
 * Strings are bound SQLITE_STATIC: they belong to the finding or the batch's
 * document buffer, which outlive the step, and every parameter is bound again
 * before the next one (copying a 2 KB document per row was measurable).
 */
static void bind_str(sqlite3_stmt *q, int i, struct cm_str s)
{
    if (s.p) {
        sqlite3_bind_text(q, i, s.p, (int)s.len, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(q, i);
    }
}

/* Binds a time as ISO 8601 text; 0 (absent) as NULL. */
static void bind_time(sqlite3_stmt *q, int i, int64_t ms)
{
    char when[32];

    if (ms == 0) {
        sqlite3_bind_null(q, i);
        return;
    }
    cm_time_format_iso(ms, when, sizeof(when));
    sqlite3_bind_text(q, i, when, -1, SQLITE_TRANSIENT);
}

/* Runs a bound statement that returns no rows and resets it; keeps the message of a failure. */
static int step_done(struct put *p, sqlite3_stmt *q)
{
    int rc = CM_OK;

    if (sqlite3_step(q) != SQLITE_DONE) {
        snprintf(p->msg, sizeof(p->msg), "%s", sqlite3_errmsg(p->db));
        rc = CM_EIO;
    }
    sqlite3_reset(q);
    return rc;
}

/* Replaces the evidence rows of f->id by f's evidence (a new finding has none to delete). */
static int write_evidence(struct put *p, const struct cm_finding *f, bool is_new)
{
    sqlite3_stmt *q = p->q[Q_INS_EV];
    int rc = CM_OK;

    if (!is_new) {
        sqlite3_bind_text(p->q[Q_DEL_EV], 1, f->id, -1, SQLITE_TRANSIENT);
        rc = step_done(p, p->q[Q_DEL_EV]);
    }
    for (uint32_t i = 0; rc == 0 && i < f->nevidence; i++) {
        const struct cm_finding_evidence *e = &f->evidence[i];
        sqlite3_bind_text(q, 1, f->id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        bind_str(q, 3, e->file);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)e->ref.offset);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)e->ref.line);
        sqlite3_bind_int64(q, 6, (sqlite3_int64)e->ref.length);
        rc = step_done(p, q);
    }
    return rc;
}

/*
 * Serialises f into p->doc, archived when it was or when an ARCHIVE filter
 * matches it (f->archived is set for the write and restored). *rule gets the
 * matching filter's name.
 */
static int make_doc(struct put *p, struct cm_finding *f, bool *archived, const char **rule)
{
    const struct cm_filter *match = NULL;
    bool was = f->archived;
    int rc;

    cm_buf_reset(&p->doc);
    if ((rc = cm_finding_to_json(f, CM_FORM_API, &p->doc)) != 0) {
        return rc;
    }
    *archived = was;
    *rule = NULL;
    if (!p->archiving || cm_json_parse(&p->tape, p->doc.p, p->doc.len, NULL) != 0 ||
        !cm_filterset_apply(p->filters, &p->tape, 0, &match)) {
        return CM_OK;
    }
    *rule = match ? match->name : NULL;
    *archived = true;
    if (was) {
        return CM_OK;
    }
    f->archived = true;
    cm_buf_reset(&p->doc);
    rc = cm_finding_to_json(f, CM_FORM_API, &p->doc);
    f->archived = was;
    return rc;
}

/*
 * Writes f's row (insert when is_new, else update), its document from
 * p->doc and its evidence rows. *seq is the row's key: set for an insert,
 * given for an update.
 */
static int write_row(struct put *p, const struct cm_finding *f, bool is_new, bool archived,
                     int64_t *seq)
{
    sqlite3_stmt *q = p->q[is_new ? Q_INSERT : Q_UPDATE];
    struct cm_str resource, actor;
    const char *rtype;
    int rc;

    cm_finding_identity(f, &resource, &actor);
    rtype = f->resource_type != CM_RES_NONE ? cm_resource_type_name(f->resource_type) : NULL;
    sqlite3_bind_text(q, 1, f->id, -1, SQLITE_STATIC);
    bind_str(q, 2, f->type);
    sqlite3_bind_double(q, 3, f->severity);
    bind_str(q, 4, f->account_id);
    bind_str(q, 5, f->region);
    bind_str(q, 6, cm_str_cstr(rtype));
    bind_str(q, 7, resource);
    bind_time(q, 8, f->created_ms);
    bind_time(q, 9, f->updated_ms);
    bind_time(q, 10, f->first_seen_ms);
    bind_time(q, 11, f->last_seen_ms);
    sqlite3_bind_int64(q, 12, (sqlite3_int64)f->count);
    sqlite3_bind_int(q, 13, archived ? 1 : 0);
    if ((rc = step_done(p, q)) != 0) {
        return rc;
    }
    /* Read before the evidence rows are inserted: they move the last rowid too. */
    if (is_new) {
        *seq = (int64_t)sqlite3_last_insert_rowid(p->db);
    }
    q = p->q[is_new ? Q_DOC_INS : Q_DOC_UPD];
    sqlite3_bind_int64(q, 1, *seq);
    sqlite3_bind_text(q, 2, p->doc.p, (int)p->doc.len, SQLITE_STATIC);
    if ((rc = step_done(p, q)) != 0) {
        return rc;
    }
    return write_evidence(p, f, is_new);
}

/*
 * Records the events of it under finding seq. *added gets the sum of the
 * counts of those not stored before. Without events, the finding's count.
 */
static int add_events(struct put *p, int64_t seq, const struct cm_store_put *it, uint32_t *added)
{
    sqlite3_stmt *q = p->q[Q_EVENT];
    uint64_t sum = 0;
    int rc = CM_OK;

    if (it->events == NULL) {
        *added = it->f->count ? it->f->count : 1;
        return CM_OK;
    }
    for (size_t i = 0; i < it->nevents && rc == 0; i++) {
        sqlite3_bind_int64(q, 1, seq);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)it->events[i].key);
        sqlite3_bind_int64(q, 3, (sqlite3_int64)it->events[i].count);
        if ((rc = step_done(p, q)) == 0 && sqlite3_changes(p->db) > 0) {
            sum += it->events[i].count;
        }
    }
    *added = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
    return rc;
}

/* Folds it->f (counting only added events) into the stored finding doc, then writes the result. */
static int put_repeat(struct put *p, struct cm_store_put *it, int64_t seq, const char *doc,
                      size_t len, bool archived)
{
    struct cm_finding old, nf;
    int rc;

    cm_finding_init(&old);
    cm_finding_init(&nf);
    rc = cm_finding_from_json(&old, doc, len, NULL);
    if (rc == 0) {
        cm_buf_reset(&p->doc);
        rc = cm_finding_to_json(it->f, CM_FORM_API, &p->doc);
    }
    if (rc == 0) {
        rc = cm_finding_from_json(&nf, p->doc.p, p->doc.len, NULL);
    }
    if (rc == 0) {
        nf.count = it->added;
        rc = cm_finding_merge(&nf, &old);
    }
    if (rc == 0) {
        nf.archived = archived;
        rc = make_doc(p, &nf, &it->archived, &it->rule);
    }
    if (rc == 0) {
        it->count = nf.count;
        rc = write_row(p, &nf, false, it->archived, &seq);
    }
    cm_finding_finish(&nf);
    cm_finding_finish(&old);
    return rc;
}

/*
 * Inserts a new finding with its events. When the events are known they
 * decide the count, as they do for a repeat (a key listed twice counts
 * once): if their sum differs from f->count the row is written again with
 * that count (f->count is set for the write and restored).
 */
static int put_new(struct put *p, struct cm_store_put *it)
{
    uint32_t count = it->f->count;
    int64_t seq = 0;
    int rc = make_doc(p, it->f, &it->archived, &it->rule);

    if (rc == 0) {
        rc = write_row(p, it->f, true, it->archived, &seq);
    }
    if (rc == 0) {
        rc = add_events(p, seq, it, &it->added);
    }
    if (rc == 0 && it->events != NULL && it->added > 0 && it->added != count) {
        it->f->count = it->added;
        rc = make_doc(p, it->f, &it->archived, &it->rule);
        if (rc == 0) {
            rc = write_row(p, it->f, false, it->archived, &seq);
        }
        it->f->count = count;
        count = it->added;
    }
    it->is_new = true;
    it->changed = true;
    it->count = count;
    return rc;
}

/* Inserts it->f, or counts its new events into the stored finding with its id. */
static int put_one(struct put *p, struct cm_store_put *it)
{
    sqlite3_stmt *q = p->q[Q_SELECT];
    int rc = CM_OK, step;

    it->is_new = it->changed = it->archived = false;
    it->added = it->count = 0;
    it->rule = NULL;
    sqlite3_bind_text(q, 1, it->f->id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        int64_t seq = (int64_t)sqlite3_column_int64(q, 0);
        const char *doc = (const char *)sqlite3_column_text(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1);
        bool archived = sqlite3_column_int(q, 2) != 0;
        it->archived = archived;
        it->count = (uint32_t)sqlite3_column_int64(q, 3);
        rc = doc ? add_events(p, seq, it, &it->added) : CM_EIO;
        if (rc == 0 && it->added > 0) {
            it->changed = true;
            rc = put_repeat(p, it, seq, doc, len, archived);
        }
    } else if (step == SQLITE_DONE) {
        sqlite3_reset(q);
        return put_new(p, it);
    } else {
        snprintf(p->msg, sizeof(p->msg), "%s", sqlite3_errmsg(p->db));
        rc = CM_EIO;
    }
    sqlite3_reset(q);
    return rc;
}

static void put_finish(struct put *p)
{
    for (int i = 0; i < NQ; i++) {
        sqlite3_finalize(p->q[i]);
    }
    cm_buf_finish(&p->doc);
    cm_json_doc_finish(&p->tape);
}

static int by_id(const void *a, const void *b)
{
    const struct cm_store_put *x = *(struct cm_store_put *const *)a;
    const struct cm_store_put *y = *(struct cm_store_put *const *)b;

    return strcmp(x->f->id, y->f->id);
}

int cm_store_put_findings(struct cm_store *st, struct cm_store_put *v, size_t n, char *err,
                          size_t errlen)
{
    struct cm_store_put **order = NULL;
    struct put p;
    size_t i = 0;
    int rc = CM_OK;

    memset(&p, 0, sizeof(p));
    p.db = cm_store_db(st);
    cm_buf_init(&p.doc, 0);
    /* The previous batch's filters (and the rule names pointing into them) go now. */
    p.filters = cm_store_put_filters(st);
    cm_filterset_finish(p.filters);
    cm_filterset_init(p.filters);
    cm_json_doc_init(&p.tape, 0, 0);
    for (int k = 0; k < NQ && rc == 0; k++) {
        if (sqlite3_prepare_v2(p.db, sqls[k], -1, &p.q[k], NULL) != SQLITE_OK) {
            rc = CM_EIO;
        }
    }
    if (rc == 0 && sqlite3_exec(p.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = CM_EIO;
    }
    if (rc != 0) {
        snprintf(err, errlen, "storing findings: %s", sqlite3_errmsg(p.db));
        put_finish(&p);
        return rc;
    }
    /* Read inside the transaction: the filters are the ones this write sees. */
    if ((rc = cm_store_filters_load(st, p.filters, err, errlen)) != 0) {
        (void)sqlite3_exec(p.db, "ROLLBACK", NULL, NULL, NULL);
        put_finish(&p);
        return rc;
    }
    for (size_t k = 0; k < p.filters->n; k++) {
        p.archiving |= p.filters->v[k]->action == CM_FILTER_ARCHIVE;
    }
    /*
     * In id order: the id index is the one B-tree whose keys are random, and
     * visiting it in order touches each of its pages once per batch.
     */
    order = cm_malloc((n ? n : 1) * sizeof(*order));
    if (order == NULL) {
        rc = CM_ENOMEM;
    }
    for (i = 0; rc == 0 && i < n; i++) {
        order[i] = &v[i];
    }
    if (rc == 0) {
        qsort(order, n, sizeof(*order), by_id);
    }
    for (i = 0; i < n && rc == 0; i++) {
        rc = put_one(&p, order[i]);
    }
    if (rc != 0) {
        snprintf(err, errlen, "storing finding %s: %s", i ? order[i - 1]->f->id : "-",
                 rc == CM_EIO && p.msg[0] ? p.msg : cm_strerror(rc));
    } else if (sqlite3_exec(p.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "storing findings: %s", sqlite3_errmsg(p.db));
        rc = CM_EIO;
    }
    if (rc != 0) {
        /* Best effort: the error that made us roll back is the one reported. */
        (void)sqlite3_exec(p.db, "ROLLBACK", NULL, NULL, NULL);
    }
    put_finish(&p);
    cm_free(order);
    return rc == 0 || rc == CM_ENOMEM ? rc : CM_EIO;
}

int cm_store_count_findings(struct cm_store *st, int64_t *n)
{
    int64_t v = cm_store_int(cm_store_db(st), "SELECT count(*) FROM findings", NULL);

    if (v < 0) {
        return CM_EIO;
    }
    *n = v;
    return CM_OK;
}

int cm_store_get_finding(struct cm_store *st, const char *id, struct cm_finding *out)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(cm_store_db(st),
                           "SELECT d.doc FROM findings f JOIN finding_docs d ON d.seq = f.seq"
                           " WHERE f.id = ?",
                           -1, &q, NULL) != SQLITE_OK) {
        sqlite3_finalize(q);
        return CM_EIO;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_text(q, 0);
        rc =
            doc ? cm_finding_from_json(out, doc, (size_t)sqlite3_column_bytes(q, 0), NULL) : CM_EIO;
    } else if (step == SQLITE_DONE) {
        rc = CM_ENOTFOUND;
    }
    sqlite3_finalize(q);
    return rc;
}
