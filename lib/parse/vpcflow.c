/*
 * VPC Flow Logs parser (plain text, spec §7.2).
 *
 * Each line is one record of space-separated fields. A header line (the field
 * names, as AWS writes them at the top of every delivered file, with or
 * without "${...}") sets the column order in ctx->flow_fmt for the lines that
 * follow, so a stream cut into chunks, or several files concatenated, keep
 * their format. Without any header a 14-field line is read in the default v2
 * order. Unknown names in a header become ignored columns (0xff).
 *
 * Every good line becomes one struct cm_event on the stack: where the raw text
 * of every field of the format is in the line (16-bit spans; "-" has length 0
 * and its present bit set, and reads as CM_STR_NULL) plus the typed values
 * detectors use. A bad line (wrong field count, a bad number,
 * address or keyword, control bytes or invalid UTF-8) goes to ctx->on_reject
 * with the field and the reason, and parsing resumes at the next line.
 *
 * Speed matters here (flow logs are the largest input): a line is split 64
 * bytes at a time from bitmaps of separators and non-text bytes (SSE2, or
 * SWAR elsewhere), numbers are read eight digits at a time without division,
 * nothing is allocated, and the default column order has its own
 * straight-line decoder with no column map and no per-field dispatch.
 */
#include "parse/parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "parse/flow_scan.h"
#include "parse/vpcflow_int.h"

#define NO_COL 0xffu
/* Real records are under 2 KiB; longer lines are not flow logs (and spans are 16-bit). */
#define MAX_LINE       CM_FLOW_MAX_LINE
#define MAX_START_SECS 253402300799ULL /* 9999-12-31T23:59:59Z */

/* What parse() derives from ctx->flow_fmt once per header. */
struct fmt_state {
    const struct cm_flow_format *fmt; /* NULL: no format known */
    int version;                      /* highest version among the columns */
    bool is_default;                  /* columns 0..13 in enum order */
    uint64_t present;                 /* bit per field id among the columns */
    uint32_t gen;                     /* changes whenever the format does */
};

/* One line being parsed: where it is, for events and rejects. */
struct line_ref {
    const char *p;
    size_t len;   /* without CR/LF */
    size_t avail; /* bytes readable from p (to the end of the buffer) */
    uint64_t off; /* absolute offset (offset_base applied) */
    uint32_t line;
};

static void fmt_state_set(struct fmt_state *st, const struct cm_flow_format *fmt)
{
    st->fmt = NULL;
    st->version = 0;
    st->is_default = false;
    st->present = 0;
    st->gen++;
    if (!fmt->known || fmt->ncols == 0 || fmt->ncols > CM_FLOW_MAX_COLS) {
        return;
    }
    st->fmt = fmt;
    st->is_default = fmt->ncols == DEFAULT_NCOLS;
    for (unsigned i = 0; i < fmt->ncols; i++) {
        unsigned c = fmt->col[i];
        if (c != i) {
            st->is_default = false;
        }
        if (c < CM_FF_COUNT && cm_flow_field_version(c) > st->version) {
            st->version = cm_flow_field_version(c);
        }
        if (c < CM_FF_COUNT) {
            st->present |= 1ULL << c;
        }
    }
}

/* Copies up to 40 bytes of a token for a message, marking truncation. */
static void quote_tok(char *out, size_t outlen, const char *p, size_t len)
{
    size_t n = len > 40 ? 40 : len;
    snprintf(out, outlen, "%.*s%s", (int)n, p, len > 40 ? "..." : "");
}

static void reject(const struct cm_parse_ctx *ctx, const struct line_ref *lr, const char *reason)
{
    if (ctx->on_reject != NULL) {
        ctx->on_reject(ctx->ud, CM_EV_FLOW, lr->off, lr->line, reason);
    }
}

/*
 * Checks a line that holds bytes outside printable ASCII: spaces and tabs
 * separate, valid UTF-8 is text, anything else rejects the line. Returns 0,
 * or -1 after rejecting it.
 */
static int check_text(const struct cm_parse_ctx *ctx, const struct line_ref *lr)
{
    const unsigned char *p = (const unsigned char *)lr->p;
    char reason[96];

    for (size_t i = 0; i < lr->len;) {
        size_t k = 1;

        if (p[i] >= 0x80 && (k = cm_utf8_seq(p + i, lr->len - i)) == 0) {
            snprintf(reason, sizeof(reason), "invalid UTF-8 at column %zu", i + 1);
            reject(ctx, lr, reason);
            return -1;
        }
        if ((p[i] < 0x21 && p[i] != ' ' && p[i] != '\t') || p[i] == 0x7f) {
            snprintf(reason, sizeof(reason), "control byte 0x%02x at column %zu", p[i], i + 1);
            reject(ctx, lr, reason);
            return -1;
        }
        i += k;
    }
    return 0;
}

/*
 * Splits a line into tokens (flow_scan.c); rejects it when it holds a control
 * byte or invalid UTF-8. Returns the token count (CM_FLOW_MAX_COLS + 1 for
 * "too many") or -1 after a reject.
 */
static int tokenize(const struct cm_parse_ctx *ctx, const struct line_ref *lr,
                    struct cm_flow_tok *toks)
{
    uint64_t bad = 0;
    int n = cm_flow_tokenize(lr->p, lr->len, lr->avail, toks, &bad);

    if (bad != 0 && check_text(ctx, lr) != 0) {
        return -1;
    }
    return n;
}

/* p[0..len) names a field of a VPC or a Transit Gateway flow log (which tells a header). */
static bool names_field(const char *p, size_t len)
{
    return cm_flow_field_lookup(p, len) >= 0 || cm_flow_field_tgw(p, len);
}

/*
 * True when the line is a header: its first token names a field (a VPC or a
 * Transit Gateway flow log's), and so do at least half of its tokens (a
 * free-text first column, such as an ECS cluster that happens to be called
 * "start", must not switch the format).
 */
static bool is_header(const struct line_ref *lr, const struct cm_flow_tok *toks, int ntok)
{
    char c = lr->p[toks[0].off];
    int known = 0;

    if ((c >= '0' && c <= '9') || c == '-') {
        return false; /* every data line of the default format starts here */
    }
    if (!names_field(lr->p + toks[0].off, toks[0].len)) {
        return false;
    }
    for (int i = 0; i < ntok; i++) {
        known += names_field(lr->p + toks[i].off, toks[i].len);
    }
    return known * 2 >= ntok;
}

bool cm_flow_line_is_header(const char *p, size_t len)
{
    struct cm_flow_tok toks[CM_FLOW_MAX_COLS + 1];
    struct line_ref lr = {.p = p, .len = len, .avail = len};
    uint64_t bad = 0;
    int n = len <= MAX_LINE ? cm_flow_tokenize(p, len, len, toks, &bad) : 0;

    return n > 0 && n <= CM_FLOW_MAX_COLS && bad == 0 && is_header(&lr, toks, n);
}

/* Installs a header line as ctx->flow_fmt. Returns false after rejecting it. */
static bool take_header(struct cm_parse_ctx *ctx, const struct line_ref *lr,
                        const struct cm_flow_tok *toks, int ntok)
{
    struct cm_flow_format fmt;
    uint64_t seen = 0;
    char reason[128], q[48];

    if (ntok > CM_FLOW_MAX_COLS) {
        snprintf(reason, sizeof(reason), "header has more than %d fields", CM_FLOW_MAX_COLS);
        reject(ctx, lr, reason);
        return false;
    }
    memset(&fmt, 0, sizeof(fmt));
    for (int i = 0; i < ntok; i++) {
        const char *p = lr->p + toks[i].off;
        int id;

        if (!cm_flow_field_name_shaped(p, toks[i].len)) {
            quote_tok(q, sizeof(q), p, toks[i].len);
            snprintf(reason, sizeof(reason), "header field %d: not a field name: '%s'", i, q);
            reject(ctx, lr, reason);
            return false;
        }
        fmt.tgw |= cm_flow_field_tgw(p, toks[i].len);
        id = cm_flow_field_lookup(p, toks[i].len);
        if (id >= 0 && (seen & (1ULL << id)) == 0) {
            seen |= 1ULL << id;
            fmt.col[i] = (uint8_t)id;
        } else {
            fmt.col[i] = NO_COL; /* unknown, or a repeat: the first one counts */
        }
    }
    fmt.ncols = (uint8_t)ntok;
    fmt.known = 1;
    ctx->flow_fmt = fmt;
    return true;
}

/* Context for typed decoding of one field; reports its own rejects. */
struct field_in {
    const struct cm_parse_ctx *ctx;
    const struct line_ref *lr;
    int col; /* column index in the line */
};

/* Out of line and cold: its message buffers would otherwise weigh on every field read. */
__attribute__((noinline, cold)) static int bad_field(const struct field_in *in, unsigned id,
                                                     const char *what, const char *p, size_t len)
{
    char reason[160], q[48];

    quote_tok(q, sizeof(q), p, len);
    snprintf(reason, sizeof(reason), "field %d (%s): %s: '%s'", in->col,
             cm_flow_field_name((enum cm_flow_field)id), what, q);
    reject(in->ctx, in->lr, reason);
    return CM_EINVAL;
}

static inline int field_uint(const struct field_in *in, unsigned id, const char *p, size_t len,
                             uint64_t max, uint64_t *out)
{
    size_t readable = in->lr->avail - (size_t)(p - in->lr->p);
    int rc = cm_flow_read_uint(p, len, readable, max, out);

    if (rc == CM_EINVAL) {
        return bad_field(in, id, "not a number", p, len);
    }
    if (rc == CM_ERANGE) {
        return bad_field(in, id, "out of range", p, len);
    }
    return CM_OK;
}

static int field_ip(const struct field_in *in, unsigned id, const char *p, size_t len,
                    struct cm_ip *out)
{
    if (cm_ip_parse(cm_str_make(p, len), out) != 0) {
        return bad_field(in, id, "bad IP address", p, len);
    }
    return CM_OK;
}

#define TOK_EQ(p, len, lit) tok_is(p, len, lit, sizeof(lit) - 1)

/* Decodes one non-"-" field into its typed slot. */
static int decode_field(const struct field_in *in, unsigned id, const char *p, size_t len,
                        struct cm_flow *fl)
{
    uint64_t v = 0;
    int rc = CM_OK;

    switch (id) {
    case CM_FF_VERSION:
        rc = field_uint(in, id, p, len, 255, &v);
        fl->version = (int)v;
        break;
    case CM_FF_SRCADDR:
        rc = field_ip(in, id, p, len, &fl->src);
        break;
    case CM_FF_DSTADDR:
        rc = field_ip(in, id, p, len, &fl->dst);
        break;
    case CM_FF_PKT_SRCADDR:
        rc = field_ip(in, id, p, len, &fl->pkt_src);
        break;
    case CM_FF_PKT_DSTADDR:
        rc = field_ip(in, id, p, len, &fl->pkt_dst);
        break;
    case CM_FF_SRCPORT:
        rc = field_uint(in, id, p, len, 65535, &v);
        fl->srcport = (int32_t)v;
        break;
    case CM_FF_DSTPORT:
        rc = field_uint(in, id, p, len, 65535, &v);
        fl->dstport = (int32_t)v;
        break;
    case CM_FF_PROTOCOL:
        rc = field_uint(in, id, p, len, 255, &v);
        fl->protocol = (int32_t)v;
        break;
    case CM_FF_PACKETS:
        rc = field_uint(in, id, p, len, UINT64_MAX, &fl->packets);
        break;
    case CM_FF_BYTES:
        rc = field_uint(in, id, p, len, UINT64_MAX, &fl->bytes);
        break;
    case CM_FF_START:
        rc = field_uint(in, id, p, len, MAX_START_SECS, &v);
        fl->start = (int64_t)v;
        break;
    case CM_FF_END:
        rc = field_uint(in, id, p, len, MAX_START_SECS, &v);
        fl->end = (int64_t)v;
        break;
    case CM_FF_TCP_FLAGS:
        rc = field_uint(in, id, p, len, 511, &v);
        fl->tcp_flags = (int32_t)v;
        break;
    case CM_FF_TRAFFIC_PATH:
        rc = field_uint(in, id, p, len, 255, &v);
        fl->traffic_path = (int32_t)v;
        break;
    case CM_FF_ACTION:
        if (TOK_EQ(p, len, "ACCEPT")) {
            fl->action = CM_FA_ACCEPT;
        } else if (TOK_EQ(p, len, "REJECT")) {
            fl->action = CM_FA_REJECT;
        } else {
            rc = bad_field(in, id, "unknown action", p, len);
        }
        break;
    case CM_FF_LOG_STATUS:
        if (TOK_EQ(p, len, "OK")) {
            fl->status = CM_FS_OK;
        } else if (TOK_EQ(p, len, "NODATA")) {
            fl->status = CM_FS_NODATA;
        } else if (TOK_EQ(p, len, "SKIPDATA")) {
            fl->status = CM_FS_SKIPDATA;
        } else {
            rc = bad_field(in, id, "unknown log-status", p, len);
        }
        break;
    case CM_FF_FLOW_DIRECTION:
        if (TOK_EQ(p, len, "ingress")) {
            fl->direction = CM_FD_INGRESS;
        } else if (TOK_EQ(p, len, "egress")) {
            fl->direction = CM_FD_EGRESS;
        } else {
            rc = bad_field(in, id, "unknown flow-direction", p, len);
        }
        break;
    default:
        break; /* kept as raw text only */
    }
    return rc;
}

/*
 * Resets the event to "nothing present". Done once per format, not per
 * line: every line of a format rewrites the same columns (a "-" resets its
 * slot with cm_flow_field_set_default), so nothing from an earlier line can leak through.
 */
static void event_reset(struct cm_event *ev)
{
    struct cm_flow *fl = &ev->u.flow;

    memset(fl, 0, sizeof(*fl));
    fl->srcport = -1;
    fl->dstport = -1;
    fl->protocol = -1;
    fl->tcp_flags = -1;
    fl->traffic_path = -1;
}

static const struct cm_flow_span NO_SPAN = {0, 0};

/* The span of a token of a line of at most MAX_LINE bytes. */
static struct cm_flow_span span(const struct cm_flow_tok *t)
{
    struct cm_flow_span sp = {(uint16_t)t->off, (uint16_t)t->len};
    return sp;
}

/* Fills ev from the tokens of a data line in the format st. Returns 0 or CM_EINVAL. */
static int decode_line(const struct cm_parse_ctx *ctx, const struct line_ref *lr,
                       const struct fmt_state *st, const struct cm_flow_tok *toks,
                       struct cm_event *ev)
{
    struct cm_flow *fl = &ev->u.flow;
    struct field_in in = {ctx, lr, 0};
    const uint8_t *cols = st->fmt->col;
    int ncols = st->fmt->ncols;

    for (int i = 0; i < ncols; i++) {
        unsigned id = cols[i];
        const char *p = lr->p + toks[i].off;
        size_t len = toks[i].len;

        if (id >= CM_FF_COUNT) {
            continue;
        }
        if (is_dash(p, len)) {
            fl->f[id] = NO_SPAN;
            cm_flow_field_set_default(fl, id);
            continue;
        }
        fl->f[id] = span(&toks[i]);
        in.col = i;
        if (decode_field(&in, id, p, len, fl) != 0) {
            return CM_EINVAL;
        }
    }
    return CM_OK;
}

/* The default v2 order, decoded without per-field dispatch. */
static int decode_default(const struct cm_parse_ctx *ctx, const struct line_ref *lr,
                          const struct cm_flow_tok *toks, struct cm_event *ev)
{
    struct cm_flow *fl = &ev->u.flow;
    struct field_in in = {ctx, lr, 0};
    const char *base = lr->p;
    uint64_t v;

    for (int i = 0; i < DEFAULT_NCOLS; i++) {
        if (!is_dash(base + toks[i].off, toks[i].len)) {
            fl->f[i] = span(&toks[i]);
        } else {
            fl->f[i] = NO_SPAN;
            cm_flow_field_set_default(fl, (unsigned)i);
        }
    }
/* Tokens are never empty, so a field has a value exactly when its span has a length. */
#define HAS(i) (fl->f[i].len != 0)
#define TOK(i) base + toks[i].off, toks[i].len
    if (HAS(CM_FF_VERSION)) {
        in.col = CM_FF_VERSION;
        if (field_uint(&in, CM_FF_VERSION, TOK(CM_FF_VERSION), 255, &v) != 0) {
            return CM_EINVAL;
        }
        fl->version = (int)v;
    }
    for (int i = CM_FF_SRCADDR; i <= CM_FF_DSTADDR; i++) {
        if (HAS(i)) {
            in.col = i;
            if (field_ip(&in, (unsigned)i, TOK(i), i == CM_FF_SRCADDR ? &fl->src : &fl->dst) != 0) {
                return CM_EINVAL;
            }
        }
    }
    for (int i = CM_FF_SRCPORT; i <= CM_FF_END; i++) {
        static const uint64_t max[] = {65535,      65535,          255,           UINT64_MAX,
                                       UINT64_MAX, MAX_START_SECS, MAX_START_SECS};
        if (!HAS(i)) {
            continue;
        }
        in.col = i;
        if (field_uint(&in, (unsigned)i, TOK(i), max[i - CM_FF_SRCPORT], &v) != 0) {
            return CM_EINVAL;
        }
        switch (i) {
        case CM_FF_SRCPORT:
            fl->srcport = (int32_t)v;
            break;
        case CM_FF_DSTPORT:
            fl->dstport = (int32_t)v;
            break;
        case CM_FF_PROTOCOL:
            fl->protocol = (int32_t)v;
            break;
        case CM_FF_PACKETS:
            fl->packets = v;
            break;
        case CM_FF_BYTES:
            fl->bytes = v;
            break;
        case CM_FF_START:
            fl->start = (int64_t)v;
            break;
        default:
            fl->end = (int64_t)v;
            break;
        }
    }
    for (int i = CM_FF_ACTION; i <= CM_FF_LOG_STATUS; i++) {
        if (HAS(i)) {
            in.col = i;
            if (decode_field(&in, (unsigned)i, TOK(i), fl) != 0) {
                return CM_EINVAL;
            }
        }
    }
#undef TOK
#undef HAS
    return CM_OK;
}

/* Fills the kind-independent parts of the event once the flow is decoded. */
static void event_finish(const struct cm_parse_ctx *ctx, const struct line_ref *lr,
                         const struct fmt_state *st, struct cm_event *ev)
{
    struct cm_flow *fl = &ev->u.flow;

    if (cm_flow_field(fl, CM_FF_VERSION).p == NULL) {
        fl->version = st->version;
    }
    fl->account_id = cm_flow_field(fl, CM_FF_ACCOUNT_ID);
    fl->interface_id = cm_flow_field(fl, CM_FF_INTERFACE_ID);
    fl->instance_id = cm_flow_field(fl, CM_FF_INSTANCE_ID);
    fl->vpc_id = cm_flow_field(fl, CM_FF_VPC_ID);
    fl->subnet_id = cm_flow_field(fl, CM_FF_SUBNET_ID);
    ev->kind = CM_EV_FLOW;
    if (cm_flow_field(fl, CM_FF_START).p != NULL) {
        ev->time_ms = fl->start * 1000;
    } else if (cm_flow_field(fl, CM_FF_END).p != NULL) {
        ev->time_ms = fl->end * 1000;
    } else {
        ev->time_ms = 0;
    }
    /*
     * "unknown" is the account-id of some interfaces AWS services made (endpoints, load
     * balancers): no account, like "-" (the scan then takes the object key's).
     */
    ev->account = cm_str_eqc(fl->account_id, "unknown") ? CM_STR_NULL : fl->account_id;
    ev->region = cm_flow_field(fl, CM_FF_REGION);
    ev->src.file_id = ctx->file_id;
    ev->src.line = lr->line;
    ev->src.offset = lr->off;
    ev->src.length = lr->len > UINT32_MAX ? UINT32_MAX : (uint32_t)lr->len;
}

/*
 * A Transit Gateway's flow log record (its header has resource-type or tgw-*
 * fields): no network interface's, and GuardDuty reads none. Counted, not
 * analysed.
 */
static int skip_tgw(struct cm_parse_ctx *ctx)
{
    if (ctx->on_skip != NULL) {
        ctx->on_skip(ctx->ud, CM_EV_FLOW, "Transit Gateway flow log");
    }
    return CM_OK;
}

/* True for a token of 1-19 decimal digits. */
static bool is_number(const char *p, size_t len)
{
    uint64_t v;

    return len < 20 && cm_flow_read_uint(p, len, 0, UINT64_MAX, &v) == 0;
}

/*
 * Handles one line (CR/LF already cut). Returns 0 to go on or the negative
 * value on_event returned.
 */
static int parse_line(struct cm_parse_ctx *ctx, struct fmt_state *st, const struct fmt_state *canon,
                      const struct line_ref *lr, struct cm_event *ev, uint32_t *ev_gen)
{
    struct cm_flow_tok toks[CM_FLOW_MAX_COLS + 1];
    const struct fmt_state *use = st;
    char reason[160];
    int ntok, rc;

    if (lr->len > MAX_LINE) {
        snprintf(reason, sizeof(reason), "line longer than %u bytes", MAX_LINE);
        reject(ctx, lr, reason);
        return CM_OK;
    }
    ntok = tokenize(ctx, lr, toks);
    if (ntok <= 0) {
        return CM_OK; /* blank (skipped) or rejected */
    }
    if (is_header(lr, toks, ntok)) {
        if (take_header(ctx, lr, toks, ntok)) {
            fmt_state_set(st, &ctx->flow_fmt);
        }
        return CM_OK;
    }
    if (st->fmt == NULL && ntok > 2 && is_number(lr->p + toks[0].off, toks[0].len) &&
        TOK_EQ(lr->p + toks[1].off, toks[1].len, "TransitGateway")) {
        return skip_tgw(ctx); /* a header-less one (CloudWatch Logs) */
    }
    if (st->fmt == NULL) {
        int bad = 0, k = cm_flow_canon_pick(lr->p, toks, ntok, &bad);

        if (k < 0) {
            cm_flow_canon_reason(reason, sizeof(reason), ntok, k, bad);
            reject(ctx, lr, reason);
            return CM_OK;
        }
        use = &canon[k];
    } else if (ntok != use->fmt->ncols) {
        snprintf(reason, sizeof(reason), "expected %d fields, got %s%d", use->fmt->ncols,
                 ntok > CM_FLOW_MAX_COLS ? "more than " : "",
                 ntok > CM_FLOW_MAX_COLS ? CM_FLOW_MAX_COLS : ntok);
        reject(ctx, lr, reason);
        return CM_OK;
    }
    if (use->fmt->tgw) {
        return skip_tgw(ctx); /* a record with as many fields as its header */
    }
    if (*ev_gen != use->gen) {
        event_reset(ev);
        *ev_gen = use->gen;
    }
    ev->u.flow.present = use->present;
    ev->u.flow.text = lr->p;
    rc = use->is_default ? decode_default(ctx, lr, toks, ev) : decode_line(ctx, lr, use, toks, ev);
    if (rc != 0) {
        return CM_OK; /* rejected with its reason */
    }
    event_finish(ctx, lr, use, ev);
    if (ctx->on_event != NULL) {
        rc = ctx->on_event(ctx->ud, ev);
        if (rc < 0) {
            return rc;
        }
    }
    return CM_OK;
}

/*
 * A CloudWatch Logs export writes the time of each message before it
 * ("<time> 2 123456789012 eni-..."); the record is what follows.
 */
static void strip_cwl_prefix(struct line_ref *lr)
{
    size_t k = cm_parse_cwl_prefix(lr->p, lr->len, 0);

    lr->p += k;
    lr->len -= k;
    lr->avail -= k;
    lr->off += k;
}

static int vpcflow_parse(struct cm_parse_ctx *ctx, const char *buf, size_t len)
{
    struct fmt_state st, canon[CM_FLOW_NCANON];
    struct cm_event ev;
    size_t pos = 0;
    uint32_t line = ctx->line_base, ev_gen = 0;

    memset(&st, 0, sizeof(st));
    fmt_state_set(&st, &ctx->flow_fmt);
    /* The formats of header-less lines (CloudWatch Logs), derived once, not for each
     * line. */
    for (int k = 0; k < CM_FLOW_NCANON; k++) {
        memset(&canon[k], 0, sizeof(canon[k]));
        fmt_state_set(&canon[k], &cm_flow_canon_fmt[k]);
        canon[k].gen = UINT32_MAX - (uint32_t)k;
    }
    memset(&ev, 0, sizeof(ev));
    if (ctx->offset_base == 0 && len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        pos = 3; /* a UTF-8 byte order mark at the input's start, as the sniffer steps over */
    }
    while (pos < len) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) : len;
        struct line_ref lr;
        int rc;

        line++;
        lr.p = buf + pos;
        lr.len = end - pos;
        if (lr.len > 0 && lr.p[lr.len - 1] == '\r') {
            lr.len--;
        }
        lr.avail = len - pos;
        lr.off = ctx->offset_base + pos;
        lr.line = line;
        strip_cwl_prefix(&lr);
        rc = parse_line(ctx, &st, canon, &lr, &ev, &ev_gen);
        if (rc < 0) {
            return rc;
        }
        pos = end + 1;
    }
    return CM_OK;
}

static int vpcflow_sniff(const char *buf, size_t len)
{
    static const struct cm_parse_ctx quiet; /* no callbacks: rejects go nowhere */
    struct cm_flow_tok toks[CM_FLOW_MAX_COLS + 1];
    struct line_ref lr;
    const char *nl, *t1, *t2;
    size_t i = 0;
    int n, known = 0, usable, bad = 0;

    if (buf == NULL) {
        return 0;
    }
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3; /* a UTF-8 byte order mark */
    }
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    nl = memchr(buf + i, '\n', len - i);
    lr.p = buf + i;
    lr.len = nl ? (size_t)(nl - lr.p) : len - i;
    lr.avail = len - i;
    lr.off = 0;
    lr.line = 1;
    if (lr.len > 0 && lr.p[lr.len - 1] == '\r') {
        lr.len--;
    }
    strip_cwl_prefix(&lr);
    n = tokenize(&quiet, &lr, toks);
    if (n <= 0) {
        return 0;
    }
    /* A header cut by the end of the sniff window: ignore its partial last name. */
    usable = (nl == NULL && n > 2) ? n - 1 : n;
    for (int k = 0; k < usable && k <= CM_FLOW_MAX_COLS; k++) {
        known += names_field(lr.p + toks[k].off, toks[k].len);
    }
    if (usable >= 2 && known == usable) {
        return 95;
    }
    if (usable >= 3 && cm_flow_field_lookup(lr.p + toks[0].off, toks[0].len) >= 0 &&
        known * 2 >= usable) {
        return 80;
    }
    /* All fields of a version, in AWS's order: a version first, and the fields of
     * cm_flow_canon_pick checks holding what that order puts there. */
    if (n != DEFAULT_NCOLS && cm_flow_canon_pick(lr.p, toks, n, &bad) > 0 && toks[0].len <= 2 &&
        is_number(lr.p + toks[0].off, toks[0].len)) {
        return 90;
    }
    /* A default-format record: "2 <12 digits|unknown> eni-... (14 fields)". */
    if (n != DEFAULT_NCOLS) {
        return 0;
    }
    t1 = lr.p + toks[1].off;
    t2 = lr.p + toks[2].off;
    if (toks[0].len <= 2 && is_number(lr.p + toks[0].off, toks[0].len) && toks[2].len > 4 &&
        memcmp(t2, "eni-", 4) == 0 &&
        ((toks[1].len == 12 && is_number(t1, 12)) || TOK_EQ(t1, toks[1].len, "unknown"))) {
        return 90;
    }
    return 0;
}

#undef TOK_EQ

const struct cm_parser cm_parser_vpcflow = {
    .name = "vpcflow",
    .kind = CM_EV_FLOW,
    .sniff = vpcflow_sniff,
    .parse = vpcflow_parse,
};
