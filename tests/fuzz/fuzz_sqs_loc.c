/*
 * libFuzzer target for lib/aws/sqs_loc.c (a watched queue's location: sqs://, a queue URL).
 * The first byte picks the custom endpoint (none, or one of two); the rest is the path.
 * Whatever the bytes: a parse succeeds with an account of digits, a queue name, a visibility
 * of 1 to 43200 and, for a URL, an endpoint and a queue URL that starts with it (but for the
 * legacy forms) and ends with /ACCOUNT/QUEUE; or it fails with a reason and nothing kept. The
 * same bytes give the same answer twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sqs_loc.h"
#include "base/err.h"

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const customs[] = {NULL, "http://127.0.0.1:5000", "https://sqs.local/"};
    static struct cm_sqs_loc a, b;
    char path[2048], err[700], err2[700], tail[200];
    const char *custom;
    int rc;

    if (size == 0 || size >= sizeof(path)) {
        return 0;
    }
    custom = customs[data[0] % 3];
    memcpy(path, data + 1, size - 1);
    path[size - 1] = '\0';
    err[0] = '\0';
    rc = cm_sqs_loc_parse(path, custom, &a, err, sizeof(err));
    check(rc == 0 || rc == CM_EINVAL);
    check(cm_sqs_loc_parse(path, custom, &b, err2, sizeof(err2)) == rc);
    check(memcmp(&a, &b, sizeof(a)) == 0);
    if (rc != 0) {
        check(err[0] != '\0' && a.queue[0] == '\0' && a.account[0] == '\0');
        return 0;
    }
    check(cm_sqs_loc_is(path));
    check(a.account[0] != '\0' && strspn(a.account, "0123456789") == strlen(a.account));
    check(a.queue[0] != '\0' && strlen(a.queue) <= 80);
    check(a.visibility_s >= 1 && a.visibility_s <= 43200);
    if (strncmp(path, "sqs://", 6) == 0) {
        check(a.endpoint[0] == '\0' && a.queue_url[0] == '\0' && a.region[0] == '\0');
        return 0;
    }
    check(strncmp(a.endpoint, "http://", 7) == 0 || strncmp(a.endpoint, "https://", 8) == 0);
    check(a.region[0] != '\0' || custom != NULL);
    snprintf(tail, sizeof(tail), "/%s/%s", a.account, a.queue);
    check(strlen(a.queue_url) > strlen(tail) &&
          strcmp(a.queue_url + strlen(a.queue_url) - strlen(tail), tail) == 0);
    check(strncmp(a.queue_url, path, strlen(a.queue_url)) == 0);
    return 0;
}
