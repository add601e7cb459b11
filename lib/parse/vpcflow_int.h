/*
 * What the VPC Flow Logs parser (vpcflow.c) and its field table
 * (vpcflow_fields.c) share. Private to lib/parse.
 */
#ifndef CM_PARSE_VPCFLOW_INT_H
#define CM_PARSE_VPCFLOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "event/event.h"

#define DEFAULT_NCOLS 14 /* version .. log-status, in enum order */

/* Whether the token p[0, len) is the literal lit[0, litlen). */
static inline bool tok_is(const char *p, size_t len, const char *lit, size_t litlen)
{
    return len == litlen && memcmp(p, lit, litlen) == 0;
}

/* Whether the token p[0, len) is "-" (a field without a value). */
static inline bool is_dash(const char *p, size_t len)
{
    return len == 1 && p[0] == '-';
}

/*
 * The field id (enum cm_flow_field) of the name p[0..len), with or without
 * "${...}" around it; -1 when it names no field.
 */
int cm_flow_field_lookup(const char *p, size_t len);

/* The log format version that brought field id (2..10); 0 for no field. */
int cm_flow_field_version(unsigned id);

/* Whether p[0..len) (with or without "${...}") has the shape of a field name. */
bool cm_flow_field_name_shaped(const char *p, size_t len);

/*
 * Whether p[0..len) (with or without "${...}") names a field only Transit
 * Gateway flow logs have (resource-type, tgw-id, ..., packets-lost-*; the
 * exact names, so a value such as "tgw-0a1b" is not one).
 */
bool cm_flow_field_tgw(const char *p, size_t len);

/* Sets the typed value of field id in fl to what a line with "-" there means. */
void cm_flow_field_set_default(struct cm_flow *fl, unsigned id);

/* vpcflow_canon.c: the formats of header-less lines, [0] the default one, then the "all
 * fields" of versions 3, 4, 5, 7, 8, 9 and 10 (21 to 42 fields). */
#define CM_FLOW_NCANON 8
struct cm_flow_format;
struct cm_flow_tok;
extern const struct cm_flow_format cm_flow_canon_fmt[CM_FLOW_NCANON];

/*
 * The cm_flow_canon_fmt of a header-less line of ntok fields toks (offsets into line): 0
 * for the default format's 14 (whatever the values, as always: a bad one is rejected
 * with its field's reason); for the others, only when each field with a shape of its
 * own holds what AWS's order puts there (else -2, and *bad says which: a custom format
 * in another order, which needs --flow-fields); -1 when no format has that many fields.
 */
int cm_flow_canon_pick(const char *line, const struct cm_flow_tok *toks, int ntok, int *bad);

/* The reject reason of a line cm_flow_canon_pick gave k < 0 (and bad) for. */
void cm_flow_canon_reason(char *out, size_t outlen, int ntok, int k, int bad);

#endif
