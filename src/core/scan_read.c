/*
 * The scan's reader side (scan_impl.h): an input read, inflated and parsed
 * into events, which go to the reader's batches (threaded) or straight to
 * its engine (direct); bad records and inputs are noted as rejects
 * (scan_note.c).
 */
#include "core/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/hash.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/file_id.h"
#include "source/parquet.h"
#include "source/input.h"
#include "source/source_file.h"
#include "source/source_stdin.h"
#include "core/batch.h"
#include "core/scan_grow.h"
#include "core/scan_impl.h"

/*
 * In an unwrapped CloudWatch Logs input, a location in the messages' text
 * becomes the log event that carried the message, as the file holds it.
 */
static const struct cm_cwl_piece *remap(struct reader *r, uint64_t *off, uint32_t *line,
                                        uint32_t *length)
{
    const struct cm_cwl_piece *pc = cm_cwl_locate_from(&r->cwl, *off, &r->cwl_cursor);

    if (pc != NULL) {
        *off = pc->src_off;
        *line = pc->src_line;
        if (length != NULL) {
            *length = pc->src_len;
        }
    }
    return pc;
}

/*
 * Maps ev's location back to its log event (remap) and gives it its log event's identity
 * (cm_event.log_id): the event's id mixed with where the record starts in the message, so
 * two records of one message are not taken for copies of each other. Returns the piece.
 */
static const struct cm_cwl_piece *remap_event(struct reader *r, struct cm_event *ev)
{
    uint64_t off = ev->src.offset;
    const struct cm_cwl_piece *pc = remap(r, &ev->src.offset, &ev->src.line, &ev->src.length);

    if (pc != NULL && pc->id != 0 && off >= pc->out_off) {
        uint64_t h = cm_hash_mix64(pc->id ^ ((off - pc->out_off) * 0x9e3779b97f4a7c15ULL));

        ev->log_id = h ? h : 1;
    }
    return pc;
}

/* ctx.map_offset of an unwrapped input: an offset of the text, as the input's. */
static uint64_t unwrapped_offset(void *ud, uint64_t off)
{
    uint32_t line = 0;

    remap(ud, &off, &line, NULL);
    return off;
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct reader *r = ud;
    char why[sizeof(((struct cm_scan_reject *)0)->reason)];

    if (r->unwrapped && r->reordered) {
        remap(r, &off, &line, NULL);
    } else if (r->unwrapped) {
        remap(r, &off, &line, NULL);
        snprintf(why, sizeof(why),
                 r->cwl.lookup ? "in the event's CloudTrailEvent: %s"
                               : "in the log event's message: %s",
                 reason);
        reason = why;
    }
    cm_scan_note_reject(r->s, (int)kind, r->ctx.file_id, off, line, reason);
}

static void on_skip(void *ud, enum cm_event_kind kind, const char *what)
{
    struct reader *r = ud;

    cm_scan_note_skip(r->s, r->ctx.file_id, (int)kind, what);
}

/* --- batches -------------------------------------------------------------- */

/*
 * True for a record no detector reads (cm_ct_unread), counted by the reader,
 * not batched; a record made with a canary key is read whatever it is (any
 * use of one is a finding).
 */
static bool unread(struct reader *r, const struct cm_event *ev)
{
    const struct cm_detect_config *d = r->s->o.detect.config;
    enum cm_ct_unread u;

    if (ev->kind != CM_EV_CLOUDTRAIL || (u = cm_ct_unread(&ev->u.ct)) == CM_CT_READ) {
        return false;
    }
    for (size_t i = 0; d != NULL && i < d->ncanary; i++) {
        if (cm_str_eq(ev->u.ct.uid.access_key_id, d->canary_keys[i])) {
            return false;
        }
    }
    r->unread[u]++;
    r->input_unread++;
    if (r->input_unread_what == NULL) {
        r->input_unread_what = cm_ct_unread_name(u);
    }
    return true;
}

/*
 * True for a record stamped past its input's horizon (cm_input_horizon): more
 * than a day after the time in its object key, which AWS never writes. It is
 * rejected: one such record (a clock set years ahead, a mislabelled copy)
 * would move its shard's watermark there, and no table would expire and no
 * window close for the rest of the scan.
 */
static bool ahead(struct reader *r, const struct cm_event *ev)
{
    if (ev->time_ms <= r->horizon) {
        return false;
    }
    on_reject(r, ev->kind, ev->src.offset, ev->src.line,
              "event time more than a day after the time in the file's name");
    return true;
}

/*
 * True for a record outside the scan's window (--since/--until): counted as skipped,
 * CM_SCAN_OUTSIDE, and not analysed.
 */
static bool outside(struct reader *r, const struct cm_event *ev)
{
    const struct cm_scan_opts *o = &r->s->o;

    if (!o->window || (ev->time_ms >= o->since_ms && ev->time_ms < o->until_ms)) {
        return false;
    }
    r->outside[ev->kind]++; /* a parsed event's kind, as records[] below */
    r->input_unread++;
    if (r->input_unread_what == NULL) {
        r->input_unread_what = CM_SCAN_OUTSIDE;
    }
    return true;
}

static int on_event_batched(void *ud, struct cm_event *ev)
{
    struct reader *r = ud;
    struct cm_batch *b = r->cur;
    struct scan *s = r->s;
    const struct cm_cwl_piece *pc = NULL;

    if (unread(r, ev) || ahead(r, ev) || outside(r, ev)) {
        /* Nothing in the segment holds its tape yet, nothing in the batch the arena:
         * start them over. */
        if (cm_batch_last_seg(b)->first == b->n) {
            cm_json_doc_begin(r->ctx.doc, r->ctx.doc->src, r->ctx.doc->src_len);
        }
        if (b->n == 0) {
            cm_arena_reset(r->ctx.arena);
        }
        return CM_OK;
    }
    r->records[ev->kind]++;
    r->input_records++;
    ev->log_id = 0; /* a batch's slot may hold an earlier event's */
    if (r->unwrapped) {
        pc = remap_event(r, ev);
    }
    cm_scan_attribute(r, cm_cwl_origin_of(&r->cwl, pc), ev);
    cm_scan_note_dns(r, ev);
    cm_scan_note_newest(r, ev);
    if (ev != &b->ev[b->n]) {
        memcpy(&b->ev[b->n], ev, cm_event_size(ev));
    }
    b->shard[b->n] = (uint16_t)(cm_event_entity_hash(ev, s->o.seed) % s->nworkers);
    if (++b->n == b->cap) {
        cm_scan_unit_append(&r->unit, b);
        if (r->stream) {
            cm_scan_stream(s, r);
        }
        r->cur = cm_scan_batch_new(r);
        if (r->cur == NULL) {
            r->ctx.slot = NULL;
            return CM_ENOMEM;
        }
    } else {
        r->ctx.slot = &b->ev[b->n];
    }
    return CM_OK;
}

static int on_event_direct(void *ud, struct cm_event *ev)
{
    struct reader *r = ud;
    const struct cm_cwl_piece *pc = NULL;
    int rc = CM_OK;

    if (unread(r, ev) || ahead(r, ev) || outside(r, ev)) {
        goto consumed;
    }
    r->records[ev->kind]++;
    r->input_records++;
    ev->log_id = 0; /* a batch's slot may hold an earlier event's */
    if (r->unwrapped) {
        pc = remap_event(r, ev);
        cm_engine_prefetch(r->engine, ev); /* while the event is attributed */
    }
    cm_scan_attribute(r, cm_cwl_origin_of(&r->cwl, pc), ev);
    cm_scan_note_dns(r, ev);
    cm_scan_note_newest(r, ev);
    if (r->hold) {
        /* Handed over in time order when the input is parsed; its tape and strings stay. */
        return cm_scan_hold(r, ev);
    }
    rc = cm_engine_event(r->engine, ev, &r->s->sink);
consumed:
    if (r->hold) {
        return rc; /* the held events' tape and strings stay */
    }
    /* The event is consumed: the tape and arena can start over. */
    cm_json_doc_begin(r->ctx.doc, r->ctx.doc->src, r->ctx.doc->src_len);
    cm_arena_reset(r->ctx.arena);
    return rc;
}

/* --- reading and parsing one input ---------------------------------------- */

/*
 * The fewest bytes of a CloudTrail record the parser makes an event of:
 * {"eventTime":"<20 or more>","eventName":"x","eventSource":"x"} is 70. An
 * input of len bytes gives at most len / CT_MIN_RECORD events, so one joins a
 * batch that has more room than that, and it is put in time order there
 * (order_batched).
 */
#define CT_MIN_RECORD 48

/* Where a CloudTrail input's events begin: the unit's last batch and count before it, and
 * the batch and index of its first event. */
struct order_mark {
    struct cm_batch *tail;
    size_t n;
    struct cm_batch *b;
    uint32_t i;
};

static int parse_batched(struct reader *r, const struct cm_parser *ps, struct order_mark *m);
static int order_batched(struct reader *r, const struct cm_parser *ps, const struct order_mark *m);

/*
 * Makes the messages of the CloudWatch Logs wrapper in r->fb the input.
 * Returns 0 (r->unwrapped set), CM_ENOTFOUND when there is nothing to parse
 * (noted as it should be), or CM_ENOMEM.
 */
static int unwrap(struct reader *r, uint32_t file_id)
{
    struct cm_cwl *c = &r->cwl;
    int rc = cm_cwl_unwrap(c, r->fb->p, r->fb->len);

    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0) {
        cm_scan_note_reject(r->s, 0, file_id, 0, 0,
                            rc == CM_E2BIG ? "CloudWatch Logs messages larger than the size cap"
                                           : cm_strerror(rc));
        return CM_ENOTFOUND;
    }
    if (c->npiece == 0) {
        char why[sizeof(((struct cm_scan_reject *)0)->reason)];

        if (c->nbad > 0) {
            snprintf(why, sizeof(why), "%s input with no readable %s (%zu bad; %s)",
                     c->lookup ? "CloudTrail event history" : "CloudWatch Logs",
                     c->lookup ? "event" : "log event", c->nbad, c->bad[0].reason);
            cm_scan_note_reject(r->s, 0, file_id, c->bad[0].off, c->bad[0].line, why);
        } else if (c->control == 0 && c->lookup == 0) {
            /* (an event history page with no events is a good answer: nothing happened) */
            cm_scan_note_reject(r->s, 0, file_id, 0, 1, "CloudWatch Logs input without log events");
        } else if (c->control > 0 && c->lookup == 0) {
            cm_scan_note_skip(r->s, file_id, 0, CM_SCAN_CWL_CONTROL);
        }
        return CM_ENOTFOUND; /* nothing but health checks is a good input with no records */
    }
    cm_scan_drop_buffer(r);
    rc = cm_scan_take_buffer(r, &c->out);
    r->unwrapped = rc == 0;
    r->cwl_cursor = 0;
    return rc;
}

/* Between two log groups' runs: a segment's events came from one parse (its tape's source). */
static int run_break(struct reader *r)
{
    struct cm_batch *b = r->cur;

    if (r->engine != NULL || b == NULL || cm_batch_last_seg(b)->first == b->n) {
        return CM_OK;
    }
    return cm_scan_next_seg(r);
}

/*
 * Parses r->fb with ps (r->ctx set up). When it is the messages of deliveries of several log
 * groups (one Firehose stream fed by the subscription filters of, say, a Resolver and a flow
 * log group), each log group's run of messages is parsed with the parser its own start
 * sniffs as (ps when none does); before 2026-12-05 the whole was parsed with the first
 * run's parser, and every record of the others was rejected.
 */
static int parse_runs(struct reader *r, const struct cm_parser *ps)
{
    const struct cm_cwl *c = &r->cwl;
    uint64_t base = r->ctx.offset_base;
    int rc = CM_OK;

    if (!r->unwrapped || r->reordered || c->nrun == 0) {
        return ps->parse(&r->ctx, r->fb->p, r->fb->len);
    }
    for (size_t k = 0; k <= c->nrun && rc == 0; k++) {
        size_t from = k == 0 ? 0 : c->piece[c->run[k - 1]].out_off;
        size_t to = k == c->nrun ? r->fb->len : c->piece[c->run[k]].out_off;
        const struct cm_parser *rps = ps;

        if (k > 0) {
            rps = cm_parse_sniff_flow(r->fb->p + from, to - from, r->s->o.flow_fields,
                                      &r->ctx.flow_fmt);
            rps = rps != NULL ? rps : ps;
            if ((rc = run_break(r)) != 0) {
                break;
            }
        }
        r->ctx.offset_base = base + from;
        rc = rps->parse(&r->ctx, r->fb->p + from, to - from);
    }
    r->ctx.offset_base = base;
    return rc;
}

/* Parses the decoded buffer r->fb as input file_id (ticketed when threaded). */
int cm_scan_parse_buffer(struct reader *r, uint32_t file_id, const struct cm_parser *ps)
{
    struct scan *s = r->s;
    const char *other, *key = file_id < s->in.n ? s->in.v[file_id].path : "";
    const char *packed;
    struct order_mark mark;
    bool order;
    int rc;

    r->unwrapped = false;
    if (r->fb->len == 0) {
        if ((packed = cm_scan_empty_packed(s, file_id)) != NULL) {
            /* No gzip or zstd is 0 bytes long: a copy that failed. */
            char msg[64];

            snprintf(msg, sizeof(msg), "empty file (0 bytes) named as %s", packed);
            cm_scan_note_reject(s, 0, file_id, 0, 0, msg);
        } else {
            /* Nothing to lose (AWS Config's ConfigWritabilityCheckFile is such a file). */
            cm_scan_note_skip(s, file_id, 0, "empty file");
        }
        return CM_OK;
    }
    if (ps == NULL && cm_parquet_sniff(r->fb->p, r->fb->len)) {
        rc = cm_scan_parquet_rows(r, file_id, &ps); /* ps: its rows' flow parser */
        if (rc != 0) {
            return rc == CM_ENOTFOUND ? CM_OK : rc;
        }
    }
    if (ps == NULL && cm_cwl_sniff(r->fb->p, r->fb->len)) {
        rc = unwrap(r, file_id);
        if (rc != 0) {
            return rc == CM_ENOTFOUND ? CM_OK : rc;
        }
    }
    if (ps == NULL) {
        ps = cm_parse_sniff_flow(r->fb->p, r->fb->len, s->o.flow_fields, &r->ctx.flow_fmt);
    }
    if (ps == NULL && (other = cm_parse_other_log(r->fb->p, r->fb->len)) != NULL &&
        (ps = cm_parse_source_after_other(r->fb->p, r->fb->len)) == NULL) {
        cm_scan_note_skip(s, file_id, 0, other);
        r->unwrapped = false;
        return CM_OK;
    }
    if (ps == NULL) {
        char why[sizeof(((struct cm_scan_reject *)0)->reason)];

        cm_scan_note_reject(s, 0, file_id, 0, 1, cm_scan_unrecognised(r, why, sizeof(why)));
        r->unwrapped = false;
        return CM_OK;
    }
    for (size_t i = 0; r->unwrapped && i < r->cwl.nbad; i++) {
        const struct cm_cwl_bad *b = &r->cwl.bad[i];
        cm_scan_note_reject(s, (int)ps->kind, file_id, b->off, b->line, b->reason);
    }
    if (file_id < s->st->ninputs) {
        s->st->inputs[file_id].kind = (int)ps->kind; /* one reader owns an input */
    }
    r->ctx.file_id = file_id;
    r->horizon = file_id < s->in.n ? cm_input_horizon(&s->in.v[file_id]) : INT64_MAX;
    r->clock = file_id < s->in.n ? cm_input_clock_bound(&s->in.v[file_id]) : INT64_MAX;
    r->key_region = cm_input_key_region(key);
    r->key_account = cm_input_key_account(key);
    r->key_vpc = cm_input_key_vpc(key);
    r->inv_region_id_len = 0;
    r->ctx.on_reject = on_reject;
    r->ctx.on_skip = on_skip;
    r->ctx.map_offset = r->unwrapped ? unwrapped_offset : NULL;
    r->ctx.ud = r;
    if (r->engine) {
        cm_engine_set_horizon(r->engine, r->clock);
        r->ctx.on_event = on_event_direct;
        r->ctx.doc = &r->ddoc;
        r->ctx.arena = &r->darena;
        r->ctx.slot = NULL;
        /* CloudTrail records are held and handed over in time order (scan_order.c); the
         * messages of CloudWatch Logs come in their own order (look-up events sorted). */
        r->hold = ps->kind == CM_EV_CLOUDTRAIL && !r->unwrapped;
        rc = parse_runs(r, ps);
        if (r->hold) {
            int hrc = rc == 0 ? cm_scan_release_held(r) : CM_OK;

            r->hold = false;
            r->nheld = 0;
            cm_buf_reset(&r->held_bytes);
            cm_json_doc_begin(r->ctx.doc, r->ctx.doc->src, r->ctx.doc->src_len);
            cm_arena_reset(r->ctx.arena);
            rc = rc ? rc : hrc;
        }
        r->unwrapped = false;
        return rc;
    }
    order = ps->kind == CM_EV_CLOUDTRAIL && !r->unwrapped;
    if (order && r->cur != NULL && r->cur->cap - r->cur->n <= r->fb->len / CT_MIN_RECORD + 1) {
        /* it may not fit after the ticket's earlier inputs: a batch of its own */
        cm_scan_close_batch(r);
    }
    /* An input read as written goes to the workers as it is parsed; one that may be put in
     * time order waits for its last record (order_batched). */
    r->stream = !order;
    rc = parse_batched(r, ps, &mark);
    r->stream = false;
    r->unwrapped = false;
    return rc == 0 && order ? order_batched(r, ps, &mark) : rc;
}

/*
 * Parses r->fb into batches of r->unit with ps (r->ctx set up), from a new segment of r->cur
 * (cm_scan_next_seg), where *m (unless NULL) marks its first event. The last batch is left in
 * r->cur, partly filled, for the ticket's next input (cm_scan_close_batch puts it in the unit
 * at the ticket's end).
 */
static int parse_batched(struct reader *r, const struct cm_parser *ps, struct order_mark *m)
{
    int rc;

    r->ctx.on_event = on_event_batched;
    if ((rc = cm_scan_next_seg(r)) != 0) {
        return rc;
    }
    if (m != NULL) {
        *m = (struct order_mark){r->unit.tail, r->unit.n, r->cur, r->cur->n};
    }
    rc = parse_runs(r, ps);
    /* (r->cur NULL: on_event_batched could not get the next batch, rc is CM_ENOMEM) */
    if (r->cur != NULL && r->cur->n == 0) {
        cm_scan_close_batch(r);
    } else if (r->cur != NULL) {
        cm_batch_trim(r->cur, r->cur->n); /* this input's segment, when it holds nothing */
    }
    r->ctx.slot = NULL;
    return rc;
}

/*
 * A CloudTrail input parsed into batches not yet published, from m on: put in time order.
 * When its events lie in one batch (a small input, after the ticket's earlier ones) they are
 * sorted there. Otherwise (they began a batch) the batches are given back when their times
 * go back, and the records parsed again in time order from a text that holds them so, whose
 * locations map back to the input's (scan_order.c). What was counted for the input stays as
 * the first parse counted it.
 */
static int order_batched(struct reader *r, const struct cm_parser *ps, const struct order_mark *m)
{
    struct scan *s = r->s;
    struct cm_rec_span *sp;
    uint64_t records[CM_SCAN_KINDS], input_records = r->input_records;
    uint64_t base_off = r->ctx.offset_base;
    uint32_t base_line = r->ctx.line_base;
    struct cm_batch *first;
    size_t n;
    int rc;

    if (r->unit.tail == m->tail && r->unit.n == m->n) {
        /* (r->cur is m->b, or NULL when the input gave no event) */
        return r->cur != NULL ? cm_scan_sort_batch(r, r->cur, m->i) : CM_OK;
    }
    if (m->i != 0) {
        /* More events than CT_MIN_RECORD allows (never): left as written, none lost. */
        return CM_OK;
    }
    cm_scan_close_batch(r);
    first = m->tail != NULL ? m->tail->next : r->unit.head; /* m->b */
    if ((rc = cm_scan_unit_spans(first, &sp, &n)) != 0 || cm_rec_order_sorted(sp, n)) {
        cm_free(sp);
        return rc;
    }
    rc = cm_rec_order_text(sp, n, r->fb->p, r->fb->len, base_off, &r->cwl);
    cm_free(sp);
    if (rc != 0) {
        /* Past the size cap (or no such span): read as written. */
        return rc == CM_ENOMEM ? rc : CM_OK;
    }
    for (struct cm_batch *b = first, *next; b != NULL; b = next) {
        next = b->next;
        cm_batch_put(&s->pool, b);
    }
    r->unit.tail = m->tail;
    r->unit.n = m->n;
    if (m->tail != NULL) {
        m->tail->next = NULL;
    } else {
        r->unit.head = NULL;
    }
    memcpy(records, r->records, sizeof(records));
    cm_scan_drop_buffer(r);
    if ((rc = cm_scan_take_buffer(r, &r->cwl.out)) != 0) {
        return rc;
    }
    r->unwrapped = r->reordered = true;
    r->cwl_cursor = 0;
    r->ctx.offset_base = 0;
    r->ctx.line_base = 0;
    r->ctx.map_offset = unwrapped_offset;
    rc = parse_batched(r, ps, NULL);
    r->unwrapped = r->reordered = false;
    r->ctx.map_offset = NULL;
    r->ctx.offset_base = base_off;
    r->ctx.line_base = base_line;
    memcpy(r->records, records, sizeof(records));
    r->input_records = input_records;
    r->reordered_inputs++;
    return rc;
}

/* Makes r->fb own the content of buf (threaded) or borrow it (direct). */
int cm_scan_take_buffer(struct reader *r, struct cm_buf *buf)
{
    size_t len = buf->len;
    char *p;

    if (r->engine) {
        p = buf->p ? buf->p : (char *)(uintptr_t) "";
        r->fb = cm_filebuf_create(p, len, 1);
    } else {
        size_t cap = buf->cap;
        p = cm_buf_take(buf, NULL);
        if (p == NULL) {
            p = cm_calloc(1, 1);
            cap = 1;
        }
        r->fb = p ? cm_filebuf_create_pooled(p, len, cap, &r->s->bufpool) : NULL;
        if (r->fb == NULL) {
            cm_free(p);
        }
    }
    return r->fb ? CM_OK : CM_ENOMEM;
}

void cm_scan_drop_buffer(struct reader *r)
{
    cm_filebuf_release(r->fb);
    r->fb = NULL;
}

/*
 * Notes a failed inflate (rc, de) of input idx as one reject. What could be
 * read stays in b, except an inner gzip over the cap, which is not parsed.
 * False when nothing is left to parse (no second reject for being empty).
 */
bool cm_scan_decode_failed(struct reader *r, uint32_t idx, int rc, const struct cm_decode_error *de,
                           struct cm_buf *b)
{
    cm_scan_note_reject(r->s, 0, idx, de->offset, 0, de->msg[0] ? de->msg : cm_strerror(rc));
    if (rc == CM_E2BIG && cm_is_compressed(b->p, b->len)) {
        cm_buf_reset(b);
    }
    return b->len > 0;
}

/*
 * Whether an earlier scan with this state read input idx (open as fd) whole: then it is
 * counted as skipped and left unread. A file whose identity cannot be read is read.
 */
static bool read_before(struct scan *s, uint32_t idx, int fd)
{
    struct cm_file_id id;

    if (s->o.files_seen == NULL || cm_file_id_read(fd, s->in.v[idx].path, &id) != 0 ||
        !cm_fileseen_has(s->o.files_seen, &id)) {
        return false;
    }
    s->st->inputs[idx].id = id;
    s->st->inputs[idx].id_state = CM_SCAN_ID_BEFORE;
    cm_scan_note_skip(s, idx, 0, CM_SCAN_READ_BEFORE);
    return true;
}

/* Reads, inflates and parses input idx. */
int cm_scan_read_input(struct reader *r, uint32_t idx)
{
    struct scan *s = r->s;
    const char *path = s->in.v[idx].path;
    struct cm_buf *target = r->engine ? &r->data : &r->raw;
    struct cm_buf fresh;
    struct stat st;
    uint64_t base_off = 0;
    uint32_t base_line = 0;
    bool settled;
    int fd, rc, saved;

    if (s->in.v[idx].skip_as != NULL) {
        /* A CloudTrail digest found in a walk: set aside unread. */
        cm_scan_note_skip(s, idx, 0, s->in.v[idx].skip_as);
        return CM_OK;
    }
    if (s->in.v[idx].other != NULL) {
        char msg[200];
        if (s->in.v[idx].list_errno != 0) {
            snprintf(msg, sizeof(msg), "%s (%s): not read", s->in.v[idx].other,
                     strerror(s->in.v[idx].list_errno));
        } else {
            snprintf(msg, sizeof(msg), "%s, not a regular file: not read", s->in.v[idx].other);
        }
        cm_scan_note_reject(s, 0, idx, 0, 0, msg);
        return CM_OK;
    }
    if (s->in.v[idx].s3) {
        /* An S3 object: fetched whole into the buffer a file is read into. */
        if ((rc = cm_scan_fetch_s3(r, idx)) != 0) {
            return rc > 0 ? CM_OK : rc;
        }
        settled = true; /* an object is whole once it is listed: a PUT is atomic */
        goto decode;
    }
    fd = open(path, O_RDONLY);
    if (fd < 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
        cm_scan_note_reject(s, 0, idx, 0, 0, msg);
        return CM_OK;
    }
    if (read_before(s, idx, fd)) {
        close(fd);
        return CM_OK;
    }
    /* Asked only of a gzip cut short in a scan that remembers files: read it here, open. */
    settled = !s->o.file_ids || fstat(fd, &st) != 0 || st.st_mtime + CM_SCAN_SETTLE_S <= time(NULL);
    if (cm_scan_grown_read(r, idx, fd, &base_off, &base_line) == 1) {
        close(fd); /* a plain log grown since an earlier scan: only what follows is read */
        goto decode;
    }
    if (s->in.v[idx].size > s->o.max_input_bytes) {
        rc = CM_E2BIG; /* known from its size: not read in vain */
    } else {
        rc = cm_read_fd(fd, &r->raw, (size_t)s->in.v[idx].size);
    }
    saved = errno;
    close(fd);
    r->files++;
    r->bytes_in += r->raw.len;
    if (rc != 0) {
        char msg[256];

        if (rc == CM_E2BIG) {
            snprintf(msg, sizeof(msg),
                     "input larger than the size cap of %zu bytes a file is read whole in: read "
                     "a log this big from standard input (coalmine scan - < FILE), in pieces",
                     s->o.max_input_bytes);
        } else {
            snprintf(msg, sizeof(msg), "read error: %s",
                     rc == CM_EIO ? strerror(saved) : cm_strerror(rc));
        }
        cm_scan_note_reject(s, 0, idx, r->raw.len, 0, msg);
        return rc == CM_ENOMEM ? rc : CM_OK;
    }
    if (s->o.file_ids) { /* read whole: the identity of the bytes read, whatever follows */
        size_t hold =
            cm_scan_grow_hold(s, idx, r->raw.p, r->raw.len, r->raw.p, r->raw.len, settled);
        if (hold > 0) {
            r->raw.len -= hold;
            r->raw.p[r->raw.len] = '\0';
        }
        cm_file_id_of_bytes(&s->st->inputs[idx].id, path, r->raw.p, r->raw.len);
        s->st->inputs[idx].id_state = CM_SCAN_ID_READ;
        cm_scan_grow_note(s, idx, r->raw.p, r->raw.len);
    }
decode:
    cm_buf_init(&fresh, s->o.max_input_bytes);
    if (!r->engine) {
        cm_bufpool_get(&s->bufpool, &fresh);
    }
    if (cm_is_compressed(r->raw.p, r->raw.len)) {
        struct cm_decode_error de;
        target = r->engine ? &r->data : &fresh;
        rc = cm_decode(&r->dec, r->raw.p, r->raw.len, target, &de);
        if (rc == CM_ETRUNC && s->o.file_ids && !settled) {
            /*
             * Cut short and changed in the last CM_SCAN_SETTLE_S: a file still being
             * written (a download in progress) as often as a damaged one. Its salvage read
             * and remembered, the whole file read once complete (another identity) counted
             * its first part twice; read and not remembered, every scan counted it again.
             * Left unread, it is read once whole. One left alone that long is damage for
             * good: salvaged and remembered below, as a scan without --state reads it.
             */
            char msg[sizeof(de.msg) + 128];

            if (s->o.defer_in_progress) {
                s->st->inputs[idx].id_state = CM_SCAN_ID_NONE;
                s->st->inputs[idx].in_progress = true;
                s->st->inputs[idx].skipped_as = "in progress";
                cm_buf_finish(&fresh);
                return CM_OK;
            }
            snprintf(msg, sizeof(msg),
                     "%s: not read, nor remembered as read (--state): a file still being "
                     "written is read once it is complete",
                     de.msg);
            cm_scan_note_reject(s, 0, idx, de.offset, 0, msg);
            s->st->inputs[idx].id_state = CM_SCAN_ID_NONE;
            cm_buf_finish(&fresh);
            return CM_OK;
        }
        if (rc == CM_ETRUNC || rc == CM_EINVAL) {
            /*
             * Damage (a cut, a bad CRC or length trailer, bytes after the stream): noted,
             * and what was salvaged is read as an undamaged stream's would be, a gzip
             * inside it too (as standard input reads it).
             */
            if (!cm_scan_decode_failed(r, idx, rc, &de, target)) {
                cm_buf_finish(&fresh);
                return CM_OK;
            }
            rc = CM_OK;
        }
        if (rc == 0) {
            /* The compressed bytes are spent: r->raw can take a nested gzip's content. */
            rc = cm_decode_nested(&r->dec, target, &r->raw, &de);
        }
        if (rc == CM_ENOMEM) {
            cm_buf_finish(&fresh);
            return rc;
        }
        if (rc != 0 && !cm_scan_decode_failed(r, idx, rc, &de, target)) {
            cm_buf_finish(&fresh);
            return CM_OK;
        }
    } else if (!r->engine) {
        /* Threaded: the raw buffer itself becomes the input (swap it out). */
        cm_buf_finish(&fresh);
        fresh = r->raw;
        cm_buf_init(&r->raw, s->o.max_input_bytes);
        cm_bufpool_get(&s->bufpool, &r->raw);
        target = &fresh;
    } else {
        target = &r->raw;
    }
    r->bytes_decoded += target->len;
    rc = cm_scan_take_buffer(r, target);
    if (rc == 0) {
        memset(&r->ctx.flow_fmt, 0, sizeof(r->ctx.flow_fmt));
        r->ctx.offset_base = base_off;
        r->ctx.line_base = base_line;
        rc = cm_scan_parse_buffer(r, idx, NULL);
        r->ctx.offset_base = 0;
        r->ctx.line_base = 0;
    }
    cm_scan_drop_buffer(r);
    cm_buf_finish(&fresh);
    return rc;
}
