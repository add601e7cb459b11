/*
 * Findings in the SQLite store (see store.h): an upsert by identity that
 * counts each underlying event once and merges a repeat into the stored
 * finding the way lib/finding/aggregate.c merges repeats in memory, applies
 * the store's ARCHIVE filters, all in one transaction with the statements
 * prepared once per batch.
 *
 * The row of an id is found through the writer's in-memory map of id keys
 * (store_ids.c), never through a B-tree keyed by the id. A batch is taken in
 * the caller's order. The findings whose id is certainly new (not in the
 * map, not earlier in the batch) are made ready (document, filters, bound
 * values, distinct events) on a worker thread while this one writes
 * (store_prep.c); a new finding appends to every table it writes (findings
 * and its indices, finding_docs, finding_ids_recent, finding_events,
 * finding_sources, finding_resources; the index of the latter by resource
 * takes an entry per resource besides the identity one, like the findings'
 * index on resource_id), so a batch dirties few pages beyond its own rows.
 * The others are looked up as their turn comes: a repeat (of a stored
 * finding or of one earlier in the batch) or, when its key only collided, a
 * new one.
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
#include "base/err.h"
#include "core/clock.h"
#include "finding/serialize.h"

enum {
    Q_SELECT,
    Q_INSERT,
    Q_UPDATE,
    Q_DOC_INS,
    Q_DOC_UPD,
    Q_RECENT,
    Q_EVENT,
    Q_DEL_EV,
    Q_INS_EV,
    Q_SEL_RES,
    Q_DEL_RES,
    Q_INS_RES,
    Q_OUTBOX,
    Q_HOLD,
    NQ
};

static const char *const sqls[NQ] = {
    "SELECT f.id, d.doc, f.archived, f.count FROM findings f"
    " JOIN finding_docs d ON d.seq = f.seq WHERE f.seq = ?",
    "INSERT INTO findings(id, type, severity, account_id, region, resource_type, resource_id,"
    " created_at, updated_at, first_seen, last_seen, count, archived)"
    " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13)",
    "UPDATE findings SET type = ?2, severity = ?3, account_id = ?4, region = ?5,"
    " resource_type = ?6, resource_id = ?7, created_at = ?8, updated_at = ?9,"
    " first_seen = ?10, last_seen = ?11, count = ?12, archived = ?13 WHERE seq = ?14",
    "INSERT INTO finding_docs(seq, doc) VALUES (?1, ?2)",
    "UPDATE finding_docs SET doc = ?2 WHERE seq = ?1",
    "INSERT INTO finding_ids_recent(seq, h) VALUES (?1, ?2)",
    "INSERT OR IGNORE INTO finding_events(fid, key, n) VALUES (?,?,?)",
    "DELETE FROM finding_sources WHERE fid = ?",
    "INSERT INTO finding_sources(fid, n, path, offset, line, length) VALUES (?,?,?,?,?,?)",
    "SELECT rid FROM finding_resources WHERE fid = ?",
    "DELETE FROM finding_resources WHERE fid = ?",
    "INSERT OR IGNORE INTO finding_resources(fid, rid) VALUES (?,?)",
    "INSERT INTO outbox(fid, created_ms) VALUES (?, ?)",
    "INSERT OR IGNORE INTO outbox_held(fid, since_ms) VALUES (?, ?)",
};

/* One batch: the connection, its prepared statements, the filters and buffers. */
struct put {
    sqlite3 *db;
    sqlite3_stmt *q[NQ];
    struct cm_store_ids *ids;     /* the store's id -> seq map */
    struct cm_filterset *filters; /* the store's: the rule names outlive the batch */
    bool archiving;               /* some filter archives */
    bool publishing;              /* some rule is enabled: published findings go to the outbox */
    int64_t now_ms;               /* when the batch is written (outbox and held rows' time) */
    struct cm_store_pipe *pipe;   /* the batch's new findings, made ready in order */
    size_t next_new;              /* the next one to take from pipe */
    bool *is_new;                 /* per item: made by the pipe */
    struct cm_store_prep own;     /* a finding made on this thread (repeats, late news) */
    char msg[256];                /* SQLite's message at the first failing step */
};

/*
 * Strings are bound SQLITE_STATIC: they belong to the finding or to the
 * prepared slot, which outlive the step, and every parameter is bound again
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

/* Binds a prepared ISO 8601 time; "" (absent) as NULL. */
static void bind_time(sqlite3_stmt *q, int i, const char *when)
{
    if (when[0] == '\0') {
        sqlite3_bind_null(q, i);
    } else {
        sqlite3_bind_text(q, i, when, -1, SQLITE_STATIC);
    }
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

/* Replaces the evidence rows of finding seq by f's evidence (a new finding has none to delete). */
static int write_evidence(struct put *p, const struct cm_finding *f, int64_t seq, bool is_new)
{
    sqlite3_stmt *q = p->q[Q_INS_EV];
    int rc = CM_OK;

    if (!is_new) {
        sqlite3_bind_int64(p->q[Q_DEL_EV], 1, seq);
        rc = step_done(p, p->q[Q_DEL_EV]);
    }
    for (uint32_t i = 0; rc == 0 && i < f->nevidence; i++) {
        const struct cm_finding_evidence *e = &f->evidence[i];
        sqlite3_bind_int64(q, 1, seq);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        bind_str(q, 3, e->file);
        sqlite3_bind_int64(q, 4, (sqlite3_int64)e->ref.offset);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)e->ref.line);
        sqlite3_bind_int64(q, 6, (sqlite3_int64)e->ref.length);
        rc = step_done(p, q);
    }
    return rc;
}

/* The most resources a finding names: an access key, its buckets, an instance and its NICs. */
#define MAX_RESOURCES (2 + CM_FINDING_MAX_BUCKETS + CM_FINDING_MAX_NICS)

/*
 * The resources f's API document names besides its identity resource
 * (ident): the accessKeyDetails' accessKeyId, every bucket's name, and an
 * Instance's instanceId and network interface ids, each once and none empty
 * (the migration to version 9 reads the same from stored documents).
 * Returns how many are in v.
 */
static size_t resource_ids(const struct cm_finding *f, struct cm_str ident,
                           struct cm_str v[MAX_RESOURCES])
{
    struct cm_str all[MAX_RESOURCES];
    size_t n = 0, k = 0;

    if (f->has_access_key) {
        all[n++] = f->access_key.access_key_id;
    }
    for (uint32_t i = 0; i < f->nbuckets && i < CM_FINDING_MAX_BUCKETS; i++) {
        all[n++] = f->buckets[i].name;
    }
    if (f->resource_type == CM_RES_INSTANCE) {
        all[n++] = f->instance.instance_id;
        for (uint32_t i = 0; i < f->instance.nnics && i < CM_FINDING_MAX_NICS; i++) {
            all[n++] = f->instance.nics[i].eni_id;
        }
    }
    for (size_t i = 0; i < n; i++) {
        bool dup = all[i].p == NULL || all[i].len == 0 || cm_str_eq(all[i], ident);
        for (size_t j = 0; j < k && !dup; j++) {
            dup = cm_str_eq(all[i], v[j]);
        }
        if (!dup) {
            v[k++] = all[i];
        }
    }
    return k;
}

/*
 * Whether the resource rows of finding seq are v[0..n) (distinct): 1, 0, or
 * CM_EIO. A repeat mostly names what the stored finding named.
 */
static int same_resources(struct put *p, int64_t seq, const struct cm_str *v, size_t n)
{
    sqlite3_stmt *q = p->q[Q_SEL_RES];
    size_t rows = 0;
    int step = SQLITE_DONE, same = 1;

    sqlite3_bind_int64(q, 1, seq);
    while (same && (step = sqlite3_step(q)) == SQLITE_ROW) {
        struct cm_str r = {(const char *)sqlite3_column_text(q, 0),
                           (size_t)sqlite3_column_bytes(q, 0)};
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
            found = cm_str_eq(r, v[i]);
        }
        same = found && ++rows <= n;
    }
    if (same && step != SQLITE_DONE) {
        snprintf(p->msg, sizeof(p->msg), "%s", sqlite3_errmsg(p->db));
        same = CM_EIO;
    }
    sqlite3_reset(q);
    return same == 1 ? rows == n : same;
}

/*
 * Writes the resource rows of finding seq: f's. A new finding's are
 * inserted; a stored finding's are replaced when they differ.
 */
static int write_resources(struct put *p, const struct cm_finding *f, struct cm_str ident,
                           int64_t seq, bool is_new)
{
    struct cm_str v[MAX_RESOURCES];
    size_t n = resource_ids(f, ident, v);
    int rc = CM_OK, same;

    if (!is_new) {
        if ((same = same_resources(p, seq, v, n)) != 0) {
            return same == 1 ? CM_OK : same;
        }
        sqlite3_bind_int64(p->q[Q_DEL_RES], 1, seq);
        rc = step_done(p, p->q[Q_DEL_RES]);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_bind_int64(p->q[Q_INS_RES], 1, seq);
        bind_str(p->q[Q_INS_RES], 2, v[i]);
        rc = step_done(p, p->q[Q_INS_RES]);
    }
    return rc;
}

/*
 * Writes f's row as s made it (insert when is_new, else update of row
 * *seq), its document and its evidence rows; a new row's seq is set in *seq
 * and recorded with its id (finding_ids_recent and the writer's map), and
 * its other resources (finding_resources).
 */
static int write_row(struct put *p, const struct cm_finding *f, const struct cm_store_prep *s,
                     bool is_new, int64_t *seq)
{
    sqlite3_stmt *q = p->q[is_new ? Q_INSERT : Q_UPDATE];
    int rc;

    sqlite3_bind_text(q, 1, f->id, -1, SQLITE_STATIC);
    bind_str(q, 2, f->type);
    sqlite3_bind_double(q, 3, f->severity);
    bind_str(q, 4, f->account_id);
    bind_str(q, 5, f->region);
    bind_str(q, 6, cm_str_cstr(s->resource_type));
    bind_str(q, 7, s->resource);
    bind_time(q, 8, s->created);
    bind_time(q, 9, s->updated);
    bind_time(q, 10, s->first_seen);
    bind_time(q, 11, s->last_seen);
    sqlite3_bind_int64(q, 12, (sqlite3_int64)s->count);
    sqlite3_bind_int(q, 13, s->archived ? 1 : 0);
    if (!is_new) {
        sqlite3_bind_int64(q, 14, *seq);
    }
    if ((rc = step_done(p, q)) != 0) {
        return rc;
    }
    if (is_new) {
        *seq = (int64_t)sqlite3_last_insert_rowid(p->db);
        int64_t key = cm_store_id_key(f->id);
        q = p->q[Q_RECENT];
        sqlite3_bind_int64(q, 1, *seq);
        sqlite3_bind_int64(q, 2, key);
        if ((rc = step_done(p, q)) != 0 || (rc = cm_store_ids_add(p->ids, key, *seq)) != 0) {
            return rc;
        }
    }
    q = p->q[is_new ? Q_DOC_INS : Q_DOC_UPD];
    sqlite3_bind_int64(q, 1, *seq);
    sqlite3_bind_text(q, 2, s->doc.p, (int)s->doc.len, SQLITE_STATIC);
    if ((rc = step_done(p, q)) != 0) {
        return rc;
    }
    if ((rc = write_resources(p, f, s->resource, *seq, is_new)) != 0) {
        return rc;
    }
    return write_evidence(p, f, *seq, is_new);
}

/* Inserts one event of finding seq; *fresh tells whether it was not stored before. */
static int insert_event(struct put *p, int64_t seq, uint64_t key, uint32_t count, bool *fresh)
{
    sqlite3_stmt *q = p->q[Q_EVENT];
    int rc;

    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)key);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)count);
    rc = step_done(p, q);
    *fresh = rc == 0 && sqlite3_changes(p->db) > 0;
    return rc;
}

/*
 * Records the events of it under the stored finding seq. *added gets the
 * sum of the counts of those not stored before. Without events, the
 * finding's count.
 */
static int add_events(struct put *p, int64_t seq, const struct cm_store_put *it, uint32_t *added)
{
    uint64_t sum = 0;
    bool fresh;
    int rc = CM_OK;

    if (it->events == NULL) {
        *added = it->f->count ? it->f->count : 1;
        return CM_OK;
    }
    for (size_t i = 0; i < it->nevents && rc == 0; i++) {
        if ((rc = insert_event(p, seq, it->events[i].key, it->events[i].count, &fresh)) == 0 &&
            fresh) {
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
    struct cm_finding old, nf, *m = &nf;
    struct cm_store_prep *s = &p->own;
    int rc;

    cm_finding_init(&old);
    cm_finding_init(&nf);
    rc = cm_finding_from_json(&old, doc, len, NULL);
    if (rc == 0) {
        cm_buf_reset(&s->doc);
        rc = cm_finding_to_json(it->f, CM_FORM_API, &s->doc);
    }
    if (rc == 0) {
        rc = cm_finding_from_json(&nf, s->doc.p, s->doc.len, NULL);
    }
    if (rc == 0) {
        cm_finding_api_calls_overlap(&nf, &old, it->added);
        nf.count = it->added;
        old.restated = nf.restated = it->f->restated; /* the document does not say */
        if (old.last_seen_ms > nf.last_seen_ms) {
            /*
             * The stored finding has seen a later event (older files scanned
             * after newer ones): its actor details stay, the new events add
             * their history. createdAt is the stored one either way.
             */
            int64_t created = old.created_ms;
            m = &old;
            rc = cm_finding_merge_earlier(&old, &nf);
            old.created_ms = created;
        } else {
            rc = cm_finding_merge(&nf, &old);
        }
    }
    if (rc == 0) {
        rc = cm_store_prep_row(s, m, m->count, archived, p->filters, p->archiving);
    }
    if (rc == 0) {
        it->archived = s->archived;
        it->rule = s->rule;
        it->count = s->count;
        rc = write_row(p, m, s, false, &seq);
    }
    cm_finding_finish(&nf);
    cm_finding_finish(&old);
    return rc;
}

/* Writes the new finding it as s made it, with its distinct events. */
static int write_new(struct put *p, struct cm_store_put *it, const struct cm_store_prep *s,
                     int64_t *out_seq)
{
    int64_t seq = 0;
    bool fresh;
    int rc = s->rc;

    it->is_new = true;
    it->changed = true;
    it->added = s->added;
    it->count = s->count;
    it->archived = s->archived;
    it->rule = s->rule;
    if (rc == 0) {
        rc = write_row(p, it->f, s, true, &seq);
    }
    for (size_t i = 0; rc == 0 && i < s->nev; i++) {
        rc = insert_event(p, seq, s->ev[i].key, s->ev[i].count, &fresh);
    }
    *out_seq = seq;
    return rc;
}

/*
 * Publishes a finding (new, or changed, and not archived: spec §3.1) when
 * some rule is enabled, in the batch's transaction: the finding and the
 * intent to route it are stored together or not at all. A new finding goes
 * to the outbox at once; an update is held (outbox_held, kept once per
 * finding with the time it was first held) for the publishing frequency,
 * and cm_store_outbox_release sends it once its interval has ended (spec
 * §3.3: updates are sent at findingPublishingFrequency).
 */
static int publish(struct put *p, const struct cm_store_put *it, int64_t seq)
{
    sqlite3_stmt *q = p->q[it->is_new ? Q_OUTBOX : Q_HOLD];

    if (!p->publishing || seq <= 0 || it->archived || !(it->is_new || it->changed)) {
        return CM_OK;
    }
    sqlite3_bind_int64(q, 1, seq);
    sqlite3_bind_int64(q, 2, p->now_ms);
    return step_done(p, q);
}

/*
 * Finds the stored row of it->f->id: a candidate of the writer's map whose
 * row has that id. *seq is 0 when there is none (a new finding); else the
 * row of q (Q_SELECT) is current: the caller resets q.
 */
static int find_row(struct put *p, const struct cm_store_put *it, int64_t *seq)
{
    sqlite3_stmt *q = p->q[Q_SELECT];
    size_t iter = 0;
    int64_t cand;
    int step;

    *seq = 0;
    while (cm_store_ids_next(p->ids, cm_store_id_key(it->f->id), &iter, &cand)) {
        const char *id;
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, cand);
        step = sqlite3_step(q);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            snprintf(p->msg, sizeof(p->msg), "%s", sqlite3_errmsg(p->db));
            return CM_EIO;
        }
        id = step == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (id != NULL && strcmp(id, it->f->id) == 0) {
            *seq = cand;
            return CM_OK;
        }
    }
    sqlite3_reset(q);
    return CM_OK;
}

/* Inserts item i, or counts its new events into the stored finding with its id. */
static int put_one(struct put *p, struct cm_store_put *v, size_t i)
{
    struct cm_store_put *it = &v[i];
    sqlite3_stmt *q = p->q[Q_SELECT];
    int64_t seq;
    int rc;

    it->is_new = it->changed = it->archived = false;
    it->added = it->count = 0;
    it->rule = NULL;
    if (p->is_new[i]) {
        struct cm_store_prep *s = cm_store_pipe_get(p->pipe, p->next_new);
        rc = write_new(p, it, s, &seq);
        cm_store_pipe_done(p->pipe, p->next_new++);
        return rc == 0 ? publish(p, it, seq) : rc;
    }
    if ((rc = find_row(p, it, &seq)) != 0) {
        return rc;
    }
    if (seq == 0) {
        /* New after all (its id's hash was in the map or earlier in the batch). */
        p->own.rc = cm_store_prep_new(&p->own, it, p->filters, p->archiving);
        rc = write_new(p, it, &p->own, &seq);
        return rc == 0 ? publish(p, it, seq) : rc;
    }
    {
        const char *doc = (const char *)sqlite3_column_text(q, 1);
        size_t len = (size_t)sqlite3_column_bytes(q, 1);
        bool archived = sqlite3_column_int(q, 2) != 0;
        it->archived = archived;
        it->count = (uint32_t)sqlite3_column_int64(q, 3);
        rc = doc ? add_events(p, seq, it, &it->added) : CM_EIO;
        if (rc == 0 && it->added > 0) {
            /* New activity returns an archived finding to the current list, unless an
             * ARCHIVE filter (a suppression rule) matches it now (spec §3, "Archive
             * interplay"): cm_store_prep_row archives it again then. */
            it->changed = true;
            rc = put_repeat(p, it, seq, doc, len, false);
        }
    }
    sqlite3_reset(q);
    return rc == 0 ? publish(p, it, seq) : rc;
}

/*
 * Marks the findings that are certainly new (their id is neither stored nor
 * earlier in the batch) and starts making them. The others are looked up
 * in order as they are written.
 */
static int start_news(struct put *p, const struct cm_store_put *v, size_t n, size_t **idx)
{
    struct cm_store_ids seen;
    size_t nnew = 0, it;
    int64_t seq;
    int rc = CM_OK;

    cm_store_ids_init(&seen);
    p->is_new = cm_calloc(n ? n : 1, sizeof(*p->is_new));
    *idx = cm_malloc((n ? n : 1) * sizeof(**idx));
    if (p->is_new == NULL || *idx == NULL) {
        rc = CM_ENOMEM;
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int64_t key = cm_store_id_key(v[i].f->id);
        it = 0;
        if (cm_store_ids_next(p->ids, key, &it, &seq)) {
            continue;
        }
        it = 0;
        if (cm_store_ids_next(&seen, key, &it, &seq)) {
            continue;
        }
        if ((rc = cm_store_ids_add(&seen, key, 1)) == 0) {
            p->is_new[i] = true;
            (*idx)[nnew++] = i;
        }
    }
    cm_store_ids_finish(&seen);
    if (rc == 0) {
        rc = cm_store_pipe_start(&p->pipe, v, *idx, nnew, p->filters, p->archiving);
    }
    return rc;
}

static void put_finish(struct put *p)
{
    /* First: the worker reads the findings and the filters. */
    cm_store_pipe_stop(p->pipe);
    for (int i = 0; i < NQ; i++) {
        sqlite3_finalize(p->q[i]);
    }
    cm_store_prep_finish(&p->own);
    cm_free(p->is_new);
}

int cm_store_put_findings(struct cm_store *st, struct cm_store_put *v, size_t n, char *err,
                          size_t errlen)
{
    struct put p;
    size_t *idx = NULL;
    size_t i = 0;
    int rc = CM_OK;

    memset(&p, 0, sizeof(p));
    p.db = cm_store_db(st);
    p.ids = cm_store_ids(st);
    cm_store_prep_init(&p.own);
    cm_store_writing(st);
    /* The previous batch's filters (and the rule names pointing into them) go now. */
    p.filters = cm_store_put_filters(st);
    cm_filterset_finish(p.filters);
    cm_filterset_init(p.filters);
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
    /* Read inside the transaction: the filters and ids are the ones this write sees. */
    if ((rc = cm_store_filters_load(st, p.filters, err, errlen)) == 0 &&
        (rc = cm_store_ids_sync(p.ids, p.db)) != 0) {
        snprintf(err, errlen, "storing findings: reading the finding ids: %s",
                 rc == CM_EIO ? sqlite3_errmsg(p.db) : cm_strerror(rc));
    }
    for (size_t k = 0; rc == 0 && k < p.filters->n; k++) {
        p.archiving |= p.filters->v[k]->action == CM_FILTER_ARCHIVE;
    }
    if (rc == 0) {
        /* A publishing destination (store_pubdest.h) reads the outbox too. */
        int64_t enabled = cm_store_int(p.db,
                                       "SELECT (SELECT count(*) FROM rules WHERE enabled) +"
                                       " (SELECT count(*) FROM publishing_destinations)",
                                       NULL);
        p.publishing = enabled > 0 && cm_store_publish_on(st);
        p.now_ms = cm_clock_now_ms();
        if (enabled < 0) {
            snprintf(err, errlen, "storing findings: reading the rules: %s", sqlite3_errmsg(p.db));
            rc = CM_EIO;
        }
    }
    if (rc == 0 && (rc = start_news(&p, v, n, &idx)) != 0) {
        snprintf(err, errlen, "storing findings: %s", cm_strerror(rc));
    }
    if (rc != 0) {
        (void)sqlite3_exec(p.db, "ROLLBACK", NULL, NULL, NULL);
        put_finish(&p);
        cm_free(idx);
        return rc;
    }
    for (i = 0; i < n && rc == 0; i++) {
        rc = put_one(&p, v, i);
    }
    if (rc != 0) {
        snprintf(err, errlen, "storing finding %s: %s", i ? v[i - 1].f->id : "-",
                 rc == CM_EIO && p.msg[0] ? p.msg : cm_strerror(rc));
    } else if ((rc = cm_store_link_sequences(p.db, v, n, p.publishing, p.now_ms)) != 0) {
        snprintf(err, errlen, "storing findings: marking attack sequence members: %s",
                 rc == CM_EIO ? sqlite3_errmsg(p.db) : cm_strerror(rc));
    } else if (sqlite3_exec(p.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "storing findings: %s", sqlite3_errmsg(p.db));
        rc = CM_EIO;
    }
    if (rc != 0) {
        /* Best effort: the error that made us roll back is the one reported. */
        (void)sqlite3_exec(p.db, "ROLLBACK", NULL, NULL, NULL);
        /* The map has the rolled back rows: read it again next time. */
        cm_store_ids_reset(p.ids);
    }
    put_finish(&p);
    cm_free(idx);
    if (rc == 0) {
        /* Committed: the findings are stored whatever the fold does (it retries next time). */
        (void)cm_store_ids_fold(p.ids, p.db);
    }
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
                           "SELECT d.doc FROM finding_seq s CROSS JOIN findings f ON f.seq = s.seq"
                           " CROSS JOIN finding_docs d ON d.seq = f.seq"
                           " WHERE s.h = coalmine_id_key(?1) AND f.id = ?1",
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
