/*
 * The scan's account of what it did not analyse (scan_impl.h): rejected
 * records and inputs (counted per kind and per input, the first max_rejects
 * kept with location and reason) and skipped ones (counted by what they are:
 * an Insights file, a digest, a record of another log). Called from every
 * reader thread, under the scan's mutex. And the Resolver queries that name
 * no instance: named from the inventory, or counted as not judged.
 */
#include "core/scan.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "core/scan_impl.h"
#include "inventory/inventory.h"

/* Whether a comes before b: input order, then the order its reader met them in. */
static int reject_before(const struct cm_scan_reject *a, const struct cm_scan_reject *b)
{
    return a->file_id != b->file_id ? a->file_id < b->file_id : a->seq < b->seq;
}

void cm_scan_note_reject(struct scan *s, int kind, uint32_t file_id, uint64_t off, uint32_t line,
                         const char *reason)
{
    struct cm_scan_stats *st = s->st;
    struct cm_scan_reject key = {.file_id = file_id};
    struct cm_scan_reject *r = NULL;

    pthread_mutex_lock(&s->mu);
    if (kind == 0) {
        /* a file is counted once, however many of its faults are noted (a truncated gzip
         * and then the salvage that is no known format) */
        st->rejected_files += file_id >= st->ninputs || !st->inputs[file_id].damaged;
    } else if (kind > 0 && kind < CM_SCAN_KINDS) {
        st->rejected[kind]++;
    }
    if (file_id < st->ninputs) {
        if (kind == 0) {
            st->inputs[file_id].damaged = 1;
        } else {
            st->inputs[file_id].rejected++;
        }
        key.seq = st->inputs[file_id].noted++;
    }
    /*
     * Keep the first max_rejects in input order, not in the order reader threads noted
     * them: when full, this one takes the place of the last kept if it comes before it.
     */
    if (st->nrejects < s->o.max_rejects) {
        r = &st->rejects[st->nrejects++];
    } else if (st->nrejects > 0) {
        struct cm_scan_reject *last = &st->rejects[0];

        for (size_t i = 1; i < st->nrejects; i++) {
            if (reject_before(last, &st->rejects[i])) {
                last = &st->rejects[i];
            }
        }
        r = reject_before(&key, last) ? last : NULL;
    }
    if (r != NULL) {
        r->kind = kind;
        r->path = file_id < s->in.n ? s->in.v[file_id].path : "?";
        r->offset = off;
        r->line = line;
        r->file_id = file_id;
        r->seq = key.seq;
        snprintf(r->reason, sizeof(r->reason), "%s", reason);
    }
    pthread_mutex_unlock(&s->mu);
}

void cm_scan_note_skip(struct scan *s, uint32_t file_id, int kind, const char *what)
{
    struct cm_scan_stats *st = s->st;

    cm_scan_note_skip_n(s, kind, what, 1);
    pthread_mutex_lock(&s->mu);
    if (file_id < st->ninputs) {
        struct cm_scan_input *in = &st->inputs[file_id];

        in->skipped += kind != 0;
        if (kind == 0 || in->skipped_as == NULL) {
            in->skipped_as = what;
        }
    }
    pthread_mutex_unlock(&s->mu);
}

void cm_scan_note_skip_n(struct scan *s, int kind, const char *what, uint64_t n)
{
    struct cm_scan_stats *st = s->st;
    size_t i;

    pthread_mutex_lock(&s->mu);
    if (kind == 0) {
        st->skipped_files += n;
    } else if (kind > 0 && kind < CM_SCAN_KINDS) {
        st->skipped[kind] += n;
    }
    for (i = 0; i < st->nskips && strcmp(st->skips[i].what, what) != 0; i++) {
    }
    if (i == st->nskips && i < CM_SCAN_MAX_SKIPS) {
        st->skips[st->nskips++].what = what;
    }
    if (i < st->nskips) {
        *(kind == 0 ? &st->skips[i].files : &st->skips[i].records) += n;
    }
    pthread_mutex_unlock(&s->mu);
}

void cm_scan_note_grown(struct scan *s, const struct cm_scan_grown *g)
{
    struct cm_scan_stats *st = s->st;

    pthread_mutex_lock(&s->mu);
    if (st->ngrown == st->grown_cap) {
        size_t cap = st->grown_cap ? st->grown_cap * 2 : 16;
        struct cm_scan_grown *v = cm_realloc(st->grown, cap * sizeof(*v));

        if (v != NULL) {
            st->grown = v;
            st->grown_cap = cap;
        }
    }
    if (st->ngrown < st->grown_cap) { /* out of memory: the file is read whole when it grows */
        st->grown[st->ngrown++] = *g;
    }
    pthread_mutex_unlock(&s->mu);
}

/* s into a fixed field of n bytes, "" when it does not fit (no account or region is that long). */
static void copy_field(char *out, size_t n, struct cm_str s)
{
    size_t len = s.len < n ? s.len : 0;

    if (len > 0) {
        memcpy(out, s.p, len);
    }
    out[len] = '\0';
}

void cm_scan_note_newest(struct reader *r, const struct cm_event *ev)
{
    if (ev->time_ms <= r->input_newest) {
        if (ev->kind != CM_EV_CLOUDTRAIL || ev->time_ms <= r->input_newest_data) {
            return;
        }
    } else {
        r->input_newest = ev->time_ms;
        copy_field(r->input_account, sizeof(r->input_account), ev->account);
        copy_field(r->input_region, sizeof(r->input_region), ev->region);
    }
    if (ev->kind == CM_EV_CLOUDTRAIL && ev->time_ms > r->input_newest_data &&
        cm_str_eq(ev->u.ct.event_category, CM_STR_LIT("Data")) &&
        cm_str_eq(ev->u.ct.event_source, CM_STR_LIT("s3.amazonaws.com"))) {
        r->input_newest_data = ev->time_ms;
    }
}

void cm_scan_note_dns(struct reader *r, struct cm_event *ev)
{
    const struct cm_detect_config *d = r->s->o.detect.config;

    if (ev->kind == CM_EV_DNS) {
        r->dns_srcid[cm_inventory_dns_attribute(d != NULL ? d->inventory : NULL, ev)]++;
    }
}
