/*
 * A client of SQS (docs/s3.md "Reading a queue", docs/internals/aws.md): the JSON protocol's
 * requests (aws/sqs_json.h) POSTed to the SQS endpoint, signed with SigV4 for "sqs" with the
 * S3 client's credentials and region (aws/s3.h), retried as S3's requests are (5 attempts,
 * botocore's standard backoff, aws/aws_retry.h), with errors that say what SQS said
 * ("QueueDoesNotExist: The specified queue does not exist. (HTTP 400)").
 *
 * The endpoint: the caller's (--endpoint-url), AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL, else
 * https://sqs.REGION.amazonaws.com. One client per thread (it holds a connection).
 */
#ifndef CM_AWS_SQS_H
#define CM_AWS_SQS_H

#include <stddef.h>
#include <stdint.h>

#include "aws/sqs_json.h"

struct cm_s3;
struct cm_sqs;

/* s3 is kept (not owned). Returns 0, CM_ENOMEM or CM_EINVAL (a bad endpoint, err says). */
int cm_sqs_open(struct cm_sqs **out, struct cm_s3 *s3, const char *endpoint_url, char *err,
                size_t errlen);
/*
 * The same, signing for region (NULL: the S3 client's), e.g. the region a queue's URL names
 * (aws/sqs_loc.h); without a custom endpoint, requests go to https://sqs.REGION.amazonaws.com.
 */
int cm_sqs_open_at(struct cm_sqs **out, struct cm_s3 *s3, const char *endpoint_url,
                   const char *region, char *err, size_t errlen);
void cm_sqs_close(struct cm_sqs *q);

/* The custom SQS endpoint: endpoint_url, else AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL; NULL. */
const char *cm_sqs_custom_endpoint(const char *endpoint_url);

/* "scheme://host[:port]": where requests go, and what a queue's URL starts with. */
const char *cm_sqs_endpoint(const struct cm_sqs *q);

/* Requests sent (attempts, retries included). */
uint64_t cm_sqs_attempts(const struct cm_sqs *q);

/* Tests: the waits between attempts are scaled by num/den (0/1: none). */
void cm_sqs_set_backoff_scale(struct cm_sqs *q, unsigned num, unsigned den);

/* ReceiveMessage (sqs_json.h's cm_sqs_receive_body): appended to out. 0, CM_EIO (err), CM_ENOMEM.
 */
int cm_sqs_receive(struct cm_sqs *q, const char *queue_url, unsigned max, unsigned wait_s,
                   unsigned visibility_s, struct cm_sqs_msgs *out, char *err, size_t errlen);

/* DeleteMessageBatch of handles[0..n) (n <= 10): failed gets a bit per entry that failed. */
int cm_sqs_delete(struct cm_sqs *q, const char *queue_url, const char *const *handles, size_t n,
                  unsigned *failed, char *err, size_t errlen);

/* ChangeMessageVisibilityBatch of handles[0..n) to visibility_s from now. */
int cm_sqs_visibility(struct cm_sqs *q, const char *queue_url, const char *const *handles, size_t n,
                      unsigned visibility_s, unsigned *failed, char *err, size_t errlen);

#endif
