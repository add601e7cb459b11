/*
 * What the providers of temporary AWS credentials answer with, parsed from bytes the
 * caller fetched (no I/O): STS's Query-protocol XML (AssumeRole,
 * AssumeRoleWithWebIdentity, and its <ErrorResponse>), the JSON a credential_process
 * prints (Version 1) and the JSON of the container credentials endpoint (ECS, EKS Pod
 * Identity). Untrusted input: every string has a cap; a secret is never copied into why.
 */
#ifndef CM_AWS_AWS_CREDS_H
#define CM_AWS_AWS_CREDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/aws_ini.h"

struct cm_aws_creds {
    char key_id[CM_AWS_INI_VALUE];
    char secret[CM_AWS_INI_VALUE];
    char token[CM_AWS_INI_VALUE]; /* empty: none */
    int64_t expires_ms;           /* Unix ms; 0: they do not expire */
};

struct cm_aws_sts_error {
    char code[64];     /* "AccessDenied"; empty when the body held none */
    char message[512]; /* STS's message, control bytes replaced by spaces */
};

/*
 * Parses an STS answer xml[0..n): the Credentials of an AssumeRole(WithWebIdentity)
 * result into c, or an ErrorResponse into e. Returns 0 (c filled: a key id, a secret and
 * a session token, each printable without spaces, and an ISO 8601 Expiration), CM_ENOTFOUND
 * (an ErrorResponse: e filled), CM_ESYNTAX (not well-formed XML: why says the line and
 * column), CM_EFORMAT (neither), CM_EINVAL (a credential missing or malformed, an
 * Expiration that is not a time) or CM_E2BIG, with why saying what.
 */
int cm_aws_sts_parse(const char *xml, size_t n, struct cm_aws_creds *c, struct cm_aws_sts_error *e,
                     char *why, size_t whylen);

/*
 * Parses credentials JSON json[0..n): process true for a credential_process's output
 * ({"Version": 1, "AccessKeyId", "SecretAccessKey", optional "SessionToken" and
 * "Expiration"}), false for the container endpoint's and the instance metadata service's
 * ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}, IMDS's with "Code":
 * "Success"). Returns 0, or CM_ESYNTAX (not a JSON object), CM_EINVAL (a member missing,
 * of the wrong type or malformed, a Code other than Success, a Version other than 1, an
 * Expiration that is not an ISO 8601 time) with why naming the member.
 */
int cm_aws_cred_json_parse(const char *json, size_t n, bool process, struct cm_aws_creds *c,
                           char *why, size_t whylen);

/*
 * The aws CLI's cached IAM Identity Center token (~/.aws/sso/cache/SHA1.json,
 * {"accessToken", "expiresAt"}) into token (cap bytes) and *expires_ms. Returns 0, or
 * CM_ESYNTAX / CM_EINVAL with why naming the member.
 */
int cm_aws_sso_token_parse(const char *json, size_t n, char *token, size_t cap, int64_t *expires_ms,
                           char *why, size_t whylen);

/*
 * The portal's GetRoleCredentials answer ({"roleCredentials": {"accessKeyId",
 * "secretAccessKey", "sessionToken", "expiration" (Unix ms)}}) into c. Returns 0, or
 * CM_ESYNTAX / CM_EINVAL with why naming the member.
 */
int cm_aws_sso_creds_parse(const char *json, size_t n, struct cm_aws_creds *c, char *why,
                           size_t whylen);

struct cm_json_doc;

/*
 * Copies string member key of object obj of d into dst (cap bytes): a credential's text,
 * non-empty and printable without spaces (cm_aws_cred_ok). Returns 0, CM_ENOTFOUND (absent
 * or null: why "no KEY") or CM_EINVAL (not a string, too long, not printable), dst then "".
 */
int cm_aws_cred_member(const struct cm_json_doc *d, uint32_t obj, const char *key, char *dst,
                       size_t cap, char *why, size_t whylen);

/* Wipes c's secrets. */
void cm_aws_creds_wipe(struct cm_aws_creds *c);

#endif
