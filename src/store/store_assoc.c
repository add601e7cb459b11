/*
 * associatedAttackSequenceArn on stored findings: when a batch stores an
 * attack sequence, every stored finding its signals name is marked as its
 * member (spec §2.1), whichever scan stored it. The scan marks the members it
 * holds itself (cm_agg_link_sequences); this reaches the ones an earlier scan
 * stored, so hourly scans store what one scan of the same logs does. Of two
 * sequences naming a finding the lower ARN wins (cm_finding_associate), the
 * same whichever came first. The document is changed in place; updatedAt
 * stays (no new activity), and the change is published as an update is: held
 * for the publishing frequency (docs/internals/bus.md), unless archived.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <string.h>

#include "base/err.h"
#include "finding/finding.h"

enum { A_SET, A_ARCHIVED, A_HOLD, NA };

static const char *const asqls[NA] = {
    "UPDATE finding_docs SET doc = json_set(doc, '$.associatedAttackSequenceArn', ?2)"
    " WHERE seq = ?1 AND (json_extract(doc, '$.associatedAttackSequenceArn') IS NULL"
    " OR json_extract(doc, '$.associatedAttackSequenceArn') > ?2)",
    "SELECT archived FROM findings WHERE seq = ?1",
    "INSERT OR IGNORE INTO outbox_held(fid, since_ms) VALUES (?1, ?2)",
};

struct assoc {
    sqlite3 *db;
    sqlite3_stmt *q[NA];
    const struct cm_finding *seq; /* the sequence whose members are marked */
    bool publishing;
    int64_t now_ms;
};

/* Runs q once (bound already); *changed: rows it changed. Resets q. */
static int run(struct assoc *a, sqlite3_stmt *q, int *changed)
{
    int rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;

    if (changed != NULL) {
        *changed = rc == CM_OK ? sqlite3_changes(a->db) : 0;
    }
    sqlite3_reset(q);
    return rc;
}

static int link_member(void *ud, const char *id)
{
    struct assoc *a = ud;
    const struct cm_str arn = a->seq->arn;
    int64_t seq;
    int changed = 0, rc;

    if ((rc = cm_store_seq_of(a->db, id, &seq)) != CM_OK || seq == 0 ||
        strcmp(id, a->seq->id) == 0) {
        return rc;
    }
    sqlite3_bind_int64(a->q[A_SET], 1, seq);
    sqlite3_bind_text(a->q[A_SET], 2, arn.p, (int)arn.len, SQLITE_STATIC);
    if ((rc = run(a, a->q[A_SET], &changed)) != CM_OK || changed == 0) {
        return rc;
    }
    if (!a->publishing) {
        return CM_OK;
    }
    sqlite3_bind_int64(a->q[A_ARCHIVED], 1, seq);
    if (sqlite3_step(a->q[A_ARCHIVED]) != SQLITE_ROW) {
        sqlite3_reset(a->q[A_ARCHIVED]);
        return CM_EIO;
    }
    changed = sqlite3_column_int(a->q[A_ARCHIVED], 0); /* archived: never published */
    sqlite3_reset(a->q[A_ARCHIVED]);
    if (changed) {
        return CM_OK;
    }
    sqlite3_bind_int64(a->q[A_HOLD], 1, seq);
    sqlite3_bind_int64(a->q[A_HOLD], 2, a->now_ms);
    return run(a, a->q[A_HOLD], NULL);
}

int cm_store_link_sequences(sqlite3 *db, const struct cm_store_put *v, size_t n, bool publishing,
                            int64_t now_ms)
{
    struct assoc a = {db, {NULL}, NULL, publishing, now_ms};
    int rc = CM_OK;

    for (size_t i = 0; i < n && rc == CM_OK; i++) {
        if (!cm_str_starts(v[i].f->type, "AttackSequence:") || !cm_str_present(v[i].f->arn)) {
            continue;
        }
        for (int k = 0; k < NA && rc == CM_OK; k++) {
            if (a.q[k] == NULL &&
                sqlite3_prepare_v2(db, asqls[k], -1, &a.q[k], NULL) != SQLITE_OK) {
                rc = CM_EIO;
            }
        }
        a.seq = v[i].f;
        rc = rc ? rc : cm_finding_sequence_members(v[i].f, link_member, &a);
    }
    for (int k = 0; k < NA; k++) {
        sqlite3_finalize(a.q[k]);
    }
    return rc;
}
