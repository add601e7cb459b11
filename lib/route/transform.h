/*
 * What a target receives: EventBridge's target input (PutTargets' Input,
 * InputPath and InputTransformer). A struct cm_transform is compiled once
 * from its definition and applied to each event (an EventBridge envelope):
 *
 *   event      the whole event (no transform)
 *   input      constant JSON text, whatever the event
 *   path       the value a JSONPath (jpath.h, brackets allowed) reaches
 *   template   an InputTemplate with <name> placeholders filled from the
 *              InputPathsMap's JSONPaths (dot notation) and the predefined
 *              aws.events.rule-name, aws.events.rule-arn,
 *              aws.events.event.ingestion-time, aws.events.event (the event
 *              without its detail) and aws.events.event.json (the event)
 *
 * A template whose first non-blank byte is '{' or '[' is JSON: a
 * placeholder outside a string is replaced by the value as JSON (a string
 * with its quotes), one inside a string by the value's text without quotes
 * (an object or array as JSON with its quotes removed), and the result is
 * minified. Any other template is text: placeholders inside double quotes
 * are replaced as in JSON strings, elsewhere by the plain value. A path the
 * event lacks gives null as a JSON value and nothing in a string. A <name>
 * that names no variable stays as it is. docs/internals/route.md ("Target
 * input") has the sources and the decisions where AWS is unclear.
 *
 * lib/ does no I/O: the caller supplies the rule's name and the event's
 * ingestion time.
 */
#ifndef CM_ROUTE_TRANSFORM_H
#define CM_ROUTE_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define CM_TRANSFORM_MAX_VARS 100  /* InputPathsMap entries (AWS) */
#define CM_TRANSFORM_MAX_TEXT 8192 /* bytes of Input or InputTemplate (AWS) */
#define CM_TRANSFORM_MAX_NAME 256  /* bytes of an InputPathsMap key */

enum cm_transform_mode {
    CM_TRANSFORM_EVENT = 0,
    CM_TRANSFORM_INPUT,
    CM_TRANSFORM_PATH,
    CM_TRANSFORM_TEMPLATE,
};

struct cm_transform_var {
    const char *name; /* NUL-terminated */
    const char *path; /* NUL-terminated JSONPath */
};

struct cm_transform_def {
    enum cm_transform_mode mode;
    const char *text; /* input: the JSON text; path: the JSONPath; template: the template */
    size_t len;
    const struct cm_transform_var *vars; /* template only */
    size_t nvars;
};

struct cm_transform;

/*
 * Compiles def. Returns 0 and sets *out, or CM_EINVAL / CM_E2BIG with err
 * naming the spec member and the reason ("input_transformer.input_template:
 * byte 12: <aws.events.event> can only be the value of a JSON field"), or
 * CM_ENOMEM.
 */
int cm_transform_compile(const struct cm_transform_def *def, struct cm_transform **out, char *err,
                         size_t errlen);
void cm_transform_destroy(struct cm_transform *t);

/* Whether what t makes is JSON (else text: an InputTemplate that is not JSON). */
bool cm_transform_is_json(const struct cm_transform *t);
/* Whether t's constant text holds a line break (a text template written on several lines). */
bool cm_transform_has_newline(const struct cm_transform *t);

/* About the delivery, for the predefined variables. */
struct cm_transform_env {
    const char *rule;     /* the rule's name; NULL: "" */
    int64_t ingestion_ms; /* when the event entered the bus */
};

/*
 * Appends what the target receives for event (len bytes of JSON) to out.
 * Returns 0, or CM_EINVAL (the event is not JSON) / CM_ENOMEM with err set.
 */
int cm_transform_apply(const struct cm_transform *t, const char *event, size_t len,
                       const struct cm_transform_env *env, struct cm_buf *out, char *err,
                       size_t errlen);

#endif
