/*
 * Targets: where the event bus delivers a finding that matched a rule (what
 * a Lambda function or an HTTP endpoint is to EventBridge). A target is
 * (id, kind, spec): spec is a JSON object whose members depend on the kind,
 * kept by the store as text. Each kind is one const struct cm_target_kind
 * in the table of target.c:
 *
 *   exec     runs a program (no shell) with the event on its stdin
 *   file     appends the event as one line to a file
 *   webhook  POSTs the event to an http:// or https:// URL
 *   kafka    produces the event as a message to a Kafka topic
 *
 * docs/internals/bus.md ("Targets") says what each kind's spec holds and
 * what the program, file or endpoint receives.
 *
 * Every kind's spec also takes what the target receives instead of the
 * whole event, EventBridge's Input, InputPath and InputTransformer:
 * "input" (a string of constant JSON text), "input_path" (a JSONPath) or
 * "input_transformer": {"input_paths_map": {name: JSONPath, ...},
 * "input_template": "..."} (lib/route/transform.h). cm_target_check and
 * cm_target_deliver split them off the spec (target_input.c), so callers
 * use those rather than a kind's check and deliver.
 */
#ifndef CM_BUS_TARGET_H
#define CM_BUS_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * A named secret (coalmine.yaml "secrets", docs/config.md): what a webhook header refers to
 * with {"secret": NAME} instead of holding the value. The value is read at each delivery
 * (target_secret.c), from the file (its trailing newline cut) or the environment variable,
 * and only for a URL under one of urls (entries as api.targets.webhook_allow's, net_url.h).
 */
struct cm_target_secret {
    const char *name;
    const char *file; /* NULL: env */
    const char *env;  /* NULL: file */
    char *const *urls;
    size_t nurls;
};

/* The secrets a process knows (borrowed); n 0: none. */
struct cm_target_secrets {
    struct cm_target_secret *v;
    size_t n;
};

/* About one delivery, for the target (exec: environment; webhook: headers). */
struct cm_target_ctx {
    const char *rule;         /* rule name */
    const char *target_id;    /* the target's id */
    const char *finding_id;   /* may be NULL */
    const char *finding_type; /* may be NULL */
    double severity;          /* < 0: unknown */
    unsigned attempt;         /* 1 for the first try */
    int64_t ingestion_ms;     /* when the event entered the bus (the outbox row's time) */
    bool text;                /* the payload is text, not JSON (an input_template that is not) */
    /*
     * Out, when not NULL (the bus sets it to 0 first): how long the target asked not to
     * be sent anything, in ms (a webhook's Retry-After on a 429 or 503 answer, at most
     * CM_TARGET_RETRY_AFTER_MAX); left 0 when it did not say.
     */
    int64_t *retry_after_ms;
    /* The secrets a webhook header may refer to; NULL: none (a reference then fails). */
    const struct cm_target_secrets *secrets;
};

#define CM_TARGET_RETRY_AFTER_MAX (24LL * 3600 * 1000) /* a day: EventBridge's retry span */

struct cm_target_kind {
    const char *name;    /* "exec", "file", "webhook", "kafka" */
    const char *summary; /* one line, for --help */
    /*
     * Validates spec (the text of a JSON object, len bytes) for `coalmine
     * targets put`. On success appends its canonical form to canon (when not
     * NULL): compact JSON, members in a fixed order, defaults filled in, maps
     * sorted by name. Returns 0, or CM_EINVAL with err naming the member and
     * the reason ("timeout_seconds: must be an integer from 1 to 3600"); canon
     * is then left as it was.
     */
    int (*check)(const char *spec, size_t len, struct cm_buf *canon, char *err, size_t errlen);
    /*
     * Delivers one event (an EventBridge envelope: one JSON document without
     * a newline, evlen bytes) with ctx about it (NULL: no names, severity
     * unknown). Returns 0 when the target accepted it, or CM_EINVAL (bad
     * spec or event), CM_EIO (the target refused it, or failed), CM_EUNAVAIL
     * (the target as a whole cannot take anything now: it could not be
     * reached, or it said so, e.g. HTTP 503; the bus sends it nothing more
     * in this run) or CM_ENOMEM, with err saying why. Never blocks much past
     * the spec's timeout. Callable from any thread at once: it keeps no
     * state between calls; exec reads the environment (do not setenv()
     * meanwhile) and blocks SIGPIPE in the calling thread for the call;
     * webhook needs curl_global_init() done by the program first.
     */
    int (*deliver)(const char *spec, size_t len, const char *event, size_t evlen,
                   const struct cm_target_ctx *ctx, char *err, size_t errlen);
};

/*
 * A kind's check with the input members (above): validates them, passes the
 * rest of the spec to k->check, and appends them to its canonical form.
 */
int cm_target_check(const struct cm_target_kind *k, const char *spec, size_t len,
                    struct cm_buf *canon, char *err, size_t errlen);
/*
 * A kind's deliver with the input members: the kind gets the rest of the
 * spec and, in place of event, what the input members make of it (with
 * ctx->text set when that is not JSON). Same results as deliver.
 */
int cm_target_deliver(const struct cm_target_kind *k, const char *spec, size_t len,
                      const char *event, size_t evlen, const struct cm_target_ctx *ctx, char *err,
                      size_t errlen);

/*
 * Whether a target of kind k with spec (its canonical form or what was given) may use the
 * secrets it refers to: each is defined in secrets and the target's URL is under one of its
 * urls. Kinds that refer to none pass. secrets NULL: only the binding cannot be checked, and
 * every reference passes (delivery checks again). Returns 0, or CM_EINVAL with err naming
 * the secret and the key that would allow it ("secrets.NAME.urls"), or CM_ENOMEM.
 */
int cm_target_secrets_check(const struct cm_target_kind *k, const char *spec, size_t len,
                            const struct cm_target_secrets *secrets, char *err, size_t errlen);

/*
 * The value of secret name for a request to url, read now: name is defined in secrets, url
 * is under one of its urls, and the value (a file's content less one trailing newline, or
 * the variable's) is 1 to outlen - 1 bytes without CR, LF or NUL. Returns 0 with out
 * NUL-terminated, or CM_EINVAL / CM_EIO with err naming the secret and the reason, never the
 * value.
 */
int cm_target_secret_value(const struct cm_target_secrets *secrets, const char *name,
                           const char *url, char *out, size_t outlen, char *err, size_t errlen);

/* The kind called name, or NULL if there is none. */
const struct cm_target_kind *cm_target_kind(const char *name);
/* The i-th kind (0-based) for listing them, or NULL past the end. */
const struct cm_target_kind *cm_target_kind_at(size_t i);

#endif
