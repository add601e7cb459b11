/*
 * Retry decisions for AWS requests (aws_retry.h).
 */
#include "aws/aws_retry.h"

#include <string.h>

bool cm_aws_retryable(long status, bool transport, const char *code)
{
    static const char *const codes[] = {
        "SlowDown",
        "RequestTimeout",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "InternalError",
        "ServiceUnavailable",
        "RequestTimeTooSkewed",
    };

    if (transport) {
        return true;
    }
    if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) {
        return true;
    }
    for (size_t i = 0; code != NULL && i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (strcmp(code, codes[i]) == 0) {
            return true;
        }
    }
    return false;
}

unsigned cm_aws_backoff_ms(unsigned k, double jitter)
{
    unsigned long top = CM_AWS_BACKOFF_BASE_MS;

    for (unsigned i = 1; i < k && top < CM_AWS_BACKOFF_CAP_MS; i++) {
        top *= 2;
    }
    if (top > CM_AWS_BACKOFF_CAP_MS) {
        top = CM_AWS_BACKOFF_CAP_MS;
    }
    if (jitter < 0) {
        jitter = 0;
    }
    if (jitter >= 1) {
        jitter = 0.999999;
    }
    return (unsigned)((double)top * jitter);
}
