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

/*
 * The table's columns are tab stops: a value wider than its column (the
 * three 67-68 character types, a 63 character bucket name) is printed whole
 * and pushes what follows right, and the next columns take the slack back
 * from their padding, so one long value does not shift the rest of the row.
 */
enum {
    COL_TYPE = 14,     /* after "SEVERITY" and " 8.0 " */
    COL_RESOURCE = 66, /* TYPE: the longest type of most tables, 51 */
    COL_ACCOUNT = 90,  /* RESOURCE: an instance id, an access key, most buckets */
    COL_REGION = 103,  /* ACCOUNT: 12 digits */
    COL_COUNT = 118,   /* REGION: ap-southeast-3 and the like */
};

struct row {
    FILE *f;
    int at; /* characters printed on this line */
};

static void put_at(struct row *r, int col, const char *s, int n)
{
    if (r->at > 0) {
        int pad = col > r->at ? col - r->at : 1;
        fprintf(r->f, "%*s", pad, "");
        r->at += pad;
    }
    fprintf(r->f, "%.*s", n, s);
    r->at += n;
}

static void put_str_at(struct row *r, int col, struct cm_str s)
{
    if (s.p == NULL || s.len == 0) {
        s = CM_STR_LIT("-");
    }
    put_at(r, col, s.p, (int)s.len);
}

/* SEVERITY TYPE RESOURCE ACCOUNT REGION, then COUNT right-aligned in 6 and
 * the time and id; the header is a row like the others. */
static void table_header(FILE *f, const char *when)
{
    struct row r = {f, 0};

    put_at(&r, 0, "SEVERITY", 8);
    put_at(&r, COL_TYPE, "TYPE", 4);
    put_at(&r, COL_RESOURCE, "RESOURCE", 8);
    put_at(&r, COL_ACCOUNT, "ACCOUNT", 7);
    put_at(&r, COL_REGION, "REGION", 6);
    put_at(&r, COL_COUNT, " COUNT", 6);
    fprintf(f, "  %-20s ID\n", when);
}

void cm_out_header(FILE *f, enum cm_out_format fmt, int tty)
{
    (void)tty;
    if (fmt == CM_OUT_TABLE) {
        table_header(f, "LAST SEEN");
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
    char ts[32], count[16];
    const char *label = cm_severity_label(fd->severity);
    struct row r = {f, 0};

    cm_time_format_iso_s(when_ms, ts, sizeof(ts));
    fprintf(f, "%s%-8s%s %4.1f", tty ? colour(fd->severity) : "", label, tty ? "\033[0m" : "",
            fd->severity);
    r.at = 13;
    put_str_at(&r, COL_TYPE, fd->type);
    put_str_at(&r, COL_RESOURCE, resource_of(fd));
    put_str_at(&r, COL_ACCOUNT, fd->account_id);
    put_str_at(&r, COL_REGION, fd->region);
    /* right-aligned: the count ends where the header's COUNT does */
    int n = snprintf(count, sizeof(count), "%u", fd->count);
    put_at(&r, COL_COUNT + 6 - n, count, n);
    fprintf(f, "  %-20s %s%s\n", ts, fd->id, mark);
}

void cm_out_stored_header(FILE *f)
{
    table_header(f, "UPDATED");
}

void cm_out_stored_row(FILE *f, const struct cm_finding *fd, int tty)
{
    table_row(f, fd, tty, fd->updated_ms, fd->archived ? " (archived)" : "");
}

int cm_out_finding(FILE *f, enum cm_out_format fmt, const struct cm_finding *fd, int tty)
{
    return cm_out_finding_as(f, fmt, fd, tty, CM_OCSF_ACT_SNAPSHOT);
}

int cm_out_finding_as(FILE *f, enum cm_out_format fmt, const struct cm_finding *fd, int tty,
                      enum cm_ocsf_activity activity)
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
        rc = cm_finding_to_ocsf_as(fd, COALMINE_VERSION, activity, &b);
        break;
    }
    if (rc == 0) {
        fwrite(b.p, 1, b.len, f);
        fputc('\n', f);
    }
    cm_buf_finish(&b);
    return rc;
}
