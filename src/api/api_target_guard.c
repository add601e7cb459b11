/*
 * The guard on targets put through the API (api_target_guard.h).
 */
#include "api/api_target_guard.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "base/json.h"
#include "net/net_guard.h"
#include "net/net_url.h"

#define SPEC_NODES 8192

/* Variables a program's loader or interpreter acts on: no API caller sets them. */
static const char *const env_refused[] = {
    "PATH",
    "IFS",
    "ENV",
    "BASH_ENV",
    "SHELLOPTS",
    "BASHOPTS",
    "PS4",
    "GCONV_PATH",
    "LOCPATH",
    "NLSPATH",
    "HOSTALIASES",
    "RESOLV_HOST_CONF",
    "TMPDIR",
    "HOME",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTHONSTARTUP",
    "PERL5LIB",
    "PERL5OPT",
    "PERLLIB",
    "RUBYLIB",
    "RUBYOPT",
    "NODE_OPTIONS",
    "NODE_PATH",
    "JAVA_TOOL_OPTIONS",
    "_JAVA_OPTIONS",
    "CLASSPATH",
    "MALLOC_CHECK_",
    "GLIBC_TUNABLES",
    NULL,
};

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, whylen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Whether real path sub is dir itself or lies under it (both real paths). */
static bool under(const char *dir, const char *sub)
{
    size_t n = strlen(dir);

    if (strcmp(dir, "/") == 0) {
        return true;
    }
    return strncmp(dir, sub, n) == 0 && (sub[n] == '\0' || sub[n] == '/');
}

/* The spec opts out of a delivery-time check (member name set true): only the CLI may. */
static int opted_out(const struct cm_json_doc *d, const char *kind, const char *name, char *why,
                     size_t whylen)
{
    uint32_t v = cm_json_get(d, 0, name);

    if (v != CM_JSON_NONE && cm_json_type(d, v) == CM_JSON_TRUE) {
        return fail(why, whylen,
                    "%s target: %s cannot be set through the API (`coalmine targets put` can)",
                    kind, name);
    }
    return 0;
}

/* ---- exec ---- */

static bool env_ok(const char *name)
{
    if (strncmp(name, "LD_", 3) == 0 || strncmp(name, "DYLD_", 5) == 0) {
        return false;
    }
    for (size_t i = 0; env_refused[i] != NULL; i++) {
        if (strcmp(name, env_refused[i]) == 0) {
            return false;
        }
    }
    return true;
}

static int guard_exec(const struct cm_api_target_policy *p, const struct cm_json_doc *d, char *why,
                      size_t whylen)
{
    uint32_t argv = cm_json_get(d, 0, "argv"), env = cm_json_get(d, 0, "env");
    char prog[PATH_MAX], real[PATH_MAX], allow[PATH_MAX];
    struct stat st;

    if (argv == CM_JSON_NONE || cm_json_type(d, argv) != CM_JSON_ARRAY ||
        cm_json_str_to(d, cm_json_first(d, argv), prog, sizeof(prog)) == NULL) {
        return fail(why, whylen, "exec target: no program");
    }
    if (p == NULL || p->nexec == 0) {
        return fail(why, whylen,
                    "exec targets cannot be put through the API unless the operator allows the "
                    "program in coalmine.yaml (api.targets.exec_allow); %s",
                    "`coalmine targets put` can put any");
    }
    if (prog[0] != '/') {
        return fail(why, whylen,
                    "exec target %.300s: through the API argv[0] must be an absolute path", prog);
    }
    if (realpath(prog, real) == NULL || stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        return fail(why, whylen, "exec target %.300s: no such program", prog);
    }
    for (size_t i = 0; i < p->nexec; i++) {
        if (realpath(p->exec_allow[i], allow) != NULL && under(allow, real)) {
            goto allowed;
        }
    }
    return fail(why, whylen,
                "exec target %.300s: the program (%.300s) is not in api.targets.exec_allow", prog,
                real);
allowed:
    if (env != CM_JSON_NONE && cm_json_type(d, env) == CM_JSON_OBJECT) {
        for (uint32_t k = cm_json_first(d, env); k != CM_JSON_NONE;
             k = cm_json_next(d, env, k + 1)) {
            char name[256];
            if (cm_json_str_to(d, k, name, sizeof(name)) == NULL || !env_ok(name)) {
                return fail(why, whylen,
                            "exec target %.300s: env.%.100s cannot be set through the API (it "
                            "changes what the program loads or runs)",
                            prog, name);
            }
        }
    }
    return 0;
}

/* ---- file ---- */

static int guard_file(const struct cm_api_target_policy *p, const struct cm_json_doc *d, char *why,
                      size_t whylen)
{
    char path[PATH_MAX], dir[PATH_MAX], real[PATH_MAX], allow[PATH_MAX];
    const char *base;
    struct stat st;
    char *slash;

    if (cm_json_str_to(d, cm_json_get(d, 0, "path"), path, sizeof(path)) == NULL) {
        return fail(why, whylen, "file target: no path");
    }
    if (opted_out(d, "file", "follow_symlinks", why, whylen) != 0) {
        return -1;
    }
    if (p == NULL || p->nfile == 0) {
        return fail(why, whylen,
                    "file targets cannot be put through the API unless the operator names their "
                    "directory in coalmine.yaml (api.targets.file_dirs); %s",
                    "`coalmine targets put` can put any");
    }
    if (path[0] != '/') {
        return fail(why, whylen, "file target %.300s: through the API the path must be absolute",
                    path);
    }
    slash = strrchr(path, '/');
    base = slash + 1;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        return fail(why, whylen, "file target %.300s: the path names no file", path);
    }
    snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
    if (realpath(dir, real) == NULL) {
        return fail(why, whylen, "file target %.300s: its directory %.300s does not exist", path,
                    dir);
    }
    /* Delivery follows no link in the path (target_file.c): name the directory as it is. */
    if (strcmp(real, dir) != 0) {
        return fail(why, whylen,
                    "file target %.300s: its directory is %.300s through a symbolic link or "
                    "\"..\" (a file target does not follow links): name it that way",
                    path, real);
    }
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        return fail(why, whylen, "file target %.300s: %s (a file target appends to a regular file)",
                    path, S_ISLNK(st.st_mode) ? "is a symbolic link" : "is not a regular file");
    }
    for (size_t i = 0; i < p->nfile; i++) {
        if (realpath(p->file_dirs[i], allow) != NULL && under(allow, real)) {
            return 0;
        }
    }
    return fail(why, whylen,
                "file target %.300s: its directory (%.300s) is not under api.targets.file_dirs",
                path, real);
}

/* ---- webhook and kafka: where they connect ---- */

/*
 * host (no brackets) is no link-local or metadata address when it is an address literal
 * (any form inet_aton reads: 2852039166, 0xa9fea9fe...). A name is not looked up here, on the
 * API thread: where it leads is checked when the service connects (net_guard.h), so a name
 * that resolves elsewhere later (DNS rebinding) is refused then. 0, or -1 with why set.
 */
/* What goes between what and the reason: nothing when the caller names the member itself. */
static const char *after_what(const char *what)
{
    return what[0] != '\0' ? ": " : "";
}

static int host_ok(const char *what, const char *host, char *why, size_t whylen)
{
    struct addrinfo hints, *res = NULL;
    const char *sep = after_what(what);
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST;
    if ((rc = getaddrinfo(host, NULL, &hints, &res)) == EAI_NONAME) {
        return 0; /* a name */
    }
    if (rc != 0) {
        snprintf(why, whylen, "%s%shost %.200s: %s", what, sep, host, gai_strerror(rc));
        return -1;
    }
    for (const struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        if (cm_net_addr_refused(a->ai_addr)) {
            char ip[INET6_ADDRSTRLEN];

            cm_net_addr_text(a->ai_addr, ip, sizeof(ip));
            snprintf(why, whylen,
                     "%s%shost %.200s is link-local or instance metadata (%s): not reached for "
                     "an API caller",
                     what, sep, host, ip);
            freeaddrinfo(res);
            return -1;
        }
    }
    freeaddrinfo(res);
    return 0;
}

int cm_api_url_host_ok(const char *what, const char *url, char *why, size_t whylen)
{
    struct cm_net_url u;

    if (cm_net_url_split(url, &u) != 0) {
        return fail(why, whylen, "%s%snot a URL coalmine can read", what, after_what(what));
    }
    return host_ok(what, u.host, why, whylen);
}

static int guard_webhook(const struct cm_api_target_policy *p, const struct cm_json_doc *d,
                         char *why, size_t whylen)
{
    char url[4096];
    struct cm_net_url u;
    size_t i;

    if (opted_out(d, "webhook", "allow_link_local", why, whylen) != 0) {
        return -1;
    }
    if (cm_json_str_to(d, cm_json_get(d, 0, "url"), url, sizeof(url)) == NULL ||
        cm_net_url_split(url, &u) != 0) {
        return fail(why, whylen, "webhook target: no URL coalmine can read");
    }
    if (p != NULL && p->nwebhook > 0) {
        for (i = 0; i < p->nwebhook && !cm_net_url_under(&u, p->webhook_allow[i]); i++) {
        }
        if (i == p->nwebhook) {
            return fail(why, whylen,
                        "webhook target %.300s: not under any URL of api.targets.webhook_allow",
                        url);
        }
    }
    return host_ok("webhook target", u.host, why, whylen);
}

/*
 * librdkafka properties that run a command, load code, read a file or fetch a URL of the
 * caller's choosing: sasl.kerberos.kinit.cmd is run by a shell, ssl.engine.location and
 * ssl.providers load libraries, *.location and the keytab name files.
 */
static bool property_ok(const char *name)
{
    static const char *const refused[] = {"sasl.kerberos.kinit.cmd",
                                          "sasl.kerberos.keytab",
                                          "sasl.oauthbearer.token.endpoint.url",
                                          "sasl.oauthbearer.config",
                                          "ssl.providers",
                                          "ssl.engine.id",
                                          "plugin.library.paths",
                                          NULL};
    size_t n = strlen(name);

    for (size_t i = 0; refused[i] != NULL; i++) {
        if (strcasecmp(name, refused[i]) == 0) {
            return false;
        }
    }
    return !(n >= 9 && strcasecmp(name + n - 9, ".location") == 0) &&
           strncasecmp(name, "ssl.engine", 10) != 0 && strncasecmp(name, "plugin.", 7) != 0;
}

static int guard_kafka(const struct cm_api_target_policy *p, const struct cm_json_doc *d, char *why,
                       size_t whylen)
{
    char brokers[1024], one[300], host[256];
    uint32_t props = cm_json_get(d, 0, "properties");
    const char *s;

    if (opted_out(d, "kafka", "allow_link_local", why, whylen) != 0) {
        return -1;
    }
    if (props != CM_JSON_NONE && cm_json_type(d, props) == CM_JSON_OBJECT) {
        for (uint32_t k = cm_json_first(d, props); k != CM_JSON_NONE;
             k = cm_json_next(d, props, k + 1)) {
            char name[256];
            if (cm_json_str_to(d, k, name, sizeof(name)) == NULL || !property_ok(name)) {
                return fail(why, whylen,
                            "kafka target: properties.%.100s cannot be set through the API (it "
                            "runs a command, loads code, reads a file or fetches a URL)",
                            name);
            }
        }
    }

    if (cm_json_str_to(d, cm_json_get(d, 0, "brokers"), brokers, sizeof(brokers)) == NULL) {
        return fail(why, whylen, "kafka target: no brokers");
    }
    for (s = brokers; *s != '\0';) {
        size_t n = strcspn(s, ","), i;
        const char *colon;
        snprintf(one, sizeof(one), "%.*s", (int)(n < sizeof(one) ? n : sizeof(one) - 1), s);
        s += n + (s[n] == ',');
        if (one[0] == '\0') {
            continue;
        }
        if (p != NULL && p->nkafka > 0) {
            for (i = 0; i < p->nkafka && strcasecmp(p->kafka_allow[i], one) != 0; i++) {
            }
            if (i == p->nkafka) {
                return fail(why, whylen,
                            "kafka target: broker %.200s is not in api.targets.kafka_allow", one);
            }
        }
        /* host:port, [v6]:port, or a bare host */
        if (one[0] == '[') {
            snprintf(host, sizeof(host), "%.*s", (int)strcspn(one + 1, "]"), one + 1);
        } else if ((colon = strrchr(one, ':')) != NULL && strchr(one, ':') == colon) {
            snprintf(host, sizeof(host), "%.*s", (int)(colon - one), one);
        } else {
            snprintf(host, sizeof(host), "%.255s", one);
        }
        if (host_ok("kafka target", host, why, whylen) != 0) {
            return -1;
        }
    }
    return 0;
}

int cm_api_target_guard(const struct cm_api_target_policy *p, const char *kind, const char *spec,
                        char *why, size_t whylen)
{
    struct cm_json_doc d;
    int rc;

    cm_json_doc_init(&d, SPEC_NODES, 32);
    if (cm_json_parse(&d, spec, strlen(spec), NULL) != 0 || cm_json_type(&d, 0) != CM_JSON_OBJECT) {
        cm_json_doc_finish(&d);
        return fail(why, whylen, "%s target: its spec is no JSON object", kind);
    }
    if (strcmp(kind, "exec") == 0) {
        rc = guard_exec(p, &d, why, whylen);
    } else if (strcmp(kind, "file") == 0) {
        rc = guard_file(p, &d, why, whylen);
    } else if (strcmp(kind, "webhook") == 0) {
        static const struct cm_target_secrets none = {NULL, 0};

        rc = guard_webhook(p, &d, why, whylen);
        if (rc == 0 && cm_target_secrets_check(cm_target_kind(kind), spec, strlen(spec),
                                               p != NULL && p->secrets != NULL ? p->secrets : &none,
                                               why, whylen) != 0) {
            rc = -1;
        }
    } else if (strcmp(kind, "kafka") == 0) {
        rc = guard_kafka(p, &d, why, whylen);
    } else {
        rc = fail(why, whylen, "no target kind '%.40s'", kind);
    }
    cm_json_doc_finish(&d);
    return rc;
}
