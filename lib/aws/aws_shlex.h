/*
 * A credential_process command line split into arguments the way botocore splits it on
 * POSIX (Python's shlex.split): blanks separate words; '...' keeps everything as is;
 * "..." keeps everything but a backslash before \ or ", which escapes it; outside
 * quotes a backslash escapes the next byte, whatever it is. No
 * '#' comments, no variables, no globs: the program is run without a shell. No I/O.
 */
#ifndef CM_AWS_AWS_SHLEX_H
#define CM_AWS_AWS_SHLEX_H

#include <stddef.h>

#define CM_AWS_SHLEX_MAX_ARGS 64

/*
 * Splits s into argv[0..*argc) (NUL-terminated, argv[*argc] NULL), the words written into
 * buf (buflen >= strlen(s) + 1 is always enough). Returns 0, or CM_ESYNTAX (a quote not
 * closed, a backslash at the end), CM_EINVAL (no word at all) or CM_E2BIG (more than
 * CM_AWS_SHLEX_MAX_ARGS words, buf too small), with why saying which.
 */
int cm_aws_shlex_split(const char *s, char *buf, size_t buflen,
                       char *argv[CM_AWS_SHLEX_MAX_ARGS + 1], size_t *argc, char *why,
                       size_t whylen);

#endif
