/*
 * `coalmine scan --metrics FILE` (scan_metrics.h): the exposition is built in
 * memory from a table of families, then written beside the target and renamed
 * over it. Label values are escaped as the format says (backslash, double
 * quote and newline); sample values are integers, or doubles printed with
 * enough digits to read back.
 */
#include "cli/scan_metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "base/prom.h"
#include "cli/cmd.h"
#include "event/event.h"
#include "finding/finding.h"

/* A sample's labels are given in name order, the order a scraper serves them in, so the
 * file reads as served. Every family here is a gauge. */
static int family(struct cm_buf *b, const char *name, const char *help)
{
    return cm_prom_family(b, name, "gauge", help);
}

/* v with decimals digits after the point (seconds: 3 is a millisecond). */
static int sample_f64(struct cm_buf *b, const char *name, double v, int decimals)
{
    char s[48];

    snprintf(s, sizeof(s), "%.*f", decimals, v);
    return cm_prom_sample(b, name, NULL, 0, s);
}

/* A family with one unlabelled sample. */
static int scalar(struct cm_buf *b, const char *name, const char *help, uint64_t v)
{
    int rc = family(b, name, help);

    return rc ? rc : cm_prom_sample_u64(b, name, NULL, 0, v);
}

/* A family with one sample per event kind, label kind (not the kind of no record). */
static int by_kind(struct cm_buf *b, const char *name, const char *help, const uint64_t *v)
{
    int rc = family(b, name, help);

    for (int k = CM_EV_NONE + 1; k < CM_SCAN_KINDS && rc == 0; k++) {
        struct cm_prom_label l = cm_prom_label("kind", cm_event_kind_name((enum cm_event_kind)k));
        rc = cm_prom_sample_u64(b, name, &l, 1, v[k]);
    }
    return rc;
}

/* A family with one sample per named value, label lname. */
static int by_name(struct cm_buf *b, const char *name, const char *help, const char *lname,
                   const char *const *names, const uint64_t *v, size_t n)
{
    int rc = family(b, name, help);

    for (size_t i = 0; i < n && rc == 0; i++) {
        struct cm_prom_label l = cm_prom_label(lname, names[i]);
        rc = cm_prom_sample_u64(b, name, &l, 1, v[i]);
    }
    return rc;
}

struct type_count {
    struct cm_str type;
    const char *severity;
    uint64_t n;
};

static int cmp_type_count(const void *a, const void *b)
{
    const struct type_count *x = a, *y = b;
    int c = cm_str_cmp(x->type, y->type);

    return c != 0 ? c : strcmp(x->severity, y->severity);
}

/* Findings by (type, severity label), sorted: one sample each. */
static int findings_by_type(struct cm_buf *b, const struct cm_scan_metrics *m)
{
    static const char name[] = "coalmine_scan_findings_by_type";
    struct type_count *v = cm_calloc(m->norder ? m->norder : 1, sizeof(*v));
    size_t n = 0;
    int rc;

    if (v == NULL) {
        return CM_ENOMEM;
    }
    for (size_t i = 0; i < m->norder; i++) {
        const struct cm_finding *f = cm_agg_at(m->agg, m->order[i]);
        if (m->archived == NULL || !m->archived[i]) {
            v[n++] = (struct type_count){f->type, cm_severity_label(f->severity), 1};
        }
    }
    qsort(v, n, sizeof(*v), cmp_type_count);
    rc = family(b, name,
                "Current findings the last scan reported (not stored archived), by finding type "
                "and severity.");
    for (size_t i = 0; i < n && rc == 0;) {
        size_t j = i + 1;
        while (j < n && cmp_type_count(&v[i], &v[j]) == 0) {
            j++;
        }
        struct cm_prom_label l[2] = {cm_prom_label("severity", v[i].severity),
                                     {"type", v[i].type.p, v[i].type.len}};
        rc = cm_prom_sample_u64(b, name, l, 2, j - i);
        i = j;
    }
    free(v);
    return rc;
}

static int routing(struct cm_buf *b, const struct cm_cli_routing *r)
{
    static const char *const outcomes[] = {"matched", "delivered", "failed",
                                           "gave_up", "waiting",   "not_tried"};
    static const char tname[] = "coalmine_routing_target_deliveries";
    const uint64_t totals[] = {r->bus.events,  r->bus.matched, r->bus.delivered, r->bus.failed,
                               r->bus.gave_up, r->bus.held,    r->bus.released};
    static const char *const tnames[] = {"events",  "matched", "delivered", "failed",
                                         "gave_up", "held",    "released"};
    int rc;

    _Static_assert(sizeof(totals) / sizeof(totals[0]) == sizeof(tnames) / sizeof(tnames[0]),
                   "routing totals");
    rc = by_name(b, "coalmine_routing_deliveries",
                 "What routing did after the last scan: events routed, rule matches, "
                 "deliveries that succeeded, failed (tried again later), gave up, updates "
                 "held for the publishing frequency and released.",
                 "outcome", tnames, totals, sizeof(totals) / sizeof(totals[0]));
    rc = rc ? rc
            : family(b, tname,
                     "Deliveries the last scan's routing owed each target, by outcome "
                     "(matched is the sum of the others).");
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const struct cm_cli_target_stats *t = &r->v[i];
        const uint64_t v[] = {t->matched, t->delivered, t->failed,
                              t->gave_up, t->waiting,   t->not_tried};
        for (size_t k = 0; k < sizeof(v) / sizeof(v[0]) && rc == 0; k++) {
            struct cm_prom_label l[4] = {
                cm_prom_label("kind", t->kind), cm_prom_label("outcome", outcomes[k]),
                cm_prom_label("rule", t->rule), cm_prom_label("target", t->target)};
            rc = cm_prom_sample_u64(b, tname, l, 4, v[k]);
        }
    }
    return rc;
}

/* What the scan read, per input and per record. */
static int reading(struct cm_buf *b, const struct cm_scan_stats *st)
{
    static const char *const fnames[] = {"read", "rejected", "skipped", "repeated"};
    static const char *const bnames[] = {"stored", "decoded"};
    const uint64_t files[] = {st->files, st->rejected_files, st->skipped_files, st->repeated_paths};
    const uint64_t bytes[] = {st->bytes_in, st->bytes_decoded};
    int rc;

    rc = by_name(b, "coalmine_scan_input_files",
                 "Inputs of the last scan: read, rejected (unreadable, unrecognised, damaged), "
                 "skipped (other logs, empty) and named twice.",
                 "outcome", fnames, files, 4);
    rc = rc ? rc
            : by_name(b, "coalmine_scan_input_bytes",
                      "Bytes the last scan read, as stored and after decompression.", "form",
                      bnames, bytes, 2);
    rc = rc ? rc
            : by_kind(b, "coalmine_scan_records", "Good records the last scan read, by kind.",
                      st->records);
    rc =
        rc ? rc
           : by_kind(b, "coalmine_scan_rejected_records",
                     "Malformed records the last scan counted and skipped, by kind.", st->rejected);
    rc = rc ? rc
            : by_kind(b, "coalmine_scan_skipped_records",
                      "Good records no detector reads, by kind.", st->skipped);
    rc = rc ? rc
            : by_kind(b, "coalmine_scan_late_records",
                      "Records older than their source's clock when they came, by kind.", st->late);
    rc = rc ? rc
            : scalar(b, "coalmine_scan_repeated_records",
                     "Records the last scan had read already (CloudTrail eventIDs, CloudWatch Logs "
                     "event ids).",
                     st->repeated);
    return rc;
}

/* Detections, what became of them, and the detectors' memory. */
static int detecting(struct cm_buf *b, const struct cm_scan_metrics *m)
{
    static const char *const dnames[] = {"unbuildable", "over_cap", "trusted"};
    static const char pname[] = "coalmine_scan_state_peak_bytes";
    const struct cm_scan_stats *st = m->st;
    const uint64_t dropped[] = {m->x ? m->x->unbuildable : 0, m->x ? m->x->over_cap : 0,
                                m->x ? m->x->trusted : 0};
    int rc;

    rc = scalar(b, "coalmine_scan_detections", "Detections the last scan's detectors emitted.",
                st->detections);
    rc = rc ? rc
            : by_name(b, "coalmine_scan_dropped_detections",
                      "Detections that became no finding: unbuildable, past the findings cap, "
                      "or on a trusted list.",
                      "reason", dnames, dropped, 3);
    uint64_t archived = 0;
    for (size_t i = 0; m->archived != NULL && i < m->norder; i++) {
        archived += m->archived[i];
    }
    rc = rc ? rc
            : scalar(b, "coalmine_scan_findings",
                     "Distinct findings the last scan reported, archived ones included (the "
                     "summary's findings:).",
                     (uint64_t)m->norder);
    rc = rc ? rc
            : scalar(b, "coalmine_scan_archived_findings",
                     "Of them, those stored archived (an ARCHIVE filter, or archived before): "
                     "not printed, not routed.",
                     archived);
    rc = rc ? rc : findings_by_type(b, m);
    rc = rc ? rc
            : family(b, pname,
                     "The most memory a detector's keyed state held during the last scan.");
    for (size_t i = 0; i < st->dets.n && rc == 0; i++) {
        struct cm_prom_label l = cm_prom_label("detector", st->dets.v[i].name);
        rc = cm_prom_sample_u64(b, pname, &l, 1, st->dets.v[i].st.peak_bytes);
    }
    rc = rc ? rc
            : scalar(b, "coalmine_scan_state_evicted_entries",
                     "State entries the detectors evicted to stay within their caps.",
                     st->state.evicted);
    return rc;
}

int cm_scan_metrics_format(const struct cm_scan_metrics *m, struct cm_buf *out)
{
    int rc;

    rc = scalar(out, "coalmine_scan_success", "Whether the last scan finished (1) or failed (0).",
                m->ok);
    rc = rc ? rc : family(out, "coalmine_scan_end_timestamp_seconds", "When the last scan ended.");
    rc = rc ? rc
            : sample_f64(out, "coalmine_scan_end_timestamp_seconds", (double)m->end_ms / 1e3, 3);
    rc = rc ? rc
            : family(out, "coalmine_scan_duration_seconds", "Wall-clock time of the last scan.");
    rc = rc ? rc : sample_f64(out, "coalmine_scan_duration_seconds", m->seconds, 3);
    if (rc != 0 || m->st == NULL) {
        return rc;
    }
    rc = family(out, "coalmine_scan_cpu_seconds", "CPU time of the last scan's threads.");
    rc = rc ? rc : sample_f64(out, "coalmine_scan_cpu_seconds", m->st->cpu_seconds, 6);
    rc = rc ? rc
            : scalar(out, "coalmine_scan_peak_rss_bytes", "Peak resident memory of the last scan.",
                     m->st->peak_rss_kb * 1024);
    rc = rc ? rc : reading(out, m->st);
    rc = rc ? rc : detecting(out, m);
    if (rc == 0 && m->routed != NULL) {
        rc = routing(out, m->routed);
    }
    return rc;
}

/*
 * Creates path's temporary file (PATH.tmp.PID) for writing: its descriptor, with its
 * name in *tmp (the caller frees it, and unlinks it when it gives up), or -1 after
 * saying why, naming path (the file the user gave).
 */
static int open_tmp(const char *path, char **tmp)
{
    size_t tmplen = strlen(path) + 32;
    int fd;

    if ((*tmp = cm_malloc(tmplen)) == NULL) {
        fprintf(stderr, "coalmine scan: --metrics %s: out of memory\n", path);
        return -1;
    }
    snprintf(*tmp, tmplen, "%s.tmp.%ld", path, (long)getpid());
    if ((fd = open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
        fprintf(stderr, "coalmine scan: --metrics %s: %s\n", path, strerror(errno));
    }
    return fd;
}

int cm_scan_metrics_write(const struct cm_scan_metrics *m, const char *path)
{
    struct cm_buf b;
    char *tmp = NULL;
    int fd = -1, rc = CM_EXIT_ERROR;
    size_t off = 0;

    cm_buf_init(&b, 0);
    if (cm_scan_metrics_format(m, &b) != 0) {
        fprintf(stderr, "coalmine scan: --metrics %s: out of memory\n", path);
        goto out;
    }
    if ((fd = open_tmp(path, &tmp)) < 0) {
        goto out;
    }
    while (off < b.len) {
        ssize_t w = write(fd, b.p + off, b.len - off);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            fprintf(stderr, "coalmine scan: --metrics %s: %s\n", path,
                    w < 0 ? strerror(errno) : "short write");
            goto out;
        }
        off += (size_t)w;
    }
    int bad = fsync(fd) != 0, e = errno;
    if (close(fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    fd = -1;
    if (bad) {
        fprintf(stderr, "coalmine scan: --metrics %s: %s\n", path, strerror(e));
        goto out;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "coalmine scan: --metrics %s: %s\n", path, strerror(errno));
        goto out;
    }
    rc = CM_EXIT_OK;
out:
    if (fd >= 0) {
        close(fd);
    }
    if (rc != CM_EXIT_OK && tmp != NULL) {
        unlink(tmp);
    }
    free(tmp);
    cm_buf_finish(&b);
    return rc;
}

int cm_scan_metrics_probe(const char *path)
{
    char *tmp = NULL;
    int fd = open_tmp(path, &tmp);

    if (fd < 0) {
        free(tmp);
        return CM_EXIT_ERROR;
    }
    close(fd);
    unlink(tmp);
    free(tmp);
    return CM_EXIT_OK;
}
