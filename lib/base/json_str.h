/*
 * The byte classes and the escape alphabet of a JSON string's body, shared by
 * the JSON reader, cm_json_unescape and readers that walk a known JSON shape
 * by hand (the CloudWatch Logs unwrap): a "special" byte ends an ordinary run,
 * being '"', '\\', a control byte (< 0x20) or the first byte of a non-ASCII
 * sequence (>= 0x80).
 */
#ifndef CM_BASE_JSON_STR_H
#define CM_BASE_JSON_STR_H

#include <stdbool.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* True for bytes that end an ordinary run inside a string. */
static inline bool cm_json_str_special(unsigned char c)
{
    return (unsigned char)(c - 0x20) >= 0x60 || c == '"' || c == '\\';
}

/*
 * What the one-letter escape \c stands for ('"', '\\' and '/' themselves,
 * b f n r t their control bytes), or 0 when \c is not one; \u, whose four
 * hex digits follow, is not. The JSON reader validates escapes with it, and
 * the readers that unescape (cm_json_unescape, the CloudWatch Logs unwrap)
 * replace them with it.
 */
static inline char cm_json_escape_char(unsigned char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return (char)c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

#ifdef __SSE2__
/*
 * Bit k is set when p[k] (of 16) is special in a string. A signed compare
 * with 0x20 catches both control bytes and bytes >= 0x80.
 */
static inline unsigned cm_json_special16(const char *p)
{
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i m =
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));

    m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

#endif
