/*
 * One CloudTrail record's members into struct cm_ct, for the CloudTrail
 * parser (cloudtrail.c, which finds the records in a buffer and emits the
 * events): the identity, its session and issuer, the top-level members read
 * in one pass by key length, and an EventBridge envelope noted on the way.
 */
#include "parse/cloudtrail_int.h"

#include <string.h>

/*
 * The string value of node i: raw when unescaped, else unescaped into the arena. A record
 * has some 25 strings and next to none has an escape: those are sliced here, without the
 * call (cm_json_str gives the same slice).
 */
static inline struct cm_str sval(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d,
                                 uint32_t i)
{
    if (i == CM_JSON_NONE || cm_json_type(d, i) != CM_JSON_STRING) {
        return CM_STR_NULL;
    }
    if (!(cm_json_at(d, i)->tag & CM_JSON_F_ESCAPED)) {
        return cm_json_raw(d, i);
    }
    return cm_json_str(d, i, ctx->arena);
}

static uint32_t obj_or_none(const struct cm_json_doc *d, uint32_t i)
{
    enum cm_json_type t = cm_json_type(d, i);
    return (t == CM_JSON_OBJECT || t == CM_JSON_ARRAY) ? i : CM_JSON_NONE;
}

/* true 1, false 0, else -1; also as strings in any case ("True" after a CSV or pandas trip). */
static int8_t tribool(const struct cm_json_doc *d, uint32_t i)
{
    enum cm_json_type t = cm_json_type(d, i);

    if (t == CM_JSON_TRUE) {
        return 1;
    }
    if (t == CM_JSON_FALSE) {
        return 0;
    }
    if (t == CM_JSON_STRING) {
        struct cm_str v = cm_json_raw(d, i);
        return cm_str_ieq(v, CM_STR_LIT("true")) ? 1 : cm_str_ieq(v, CM_STR_LIT("false")) ? 0 : -1;
    }
    return -1;
}

#define KEY_IS(k, lit) ((k).len == sizeof(lit) - 1 && memcmp((k).p, lit, sizeof(lit) - 1) == 0)

static void read_issuer(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d, uint32_t obj,
                        struct cm_ct_identity *u)
{
    for (uint32_t k = cm_json_first(d, obj); k != CM_JSON_NONE; k = cm_json_next(d, obj, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        uint32_t v = k + 1;
        if (KEY_IS(key, "type")) {
            u->issuer_type = sval(ctx, d, v);
        } else if (KEY_IS(key, "principalId")) {
            u->issuer_principal_id = sval(ctx, d, v);
        } else if (KEY_IS(key, "arn")) {
            u->issuer_arn = sval(ctx, d, v);
        } else if (KEY_IS(key, "accountId")) {
            u->issuer_account_id = sval(ctx, d, v);
        } else if (KEY_IS(key, "userName")) {
            u->issuer_user_name = sval(ctx, d, v);
        }
    }
}

static void read_session(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d, uint32_t obj,
                         struct cm_ct_identity *u)
{
    u->session_context = obj;
    for (uint32_t k = cm_json_first(d, obj); k != CM_JSON_NONE; k = cm_json_next(d, obj, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        uint32_t v = k + 1;
        enum cm_json_type t = cm_json_type(d, v);
        if (KEY_IS(key, "sessionIssuer") && t == CM_JSON_OBJECT) {
            read_issuer(ctx, d, v, u);
        } else if (KEY_IS(key, "attributes") && t == CM_JSON_OBJECT) {
            u->creation_date = sval(ctx, d, cm_json_getn(d, v, "creationDate", 12));
            u->mfa_authenticated = sval(ctx, d, cm_json_getn(d, v, "mfaAuthenticated", 16));
        } else if (KEY_IS(key, "webIdFederationData") && t == CM_JSON_OBJECT) {
            u->web_id_provider = sval(ctx, d, cm_json_getn(d, v, "federatedProvider", 17));
        } else if (KEY_IS(key, "sourceIdentity")) {
            u->source_identity = sval(ctx, d, v);
        } else if (KEY_IS(key, "ec2RoleDelivery")) {
            u->ec2_role_delivery = sval(ctx, d, v);
        } else if (KEY_IS(key, "assumedRoot")) {
            u->assumed_root = sval(ctx, d, v);
        }
    }
}

static void read_identity(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d, uint32_t obj,
                          struct cm_ct_identity *u)
{
    u->node = obj;
    for (uint32_t k = cm_json_first(d, obj); k != CM_JSON_NONE; k = cm_json_next(d, obj, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        uint32_t v = k + 1;
        switch (key.len) {
        case 3:
            if (KEY_IS(key, "arn")) {
                u->arn = sval(ctx, d, v);
            }
            break;
        case 4:
            if (KEY_IS(key, "type")) {
                u->type_name = sval(ctx, d, v);
                u->type = cm_uid_type_from(u->type_name);
            }
            break;
        case 8:
            if (KEY_IS(key, "userName")) {
                u->user_name = sval(ctx, d, v);
            }
            break;
        case 9:
            if (KEY_IS(key, "accountId")) {
                u->account_id = sval(ctx, d, v);
            } else if (KEY_IS(key, "invokedBy")) {
                u->invoked_by = sval(ctx, d, v);
            }
            break;
        case 11:
            if (KEY_IS(key, "principalId")) {
                u->principal_id = sval(ctx, d, v);
            } else if (KEY_IS(key, "accessKeyId")) {
                u->access_key_id = sval(ctx, d, v);
            }
            break;
        case 12:
            if (KEY_IS(key, "credentialId")) {
                u->credential_id = sval(ctx, d, v);
            }
            break;
        case 14:
            if (KEY_IS(key, "sessionContext") && cm_json_type(d, v) == CM_JSON_OBJECT) {
                read_session(ctx, d, v, u);
            }
            break;
        case 16:
            if (KEY_IS(key, "identityProvider")) {
                u->identity_provider = sval(ctx, d, v);
            }
            break;
        default:
            break;
        }
    }
}

/* Reads one top-level member into the event (split by key length for speed). */
static void read_member(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d,
                        struct cm_str key, uint32_t v, struct cm_ct *ct, struct cm_str *time)
{
    switch (key.len) {
    case 7:
        if (KEY_IS(key, "eventID")) {
            ct->event_id = sval(ctx, d, v);
        }
        break;
    case 8:
        if (KEY_IS(key, "readOnly")) {
            ct->read_only = tribool(d, v);
        }
        break;
    case 9:
        if (KEY_IS(key, "eventTime")) {
            *time = sval(ctx, d, v);
        } else if (KEY_IS(key, "eventName")) {
            ct->event_name = sval(ctx, d, v);
        } else if (KEY_IS(key, "userAgent")) {
            ct->user_agent = sval(ctx, d, v);
        } else if (KEY_IS(key, "errorCode")) {
            ct->error_code = sval(ctx, d, v);
        } else if (KEY_IS(key, "requestID")) {
            ct->request_id = sval(ctx, d, v);
        } else if (KEY_IS(key, "resources")) {
            ct->resources = obj_or_none(d, v);
        } else if (KEY_IS(key, "eventType")) {
            ct->event_type = sval(ctx, d, v);
        }
        break;
    case 10:
        if (KEY_IS(key, "tlsDetails")) {
            ct->tls_details = obj_or_none(d, v);
        } else if (KEY_IS(key, "@timestamp") && time->len == 0) {
            /* Logstash/Elastic copies drop eventTime for @timestamp. */
            *time = sval(ctx, d, v);
        }
        break;
    case 11:
        if (KEY_IS(key, "eventSource")) {
            ct->event_source = sval(ctx, d, v);
        }
        break;
    case 12:
        if (KEY_IS(key, "eventVersion")) {
            ct->event_version = sval(ctx, d, v);
        } else if (KEY_IS(key, "userIdentity") && cm_json_type(d, v) == CM_JSON_OBJECT) {
            read_identity(ctx, d, v, &ct->uid);
        } else if (KEY_IS(key, "errorMessage")) {
            ct->error_message = sval(ctx, d, v);
        }
        break;
    case 13:
        if (KEY_IS(key, "eventCategory")) {
            ct->event_category = sval(ctx, d, v);
        } else if (KEY_IS(key, "sharedEventID")) {
            ct->shared_event_id = sval(ctx, d, v);
        } else if (KEY_IS(key, "vpcEndpointId")) {
            ct->vpc_endpoint_id = sval(ctx, d, v);
        }
        break;
    case 15:
        if (KEY_IS(key, "sourceIPAddress")) {
            ct->source_ip_address = sval(ctx, d, v);
        } else if (KEY_IS(key, "managementEvent")) {
            ct->management_event = tribool(d, v);
        }
        break;
    case 16:
        if (KEY_IS(key, "responseElements")) {
            ct->response_elements = obj_or_none(d, v);
        }
        break;
    case 17:
        if (KEY_IS(key, "requestParameters")) {
            ct->request_parameters = obj_or_none(d, v);
        }
        break;
    case 18:
        if (KEY_IS(key, "recipientAccountId")) {
            ct->recipient_account_id = sval(ctx, d, v);
        }
        break;
    case 19:
        if (KEY_IS(key, "additionalEventData")) {
            ct->additional_event_data = obj_or_none(d, v);
        } else if (KEY_IS(key, "serviceEventDetails")) {
            ct->service_event_details = obj_or_none(d, v);
        }
        break;
    case 20:
        if (KEY_IS(key, "vpcEndpointAccountId")) {
            ct->vpc_endpoint_account_id = sval(ctx, d, v);
        }
        break;
    case 28:
        if (KEY_IS(key, "sessionCredentialFromConsole")) {
            ct->session_credential_from_console = sval(ctx, d, v);
        }
        break;
    default:
        break;
    }
}

void cm_cloudtrail_record_init(struct cm_ct *ct, const struct cm_json_doc *d, uint32_t root)
{
    cm_ct_init(ct);
    ct->doc = d;
    ct->root = root;
}

/*
 * Reads the members of object rec. Notes an EventBridge envelope on the way
 * ("detail-type" naming CloudTrail and an object "detail") in *detail, and
 * any EventBridge event (a string "detail-type" and an object "detail") in
 * *eventbridge.
 */
void cm_cloudtrail_record_read(const struct cm_parse_ctx *ctx, const struct cm_json_doc *d,
                               uint32_t rec, struct cm_ct *ct, struct cm_str *time,
                               struct cm_str *region, uint32_t *detail, bool *eventbridge)
{
    uint32_t det = CM_JSON_NONE;
    int via_ct = 0, typed = 0;

    for (uint32_t k = cm_json_first(d, rec); k != CM_JSON_NONE; k = cm_json_next(d, rec, k + 1)) {
        struct cm_str key = cm_json_raw(d, k);
        if (KEY_IS(key, "awsRegion")) {
            *region = sval(ctx, d, k + 1);
        } else if (key.len == 6 && KEY_IS(key, "detail")) {
            det = cm_json_type(d, k + 1) == CM_JSON_OBJECT ? k + 1 : CM_JSON_NONE;
        } else if (key.len == 11 && KEY_IS(key, "detail-type")) {
            typed = cm_json_type(d, k + 1) == CM_JSON_STRING;
            via_ct = typed &&
                     cm_str_find(cm_json_raw(d, k + 1), CM_STR_LIT("via CloudTrail")) != (size_t)-1;
        } else {
            read_member(ctx, d, key, k + 1, ct, time);
        }
    }
    *detail = via_ct ? det : CM_JSON_NONE;
    *eventbridge = typed && det != CM_JSON_NONE;
}
