/*
 * The API's operations: one line per operation of spec/GUARDDUTY.md §6 that
 * coalmine serves, in the order of that section. The handlers live in
 * api_<group>.c files.
 */
#include "api/api.h"

const struct cm_api_route cm_api_routes[] = {
    {NULL, NULL, NULL, NULL},
};
