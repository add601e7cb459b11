/*
 * A fuzz target's scratch store directory (mkdtemp under /tmp), removed with the store's
 * files when the target exits: a replay run by `make test` leaves nothing behind. Include
 * after store/store.h, in one target.
 */
#ifndef CM_FUZZ_SCRATCH_H
#define CM_FUZZ_SCRATCH_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"

static const char *fuzz_scratch_dir;
static struct cm_store **fuzz_scratch_store;

static void fuzz_scratch_remove(void)
{
    DIR *d;
    struct dirent *e;
    char path[512];

    if (*fuzz_scratch_store != NULL) {
        cm_store_close(*fuzz_scratch_store);
        *fuzz_scratch_store = NULL;
    }
    if ((d = opendir(fuzz_scratch_dir)) == NULL) {
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof(path), "%s/%s", fuzz_scratch_dir, e->d_name);
            (void)unlink(path);
        }
    }
    closedir(d);
    (void)rmdir(fuzz_scratch_dir);
}

/* Removes dir (made by mkdtemp), after closing *st, when the process exits. 0 or -1. */
static int fuzz_scratch_at_exit(const char *dir, struct cm_store **st)
{
    fuzz_scratch_dir = dir;
    fuzz_scratch_store = st;
    return atexit(fuzz_scratch_remove) == 0 ? 0 : -1;
}

#endif
