/*
 * OTX_CSV: AlienVault OTX pulse exports, "Indicator type, Indicator,
 * Description" (spec §4.2), with or without spaces after the commas.
 *
 * The header names the columns (found by name, any order, extra columns
 * ignored); without a header the columns are taken in that order. Types:
 * CIDR, IPv4, IPv6 -> CM_IV_IP; "Domain name", domain, hostname, FQDN ->
 * CM_IV_DOMAIN; URL -> CM_IV_URL. OTX types that name no network indicator
 * (FileHash-*, email, URI, FilePath, Mutex, CVE, YARA, JA3, ...) are skipped
 * without a bad record; any other type text is a bad record. The description
 * is the item's threat; there is no category. Blank and '#' lines are
 * skipped.
 *
 * sniff(): 95 when the first entry line is a header with "Indicator type"
 * and "Indicator" columns.
 */
#include "intel/format.h"

#include "base/buf.h"
#include "base/err.h"
#include "intel/format_util.h"

#define MAXF      16
#define SKIP      (-1)
#define FIELD_CAP (1u << 20)

struct otx_type {
    const char *name;
    int kind; /* enum cm_intel_value, or SKIP */
};

/* Matched ASCII case-insensitively; a trailing '*' matches any suffix. */
static const struct otx_type types[] = {
    {"CIDR", CM_IV_IP},
    {"IPv4", CM_IV_IP},
    {"IPv6", CM_IV_IP},
    {"Domain name", CM_IV_DOMAIN},
    {"domain", CM_IV_DOMAIN},
    {"hostname", CM_IV_DOMAIN},
    {"FQDN", CM_IV_DOMAIN},
    {"URL", CM_IV_URL},
    {"FileHash-*", SKIP},
    {"email", SKIP},
    {"URI", SKIP},
    {"FilePath", SKIP},
    {"Mutex", SKIP},
    {"CVE", SKIP},
    {"YARA", SKIP},
    {"JA3", SKIP},
    {"osquery", SKIP},
    {"SSLCertFingerprint", SKIP},
    {"BitcoinAddress", SKIP},
    {NULL, SKIP},
};

/* The type's kind or SKIP in *kind; false when the type is unknown. */
static bool type_kind(struct cm_str t, int *kind)
{
    for (size_t i = 0; types[i].name; i++) {
        struct cm_str n = cm_str_cstr(types[i].name);
        bool star = cm_str_ends(n, "*");

        if (star) {
            n.len--;
            if (t.len >= n.len && cm_str_ieq(cm_str_make(t.p, n.len), n)) {
                *kind = types[i].kind;
                return true;
            }
        } else if (cm_str_ieq(t, n)) {
            *kind = types[i].kind;
            return true;
        }
    }
    return false;
}

struct cols {
    size_t type, value, desc; /* (size_t)-1: absent */
};

/* Column positions from a header row; false when row is no header. */
static bool header(const struct cm_csv_row *row, struct cols *c)
{
    size_t n = row->n < row->max ? row->n : row->max;

    c->type = cm_csv_col(row->f, n, "Indicator type");
    c->value = cm_csv_col(row->f, n, "Indicator");
    c->desc = cm_csv_col(row->f, n, "Description");
    return c->type != (size_t)-1 && c->value != (size_t)-1;
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    struct cols c;

    cm_lines_init(&it, buf, len);
    if (!cm_lines_next_data(&it, &line) || cm_csv_split(line, ',', &row) != 0) {
        return 0;
    }
    return header(&row, &c) ? 95 : 0;
}

static struct cm_str field(const struct cm_csv_row *row, size_t i)
{
    return i < row->n && i < row->max ? row->f[i] : cm_str_make("", 0);
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str f[MAXF];
    struct cm_buf scratch;
    struct cm_csv_row row = {f, MAXF, 0, &scratch, NULL};
    struct cols c = {0, 1, 2};
    bool first = true;
    char why[96];
    int rc = CM_OK;

    cm_buf_init(&scratch, FIELD_CAP);
    cm_lines_init(&it, buf, len);
    while ((rc = cm_csv_next_row(&it, ',', &row, NULL, r)) > 0) {
        struct cm_str type, value;
        int kind;

        if (first) {
            first = false;
            if (header(&row, &c)) {
                continue;
            }
            c = (struct cols){0, 1, 2};
        }
        if (row.n < 2 || c.type >= row.n || c.value >= row.n) {
            cm_intel_bad(r, it.line, "expected columns: Indicator type, Indicator, Description");
            continue;
        }
        type = cm_trim_quotes(field(&row, c.type));
        value = cm_trim_quotes(field(&row, c.value));
        if (!type_kind(type, &kind)) {
            cm_intel_bad(r, it.line,
                         cm_intel_reason(why, sizeof(why), "unknown indicator type", type));
            continue;
        }
        if (kind == SKIP) {
            continue;
        }
        if (value.len == 0) {
            cm_intel_bad(r, it.line, "empty indicator");
            continue;
        }
        if (cm_has_ctl(value)) {
            cm_intel_bad(r, it.line, "control character in indicator");
            continue;
        }
        rc = cm_intel_emit(r, (enum cm_intel_value)kind, value, field(&row, c.desc),
                           cm_str_make("", 0), it.line);
        if (rc != 0) {
            goto out;
        }
    }
out:
    cm_buf_finish(&scratch);
    return rc;
}

const struct cm_intel_format cm_intel_format_otx_csv = {
    "OTX_CSV",
    "AlienVault OTX pulse CSV: Indicator type, Indicator, Description",
    sniff,
    read_all,
};
