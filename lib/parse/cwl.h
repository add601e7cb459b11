/*
 * CloudWatch Logs wrappers. Resolver query logs, VPC flow logs and CloudTrail
 * can all be sent to CloudWatch Logs, and reach a file from there wrapped:
 *
 *   - a subscription's deliveries, which Firehose writes to S3 one after the
 *     other: {"messageType":"DATA_MESSAGE","owner":...,"logGroup":...,
 *     "logStream":...,"subscriptionFilters":[...],"logEvents":[{"id":...,
 *     "timestamp":...,"message":"<record>"},...]}; a CONTROL_MESSAGE (the
 *     health check CloudWatch Logs sends first) carries no record;
 *   - awscli's `aws logs filter-log-events` and `get-log-events` output:
 *     {"events":[{...,"message":"<record>",...},...],...}.
 *
 * CloudTrail's event history comes wrapped the same way, the record an
 * escaped string in each event: `aws cloudtrail lookup-events` output
 * (LookupEvents' response, boto3's lookup_events pages as JSON) is
 * {"Events":[{"EventId":...,...,"CloudTrailEvent":"<record>"},...],
 * "NextToken":...}; it is unwrapped as a log event list whose message is
 * "CloudTrailEvent".
 *
 * cm_cwl_unwrap() copies each message out, unescaped, one per line, so the
 * format's own parser can read them, and keeps a map from every message back
 * to its log event in the input: the evidence of a record is the log event
 * object that carried it, at its offset and line in the file. (An export
 * task's "<time> <message>" lines need no unwrapping: the parsers skip the
 * time themselves, see cm_parse_cwl_prefix.) Pure: no I/O.
 */
#ifndef CM_PARSE_CWL_H
#define CM_PARSE_CWL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/str.h"

/* One log event: where its message went, and where the event is in the input. */
struct cm_cwl_piece {
    uint64_t out_off;  /* first byte of the message in the unwrapped text */
    uint64_t src_off;  /* the log event object's '{' in the input */
    uint32_t src_len;  /* the log event object's length */
    uint32_t src_line; /* 1-based line of src_off in the input */
    uint32_t origin;   /* 1 + its delivery's index in cm_cwl.origin; 0: none known */
    /*
     * The log event's identity: cm_cwl_event_id() of its string "id" (a subscription
     * delivery's logEvents[].id) or "eventId" (awscli's events[].eventId), mixed with the
     * name of its log stream (the delivery's "logStream", read before its log events, or
     * the event's "logStreamName"). CloudWatch Logs' own identity of the event, the same in
     * every delivery of it (a Firehose retry, a re-run export over an overlapping window).
     * 0: the event carries none (export tasks, `aws logs tail`, get-log-events, CloudTrail's
     * look-up events).
     */
    uint64_t id;
};

/*
 * What a subscription delivery says of its log events' source (cm_cwl_origin_of):
 * "owner", the account of the log group (a well-formed account id, else empty:
 * a CONTROL_MESSAGE's owner is "CloudwatchLogs"), and the VPC a Route 53
 * Resolver log stream is named after (cm_cwl_stream_vpc). Empty strings when
 * the delivery says nothing.
 */
struct cm_cwl_origin {
    char account[16];
    char vpc[24];
};

/* A log event or wrapper that could not be read, and why. */
struct cm_cwl_bad {
    uint64_t off;
    uint32_t line;
    char reason[112];
};

struct cm_cwl {
    struct cm_buf out; /* the messages, each followed by '\n' */
    struct cm_cwl_piece *piece;
    size_t npiece, piece_cap;
    struct cm_cwl_bad *bad;
    size_t nbad, bad_cap;
    struct cm_cwl_origin *origin; /* the deliveries that named an owner or a VPC */
    size_t norigin, origin_cap;
    /*
     * Where the log group changes: run[k] is the first piece of a delivery whose
     * "logGroup" is not the one of the delivery with pieces before it (one Firehose
     * stream fed by the subscription filters of several log groups: Resolver query
     * logs, flow logs, CloudTrail). Empty when every piece is of one log group.
     */
    size_t *run;
    size_t nrun, run_cap;
    uint64_t control;       /* log events of control messages, left out */
    uint64_t lookup;        /* lists of CloudTrail look-up events (Events) read */
    size_t max_pieces;      /* stop once this many messages are out (0: all); set after init */
    bool full_reader;       /* read every log event with the JSON reader (tests compare) */
    uint64_t fast;          /* of the pieces, those the one-pass reader read */
    struct cm_json_doc doc; /* scratch for one log event at a time */
};

/*
 * True when buf (the start of an input) is a CloudWatch Logs wrapper: a JSON
 * object whose first member is one of a subscription delivery's or awscli's
 * ("messageType", "owner", "logGroup", "logStream", "subscriptionFilters",
 * "logEvents", "events"; "Events" for CloudTrail's look-up events), with a
 * log event list in the first bytes.
 */
int cm_cwl_sniff(const char *buf, size_t len);

/*
 * The hash of a log event id's raw JSON string content (never 0): a fixed seed, so
 * it is the same in every run and on every machine (pieces' ids reach --state).
 * cwl_id.c.
 */
uint64_t cm_cwl_event_id(const char *p, size_t len);

/*
 * cm_cwl_event_id of the log event object at root of d (its text d's source): its first
 * string "id", else its first string "eventId", raw; 0 when it has neither.
 */
uint64_t cm_cwl_event_id_of(const struct cm_json_doc *d, uint32_t root);

/*
 * Makes the ids of pieces [from, c->npiece) their log stream's: an id names a log event
 * within its stream, whose name comes with each delivery of it (a subscription's
 * "logStream", awscli's "logStreamName"), so a copy gets the same id whichever way it came.
 */
void cm_cwl_stream_ids(struct cm_cwl *c, size_t from, struct cm_str stream);

/* Empties c's text, pieces, bad events and counts (its memory is kept). */
void cm_cwl_empty(struct cm_cwl *c);

/* Initialises c; the unwrapped text is capped at max bytes (0: no cap). */
void cm_cwl_init(struct cm_cwl *c, size_t max);
void cm_cwl_finish(struct cm_cwl *c);

/*
 * Unwraps the whole of buf[0..len) into c (emptied first). Wrappers may
 * follow one another with or without whitespace between them. A log event
 * that is not valid JSON or has no string "message", and a wrapper that is
 * cut short or is not a wrapper, are noted in c->bad and skipped; the rest
 * is still read. Returns 0, CM_ENOMEM, or CM_E2BIG (the text passed the cap,
 * or len is 4 GiB or more).
 *
 * A log event of the usual shape (string and integer members with plain
 * names, one string "message" without \u escapes) is read in one pass that
 * unescapes the message as it finds its end; any other is parsed by the JSON
 * reader, which also reports what is wrong with a bad one. Both give the same
 * text and map (c->full_reader sends every event to the JSON reader, so tests
 * can compare them).
 */
int cm_cwl_unwrap(struct cm_cwl *c, const char *buf, size_t len);

/*
 * Puts c's messages, with their pieces, in the order of their records'
 * "eventTime"; records of one second keep the order they came in, or are
 * reversed too when the list came newest first (its first record is not
 * older than its last, as LookupEvents answers). Nothing moves when one has
 * no eventTime, or when they are in order and end newer than they begin. cm_cwl_unwrap calls it
 * when it read CloudTrail's look-up events: LookupEvents answers newest first, page after page, and
 * the detectors read a file's records in the order they come (a rate limit or a burst counted
 * backwards is not the same). Returns 0 or CM_ENOMEM (c unchanged).
 */
int cm_cwl_order_by_time(struct cm_cwl *c);

/*
 * The origin of piece pc (its delivery's owner and VPC), or NULL when its
 * delivery named neither (awscli output, CloudTrail look-up events).
 */
const struct cm_cwl_origin *cm_cwl_origin_of(const struct cm_cwl *c, const struct cm_cwl_piece *pc);

/*
 * Gives pieces [from, c->npiece) the origin of the delivery whose "owner" and
 * "logStream" (raw JSON string contents; CM_STR_NULL when absent) are owner
 * and stream; nothing when neither names an account or a VPC. Deliveries that
 * say the same in a row share one origin. cm_cwl_unwrap calls it after each
 * delivery, and after each awscli event with a "logStreamName". Returns 0 or
 * CM_ENOMEM.
 */
int cm_cwl_set_origin(struct cm_cwl *c, size_t from, struct cm_str owner, struct cm_str stream);

/* Notes that a run of another log group starts at piece from (c->run). Returns 0 or CM_ENOMEM. */
int cm_cwl_add_run(struct cm_cwl *c, size_t from);

/*
 * The VPC id a log stream's name starts with: "vpc-" and 8 or 17 lower-case
 * hex digits, then the end or a character that is no letter or digit
 * ("vpc-0a1b2c3d4e5f67890_i-0123..."; Route 53 Resolver names its log
 * streams after the VPC whose queries they hold). An empty slice otherwise.
 */
struct cm_str cm_cwl_stream_vpc(struct cm_str stream);

/*
 * The log event whose message holds byte off of the unwrapped text, or NULL
 * when there is none (no pieces).
 */
const struct cm_cwl_piece *cm_cwl_locate(const struct cm_cwl *c, uint64_t off);

/*
 * cm_cwl_locate for a caller that asks in the order of the text: *cursor (0
 * at first) is the index of the piece found last, and the piece there or the
 * next one is tried before a binary search. The answer is the same whatever
 * *cursor holds.
 */
const struct cm_cwl_piece *cm_cwl_locate_from(const struct cm_cwl *c, uint64_t off, size_t *cursor);

#endif
