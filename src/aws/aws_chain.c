/*
 * The credential providers, in botocore's order (aws_config.h, aws_config_impl.h): the
 * environment's keys, web identity, the profile (role_arn with source_profile or
 * credential_source, web_identity_token_file, IAM Identity Center, static keys,
 * credential_process), the container endpoint, IMDSv2.
 */
#include "aws/aws_config_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/aws_container.h"
#include "aws/aws_process.h"
#include "aws/aws_sso.h"
#include "aws/aws_sts.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "base/err.h"
#include "source/source_file.h"

struct chain {
    const char *region;           /* STS's */
    const char *profile_endpoint; /* the first profile's endpoint_url, STS's too */
    char sts_regional[16];        /* the first profile's sts_regional_endpoints */
    char cred_path[PATH_CAP], conf_path[PATH_CAP];
    char visited[MAX_CHAIN][256];
    size_t nvisited;
};

/* A profile and where its settings are. */
struct prof {
    const char *name;
    struct cm_aws_profile p;
    char from[FROM_CAP]; /* the file its key pair is in; empty: none */
};

static int load(struct chain *x, const char *name, struct prof *f, char *err, size_t errlen)
{
    memset(f, 0, sizeof(*f));
    f->name = name;
    return cm_aws_from_files(name, &f->p, x->cred_path, x->conf_path, f->from, err, errlen);
}

static bool has_static(const struct prof *f)
{
    return f->p.key_id[0] != '\0' && f->p.secret[0] != '\0';
}

/* botocore's test for the assume-role provider: a role_arn without a web identity file. */
static bool has_role(const struct prof *f)
{
    return f->p.role_arn[0] != '\0' && f->p.web_identity_token_file[0] == '\0';
}

static int copy_static(const struct prof *f, struct cm_aws_creds *out, char *src, size_t srclen,
                       char *err, size_t errlen)
{
    memcpy(out->key_id, f->p.key_id, sizeof(out->key_id));
    memcpy(out->secret, f->p.secret, sizeof(out->secret));
    memcpy(out->token, f->p.token, sizeof(out->token));
    out->expires_ms = 0;
    snprintf(src, srclen, "%.240s, profile %.40s", f->from, f->name);
    if (!cm_aws_cred_ok(out->key_id) || !cm_aws_cred_ok(out->secret) ||
        !cm_aws_cred_ok(out->token)) {
        snprintf(err, errlen,
                 "%.300s: profile %.100s: a credential holds a space or a control "
                 "character",
                 f->from, f->name);
        return CM_EINVAL;
    }
    return 0;
}

static int env_keys(struct cm_aws_creds *out, char *src, size_t srclen, char *err, size_t errlen)
{
    const char *id = cm_aws_env("AWS_ACCESS_KEY_ID"), *secret = cm_aws_env("AWS_SECRET_ACCESS_KEY");
    const char *token = cm_aws_env("AWS_SESSION_TOKEN");

    if (id == NULL || secret == NULL) {
        snprintf(err, errlen, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set");
        return CM_ENOTFOUND;
    }
    if (strlen(id) >= sizeof(out->key_id) || strlen(secret) >= sizeof(out->secret) ||
        (token != NULL && strlen(token) >= sizeof(out->token))) {
        snprintf(err, errlen, "the AWS_* credential variables are too long");
        return CM_E2BIG;
    }
    snprintf(out->key_id, sizeof(out->key_id), "%s", id);
    snprintf(out->secret, sizeof(out->secret), "%s", secret);
    snprintf(out->token, sizeof(out->token), "%s", token ? token : "");
    out->expires_ms = 0;
    snprintf(src, srclen, "the environment (AWS_ACCESS_KEY_ID)");
    return 0;
}

static int imds_creds(struct cm_aws_creds *out, char *src, size_t srclen, char *err, size_t errlen)
{
    const char *imds = cm_aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    struct cm_aws_config *t = cm_calloc(1, sizeof(*t));
    char base[CM_AWS_INI_VALUE];
    size_t n;
    int rc;

    if (t == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    snprintf(base, sizeof(base), "%s", imds ? imds : IMDS_DEFAULT);
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/') {
        base[--n] = '\0';
    }
    rc = cm_aws_imds_credentials(base, t, err, errlen);
    if (rc == 0) {
        *out = t->creds;
        snprintf(src, srclen, "%s", t->source);
    }
    cm_aws_config_finish(t);
    cm_free(t);
    return rc;
}

static int container_creds(struct cm_aws_creds *out, char *src, size_t srclen, char *err,
                           size_t errlen)
{
    char url[1100];
    int rc = cm_aws_container_credentials(out, url, sizeof(url), err, errlen);

    if (rc == 0) {
        snprintf(src, srclen, "the container credentials endpoint %.250s", url);
    }
    return rc;
}

static int web_identity(struct chain *x, const char *role_arn, const char *token_file,
                        const char *session, const char *what, struct cm_aws_creds *out, char *src,
                        size_t srclen, char *err, size_t errlen)
{
    struct cm_buf tok;
    char ep[CM_AWS_INI_VALUE], name[128];
    struct cm_aws_sts_call q = {0};
    int rc;
    size_t n;

    if (role_arn == NULL || role_arn[0] == '\0') {
        snprintf(err, errlen, "%s: a web identity token file but no role ARN to assume", what);
        return CM_EINVAL;
    }
    cm_buf_init(&tok, 1u << 20);
    if ((rc = cm_read_path(token_file, &tok, 0)) != 0) {
        int e = errno;
        snprintf(err, errlen, "%s: the web identity token file %.300s: %s", what, token_file,
                 rc == CM_EIO ? strerror(e) : cm_strerror(rc));
        cm_buf_finish(&tok);
        return CM_EIO;
    }
    n = tok.len;
    while (n > 0 && (tok.p[n - 1] == '\n' || tok.p[n - 1] == '\r')) {
        tok.p[--n] = '\0';
    }
    if (n == 0 || strlen(tok.p) != n) {
        snprintf(err, errlen, "%s: the web identity token file %.300s is empty or binary", what,
                 token_file);
        rc = CM_EINVAL;
        goto out;
    }
    snprintf(name, sizeof(name), "coalmine-session-%lld", (long long)time(NULL));
    cm_aws_sts_endpoint(x->region, x->profile_endpoint, x->sts_regional, ep, sizeof(ep));
    q.endpoint = ep;
    q.region = x->region;
    q.role_arn = role_arn;
    q.session_name = session != NULL && session[0] != '\0' ? session : name;
    q.web_token = tok.p;
    if ((rc = cm_aws_sts_assume(&q, out, err, errlen)) == 0) {
        snprintf(src, srclen, "role %.200s assumed with the web identity token in %.300s (%.200s)",
                 role_arn, token_file, what);
    }
out:
    memset(tok.p, 0, tok.len);
    cm_buf_finish(&tok);
    return rc;
}

static int assume_role(struct chain *x, const struct prof *f, struct cm_aws_creds *out, char *src,
                       size_t srclen, char *err, size_t errlen);

/* IAM Identity Center: the profile's sso_* settings, or its [sso-session NAME]'s. */
static int sso(struct chain *x, const struct prof *f, struct cm_aws_creds *out, char *src,
               size_t srclen, char *err, size_t errlen)
{
    struct cm_aws_profile *ss = NULL;
    struct cm_aws_sso q = {f->name,         f->p.sso_session,    f->p.sso_start_url,
                           f->p.sso_region, f->p.sso_account_id, f->p.sso_role_name};
    int rc = 0;

    if (f->p.sso_session[0] != '\0') {
        char name[300], path[PATH_CAP];
        if ((ss = cm_calloc(1, sizeof(*ss))) == NULL) {
            snprintf(err, errlen, "out of memory");
            return CM_ENOMEM;
        }
        snprintf(name, sizeof(name), CM_AWS_INI_SSO_SESSION "%.250s", f->p.sso_session);
        if ((rc = cm_aws_read_profile_file("AWS_CONFIG_FILE", ".aws/config", name, true, ss, path,
                                           sizeof(path), err, errlen)) != 0) {
            goto out;
        }
        if (!ss->found) {
            snprintf(err, errlen,
                     "profile %.100s: sso_session '%.100s': no [sso-session %.100s] "
                     "in %s",
                     f->name, f->p.sso_session, f->p.sso_session, path);
            rc = CM_EINVAL;
            goto out;
        }
        if ((f->p.sso_start_url[0] && ss->sso_start_url[0] &&
             strcmp(f->p.sso_start_url, ss->sso_start_url) != 0) ||
            (f->p.sso_region[0] && ss->sso_region[0] &&
             strcmp(f->p.sso_region, ss->sso_region) != 0)) {
            snprintf(err, errlen,
                     "profile %.100s: its sso_start_url or sso_region differs from "
                     "its [sso-session %.100s]'s",
                     f->name, f->p.sso_session);
            rc = CM_EINVAL;
            goto out;
        }
        q.start_url = ss->sso_start_url[0] ? ss->sso_start_url : f->p.sso_start_url;
        q.region = ss->sso_region[0] ? ss->sso_region : f->p.sso_region;
    }
    (void)x;
    if ((rc = cm_aws_sso_credentials(&q, out, err, errlen)) == 0) {
        snprintf(src, srclen, "IAM Identity Center (profile %.100s, account %.20s, role %.100s)",
                 f->name, f->p.sso_account_id, f->p.sso_role_name);
    }
out:
    cm_free(ss);
    return rc;
}

/*
 * The credentials of profile f by botocore's providers for a profile: assume role (when
 * roles), web identity (top: the AWS_* variables first), IAM Identity Center,
 * the credentials file's keys, credential_process, the config file's keys. CM_ENOTFOUND
 * when it has none of them.
 */
static int profile_creds(struct chain *x, const struct prof *f, bool top, struct cm_aws_creds *out,
                         char *src, size_t srclen, char *err, size_t errlen)
{
    const char *wfile = top && cm_aws_env("AWS_WEB_IDENTITY_TOKEN_FILE")
                            ? cm_aws_env("AWS_WEB_IDENTITY_TOKEN_FILE")
                            : f->p.web_identity_token_file;

    if (top && has_role(f)) {
        return assume_role(x, f, out, src, srclen, err, errlen);
    }
    if (wfile[0] != '\0') {
        bool from_env = top && cm_aws_env("AWS_WEB_IDENTITY_TOKEN_FILE") != NULL;
        const char *arn =
            top && cm_aws_env("AWS_ROLE_ARN") ? cm_aws_env("AWS_ROLE_ARN") : f->p.role_arn;
        const char *sess = top && cm_aws_env("AWS_ROLE_SESSION_NAME")
                               ? cm_aws_env("AWS_ROLE_SESSION_NAME")
                               : f->p.role_session_name;
        char what[200];
        snprintf(what, sizeof(what), "%s",
                 from_env ? "AWS_WEB_IDENTITY_TOKEN_FILE" : "web_identity_token_file");
        if (!from_env) {
            snprintf(what, sizeof(what), "profile %.100s: web_identity_token_file", f->name);
        }
        return web_identity(x, arn, wfile, sess, what, out, src, srclen, err, errlen);
    }
    if (f->p.sso_session[0] != '\0' || f->p.sso_start_url[0] != '\0') {
        return sso(x, f, out, src, srclen, err, errlen);
    }
    if (has_static(f) && strcmp(f->from, x->cred_path) == 0) {
        return copy_static(f, out, src, srclen, err, errlen);
    }
    if (f->p.credential_process[0] != '\0') {
        int rc = cm_aws_process_credentials(f->p.credential_process, f->name, out, err, errlen);
        if (rc == 0) {
            snprintf(src, srclen, "credential_process of profile %.100s", f->name);
        }
        return rc;
    }
    if (has_static(f)) {
        return copy_static(f, out, src, srclen, err, errlen);
    }
    if (f->p.key_id[0] != '\0' || f->p.secret[0] != '\0') {
        snprintf(err, errlen, "%s: profile '%s' has %s but not %s",
                 f->from[0] ? f->from : x->cred_path, f->name,
                 f->p.key_id[0] ? "aws_access_key_id" : "aws_secret_access_key",
                 f->p.key_id[0] ? "aws_secret_access_key" : "aws_access_key_id");
        return CM_EINVAL;
    }
    snprintf(err, errlen, "profile %.100s has no credentials", f->name);
    return CM_ENOTFOUND;
}

/* The credentials AssumeRole is signed with: credential_source's or source_profile's. */
static int source_creds(struct chain *x, const struct prof *f, struct cm_aws_creds *out, char *src,
                        size_t srclen, char *err, size_t errlen)
{
    const char *cs = f->p.credential_source, *sp = f->p.source_profile;
    struct prof *s;
    int rc;

    if (cs[0] != '\0' && sp[0] != '\0') {
        snprintf(err, errlen,
                 "profile %.100s has both source_profile and credential_source; "
                 "give one",
                 f->name);
        return CM_EINVAL;
    }
    if (cs[0] == '\0' && sp[0] == '\0') {
        snprintf(err, errlen,
                 "profile %.100s has role_arn but neither source_profile nor "
                 "credential_source",
                 f->name);
        return CM_EINVAL;
    }
    if (cs[0] != '\0') {
        char why[800];
        if (strcmp(cs, "Environment") == 0) {
            rc = env_keys(out, src, srclen, why, sizeof(why));
        } else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
            rc = imds_creds(out, src, srclen, why, sizeof(why));
        } else if (strcmp(cs, "EcsContainer") == 0) {
            rc = cm_aws_container_configured() ? container_creds(out, src, srclen, why, sizeof(why))
                                               : (snprintf(why, sizeof(why),
                                                           "neither AWS_CONTAINER_CREDENTIALS_"
                                                           "RELATIVE_URI nor _FULL_URI is set"),
                                                  CM_ENOTFOUND);
        } else {
            snprintf(err, errlen,
                     "profile %.100s: credential_source '%.60s' is not "
                     "Environment, Ec2InstanceMetadata or EcsContainer",
                     f->name, cs);
            return CM_EINVAL;
        }
        if (rc != 0) {
            snprintf(err, errlen, "profile %.100s: credential_source %s: %s", f->name, cs, why);
            return rc == CM_ENOTFOUND ? CM_EINVAL : rc;
        }
        return 0;
    }
    /* botocore: a profile may name itself (it then needs keys of its own), no other loop */
    for (size_t i = 0; i < x->nvisited; i++) {
        if (strcmp(x->visited[i], sp) == 0 && strcmp(sp, f->name) != 0) {
            struct cm_buf b;
            cm_buf_init(&b, 2000);
            for (size_t k = 0; k < x->nvisited; k++) {
                cm_buf_printf(&b, "%s -> ", x->visited[k]);
            }
            snprintf(err, errlen, "an infinite loop in the source_profile chain: %s%s",
                     b.p ? b.p : "", sp);
            cm_buf_finish(&b);
            return CM_EINVAL;
        }
    }
    if ((s = cm_calloc(1, sizeof(*s))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if ((rc = load(x, sp, s, err, errlen)) != 0) {
        goto out;
    }
    if (!s->p.found) {
        snprintf(err, errlen,
                 "the source_profile '%.100s' of profile %.100s is in neither %s nor "
                 "%s",
                 sp, f->name, x->cred_path, x->conf_path);
        rc = CM_EINVAL;
        goto out;
    }
    if (strcmp(sp, f->name) == 0) {
        if (!has_static(s)) {
            snprintf(err, errlen,
                     "profile %.100s is its own source_profile but has no keys of its "
                     "own (an infinite loop)",
                     f->name);
            rc = CM_EINVAL;
            goto out;
        }
        rc = copy_static(s, out, src, srclen, err, errlen);
    } else if (has_static(s) || !has_role(s)) {
        rc = profile_creds(x, s, false, out, src, srclen, err, errlen);
        if (rc == CM_ENOTFOUND) {
            snprintf(err, errlen,
                     "the source_profile '%.100s' of profile %.100s has no "
                     "credentials",
                     sp, f->name);
            rc = CM_EINVAL;
        }
    } else {
        rc = assume_role(x, s, out, src, srclen, err, errlen);
    }
out:
    memset(s, 0, sizeof(*s));
    cm_free(s);
    return rc;
}

static int assume_role(struct chain *x, const struct prof *f, struct cm_aws_creds *out, char *src,
                       size_t srclen, char *err, size_t errlen)
{
    struct cm_aws_creds *with = NULL;
    struct cm_aws_sts_call q = {0};
    char ep[CM_AWS_INI_VALUE], name[128], inner[1200];
    unsigned duration = 0;
    int rc;

    if (f->p.mfa_serial[0] != '\0') {
        snprintf(err, errlen,
                 "profile %.100s: mfa_serial: a role that needs an MFA code is not "
                 "supported non-interactively; export credentials first: eval \"$(aws configure "
                 "export-credentials --profile %.100s --format env)\"",
                 f->name, f->name);
        return CM_EINVAL;
    }
    if (f->p.duration_seconds[0] != '\0') {
        char *end;
        long d = strtol(f->p.duration_seconds, &end, 10);
        if (*end != '\0' || d < 900 || d > 43200) {
            snprintf(err, errlen,
                     "profile %.100s: duration_seconds '%.20s' is not a number of "
                     "seconds from 900 to 43200",
                     f->name, f->p.duration_seconds);
            return CM_EINVAL;
        }
        duration = (unsigned)d;
    }
    if (x->nvisited == MAX_CHAIN) {
        snprintf(err, errlen, "profile %.100s: more than %d roles in the source_profile chain",
                 f->name, MAX_CHAIN);
        return CM_EINVAL;
    }
    snprintf(x->visited[x->nvisited++], sizeof(x->visited[0]), "%s", f->name);
    if ((with = cm_calloc(1, sizeof(*with))) == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if ((rc = source_creds(x, f, with, inner, sizeof(inner), err, errlen)) != 0) {
        goto out;
    }
    snprintf(name, sizeof(name), "coalmine-session-%lld", (long long)time(NULL));
    cm_aws_sts_endpoint(x->region, x->profile_endpoint, x->sts_regional, ep, sizeof(ep));
    q.endpoint = ep;
    q.region = x->region;
    q.with = with;
    q.role_arn = f->p.role_arn;
    q.session_name = f->p.role_session_name[0] ? f->p.role_session_name : name;
    q.external_id = f->p.external_id;
    q.duration_s = duration;
    if ((rc = cm_aws_sts_assume(&q, out, err, errlen)) != 0) {
        char why[900];
        snprintf(why, sizeof(why), "%s", err);
        snprintf(err, errlen, "profile %.100s: %s", f->name, why);
        goto out;
    }
    snprintf(src, srclen, "role %.200s assumed (profile %.60s) with %.600s", f->p.role_arn, f->name,
             inner);
out:
    x->nvisited--;
    cm_aws_creds_wipe(with);
    cm_free(with);
    return rc;
}

/*
 * The credentials chain after the environment's keys: the profile's providers, the
 * container endpoint, the instance metadata service.
 */
static int chain_creds(struct chain *x, const char *profile, const char *named,
                       struct cm_aws_creds *out, char *src, size_t srclen, char *err, size_t errlen)
{
    struct prof *f = cm_calloc(1, sizeof(*f));
    const char *off = cm_aws_env("AWS_EC2_METADATA_DISABLED");
    char why[800];
    int rc;

    if (f == NULL) {
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    if ((rc = load(x, profile, f, err, errlen)) != 0) {
        goto out;
    }
    x->profile_endpoint = f->p.endpoint_url;
    snprintf(x->sts_regional, sizeof(x->sts_regional), "%s", f->p.sts_regional_endpoints);
    if (named != NULL && !f->p.found) {
        snprintf(err, errlen, "%s: the profile '%s' is in neither %s nor %s", named, profile,
                 x->cred_path, x->conf_path);
        rc = CM_ENOTFOUND;
        goto out;
    }
    rc = profile_creds(x, f, true, out, src, srclen, err, errlen);
    if (rc != CM_ENOTFOUND) {
        goto out;
    }
    if (cm_aws_container_configured()) {
        rc = container_creds(out, src, srclen, err, errlen);
        goto out;
    }
    if (off != NULL && strcasecmp(off, "true") == 0) {
        snprintf(err, errlen,
                 "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), none for "
                 "profile '%s' in %s or %s, and the instance metadata service is disabled "
                 "(AWS_EC2_METADATA_DISABLED)",
                 profile, x->cred_path[0] ? x->cred_path : "~/.aws/credentials",
                 x->conf_path[0] ? x->conf_path : "~/.aws/config");
        rc = CM_ENOTFOUND;
        goto out;
    }
    rc = imds_creds(out, src, srclen, why, sizeof(why));
    if (rc != 0) {
        snprintf(err, errlen,
                 "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), none for "
                 "profile '%s' in %s or %s, and none from the instance: %s",
                 profile, x->cred_path[0] ? x->cred_path : "~/.aws/credentials",
                 x->conf_path[0] ? x->conf_path : "~/.aws/config", why);
    }
out:
    x->profile_endpoint = NULL;
    memset(f, 0, sizeof(*f));
    cm_free(f);
    return rc;
}

int cm_aws_chain_credentials(struct cm_aws_config *c, char *err, size_t errlen)
{
    struct chain *x = cm_calloc(1, sizeof(*x));
    struct cm_aws_creds *cr = cm_calloc(1, sizeof(*cr));
    const char *named, *profile = cm_aws_profile_of(c->profile, &named);
    char src[sizeof(c->source)] = "";
    int rc;

    if (x == NULL || cr == NULL) {
        cm_free(x);
        cm_free(cr);
        snprintf(err, errlen, "out of memory");
        return CM_ENOMEM;
    }
    x->region = c->region;
    rc = chain_creds(x, profile, named, cr, src, sizeof(src), err, errlen);
    if (rc == 0) {
        c->creds = *cr;
        memcpy(c->source, src, sizeof(c->source));
    }
    cm_aws_creds_wipe(cr);
    cm_free(cr);
    cm_free(x);
    return rc;
}
