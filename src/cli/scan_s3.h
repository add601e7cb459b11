/*
 * `coalmine scan s3://bucket[/prefix]` (docs/s3.md): the scan's S3 client, made
 * when a PATH is an S3 location, from --endpoint-url, --region and what the aws
 * CLI would use (aws/aws_config.h).
 */
#ifndef CM_CLI_SCAN_S3_H
#define CM_CLI_SCAN_S3_H

#include <stdbool.h>
#include <stddef.h>

enum { CM_SCAN_OPT_ENDPOINT_URL = 0x1a0, CM_SCAN_OPT_PROFILE };

struct cm_s3;

/*
 * Checks the S3 locations among paths[0..n): well-formed, and --endpoint-url only with
 * one of them (follow: --follow was given; it watches S3 locations as folders). Prints
 * why on stderr. Returns 0, or -1 (a usage error).
 */
int cm_scan_s3_check(char *const *paths, size_t n, bool follow, const char *endpoint_url,
                     const char *profile);

/*
 * Makes *out when some path is an S3 location or a queue (else leaves it NULL): libcurl
 * set up, credentials (of profile, --profile, when not NULL), region and endpoint found; says where
 * the credentials came from on stderr unless quiet. Returns 0, or an error with err saying why.
 */
int cm_scan_s3_open(char *const *paths, size_t n, const char *endpoint_url, const char *region,
                    const char *profile, int quiet, struct cm_s3 **out, char *err, size_t errlen);

#endif
