/*
 * The object deliveries an SQS message tells of (docs/s3.md "Reading a queue"): the
 * message bodies that S3, SNS, CloudTrail and EventBridge send a queue, parsed into the
 * objects to read. No I/O.
 *
 *   - an S3 event notification: {"Records":[{"eventSource":"aws:s3","eventName":
 *     "ObjectCreated:Put","s3":{"bucket":{"name":..},"object":{"key":..,"size":..,
 *     "eTag":..}}}]}; the key is URL-encoded ('+' a space, %XX a byte); records of
 *     other events (ObjectRemoved:*, ...) are no objects to read;
 *   - the same wrapped by SNS ({"Type":"Notification","Message":"<the JSON as a
 *     string>"}); with raw message delivery it is the notification itself;
 *   - CloudTrail's own SNS notification ({"s3Bucket":..,"s3ObjectKey":[..]}), wrapped
 *     by SNS or raw: keys as they are, no size or ETag;
 *   - an EventBridge event of S3 ("source":"aws.s3","detail-type":"Object Created",
 *     detail.bucket.name, detail.object.key as it is, .size, .etag); another
 *     detail-type of aws.s3 is no object to read;
 *   - S3's test message ({"Event":"s3:TestEvent",...}).
 *
 * Anything else is an error with the reason (and the byte, for JSON that is not).
 */
#ifndef CM_AWS_S3_NOTICE_H
#define CM_AWS_S3_NOTICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CM_S3_NOTICE_MAX_OBJECTS 1000 /* objects in one message at most */

enum cm_s3_notice_kind {
    CM_S3_NOTICE_OBJECTS = 0, /* objects created (n may be 0: only other events) */
    CM_S3_NOTICE_TEST,        /* s3:TestEvent */
};

struct cm_s3_notice_obj {
    char *bucket, *key; /* owned; the key decoded */
    uint64_t size;      /* 0 with has_size false: not said (CloudTrail's notification) */
    bool has_size;
    char *etag; /* owned, quoted as S3's ETag header ("\"hex\""); "" when not said */
};

struct cm_s3_notice {
    int kind;         /* enum cm_s3_notice_kind */
    const char *form; /* static: "S3", "SNS+S3", "CloudTrail", "SNS+CloudTrail",
                         "EventBridge", "SNS+EventBridge", "test" */
    uint64_t other;   /* records or events of another kind than object created */
    struct cm_s3_notice_obj *v;
    size_t n, cap;
};

/*
 * Parses body[0..len) into out (zeroed first; cm_s3_notice_finish frees it). Returns 0,
 * CM_ENOMEM, or CM_ESYNTAX with why saying what is wrong ("byte 12: ...", "Records[2]:
 * s3.object.key missing", "not an S3 event notification, SNS notification, CloudTrail
 * notification or EventBridge event").
 */
int cm_s3_notice_parse(const char *body, size_t len, struct cm_s3_notice *out, char *why,
                       size_t whylen);

void cm_s3_notice_finish(struct cm_s3_notice *n);

/*
 * Decodes an S3 notification's URL-encoded key src[0..len) ('+' a space, %XX a byte) into
 * out (room for len + 1 bytes; NUL-terminated). Returns the decoded length, or -1 for a
 * '%' not followed by two hex digits or a NUL byte decoded.
 */
long cm_s3_notice_unescape(const char *src, size_t len, char *out);

#endif
