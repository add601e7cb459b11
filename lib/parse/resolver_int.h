/*
 * What the Route 53 Resolver parser's two halves share: resolver.c (the
 * JSON reader's path, and the parser) and resolver_fast.c (the fast path
 * for records of the usual shape). Private to lib/parse.
 */
#ifndef CM_PARSE_RESOLVER_INT_H
#define CM_PARSE_RESOLVER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/str.h"
#include "base/time.h"
#include "event/event.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bits for the members seen so far: the first of a repeated key wins. */
enum dns_key {
    K_VERSION,
    K_ACCOUNT_ID,
    K_REGION,
    K_VPC_ID,
    K_QUERY_TIMESTAMP,
    K_QUERY_NAME,
    K_QUERY_TYPE,
    K_QUERY_CLASS,
    K_RCODE,
    K_ANSWERS,
    K_SRCADDR,
    K_SRCPORT,
    K_TRANSPORT,
    K_SRCIDS,
    K_FW_ACTION,
    K_FW_GROUP,
    K_FW_LIST,
    K_NONE,
};

/* The member a top-level key names (K_NONE for any other). */
enum dns_key cm_resolver_key(const char *k, size_t klen);

/* An answer's Type as enum cm_dns_rr. */
uint8_t cm_resolver_rr_type(struct cm_str t);

/*
 * Reads the record at buf[start..len) if it has the usual shape; fills ev
 * and *endp (just past the record) and returns true. False: the JSON
 * reader must do it (nothing is kept). It tries the canonical reader, then
 * the general one.
 */
bool cm_resolver_fast_record(const char *buf, size_t len, size_t start, size_t *endp,
                             struct cm_event *ev, struct cm_time_memo *tm);

/*
 * The two fast readers, for tests: the general one takes flat string
 * members in any order and blanks between tokens (resolver_fast.c); the
 * canonical one (resolver_canon.c) only the compact record of AWS's
 * members in AWS's order, and reads it with about a third of the work. Where
 * the canonical one succeeds the general one fills the event alike.
 */
bool cm_resolver_general_record(const char *buf, size_t len, size_t start, size_t *endp,
                                struct cm_event *ev, struct cm_time_memo *tm);

/* What both fast readers do first: the event's DNS fields emptied. */
void cm_resolver_fast_begin(struct cm_dns *dns);

/*
 * What both do last, p just past the record's closing brace: only blanks to
 * the end of the line, a query name and a timestamp that parses (ev's time);
 * then ev is a DNS event of its account and region. False: the record is not
 * the fast readers'.
 */
bool cm_resolver_fast_end(const char *p, const char *end, struct cm_event *ev,
                          struct cm_time_memo *tm);
bool cm_resolver_canonical_record(const char *buf, size_t len, size_t start, size_t *endp,
                                  struct cm_event *ev, struct cm_time_memo *tm);

/* Bytes a fast string may hold: printable ASCII but '"' and '\\'. */
static inline bool cm_resolver_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/*
 * The first byte at or after q that is not plain (the closing quote, when
 * the string is plain), or end. Sixteen bytes a step: a byte below 0x20 or
 * from 0x80 up is negative or small as a signed byte, so one compare finds
 * both.
 */
static inline __attribute__((always_inline)) const char *cm_resolver_plain_end(const char *q,
                                                                               const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);

    while (end - q >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bs)),
                                 _mm_or_si128(_mm_cmplt_epi8(v, sp), _mm_cmpeq_epi8(v, del)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);

        if (bits != 0) {
            return q + __builtin_ctz(bits);
        }
        q += 16;
    }
#endif
    while (q < end && cm_resolver_plain((unsigned char)*q)) {
        q++;
    }
    return q;
}

#endif
