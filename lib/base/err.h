/*
 * Error codes of libcoalmine. A function that can fail returns int: 0 on
 * success or one of the negative CM_E* values below. errno is never part of
 * the API; src/ turns system errors into these codes (usually CM_EIO).
 */
#ifndef CM_BASE_ERR_H
#define CM_BASE_ERR_H

enum cm_err {
    CM_OK = 0,
    CM_ENOMEM = -1,    /* allocation failed */
    CM_EINVAL = -2,    /* bad argument or malformed input */
    CM_E2BIG = -3,     /* input or structure exceeds a configured cap */
    CM_ESYNTAX = -4,   /* syntax error in parsed input */
    CM_ERANGE = -5,    /* number out of range */
    CM_EIO = -6,       /* an I/O error (src/ only) */
    CM_ENOTFOUND = -7, /* lookup found nothing */
    CM_EFULL = -8,     /* a bounded table or queue is full */
    CM_EUTF8 = -9,     /* invalid UTF-8 */
    CM_EDEPTH = -10,   /* nesting too deep */
    CM_EFORMAT = -11,  /* unknown or unsupported format */
    CM_ETRUNC = -12,   /* input ended early */
    CM_EEXIST = -13,   /* the name or key is already taken */
    CM_EUNAVAIL = -14, /* the other end cannot take anything now: try later (src/ only) */
};

/* Returns a static, human-readable description of an error code. */
const char *cm_strerror(int err);

#endif
