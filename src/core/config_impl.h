/*
 * What the coalmine.yaml loader's two files share and nobody else sees:
 * config.c (the schema tables, the value setters and the public API) and
 * config_walk.c (the libyaml event walker). The walker owns the parser, the
 * current event, the key path and the messages; the setters read the
 * current event through it and write into the scratch config.
 */
#ifndef CM_CORE_CONFIG_IMPL_H
#define CM_CORE_CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "base/str.h"
#include "core/config.h"
#include "intel/intel_load.h"

#define QUOTE_MAX    48  /* bytes of a value quoted in a message */
#define KEY_PATH_MAX 128 /* "detectors.console_login.window_hours", "intel.lists[1023]" */

/* An intel list name taken, and where, to refuse a second list of that name. */
struct named {
    char name[CM_INTEL_NAME_MAX + 1];
    char where[KEY_PATH_MAX + 48]; /* "intel.lists[3] at 12:5" */
};

struct walk {
    yaml_parser_t parser;
    yaml_event_t ev; /* the current event, when have_ev */
    bool have_ev;
    int depth;
    struct cm_config *c; /* the scratch config */
    const char *name;    /* file name for messages, or NULL */
    const char *base_dir;
    const char *buf;
    size_t len;
    char *err;
    size_t errlen;
    char path[KEY_PATH_MAX]; /* key path of the value being read: "intel.geoip[2]" */
    size_t pathlen;
    struct named *names;
    size_t nnames, namescap;
};

/* Writes s[0..n) double-quoted, escaped and cut at QUOTE_MAX bytes; outlen >= 16. */
void cm_config_quote(char *out, size_t outlen, const char *s, size_t n);

/* Reports msg at line:col (1-based) under the current key path. Returns CM_EINVAL. */
int cm_config_fail_at(struct walk *w, size_t line, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* cm_config_fail_at() at a libyaml mark (0-based). */
#define FAIL(w, mark, ...) cm_config_fail_at((w), (mark).line + 1, (mark).column + 1, __VA_ARGS__)

/* Reports an error without a position ("NAME: msg"). Returns rc. */
int cm_config_fail_whole(struct walk *w, int rc, const char *msg);

/* Moves to the next event, refusing aliases, anchors, tags and too deep nesting. */
int cm_config_next(struct walk *w);

/* A scalar event's text (libyaml NUL-terminates it too). */
struct cm_str cm_config_scalar_str(const yaml_event_t *e);

/* True when e is a plain scalar spelled as one of words (up to a NULL). */
bool cm_config_scalar_is(const yaml_event_t *e, const char *const *words);

/* The spellings of null, true and false, for cm_config_scalar_is(). */
extern const char *const cm_config_null_words[];
extern const char *const cm_config_true_words[];
extern const char *const cm_config_false_words[];

/* A plain run of decimal digits with an optional '-' (whether or not it fits). */
bool cm_config_looks_int(const yaml_event_t *e);

/* What the current node is, for "expected X, got Y". */
const char *cm_config_what(const yaml_event_t *e);

/* Appends ".name" (or "[i]" when name is NULL) to the key path; returns the old length. */
size_t cm_config_push(struct walk *w, const char *name, size_t i);

/* Cuts the key path back to old (what cm_config_push() returned). */
void cm_config_pop(struct walk *w, size_t old);

/*
 * The current node as a non-empty string (plain or quoted; not null, not a
 * boolean, no NUL bytes). expected names the wanted type for the message.
 */
int cm_config_take_string(struct walk *w, const char *expected, struct cm_str *out);

/*
 * Walks buf[0..len) (buf may be NULL when len is 0) with w, whose name, err,
 * c and base_dir the caller has set: nothing, or one document whose root
 * node root() reads (the current event is its first). Frees the parser, the
 * last event and w->names. Returns 0, CM_EINVAL or CM_ENOMEM, with the
 * message in w->err.
 */
int cm_config_walk(struct walk *w, const char *buf, size_t len, int (*root)(struct walk *w));

/*
 * cm_config_parse() with name (the file's path; NULL: none) in front of every message
 * (config.c; config_load.c reads the file).
 */
int cm_config_parse_named(struct cm_config *c, const char *buf, size_t len, const char *name,
                          const char *base_dir, char *err, size_t errlen);

/*
 * Builds prefix + path into *out, with the config's directory and '/' between
 * them when path is relative. A location (s3://, sqs://, http:// or https://)
 * is kept as given and checked when locations (serve.watch), else refused: a
 * file is meant (config_path.c). Returns 0, CM_EINVAL (why reported) or
 * CM_ENOMEM.
 */
int cm_config_join(struct walk *w, struct cm_str prefix, struct cm_str path, bool locations,
                   char **out);

/* ---- The schema tables (config.c, config_api.c) ---- */

enum kind {
    K_SECTION,       /* a mapping of the keys in sub */
    K_PATH,          /* char *: a file or directory, resolved */
    K_BOOL,          /* bool */
    K_INT,           /* int in [min, max] */
    K_SPECS,         /* struct cm_config_list of intel list arguments (spec says which form) */
    K_PATHS,         /* struct cm_config_list of paths, resolved */
    K_LOCATIONS,     /* K_PATHS where an S3 or SQS location is kept as given (serve.watch) */
    K_KEYS,          /* struct cm_config_list of access key ids */
    K_NAMES,         /* struct cm_config_list of domain names, normalised */
    K_CHOICE,        /* const char *: one of the names in choices (the table's own string) */
    K_STRING,        /* char *: a string check() accepts */
    K_CREDS,         /* api.credentials: a list of {access_key_id, secret_access_key} */
    K_CHECKS,        /* struct cm_config_list of strings check() accepts */
    K_CANARY_CHECKS, /* canaries.checks: a list of check mappings (config_checks.c) */
    K_SECRETS,       /* secrets: a mapping of names to secret mappings (config_secrets.c) */
};

enum spec { SPEC_NONE, SPEC_THREAT, SPEC_TRUSTED, SPEC_MANAGED };

struct key {
    const char *name;
    enum kind kind;
    size_t off;                            /* of the value in struct cm_config */
    long long min, max;                    /* K_INT: the range; lists: max is the most entries */
    enum spec spec;                        /* K_SPECS */
    const struct key *sub;                 /* K_SECTION: its keys, up to a {NULL} */
    const char *const *choices;            /* K_CHOICE: the names allowed, up to a NULL */
    const char *(*check)(struct cm_str s); /* K_STRING, K_CHECKS: NULL when fine, else why not */
};

#define OFF(m) offsetof(struct cm_config, m)

/* ---- The api section (config_api.c) ---- */

/* The section's keys, up to a {NULL}. */
extern const struct key cm_config_api_keys[];

/* Frees what a holds, wiping the secrets. */
void cm_config_api_finish(struct cm_config_api *a);

/* Checks of api.account, api.region and api.listen: NULL when fine, else why not. */
const char *cm_config_check_account(struct cm_str s);
const char *cm_config_check_region(struct cm_str s);
const char *cm_config_check_listen(struct cm_str s);

/* The current node as a string check() accepts, copied into *out. Returns 0 or an error. */
int cm_config_take_checked(struct walk *w, const char *(*check)(struct cm_str s), char **out);

/* api.credentials (the current node): a list of at most max credential mappings, or null. */
int cm_config_walk_creds(struct walk *w, size_t max);

/* An api.targets.webhook_allow entry (and a secret's urls): NULL when fine, else why not. */
const char *cm_config_check_webhook_allow(struct cm_str s);

/* ---- secrets (config_secrets.c) ---- */

/* secrets (the current node): a mapping of at most max names to secrets, or null. */
int cm_config_walk_secrets(struct walk *w, size_t max);

/* Frees c's secrets. */
void cm_config_secrets_finish(struct cm_config *c);

/* ---- canaries.checks (config_checks.c) ---- */

/* canaries.checks (the current node): a list of at most max check mappings, or null. */
int cm_config_walk_checks(struct walk *w, size_t max);

/* Frees what c holds. */
void cm_config_checks_finish(struct cm_config_canaries *c);

#endif
