/*
 * The batch scan pipeline (DESIGN.md §5): reader threads read, inflate,
 * sniff and parse inputs into batches of events; batches are published to
 * the worker shards strictly in input order (a reorder ring), so the result
 * does not depend on thread timing; each worker owns one detection engine
 * and sees the events whose entity key hashes to it. Detections go to the
 * caller's sink, serialised by a mutex.
 *
 * With one thread the same steps run inline on the calling thread, with no
 * copies of events and a JSON tape reset per record.
 */
#ifndef CM_CORE_SCAN_H
#define CM_CORE_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/shard.h"
#include "detect/detect.h"
#include "detect/fileseen.h"
#include "event/finding.h"

#define CM_SCAN_KINDS CM_EV_KIND_COUNT

/*
 * One reject kept with detail. The kept ones are the first max_rejects in input order
 * (file_id), then in the order the file's reader met them (seq), whatever order the reader
 * threads noted them in: the same inputs give the same list at any --threads.
 */
struct cm_scan_reject {
    int kind;         /* enum cm_event_kind, or 0 for a file-level problem */
    const char *path; /* borrowed from the input table */
    uint64_t offset;
    uint32_t line;
    uint32_t file_id; /* the input's place in processing order */
    uint64_t seq;     /* the reject's place among its input's */
    char reason[200];
};

/* Other AWS logs a scan skipped, by name (cm_parse_other_log, CloudTrail Insights events). */
#define CM_SCAN_MAX_SKIPS 16
struct cm_scan_skip {
    const char *what; /* static */
    uint64_t files;   /* whole inputs of it */
    uint64_t records; /* records of it inside inputs that were read */
};

/* What a skipped input is counted as when an earlier scan with the same --state read it. */
#define CM_SCAN_READ_BEFORE "read by an earlier scan"
/*
 * What an input is counted as when it was read, whole and undamaged, and held no record at
 * all: a flow log of only its header, a CloudTrail file of an empty list, an event history
 * page with no events; and one that held only CloudWatch Logs control messages (a Firehose
 * delivery stream's health check). Not errors, but not silent either.
 */
#define CM_SCAN_NO_RECORDS  "no records (a header or an empty list)"
#define CM_SCAN_CWL_CONTROL "CloudWatch Logs control messages only"
/* What one of the scan's own files (cm_scan_opts.own_files) found among the inputs is. */
#define CM_SCAN_OWN_FILE "the scan's own file (--state, --db, --stats, --metrics)"
/* What records outside cm_scan_opts' window, and inputs left unread for it, count as. */
#define CM_SCAN_OUTSIDE "outside --since/--until"

/* An input's identity (cm_scan_opts.file_ids): none, read whole, or left out as read before. */
enum { CM_SCAN_ID_NONE = 0, CM_SCAN_ID_READ, CM_SCAN_ID_BEFORE };

/*
 * Seconds a gzip file cut short must have been left unchanged before a scan that remembers
 * the files it reads (--state) takes it as damaged for good, reads what it holds and
 * remembers it; changed more recently, it is taken for a download in progress and left
 * unread and unremembered until it is complete.
 */
#define CM_SCAN_SETTLE_S (15 * 60)

struct cm_map;
struct cm_input_listed;

/* What became of one input. */
struct cm_scan_input {
    char *path;             /* owned */
    uint64_t size;          /* bytes as stored */
    int64_t time_ms;        /* ordering time (key stamp or first record), INT64_MIN: none,
                               INT64_MAX: after the rest (CloudTrail look-up events) */
    int kind;               /* enum cm_event_kind of its format, 0 when not recognised */
    uint64_t records;       /* good records */
    uint64_t rejected;      /* malformed records */
    uint64_t skipped;       /* good records no detector reads (CloudTrail Insights, ...) */
    const char *skipped_as; /* static: what the input was skipped as whole (another AWS log,
                               an empty file), else what its first skipped record is; NULL */
    int damaged;            /* a file-level problem was reported (see rejects) */
    uint64_t noted;         /* rejects noted, record- and file-level */
    int id_state;           /* CM_SCAN_ID_*: what id is */
    bool fetch_failed;      /* an S3 object whose GET failed (a reject): a follow reads it
                               again later */
    bool gone;              /* ... because it is no longer there (NoSuchKey, rewritten since) */
    bool in_progress;       /* a gzip cut short and changed in the last CM_SCAN_SETTLE_S, left
                               unread (cm_scan_opts.defer_in_progress) */
    bool held_tail;         /* a plain log's unfinished last line, held back (changed in the
                               last CM_SCAN_SETTLE_S): what came before it read */
    struct cm_file_id id;   /* the file's identity (read whole: of the bytes read) */
    int64_t newest_ms;      /* its newest good record's event time (0: none) */
    int64_t newest_data_ms; /* its newest S3 data event's (CloudTrail, Data, S3; 0: none) */
    const char *place;      /* the account and region of its newest record, "ACCOUNT\0REGION",
                               one copy shared by every input of the pair (cm_scan_stats.places);
                               NULL: none; read with cm_scan_input_account() and _region() */
};

/*
 * A plain log read line by line by a scan that remembers files (file_ids): where a later
 * scan resumes it should it grow (detect/filegrow.h), and what it was resumed from. Kept
 * beside the inputs, for the few plain files (a row of cm_scan_input stays 128 bytes).
 */
struct cm_scan_grown {
    uint32_t input;            /* its index in cm_scan_stats.inputs */
    uint64_t len, lines;       /* the end of its last whole line read, the lines before it */
    struct cm_file_id id;      /* the identity of the file cut at len */
    uint64_t resumed_from;     /* read from this length on (it grew since); 0: read whole */
    struct cm_file_id resumed; /* the identity of the file cut there */
};

/* The account of input in's newest record, and its region ("" unknown). */
const char *cm_scan_input_account(const struct cm_scan_input *in);
const char *cm_scan_input_region(const struct cm_scan_input *in);

struct cm_scan_stats {
    uint64_t files;                   /* inputs read */
    uint64_t bytes_in;                /* bytes as stored */
    uint64_t bytes_decoded;           /* bytes after inflate */
    uint64_t records[CM_SCAN_KINDS];  /* good data records per kind */
    uint64_t rejected[CM_SCAN_KINDS]; /* malformed records per kind */
    uint64_t rejected_files;          /* unreadable, unrecognised, damaged inputs */
    uint64_t detections;              /* detections emitted by detectors */
    uint64_t findings;                /* distinct findings (set by the caller's sink) */
    struct cm_state_stats state;      /* detectors' keyed state over all shards (peaks summed) */
    struct cm_det_states dets;        /* the same by detector */
    double seconds;                   /* wall clock */
    double cpu_seconds; /* CPU time of every thread of the process over the same span */
    uint64_t peak_rss_kb;
    uint64_t peak_batches; /* the most event batches alive at once (threaded path) */
    /* Per worker (shard) in shard order, owned: the records its engine took and its
     * thread's CPU time. With one thread, the one engine, and the CPU time of the thread
     * that read and analysed everything over the run. */
    struct cm_scan_worker {
        uint64_t events;
        double cpu_seconds;
    } * workers;
    size_t nworkers;
    struct cm_scan_reject *rejects; /* the first max_rejects, owned */
    size_t nrejects;
    struct cm_scan_input *inputs; /* every input in processing order, owned */
    size_t ninputs;
    struct cm_scan_grown *grown; /* the plain logs' resume points (file_ids), owned */
    size_t ngrown, grown_cap;
    struct cm_map *places; /* the (account, region) pairs of the inputs' place, owned */
    /* Set aside, not errors: good records no detector reads (per kind), inputs that are
     * other AWS logs or empty, and both by name, in name order. */
    uint64_t skipped[CM_SCAN_KINDS];
    uint64_t skipped_files;
    struct cm_scan_skip skips[CM_SCAN_MAX_SKIPS];
    size_t nskips;
    /* Read once, not twice: paths naming a file already listed (a directory and a file in
     * it, a file given twice, a hard or symbolic link), and records read already: CloudTrail
     * records whose eventID (another trail's delivery), flow and Resolver records whose
     * CloudWatch Logs event id (another delivery of the log event: a Firehose retry, an
     * overlapping export) was read (detect/seen.h); the total, then by kind. */
    uint64_t repeated_paths;
    uint64_t repeated;
    uint64_t repeated_kind[CM_SCAN_KINDS];
    /* Threat-list matches a trusted list suppressed in the detectors (spec §4.3: no
     * detection made); the detections dropped for a trusted entity after are the sink's. */
    uint64_t trusted;
    /* Inputs whose CloudTrail records were read in event-time order, not as written. */
    uint64_t reordered;
    /*
     * DNS records by how their instance is known (enum cm_dns_srcid): as
     * logged, named by the inventory from (vpc_id, srcaddr), or none (an
     * inbound endpoint's client; no instance known at the address). The DNS
     * detectors judge only the first two.
     */
    uint64_t dns_srcid[CM_DNS_SRCID_COUNT];
    /* Records (per kind) older than the last tick of their source's clock when they came:
     * the detectors had closed windows past them (cm_engine_stats.late_kind). */
    uint64_t late[CM_SCAN_KINDS];
};

struct cm_scan_progress {
    uint64_t files_done, files_total;
    uint64_t bytes_in, bytes_total;
    uint64_t records;
    double seconds;
};

struct cm_scan_opts {
    unsigned threads;       /* reader threads = worker shards; 0: online CPUs */
    size_t max_input_bytes; /* cap on one decoded input (default and max 4 GiB - 1) */
    unsigned batch_events;  /* events per batch (default 1024) */
    size_t max_rejects;     /* rejects kept with detail (default 20) */
    uint64_t seed;          /* shard hash seed */
    /*
     * Batches read and not yet released by every worker, past which a reader
     * waits before it starts another input (default 2 per thread). It keeps
     * the readers close enough to the workers that what the workers read is
     * still in the cache.
     */
    unsigned live_batches;
    const struct cm_detector *const *detectors; /* NULL: cm_detectors() */
    /*
     * Detector state carried between runs (core/shard.h); NULL: every engine
     * starts empty and every window closes at the end. Shard i's engine is
     * the i-th of threads; a run with one thread has one.
     */
    const struct cm_engine_hooks *state;
    /*
     * Input files earlier scans read whole (the state file's; detect/fileseen.h): a
     * file whose identity is in it is left out before it is read and counted as
     * skipped, CM_SCAN_READ_BEFORE. NULL: every file is read.
     */
    const struct cm_fileseen *files_seen;
    /* Note each file's identity in its cm_scan_input (id, id_state) once it is read. */
    bool file_ids;
    /*
     * With file_ids: a gzip cut short and changed in the last CM_SCAN_SETTLE_S (a download
     * in progress) is left unread and marked in_progress, not noted as a reject: the
     * caller offers it again (`scan --follow`, core/follow.h).
     */
    bool defer_in_progress;
    /*
     * The scan's own files (the state file and its lock, the store and its journals,
     * the --stats output): one found among the inputs (kept in the folder scanned) is
     * set aside unread, CM_SCAN_OWN_FILE, not rejected as a log of no known format.
     */
    const char *const *own_files;
    size_t nown_files;
    /*
     * A window of event time (`scan --since/--until`): with window set, only records
     * with since_ms <= time < until_ms are analysed; the others are skipped (counted as
     * CM_SCAN_OUTSIDE), and an input whose object key's stamp is more than a day
     * (CM_INPUT_HORIZON_MS) before since_ms or after until_ms is left unread: AWS
     * delivers a record within minutes of it, and a record more than a day after its
     * input's stamp is rejected anyway. INT64_MIN / INT64_MAX: open on that side.
     */
    bool window;
    int64_t since_ms, until_ms;
    struct cm_detect_opts detect;
    /*
     * Region of records that carry none and whose object key names none
     * (default-format flow logs outside an AWSLogs/ path); NULL: none, and
     * their detections cannot become findings.
     */
    const char *default_region;
    /*
     * The fields of flow log lines in an input with no header line (custom
     * format flow logs out of CloudWatch Logs); NULL: the default format. A
     * header line in an input still wins.
     */
    const struct cm_flow_format *flow_fields;
    /*
     * The S3 client "s3://bucket[/prefix]" paths are listed and read with (aws/s3.h); each
     * reader thread makes its own connection. NULL: such a path is an error.
     */
    struct cm_s3 *s3;
    /* S3 objects listed already, read after the paths' inputs are collected (a follow of
     * an S3 location, core/follow_s3.h): no LIST is made for them (source/input.h). */
    const struct cm_input_listed *s3_listed;
    size_t ns3_listed;
    /* Called at most every progress_ms from some thread; may be NULL. */
    void (*progress)(void *ud, const struct cm_scan_progress *p);
    void *progress_ud;
    unsigned progress_ms;
};

/*
 * Scans the inputs under paths[0..n) ("-" is standard input). Detections go
 * to sink (called under a lock). Fills stats (free with cm_scan_stats_free).
 * Returns 0 when the scan ran (bad records and files are counted, not
 * errors), CM_EIO when a path cannot be read (err says which), CM_ENOMEM, or
 * a sink/detector error.
 */
int cm_scan_run(const struct cm_scan_opts *opts, char *const *paths, size_t n, struct cm_sink *sink,
                struct cm_scan_stats *stats, char *err, size_t errlen);
void cm_scan_stats_free(struct cm_scan_stats *stats);

/* The reader threads and shards a scan with o runs: o->threads, else the online CPUs (<= 256). */
unsigned cm_scan_threads(const struct cm_scan_opts *o);

#endif
