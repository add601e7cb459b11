/*
 * libFuzzer target for the CloudWatch Logs unwrapper (lib/parse/cwl.c). Any
 * input must unwrap without crashing or failing under a cap it cannot reach,
 * and the result must hold together: every piece's message lies in the
 * unwrapped text, in order, and ends with a newline; cm_cwl_locate finds
 * each piece at every byte of its message; every piece is a log event
 * object ('{'...'}') inside the input at the line it names, after the one
 * before it (no log event is read twice); every bad entry points inside the
 * input at its line. Unwrapping again with a small cap
 * either fails with CM_E2BIG or gives the same result. Reading every log
 * event with the JSON reader (full_reader) gives exactly what the one-pass
 * reader of the usual shape gave: text, map and bad entries. Then the unwrapped
 * text is sniffed and, when a parser takes it, parsed (documents and arenas
 * handed off every few events, as a batching caller does): every event and
 * reject must point into the unwrapped text and map back to a log event.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/json.h"
#include "parse/cwl.h"
#include "parse/parse.h"

#define CAP   (1u << 20) /* far above what a fuzz input can unwrap to */
#define NDOCS 3

struct fz {
    const char *in; /* the wrapped input */
    size_t in_len;
    const struct cm_cwl *c; /* its unwrapped text is what is parsed */
    const struct cm_parser *p;
    struct cm_parse_ctx *ctx;
    struct cm_json_doc *docs;
    struct cm_arena *arenas;
    int cur;
    uint64_t events, rejects;
};

/* Aborts naming the line of the check that failed. */
static void check_at(int cond, int line)
{
    if (!cond) {
        fprintf(stderr, "fuzz_cwl.c:%d: check failed\n", line);
        abort();
    }
}
#define check(cond) check_at((cond), __LINE__)

static uint32_t line_of(const char *buf, uint64_t off)
{
    uint32_t line = 1;

    for (uint64_t i = 0; i < off; i++) {
        line += buf[i] == '\n';
    }
    return line;
}

/* Where the message of piece k ends in the unwrapped text (past its newline). */
static uint64_t piece_end(const struct cm_cwl *c, size_t k)
{
    return k + 1 < c->npiece ? c->piece[k + 1].out_off : c->out.len;
}

static int cmp_src(const void *a, const void *b)
{
    const struct cm_cwl_piece *x = a, *y = b;

    return x->src_off < y->src_off ? -1 : x->src_off > y->src_off;
}

static void check_unwrapped(const struct cm_cwl *c, const char *in, size_t len)
{
    check(c->npiece <= c->piece_cap && c->nbad <= c->bad_cap);
    check(c->out.len <= len);
    check((c->out.len == 0) == (c->npiece == 0));
    if (c->out.len > 0) {
        check(c->out.p[c->out.len - 1] == '\n' && c->out.p[c->out.len] == '\0');
        check(c->piece[0].out_off == 0);
    } else {
        check(cm_cwl_locate(c, 0) == NULL);
    }
    for (size_t k = 0; k < c->npiece; k++) {
        const struct cm_cwl_piece *pc = &c->piece[k];
        uint64_t end = piece_end(c, k);

        check(pc->out_off < c->out.len && pc->out_off < end);
        check(c->out.p[end - 1] == '\n');
        check(pc->src_len >= 2 && pc->src_off + pc->src_len <= len);
        check(in[pc->src_off] == '{' && in[pc->src_off + pc->src_len - 1] == '}');
        check(pc->src_line >= 1 && pc->src_line == line_of(in, pc->src_off));
        /* Events in input order, and no event read twice (the resync after a cut wrapper
         * must not walk its bytes again). Records of CloudTrail's look-up events are put in
         * time order instead: their events only must not overlap (checked below). */
        check(c->lookup || k == 0 ||
              pc->src_off >= c->piece[k - 1].src_off + c->piece[k - 1].src_len);
        check(cm_cwl_locate(c, pc->out_off) == pc);
        check(cm_cwl_locate(c, pc->out_off + (end - pc->out_off) / 2) == pc);
        check(cm_cwl_locate(c, end - 1) == pc);
        /* An origin names an account or a VPC (or both), each NUL-terminated and well-formed. */
        check(pc->origin <= c->norigin);
        if (pc->origin > 0) {
            const struct cm_cwl_origin *o = cm_cwl_origin_of(c, pc);
            size_t vn = strnlen(o->vpc, sizeof(o->vpc));

            check(o != NULL && (o->account[0] != '\0' || o->vpc[0] != '\0'));
            check(memchr(o->account, '\0', sizeof(o->account)) != NULL && vn < sizeof(o->vpc));
            check(vn == 0 || cm_cwl_stream_vpc(cm_str_make(o->vpc, vn)).len == vn);
        }
    }
    if (c->lookup && c->npiece > 1) {
        struct cm_cwl_piece *by_src = malloc(c->npiece * sizeof(*by_src));

        check(by_src != NULL);
        memcpy(by_src, c->piece, c->npiece * sizeof(*by_src));
        qsort(by_src, c->npiece, sizeof(*by_src), cmp_src);
        for (size_t k = 1; k < c->npiece; k++) {
            check(by_src[k].src_off >= by_src[k - 1].src_off + by_src[k - 1].src_len);
        }
        free(by_src);
    }
    /* Asked in the order of the text with a cursor (as the scan asks), the same answers. */
    {
        size_t cursor = 0;

        for (uint64_t off = 0; off < c->out.len; off++) {
            check(cm_cwl_locate_from(c, off, &cursor) == cm_cwl_locate(c, off));
        }
    }
    /* Runs start at pieces, in order, never at the first. */
    for (size_t k = 0; k < c->nrun; k++) {
        check(c->run[k] > 0 && c->run[k] < c->npiece && (k == 0 || c->run[k] > c->run[k - 1]));
    }
    for (size_t k = 0; k < c->nbad; k++) {
        check(c->bad[k].off <= len && c->bad[k].line == line_of(in, c->bad[k].off));
        check(c->bad[k].reason[0] != '\0' &&
              memchr(c->bad[k].reason, '\0', sizeof(c->bad[k].reason)) != NULL);
    }
}

static int same_unwrapped(const struct cm_cwl *a, const struct cm_cwl *b)
{
    return a->out.len == b->out.len && a->npiece == b->npiece && a->nbad == b->nbad &&
           a->control == b->control && a->norigin == b->norigin && a->nrun == b->nrun &&
           (a->nrun == 0 || memcmp(a->run, b->run, a->nrun * sizeof(*a->run)) == 0) &&
           (a->norigin == 0 ||
            memcmp(a->origin, b->origin, a->norigin * sizeof(*a->origin)) == 0) &&
           (a->out.len == 0 || memcmp(a->out.p, b->out.p, a->out.len) == 0) &&
           (a->npiece == 0 || memcmp(a->piece, b->piece, a->npiece * sizeof(*a->piece)) == 0);
}

static int same_bad(const struct cm_cwl *a, const struct cm_cwl *b)
{
    if (a->nbad != b->nbad) {
        return 0;
    }
    for (size_t k = 0; k < a->nbad; k++) {
        if (a->bad[k].off != b->bad[k].off || a->bad[k].line != b->bad[k].line ||
            strcmp(a->bad[k].reason, b->bad[k].reason) != 0) {
            return 0;
        }
    }
    return 1;
}

/* An event or reject at off of the unwrapped text maps back to a log event of the input. */
static void check_maps_back(const struct fz *f, uint64_t off)
{
    const struct cm_cwl_piece *pc = cm_cwl_locate(f->c, off);

    check(pc != NULL && pc->out_off <= off);
    check(pc->src_off + pc->src_len <= f->in_len);
}

static int on_event(void *ud, struct cm_event *ev)
{
    struct fz *f = ud;
    char key[128];

    check(ev->kind == f->p->kind);
    check(ev->src.line >= 1 && ev->src.offset + ev->src.length <= f->c->out.len);
    check(ev->src.line == line_of(f->c->out.p, ev->src.offset));
    check_maps_back(f, ev->src.offset);
    cm_event_entity_key(ev, key, sizeof(key));
    f->events++;
    /* Every third event, hand the document and arena off and start fresh ones. */
    if (f->events % 3 == 0) {
        f->cur = (f->cur + 1) % NDOCS;
        cm_json_doc_begin(&f->docs[f->cur], f->c->out.p, f->c->out.len);
        cm_arena_reset(&f->arenas[f->cur]);
        f->ctx->doc = &f->docs[f->cur];
        f->ctx->arena = &f->arenas[f->cur];
    }
    return 0;
}

static void on_reject(void *ud, enum cm_event_kind k, uint64_t off, uint32_t line,
                      const char *reason)
{
    struct fz *f = ud;

    check(k == f->p->kind && off <= f->c->out.len && line >= 1);
    check(reason != NULL && reason[0] != '\0');
    if (off < f->c->out.len) {
        check_maps_back(f, off);
    }
    f->rejects++;
}

/* Parses the unwrapped text with whichever parser sniffing picks for it. */
static void parse_unwrapped(const struct cm_cwl *c, const char *in, size_t len)
{
    struct cm_json_doc docs[NDOCS];
    struct cm_arena arenas[NDOCS];
    struct cm_parse_ctx ctx;
    struct fz f;
    const struct cm_parser *p;

    /*
     * Nothing unwrapped: out.p may still be NULL, and cm_parse_sniff(NULL, 0)
     * trips UBSan in cm_parse_cwl_prefix (NULL + 0, via the CloudTrail sniffer).
     */
    if (c->out.len == 0) {
        return;
    }
    p = cm_parse_sniff(c->out.p, c->out.len);
    if (p == NULL) {
        return;
    }
    for (int i = 0; i < NDOCS; i++) {
        cm_json_doc_init(&docs[i], 1u << 20, 64);
        cm_arena_init(&arenas[i], 4096, 1 << 20);
    }
    memset(&f, 0, sizeof(f));
    f.in = in;
    f.in_len = len;
    f.c = c;
    f.p = p;
    f.ctx = &ctx;
    f.docs = docs;
    f.arenas = arenas;
    cm_parse_ctx_init(&ctx, &docs[0]);
    ctx.arena = &arenas[0];
    ctx.on_event = on_event;
    ctx.on_reject = on_reject;
    ctx.ud = &f;
    check(p->parse(&ctx, c->out.p, c->out.len) == 0);
    for (int i = 0; i < NDOCS; i++) {
        cm_json_doc_finish(&docs[i]);
        cm_arena_finish(&arenas[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    struct cm_cwl c, small;
    int rc;

    if (size >= CAP) {
        return 0;
    }
    (void)cm_cwl_sniff(in, size);
    cm_cwl_init(&c, CAP);
    check(cm_cwl_unwrap(&c, in, size) == 0);
    check_unwrapped(&c, in, size);

    /* The JSON reader for every event: the same as the one-pass reader. */
    cm_cwl_init(&small, CAP);
    small.full_reader = true;
    check(cm_cwl_unwrap(&small, in, size) == 0);
    check(same_unwrapped(&c, &small) && same_bad(&c, &small));
    check(small.fast == 0 && c.fast <= c.npiece);
    cm_cwl_finish(&small);

    /* Under a cap the text may pass: all or nothing of what the full run gave. */
    cm_cwl_init(&small, size / 4 + 1);
    rc = cm_cwl_unwrap(&small, in, size);
    check(rc == 0 || rc == CM_E2BIG);
    if (rc == 0) {
        check(same_unwrapped(&c, &small));
    } else {
        check(c.npiece + c.control > 0); /* some message was there to pass it */
    }
    /* The struct is emptied first: a second run on it gives the same. */
    check(cm_cwl_unwrap(&small, in, size) == rc);
    if (rc == 0) {
        check(same_unwrapped(&c, &small));
    }
    cm_cwl_finish(&small);

    parse_unwrapped(&c, in, size);
    cm_cwl_finish(&c);
    return 0;
}
