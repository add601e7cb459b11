/*
 * Output forms of findings (see findings_out.h).
 */
#include "cli/findings_out.h"

#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/time.h"
#include "coalmine/version.h"
#include "finding/serialize.h"

struct fmt_name {
    const char *name;
    enum cm_out_format fmt;
};

static const struct fmt_name names[] = {
    {"table", CM_OUT_TABLE}, {"json", CM_OUT_JSON}, {"eventbridge", CM_OUT_EVENTBRIDGE},
    {"ocsf", CM_OUT_OCSF},   {"cli", CM_OUT_CLI},
};

int cm_out_format_parse(const char *name, enum cm_out_format *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].fmt;
            return 0;
        }
    }
    return -1;
}

void cm_out_header(FILE *f, enum cm_out_format fmt, int tty)
{
    (void)tty;
    if (fmt == CM_OUT_TABLE) {
        fprintf(f, "%-8s %-4s %-50s %-22s %6s  %-20s %s\n", "SEVERITY", "", "TYPE", "RESOURCE",
                "COUNT", "LAST SEEN", "ID");
    }
}

static const char *colour(double sev)
{
    if (sev >= 7.0) {
        return "\033[31m"; /* High and Critical: red */
    }
    return sev >= 4.0 ? "\033[33m" : "\033[36m"; /* Medium yellow, Low cyan */
}

static struct cm_str resource_of(const struct cm_finding *fd)
{
    struct cm_str r = CM_STR_NULL, actor;

    if (cm_finding_identity(fd, &r, &actor) != 0 || r.p == NULL) {
        return CM_STR_LIT("-");
    }
    return r;
}

static void table_row(FILE *f, const struct cm_finding *fd, int tty, int64_t when_ms,
                      const char *mark)
{
    char ts[32];
    struct cm_str res = resource_of(fd);

    cm_time_format_iso_s(when_ms, ts, sizeof(ts));
    fprintf(f, "%s%-8s%s %4.1f %-50.*s %-22.*s %6u  %-20s %s%s\n", tty ? colour(fd->severity) : "",
            cm_severity_label(fd->severity), tty ? "\033[0m" : "", fd->severity, (int)fd->type.len,
            fd->type.p ? fd->type.p : "", (int)res.len, res.p, fd->count, ts, fd->id, mark);
}

void cm_out_stored_header(FILE *f)
{
    fprintf(f, "%-8s %-4s %-50s %-22s %6s  %-20s %s\n", "SEVERITY", "", "TYPE", "RESOURCE", "COUNT",
            "UPDATED", "ID");
}

void cm_out_stored_row(FILE *f, const struct cm_finding *fd, int tty)
{
    table_row(f, fd, tty, fd->updated_ms, fd->archived ? " (archived)" : "");
}

int cm_out_finding(FILE *f, enum cm_out_format fmt, const struct cm_finding *fd, int tty)
{
    struct cm_buf b;
    int rc = CM_OK;

    if (fmt == CM_OUT_TABLE) {
        table_row(f, fd, tty, fd->last_seen_ms ? fd->last_seen_ms : fd->updated_ms, "");
        return CM_OK;
    }
    cm_buf_init(&b, 0);
    switch (fmt) {
    case CM_OUT_JSON:
        rc = cm_finding_to_json(fd, CM_FORM_API, &b);
        break;
    case CM_OUT_EVENTBRIDGE:
        rc = cm_finding_to_eventbridge(fd, fd->updated_ms, &b);
        break;
    case CM_OUT_CLI:
        rc = cm_finding_to_cli(fd, &b);
        break;
    default:
        rc = cm_finding_to_ocsf(fd, COALMINE_VERSION, &b);
        break;
    }
    if (rc == 0) {
        fwrite(b.p, 1, b.len, f);
        fputc('\n', f);
    }
    cm_buf_finish(&b);
    return rc;
}
