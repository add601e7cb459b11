/*
 * coalmine version: the program version and the library versions it was
 * built with.
 */
#include <getopt.h>
#include <libdeflate.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cli/cmd.h"
#include "coalmine/version.h"

static int run(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: coalmine version\n\nPrints the version of coalmine and of the libraries "
               "it was built with.\n");
        return CM_EXIT_OK;
    }
    if (argc > 1) {
        fprintf(stderr, "coalmine version: unexpected argument '%s'\n", argv[1]);
        return CM_EXIT_USAGE;
    }
    printf("coalmine %s\n", COALMINE_VERSION);
    printf("libdeflate %s, zlib %s\n", LIBDEFLATE_VERSION_STRING, zlibVersion());
    return CM_EXIT_OK;
}

const struct cm_cmd cm_cmd_version = {
    .name = "version",
    .summary = "print the version",
    .run = run,
};
