/*
 * The VPC Flow Logs line scanner: splitting a line into space-separated
 * tokens 64 bytes at a time (SSE2 where available, SWAR otherwise) and
 * reading decimal fields eight digits at a time. Pure functions over a byte
 * range, shared by the flow parser and its tests; no knowledge of fields.
 */
#ifndef CM_PARSE_FLOW_SCAN_H
#define CM_PARSE_FLOW_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "parse/parse.h"

struct cm_flow_tok {
    uint32_t off; /* from the start of the line */
    uint32_t len;
};

/*
 * Splits line[0..len) at spaces and tabs into toks (room for
 * CM_FLOW_MAX_COLS + 1). avail is how many bytes may be read from line (at
 * least len); blocks near the end are copied to a padded buffer. Sets
 * *bad to non-zero when the line holds a byte outside printable ASCII (the
 * caller then validates it as UTF-8). Returns the token count, or
 * CM_FLOW_MAX_COLS + 1 when there are more.
 */
int cm_flow_tokenize(const char *line, size_t len, size_t avail, struct cm_flow_tok *toks,
                     uint64_t *bad);

/*
 * Reads an unsigned decimal filling p[0..len) (no sign, no spaces) and checks
 * it against max. readable is how many bytes may be loaded from p: with 16 or
 * more, up to 16 digits are read eight at a time. Returns 0, CM_EINVAL (not a
 * number) or CM_ERANGE.
 */
int cm_flow_read_uint_any(const char *p, size_t len, size_t readable, uint64_t max, uint64_t *out);

/*
 * cm_flow_read_uint_any, with the commonest fields (version, protocol, ports, most packet
 * counts: one to four digits) read here, a digit at a time, without a call (a flow line
 * has nine numbers).
 */
static inline int cm_flow_read_uint(const char *p, size_t len, size_t readable, uint64_t max,
                                    uint64_t *out)
{
    uint64_t v = 0;

    if (len - 1 >= 4) {
        return cm_flow_read_uint_any(p, len, readable, max, out);
    }
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9u) {
            return CM_EINVAL;
        }
        v = v * 10 + d;
    }
    if (v > max) {
        return CM_ERANGE;
    }
    *out = v;
    return CM_OK;
}

#endif
