/*
 * The scan's S3 client (scan_s3.h).
 */
#include "cli/scan_s3.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "aws/s3.h"
#include "aws/s3_url.h"
#include "aws/sqs_loc.h"
#include "base/err.h"
#include "core/follow_sqs.h"

int cm_scan_s3_check(char *const *paths, size_t n, bool follow, const char *endpoint_url,
                     const char *profile)
{
    size_t s3 = 0;

    for (size_t i = 0; i < n; i++) {
        struct cm_s3_url u;
        char why[200];

        if (cm_sqs_loc_is(paths[i])) { /* a queue (core/follow_sqs.h) */
            struct cm_sqs_loc l;
            char qwhy[600];

            s3++;
            if (cm_follow_sqs_parse(paths[i], endpoint_url, &l, qwhy, sizeof(qwhy)) != 0) {
                fprintf(stderr, "coalmine scan: %s\n", qwhy);
                return -1;
            }
            if (!follow) {
                fprintf(stderr,
                        "coalmine scan: %s: a queue is read with --follow (or serve --watch): it "
                        "has no end to scan to\n",
                        paths[i]);
                return -1;
            }
            continue;
        }
        if (!cm_s3_is_url(paths[i])) {
            continue;
        }
        s3++;
        if (cm_s3_url_parse(paths[i], &u, why, sizeof(why)) != 0) {
            fprintf(stderr, "coalmine scan: %s: %s\n", paths[i], why);
            return -1;
        }
    }
    if (profile != NULL && s3 == 0) {
        fprintf(stderr,
                "coalmine scan: --profile is for s3:// and sqs:// paths, and none is given\n");
        return -1;
    }
    if (endpoint_url != NULL && s3 == 0) {
        fprintf(stderr,
                "coalmine scan: --endpoint-url is for s3:// and sqs:// paths, and none is given\n");
        return -1;
    }
    return 0;
}

int cm_scan_s3_open(char *const *paths, size_t n, const char *endpoint_url, const char *region,
                    const char *profile, int quiet, struct cm_s3 **out, char *err, size_t errlen)
{
    struct cm_aws_opts o = {region, endpoint_url, profile};
    bool any = false;
    int rc;

    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        any |= cm_s3_is_url(paths[i]) || cm_sqs_loc_is(paths[i]);
    }
    if (!any) {
        return 0;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "s3: libcurl could not be set up");
        return CM_EIO;
    }
    if ((rc = cm_s3_open(out, &o, err, errlen)) != 0) {
        return rc;
    }
    if (!quiet) {
        fprintf(stderr, "  s3:       credentials from %s\n", cm_s3_source(*out));
    }
    return 0;
}
