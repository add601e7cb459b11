/*
 * Findings in the SQLite store (see store.h): an upsert by identity that
 * merges a repeat into the stored finding the way lib/finding/aggregate.c
 * merges repeats in memory, in one transaction with the statements prepared
 * once per batch.
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
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/time.h"
#include "finding/serialize.h"

enum { Q_SELECT, Q_UPSERT, Q_DEL_EV, Q_INS_EV, NQ };

static const char *const sqls[NQ] = {
    "SELECT doc, archived FROM findings WHERE id = ?",
    "INSERT INTO findings(id, type, severity, account_id, region, resource_type, resource_id,"
    " created_at, updated_at, first_seen, last_seen, count, archived, doc)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT(id) DO UPDATE SET type = excluded.type, severity = excluded.severity,"
    " account_id = excluded.account_id, region = excluded.region,"
    " resource_type = excluded.resource_type, resource_id = excluded.resource_id,"
    " created_at = excluded.created_at, updated_at = excluded.updated_at,"
    " first_seen = excluded.first_seen, last_seen = excluded.last_seen,"
    " count = excluded.count, archived = excluded.archived, doc = excluded.doc",
    "DELETE FROM finding_evidence WHERE finding_id = ?",
    "INSERT INTO finding_evidence(finding_id, seq, path, offset, line, length)"
    " VALUES (?,?,?,?,?,?)",
};

/* One batch: the connection, its prepared statements and a document buffer. */
struct put {
    sqlite3 *db;
    sqlite3_stmt *q[NQ];
    struct cm_buf doc;
    char msg[256]; /* SQLite's message at the first failing step */
};

static void bind_str(sqlite3_stmt *q, int i, struct cm_str s)
{
    if (s.p) {
        sqlite3_bind_text(q, i, s.p, (int)s.len, SQLITE_TRANSIENT);
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

/* Replaces the evidence rows of f->id by f's evidence. */
static int write_evidence(struct put *p, const struct cm_finding *f)
{
    sqlite3_stmt *q = p->q[Q_INS_EV];
    int rc;

    sqlite3_bind_text(p->q[Q_DEL_EV], 1, f->id, -1, SQLITE_TRANSIENT);
    rc = step_done(p, p->q[Q_DEL_EV]);
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

/* Writes f's row (insert or overwrite) and its evidence rows. */
static int write_row(struct put *p, const struct cm_finding *f)
{
    sqlite3_stmt *q = p->q[Q_UPSERT];
    struct cm_str resource, actor;
    const char *rtype;
    int rc;

    cm_buf_reset(&p->doc);
    if ((rc = cm_finding_to_json(f, CM_FORM_API, &p->doc)) != 0) {
        return rc;
    }
    cm_finding_identity(f, &resource, &actor);
    rtype = f->resource_type != CM_RES_NONE ? cm_resource_type_name(f->resource_type) : NULL;
    sqlite3_bind_text(q, 1, f->id, -1, SQLITE_TRANSIENT);
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
    sqlite3_bind_int(q, 13, f->archived ? 1 : 0);
    sqlite3_bind_text(q, 14, p->doc.p, (int)p->doc.len, SQLITE_TRANSIENT);
    if ((rc = step_done(p, q)) != 0) {
        return rc;
    }
    return write_evidence(p, f);
}

/* Folds f into the stored finding with the same id (document doc), then writes the result. */
static int put_repeat(struct put *p, const struct cm_finding *f, const char *doc, size_t len,
                      int archived)
{
    struct cm_finding old, nf;
    int rc;

    cm_finding_init(&old);
    cm_finding_init(&nf);
    rc = cm_finding_from_json(&old, doc, len, NULL);
    if (rc == 0) {
        cm_buf_reset(&p->doc);
        rc = cm_finding_to_json(f, CM_FORM_API, &p->doc);
    }
    if (rc == 0) {
        rc = cm_finding_from_json(&nf, p->doc.p, p->doc.len, NULL);
    }
    if (rc == 0) {
        rc = cm_finding_merge(&nf, &old);
    }
    if (rc == 0) {
        nf.archived = archived != 0;
        rc = write_row(p, &nf);
    }
    cm_finding_finish(&nf);
    cm_finding_finish(&old);
    return rc;
}

/* Inserts f, or merges it into the stored finding with its id. */
static int put_one(struct put *p, const struct cm_finding *f)
{
    sqlite3_stmt *q = p->q[Q_SELECT];
    int rc, step;

    sqlite3_bind_text(q, 1, f->id, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *doc = (const char *)sqlite3_column_text(q, 0);
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        rc = doc ? put_repeat(p, f, doc, len, sqlite3_column_int(q, 1)) : CM_EIO;
    } else if (step == SQLITE_DONE) {
        rc = write_row(p, f);
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
}

int cm_store_put_findings(struct cm_store *st, struct cm_finding *const *f, size_t n, char *err,
                          size_t errlen)
{
    struct put p;
    size_t i = 0;
    int rc = CM_OK;

    memset(&p, 0, sizeof(p));
    p.db = cm_store_db(st);
    cm_buf_init(&p.doc, 0);
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
    for (i = 0; i < n && rc == 0; i++) {
        rc = put_one(&p, f[i]);
    }
    if (rc != 0) {
        snprintf(err, errlen, "storing finding %s: %s", f[i - 1]->id,
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
    return rc == 0 || rc == CM_ENOMEM ? rc : CM_EIO;
}

int cm_store_count_findings(struct cm_store *st, int64_t *n)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO;

    if (sqlite3_prepare_v2(cm_store_db(st), "SELECT count(*) FROM findings", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW) {
        *n = (int64_t)sqlite3_column_int64(q, 0);
        rc = CM_OK;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_get_finding(struct cm_store *st, const char *id, struct cm_finding *out)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    if (sqlite3_prepare_v2(cm_store_db(st), "SELECT doc FROM findings WHERE id = ?", -1, &q,
                           NULL) != SQLITE_OK) {
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
