/*
 * The scan's reader of standard input (scan_impl.h): read in pieces, cut at
 * whole lines where the format allows so each piece is parsed as it comes
 * (by scan_read.c's parser), else read whole (a CloudWatch Logs wrapper, a
 * gzip inside the gzip, a format that cannot be cut).
 */
#include "core/scan.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/source_stdin.h"
#include "core/batch.h"
#include "core/scan_impl.h"

int cm_scan_read_stdin(struct reader *r, uint32_t idx)
{
    struct scan *s = r->s;
    struct cm_stdin *src = cm_calloc(1, sizeof(*src));
    struct cm_buf pend;
    const struct cm_parser *ps = NULL;
    enum cm_stdin_cut split = CM_STDIN_CUT_NONE;
    int wrapped = 0, nested = 0, first, rc = CM_OK;
    size_t seen = 0;
    char err[160] = "";
    uint64_t off = 0;
    uint32_t lines = 0;
    bool skipping = false; /* in a line longer than STDIN_MAX_LINE, dropped to its end */

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
            cm_scan_note_reject(s, 0, idx, off + pend.len, 0,
                                rc == CM_E2BIG ? "standard input larger than the size cap"
                                               : cm_strerror(rc));
            rc = rc == CM_ENOMEM ? rc : CM_OK;
            break;
        }
        if (ps == NULL && pend.len && !wrapped && !nested) {
            /* A gzip inside the gzip (Firehose compressing what CloudWatch Logs had
             * compressed), or zstd either way, is read whole, decoded at the end and
             * sniffed then. */
            nested = src->packed && cm_is_compressed(pend.p, pend.len);
        }
        if (ps == NULL && pend.len && !wrapped && !nested) {
            /* A CloudWatch Logs wrapper is read whole, and unwrapped by cm_scan_parse_buffer(). */
            wrapped = cm_cwl_sniff(pend.p, pend.len);
            ps = wrapped
                     ? NULL
                     : cm_parse_sniff_flow(pend.p, pend.len, s->o.flow_fields, &r->ctx.flow_fmt);
            split = ps ? cm_stdin_cut_mode(ps, pend.p, pend.len) : CM_STDIN_CUT_NONE;
        }
        if (skipping) {
            const char *nl = pend.len ? memchr(pend.p, '\n', pend.len) : NULL;
            size_t drop = nl != NULL ? (size_t)(nl - pend.p) + 1 : pend.len;

            if (pend.len > drop) {
                memmove(pend.p, pend.p + drop, pend.len - drop);
            }
            pend.len -= drop;
            r->bytes_decoded += drop;
            off += drop;
            if (nl == NULL && !src->eof) {
                continue;
            }
            lines += nl != NULL;
            skipping = false;
            seen = 0;
        }
        if (!src->eof && split == CM_STDIN_CUT_NONE) {
            continue;
        }
        if (nested) {
            struct cm_decode_error de;

            r->dec.outer = cm_stdin_codec(src); /* (for its messages) */
            rc = cm_decode_nested(&r->dec, &pend, &r->raw, &de);
            if (rc == CM_ENOMEM) {
                break;
            }
            if (rc != 0 && !cm_scan_decode_failed(r, idx, rc, &de, &pend)) {
                rc = CM_OK;
                break;
            }
            rc = CM_OK;
            nested = 0; /* cm_scan_parse_buffer() sniffs the inner content */
        }
        cut = pend.len;
        if (!src->eof) {
            cut = cm_stdin_cut(split, pend.p, pend.len, &seen);
            if (cut == 0 && split == CM_STDIN_CUT_LINES && pend.len > STDIN_MAX_LINE) {
                char msg[96];

                snprintf(msg, sizeof(msg), "line longer than %u bytes: skipped to its end",
                         STDIN_MAX_LINE);
                cm_scan_note_reject(s, (int)ps->kind, idx, off, lines + 1, msg);
                skipping = true; /* what is held goes with the rest of the line */
                continue;
            }
            if (cut == 0) {
                continue; /* one very long line or file: read more */
            }
        }
        cm_buf_init(&chunk, s->o.max_input_bytes);
        if (!r->engine) {
            /* A chunk's memory comes back to the pool when the workers are done with it. */
            cm_bufpool_get(&s->bufpool, &chunk);
        }
        rc = cm_buf_append(&chunk, pend.p, cut);
        first = off == 0;
        if (rc == 0) {
            if (pend.len > cut) {
                /* (an empty stream has no buffer at all: pend.p is NULL) */
                memmove(pend.p, pend.p + cut, pend.len - cut);
            }
            pend.len -= cut;
            r->bytes_decoded += chunk.len;
            r->ctx.offset_base = off;
            r->ctx.line_base = lines;
            off += cut;
            for (size_t i = 0; i < chunk.len; i++) {
                lines += chunk.p[i] == '\n';
            }
            rc = cm_scan_take_buffer(r, &chunk);
        }
        if (rc == 0) {
            /* An empty stream is an empty input; a damaged one that yielded nothing is
             * the rejected file its error says (not also an empty one). */
            r->ticket = s->ticket_base; /* (no reader thread runs yet) */
            rc = (r->fb->len || (first && err[0] == '\0')) ? cm_scan_parse_buffer(r, idx, ps) : 0;
            cm_scan_drop_buffer(r);
        }
        cm_buf_finish(&chunk);
        if (rc == 0 && !r->engine) {
            cm_scan_close_batch(r);
            pthread_mutex_lock(&s->mu);
            cm_scan_complete_locked(s, s->ticket_base++, &r->unit);
            pthread_mutex_unlock(&s->mu);
            memset(&r->unit, 0, sizeof(r->unit));
            /* Everything read so far is published: wait for the workers to catch up. */
            cm_batch_pool_wait(&s->pool);
        }
        if (rc != 0 || src->eof) {
            break;
        }
    }
    if (err[0]) {
        cm_scan_note_reject(s, 0, idx, src->err_off, 0, err);
    }
    r->bytes_in += src->raw_bytes;
    cm_stdin_finish(src);
    cm_free(src);
    cm_buf_finish(&pend);
    return rc;
}
