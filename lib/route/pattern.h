/*
 * Amazon EventBridge event patterns: compile the JSON of a rule's
 * EventPattern once into an immutable struct cm_pattern, then match it
 * against events (EventBridge envelopes of findings) parsed with
 * lib/base/json.h.
 *
 * Grammar. A pattern is a non-empty JSON object. Each member names an event
 * field; its value is either an object (descend into that field: all of its
 * members must match) or a non-empty array of matchers (the field matches
 * when any matcher does). "$or": [obj, obj, ...] (two or more objects) at
 * any level matches when one of the objects does, ANDed with its siblings.
 * Matchers: a string, number, true, false or null (equality, JSON types kept
 * apart); {"prefix": s}, {"suffix": s} (either also {"equals-ignore-case":
 * s}); {"equals-ignore-case": s}; {"wildcard": "a*b"}; {"numeric": [op, n]}
 * or [">"|">=", n1, "<"|"<=", n2]; {"exists": bool}; {"cidr": "net/len"};
 * {"anything-but": X} with X a string, a number, a list of strings or of
 * numbers, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": string or
 * list of strings}.
 *
 * Event side: arrays met along a path or at its end are fanned out (arrays
 * of arrays flattened); a field matches when any reached leaf does, and the
 * members of one pattern object must all hold within the same array element.
 * docs/internals/route.md has the semantics, the decisions where AWS is
 * unclear, the error messages and the cost.
 *
 * Ownership: the compiled pattern copies what it needs (unescaped strings,
 * compiled wildcards) and never borrows the pattern text. Matching reads the
 * caller's document and allocates nothing; a compiled pattern may be shared
 * by threads.
 */
#ifndef CM_ROUTE_PATTERN_H
#define CM_ROUTE_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/json.h"

/* Limits enforced by cm_pattern_compile (ours; AWS documents none of these). */
#define CM_PATTERN_MAX_TEXT     (64u * 1024u) /* bytes of pattern JSON */
#define CM_PATTERN_MAX_DEPTH    32            /* nested pattern objects, $or branches included */
#define CM_PATTERN_MAX_MATCHERS 2048          /* elements of all matcher arrays together */
#define CM_PATTERN_JSON_DEPTH   128           /* JSON nesting the reader accepts (CM_EDEPTH) */

struct cm_pattern;

/*
 * Compiles an EventBridge event pattern (JSON text). Returns 0 and sets *out,
 * or CM_ESYNTAX / CM_EUTF8 / CM_EDEPTH (malformed JSON, from the reader),
 * CM_EINVAL (not a valid pattern), CM_E2BIG (over a limit above) or
 * CM_ENOMEM. On error *out is NULL and diag (may be NULL) gets the byte
 * offset of the offending value and a reason that starts with its pattern
 * path ("detail.severity: numeric: expected a number at position 1").
 */
int cm_pattern_compile(const char *json, size_t len, struct cm_pattern **out, struct cm_diag *diag);

/* Frees p; NULL is a no-op. */
void cm_pattern_destroy(struct cm_pattern *p);

/*
 * Whether the event at node root of ev (normally an object) matches. Pure,
 * thread-safe, allocation-free; a NULL pattern or document or a root outside
 * the tape gives false.
 */
bool cm_pattern_match(const struct cm_pattern *p, const struct cm_json_doc *ev, uint32_t root);

/*
 * Parses event JSON text and matches it. Returns 0 and sets *matched, or the
 * JSON reader's error (CM_ESYNTAX, CM_EUTF8, CM_EDEPTH, CM_E2BIG, CM_ENOMEM)
 * with diag filled and *matched false.
 */
int cm_pattern_match_json(const struct cm_pattern *p, const char *json, size_t len, bool *matched,
                          struct cm_diag *diag);

#endif
