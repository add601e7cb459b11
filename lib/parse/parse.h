/*
 * Log parsers. One parser per log format, each a const struct cm_parser in
 * the table returned by cm_parsers(); cm_parse_sniff() picks one from the
 * content of a buffer (never from a file name).
 *
 * A parser walks a whole decoded buffer, fills one struct cm_event per record
 * and hands it to ctx->on_event. A malformed record is reported through
 * ctx->on_reject (offset, line, reason) and skipped; parsing continues at the
 * next record. Parsers never allocate per record: JSON-based formats append
 * each record's nodes to ctx->doc, which the caller may swap for a fresh
 * document from inside on_event (to hand the filled one off with its batch).
 * The input buffer must outlive every event produced from it.
 */
#ifndef CM_PARSE_PARSE_H
#define CM_PARSE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "event/event.h"

/* Order of fields in a VPC Flow Logs line, from a header or the default. */
#define CM_FLOW_MAX_COLS 64
struct cm_flow_format {
    uint8_t ncols;
    uint8_t col[CM_FLOW_MAX_COLS]; /* enum cm_flow_field, or 0xff for an unknown name */
    uint8_t known;                 /* 1 once a header (or the default) is in force */
    uint8_t tgw;                   /* the header is a Transit Gateway flow log's */
};

struct cm_domain_cache;

struct cm_parse_ctx {
    struct cm_json_doc *doc; /* current document; on_event may replace it */
    struct cm_arena *arena;  /* per-batch memory for unescaped strings (may be
                                NULL: escaped strings then stay raw); on_event
                                may replace it together with doc */
    uint32_t file_id;        /* copied into each event's src.file_id */
    uint64_t offset_base;    /* added to offsets (when a stream is parsed in chunks) */
    uint32_t line_base;      /* lines before this chunk */
    /*
     * Called for every good record. The event and the strings it points to
     * are valid until the batch holding ctx->doc and the input is released;
     * the callee copies the struct if it keeps it. Return 0 to go on, a
     * negative CM_E* to stop parsing (returned by parse()).
     */
    int (*on_event)(void *ud, struct cm_event *ev);
    /* Called for every rejected record (kind: the format's kind). */
    void (*on_reject)(void *ud, enum cm_event_kind kind, uint64_t offset, uint32_t line,
                      const char *reason);
    /*
     * Called for every good record that no detector reads, instead of
     * on_event (what: a static name such as "CloudTrail Insights"), so
     * the caller can count it; NULL: such records pass unseen.
     */
    void (*on_skip)(void *ud, enum cm_event_kind kind, const char *what);
    /*
     * Maps an offset of the text parsed (offset_base added) to the input's,
     * for the byte numbers a reject's reason names; NULL: the same. Set when
     * the text was unwrapped (cwl.c): an offset becomes that of the log event
     * whose message held it, as on_reject's own offset is.
     */
    uint64_t (*map_offset)(void *ud, uint64_t offset);
    void *ud;
    /*
     * Where to build the next event, or NULL. A parser may fill *slot and
     * pass it to on_event, sparing the callee a copy (the scan points it at
     * the next free place in its batch); on_event may move it. Parsers read
     * it afresh for every record and never rely on it.
     */
    struct cm_event *slot;
    struct cm_flow_format flow_fmt; /* VPC flow state carried across chunks */
    /* The suffix set that splits DNS query names (base/psl.h); NULL: libpsl's. Borrowed. */
    const struct cm_psl *psl;
    /* Where the DNS parser keeps names it has split (base/domain_cache.h); NULL: none. Borrowed. */
    struct cm_domain_cache *dcache;
};

struct cm_parser {
    const char *name; /* "cloudtrail", "vpcflow", "dns" */
    enum cm_event_kind kind;
    /* Confidence 0..100 that buf (the start of an input) is this format. */
    int (*sniff)(const char *buf, size_t len);
    /*
     * Parses buf[0..len). Returns 0 when the buffer was walked to the end
     * (rejected records do not make it fail), or the first negative value an
     * on_event callback returned, or CM_ENOMEM / CM_E2BIG.
     */
    int (*parse)(struct cm_parse_ctx *ctx, const char *buf, size_t len);
};

extern const struct cm_parser cm_parser_cloudtrail;
extern const struct cm_parser cm_parser_vpcflow;
extern const struct cm_parser cm_parser_dns;

/*
 * Where a stream of concatenated CloudTrail files ({"Records":[...]} after
 * {"Records":[...]}, as zcat of many files gives) may be cut so both pieces
 * parse alone: the offset of the last file start in buf[from..len) that
 * follows a '}', or 0 when there is none. A caller that reads on keeps
 * from = len - CM_PARSE_CT_MARK_LEN so no byte is looked at twice.
 */
size_t cm_parse_ct_cut(const char *buf, size_t len, size_t from);

/* How a CloudTrail file begins, as CloudTrail writes it. */
#define CM_PARSE_CT_MARK     "{\"Records\""
#define CM_PARSE_CT_MARK_LEN (sizeof(CM_PARSE_CT_MARK) - 1)

/*
 * The name of the AWS log buf[0..len) is when it is one coalmine does not
 * read ("AWS Config", "CloudTrail digest", "Elastic Load Balancing access
 * log", ...; other_logs.c), else NULL. For inputs no parser took: the scan
 * skips them by name instead of rejecting them as unrecognised.
 */
const char *cm_parse_other_log(const char *buf, size_t len);

/*
 * For an input that begins as another AWS log (cm_parse_other_log): the
 * parser of the source whose records follow it anywhere in buf (a CloudTrail
 * file, an EventBridge event of a call, a record on its own line, a Resolver
 * record), as a concatenation (cat, zcat of many, a stream archive) holds
 * them, else NULL. The scan skips the input only when this is NULL, and
 * otherwise parses it so the other log is rejected and the records kept.
 */
const struct cm_parser *cm_parse_source_after_other(const char *buf, size_t len);

/* The table of all parsers, NULL-terminated. */
const struct cm_parser *const *cm_parsers(void);

/* The parser for a name ("cloudtrail", "vpcflow", "dns"), or NULL. */
const struct cm_parser *cm_parser_by_name(const char *name);

/*
 * Picks the parser whose sniff() is most confident for buf, or NULL when none
 * reaches a usable confidence (the input is not a log we know).
 */
const struct cm_parser *cm_parse_sniff(const char *buf, size_t len);

struct cm_flow_format;

/*
 * cm_parse_sniff, also taking header-less flow log lines in the fields the
 * user gave (flow_fields; NULL: none). Sets *fmt to the flow format the input
 * starts with: those fields when its first line has as many, else none (a
 * header line or the default format then decides).
 */
const struct cm_parser *cm_parse_sniff_flow(const char *buf, size_t len,
                                            const struct cm_flow_format *flow_fields,
                                            struct cm_flow_format *fmt);

/* Initialises a context (doc borrowed, callbacks set by the caller). */
void cm_parse_ctx_init(struct cm_parse_ctx *ctx, struct cm_json_doc *doc);

/* 1-based line number of offset in buf (counts newlines; for error reports). */
uint32_t cm_parse_line_of(const char *buf, size_t offset);

/* Newlines in buf[from..to) (for line numbers counted piece by piece). */
uint32_t cm_parse_count_lines(const char *buf, size_t from, size_t to);

/*
 * Length of what CloudWatch Logs tools write before each message at buf[i],
 * 0 when buf[i..len) does not start with it: an ISO-8601 time and one space
 * ("2025-03-04T10:00:00.000Z ", an export task's files; `aws logs tail
 * --format short` writes "2025-03-04T10:00:00 ", UTC), and with `aws logs
 * tail`'s default form the log stream's name and a space after it
 * ("2025-03-04T10:00:00.000000+00:00 vpc-0123_i-0456 {...}"; see parse.c for
 * when a word is taken for a stream). Cheap to call on every line: anything
 * not shaped "dddd-dd-ddT" is turned away unparsed.
 */
size_t cm_parse_cwl_prefix(const char *buf, size_t len, size_t i);

/* The export prefix before a JSON record ("<time> {...}") at buf[i], else 0. */
static inline size_t cm_parse_cwl_json_prefix(const char *buf, size_t len, size_t i)
{
    size_t k;

    if (i >= len || buf[i] == '{') {
        return 0; /* the usual case, decided without a call */
    }
    k = cm_parse_cwl_prefix(buf, len, i);
    return k > 0 && buf[i + k] == '{' ? k : 0;
}

/* The first offset at or after i in buf[0..len) that is not JSON whitespace. */
static inline size_t cm_parse_skip_ws(const char *buf, size_t len, size_t i)
{
    while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' || buf[i] == '\t')) {
        i++;
    }
    return i;
}

/*
 * Lenient end of the JSON value starting at buf[start]: follows only quotes,
 * backslashes and bracket nesting (no validation), so a value with bad UTF-8,
 * a bad escape or a bad number can be stepped over. Returns the offset just
 * past the value, or 0 when the structure does not close before len.
 */
size_t cm_parse_skip_value(const char *buf, size_t len, size_t start);

/*
 * VPC flow helpers shared with tests and generators: field name <-> id, and
 * the default v2 format.
 */
int cm_flow_field_by_name(struct cm_str name);
const char *cm_flow_field_name(enum cm_flow_field f);
void cm_flow_format_default(struct cm_flow_format *fmt);

/*
 * Reads a flow log's fields as AWS shows its LogFormat ("${version}
 * ${account-id} ...") or as the names alone, separated by spaces or commas.
 * Returns 0, or CM_EINVAL with err saying which field is wrong (not a field
 * name, given twice, more than CM_FLOW_MAX_COLS).
 */
int cm_flow_format_parse(const char *spec, struct cm_flow_format *fmt, char *err, size_t errlen);

/*
 * True when the first line of buf (after a CloudWatch Logs export time, if
 * any) has as many printable fields as fmt: header-less lines the caller says
 * are in fmt, such as a custom-format flow log's records out of CloudWatch Logs.
 */
bool cm_flow_format_fits(const struct cm_flow_format *fmt, const char *buf, size_t len);
/* Whether line p[0, len) (no line end) is a flow log's header line, as the parser takes one. */
bool cm_flow_line_is_header(const char *p, size_t len);

#endif
