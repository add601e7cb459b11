/*
 * CloudTrail parser (spec §7.1). Accepts the shapes CloudTrail records travel
 * in:
 *   - S3 delivery files: {"Records":[ {record}, ... ]} (other top-level keys
 *     are ignored), also many one after another (cat or zcat of many files,
 *     a multi-member gzip);
 *   - a bare JSON array of records (exports, "aws cloudtrail lookup-events"
 *     post-processed, detonation captures);
 *   - a stream of records, one per line or concatenated and pretty-printed
 *     (CloudWatch Logs exports, Kinesis, jq -c output);
 *   - EventBridge events whose "detail" is the record ("AWS API Call via
 *     CloudTrail" and friends), in any of the shapes above.
 * (`aws cloudtrail lookup-events` output, each record an escaped string, is
 * unwrapped by cwl.c before it gets here.)
 *
 * Each record is parsed into the shared JSON document (ctx->doc) and its
 * top-level members are read in one pass (cloudtrail_record.c); requestParameters,
 * responseElements and the rest stay reachable as JSON nodes for detectors.
 * A malformed element is rejected with its offset and reason and stepped over
 * with a lenient structural skip, so one bad record never costs the rest of
 * the file.
 */
#include "parse/cloudtrail_int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/time.h"

struct ct_state {
    struct cm_parse_ctx *ctx;
    const char *buf;
    size_t len;
    struct cm_diag diag;
    size_t line_off;  /* offset up to which newlines were counted */
    uint32_t line_no; /* 1-based line at line_off */
    size_t fail_off;  /* one_value(): where the value it could not step over starts */
    char why[240];    /* ... and why */
};

/*
 * 1-based line of offset off. Records come in increasing offset order, so
 * counting newlines from the last answer keeps the cost linear in the input.
 */
static uint32_t line_at(struct ct_state *st, size_t off)
{
    if (off < st->line_off) {
        return cm_parse_line_of(st->buf, off);
    }
    st->line_no += cm_parse_count_lines(st->buf, st->line_off, off);
    st->line_off = off;
    return st->line_no;
}

static void reject(struct ct_state *st, size_t off, const char *reason)
{
    struct cm_parse_ctx *ctx = st->ctx;

    if (ctx->on_reject) {
        ctx->on_reject(ctx->ud, CM_EV_CLOUDTRAIL, ctx->offset_base + off,
                       ctx->line_base + line_at(st, off), reason);
    }
}

/* Builds and emits the event for the record object at root. */
static int emit_record(struct ct_state *st, uint32_t root, size_t start, size_t end)
{
    struct cm_parse_ctx *ctx = st->ctx;
    const struct cm_json_doc *d = ctx->doc;
    struct cm_event local, *ev = ctx->slot ? ctx->slot : &local;
    struct cm_ct *ct = &ev->u.ct;
    struct cm_str time = CM_STR_NULL, region = CM_STR_NULL;
    uint32_t rec = root, det;
    bool eventbridge, inner;
    int64_t ms;

    if (cm_json_type(d, root) != CM_JSON_OBJECT) {
        reject(st, start, "record is not a JSON object");
        return 0;
    }
    memset(ev, 0, offsetof(struct cm_event, u)); /* record_init clears the rest */
    cm_cloudtrail_record_init(ct, d, rec);
    cm_cloudtrail_record_read(ctx, d, rec, ct, &time, &region, &det, &eventbridge);
    if (det != CM_JSON_NONE) {
        /* An EventBridge event: the record is its detail. */
        time = region = CM_STR_NULL;
        cm_cloudtrail_record_init(ct, d, det);
        ct->from_eventbridge = true;
        cm_cloudtrail_record_read(ctx, d, det, ct, &time, &region, &rec, &inner);
    } else if (eventbridge) {
        /* Another service's EventBridge event (an EC2 state change, a GuardDuty finding)
         * beside CloudTrail's in an archive of all events: a good event, not a call. */
        if (ctx->on_skip) {
            ctx->on_skip(ctx->ud, CM_EV_CLOUDTRAIL, "EventBridge events not from CloudTrail");
        }
        return 0;
    }
    if (cm_str_eqc(ct->event_category, "Insight") ||
        cm_str_eqc(ct->event_type, "AwsCloudTrailInsight")) {
        /* CloudTrail Insights: a note about call rates, not a call (GuardDuty reads none). */
        if (ctx->on_skip) {
            ctx->on_skip(ctx->ud, CM_EV_CLOUDTRAIL, "CloudTrail Insights");
        }
        return 0;
    }
    if (!time.len || !ct->event_name.len || !ct->event_source.len) {
        reject(st, start,
               !time.len ? "not a CloudTrail record: no eventTime"
                         : (!ct->event_name.len ? "not a CloudTrail record: no eventName"
                                                : "not a CloudTrail record: no eventSource"));
        return 0;
    }
    if (cm_time_parse_iso(time, &ms) != 0) {
        reject(st, start, "bad eventTime (not an ISO-8601 UTC time)");
        return 0;
    }
    if (ct->source_ip_address.len && cm_ip_parse(ct->source_ip_address, &ct->source_ip) != 0) {
        ct->source_ip.family = CM_IP_NONE;
    }
    ev->kind = CM_EV_CLOUDTRAIL;
    ev->time_ms = ms;
    ev->region = region;
    ev->account = ct->recipient_account_id.len ? ct->recipient_account_id : ct->uid.account_id;
    ev->src.file_id = ctx->file_id;
    ev->src.offset = ctx->offset_base + start;
    ev->src.length = (uint32_t)((end - start) > UINT32_MAX ? UINT32_MAX : end - start);
    ev->src.line = ctx->line_base + line_at(st, start);
    return ctx->on_event(ctx->ud, ev);
}

/* The offset of the first file start (CM_PARSE_CT_MARK) in buf[from..to), or to. */
static size_t next_doc(const char *buf, size_t from, size_t to)
{
    while (to >= CM_PARSE_CT_MARK_LEN && from <= to - CM_PARSE_CT_MARK_LEN) {
        const char *q = memchr(buf + from, '{', to - CM_PARSE_CT_MARK_LEN + 1 - from);
        if (q == NULL) {
            break;
        }
        if (memcmp(q, CM_PARSE_CT_MARK, CM_PARSE_CT_MARK_LEN) == 0) {
            return (size_t)(q - buf);
        }
        from = (size_t)(q - buf) + 1;
    }
    return to;
}

/* Byte off of the buffer, as the reasons of rejects name it (ctx->map_offset). */
static unsigned long long file_off(const struct ct_state *st, size_t off)
{
    const struct cm_parse_ctx *ctx = st->ctx;
    uint64_t o = ctx->offset_base + off;

    return ctx->map_offset ? ctx->map_offset(ctx->ud, o) : o;
}

/*
 * Reports why reading stopped at off, and returns where it goes on: the next
 * file start after from (a file of a concatenation), or with by_line the next
 * line when that comes first (a stream of records), else the end.
 */
static size_t give_up(struct ct_state *st, size_t off, size_t from, bool by_line, const char *why)
{
    size_t next = st->len;
    char reason[320];

    if (from < st->len) {
        const char *nl = by_line ? memchr(st->buf + from, '\n', st->len - from) : NULL;
        size_t to = nl != NULL ? (size_t)(nl - st->buf) + 1 : st->len;

        /* The next file start, if it comes before the next line. */
        next = next_doc(st->buf, from, to);
    }
    if (next < st->len) {
        snprintf(reason, sizeof(reason), "%s; skipped to byte %llu", why, file_off(st, next));
    } else {
        snprintf(reason, sizeof(reason), "%s; rest of input skipped", why);
    }
    reject(st, off, reason);
    return next;
}

/*
 * Whether a record that broke at off was cut short by the file starting at
 * mark: the break is at or after the mark (the record ran into it), or in the
 * last token before it (a string cut inside a UTF-8 character or after a
 * backslash is reported where the character or escape began). A mark with
 * structure between the break and it is an object of the record's own.
 */
static bool cut_at(const char *buf, size_t off, size_t mark)
{
    if (mark <= off) {
        return true;
    }
    for (size_t i = off + 1; i < mark; i++) {
        if (buf[i] != '\0' && strchr("\",:[]{}", buf[i]) != NULL) {
            return false;
        }
    }
    return true;
}

static int read_members(struct ct_state *st, size_t i, bool open, size_t *pos);

/* Whether the object at root is a file, not a record: it has a "Records" array and no
 * eventName (no record has a member named Records). Every record is put to it: eventName,
 * among a record's first members, is looked for first, which ends the walk there; a walk
 * for "Records" would go over all of its members. */
static bool file_object(const struct cm_json_doc *d, uint32_t root)
{
    uint32_t r;

    return cm_json_type(d, root) == CM_JSON_OBJECT &&
           cm_json_getn(d, root, "eventName", 9) == CM_JSON_NONE &&
           (r = cm_json_getn(d, root, "Records", 7)) != CM_JSON_NONE &&
           cm_json_type(d, r) == CM_JSON_ARRAY;
}

/*
 * Parses one value at *pos into the current document. On success emits it;
 * on a syntax error rejects it and steps over it leniently. Returns 0 and
 * advances *pos; or 1 when the value cannot be stepped over alone (the input
 * ends inside it, or the next file of a concatenation begins inside it), with
 * st->why and st->fail_off set and nothing reported yet; or a negative error.
 */
static int one_value(struct ct_state *st, size_t *pos)
{
    struct cm_parse_ctx *ctx = st->ctx;
    size_t start = cm_parse_skip_ws(st->buf, st->len, *pos), end = 0, skip, mark;
    uint32_t root;
    int rc;

    if (ctx->doc->src != st->buf) {
        cm_json_doc_begin(ctx->doc, st->buf, st->len);
    }
    rc = cm_json_parse_at(ctx->doc, start, &end, &root, &st->diag);
    if (rc == 0) {
        *pos = end;
        if (file_object(ctx->doc, root)) {
            /* A file whose Records array is not its first member ({"x":..,"Records":[..]}):
             * its records, each on its own (before 2026-12-04, one reject for them all). */
            rc = read_members(st, cm_parse_skip_ws(st->buf, st->len, start), true, &skip);
            return rc < 0 ? rc : 0; /* 1: reported; reading goes on after the object */
        }
        return emit_record(st, root, start, end);
    }
    if (rc == CM_ENOMEM) {
        return rc;
    }
    /* The JSON reader's UTF-8 message names the byte already, as an offset of the text
     * parsed: say it once, as the input's (file_off maps an unwrapped text's). */
    snprintf(st->why, sizeof(st->why), "%s at byte %llu",
             rc != CM_EUTF8 && st->diag.msg[0] ? st->diag.msg : cm_strerror(rc),
             file_off(st, st->diag.offset));
    skip = cm_parse_skip_value(st->buf, st->len, start);
    /* A file start inside what the skip would step over is the next file only if the
     * record broke there or after (it was cut short); one nested in a record that broke
     * earlier is the record's own. */
    mark = skip > start ? next_doc(st->buf, start + 1, skip) : skip;
    if (skip <= start || (mark < skip && cut_at(st->buf, st->diag.offset, mark))) {
        st->fail_off = start;
        return 1;
    }
    reject(st, start, st->why);
    *pos = skip;
    return 0;
}

/*
 * Whether the member key whose opening quote is at buf[k] is "Records"; *after is just past
 * its closing quote. escaped: also when it is spelled with escapes ("Rec\u006frds"), as
 * cm_json_get reads it; the fast file-start test (file_at) looks for the plain spelling only.
 */
static bool records_key(const char *buf, size_t len, size_t k, bool escaped, size_t *after)
{
    static const char key[] = "\"Records\"";
    char dec[64];
    size_t end;

    if (len - k >= sizeof(key) - 1 && memcmp(buf + k, key, sizeof(key) - 1) == 0) {
        *after = k + sizeof(key) - 1;
        return true;
    }
    if (!escaped || k >= len || buf[k] != '"' || (end = cm_parse_skip_value(buf, len, k)) <= k ||
        end - k - 2 > sizeof(dec) || memchr(buf + k + 1, '\\', end - k - 2) == NULL ||
        cm_json_unescape(buf + k + 1, end - k - 2, dec) != sizeof(key) - 3 ||
        memcmp(dec, key + 1, sizeof(key) - 3) != 0) {
        return false;
    }
    *after = end;
    return true;
}

/* Finds the '[' of the "Records" member when the input starts {"Records":[ (escaped: see
 * records_key). */
static size_t find_records_array(const char *buf, size_t len, size_t i, bool escaped)
{
    i = cm_parse_skip_ws(buf, len, i + 1);
    if (!records_key(buf, len, i, escaped, &i)) {
        return (size_t)-1;
    }
    i = cm_parse_skip_ws(buf, len, i);
    if (i >= len || buf[i] != ':') {
        return (size_t)-1;
    }
    i = cm_parse_skip_ws(buf, len, i + 1);
    if (i >= len || buf[i] != '[') {
        return (size_t)-1;
    }
    return i;
}

/* The '[' of the Records array when a file begins at buf[i], else (size_t)-1. */
static inline size_t file_at(const char *buf, size_t len, size_t i)
{
    size_t k;

    if (buf[i] != '{') {
        return (size_t)-1;
    }
    /* A record's first key is never "Records": most are turned away at its 'R'. */
    k = cm_parse_skip_ws(buf, len, i + 1);
    if (len - k < 2 || buf[k + 1] != 'R') {
        return (size_t)-1;
    }
    return find_records_array(buf, len, i, false);
}

static int read_file(struct ct_state *st, size_t arr, size_t *pos);

/*
 * Walks the elements of an array whose '[' is at pos: a file's Records array
 * (in_file), or a bare array, of records or of files (jq -s of many files).
 * Returns 0 with *end just past its ']'; 1 when the array could not be read
 * to its end (reported, *end is where reading goes on: the next file start,
 * or for a bare array, one a line as jq -c prints them, the next line if that
 * comes first); or a negative error.
 */
/*
 * Whether reading may go on at the next line when the bare array at pos broke
 * at off: only when the array was on one line up to there (jq -c prints one a
 * line); in a pretty-printed one, the next line is the middle of a record.
 */
static bool one_line(const struct ct_state *st, size_t pos, size_t off, bool in_file)
{
    return !in_file && memchr(st->buf + pos, '\n', off - pos) == NULL;
}

static int walk_array(struct ct_state *st, size_t pos, bool in_file, size_t *end)
{
    size_t i = cm_parse_skip_ws(st->buf, st->len, pos + 1), arr, after;
    int rc;

    if (i < st->len && st->buf[i] == ']') {
        *end = i + 1;
        return 0;
    }
    for (;;) {
        i = cm_parse_skip_ws(st->buf, st->len, i);
        if (i < st->len && (arr = file_at(st->buf, st->len, i)) != (size_t)-1) {
            if (in_file) {
                /* The next file, after one cut short. */
                reject(st, i, "a file begins inside the Records array (truncated file?)");
                *end = i;
                return 1;
            }
            rc = read_file(st, arr, &i);
            if (rc != 0) {
                *end = i;
                return rc;
            }
        } else {
            rc = one_value(st, &i);
            if (rc < 0) {
                return rc;
            }
            if (rc > 0) {
                *end = give_up(st, st->fail_off, st->fail_off + 1,
                               one_line(st, pos, st->fail_off, in_file), st->why);
                return 1;
            }
        }
        after = i;
        i = cm_parse_skip_ws(st->buf, st->len, i);
        if (i >= st->len) {
            reject(st, i,
                   in_file ? "unexpected end of input inside the Records array (truncated file?)"
                           : "unexpected end of input inside an array (truncated file?)");
            *end = st->len;
            return 1;
        }
        if (st->buf[i] == ']') {
            *end = i + 1;
            return 0;
        }
        if (st->buf[i] != ',') {
            /* (the next line from the end of the last element: i may be past its newline) */
            *end = give_up(st, i, after, one_line(st, pos, after, in_file),
                           "expected ',' or ']' between records");
            return 1;
        }
        i++;
    }
}

/*
 * Reads the members of a file object from i, which is at its '{' (open) or just past a
 * member's value: the records of each "Records" array (a file has one, usually first; one that
 * comes later, or a second one, is read too, never stepped over with its records), the
 * other members stepped over. Returns 0 with *pos just past the file's '}'; 1 when it
 * could not be read to its end (reported, *pos is where reading goes on); or a negative
 * error.
 */
static int read_members(struct ct_state *st, size_t i, bool open, size_t *pos)
{
    const char *buf = st->buf;
    size_t len = st->len, next, arr, end;
    int rc;

    for (;;) {
        i = cm_parse_skip_ws(buf, len, i);
        if (i >= len || (buf[i] != '}' && buf[i] != ',' && !open)) {
            break;
        }
        if (buf[i] == '}') {
            *pos = i + 1;
            return 0;
        }
        if ((arr = find_records_array(buf, len, i, true)) != (size_t)-1) {
            rc = walk_array(st, arr, true, &end);
            if (rc != 0) {
                *pos = end;
                return rc;
            }
            i = end;
            open = false;
            continue;
        }
        next = cm_parse_skip_ws(buf, len, i + 1);
        if (open && next < len && buf[next] == '}') {
            *pos = next + 1; /* {} */
            return 0;
        }
        open = false;
        i = next;
        if (i >= len || buf[i] != '"' || (next = cm_parse_skip_value(buf, len, i)) <= i) {
            break;
        }
        i = cm_parse_skip_ws(buf, len, next);
        if (i >= len || buf[i] != ':' || (next = cm_parse_skip_value(buf, len, i + 1)) <= i) {
            break;
        }
        i = next;
    }
    *pos = give_up(st, i < len ? i : len, i, false,
                   "expected '}' or another member after the Records array");
    return 1;
}

/*
 * Reads the file whose Records array's '[' is at arr, and the members after
 * it. Returns 0 with *pos just past the file; 1 when it could not be read to
 * its end (reported, *pos is where reading goes on); or a negative error.
 */
static int read_file(struct ct_state *st, size_t arr, size_t *pos)
{
    size_t end;
    int rc = walk_array(st, arr, true, &end);

    if (rc != 0) {
        *pos = end;
        return rc;
    }
    return read_members(st, end, false, pos);
}

/*
 * Reads one top-level value at *pos: a file ({"Records":[...]} and its other
 * members), an array of records or files, or one record. Returns 0 with *pos
 * past it, or where reading goes on after a reported failure; or a negative
 * error.
 */
static int top_value(struct ct_state *st, size_t *pos)
{
    size_t arr;
    int rc;

    if (st->buf[*pos] == '[') {
        rc = walk_array(st, *pos, false, pos);
    } else if (st->buf[*pos] != '{') {
        /* Not a record, a file or an array (text after a file, a stray line in a stream):
         * one reject for it all, not one per word, and reading goes on at the next line
         * or file. */
        *pos = give_up(st, *pos, *pos + 1, true, "not a CloudTrail record, file or array");
        rc = 0;
    } else if ((arr = file_at(st->buf, st->len, *pos)) != (size_t)-1) {
        rc = read_file(st, arr, pos);
    } else {
        rc = one_value(st, pos);
        if (rc > 0) {
            /* Not recoverable structurally: go on at the next line or file. */
            *pos = give_up(st, st->fail_off, st->fail_off + 1, true, st->why);
        }
    }
    return rc < 0 ? rc : 0;
}

/*
 * The input is a sequence of top-level values, so files concatenated (cat,
 * zcat of many files, a multi-member gzip) are read whole, as are JSON Lines
 * and concatenated or pretty-printed records.
 */
static int ct_parse(struct cm_parse_ctx *ctx, const char *buf, size_t len)
{
    struct ct_state st = {.ctx = ctx, .buf = buf, .len = len, .line_no = 1};
    size_t i = 0;
    int rc;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    cm_json_doc_begin(ctx->doc, buf, len);
    for (;;) {
        i = cm_parse_skip_ws(buf, len, i);
        if (i >= len) {
            return 0;
        }
        i += cm_parse_cwl_json_prefix(buf, len, i);
        rc = top_value(&st, &i);
        if (rc != 0) {
            return rc;
        }
    }
}

static int ct_sniff(const char *buf, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    struct cm_str head = {buf, n};
    size_t i = 0;

    if (n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        i = 3;
    }
    i = cm_parse_skip_ws(buf, n, i);
    i += cm_parse_cwl_json_prefix(buf, n, i);
    if (i >= n || (buf[i] != '{' && buf[i] != '[')) {
        return 0;
    }
    if (buf[i] == '{' && find_records_array(buf, n, i, false) != (size_t)-1) {
        return 100;
    }
    if (cm_str_find(head, CM_STR_LIT("\"eventSource\"")) != (size_t)-1 &&
        cm_str_find(head, CM_STR_LIT("\"eventName\"")) != (size_t)-1) {
        return 90;
    }
    if (cm_str_find(head, CM_STR_LIT("\"eventVersion\"")) != (size_t)-1) {
        return 80;
    }
    if (cm_str_find(head, CM_STR_LIT("via CloudTrail\"")) != (size_t)-1) {
        return 80;
    }
    return 0;
}

const struct cm_parser cm_parser_cloudtrail = {
    .name = "cloudtrail",
    .kind = CM_EV_CLOUDTRAIL,
    .sniff = ct_sniff,
    .parse = ct_parse,
};
