/*
 * FIRE_EYE: FireEye iSIGHT Threat Intelligence CSV (spec §4.2), a 47-column
 * header "reportId, title, threatScape, ..., observationTime" and one row per
 * indicator report.
 *
 * Columns are found by header name (any order, ASCII case-insensitive) when
 * the first entry line is a header, else at GuardDuty's fixed indexes:
 * threatScape 2, cidr 31, domain 32, ip 35, url 41, malwareFamily 42. Each
 * row gives up to three items, as GuardDuty takes them: cidr and ip as
 * CM_IV_IP, domain as CM_IV_DOMAIN. The url column becomes a CM_IV_URL item
 * only when the row has none of the three: iSIGHT fills domain (and often
 * ip) from the URL's host, so taking both would list the host twice, but a
 * row that only names a URL would otherwise be lost. malwareFamily is every
 * item's threat, threatScape ("Cyber Crime", "Cyber Espionage", ...) its
 * category. Rows without any network indicator (e-mail or file reports)
 * are skipped silently; a row too short to hold the columns is a bad
 * record. Blank and '#' lines are skipped (the AWS samples put a blank line
 * between rows); quoted fields may not span lines.
 *
 * sniff(): 90 when the first entry line starts with a reportId column, 100
 * when it also names the cidr, domain and ip columns.
 */
#include "intel/format.h"

#include "base/buf.h"
#include "base/err.h"
#include "intel/format_util.h"

#define MAXF      64
#define FIELD_CAP (1u << 20)
#define NONE      ((size_t)-1)

struct cols {
    size_t scape, cidr, domain, ip, url, family;
};

static const struct cols fixed = {2, 31, 32, 35, 41, 42};

/* A header column's index, NONE when absent or past what a row keeps. */
static size_t col(const struct cm_csv_row *row, const char *name)
{
    size_t n = row->n < row->max ? row->n : row->max;
    return cm_csv_col(row->f, n, name);
}

/* Column positions from a header row; false when row is no header. */
static bool header(const struct cm_csv_row *row, struct cols *c)
{
    if (row->n == 0 || !cm_str_ieq(cm_trim_quotes(row->f[0]), CM_STR_LIT("reportId"))) {
        return false;
    }
    c->scape = col(row, "threatScape");
    c->cidr = col(row, "cidr");
    c->domain = col(row, "domain");
    c->ip = col(row, "ip");
    c->url = col(row, "url");
    c->family = col(row, "malwareFamily");
    return true;
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    struct cols c;

    cm_lines_init(&it, buf, len);
    if (!cm_lines_next_data(&it, &line) || cm_csv_split(line, ',', &row) != 0 ||
        !header(&row, &c)) {
        return 0;
    }
    return c.cidr != NONE && c.domain != NONE && c.ip != NONE ? 100 : 90;
}

static struct cm_str field(const struct cm_csv_row *row, size_t i)
{
    return i < row->n && i < row->max ? cm_trim_quotes(row->f[i]) : cm_str_make("", 0);
}

/* The largest column index in use (the three indicator columns at least). */
static size_t need(const struct cols *c)
{
    size_t m = 0;
    size_t v[3] = {c->cidr, c->domain, c->ip};

    for (size_t i = 0; i < 3; i++) {
        if (v[i] != NONE && v[i] + 1 > m) {
            m = v[i] + 1;
        }
    }
    return m;
}

/* Hands the row's items (no control bytes in it) to r; 0 or the callback's error. */
static int row_items(const struct cm_csv_row *row, const struct cols *c, uint32_t line,
                     const struct cm_intel_reader *r)
{
    struct cm_str threat = field(row, c->family), cat = field(row, c->scape);
    struct {
        size_t col;
        enum cm_intel_value kind;
    } take[3] = {{c->cidr, CM_IV_IP}, {c->domain, CM_IV_DOMAIN}, {c->ip, CM_IV_IP}};
    unsigned found = 0;
    struct cm_str url;

    for (size_t i = 0; i < 3; i++) {
        struct cm_str v = field(row, take[i].col);
        int rc;

        if (v.len == 0) {
            continue;
        }
        found++;
        rc = cm_intel_emit(r, take[i].kind, v, threat, cat, line);
        if (rc != 0) {
            return rc;
        }
    }
    url = field(row, c->url);
    if (found == 0 && url.len > 0) {
        return cm_intel_emit(r, CM_IV_URL, url, threat, cat, line);
    }
    return CM_OK;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_buf scratch;
    struct cm_csv_row row = {f, MAXF, 0, &scratch, NULL};
    struct cols c = fixed;
    bool first = true;
    int rc = CM_OK;

    cm_buf_init(&scratch, FIELD_CAP);
    cm_lines_init(&it, buf, len);
    while ((rc = cm_csv_next_row(&it, ',', &row, &line, r)) > 0) {
        if (first) {
            first = false;
            if (header(&row, &c)) {
                if (c.cidr == NONE && c.domain == NONE && c.ip == NONE && c.url == NONE) {
                    cm_intel_bad(r, it.line, "header has no cidr, domain, ip or url column");
                    rc = CM_EINVAL;
                    goto out;
                }
                continue;
            }
        }
        if (row.n < need(&c)) {
            cm_intel_bad(r, it.line, "row has fewer columns than the header (47)");
            continue;
        }
        if (cm_has_ctl(line)) {
            cm_intel_bad(r, it.line, "control character in line");
            continue;
        }
        rc = row_items(&row, &c, it.line, r);
        if (rc != 0) {
            goto out;
        }
    }
out:
    cm_buf_finish(&scratch);
    return rc;
}

const struct cm_intel_format cm_intel_format_fire_eye = {
    "FIRE_EYE",
    "FireEye iSIGHT CSV (47 columns): cidr, domain and ip of each row",
    sniff,
    read_all,
};
