/*
 * The AWS CLI's shared credentials file (~/.aws/credentials: "[name]"
 * sections) and config file (~/.aws/config: "[profile name]", and
 * "[default]"), as botocore reads them: "key = value" lines, '#' and ';'
 * comments, indented lines continuing a nested setting (skipped). Only what a
 * read of S3 needs is kept. No I/O: the caller hands the bytes.
 */
#ifndef CM_AWS_AWS_INI_H
#define CM_AWS_AWS_INI_H

#include <stdbool.h>
#include <stddef.h>

#define CM_AWS_INI_VALUE 2048 /* bytes of a value (a session token is about 1 KiB) */

struct cm_aws_profile {
    char key_id[CM_AWS_INI_VALUE];
    char secret[CM_AWS_INI_VALUE];
    char token[CM_AWS_INI_VALUE];
    char region[64];
    char endpoint_url[CM_AWS_INI_VALUE];
    /* Where else credentials come from (docs/s3.md): assume role, web identity, a process,
     * IAM Identity Center (refused with advice). */
    char role_arn[512];
    char source_profile[256];
    char credential_source[64];
    char external_id[1300];
    char role_session_name[128];
    char duration_seconds[16];
    char mfa_serial[256];
    char web_identity_token_file[1024];
    char credential_process[CM_AWS_INI_VALUE];
    char sso_session[256];
    char sso_start_url[1024];
    char sso_region[64];
    char sso_account_id[64];
    char sso_role_name[256];
    char sts_regional_endpoints[16];
    bool found; /* the profile's section is in the file */
};

/* Fills what dst leaves empty of the settings other than the key pair, region and
 * endpoint_url from src (the config file after the credentials file). */
void cm_aws_profile_merge(struct cm_aws_profile *dst, const struct cm_aws_profile *src);

/* Give profile as CM_AWS_INI_SSO_SESSION "NAME" to read the config file's
 * "[sso-session NAME]" section (its sso_start_url and sso_region). */
#define CM_AWS_INI_SSO_SESSION "sso-session "

/*
 * Reads profile's settings from text[0..n) into p (what the file does not set
 * is left as it was, so the config file can fill in after the credentials
 * file). config: the config file's "[profile NAME]" naming ("[default]" is the
 * default either way). Returns 0, or CM_ESYNTAX with why naming the line when a
 * line is neither a section, a setting, a comment nor blank, or CM_E2BIG for a
 * value over its cap. A secret is never copied into why.
 */
int cm_aws_ini_read(const char *text, size_t n, const char *profile, bool config,
                    struct cm_aws_profile *p, char *why, size_t whylen);

/*
 * Whether a credential (key id, secret, session token) is printable ASCII without spaces,
 * as AWS's are: one that is not (a CR LF from the environment or an instance metadata
 * answer) would add headers to every request it signs.
 */
bool cm_aws_cred_ok(const char *s);

#endif
