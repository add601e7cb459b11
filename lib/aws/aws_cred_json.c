/*
 * Credentials JSON: a credential_process's output, and the container endpoint's and the
 * instance metadata service's answers (aws_creds.h).
 */
#include "aws/aws_creds.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/json.h"
#include "base/str.h"
#include "base/time.h"

int cm_aws_cred_member(const struct cm_json_doc *d, uint32_t obj, const char *key, char *dst,
                       size_t cap, char *why, size_t whylen)
{
    uint32_t i = cm_json_get(d, obj, key);
    struct cm_str raw;

    dst[0] = '\0';
    if (i == CM_JSON_NONE || cm_json_type(d, i) == CM_JSON_NULL) {
        snprintf(why, whylen, "no %s", key);
        return CM_ENOTFOUND;
    }
    if (cm_json_type(d, i) != CM_JSON_STRING) {
        snprintf(why, whylen, "%s is not a string", key);
        return CM_EINVAL;
    }
    raw = cm_json_raw(d, i);
    if (raw.len >= cap) {
        snprintf(why, whylen, "%s is longer than %zu bytes", key, cap - 1);
        return CM_EINVAL;
    }
    size_t m = cm_json_unescape(raw.p, raw.len, dst);
    dst[m] = '\0';
    if (m == 0 || strlen(dst) != m || !cm_aws_cred_ok(dst)) {
        snprintf(why, whylen, "%s is empty or holds a space or a control character", key);
        dst[0] = '\0';
        return CM_EINVAL;
    }
    return 0;
}

int cm_aws_cred_json_parse(const char *json, size_t n, bool process, struct cm_aws_creds *c,
                           char *why, size_t whylen)
{
    struct cm_json_doc d;
    char exp[64];
    int rc;

    memset(c, 0, sizeof(*c));
    cm_json_doc_init(&d, 256, 8);
    if (cm_json_parse(&d, json, n, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        snprintf(why, whylen, "the output is not a JSON object");
        rc = CM_ESYNTAX;
        goto out;
    }
    if (!process) {
        /* IMDS says {"Code": "Success", ...}; the container endpoint sends no Code */
        char code[64];
        rc = cm_aws_cred_member(&d, 0, "Code", code, sizeof(code), why, whylen);
        if (rc == 0 && strcmp(code, "Success") != 0) {
            snprintf(why, whylen, "Code %s", code);
            rc = CM_EINVAL;
        }
        if (rc != 0 && rc != CM_ENOTFOUND) {
            goto out;
        }
    } else {
        uint32_t v = cm_json_get(&d, 0, "Version");
        int64_t ver = 0;
        if (v == CM_JSON_NONE) {
            snprintf(why, whylen, "no Version (1 expected)");
            rc = CM_EINVAL;
            goto out;
        }
        if (cm_json_type(&d, v) != CM_JSON_NUMBER || cm_json_i64(&d, v, &ver) != 0 || ver != 1) {
            snprintf(why, whylen, "Version is not 1 (the only version there is)");
            rc = CM_EINVAL;
            goto out;
        }
    }
    if ((rc = cm_aws_cred_member(&d, 0, "AccessKeyId", c->key_id, sizeof(c->key_id), why,
                                 whylen)) != 0 ||
        (rc = cm_aws_cred_member(&d, 0, "SecretAccessKey", c->secret, sizeof(c->secret), why,
                                 whylen)) != 0) {
        rc = CM_EINVAL;
        goto out;
    }
    rc = cm_aws_cred_member(&d, 0, process ? "SessionToken" : "Token", c->token, sizeof(c->token),
                            why, whylen);
    if (rc == CM_ENOTFOUND) {
        rc = 0; /* long-term keys from a process; a container always sends one, but botocore
                   does not insist */
    }
    if (rc != 0) {
        goto out;
    }
    rc = cm_aws_cred_member(&d, 0, "Expiration", exp, sizeof(exp), why, whylen);
    if (rc == CM_ENOTFOUND && process) {
        rc = 0; /* they do not expire */
    } else if (rc == CM_ENOTFOUND) {
        snprintf(why, whylen, "no Expiration");
        rc = CM_EINVAL;
    } else if (rc == 0 &&
               (cm_time_parse_iso(cm_str_cstr(exp), &c->expires_ms) != 0 || c->expires_ms <= 0)) {
        snprintf(why, whylen, "the Expiration '%.40s' is not an ISO 8601 time", exp);
        rc = CM_EINVAL;
    }
out:
    cm_json_doc_finish(&d);
    if (rc != 0) {
        cm_aws_creds_wipe(c);
    }
    return rc;
}

void cm_aws_creds_wipe(struct cm_aws_creds *c)
{
    memset(c->secret, 0, sizeof(c->secret));
    memset(c->token, 0, sizeof(c->token));
}
