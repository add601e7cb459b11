/*
 * Thrift compact protocol, reading only: what Parquet's metadata needs.
 * Integers are ULEB128 varints, zigzag-encoded when signed; a field header is
 * one byte (id delta << 4 | type), with the id as a zigzag i16 after it when
 * the delta is 0; lists have their size in the header's high nibble (15: a
 * varint follows).
 */
#include "source/thrift.h"

#include "base/err.h"

int cm_thrift_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;

    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b;

        if (*pp >= end) {
            return CM_ETRUNC;
        }
        b = *(*pp)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *v = x;
            return CM_OK;
        }
    }
    return CM_EINVAL; /* more than ten bytes */
}

int64_t cm_thrift_unzigzag(uint64_t u)
{
    return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int varint(struct cm_thrift *t, uint64_t *v)
{
    return cm_thrift_varint(&t->p, t->end, v);
}

int cm_thrift_field(struct cm_thrift *t, struct cm_thrift_struct *s, int16_t *id, int *type)
{
    uint8_t b;

    if (t->p >= t->end) {
        return CM_ETRUNC;
    }
    b = *t->p++;
    *type = b & 0x0f;
    if (*type == CM_THRIFT_STOP) {
        *id = 0;
        return CM_OK;
    }
    if (*type > CM_THRIFT_STRUCT) {
        return CM_EINVAL;
    }
    if (b >> 4) {
        *id = (int16_t)(s->last + (b >> 4));
    } else {
        uint64_t u;
        int64_t v;
        int rc = varint(t, &u);

        if (rc != 0) {
            return rc;
        }
        v = cm_thrift_unzigzag(u);
        if (v < INT16_MIN || v > INT16_MAX) {
            return CM_EINVAL;
        }
        *id = (int16_t)v;
    }
    s->last = *id;
    return CM_OK;
}

int cm_thrift_int(struct cm_thrift *t, int type, int64_t *v)
{
    uint64_t u;
    int rc;

    switch (type) {
    case CM_THRIFT_I8:
        if (t->p >= t->end) {
            return CM_ETRUNC;
        }
        *v = (int8_t)*t->p++;
        return CM_OK;
    case CM_THRIFT_I16:
    case CM_THRIFT_I32:
    case CM_THRIFT_I64:
        if ((rc = varint(t, &u)) != 0) {
            return rc;
        }
        *v = cm_thrift_unzigzag(u);
        if ((type == CM_THRIFT_I16 && (*v < INT16_MIN || *v > INT16_MAX)) ||
            (type == CM_THRIFT_I32 && (*v < INT32_MIN || *v > INT32_MAX))) {
            return CM_EINVAL;
        }
        return CM_OK;
    default:
        return CM_EINVAL; /* not an integer where one belongs */
    }
}

int cm_thrift_binary(struct cm_thrift *t, const uint8_t **p, size_t *n)
{
    uint64_t len;
    int rc = varint(t, &len);

    if (rc != 0) {
        return rc;
    }
    if (len > (uint64_t)(t->end - t->p)) {
        return CM_ETRUNC;
    }
    *p = t->p;
    *n = (size_t)len;
    t->p += len;
    return CM_OK;
}

int cm_thrift_list(struct cm_thrift *t, int *elem, uint32_t *n)
{
    uint64_t size;
    uint8_t b;

    if (t->p >= t->end) {
        return CM_ETRUNC;
    }
    b = *t->p++;
    *elem = b & 0x0f;
    size = b >> 4;
    if (size == 15) {
        int rc = varint(t, &size);

        if (rc != 0) {
            return rc;
        }
    }
    if (*elem == CM_THRIFT_STOP || *elem > CM_THRIFT_STRUCT) {
        return CM_EINVAL;
    }
    /* Every element takes a byte at least: a count past the bytes left is a lie. */
    if (size > (uint64_t)(t->end - t->p)) {
        return CM_ETRUNC;
    }
    *n = (uint32_t)size;
    return CM_OK;
}

int cm_thrift_skip(struct cm_thrift *t, int type, int depth)
{
    int64_t v;
    int rc = CM_OK;

    if (depth > CM_THRIFT_MAX_DEPTH) {
        return CM_EINVAL;
    }
    switch (type) {
    case CM_THRIFT_TRUE:
    case CM_THRIFT_FALSE:
        return CM_OK; /* a field's value is its type; in a list, see below */
    case CM_THRIFT_I8:
    case CM_THRIFT_I16:
    case CM_THRIFT_I32:
    case CM_THRIFT_I64:
        return cm_thrift_int(t, type, &v);
    case CM_THRIFT_DOUBLE:
        if (t->end - t->p < 8) {
            return CM_ETRUNC;
        }
        t->p += 8;
        return CM_OK;
    case CM_THRIFT_BINARY: {
        const uint8_t *p;
        size_t n;

        return cm_thrift_binary(t, &p, &n);
    }
    case CM_THRIFT_LIST:
    case CM_THRIFT_SET: {
        int elem;
        uint32_t n;

        if ((rc = cm_thrift_list(t, &elem, &n)) != 0) {
            return rc;
        }
        for (uint32_t i = 0; i < n && rc == 0; i++) {
            if (elem == CM_THRIFT_TRUE || elem == CM_THRIFT_FALSE) {
                rc = cm_thrift_skip(t, CM_THRIFT_I8, depth + 1); /* a byte each in a list */
            } else {
                rc = cm_thrift_skip(t, elem, depth + 1);
            }
        }
        return rc;
    }
    case CM_THRIFT_MAP: {
        uint64_t n;
        int kt, vt;

        if ((rc = varint(t, &n)) != 0) {
            return rc;
        }
        if (n == 0) {
            return CM_OK;
        }
        if (t->p >= t->end) {
            return CM_ETRUNC;
        }
        kt = *t->p >> 4;
        vt = *t->p & 0x0f;
        t->p++;
        if (n > (uint64_t)(t->end - t->p)) {
            return CM_ETRUNC;
        }
        for (uint64_t i = 0; i < n && rc == 0; i++) {
            rc = cm_thrift_skip(
                t, kt == CM_THRIFT_TRUE || kt == CM_THRIFT_FALSE ? CM_THRIFT_I8 : kt, depth + 1);
            if (rc == 0) {
                rc = cm_thrift_skip(
                    t, vt == CM_THRIFT_TRUE || vt == CM_THRIFT_FALSE ? CM_THRIFT_I8 : vt,
                    depth + 1);
            }
        }
        return rc;
    }
    case CM_THRIFT_STRUCT: {
        struct cm_thrift_struct s = {0};
        int16_t id;
        int ft;

        for (;;) {
            if ((rc = cm_thrift_field(t, &s, &id, &ft)) != 0) {
                return rc;
            }
            if (ft == CM_THRIFT_STOP) {
                return CM_OK;
            }
            if ((rc = cm_thrift_skip(t, ft, depth + 1)) != 0) {
                return rc;
            }
        }
    }
    default:
        return CM_EINVAL;
    }
}
