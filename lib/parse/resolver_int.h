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
 * reader must do it (nothing is kept).
 */
bool cm_resolver_fast_record(const char *buf, size_t len, size_t start, size_t *endp,
                             struct cm_event *ev, struct cm_time_memo *tm);

#endif
