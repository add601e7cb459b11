/*
 * libFuzzer target for what the credentials providers parse from the outside (lib/aws/):
 * the first byte picks the mode, the rest is the input (an exact-size heap copy).
 *   0: an STS answer (cm_aws_sts_parse): 0 with a key id, secret and token that are
 *      printable without spaces and an expiry; CM_ENOTFOUND with the error's strings free
 *      of control bytes; else a reason, and the credentials wiped.
 *   1/2: credentials JSON of a credential_process / the container endpoint
 *      (cm_aws_cred_json_parse): the same promises.
 *   3: a credential_process command line (cm_aws_shlex_split, NUL-terminated copy): the
 *      words fit the buffer, and splitting their re-quoted form gives them back.
 *   4: IAM Identity Center's cached token (cm_aws_sso_token_parse): 0 with a token
 *      printable without spaces and an expiry, else a reason and the token wiped.
 *   5: the portal's GetRoleCredentials answer (cm_aws_sso_creds_parse): as 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/aws_creds.h"
#include "aws/aws_shlex.h"
#include "base/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond) {
        abort();
    }
}

static void creds_ok(int rc, const struct cm_aws_creds *c, const char *why, bool need_token)
{
    if (rc == 0) {
        check(c->key_id[0] != '\0' && cm_aws_cred_ok(c->key_id));
        check(c->secret[0] != '\0' && cm_aws_cred_ok(c->secret));
        check(cm_aws_cred_ok(c->token) && (!need_token || c->token[0] != '\0'));
        check(!need_token || c->expires_ms > 0);
    } else {
        check(why[0] != '\0' || rc == CM_ENOMEM);
        check(c->secret[0] == '\0' && c->token[0] == '\0');
    }
}

static void sts(const char *p, size_t n)
{
    struct cm_aws_creds *c = calloc(1, sizeof(*c));
    struct cm_aws_sts_error e;
    char why[300] = "";
    int rc;

    check(c != NULL);
    rc = cm_aws_sts_parse(p, n, c, &e, why, sizeof(why));
    creds_ok(rc, c, why, true);
    check(strlen(e.code) < sizeof(e.code) && strlen(e.message) < sizeof(e.message));
    for (const char *m = e.message; *m; m++) {
        check((unsigned char)*m >= 0x20 && *m != 0x7f);
    }
    free(c);
}

static void json(const char *p, size_t n, bool process)
{
    struct cm_aws_creds *c = calloc(1, sizeof(*c));
    char why[300] = "";
    int rc;

    check(c != NULL);
    rc = cm_aws_cred_json_parse(p, n, process, c, why, sizeof(why));
    creds_ok(rc, c, why, false);
    check(rc != 0 || process || c->expires_ms > 0);
    free(c);
}

static void shlex(const char *p, size_t n)
{
    char *s = malloc(n + 1), *buf, *argv[CM_AWS_SHLEX_MAX_ARGS + 1], why[200] = "";
    size_t argc = 0, len;
    int rc;

    check(s != NULL);
    memcpy(s, p, n);
    s[n] = '\0';
    len = strlen(s) + 1;
    buf = malloc(len);
    check(buf != NULL);
    rc = cm_aws_shlex_split(s, buf, len, argv, &argc, why, sizeof(why));
    if (rc == 0) {
        /* Each word single-quoted ('\'' for a quote) splits back into the same words. */
        size_t cap = 4 * len + 4 * argc + 1, o = 0, argc2 = 0;
        char *q = malloc(cap), *buf2, *argv2[CM_AWS_SHLEX_MAX_ARGS + 1];
        check(q != NULL && argc >= 1 && argv[argc] == NULL);
        for (size_t i = 0; i < argc; i++) {
            q[o++] = '\'';
            for (const char *w = argv[i]; *w; w++) {
                if (*w == '\'') {
                    memcpy(q + o, "'\\''", 4);
                    o += 4;
                } else {
                    q[o++] = *w;
                }
            }
            q[o++] = '\'';
            q[o++] = ' ';
        }
        q[o] = '\0';
        buf2 = malloc(o + 1);
        check(buf2 != NULL);
        check(cm_aws_shlex_split(q, buf2, o + 1, argv2, &argc2, why, sizeof(why)) == 0);
        check(argc2 == argc);
        for (size_t i = 0; i < argc; i++) {
            check(strcmp(argv[i], argv2[i]) == 0);
        }
        free(buf2);
        free(q);
    } else {
        check(why[0] != '\0');
    }
    free(buf);
    free(s);
}

static void sso_token(const char *p, size_t n)
{
    char token[4096], why[300] = "";
    int64_t exp = 0;
    int rc = cm_aws_sso_token_parse(p, n, token, sizeof(token), &exp, why, sizeof(why));

    if (rc == 0) {
        check(token[0] != '\0' && cm_aws_cred_ok(token) && exp > 0);
    } else {
        check(why[0] != '\0' && token[0] == '\0');
    }
}

static void sso_creds(const char *p, size_t n)
{
    struct cm_aws_creds *c = calloc(1, sizeof(*c));
    char why[300] = "";
    int rc;

    check(c != NULL);
    rc = cm_aws_sso_creds_parse(p, n, c, why, sizeof(why));
    creds_ok(rc, c, why, true);
    free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p;
    size_t n;

    if (size < 1) {
        return 0;
    }
    n = size - 1;
    p = malloc(n ? n : 1);
    if (p == NULL) {
        return 0;
    }
    memcpy(p, data + 1, n);
    switch (data[0] % 6) {
    case 0:
        sts(p, n);
        break;
    case 1:
        json(p, n, true);
        break;
    case 2:
        json(p, n, false);
        break;
    case 3:
        shlex(p, n);
        break;
    case 4:
        sso_token(p, n);
        break;
    default:
        sso_creds(p, n);
        break;
    }
    free(p);
    return 0;
}
