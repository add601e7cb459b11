/*
 * Plain logs that grew since an earlier scan read them (detect/filegrow.h): found by
 * their base name and the identity of what was read, read from where that scan left
 * off, and noted for the next scan (docs/internals/statefile.md, "A file that grew").
 */
#include "core/scan_grow.h"

#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/err.h"
#include "core/scan_impl.h"
#include "parse/cwl.h"
#include "parse/parse.h"
#include "source/decode.h"
#include "source/file_id.h"
#include "source/source_stdin.h"

/* The kind of the records of such a file (0: not such a file). */
static int line_kind(const struct scan *s, const char *p, size_t n)
{
    struct cm_flow_format fmt;
    const struct cm_parser *ps;

    if (n == 0 || cm_is_compressed(p, n) || cm_cwl_sniff(p, n)) {
        return 0;
    }
    ps = cm_parse_sniff_flow(p, n, s->o.flow_fields, &fmt);
    return ps != NULL && cm_stdin_cut_mode(ps, p, n) == CM_STDIN_CUT_LINES ? (int)ps->kind : 0;
}

/*
 * Whether a file that starts with p[0, n) is lines a later part of which is read alone:
 * plain (no gzip or zstd), not a CloudWatch Logs JSON document, and in a format read line by line
 * (flow logs, Resolver logs, CloudTrail records one per line; not a CloudTrail file's one
 * document, which an append only damages).
 */
static bool line_based(const struct scan *s, const char *p, size_t n)
{
    return line_kind(s, p, n) != 0;
}

/* The bytes to the end of the last whole line of p[0, n) (0: none). */
static size_t whole_lines(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] != '\n') {
        n--;
    }
    return n;
}

#define HELD_TAIL                                                                                  \
    "an unfinished last line, held back: its file changed in the last 15 minutes (read once "      \
    "it ends, or the file has not changed for 15 minutes)"

size_t cm_scan_grow_hold(struct scan *s, uint32_t idx, const char *p, size_t n, const char *head,
                         size_t nhead, bool settled)
{
    size_t tail = n - whole_lines(p, n);
    int kind;

    if (settled || tail == 0 || !s->o.file_ids || (kind = line_kind(s, head, nhead)) == 0) {
        return 0;
    }
    cm_scan_note_skip(s, idx, kind, HELD_TAIL);
    if (idx < s->st->ninputs) {
        s->st->inputs[idx].held_tail = true; /* a follow reads it again once it settles */
    }
    return tail;
}

void cm_scan_grow_note(struct scan *s, uint32_t idx, const char *p, size_t n)
{
    struct cm_scan_grown g;

    if (!s->o.file_ids || n == 0 || !line_based(s, p, n)) {
        return;
    }
    memset(&g, 0, sizeof(g));
    g.input = idx;
    g.len = n;
    g.lines = cm_parse_count_lines(p, 0, n);
    cm_file_id_of_bytes(&g.id, s->in.v[idx].path, p, n);
    cm_scan_note_grown(s, &g);
}

/* The remembered length of input idx (open as fd, size bytes) it still starts with. */
static const struct cm_filegrow_ent *resumable(const struct scan *s, uint32_t idx, int fd,
                                               uint64_t size)
{
    const char *path = s->in.v[idx].path, *name = cm_file_id_base(path);
    const struct cm_filegrow_ent *e;
    size_t n =
        cm_filegrow_find(&s->o.files_seen->grown, cm_filegrow_name(name, strlen(name)), size, &e);

    for (size_t i = 0; i < n; i++) { /* the longest first */
        struct cm_file_id id;

        if (cm_file_id_prefix(fd, path, e[i].len, &id) == 0 && id.a == e[i].id_a &&
            id.b == e[i].id_b) {
            return &e[i];
        }
    }
    return NULL;
}

int cm_scan_grown_read(struct reader *r, uint32_t idx, int fd, uint64_t *base_off,
                       uint32_t *base_line)
{
    struct scan *s = r->s;
    struct cm_scan_input *in = &s->st->inputs[idx];
    const char *path = s->in.v[idx].path;
    char head[CM_FILE_ID_EDGE];
    const struct cm_filegrow_ent *e;
    struct cm_scan_grown g;
    const char *nl;
    struct stat st;
    size_t nhead, hdr = 0, more, hold;
    uint64_t size;

    if (s->o.files_seen == NULL || !s->o.file_ids || fstat(fd, &st) != 0 || st.st_size <= 0) {
        return 0;
    }
    size = (uint64_t)st.st_size;
    if ((e = resumable(s, idx, fd, size)) == NULL) {
        return 0;
    }
    nhead = size < sizeof(head) ? (size_t)size : sizeof(head);
    if (cm_file_read_at(fd, head, nhead, 0) != 0 || !line_based(s, head, nhead)) {
        return 0;
    }
    /* A flow log's header line goes before what is read: it gives the fields' order. */
    nl = memchr(head, '\n', nhead);
    if (nl != NULL && (size_t)(nl - head) < e->len &&
        cm_flow_line_is_header(head, (size_t)(nl - head) - (nl > head && nl[-1] == '\r'))) {
        hdr = (size_t)(nl - head) + 1;
    }
    more = (size_t)(size - e->len);
    cm_buf_reset(&r->raw);
    if (size - e->len > SIZE_MAX - hdr - 1 || cm_buf_reserve(&r->raw, hdr + more + 1) != 0) {
        return 0; /* read whole: past the size cap it is refused there, with the reason */
    }
    memcpy(r->raw.p, head, hdr);
    if (cm_file_read_at(fd, r->raw.p + hdr, more, e->len) != 0) {
        return 0;
    }
    /* An unfinished last line in a file changed lately is left for a later scan. */
    hold = cm_scan_grow_hold(s, idx, r->raw.p + hdr, more, head, nhead,
                             st.st_mtime + CM_SCAN_SETTLE_S <= time(NULL));
    more -= hold;
    if (cm_file_id_prefix(fd, path, e->len + more, &in->id) != 0) {
        return 0;
    }
    r->raw.len = hdr + more;
    r->raw.p[r->raw.len] = '\0';
    r->files++;
    r->bytes_in += more;
    in->id_state = CM_SCAN_ID_READ; /* the identity of what was read: the held line is not */
    /* Where the next scan resumes: after what was read now (its last line's end, or the end
     * of a last line without one, read as the file had not changed for a while). */
    memset(&g, 0, sizeof(g));
    g.input = idx;
    g.resumed_from = e->len;
    g.resumed.a = e->id_a;
    g.resumed.b = e->id_b;
    g.len = e->len + more;
    g.lines = e->lines + cm_parse_count_lines(r->raw.p + hdr, 0, more);
    g.id = in->id;
    cm_scan_note_grown(s, &g);
    *base_off = e->len - hdr;
    *base_line = e->lines - (hdr > 0) > UINT32_MAX ? UINT32_MAX : (uint32_t)(e->lines - (hdr > 0));
    return 1;
}
