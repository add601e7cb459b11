/*
 * When a request to AWS is tried again, and after how long (botocore's
 * "standard" retry mode): HTTP 500, 502, 503, 504, throttling (429, S3's
 * SlowDown, RequestTimeout, the *Throttling* codes) and transport failures
 * (a refused or reset connection, a timeout) are retried; everything else
 * (403, 404, 400...) is an answer. The wait before attempt k (1 is the first
 * retry) is a random fraction of min(base * 2^(k-1), cap). No I/O.
 */
#ifndef CM_AWS_AWS_RETRY_H
#define CM_AWS_AWS_RETRY_H

#include <stdbool.h>

#define CM_AWS_MAX_ATTEMPTS    5 /* attempts in all, the first one included */
#define CM_AWS_BACKOFF_BASE_MS 100
#define CM_AWS_BACKOFF_CAP_MS  20000

/*
 * Whether an attempt is worth repeating. status: the HTTP status (0 when no
 * answer came); transport: the transfer failed (no complete answer); code: S3's
 * error code from the body, or NULL.
 */
bool cm_aws_retryable(long status, bool transport, const char *code);

/* The wait in ms before retry k (>= 1), with jitter in [0, 1). */
unsigned cm_aws_backoff_ms(unsigned k, double jitter);

#endif
