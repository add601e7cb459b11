/*
 * Finding ids in the store (see store_impl.h and docs/internals/store.md,
 * "Finding ids"): which row (findings.seq) holds a finding id.
 *
 * A finding id is 128 random-looking bits, so a B-tree keyed by it takes
 * each new finding on a random leaf, and a batch of a few thousand findings
 * dirties about as many pages as it has findings (the unique index on
 * findings.id of schema 3 cost more than everything else a new finding
 * writes). The store keeps ids in two narrow tables instead, keyed by the
 * id's 60-bit key (cm_store_id_key: its first 15 hex digits):
 *
 *   finding_ids         (h, seq) WITHOUT ROWID: the ids folded so far;
 *   finding_ids_recent  (seq INTEGER PRIMARY KEY, h): the ids written since,
 *                       appended in seq order (the rightmost leaf only).
 *
 * Readers look a key up in both (the view finding_seq): a B-tree probe and a
 * scan of the recent rows, which are few (at most about a quarter of the
 * store, or FOLD_MIN) and 10-odd bytes each; a key is not proof, so the
 * row's id is compared. When the recent rows pass that share, the writer
 * folds them into finding_ids in one pass in key order (every leaf written
 * once per fold instead of once per batch).
 *
 * The writer reads neither table per finding: it keeps every key in memory
 * (struct cm_store_ids: open addressing over (key, seq) slots, 16 bytes each,
 * at most half full; 32 MB for a million findings), loaded at its first
 * write and whenever another connection has written since (PRAGMA
 * data_version changes only for other connections' commits).
 */
#include "store/store_impl.h"

#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/hash.h"

#define ID_SEED     0x636f616c69647321ULL /* fixed: keys are stored */
#define FIRST_CAP   1024
#define FOLD_MIN    262144 /* recent rows before a fold is considered */
#define FOLD_SHARE  4      /* ... and at least this fraction of the store */
#define PRESIZE_MAX ((int64_t)1 << 26)
#define HEX_DIGITS  15 /* 60 bits: a key is a positive int64 */

int64_t cm_store_id_key(const char *id)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t v = 0;
    size_t n = strlen(id);

    if (n == CM_FINDING_ID_LEN && strspn(id, hex) == n) {
        for (int i = 0; i < HEX_DIGITS; i++) {
            v = v << 4 | (uint64_t)(strchr(hex, id[i]) - hex);
        }
        return (int64_t)v;
    }
    /* Any other id (never made by coalmine): a hash, above every hex key. */
    return (int64_t)(((uint64_t)1 << 60) | (cm_hash64(id, n, ID_SEED) >> 4));
}

/* SQL function coalmine_id_key(id) for migrations and the store's own statements. */
static void sql_id_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *id = sqlite3_value_text(argv[0]);

    (void)argc;
    if (id == NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_int64(ctx, cm_store_id_key((const char *)id));
}

int cm_store_id_key_register(sqlite3 *db)
{
    return sqlite3_create_function_v2(db, "coalmine_id_key", 1,
                                      SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                      sql_id_key, NULL, NULL, NULL) == SQLITE_OK
               ? CM_OK
               : CM_EIO;
}

void cm_store_ids_init(struct cm_store_ids *m)
{
    memset(m, 0, sizeof(*m));
}

void cm_store_ids_finish(struct cm_store_ids *m)
{
    cm_free(m->slot);
    memset(m, 0, sizeof(*m));
}

void cm_store_ids_reset(struct cm_store_ids *m)
{
    if (m->slot) {
        memset(m->slot, 0, m->cap * sizeof(*m->slot));
    }
    m->n = 0;
    m->recent = 0;
    m->loaded = false;
}

static size_t home(int64_t key, size_t cap)
{
    return (size_t)cm_hash_mix64((uint64_t)key) & (cap - 1);
}

static void place(struct cm_store_id_slot *slot, size_t cap, int64_t key, int64_t seq)
{
    size_t i = home(key, cap);

    while (slot[i].seq != 0) {
        i = (i + 1) & (cap - 1);
    }
    slot[i].key = key;
    slot[i].seq = seq;
}

/* Makes room for need entries at most half full. */
static int reserve(struct cm_store_ids *m, size_t need)
{
    struct cm_store_id_slot *s;
    size_t cap = m->cap ? m->cap : FIRST_CAP;

    while (need > cap / 2) {
        if (cap > SIZE_MAX / 2 / sizeof(*s)) {
            return CM_ENOMEM;
        }
        cap *= 2;
    }
    if (cap == m->cap) {
        return CM_OK;
    }
    if ((s = cm_calloc(cap, sizeof(*s))) == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slot[i].seq != 0) {
            place(s, cap, m->slot[i].key, m->slot[i].seq);
        }
    }
    cm_free(m->slot);
    m->slot = s;
    m->cap = cap;
    return CM_OK;
}

int cm_store_ids_add(struct cm_store_ids *m, int64_t key, int64_t seq)
{
    int rc = seq > 0 ? reserve(m, m->n + 1) : CM_EINVAL;

    if (rc == 0) {
        place(m->slot, m->cap, key, seq);
        m->n++;
        m->recent++;
    }
    return rc;
}

bool cm_store_ids_next(const struct cm_store_ids *m, int64_t key, size_t *it, int64_t *seq)
{
    size_t h;

    if (m->cap == 0) {
        return false;
    }
    h = home(key, m->cap);
    for (size_t k = *it; k < m->cap; k++) {
        const struct cm_store_id_slot *s = &m->slot[(h + k) & (m->cap - 1)];
        if (s->seq == 0) {
            break;
        }
        if (s->key == key) {
            *it = k + 1;
            *seq = s->seq;
            return true;
        }
    }
    *it = m->cap;
    return false;
}

/* Reads every key of the store into the (reset) map. */
static int load(struct cm_store_ids *m, sqlite3 *db)
{
    sqlite3_stmt *q = NULL;
    int64_t hint = cm_store_int(db, "SELECT coalesce(max(seq), 0) FROM findings", NULL);
    int64_t recent = cm_store_int(db, "SELECT count(*) FROM finding_ids_recent", NULL);
    int rc = CM_OK, step;

    cm_store_ids_reset(m);
    if (hint < 0 || recent < 0) {
        return CM_EIO;
    }
    /* seq is at least the row count unless rows were deleted: a size hint, not a bound. */
    if ((rc = reserve(m, (size_t)(hint < PRESIZE_MAX ? hint : PRESIZE_MAX))) != 0) {
        return rc;
    }
    if (sqlite3_prepare_v2(db, "SELECT h, seq FROM finding_seq", -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t seq = (int64_t)sqlite3_column_int64(q, 1);
        if (seq > 0 && (rc = reserve(m, m->n + 1)) == 0) {
            place(m->slot, m->cap, (int64_t)sqlite3_column_int64(q, 0), seq);
            m->n++;
        }
    }
    if (rc == 0 && step != SQLITE_DONE) {
        rc = CM_EIO;
    }
    sqlite3_finalize(q);
    m->recent = (size_t)recent;
    return rc;
}

int cm_store_ids_sync(struct cm_store_ids *m, sqlite3 *db)
{
    int64_t v = cm_store_int(db, "PRAGMA data_version", NULL);
    int rc;

    if (v < 0) {
        cm_store_ids_reset(m);
        return CM_EIO;
    }
    if (m->loaded && v == m->data_version) {
        return CM_OK;
    }
    if ((rc = load(m, db)) != 0) {
        cm_store_ids_reset(m);
        return rc;
    }
    m->data_version = v;
    m->loaded = true;
    return CM_OK;
}

int cm_store_ids_fold_now(sqlite3 *db)
{
    /*
     * In key order, so each leaf of finding_ids is visited once. OR IGNORE:
     * a row deleted by hand (not through the store) may have left its entry,
     * and its seq may have been given again to the same id.
     */
    if (sqlite3_exec(db,
                     "BEGIN IMMEDIATE;"
                     " INSERT OR IGNORE INTO finding_ids(h, seq)"
                     " SELECT h, seq FROM finding_ids_recent ORDER BY h, seq;"
                     " DELETE FROM finding_ids_recent;"
                     " COMMIT",
                     NULL, NULL, NULL) != SQLITE_OK) {
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return CM_EIO;
    }
    return CM_OK;
}

int cm_store_ids_fold(struct cm_store_ids *m, sqlite3 *db)
{
    size_t share = m->n / FOLD_SHARE;

    if (!m->loaded || m->recent < (share > FOLD_MIN ? share : FOLD_MIN)) {
        return CM_OK;
    }
    if (cm_store_ids_fold_now(db) != 0) {
        return CM_EIO;
    }
    m->recent = 0;
    return CM_OK;
}

int cm_store_seq_of(sqlite3 *db, const char *id, int64_t *seq)
{
    sqlite3_stmt *q = NULL;
    int rc = CM_EIO, step;

    *seq = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT f.seq FROM finding_seq s CROSS JOIN findings f ON f.seq = s.seq"
                           " WHERE s.h = ?2 AND f.id = ?1 LIMIT 1",
                           -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, cm_store_id_key(id));
        step = sqlite3_step(q);
        if (step == SQLITE_ROW) {
            *seq = (int64_t)sqlite3_column_int64(q, 0);
            rc = CM_OK;
        } else if (step == SQLITE_DONE) {
            rc = CM_OK;
        }
    }
    sqlite3_finalize(q);
    return rc;
}
