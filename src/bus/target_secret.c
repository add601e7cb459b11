/*
 * Named secrets a webhook header refers to (target.h, cm_target_secret): the
 * put-time binding check and the value, read at each delivery so that a
 * rotated file or variable needs no restart. Messages name the secret and
 * never hold its value.
 */
#include "bus/target_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/json.h"
#include "net/net_url.h"

#define SPEC_NODES 8192

static const struct cm_target_secret *find(const struct cm_target_secrets *ss, const char *name)
{
    for (size_t i = 0; ss != NULL && i < ss->n; i++) {
        if (strcmp(ss->v[i].name, name) == 0) {
            return &ss->v[i];
        }
    }
    return NULL;
}

/* 0 when sec may be sent to url, else CM_EINVAL with err saying which key would allow it. */
static int bound(const struct cm_target_secret *sec, const char *url, char *err, size_t errlen)
{
    struct cm_net_url u;

    if (cm_net_url_split(url, &u) == 0) {
        for (size_t i = 0; i < sec->nurls; i++) {
            if (cm_net_url_under(&u, sec->urls[i])) {
                return 0;
            }
        }
    }
    snprintf(err, errlen,
             "secret %s may not be sent to %.200s: the URL is not under any of "
             "secrets.%s.urls in coalmine.yaml",
             sec->name, url, sec->name);
    return CM_EINVAL;
}

static int undefined(const char *name, char *err, size_t errlen)
{
    snprintf(err, errlen, "secret %s is not defined in coalmine.yaml", name);
    return CM_EINVAL;
}

int cm_target_secrets_check(const struct cm_target_kind *k, const char *spec, size_t len,
                            const struct cm_target_secrets *secrets, char *err, size_t errlen)
{
    struct cm_json_doc d;
    char url[4096], name[80];
    uint32_t hdrs;
    int rc = 0;

    if (k != &cm_target_webhook) {
        return 0; /* only a webhook's headers refer to secrets */
    }
    cm_json_doc_init(&d, SPEC_NODES, 16);
    if (cm_json_parse(&d, spec, len, NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        cm_json_doc_finish(&d);
        return 0; /* the kind's check says what is wrong */
    }
    hdrs = cm_json_get(&d, 0, "headers");
    if (cm_json_str_to(&d, cm_json_get(&d, 0, "url"), url, sizeof(url)) == NULL) {
        url[0] = '\0';
    }
    if (hdrs != CM_JSON_NONE && cm_json_type(&d, hdrs) == CM_JSON_OBJECT) {
        for (uint32_t h = cm_json_first(&d, hdrs); h != CM_JSON_NONE && rc == 0;
             h = cm_json_next(&d, hdrs, h + 1)) {
            const struct cm_target_secret *sec;

            if (cm_json_type(&d, h + 1) != CM_JSON_OBJECT ||
                cm_json_str_to(&d, cm_json_get(&d, h + 1, "secret"), name, sizeof(name)) == NULL ||
                secrets == NULL) {
                continue;
            }
            if ((sec = find(secrets, name)) == NULL) {
                rc = undefined(name, err, errlen);
            } else {
                rc = bound(sec, url, err, errlen);
            }
        }
    }
    cm_json_doc_finish(&d);
    return rc;
}

/* The file's first outlen bytes into out (NUL-terminated); *n their count. 0 or CM_EIO. */
static int read_file(const struct cm_target_secret *sec, char *out, size_t outlen, size_t *n,
                     char *err, size_t errlen)
{
    int fd = open(sec->file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    ssize_t got = 0;

    *n = 0;
    if (fd < 0) {
        snprintf(err, errlen, "secret %s: %s: %s", sec->name, sec->file, strerror(errno));
        return CM_EIO;
    }
    while (*n < outlen - 1 && (got = read(fd, out + *n, outlen - 1 - *n)) > 0) {
        *n += (size_t)got;
    }
    if (got < 0) {
        snprintf(err, errlen, "secret %s: %s: %s", sec->name, sec->file, strerror(errno));
        close(fd);
        return CM_EIO;
    }
    if (*n == outlen - 1 && read(fd, &out[0] + *n, 1) > 0) {
        *n = outlen; /* more than fits */
    }
    close(fd);
    return 0;
}

int cm_target_secret_value(const struct cm_target_secrets *secrets, const char *name,
                           const char *url, char *out, size_t outlen, char *err, size_t errlen)
{
    const struct cm_target_secret *sec = find(secrets, name);
    const char *bad = NULL;
    size_t n = 0;
    int rc;

    out[0] = '\0';
    if (sec == NULL) {
        return undefined(name, err, errlen);
    }
    if ((rc = bound(sec, url, err, errlen)) != 0) {
        return rc;
    }
    if (sec->file != NULL) {
        if ((rc = read_file(sec, out, outlen, &n, err, errlen)) != 0) {
            return rc;
        }
        if (n < outlen && n > 0 && out[n - 1] == '\n') {
            n--;
        }
        if (n < outlen && n > 0 && out[n - 1] == '\r') {
            n--; /* a file written on Windows: CRLF */
        }
    } else {
        const char *v = getenv(sec->env);

        if (v == NULL) {
            snprintf(err, errlen, "secret %s: the environment variable %s is not set", sec->name,
                     sec->env);
            return CM_EINVAL;
        }
        n = strlen(v);
        if (n < outlen) {
            memcpy(out, v, n);
        }
    }
    if (n == 0) {
        bad = "is empty";
    } else if (n >= outlen) {
        bad = "is too long for a header";
        n = 0;
    } else if (memchr(out, '\0', n) != NULL || memchr(out, '\r', n) != NULL ||
               memchr(out, '\n', n) != NULL) {
        bad = "holds a CR, LF or NUL byte (a header value cannot)";
    }
    if (bad != NULL) {
        memset(out, 0, n < outlen ? n : outlen);
        out[0] = '\0';
        snprintf(err, errlen, "secret %s: its value (%s %s) %s", sec->name,
                 sec->file != NULL ? "file" : "variable", sec->file != NULL ? sec->file : sec->env,
                 bad);
        return CM_EINVAL;
    }
    out[n] = '\0';
    return 0;
}
