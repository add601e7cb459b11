/*
 * A reader of Apache Thrift's compact protocol, the encoding of Parquet's file
 * metadata and page headers. It reads from a bounded byte range and never past
 * it; every call returns 0 or CM_ETRUNC (the range ended) or CM_EINVAL (a value
 * the protocol does not allow), and a nesting depth cap keeps skipping a hostile
 * structure from recursing without bound.
 */
#ifndef CM_SOURCE_THRIFT_H
#define CM_SOURCE_THRIFT_H

#include <stddef.h>
#include <stdint.h>

/* Compact protocol type ids. */
enum cm_thrift_type {
    CM_THRIFT_STOP = 0,
    CM_THRIFT_TRUE = 1, /* a boolean field's value is in its type */
    CM_THRIFT_FALSE = 2,
    CM_THRIFT_I8 = 3,
    CM_THRIFT_I16 = 4,
    CM_THRIFT_I32 = 5,
    CM_THRIFT_I64 = 6,
    CM_THRIFT_DOUBLE = 7,
    CM_THRIFT_BINARY = 8,
    CM_THRIFT_LIST = 9,
    CM_THRIFT_SET = 10,
    CM_THRIFT_MAP = 11,
    CM_THRIFT_STRUCT = 12,
};

#define CM_THRIFT_MAX_DEPTH 24

struct cm_thrift {
    const uint8_t *p, *end;
};

/* One struct being read: the id of its last field, for the delta encoding. */
struct cm_thrift_struct {
    int16_t last;
};

/*
 * A ULEB128 varint from *pp (before end), *pp moved past the bytes read (on failure
 * too, so an error's place is where reading stopped): Thrift's integers and Parquet's
 * own (RLE run headers, DELTA_BINARY_PACKED). Returns 0, CM_ETRUNC, or CM_EINVAL past
 * ten bytes.
 */
int cm_thrift_varint(const uint8_t **pp, const uint8_t *end, uint64_t *v);
/* A zigzag-encoded signed value (0, -1, 1, -2, ... written as 0, 1, 2, 3, ...). */
int64_t cm_thrift_unzigzag(uint64_t u);

/*
 * The next field of a struct: *id and *type, or *type CM_THRIFT_STOP at its end.
 * (Begin a struct with a zeroed cm_thrift_struct.)
 */
int cm_thrift_field(struct cm_thrift *t, struct cm_thrift_struct *s, int16_t *id, int *type);
/* An i8, i16, i32 or i64 value of that type, as an int64_t. */
int cm_thrift_int(struct cm_thrift *t, int type, int64_t *v);
/* A binary (or string): *p points into the range. */
int cm_thrift_binary(struct cm_thrift *t, const uint8_t **p, size_t *n);
/* A list or set header: its element type and count (checked against the bytes left). */
int cm_thrift_list(struct cm_thrift *t, int *elem, uint32_t *n);
/* Skips a value of type (depth: how deep it is already nested). */
int cm_thrift_skip(struct cm_thrift *t, int type, int depth);

#endif
