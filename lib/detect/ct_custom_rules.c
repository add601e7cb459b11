/*
 * The Custom Detection Rules library (ct_custom.h): one const row per rule,
 * and the conditions that tell the call the rule is about from its harmless
 * neighbours (docs/detectors/custom-rules.md lists each trigger and near
 * miss). Pure: it reads one parsed CloudTrail record and nothing else.
 */
#include "detect/ct_custom.h"

#include "base/json.h"
#include "detect/ct.h"

/* The value node of requestParameters / responseElements member key, or CM_JSON_NONE. */
static uint32_t member(const struct cm_ct *ct, uint32_t obj, const char *key)
{
    if (ct->doc == NULL || obj == CM_JSON_NONE || cm_json_type(ct->doc, obj) != CM_JSON_OBJECT) {
        return CM_JSON_NONE;
    }
    return cm_json_get(ct->doc, obj, key);
}

/* A string node with at least one byte that is not a space. */
static bool nonblank_string(const struct cm_json_doc *d, uint32_t n)
{
    struct cm_str s;

    if (n == CM_JSON_NONE || cm_json_type(d, n) != CM_JSON_STRING) {
        return false;
    }
    s = cm_json_raw(d, n);
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] != ' ' && s.p[i] != '\t') {
            return true;
        }
    }
    return false;
}

/*
 * A flag CloudTrail writes as true, "true", or EC2's attribute-value wrapper
 * {"value": true}: the three forms of one boolean request parameter.
 */
static bool flag_true(const struct cm_json_doc *d, uint32_t n)
{
    if (n == CM_JSON_NONE) {
        return false;
    }
    if (cm_json_type(d, n) == CM_JSON_OBJECT) {
        n = cm_json_get(d, n, "value");
        if (n == CM_JSON_NONE) {
            return false;
        }
    }
    return cm_json_truthy(d, n);
}

/*
 * GetPasswordData handed out a password. CloudTrail logs a successful call
 * with responseElements null (EC2's read-only calls log no response; the
 * password is never shown), so a success is a retrieval unless a logged
 * response says otherwise: passwordData present and blank is an instance whose
 * password is not ready yet.
 */
static bool password_returned(const struct cm_ct *ct)
{
    uint32_t pw = member(ct, ct->response_elements, "passwordData");

    return pw == CM_JSON_NONE || nonblank_string(ct->doc, pw);
}

/*
 * ModifyDBInstance / ModifyDBCluster that sets the master user's password: a
 * new masterUserPassword (CloudTrail masks it: "*****" or
 * HIDDEN_DUE_TO_SECURITY_REASONS), or the password handed to Secrets Manager
 * (manageMasterUserPassword) or rotated there (rotateMasterUserPassword).
 * Other modifications (class, storage, backups, parameter groups) are not.
 */
static bool master_password_set(const struct cm_ct *ct)
{
    uint32_t rp = ct->request_parameters;

    return nonblank_string(ct->doc, member(ct, rp, "masterUserPassword")) ||
           flag_true(ct->doc, member(ct, rp, "manageMasterUserPassword")) ||
           flag_true(ct->doc, member(ct, rp, "rotateMasterUserPassword"));
}

/*
 * ModifyInstanceAttribute that turns termination protection on: the SDKs'
 * form {"disableApiTermination": {"value": true}} or the attribute/value form
 * the CLI's --attribute disableApiTermination --value true sends. Turning it
 * off, or changing another attribute, is not.
 */
static bool termination_protection_on(const struct cm_ct *ct)
{
    uint32_t rp = ct->request_parameters;
    uint32_t attr = member(ct, rp, "attribute");

    if (flag_true(ct->doc, member(ct, rp, "disableApiTermination"))) {
        return true;
    }
    return attr != CM_JSON_NONE && cm_json_type(ct->doc, attr) == CM_JSON_STRING &&
           cm_str_eqc(cm_json_raw(ct->doc, attr), "disableApiTermination") &&
           flag_true(ct->doc, member(ct, rp, "value"));
}

/*
 * DisablePolicyType of a guardrail: the policy types that restrict what
 * principals may do (service and resource control policies, EC2 declarative
 * policies). Turning off tag, backup, chatbot or AI opt-out policies
 * disables no security control.
 */
static bool guardrail_policy_type(const struct cm_ct *ct)
{
    static const char *const guardrails[] = {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY",
                                             "DECLARATIVE_POLICY_EC2"};
    uint32_t t = member(ct, ct->request_parameters, "policyType");
    struct cm_str s;

    if (t == CM_JSON_NONE || cm_json_type(ct->doc, t) != CM_JSON_STRING) {
        return false;
    }
    s = cm_json_raw(ct->doc, t);
    for (size_t i = 0; i < sizeof(guardrails) / sizeof(guardrails[0]); i++) {
        if (cm_str_eqc(s, guardrails[i])) {
            return true;
        }
    }
    return false;
}

#define EC2  "ec2.amazonaws.com"
#define RDS  "rds.amazonaws.com"
#define ORGS "organizations.amazonaws.com"

/* clang-format off */
static const struct cm_cr_rule_info rules[CM_CR_COUNT] = {
    [CM_CR_EC2_PASSWORD_DATA] = {
        .name = "EC2PasswordDataRetrieved", .source = EC2, .events = {"GetPasswordData"},
        .cond = password_returned, .tactic = "CredentialAccess", .service = "EC2",
        .technique = "UnsecuredCredentials", .type = "CredentialAccess:EC2/UnsecuredCredentials",
        .severity = 5.0, .level = "MEDIUM"},
    [CM_CR_RDS_MASTER_PASSWORD] = {
        .name = "RDSMasterPasswordReset", .source = RDS,
        .events = {"ModifyDBInstance", "ModifyDBCluster"}, .cond = master_password_set,
        .tactic = "CredentialAccess", .service = "RDS", .technique = "ModifyAuthenticationProcess",
        .type = "CredentialAccess:RDS/ModifyAuthenticationProcess", .severity = 8.0,
        .level = "HIGH"},
    [CM_CR_EC2_TERMINATION_LOCK] = {
        .name = "EC2TerminationProtectionEnabled", .source = EC2,
        .events = {"ModifyInstanceAttribute"}, .cond = termination_protection_on,
        .tactic = "DefenseImpairment", .service = "EC2", .technique = "DisableOrModifyTools",
        .type = "DefenseImpairment:EC2/DisableOrModifyTools", .severity = 2.0, .level = "LOW"},
    [CM_CR_VPC_FLOW_LOGS_DELETED] = {
        .name = "VPCFlowLogsDeleted", .source = EC2, .events = {"DeleteFlowLogs"},
        .tactic = "DefenseImpairment", .service = "EC2", .technique = "DisableOrModifyTools",
        .type = "DefenseImpairment:EC2/DisableOrModifyTools", .severity = 8.0, .level = "HIGH"},
    [CM_CR_ORG_LEAVE] = {
        .name = "OrganizationLeaveAttempt", .source = ORGS,
        .events = {"LeaveOrganization", "RemoveAccountFromOrganization"}, .attempts = true,
        .tactic = "DefenseImpairment", .service = "Organizations",
        .technique = "ModifyCloudResourceHierarchy",
        .type = "DefenseImpairment:Organizations/ModifyCloudResourceHierarchy", .severity = 8.0,
        .level = "HIGH"},
    [CM_CR_ORG_POLICY_DISABLED] = {
        .name = "OrganizationPolicyDisabled", .source = ORGS, .events = {"DisablePolicyType"},
        .cond = guardrail_policy_type, .tactic = "DefenseImpairment", .service = "Organizations",
        .technique = "DisableOrModifyTools",
        .type = "DefenseImpairment:Organizations/DisableOrModifyTools", .severity = 8.0,
        .level = "HIGH"},
};
/* clang-format on */

const struct cm_cr_rule_info *cm_cr_rules(void)
{
    return rules;
}

int cm_cr_find(struct cm_str name)
{
    for (int i = 0; i < CM_CR_COUNT; i++) {
        if (cm_str_eqc(name, rules[i].name)) {
            return i;
        }
    }
    return -1;
}

int cm_cr_match(const struct cm_ct *ct)
{
    bool ok = cm_ct_ok(ct);

    for (int i = 0; i < CM_CR_COUNT; i++) {
        const struct cm_cr_rule_info *r = &rules[i];
        bool named = false;

        if (!cm_str_eqc(ct->event_source, r->source)) {
            continue;
        }
        for (size_t e = 0; e < CM_CR_MAX_EVENTS && r->events[e] != NULL && !named; e++) {
            named = cm_str_eqc(ct->event_name, r->events[e]);
        }
        if (named && (ok || r->attempts) && (r->cond == NULL || r->cond(ct))) {
            return i;
        }
    }
    return -1;
}
