/*
 * PROOF_POINT: Proofpoint ET Intelligence CSV (spec §4.2):
 *
 *   ip, category, score, first_seen, last_seen, ports (|)
 *   198.51.100.1, 1, 100, 2000-01-01, 2000-01-01,
 *   203.0.113.1, 1, 100, 2000-01-01, 2000-01-01, 80|443
 *
 * The header's first column is "ip" (an IP list: items CM_IV_IP) or
 * "domain" (an entity list, whose values may be addresses or names: items
 * CM_IV_AUTO). Without a header the rows are read as an entity list. A row
 * has 3 to 6 columns (the ports column and its trailing comma are optional;
 * the short ET "ip,category,score" files fit too); any other count is a bad
 * record. The category number goes out as the item's category text as it
 * is (ET's numbering is not GuardDuty's business); there is no threat name.
 * Blank and '#' lines are skipped.
 *
 * sniff(): 90 when the first entry line is a header "ip" or "domain"
 * followed by "category".
 */
#include "intel/format.h"

#include "base/buf.h"
#include "base/err.h"
#include "intel/format_util.h"

#define MAXF      8
#define FIELD_CAP (1u << 20)

/* The list kind a header row announces; false when row is no header. */
static bool header(const struct cm_csv_row *row, enum cm_intel_value *kind)
{
    struct cm_str first;

    if (row->n < 2 || !cm_str_ieq(cm_trim_quotes(row->f[1]), CM_STR_LIT("category"))) {
        return false;
    }
    first = cm_trim_quotes(row->f[0]);
    if (cm_str_ieq(first, CM_STR_LIT("ip"))) {
        *kind = CM_IV_IP;
        return true;
    }
    if (cm_str_ieq(first, CM_STR_LIT("domain"))) {
        *kind = CM_IV_AUTO;
        return true;
    }
    return false;
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    enum cm_intel_value kind;

    cm_lines_init(&it, buf, len);
    if (!cm_lines_next_data(&it, &line) || cm_csv_split(line, ',', &row) != 0) {
        return 0;
    }
    return header(&row, &kind) ? 90 : 0;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str f[MAXF];
    struct cm_buf scratch;
    struct cm_csv_row row = {f, MAXF, 0, &scratch, NULL};
    enum cm_intel_value kind = CM_IV_AUTO;
    bool first = true;
    int rc = CM_OK;

    cm_buf_init(&scratch, FIELD_CAP);
    cm_lines_init(&it, buf, len);
    while ((rc = cm_csv_next_row(&it, ',', &row, NULL, r)) > 0) {
        struct cm_str value;

        if (first) {
            first = false;
            if (header(&row, &kind)) {
                continue;
            }
        }
        if (row.n < 3 || row.n > 6) {
            cm_intel_bad(r, it.line,
                         "expected 6 columns: ip or domain, category, score, first_seen, "
                         "last_seen, ports");
            continue;
        }
        value = cm_trim_quotes(row.f[0]);
        if (value.len == 0) {
            cm_intel_bad(r, it.line, "empty indicator");
            continue;
        }
        if (cm_has_ctl(value)) {
            cm_intel_bad(r, it.line, "control character in indicator");
            continue;
        }
        rc = cm_intel_emit(r, kind, value, cm_str_make("", 0), row.f[1], it.line);
        if (rc != 0) {
            goto out;
        }
    }
out:
    cm_buf_finish(&scratch);
    return rc;
}

const struct cm_intel_format cm_intel_format_proof_point = {
    "PROOF_POINT",
    "Proofpoint ET Intelligence CSV: ip or domain, category, score, first_seen, last_seen, ports",
    sniff,
    read_all,
};
