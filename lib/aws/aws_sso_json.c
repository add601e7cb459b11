/*
 * IAM Identity Center's JSON (aws_creds.h): the aws CLI's cached token and the portal's
 * GetRoleCredentials answer.
 */
#include "aws/aws_creds.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "base/time.h"

/* String member key of object obj into dst (cap), printable without spaces. */
static int take(const struct cm_json_doc *d, uint32_t obj, const char *key, char *dst, size_t cap,
                char *why, size_t whylen)
{
    uint32_t i = cm_json_get(d, obj, key);

    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        dst[0] = '\0';
        snprintf(why, whylen, "no %s string", key);
        return CM_EINVAL;
    }
    return cm_aws_cred_member(d, obj, key, dst, cap, why, whylen);
}

int cm_aws_sso_token_parse(const char *json, size_t n, char *token, size_t cap, int64_t *expires_ms,
                           char *why, size_t whylen)
{
    struct cm_json_doc d;
    char exp[64];
    int rc;

    token[0] = '\0';
    *expires_ms = 0;
    cm_json_doc_init(&d, 256, 8);
    if (cm_json_parse(&d, json, n, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "not a JSON object");
        rc = CM_ESYNTAX;
    } else if ((rc = take(&d, 0, "accessToken", token, cap, why, whylen)) == 0 &&
               (rc = take(&d, 0, "expiresAt", exp, sizeof(exp), why, whylen)) == 0) {
        /* the CLI v1 wrote "...UTC" for "Z" */
        size_t k = strlen(exp);
        if (k > 3 && strcmp(exp + k - 3, "UTC") == 0) {
            snprintf(exp + k - 3, sizeof(exp) - (k - 3), "Z");
        }
        if (cm_time_parse_iso(cm_str_cstr(exp), expires_ms) != 0 || *expires_ms <= 0) {
            snprintf(why, whylen, "expiresAt '%.40s' is not an ISO 8601 time", exp);
            rc = CM_EINVAL;
        }
    }
    cm_json_doc_finish(&d);
    if (rc != 0) {
        memset(token, 0, cap);
    }
    return rc;
}

int cm_aws_sso_creds_parse(const char *json, size_t n, struct cm_aws_creds *c, char *why,
                           size_t whylen)
{
    struct cm_json_doc d;
    uint32_t rc_obj, e;
    int64_t ms = 0;
    int rc;

    memset(c, 0, sizeof(*c));
    cm_json_doc_init(&d, 256, 8);
    if (cm_json_parse(&d, json, n, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "not a JSON object");
        rc = CM_ESYNTAX;
        goto out;
    }
    rc_obj = cm_json_get(&d, 0, "roleCredentials");
    if (rc_obj == CM_JSON_NONE || cm_json_type(&d, rc_obj) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "no roleCredentials object");
        rc = CM_EINVAL;
        goto out;
    }
    if ((rc = take(&d, rc_obj, "accessKeyId", c->key_id, sizeof(c->key_id), why, whylen)) != 0 ||
        (rc = take(&d, rc_obj, "secretAccessKey", c->secret, sizeof(c->secret), why, whylen)) !=
            0 ||
        (rc = take(&d, rc_obj, "sessionToken", c->token, sizeof(c->token), why, whylen)) != 0) {
        goto out;
    }
    e = cm_json_get(&d, rc_obj, "expiration");
    if (e == CM_JSON_NONE || cm_json_type(&d, e) != CM_JSON_NUMBER ||
        cm_json_i64(&d, e, &ms) != 0 || ms <= 0) {
        snprintf(why, whylen, "no expiration (milliseconds since 1970)");
        rc = CM_EINVAL;
        goto out;
    }
    c->expires_ms = ms;
out:
    cm_json_doc_finish(&d);
    if (rc != 0) {
        cm_aws_creds_wipe(c);
    }
    return rc;
}
