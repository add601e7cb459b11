/*
 * The batch scan pipeline. See scan.h for the shape; the invariants:
 *
 *  - Every input gets a ticket in input order; a reader may run at most
 *    RING-1 tickets ahead of the oldest unpublished one. An input's batches
 *    are published (pushed to every worker queue) only when all earlier
 *    tickets are published, so each worker sees events in input order
 *    whatever the thread timing: the oldest ticket's reader publishes each
 *    batch as it fills (cm_scan_stream), a later one parks a few and waits,
 *    and a finished input waits in the ring. A CloudTrail input, which may
 *    be put in time order, is published whole when it is done.
 *  - A batch owns its JSON document and arena and holds a reference on the
 *    decoded input buffer its events point into; it is freed by the last
 *    worker that releases it, which drops the buffer reference.
 *  - Counters that many threads touch are per reader and summed at the end,
 *    except rejects (rare) which are taken under the stats lock.
 */
#include "core/scan.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aws/s3.h"
#include "base/alloc.h"
#include "base/arena.h"
#include "base/domain_cache.h"
#include "base/err.h"
#include "base/hash.h"
#include "base/map.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/input.h"
#include "source/input_s3.h"
#include "source/parquet.h"
#include "core/batch.h"
#include "core/shard.h"
#include "core/scan_impl.h"

static double elapsed(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* --- publishing and workers ----------------------------------------------- */

static void publish_unit(struct scan *s, struct unit *u)
{
    struct cm_batch *b = u->head, *next;

    while (b) {
        next = b->next;
        atomic_store(&b->refs, (int)s->nworkers);
        cm_batch_pool_published(&s->pool, b);
        for (unsigned w = 0; w < s->nworkers; w++) {
            if (cm_shard_push(&s->workers[w], b) != 0) {
                /* No memory for a queue node: this shard skips the batch. */
                if (s->rc == 0) {
                    s->rc = CM_ENOMEM;
                }
                if (atomic_fetch_sub(&b->refs, 1) == 1) {
                    cm_batch_put(&s->pool, b);
                }
            }
        }
        b = next;
    }
}

/* Hands a finished ticket over; publishes every consecutive finished one. Caller holds s->mu. */
void cm_scan_complete_locked(struct scan *s, uint64_t ticket, struct unit *u)
{
    s->ring[ticket % RING] = *u;
    s->ring[ticket % RING].done = 1;
    while (s->ring[s->next_pub % RING].done) {
        struct unit *h = &s->ring[s->next_pub % RING];
        publish_unit(s, h);
        memset(h, 0, sizeof(*h));
        s->next_pub++;
    }
    pthread_cond_broadcast(&s->cv);
}

void cm_scan_stream(struct scan *s, struct reader *r)
{
    bool head;

    pthread_mutex_lock(&s->mu);
    while (!(head = r->ticket == s->next_pub) && r->unit.n >= s->o.live_batches) {
        /* Parked enough: the earlier inputs go first (cm_scan_complete_locked wakes us). */
        pthread_cond_wait(&s->cv, &s->mu);
    }
    if (head) {
        publish_unit(s, &r->unit);
        memset(&r->unit, 0, sizeof(r->unit));
    }
    pthread_mutex_unlock(&s->mu);
    if (head) {
        cm_batch_pool_wait_queued(&s->pool);
    }
}

/* --- progress ------------------------------------------------------------- */

static void progress_locked(struct scan *s, int force)
{
    struct timespec now;
    struct cm_scan_progress p;

    if (s->o.progress == NULL) {
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!force && elapsed(&s->last_progress, &now) * 1000.0 < (double)s->o.progress_ms) {
        return;
    }
    s->last_progress = now;
    p.files_done = s->files_done;
    p.files_total = s->in.n;
    p.bytes_in = s->bytes_done;
    p.bytes_total = s->bytes_total;
    p.records = s->records_done;
    p.seconds = elapsed(&s->t0, &now);
    s->o.progress(s->o.progress_ud, &p);
}

/* --- readers and the run -------------------------------------------------- */

static int reader_init(struct reader *r, struct scan *s)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    r->horizon = INT64_MAX; /* set per input by parse_buffer */
    r->clock = INT64_MAX;
    cm_buf_init(&r->raw, s->o.max_input_bytes);
    cm_buf_init(&r->data, s->o.max_input_bytes);
    cm_json_doc_init(&r->ddoc, 0, 0);
    cm_arena_init(&r->darena, 16 * 1024, 0);
    cm_cwl_init(&r->cwl, s->o.max_input_bytes);
    cm_buf_init(&r->pq, s->o.max_input_bytes);
    cm_buf_init(&r->held_bytes, 0);
    cm_parse_ctx_init(&r->ctx, &r->ddoc);
    r->ctx.psl = s->o.detect.config != NULL ? s->o.detect.config->psl : NULL;
    if (cm_domain_cache_create(&r->dcache, DCACHE_SLOTS, cm_hash_mix64(s->o.seed ^ 0x646e73)) !=
        0) {
        return CM_ENOMEM;
    }
    r->ctx.dcache = r->dcache;
    return cm_decoder_init(&r->dec);
}

/*
 * The stats' one copy of reader r's newest (account, region), "ACCOUNT\0REGION\0": an estate
 * has few pairs and a scan may have millions of inputs, so each input keeps a pointer, not
 * the strings. NULL when neither is known, or out of memory (s->rc set).
 */
static const char *input_place(struct scan *s, const struct reader *r)
{
    char key[sizeof(r->input_account) + sizeof(r->input_region)];
    size_t a = strlen(r->input_account), b = strlen(r->input_region);
    void *val;
    int rc;

    if (a == 0 && b == 0) {
        return NULL;
    }
    memcpy(key, r->input_account, a + 1);
    memcpy(key + a + 1, r->input_region, b + 1);
    if ((rc = cm_map_put(s->st->places, key, a + b + 2, &val, NULL)) != 0) {
        if (s->rc == 0) {
            s->rc = rc;
        }
        return NULL;
    }
    return cm_map_key_of(s->st->places, val).p;
}

const char *cm_scan_input_account(const struct cm_scan_input *in)
{
    return in->place != NULL ? in->place : "";
}

const char *cm_scan_input_region(const struct cm_scan_input *in)
{
    return in->place != NULL ? in->place + strlen(in->place) + 1 : "";
}

/* Moves what reader r counted for input idx into its row of the stats (the lock held, or
 * no reader thread running). */
static void input_counts(struct scan *s, struct reader *r, size_t idx)
{
    if (idx < s->st->ninputs) {
        struct cm_scan_input *in = &s->st->inputs[idx];

        in->records += r->input_records;
        if (r->input_newest > in->newest_ms) {
            in->newest_ms = r->input_newest;
            in->place = input_place(s, r);
        }
        if (r->input_newest_data > in->newest_data_ms) {
            in->newest_data_ms = r->input_newest_data;
        }
        in->skipped += r->input_unread;
        if (in->skipped_as == NULL) {
            in->skipped_as = r->input_unread_what;
        }
    }
    r->input_records = 0;
    r->input_newest = r->input_newest_data = 0;
    r->input_unread = 0;
    r->input_unread_what = NULL;
}

static void reader_finish(struct reader *r)
{
    struct scan *s = r->s;

    pthread_mutex_lock(&s->mu);
    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        s->st->records[k] += r->records[k];
    }
    s->st->files += r->files;
    s->st->reordered += r->reordered_inputs;
    for (int k = 0; k < CM_DNS_SRCID_COUNT; k++) {
        s->st->dns_srcid[k] += r->dns_srcid[k];
    }
    s->st->bytes_in += r->bytes_in;
    s->st->bytes_decoded += r->bytes_decoded;
    pthread_mutex_unlock(&s->mu);
    for (int u = CM_CT_READ + 1; u < CM_CT_UNREAD_COUNT; u++) {
        if (r->unread[u] > 0) {
            cm_scan_note_skip_n(s, CM_EV_CLOUDTRAIL, cm_ct_unread_name((enum cm_ct_unread)u),
                                r->unread[u]);
        }
    }
    for (int k = 1; k < CM_SCAN_KINDS; k++) {
        if (r->outside[k] > 0) {
            cm_scan_note_skip_n(s, k, CM_SCAN_OUTSIDE, r->outside[k]);
        }
    }
    cm_s3_conn_destroy(r->s3c);
    r->s3c = NULL;
    cm_decoder_finish(&r->dec);
    cm_parquet_mem_free(r->pqmem);
    r->pqmem = NULL;
    cm_domain_cache_destroy(r->dcache);
    cm_buf_finish(&r->raw);
    cm_buf_finish(&r->data);
    cm_json_doc_finish(&r->ddoc);
    cm_arena_finish(&r->darena);
    cm_cwl_finish(&r->cwl);
    cm_buf_finish(&r->pq);
    cm_buf_finish(&r->held_bytes);
    cm_free(r->held);
    cm_free(r->sort_ev);
    cm_free(r->sort_sp);
    cm_free(r->sort_shard);
}

/*
 * Takes the next inputs and their ticket, waiting while the ring is full:
 * [*first, *end), a run of small inputs (docs/internals/scan.md, "Small
 * inputs"), or one input.
 */
static int next_ticket(struct scan *s, size_t *first, size_t *end, uint64_t *ticket)
{
    int got = 0;

    pthread_mutex_lock(&s->mu);
    while (s->rc == 0 && s->next_input < s->in.n && s->next_tk - s->next_pub >= RING - 1) {
        pthread_cond_wait(&s->cv, &s->mu);
    }
    if (s->rc == 0 && s->next_input < s->in.n) {
        size_t i = s->next_input;
        uint64_t bytes = 0;

        *first = i;
        do {
            bytes += s->in.v[i].size;
            i++;
        } while (i < s->in.n && i - *first < GROUP_INPUTS &&
                 bytes + s->in.v[i].size <= GROUP_BYTES);
        s->next_input = *end = i;
        *ticket = s->next_tk++;
        got = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return got;
}

/* Counts what input idx gave and the first error (the threaded path's rc goes to s->rc). */
static void input_done(struct scan *s, struct reader *r, size_t idx, int rc)
{
    uint64_t recs = 0;

    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        recs += r->records[k];
    }
    pthread_mutex_lock(&s->mu);
    if (rc != 0 && s->rc == 0) {
        s->rc = rc;
    }
    input_counts(s, r, idx);
    s->files_done++;
    s->bytes_done += s->in.v[idx].size;
    s->records_done = recs; /* approximate across threads: for progress only */
    progress_locked(s, 0);
    pthread_mutex_unlock(&s->mu);
}

/* Threaded path: the ticket's inputs are read; its batches go to the workers in turn. */
static void ticket_done(struct scan *s, struct reader *r, uint64_t ticket)
{
    cm_scan_close_batch(r);
    pthread_mutex_lock(&s->mu);
    cm_scan_complete_locked(s, ticket, &r->unit);
    pthread_mutex_unlock(&s->mu);
    memset(&r->unit, 0, sizeof(r->unit));
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    struct scan *s = r->s;
    size_t first, end;
    uint64_t ticket;

    for (;;) {
        int rc = CM_OK;

        /* Between tickets: see cm_batch_pool_wait for why this wait ends. */
        cm_batch_pool_wait(&s->pool);
        if (!next_ticket(s, &first, &end, &ticket)) {
            break;
        }
        r->ticket = ticket;
        for (size_t idx = first; idx < end && rc == 0; idx++) {
            rc = s->in.v[idx].is_stdin ? CM_OK : cm_scan_read_input(r, (uint32_t)idx);
            input_done(s, r, idx, rc);
            if (rc == 0 && idx + 1 < end && r->unit.n > 0) {
                /* What the input left in the unit goes as it would have as it filled (a
                 * CloudTrail input's when it was put in order): published when this is the
                 * oldest ticket, else parked within the bound. */
                cm_scan_stream(s, r);
            }
        }
        ticket_done(s, r, ticket);
    }
    return NULL;
}

static int locked_emit(struct cm_sink *sink, const struct cm_detection *d)
{
    struct scan *s = sink->ud;
    int rc;

    pthread_mutex_lock(&s->sink_mu);
    s->st->detections++;
    rc = s->user_sink ? cm_sink_emit(s->user_sink, d) : 0;
    pthread_mutex_unlock(&s->sink_mu);
    return rc;
}

static int start_workers(struct scan *s)
{
    const struct cm_detector *const *table = s->o.detectors ? s->o.detectors : cm_detectors();
    int rc;

    s->workers = cm_calloc(s->nworkers, sizeof(*s->workers));
    if (s->workers == NULL) {
        return CM_ENOMEM;
    }
    for (unsigned i = 0; i < s->nworkers; i++) {
        rc = cm_shard_start(&s->workers[i], i, table, &s->o.detect, &s->sink, &s->pool, s->o.state);
        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

static int stop_workers(struct scan *s)
{
    int rc = CM_OK;

    if (s->workers != NULL && s->nworkers > 0) {
        s->st->workers = cm_calloc(s->nworkers, sizeof(*s->st->workers));
        if (s->st->workers == NULL) {
            rc = CM_ENOMEM;
        } else {
            s->st->nworkers = s->nworkers;
        }
    }
    for (unsigned i = 0; i < s->nworkers && s->workers; i++) {
        int wrc = cm_shard_stop(&s->workers[i]);
        const struct cm_state_stats *w = &s->workers[i].state;
        if (s->st->workers != NULL) {
            s->st->workers[i].events = s->workers[i].events;
            s->st->workers[i].cpu_seconds = s->workers[i].cpu_seconds;
        }
        s->st->state.inserts += w->inserts;
        s->st->state.evicted += w->evicted;
        s->st->state.expired += w->expired;
        s->st->state.peak_entries += w->peak_entries;
        s->st->state.peak_bytes += w->peak_bytes;
        for (size_t k = 0; k < s->workers[i].dets.n; k++) {
            cm_det_states_add(&s->st->dets, s->workers[i].dets.v[k].name,
                              &s->workers[i].dets.v[k].st);
        }
        s->st->repeated += s->workers[i].repeated;
        s->st->trusted += s->workers[i].trusted;
        for (unsigned k = 0; k < CM_SCAN_KINDS; k++) {
            s->st->late[k] += s->workers[i].late[k];
            s->st->repeated_kind[k] += s->workers[i].repeated_kind[k];
        }
        if (wrc != 0 && rc == 0) {
            rc = wrc;
        }
    }
    cm_free(s->workers);
    s->workers = NULL;
    return rc;
}

unsigned cm_scan_threads(const struct cm_scan_opts *o)
{
    unsigned t = o->threads;

    if (t == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        t = n > 0 ? (unsigned)n : 1;
    }
    return t > 256 ? 256 : t;
}

static void defaults(struct cm_scan_opts *o)
{
    o->threads = cm_scan_threads(o);
    if (o->max_input_bytes == 0 || o->max_input_bytes > MAX_INPUT_CAP) {
        o->max_input_bytes = MAX_INPUT_CAP;
    }
    if (o->batch_events == 0) {
        o->batch_events = 1024;
    }
    if (o->live_batches == 0) {
        o->live_batches = LIVE_PER_THREAD * o->threads;
    }
    if (o->max_rejects == 0) {
        o->max_rejects = 20;
    }
    if (o->progress_ms == 0) {
        o->progress_ms = 500;
    }
    if (o->detect.late_slack_ms == 0) {
        /* Inputs come in the order of their stamps: a record up to this much before its
         * source's clock is the disorder of that order, not a file delivered late. */
        o->detect.late_slack_ms = CM_INPUT_CLOCK_SLACK_MS;
    }
}

/* Runs single-threaded: one reader whose events go straight to one engine. */
static int run_direct(struct scan *s, struct reader *r)
{
    const struct cm_detector *const *table = s->o.detectors ? s->o.detectors : cm_detectors();
    const struct cm_engine_hooks *h = s->o.state;
    double cpu0 = cm_shard_thread_cpu();
    int rc = cm_engine_create(&r->engine, table, &s->o.detect);

    if (rc == 0 && h != NULL && h->load != NULL) {
        rc = h->load(h->ud, 0, r->engine);
    }
    for (size_t i = 0; rc == 0 && i < s->in.n; i++) {
        rc = s->in.v[i].is_stdin ? cm_scan_read_stdin(r, (uint32_t)i)
                                 : cm_scan_read_input(r, (uint32_t)i);
        input_done(s, r, i, rc);
        if (rc == 0) {
            rc = s->rc; /* out of memory keeping an input's place (input_counts) */
        }
    }
    if (rc == 0 && r->engine) {
        /* Windows close at the end unless the state goes on in the next run. */
        rc = h != NULL && h->save != NULL ? h->save(h->ud, 0, r->engine)
                                          : cm_engine_flush(r->engine, &s->sink);
    }
    cm_engine_state_stats(r->engine, &s->st->state);
    cm_engine_det_states(r->engine, &s->st->dets);
    if (r->engine != NULL) {
        s->st->workers = cm_calloc(1, sizeof(*s->st->workers));
        if (s->st->workers == NULL) {
            rc = rc != 0 ? rc : CM_ENOMEM;
        } else {
            s->st->nworkers = 1;
            s->st->workers[0].events = cm_engine_events_taken(r->engine);
            s->st->workers[0].cpu_seconds = cm_shard_thread_cpu() - cpu0;
        }
        s->st->repeated += cm_engine_stats(r->engine)->repeated;
        s->st->trusted += cm_engine_stats(r->engine)->trusted;
        for (unsigned k = 0; k < CM_SCAN_KINDS; k++) {
            s->st->late[k] += cm_engine_stats(r->engine)->late_kind[k];
            s->st->repeated_kind[k] += cm_engine_stats(r->engine)->repeated_kind[k];
        }
    }
    cm_engine_destroy(r->engine);
    r->engine = NULL;
    return rc;
}

static int run_threaded(struct scan *s, struct reader *rd, unsigned nr)
{
    pthread_t *tid = cm_calloc(nr, sizeof(*tid));
    unsigned started = 0;
    int rc;

    if (tid == NULL) {
        return CM_ENOMEM;
    }
    rc = start_workers(s);
    /* Standard input first, on this thread, in ticket order. */
    for (size_t i = 0; rc == 0 && i < s->in.n && s->in.v[i].is_stdin; i++) {
        rc = cm_scan_read_stdin(&rd[0], (uint32_t)i);
        s->files_done++;
        input_counts(s, &rd[0], i);
    }
    pthread_mutex_lock(&s->mu);
    while (s->next_input < s->in.n && s->in.v[s->next_input].is_stdin) {
        s->next_input++; /* stdin took its tickets already; files follow on */
    }
    s->next_tk = s->ticket_base;
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; rc == 0 && i < nr; i++) {
        if (pthread_create(&tid[i], NULL, reader_main, &rd[i]) != 0) {
            rc = CM_ENOMEM;
            break;
        }
        started++;
    }
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tid[i], NULL);
    }
    if (rc == 0) {
        rc = s->rc;
    }
    {
        int wrc = stop_workers(s);
        s->st->peak_batches = s->pool.live_peak;
        if (rc == 0) {
            rc = wrc;
        }
    }
    cm_free(tid);
    return rc;
}

static int skip_cmp(const void *a, const void *b)
{
    return strcmp(((const struct cm_scan_skip *)a)->what, ((const struct cm_scan_skip *)b)->what);
}

/*
 * Counts as skipped, CM_SCAN_NO_RECORDS, the inputs that were read and held nothing: no
 * record, good, rejected or skipped, no damage, not set aside. Before 2026-12-05 they were
 * read silently (in files, in no other count), so a scan could not be told to have counted
 * every file given. Called once every reader is done.
 */
static void no_records(struct scan *s)
{
    for (size_t i = 0; i < s->st->ninputs; i++) {
        const struct cm_scan_input *in = &s->st->inputs[i];

        if (in->records == 0 && in->rejected == 0 && in->skipped == 0 && !in->damaged &&
            in->skipped_as == NULL) {
            cm_scan_note_skip(s, (uint32_t)i, 0, CM_SCAN_NO_RECORDS);
        }
    }
}

static int reject_cmp(const void *a, const void *b)
{
    const struct cm_scan_reject *x = a, *y = b;

    if (x->file_id != y->file_id) {
        return x->file_id < y->file_id ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Sets aside the scan's own files found among the inputs (a --state or --db kept in the
 * folder scanned): read, each was rejected as a log of no known format on every scan.
 */
static void mark_own_files(struct scan *s)
{
    for (size_t k = 0; k < s->o.nown_files; k++) {
        struct stat st;

        if (s->o.own_files[k] == NULL || stat(s->o.own_files[k], &st) != 0) {
            continue;
        }
        for (size_t i = 0; i < s->in.n; i++) {
            struct cm_input *it = &s->in.v[i];

            if (!it->is_stdin && !it->s3 && it->other == NULL && it->dev == (uint64_t)st.st_dev &&
                it->ino == (uint64_t)st.st_ino) {
                it->skip_as = CM_SCAN_OWN_FILE;
            }
        }
    }
}

/*
 * With a window (--since/--until), sets aside unread the inputs whose object key's stamp
 * is more than a day outside it: none of their records can be in it (cm_scan_opts).
 */
static void mark_outside(struct scan *s)
{
    for (size_t i = 0; s->o.window && i < s->in.n; i++) {
        struct cm_input *it = &s->in.v[i];
        int64_t t = it->key_ms;

        if (!it->named || it->skip_as != NULL || it->other != NULL || t == INT64_MIN ||
            t == INT64_MAX) {
            continue;
        }
        if ((s->o.since_ms != INT64_MIN && t < s->o.since_ms - CM_INPUT_HORIZON_MS) ||
            (s->o.until_ms != INT64_MAX && t > s->o.until_ms + CM_INPUT_HORIZON_MS)) {
            it->skip_as = CM_SCAN_OUTSIDE;
        }
    }
}

/* Lists the inputs; S3 locations through a connection of their own, closed after. */
static int collect(struct scan *s, char *const *paths, size_t n, char *err, size_t errlen)
{
    struct cm_inputs_opts io = {s->o.flow_fields, NULL, s->o.s3_listed, s->o.ns3_listed};
    int rc;

    for (size_t i = 0; i < n && s->o.s3 != NULL && io.s3 == NULL; i++) {
        if (cm_input_is_s3(paths[i]) && cm_s3_conn_create(s->o.s3, &io.s3) != 0) {
            return CM_ENOMEM;
        }
    }
    if (s->o.ns3_listed > 0 && s->o.s3 != NULL && io.s3 == NULL &&
        cm_s3_conn_create(s->o.s3, &io.s3) != 0) {
        return CM_ENOMEM; /* objects with no stamp in their name are placed by a peek */
    }
    rc = cm_inputs_collect_opts(&s->in, paths, n, &io, err, errlen);
    cm_s3_conn_destroy(io.s3);
    s->in.s3 = NULL; /* closed: the readers make their own */
    return rc;
}

int cm_scan_run(const struct cm_scan_opts *opts, char *const *paths, size_t n, struct cm_sink *sink,
                struct cm_scan_stats *stats, char *err, size_t errlen)
{
    struct scan *s = cm_calloc(1, sizeof(*s));
    struct reader *rd = NULL;
    struct timespec t1;
    struct rusage ru;
    unsigned nr = 0;
    int rc;

    memset(stats, 0, sizeof(*stats));
    if (s == NULL) {
        return CM_ENOMEM;
    }
    s->o = *opts;
    defaults(&s->o);
    s->st = stats;
    s->user_sink = sink;
    s->sink.emit = locked_emit;
    s->sink.ud = s;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->sink_mu, NULL);
    cm_batch_pool_init(&s->pool, s->o.batch_events, 64, s->o.live_batches);
    cm_bufpool_init(&s->bufpool, 256u << 20);
    pthread_cond_init(&s->cv, NULL);
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s->cpu0);
    s->last_progress = s->t0;
    stats->rejects = cm_calloc(s->o.max_rejects, sizeof(*stats->rejects));
    rc = stats->rejects ? collect(s, paths, n, err, errlen) : CM_ENOMEM;
    if (rc != 0) {
        goto out;
    }
    stats->inputs = cm_calloc(s->in.n ? s->in.n : 1, sizeof(*stats->inputs));
    if (stats->inputs == NULL ||
        cm_map_create(&stats->places, 0, 0, cm_hash_mix64(s->o.seed ^ 0x706c6163)) != 0) {
        rc = CM_ENOMEM;
        goto out;
    }
    stats->ninputs = s->in.n;
    stats->repeated_paths = s->in.repeated;
    mark_own_files(s);
    mark_outside(s);
    if (s->o.state == NULL) {
        /* Nothing keeps the seed (no --state, no follow): one that spreads the accounts. */
        s->o.seed = cm_scan_spread_seed(&s->in, s->o.threads, s->o.seed);
    }
    /* Left out unread in the walk: said with what is read and set aside (skipped). */
    if (s->in.hidden > 0) {
        cm_scan_note_skip_n(s, 0, "hidden (name starts with a dot)", s->in.hidden);
    }
    for (size_t i = 0; i < s->in.n; i++) {
        s->bytes_total += s->in.v[i].skip_as == NULL ? s->in.v[i].size : 0; /* read, that is */
        stats->inputs[i].size = s->in.v[i].size;
        stats->inputs[i].time_ms = s->in.v[i].key_ms;
    }
    nr = s->o.threads;
    s->nworkers = nr;
    rd = cm_calloc(nr, sizeof(*rd));
    if (rd == NULL) {
        rc = CM_ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < nr; i++) {
        rc = reader_init(&rd[i], s);
        if (rc != 0) {
            nr = i + 1;
            goto out;
        }
    }
    rc = nr == 1 ? run_direct(s, &rd[0]) : run_threaded(s, rd, nr);
out:
    for (unsigned i = 0; rd && i < nr; i++) {
        reader_finish(&rd[i]);
    }
    cm_free(rd);
    if (rc == 0) {
        no_records(s);
    }
    /* By name: the order reader threads met them in is not the input's. */
    qsort(stats->skips, stats->nskips, sizeof(stats->skips[0]), skip_cmp);
    /* Rejects in input order, then in each input's (cm_scan_note_reject kept those). */
    qsort(stats->rejects, stats->nrejects, sizeof(stats->rejects[0]), reject_cmp);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stats->seconds = elapsed(&s->t0, &t1);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    stats->cpu_seconds = elapsed(&s->cpu0, &t1);
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
        stats->peak_rss_kb = (uint64_t)ru.ru_maxrss;
    }
    pthread_mutex_lock(&s->mu);
    progress_locked(s, 1);
    pthread_mutex_unlock(&s->mu);
    /* Reject paths point into the input table: keep copies that outlive it. */
    for (size_t i = 0; i < stats->nrejects; i++) {
        stats->rejects[i].path = cm_strndup(stats->rejects[i].path, strlen(stats->rejects[i].path));
    }
    for (size_t i = 0; i < stats->ninputs; i++) {
        const char *p = s->in.v[i].is_stdin ? "(stdin)" : s->in.v[i].path;
        stats->inputs[i].path = cm_strndup(p, strlen(p));
    }
    cm_inputs_free(&s->in);
    cm_batch_pool_finish(&s->pool);
    cm_bufpool_finish(&s->bufpool);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->sink_mu);
    pthread_cond_destroy(&s->cv);
    cm_free(s);
    return rc;
}

void cm_scan_stats_free(struct cm_scan_stats *stats)
{
    for (size_t i = 0; stats->rejects && i < stats->nrejects; i++) {
        cm_free((void *)(uintptr_t)stats->rejects[i].path);
    }
    cm_free(stats->rejects);
    stats->rejects = NULL;
    stats->nrejects = 0;
    for (size_t i = 0; stats->inputs && i < stats->ninputs; i++) {
        cm_free(stats->inputs[i].path);
    }
    cm_free(stats->inputs);
    stats->inputs = NULL;
    stats->ninputs = 0;
    cm_free(stats->grown);
    stats->grown = NULL;
    stats->ngrown = stats->grown_cap = 0;
    cm_map_destroy(stats->places);
    stats->places = NULL;
    cm_free(stats->workers);
    stats->workers = NULL;
    stats->nworkers = 0;
}
