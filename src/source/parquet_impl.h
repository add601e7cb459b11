/*
 * Inside the Parquet reader: the file's metadata as far as flow logs need it
 * (parquet_meta.c), and a column's cursor over its pages (parquet_page.c).
 */
#ifndef CM_SOURCE_PARQUET_IMPL_H
#define CM_SOURCE_PARQUET_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Parquet's enums (parquet.thrift), the values this reader meets. */
enum {
    PQ_BOOLEAN = 0,
    PQ_INT32 = 1,
    PQ_INT64 = 2,
    PQ_INT96 = 3,
    PQ_FLOAT = 4,
    PQ_DOUBLE = 5,
    PQ_BYTE_ARRAY = 6,
    PQ_FIXED_LEN_BYTE_ARRAY = 7,
};
enum { PQ_UNCOMPRESSED = 0, PQ_SNAPPY = 1, PQ_GZIP = 2, PQ_ZSTD = 6 };
enum {
    PQ_PLAIN = 0,
    PQ_PLAIN_DICTIONARY = 2,
    PQ_RLE = 3,
    PQ_DELTA_BINARY_PACKED = 5,
    PQ_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_DELTA_BYTE_ARRAY = 7,
    PQ_RLE_DICTIONARY = 8,
};
enum { PQ_DATA_PAGE = 0, PQ_INDEX_PAGE = 1, PQ_DICTIONARY_PAGE = 2, PQ_DATA_PAGE_V2 = 3 };

#define PQ_MAX_COLUMNS 128
#define PQ_NAME_MAX    64

struct pq_col {
    char name[PQ_NAME_MAX]; /* as written in the text header (underscores made hyphens) */
    int type;
    bool optional;
};

/* One column's chunk in one row group. */
struct pq_chunk {
    uint64_t start, size; /* its pages, in the file */
    int64_t values;
    int codec;
};

struct pq_group {
    int64_t rows;
    struct pq_chunk *chunks; /* ncols of them */
};

struct pq_meta {
    struct pq_col cols[PQ_MAX_COLUMNS];
    uint32_t ncols;
    uint32_t out[PQ_MAX_COLUMNS]; /* the columns written out, flow log fields (in order) */
    uint32_t nout;
    struct pq_group *groups;
    uint32_t ngroups;
    struct pq_chunk *chunk_mem;
};

/* Reads the footer of in[0..n). Returns 0 or CM_EFORMAT with why (and *off) set, CM_ENOMEM. */
int pq_meta_read(const uint8_t *in, size_t n, struct pq_meta *m, char *why, size_t cap,
                 uint64_t *off);
void pq_meta_free(struct pq_meta *m);
/* The name of codec c ("ZSTD"), for an error. */
const char *pq_codec_name(int c);

/* The hybrid of run-length and bit-packed runs (levels, dictionary indices). */
struct pq_rle {
    const uint8_t *p, *end;
    const uint8_t *bits; /* a bit-packed run's next 8 values */
    uint64_t left;       /* values left in the run */
    uint32_t value;      /* a repeated run's value */
    uint32_t group[8];   /* a bit-packed run's current 8 values */
    unsigned k;          /* the next of them */
    int bw;              /* 0..32 */
    bool packed;
};

void pq_rle_init(struct pq_rle *r, const uint8_t *p, const uint8_t *end, int bw);
/* The next n values into out; returns how many, fewer where the runs are damaged or end. */
uint32_t pq_rle_fill(struct pq_rle *r, uint32_t *out, uint32_t n);

/* DELTA_BINARY_PACKED. */
struct pq_delta {
    const uint8_t *p, *end;
    const uint8_t *mb; /* the miniblock being read */
    uint64_t total, got, bitpos;
    uint32_t per_block, nmb, per_mb, mb_i, in_mb;
    uint64_t last, min_delta;
    uint8_t widths[256];
    int w;
};

/* Reads the stream's header at p. Returns 0, CM_ETRUNC or CM_EINVAL. */
int pq_delta_init(struct pq_delta *d, const uint8_t *p, const uint8_t *end);
int pq_delta_next(struct pq_delta *d, int64_t *v);
/* Where the bytes after stream d0 (freshly begun) start: its values all read. */
int pq_delta_end(const struct pq_delta *d0, const uint8_t **end);

/*
 * One value: null, or an integer, or bytes. An integer from a dictionary has its
 * decimal text in s too, written once for the dictionary. Bytes stay valid until
 * the cursor's next page.
 */
struct pq_value {
    bool null;
    int64_t i;
    const char *s;
    uint32_t len;
};

/* The most values a cursor fills at a time: the rows written together. */
#define PQ_BATCH 64

/* A column's cursor through a row group's chunk. */
struct pq_cursor {
    const struct pq_col *col;
    struct pq_chunk ch;
    const uint8_t *file, *p, *end; /* the chunk's pages left */
    int64_t left;                  /* values not yet in a page */
    uint64_t page_off;             /* the current page's offset in the file */
    struct cm_buf page, dict_page, prev;
    /* the dictionary: one entry a value, so a look-up is one cache line */
    struct pq_value *dict;
    uint32_t nd, dcap;
    bool has_dict;
    struct cm_buf dict_text; /* an integer dictionary's entries as text, once used */
    bool int_text;           /* it has room for all of them */
    /* the current data page */
    uint64_t n_left; /* values (nulls too) left in it */
    struct pq_rle def;
    bool levels;
    int enc;
    const uint8_t *vp, *vend; /* PLAIN values; DELTA_*: the byte data */
    struct pq_rle idx;
    struct pq_delta d1, d2;
    struct cm_buf bytes;                 /* a fill's DELTA_BYTE_ARRAY values */
    uint32_t lv[PQ_BATCH], ix[PQ_BATCH]; /* a fill's levels and indices */
    struct libdeflate_decompressor *gz;
};

/* Empty buffers; the caller sets gz, and bytes.max: the most bytes of DELTA_BYTE_ARRAY
 * values one fill may hold (the text's cap). */
void pq_cursor_init(struct pq_cursor *c);
/* Starts c on chunk ch of column col in file[0..n). */
void pq_cursor_start(struct pq_cursor *c, const struct pq_col *col, const struct pq_chunk *ch,
                     const uint8_t *file);
/*
 * Sets up the chunk's next data page when the current one is used up (n_left 0).
 * Returns 0, or CM_EINVAL with why set, CM_ENOMEM.
 */
int pq_cursor_page(struct pq_cursor *c, char *why, size_t cap);
/*
 * The page's next n values (n <= PQ_BATCH and n <= n_left) into v[0..n), valid until
 * the next page. Returns 0 with *got n; or CM_EINVAL with why set and *got the values
 * before the damage; CM_ENOMEM, CM_E2BIG.
 */
int pq_cursor_fill(struct pq_cursor *c, struct pq_value *v, uint32_t n, uint32_t *got, char *why,
                   size_t cap);
void pq_cursor_free(struct pq_cursor *c);

#endif
