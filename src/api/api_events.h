/*
 * The EventBridge API (awsJson1_1, X-Amz-Target AWSEvents.<Op>) over the
 * store's rules and targets: the rows `coalmine rules` and `coalmine targets`
 * manage (docs/events-api.md). One bus, "default"; a rule's ARN is
 * arn:aws:events:<region>:<account>:rule/<name>.
 *
 * Targets. EventBridge names a target by an ARN; coalmine's targets are
 * kinds with a JSON spec (src/bus/target.h), named by
 *
 *   arn:aws:coalmine:::<kind>:<spec JSON object>   any spec, e.g.
 *       arn:aws:coalmine:::webhook:{"url":"https://h/x","timeout_seconds":5}
 *   arn:aws:coalmine:::file:/abs/path              {"path": "/abs/path"}
 *   arn:aws:coalmine:::webhook:http(s)://...       {"url": "..."}
 *   arn:aws:coalmine:::exec:/abs/program           {"argv": ["/abs/program"]}
 *   arn:aws:coalmine:::kafka:BROKERS/TOPIC         {"brokers": "BROKERS", "topic": "TOPIC"}
 *
 * (partition aws, service coalmine, no region or account: an ARN the SDKs and
 * Terraform's provider accept as one)
 *
 * A target's Input, InputPath and InputTransformer are the spec's input,
 * input_path and input_transformer. The ARN a target is listed with is the
 * short form when its spec (without the input members) is exactly what the
 * short form makes, else the JSON form of its canonical spec: either is
 * accepted back by PutTargets and names the same target.
 */
#ifndef CM_API_API_EVENTS_H
#define CM_API_API_EVENTS_H

#include <stddef.h>

#include "api/api.h"
#include "base/buf.h"

#define CM_EVENTS_ARN_SERVICE "arn:aws:coalmine:"   /* a coalmine target's ARN starts so */
#define CM_EVENTS_ARN_PREFIX  "arn:aws:coalmine:::" /* and has no region or account */
#define CM_EVENTS_LIST_MAX    100                   /* Limit's maximum and default (LimitMax100) */
#define CM_EVENTS_PUT_MAX     10                    /* PutEvents entries in one request */

/*
 * The target kind and kind spec (canonical, without the input members) arn names, into
 * kind (kindlen bytes) and spec. Returns 0, or -1 with why set ("not a coalmine target
 * ARN", a spec error naming the member).
 */
int cm_events_arn_parse(const char *arn, char *kind, size_t kindlen, struct cm_buf *spec, char *why,
                        size_t whylen);

/*
 * The ARN of a stored target (kind, canonical spec with or without input members) into
 * out: the short form when it says the same, else arn:aws:coalmine:::<kind>:<spec>. Returns 0
 * or -1 (out of memory, or a spec that is no JSON object).
 */
int cm_events_arn_of(const char *kind, const char *spec, struct cm_buf *out);

/* The rule ARN of name for the request's region into out. */
void cm_events_rule_arn(const struct cm_api_ctx *ctx, const struct cm_api_req *req,
                        const char *name, char *out, size_t outlen);

#define CM_EVENTS_OP(fn)                                                                           \
    int fn(struct cm_api_ctx *ctx, const struct cm_api_req *req, struct cm_api_resp *resp)

/* api_events_rules.c */
CM_EVENTS_OP(cm_events_put_rule);
CM_EVENTS_OP(cm_events_describe_rule);
CM_EVENTS_OP(cm_events_list_rules);
CM_EVENTS_OP(cm_events_delete_rule);
CM_EVENTS_OP(cm_events_enable_rule);
CM_EVENTS_OP(cm_events_disable_rule);
CM_EVENTS_OP(cm_events_test_event_pattern);
CM_EVENTS_OP(cm_events_tag_resource);
CM_EVENTS_OP(cm_events_untag_resource);
CM_EVENTS_OP(cm_events_list_tags);

/* api_events_targets.c */
CM_EVENTS_OP(cm_events_put_targets);
CM_EVENTS_OP(cm_events_remove_targets);
CM_EVENTS_OP(cm_events_list_targets_by_rule);
CM_EVENTS_OP(cm_events_list_rule_names_by_target);

/* api_events_put.c */
CM_EVENTS_OP(cm_events_put_events);

/* Shared by the three files: the common errors, and the bus check (EventBusName). */
int cm_events_not_found_rule(struct cm_api_resp *resp, const char *name);
int cm_events_validation(struct cm_api_resp *resp, const char *message);
/* EventBusName (absent, "default" or the default bus's ARN); -1 with resp set otherwise. */
int cm_events_bus_ok(struct cm_api_ctx *ctx, const struct cm_api_req *req, const char *bus,
                     struct cm_api_resp *resp);

#endif
