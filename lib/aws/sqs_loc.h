/*
 * Where a watched SQS queue is (docs/s3.md "Reading a queue"): "sqs://ACCOUNT/QUEUE" or the
 * queue's URL as the console and `aws sqs get-queue-url` show it, each followed by an
 * optional "/KEY-PREFIX" and "?visibility=SECONDS". No I/O.
 *
 *   sqs://111122223333/trail-q[/AWSLogs/][?visibility=60]
 *   https://sqs.us-east-1.amazonaws.com/111122223333/trail-q[/AWSLogs/][?visibility=60]
 *   https://sqs.cn-north-1.amazonaws.com.cn/..., https://sqs-fips.us-east-1.amazonaws.com/...
 *   https://queue.amazonaws.com/... (legacy: us-east-1), https://eu-west-1.queue.amazonaws.com/...
 *   http://127.0.0.1:9324/111122223333/trail-q   (only when it is the custom SQS endpoint)
 *
 * An AWS queue URL names the queue's region: its requests are signed for that region and sent
 * to its endpoint (https://sqs.REGION.amazonaws.com for the legacy forms), unless a custom
 * endpoint is set (then they go there, still signed for the URL's region).
 */
#ifndef CM_AWS_SQS_LOC_H
#define CM_AWS_SQS_LOC_H

#include <stdbool.h>
#include <stddef.h>

struct cm_sqs_loc {
    char account[64], queue[96], prefix[1024];
    unsigned visibility_s;
    char endpoint[300];   /* a URL's "scheme://host[:port]" requests go to; "" for sqs:// */
    char region[64];      /* the region an AWS queue URL names; "" for sqs:// and a custom one */
    char queue_url[1400]; /* a URL's queue: "scheme://host[:port]/ACCOUNT/QUEUE"; "" for sqs:// */
};

/* The default visibility timeout, seconds. */
#define CM_SQS_LOC_VISIBILITY_S 300

/* Whether path names a queue rather than a file: it starts with sqs://, http:// or https://. */
bool cm_sqs_loc_is(const char *path);

/*
 * Parses path into l. custom is the custom SQS endpoint ("scheme://host[:port]", a trailing
 * '/' ignored) or NULL: an http(s) URL whose host is not an AWS SQS endpoint is a queue URL
 * only when its scheme, host and port are custom's. Returns 0, or CM_EINVAL with err saying
 * what is wrong and why (the path quoted).
 */
int cm_sqs_loc_parse(const char *path, const char *custom, struct cm_sqs_loc *l, char *err,
                     size_t errlen);

#endif
