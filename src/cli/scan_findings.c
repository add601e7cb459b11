/*
 * The findings of `coalmine scan` (see scan_findings.h).
 */
#include "cli/scan_findings.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "cli/cmd.h"
#include "detect/intel.h"
#include "inventory/inventory.h"
/* The account that owns an instance, by the --inventory files
 * (cm_finding_ctx.cm_scan_findings_owner). */
struct cm_str cm_scan_findings_owner(void *ud, struct cm_str instance)
{
    struct cm_str owner;

    return cm_inventory_owner(ud, instance, &owner) == 0 ? owner : CM_STR_NULL;
}

/* The scan's sink (called under its lock): fold the detection into its finding. */
int cm_scan_findings_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct cm_scan_findings *c = sink->ud;
    int rc;

    if (c->intel && cm_detect_trusted(c->intel, d)) {
        c->trusted++; /* spec §4.3: no finding at all, not even an archived one */
        return CM_OK;
    }
    rc = cm_agg_add(c->agg, &c->ctx, d, NULL, NULL);

    if (rc == CM_ENOMEM) {
        return rc;
    }
    if (rc != 0 && rc != CM_EFULL) {
        c->unbuildable++; /* counted and reported, never silently lost */
        c->noregion += d->region.len == 0;
        c->noaccount += d->account.len == 0;
    }
    return CM_OK;
}

/* Names the evidence files (the input table is known once the scan is done). */
void cm_scan_findings_name_evidence(struct cm_scan_findings *c, const struct cm_scan_stats *st)
{
    size_t n = cm_agg_stats(c->agg)->findings;

    for (size_t i = 0; i < n; i++) {
        struct cm_finding *f = cm_agg_at(c->agg, i);
        for (uint32_t k = 0; k < f->nevidence; k++) {
            uint32_t id = f->evidence[k].ref.file_id;
            const char *old;
            size_t len;

            if (f->evidence[k].file.p != NULL) {
                continue;
            }
            if (id < st->ninputs && st->inputs[id].path) {
                cm_finding_setc(f, &f->evidence[k].file, st->inputs[id].path);
            } else if ((old = cm_scan_state_name(c->state, id, &len)) != NULL) {
                cm_finding_set(f, &f->evidence[k].file, cm_str_make(old, len));
            }
        }
    }
}

/* Fills remoteIpDetails' country, city and organisation from the --geoip databases. */
int cm_scan_findings_geo_enrich(struct cm_scan_findings *c, const struct cm_geoip *geo)
{
    size_t n = cm_agg_stats(c->agg)->findings;

    for (size_t i = 0; geo != NULL && i < n; i++) {
        int rc = cm_geoip_enrich(geo, cm_agg_at(c->agg, i));
        if (rc == CM_ENOMEM) {
            return rc;
        }
    }
    return 0;
}

/*
 * Writes every finding with the events it counted to the store in one
 * transaction (each event counts once, however often it is scanned), and
 * says on stderr what changed. Returns 0 or the store's error.
 */
int cm_scan_findings_store(struct cm_scan_findings *c, struct cm_store *store, int quiet, char *err,
                           size_t errlen)
{
    size_t n = c->norder, fresh = 0, updated = 0, archived = 0;
    int rc;

    if (n == 0) {
        return CM_OK;
    }
    c->puts = cm_calloc(n, sizeof(*c->puts));
    if (c->puts == NULL) {
        snprintf(err, errlen, "%s", cm_strerror(CM_ENOMEM));
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        c->puts[i].f = cm_agg_at(c->agg, c->order[i]);
        c->puts[i].events = cm_agg_events(c->agg, c->order[i], &c->puts[i].nevents);
    }
    rc = cm_store_put_findings(store, c->puts, n, err, errlen);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        fresh += c->puts[i].is_new;
        updated += !c->puts[i].is_new && c->puts[i].changed;
        archived += c->puts[i].archived;
    }
    if (rc == 0 && !quiet) {
        fprintf(stderr, "  stored:   %zu new, %zu updated, %zu already stored, %zu archived\n",
                fresh, updated, n - fresh - updated, archived);
    }
    return rc;
}

/*
 * Prints this run's findings. With --db: not the archived ones (suppressed:
 * never published), not the repeats the store already had as they are
 * (published when stored), and for a repeat that changed, the stored
 * finding it became (its whole count, first sighting and feedback), not
 * this run's share of it. With sync (the run writes a state file), findings
 * printed to a file are synced to disk: they are before the state that
 * remembers their inputs as read is. With c->out NULL nothing is printed.
 */
int cm_scan_findings_print(struct cm_scan_findings *c, struct cm_store *store, bool sync)
{
    size_t n = c->norder;
    bool headed = false;
    struct stat st;

    if (c->out == NULL) {
        return CM_EXIT_OK; /* the service: stored and routed, printed nowhere */
    }
    for (size_t i = 0; i < n; i++) {
        struct cm_finding *f = cm_agg_at(c->agg, c->order[i]), stored;
        int rc;

        if (c->puts && c->puts[i].archived) {
            continue;
        }
        if (c->puts && !c->puts[i].is_new && !c->puts[i].changed) {
            continue;
        }
        if (!headed) {
            /* The table's header over the first row printed: none when every one was skipped. */
            cm_out_header(c->out, c->fmt, c->colour);
            headed = true;
        }
        /*
         * OCSF: a finding this run reports first is Create, whatever its
         * count; one the store held before (and this run changed) is Update.
         * Without --db nothing says what an earlier run printed: Create.
         */
        if (c->puts && !c->puts[i].is_new && store != NULL) {
            cm_finding_init(&stored);
            rc = cm_store_get_finding(store, f->id, &stored);
            rc = rc == 0 ? cm_out_finding_as(c->out, c->fmt, &stored, c->colour, CM_OCSF_ACT_UPDATE)
                         : rc;
            cm_finding_finish(&stored);
        } else {
            rc = cm_out_finding_as(c->out, c->fmt, f, c->colour, CM_OCSF_ACT_CREATE);
        }
        if (rc != 0) {
            fprintf(stderr, "coalmine scan: finding %s could not be written\n", f->id);
            return CM_EXIT_ERROR;
        }
    }
    /* Written out, not just buffered: a full disk under stdout shows here, or never. */
    if (fflush(c->out) != 0 || ferror(c->out)) {
        int e = errno;

        fprintf(stderr, "coalmine scan: standard output: %s: the findings were not all written\n",
                e != 0 ? strerror(e) : "write error");
        return CM_EXIT_ERROR;
    }
    if (sync && fstat(fileno(c->out), &st) == 0 && S_ISREG(st.st_mode) &&
        fsync(fileno(c->out)) != 0) {
        fprintf(stderr, "coalmine scan: standard output: fsync: %s\n", strerror(errno));
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}

void cm_scan_findings_dropped_summary(const struct cm_scan_findings *c)
{
    if (!c->unbuildable && !cm_agg_stats(c->agg)->dropped) {
        return;
    }
    fprintf(stderr, "  dropped:  %llu detections could not become findings, %llu over the cap\n",
            (unsigned long long)c->unbuildable, (unsigned long long)cm_agg_stats(c->agg)->dropped);
    if (c->noregion) {
        fprintf(stderr,
                "            %llu of them from records with no region (default-format flow\n"
                "            logs whose object key names no region, of instances no\n"
                "            --inventory file places in a zone): give --region REGION\n",
                (unsigned long long)c->noregion);
    }
    if (c->noaccount) {
        fprintf(stderr,
                "            %llu of them from records with no account (flow records\n"
                "            whose account-id is absent, '-' or 'unknown', outside an\n"
                "            AWSLogs/<account>/ key): keep the key, or add account-id to the\n"
                "            format\n",
                (unsigned long long)c->noaccount);
    }
}
