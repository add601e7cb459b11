/*
 * The changes users make to stored findings (see store.h): archive and
 * unarchive, feedback, and reading a finding's evidence rows. Each change
 * finds the finding's row by its id (finding_seq, store_ids.c) and rewrites
 * the column and the document together (json_set), all ids in one
 * transaction, so one unknown id changes nothing.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"
#include "core/clock.h"

/* One statement of a change: its first parameter is the finding's seq, bind() binds the others. */
struct change {
    const char *sql;
    void (*bind)(sqlite3_stmt *, const void *);
};

#define MAX_CHANGES 4 /* the statements of one change, at most (set_archived has 4) */

/*
 * Runs the nch statements of ch for every id, all in one transaction; an id
 * that is not stored rolls everything back.
 */
static int update_each(struct cm_store *st, const struct change *ch, size_t nch,
                       const char *const *ids, size_t n, const void *arg, char *err, size_t errlen)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q[MAX_CHANGES] = {NULL};
    int64_t seq;
    int rc = CM_OK;

    if (nch > MAX_CHANGES) {
        snprintf(err, errlen, "internal: %zu statements per change (at most %d)", nch, MAX_CHANGES);
        return CM_EINVAL;
    }
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return CM_EIO;
    }
    for (size_t k = 0; k < nch && rc == 0; k++) {
        if (sqlite3_prepare_v2(db, ch[k].sql, -1, &q[k], NULL) != SQLITE_OK) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
            rc = CM_EIO;
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (cm_store_seq_of(db, ids[i], &seq) != 0) {
            snprintf(err, errlen, "%s", sqlite3_errmsg(db));
            rc = CM_EIO;
        } else if (seq == 0) {
            snprintf(err, errlen, "no finding with id %s", ids[i]);
            rc = CM_ENOTFOUND;
        }
        for (size_t k = 0; k < nch && rc == 0; k++) {
            sqlite3_bind_int64(q[k], 1, seq);
            ch[k].bind(q[k], arg);
            if (sqlite3_step(q[k]) != SQLITE_DONE) {
                snprintf(err, errlen, "%s", sqlite3_errmsg(db));
                rc = CM_EIO;
            }
            sqlite3_reset(q[k]);
        }
    }
    for (size_t k = 0; k < nch; k++) {
        sqlite3_finalize(q[k]);
    }
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        rc = CM_EIO;
    }
    if (rc != 0) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

struct archiving {
    bool on;
    int64_t now_ms;
};

static void bind_archived(sqlite3_stmt *q, const void *arg)
{
    const struct archiving *a = arg;

    sqlite3_bind_int(q, 2, a->on ? 1 : 0);
    sqlite3_bind_text(q, 3, a->on ? "true" : "false", -1, SQLITE_STATIC);
}

static void bind_held(sqlite3_stmt *q, const void *arg)
{
    const struct archiving *a = arg;

    sqlite3_bind_int(q, 2, a->on ? 1 : 0);
    sqlite3_bind_int64(q, 3, a->now_ms);
}

int cm_store_set_archived(struct cm_store *st, const char *const *ids, size_t n, bool archived,
                          char *err, size_t errlen)
{
    /*
     * The document says the same as the column: service.archived is rewritten in place.
     * An archived finding brought back is published at the end of the publishing
     * interval (spec §3.4, "an unarchived finding is exported at the next interval"),
     * when some rule is enabled, as an update is: held first, while it is still archived.
     * It is sent to every target again, the ones that took its state before included: the
     * state each target last took is forgotten (delivered_state, docs/internals/bus.md).
     */
    static const struct change ch[4] = {
        {"INSERT OR IGNORE INTO outbox_held(fid, since_ms) SELECT seq, ?3 FROM findings"
         " WHERE seq = ?1 AND archived AND NOT ?2 AND (EXISTS (SELECT 1 FROM rules WHERE enabled)"
         " OR EXISTS (SELECT 1 FROM publishing_destinations))",
         bind_held},
        {"UPDATE findings SET archived = ?2 WHERE seq = ?1", bind_archived},
        {"UPDATE finding_docs SET doc = json_set(doc, '$.service.archived', json(?3))"
         " WHERE seq = ?1",
         bind_archived},
        {"DELETE FROM delivered_state WHERE fid = ?1 AND NOT ?2 AND ?3 IS NOT NULL", bind_held},
    };
    struct archiving a = {archived, cm_clock_now_ms()};

    return update_each(st, ch, 4, ids, n, &a, err, errlen);
}

struct feedback {
    const char *value, *comments, *when;
};

static void bind_feedback(sqlite3_stmt *q, const void *arg)
{
    const struct feedback *fb = arg;

    sqlite3_bind_text(q, 2, fb->value, -1, SQLITE_STATIC);
    if (fb->comments) {
        sqlite3_bind_text(q, 3, fb->comments, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(q, 3);
    }
    sqlite3_bind_text(q, 4, fb->when, -1, SQLITE_STATIC);
}

static void bind_feedback_doc(sqlite3_stmt *q, const void *arg)
{
    sqlite3_bind_text(q, 2, ((const struct feedback *)arg)->value, -1, SQLITE_STATIC);
}

int cm_store_set_feedback(struct cm_store *st, const char *const *ids, size_t n,
                          const char *feedback, const char *comments, char *err, size_t errlen)
{
    static const struct change ch[2] = {
        {"UPDATE finding_docs SET doc = json_set(doc, '$.service.userFeedback', ?2)"
         " WHERE seq = ?1",
         bind_feedback_doc},
        {"INSERT OR REPLACE INTO finding_feedback(fid, feedback, comments, at)"
         " VALUES (?1, ?2, ?3, ?4)",
         bind_feedback},
    };
    struct feedback fb = {feedback, comments, NULL};
    char when[32];

    if (feedback == NULL || (strcmp(feedback, "USEFUL") != 0 && strcmp(feedback, "NOT_USEFUL"))) {
        snprintf(err, errlen, "feedback must be USEFUL or NOT_USEFUL, not '%s'",
                 feedback ? feedback : "");
        return CM_EINVAL;
    }
    cm_time_format_iso(cm_clock_now_ms(), when, sizeof(when));
    fb.when = when;
    return update_each(st, ch, 2, ids, n, &fb, err, errlen);
}

int cm_store_evidence(struct cm_store *st, const char *id, cm_store_evidence_fn fn, void *ud)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int64_t seq;
    int rc = CM_OK, step;

    if (cm_store_seq_of(db, id, &seq) != 0) {
        return CM_EIO;
    }
    if (seq == 0) {
        return CM_ENOTFOUND;
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT path, offset, line, length FROM finding_sources"
                           " WHERE fid = ? ORDER BY n",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_int64(q, 1, seq);
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        rc = fn(ud, (const char *)sqlite3_column_text(q, 0), (uint64_t)sqlite3_column_int64(q, 1),
                (uint32_t)sqlite3_column_int64(q, 2), (uint32_t)sqlite3_column_int64(q, 3));
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_input_size(struct cm_store *st, const char *path, uint64_t *size)
{
    sqlite3 *db = cm_store_db(st);
    sqlite3_stmt *q = NULL;
    int rc, step;

    if (sqlite3_prepare_v2(db,
                           "SELECT size FROM inputs WHERE path = ?"
                           " ORDER BY scan_id DESC, seq DESC LIMIT 1",
                           -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        *size = (uint64_t)sqlite3_column_int64(q, 0);
        rc = CM_OK;
    } else {
        rc = step == SQLITE_DONE ? CM_ENOTFOUND : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}
