/*
 * Where a client of AWS gets its credentials, region and endpoint, the way
 * botocore finds them (docs/s3.md):
 *
 *   credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless
 *     the caller names a profile (--profile: as `aws --profile`, the environment's keys
 *     are then not used); else the profile (--profile, AWS_PROFILE, else "default") of
 *     the shared credentials
 *     file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials) and the config
 *     file (AWS_CONFIG_FILE, else ~/.aws/config) by botocore's providers: assume
 *     role, web identity, IAM Identity Center, keys, credential_process; else the
 *     container credentials endpoint; else the instance's role from the EC2
 *     instance metadata service, IMDSv2 (a token PUT, then GETs) at
 *     AWS_EC2_METADATA_SERVICE_ENDPOINT (else http://169.254.169.254), unless
 *     AWS_EC2_METADATA_DISABLED=true.
 *   region: the caller's (--region), AWS_REGION, AWS_DEFAULT_REGION, the profile's
 *     region, else us-east-1.
 *   endpoint: the caller's (--endpoint-url), AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL,
 *     the profile's endpoint_url, else AWS's (https://BUCKET.s3.REGION.amazonaws.com).
 *
 * A secret is never in a message: errors name the file and line, the variable, or
 * the metadata path, and what is wrong.
 */
#ifndef CM_AWS_AWS_CONFIG_H
#define CM_AWS_AWS_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "aws/aws_creds.h"
#include "aws/aws_ini.h"

struct cm_aws_opts {
    const char *region;       /* NULL: found as above */
    const char *endpoint_url; /* NULL: found as above */
    const char *profile;      /* --profile (overrides AWS_PROFILE), or NULL */
};

struct cm_aws_config {
    struct cm_aws_creds creds; /* the key pair, session token and expiry (0: none) */
    char region[64];
    char endpoint[CM_AWS_INI_VALUE]; /* empty: AWS's; else without a trailing '/' */
    char source[1200];               /* where the credentials came from, for messages */
    char profile[CM_AWS_INI_VALUE];  /* --profile's, kept for refreshes ("" none) */
};

/*
 * Fills c as above. Returns 0, or CM_ENOTFOUND (no credentials anywhere), CM_EIO (a
 * file that cannot be read, the metadata service failing), CM_ESYNTAX/CM_E2BIG (a
 * file that is malformed) or CM_EINVAL (an endpoint that is not an http(s) URL, an
 * incomplete key pair), with err saying which and why.
 */
int cm_aws_config_resolve(const struct cm_aws_opts *o, struct cm_aws_config *c, char *err,
                          size_t errlen);

/*
 * Temporary credentials (c->expires_ms set) found again, by the same chain, into fresh
 * (region and --profile copied from old). Returns 0 or an error as cm_aws_config_resolve's.
 */
int cm_aws_config_refresh(const struct cm_aws_config *old, struct cm_aws_config *fresh, char *err,
                          size_t errlen);

/* Wipes the secrets in c. */
void cm_aws_config_finish(struct cm_aws_config *c);

/*
 * The instance role's credentials from IMDSv2 at endpoint (no trailing '/'): into c's
 * key_id, secret, token and expires_ms. Returns 0, or CM_ENOTFOUND (no role, no
 * service there) or CM_EIO with err saying why.
 */
int cm_aws_imds_credentials(const char *endpoint, struct cm_aws_config *c, char *err,
                            size_t errlen);

#endif
