/*
 * Loading the Public Suffix List for base/psl.h: the text file the Debian
 * package publicsuffix installs (the same data as libpsl's built-in list),
 * read whole and built into a suffix set. Without the file, callers fall
 * back to libpsl (slower; the same answers but for base/psl.h's one case).
 */
#ifndef CM_INTEL_PSL_LOAD_H
#define CM_INTEL_PSL_LOAD_H

#include <stddef.h>

#include "base/psl.h"

/* Where the list is looked for when no path is given. */
#define CM_PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

/*
 * Builds *out from the file at path, or from CM_PSL_DEFAULT_PATH when path
 * is NULL. With path NULL a missing default file is not an error: *out is
 * NULL and 0 is returned. Otherwise errors (CM_EIO, CM_EINVAL, CM_ENOMEM)
 * come with err naming the file.
 */
int cm_psl_load(const char *path, struct cm_psl **out, char *err, size_t errlen);

#endif
