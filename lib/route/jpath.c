/*
 * JSONPath for target input (jpath.h): a hand-written scanner over the path
 * text into steps, and a recursive walk over the JSON tape that follows
 * them (its depth is the number of steps, at most CM_JPATH_MAX_STEPS).
 */
#include "route/jpath.h"

#include <string.h>

#include "base/err.h"

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '/';
}

/* Adds a step; CM_E2BIG past the cap. */
static int add_step(struct cm_jpath *p, int32_t index, size_t off, size_t len, size_t at,
                    struct cm_diag *diag)
{
    if (p->nsteps == CM_JPATH_MAX_STEPS) {
        cm_diag_set(diag, at, "more than %d steps", CM_JPATH_MAX_STEPS);
        return CM_E2BIG;
    }
    p->step[p->nsteps].index = index;
    p->step[p->nsteps].off = (uint32_t)off;
    p->step[p->nsteps++].len = (uint32_t)len;
    p->wild |= index == CM_JPATH_ANY;
    return 0;
}

/* A bracket step at s[i] == '['; sets *next past its ']'. */
static int bracket_step(struct cm_jpath *p, const char *s, size_t n, size_t i, bool brackets,
                        size_t *next, struct cm_diag *diag)
{
    size_t j = i + 1;
    uint64_t v = 0;

    if (j < n && s[j] == '*') {
        if (j + 1 >= n || s[j + 1] != ']') {
            cm_diag_set(diag, j + 1, "expected ']' after '[*'");
            return CM_EINVAL;
        }
        *next = j + 2;
        return add_step(p, CM_JPATH_ANY, 0, 0, i, diag);
    }
    if (j < n && (s[j] == '\'' || s[j] == '"')) {
        const char *q = memchr(s + j + 1, s[j], n - j - 1);

        if (!brackets) {
            cm_diag_set(diag, i, "use dot notation here, not ['name']");
            return CM_EINVAL;
        }
        if (q == NULL || (size_t)(q - s) + 1 >= n || q[1] != ']') {
            cm_diag_set(diag, j, "a quoted name must end with %c]", s[j]);
            return CM_EINVAL;
        }
        *next = (size_t)(q - s) + 2;
        return add_step(p, CM_JPATH_NAME, j + 1, (size_t)(q - s) - j - 1, i, diag);
    }
    while (j < n && s[j] >= '0' && s[j] <= '9' && v <= INT32_MAX) {
        v = v * 10 + (uint64_t)(s[j++] - '0');
    }
    if (j == i + 1 || j >= n || s[j] != ']' || v > INT32_MAX) {
        cm_diag_set(diag, i,
                    brackets ? "expected [index], [*] or ['name']" : "expected [index] or [*]");
        return CM_EINVAL;
    }
    *next = j + 1;
    return add_step(p, (int32_t)v, 0, 0, i, diag);
}

int cm_jpath_parse(const char *s, size_t n, bool brackets, struct cm_jpath *p, struct cm_diag *diag)
{
    size_t i = 1, j;
    int rc;

    memset(p, 0, sizeof(*p));
    cm_diag_clear(diag);
    if (n > CM_JPATH_MAX_LEN) {
        cm_diag_set(diag, CM_JPATH_MAX_LEN, "longer than %d bytes", CM_JPATH_MAX_LEN);
        return CM_E2BIG;
    }
    memcpy(p->text, s, n);
    if (n == 0 || s[0] != '$') {
        cm_diag_set(diag, 0, "must start with $");
        return CM_EINVAL;
    }
    while (i < n) {
        if (s[i] == '[') {
            if ((rc = bracket_step(p, s, n, i, brackets, &i, diag)) != 0) {
                return rc;
            }
            continue;
        }
        if (s[i] != '.') {
            cm_diag_set(diag, i, "expected '.' or '[' (names take letters, digits, _ - /)");
            return CM_EINVAL;
        }
        if (i + 1 < n && s[i + 1] == '*') {
            if ((rc = add_step(p, CM_JPATH_ANY, 0, 0, i, diag)) != 0) {
                return rc;
            }
            i += 2;
            continue;
        }
        for (j = i + 1; j < n && name_char(s[j]); j++) {
        }
        if (j == i + 1) {
            cm_diag_set(diag, i + 1, "expected a name or * after '.'");
            return CM_EINVAL;
        }
        if ((rc = add_step(p, CM_JPATH_NAME, i + 1, j - i - 1, i, diag)) != 0) {
            return rc;
        }
        i = j;
    }
    return 0;
}

struct walk {
    const struct cm_jpath *p;
    const struct cm_json_doc *d;
    bool (*fn)(void *ud, uint32_t node);
    void *ud;
    uint32_t count;
    bool stop;
};

static void walk(struct walk *w, uint32_t k, uint32_t node)
{
    const struct cm_jpath_step *st;
    enum cm_json_type t;
    uint32_t c;

    if (w->stop) {
        return;
    }
    if (k == w->p->nsteps) {
        w->count++;
        w->stop = !w->fn(w->ud, node);
        return;
    }
    st = &w->p->step[k];
    t = cm_json_type(w->d, node);
    if (st->index == CM_JPATH_NAME) {
        c = cm_json_getn(w->d, node, w->p->text + st->off, st->len);
        if (c != CM_JSON_NONE) {
            walk(w, k + 1, c);
        }
    } else if (st->index >= 0) {
        c = t == CM_JSON_ARRAY ? cm_json_index(w->d, node, (uint32_t)st->index) : CM_JSON_NONE;
        if (c != CM_JSON_NONE) {
            walk(w, k + 1, c);
        }
    } else if (t == CM_JSON_ARRAY || t == CM_JSON_OBJECT) {
        for (c = cm_json_first(w->d, node); c != CM_JSON_NONE;) {
            uint32_t v = t == CM_JSON_OBJECT ? c + 1 : c;

            walk(w, k + 1, v);
            c = cm_json_next(w->d, node, v);
        }
    }
}

uint32_t cm_jpath_eval(const struct cm_jpath *p, const struct cm_json_doc *d, uint32_t root,
                       bool (*fn)(void *ud, uint32_t node), void *ud)
{
    struct walk w = {p, d, fn, ud, 0, false};

    if (root < d->n) {
        walk(&w, 0, root);
    }
    return w.count;
}
