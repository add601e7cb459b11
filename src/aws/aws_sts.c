/*
 * AssumeRole and AssumeRoleWithWebIdentity (aws_sts.h).
 */
#include "aws/aws_sts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/sigv4.h"
#include "aws/aws_http.h"
#include "aws/aws_retry.h"
#include "base/buf.h"
#include "base/err.h"

#define CONTENT_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* The regions the global endpoint served before regional endpoints were the default. */
static const char *const LEGACY_GLOBAL[] = {
    "ap-northeast-1", "ap-south-1",   "ap-southeast-1", "ap-southeast-2",
    "aws-global",     "ca-central-1", "eu-central-1",   "eu-north-1",
    "eu-west-1",      "eu-west-2",    "eu-west-3",      "sa-east-1",
    "us-east-1",      "us-east-2",    "us-west-1",      "us-west-2",
};

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

void cm_aws_sts_endpoint(const char *region, const char *profile_endpoint, const char *regional,
                         char *out, size_t cap)
{
    const char *mode = env("AWS_STS_REGIONAL_ENDPOINTS");
    size_t n;

    if (env("AWS_ENDPOINT_URL_STS") != NULL) {
        snprintf(out, cap, "%s", env("AWS_ENDPOINT_URL_STS"));
    } else if (env("AWS_ENDPOINT_URL") != NULL) {
        snprintf(out, cap, "%s", env("AWS_ENDPOINT_URL"));
    } else if (profile_endpoint != NULL && profile_endpoint[0] != '\0') {
        snprintf(out, cap, "%s", profile_endpoint);
    } else {
        bool legacy = false;
        if (mode == NULL && regional != NULL && regional[0] != '\0') {
            mode = regional;
        }
        if (mode != NULL && strcasecmp(mode, "legacy") == 0) {
            for (size_t i = 0; i < sizeof(LEGACY_GLOBAL) / sizeof(LEGACY_GLOBAL[0]); i++) {
                legacy |= strcmp(region, LEGACY_GLOBAL[i]) == 0;
            }
        }
        if (legacy) {
            snprintf(out, cap, "https://sts.amazonaws.com");
        } else {
            snprintf(out, cap, "https://sts.%s.amazonaws.com", region);
        }
    }
    n = strlen(out);
    while (n > 0 && out[n - 1] == '/') {
        out[--n] = '\0';
    }
}

/* Appends name=value, the value form-encoded (all but A-Za-z0-9-._~ as %XX). */
static void field(struct cm_buf *b, const char *name, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";

    if (b->len > 0) {
        cm_buf_append(b, "&", 1);
    }
    cm_buf_append(b, name, strlen(name));
    cm_buf_append(b, "=", 1);
    for (const unsigned char *s = (const unsigned char *)value; *s; s++) {
        if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '.' || *s == '_' || *s == '~') {
            cm_buf_append(b, (const char *)s, 1);
        } else {
            char e[3] = {'%', hex[*s >> 4], hex[*s & 15]};
            cm_buf_append(b, e, 3);
        }
    }
}

/* The signing headers of an AssumeRole: Authorization, X-Amz-Date, the token. */
static int sign(const struct cm_aws_sts_call *q, const char *host, const struct cm_buf *body,
                char *authz, size_t authzlen, char *date_hdr, size_t datelen, struct cm_buf *tok)
{
    char amz[17], day[9], body_hex[65], sig[65];
    struct cm_buf canon;
    const char *token = q->with->token;
    bool has_token = token[0] != '\0';
    time_t t = time(NULL);
    struct tm tm;
    int rc;

    gmtime_r(&t, &tm);
    strftime(amz, sizeof(amz), "%Y%m%dT%H%M%SZ", &tm);
    snprintf(day, sizeof(day), "%.8s", amz);
    cm_sigv4_sha256_hex(body->p ? body->p : "", body->len, body_hex);
    cm_buf_init(&canon, 0);
    cm_buf_printf(&canon,
                  "POST\n/\n\ncontent-type:" CONTENT_TYPE "\nhost:%s\nx-amz-date:%s\n%s%s%s"
                  "\ncontent-type;host;x-amz-date%s\n%s",
                  host, amz, has_token ? "x-amz-security-token:" : "", has_token ? token : "",
                  has_token ? "\n" : "", has_token ? ";x-amz-security-token" : "", body_hex);
    rc = canon.p == NULL
             ? CM_ENOMEM
             : cm_sigv4_sign(q->with->secret, amz, day, q->region, "sts", canon.p, canon.len, sig);
    if (canon.p != NULL) {
        memset(canon.p, 0, canon.len); /* the session token */
    }
    cm_buf_finish(&canon);
    if (rc != 0) {
        return rc;
    }
    snprintf(authz, authzlen,
             "Authorization: AWS4-HMAC-SHA256 Credential=%.200s/%s/%s/sts/aws4_request, "
             "SignedHeaders=content-type;host;x-amz-date%s, Signature=%s",
             q->with->key_id, day, q->region, has_token ? ";x-amz-security-token" : "", sig);
    snprintf(date_hdr, datelen, "X-Amz-Date: %s", amz);
    if (has_token) {
        cm_buf_printf(tok, "X-Amz-Security-Token: %s", token);
    }
    return 0;
}

static void pause_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0) {
    }
}

int cm_aws_sts_assume(const struct cm_aws_sts_call *q, struct cm_aws_creds *out, char *err,
                      size_t errlen)
{
    const char *action = q->with ? "AssumeRole" : "AssumeRoleWithWebIdentity";
    const char *host = strstr(q->endpoint, "://");
    struct cm_buf body, answer, tok;
    struct cm_aws_http h;
    struct cm_aws_resp r;
    char url[1200], host_hdr[1100], authz[2600] = "", date_hdr[40] = "", why[300];
    struct cm_aws_sts_error e;
    int rc;

    memset(out, 0, sizeof(*out));
    if (q->with != NULL && strlen(q->with->key_id) > 200) {
        snprintf(err, errlen, "STS %s: the source access key id is over 200 bytes", action);
        return CM_EINVAL;
    }
    if (host == NULL ||
        (strncmp(q->endpoint, "http://", 7) != 0 && strncmp(q->endpoint, "https://", 8) != 0)) {
        snprintf(err, errlen, "STS endpoint '%.200s' is not an http:// or https:// URL",
                 q->endpoint);
        return CM_EINVAL;
    }
    host += 3;
    if (host[0] == '\0' || strchr(host, '/') != NULL || strchr(host, '?') != NULL ||
        strlen(host) > 1000) {
        snprintf(err, errlen, "STS endpoint '%.200s': give only a scheme and a host[:port]",
                 q->endpoint);
        return CM_EINVAL;
    }
    snprintf(url, sizeof(url), "%s/", q->endpoint);
    snprintf(host_hdr, sizeof(host_hdr), "Host: %s", host);
    cm_buf_init(&body, 4u << 20); /* a web identity token of up to 1 MiB, encoded */
    cm_buf_init(&answer, 1u << 20);
    cm_buf_init(&tok, 0);
    memset(&r, 0, sizeof(r));
    memset(&h, 0, sizeof(h));
    r.body = &answer;
    if ((rc = cm_aws_http_init(&h)) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    h.connect_timeout_s = 10;
    h.timeout_s = 60;
    field(&body, "Action", action);
    field(&body, "Version", "2011-06-15");
    field(&body, "RoleArn", q->role_arn);
    field(&body, "RoleSessionName", q->session_name);
    if (q->with != NULL && q->external_id != NULL && q->external_id[0] != '\0') {
        field(&body, "ExternalId", q->external_id);
    }
    if (q->duration_s > 0) {
        char d[16];
        snprintf(d, sizeof(d), "%u", q->duration_s);
        field(&body, "DurationSeconds", d);
    }
    if (q->with == NULL) {
        field(&body, "WebIdentityToken", q->web_token);
    }
    if (body.p == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ENOMEM;
        goto out;
    }
    for (unsigned attempt = 1;; attempt++) {
        const char *hs[5] = {host_hdr, "Content-Type: " CONTENT_TYPE};
        size_t nh = 2;
        if (q->with != NULL) {
            cm_buf_reset(&tok);
            if ((rc = sign(q, host, &body, authz, sizeof(authz), date_hdr, sizeof(date_hdr),
                           &tok)) != 0) {
                snprintf(err, errlen, "STS %s: cannot sign the request", action);
                goto out;
            }
            hs[nh++] = authz;
            hs[nh++] = date_hdr;
            if (tok.len > 0) {
                hs[nh++] = tok.p;
            }
        }
        if ((rc = cm_aws_http_send(&h, "POST", url, hs, nh, body.p, body.len, &r)) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        if (r.status == 200 || attempt >= 3 || !cm_aws_retryable(r.status, r.transport, NULL)) {
            break;
        }
        pause_ms(cm_aws_backoff_ms(attempt, 0.5));
    }
    if (r.transport) {
        snprintf(err, errlen, "STS %s at %s: %s", action, q->endpoint, r.why);
        rc = CM_EIO;
        goto out;
    }
    rc = cm_aws_sts_parse(answer.p ? answer.p : "", answer.len, out, &e, why, sizeof(why));
    if (rc == CM_ENOTFOUND || (rc != 0 && r.status != 200)) {
        snprintf(err, errlen, "STS %s of %.300s at %s: %s%s%s (HTTP %ld)", action, q->role_arn,
                 q->endpoint, e.code[0] ? e.code : "an error", e.message[0] ? ": " : "", e.message,
                 r.status);
        rc = CM_EIO;
    } else if (rc != 0) {
        snprintf(err, errlen, "STS %s of %.300s at %s: the answer: %s", action, q->role_arn,
                 q->endpoint, why);
        rc = CM_EIO;
    } else if (r.status != 200) {
        snprintf(err, errlen, "STS %s at %s: HTTP %ld", action, q->endpoint, r.status);
        rc = CM_EIO;
    }
out:
    if (answer.p != NULL) {
        memset(answer.p, 0, answer.len);
    }
    if (body.p != NULL) {
        memset(body.p, 0, body.len); /* a web identity token */
    }
    if (tok.p != NULL) {
        memset(tok.p, 0, tok.len);
    }
    cm_buf_finish(&body);
    cm_buf_finish(&answer);
    cm_buf_finish(&tok);
    cm_aws_http_finish(&h);
    if (rc != 0) {
        cm_aws_creds_wipe(out);
    }
    return rc;
}
