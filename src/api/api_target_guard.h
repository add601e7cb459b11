/*
 * What a target put through the EventBridge API may be (docs/events-api.md
 * "Security"). `coalmine targets put` can make any target: whoever can write
 * the store can already run what the service runs. An API caller is someone
 * else (anyone holding api.credentials, or any local process when serve runs
 * on loopback without them), so a target that arrives through PutTargets is
 * held to the operator's api.targets settings first:
 *
 *   exec     refused unless argv[0] is an absolute path whose real path is
 *            one of exec_allow, or lies under one of its directories; env
 *            may not set the loader's or an interpreter's variables (LD_*,
 *            PATH, BASH_ENV, PYTHONPATH...).
 *   file     refused unless the path is absolute, its directory is named
 *            without links or ".." and is one of file_dirs or under one, the
 *            file, when it exists, is a regular file and no symbolic link,
 *            and the spec does not set "follow_symlinks".
 *   webhook  refused when its host is a link-local address literal
 *            (169.254.0.0/16 with the instance metadata service, fe80::/10,
 *            fd00:ec2::254, in any form inet_aton reads) or the spec sets
 *            "allow_link_local"; when webhook_allow is set, the URL must also
 *            have the scheme, host and port of one of its entries and a path
 *            under that entry's path. A header that refers to a secret
 *            ({"secret": NAME}) is refused unless NAME is one of secrets and
 *            the URL is under one of its urls (secrets.NAME.urls).
 *   kafka    each broker refused on a link-local address literal as above,
 *            and "allow_link_local"; when kafka_allow is set, each broker
 *            must be one of its host:port.
 *
 * No name is looked up here (the API thread must not wait on DNS): what a
 * name resolves to is checked when the service connects, on every
 * connection (net_guard.h), which also holds when the name resolves
 * elsewhere later (DNS rebinding). A file or directory replaced by a link
 * after the put is refused when the event is written (target_file.c).
 */
#ifndef CM_API_API_TARGET_GUARD_H
#define CM_API_API_TARGET_GUARD_H

#include <stddef.h>

#include "bus/target.h"

/* The operator's settings (coalmine.yaml api.targets); lists of n strings each. */
struct cm_api_target_policy {
    char *const *exec_allow; /* programs, or directories holding them */
    size_t nexec;
    char *const *file_dirs; /* directories files may be appended to (with those below) */
    size_t nfile;
    char *const *webhook_allow; /* URLs: scheme://host[:port][/path prefix]; 0: any */
    size_t nwebhook;
    char *const *kafka_allow; /* host:port; 0: any */
    size_t nkafka;
    /* The secrets of coalmine.yaml a webhook header may refer to; NULL: none. */
    const struct cm_target_secrets *secrets;
};

/*
 * Whether a target of kind with canonical spec (cm_target_check's output, NUL-terminated)
 * may be put through the API under policy p (NULL: all lists empty). Returns 0, or -1 with
 * why saying what was refused and which api.targets key would allow it.
 */
int cm_api_target_guard(const struct cm_api_target_policy *p, const char *kind, const char *spec,
                        char *why, size_t whylen);

/*
 * Whether an http(s) URL an API caller gave (a webhook, a list's location) may be fetched:
 * its host, as libcurl parses it, is no link-local or metadata address literal (a name is
 * checked when the service connects). 0, or -1 with why ("what: host ... is link-local or
 * instance metadata (169.254.169.254)..."; without "what: " when what is "", for a caller
 * that names the member itself).
 */
int cm_api_url_host_ok(const char *what, const char *url, char *why, size_t whylen);

#endif
