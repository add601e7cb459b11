/*
 * MISP attribute types that name a network indicator, shared by the MISP
 * JSON reader (format_misp.c) and the MISP CSV reader (format_misp_csv.c):
 * how a value of each type splits into items and what kind each part is.
 */
#ifndef CM_INTEL_FORMAT_MISP_H
#define CM_INTEL_FORMAT_MISP_H

#include "base/str.h"
#include "intel/format.h"

enum cm_misp_split {
    CM_MISP_SPLIT_NONE = 0, /* the whole value */
    CM_MISP_SPLIT_FIRST,    /* the part before the last '|' */
    CM_MISP_SPLIT_BOTH,     /* the parts before and after the first '|', each an item */
};

struct cm_misp_type {
    const char *type;
    enum cm_misp_split split;
    enum cm_intel_value kind;  /* of the whole value or the first part */
    enum cm_intel_value kind2; /* of the second part (SPLIT_BOTH) */
};

/* The network type named t ("ip-dst", "domain|ip", ...), or NULL for any other type. */
const struct cm_misp_type *cm_misp_type_find(struct cm_str t);

#endif
