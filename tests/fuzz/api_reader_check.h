/*
 * A property of the one request reader (src/api/api_input.c) that both API
 * fuzz targets check on every answer: a member given twice is answered
 * "<name>: given twice (byte N)", N the offset in the body of the second
 * member's opening quote. Only the reader's message ends that way: a value
 * a message quotes is followed by its quote, then " (byte N)".
 */
#ifndef CM_FUZZ_API_READER_CHECK_H
#define CM_FUZZ_API_READER_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "base/json.h"

/* Whether the answer (a parsed response body d) to body[0..blen) keeps the property. */
static inline bool fuzz_twice_ok(const struct cm_json_doc *d, const char *body, size_t blen)
{
    static const char pat[] = ": given twice (byte ";
    uint32_t m = cm_json_get(d, 0, "message");
    struct cm_str s;
    size_t i, n = 0, mul = 1;

    if (m == CM_JSON_NONE || cm_json_type(d, m) != CM_JSON_STRING) {
        return true;
    }
    s = cm_json_raw(d, m);
    if (s.len < sizeof(pat) + 1 || s.p[s.len - 1] != ')') {
        return true;
    }
    for (i = s.len - 1; i > 0 && s.p[i - 1] >= '0' && s.p[i - 1] <= '9'; i--) {
        n += (size_t)(s.p[i - 1] - '0') * mul;
        mul *= 10;
    }
    if (i == s.len - 1 || i < sizeof(pat) - 1 ||
        memcmp(s.p + i - (sizeof(pat) - 1), pat, sizeof(pat) - 1) != 0) {
        return true;
    }
    return n < blen && body[n] == '"';
}

#endif
