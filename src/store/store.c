/*
 * SQLite store: opening, migrations and scan records (see store.h and
 * docs/internals/store.md). The findings are written by store_findings.c
 * (ids: store_ids.c; documents made on a worker thread: store_prep.c;
 * checkpoints on another: store_ckpt.c), read by store_query.c and changed
 * by store_update.c; filters are store_filters.c; retention is
 * store_retention.c.
 *
 * Migrations are a const table of SQL scripts; migration i brings the schema
 * from version i to i + 1 and runs in its own transaction together with the
 * update of schema_version, so a crash leaves the store at a whole version.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/time.h"
#include "event/event.h"

struct cm_store {
    sqlite3 *db;
    struct cm_filterset put_filters; /* see cm_store_put_filters() */
    struct cm_store_ids ids;         /* see cm_store_ids() */
    struct cm_store_ckpt *ckpt;      /* the checkpoint thread, once findings are written */
    bool ckpt_tried;
    bool no_publish; /* see cm_store_set_publish() */
};

static const char *const migrations[] = {
    /* 0 -> 1: scan records. */
    "CREATE TABLE scans ("
    " id INTEGER PRIMARY KEY,"
    " started_at TEXT NOT NULL,"
    " seconds REAL NOT NULL,"
    " files INTEGER NOT NULL, bytes_in INTEGER NOT NULL, bytes_decoded INTEGER NOT NULL,"
    " records_cloudtrail INTEGER NOT NULL, records_vpcflow INTEGER NOT NULL,"
    " records_dns INTEGER NOT NULL,"
    " rejected_cloudtrail INTEGER NOT NULL, rejected_vpcflow INTEGER NOT NULL,"
    " rejected_dns INTEGER NOT NULL, rejected_files INTEGER NOT NULL,"
    " findings INTEGER NOT NULL);"
    "CREATE TABLE inputs ("
    " scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " path TEXT NOT NULL,"
    " size INTEGER NOT NULL,"
    " kind TEXT,"
    " time TEXT,"
    " records INTEGER NOT NULL, rejected INTEGER NOT NULL, damaged INTEGER NOT NULL,"
    " PRIMARY KEY (scan_id, seq));"
    "CREATE INDEX inputs_path ON inputs(path);"
    "CREATE TABLE rejects ("
    " scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    " path TEXT NOT NULL, kind TEXT NOT NULL, offset INTEGER NOT NULL, line INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX rejects_scan ON rejects(scan_id);",
    /* 1 -> 2: findings (one row per identity) and their evidence. */
    "CREATE TABLE findings ("
    " id TEXT PRIMARY KEY,"
    " type TEXT NOT NULL,"
    " severity REAL NOT NULL,"
    " account_id TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " resource_type TEXT,"
    " resource_id TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " first_seen TEXT,"
    " last_seen TEXT,"
    " count INTEGER NOT NULL,"
    " archived INTEGER NOT NULL DEFAULT 0,"
    " doc TEXT NOT NULL);"
    "CREATE INDEX findings_type ON findings(type);"
    "CREATE INDEX findings_severity ON findings(severity);"
    "CREATE INDEX findings_account ON findings(account_id);"
    "CREATE INDEX findings_region ON findings(region);"
    "CREATE INDEX findings_resource ON findings(resource_id);"
    "CREATE INDEX findings_updated ON findings(updated_at);"
    "CREATE INDEX findings_archived ON findings(archived);"
    "CREATE TABLE finding_evidence ("
    " finding_id TEXT NOT NULL REFERENCES findings(id) ON DELETE CASCADE,"
    " seq INTEGER NOT NULL,"
    " path TEXT, offset INTEGER, line INTEGER, length INTEGER,"
    " PRIMARY KEY (finding_id, seq));",
    /*
     * 2 -> 3: findings keyed by an integer (seq) for the event table, their
     * documents in a table of their own (a findings row is ~250 bytes, so
     * conditions on its columns are checked without reading 2-3 KB of JSON
     * per candidate), the events each finding counted, filters, feedback
     * and settings. The findings table is rebuilt (foreign keys are off
     * during migrations).
     */
    "CREATE TABLE findings3 ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL,"
    " severity REAL NOT NULL,"
    " account_id TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " resource_type TEXT,"
    " resource_id TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " first_seen TEXT,"
    " last_seen TEXT,"
    " count INTEGER NOT NULL,"
    " archived INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE finding_docs ("
    " seq INTEGER PRIMARY KEY REFERENCES findings(seq) ON DELETE CASCADE,"
    " doc TEXT NOT NULL);"
    "INSERT INTO findings3(id, type, severity, account_id, region, resource_type, resource_id,"
    " created_at, updated_at, first_seen, last_seen, count, archived)"
    " SELECT id, type, severity, account_id, region, resource_type, resource_id, created_at,"
    " updated_at, first_seen, last_seen, count, archived FROM findings ORDER BY rowid;"
    "INSERT INTO finding_docs(seq, doc)"
    " SELECT n.seq, o.doc FROM findings3 n JOIN findings o ON o.id = n.id;"
    "DROP TABLE findings;"
    "ALTER TABLE findings3 RENAME TO findings;"
    "CREATE INDEX findings_type ON findings(type, updated_at);"
    "CREATE INDEX findings_severity ON findings(severity, updated_at);"
    "CREATE INDEX findings_account ON findings(account_id, type, updated_at);"
    "CREATE INDEX findings_resource ON findings(resource_id);"
    "CREATE INDEX findings_updated ON findings(updated_at);"
    "CREATE TABLE finding_events ("
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " key INTEGER NOT NULL,"
    " n INTEGER NOT NULL,"
    " PRIMARY KEY (fid, key)) WITHOUT ROWID;"
    "CREATE TABLE filters ("
    " name TEXT PRIMARY KEY,"
    " rank INTEGER NOT NULL,"
    " action TEXT NOT NULL,"
    " doc TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE finding_feedback ("
    " finding_id TEXT PRIMARY KEY REFERENCES findings(id) ON DELETE CASCADE,"
    " feedback TEXT NOT NULL,"
    " comments TEXT,"
    " at TEXT NOT NULL);"
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);",
    /*
     * 3 -> 4: nothing written per new finding is keyed by its random id
     * (docs/internals/store.md, "Write throughput"). findings is rebuilt
     * without the unique index on id (seq values kept); ids are found by
     * their 60-bit key (coalmine_id_key) in finding_ids (folded) and
     * finding_ids_recent (appended), through the view finding_seq; evidence
     * rows and feedback are keyed by seq. finding_evidence stays, as a view
     * by finding id that tools can insert into. The findings indices are the
     * ones new findings append to.
     */
    "CREATE TABLE findings4 ("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " severity REAL NOT NULL,"
    " account_id TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " resource_type TEXT,"
    " resource_id TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " first_seen TEXT,"
    " last_seen TEXT,"
    " count INTEGER NOT NULL,"
    " archived INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO findings4 SELECT seq, id, type, severity, account_id, region, resource_type,"
    " resource_id, created_at, updated_at, first_seen, last_seen, count, archived"
    " FROM findings ORDER BY seq;"
    "CREATE TABLE finding_sources ("
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " n INTEGER NOT NULL,"
    " path TEXT, offset INTEGER, line INTEGER, length INTEGER,"
    " PRIMARY KEY (fid, n)) WITHOUT ROWID;"
    "INSERT INTO finding_sources SELECT f.seq, e.seq, e.path, e.offset, e.line, e.length"
    " FROM finding_evidence e JOIN findings f ON f.id = e.finding_id ORDER BY 1, 2;"
    "CREATE TABLE finding_feedback4 ("
    " fid INTEGER PRIMARY KEY REFERENCES findings(seq) ON DELETE CASCADE,"
    " feedback TEXT NOT NULL,"
    " comments TEXT,"
    " at TEXT NOT NULL);"
    "INSERT INTO finding_feedback4 SELECT f.seq, b.feedback, b.comments, b.at"
    " FROM finding_feedback b JOIN findings f ON f.id = b.finding_id;"
    "CREATE TABLE finding_ids ("
    " h INTEGER NOT NULL,"
    " seq INTEGER NOT NULL,"
    " PRIMARY KEY (h, seq)) WITHOUT ROWID;"
    "INSERT INTO finding_ids SELECT coalmine_id_key(id), seq FROM findings ORDER BY 1, 2;"
    "CREATE TABLE finding_ids_recent ("
    " seq INTEGER PRIMARY KEY REFERENCES findings(seq) ON DELETE CASCADE,"
    " h INTEGER NOT NULL);"
    "DROP TABLE finding_evidence;"
    "DROP TABLE finding_feedback;"
    "DROP TABLE findings;"
    "ALTER TABLE findings4 RENAME TO findings;"
    "ALTER TABLE finding_feedback4 RENAME TO finding_feedback;"
    "CREATE INDEX findings_updated ON findings(updated_at, type, severity, archived);"
    "CREATE INDEX findings_resource ON findings(resource_id);"
    "CREATE INDEX findings_account ON findings(account_id, updated_at, type, severity);"
    "CREATE VIEW finding_seq(h, seq) AS"
    " SELECT h, seq FROM finding_ids UNION ALL SELECT h, seq FROM finding_ids_recent;"
    "CREATE VIEW finding_evidence(finding_id, seq, path, offset, line, length) AS"
    " SELECT f.id, s.n, s.path, s.offset, s.line, s.length"
    " FROM finding_sources s JOIN findings f ON f.seq = s.fid;"
    /* By id without the key function (a tool's connection has none): a scan of findings. */
    "CREATE TRIGGER finding_evidence_insert INSTEAD OF INSERT ON finding_evidence BEGIN"
    " INSERT INTO finding_sources(fid, n, path, offset, line, length)"
    " VALUES ((SELECT seq FROM findings WHERE id = NEW.finding_id),"
    " NEW.seq, NEW.path, NEW.offset, NEW.line, NEW.length);"
    " END;",
    /*
     * 4 -> 5: the event bus (docs/internals/bus.md). Rules (an EventBridge
     * event pattern each) and their targets; the outbox, one row per
     * finding published (new, or updated, and not archived) while some rule
     * is enabled, written in the transaction that stores the finding; and
     * one delivery row per (outbox row, rule, target) tried, with its
     * attempts, so a failed delivery is retried and none is made twice.
     */
    "CREATE TABLE rules ("
    " name TEXT PRIMARY KEY,"
    " pattern TEXT NOT NULL,"
    " enabled INTEGER NOT NULL,"
    " description TEXT,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL);"
    "CREATE TABLE targets ("
    " rule TEXT NOT NULL REFERENCES rules(name) ON DELETE CASCADE,"
    " id TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " spec TEXT NOT NULL,"
    " PRIMARY KEY (rule, id)) WITHOUT ROWID;"
    "CREATE TABLE outbox ("
    " seq INTEGER PRIMARY KEY,"
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " created_ms INTEGER NOT NULL,"
    " done INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_pending ON outbox(done, seq);"
    "CREATE INDEX outbox_finding ON outbox(fid);"
    "CREATE TABLE deliveries ("
    " oseq INTEGER NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE,"
    " rule TEXT NOT NULL,"
    " target TEXT NOT NULL,"
    " state TEXT NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " next_ms INTEGER NOT NULL,"
    " last_error TEXT,"
    " updated_at TEXT NOT NULL,"
    " PRIMARY KEY (oseq, rule, target)) WITHOUT ROWID;"
    "CREATE INDEX deliveries_state ON deliveries(state, oseq);",
    /*
     * 5 -> 6: a delivery that will never be tried again is CANCELLED, with
     * the reason as its last error (docs/internals/bus.md). Version 5 marked
     * an outbox row done without settling its deliveries still PENDING (the
     * row superseded, the rule disabled or deleted, the target removed), so
     * they showed as PENDING for ever; they are settled here as
     * cm_store_outbox_done settles them from now on.
     */
    "UPDATE deliveries SET state = 'CANCELLED', next_ms = 0,"
    " updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),"
    " last_error = CASE"
    " WHEN EXISTS (SELECT 1 FROM outbox o JOIN outbox n ON n.fid = o.fid AND n.seq > o.seq"
    " WHERE o.seq = deliveries.oseq) THEN 'superseded by a newer event of the finding'"
    " WHEN NOT EXISTS (SELECT 1 FROM rules r WHERE r.name = deliveries.rule)"
    " THEN 'rule deleted'"
    " WHEN NOT EXISTS (SELECT 1 FROM rules r WHERE r.name = deliveries.rule AND r.enabled)"
    " THEN 'rule disabled'"
    " WHEN NOT EXISTS (SELECT 1 FROM targets t WHERE t.rule = deliveries.rule"
    " AND t.id = deliveries.target) THEN 'target removed'"
    " ELSE 'the rule no longer matches the event' END"
    " WHERE state = 'PENDING' AND oseq IN (SELECT seq FROM outbox WHERE done = 1);",
    /*
     * 6 -> 7: claims (docs/internals/bus.md). A process delivers a
     * delivery only after claiming it in a short write transaction: claim
     * is its run's token, claim_until the wall-clock ms its lease ends
     * (the target's timeout and a margin). Another run's claim is taken
     * over only once expired, and an outcome is recorded only by the run
     * that still holds the claim, so two processes sharing a store (two
     * scans, or a cron `rules deliver` overlapping a scan) do not both
     * deliver one event to one target.
     */
    "ALTER TABLE deliveries ADD COLUMN claim TEXT;"
    "ALTER TABLE deliveries ADD COLUMN claim_until INTEGER NOT NULL DEFAULT 0;",
    /*
     * 7 -> 8: what a scan set aside, as --stats and the summary say it (`skipped`): per
     * kind the good records no detector reads and the inputs skipped whole (other AWS
     * logs, empty files); per input its skipped records and what it, or its first
     * skipped record, is. Before, an input of CloudTrail Insights events was recorded
     * with 0 records and 0 rejects, and a load balancer's log with no kind: the records
     * were in no column.
     */
    "ALTER TABLE scans ADD COLUMN skipped_cloudtrail INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE scans ADD COLUMN skipped_vpcflow INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE scans ADD COLUMN skipped_dns INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE scans ADD COLUMN skipped_files INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE inputs ADD COLUMN skipped INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE inputs ADD COLUMN skipped_as TEXT;",
    /*
     * 8 -> 9: the other resources of a finding. findings.resource_id holds one
     * resource (cm_finding_identity); a finding may name more: the network
     * interfaces of an instance, the caller's access key of an S3 finding, its
     * other buckets. finding_resources holds each of those not equal to
     * resource_id, so `--resource` finds the finding by any of them. The rows
     * of the stored findings are read from their documents, as the writer
     * takes them from the finding (store_findings.c, resource_ids()): the
     * accessKeyId, every bucket's name, and an Instance's instanceId and
     * network interface ids.
     */
    "CREATE TABLE finding_resources ("
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " rid TEXT NOT NULL,"
    " PRIMARY KEY (fid, rid)) WITHOUT ROWID;"
    "INSERT OR IGNORE INTO finding_resources(fid, rid)"
    " SELECT r.seq, r.rid FROM ("
    "  SELECT seq, json_extract(doc, '$.resource.accessKeyDetails.accessKeyId') AS rid"
    "  FROM finding_docs"
    "  UNION ALL SELECT d.seq, json_extract(b.value, '$.name')"
    "  FROM finding_docs d, json_each(d.doc, '$.resource.s3BucketDetails') b"
    "  UNION ALL SELECT seq, json_extract(doc, '$.resource.instanceDetails.instanceId')"
    "  FROM finding_docs"
    "  UNION ALL SELECT d.seq, json_extract(n.value, '$.networkInterfaceId')"
    "  FROM finding_docs d, json_each(d.doc, '$.resource.instanceDetails.networkInterfaces') n"
    " ) r JOIN findings f ON f.seq = r.seq"
    " WHERE typeof(r.rid) = 'text' AND r.rid <> '' AND r.rid IS NOT f.resource_id"
    " ORDER BY 1, 2;"
    "CREATE INDEX finding_resources_rid ON finding_resources(rid);",
    /*
     * 9 -> 10: updates held for the publishing frequency (docs/internals/bus.md,
     * "Publishing frequency"). A new finding goes to the outbox at once; an update of
     * a stored one (new events counted, or unarchived by hand) is held here, one row per
     * finding with the wall-clock time of its first held change, in the transaction
     * that stores it, until the interval (settings.finding_publishing_frequency) it
     * falls in has ended; then it becomes one outbox row, sent with the finding's
     * state as it is then (cm_store_outbox_release).
     */
    "CREATE TABLE outbox_held ("
    " fid INTEGER PRIMARY KEY REFERENCES findings(seq) ON DELETE CASCADE,"
    " since_ms INTEGER NOT NULL);",
    /*
     * 10 -> 11: the API's detectors (store_detectors.c, docs/internals/api.md):
     * one per (account, region), its status, the features asked for (a JSON
     * object from feature name to ENABLED/DISABLED) and its tags (a JSON
     * object). The publishing frequency stays the store's setting.
     */
    "CREATE TABLE detectors ("
    " id TEXT PRIMARY KEY,"
    " account_id TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " enabled INTEGER NOT NULL,"
    " features TEXT NOT NULL,"
    " tags TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL,"
    " UNIQUE (account_id, region));",
    /*
     * 11 -> 12: the API's lists (store_sets.c): metadata, status and the content read at
     * the last activation, which scans load; api_tags: tags of filters and lists.
     */
    "CREATE TABLE intel_sets ("
    " id TEXT PRIMARY KEY,"
    " kind INTEGER NOT NULL,"
    " detector_id TEXT NOT NULL,"
    " name TEXT NOT NULL UNIQUE,"
    " format TEXT NOT NULL,"
    " location TEXT NOT NULL,"
    " expected_owner TEXT,"
    " status TEXT NOT NULL,"
    " error_details TEXT,"
    " content BLOB,"
    " entries INTEGER NOT NULL DEFAULT 0,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL);"
    "CREATE INDEX intel_sets_kind ON intel_sets(detector_id, kind, id);"
    "CREATE TABLE api_tags (resource TEXT PRIMARY KEY, tags TEXT NOT NULL);",
    /*
     * 12 -> 13: canaries and scheduled rules (docs/canaries.md, docs/internals/canary.md).
     * A rule may have an EventBridge ScheduleExpression instead of an event pattern
     * (its pattern is then ''): schedule, and fired_ms, the last fire time its targets
     * were sent (or when it was scheduled), so `canary tick` sends each fire once.
     * source_newest: per log kind (cloudtrail, vpcflow, dns, s3data), account and
     * region, the newest record's event time any scan read, for the freshness check.
     * canaries: the configured checks with their schedule, parameters and last result.
     */
    "ALTER TABLE rules ADD COLUMN schedule TEXT;"
    "ALTER TABLE rules ADD COLUMN fired_ms INTEGER;"
    "CREATE TABLE source_newest ("
    " kind TEXT NOT NULL,"
    " account TEXT NOT NULL,"
    " region TEXT NOT NULL,"
    " newest_ms INTEGER NOT NULL,"
    " scan_id INTEGER NOT NULL,"
    " PRIMARY KEY (kind, account, region)) WITHOUT ROWID;"
    "CREATE TABLE canaries ("
    " name TEXT PRIMARY KEY,"
    " kind TEXT NOT NULL,"
    " schedule TEXT NOT NULL,"
    " params TEXT NOT NULL,"
    " enabled INTEGER NOT NULL,"
    " every_fail INTEGER NOT NULL,"
    " created_at TEXT NOT NULL,"
    " updated_at TEXT NOT NULL,"
    " status TEXT,"
    " reason TEXT,"
    " observed TEXT,"
    " last_run_ms INTEGER,"
    " changed_ms INTEGER);",
};

/*
 * Connection settings. WAL: readers (the console, the API) never block the
 * writer, and with synchronous=NORMAL a commit costs no fsync (a process
 * crash loses nothing committed; a power loss may lose the last commits).
 * The page cache (64 MiB) holds the upper levels of every index of a
 * million-finding store, and checkpoints run every 8192 pages rather than
 * SQLite's 1000, so a large batch is not written twice while it is built;
 * once findings are written, store_ckpt.c's thread runs them instead. The
 * connection is used by one thread at a time (NOMUTEX, see cm_store_open).
 */
static const char pragmas[] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                              " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
                              " PRAGMA wal_autocheckpoint=8192; PRAGMA temp_store=MEMORY";

/* PRAGMA application_id of a coalmine store ("coal"). */
#define STORE_APP_ID 0x636f616c

#define NMIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

static int fail(struct cm_store *st, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
    return CM_EIO;
}

static int exec(struct cm_store *st, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;

    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(st->db));
        sqlite3_free(msg);
        return CM_EIO;
    }
    return CM_OK;
}

static void rollback(struct cm_store *st)
{
    /* Best effort: the error that made us roll back is the one reported. */
    (void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *cm_store_db(struct cm_store *st)
{
    return st->db;
}

int cm_store_db_fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(db));
    return CM_EIO;
}

int cm_store_txn(sqlite3 *db, cm_store_txn_fn body, const void *arg, const char *what, char *err,
                 size_t errlen)
{
    int rc;

    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        return cm_store_db_fail(db, what, err, errlen);
    }
    rc = body(db, arg, err, errlen);
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = cm_store_db_fail(db, what, err, errlen);
    }
    if (rc != 0) {
        /* Best effort: the error that made us roll back is the one reported. */
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    }
    return rc;
}

void cm_store_set_publish(struct cm_store *st, bool on)
{
    st->no_publish = !on;
}

int cm_store_set_durable(struct cm_store *st, char *err, size_t errlen)
{
    return exec(st, "PRAGMA synchronous=FULL", err, errlen);
}

bool cm_store_publish_on(const struct cm_store *st)
{
    return !st->no_publish;
}

struct cm_filterset *cm_store_put_filters(struct cm_store *st)
{
    return &st->put_filters;
}

struct cm_store_ids *cm_store_ids(struct cm_store *st)
{
    return &st->ids;
}

void cm_store_writing(struct cm_store *st)
{
    if (!st->ckpt_tried) {
        st->ckpt_tried = true;
        /* The file's full name: the process may have changed directory since opening it. */
        (void)cm_store_ckpt_start(&st->ckpt, st->db, sqlite3_db_filename(st->db, "main"));
    }
}

int cm_store_schema_version(struct cm_store *st)
{
    return (int)cm_store_int(st->db, "SELECT max(version) FROM schema_version", NULL);
}

int64_t cm_store_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *q = NULL;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (arg) {
            sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
        }
        if (sqlite3_step(q) == SQLITE_ROW) {
            v = (int64_t)sqlite3_column_int64(q, 0);
        }
    }
    sqlite3_finalize(q);
    return v;
}

/*
 * Refuses a SQLite file that belongs to something else: a foreign
 * application id, or tables without our version table. An empty database
 * (a new file) is ours to create.
 */
static int check_ours(struct cm_store *st, char *err, size_t errlen)
{
    int64_t app = cm_store_int(st->db, "PRAGMA application_id", NULL);
    int64_t tables = cm_store_int(st->db, "SELECT count(*) FROM sqlite_master", NULL);
    int64_t ver = cm_store_int(st->db,
                               "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                               " AND name = 'schema_version'",
                               NULL);

    if (app < 0 || tables < 0 || ver < 0) {
        return fail(st, "reading the database", err, errlen);
    }
    if ((app != 0 && app != STORE_APP_ID) || (tables > 0 && ver == 0)) {
        snprintf(err, errlen, "not a coalmine store (a SQLite database of another application)");
        return CM_EIO;
    }
    return CM_OK;
}

/* Applies every migration past the recorded version, each in its own transaction. */
static int migrate(struct cm_store *st, char *err, size_t errlen)
{
    char app[64];
    int v, rc;

    if ((rc = check_ours(st, err, errlen)) != 0) {
        return rc;
    }
    /* Read before anything is written: a newer coalmine's store is left as it is. */
    v = cm_store_schema_version(st);
    if (v > 0 && (size_t)v > NMIGRATIONS) {
        snprintf(err, errlen, "store schema version %d is newer than this coalmine's (%zu)", v,
                 NMIGRATIONS);
        return CM_EIO;
    }
    if (v < 0) {
        v = 0;
    }
    /* A current store needs nothing written (and may be read-only). */
    if ((size_t)v == NMIGRATIONS &&
        cm_store_int(st->db, "PRAGMA application_id", NULL) == STORE_APP_ID) {
        return CM_OK;
    }
    snprintf(app, sizeof(app), "PRAGMA application_id = %d", STORE_APP_ID);
    /*
     * 16 KiB pages for a new store: a finding's document (2-3 KB) fills a
     * 4 KiB page alone and wastes a third of it; six fit in 16 KiB. Only a
     * new file takes it (SQLite ignores it once the file has pages).
     */
    rc = v == 0 ? exec(st, "PRAGMA page_size = 16384", err, errlen) : CM_OK;
    if (rc == 0) {
        rc = exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err,
                  errlen);
    }
    if (rc == 0) {
        rc = exec(st, app, err, errlen);
    }
    if (rc != 0) {
        return rc;
    }
    for (size_t i = (size_t)v; i < NMIGRATIONS; i++) {
        char bump[96];
        snprintf(bump, sizeof(bump), "INSERT INTO schema_version(version) VALUES (%zu)", i + 1);
        if ((rc = exec(st, "BEGIN IMMEDIATE", err, errlen)) != 0) {
            return rc;
        }
        if ((rc = exec(st, migrations[i], err, errlen)) != 0 ||
            (rc = exec(st, bump, err, errlen)) != 0 ||
            (rc = exec(st, "COMMIT", err, errlen)) != 0) {
            rollback(st);
            return rc;
        }
    }
    return CM_OK;
}

int cm_store_open(struct cm_store **out, const char *path, unsigned flags, char *err, size_t errlen)
{
    struct cm_store *st = cm_calloc(1, sizeof(*st));
    /* NOMUTEX: one thread at a time uses the connection (store.h), so SQLite need not lock it. */
    int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    int rc;

    *out = NULL;
    if (st == NULL) {
        return CM_ENOMEM;
    }
    cm_filterset_init(&st->put_filters);
    cm_store_ids_init(&st->ids);
    if (flags & CM_STORE_CREATE) {
        oflags |= SQLITE_OPEN_CREATE;
    } else if (access(path, F_OK) != 0) {
        snprintf(err, errlen, "%s: no such store", path);
        cm_free(st);
        return CM_ENOTFOUND;
    }
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        rc = fail(st, path, err, errlen);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /*
     * Checked before anything is written: a file that is not SQLite fails
     * here ("file is not a database") and one of another application in
     * check_ours(). Foreign keys stay off while migrating (a migration may
     * rebuild a table others refer to).
     */
    rc = cm_store_id_key_register(st->db) != 0 ? fail(st, "registering functions", err, errlen)
                                               : migrate(st, err, errlen);
    /* WAL: readers (the console, the API) never block the writer. */
    if (rc == 0) {
        rc = exec(st, pragmas, err, errlen);
    }
    if (rc != 0) {
        char tmp[512];
        snprintf(tmp, sizeof(tmp), "%s", err);
        snprintf(err, errlen, "%s: %s", path, tmp);
        goto fail;
    }
    *out = st;
    return CM_OK;
fail:
    cm_store_close(st);
    return rc;
}

void cm_store_close(struct cm_store *st)
{
    if (st == NULL) {
        return;
    }
    cm_store_ckpt_stop(st->ckpt, st->db);
    /*
     * Keeps the planner's statistics current: only what changed much, and
     * at most a few hundred rows of each index (analysis_limit), so closing
     * a store of millions of findings stays quick.
     */
    (void)sqlite3_exec(st->db, "PRAGMA analysis_limit=400; PRAGMA optimize", NULL, NULL, NULL);
    sqlite3_close(st->db);
    cm_filterset_finish(&st->put_filters);
    cm_store_ids_finish(&st->ids);
    cm_free(st);
}

static const char *kind_text(int kind)
{
    return kind ? cm_event_kind_name((enum cm_event_kind)kind) : NULL;
}

static void bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s) {
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(q, i);
    }
}

static int insert_scan(struct cm_store *st, const struct cm_scan_stats *s, int64_t started_ms)
{
    static const char sql[] =
        "INSERT INTO scans(started_at, seconds, files, bytes_in, bytes_decoded,"
        " records_cloudtrail, records_vpcflow, records_dns, rejected_cloudtrail,"
        " rejected_vpcflow, rejected_dns, rejected_files, findings, skipped_cloudtrail,"
        " skipped_vpcflow, skipped_dns, skipped_files)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    char when[32];
    int rc;

    cm_time_format_iso(started_ms, when, sizeof(when));
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    bind_text(q, 1, when);
    sqlite3_bind_double(q, 2, s->seconds);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)s->files);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)s->bytes_in);
    sqlite3_bind_int64(q, 5, (sqlite3_int64)s->bytes_decoded);
    for (int k = 1; k <= 3; k++) {
        sqlite3_bind_int64(q, 5 + k, (sqlite3_int64)s->records[k]);
        sqlite3_bind_int64(q, 8 + k, (sqlite3_int64)s->rejected[k]);
    }
    sqlite3_bind_int64(q, 12, (sqlite3_int64)s->rejected_files);
    sqlite3_bind_int64(q, 13, (sqlite3_int64)s->findings);
    for (int k = 1; k <= 3; k++) {
        sqlite3_bind_int64(q, 13 + k, (sqlite3_int64)s->skipped[k]);
    }
    sqlite3_bind_int64(q, 17, (sqlite3_int64)s->skipped_files);
    rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    sqlite3_finalize(q);
    return rc;
}

static int insert_inputs(struct cm_store *st, const struct cm_scan_stats *s, int64_t id)
{
    static const char sql[] = "INSERT INTO inputs(scan_id, seq, path, size, kind, time, records,"
                              " rejected, damaged, skipped, skipped_as)"
                              " VALUES (?,?,?,?,?,?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    int rc = CM_OK;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    for (size_t i = 0; rc == 0 && i < s->ninputs; i++) {
        const struct cm_scan_input *in = &s->inputs[i];
        char when[32];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)i);
        bind_text(q, 3, in->path ? in->path : "?");
        sqlite3_bind_int64(q, 4, (sqlite3_int64)in->size);
        bind_text(q, 5, kind_text(in->kind));
        if (in->time_ms != INT64_MIN && in->time_ms != INT64_MAX) {
            cm_time_format_iso(in->time_ms, when, sizeof(when));
            bind_text(q, 6, when);
        } else {
            sqlite3_bind_null(q, 6);
        }
        sqlite3_bind_int64(q, 7, (sqlite3_int64)in->records);
        sqlite3_bind_int64(q, 8, (sqlite3_int64)in->rejected);
        sqlite3_bind_int(q, 9, in->damaged);
        sqlite3_bind_int64(q, 10, (sqlite3_int64)in->skipped);
        bind_text(q, 11, in->skipped_as);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

static int insert_rejects(struct cm_store *st, const struct cm_scan_stats *s, int64_t id)
{
    static const char sql[] = "INSERT INTO rejects(scan_id, path, kind, offset, line, reason)"
                              " VALUES (?,?,?,?,?,?)";
    sqlite3_stmt *q = NULL;
    int rc = CM_OK;

    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
        return CM_EIO;
    }
    for (size_t i = 0; rc == 0 && i < s->nrejects; i++) {
        const struct cm_scan_reject *r = &s->rejects[i];
        sqlite3_reset(q);
        sqlite3_bind_int64(q, 1, id);
        bind_text(q, 2, r->path ? r->path : "?");
        bind_text(q, 3, r->kind ? kind_text(r->kind) : "file");
        sqlite3_bind_int64(q, 4, (sqlite3_int64)r->offset);
        sqlite3_bind_int64(q, 5, (sqlite3_int64)r->line);
        bind_text(q, 6, r->reason);
        rc = sqlite3_step(q) == SQLITE_DONE ? CM_OK : CM_EIO;
    }
    sqlite3_finalize(q);
    return rc;
}

int cm_store_add_scan(struct cm_store *st, const struct cm_scan_stats *stats, int64_t started_ms,
                      int64_t *scan_id, char *err, size_t errlen)
{
    int64_t id;
    int rc;

    if ((rc = exec(st, "BEGIN IMMEDIATE", err, errlen)) != 0) {
        return rc;
    }
    if (insert_scan(st, stats, started_ms) != 0) {
        goto fail;
    }
    id = (int64_t)sqlite3_last_insert_rowid(st->db);
    if (insert_inputs(st, stats, id) != 0 || insert_rejects(st, stats, id) != 0 ||
        cm_store_note_newest(st, stats, id, started_ms) != 0) {
        goto fail;
    }
    if ((rc = exec(st, "COMMIT", err, errlen)) != 0) {
        rollback(st);
        return rc;
    }
    *scan_id = id;
    return CM_OK;
fail:
    rc = fail(st, "recording the scan", err, errlen);
    rollback(st);
    return rc;
}
