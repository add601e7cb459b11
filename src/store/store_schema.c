/*
 * The store's schema: its migrations (see store.c, which runs them, and
 * docs/internals/store.md, which describes each version).
 */
#include "store/store.h"
#include "store/store_impl.h"

const char *const cm_store_migrations[] = {
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
     * object from feature name to ENABLED/DISABLED), its tags (a JSON
     * object) and the clientToken it was created with (a retried
     * CreateDetector gets the same detector). The publishing frequency stays
     * the store's setting.
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
    " client_token TEXT,"
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
    /*
     * 13 -> 14: canary and scheduled events through the outbox, the state each target
     * last took of a finding, and where a canary check came from (docs/internals/bus.md,
     * docs/internals/canary.md). An outbox row either publishes a finding (fid) or
     * carries its event whole (event: a canary result, source 'canary', or a scheduled
     * rule's fire, source 'schedule'; name: the check or the rule), written in the
     * transaction that records the result or moves the rule's last fire, and routed,
     * retried and given up like a finding's. The table is rebuilt (fid becomes
     * nullable; seq values kept, so deliveries keep their rows; foreign keys are off
     * during migrations). delivered_state: per finding, rule and target, the event id
     * of the state the target last took, so a released update carrying the state a
     * retry already delivered is not sent again. canaries.origin: 'config' for a check
     * coalmine.yaml made (reconciled with the file), NULL for `canary put`'s.
     */
    "CREATE TABLE outbox14 ("
    " seq INTEGER PRIMARY KEY,"
    " fid INTEGER REFERENCES findings(seq) ON DELETE CASCADE,"
    " created_ms INTEGER NOT NULL,"
    " done INTEGER NOT NULL DEFAULT 0,"
    " source TEXT,"
    " name TEXT,"
    " event TEXT);"
    "INSERT INTO outbox14(seq, fid, created_ms, done)"
    " SELECT seq, fid, created_ms, done FROM outbox ORDER BY seq;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox14 RENAME TO outbox;"
    "CREATE INDEX outbox_pending ON outbox(done, seq);"
    "CREATE INDEX outbox_finding ON outbox(fid);"
    "CREATE TABLE delivered_state ("
    " fid INTEGER NOT NULL REFERENCES findings(seq) ON DELETE CASCADE,"
    " rule TEXT NOT NULL,"
    " target TEXT NOT NULL,"
    " event_id TEXT NOT NULL,"
    " PRIMARY KEY (fid, rule, target)) WITHOUT ROWID;"
    "ALTER TABLE canaries ADD COLUMN origin TEXT;",
    /*
     * 14 -> 15: publishing destinations (store_pubdest.c, docs/internals/publishing.md):
     * GuardDuty's S3 export, at most one per detector. exported_seq is the outbox seq up
     * to which findings were written (what is past it is owed); the status, the failure's
     * start, the failures in a row and the next attempt (next_ms) after a backoff; counts
     * and the last object written.
     */
    "CREATE TABLE publishing_destinations ("
    " id TEXT PRIMARY KEY,"
    " detector_id TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL,"
    " destination_arn TEXT NOT NULL,"
    " kms_key_arn TEXT,"
    " status TEXT NOT NULL,"
    " last_error TEXT,"
    " last_key TEXT,"
    " client_token TEXT,"
    " failure_ms INTEGER NOT NULL DEFAULT 0,"
    " exported_seq INTEGER NOT NULL DEFAULT 0,"
    " next_ms INTEGER NOT NULL DEFAULT 0,"
    " failures INTEGER NOT NULL DEFAULT 0,"
    " exported INTEGER NOT NULL DEFAULT 0,"
    " objects INTEGER NOT NULL DEFAULT 0,"
    " last_ms INTEGER NOT NULL DEFAULT 0,"
    " created_ms INTEGER NOT NULL,"
    " updated_ms INTEGER NOT NULL);",
};

const size_t cm_store_nmigrations = sizeof(cm_store_migrations) / sizeof(cm_store_migrations[0]);

_Static_assert(sizeof(cm_store_migrations) / sizeof(cm_store_migrations[0]) ==
                   CM_STORE_SCHEMA_VERSION,
               "one migration per schema version");
