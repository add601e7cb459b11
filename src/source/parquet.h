/*
 * VPC Flow Logs delivered to S3 in Apache Parquet ("*.log.parquet"), read as
 * the same records in the plain-text format: the file's rows become a header
 * line of its column names (account_id -> account-id) and one line per row,
 * fields separated by a space, a null as "-". The flow log parser then reads
 * them as it reads any custom-format file, so a Parquet file and the text file
 * of the same records give the same events, counts and findings. A record's
 * location is its line in that text: line 1 names the columns, line N + 1 is
 * row N of the file.
 *
 * Read: a flat schema whose flow log fields are INT32, INT64 or BYTE_ARRAY
 * columns, required or optional (other columns are left out of the text); data pages v1 and v2;
 * PLAIN, dictionary (PLAIN_DICTIONARY, RLE_DICTIONARY), DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY values; UNCOMPRESSED, SNAPPY, GZIP and ZSTD pages.
 * Anything else is named in the error. Decoding streams value by value, so memory is one
 * decompressed page and one dictionary per column, whatever a page claims.
 */
#ifndef CM_SOURCE_PARQUET_H
#define CM_SOURCE_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct libdeflate_decompressor;

/* True when p[0..n) starts as a Parquet file does ("PAR1"); its end is checked when read. */
bool cm_parquet_sniff(const void *p, size_t n);

/* A row group, or the rest of one, that could not be read. */
struct cm_parquet_damage {
    uint64_t offset; /* the file's byte where it went wrong */
    uint64_t rows;   /* rows lost */
    uint32_t line;   /* the text line the first of them would have had */
    char msg[384];
};

typedef void (*cm_parquet_damage_fn)(void *ud, const struct cm_parquet_damage *d);

/*
 * A reader's memory for Parquet files (the column cursors, their pages and
 * dictionaries), kept from file to file by a caller that reads many.
 */
struct cm_parquet_mem;
void cm_parquet_mem_free(struct cm_parquet_mem *pm);

/*
 * Writes the rows of the Parquet file in[0..n) to out (reset first; out->max
 * caps it) as flow log text, inflating GZIP pages with gz. keep, when not NULL,
 * is the memory to read with (*keep NULL: made here, and left in *keep for the
 * next file; the caller frees it with cm_parquet_mem_free); with NULL, memory is
 * made for this file alone. A row group that cannot be read is reported to
 * damage(ud, ...) and left out, and the others are read. Returns 0; CM_EFORMAT
 * when the file cannot be read at all (not Parquet, a footer that does not
 * parse, a schema or a compression it does not read), with *why saying why and
 * *off where; CM_E2BIG over the cap; CM_ENOMEM.
 */
int cm_parquet_to_text(const void *in, size_t n, struct cm_buf *out,
                       struct libdeflate_decompressor *gz, struct cm_parquet_mem **keep,
                       cm_parquet_damage_fn damage, void *ud, char *why, size_t why_cap,
                       uint64_t *off);

#endif
