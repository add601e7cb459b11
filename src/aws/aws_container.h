/*
 * Credentials from the container credentials endpoint (ECS task roles, EKS Pod Identity),
 * as botocore's "container-role" provider finds them:
 *   AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: GET http://169.254.170.2 + the path;
 *   else AWS_CONTAINER_CREDENTIALS_FULL_URI: GET that URL, which must be https or name a
 *     loopback address, localhost, 169.254.170.2, 169.254.170.23 or fd00:ec2::23;
 *   with the header "Authorization: " + the contents of
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each fetch), else
 *   AWS_CONTAINER_AUTHORIZATION_TOKEN.
 * The answer is JSON (aws/aws_creds.h). Three attempts, 2 s each.
 */
#ifndef CM_AWS_AWS_CONTAINER_H
#define CM_AWS_AWS_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/aws_creds.h"

/* Whether either variable is set (the provider applies). */
bool cm_aws_container_configured(void);

/*
 * Fetches them; url (urlcap bytes) gets the URL, for messages. Returns 0, or CM_EINVAL
 * (a URL not allowed, a token with a line break) or CM_EIO, with err saying why.
 */
int cm_aws_container_credentials(struct cm_aws_creds *out, char *url, size_t urlcap, char *err,
                                 size_t errlen);

#endif
