/*
 * SQS's JSON protocol (awsJson1_0, what current awscli and boto3 send): the bodies of
 * the requests a queue reader makes and the parsing of their answers. No I/O:
 * src/aws/sqs.c sends them (POST / with X-Amz-Target: AmazonSQS.<Operation> and
 * Content-Type: application/x-amz-json-1.0).
 */
#ifndef CM_AWS_SQS_JSON_H
#define CM_AWS_SQS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define CM_SQS_MAX_BATCH 10 /* messages per ReceiveMessage and per batch request */
#define CM_SQS_MAX_WAIT  20 /* WaitTimeSeconds at most */

/* ReceiveMessage: up to max messages, waiting up to wait_s, hidden for visibility_s. */
int cm_sqs_receive_body(struct cm_buf *out, const char *queue_url, unsigned max, unsigned wait_s,
                        unsigned visibility_s);

/* DeleteMessageBatch of handles[0..n) (n <= CM_SQS_MAX_BATCH), entry ids "0".."9". */
int cm_sqs_delete_body(struct cm_buf *out, const char *queue_url, const char *const *handles,
                       size_t n);

/* ChangeMessageVisibilityBatch of handles[0..n) to visibility_s from now. */
int cm_sqs_visibility_body(struct cm_buf *out, const char *queue_url, const char *const *handles,
                           size_t n, unsigned visibility_s);

struct cm_sqs_msg {
    char *id;     /* MessageId, owned */
    char *handle; /* ReceiptHandle, owned */
    char *body;   /* Body, owned (NUL-terminated; body_len bytes) */
    size_t body_len;
};

struct cm_sqs_msgs {
    struct cm_sqs_msg *v;
    size_t n, cap;
};

/*
 * Parses a ReceiveMessage answer ({"Messages":[{"MessageId","ReceiptHandle","Body"},..]},
 * or {} when none) into out (appended). Returns 0, CM_ENOMEM or CM_ESYNTAX with why.
 */
int cm_sqs_receive_parse(const char *p, size_t len, struct cm_sqs_msgs *out, char *why,
                         size_t whylen);
void cm_sqs_msgs_finish(struct cm_sqs_msgs *m);

/*
 * A batch answer ({"Successful":[{"Id"}],"Failed":[{"Id","Code","Message"}]}): failed
 * gets a bit per entry id ("0".."9") that failed, why the first failure's code and
 * message. Returns 0 or CM_ESYNTAX.
 */
int cm_sqs_batch_parse(const char *p, size_t len, unsigned *failed, char *why, size_t whylen);

/*
 * An error answer ({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":".."}; the
 * query protocol's code in x-amzn-query-error aside): code gets the part after '#', msg
 * the message. Returns 0, or CM_ESYNTAX when it is not one.
 */
int cm_sqs_error_parse(const char *p, size_t len, char *code, size_t codelen, char *msg,
                       size_t msglen);

#endif
