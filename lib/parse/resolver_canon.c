/*
 * The canonical reader of the Route 53 Resolver parser's fast path. Almost
 * every record AWS writes is the same compact line: the same members in the
 * same order, every value a string, no blank between tokens:
 *
 *   {"version":"...","account_id":"...","region":"...","vpc_id":"...",
 *    "query_timestamp":"...","query_name":"...","query_type":"...",
 *    "query_class":"...","rcode":"...","answers":[{"Rdata":"...",
 *    "Type":"...","Class":"..."},...],"srcaddr":"...","srcport":"...",
 *    "transport":"...","srcids":{"instance":"..."}}
 *
 * (srcids may be empty, or missing: trimmed by a Firehose transform or a
 * shipper, the record ends after transport). So the text between two
 * values is a constant, and this reader only compares constants and finds
 * closing quotes, sixteen bytes a step. Anything else, a member more or less, another order, a
 * blank, an escape, a number for srcport, and it gives up: the general
 * reader (resolver_fast.c) starts the record over. Where this reader
 * succeeds, the general one fills the event alike (test_resolver_canon.c
 * and fuzz_dns check it).
 */
#include "parse/resolver_int.h"

#include <stdint.h>
#include <string.h>

#include "base/ip.h"

/*
 * Whether p[0..n) is lit[0..n). With lit and n constants this unrolls into
 * a few 8-byte compares (the last one overlapping the one before), where
 * memcmp would be a call for most of these lengths.
 */
static inline __attribute__((always_inline)) bool lit_at(const char *p, const char *lit, size_t n)
{
    uint64_t a, b;
    size_t i = 0;

    if (n < 8) {
        for (; i < n; i++) {
            if (p[i] != lit[i]) {
                return false;
            }
        }
        return true;
    }
    for (; i + 8 <= n; i += 8) {
        memcpy(&a, p + i, 8);
        memcpy(&b, lit + i, 8);
        if (a != b) {
            return false;
        }
    }
    if (i < n) {
        memcpy(&a, p + n - 8, 8);
        memcpy(&b, lit + n - 8, 8);
        return a == b;
    }
    return true;
}

/* Steps p over the constant lit when the text at p starts with it; else fails the read. */
#define LIT(lit)                                                                                   \
    do {                                                                                           \
        if ((size_t)(end - p) < sizeof(lit) - 1 || !lit_at(p, lit, sizeof(lit) - 1)) {             \
            return false;                                                                          \
        }                                                                                          \
        p += sizeof(lit) - 1;                                                                      \
    } while (0)

/* Reads a plain string's bytes up to its closing quote (left at p) into *dst; else fails. */
#define VAL(dst)                                                                                   \
    do {                                                                                           \
        const char *q_ = cm_resolver_plain_end(p, end);                                            \
        if (q_ >= end || *q_ != '"') {                                                             \
            return false;                                                                          \
        }                                                                                          \
        *(dst) = cm_str_make(p, (size_t)(q_ - p));                                                 \
        p = q_;                                                                                    \
    } while (0)

/* The answers array after its '[': objects of Rdata, Type and Class. */
static bool answers(const char **pp, const char *end, struct cm_dns *dns)
{
    const char *p = *pp;

    if (p < end && *p == ']') {
        *pp = p + 1;
        return true;
    }
    for (;;) {
        struct cm_str rdata, type, cls;

        LIT("{\"Rdata\":\"");
        VAL(&rdata);
        LIT("\",\"Type\":\"");
        VAL(&type);
        LIT("\",\"Class\":\"");
        VAL(&cls);
        LIT("\"}");
        if (dns->nans < CM_DNS_MAX_ANSWERS) {
            struct cm_dns_answer *an = &dns->ans[dns->nans++];

            an->rdata = rdata;
            an->type = cm_resolver_rr_type(type);
            memset(&an->ip, 0, sizeof(an->ip));
        }
        dns->nanswers++;
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == ']') {
            *pp = p + 1;
            return true;
        }
        return false;
    }
}

bool cm_resolver_canonical_record(const char *buf, size_t len, size_t start, size_t *endp,
                                  struct cm_event *ev, struct cm_time_memo *tm)
{
    struct cm_dns *dns = &ev->u.dns;
    const char *p = buf + start, *end = buf + len;
    struct cm_str port;
    unsigned long long n;

    cm_resolver_fast_begin(dns);
    LIT("{\"version\":\"");
    VAL(&dns->version);
    LIT("\",\"account_id\":\"");
    VAL(&dns->account_id);
    LIT("\",\"region\":\"");
    VAL(&dns->region);
    LIT("\",\"vpc_id\":\"");
    VAL(&dns->vpc_id);
    LIT("\",\"query_timestamp\":\"");
    VAL(&dns->query_timestamp);
    LIT("\",\"query_name\":\"");
    VAL(&dns->query_name);
    LIT("\",\"query_type\":\"");
    VAL(&dns->query_type);
    LIT("\",\"query_class\":\"");
    VAL(&dns->query_class);
    LIT("\",\"rcode\":\"");
    VAL(&dns->rcode);
    LIT("\",\"answers\":[");
    if (!answers(&p, end, dns)) {
        return false;
    }
    LIT(",\"srcaddr\":\"");
    VAL(&dns->srcaddr);
    LIT("\",\"srcport\":\"");
    VAL(&port);
    LIT("\",\"transport\":\"");
    VAL(&dns->transport);
    if (end - p >= 2 && p[0] == '"' && p[1] == '}') {
        p += 2; /* no srcids */
    } else {
        LIT("\",\"srcids\":{");
        if (p < end && *p == '"') {
            LIT("\"instance\":\"");
            VAL(&dns->srcid_instance);
            LIT("\"");
        }
        LIT("}}");
    }
    *endp = (size_t)(p - buf);
    (void)cm_ip_parse(dns->srcaddr, &dns->src_ip); /* NONE when not an IP */
    dns->srcport = cm_str_to_u64(port, 65535, &n) == 0 ? (int32_t)n : -1;
    return cm_resolver_fast_end(p, end, ev, tm);
}
