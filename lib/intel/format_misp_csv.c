/*
 * MISP CSV exports: a header naming the columns
 * (uuid,event_id,category,type,value,comment,to_ids,date,object_relation,
 * ...; optional extra columns such as event_info), then one attribute per
 * row, RFC 4180 quoting. Columns are found by name, so their order and any
 * extra columns do not matter; "type" and "value" are required.
 *
 * Same type mapping and filters as the MISP JSON reader (format_misp.c):
 * ip-dst, ip-src (CM_IV_IP), ip-dst|port, ip-src|port (the address),
 * domain, hostname, hostname|port (CM_IV_DOMAIN), domain|ip (both), url
 * (CM_IV_URL); other types are skipped without a report. When any row has
 * to_ids set ("1" or "true"), only rows with it set are taken; rows whose
 * "deleted" column (when there is one) is set are skipped.
 *
 * threat: the event_info column when present; category: the category
 * column. A row that does not split (an unterminated quote), is longer than
 * CM_INTEL_LINE_MAX or lacks the type/value columns is a bad record. A
 * first line without "type" and "value" columns is CM_EINVAL.
 */
#include "intel/format.h"

#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "intel/format_misp.h"
#include "intel/format_util.h"

#define MAX_FIELDS 64
#define NO_COL     ((size_t)-1)

struct cols {
    size_t type, value, category, to_ids, deleted, info;
    size_t need; /* fields a row needs: 1 + the larger of type and value */
};

struct csv {
    const struct cm_intel_reader *r;
    struct cols c;
    struct cm_str f[MAX_FIELDS];
    struct cm_buf scratch;
    struct cm_csv_row row;
    uint32_t line;
};

/* The field at column c of the current row, "" when the row is shorter. */
static struct cm_str field(const struct csv *x, size_t c)
{
    if (c == NO_COL || c >= x->row.n || c >= MAX_FIELDS) {
        return cm_str_make("", 0);
    }
    return cm_trim(x->f[c]);
}

static bool flag(struct cm_str v)
{
    return cm_str_eqc(v, "1") || cm_str_ieq(v, CM_STR_LIT("true"));
}

/*
 * Finds the columns in the header line. Returns 0, CM_EINVAL (no type or
 * value column, or the line does not split) or the scratch buffer's error.
 */
static int find_cols(struct csv *x, struct cm_str header)
{
    struct cols *c = &x->c;
    size_t n;
    int rc;

    x->row.f = x->f;
    x->row.max = MAX_FIELDS;
    x->row.scratch = &x->scratch;
    rc = cm_csv_split(header, ',', &x->row);
    if (rc < 0) {
        return rc == CM_ESYNTAX ? CM_EINVAL : rc;
    }
    n = x->row.n < MAX_FIELDS ? x->row.n : MAX_FIELDS;
    c->type = cm_csv_col(x->f, n, "type");
    c->value = cm_csv_col(x->f, n, "value");
    c->category = cm_csv_col(x->f, n, "category");
    c->to_ids = cm_csv_col(x->f, n, "to_ids");
    c->deleted = cm_csv_col(x->f, n, "deleted");
    c->info = cm_csv_col(x->f, n, "event_info");
    if (c->type == NO_COL || c->value == NO_COL) {
        return CM_EINVAL;
    }
    c->need = 1 + (c->type > c->value ? c->type : c->value);
    return 0;
}

/* Hands over the items of the current row. */
static int emit_row(struct csv *x, const struct cm_misp_type *mt, struct cm_str v)
{
    struct cm_str threat = field(x, x->c.info), cat = field(x, x->c.category);
    size_t bar = (size_t)-1;
    int rc;

    if (mt->split == CM_MISP_SPLIT_NONE) {
        return cm_intel_emit(x->r, mt->kind, v, threat, cat, x->line);
    }
    for (size_t i = 0; i < v.len; i++) {
        if (v.p[i] == '|' && (bar == (size_t)-1 || mt->split == CM_MISP_SPLIT_FIRST)) {
            bar = i;
        }
    }
    if (bar == (size_t)-1) {
        cm_intel_bad(x->r, x->line,
                     mt->split == CM_MISP_SPLIT_BOTH ? "domain|ip value without '|'"
                                                     : "value|port value without '|'");
        return 0;
    }
    rc = cm_intel_emit(x->r, mt->kind, cm_str_make(v.p, bar), threat, cat, x->line);
    if (rc < 0 || mt->split != CM_MISP_SPLIT_BOTH) {
        return rc;
    }
    return cm_intel_emit(x->r, mt->kind2, cm_str_make(v.p + bar + 1, v.len - bar - 1), threat, cat,
                         x->line);
}

/*
 * One data row. First pass (emit false): notes a to_ids row in *any_ids.
 * Second pass: reports bad rows and hands over items.
 */
static int row(struct csv *x, struct cm_str line, bool emit, bool only_ids, bool *any_ids)
{
    const struct cm_misp_type *mt;
    struct cm_str v;
    bool ids;
    int rc;

    if (line.len > CM_INTEL_LINE_MAX) {
        if (emit) {
            cm_intel_bad(x->r, x->line, "line longer than 4096 bytes");
        }
        return 0;
    }
    rc = cm_csv_split(line, ',', &x->row);
    if (rc < 0 && rc != CM_ESYNTAX) {
        return rc; /* CM_ENOMEM (the scratch cap is above the longest line) */
    }
    if (rc < 0 || x->row.n < x->c.need) {
        if (emit) {
            cm_intel_bad(x->r, x->line,
                         rc < 0 && x->row.reason ? x->row.reason : "fewer columns than the header");
        }
        return 0;
    }
    if (flag(field(x, x->c.deleted))) {
        return 0;
    }
    ids = flag(field(x, x->c.to_ids));
    if (!emit) {
        *any_ids |= ids;
        return 0;
    }
    mt = cm_misp_type_find(field(x, x->c.type));
    if (!mt || (only_ids && !ids)) {
        return 0;
    }
    v = field(x, x->c.value);
    if (v.len == 0) {
        cm_intel_bad(x->r, x->line, "empty value");
        return 0;
    }
    return emit_row(x, mt, v);
}

/* Walks the data rows after the header; returns 0 or an error. */
static int pass(struct csv *x, const char *buf, size_t len, bool emit, bool only_ids, bool *any_ids)
{
    struct cm_lines it;
    struct cm_str line;
    bool header = true;
    int rc;

    cm_lines_init(&it, buf, len);
    while (cm_lines_next(&it, &line)) {
        if (cm_trim(line).len == 0) {
            continue;
        }
        if (header) {
            header = false;
            continue;
        }
        x->line = it.line;
        if ((rc = row(x, line, emit, only_ids, any_ids)) < 0) {
            return rc;
        }
    }
    return 0;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct csv x;
    struct cm_lines it;
    struct cm_str line = CM_STR_NULL;
    bool any_ids = false;
    int rc;

    memset(&x, 0, sizeof(x));
    x.r = r;
    cm_buf_init(&x.scratch, 2 * CM_INTEL_LINE_MAX);
    cm_lines_init(&it, buf, len);
    while (cm_lines_next(&it, &line) && cm_trim(line).len == 0) {
        line = CM_STR_NULL;
    }
    rc = line.p && line.len <= CM_INTEL_LINE_MAX ? find_cols(&x, line) : CM_EINVAL;
    if (rc == CM_EINVAL) {
        cm_intel_bad(r, it.line ? it.line : 1,
                     "not a MISP CSV export: the header has no \"type\" and \"value\" columns");
    }
    if (rc < 0) {
        goto out;
    }
    rc = pass(&x, buf, len, false, false, &any_ids);
    if (rc == 0) {
        rc = pass(&x, buf, len, true, any_ids, &any_ids);
    }
out:
    cm_buf_finish(&x.scratch);
    return rc;
}

/* Scores the first line: MISP's own header order, or its column names. */
static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, f[MAX_FIELDS];
    struct cm_csv_row row = {f, MAX_FIELDS, 0, NULL, NULL};
    size_t n;

    cm_lines_init(&it, buf, len < 4096 ? len : 4096);
    if (!cm_lines_next(&it, &line)) {
        return 0;
    }
    line = cm_trim(line);
    if (cm_str_starts(line, "uuid,event_id,category,type,value")) {
        return 95;
    }
    if (cm_csv_split(line, ',', &row) != 0) {
        return 0;
    }
    n = row.n < MAX_FIELDS ? row.n : MAX_FIELDS;
    if (cm_csv_col(f, n, "type") != NO_COL && cm_csv_col(f, n, "value") != NO_COL &&
        cm_csv_col(f, n, "to_ids") != NO_COL) {
        return 80;
    }
    return 0;
}

const struct cm_intel_format cm_intel_format_misp_csv = {
    "MISP_CSV",
    "MISP CSV export: network attributes by type, columns found by name",
    sniff,
    read_all,
};
