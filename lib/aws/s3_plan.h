/*
 * What a watch of an S3 location lists at each poll (docs/s3.md "Watching a bucket",
 * docs/internals/aws.md): pure functions over keys, no I/O.
 *
 * AWS delivers its logs under dated folders of one stream each:
 *   [PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/...
 *   [PREFIX/]AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/...
 *   [PREFIX/]AWSLogs/ACCOUNT/vpcdnsquerylogs/VPC-ID/YYYY/MM/DD/...
 * (CloudTrail-Insight likewise). A watch lists the folders above a stream with a
 * delimiter (one request per folder: new accounts, services and regions are found at every
 * poll), and each stream from the day before the newest day it holds (StartAfter), not
 * the whole bucket. A folder of no known layout is listed whole (a full listing).
 */
#ifndef CM_AWS_S3_PLAN_H
#define CM_AWS_S3_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How a folder is listed (cm_s3_plan_folder). */
enum cm_s3_plan {
    CM_S3_PLAN_FULL = 0, /* every key under it (no known layout) */
    CM_S3_PLAN_DESCEND,  /* with the delimiter '/': its objects, and its folders planned in turn */
    CM_S3_PLAN_STREAM,   /* a dated stream (or a folder inside one): from a day on (StartAfter) */
    CM_S3_PLAN_SKIP,     /* never listed: CloudTrail-Digest (signatures, not records) */
};

/*
 * How folder (a key prefix ending in '/', or "" for the bucket's root) is listed. For
 * CM_S3_PLAN_STREAM, *root_len is the length of its stream's root (the folder of the
 * REGION or VPC-ID, '/' included), a prefix of folder. Folders above AWSLogs/ are
 * descended at most 3 levels deep (a trail's own prefix), then listed whole.
 */
enum cm_s3_plan cm_s3_plan_folder(const char *folder, size_t *root_len);

/*
 * The day of key within the stream whose root is key[0..root_len): YYYYMMDD from the
 * "YYYY/MM/DD/" that follows the root, 0 when key has none (or an impossible date).
 */
uint32_t cm_s3_plan_day(const char *key, size_t root_len);

/*
 * StartAfter for a stream root root[0..root_len) whose newest day is day (YYYYMMDD): the
 * root followed by the day before's "YYYY/MM/DD" (no '/': its keys sort after it), so the
 * listing holds that day and every later one. Returns 0, or -1 when day is not a date or
 * out does not hold it (cap bytes, NUL included).
 */
int cm_s3_plan_start_after(const char *root, size_t root_len, uint32_t day, char *out, size_t cap);

/*
 * Whether key, listed under the watched prefix, is a log object to read, as a scan of the
 * prefix takes it (source/input_s3.h): not a folder marker (a key ending in '/'), no part
 * below the prefix's last '/' that starts with '.', not under a CloudTrail-Digest/ folder.
 */
bool cm_s3_plan_is_input(const char *prefix, const char *key);

#endif
