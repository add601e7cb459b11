/*
 * What the store's own files share and nobody else sees: the connection
 * behind a struct cm_store (store.c owns it; the other files borrow it) and
 * the writer's map from finding ids to rows (store_ids.c), new findings
 * made ready for writing off the writer's thread (store_prep.c), the
 * thread that checkpoints the WAL (store_ckpt.c), and finding criteria
 * made into SQL for the queries (store_sql.c).
 */
#ifndef CM_STORE_STORE_IMPL_H
#define CM_STORE_STORE_IMPL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/json.h"
#include "store/store.h"

/* Sets err to "what: <SQLite's message>" and returns CM_EIO. */
int cm_store_db_fail(sqlite3 *db, const char *what, char *err, size_t errlen);

/*
 * The end of a read loop over q (`while (rc == 0 && (step = sqlite3_step(q)) == SQLITE_ROW)`):
 * finalizes q and returns rc, or cm_store_db_fail(what) when the rows stopped on a failed
 * step (rc 0, step not SQLITE_DONE).
 */
int cm_store_rows_end(sqlite3 *db, sqlite3_stmt *q, int rc, int step, const char *what, char *err,
                      size_t errlen);

/*
 * Runs body(db, arg, err, errlen) in one write transaction (BEGIN
 * IMMEDIATE ... COMMIT; ROLLBACK when it or the commit fails). A failed
 * BEGIN or COMMIT is reported as cm_store_db_fail(what). Returns 0, body's
 * error or CM_EIO.
 */
typedef int (*cm_store_txn_fn)(sqlite3 *db, const void *arg, char *err, size_t errlen);
int cm_store_txn(sqlite3 *db, cm_store_txn_fn body, const void *arg, const char *what, char *err,
                 size_t errlen);

/* Whether published findings go to the outbox (cm_store_set_publish). */
bool cm_store_publish_on(const struct cm_store *st);

/* The store's SQLite connection (borrowed; valid until cm_store_close). */
sqlite3 *cm_store_db(struct cm_store *st);

/*
 * The filters the last cm_store_put_findings applied, owned by the store
 * (the rule names it returned point into them until the next put or
 * cm_store_close).
 */
struct cm_filterset *cm_store_put_filters(struct cm_store *st);

/*
 * One integer: the first column of the first row of sql, with the text arg
 * bound to its one parameter (NULL: none). -1 when the statement fails.
 */
int64_t cm_store_int(sqlite3 *db, const char *sql, const char *arg);

/*
 * Called by every write of findings: starts the checkpoint thread the first
 * time (store.c; when it cannot start, SQLite's own checkpoints go on).
 */
void cm_store_writing(struct cm_store *st);

/*
 * Raises source_newest (store_canary.c) to each input's newest record (per kind, and S3
 * data events, by account and region), in the caller's transaction; a time past the scan's
 * start (started_ms) and CM_STORE_NEWEST_SKEW_MS counts as that. Returns 0 or CM_EIO.
 */
int cm_store_note_newest(struct cm_store *st, const struct cm_scan_stats *s, int64_t scan_id,
                         int64_t started_ms);

/* How far past a scan's start a record's time may be and still count as its own. */
#define CM_STORE_NEWEST_SKEW_MS (15 * 60 * 1000)

/* ---- Checkpoints (store_ckpt.c) ---- */

struct cm_store_ckpt;

/*
 * Opens a second connection to path and starts the thread that checkpoints
 * the WAL for writer (whose automatic checkpoint it replaces by a WAL
 * hook). Returns 0, CM_ENOMEM or CM_EIO (nothing started).
 */
int cm_store_ckpt_start(struct cm_store_ckpt **out, sqlite3 *writer, const char *path);
/* Stops the thread (after its checkpoint in progress) and closes its connection; NULL: no-op. */
void cm_store_ckpt_stop(struct cm_store_ckpt *c, sqlite3 *writer);

/* ---- Finding ids (store_ids.c) ---- */

/*
 * The 60-bit key finding ids are looked up by: the first 15 hex digits of a
 * 32-digit lowercase hex id (every id coalmine makes), else a hash of the
 * id (above 2^60). Two ids may share a key: a key is a candidate, the row's
 * id decides.
 */
int64_t cm_store_id_key(const char *id);

/* Registers the SQL function coalmine_id_key(id) on db. Returns 0 or CM_EIO. */
int cm_store_id_key_register(sqlite3 *db);

/*
 * The writer's map from the key of every finding id to its row
 * (findings.seq), so that writing a finding needs no B-tree keyed by its
 * random id. A hit is a candidate the caller confirms against the row; a
 * miss is proof the id is not stored. Loaded from finding_ids and
 * finding_ids_recent at the first write of a connection, and again when
 * another connection has written since (PRAGMA data_version).
 */
struct cm_store_id_slot {
    int64_t key;
    int64_t seq; /* 0: empty */
};

struct cm_store_ids {
    struct cm_store_id_slot *slot;
    size_t cap;           /* slots: 0 or a power of two */
    size_t n;             /* entries */
    bool loaded;          /* false: the next sync reloads */
    int64_t data_version; /* the connection's PRAGMA data_version at the last sync */
    size_t recent;        /* rows in finding_ids_recent */
};

/* The store's map (store.c owns it). */
struct cm_store_ids *cm_store_ids(struct cm_store *st);

void cm_store_ids_init(struct cm_store_ids *m);
void cm_store_ids_finish(struct cm_store_ids *m);

/* Forgets the map: the next cm_store_ids_sync loads it again. */
void cm_store_ids_reset(struct cm_store_ids *m);

/*
 * Brings the map up to date; called inside a write transaction. Returns 0,
 * CM_EIO or CM_ENOMEM (and then the map is reset).
 */
int cm_store_ids_sync(struct cm_store_ids *m, sqlite3 *db);

/*
 * The candidate rows for key, one per call: *it starts at 0; returns false
 * when there are no more.
 */
bool cm_store_ids_next(const struct cm_store_ids *m, int64_t key, size_t *it, int64_t *seq);

/* Records that row seq (>= 1, a new row) has an id with key. Returns 0 or CM_ENOMEM. */
int cm_store_ids_add(struct cm_store_ids *m, int64_t key, int64_t seq);

/*
 * Moves finding_ids_recent into finding_ids in its own transaction when it
 * has grown past its share of the store (see store_ids.c). Called after a
 * write committed; a failure leaves both tables as they were (the next call
 * tries again). Returns 0 or CM_EIO.
 */
int cm_store_ids_fold(struct cm_store_ids *m, sqlite3 *db);

/* Folds whatever finding_ids_recent holds, now (tests; the fold above). Returns 0 or CM_EIO. */
int cm_store_ids_fold_now(sqlite3 *db);

/*
 * The seq of the finding id (through the view finding_seq, confirmed on the
 * row): *seq >= 1, or 0 when there is no such finding. Returns 0 or CM_EIO.
 */
int cm_store_seq_of(sqlite3 *db, const char *id, int64_t *seq);

/*
 * Marks the stored findings the attack sequences among v[0..n) name as their
 * members (associatedAttackSequenceArn, store_assoc.c), inside the caller's
 * transaction; with publishing, a marked finding that is not archived is held
 * for publishing as an update is. Returns 0 or CM_EIO.
 */
int cm_store_link_sequences(sqlite3 *db, const struct cm_store_put *v, size_t n, bool publishing,
                            int64_t now_ms);

/* ---- Findings made ready for their rows (store_prep.c) ---- */

/* An event of a new finding, with its place in the caller's list (the first of a key counts). */
struct cm_store_ev {
    uint64_t key;
    uint32_t count;
    size_t at;
};

/*
 * Everything the rows of a finding need but its seq: the API document
 * (archived when it was or an ARCHIVE filter matches), the bound values and,
 * for a new finding, its distinct events. Made without the database, so
 * another thread can make it while the writer writes the previous findings.
 */
struct cm_store_prep {
    struct cm_buf doc;
    uint32_t count;            /* service.count written */
    uint32_t added;            /* events (sum of counts) counted by a new finding */
    bool archived;             /* stored archived */
    const char *rule;          /* the ARCHIVE filter that matched, or NULL */
    struct cm_str resource;    /* identity resource (cm_finding_identity) */
    const char *resource_type; /* or NULL */
    char created[32], updated[32], first_seen[32], last_seen[32]; /* ISO 8601; "" absent */
    struct cm_store_ev *ev;                                       /* distinct events, key order */
    size_t nev, evcap;
    struct cm_json_doc tape; /* the document parsed for the filters */
    int rc;                  /* of the pipeline's making it */
};

void cm_store_prep_init(struct cm_store_prep *s);
void cm_store_prep_finish(struct cm_store_prep *s);

/*
 * Makes s for f written with count and archived (a filter may archive it).
 * filters are applied when archiving is set. f is read only: it is copied
 * into nothing, and the document is written from it with count and archived
 * set for the call (and restored). Returns 0 or what serialising returns.
 */
int cm_store_prep_row(struct cm_store_prep *s, struct cm_finding *f, uint32_t count, bool archived,
                      const struct cm_filterset *filters, bool archiving);

/*
 * Makes s for the new finding it: its distinct events decide the count
 * (it->f->count when they add up to nothing or are unknown), see
 * cm_store_put_findings. Returns 0, CM_ENOMEM or what serialising returns.
 */
int cm_store_prep_new(struct cm_store_prep *s, const struct cm_store_put *it,
                      const struct cm_filterset *filters, bool archiving);

/*
 * The new findings of a batch made ready in order, v[idx[k]] for k < n, on a
 * worker thread while the writer writes (inline when the batch is small or
 * no thread can be started). The caller takes them in order with
 * cm_store_pipe_get and gives each back with cm_store_pipe_done before
 * taking one more than CM_STORE_PIPE_SLOTS ahead. The findings are borrowed
 * until cm_store_pipe_stop.
 */
#define CM_STORE_PIPE_SLOTS 128

struct cm_store_pipe;

int cm_store_pipe_start(struct cm_store_pipe **out, const struct cm_store_put *v, const size_t *idx,
                        size_t n, const struct cm_filterset *filters, bool archiving);
/* The k-th finding, made (waits for it); its rc says whether making it failed. */
struct cm_store_prep *cm_store_pipe_get(struct cm_store_pipe *p, size_t k);
void cm_store_pipe_done(struct cm_store_pipe *p, size_t k);
/* Stops the worker (whatever it was doing), waits for it and frees p; NULL is a no-op. */
void cm_store_pipe_stop(struct cm_store_pipe *p);

/* ---- Criteria as SQL (store_sql.c) ---- */

enum cm_sqlb_kind { CM_SQLB_TEXT, CM_SQLB_REAL, CM_SQLB_INT };

/* A value bound to a "?" of the SQL being built. */
struct cm_sqlb_bind {
    enum cm_sqlb_kind kind;
    struct cm_str s; /* borrowed from the criteria or the query; unused when own */
    bool own;        /* the text is txt (never pointed at: the array moves when it grows) */
    char txt[40];
    double d;
    int64_t i;
};

/* SQL being built, its bound values and the first error (then every put is a no-op). */
struct cm_sqlb {
    struct cm_buf sql;
    struct cm_sqlb_bind *v;
    size_t n, cap;
    bool residual; /* some condition is left to the document matcher */
    int err;
};

void cm_sqlb_init(struct cm_sqlb *b);
void cm_sqlb_finish(struct cm_sqlb *b);

/* Appends s to the SQL. */
void cm_sqlb_put(struct cm_sqlb *b, const char *s);

/* Appends "?" bound to i. */
void cm_sqlb_put_int(struct cm_sqlb *b, int64_t i);

/* Appends "?" bound to a copy of s (at most 39 bytes). */
void cm_sqlb_put_own_text(struct cm_sqlb *b, const char *s);

/* Appends "?" bound to s, borrowed until cm_sqlb_prepare has bound it. */
void cm_sqlb_put_text(struct cm_sqlb *b, struct cm_str s);

/* Appends "?" bound to d. */
void cm_sqlb_put_real(struct cm_sqlb *b, double d);

/*
 * Appends the WHERE terms (after "WHERE 1") of q's criteria, resource id
 * and text search; sets b->residual when some condition is left to the
 * document. pat holds the search pattern until cm_sqlb_prepare binds it.
 */
void cm_sqlb_put_where(struct cm_sqlb *b, const struct cm_store_query *q, struct cm_buf *pat);

/* Prepares b's text and binds its values: 0, b's error, or CM_EIO. */
int cm_sqlb_prepare(sqlite3 *db, struct cm_sqlb *b, sqlite3_stmt **out);

/* Whether the stored document doc[0..len) matches every criteria of q (parsed into tape). */
bool cm_store_doc_matches(const struct cm_store_query *q, struct cm_json_doc *tape, const char *doc,
                          size_t len);

/* The migrations (store_schema.c): script i brings the schema from version i
 * to i + 1; there are CM_STORE_SCHEMA_VERSION of them. */
extern const char *const cm_store_migrations[];
extern const size_t cm_store_nmigrations;

#endif
