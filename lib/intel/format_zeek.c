/*
 * ZEEK: Zeek intelligence framework files (TSV):
 *
 *   #fields<TAB>indicator<TAB>indicator_type<TAB>meta.source<TAB>meta.desc
 *   198.51.100.1<TAB>Intel::ADDR<TAB>feodo<TAB>Emotet C&C
 *
 * The "#fields" line names the columns in order and must come before the
 * first data line; it must name indicator and indicator_type. A
 * "#separator X" line (X one byte, or written \xHH, as Zeek writes
 * "#separator \x09") changes the field separator, a tab by default; other
 * '#' lines (#set_separator, #empty_field, #unset_field, #path, #open,
 * #types, #close, comments) and blank lines are skipped. Fields are never
 * quoted; "-" and "(empty)" (Zeek's unset and empty markers) count as empty.
 *
 * Types: Intel::ADDR and Intel::SUBNET -> CM_IV_IP, Intel::DOMAIN ->
 * CM_IV_DOMAIN, Intel::URL -> CM_IV_URL (Zeek writes URLs without the
 * scheme; load.c takes the host either way). Other Intel:: types (EMAIL,
 * FILE_HASH, FILE_NAME, CERT_HASH, SOFTWARE, USER_NAME, PUBKEY_HASH and
 * those a site defines) name no network indicator and are skipped without a
 * bad record; a type outside Intel:: is a bad record. meta.desc is the
 * item's threat; meta.source (the feed it came from, e.g. "feodo",
 * "tor-exits") is its category text, as it is the nearest thing to a class
 * the format has and cm_intel_category_guess reads it. A data line before
 * any #fields line makes the whole input CM_EINVAL (it is not Zeek intel);
 * so does a #fields line without indicator and indicator_type.
 *
 * sniff(): 95 when a "#fields" line among the first lines names indicator.
 */
#include "intel/format.h"

#include "base/err.h"
#include "intel/format_util.h"
#include "base/str.h"

#define MAXF        32
#define SNIFF_LINES 16
#define NONE        ((size_t)-1)

struct cols {
    size_t value, type, source, desc;
    size_t n; /* columns the #fields line names */
};

/* The separator a "#separator" line sets; false when it sets none. */
static bool separator(struct cm_str line, char *sep)
{
    struct cm_str v = cm_trim(cm_str_make(line.p + 10, line.len - 10));

    if (v.len == 1) {
        *sep = v.p[0];
        return true;
    }
    if (v.len == 4 && v.p[0] == '\\' && (v.p[1] == 'x' || v.p[1] == 'X') &&
        cm_hex_digit(v.p[2]) >= 0 && cm_hex_digit(v.p[3]) >= 0) {
        *sep = (char)(cm_hex_digit(v.p[2]) * 16 + cm_hex_digit(v.p[3]));
        return *sep != '\0' && *sep != '\n';
    }
    return false;
}

/* Columns from a "#fields" line split at sep; false without the required ones. */
static bool fields(struct cm_str line, char sep, struct cols *c)
{
    struct cm_str f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    struct cm_str rest = cm_str_make(line.p + 7, line.len - 7);
    size_t n;

    /* "#fields" is followed by the separator, then the first name. */
    if (rest.len == 0 || (rest.p[0] != sep && !cm_is_space(rest.p[0]))) {
        return false;
    }
    cm_split(cm_str_make(rest.p + 1, rest.len - 1), sep, &row);
    n = row.n < MAXF ? row.n : MAXF;
    c->value = cm_csv_col(f, n, "indicator");
    c->type = cm_csv_col(f, n, "indicator_type");
    c->source = cm_csv_col(f, n, "meta.source");
    c->desc = cm_csv_col(f, n, "meta.desc");
    c->n = row.n;
    return c->value != NONE && c->type != NONE;
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line;
    struct cols c;
    char sep = '\t';

    cm_lines_init(&it, buf, len);
    while (it.line < SNIFF_LINES && cm_lines_next(&it, &line)) {
        if (cm_str_starts(line, "#separator ")) {
            (void)separator(line, &sep);
        } else if (cm_str_starts(line, "#fields")) {
            return fields(line, sep, &c) ? 95 : 0;
        }
    }
    return 0;
}

/* Zeek's unset and empty markers read as empty. */
static struct cm_str value_of(const struct cm_csv_row *row, size_t i)
{
    struct cm_str v;

    if (i == NONE || i >= row->n || i >= row->max) {
        return cm_str_make("", 0);
    }
    v = row->f[i];
    if (cm_str_eqc(v, "-") || cm_str_eqc(v, "(empty)")) {
        return cm_str_make("", 0);
    }
    return v;
}

/* The kind a type names: -1 skip silently, -2 a bad record. */
static int type_kind(struct cm_str t)
{
    static const struct {
        const char *name;
        enum cm_intel_value kind;
    } types[] = {
        {"Intel::ADDR", CM_IV_IP},
        {"Intel::SUBNET", CM_IV_IP},
        {"Intel::DOMAIN", CM_IV_DOMAIN},
        {"Intel::URL", CM_IV_URL},
    };

    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (cm_str_eqc(t, types[i].name)) {
            return (int)types[i].kind;
        }
    }
    return cm_str_starts(t, "Intel::") && t.len > 7 ? -1 : -2;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    struct cols c = {NONE, NONE, NONE, NONE, 0};
    bool have_fields = false;
    char sep = '\t', why[96];

    cm_lines_init(&it, buf, len);
    while (cm_lines_next(&it, &line)) {
        struct cm_str value, type;
        int kind, rc;

        if (cm_str_starts(line, "#separator ")) {
            if (!separator(line, &sep)) {
                cm_intel_bad(r, it.line, "#separator is not one byte or \\xHH");
            }
            continue;
        }
        if (cm_str_starts(line, "#fields")) {
            if (!fields(line, sep, &c)) {
                cm_intel_bad(r, it.line, "#fields does not name indicator and indicator_type");
                return CM_EINVAL;
            }
            have_fields = true;
            continue;
        }
        if (cm_trim(line).len == 0 || line.p[0] == '#') {
            continue;
        }
        if (!have_fields) {
            cm_intel_bad(r, it.line, "data before the #fields line: not a Zeek intel file");
            return CM_EINVAL;
        }
        if (line.len > CM_INTEL_LINE_MAX) {
            cm_intel_bad(r, it.line, "line longer than 4096 bytes");
            continue;
        }
        cm_split(line, sep, &row);
        if (row.n <= c.value || row.n <= c.type) {
            cm_intel_bad(r, it.line, "fewer fields than the #fields line names");
            continue;
        }
        value = value_of(&row, c.value);
        type = value_of(&row, c.type);
        kind = type_kind(type);
        if (kind == -2) {
            cm_intel_bad(r, it.line,
                         cm_intel_reason(why, sizeof(why), "unknown indicator_type", type));
            continue;
        }
        if (kind == -1) {
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
        rc = cm_intel_emit(r, (enum cm_intel_value)kind, value, value_of(&row, c.desc),
                           value_of(&row, c.source), it.line);
        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

const struct cm_intel_format cm_intel_format_zeek = {
    "ZEEK",
    "Zeek intel framework TSV: #fields indicator indicator_type meta.source meta.desc",
    sniff,
    read_all,
};
