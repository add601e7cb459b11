/*
 * Where a path in coalmine.yaml points. A relative path is resolved against
 * the config's directory. A location (s3://BUCKET[/PREFIX], sqs://ACCOUNT/QUEUE
 * or a queue's URL) is no path: where the key reads locations (serve.watch) it
 * is checked and kept as given, and elsewhere, where a local file is meant
 * (intel lists, databases, state files), it is refused with the reason rather
 * than resolved into a file name nothing holds.
 */
#include <stdio.h>
#include <string.h>

#include "aws/s3_url.h"
#include "aws/sqs_loc.h"
#include "base/alloc.h"
#include "base/err.h"
#include "base/str.h"
#include "core/config_impl.h"

/*
 * Checks the location loc (NUL-terminated) as serve.watch will read it. A
 * queue URL's endpoint is only known when serve starts (--endpoint-url and
 * the AWS_ENDPOINT_URL variables), so here its own scheme and host stand for
 * it: the URL must be whole, the endpoint is checked again then. Returns NULL
 * when fine, else why (in why, which names the location).
 */
static const char *check_location(const char *loc, char *why, size_t whylen)
{
    struct cm_s3_url u;
    struct cm_sqs_loc *l;
    char origin[300], q[QUOTE_MAX * 4 + 8], s3why[256];
    int rc;

    if (cm_s3_is_url(loc)) {
        if (cm_s3_url_parse(loc, &u, s3why, sizeof(s3why)) == 0) {
            return NULL;
        }
        cm_config_quote(q, sizeof(q), loc, strlen(loc));
        snprintf(why, whylen, "%s: %s", q, s3why);
        return why;
    }
    origin[0] = '\0';
    if (strncmp(loc, "sqs://", 6) != 0) {
        const char *auth = strstr(loc, "://") + 3;
        size_t n = (size_t)(auth - loc) + strcspn(auth, "/?#");

        if (n < sizeof(origin)) {
            snprintf(origin, sizeof(origin), "%.*s", (int)n, loc);
        }
    }
    if ((l = cm_malloc(sizeof(*l))) == NULL) {
        snprintf(why, whylen, "out of memory");
        return why;
    }
    rc = cm_sqs_loc_parse(loc, origin[0] ? origin : NULL, l, why, whylen);
    cm_free(l);
    return rc == 0 ? NULL : why;
}

int cm_config_join(struct walk *w, struct cm_str prefix, struct cm_str path, bool locations,
                   char **out)
{
    bool loc = cm_str_starts(path, "s3://") || cm_str_starts(path, "sqs://") ||
               cm_str_starts(path, "http://") || cm_str_starts(path, "https://");
    const char *base = w->base_dir && w->base_dir[0] && path.p[0] != '/' && !loc ? w->base_dir : "";
    size_t blen = strlen(base), sep = blen > 0 && base[blen - 1] != '/';
    char q[QUOTE_MAX * 4 + 8], why[512];
    char *s;

    if (path.len > CM_CONFIG_MAX_PATH || blen + sep + path.len > CM_CONFIG_MAX_PATH) {
        return FAIL(w, w->ev.start_mark, "the path is longer than %d bytes%s", CM_CONFIG_MAX_PATH,
                    blen ? " once resolved against the config's directory" : "");
    }
    if (loc && !locations) {
        cm_config_quote(q, sizeof(q), path.p, path.len);
        return FAIL(w, w->ev.start_mark,
                    "%s is a location, not a file: only serve.watch reads S3 and SQS locations "
                    "(copy the file here with aws s3 cp, or register an https feed with "
                    "coalmine intel add NAME --url URL)",
                    q);
    }
    s = cm_malloc(prefix.len + blen + sep + path.len + 1);
    if (s == NULL) {
        return cm_config_fail_whole(w, CM_ENOMEM, "out of memory");
    }
    memcpy(s, prefix.p, prefix.len);
    memcpy(s + prefix.len, base, blen);
    if (sep) {
        s[prefix.len + blen] = '/';
    }
    memcpy(s + prefix.len + blen + sep, path.p, path.len);
    s[prefix.len + blen + sep + path.len] = '\0';
    if (loc && check_location(s + prefix.len, why, sizeof(why)) != NULL) {
        cm_free(s);
        return FAIL(w, w->ev.start_mark, "%s", why);
    }
    *out = s;
    return 0;
}
