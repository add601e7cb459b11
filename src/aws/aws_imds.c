/*
 * The instance role's credentials from the EC2 instance metadata service,
 * IMDSv2 (aws_config.h): PUT /latest/api/token, then GET
 * /latest/meta-data/iam/security-credentials/ (the role) and .../ROLE.
 */
#include "aws/aws_config.h"

#include <stdio.h>
#include <string.h>

#include "aws/aws_http.h"
#include "base/err.h"

#define CRED_PATH "/latest/meta-data/iam/security-credentials/"

/* One step: method on endpoint + path, an answer of 200 wanted. */
static int step(struct cm_aws_http *h, const char *method, const char *endpoint, const char *path,
                const char *header, struct cm_aws_resp *r, char *err, size_t errlen)
{
    char url[2300];
    const char *hs[1] = {header};
    int rc;

    snprintf(url, sizeof(url), "%s%s", endpoint, path);
    if ((rc = cm_aws_http_do(h, method, url, hs, 1, r)) != 0) {
        snprintf(err, errlen, "instance metadata: out of memory");
        return rc;
    }
    if (r->transport) {
        snprintf(err, errlen, "instance metadata at %s: %s", endpoint, r->why);
        return CM_ENOTFOUND;
    }
    if (r->status == 404) {
        snprintf(err, errlen, "instance metadata at %s: %s %s: not found (HTTP 404; no role?)",
                 endpoint, method, path);
        return CM_ENOTFOUND;
    }
    if (r->status != 200) {
        snprintf(err, errlen, "instance metadata at %s: %s %s: HTTP %ld", endpoint, method, path,
                 r->status);
        return CM_EIO;
    }
    return 0;
}

int cm_aws_imds_credentials(const char *endpoint, struct cm_aws_config *c, char *err, size_t errlen)
{
    struct cm_aws_http h;
    struct cm_aws_resp r;
    struct cm_buf body;
    char token[1024], hdr[1100], role[256], path[400], why[160];
    int rc;

    cm_buf_init(&body, 1u << 20);
    memset(&r, 0, sizeof(r));
    r.body = &body;
    if ((rc = cm_aws_http_init(&h)) != 0) {
        snprintf(err, errlen, "instance metadata: out of memory");
        goto out;
    }
    h.allow_link_local = true; /* 169.254.169.254 is where it goes */
    /* botocore's: one second to connect, one for the answer, one attempt. */
    h.connect_timeout_s = 1;
    h.timeout_s = 2;
    rc = step(&h, "PUT", endpoint, "/latest/api/token",
              "X-aws-ec2-metadata-token-ttl-seconds: 21600", &r, err, errlen);
    if (rc != 0) {
        goto out;
    }
    if (body.len == 0 || body.len >= sizeof(token)) {
        snprintf(err, errlen, "instance metadata at %s: a session token of %zu bytes", endpoint,
                 body.len);
        rc = CM_EIO;
        goto out;
    }
    snprintf(token, sizeof(token), "%.*s", (int)body.len, body.p);
    if (strlen(token) != body.len || !cm_aws_cred_ok(token)) {
        snprintf(err, errlen,
                 "instance metadata at %s: a session token with spaces or control "
                 "characters",
                 endpoint);
        rc = CM_EIO;
        goto out;
    }
    snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", token);
    if ((rc = step(&h, "GET", endpoint, CRED_PATH, hdr, &r, err, errlen)) != 0) {
        goto out;
    }
    {
        size_t n = strcspn(body.p ? body.p : "", "\r\n");
        if (n == 0 || n >= sizeof(role)) {
            snprintf(err, errlen, "instance metadata at %s: no instance role", endpoint);
            rc = CM_ENOTFOUND;
            goto out;
        }
        snprintf(role, sizeof(role), "%.*s", (int)n, body.p);
        if (strchr(role, '/') != NULL || strchr(role, '?') != NULL) {
            snprintf(err, errlen, "instance metadata at %s: a role name with '/' or '?'", endpoint);
            rc = CM_EIO;
            goto out;
        }
    }
    snprintf(path, sizeof(path), "%s%s", CRED_PATH, role);
    if ((rc = step(&h, "GET", endpoint, path, hdr, &r, err, errlen)) != 0) {
        goto out;
    }
    /* botocore wants all four: a token and an expiry too */
    rc = cm_aws_cred_json_parse(body.p ? body.p : "", body.len, false, &c->creds, why, sizeof(why));
    if (rc == 0 && c->creds.token[0] == '\0') {
        snprintf(why, sizeof(why), "no Token");
        cm_aws_creds_wipe(&c->creds);
        rc = CM_EINVAL;
    }
    if (rc != 0) {
        snprintf(err, errlen, "instance metadata at %s: role %s: %s", endpoint, role, why);
        rc = CM_EIO;
        goto out;
    }
    snprintf(c->source, sizeof(c->source), "instance metadata (IMDSv2) at %s, role %s", endpoint,
             role);
    rc = 0;
out:
    memset(token, 0, sizeof(token));
    memset(hdr, 0, sizeof(hdr));
    if (body.p != NULL) {
        memset(body.p, 0, body.len); /* the secret was in it */
    }
    cm_buf_finish(&body);
    cm_aws_http_finish(&h);
    return rc;
}
