/*
 * Credentials, region and endpoint, found the way botocore finds them (aws_config.h): the
 * environment and the shared files here, the credential providers in aws_chain.c.
 */
#include "aws/aws_config_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

/* An environment variable's value, NULL when unset or empty. */
const char *cm_aws_env(const char *name)
{
    const char *v = getenv(name);

    return v != NULL && v[0] != '\0' ? v : NULL;
}

/*
 * The profile: opt (--profile), else AWS_PROFILE, else "default"; *named the option or
 * variable that named it (NULL: none did, "default").
 */
const char *cm_aws_profile_of(const char *opt, const char **named)
{
    if (opt != NULL && opt[0] != '\0') {
        *named = "--profile";
        return opt;
    }
    *named = cm_aws_env("AWS_PROFILE") != NULL ? "AWS_PROFILE" : NULL;
    return *named != NULL ? cm_aws_env("AWS_PROFILE") : "default";
}

/*
 * Reads the profile's settings from the file named by variable var, else ~/dflt. A file
 * that is not there is no error (*read false). Returns 0 or an error with err set.
 */
int cm_aws_read_profile_file(const char *var, const char *dflt, const char *profile, bool config,
                             struct cm_aws_profile *p, char *path, size_t pathlen, char *err,
                             size_t errlen)
{
    struct cm_buf b;
    char why[200];
    const char *home = cm_aws_env("HOME");
    int rc;

    if (cm_aws_env(var) != NULL) {
        snprintf(path, pathlen, "%s", cm_aws_env(var));
    } else if (home != NULL) {
        snprintf(path, pathlen, "%s/%s", home, dflt);
    } else {
        path[0] = '\0';
        return 0;
    }
    cm_buf_init(&b, 16u << 20);
    rc = cm_read_path(path, &b, 0);
    if (rc != 0) {
        int e = errno;
        cm_buf_finish(&b);
        if (rc == CM_EIO && (e == ENOENT || e == ENOTDIR)) {
            return 0;
        }
        snprintf(err, errlen, "%s: %s", path, rc == CM_EIO ? strerror(e) : cm_strerror(rc));
        return rc == CM_EIO ? CM_EIO : rc;
    }
    rc = cm_aws_ini_read(b.p ? b.p : "", b.len, profile, config, p, why, sizeof(why));
    if (b.p != NULL) {
        memset(b.p, 0, b.len); /* secrets */
    }
    cm_buf_finish(&b);
    if (rc != 0) {
        snprintf(err, errlen, "%s: %s", path, why);
    }
    return rc;
}

static int endpoint_ok(const char *url, const char *from, char *err, size_t errlen)
{
    if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
        snprintf(err, errlen, "%s: the endpoint '%.200s' is not an http:// or https:// URL", from,
                 url);
        return CM_EINVAL;
    }
    return 0;
}

/* The endpoint, region and credentials from the environment and the caller. */
static int from_env(const struct cm_aws_opts *o, struct cm_aws_config *c, const char **ep_from,
                    char *err, size_t errlen)
{
    const char *id = cm_aws_env("AWS_ACCESS_KEY_ID"), *secret = cm_aws_env("AWS_SECRET_ACCESS_KEY");

    if (o->endpoint_url != NULL) {
        snprintf(c->endpoint, sizeof(c->endpoint), "%s", o->endpoint_url);
        *ep_from = "--endpoint-url";
    } else if (cm_aws_env("AWS_ENDPOINT_URL_S3") != NULL) {
        snprintf(c->endpoint, sizeof(c->endpoint), "%s", cm_aws_env("AWS_ENDPOINT_URL_S3"));
        *ep_from = "AWS_ENDPOINT_URL_S3";
    } else if (cm_aws_env("AWS_ENDPOINT_URL") != NULL) {
        snprintf(c->endpoint, sizeof(c->endpoint), "%s", cm_aws_env("AWS_ENDPOINT_URL"));
        *ep_from = "AWS_ENDPOINT_URL";
    }
    if (o->region != NULL) {
        snprintf(c->region, sizeof(c->region), "%s", o->region);
    } else if (cm_aws_env("AWS_REGION") != NULL) {
        snprintf(c->region, sizeof(c->region), "%s", cm_aws_env("AWS_REGION"));
    } else if (cm_aws_env("AWS_DEFAULT_REGION") != NULL) {
        snprintf(c->region, sizeof(c->region), "%s", cm_aws_env("AWS_DEFAULT_REGION"));
    }
    if (o->profile != NULL && o->profile[0] != '\0') {
        id = secret = NULL; /* as `aws --profile`: the profile named, not the environment's keys */
    }
    if ((id != NULL) != (secret != NULL)) {
        snprintf(err, errlen, "%s is set but %s is not",
                 id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                 id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
        return CM_EINVAL;
    }
    if (id != NULL) {
        if (strlen(id) >= sizeof(c->creds.key_id) || strlen(secret) >= sizeof(c->creds.secret) ||
            (cm_aws_env("AWS_SESSION_TOKEN") &&
             strlen(cm_aws_env("AWS_SESSION_TOKEN")) >= sizeof(c->creds.token))) {
            snprintf(err, errlen, "the AWS_* credential variables are too long");
            return CM_E2BIG;
        }
        snprintf(c->creds.key_id, sizeof(c->creds.key_id), "%s", id);
        snprintf(c->creds.secret, sizeof(c->creds.secret), "%s", secret);
        snprintf(c->creds.token, sizeof(c->creds.token), "%s",
                 cm_aws_env("AWS_SESSION_TOKEN") ? cm_aws_env("AWS_SESSION_TOKEN") : "");
        snprintf(c->source, sizeof(c->source), "the environment (AWS_ACCESS_KEY_ID)");
        if (!cm_aws_cred_ok(c->creds.key_id) || !cm_aws_cred_ok(c->creds.secret) ||
            !cm_aws_cred_ok(c->creds.token)) {
            snprintf(err, errlen,
                     "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN holds a space "
                     "or a control character");
            return CM_EINVAL;
        }
    }
    return 0;
}

/*
 * The profile's settings from the credentials file, then the config file (what the
 * first sets, the second does not override; the region and endpoint come from the
 * config file). cred_path and conf_path (PATH_CAP) get the files' names, from (FROM_CAP)
 * the one the key pair came from.
 */
int cm_aws_from_files(const char *profile, struct cm_aws_profile *p, char *cred_path,
                      char *conf_path, char *from, char *err, size_t errlen)
{
    int rc;

    /* The credentials file first: what it sets, the config file does not override. */
    if ((rc = cm_aws_read_profile_file("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials", profile,
                                       false, p, cred_path, PATH_CAP, err, errlen)) != 0) {
        return rc;
    }
    if (p->key_id[0] != '\0' && p->secret[0] != '\0') {
        snprintf(from, FROM_CAP, "%s", cred_path);
    }
    {
        struct cm_aws_profile *q = cm_calloc(1, sizeof(*q));
        if (q == NULL) {
            rc = CM_ENOMEM;
            snprintf(err, errlen, "out of memory");
            return rc;
        }
        rc = cm_aws_read_profile_file("AWS_CONFIG_FILE", ".aws/config", profile, true, q, conf_path,
                                      PATH_CAP, err, errlen);
        if (rc == 0) {
            if (p->key_id[0] == '\0' && p->secret[0] == '\0' && q->key_id[0] != '\0') {
                memcpy(p->key_id, q->key_id, sizeof(p->key_id));
                memcpy(p->secret, q->secret, sizeof(p->secret));
                memcpy(p->token, q->token, sizeof(p->token));
                snprintf(from, FROM_CAP, "%s", conf_path);
            }
            cm_aws_profile_merge(p, q);
            memcpy(p->region, q->region, sizeof(p->region));
            memcpy(p->endpoint_url, q->endpoint_url, sizeof(p->endpoint_url));
            p->found |= q->found;
        }
        memset(q, 0, sizeof(*q));
        cm_free(q);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/* One walk of the credentials chain. */
int cm_aws_config_resolve(const struct cm_aws_opts *o, struct cm_aws_config *c, char *err,
                          size_t errlen)
{
    struct cm_aws_profile *p = cm_calloc(1, sizeof(*p));
    const char *named, *profile = cm_aws_profile_of(o->profile, &named), *ep_from = NULL;
    char cred_path[PATH_CAP] = "", conf_path[PATH_CAP] = "", from[FROM_CAP] = "";
    int rc;

    memset(c, 0, sizeof(*c));
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if (o->profile != NULL && o->profile[0] != '\0') {
        if (strlen(o->profile) >= sizeof(c->profile)) {
            snprintf(err, errlen, "--profile: the profile name is too long");
            rc = CM_EINVAL;
            goto out;
        }
        snprintf(c->profile, sizeof(c->profile), "%s", o->profile);
    }
    if ((rc = from_env(o, c, &ep_from, err, errlen)) != 0) {
        goto out;
    }
    if ((rc = cm_aws_from_files(profile, p, cred_path, conf_path, from, err, errlen)) != 0) {
        goto out;
    }
    if (named != NULL && !p->found && c->creds.key_id[0] == '\0') {
        snprintf(err, errlen, "%s: the profile '%s' is in neither %s nor %s", named, profile,
                 cred_path, conf_path);
        rc = CM_ENOTFOUND;
        goto out;
    }
    if (c->region[0] == '\0') {
        snprintf(c->region, sizeof(c->region), "%s", p->region[0] ? p->region : "us-east-1");
    }
    if (c->endpoint[0] == '\0' && p->endpoint_url[0] != '\0') {
        snprintf(c->endpoint, sizeof(c->endpoint), "%s", p->endpoint_url);
        ep_from = "endpoint_url in the config file";
    }
    if (c->endpoint[0] != '\0') {
        size_t n = strlen(c->endpoint);
        if ((rc = endpoint_ok(c->endpoint, ep_from, err, errlen)) != 0) {
            goto out;
        }
        while (n > 0 && c->endpoint[n - 1] == '/') {
            c->endpoint[--n] = '\0';
        }
    }
    if (c->creds.key_id[0] != '\0') {
        rc = 0;
        goto out;
    }
    rc = cm_aws_chain_credentials(c, err, errlen);
out:
    memset(p, 0, sizeof(*p));
    cm_free(p);
    if (rc != 0) {
        cm_aws_config_finish(c);
    }
    return rc;
}

int cm_aws_config_refresh(const struct cm_aws_config *old, struct cm_aws_config *fresh, char *err,
                          size_t errlen)
{
    memset(fresh, 0, sizeof(*fresh));
    memcpy(fresh->region, old->region, sizeof(fresh->region));
    memcpy(fresh->profile, old->profile, sizeof(fresh->profile));
    return cm_aws_chain_credentials(fresh, err, errlen);
}

void cm_aws_config_finish(struct cm_aws_config *c)
{
    cm_aws_creds_wipe(&c->creds);
}
