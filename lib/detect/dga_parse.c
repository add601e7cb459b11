/*
 * Reads a DGA model file (dga.h: cm_dga_model_parse) into the layout of
 * dns_dga.h, and makes its token table (cm_dga_token_table, dga.c).
 *
 * The file is text, one item a line ('#' starts a comment):
 *
 *   coalmine-dga 1         format version, first
 *   hash_bits B            the table has 2^B weights (8..22)
 *   ngram MIN MAX          n-gram lengths (1 <= MIN <= MAX <= 5)
 *   seed S                 hash seed (unsigned decimal)
 *   norm none|sqrt         n-gram counts as they are, or over sqrt(count)
 *   tokens M               hand-feature tokens in use (CM_DGA_TOK_* mask, 0..2047)
 *   quant Q                weight units per 1.0 of log-odds (1..1000000)
 *   bias V                 intercept in weight units
 *   lm none|markov2        whether the benign character model's table follows
 *   w START V1 V2 ...      weights START, START+1, ... (|V| <= 32767); lines in
 *                          increasing order, never overlapping; weights not
 *                          given are 0
 *   l START V1 V2 ...      the same for the character model's CM_DGA_LM_SIZE
 *                          log2 probabilities (units of 1/CM_DGA_LM_UNIT bit)
 *   end                    last; nothing but comments and blank lines after it
 *
 * Every header item comes once, before the first w or l line. Numbers are
 * integers only (no locale-dependent floats). Errors name the line.
 */
#include "detect/dns_dga.h"

#include <string.h>

#include "base/alloc.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/str.h"

enum { H_VERSION, H_BITS, H_NGRAM, H_SEED, H_NORM, H_TOKENS, H_QUANT, H_BIAS, H_LM, H_COUNT };

static const char *const header_names[H_COUNT] = {
    "coalmine-dga", "hash_bits", "ngram", "seed", "norm", "tokens", "quant", "bias", "lm",
};

#define MAX_FIELDS 40
#define ALL_SEEN   ((1u << H_COUNT) - 1)

struct line {
    struct cm_str f[MAX_FIELDS];
    size_t n;
};

/* What the parser knows besides the model. */
struct parse {
    struct cm_dga_model *m;
    unsigned seen;  /* header items seen, a bit each */
    bool has_lm;    /* "lm markov2" */
    size_t next[2]; /* first index the next w / l line may start at */
    size_t size[2]; /* entries of the weight table and the lm table */
    struct cm_diag *diag;
    size_t off, lineno;
};

/* Splits [p, end) on blanks into l; a '#' starts a comment. Returns false for too many fields. */
static bool split(const char *p, const char *end, struct line *l)
{
    l->n = 0;
    while (p < end) {
        const char *q;

        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r')) {
            p++;
        }
        if (p == end || *p == '#') {
            break;
        }
        q = p;
        while (q < end && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#') {
            q++;
        }
        if (l->n == MAX_FIELDS) {
            return false;
        }
        l->f[l->n++] = cm_str_make(p, (size_t)(q - p));
        p = q;
    }
    return true;
}

/* Reports the problem of the current line; returns rc. */
static int fail(struct parse *ps, int rc, const char *why, struct cm_str what)
{
    if (ps->diag != NULL) {
        cm_diag_set(ps->diag, ps->off, "line %zu: %s%s%.*s", ps->lineno, why, what.len ? ": " : "",
                    (int)(what.len > 40 ? 40 : what.len), what.p ? what.p : "");
        ps->diag->line = ps->lineno;
    }
    return rc;
}

static int num(struct cm_str s, long long min, long long max, long long *out)
{
    int rc = cm_str_to_i64(s, min, max, out);

    return rc == CM_ERANGE ? CM_ERANGE : rc != 0 ? CM_ESYNTAX : 0;
}

/* One header line (l->f[0] is header_names[k]). */
static int header(struct parse *ps, int k, const struct line *l)
{
    struct cm_dga_model *m = ps->m;
    unsigned long long u;
    long long v, v2;
    int rc;

    if (l->n != (k == H_NGRAM ? 3u : 2u)) {
        return CM_ESYNTAX;
    }
    switch (k) {
    case H_VERSION:
        if ((rc = num(l->f[1], 1, 1000, &v)) != 0) {
            return rc;
        }
        if (v != CM_DGA_VERSION) {
            return CM_ERANGE;
        }
        m->version = (uint32_t)v;
        return 0;
    case H_BITS:
        if ((rc = num(l->f[1], CM_DGA_BITS_MIN, CM_DGA_BITS_MAX, &v)) != 0) {
            return rc;
        }
        m->hash_bits = (uint32_t)v;
        return 0;
    case H_NGRAM:
        if ((rc = num(l->f[1], 1, CM_DGA_NGRAM_MAX, &v)) != 0 ||
            (rc = num(l->f[2], 1, CM_DGA_NGRAM_MAX, &v2)) != 0) {
            return rc;
        }
        if (v > v2) {
            return CM_ERANGE;
        }
        m->ngram_min = (uint32_t)v;
        m->ngram_max = (uint32_t)v2;
        return 0;
    case H_SEED:
        if ((rc = cm_str_to_u64(l->f[1], UINT64_MAX, &u)) != 0) {
            return rc == CM_ERANGE ? CM_ERANGE : CM_ESYNTAX;
        }
        m->seed = u;
        return 0;
    case H_NORM:
        if (cm_str_eqc(l->f[1], "none")) {
            m->norm = CM_DGA_NORM_NONE;
        } else if (cm_str_eqc(l->f[1], "sqrt")) {
            m->norm = CM_DGA_NORM_SQRT;
        } else {
            return CM_ESYNTAX;
        }
        return 0;
    case H_TOKENS:
        if ((rc = num(l->f[1], 0, CM_DGA_TOK_ALL, &v)) != 0) {
            return rc;
        }
        m->tokens = (uint32_t)v;
        return 0;
    case H_QUANT:
        if ((rc = num(l->f[1], 1, 1000000, &v)) != 0) {
            return rc;
        }
        m->quant = (uint32_t)v;
        return 0;
    case H_BIAS:
        if ((rc = num(l->f[1], -1000000000LL, 1000000000LL, &v)) != 0) {
            return rc;
        }
        m->bias = (int32_t)v;
        return 0;
    default: /* H_LM */
        if (cm_str_eqc(l->f[1], "none")) {
            ps->has_lm = false;
        } else if (cm_str_eqc(l->f[1], "markov2")) {
            ps->has_lm = true;
        } else {
            return CM_ESYNTAX;
        }
        return 0;
    }
}

/*
 * Makes the tables once the header is complete: one block, the weights,
 * the lm, then the token table (filled at the end, from the weights).
 */
static int tables(struct parse *ps)
{
    struct cm_dga_model *m = ps->m;

    if (m->owned != NULL) {
        return 0;
    }
    ps->size[0] = (size_t)1 << m->hash_bits;
    ps->size[1] = ps->has_lm ? CM_DGA_LM_SIZE : 0;
    if ((m->owned = cm_calloc(ps->size[0] + ps->size[1] + CM_DGA_TOKW, sizeof(*m->owned))) ==
        NULL) {
        return CM_ENOMEM;
    }
    m->w = m->owned;
    m->lm = ps->has_lm ? m->owned + ps->size[0] : NULL;
    return 0;
}

/* A "w" (t 0) or "l" (t 1) line: values from a start index, in order. */
static int values(struct parse *ps, int t, const struct line *l)
{
    int16_t *dst = ps->m->owned + (t == 0 ? 0 : ps->size[0]);
    unsigned long long start;
    int rc;

    if (t == 1 && !ps->has_lm) {
        return fail(ps, CM_ESYNTAX, "l line without lm markov2", CM_STR_NULL);
    }
    if (l->n < 3) {
        return fail(ps, CM_ESYNTAX, "needs a start and values", l->f[0]);
    }
    if ((rc = cm_str_to_u64(l->f[1], ps->size[t], &start)) != 0) {
        return fail(ps, rc == CM_ERANGE ? CM_ERANGE : CM_ESYNTAX, "bad start", l->f[1]);
    }
    if (start < ps->next[t] || start + (l->n - 2) > ps->size[t]) {
        return fail(ps, CM_ERANGE, "values out of order or past the table", l->f[1]);
    }
    for (size_t i = 2; i < l->n; i++) {
        long long v;

        /* A language-model value is a log-probability: above 0, the scorer's bits per
         * character would be negative (found by fuzz_dga_model: an undefined conversion). */
        if ((rc = num(l->f[i], -CM_DGA_WEIGHT_MAX, t == 1 ? 0 : CM_DGA_WEIGHT_MAX, &v)) != 0) {
            return fail(ps, rc,
                        t == 1 && rc == CM_ERANGE
                            ? "bad value: a language-model value is a log-probability, 0 or below"
                            : "bad value",
                        l->f[i]);
        }
        dst[start + i - 2] = (int16_t)v;
    }
    ps->next[t] = start + (l->n - 2);
    return 0;
}

/* One non-empty line before "end". Sets *ended at "end". */
static int item(struct parse *ps, const struct line *l, bool *ended)
{
    int k, rc;

    if (ps->seen == 0 && !cm_str_eqc(l->f[0], header_names[H_VERSION])) {
        return fail(ps, CM_ESYNTAX, "not a coalmine-dga model", l->f[0]);
    }
    for (k = 0; k < H_COUNT && !cm_str_eqc(l->f[0], header_names[k]); k++) {
    }
    if (k < H_COUNT) {
        if (ps->seen & (1u << k)) {
            return fail(ps, CM_ESYNTAX, "repeated", l->f[0]);
        }
        if (ps->m->owned != NULL) {
            return fail(ps, CM_ESYNTAX, "header after values", l->f[0]);
        }
        if ((rc = header(ps, k, l)) != 0) {
            return fail(ps, rc, "bad value", l->f[0]);
        }
        ps->seen |= 1u << k;
        return 0;
    }
    if (cm_str_eqc(l->f[0], "end") && l->n == 1) {
        *ended = true;
    } else if (!cm_str_eqc(l->f[0], "w") && !cm_str_eqc(l->f[0], "l")) {
        return fail(ps, CM_ESYNTAX, "unknown item", l->f[0]);
    }
    if (ps->seen != ALL_SEEN) {
        return fail(ps, CM_ESYNTAX, "header incomplete", l->f[0]);
    }
    if ((rc = tables(ps)) != 0 || *ended) {
        return rc;
    }
    return values(ps, cm_str_eqc(l->f[0], "w") ? 0 : 1, l);
}

int cm_dga_model_parse(const char *text, size_t len, struct cm_dga_model **out,
                       struct cm_diag *diag)
{
    struct parse ps;
    const char *p = text, *end = text + len;
    bool ended = false;
    struct line l;
    int rc = 0;

    *out = NULL;
    cm_diag_clear(diag);
    if (text == NULL && len > 0) {
        return CM_EINVAL;
    }
    memset(&ps, 0, sizeof(ps));
    ps.diag = diag;
    if ((ps.m = cm_calloc(1, sizeof(*ps.m))) == NULL) {
        return CM_ENOMEM;
    }
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));

        if (eol == NULL) {
            eol = end;
        }
        ps.lineno++;
        ps.off = (size_t)(p - text);
        if (!split(p, eol, &l)) {
            rc = fail(&ps, CM_ESYNTAX, "too many fields", CM_STR_NULL);
            goto out;
        }
        p = eol < end ? eol + 1 : end;
        if (l.n == 0) {
            continue;
        }
        if (ended) {
            rc = fail(&ps, CM_ESYNTAX, "text after end", l.f[0]);
            goto out;
        }
        if ((rc = item(&ps, &l, &ended)) != 0) {
            goto out;
        }
    }
    if (!ended) {
        ps.off = len;
        rc = fail(&ps, CM_ESYNTAX, "no end line (truncated?)", CM_STR_NULL);
        goto out;
    }
    {
        int16_t *tokw = ps.m->owned + ps.size[0] + ps.size[1];

        cm_dga_token_table(ps.m, tokw);
        ps.m->tokw = tokw;
    }
    *out = ps.m;
    ps.m = NULL;
out:
    cm_dga_model_free(ps.m);
    return rc;
}
