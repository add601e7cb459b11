/*
 * The window of event time of `coalmine scan --since/--until` (scan_window.h).
 */
#include "cli/scan_window.h"

#include <stdio.h>

#include "cli/findings_cli.h"
#include "core/scan.h"

int cm_scan_window_option(struct cm_scan_opts *o, int opt, const char *arg, int64_t now_ms,
                          char *err, size_t errlen)
{
    const char *name = opt == CM_SCAN_OPT_SINCE ? "--since" : "--until";
    int64_t t;
    int rc;

    if (!o->window) {
        o->window = true;
        o->since_ms = INT64_MIN;
        o->until_ms = INT64_MAX;
    }
    if ((opt == CM_SCAN_OPT_SINCE ? o->since_ms != INT64_MIN : o->until_ms != INT64_MAX)) {
        snprintf(err, errlen, "%s given twice", name);
        return -1;
    }
    rc = cm_cli_parse_time(arg, now_ms, &t);
    if (rc == 0 && (t == INT64_MIN || t == INT64_MAX)) {
        rc = -1; /* the window's open ends */
    }
    if (rc != 0) {
        snprintf(err, errlen, "%s '%s' %s", name, arg, cm_cli_time_why(rc));
        return -1;
    }
    *(opt == CM_SCAN_OPT_SINCE ? &o->since_ms : &o->until_ms) = t;
    return 0;
}

int cm_scan_window_check(const struct cm_scan_opts *o, bool state, bool follow, char *err,
                         size_t errlen)
{
    if (!o->window) {
        return 0;
    }
    if (o->since_ms != INT64_MIN && o->until_ms != INT64_MAX && o->until_ms <= o->since_ms) {
        snprintf(err, errlen, "--until must be after --since");
        return -1;
    }
    if (state) {
        snprintf(err, errlen,
                 "--since/--until cannot be used with --state: it remembers the files read "
                 "whole, and a later scan would leave out their records outside the window");
        return -1;
    }
    if (follow) {
        snprintf(err, errlen, "--since/--until cannot be used with --follow");
        return -1;
    }
    return 0;
}
