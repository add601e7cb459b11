/*
 * Route 53 Resolver query logs parser (JSON Lines, spec §7.3).
 *
 * The input is a stream of JSON objects, one per line as AWS delivers them.
 * Each object is parsed onto ctx->doc with cm_json_parse_at() (so the nodes
 * of every emitted record stay valid for its batch) and its members are
 * walked once, dispatching on key length and first byte, into struct cm_dns.
 * String fields are slices of the input; the rare value written with
 * backslash escapes is decoded into ctx->arena (left escaped when there is no
 * arena).
 *
 * The caller's on_event may replace ctx->doc (and ctx->arena) with fresh ones
 * to hand off the filled ones with their batch, so both are read from ctx for
 * every record, and the document is (re)pointed at this buffer when it is not
 * already. When the document cannot take another record (its max_nodes),
 * parse() returns CM_E2BIG; a single record too large for an empty document
 * is rejected instead. A bad
 * line (invalid JSON, not an object, no query_timestamp or query_name, a bad
 * timestamp) is reported through ctx->on_reject with its line and offset and
 * parsing resumes at the next line; its nodes are dropped from the tape.
 * Blank lines are skipped. Records of the usual shape skip the JSON reader:
 * resolver_fast.c reads them straight into the event.
 */
#include "parse/parse.h"
#include "parse/resolver_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/domain_cache.h"
#include "base/err.h"
#include "base/time.h"
#include "parse/cwl.h"

#define KEY_MAX 64 /* longest escaped key we decode before matching */

static inline bool key_is(const char *k, size_t klen, const char *lit, size_t litlen)
{
    return klen == litlen && memcmp(k, lit, litlen) == 0;
}

#define KEY_IS(lit) key_is(k, klen, lit, sizeof(lit) - 1)

/* Maps a top-level key to its field; by length first, then the bytes. */
enum dns_key cm_resolver_key(const char *k, size_t klen)
{
    switch (klen) {
    case 5:
        return KEY_IS("rcode") ? K_RCODE : K_NONE;
    case 6:
        if (k[0] == 'r') {
            return KEY_IS("region") ? K_REGION : K_NONE;
        }
        if (k[0] == 'v') {
            return KEY_IS("vpc_id") ? K_VPC_ID : K_NONE;
        }
        return KEY_IS("srcids") ? K_SRCIDS : K_NONE;
    case 7:
        switch (k[0]) {
        case 'v':
            return KEY_IS("version") ? K_VERSION : K_NONE;
        case 'a':
            return KEY_IS("answers") ? K_ANSWERS : K_NONE;
        case 's':
            if (KEY_IS("srcaddr")) {
                return K_SRCADDR;
            }
            return KEY_IS("srcport") ? K_SRCPORT : K_NONE;
        default:
            return K_NONE;
        }
    case 9:
        return KEY_IS("transport") ? K_TRANSPORT : K_NONE;
    case 10:
        if (k[0] == 'a') {
            return KEY_IS("account_id") ? K_ACCOUNT_ID : K_NONE;
        }
        if (KEY_IS("query_name")) {
            return K_QUERY_NAME;
        }
        return KEY_IS("query_type") ? K_QUERY_TYPE : K_NONE;
    case 11:
        return KEY_IS("query_class") ? K_QUERY_CLASS : K_NONE;
    case 15:
        return KEY_IS("query_timestamp") ? K_QUERY_TIMESTAMP : K_NONE;
    case 20:
        return KEY_IS("firewall_rule_action") ? K_FW_ACTION : K_NONE;
    case 22:
        return KEY_IS("firewall_rule_group_id") ? K_FW_GROUP : K_NONE;
    case 23:
        return KEY_IS("firewall_domain_list_id") ? K_FW_LIST : K_NONE;
    default:
        return K_NONE;
    }
}

/*
 * The key text of node i, decoded into tmp when it holds escapes (keys longer
 * than KEY_MAX with escapes match nothing).
 */
static struct cm_str key_text(const struct cm_json_doc *d, uint32_t i, char *tmp)
{
    struct cm_str raw = cm_json_raw(d, i);

    if ((d->nodes[i].tag & CM_JSON_F_ESCAPED) == 0) {
        return raw;
    }
    if (raw.len > KEY_MAX) {
        return CM_STR_NULL;
    }
    return cm_str_make(tmp, cm_json_unescape(raw.p, raw.len, tmp));
}

/*
 * A string value: a slice of the source, or for the rare value written with
 * escapes its decoded text in arena a (raw when a is NULL or full, so a
 * field is never lost). CM_STR_NULL for any other type.
 */
static struct cm_str str_val(const struct cm_json_doc *d, uint32_t v, struct cm_arena *a)
{
    struct cm_str s;

    if (cm_json_type(d, v) != CM_JSON_STRING) {
        return CM_STR_NULL;
    }
    if ((d->nodes[v].tag & CM_JSON_F_ESCAPED) == 0 || a == NULL) {
        return cm_json_raw(d, v);
    }
    s = cm_json_str(d, v, a);
    return s.p != NULL ? s : cm_json_raw(d, v);
}

static void take_srcids(const struct cm_json_doc *d, uint32_t obj, struct cm_arena *a,
                        struct cm_dns *dns)
{
    char tmp[KEY_MAX];
    uint32_t stop;

    if (cm_json_type(d, obj) != CM_JSON_OBJECT) {
        return;
    }
    stop = d->nodes[obj].next;
    for (uint32_t i = obj + 1; i < stop; i = d->nodes[i + 1].next) {
        struct cm_str key = key_text(d, i, tmp);
        const char *k = key.p;
        size_t klen = key.len;
        struct cm_str *dst = NULL;

        if (KEY_IS("instance")) {
            dst = &dns->srcid_instance;
        } else if (KEY_IS("resolver_endpoint")) {
            dst = &dns->srcid_resolver_endpoint;
        } else if (KEY_IS("resolver_network_interface")) {
            dst = &dns->srcid_resolver_network_interface;
        }
        if (dst != NULL && dst->p == NULL) {
            *dst = str_val(d, i + 1, a);
        }
    }
}

#undef KEY_IS

/* The answer type of Type text t. */
uint8_t cm_resolver_rr_type(struct cm_str t)
{
    if (t.len == 1 && t.p[0] == 'A') {
        return CM_DNS_RR_A;
    }
    if (t.len == 4 && memcmp(t.p, "AAAA", 4) == 0) {
        return CM_DNS_RR_AAAA;
    }
    if (t.len == 5 && memcmp(t.p, "CNAME", 5) == 0) {
        return CM_DNS_RR_CNAME;
    }
    if (t.len == 3 && memcmp(t.p, "TXT", 3) == 0) {
        return CM_DNS_RR_TXT;
    }
    if (t.len == 2 && memcmp(t.p, "MX", 2) == 0) {
        return CM_DNS_RR_MX;
    }
    if (t.len == 4 && memcmp(t.p, "NULL", 4) == 0) {
        return CM_DNS_RR_NULL;
    }
    return CM_DNS_RR_OTHER;
}

/*
 * The answers array: how many answers (objects) it holds, and the Rdata and
 * Type of the first ones. Other elements are no answers and are not counted
 * (the fast readers take arrays of objects only): counting them would have
 * answers seem dropped (nans < nanswers) when none were.
 */
static void take_answers(const struct cm_json_doc *d, uint32_t arr, struct cm_arena *a,
                         struct cm_dns *dns)
{
    uint32_t e;

    if (cm_json_type(d, arr) != CM_JSON_ARRAY) {
        return;
    }
    for (e = cm_json_first(d, arr); e != CM_JSON_NONE; e = cm_json_next(d, arr, e)) {
        struct cm_dns_answer *an;
        uint32_t rd, ty;

        if (cm_json_type(d, e) != CM_JSON_OBJECT) {
            continue;
        }
        dns->nanswers++;
        if (dns->nans == CM_DNS_MAX_ANSWERS) {
            continue;
        }
        an = &dns->ans[dns->nans];
        rd = cm_json_get(d, e, "Rdata");
        ty = cm_json_get(d, e, "Type");
        an->rdata = rd != CM_JSON_NONE ? str_val(d, rd, a) : CM_STR_NULL;
        an->type = ty != CM_JSON_NONE ? cm_resolver_rr_type(str_val(d, ty, a)) : CM_DNS_RR_OTHER;
        dns->nans++;
    }
}

/* Port from a string (as AWS writes it) or an integer; -1 otherwise. */
static int32_t port_val(const struct cm_json_doc *d, uint32_t v)
{
    enum cm_json_type t = cm_json_type(d, v);
    struct cm_str s;
    unsigned long long n;

    if (t != CM_JSON_STRING && t != CM_JSON_NUMBER) {
        return -1;
    }
    s = cm_json_raw(d, v);
    if (cm_str_to_u64(s, 65535, &n) != 0) {
        return -1;
    }
    return (int32_t)n;
}

/* Stores the value node v of member key into dns. */
static void take_member(const struct cm_json_doc *d, struct cm_arena *a, enum dns_key key,
                        uint32_t v, struct cm_dns *dns)
{
    switch (key) {
    case K_VERSION:
        dns->version = str_val(d, v, a);
        break;
    case K_ACCOUNT_ID:
        dns->account_id = str_val(d, v, a);
        break;
    case K_REGION:
        dns->region = str_val(d, v, a);
        break;
    case K_VPC_ID:
        dns->vpc_id = str_val(d, v, a);
        break;
    case K_QUERY_TIMESTAMP:
        dns->query_timestamp = str_val(d, v, a);
        break;
    case K_QUERY_NAME:
        dns->query_name = str_val(d, v, a);
        break;
    case K_QUERY_TYPE:
        dns->query_type = str_val(d, v, a);
        break;
    case K_QUERY_CLASS:
        dns->query_class = str_val(d, v, a);
        break;
    case K_RCODE:
        dns->rcode = str_val(d, v, a);
        break;
    case K_ANSWERS:
        take_answers(d, v, a, dns);
        break;
    case K_SRCADDR:
        dns->srcaddr = str_val(d, v, a);
        if (dns->srcaddr.p != NULL) {
            (void)cm_ip_parse(dns->srcaddr, &dns->src_ip); /* NONE when not an IP */
        }
        break;
    case K_SRCPORT:
        dns->srcport = port_val(d, v);
        break;
    case K_TRANSPORT:
        dns->transport = str_val(d, v, a);
        break;
    case K_SRCIDS:
        take_srcids(d, v, a, dns);
        break;
    case K_FW_ACTION:
        dns->firewall_rule_action = str_val(d, v, a);
        break;
    case K_FW_GROUP:
        dns->firewall_rule_group_id = str_val(d, v, a);
        break;
    case K_FW_LIST:
        dns->firewall_domain_list_id = str_val(d, v, a);
        break;
    case K_NONE:
        break;
    }
}

/* Where a record sits, for events and rejects. */
struct rec_ref {
    size_t start; /* offset of its first byte in buf */
    size_t end;   /* offset just past it */
    uint32_t line;
    bool one_line;            /* the fast path read it: it has no line break */
    struct cm_time_memo *tm;  /* the parse's last timestamp */
    struct cm_str stream_vpc; /* the VPC `aws logs tail`'s stream before it names, or empty */
};

static void reject(const struct cm_parse_ctx *ctx, const struct rec_ref *r, const char *reason)
{
    if (ctx->on_reject != NULL) {
        ctx->on_reject(ctx->ud, CM_EV_DNS, ctx->offset_base + r->start, r->line, reason);
    }
}

/*
 * Fills ev from the object root of doc. Returns 0, or CM_EINVAL after
 * writing the reason into reason.
 */
static int fill_event(const struct cm_json_doc *d, struct cm_arena *a, uint32_t root,
                      struct cm_time_memo *tm, struct cm_event *ev, char *reason, size_t reasonlen)
{
    struct cm_dns *dns = &ev->u.dns;
    uint32_t seen = 0, stop;
    char tmp[KEY_MAX];

    memset(dns, 0, offsetof(struct cm_dns, qname));
    dns->qname_ok = false;
    dns->nanswers = dns->nans = 0;
    dns->srcport = -1;
    stop = d->nodes[root].next;
    for (uint32_t i = root + 1; i < stop; i = d->nodes[i + 1].next) {
        struct cm_str k = key_text(d, i, tmp);
        enum dns_key key;

        if (k.p == NULL) {
            continue;
        }
        key = cm_resolver_key(k.p, k.len);
        if (key == K_NONE || (seen & (1u << key)) != 0) {
            continue;
        }
        seen |= 1u << key;
        take_member(d, a, key, i + 1, dns);
    }
    if (dns->query_timestamp.p == NULL) {
        snprintf(reason, reasonlen, "%s query_timestamp",
                 (seen & (1u << K_QUERY_TIMESTAMP)) ? "non-string" : "missing");
        return CM_EINVAL;
    }
    if (dns->query_name.p == NULL) {
        snprintf(reason, reasonlen, "%s query_name",
                 (seen & (1u << K_QUERY_NAME)) ? "non-string" : "missing");
        return CM_EINVAL;
    }
    if (cm_time_parse_iso_memo(tm, dns->query_timestamp, &ev->time_ms) != 0) {
        size_t n = dns->query_timestamp.len > 40 ? 40 : dns->query_timestamp.len;
        snprintf(reason, reasonlen, "bad query_timestamp: '%.*s'", (int)n, dns->query_timestamp.p);
        return CM_EINVAL;
    }
    ev->kind = CM_EV_DNS;
    ev->account = dns->account_id;
    ev->region = dns->region;
    return CM_OK;
}

/*
 * Parses one record at r->start on ctx->doc. Returns 0 when the record was
 * handled (emitted or rejected; r->end says where it stops), or a negative
 * code that ends the parse.
 */
static int parse_record(struct cm_parse_ctx *ctx, const char *buf, size_t len, struct rec_ref *r,
                        struct cm_event *ev)
{
    struct cm_json_doc *d = ctx->doc;
    struct cm_diag diag;
    char reason[200];
    uint32_t root, mark;
    size_t end;
    int rc;

    if (d == NULL) {
        return CM_EINVAL; /* on_event took the document away */
    }
    if (cm_resolver_fast_record(buf, len, r->start, &end, ev, r->tm)) {
        r->end = end;
        r->one_line = true;
        goto emit;
    }
    if (d->src != buf || d->src_len != len) {
        cm_json_doc_begin(d, buf, len);
    }
    mark = d->n;
    cm_diag_clear(&diag);
    rc = cm_json_parse_at(d, r->start, &end, &root, &diag);
    if (rc == CM_ENOMEM || (rc == CM_E2BIG && mark > 0)) {
        return rc; /* the document is full: the caller must hand it off */
    }
    if (rc != 0) {
        /* Resume after the line the record starts on. */
        const char *nl = memchr(buf + r->start, '\n', len - r->start);
        r->end = nl ? (size_t)(nl - buf) : len;
        if (rc == CM_E2BIG) {
            snprintf(reason, sizeof(reason), "record too large: %s", diag.msg);
        } else if (diag.offset >= r->end) {
            /* The reader looked past the line: the record is cut short. */
            snprintf(reason, sizeof(reason), "invalid JSON at end of line: %s", diag.msg);
        } else {
            /* The column in the line (a record may follow another on its line); the JSON
             * reader's UTF-8 message names a byte of this buffer, which is a chunk of
             * standard input or an unwrapped text, not the input: the column says where. */
            size_t ls = r->start;

            while (ls > 0 && buf[ls - 1] != '\n') {
                ls--;
            }
            snprintf(reason, sizeof(reason), "invalid JSON at column %zu: %s",
                     diag.offset >= ls ? diag.offset - ls + 1 : 1,
                     rc == CM_EUTF8 ? cm_strerror(rc) : diag.msg);
        }
        reject(ctx, r, reason);
        return CM_OK;
    }
    r->end = end;
    if (cm_json_type(d, root) != CM_JSON_OBJECT) {
        /* A line of text, not JSON: one reject for the line, not one per word. */
        const char *nl = memchr(buf + end, '\n', len - end);
        r->end = nl ? (size_t)(nl - buf) : len;
        d->n = mark;
        reject(ctx, r, "record is not a JSON object");
        return CM_OK;
    }
    if (fill_event(d, ctx->arena, root, r->tm, ev, reason, sizeof(reason)) != 0) {
        d->n = mark;
        reject(ctx, r, reason);
        return CM_OK;
    }
emit:
    ev->u.dns.qname_ok =
        cm_domain_parse_cached(ctx->dcache, ctx->psl, ev->u.dns.query_name, &ev->u.dns.qname) == 0;
    /* The addresses answered, once for every detector that looks at them. */
    for (uint32_t e = 0; e < ev->u.dns.nans; e++) {
        struct cm_dns_answer *an = &ev->u.dns.ans[e];

        if ((an->type != CM_DNS_RR_A && an->type != CM_DNS_RR_AAAA) ||
            cm_ip_parse(an->rdata, &an->ip) != 0) {
            memset(&an->ip, 0, sizeof(an->ip));
        }
    }
    if (ev->u.dns.vpc_id.len == 0 && r->stream_vpc.len > 0) {
        ev->u.dns.vpc_id = r->stream_vpc; /* trimmed: the VPC its log stream is named after */
    }
    ev->src.file_id = ctx->file_id;
    ev->src.line = r->line;
    ev->src.offset = ctx->offset_base + r->start;
    ev->src.length = end - r->start > UINT32_MAX ? UINT32_MAX : (uint32_t)(end - r->start);
    if (ctx->on_event != NULL) {
        rc = ctx->on_event(ctx->ud, ev);
        if (rc < 0) {
            return rc;
        }
    }
    return CM_OK;
}

/*
 * The VPC named by the log stream in CloudWatch Logs prefix p[0..k) ("<time> <stream> ", as
 * `aws logs tail` writes it; Resolver names its streams after the VPC), or an empty slice.
 */
static struct cm_str prefix_vpc(const char *p, size_t k)
{
    const char *sp = memchr(p, ' ', k);

    if (sp == NULL || (size_t)(sp - p) + 2 >= k) {
        return CM_STR_NULL; /* "<time> ": no stream */
    }
    return cm_cwl_stream_vpc(cm_str_make(sp + 1, k - (size_t)(sp + 1 - p) - 1));
}

static int dns_parse(struct cm_parse_ctx *ctx, const char *buf, size_t len)
{
    struct cm_time_memo tm = {{0}, 0, 0};
    struct cm_event ev;
    size_t pos = 0;
    uint32_t line = ctx->line_base + 1;

    if (ctx->doc == NULL) {
        return CM_EINVAL;
    }
    if (len > UINT32_MAX) {
        return CM_E2BIG; /* JSON node offsets are 32-bit */
    }
    cm_json_doc_begin(ctx->doc, buf, len);
    memset(&ev, 0, sizeof(ev));
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        pos = 3; /* a UTF-8 byte order mark */
    }
    for (;;) {
        struct rec_ref r;
        size_t k;
        int rc;

        while (pos < len &&
               (buf[pos] == ' ' || buf[pos] == '\t' || buf[pos] == '\r' || buf[pos] == '\n')) {
            line += buf[pos] == '\n';
            pos++;
        }
        if (pos >= len) {
            break;
        }
        k = cm_parse_cwl_json_prefix(buf, len, pos);
        r.stream_vpc = k > 0 ? prefix_vpc(buf + pos, k) : CM_STR_NULL;
        pos += k;
        r.start = pos;
        r.end = pos;
        r.line = line;
        r.one_line = false;
        r.tm = &tm;
        rc = parse_record(ctx, buf, len, &r, ctx->slot ? ctx->slot : &ev);
        if (rc < 0) {
            return rc;
        }
        /* Pretty-printed records may span lines. */
        if (!r.one_line) {
            line += cm_parse_count_lines(buf, r.start, r.end);
        }
        pos = r.end;
    }
    return CM_OK;
}

/* Skips a BOM and whitespace; returns the offset of the first other byte. */
static size_t skip_blank(const char *buf, size_t len)
{
    size_t i = 0;

    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        i = 3;
    }
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n')) {
        i++;
    }
    return i;
}

static int dns_sniff(const char *buf, size_t len)
{
    size_t i, end;
    const char *nl;
    struct cm_str first;

    if (buf == NULL) {
        return 0;
    }
    i = skip_blank(buf, len);
    if (i < len) {
        i += cm_parse_cwl_json_prefix(buf, len, i);
    }
    if (i >= len || buf[i] != '{') {
        return 0;
    }
    nl = memchr(buf + i, '\n', len - i);
    end = nl ? (size_t)(nl - buf) : len;
    first = cm_str_make(buf + i, end - i);
    if (cm_str_find(first, CM_STR_LIT("\"query_name\"")) == (size_t)-1) {
        return 0;
    }
    if (cm_str_find(first, CM_STR_LIT("\"query_timestamp\"")) == (size_t)-1 &&
        cm_str_find(first, CM_STR_LIT("\"srcaddr\"")) == (size_t)-1) {
        return 0;
    }
    return 90;
}

const struct cm_parser cm_parser_dns = {
    .name = "dns",
    .kind = CM_EV_DNS,
    .sniff = dns_sniff,
    .parse = dns_parse,
};
