/*
 * STIX 2.x threat lists: a bundle ({"type":"bundle","objects":[...]}), a
 * single STIX object, or a JSON array of objects (an array may hold bundles).
 *
 * Only indicator objects whose pattern_type is "stix" (or absent) are read;
 * other pattern languages (snort, yara, sigma, ...) and every other object
 * type (observed-data and its SCOs included) are skipped without a report:
 * they are not network indicators of ours. In the pattern, each comparison
 * on one of the object paths of net_paths[] is taken as one item, wherever
 * it sits (inside or across brackets, joined by OR, AND or FOLLOWEDBY,
 * under qualifiers):
 *   path = 'value'              one item
 *   path IN ('a', 'b', ...)     one item per string
 *   path ISSUBSET 'cidr'        one item (addresses only)
 * An AND-ed condition on another path makes the indicator narrower than the
 * network value alone; the value is still taken (a list matches values,
 * not whole observations). Any other comparison on those paths (!=, LIKE,
 * MATCHES, ISSUPERSET, NOT ...) is a bad record; comparisons on other paths
 * are ignored. A pattern that does not scan (unterminated string, unbalanced
 * brackets) is a bad record and the indicator gives nothing.
 *
 * threat: the indicator's name; category: its first indicator_types entry
 * (2.1), else its first labels entry (2.0). revoked and valid_until are not
 * applied (lib/ has no clock): such indicators are taken.
 *
 * Line of an item: the line of its indicator object's '{'. JSON that does
 * not parse (or nests too deep) and JSON that is not STIX is CM_EINVAL with
 * a bad record.
 */
#include "intel/format.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/json.h"
#include "intel/format_util.h"

#define MAX_LITERAL (64u * 1024u) /* longest string literal in a pattern */

/* The object paths whose values are network indicators. */
struct net_path {
    const char *path;
    enum cm_intel_value kind;
    bool subset; /* ISSUBSET 'cidr' is taken */
};

static const struct net_path net_paths[] = {
    {"ipv4-addr:value", CM_IV_IP, true},
    {"ipv6-addr:value", CM_IV_IP, true},
    {"domain-name:value", CM_IV_DOMAIN, false},
    {"url:value", CM_IV_URL, false},
    {"network-traffic:dst_ref.value", CM_IV_AUTO, true},
    {"network-traffic:src_ref.value", CM_IV_AUTO, true},
    {NULL, CM_IV_AUTO, false},
};

struct stix2 {
    const struct cm_intel_reader *r;
    struct cm_json_doc doc;
    struct cm_arena arena; /* unescaped JSON strings of one indicator */
    struct cm_buf lit;     /* one unescaped pattern literal */
    size_t line_off;       /* line_no is the line of offset line_off */
    uint32_t line_no;
    bool nomem; /* an unescaped string did not fit: the read fails with CM_ENOMEM */
    /* the indicator being read */
    uint32_t line;
    struct cm_str threat, category;
};

static void bad(const struct stix2 *s, uint32_t line, const char *reason)
{
    cm_intel_bad(s->r, line, reason);
}

/* The 1-based line of offset off; cheap for ascending offsets. */
static uint32_t line_at(struct stix2 *s, size_t off)
{
    return cm_line_at(s->doc.src, off, &s->line_off, &s->line_no);
}

/* ---- pattern lexer ---- */

enum tok {
    T_END = 0,
    T_LBRACK,
    T_RBRACK,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_STRING, /* text: the raw content between the quotes */
    T_TYPED,  /* t'...', h'...', b'...' */
    T_OP,     /* = != < <= > >= */
    T_WORD,   /* AND, OR, IN, true, ... */
    T_PATH,   /* type:property.path */
    T_NUMBER,
    T_ERROR, /* text: the reason */
};

struct token {
    enum tok t;
    struct cm_str s;
};

struct lexer {
    struct cm_str in;
    size_t pos;
};

static bool is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static struct token tok_make(enum tok t, const char *p, size_t n)
{
    struct token k = {t, cm_str_make(p, n)};
    return k;
}

static struct token tok_error(const char *reason)
{
    return tok_make(T_ERROR, reason, strlen(reason));
}

/* A quoted literal starting at the quote at lx->pos; returns its raw content. */
static struct token lex_string(struct lexer *lx, enum tok t)
{
    const char *p = lx->in.p;
    size_t start = ++lx->pos;

    while (lx->pos < lx->in.len) {
        char c = p[lx->pos];
        if (c == '\\') {
            if (lx->pos + 1 >= lx->in.len) {
                break;
            }
            lx->pos += 2;
        } else if (c == '\'') {
            lx->pos++;
            return tok_make(t, p + start, lx->pos - 1 - start);
        } else {
            lx->pos++;
        }
    }
    return tok_error("unterminated string");
}

/* The rest of an object path after "type:": properties, [n], [*] and 'quoted' keys. */
static struct token lex_path(struct lexer *lx, size_t start)
{
    const char *p = lx->in.p;
    size_t n = lx->in.len;

    lx->pos++; /* ':' */
    while (lx->pos < n) {
        char c = p[lx->pos];
        if (is_ident(c) || c == '.') {
            lx->pos++;
        } else if (c == '[' && lx->pos + 2 < n &&
                   (p[lx->pos + 1] == '*' || is_digit(p[lx->pos + 1]))) {
            size_t q = lx->pos + 1;
            while (q < n && (p[q] == '*' || is_digit(p[q]))) {
                q++;
            }
            if (q >= n || p[q] != ']') {
                return tok_error("bad index in an object path");
            }
            lx->pos = q + 1;
        } else if (c == '\'' && p[lx->pos - 1] == '.') {
            struct token k = lex_string(lx, T_STRING);
            if (k.t == T_ERROR) {
                return k;
            }
        } else {
            break;
        }
    }
    return tok_make(T_PATH, p + start, lx->pos - start);
}

static struct token lex_next(struct lexer *lx)
{
    const char *p = lx->in.p;
    size_t n = lx->in.len, start;
    char c;

    while (lx->pos < n && cm_is_space(p[lx->pos])) {
        lx->pos++;
    }
    if (lx->pos >= n) {
        return tok_make(T_END, p + n, 0);
    }
    start = lx->pos;
    c = p[start];
    switch (c) {
    case '[':
        lx->pos++;
        return tok_make(T_LBRACK, p + start, 1);
    case ']':
        lx->pos++;
        return tok_make(T_RBRACK, p + start, 1);
    case '(':
        lx->pos++;
        return tok_make(T_LPAREN, p + start, 1);
    case ')':
        lx->pos++;
        return tok_make(T_RPAREN, p + start, 1);
    case ',':
        lx->pos++;
        return tok_make(T_COMMA, p + start, 1);
    case '\'':
        return lex_string(lx, T_STRING);
    case '=':
        lx->pos++;
        return tok_make(T_OP, p + start, 1);
    case '!':
    case '<':
    case '>':
        lx->pos++;
        if (lx->pos < n && p[lx->pos] == '=') {
            lx->pos++;
        } else if (c == '!') {
            return tok_error("'!' without '='");
        }
        return tok_make(T_OP, p + start, lx->pos - start);
    default:
        break;
    }
    if ((c == 't' || c == 'h' || c == 'b') && start + 1 < n && p[start + 1] == '\'') {
        lx->pos++;
        return lex_string(lx, T_TYPED);
    }
    if (is_digit(c) || ((c == '-' || c == '+') && start + 1 < n && is_digit(p[start + 1]))) {
        lx->pos++;
        while (lx->pos < n && (is_digit(p[lx->pos]) || p[lx->pos] == '.' || p[lx->pos] == 'e' ||
                               p[lx->pos] == 'E' || p[lx->pos] == '-' || p[lx->pos] == '+')) {
            lx->pos++;
        }
        return tok_make(T_NUMBER, p + start, lx->pos - start);
    }
    if (is_ident(c)) {
        while (lx->pos < n && is_ident(p[lx->pos])) {
            lx->pos++;
        }
        if (lx->pos < n && p[lx->pos] == ':') {
            return lex_path(lx, start);
        }
        return tok_make(T_WORD, p + start, lx->pos - start);
    }
    return tok_error("unexpected character");
}

/* ---- pattern scan ---- */

static const struct net_path *net_path_of(struct cm_str path)
{
    for (size_t i = 0; net_paths[i].path; i++) {
        if (cm_str_eqc(path, net_paths[i].path)) {
            return &net_paths[i];
        }
    }
    return NULL;
}

static bool word_is(struct token k, const char *w)
{
    return k.t == T_WORD && cm_str_ieq(k.s, cm_str_cstr(w));
}

/* Unescapes a literal (\' and \\; any \c is c) and hands it over as one item. */
static int emit_literal(struct stix2 *s, const struct net_path *np, struct cm_str raw)
{
    struct cm_intel_item it;
    int rc;

    cm_buf_reset(&s->lit);
    for (size_t i = 0; i < raw.len; i++) {
        char c = raw.p[i];
        if (c == '\\' && i + 1 < raw.len) {
            c = raw.p[++i];
        }
        if ((rc = cm_buf_putc(&s->lit, c)) < 0) {
            if (rc == CM_E2BIG) {
                bad(s, s->line, "pattern: a literal is longer than 64 KiB");
                return 0;
            }
            return rc;
        }
    }
    memset(&it, 0, sizeof(it));
    it.kind = np->kind;
    it.value = cm_trim(cm_str_make(s->lit.p ? s->lit.p : "", s->lit.len));
    it.value2 = cm_str_make("", 0);
    it.threat = s->threat;
    it.category = s->category;
    it.line = s->line;
    if (it.value.len == 0) {
        bad(s, s->line, "pattern: empty value");
        return 0;
    }
    return s->r->item(s->r->ud, &it);
}

/*
 * One comparison after its object path: [NOT] operator value, where value
 * is a literal or a parenthesised list. With emit, hands over the items of
 * a network path and reports the comparisons it cannot take. Returns 0, 1
 * with *err set (syntax) or a callback's error.
 */
static int comparison(struct stix2 *s, struct lexer *lx, struct cm_str path, bool emit,
                      const char **err)
{
    const struct net_path *np = net_path_of(path);
    struct token op = lex_next(lx), v;
    bool neg = false, ok;
    int rc;

    if (word_is(op, "NOT")) {
        neg = true;
        op = lex_next(lx);
    }
    if (op.t != T_OP && !word_is(op, "IN") && !word_is(op, "LIKE") && !word_is(op, "MATCHES") &&
        !word_is(op, "ISSUBSET") && !word_is(op, "ISSUPERSET")) {
        *err = op.t == T_ERROR ? op.s.p : "expected a comparison operator after an object path";
        return 1;
    }
    v = lex_next(lx);
    if (v.t == T_LPAREN) {
        ok = np && !neg && word_is(op, "IN");
        if (emit && np && !ok) {
            bad(s, s->line,
                "pattern: a list comparison on a network value that is not IN; skipped");
        }
        for (;;) {
            v = lex_next(lx);
            if (v.t != T_STRING && v.t != T_TYPED && v.t != T_NUMBER && v.t != T_WORD) {
                *err = v.t == T_ERROR ? v.s.p : "bad value list";
                return 1;
            }
            if (emit && ok && v.t == T_STRING && (rc = emit_literal(s, np, v.s)) < 0) {
                return rc;
            }
            v = lex_next(lx);
            if (v.t == T_RPAREN) {
                return 0;
            }
            if (v.t != T_COMMA) {
                *err = v.t == T_ERROR ? v.s.p : "expected ',' or ')' in a value list";
                return 1;
            }
        }
    }
    if (v.t != T_STRING && v.t != T_TYPED && v.t != T_NUMBER && v.t != T_WORD) {
        *err = v.t == T_ERROR ? v.s.p : "expected a value after a comparison operator";
        return 1;
    }
    if (!emit || !np) {
        return 0;
    }
    ok = !neg && v.t == T_STRING &&
         (cm_str_eqc(op.s, "=") || (np->subset && word_is(op, "ISSUBSET")));
    if (!ok) {
        char reason[160];
        snprintf(reason, sizeof(reason), "pattern: '%.*s %s%.*s' is not an equality; skipped",
                 (int)path.len, path.p, neg ? "NOT " : "", (int)op.s.len, op.s.p);
        bad(s, s->line, reason);
        return 0;
    }
    return emit_literal(s, np, v.s);
}

/*
 * Scans a pattern. Without emit it only checks that it scans (returns 1
 * with *err set when not); with emit it hands over the items.
 */
static int scan(struct stix2 *s, struct cm_str pattern, bool emit, const char **err)
{
    struct lexer lx = {pattern, 0};
    long brack = 0, paren = 0;
    int rc;

    for (;;) {
        struct token k = lex_next(&lx);

        switch (k.t) {
        case T_END:
            if (brack || paren) {
                *err = "unbalanced brackets";
                return 1;
            }
            return 0;
        case T_ERROR:
            *err = k.s.p;
            return 1;
        case T_LBRACK:
            brack++;
            break;
        case T_RBRACK:
            if (--brack < 0) {
                *err = "unbalanced brackets";
                return 1;
            }
            break;
        case T_LPAREN:
            paren++;
            break;
        case T_RPAREN:
            if (--paren < 0) {
                *err = "unbalanced parentheses";
                return 1;
            }
            break;
        case T_PATH:
            if (brack == 0) {
                *err = "an object path outside [ ]";
                return 1;
            }
            if ((rc = comparison(s, &lx, k.s, emit, err)) != 0) {
                return rc;
            }
            break;
        default:
            break;
        }
    }
}

/* ---- objects ---- */

/* The string at node i (unescaped into the arena), CM_STR_NULL when not a string. */
static struct cm_str jstr(struct stix2 *s, uint32_t i)
{
    struct cm_str v;

    if (i == CM_JSON_NONE || cm_json_type(&s->doc, i) != CM_JSON_STRING) {
        return CM_STR_NULL;
    }
    v = cm_json_str(&s->doc, i, &s->arena);
    s->nomem |= v.p == NULL;
    return v;
}

/* The first string of array a (or a itself when a string), else "". */
static struct cm_str first_str(struct stix2 *s, uint32_t a)
{
    struct cm_str v;

    if (a != CM_JSON_NONE && cm_json_type(&s->doc, a) == CM_JSON_ARRAY) {
        a = cm_json_first(&s->doc, a);
    }
    v = jstr(s, a);
    return v.p ? cm_trim(v) : cm_str_make("", 0);
}

static int read_indicator(struct stix2 *s, uint32_t o)
{
    struct cm_json_doc *d = &s->doc;
    uint32_t pt = cm_json_get(d, o, "pattern_type");
    struct cm_str pattern, ptype;
    const char *err = NULL;
    char reason[160];
    int rc;

    cm_arena_reset(&s->arena);
    s->line = line_at(s, cm_json_at(d, o)->off);
    ptype = jstr(s, pt);
    if (s->nomem) {
        return CM_ENOMEM;
    }
    if (pt != CM_JSON_NONE && !(ptype.p && cm_str_ieq(cm_trim(ptype), CM_STR_LIT("stix")))) {
        return 0; /* another pattern language */
    }
    pattern = jstr(s, cm_json_get(d, o, "pattern"));
    if (!pattern.p) {
        if (s->nomem) {
            return CM_ENOMEM;
        }
        bad(s, s->line, "indicator without a pattern string");
        return 0;
    }
    s->threat = first_str(s, cm_json_get(d, o, "name"));
    s->category = first_str(s, cm_json_get(d, o, "indicator_types"));
    if (s->category.len == 0) {
        s->category = first_str(s, cm_json_get(d, o, "labels"));
    }
    if (s->nomem) {
        return CM_ENOMEM;
    }
    if (scan(s, pattern, false, &err) != 0) {
        snprintf(reason, sizeof(reason), "pattern: %s", err);
        bad(s, s->line, reason);
        return 0;
    }
    rc = scan(s, pattern, true, &err);
    return rc < 0 ? rc : 0;
}

static int read_object(struct stix2 *s, uint32_t o, bool top);

static int read_list(struct stix2 *s, uint32_t a, bool top)
{
    int rc;

    for (uint32_t e = cm_json_first(&s->doc, a); e != CM_JSON_NONE;
         e = cm_json_next(&s->doc, a, e)) {
        if (cm_json_type(&s->doc, e) != CM_JSON_OBJECT) {
            bad(s, line_at(s, cm_json_at(&s->doc, e)->off), "not a STIX object");
            continue;
        }
        if ((rc = read_object(s, e, top)) < 0) {
            return rc;
        }
        if (s->nomem) {
            return CM_ENOMEM;
        }
    }
    return 0;
}

/* One object; top: a bundle here is read (one level of bundles in an array). */
static int read_object(struct stix2 *s, uint32_t o, bool top)
{
    struct cm_json_doc *d = &s->doc;
    struct cm_str type;
    uint32_t objs;

    cm_arena_reset(&s->arena);
    type = jstr(s, cm_json_get(d, o, "type"));
    if (!type.p) {
        bad(s, line_at(s, cm_json_at(d, o)->off), "object without a \"type\"");
        return 0;
    }
    if (cm_str_eqc(type, "indicator")) {
        return read_indicator(s, o);
    }
    if (!cm_str_eqc(type, "bundle") || !top) {
        return 0;
    }
    objs = cm_json_get(d, o, "objects");
    if (objs == CM_JSON_NONE) {
        return 0;
    }
    if (cm_json_type(d, objs) != CM_JSON_ARRAY) {
        bad(s, line_at(s, cm_json_at(d, objs)->off), "bundle \"objects\" is not an array");
        return 0;
    }
    return read_list(s, objs, false);
}

/* True when some element of array a is an object with a string "type". */
static bool has_typed(const struct cm_json_doc *d, uint32_t a)
{
    for (uint32_t e = cm_json_first(d, a); e != CM_JSON_NONE; e = cm_json_next(d, a, e)) {
        uint32_t t = cm_json_get(d, e, "type");
        if (t != CM_JSON_NONE && cm_json_type(d, t) == CM_JSON_STRING) {
            return true;
        }
    }
    return false;
}

static int read_root(struct stix2 *s)
{
    const struct cm_json_doc *d = &s->doc;
    uint32_t t;

    switch (cm_json_type(d, 0)) {
    case CM_JSON_OBJECT:
        t = cm_json_get(d, 0, "type");
        if (t == CM_JSON_NONE || cm_json_type(d, t) != CM_JSON_STRING) {
            bad(s, 1, "not STIX 2: the top-level object has no \"type\"");
            return CM_EINVAL;
        }
        return read_object(s, 0, true);
    case CM_JSON_ARRAY:
        if (cm_json_at(d, 0)->len > 0 && !has_typed(d, 0)) {
            bad(s, 1, "not STIX 2: no element of the top-level array has a \"type\"");
            return CM_EINVAL;
        }
        return read_list(s, 0, true);
    default:
        bad(s, 1, "not STIX 2: neither an object nor an array");
        return CM_EINVAL;
    }
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct stix2 s;
    struct cm_diag diag;
    char reason[200];
    int rc;

    memset(&s, 0, sizeof(s));
    s.r = r;
    s.line_no = 1;
    cm_json_doc_init(&s.doc, 0, 0);
    cm_arena_init(&s.arena, 4096, 0);
    cm_buf_init(&s.lit, MAX_LITERAL);
    cm_diag_clear(&diag);
    rc = cm_json_parse(&s.doc, buf, len, &diag);
    if (rc == CM_ENOMEM) {
        goto out;
    }
    if (rc < 0) {
        snprintf(reason, sizeof(reason), "JSON: %s", diag.msg[0] ? diag.msg : cm_strerror(rc));
        s.doc.src = buf;
        bad(&s, line_at(&s, diag.offset <= len ? diag.offset : len), reason);
        rc = CM_EINVAL;
        goto out;
    }
    rc = read_root(&s);
    if (rc == 0 && s.nomem) {
        rc = CM_ENOMEM;
    }
out:
    cm_buf_finish(&s.lit);
    cm_arena_finish(&s.arena);
    cm_json_doc_finish(&s.doc);
    return rc;
}

/* ---- sniffing ---- */

static int sniff(const char *buf, size_t len)
{
    struct cm_str head = cm_json_head(buf, len);

    if (head.len == 0) {
        return 0;
    }
    if (cm_str_find(head, CM_STR_LIT("\"bundle\"")) != (size_t)-1 &&
        cm_str_find(head, CM_STR_LIT("\"type\"")) != (size_t)-1) {
        return 95;
    }
    if (cm_str_find(head, CM_STR_LIT("\"spec_version\"")) != (size_t)-1 &&
        cm_str_find(head, CM_STR_LIT("\"2.")) != (size_t)-1) {
        return 90;
    }
    if (cm_str_find(head, CM_STR_LIT("\"indicator\"")) != (size_t)-1 &&
        cm_str_find(head, CM_STR_LIT("\"pattern\"")) != (size_t)-1) {
        return 80;
    }
    return 0;
}

const struct cm_intel_format cm_intel_format_stix2 = {
    "STIX2",
    "STIX 2.x bundle JSON: indicator patterns on ipv4-addr, ipv6-addr, domain-name and url",
    sniff,
    read_all,
};
