/*
 * Records of one input in event-time order. AWS writes a CloudTrail file's records in no
 * particular order ("CloudTrail log files are not an ordered stack trace"), while the
 * detectors that learn and then judge (a trail's bucket, then its deletion; a password
 * policy, then its weakening) read them in the order they come. The scan parses an input
 * as it is; when its records' times go backwards it puts them in order with these and
 * parses them again (src/core/scan_order.c). Pure: no I/O.
 */
#ifndef CM_PARSE_REC_ORDER_H
#define CM_PARSE_REC_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse/cwl.h"

/* Where one record is in the input, and its event time. */
struct cm_rec_span {
    int64_t time_ms;
    uint64_t off;  /* its first byte in the input */
    uint32_t len;  /* its bytes */
    uint32_t line; /* the 1-based line of off */
};

/* True when s[0..n) are in order of time (equal times in any order). */
bool cm_rec_order_sorted(const struct cm_rec_span *s, size_t n);

/* Sorts s[0..n) by time, records of one time by offset (so in the order they were). */
void cm_rec_order_sort(struct cm_rec_span *s, size_t n);

/*
 * Sorts s[0..n) by time (records of one time in the order they were) and writes the
 * records they locate, one after another in that order and each followed by '\n', into
 * c->out (emptied first), with c->piece[i] mapping the i-th back to its offset, length
 * and line in the input, so locations in the text are the input's (cm_cwl_locate). src
 * holds the input's bytes from offset base_off on, src_len of them. Returns 0, CM_EINVAL
 * (a span outside src), CM_E2BIG (past c->out's cap) or CM_ENOMEM.
 */
int cm_rec_order_text(struct cm_rec_span *s, size_t n, const char *src, size_t src_len,
                      uint64_t base_off, struct cm_cwl *c);

#endif
