/*
 * Credentials from AWS IAM Identity Center (botocore's "sso" provider), without signing
 * in: the token `aws sso login` cached in ~/.aws/sso/cache/SHA1.json (SHA-1 in hex of the
 * sso_session's name, or of sso_start_url for a profile without one), then the portal's
 * GetRoleCredentials (GET https://portal.sso.REGION.amazonaws.com/federation/credentials,
 * or AWS_ENDPOINT_URL_SSO) for sso_account_id and sso_role_name. A token missing or
 * expired is an error that says to run `aws sso login`.
 */
#ifndef CM_AWS_AWS_SSO_H
#define CM_AWS_AWS_SSO_H

#include <stddef.h>

#include "aws/aws_creds.h"

struct cm_aws_sso {
    const char *profile;    /* for messages */
    const char *session;    /* sso_session's name; "" for a legacy profile */
    const char *start_url;  /* sso_start_url */
    const char *region;     /* sso_region */
    const char *account_id; /* sso_account_id */
    const char *role_name;  /* sso_role_name */
};

/* Returns 0 with out filled, or CM_EINVAL / CM_EIO with err saying why and what to do. */
int cm_aws_sso_credentials(const struct cm_aws_sso *s, struct cm_aws_creds *out, char *err,
                           size_t errlen);

#endif
