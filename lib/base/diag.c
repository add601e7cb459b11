/*
 * Filling struct cm_diag.
 */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>

void cm_diag_clear(struct cm_diag *d)
{
    if (d == NULL) {
        return;
    }
    d->offset = 0;
    d->line = 0;
    d->msg[0] = '\0';
}

void cm_diag_set(struct cm_diag *d, size_t offset, const char *fmt, ...)
{
    va_list ap;

    if (d == NULL) {
        return;
    }
    d->offset = offset;
    d->line = 0;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}
