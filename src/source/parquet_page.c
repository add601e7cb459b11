/*
 * A column's values, page by page: page headers (Thrift), decompression, the
 * definition levels of an optional column, and the value encodings. Values are
 * decoded one at a time as the rows are written, so nothing is sized by what a
 * page claims to hold: memory is the decompressed page and the dictionary.
 */
#include <libdeflate.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "base/alloc.h"
#include "base/err.h"
#include "source/parquet_impl.h"
#include "source/snappy.h"
#include "source/thrift.h"

#define PAGE_MAX (1024u * 1024 * 1024) /* a page's decompressed size, at most */
/* An integer dictionary up to this many entries has its text written once. */
#define DICT_TEXT_MAX (1u << 20)

static int bad(char *why, size_t cap, const char *msg)
{
    snprintf(why, cap, "%s", msg);
    return CM_EINVAL;
}

void pq_cursor_init(struct pq_cursor *c)
{
    memset(c, 0, sizeof(*c));
    /* a page and its NUL: only memory can fail them, never the cap */
    cm_buf_init(&c->page, (size_t)PAGE_MAX + 1);
    cm_buf_init(&c->dict_page, (size_t)PAGE_MAX + 1);
    cm_buf_init(&c->prev, PAGE_MAX);
    cm_buf_init(&c->dict_text, (size_t)DICT_TEXT_MAX * CM_DEC_I64_MAX + 1);
    cm_buf_init(&c->bytes, 0);
}

void pq_cursor_start(struct pq_cursor *c, const struct pq_col *col, const struct pq_chunk *ch,
                     const uint8_t *file)
{
    c->col = col;
    c->ch = *ch;
    c->file = file;
    c->p = file + ch->start;
    c->end = c->p + ch->size;
    c->left = ch->values;
    c->has_dict = false;
    c->int_text = false;
    c->nd = 0;
    c->n_left = 0;
}

void pq_cursor_free(struct pq_cursor *c)
{
    cm_buf_finish(&c->page);
    cm_buf_finish(&c->dict_page);
    cm_buf_finish(&c->prev);
    cm_buf_finish(&c->dict_text);
    cm_buf_finish(&c->bytes);
    cm_free(c->dict);
    memset(c, 0, sizeof(*c));
}

/* Decompresses in[0..n), compressed with codec, into out, which gets exactly want bytes. */
static int inflate_page(struct pq_cursor *c, int codec, const uint8_t *in, size_t n, size_t want,
                        struct cm_buf *out, char *why, size_t cap)
{
    size_t got = 0;
    int rc;

    /*
     * DEFLATE inflates at most 1,032 to 1 and Snappy far less: a larger claim is a lie,
     * not a page, and nothing is allocated for it. ZSTD can do better (a run of one
     * value): there the frame's own header must say the same size.
     */
    if (want > PAGE_MAX ||
        (want / 1100 > n + 64 &&
         (codec != PQ_ZSTD || ZSTD_getFrameContentSize(in, n) != (unsigned long long)want))) {
        return bad(why, cap, "Parquet page claims an impossible decompressed size");
    }
    cm_buf_reset(out);
    if ((rc = cm_buf_reserve(out, want + 1)) != 0) {
        return rc;
    }
    switch (codec) {
    case PQ_UNCOMPRESSED:
        if (n != want) {
            return bad(why, cap, "Parquet page of another size than its header says");
        }
        memcpy(out->p, in, n);
        break;
    case PQ_SNAPPY: {
        size_t len;

        if (cm_snappy_length(in, n, &len) != 0 || len != want ||
            cm_snappy_decompress(in, n, out->p, want) != 0) {
            return bad(why, cap, "Parquet page's SNAPPY data damaged");
        }
        break;
    }
    case PQ_GZIP: {
        enum libdeflate_result lr = libdeflate_gzip_decompress(c->gz, in, n, out->p, want, &got);

        if (lr == LIBDEFLATE_BAD_DATA) { /* some writers put a zlib stream there */
            lr = libdeflate_zlib_decompress(c->gz, in, n, out->p, want, &got);
        }
        if (lr != LIBDEFLATE_SUCCESS || got != want) {
            return bad(why, cap, "Parquet page's GZIP data damaged");
        }
        break;
    }
    case PQ_ZSTD:
        got = ZSTD_decompress(out->p, want, in, n);
        if (ZSTD_isError(got) || got != want) {
            return bad(why, cap, "Parquet page's ZSTD data damaged");
        }
        break;
    default:
        return bad(why, cap, "Parquet page of an unknown codec");
    }
    out->len = want;
    out->p[want] = '\0';
    return CM_OK;
}

/*
 * Bytes that would split or end a line of the text (a space, a control) become '?',
 * in the cursor's own copy of the page, so that the line keeps its fields and the
 * flow parser rejects the field for what it is. A dictionary's entries are cleaned
 * once, however many rows use them.
 */
static void clean(char *p, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)p[k];

        if (ch <= ' ' || ch == 0x7f) {
            p[k] = '?';
        }
    }
}

/* One PLAIN value from *pp..end. */
static int plain_value(const struct pq_col *col, const uint8_t **pp, const uint8_t *end,
                       struct pq_value *v)
{
    const uint8_t *p = *pp;
    size_t need = col->type == PQ_INT64 ? 8 : 4;
    uint64_t x = 0;

    if ((size_t)(end - p) < need) {
        return CM_ETRUNC;
    }
    for (size_t i = 0; i < need; i++) {
        x |= (uint64_t)p[i] << (8 * i);
    }
    p += need;
    if (col->type == PQ_INT32) {
        v->i = (int32_t)(uint32_t)x;
    } else if (col->type == PQ_INT64) {
        v->i = (int64_t)x;
    } else {
        if (x > (uint64_t)(end - p)) {
            return CM_ETRUNC;
        }
        v->s = (const char *)p;
        v->len = (uint32_t)x;
        p += x;
    }
    *pp = p;
    return CM_OK;
}

static int read_dict(struct pq_cursor *c, int64_t count, char *why, size_t cap)
{
    const uint8_t *p = (const uint8_t *)c->dict_page.p, *end = p + c->dict_page.len;
    struct pq_value v = {0};

    /* Every entry takes 4 bytes at least: more than that is a lie. */
    if (count < 0 || (uint64_t)count > c->dict_page.len / 4) {
        return bad(why, cap, "Parquet dictionary page with more entries than bytes");
    }
    if ((uint32_t)count > c->dcap) {
        struct pq_value *d = cm_realloc(c->dict, (size_t)count * sizeof(*d));

        if (d == NULL) {
            return CM_ENOMEM;
        }
        c->dict = d;
        c->dcap = (uint32_t)count;
    }
    for (int64_t i = 0; i < count; i++) {
        if (plain_value(c->col, &p, end, &v) != 0) {
            return bad(why, cap, "Parquet dictionary page cut short");
        }
        if (v.s != NULL) {
            clean(c->dict_page.p + (v.s - c->dict_page.p), v.len);
        }
        c->dict[i] = v;
    }
    c->nd = (uint32_t)count;
    c->has_dict = true;
    cm_buf_reset(&c->dict_text);
    c->int_text = c->col->type != PQ_BYTE_ARRAY && c->nd <= DICT_TEXT_MAX;
    if (c->int_text) {
        /* room for every entry's text, written the first time a row uses it (fill_values):
         * the buffer does not move, so the text is where the entries point */
        int rc = cm_buf_reserve(&c->dict_text, (size_t)c->nd * CM_DEC_I64_MAX + 1);

        if (rc != 0) {
            return rc;
        }
    }
    return CM_OK;
}

/* Sets up the values of the data page whose value bytes are p[0..end), encoding enc. */
static int begin_values(struct pq_cursor *c, int enc, const uint8_t *p, const uint8_t *end,
                        char *why, size_t cap)
{
    const struct pq_col *col = c->col;
    const uint8_t *q;

    c->enc = enc;
    c->vp = p;
    c->vend = end;
    switch (enc) {
    case PQ_PLAIN:
        return CM_OK;
    case PQ_PLAIN_DICTIONARY:
    case PQ_RLE_DICTIONARY:
        if (!c->has_dict) {
            return bad(why, cap,
                       "Parquet data page refers to a dictionary the chunk does not have");
        }
        if (p >= end && c->n_left > 0 && !c->levels) {
            return bad(why, cap, "Parquet dictionary-encoded page without its indices");
        }
        if (p<end && * p> 32) {
            return bad(why, cap, "Parquet dictionary indices wider than 32 bits");
        }
        pq_rle_init(&c->idx, p < end ? p + 1 : p, end, p < end ? *p : 0);
        return CM_OK;
    case PQ_DELTA_BINARY_PACKED:
        if (col->type == PQ_BYTE_ARRAY) {
            break;
        }
        return pq_delta_init(&c->d1, p, end) == 0
                   ? CM_OK
                   : bad(why, cap, "Parquet DELTA_BINARY_PACKED header damaged");
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
        if (col->type != PQ_BYTE_ARRAY) {
            break;
        }
        if (pq_delta_init(&c->d1, p, end) != 0 || pq_delta_end(&c->d1, &c->vp) != 0) {
            return bad(why, cap, "Parquet DELTA_LENGTH_BYTE_ARRAY lengths damaged");
        }
        return CM_OK;
    case PQ_DELTA_BYTE_ARRAY:
        if (col->type != PQ_BYTE_ARRAY) {
            break;
        }
        if (pq_delta_init(&c->d1, p, end) != 0 || pq_delta_end(&c->d1, &q) != 0 ||
            pq_delta_init(&c->d2, q, end) != 0 || pq_delta_end(&c->d2, &c->vp) != 0) {
            return bad(why, cap, "Parquet DELTA_BYTE_ARRAY lengths damaged");
        }
        cm_buf_reset(&c->prev);
        return CM_OK;
    default:
        break;
    }
    snprintf(why, cap, "Parquet column '%s': values in encoding %d, which coalmine does not read",
             col->name, enc);
    return CM_EINVAL;
}

/* Reads page headers until a data page is set up. */
static int next_page(struct pq_cursor *c, char *why, size_t cap)
{
    for (;;) {
        struct cm_thrift t = {c->p, c->end};
        struct cm_thrift_struct s = {0};
        int64_t ptype = -1, usize = -1, csize = -1, nvals = -1, enc = -1, dl_len = 0, rl_len = 0;
        bool compressed = true;
        const uint8_t *body;
        int16_t id;
        int ft, rc;

        c->page_off = (uint64_t)(c->p - c->file);
        if (c->p >= c->end) {
            return bad(why, cap, "Parquet column chunk ended before its row group's rows");
        }
        for (;;) {
            if ((rc = cm_thrift_field(&t, &s, &id, &ft)) != 0) {
                return bad(why, cap, "Parquet page header damaged");
            }
            if (ft == CM_THRIFT_STOP) {
                break;
            }
            if (id >= 1 && id <= 3 && ft == CM_THRIFT_I32) {
                int64_t v;

                if (cm_thrift_int(&t, ft, &v) != 0) {
                    return bad(why, cap, "Parquet page header damaged");
                }
                *(id == 1 ? &ptype : id == 2 ? &usize : &csize) = v;
            } else if ((id == 5 || id == 7 || id == 8) && ft == CM_THRIFT_STRUCT) {
                /* DataPageHeader, DictionaryPageHeader, DataPageHeaderV2 */
                struct cm_thrift_struct ss = {0};
                int16_t sid;
                int sft;

                for (;;) {
                    int64_t v = 0;

                    if (cm_thrift_field(&t, &ss, &sid, &sft) != 0) {
                        return bad(why, cap, "Parquet page header damaged");
                    }
                    if (sft == CM_THRIFT_STOP) {
                        break;
                    }
                    if (id == 8 && sid == 7 && (sft == CM_THRIFT_TRUE || sft == CM_THRIFT_FALSE)) {
                        compressed = sft == CM_THRIFT_TRUE;
                        continue;
                    }
                    if (sft == CM_THRIFT_I32) {
                        if (cm_thrift_int(&t, sft, &v) != 0) {
                            return bad(why, cap, "Parquet page header damaged");
                        }
                        if (sid == 1) {
                            nvals = v;
                        } else if ((id != 8 && sid == 2) || (id == 8 && sid == 4)) {
                            enc = v;
                        } else if (id == 5 && sid == 3 && v != PQ_RLE) {
                            return bad(why, cap, "Parquet definition levels not RLE-encoded");
                        } else if (id == 8 && sid == 5) {
                            dl_len = v;
                        } else if (id == 8 && sid == 6) {
                            rl_len = v;
                        }
                        continue;
                    }
                    if (cm_thrift_skip(&t, sft, 3) != 0) {
                        return bad(why, cap, "Parquet page header damaged");
                    }
                }
            } else if (cm_thrift_skip(&t, ft, 1) != 0) {
                return bad(why, cap, "Parquet page header damaged");
            }
        }
        if (usize < 0 || csize < 0 || csize > c->end - t.p) {
            return bad(why, cap, "Parquet page longer than its column chunk");
        }
        body = t.p;
        c->p = t.p + csize;
        if (ptype == PQ_INDEX_PAGE) {
            continue;
        }
        if (ptype == PQ_DICTIONARY_PAGE) {
            if (c->has_dict) {
                return bad(why, cap, "Parquet column chunk with a second dictionary");
            }
            if (enc != PQ_PLAIN && enc != PQ_PLAIN_DICTIONARY) {
                return bad(why, cap, "Parquet dictionary page not PLAIN-encoded");
            }
            if ((rc = inflate_page(c, c->ch.codec, body, (size_t)csize, (size_t)usize,
                                   &c->dict_page, why, cap)) != 0) {
                return rc;
            }
            if ((rc = read_dict(c, nvals, why, cap)) != 0) {
                return rc;
            }
            continue;
        }
        if (ptype != PQ_DATA_PAGE && ptype != PQ_DATA_PAGE_V2) {
            return bad(why, cap, "Parquet page of an unknown type");
        }
        if (nvals <= 0 || nvals > c->left) {
            return bad(why, cap, "Parquet data page with more values than its column chunk");
        }
        c->left -= nvals;
        c->n_left = (uint64_t)nvals;
        c->levels = c->col->optional;
        if (ptype == PQ_DATA_PAGE) {
            const uint8_t *p, *end;

            if ((rc = inflate_page(c, c->ch.codec, body, (size_t)csize, (size_t)usize, &c->page,
                                   why, cap)) != 0) {
                return rc;
            }
            p = (const uint8_t *)c->page.p;
            end = p + c->page.len;
            if (c->levels) {
                uint32_t len;

                if (end - p < 4) {
                    return bad(why, cap, "Parquet data page without its definition levels");
                }
                len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
                if (len > (uint64_t)(end - p - 4)) {
                    return bad(why, cap, "Parquet definition levels longer than their page");
                }
                pq_rle_init(&c->def, p + 4, p + 4 + len, 1);
                p += 4 + len;
            }
            return begin_values(c, (int)enc, p, end, why, cap);
        }
        /* v2: the levels uncompressed, then the values, compressed or not */
        if (rl_len != 0) {
            return bad(why, cap, "Parquet data page with repetition levels (a flow log is flat)");
        }
        if (dl_len < 0 || dl_len > csize || dl_len > usize) {
            return bad(why, cap, "Parquet definition levels longer than their page");
        }
        if (c->levels) {
            pq_rle_init(&c->def, body, body + dl_len, 1);
        }
        rc = inflate_page(c, compressed ? c->ch.codec : PQ_UNCOMPRESSED, body + dl_len,
                          (size_t)(csize - dl_len), (size_t)(usize - dl_len), &c->page, why, cap);
        if (rc != 0) {
            return rc;
        }
        return begin_values(c, (int)enc, (const uint8_t *)c->page.p,
                            (const uint8_t *)c->page.p + c->page.len, why, cap);
    }
}

int pq_cursor_page(struct pq_cursor *c, char *why, size_t cap)
{
    return c->n_left > 0 ? CM_OK : next_page(c, why, cap);
}

/* Values [0..ok) not null of the current page's encoding into v; *got: those before damage. */
static int fill_values(struct pq_cursor *c, struct pq_value *v, uint32_t ok, uint32_t *got,
                       char *why, size_t cap)
{
    const struct pq_col *col = c->col;
    uint32_t i = 0;
    int64_t a, b;
    int rc = CM_OK;

    switch (c->enc) {
    case PQ_PLAIN:
        for (; i < ok; i++) {
            if (v[i].null) {
                continue;
            }
            if (plain_value(col, &c->vp, c->vend, &v[i]) != 0) {
                rc = bad(why, cap, "Parquet PLAIN values cut short");
                break;
            }
            if (v[i].s != NULL) {
                clean(c->page.p + (v[i].s - c->page.p), v[i].len);
            }
        }
        break;
    case PQ_PLAIN_DICTIONARY:
    case PQ_RLE_DICTIONARY: {
        uint32_t nn = 0, m, q = 0;
        struct pq_value *e;

        for (uint32_t j = 0; j < ok; j++) {
            nn += !v[j].null;
        }
        m = pq_rle_fill(&c->idx, c->ix, nn);
        for (; i < ok; i++) {
            if (v[i].null) {
                continue;
            }
            if (q >= m || c->ix[q] >= c->nd) {
                rc = bad(why, cap, "Parquet dictionary index damaged or past the dictionary");
                break;
            }
            e = &c->dict[c->ix[q++]];
            if (e->s == NULL && c->int_text) {
                char *o = c->dict_text.p + c->dict_text.len;

                e->s = o;
                e->len = (uint32_t)(cm_dec_i64(o, e->i) - o);
                c->dict_text.len += e->len;
            }
            v[i] = *e;
        }
        break;
    }
    case PQ_DELTA_BINARY_PACKED:
        for (; i < ok; i++) {
            if (v[i].null) {
                continue;
            }
            if (pq_delta_next(&c->d1, &a) != 0) {
                rc = bad(why, cap, "Parquet DELTA_BINARY_PACKED values damaged");
                break;
            }
            v[i].i = col->type == PQ_INT32 ? (int32_t)(uint32_t)(uint64_t)a : a;
        }
        break;
    case PQ_DELTA_LENGTH_BYTE_ARRAY:
        for (; i < ok; i++) {
            if (v[i].null) {
                continue;
            }
            if (pq_delta_next(&c->d1, &a) != 0 || a < 0 || a > c->vend - c->vp) {
                rc = bad(why, cap, "Parquet DELTA_LENGTH_BYTE_ARRAY values damaged");
                break;
            }
            v[i].s = (const char *)c->vp;
            v[i].len = (uint32_t)a;
            clean(c->page.p + (v[i].s - c->page.p), v[i].len);
            c->vp += a;
        }
        break;
    case PQ_DELTA_BYTE_ARRAY:
        /* each value is the previous one's first a bytes and b new ones: kept in c->bytes,
         * at offsets until the fill is done (the buffer may move) */
        cm_buf_reset(&c->bytes);
        for (; i < ok; i++) {
            if (v[i].null) {
                continue;
            }
            if (pq_delta_next(&c->d1, &a) != 0 || pq_delta_next(&c->d2, &b) != 0 || a < 0 ||
                b < 0 || (uint64_t)a > c->prev.len || b > c->vend - c->vp) {
                rc = bad(why, cap, "Parquet DELTA_BYTE_ARRAY values damaged");
                break;
            }
            c->prev.len = (size_t)a;
            if (cm_buf_append(&c->prev, c->vp, (size_t)b) != 0) {
                rc = bad(why, cap, "Parquet DELTA_BYTE_ARRAY value larger than a page");
                break;
            }
            c->vp += b;
            v[i].i = (int64_t)c->bytes.len;
            v[i].len = (uint32_t)c->prev.len;
            if ((rc = cm_buf_append(&c->bytes, c->prev.p, c->prev.len)) != 0) {
                break; /* CM_ENOMEM, or CM_E2BIG: more than the text may hold */
            }
        }
        for (uint32_t j = 0; j < i; j++) {
            if (!v[j].null) {
                clean(c->bytes.p + v[j].i, v[j].len);
                v[j].s = c->bytes.p + v[j].i;
            }
        }
        break;
    default:
        rc = bad(why, cap, "Parquet values in an unknown encoding");
        break;
    }
    *got = i;
    return rc;
}

int pq_cursor_fill(struct pq_cursor *c, struct pq_value *v, uint32_t n, uint32_t *got, char *why,
                   size_t cap)
{
    uint32_t ok = n, vals;
    int rc;

    c->n_left -= n;
    memset(v, 0, (size_t)n * sizeof(*v));
    if (c->levels) {
        /* a value's level comes before its value: damage in the levels at value ok
         * counts only once the values before it are read */
        uint32_t m = pq_rle_fill(&c->def, c->lv, n);

        for (ok = 0; ok < m && c->lv[ok] <= 1; ok++) {
            v[ok].null = c->lv[ok] == 0;
        }
    }
    if ((rc = fill_values(c, v, ok, &vals, why, cap)) != 0) {
        *got = vals;
        return rc;
    }
    *got = ok;
    return ok == n ? CM_OK : bad(why, cap, "Parquet definition levels damaged");
}
