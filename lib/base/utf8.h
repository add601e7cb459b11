/*
 * UTF-8 and hex helpers shared by the JSON reader and writer and the flow
 * parser. Validation follows RFC 3629: no overlong forms, no encoded
 * surrogates (U+D800-DFFF), nothing above U+10FFFF, no truncated sequence.
 */
#ifndef CM_BASE_UTF8_H
#define CM_BASE_UTF8_H

#include <stddef.h>

/*
 * Length (2-4) of the valid UTF-8 sequence at s, whose first byte is >= 0x80,
 * with avail bytes readable; 0 when it is not a valid sequence.
 */
static inline size_t cm_utf8_seq(const unsigned char *s, size_t avail)
{
    size_t len;
    unsigned lo = 0x80, hi = 0xBF;

    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        lo = s[0] == 0xE0 ? 0xA0 : 0x80;
        hi = s[0] == 0xED ? 0x9F : 0xBF;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        lo = s[0] == 0xF0 ? 0x90 : 0x80;
        hi = s[0] == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (avail < len || s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return len;
}

#endif
