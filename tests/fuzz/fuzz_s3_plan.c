/*
 * libFuzzer target for the listing plan of a watched S3 location (lib/aws/s3_plan.c),
 * whose input is what a bucket's listing holds: any key and folder name a writer chose.
 *
 * The input is split at its first NUL into a folder (a watched prefix, or a common prefix
 * a listing gave) and a key, each copied into an exact-size heap buffer so over-reads are
 * caught. cm_s3_plan_folder must give a stream root that is a folder ('/'-ended) prefix
 * of the folder; the key's day under that root, when it has one, must be a date whose
 * StartAfter sorts before the key (so its keys are listed) and after every key of two days
 * before; cm_s3_plan_is_input must only take keys under the prefix that are no folder
 * markers. Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/s3_plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static char *copy(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);

    if (s != NULL) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t fn = nul != NULL ? (size_t)(nul - data) : size;
    char *folder = copy(data, fn);
    char *key = copy(nul != NULL ? nul + 1 : data + size, nul != NULL ? size - fn - 1 : 0);
    size_t root = 0, kl;
    enum cm_s3_plan plan;

    if (folder == NULL || key == NULL) {
        free(folder);
        free(key);
        return 0;
    }
    kl = strlen(key);
    plan = cm_s3_plan_folder(folder, &root);
    check(plan >= CM_S3_PLAN_FULL && plan <= CM_S3_PLAN_SKIP);
    if (plan == CM_S3_PLAN_STREAM) {
        check(root > 0 && root <= strlen(folder) && folder[root - 1] == '/');
    } else {
        check(root == 0);
    }
    if (root > 0 && kl >= root && memcmp(key, folder, root) == 0) {
        uint32_t day = cm_s3_plan_day(key, root);
        char after[4200];

        if (day != 0) {
            check(day >= 19700101 && day <= 99991231);
            check(cm_s3_plan_start_after(folder, root, day, after, sizeof(after)) == 0 ||
                  root + 11 > sizeof(after));
            if (root + 11 <= sizeof(after)) {
                check(strcmp(key, after) > 0);
                check(strncmp(after, folder, root) == 0);
            }
        }
    }
    if (cm_s3_plan_is_input(folder, key)) {
        check(kl > 0 && key[kl - 1] != '/' && strncmp(key, folder, strlen(folder)) == 0);
    }
    free(folder);
    free(key);
    return 0;
}
