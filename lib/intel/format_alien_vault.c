/*
 * ALIEN_VAULT: the AlienVault reputation feed (spec §4.2), no header, one
 * record per line in 8 '#'-separated fields:
 *
 *   indicator#reliability#risk#activity#countryCode#city#lat,lon#x
 *   198.51.100.1#4#2#Malicious Host#US##0.0,0.0#3
 *
 * The indicator (an address or, in entity lists, a domain) is a CM_IV_AUTO
 * item; the activity text ("Malicious Host", "Scanning Host", "C&C",
 * "Spamming", several joined by ';') is its category; no threat name. The
 * other fields are not used. A line with fewer fields is still taken (only
 * the first one matters, as for GuardDuty); more than 8 fields, an empty
 * indicator or control bytes make a bad record. Blank lines and lines that
 * start with '#' (no record does: its first field is the indicator) are
 * skipped. Fields are not quoted.
 *
 * sniff(): 80 when each of the first entry lines (up to 8) has exactly 8
 * fields and a non-empty first one.
 */
#include "intel/format.h"

#include "base/err.h"
#include "intel/format_util.h"

#define NFIELDS     8
#define MAXF        (NFIELDS + 1)
#define SNIFF_LINES 8

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};
    unsigned seen = 0;

    cm_lines_init(&it, buf, len);
    while (seen < SNIFF_LINES && cm_lines_next_data(&it, &line)) {
        cm_split(line, '#', &row);
        if (row.n != NFIELDS || f[0].len == 0 || cm_has_ctl(line)) {
            return 0;
        }
        seen++;
    }
    return seen > 0 ? 80 : 0;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str line, f[MAXF];
    struct cm_csv_row row = {f, MAXF, 0, NULL, NULL};

    cm_lines_init(&it, buf, len);
    while (cm_lines_next_data(&it, &line)) {
        struct cm_str value;
        int rc;

        if (line.len > CM_INTEL_LINE_MAX) {
            cm_intel_bad(r, it.line, "line longer than 4096 bytes");
            continue;
        }
        if (cm_has_ctl(line)) {
            cm_intel_bad(r, it.line, "control character in line");
            continue;
        }
        cm_split(line, '#', &row);
        if (row.n > NFIELDS) {
            cm_intel_bad(r, it.line,
                         "more than 8 '#'-separated fields "
                         "(indicator#reliability#risk#activity#country#city#lat,lon#x)");
            continue;
        }
        value = cm_trim_quotes(f[0]);
        if (value.len == 0) {
            cm_intel_bad(r, it.line, "empty indicator");
            continue;
        }
        rc = cm_intel_emit(r, CM_IV_AUTO, value, cm_str_make("", 0),
                           row.n > 3 ? f[3] : cm_str_make("", 0), it.line);
        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

const struct cm_intel_format cm_intel_format_alien_vault = {
    "ALIEN_VAULT",
    "AlienVault reputation: indicator#reliability#risk#activity#country#city#lat,lon#x",
    sniff,
    read_all,
};
