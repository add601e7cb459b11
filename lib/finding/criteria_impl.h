/*
 * Internal layout of struct cm_criteria, shared by the compiler
 * (criteria.c), the matcher (criteria_match.c) and the writer
 * (criteria_write.c). Not part of the public API.
 *
 * Everything a compiled criteria object holds lives in its arena: the term
 * array, the value arrays and the copied strings. Paths point into the const
 * field table.
 */
#ifndef CM_FINDING_CRITERIA_IMPL_H
#define CM_FINDING_CRITERIA_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "finding/criteria.h"

/* One value of a list operator, pre-converted for the field's type. */
struct crit_val {
    struct cm_str s; /* canonical text (unescaped), owned by the arena */
    double num;      /* NUMBER/TIME (and ANY when numeric) */
    bool has_num;    /* num is valid */
    bool bval;       /* BOOL */
};

/*
 * The range operators of one condition form one interval, tested against
 * each value on its own (so {"gt": 100, "lt": 1000} on a list of ports needs
 * one port inside the interval); op is then CM_CRIT_GT.
 */
struct crit_range {
    double lo, hi;
    bool has_lo, lo_incl;
    bool has_hi, hi_incl;
};

struct crit_term {
    const struct cm_crit_field *field;
    enum cm_crit_op op;
    uint32_t nvals;
    struct crit_val *vals; /* list operators */
    struct crit_range r;   /* range operators */
    uint32_t cond;         /* index of the condition object the term came from */
};

struct cm_criteria {
    struct cm_arena arena;
    struct crit_term *terms;
    uint32_t n;
};

/* True for the operators whose value is a single number. */
static inline bool crit_op_is_range(enum cm_crit_op op)
{
    return op == CM_CRIT_GT || op == CM_CRIT_GTE || op == CM_CRIT_LT || op == CM_CRIT_LTE;
}

/* Parses a whole slice as a decimal number (JSON grammar); false otherwise. */
bool cm_crit_parse_number(struct cm_str s, double *out);

#endif
