/*
 * The API's credentials (docs/api.md, "Credentials"): the access key ids and
 * secrets a signed request may use, from coalmine.yaml's api.credentials and
 * from a --credentials file. The file is either AWS's shared-credentials INI
 * (every section's aws_access_key_id and aws_secret_access_key make one
 * credential) or lines "ACCESS_KEY_ID:SECRET"; '#' and ';' start comments,
 * blank lines are skipped.
 */
#ifndef CM_API_API_CREDS_H
#define CM_API_API_CREDS_H

#include <stddef.h>

#include "api/sigv4.h"

#define CM_API_MAX_CREDS 64

/* Owned credentials. */
struct cm_api_creds {
    struct cm_sigv4_cred v[CM_API_MAX_CREDS];
    size_t n;
};

void cm_api_creds_init(struct cm_api_creds *c);
/* Frees and wipes the secrets; idempotent. */
void cm_api_creds_finish(struct cm_api_creds *c);

/*
 * Adds one credential (copied). Key ids are 16-128 of [A-Za-z0-9], secrets 1-128 bytes
 * without spaces. Returns 0, CM_EINVAL (why: reason), CM_EEXIST (the key is there with
 * another secret), CM_EFULL or CM_ENOMEM.
 */
int cm_api_creds_add(struct cm_api_creds *c, const char *key, const char *secret, char *why,
                     size_t whylen);

/*
 * Parses a credentials file's text buf[0..len) and adds what it names. Returns 0, or an
 * error as above with why "LINE: reason" (no secret is ever quoted). A file naming no
 * credential is CM_EINVAL.
 */
int cm_api_creds_parse(struct cm_api_creds *c, const char *buf, size_t len, char *why,
                       size_t whylen);

#endif
