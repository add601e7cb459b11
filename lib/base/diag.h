/*
 * Diagnostics for bad input. The engine never prints: a parser that rejects
 * input fills a caller-owned struct cm_diag with where (byte offset and, when
 * known, 1-based line) and why. The caller decides how to report it.
 */
#ifndef CM_BASE_DIAG_H
#define CM_BASE_DIAG_H

#include <stddef.h>

struct cm_diag {
    size_t offset; /* byte offset of the problem in the parsed buffer */
    size_t line;   /* 1-based line number, 0 when unknown */
    char msg[160]; /* reason, NUL-terminated */
};

/* Clears d (no-op for NULL). */
void cm_diag_clear(struct cm_diag *d);

/* Sets offset and a printf-formatted reason (no-op for NULL). */
void cm_diag_set(struct cm_diag *d, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
