/*
 * Temporary credentials from AWS STS (Query protocol, POST of a form, XML answer parsed
 * by aws/aws_creds.h): AssumeRole signed with SigV4 by the source credentials,
 * AssumeRoleWithWebIdentity unsigned with the token. The endpoint is STS's own
 * (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the profile's endpoint_url, else
 * https://sts.REGION.amazonaws.com, or https://sts.amazonaws.com with
 * sts_regional_endpoints = legacy for the regions it served); never --endpoint-url, which
 * is S3's. Errors carry STS's code and message; never a secret.
 */
#ifndef CM_AWS_AWS_STS_H
#define CM_AWS_AWS_STS_H

#include <stddef.h>

#include "aws/aws_creds.h"

struct cm_aws_sts_call {
    const char *endpoint;            /* scheme://host[:port], no trailing '/' */
    const char *region;              /* what AssumeRole is signed for */
    const struct cm_aws_creds *with; /* AssumeRole's signer; NULL: AssumeRoleWithWebIdentity */
    const char *role_arn, *session_name;
    const char *external_id; /* NULL or "": none */
    const char *web_token;   /* AssumeRoleWithWebIdentity's token */
    unsigned duration_s;     /* 0: STS's default */
};

/*
 * STS's endpoint for region into out (cap bytes): the variables and profile setting above
 * (profile_endpoint may be NULL or "", regional the profile's sts_regional_endpoints, NULL
 * or "" for the environment's or "regional").
 */
void cm_aws_sts_endpoint(const char *region, const char *profile_endpoint, const char *regional,
                         char *out, size_t cap);

/* Calls STS. Returns 0 with out filled, or CM_EIO / CM_EINVAL with err saying why. */
int cm_aws_sts_assume(const struct cm_aws_sts_call *q, struct cm_aws_creds *out, char *err,
                      size_t errlen);

#endif
