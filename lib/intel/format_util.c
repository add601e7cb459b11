/*
 * Line and CSV helpers of the threat-list readers: see format_util.h.
 */
#include "intel/format_util.h"

#include <string.h>

#include "base/err.h"

void cm_lines_init(struct cm_lines *it, const char *buf, size_t len)
{
    it->buf = buf;
    it->len = buf ? len : 0;
    it->off = 0;
    it->line = 0;
    if (it->len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        it->off = 3;
    }
}

bool cm_lines_next(struct cm_lines *it, struct cm_str *line)
{
    const char *start, *nl;
    size_t avail, n;

    if (it->off >= it->len) {
        return false;
    }
    start = it->buf + it->off;
    avail = it->len - it->off;
    nl = memchr(start, '\n', avail);
    if (nl != NULL) {
        n = (size_t)(nl - start);
        it->off += n + 1;
    } else {
        n = avail;
        it->off = it->len;
    }
    if (n > 0 && start[n - 1] == '\r') {
        n--;
    }
    if (it->line < UINT32_MAX) {
        it->line++;
    }
    *line = cm_str_make(start, n);
    return true;
}

bool cm_lines_next_data(struct cm_lines *it, struct cm_str *line)
{
    while (cm_lines_next(it, line)) {
        struct cm_str t = cm_trim(*line);
        if (t.len > 0 && t.p[0] != '#') {
            return true;
        }
    }
    return false;
}

struct cm_str cm_trim(struct cm_str s)
{
    while (s.len > 0 && cm_is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && cm_is_space(s.p[s.len - 1])) {
        s.len--;
    }
    return s;
}

struct cm_str cm_trim_quotes(struct cm_str s)
{
    s = cm_trim(s);
    if (s.len >= 2 && (s.p[0] == '"' || s.p[0] == '\'') && s.p[s.len - 1] == s.p[0]) {
        s = cm_trim(cm_str_make(s.p + 1, s.len - 2));
    }
    return s;
}

struct cm_str cm_token(struct cm_str s, struct cm_str *rest)
{
    size_t i = 0, start;

    while (i < s.len && cm_is_space(s.p[i])) {
        i++;
    }
    start = i;
    while (i < s.len && !cm_is_space(s.p[i])) {
        i++;
    }
    if (rest != NULL) {
        *rest = cm_str_make(s.p ? s.p + i : NULL, s.len - i);
    }
    return cm_str_make(s.p ? s.p + start : NULL, i - start);
}

bool cm_has_ctl(struct cm_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return true;
        }
    }
    return false;
}

/* Stores field number row->n (when there is room) and counts it. */
static void put_field(struct cm_csv_row *row, struct cm_str v)
{
    if (row->n < row->max) {
        row->f[row->n] = v;
    }
    row->n++;
}

/*
 * The quoted field whose opening quote is at line.p[*i]: its content in *v
 * and *i just past the closing quote. Returns 0, CM_ESYNTAX (unterminated)
 * or the scratch buffer's error.
 */
static int quoted(struct cm_str line, size_t *i, struct cm_csv_row *row, struct cm_str *v)
{
    size_t start = *i + 1, j = start;
    bool doubled = false;

    for (;;) {
        const char *q = j < line.len ? memchr(line.p + j, '"', line.len - j) : NULL;
        if (q == NULL) {
            row->reason = "unterminated quoted field (a quoted field may not span lines)";
            return CM_ESYNTAX;
        }
        j = (size_t)(q - line.p);
        if (j + 1 < line.len && line.p[j + 1] == '"') {
            doubled = true;
            j += 2;
            continue;
        }
        break;
    }
    *i = j + 1;
    if (!doubled || row->scratch == NULL) {
        *v = cm_str_make(line.p + start, j - start);
        return CM_OK;
    }
    {
        /* Room was reserved for the whole line, so the buffer never moves. */
        size_t at = row->scratch->len;
        for (size_t k = start; k < j; k++) {
            int rc = cm_buf_putc(row->scratch, line.p[k]);
            if (rc != 0) {
                return rc;
            }
            if (line.p[k] == '"') {
                k++;
            }
        }
        *v = cm_str_make(row->scratch->p + at, row->scratch->len - at);
    }
    return CM_OK;
}

int cm_csv_split(struct cm_str line, char sep, struct cm_csv_row *row)
{
    size_t i = 0;
    int rc;

    row->n = 0;
    row->reason = NULL;
    if (row->scratch != NULL) {
        cm_buf_reset(row->scratch);
        rc = cm_buf_reserve(row->scratch, line.len);
        if (rc != 0) {
            return rc;
        }
    }
    for (;;) {
        struct cm_str v;

        /* Leading whitespace (never the separator itself, e.g. a tab). */
        while (i < line.len && line.p[i] != sep && cm_is_space(line.p[i])) {
            i++;
        }
        if (i < line.len && line.p[i] == '"') {
            rc = quoted(line, &i, row, &v);
            if (rc != 0) {
                return rc;
            }
            while (i < line.len && line.p[i] != sep && cm_is_space(line.p[i])) {
                i++;
            }
            if (i < line.len && line.p[i] != sep) {
                row->reason = "text after the closing quote of a quoted field";
                return CM_ESYNTAX;
            }
        } else {
            size_t start = i, end;
            const char *s = i < line.len ? memchr(line.p + i, sep, line.len - i) : NULL;

            i = s ? (size_t)(s - line.p) : line.len;
            end = i;
            while (end > start && cm_is_space(line.p[end - 1])) {
                end--;
            }
            v = cm_str_make(line.p ? line.p + start : "", end - start);
        }
        put_field(row, v);
        if (i >= line.len) {
            return CM_OK;
        }
        i++; /* the separator */
    }
}

void cm_split(struct cm_str line, char sep, struct cm_csv_row *row)
{
    size_t i = 0;

    row->n = 0;
    row->reason = NULL;
    for (;;) {
        const char *s = i < line.len ? memchr(line.p + i, sep, line.len - i) : NULL;
        size_t end = s ? (size_t)(s - line.p) : line.len;

        put_field(row, cm_trim(cm_str_make(line.p ? line.p + i : "", end - i)));
        if (s == NULL) {
            return;
        }
        i = end + 1;
    }
}

size_t cm_csv_col(const struct cm_str *f, size_t n, const char *name)
{
    struct cm_str want = cm_str_cstr(name);

    for (size_t i = 0; i < n; i++) {
        if (cm_str_ieq(cm_trim_quotes(f[i]), want)) {
            return i;
        }
    }
    return (size_t)-1;
}

/* s trimmed, and never NULL: the empty slice "" when there is nothing. */
static struct cm_str clean(struct cm_str s)
{
    s = cm_trim_quotes(s);
    return s.p ? s : cm_str_make("", 0);
}

int cm_intel_emit(const struct cm_intel_reader *r, enum cm_intel_value kind, struct cm_str value,
                  struct cm_str threat, struct cm_str category, uint32_t line)
{
    struct cm_intel_item it;

    memset(&it, 0, sizeof(it));
    it.kind = kind;
    it.value = clean(value);
    if (it.value.len == 0) {
        cm_intel_bad(r, line, "empty indicator");
        return CM_OK;
    }
    it.value2 = cm_str_make("", 0);
    it.threat = clean(threat);
    it.category = clean(category);
    it.line = line;
    return r->item(r->ud, &it);
}

void cm_intel_bad(const struct cm_intel_reader *r, uint32_t line, const char *reason)
{
    if (r->bad != NULL) {
        r->bad(r->ud, line, reason);
    }
}

/* n, or less so that out[0..n) does not end in half a UTF-8 sequence. */
static size_t utf8_cut(const char *out, size_t n)
{
    size_t k = 0, want;
    unsigned char lead;

    while (k < n && k < 3 && ((unsigned char)out[n - 1 - k] & 0xC0) == 0x80) {
        k++;
    }
    if (k == n) {
        return n;
    }
    lead = (unsigned char)out[n - 1 - k];
    want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return want > k + 1 ? n - 1 - k : n;
}

const char *cm_intel_reason(char *out, size_t cap, const char *what, struct cm_str text)
{
    size_t n = 0, wl = strlen(what);

    if (cap == 0) {
        return "";
    }
    for (size_t i = 0; i < wl && n + 1 < cap; i++) {
        out[n++] = what[i];
    }
    for (size_t i = 0; i < 2 && n + 1 < cap; i++) {
        out[n++] = ": "[i];
    }
    for (size_t i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.p[i];
        if (n + 1 >= cap) {
            n = utf8_cut(out, n);
            break;
        }
        out[n++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[n] = '\0';
    return out;
}

uint32_t cm_line_at(const char *src, size_t off, size_t *line_off, uint32_t *line_no)
{
    if (off < *line_off) {
        *line_off = 0;
        *line_no = 1;
    }
    while (*line_off < off) {
        const char *nl = memchr(src + *line_off, '\n', off - *line_off);
        if (!nl) {
            *line_off = off;
            break;
        }
        *line_no += *line_no < UINT32_MAX;
        *line_off = (size_t)(nl - src) + 1;
    }
    return *line_no;
}

struct cm_str cm_json_head(const char *buf, size_t len)
{
    struct cm_str head = cm_str_make(buf, len < 4096 ? len : 4096);
    struct cm_str s = head;

    if (cm_str_starts(s, "\xef\xbb\xbf")) {
        s = cm_str_make(s.p + 3, s.len - 3);
    }
    s = cm_trim(s);
    if (s.len == 0 || (s.p[0] != '{' && s.p[0] != '[')) {
        return cm_str_make(buf, 0);
    }
    return head;
}

int cm_csv_next_row(struct cm_lines *it, char sep, struct cm_csv_row *row, struct cm_str *line,
                    const struct cm_intel_reader *r)
{
    struct cm_str l;

    while (cm_lines_next_data(it, &l)) {
        int rc = cm_csv_split(l, sep, row);

        if (rc == CM_ESYNTAX || rc == CM_E2BIG) {
            cm_intel_bad(r, it->line, rc == CM_E2BIG ? "line too long" : row->reason);
            continue;
        }
        if (line != NULL) {
            *line = l;
        }
        return rc != 0 ? rc : 1;
    }
    return 0;
}
