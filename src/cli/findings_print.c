/*
 * Printing a list of findings (see findings_cli.h): the stored-findings
 * table, one id per line, one JSON document per line (API, EventBridge or
 * OCSF form), or the ListFindings response collected and written at the end.
 */
#include "cli/findings_cli.h"

#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "cli/cmd.h"
#include "cli/findings_out.h"

static const char *const format_names[] = {
    [CM_LIST_NONE] = "none",
    [CM_LIST_TABLE] = "table",
    [CM_LIST_IDS] = "ids",
    [CM_LIST_JSON] = "json",
    [CM_LIST_EVENTBRIDGE] = "eventbridge",
    [CM_LIST_OCSF] = "ocsf",
    [CM_LIST_API] = "api",
    [CM_LIST_CLI] = "cli",
};

#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

int cm_list_format_parse(const char *cmd, const char *name, unsigned allowed,
                         enum cm_list_format *out)
{
    for (size_t i = 0; i < NFORMATS; i++) {
        if ((allowed & CM_LIST_MASK(i)) && strcmp(name, format_names[i]) == 0) {
            *out = (enum cm_list_format)i;
            return 0;
        }
    }
    fprintf(stderr, "coalmine %s: unknown --format '%s' (", cmd, name);
    for (size_t i = 0, k = 0; i < NFORMATS; i++) {
        if (allowed & CM_LIST_MASK(i)) {
            fprintf(stderr, "%s%s", k++ ? ", " : "", format_names[i]);
        }
    }
    fprintf(stderr, ")\n");
    return CM_EXIT_USAGE;
}

int cm_list_format_table_or_json(const char *cmd, const char *name, bool *json)
{
    enum cm_list_format fmt;

    if (cm_list_format_parse(cmd, name, CM_LIST_MASK(CM_LIST_TABLE) | CM_LIST_MASK(CM_LIST_JSON),
                             &fmt) != 0) {
        return CM_EXIT_USAGE;
    }
    *json = fmt == CM_LIST_JSON;
    return 0;
}

void cm_printer_init(struct cm_printer *p, FILE *out, enum cm_list_format fmt)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->fmt = fmt;
    p->tty = isatty(fileno(out));
    cm_buf_init(&p->api, 0);
    cm_jw_init(&p->jw, &p->api);
    if (fmt == CM_LIST_API || fmt == CM_LIST_CLI) {
        cm_jw_obj_begin(&p->jw);
        cm_jw_key(&p->jw, fmt == CM_LIST_CLI ? "FindingIds" : "findingIds");
        cm_jw_arr_begin(&p->jw);
    }
}

int cm_printer_add(struct cm_printer *p, const struct cm_finding *f)
{
    int rc = CM_OK;

    switch (p->fmt) {
    case CM_LIST_NONE:
        break;
    case CM_LIST_TABLE:
        if (p->n == 0) {
            cm_out_stored_header(p->out);
        }
        cm_out_stored_row(p->out, f, p->tty);
        break;
    case CM_LIST_IDS:
        fprintf(p->out, "%s\n", f->id);
        break;
    case CM_LIST_JSON:
        rc = cm_out_finding(p->out, CM_OUT_JSON, f, 0);
        break;
    case CM_LIST_EVENTBRIDGE:
        rc = cm_out_finding(p->out, CM_OUT_EVENTBRIDGE, f, 0);
        break;
    case CM_LIST_OCSF:
        rc = cm_out_finding(p->out, CM_OUT_OCSF, f, 0);
        break;
    case CM_LIST_API:
    case CM_LIST_CLI:
        cm_jw_str(&p->jw, f->id);
        rc = p->jw.err;
        break;
    }
    p->n += rc == 0;
    return rc;
}

int cm_printer_end(struct cm_printer *p, const char *next_token)
{
    int rc = CM_OK;

    if (next_token == NULL) {
        next_token = "";
    }
    if (p->fmt == CM_LIST_API || p->fmt == CM_LIST_CLI) {
        cm_jw_arr_end(&p->jw);
        /* The aws CLI pages through every result and prints a NextToken only when one is
         * left (--max-items); the wire form always has the member. */
        if (p->fmt == CM_LIST_API || next_token[0]) {
            cm_jw_key(&p->jw, p->fmt == CM_LIST_CLI ? "NextToken" : "nextToken");
            cm_jw_str(&p->jw, next_token);
        }
        cm_jw_obj_end(&p->jw);
        rc = cm_jw_finish(&p->jw);
        if (rc == 0) {
            fprintf(p->out, "%s\n", p->api.p);
        }
    } else if (next_token[0]) {
        fprintf(stderr, "next token: %s\n", next_token);
    }
    cm_buf_finish(&p->api);
    return rc;
}
