/*
 * The batch scan pipeline. See scan.h for the shape; the invariants:
 *
 *  - Every input gets a ticket in input order; a reader may run at most
 *    RING-1 tickets ahead of the oldest unpublished one. A finished input's
 *    batches are published (pushed to every worker queue) only when all
 *    earlier tickets are published, so each worker sees events in input
 *    order whatever the thread timing.
 *  - A batch owns its JSON document and arena and holds a reference on the
 *    decoded input buffer its events point into; it is freed by the last
 *    worker that releases it, which drops the buffer reference.
 *  - Counters that many threads touch are per reader and summed at the end,
 *    except rejects (rare) which are taken under the stats lock.
 */
#include "core/scan.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/domain_cache.h"
#include "base/err.h"
#include "base/hash.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/input.h"
#include "source/source_file.h"
#include "source/source_stdin.h"
#include "core/batch.h"
#include "core/shard.h"

#define RING          16
#define MAX_INPUT_CAP ((size_t)UINT32_MAX - 1)
#define STDIN_CHUNK   (4u << 20)
/* Query names a reader keeps split (about 160 bytes each): more than a VPC's hosts ask. */
#define DCACHE_SLOTS 1024

struct unit {
    struct cm_batch *head, *tail;
    int done;
};

struct scan {
    struct cm_scan_opts o;
    struct cm_batch_pool pool;
    struct cm_bufpool bufpool; /* spare decoded-input buffers (threaded path) */
    struct cm_inputs in;
    struct cm_sink *user_sink;
    struct cm_sink sink; /* locked wrapper */
    pthread_mutex_t sink_mu;
    pthread_mutex_t mu; /* tickets, ring, stats, progress */
    pthread_cond_t cv;
    size_t next_input;
    uint64_t ticket_base, next_pub;
    struct unit ring[RING];
    struct cm_shard *workers;
    unsigned nworkers;
    struct cm_scan_stats *st;
    struct timespec t0, last_progress;
    struct timespec cpu0; /* the process's CPU time at t0 */
    uint64_t files_done, bytes_done, bytes_total, records_done;
    int rc;
};

struct reader {
    struct scan *s;
    struct cm_decoder dec;
    struct cm_buf raw, data;
    struct cm_parse_ctx ctx;
    struct cm_json_doc ddoc; /* direct mode */
    struct cm_arena darena;
    struct cm_domain_cache *dcache; /* the DNS query names this reader has split */
    struct cm_engine *engine;       /* direct mode: the only engine */
    struct unit unit;
    struct cm_batch *cur;
    struct cm_filebuf *fb;
    uint64_t records[CM_SCAN_KINDS];
    uint64_t input_records;   /* good records of the current input */
    struct cm_str key_region; /* region from the current input's object key, or empty */
    uint64_t files, bytes_in, bytes_decoded;
    int rc;
};

static double elapsed(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* --- rejects -------------------------------------------------------------- */

static void note_reject(struct scan *s, int kind, uint32_t file_id, uint64_t off, uint32_t line,
                        const char *reason)
{
    struct cm_scan_stats *st = s->st;

    pthread_mutex_lock(&s->mu);
    if (kind == 0) {
        st->rejected_files++;
    } else if (kind > 0 && kind < CM_SCAN_KINDS) {
        st->rejected[kind]++;
    }
    if (file_id < st->ninputs) {
        if (kind == 0) {
            st->inputs[file_id].damaged = 1;
        } else {
            st->inputs[file_id].rejected++;
        }
    }
    if (st->nrejects < s->o.max_rejects) {
        struct cm_scan_reject *r = &st->rejects[st->nrejects++];
        r->kind = kind;
        r->path = file_id < s->in.n ? s->in.v[file_id].path : "?";
        r->offset = off;
        r->line = line;
        snprintf(r->reason, sizeof(r->reason), "%s", reason);
    }
    pthread_mutex_unlock(&s->mu);
}

static void on_reject(void *ud, enum cm_event_kind kind, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct reader *r = ud;
    note_reject(r->s, (int)kind, r->ctx.file_id, off, line, reason);
}

/* --- batches -------------------------------------------------------------- */

static struct cm_batch *batch_new(struct reader *r)
{
    struct cm_batch *b = cm_batch_get(&r->s->pool, r->fb);

    if (b != NULL) {
        r->ctx.doc = &b->doc;
        r->ctx.arena = &b->arena;
        r->ctx.slot = &b->ev[0];
    }
    return b;
}

static void unit_append(struct unit *u, struct cm_batch *b)
{
    b->next = NULL;
    if (u->tail) {
        u->tail->next = b;
    } else {
        u->head = b;
    }
    u->tail = b;
}

static int on_event_batched(void *ud, struct cm_event *ev)
{
    struct reader *r = ud;
    struct cm_batch *b = r->cur;
    struct scan *s = r->s;

    r->records[ev->kind]++;
    r->input_records++;
    if (ev->region.len == 0 && r->key_region.len > 0) {
        ev->region = r->key_region;
    }
    if (ev != &b->ev[b->n]) {
        memcpy(&b->ev[b->n], ev, cm_event_size(ev));
    }
    b->shard[b->n] = (uint16_t)(cm_event_entity_hash(ev, s->o.seed) % s->nworkers);
    if (++b->n == b->cap) {
        unit_append(&r->unit, b);
        r->cur = batch_new(r);
        if (r->cur == NULL) {
            r->ctx.slot = NULL;
            return CM_ENOMEM;
        }
    } else {
        r->ctx.slot = &b->ev[b->n];
    }
    return CM_OK;
}

static int on_event_direct(void *ud, struct cm_event *ev)
{
    struct reader *r = ud;
    int rc;

    r->records[ev->kind]++;
    r->input_records++;
    if (ev->region.len == 0 && r->key_region.len > 0) {
        ev->region = r->key_region;
    }
    rc = cm_engine_event(r->engine, ev, &r->s->sink);
    /* The event is consumed: the tape and arena can start over. */
    cm_json_doc_begin(r->ctx.doc, r->ctx.doc->src, r->ctx.doc->src_len);
    cm_arena_reset(r->ctx.arena);
    return rc;
}

/* --- publishing and workers ----------------------------------------------- */

static void publish_unit(struct scan *s, struct unit *u)
{
    struct cm_batch *b = u->head, *next;

    while (b) {
        next = b->next;
        atomic_store(&b->refs, (int)s->nworkers);
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
static void complete_locked(struct scan *s, uint64_t ticket, struct unit *u)
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

/* --- reading and parsing one input ---------------------------------------- */

static int looks_binary(const char *p, size_t n)
{
    size_t m = n < 512 ? n : 512;
    return memchr(p, '\0', m) != NULL;
}

/* Parses the decoded buffer r->fb as input file_id (ticketed when threaded). */
static int parse_buffer(struct reader *r, uint32_t file_id, const struct cm_parser *ps)
{
    struct scan *s = r->s;
    int rc;

    if (r->fb->len == 0) {
        note_reject(s, 0, file_id, 0, 0, "empty input");
        return CM_OK;
    }
    if (ps == NULL) {
        ps = cm_parse_sniff(r->fb->p, r->fb->len);
    }
    if (ps == NULL) {
        note_reject(s, 0, file_id, 0, 1,
                    looks_binary(r->fb->p, r->fb->len)
                        ? "unrecognised format (binary data)"
                        : "unrecognised format (not CloudTrail, VPC Flow Logs or Resolver logs)");
        return CM_OK;
    }
    if (file_id < s->st->ninputs) {
        s->st->inputs[file_id].kind = (int)ps->kind; /* one reader owns an input */
    }
    r->ctx.file_id = file_id;
    r->key_region =
        file_id < s->in.n ? cm_input_key_region(s->in.v[file_id].path) : cm_str_make("", 0);
    if (r->key_region.len == 0 && s->o.default_region != NULL) {
        r->key_region = cm_str_cstr(s->o.default_region);
    }
    r->ctx.on_reject = on_reject;
    r->ctx.ud = r;
    if (r->engine) {
        r->ctx.on_event = on_event_direct;
        r->ctx.doc = &r->ddoc;
        r->ctx.arena = &r->darena;
        r->ctx.slot = NULL;
        return ps->parse(&r->ctx, r->fb->p, r->fb->len);
    }
    r->ctx.on_event = on_event_batched;
    r->cur = batch_new(r);
    if (r->cur == NULL) {
        return CM_ENOMEM;
    }
    rc = ps->parse(&r->ctx, r->fb->p, r->fb->len);
    if (r->cur->n) {
        unit_append(&r->unit, r->cur);
    } else {
        cm_batch_put(&s->pool, r->cur);
    }
    r->cur = NULL;
    r->ctx.slot = NULL;
    return rc;
}

/* Makes r->fb own the content of buf (threaded) or borrow it (direct). */
static int take_buffer(struct reader *r, struct cm_buf *buf)
{
    size_t len = buf->len;
    char *p;

    if (r->engine) {
        p = buf->p ? buf->p : (char *)(uintptr_t) "";
        r->fb = cm_filebuf_create(p, len, 1);
    } else {
        size_t cap = buf->cap;
        p = cm_buf_take(buf, NULL);
        if (p == NULL) {
            p = cm_calloc(1, 1);
            cap = 1;
        }
        r->fb = p ? cm_filebuf_create_pooled(p, len, cap, &r->s->bufpool) : NULL;
        if (r->fb == NULL) {
            cm_free(p);
        }
    }
    return r->fb ? CM_OK : CM_ENOMEM;
}

static void drop_buffer(struct reader *r)
{
    cm_filebuf_release(r->fb);
    r->fb = NULL;
}

/* Reads, inflates and parses input idx. */
static int process_input(struct reader *r, uint32_t idx)
{
    struct scan *s = r->s;
    const char *path = s->in.v[idx].path;
    struct cm_buf *target = r->engine ? &r->data : &r->raw;
    struct cm_buf fresh;
    int fd, rc;

    fd = open(path, O_RDONLY);
    if (fd < 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "cannot open: %s", strerror(errno));
        note_reject(s, 0, idx, 0, 0, msg);
        return CM_OK;
    }
    rc = cm_read_fd(fd, &r->raw, (size_t)s->in.v[idx].size);
    close(fd);
    r->files++;
    r->bytes_in += r->raw.len;
    if (rc != 0) {
        note_reject(s, 0, idx, r->raw.len, 0,
                    rc == CM_E2BIG ? "input larger than the size cap" : "read error");
        return rc == CM_ENOMEM ? rc : CM_OK;
    }
    cm_buf_init(&fresh, s->o.max_input_bytes);
    if (!r->engine) {
        cm_bufpool_get(&s->bufpool, &fresh);
    }
    if (cm_is_gzip(r->raw.p, r->raw.len)) {
        struct cm_decode_error de;
        target = r->engine ? &r->data : &fresh;
        rc = cm_decode_gzip(&r->dec, r->raw.p, r->raw.len, target, &de);
        if (rc == CM_ENOMEM) {
            cm_buf_finish(&fresh);
            return rc;
        }
        if (rc != 0) {
            note_reject(s, 0, idx, de.offset, 0, de.msg[0] ? de.msg : cm_strerror(rc));
        }
    } else if (!r->engine) {
        /* Threaded: the raw buffer itself becomes the input (swap it out). */
        cm_buf_finish(&fresh);
        fresh = r->raw;
        cm_buf_init(&r->raw, s->o.max_input_bytes);
        cm_bufpool_get(&s->bufpool, &r->raw);
        target = &fresh;
    } else {
        target = &r->raw;
    }
    r->bytes_decoded += target->len;
    rc = take_buffer(r, target);
    if (rc == 0) {
        memset(&r->ctx.flow_fmt, 0, sizeof(r->ctx.flow_fmt));
        r->ctx.offset_base = 0;
        r->ctx.line_base = 0;
        rc = parse_buffer(r, idx, NULL);
    }
    drop_buffer(r);
    cm_buf_finish(&fresh);
    return rc;
}

/* --- standard input ------------------------------------------------------- */

static int process_stdin(struct reader *r, uint32_t idx)
{
    struct scan *s = r->s;
    struct cm_stdin *src = cm_calloc(1, sizeof(*src));
    struct cm_buf pend;
    const struct cm_parser *ps = NULL;
    int split = 0, first, rc = CM_OK;
    char err[160] = "";
    uint64_t off = 0;
    uint32_t lines = 0;

    if (src == NULL) {
        return CM_ENOMEM;
    }
    cm_buf_init(&pend, s->o.max_input_bytes);
    memset(&r->ctx.flow_fmt, 0, sizeof(r->ctx.flow_fmt));
    r->files++;
    for (;;) {
        size_t cut;
        struct cm_buf chunk;
        rc = cm_stdin_fill(src, 0, &pend, STDIN_CHUNK, err, sizeof(err));
        if (rc != 0) {
            note_reject(s, 0, idx, off + pend.len, 0,
                        rc == CM_E2BIG ? "standard input larger than the size cap"
                                       : cm_strerror(rc));
            rc = rc == CM_ENOMEM ? rc : CM_OK;
            break;
        }
        if (ps == NULL && pend.len) {
            ps = cm_parse_sniff(pend.p, pend.len);
            split = ps && cm_stdin_line_splittable(ps, pend.p, pend.len);
        }
        if (!src->eof && !split) {
            continue;
        }
        cut = pend.len;
        if (!src->eof) {
            const char *p = pend.p + pend.len;
            while (p > pend.p && p[-1] != '\n') {
                p--;
            }
            cut = (size_t)(p - pend.p);
            if (cut == 0) {
                continue; /* one very long line: read more */
            }
        }
        cm_buf_init(&chunk, s->o.max_input_bytes);
        rc = cm_buf_append(&chunk, pend.p, cut);
        first = off == 0;
        if (rc == 0) {
            memmove(pend.p, pend.p + cut, pend.len - cut);
            pend.len -= cut;
            r->bytes_decoded += chunk.len;
            r->ctx.offset_base = off;
            r->ctx.line_base = lines;
            off += cut;
            for (size_t i = 0; i < chunk.len; i++) {
                lines += chunk.p[i] == '\n';
            }
            rc = take_buffer(r, &chunk);
        }
        if (rc == 0) {
            rc = (r->fb->len || first) ? parse_buffer(r, idx, ps) : 0;
            drop_buffer(r);
        }
        cm_buf_finish(&chunk);
        if (rc == 0 && !r->engine) {
            pthread_mutex_lock(&s->mu);
            complete_locked(s, s->ticket_base++, &r->unit);
            pthread_mutex_unlock(&s->mu);
            memset(&r->unit, 0, sizeof(r->unit));
        }
        if (rc != 0 || src->eof) {
            break;
        }
    }
    if (err[0]) {
        note_reject(s, 0, idx, src->raw_bytes, 0, err);
    }
    r->bytes_in += src->raw_bytes;
    cm_stdin_finish(src);
    cm_free(src);
    cm_buf_finish(&pend);
    return rc;
}

/* --- readers and the run -------------------------------------------------- */

static int reader_init(struct reader *r, struct scan *s)
{
    memset(r, 0, sizeof(*r));
    r->s = s;
    cm_buf_init(&r->raw, s->o.max_input_bytes);
    cm_buf_init(&r->data, s->o.max_input_bytes);
    cm_json_doc_init(&r->ddoc, 0, 0);
    cm_arena_init(&r->darena, 16 * 1024, 0);
    cm_parse_ctx_init(&r->ctx, &r->ddoc);
    r->ctx.psl = s->o.detect.config != NULL ? s->o.detect.config->psl : NULL;
    if (cm_domain_cache_create(&r->dcache, DCACHE_SLOTS, cm_hash_mix64(s->o.seed ^ 0x646e73)) !=
        0) {
        return CM_ENOMEM;
    }
    r->ctx.dcache = r->dcache;
    return cm_decoder_init(&r->dec);
}

static void reader_finish(struct reader *r)
{
    struct scan *s = r->s;

    pthread_mutex_lock(&s->mu);
    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        s->st->records[k] += r->records[k];
    }
    s->st->files += r->files;
    s->st->bytes_in += r->bytes_in;
    s->st->bytes_decoded += r->bytes_decoded;
    pthread_mutex_unlock(&s->mu);
    cm_decoder_finish(&r->dec);
    cm_domain_cache_destroy(r->dcache);
    cm_buf_finish(&r->raw);
    cm_buf_finish(&r->data);
    cm_json_doc_finish(&r->ddoc);
    cm_arena_finish(&r->darena);
}

/* Takes the next input and its ticket, waiting while the ring is full. */
static int next_ticket(struct scan *s, size_t *idx, uint64_t *ticket)
{
    int got = 0;

    pthread_mutex_lock(&s->mu);
    while (s->rc == 0 && s->next_input < s->in.n &&
           s->ticket_base + s->next_input - s->next_pub >= RING - 1) {
        pthread_cond_wait(&s->cv, &s->mu);
    }
    if (s->rc == 0 && s->next_input < s->in.n) {
        *idx = s->next_input++;
        *ticket = s->ticket_base + *idx;
        got = 1;
    }
    pthread_mutex_unlock(&s->mu);
    return got;
}

static void input_done(struct scan *s, struct reader *r, size_t idx, uint64_t ticket, int rc)
{
    uint64_t recs = 0;

    for (int k = 0; k < CM_SCAN_KINDS; k++) {
        recs += r->records[k];
    }
    pthread_mutex_lock(&s->mu);
    if (rc != 0 && s->rc == 0) {
        s->rc = rc;
    }
    if (!r->engine) {
        complete_locked(s, ticket, &r->unit);
    }
    memset(&r->unit, 0, sizeof(r->unit));
    if (idx < s->st->ninputs) {
        s->st->inputs[idx].records += r->input_records;
    }
    r->input_records = 0;
    s->files_done++;
    s->bytes_done += s->in.v[idx].size;
    s->records_done = recs; /* approximate across threads: for progress only */
    progress_locked(s, 0);
    pthread_mutex_unlock(&s->mu);
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    struct scan *s = r->s;
    size_t idx;
    uint64_t ticket;

    while (next_ticket(s, &idx, &ticket)) {
        int rc = s->in.v[idx].is_stdin ? CM_OK : process_input(r, (uint32_t)idx);
        input_done(s, r, idx, ticket, rc);
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

    for (unsigned i = 0; i < s->nworkers && s->workers; i++) {
        int wrc = cm_shard_stop(&s->workers[i]);
        const struct cm_state_stats *w = &s->workers[i].state;
        s->st->state.inserts += w->inserts;
        s->st->state.evicted += w->evicted;
        s->st->state.expired += w->expired;
        s->st->state.peak_entries += w->peak_entries;
        s->st->state.peak_bytes += w->peak_bytes;
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
    if (o->max_rejects == 0) {
        o->max_rejects = 20;
    }
    if (o->progress_ms == 0) {
        o->progress_ms = 500;
    }
}

/* Runs single-threaded: one reader whose events go straight to one engine. */
static int run_direct(struct scan *s, struct reader *r)
{
    const struct cm_detector *const *table = s->o.detectors ? s->o.detectors : cm_detectors();
    const struct cm_engine_hooks *h = s->o.state;
    int rc = cm_engine_create(&r->engine, table, &s->o.detect);

    if (rc == 0 && h != NULL && h->load != NULL) {
        rc = h->load(h->ud, 0, r->engine);
    }
    for (size_t i = 0; rc == 0 && i < s->in.n; i++) {
        rc = s->in.v[i].is_stdin ? process_stdin(r, (uint32_t)i) : process_input(r, (uint32_t)i);
        input_done(s, r, i, i, rc);
    }
    if (rc == 0 && r->engine) {
        /* Windows close at the end unless the state goes on in the next run. */
        rc = h != NULL && h->save != NULL ? h->save(h->ud, 0, r->engine)
                                          : cm_engine_flush(r->engine, &s->sink);
    }
    cm_engine_state_stats(r->engine, &s->st->state);
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
        rc = process_stdin(&rd[0], (uint32_t)i);
        s->files_done++;
        s->st->inputs[i].records += rd[0].input_records;
        rd[0].input_records = 0;
    }
    pthread_mutex_lock(&s->mu);
    while (s->next_input < s->in.n && s->in.v[s->next_input].is_stdin) {
        s->next_input++;
        s->ticket_base--; /* stdin took its tickets already; files follow on */
    }
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
        if (rc == 0) {
            rc = wrc;
        }
    }
    cm_free(tid);
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
    cm_batch_pool_init(&s->pool, s->o.batch_events, 64);
    cm_bufpool_init(&s->bufpool, 256u << 20);
    pthread_cond_init(&s->cv, NULL);
    clock_gettime(CLOCK_MONOTONIC, &s->t0);
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s->cpu0);
    s->last_progress = s->t0;
    stats->rejects = cm_calloc(s->o.max_rejects, sizeof(*stats->rejects));
    rc = stats->rejects ? cm_inputs_collect(&s->in, paths, n, err, errlen) : CM_ENOMEM;
    if (rc != 0) {
        goto out;
    }
    stats->inputs = cm_calloc(s->in.n ? s->in.n : 1, sizeof(*stats->inputs));
    if (stats->inputs == NULL) {
        rc = CM_ENOMEM;
        goto out;
    }
    stats->ninputs = s->in.n;
    for (size_t i = 0; i < s->in.n; i++) {
        s->bytes_total += s->in.v[i].size;
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
}
