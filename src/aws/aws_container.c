/*
 * The container credentials endpoint (aws_container.h).
 */
#include "aws/aws_container.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/aws_http.h"
#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

#define ECS_HOST "http://169.254.170.2"
#define ATTEMPTS 3

static const char *env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool cm_aws_container_configured(void)
{
    return env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != NULL ||
           env("AWS_CONTAINER_CREDENTIALS_FULL_URI") != NULL;
}

/* Whether a FULL_URI over plain http names a host botocore allows. */
static bool host_allowed(const char *url)
{
    const char *h = url + 7, *end;
    char host[300];
    size_t n;

    if (h[0] == '[') {
        end = strchr(h, ']');
        if (end == NULL) {
            return false;
        }
        h++;
    } else {
        end = h + strcspn(h, ":/?#");
    }
    n = (size_t)(end - h);
    if (n == 0 || n >= sizeof(host)) {
        return false;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    if (strchr(host, '@') != NULL) {
        return false;
    }
    if (strcmp(host, "localhost") == 0 || strcmp(host, "169.254.170.2") == 0 ||
        strcmp(host, "169.254.170.23") == 0 || strcmp(host, "fd00:ec2::23") == 0 ||
        strcmp(host, "::1") == 0) {
        return true;
    }
    /* 127.0.0.0/8, written as a dotted quad */
    {
        unsigned a, b, c, d;
        char tail;
        if (sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
            c < 256 && d < 256) {
            return true;
        }
    }
    return false;
}

/* The Authorization header's value into tok (cap bytes), "" when none. */
static int auth_token(char *tok, size_t cap, char *err, size_t errlen)
{
    const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    size_t n;

    tok[0] = '\0';
    if (file != NULL) {
        struct cm_buf b;
        int rc;
        cm_buf_init(&b, cap - 1);
        rc = cm_read_path(file, &b, 0);
        if (rc != 0) {
            int e = errno;
            cm_buf_finish(&b);
            snprintf(err, errlen, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %.300s: %s", file,
                     rc == CM_EIO ? strerror(e) : cm_strerror(rc));
            return CM_EIO;
        }
        snprintf(tok, cap, "%.*s", (int)b.len, b.p ? b.p : "");
        if (b.p != NULL) {
            memset(b.p, 0, b.len);
        }
        cm_buf_finish(&b);
    } else if (env("AWS_CONTAINER_AUTHORIZATION_TOKEN") != NULL) {
        snprintf(tok, cap, "%s", env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    }
    n = strlen(tok);
    while (n > 0 && (tok[n - 1] == '\n' || tok[n - 1] == '\r')) {
        tok[--n] = '\0';
    }
    if (strchr(tok, '\n') != NULL || strchr(tok, '\r') != NULL) {
        snprintf(err, errlen, "the container authorization token holds a line break");
        memset(tok, 0, cap);
        return CM_EINVAL;
    }
    return 0;
}

int cm_aws_container_credentials(struct cm_aws_creds *out, char *url, size_t urlcap, char *err,
                                 size_t errlen)
{
    const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    char tok[4096], hdr[4200], why[300];
    struct cm_aws_http h;
    struct cm_aws_resp r;
    struct cm_buf body;
    int rc;

    memset(out, 0, sizeof(*out));
    if (rel != NULL) {
        snprintf(url, urlcap, "%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/", rel);
    } else if (full != NULL) {
        snprintf(url, urlcap, "%s", full);
        if (strncmp(full, "https://", 8) != 0 &&
            (strncmp(full, "http://", 7) != 0 || !host_allowed(full))) {
            snprintf(err, errlen,
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI '%.200s': not https, and not a loopback "
                     "address, localhost, 169.254.170.2, 169.254.170.23 or fd00:ec2::23",
                     full);
            return CM_EINVAL;
        }
    } else {
        snprintf(err, errlen, "no AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI");
        return CM_EINVAL;
    }
    if ((rc = auth_token(tok, sizeof(tok), err, errlen)) != 0) {
        return rc;
    }
    snprintf(hdr, sizeof(hdr), "Authorization: %s", tok);
    cm_buf_init(&body, 1u << 20);
    memset(&r, 0, sizeof(r));
    memset(&h, 0, sizeof(h));
    r.body = &body;
    if ((rc = cm_aws_http_init(&h)) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    h.connect_timeout_s = 2;
    h.timeout_s = 2;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
        const char *hs[2] = {"Accept: application/json", hdr};
        if ((rc = cm_aws_http_do(&h, "GET", url, hs, tok[0] ? 2 : 1, &r)) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        if (!r.transport && r.status == 200) {
            break;
        }
        if (attempt < ATTEMPTS) {
            struct timespec ts = {1, 0};
            nanosleep(&ts, NULL);
        }
    }
    if (r.transport) {
        snprintf(err, errlen, "container credentials at %.300s: %s", url, r.why);
        rc = CM_EIO;
        goto out;
    }
    if (r.status != 200) {
        snprintf(err, errlen, "container credentials at %.300s: HTTP %ld", url, r.status);
        rc = CM_EIO;
        goto out;
    }
    if ((rc = cm_aws_cred_json_parse(body.p ? body.p : "", body.len, false, out, why,
                                     sizeof(why))) != 0) {
        snprintf(err, errlen, "container credentials at %.300s: %s", url, why);
        rc = CM_EIO;
    }
out:
    memset(tok, 0, sizeof(tok));
    memset(hdr, 0, sizeof(hdr));
    if (body.p != NULL) {
        memset(body.p, 0, body.len);
    }
    cm_buf_finish(&body);
    cm_aws_http_finish(&h);
    return rc;
}
