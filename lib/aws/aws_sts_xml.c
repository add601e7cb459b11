/*
 * STS's Query-protocol XML answers (aws_creds.h), with expat.
 */
#include "aws/aws_creds.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "aws/aws_xml.h"
#include "base/err.h"
#include "base/str.h"
#include "base/time.h"

#define MAX_DEPTH 8

/* Where the parser is: the element names from the root, and the text of the innermost. */
struct walk {
    struct cm_aws_xml x; /* the parser, the first failure and why */
    char stack[MAX_DEPTH][48];
    int depth, overflow;
    char text[CM_AWS_INI_VALUE];
    size_t ntext;
    bool too_long;
    char expiration[64];
    bool root_ok, is_error, has_id, has_secret, has_token, has_exp;
    struct cm_aws_creds *c;
    struct cm_aws_sts_error *e;
};

/* The element's local name: "ns:Name" and "uri Name" are both "Name". */
static const char *local(const char *name)
{
    const char *s = strrchr(name, ':');

    return s ? s + 1 : name;
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    struct walk *w = ud;
    const char *n = local(name);

    (void)attrs;
    if (w->depth == 0) {
        if (strcmp(n, "ErrorResponse") == 0) {
            w->is_error = true;
        } else if (strcmp(n, "AssumeRoleResponse") != 0 &&
                   strcmp(n, "AssumeRoleWithWebIdentityResponse") != 0) {
            cm_aws_xml_fail(&w->x, CM_EFORMAT,
                            "not an STS answer (AssumeRoleResponse or ErrorResponse)");
            return;
        }
        w->root_ok = true;
    }
    if (w->depth >= MAX_DEPTH) {
        w->overflow++;
        return;
    }
    snprintf(w->stack[w->depth], sizeof(w->stack[0]), "%s", n);
    w->depth++;
    w->ntext = 0;
    w->too_long = false;
}

/* Whether the open element is name, inside parent. */
static bool at(const struct walk *w, const char *parent, const char *name)
{
    return w->overflow == 0 && w->depth >= 2 && strcmp(w->stack[w->depth - 1], name) == 0 &&
           strcmp(w->stack[w->depth - 2], parent) == 0;
}

/* Copies the text into dst, control bytes as spaces (a message) or refused (a credential). */
static bool keep(struct walk *w, char *dst, size_t cap, bool credential, const char *what)
{
    char msg[120];

    if (w->too_long || w->ntext >= cap) {
        snprintf(msg, sizeof(msg), "%s is longer than %zu bytes", what, cap - 1);
        cm_aws_xml_fail(&w->x, CM_E2BIG, msg);
        return false;
    }
    memcpy(dst, w->text, w->ntext);
    dst[w->ntext] = '\0';
    for (char *s = dst; *s; s++) {
        if ((unsigned char)*s < ' ' || *s == 0x7f) {
            if (credential) {
                snprintf(msg, sizeof(msg), "%s holds a control character", what);
                cm_aws_xml_fail(&w->x, CM_EINVAL, msg);
                return false;
            }
            *s = ' ';
        }
    }
    if (credential && (dst[0] == '\0' || !cm_aws_cred_ok(dst))) {
        snprintf(msg, sizeof(msg), "%s is empty or holds a space", what);
        cm_aws_xml_fail(&w->x, CM_EINVAL, msg);
        return false;
    }
    return true;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct walk *w = ud;

    (void)name;
    if (w->overflow > 0) {
        w->overflow--;
        return;
    }
    if (w->is_error) {
        if (at(w, "Error", "Code")) {
            keep(w, w->e->code, sizeof(w->e->code), false, "the error's Code");
        } else if (at(w, "Error", "Message")) {
            keep(w, w->e->message, sizeof(w->e->message), false, "the error's Message");
        }
    } else if (at(w, "Credentials", "AccessKeyId")) {
        w->has_id = keep(w, w->c->key_id, sizeof(w->c->key_id), true, "AccessKeyId");
    } else if (at(w, "Credentials", "SecretAccessKey")) {
        w->has_secret = keep(w, w->c->secret, sizeof(w->c->secret), true, "SecretAccessKey");
    } else if (at(w, "Credentials", "SessionToken")) {
        w->has_token = keep(w, w->c->token, sizeof(w->c->token), true, "SessionToken");
    } else if (at(w, "Credentials", "Expiration")) {
        w->has_exp = keep(w, w->expiration, sizeof(w->expiration), true, "Expiration");
    }
    w->depth--;
    w->ntext = 0;
    w->too_long = false;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
    struct walk *w = ud;

    if (w->ntext + (size_t)len >= sizeof(w->text)) {
        w->too_long = true;
        return;
    }
    memcpy(w->text + w->ntext, s, (size_t)len);
    w->ntext += (size_t)len;
}

int cm_aws_sts_parse(const char *xml, size_t n, struct cm_aws_creds *c, struct cm_aws_sts_error *e,
                     char *why, size_t whylen)
{
    struct walk *w;
    int rc;

    memset(c, 0, sizeof(*c));
    memset(e, 0, sizeof(*e));
    if (n > (size_t)INT32_MAX) {
        snprintf(why, whylen, "an answer of %zu bytes", n);
        return CM_E2BIG;
    }
    w = cm_calloc(1, sizeof(*w));
    if (w == NULL) {
        snprintf(why, whylen, "out of memory");
        return CM_ENOMEM;
    }
    w->c = c;
    w->e = e;
    w->x.why = why;
    w->x.whylen = whylen;
    rc = cm_aws_xml_parse(&w->x, xml, n, w, on_start, on_end, on_text);
    if (rc == CM_ENOMEM) { /* no parser: the handlers report no ENOMEM */
        cm_free(w);
        snprintf(why, whylen, "out of memory");
        return CM_ENOMEM;
    }
    if (rc == 0 && !w->root_ok) {
        snprintf(why, whylen, "not an STS answer (no element)");
        rc = CM_EFORMAT;
    }
    if (rc == 0 && w->is_error) {
        snprintf(why, whylen, "%s", e->code[0] ? e->code : "an ErrorResponse without a Code");
        rc = CM_ENOTFOUND;
    }
    if (rc == 0 && (!w->has_id || !w->has_secret || !w->has_token || !w->has_exp)) {
        snprintf(why, whylen, "the answer's Credentials lack %s",
                 !w->has_id       ? "AccessKeyId"
                 : !w->has_secret ? "SecretAccessKey"
                 : !w->has_token  ? "SessionToken"
                                  : "Expiration");
        rc = CM_EINVAL;
    }
    if (rc == 0 && (cm_time_parse_iso(cm_str_cstr(w->expiration), &c->expires_ms) != 0 ||
                    c->expires_ms <= 0)) {
        snprintf(why, whylen, "the Expiration '%.40s' is not an ISO 8601 time", w->expiration);
        rc = CM_EINVAL;
    }
    memset(w, 0, sizeof(*w)); /* the secret's text */
    cm_free(w);
    if (rc != 0) {
        cm_aws_creds_wipe(c);
    }
    return rc;
}
