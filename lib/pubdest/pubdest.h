/*
 * GuardDuty publishing destinations (docs/publishing.md): the destination ARN an
 * API caller gives ("arn:aws:s3:::bucket[/prefix/]") and the key of each object
 * the exporter writes ("[prefix/]AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/
 * <uuid>.jsonl.gz", spec/GUARDDUTY.md §3.4). No I/O.
 */
#ifndef CM_PUBDEST_PUBDEST_H
#define CM_PUBDEST_PUBDEST_H

#include <stddef.h>
#include <stdint.h>

#define CM_PUBDEST_ARN_MAX 1024 /* bytes of a destination ARN accepted */
#define CM_PUBDEST_KEY_MAX 1024 /* bytes of an S3 object key (S3's limit) */

/* A parsed destination ARN: NUL-terminated copies. */
struct cm_pubdest_arn {
    char partition[32]; /* "aws", "aws-cn", "aws-us-gov" */
    char bucket[64];
    char prefix[CM_PUBDEST_ARN_MAX]; /* without leading or trailing '/'; "" for none */
};

/*
 * Parses arn ("arn:<partition>:s3:::<bucket>[/<prefix>[/]]") into out. The bucket must be
 * 3-63 bytes of a-z 0-9 . -, starting and ending with a letter or digit, not an IP
 * address, with no ".." ; the prefix is 0-900 printable bytes with no "//" and no
 * control byte. Returns 0, or CM_EINVAL with why (a sentence naming the part at fault).
 */
int cm_pubdest_arn_parse(const char *arn, struct cm_pubdest_arn *out, char *why, size_t whylen);

/*
 * Whether a KMS key ARN looks like one ("arn:<partition>:kms:<region>:<12 digits>:key/<id>"
 * or ":alias/<name>"). Returns 0, or CM_EINVAL with why.
 */
int cm_pubdest_kms_check(const char *arn, char *why, size_t whylen);

/*
 * Writes the object key of an export made at time ms (UTC date) with the name uuid into
 * out (cap bytes): "[prefix/]AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz".
 * Returns 0, or CM_E2BIG when it does not fit (or passes CM_PUBDEST_KEY_MAX).
 */
int cm_pubdest_key(const struct cm_pubdest_arn *d, const char *account, const char *region,
                   int64_t ms, const char *uuid, char *out, size_t cap);

#endif
