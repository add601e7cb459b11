/*
 * CloudWatch Logs wrappers (see cwl.h). The wrapper objects are walked by
 * hand, member by member, so an awscli output of a million events is never
 * one JSON document in memory; each log event is parsed on its own, and a
 * damaged one is stepped over without losing the others.
 */
#include "parse/cwl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/err.h"
#include "parse/parse.h"

#define SNIFF_HEAD 4096
#define CUT        ((size_t)-1) /* the walk cannot go on in this wrapper */

struct walk {
    struct cm_cwl *c;
    const char *buf;
    size_t len;
    size_t line_pos; /* lines are counted up to here */
    uint32_t line;   /* the line of line_pos */
    size_t far;      /* the walk has read up to here: a resync never goes back before it */
    int err;         /* CM_ENOMEM or CM_E2BIG: stop */
};

static uint32_t line_at(struct walk *w, size_t off)
{
    if (off < w->line_pos) {
        w->line_pos = 0;
        w->line = 1;
    }
    w->line += cm_parse_count_lines(w->buf, w->line_pos, off);
    w->line_pos = off;
    return w->line;
}

static void bad(struct walk *w, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void bad(struct walk *w, size_t off, const char *fmt, ...)
{
    struct cm_cwl *c = w->c;
    struct cm_cwl_bad *b;
    va_list ap;

    if (cm_grow((void **)&c->bad, &c->bad_cap, c->nbad + 1, sizeof(*c->bad), 16) != 0) {
        w->err = CM_ENOMEM;
        return;
    }
    w->far = w->far > off ? w->far : off;
    b = &c->bad[c->nbad++];
    b->off = off;
    b->line = line_at(w, off);
    va_start(ap, fmt);
    vsnprintf(b->reason, sizeof(b->reason), fmt, ap);
    va_end(ap);
}

/* Copies the message of the log event buf[start..end) (its tape at root). */
static void take_event(struct walk *w, size_t start, size_t end, uint32_t root)
{
    struct cm_cwl *c = w->c;
    const struct cm_json_node *n;
    struct cm_cwl_piece *pc;
    uint32_t msg;
    size_t got;
    int rc;

    if (cm_json_type(&c->doc, root) != CM_JSON_OBJECT) {
        bad(w, start, "log event is not a JSON object");
        return;
    }
    msg = cm_json_get(&c->doc, root, "message");
    if (msg == CM_JSON_NONE || cm_json_type(&c->doc, msg) != CM_JSON_STRING) {
        bad(w, start, "log event without a string \"message\"");
        return;
    }
    n = cm_json_at(&c->doc, msg);
    if (n->len == 0) {
        bad(w, start, "log event with an empty message");
        return;
    }
    /* The unescaped message is never longer than its raw text; then a newline. */
    rc = cm_grow((void **)&c->piece, &c->piece_cap, c->npiece + 1, sizeof(*c->piece), 64);
    if (rc == 0) {
        rc = cm_buf_reserve(&c->out, (size_t)n->len + 1);
    }
    if (rc != 0) {
        w->err = rc;
        return;
    }
    pc = &c->piece[c->npiece++];
    pc->out_off = c->out.len;
    pc->src_off = start;
    pc->src_len = end - start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - start);
    pc->src_line = line_at(w, start);
    w->far = w->far > end ? w->far : end;
    got = cm_json_unescape(w->buf + n->off, n->len, c->out.p + c->out.len);
    c->out.len += got;
    c->out.p[c->out.len] = '\0';
    if (c->out.p[c->out.len - 1] != '\n') {
        c->out.p[c->out.len++] = '\n';
        c->out.p[c->out.len] = '\0';
    }
    if (c->max_pieces != 0 && c->npiece >= c->max_pieces) {
        w->err = CM_EFULL; /* enough: cm_cwl_unwrap stops and returns 0 */
    }
}

static const char wrapper_start[] = "{\"messageType\"";

/* Where the first subscription delivery inside buf(from..to) starts, or SIZE_MAX. */
static size_t find_wrapper(const struct walk *w, size_t from, size_t to)
{
    struct cm_str span = cm_str_make(w->buf + from + 1, to - from - 1);
    size_t at = cm_str_find(span, cm_str_make(wrapper_start, sizeof(wrapper_start) - 1));

    return at == (size_t)-1 ? SIZE_MAX : from + 1 + at;
}

/* Walks the log event array whose '[' is at buf[i]; returns the offset past its ']', or CUT. */
static size_t walk_events(struct walk *w, size_t i)
{
    struct cm_cwl *c = w->c;

    i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    if (i < w->len && w->buf[i] == ']') {
        return i + 1;
    }
    while (w->err == 0) {
        struct cm_diag diag;
        size_t end = 0;
        uint32_t root;
        int rc;

        i = cm_parse_skip_ws(w->buf, w->len, i);
        if (i < w->len && w->buf[i] == ']') {
            bad(w, i, "a ',' with no log event after it");
            return i + 1;
        }
        cm_json_doc_begin(&c->doc, w->buf, w->len);
        rc = cm_json_parse_at(&c->doc, i, &end, &root, &diag);
        if (rc == CM_ENOMEM) {
            w->err = rc;
            return CUT;
        }
        if (rc == 0) {
            take_event(w, i, end, root);
        } else {
            end = cm_parse_skip_value(w->buf, w->len, i);
            if (end == 0 || find_wrapper(w, i, end) != SIZE_MAX) {
                /* Cut short: the next delivery (if any) is where to go on. */
                bad(w, i, "log event cut short (truncated input?)");
                return CUT;
            }
            bad(w, i, "log event is not valid JSON: %s", diag.msg);
        }
        i = cm_parse_skip_ws(w->buf, w->len, end);
        if (i < w->len && w->buf[i] == ']') {
            return i + 1;
        }
        if (i >= w->len || w->buf[i] != ',') {
            bad(w, i, "expected ',' or ']' after a log event");
            return CUT;
        }
        i++;
    }
    return CUT;
}

/* Walks one wrapper object whose '{' is at buf[i]; returns the offset past it, or CUT. */
static size_t walk_wrapper(struct walk *w, size_t i)
{
    struct cm_cwl *c = w->c;
    size_t start = i, mark_out = c->out.len, mark_piece = c->npiece, ret = CUT;
    bool control = false, events = false;

    i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    while (w->err == 0 && !(i < w->len && w->buf[i] == '}')) {
        size_t kend = i < w->len && w->buf[i] == '"' ? cm_parse_skip_value(w->buf, w->len, i) : 0;
        struct cm_str key = cm_str_make(w->buf + i + 1, kend ? kend - i - 2 : 0);

        if (kend == 0) {
            bad(w, i,
                i < w->len ? "expected a member name in a CloudWatch Logs object"
                           : "CloudWatch Logs object cut short (truncated input?)");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, kend);
        if (i >= w->len || w->buf[i] != ':') {
            bad(w, i, "expected ':' after a member name");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i + 1);
        if ((cm_str_eqc(key, "logEvents") || cm_str_eqc(key, "events")) && i < w->len &&
            w->buf[i] == '[') {
            events = true;
            i = walk_events(w, i);
            if (i == CUT) {
                goto out;
            }
        } else {
            size_t v = cm_parse_skip_value(w->buf, w->len, i);
            if (v == 0) {
                bad(w, i, "CloudWatch Logs object cut short (truncated input?)");
                goto out;
            }
            if (cm_str_eqc(key, "messageType") &&
                cm_str_eqc(cm_str_make(w->buf + i, v - i), "\"CONTROL_MESSAGE\"")) {
                control = true;
            }
            i = v;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i);
        if (i < w->len && w->buf[i] == '}') {
            break;
        }
        if (i >= w->len || w->buf[i] != ',') {
            bad(w, i, "expected ',' or '}' in a CloudWatch Logs object");
            goto out;
        }
        i = cm_parse_skip_ws(w->buf, w->len, i + 1);
    }
    if (w->err == 0) {
        ret = i + 1;
        w->far = w->far > ret ? w->far : ret;
        if (!events && !control) {
            bad(w, start, "not a CloudWatch Logs delivery (no list of log events)");
        }
    }
out:
    if (control) {
        /* A health check, not a record (even cut short): its events are counted, not read. */
        c->control += c->npiece - mark_piece;
        c->npiece = mark_piece;
        c->out.len = mark_out;
        if (c->out.p != NULL) {
            c->out.p[mark_out] = '\0';
        }
    }
    return ret;
}

int cm_cwl_unwrap(struct cm_cwl *c, const char *buf, size_t len)
{
    struct walk w = {c, buf, len, 0, 1, 0, 0};
    size_t i = 0;

    cm_buf_reset(&c->out);
    c->npiece = 0;
    c->nbad = 0;
    c->control = 0;
    if (len >= UINT32_MAX) {
        return CM_E2BIG; /* JSON offsets are 32-bit */
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    while (w.err == 0) {
        size_t end;

        i = cm_parse_skip_ws(buf, len, i);
        if (i >= len) {
            break;
        }
        end = buf[i] == '{' ? walk_wrapper(&w, i) : CUT;
        if (end == CUT && w.err == 0 && buf[i] != '{') {
            bad(&w, i, "expected a CloudWatch Logs object");
        }
        if (end != CUT) {
            i = end;
            continue;
        }
        /* Go on at the next subscription delivery after what was read, if there is one. */
        i = find_wrapper(&w, w.far > i ? w.far - 1 : i, len);
        if (i == SIZE_MAX) {
            break;
        }
    }
    return w.err == CM_EFULL ? 0 : w.err;
}

void cm_cwl_init(struct cm_cwl *c, size_t max)
{
    memset(c, 0, sizeof(*c));
    cm_buf_init(&c->out, max);
    cm_json_doc_init(&c->doc, 0, 0);
}

void cm_cwl_finish(struct cm_cwl *c)
{
    cm_buf_finish(&c->out);
    cm_json_doc_finish(&c->doc);
    cm_free(c->piece);
    cm_free(c->bad);
    memset(c, 0, sizeof(*c));
}

const struct cm_cwl_piece *cm_cwl_locate(const struct cm_cwl *c, uint64_t off)
{
    size_t lo = 0, hi = c->npiece;

    if (hi == 0) {
        return NULL;
    }
    /* The last piece that starts at or before off. */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->piece[mid].out_off <= off) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return &c->piece[lo];
}

int cm_cwl_sniff(const char *buf, size_t len)
{
    static const char *const first[] = {"messageType",         "owner",     "logGroup", "logStream",
                                        "subscriptionFilters", "logEvents", "events"};
    struct cm_str head;
    size_t i = 0, kend;
    bool known = false;

    if (buf == NULL) {
        return 0;
    }
    if (len > SNIFF_HEAD) {
        len = SNIFF_HEAD;
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    i = cm_parse_skip_ws(buf, len, i);
    if (i >= len || buf[i] != '{') {
        return 0;
    }
    i = cm_parse_skip_ws(buf, len, i + 1);
    if (i >= len || buf[i] != '"' || (kend = cm_parse_skip_value(buf, len, i)) == 0) {
        return 0;
    }
    for (size_t k = 0; k < sizeof(first) / sizeof(first[0]); k++) {
        known |= cm_str_eqc(cm_str_make(buf + i + 1, kend - i - 2), first[k]);
    }
    head = cm_str_make(buf, len);
    return known && (cm_str_find(head, CM_STR_LIT("\"logEvents\"")) != (size_t)-1 ||
                     cm_str_find(head, CM_STR_LIT("\"events\"")) != (size_t)-1);
}
