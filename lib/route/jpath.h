/*
 * The JSONPath subset of EventBridge's InputPath and InputPathsMap: "$",
 * then steps ".name" (letters, digits, '_', '-', '/'), ".*", "[n]" and
 * "[*]"; with brackets allowed (InputPath) also "['name']" and "[\"name\"]"
 * with any name that holds no quote of its kind. A path is parsed once into
 * a struct cm_jpath (which owns a copy of its text) and evaluated against
 * documents parsed with lib/base/json.h. docs/internals/route.md
 * ("Target input") has the decisions where AWS is unclear.
 */
#ifndef CM_ROUTE_JPATH_H
#define CM_ROUTE_JPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/json.h"

#define CM_JPATH_MAX_LEN   256 /* bytes of path text, as AWS limits InputPath */
#define CM_JPATH_MAX_STEPS 64

#define CM_JPATH_NAME (-1) /* a step by name */
#define CM_JPATH_ANY  (-2) /* a wildcard step */

struct cm_jpath_step {
    int32_t index;     /* >= 0: array index; CM_JPATH_NAME or CM_JPATH_ANY */
    uint32_t off, len; /* the name: text[off..off+len) */
};

struct cm_jpath {
    char text[CM_JPATH_MAX_LEN + 1];
    uint32_t nsteps;
    bool wild; /* some step is a wildcard: the path reaches a list */
    struct cm_jpath_step step[CM_JPATH_MAX_STEPS];
};

/*
 * Parses path s (n bytes) into *p. brackets allows "['name']" steps. Returns
 * 0, or CM_EINVAL / CM_E2BIG with diag (may be NULL) holding the byte offset
 * in s and the reason ("expected '.' or '[' after a step").
 */
int cm_jpath_parse(const char *s, size_t n, bool brackets, struct cm_jpath *p,
                   struct cm_diag *diag);

/*
 * Calls fn(ud, node) for each node of d under root that p reaches, in
 * document order, until fn returns false. Returns how many were reached.
 */
uint32_t cm_jpath_eval(const struct cm_jpath *p, const struct cm_json_doc *d, uint32_t root,
                       bool (*fn)(void *ud, uint32_t node), void *ud);

#endif
