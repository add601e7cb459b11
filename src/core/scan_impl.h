/*
 * What scan.c (the run: tickets, publishing, workers, progress) and
 * scan_read.c (reading and parsing one input) share. Private to the two.
 */
#ifndef CM_CORE_SCAN_IMPL_H
#define CM_CORE_SCAN_IMPL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/domain_cache.h"
#include "detect/ct.h"
#include "parse/cwl.h"
#include "parse/parse.h"
#include "parse/rec_order.h"
#include "source/decode.h"
#include "source/input.h"
#include "core/batch.h"
#include "core/scan.h"
#include "core/shard.h"

#define RING          16
#define MAX_INPUT_CAP ((size_t)UINT32_MAX - 1)
/* Default cm_scan_opts.live_batches per thread (docs/internals/scan.md). */
#define LIVE_PER_THREAD 2
#define STDIN_CHUNK     (4u << 20)
/*
 * The longest line standard input is cut at: a longer one (no record is near it: a
 * CloudTrail event is at most 256 KB) is a reject, skipped to its end, so a stream
 * without newlines is not held whole.
 */
#define STDIN_MAX_LINE (16u << 20)
/*
 * Small inputs read under one ticket, their events in shared batches (docs/internals/scan.md,
 * "Small inputs"): inputs of GROUP_BYTES (as stored) in all, at most one a batch segment.
 * The bytes bound the work a ticket holds back from the other readers: a ticket of 128 KiB
 * of the 5-minute files of `coalmine gen` scanned slower than one input a ticket.
 */
#define GROUP_INPUTS CM_BATCH_SEGS
#define GROUP_BYTES  (32u << 10)
/* Query names a reader keeps split (about 160 bytes each): more than a VPC's hosts ask. */
#define DCACHE_SLOTS 1024

struct cm_parquet_mem;

struct unit {
    struct cm_batch *head, *tail;
    size_t n; /* batches in the list */
    int done;
};

struct scan {
    struct cm_scan_opts o;
    struct cm_batch_pool pool;
    struct cm_bufpool bufpool; /* spare decoded-input buffers (threaded path) */
    struct cm_inputs in;
    struct cm_sink *user_sink;
    struct cm_sink sink; /* locked wrapper */
    pthread_mutex_t sink_mu;
    pthread_mutex_t mu; /* tickets, ring, stats, progress */
    pthread_cond_t cv;
    size_t next_input;
    uint64_t ticket_base; /* the tickets standard input took */
    uint64_t next_tk;     /* the next ticket to hand out */
    uint64_t next_pub;    /* the oldest ticket not published */
    struct unit ring[RING];
    struct cm_shard *workers;
    unsigned nworkers;
    struct cm_scan_stats *st;
    struct timespec t0, last_progress;
    struct timespec cpu0; /* the process's CPU time at t0 */
    uint64_t files_done, bytes_done, bytes_total, records_done;
    int rc;
};

struct cm_s3_conn;

struct reader {
    struct scan *s;
    struct cm_s3_conn *s3c; /* this reader's connection to S3, made at its first object */
    struct cm_decoder dec;
    struct cm_buf raw, data;
    struct cm_parse_ctx ctx;
    struct cm_json_doc ddoc; /* direct mode */
    struct cm_arena darena;
    struct cm_domain_cache *dcache; /* the DNS query names this reader has split */
    struct cm_engine *engine;       /* direct mode: the only engine */
    struct unit unit;
    uint64_t ticket; /* the current input's (threaded path) */
    bool stream;     /* its full batches are published as they fill (cm_scan_stream) */
    struct cm_batch *cur;
    struct cm_filebuf *fb;
    struct cm_cwl cwl; /* the current input's CloudWatch Logs wrapper, unwrapped */
    bool unwrapped;    /* fb is cwl's text: locations map back through cwl */
    struct cm_buf pq;  /* the current input's Parquet rows as flow log text (source/parquet.h) */
    struct cm_parquet_mem *pqmem; /* the Parquet reader's memory, from file to file */
    bool reordered; /* ... which is the input's records put in time order (scan_order.c) */
    bool hold;      /* direct path: events are held until the input is parsed */
    struct cm_buf held_bytes; /* the held events' copies, each at a 16-byte boundary */
    struct cm_rec_span *held; /* each held event's time, and its copy's place and size */
    size_t nheld, held_cap;
    uint64_t reordered_inputs;   /* inputs whose records were put in time order */
    struct cm_event *sort_ev;    /* cm_scan_sort_batch's room: sort_cap events, */
    struct cm_rec_span *sort_sp; /* ... their order */
    uint16_t *sort_shard;        /* ... and their shards */
    uint32_t sort_cap;
    size_t cwl_cursor; /* the log event the last location mapped to (cm_cwl_locate_from) */
    uint64_t records[CM_SCAN_KINDS];
    uint64_t unread[CM_CT_UNREAD_COUNT]; /* CloudTrail records GuardDuty does not take */
    uint64_t outside[CM_SCAN_KINDS];     /* records outside the window (cm_scan_opts) */
    uint64_t input_records;              /* good records of the current input */
    uint64_t input_unread;               /* ... and those of them in unread[] */
    const char *input_unread_what;       /* the first of those's name */
    int64_t input_newest;                /* the current input's newest event time (0: none) */
    int64_t input_newest_data;           /* ... of its S3 data events (0: none) */
    char input_account[16];              /* the newest record's account ("" unknown) */
    char input_region[32];               /* ... and region */
    struct cm_str key_region;            /* region from the current input's object key, or empty */
    struct cm_str key_account;           /* account from the current input's object key, or empty */
    struct cm_str key_vpc;               /* VPC from the current input's object key, or empty */
    /* The inventory's region for a flow record's interface, the last one asked of this input. */
    char inv_region_id[32];
    size_t inv_region_id_len; /* 0: none asked yet */
    struct cm_str inv_region; /* owned by the inventory; empty: it knows none */
    int64_t horizon;          /* the current input's (cm_input_horizon) */
    int64_t clock;            /* ... and its bound on the clock (cm_input_clock_bound) */
    /* DNS records by how their instance is known (cm_scan_note_dns) */
    uint64_t dns_srcid[CM_DNS_SRCID_COUNT];
    uint64_t files, bytes_in, bytes_decoded;
    int rc;
};

/*
 * Notes a reject under the stats lock: a whole input (kind 0) or a record
 * of kind, at byte off and line of input file_id.
 */
void cm_scan_note_reject(struct scan *s, int kind, uint32_t file_id, uint64_t off, uint32_t line,
                         const char *reason);
/*
 * Counts what the scan skipped (what: a static name): a whole input (kind 0)
 * that is another AWS log, or a record of kind that no detector reads.
 */
void cm_scan_note_skip(struct scan *s, uint32_t file_id, int kind, const char *what);
/* The same, n at once (a reader's counts when it finishes). */
void cm_scan_note_skip_n(struct scan *s, int kind, const char *what, uint64_t n);
/* Notes a plain log's resume point (scan_grow.c); dropped when out of memory. */
void cm_scan_note_grown(struct scan *s, const struct cm_scan_grown *g);
/*
 * A Resolver query that names no instance gets the one the inventory binds
 * its source address to in its VPC (cm_inventory_dns_attribute), before its
 * shard is picked, so its instance's other queries meet it in one shard;
 * r counts DNS records by how their instance is known. Other kinds: nothing.
 */
void cm_scan_note_dns(struct reader *r, struct cm_event *ev);
/*
 * Keeps the newest event time of r's current input (and of its S3 data events) with the
 * account and region of that record (attributed), for cm_scan_input.newest_ms: one compare
 * a record, a copy when it is the newest yet.
 */
void cm_scan_note_newest(struct reader *r, const struct cm_event *ev);

/*
 * Fills what record ev (of r's current input) does not name (scan_attr.c): its account from
 * its subscription delivery's owner (o: cm_cwl_origin_of its piece, NULL for none), else the
 * object key's; a Resolver record's vpc_id from the VPC its delivery's log stream is named
 * after, else the key's; its region from the key, else (a flow record) the region the
 * inventory gives its interface's instance, else --region's. A record's own values stay.
 */
void cm_scan_attribute(struct reader *r, const struct cm_cwl_origin *o, struct cm_event *ev);

/* Hands a finished ticket over; publishes every consecutive finished one. Caller holds s->mu. */
void cm_scan_complete_locked(struct scan *s, uint64_t ticket, struct unit *u);

/*
 * Threaded path, a batch of r's input just filled: publishes r->unit when r's ticket is the
 * oldest unpublished one, then waits for the workers while live_batches published batches
 * are still with them; otherwise parks it, waiting (once live_batches are parked) until
 * the earlier inputs are published. Memory is then bounded by batches, not input sizes.
 */
void cm_scan_stream(struct scan *s, struct reader *r);

/* Direct path: keeps a copy of ev (its tape and strings must stay) to hand over later. */
int cm_scan_hold(struct reader *r, const struct cm_event *ev);
/* Hands the held events to the engine in time order (stable); the caller forgets them. */
int cm_scan_release_held(struct reader *r);
/* The spans of the events in batch from and the batches after it, in batch order. *out is
 * owned by the caller. Returns 0 or CM_ENOMEM. */
int cm_scan_unit_spans(const struct cm_batch *from, struct cm_rec_span **out, size_t *n);
/*
 * Puts events [from, b->n) of b, one input's, in time order where they lie (stable: the
 * direct path's order, cm_scan_release_held), counting the input as reordered when they
 * were not. Returns 0 or CM_ENOMEM (then they stay as they were).
 */
int cm_scan_sort_batch(struct reader *r, struct cm_batch *b, uint32_t from);
/* (scan_batch.c) Points the parser at segment g of batch b: its tape, the arena, the next
 * slot; g takes the input's bound on the clock. */
void cm_scan_aim_batch(struct reader *r, struct cm_batch *b, struct cm_batch_seg *g);
/* A new batch over r->fb, aimed at (NULL when out of memory). */
struct cm_batch *cm_scan_batch_new(struct reader *r);
/* Appends b to unit u. */
void cm_scan_unit_append(struct unit *u, struct cm_batch *b);
/*
 * Puts r->cur, the batch being filled, in r->unit (published with it, or as it streams when
 * r->stream), or back in the pool when it holds no event.
 */
void cm_scan_close_batch(struct reader *r);
/*
 * Makes r->cur ready for a parse of r->fb: a segment over r->fb (a tape of its own: parsers
 * begin theirs on what they parse) after the last of r->cur, the batch the ticket's earlier
 * inputs (or log groups) left partly filled; or, when r->cur has no room for one (or is NULL),
 * r->cur closed and a new batch. Between parses r->cur holds events in its last segment
 * (parse_batched drops an empty one). 0 or CM_ENOMEM.
 */
int cm_scan_next_seg(struct reader *r);

/* Reads, inflates and parses input idx (a file); 0, or CM_ENOMEM / an engine's error. */
int cm_scan_read_input(struct reader *r, uint32_t idx);

/* The same for standard input, parsed in chunks of whole lines where the format allows. */
/* (scan_stdin.c) */
int cm_scan_read_stdin(struct reader *r, uint32_t idx);

/* What scan_read.c lends scan_stdin.c (see there): */
/* Makes r->fb own the content of buf (threaded) or borrow it (direct). 0 or CM_ENOMEM. */
int cm_scan_take_buffer(struct reader *r, struct cm_buf *buf);
struct cm_inputs;
/*
 * The shard seed for a scan with workers threads that keeps no state: of seed and the
 * SPREAD_TRIES after it, the one that spreads the CloudTrail accounts of the inputs'
 * object keys (weighed by the files' sizes) most evenly (scan_spread.c).
 */
uint64_t cm_scan_spread_seed(const struct cm_inputs *in, unsigned workers, uint64_t seed);
/*
 * Replaces r->fb, a Parquet file, with its rows as flow log text (r->pq), sniffed as
 * the flow log it is: *ps its parser and r->ctx.flow_fmt its fields. Returns 0,
 * CM_ENOTFOUND when the file was rejected (noted), CM_ENOMEM.
 */
int cm_scan_parquet_rows(struct reader *r, uint32_t file_id, const struct cm_parser **ps);
/* Releases r->fb. */
void cm_scan_drop_buffer(struct reader *r);
/* Parses the decoded buffer r->fb as input file_id with ps (NULL: sniffed). */
int cm_scan_parse_buffer(struct reader *r, uint32_t file_id, const struct cm_parser *ps);
/* Why no parser took r->fb, for its reject (scan_why.c; why: room for a reason). */
const char *cm_scan_unrecognised(const struct reader *r, char *why, size_t cap);
/* "gzip" or "zstd" when input file_id is a 0-byte file named as such ("*.gz", "*.zst"), else NULL.
 */
const char *cm_scan_empty_packed(const struct scan *s, uint32_t file_id);
/* Notes a failed inflate of input idx as one reject; false when nothing is left to parse. */
bool cm_scan_decode_failed(struct reader *r, uint32_t idx, int rc, const struct cm_decode_error *de,
                           struct cm_buf *b);

/*
 * Fetches S3 input idx into r->raw (scan_s3.c): 0 when read (its identity noted with
 * file_ids), 1 when done with it (left out as read before, or rejected with S3's reason),
 * or CM_ENOMEM.
 */
int cm_scan_fetch_s3(struct reader *r, uint32_t idx);

#endif
