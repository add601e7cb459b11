/*
 * Snappy raw block decompression. Each element starts with a tag byte whose
 * two low bits say what it is: 0 a literal (length - 1 in the high six bits,
 * or 60..63 for a length in the next 1..4 bytes), 1 a copy of 4..11 bytes at
 * an 11-bit offset, 2 a copy of 1..64 bytes at a 16-bit offset, 3 the same at
 * a 32-bit offset. A copy may overlap what it writes (a run).
 */
#include "source/snappy.h"

#include <stdint.h>
#include <string.h>

#include "base/err.h"

static int header(const uint8_t **pp, const uint8_t *end, size_t *len)
{
    const uint8_t *p = *pp;
    uint64_t x = 0;

    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (p >= end) {
            return CM_EINVAL;
        }
        x |= (uint64_t)(*p & 0x7f) << shift;
        if ((*p++ & 0x80) == 0) {
            if (x > UINT32_MAX) {
                return CM_EINVAL;
            }
            *len = (size_t)x;
            *pp = p;
            return CM_OK;
        }
    }
    return CM_EINVAL;
}

int cm_snappy_length(const void *in, size_t n, size_t *len)
{
    const uint8_t *p = in;

    return header(&p, p + n, len);
}

int cm_snappy_decompress(const void *in, size_t n, void *out, size_t cap)
{
    const uint8_t *p = in, *end = p + n;
    uint8_t *o = out, *op = o;
    size_t want;

    if (header(&p, end, &want) != 0 || want > cap) {
        return CM_EINVAL;
    }
    while (p < end) {
        uint8_t tag = *p++;
        size_t len, off;

        if ((tag & 3) == 0) {
            len = (size_t)(tag >> 2) + 1;
            if (len > 60) {
                size_t nb = len - 60; /* 1..4 bytes of length - 1 */

                if ((size_t)(end - p) < nb) {
                    return CM_EINVAL;
                }
                len = 0;
                for (size_t i = 0; i < nb; i++) {
                    len |= (size_t)p[i] << (8 * i);
                }
                len += 1;
                p += nb;
            }
            if ((size_t)(end - p) < len || (size_t)(o + want - op) < len) {
                return CM_EINVAL;
            }
            memcpy(op, p, len);
            op += len;
            p += len;
            continue;
        }
        if ((tag & 3) == 1) {
            if (p >= end) {
                return CM_EINVAL;
            }
            len = 4 + ((tag >> 2) & 7);
            off = ((size_t)(tag >> 5) << 8) | *p++;
        } else if ((tag & 3) == 2) {
            if (end - p < 2) {
                return CM_EINVAL;
            }
            len = (size_t)(tag >> 2) + 1;
            off = (size_t)p[0] | (size_t)p[1] << 8;
            p += 2;
        } else {
            if (end - p < 4) {
                return CM_EINVAL;
            }
            len = (size_t)(tag >> 2) + 1;
            off = (size_t)p[0] | (size_t)p[1] << 8 | (size_t)p[2] << 16 | (size_t)p[3] << 24;
            p += 4;
        }
        if (off == 0 || off > (size_t)(op - o) || (size_t)(o + want - op) < len) {
            return CM_EINVAL;
        }
        if (off >= len) {
            memcpy(op, op - off, len);
            op += len;
        } else {
            for (size_t i = 0; i < len; i++, op++) {
                *op = op[-(ptrdiff_t)off]; /* a run: each byte copies one written just before */
            }
        }
    }
    return (size_t)(op - o) == want ? CM_OK : CM_EINVAL;
}
