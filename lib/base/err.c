/*
 * Text for the CM_E* error codes.
 */
#include "base/err.h"

const char *cm_strerror(int err)
{
    switch (err) {
    case CM_OK:
        return "success";
    case CM_ENOMEM:
        return "out of memory";
    case CM_EINVAL:
        return "invalid argument or input";
    case CM_E2BIG:
        return "too big";
    case CM_ESYNTAX:
        return "syntax error";
    case CM_ERANGE:
        return "out of range";
    case CM_EIO:
        return "input/output error";
    case CM_ENOTFOUND:
        return "not found";
    case CM_EFULL:
        return "full";
    case CM_EUTF8:
        return "invalid UTF-8";
    case CM_EDEPTH:
        return "nesting too deep";
    case CM_EFORMAT:
        return "unknown format";
    case CM_ETRUNC:
        return "truncated input";
    case CM_EEXIST:
        return "already exists";
    case CM_EUNAVAIL:
        return "unavailable, try again later";
    default:
        return "unknown error";
    }
}
