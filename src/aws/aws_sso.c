/*
 * IAM Identity Center's cached token and GetRoleCredentials (aws_sso.h).
 */
#include "aws/aws_sso.h"

#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_http.h"
#include "aws/aws_retry.h"
#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

#define LOGIN "run `aws sso login --profile %.100s` first"

/* Appends s form-encoded (all but A-Za-z0-9-._~ as %XX). */
static void enc(struct cm_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            cm_buf_append(b, (const char *)p, 1);
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            cm_buf_append(b, e, 3);
        }
    }
}

static bool region_ok(const char *r)
{
    if (r[0] == '\0' || strlen(r) > 40) {
        return false;
    }
    for (; *r; r++) {
        if (!((*r >= 'a' && *r <= 'z') || (*r >= '0' && *r <= '9') || *r == '-')) {
            return false;
        }
    }
    return true;
}

/* The cached token's file name into path (cap bytes). */
static int cache_path(const struct cm_aws_sso *s, char *path, size_t cap, char *err, size_t errlen)
{
    const char *key = s->session[0] ? s->session : s->start_url, *home = getenv("HOME");
    unsigned char md[SHA_DIGEST_LENGTH];
    char hex[2 * SHA_DIGEST_LENGTH + 1];

    if (home == NULL || home[0] == '\0') {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center: HOME is not set (the token "
                 "cache is ~/.aws/sso/cache)",
                 s->profile);
        return CM_EINVAL;
    }
    SHA1((const unsigned char *)key, strlen(key), md);
    for (size_t i = 0; i < SHA_DIGEST_LENGTH; i++) {
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    }
    snprintf(path, cap, "%s/.aws/sso/cache/%s.json", home, hex);
    return 0;
}

int cm_aws_sso_credentials(const struct cm_aws_sso *s, struct cm_aws_creds *out, char *err,
                           size_t errlen)
{
    char path[1200], token[4096], hdr[4200], why[300];
    const char *ep_env = getenv("AWS_ENDPOINT_URL_SSO");
    struct cm_buf file, url, body;
    struct cm_aws_http h;
    struct cm_aws_resp r;
    int64_t expires = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    memset(&h, 0, sizeof(h));
    memset(&r, 0, sizeof(r));
    token[0] = hdr[0] = '\0';
    cm_buf_init(&file, 1u << 20);
    cm_buf_init(&url, 8192);
    cm_buf_init(&body, 1u << 20);
    r.body = &body;
    if (s->start_url[0] == '\0' || s->account_id[0] == '\0' || s->role_name[0] == '\0' ||
        s->region[0] == '\0') {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center needs sso_start_url, "
                 "sso_region (in the profile or its [sso-session %.100s]), sso_account_id "
                 "and sso_role_name; %s is missing",
                 s->profile, s->session[0] ? s->session : "NAME",
                 s->start_url[0] == '\0'    ? "sso_start_url"
                 : s->region[0] == '\0'     ? "sso_region"
                 : s->account_id[0] == '\0' ? "sso_account_id"
                                            : "sso_role_name");
        rc = CM_EINVAL;
        goto out;
    }
    if (!region_ok(s->region)) {
        snprintf(err, errlen, "profile %.100s: sso_region '%.60s' is not a region name", s->profile,
                 s->region);
        rc = CM_EINVAL;
        goto out;
    }
    if ((rc = cache_path(s, path, sizeof(path), err, errlen)) != 0) {
        goto out;
    }
    if ((rc = cm_read_path(path, &file, 0)) != 0) {
        int e = errno;
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center: no cached token (%.300s: %s); " LOGIN,
                 s->profile, path, rc == CM_EIO ? strerror(e) : cm_strerror(rc), s->profile);
        rc = CM_EINVAL;
        goto out;
    }
    if ((rc = cm_aws_sso_token_parse(file.p ? file.p : "", file.len, token, sizeof(token), &expires,
                                     why, sizeof(why))) != 0) {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center: the cached token %.300s: %s; " LOGIN,
                 s->profile, path, why, s->profile);
        rc = CM_EINVAL;
        goto out;
    }
    if (expires <= (int64_t)time(NULL) * 1000) {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center: the session's token has "
                 "expired; " LOGIN,
                 s->profile, s->profile);
        rc = CM_EINVAL;
        goto out;
    }
    if (ep_env != NULL && ep_env[0] != '\0') {
        size_t n = strlen(ep_env);
        while (n > 0 && ep_env[n - 1] == '/') {
            n--;
        }
        cm_buf_append(&url, ep_env, n);
    } else {
        cm_buf_printf(&url, "https://portal.sso.%s.amazonaws.com", s->region);
    }
    cm_buf_puts(&url, "/federation/credentials?account_id=");
    enc(&url, s->account_id);
    cm_buf_puts(&url, "&role_name=");
    enc(&url, s->role_name);
    snprintf(hdr, sizeof(hdr), "x-amz-sso_bearer_token: %s", token);
    if (url.p == NULL || (rc = cm_aws_http_init(&h)) != 0) {
        snprintf(err, errlen, "out of memory");
        rc = CM_ENOMEM;
        goto out;
    }
    h.connect_timeout_s = 10;
    h.timeout_s = 60;
    for (unsigned attempt = 1;; attempt++) {
        const char *hs[1] = {hdr};
        if ((rc = cm_aws_http_do(&h, "GET", url.p, hs, 1, &r)) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        if (r.status == 200 || attempt >= 3 || !cm_aws_retryable(r.status, r.transport, NULL)) {
            break;
        }
        struct timespec ts = {0, 200 * 1000000L * (long)attempt};
        nanosleep(&ts, NULL);
    }
    if (r.transport) {
        snprintf(err, errlen, "profile %.100s: IAM Identity Center GetRoleCredentials: %s",
                 s->profile, r.why);
        rc = CM_EIO;
    } else if (r.status == 401 || r.status == 403) {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center GetRoleCredentials for account "
                 "%.20s, role %.100s: HTTP %ld (the session expired or was revoked, or the role "
                 "is not yours); " LOGIN,
                 s->profile, s->account_id, s->role_name, r.status, s->profile);
        rc = CM_EIO;
    } else if (r.status != 200) {
        snprintf(err, errlen, "profile %.100s: IAM Identity Center GetRoleCredentials: HTTP %ld",
                 s->profile, r.status);
        rc = CM_EIO;
    } else if ((rc = cm_aws_sso_creds_parse(body.p ? body.p : "", body.len, out, why,
                                            sizeof(why))) != 0) {
        snprintf(err, errlen,
                 "profile %.100s: IAM Identity Center GetRoleCredentials: the "
                 "answer: %s",
                 s->profile, why);
        rc = CM_EIO;
    }
out:
    memset(token, 0, sizeof(token));
    memset(hdr, 0, sizeof(hdr));
    if (file.p != NULL) {
        memset(file.p, 0, file.len);
    }
    if (body.p != NULL) {
        memset(body.p, 0, body.len);
    }
    cm_buf_finish(&file);
    cm_buf_finish(&url);
    cm_buf_finish(&body);
    cm_aws_http_finish(&h);
    if (rc != 0) {
        cm_aws_creds_wipe(out);
    }
    return rc;
}
