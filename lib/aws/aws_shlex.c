/*
 * credential_process's command line split as shlex.split does (aws_shlex.h).
 */
#include "aws/aws_shlex.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int cm_aws_shlex_split(const char *s, char *buf, size_t buflen,
                       char *argv[CM_AWS_SHLEX_MAX_ARGS + 1], size_t *argc, char *why,
                       size_t whylen)
{
    size_t o = 0, n = 0;

    *argc = 0;
    argv[0] = NULL;
    for (size_t i = 0; s[i] != '\0';) {
        if (blank(s[i])) {
            i++;
            continue;
        }
        if (n == CM_AWS_SHLEX_MAX_ARGS) {
            snprintf(why, whylen, "more than %d words", CM_AWS_SHLEX_MAX_ARGS);
            return CM_E2BIG;
        }
        argv[n++] = buf + o;
        /* One word: up to an unquoted blank. */
        while (s[i] != '\0' && !blank(s[i])) {
            char q = s[i];
            if (o + 1 >= buflen) {
                snprintf(why, whylen, "the command is too long");
                return CM_E2BIG;
            }
            if (q == '\\') {
                if (s[i + 1] == '\0') {
                    snprintf(why, whylen, "a backslash at the end (no escaped character)");
                    return CM_ESYNTAX;
                }
                buf[o++] = s[i + 1];
                i += 2;
                continue;
            }
            if (q != '\'' && q != '"') {
                buf[o++] = s[i++];
                continue;
            }
            for (i++;; i++) {
                if (s[i] == '\0') {
                    snprintf(why, whylen, "no closing quotation (%c)", q);
                    return CM_ESYNTAX;
                }
                if (s[i] == q) {
                    i++;
                    break;
                }
                if (o + 1 >= buflen) {
                    snprintf(why, whylen, "the command is too long");
                    return CM_E2BIG;
                }
                if (q == '"' && s[i] == '\\' && s[i + 1] != '\0' &&
                    (s[i + 1] == '\\' || s[i + 1] == '"')) {
                    i++;
                }
                buf[o++] = s[i];
            }
        }
        if (o + 1 > buflen) {
            snprintf(why, whylen, "the command is too long");
            return CM_E2BIG;
        }
        buf[o++] = '\0';
    }
    argv[n] = NULL;
    *argc = n;
    if (n == 0) {
        snprintf(why, whylen, "an empty command");
        return CM_EINVAL;
    }
    return 0;
}
