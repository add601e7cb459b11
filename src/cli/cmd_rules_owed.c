/*
 * coalmine rules deliveries and coalmine rules outbox: the record of every delivery, and what
 * the outbox still owes (docs on `coalmine rules`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/json.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "cli/cmd_rules_impl.h"
#include "cli/findings_cli.h"
#include "store/store.h"

static const char deliveries_help[] =
    "usage: coalmine rules deliveries --db FILE [--state PENDING|DONE|FAILED|CANCELLED]\n"
    "                                 [--max-results N] [--format table|json]\n\n"
    "The record of every delivery, newest first: the finding (or, for a canary\n"
    "check's result, a scheduled rule's fire or an event put through the API,\n"
    "canary:NAME, schedule:RULE or events:SOURCE), the rule and target,\n"
    "its state (PENDING: failed or not tried yet, owed; DONE; FAILED: given up;\n"
    "CANCELLED: never to be tried again, because a newer event of the finding\n"
    "replaced it, or its rule was disabled or deleted, or its target removed), the\n"
    "attempts and the last error (for CANCELLED: why).\n";

struct dlist {
    struct cm_jw jw;
    bool json;
    bool headed; /* the table's column titles printed */
};

static int print_delivery(void *ud, const struct cm_store_delivery *d)
{
    struct dlist *l = ud;
    char next[40] = "-", what[160];

    if (d->state == CM_DELIVERY_PENDING) {
        cm_time_format_iso(d->next_ms, next, sizeof(next));
    }
    /* An event row's: "canary:NAME", "schedule:RULE" or "events:SOURCE" where a finding's
     * id goes. */
    snprintf(what, sizeof(what), "%s%s%s", d->source ? d->source : "", d->source ? ":" : "",
             d->source       ? (d->name ? d->name : "?")
             : d->finding_id ? d->finding_id
                             : "-");
    if (!l->json) {
        if (!l->headed) {
            printf("%-32s %-20s %-16s %-9s %-8s %-24s %s\n", "FINDING OR EVENT", "RULE", "TARGET",
                   "STATE", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR");
            l->headed = true;
        }
        printf("%-32s %-20s %-16s %-9s %8u %-24s %s\n", what, d->rule, d->target,
               cm_delivery_state_name(d->state), d->attempts, next,
               d->last_error ? d->last_error : "");
        return 0;
    }
    cm_jw_obj_begin(&l->jw);
    cm_jw_key(&l->jw, "FindingId");
    if (d->finding_id) {
        cm_jw_str(&l->jw, d->finding_id);
    } else {
        cm_jw_null(&l->jw);
    }
    cm_jw_key(&l->jw, "Source");
    cm_jw_str(&l->jw, d->source ? d->source : "finding");
    if (d->source != NULL) {
        cm_jw_key(&l->jw, "Name");
        cm_jw_str(&l->jw, d->name ? d->name : "");
    }
    cm_jw_key(&l->jw, "Rule");
    cm_jw_str(&l->jw, d->rule);
    cm_jw_key(&l->jw, "Target");
    cm_jw_str(&l->jw, d->target);
    cm_jw_key(&l->jw, "State");
    cm_jw_str(&l->jw, cm_delivery_state_name(d->state));
    cm_jw_key(&l->jw, "Attempts");
    cm_jw_u64(&l->jw, d->attempts);
    if (d->state == CM_DELIVERY_PENDING) {
        cm_jw_key(&l->jw, "NextAttemptAt");
        cm_jw_str(&l->jw, next);
    }
    if (d->last_error) {
        cm_jw_key(&l->jw, "LastError");
        cm_jw_str(&l->jw, d->last_error);
    }
    cm_jw_key(&l->jw, "UpdatedAt");
    cm_jw_str(&l->jw, d->updated_at ? d->updated_at : "");
    cm_jw_obj_end(&l->jw);
    return 0;
}

int cm_rules_deliveries(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    struct dlist l;
    struct cm_buf b;
    enum cm_delivery_state s = CM_DELIVERY_PENDING;
    char err[512] = "";
    int rc =
        cm_rules_parse(argc, argv, &o, O_DB | O_STATE | O_MAX | O_FORMAT, O_DB, deliveries_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if (o.state && cm_delivery_state_parse(o.state, &s) != 0) {
        fprintf(stderr,
                "coalmine rules deliveries: --state is PENDING, DONE, FAILED or CANCELLED\n");
        return CM_EXIT_USAGE;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    l.json = o.json;
    l.headed = false;
    cm_buf_init(&b, 0);
    cm_jw_init(&l.jw, &b);
    cm_jw_obj_begin(&l.jw);
    cm_jw_key(&l.jw, "Deliveries");
    cm_jw_arr_begin(&l.jw);
    rc = cm_store_deliveries(st, o.state ? (int)s : -1, (size_t)o.max, print_delivery, &l, err,
                             sizeof(err));
    cm_jw_arr_end(&l.jw);
    cm_jw_obj_end(&l.jw);
    if (rc != 0) {
        rc = cm_rules_store_error("deliveries", err, rc);
    } else if (o.json && cm_jw_finish(&l.jw) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    cm_store_close(st);
    return rc;
}

static const char outbox_help[] =
    "usage: coalmine rules outbox --db FILE [--max-results N] [--format table|json]\n\n"
    "The events still owed, oldest first: each outbox row not done (a finding's event,\n"
    "a canary check's result, a scheduled rule's fire or an event put through the\n"
    "EventBridge API), when it was written, its deliveries PENDING (failed and to be\n"
    "tried again, or not tried yet) and the earliest next attempt. `rules deliver`\n"
    "sends them; `rules deliveries --state PENDING` has each delivery's last error.\n";

static int print_owed(void *ud, const struct cm_store_owed *w)
{
    struct dlist *l = ud;
    char created[40], next[40] = "-";

    cm_time_format_iso(w->created_ms, created, sizeof(created));
    if (w->pending > 0 && w->next_ms > 0) {
        cm_time_format_iso(w->next_ms, next, sizeof(next));
    }
    if (!l->json) {
        printf("%-8lld %-8s %-32s %-5s %-24s %3lld pending, next %s\n", (long long)w->seq,
               w->source, w->name, w->status ? w->status : "-", created, (long long)w->pending,
               next);
        return 0;
    }
    cm_jw_obj_begin(&l->jw);
    cm_jw_key(&l->jw, "Seq");
    cm_jw_i64(&l->jw, w->seq);
    cm_jw_key(&l->jw, "Source");
    cm_jw_str(&l->jw, w->source);
    cm_jw_key(&l->jw, strcmp(w->source, "finding") == 0 ? "FindingId" : "Name");
    cm_jw_str(&l->jw, w->name);
    if (w->status != NULL) {
        cm_jw_key(&l->jw, "Status");
        cm_jw_str(&l->jw, w->status);
    }
    cm_jw_key(&l->jw, "CreatedAt");
    cm_jw_str(&l->jw, created);
    cm_jw_key(&l->jw, "PendingDeliveries");
    cm_jw_i64(&l->jw, w->pending);
    if (w->pending > 0 && w->next_ms > 0) {
        cm_jw_key(&l->jw, "NextAttemptAt");
        cm_jw_str(&l->jw, next);
    }
    cm_jw_obj_end(&l->jw);
    return 0;
}

int cm_rules_outbox(int argc, char **argv)
{
    struct ropts o;
    struct cm_store *st = NULL;
    struct dlist l;
    struct cm_buf b;
    char err[512] = "";
    int rc = cm_rules_parse(argc, argv, &o, O_DB | O_MAX | O_FORMAT, O_DB, outbox_help);

    if (rc != 0) {
        return rc == 1 ? CM_EXIT_OK : rc;
    }
    if ((rc = cm_cli_open_store(CMD, o.db, 0, &st)) != 0) {
        return rc;
    }
    l.json = o.json;
    cm_buf_init(&b, 0);
    cm_jw_init(&l.jw, &b);
    cm_jw_obj_begin(&l.jw);
    cm_jw_key(&l.jw, "Outbox");
    cm_jw_arr_begin(&l.jw);
    rc = cm_store_outbox_owed(st, (size_t)o.max, print_owed, &l, err, sizeof(err));
    cm_jw_arr_end(&l.jw);
    cm_jw_obj_end(&l.jw);
    if (rc != 0) {
        rc = cm_rules_store_error("outbox", err, rc);
    } else if (o.json && cm_jw_finish(&l.jw) == 0) {
        printf("%s\n", b.p);
    }
    cm_buf_finish(&b);
    cm_store_close(st);
    return rc;
}
