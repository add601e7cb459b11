/*
 * Loading a DGA model file (the format of data/dga/model.txt) for
 * `coalmine scan --dga-model` and `coalmine dns score --model`.
 */
#ifndef CM_INTEL_DGA_LOAD_H
#define CM_INTEL_DGA_LOAD_H

#include <stddef.h>

#include "detect/dga.h"

/*
 * Reads and parses the model at path into *out (free it with
 * cm_dga_model_free). Returns 0, or CM_EIO (cannot be read), CM_ENOMEM or
 * CM_EINVAL (not a model) with err saying "PATH: reason" or
 * "PATH:LINE: not a DGA model: reason".
 */
int cm_dga_model_load(const char *path, struct cm_dga_model **out, char *err, size_t errlen);

#endif
