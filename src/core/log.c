/*
 * stderr logging for the command-line tool and the daemon.
 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vlog(const char *fmt, va_list ap, int err)
{
    char msg[1024];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (err) {
        fprintf(stderr, "coalmine: %s: %s\n", msg, strerror(err));
    } else {
        fprintf(stderr, "coalmine: %s\n", msg);
    }
}

void log_warn(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, err);
    va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, 0);
    va_end(ap);
}

void log_info(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, 0);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, err);
    va_end(ap);
    exit(1);
}

void fatalx(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlog(fmt, ap, 0);
    va_end(ap);
    exit(1);
}
