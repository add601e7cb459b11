/*
 * HOSTS: hosts-file block lists ("0.0.0.0 bad.example", "127.0.0.1 a b c").
 *
 * Each line is an address followed by one or more names, then an optional
 * "# comment". The names are the indicators (CM_IV_DOMAIN items); the
 * address is only the sink the list points them at and is never an
 * indicator. Names every hosts file carries for the machine itself
 * (localhost, localhost.localdomain, local, broadcasthost, ip6-*, 0.0.0.0)
 * are skipped silently. Blank lines and '#' lines are skipped; a line whose
 * first token is not an address, a line with no name, control bytes or a
 * line over CM_INTEL_LINE_MAX bytes is a bad record.
 *
 * sniff(): the share of entry lines that start with 0.0.0.0, 127.0.0.1, ::
 * or ::1 and carry a name; 70 when all do, 50 when most do.
 */
#include "intel/format.h"

#include "base/err.h"
#include "base/ip.h"
#include "intel/format_util.h"

#define SNIFF_LINES 32

static bool is_local_name(struct cm_str n)
{
    static const char *const names[] = {
        "localhost", "localhost.localdomain", "local", "broadcasthost", "0.0.0.0", NULL,
    };

    for (size_t i = 0; names[i]; i++) {
        if (cm_str_ieq(n, cm_str_cstr(names[i]))) {
            return true;
        }
    }
    return n.len >= 4 && cm_str_ieq(cm_str_make(n.p, 4), CM_STR_LIT("ip6-"));
}

static bool is_sink(struct cm_str a)
{
    return cm_str_eqc(a, "0.0.0.0") || cm_str_eqc(a, "127.0.0.1") || cm_str_eqc(a, "::") ||
           cm_str_eqc(a, "::1");
}

/* The line without a trailing "# comment" (a '#' at a token start). */
static struct cm_str uncomment(struct cm_str s)
{
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '#' && (i == 0 || cm_is_space(s.p[i - 1]))) {
            return cm_trim(cm_str_make(s.p, i));
        }
    }
    return cm_trim(s);
}

static int sniff(const char *buf, size_t len)
{
    struct cm_lines it;
    struct cm_str line;
    unsigned seen = 0, good = 0;

    cm_lines_init(&it, buf, len);
    while (seen < SNIFF_LINES && cm_lines_next(&it, &line)) {
        struct cm_str rest, addr, s = uncomment(line);

        if (s.len == 0) {
            continue;
        }
        seen++;
        addr = cm_token(s, &rest);
        good += is_sink(addr) && cm_token(rest, NULL).len > 0;
    }
    if (good == 0) {
        return 0;
    }
    if (good == seen) {
        return 70;
    }
    return good * 2 >= seen ? 50 : 0;
}

static int read_all(const char *buf, size_t len, const struct cm_intel_reader *r)
{
    struct cm_lines it;
    struct cm_str line;
    struct cm_str none = cm_str_make("", 0);

    cm_lines_init(&it, buf, len);
    while (cm_lines_next(&it, &line)) {
        struct cm_str rest, name, s = uncomment(line);
        struct cm_ip ip;
        unsigned names = 0;

        if (s.len == 0) {
            continue;
        }
        if (line.len > CM_INTEL_LINE_MAX) {
            cm_intel_bad(r, it.line, "line longer than 4096 bytes");
            continue;
        }
        if (cm_has_ctl(s)) {
            cm_intel_bad(r, it.line, "control character in line");
            continue;
        }
        if (cm_ip_parse(cm_token(s, &rest), &ip) != 0) {
            cm_intel_bad(r, it.line, "hosts line does not start with an address");
            continue;
        }
        for (name = cm_token(rest, &rest); name.len > 0; name = cm_token(rest, &rest)) {
            int rc;

            names++;
            if (is_local_name(name)) {
                continue;
            }
            rc = cm_intel_emit(r, CM_IV_DOMAIN, name, none, none, it.line);
            if (rc != 0) {
                return rc;
            }
        }
        if (names == 0) {
            cm_intel_bad(r, it.line, "hosts line has an address but no name");
        }
    }
    return CM_OK;
}

const struct cm_intel_format cm_intel_format_hosts = {
    "HOSTS",
    "hosts file: an address then names; the names are the indicators",
    sniff,
    read_all,
};
