/*
 * Matching compiled EventBridge patterns against events on a JSON tape.
 *
 * The walk follows the pattern tree: at each pattern object every field is
 * looked up in the event object (cm_json_getn) and must hold, then one $or
 * branch must hold against the same event object. An array met where a
 * pattern object applies is fanned out: the object must hold within one of
 * its elements (array-consistent matching; arrays of arrays are flattened,
 * an empty array is an absent value). At a leaf field the reached scalars
 * (the value itself, or every scalar inside its arrays, objects skipped) are
 * the candidates: the field holds when a matcher holds on one of them,
 * exists:true when there is one, exists:false when there is none. Flattening
 * is iterative over the tape; recursion follows only the pattern, whose
 * depth the compiler caps.
 *
 * Matching allocates nothing. Event strings are read through a forward
 * cursor that decodes escapes on the fly (one escape at a time, via
 * cm_json_unescape), so an escaped string of any length compares exactly;
 * suffixes and wildcards first measure the unescaped length. Wildcards are
 * matched run by run: the first run as a prefix, the middle runs
 * leftmost-first with their KMP tables, the last as a suffix, which is
 * linear in the text. Event numbers are converted with strtod from a stack
 * copy; a number text too long for it is first reduced to its leading
 * significant digits plus a sticky digit, which rounds the same.
 *
 * Also here: cm_pat_wild_build, which lays out a wildcard's runs (and their
 * KMP tables) at compile time for txt_wild.
 */
#include "route/pattern_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/str.h"
#include "base/utf8.h"

#define NUM_DIGITS  780               /* significant digits kept (768 decide any double) */
#define NUM_BUF     (NUM_DIGITS + 32) /* number texts shorter than this are copied as is */
#define IP_TEXT_MAX 64                /* longest IP address text looked at */

/* An event string: its raw bytes between the quotes, maybe with escapes. */
struct txt {
    const char *p;
    size_t n;
    bool esc;
};

/* A forward cursor over the unescaped bytes of a struct txt. */
struct cur {
    const char *p;
    size_t i, n;
    bool esc;
    uint8_t k, m;        /* pending decoded bytes b[k..m) */
    unsigned char b[12]; /* cm_json_unescape wants room for the raw length */
};

/* One scalar of the event, with lazily converted views. */
struct leaf {
    const struct cm_json_doc *d;
    uint32_t i;
    enum cm_json_type t;
    struct txt s;
    int8_t num_state, ip_state; /* 0 not yet, 1 valid, -1 none */
    double num;
    struct cm_ip ip;
};

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static uint32_t hex4(const char *p)
{
    uint32_t v = 0;

    /* A non-hex digit (-1) sets every bit: no surrogate. */
    for (int k = 0; k < 4; k++) {
        v = v << 4 | (uint32_t)cm_hex_digit(p[k]);
    }
    return v;
}

/* Raw length of the escape at p[i] (a backslash), as the reader accepted it. */
static size_t esc_len(const char *p, size_t i, size_t n)
{
    uint32_t hi, lo;

    if (n - i < 6 || p[i + 1] != 'u') {
        return n - i < 2 ? n - i : 2;
    }
    hi = hex4(p + i + 2);
    if (hi >= 0xD800 && hi <= 0xDBFF && n - i >= 12 && p[i + 6] == '\\' && p[i + 7] == 'u') {
        lo = hex4(p + i + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            return 12;
        }
    }
    return 6;
}

static struct cur cur_begin(struct txt t)
{
    struct cur c;

    c.p = t.p;
    c.i = 0;
    c.n = t.n;
    c.esc = t.esc;
    c.k = c.m = 0;
    return c;
}

/* The next unescaped byte, or -1 at the end. */
static inline int cur_next(struct cur *c)
{
    size_t e;

    if (c->k < c->m) {
        return c->b[c->k++];
    }
    if (c->i >= c->n) {
        return -1;
    }
    if (!c->esc || c->p[c->i] != '\\') {
        return (unsigned char)c->p[c->i++];
    }
    e = esc_len(c->p, c->i, c->n);
    c->m = (uint8_t)cm_json_unescape(c->p + c->i, e, (char *)c->b);
    c->i += e;
    c->k = 1;
    return c->b[0];
}

/* Skips n unescaped bytes (fewer at the end). */
static void cur_skip(struct cur *c, size_t n)
{
    while (n > 0) {
        if (!c->esc && c->k == c->m) {
            c->i += n < c->n - c->i ? n : c->n - c->i;
            return;
        }
        if (cur_next(c) < 0) {
            return;
        }
        n--;
    }
}

/* Consumes len bytes that must equal s (s lower-case when icase). */
static bool cur_take(struct cur *c, const char *s, size_t len, bool icase)
{
    int b;

    if (!c->esc && c->k == c->m && !icase) {
        if (c->n - c->i < len || (len > 0 && memcmp(c->p + c->i, s, len) != 0)) {
            return false;
        }
        c->i += len;
        return true;
    }
    for (size_t k = 0; k < len; k++) {
        b = cur_next(c);
        if (b < 0 || (icase ? lower(b) : b) != (unsigned char)s[k]) {
            return false;
        }
    }
    return true;
}

/* Length of t once unescaped. */
static size_t txt_len(struct txt t)
{
    size_t len = t.n, i = 0, e;
    const char *bs;
    char tmp[12];

    while (t.esc && i < t.n && (bs = memchr(t.p + i, '\\', t.n - i)) != NULL) {
        i = (size_t)(bs - t.p);
        e = esc_len(t.p, i, t.n);
        len -= e - cm_json_unescape(t.p + i, e, tmp);
        i += e;
    }
    return len;
}

static bool txt_eq(struct txt t, const char *s, size_t len, bool icase)
{
    struct cur c = cur_begin(t);

    if ((!t.esc && t.n != len) || len > t.n) {
        return false;
    }
    return cur_take(&c, s, len, icase) && cur_next(&c) < 0;
}

static bool txt_prefix(struct txt t, const char *s, size_t len, bool icase)
{
    struct cur c = cur_begin(t);

    return cur_take(&c, s, len, icase);
}

static bool txt_suffix(struct txt t, const char *s, size_t len, bool icase)
{
    size_t total = txt_len(t);
    struct cur c = cur_begin(t);

    if (total < len) {
        return false;
    }
    cur_skip(&c, total - len);
    return cur_take(&c, s, len, icase);
}

/* KMP failure table of run g (length >= 1) into the arena. */
static int kmp_table(struct cm_arena *a, struct cm_pat_seg *g)
{
    uint32_t q = 0;

    g->kmp = cm_arena_alloc(a, g->len * sizeof(*g->kmp));
    if (g->kmp == NULL) {
        return CM_ENOMEM;
    }
    g->kmp[0] = 0;
    for (uint32_t i = 1; i < g->len; i++) {
        while (q > 0 && g->p[i] != g->p[q]) {
            q = g->kmp[q - 1];
        }
        if (g->p[i] == g->p[q]) {
            q++;
        }
        g->kmp[i] = q;
    }
    return 0;
}

int cm_pat_wild_build(struct cm_arena *a, char *s, uint32_t n, uint32_t nseg, struct cm_pat_val *v)
{
    struct cm_pat_seg *seg = cm_arena_alloc(a, nseg * sizeof(*seg));
    uint32_t w = 0, start = 0, k = 0;
    int rc = 0;

    if (seg == NULL) {
        return CM_ENOMEM;
    }
    memset(seg, 0, nseg * sizeof(*seg));
    for (uint32_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            s[w++] = s[++i];
        } else if (s[i] == '*') {
            seg[k].p = s + start;
            seg[k++].len = w - start;
            start = w;
        } else {
            s[w++] = s[i];
        }
    }
    seg[k].p = s + start;
    seg[k].len = w - start;
    for (k = 1; rc == 0 && k + 1 < nseg; k++) {
        rc = kmp_table(a, &seg[k]);
    }
    v->u.w.seg = seg;
    v->u.w.nseg = nseg;
    return rc;
}

/*
 * Finds run g leftmost in the cursor's bytes at positions [*pos, limit),
 * consuming through the end of the match. KMP: linear, no backtracking.
 */
static bool run_find(struct cur *c, size_t *pos, size_t limit, const struct cm_pat_seg *g)
{
    uint32_t q = 0;
    int b;

    while (limit - *pos >= g->len - q) {
        b = cur_next(c);
        (*pos)++;
        while (q > 0 && (unsigned char)g->p[q] != b) {
            q = g->kmp[q - 1];
        }
        if ((unsigned char)g->p[q] == b) {
            q++;
        }
        if (q == g->len) {
            return true;
        }
    }
    return false;
}

/* Wildcard: run 0 is a prefix, the last run a suffix, the middle ones in order between. */
static bool txt_wild(struct txt t, const struct cm_pat_seg *seg, uint32_t nseg)
{
    const struct cm_pat_seg *first = &seg[0], *last = &seg[nseg - 1];
    size_t total, pos, limit;
    struct cur c;

    if (nseg == 1) {
        return txt_eq(t, first->p, first->len, false);
    }
    total = txt_len(t);
    if (total < (size_t)first->len + last->len) {
        return false;
    }
    c = cur_begin(t);
    if (!cur_take(&c, first->p, first->len, false)) {
        return false;
    }
    pos = first->len;
    limit = total - last->len;
    for (uint32_t k = 1; k + 1 < nseg; k++) {
        if (!run_find(&c, &pos, limit, &seg[k])) {
            return false;
        }
    }
    cur_skip(&c, limit - pos);
    return cur_take(&c, last->p, last->len, false);
}

/*
 * Rewrites a long JSON number text s as "[-]0.<digits>e<exp>" with at most
 * NUM_DIGITS significant digits, plus a 1 when a dropped digit is not zero,
 * into buf (NUM_BUF bytes): strtod rounds it exactly as the full text.
 */
static void num_reduce(const char *s, size_t n, char *buf)
{
    size_t i = 0, o = 0, kept = 0;
    long long point = 0, first = -1, idx = 0, e = 0;
    bool frac = false, sticky = false, eneg = false;

    if (s[0] == '-') {
        buf[o++] = s[i++];
    }
    buf[o++] = '0';
    buf[o++] = '.';
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            frac = true;
            continue;
        }
        point += !frac;
        if (first < 0 && s[i] == '0') {
            idx++;
            continue;
        }
        if (first < 0) {
            first = idx;
        }
        idx++;
        if (kept < NUM_DIGITS) {
            buf[o++] = s[i];
            kept++;
        } else if (s[i] != '0') {
            sticky = true;
        }
    }
    if (first < 0) {
        buf[o++] = '0';
        buf[o] = '\0';
        return;
    }
    if (sticky) {
        buf[o++] = '1';
    }
    if (i < n && ++i < n && (s[i] == '+' || s[i] == '-')) {
        eneg = s[i++] == '-';
    }
    for (; i < n; i++) {
        e = e < 1000000000LL ? e * 10 + (s[i] - '0') : e;
    }
    e = (eneg ? -e : e) + point - first;
    e = e > 9999999 ? 9999999 : e < -9999999 ? -9999999 : e;
    snprintf(buf + o, NUM_BUF - o, "e%lld", e);
}

/* The value of a JSON number text; false when it is not finite. */
static bool num_value(const char *s, size_t n, double *out)
{
    char buf[NUM_BUF];

    if (n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
    } else {
        num_reduce(s, n, buf);
    }
    *out = strtod(buf, NULL);
    return isfinite(*out);
}

static bool leaf_num(struct leaf *lf)
{
    if (lf->num_state == 0) {
        struct cm_str raw = cm_json_raw(lf->d, lf->i);

        lf->num_state =
            num_value(raw.p, raw.len, &lf->num) && fabs(lf->num) <= CM_PAT_NUM_LIMIT ? 1 : -1;
    }
    return lf->num_state > 0;
}

static bool leaf_ip(struct leaf *lf)
{
    char buf[IP_TEXT_MAX];
    struct cur c = cur_begin(lf->s);
    size_t n = 0;
    int b;

    if (lf->ip_state != 0) {
        return lf->ip_state > 0;
    }
    lf->ip_state = -1;
    while ((b = cur_next(&c)) >= 0) {
        if (n == sizeof(buf)) {
            return false;
        }
        buf[n++] = (char)b;
    }
    if (cm_ip_parse(cm_str_make(buf, n), &lf->ip) == 0) {
        lf->ip_state = 1;
    }
    return lf->ip_state > 0;
}

static bool in_range(const struct cm_pat_val *v, double x)
{
    if (v->u.r.lo_incl ? x < v->u.r.lo : x <= v->u.r.lo) {
        return false;
    }
    return v->u.r.hi_incl ? x <= v->u.r.hi : x < v->u.r.hi;
}

/* The JSON type a matcher kind applies to. */
static enum cm_json_type kind_type(uint8_t kind)
{
    switch (kind) {
    case CM_PAT_NUM:
    case CM_PAT_NUM_TEXT:
    case CM_PAT_RANGE:
        return CM_JSON_NUMBER;
    case CM_PAT_TRUE:
        return CM_JSON_TRUE;
    case CM_PAT_FALSE:
        return CM_JSON_FALSE;
    case CM_PAT_NULL:
        return CM_JSON_NULL;
    default:
        return CM_JSON_STRING;
    }
}

/* Value v of a matcher of kind on a leaf of the kind's type. */
static bool val_hit(uint8_t kind, const struct cm_pat_val *v, struct leaf *lf)
{
    switch (kind) {
    case CM_PAT_EQ:
    case CM_PAT_EQ_I:
        return txt_eq(lf->s, v->u.s.p, v->u.s.len, kind == CM_PAT_EQ_I);
    case CM_PAT_PREFIX:
    case CM_PAT_PREFIX_I:
        return txt_prefix(lf->s, v->u.s.p, v->u.s.len, kind == CM_PAT_PREFIX_I);
    case CM_PAT_SUFFIX:
    case CM_PAT_SUFFIX_I:
        return txt_suffix(lf->s, v->u.s.p, v->u.s.len, kind == CM_PAT_SUFFIX_I);
    case CM_PAT_WILD:
        return txt_wild(lf->s, v->u.w.seg, v->u.w.nseg);
    case CM_PAT_CIDR:
        return leaf_ip(lf) && cm_ip_in_cidr(&lf->ip, &v->u.c.net, v->u.c.prefix);
    case CM_PAT_NUM:
        return leaf_num(lf) && lf->num == v->u.num;
    case CM_PAT_NUM_TEXT: {
        struct cm_str raw = cm_json_raw(lf->d, lf->i);

        return raw.len == v->u.s.len && memcmp(raw.p, v->u.s.p, raw.len) == 0;
    }
    case CM_PAT_RANGE:
        return leaf_num(lf) && in_range(v, lf->num);
    default:
        return true; /* true / false / null: the type is the value */
    }
}

/* A matcher on one leaf: any value hits (anything-but: none does). */
static bool matcher_hit(const struct cm_pat_matcher *m, struct leaf *lf)
{
    bool hit = false;

    if (kind_type(m->kind) == lf->t) {
        for (uint32_t k = 0; k < m->nvals && !hit; k++) {
            hit = val_hit(m->kind, &m->vals[k], lf);
        }
    }
    return hit != m->negate;
}

static bool leaf_hit(const struct cm_pat_field *f, const struct cm_json_doc *d, uint32_t i)
{
    struct leaf lf;

    memset(&lf, 0, sizeof(lf));
    lf.d = d;
    lf.i = i;
    lf.t = cm_json_type(d, i);
    if (lf.t == CM_JSON_STRING) {
        lf.s.p = d->src + d->nodes[i].off;
        lf.s.n = d->nodes[i].len;
        lf.s.esc = (d->nodes[i].tag & CM_JSON_F_ESCAPED) != 0;
    }
    for (uint32_t k = 0; k < f->nm; k++) {
        if (matcher_hit(&f->m[k], &lf)) {
            return true;
        }
    }
    return false;
}

/* A leaf field on event value v (NONE when absent). */
static bool field_match(const struct cm_pat_field *f, const struct cm_json_doc *d, uint32_t v)
{
    uint32_t i, end;
    bool any = false;

    if (v == CM_JSON_NONE || cm_json_type(d, v) == CM_JSON_OBJECT) {
        return f->exists_false;
    }
    i = cm_json_type(d, v) == CM_JSON_ARRAY ? v + 1 : v;
    end = d->nodes[v].next;
    while (i < end) {
        enum cm_json_type t = cm_json_type(d, i);

        if (t == CM_JSON_ARRAY) {
            i++;
            continue;
        }
        if (t == CM_JSON_OBJECT) {
            i = d->nodes[i].next;
            continue;
        }
        any = true;
        if (f->exists_true || leaf_hit(f, d, i)) {
            return true;
        }
        i++;
    }
    return !any && f->exists_false;
}

static bool obj_match(const struct cm_pat_obj *o, const struct cm_json_doc *d, uint32_t v);

/* Pattern level o against event node v (an object; anything else has no members). */
static bool level_match(const struct cm_pat_obj *o, const struct cm_json_doc *d, uint32_t v)
{
    bool is_obj = v != CM_JSON_NONE && cm_json_type(d, v) == CM_JSON_OBJECT;

    for (uint32_t k = 0; k < o->nf; k++) {
        const struct cm_pat_field *f = &o->f[k];
        uint32_t child = is_obj ? cm_json_getn(d, v, f->key, f->klen) : CM_JSON_NONE;

        if (!(f->obj ? obj_match(f->obj, d, child) : field_match(f, d, child))) {
            return false;
        }
    }
    for (uint32_t k = 0; k < o->nalt; k++) {
        if (level_match(&o->alt[k], d, v)) {
            return true;
        }
    }
    return o->nalt == 0;
}

/* Pattern object o against event value v, fanning out over arrays. */
static bool obj_match(const struct cm_pat_obj *o, const struct cm_json_doc *d, uint32_t v)
{
    uint32_t i, end;
    bool any = false;

    if (v == CM_JSON_NONE || cm_json_type(d, v) != CM_JSON_ARRAY) {
        return level_match(o, d, v);
    }
    end = d->nodes[v].next;
    for (i = v + 1; i < end;) {
        if (cm_json_type(d, i) == CM_JSON_ARRAY) {
            i++;
            continue;
        }
        any = true;
        if (level_match(o, d, i)) {
            return true;
        }
        i = d->nodes[i].next;
    }
    return !any && level_match(o, d, CM_JSON_NONE);
}

bool cm_pattern_match(const struct cm_pattern *p, const struct cm_json_doc *ev, uint32_t root)
{
    if (p == NULL || ev == NULL || root >= ev->n) {
        return false;
    }
    return obj_match(&p->root, ev, root);
}

int cm_pattern_match_json(const struct cm_pattern *p, const char *json, size_t len, bool *matched,
                          struct cm_diag *diag)
{
    struct cm_json_doc d;
    int rc;

    *matched = false;
    cm_diag_clear(diag);
    cm_json_doc_init(&d, 0, 0);
    rc = cm_json_parse(&d, json, len, diag);
    if (rc == 0) {
        *matched = cm_pattern_match(p, &d, 0);
    }
    cm_json_doc_finish(&d);
    return rc;
}
