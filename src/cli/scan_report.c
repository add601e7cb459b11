/*
 * What `coalmine scan` says about what it read: the --stats JSON and the
 * summary on stderr (records, rejects, what was skipped, the first rejects).
 */
#include "cli/scan_report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/time.h"
#include "cli/cmd.h"
#include "event/event.h"
#include "inventory/inventory.h"

/* One member per kind of record, named as cm_event_kind_name names it, with n[kind]. */
static void kind_counts(struct cm_jw *jw, const uint64_t n[CM_SCAN_KINDS])
{
    for (int k = CM_EV_CLOUDTRAIL; k < CM_SCAN_KINDS; k++) {
        cm_jw_key(jw, cm_event_kind_name((enum cm_event_kind)k));
        cm_jw_u64(jw, n[k]);
    }
}

/* The counters of keyed state, the totals' and each detector's alike. */
static void write_state_counts(struct cm_jw *jw, const struct cm_state_stats *c)
{
    cm_jw_key(jw, "inserts");
    cm_jw_u64(jw, c->inserts);
    cm_jw_key(jw, "evicted");
    cm_jw_u64(jw, c->evicted);
    cm_jw_key(jw, "expired");
    cm_jw_u64(jw, c->expired);
    cm_jw_key(jw, "peak_entries");
    cm_jw_u64(jw, c->peak_entries);
    cm_jw_key(jw, "peak_bytes");
    cm_jw_u64(jw, c->peak_bytes);
}

/* Writes n members: names[i] with the count v[i]. */
static void put_counts(struct cm_jw *jw, const char *const *names, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        cm_jw_key(jw, names[i]);
        cm_jw_u64(jw, v[i]);
    }
}

/* What routing did: the run's totals and each target's ("routing": null when none ran). */
static void write_routing(struct cm_jw *jw, const struct cm_cli_routing *r)
{
    static const char *const names[] = {"matched", "delivered", "failed",
                                        "gave_up", "waiting",   "not_tried"};
    static const char *const totals[] = {"events",   "rule_matches", "delivered", "failed",
                                         "gave_up",  "waiting",      "not_tried", "superseded",
                                         "archived", "pending",      "released",  "held"};

    cm_jw_key(jw, "routing");
    if (r == NULL) {
        cm_jw_null(jw);
        return;
    }
    const uint64_t tv[] = {r->bus.events,
                           r->bus.matched,
                           r->bus.delivered,
                           r->bus.failed,
                           r->bus.gave_up,
                           r->bus.waiting,
                           r->bus.deferred + r->bus.busy + r->bus.lost,
                           r->bus.superseded,
                           r->bus.archived,
                           r->bus.pending,
                           r->bus.released,
                           r->bus.held};
    _Static_assert(sizeof(tv) / sizeof(tv[0]) == sizeof(totals) / sizeof(totals[0]), "totals");
    cm_jw_obj_begin(jw);
    put_counts(jw, totals, tv, sizeof(tv) / sizeof(tv[0]));
    /* The same by where the event comes from (canary results and scheduled fires too). */
    cm_jw_key(jw, "repeats");
    cm_jw_u64(jw, r->bus.repeats);
    cm_jw_key(jw, "sources");
    cm_jw_obj_begin(jw);
    for (int i = 0; i < CM_BUS_NSOURCES; i++) {
        static const char *const sn[] = {"events", "delivered", "failed", "gave_up"};
        const uint64_t sv[] = {r->bus.by_source[i].events, r->bus.by_source[i].delivered,
                               r->bus.by_source[i].failed, r->bus.by_source[i].gave_up};
        cm_jw_key(jw, cm_bus_source_name((enum cm_bus_source)i));
        cm_jw_obj_begin(jw);
        put_counts(jw, sn, sv, 4);
        cm_jw_obj_end(jw);
    }
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "targets");
    cm_jw_arr_begin(jw);
    for (size_t i = 0; i < r->n; i++) {
        const struct cm_cli_target_stats *t = &r->v[i];
        const uint64_t n[] = {t->matched, t->delivered, t->failed,
                              t->gave_up, t->waiting,   t->not_tried};
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "rule");
        cm_jw_str(jw, t->rule);
        cm_jw_key(jw, "target");
        cm_jw_str(jw, t->target);
        cm_jw_key(jw, "kind");
        cm_jw_str(jw, t->kind);
        put_counts(jw, names, n, sizeof(n) / sizeof(n[0]));
        cm_jw_obj_end(jw);
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/*
 * What --state carried ("carried": null without it), the summary's carried: lines: the
 * file read or new, the files it remembers, and the detectors whose saved state did not
 * fit this build or these settings and started afresh (their learning is lost).
 */
static void write_carried(struct cm_jw *jw, const struct cm_scan_state *ss)
{
    const struct cm_statefile *sf;
    char when[40] = "";

    cm_jw_key(jw, "carried");
    if (ss == NULL || ss->path == NULL) {
        cm_jw_null(jw);
        return;
    }
    sf = &ss->sf;
    cm_jw_obj_begin(jw);
    cm_jw_key(jw, "path");
    cm_jw_str(jw, ss->path);
    cm_jw_key(jw, "loaded");
    cm_jw_bool(jw, ss->loaded);
    cm_jw_key(jw, "shards");
    cm_jw_u64(jw, ss->loaded ? sf->nshards : 0);
    cm_jw_key(jw, "saved");
    if (ss->loaded && cm_time_format_iso_s(sf->saved_ms, when, sizeof(when)) > 0) {
        cm_jw_str(jw, when);
    } else {
        cm_jw_null(jw);
    }
    cm_jw_key(jw, "final");
    cm_jw_bool(jw, ss->final);
    cm_jw_key(jw, "written_bytes");
    cm_jw_u64(jw, ss->final ? 0 : sf->written);
    cm_jw_key(jw, "files_remembered");
    cm_jw_u64(jw, ss->final ? 0 : sf->files.n);
    cm_jw_key(jw, "files_read_whole");
    cm_jw_u64(jw, ss->final ? 0 : ss->nread);
    cm_jw_key(jw, "files_resumed");
    cm_jw_u64(jw, ss->final ? 0 : ss->nresumed);
    cm_jw_key(jw, "files_forgotten");
    cm_jw_u64(jw, ss->final ? 0 : ss->forgot.aged + ss->forgot.capped);
    cm_jw_key(jw, "reread");
    cm_jw_bool(jw, ss->reread);
    cm_jw_key(jw, "stale_removed");
    cm_jw_u64(jw, sf->stale);
    cm_jw_key(jw, "files_reset");
    cm_jw_bool(jw, ss->loaded && sf->files_reset);
    cm_jw_key(jw, "started_afresh");
    cm_jw_arr_begin(jw);
    for (const char *p = ss->loaded ? sf->dropped : ""; *p != '\0';) {
        size_t n = strcspn(p, ",");

        cm_jw_strn(jw, p, n);
        p += n;
        p += strspn(p, ", ");
    }
    cm_jw_arr_end(jw);
    cm_jw_obj_end(jw);
}

/*
 * The summary's dropped:, trusted: and instances: lines: detections that could not become
 * findings (and why), those trusted lists dropped, and the instance map ("instances":
 * null when there is none).
 */
static void write_extra(struct cm_jw *jw, const struct cm_scan_report_extra *x)
{
    static const char *const dropped_names[] = {"unbuildable", "no_region", "no_account",
                                                "over_cap"};
    static const char *const instance_names[] = {
        "known", "from_inventory", "from_cloudtrail", "interfaces",
        "bytes", "not_kept",       "findings_named",  "findings_unknown"};
    static const struct cm_scan_report_extra none;
    struct cm_inventory_stats is;

    if (x == NULL) {
        x = &none;
    }
    const uint64_t dropped[] = {x->unbuildable, x->no_region, x->no_account, x->over_cap};
    _Static_assert(sizeof(dropped) / sizeof(dropped[0]) ==
                       sizeof(dropped_names) / sizeof(dropped_names[0]),
                   "dropped");

    cm_jw_key(jw, "dropped");
    cm_jw_obj_begin(jw);
    put_counts(jw, dropped_names, dropped, sizeof(dropped) / sizeof(dropped[0]));
    cm_jw_obj_end(jw);
    cm_jw_key(jw, "trusted");
    cm_jw_u64(jw, x->trusted);
    if (x->custom != NULL) {
        cm_scan_custom_json(x->custom, jw);
    }
    cm_jw_key(jw, "instances");
    if (x->inv == NULL || x->inv->inv == NULL) {
        cm_jw_null(jw);
        return;
    }
    cm_inventory_stats(x->inv->inv, &is);
    const uint64_t inst[] = {is.instances, is.loaded, is.observed,      is.nics,
                             is.bytes,     is.full,   x->inv->enriched, x->inv->unknown};
    _Static_assert(sizeof(inst) / sizeof(inst[0]) ==
                       sizeof(instance_names) / sizeof(instance_names[0]),
                   "instances");
    cm_jw_obj_begin(jw);
    put_counts(jw, instance_names, inst, sizeof(inst) / sizeof(inst[0]));
    cm_jw_obj_end(jw);
}

/* The skipped inputs named in --stats: the first of them, as reject_samples has rejects. */
#define SKIP_SAMPLES 20

/*
 * "skip_samples": the first SKIP_SAMPLES inputs set aside whole, in input order, with
 * what each was skipped as (the skipped counts say what, never which file). Those an
 * earlier scan with the same --state read are left out: they are most of a cron job's
 * inputs, and expected.
 */
static void write_skip_samples(struct cm_jw *jw, const struct cm_scan_stats *st)
{
    size_t named = 0;

    cm_jw_key(jw, "skip_samples");
    cm_jw_arr_begin(jw);
    for (size_t i = 0; i < st->ninputs && named < SKIP_SAMPLES; i++) {
        const struct cm_scan_input *in = &st->inputs[i];

        if (in->skipped_as == NULL || in->skipped != 0 ||
            strcmp(in->skipped_as, CM_SCAN_READ_BEFORE) == 0) {
            continue; /* not skipped, or some of its records only; or read before */
        }
        cm_jw_obj_begin(jw);
        cm_jw_key(jw, "path");
        cm_jw_str(jw, in->path != NULL ? in->path : "?");
        cm_jw_key(jw, "as");
        cm_jw_str(jw, in->skipped_as);
        cm_jw_obj_end(jw);
        named++;
    }
    cm_jw_arr_end(jw);
}

static void write_stats(FILE *f, const struct cm_scan_stats *st, const struct cm_cli_routing *rt,
                        const struct cm_scan_state *ss, const struct cm_scan_report_extra *x)
{
    struct cm_buf b;
    struct cm_jw jw;

    cm_buf_init(&b, 0);
    cm_jw_init(&jw, &b);
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "files");
    cm_jw_u64(&jw, st->files);
    cm_jw_key(&jw, "bytes_in");
    cm_jw_u64(&jw, st->bytes_in);
    cm_jw_key(&jw, "bytes_decoded");
    cm_jw_u64(&jw, st->bytes_decoded);
    cm_jw_key(&jw, "seconds");
    cm_jw_f64(&jw, st->seconds);
    cm_jw_key(&jw, "records");
    cm_jw_obj_begin(&jw);
    kind_counts(&jw, st->records);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "rejected");
    cm_jw_obj_begin(&jw);
    kind_counts(&jw, st->rejected);
    cm_jw_key(&jw, "files");
    cm_jw_u64(&jw, st->rejected_files);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "skipped");
    cm_jw_obj_begin(&jw);
    kind_counts(&jw, st->skipped);
    cm_jw_key(&jw, "files");
    cm_jw_u64(&jw, st->skipped_files);
    cm_jw_key(&jw, "what");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < st->nskips; i++) {
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, st->skips[i].what);
        cm_jw_key(&jw, "files");
        cm_jw_u64(&jw, st->skips[i].files);
        cm_jw_key(&jw, "records");
        cm_jw_u64(&jw, st->skips[i].records);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    /* Read once: paths to a file listed already; records (counted in records) read already,
     * another delivery of the same event: CloudTrail's by eventID, flow and Resolver records
     * by their CloudWatch Logs event id. */
    cm_jw_key(&jw, "repeated");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "paths");
    cm_jw_u64(&jw, st->repeated_paths);
    kind_counts(&jw, st->repeated_kind);
    cm_jw_obj_end(&jw);
    /* Inputs (CloudTrail) whose records were read in time order, not as written. */
    cm_jw_key(&jw, "reordered");
    cm_jw_u64(&jw, st->reordered);
    /* How each DNS record's instance is known; the last two are not judged. */
    cm_jw_key(&jw, "dns_instance");
    cm_jw_obj_begin(&jw);
    cm_jw_key(&jw, "logged");
    cm_jw_u64(&jw, st->dns_srcid[CM_DNS_SRCID_LOGGED]);
    cm_jw_key(&jw, "inventory");
    cm_jw_u64(&jw, st->dns_srcid[CM_DNS_SRCID_INVENTORY]);
    cm_jw_key(&jw, "resolver_endpoint");
    cm_jw_u64(&jw, st->dns_srcid[CM_DNS_SRCID_ENDPOINT]);
    cm_jw_key(&jw, "unattributed");
    cm_jw_u64(&jw, st->dns_srcid[CM_DNS_SRCID_UNKNOWN]);
    cm_jw_obj_end(&jw);
    /* Records older than the last tick of their source's clock: windows had closed. */
    cm_jw_key(&jw, "late");
    cm_jw_obj_begin(&jw);
    kind_counts(&jw, st->late);
    cm_jw_obj_end(&jw);
    cm_jw_key(&jw, "findings");
    cm_jw_u64(&jw, st->findings);
    cm_jw_key(&jw, "detections");
    cm_jw_u64(&jw, st->detections);
    cm_jw_key(&jw, "cpu_seconds");
    cm_jw_f64(&jw, st->cpu_seconds);
    cm_jw_key(&jw, "peak_rss_kb");
    cm_jw_u64(&jw, st->peak_rss_kb);
    /* Event batches alive at once (threaded): bounded by the threads, not the inputs' size. */
    cm_jw_key(&jw, "peak_batches");
    cm_jw_u64(&jw, st->peak_batches);
    /* Per worker: how evenly the entity keys spread the records (docs: README, --stats). */
    cm_jw_key(&jw, "workers");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < st->nworkers; i++) {
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "events");
        cm_jw_u64(&jw, st->workers[i].events);
        cm_jw_key(&jw, "cpu_seconds");
        cm_jw_f64(&jw, st->workers[i].cpu_seconds);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_key(&jw, "state");
    cm_jw_obj_begin(&jw);
    write_state_counts(&jw, &st->state);
    /* The same by detector: which tables fill, evict or expire. */
    cm_jw_key(&jw, "detectors");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < st->dets.n; i++) {
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "name");
        cm_jw_str(&jw, st->dets.v[i].name);
        write_state_counts(&jw, &st->dets.v[i].st);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    write_extra(&jw, x);
    write_carried(&jw, ss);
    write_routing(&jw, rt);
    write_skip_samples(&jw, st);
    cm_jw_key(&jw, "reject_samples");
    cm_jw_arr_begin(&jw);
    for (size_t i = 0; i < st->nrejects; i++) {
        const struct cm_scan_reject *r = &st->rejects[i];
        cm_jw_obj_begin(&jw);
        cm_jw_key(&jw, "kind");
        cm_jw_str(&jw, r->kind ? cm_event_kind_name((enum cm_event_kind)r->kind) : "file");
        cm_jw_key(&jw, "path");
        cm_jw_str(&jw, r->path);
        cm_jw_key(&jw, "offset");
        cm_jw_u64(&jw, r->offset);
        cm_jw_key(&jw, "line");
        cm_jw_u64(&jw, r->line);
        cm_jw_key(&jw, "reason");
        cm_jw_str(&jw, r->reason);
        cm_jw_obj_end(&jw);
    }
    cm_jw_arr_end(&jw);
    cm_jw_obj_end(&jw);
    if (cm_jw_finish(&jw) == 0) {
        fprintf(f, "%s\n", b.p);
    }
    cm_buf_finish(&b);
}

/* The skip count of what (CM_SCAN_READ_BEFORE, CM_SCAN_OUTSIDE, ...), or NULL. */
static const struct cm_scan_skip *skip_of(const struct cm_scan_stats *st, const char *what)
{
    for (size_t i = 0; i < st->nskips; i++) {
        if (strcmp(st->skips[i].what, what) == 0) {
            return &st->skips[i];
        }
    }
    return NULL;
}

void cm_scan_quiet_warning(const struct cm_scan_stats *st)
{
    uint64_t rej = st->rejected[1] + st->rejected[2] + st->rejected[3];

    if (st->files == 0 && st->nskips == 0 && st->repeated_paths == 0) {
        fprintf(stderr, "coalmine scan: warning: no files to read under the paths given\n");
    } else if (rej != 0 || st->rejected_files != 0) {
        fprintf(stderr,
                "coalmine scan: warning: %llu record%s and %llu file%s rejected (the summary "
                "without --quiet, or --stats FILE, says where and why)\n",
                (unsigned long long)rej, rej == 1 ? "" : "s",
                (unsigned long long)st->rejected_files, st->rejected_files == 1 ? "" : "s");
    }
}

void cm_scan_summary(const struct cm_scan_stats *st)
{
    const struct cm_scan_skip *before = skip_of(st, CM_SCAN_READ_BEFORE);
    const struct cm_scan_skip *outside = skip_of(st, CM_SCAN_OUTSIDE);
    uint64_t recs = st->records[1] + st->records[2] + st->records[3];
    uint64_t rej = st->rejected[1] + st->rejected[2] + st->rejected[3];
    double secs = st->seconds > 0 ? st->seconds : 1e-9;

    fprintf(stderr,
            "scan: %llu files, %.1f MB read, %.1f MB decoded, %.2f s (%.0f MB/s decoded, %.0f "
            "records/s)\n",
            (unsigned long long)st->files, (double)st->bytes_in / 1e6,
            (double)st->bytes_decoded / 1e6, st->seconds, (double)st->bytes_decoded / 1e6 / secs,
            (double)recs / secs);
    fprintf(stderr, "  records:  cloudtrail %llu, vpcflow %llu, dns %llu\n",
            (unsigned long long)st->records[1], (unsigned long long)st->records[2],
            (unsigned long long)st->records[3]);
    fprintf(stderr, "  rejected: cloudtrail %llu, vpcflow %llu, dns %llu, files %llu\n",
            (unsigned long long)st->rejected[1], (unsigned long long)st->rejected[2],
            (unsigned long long)st->rejected[3], (unsigned long long)st->rejected_files);
    if (st->nskips > (size_t)(before != NULL) + (outside != NULL)) {
        size_t shown = 0;

        fprintf(stderr, "  skipped: ");
        for (size_t i = 0; i < st->nskips; i++) {
            const struct cm_scan_skip *k = &st->skips[i];
            if (k == before || k == outside) {
                continue;
            }
            fprintf(stderr, "%s %s", shown++ ? "," : "", k->what);
            if (k->files) {
                fprintf(stderr, " %llu file%s", (unsigned long long)k->files,
                        k->files == 1 ? "" : "s");
            }
            if (k->records) {
                fprintf(stderr, "%s %llu record%s", k->files ? " and" : "",
                        (unsigned long long)k->records, k->records == 1 ? "" : "s");
            }
        }
        fprintf(stderr, " (no detector reads these)\n");
    }
    if (outside != NULL) {
        fprintf(stderr,
                "  outside:  %llu record%s not analysed and %llu file%s not read, outside "
                "--since/--until\n",
                (unsigned long long)outside->records, outside->records == 1 ? "" : "s",
                (unsigned long long)outside->files, outside->files == 1 ? "" : "s");
    }
    if (before != NULL) {
        fprintf(stderr,
                "  skipped:  %llu file%s " CM_SCAN_READ_BEFORE " with this --state, not read "
                "again (--reread reads them)\n",
                (unsigned long long)before->files, before->files == 1 ? "" : "s");
    }
    if (st->repeated_paths || st->repeated) {
        static const char *const what[CM_SCAN_KINDS] = {NULL, "whose eventID", "whose log event id",
                                                        "whose log event id"};
        const char *sep = st->repeated_paths ? "," : "";

        fprintf(stderr, "  repeated:");
        if (st->repeated_paths) {
            fprintf(stderr, " %llu path%s to a file listed already",
                    (unsigned long long)st->repeated_paths, st->repeated_paths == 1 ? "" : "s");
        }
        for (unsigned k = 1; k < CM_SCAN_KINDS; k++) {
            uint64_t n = st->repeated_kind[k];

            if (n != 0) {
                fprintf(stderr, "%s %s %llu record%s %s was read already", sep,
                        cm_event_kind_name((enum cm_event_kind)k), (unsigned long long)n,
                        n == 1 ? "" : "s", what[k]);
                sep = ",";
            }
        }
        fprintf(stderr, " (each read once)\n");
    }
    if (st->late[1] || st->late[2] || st->late[3]) {
        const struct cm_scan_input *newest = NULL;
        char when[40];

        fprintf(stderr,
                "  late:     cloudtrail %llu, vpcflow %llu, dns %llu (older than windows that "
                "had closed: records more than 15 minutes out of time order, within a file or "
                "from files scanned out of order)\n",
                (unsigned long long)st->late[1], (unsigned long long)st->late[2],
                (unsigned long long)st->late[3]);
        /* What moved the clocks that far: the newest record read (a record with a wrong
         * clock, years ahead, makes the rest late), and where it is. */
        for (size_t i = 0; i < st->ninputs; i++) {
            if (st->inputs[i].newest_ms > 0 && st->inputs[i].path != NULL &&
                (newest == NULL || st->inputs[i].newest_ms > newest->newest_ms)) {
                newest = &st->inputs[i];
            }
        }
        if (newest != NULL && cm_time_format_iso_s(newest->newest_ms, when, sizeof(when)) > 0) {
            fprintf(stderr, "            the newest record read is of %s, in %s\n", when,
                    newest->path);
        }
    }
    if (st->dns_srcid[CM_DNS_SRCID_INVENTORY] || st->dns_srcid[CM_DNS_SRCID_ENDPOINT] ||
        st->dns_srcid[CM_DNS_SRCID_UNKNOWN]) {
        uint64_t none = st->dns_srcid[CM_DNS_SRCID_ENDPOINT] + st->dns_srcid[CM_DNS_SRCID_UNKNOWN];
        fprintf(stderr,
                "  dns:      %llu record%s without srcids.instance: %llu named by the inventory "
                "(vpc_id, srcaddr), %llu not attributable to an instance (%llu through an inbound "
                "Resolver endpoint, %llu at an address no known instance has; not judged)\n",
                (unsigned long long)(st->dns_srcid[CM_DNS_SRCID_INVENTORY] + none),
                st->dns_srcid[CM_DNS_SRCID_INVENTORY] + none == 1 ? "" : "s",
                (unsigned long long)st->dns_srcid[CM_DNS_SRCID_INVENTORY], (unsigned long long)none,
                (unsigned long long)st->dns_srcid[CM_DNS_SRCID_ENDPOINT],
                (unsigned long long)st->dns_srcid[CM_DNS_SRCID_UNKNOWN]);
    }
    fprintf(stderr, "  findings: %llu (from %llu detections)\n", (unsigned long long)st->findings,
            (unsigned long long)st->detections);
    if (st->state.inserts) {
        fprintf(stderr, "  state:    %llu keys at most (%.1f MB), %llu evicted when full",
                (unsigned long long)st->state.peak_entries, (double)st->state.peak_bytes / 1e6,
                (unsigned long long)st->state.evicted);
        /* Name the tables that evicted: a growing count means their cap is too small. */
        size_t named = 0;

        for (size_t i = 0; i < st->dets.n; i++) {
            if (st->dets.v[i].st.evicted) {
                fprintf(stderr, "%s%s %llu", named++ ? ", " : " (", st->dets.v[i].name,
                        (unsigned long long)st->dets.v[i].st.evicted);
            }
        }
        fputs(named ? ")\n" : "\n", stderr);
    }
    if (st->nrejects) {
        fprintf(stderr, "  first %zu rejects%s:\n", st->nrejects,
                rej + st->rejected_files > st->nrejects ? " (more not listed)" : "");
        for (size_t i = 0; i < st->nrejects; i++) {
            const struct cm_scan_reject *r = &st->rejects[i];
            if (r->line) {
                fprintf(stderr, "    %s:%u (byte %llu): %s\n", r->path, r->line,
                        (unsigned long long)r->offset, r->reason);
            } else {
                fprintf(stderr, "    %s (byte %llu): %s\n", r->path, (unsigned long long)r->offset,
                        r->reason);
            }
        }
    }
}

int cm_scan_write_stats(const struct cm_scan_stats *st, const struct cm_cli_routing *routed,
                        const struct cm_scan_state *ss, const struct cm_scan_report_extra *x,
                        FILE *stats_out, const char *stats_path)
{
    struct stat sb;
    bool regular;
    int bad;

    if (stats_out == NULL) {
        return CM_EXIT_OK;
    }
    /* Never a device or a pipe: /dev/full is no half-written report to remove. */
    regular = stats_out != stdout && fstat(fileno(stats_out), &sb) == 0 && S_ISREG(sb.st_mode);
    write_stats(stats_out, st, routed, ss, x);
    bad = stats_out == stdout ? fflush(stdout) != 0 || ferror(stdout)
                              : ferror(stats_out) | (fclose(stats_out) != 0);
    if (bad) {
        fprintf(stderr, "coalmine scan: --stats %s: %s\n", stats_path, strerror(errno));
        if (regular) {
            unlink(stats_path); /* a half-written report is no report */
        }
        return CM_EXIT_ERROR;
    }
    return CM_EXIT_OK;
}
