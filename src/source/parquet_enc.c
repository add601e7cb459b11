/*
 * Parquet's integer encodings (parquet_impl.h): the hybrid of run-length and
 * bit-packed runs that carries definition levels and dictionary indices, and
 * DELTA_BINARY_PACKED, which also carries the lengths of the DELTA_* byte
 * arrays. Both read only between their p and end, whatever a header claims.
 */
#include <string.h>

#include "base/err.h"
#include "source/parquet_impl.h"
#include "source/thrift.h"

/* w (0..64) bits at bit pos of p, least significant first. */
static uint64_t bits_at(const uint8_t *p, uint64_t pos, int w)
{
    const uint8_t *b = p + pos / 8;
    unsigned sh = (unsigned)(pos % 8);
    uint64_t v;
    int got;

    if (w == 0) {
        return 0;
    }
    v = (uint64_t)(b[0] >> sh);
    got = 8 - (int)sh;
    for (size_t i = 1; got < w; i++, got += 8) {
        v |= (uint64_t)b[i] << got;
    }
    return w < 64 ? v & ((UINT64_C(1) << w) - 1) : v;
}

void pq_rle_init(struct pq_rle *r, const uint8_t *p, const uint8_t *end, int bw)
{
    memset(r, 0, sizeof(*r));
    r->p = p;
    r->end = end;
    r->bw = bw;
}

/* Reads the next run's header (and a repeated run's value). */
static int rle_run(struct pq_rle *r)
{
    uint64_t h;
    int rc = cm_thrift_varint(&r->p, r->end, &h);

    if (rc != 0) {
        return rc;
    }
    if (h & 1) {
        uint64_t groups = h >> 1;

        if (groups > (uint64_t)(r->end - r->p) / (r->bw ? (uint64_t)r->bw : 1)) {
            return CM_ETRUNC;
        }
        r->bits = r->p;
        r->p += groups * (uint64_t)r->bw;
        r->left = groups * 8;
        r->k = 0;
        r->packed = true;
    } else {
        size_t nb = (size_t)(r->bw + 7) / 8;

        if ((size_t)(r->end - r->p) < nb) {
            return CM_ETRUNC;
        }
        r->value = 0;
        for (size_t i = 0; i < nb; i++) {
            r->value |= (uint32_t)r->p[i] << (8 * i);
        }
        r->p += nb;
        r->left = h >> 1;
        r->packed = false;
    }
    return CM_OK;
}

/* Unpacks the next 8 values of a bit-packed run (bw bytes) into r->group. */
static void rle_unpack8(struct pq_rle *r)
{
    const uint8_t *b = r->bits;
    uint64_t acc = 0;
    int have = 0;
    size_t at = 0;
    uint32_t mask = r->bw < 32 ? (UINT32_C(1) << r->bw) - 1 : UINT32_MAX;

    for (unsigned j = 0; j < 8; j++) {
        while (have < r->bw) {
            acc |= (uint64_t)b[at++] << have;
            have += 8;
        }
        r->group[j] = (uint32_t)acc & mask;
        acc >>= r->bw;
        have -= r->bw;
    }
    r->bits += r->bw;
}

uint32_t pq_rle_fill(struct pq_rle *r, uint32_t *out, uint32_t n)
{
    uint32_t i = 0;

    while (i < n) {
        uint32_t m;

        if (r->left == 0 && rle_run(r) != 0) {
            break;
        }
        m = r->left < (uint64_t)(n - i) ? (uint32_t)r->left : n - i;
        r->left -= m;
        if (!r->packed) {
            for (uint32_t j = 0; j < m; j++) {
                out[i + j] = r->value;
            }
            i += m;
            continue;
        }
        if (r->bw == 0) {
            memset(out + i, 0, (size_t)m * sizeof(*out));
            i += m;
            continue;
        }
        /* 8 values are bw bytes (bw <= 32 here): unpacked together at the first of them */
        for (uint32_t j = 0; j < m; j++) {
            if (r->k == 0) {
                rle_unpack8(r);
            }
            out[i++] = r->group[r->k];
            r->k = (r->k + 1) & 7;
        }
    }
    return i;
}

int pq_delta_init(struct pq_delta *d, const uint8_t *p, const uint8_t *end)
{
    uint64_t block, nmb, total, first;
    int rc;

    memset(d, 0, sizeof(*d));
    if ((rc = cm_thrift_varint(&p, end, &block)) != 0 ||
        (rc = cm_thrift_varint(&p, end, &nmb)) != 0 ||
        (rc = cm_thrift_varint(&p, end, &total)) != 0 ||
        (rc = cm_thrift_varint(&p, end, &first)) != 0) {
        return rc;
    }
    if (block == 0 || block > 65536 || nmb == 0 || nmb > 256 || block % nmb != 0 ||
        (block / nmb) % 8 != 0) {
        return CM_EINVAL;
    }
    d->p = p;
    d->end = end;
    d->per_block = (uint32_t)block;
    d->nmb = (uint32_t)nmb;
    d->per_mb = (uint32_t)(block / nmb);
    d->mb_i = d->nmb; /* a block header comes next */
    d->total = total;
    d->last = (uint64_t)cm_thrift_unzigzag(first);
    return CM_OK;
}

int pq_delta_next(struct pq_delta *d, int64_t *v)
{
    if (d->got >= d->total) {
        return CM_ETRUNC;
    }
    if (d->got++ == 0) {
        *v = (int64_t)d->last;
        return CM_OK;
    }
    if (d->in_mb == 0) {
        uint64_t bytes;

        if (d->mb_i == d->nmb) {
            uint64_t md;
            int rc = cm_thrift_varint(&d->p, d->end, &md);

            if (rc != 0) {
                return rc;
            }
            d->min_delta = (uint64_t)cm_thrift_unzigzag(md);
            if ((uint64_t)(d->end - d->p) < d->nmb) {
                return CM_ETRUNC;
            }
            memcpy(d->widths, d->p, d->nmb);
            d->p += d->nmb;
            d->mb_i = 0;
        }
        d->w = d->widths[d->mb_i++];
        if (d->w > 64) {
            return CM_EINVAL;
        }
        bytes = (uint64_t)d->per_mb * (uint64_t)d->w / 8;
        if (bytes > (uint64_t)(d->end - d->p)) {
            return CM_ETRUNC;
        }
        d->mb = d->p;
        d->p += bytes;
        d->bitpos = 0;
        d->in_mb = d->per_mb;
    }
    d->last += d->min_delta + bits_at(d->mb, d->bitpos, d->w);
    d->bitpos += (uint64_t)d->w;
    d->in_mb--;
    *v = (int64_t)d->last;
    return CM_OK;
}

int pq_delta_end(const struct pq_delta *d0, const uint8_t **end)
{
    struct pq_delta d = *d0;
    int64_t v;

    while (d.got < d.total) {
        int rc = pq_delta_next(&d, &v);

        if (rc != 0) {
            return rc;
        }
    }
    *end = d.p;
    return CM_OK;
}
