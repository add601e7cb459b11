/*
 * Logging for src/ (lib/ never prints). Messages go to stderr prefixed with
 * "coalmine: ". log_warn appends strerror(errno); log_warnx does not.
 * fatal/fatalx log and exit(1); for start-up and impossible states only.
 */
#ifndef CM_CORE_LOG_H
#define CM_CORE_LOG_H

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
